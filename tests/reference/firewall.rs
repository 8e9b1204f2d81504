//! Network Firewall for one packet (NF.1–NF.8 of docs/semantics-additions.md),
//! written apart from the engine's `analysis/path/firewall.rs`: first match
//! over the packet, rule fields read as text. Only what the property test
//! generates is understood (5-tuple rules over `ANY`, CIDRs and `$HOME_NET`,
//! single ports); anything else is reported as not evaluated.

use super::*;
use vpcreach::packet::PROTO_ICMPV6;

impl Walker<'_> {
    /// Whether `vpce` is a firewall endpoint (`FirewallStatus.SyncStates`).
    pub(super) fn is_firewall_endpoint(&self, vpce: &str) -> bool {
        self.net
            .firewalls
            .values()
            .any(|f| f.endpoints.iter().any(|e| e.endpoint_id == vpce))
    }

    pub(super) fn via_firewall(&mut self, vpce: &str, from: Option<&str>, h: Header) -> Step {
        let (fw, ep) = self
            .net
            .firewalls
            .values()
            .find_map(|f| {
                f.endpoints
                    .iter()
                    .find(|e| e.endpoint_id == vpce)
                    .map(|e| (f, e))
            })
            .expect("checked by is_firewall_endpoint");
        if self.visited.iter().any(|v| v == vpce) || self.visited.len() >= 8 {
            return Err(blocker("NO_PATH", vpce, "routing loop".into()));
        }
        self.visited.push(vpce.to_string());
        if from != Some(ep.subnet_id.as_str()) {
            self.nacl(&ep.subnet_id.clone(), false, &h)?;
        }
        if !matches!(ep.status.as_str(), "READY" | "") {
            return Err(blocker("BAD_STATE", vpce, ep.status.to_string()));
        }
        let Some(policy) = self.net.firewall_policies.get(&fw.policy_arn) else {
            return Err(blocker("UNKNOWN_RESOURCE", vpce, "no policy".into()));
        };
        let home: Vec<String> = match policy.variables.get("HOME_NET") {
            Some(d) => d.clone(),
            None => self
                .net
                .vpcs
                .get(&fw.vpc_id)
                .map(|v| v.cidrs.iter().map(|c| c.to_string()).collect())
                .unwrap_or_default(),
        };
        // Stateless: groups and rules by priority, first match.
        let mut refs = policy.stateless_groups.clone();
        refs.sort();
        let mut action: Option<String> = None;
        'groups: for (_, arn) in &refs {
            let Some(g) = self.net.rule_groups.get(arn) else {
                return Err(blocker("UNKNOWN_RESOURCE", arn, "rule group".into()));
            };
            if let RulesSource::Stateless(rules) = &g.rules {
                let mut rules: Vec<&StatelessRule> = rules.iter().collect();
                rules.sort_by_key(|r| r.priority);
                for r in rules {
                    if stateless_matches(r, &h) {
                        action = r
                            .actions
                            .iter()
                            .map(|a| a.as_str().to_string())
                            .find(|a| a.starts_with("aws:"));
                        break 'groups;
                    }
                }
            }
        }
        let action = action.or_else(|| {
            policy
                .stateless_default
                .iter()
                .map(|a| a.as_str().to_string())
                .find(|a| a.starts_with("aws:"))
        });
        match action.as_deref() {
            Some("aws:pass") => {}
            Some("aws:forward_to_sfe") => self.stateful(fw, policy, &home, vpce, &h)?,
            _ => {
                return Err(blocker(
                    "FIREWALL_RULES_RESTRICTION",
                    &fw.arn,
                    "stateless drop".into(),
                ))
            }
        }
        self.identity = false;
        self.log(format!("{vpce} firewall {} passes", fw.name));
        self.leave(&ep.subnet_id.clone(), &fw.vpc_id.clone(), h)
    }

    fn stateful(
        &self,
        fw: &Firewall,
        policy: &FirewallPolicy,
        home: &[String],
        vpce: &str,
        h: &Header,
    ) -> Result<(), Blocker> {
        let drop = || {
            blocker(
                "FIREWALL_RULES_RESTRICTION",
                &fw.arn,
                "stateful drop".into(),
            )
        };
        if self.mode == Mode::Return {
            // NF.8: a reply passes where its request passed.
            return if self.forward_visited.iter().any(|v| v == vpce) {
                Ok(())
            } else {
                Err(drop())
            };
        }
        let strict = policy.rule_order.as_str() == "STRICT_ORDER";
        let mut refs = policy.stateful_groups.clone();
        if strict {
            refs.sort_by_key(|r| r.priority.unwrap_or(i64::MAX));
        }
        let mut rules: Vec<(&StatefulRule, bool)> = Vec::new();
        for r in &refs {
            let Some(g) = self.net.rule_groups.get(&r.arn) else {
                return Err(blocker("UNKNOWN_RESOURCE", &r.arn, "rule group".into()));
            };
            match &g.rules {
                RulesSource::FiveTuple(list) => {
                    rules.extend(list.iter().map(|x| (x, r.drop_to_alert)))
                }
                _ => {
                    return Err(blocker(
                        "FIREWALL_UNSUPPORTED_HIGHER_PRIORITY_RULE_GROUP_TYPE",
                        &g.arn,
                        "not evaluated".into(),
                    ))
                }
            }
        }
        let hit = |r: &StatefulRule| stateful_matches(r, h, home);
        let verb = |r: &StatefulRule, alert: bool| match r.action.as_str() {
            "PASS" => "pass",
            "DROP" | "REJECT" if !alert => "drop",
            _ => "alert",
        };
        if strict {
            for (r, alert) in &rules {
                match verb(r, *alert) {
                    "pass" if hit(r) => return Ok(()),
                    "drop" if hit(r) => return Err(drop()),
                    _ => {}
                }
            }
            let dropping = policy
                .stateful_default
                .iter()
                .any(|a| a == "aws:drop_strict" || a == "aws:drop_established");
            return if dropping { Err(drop()) } else { Ok(()) };
        }
        if rules.iter().any(|(r, a)| verb(r, *a) == "pass" && hit(r)) {
            return Ok(());
        }
        if rules.iter().any(|(r, a)| verb(r, *a) == "drop" && hit(r)) {
            return Err(drop());
        }
        Ok(())
    }
}

fn stateless_matches(r: &StatelessRule, h: &Header) -> bool {
    let addr = |defs: &[String], a: Addr| defs.is_empty() || defs.iter().any(|d| cidr_holds(d, a));
    let port = |ranges: &[(u16, u16)], p: u16| {
        ranges.is_empty() || ranges.iter().any(|&(a, b)| a <= p && p <= b)
    };
    let ported = !r.source_ports.is_empty() || !r.destination_ports.is_empty();
    (r.protocols.is_empty() || r.protocols.contains(&h.proto))
        && (!ported || h.proto == PROTO_TCP || h.proto == PROTO_UDP)
        && addr(&r.sources, h.src)
        && addr(&r.destinations, h.dst)
        && port(&r.source_ports, h.sport)
        && port(&r.destination_ports, h.dport)
}

fn stateful_matches(r: &StatefulRule, h: &Header, home: &[String]) -> bool {
    let proto = match r.protocol.as_str() {
        "IP" => true,
        "TCP" => h.proto == PROTO_TCP,
        "UDP" => h.proto == PROTO_UDP,
        "ICMP" => h.proto == PROTO_ICMP || h.proto == PROTO_ICMPV6,
        _ => false,
    };
    let addr = |text: &str, a: Addr| match text {
        "ANY" | "any" => true,
        "$HOME_NET" => home.iter().any(|c| cidr_holds(c, a)),
        cidr => cidr_holds(cidr, a),
    };
    let port = |text: &str, p: u16| {
        matches!(text, "ANY" | "any")
            || ((h.proto == PROTO_TCP || h.proto == PROTO_UDP) && text.parse() == Ok(p))
    };
    let one_way = |src: Addr, sport: u16, dst: Addr, dport: u16| {
        addr(&r.source, src)
            && port(&r.source_port, sport)
            && addr(&r.destination, dst)
            && port(&r.destination_port, dport)
    };
    proto
        && (one_way(h.src, h.sport, h.dst, h.dport)
            || (!r.forward_only && one_way(h.dst, h.dport, h.src, h.sport)))
}

fn cidr_holds(text: &str, a: Addr) -> bool {
    text.parse::<IpNet>().is_ok_and(|n| contains(&n, a))
}
