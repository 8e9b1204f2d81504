//! Transit gateways (C7): the VPC's attachment and AZ affinity, attachment
//! state, the attachment's route table, and the exit attachment (a VPC by
//! its TGW subnet, on-premises, or an unmodelled kind).
//!
//! Owns: every transit gateway decision and the [`TgwExit`]s a trace records.
//! Must not know: what an appliance behind the exit does (`appliance`).

use super::routes::partition_tgw_routes;
use super::walk::*;
use crate::analysis::codes::ExplanationCode;
use crate::analysis::describe::*;
use crate::analysis::{rules, Direction, Explanation};
use crate::model::*;
use crate::packet::*;
use crate::topology::eni_addrs;

impl<'t, 'n> Walk<'t, 'n> {
    /// A packet routed to a transit gateway from `vpc_id` (C7): the VPC's
    /// attachment (AZ affinity, C7.5), the TGW subnet's NACL (C2.10), the
    /// attachment's route table (C7.2, C7.3), then the egress attachment.
    pub(super) fn to_tgw(
        &self,
        mut trace: Trace,
        tgw_id: &str,
        vpc_id: &str,
        from_subnet: Option<&str>,
        set: HeaderSet,
    ) -> Vec<Trace> {
        let net = self.net();
        let attachments: Vec<&TgwAttachment> = net
            .tgw_attachments
            .values()
            .filter(|a| a.tgw_id == tgw_id)
            .collect();
        if attachments.is_empty() && !net.transit_gateways.contains_key(tgw_id) {
            return self.unknown(trace, tgw_id, "transit gateway", &set);
        }
        let Some(att) = attachments
            .iter()
            .find(|a| a.vpc.as_ref().is_some_and(|v| v.vpc_id == vpc_id))
            .copied()
        else {
            let mut e = self.explanation(
                ExplanationCode::UnknownResource,
                format!("{vpc_id} routes to {tgw_id}, but the snapshot has no attachment of {vpc_id} to it (describe-transit-gateway-vpc-attachments)"),
                &set,
            );
            e.components.push(("TransitGateway", comp(net, tgw_id)));
            return self.stop(trace, e);
        };
        let vpc_att = att.vpc.as_ref().expect("filtered on vpc attachments");
        // Back into the TGW through the same attachment: the same route
        // table decides again, a loop (found by tests/equivalence.rs).
        if let Err(mut e) = self.enter_middlebox(&mut trace, &att.id, &set) {
            e.components
                .push(("TransitGatewayAttachment", comp(net, &att.id)));
            return self.stop(trace, e);
        }
        let mut hop = self.hop(&att.id, "transit gateway attachment (entry)", &set);
        hop.vpc = Some(vpc_id.to_string());
        trace.hops.push(hop);
        trace.current_exit = None;
        let mut set = self.attachment_state(&mut trace, att, set);
        // AZ affinity: the attachment needs a subnet in the source's AZ (C7.5).
        let source_az = from_subnet
            .and_then(|s| net.subnets.get(s))
            .and_then(|s| s.availability_zone.clone());
        let att_subnet_in = |az: Option<&str>| -> Option<String> {
            vpc_att
                .subnet_ids
                .iter()
                .find(|sid| {
                    net.subnets
                        .get(*sid)
                        .and_then(|s| s.availability_zone.as_deref())
                        == az
                        && az.is_some()
                })
                .cloned()
        };
        let entry_subnet = match att_subnet_in(source_az.as_deref()) {
            Some(s) => Some(s),
            None if source_az.is_none() => vpc_att.subnet_ids.first().cloned(),
            None => {
                let before = set.clone();
                set = self.gate(&mut trace, &before, HeaderSet::empty(), || {
                    let mut e = self.explanation(
                        ExplanationCode::TgwRouteAzRestriction,
                        format!("{} has no subnet in {}, the source's Availability Zone, so {tgw_id} cannot take this traffic (C7.5)", att.id, source_az.clone().unwrap_or_default()),
                        &before,
                    );
                    e.components.push(("TransitGatewayAttachment", comp(net, &att.id)));
                    e.components.push(("TransitGateway", comp(net, tgw_id)));
                    e.fix = Some(format!("add a subnet in {} to {}", source_az.clone().unwrap_or_default(), att.id));
                    e
                });
                vpc_att.subnet_ids.first().cloned()
            }
        };
        if let Some(tgw_subnet) = entry_subnet.as_deref() {
            if Some(tgw_subnet) != from_subnet {
                set = self.acl_check(&mut trace, tgw_subnet, false, set);
            }
        }
        self.tgw_route(trace, tgw_id, att, source_az, set)
    }

    /// The subnet whose ENI of `att` the TGW hands a packet to (C7.5): with
    /// appliance mode, a reply keeps the ENI its request used; otherwise the
    /// ENI in the AZ the packet entered the TGW in, or, with none there,
    /// another AZ's (the first subnet, with a note: AWS does not say which).
    /// Records the exit on the trace.
    pub(super) fn tgw_exit_subnet(
        &self,
        trace: &mut Trace,
        att: &TgwAttachment,
        out_att: &TgwVpcAttachment,
        source_az: Option<&str>,
    ) -> Option<String> {
        let net = self.net();
        let forward = trace
            .forward_exits
            .iter()
            .find(|x| x.attachment == att.id)
            .map(|x| x.subnet.clone());
        let in_az = source_az.and_then(|az| {
            out_att.subnet_ids.iter().find(|sid| {
                net.subnets
                    .get(*sid)
                    .and_then(|s| s.availability_zone.as_deref())
                    == Some(az)
            })
        });
        let subnet = match (out_att.appliance_mode, forward) {
            (true, Some(f)) => Some(f),
            _ => {
                if let (Some(az), None, Some(first)) =
                    (source_az, in_az, out_att.subnet_ids.first())
                {
                    self.note(format!("{} has no subnet in {az}, where the packet entered the transit gateway: the TGW delivers it through an ENI in another Availability Zone, and AWS does not say which; vpcreach follows the one in {first} (C7.5)", att.id));
                }
                in_az.or(out_att.subnet_ids.first()).cloned()
            }
        };
        if let Some(sn) = &subnet {
            trace.tgw_exits.push(TgwExit {
                attachment: att.id.clone(),
                subnet: sn.clone(),
                appliance_mode: out_att.appliance_mode,
                appliances: Vec::new(),
            });
            trace.current_exit = Some(trace.tgw_exits.len() - 1);
        }
        subnet
    }

    /// An attachment that is not `available` carries nothing into or out
    /// of its TGW (C7.1; the way out found by tests/equivalence.rs).
    pub(super) fn attachment_state(
        &self,
        trace: &mut Trace,
        att: &TgwAttachment,
        set: HeaderSet,
    ) -> HeaderSet {
        if att.state.is_available_or_unstated() {
            return set;
        }
        let before = set.clone();
        self.gate(trace, &before, HeaderSet::empty(), || {
            let mut e = self.explanation(
                ExplanationCode::BadStateAttachment,
                format!(
                    "{} is {}, not available: {} carries no traffic through it",
                    att.id, att.state, att.tgw_id
                ),
                &before,
            );
            e.components
                .push(("TransitGatewayAttachment", comp(self.net(), &att.id)));
            e
        })
    }

    /// Traffic entering the TGW through `att` (a `tgw-attach-` source):
    /// the attachment's state, then its route table.
    pub(super) fn enter_tgw_through(
        &self,
        mut trace: Trace,
        att: &TgwAttachment,
        set: HeaderSet,
    ) -> Vec<Trace> {
        let mut hop = self.hop(&att.id, "transit gateway attachment (source)", &set);
        hop.inbound = self.keep(&set);
        hop.vpc = att.vpc.as_ref().map(|v| v.vpc_id.clone());
        trace.hops.push(hop);
        let set = self.attachment_state(&mut trace, att, set);
        self.tgw_route(trace, &att.tgw_id, att, None, set)
    }

    /// The TGW's decision for traffic that entered through `att` (C7.1–C7.3,
    /// C7.6): its associated route table, then for each route the part of
    /// the traffic it wins goes out through that route's attachment.
    pub(super) fn tgw_route(
        &self,
        trace: Trace,
        tgw_id: &str,
        att: &TgwAttachment,
        source_az: Option<String>,
        set: HeaderSet,
    ) -> Vec<Trace> {
        let (mut trace, rtb_id, routes) = match self.tgw_routes_of(trace, tgw_id, att, &set) {
            Ok(found) => found,
            Err(stopped) => return stopped,
        };
        trace.crossed_tgw = true;
        let (parts, unknown_pls) = partition_tgw_routes(self.net(), routes, &set);
        if !unknown_pls.is_empty() {
            let e = self.prefix_list_routes_unknown(
                "TransitGatewayRouteTable",
                rtb_id,
                &unknown_pls,
                &set,
            );
            return self.stop(trace, e);
        }
        let from = TgwEntry {
            tgw_id,
            rtb_id,
            sg_referencing: att.vpc.as_ref().is_some_and(|v| v.sg_referencing),
            source_az: source_az.as_deref(),
        };
        let mut out = Vec::new();
        let mut routed = HeaderSet::empty();
        for (route, part) in parts {
            routed.extend(part.clone());
            out.extend(self.tgw_follow_route(trace.clone(), &from, &route, part));
        }
        let unrouted = set.subtract(&routed);
        if !unrouted.is_empty() {
            out.extend(self.tgw_no_route(trace, &from, unrouted));
        }
        out
    }

    /// The route table associated with `att` and its routes, with the trace
    /// handed back; the trace stopped with the reason when either is missing
    /// (C7.1).
    fn tgw_routes_of<'a>(
        &'a self,
        trace: Trace,
        tgw_id: &str,
        att: &'a TgwAttachment,
        set: &HeaderSet,
    ) -> Result<(Trace, &'a String, &'n [TgwRoute]), Vec<Trace>> {
        let net = self.net();
        if att.route_table_id.is_none() && !att.association_known {
            let mut e = self.explanation(
                ExplanationCode::UnknownResource,
                format!(
                    "the association of {} is not in the snapshot (describe-transit-gateway-attachments prints it): which route table {tgw_id} uses for it is unknown (R-partial.4)",
                    att.id
                ),
                set,
            );
            e.components
                .push(("TransitGatewayAttachment", comp(net, &att.id)));
            return Err(self.stop(trace, e));
        }
        let Some(rtb_id) = att.route_table_id.as_ref() else {
            let mut e = self.explanation(
                ExplanationCode::TgwAttachMissingTgwRtbAssociation,
                format!(
                    "{} is not associated with a transit gateway route table (C7.1)",
                    att.id
                ),
                set,
            );
            e.components
                .push(("TransitGatewayAttachment", comp(net, &att.id)));
            e.fix = Some(format!(
                "associate {} with a route table of {tgw_id}",
                att.id
            ));
            return Err(self.stop(trace, e));
        };
        let Some(rtb) = net.tgw_route_tables.get(rtb_id) else {
            return Err(self.unknown(trace, rtb_id, "transit gateway route table", set));
        };
        let Some(routes) = rtb.routes.as_ref() else {
            let mut e = self.explanation(
                ExplanationCode::TgwRtbRoutesAreUnknown,
                format!("the routes of {rtb_id} are not in the snapshot (add `TransitGatewayRouteTableRoutes` from search-transit-gateway-routes, or propagations)"),
                set,
            );
            e.components
                .push(("TransitGatewayRouteTable", comp(net, rtb_id)));
            return Err(self.stop(trace, e));
        };
        Ok((trace, rtb_id, routes.as_slice()))
    }

    /// One TGW route with the part of the traffic it won: blackhole, the
    /// egress attachment's state, the destination itself, or out through
    /// the attachment.
    fn tgw_follow_route(
        &self,
        mut t: Trace,
        from: &TgwEntry,
        route: &TgwRoute,
        part: HeaderSet,
    ) -> Vec<Trace> {
        let net = self.net();
        let (tgw_id, rtb_id) = (from.tgw_id, from.rtb_id);
        let kind = if route.kind == TgwRouteKind::Static {
            "static"
        } else {
            "propagated"
        };
        let role = format!(
            "transit gateway route table ({kind} {} → {})",
            describe_route_dest(&route.destination),
            route
                .attachment_ids
                .first()
                .map(String::as_str)
                .unwrap_or("blackhole")
        );
        let mut hop = self.hop(rtb_id, &role, &part);
        hop.route_table_id = Some(rtb_id.to_string());
        t.hops.push(hop);
        let dest = describe_route_dest(&route.destination);
        if route.state == RouteState::Blackhole {
            let mut e = self.explanation(
                ExplanationCode::TgwRtbBadStateRoute,
                format!("{rtb_id} routes {dest} to a blackhole (C7.3)"),
                &part,
            );
            e.components
                .push(("TransitGatewayRouteTable", comp(net, rtb_id)));
            e.components.push(("TransitGateway", comp(net, tgw_id)));
            return self.stop(t, e);
        }
        let Some(egress) = route
            .attachment_ids
            .first()
            .and_then(|id| net.tgw_attachments.get(id))
        else {
            let id = route.attachment_ids.first().cloned().unwrap_or_default();
            return self.unknown(t, &id, "transit gateway attachment", &part);
        };
        // An attachment that is not available carries nothing out either
        // (found by tests/equivalence.rs).
        let part = self.attachment_state(&mut t, egress, part);
        if let Goal::TgwAttachment(goal) | Goal::Tgw(goal) = &self.goal {
            if *goal == egress.id || *goal == egress.tgw_id {
                t.hops.push(self.hop(
                    &egress.id,
                    "transit gateway attachment (destination)",
                    &part,
                ));
                t.reached = Some((Exit::NoReturn, part));
                return vec![t];
            }
        }
        match (&egress.vpc, egress.resource_type.as_str()) {
            (Some(out_att), _) => self.tgw_exit_to_vpc(t, from, egress, out_att, part),
            (None, "peering") => self.tgw_cross_peering(t, from, egress, &dest, part),
            (None, "vpn" | "direct-connect-gateway" | "connect") => {
                self.tgw_exit_outside(t, from, egress, &dest, part)
            }
            (None, kind) => {
                let mut e = self.explanation(
                    ExplanationCode::UnsupportedComponent,
                    format!("{rtb_id} sends {dest} to {} ({kind}); this kind of attachment is not modelled, the path is not followed further (not a verdict)", egress.id),
                    &part,
                );
                e.components
                    .push(("TransitGatewayAttachment", comp(net, &egress.id)));
                self.stop(t, e)
            }
        }
    }

    /// Out through a VPC attachment: the destination VPC routes the packet
    /// by the TGW subnet's own table (C7.6).
    fn tgw_exit_to_vpc(
        &self,
        mut t: Trace,
        from: &TgwEntry,
        egress: &TgwAttachment,
        out_att: &TgwVpcAttachment,
        part: HeaderSet,
    ) -> Vec<Trace> {
        // SG identity survives only when the TGW and both attachments support
        // SG referencing (C7.6).
        let tgw_allows = self
            .net()
            .transit_gateways
            .get(from.tgw_id)
            .is_none_or(|g| g.allows_sg_referencing());
        if !(tgw_allows && from.sg_referencing && out_att.sg_referencing) {
            t.lost_sg_identity = true;
            t.sg_identity_lost_at_tgw = Some(egress.id.clone());
        }
        let exit_subnet = self.tgw_exit_subnet(&mut t, egress, out_att, from.source_az);
        let mut hop = self.hop(&egress.id, "transit gateway attachment (exit)", &part);
        hop.vpc = Some(out_att.vpc_id.clone());
        hop.subnet = exit_subnet.clone();
        t.hops.push(hop);
        match exit_subnet {
            Some(sn) => self.leave_subnet(t, &sn, &out_att.vpc_id, part),
            None => self.unknown(t, &egress.id, "subnet of transit gateway attachment", &part),
        }
    }

    /// Across a peering attachment to the transit gateway at its other end
    /// (C7.8): that TGW looks the packet up in the route table *its* side
    /// of the attachment is associated with, and SG identity does not
    /// cross. With the far TGW or its side of the attachment missing from
    /// the snapshot, what lies beyond is unknown.
    fn tgw_cross_peering(
        &self,
        mut t: Trace,
        from: &TgwEntry,
        egress: &TgwAttachment,
        dest: &str,
        part: HeaderSet,
    ) -> Vec<Trace> {
        let net = self.net();
        let peering = egress.peering.clone().unwrap_or_default();
        let far = peering.far_end(from.tgw_id, egress.resource_id.as_deref());
        let mut hop = self.hop(
            &egress.id,
            &format!(
                "transit gateway peering attachment ({} → {})",
                from.tgw_id,
                far.unwrap_or("?")
            ),
            &part,
        );
        hop.vpc = None;
        t.hops.push(hop);
        let Some(far) = far else {
            let e = self.peering_unknown(
                egress,
                format!("{} sends {dest} to {}, a transit gateway peering attachment whose other transit gateway the snapshot does not name: beyond it is unknown (C7.8)", from.rtb_id, egress.id),
                &part,
            );
            return self.stop(t, e);
        };
        let where_ = peering
            .peer(far)
            .map(|p| {
                format!(
                    " (account {}, region {})",
                    p.owner_id.as_deref().unwrap_or("?"),
                    p.region.as_deref().unwrap_or("?")
                )
            })
            .unwrap_or_default();
        let Some(far_rtb) = peering.ends.get(far) else {
            let what = if net.transit_gateways.contains_key(far) {
                format!("{far}'s side of {} (describe-transit-gateway-attachments in its region and account)", egress.id)
            } else {
                format!("the peer transit gateway {far}{where_}")
            };
            let e = self.peering_unknown(
                egress,
                format!("{} crosses {} to {far}{where_}, but {what} is not in the snapshot: which route table {far} uses, and so everything beyond it, is unknown (C7.8)", from.rtb_id, egress.id),
                &part,
            );
            return self.stop(t, e);
        };
        // Back into the same TGW through the same attachment: a loop.
        if let Err(mut e) = self.enter_middlebox(&mut t, &format!("{}@{far}", egress.id), &part) {
            e.components
                .push(("TransitGatewayAttachment", comp(net, &egress.id)));
            return self.stop(t, e);
        }
        // SG references never cross a TGW peering: only VPC attachments
        // carry SG referencing (C7.6, C7.8).
        t.lost_sg_identity = true;
        let far_side = TgwAttachment {
            tgw_id: far.to_string(),
            route_table_id: far_rtb.clone(),
            vpc: None,
            ..egress.clone()
        };
        // Availability Zones do not carry over to another transit gateway
        // (another region, or another account's zone names).
        self.tgw_route(t, far, &far_side, None, part)
    }

    /// `UNKNOWN_RESOURCE` for what lies beyond a peering attachment.
    fn peering_unknown(
        &self,
        att: &TgwAttachment,
        message: String,
        set: &HeaderSet,
    ) -> Explanation {
        let mut e = self.explanation(ExplanationCode::UnknownResource, message, set);
        e.components
            .push(("TransitGatewayAttachment", comp(self.net(), &att.id)));
        e.fix = Some("add the other region's (or account's) describe-transit-gateways, describe-transit-gateway-attachments and route tables to the snapshot".into());
        e
    }

    /// Out through a VPN, Direct Connect or Connect attachment: outside AWS,
    /// so only an outside destination is reached there.
    fn tgw_exit_outside(
        &self,
        mut t: Trace,
        from: &TgwEntry,
        egress: &TgwAttachment,
        dest: &str,
        part: HeaderSet,
    ) -> Vec<Trace> {
        let mut hop = self.hop(
            &egress.id,
            "transit gateway attachment (to on-premises)",
            &part,
        );
        hop.vpc = None;
        t.hops.push(hop);
        match &self.goal {
            Goal::External(addrs) => {
                let arrived = part.restrict_dst(addrs);
                self.note(format!(
                    "{} leads outside AWS: the verdict covers the AWS side only",
                    egress.id
                ));
                t.reached = Some((Exit::NoReturn, arrived));
                vec![t]
            }
            _ => {
                let e = self.explanation(
                    ExplanationCode::NoPath,
                    format!(
                        "{} sends {dest} out through {} ({}), away from the destination",
                        from.rtb_id, egress.id, egress.resource_type
                    ),
                    &part,
                );
                self.stop(t, e)
            }
        }
    }

    /// Traffic no route of the TGW route table covers.
    fn tgw_no_route(&self, mut t: Trace, from: &TgwEntry, unrouted: HeaderSet) -> Vec<Trace> {
        let net = self.net();
        let (tgw_id, rtb_id) = (from.tgw_id, from.rtb_id);
        t.hops
            .push(self.hop(rtb_id, "transit gateway route table", &HeaderSet::empty()));
        let mut e = self.explanation(
            ExplanationCode::NoRouteToDestination,
            format!(
                "{rtb_id} has no route for {}",
                describe_addrs(&unrouted.dst_union())
            ),
            &unrouted,
        );
        e.components
            .push(("TransitGatewayRouteTable", comp(net, rtb_id)));
        e.components.push(("TransitGateway", comp(net, tgw_id)));
        e.fix = Some(format!(
            "add a static route or a propagation in {rtb_id} for {}",
            describe_addrs(&unrouted.dst_union())
        ));
        self.stop(t, e)
    }
}

/// Where traffic entered a TGW route table: what each route's step needs
/// to know about the entry.
struct TgwEntry<'a> {
    tgw_id: &'a str,
    rtb_id: &'a str,
    /// The entry attachment supports SG referencing (C7.6).
    sg_referencing: bool,
    /// The Availability Zone the packet entered the TGW in (C7.5).
    source_az: Option<&'a str>,
}

impl<'t, 'n> Walk<'t, 'n> {
    /// Some rule of `eni`'s groups naming a group would admit part of
    /// `set` if the members' identity survived (wherever they are): what a
    /// TGW without SG referencing support took away (C7.6).
    pub(super) fn group_reference_would_admit(
        &self,
        eni: &NetworkInterface,
        dir: Direction,
        set: &HeaderSet,
    ) -> bool {
        let net = self.net();
        eni.group_ids
            .iter()
            .filter_map(|g| net.security_groups.get(g))
            .flat_map(|g| match dir {
                Direction::Ingress => &g.ingress,
                Direction::Egress => &g.egress,
            })
            .any(|rule| {
                let SgPeer::Group { group_id, .. } = &rule.peer else {
                    return false;
                };
                let members = self
                    .topo
                    .sg_members(group_id)
                    .fold(AddrSet::new(), |a, m| a | eni_addrs(m));
                let mut cube =
                    rules::sg_rule_cube(self.topo, rule, dir, &eni.vpc_id, true, &mut Vec::new());
                match dir {
                    Direction::Ingress => cube.src = members,
                    Direction::Egress => cube.dst = members,
                }
                !set.intersect_cube(&cube).is_empty()
            })
    }
}
