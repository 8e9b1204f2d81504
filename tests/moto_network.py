"""Builds the pull-test network in a running moto server through the EC2 API.

Usage: python moto_network.py ENDPOINT_URL
Prints a JSON object mapping role names (web, app, db, peer, ...) to the ids
moto assigned. The same network, written by hand as AWS CLI JSON, is
fixtures/moto-network/ (tests/pull_moto.rs compares verdicts on both).

VPC A 10.0.0.0/16 (IGW; peered with B)
  public  10.0.1.0/24  rt: 0/0 -> igw, 10.1/16 -> pcx      web (public IP, sg-web)
  private 10.0.2.0/24  rt: 0/0 -> nat, 10.1/16 -> pcx      app (sg-app)
  data    10.0.3.0/24  rt: main (local only), NACL data    db  (sg-db)
  NAT gateway in public, with an Elastic IP (moto: at a 10.x address
  outside the subnet, see below)
  sg-web: tcp/443 from 0.0.0.0/0, tcp/22 from 203.0.113.0/24
  sg-app: tcp/8080 from sg-web
  sg-db:  tcp/5432 from sg-app and from sg-web
  NACL data: in 90 deny tcp/5432 from 10.0.1.0/24, in 100 allow tcp/5432
             from 10.0.0.0/16, out 100 allow tcp/1024-65535 to 10.0.0.0/16
  private rt also: 10.2/16 -> tgw, S3 prefix list -> gateway endpoint
VPC B 10.1.0.0/16 (VGW with a VPN connection)
  peer    10.1.1.0/24  rt: 10.0/16 -> pcx, 192.168/16 -> vgw  peer (sg-peer)
  sg-peer: tcp/443 from 10.0.0.0/16
VPC C 10.2.0.0/16
  far     10.2.1.0/24  rt: 10.0/16 -> tgw                  far (sg-far)
  sg-far: tcp/443 from 10.0.0.0/16
Transit gateway hub: VPC attachments a (private subnet) and c (far
subnet), both associated with and propagating to its default route table
Load balancer web-alb (elbv2, application, internet-facing) in public and
  public-b 10.0.4.0/24 (us-east-1b, public rt), sg-alb: tcp/80 from 0.0.0.0/0;
  listener HTTP:80 -> app-tg (instance, HTTP 8080): app and web registered;
  sg-app also allows tcp/8080 from sg-alb (web's sg-web does not)
Classic load balancer batch-clb (internet-facing) in public, sg-alb;
  listener HTTP:80 -> instance port 8080: app registered
"""

import ipaddress
import json
import sys
import urllib.request

import boto3

endpoint = sys.argv[1]
# moto draws ids and addresses from one random generator: seeding it makes
# the network the same on every run (the NAT gateway's address included).
urllib.request.urlopen(
    urllib.request.Request(f"{endpoint}/moto-api/seed?a=20261123", method="POST")
).read()


def client(service):
    """A boto3 client of the moto server (EC2, elbv2 and elb share it)."""
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


ec2 = client("ec2")
AMI = "ami-03cf127a"
ids = {}


def name(resource_id, value):
    ec2.create_tags(Resources=[resource_id], Tags=[{"Key": "Name", "Value": value}])


def vpc(role, cidr):
    v = ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
    name(v, role)
    ids[role] = v
    return v


def subnet(role, vpc_id, cidr):
    s = ec2.create_subnet(VpcId=vpc_id, CidrBlock=cidr, AvailabilityZone="us-east-1a")
    s = s["Subnet"]["SubnetId"]
    name(s, role)
    ids[role] = s
    return s


def route_table(role, vpc_id, subnet_id, routes):
    rt = ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
    name(rt, role)
    for r in routes:
        ec2.create_route(RouteTableId=rt, **r)
    ec2.associate_route_table(RouteTableId=rt, SubnetId=subnet_id)
    ids[role] = rt
    return rt


def sg(role, vpc_id, ingress):
    g = ec2.create_security_group(GroupName=role, Description=role, VpcId=vpc_id)
    g = g["GroupId"]
    name(g, role)
    if ingress:
        ec2.authorize_security_group_ingress(GroupId=g, IpPermissions=ingress)
    ids[role] = g
    return g


def tcp(port, cidrs=(), groups=()):
    return {
        "IpProtocol": "tcp",
        "FromPort": port,
        "ToPort": port,
        "IpRanges": [{"CidrIp": c} for c in cidrs],
        "UserIdGroupPairs": [{"GroupId": g} for g in groups],
    }


def instance(role, subnet_id, group, public):
    i = ec2.run_instances(
        ImageId=AMI,
        MinCount=1,
        MaxCount=1,
        InstanceType="t3.micro",
        NetworkInterfaces=[
            {
                "DeviceIndex": 0,
                "SubnetId": subnet_id,
                "Groups": [group],
                "AssociatePublicIpAddress": public,
            }
        ],
    )["Instances"][0]
    name(i["InstanceId"], role)
    ids[role] = i["InstanceId"]
    return i


a = vpc("vpc-a", "10.0.0.0/16")
b = vpc("vpc-b", "10.1.0.0/16")
public = subnet("public", a, "10.0.1.0/24")
private = subnet("private", a, "10.0.2.0/24")
data = subnet("data", a, "10.0.3.0/24")
peer_subnet = subnet("peer-subnet", b, "10.1.1.0/24")

igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=a)
name(igw, "igw")
ids["igw"] = igw

pcx = ec2.create_vpc_peering_connection(VpcId=a, PeerVpcId=b)
pcx = pcx["VpcPeeringConnection"]["VpcPeeringConnectionId"]
ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
name(pcx, "a-b")
ids["pcx"] = pcx

eip = ec2.allocate_address(Domain="vpc")["AllocationId"]
nat = ec2.create_nat_gateway(SubnetId=public, AllocationId=eip)["NatGateway"]["NatGatewayId"]
name(nat, "nat")
ids["nat"] = nat
# moto gives a NAT gateway a random 10.x.y.z address, not one of its subnet's
# (real EC2 does; CreateNatGateway's PrivateIpAddress is ignored), and
# fixtures/moto-network/ writes the same. An address inside either VPC would
# be a different network: say so rather than compare against the fixture.
nat_ip = ec2.describe_nat_gateways(NatGatewayIds=[nat])["NatGateways"][0][
    "NatGatewayAddresses"
][0]["PrivateIp"]
ids["nat-ip"] = nat_ip
for cidr in ("10.0.0.0/16", "10.1.0.0/16"):
    if ipaddress.ip_address(nat_ip) in ipaddress.ip_network(cidr):
        sys.exit(f"moto put the NAT gateway at {nat_ip}, inside {cidr}: change the seed")

route_table(
    "public-rt",
    a,
    public,
    [
        {"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": igw},
        {"DestinationCidrBlock": "10.1.0.0/16", "VpcPeeringConnectionId": pcx},
    ],
)
route_table(
    "private-rt",
    a,
    private,
    [
        {"DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": nat},
        {"DestinationCidrBlock": "10.1.0.0/16", "VpcPeeringConnectionId": pcx},
    ],
)
route_table(
    "peer-rt",
    b,
    peer_subnet,
    [{"DestinationCidrBlock": "10.0.0.0/16", "VpcPeeringConnectionId": pcx}],
)

acl = ec2.create_network_acl(VpcId=a)["NetworkAcl"]["NetworkAclId"]
name(acl, "data-acl")
ids["data-acl"] = acl
for number, egress, action, cidr, ports in [
    (90, False, "deny", "10.0.1.0/24", (5432, 5432)),
    (100, False, "allow", "10.0.0.0/16", (5432, 5432)),
    (100, True, "allow", "10.0.0.0/16", (1024, 65535)),
]:
    ec2.create_network_acl_entry(
        NetworkAclId=acl,
        RuleNumber=number,
        Protocol="6",
        RuleAction=action,
        Egress=egress,
        CidrBlock=cidr,
        PortRange={"From": ports[0], "To": ports[1]},
    )
current = ec2.describe_network_acls(
    Filters=[{"Name": "association.subnet-id", "Values": [data]}]
)["NetworkAcls"][0]
association = next(
    x["NetworkAclAssociationId"] for x in current["Associations"] if x["SubnetId"] == data
)
ec2.replace_network_acl_association(AssociationId=association, NetworkAclId=acl)

web_sg = sg(
    "sg-web",
    a,
    [tcp(443, cidrs=["0.0.0.0/0"]), tcp(22, cidrs=["203.0.113.0/24"])],
)
app_sg = sg("sg-app", a, [tcp(8080, groups=[web_sg])])
db_sg = sg("sg-db", a, [tcp(5432, groups=[app_sg, web_sg])])
peer_sg = sg("sg-peer", b, [tcp(443, cidrs=["10.0.0.0/16"])])

instance("web", public, web_sg, True)
instance("app", private, app_sg, False)
instance("db", data, db_sg, False)
instance("peer", peer_subnet, peer_sg, False)

# VPC C behind a transit gateway (both VPC attachments propagate to its
# default route table; attachments in app's and far's subnets).
c = vpc("vpc-c", "10.2.0.0/16")
far_subnet = subnet("far-subnet", c, "10.2.1.0/24")
tgw = ec2.create_transit_gateway(Description="hub")["TransitGateway"]["TransitGatewayId"]
name(tgw, "hub")
ids["tgw"] = tgw
att = {}
for role, vpc_id, subnet_id in [("att-a", a, private), ("att-c", c, far_subnet)]:
    att[role] = ec2.create_transit_gateway_vpc_attachment(
        TransitGatewayId=tgw, VpcId=vpc_id, SubnetIds=[subnet_id]
    )["TransitGatewayVpcAttachment"]["TransitGatewayAttachmentId"]
    name(att[role], role)
    ids[role] = att[role]
tgw_rtb = ec2.describe_transit_gateways(TransitGatewayIds=[tgw])["TransitGateways"][0][
    "Options"
]["AssociationDefaultRouteTableId"]
ids["tgw-rtb"] = tgw_rtb
# Propagation, not static routes: moto lists static TGW routes without their
# attachment (an empty TransitGatewayAttachments), which real EC2 never does.
for role in ("att-a", "att-c"):
    ec2.enable_transit_gateway_route_table_propagation(
        TransitGatewayRouteTableId=tgw_rtb, TransitGatewayAttachmentId=att[role]
    )
ec2.create_route(
    RouteTableId=ids["private-rt"], DestinationCidrBlock="10.2.0.0/16", TransitGatewayId=tgw
)
route_table(
    "far-rt", c, far_subnet, [{"DestinationCidrBlock": "10.0.0.0/16", "TransitGatewayId": tgw}]
)
far_sg = sg("sg-far", c, [tcp(443, cidrs=["10.0.0.0/16"])])
instance("far", far_subnet, far_sg, False)

# A virtual private gateway on VPC B with a VPN connection (moto has no
# CreateVpnConnectionRoute); on-premises
# 192.168.0.0/16 routed to it.
vgw = ec2.create_vpn_gateway(Type="ipsec.1")["VpnGateway"]["VpnGatewayId"]
ec2.attach_vpn_gateway(VpnGatewayId=vgw, VpcId=b)
name(vgw, "vgw")
ids["vgw"] = vgw
cgw = ec2.create_customer_gateway(Type="ipsec.1", PublicIp="198.51.100.1", BgpAsn=65000)
cgw = cgw["CustomerGateway"]["CustomerGatewayId"]
vpn = ec2.create_vpn_connection(
    Type="ipsec.1", CustomerGatewayId=cgw, VpnGatewayId=vgw, Options={"StaticRoutesOnly": True}
)["VpnConnection"]["VpnConnectionId"]
name(vpn, "vpn")
ids["vpn"] = vpn
ec2.create_route(
    RouteTableId=ids["peer-rt"], DestinationCidrBlock="192.168.0.0/16", GatewayId=vgw
)

# An S3 gateway endpoint on app's route table.
vpce = ec2.create_vpc_endpoint(
    VpcId=a,
    ServiceName="com.amazonaws.us-east-1.s3",
    VpcEndpointType="Gateway",
    RouteTableIds=[ids["private-rt"]],
)["VpcEndpoint"]["VpcEndpointId"]
ids["vpce-s3"] = vpce

# An internet-facing ALB in front of app (reached) and web (sg-web has no
# 8080: blocked). elbv2 is served by the same moto server (same endpoint).
elbv2 = client("elbv2")
s_b = ec2.create_subnet(VpcId=a, CidrBlock="10.0.4.0/24", AvailabilityZone="us-east-1b")
public_b = s_b["Subnet"]["SubnetId"]
name(public_b, "public-b")
ids["public-b"] = public_b
ec2.associate_route_table(RouteTableId=ids["public-rt"], SubnetId=public_b)
alb_sg = sg("sg-alb", a, [tcp(80, cidrs=["0.0.0.0/0"])])
ec2.authorize_security_group_ingress(GroupId=ids["sg-app"], IpPermissions=[tcp(8080, groups=[alb_sg])])
alb = elbv2.create_load_balancer(
    Name="web-alb",
    Subnets=[public, public_b],
    SecurityGroups=[alb_sg],
    Scheme="internet-facing",
    Type="application",
    IpAddressType="ipv4",
)["LoadBalancers"][0]
ids["alb"] = alb["LoadBalancerArn"]
tg = elbv2.create_target_group(
    Name="app-tg", Protocol="HTTP", Port=8080, VpcId=a, TargetType="instance"
)["TargetGroups"][0]["TargetGroupArn"]
ids["app-tg"] = tg
elbv2.register_targets(TargetGroupArn=tg, Targets=[{"Id": ids["app"]}, {"Id": ids["web"]}])
elbv2.create_listener(
    LoadBalancerArn=alb["LoadBalancerArn"],
    Protocol="HTTP",
    Port=80,
    DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}],
)
# moto creates no node interfaces for a load balancer; AWS creates one per
# subnet, described "ELB app/<name>/<id>", attached to the load balancer
# (InstanceOwnerId amazon-elb), with a public address when internet-facing.
# Made here with the same description, addresses and group; but moto can
# only attach an interface to an instance, so these stay detached
# ("available"), and the internet gateway maps no address to a detached
# interface (C4.3): internet -> web-alb differs from the fixture (which is
# what AWS prints), and tests/pull_moto.rs checks that difference on its own.
alb_id = alb["LoadBalancerArn"].split(":loadbalancer/", 1)[1]
for role, subnet_id, ip, public_ip in [
    ("alb-node-a", public, "10.0.1.100", "3.91.20.1"),
    ("alb-node-b", public_b, "10.0.4.100", "3.91.20.2"),
]:
    eni = ec2.create_network_interface(
        SubnetId=subnet_id, Groups=[alb_sg], PrivateIpAddress=ip, Description=f"ELB {alb_id}"
    )["NetworkInterface"]["NetworkInterfaceId"]
    ids[role] = eni
    alloc = ec2.allocate_address(Domain="vpc", Address=public_ip)["AllocationId"]
    ec2.associate_address(AllocationId=alloc, NetworkInterfaceId=eni)

# A classic load balancer in front of app (same moto server, `elb`).
elb = client("elb")
elb.create_load_balancer(
    LoadBalancerName="batch-clb",
    Listeners=[
        {"Protocol": "HTTP", "LoadBalancerPort": 80, "InstanceProtocol": "HTTP", "InstancePort": 8080}
    ],
    Subnets=[public],
    SecurityGroups=[alb_sg],
    Scheme="internet-facing",
)
elb.register_instances_with_load_balancer(
    LoadBalancerName="batch-clb", Instances=[{"InstanceId": ids["app"]}]
)
ids["clb"] = "batch-clb"
# Its node interface, as for the ALB's (described "ELB batch-clb").
eni = ec2.create_network_interface(
    SubnetId=public, Groups=[alb_sg], PrivateIpAddress="10.0.1.150", Description="ELB batch-clb"
)["NetworkInterface"]["NetworkInterfaceId"]
ids["clb-node"] = eni
alloc = ec2.allocate_address(Domain="vpc", Address="3.91.20.3")["AllocationId"]
ec2.associate_address(AllocationId=alloc, NetworkInterfaceId=eni)

json.dump(ids, sys.stdout)
