//! `path`: push a header set hop by hop from a source to a destination and
//! back, recording every hop and every blocker.
//!
//! The walk follows aws-vpc-semantics.md C11: ENI → SG egress → (same subnet:
//! straight to the peer, C10.3) → NACL out → route table (longest prefix,
//! C3.5) → next hop (local subnet, IGW, NAT gateway, peering, appliance ENI)
//! → NACL in → SG ingress → ENI. The return path starts from the headers as
//! they arrived, swapped, and walks the destination's own routes back,
//! checking NACLs again but not SGs (stateful, C1.2; stateless NACLs, C2.2).
//!
//! When a hop stops all of the traffic, the blocker is recorded and the walk
//! goes on with the traffic as it was before that hop, so one run names every
//! blocker on the way instead of only the first (AWS stops at one).
//!
//! This module is the public API ([`analyze`], [`analyze_endpoints`],
//! [`deliveries`]) and the one round trip behind all three: a forward walk,
//! a return walk from wherever each forward branch ended, and what each
//! branch admitted. The steps live beside it: `walk` (ENI, SG, NACL, subnet,
//! route table), `start` (the first step of each kind of source), one file
//! per AWS component (`igw`, `nat`, `tgw`, `vgw`, `vpce`, `peering`,
//! `appliance`, `firewall`) and `routes` (route selection).
//!
//! Must not know: output formats, audit scopes, changes, the CLI. Wording
//! comes from `analysis::describe`, endpoint addresses from
//! `analysis::endpoint`, explanation codes from `analysis::codes`.

mod appliance;
mod bpa;
mod firewall;
mod igw;
mod internet;
mod nat;
mod peering;
mod replies;
mod routes;
mod start;
mod tgw;
mod vgw;
mod vpce;
mod walk;

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::sync::Arc;

pub use firewall::{is_unevaluated_note, unevaluated_firewall_rules};
pub use internet::INTERNET_HOP_ID;
pub use routes::partition_by_routes;

use crate::analysis::endpoint::{self, entering_through_igw, initial_set, Endpoint, EndpointError};
use crate::analysis::*;
use crate::model::*;
use crate::packet::*;
use crate::topology::Topology;
use walk::{Exit, Goal, Mode, Trace, Translation, Walk};

/// Answer one `path` question.
pub fn analyze(topo: &Topology, query: &PathQuery) -> Result<PathAnalysis, EndpointError> {
    let src = endpoint::resolve(topo, &query.source, query.source_ip)?;
    let mut dst = endpoint::resolve(topo, &query.destination, query.destination_ip)?;
    // From outside, a public address of an ENI is that ENI, reached through
    // its internet gateway (SPEC `path`). From inside it would be NAT
    // reflection (C4.5), so it stays an outside address there.
    if entering_through_igw(&src) {
        if let Goal::Eni(eni) = goal_of(topo, &dst) {
            let private = match &dst {
                Endpoint::External { addrs, .. } => addrs
                    .first()
                    .and_then(|a| topo.public_owner(a))
                    .map(|(_, p)| ip_set(p)),
                _ => None,
            };
            if let Some(addrs) = private {
                let instance = topo
                    .net
                    .network_interfaces
                    .get(&eni)
                    .and_then(|e| e.attachment.as_ref())
                    .and_then(|a| a.instance_id.clone());
                dst = Endpoint::Eni {
                    eni,
                    instance,
                    addrs,
                };
            }
        }
    }
    let initial = initial_set(topo, query, &src, &dst);
    Ok(analyze_endpoints(topo, query, &src, &dst, initial))
}

/// Evaluate `initial` from `src` to `dst` and back: the engine behind
/// `path`, for analyses that pick endpoints and header sets themselves.
/// `query` is only carried into the result for reporting.
pub fn analyze_endpoints(
    topo: &Topology,
    query: &PathQuery,
    src: &Endpoint,
    dst: &Endpoint,
    initial: HeaderSet,
) -> PathAnalysis {
    let trip = RoundTrip::run(
        topo,
        src,
        dst,
        initial,
        RoundTripGoals {
            forward: goal_of(topo, dst),
            back: goal_of(topo, src),
            record: true,
            replies_of_blocked: true,
        },
    );
    let clean_forward: Vec<usize> = trip.clean_branches().collect();
    let forward_found = !clean_forward.is_empty();
    let mut arrived = HeaderSet::empty();
    for &i in &clean_forward {
        if let Some((_, set)) = &trip.forward[i].reached {
            arrived.extend(set.clone());
        }
    }

    // Traffic that gets there and whose replies get back.
    let mut admitted = HeaderSet::empty();
    let mut any_reply_needed = false;
    let mut return_ok = false;
    for &i in &clean_forward {
        let (part, needs_reply) = trip.branch_admitted(topo, i);
        if needs_reply {
            any_reply_needed = true;
            if !part.is_empty() {
                return_ok = true;
            }
        }
        admitted.extend(part);
    }
    let return_found = if forward_found && any_reply_needed {
        Some(return_ok)
    } else {
        None
    };

    // The representative forward path: a clean one if any, else the first.
    let rep_forward = clean_forward
        .first()
        .copied()
        .or(if trip.forward.is_empty() {
            None
        } else {
            Some(0)
        });
    let forward_hops = rep_forward
        .map(|i| trip.forward[i].hops.v.clone())
        .unwrap_or_default();
    let rep_return = rep_forward.and_then(|i| {
        let mine: Vec<&Trace> = trip.replies_of(i).collect();
        mine.iter()
            .find(|t| t.reached.is_some() && !t.blocked)
            .or(mine.first())
            .map(|t| t.hops.v.clone())
    });

    // Every blocker, both directions, without repeats. A clean branch beside
    // a blocked one (e.g. part of the traffic takes another route) still
    // reports the blocked branch's reasons: they explain the missing part.
    let mut explanations: Vec<Explanation> = Vec::new();
    let mut push = |e: &Explanation| {
        if !explanations
            .iter()
            .any(|x| x.message == e.message && x.on_return_path == e.on_return_path)
        {
            explanations.push(e.clone());
        }
    };
    for t in &trip.forward {
        t.explanations.iter().for_each(&mut push);
    }
    for (_, t) in &trip.back {
        t.explanations.iter().for_each(&mut push);
    }

    let mut notes = trip.notes;
    notes.sort();
    notes.dedup();
    let mut analysis = PathAnalysis {
        query: query.clone(),
        source: describe_endpoint(topo.net, src, &query.source),
        destination: describe_endpoint(topo.net, dst, &query.destination),
        forward: forward_hops,
        ret: rep_return.unwrap_or_default(),
        forward_found,
        return_found,
        explanations,
        admitted,
        arrived,
        notes,
        unknown: false,
    };
    mark_ambiguous(topo.net, &mut analysis);
    firewall::mark_unevaluated(&mut analysis);
    analysis
}

/// Two resources described under one id with different content (the
/// loader's `ambiguous_ids`, each with a located warning): an answer that
/// depends on either is unknown, never the one the merge kept
/// (R-ambiguous.1 of docs/semantics-additions.md).
fn mark_ambiguous(net: &Network, a: &mut PathAnalysis) {
    if net.ambiguous_ids.is_empty() {
        return;
    }
    let mut ids: Vec<&str> = vec![&a.source.id, &a.destination.id];
    for h in a.forward.iter().chain(&a.ret) {
        ids.push(&h.component.id);
        ids.extend(h.attached_to.as_ref().map(|c| c.id.as_str()));
        ids.extend(h.subnet.as_deref());
        ids.extend(h.vpc.as_deref());
        ids.extend(h.route_table_id.as_deref());
        ids.extend(h.sg_rule.as_ref().map(|m| m.group_id.as_str()));
    }
    for e in &a.explanations {
        ids.extend(e.components.iter().map(|(_, c)| c.id.as_str()));
    }
    // An instance's interfaces and an interface's groups and subnet decide
    // the answer even when the walk stopped before their hop.
    let mut deps: BTreeSet<String> = ids.iter().map(|s| s.to_string()).collect();
    for id in ids {
        let enis: Vec<&String> = match net.instances.get(id) {
            Some(i) => i.network_interface_ids.iter().collect(),
            None => net
                .network_interfaces
                .get_key_value(id)
                .map(|(k, _)| k)
                .into_iter()
                .collect(),
        };
        for eni in enis {
            deps.insert(eni.clone());
            if let Some(e) = net.network_interfaces.get(eni) {
                deps.extend(e.group_ids.iter().cloned());
                deps.insert(e.subnet_id.clone());
            }
        }
    }
    let ambiguous: Vec<&String> = net
        .ambiguous_ids
        .iter()
        .filter(|id| deps.contains(*id))
        .collect();
    if ambiguous.is_empty() {
        return;
    }
    a.forward_found = false;
    a.admitted = HeaderSet::empty();
    a.unknown = true;
    for id in ambiguous {
        let mut e = Explanation::new(
            ExplanationCode::UnknownResource,
            format!("{id} is described more than once with different content (see the warnings): the answer depends on it, so it is unknown, not a verdict"),
            &HeaderSet::empty(),
        );
        e.components.push(("Component", walk::comp(net, id)));
        e.fix = Some(format!(
            "describe {id} once, as AWS prints it (anonymised or merged inputs can reuse an id)"
        ));
        a.explanations.push(e);
    }
}

/// What one forward branch delivered to one destination, for analyses that
/// evaluate many pairs in one walk (`audit`).
#[derive(Clone, Debug)]
pub struct Delivery {
    /// The ENI id, or gateway id, the branch reached.
    pub reached: String,
    /// Traffic that arrived and, where a reply exists, whose replies got
    /// back: what [`PathAnalysis::admitted`] holds, for this branch.
    pub admitted: HeaderSet,
    /// The branch's forward hops, source first.
    pub hops: Vec<Hop>,
}

/// How [`deliveries`] walks: which ENIs count as either end, and whether
/// hops are recorded. The default is one source, one destination, recorded.
#[derive(Clone, Debug)]
pub struct DeliveryOptions {
    /// Accept delivery to any of these ENIs instead of `dst` alone.
    pub dst_enis: Option<Arc<BTreeSet<String>>>,
    /// Let the return path end at any of these source ENIs, so one walk can
    /// carry the addresses of a whole class of sources that share subnet,
    /// security groups and state.
    pub src_enis: Option<Arc<BTreeSet<String>>>,
    /// Record hops. A lean walk (`false`) records none (every
    /// [`Delivery::hops`] is empty) and builds no explanations, which is much
    /// cheaper; what is admitted is the same.
    pub record: bool,
}

impl Default for DeliveryOptions {
    fn default() -> Self {
        DeliveryOptions {
            dst_enis: None,
            src_enis: None,
            record: true,
        }
    }
}

/// Evaluate `initial` from `src` towards many destinations at once.
///
/// `dst` names the destination side as for [`analyze_endpoints`] (for a
/// peering source it picks the VPC to enter); [`DeliveryOptions`] widens
/// either end to a set of ENIs. For one source and one destination this
/// gives exactly `analyze_endpoints(...).admitted`, split by branch. Only
/// clean branches that admit something are returned.
pub fn deliveries(
    topo: &Topology,
    src: &Endpoint,
    dst: &Endpoint,
    initial: HeaderSet,
    options: DeliveryOptions,
) -> Vec<Delivery> {
    deliveries_noted(topo, src, dst, initial, options).0
}

/// [`deliveries`] and the walk's notes, among them what firewall rules
/// vpcreach does not evaluate kept from arriving ([`is_unevaluated_note`]).
pub fn deliveries_noted(
    topo: &Topology,
    src: &Endpoint,
    dst: &Endpoint,
    initial: HeaderSet,
    options: DeliveryOptions,
) -> (Vec<Delivery>, Vec<String>) {
    let forward_goal = match options.dst_enis {
        Some(set) => Goal::AnyEni(set),
        None => goal_of(topo, dst),
    };
    let trip = RoundTrip::run(
        topo,
        src,
        dst,
        initial,
        RoundTripGoals {
            forward: forward_goal.clone(),
            back: match options.src_enis {
                Some(set) => Goal::AnyEni(set),
                None => goal_of(topo, src),
            },
            record: options.record,
            replies_of_blocked: false,
        },
    );
    let mut out = Vec::new();
    for i in trip.clean_branches() {
        let t = &trip.forward[i];
        let Some((exit, _)) = &t.reached else {
            continue;
        };
        let (admitted, _) = trip.branch_admitted(topo, i);
        if admitted.is_empty() {
            continue;
        }
        let reached = match exit {
            Exit::Eni(id) | Exit::Igw(id) | Exit::Vgw(id) => id.clone(),
            Exit::Pcx { pcx, .. } => pcx.clone(),
            Exit::Vpce { vpce, .. } => vpce.clone(),
            Exit::Service { .. } => String::new(),
            Exit::Eigw { eigw, .. } => eigw.clone(),
            Exit::NoReturn => match &forward_goal {
                Goal::Nat(id) | Goal::TgwAttachment(id) | Goal::Tgw(id) => id.clone(),
                _ => String::new(),
            },
        };
        out.push(Delivery {
            reached,
            admitted,
            hops: t.hops.v.clone(),
        });
    }
    (out, trip.notes)
}

/// What a [`RoundTrip`] walks towards, and how.
struct RoundTripGoals {
    forward: Goal,
    back: Goal,
    record: bool,
    /// Walk the replies of blocked forward branches too: they admit nothing,
    /// but a full analysis reports their return-path blockers.
    replies_of_blocked: bool,
}

/// One forward walk and the return walks of its branches: the one round
/// trip behind [`analyze_endpoints`] and [`deliveries`].
struct RoundTrip {
    forward: Vec<Trace>,
    /// Return traces, each with the index of the forward branch it answers.
    back: Vec<(usize, Trace)>,
    /// Per forward branch: what arrived has a reply (not all ICMP does).
    has_reply: Vec<bool>,
    /// Notes of both walks, in the order they were made.
    notes: Vec<String>,
}

impl RoundTrip {
    fn run(
        topo: &Topology,
        src: &Endpoint,
        dst: &Endpoint,
        initial: HeaderSet,
        goals: RoundTripGoals,
    ) -> RoundTrip {
        let forward_walk = Walk {
            topo,
            mode: Mode::Forward,
            goal: goals.forward,
            notes: RefCell::new(Vec::new()),
            record: goals.record,
        };
        let forward = forward_walk.start(src, dst, initial);
        // Each branch's replies, computed once (the walks below and
        // `branch_admitted` all need them); blocked branches have none
        // unless their replies are walked too.
        let mut replies: Vec<Option<HeaderSet>> = forward
            .iter()
            .map(|t| {
                let wanted = !t.blocked || goals.replies_of_blocked;
                let arrived = t.reached.as_ref().filter(|_| wanted);
                arrived.map(|(_, arrived)| arrived.reply())
            })
            .collect();
        let has_reply: Vec<bool> = replies
            .iter()
            .map(|r| r.as_ref().is_some_and(|r| !r.is_empty()))
            .collect();
        let return_walk = Walk {
            topo,
            mode: Mode::Return,
            goal: goals.back,
            notes: RefCell::new(Vec::new()),
            record: goals.record,
        };
        // A lean walk only needs what returns: the replies of a subnet's
        // ENIs may share one walk (replies.rs).
        let (mut back, done) = if goals.record || goals.replies_of_blocked {
            (Vec::new(), vec![false; forward.len()])
        } else {
            replies::shared(&return_walk, &forward, &replies)
        };
        for (i, t) in forward.iter().enumerate() {
            if done[i] || (t.blocked && !goals.replies_of_blocked) {
                continue;
            }
            if let (Some((exit, _)), Some(reply)) = (&t.reached, replies[i].take()) {
                if reply.is_empty() {
                    continue;
                }
                for rt in return_walk.start_return(exit, t, reply) {
                    back.push((i, rt));
                }
            }
        }
        let mut notes = forward_walk.notes.into_inner();
        notes.extend(return_walk.notes.into_inner());
        RoundTrip {
            forward,
            back,
            has_reply,
            notes,
        }
    }

    /// Forward branches that reached their goal unblocked.
    fn clean_branches(&self) -> impl Iterator<Item = usize> + '_ {
        self.forward
            .iter()
            .enumerate()
            .filter(|(_, t)| t.reached.is_some() && !t.blocked)
            .map(|(i, _)| i)
    }

    /// The return traces answering forward branch `i`.
    fn replies_of(&self, i: usize) -> impl Iterator<Item = &Trace> + '_ {
        self.back
            .iter()
            .filter(move |(f, _)| *f == i)
            .map(|(_, t)| t)
    }

    /// What forward branch `i` delivered for good: its arrived traffic, or
    /// where replies exist, the part whose replies got back. The flag says
    /// whether a reply was needed.
    fn branch_admitted(&self, topo: &Topology, i: usize) -> (HeaderSet, bool) {
        let branch = &self.forward[i];
        let arrived = &branch.reached.as_ref().expect("reached").1;
        // In the source's own addresses, before any NAT on the way.
        let sent = untranslate(topo, &branch.translations, arrived);
        let needs_reply = self.has_reply[i] && !matches!(branch.reached, Some((Exit::NoReturn, _)));
        if !needs_reply {
            return (sent, false);
        }
        let mut back = HeaderSet::empty();
        for t in self
            .replies_of(i)
            .filter(|t| t.reached.is_some() && !t.blocked)
        {
            back.extend(t.reached.as_ref().expect("reached").1.clone());
        }
        (round_trip_traffic(&sent, &back), true)
    }
}

fn untranslate(topo: &Topology, translations: &[Translation], arrived: &HeaderSet) -> HeaderSet {
    let mut set = arrived.clone();
    for t in translations.iter().rev() {
        set = match t {
            // The IGW's translations, undone: public source back to private,
            // private destination back to the public address that was asked.
            Translation::Igw { vpc } => remap(topo, vpc, &set, |c, private, public| {
                c.src.contains(public).then(|| Cube {
                    src: AddrSet::from_iter([private..=private]),
                    ..c.clone()
                })
            }),
            Translation::IgwIngress { vpc } => remap(topo, vpc, &set, |c, private, public| {
                c.dst.contains(private).then(|| Cube {
                    dst: AddrSet::from_iter([public..=public]),
                    ..c.clone()
                })
            }),
            Translation::Nat(b) => set.map_cubes(|c| {
                let mut c = Cube {
                    src: b.original_src.clone(),
                    ..c.clone()
                };
                if c.proto.iter().all(|p| p == PROTO_TCP || p == PROTO_UDP) {
                    c.sport = b.original_sport.clone();
                }
                c
            }),
        };
    }
    set
}

/// Every cube of `set` rewritten by `f` for each (private, public) mapping
/// of `vpc`'s internet gateways; cubes no mapping rewrites are dropped.
fn remap(
    topo: &Topology,
    vpc: &str,
    set: &HeaderSet,
    f: impl Fn(&Cube, Addr, Addr) -> Option<Cube>,
) -> HeaderSet {
    let mut out = HeaderSet::empty();
    for (private, public) in topo.public_mappings_of_vpc(vpc) {
        for c in set.cubes() {
            if let Some(c) = f(c, private, public) {
                out.push(c);
            }
        }
    }
    out
}

/// Forward traffic whose replies made it back. Replies are swapped copies,
/// so the reply of what came back is the forward traffic again, except for
/// ICMP where the reply type differs from the request type.
fn round_trip_traffic(arrived: &HeaderSet, back: &HeaderSet) -> HeaderSet {
    let icmp = ProtoSet::from_iter([PROTO_ICMP..=PROTO_ICMP]);
    let non_icmp_cube = Cube {
        proto: all_protos() - &icmp,
        ..Cube::everything()
    };
    let mut out = back.reply().intersect_cube(&non_icmp_cube);
    let replied_types: PortSet = back
        .cubes()
        .iter()
        .filter(|c| c.proto.contains(PROTO_ICMP))
        .fold(PortSet::new(), |acc, c| acc | &c.sport);
    for c in arrived.cubes() {
        if !c.proto.contains(PROTO_ICMP) {
            continue;
        }
        let icmp_part = Cube {
            proto: icmp.clone(),
            ..c.clone()
        };
        for r in icmp_part.reply() {
            if replied_types.contains(r.sport.first().unwrap_or(0)) {
                // The request type whose reply this is.
                let req = ICMP_REQUEST_OF
                    .iter()
                    .find(|(_, rep)| r.sport.contains(*rep))
                    .map(|(q, _)| *q);
                if let Some(q) = req {
                    out.push(Cube {
                        sport: port_range(q, q),
                        ..icmp_part.clone()
                    });
                }
            }
        }
        // ICMP types with no reply need none.
        let mut no_reply = icmp_part.sport.clone();
        for (q, _) in ICMP_REQUEST_OF {
            no_reply.remove(q);
        }
        out.push(Cube {
            sport: no_reply,
            ..icmp_part
        });
    }
    out
}

const ICMP_REQUEST_OF: [(u16, u16); 4] = [(8, 0), (13, 14), (15, 16), (17, 18)];

fn goal_of(topo: &Topology, e: &Endpoint) -> Goal {
    match e {
        Endpoint::Eni { eni, .. } => Goal::Eni(eni.clone()),
        Endpoint::External { addrs, .. } => {
            // A public address of an ENI in the snapshot is that ENI.
            if addrs.first().is_some() && addrs.first() == addrs.last() {
                if let Some((owner, _)) = addrs.first().and_then(|a| topo.public_owner(a)) {
                    if owner.starts_with("eni-") {
                        return Goal::Eni(owner.to_string());
                    }
                }
            }
            Goal::External(addrs.clone())
        }
        Endpoint::InternetGateway(id) => Goal::Igw(id.clone()),
        Endpoint::Peering(id) => Goal::Pcx(id.clone()),
        Endpoint::NatGateway(id) => Goal::Nat(id.clone()),
        Endpoint::VpnGateway(id) => Goal::Vgw(id.clone()),
        Endpoint::GatewayEndpoint(id) => Goal::Vpce(id.clone()),
        Endpoint::TgwAttachment(id) => Goal::TgwAttachment(id.clone()),
        Endpoint::TransitGateway(id) => Goal::Tgw(id.clone()),
    }
}

fn describe_endpoint(net: &Network, e: &Endpoint, reference: &str) -> ComponentRef {
    let id = match e {
        Endpoint::Eni {
            instance: Some(i), ..
        } if reference.starts_with("i-") => i.clone(),
        Endpoint::Eni { eni, .. } => eni.clone(),
        Endpoint::External { label, .. } => label.clone(),
        Endpoint::InternetGateway(id)
        | Endpoint::Peering(id)
        | Endpoint::NatGateway(id)
        | Endpoint::VpnGateway(id)
        | Endpoint::GatewayEndpoint(id)
        | Endpoint::TgwAttachment(id)
        | Endpoint::TransitGateway(id) => id.clone(),
    };
    ComponentRef {
        name: net.name_of(&id).map(str::to_string),
        id,
    }
}
