//! Appliances: an ENI (or an instance) named as a route target (C10.2,
//! C1.10), and the loop guard for every middlebox (appliance ENIs, GWLB
//! endpoints, TGW attachments re-entered). Also the note for a reply that
//! crosses a different appliance behind a transit gateway without appliance
//! mode (C7.5).
//!
//! Owns: delivery to, and forwarding by, an appliance ENI. Must not know:
//! how the transit gateway picked the ENI (`tgw`).

use super::walk::*;
use crate::analysis::codes::ExplanationCode;
use crate::analysis::describe::*;
use crate::analysis::rules::Direction;
use crate::analysis::*;
use crate::packet::*;

/// Routing through appliances can loop; AWS paths are short.
const MAX_APPLIANCE_HOPS: usize = 8;

impl<'t, 'n> Walk<'t, 'n> {
    pub(super) fn to_appliance(
        &self,
        mut trace: Trace,
        eni_id: &str,
        from_subnet: Option<&str>,
        set: HeaderSet,
    ) -> Vec<Trace> {
        let Some(eni) = self.net().network_interfaces.get(eni_id) else {
            return self.unknown(trace, eni_id, "network interface", &set);
        };
        if let Err(e) = self.enter_middlebox(&mut trace, eni_id, &set) {
            return self.stop(trace, e);
        }
        let set = if from_subnet == Some(eni.subnet_id.as_str()) {
            set
        } else {
            self.acl_check(&mut trace, &eni.subnet_id, false, set)
        };
        let own: AddrSet = eni
            .private_ips
            .iter()
            .map(|p| addr_of(p.address))
            .map(|a| a..=a)
            .collect();
        // Traffic addressed to the route target itself is delivered to it,
        // not forwarded (its egress rules and source/destination check
        // play no part).
        let to_itself = set.restrict_dst(&own);
        let mut out = Vec::new();
        if !to_itself.is_empty() {
            out.extend(self.eni_in(trace.clone(), eni, to_itself));
        }
        let set = set.restrict_dst(&(all_addrs() - &own));
        if set.is_empty() {
            return out;
        }
        let set = self.sg_check(&mut trace, eni, Direction::Ingress, set);
        let mut hop = self.hop(&eni.id, "network interface (appliance, route target)", &set);
        hop.attached_to = eni
            .attachment
            .as_ref()
            .and_then(|a| a.instance_id.as_ref())
            .map(|i| comp(self.net(), i));
        hop.subnet = Some(eni.subnet_id.clone());
        hop.vpc = Some(eni.vpc_id.clone());
        trace.hops.push(hop);
        let set = self.state_checks(&mut trace, eni, set);
        let set = if eni.source_dest_check {
            let before = set.clone();
            let after = set.restrict_dst(&own);
            self.gate(&mut trace, &before, after, || {
                let mut e = self.explanation(ExplanationCode::EniSourceDestCheckRestriction, format!("{} has source/destination check enabled, so it drops traffic for {} (C10.2)", eni.id, describe_addrs(&before.dst_union())), &before);
                e.components.push(("NetworkInterface", comp(self.net(), &eni.id)));
                e.fix = Some(format!("disable source/destination check on {} (ModifyNetworkInterfaceAttribute --no-source-dest-check)", eni.id));
                e
            })
        } else {
            set
        };
        trace.lost_sg_identity = true; // C1.10
        self.appliance_behind_tgw(&mut trace, eni_id);
        out.extend(self.eni_out(trace, eni_id, set, true));
        out
    }

    /// Record passing through a middlebox (appliance ENI, GWLB endpoint);
    /// routing through them can loop, and AWS paths are short.
    pub(super) fn enter_middlebox(
        &self,
        trace: &mut Trace,
        id: &str,
        set: &HeaderSet,
    ) -> Result<(), Explanation> {
        if trace.visited_appliances.iter().any(|v| v == id)
            || trace.visited_appliances.len() >= MAX_APPLIANCE_HOPS
        {
            return Err(self.explanation(
                ExplanationCode::NoPath,
                format!("routing loop: the path returns to {id}"),
                set,
            ));
        }
        trace.visited_appliances.push(id.to_string());
        Ok(())
    }

    /// A packet crosses appliance `eni_id` in a VPC a TGW handed it to. On
    /// a reply through an attachment without appliance mode, whose ENI is
    /// not the one the request used, the reply crosses the appliances of
    /// another AZ (C7.5): a stateful appliance drops a reply to a request it
    /// did not see. Appliance state is not modelled; the verdict stands and
    /// a note says so.
    pub(super) fn appliance_behind_tgw(&self, trace: &mut Trace, eni_id: &str) {
        let Some(i) = trace.current_exit else {
            return;
        };
        let here = &mut trace.tgw_exits[i];
        here.appliances.push(eni_id.to_string());
        if here.appliance_mode {
            return;
        }
        let Some(fwd) = trace
            .forward_exits
            .iter()
            .find(|x| x.attachment == here.attachment)
        else {
            return;
        };
        if fwd.subnet == here.subnet || fwd.appliances.iter().any(|a| a == eni_id) {
            return;
        }
        let net = self.net();
        let az = |sn: &str| {
            net.subnets
                .get(sn)
                .and_then(|s| s.availability_zone.clone())
                .unwrap_or_else(|| sn.to_string())
        };
        let seen = if fwd.appliances.is_empty() {
            "no appliance".to_string()
        } else {
            fwd.appliances.join(", ")
        };
        self.note(format!(
            "{code}: {att} has appliance mode disabled, so the transit gateway picks its ENI by each direction's Availability Zone (C7.5): the request crossed {seen} (through the ENI in {fa}), the reply crosses {eni_id} (through the ENI in {ra}). A stateful appliance drops a reply to a connection it did not see; vpcreach does not model appliance state. Enable ApplianceModeSupport on {att} to keep both directions on one appliance",
            code = ExplanationCode::ApplianceMode,
            att = here.attachment,
            fa = az(&fwd.subnet),
            ra = az(&here.subnet),
        ));
    }
}
