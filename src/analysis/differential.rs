//! Differential reachability: which traffic a change lets through that did
//! not pass before (gained) and which it stops (lost).
//!
//! Until `audit`'s findings machinery is merged, the sources and
//! destinations are pairs: every ordered pair of network interfaces,
//! `internet` → every interface with a public IP (before or after), and
//! every interface → `internet`. Each pair is evaluated with `path` (all
//! protocols, all ports) on both networks and the admitted header sets are
//! subtracted. Only pairs the configuration changes can affect are
//! evaluated ([`crate::change::diff::affected`]): members of a changed
//! security group, a changed ENI, or else an endpoint in a touched VPC (a
//! path only ever involves its endpoints' VPCs).
//!
//! Swapping in audit: replace [`pairs`] + [`evaluate_pair`] by audit
//! findings computed on both networks and matched by (sources,
//! destinations); [`ReachChange`] keeps the same shape (one representative
//! passing path, the blockers on the other side, the traffic).
//!
//! Owns: the pair enumeration, the before/after comparison and the ordering
//! ("biggest exposures first"). Must not know: change files, output formats.

use std::collections::{BTreeMap, BTreeSet};

use rayon::prelude::*;

use crate::analysis::endpoint::{self, Endpoint};
use crate::analysis::{path, ComponentRef, PathAnalysis, PathQuery, ProtocolChoice};
use crate::audit::analysis::AuditResult;
use crate::change::diff::Affected;
use crate::model::Network;
use crate::packet::*;
use crate::topology::Topology;

/// One source/destination pair whose admitted traffic changed.
#[derive(Clone, Debug)]
pub struct ReachChange {
    pub source: ComponentRef,
    pub destination: ComponentRef,
    /// The headers gained (or lost), as they travel on the side where they pass.
    pub traffic: HeaderSet,
    /// `tcp/22`, `udp/all`, `icmp type 8`, `all traffic`.
    pub summary: Vec<String>,
    /// `path` for exactly this traffic where it passes (after for gained,
    /// before for lost): the hops that let it through.
    pub passing: PathAnalysis,
    /// `path` for exactly this traffic where it does not pass: the blockers.
    /// `None` when an endpoint does not exist on that side.
    pub blocked: Option<PathAnalysis>,
}

#[derive(Clone, Debug, Default)]
pub struct Differential {
    pub gained: Vec<ReachChange>,
    pub lost: Vec<ReachChange>,
    /// Pairs considered in all, and pairs actually evaluated (the others
    /// have no endpoint in a touched VPC).
    pub pairs_total: usize,
    pub pairs_evaluated: usize,
}

impl Differential {
    pub fn changed(&self) -> bool {
        !self.gained.is_empty() || !self.lost.is_empty()
    }
}

/// A source or destination of a pair: an ENI id or `internet`.
pub const INTERNET: &str = "internet";

/// Every (source, destination) pair, with the VPCs it involves.
pub fn pairs(before: &Network, after: &Network) -> Vec<(String, String, BTreeSet<String>)> {
    let mut enis: BTreeSet<(&str, &str, bool)> = BTreeSet::new();
    for n in [before, after] {
        for e in n.network_interfaces.values() {
            if e.interface_type != "interface" {
                continue; // NAT gateway, endpoint and other AWS-managed ENIs
            }
            let public = e.private_ips.iter().any(|p| p.public_ip.is_some());
            enis.insert((&e.id, &e.vpc_id, public));
        }
    }
    // An ENI counts as public if it is on either side.
    let mut list: Vec<(&str, &str, bool)> = Vec::new();
    for (id, vpc, public) in enis {
        match list.last_mut() {
            Some(last) if last.0 == id => last.2 |= public,
            _ => list.push((id, vpc, public)),
        }
    }
    let mut out = Vec::new();
    for &(a, va, _) in &list {
        for &(b, vb, _) in &list {
            if a != b {
                out.push((
                    a.to_string(),
                    b.to_string(),
                    [va, vb].iter().map(|v| v.to_string()).collect(),
                ));
            }
        }
    }
    for &(e, v, public) in &list {
        if public {
            out.push((INTERNET.into(), e.to_string(), [v.to_string()].into()));
        }
        out.push((e.to_string(), INTERNET.into(), [v.to_string()].into()));
    }
    out
}

fn query(source: &str, destination: &str) -> PathQuery {
    PathQuery {
        source: source.into(),
        destination: destination.into(),
        protocol: ProtocolChoice::All,
        dport: None,
        sport: None,
        source_ip: None,
        destination_ip: None,
    }
}

fn resolve(topo: &Topology, source: &str, destination: &str) -> Option<(Endpoint, Endpoint)> {
    let s = endpoint::resolve(topo, source, None).ok()?;
    let d = endpoint::resolve(topo, destination, None).ok()?;
    Some((s, d))
}

/// What `source` → `destination` admits on one network (empty when an
/// endpoint is missing).
fn admitted(topo: &Topology, source: &str, destination: &str) -> HeaderSet {
    path::analyze(topo, &query(source, destination))
        .map(|a| a.admitted)
        .unwrap_or_default()
}

/// From the internet an ENI is addressed by whatever public IP it has on
/// each side: compare without the destination address.
fn comparable(set: &HeaderSet, source: &str) -> HeaderSet {
    if source == INTERNET {
        set.map_cubes(|c| Cube {
            dst: all_addrs(),
            ..c.clone()
        })
    } else {
        set.clone()
    }
}

/// Evaluate one pair on both sides: (gained, lost), each possibly empty.
pub fn evaluate_pair(
    before: &Topology,
    after: &Topology,
    source: &str,
    destination: &str,
) -> (Option<ReachChange>, Option<ReachChange>) {
    let b = admitted(before, source, destination);
    let a = admitted(after, source, destination);
    let gained = a.subtract(&comparable(&b, source));
    let lost = b.subtract(&comparable(&a, source));
    (
        explain(source, destination, gained, after, before),
        explain(source, destination, lost, before, after),
    )
}

/// A change of `traffic` between `source` and `destination`: the path where
/// it passes and the blockers where it does not.
fn explain(
    source: &str,
    destination: &str,
    traffic: HeaderSet,
    pass: &Topology,
    fail: &Topology,
) -> Option<ReachChange> {
    if traffic.is_empty() {
        return None;
    }
    let q = query(source, destination);
    let (s, d) = resolve(pass, source, destination)?;
    // Audit traffic leaves an ENI end's own address implicit: pin it.
    let init = path::initial_set(pass, &q, &s, &d);
    let mut pinned = HeaderSet::empty();
    for c in init.cubes() {
        pinned.extend(traffic.intersect_cube(c));
    }
    let traffic = if pinned.is_empty() { traffic } else { pinned };
    let passing = path::analyze_endpoints(pass, &q, &s, &d, traffic.clone());
    let blocked = resolve(fail, source, destination)
        .map(|(s, d)| path::analyze_endpoints(fail, &q, &s, &d, traffic.clone()));
    Some(ReachChange {
        source: passing.source.clone(),
        destination: passing.destination.clone(),
        summary: traffic_summary(&traffic),
        traffic,
        passing,
        blocked,
    })
}

/// Gained and lost reachability within an access scope: the audit findings
/// of both sides compared pair by pair (every pair the scope selects, so the
/// answer is as exhaustive as `audit`).
pub fn scoped(
    before: &Topology,
    after: &Topology,
    b: &AuditResult,
    a: &AuditResult,
) -> Differential {
    let by_pair = |r: &AuditResult| {
        let mut m: BTreeMap<(String, String), HeaderSet> = BTreeMap::new();
        for f in &r.findings {
            for s in &f.sources {
                for d in &f.destinations {
                    m.entry((s.clone(), d.clone()))
                        .or_default()
                        .extend(f.traffic.clone());
                }
            }
        }
        m
    };
    let (pb, pa) = (by_pair(b), by_pair(a));
    let keys: BTreeSet<&(String, String)> = pb.keys().chain(pa.keys()).collect();
    let empty = HeaderSet::empty();
    let mut gained = Vec::new();
    let mut lost = Vec::new();
    for (s, d) in &keys {
        let key = (s.clone(), d.clone());
        let (tb, ta) = (
            pb.get(&key).unwrap_or(&empty),
            pa.get(&key).unwrap_or(&empty),
        );
        gained.extend(explain(s, d, ta.subtract(tb), after, before));
        lost.extend(explain(s, d, tb.subtract(ta), before, after));
    }
    sort(&mut gained);
    sort(&mut lost);
    Differential {
        gained,
        lost,
        pairs_total: keys.len(),
        pairs_evaluated: keys.len(),
    }
}

/// Compare every pair (restricted to the pairs `affected` selects, when
/// given) between `before` and `after`.
pub fn differential(
    before: &Network,
    after: &Network,
    affected: Option<&Affected>,
) -> Differential {
    let tb = Topology::new(before);
    let ta = Topology::new(after);
    let all = pairs(before, after);
    let selected: Vec<&(String, String, BTreeSet<String>)> = all
        .iter()
        .filter(|(s, d, vpcs)| affected.is_none_or(|a| a.pair(&[s, d], vpcs)))
        .collect();
    let results: Vec<(Option<ReachChange>, Option<ReachChange>)> = selected
        .par_iter()
        .map(|(s, d, _)| evaluate_pair(&tb, &ta, s, d))
        .collect();
    let mut gained = Vec::new();
    let mut lost = Vec::new();
    for (g, l) in results {
        gained.extend(g);
        lost.extend(l);
    }
    sort(&mut gained);
    sort(&mut lost);
    Differential {
        gained,
        lost,
        pairs_total: all.len(),
        pairs_evaluated: selected.len(),
    }
}

/// Biggest exposures first: from the internet before anything else, then
/// by how much traffic, then by ids (stable).
fn sort(list: &mut [ReachChange]) {
    list.sort_by(|x, y| {
        let key = |r: &ReachChange| {
            (
                r.source.id != INTERNET,
                std::cmp::Reverse(breadth(&r.traffic)),
            )
        };
        key(x)
            .cmp(&key(y))
            .then_with(|| x.source.id.cmp(&y.source.id))
            .then_with(|| x.destination.id.cmp(&y.destination.id))
    });
}

/// A rough size of a header set for ordering: protocol × port combinations.
fn breadth(set: &HeaderSet) -> u64 {
    set.traffic_summary()
        .iter()
        .map(|t| t.ports.len() as u64)
        .sum()
}

/// Readable per-protocol summary: `all traffic`, `tcp/22`, `tcp/80,443`,
/// `udp/all`, `icmp type 8`, `protocols 2-5`.
pub fn traffic_summary(set: &HeaderSet) -> Vec<String> {
    let per: Vec<TrafficSummary> = set.traffic_summary();
    if per.len() == 256 && per.iter().all(|t| t.ports.is_universal()) {
        return vec!["all traffic".into()];
    }
    let mut out = Vec::new();
    let mut others = ProtoSet::new();
    for t in &per {
        let name = match t.proto {
            PROTO_TCP | PROTO_UDP | PROTO_ICMP | 58 => proto_name(t.proto),
            p => {
                if t.ports.is_universal() {
                    others.insert(p);
                    continue;
                }
                format!("protocol {p}")
            }
        };
        if t.proto == PROTO_ICMP {
            if t.ports.is_universal() {
                out.push("icmp all".to_string());
            } else {
                out.push(format!("icmp type {}", ports_text(&t.ports)));
            }
        } else {
            out.push(format!("{name}/{}", ports_text(&t.ports)));
        }
    }
    if !others.is_empty() {
        let text = others
            .ranges()
            .map(|r| {
                if r.start() == r.end() {
                    r.start().to_string()
                } else {
                    format!("{}-{}", r.start(), r.end())
                }
            })
            .collect::<Vec<_>>()
            .join(",");
        out.push(format!("other protocols {text}"));
    }
    out
}
