//! Virtual private gateways and site-to-site VPN connections (never their
//! secrets).

use super::*;

/// `describe-vpn-gateways`.
pub fn vpn_gateway(x: &t::VpnGateway) -> Value {
    Obj::new()
        .i("AmazonSideAsn", x.amazon_side_asn)
        .l("Tags", x.tags.as_ref(), tag)
        .s("VpnGatewayId", x.vpn_gateway_id.as_deref())
        .e("State", x.state.as_ref())
        .e("Type", x.r#type.as_ref())
        .s("AvailabilityZone", x.availability_zone.as_deref())
        .l("VpcAttachments", x.vpc_attachments.as_ref(), |a| {
            Obj::new()
                .s("VpcId", a.vpc_id.as_deref())
                .e("State", a.state.as_ref())
                .done()
        })
        .done()
}

/// `describe-vpn-connections`, without the tunnels' secrets: the
/// `CustomerGatewayConfiguration` document and each tunnel's `PreSharedKey`
/// are never written (a snapshot is meant to be shared).
pub fn vpn_connection(x: &t::VpnConnection) -> Value {
    Obj::new()
        .s("Category", x.category.as_deref())
        .s("TransitGatewayId", x.transit_gateway_id.as_deref())
        .s("CoreNetworkArn", x.core_network_arn.as_deref())
        .s(
            "CoreNetworkAttachmentArn",
            x.core_network_attachment_arn.as_deref(),
        )
        .e(
            "GatewayAssociationState",
            x.gateway_association_state.as_ref(),
        )
        .o(
            "Options",
            x.options.as_ref().map(|o| {
                Obj::new()
                    .b("EnableAcceleration", o.enable_acceleration)
                    .b("StaticRoutesOnly", o.static_routes_only)
                    .s("LocalIpv4NetworkCidr", o.local_ipv4_network_cidr.as_deref())
                    .s(
                        "RemoteIpv4NetworkCidr",
                        o.remote_ipv4_network_cidr.as_deref(),
                    )
                    .s("LocalIpv6NetworkCidr", o.local_ipv6_network_cidr.as_deref())
                    .s(
                        "RemoteIpv6NetworkCidr",
                        o.remote_ipv6_network_cidr.as_deref(),
                    )
                    .s("OutsideIpAddressType", o.outside_ip_address_type.as_deref())
                    .s(
                        "TransportTransitGatewayAttachmentId",
                        o.transport_transit_gateway_attachment_id.as_deref(),
                    )
                    .e("TunnelInsideIpVersion", o.tunnel_inside_ip_version.as_ref())
                    .l("TunnelOptions", o.tunnel_options.as_ref(), |t| {
                        Obj::new()
                            .s("OutsideIpAddress", t.outside_ip_address.as_deref())
                            .s("TunnelInsideCidr", t.tunnel_inside_cidr.as_deref())
                            .s("TunnelInsideIpv6Cidr", t.tunnel_inside_ipv6_cidr.as_deref())
                            .s("StartupAction", t.startup_action.as_deref())
                            .done()
                    })
                    .done()
            }),
        )
        .l("Routes", x.routes.as_ref(), |r| {
            Obj::new()
                .s("DestinationCidrBlock", r.destination_cidr_block.as_deref())
                .e("Source", r.source.as_ref())
                .e("State", r.state.as_ref())
                .done()
        })
        .l("Tags", x.tags.as_ref(), tag)
        .l("VgwTelemetry", x.vgw_telemetry.as_ref(), |v| {
            Obj::new()
                .i("AcceptedRouteCount", v.accepted_route_count)
                .t("LastStatusChange", v.last_status_change.as_ref())
                .s("OutsideIpAddress", v.outside_ip_address.as_deref())
                .e("Status", v.status.as_ref())
                .s("StatusMessage", v.status_message.as_deref())
                .s("CertificateArn", v.certificate_arn.as_deref())
                .done()
        })
        .s("PreSharedKeyArn", x.pre_shared_key_arn.as_deref())
        .s("VpnConnectionId", x.vpn_connection_id.as_deref())
        .e("State", x.state.as_ref())
        .e("Type", x.r#type.as_ref())
        .s("CustomerGatewayId", x.customer_gateway_id.as_deref())
        .s("VpnGatewayId", x.vpn_gateway_id.as_deref())
        .done()
}
