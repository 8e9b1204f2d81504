//! The AWS Network Firewall part of `pull` (aws-sdk-networkfirewall):
//! ListFirewalls, ListFirewallPolicies and ListRuleGroups, then the
//! describe call for each resource, written in the shapes
//! [`crate::snapshot::firewall_shapes`] reads: each `describe-*` output
//! whole (`Firewall` + `FirewallStatus`, `FirewallPolicyResponse` +
//! `FirewallPolicy`, `RuleGroupResponse` + `RuleGroup`) as one element of
//! the Batfish-style list the `list-*` call names (`Firewalls`,
//! `FirewallPolicies`, `RuleGroups`).
//!
//! Policies are described for every listed ARN and every ARN a firewall
//! names (a policy shared from another account is not listed), rule groups
//! for every listed ARN and every ARN a policy references (AWS-managed
//! groups are never listed under the default scope).
//!
//! Network Firewall speaks JSON, which `serde_json` refuses when cut short,
//! so the XML check of [`super::integrity`] is not needed on this client.
//!
//! Must not know: what the rules mean (the engine's
//! `analysis::path::firewall`).

use std::collections::BTreeSet;

use aws_sdk_networkfirewall as nfw;
use nfw::types as t;
use serde_json::Value;
use tokio::sync::Semaphore;

use super::convert::Obj;
use super::{CallError, PageTokens, SubCall, SubResults, TaskOut};

/// ListFirewalls: names and ARNs.
pub const LIST_FIREWALLS: SubCall = SubCall {
    operation: "ListFirewalls",
    file: "network-firewall-list-firewalls.json",
    key: "Firewalls",
};
/// DescribeFirewall for each firewall.
pub const FIREWALLS: SubCall = SubCall {
    operation: "DescribeFirewall",
    file: "network-firewall-firewalls.json",
    key: "Firewalls",
};
/// ListFirewallPolicies.
pub const LIST_POLICIES: SubCall = SubCall {
    operation: "ListFirewallPolicies",
    file: "network-firewall-list-firewall-policies.json",
    key: "FirewallPolicies",
};
/// DescribeFirewallPolicy for each policy.
pub const POLICIES: SubCall = SubCall {
    operation: "DescribeFirewallPolicy",
    file: "network-firewall-firewall-policies.json",
    key: "FirewallPolicies",
};
/// ListRuleGroups.
pub const LIST_RULE_GROUPS: SubCall = SubCall {
    operation: "ListRuleGroups",
    file: "network-firewall-list-rule-groups.json",
    key: "RuleGroups",
};
/// DescribeRuleGroup for each rule group.
pub const RULE_GROUPS: SubCall = SubCall {
    operation: "DescribeRuleGroup",
    file: "network-firewall-rule-groups.json",
    key: "RuleGroups",
};

/// Every Network Firewall call, in the order they are made.
pub const CALLS: [SubCall; 6] = [
    LIST_FIREWALLS,
    FIREWALLS,
    LIST_POLICIES,
    POLICIES,
    LIST_RULE_GROUPS,
    RULE_GROUPS,
];

/// Whether `operation` is a Network Firewall one (`network-firewall:` IAM
/// actions).
pub fn is_operation(operation: &str) -> bool {
    CALLS.iter().any(|c| c.operation == operation)
}

/// Every page of a `list-*` call: (name, ARN) per resource.
macro_rules! listed_pages {
    ($sem:expr, $request:expr, $items:ident, $name:ident, $arn:ident) => {
        paged!($sem, $request, $items, |m| (
            m.$name.clone(),
            m.$arn.clone()
        ))
    };
}

/// The whole Network Firewall configuration of one region.
pub(super) async fn network_firewall(
    client: &nfw::Client,
    sem: &Semaphore,
    region: &str,
) -> TaskOut {
    let mut out = TaskOut::new(region);

    let listed = listed_pages!(
        sem,
        client.list_firewalls(),
        firewalls,
        firewall_name,
        firewall_arn
    );
    let arns = list_file(
        &mut out,
        LIST_FIREWALLS,
        listed,
        "FirewallName",
        "FirewallArn",
    );
    let mut firewalls = SubResults::new(FIREWALLS, region);
    let mut policy_arns: BTreeSet<String> = BTreeSet::new();
    for arn in &arns {
        if !firewalls.ok() {
            break;
        }
        let _permit = sem.acquire().await.expect("the semaphore is never closed");
        let got = client.describe_firewall().firewall_arn(arn).send().await;
        firewalls.add(got.map_err(CallError::from_sdk).map(|o| {
            if let Some(f) = &o.firewall {
                policy_arns.insert(f.firewall_policy_arn.clone());
            }
            (described_firewall(&o), 1)
        }));
    }
    firewalls.finish(&mut out);

    let listed = listed_pages!(
        sem,
        client.list_firewall_policies(),
        firewall_policies,
        name,
        arn
    );
    policy_arns.extend(list_file(&mut out, LIST_POLICIES, listed, "Name", "Arn"));
    let mut policies = SubResults::new(POLICIES, region);
    let mut group_arns: BTreeSet<String> = BTreeSet::new();
    for arn in &policy_arns {
        if !policies.ok() {
            break;
        }
        let _permit = sem.acquire().await.expect("the semaphore is never closed");
        let got = client
            .describe_firewall_policy()
            .firewall_policy_arn(arn)
            .send()
            .await;
        policies.add(got.map_err(CallError::from_sdk).map(|o| {
            if let Some(p) = &o.firewall_policy {
                let stateless = p.stateless_rule_group_references.iter().flatten();
                group_arns.extend(stateless.map(|r| r.resource_arn.clone()));
                let stateful = p.stateful_rule_group_references.iter().flatten();
                group_arns.extend(stateful.map(|r| r.resource_arn.clone()));
            }
            let doc = Obj::new()
                .o(
                    "FirewallPolicyResponse",
                    o.firewall_policy_response.as_ref().map(policy_response),
                )
                .o("FirewallPolicy", o.firewall_policy.as_ref().map(policy))
                .done();
            (doc, 1)
        }));
    }
    policies.finish(&mut out);

    let listed = listed_pages!(sem, client.list_rule_groups(), rule_groups, name, arn);
    group_arns.extend(list_file(&mut out, LIST_RULE_GROUPS, listed, "Name", "Arn"));
    let mut groups = SubResults::new(RULE_GROUPS, region);
    for arn in &group_arns {
        if !groups.ok() {
            break;
        }
        let _permit = sem.acquire().await.expect("the semaphore is never closed");
        let got = client
            .describe_rule_group()
            .rule_group_arn(arn)
            .send()
            .await;
        groups.add(got.map_err(CallError::from_sdk).map(|o| {
            let doc = Obj::new()
                .o(
                    "RuleGroupResponse",
                    o.rule_group_response.as_ref().map(rule_group_response),
                )
                .o("RuleGroup", o.rule_group.as_ref().map(rule_group))
                .done();
            (doc, 1)
        }));
    }
    groups.finish(&mut out);
    out
}

/// The (name, ARN) pairs of a `list-*` answer and the requests it took.
type Listed = (Vec<(Option<String>, Option<String>)>, usize);

/// A `list-*` answer into its file (or its failure into `out`); the ARNs
/// it names.
fn list_file(
    out: &mut TaskOut,
    call: SubCall,
    got: Result<Listed, CallError>,
    name_key: &str,
    arn_key: &str,
) -> Vec<String> {
    let mut sub = SubResults::new(call, &out.region);
    let mut arns = Vec::new();
    match got {
        Ok((items, requests)) => {
            for (name, arn) in items {
                sub.items.push(
                    Obj::new()
                        .s(name_key, name.as_deref())
                        .s(arn_key, arn.as_deref())
                        .done(),
                );
                arns.extend(arn);
            }
            sub.requests = requests;
        }
        Err(e) => sub.add(Err(e)),
    }
    sub.finish(out);
    arns
}

fn described_firewall(o: &nfw::operation::describe_firewall::DescribeFirewallOutput) -> Value {
    Obj::new()
        .o("Firewall", o.firewall.as_ref().map(firewall))
        .o(
            "FirewallStatus",
            o.firewall_status.as_ref().map(firewall_status),
        )
        .done()
}

fn tag(x: &t::Tag) -> Value {
    Obj::new()
        .s("Key", Some(x.key.as_str()))
        .s("Value", Some(x.value.as_str()))
        .done()
}

fn ints(v: Option<&Vec<i32>>) -> Option<Value> {
    v.map(|v| Value::Array(v.iter().map(|i| Value::from(*i)).collect()))
}

fn strings(v: &[String]) -> Value {
    Value::Array(v.iter().map(|s| Value::String(s.clone())).collect())
}

fn firewall(x: &t::Firewall) -> Value {
    Obj::new()
        .s("FirewallName", x.firewall_name.as_deref())
        .s("FirewallArn", x.firewall_arn.as_deref())
        .s("FirewallPolicyArn", Some(x.firewall_policy_arn.as_str()))
        .s("VpcId", Some(x.vpc_id.as_str()))
        .l("SubnetMappings", Some(&x.subnet_mappings), |m| {
            Obj::new()
                .s("SubnetId", Some(m.subnet_id.as_str()))
                .e("IPAddressType", m.ip_address_type.as_ref())
                .done()
        })
        .b("DeleteProtection", Some(x.delete_protection))
        .b("SubnetChangeProtection", Some(x.subnet_change_protection))
        .b(
            "FirewallPolicyChangeProtection",
            Some(x.firewall_policy_change_protection),
        )
        .s("Description", x.description.as_deref())
        .s("FirewallId", Some(x.firewall_id.as_str()))
        .l("Tags", x.tags.as_ref(), tag)
        .i("NumberOfAssociations", x.number_of_associations)
        .s("TransitGatewayId", x.transit_gateway_id.as_deref())
        .s(
            "TransitGatewayOwnerAccountId",
            x.transit_gateway_owner_account_id.as_deref(),
        )
        .l(
            "AvailabilityZoneMappings",
            x.availability_zone_mappings.as_ref(),
            |m| {
                Obj::new()
                    .s("AvailabilityZone", Some(m.availability_zone.as_str()))
                    .done()
            },
        )
        .done()
}

fn firewall_status(x: &t::FirewallStatus) -> Value {
    Obj::new()
        .e("Status", Some(&x.status))
        .e(
            "ConfigurationSyncStateSummary",
            Some(&x.configuration_sync_state_summary),
        )
        .m("SyncStates", x.sync_states.as_ref(), |s| {
            Obj::new()
                .o(
                    "Attachment",
                    s.attachment.as_ref().map(|a| {
                        Obj::new()
                            .s("SubnetId", a.subnet_id.as_deref())
                            .s("EndpointId", a.endpoint_id.as_deref())
                            .e("Status", a.status.as_ref())
                            .s("StatusMessage", a.status_message.as_deref())
                            .done()
                    }),
                )
                .done()
        })
        .o(
            "TransitGatewayAttachmentSyncState",
            x.transit_gateway_attachment_sync_state.as_ref().map(|s| {
                Obj::new()
                    .s("AttachmentId", s.attachment_id.as_deref())
                    .e(
                        "TransitGatewayAttachmentStatus",
                        s.transit_gateway_attachment_status.as_ref(),
                    )
                    .s("StatusMessage", s.status_message.as_deref())
                    .done()
            }),
        )
        .done()
}

fn policy_response(x: &t::FirewallPolicyResponse) -> Value {
    Obj::new()
        .s("FirewallPolicyName", Some(x.firewall_policy_name.as_str()))
        .s("FirewallPolicyArn", Some(x.firewall_policy_arn.as_str()))
        .s("FirewallPolicyId", Some(x.firewall_policy_id.as_str()))
        .s("Description", x.description.as_deref())
        .e("FirewallPolicyStatus", x.firewall_policy_status.as_ref())
        .l("Tags", x.tags.as_ref(), tag)
        .i("NumberOfAssociations", x.number_of_associations)
        .t("LastModifiedTime", x.last_modified_time.as_ref())
        .done()
}

fn custom_action(c: &t::CustomAction) -> Value {
    Obj::new()
        .s("ActionName", Some(c.action_name.as_str()))
        .o(
            "ActionDefinition",
            c.action_definition.as_ref().map(|d| {
                Obj::new()
                    .o(
                        "PublishMetricAction",
                        d.publish_metric_action.as_ref().map(|p| {
                            Obj::new()
                                .l("Dimensions", Some(&p.dimensions), |d| {
                                    Obj::new().s("Value", Some(d.value.as_str())).done()
                                })
                                .done()
                        }),
                    )
                    .done()
            }),
        )
        .done()
}

fn ip_set(s: &t::IpSet) -> Value {
    Obj::new()
        .o("Definition", Some(strings(&s.definition)))
        .done()
}

fn policy(x: &t::FirewallPolicy) -> Value {
    let o = Obj::new()
        .l(
            "StatelessRuleGroupReferences",
            x.stateless_rule_group_references.as_ref(),
            |r| {
                Obj::new()
                    .s("ResourceArn", Some(r.resource_arn.as_str()))
                    .i("Priority", Some(r.priority))
                    .done()
            },
        )
        .o(
            "StatelessDefaultActions",
            Some(strings(&x.stateless_default_actions)),
        )
        .o(
            "StatelessFragmentDefaultActions",
            Some(strings(&x.stateless_fragment_default_actions)),
        )
        .l(
            "StatelessCustomActions",
            x.stateless_custom_actions.as_ref(),
            custom_action,
        )
        .l(
            "StatefulRuleGroupReferences",
            x.stateful_rule_group_references.as_ref(),
            |r| {
                Obj::new()
                    .s("ResourceArn", Some(r.resource_arn.as_str()))
                    .i("Priority", r.priority)
                    .o(
                        "Override",
                        r.r#override
                            .as_ref()
                            .map(|o| Obj::new().e("Action", o.action.as_ref()).done()),
                    )
                    .b("DeepThreatInspection", r.deep_threat_inspection)
                    .done()
            },
        )
        .strings(
            "StatefulDefaultActions",
            x.stateful_default_actions.as_ref(),
        )
        .o(
            "StatefulEngineOptions",
            x.stateful_engine_options.as_ref().map(|e| {
                Obj::new()
                    .e("RuleOrder", e.rule_order.as_ref())
                    .e("StreamExceptionPolicy", e.stream_exception_policy.as_ref())
                    .done()
            }),
        )
        .s(
            "TLSInspectionConfigurationArn",
            x.tls_inspection_configuration_arn.as_deref(),
        );
    let vars = x.policy_variables.as_ref().map(|v| {
        Obj::new()
            .m("RuleVariables", v.rule_variables.as_ref(), ip_set)
            .done()
    });
    o.o("PolicyVariables", vars)
        .b("EnableTLSSessionHolding", x.enable_tls_session_holding)
        .done()
}

fn rule_group_response(x: &t::RuleGroupResponse) -> Value {
    Obj::new()
        .s("RuleGroupArn", Some(x.rule_group_arn.as_str()))
        .s("RuleGroupName", Some(x.rule_group_name.as_str()))
        .s("RuleGroupId", Some(x.rule_group_id.as_str()))
        .s("Description", x.description.as_deref())
        .e("Type", x.r#type.as_ref())
        .i("Capacity", x.capacity)
        .e("RuleGroupStatus", x.rule_group_status.as_ref())
        .l("Tags", x.tags.as_ref(), tag)
        .i("ConsumedCapacity", x.consumed_capacity)
        .i("NumberOfAssociations", x.number_of_associations)
        .t("LastModifiedTime", x.last_modified_time.as_ref())
        .done()
}

fn address(a: &t::Address) -> Value {
    Obj::new()
        .s("AddressDefinition", Some(a.address_definition.as_str()))
        .done()
}

fn port_range(p: &t::PortRange) -> Value {
    Obj::new()
        .i("FromPort", Some(p.from_port))
        .i("ToPort", Some(p.to_port))
        .done()
}

fn rule_group(x: &t::RuleGroup) -> Value {
    let vars = x.rule_variables.as_ref().map(|v| {
        Obj::new()
            .m("IPSets", v.ip_sets.as_ref(), ip_set)
            .m("PortSets", v.port_sets.as_ref(), |p| {
                Obj::new()
                    .strings("Definition", p.definition.as_ref())
                    .done()
            })
            .done()
    });
    let refs = x.reference_sets.as_ref().map(|r| {
        Obj::new()
            .m("IPSetReferences", r.ip_set_references.as_ref(), |i| {
                Obj::new()
                    .s("ReferenceArn", i.reference_arn.as_deref())
                    .done()
            })
            .done()
    });
    Obj::new()
        .o("RuleVariables", vars)
        .o("ReferenceSets", refs)
        .o("RulesSource", x.rules_source.as_ref().map(rules_source))
        .o(
            "StatefulRuleOptions",
            x.stateful_rule_options
                .as_ref()
                .map(|o| Obj::new().e("RuleOrder", o.rule_order.as_ref()).done()),
        )
        .done()
}

fn rules_source(s: &t::RulesSource) -> Value {
    Obj::new()
        .s("RulesString", s.rules_string.as_deref())
        .o(
            "RulesSourceList",
            s.rules_source_list.as_ref().map(|l| {
                Obj::new()
                    .o("Targets", Some(strings(&l.targets)))
                    .l("TargetTypes", Some(&l.target_types), |k| {
                        Value::String(k.as_str().into())
                    })
                    .e("GeneratedRulesType", Some(&l.generated_rules_type))
                    .done()
            }),
        )
        .l("StatefulRules", s.stateful_rules.as_ref(), |r| {
            Obj::new()
                .e("Action", Some(&r.action))
                .o(
                    "Header",
                    r.header.as_ref().map(|h| {
                        Obj::new()
                            .e("Protocol", Some(&h.protocol))
                            .s("Source", Some(h.source.as_str()))
                            .s("SourcePort", Some(h.source_port.as_str()))
                            .e("Direction", Some(&h.direction))
                            .s("Destination", Some(h.destination.as_str()))
                            .s("DestinationPort", Some(h.destination_port.as_str()))
                            .done()
                    }),
                )
                .l("RuleOptions", Some(&r.rule_options), |o| {
                    Obj::new()
                        .s("Keyword", Some(o.keyword.as_str()))
                        .strings("Settings", o.settings.as_ref())
                        .done()
                })
                .done()
        })
        .o(
            "StatelessRulesAndCustomActions",
            s.stateless_rules_and_custom_actions.as_ref().map(|s| {
                Obj::new()
                    .l("StatelessRules", Some(&s.stateless_rules), |r| {
                        Obj::new()
                            .o(
                                "RuleDefinition",
                                r.rule_definition.as_ref().map(rule_definition),
                            )
                            .i("Priority", Some(r.priority))
                            .done()
                    })
                    .l("CustomActions", s.custom_actions.as_ref(), custom_action)
                    .done()
            }),
        )
        .done()
}

fn rule_definition(d: &t::RuleDefinition) -> Value {
    Obj::new()
        .o(
            "MatchAttributes",
            d.match_attributes.as_ref().map(|m| {
                Obj::new()
                    .l("Sources", m.sources.as_ref(), address)
                    .l("Destinations", m.destinations.as_ref(), address)
                    .l("SourcePorts", m.source_ports.as_ref(), port_range)
                    .l("DestinationPorts", m.destination_ports.as_ref(), port_range)
                    .o("Protocols", ints(m.protocols.as_ref()))
                    .l("TCPFlags", m.tcp_flags.as_ref(), |f| {
                        let flags = |v: &Vec<t::TcpFlag>| {
                            Value::Array(
                                v.iter().map(|f| Value::String(f.as_str().into())).collect(),
                            )
                        };
                        Obj::new()
                            .o("Flags", Some(flags(&f.flags)))
                            .o("Masks", f.masks.as_ref().map(flags))
                            .done()
                    })
                    .done()
            }),
        )
        .o("Actions", Some(strings(&d.actions)))
        .done()
}
