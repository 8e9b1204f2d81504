//! EC2 API requests as serde types: the JSON `aws ec2 <command>
//! --generate-cli-skeleton` describes, plus the `Action` key naming the call.
//!
//! Field names are the EC2 API's (PascalCase). Unknown fields are refused
//! (a misspelt `SourceDestCheck` must not pass silently). Fields that do not
//! affect reachability (`DryRun`, `TagSpecifications`, `Description`, …)
//! are accepted and ignored.

use std::net::Ipv4Addr;

use ipnet::Ipv4Net;
use serde::Deserialize;
use serde_json::Value;

/// Only the `Action` key, read first to pick the request shape.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ActionOnly {
    pub action: String,
}

/// Authorize/RevokeSecurityGroupIngress/Egress.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct SecurityGroupPermissions {
    pub action: String,
    #[serde(default)]
    pub dry_run: Option<bool>,
    #[serde(default)]
    pub group_id: Option<String>,
    #[serde(default)]
    pub group_name: Option<String>,
    #[serde(default)]
    pub ip_permissions: Option<Vec<IpPermissionRequest>>,
    #[serde(default)]
    pub cidr_ip: Option<Ipv4Net>,
    #[serde(default)]
    pub ip_protocol: Option<String>,
    #[serde(default)]
    pub from_port: Option<i64>,
    #[serde(default)]
    pub to_port: Option<i64>,
    #[serde(default)]
    pub source_security_group_name: Option<String>,
    #[serde(default)]
    pub source_security_group_owner_id: Option<String>,
    #[serde(default)]
    pub security_group_rule_ids: Option<Vec<String>>,
    #[serde(default)]
    pub tag_specifications: Option<Value>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct ModifySecurityGroupRules {
    pub action: String,
    #[serde(default)]
    pub dry_run: Option<bool>,
    #[serde(default)]
    pub group_id: Option<String>,
    #[serde(default)]
    pub security_group_rules: Vec<SecurityGroupRuleUpdate>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct SecurityGroupRuleUpdate {
    #[serde(default)]
    pub security_group_rule_id: Option<String>,
    pub security_group_rule: SecurityGroupRuleRequest,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct SecurityGroupRuleRequest {
    pub ip_protocol: String,
    #[serde(default)]
    pub from_port: Option<i64>,
    #[serde(default)]
    pub to_port: Option<i64>,
    #[serde(default)]
    pub cidr_ipv4: Option<Ipv4Net>,
    #[serde(default)]
    pub cidr_ipv6: Option<String>,
    #[serde(default)]
    pub prefix_list_id: Option<String>,
    #[serde(default)]
    pub referenced_group_id: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
}

/// Create/ReplaceNetworkAclEntry.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct NetworkAclEntryRequest {
    pub action: String,
    #[serde(default)]
    pub dry_run: Option<bool>,
    #[serde(default)]
    pub network_acl_id: Option<String>,
    #[serde(default)]
    pub rule_number: Option<i64>,
    #[serde(default)]
    pub egress: Option<bool>,
    #[serde(default)]
    pub protocol: Option<String>,
    #[serde(default)]
    pub rule_action: Option<String>,
    #[serde(default)]
    pub cidr_block: Option<Ipv4Net>,
    #[serde(default)]
    pub ipv6_cidr_block: Option<String>,
    #[serde(default)]
    pub port_range: Option<PortRangeRequest>,
    #[serde(default)]
    pub icmp_type_code: Option<IcmpTypeCodeRequest>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct PortRangeRequest {
    #[serde(default)]
    pub from: Option<i64>,
    #[serde(default)]
    pub to: Option<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct IcmpTypeCodeRequest {
    #[serde(default)]
    pub code: Option<i64>,
    #[serde(default, rename = "Type")]
    pub type_: Option<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct DeleteNetworkAclEntry {
    pub action: String,
    #[serde(default)]
    pub dry_run: Option<bool>,
    #[serde(default)]
    pub network_acl_id: Option<String>,
    #[serde(default)]
    pub rule_number: Option<i64>,
    #[serde(default)]
    pub egress: Option<bool>,
}

/// ReplaceNetworkAclAssociation, ReplaceRouteTableAssociation,
/// DisassociateRouteTable, AssociateRouteTable.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct AssociationRequest {
    pub action: String,
    #[serde(default)]
    pub dry_run: Option<bool>,
    #[serde(default)]
    pub association_id: Option<String>,
    #[serde(default)]
    pub network_acl_id: Option<String>,
    #[serde(default)]
    pub route_table_id: Option<String>,
    #[serde(default)]
    pub subnet_id: Option<String>,
    #[serde(default)]
    pub gateway_id: Option<String>,
    #[serde(default)]
    pub public_ipv4_pool: Option<String>,
}

/// Create/Replace/DeleteRoute.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct RouteRequest {
    pub action: String,
    #[serde(default)]
    pub dry_run: Option<bool>,
    #[serde(default)]
    pub route_table_id: Option<String>,
    #[serde(default)]
    pub destination_cidr_block: Option<Ipv4Net>,
    #[serde(default)]
    pub destination_ipv6_cidr_block: Option<String>,
    #[serde(default)]
    pub destination_prefix_list_id: Option<String>,
    #[serde(default)]
    pub gateway_id: Option<String>,
    #[serde(default)]
    pub nat_gateway_id: Option<String>,
    #[serde(default)]
    pub vpc_peering_connection_id: Option<String>,
    #[serde(default)]
    pub network_interface_id: Option<String>,
    #[serde(default)]
    pub instance_id: Option<String>,
    #[serde(default)]
    pub transit_gateway_id: Option<String>,
    #[serde(default)]
    pub egress_only_internet_gateway_id: Option<String>,
    #[serde(default)]
    pub vpc_endpoint_id: Option<String>,
    #[serde(default)]
    pub local_gateway_id: Option<String>,
    #[serde(default)]
    pub carrier_gateway_id: Option<String>,
    #[serde(default)]
    pub core_network_arn: Option<String>,
    #[serde(default)]
    pub odb_network_arn: Option<String>,
    #[serde(default)]
    pub local_target: Option<bool>,
}

/// Attach/DetachInternetGateway.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct InternetGatewayRequest {
    pub action: String,
    #[serde(default)]
    pub dry_run: Option<bool>,
    #[serde(default)]
    pub internet_gateway_id: Option<String>,
    #[serde(default)]
    pub vpc_id: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct ModifyNetworkInterfaceAttribute {
    pub action: String,
    #[serde(default)]
    pub dry_run: Option<bool>,
    #[serde(default)]
    pub network_interface_id: Option<String>,
    #[serde(default)]
    pub groups: Option<Vec<String>>,
    #[serde(default)]
    pub source_dest_check: Option<BooleanValue>,
    #[serde(default)]
    pub description: Option<Value>,
    #[serde(default)]
    pub attachment: Option<Value>,
    #[serde(default)]
    pub ena_srd_specification: Option<Value>,
    #[serde(default)]
    pub enable_primary_ipv6: Option<Value>,
    #[serde(default)]
    pub connection_tracking_specification: Option<Value>,
    #[serde(default)]
    pub associate_public_ip_address: Option<Value>,
    #[serde(default)]
    pub associated_subnet_ids: Option<Value>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct BooleanValue {
    pub value: bool,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct AddressRequest {
    pub action: String,
    #[serde(default)]
    pub dry_run: Option<bool>,
    #[serde(default)]
    pub allocation_id: Option<String>,
    #[serde(default)]
    pub association_id: Option<String>,
    #[serde(default)]
    pub public_ip: Option<Ipv4Addr>,
    #[serde(default)]
    pub instance_id: Option<String>,
    #[serde(default)]
    pub network_interface_id: Option<String>,
    #[serde(default)]
    pub private_ip_address: Option<Ipv4Addr>,
    #[serde(default)]
    pub allow_reassociation: Option<bool>,
}

/// Create/Accept/DeleteVpcPeeringConnection.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct PeeringRequest {
    pub action: String,
    #[serde(default)]
    pub dry_run: Option<bool>,
    #[serde(default)]
    pub vpc_peering_connection_id: Option<String>,
    #[serde(default)]
    pub vpc_id: Option<String>,
    #[serde(default)]
    pub peer_vpc_id: Option<String>,
    #[serde(default)]
    pub peer_owner_id: Option<String>,
    #[serde(default)]
    pub peer_region: Option<String>,
    #[serde(default)]
    pub tag_specifications: Option<Value>,
}

/// `IpPermissions[]` as requests give it (a group peer may be named by
/// `GroupName` instead of `GroupId`).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct IpPermissionRequest {
    #[serde(default)]
    pub ip_protocol: Option<String>,
    #[serde(default)]
    pub from_port: Option<i64>,
    #[serde(default)]
    pub to_port: Option<i64>,
    #[serde(default)]
    pub ip_ranges: Vec<IpRangeRequest>,
    #[serde(default)]
    pub ipv6_ranges: Vec<Ipv6RangeRequest>,
    #[serde(default)]
    pub prefix_list_ids: Vec<PrefixListIdRequest>,
    #[serde(default)]
    pub user_id_group_pairs: Vec<UserIdGroupPairRequest>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct IpRangeRequest {
    pub cidr_ip: Ipv4Net,
    #[serde(default)]
    pub description: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct Ipv6RangeRequest {
    pub cidr_ipv6: String,
    #[serde(default)]
    pub description: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct PrefixListIdRequest {
    pub prefix_list_id: String,
    #[serde(default)]
    pub description: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct UserIdGroupPairRequest {
    #[serde(default)]
    pub group_id: Option<String>,
    #[serde(default)]
    pub group_name: Option<String>,
    #[serde(default)]
    pub user_id: Option<String>,
    #[serde(default)]
    pub vpc_id: Option<String>,
    #[serde(default)]
    pub vpc_peering_connection_id: Option<String>,
    #[serde(default)]
    pub peering_status: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
}

/// AWS Network Firewall `UpdateRuleGroup` (its request shape: the rule
/// group named by ARN or name, with its whole new `RuleGroup`, or `Rules`
/// for a Suricata rule string).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct UpdateRuleGroup {
    pub action: String,
    #[serde(default)]
    pub update_token: Option<String>,
    #[serde(default)]
    pub rule_group_arn: Option<String>,
    #[serde(default)]
    pub rule_group_name: Option<String>,
    #[serde(default)]
    pub rule_group: Option<super::firewall_shapes::RuleGroup>,
    #[serde(default)]
    pub rules: Option<String>,
    #[serde(default, rename = "Type")]
    pub kind: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub dry_run: Option<bool>,
    #[serde(default)]
    pub encryption_configuration: Option<serde_json::Value>,
    #[serde(default)]
    pub source_metadata: Option<serde_json::Value>,
    #[serde(default)]
    pub analyze_rule_group: Option<bool>,
}

/// ModifyVpcBlockPublicAccessOptions, Create/Modify/DeleteVpcBlockPublicAccessExclusion.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct BlockPublicAccessRequest {
    pub action: String,
    #[serde(default)]
    pub dry_run: Option<bool>,
    #[serde(default)]
    pub internet_gateway_block_mode: Option<String>,
    #[serde(default)]
    pub internet_gateway_exclusion_mode: Option<String>,
    #[serde(default)]
    pub exclusion_id: Option<String>,
    #[serde(default)]
    pub vpc_id: Option<String>,
    #[serde(default)]
    pub subnet_id: Option<String>,
    #[serde(default)]
    pub tag_specifications: Option<Value>,
}
