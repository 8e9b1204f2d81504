//! VPC endpoints as route targets (C8): gateway endpoints (S3, DynamoDB:
//! protocol, state, sources inside the VPC) and Gateway Load Balancer
//! endpoints (inspection not analysed, the traffic follows the endpoint
//! subnet's routes).
//!
//! Owns: the endpoint step. Must not know: the service behind the endpoint
//! (its addresses come from `endpoint`).

use super::walk::*;
use crate::analysis::codes::ExplanationCode;
use crate::analysis::describe::*;
use crate::model::*;
use crate::packet::*;

impl<'t, 'n> Walk<'t, 'n> {
    pub(super) fn to_vpce(
        &self,
        mut trace: Trace,
        vpce_id: &str,
        vpc_id: &str,
        set: HeaderSet,
    ) -> Vec<Trace> {
        let net = self.net();
        let Some(vpce) = net.vpc_endpoints.get(vpce_id) else {
            return self.unknown(trace, vpce_id, "VPC endpoint", &set);
        };
        match vpce.kind {
            EndpointKind::Gateway => {
                let mut hop = self.hop(vpce_id, "gateway endpoint", &set);
                hop.vpc = Some(vpc_id.to_string());
                trace.hops.push(hop);
                // TCP only (and ICMP echo), C8.1.
                let allowed = {
                    let mut h = HeaderSet::empty();
                    h.push(Cube {
                        proto: ProtoSet::from_iter([PROTO_TCP..=PROTO_TCP]),
                        ..Cube::everything()
                    });
                    h.push(Cube {
                        proto: ProtoSet::from_iter([PROTO_ICMP..=PROTO_ICMP]),
                        sport: port_range(8, 8),
                        ..Cube::everything()
                    });
                    h
                };
                let before = set.clone();
                let after = allowed
                    .cubes()
                    .iter()
                    .fold(HeaderSet::empty(), |mut acc, c| {
                        acc.extend(set.intersect_cube(c));
                        acc
                    });
                let set = self.gate(&mut trace, &before, after, || {
                    let mut e = self.explanation(
                        ExplanationCode::VpceGatewayProtocolRestriction,
                        format!(
                            "{vpce_id} ({}) carries only TCP and ICMP echo (C8.1)",
                            vpce.service_name
                        ),
                        &before,
                    );
                    e.components.push(("VpcEndpoint", comp(net, vpce_id)));
                    e
                });
                if vpce.state != "available" && !vpce.state.is_empty() {
                    let mut e = self.explanation(
                        ExplanationCode::BadState,
                        format!("{vpce_id} is {}", vpce.state),
                        &set,
                    );
                    e.components.push(("VpcEndpoint", comp(net, vpce_id)));
                    return self.stop(trace, e);
                }
                // Not usable from outside the VPC: traffic that came over a
                // TGW, VPN or peering keeps its outside source (C8.1).
                let set = match net.vpcs.get(vpc_id) {
                    Some(vpc) => {
                        let before = set.clone();
                        let after = set.restrict_src(&nets_set(&vpc.cidrs));
                        self.gate(&mut trace, &before, after, || {
                            let mut e = self.explanation(ExplanationCode::NoPath, format!("{vpce_id} serves only sources inside {vpc_id}; {} is outside it (C8.1: gateway endpoints cannot be used over a transit gateway, VPN, Direct Connect or peering)", describe_addrs(&before.src_union())), &before);
                            e.components.push(("VpcEndpoint", comp(net, vpce_id)));
                            e
                        })
                    }
                    None => set,
                };
                let exit = Exit::Vpce {
                    vpce: vpce_id.to_string(),
                    vpc: vpc_id.to_string(),
                };
                match &self.goal {
                    Goal::External(addrs) => {
                        trace.reached = Some((exit, set.restrict_dst(addrs)));
                        vec![trace]
                    }
                    Goal::Vpce(goal) if goal == vpce_id => {
                        trace.reached = Some((exit, set));
                        vec![trace]
                    }
                    _ => {
                        let e = self.explanation(ExplanationCode::NoPath, format!("the route sends the traffic to {} through {vpce_id}, away from the destination", vpce.service_name), &set);
                        self.stop(trace, e)
                    }
                }
            }
            EndpointKind::GatewayLoadBalancer => {
                // Inspection behind the endpoint is not analysed (as AWS); the
                // traffic comes back to the endpoint and follows its subnet's routes.
                if let Err(e) = self.enter_middlebox(&mut trace, vpce_id, &set) {
                    return self.stop(trace, e);
                }
                let mut hop = self.hop(
                    vpce_id,
                    "Gateway Load Balancer endpoint (inspection not analysed)",
                    &set,
                );
                hop.vpc = Some(vpc_id.to_string());
                trace.hops.push(hop);
                self.note(format!("{}: traffic through {vpce_id} is assumed to come back unchanged from the appliances behind it", ExplanationCode::PathThroughGwlbNotChecked));
                trace.lost_sg_identity = true;
                match vpce.subnet_ids.first() {
                    Some(sn) => {
                        let sn = sn.clone();
                        match self.topo.route_table_of_subnet(&sn) {
                            Some(rt) => self.route(trace, rt, vpc_id, Some(&sn), set),
                            None => self.unknown(trace, &sn, "route table of subnet", &set),
                        }
                    }
                    None => self.unknown(trace, vpce_id, "subnet of endpoint", &set),
                }
            }
            _ => {
                let mut e = self.explanation(
                    ExplanationCode::UnsupportedComponent,
                    format!("a route targets {vpce_id}, an endpoint of a kind routes cannot use"),
                    &set,
                );
                e.components.push(("VpcEndpoint", comp(net, vpce_id)));
                self.stop(trace, e)
            }
        }
    }
}
