//! Proposed changes: EC2 API calls applied to a copy of the model.
//!
//! Owns: the plain-Rust form of the supported EC2 calls ([`Call`],
//! [`Request`]), applying them in order to a cloned [`Network`] with the
//! validation EC2 itself performs and EC2's own error codes ([`ApplyError`]),
//! and the configuration differences between two networks ([`diff`]).
//! Must not know: JSON, files, analyses or output formats. The snapshot
//! stage (`snapshot::change_file`) turns a change file into [`Call`]s and
//! an [`ApplyError`] into a located diagnostic.
//!
//! Resources a change creates get deterministic ids, numbered in the order
//! the calls create them: `pcx-vpcreach000000001`, `rtbassoc-vpcreach000000002`,
//! … so that a later call in the same file can name them (e.g.
//! `AcceptVpcPeeringConnection` after `CreateVpcPeeringConnection`).

pub mod diff;

use std::collections::BTreeSet;
use std::net::Ipv4Addr;

use ipnet::Ipv4Net;

use crate::model::*;

/// One call of a change file.
#[derive(Clone, Debug)]
pub struct Call {
    /// The `Action` as written, e.g. `AuthorizeSecurityGroupIngress`.
    pub action: String,
    pub request: Request,
}

/// The peer of a security group rule as a request names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PeerSpec {
    Cidr(Ipv4Net),
    Ipv6Cidr(String),
    PrefixList(String),
    Group {
        group_id: Option<String>,
        group_name: Option<String>,
        user_id: Option<String>,
        vpc_id: Option<String>,
        peering_id: Option<String>,
    },
}

/// One flattened rule of a request (one peer), with where it was written.
#[derive(Clone, Debug)]
pub struct SgRuleSpec {
    /// As written: `tcp`, `udp`, `icmp`, `icmpv6`, `-1` or a number.
    pub protocol: String,
    pub from_port: Option<i64>,
    pub to_port: Option<i64>,
    pub peer: PeerSpec,
    pub description: Option<String>,
    /// Request path of the permission (`IpPermissions[0]`, or empty for the
    /// flattened top-level `CidrIp`/`IpProtocol` form).
    pub perm_path: String,
    /// Request path of the peer (`IpPermissions[0].IpRanges[1]`, `CidrIp`).
    pub peer_path: String,
}

/// A NACL entry as `CreateNetworkAclEntry` / `ReplaceNetworkAclEntry` give it.
#[derive(Clone, Debug)]
pub struct AclEntrySpec {
    pub network_acl_id: Option<String>,
    pub rule_number: Option<i64>,
    pub egress: Option<bool>,
    pub protocol: Option<String>,
    pub rule_action: Option<String>,
    pub cidr: Option<Ipv4Net>,
    pub ipv6_cidr: Option<String>,
    pub port_range: Option<(Option<i64>, Option<i64>)>,
    pub icmp_type_code: Option<(Option<i64>, Option<i64>)>,
}

/// A route as `CreateRoute` / `ReplaceRoute` / `DeleteRoute` give it; each
/// destination and target field as written (AWS checks that exactly one of
/// each is present).
#[derive(Clone, Debug, Default)]
pub struct RouteSpec {
    pub route_table_id: Option<String>,
    pub destination_cidr: Option<Ipv4Net>,
    pub destination_ipv6_cidr: Option<String>,
    pub destination_prefix_list: Option<String>,
    /// (request field, id) for every target field present.
    pub targets: Vec<(&'static str, String)>,
    pub local_target: bool,
}

#[derive(Clone, Debug)]
pub enum Request {
    /// Authorize/RevokeSecurityGroupIngress/Egress.
    SecurityGroupRules {
        revoke: bool,
        egress: bool,
        group_id: Option<String>,
        group_name: Option<String>,
        rules: Vec<SgRuleSpec>,
        /// RevokeSecurityGroup*'s `SecurityGroupRuleIds`.
        rule_ids: Vec<String>,
    },
    ModifySecurityGroupRules {
        group_id: Option<String>,
        /// (rule id, new content).
        rules: Vec<(Option<String>, SgRuleSpec)>,
    },
    CreateNetworkAclEntry(AclEntrySpec),
    ReplaceNetworkAclEntry(AclEntrySpec),
    DeleteNetworkAclEntry {
        network_acl_id: Option<String>,
        egress: Option<bool>,
        rule_number: Option<i64>,
    },
    ReplaceNetworkAclAssociation {
        association_id: Option<String>,
        network_acl_id: Option<String>,
    },
    CreateRoute(RouteSpec),
    ReplaceRoute(RouteSpec),
    DeleteRoute(RouteSpec),
    AssociateRouteTable {
        route_table_id: Option<String>,
        subnet_id: Option<String>,
        gateway_id: Option<String>,
    },
    DisassociateRouteTable {
        association_id: Option<String>,
    },
    ReplaceRouteTableAssociation {
        association_id: Option<String>,
        route_table_id: Option<String>,
    },
    AttachInternetGateway {
        internet_gateway_id: Option<String>,
        vpc_id: Option<String>,
    },
    DetachInternetGateway {
        internet_gateway_id: Option<String>,
        vpc_id: Option<String>,
    },
    ModifyNetworkInterfaceAttribute {
        network_interface_id: Option<String>,
        groups: Option<Vec<String>>,
        source_dest_check: Option<bool>,
        /// Attributes present that do not affect reachability (Description, …).
        other_attributes: Vec<&'static str>,
    },
    AssociateAddress {
        allocation_id: Option<String>,
        public_ip: Option<Ipv4Addr>,
        instance_id: Option<String>,
        network_interface_id: Option<String>,
        private_ip: Option<Ipv4Addr>,
        allow_reassociation: bool,
    },
    DisassociateAddress {
        association_id: Option<String>,
        public_ip: Option<Ipv4Addr>,
    },
    CreateVpcPeeringConnection {
        vpc_id: Option<String>,
        peer_vpc_id: Option<String>,
        peer_owner_id: Option<String>,
        peer_region: Option<String>,
    },
    AcceptVpcPeeringConnection {
        vpc_peering_connection_id: Option<String>,
    },
    DeleteVpcPeeringConnection {
        vpc_peering_connection_id: Option<String>,
    },
}

/// A call EC2 would refuse, with EC2's error code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApplyError {
    /// 0-based position of the call in the change.
    pub index: usize,
    pub action: String,
    /// EC2's error code, e.g. `InvalidGroup.NotFound`.
    pub code: &'static str,
    pub message: String,
    /// Request path of the offending parameter (`GroupId`,
    /// `IpPermissions[0].IpRanges[0]`), empty for the call as a whole.
    pub field: String,
    /// What to do about it, when there is more to say than the message.
    pub help: Option<String>,
}

/// What one applied call did, for people.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Applied {
    pub index: usize,
    pub action: String,
    pub summary: String,
}

/// The result of applying a change.
#[derive(Clone, Debug)]
pub struct Outcome {
    pub network: Network,
    pub applied: Vec<Applied>,
    /// Parts of calls that do not affect reachability and were not modelled.
    pub notes: Vec<String>,
}

struct Err0 {
    code: &'static str,
    message: String,
    field: String,
    help: Option<String>,
}

fn err(code: &'static str, field: &str, message: impl Into<String>) -> Err0 {
    Err0 {
        code,
        message: message.into(),
        field: field.to_string(),
        help: None,
    }
}

impl Err0 {
    fn help(mut self, h: impl Into<String>) -> Self {
        self.help = Some(h.into());
        self
    }
}

type R<T> = Result<T, Err0>;

fn need<'a, T>(v: &'a Option<T>, field: &str) -> R<&'a T> {
    v.as_ref().ok_or_else(|| {
        err(
            "MissingParameter",
            field,
            format!("The request must contain the parameter {field}"),
        )
    })
}

fn join(base: &str, field: &str) -> String {
    if base.is_empty() {
        field.to_string()
    } else {
        format!("{base}.{field}")
    }
}

/// Apply `calls` in order to a copy of `base`. The first call EC2 would
/// refuse stops the application: nothing of a refused change is returned.
pub fn apply(base: &Network, calls: &[Call]) -> Result<Outcome, ApplyError> {
    let mut state = State {
        net: base.clone(),
        counter: 0,
        notes: Vec::new(),
    };
    let mut applied = Vec::new();
    for (index, call) in calls.iter().enumerate() {
        match state.apply(&call.request) {
            Ok(summary) => applied.push(Applied {
                index,
                action: call.action.clone(),
                summary,
            }),
            Err(e) => {
                return Err(ApplyError {
                    index,
                    action: call.action.clone(),
                    code: e.code,
                    message: e.message,
                    field: e.field,
                    help: e.help,
                })
            }
        }
    }
    Ok(Outcome {
        network: state.net,
        applied,
        notes: state.notes,
    })
}

struct State {
    net: Network,
    counter: u32,
    notes: Vec<String>,
}

/// A rule as the model holds it, for comparisons: direction-free content.
fn same_rule(a: &SgRule, b: &SgRule) -> bool {
    let ports = |r: &SgRule| match r.protocol {
        Protocol::All => (None, None),
        Protocol::Number(6 | 17 | 1 | 58) => (r.from_port, r.to_port),
        Protocol::Number(_) => (None, None),
    };
    let peer = |r: &SgRule| match &r.peer {
        SgPeer::Group { group_id, .. } => SgPeer::Group {
            group_id: group_id.clone(),
            vpc_id: None,
            peering_id: None,
        },
        other => other.clone(),
    };
    a.protocol == b.protocol && ports(a) == ports(b) && peer(a) == peer(b)
}

impl State {
    fn new_id(&mut self, prefix: &str) -> String {
        self.counter += 1;
        format!("{prefix}-vpcreach{:09}", self.counter)
    }

    fn apply(&mut self, req: &Request) -> R<String> {
        match req {
            Request::SecurityGroupRules {
                revoke,
                egress,
                group_id,
                group_name,
                rules,
                rule_ids,
            } => self.sg_rules(*revoke, *egress, group_id, group_name, rules, rule_ids),
            Request::ModifySecurityGroupRules { group_id, rules } => {
                self.modify_sg_rules(group_id, rules)
            }
            Request::CreateNetworkAclEntry(spec) => self.acl_entry(spec, false),
            Request::ReplaceNetworkAclEntry(spec) => self.acl_entry(spec, true),
            Request::DeleteNetworkAclEntry {
                network_acl_id,
                egress,
                rule_number,
            } => {
                let acl_id = need(network_acl_id, "NetworkAclId")?.clone();
                let egress = *need(egress, "Egress")?;
                let number = *need(rule_number, "RuleNumber")?;
                let acl = self.acl_mut(&acl_id)?;
                let before = acl.entries.len();
                acl.entries
                    .retain(|e| !(e.egress == egress && i64::from(e.rule_number) == number));
                if acl.entries.len() == before {
                    return Err(err(
                        "InvalidNetworkAclEntry.NotFound",
                        "RuleNumber",
                        format!(
                            "The network acl entry identified by {number} ({}) does not exist in {acl_id}",
                            if egress { "egress" } else { "ingress" }
                        ),
                    ));
                }
                Ok(format!(
                    "deleted {} entry {number} of {acl_id}",
                    if egress { "outbound" } else { "inbound" }
                ))
            }
            Request::ReplaceNetworkAclAssociation {
                association_id,
                network_acl_id,
            } => {
                let assoc = need(association_id, "AssociationId")?.clone();
                let acl_id = need(network_acl_id, "NetworkAclId")?.clone();
                let (old_acl, subnet) = self
                    .net
                    .network_acls
                    .values()
                    .find_map(|a| {
                        a.association_ids
                            .iter()
                            .find(|(_, id)| **id == assoc)
                            .map(|(s, _)| (a.id.clone(), s.clone()))
                    })
                    .ok_or_else(|| {
                        err(
                            "InvalidAssociationID.NotFound",
                            "AssociationId",
                            format!("The association ID '{assoc}' does not exist"),
                        )
                        .help(assoc_help(
                            "NetworkAcls[].Associations[].NetworkAclAssociationId",
                        ))
                    })?;
                let vpc = self.acl_mut(&acl_id)?.vpc_id.clone();
                let subnet_vpc = self.net.subnets.get(&subnet).map(|s| s.vpc_id.clone());
                if subnet_vpc.is_some_and(|v| v != vpc) {
                    return Err(err(
                        "InvalidParameterValue",
                        "NetworkAclId",
                        format!(
                            "Network ACL {acl_id} and subnet {subnet} belong to different networks"
                        ),
                    ));
                }
                let new_assoc = self.new_id("aclassoc");
                let old = self
                    .net
                    .network_acls
                    .get_mut(&old_acl)
                    .expect("found above");
                old.subnet_ids.retain(|s| *s != subnet);
                old.association_ids.remove(&subnet);
                let new = self.net.network_acls.get_mut(&acl_id).expect("checked");
                new.subnet_ids.push(subnet.clone());
                new.association_ids
                    .insert(subnet.clone(), new_assoc.clone());
                Ok(format!(
                    "moved {subnet} from {old_acl} to {acl_id} (new association {new_assoc})"
                ))
            }
            Request::CreateRoute(spec) => self.route(spec, RouteOp::Create),
            Request::ReplaceRoute(spec) => self.route(spec, RouteOp::Replace),
            Request::DeleteRoute(spec) => self.route(spec, RouteOp::Delete),
            Request::AssociateRouteTable {
                route_table_id,
                subnet_id,
                gateway_id,
            } => {
                let rtb = need(route_table_id, "RouteTableId")?.clone();
                let vpc = self.rtb_mut(&rtb)?.vpc_id.clone();
                let (field, target) = match (subnet_id, gateway_id) {
                    (Some(s), None) => ("SubnetId", s.clone()),
                    (None, Some(g)) => ("GatewayId", g.clone()),
                    (None, None) => {
                        return Err(err(
                            "MissingParameter",
                            "",
                            "The request must contain the parameter SubnetId or GatewayId",
                        ))
                    }
                    (Some(_), Some(_)) => {
                        return Err(err(
                            "InvalidParameterCombination",
                            "GatewayId",
                            "SubnetId and GatewayId cannot both be specified",
                        ))
                    }
                };
                if field == "SubnetId" {
                    let subnet = self.net.subnets.get(&target).ok_or_else(|| {
                        err(
                            "InvalidSubnetID.NotFound",
                            field,
                            format!("The subnet ID '{target}' does not exist"),
                        )
                    })?;
                    if subnet.vpc_id != vpc {
                        return Err(err(
                            "InvalidParameterValue",
                            field,
                            format!(
                                "Route table {rtb} and subnet {target} belong to different networks"
                            ),
                        ));
                    }
                } else if target.starts_with("igw-") {
                    self.igw(&target, field)?;
                } else if !target.starts_with("vgw-") {
                    return Err(err(
                        "InvalidParameterValue",
                        field,
                        format!("Invalid value '{target}' for GatewayId: only an internet gateway or a virtual private gateway can have an edge association"),
                    ));
                }
                if let Some(other) = self
                    .net
                    .route_tables
                    .values()
                    .find(|t| t.subnet_ids.contains(&target) || t.gateway_ids.contains(&target))
                {
                    let existing = other
                        .association_ids
                        .get(&target)
                        .cloned()
                        .unwrap_or_else(|| "an association".into());
                    return Err(err(
                        "Resource.AlreadyAssociated",
                        field,
                        format!(
                            "the specified association for route table {} conflicts with an existing association ({existing}) for {target}",
                            other.id
                        ),
                    )
                    .help("use ReplaceRouteTableAssociation with the existing association id to move it"));
                }
                let assoc = self.new_id("rtbassoc");
                let t = self.net.route_tables.get_mut(&rtb).expect("checked");
                if field == "SubnetId" {
                    t.subnet_ids.push(target.clone());
                } else {
                    t.gateway_ids.push(target.clone());
                }
                t.association_ids.insert(target.clone(), assoc.clone());
                Ok(format!("associated {target} with {rtb} ({assoc})"))
            }
            Request::DisassociateRouteTable { association_id } => {
                let assoc = need(association_id, "AssociationId")?.clone();
                let (rtb, target, main) = self.find_rtb_assoc(&assoc)?;
                if main {
                    return Err(err(
                        "InvalidParameterValue",
                        "AssociationId",
                        format!("{assoc} is the main route table association of {rtb}; it cannot be disassociated"),
                    )
                    .help("make another table the main table with ReplaceRouteTableAssociation"));
                }
                let t = self.net.route_tables.get_mut(&rtb).expect("found");
                t.subnet_ids.retain(|s| *s != target);
                t.gateway_ids.retain(|s| *s != target);
                t.association_ids.remove(&target);
                Ok(format!(
                    "disassociated {target} from {rtb}{}",
                    if target.starts_with("subnet-") {
                        " (it now uses the main route table)"
                    } else {
                        ""
                    }
                ))
            }
            Request::ReplaceRouteTableAssociation {
                association_id,
                route_table_id,
            } => {
                let assoc = need(association_id, "AssociationId")?.clone();
                let rtb = need(route_table_id, "RouteTableId")?.clone();
                let (old, target, main) = self.find_rtb_assoc(&assoc)?;
                let new_vpc = self.rtb_mut(&rtb)?.vpc_id.clone();
                let old_vpc = self.net.route_tables[&old].vpc_id.clone();
                if new_vpc != old_vpc {
                    return Err(err(
                        "InvalidParameterValue",
                        "RouteTableId",
                        format!("Route table {rtb} belongs to {new_vpc}, not {old_vpc}"),
                    ));
                }
                let new_assoc = self.new_id("rtbassoc");
                if main {
                    let o = self.net.route_tables.get_mut(&old).expect("found");
                    o.is_main = false;
                    o.main_association_id = None;
                    let n = self.net.route_tables.get_mut(&rtb).expect("checked");
                    n.is_main = true;
                    n.main_association_id = Some(new_assoc.clone());
                    return Ok(format!(
                        "made {rtb} the main route table of {new_vpc} instead of {old} ({new_assoc})"
                    ));
                }
                let o = self.net.route_tables.get_mut(&old).expect("found");
                let gateway = o.gateway_ids.contains(&target);
                o.subnet_ids.retain(|s| *s != target);
                o.gateway_ids.retain(|s| *s != target);
                o.association_ids.remove(&target);
                let n = self.net.route_tables.get_mut(&rtb).expect("checked");
                if gateway {
                    n.gateway_ids.push(target.clone());
                } else {
                    n.subnet_ids.push(target.clone());
                }
                n.association_ids.insert(target.clone(), new_assoc.clone());
                Ok(format!("moved {target} from {old} to {rtb} ({new_assoc})"))
            }
            Request::AttachInternetGateway {
                internet_gateway_id,
                vpc_id,
            } => {
                let igw = need(internet_gateway_id, "InternetGatewayId")?.clone();
                let vpc = need(vpc_id, "VpcId")?.clone();
                self.vpc(&vpc)?;
                let g = self.igw(&igw, "InternetGatewayId")?;
                if let Some((v, _)) = g.attachments.iter().find(|(_, s)| attached(s)) {
                    return Err(err(
                        "Resource.AlreadyAssociated",
                        "InternetGatewayId",
                        format!("resource {igw} is already attached to network {v}"),
                    ));
                }
                if let Some(other) = self
                    .net
                    .internet_gateways
                    .values()
                    .find(|g| g.attachments.iter().any(|(v, s)| *v == vpc && attached(s)))
                {
                    return Err(err(
                        "Resource.AlreadyAssociated",
                        "VpcId",
                        format!(
                            "Network {vpc} already has an internet gateway attached ({})",
                            other.id
                        ),
                    ));
                }
                let g = self.net.internet_gateways.get_mut(&igw).expect("checked");
                g.attachments.retain(|(v, _)| *v != vpc);
                g.attachments.push((vpc.clone(), "available".into()));
                Ok(format!("attached {igw} to {vpc}"))
            }
            Request::DetachInternetGateway {
                internet_gateway_id,
                vpc_id,
            } => {
                let igw = need(internet_gateway_id, "InternetGatewayId")?.clone();
                let vpc = need(vpc_id, "VpcId")?.clone();
                self.vpc(&vpc)?;
                let g = self.igw(&igw, "InternetGatewayId")?;
                if !g.attachments.iter().any(|(v, s)| *v == vpc && attached(s)) {
                    return Err(err(
                        "Gateway.NotAttached",
                        "VpcId",
                        format!("resource {igw} is not attached to network {vpc}"),
                    ));
                }
                let mapped: Vec<String> = self
                    .net
                    .network_interfaces
                    .values()
                    .filter(|e| e.vpc_id == vpc)
                    .flat_map(|e| e.private_ips.iter().filter_map(|p| p.public_ip))
                    .chain(
                        self.net
                            .nat_gateways
                            .values()
                            .filter(|n| n.vpc_id == vpc)
                            .flat_map(|n| n.addresses.iter().filter_map(|a| a.public_ip)),
                    )
                    .map(|ip| ip.to_string())
                    .collect::<BTreeSet<String>>()
                    .into_iter()
                    .collect();
                if !mapped.is_empty() {
                    return Err(err(
                        "DependencyViolation",
                        "InternetGatewayId",
                        format!("Network {vpc} has some mapped public address(es) ({}). Please unmap those public address(es) before detaching the gateway.", mapped.join(", ")),
                    ).help("disassociate the Elastic IPs first (DisassociateAddress); auto-assigned public IPs go only with their instances"));
                }
                let g = self.net.internet_gateways.get_mut(&igw).expect("checked");
                g.attachments.retain(|(v, _)| *v != vpc);
                Ok(format!("detached {igw} from {vpc}"))
            }
            Request::ModifyNetworkInterfaceAttribute {
                network_interface_id,
                groups,
                source_dest_check,
                other_attributes,
            } => {
                let eni_id = need(network_interface_id, "NetworkInterfaceId")?.clone();
                let eni = self.net.network_interfaces.get(&eni_id).ok_or_else(|| {
                    err(
                        "InvalidNetworkInterfaceID.NotFound",
                        "NetworkInterfaceId",
                        format!("The networkInterface ID '{eni_id}' does not exist"),
                    )
                })?;
                let count = groups.is_some() as usize
                    + source_dest_check.is_some() as usize
                    + other_attributes.len();
                if count > 1 {
                    return Err(err(
                        "InvalidParameterCombination",
                        "",
                        "Fields for multiple attribute types specified",
                    )
                    .help("one ModifyNetworkInterfaceAttribute call changes one attribute; split it into several calls"));
                }
                if count == 0 {
                    return Err(err("MissingParameter", "", "No attributes specified"));
                }
                let vpc = eni.vpc_id.clone();
                if let Some(groups) = groups {
                    if groups.is_empty() {
                        return Err(err(
                            "InvalidParameterValue",
                            "Groups",
                            "An interface must be in at least one security group",
                        ));
                    }
                    for (i, g) in groups.iter().enumerate() {
                        let field = format!("Groups[{i}]");
                        let sg = self.net.security_groups.get(g).ok_or_else(|| {
                            err(
                                "InvalidGroup.NotFound",
                                &field,
                                format!("The security group '{g}' does not exist"),
                            )
                        })?;
                        if sg.vpc_id.as_deref().is_some_and(|v| v != vpc) {
                            return Err(err(
                                "InvalidParameterValue",
                                &field,
                                format!("Security group {g} and interface {eni_id} belong to different networks"),
                            ));
                        }
                    }
                    let e = self
                        .net
                        .network_interfaces
                        .get_mut(&eni_id)
                        .expect("checked");
                    let old = std::mem::replace(&mut e.group_ids, groups.clone());
                    return Ok(format!(
                        "set the security groups of {eni_id} to {} (were {})",
                        groups.join(", "),
                        old.join(", ")
                    ));
                }
                if let Some(check) = source_dest_check {
                    let e = self
                        .net
                        .network_interfaces
                        .get_mut(&eni_id)
                        .expect("checked");
                    e.source_dest_check = *check;
                    return Ok(format!(
                        "{} source/destination checking on {eni_id}",
                        if *check { "enabled" } else { "disabled" }
                    ));
                }
                self.notes.push(format!(
                    "ModifyNetworkInterfaceAttribute {} on {eni_id} does not affect reachability; not modelled",
                    other_attributes.join(", ")
                ));
                Ok(format!(
                    "{} of {eni_id} changed (no reachability effect)",
                    other_attributes.join(", ")
                ))
            }
            Request::AssociateAddress {
                allocation_id,
                public_ip,
                instance_id,
                network_interface_id,
                private_ip,
                allow_reassociation,
            } => self.associate_address(
                allocation_id,
                public_ip,
                instance_id,
                network_interface_id,
                private_ip,
                *allow_reassociation,
            ),
            Request::DisassociateAddress {
                association_id,
                public_ip,
            } => {
                let idx = match (association_id, public_ip) {
                    (Some(a), _) => self
                        .net
                        .elastic_ips
                        .iter()
                        .position(|e| e.association_id.as_deref() == Some(a))
                        .ok_or_else(|| {
                            err(
                                "InvalidAssociationID.NotFound",
                                "AssociationId",
                                format!("The association ID '{a}' does not exist"),
                            )
                            .help(assoc_help("Addresses[].AssociationId"))
                        })?,
                    (None, Some(ip)) => self
                        .net
                        .elastic_ips
                        .iter()
                        .position(|e| e.public_ip == *ip)
                        .ok_or_else(|| {
                            err(
                                "InvalidAddress.NotFound",
                                "PublicIp",
                                format!("The address '{ip}' does not exist"),
                            )
                        })?,
                    (None, None) => {
                        return Err(err(
                            "MissingParameter",
                            "",
                            "The request must contain the parameter AssociationId or PublicIp",
                        ))
                    }
                };
                let eip = self.net.elastic_ips[idx].clone();
                let (Some(eni), Some(private)) = (&eip.network_interface_id, eip.private_ip) else {
                    return Err(err(
                        "InvalidAssociationID.NotFound",
                        if association_id.is_some() {
                            "AssociationId"
                        } else {
                            "PublicIp"
                        },
                        format!("The address {} is not associated", eip.public_ip),
                    ));
                };
                if self.net.nat_gateways.values().any(|n| {
                    n.addresses
                        .iter()
                        .any(|a| a.public_ip == Some(eip.public_ip))
                }) {
                    return Err(err(
                        "InvalidIPAddress.InUse",
                        "",
                        format!("Address {} is in use by a NAT gateway", eip.public_ip),
                    ));
                }
                self.unmap_public(eni, private, eip.public_ip);
                let e = &mut self.net.elastic_ips[idx];
                e.network_interface_id = None;
                e.private_ip = None;
                e.association_id = None;
                Ok(format!(
                    "disassociated {} from {eni} ({private})",
                    eip.public_ip
                ))
            }
            Request::CreateVpcPeeringConnection {
                vpc_id,
                peer_vpc_id,
                peer_owner_id,
                peer_region,
            } => {
                let vpc = need(vpc_id, "VpcId")?.clone();
                let peer = need(peer_vpc_id, "PeerVpcId")?.clone();
                let requester = self.vpc(&vpc)?.clone();
                let accepter = self
                    .net
                    .vpcs
                    .get(&peer)
                    .cloned()
                    .ok_or_else(|| {
                        err(
                            "InvalidVpcID.NotFound",
                            "PeerVpcId",
                            format!("The vpc ID '{peer}' does not exist"),
                        )
                        .help("vpcreach needs the peer VPC in the snapshot to know its CIDRs; add that account's/region's describe-vpcs output")
                    })?;
                let overlap = requester.cidrs.iter().any(|a| {
                    accepter
                        .cidrs
                        .iter()
                        .any(|b| a.contains(&b.network()) || b.contains(&a.network()))
                });
                let id = self.new_id("pcx");
                let side = |v: &Vpc, owner: Option<String>, region: Option<String>| PeeringSide {
                    vpc_id: v.id.clone(),
                    cidrs: v.cidrs.clone(),
                    owner: owner.or(v.owner.clone()),
                    region: region.or(v.location.region.clone()),
                };
                let status = if overlap {
                    "failed"
                } else {
                    "pending-acceptance"
                };
                self.net.peerings.insert(
                    id.clone(),
                    VpcPeering {
                        id: id.clone(),
                        name: None,
                        status: status.into(),
                        requester: side(&requester, None, None),
                        accepter: side(&accepter, peer_owner_id.clone(), peer_region.clone()),
                    },
                );
                Ok(if overlap {
                    format!("requested {id} between {vpc} and {peer}; it fails at once: their CIDRs overlap")
                } else {
                    format!("requested {id} between {vpc} and {peer} (pending-acceptance)")
                })
            }
            Request::AcceptVpcPeeringConnection {
                vpc_peering_connection_id,
            } => {
                let id = need(vpc_peering_connection_id, "VpcPeeringConnectionId")?.clone();
                let p = self.pcx_mut(&id)?;
                if p.status != "pending-acceptance" {
                    return Err(err(
                        "InvalidStateTransition",
                        "VpcPeeringConnectionId",
                        format!("Invalid state transition for {id}, attempted to transition from {} to active", p.status),
                    ));
                }
                p.status = "active".into();
                Ok(format!("accepted {id} (active)"))
            }
            Request::DeleteVpcPeeringConnection {
                vpc_peering_connection_id,
            } => {
                let id = need(vpc_peering_connection_id, "VpcPeeringConnectionId")?.clone();
                let p = self.pcx_mut(&id)?;
                if !matches!(
                    p.status.as_str(),
                    "active" | "pending-acceptance" | "provisioning"
                ) {
                    return Err(err(
                        "InvalidStateTransition",
                        "VpcPeeringConnectionId",
                        format!("Invalid state transition for {id}, attempted to transition from {} to deleted", p.status),
                    ));
                }
                p.status = "deleted".into();
                Ok(format!("deleted {id}"))
            }
        }
    }

    fn vpc(&self, id: &str) -> R<&Vpc> {
        self.net.vpcs.get(id).ok_or_else(|| {
            err(
                "InvalidVpcID.NotFound",
                "VpcId",
                format!("The vpc ID '{id}' does not exist"),
            )
        })
    }

    fn igw(&self, id: &str, field: &str) -> R<&InternetGateway> {
        self.net.internet_gateways.get(id).ok_or_else(|| {
            err(
                "InvalidInternetGatewayID.NotFound",
                field,
                format!("The internetGateway ID '{id}' does not exist"),
            )
        })
    }

    fn acl_mut(&mut self, id: &str) -> R<&mut NetworkAcl> {
        self.net.network_acls.get_mut(id).ok_or_else(|| {
            err(
                "InvalidNetworkAclID.NotFound",
                "NetworkAclId",
                format!("The networkAcl ID '{id}' does not exist"),
            )
        })
    }

    fn rtb_mut(&mut self, id: &str) -> R<&mut RouteTable> {
        self.net.route_tables.get_mut(id).ok_or_else(|| {
            err(
                "InvalidRouteTableID.NotFound",
                "RouteTableId",
                format!("The routeTable ID '{id}' does not exist"),
            )
        })
    }

    fn pcx_mut(&mut self, id: &str) -> R<&mut VpcPeering> {
        self.net.peerings.get_mut(id).ok_or_else(|| {
            err(
                "InvalidVpcPeeringConnectionID.NotFound",
                "VpcPeeringConnectionId",
                format!("The vpcPeeringConnection ID '{id}' does not exist"),
            )
        })
    }

    /// (route table, associated subnet or gateway, is the main association).
    fn find_rtb_assoc(&self, assoc: &str) -> R<(String, String, bool)> {
        for t in self.net.route_tables.values() {
            if t.main_association_id.as_deref() == Some(assoc) {
                return Ok((t.id.clone(), String::new(), true));
            }
            if let Some((target, _)) = t.association_ids.iter().find(|(_, id)| *id == assoc) {
                return Ok((t.id.clone(), target.clone(), false));
            }
        }
        Err(err(
            "InvalidAssociationID.NotFound",
            "AssociationId",
            format!("The association ID '{assoc}' does not exist"),
        )
        .help(assoc_help(
            "RouteTables[].Associations[].RouteTableAssociationId",
        )))
    }

    fn find_group(&self, id: &Option<String>, name: &Option<String>, id_field: &str) -> R<String> {
        match (id, name) {
            (Some(id), _) => {
                if self.net.security_groups.contains_key(id) {
                    Ok(id.clone())
                } else {
                    Err(err(
                        "InvalidGroup.NotFound",
                        id_field,
                        format!("The security group '{id}' does not exist"),
                    ))
                }
            }
            (None, Some(name)) => {
                let found: Vec<&SecurityGroup> = self
                    .net
                    .security_groups
                    .values()
                    .filter(|g| g.name == *name)
                    .collect();
                match found.as_slice() {
                    [one] => Ok(one.id.clone()),
                    [] => Err(err(
                        "InvalidGroup.NotFound",
                        "GroupName",
                        format!("The security group '{name}' does not exist"),
                    )),
                    _ => Err(err(
                        "InvalidGroup.NotFound",
                        "GroupName",
                        format!("The security group '{name}' does not exist in the default VPC"),
                    )
                    .help("several VPCs have a group of that name; outside the default VPC EC2 needs GroupId")),
                }
            }
            (None, None) => Err(err(
                "MissingParameter",
                "",
                "The request must contain the parameter groupName or groupId",
            )),
        }
    }

    /// A request rule as a model rule, checked as EC2 checks it.
    fn sg_rule(&self, spec: &SgRuleSpec, group_vpc: Option<&str>) -> R<SgRule> {
        let proto_field = join(&spec.perm_path, "IpProtocol");
        let protocol = Protocol::parse(&spec.protocol).ok_or_else(|| {
            err(
                "InvalidParameterValue",
                &proto_field,
                format!(
                    "Invalid value '{}' for IP protocol. Unknown protocol.",
                    spec.protocol
                ),
            )
        })?;
        let (from_port, to_port) = match protocol {
            Protocol::All => (None, None),
            Protocol::Number(6 | 17) => {
                let from_field = join(&spec.perm_path, "FromPort");
                let to_field = join(&spec.perm_path, "ToPort");
                let from = *need(&spec.from_port, &from_field)?;
                let to = *need(&spec.to_port, &to_field)?;
                for (v, f) in [(from, &from_field), (to, &to_field)] {
                    if !(0..=65535).contains(&v) {
                        return Err(err(
                            "InvalidParameterValue",
                            f,
                            format!(
                                "Invalid value '{v}' for port. Ports must be between 0 and 65535"
                            ),
                        ));
                    }
                }
                if from > to {
                    return Err(err(
                        "InvalidParameterValue",
                        &from_field,
                        format!("Invalid TCP/UDP port range: FromPort {from} is greater than ToPort {to}"),
                    ));
                }
                (Some(from as i32), Some(to as i32))
            }
            Protocol::Number(1 | 58) => {
                let t = spec.from_port.unwrap_or(-1);
                let c = spec.to_port.unwrap_or(-1);
                if !(-1..=255).contains(&t) || !(-1..=255).contains(&c) {
                    return Err(err(
                        "InvalidParameterValue",
                        &join(&spec.perm_path, "FromPort"),
                        format!("Invalid ICMP type {t} / code {c}: both must be -1 or 0-255"),
                    ));
                }
                (Some(t as i32), Some(c as i32))
            }
            Protocol::Number(_) => (None, None),
        };
        let peer = match &spec.peer {
            PeerSpec::Cidr(n) => {
                if n.trunc() != *n {
                    return Err(err(
                        "InvalidParameterValue",
                        &spec.peer_path,
                        format!(
                            "CIDR block {n} is malformed (host bits set; did you mean {}?)",
                            n.trunc()
                        ),
                    ));
                }
                SgPeer::Cidr(*n)
            }
            PeerSpec::Ipv6Cidr(c) => SgPeer::Ipv6Cidr(c.clone()),
            PeerSpec::PrefixList(pl) => {
                if !self.net.prefix_lists.is_empty() && !self.net.prefix_lists.contains_key(pl) {
                    return Err(err(
                        "InvalidPrefixListId.NotFound",
                        &join(&spec.peer_path, "PrefixListId"),
                        format!("The prefix list ID '{pl}' does not exist"),
                    ));
                }
                SgPeer::PrefixList(pl.clone())
            }
            PeerSpec::Group {
                group_id,
                group_name,
                user_id,
                vpc_id,
                peering_id,
            } => {
                let foreign = peering_id.is_some()
                    || user_id.as_ref().is_some_and(|u| !self.is_own_account(u));
                let id_field = join(&spec.peer_path, "GroupId");
                let id = match (group_id, foreign) {
                    (Some(g), true) => g.clone(),
                    _ => {
                        let id = self.find_group(group_id, group_name, &id_field)?;
                        let sg_vpc = self.net.security_groups[&id].vpc_id.clone();
                        if let (Some(a), Some(b)) = (sg_vpc.as_deref(), group_vpc) {
                            if a != b {
                                return Err(err(
                                    "InvalidGroup.NotFound",
                                    &id_field,
                                    format!("You have specified two resources that belong to different networks: {id} is in {a}, the group being changed in {b}"),
                                ).help("a rule may name a group of a peered VPC only with the peering (VpcPeeringConnectionId)"));
                            }
                        }
                        id
                    }
                };
                SgPeer::Group {
                    group_id: id,
                    vpc_id: vpc_id.clone(),
                    peering_id: peering_id.clone(),
                }
            }
        };
        Ok(SgRule {
            protocol,
            from_port,
            to_port,
            peer,
            description: spec.description.clone(),
            rule_id: None,
        })
    }

    fn is_own_account(&self, account: &str) -> bool {
        let owners: BTreeSet<&str> = self
            .net
            .vpcs
            .values()
            .filter_map(|v| v.owner.as_deref())
            .collect();
        owners.is_empty() || owners.contains(account)
    }

    fn sg_rules(
        &mut self,
        revoke: bool,
        egress: bool,
        group_id: &Option<String>,
        group_name: &Option<String>,
        specs: &[SgRuleSpec],
        rule_ids: &[String],
    ) -> R<String> {
        let id = self.find_group(group_id, group_name, "GroupId")?;
        let group_vpc = self.net.security_groups[&id].vpc_id.clone();
        if specs.is_empty() && rule_ids.is_empty() {
            return Err(err(
                "MissingParameter",
                "IpPermissions",
                "The request must contain the parameter ipPermissions",
            ));
        }
        let mut rules = Vec::new();
        for spec in specs {
            rules.push((self.sg_rule(spec, group_vpc.as_deref())?, spec));
        }
        let sg = self.net.security_groups.get_mut(&id).expect("found");
        let list = if egress {
            &mut sg.egress
        } else {
            &mut sg.ingress
        };
        let dir = if egress { "egress" } else { "ingress" };
        let mut lines = Vec::new();
        for (i, rid) in rule_ids.iter().enumerate() {
            let Some(pos) = list.iter().position(|r| r.rule_id.as_deref() == Some(rid)) else {
                return Err(err(
                    "InvalidSecurityGroupRuleId.NotFound",
                    &format!("SecurityGroupRuleIds[{i}]"),
                    format!("The security group rule ID '{rid}' does not exist in the {dir} rules of {id}"),
                ).help(rule_id_help()));
            };
            let r = list.remove(pos);
            lines.push(rule_text(&r, egress));
        }
        for (rule, spec) in rules {
            let pos = list.iter().position(|r| same_rule(r, &rule));
            match (revoke, pos) {
                (false, Some(_)) => {
                    return Err(err(
                        "InvalidPermission.Duplicate",
                        &spec.peer_path,
                        format!(
                            "the specified rule \"peer: {}, {}\" already exists",
                            peer_text(&rule.peer),
                            ports_text(&rule)
                        ),
                    ))
                }
                (false, None) => {
                    lines.push(rule_text(&rule, egress));
                    list.push(rule);
                }
                (true, Some(p)) => {
                    list.remove(p);
                    lines.push(rule_text(&rule, egress));
                }
                (true, None) => {
                    return Err(err(
                        "InvalidPermission.NotFound",
                        &spec.peer_path,
                        format!(
                            "The specified rule does not exist in this security group: {} {}",
                            dir,
                            rule_text(&rule, egress)
                        ),
                    ))
                }
            }
        }
        Ok(format!(
            "{} {dir} rule{} {} {id}: {}",
            if revoke { "revoked" } else { "authorized" },
            if lines.len() == 1 { "" } else { "s" },
            if revoke { "from" } else { "on" },
            lines.join("; ")
        ))
    }

    fn modify_sg_rules(
        &mut self,
        group_id: &Option<String>,
        specs: &[(Option<String>, SgRuleSpec)],
    ) -> R<String> {
        let id = need(group_id, "GroupId")?.clone();
        if !self.net.security_groups.contains_key(&id) {
            return Err(err(
                "InvalidGroup.NotFound",
                "GroupId",
                format!("The security group '{id}' does not exist"),
            ));
        }
        let group_vpc = self.net.security_groups[&id].vpc_id.clone();
        let mut lines = Vec::new();
        for (i, (rid, spec)) in specs.iter().enumerate() {
            let rid = need(rid, &format!("SecurityGroupRules[{i}].SecurityGroupRuleId"))?;
            let rule = self.sg_rule(spec, group_vpc.as_deref())?;
            let sg = self.net.security_groups.get_mut(&id).expect("found");
            let (list, egress) = if sg.ingress.iter().any(|r| r.rule_id.as_deref() == Some(rid)) {
                (&mut sg.ingress, false)
            } else if sg.egress.iter().any(|r| r.rule_id.as_deref() == Some(rid)) {
                (&mut sg.egress, true)
            } else {
                return Err(err(
                    "InvalidSecurityGroupRuleId.NotFound",
                    &format!("SecurityGroupRules[{i}].SecurityGroupRuleId"),
                    format!("The security group rule ID '{rid}' does not exist in {id}"),
                )
                .help(rule_id_help()));
            };
            let pos = list
                .iter()
                .position(|r| r.rule_id.as_deref() == Some(rid))
                .expect("found");
            if list
                .iter()
                .enumerate()
                .any(|(j, r)| j != pos && same_rule(r, &rule))
            {
                return Err(err(
                    "InvalidPermission.Duplicate",
                    &format!("SecurityGroupRules[{i}].SecurityGroupRule"),
                    format!(
                        "the specified rule \"{}\" already exists",
                        rule_text(&rule, egress)
                    ),
                ));
            }
            let old = rule_text(&list[pos], egress);
            list[pos] = SgRule {
                rule_id: Some(rid.clone()),
                ..rule
            };
            let dir = if egress { "egress" } else { "ingress" };
            lines.push(format!(
                "{rid} ({dir}) {old} → {}",
                rule_text(&list[pos], egress)
            ));
        }
        Ok(format!("modified rules of {id}: {}", lines.join("; ")))
    }

    fn acl_entry(&mut self, spec: &AclEntrySpec, replace: bool) -> R<String> {
        let acl_id = need(&spec.network_acl_id, "NetworkAclId")?.clone();
        let number = *need(&spec.rule_number, "RuleNumber")?;
        let egress = *need(&spec.egress, "Egress")?;
        let proto_text = need(&spec.protocol, "Protocol")?.clone();
        let action_text = need(&spec.rule_action, "RuleAction")?.clone();
        self.acl_mut(&acl_id)?;
        if !(1..=32766).contains(&number) {
            return Err(err(
                "InvalidParameterValue",
                "RuleNumber",
                format!("Invalid value '{number}' for ruleNumber. It must be between 1 and 32766"),
            ));
        }
        let protocol = Protocol::parse(&proto_text).ok_or_else(|| {
            err(
                "InvalidParameterValue",
                "Protocol",
                format!("Invalid value '{proto_text}' for protocol. It must be a protocol number, -1, or tcp/udp/icmp"),
            )
        })?;
        let action = match action_text.as_str() {
            "allow" => RuleAction::Allow,
            "deny" => RuleAction::Deny,
            other => {
                return Err(err(
                    "InvalidParameterValue",
                    "RuleAction",
                    format!("Invalid value '{other}' for ruleAction. It must be allow or deny"),
                ))
            }
        };
        match (&spec.cidr, &spec.ipv6_cidr) {
            (None, None) => {
                return Err(err(
                    "MissingParameter",
                    "CidrBlock",
                    "The request must contain the parameter CidrBlock or Ipv6CidrBlock",
                ))
            }
            (Some(_), Some(_)) => {
                return Err(err(
                    "InvalidParameterCombination",
                    "Ipv6CidrBlock",
                    "CidrBlock and Ipv6CidrBlock cannot both be specified",
                ))
            }
            (Some(c), None) if c.trunc() != *c => {
                return Err(err(
                    "InvalidParameterValue",
                    "CidrBlock",
                    format!("Value ({c}) for parameter cidrBlock is invalid. This is not a valid CIDR block (did you mean {}?)", c.trunc()),
                ))
            }
            _ => {}
        }
        let mut port_range = None;
        let mut icmp_type_code = None;
        match protocol {
            Protocol::Number(6 | 17) => {
                let (from, to) = need(&spec.port_range, "PortRange")?;
                let from = *need(from, "PortRange.From")?;
                let to = *need(to, "PortRange.To")?;
                if !(0..=65535).contains(&from) || !(0..=65535).contains(&to) || from > to {
                    return Err(err(
                        "InvalidParameterValue",
                        "PortRange",
                        format!("Invalid port range {from}-{to}: ports are 0-65535 and From must not exceed To"),
                    ));
                }
                port_range = Some((from as u16, to as u16));
            }
            Protocol::Number(1) => {
                let (t, c) = need(&spec.icmp_type_code, "IcmpTypeCode")?;
                icmp_type_code = Some((t.unwrap_or(-1) as i32, c.unwrap_or(-1) as i32));
            }
            _ => {}
        }
        let entry = AclEntry {
            rule_number: number as u32,
            egress,
            protocol,
            action,
            cidr: spec.cidr,
            ipv6_cidr: spec.ipv6_cidr.clone(),
            port_range,
            icmp_type_code,
        };
        let dir = if egress { "outbound" } else { "inbound" };
        let acl = self.acl_mut(&acl_id)?;
        let pos = acl
            .entries
            .iter()
            .position(|e| e.egress == egress && e.rule_number == number as u32);
        match (replace, pos) {
            (false, Some(_)) => Err(err(
                "NetworkAclEntryAlreadyExists",
                "RuleNumber",
                format!("The network acl entry identified by {number} already exists ({dir} rules of {acl_id})"),
            )
            .help("use ReplaceNetworkAclEntry to change an existing entry, or pick a free rule number")),
            (true, None) => Err(err(
                "InvalidNetworkAclEntry.NotFound",
                "RuleNumber",
                format!("The network acl entry identified by {number} does not exist ({dir} rules of {acl_id})"),
            )),
            (false, None) => {
                acl.entries.push(entry);
                Ok(format!("created {dir} entry {number} in {acl_id}"))
            }
            (true, Some(p)) => {
                acl.entries[p] = entry;
                Ok(format!("replaced {dir} entry {number} in {acl_id}"))
            }
        }
    }

    fn route(&mut self, spec: &RouteSpec, op: RouteOp) -> R<String> {
        let rtb = need(&spec.route_table_id, "RouteTableId")?.clone();
        let vpc = self.rtb_mut(&rtb)?.vpc_id.clone();
        let dests = spec.destination_cidr.is_some() as usize
            + spec.destination_ipv6_cidr.is_some() as usize
            + spec.destination_prefix_list.is_some() as usize;
        if dests == 0 {
            return Err(err(
                "MissingParameter",
                "DestinationCidrBlock",
                "The request must contain exactly one of DestinationCidrBlock, DestinationIpv6CidrBlock or DestinationPrefixListId",
            ));
        }
        if dests > 1 {
            return Err(err(
                "InvalidParameterCombination",
                "DestinationCidrBlock",
                "Only one of DestinationCidrBlock, DestinationIpv6CidrBlock or DestinationPrefixListId may be given",
            ));
        }
        let (dest_field, destination) = if let Some(c) = spec.destination_cidr {
            if c.trunc() != c {
                return Err(err(
                    "InvalidParameterValue",
                    "DestinationCidrBlock",
                    format!("Value ({c}) for parameter destinationCidrBlock is invalid. This is not a valid CIDR block (did you mean {}?)", c.trunc()),
                ));
            }
            ("DestinationCidrBlock", RouteDestination::Cidr(c))
        } else if let Some(pl) = &spec.destination_prefix_list {
            (
                "DestinationPrefixListId",
                RouteDestination::PrefixList(pl.clone()),
            )
        } else {
            (
                "DestinationIpv6CidrBlock",
                RouteDestination::Ipv6(spec.destination_ipv6_cidr.clone().unwrap_or_default()),
            )
        };
        let table = &self.net.route_tables[&rtb];
        let pos = table
            .routes
            .iter()
            .position(|r| r.destination == destination);
        let dest_text = dest_text(&destination);
        if op != RouteOp::Create {
            let Some(p) = pos else {
                return Err(err(
                    "InvalidRoute.NotFound",
                    dest_field,
                    format!("no route with destination {dest_text} in route table {rtb}"),
                ));
            };
            if table.routes[p].target == RouteTarget::Local && op == RouteOp::Delete {
                return Err(err(
                    "InvalidParameterValue",
                    dest_field,
                    format!("cannot remove local route {dest_text} in route table {rtb}"),
                ));
            }
        } else if pos.is_some() {
            return Err(err(
                "RouteAlreadyExists",
                dest_field,
                format!("The route identified by {dest_text} already exists in {rtb}"),
            )
            .help("use ReplaceRoute to change the target of an existing route"));
        }
        if op == RouteOp::Delete {
            let t = self.net.route_tables.get_mut(&rtb).expect("checked");
            let old = t.routes.remove(pos.expect("checked"));
            return Ok(format!(
                "deleted route {dest_text} → {} from {rtb}",
                old.target.id()
            ));
        }
        let target = if spec.local_target {
            if !spec.targets.is_empty() {
                return Err(err(
                    "InvalidParameterCombination",
                    spec.targets[0].0,
                    "LocalTarget cannot be combined with another target",
                ));
            }
            RouteTarget::Local
        } else {
            match spec.targets.as_slice() {
                [] => {
                    return Err(err(
                        "MissingParameter",
                        "",
                        "The request must contain a target: GatewayId, NatGatewayId, VpcPeeringConnectionId, NetworkInterfaceId, InstanceId, TransitGatewayId, …",
                    ))
                }
                [(field, id)] => self.route_target(field, id, &vpc)?,
                [_, (field, _), ..] => {
                    return Err(err(
                        "InvalidParameterCombination",
                        field,
                        "More than one target specified; a route has exactly one target",
                    ))
                }
            }
        };
        let route = Route {
            destination,
            target,
            origin: RouteOrigin::CreateRoute,
            state: RouteState::Active,
        };
        let text = format!("{dest_text} → {}", route.target.id());
        let t = self.net.route_tables.get_mut(&rtb).expect("checked");
        match pos {
            Some(p) => {
                let old = std::mem::replace(&mut t.routes[p], route);
                Ok(format!(
                    "replaced route {dest_text} in {rtb}: {} → {}",
                    old.target.id(),
                    t.routes[p].target.id()
                ))
            }
            None => {
                t.routes.push(route);
                Ok(format!("created route {text} in {rtb}"))
            }
        }
    }

    fn route_target(&self, field: &'static str, id: &str, vpc: &str) -> R<RouteTarget> {
        let not_found = |code: &'static str, what: &str| {
            err(code, field, format!("The {what} ID '{id}' does not exist"))
        };
        let different = |what: &str, other: &str| {
            err(
                "InvalidParameterValue",
                field,
                format!(
                    "route table and {what} {id} belong to different networks ({vpc} and {other})"
                ),
            )
        };
        Ok(match field {
            "GatewayId" => match id.split('-').next().unwrap_or("") {
                "igw" => {
                    let g = self
                        .net
                        .internet_gateways
                        .get(id)
                        .ok_or_else(|| not_found("InvalidGatewayID.NotFound", "gateway"))?;
                    if let Some((v, _)) =
                        g.attachments.iter().find(|(v, s)| v != vpc && attached(s))
                    {
                        return Err(different("internet gateway", v));
                    }
                    if !g.attachments.iter().any(|(v, s)| v == vpc && attached(s)) {
                        return Err(err(
                            "Gateway.NotAttached",
                            field,
                            format!("Internet gateway {id} is not attached to {vpc}"),
                        ));
                    }
                    RouteTarget::InternetGateway(id.into())
                }
                "local" => RouteTarget::Local,
                "vgw" => RouteTarget::VpnGateway(id.into()),
                "vpce" => RouteTarget::VpcEndpoint(id.into()),
                _ => {
                    return Err(err(
                        "InvalidGatewayID.NotFound",
                        field,
                        format!("The gateway ID '{id}' does not exist"),
                    ))
                }
            },
            "NatGatewayId" => {
                let n = self
                    .net
                    .nat_gateways
                    .get(id)
                    .ok_or_else(|| not_found("NatGatewayNotFound", "NAT gateway"))?;
                if n.vpc_id != vpc {
                    return Err(different("NAT gateway", &n.vpc_id));
                }
                RouteTarget::NatGateway(id.into())
            }
            "VpcPeeringConnectionId" => {
                let p = self.net.peerings.get(id).ok_or_else(|| {
                    not_found(
                        "InvalidVpcPeeringConnectionID.NotFound",
                        "vpcPeeringConnection",
                    )
                })?;
                if p.peer_of(vpc).is_none() {
                    return Err(err(
                        "InvalidParameterValue",
                        field,
                        format!("peering connection {id} does not involve {vpc}"),
                    ));
                }
                RouteTarget::VpcPeering(id.into())
            }
            "NetworkInterfaceId" => {
                let e = self.net.network_interfaces.get(id).ok_or_else(|| {
                    not_found("InvalidNetworkInterfaceID.NotFound", "networkInterface")
                })?;
                if e.vpc_id != vpc {
                    return Err(different("network interface", &e.vpc_id));
                }
                RouteTarget::NetworkInterface(id.into())
            }
            "InstanceId" => {
                let i = self
                    .net
                    .instances
                    .get(id)
                    .ok_or_else(|| not_found("InvalidInstanceID.NotFound", "instance"))?;
                // Like describe-route-tables, deliver to the primary ENI.
                match i.network_interface_ids.first() {
                    Some(eni) => RouteTarget::NetworkInterface(eni.clone()),
                    None => RouteTarget::Instance(id.into()),
                }
            }
            "TransitGatewayId" => RouteTarget::TransitGateway(id.into()),
            "EgressOnlyInternetGatewayId" => RouteTarget::EgressOnlyInternetGateway(id.into()),
            "VpcEndpointId" => RouteTarget::VpcEndpoint(id.into()),
            "CarrierGatewayId" => RouteTarget::Other {
                kind: "carrier gateway",
                id: id.into(),
            },
            "LocalGatewayId" => RouteTarget::Other {
                kind: "local gateway",
                id: id.into(),
            },
            _ => RouteTarget::Other {
                kind: "core network",
                id: id.into(),
            },
        })
    }

    fn unmap_public(&mut self, eni: &str, private: Ipv4Addr, public: Ipv4Addr) {
        if let Some(e) = self.net.network_interfaces.get_mut(eni) {
            for p in &mut e.private_ips {
                if p.address == private && p.public_ip == Some(public) {
                    p.public_ip = None;
                }
            }
        }
    }

    fn associate_address(
        &mut self,
        allocation_id: &Option<String>,
        public_ip: &Option<Ipv4Addr>,
        instance_id: &Option<String>,
        network_interface_id: &Option<String>,
        private_ip: &Option<Ipv4Addr>,
        allow_reassociation: bool,
    ) -> R<String> {
        let idx = match (allocation_id, public_ip) {
            (Some(a), _) => self
                .net
                .elastic_ips
                .iter()
                .position(|e| e.allocation_id.as_deref() == Some(a))
                .ok_or_else(|| {
                    err(
                        "InvalidAllocationID.NotFound",
                        "AllocationId",
                        format!("The allocation ID '{a}' does not exist"),
                    )
                    .help("Elastic IPs come from describe-addresses output (Addresses); add it to the snapshot")
                })?,
            (None, Some(ip)) => self
                .net
                .elastic_ips
                .iter()
                .position(|e| e.public_ip == *ip)
                .ok_or_else(|| {
                    err(
                        "InvalidAddress.NotFound",
                        "PublicIp",
                        format!("The address '{ip}' does not exist"),
                    )
                })?,
            (None, None) => {
                return Err(err(
                    "MissingParameter",
                    "AllocationId",
                    "The request must contain the parameter AllocationId or PublicIp",
                ))
            }
        };
        let eni_id = match (network_interface_id, instance_id) {
            (Some(e), _) => {
                if !self.net.network_interfaces.contains_key(e) {
                    return Err(err(
                        "InvalidNetworkInterfaceID.NotFound",
                        "NetworkInterfaceId",
                        format!("The networkInterface ID '{e}' does not exist"),
                    ));
                }
                e.clone()
            }
            (None, Some(i)) => {
                let inst = self.net.instances.get(i).ok_or_else(|| {
                    err(
                        "InvalidInstanceID.NotFound",
                        "InstanceId",
                        format!("The instance ID '{i}' does not exist"),
                    )
                })?;
                inst.network_interface_ids.first().cloned().ok_or_else(|| {
                    err(
                        "InvalidInstanceID",
                        "InstanceId",
                        format!("Instance {i} has no network interface in the snapshot"),
                    )
                })?
            }
            (None, None) => {
                return Err(err(
                    "MissingParameter",
                    "InstanceId",
                    "The request must contain the parameter InstanceId or NetworkInterfaceId",
                ))
            }
        };
        let eni = &self.net.network_interfaces[&eni_id];
        let private = match private_ip {
            Some(p) => {
                if !eni.private_ips.iter().any(|x| x.address == *p) {
                    return Err(err(
                        "InvalidParameterValue",
                        "PrivateIpAddress",
                        format!("{p} is not a private address of {eni_id}"),
                    ));
                }
                *p
            }
            None => eni.primary_ip().ok_or_else(|| {
                err(
                    "InvalidParameterValue",
                    "NetworkInterfaceId",
                    format!("{eni_id} has no private address"),
                )
            })?,
        };
        let vpc = eni.vpc_id.clone();
        if !self
            .net
            .internet_gateways
            .values()
            .any(|g| g.attachments.iter().any(|(v, s)| *v == vpc && attached(s)))
        {
            return Err(err(
                "Gateway.NotAttached",
                "",
                format!("Network {vpc} is not attached to any internet gateway"),
            ));
        }
        let eip = self.net.elastic_ips[idx].clone();
        if eip.network_interface_id.is_some() && !allow_reassociation {
            return Err(err(
                "Resource.AlreadyAssociated",
                if allocation_id.is_some() {
                    "AllocationId"
                } else {
                    "PublicIp"
                },
                format!(
                    "resource {} is already associated with {}",
                    eip.allocation_id
                        .as_deref()
                        .unwrap_or(&eip.public_ip.to_string()),
                    eip.network_interface_id.as_deref().unwrap_or("?")
                ),
            )
            .help("set AllowReassociation to move an associated address"));
        }
        // Move the address: off its old ENI, and any other Elastic IP off the
        // target private address (an auto-assigned public IP is released).
        if let (Some(old_eni), Some(old_private)) = (&eip.network_interface_id, eip.private_ip) {
            self.unmap_public(old_eni, old_private, eip.public_ip);
        }
        for other in &mut self.net.elastic_ips {
            if other.network_interface_id.as_deref() == Some(&eni_id)
                && other.private_ip == Some(private)
            {
                other.network_interface_id = None;
                other.private_ip = None;
                other.association_id = None;
            }
        }
        let assoc = self.new_id("eipassoc");
        if let Some(e) = self.net.network_interfaces.get_mut(&eni_id) {
            for p in &mut e.private_ips {
                if p.address == private {
                    p.public_ip = Some(eip.public_ip);
                }
            }
        }
        let e = &mut self.net.elastic_ips[idx];
        e.network_interface_id = Some(eni_id.clone());
        e.private_ip = Some(private);
        e.association_id = Some(assoc.clone());
        Ok(format!(
            "associated {} with {eni_id} ({private}) as {assoc}",
            eip.public_ip
        ))
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum RouteOp {
    Create,
    Replace,
    Delete,
}

fn attached(state: &str) -> bool {
    state == "available" || state == "attached"
}

fn assoc_help(field: &str) -> String {
    format!("association ids come from the snapshot ({field}); ids created earlier in this change are numbered rtbassoc-vpcreach…/aclassoc-vpcreach…")
}

fn rule_id_help() -> String {
    "security group rule ids come from describe-security-group-rules output (top-level key SecurityGroupRules) in the snapshot".into()
}

pub fn dest_text(d: &RouteDestination) -> String {
    match d {
        RouteDestination::Cidr(c) => c.to_string(),
        RouteDestination::PrefixList(p) => p.clone(),
        RouteDestination::Ipv6(v) => v.clone(),
    }
}

pub fn peer_text(p: &SgPeer) -> String {
    match p {
        SgPeer::Cidr(c) => c.to_string(),
        SgPeer::Ipv6Cidr(c) => c.clone(),
        SgPeer::PrefixList(pl) => pl.clone(),
        SgPeer::Group {
            group_id,
            peering_id,
            ..
        } => match peering_id {
            Some(pcx) => format!("{group_id} via {pcx}"),
            None => group_id.clone(),
        },
    }
}

/// `tcp/22`, `tcp/1024-65535`, `icmp type 8 code all`, `all traffic`.
pub fn ports_text(r: &SgRule) -> String {
    match r.protocol {
        Protocol::All => "all traffic".into(),
        Protocol::Number(p @ (1 | 58)) => {
            let name = if p == 1 { "icmp" } else { "icmpv6" };
            let part = |v: Option<i32>| match v {
                None | Some(-1) => "all".to_string(),
                Some(v) => v.to_string(),
            };
            if matches!(r.from_port, None | Some(-1)) {
                format!("{name} all")
            } else {
                format!("{name} type {} code {}", part(r.from_port), part(r.to_port))
            }
        }
        Protocol::Number(p) => {
            let name = match p {
                6 => "tcp".to_string(),
                17 => "udp".to_string(),
                n => format!("protocol {n}"),
            };
            match (r.from_port, r.to_port) {
                (Some(f), Some(t)) if p == 6 || p == 17 => {
                    if f == t {
                        format!("{name}/{f}")
                    } else if f == 0 && t == 65535 {
                        format!("{name}/all")
                    } else {
                        format!("{name}/{f}-{t}")
                    }
                }
                _ => name,
            }
        }
    }
}

/// `tcp/22 from 10.0.0.0/8` (ingress) or `all traffic to 0.0.0.0/0` (egress).
pub fn rule_text(r: &SgRule, egress: bool) -> String {
    format!(
        "{} {} {}",
        ports_text(r),
        if egress { "to" } else { "from" },
        peer_text(&r.peer)
    )
}
