"""An AWS organisation in moto, for tests/pull_org.rs (issue 17).

Usage: python moto_org.py ENDPOINT_URL [EXTRA_ACCOUNTS [CLOSED]]

The caller (moto's default account 123456789012) creates an organisation and
three member accounts, and builds in each through an assumed role (moto
makes every resource created with assumed-role credentials belong to the
role's account):

- network: VPC 10.0.0.0/16 with a subnet, an instance, a transit gateway and
  the VPC's attachment to it, shared with both workload accounts through
  RAM (moto accepts the share but no other account can see or attach to the
  TGW: CreateTransitGatewayVpcAttachment from a workload account answers
  InvalidTransitGatewayID.NotFound, so the TGW stops at the network
  account's own VPC);
- workload-a: VPC 10.1.0.0/16, a subnet, an instance whose group admits
  TCP 443 from 10.2.0.0/16;
- workload-b: VPC 10.2.0.0/16, a subnet, an instance whose group admits
  TCP 22 from 10.1.0.0/16;
- a cross-account VPC peering a <-> b (requested by a, accepted by b) with
  routes both ways. Security-group rules across it use CIDRs: moto refuses
  UserIdGroupPairs naming a group of another account (tests/fixtures cover
  those by hand). A subnet shared through RAM is invisible to the other
  account in moto, so VPC sharing is also covered by the fixture only.

EXTRA_ACCOUNTS (default 0) more member accounts, each with a VPC, a subnet
and an instance (the 20-account timing of docs/performance.md). The first
CLOSED (default 0) of them are then closed (CloseAccount: SUSPENDED in
ListAccounts), their VPCs left in place.

Prints {"management", "network", "a", "b", "extra": [ids], "closed": [ids],
and the ids of the resources the tests ask about}.
"""

import json
import sys

import boto3

ENDPOINT = sys.argv[1]
EXTRA = int(sys.argv[2]) if len(sys.argv) > 2 else 0
CLOSED = int(sys.argv[3]) if len(sys.argv) > 3 else 0
REGION = "us-east-1"
KEYS = dict(aws_access_key_id="testing", aws_secret_access_key="testing")


def client(service, **creds):
    return boto3.client(service, endpoint_url=ENDPOINT, region_name=REGION, **(creds or KEYS))


def assume(account):
    c = client("sts").assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole",
        RoleSessionName="moto-org-setup",
    )["Credentials"]
    return dict(
        aws_access_key_id=c["AccessKeyId"],
        aws_secret_access_key=c["SecretAccessKey"],
        aws_session_token=c["SessionToken"],
    )


def member(org, name):
    status = org.create_account(Email=f"{name}@example.com", AccountName=name)
    return status["CreateAccountStatus"]["AccountId"]


def vpc_with_instance(ec2, cidr, subnet_cidr, ingress):
    vpc = ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock=subnet_cidr, AvailabilityZone="us-east-1a")[
        "Subnet"
    ]["SubnetId"]
    sg = ec2.create_security_group(GroupName="app", Description="app", VpcId=vpc)["GroupId"]
    if ingress:
        ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=ingress)
    instance = ec2.run_instances(
        ImageId="ami-12c6146b",
        MinCount=1,
        MaxCount=1,
        SubnetId=subnet,
        SecurityGroupIds=[sg],
        InstanceType="t3.micro",
    )["Instances"][0]
    main = ec2.describe_route_tables(
        Filters=[{"Name": "vpc-id", "Values": [vpc]}, {"Name": "association.main", "Values": ["true"]}]
    )["RouteTables"][0]["RouteTableId"]
    return {
        "vpc": vpc,
        "subnet": subnet,
        "sg": sg,
        "instance": instance["InstanceId"],
        "ip": instance["PrivateIpAddress"],
        "rtb": main,
    }


def tcp(port, cidr):
    return [{"IpProtocol": "tcp", "FromPort": port, "ToPort": port, "IpRanges": [{"CidrIp": cidr}]}]


org = client("organizations")
org.create_organization(FeatureSet="ALL")
network, a, b = member(org, "network"), member(org, "workload-a"), member(org, "workload-b")
extra = [member(org, f"extra-{i:02}") for i in range(EXTRA)]

net_ec2 = client("ec2", **assume(network))
n = vpc_with_instance(net_ec2, "10.0.0.0/16", "10.0.1.0/24", tcp(443, "10.0.0.0/8"))
tgw = net_ec2.create_transit_gateway(Description="org")["TransitGateway"]["TransitGatewayId"]
net_ec2.create_transit_gateway_vpc_attachment(TransitGatewayId=tgw, VpcId=n["vpc"], SubnetIds=[n["subnet"]])
client("ram", **assume(network)).create_resource_share(
    name="org-tgw",
    resourceArns=[f"arn:aws:ec2:{REGION}:{network}:transit-gateway/{tgw}"],
    principals=[a, b],
)

a_ec2, b_ec2 = client("ec2", **assume(a)), client("ec2", **assume(b))
wa = vpc_with_instance(a_ec2, "10.1.0.0/16", "10.1.1.0/24", tcp(443, "10.2.0.0/16"))
wb = vpc_with_instance(b_ec2, "10.2.0.0/16", "10.2.1.0/24", tcp(22, "10.1.0.0/16"))
pcx = a_ec2.create_vpc_peering_connection(VpcId=wa["vpc"], PeerVpcId=wb["vpc"], PeerOwnerId=b)[
    "VpcPeeringConnection"
]["VpcPeeringConnectionId"]
b_ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
a_ec2.create_route(RouteTableId=wa["rtb"], DestinationCidrBlock="10.2.0.0/16", VpcPeeringConnectionId=pcx)
b_ec2.create_route(RouteTableId=wb["rtb"], DestinationCidrBlock="10.1.0.0/16", VpcPeeringConnectionId=pcx)

for i, account in enumerate(extra):
    vpc_with_instance(client("ec2", **assume(account)), f"10.{100 + i}.0.0/16", f"10.{100 + i}.1.0/24", [])

closed = extra[:CLOSED]
for account in closed:
    org.close_account(AccountId=account)

print(
    json.dumps(
        {
            "management": "123456789012",
            "network": network,
            "a": a,
            "b": b,
            "extra": extra,
            "closed": closed,
            "tgw": tgw,
            "pcx": pcx,
            "net": n,
            "wa": wa,
            "wb": wb,
        }
    )
)
