//! Network Access Scope JSON (aws-vpc-semantics.md B.2): the serde shapes,
//! both top-level forms, and located diagnostics for every bad field.
//!
//! Accepted: the `create-network-insights-access-scope` request
//! (`{"MatchPaths": [...], "ExcludePaths": [...]}`) and the output of
//! `get-network-insights-access-scope-content`
//! (`{"NetworkInsightsAccessScopeContent": {...}}`). Field names are AWS's;
//! unknown fields are errors (a misspelt `Resource` would silently match
//! everything otherwise). Nothing outside this file sees a serde type.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use serde::Deserialize;

use super::load::SnapshotError;
use super::locate::offset_of;
use crate::audit::scope::*;
use crate::packet::*;

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
#[allow(dead_code)]
struct Top {
    #[serde(default)]
    match_paths: Option<Vec<PathShape>>,
    #[serde(default)]
    exclude_paths: Option<Vec<PathShape>>,
    #[serde(default)]
    network_insights_access_scope_content: Option<Content>,
    // Envelope fields AWS prints or takes beside the paths; ignored.
    #[serde(default)]
    network_insights_access_scope_id: Option<serde::de::IgnoredAny>,
    #[serde(default)]
    network_insights_access_scope: Option<serde::de::IgnoredAny>,
    #[serde(default)]
    client_token: Option<serde::de::IgnoredAny>,
    #[serde(default)]
    tag_specifications: Option<serde::de::IgnoredAny>,
    #[serde(default)]
    dry_run: Option<serde::de::IgnoredAny>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
#[allow(dead_code)]
struct Content {
    #[serde(default)]
    network_insights_access_scope_id: Option<serde::de::IgnoredAny>,
    #[serde(default)]
    match_paths: Option<Vec<PathShape>>,
    #[serde(default)]
    exclude_paths: Option<Vec<PathShape>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct PathShape {
    #[serde(default)]
    source: Option<EndStatement>,
    #[serde(default)]
    destination: Option<EndStatement>,
    #[serde(default)]
    through_resources: Option<Vec<ThroughStatement>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct EndStatement {
    #[serde(default)]
    resource_statement: Option<EndResources>,
    #[serde(default)]
    packet_header_statement: Option<HeaderShape>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct ThroughStatement {
    resource_statement: ThroughResources,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct RawResources {
    #[serde(default)]
    resources: Option<Vec<String>>,
    #[serde(default)]
    resource_types: Option<Vec<TypeName>>,
    /// vpcreach extension.
    #[serde(default)]
    tags: Option<BTreeMap<String, String>>,
}

/// A resource statement at a path's source or destination.
#[derive(Deserialize)]
#[serde(try_from = "RawResources")]
struct EndResources(ResourceStatement);

/// A resource statement in `ThroughResources`.
#[derive(Deserialize)]
#[serde(try_from = "RawResources")]
struct ThroughResources(ResourceStatement);

#[derive(Deserialize)]
#[serde(try_from = "String")]
struct TypeName(ResourceType);

impl TryFrom<String> for TypeName {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        ResourceType::parse(&s).map(TypeName).ok_or_else(|| {
            format!(
                "unknown resource type {s:?}; expected one of {}",
                ResourceType::NAMES
                    .iter()
                    .map(|(n, _)| *n)
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })
    }
}

/// `arn:aws:ec2:us-east-1:123456789012:network-interface/eni-0abc` → `eni-0abc`.
fn resource_id(s: &str) -> Result<String, String> {
    if let Some(rest) = s.strip_prefix("arn:") {
        if rest.contains(":resource-groups:") {
            return Err(format!("{s:?}: resource groups cannot be resolved offline; select the resources by tag instead (vpcreach extension: \"Tags\": {{\"key\": \"value\"}})"));
        }
        return match s.rsplit_once('/') {
            Some((_, id)) if !id.is_empty() => Ok(id.to_string()),
            _ => Err(format!("{s:?} is an ARN without a resource id")),
        };
    }
    if s.is_empty() || !s.contains('-') {
        return Err(format!(
            "{s:?} is not a resource id (such as eni-0abc…, vpc-0abc…) or ARN"
        ));
    }
    Ok(s.to_string())
}

const END_PREFIXES: &[&str] = &[
    "eni", "i", "igw", "pcx", "sg", "subnet", "vpc", "vgw", "tgw", "vpce",
];
const THROUGH_PREFIXES: &[&str] = &["nat", "pcx", "tgw", "vpce", "vpce-svc", "network-firewall"];

fn convert_resources(raw: RawResources, at_end: bool) -> Result<ResourceStatement, String> {
    if raw.resources.is_some() && raw.resource_types.is_some() {
        return Err("a ResourceStatement takes Resources or ResourceTypes, not both".into());
    }
    if raw.resources.is_none() && raw.resource_types.is_none() && raw.tags.is_none() {
        return Err("an empty ResourceStatement: give Resources, ResourceTypes or Tags".into());
    }
    let mut st = ResourceStatement {
        tags: raw.tags,
        ..Default::default()
    };
    if let Some(types) = raw.resource_types {
        if types.is_empty() {
            return Err("ResourceTypes is empty".into());
        }
        for t in &types {
            let name = ResourceType::NAMES
                .iter()
                .find(|(_, x)| *x == t.0)
                .map(|(n, _)| *n)
                .unwrap_or("?");
            if at_end && !t.0.allowed_at_end() {
                return Err(format!(
                    "{name} is allowed only in ThroughResources, not as a Source or Destination"
                ));
            }
            if !at_end && !t.0.allowed_through() {
                return Err(format!("{name} can only be a Source or Destination, not in ThroughResources (paths never go through it, B.6)"));
            }
        }
        st.types = Some(types.into_iter().map(|t| t.0).collect());
    }
    if let Some(resources) = raw.resources {
        if resources.is_empty() {
            return Err("Resources is empty".into());
        }
        let mut ids = Vec::new();
        for r in &resources {
            let id = resource_id(r)?;
            let kind = id.split('-').next().unwrap_or("");
            let allowed = if at_end {
                END_PREFIXES
            } else {
                THROUGH_PREFIXES
            };
            if !r.starts_with("arn:") && !allowed.contains(&kind) {
                return Err(if at_end {
                    format!("{id:?} cannot be a Source or Destination; use ids of ENIs, instances, internet gateways, peering connections, security groups, subnets or VPCs")
                } else {
                    format!("{id:?} cannot be passed through; use ids of NAT gateways, peering connections, transit gateway attachments or VPC endpoints")
                });
            }
            ids.push(id);
        }
        st.resources = Some(ids);
    }
    Ok(st)
}

impl TryFrom<RawResources> for EndResources {
    type Error = String;
    fn try_from(raw: RawResources) -> Result<Self, String> {
        convert_resources(raw, true).map(EndResources)
    }
}

impl TryFrom<RawResources> for ThroughResources {
    type Error = String;
    fn try_from(raw: RawResources) -> Result<Self, String> {
        convert_resources(raw, false).map(ThroughResources)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct RawHeaders {
    #[serde(default)]
    source_addresses: Option<Vec<Cidr>>,
    #[serde(default)]
    destination_addresses: Option<Vec<Cidr>>,
    #[serde(default)]
    source_ports: Option<Vec<Ports>>,
    #[serde(default)]
    destination_ports: Option<Vec<Ports>>,
    #[serde(default)]
    source_prefix_lists: Option<Vec<String>>,
    #[serde(default)]
    destination_prefix_lists: Option<Vec<String>>,
    #[serde(default)]
    protocols: Option<Vec<Proto>>,
}

#[derive(Deserialize)]
#[serde(try_from = "RawHeaders")]
struct HeaderShape(HeaderStatement);

#[derive(Deserialize)]
#[serde(try_from = "String")]
struct Cidr(AddrSet);

impl TryFrom<String> for Cidr {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        let t = s.trim();
        if let Ok(net) = t.parse::<ipnet::Ipv4Net>() {
            return Ok(Cidr(net_set(&net.trunc())));
        }
        if let Ok(ip) = t.parse::<std::net::Ipv4Addr>() {
            return Ok(Cidr(ip_set(ip)));
        }
        Err(format!(
            "{s:?} is not an IPv4 address or CIDR such as 10.0.0.0/16 (IPv6 is not analysed, B.1.6)"
        ))
    }
}

#[derive(Deserialize)]
#[serde(try_from = "String")]
struct Ports(PortSet);

impl TryFrom<String> for Ports {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        let bad = || {
            format!("{s:?} is not a port (\"443\") or port range (\"1024-65535\") within 0-65535")
        };
        let (a, b) = match s.trim().split_once('-') {
            Some((a, b)) => (a.trim(), b.trim()),
            None => (s.trim(), s.trim()),
        };
        let (a, b) = (
            a.parse::<u16>().map_err(|_| bad())?,
            b.parse::<u16>().map_err(|_| bad())?,
        );
        if a > b {
            return Err(bad());
        }
        Ok(Ports(port_range(a, b)))
    }
}

#[derive(Deserialize)]
#[serde(try_from = "String")]
struct Proto(u8);

impl TryFrom<String> for Proto {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "tcp" => Ok(Proto(PROTO_TCP)),
            "udp" => Ok(Proto(PROTO_UDP)),
            "icmp" => Ok(Proto(PROTO_ICMP)),
            n => n.parse::<u8>().map(Proto).map_err(|_| {
                format!("unknown protocol {s:?}; expected \"tcp\" or \"udp\" (AWS), or \"icmp\" or a protocol number (vpcreach)")
            }),
        }
    }
}

impl TryFrom<RawHeaders> for HeaderShape {
    type Error = String;
    fn try_from(raw: RawHeaders) -> Result<Self, String> {
        if raw.source_addresses.is_some() && raw.source_prefix_lists.is_some() {
            return Err("SourceAddresses and SourcePrefixLists exclude each other".into());
        }
        if raw.destination_addresses.is_some() && raw.destination_prefix_lists.is_some() {
            return Err(
                "DestinationAddresses and DestinationPrefixLists exclude each other".into(),
            );
        }
        let addrs = |v: Option<Vec<Cidr>>| -> Result<Option<AddrSet>, String> {
            match v {
                None => Ok(None),
                Some(v) if v.is_empty() => Err("an empty address list matches nothing".into()),
                Some(v) => Ok(Some(v.into_iter().fold(AddrSet::new(), |a, c| a | c.0))),
            }
        };
        let ports = |v: Option<Vec<Ports>>| -> Result<Option<PortSet>, String> {
            match v {
                None => Ok(None),
                Some(v) if v.is_empty() => Err("an empty port list matches nothing".into()),
                Some(v) => Ok(Some(v.into_iter().fold(PortSet::new(), |a, c| a | c.0))),
            }
        };
        let pls = |v: Option<Vec<String>>| -> Result<Vec<String>, String> {
            let v = v.unwrap_or_default();
            v.iter()
                .map(|p| {
                    let id = resource_id(p)?;
                    if id.starts_with("pl-") {
                        Ok(id)
                    } else {
                        Err(format!("{p:?} is not a prefix list id (pl-…) or ARN"))
                    }
                })
                .collect()
        };
        let protocols = match raw.protocols {
            None => None,
            Some(v) if v.is_empty() => return Err("Protocols is empty".into()),
            Some(v) => Some(v.into_iter().map(|p| p.0..=p.0).collect::<ProtoSet>()),
        };
        let st = HeaderStatement {
            source_addresses: addrs(raw.source_addresses)?,
            destination_addresses: addrs(raw.destination_addresses)?,
            source_ports: ports(raw.source_ports)?,
            destination_ports: ports(raw.destination_ports)?,
            source_prefix_lists: pls(raw.source_prefix_lists)?,
            destination_prefix_lists: pls(raw.destination_prefix_lists)?,
            protocols,
        };
        if st == HeaderStatement::default() {
            return Err("an empty PacketHeaderStatement: give at least one field".into());
        }
        Ok(HeaderShape(st))
    }
}

fn convert_path(p: PathShape, json_path: String) -> ScopePath {
    let end = |s: Option<EndStatement>| {
        s.map(|s| PathStatement {
            resources: s.resource_statement.map(|r| r.0),
            headers: s.packet_header_statement.map(|h| h.0),
        })
    };
    ScopePath {
        source: end(p.source),
        destination: end(p.destination),
        through: p
            .through_resources
            .unwrap_or_default()
            .into_iter()
            .map(|t| t.resource_statement.0)
            .collect(),
        json_path,
    }
}

/// Parse a scope file's text. `file` names it in diagnostics.
pub fn parse_scope(file: &Path, text: &str, name: &str) -> Result<Scope, SnapshotError> {
    let mut de = serde_json::Deserializer::from_str(text);
    let top: Top = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let offset = offset_of(text, inner.line(), inner.column());
        let message = inner.to_string();
        let message = message
            .split(" at line ")
            .next()
            .unwrap_or(&message)
            .to_string();
        let help = if inner.is_syntax() || inner.is_eof() {
            "the scope file is not valid JSON"
        } else {
            "a scope is {\"MatchPaths\": [{\"Source\": {...}, \"Destination\": {...}, \"ThroughResources\": [...]}], \"ExcludePaths\": [...]} as `aws ec2 create-network-insights-access-scope` takes it; see docs/audit.md"
        };
        SnapshotError::at(
            file,
            text,
            offset,
            if path == "." { String::new() } else { path },
            message,
            Some(help.into()),
        )
    })?;
    // A serde_json error needs a position: point semantic errors at the key.
    let at_key = |key: &str, message: String, help: &str| {
        let offset = text.find(&format!("\"{key}\"")).unwrap_or(0);
        SnapshotError::at(
            file,
            text,
            offset,
            key.to_string(),
            message,
            Some(help.into()),
        )
    };
    let (prefix, match_paths, exclude_paths) = match top.network_insights_access_scope_content {
        Some(content) => {
            if top.match_paths.is_some() || top.exclude_paths.is_some() {
                return Err(at_key(
                    "NetworkInsightsAccessScopeContent",
                    "both NetworkInsightsAccessScopeContent and top-level MatchPaths/ExcludePaths"
                        .into(),
                    "give one of the two shapes",
                ));
            }
            (
                "NetworkInsightsAccessScopeContent.",
                content.match_paths,
                content.exclude_paths,
            )
        }
        None => ("", top.match_paths, top.exclude_paths),
    };
    let match_paths = match match_paths {
        Some(m) if !m.is_empty() => m,
        _ => {
            return Err(at_key(
                "MatchPaths",
                "a scope needs at least one element in MatchPaths (B.1.1)".into(),
                "e.g. {\"MatchPaths\": [{\"Source\": {\"ResourceStatement\": {\"ResourceTypes\": [\"AWS::EC2::InternetGateway\"]}}}]}",
            ))
        }
    };
    let mut scope = Scope {
        name: name.to_string(),
        ..Default::default()
    };
    let mut seen = HashSet::new();
    for (i, p) in match_paths.into_iter().enumerate() {
        let path = convert_path(p, format!("{prefix}MatchPaths[{i}]"));
        ScopePath::push_distinct(&mut scope.match_paths, &mut seen, path);
    }
    let mut seen = HashSet::new();
    for (i, p) in exclude_paths.unwrap_or_default().into_iter().enumerate() {
        let path = convert_path(p, format!("{prefix}ExcludePaths[{i}]"));
        if path.is_empty() {
            return Err(at_key(
                "ExcludePaths",
                format!(
                    "{} needs Source, Destination or ThroughResources (B.1)",
                    path.json_path
                ),
                "an empty exclude path would exclude everything",
            ));
        }
        ScopePath::push_distinct(&mut scope.exclude_paths, &mut seen, path);
    }
    Ok(scope)
}

/// Point at the first occurrence of `"value"` in `text` (for errors found
/// after parsing, such as a prefix list the snapshot lacks).
pub fn locate_value(
    file: &Path,
    text: &str,
    value: &str,
    json_path: &str,
    message: String,
    help: Option<String>,
) -> SnapshotError {
    let offset = text
        .find(&format!("\"{value}\""))
        .map(|o| o + 1)
        .unwrap_or(0);
    SnapshotError::at(file, text, offset, json_path.to_string(), message, help)
}
