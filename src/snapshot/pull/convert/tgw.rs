//! Transit gateways, their attachments, route tables, routes and
//! propagations.

use super::*;

/// `describe-transit-gateways`.
pub fn transit_gateway(x: &t::TransitGateway) -> Value {
    Obj::new()
        .s("TransitGatewayId", x.transit_gateway_id.as_deref())
        .s("TransitGatewayArn", x.transit_gateway_arn.as_deref())
        .e("State", x.state.as_ref())
        .s("OwnerId", x.owner_id.as_deref())
        .s("Description", x.description.as_deref())
        .t("CreationTime", x.creation_time.as_ref())
        .o(
            "Options",
            x.options.as_ref().map(|o| {
                Obj::new()
                    .i("AmazonSideAsn", o.amazon_side_asn)
                    .strings(
                        "TransitGatewayCidrBlocks",
                        o.transit_gateway_cidr_blocks.as_ref(),
                    )
                    .e(
                        "AutoAcceptSharedAttachments",
                        o.auto_accept_shared_attachments.as_ref(),
                    )
                    .e(
                        "DefaultRouteTableAssociation",
                        o.default_route_table_association.as_ref(),
                    )
                    .s(
                        "AssociationDefaultRouteTableId",
                        o.association_default_route_table_id.as_deref(),
                    )
                    .e(
                        "DefaultRouteTablePropagation",
                        o.default_route_table_propagation.as_ref(),
                    )
                    .s(
                        "PropagationDefaultRouteTableId",
                        o.propagation_default_route_table_id.as_deref(),
                    )
                    .e("VpnEcmpSupport", o.vpn_ecmp_support.as_ref())
                    .e("DnsSupport", o.dns_support.as_ref())
                    .e(
                        "SecurityGroupReferencingSupport",
                        o.security_group_referencing_support.as_ref(),
                    )
                    .e("MulticastSupport", o.multicast_support.as_ref())
                    .done()
            }),
        )
        .l("Tags", x.tags.as_ref(), tag)
        .done()
}

/// `describe-transit-gateway-attachments` (each with its route table association).
pub fn transit_gateway_attachment(x: &t::TransitGatewayAttachment) -> Value {
    Obj::new()
        .s(
            "TransitGatewayAttachmentId",
            x.transit_gateway_attachment_id.as_deref(),
        )
        .s("TransitGatewayId", x.transit_gateway_id.as_deref())
        .s(
            "TransitGatewayOwnerId",
            x.transit_gateway_owner_id.as_deref(),
        )
        .s("ResourceOwnerId", x.resource_owner_id.as_deref())
        .e("ResourceType", x.resource_type.as_ref())
        .s("ResourceId", x.resource_id.as_deref())
        .e("State", x.state.as_ref())
        .o(
            "Association",
            x.association.as_ref().map(|a| {
                Obj::new()
                    .s(
                        "TransitGatewayRouteTableId",
                        a.transit_gateway_route_table_id.as_deref(),
                    )
                    .s(
                        "TransitGatewayPolicyTableId",
                        a.transit_gateway_policy_table_id.as_deref(),
                    )
                    .e("State", a.state.as_ref())
                    .done()
            }),
        )
        .t("CreationTime", x.creation_time.as_ref())
        .l("Tags", x.tags.as_ref(), tag)
        .done()
}

/// `describe-transit-gateway-vpc-attachments`.
pub fn transit_gateway_vpc_attachment(x: &t::TransitGatewayVpcAttachment) -> Value {
    Obj::new()
        .s(
            "TransitGatewayAttachmentId",
            x.transit_gateway_attachment_id.as_deref(),
        )
        .s("TransitGatewayId", x.transit_gateway_id.as_deref())
        .s("VpcId", x.vpc_id.as_deref())
        .s("VpcOwnerId", x.vpc_owner_id.as_deref())
        .e("State", x.state.as_ref())
        .strings("SubnetIds", x.subnet_ids.as_ref())
        .t("CreationTime", x.creation_time.as_ref())
        .o(
            "Options",
            x.options.as_ref().map(|o| {
                Obj::new()
                    .e("DnsSupport", o.dns_support.as_ref())
                    .e(
                        "SecurityGroupReferencingSupport",
                        o.security_group_referencing_support.as_ref(),
                    )
                    .e("Ipv6Support", o.ipv6_support.as_ref())
                    .e("ApplianceModeSupport", o.appliance_mode_support.as_ref())
                    .done()
            }),
        )
        .l("Tags", x.tags.as_ref(), tag)
        .done()
}

/// `describe-transit-gateway-peering-attachments`.
pub fn transit_gateway_peering_attachment(x: &t::TransitGatewayPeeringAttachment) -> Value {
    let tgw_info = |i: &t::PeeringTgwInfo| {
        Obj::new()
            .s("TransitGatewayId", i.transit_gateway_id.as_deref())
            .s("CoreNetworkId", i.core_network_id.as_deref())
            .s("OwnerId", i.owner_id.as_deref())
            .s("Region", i.region.as_deref())
            .done()
    };
    Obj::new()
        .s(
            "TransitGatewayAttachmentId",
            x.transit_gateway_attachment_id.as_deref(),
        )
        .s(
            "AccepterTransitGatewayAttachmentId",
            x.accepter_transit_gateway_attachment_id.as_deref(),
        )
        .o(
            "RequesterTgwInfo",
            x.requester_tgw_info.as_ref().map(tgw_info),
        )
        .o(
            "AccepterTgwInfo",
            x.accepter_tgw_info.as_ref().map(tgw_info),
        )
        .o(
            "Options",
            x.options.as_ref().map(|o| {
                Obj::new()
                    .e("DynamicRouting", o.dynamic_routing.as_ref())
                    .done()
            }),
        )
        .o(
            "Status",
            x.status.as_ref().map(|s| {
                Obj::new()
                    .s("Code", s.code.as_deref())
                    .s("Message", s.message.as_deref())
                    .done()
            }),
        )
        .e("State", x.state.as_ref())
        .t("CreationTime", x.creation_time.as_ref())
        .l("Tags", x.tags.as_ref(), tag)
        .done()
}

/// `describe-transit-gateway-route-tables`.
pub fn transit_gateway_route_table(x: &t::TransitGatewayRouteTable) -> Value {
    Obj::new()
        .s(
            "TransitGatewayRouteTableId",
            x.transit_gateway_route_table_id.as_deref(),
        )
        .s("TransitGatewayId", x.transit_gateway_id.as_deref())
        .e("State", x.state.as_ref())
        .b(
            "DefaultAssociationRouteTable",
            x.default_association_route_table,
        )
        .b(
            "DefaultPropagationRouteTable",
            x.default_propagation_route_table,
        )
        .t("CreationTime", x.creation_time.as_ref())
        .l("Tags", x.tags.as_ref(), tag)
        .done()
}

/// One element of `TransitGatewayRouteTableRoutes`: what
/// `search-transit-gateway-routes` prints for one table (every page), with
/// the table id beside it (the CLI output lacks it).
pub fn transit_gateway_route_table_routes(
    table_id: &str,
    routes: &[t::TransitGatewayRoute],
    additional_routes_available: bool,
) -> Value {
    Obj::new()
        .s("TransitGatewayRouteTableId", Some(table_id))
        .l("Routes", Some(&routes.to_vec()), |r| {
            Obj::new()
                .s("DestinationCidrBlock", r.destination_cidr_block.as_deref())
                .s("PrefixListId", r.prefix_list_id.as_deref())
                .s(
                    "TransitGatewayRouteTableAnnouncementId",
                    r.transit_gateway_route_table_announcement_id.as_deref(),
                )
                .l(
                    "TransitGatewayAttachments",
                    r.transit_gateway_attachments.as_ref(),
                    |a| {
                        Obj::new()
                            .s("ResourceId", a.resource_id.as_deref())
                            .s(
                                "TransitGatewayAttachmentId",
                                a.transit_gateway_attachment_id.as_deref(),
                            )
                            .e("ResourceType", a.resource_type.as_ref())
                            .done()
                    },
                )
                .e("Type", r.r#type.as_ref())
                .e("State", r.state.as_ref())
                .done()
        })
        .b(
            "AdditionalRoutesAvailable",
            Some(additional_routes_available),
        )
        .done()
}

/// One element of `TransitGatewayPropagations`: what
/// `get-transit-gateway-route-table-propagations` prints for one table, with
/// the table id beside it.
pub fn transit_gateway_propagations(
    table_id: &str,
    propagations: &[t::TransitGatewayRouteTablePropagation],
) -> Value {
    Obj::new()
        .s("TransitGatewayRouteTableId", Some(table_id))
        .l(
            "TransitGatewayRouteTablePropagations",
            Some(&propagations.to_vec()),
            |p| {
                Obj::new()
                    .s(
                        "TransitGatewayAttachmentId",
                        p.transit_gateway_attachment_id.as_deref(),
                    )
                    .s("ResourceId", p.resource_id.as_deref())
                    .e("ResourceType", p.resource_type.as_ref())
                    .e("State", p.state.as_ref())
                    .s(
                        "TransitGatewayRouteTableAnnouncementId",
                        p.transit_gateway_route_table_announcement_id.as_deref(),
                    )
                    .done()
            },
        )
        .done()
}
