//! AWS Network Firewall as plain values: firewalls and their endpoints,
//! firewall policies, rule groups (NF.* of docs/semantics-additions.md).
//!
//! Owns: what a firewall decision depends on — endpoints per AZ, the
//! policy's rule group order and default actions, rules with their match
//! fields as AWS prints them (address and port definitions stay text: rule
//! variables make their meaning depend on the policy, so the engine
//! resolves them). Must not know: JSON, serde shapes, files.

use std::collections::BTreeMap;

aws_state! {
    /// A stateless rule or default action. Any other name is a custom
    /// action, which only publishes metrics (NF.2).
    StatelessAction {
        Pass = "aws:pass",
        Drop = "aws:drop",
        ForwardToSfe = "aws:forward_to_sfe",
    }
}

aws_state! {
    /// The action of a 5-tuple stateful rule.
    StatefulAction {
        Pass = "PASS",
        Drop = "DROP",
        Reject = "REJECT",
        Alert = "ALERT",
    }
}

aws_state! {
    /// `StatefulEngineOptions.RuleOrder` / `StatefulRuleOptions.RuleOrder`.
    RuleOrder {
        DefaultActionOrder = "DEFAULT_ACTION_ORDER",
        StrictOrder = "STRICT_ORDER",
    }
}

aws_state! {
    /// A firewall endpoint's `Attachment.Status`.
    FirewallEndpointStatus {
        Unstated = "",
        Creating = "CREATING",
        Deleting = "DELETING",
        Failed = "FAILED",
        Error = "ERROR",
        Scaling = "SCALING",
        Ready = "READY",
    }
}

/// A firewall (`describe-firewall`): where its endpoints are and which
/// policy it runs.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Firewall {
    pub name: String,
    pub arn: String,
    pub vpc_id: String,
    pub policy_arn: String,
    /// One per Availability Zone (`FirewallStatus.SyncStates`).
    pub endpoints: Vec<FirewallEndpoint>,
    /// Attached to a transit gateway directly (no VPC endpoint).
    pub transit_gateway_id: Option<String>,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FirewallEndpoint {
    pub availability_zone: String,
    pub endpoint_id: String,
    pub subnet_id: String,
    pub status: FirewallEndpointStatus,
}

/// A firewall policy (`describe-firewall-policy`).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FirewallPolicy {
    pub name: String,
    pub arn: String,
    /// (priority, rule group ARN), as printed.
    pub stateless_groups: Vec<(i64, String)>,
    pub stateless_default: Vec<StatelessAction>,
    pub stateless_fragment_default: Vec<StatelessAction>,
    /// (priority when strict order, rule group ARN, `Override` DROP_TO_ALERT).
    pub stateful_groups: Vec<StatefulGroupRef>,
    /// `StatefulDefaultActions` as printed (`aws:drop_strict`, …).
    pub stateful_default: Vec<String>,
    pub rule_order: RuleOrder,
    pub tls_inspection: Option<String>,
    /// `PolicyVariables.RuleVariables` (only `HOME_NET` exists today).
    pub variables: BTreeMap<String, Vec<String>>,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct StatefulGroupRef {
    pub arn: String,
    pub priority: Option<i64>,
    pub drop_to_alert: bool,
}

/// A rule group (`describe-rule-group`).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RuleGroup {
    pub name: String,
    pub arn: String,
    pub stateful: bool,
    pub rule_order: RuleOrder,
    pub ip_sets: BTreeMap<String, Vec<String>>,
    pub port_sets: BTreeMap<String, Vec<String>>,
    /// Name → ARN of a managed prefix list or resource group.
    pub ip_set_references: BTreeMap<String, String>,
    pub rules: RulesSource,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum RulesSource {
    Stateless(Vec<StatelessRule>),
    FiveTuple(Vec<StatefulRule>),
    /// Domain list: target types (`TLS_SNI`, `HTTP_HOST`) and list type.
    DomainList {
        target_types: Vec<String>,
        generated: String,
    },
    /// Suricata-compatible rule string.
    Suricata,
    Empty,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct StatelessRule {
    pub priority: i64,
    pub actions: Vec<StatelessAction>,
    pub sources: Vec<String>,
    pub destinations: Vec<String>,
    pub source_ports: Vec<(u16, u16)>,
    pub destination_ports: Vec<(u16, u16)>,
    pub protocols: Vec<u8>,
    /// The rule matches on TCP flags (some packets of a flow, not others).
    pub tcp_flags: bool,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct StatefulRule {
    pub action: StatefulAction,
    pub protocol: String,
    pub source: String,
    pub source_port: String,
    pub forward_only: bool,
    pub destination: String,
    pub destination_port: String,
    /// `sid` when the rule options give one.
    pub sid: Option<String>,
    /// Rule option keywords other than `sid` / `rev` (not evaluated).
    pub other_options: Vec<String>,
}

impl StatelessRule {
    /// The action that decides the packet: custom actions only publish
    /// metrics, so the standard action beside them counts (NF.2).
    pub fn decisive_action(&self) -> Option<&StatelessAction> {
        decisive(&self.actions)
    }
}

/// The standard action of a list (custom actions only publish metrics).
pub fn decisive(actions: &[StatelessAction]) -> Option<&StatelessAction> {
    actions
        .iter()
        .find(|a| !matches!(a, StatelessAction::Other(_)))
}

impl super::Network {
    /// The firewall whose endpoint `endpoint_id` is (`FirewallStatus.SyncStates`).
    pub fn firewall_of_endpoint(
        &self,
        endpoint_id: &str,
    ) -> Option<(&Firewall, &FirewallEndpoint)> {
        self.firewalls.values().find_map(|f| {
            f.endpoints
                .iter()
                .find(|e| e.endpoint_id == endpoint_id)
                .map(|e| (f, e))
        })
    }
}
