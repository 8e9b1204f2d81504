//! The topology picture (`graph`): VPCs as boxes holding their subnets (AZ,
//! route table, network ACL), gateways at the VPC's edge, NAT gateways,
//! endpoints and load balancers inside, peerings and transit gateways
//! between VPCs, and an edge from each subnet to every gateway its route
//! table sends traffic to (labelled with the destinations).
//!
//! `--around ID` draws the VPC(s) of that resource in full and their peers
//! (by peering or a shared transit gateway) as single nodes, so a 200-VPC
//! estate still gives a readable picture; everything beyond the caps below
//! is counted in a dashed node.
//!
//! Owns: what the picture selects and how it groups resources. Must not
//! know: reachability (it reads configuration only, never walks a path).

use std::collections::{BTreeMap, BTreeSet};

use super::model::{Diagram, NodeKind};
use crate::model::{Network, RouteDestination, RouteTarget};
use crate::topology::Topology;

/// VPCs drawn in full when nothing is selected.
pub const FULL_VPCS_MAX: usize = 12;
/// Subnets drawn per VPC.
pub const SUBNETS_MAX: usize = 40;
/// Neighbour VPCs (peered, or on a shared TGW) drawn as single nodes.
pub const NEIGHBOURS_MAX: usize = 20;
/// Load balancers and endpoints drawn per VPC.
pub const EXTRAS_MAX: usize = 12;

#[derive(Clone, Debug, Default)]
pub struct Selection {
    pub vpcs: Vec<String>,
    pub around: Option<String>,
}

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum GraphError {
    #[error("--vpc {0}: no such VPC in the snapshot")]
    #[diagnostic(
        code(vpcreach::graph::vpc),
        help("list the VPCs with: jq -r '.Vpcs[].VpcId' <snapshot>/vpcs.json")
    )]
    UnknownVpc(String),
    #[error("--around {0}: no resource with this id in the snapshot")]
    #[diagnostic(
        code(vpcreach::graph::around),
        help("give an id of a VPC, subnet, ENI, instance, gateway, peering, transit gateway, endpoint, route table, network ACL, security group or load balancer (ARN or name)")
    )]
    UnknownResource(String),
}

/// The VPCs a resource sits in (a peering or TGW: the VPCs it joins).
fn vpcs_of(net: &Network, id: &str) -> Option<BTreeSet<String>> {
    let one = |v: &str| Some(BTreeSet::from([v.to_string()]));
    if net.vpcs.contains_key(id) {
        return one(id);
    }
    if let Some(s) = net.subnets.get(id) {
        return one(&s.vpc_id);
    }
    if let Some(e) = net.network_interfaces.get(id) {
        return one(&e.vpc_id);
    }
    if let Some(i) = net.instances.get(id) {
        return i.vpc_id.as_deref().and_then(one);
    }
    if let Some(n) = net.nat_gateways.get(id) {
        return one(&n.vpc_id);
    }
    if let Some(e) = net.vpc_endpoints.get(id) {
        return one(&e.vpc_id);
    }
    if let Some(r) = net.route_tables.get(id) {
        return one(&r.vpc_id);
    }
    if let Some(a) = net.network_acls.get(id) {
        return one(&a.vpc_id);
    }
    if let Some(g) = net.security_groups.get(id) {
        return g.vpc_id.as_deref().and_then(one);
    }
    if let Some(p) = net.peerings.get(id) {
        return Some(BTreeSet::from([
            p.requester.vpc_id.clone(),
            p.accepter.vpc_id.clone(),
        ]));
    }
    if let Some(g) = net
        .internet_gateways
        .get(id)
        .or_else(|| net.egress_only_gateways.get(id))
    {
        return Some(g.attachments.iter().map(|(v, _)| v.clone()).collect());
    }
    if let Some(g) = net.vpn_gateways.get(id) {
        return Some(g.attachments.iter().map(|(v, _)| v.clone()).collect());
    }
    if net.transit_gateways.contains_key(id) {
        let vpcs: BTreeSet<String> = net
            .tgw_attachments
            .values()
            .filter(|a| a.tgw_id == id)
            .filter_map(|a| a.vpc.as_ref().map(|v| v.vpc_id.clone()))
            .take(FULL_VPCS_MAX)
            .collect();
        return Some(vpcs);
    }
    net.load_balancers
        .values()
        .find(|lb| lb.id == id || lb.name == id)
        .and_then(|lb| one(&lb.vpc_id))
}

fn named(id: &str, name: Option<&str>) -> String {
    match name {
        Some(n) if !n.is_empty() => format!("{id} ({n})"),
        _ => id.to_string(),
    }
}

fn destination_text(d: &RouteDestination) -> String {
    match d {
        RouteDestination::Cidr(c) => c.to_string(),
        RouteDestination::PrefixList(p) | RouteDestination::Ipv6(p) => p.clone(),
    }
}

fn elided(d: &mut Diagram, what: String, cluster: Option<usize>, rank: usize) {
    let n = d.node(NodeKind::Elided, vec![what], cluster);
    d.nodes[n].rank = Some(rank);
}

// Columns, left to right: the resource looked at, subnets, things inside
// the VPC, the VPC's gateways, what lies beyond (internet, peerings, TGWs),
// neighbour VPCs.
const RANK_FOCUS: usize = 0;
const RANK_SUBNET: usize = 1;
const RANK_INSIDE: usize = 2;
const RANK_EDGE: usize = 3;
const RANK_BEYOND: usize = 4;
const RANK_NEIGHBOUR: usize = 5;

pub fn topology(topo: &Topology, sel: &Selection) -> Result<Diagram, GraphError> {
    let net = topo.net;
    for v in &sel.vpcs {
        if !net.vpcs.contains_key(v) {
            return Err(GraphError::UnknownVpc(v.clone()));
        }
    }
    let mut full: BTreeSet<String> = sel.vpcs.iter().cloned().collect();
    if let Some(id) = &sel.around {
        full.extend(vpcs_of(net, id).ok_or_else(|| GraphError::UnknownResource(id.clone()))?);
    }
    let selected = !full.is_empty();
    let mut hidden_vpcs = 0;
    if !selected {
        full.extend(net.vpcs.keys().take(FULL_VPCS_MAX).cloned());
        hidden_vpcs = net.vpcs.len().saturating_sub(FULL_VPCS_MAX);
    }
    let title = match (&sel.around, sel.vpcs.is_empty()) {
        (Some(id), _) => format!("topology around {id}"),
        (None, false) => format!("topology of {}", sel.vpcs.join(", ")),
        (None, true) => "topology".to_string(),
    };
    let mut d = Diagram::new(title);
    // Nodes by resource id, so routes and attachments find their ends.
    let mut at: BTreeMap<String, usize> = BTreeMap::new();
    let focus_subnet: Option<String> = sel.around.as_ref().and_then(|id| {
        net.network_interfaces
            .get(id)
            .map(|e| e.subnet_id.clone())
            .or_else(|| net.instances.get(id).and_then(|i| i.subnet_id.clone()))
            .or_else(|| net.subnets.get(id).map(|s| s.id.clone()))
    });

    for vpc_id in &full {
        let Some(vpc) = net.vpcs.get(vpc_id) else {
            continue;
        };
        let cidrs: Vec<String> = vpc
            .cidrs
            .iter()
            .map(|c| c.to_string())
            .chain(vpc.ipv6_cidrs.iter().map(|c| c.to_string()))
            .collect();
        let c = d.cluster(format!(
            "VPC {} {}",
            named(&vpc.id, vpc.name.as_deref()),
            cidrs.join(", ")
        ));
        let mut subnets: Vec<&String> = topo.subnets_of_vpc(vpc_id).collect();
        // The focus's subnet first, so the cap never hides it.
        subnets.sort_by_key(|s| Some(s.as_str()) != focus_subnet.as_deref());
        for s in subnets.iter().take(SUBNETS_MAX) {
            let Some(subnet) = net.subnets.get(s.as_str()) else {
                continue;
            };
            let mut lines = vec![
                named(&subnet.id, subnet.name.as_deref()),
                format!(
                    "{} · {}",
                    subnet.cidr,
                    subnet.availability_zone.as_deref().unwrap_or("AZ unknown")
                ),
            ];
            lines.push(match topo.route_table_of_subnet(s) {
                Some(rt) => format!(
                    "route table {}{}",
                    rt.id,
                    if rt.is_main && !rt.subnet_ids.contains(s) {
                        " (main)"
                    } else {
                        ""
                    }
                ),
                None => "route table: none in snapshot".into(),
            });
            lines.push(match topo.acl_of_subnet(s) {
                Some(acl) => format!(
                    "network ACL {}{}",
                    acl.id,
                    if acl.is_default { " (default)" } else { "" }
                ),
                None => "network ACL: none in snapshot".into(),
            });
            let enis = topo.enis_in_subnet(s).count();
            lines.push(format!("{enis} network interface(s)"));
            let kind = if Some(s.as_str()) == focus_subnet.as_deref() {
                NodeKind::Focus
            } else {
                NodeKind::Subnet
            };
            let n = d.node(kind, lines, Some(c));
            d.nodes[n].rank = Some(RANK_SUBNET);
            at.insert(subnet.id.clone(), n);
        }
        if subnets.len() > SUBNETS_MAX {
            elided(
                &mut d,
                format!("+{} more subnets", subnets.len() - SUBNETS_MAX),
                Some(c),
                RANK_SUBNET,
            );
        }
        for nat in net.nat_gateways.values().filter(|n| &n.vpc_id == vpc_id) {
            let public: Vec<String> = nat
                .addresses
                .iter()
                .filter_map(|a| a.public_ip.map(|p| p.to_string()))
                .collect();
            let n = d.node(
                NodeKind::Gateway,
                vec![
                    named(&nat.id, nat.name.as_deref()),
                    if nat.regional.is_some() {
                        format!("regional NAT gateway in {}", nat.vpc_id)
                    } else {
                        format!("NAT gateway in {}", nat.subnet_id)
                    },
                    if public.is_empty() {
                        format!("{:?}", nat.connectivity).to_lowercase()
                    } else {
                        format!("public {}", public.join(", "))
                    },
                ],
                Some(c),
            );
            d.nodes[n].rank = Some(RANK_INSIDE);
            at.insert(nat.id.clone(), n);
        }
        let endpoints: Vec<_> = net
            .vpc_endpoints
            .values()
            .filter(|e| &e.vpc_id == vpc_id)
            .collect();
        for e in endpoints.iter().take(EXTRAS_MAX) {
            let n = d.node(
                NodeKind::Gateway,
                vec![
                    named(&e.id, e.name.as_deref()),
                    format!("{:?} endpoint", e.kind).to_lowercase(),
                    e.service_name.clone(),
                ],
                Some(c),
            );
            d.nodes[n].rank = Some(RANK_INSIDE);
            at.insert(e.id.clone(), n);
        }
        if endpoints.len() > EXTRAS_MAX {
            elided(
                &mut d,
                format!("+{} more endpoints", endpoints.len() - EXTRAS_MAX),
                Some(c),
                RANK_INSIDE,
            );
        }
        let lbs: Vec<_> = net
            .load_balancers
            .values()
            .filter(|l| &l.vpc_id == vpc_id)
            .collect();
        for lb in lbs.iter().take(EXTRAS_MAX) {
            let listeners: Vec<String> = lb
                .listeners
                .iter()
                .map(|l| match (&l.protocol, l.port) {
                    (Some(p), Some(port)) => format!("{p}:{port}"),
                    _ => "gateway".into(),
                })
                .collect();
            let n = d.node(
                NodeKind::LoadBalancer,
                vec![
                    lb.name.clone(),
                    format!(
                        "{} load balancer, {}",
                        lb.kind.as_str(),
                        if lb.internet_facing {
                            "internet-facing"
                        } else {
                            "internal"
                        }
                    ),
                    format!("listeners {}", listeners.join(", ")),
                ],
                Some(c),
            );
            d.nodes[n].rank = Some(RANK_INSIDE);
            for z in &lb.zones {
                if let Some(&s) = at.get(&z.subnet_id) {
                    d.edge(n, s).dashed = true;
                }
            }
            at.insert(lb.id.clone(), n);
        }
        if lbs.len() > EXTRAS_MAX {
            elided(
                &mut d,
                format!("+{} more load balancers", lbs.len() - EXTRAS_MAX),
                Some(c),
                RANK_INSIDE,
            );
        }
        let gateways = topo
            .igws_of_vpc(vpc_id)
            .into_iter()
            .map(|g| (g, "internet gateway"))
            .chain(
                topo.eigws_of_vpc(vpc_id)
                    .into_iter()
                    .map(|g| (g, "egress-only internet gateway")),
            );
        for (g, what) in gateways {
            let n = d.node(
                NodeKind::Gateway,
                vec![named(&g.id, g.name.as_deref()), what.into()],
                Some(c),
            );
            d.nodes[n].rank = Some(RANK_EDGE);
            at.insert(g.id.clone(), n);
        }
        for g in topo.vgws_of_vpc(vpc_id) {
            let n = d.node(
                NodeKind::Gateway,
                vec![
                    named(&g.id, g.name.as_deref()),
                    "virtual private gateway".into(),
                ],
                Some(c),
            );
            d.nodes[n].rank = Some(RANK_EDGE);
            at.insert(g.id.clone(), n);
        }
    }
    if hidden_vpcs > 0 {
        elided(
            &mut d,
            format!("+{hidden_vpcs} more VPCs (select with --vpc or --around)"),
            None,
            RANK_SUBNET,
        );
    }

    // Between VPCs: peerings and transit gateways touching a drawn VPC, and
    // the VPCs on their far side as single nodes.
    let mut neighbours: BTreeMap<String, usize> = BTreeMap::new();
    let mut hidden_neighbours = 0usize;
    let mut neighbour = |d: &mut Diagram, vpc_id: &str| -> Option<usize> {
        if full.contains(vpc_id) {
            return None;
        }
        if let Some(&n) = neighbours.get(vpc_id) {
            return Some(n);
        }
        if neighbours.len() == NEIGHBOURS_MAX {
            hidden_neighbours += 1;
            return None;
        }
        let vpc = net.vpcs.get(vpc_id);
        let mut lines = vec![named(vpc_id, vpc.and_then(|v| v.name.as_deref()))];
        lines.push(match vpc {
            Some(v) => format!(
                "VPC {}",
                v.cidrs
                    .iter()
                    .map(|c| c.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            None => "VPC not in the snapshot".into(),
        });
        let n = d.node(NodeKind::Component, lines, None);
        d.nodes[n].rank = Some(RANK_NEIGHBOUR);
        neighbours.insert(vpc_id.to_string(), n);
        Some(n)
    };
    for p in net.peerings.values() {
        let (a, b) = (&p.requester.vpc_id, &p.accepter.vpc_id);
        if !full.contains(a) && !full.contains(b) {
            continue;
        }
        let n = d.node(
            NodeKind::Gateway,
            vec![
                named(&p.id, p.name.as_deref()),
                format!("peering {a} ⇄ {b}"),
                p.status.to_string(),
            ],
            None,
        );
        d.nodes[n].rank = Some(RANK_BEYOND);
        at.insert(p.id.clone(), n);
        for v in [a, b] {
            if let Some(m) = neighbour(&mut d, v) {
                d.edge(n, m).dashed = true;
            }
        }
    }
    for tgw in net.transit_gateways.values() {
        let attachments: Vec<_> = net
            .tgw_attachments
            .values()
            .filter(|a| a.tgw_id == tgw.id)
            .collect();
        let touches = attachments
            .iter()
            .any(|a| a.vpc.as_ref().is_some_and(|v| full.contains(&v.vpc_id)));
        if !touches {
            continue;
        }
        let tables: BTreeSet<&str> = attachments
            .iter()
            .filter_map(|a| a.route_table_id.as_deref())
            .collect();
        let n = d.node(
            NodeKind::Gateway,
            vec![
                named(&tgw.id, tgw.name.as_deref()),
                format!("transit gateway, {} attachment(s)", attachments.len()),
                format!(
                    "route tables {}",
                    tables.iter().copied().collect::<Vec<_>>().join(", ")
                ),
            ],
            None,
        );
        d.nodes[n].rank = Some(RANK_BEYOND);
        at.insert(tgw.id.clone(), n);
        for a in &attachments {
            match &a.vpc {
                Some(v) => {
                    if let Some(m) = neighbour(&mut d, &v.vpc_id) {
                        let e = d.edge(n, m);
                        e.dashed = true;
                        e.label = Some(a.id.clone());
                    }
                }
                None => {
                    let m = d.node(
                        NodeKind::Component,
                        vec![
                            named(&a.id, a.name.as_deref()),
                            format!(
                                "{} attachment {}",
                                a.resource_type,
                                a.resource_id.as_deref().unwrap_or("")
                            ),
                        ],
                        None,
                    );
                    d.nodes[m].rank = Some(RANK_NEIGHBOUR);
                    d.edge(n, m).dashed = true;
                }
            }
        }
    }
    if hidden_neighbours > 0 {
        elided(
            &mut d,
            format!("+{hidden_neighbours} more neighbour VPCs"),
            None,
            RANK_NEIGHBOUR,
        );
    }
    let internet_needed = full
        .iter()
        .any(|v| !topo.igws_of_vpc(v).is_empty() || !topo.eigws_of_vpc(v).is_empty());
    if internet_needed {
        let internet = d.node(NodeKind::End, vec!["internet".into()], None);
        d.nodes[internet].rank = Some(RANK_BEYOND);
        for v in &full {
            for g in topo.igws_of_vpc(v).into_iter().chain(topo.eigws_of_vpc(v)) {
                if let Some(&n) = at.get(&g.id) {
                    d.edge(n, internet);
                }
            }
        }
    }

    // Routes: one edge per (subnet, gateway) with the destinations it covers.
    for (subnet_id, &s) in at
        .clone()
        .iter()
        .filter(|(id, _)| net.subnets.contains_key(*id))
    {
        let Some(rt) = topo.route_table_of_subnet(subnet_id) else {
            continue;
        };
        let mut by_target: BTreeMap<&str, (Vec<String>, bool)> = BTreeMap::new();
        for r in &rt.routes {
            if matches!(r.target, RouteTarget::Local) {
                continue;
            }
            let entry = by_target.entry(r.target.id()).or_default();
            entry.0.push(destination_text(&r.destination));
            entry.1 |= r.state == crate::model::RouteState::Blackhole;
        }
        for (target, (dests, blackhole)) in by_target {
            let Some(&g) = at.get(target) else {
                continue;
            };
            let mut label = dests.iter().take(2).cloned().collect::<Vec<_>>().join(", ");
            if dests.len() > 2 {
                label.push_str(&format!(" +{}", dests.len() - 2));
            }
            if blackhole {
                label.push_str(" (blackhole)");
            }
            let e = d.edge(s, g);
            e.label = Some(label);
            e.blocked = blackhole;
        }
    }

    // The resource looked at, beside its subnet.
    if let Some(id) = &sel.around {
        let (lines, subnet) = if let Some(e) = net.network_interfaces.get(id) {
            (
                vec![
                    named(&e.id, e.name.as_deref()),
                    format!(
                        "{} {}",
                        e.interface_type,
                        e.primary_ip().map(|a| a.to_string()).unwrap_or_default()
                    ),
                    format!("groups {}", e.group_ids.join(", ")),
                ],
                Some(e.subnet_id.clone()),
            )
        } else if let Some(i) = net.instances.get(id) {
            let groups: BTreeSet<&str> = i
                .network_interface_ids
                .iter()
                .filter_map(|e| net.network_interfaces.get(e))
                .flat_map(|e| e.group_ids.iter().map(String::as_str))
                .collect();
            (
                vec![
                    named(&i.id, i.name.as_deref()),
                    format!("instance, ENIs {}", i.network_interface_ids.join(", ")),
                    format!(
                        "groups {}",
                        groups.into_iter().collect::<Vec<_>>().join(", ")
                    ),
                ],
                i.subnet_id.clone(),
            )
        } else {
            (Vec::new(), None)
        };
        if let Some(subnet) = subnet.filter(|_| !lines.is_empty()) {
            let cluster = at.get(&subnet).and_then(|&s| d.nodes[s].cluster);
            let f = d.node(NodeKind::Focus, lines, cluster);
            d.nodes[f].rank = Some(RANK_FOCUS);
            if let Some(&s) = at.get(&subnet) {
                d.nodes[s].kind = NodeKind::Subnet;
                d.edge(f, s).label = Some("in".into());
            }
        } else if let Some(&n) = at.get(id.as_str()) {
            d.nodes[n].kind = NodeKind::Focus;
        }
    }
    Ok(d)
}
