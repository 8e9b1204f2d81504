//! Reading a change file (a JSON list of EC2 API calls in request shape)
//! into [`crate::change::Call`]s, and turning every failure — bad JSON,
//! an unknown field, a call EC2 would refuse — into a located diagnostic:
//! file, line, column, JSON path, call index, action and EC2 error code.

// The diagnostics carry the file text for miette, as `load.rs`'s do.
#![allow(clippy::result_large_err)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use miette::{Diagnostic, NamedSource, SourceSpan};
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;
use thiserror::Error;

use super::change_shapes as cs;
use super::locate::{
    floor_boundary, json_source, line_col, offset_of, raw_offset, read_input_text, WindowedSource,
};
use crate::change::{
    self, AclEntrySpec, ApplyError, Call, PeerSpec, Request, RouteSpec, SgRuleSpec,
};
use crate::model::Network;

/// Every action a change file may name.
pub const SUPPORTED_ACTIONS: &[&str] = &[
    "AuthorizeSecurityGroupIngress",
    "AuthorizeSecurityGroupEgress",
    "RevokeSecurityGroupIngress",
    "RevokeSecurityGroupEgress",
    "ModifySecurityGroupRules",
    "CreateNetworkAclEntry",
    "ReplaceNetworkAclEntry",
    "DeleteNetworkAclEntry",
    "ReplaceNetworkAclAssociation",
    "CreateRoute",
    "ReplaceRoute",
    "DeleteRoute",
    "AssociateRouteTable",
    "DisassociateRouteTable",
    "ReplaceRouteTableAssociation",
    "AttachInternetGateway",
    "DetachInternetGateway",
    "ModifyNetworkInterfaceAttribute",
    "AssociateAddress",
    "DisassociateAddress",
    "CreateVpcPeeringConnection",
    "AcceptVpcPeeringConnection",
    "DeleteVpcPeeringConnection",
    "UpdateRuleGroup",
    "ModifyVpcBlockPublicAccessOptions",
    "CreateVpcBlockPublicAccessExclusion",
    "ModifyVpcBlockPublicAccessExclusion",
    "DeleteVpcBlockPublicAccessExclusion",
];

#[derive(Debug, Error, Diagnostic)]
pub enum ChangeFileError {
    #[error("cannot read change file {path}: {message}")]
    #[diagnostic(code(vpcreach::change::io))]
    Io { path: PathBuf, message: String },

    #[error("{file}:{line}:{column}: {message}{}", if json_path.is_empty() { String::new() } else { format!(" (at {json_path})") })]
    #[diagnostic(code(vpcreach::change::json))]
    Json {
        file: PathBuf,
        line: usize,
        column: usize,
        json_path: String,
        message: String,
        #[source_code]
        source_code: NamedSource<WindowedSource>,
        #[label("{json_path}")]
        span: SourceSpan,
        #[help]
        help: Option<String>,
    },

    #[error("{file}:{line}:{column}: call [{index}] {action} would fail: {code}: {message} (at {json_path})")]
    #[diagnostic(code(vpcreach::change::rejected))]
    Rejected {
        file: PathBuf,
        line: usize,
        column: usize,
        json_path: String,
        index: usize,
        action: String,
        /// EC2's error code.
        code: &'static str,
        message: String,
        #[source_code]
        source_code: NamedSource<WindowedSource>,
        #[label("{code}")]
        span: SourceSpan,
        #[help]
        help: Option<String>,
    },
}

impl ChangeFileError {
    /// EC2's error code, for a call EC2 would refuse.
    pub fn aws_code(&self) -> Option<&'static str> {
        match self {
            ChangeFileError::Rejected { code, .. } => Some(code),
            _ => None,
        }
    }
}

/// A parsed change file: its calls plus what it takes to locate errors.
#[derive(Debug)]
pub struct ChangeFile {
    pub file: PathBuf,
    pub text: String,
    pub calls: Vec<Call>,
    /// Byte offset of each call's object in `text`.
    offsets: Vec<usize>,
}

fn json_error(
    file: &Path,
    text: &str,
    offset: usize,
    json_path: String,
    message: String,
    help: Option<String>,
) -> ChangeFileError {
    let offset = floor_boundary(text, offset);
    let (line, column) = line_col(text, offset);
    ChangeFileError::Json {
        file: file.to_path_buf(),
        line,
        column,
        json_path,
        message,
        source_code: json_source(file, text),
        span: (offset, usize::from(offset < text.len())).into(),
        help,
    }
}

/// Read and parse a change file.
pub fn read(path: &Path) -> Result<ChangeFile, ChangeFileError> {
    let text = read_input_text(path).map_err(|e| ChangeFileError::Io {
        path: path.to_path_buf(),
        message: e.0,
    })?;
    parse(path, text)
}

/// Parse change-file text (`file` is used in messages only).
pub fn parse(file: &Path, text: String) -> Result<ChangeFile, ChangeFileError> {
    let (calls, offsets) = {
        let items: Vec<&RawValue> = serde_json::from_str(&text).map_err(|e| {
            let help = if e.is_syntax() || e.is_eof() {
                "the change file is not valid JSON"
            } else {
                "a change file is a JSON list of EC2 API calls, e.g. [{\"Action\": \"AuthorizeSecurityGroupIngress\", \"GroupId\": \"sg-…\", \"IpPermissions\": [...]}]"
            };
            json_error(
                file,
                &text,
                offset_of(&text, e.line(), e.column()),
                String::new(),
                e.to_string().split(" at line ").next().unwrap_or("").to_string(),
                Some(help.into()),
            )
        })?;
        let mut calls = Vec::new();
        let mut offsets = Vec::new();
        for (i, raw) in items.iter().enumerate() {
            offsets.push(raw_offset(&text, raw));
            calls.push(call(file, &text, i, raw)?);
        }
        (calls, offsets)
    };
    Ok(ChangeFile {
        file: file.to_path_buf(),
        text,
        calls,
        offsets,
    })
}

fn de<T: DeserializeOwned>(
    file: &Path,
    text: &str,
    index: usize,
    raw: &RawValue,
) -> Result<T, ChangeFileError> {
    let mut d = serde_json::Deserializer::from_str(raw.get());
    serde_path_to_error::deserialize(&mut d).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let offset = raw_offset(text, raw) + offset_of(raw.get(), inner.line(), inner.column());
        let json_path = if path == "." {
            format!("[{index}]")
        } else {
            format!("[{index}].{path}")
        };
        let message = inner.to_string();
        let message = message.split(" at line ").next().unwrap_or(&message).to_string();
        let help = if message.starts_with("unknown field") {
            Some("field names are the EC2 API's, as `aws ec2 <command> --generate-cli-skeleton` prints them".to_string())
        } else if message.contains("invalid IP") || message.contains("address") {
            Some("expected an IPv4 address or CIDR such as 10.0.0.0/16".to_string())
        } else if message.contains("invalid type") {
            Some("the value has the wrong JSON type for this parameter".to_string())
        } else {
            None
        };
        json_error(file, text, offset, json_path, message, help)
    })
}

fn call(file: &Path, text: &str, index: usize, raw: &RawValue) -> Result<Call, ChangeFileError> {
    let head: cs::ActionOnly = de(file, text, index, raw)?;
    let action = head.action.clone();
    macro_rules! parse {
        ($t:ty) => {
            de::<$t>(file, text, index, raw)?
        };
    }
    let request = match action.as_str() {
        "AuthorizeSecurityGroupIngress"
        | "AuthorizeSecurityGroupEgress"
        | "RevokeSecurityGroupIngress"
        | "RevokeSecurityGroupEgress" => {
            let r = parse!(cs::SecurityGroupPermissions);
            sg_permissions(&action, r)
        }
        "ModifySecurityGroupRules" => {
            let r = parse!(cs::ModifySecurityGroupRules);
            Request::ModifySecurityGroupRules {
                group_id: r.group_id,
                rules: r
                    .security_group_rules
                    .into_iter()
                    .enumerate()
                    .map(|(i, u)| {
                        let rule = u.security_group_rule;
                        let base = format!("SecurityGroupRules[{i}].SecurityGroupRule");
                        let (peer, field) = if let Some(c) = rule.cidr_ipv4 {
                            (PeerSpec::Cidr(c), "CidrIpv4")
                        } else if let Some(c) = rule.cidr_ipv6 {
                            (PeerSpec::Ipv6Cidr(c), "CidrIpv6")
                        } else if let Some(p) = rule.prefix_list_id {
                            (PeerSpec::PrefixList(p), "PrefixListId")
                        } else {
                            (
                                PeerSpec::Group {
                                    group_id: rule.referenced_group_id,
                                    group_name: None,
                                    user_id: None,
                                    vpc_id: None,
                                    peering_id: None,
                                },
                                "ReferencedGroupId",
                            )
                        };
                        (
                            u.security_group_rule_id,
                            SgRuleSpec {
                                protocol: rule.ip_protocol,
                                from_port: rule.from_port,
                                to_port: rule.to_port,
                                peer,
                                description: rule.description,
                                peer_path: format!("{base}.{field}"),
                                perm_path: base,
                            },
                        )
                    })
                    .collect(),
            }
        }
        "CreateNetworkAclEntry" | "ReplaceNetworkAclEntry" => {
            let r = parse!(cs::NetworkAclEntryRequest);
            let spec = AclEntrySpec {
                network_acl_id: r.network_acl_id,
                rule_number: r.rule_number,
                egress: r.egress,
                protocol: r.protocol,
                rule_action: r.rule_action,
                cidr: r.cidr_block,
                ipv6_cidr: r.ipv6_cidr_block,
                port_range: r.port_range.map(|p| (p.from, p.to)),
                icmp_type_code: r.icmp_type_code.map(|c| (c.type_, c.code)),
            };
            if action == "CreateNetworkAclEntry" {
                Request::CreateNetworkAclEntry(spec)
            } else {
                Request::ReplaceNetworkAclEntry(spec)
            }
        }
        "DeleteNetworkAclEntry" => {
            let r = parse!(cs::DeleteNetworkAclEntry);
            Request::DeleteNetworkAclEntry {
                network_acl_id: r.network_acl_id,
                egress: r.egress,
                rule_number: r.rule_number,
            }
        }
        "ReplaceNetworkAclAssociation" => {
            let r = parse!(cs::AssociationRequest);
            Request::ReplaceNetworkAclAssociation {
                association_id: r.association_id,
                network_acl_id: r.network_acl_id,
            }
        }
        "AssociateRouteTable" => {
            let r = parse!(cs::AssociationRequest);
            Request::AssociateRouteTable {
                route_table_id: r.route_table_id,
                subnet_id: r.subnet_id,
                gateway_id: r.gateway_id,
            }
        }
        "DisassociateRouteTable" => {
            let r = parse!(cs::AssociationRequest);
            Request::DisassociateRouteTable {
                association_id: r.association_id,
            }
        }
        "ReplaceRouteTableAssociation" => {
            let r = parse!(cs::AssociationRequest);
            Request::ReplaceRouteTableAssociation {
                association_id: r.association_id,
                route_table_id: r.route_table_id,
            }
        }
        "CreateRoute" | "ReplaceRoute" | "DeleteRoute" => {
            let r = parse!(cs::RouteRequest);
            if let Some(v) = &r.destination_ipv6_cidr_block {
                if v.parse::<ipnet::Ipv6Net>().is_err() {
                    return Err(refused(
                        file,
                        text,
                        raw,
                        index,
                        &action,
                        "DestinationIpv6CidrBlock",
                        "InvalidParameterValue",
                        format!("Value ({v}) for parameter destinationIpv6CidrBlock is invalid. This is not a valid IPv6 CIDR block."),
                        Some("an IPv6 CIDR such as 2001:db8::/56".into()),
                    ));
                }
            }
            let mut targets = Vec::new();
            for (field, v) in [
                ("GatewayId", r.gateway_id),
                ("NatGatewayId", r.nat_gateway_id),
                ("VpcPeeringConnectionId", r.vpc_peering_connection_id),
                ("NetworkInterfaceId", r.network_interface_id),
                ("InstanceId", r.instance_id),
                ("TransitGatewayId", r.transit_gateway_id),
                (
                    "EgressOnlyInternetGatewayId",
                    r.egress_only_internet_gateway_id,
                ),
                ("VpcEndpointId", r.vpc_endpoint_id),
                ("LocalGatewayId", r.local_gateway_id),
                ("CarrierGatewayId", r.carrier_gateway_id),
                ("CoreNetworkArn", r.core_network_arn),
                ("OdbNetworkArn", r.odb_network_arn),
            ] {
                if let Some(v) = v {
                    targets.push((field, v));
                }
            }
            let spec = RouteSpec {
                route_table_id: r.route_table_id,
                destination_cidr: r.destination_cidr_block,
                destination_ipv6_cidr: r.destination_ipv6_cidr_block,
                destination_prefix_list: r.destination_prefix_list_id,
                targets,
                local_target: r.local_target.unwrap_or(false),
            };
            match action.as_str() {
                "CreateRoute" => Request::CreateRoute(spec),
                "ReplaceRoute" => Request::ReplaceRoute(spec),
                _ => Request::DeleteRoute(spec),
            }
        }
        "UpdateRuleGroup" => {
            let r = parse!(cs::UpdateRuleGroup);
            let stateful = match r.kind.as_deref() {
                Some("STATEFUL") => Some(true),
                Some("STATELESS") => Some(false),
                _ => None,
            };
            let body = match (&r.rule_group, &r.rules) {
                (Some(g), _) => Some(super::convert::firewall::rule_group(
                    "",
                    "",
                    stateful.unwrap_or(false),
                    g,
                )),
                (None, Some(_)) => Some(crate::model::RuleGroup {
                    rules: crate::model::RulesSource::Suricata,
                    ..super::convert::firewall::rule_group("", "", true, &Default::default())
                }),
                (None, None) => None,
            };
            Request::UpdateRuleGroup {
                rule_group_arn: r.rule_group_arn,
                rule_group_name: r.rule_group_name,
                stateful,
                body: body.map(Box::new),
            }
        }
        "AttachInternetGateway" | "DetachInternetGateway" => {
            let r = parse!(cs::InternetGatewayRequest);
            if action == "AttachInternetGateway" {
                Request::AttachInternetGateway {
                    internet_gateway_id: r.internet_gateway_id,
                    vpc_id: r.vpc_id,
                }
            } else {
                Request::DetachInternetGateway {
                    internet_gateway_id: r.internet_gateway_id,
                    vpc_id: r.vpc_id,
                }
            }
        }
        "ModifyNetworkInterfaceAttribute" => {
            let r = parse!(cs::ModifyNetworkInterfaceAttribute);
            let mut other = Vec::new();
            for (name, present) in [
                ("Description", r.description.is_some()),
                ("Attachment", r.attachment.is_some()),
                ("EnaSrdSpecification", r.ena_srd_specification.is_some()),
                ("EnablePrimaryIpv6", r.enable_primary_ipv6.is_some()),
                (
                    "ConnectionTrackingSpecification",
                    r.connection_tracking_specification.is_some(),
                ),
                (
                    "AssociatePublicIpAddress",
                    r.associate_public_ip_address.is_some(),
                ),
                ("AssociatedSubnetIds", r.associated_subnet_ids.is_some()),
            ] {
                if present {
                    other.push(name);
                }
            }
            Request::ModifyNetworkInterfaceAttribute {
                network_interface_id: r.network_interface_id,
                groups: r.groups,
                source_dest_check: r.source_dest_check.map(|b| b.value),
                other_attributes: other,
            }
        }
        "AssociateAddress" => {
            let r = parse!(cs::AddressRequest);
            Request::AssociateAddress {
                allocation_id: r.allocation_id,
                public_ip: r.public_ip,
                instance_id: r.instance_id,
                network_interface_id: r.network_interface_id,
                private_ip: r.private_ip_address,
                allow_reassociation: r.allow_reassociation.unwrap_or(false),
            }
        }
        "DisassociateAddress" => {
            let r = parse!(cs::AddressRequest);
            Request::DisassociateAddress {
                association_id: r.association_id,
                public_ip: r.public_ip,
            }
        }
        "CreateVpcPeeringConnection" => {
            let r = parse!(cs::PeeringRequest);
            Request::CreateVpcPeeringConnection {
                vpc_id: r.vpc_id,
                peer_vpc_id: r.peer_vpc_id,
                peer_owner_id: r.peer_owner_id,
                peer_region: r.peer_region,
            }
        }
        "AcceptVpcPeeringConnection" | "DeleteVpcPeeringConnection" => {
            let r = parse!(cs::PeeringRequest);
            if action == "AcceptVpcPeeringConnection" {
                Request::AcceptVpcPeeringConnection {
                    vpc_peering_connection_id: r.vpc_peering_connection_id,
                }
            } else {
                Request::DeleteVpcPeeringConnection {
                    vpc_peering_connection_id: r.vpc_peering_connection_id,
                }
            }
        }
        "ModifyVpcBlockPublicAccessOptions"
        | "CreateVpcBlockPublicAccessExclusion"
        | "ModifyVpcBlockPublicAccessExclusion"
        | "DeleteVpcBlockPublicAccessExclusion" => {
            let r = parse!(cs::BlockPublicAccessRequest);
            match action.as_str() {
                "ModifyVpcBlockPublicAccessOptions" => Request::ModifyVpcBlockPublicAccessOptions {
                    internet_gateway_block_mode: r.internet_gateway_block_mode,
                },
                "CreateVpcBlockPublicAccessExclusion" => {
                    Request::CreateVpcBlockPublicAccessExclusion {
                        vpc_id: r.vpc_id,
                        subnet_id: r.subnet_id,
                        internet_gateway_exclusion_mode: r.internet_gateway_exclusion_mode,
                    }
                }
                "ModifyVpcBlockPublicAccessExclusion" => {
                    Request::ModifyVpcBlockPublicAccessExclusion {
                        exclusion_id: r.exclusion_id,
                        internet_gateway_exclusion_mode: r.internet_gateway_exclusion_mode,
                    }
                }
                _ => Request::DeleteVpcBlockPublicAccessExclusion {
                    exclusion_id: r.exclusion_id,
                },
            }
        }
        other => {
            return Err(refused(
                file,
                text,
                raw,
                index,
                other,
                "Action",
                "InvalidAction",
                format!(
                    "the action {other} is not valid here (not an EC2 call that vpcreach models)"
                ),
                Some(format!(
                    "supported actions: {}",
                    SUPPORTED_ACTIONS.join(", ")
                )),
            ));
        }
    };
    Ok(Call { action, request })
}

/// A call EC2 would refuse before looking at the network (a malformed
/// parameter), located at `field` of call `index`.
#[allow(clippy::too_many_arguments)]
fn refused(
    file: &Path,
    text: &str,
    raw: &RawValue,
    index: usize,
    action: &str,
    field: &str,
    code: &'static str,
    message: String,
    help: Option<String>,
) -> ChangeFileError {
    let offset = locate(text, raw, field);
    let (line, column) = line_col(text, offset);
    ChangeFileError::Rejected {
        file: file.to_path_buf(),
        line,
        column,
        json_path: format!("[{index}].{field}"),
        index,
        action: action.to_string(),
        code,
        message,
        source_code: json_source(file, text),
        span: (offset, usize::from(offset < text.len())).into(),
        help,
    }
}

fn sg_permissions(action: &str, r: cs::SecurityGroupPermissions) -> Request {
    let mut rules = Vec::new();
    for (i, p) in r.ip_permissions.into_iter().flatten().enumerate() {
        let base = format!("IpPermissions[{i}]");
        let protocol = p.ip_protocol.clone().unwrap_or_default();
        let mut push = |peer: PeerSpec, description: Option<String>, peer_path: String| {
            rules.push(SgRuleSpec {
                protocol: protocol.clone(),
                from_port: p.from_port,
                to_port: p.to_port,
                peer,
                description,
                perm_path: base.clone(),
                peer_path,
            })
        };
        for (j, x) in p.ip_ranges.into_iter().enumerate() {
            push(
                PeerSpec::Cidr(x.cidr_ip),
                x.description,
                format!("{base}.IpRanges[{j}]"),
            );
        }
        for (j, x) in p.ipv6_ranges.into_iter().enumerate() {
            push(
                PeerSpec::Ipv6Cidr(x.cidr_ipv6),
                x.description,
                format!("{base}.Ipv6Ranges[{j}]"),
            );
        }
        for (j, x) in p.prefix_list_ids.into_iter().enumerate() {
            push(
                PeerSpec::PrefixList(x.prefix_list_id),
                x.description,
                format!("{base}.PrefixListIds[{j}]"),
            );
        }
        for (j, x) in p.user_id_group_pairs.into_iter().enumerate() {
            push(
                PeerSpec::Group {
                    group_id: x.group_id,
                    group_name: x.group_name,
                    user_id: x.user_id,
                    vpc_id: x.vpc_id,
                    peering_id: x.vpc_peering_connection_id,
                },
                x.description,
                format!("{base}.UserIdGroupPairs[{j}]"),
            );
        }
    }
    // The flattened form: CidrIp + IpProtocol + FromPort + ToPort.
    if let Some(c) = r.cidr_ip {
        rules.push(SgRuleSpec {
            protocol: r.ip_protocol.clone().unwrap_or_else(|| "-1".into()),
            from_port: r.from_port,
            to_port: r.to_port,
            peer: PeerSpec::Cidr(c),
            description: None,
            perm_path: String::new(),
            peer_path: "CidrIp".into(),
        });
    } else if let Some(name) = &r.source_security_group_name {
        // EC2's legacy form: a source group by name grants tcp, udp and icmp.
        for (proto, from, to) in [("tcp", 0, 65535), ("udp", 0, 65535), ("icmp", -1, -1)] {
            rules.push(SgRuleSpec {
                protocol: proto.into(),
                from_port: Some(from),
                to_port: Some(to),
                peer: PeerSpec::Group {
                    group_id: None,
                    group_name: Some(name.clone()),
                    user_id: r.source_security_group_owner_id.clone(),
                    vpc_id: None,
                    peering_id: None,
                },
                description: None,
                perm_path: String::new(),
                peer_path: "SourceSecurityGroupName".into(),
            });
        }
    }
    Request::SecurityGroupRules {
        revoke: action.starts_with("Revoke"),
        egress: action.ends_with("Egress"),
        group_id: r.group_id,
        group_name: r.group_name,
        rules,
        rule_ids: r.security_group_rule_ids.unwrap_or_default(),
    }
}

enum Seg {
    Key(String),
    Index(usize),
}

fn segments(path: &str) -> Vec<Seg> {
    let mut out = Vec::new();
    for part in path.split('.').filter(|p| !p.is_empty()) {
        let mut rest = part;
        if let Some(b) = rest.find('[') {
            if b > 0 {
                out.push(Seg::Key(rest[..b].to_string()));
            }
            rest = &rest[b..];
            while let Some(stripped) = rest.strip_prefix('[') {
                let end = stripped.find(']').unwrap_or(stripped.len());
                if let Ok(i) = stripped[..end].parse() {
                    out.push(Seg::Index(i));
                }
                rest = stripped.get(end + 1..).unwrap_or("");
            }
        } else {
            out.push(Seg::Key(rest.to_string()));
        }
    }
    out
}

/// Byte offset in `text` of the value at request path `path` inside the
/// call `raw` (the deepest part of the path that exists).
pub(crate) fn locate(text: &str, raw: &RawValue, path: &str) -> usize {
    let mut current: &RawValue = raw;
    for seg in segments(path) {
        let next = match seg {
            Seg::Key(k) => serde_json::from_str::<BTreeMap<String, &RawValue>>(current.get())
                .ok()
                .and_then(|m| m.get(&k).copied()),
            Seg::Index(i) => serde_json::from_str::<Vec<&RawValue>>(current.get())
                .ok()
                .and_then(|v| v.get(i).copied()),
        };
        match next {
            // The value borrows from `current`, which borrows from `text`.
            Some(n) => current = n,
            None => break,
        }
    }
    raw_offset(text, current)
}

impl ChangeFile {
    /// Apply the calls to a copy of `base`; a refused call becomes a
    /// located diagnostic naming the call, the action and EC2's code.
    pub fn apply(&self, base: &Network) -> Result<change::Outcome, ChangeFileError> {
        change::apply(base, &self.calls).map_err(|e| self.rejected(e))
    }

    fn rejected(&self, e: ApplyError) -> ChangeFileError {
        let start = self.offsets.get(e.index).copied().unwrap_or(0);
        // Re-borrow the call's raw text from the file text.
        let items: Vec<&RawValue> = serde_json::from_str(&self.text).unwrap_or_default();
        let offset = items
            .get(e.index)
            .map(|raw| locate(&self.text, raw, &e.field))
            .unwrap_or(start);
        let (line, column) = line_col(&self.text, offset);
        let json_path = if e.field.is_empty() {
            format!("[{}]", e.index)
        } else {
            format!("[{}].{}", e.index, e.field)
        };
        ChangeFileError::Rejected {
            file: self.file.clone(),
            line,
            column,
            json_path,
            index: e.index,
            action: e.action,
            code: e.code,
            message: e.message,
            source_code: json_source(&self.file, &self.text),
            span: (offset, usize::from(offset < self.text.len())).into(),
            help: e.help,
        }
    }
}
