//! Terminal output: one line per hop, the deciding rule beside it, blockers
//! marked. Colour only when asked for (the CLI asks on a TTY).

use std::fmt::Write;

use crate::analysis::describe::{describe_acl_rule, describe_addrs, describe_protocols};
use crate::analysis::{Hop, PathAnalysis};
use crate::model::{Protocol, RouteDestination, SgPeer};
use crate::packet::{all_v4, all_v6, ports_text, proto_name, AddrSetDisplay, HeaderSet};

#[derive(Clone, Copy)]
pub struct Style {
    pub colour: bool,
}

impl Style {
    fn paint(&self, code: &str, s: &str) -> String {
        if self.colour {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    pub(crate) fn red(&self, s: &str) -> String {
        self.paint("31;1", s)
    }
    pub(crate) fn green(&self, s: &str) -> String {
        self.paint("32;1", s)
    }
    pub(crate) fn dim(&self, s: &str) -> String {
        self.paint("2", s)
    }
    pub(crate) fn bold(&self, s: &str) -> String {
        self.paint("1", s)
    }
    pub(crate) fn yellow(&self, s: &str) -> String {
        self.paint("33", s)
    }
}

pub fn name(c: &crate::analysis::ComponentRef) -> String {
    match &c.name {
        Some(n) => format!("{} ({n})", c.id),
        None => c.id.clone(),
    }
}

pub fn hop_detail(h: &Hop) -> String {
    if let Some(r) = &h.acl_rule {
        return describe_acl_rule(r);
    }
    if let Some(m) = &h.sg_rule {
        let proto = match m.rule.protocol {
            Protocol::All => "all traffic".to_string(),
            Protocol::Number(p) => match (m.rule.from_port, m.rule.to_port) {
                (Some(f), Some(t)) if f >= 0 && f == t => format!("{}/{f}", proto_name(p)),
                (Some(f), Some(t)) if f >= 0 => format!("{}/{f}-{t}", proto_name(p)),
                _ => proto_name(p),
            },
        };
        let peer = match &m.rule.peer {
            SgPeer::Cidr(c) => c.to_string(),
            SgPeer::Ipv6Cidr(c) => c.clone(),
            SgPeer::PrefixList(p) => p.clone(),
            SgPeer::Group { group_id, .. } => group_id.clone(),
        };
        let way = if m.direction == crate::analysis::Direction::Ingress {
            "from"
        } else {
            "to"
        };
        return format!("{} rule allows {proto} {way} {peer}", m.group_id);
    }
    if let Some(r) = &h.route {
        let dest = match &r.destination {
            RouteDestination::Cidr(c) => c.to_string(),
            RouteDestination::PrefixList(p) => p.clone(),
            RouteDestination::Ipv6(c) => c.clone(),
        };
        return format!("route {dest} → {}", r.target.id());
    }
    if !h.outbound.is_empty() && h.inbound.is_some() {
        let o = &h.outbound;
        return format!(
            "{} → {}",
            describe_addrs(&o.src_union()),
            describe_addrs(&o.dst_union())
        );
    }
    String::new()
}

pub fn hops(out: &mut String, hops: &[Hop], style: Style) {
    let width = hops
        .iter()
        .map(|h| name(&h.component).chars().count())
        .max()
        .unwrap_or(0);
    let role_width = hops
        .iter()
        .map(|h| h.role.chars().count())
        .max()
        .unwrap_or(0);
    for (i, h) in hops.iter().enumerate() {
        let mark = if h.blocked {
            style.red("✗")
        } else {
            style.green("✓")
        };
        let component = format!("{:<width$}", name(&h.component));
        let role = style.dim(&format!("{:<role_width$}", h.role));
        let line = format!(
            "  {mark} {:>2}  {component}  {role}  {}",
            i + 1,
            hop_detail(h)
        );
        let _ = writeln!(out, "{}", line.trim_end());
    }
}

pub fn path_analysis(a: &PathAnalysis, warnings: &[String], style: Style) -> String {
    let mut out = String::new();
    let proto = match a.query.protocol {
        crate::analysis::ProtocolChoice::All => "all protocols".to_string(),
        crate::analysis::ProtocolChoice::Number(p) => match a.query.dport {
            Some((f, t)) if f == t => format!("{}/{f}", proto_name(p)),
            Some((f, t)) => format!("{}/{f}-{t}", proto_name(p)),
            None => format!("{} (all ports)", proto_name(p)),
        },
    };
    let _ = writeln!(
        out,
        "{} {} → {}  {}",
        style.bold("path"),
        name(&a.source),
        name(&a.destination),
        proto
    );
    let _ = writeln!(out);
    if a.path_found() {
        let _ = writeln!(
            out,
            "{} traffic gets through: {}{}",
            style.green("REACHABLE"),
            describe_protocols(&a.admitted),
            families(&a.admitted)
        );
        let sports = a
            .admitted
            .cubes()
            .iter()
            .fold(crate::packet::PortSet::new(), |acc, c| acc | &c.sport);
        if !sports.is_universal() && a.admitted.proto_union().iter().all(|p| p == 6 || p == 17) {
            let _ = writeln!(
                out,
                "  from source ports {} only (replies to other ports are dropped)",
                ports_text(&sports)
            );
        }
    } else {
        let blockers = a.explanations.len();
        let _ = writeln!(
            out,
            "{} — {} blocker{}",
            style.red("NOT REACHABLE"),
            blockers,
            if blockers == 1 { "" } else { "s" }
        );
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "{}", style.bold("Forward path"));
    hops(&mut out, &a.forward, style);
    if !a.ret.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(out, "{}", style.bold("Return path"));
        hops(&mut out, &a.ret, style);
    } else if a.forward_found && a.return_found.is_none() {
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "{}",
            style.dim("Return path: none needed (the traffic has no reply)")
        );
    }
    if !a.explanations.is_empty() {
        let _ = writeln!(out);
        let title = if a.path_found() {
            "Partly blocked"
        } else {
            "Blockers"
        };
        let _ = writeln!(out, "{}", style.bold(title));
        for e in &a.explanations {
            let side = if e.on_return_path {
                "return"
            } else {
                "forward"
            };
            let _ = writeln!(
                out,
                "  {} [{}] {} ({side} path)",
                style.red("✗"),
                e.code,
                e.message
            );
            if let Some(f) = &e.fix {
                let _ = writeln!(out, "      fix: {f}");
            }
        }
    }
    for n in &a.notes {
        let _ = writeln!(out, "{} {n}", style.yellow("note:"));
    }
    for w in warnings {
        let _ = writeln!(out, "{} {w}", style.yellow("warning:"));
    }
    out
}

/// For traffic with IPv6 in it, which addresses of each family got through:
/// ` (IPv4: a → b; IPv6: c → d)`. Empty for IPv4-only traffic.
fn families(set: &HeaderSet) -> String {
    let v6 = set.restrict_src(&all_v6());
    if v6.is_empty() {
        return String::new();
    }
    let v4 = set.restrict_src(&all_v4());
    let mut parts = Vec::new();
    for (name, part) in [("IPv4", v4), ("IPv6", v6)] {
        if !part.is_empty() {
            parts.push(format!(
                "{name}: {} → {}",
                AddrSetDisplay(&part.src_union()),
                AddrSetDisplay(&part.dst_union())
            ));
        }
    }
    format!(" ({})", parts.join("; "))
}
