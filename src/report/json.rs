//! AWS-shaped JSON: `NetworkInsightsAnalysis`, `PathComponent`, `Explanation`.

use serde_json::{json, Map, Value};

use crate::analysis::path::INTERNET_HOP_ID;
use crate::analysis::{ComponentRef, Explanation, Hop, PathAnalysis};
use crate::model::{
    AclEntry, Protocol, Route, RouteDestination, RouteOrigin, RouteTarget, RuleAction, SgPeer,
};
use crate::packet::*;

pub fn component(c: &ComponentRef) -> Value {
    let mut m = Map::new();
    m.insert("Id".into(), json!(c.id));
    if let Some(n) = &c.name {
        m.insert("Name".into(), json!(n));
    }
    Value::Object(m)
}

fn protocol_text(p: Protocol) -> String {
    match p {
        Protocol::All => "all".into(),
        Protocol::Number(n) => proto_name(n),
    }
}

pub fn acl_rule(r: &AclEntry) -> Value {
    let mut m = Map::new();
    m.insert(
        "Cidr".into(),
        json!(r.cidr.map(|c| c.to_string()).or(r.ipv6_cidr.clone())),
    );
    m.insert("Egress".into(), json!(r.egress));
    m.insert("Protocol".into(), json!(protocol_text(r.protocol)));
    m.insert(
        "RuleAction".into(),
        json!(if r.action == RuleAction::Allow {
            "allow"
        } else {
            "deny"
        }),
    );
    m.insert("RuleNumber".into(), json!(r.rule_number));
    if let Some((f, t)) = r.port_range {
        m.insert("PortRange".into(), json!({"From": f, "To": t}));
    }
    Value::Object(m)
}

pub fn route(r: &Route) -> Value {
    let mut m = Map::new();
    match &r.destination {
        RouteDestination::Cidr(c) => m.insert("DestinationCidr".into(), json!(c.to_string())),
        RouteDestination::PrefixList(p) => m.insert("DestinationPrefixListId".into(), json!(p)),
        RouteDestination::Ipv6(c) => m.insert("DestinationCidr".into(), json!(c)),
    };
    let (field, id) = match &r.target {
        RouteTarget::Local => ("GatewayId", "local".to_string()),
        RouteTarget::InternetGateway(id)
        | RouteTarget::VpnGateway(id)
        | RouteTarget::VpcEndpoint(id) => ("GatewayId", id.clone()),
        RouteTarget::NatGateway(id) => ("NatGatewayId", id.clone()),
        RouteTarget::VpcPeering(id) => ("VpcPeeringConnectionId", id.clone()),
        RouteTarget::NetworkInterface(id) => ("NetworkInterfaceId", id.clone()),
        RouteTarget::Instance(id) => ("InstanceId", id.clone()),
        RouteTarget::TransitGateway(id) => ("TransitGatewayId", id.clone()),
        RouteTarget::EgressOnlyInternetGateway(id) => ("EgressOnlyInternetGatewayId", id.clone()),
        RouteTarget::Other { id, .. } => ("GatewayId", id.clone()),
    };
    m.insert(field.into(), json!(id));
    m.insert(
        "Origin".into(),
        json!(match &r.origin {
            RouteOrigin::CreateRouteTable => "createroutetable".to_string(),
            RouteOrigin::CreateRoute => "createroute".to_string(),
            RouteOrigin::EnableVgwRoutePropagation => "enablevgwroutepropagation".to_string(),
            RouteOrigin::Other(o) => o.to_ascii_lowercase(),
        }),
    );
    m.insert("State".into(), json!(r.state.as_str()));
    Value::Object(m)
}

fn port_ranges(set: &PortSet) -> Value {
    Value::Array(
        set.ranges()
            .map(|r| json!({"From": r.start(), "To": r.end()}))
            .collect(),
    )
}

/// `AnalysisPacketHeader`. A header set with several cubes is shown as the
/// union of each field (what AWS's single-protocol header can express).
pub fn header(set: &HeaderSet) -> Value {
    let protos = set.proto_union();
    let protocol = if protos.is_universal() {
        "all".to_string()
    } else {
        protos
            .ranges()
            .flat_map(|r| r.map(|p| p.to_string()))
            .collect::<Vec<_>>()
            .join(",")
    };
    let sports = set.cubes().iter().fold(PortSet::new(), |a, c| a | &c.sport);
    let dports = set.cubes().iter().fold(PortSet::new(), |a, c| a | &c.dport);
    json!({
        "SourceAddresses": addr_set_cidrs(&set.src_union()).iter().map(|n| n.to_string()).collect::<Vec<_>>(),
        "DestinationAddresses": addr_set_cidrs(&set.dst_union()).iter().map(|n| n.to_string()).collect::<Vec<_>>(),
        "SourcePortRanges": port_ranges(&sports),
        "DestinationPortRanges": port_ranges(&dports),
        "Protocol": protocol,
    })
}

fn hop(seq: usize, h: &Hop) -> Value {
    let mut m = Map::new();
    m.insert("SequenceNumber".into(), json!(seq));
    m.insert("Component".into(), component(&h.component));
    m.insert("Role".into(), json!(h.role));
    if let Some(r) = &h.acl_rule {
        m.insert("AclRule".into(), acl_rule(r));
    }
    if let Some(s) = &h.sg_rule {
        let mut r = Map::new();
        r.insert("Direction".into(), json!(s.direction.as_str()));
        r.insert("SecurityGroupId".into(), json!(s.group_id));
        r.insert("Protocol".into(), json!(protocol_text(s.rule.protocol)));
        if let (Some(f), Some(t)) = (s.rule.from_port, s.rule.to_port) {
            if s.rule.protocol != Protocol::All {
                r.insert("PortRange".into(), json!({"From": f, "To": t}));
            }
        }
        match &s.rule.peer {
            SgPeer::Cidr(c) => r.insert("Cidr".into(), json!(c.to_string())),
            SgPeer::Ipv6Cidr(c) => r.insert("Cidr".into(), json!(c)),
            SgPeer::PrefixList(p) => r.insert("PrefixListId".into(), json!(p)),
            SgPeer::Group { group_id, .. } => r.insert("ReferencedGroupId".into(), json!(group_id)),
        };
        m.insert("SecurityGroupRule".into(), Value::Object(r));
    }
    if let Some(r) = &h.route {
        m.insert("RouteTableRoute".into(), route(r));
    }
    if let Some(a) = &h.attached_to {
        m.insert("AttachedTo".into(), component(a));
    }
    if let Some(s) = &h.subnet {
        m.insert("Subnet".into(), json!({"Id": s}));
    }
    if let Some(v) = &h.vpc {
        m.insert("Vpc".into(), json!({"Id": v}));
    }
    if let Some(i) = &h.inbound {
        m.insert("InboundHeader".into(), header(i));
    }
    if !h.outbound.is_empty() {
        m.insert("OutboundHeader".into(), header(&h.outbound));
    }
    if h.blocked {
        m.insert("Blocked".into(), json!(true));
    }
    Value::Object(m)
}

pub fn hops(hs: &[Hop]) -> Value {
    Value::Array(hs.iter().enumerate().map(|(i, h)| hop(i + 1, h)).collect())
}

/// One direction of a path in RA's shape. A path through the internet
/// (INET.1) is two RA paths: the hops up to the gateway it leaves by, and a
/// continuation after the internet, numbered from 1 again
/// (docs/json.md, "Paths through the internet").
fn path_halves(hs: &[Hop]) -> (Value, Option<Value>) {
    let Some(i) = hs.iter().position(|h| h.component.id == INTERNET_HOP_ID) else {
        return (hops(hs), None);
    };
    let (rest, more) = path_halves(&hs[i + 1..]);
    let mut m = Map::new();
    m.insert("Through".into(), component(&hs[i].component));
    m.insert("OutboundHeader".into(), header(&hs[i].outbound));
    m.insert("PathComponents".into(), rest);
    if let Some(more) = more {
        m.insert("Continuation".into(), more);
    }
    (hops(&hs[..i]), Some(Value::Object(m)))
}

pub fn explanation(e: &Explanation) -> Value {
    let mut m = Map::new();
    m.insert("ExplanationCode".into(), json!(e.code.as_str()));
    if let Some(d) = e.direction {
        m.insert("Direction".into(), json!(d.as_str()));
    }
    for (field, c) in &e.components {
        if *field == "SecurityGroups" {
            let list = m.entry("SecurityGroups").or_insert_with(|| json!([]));
            if let Value::Array(a) = list {
                a.push(component(c));
            }
        } else {
            m.insert((*field).into(), component(c));
        }
    }
    if let Some(r) = &e.acl_rule {
        m.insert("AclRule".into(), acl_rule(r));
    }
    if let Some(r) = &e.route {
        m.insert("RouteTableRoute".into(), route(r));
    }
    if let Some(rt) = &e.route_table_id {
        m.entry("RouteTable").or_insert_with(|| json!({"Id": rt}));
    }
    if !e.blocked.is_empty() {
        let protos = e.blocked.proto_union();
        if !protos.is_universal() {
            m.insert(
                "Protocols".into(),
                json!(protos
                    .ranges()
                    .flat_map(|r| r.map(proto_name))
                    .collect::<Vec<_>>()),
            );
        }
        m.insert("BlockedHeader".into(), header(&e.blocked));
    }
    m.insert(
        "PathDirection".into(),
        json!(if e.on_return_path {
            "return"
        } else {
            "forward"
        }),
    );
    m.insert("Message".into(), json!(e.message));
    if let Some(f) = &e.fix {
        m.insert("Fix".into(), json!(f));
    }
    Value::Object(m)
}

pub fn admitted_traffic(set: &HeaderSet) -> Value {
    Value::Array(
        set.traffic_summary()
            .iter()
            .map(|t| {
                let key = if t.proto == PROTO_ICMP {
                    "IcmpTypes"
                } else {
                    "DestinationPortRanges"
                };
                json!({"Protocol": proto_name(t.proto), key: port_ranges(&t.ports)})
            })
            .collect(),
    )
}

pub fn path_analysis(a: &PathAnalysis, warnings: &[String]) -> Value {
    let (forward, forward_more) = path_halves(&a.forward);
    let (ret, ret_more) = path_halves(&a.ret);
    let mut v = json!({
        "NetworkPathFound": a.path_found(),
        "ForwardPathFound": a.forward_found,
        "ReturnPathFound": a.return_found,
        "Source": component(&a.source),
        "Destination": component(&a.destination),
        "ForwardPathComponents": forward,
        "ReturnPathComponents": ret,
        "Explanations": a.explanations.iter().map(explanation).collect::<Vec<_>>(),
        "AdmittedTraffic": admitted_traffic(&a.admitted),
        "Notes": a.notes,
        "Warnings": warnings,
    });
    for (key, more) in [
        ("ForwardPathContinuation", forward_more),
        ("ReturnPathContinuation", ret_more),
    ] {
        if let (Some(more), Some(m)) = (more, v.as_object_mut()) {
            m.insert(key.into(), more);
        }
    }
    v
}
