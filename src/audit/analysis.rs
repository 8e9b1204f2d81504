//! The audit itself: every source/destination pair a scope selects,
//! evaluated with the `path` engine, grouped into findings.
//!
//! Scale comes from classes, not pairs. ENIs that share subnet, security
//! groups, state and the scope statements they match are one *source
//! class*: one walk carries all their addresses towards the union of every
//! candidate destination address (the engine's header sets keep the pairs
//! apart exactly, so nothing is approximated). What arrives is attributed
//! back to (source, destination) pairs by address, split into address
//! atoms where rules cut a class, normalised (an ENI end's own address is
//! implied) and put in canonical form; pairs with identical traffic are
//! grouped into one finding. The walks run in parallel over classes.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use rayon::prelude::*;

use super::canon::{self, Node};
use super::scope::*;
use crate::analysis::classes::{self, Walk};
use crate::analysis::endpoint::{self, Endpoint};
use crate::analysis::path::Delivery;
use crate::analysis::Hop;
use crate::model::*;
use crate::packet::*;
use crate::progress::{Progress, Silent, Unit};
use crate::topology::{internet_addrs, source_class, SourceClass, Topology};

mod ends;
mod lb;

use ends::*;

/// One finding: every pair in `sources` x `destinations` can carry `traffic`.
#[derive(Clone, Debug)]
pub struct Finding {
    pub id: String,
    pub sources: Vec<String>,
    pub destinations: Vec<String>,
    /// Canonical cubes. Where an end is an ENI its address dimension is
    /// "any": the pair's own address is meant.
    pub traffic: HeaderSet,
    pub source_is_eni: bool,
    pub destination_is_eni: bool,
    /// One representative forward path, source first, destination last.
    pub components: Vec<Hop>,
}

impl Finding {
    pub fn pair_count(&self) -> u64 {
        self.sources.len() as u64 * self.destinations.len() as u64
    }
}

#[derive(Clone, Debug)]
pub struct AuditResult {
    pub scope: String,
    pub findings: Vec<Finding>,
    /// ENIs the analysis considered (AWS's AnalyzedEniCount).
    pub analyzed_enis: usize,
    /// Source/destination pairs with at least one finding.
    pub pairs: u64,
    pub warnings: Vec<String>,
    /// Traffic that firewall rules vpcreach does not evaluate kept from
    /// arriving, with why: findings through it cannot be ruled out, so the
    /// audit is unknown, never clean (NF.10).
    pub unknown: Vec<String>,
}

impl AuditResult {
    /// The traffic of every (source, destination) pair of every finding.
    pub fn traffic_by_pair(&self) -> BTreeMap<(String, String), HeaderSet> {
        let mut m: BTreeMap<(String, String), HeaderSet> = BTreeMap::new();
        for f in &self.findings {
            for s in &f.sources {
                for d in &f.destinations {
                    m.entry((s.clone(), d.clone()))
                        .or_default()
                        .extend(f.traffic.clone());
                }
            }
        }
        m
    }
}

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum AuditError {
    #[error("{json_path}: prefix list {id} is not in the snapshot, or has no entries")]
    #[diagnostic(
        code(vpcreach::audit::prefix_list),
        help("pull the prefix list (describe-managed-prefix-lists and its entries) into the snapshot")
    )]
    PrefixList { id: String, json_path: String },
}

// ------------------------------------------------------------- the audit

/// Subnet, sorted security groups, instance state, attachment status,
/// interface type, and which scope statements the ENI matches as a source.
type ClassKey = (SourceClass, Vec<bool>);
/// Destination ends, their addresses, their ids (the walk's goal).
/// (source end, destination end, the branch's hops, traffic) → what the scope keeps.
type ScopeFilter<'a> = dyn Fn(usize, usize, &[Hop], HeaderSet) -> HeaderSet + Sync + 'a;
type DestCandidates = (Vec<usize>, AddrSet, Arc<BTreeSet<String>>);

/// One unit of work: a source (class) and the destinations it is walked towards.
struct Run {
    /// Source end indexes (several only for an ENI class).
    sources: Vec<usize>,
    /// Destination end indexes.
    dests: Vec<usize>,
    walk: Walk,
}

impl Run {
    /// A walk from one gateway-like end (`source`) towards several ENI ends.
    fn towards_enis(
        ends: &[End],
        source: usize,
        src_endpoint: Endpoint,
        dests: Vec<usize>,
        initial: HeaderSet,
    ) -> Run {
        Run {
            sources: vec![source],
            walk: Walk {
                source: src_endpoint,
                destination: eni_side(ends, &dests),
                dst_enis: Some(Arc::new(
                    dests.iter().map(|&j| ends[j].id.clone()).collect(),
                )),
                src_enis: None,
                initial,
            },
            dests,
        }
    }
}

/// The destination side of a walk towards ENI ends: the first stands for
/// all of them (the walk's goal holds every one).
fn eni_side(ends: &[End], dests: &[usize]) -> Endpoint {
    Endpoint::Eni {
        eni: ends[dests[0]].id.clone(),
        instance: None,
        addrs: AddrSet::new(),
    }
}

/// What a run found: per group of sources with identical traffic, per
/// traffic, the destinations.
struct Entry {
    sources: Vec<usize>,
    traffic: Node,
    dests: Vec<usize>,
}

pub fn audit(topo: &Topology, scope: &Scope) -> Result<AuditResult, AuditError> {
    audit_with_progress(topo, scope, &Silent)
}

/// [`audit`], telling `progress` of its two long stages: the walks (one
/// unit per walk: a source class, or a gateway-like end, towards its
/// destinations) and the representative path of each finding.
pub fn audit_with_progress(
    topo: &Topology,
    scope: &Scope,
    progress: &dyn Progress,
) -> Result<AuditResult, AuditError> {
    let net = topo.net;
    let mut warnings = Vec::new();
    let matches: Vec<Resolved> = scope
        .match_paths
        .iter()
        .map(|p| resolve_path(net, p))
        .collect::<Result<_, _>>()?;
    let excludes: Vec<Resolved> = scope
        .exclude_paths
        .iter()
        .map(|p| resolve_path(net, p))
        .collect::<Result<_, _>>()?;
    for p in scope.match_paths.iter().chain(&scope.exclude_paths) {
        let statements = p
            .source
            .iter()
            .chain(&p.destination)
            .filter_map(|s| s.resources.as_ref())
            .chain(&p.through);
        for st in statements {
            for t in st.types.iter().flatten() {
                if !t.modelled() {
                    let name = ResourceType::NAMES
                        .iter()
                        .find(|(_, x)| x == t)
                        .map(|(n, _)| *n)
                        .unwrap_or("?");
                    warnings.push(format!(
                        "{}: {name} is not modelled by this version; it matches nothing",
                        p.json_path
                    ));
                }
            }
            for id in st.resources.iter().flatten() {
                let known = net.network_interfaces.contains_key(id)
                    || net.instances.contains_key(id)
                    || net.internet_gateways.contains_key(id)
                    || net.peerings.contains_key(id)
                    || net.security_groups.contains_key(id)
                    || net.subnets.contains_key(id)
                    || net.vpcs.contains_key(id)
                    || net.nat_gateways.contains_key(id)
                    || net.load_balancers.contains_key(id)
                    || net.vpn_gateways.contains_key(id)
                    || net.tgw_attachments.contains_key(id)
                    || net.vpc_endpoints.contains_key(id);
                if !known {
                    warnings.push(format!(
                        "{}: {id} is not in the snapshot; it matches nothing",
                        p.json_path
                    ));
                }
            }
        }
    }
    // IPv6 egress through an egress-only gateway leaves the VPC for the
    // internet, but the gateway is no audit end (docs/model.md): a scope
    // towards internet gateways must not read as clean for it.
    let towards_igws = scope.match_paths.iter().any(|p| {
        p.destination
            .as_ref()
            .and_then(|d| d.resources.as_ref())
            .is_none_or(|st| {
                st.types
                    .as_ref()
                    .is_some_and(|t| t.contains(&ResourceType::InternetGateway))
                    || st
                        .resources
                        .as_ref()
                        .is_some_and(|ids| ids.iter().any(|id| id.starts_with("igw-")))
            })
    });
    let eigws: Vec<&str> = net
        .egress_only_gateways
        .values()
        .filter(|g| g.attachments.iter().any(|(_, s)| s.is_attached()))
        .map(|g| g.id.as_str())
        .collect();
    if towards_igws && !eigws.is_empty() {
        warnings.push(format!(
            "IPv6 egress through egress-only internet gateways ({}) is not audited: they are not audit ends; ask `path --destination internet` (docs/model.md)",
            eigws.join(", ")
        ));
    }
    warnings.sort();
    warnings.dedup();

    // Every end a finding may start or stop at (B.6): ENIs (not those of
    // NAT gateways), internet gateways, peering connections.
    let mut ends: Vec<End> = Vec::new();
    for eni in net.network_interfaces.values() {
        if topo.nat_of_eni(&eni.id).is_some() || eni.interface_type == "nat_gateway" {
            continue;
        }
        if eni.primary_ip().is_none() {
            continue;
        }
        ends.push(End {
            id: eni.id.clone(),
            kind: Kind::Eni,
            eni: Some(eni),
            addrs: endpoint::default_eni_addrs(eni),
            tags: effective_tags(net, eni),
        });
    }
    let analyzed_enis = ends.len();
    for g in net.internet_gateways.values() {
        let tags = g
            .name
            .iter()
            .map(|n| ("Name".to_string(), n.clone()))
            .collect();
        ends.push(End {
            id: g.id.clone(),
            kind: Kind::Igw,
            eni: None,
            addrs: AddrSet::new(),
            tags,
        });
    }
    let gateway_endpoints = net
        .vpc_endpoints
        .values()
        .filter(|v| v.kind == EndpointKind::Gateway)
        .map(|v| (&v.id, &v.name, Kind::Vpce));
    let others = net
        .peerings
        .values()
        .map(|p| (&p.id, &p.name, Kind::Pcx))
        .chain(
            net.vpn_gateways
                .values()
                .map(|g| (&g.id, &g.name, Kind::Vgw)),
        )
        .chain(
            net.tgw_attachments
                .values()
                .map(|a| (&a.id, &a.name, Kind::TgwAttachment)),
        )
        .chain(gateway_endpoints);
    for (id, name, kind) in others {
        ends.push(End {
            id: id.clone(),
            kind,
            eni: None,
            addrs: AddrSet::new(),
            tags: name
                .iter()
                .map(|n| ("Name".to_string(), n.clone()))
                .collect(),
        });
    }

    // Which paths each end can start / stop, address filters included for ENIs.
    let n_paths = matches.len() + excludes.len();
    let all_paths: Vec<&Resolved> = matches.iter().chain(&excludes).collect();
    let profile = |e: &End, as_src: bool| -> Vec<bool> {
        all_paths
            .iter()
            .map(|p| {
                let (st, addrs) = if as_src {
                    (&p.src, &p.src_addrs)
                } else {
                    (&p.dst, &p.dst_addrs)
                };
                end_matches(net, st.as_ref(), e)
                    && (e.kind != Kind::Eni
                        || addrs.as_ref().is_none_or(|a| !eni_filter(e, a).is_empty()))
            })
            .collect()
    };
    let src_profile: Vec<Vec<bool>> = ends.iter().map(|e| profile(e, true)).collect();
    let dst_profile: Vec<Vec<bool>> = ends.iter().map(|e| profile(e, false)).collect();
    let any_match = |p: &[bool]| p[..matches.len()].iter().any(|b| *b);
    let _ = n_paths;

    let eni_by_id: HashMap<&str, usize> = ends
        .iter()
        .enumerate()
        .map(|(i, e)| (e.id.as_str(), i))
        .collect();
    let enis_of_vpc = |vpc: &str| -> Vec<usize> {
        topo.subnets_of_vpc(vpc)
            .flat_map(|s| topo.enis_in_subnet(s))
            .filter_map(|e| eni_by_id.get(e.id.as_str()).copied())
            .collect()
    };

    // Initial header set for a source profile towards given destinations.
    let initial_for =
        |sp: &[bool], src: &AddrSet, src_is_eni: bool, dst: &AddrSet, dst_is_eni: bool| {
            let mut set = HeaderSet::empty();
            for (i, m) in matches.iter().enumerate() {
                if !sp[i] {
                    continue;
                }
                // A gateway end's address filter restricts the addresses
                // behind it here; an ENI end's is applied per pair and per
                // family when traffic is attributed (`eni_filter`): an ENI
                // reached from the internet is addressed by public IPs the
                // filter does not name.
                let narrow = |set: &AddrSet, filter: &Option<AddrSet>, is_eni: bool| match filter {
                    Some(a) if !is_eni => set & a,
                    _ => set.clone(),
                };
                let src = narrow(src, &m.src_addrs, src_is_eni);
                let dst = narrow(dst, &m.dst_addrs, dst_is_eni);
                // One cube per family, as `path` asks (never an IPv4
                // source towards an IPv6 destination).
                for family in [all_v4(), all_v6()] {
                    let mut c = m.cube.clone();
                    c.src = &src & &family;
                    c.dst = &dst & &family;
                    set.push(c);
                }
            }
            set
        };

    let mut runs: Vec<Run> = Vec::new();

    // 1. ENI classes → ENIs.
    let mut classes: BTreeMap<ClassKey, Vec<usize>> = BTreeMap::new();
    for (i, e) in ends.iter().enumerate() {
        let Some(eni) = e.eni else { continue };
        if !any_match(&src_profile[i]) {
            continue;
        }
        classes
            .entry((source_class(net, eni), src_profile[i].clone()))
            .or_default()
            .push(i);
    }
    // Destination candidates per relevant-match-path set and source VPC,
    // built once each: only ENIs in VPCs traffic from the source's can
    // reach (C6.3: peering does not chain), or with an IPv6 address (global:
    // the internet may carry it there).
    let mut dest_cache: HashMap<(Vec<bool>, &str), DestCandidates> = HashMap::new();
    let vpc_of = |j: usize| ends[j].eni.map_or("", |e| e.vpc_id.as_str());
    for members in classes.values() {
        let sp = &src_profile[members[0]];
        let relevant: Vec<bool> = (0..matches.len()).map(|i| sp[i]).collect();
        let src_vpc = vpc_of(members[0]);
        let (dests, dst_addrs, dst_set) = dest_cache
            .entry((relevant.clone(), src_vpc))
            .or_insert_with(|| {
                let mut reach: HashMap<&str, bool> = HashMap::new();
                let d: Vec<usize> = (0..ends.len())
                    .filter(|&j| {
                        ends[j].kind == Kind::Eni
                            && relevant
                                .iter()
                                .enumerate()
                                .any(|(i, r)| *r && dst_profile[j][i])
                            && (vpc_of(j) == src_vpc
                                || !disjoint(&ends[j].addrs, &all_v6())
                                || *reach.entry(vpc_of(j)).or_insert_with(|| {
                                    topo.privately_reachable(src_vpc, vpc_of(j))
                                }))
                    })
                    .collect();
                let addrs = union_addrs(&ends, &d);
                let ids: BTreeSet<String> = d.iter().map(|&j| ends[j].id.clone()).collect();
                (d, addrs, Arc::new(ids))
            })
            .clone();
        if dests.is_empty() {
            continue;
        }
        let src_addrs = union_addrs(&ends, members);
        let initial = initial_for(sp, &src_addrs, true, &dst_addrs, true);
        let member_ids = Arc::new(members.iter().map(|&i| ends[i].id.clone()).collect());
        runs.push(Run {
            sources: members.clone(),
            dests,
            walk: Walk::eni_class(member_ids, src_addrs, dst_set, initial),
        });
    }

    // 2 and 3. Internet gateways and peering connections → ENIs of a VPC.
    for (i, e) in ends.iter().enumerate() {
        if e.kind == Kind::Eni || !any_match(&src_profile[i]) {
            continue;
        }
        let sp = &src_profile[i];
        let wants = |j: usize| (0..matches.len()).any(|m| sp[m] && dst_profile[j][m]);
        match e.kind {
            Kind::Igw => {
                let Some(igw) = net.internet_gateways.get(&e.id) else {
                    continue;
                };
                let Some((vpc, _)) = igw.attachments.iter().find(|(_, s)| s.is_attached()) else {
                    continue;
                };
                let mut dests = Vec::new();
                let mut publics = AddrSet::new();
                for j in enis_of_vpc(vpc) {
                    if !wants(j) {
                        continue;
                    }
                    // Its public IPv4 address, and its IPv6 address as it
                    // is (C4.6).
                    let public = endpoint::public_addrs_of(net, &ends[j].id, &ends[j].addrs);
                    if public.is_empty() {
                        continue;
                    }
                    publics |= public;
                    dests.push(j);
                }
                if dests.is_empty() {
                    continue;
                }
                // Public IPv4 and IPv6 outside the snapshot's VPCs, as
                // `path` reads an internet gateway end.
                let initial = initial_for(sp, &internet_addrs(net), false, &publics, true);
                runs.push(Run::towards_enis(
                    &ends,
                    i,
                    Endpoint::InternetGateway(e.id.clone()),
                    dests,
                    initial,
                ));
            }
            Kind::Pcx => {
                let Some(p) = net.peerings.get(&e.id) else {
                    continue;
                };
                for (side, far) in [(&p.requester, &p.accepter), (&p.accepter, &p.requester)] {
                    let dests: Vec<usize> = enis_of_vpc(&side.vpc_id)
                        .into_iter()
                        .filter(|&j| wants(j))
                        .collect();
                    if dests.is_empty() {
                        continue;
                    }
                    let far_cidrs = if far.cidrs.is_empty() {
                        net.vpcs
                            .get(&far.vpc_id)
                            .map(|v| v.cidrs.clone())
                            .unwrap_or_default()
                    } else {
                        far.cidrs.clone()
                    };
                    let addrs = union_addrs(&ends, &dests);
                    let initial = initial_for(sp, &nets_set(&far_cidrs), false, &addrs, true);
                    runs.push(Run::towards_enis(
                        &ends,
                        i,
                        Endpoint::Peering(e.id.clone()),
                        dests,
                        initial,
                    ));
                }
            }
            // On-premises behind a VGW, or traffic entering a TGW through
            // an attachment: one walk towards every wanted ENI.
            Kind::Vgw | Kind::TgwAttachment => {
                let dests: Vec<usize> = (0..ends.len())
                    .filter(|&j| ends[j].kind == Kind::Eni && wants(j))
                    .collect();
                if dests.is_empty() {
                    continue;
                }
                let src_endpoint = e.kind.endpoint(&e.id);
                let src =
                    endpoint::endpoint_addrs(topo, &src_endpoint, None, &eni_side(&ends, &dests));
                let addrs = union_addrs(&ends, &dests);
                let initial = initial_for(sp, &src, false, &addrs, true);
                runs.push(Run::towards_enis(&ends, i, src_endpoint, dests, initial));
            }
            Kind::Eni | Kind::Vpce => {}
        }
    }

    // 4 and 5. ENIs → internet gateways and peering connections, one ENI at
    // a time (translation at the gateway hides which ENI sent what).
    // Which TGWs a VPC reaches is a property of the VPC, not of the pair:
    // computed once per VPC (it scans every attachment, transitively).
    let mut tgws_of_vpc: HashMap<&str, BTreeSet<&str>> = HashMap::new();
    // The gateway ends, listed once: scanning every end for each source ENI
    // was 2.5 billion steps at 50,000 ENIs, all on one thread.
    let gateway_ends: Vec<(usize, &End)> = ends
        .iter()
        .enumerate()
        .filter(|(_, d)| d.kind != Kind::Eni)
        .collect();
    for (i, e) in ends.iter().enumerate() {
        let Some(eni) = e.eni else { continue };
        if !any_match(&src_profile[i]) {
            continue;
        }
        let sp = &src_profile[i];
        let src = e.addrs.clone();
        for &(j, d) in &gateway_ends {
            if !(0..matches.len()).any(|m| sp[m] && dst_profile[j][m]) {
                continue;
            }
            let joined = match d.kind {
                Kind::Igw => net
                    .internet_gateways
                    .get(&d.id)
                    .is_some_and(|g| g.attachments.iter().any(|(v, _)| *v == eni.vpc_id)),
                Kind::Pcx => net
                    .peerings
                    .get(&d.id)
                    .is_some_and(|p| p.peer_of(&eni.vpc_id).is_some()),
                Kind::Vgw => net
                    .vpn_gateways
                    .get(&d.id)
                    .is_some_and(|g| g.attachments.iter().any(|(v, _)| *v == eni.vpc_id)),
                // An attachment of a TGW the ENI's VPC is attached to, or
                // of one peered with it (C7.8).
                Kind::TgwAttachment => net.tgw_attachments.get(&d.id).is_some_and(|a| {
                    let joined = tgws_of_vpc
                        .entry(eni.vpc_id.as_str())
                        .or_insert_with(|| tgws_joined(net, &eni.vpc_id));
                    joined.contains(a.tgw_id.as_str())
                        || a.peering
                            .as_ref()
                            .is_some_and(|p| p.ends.keys().any(|t| joined.contains(t.as_str())))
                }),
                // Gateway endpoints serve their own VPC only (C8.1).
                Kind::Vpce => net
                    .vpc_endpoints
                    .get(&d.id)
                    .is_some_and(|v| v.vpc_id == eni.vpc_id),
                Kind::Eni => false,
            };
            if !joined {
                continue;
            }
            let src_endpoint = Endpoint::Eni {
                eni: eni.id.clone(),
                instance: None,
                addrs: src.clone(),
            };
            let endpoint = d.kind.endpoint(&d.id);
            let dst = endpoint::endpoint_addrs(topo, &endpoint, None, &src_endpoint);
            let initial = initial_for(sp, &src, true, &dst, false);
            runs.push(Run {
                sources: vec![i],
                dests: vec![j],
                walk: Walk {
                    source: src_endpoint,
                    destination: endpoint,
                    dst_enis: None,
                    src_enis: None,
                    initial,
                },
            });
        }
    }

    // Walk every run (in parallel) and attribute what arrives.
    let apply_scope = |s: usize, d: usize, hops: &[Hop], t: HeaderSet| -> HeaderSet {
        // ENI ends are written as whole families (their own address of
        // that family is meant): a filter keeps the families whose
        // address it holds.
        let restrict = |p: &Resolved| -> Cube {
            let mut c = p.cube.clone();
            let filter = |end: &End, a: &AddrSet| match end.kind {
                Kind::Eni => eni_filter(end, a),
                _ => a.clone(),
            };
            if let Some(a) = &p.src_addrs {
                c.src = filter(&ends[s], a);
            }
            if let Some(a) = &p.dst_addrs {
                c.dst = filter(&ends[d], a);
            }
            c
        };
        let mut kept = HeaderSet::empty();
        for (m, p) in matches.iter().enumerate() {
            if src_profile[s][m]
                && dst_profile[d][m]
                && p.through.iter().all(|st| through_matches(st, hops))
            {
                let cube = restrict(p);
                if cube.is_everything() {
                    // A path that keeps it all (every ENI pair, any
                    // traffic): nothing to intersect or copy.
                    kept = t;
                    break;
                }
                kept.extend(t.intersect_cube(&cube));
            }
        }
        if kept.is_empty() {
            return kept;
        }
        for (x, p) in excludes.iter().enumerate() {
            let k = matches.len() + x;
            if src_profile[s][k]
                && dst_profile[d][k]
                && p.through.iter().all(|st| through_matches(st, hops))
            {
                kept = kept.subtract_cube(&restrict(p));
            }
        }
        kept
    };

    // Hops matter only to `Through` statements; otherwise walk lean (the
    // representative path per finding is walked again in full below).
    let record_hops = matches
        .iter()
        .chain(excludes.iter())
        .any(|p| !p.through.is_empty());
    progress.begin(
        "audit: walking",
        Some(runs.len() as u64),
        Unit::Items("walks"),
    );
    let walked: Vec<(Vec<Entry>, Vec<String>)> = runs
        .par_iter()
        .map(|run| {
            let (delivered, notes) = run.walk.deliveries_noted(topo, record_hops);
            let unknown: Vec<String> = notes
                .into_iter()
                .filter(|n| {
                    crate::analysis::path::is_unevaluated_note(n)
                        || n.starts_with("UNKNOWN_RESOURCE: ")
                })
                .collect();
            progress.advance(1);
            if std::env::var_os("VPCREACH_DEBUG").is_some() {
                eprintln!(
                    "run {:?} -> {:?}: {} deliveries {:?}",
                    run.walk.source,
                    run.dests.len(),
                    delivered.len(),
                    delivered
                        .iter()
                        .map(|d| (&d.reached, d.admitted.cubes().len()))
                        .collect::<Vec<_>>()
                );
            }
            (attribute(&ends, run, delivered, &apply_scope), unknown)
        })
        .collect();
    let mut unknown: Vec<String> = walked.iter().flat_map(|(_, u)| u.clone()).collect();
    unknown.sort();
    unknown.dedup();
    let entries = walked.into_iter().map(|(e, _)| e);

    // Group across runs: same traffic and same destinations → one finding.
    let mut grouped: BTreeMap<(Node, Vec<usize>), Vec<usize>> = BTreeMap::new();
    for e in entries.into_iter().flatten() {
        grouped
            .entry((e.traffic, e.dests))
            .or_default()
            .extend(e.sources);
    }
    // Built and sorted on every core: at 50,000 ENIs this was most of what
    // ran on one thread after the walks.
    let grouped: Vec<_> = grouped.into_iter().collect();
    let mut findings: Vec<Finding> = grouped
        .into_par_iter()
        .map(|((traffic, dests), mut sources)| {
            sources.sort_by(|a, b| ends[*a].id.cmp(&ends[*b].id));
            sources.dedup();
            let mut destinations: Vec<String> = dests.iter().map(|&j| ends[j].id.clone()).collect();
            destinations.sort();
            Finding {
                id: String::new(),
                source_is_eni: ends[sources[0]].kind == Kind::Eni,
                destination_is_eni: ends[dests[0]].kind == Kind::Eni,
                sources: sources.iter().map(|&i| ends[i].id.clone()).collect(),
                destinations,
                traffic: canon::cubes_of(&traffic),
                components: Vec::new(),
            }
        })
        .collect();
    // Widest first, then by ids: a total, content-only order.
    findings.par_sort_by(|a, b| {
        b.pair_count()
            .cmp(&a.pair_count())
            .then_with(|| a.sources.cmp(&b.sources))
            .then_with(|| a.destinations.cmp(&b.destinations))
            .then_with(|| format!("{:?}", a.traffic).cmp(&format!("{:?}", b.traffic)))
    });
    let pairs: u64 = findings.iter().map(Finding::pair_count).sum();
    // One representative path per finding: its first pair, its traffic.
    progress.end();
    progress.begin(
        "audit: paths",
        Some(findings.len() as u64),
        Unit::Items("findings"),
    );
    findings.par_iter_mut().for_each(|f| {
        f.id = finding_id(f);
        f.components = representative(topo, &ends, &eni_by_id, f);
        progress.advance(1);
    });
    progress.end();
    // Paths through load balancers (C9), after the direct ones.
    let through_lbs = lb::findings(
        topo,
        &ends,
        &matches,
        &excludes,
        (&src_profile, &dst_profile),
        &scope
            .match_paths
            .iter()
            .map(|p| p.json_path.as_str())
            .collect::<Vec<_>>(),
        &mut warnings,
    );
    let pairs = pairs + through_lbs.iter().map(Finding::pair_count).sum::<u64>();
    findings.extend(through_lbs);
    warnings.sort();
    warnings.dedup();
    Ok(AuditResult {
        scope: scope.name.clone(),
        findings,
        analyzed_enis,
        pairs,
        warnings,
        unknown,
    })
}

/// Stable id from the finding's content (FNV-1a, 64 bits).
fn finding_id(f: &Finding) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |s: &str| {
        for b in s.bytes().chain([0u8]) {
            h ^= b as u64;
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    };
    for s in &f.sources {
        eat(s);
    }
    eat("->");
    for d in &f.destinations {
        eat(d);
    }
    eat(&id_text(&f.traffic));
    format!("finding-{h:016x}")
}

/// The traffic as the id hashes it: IPv4 addresses as the 32-bit values
/// they were before addresses grew to both families (so ids of IPv4
/// findings never changed), any IPv6 part after them.
fn id_text(traffic: &HeaderSet) -> String {
    #[derive(Debug)]
    struct HeaderSet {
        #[allow(dead_code)]
        cubes: Vec<Cube>,
    }
    #[derive(Debug)]
    #[allow(dead_code)]
    struct Cube {
        src: RangeSet<u32>,
        dst: RangeSet<u32>,
        proto: ProtoSet,
        sport: PortSet,
        dport: PortSet,
    }
    let mut v6 = String::new();
    let mut v4 = |set: &AddrSet| -> RangeSet<u32> {
        let rest = set - &all_v4();
        if !(rest.is_empty() || set.is_universal()) {
            v6.push_str(&format!("{rest:?}"));
        }
        (set & &all_v4())
            .ranges()
            .filter_map(|r| Some(u32::from(v4_of(*r.start())?)..=u32::from(v4_of(*r.end())?)))
            .collect()
    };
    let legacy = HeaderSet {
        cubes: traffic
            .cubes()
            .iter()
            .map(|c| Cube {
                src: v4(&c.src),
                dst: v4(&c.dst),
                proto: c.proto.clone(),
                sport: c.sport.clone(),
                dport: c.dport.clone(),
            })
            .collect(),
    };
    format!("{legacy:?}{v6}")
}

fn representative(
    topo: &Topology,
    ends: &[End],
    by_id: &HashMap<&str, usize>,
    f: &Finding,
) -> Vec<Hop> {
    let (s, d) = (&f.sources[0], &f.destinations[0]);
    let (Some(&si), Some(&di)) = (by_id.get(s.as_str()), by_id.get(d.as_str())) else {
        return Vec::new();
    };
    let endpoint = |i: usize| match &ends[i].kind {
        Kind::Eni => Endpoint::Eni {
            eni: ends[i].id.clone(),
            instance: None,
            addrs: ends[i].addrs.clone(),
        },
        kind => kind.endpoint(&ends[i].id),
    };
    let (src, dst) = (endpoint(si), endpoint(di));
    let query = crate::analysis::PathQuery {
        source: s.clone(),
        destination: d.clone(),
        protocol: crate::analysis::ProtocolChoice::All,
        dport: None,
        sport: None,
        source_ip: None,
        destination_ip: None,
    };
    let mut initial = endpoint::initial_set(topo, &query, &src, &dst);
    // Narrow to the finding's traffic (ENI ends keep their own address of
    // the family the finding names).
    let mut narrowed = HeaderSet::empty();
    for c in f.traffic.cubes() {
        let mut c = c.clone();
        if f.source_is_eni {
            c.src = families_of(&c.src);
        }
        // From the internet an ENI is addressed by its public IP.
        c.dst = families_of(&c.dst);
        narrowed.extend(initial.intersect_cube(&c));
    }
    if !narrowed.is_empty() {
        initial = narrowed;
    }
    let dests = match ends[di].kind {
        Kind::Eni => Some(Arc::new(BTreeSet::from([d.clone()]))),
        _ => None,
    };
    let walk = Walk {
        source: src,
        destination: dst,
        dst_enis: dests,
        src_enis: None,
        initial,
    };
    walk.deliveries(topo, true)
        .into_iter()
        .find(|x| x.reached == *d)
        .map(|x| x.hops)
        .unwrap_or_default()
}

/// Split what a run delivered into (sources, traffic, destinations) entries.
fn attribute(
    ends: &[End],
    run: &Run,
    delivered: Vec<Delivery>,
    apply_scope: &ScopeFilter<'_>,
) -> Vec<Entry> {
    let index: HashMap<&str, usize> = run
        .dests
        .iter()
        .map(|&j| (ends[j].id.as_str(), j))
        .collect();
    let src_is_eni = ends[run.sources[0]].kind == Kind::Eni;
    // Members of a class share what arrived by their address; a single
    // source owns all of it.
    let addrs: Vec<AddrSet> = run.sources.iter().map(|&s| ends[s].addrs.clone()).collect();
    let class = src_is_eni && run.sources.len() > 1;
    let shares: Vec<(usize, Option<&AddrSet>)> = run
        .sources
        .iter()
        .zip(&addrs)
        .map(|(&s, a)| (s, class.then_some(a)))
        .collect();
    // (source, destination) → traffic, normalised: an ENI end's own
    // address is implied, its family kept (a finding says which family).
    let mut per_pair: BTreeMap<(usize, usize), HeaderSet> = BTreeMap::new();
    classes::attribute(
        &delivered,
        |reached| index.get(reached).copied(),
        &shares,
        |s, j, d, traffic| {
            let dst_is_eni = ends[j].kind == Kind::Eni;
            let mut t = traffic;
            t.edit_cubes(|c| {
                if src_is_eni {
                    c.src = families_of(&c.src);
                }
                if dst_is_eni {
                    c.dst = families_of(&c.dst);
                }
            });
            let kept = apply_scope(s, j, &d.hops, t);
            if !kept.is_empty() {
                per_pair.entry((s, j)).or_default().extend(kept);
            }
        },
    );
    // Canonical traffic per pair; group sources with identical rows, then
    // destinations with identical traffic.
    let mut rows: BTreeMap<usize, Vec<(usize, Node)>> = BTreeMap::new();
    // A run's pairs often carry the very same traffic (destinations behind
    // the same rules): each distinct set is put in canonical form once.
    let mut memo: Vec<(HeaderSet, Node)> = Vec::new();
    for ((s, j), t) in per_pair {
        let node = match memo.iter().find(|(seen, _)| *seen == t) {
            Some((_, node)) => node.clone(),
            None => {
                let node = canon::canonical(&t);
                if memo.len() < 64 {
                    memo.push((t, node.clone()));
                }
                node
            }
        };
        if canon::is_empty(&node) {
            continue;
        }
        rows.entry(s).or_default().push((j, node));
    }
    let mut by_row: BTreeMap<Vec<(usize, Node)>, Vec<usize>> = BTreeMap::new();
    for (s, row) in rows {
        by_row.entry(row).or_default().push(s);
    }
    let mut out = Vec::new();
    for (row, sources) in by_row {
        let mut by_traffic: BTreeMap<Node, Vec<usize>> = BTreeMap::new();
        for (j, node) in row {
            by_traffic.entry(node).or_default().push(j);
        }
        for (traffic, dests) in by_traffic {
            out.push(Entry {
                sources: sources.clone(),
                traffic,
                dests,
            });
        }
    }
    out
}

/// Every address of the ends `which`.
fn union_addrs(ends: &[End], which: &[usize]) -> AddrSet {
    which
        .iter()
        .fold(AddrSet::new(), |acc, &j| acc | ends[j].addrs.clone())
}

/// An ENI end under a scope's address filter `a`, in the form findings
/// write ENI ends: every address of each family whose address of the ENI
/// lies in `a` (an ENI holds at most one address per family here).
fn eni_filter(end: &End, a: &AddrSet) -> AddrSet {
    let mut out = AddrSet::new();
    for family in [all_v4(), all_v6()] {
        let own = &end.addrs & &family;
        if !own.is_empty() && own.is_subset(a) {
            out |= family;
        }
    }
    out
}

/// The transit gateways `vpc` is attached to, and those joined to them by
/// peering attachments, transitively (C7.8).
fn tgws_joined<'n>(net: &'n Network, vpc: &str) -> BTreeSet<&'n str> {
    let mut joined: BTreeSet<&str> = net
        .tgw_attachments
        .values()
        .filter(|a| a.vpc.as_ref().is_some_and(|v| v.vpc_id == vpc))
        .map(|a| a.tgw_id.as_str())
        .collect();
    loop {
        let more: Vec<&str> = net
            .tgw_attachments
            .values()
            .filter_map(|a| a.peering.as_ref().map(|p| (a, p)))
            .filter(|(a, p)| {
                joined.contains(a.tgw_id.as_str())
                    || p.ends.keys().any(|t| joined.contains(t.as_str()))
            })
            .flat_map(|(a, p)| {
                std::iter::once(a.tgw_id.as_str())
                    .chain(p.ends.keys().map(String::as_str))
                    .chain(p.far_end(&a.tgw_id, a.resource_id.as_deref()))
            })
            .filter(|t| !joined.contains(t))
            .collect();
        if more.is_empty() {
            return joined;
        }
        joined.extend(more);
    }
}
