//! Elastic Load Balancing (aws-vpc-semantics.md C9): `path` to a load
//! balancer and through it to its targets.
//!
//! A load balancer is a set of nodes, one network interface per enabled
//! subnet (described `ELB app/<name>/<id>`, `ELB net/<name>/<id>` or
//! `ELB <classic-name>`). A question about it is two ordinary walks of the
//! `path` engine per node and target, composed here:
//!
//! 1. client → node ENI (subnet routing, NACLs, the node's SGs, IGW and a
//!    public address for internet-facing LBs), narrowed to what some
//!    listener accepts (protocol and port, C9.1);
//! 2. node ENI → target on the target's **registered** port (C9.1), with the
//!    node's private address as the source (ALB and CLB, C9.2) or the
//!    client's (NLB client-IP preservation, C9.3), within the AZ rules
//!    (enabled AZs, cross-zone, C9.4). Each leg has its return path; with a
//!    preserved client address the reply goes back through the NLB, so only
//!    the NACLs on the way are checked, not the target's routes.
//!
//! Target health is ignored, as Reachability Analyzer does (C9.6), but shown.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use crate::analysis::endpoint::{self, Endpoint, EndpointError};
use crate::analysis::path;
use crate::analysis::rules;
use crate::analysis::*;
use crate::model::*;
use crate::packet::*;
use crate::topology::Topology;

/// The load balancer a node interface belongs to, by its description.
pub fn lb_of_eni<'n>(net: &'n Network, eni: &NetworkInterface) -> Option<&'n LoadBalancer> {
    let d = eni.description.as_deref()?;
    if !d.starts_with("ELB ") {
        return None;
    }
    net.load_balancers
        .values()
        .find(|lb| lb.vpc_id == eni.vpc_id && lb.eni_description() == d)
}

/// One node of a load balancer: its subnet, and its interface when the
/// snapshot has it.
#[derive(Clone, Debug)]
pub struct Node<'n> {
    pub zone: &'n LbZone,
    pub eni: Option<&'n NetworkInterface>,
}

pub fn nodes<'n>(net: &'n Network, lb: &'n LoadBalancer) -> Vec<Node<'n>> {
    let desc = lb.eni_description();
    lb.zones
        .iter()
        .map(|zone| Node {
            zone,
            eni: net.network_interfaces.values().find(|e| {
                e.subnet_id == zone.subnet_id && e.description.as_deref() == Some(desc.as_str())
            }),
        })
        .collect()
}

/// A `--destination` that names a load balancer: its ARN, its name, or one
/// of its nodes (interface id, private or public address). The second
/// value restricts the question to that node.
pub fn resolve<'n>(
    topo: &Topology<'n>,
    reference: &str,
) -> Result<Option<(&'n LoadBalancer, Option<String>)>, EndpointError> {
    let net = topo.net;
    if let Some(lb) = net.load_balancers.get(reference) {
        return Ok(Some((lb, None)));
    }
    if reference.starts_with("arn:aws:elasticloadbalancing:") {
        return Err(EndpointError::NotInSnapshot {
            reference: reference.into(),
            hint: "the snapshot has no such load balancer (aws elbv2 describe-load-balancers)"
                .into(),
        });
    }
    let named: Vec<&LoadBalancer> = net
        .load_balancers
        .values()
        .filter(|lb| lb.name == reference)
        .collect();
    match named.len() {
        0 => {}
        1 => return Ok(Some((named[0], None))),
        _ => {
            return Err(EndpointError::Unsupported {
                reference: reference.into(),
                message: format!(
                    "several load balancers have this name; name one by ARN: {}",
                    named
                        .iter()
                        .map(|l| l.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            })
        }
    }
    let eni = if reference.starts_with("eni-") {
        net.network_interfaces.get(reference)
    } else if let Ok(ip) = reference.parse::<Ipv4Addr>() {
        let addr = addr_of(ip);
        topo.private_owners_anywhere(addr)
            .first()
            .copied()
            .or_else(|| {
                topo.public_owner(addr)
                    .and_then(|(owner, _)| net.network_interfaces.get(owner))
            })
    } else {
        None
    };
    Ok(eni.and_then(|e| lb_of_eni(net, e).map(|lb| (lb, Some(e.id.clone())))))
}

/// The answer for a load balancer destination.
#[derive(Clone, Debug)]
pub struct LbAnalysis {
    pub query: PathQuery,
    pub source: ComponentRef,
    pub load_balancer: ComponentRef,
    pub kind: LbKind,
    pub internet_facing: bool,
    /// Leg 1, one per node evaluated.
    pub to_lb: Vec<NodeLeg>,
    /// Leg 2, one per (node, listener, target).
    pub to_targets: Vec<TargetLeg>,
    /// Blockers of the load balancer itself (listeners, state).
    pub explanations: Vec<Explanation>,
    pub notes: Vec<String>,
    /// AWS additional-detail codes for what had to be assumed
    /// (`MISSING_TARGET_GROUP_ATTRIBUTES`, `ASSUMPTION_PRESERVE_CLIENT_IP_IS_*`).
    pub additional_details: Vec<&'static str>,
    /// The verdict is about reaching a listener only (`--lb-only`).
    pub lb_only: bool,
}

#[derive(Clone, Debug)]
pub struct NodeLeg {
    pub node: ComponentRef,
    pub zone: String,
    pub analysis: PathAnalysis,
    /// Client traffic each listener accepts from this node's leg 1.
    pub listeners: Vec<(String, HeaderSet)>,
}

#[derive(Clone, Debug)]
pub struct TargetLeg {
    pub node: ComponentRef,
    pub listener: String,
    pub target_group: Option<ComponentRef>,
    pub target: ComponentRef,
    /// The target's network interface (empty when it is not in the snapshot).
    pub target_eni: String,
    /// The registered port the load balancer sends to.
    pub port: u16,
    pub zone: Option<String>,
    pub health: Option<String>,
    pub client_ip_preserved: bool,
    /// The node → target walk; `None` when an LB rule stops it before.
    pub analysis: Option<PathAnalysis>,
    /// LB rules that stop this leg (AZ, cross-zone, CLB NACL, preservation).
    pub explanations: Vec<Explanation>,
    /// Client traffic (as the client sends it) that reaches this target.
    pub admitted: HeaderSet,
}

impl TargetLeg {
    pub fn reached(&self) -> bool {
        !self.admitted.is_empty()
    }

    /// The load balancer as one hop between the two legs (listener → target group).
    pub fn lb_hop(&self, lb: &ComponentRef) -> Hop {
        let role = format!(
            "load balancer: listener {} → {}{} port {}",
            self.listener,
            self.target_group
                .as_ref()
                .map(|g| format!("{} → ", g.name.as_deref().unwrap_or(&g.id)))
                .unwrap_or_default(),
            self.target.id,
            self.port
        );
        Hop {
            blocked: !self.reached(),
            ..Hop::new(lb.clone(), role, self.admitted.clone())
        }
    }
}

impl LbAnalysis {
    pub fn reaches_lb(&self) -> bool {
        self.to_lb
            .iter()
            .any(|l| l.listeners.iter().any(|(_, s)| !s.is_empty()))
    }
    pub fn path_found(&self) -> bool {
        if self.lb_only {
            self.reaches_lb()
        } else {
            self.to_targets.iter().any(TargetLeg::reached)
        }
    }
    /// What the verdict is about: client traffic reaching targets, or with
    /// `--lb-only` reaching a listener.
    pub fn admitted_or_lb(&self) -> HeaderSet {
        if !self.lb_only {
            return self.admitted();
        }
        let mut out = HeaderSet::empty();
        for n in &self.to_lb {
            for (_, s) in &n.listeners {
                out.extend(s.clone());
            }
        }
        out
    }
    /// Client traffic that reaches some target.
    pub fn admitted(&self) -> HeaderSet {
        let mut out = HeaderSet::empty();
        for t in &self.to_targets {
            out.extend(t.admitted.clone());
        }
        out
    }
}

fn expl(code: &'static str, message: String, blocked: &HeaderSet) -> Explanation {
    Explanation::new(code, message, blocked)
}

fn cref(net: &Network, id: &str) -> ComponentRef {
    ComponentRef {
        id: id.to_string(),
        name: net
            .name_of(id)
            .map(str::to_string)
            .or_else(|| net.load_balancers.get(id).map(|l| l.name.clone()))
            .or_else(|| net.target_groups.get(id).map(|t| t.name.clone())),
    }
}

/// IP protocols an ELB protocol name carries.
fn protocols_of(p: Option<&str>) -> ProtoSet {
    match p.unwrap_or("").to_ascii_uppercase().as_str() {
        "UDP" | "GENEVE" => ProtoSet::from_iter([PROTO_UDP..=PROTO_UDP]),
        "TCP_UDP" => ProtoSet::from_iter([PROTO_TCP..=PROTO_TCP, PROTO_UDP..=PROTO_UDP]),
        // HTTP, HTTPS, TCP, TLS, SSL
        _ => ProtoSet::from_iter([PROTO_TCP..=PROTO_TCP]),
    }
}

fn listener_label(l: &LbListener) -> String {
    match (&l.protocol, l.port) {
        (Some(p), Some(port)) => format!("{p}:{port}"),
        _ => l.id.clone(),
    }
}

fn listener_cube(l: &LbListener) -> Option<Cube> {
    let port = l.port?;
    Some(Cube {
        proto: protocols_of(l.protocol.as_deref()),
        dport: port_range(port, port),
        ..Cube::everything()
    })
}

fn attr<'a>(map: Option<&'a BTreeMap<String, String>>, key: &str) -> Option<&'a str> {
    map.and_then(|m| m.get(key)).map(String::as_str)
}

/// Cross-zone load balancing (C9.4): ALB always; NLB/GWLB from the target
/// group attribute, else the load balancer's, else off. Classic: from
/// nothing we read, so off (the conservative answer). The note says what
/// was assumed.
fn cross_zone(lb: &LoadBalancer, tg: Option<&TargetGroup>) -> (bool, Option<String>) {
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
                None => (false, Some(format!("MISSING_TARGET_GROUP_ATTRIBUTES: the cross-zone attribute of {} is not in the snapshot; assumed off (the AWS default for {} load balancers)", lb.name, lb.kind.as_str()))),
            }
        }
    }
}

/// NLB client-IP preservation (C9.3): on by default except for IP targets
/// of TCP/TLS groups; always on for UDP/TCP_UDP; the target group
/// attribute `preserve_client_ip.enabled` decides where allowed.
fn preserve_client_ip(lb: &LoadBalancer, tg: Option<&TargetGroup>) -> (bool, Option<String>) {
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
                "ASSUMPTION_PRESERVE_CLIENT_IP_IS_ENABLED"
            } else {
                "ASSUMPTION_PRESERVE_CLIENT_IP_IS_DISABLED"
            };
            (default, Some(format!("{code}: the attributes of target group {} are not in the snapshot (aws elbv2 describe-target-group-attributes); client-IP preservation assumed {} (the default for {} targets over {proto})", tg.name, if default { "on" } else { "off" }, tg.target_type)))
        }
    }
}

/// A target resolved to an interface in the snapshot.
struct Resolved<'n> {
    eni: &'n NetworkInterface,
    instance: Option<String>,
    ip: Ipv4Addr,
    zone: Option<String>,
}

fn resolve_target<'n>(
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
                    "target instance {} is not in the snapshot (UNKNOWN_RESOURCE)",
                    t.id
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

/// Answer `path --source SRC --destination <load balancer>`.
pub fn analyze(
    topo: &Topology,
    query: &PathQuery,
    lb: &LoadBalancer,
    only_node: Option<&str>,
    lb_only: bool,
) -> Result<LbAnalysis, EndpointError> {
    analyze_within(topo, query, lb, only_node, lb_only, &Cube::everything())
}

/// [`analyze`] with the client's traffic narrowed to `within` (audit scopes).
pub fn analyze_within(
    topo: &Topology,
    query: &PathQuery,
    lb: &LoadBalancer,
    only_node: Option<&str>,
    lb_only: bool,
    within: &Cube,
) -> Result<LbAnalysis, EndpointError> {
    let net = topo.net;
    let src = endpoint::resolve(topo, &query.source, query.source_ip)?;
    let mut out = LbAnalysis {
        query: query.clone(),
        source: ComponentRef {
            id: query.source.clone(),
            name: net.name_of(&query.source).map(str::to_string),
        },
        load_balancer: cref(net, &lb.id),
        kind: lb.kind,
        internet_facing: lb.internet_facing,
        to_lb: Vec::new(),
        to_targets: Vec::new(),
        explanations: Vec::new(),
        notes: vec!["target health is ignored, as Reachability Analyzer does (C9.6); it is shown beside each target".into()],
        lb_only,
        additional_details: Vec::new(),
    };
    let lb_component = ("LoadBalancerArn", cref(net, &lb.id));
    if lb.state != "active" && lb.state != "active_impaired" {
        let mut e = expl(
            "BAD_STATE",
            format!("load balancer {} is {}, not active", lb.name, lb.state),
            &HeaderSet::empty(),
        );
        e.components.push(lb_component);
        out.explanations.push(e);
        return Ok(out);
    }
    if lb.kind == LbKind::Gateway {
        out.notes.push(format!("{} is a Gateway Load Balancer: it is reached through its endpoints (GENEVE, UDP/6081 to its targets); GWLB listeners are not modelled as a destination (PATH_THROUGH_GWLB_NOT_CHECKED)", lb.name));
        let mut e = expl(
            "UNSUPPORTED_COMPONENT",
            format!(
                "Gateway Load Balancer {} as a destination is not modelled; not a verdict",
                lb.name
            ),
            &HeaderSet::empty(),
        );
        e.components.push(lb_component);
        out.explanations.push(e);
        return Ok(out);
    }
    if !lb.internet_facing
        && matches!(
            src,
            Endpoint::External { .. } | Endpoint::InternetGateway(_)
        )
    {
        out.notes.push(format!("{} is internal: its nodes have no public address, so it is not reachable from the internet", lb.name));
    }
    let listeners: Vec<(&LbListener, Cube)> = lb
        .listeners
        .iter()
        .filter_map(|l| listener_cube(l).map(|c| (l, c)))
        .collect();
    for l in &lb.listeners {
        if let LbAction::Other(kind) = &l.action {
            out.notes.push(format!("listener {} of {} answers with `{kind}`, not forward: nothing is sent to targets (listener rules other than the default forward action are not modelled)", listener_label(l), lb.name));
        }
    }
    if lb.kind != LbKind::Classic {
        out.notes.push("ELBV2 listener rules other than the default action (host/path conditions) are not modelled: only the default forward action is followed".into());
    }
    let enabled_zones: Vec<&str> = lb.zones.iter().map(|z| z.zone.as_str()).collect();
    let mut mismatch_reported = false;
    for node in nodes(net, lb) {
        let Some(eni) = node.eni else {
            out.notes.push(format!("the node of {} in {} ({}) has no network interface in the snapshot (describe-network-interfaces, description \"{}\"): its address is not guessed and it is not evaluated", lb.name, node.zone.subnet_id, node.zone.zone, lb.eni_description()));
            continue;
        };
        if only_node.is_some_and(|n| n != eni.id) {
            continue;
        }
        let Some(node_ip) = eni.primary_ip() else {
            continue;
        };
        let dst = Endpoint::Eni {
            eni: eni.id.clone(),
            instance: None,
            addrs: ip_set(node_ip),
        };
        let initial = path::initial_set(topo, query, &src, &dst).intersect_cube(within);
        let mut to_listeners = HeaderSet::empty();
        for (_, c) in &listeners {
            to_listeners.extend(initial.intersect_cube(c));
        }
        if to_listeners.is_empty() {
            if !mismatch_reported {
                mismatch_reported = true;
                let code = if lb.kind == LbKind::Classic {
                    "ELB_LISTENERS_MISMATCH"
                } else {
                    "ELBV2_LISTENERS_MISMATCH"
                };
                let have: Vec<String> = lb.listeners.iter().map(listener_label).collect();
                let mut e = expl(
                    code,
                    format!(
                        "{} has no listener for {} (listeners: {})",
                        lb.name,
                        path::describe_protocols(&initial),
                        if have.is_empty() {
                            "none".into()
                        } else {
                            have.join(", ")
                        }
                    ),
                    &initial,
                );
                e.components.push(lb_component.clone());
                e.fix = Some(format!(
                    "ask about a listener's protocol and port, or add a listener to {}",
                    lb.name
                ));
                out.explanations.push(e);
            }
            continue;
        }
        let leg1 = path::analyze_endpoints(topo, query, &src, &dst, to_listeners);
        let node_ref = cref(net, &eni.id);
        let mut per_listener = Vec::new();
        for (l, c) in &listeners {
            let part = leg1.admitted.intersect_cube(c);
            per_listener.push((listener_label(l), part.clone()));
            if part.is_empty() {
                continue;
            }
            for leg in forward(
                topo,
                lb,
                &node,
                eni,
                node_ip,
                l,
                &part,
                &enabled_zones,
                &mut out.notes,
                &mut out.explanations,
            ) {
                out.to_targets.push(leg);
            }
        }
        out.to_lb.push(NodeLeg {
            node: node_ref,
            zone: node.zone.zone.clone(),
            analysis: leg1,
            listeners: per_listener,
        });
    }
    if out.to_lb.is_empty() && out.explanations.is_empty() {
        let mut e = expl(
            "NO_PATH",
            format!(
                "no node of {} could be evaluated (no node interface in the snapshot{})",
                lb.name,
                if only_node.is_some() {
                    " matching the destination"
                } else {
                    ""
                }
            ),
            &HeaderSet::empty(),
        );
        e.components.push(lb_component);
        out.explanations.push(e);
    }
    out.notes.sort();
    out.notes.dedup();
    // Notes that state an assumption start with AWS's additional-detail code.
    const DETAILS: [&str; 3] = [
        "MISSING_TARGET_GROUP_ATTRIBUTES",
        "ASSUMPTION_PRESERVE_CLIENT_IP_IS_ENABLED",
        "ASSUMPTION_PRESERVE_CLIENT_IP_IS_DISABLED",
    ];
    for code in DETAILS {
        if out.notes.iter().any(|n| n.starts_with(code)) {
            out.additional_details.push(code);
        }
    }
    Ok(out)
}

/// The (target group, target, registered port) a listener forwards to.
fn targets_of<'n>(
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
                    notes.push(format!("target group {arn} of listener {} is not in the snapshot (aws elbv2 describe-target-groups); its targets are unknown (UNKNOWN_RESOURCE)", listener_label(l)));
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
fn forward(
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
            "ELBV2_LISTENER_HAS_NO_TG",
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
        let base = |code: &'static str, message: String| {
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
                "ELB_INSTALLED_AZ_RESTRICTION",
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
                let mut e = base("ELB_NOT_CROSSZONE", format!("cross-zone load balancing is off on {}: its node {} in {} sends only to targets in {}, and {} is in {tz}", lb.name, node_eni.id, node.zone.zone, node.zone.zone, t.id));
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
                    && e.code == "ENI_SG_RULES_MISMATCH"
            }) {
                let sg = e
                    .components
                    .iter()
                    .find(|(f, _)| *f == "SecurityGroups")
                    .map(|(_, c)| c.id.clone())
                    .unwrap_or_default();
                e.fix = Some(format!("add an ingress rule to {sg} allowing {} from the load balancer's security group {} (the load balancer connects from its own private addresses, C9.2)", path::describe_protocols(&set), lb.security_groups.join(", ")));
            }
        }
        if preserve {
            through_nlb_return(topo, node_eni, r.eni, &mut a2);
            if a2.explanations.iter().any(|e| {
                !e.on_return_path
                    && e.direction == Some(Direction::Ingress)
                    && matches!(e.code, "ENI_SG_RULES_MISMATCH" | "SG_HAS_NO_RULES")
            }) {
                let mut e = base("ELBV2_SOURCE_ADDRESS_PRESERVATION", format!("{} preserves the client address towards {}: the target's security groups see {} and must allow it, not the load balancer", lb.name, t.id, path::describe_addrs(&part.src_union())));
                e.fix = Some(format!(
                    "allow {} on port {port} in a security group of {}",
                    path::describe_addrs(&part.src_union()),
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
                    let mut e = base("ELB_ACL_RESTRICTION", format!("{} outbound denies {} from {} to {} (a classic load balancer applies its subnet's outbound NACL even to a target in the same subnet)", acl.id, path::describe_protocols(&set), node_eni.id, t.id));
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
fn through_nlb_return(
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
                    "SUBNET_ACL_RESTRICTION",
                    format!(
                        "{} {} denies the replies {} (return path through the load balancer)",
                        acl.id,
                        if egress { "outbound" } else { "inbound" },
                        path::describe_protocols(&reply)
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
