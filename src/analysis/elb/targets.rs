//! Leg 2 of a load balancer question (C9.1–C9.4): the targets a listener
//! forwards to, each resolved to an interface, and the node → target walk
//! on the registered port, with the node's address or the client's
//! (client-IP preservation, C9.3), within the AZ and cross-zone rules, and
//! the reply back through an NLB that preserved the client address.
//!
//! Owns: target resolution and the node → target leg. Must not know: how
//! the client reached the node (leg 1, `elb`), or how a leg is reported.

use std::net::Ipv4Addr;

use super::{attr, cref, expl, listener_label, protocols_of, Node, TargetLeg};
use crate::analysis::codes::ExplanationCode;
use crate::analysis::describe::{describe_addrs, describe_protocols};
use crate::analysis::endpoint::Endpoint;
use crate::analysis::path;
use crate::analysis::rules;
use crate::analysis::*;
use crate::model::*;
use crate::packet::*;
use crate::topology::Topology;

/// Cross-zone load balancing (C9.4): ALB always; NLB/GWLB from the target
/// group attribute, else the load balancer's, else off. Classic: from
/// nothing we read, so off (the conservative answer). The note says what
/// was assumed.
pub(super) fn cross_zone(lb: &LoadBalancer, tg: Option<&TargetGroup>) -> (bool, Option<String>) {
    const KEY: &str = "load_balancing.cross_zone.enabled";
    match lb.kind {
        LbKind::Application => (true, None),
        LbKind::Classic => (false, Some(format!("cross-zone load balancing of classic load balancer {} is not in the snapshot (aws elb describe-load-balancer-attributes); assumed off, so a node reaches only targets in its own AZ", lb.name))),
        LbKind::Network | LbKind::Gateway => {
            match attr(tg.and_then(|t| t.attributes.as_ref()), KEY) {
                Some("true") => return (true, None),
                Some("false") => return (false, None),
                _ => {}
            }
            match attr(lb.attributes.as_ref(), KEY) {
                Some(v) => (v == "true", None),
                None => (false, Some(format!("{}: the cross-zone attribute of {} is not in the snapshot; assumed off (the AWS default for {} load balancers)", ExplanationCode::MissingTargetGroupAttributes, lb.name, lb.kind.as_str()))),
            }
        }
    }
}

/// NLB client-IP preservation (C9.3): on by default except for IP targets
/// of TCP/TLS groups; always on for UDP/TCP_UDP; the target group
/// attribute `preserve_client_ip.enabled` decides where allowed.
pub(super) fn preserve_client_ip(
    lb: &LoadBalancer,
    tg: Option<&TargetGroup>,
) -> (bool, Option<String>) {
    if lb.kind != LbKind::Network {
        return (false, None);
    }
    let Some(tg) = tg else {
        return (false, None);
    };
    let proto = tg.protocol.as_deref().unwrap_or("").to_ascii_uppercase();
    if proto == "UDP" || proto == "TCP_UDP" {
        return (true, None);
    }
    let default = tg.target_type != "ip";
    match attr(tg.attributes.as_ref(), "preserve_client_ip.enabled") {
        Some(v) => (v == "true", None),
        None => {
            let code = if default {
                ExplanationCode::AssumptionPreserveClientIpIsEnabled
            } else {
                ExplanationCode::AssumptionPreserveClientIpIsDisabled
            };
            (default, Some(format!("{code}: the attributes of target group {} are not in the snapshot (aws elbv2 describe-target-group-attributes); client-IP preservation assumed {} (the default for {} targets over {proto})", tg.name, if default { "on" } else { "off" }, tg.target_type)))
        }
    }
}

/// A target resolved to an interface in the snapshot.
pub(super) struct Resolved<'n> {
    eni: &'n NetworkInterface,
    instance: Option<String>,
    ip: Ipv4Addr,
    zone: Option<String>,
}

pub(super) fn resolve_target<'n>(
    topo: &Topology<'n>,
    lb: &LoadBalancer,
    target_type: &str,
    t: &LbTarget,
) -> Result<Resolved<'n>, String> {
    let net = topo.net;
    let zone_of = |eni: &NetworkInterface| {
        eni.availability_zone.clone().or_else(|| {
            net.subnets
                .get(&eni.subnet_id)
                .and_then(|s| s.availability_zone.clone())
        })
    };
    match target_type {
        "instance" => {
            let inst = net.instances.get(&t.id).ok_or_else(|| {
                format!(
                    "target instance {} is not in the snapshot ({})",
                    t.id,
                    ExplanationCode::UnknownResource
                )
            })?;
            let eni = inst
                .network_interface_ids
                .first()
                .and_then(|e| net.network_interfaces.get(e))
                .ok_or_else(|| {
                    format!(
                        "the network interface of target {} is not in the snapshot",
                        t.id
                    )
                })?;
            let ip = eni
                .primary_ip()
                .ok_or_else(|| format!("target {} has no IPv4 address", t.id))?;
            Ok(Resolved {
                zone: zone_of(eni),
                eni,
                instance: Some(inst.id.clone()),
                ip,
            })
        }
        "ip" => {
            let ip: Ipv4Addr = t.id.parse().map_err(|_| {
                format!(
                    "IP target {} is not an IPv4 address (IPv6 is not modelled)",
                    t.id
                )
            })?;
            let eni = topo
                .private_owner(&lb.vpc_id, addr_of(ip))
                .or_else(|| topo.private_owners_anywhere(addr_of(ip)).first().copied())
                .ok_or_else(|| format!("IP target {ip} is not an address of any network interface in the snapshot (on premises or in an unlisted VPC); not evaluated"))?;
            let zone = match t.availability_zone.as_deref() {
                Some(z) if z != "all" => Some(z.to_string()),
                _ => zone_of(eni),
            };
            Ok(Resolved {
                zone,
                eni,
                instance: eni.attachment.as_ref().and_then(|a| a.instance_id.clone()),
                ip,
            })
        }
        other => Err(format!(
            "{other} targets ({}) are not modelled; not evaluated",
            t.id
        )),
    }
}

/// The (target group, target, registered port) a listener forwards to.
pub(super) fn targets_of<'n>(
    net: &'n Network,
    lb: &'n LoadBalancer,
    l: &LbListener,
    notes: &mut Vec<String>,
) -> Vec<(Option<&'n TargetGroup>, LbTarget, u16, String)> {
    let mut out = Vec::new();
    match &l.action {
        LbAction::Instances { protocol, port } => {
            for i in &lb.classic_instances {
                let t = LbTarget {
                    id: i.clone(),
                    port: Some(*port),
                    availability_zone: None,
                    health: None,
                };
                out.push((None, t, *port, protocol.clone()));
            }
        }
        LbAction::Forward(groups) => {
            for arn in groups {
                let Some(tg) = net.target_groups.get(arn) else {
                    notes.push(format!("target group {arn} of listener {} is not in the snapshot (aws elbv2 describe-target-groups); its targets are unknown ({})", listener_label(l), ExplanationCode::UnknownResource));
                    continue;
                };
                let Some(targets) = &tg.targets else {
                    notes.push(format!("the targets of {} are not in the snapshot (aws elbv2 describe-target-health, wrapped as LoadBalancerTargetHealth); not evaluated", tg.name));
                    continue;
                };
                for t in targets {
                    let Some(port) = t.port.or(tg.port) else {
                        notes.push(format!(
                            "target {} of {} has no port ({} target); not evaluated",
                            t.id, tg.name, tg.target_type
                        ));
                        continue;
                    };
                    out.push((
                        Some(tg),
                        t.clone(),
                        port,
                        tg.protocol.clone().unwrap_or_default(),
                    ));
                }
            }
        }
        LbAction::Other(_) => {}
    }
    out
}

/// Leg 2 for one node and listener: to every target the listener forwards to.
#[allow(clippy::too_many_arguments)]
pub(super) fn forward(
    topo: &Topology,
    lb: &LoadBalancer,
    node: &Node,
    node_eni: &NetworkInterface,
    node_ip: Ipv4Addr,
    l: &LbListener,
    part: &HeaderSet,
    enabled_zones: &[&str],
    notes: &mut Vec<String>,
    lb_explanations: &mut Vec<Explanation>,
) -> Vec<TargetLeg> {
    let net = topo.net;
    let targets = targets_of(net, lb, l, notes);
    let mut out = Vec::new();
    if targets.is_empty()
        && matches!(l.action, LbAction::Forward(_) | LbAction::Instances { .. })
        && !lb_explanations.iter().any(|e| e.message.contains(&l.id))
    {
        let mut e = expl(
            ExplanationCode::Elbv2ListenerHasNoTg,
            format!(
                "listener {} ({}) of {} forwards to no target the snapshot describes",
                listener_label(l),
                l.id,
                lb.name
            ),
            part,
        );
        e.components.push(("LoadBalancerArn", cref(net, &lb.id)));
        lb_explanations.push(e);
    }
    for (tg, t, port, tg_protocol) in targets {
        let mut leg = TargetLeg {
            node: cref(net, &node_eni.id),
            listener: listener_label(l),
            target_group: tg.map(|g| cref(net, &g.arn)),
            target: cref(net, &t.id),
            target_eni: String::new(),
            port,
            zone: None,
            health: t.health.clone(),
            client_ip_preserved: false,
            analysis: None,
            explanations: Vec::new(),
            admitted: HeaderSet::empty(),
        };
        let target_type = tg.map(|g| g.target_type.as_str()).unwrap_or("instance");
        let r = match resolve_target(topo, lb, target_type, &t) {
            Ok(r) => r,
            Err(msg) => {
                notes.push(msg);
                continue;
            }
        };
        leg.zone = r.zone.clone();
        leg.target_eni = r.eni.id.clone();
        let base = |code: ExplanationCode, message: String| {
            let mut e = expl(code, message, part);
            e.components.push(("LoadBalancerArn", cref(net, &lb.id)));
            if let Some(g) = tg {
                e.components
                    .push(("LoadBalancerTargetGroup", cref(net, &g.arn)));
            }
            e.components.push(("LoadBalancerTarget", cref(net, &t.id)));
            e
        };
        // C9.4: targets only in AZs enabled on the LB; without cross-zone, only
        // the node's own AZ. IP targets outside the VPC (`all`) take any node.
        let tz = r.zone.clone().unwrap_or_default();
        let any_zone = t.availability_zone.as_deref() == Some("all");
        if !any_zone && !enabled_zones.contains(&tz.as_str()) {
            let mut e = base(
                ExplanationCode::ElbInstalledAzRestriction,
                format!(
                    "target {} is in {tz}, which is not enabled on {} (enabled: {})",
                    t.id,
                    lb.name,
                    enabled_zones.join(", ")
                ),
            );
            e.fix = Some(format!("enable a subnet in {tz} on {}", lb.name));
            leg.explanations.push(e);
            out.push(leg);
            continue;
        }
        let (cz, cz_note) = cross_zone(lb, tg);
        if !any_zone && tz != node.zone.zone {
            notes.extend(cz_note);
            if !cz {
                let mut e = base(ExplanationCode::ElbNotCrosszone, format!("cross-zone load balancing is off on {}: its node {} in {} sends only to targets in {}, and {} is in {tz}", lb.name, node_eni.id, node.zone.zone, node.zone.zone, t.id));
                e.fix = Some("enable load_balancing.cross_zone.enabled (target group or load balancer attribute)".into());
                leg.explanations.push(e);
                out.push(leg);
                continue;
            }
        }
        let (preserve, p_note) = preserve_client_ip(lb, tg);
        notes.extend(p_note);
        leg.client_ip_preserved = preserve;
        let protos = protocols_of(Some(&tg_protocol));
        let cube = Cube {
            src: if preserve {
                part.src_union()
            } else {
                ip_set(node_ip)
            },
            dst: ip_set(r.ip),
            proto: protos.clone(),
            sport: if preserve {
                part.cubes()
                    .iter()
                    .fold(PortSet::new(), |acc, c| acc | &c.sport)
            } else {
                all_ports()
            },
            dport: port_range(port, port),
        };
        let set = HeaderSet::from_cube(cube);
        let q2 = PathQuery {
            source: node_eni.id.clone(),
            destination: t.id.clone(),
            protocol: ProtocolChoice::Number(protos.first().unwrap_or(PROTO_TCP)),
            dport: Some((port, port)),
            sport: None,
            source_ip: Some(node_ip.into()),
            destination_ip: Some(r.ip.into()),
        };
        let src2 = Endpoint::Eni {
            eni: node_eni.id.clone(),
            instance: None,
            addrs: ip_set(node_ip),
        };
        let dst2 = Endpoint::Eni {
            eni: r.eni.id.clone(),
            instance: r.instance.clone(),
            addrs: ip_set(r.ip),
        };
        let mut a2 = path::analyze_endpoints(topo, &q2, &src2, &dst2, set.clone());
        if !preserve && !lb.security_groups.is_empty() {
            // C9.2: the target sees the node's private address; the usual fix
            // names the load balancer's security group, not one node address.
            for e in a2.explanations.iter_mut().filter(|e| {
                !e.on_return_path
                    && e.direction == Some(Direction::Ingress)
                    && e.code == ExplanationCode::EniSgRulesMismatch
            }) {
                let sg = e
                    .components
                    .iter()
                    .find(|(f, _)| *f == "SecurityGroups")
                    .map(|(_, c)| c.id.clone())
                    .unwrap_or_default();
                e.fix = Some(format!("add an ingress rule to {sg} allowing {} from the load balancer's security group {} (the load balancer connects from its own private addresses, C9.2)", describe_protocols(&set), lb.security_groups.join(", ")));
            }
        }
        if preserve {
            through_nlb_return(topo, node_eni, r.eni, &mut a2);
            if a2.explanations.iter().any(|e| {
                !e.on_return_path
                    && e.direction == Some(Direction::Ingress)
                    && matches!(
                        e.code,
                        ExplanationCode::EniSgRulesMismatch | ExplanationCode::SgHasNoRules
                    )
            }) {
                let mut e = base(ExplanationCode::Elbv2SourceAddressPreservation, format!("{} preserves the client address towards {}: the target's security groups see {} and must allow it, not the load balancer", lb.name, t.id, describe_addrs(&part.src_union())));
                e.fix = Some(format!(
                    "allow {} on port {port} in a security group of {}",
                    describe_addrs(&part.src_union()),
                    t.id
                ));
                leg.explanations.push(e);
            }
        }
        // C9.5: a classic LB applies its subnet's outbound NACL even to a target in its own subnet.
        // The walk skips NACLs inside one subnet (C2.7); the classic LB does not.
        if lb.kind == LbKind::Classic && r.eni.subnet_id == node_eni.subnet_id {
            if let Some(acl) = topo.acl_of_subnet(&node_eni.subnet_id) {
                let v = rules::evaluate_acl(acl, true, &set);
                let mut hop = Hop::new(
                    cref(net, &acl.id),
                    "network ACL, outbound (classic load balancer, same subnet)".into(),
                    v.admitted.clone(),
                );
                hop.acl_rule = v
                    .allowed_by
                    .first()
                    .cloned()
                    .or_else(|| v.denied_by.first().map(|(e, _)| e.clone()));
                hop.subnet = Some(node_eni.subnet_id.clone());
                if v.admitted.is_empty() {
                    hop.blocked = true;
                    let mut e = base(ExplanationCode::ElbAclRestriction, format!("{} outbound denies {} from {} to {} (a classic load balancer applies its subnet's outbound NACL even to a target in the same subnet)", acl.id, describe_protocols(&set), node_eni.id, t.id));
                    e.direction = Some(Direction::Egress);
                    e.components.push(("Acl", cref(net, &acl.id)));
                    e.acl_rule = hop.acl_rule.clone();
                    a2.explanations.insert(0, e);
                    a2.forward_found = false;
                    a2.return_found = None;
                    a2.admitted = HeaderSet::empty();
                }
                // After the node's SG egress hop.
                let at = a2.forward.len().min(2);
                a2.forward.insert(at, hop);
            }
        }
        if a2.path_found() {
            leg.admitted = if preserve {
                part.restrict_src(&a2.admitted.src_union())
            } else {
                part.clone()
            };
        }
        leg.analysis = Some(a2);
        out.push(leg);
    }
    out
}

/// With the client's address preserved, the target replies to the client,
/// and the reply goes back through the NLB node (not by the target's route
/// table). Replace the walker's return path with the NACLs on the way:
/// the target subnet outbound, the node subnet inbound (C2.2).
pub(super) fn through_nlb_return(
    topo: &Topology,
    node: &NetworkInterface,
    target: &NetworkInterface,
    a: &mut PathAnalysis,
) {
    a.ret.clear();
    a.explanations.retain(|e| !e.on_return_path);
    a.notes.push(format!("client IP preserved: replies from {} return through the load balancer node {}, not by {}'s routes; only the network ACLs on the way are checked", target.id, node.id, target.id));
    if !a.forward_found {
        a.admitted = HeaderSet::empty();
        a.return_found = None;
        return;
    }
    let mut reply = a.arrived.reply();
    if target.subnet_id != node.subnet_id {
        for (subnet, egress) in [(&target.subnet_id, true), (&node.subnet_id, false)] {
            let Some(acl) = topo.acl_of_subnet(subnet) else {
                continue;
            };
            let v = rules::evaluate_acl(acl, egress, &reply);
            if v.admitted.is_empty() && !reply.is_empty() {
                let mut e = expl(
                    ExplanationCode::SubnetAclRestriction,
                    format!(
                        "{} {} denies the replies {} (return path through the load balancer)",
                        acl.id,
                        if egress { "outbound" } else { "inbound" },
                        describe_protocols(&reply)
                    ),
                    &reply,
                );
                e.on_return_path = true;
                e.direction = Some(if egress {
                    Direction::Egress
                } else {
                    Direction::Ingress
                });
                e.components.push(("Acl", cref(topo.net, &acl.id)));
                e.components.push(("Subnet", cref(topo.net, subnet)));
                a.explanations.push(e);
            }
            reply = v.admitted;
        }
    }
    a.return_found = Some(!reply.is_empty());
    a.admitted = reply.reply();
}
