//! Virtual private gateways (C3.2, VPN): leaving a VPC to on-premises
//! (attachment, VPN connection state) and entering it from on-premises
//! (the gateway route table, else local delivery).
//!
//! Owns: the VGW step in both directions. Must not know: the on-premises
//! network beyond the VPN connection's routes.

use super::walk::*;
use crate::analysis::codes::ExplanationCode;
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
            .any(|(v, s)| v == vpc_id && s == "attached")
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
        let connections: Vec<&VpnConnection> = net
            .vpn_connections
            .values()
            .filter(|c| c.vpn_gateway_id.as_deref() == Some(vgw_id))
            .collect();
        if connections.is_empty() {
            self.note(format!("no VPN connection of {vgw_id} is in the snapshot: whether its tunnels are up is unknown"));
        } else if !connections.iter().any(|c| c.state == "available") {
            let before = set.clone();
            set = self.gate(&mut trace, &before, HeaderSet::empty(), || {
                let mut e = self.explanation(
                    ExplanationCode::BadStateVpn,
                    format!(
                        "no VPN connection of {vgw_id} is available ({})",
                        connections
                            .iter()
                            .map(|c| format!("{} {}", c.id, c.state))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    &before,
                );
                e.components.push(("VpnGateway", comp(net, vgw_id)));
                for c in &connections {
                    e.components.push(("VpnConnection", comp(net, &c.id)));
                }
                e
            });
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
            .find(|(_, s)| s == "attached")
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
        match self.topo.gateway_route_table(vgw_id) {
            Some(rt) => self.route(trace, rt, &vpc_id, None, set),
            None => self.deliver_local(trace, &vpc_id, set, None),
        }
    }
}
