"""Two transit gateways in one moto region, peered (C7.8 of
docs/semantics-additions.md), for tests/pull_moto.rs.

Usage: python moto_tgw_peering.py ENDPOINT_URL
Prints {"east": tgw id, "west": tgw id, "peering": attachment id}.
moto supports CreateTransitGatewayPeeringAttachment and
AcceptTransitGatewayPeeringAttachment (same account and region here).
"""

import json
import sys

import boto3

ec2 = boto3.client(
    "ec2",
    endpoint_url=sys.argv[1],
    region_name="us-east-1",
    aws_access_key_id="testing",
    aws_secret_access_key="testing",
)
east = ec2.create_transit_gateway(Description="east")["TransitGateway"]["TransitGatewayId"]
west = ec2.create_transit_gateway(Description="west")["TransitGateway"]["TransitGatewayId"]
att = ec2.create_transit_gateway_peering_attachment(
    TransitGatewayId=east,
    PeerTransitGatewayId=west,
    PeerAccountId="123456789012",
    PeerRegion="us-east-1",
)["TransitGatewayPeeringAttachment"]["TransitGatewayAttachmentId"]
ec2.accept_transit_gateway_peering_attachment(TransitGatewayAttachmentId=att)
print(json.dumps({"east": east, "west": west, "peering": att}))
