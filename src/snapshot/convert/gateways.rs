//! Transit gateways (attachments, route tables, routes, propagations), VPN
//! gateways and connections, and VPC endpoints, from AWS shapes to the model.
//! Must not know about reference checks: those live in `references`.

use ipnet::Ipv4Net;

use super::super::load::RawSnapshot;
use super::super::Warning;
use super::{name, tags, warn};
use crate::model::*;

fn route_state(state: &str) -> RouteState {
    if state.is_empty() {
        RouteState::Active
    } else {
        RouteState::parse(state)
    }
}

/// Two views of one attachment: it is available only if both say so.
fn merge_state(kept: &mut Lifecycle, other: Lifecycle) {
    if kept.is_available_or_unstated() {
        *kept = other;
    }
}

/// Transit gateways, their attachments, route tables, routes and propagations.
pub(super) fn convert_transit(raw: &RawSnapshot, net: &mut Network, warnings: &mut Vec<Warning>) {
    for (t, _) in &raw.transit_gateways {
        let tg = tags(&t.tags);
        net.transit_gateways.insert(
            t.transit_gateway_id.clone(),
            TransitGateway {
                id: t.transit_gateway_id.clone(),
                name: name(&tg),
                state: Lifecycle::parse(&t.state),
                sg_referencing: t
                    .options
                    .as_ref()
                    .and_then(|o| o.security_group_referencing_support.as_deref())
                    .map(|s| s == "enable"),
            },
        );
    }
    for (a, _) in &raw.tgw_attachments {
        let tg = tags(&a.tags);
        let route_table_id = a
            .association
            .as_ref()
            .filter(|x| x.state == "associated" || x.state.is_empty())
            .map(|x| x.transit_gateway_route_table_id.clone());
        let state = Lifecycle::parse(&a.state);
        let peering = a.resource_type == "peering";
        let entry = net
            .tgw_attachments
            .entry(a.transit_gateway_attachment_id.clone())
            .or_insert_with(|| TgwAttachment {
                id: a.transit_gateway_attachment_id.clone(),
                name: name(&tg),
                tgw_id: a.transit_gateway_id.clone(),
                resource_type: a.resource_type.clone(),
                resource_id: a.resource_id.clone(),
                state: state.clone(),
                route_table_id: route_table_id.clone(),
                association_known: true,
                vpc: None,
                peering: None,
            });
        if peering {
            // The other side's view of the same attachment (C7.8): its own
            // transit gateway and association; a side that is not
            // available makes the attachment carry nothing.
            merge_state(&mut entry.state, state);
            entry
                .peering
                .get_or_insert_with(TgwPeering::default)
                .ends
                .insert(a.transit_gateway_id.clone(), route_table_id);
        } else {
            *entry = TgwAttachment {
                id: a.transit_gateway_attachment_id.clone(),
                name: name(&tg),
                tgw_id: a.transit_gateway_id.clone(),
                resource_type: a.resource_type.clone(),
                resource_id: a.resource_id.clone(),
                state,
                route_table_id,
                association_known: true,
                vpc: entry.vpc.take(),
                peering: None,
            };
        }
    }
    for (p, _) in &raw.tgw_peering_attachments {
        let peer = |info: &Option<super::super::shapes::PeeringTgwInfo>| {
            info.as_ref().and_then(|i| {
                i.transit_gateway_id.as_ref().map(|t| TgwPeer {
                    tgw_id: t.clone(),
                    owner_id: i.owner_id.clone(),
                    region: i.region.clone(),
                })
            })
        };
        let (requester, accepter) = (peer(&p.requester_tgw_info), peer(&p.accepter_tgw_info));
        let Some(first) = requester.as_ref().or(accepter.as_ref()) else {
            continue;
        };
        let tg = tags(&p.tags);
        let entry = net
            .tgw_attachments
            .entry(p.transit_gateway_attachment_id.clone())
            .or_insert_with(|| TgwAttachment {
                id: p.transit_gateway_attachment_id.clone(),
                name: name(&tg),
                tgw_id: first.tgw_id.clone(),
                resource_type: "peering".into(),
                resource_id: accepter.as_ref().map(|a| a.tgw_id.clone()),
                state: Lifecycle::Unstated,
                route_table_id: None,
                association_known: false,
                vpc: None,
                peering: None,
            });
        merge_state(&mut entry.state, Lifecycle::parse(&p.state));
        let peering = entry.peering.get_or_insert_with(TgwPeering::default);
        peering.requester = requester;
        peering.accepter = accepter;
        if entry.name.is_none() {
            entry.name = name(&tg);
        }
    }
    for (v, _) in &raw.tgw_vpc_attachments {
        let tg = tags(&v.tags);
        let opts = v.options.as_ref();
        let vpc = TgwVpcAttachment {
            vpc_id: v.vpc_id.clone(),
            subnet_ids: v.subnet_ids.clone(),
            sg_referencing: opts.and_then(|o| o.security_group_referencing_support.as_deref())
                == Some("enable"),
            appliance_mode: opts.and_then(|o| o.appliance_mode_support.as_deref())
                == Some("enable"),
        };
        let entry = net
            .tgw_attachments
            .entry(v.transit_gateway_attachment_id.clone())
            .or_insert_with(|| TgwAttachment {
                id: v.transit_gateway_attachment_id.clone(),
                name: name(&tg),
                tgw_id: v.transit_gateway_id.clone(),
                resource_type: "vpc".into(),
                resource_id: Some(v.vpc_id.clone()),
                state: Lifecycle::parse(&v.state),
                route_table_id: None,
                association_known: false,
                vpc: None,
                peering: None,
            });
        entry.vpc = Some(vpc);
        if entry.name.is_none() {
            entry.name = name(&tg);
        }
    }
    for (rt, _) in &raw.tgw_route_tables {
        let tg = tags(&rt.tags);
        net.tgw_route_tables.insert(
            rt.transit_gateway_route_table_id.clone(),
            TgwRouteTable {
                id: rt.transit_gateway_route_table_id.clone(),
                name: name(&tg),
                tgw_id: rt.transit_gateway_id.clone(),
                routes: None,
            },
        );
    }
    for (r, origin) in &raw.tgw_routes {
        let Some(table) = net
            .tgw_route_tables
            .get_mut(&r.transit_gateway_route_table_id)
        else {
            warn(
                warnings,
                origin,
                "TransitGatewayRouteTableId",
                format!(
                    "routes for {}, which is not in the snapshot; ignored",
                    r.transit_gateway_route_table_id
                ),
            );
            continue;
        };
        if r.additional_routes_available == Some(true) {
            warn(
                warnings,
                origin,
                "AdditionalRoutesAvailable",
                format!(
                    "the route list of {} is truncated; routes beyond it are unknown",
                    table.id
                ),
            );
        }
        let routes = table.routes.get_or_insert_with(Vec::new);
        for (i, route) in r.routes.iter().enumerate() {
            let destination = match (&route.destination_cidr_block, &route.prefix_list_id) {
                (Some(c), _) => match c.parse::<Ipv4Net>() {
                    Ok(n) => RouteDestination::Cidr(n),
                    Err(_) if c.parse::<ipnet::Ipv6Net>().is_ok() => {
                        RouteDestination::Ipv6(c.clone())
                    }
                    Err(_) => {
                        warn(
                            warnings,
                            origin,
                            &format!("Routes[{i}].DestinationCidrBlock"),
                            format!("{c:?} is not a CIDR block; route ignored"),
                        );
                        continue;
                    }
                },
                (None, Some(pl)) => RouteDestination::PrefixList(pl.clone()),
                (None, None) => {
                    warn(
                        warnings,
                        origin,
                        &format!("Routes[{i}]"),
                        "route without a destination ignored".into(),
                    );
                    continue;
                }
            };
            routes.push(TgwRoute {
                destination,
                attachment_ids: route
                    .transit_gateway_attachments
                    .iter()
                    .map(|a| a.transit_gateway_attachment_id.clone())
                    .collect(),
                kind: if route.type_ == "propagated" {
                    TgwRouteKind::Propagated
                } else {
                    TgwRouteKind::Static
                },
                resource_type: route
                    .transit_gateway_attachments
                    .first()
                    .and_then(|a| a.resource_type.clone()),
                state: route_state(&route.state),
            });
        }
    }
    // Propagations give routes to the attached VPCs' CIDRs (C7.4) when the
    // snapshot has only static routes (Batfish) or none at all.
    for (p, origin) in &raw.tgw_propagations {
        for prop in p
            .transit_gateway_route_table_propagations
            .iter()
            .filter(|p| p.state == "enabled" || p.state.is_empty())
        {
            let vpc_cidrs = net
                .tgw_attachments
                .get(&prop.transit_gateway_attachment_id)
                .and_then(|a| a.vpc.as_ref())
                .and_then(|v| net.vpcs.get(&v.vpc_id))
                .map(|v| v.cidrs.clone());
            let Some(table) = net
                .tgw_route_tables
                .get_mut(&p.transit_gateway_route_table_id)
            else {
                warn(
                    warnings,
                    origin,
                    "TransitGatewayRouteTableId",
                    format!(
                        "propagations for {}, which is not in the snapshot; ignored",
                        p.transit_gateway_route_table_id
                    ),
                );
                break;
            };
            let routes = table.routes.get_or_insert_with(Vec::new);
            match vpc_cidrs {
                Some(cidrs) => {
                    for c in cidrs {
                        let exists = routes.iter().any(|r| r.destination == RouteDestination::Cidr(c) && r.kind == TgwRouteKind::Propagated && r.attachment_ids.contains(&prop.transit_gateway_attachment_id));
                        if !exists {
                            routes.push(TgwRoute {
                                destination: RouteDestination::Cidr(c),
                                attachment_ids: vec![prop.transit_gateway_attachment_id.clone()],
                                kind: TgwRouteKind::Propagated,
                                resource_type: prop.resource_type.clone(),
                                state: RouteState::Active,
                            });
                        }
                    }
                }
                None if prop.resource_type.as_deref() == Some("vpc") => warn(
                    warnings,
                    origin,
                    "TransitGatewayRouteTablePropagations",
                    format!("{} propagates from {}, whose VPC is not in the snapshot: its routes are unknown", p.transit_gateway_route_table_id, prop.transit_gateway_attachment_id),
                ),
                None => {} // VPN / Direct Connect propagate BGP routes the snapshot cannot hold.
            }
        }
    }
}

/// VPN gateways and connections, VPC endpoints.
pub(super) fn convert_edges(raw: &RawSnapshot, net: &mut Network) {
    for (g, _) in &raw.vpn_gateways {
        let tg = tags(&g.tags);
        net.vpn_gateways.insert(
            g.vpn_gateway_id.clone(),
            VpnGateway {
                id: g.vpn_gateway_id.clone(),
                name: name(&tg),
                state: Lifecycle::parse(&g.state),
                attachments: g
                    .vpc_attachments
                    .iter()
                    .map(|a| (a.vpc_id.clone(), GatewayAttachmentState::parse(&a.state)))
                    .collect(),
            },
        );
    }
    for (c, _) in &raw.vpn_connections {
        let tg = tags(&c.tags);
        net.vpn_connections.insert(
            c.vpn_connection_id.clone(),
            VpnConnection {
                id: c.vpn_connection_id.clone(),
                name: name(&tg),
                vpn_gateway_id: c.vpn_gateway_id.clone(),
                transit_gateway_id: c.transit_gateway_id.clone(),
                state: Lifecycle::parse(&c.state),
                static_routes: c
                    .routes
                    .iter()
                    // pending, deleting and deleted routes carry nothing.
                    .filter(|r| r.state == "available")
                    .map(|r| r.destination_cidr_block)
                    .collect(),
                static_routes_only: c.options.as_ref().and_then(|o| o.static_routes_only),
                tunnels: c
                    .vgw_telemetry
                    .iter()
                    .map(|t| VpnTunnel {
                        outside_ip_address: t.outside_ip_address.clone(),
                        status: t.status.clone(),
                        status_message: t.status_message.clone(),
                    })
                    .collect(),
            },
        );
    }
    for (e, _) in &raw.vpc_endpoints {
        let tg = tags(&e.tags);
        let kind = match e.vpc_endpoint_type.as_str() {
            "Gateway" => EndpointKind::Gateway,
            "Interface" => EndpointKind::Interface,
            "GatewayLoadBalancer" => EndpointKind::GatewayLoadBalancer,
            other => EndpointKind::Other(other.to_string()),
        };
        net.vpc_endpoints.insert(
            e.vpc_endpoint_id.clone(),
            VpcEndpoint {
                id: e.vpc_endpoint_id.clone(),
                name: name(&tg).or_else(|| Some(e.service_name.clone()).filter(|s| !s.is_empty())),
                kind,
                vpc_id: e.vpc_id.clone(),
                service_name: e.service_name.clone(),
                state: Lifecycle::parse(&e.state),
                route_table_ids: e.route_table_ids.clone(),
                subnet_ids: e.subnet_ids.clone(),
                network_interface_ids: e.network_interface_ids.clone(),
            },
        );
    }
}
