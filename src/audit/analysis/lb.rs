//! Scope paths through load balancers (`ThroughResources` naming
//! `AWS::ElasticLoadBalancingV2::LoadBalancer`,
//! `AWS::ElasticLoadBalancing::LoadBalancer` or a load balancer's ARN /
//! classic name): the source reaches a listener, the load balancer reaches
//! a target (C9). Each pair is one `path --destination <load balancer>`
//! question ([`crate::analysis::elb`]), so the audit agrees with `path`.
//! The traffic is the client's: its destination is the load balancer's
//! address and port, not the target's.

use std::collections::BTreeMap;

use super::*;
use crate::analysis::elb;
use crate::analysis::{PathQuery, ProtocolChoice};

/// Does the statement name load balancers (by type or by id)?
fn names_lb(net: &Network, st: &ResourceStatement) -> bool {
    st.types.as_ref().is_some_and(|t| {
        t.iter().any(|t| {
            matches!(
                t,
                ResourceType::LoadBalancerV2 | ResourceType::ClassicLoadBalancer
            )
        })
    }) || st
        .resources
        .as_ref()
        .is_some_and(|ids| ids.iter().any(|id| net.load_balancers.contains_key(id)))
}

/// Does the statement match this load balancer?
fn matches_lb(st: &ResourceStatement, lb: &LoadBalancer) -> bool {
    let by_type = st.types.as_ref().is_none_or(|types| {
        types.iter().any(|t| match t {
            ResourceType::LoadBalancerV2 => lb.kind != LbKind::Classic,
            ResourceType::ClassicLoadBalancer => lb.kind == LbKind::Classic,
            _ => false,
        })
    });
    let by_id = st.resources.as_ref().is_none_or(|ids| ids.contains(&lb.id));
    let by_tag = st
        .tags
        .as_ref()
        .is_none_or(|tags| tags.iter().all(|(k, v)| k == "Name" && *v == lb.name));
    by_type && by_id && by_tag
}

/// Does scope path `p` select paths through `lb` (every `Through` statement
/// about load balancers matches it, and there is no other)?
fn through_lb(net: &Network, p: &Resolved, lb: &LoadBalancer) -> bool {
    !p.through.is_empty()
        && p.through
            .iter()
            .all(|st| names_lb(net, st) && matches_lb(st, lb))
}

/// Findings for scope paths through load balancers, and warnings for the
/// paths that mix them with other `Through` statements (not evaluated).
pub(super) fn findings(
    topo: &Topology,
    ends: &[End],
    matches: &[Resolved],
    excludes: &[Resolved],
    (src_profile, dst_profile): (&[Vec<bool>], &[Vec<bool>]),
    json_paths: &[&str],
    warnings: &mut Vec<String>,
) -> Vec<Finding> {
    let net = topo.net;
    let index: HashMap<&str, usize> = ends
        .iter()
        .enumerate()
        .map(|(i, e)| (e.id.as_str(), i))
        .collect();
    let mut found: BTreeMap<(usize, usize), (HeaderSet, Vec<Hop>)> = BTreeMap::new();
    for (m, (p, json_path)) in matches.iter().zip(json_paths).enumerate() {
        let lb_statements = p.through.iter().filter(|st| names_lb(net, st)).count();
        if lb_statements == 0 {
            continue;
        }
        if lb_statements != p.through.len() {
            warnings.push(format!("{}: paths through a load balancer and another resource are not evaluated; this path matches nothing through load balancers", json_path));
            continue;
        }
        for lb in net.load_balancers.values() {
            if !through_lb(net, p, lb) {
                continue;
            }
            let own: Vec<String> = elb::nodes(net, lb)
                .iter()
                .filter_map(|n| n.eni.map(|e| e.id.clone()))
                .collect();
            for (i, e) in ends.iter().enumerate() {
                if !src_profile[i][m] || own.contains(&e.id) {
                    continue;
                }
                let in_vpc = match e.kind {
                    Kind::Eni => true,
                    Kind::Igw => net
                        .internet_gateways
                        .get(&e.id)
                        .is_some_and(|g| g.attachments.iter().any(|(v, _)| *v == lb.vpc_id)),
                    // Other ends (peerings, …) are not sources through load balancers.
                    _ => false,
                };
                if !in_vpc {
                    continue;
                }
                let mut within = p.cube.clone();
                if e.kind != Kind::Eni {
                    if let Some(a) = &p.src_addrs {
                        within.src = a.clone();
                    }
                }
                let q = PathQuery {
                    source: e.id.clone(),
                    destination: lb.id.clone(),
                    protocol: ProtocolChoice::All,
                    dport: None,
                    sport: None,
                    source_ip: None,
                    destination_ip: None,
                };
                let Ok(a) = elb::analyze_within(topo, &q, lb, None, false, &within) else {
                    continue;
                };
                for leg in a.to_targets.iter().filter(|t| t.reached()) {
                    let Some(&j) = index.get(leg.target_eni.as_str()) else {
                        continue;
                    };
                    if !dst_profile[j][m] {
                        continue;
                    }
                    let mut traffic = leg.admitted.clone();
                    for (x, ex) in excludes.iter().enumerate() {
                        let k = matches.len() + x;
                        if src_profile[i][k] && dst_profile[j][k] && through_lb(net, ex, lb) {
                            traffic = traffic.subtract_cube(&ex.cube);
                        }
                    }
                    if traffic.is_empty() {
                        continue;
                    }
                    let entry = found.entry((i, j)).or_insert_with(|| {
                        let mut hops = a
                            .to_lb
                            .iter()
                            .find(|n| n.node.id == leg.node.id)
                            .map(|n| n.analysis.forward.clone())
                            .unwrap_or_default();
                        hops.push(leg.lb_hop(&a.load_balancer));
                        if let Some(w) = &leg.analysis {
                            hops.extend(w.forward.iter().cloned());
                        }
                        (HeaderSet::empty(), hops)
                    });
                    entry.0.extend(traffic);
                }
            }
        }
    }
    let mut out: Vec<Finding> = found
        .into_iter()
        .map(|((i, j), (traffic, hops))| {
            let src_eni = ends[i].kind == Kind::Eni;
            let t = traffic.map_cubes(|c| Cube {
                src: if src_eni {
                    families_of(&c.src)
                } else {
                    c.src.clone()
                },
                ..c.clone()
            });
            let mut f = Finding {
                id: String::new(),
                sources: vec![ends[i].id.clone()],
                destinations: vec![ends[j].id.clone()],
                traffic: canon::cubes_of(&canon::canonical(&t)),
                source_is_eni: src_eni,
                destination_is_eni: false,
                components: hops,
            };
            f.id = finding_id(&f);
            f
        })
        .collect();
    out.sort_by(|a, b| {
        a.sources
            .cmp(&b.sources)
            .then_with(|| a.destinations.cmp(&b.destinations))
    });
    out
}
