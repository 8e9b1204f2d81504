//! VPC peering connections (C6): status, the peer's CIDRs (peering is not
//! transitive), delivery into the peer VPC.
//!
//! Owns: the peering step. Must not know: the peer VPC's routing (the walk
//! delivers locally).

use super::walk::*;
use crate::analysis::codes::ExplanationCode;
use crate::analysis::describe::*;
use crate::packet::*;

impl<'t, 'n> Walk<'t, 'n> {
    pub(super) fn to_pcx(
        &self,
        mut trace: Trace,
        pcx_id: &str,
        from_vpc: &str,
        set: HeaderSet,
    ) -> Vec<Trace> {
        let Some(pcx) = self.net().peerings.get(pcx_id) else {
            return self.unknown(trace, pcx_id, "VPC peering connection", &set);
        };
        let mut hop = self.hop(pcx_id, "VPC peering connection", &set);
        hop.vpc = Some(from_vpc.to_string());
        trace.hops.push(hop);
        let mut set = set;
        if pcx.status != crate::model::PeeringStatus::Active {
            let before = set.clone();
            set = self.gate(&mut trace, &before, HeaderSet::empty(), || {
                let mut e = self.explanation(
                    ExplanationCode::BadState,
                    format!("{pcx_id} is {}, not active (C6.1)", pcx.status),
                    &before,
                );
                e.components
                    .push(("VpcPeeringConnection", comp(self.net(), pcx_id)));
                e
            });
        }
        let Some(peer) = pcx.peer_of(from_vpc) else {
            let mut e = self.explanation(
                ExplanationCode::NoPath,
                format!("{pcx_id} does not join {from_vpc}"),
                &set,
            );
            e.components
                .push(("VpcPeeringConnection", comp(self.net(), pcx_id)));
            return self.stop(trace, e);
        };
        let peer_cidrs = if peer.cidrs.is_empty() {
            self.net()
                .vpcs
                .get(&peer.vpc_id)
                .map(|v| v.cidrs.clone())
                .unwrap_or_default()
        } else {
            peer.cidrs.clone()
        };
        let inside = set.restrict_dst(&nets_set(&peer_cidrs));
        if inside.is_empty() {
            let mut e = self.explanation(
                ExplanationCode::PcxRequiresAddressInVpcCidr,
                format!("{pcx_id} carries traffic only to {} ({}); {} is outside it: peering is not transitive (C6.3)", peer.vpc_id, peer_cidrs.iter().map(|c| c.to_string()).collect::<Vec<_>>().join(", "), describe_addrs(&set.dst_union())),
                &set,
            );
            e.components
                .push(("VpcPeeringConnection", comp(self.net(), pcx_id)));
            e.components.push(("Vpc", comp(self.net(), &peer.vpc_id)));
            return self.stop(trace, e);
        }
        if let Goal::Pcx(goal) = &self.goal {
            if goal == pcx_id {
                trace.reached = Some((
                    Exit::Pcx {
                        pcx: pcx_id.to_string(),
                        from_vpc: from_vpc.to_string(),
                    },
                    inside,
                ));
                return vec![trace];
            }
        }
        if !self.net().vpcs.contains_key(&peer.vpc_id)
            && self.topo.subnets_of_vpc(&peer.vpc_id).next().is_none()
        {
            return self.unknown(trace, &peer.vpc_id, "peer VPC", &inside);
        }
        let peer_vpc = peer.vpc_id.clone();
        self.deliver_local(trace, &peer_vpc, inside, None)
    }
}
