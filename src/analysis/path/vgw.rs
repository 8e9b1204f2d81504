//! Virtual private gateways (C3.2, VPN): leaving a VPC to on-premises
//! (attachment, VPN connection state, tunnels and routes, C3.10 of
//! docs/semantics-additions.md) and entering it from on-premises (live
//! tunnels, then the gateway route table, else local delivery).
//!
//! Owns: the VGW step in both directions. Must not know: the on-premises
//! network beyond the VPN connection's routes.

use super::walk::*;
use crate::analysis::codes::ExplanationCode;
use crate::analysis::Explanation;
use crate::model::*;
use crate::packet::*;

impl<'t, 'n> Walk<'t, 'n> {
    pub(super) fn to_vgw(
        &self,
        mut trace: Trace,
        vgw_id: &str,
        vpc_id: &str,
        set: HeaderSet,
    ) -> Vec<Trace> {
        let net = self.net();
        let Some(vgw) = net.vpn_gateways.get(vgw_id) else {
            return self.unknown(trace, vgw_id, "virtual private gateway", &set);
        };
        let mut hop = self.hop(vgw_id, "virtual private gateway (to on-premises)", &set);
        hop.vpc = Some(vpc_id.to_string());
        trace.hops.push(hop);
        let mut set = set;
        if !vgw
            .attachments
            .iter()
            .any(|(v, s)| v == vpc_id && *s == GatewayAttachmentState::Attached)
        {
            let before = set.clone();
            set = self.gate(&mut trace, &before, HeaderSet::empty(), || {
                let mut e = self.explanation(
                    ExplanationCode::BadStateAttachment,
                    format!("{vgw_id} is not attached to {vpc_id}"),
                    &before,
                );
                e.components.push(("VpnGateway", comp(net, vgw_id)));
                e
            });
        }
        let set = self.vpn_routing(&mut trace, vgw_id, set);
        if set.is_empty() {
            return vec![trace];
        }
        match &self.goal {
            Goal::External(addrs) => {
                self.note(format!(
                    "{vgw_id} leads outside AWS: the verdict covers the AWS side only"
                ));
                trace.reached = Some((Exit::Vgw(vgw_id.to_string()), set.restrict_dst(addrs)));
                vec![trace]
            }
            Goal::Vgw(goal) if goal == vgw_id => {
                trace.reached = Some((Exit::Vgw(vgw_id.to_string()), set));
                vec![trace]
            }
            _ => {
                let mut e = self.explanation(ExplanationCode::NoPath, format!("the route sends the traffic to on-premises through {vgw_id}, away from the destination"), &set);
                e.components.push(("VpnGateway", comp(net, vgw_id)));
                self.stop(trace, e)
            }
        }
    }

    /// Traffic from on-premises entering a VPC through its VGW: the VGW's
    /// gateway route table if it has one (C3.2), else straight to the subnet.
    pub(super) fn enter_from_vgw(
        &self,
        mut trace: Trace,
        vgw_id: &str,
        set: HeaderSet,
    ) -> Vec<Trace> {
        let net = self.net();
        let Some(vgw) = net.vpn_gateways.get(vgw_id) else {
            return self.unknown(trace, vgw_id, "virtual private gateway", &set);
        };
        let mut hop = self.hop(vgw_id, "virtual private gateway (from on-premises)", &set);
        hop.inbound = self.keep(&set);
        trace.hops.push(hop);
        let Some(vpc_id) = vgw
            .attachments
            .iter()
            .find(|(_, s)| *s == GatewayAttachmentState::Attached)
            .map(|(v, _)| v.clone())
        else {
            let mut e = self.explanation(
                ExplanationCode::BadStateAttachment,
                format!("{vgw_id} is not attached to any VPC"),
                &set,
            );
            e.components.push(("VpnGateway", comp(net, vgw_id)));
            return self.stop(trace, e);
        };
        let set = self.vpn_tunnels_up(&mut trace, vgw_id, set);
        match self.topo.gateway_route_table(vgw_id) {
            Some(rt) => self.route(trace, rt, &vpc_id, None, set),
            None => self.deliver_local(trace, &vpc_id, set, None),
        }
    }

    /// No VPN connection of the VGW is in the snapshot: whether any tunnel
    /// is up and what it routes is unknown (C3.10, R-partial.4), so nothing
    /// is claimed to pass.
    fn no_connection_known(&self, trace: &mut Trace, vgw_id: &str, set: HeaderSet) -> HeaderSet {
        let before = set;
        if self.net().vpn_connections_described {
            // describe-vpn-connections lists none: there is none (C3.10c).
            return self.gate(trace, &before, HeaderSet::empty(), || {
                self.bad_state_vpn(vgw_id, &[], &before)
            });
        }
        self.gate(trace, &before, HeaderSet::empty(), || {
            let mut e = self.explanation(
                ExplanationCode::UnknownResource,
                format!("no VPN connection of {vgw_id} is in the snapshot (describe-vpn-connections): whether its tunnels are up and which destinations it routes is unknown (C3.10, R-partial.4)"),
                &before,
            );
            e.components.push(("VpnGateway", comp(self.net(), vgw_id)));
            e
        })
    }

    /// C3.10c: a VPN connection carries traffic only when it is `available`
    /// and not every tunnel in `VgwTelemetry` is `DOWN`. Traffic entering
    /// from on-premises needs one such connection; with none, it is
    /// blocked (`BAD_STATE_VPN`). Returns what passes.
    fn vpn_tunnels_up(&self, trace: &mut Trace, vgw_id: &str, set: HeaderSet) -> HeaderSet {
        let connections = self.connections_of(vgw_id);
        if connections.is_empty() {
            return self.no_connection_known(trace, vgw_id, set);
        }
        if connections.iter().any(|c| carries(c)) {
            self.note_missing_telemetry(&connections);
            return set;
        }
        let before = set.clone();
        self.gate(trace, &before, HeaderSet::empty(), || {
            self.bad_state_vpn(vgw_id, &connections, &before)
        })
    }

    /// C3.10: a VGW sends into a VPN connection only destinations the
    /// connection routes. Static connections (`Options.StaticRoutesOnly`)
    /// route their `available` static routes; BGP connections route what the
    /// customer gateway advertises, which no describe call shows, so only a
    /// propagated route (`EnableVgwRoutePropagation`) to this VGW in some
    /// route table proves a destination; the rest is unknown
    /// (`UNKNOWN_DESTINATION`). What no connection can route is dropped
    /// (`NO_ROUTE_TO_DESTINATION`). Returns what is carried.
    fn vpn_routing(&self, trace: &mut Trace, vgw_id: &str, set: HeaderSet) -> HeaderSet {
        let net = self.net();
        let connections = self.connections_of(vgw_id);
        if connections.is_empty() {
            return self.no_connection_known(trace, vgw_id, set);
        }
        let live: Vec<&VpnConnection> =
            connections.iter().copied().filter(|c| carries(c)).collect();
        if live.is_empty() {
            let before = set.clone();
            self.gate(trace, &before, HeaderSet::empty(), || {
                self.bad_state_vpn(vgw_id, &connections, &before)
            });
            return HeaderSet::empty();
        }
        self.note_missing_telemetry(&live);
        let mut routed = AddrSet::new();
        for c in &live {
            routed |= nets_set(&c.static_routes);
        }
        let dynamic: Vec<&VpnConnection> = live
            .iter()
            .copied()
            .filter(|c| c.static_routes_only != Some(true))
            .collect();
        if !dynamic.is_empty() {
            routed |= propagated_from(net, vgw_id);
        }
        let carried = set.restrict_dst(&routed);
        let rest = set.subtract(&carried);
        if rest.is_empty() {
            return carried;
        }
        let ids = |cs: &[&VpnConnection]| {
            cs.iter()
                .map(|c| c.id.clone())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut e = if dynamic.is_empty() {
            let mut e = self.explanation(
                ExplanationCode::NoRouteToDestination,
                format!("{vgw_id} sends into a VPN connection only the destinations its routes name (C3.10a); the static routes of {} do not cover {}", ids(&live), dst_text(&rest)),
                &rest,
            );
            e.fix = Some(format!("add a static route to the VPN connection (create-vpn-connection-route --vpn-connection-id {})", live[0].id));
            e
        } else {
            self.explanation(
                ExplanationCode::UnknownDestination,
                format!("{} of {vgw_id} routes by BGP{}: the routes the customer gateway advertises are not in any describe output and no route table shows a propagated route for {}, so whether the VPN carries it is unknown (C3.10b)", ids(&dynamic), if dynamic.iter().any(|c| c.static_routes_only.is_none()) { " or does not say (Options.StaticRoutesOnly absent)" } else { "" }, dst_text(&rest)),
                &rest,
            )
        };
        e.components.push(("VpnGateway", comp(net, vgw_id)));
        for c in &live {
            e.components.push(("VpnConnection", comp(net, &c.id)));
        }
        if self.record {
            trace.explanations.push(e);
        }
        trace.blocked = true;
        if let Some(h) = trace.hops.last_mut() {
            h.blocked = true;
        }
        carried
    }

    fn connections_of(&self, vgw_id: &str) -> Vec<&'n VpnConnection> {
        self.net()
            .vpn_connections
            .values()
            .filter(|c| c.vpn_gateway_id.as_deref() == Some(vgw_id))
            .collect()
    }

    fn note_missing_telemetry(&self, connections: &[&VpnConnection]) {
        for c in connections.iter().filter(|c| c.tunnels.is_empty()) {
            self.note(format!(
                "{} has no VgwTelemetry in the snapshot: its tunnels are assumed up",
                c.id
            ));
        }
    }

    fn bad_state_vpn(
        &self,
        vgw_id: &str,
        connections: &[&VpnConnection],
        blocked: &HeaderSet,
    ) -> Explanation {
        let net = self.net();
        let mut e = self.explanation(
            ExplanationCode::BadStateVpn,
            if connections.is_empty() {
                format!("{vgw_id} has no VPN connection (describe-vpn-connections lists none): nothing passes through it (C3.10c)")
            } else {
                format!(
                    "no VPN connection of {vgw_id} can carry traffic ({}) (C3.10c)",
                    connections
                        .iter()
                        .map(|c| if c.state != Lifecycle::Available {
                            format!("{} is {}", c.id, c.state)
                        } else {
                            format!("{}: every tunnel is DOWN in VgwTelemetry", c.id)
                        })
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            },
            blocked,
        );
        e.components.push(("VpnGateway", comp(net, vgw_id)));
        for c in connections {
            e.components.push(("VpnConnection", comp(net, &c.id)));
        }
        e
    }
}

/// C3.10c: `available`, and not every tunnel reported `DOWN`.
fn carries(c: &VpnConnection) -> bool {
    c.state == Lifecycle::Available && !c.all_tunnels_down()
}

/// Destinations some route table learned from `vgw_id` by propagation:
/// the VGW knows a route for each (C3.10b).
fn propagated_from(net: &Network, vgw_id: &str) -> AddrSet {
    let mut out = AddrSet::new();
    for rt in net.route_tables.values() {
        for r in &rt.routes {
            if let (
                RouteOrigin::EnableVgwRoutePropagation,
                RouteTarget::VpnGateway(id),
                RouteDestination::Cidr(c),
            ) = (&r.origin, &r.target, &r.destination)
            {
                if id == vgw_id {
                    out |= net_set(c);
                }
            }
        }
    }
    out
}

fn dst_text(set: &HeaderSet) -> String {
    addr_set_cidrs(&set.dst_union())
        .iter()
        .map(|n| n.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}
