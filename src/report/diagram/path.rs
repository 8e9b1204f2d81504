//! Diagrams of answers the analyses already gave: a path (forward and
//! return chains), a load-balancer answer (one branch per node and target),
//! an audit finding's representative path, a whatif change on both sides.
//!
//! Owns: which hop becomes which node and which blocker sits where. Must not
//! know: how a hop was decided (it only reads `Hop` and `Explanation`).

use super::model::{Diagram, NodeKind};
use crate::whatif::differential::ReachChange;
use crate::analysis::elb::LbAnalysis;
use crate::analysis::{ComponentRef, Explanation, Hop, PathAnalysis};
use crate::audit::Finding;
use crate::report::text::{hop_detail, name};

/// Target legs drawn for one load balancer; the rest are counted in one node.
pub const LB_LEGS_MAX: usize = 16;

/// A load balancer's ARN says less than its name and fills a label.
fn title(c: &ComponentRef) -> String {
    match &c.name {
        Some(n) if c.id.starts_with("arn:") => n.clone(),
        _ => name(c),
    }
}

fn hop_lines(h: &Hop) -> Vec<String> {
    let mut lines = vec![title(&h.component), h.role.clone()];
    let detail = hop_detail(h);
    if !detail.is_empty() {
        lines.push(detail);
    }
    lines
}

fn explanation_lines(e: &Explanation) -> Vec<String> {
    vec![format!("✗ {}", e.code), e.message.clone()]
}

/// Does the explanation name this hop's component?
fn names(e: &Explanation, h: &Hop) -> bool {
    e.components.iter().any(|(_, c)| c.id == h.component.id)
        || e.route_table_id.as_deref() == Some(h.component.id.as_str())
}

/// Draws `hops` as a chain in `cluster`, hangs each explanation on the
/// blocked hop it names (else the last blocked hop), and adds the ones that
/// name no hop as red nodes after the chain. Returns (first, last) node.
fn chain(
    d: &mut Diagram,
    hops: &[Hop],
    explanations: &[&Explanation],
    cluster: Option<usize>,
) -> Option<(usize, usize)> {
    chain_after(d, None, hops, explanations, cluster)
}

/// [`chain`], continuing from node `prev` when given.
fn chain_after(
    d: &mut Diagram,
    prev: Option<usize>,
    hops: &[Hop],
    explanations: &[&Explanation],
    cluster: Option<usize>,
) -> Option<(usize, usize)> {
    let mut placed = vec![false; explanations.len()];
    let mut ids: Vec<usize> = prev.into_iter().collect();
    let last_blocked = hops.iter().rposition(|h| h.blocked);
    for (k, h) in hops.iter().enumerate() {
        let mut lines = hop_lines(h);
        if h.blocked {
            for (i, e) in explanations.iter().enumerate() {
                let here =
                    names(e, h) || (Some(k) == last_blocked && !hops.iter().any(|o| names(e, o)));
                if !placed[i] && here {
                    placed[i] = true;
                    lines.push(format!("✗ {}", e.code));
                }
            }
        }
        let kind =
            if (k == 0 && is_end_hop(h, true)) || (k + 1 == hops.len() && is_end_hop(h, false)) {
                NodeKind::End
            } else if h.role.starts_with("load balancer") {
                NodeKind::LoadBalancer
            } else {
                NodeKind::Component
            };
        let id = d.node(kind, lines, cluster);
        d.nodes[id].blocked = h.blocked;
        if let Some(&prev) = ids.last() {
            d.edge(prev, id).blocked = h.blocked;
        }
        ids.push(id);
    }
    for (i, e) in explanations.iter().enumerate() {
        if placed[i] {
            continue;
        }
        let id = d.node(NodeKind::Component, explanation_lines(e), cluster);
        d.nodes[id].blocked = true;
        if let Some(&prev) = ids.last() {
            d.edge(prev, id).blocked = true;
        }
        ids.push(id);
    }
    Some((*ids.first()?, *ids.last()?))
}

fn side(a: &PathAnalysis, ret: bool) -> Vec<&Explanation> {
    a.explanations
        .iter()
        .filter(|e| e.on_return_path == ret)
        .collect()
}

fn verdict(found: bool) -> &'static str {
    if found {
        "REACHABLE"
    } else {
        "NOT REACHABLE"
    }
}

/// The two lanes of one analysis, labelled with `prefix` ("" or "before: ").
fn lanes(d: &mut Diagram, a: &PathAnalysis, prefix: &str) {
    let forward = d.cluster(format!(
        "{prefix}forward: {} → {}",
        a.source.id, a.destination.id
    ));
    if a.forward.is_empty() {
        // No hop was walked (an end is unknown): the blockers stand between the ends.
        let s = d.node(NodeKind::End, vec![name(&a.source)], Some(forward));
        let (_, last) =
            chain_after(d, Some(s), &[], &side(a, false), Some(forward)).unwrap_or((s, s));
        let t = d.node(NodeKind::End, vec![name(&a.destination)], Some(forward));
        d.edge(last, t).blocked = !a.forward_found;
        return;
    }
    with_ends(
        d,
        &a.forward,
        &side(a, false),
        forward,
        (&a.source, &a.destination),
    );
    let ret = side(a, true);
    if !a.ret.is_empty() || !ret.is_empty() {
        let back = d.cluster(format!(
            "{prefix}return: {} → {}",
            a.destination.id, a.source.id
        ));
        with_ends(d, &a.ret, &ret, back, (&a.destination, &a.source));
    }
}

/// A hop that is an end's own network interface, by the role the walk gave it.
fn is_end_hop(h: &Hop, first: bool) -> bool {
    let marks: &[&str] = if first {
        &["(source)", "(reply leaves)"]
    } else {
        &["(destination)", "(reply arrives)"]
    };
    marks.iter().any(|m| h.role.contains(m))
}

/// [`chain`], with the ends (the internet, an address) drawn as nodes where
/// no hop is the end's own interface; the far end only when nothing blocked.
fn with_ends(
    d: &mut Diagram,
    hops: &[Hop],
    explanations: &[&Explanation],
    cluster: usize,
    (from, to): (&ComponentRef, &ComponentRef),
) {
    let start = match hops.first() {
        Some(h) if is_end_hop(h, true) => None,
        _ => Some(d.node(NodeKind::End, vec![name(from)], Some(cluster))),
    };
    let ends = chain_after(d, start, hops, explanations, Some(cluster));
    let clean = explanations.is_empty() && !hops.iter().any(|h| h.blocked);
    match (hops.last(), ends) {
        (Some(h), Some((_, last))) if clean && !is_end_hop(h, false) => {
            let t = d.node(NodeKind::End, vec![name(to)], Some(cluster));
            d.edge(last, t);
        }
        _ => {}
    }
}

pub fn path(a: &PathAnalysis) -> Diagram {
    let mut d = Diagram::new(format!(
        "{} → {}: {}",
        name(&a.source),
        name(&a.destination),
        verdict(a.path_found())
    ));
    lanes(&mut d, a, "");
    d
}

pub fn load_balancer(a: &LbAnalysis) -> Diagram {
    let mut d = Diagram::new(format!(
        "{} → load balancer {}: {}",
        name(&a.source),
        a.load_balancer
            .name
            .as_deref()
            .unwrap_or(&a.load_balancer.id),
        verdict(a.path_found())
    ));
    if !a.explanations.is_empty() {
        let c = d.cluster("load balancer");
        let all: Vec<&Explanation> = a.explanations.iter().collect();
        let lb = d.node(
            NodeKind::LoadBalancer,
            vec![name(&a.load_balancer)],
            Some(c),
        );
        d.nodes[lb].blocked = true;
        let (first, _) = chain(&mut d, &[], &all, Some(c)).unwrap_or((lb, lb));
        if first != lb {
            d.edge(lb, first).blocked = true;
        }
    }
    let mut legs_drawn = 0;
    for n in &a.to_lb {
        let c = d.cluster(format!("to node {} ({})", n.node.id, n.zone));
        let ends = chain(
            &mut d,
            &n.analysis.forward,
            &side(&n.analysis, false),
            Some(c),
        );
        if !n.analysis.ret.is_empty() {
            let back = d.cluster(format!("return from node {}", n.node.id));
            chain(
                &mut d,
                &n.analysis.ret,
                &side(&n.analysis, true),
                Some(back),
            );
        }
        for t in a.to_targets.iter().filter(|t| t.node.id == n.node.id) {
            if legs_drawn == LB_LEGS_MAX {
                break;
            }
            legs_drawn += 1;
            let c = d.cluster(format!(
                "{} → {}:{} via {}",
                n.node.id, t.target.id, t.port, t.listener
            ));
            let mut hops = vec![t.lb_hop(&a.load_balancer)];
            let mut expl: Vec<&Explanation> = t.explanations.iter().collect();
            if let Some(an) = &t.analysis {
                hops.extend(an.forward.iter().cloned());
                expl.extend(side(an, false));
            }
            if let (Some((first, _)), Some((_, last))) =
                (chain(&mut d, &hops, &expl, Some(c)), ends)
            {
                d.edge(last, first).blocked = !t.reached();
            }
        }
    }
    if a.to_targets.len() > legs_drawn {
        let more = a.to_targets.len() - legs_drawn;
        d.node(
            NodeKind::Elided,
            vec![
                format!("+{more} more target legs"),
                "see --format json".into(),
            ],
            None,
        );
    }
    d
}

/// An audit finding: its representative path, with how many pairs it stands for.
pub fn finding(f: &Finding, traffic: &str) -> Diagram {
    let mut d = Diagram::new(format!("{}: {traffic}", f.id));
    let c = d.cluster(format!(
        "representative of {} pair(s): {} source(s) → {} destination(s)",
        f.pair_count(),
        f.sources.len(),
        f.destinations.len()
    ));
    chain(&mut d, &f.components, &[], Some(c));
    d
}

/// A whatif change: the side where the traffic passes and the side where it
/// is blocked, labelled before/after.
pub fn change(x: &ReachChange, gained: bool) -> Diagram {
    let mut d = Diagram::new(format!(
        "{} {} → {}: {}",
        if gained { "gained" } else { "lost" },
        x.source.id,
        x.destination.id,
        x.summary.join(", ")
    ));
    let (pass, block) = if gained {
        ("after: ", "before: ")
    } else {
        ("before: ", "after: ")
    };
    if let Some(b) = &x.blocked {
        lanes(&mut d, b, block);
    }
    lanes(&mut d, &x.passing, pass);
    d
}
