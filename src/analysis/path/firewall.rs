//! AWS Network Firewall endpoints as route targets (NF.* of
//! docs/semantics-additions.md): the firewall policy evaluated on header
//! sets — stateless rule groups by priority and their default actions, then
//! the stateful engine in default action order or strict order, 5-tuple
//! rules with rule variables and IP set references — and the packet leaving
//! by the firewall subnet's route table.
//!
//! What the engine cannot evaluate (domain lists, Suricata rule strings,
//! rule options, application-layer protocols, TLS inspection, resource
//! groups) makes the traffic it could decide unknown, never a silent pass.
//!
//! Owns: the firewall step and the policy's meaning. Must not know: how the
//! packet got to the endpoint (routes, TGW) or how answers are reported.

use std::collections::BTreeMap;

use super::walk::*;
use crate::analysis::codes::ExplanationCode;
use crate::analysis::*;
use crate::model::firewall::decisive;
use crate::model::*;
use crate::packet::*;

/// What the policy does with a header set.
#[derive(Default)]
struct Outcome {
    passed: HeaderSet,
    /// Traffic stopped, or left undecided, with why.
    stopped: Vec<Stop>,
    /// Said once per walk whatever the traffic.
    notes: Vec<String>,
}

struct Stop {
    code: ExplanationCode,
    message: String,
    set: HeaderSet,
    group: Option<(String, String)>,
}

impl Outcome {
    fn stop(
        &mut self,
        code: ExplanationCode,
        message: String,
        set: HeaderSet,
        group: Option<&RuleGroup>,
    ) {
        if !set.is_empty() {
            self.stopped.push(Stop {
                code,
                message,
                set,
                group: group.map(|g| (g.arn.clone(), g.name.clone())),
            });
        }
    }
}

/// Where rule variables come from: the rule group's own, then the policy's
/// (`HOME_NET` only), then the firewall's VPC (NF.6).
struct Vars<'a> {
    net: &'a Network,
    group: &'a RuleGroup,
    policy_vars: &'a BTreeMap<String, Vec<String>>,
    vpc_cidrs: AddrSet,
}

impl Vars<'_> {
    fn home_net(&self) -> Result<AddrSet, String> {
        match self
            .group
            .ip_sets
            .get("HOME_NET")
            .or(self.policy_vars.get("HOME_NET"))
        {
            Some(defs) => self.addr_list(defs),
            None => Ok(self.vpc_cidrs.clone()),
        }
    }

    /// The negation of `HOME_NET` unless the rule group defines it (NF.6).
    fn external_net(&self) -> Result<AddrSet, String> {
        Ok(all_addrs() - self.home_net()?)
    }

    fn addr_list(&self, defs: &[String]) -> Result<AddrSet, String> {
        defs.iter()
            .try_fold(AddrSet::new(), |acc, d| Ok(acc | self.addrs(d)?))
    }

    /// A Suricata address: `any`, a CIDR or address, `$VAR`, `@REF`,
    /// `!x`, `[a, b, !c]`.
    fn addrs(&self, text: &str) -> Result<AddrSet, String> {
        let t = text.trim();
        if let Some(set) = composite(t, all_addrs(), |x| self.addrs(x)) {
            return set;
        }
        if let Some(var) = t.strip_prefix('$') {
            if var == "HOME_NET" {
                return self.home_net();
            }
            if var == "EXTERNAL_NET" && !self.group.ip_sets.contains_key(var) {
                return self.external_net();
            }
            return match self.group.ip_sets.get(var) {
                Some(defs) => self.addr_list(defs),
                None => Err(format!(
                    "rule variable ${var} is not defined in the rule group"
                )),
            };
        }
        if let Some(name) = t.strip_prefix('@') {
            let Some(arn) = self.group.ip_set_references.get(name) else {
                return Err(format!("IP set reference @{name} is not defined"));
            };
            let pl = arn.rsplit('/').next().unwrap_or("");
            if !arn.contains(":prefix-list/") {
                return Err(format!("IP set reference @{name} is {arn}, a resource group (not evaluated, as AWS Reachability Analyzer)"));
            }
            return match self.net.prefix_lists.get(pl).and_then(|p| p.cidrs.as_ref()) {
                Some(cidrs) => Ok(nets_set(cidrs.iter())),
                None => Err(format!("IP set reference @{name}: the entries of prefix list {pl} are not in the snapshot")),
            };
        }
        parse_addr(t).ok_or_else(|| format!("`{t}` is not an address, CIDR or rule variable"))
    }

    /// A Suricata port: `any`, `80`, `1024:65535`, `1024:`, `$VAR`, `!x`, `[a, b]`.
    fn ports(&self, text: &str) -> Result<PortSet, String> {
        let t = text.trim();
        if let Some(set) = composite(t, all_ports(), |x| self.ports(x)) {
            return set;
        }
        if let Some(var) = t.strip_prefix('$') {
            return match self.group.port_sets.get(var) {
                Some(defs) => defs
                    .iter()
                    .try_fold(PortSet::new(), |acc, d| Ok(acc | self.ports(d)?)),
                None => Err(format!(
                    "port variable ${var} is not defined in the rule group"
                )),
            };
        }
        let bad = || format!("`{t}` is not a port, range or port variable");
        let (a, b) = t.split_once(':').unwrap_or((t, t));
        let a: u16 = a.trim().parse().map_err(|_| bad())?;
        let b: u16 = if b.trim().is_empty() {
            u16::MAX
        } else {
            b.trim().parse().map_err(|_| bad())?
        };
        if a > b {
            return Err(bad());
        }
        Ok(port_range(a, b))
    }
}

/// Suricata's composite forms, alike for addresses and ports: `any`, `!x`,
/// `[a, b, !c]` (without positive items: everything but the negations).
/// `None` for a single item, which `one` reads.
fn composite<T: crate::packet::Integer>(
    t: &str,
    all: RangeSet<T>,
    one: impl Fn(&str) -> Result<RangeSet<T>, String>,
) -> Option<Result<RangeSet<T>, String>> {
    if t.eq_ignore_ascii_case("any") {
        return Some(Ok(all));
    }
    if let Some(rest) = t.strip_prefix('!') {
        return Some(one(rest).map(|x| all - x));
    }
    let inner = t.strip_prefix('[')?.strip_suffix(']')?;
    let list = || -> Result<RangeSet<T>, String> {
        let mut pos = RangeSet::new();
        let mut neg = RangeSet::new();
        let mut any_pos = false;
        for part in split_list(inner) {
            match part.strip_prefix('!') {
                Some(n) => neg |= one(n)?,
                None => {
                    any_pos = true;
                    pos |= one(part)?;
                }
            }
        }
        Ok(if any_pos { pos } else { all.clone() } - neg)
    };
    Some(list())
}

/// Top-level items of a `[…]` list (nested lists kept whole).
fn split_list(inner: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0;
    let mut start = 0;
    for (i, c) in inner.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => depth -= 1,
            ',' if depth == 0 => {
                out.push(inner[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(inner[start..].trim());
    out.into_iter().filter(|s| !s.is_empty()).collect()
}

fn parse_addr(t: &str) -> Option<AddrSet> {
    if let Ok(n) = t.parse::<ipnet::IpNet>() {
        return Some(net_set(&n.trunc()));
    }
    t.parse::<std::net::IpAddr>().ok().map(ip_set)
}

fn protos(list: &[u8]) -> ProtoSet {
    list.iter().map(|&p| p..=p).collect()
}

/// Ports are matched only on TCP and UDP (for ICMP the set carries type and
/// code in their place).
fn port_cube(
    src: AddrSet,
    dst: AddrSet,
    proto: ProtoSet,
    sport: PortSet,
    dport: PortSet,
) -> HeaderSet {
    let mut out = HeaderSet::empty();
    let ports_any = sport == all_ports() && dport == all_ports();
    if ports_any {
        out.push(Cube {
            src,
            dst,
            proto,
            sport,
            dport,
        });
        return out;
    }
    let tcp_udp: ProtoSet = [PROTO_TCP..=PROTO_TCP, PROTO_UDP..=PROTO_UDP]
        .into_iter()
        .collect();
    out.push(Cube {
        src,
        dst,
        proto: &proto & &tcp_udp,
        sport,
        dport,
    });
    out
}

fn intersect(set: &HeaderSet, region: &HeaderSet) -> HeaderSet {
    region
        .cubes()
        .iter()
        .fold(HeaderSet::empty(), |mut acc, c| {
            acc.extend(set.intersect_cube(c));
            acc
        })
}

fn everything() -> HeaderSet {
    HeaderSet::from_cube(Cube::everything())
}

/// What a stateful 5-tuple rule can match: its header as cubes (both ways
/// for `Direction: ANY`), or why it cannot be evaluated, with the region it
/// could decide.
enum Compiled {
    Rule(HeaderSet),
    Unsupported { why: String, region: HeaderSet },
}

fn compile_stateful(rule: &StatefulRule, vars: &Vars) -> Compiled {
    let proto_name = rule.protocol.to_ascii_uppercase();
    let header = || -> Result<(AddrSet, PortSet, AddrSet, PortSet), String> {
        Ok((
            vars.addrs(&rule.source)?,
            vars.ports(&rule.source_port)?,
            vars.addrs(&rule.destination)?,
            vars.ports(&rule.destination_port)?,
        ))
    };
    let (src, sport, dst, dport) = match header() {
        Ok(h) => h,
        Err(why) => {
            return Compiled::Unsupported {
                why,
                region: everything(),
            }
        }
    };
    let (proto, app) = match proto_name.as_str() {
        "IP" => (all_protos(), false),
        "TCP" => (protos(&[PROTO_TCP]), false),
        "UDP" => (protos(&[PROTO_UDP]), false),
        "ICMP" => (protos(&[PROTO_ICMP, PROTO_ICMPV6]), false),
        // Application-layer protocols: Suricata detects them inside TCP or
        // UDP flows on any port.
        _ => (protos(&[PROTO_TCP, PROTO_UDP]), true),
    };
    let mut cubes = port_cube(
        src.clone(),
        dst.clone(),
        proto.clone(),
        sport.clone(),
        dport.clone(),
    );
    if !rule.forward_only {
        cubes.extend(port_cube(dst, src, proto, dport, sport));
    }
    if app {
        return Compiled::Unsupported {
            why: format!(
                "its protocol {} is an application-layer protocol (not evaluated)",
                rule.protocol
            ),
            region: cubes,
        };
    }
    if !rule.other_options.is_empty() {
        return Compiled::Unsupported {
            why: format!(
                "its rule options ({}) are not evaluated",
                rule.other_options.join(", ")
            ),
            region: cubes,
        };
    }
    Compiled::Rule(cubes)
}

fn rule_name(group: &RuleGroup, index: usize, sid: Option<&str>) -> String {
    match sid {
        Some(sid) => format!(
            "rule sid {sid} (#{}) of rule group {}",
            index + 1,
            group.name
        ),
        None => format!("rule #{} of rule group {}", index + 1, group.name),
    }
}

fn header_text(r: &StatefulRule) -> String {
    format!(
        "{} {} {} {} {} {} {}",
        r.action,
        r.protocol,
        r.source,
        r.source_port,
        if r.forward_only { "->" } else { "<>" },
        r.destination,
        r.destination_port
    )
}

/// Rules (or a whole group) not evaluated: what they could decide, and
/// whether they can pass traffic (a pass exempts a flow from later drops in
/// default action order) or block it.
struct Unevaluated {
    code: ExplanationCode,
    why: String,
    region: HeaderSet,
    may_pass: bool,
    may_block: bool,
}

/// One stateful rule group, ready for either rule order.
struct StatefulGroup<'a> {
    group: &'a RuleGroup,
    drop_to_alert: bool,
    /// (rule index, action, cubes) of evaluable rules, in order.
    rules: Vec<(usize, StatefulAction, HeaderSet)>,
    /// What rules (or the whole group) that are not evaluated could decide.
    unsupported: Vec<Unevaluated>,
}

fn compile_group<'a>(g: &'a RuleGroup, drop_to_alert: bool, vars: &Vars) -> StatefulGroup<'a> {
    let mut out = StatefulGroup {
        group: g,
        drop_to_alert,
        rules: Vec::new(),
        unsupported: Vec::new(),
    };
    let kind = ExplanationCode::FirewallUnsupportedHigherPriorityRuleGroupType;
    match &g.rules {
        RulesSource::FiveTuple(rules) => {
            for (i, r) in rules.iter().enumerate() {
                match compile_stateful(r, vars) {
                    Compiled::Rule(cubes) => out.rules.push((i, r.action.clone(), cubes)),
                    Compiled::Unsupported { why, region } => out.unsupported.push(Unevaluated {
                        code: ExplanationCode::FirewallUnsupportedRuleOptions,
                        why: format!("{} ({}): {why}", rule_name(g, i, r.sid.as_deref()), header_text(r)),
                        region,
                        may_pass: r.action == StatefulAction::Pass,
                        may_block: blocks(&r.action, drop_to_alert),
                    }),
                }
            }
        }
        RulesSource::DomainList { target_types, generated } => {
            // Domain lists inspect HTTP (Host) and TLS (SNI) from HOME_NET
            // to EXTERNAL_NET only (NF.5): TCP from HOME_NET to EXTERNAL_NET.
            let region = match (vars.home_net(), vars.addrs("$EXTERNAL_NET")) {
                (Ok(home), Ok(external)) => HeaderSet::from_cube(Cube {
                    src: home,
                    dst: external,
                    proto: protos(&[PROTO_TCP]),
                    ..Cube::everything()
                }),
                _ => everything(),
            };
            // An allow list passes its domains and drops the rest of
            // HTTP/TLS; deny and reject lists only block; alert lists decide
            // nothing.
            out.unsupported.push(Unevaluated {
                code: kind,
                why: format!("rule group {} is a domain list ({generated}, {}), which is not evaluated", g.name, target_types.join(", ")),
                region,
                may_pass: generated != "DENYLIST" && generated != "REJECTLIST" && generated != "ALERTLIST",
                may_block: generated != "ALERTLIST" && !drop_to_alert,
            });
        }
        RulesSource::Suricata => out.unsupported.push(Unevaluated {
            code: kind,
            why: format!("rule group {} holds Suricata-compatible rules (RulesString), which are not evaluated", g.name),
            region: everything(),
            may_pass: true,
            may_block: !drop_to_alert,
        }),
        RulesSource::Stateless(_) | RulesSource::Empty => {}
    }
    out
}

fn group_component(arn: &str, name: &str) -> ComponentRef {
    ComponentRef {
        id: arn.to_string(),
        name: Some(name.to_string()),
    }
}

/// The policy of `fw` applied to `set` (NF.2–NF.7).
fn evaluate(
    net: &Network,
    fw: &Firewall,
    set: &HeaderSet,
    reply_of_admitted: Option<bool>,
) -> Outcome {
    let mut out = Outcome::default();
    let Some(policy) = net.firewall_policies.get(&fw.policy_arn) else {
        out.stop(
            ExplanationCode::UnknownResource,
            format!("the firewall policy {} of firewall {} is not in the snapshot (describe-firewall-policy): what it lets through is unknown", fw.policy_arn, fw.name),
            set.clone(),
            None,
        );
        return out;
    };
    let vpc_cidrs = net
        .vpcs
        .get(&fw.vpc_id)
        .map(|v| nets_set(&v.cidrs))
        .unwrap_or_default();
    // Stateless engine: groups by priority, rules by priority, first match.
    let mut groups: Vec<&(i64, String)> = policy.stateless_groups.iter().collect();
    groups.sort_by_key(|(p, _)| *p);
    let mut remaining = set.clone();
    let mut to_stateful = HeaderSet::empty();
    for (_, arn) in groups {
        if remaining.is_empty() {
            break;
        }
        let Some(g) = net.rule_groups.get(arn) else {
            out.stop(ExplanationCode::UnknownResource, format!("stateless rule group {arn} of policy {} is not in the snapshot (describe-rule-group): reachable unless it blocks the traffic", policy.name), std::mem::take(&mut remaining), None);
            break;
        };
        let RulesSource::Stateless(rules) = &g.rules else {
            continue;
        };
        let mut rules: Vec<(usize, &StatelessRule)> = rules.iter().enumerate().collect();
        rules.sort_by_key(|(_, r)| r.priority);
        for (_, r) in rules {
            let vars = Vars {
                net,
                group: g,
                policy_vars: &policy.variables,
                vpc_cidrs: vpc_cidrs.clone(),
            };
            let any = |defs: &[String]| -> Result<AddrSet, String> {
                if defs.is_empty() {
                    Ok(all_addrs())
                } else {
                    vars.addr_list(defs)
                }
            };
            let ports = |p: &[(u16, u16)]| -> PortSet {
                if p.is_empty() {
                    all_ports()
                } else {
                    p.iter().map(|&(a, b)| a..=b).collect()
                }
            };
            let name = format!(
                "stateless rule priority {} of rule group {}",
                r.priority, g.name
            );
            let region = match (any(&r.sources), any(&r.destinations)) {
                (Ok(src), Ok(dst)) => port_cube(
                    src,
                    dst,
                    if r.protocols.is_empty() {
                        all_protos()
                    } else {
                        protos(&r.protocols)
                    },
                    ports(&r.source_ports),
                    ports(&r.destination_ports),
                ),
                (Err(why), _) | (_, Err(why)) => {
                    out.stop(
                        ExplanationCode::FirewallUnsupportedHigherPriorityRules,
                        format!("{name}: {why}; reachable unless it blocks the traffic"),
                        std::mem::take(&mut remaining),
                        Some(g),
                    );
                    break;
                }
            };
            let part = intersect(&remaining, &region);
            if part.is_empty() {
                continue;
            }
            remaining = remaining.subtract(&region);
            if r.tcp_flags {
                out.stop(ExplanationCode::FirewallUnsupportedRuleOptions, format!("{name} matches TCP flags, i.e. some packets of a connection and not others (not evaluated): reachable unless it blocks the traffic"), part, Some(g));
                continue;
            }
            match r.decisive_action() {
                Some(StatelessAction::Pass) => out.passed.extend(part),
                Some(StatelessAction::Drop) => out.stop(
                    ExplanationCode::FirewallRulesRestriction,
                    format!("firewall {} drops the traffic: {name} (aws:drop)", fw.name),
                    part,
                    Some(g),
                ),
                Some(StatelessAction::ForwardToSfe) => to_stateful.extend(part),
                _ => out.stop(
                    ExplanationCode::FirewallUnsupportedRuleOptions,
                    format!(
                        "{name} has no standard action (aws:pass, aws:drop or aws:forward_to_sfe)"
                    ),
                    part,
                    Some(g),
                ),
            }
        }
    }
    if !remaining.is_empty() {
        match decisive(&policy.stateless_default) {
            Some(StatelessAction::Pass) => out.passed.extend(remaining),
            Some(StatelessAction::Drop) => out.stop(ExplanationCode::FirewallRulesRestriction, format!("firewall {} drops the traffic: no stateless rule matches and the policy {}'s stateless default action for full packets is aws:drop", fw.name, policy.name), remaining, None),
            Some(StatelessAction::ForwardToSfe) => to_stateful.extend(remaining),
            _ => out.stop(ExplanationCode::UnknownResource, format!("policy {} has no standard stateless default action: what happens to traffic no stateless rule matches is unknown", policy.name), remaining, None),
        }
    }
    if let Some(frag) = decisive(&policy.stateless_fragment_default) {
        out.notes.push(format!("firewall {}: the policy's stateless default action for fragmented UDP packets is {frag}; vpcreach models full packets only (NF.3)", fw.name));
    }
    if to_stateful.is_empty() {
        return out;
    }
    // Stateful engine.
    if let Some(admitted) = reply_of_admitted {
        if admitted {
            out.passed.extend(to_stateful);
        } else {
            out.stop(ExplanationCode::FirewallRulesRestriction, format!("firewall {}'s stateful engine did not see the request of this reply (the request took another firewall endpoint or none): it drops traffic of connections it did not see (NF.8)", fw.name), to_stateful, None);
        }
        return out;
    }
    if let Some(tls) = &policy.tls_inspection {
        let tcp = to_stateful.intersect_cube(&Cube {
            proto: protos(&[PROTO_TCP]),
            ..Cube::everything()
        });
        out.stop(ExplanationCode::FirewallUnsupportedHigherPriorityRuleGroupType, format!("policy {} inspects TLS ({tls}), which is not evaluated: reachable unless TLS inspection blocks it", policy.name), tcp, None);
        to_stateful = to_stateful.subtract(&HeaderSet::from_cube(Cube {
            proto: protos(&[PROTO_TCP]),
            ..Cube::everything()
        }));
    }
    let mut refs: Vec<&StatefulGroupRef> = policy.stateful_groups.iter().collect();
    let strict = policy.rule_order == RuleOrder::StrictOrder;
    if strict {
        refs.sort_by_key(|r| r.priority.unwrap_or(i64::MAX));
    }
    let mut compiled = Vec::new();
    for r in refs {
        let Some(g) = net.rule_groups.get(&r.arn) else {
            out.stop(ExplanationCode::UnknownResource, format!("stateful rule group {} of policy {} is not in the snapshot (describe-rule-group): reachable unless it blocks the traffic", r.arn, policy.name), std::mem::take(&mut to_stateful), None);
            return out;
        };
        let vars = Vars {
            net,
            group: g,
            policy_vars: &policy.variables,
            vpc_cidrs: vpc_cidrs.clone(),
        };
        compiled.push(compile_group(g, r.drop_to_alert, &vars));
    }
    if strict {
        strict_order(fw, policy, &compiled, to_stateful, &mut out);
    } else {
        default_order(fw, &compiled, to_stateful, &mut out);
    }
    out
}

fn block_message(fw: &Firewall, g: &RuleGroup, i: usize, action: &StatefulAction) -> String {
    let rule = match &g.rules {
        RulesSource::FiveTuple(rules) => rules.get(i),
        _ => None,
    };
    match rule {
        Some(r) => format!(
            "firewall {} {} the traffic: {} ({})",
            fw.name,
            if *action == StatefulAction::Reject {
                "rejects"
            } else {
                "drops"
            },
            rule_name(g, i, r.sid.as_deref()),
            header_text(r)
        ),
        None => format!(
            "firewall {} drops the traffic (rule group {})",
            fw.name, g.name
        ),
    }
}

fn blocks(action: &StatefulAction, drop_to_alert: bool) -> bool {
    matches!(action, StatefulAction::Drop | StatefulAction::Reject) && !drop_to_alert
}

/// Default action order (NF.4): pass rules of every group first, then drop
/// and reject, then alert; what no rule matches passes.
fn default_order(fw: &Firewall, groups: &[StatefulGroup], set: HeaderSet, out: &mut Outcome) {
    let mut rest = set;
    for g in groups {
        for (_, action, cubes) in &g.rules {
            if *action == StatefulAction::Pass {
                out.passed.extend(intersect(&rest, cubes));
                rest = rest.subtract(cubes);
            }
        }
    }
    // A pass rule not evaluated could exempt what the drop rules below
    // would block; after them, one that only blocks could block the rest.
    rest = undecided(groups, rest, out, |u| u.may_pass);
    for order in [StatefulAction::Drop, StatefulAction::Reject] {
        for g in groups {
            for (i, action, cubes) in &g.rules {
                if *action == order && blocks(action, g.drop_to_alert) {
                    let part = intersect(&rest, cubes);
                    rest = rest.subtract(cubes);
                    out.stop(
                        ExplanationCode::FirewallRulesRestriction,
                        block_message(fw, g.group, *i, action),
                        part,
                        Some(g.group),
                    );
                }
            }
        }
    }
    rest = undecided(groups, rest, out, |u| !u.may_pass && u.may_block);
    out.passed.extend(rest);
}

/// What rules not evaluated (those `which` selects) could decide: unknown,
/// taken out of `rest`.
fn undecided(
    groups: &[StatefulGroup],
    mut rest: HeaderSet,
    out: &mut Outcome,
    which: impl Fn(&Unevaluated) -> bool,
) -> HeaderSet {
    for g in groups {
        for u in g.unsupported.iter().filter(|u| which(u)) {
            let part = intersect(&rest, &u.region);
            rest = rest.subtract(&u.region);
            out.stop(
                u.code,
                format!("{}: reachable unless {} blocks it", u.why, g.group.name),
                part,
                Some(g.group),
            );
        }
    }
    rest
}

/// Strict order (NF.4): groups by priority, rules in order, the first pass,
/// drop or reject decides (alert goes on); then the stateful default actions.
fn strict_order(
    fw: &Firewall,
    policy: &FirewallPolicy,
    groups: &[StatefulGroup],
    set: HeaderSet,
    out: &mut Outcome,
) {
    let mut rest = set;
    for g in groups {
        // Rules not evaluated are taken before the group's own rules
        // (conservative: whatever their place in it, NF.5).
        rest = undecided(std::slice::from_ref(g), rest, out, |u| {
            u.may_pass || u.may_block
        });
        for (i, action, cubes) in &g.rules {
            if *action == StatefulAction::Alert
                || (g.drop_to_alert && *action != StatefulAction::Pass)
            {
                continue;
            }
            let part = intersect(&rest, cubes);
            rest = rest.subtract(cubes);
            if *action == StatefulAction::Pass {
                out.passed.extend(part);
            } else {
                out.stop(
                    ExplanationCode::FirewallRulesRestriction,
                    block_message(fw, g.group, *i, action),
                    part,
                    Some(g.group),
                );
            }
        }
    }
    let default = policy
        .stateful_default
        .iter()
        .find(|a| matches!(a.as_str(), "aws:drop_strict" | "aws:drop_established"));
    match default {
        Some(action) => out.stop(ExplanationCode::FirewallRulesRestriction, format!("firewall {} drops the traffic: no stateful rule passes it and the policy {}'s stateful default action is {action}", fw.name, policy.name), rest, None),
        None => out.passed.extend(rest),
    }
}

impl<'t, 'n> Walk<'t, 'n> {
    /// A route delivers to endpoint `endpoint_id` of a firewall (NF.1).
    pub(super) fn to_firewall(
        &self,
        mut trace: Trace,
        endpoint_id: &str,
        from_subnet: Option<&str>,
        set: HeaderSet,
    ) -> Vec<Trace> {
        let net = self.net();
        let Some((fw, ep)) = net.firewall_of_endpoint(endpoint_id) else {
            return self.unknown(trace, endpoint_id, "firewall endpoint", &set);
        };
        let fw_comp = group_component(&fw.arn, &fw.name);
        if let Err(e) = self.enter_middlebox(&mut trace, endpoint_id, &set) {
            return self.stop(trace, e);
        }
        let set = if from_subnet == Some(ep.subnet_id.as_str()) {
            set
        } else {
            self.acl_check(&mut trace, &ep.subnet_id, false, set)
        };
        let mut hop = self.hop(
            endpoint_id,
            &format!("Network Firewall endpoint of {}", fw.name),
            &set,
        );
        hop.attached_to = Some(fw_comp.clone());
        hop.subnet = Some(ep.subnet_id.clone());
        hop.vpc = Some(fw.vpc_id.clone());
        trace.hops.push(hop);
        if !matches!(
            ep.status,
            FirewallEndpointStatus::Ready | FirewallEndpointStatus::Unstated
        ) {
            let mut e = self.explanation(
                ExplanationCode::BadState,
                format!(
                    "the endpoint {endpoint_id} of firewall {} in {} is {}, not READY (NF.1)",
                    fw.name, ep.availability_zone, ep.status
                ),
                &set,
            );
            e.components.push(("Firewall", fw_comp));
            return self.stop(trace, e);
        }
        let reply = (self.mode == Mode::Return)
            .then(|| trace.forward_middleboxes.iter().any(|m| m == endpoint_id));
        let outcome = evaluate(net, fw, &set, reply);
        for n in outcome.notes {
            self.note(n);
        }
        let mut out = Vec::new();
        for stop in outcome.stopped {
            let unknown = stop.code != ExplanationCode::FirewallRulesRestriction;
            if unknown {
                self.note(format!("{}: {} (not a verdict)", stop.code, stop.message));
            }
            let mut e = self.explanation(stop.code, stop.message, &stop.set);
            e.components.push(("Firewall", fw_comp.clone()));
            if let Some((arn, name)) = &stop.group {
                e.components
                    .push(("FirewallRuleGroup", group_component(arn, name)));
            }
            if !unknown {
                e.fix = Some(format!("change the rule in the policy of firewall {} (UpdateRuleGroup) if this traffic should pass", fw.name));
            }
            out.extend(self.stop(trace.clone(), e));
        }
        if outcome.passed.is_empty() {
            return out;
        }
        trace.lost_sg_identity = true;
        self.appliance_behind_tgw(&mut trace, endpoint_id);
        out.extend(self.leave_subnet(trace, &ep.subnet_id, &fw.vpc_id, outcome.passed));
        out
    }
}

/// What of the firewalls' policies vpcreach does not evaluate, or cannot
/// read, that could decide some traffic (NF.5), one line each. An answer
/// over every pair (`audit`, `whatif`, `diff`) drops that traffic from what
/// arrives, so it may depend on these and must not be called clean (NF.10).
pub fn unevaluated_firewall_rules(net: &Network) -> Vec<String> {
    let mut out = std::collections::BTreeSet::new();
    for fw in net.firewalls.values() {
        let Some(policy) = net.firewall_policies.get(&fw.policy_arn) else {
            out.insert(format!(
                "the policy {} of firewall {} is not in the snapshot",
                fw.policy_arn, fw.name
            ));
            continue;
        };
        if let Some(tls) = &policy.tls_inspection {
            out.insert(format!(
                "firewall {}: TLS inspection {tls} is not evaluated",
                fw.name
            ));
        }
        let vpc_cidrs = net
            .vpcs
            .get(&fw.vpc_id)
            .map(|v| nets_set(&v.cidrs))
            .unwrap_or_default();
        let stateless = policy.stateless_groups.iter().map(|(_, arn)| (arn, None));
        let stateful = policy
            .stateful_groups
            .iter()
            .map(|r| (&r.arn, Some(r.drop_to_alert)));
        for (arn, drop_to_alert) in stateless.chain(stateful) {
            let Some(g) = net.rule_groups.get(arn) else {
                out.insert(format!(
                    "rule group {arn} of firewall {} is not in the snapshot",
                    fw.name
                ));
                continue;
            };
            if let RulesSource::Stateless(rules) = &g.rules {
                for r in rules.iter().filter(|r| r.tcp_flags) {
                    out.insert(format!("firewall {}: stateless rule priority {} of rule group {} matches TCP flags (not evaluated)", fw.name, r.priority, g.name));
                }
            }
            let Some(drop_to_alert) = drop_to_alert else {
                continue;
            };
            let vars = Vars {
                net,
                group: g,
                policy_vars: &policy.variables,
                vpc_cidrs: vpc_cidrs.clone(),
            };
            // Rules that can neither pass nor block (alert only) decide nothing.
            for u in compile_group(g, drop_to_alert, &vars)
                .unsupported
                .iter()
                .filter(|u| u.may_pass || u.may_block)
            {
                out.insert(format!("firewall {}: {}", fw.name, u.why));
            }
        }
    }
    out.into_iter().collect()
}

/// A path that only firewall rules vpcreach does not evaluate (or a policy
/// or rule group the snapshot lacks) keep from arriving is unknown, never
/// "not reachable" (NF.5). So is one whose every stop is something the
/// snapshot lacks (`UNKNOWN_RESOURCE`: BPA exclusions not described, BPA.7;
/// a component missing, R-partial.4): the walk stopped there, so what lies
/// beyond was never evaluated.
pub(super) fn mark_unevaluated(a: &mut PathAnalysis) {
    if a.path_found() || a.explanations.is_empty() {
        return;
    }
    if a.explanations
        .iter()
        .all(|e| is_unevaluated(e.code) || e.code == ExplanationCode::UnknownResource)
    {
        a.unknown = true;
    }
}

/// A walk note saying that firewall rules vpcreach does not evaluate (or a
/// policy or rule group the snapshot lacks) kept traffic from going on.
pub fn is_unevaluated_note(note: &str) -> bool {
    note.starts_with("FIREWALL_UNSUPPORTED_")
        || (note.starts_with("UNKNOWN_RESOURCE: ") && note.contains(" policy "))
}

/// The codes a firewall step uses for what it did not evaluate.
pub fn is_unevaluated(code: ExplanationCode) -> bool {
    matches!(
        code,
        ExplanationCode::FirewallUnsupportedHigherPriorityRuleGroupType
            | ExplanationCode::FirewallUnsupportedHigherPriorityRules
            | ExplanationCode::FirewallUnsupportedRuleOptions
    )
}
