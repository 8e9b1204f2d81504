//! Differential reachability: which traffic a change lets through that did
//! not pass before (gained) and which it stops (lost).
//!
//! The sources and destinations are pairs: every ordered pair of network
//! interfaces, `internet` → every interface with a public IP (before or
//! after), and every interface → `internet`. What each pair admits (all
//! protocols, all ports, replies included) is computed on both networks
//! and subtracted. Only pairs the configuration changes can affect are
//! evaluated ([`crate::change::diff::affected`]): members of a changed
//! security group, a changed ENI, or else an endpoint in a touched VPC
//! (VPCs joined by a transit gateway count as touched together, since a
//! path may cross an egress or inspection VPC).
//!
//! ENI → ENI pairs are evaluated a class of sources at a time
//! ([`differential`]); [`pairwise`] is the plain two-queries-per-pair
//! version the tests hold it to. `whatif --scope` instead compares audit
//! findings ([`scoped`]).
//!
//! Owns: the pair enumeration, the before/after comparison and the ordering
//! ("biggest exposures first"). Must not know: change files, output formats.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use rayon::prelude::*;

use crate::analysis::classes::{self, Walk};
use crate::analysis::codes::ExplanationCode;
use crate::analysis::endpoint::{self, Endpoint};
use crate::analysis::rules;
use crate::analysis::{path, ComponentRef, PathAnalysis, PathQuery, ProtocolChoice};
use crate::change::diff::Affected;
use crate::model::Network;
use crate::packet::*;
use crate::progress::{Progress, Silent, Unit};
use crate::topology::{source_class, SourceClass, Topology};

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
    /// Why some traffic of the evaluated pairs has an unknown fate on one
    /// side or both (a walk stopped at something the snapshot lacks or
    /// vpcreach does not model): what is gained or lost there is unknown,
    /// so "no change" is not a verdict.
    pub unknown: Vec<String>,
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
/// endpoint is missing), and why the fate of some of its traffic is
/// unknown (its UNKNOWN_RESOURCE explanations).
fn admitted(topo: &Topology, source: &str, destination: &str) -> (HeaderSet, Vec<String>) {
    match path::analyze(topo, &query(source, destination)) {
        Ok(a) => {
            let unknown = a
                .explanations
                .iter()
                .filter(|e| e.code == ExplanationCode::UnknownResource)
                .map(|e| e.message.clone())
                .collect();
            (a.admitted, unknown)
        }
        Err(_) => (HeaderSet::empty(), Vec::new()),
    }
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
    let (gained, lost, _) = evaluate_pair_noted(before, after, source, destination);
    (gained, lost)
}

/// [`evaluate_pair`], with why some traffic's fate is unknown on either side.
fn evaluate_pair_noted(
    before: &Topology,
    after: &Topology,
    source: &str,
    destination: &str,
) -> (Option<ReachChange>, Option<ReachChange>, Vec<String>) {
    let (b, mut unknown) = admitted(before, source, destination);
    let (a, unknown_after) = admitted(after, source, destination);
    unknown.extend(unknown_after);
    let gained = a.subtract(&comparable(&b, source));
    let lost = b.subtract(&comparable(&a, source));
    (
        explain(source, destination, gained, after, before),
        explain(source, destination, lost, before, after),
        unknown,
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
    let init = endpoint::initial_set(pass, &q, &s, &d);
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

/// Traffic per (source, destination) pair, as an audit finds it.
pub type PairTraffic = BTreeMap<(String, String), HeaderSet>;

/// Gained and lost reachability within an access scope: the audit findings
/// of both sides (`b` before, `a` after) compared pair by pair (every pair
/// the scope selects, so the answer is as exhaustive as `audit`).
pub fn scoped(
    before: &Topology,
    after: &Topology,
    pb: &PairTraffic,
    pa: &PairTraffic,
) -> Differential {
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
        unknown: Vec::new(),
    }
}

/// Compare every pair (restricted to the pairs `affected` selects, when
/// given) between `before` and `after`.
///
/// ENI → ENI pairs are evaluated a class of sources at a time, as `audit`
/// does: ENIs that share subnet, security groups and state on both sides
/// walk together towards every destination any of them is paired with, and
/// what arrives is split back into pairs by address. The engine's header
/// sets keep the pairs apart exactly, so this equals [`pairwise`] (the
/// reference the tests compare it with); it only does far fewer walks.
/// Pairs with the internet are evaluated one by one.
pub fn differential(
    before: &Network,
    after: &Network,
    affected: Option<&Affected>,
) -> Differential {
    let (tb, ta) = (Topology::new(before), Topology::new(after));
    differential_with_progress(&tb, &ta, affected, &Silent)
}

/// [`differential`], telling `progress` of its two stages: source classes
/// (each walked on both sides and its changes explained), then pairs with
/// the internet.
pub fn differential_with_progress(
    tb: &Topology,
    ta: &Topology,
    affected: Option<&Affected>,
    progress: &dyn Progress,
) -> Differential {
    let (before, after) = (tb.net, ta.net);
    let enis = pair_enis(before, after);
    let any_vpc = |e: &PairEni| affected.is_none_or(|a| a.vpcs.contains(&e.vpc));
    let as_source = |e: &PairEni| any_vpc(e) || affected.is_none_or(|a| a.as_source(&e.id));
    let as_destination =
        |e: &PairEni| any_vpc(e) || affected.is_none_or(|a| a.as_destination(&e.id));
    // Every destination of a selected source; only selected destinations
    // for the others.
    let all: Vec<usize> = (0..enis.len()).collect();
    let selected_dests: Vec<usize> = all
        .iter()
        .copied()
        .filter(|&j| as_destination(&enis[j]))
        .collect();
    let dests_of = |i: usize| -> &[usize] {
        if as_source(&enis[i]) {
            &all
        } else {
            &selected_dests
        }
    };
    let n = enis.len();
    let publics = enis.iter().filter(|e| e.public).count();
    let pairs_total = n * n.saturating_sub(1) + publics + n;
    let mut pairs_evaluated = 0;
    for (i, e) in enis.iter().enumerate() {
        let d = dests_of(i);
        pairs_evaluated += d.len() - usize::from(d.contains(&i));
        pairs_evaluated += usize::from(as_source(e));
        pairs_evaluated += usize::from(e.public && as_destination(e));
    }
    // Only traffic that can meet a changed rule needs walking (see
    // `Affected::services`); outside it, before and after agree.
    let relevant = relevant_traffic(affected);

    // Sources grouped by their class on both sides.
    let mut classes: BTreeMap<(Option<SourceClass>, Option<SourceClass>, bool), Vec<usize>> =
        BTreeMap::new();
    for (i, e) in enis.iter().enumerate() {
        let key = (
            before
                .network_interfaces
                .get(&e.id)
                .map(|x| source_class(before, x)),
            after
                .network_interfaces
                .get(&e.id)
                .map(|x| source_class(after, x)),
            as_source(e),
        );
        classes.entry(key).or_default().push(i);
    }
    let classes: Vec<Vec<usize>> = classes.into_values().collect();
    let addrs_before: Vec<Option<AddrSet>> =
        enis.par_iter().map(|e| eni_addrs(tb, &e.id)).collect();
    let addrs_after: Vec<Option<AddrSet>> = enis.par_iter().map(|e| eni_addrs(ta, &e.id)).collect();
    // No walk towards a VPC that traffic from the source's cannot reach
    // on either side: nothing gets there, before or after. IPv6 addresses
    // are global: across the internet any VPC may reach them.
    let joined = |i: usize, j: usize| {
        let (a, b) = (&enis[i].vpc, &enis[j].vpc);
        a == b || enis[j].ipv6 || tb.privately_reachable(a, b) || ta.privately_reachable(a, b)
    };
    progress.begin(
        "whatif: classes",
        Some(classes.len() as u64),
        Unit::Items("classes"),
    );
    type ClassChanges = (Vec<ReachChange>, Vec<ReachChange>, Vec<String>);
    let eni_changes: Vec<ClassChanges> = classes
        .par_iter()
        .map(|members| {
            let dests: Vec<usize> = dests_of(members[0])
                .iter()
                .copied()
                .filter(|&j| joined(members[0], j))
                .collect();
            let dests = &dests[..];
            let (b, mut unknown) =
                class_deliveries(tb, &enis, &addrs_before, members, dests, &relevant);
            let (a, unknown_after) =
                class_deliveries(ta, &enis, &addrs_after, members, dests, &relevant);
            unknown.extend(unknown_after);
            let empty = HeaderSet::empty();
            let mut gained = Vec::new();
            let mut lost = Vec::new();
            for &s in members {
                for &d in dests {
                    if s == d {
                        continue;
                    }
                    let (src, dst) = (&enis[s].id, &enis[d].id);
                    let before_set = b.get(&(s, d)).unwrap_or(&empty);
                    let after_set = a.get(&(s, d)).unwrap_or(&empty);
                    gained.extend(explain(src, dst, after_set.subtract(before_set), ta, tb));
                    lost.extend(explain(src, dst, before_set.subtract(after_set), tb, ta));
                }
            }
            progress.advance(1);
            (gained, lost, unknown)
        })
        .collect();
    progress.end();
    let mut unknown: Vec<String> = eni_changes
        .iter()
        .flat_map(|(_, _, u)| u.iter().cloned())
        .collect();
    unknown.sort();
    unknown.dedup();
    let eni_changes = eni_changes.into_iter().map(|(g, l, _)| (g, l));
    let internet_pairs: Vec<(&str, &str)> = enis
        .iter()
        .flat_map(|e| {
            let mut v = Vec::new();
            if as_source(e) {
                v.push((e.id.as_str(), INTERNET));
            }
            if e.public && as_destination(e) {
                v.push((INTERNET, e.id.as_str()));
            }
            v
        })
        .collect();
    progress.begin(
        "whatif: internet",
        Some(internet_pairs.len() as u64),
        Unit::Items("pairs"),
    );
    type PairChanges = (Option<ReachChange>, Option<ReachChange>, Vec<String>);
    let internet_changes: Vec<PairChanges> = internet_pairs
        .par_iter()
        .map(|(s, d)| {
            let change = evaluate_pair_noted(tb, ta, s, d);
            progress.advance(1);
            change
        })
        .collect();
    progress.end();
    unknown.extend(
        internet_changes
            .iter()
            .flat_map(|(_, _, u)| u.iter().cloned()),
    );
    unknown.sort();
    unknown.dedup();
    let changes = eni_changes.chain(
        internet_changes
            .into_iter()
            .map(|(g, l, _)| (g.into_iter().collect(), l.into_iter().collect())),
    );
    Differential {
        unknown,
        ..collect(changes, pairs_total, pairs_evaluated)
    }
}

/// Gained and lost changes from every evaluation, in report order.
fn collect(
    changes: impl Iterator<Item = (Vec<ReachChange>, Vec<ReachChange>)>,
    pairs_total: usize,
    pairs_evaluated: usize,
) -> Differential {
    let mut gained = Vec::new();
    let mut lost = Vec::new();
    for (g, l) in changes {
        gained.extend(g);
        lost.extend(l);
    }
    sort(&mut gained);
    sort(&mut lost);
    Differential {
        gained,
        lost,
        pairs_total,
        pairs_evaluated,
        unknown: Vec::new(),
    }
}

/// An ordinary ENI of either side, as a pair end.
struct PairEni {
    id: String,
    vpc: String,
    /// Has a public IP on either side.
    public: bool,
    /// Has an IPv6 address on either side.
    ipv6: bool,
}

/// Ordinary ENIs of both networks (NAT gateway, endpoint and other
/// AWS-managed ENIs are not pair ends), sorted by id.
fn pair_enis(before: &Network, after: &Network) -> Vec<PairEni> {
    let mut out: Vec<PairEni> = Vec::new();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for n in [before, after] {
        for e in n.network_interfaces.values() {
            if e.interface_type != "interface" {
                continue;
            }
            let public = e.private_ips.iter().any(|p| p.public_ip.is_some());
            let ipv6 = !e.ipv6_addresses.is_empty();
            match seen.get(&e.id) {
                Some(&i) => {
                    out[i].public |= public;
                    out[i].ipv6 |= ipv6;
                }
                None => {
                    seen.insert(e.id.clone(), out.len());
                    out.push(PairEni {
                        id: e.id.clone(),
                        vpc: e.vpc_id.clone(),
                        public,
                        ipv6,
                    });
                }
            }
        }
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

/// The private addresses of an ENI on one side (`None` when absent).
fn eni_addrs(topo: &Topology, eni: &str) -> Option<AddrSet> {
    match endpoint::resolve(topo, eni, None).ok()? {
        Endpoint::Eni { addrs, .. } => Some(addrs),
        _ => None,
    }
}

/// The traffic whose fate a change can alter: the protocols and ports of
/// the security group rules it adds or removes, any addresses (NAT and the
/// internet gateway rewrite addresses, never a protocol or a destination
/// port); everything when the change is anything else.
fn relevant_traffic(affected: Option<&Affected>) -> HeaderSet {
    let Some(services) = affected.and_then(|a| a.services.as_ref()) else {
        return HeaderSet::from_cube(Cube::everything());
    };
    let mut out = HeaderSet::empty();
    for &(protocol, from, to) in services {
        out.extend(HeaderSet::from_cube(rules::service_cube(
            protocol, from, to,
        )));
    }
    out
}

/// One walk from a class of source ENIs towards `dests` on one side: what
/// each (source, destination) pair admitted (replies included), by index.
fn class_deliveries(
    topo: &Topology,
    enis: &[PairEni],
    addrs: &[Option<AddrSet>],
    members: &[usize],
    dests: &[usize],
    relevant: &HeaderSet,
) -> (BTreeMap<(usize, usize), HeaderSet>, Vec<String>) {
    let present = |i: &usize| addrs[*i].as_ref().map(|a| (*i, a));
    let sources: Vec<(usize, &AddrSet)> = members.iter().filter_map(present).collect();
    let targets: Vec<(usize, &AddrSet)> = dests.iter().filter_map(present).collect();
    let mut out: BTreeMap<(usize, usize), HeaderSet> = BTreeMap::new();
    if sources.is_empty() || targets.is_empty() {
        return (out, Vec::new());
    }
    let src_addrs: AddrSet = sources.iter().fold(AddrSet::new(), |acc, (_, a)| acc | *a);
    let dst_addrs: AddrSet = targets.iter().fold(AddrSet::new(), |acc, (_, a)| acc | *a);
    let index: BTreeMap<&str, usize> = targets
        .iter()
        .map(|(j, _)| (enis[*j].id.as_str(), *j))
        .collect();
    let ids =
        |v: &[(usize, &AddrSet)]| Arc::new(v.iter().map(|(i, _)| enis[*i].id.clone()).collect());
    let walk = Walk::eni_class(
        ids(&sources),
        src_addrs.clone(),
        ids(&targets),
        relevant.intersect_cube(&Cube {
            src: src_addrs,
            dst: dst_addrs,
            ..Cube::everything()
        }),
    );
    let (delivered, notes) = walk.deliveries_noted(topo, false);
    let unknown = notes
        .into_iter()
        .filter_map(|n| n.strip_prefix("UNKNOWN_RESOURCE: ").map(str::to_string))
        .collect();
    let shares: Vec<(usize, Option<&AddrSet>)> =
        sources.iter().map(|(i, a)| (*i, Some(*a))).collect();
    classes::attribute(
        &delivered,
        |reached| index.get(reached).copied(),
        &shares,
        |s, j, _, traffic| out.entry((s, j)).or_default().extend(traffic),
    );
    (out, unknown)
}

/// [`differential`] the simple way: two `path` queries for every selected
/// pair. The reference the class-based evaluation is tested against.
pub fn pairwise(before: &Network, after: &Network, affected: Option<&Affected>) -> Differential {
    let tb = Topology::new(before);
    let ta = Topology::new(after);
    let all = pairs(before, after);
    let selected: Vec<&(String, String, BTreeSet<String>)> = all
        .iter()
        .filter(|(s, d, vpcs)| affected.is_none_or(|a| a.pair(s, d, vpcs)))
        .collect();
    let results: Vec<(Option<ReachChange>, Option<ReachChange>)> = selected
        .par_iter()
        .map(|(s, d, _)| evaluate_pair(&tb, &ta, s, d))
        .collect();
    let changes = results
        .into_iter()
        .map(|(g, l)| (g.into_iter().collect(), l.into_iter().collect()));
    collect(changes, all.len(), selected.len())
}

/// Biggest exposures first: from the internet before anything else, then
/// by how much traffic, then by ids (stable). The breadth is computed once
/// per change, not once per comparison: a wide change gains tens of
/// thousands of pairs.
fn sort(list: &mut [ReachChange]) {
    list.sort_by_cached_key(|r| {
        (
            r.source.id != INTERNET,
            std::cmp::Reverse(breadth(&r.traffic)),
            r.source.id.clone(),
            r.destination.id.clone(),
        )
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
        out.push(format!("other protocols {}", ranges_text(&others)));
    }
    out
}
