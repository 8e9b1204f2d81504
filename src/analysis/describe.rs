//! The English wording of the engine's vocabulary: rules, address and
//! protocol sets, routes, traffic, and the fixes explanations suggest.
//! Explanation messages and the text report both word things through these
//! functions, so a rule reads the same everywhere.
//!
//! Owns: how a rule, a set, a route or a fix is said. Must not know: where
//! the words are printed (terminal, JSON, SARIF), or how a path is walked.

use crate::analysis::rules::Direction;
use crate::model::*;
use crate::packet::*;

pub fn describe_route_dest(d: &RouteDestination) -> String {
    match d {
        RouteDestination::Cidr(c) => c.to_string(),
        RouteDestination::PrefixList(p) => p.clone(),
        RouteDestination::Ipv6(c) => c.clone(),
    }
}

pub fn describe_addrs(set: &AddrSet) -> String {
    AddrSetDisplay(set).to_string()
}

pub fn describe_protocols(set: &HeaderSet) -> String {
    let parts: Vec<String> = set
        .traffic_summary()
        .iter()
        .map(|t| match t.proto {
            PROTO_TCP | PROTO_UDP => format!("{}/{}", proto_name(t.proto), ports_text(&t.ports)),
            PROTO_ICMP => {
                if t.ports.is_universal() {
                    "icmp".into()
                } else {
                    format!("icmp type {}", ports_text(&t.ports))
                }
            }
            p => proto_name(p),
        })
        .collect();
    if parts.len() > 6 {
        let protos = set.proto_union();
        if protos.is_universal() {
            return "all traffic".into();
        }
        return format!("{} protocols", protos.len());
    }
    parts.join(", ")
}

pub fn describe_traffic(set: &HeaderSet, dir: Direction) -> String {
    let _ = dir;
    format!(
        "{} from {} to {}",
        describe_protocols(set),
        describe_addrs(&set.src_union()),
        describe_addrs(&set.dst_union())
    )
}

pub fn describe_acl_rule(rule: &AclEntry) -> String {
    let proto = match rule.protocol {
        Protocol::All => "all traffic".to_string(),
        Protocol::Number(p) => {
            let mut s = proto_name(p);
            if let Some((f, t)) = rule.port_range {
                if p == PROTO_TCP || p == PROTO_UDP {
                    s = if f == t {
                        format!("{s}/{f}")
                    } else {
                        format!("{s}/{f}-{t}")
                    };
                }
            }
            if p == PROTO_ICMP {
                if let Some((ty, code)) = rule.icmp_type_code {
                    if ty >= 0 {
                        s = format!(
                            "{s} type {ty}{}",
                            if code >= 0 {
                                format!(" code {code}")
                            } else {
                                String::new()
                            }
                        );
                    }
                }
            }
            s
        }
    };
    let cidr = rule
        .cidr
        .map(|c| c.to_string())
        .or(rule.ipv6_cidr.clone())
        .unwrap_or_default();
    let action = match rule.action {
        RuleAction::Allow => "allows",
        RuleAction::Deny => "denies",
    };
    let number = if rule.rule_number == 32767 {
        "*".to_string()
    } else {
        rule.rule_number.to_string()
    };
    format!(
        "rule {number} {action} {proto} {} {cidr}",
        if rule.egress { "to" } else { "from" }
    )
}

pub fn describe_acl_denial(rule: &AclEntry, stopped: &HeaderSet, dir: Direction) -> String {
    let peer = match dir {
        Direction::Ingress => format!("from {}", describe_addrs(&stopped.src_union())),
        Direction::Egress => format!("to {}", describe_addrs(&stopped.dst_union())),
    };
    format!(
        "{} — stops {} {peer}",
        describe_acl_rule(rule),
        describe_protocols(stopped)
    )
}

pub fn acl_fix(acl: &str, rule: &AclEntry, stopped: &HeaderSet, dir: Direction) -> String {
    let peer = match dir {
        Direction::Ingress => format!("from {}", describe_addrs(&stopped.src_union())),
        Direction::Egress => format!("to {}", describe_addrs(&stopped.dst_union())),
    };
    let way = if dir == Direction::Ingress {
        "inbound"
    } else {
        "outbound"
    };
    if rule.rule_number == 32767 {
        format!(
            "add an {way} allow rule to {acl} for {} {peer}",
            describe_protocols(stopped)
        )
    } else {
        format!("rule {} of {acl} denies it: allow {} {peer} with a rule number below {}, or remove rule {}", rule.rule_number, describe_protocols(stopped), rule.rule_number, rule.rule_number)
    }
}
