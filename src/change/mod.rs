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
//!
//! This file holds the request types, EC2's error form and the dispatch of
//! each [`Request`] to the file of its AWS component under `apply/`.

pub mod diff;

/// What each call does to the model, one file per AWS component; each is
/// an `impl State` block that the dispatch in [`apply`] calls into.
mod apply {
    pub mod acl;
    pub mod address;
    pub mod bpa;
    pub mod firewall;
    pub mod gateway;
    pub mod interface;
    pub mod peering;
    pub mod route;
    pub mod sg;
}

use std::net::Ipv4Addr;

use ipnet::Ipv4Net;

use crate::model::*;

pub use apply::route::dest_text;
use apply::route::RouteOp;
pub use apply::sg::{peer_text, ports_text, rule_text};

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
    /// AWS Network Firewall: replace a rule group's rules and variables.
    UpdateRuleGroup {
        rule_group_arn: Option<String>,
        rule_group_name: Option<String>,
        /// `Type`: STATEFUL (true) or STATELESS, when given.
        stateful: Option<bool>,
        /// The new `RuleGroup` (or a Suricata `Rules` string).
        body: Option<Box<RuleGroup>>,
    },
    ModifyVpcBlockPublicAccessOptions {
        internet_gateway_block_mode: Option<String>,
    },
    CreateVpcBlockPublicAccessExclusion {
        vpc_id: Option<String>,
        subnet_id: Option<String>,
        internet_gateway_exclusion_mode: Option<String>,
    },
    ModifyVpcBlockPublicAccessExclusion {
        exclusion_id: Option<String>,
        internet_gateway_exclusion_mode: Option<String>,
    },
    DeleteVpcBlockPublicAccessExclusion {
        exclusion_id: Option<String>,
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
            } => self.delete_acl_entry(network_acl_id, egress, rule_number),
            Request::ReplaceNetworkAclAssociation {
                association_id,
                network_acl_id,
            } => self.replace_acl_association(association_id, network_acl_id),
            Request::CreateRoute(spec) => self.route(spec, RouteOp::Create),
            Request::ReplaceRoute(spec) => self.route(spec, RouteOp::Replace),
            Request::DeleteRoute(spec) => self.route(spec, RouteOp::Delete),
            Request::AssociateRouteTable {
                route_table_id,
                subnet_id,
                gateway_id,
            } => self.associate_route_table(route_table_id, subnet_id, gateway_id),
            Request::DisassociateRouteTable { association_id } => {
                self.disassociate_route_table(association_id)
            }
            Request::ReplaceRouteTableAssociation {
                association_id,
                route_table_id,
            } => self.replace_route_table_association(association_id, route_table_id),
            Request::AttachInternetGateway {
                internet_gateway_id,
                vpc_id,
            } => self.attach_internet_gateway(internet_gateway_id, vpc_id),
            Request::UpdateRuleGroup {
                rule_group_arn,
                rule_group_name,
                stateful,
                body,
            } => self.update_rule_group(rule_group_arn, rule_group_name, *stateful, body),
            Request::DetachInternetGateway {
                internet_gateway_id,
                vpc_id,
            } => self.detach_internet_gateway(internet_gateway_id, vpc_id),
            Request::ModifyNetworkInterfaceAttribute {
                network_interface_id,
                groups,
                source_dest_check,
                other_attributes,
            } => self.modify_network_interface_attribute(
                network_interface_id,
                groups,
                source_dest_check,
                other_attributes,
            ),

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
            } => self.disassociate_address(association_id, public_ip),
            Request::CreateVpcPeeringConnection {
                vpc_id,
                peer_vpc_id,
                peer_owner_id,
                peer_region,
            } => {
                self.create_vpc_peering_connection(vpc_id, peer_vpc_id, peer_owner_id, peer_region)
            }
            Request::AcceptVpcPeeringConnection {
                vpc_peering_connection_id,
            } => self.accept_vpc_peering_connection(vpc_peering_connection_id),
            Request::DeleteVpcPeeringConnection {
                vpc_peering_connection_id,
            } => self.delete_vpc_peering_connection(vpc_peering_connection_id),
            Request::ModifyVpcBlockPublicAccessOptions {
                internet_gateway_block_mode,
            } => self.modify_bpa_options(internet_gateway_block_mode),
            Request::CreateVpcBlockPublicAccessExclusion {
                vpc_id,
                subnet_id,
                internet_gateway_exclusion_mode,
            } => self.create_bpa_exclusion(vpc_id, subnet_id, internet_gateway_exclusion_mode),
            Request::ModifyVpcBlockPublicAccessExclusion {
                exclusion_id,
                internet_gateway_exclusion_mode,
            } => self.modify_bpa_exclusion(exclusion_id, internet_gateway_exclusion_mode),
            Request::DeleteVpcBlockPublicAccessExclusion { exclusion_id } => {
                self.delete_bpa_exclusion(exclusion_id)
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
}

fn attached(state: &GatewayAttachmentState) -> bool {
    state.is_attached()
}

fn assoc_help(field: &str) -> String {
    format!("association ids come from the snapshot ({field}); ids created earlier in this change are numbered rtbassoc-vpcreach…/aclassoc-vpcreach…")
}
