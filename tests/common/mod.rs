//! A tiny builder of `aws ec2 describe-*` JSON documents for tests, loaded
//! through the real loader (`vpcreach::snapshot::load_documents`).
//!
//! Every helper prints the fields the AWS CLI prints for the resource (the
//! ones the analyzer reads and a few it ignores), so the tests exercise the
//! loader on realistic shapes.

#![allow(dead_code)]

use serde_json::{json, Value};
use vpcreach::analysis::{path, PathAnalysis, PathQuery, ProtocolChoice};
use vpcreach::model::Network;
use vpcreach::topology::Topology;

pub const OWNER: &str = "111122223333";

#[derive(Clone, Debug, Default)]
pub struct Snap {
    pub vpcs: Vec<Value>,
    pub subnets: Vec<Value>,
    pub route_tables: Vec<Value>,
    pub acls: Vec<Value>,
    pub sgs: Vec<Value>,
    pub igws: Vec<Value>,
    pub eigws: Vec<Value>,
    pub nats: Vec<Value>,
    pub enis: Vec<Value>,
    pub reservations: Vec<Value>,
    pub addresses: Vec<Value>,
    pub peerings: Vec<Value>,
    pub prefix_lists: Vec<Value>,
    /// Other documents, as (file name, top-level key, item): transit
    /// gateways, VPN gateways, endpoints, … (see [`Snap::item`]).
    pub others: Vec<(String, String, Value)>,
    /// (file name, top-level key) printed even with no item, as the CLI
    /// prints an empty list (`{"VpnConnections": []}`).
    pub described: Vec<(String, String)>,
    /// Whole documents written as they are, as (file name, JSON): output
    /// that is one object, not a list (`VpcBlockPublicAccessOptions`).
    pub raw: Vec<(String, Value)>,
}

impl Snap {
    pub fn new() -> Self {
        Snap::default()
    }

    /// The describe-* documents, one per resource type, as (file name, JSON).
    pub fn docs(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let mut add = |file: &str, key: &str, items: &Vec<Value>| {
            if !items.is_empty() {
                out.push((
                    file.to_string(),
                    serde_json::to_string(&json!({ key: items })).unwrap(),
                ));
            }
        };
        add("vpcs.json", "Vpcs", &self.vpcs);
        add("subnets.json", "Subnets", &self.subnets);
        add("route-tables.json", "RouteTables", &self.route_tables);
        add("network-acls.json", "NetworkAcls", &self.acls);
        add("security-groups.json", "SecurityGroups", &self.sgs);
        add("internet-gateways.json", "InternetGateways", &self.igws);
        add(
            "egress-only-internet-gateways.json",
            "EgressOnlyInternetGateways",
            &self.eigws,
        );
        add("nat-gateways.json", "NatGateways", &self.nats);
        add("network-interfaces.json", "NetworkInterfaces", &self.enis);
        add("instances.json", "Reservations", &self.reservations);
        add("addresses.json", "Addresses", &self.addresses);
        add(
            "vpc-peering-connections.json",
            "VpcPeeringConnections",
            &self.peerings,
        );
        add("prefix-lists.json", "PrefixLists", &self.prefix_lists);
        let mut files: Vec<(&str, &str)> = Vec::new();
        for (file, key, _) in &self.others {
            if !files.contains(&(file.as_str(), key.as_str())) {
                files.push((file, key));
            }
        }
        for (file, key) in files {
            let items: Vec<Value> = self
                .others
                .iter()
                .filter(|(f, k, _)| f == file && k == key)
                .map(|(_, _, v)| v.clone())
                .collect();
            add(file, key, &items);
        }
        for (file, doc) in &self.raw {
            out.push((file.clone(), serde_json::to_string(doc).unwrap()));
        }
        for (file, key) in &self.described {
            if !out.iter().any(|(f, _)| f == file) {
                out.push((
                    file.clone(),
                    serde_json::to_string(&json!({ key: [] })).unwrap(),
                ));
            }
        }
        out
    }

    pub fn network(&self) -> Network {
        let docs = self.docs();
        let snap =
            vpcreach::snapshot::load_documents(docs.iter().map(|(n, t)| (n.as_str(), t.as_str())))
                .expect("generated snapshot loads");
        snap.network
    }

    /// One item of any other describe-* document, e.g.
    /// `item("vpn-gateways.json", "VpnGateways", json!({...}))`.
    pub fn item(&mut self, file: &str, key: &str, item: Value) -> &mut Self {
        self.others.push((file.into(), key.into(), item));
        self
    }

    /// Make a VPC (or subnet) dual-stack: add an associated IPv6 CIDR.
    pub fn ipv6_cidr(&mut self, id: &str, cidr: &str) -> &mut Self {
        let assoc = json!({
            "AssociationId": format!("{id}-v6-assoc"),
            "Ipv6CidrBlock": cidr,
            "Ipv6CidrBlockState": {"State": "associated"}
        });
        for v in self.vpcs.iter_mut().chain(self.subnets.iter_mut()) {
            if v["VpcId"] == id && v.get("SubnetId").is_none() || v["SubnetId"] == id {
                v["Ipv6CidrBlockAssociationSet"] = json!([assoc.clone()]);
            }
        }
        self
    }

    /// Give an ENI an IPv6 address.
    pub fn ipv6_address(&mut self, eni: &str, addr: &str) -> &mut Self {
        for e in &mut self.enis {
            if e["NetworkInterfaceId"] == eni {
                e["Ipv6Addresses"] = json!([{"Ipv6Address": addr, "IsPrimaryIpv6": false}]);
            }
        }
        self
    }

    /// An egress-only internet gateway, attached to `vpc`.
    pub fn eigw(&mut self, id: &str, vpc: &str) -> &mut Self {
        self.eigws.push(json!({
            "Attachments": [{"State": "attached", "VpcId": vpc}],
            "EgressOnlyInternetGatewayId": id,
            "Tags": []
        }));
        self
    }

    pub fn vpc(&mut self, id: &str, cidr: &str) -> &mut Self {
        self.vpcs.push(json!({
            "CidrBlock": cidr,
            "DhcpOptionsId": "dopt-0aaa",
            "State": "available",
            "VpcId": id,
            "OwnerId": OWNER,
            "InstanceTenancy": "default",
            "CidrBlockAssociationSet": [{
                "AssociationId": format!("{id}-cidr-assoc"),
                "CidrBlock": cidr,
                "CidrBlockState": {"State": "associated"}
            }],
            "IsDefault": false,
            "Tags": [{"Key": "Name", "Value": id}]
        }));
        self
    }

    pub fn subnet(&mut self, id: &str, vpc: &str, cidr: &str) -> &mut Self {
        self.subnets.push(json!({
            "AvailabilityZone": "us-east-1a",
            "AvailabilityZoneId": "use1-az1",
            "AvailableIpAddressCount": 250,
            "CidrBlock": cidr,
            "DefaultForAz": false,
            "MapPublicIpOnLaunch": false,
            "State": "available",
            "SubnetId": id,
            "VpcId": vpc,
            "OwnerId": OWNER,
            "AssignIpv6AddressOnCreation": false,
            "Ipv6CidrBlockAssociationSet": [],
            "SubnetArn": format!("arn:aws:ec2:us-east-1:{OWNER}:subnet/{id}")
        }));
        self
    }

    /// A route table: `main` marks the VPC's main table; `subnets` are the
    /// explicit associations. The local route for `vpc_cidr` comes first.
    pub fn route_table(
        &mut self,
        id: &str,
        vpc: &str,
        vpc_cidr: &str,
        main: bool,
        subnets: &[&str],
        routes: Vec<Value>,
    ) -> &mut Self {
        let mut assoc: Vec<Value> = subnets
            .iter()
            .enumerate()
            .map(|(i, s)| {
                json!({
                    "Main": false,
                    "RouteTableAssociationId": format!("rtbassoc-{id}-{i}"),
                    "RouteTableId": id,
                    "SubnetId": s,
                    "AssociationState": {"State": "associated"}
                })
            })
            .collect();
        if main {
            assoc.push(json!({
                "Main": true,
                "RouteTableAssociationId": format!("rtbassoc-{id}-main"),
                "RouteTableId": id,
                "AssociationState": {"State": "associated"}
            }));
        }
        let mut all = vec![json!({
            "DestinationCidrBlock": vpc_cidr,
            "GatewayId": "local",
            "Origin": "CreateRouteTable",
            "State": "active"
        })];
        all.extend(routes);
        self.route_tables.push(json!({
            "Associations": assoc,
            "PropagatingVgws": [],
            "RouteTableId": id,
            "Routes": all,
            "Tags": [],
            "VpcId": vpc,
            "OwnerId": OWNER
        }));
        self
    }

    /// A network ACL. The `*` deny entries are appended as AWS prints them.
    pub fn acl(
        &mut self,
        id: &str,
        vpc: &str,
        is_default: bool,
        subnets: &[&str],
        entries: Vec<Value>,
    ) -> &mut Self {
        let mut all = entries;
        for egress in [true, false] {
            all.push(json!({
                "CidrBlock": "0.0.0.0/0",
                "Egress": egress,
                "Protocol": "-1",
                "RuleAction": "deny",
                "RuleNumber": 32767
            }));
        }
        self.acls.push(json!({
            "Associations": subnets.iter().enumerate().map(|(i, s)| json!({
                "NetworkAclAssociationId": format!("aclassoc-{id}-{i}"),
                "NetworkAclId": id,
                "SubnetId": s
            })).collect::<Vec<_>>(),
            "Entries": all,
            "IsDefault": is_default,
            "NetworkAclId": id,
            "Tags": [],
            "VpcId": vpc,
            "OwnerId": OWNER
        }));
        self
    }

    pub fn sg(
        &mut self,
        id: &str,
        vpc: &str,
        ingress: Vec<Value>,
        egress: Vec<Value>,
    ) -> &mut Self {
        self.sgs.push(json!({
            "Description": format!("{id} test group"),
            "GroupName": id,
            "IpPermissions": ingress,
            "OwnerId": OWNER,
            "GroupId": id,
            "IpPermissionsEgress": egress,
            "VpcId": vpc
        }));
        self
    }

    /// An IGW; `vpc` = None for a detached one.
    pub fn igw(&mut self, id: &str, vpc: Option<&str>) -> &mut Self {
        let attachments: Vec<Value> = vpc
            .map(|v| vec![json!({"State": "available", "VpcId": v})])
            .unwrap_or_default();
        self.igws.push(json!({
            "Attachments": attachments,
            "InternetGatewayId": id,
            "OwnerId": OWNER,
            "Tags": []
        }));
        self
    }

    /// A NAT gateway with its requester-managed ENI (when `eni` is given).
    #[allow(clippy::too_many_arguments)]
    pub fn nat(
        &mut self,
        id: &str,
        vpc: &str,
        subnet: &str,
        private_ip: &str,
        public_ip: Option<&str>,
        state: &str,
        eni: Option<&str>,
    ) -> &mut Self {
        let mut addr = json!({
            "AllocationId": format!("eipalloc-{id}"),
            "NetworkInterfaceId": eni.unwrap_or("eni-0natmissing"),
            "PrivateIp": private_ip,
            "IsPrimary": true,
            "Status": "succeeded"
        });
        if let Some(p) = public_ip {
            addr["PublicIp"] = json!(p);
        } else {
            addr.as_object_mut().unwrap().remove("AllocationId");
        }
        self.nats.push(json!({
            "CreateTime": "2024-01-01T00:00:00.000Z",
            "NatGatewayAddresses": [addr],
            "NatGatewayId": id,
            "State": state,
            "SubnetId": subnet,
            "VpcId": vpc,
            "Tags": [],
            "ConnectivityType": if public_ip.is_some() { "public" } else { "private" }
        }));
        if let Some(eni) = eni {
            let mut ip = json!({"Primary": true, "PrivateIpAddress": private_ip});
            let mut e = json!({
                "AvailabilityZone": "us-east-1a",
                "Description": format!("Interface for NAT Gateway {id}"),
                "Groups": [],
                "InterfaceType": "nat_gateway",
                "Ipv6Addresses": [],
                "MacAddress": "0a:00:00:00:00:01",
                "NetworkInterfaceId": eni,
                "OwnerId": OWNER,
                "PrivateIpAddress": private_ip,
                "RequesterId": "036872051663",
                "RequesterManaged": true,
                "SourceDestCheck": false,
                "Status": "in-use",
                "SubnetId": subnet,
                "TagSet": [],
                "VpcId": vpc
            });
            if let Some(p) = public_ip {
                let assoc = json!({"IpOwnerId": OWNER, "PublicIp": p, "AllocationId": format!("eipalloc-{id}")});
                ip["Association"] = assoc.clone();
                e["Association"] = assoc;
            }
            e["PrivateIpAddresses"] = json!([ip]);
            self.enis.push(e);
        }
        self
    }

    /// An instance with one ENI (describe-instances + describe-network-interfaces).
    pub fn instance(
        &mut self,
        inst: &str,
        eni: &str,
        subnet: &str,
        vpc: &str,
        ip: &str,
        sgs: &[&str],
    ) -> &mut Self {
        self.instance_full(InstanceSpec {
            instance: inst.into(),
            eni: eni.into(),
            subnet: subnet.into(),
            vpc: vpc.into(),
            ips: vec![(ip.into(), None)],
            sgs: sgs.iter().map(|s| s.to_string()).collect(),
            state: "running".into(),
            attached: true,
            source_dest_check: true,
        })
    }

    pub fn instance_full(&mut self, s: InstanceSpec) -> &mut Self {
        let groups: Vec<Value> = s
            .sgs
            .iter()
            .map(|g| json!({"GroupId": g, "GroupName": g}))
            .collect();
        let ips: Vec<Value> = s
            .ips
            .iter()
            .enumerate()
            .map(|(i, (ip, public))| {
                let mut v = json!({
                    "Primary": i == 0,
                    "PrivateDnsName": format!("ip-{}.ec2.internal", ip.replace('.', "-")),
                    "PrivateIpAddress": ip
                });
                if let Some(p) = public {
                    v["Association"] =
                        json!({"IpOwnerId": "amazon", "PublicIp": p, "PublicDnsName": ""});
                }
                v
            })
            .collect();
        let primary = s.ips[0].0.clone();
        let mut eni = json!({
            "AvailabilityZone": "us-east-1a",
            "Description": "",
            "Groups": groups,
            "InterfaceType": "interface",
            "Ipv6Addresses": [],
            "MacAddress": "0a:00:00:00:00:02",
            "NetworkInterfaceId": s.eni,
            "OwnerId": OWNER,
            "PrivateDnsName": format!("ip-{}.ec2.internal", primary.replace('.', "-")),
            "PrivateIpAddress": primary,
            "PrivateIpAddresses": ips,
            "RequesterManaged": false,
            "SourceDestCheck": s.source_dest_check,
            "Status": if s.attached { "in-use" } else { "available" },
            "SubnetId": s.subnet,
            "TagSet": [],
            "VpcId": s.vpc
        });
        if let Some(p) = &s.ips[0].1 {
            eni["Association"] = json!({"IpOwnerId": "amazon", "PublicIp": p, "PublicDnsName": ""});
        }
        if s.attached {
            eni["Attachment"] = json!({
                "AttachTime": "2024-01-01T00:00:00.000Z",
                "AttachmentId": format!("eni-attach-{}", s.eni),
                "DeleteOnTermination": true,
                "DeviceIndex": 0,
                "NetworkCardIndex": 0,
                "InstanceId": s.instance,
                "InstanceOwnerId": OWNER,
                "Status": "attached"
            });
        }
        self.enis.push(eni.clone());
        if s.attached {
            let code = match s.state.as_str() {
                "running" => 16,
                "stopped" => 80,
                "terminated" => 48,
                "pending" => 0,
                _ => 64,
            };
            let mut inst_eni = eni;
            inst_eni.as_object_mut().unwrap().remove("TagSet");
            inst_eni.as_object_mut().unwrap().remove("RequesterManaged");
            inst_eni.as_object_mut().unwrap().remove("InterfaceType");
            self.reservations.push(json!({
                "Groups": [],
                "OwnerId": OWNER,
                "ReservationId": format!("r-{}", s.instance),
                "Instances": [{
                    "AmiLaunchIndex": 0,
                    "ImageId": "ami-0abcdef1234567890",
                    "InstanceId": s.instance,
                    "InstanceType": "t3.micro",
                    "LaunchTime": "2024-01-01T00:00:00.000Z",
                    "Placement": {"AvailabilityZone": "us-east-1a", "Tenancy": "default"},
                    "PrivateIpAddress": primary,
                    "State": {"Code": code, "Name": s.state},
                    "SubnetId": s.subnet,
                    "VpcId": s.vpc,
                    "NetworkInterfaces": [inst_eni],
                    "SecurityGroups": s.sgs.iter().map(|g| json!({"GroupId": g, "GroupName": g})).collect::<Vec<_>>(),
                    "SourceDestCheck": s.source_dest_check,
                    "Tags": [{"Key": "Name", "Value": s.instance}]
                }]
            }));
        }
        self
    }

    /// An Elastic IP associated with an ENI's private address.
    pub fn eip(&mut self, public: &str, eni: &str, private: &str) -> &mut Self {
        self.addresses.push(json!({
            "AllocationId": format!("eipalloc-{}", public.replace('.', "")),
            "AssociationId": format!("eipassoc-{}", public.replace('.', "")),
            "Domain": "vpc",
            "NetworkInterfaceId": eni,
            "NetworkInterfaceOwnerId": OWNER,
            "PrivateIpAddress": private,
            "PublicIp": public,
            "PublicIpv4Pool": "amazon"
        }));
        self
    }

    pub fn peering(
        &mut self,
        id: &str,
        requester: (&str, &str),
        accepter: (&str, &str),
        status: &str,
    ) -> &mut Self {
        let side = |(vpc, cidr): (&str, &str)| {
            json!({
                "CidrBlock": cidr,
                "CidrBlockSet": [{"CidrBlock": cidr}],
                "OwnerId": OWNER,
                "PeeringOptions": {"AllowDnsResolutionFromRemoteVpc": false},
                "VpcId": vpc,
                "Region": "us-east-1"
            })
        };
        self.peerings.push(json!({
            "AccepterVpcInfo": side(accepter),
            "RequesterVpcInfo": side(requester),
            "Status": {"Code": status, "Message": status},
            "Tags": [],
            "VpcPeeringConnectionId": id
        }));
        self
    }

    /// A managed prefix list with its entries (`None` = metadata only).
    pub fn prefix_list(&mut self, id: &str, cidrs: Option<&[&str]>) -> &mut Self {
        let mut v = json!({
            "PrefixListId": id,
            "PrefixListName": format!("{id}-name"),
            "AddressFamily": "IPv4",
            "MaxEntries": 10,
            "OwnerId": OWNER,
            "State": "create-complete"
        });
        if let Some(c) = cidrs {
            v["Cidrs"] = json!(c);
        }
        self.prefix_lists.push(v);
        self
    }
}

#[derive(Clone, Debug)]
pub struct InstanceSpec {
    pub instance: String,
    pub eni: String,
    pub subnet: String,
    pub vpc: String,
    /// (private, public) — the first is primary.
    pub ips: Vec<(String, Option<String>)>,
    pub sgs: Vec<String>,
    pub state: String,
    pub attached: bool,
    pub source_dest_check: bool,
}

// ----------------------------------------------------------------- entries

/// A NACL entry. `proto` is the IANA number as AWS prints it ("6", "-1").
pub fn nacl(
    rule: i64,
    egress: bool,
    proto: &str,
    action: &str,
    cidr: &str,
    ports: Option<(i64, i64)>,
    icmp: Option<(i64, i64)>,
) -> Value {
    let family = if cidr.contains(':') {
        "Ipv6CidrBlock"
    } else {
        "CidrBlock"
    };
    let mut v = json!({
        family: cidr,
        "Egress": egress,
        "Protocol": proto,
        "RuleAction": action,
        "RuleNumber": rule
    });
    if let Some((from, to)) = ports {
        v["PortRange"] = json!({"From": from, "To": to});
    }
    if let Some((ty, code)) = icmp {
        v["IcmpTypeCode"] = json!({"Code": code, "Type": ty});
    }
    v
}

/// Allow everything both ways with rule 100 (the default ACL's rules).
pub fn nacl_allow_all() -> Vec<Value> {
    vec![
        nacl(100, true, "-1", "allow", "0.0.0.0/0", None, None),
        nacl(100, false, "-1", "allow", "0.0.0.0/0", None, None),
    ]
}

fn perm(proto: &str, ports: Option<(i64, i64)>) -> Value {
    let mut v = json!({
        "IpProtocol": proto,
        "IpRanges": [],
        "Ipv6Ranges": [],
        "PrefixListIds": [],
        "UserIdGroupPairs": []
    });
    if let Some((from, to)) = ports {
        v["FromPort"] = json!(from);
        v["ToPort"] = json!(to);
    }
    v
}

/// An SG permission with a CIDR peer. `ports` is (FromPort, ToPort); for
/// ICMP (type, code).
pub fn sg_cidr(proto: &str, ports: Option<(i64, i64)>, cidr: &str) -> Value {
    let mut v = perm(proto, ports);
    if cidr.contains(':') {
        v["Ipv6Ranges"] = json!([{ "CidrIpv6": cidr }]);
    } else {
        v["IpRanges"] = json!([{ "CidrIp": cidr }]);
    }
    v
}

/// An SG permission naming another group (optionally across a peering).
pub fn sg_ref(
    proto: &str,
    ports: Option<(i64, i64)>,
    group: &str,
    peer: Option<(&str, &str)>,
) -> Value {
    let mut v = perm(proto, ports);
    let mut pair = json!({"GroupId": group, "UserId": OWNER});
    if let Some((vpc, pcx)) = peer {
        pair["VpcId"] = json!(vpc);
        pair["VpcPeeringConnectionId"] = json!(pcx);
        pair["PeeringStatus"] = json!("active");
    }
    v["UserIdGroupPairs"] = json!([pair]);
    v
}

pub fn sg_pl(proto: &str, ports: Option<(i64, i64)>, pl: &str) -> Value {
    let mut v = perm(proto, ports);
    v["PrefixListIds"] = json!([{"PrefixListId": pl}]);
    v
}

pub fn sg_allow_all_out() -> Vec<Value> {
    vec![sg_cidr("-1", None, "0.0.0.0/0")]
}

/// A route. `target` is the describe-route-tables field name and id,
/// e.g. ("GatewayId", "igw-1"), ("NatGatewayId", "nat-1").
pub fn route(dest: &str, target: (&str, &str), state: &str) -> Value {
    let mut v = json!({"Origin": "CreateRoute", "State": state});
    if dest.starts_with("pl-") {
        v["DestinationPrefixListId"] = json!(dest);
    } else if dest.contains(':') {
        v["DestinationIpv6CidrBlock"] = json!(dest);
    } else {
        v["DestinationCidrBlock"] = json!(dest);
    }
    v[target.0] = json!(target.1);
    if target.0 == "NetworkInterfaceId" {
        v["InstanceOwnerId"] = json!(OWNER);
    }
    v
}

// ------------------------------------------------------------------ queries

pub fn query(source: &str, destination: &str, proto: u8, dport: Option<(u16, u16)>) -> PathQuery {
    PathQuery {
        source: source.into(),
        destination: destination.into(),
        protocol: ProtocolChoice::Number(proto),
        dport,
        sport: None,
        source_ip: None,
        destination_ip: None,
    }
}

pub fn analyze(net: &Network, q: &PathQuery) -> PathAnalysis {
    let topo = Topology::new(net);
    path::analyze(&topo, q).expect("endpoints resolve")
}

/// (code, on return path, component ids) of every explanation.
pub fn explanations(a: &PathAnalysis) -> Vec<(&'static str, bool, Vec<String>)> {
    a.explanations
        .iter()
        .map(|e| {
            (
                e.code.as_str(),
                e.on_return_path,
                e.components.iter().map(|(_, c)| c.id.clone()).collect(),
            )
        })
        .collect()
}

/// The audit of every ENI pair (docs/scopes/all-eni-pairs.json) of `net`.
pub fn all_pairs_audit(net: &Network) -> vpcreach::audit::AuditResult {
    let topo = vpcreach::topology::Topology::new(net);
    let text = std::fs::read_to_string("docs/scopes/all-eni-pairs.json").unwrap();
    let scope = vpcreach::snapshot::scope_shapes::parse_scope(
        std::path::Path::new("all-eni-pairs.json"),
        &text,
        "all-eni-pairs",
    )
    .unwrap();
    vpcreach::audit::audit(&topo, &scope).expect("audit runs")
}
