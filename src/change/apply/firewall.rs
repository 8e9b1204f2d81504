//! AWS Network Firewall calls: UpdateRuleGroup, with the service's refusals
//! (unknown group, a type that is not the group's own, nothing to update).

use crate::change::{err, State, R};
use crate::model::*;

impl State {
    pub(in crate::change) fn update_rule_group(
        &mut self,
        arn: &Option<String>,
        name: &Option<String>,
        stateful: Option<bool>,
        body: &Option<Box<RuleGroup>>,
    ) -> R<String> {
        let found = self
            .net
            .rule_groups
            .values_mut()
            .find(|g| match (arn, name) {
                (Some(arn), _) => &g.arn == arn,
                (None, Some(name)) => &g.name == name,
                (None, None) => false,
            });
        let Some(group) = found else {
            let what = arn.clone().or(name.clone()).unwrap_or_default();
            return Err(if arn.is_none() && name.is_none() {
                err(
                    "InvalidRequestException",
                    "RuleGroupArn",
                    "The request must name the rule group: RuleGroupArn or RuleGroupName",
                )
            } else {
                err(
                    "ResourceNotFoundException",
                    if arn.is_some() {
                        "RuleGroupArn"
                    } else {
                        "RuleGroupName"
                    },
                    format!("rule group {what} is not in the snapshot"),
                )
            });
        };
        if stateful.is_some_and(|s| s != group.stateful) {
            return Err(err(
                "InvalidRequestException",
                "Type",
                format!(
                    "rule group {} is {}, not the type the request names",
                    group.name,
                    if group.stateful {
                        "STATEFUL"
                    } else {
                        "STATELESS"
                    }
                ),
            ));
        }
        let Some(body) = body else {
            return Err(err(
                "InvalidRequestException",
                "RuleGroup",
                "The request must contain RuleGroup or Rules",
            ));
        };
        // The rule order is fixed when a group is created.
        group.ip_sets = body.ip_sets.clone();
        group.port_sets = body.port_sets.clone();
        group.ip_set_references = body.ip_set_references.clone();
        group.rules = body.rules.clone();
        Ok(format!("replaced the rules of rule group {}", group.name))
    }
}
