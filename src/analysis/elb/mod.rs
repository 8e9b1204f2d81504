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
//!
//! Owns: resolving a load balancer destination, leg 1 (client → node,
//! narrowed by listeners) and composing the legs into [`LbAnalysis`]; leg 2
//! lives in `targets`. Must not know: how a hop is walked (that is `path`),
//! or how the answer is printed.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use crate::analysis::codes::ExplanationCode;
use crate::analysis::describe::describe_protocols;
use crate::analysis::endpoint::{self, Endpoint, EndpointError};
use crate::analysis::path;
use crate::analysis::*;
use crate::model::*;
use crate::packet::*;
use crate::topology::{lb_of_eni, Topology};
use targets::forward;

mod targets;

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
    pub additional_details: Vec<ExplanationCode>,
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

fn expl(code: ExplanationCode, message: String, blocked: &HeaderSet) -> Explanation {
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
            ExplanationCode::BadState,
            format!("load balancer {} is {}, not active", lb.name, lb.state),
            &HeaderSet::empty(),
        );
        e.components.push(lb_component);
        out.explanations.push(e);
        return Ok(out);
    }
    if lb.kind == LbKind::Gateway {
        out.notes.push(format!("{} is a Gateway Load Balancer: it is reached through its endpoints (GENEVE, UDP/6081 to its targets); GWLB listeners are not modelled as a destination ({})", lb.name, ExplanationCode::PathThroughGwlbNotChecked));
        let mut e = expl(
            ExplanationCode::UnsupportedComponent,
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
        let initial = endpoint::initial_set(topo, query, &src, &dst).intersect_cube(within);
        let mut to_listeners = HeaderSet::empty();
        for (_, c) in &listeners {
            to_listeners.extend(initial.intersect_cube(c));
        }
        if to_listeners.is_empty() {
            if !mismatch_reported {
                mismatch_reported = true;
                let code = if lb.kind == LbKind::Classic {
                    ExplanationCode::ElbListenersMismatch
                } else {
                    ExplanationCode::Elbv2ListenersMismatch
                };
                let have: Vec<String> = lb.listeners.iter().map(listener_label).collect();
                let mut e = expl(
                    code,
                    format!(
                        "{} has no listener for {} (listeners: {})",
                        lb.name,
                        describe_protocols(&initial),
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
            ExplanationCode::NoPath,
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
    const DETAILS: [ExplanationCode; 3] = [
        ExplanationCode::MissingTargetGroupAttributes,
        ExplanationCode::AssumptionPreserveClientIpIsEnabled,
        ExplanationCode::AssumptionPreserveClientIpIsDisabled,
    ];
    for code in DETAILS {
        if out.notes.iter().any(|n| n.starts_with(code.as_str())) {
            out.additional_details.push(code);
        }
    }
    Ok(out)
}
