//! AWS Network Firewall outputs into the model: firewalls with their
//! endpoints, policies, rule groups (NF.1). Actions and rule orders are
//! parsed here into the model's enums; address and port definitions stay
//! text (the engine resolves rule variables).

use std::collections::BTreeMap;

use super::warn;
use crate::model::*;
use crate::snapshot::firewall_shapes as fw;
use crate::snapshot::load::RawSnapshot;
use crate::snapshot::Warning;

/// Rule option keywords that name or describe a rule without changing what
/// it matches.
const DESCRIPTIVE_OPTIONS: &[&str] = &["sid", "rev", "msg", "metadata", "classtype", "gid"];

pub(super) fn convert_firewalls(raw: &RawSnapshot, net: &mut Network, warnings: &mut Vec<Warning>) {
    for (d, origin) in &raw.firewall.firewalls {
        let f = &d.firewall;
        let arn = if f.firewall_arn.is_empty() {
            f.firewall_name.clone()
        } else {
            f.firewall_arn.clone()
        };
        let endpoints = match &d.firewall_status {
            Some(status) => status
                .sync_states
                .iter()
                .filter_map(|(az, s)| {
                    let a = s.attachment.as_ref()?;
                    (!a.endpoint_id.is_empty()).then(|| FirewallEndpoint {
                        availability_zone: az.clone(),
                        endpoint_id: a.endpoint_id.clone(),
                        subnet_id: a.subnet_id.clone(),
                        status: FirewallEndpointStatus::parse(&a.status),
                    })
                })
                .collect(),
            None => {
                warn(warnings, origin, "", format!("firewall {} has no `FirewallStatus` beside it: its endpoints (SyncStates) are unknown, so routes to them are not recognised as the firewall", f.firewall_name));
                Vec::new()
            }
        };
        net.firewalls.insert(
            arn.clone(),
            Firewall {
                name: f.firewall_name.clone(),
                arn,
                vpc_id: f.vpc_id.clone(),
                policy_arn: f.firewall_policy_arn.clone(),
                endpoints,
                transit_gateway_id: f.transit_gateway_id.clone(),
            },
        );
    }
    for (d, _) in &raw.firewall.policies {
        let p = &d.firewall_policy;
        let r = &d.firewall_policy_response;
        net.firewall_policies.insert(
            r.firewall_policy_arn.clone(),
            FirewallPolicy {
                name: r.firewall_policy_name.clone(),
                arn: r.firewall_policy_arn.clone(),
                stateless_groups: p
                    .stateless_rule_group_references
                    .iter()
                    .map(|g| (g.priority, g.resource_arn.clone()))
                    .collect(),
                stateless_default: actions(&p.stateless_default_actions),
                stateless_fragment_default: actions(&p.stateless_fragment_default_actions),
                stateful_groups: p
                    .stateful_rule_group_references
                    .iter()
                    .map(|g| StatefulGroupRef {
                        arn: g.resource_arn.clone(),
                        priority: g.priority,
                        drop_to_alert: g
                            .override_action
                            .as_ref()
                            .is_some_and(|o| o.action == "DROP_TO_ALERT"),
                    })
                    .collect(),
                stateful_default: p.stateful_default_actions.clone(),
                rule_order: rule_order(p.stateful_engine_options.as_ref()),
                tls_inspection: p.tls_inspection_configuration_arn.clone(),
                variables: p
                    .policy_variables
                    .as_ref()
                    .map(|v| definitions(&v.rule_variables))
                    .unwrap_or_default(),
            },
        );
    }
    for (d, origin) in &raw.firewall.rule_groups {
        let r = &d.rule_group_response;
        let g = &d.rule_group;
        let stateful = match r.kind.as_str() {
            "STATEFUL" => true,
            "STATELESS" => false,
            other => {
                warn(warnings, origin, "Type", format!("rule group {} has type `{other}` (expected STATEFUL or STATELESS); ignored", r.rule_group_name));
                continue;
            }
        };
        net.rule_groups.insert(
            r.rule_group_arn.clone(),
            rule_group(&r.rule_group_name, &r.rule_group_arn, stateful, g),
        );
    }
    let described: Vec<&String> = net.firewalls.keys().collect();
    net.firewalls_listed_only = raw
        .firewall
        .listed
        .iter()
        .map(|(arn, _)| arn)
        .filter(|arn| arn.contains(":firewall/") && !described.contains(arn))
        .cloned()
        .collect();
}

/// A rule group's content as the model holds it: from `describe-rule-group`,
/// or from the `RuleGroup` an `UpdateRuleGroup` call carries.
pub(crate) fn rule_group(name: &str, arn: &str, stateful: bool, g: &fw::RuleGroup) -> RuleGroup {
    let src = &g.rules_source;
    let rules = if let Some(s) = &src.stateless_rules_and_custom_actions {
        RulesSource::Stateless(s.stateless_rules.iter().map(stateless_rule).collect())
    } else if let Some(rules) = &src.stateful_rules {
        RulesSource::FiveTuple(rules.iter().map(stateful_rule).collect())
    } else if let Some(list) = &src.rules_source_list {
        RulesSource::DomainList {
            target_types: list.target_types.clone(),
            generated: list.generated_rules_type.clone(),
        }
    } else if src.rules_string.is_some() {
        RulesSource::Suricata
    } else {
        RulesSource::Empty
    };
    let vars = g.rule_variables.clone().unwrap_or_default();
    RuleGroup {
        name: name.to_string(),
        arn: arn.to_string(),
        stateful,
        rule_order: rule_order(g.stateful_rule_options.as_ref()),
        ip_sets: definitions(&vars.ip_sets),
        port_sets: definitions(&vars.port_sets),
        ip_set_references: g
            .reference_sets
            .as_ref()
            .map(|r| {
                r.ip_set_references
                    .iter()
                    .map(|(k, v)| (k.clone(), v.reference_arn.clone()))
                    .collect()
            })
            .unwrap_or_default(),
        rules,
    }
}

fn actions(names: &[String]) -> Vec<StatelessAction> {
    names.iter().map(|a| StatelessAction::parse(a)).collect()
}

fn rule_order(options: Option<&fw::StatefulEngineOptions>) -> RuleOrder {
    options
        .and_then(|o| o.rule_order.as_deref())
        .map_or(RuleOrder::DefaultActionOrder, RuleOrder::parse)
}

fn definitions(sets: &BTreeMap<String, fw::IpSet>) -> BTreeMap<String, Vec<String>> {
    sets.iter()
        .map(|(k, v)| (k.clone(), v.definition.clone()))
        .collect()
}

fn stateless_rule(r: &fw::StatelessRule) -> StatelessRule {
    let m = &r.rule_definition.match_attributes;
    let addrs = |a: &[fw::AddressDefinition]| {
        a.iter()
            .map(|d| d.address_definition.clone())
            .collect::<Vec<_>>()
    };
    let ports = |p: &[fw::PortRange]| p.iter().map(|p| (p.from_port, p.to_port)).collect();
    StatelessRule {
        priority: r.priority,
        actions: actions(&r.rule_definition.actions),
        sources: addrs(&m.sources),
        destinations: addrs(&m.destinations),
        source_ports: ports(&m.source_ports),
        destination_ports: ports(&m.destination_ports),
        protocols: m.protocols.clone(),
        tcp_flags: !m.tcp_flags.is_empty(),
    }
}

fn stateful_rule(r: &fw::StatefulRule) -> StatefulRule {
    let mut sid = None;
    let mut other_options = Vec::new();
    for o in &r.rule_options {
        // The API takes `{"Keyword": "sid", "Settings": ["1"]}`; consoles
        // and templates also write `{"Keyword": "sid:1"}`.
        let (keyword, inline) = match o.keyword.split_once(':') {
            Some((k, v)) => (k.trim(), Some(v.trim().trim_end_matches(';').to_string())),
            None => (o.keyword.trim(), None),
        };
        if keyword == "sid" {
            sid = inline.or_else(|| o.settings.first().cloned());
        } else if !DESCRIPTIVE_OPTIONS.contains(&keyword) {
            other_options.push(keyword.to_string());
        }
    }
    let h = &r.header;
    StatefulRule {
        action: StatefulAction::parse(&r.action),
        protocol: h.protocol.clone(),
        source: h.source.clone(),
        source_port: h.source_port.clone(),
        forward_only: h.direction != "ANY",
        destination: h.destination.clone(),
        destination_port: h.destination_port.clone(),
        sid,
        other_options,
    }
}
