//! Internet gateways (C4.1–C4.5) and egress-only internet gateways (C4.6):
//! attachment, the private-address drops, the IGW's 1:1 NAT in both
//! directions, entering a VPC from the internet, NAT reflection; VPC Block
//! Public Access is asked of `bpa.rs` at each crossing.
//!
//! Owns: everything an (egress-only) internet gateway does to a header set.
//! Must not know: what happens inside the VPC after the gateway route table.

use super::bpa::Gateway;
use super::walk::*;
use crate::analysis::codes::ExplanationCode;
use crate::analysis::describe::*;
use crate::analysis::Direction;
use crate::model::*;
use crate::packet::*;

impl<'t, 'n> Walk<'t, 'n> {
    /// An IGW that a route table of `vpc` targets but the snapshot lacks.
    pub(super) fn missing_igw_of_vpc(&self, vpc: &str) -> Option<String> {
        self.net()
            .route_tables
            .values()
            .filter(|rt| rt.vpc_id == vpc)
            .flat_map(|rt| rt.routes.iter())
            .find_map(|r| match &r.target {
                RouteTarget::InternetGateway(id)
                    if !self.net().internet_gateways.contains_key(id) =>
                {
                    Some(id.clone())
                }
                _ => None,
            })
    }

    pub(super) fn to_igw(
        &self,
        mut trace: Trace,
        igw_id: &str,
        vpc_id: &str,
        set: HeaderSet,
    ) -> Vec<Trace> {
        let Some(igw) = self.net().internet_gateways.get(igw_id) else {
            return self.unknown(trace, igw_id, "internet gateway", &set);
        };
        let mut hop = self.hop(igw_id, "internet gateway (egress)", &set);
        hop.inbound = self.keep(&set);
        hop.vpc = Some(vpc_id.to_string());
        trace.hops.push(hop);
        let set = self.attachment_gate(&mut trace, igw, "InternetGateway", vpc_id, "C4.1", set);
        let (mut set, unknown) = self.bpa_gate(
            &mut trace,
            igw_id,
            Gateway::Internet,
            vpc_id,
            Direction::Egress,
            set,
        );
        if set.is_empty() && !unknown.is_empty() {
            return unknown;
        }
        for (range, code) in [
            (
                rfc1918(),
                ExplanationCode::IgwDestinationAddressNotInRfc1918Egress,
            ),
            (
                rfc6598(),
                ExplanationCode::IgwDestinationAddressNotInRfc6598Egress,
            ),
        ] {
            let before = set.clone();
            let after = set.restrict_dst(&(all_addrs() - &range));
            set = self.gate(&mut trace, &before, after, || {
                let mut e = self.explanation(
                    code,
                    format!(
                        "{igw_id} drops outbound traffic to private address {} (C4.4)",
                        describe_addrs(&before.dst_union())
                    ),
                    &before,
                );
                e.components
                    .push(("InternetGateway", comp(self.net(), igw_id)));
                e
            });
        }
        // 1:1 NAT of the private source to its public address (C4.2).
        let before = set.clone();
        let translated = self.igw_snat(vpc_id, &set);
        trace.translations.push(Translation::Igw {
            vpc: vpc_id.to_string(),
        });
        set = self.gate(&mut trace, &before, translated, || {
            let mut e = self.explanation(
                ExplanationCode::IgwPublicIpAssociationForEgress,
                format!("{} has no public IPv4 address (auto-assigned or Elastic IP), so {igw_id} cannot carry its traffic (C4.2)", describe_addrs(&before.src_union())),
                &before,
            );
            e.components.push(("InternetGateway", comp(self.net(), igw_id)));
            e.fix = Some("associate an Elastic IP with the source, or route through a NAT gateway".into());
            e
        });
        if let Some(h) = trace.hops.last_mut() {
            h.outbound = set.clone();
        }
        let mut out = match &self.goal {
            Goal::External(_) if self.outside_may_be_ours() => {
                self.outside_unknown(trace, igw_id, &set)
            }
            Goal::External(addrs) => {
                let arrived = set.restrict_dst(addrs);
                trace.reached = Some((Exit::Igw(igw_id.to_string()), arrived));
                vec![trace]
            }
            Goal::Igw(goal) if goal == igw_id => {
                trace.reached = Some((Exit::Igw(igw_id.to_string()), set));
                vec![trace]
            }
            _ => {
                let (trace, set) = match self.across_internet(trace, igw_id, vpc_id, set) {
                    Ok(traces) => return traces,
                    Err(back) => back,
                };
                self.stop_with(trace, ExplanationCode::IgwNatReflection, || {
                    let mut e = self.explanation(ExplanationCode::IgwNatReflection, format!("the path leaves through {igw_id} towards {}, which is no address of the snapshot (C4.5)", describe_addrs(&set.dst_union())), &set);
                    e.components
                        .push(("InternetGateway", comp(self.net(), igw_id)));
                    e
                })
            }
        };
        out.extend(unknown);
        out
    }

    /// Without describe-network-interfaces, an address the snapshot maps
    /// to nothing may be an interface of this account (INET.1): whether the
    /// internet carries it back in, and to what, is unknown (R-partial.4).
    /// Replies go back to the question's own source, which is not in doubt.
    fn outside_may_be_ours(&self) -> bool {
        self.mode == Mode::Forward && self.net().interfaces_not_described
    }

    fn outside_unknown(&self, trace: Trace, gateway: &str, set: &HeaderSet) -> Vec<Trace> {
        let mut e = self.explanation(
            ExplanationCode::UnknownResource,
            format!("the snapshot has no describe-network-interfaces output: whether {} is a public address of an interface of this account (which {gateway} would carry back into its VPC, or drop) is unknown (INET.1)", describe_addrs(&set.dst_union())),
            set,
        );
        e.components.push(("Component", comp(self.net(), gateway)));
        e.fix = Some("add `aws ec2 describe-network-interfaces` output to the snapshot".into());
        self.stop(trace, e)
    }

    /// An (egress-only) internet gateway carries traffic only for a VPC it
    /// is attached to (C4.1).
    pub(super) fn attachment_gate(
        &self,
        trace: &mut Trace,
        gw: &InternetGateway,
        kind: &'static str,
        vpc_id: &str,
        rule: &str,
        set: HeaderSet,
    ) -> HeaderSet {
        if gw
            .attachments
            .iter()
            .any(|(v, s)| v == vpc_id && s.is_attached())
        {
            return set;
        }
        self.gate(trace, &set, HeaderSet::empty(), || {
            let mut e = self.explanation(
                ExplanationCode::BadStateAttachment,
                format!("{} is not attached to {vpc_id} ({rule})", gw.id),
                &set,
            );
            e.components.push((kind, comp(self.net(), &gw.id)));
            e.components.push(("Vpc", comp(self.net(), vpc_id)));
            e.fix = Some(format!("attach {} to {vpc_id}", gw.id));
            e
        })
    }

    /// Out through an egress-only internet gateway (C4.6): IPv6 only, no
    /// translation, outbound-initiated only. Its replies come back through
    /// it ([`Exit::Eigw`]); a reply to a connection the internet initiated
    /// (in through an IGW of the VPC) leaving through it is not analysed.
    pub(super) fn to_eigw(
        &self,
        mut trace: Trace,
        eigw_id: &str,
        vpc_id: &str,
        set: HeaderSet,
    ) -> Vec<Trace> {
        let Some(eigw) = self.net().egress_only_gateways.get(eigw_id) else {
            return self.unknown(trace, eigw_id, "egress-only internet gateway", &set);
        };
        let mut hop = self.hop(eigw_id, "egress-only internet gateway (egress)", &set);
        hop.inbound = self.keep(&set);
        hop.vpc = Some(vpc_id.to_string());
        trace.hops.push(hop);
        if self.mode == Mode::Return {
            let mut e = self.explanation(ExplanationCode::EgressOnlyIgwInboundInitiated, format!("the reply would leave through {eigw_id}, but the connection was initiated from outside: an egress-only internet gateway carries only connections its VPC initiates, and vpcreach does not analyse replies of inbound connections through it (C4.6)"), &set);
            e.components
                .push(("EgressOnlyInternetGateway", comp(self.net(), eigw_id)));
            e.fix = Some(format!("route the subnet's IPv6 replies to an internet gateway, or initiate the connection from inside {vpc_id}"));
            return self.stop(trace, e);
        }
        let set = self.attachment_gate(
            &mut trace,
            eigw,
            "EgressOnlyInternetGateway",
            vpc_id,
            "C4.6",
            set,
        );
        let (mut set, unknown) = self.bpa_gate(
            &mut trace,
            eigw_id,
            Gateway::EgressOnly,
            vpc_id,
            Direction::Egress,
            set,
        );
        if set.is_empty() && !unknown.is_empty() {
            return unknown;
        }
        // IPv6 only, from an IPv6 address of an attached ENI of the VPC.
        let before = set.clone();
        let passed = self.igw_snat(vpc_id, &set.restrict_src(&all_v6()));
        set = self.gate(&mut trace, &before, passed, || {
            let mut e = self.explanation(
                ExplanationCode::IgwPublicIpAssociationForEgress,
                format!("{eigw_id} carries only IPv6 from addresses of attached network interfaces of {vpc_id}; {} is not one (C4.6)", describe_addrs(&before.src_union())),
                &before,
            );
            e.components.push(("EgressOnlyInternetGateway", comp(self.net(), eigw_id)));
            e
        });
        if let Some(h) = trace.hops.last_mut() {
            h.outbound = set.clone();
        }
        let mut out = match &self.goal {
            Goal::External(_) if self.outside_may_be_ours() => {
                self.outside_unknown(trace, eigw_id, &set)
            }
            Goal::External(addrs) => {
                let arrived = set.restrict_dst(addrs);
                trace.reached = Some((
                    Exit::Eigw {
                        eigw: eigw_id.to_string(),
                        vpc: vpc_id.to_string(),
                    },
                    arrived,
                ));
                vec![trace]
            }
            _ => {
                let (trace, set) = match self.across_internet(trace, eigw_id, vpc_id, set) {
                    Ok(traces) => return traces,
                    Err(back) => back,
                };
                self.stop_with(trace, ExplanationCode::IgwNatReflection, || {
                    self.explanation(ExplanationCode::IgwNatReflection, format!("the path leaves through {eigw_id} towards {}, which is no address of the snapshot (C4.5)", describe_addrs(&set.dst_union())), &set)
                })
            }
        };
        out.extend(unknown);
        out
    }

    /// Rewrite private sources to their public addresses; drop the others.
    /// IPv6 sources of attached ENIs pass unchanged (identity mappings).
    pub(super) fn igw_snat(&self, vpc_id: &str, set: &HeaderSet) -> HeaderSet {
        let mut out = HeaderSet::empty();
        let srcs = set.src_union();
        for (private, public) in self.topo.public_mappings_of_vpc(vpc_id) {
            if !srcs.contains(private) {
                continue;
            }
            let only = AddrSet::from_iter([private..=private]);
            for c in set.restrict_src(&only).cubes() {
                out.push(Cube {
                    src: AddrSet::from_iter([public..=public]),
                    ..c.clone()
                });
            }
        }
        out
    }

    pub(super) fn enter_from_internet(
        &self,
        mut trace: Trace,
        igw_id: &str,
        set: HeaderSet,
    ) -> Vec<Trace> {
        let Some(igw) = self.net().internet_gateways.get(igw_id) else {
            return self.unknown(trace, igw_id, "internet gateway", &set);
        };
        let mut hop = self.hop(igw_id, "internet gateway (ingress)", &set);
        hop.inbound = self.keep(&set);
        trace.hops.push(hop);
        let Some(vpc_id) = igw
            .attachments
            .iter()
            .find(|(_, s)| s.is_attached())
            .map(|(v, _)| v.clone())
        else {
            let mut e = self.explanation(
                ExplanationCode::BadStateAttachment,
                format!("{igw_id} is not attached to any VPC (C4.1)"),
                &set,
            );
            e.components
                .push(("InternetGateway", comp(self.net(), igw_id)));
            return self.stop(trace, e);
        };
        let mut set = set;
        for (range, code) in [
            (
                rfc1918(),
                ExplanationCode::IgwSourceAddressNotInRfc1918Ingress,
            ),
            (
                rfc6598(),
                ExplanationCode::IgwSourceAddressNotInRfc6598Ingress,
            ),
        ] {
            let before = set.clone();
            let after = set.restrict_src(&(all_addrs() - &range));
            set = self.gate(&mut trace, &before, after, || {
                let mut e = self.explanation(
                    code,
                    format!(
                        "{igw_id} drops inbound traffic from private address {} (C4.4)",
                        describe_addrs(&before.src_union())
                    ),
                    &before,
                );
                e.components
                    .push(("InternetGateway", comp(self.net(), igw_id)));
                e
            });
        }
        // Public → private (C4.3).
        let mut translated = HeaderSet::empty();
        let dsts = set.dst_union();
        for (private, public, attached) in self.topo.public_mappings_of_vpc_detailed(&vpc_id) {
            if !dsts.contains(public) || !attached {
                continue;
            }
            let only = AddrSet::from_iter([public..=public]);
            for c in set.restrict_dst(&only).cubes() {
                translated.push(Cube {
                    dst: AddrSet::from_iter([private..=private]),
                    ..c.clone()
                });
            }
        }
        let before = set.clone();
        // When blocked, go on with the addresses as they are so that later
        // blockers (NACL, SG) on the private side are still found.
        set = self.gate(&mut trace, &before, translated, || {
            let mut e = self.explanation(
                ExplanationCode::IgwPrivateIpAssociationForIngress,
                format!("{} is not a public address of an attached network interface in {vpc_id}, so {igw_id} drops inbound traffic to it (C4.3)", describe_addrs(&before.dst_union())),
                &before,
            );
            e.components.push(("InternetGateway", comp(self.net(), igw_id)));
            e.components.push(("Vpc", comp(self.net(), &vpc_id)));
            e.fix = Some("give the destination a public IPv4 address (Elastic IP or auto-assigned)".into());
            e
        });
        let (set, unknown) = self.bpa_gate(
            &mut trace,
            igw_id,
            Gateway::Internet,
            &vpc_id,
            Direction::Ingress,
            set,
        );
        if set.is_empty() && !unknown.is_empty() {
            return unknown;
        }
        if let Some(h) = trace
            .hops
            .iter_mut()
            .rev()
            .find(|h| h.component.id == igw_id)
        {
            h.outbound = set.clone();
            h.vpc = Some(vpc_id.clone());
        }
        let mut out = match self.topo.gateway_route_table(igw_id) {
            Some(rt) => self.route(trace, rt, &vpc_id, None, set),
            None => self.deliver_local(trace, &vpc_id, set, None),
        };
        out.extend(unknown);
        out
    }
}
