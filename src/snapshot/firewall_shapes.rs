//! The JSON the AWS CLI prints for `aws network-firewall describe-firewall`,
//! `describe-firewall-policy`, `describe-rule-group` and their `list-*`
//! calls, as serde types (AWS Network Firewall API Reference,
//! <https://docs.aws.amazon.com/network-firewall/latest/APIReference/>).
//!
//! A `describe-*` call prints two objects side by side (`Firewall` and
//! `FirewallStatus`, `FirewallPolicyResponse` and `FirewallPolicy`,
//! `RuleGroupResponse` and `RuleGroup`) and an `UpdateToken`; the loader
//! pairs the two objects of one file. Batfish-style snapshots keep many such
//! outputs in one file as a list under `Firewalls`, `FirewallPolicies` or
//! `RuleGroups` — the same keys the `list-*` calls print their metadata
//! under, told apart by shape ([`FirewallsEntry`] and its kin).
//!
//! Only what the analyzer reads is declared; every other field is accepted
//! and ignored.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct Firewall {
    pub firewall_name: String,
    #[serde(default)]
    pub firewall_arn: String,
    pub firewall_policy_arn: String,
    pub vpc_id: String,
    #[serde(default)]
    pub subnet_mappings: Vec<SubnetMapping>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transit_gateway_id: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct SubnetMapping {
    pub subnet_id: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Default)]
#[serde(rename_all = "PascalCase")]
pub struct FirewallStatus {
    #[serde(default)]
    pub status: String,
    /// Availability Zone → the firewall's endpoint there.
    #[serde(default)]
    pub sync_states: BTreeMap<String, SyncState>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transit_gateway_attachment_sync_state: Option<TgwAttachmentSyncState>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct SyncState {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachment: Option<Attachment>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct Attachment {
    #[serde(default)]
    pub subnet_id: String,
    #[serde(default)]
    pub endpoint_id: String,
    #[serde(default)]
    pub status: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct TgwAttachmentSyncState {
    #[serde(default)]
    pub attachment_id: String,
}

/// One `describe-firewall` output (Batfish-style list element).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct DescribedFirewall {
    pub firewall: Firewall,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub firewall_status: Option<FirewallStatus>,
}

/// An element of `Firewalls`: a whole `describe-firewall` output, or the
/// `list-firewalls` metadata (name and ARN only).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(untagged)]
pub enum FirewallsEntry {
    Described(Box<DescribedFirewall>),
    Listed(ListedResource),
}

/// What `list-firewalls`, `list-firewall-policies` and `list-rule-groups`
/// print per element: a name and an ARN (spelt per call).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct ListedResource {
    #[serde(alias = "FirewallArn", alias = "Arn")]
    pub arn: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct FirewallPolicyResponse {
    pub firewall_policy_name: String,
    pub firewall_policy_arn: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Default)]
#[serde(rename_all = "PascalCase")]
pub struct FirewallPolicy {
    #[serde(default)]
    pub stateless_rule_group_references: Vec<StatelessGroupReference>,
    #[serde(default)]
    pub stateless_default_actions: Vec<String>,
    #[serde(default)]
    pub stateless_fragment_default_actions: Vec<String>,
    #[serde(default)]
    pub stateless_custom_actions: Vec<CustomAction>,
    #[serde(default)]
    pub stateful_rule_group_references: Vec<StatefulGroupReference>,
    #[serde(default)]
    pub stateful_default_actions: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stateful_engine_options: Option<StatefulEngineOptions>,
    #[serde(
        default,
        rename = "TLSInspectionConfigurationArn",
        skip_serializing_if = "Option::is_none"
    )]
    pub tls_inspection_configuration_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy_variables: Option<PolicyVariables>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct StatelessGroupReference {
    pub resource_arn: String,
    pub priority: i64,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct StatefulGroupReference {
    pub resource_arn: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<i64>,
    #[serde(default, rename = "Override", skip_serializing_if = "Option::is_none")]
    pub override_action: Option<StatefulOverride>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct StatefulOverride {
    #[serde(default)]
    pub action: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct CustomAction {
    pub action_name: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct StatefulEngineOptions {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule_order: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct PolicyVariables {
    #[serde(default)]
    pub rule_variables: BTreeMap<String, IpSet>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct IpSet {
    #[serde(default)]
    pub definition: Vec<String>,
}

/// One `describe-firewall-policy` output (Batfish-style list element).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct DescribedPolicy {
    pub firewall_policy_response: FirewallPolicyResponse,
    pub firewall_policy: FirewallPolicy,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(untagged)]
pub enum PoliciesEntry {
    Described(Box<DescribedPolicy>),
    Listed(ListedResource),
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct RuleGroupResponse {
    pub rule_group_arn: String,
    pub rule_group_name: String,
    /// `STATELESS` or `STATEFUL`.
    #[serde(rename = "Type")]
    pub kind: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Default)]
#[serde(rename_all = "PascalCase")]
pub struct RuleGroup {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule_variables: Option<RuleVariables>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference_sets: Option<ReferenceSets>,
    #[serde(default)]
    pub rules_source: RulesSource,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stateful_rule_options: Option<StatefulEngineOptions>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Default)]
#[serde(rename_all = "PascalCase")]
pub struct RuleVariables {
    #[serde(default, rename = "IPSets")]
    pub ip_sets: BTreeMap<String, IpSet>,
    #[serde(default)]
    pub port_sets: BTreeMap<String, IpSet>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Default)]
#[serde(rename_all = "PascalCase")]
pub struct ReferenceSets {
    #[serde(default, rename = "IPSetReferences")]
    pub ip_set_references: BTreeMap<String, IpSetReference>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct IpSetReference {
    #[serde(default)]
    pub reference_arn: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Default)]
#[serde(rename_all = "PascalCase")]
pub struct RulesSource {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rules_string: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rules_source_list: Option<RulesSourceList>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stateful_rules: Option<Vec<StatefulRule>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stateless_rules_and_custom_actions: Option<StatelessRulesAndCustomActions>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct RulesSourceList {
    #[serde(default)]
    pub targets: Vec<String>,
    #[serde(default)]
    pub target_types: Vec<String>,
    #[serde(default)]
    pub generated_rules_type: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct StatefulRule {
    pub action: String,
    pub header: Header,
    #[serde(default)]
    pub rule_options: Vec<RuleOption>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct Header {
    pub protocol: String,
    pub source: String,
    pub source_port: String,
    pub direction: String,
    pub destination: String,
    pub destination_port: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct RuleOption {
    pub keyword: String,
    #[serde(default)]
    pub settings: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Default)]
#[serde(rename_all = "PascalCase")]
pub struct StatelessRulesAndCustomActions {
    #[serde(default)]
    pub stateless_rules: Vec<StatelessRule>,
    #[serde(default)]
    pub custom_actions: Vec<CustomAction>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct StatelessRule {
    pub rule_definition: RuleDefinition,
    pub priority: i64,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct RuleDefinition {
    pub match_attributes: MatchAttributes,
    pub actions: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Default)]
#[serde(rename_all = "PascalCase")]
pub struct MatchAttributes {
    #[serde(default)]
    pub sources: Vec<AddressDefinition>,
    #[serde(default)]
    pub destinations: Vec<AddressDefinition>,
    #[serde(default)]
    pub source_ports: Vec<PortRange>,
    #[serde(default)]
    pub destination_ports: Vec<PortRange>,
    #[serde(default)]
    pub protocols: Vec<u8>,
    #[serde(default, rename = "TCPFlags")]
    pub tcp_flags: Vec<serde_json::Value>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct AddressDefinition {
    pub address_definition: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct PortRange {
    pub from_port: u16,
    pub to_port: u16,
}

/// One `describe-rule-group` output (Batfish-style list element).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct DescribedRuleGroup {
    pub rule_group_response: RuleGroupResponse,
    pub rule_group: RuleGroup,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(untagged)]
pub enum RuleGroupsEntry {
    Described(Box<DescribedRuleGroup>),
    Listed(ListedResource),
}
