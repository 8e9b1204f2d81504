//! NAT gateways (C5): source NAT on the way out, reverse translation of
//! replies, their state, source-in-VPC and protocol restrictions, routing
//! loops through a NAT gateway.
//!
//! Owns: the NAT gateway step and its [`NatBinding`]s. Must not know: the
//! routes around it (the walk's `leave_subnet` routes what it sends).

use super::walk::*;
use crate::analysis::codes::ExplanationCode;
use crate::analysis::describe::*;
use crate::analysis::endpoint::nat_private_ip;
use crate::model::*;
use crate::packet::*;

impl<'t, 'n> Walk<'t, 'n> {
    pub(super) fn to_nat(
        &self,
        mut trace: Trace,
        nat_id: &str,
        from_subnet: Option<&str>,
        set: HeaderSet,
    ) -> Vec<Trace> {
        let Some(nat) = self.net().nat_gateways.get(nat_id) else {
            return self.unknown(trace, nat_id, "NAT gateway", &set);
        };
        if let Goal::Nat(goal) = &self.goal {
            if goal == nat_id {
                trace
                    .hops
                    .push(self.hop(nat_id, "NAT gateway (destination)", &set));
                trace.reached = Some((Exit::NoReturn, set));
                return vec![trace];
            }
        }
        if self.mode == Mode::Return {
            // Routed into a NAT gateway, the reply would leave with the
            // gateway's address as its source (C5.2): the client does not
            // take it as the reply to its connection.
            let mut e = self.explanation(
                ExplanationCode::NoPath,
                format!("the reply is routed into {nat_id}, which would rewrite its source to its own address (C5.2), so the source would not accept it as a reply; replies must not be routed through a NAT gateway"),
                &set,
            );
            e.components.push(("NatGateway", comp(self.net(), nat_id)));
            e.fix = Some(format!(
                "route {} back without {nat_id} (asymmetric routing)",
                describe_addrs(&set.dst_union())
            ));
            return self.stop(trace, e);
        }
        // A NAT gateway in a subnet whose table routes back to it (e.g. a
        // NAT placed in the private subnet it serves) would translate
        // forever: stop at the second visit.
        if trace.visited_appliances.iter().any(|v| v == nat_id) {
            let mut e = self.explanation(
                ExplanationCode::NoPath,
                format!("routing loop: the route table of {}'s subnet {} sends the traffic back to {nat_id}", nat_id, nat.subnet_id),
                &set,
            );
            e.components.push(("NatGateway", comp(self.net(), nat_id)));
            e.components
                .push(("Subnet", comp(self.net(), &nat.subnet_id)));
            return self.stop(trace, e);
        }
        if let Some(regional) = &nat.regional {
            return self.regional_nat(trace, nat, regional, from_subnet, set);
        }
        trace.visited_appliances.push(nat_id.to_string());
        let mut set = if from_subnet == Some(nat.subnet_id.as_str()) {
            set
        } else {
            self.acl_check(&mut trace, &nat.subnet_id, false, set)
        };
        let mut hop = self.hop(nat_id, "NAT gateway", &set);
        hop.inbound = self.keep(&set);
        hop.subnet = Some(nat.subnet_id.clone());
        hop.vpc = Some(nat.vpc_id.clone());
        trace.hops.push(hop);
        if nat.state != Lifecycle::Available {
            let before = set.clone();
            set = self.gate(&mut trace, &before, HeaderSet::empty(), || {
                let mut e = self.explanation(
                    ExplanationCode::BadState,
                    format!("{nat_id} is {}, not available (C5.6)", nat.state),
                    &before,
                );
                e.components.push(("NatGateway", comp(self.net(), nat_id)));
                e
            });
        }
        if let Some(vpc) = self.net().vpcs.get(&nat.vpc_id) {
            let before = set.clone();
            // Traffic from a transit gateway is accepted (centralised egress, C5.4).
            let after = if trace.crossed_tgw {
                set.clone()
            } else {
                set.restrict_src(&nets_set(&vpc.cidrs))
            };
            set = self.gate(&mut trace, &before, after, || {
                let mut e = self.explanation(ExplanationCode::NgwRequiresSourceInVpc, format!("{nat_id} forwards only traffic from its own VPC {}; {} is outside it (C5.4)", nat.vpc_id, describe_addrs(&before.src_union())), &before);
                e.components.push(("NatGateway", comp(self.net(), nat_id)));
                e
            });
        }
        let nat_protocols = Cube {
            proto: [
                PROTO_ICMP..=PROTO_ICMP,
                PROTO_TCP..=PROTO_TCP,
                PROTO_UDP..=PROTO_UDP,
            ]
            .into_iter()
            .collect(),
            ..Cube::everything()
        };
        let before = set.clone();
        let after = set.intersect_cube(&nat_protocols);
        set = self.gate(&mut trace, &before, after, || {
            let mut e = self.explanation(
                ExplanationCode::ProtocolRestriction,
                format!("{nat_id} carries only TCP, UDP and ICMP (C5.5)"),
                &before,
            );
            e.components.push(("NatGateway", comp(self.net(), nat_id)));
            e
        });
        let Some(nat_ip) = nat_private_ip(Some(nat)) else {
            let e = self.explanation(
                ExplanationCode::UnknownResource,
                format!("{nat_id} has no private address in the snapshot"),
                &set,
            );
            return self.stop(trace, e);
        };
        let binding = NatBinding {
            nat: nat_id.to_string(),
            original_src: set.src_union(),
            original_sport: set.cubes().iter().fold(PortSet::new(), |a, c| a | &c.sport),
        };
        trace.translations.push(Translation::Nat(binding.clone()));
        trace.nat_bindings.push(binding);
        let nat_src = ip_set(nat_ip);
        let tcp_udp: ProtoSet = [PROTO_TCP..=PROTO_TCP, PROTO_UDP..=PROTO_UDP]
            .into_iter()
            .collect();
        // Source NAT (C5.2): new source address, ephemeral source ports for TCP/UDP.
        set = set.map_cubes(|c| Cube {
            src: nat_src.clone(),
            ..c.clone()
        });
        let remapped = set
            .intersect_cube(&Cube {
                proto: tcp_udp.clone(),
                ..Cube::everything()
            })
            .map_cubes(|c| Cube {
                sport: port_range(1024, 65535),
                ..c.clone()
            });
        let mut translated = set.intersect_cube(&Cube {
            proto: all_protos() - &tcp_udp,
            ..Cube::everything()
        });
        translated.extend(remapped);
        if let Some(h) = trace.hops.last_mut() {
            h.outbound = translated.clone();
        }
        trace.lost_sg_identity = true;
        self.leave_subnet(trace, &nat.subnet_id, &nat.vpc_id, translated)
    }

    /// A regional NAT gateway (RNGW.1–RNGW.3): it takes traffic only from
    /// the AZs it has addresses in (REGIONAL_NGW_ROUTE_AZ_RESTRICTION);
    /// what it does beyond that (its own route table, per-AZ addresses) is
    /// not modelled, so a path it would take is unknown, never a guess.
    fn regional_nat(
        &self,
        trace: Trace,
        nat: &NatGateway,
        regional: &RegionalNat,
        from_subnet: Option<&str>,
        set: HeaderSet,
    ) -> Vec<Trace> {
        let net = self.net();
        let nat_id = nat.id.as_str();
        let subnet = from_subnet.and_then(|s| net.subnets.get(s));
        let az = subnet.and_then(|s| s.availability_zone.as_deref());
        let from = from_subnet.unwrap_or("its source");
        let (code, message) = match az {
            Some(az) if regional.zones.contains(az) => (
                ExplanationCode::UnknownResource,
                format!("{nat_id} is a regional NAT gateway serving {az} (RNGW.2), but how a regional NAT gateway forwards (its own route table, its per-AZ addresses) is not modelled (RNGW.3): the answer is unknown, not a verdict"),
            ),
            Some(az)
                if regional.auto_provision == Some(false)
                    && !regional.unnamed_zone
                    && !regional.pending_zones.contains(az) =>
            {
                let mut zones: Vec<&str> = regional.zones.iter().map(String::as_str).collect();
                if zones.is_empty() {
                    zones.push("none");
                }
                (
                    ExplanationCode::RegionalNgwRouteAzRestriction,
                    format!("regional NAT gateway {nat_id} (AutoProvisionZones disabled) has no address in {az}, the Availability Zone of {from}; it serves {} (RNGW.2)", zones.join(", ")),
                )
            }
            Some(az) => (
                ExplanationCode::UnknownResource,
                format!("regional NAT gateway {nat_id} lists no address in force in {az}, the Availability Zone of {from}, but {} (RNGW.2): whether it serves {az} (REGIONAL_NGW_ROUTE_AZ_RESTRICTION) is unknown", if regional.pending_zones.contains(az) { "one is being associated" } else if regional.unnamed_zone { "some of its addresses name no Availability Zone" } else { "AWS adds Availability Zones to it as subnets appear there (AutoProvisionZones not disabled)" }),
            ),
            None => (
                ExplanationCode::UnknownResource,
                format!("the Availability Zone of {from} is not in the snapshot, so whether regional NAT gateway {nat_id} serves it (REGIONAL_NGW_ROUTE_AZ_RESTRICTION, RNGW.2) is unknown"),
            ),
        };
        if code == ExplanationCode::UnknownResource {
            self.note(format!(
                "regional NAT gateway {nat_id}: paths through it are unknown (RNGW.2, RNGW.3)"
            ));
        }
        let mut e = self.explanation(code, message, &set);
        e.components.push(("NatGateway", comp(net, nat_id)));
        if let Some(s) = from_subnet {
            e.components.push(("Subnet", comp(net, s)));
        }
        if code == ExplanationCode::RegionalNgwRouteAzRestriction {
            e.fix = Some(format!(
                "associate an Elastic IP address in {} with {nat_id} (AvailabilityZoneAddresses), or enable AutoProvisionZones",
                az.unwrap_or("that Availability Zone")
            ));
        }
        self.stop(trace, e)
    }

    /// A packet addressed to a NAT gateway's own address: a reply to be
    /// translated back, or an unsolicited connection it drops (C5.3).
    pub(super) fn arrive_at_nat(
        &self,
        mut trace: Trace,
        nat: &NatGateway,
        set: HeaderSet,
    ) -> Vec<Trace> {
        if let Goal::Nat(goal) = &self.goal {
            if *goal == nat.id {
                trace
                    .hops
                    .push(self.hop(&nat.id, "NAT gateway (destination)", &set));
                trace.reached = Some((Exit::NoReturn, set));
                return vec![trace];
            }
        }
        let mut hop = self.hop(&nat.id, "NAT gateway (reply, reverse translation)", &set);
        hop.inbound = self.keep(&set);
        trace.hops.push(hop);
        let binding = trace
            .nat_bindings
            .iter()
            .rev()
            .find(|b| b.nat == nat.id)
            .cloned();
        let Some(binding) = binding.filter(|_| self.mode == Mode::Return) else {
            let mut e = self.explanation(ExplanationCode::NoPath, format!("{} accepts no connections from outside; only replies to connections it translated come back (C5.3)", nat.id), &set);
            e.components.push(("NatGateway", comp(self.net(), &nat.id)));
            return self.stop(trace, e);
        };
        let tcp_udp: ProtoSet = [PROTO_TCP..=PROTO_TCP, PROTO_UDP..=PROTO_UDP]
            .into_iter()
            .collect();
        let back = set.map_cubes(|c| {
            let mut c = Cube {
                dst: binding.original_src.clone(),
                ..c.clone()
            };
            if c.proto.is_subset(&tcp_udp) {
                c.dport = binding.original_sport.clone();
            }
            c
        });
        if let Some(h) = trace.hops.last_mut() {
            h.outbound = back.clone();
        }
        self.leave_subnet(trace, &nat.subnet_id, &nat.vpc_id, back)
    }
}
