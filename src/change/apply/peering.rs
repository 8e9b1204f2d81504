//! VPC peering calls: Create/Accept/DeleteVpcPeeringConnection and the
//! status transitions EC2 allows.

use crate::change::{err, need, State, R};
use crate::model::*;

impl State {
    pub(in crate::change) fn create_vpc_peering_connection(
        &mut self,
        vpc_id: &Option<String>,
        peer_vpc_id: &Option<String>,
        peer_owner_id: &Option<String>,
        peer_region: &Option<String>,
    ) -> R<String> {
        let vpc = need(vpc_id, "VpcId")?.clone();
        let peer = need(peer_vpc_id, "PeerVpcId")?.clone();
        let requester = self.vpc(&vpc)?.clone();
        let accepter = self
            .net
            .vpcs
            .get(&peer)
            .cloned()
            .ok_or_else(|| {
                err(
                    "InvalidVpcID.NotFound",
                    "PeerVpcId",
                    format!("The vpc ID '{peer}' does not exist"),
                )
                .help("vpcreach needs the peer VPC in the snapshot to know its CIDRs; add that account's/region's describe-vpcs output")
            })?;
        let overlap = requester.cidrs.iter().any(|a| {
            accepter
                .cidrs
                .iter()
                .any(|b| a.contains(&b.network()) || b.contains(&a.network()))
        });
        let id = self.new_id("pcx");
        let side = |v: &Vpc, owner: Option<String>, region: Option<String>| PeeringSide {
            vpc_id: v.id.clone(),
            cidrs: v.cidrs.clone(),
            owner: owner.or(v.owner.clone()),
            region: region.or(v.location.region.clone()),
        };
        let status = if overlap {
            PeeringStatus::Failed
        } else {
            PeeringStatus::PendingAcceptance
        };
        self.net.peerings.insert(
            id.clone(),
            VpcPeering {
                id: id.clone(),
                name: None,
                status,
                requester: side(&requester, None, None),
                accepter: side(&accepter, peer_owner_id.clone(), peer_region.clone()),
            },
        );
        Ok(if overlap {
            format!(
                "requested {id} between {vpc} and {peer}; it fails at once: their CIDRs overlap"
            )
        } else {
            format!("requested {id} between {vpc} and {peer} (pending-acceptance)")
        })
    }

    pub(in crate::change) fn accept_vpc_peering_connection(
        &mut self,
        vpc_peering_connection_id: &Option<String>,
    ) -> R<String> {
        let id = need(vpc_peering_connection_id, "VpcPeeringConnectionId")?.clone();
        let p = self.pcx_mut(&id)?;
        if p.status != PeeringStatus::PendingAcceptance {
            return Err(err(
                "InvalidStateTransition",
                "VpcPeeringConnectionId",
                format!(
                    "Invalid state transition for {id}, attempted to transition from {} to active",
                    p.status
                ),
            ));
        }
        p.status = PeeringStatus::Active;
        Ok(format!("accepted {id} (active)"))
    }

    pub(in crate::change) fn delete_vpc_peering_connection(
        &mut self,
        vpc_peering_connection_id: &Option<String>,
    ) -> R<String> {
        let id = need(vpc_peering_connection_id, "VpcPeeringConnectionId")?.clone();
        let p = self.pcx_mut(&id)?;
        if !matches!(
            p.status,
            PeeringStatus::Active | PeeringStatus::PendingAcceptance | PeeringStatus::Provisioning
        ) {
            return Err(err(
                "InvalidStateTransition",
                "VpcPeeringConnectionId",
                format!(
                    "Invalid state transition for {id}, attempted to transition from {} to deleted",
                    p.status
                ),
            ));
        }
        p.status = PeeringStatus::Deleted;
        Ok(format!("deleted {id}"))
    }

    fn pcx_mut(&mut self, id: &str) -> R<&mut VpcPeering> {
        self.net.peerings.get_mut(id).ok_or_else(|| {
            err(
                "InvalidVpcPeeringConnectionID.NotFound",
                "VpcPeeringConnectionId",
                format!("The vpcPeeringConnection ID '{id}' does not exist"),
            )
        })
    }
}
