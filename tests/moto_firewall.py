"""Creates a VPC, a firewall subnet and an AWS Network Firewall in a moto
server (moto implements CreateFirewall, ListFirewalls and DescribeFirewall,
not firewall policies or rule groups). Prints the ids as JSON.

Usage: python moto_firewall.py ENDPOINT_URL
"""

import json
import sys

import boto3

kw = dict(
    endpoint_url=sys.argv[1],
    region_name="us-east-1",
    aws_access_key_id="testing",
    aws_secret_access_key="testing",
)
ec2 = boto3.client("ec2", **kw)
nfw = boto3.client("network-firewall", **kw)
vpc = ec2.create_vpc(CidrBlock="10.30.0.0/16")["Vpc"]["VpcId"]
subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.30.0.0/28", AvailabilityZone="us-east-1a")[
    "Subnet"
]["SubnetId"]
policy = "arn:aws:network-firewall:us-east-1:123456789012:firewall-policy/public-web-policy"
fw = nfw.create_firewall(
    FirewallName="public-web-fw",
    FirewallPolicyArn=policy,
    VpcId=vpc,
    SubnetMappings=[{"SubnetId": subnet, "IPAddressType": "IPV4"}],
)["Firewall"]
json.dump({"vpc": vpc, "subnet": subnet, "firewall": fw["FirewallArn"], "policy": policy}, sys.stdout)
