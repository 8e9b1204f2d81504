//! Internet, egress-only and NAT gateways, Elastic IPs, VPC peering and
//! VPC endpoints: the resources a route can point at (transit gateways and
//! VPN have their own files).

use super::*;

pub(super) fn gateway_attachment(a: &t::InternetGatewayAttachment) -> Value {
    Obj::new()
        .e("State", a.state.as_ref())
        .s("VpcId", a.vpc_id.as_deref())
        .done()
}

pub fn internet_gateway(x: &t::InternetGateway) -> Value {
    Obj::new()
        .l("Attachments", x.attachments.as_ref(), gateway_attachment)
        .s("InternetGatewayId", x.internet_gateway_id.as_deref())
        .s("OwnerId", x.owner_id.as_deref())
        .l("Tags", x.tags.as_ref(), tag)
        .done()
}

pub fn egress_only_internet_gateway(x: &t::EgressOnlyInternetGateway) -> Value {
    Obj::new()
        .l("Attachments", x.attachments.as_ref(), gateway_attachment)
        .s(
            "EgressOnlyInternetGatewayId",
            x.egress_only_internet_gateway_id.as_deref(),
        )
        .l("Tags", x.tags.as_ref(), tag)
        .done()
}

pub fn nat_gateway(x: &t::NatGateway) -> Value {
    Obj::new()
        .t("CreateTime", x.create_time.as_ref())
        .t("DeleteTime", x.delete_time.as_ref())
        .s("FailureCode", x.failure_code.as_deref())
        .s("FailureMessage", x.failure_message.as_deref())
        .l(
            "NatGatewayAddresses",
            x.nat_gateway_addresses.as_ref(),
            |a| {
                Obj::new()
                    .s("AllocationId", a.allocation_id.as_deref())
                    .s("NetworkInterfaceId", a.network_interface_id.as_deref())
                    .s("PrivateIp", a.private_ip.as_deref())
                    .s("PublicIp", a.public_ip.as_deref())
                    .s("AssociationId", a.association_id.as_deref())
                    .b("IsPrimary", a.is_primary)
                    .s("FailureMessage", a.failure_message.as_deref())
                    .e("Status", a.status.as_ref())
                    .s("AvailabilityZone", a.availability_zone.as_deref())
                    .s("AvailabilityZoneId", a.availability_zone_id.as_deref())
                    .done()
            },
        )
        .s("NatGatewayId", x.nat_gateway_id.as_deref())
        .e("State", x.state.as_ref())
        .s("SubnetId", x.subnet_id.as_deref())
        .s("VpcId", x.vpc_id.as_deref())
        .l("Tags", x.tags.as_ref(), tag)
        .e("ConnectivityType", x.connectivity_type.as_ref())
        // Regional NAT gateways (RNGW.1-RNGW.3).
        .e("AvailabilityMode", x.availability_mode.as_ref())
        .e("AutoScalingIps", x.auto_scaling_ips.as_ref())
        .e("AutoProvisionZones", x.auto_provision_zones.as_ref())
        .s("RouteTableId", x.route_table_id.as_deref())
        .done()
}

pub fn address(x: &t::Address) -> Value {
    Obj::new()
        .s("AllocationId", x.allocation_id.as_deref())
        .s("AssociationId", x.association_id.as_deref())
        .e("Domain", x.domain.as_ref())
        .s("InstanceId", x.instance_id.as_deref())
        .s("NetworkInterfaceId", x.network_interface_id.as_deref())
        .s(
            "NetworkInterfaceOwnerId",
            x.network_interface_owner_id.as_deref(),
        )
        .s("PrivateIpAddress", x.private_ip_address.as_deref())
        .l("Tags", x.tags.as_ref(), tag)
        .s("PublicIpv4Pool", x.public_ipv4_pool.as_deref())
        .s("NetworkBorderGroup", x.network_border_group.as_deref())
        .s("CustomerOwnedIp", x.customer_owned_ip.as_deref())
        .s("CarrierIp", x.carrier_ip.as_deref())
        .s("SubnetId", x.subnet_id.as_deref())
        .e("ServiceManaged", x.service_managed.as_ref())
        .s("PublicIp", x.public_ip.as_deref())
        .done()
}

pub(super) fn peering_vpc_info(v: &t::VpcPeeringConnectionVpcInfo) -> Value {
    Obj::new()
        .s("CidrBlock", v.cidr_block.as_deref())
        .l("Ipv6CidrBlockSet", v.ipv6_cidr_block_set.as_ref(), |c| {
            Obj::new()
                .s("Ipv6CidrBlock", c.ipv6_cidr_block.as_deref())
                .done()
        })
        .l("CidrBlockSet", v.cidr_block_set.as_ref(), |c| {
            Obj::new().s("CidrBlock", c.cidr_block.as_deref()).done()
        })
        .s("OwnerId", v.owner_id.as_deref())
        .o(
            "PeeringOptions",
            v.peering_options.as_ref().map(|o| {
                Obj::new()
                    .b(
                        "AllowDnsResolutionFromRemoteVpc",
                        o.allow_dns_resolution_from_remote_vpc,
                    )
                    .b(
                        "AllowEgressFromLocalClassicLinkToRemoteVpc",
                        o.allow_egress_from_local_classic_link_to_remote_vpc,
                    )
                    .b(
                        "AllowEgressFromLocalVpcToRemoteClassicLink",
                        o.allow_egress_from_local_vpc_to_remote_classic_link,
                    )
                    .done()
            }),
        )
        .s("VpcId", v.vpc_id.as_deref())
        .s("Region", v.region.as_deref())
        .done()
}

pub fn vpc_peering_connection(x: &t::VpcPeeringConnection) -> Value {
    Obj::new()
        .o(
            "AccepterVpcInfo",
            x.accepter_vpc_info.as_ref().map(peering_vpc_info),
        )
        .t("ExpirationTime", x.expiration_time.as_ref())
        .o(
            "RequesterVpcInfo",
            x.requester_vpc_info.as_ref().map(peering_vpc_info),
        )
        .o(
            "Status",
            x.status.as_ref().map(|s| {
                Obj::new()
                    .e("Code", s.code.as_ref())
                    .s("Message", s.message.as_deref())
                    .done()
            }),
        )
        .l("Tags", x.tags.as_ref(), tag)
        .s(
            "VpcPeeringConnectionId",
            x.vpc_peering_connection_id.as_deref(),
        )
        .done()
}

/// `describe-vpc-endpoints`.
pub fn vpc_endpoint(x: &t::VpcEndpoint) -> Value {
    Obj::new()
        .s("VpcEndpointId", x.vpc_endpoint_id.as_deref())
        .e("VpcEndpointType", x.vpc_endpoint_type.as_ref())
        .s("VpcId", x.vpc_id.as_deref())
        .s("ServiceName", x.service_name.as_deref())
        .e("State", x.state.as_ref())
        .s("PolicyDocument", x.policy_document.as_deref())
        .strings("RouteTableIds", x.route_table_ids.as_ref())
        .strings("SubnetIds", x.subnet_ids.as_ref())
        .l("Groups", x.groups.as_ref(), |g| {
            Obj::new()
                .s("GroupId", g.group_id.as_deref())
                .s("GroupName", g.group_name.as_deref())
                .done()
        })
        .e("IpAddressType", x.ip_address_type.as_ref())
        .o(
            "DnsOptions",
            x.dns_options.as_ref().map(|d| {
                Obj::new()
                    .e("DnsRecordIpType", d.dns_record_ip_type.as_ref())
                    .b(
                        "PrivateDnsOnlyForInboundResolverEndpoint",
                        d.private_dns_only_for_inbound_resolver_endpoint,
                    )
                    .done()
            }),
        )
        .b("PrivateDnsEnabled", x.private_dns_enabled)
        .b("RequesterManaged", x.requester_managed)
        .strings("NetworkInterfaceIds", x.network_interface_ids.as_ref())
        .l("DnsEntries", x.dns_entries.as_ref(), |d| {
            Obj::new()
                .s("DnsName", d.dns_name.as_deref())
                .s("HostedZoneId", d.hosted_zone_id.as_deref())
                .done()
        })
        .t("CreationTimestamp", x.creation_timestamp.as_ref())
        .l("Tags", x.tags.as_ref(), tag)
        .s("OwnerId", x.owner_id.as_deref())
        .o(
            "LastError",
            x.last_error.as_ref().map(|e| {
                Obj::new()
                    .s("Message", e.message.as_deref())
                    .s("Code", e.code.as_deref())
                    .done()
            }),
        )
        .s("FailureReason", x.failure_reason.as_deref())
        .s("ServiceNetworkArn", x.service_network_arn.as_deref())
        .s(
            "ResourceConfigurationArn",
            x.resource_configuration_arn.as_deref(),
        )
        .s("ServiceRegion", x.service_region.as_deref())
        .done()
}
