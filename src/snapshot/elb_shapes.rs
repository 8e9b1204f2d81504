//! The JSON the AWS CLI prints for Elastic Load Balancing: `aws elbv2
//! describe-load-balancers | describe-listeners | describe-target-groups |
//! describe-target-health | describe-target-group-attributes |
//! describe-load-balancer-attributes` and `aws elb describe-load-balancers`.
//!
//! Two outputs lack the resource they describe (`describe-target-health`
//! prints only `TargetHealthDescriptions`, the attribute calls only
//! `Attributes`), so a snapshot holding several of them uses Batfish's
//! wrappers: `{"LoadBalancerTargetHealth": [{"TargetGroupArn", "TargetHealthDescriptions"}]}`,
//! `{"LoadBalancerAttributes": [{"LoadBalancerArn", "Attributes"}]}`,
//! `{"LoadBalancerListeners": [{"LoadBalancerArn", "Listeners"}]}` and, in the
//! same pattern (Batfish has none), `{"TargetGroupAttributes": [{"TargetGroupArn", "Attributes"}]}`.
//! Field names are the ELB API's; unknown fields are accepted and ignored.

use std::net::Ipv4Addr;

use serde::{Deserialize, Serialize};

/// `describe-load-balancers` (elbv2): `LoadBalancers[]`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct LoadBalancer {
    pub load_balancer_arn: String,
    #[serde(rename = "DNSName", default)]
    pub dns_name: String,
    pub load_balancer_name: String,
    /// `internet-facing` or `internal`.
    pub scheme: String,
    pub vpc_id: String,
    /// `application`, `network` or `gateway`.
    #[serde(rename = "Type")]
    pub kind: String,
    #[serde(default)]
    pub state: Option<LoadBalancerState>,
    #[serde(default)]
    pub availability_zones: Vec<LbAvailabilityZone>,
    #[serde(default)]
    pub security_groups: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip_address_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enforce_security_group_inbound_rules_on_private_link_traffic: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct LoadBalancerState {
    pub code: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct LbAvailabilityZone {
    pub zone_name: String,
    pub subnet_id: String,
    #[serde(default)]
    pub load_balancer_addresses: Vec<LbAddress>,
}

/// NLB addresses: an Elastic IP (`IpAddress`, `AllocationId`) and/or the
/// node's private address (`PrivateIPv4Address`).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct LbAddress {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip_address: Option<Ipv4Addr>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allocation_id: Option<String>,
    #[serde(
        rename = "PrivateIPv4Address",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub private_ipv4_address: Option<Ipv4Addr>,
}

/// `describe-listeners`: `Listeners[]`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Listener {
    #[serde(default)]
    pub listener_arn: String,
    pub load_balancer_arn: String,
    /// Absent for Gateway Load Balancer listeners.
    #[serde(default)]
    pub port: Option<u16>,
    #[serde(default)]
    pub protocol: Option<String>,
    #[serde(default)]
    pub default_actions: Vec<ListenerAction>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListenerAction {
    #[serde(rename = "Type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_group_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forward_config: Option<ForwardConfig>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ForwardConfig {
    #[serde(default)]
    pub target_groups: Vec<WeightedTargetGroup>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct WeightedTargetGroup {
    pub target_group_arn: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<u32>,
}

/// Batfish's wrapper of one `describe-listeners` call per load balancer.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct LoadBalancerListeners {
    pub load_balancer_arn: String,
    pub listeners: Vec<Listener>,
}

/// `describe-target-groups`: `TargetGroups[]`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TargetGroup {
    pub target_group_arn: String,
    #[serde(default)]
    pub target_group_name: String,
    /// Absent for `lambda` target groups.
    #[serde(default)]
    pub protocol: Option<String>,
    #[serde(default)]
    pub port: Option<u16>,
    #[serde(default)]
    pub vpc_id: Option<String>,
    /// `instance`, `ip`, `lambda` or `alb`; older API output omits it,
    /// and AWS's default is `instance` (CreateTargetGroup `TargetType`).
    #[serde(default = "instance_target_type")]
    pub target_type: String,
    #[serde(default)]
    pub load_balancer_arns: Vec<String>,
}

/// `describe-target-health` output, wrapped with its target group (Batfish).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TargetGroupHealth {
    pub target_group_arn: String,
    pub target_health_descriptions: Vec<TargetHealthDescription>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TargetHealthDescription {
    pub target: TargetDescription,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub health_check_port: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_health: Option<TargetHealth>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TargetDescription {
    pub id: String,
    #[serde(default)]
    pub port: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub availability_zone: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TargetHealth {
    #[serde(default)]
    pub state: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Attribute {
    pub key: String,
    #[serde(default)]
    pub value: String,
}

/// `describe-load-balancer-attributes` output, wrapped with its load balancer (Batfish).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct LoadBalancerAttributes {
    pub load_balancer_arn: String,
    pub attributes: Vec<Attribute>,
}

/// `describe-target-group-attributes` output, wrapped with its target group.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TargetGroupAttributes {
    pub target_group_arn: String,
    pub attributes: Vec<Attribute>,
}

/// `aws elb describe-load-balancers`: `LoadBalancerDescriptions[]`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ClassicLoadBalancer {
    pub load_balancer_name: String,
    #[serde(rename = "DNSName", default)]
    pub dns_name: String,
    #[serde(default)]
    pub listener_descriptions: Vec<ClassicListenerDescription>,
    #[serde(default)]
    pub availability_zones: Vec<String>,
    #[serde(default)]
    pub subnets: Vec<String>,
    #[serde(rename = "VPCId", default)]
    pub vpc_id: Option<String>,
    #[serde(default)]
    pub instances: Vec<ClassicInstance>,
    #[serde(default)]
    pub security_groups: Vec<String>,
    #[serde(default)]
    pub scheme: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ClassicListenerDescription {
    pub listener: ClassicListener,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ClassicListener {
    pub protocol: String,
    pub load_balancer_port: u16,
    #[serde(default)]
    pub instance_protocol: Option<String>,
    pub instance_port: u16,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ClassicInstance {
    pub instance_id: String,
}

fn instance_target_type() -> String {
    "instance".into()
}
