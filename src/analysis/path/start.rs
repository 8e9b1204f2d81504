//! Where a walk begins: one start per kind of source endpoint (an ENI, an
//! outside address, a gateway, a transit gateway attachment), the AWS
//! services an ENI reaches unfiltered (C1.9, C2.9), and where a reply
//! begins for each way the forward walk ended ([`Exit`]).
//!
//! Owns: the mapping from source endpoint / exit to the first step. Must not
//! know: what the steps after the first do.

use super::walk::*;
use crate::analysis::codes::ExplanationCode;
use crate::analysis::describe::*;
use crate::analysis::endpoint::{
    attachment_addrs, aws_service_addrs, aws_service_ports, endpoint_vpc, entering_through_igw,
    tgw_attachments_of, Endpoint,
};
use crate::packet::*;

impl<'t, 'n> Walk<'t, 'n> {
    pub(super) fn start(&self, src: &Endpoint, dst: &Endpoint, set: HeaderSet) -> Vec<Trace> {
        let trace = Trace {
            hops: Hops {
                v: Vec::new(),
                on: self.record,
            },
            ..Trace::default()
        };
        match src {
            Endpoint::Eni { eni, .. }
                if self
                    .net()
                    .network_interfaces
                    .get(eni)
                    .is_some_and(|e| e.interface_type == "vpc_endpoint") =>
            {
                let mut e = self.explanation(ExplanationCode::VpceIntraVpcTraffic, format!("{eni} belongs to an interface VPC endpoint, which cannot initiate connections; ask about the reverse direction (C8.2)"), &set);
                e.components
                    .push(("NetworkInterface", comp(self.net(), eni)));
                if let Some(vpce) = self
                    .net()
                    .vpc_endpoints
                    .values()
                    .find(|v| v.network_interface_ids.contains(eni))
                {
                    e.components
                        .push(("VpcEndpoint", comp(self.net(), &vpce.id)));
                }
                self.stop(trace, e)
            }
            Endpoint::Eni { eni, .. } => {
                let services = self
                    .topo
                    .net
                    .network_interfaces
                    .get(eni)
                    .map(|e| aws_service_addrs(self.net(), &e.vpc_id))
                    .unwrap_or_default();
                // Only when the question names a service address: packets to
                // it never reach an IGW, but `internet` must not be answered
                // by the metadata service either.
                let asked = matches!(&self.goal, Goal::External(a) if !a.is_empty() && a.is_subset(&services));
                let to_service = set.restrict_dst(&services);
                if !asked || to_service.is_empty() {
                    return self.eni_out(trace, eni, set, false);
                }
                let rest = set.subtract(&to_service);
                let mut out = self.to_aws_service(trace.clone(), eni, to_service);
                if !rest.is_empty() {
                    out.extend(self.eni_out(trace, eni, rest, false));
                }
                out
            }
            Endpoint::External { label, .. } if !entering_through_igw(src) => {
                // A private outside address: on premises, behind a VGW.
                let vpc = endpoint_vpc(self.topo, dst);
                let vgw = vpc
                    .as_deref()
                    .and_then(|v| self.topo.vgws_of_vpc(v).first().map(|g| g.id.clone()));
                match vgw {
                    Some(vgw) => self.enter_from_vgw(trace, &vgw, set),
                    None => {
                        let mut e = self.explanation(
                            ExplanationCode::NoPath,
                            format!("{label} is a private address outside the snapshot's VPCs; it could only enter through a VPN gateway or transit gateway, and the destination's VPC has no VPN gateway attached"),
                            &set,
                        );
                        if let Some(v) = vpc {
                            e.components.push(("Vpc", comp(self.net(), &v)));
                        }
                        self.stop(trace, e)
                    }
                }
            }
            Endpoint::VpnGateway(vgw) => self.enter_from_vgw(trace, vgw, set),
            Endpoint::GatewayEndpoint(id) => {
                let mut e = self.explanation(
                    ExplanationCode::NoPath,
                    format!("the service behind gateway endpoint {id} does not initiate connections into the VPC (C8.1); ask about the reverse direction"),
                    &set,
                );
                e.components.push(("VpcEndpoint", comp(self.net(), id)));
                self.stop(trace, e)
            }
            Endpoint::TgwAttachment(id) => match self.net().tgw_attachments.get(id) {
                Some(att) => self.enter_tgw_through(trace, att, set),
                None => self.unknown(trace, id, "transit gateway attachment", &set),
            },
            // A bare TGW as the source: traffic entering it through any of
            // its attachments, each with the addresses behind it.
            Endpoint::TransitGateway(id) => {
                let mut out = Vec::new();
                for att in tgw_attachments_of(self.net(), id) {
                    let part = set.restrict_src(&attachment_addrs(self.net(), &att.id));
                    if !part.is_empty() {
                        out.extend(self.enter_tgw_through(trace.clone(), att, part));
                    }
                }
                if out.is_empty() {
                    return self.unknown(trace, id, "attachment of transit gateway", &set);
                }
                out
            }
            Endpoint::External { label, .. } => {
                let vpc = endpoint_vpc(self.topo, dst);
                let igw = vpc
                    .as_deref()
                    .and_then(|v| self.topo.igws_of_vpc(v).first().map(|g| g.id.clone()));
                match (igw, vpc) {
                    (Some(igw), _) => self.enter_from_internet(trace, &igw, set),
                    (None, Some(vpc)) => {
                        // A route names an IGW the snapshot lacks: unknown, not absent.
                        if let Some(missing) = self.missing_igw_of_vpc(&vpc) {
                            return self.unknown(trace, &missing, "internet gateway", &set);
                        }
                        let mut out = Vec::new();
                        let mut set = set;
                        // IPv6 initiated from the internet: an egress-only
                        // gateway never lets it in (C4.6).
                        if let Some(eigw) = self.topo.eigws_of_vpc(&vpc).first() {
                            let v6 = set.restrict_src(&all_v6());
                            if !v6.is_empty() {
                                set = set.restrict_src(&all_v4());
                                let mut t = trace.clone();
                                t.hops.push(self.hop(
                                    &eigw.id,
                                    "egress-only internet gateway (ingress)",
                                    &v6,
                                ));
                                let mut e = self.explanation(ExplanationCode::EgressOnlyIgwInboundInitiated, format!("{label} can send IPv6 into {vpc} only through an internet gateway; {} is egress-only: it carries connections the VPC initiates and their replies, never connections initiated from the internet (C4.6)", eigw.id), &v6);
                                e.components.push((
                                    "EgressOnlyInternetGateway",
                                    comp(self.net(), &eigw.id),
                                ));
                                e.components.push(("Vpc", comp(self.net(), &vpc)));
                                e.fix = Some(format!("attach an internet gateway to {vpc} to accept IPv6 from the internet"));
                                out.extend(self.stop(t, e));
                            }
                        }
                        if !set.is_empty() {
                            let mut e = self.explanation(ExplanationCode::NoPath, format!("{label} can enter {vpc} only through an internet gateway, and none is attached to it"), &set);
                            e.components.push(("Vpc", comp(self.net(), &vpc)));
                            out.extend(self.stop(trace, e));
                        }
                        out
                    }
                    (None, None) => {
                        let e = self.explanation(
                            ExplanationCode::NoPath,
                            "both ends are outside every VPC in the snapshot".into(),
                            &set,
                        );
                        self.stop(trace, e)
                    }
                }
            }
            Endpoint::InternetGateway(igw) => self.enter_from_internet(trace, igw, set),
            Endpoint::Peering(pcx) => match endpoint_vpc(self.topo, dst) {
                Some(vpc) => {
                    let mut trace = trace;
                    trace
                        .hops
                        .push(self.hop(pcx, "VPC peering connection (entry)", &set));
                    self.deliver_local(trace, &vpc, set, None)
                }
                None => {
                    let e = self.explanation(
                        ExplanationCode::NoPath,
                        format!(
                            "traffic from {pcx} can only reach resources inside a VPC it joins"
                        ),
                        &set,
                    );
                    self.stop(trace, e)
                }
            },
            Endpoint::NatGateway(nat) => {
                let mut e = self.explanation(
                    ExplanationCode::NoPath,
                    format!("{nat} cannot initiate connections (C5.3)"),
                    &set,
                );
                e.components.push(("NatGateway", comp(self.net(), nat)));
                self.stop(trace, e)
            }
        }
    }

    /// Traffic from an ENI to the Route 53 Resolver (VPC+2), instance
    /// metadata (169.254.169.254) or Amazon Time Sync (169.254.169.123):
    /// no security group (C1.9), network ACL (C2.9) or route is involved;
    /// the service answers on its own port only.
    pub(super) fn to_aws_service(
        &self,
        mut trace: Trace,
        eni_id: &str,
        set: HeaderSet,
    ) -> Vec<Trace> {
        let Some(eni) = self.net().network_interfaces.get(eni_id) else {
            return self.unknown(trace, eni_id, "network interface", &set);
        };
        let mut hop = self.hop(&eni.id, "network interface (source)", &set);
        hop.inbound = self.keep(&set);
        hop.subnet = Some(eni.subnet_id.clone());
        hop.vpc = Some(eni.vpc_id.clone());
        trace.hops.push(hop);
        let set = self.state_checks(&mut trace, eni, set);
        let mut served = HeaderSet::empty();
        for (addrs, proto, port) in aws_service_ports(self.net(), &eni.vpc_id) {
            served.extend(set.intersect_cube(&Cube {
                dst: addrs,
                proto: ProtoSet::from_iter([proto..=proto]),
                dport: port_range(port, port),
                ..Cube::everything()
            }));
        }
        trace.hops.push(self.hop(
            &describe_addrs(&set.dst_union()),
            "AWS service (not filtered by security groups or network ACLs, C1.9, C2.9)",
            &served,
        ));
        let before = set.clone();
        let set = self.gate(&mut trace, &before, served, || {
            self.explanation(ExplanationCode::NoPath, format!("{} is an AWS service address (Route 53 Resolver: tcp/udp 53, instance metadata: tcp/80, Amazon Time Sync: udp/123); nothing answers {}", describe_addrs(&before.dst_union()), describe_protocols(&before)), &before)
        });
        match &self.goal {
            Goal::External(addrs) => {
                let arrived = set.restrict_dst(addrs);
                trace.reached = Some((
                    Exit::Service {
                        eni: eni.id.clone(),
                    },
                    arrived,
                ));
                vec![trace]
            }
            _ => {
                let e = self.explanation(
                    ExplanationCode::NoPath,
                    "the traffic goes to an AWS service address, not to the destination".into(),
                    &set,
                );
                self.stop(trace, e)
            }
        }
    }

    pub(super) fn start_return(
        &self,
        exit: &Exit,
        forward: &Trace,
        reply: HeaderSet,
    ) -> Vec<Trace> {
        let trace = Trace {
            nat_bindings: forward.nat_bindings.clone(),
            forward_exits: forward.tgw_exits.clone(),
            forward_internet_exits: forward.internet_exits.clone(),
            forward_middleboxes: forward.visited_appliances.clone(),
            hops: Hops {
                v: Vec::new(),
                on: self.record,
            },
            ..Trace::default()
        };
        match exit {
            Exit::Eni(eni) => self.eni_out(trace, eni, reply, false),
            Exit::Igw(igw) => self.enter_from_internet(trace, igw, reply),
            Exit::Eigw { eigw, vpc } => {
                // Stateful: replies to what went out come back in (C4.6).
                let mut trace = trace;
                let mut hop = self.hop(eigw, "egress-only internet gateway (reply)", &reply);
                hop.vpc = Some(vpc.clone());
                trace.hops.push(hop);
                self.deliver_local(trace, vpc, reply, None)
            }
            Exit::Vgw(vgw) => self.enter_from_vgw(trace, vgw, reply),
            Exit::Vpce { vpce, vpc } => {
                let mut trace = trace;
                trace
                    .hops
                    .push(self.hop(vpce, "gateway endpoint (reply)", &reply));
                self.deliver_local(trace, vpc, reply, None)
            }
            Exit::Pcx { pcx, from_vpc } => {
                let mut trace = trace;
                trace
                    .hops
                    .push(self.hop(pcx, "VPC peering connection (reply)", &reply));
                self.deliver_local(trace, from_vpc, reply, None)
            }
            Exit::NoReturn => Vec::new(),
            Exit::Service { eni } => {
                let mut trace = trace;
                trace.hops.push(self.hop(
                    eni,
                    "network interface (reply from the AWS service arrives)",
                    &reply,
                ));
                trace.reached = Some((Exit::Eni(eni.clone()), reply));
                vec![trace]
            }
        }
    }
}
