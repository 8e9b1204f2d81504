//! VPC, subnet, route table, network ACL and security group (and
//! security group rule) conversions: the addressing and filtering resources.

use super::*;

pub fn vpc(x: &t::Vpc) -> Value {
    Obj::new()
        .s("OwnerId", x.owner_id.as_deref())
        .e("InstanceTenancy", x.instance_tenancy.as_ref())
        .l(
            "Ipv6CidrBlockAssociationSet",
            x.ipv6_cidr_block_association_set.as_ref(),
            |a| {
                Obj::new()
                    .s("AssociationId", a.association_id.as_deref())
                    .s("Ipv6CidrBlock", a.ipv6_cidr_block.as_deref())
                    .o(
                        "Ipv6CidrBlockState",
                        a.ipv6_cidr_block_state.as_ref().map(|s| {
                            Obj::new()
                                .e("State", s.state.as_ref())
                                .s("StatusMessage", s.status_message.as_deref())
                                .done()
                        }),
                    )
                    .s("NetworkBorderGroup", a.network_border_group.as_deref())
                    .s("Ipv6Pool", a.ipv6_pool.as_deref())
                    .done()
            },
        )
        .l(
            "CidrBlockAssociationSet",
            x.cidr_block_association_set.as_ref(),
            |a| {
                Obj::new()
                    .s("AssociationId", a.association_id.as_deref())
                    .s("CidrBlock", a.cidr_block.as_deref())
                    .o(
                        "CidrBlockState",
                        a.cidr_block_state.as_ref().map(|s| {
                            Obj::new()
                                .e("State", s.state.as_ref())
                                .s("StatusMessage", s.status_message.as_deref())
                                .done()
                        }),
                    )
                    .done()
            },
        )
        .b("IsDefault", x.is_default)
        .l("Tags", x.tags.as_ref(), tag)
        .s("VpcId", x.vpc_id.as_deref())
        .e("State", x.state.as_ref())
        .s("CidrBlock", x.cidr_block.as_deref())
        .s("DhcpOptionsId", x.dhcp_options_id.as_deref())
        .o(
            "BlockPublicAccessStates",
            x.block_public_access_states.as_ref().map(bpa_states),
        )
        .done()
}

/// `BlockPublicAccessStates` of a VPC or subnet (BPA.1: the mode in force).
fn bpa_states(s: &t::BlockPublicAccessStates) -> Value {
    Obj::new()
        .e(
            "InternetGatewayBlockMode",
            s.internet_gateway_block_mode.as_ref(),
        )
        .done()
}

/// `describe-vpc-block-public-access-options`: one object per region.
pub fn bpa_options(x: &t::VpcBlockPublicAccessOptions) -> Value {
    Obj::new()
        .s("AwsAccountId", x.aws_account_id.as_deref())
        .s("AwsRegion", x.aws_region.as_deref())
        .e("State", x.state.as_ref())
        .e(
            "InternetGatewayBlockMode",
            x.internet_gateway_block_mode.as_ref(),
        )
        .s("Reason", x.reason.as_deref())
        .t("LastUpdateTimestamp", x.last_update_timestamp.as_ref())
        .e("ManagedBy", x.managed_by.as_ref())
        .e("ExclusionsAllowed", x.exclusions_allowed.as_ref())
        .done()
}

/// One element of `describe-vpc-block-public-access-exclusions`.
pub fn bpa_exclusion(x: &t::VpcBlockPublicAccessExclusion) -> Value {
    Obj::new()
        .s("ExclusionId", x.exclusion_id.as_deref())
        .e(
            "InternetGatewayExclusionMode",
            x.internet_gateway_exclusion_mode.as_ref(),
        )
        .s("ResourceArn", x.resource_arn.as_deref())
        .e("State", x.state.as_ref())
        .s("Reason", x.reason.as_deref())
        .t("CreationTimestamp", x.creation_timestamp.as_ref())
        .t("LastUpdateTimestamp", x.last_update_timestamp.as_ref())
        .t("DeletionTimestamp", x.deletion_timestamp.as_ref())
        .l("Tags", x.tags.as_ref(), tag)
        .done()
}

pub fn subnet(x: &t::Subnet) -> Value {
    Obj::new()
        .s("AvailabilityZoneId", x.availability_zone_id.as_deref())
        .b(
            "MapCustomerOwnedIpOnLaunch",
            x.map_customer_owned_ip_on_launch,
        )
        .s("OwnerId", x.owner_id.as_deref())
        .b(
            "AssignIpv6AddressOnCreation",
            x.assign_ipv6_address_on_creation,
        )
        .l(
            "Ipv6CidrBlockAssociationSet",
            x.ipv6_cidr_block_association_set.as_ref(),
            |a| {
                Obj::new()
                    .s("AssociationId", a.association_id.as_deref())
                    .s("Ipv6CidrBlock", a.ipv6_cidr_block.as_deref())
                    .o(
                        "Ipv6CidrBlockState",
                        a.ipv6_cidr_block_state.as_ref().map(|s| {
                            Obj::new()
                                .e("State", s.state.as_ref())
                                .s("StatusMessage", s.status_message.as_deref())
                                .done()
                        }),
                    )
                    .done()
            },
        )
        .l("Tags", x.tags.as_ref(), tag)
        .s("SubnetArn", x.subnet_arn.as_deref())
        .s("OutpostArn", x.outpost_arn.as_deref())
        .b("EnableDns64", x.enable_dns64)
        .b("Ipv6Native", x.ipv6_native)
        .s("SubnetId", x.subnet_id.as_deref())
        .e("State", x.state.as_ref())
        .s("VpcId", x.vpc_id.as_deref())
        .s("CidrBlock", x.cidr_block.as_deref())
        .i("AvailableIpAddressCount", x.available_ip_address_count)
        .s("AvailabilityZone", x.availability_zone.as_deref())
        .b("DefaultForAz", x.default_for_az)
        .b("MapPublicIpOnLaunch", x.map_public_ip_on_launch)
        .o(
            "BlockPublicAccessStates",
            x.block_public_access_states.as_ref().map(bpa_states),
        )
        .done()
}

pub(super) fn route(r: &t::Route) -> Value {
    Obj::new()
        .s("DestinationCidrBlock", r.destination_cidr_block.as_deref())
        .s(
            "DestinationIpv6CidrBlock",
            r.destination_ipv6_cidr_block.as_deref(),
        )
        .s(
            "DestinationPrefixListId",
            r.destination_prefix_list_id.as_deref(),
        )
        .s(
            "EgressOnlyInternetGatewayId",
            r.egress_only_internet_gateway_id.as_deref(),
        )
        .s("GatewayId", r.gateway_id.as_deref())
        .s("InstanceId", r.instance_id.as_deref())
        .s("InstanceOwnerId", r.instance_owner_id.as_deref())
        .s("NatGatewayId", r.nat_gateway_id.as_deref())
        .s("TransitGatewayId", r.transit_gateway_id.as_deref())
        .s("LocalGatewayId", r.local_gateway_id.as_deref())
        .s("CarrierGatewayId", r.carrier_gateway_id.as_deref())
        .s("NetworkInterfaceId", r.network_interface_id.as_deref())
        .e("Origin", r.origin.as_ref())
        .e("State", r.state.as_ref())
        .s(
            "VpcPeeringConnectionId",
            r.vpc_peering_connection_id.as_deref(),
        )
        .s("CoreNetworkArn", r.core_network_arn.as_deref())
        .done()
}

pub fn route_table(x: &t::RouteTable) -> Value {
    Obj::new()
        .l("Associations", x.associations.as_ref(), |a| {
            Obj::new()
                .b("Main", a.main)
                .s(
                    "RouteTableAssociationId",
                    a.route_table_association_id.as_deref(),
                )
                .s("RouteTableId", a.route_table_id.as_deref())
                .s("SubnetId", a.subnet_id.as_deref())
                .s("GatewayId", a.gateway_id.as_deref())
                .o(
                    "AssociationState",
                    a.association_state.as_ref().map(|s| {
                        Obj::new()
                            .e("State", s.state.as_ref())
                            .s("StatusMessage", s.status_message.as_deref())
                            .done()
                    }),
                )
                .done()
        })
        .l("PropagatingVgws", x.propagating_vgws.as_ref(), |g| {
            Obj::new().s("GatewayId", g.gateway_id.as_deref()).done()
        })
        .s("RouteTableId", x.route_table_id.as_deref())
        .l("Routes", x.routes.as_ref(), route)
        .l("Tags", x.tags.as_ref(), tag)
        .s("VpcId", x.vpc_id.as_deref())
        .s("OwnerId", x.owner_id.as_deref())
        .done()
}

pub fn network_acl(x: &t::NetworkAcl) -> Value {
    Obj::new()
        .l("Associations", x.associations.as_ref(), |a| {
            Obj::new()
                .s(
                    "NetworkAclAssociationId",
                    a.network_acl_association_id.as_deref(),
                )
                .s("NetworkAclId", a.network_acl_id.as_deref())
                .s("SubnetId", a.subnet_id.as_deref())
                .done()
        })
        .l("Entries", x.entries.as_ref(), |e| {
            Obj::new()
                .s("CidrBlock", e.cidr_block.as_deref())
                .b("Egress", e.egress)
                .o(
                    "IcmpTypeCode",
                    e.icmp_type_code
                        .as_ref()
                        .map(|c| Obj::new().i("Code", c.code).i("Type", c.r#type).done()),
                )
                .s("Ipv6CidrBlock", e.ipv6_cidr_block.as_deref())
                .o(
                    "PortRange",
                    e.port_range
                        .as_ref()
                        .map(|p| Obj::new().i("From", p.from).i("To", p.to).done()),
                )
                .s("Protocol", e.protocol.as_deref())
                .e("RuleAction", e.rule_action.as_ref())
                .i("RuleNumber", e.rule_number)
                .done()
        })
        .b("IsDefault", x.is_default)
        .s("NetworkAclId", x.network_acl_id.as_deref())
        .l("Tags", x.tags.as_ref(), tag)
        .s("VpcId", x.vpc_id.as_deref())
        .s("OwnerId", x.owner_id.as_deref())
        .done()
}

pub(super) fn ip_permission(p: &t::IpPermission) -> Value {
    Obj::new()
        .i("FromPort", p.from_port)
        .s("IpProtocol", p.ip_protocol.as_deref())
        .l("IpRanges", p.ip_ranges.as_ref(), |r| {
            Obj::new()
                .s("CidrIp", r.cidr_ip.as_deref())
                .s("Description", r.description.as_deref())
                .done()
        })
        .l("Ipv6Ranges", p.ipv6_ranges.as_ref(), |r| {
            Obj::new()
                .s("CidrIpv6", r.cidr_ipv6.as_deref())
                .s("Description", r.description.as_deref())
                .done()
        })
        .l("PrefixListIds", p.prefix_list_ids.as_ref(), |r| {
            Obj::new()
                .s("Description", r.description.as_deref())
                .s("PrefixListId", r.prefix_list_id.as_deref())
                .done()
        })
        .i("ToPort", p.to_port)
        .l("UserIdGroupPairs", p.user_id_group_pairs.as_ref(), |g| {
            Obj::new()
                .s("Description", g.description.as_deref())
                .s("GroupId", g.group_id.as_deref())
                .s("GroupName", g.group_name.as_deref())
                .s("PeeringStatus", g.peering_status.as_deref())
                .s("UserId", g.user_id.as_deref())
                .s("VpcId", g.vpc_id.as_deref())
                .s(
                    "VpcPeeringConnectionId",
                    g.vpc_peering_connection_id.as_deref(),
                )
                .done()
        })
        .done()
}

pub fn security_group(x: &t::SecurityGroup) -> Value {
    Obj::new()
        .s("Description", x.description.as_deref())
        .s("GroupName", x.group_name.as_deref())
        .l("IpPermissions", x.ip_permissions.as_ref(), ip_permission)
        .s("OwnerId", x.owner_id.as_deref())
        .s("GroupId", x.group_id.as_deref())
        .l(
            "IpPermissionsEgress",
            x.ip_permissions_egress.as_ref(),
            ip_permission,
        )
        .l("Tags", x.tags.as_ref(), tag)
        .s("VpcId", x.vpc_id.as_deref())
        .s("SecurityGroupArn", x.security_group_arn.as_deref())
        .done()
}

/// `describe-security-group-rules`.
pub fn security_group_rule(x: &t::SecurityGroupRule) -> Value {
    Obj::new()
        .s("SecurityGroupRuleId", x.security_group_rule_id.as_deref())
        .s("GroupId", x.group_id.as_deref())
        .s("GroupOwnerId", x.group_owner_id.as_deref())
        .b("IsEgress", x.is_egress)
        .s("IpProtocol", x.ip_protocol.as_deref())
        .i("FromPort", x.from_port)
        .i("ToPort", x.to_port)
        .s("CidrIpv4", x.cidr_ipv4.as_deref())
        .s("CidrIpv6", x.cidr_ipv6.as_deref())
        .s("PrefixListId", x.prefix_list_id.as_deref())
        .o(
            "ReferencedGroupInfo",
            x.referenced_group_info.as_ref().map(|g| {
                Obj::new()
                    .s("GroupId", g.group_id.as_deref())
                    .s("PeeringStatus", g.peering_status.as_deref())
                    .s("UserId", g.user_id.as_deref())
                    .s("VpcId", g.vpc_id.as_deref())
                    .s(
                        "VpcPeeringConnectionId",
                        g.vpc_peering_connection_id.as_deref(),
                    )
                    .done()
            }),
        )
        .s("Description", x.description.as_deref())
        .l("Tags", x.tags.as_ref(), tag)
        .s("SecurityGroupRuleArn", x.security_group_rule_arn.as_deref())
        .done()
}
