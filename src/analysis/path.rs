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

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::sync::Arc;

use crate::analysis::endpoint::{self, Endpoint, EndpointError};
use crate::analysis::rules::{self, Direction};
use crate::analysis::*;
use crate::model::*;
use crate::packet::*;
use crate::topology::{eni_addrs, internet_addrs, subnet_addrs, Topology};

/// Routing through appliances can loop; AWS paths are short.
const MAX_APPLIANCE_HOPS: usize = 8;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Forward,
    Return,
}

#[derive(Clone, Debug)]
enum Goal {
    Eni(String),
    /// Any of these ENIs (audit: one walk towards many destinations).
    AnyEni(Arc<BTreeSet<String>>),
    External(AddrSet),
    Igw(String),
    Pcx(String),
    Nat(String),
    Vgw(String),
    Vpce(String),
    TgwAttachment(String),
    /// Any attachment of this transit gateway.
    Tgw(String),
}

/// How a trace reached its goal: where the return path starts.
#[derive(Clone, Debug)]
enum Exit {
    Eni(String),
    Igw(String),
    /// Left through an egress-only internet gateway: (gateway, VPC).
    Eigw {
        eigw: String,
        vpc: String,
    },
    Pcx {
        pcx: String,
        from_vpc: String,
    },
    Vgw(String),
    Vpce {
        vpce: String,
        vpc: String,
    },
    /// Reached a component from which no reply is analysed (a NAT gateway or
    /// a transit gateway attachment named as the destination).
    NoReturn,
    /// Reached a link-local AWS service of the source ENI (C1.9, C2.9): the
    /// reply comes straight back to it.
    Service {
        eni: String,
    },
}

#[derive(Clone, Debug)]
struct NatBinding {
    nat: String,
    original_src: AddrSet,
    original_sport: PortSet,
}

#[derive(Clone, Debug)]
enum Translation {
    /// The IGW's 1:1 NAT of this VPC's private sources (C4.2).
    Igw { vpc: String },
    /// A NAT gateway's source NAT (C5.2).
    Nat(NatBinding),
}

/// A trace's hops; `on` false (a lean walk) records none.
#[derive(Clone, Debug, Default)]
struct Hops {
    v: Vec<Hop>,
    on: bool,
}

impl Hops {
    fn push(&mut self, h: Hop) {
        if self.on {
            self.v.push(h);
        }
    }
    fn last_mut(&mut self) -> Option<&mut Hop> {
        self.v.last_mut()
    }
    fn iter_mut(&mut self) -> std::slice::IterMut<'_, Hop> {
        self.v.iter_mut()
    }
}

/// A TGW handing a packet to a VPC attachment through the ENI in `subnet`,
/// and the appliance ENIs the packet crossed in that VPC.
#[derive(Clone, Debug)]
struct TgwExit {
    attachment: String,
    subnet: String,
    appliance_mode: bool,
    appliances: Vec<String>,
}

#[derive(Clone, Debug, Default)]
struct Trace {
    hops: Hops,
    explanations: Vec<Explanation>,
    blocked: bool,
    lost_sg_identity: bool,
    crossed_tgw: bool,
    /// Where the TGW handed the packet to a VPC attachment, in order.
    tgw_exits: Vec<TgwExit>,
    /// Index in `tgw_exits` of the VPC the packet is in, if it came from a TGW.
    current_exit: Option<usize>,
    /// On a reply: the forward direction's `tgw_exits` (appliance mode, C7.5).
    forward_exits: Vec<TgwExit>,
    nat_bindings: Vec<NatBinding>,
    /// Source translations on the way, in order (to state `admitted` in
    /// the source's own addresses).
    translations: Vec<Translation>,
    /// Appliance ENIs, endpoints and NAT gateways already traversed (loop guard).
    visited_appliances: Vec<String>,
    reached: Option<(Exit, HeaderSet)>,
}

struct Walk<'t, 'n> {
    topo: &'t Topology<'n>,
    mode: Mode,
    goal: Goal,
    notes: RefCell<Vec<String>>,
    /// Record hops and explanations. A lean walk (`false`) only computes
    /// what arrives: traces carry no hops and blockers build no text.
    record: bool,
}

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
    let (src, dst) = (src.clone(), dst.clone());
    let net = topo.net;
    let forward_walk = Walk {
        topo,
        mode: Mode::Forward,
        goal: goal_of(topo, &dst),
        notes: RefCell::new(Vec::new()),
        record: true,
    };
    let forward_traces = forward_walk.start(&src, &dst, initial);

    let return_goal = goal_of(topo, &src);
    let mut return_traces: Vec<(usize, Trace)> = Vec::new();
    let mut notes = forward_walk.notes.into_inner();
    let return_walk = Walk {
        topo,
        mode: Mode::Return,
        goal: return_goal,
        notes: RefCell::new(Vec::new()),
        record: true,
    };
    for (i, t) in forward_traces.iter().enumerate() {
        if let Some((exit, arrived)) = &t.reached {
            let reply = arrived.reply();
            if reply.is_empty() {
                continue;
            }
            for rt in return_walk.start_return(exit, t, reply) {
                return_traces.push((i, rt));
            }
        }
    }
    notes.extend(return_walk.notes.into_inner());

    let clean_forward: Vec<usize> = forward_traces
        .iter()
        .enumerate()
        .filter(|(_, t)| t.reached.is_some() && !t.blocked)
        .map(|(i, _)| i)
        .collect();
    let forward_found = !clean_forward.is_empty();
    let mut arrived = HeaderSet::empty();
    for &i in &clean_forward {
        if let Some((_, set)) = &forward_traces[i].reached {
            arrived.extend(set.clone());
        }
    }

    // Traffic that gets there and whose replies get back.
    let mut admitted = HeaderSet::empty();
    let mut any_reply_needed = false;
    let mut return_ok = false;
    for &i in &clean_forward {
        let (part, needs_reply) = branch_admitted(topo, i, &forward_traces, &return_traces);
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
        .or(if forward_traces.is_empty() {
            None
        } else {
            Some(0)
        });
    let forward_hops = rep_forward
        .map(|i| forward_traces[i].hops.v.clone())
        .unwrap_or_default();
    let rep_return = rep_forward.and_then(|i| {
        let mine: Vec<&Trace> = return_traces
            .iter()
            .filter(|(f, _)| *f == i)
            .map(|(_, t)| t)
            .collect();
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
    for t in &forward_traces {
        t.explanations.iter().for_each(&mut push);
    }
    for (_, t) in &return_traces {
        t.explanations.iter().for_each(&mut push);
    }

    notes.sort();
    notes.dedup();
    let source = describe_endpoint(net, &src, &query.source);
    let destination = describe_endpoint(net, &dst, &query.destination);
    PathAnalysis {
        query: query.clone(),
        source,
        destination,
        forward: forward_hops,
        ret: rep_return.unwrap_or_default(),
        forward_found,
        return_found,
        explanations,
        admitted,
        arrived,
        notes,
    }
}

/// What forward branch `i` delivered for good: its arrived traffic, or
/// where replies exist, the part whose replies got back. The flag says
/// whether a reply was needed.
fn branch_admitted(
    topo: &Topology,
    i: usize,
    forward_traces: &[Trace],
    return_traces: &[(usize, Trace)],
) -> (HeaderSet, bool) {
    let arrived = &forward_traces[i].reached.as_ref().expect("reached").1;
    // In the source's own addresses, before any NAT on the way.
    let sent = untranslate(topo, &forward_traces[i].translations, arrived);
    let needs_reply = !arrived.reply().is_empty()
        && !matches!(forward_traces[i].reached, Some((Exit::NoReturn, _)));
    if !needs_reply {
        return (sent, false);
    }
    let mut back = HeaderSet::empty();
    for (_, t) in return_traces
        .iter()
        .filter(|(f, t)| *f == i && t.reached.is_some() && !t.blocked)
    {
        back.extend(t.reached.as_ref().expect("reached").1.clone());
    }
    (round_trip_traffic(&sent, &back), true)
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

/// Evaluate `initial` from `src` towards many destinations at once.
///
/// `dst` names the destination side as for [`analyze_endpoints`] (for a
/// peering source it picks the VPC to enter); when `dst_enis` is given the
/// walk accepts delivery to any of those ENIs instead of `dst` alone.
/// `src_enis` likewise lets the return path end at any of several source
/// ENIs, so one walk can carry the addresses of a whole class of sources
/// that share subnet, security groups and state. For one source and one
/// destination this gives exactly `analyze_endpoints(...).admitted`, split
/// by branch. Only clean branches that admit something are returned.
pub fn deliveries(
    topo: &Topology,
    src: &Endpoint,
    dst: &Endpoint,
    dst_enis: Option<Arc<BTreeSet<String>>>,
    src_enis: Option<Arc<BTreeSet<String>>>,
    initial: HeaderSet,
) -> Vec<Delivery> {
    deliveries_with(topo, src, dst, dst_enis, src_enis, initial, true)
}

/// [`deliveries`], optionally lean: with `record` false the walk records
/// no hops (every [`Delivery::hops`] is empty) and builds no explanations,
/// which is much cheaper; what is admitted is the same.
pub fn deliveries_with(
    topo: &Topology,
    src: &Endpoint,
    dst: &Endpoint,
    dst_enis: Option<Arc<BTreeSet<String>>>,
    src_enis: Option<Arc<BTreeSet<String>>>,
    initial: HeaderSet,
    record: bool,
) -> Vec<Delivery> {
    let forward_walk = Walk {
        topo,
        mode: Mode::Forward,
        goal: match dst_enis {
            Some(set) => Goal::AnyEni(set),
            None => goal_of(topo, dst),
        },
        notes: RefCell::new(Vec::new()),
        record,
    };
    let forward_traces = forward_walk.start(src, dst, initial);
    let return_walk = Walk {
        topo,
        mode: Mode::Return,
        goal: match src_enis {
            Some(set) => Goal::AnyEni(set),
            None => goal_of(topo, src),
        },
        notes: RefCell::new(Vec::new()),
        record,
    };
    let mut return_traces: Vec<(usize, Trace)> = Vec::new();
    for (i, t) in forward_traces.iter().enumerate() {
        if t.blocked {
            continue;
        }
        if let Some((exit, arrived)) = &t.reached {
            let reply = arrived.reply();
            if reply.is_empty() {
                continue;
            }
            for rt in return_walk.start_return(exit, t, reply) {
                return_traces.push((i, rt));
            }
        }
    }
    let mut out = Vec::new();
    for i in 0..forward_traces.len() {
        let t = &forward_traces[i];
        if t.blocked {
            continue;
        }
        let Some((exit, _)) = &t.reached else {
            continue;
        };
        let (admitted, _) = branch_admitted(topo, i, &forward_traces, &return_traces);
        if admitted.is_empty() {
            continue;
        }
        let reached = match exit {
            Exit::Eni(id) | Exit::Igw(id) | Exit::Vgw(id) => id.clone(),
            Exit::Pcx { pcx, .. } => pcx.clone(),
            Exit::Vpce { vpce, .. } => vpce.clone(),
            Exit::Service { .. } => String::new(),
            Exit::Eigw { eigw, .. } => eigw.clone(),
            Exit::NoReturn => match &forward_walk.goal {
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
    out
}

/// Forward traffic whose replies made it back. Replies are swapped copies,
/// so the reply of what came back is the forward traffic again, except for
/// ICMP where the reply type differs from the request type.
/// Undo the source translations of a forward trace, so that traffic that
/// needs no reply is stated in the source's own addresses, as round-trip
/// traffic is (its replies were translated back on the way).
fn untranslate(topo: &Topology, translations: &[Translation], arrived: &HeaderSet) -> HeaderSet {
    let mut set = arrived.clone();
    for t in translations.iter().rev() {
        set = match t {
            Translation::Igw { vpc } => {
                let mut out = HeaderSet::empty();
                for (private, public) in topo.public_mappings_of_vpc(vpc) {
                    for c in set.cubes() {
                        if c.src.contains(public) {
                            out.push(Cube {
                                src: AddrSet::from_iter([private..=private]),
                                ..c.clone()
                            });
                        }
                    }
                }
                out
            }
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

/// vpcreach's own explanation code (AWS's analyzers are IPv4-only and have
/// none): IPv6 initiated from outside meets an egress-only internet gateway.
pub const EIGW_INBOUND_INITIATED: &str = "EGRESS_ONLY_IGW_INBOUND_INITIATED";

fn protocol_cube(query: &PathQuery) -> Cube {
    let mut cube = Cube::everything();
    if let ProtocolChoice::Number(p) = query.protocol {
        cube.proto = ProtoSet::from_iter([p..=p]);
        if p == PROTO_ICMP || p == PROTO_ICMPV6 {
            // For ICMP, --port names the ICMP type (AWS's FromPort convention).
            if let Some((from, to)) = query.dport {
                cube.sport = port_range(from, to);
            }
            return cube;
        }
    }
    if let Some((from, to)) = query.dport {
        cube.dport = port_range(from, to);
    }
    if let Some((from, to)) = query.sport {
        cube.sport = port_range(from, to);
    }
    cube
}

pub fn initial_set(
    topo: &Topology,
    query: &PathQuery,
    src: &Endpoint,
    dst: &Endpoint,
) -> HeaderSet {
    let mut cube = protocol_cube(query);
    let src_addrs = endpoint_addrs(topo, src, query.source_ip, dst);
    let dst_addrs = match dst {
        // From the internet an ENI is addressed by its public IPs.
        Endpoint::Eni { eni, addrs, .. } if entering_through_igw(src) => {
            let publics = public_addrs_of(topo.net, eni, addrs);
            if publics.is_empty() {
                addrs.clone()
            } else {
                publics
            }
        }
        _ => endpoint_addrs(topo, dst, query.destination_ip, src),
    };
    // One cube per address family: an IPv4 source never sends to an IPv6
    // destination (a dual-stack question asks both families).
    let mut set = HeaderSet::empty();
    for family in [all_v4(), all_v6()] {
        cube.src = &src_addrs & &family;
        cube.dst = &dst_addrs & &family;
        set.push(cube.clone());
    }
    set
}

/// The addresses an endpoint stands for at its end of a question; `explicit`
/// (`--source-ip` / `--destination-ip`) narrows a gateway to one address.
/// `other` is the opposite end (a peering is entered on its side).
pub fn endpoint_addrs(
    topo: &Topology,
    e: &Endpoint,
    explicit: Option<std::net::IpAddr>,
    other: &Endpoint,
) -> AddrSet {
    let net = topo.net;
    let or_explicit = |default: &dyn Fn() -> AddrSet| explicit.map(ip_set).unwrap_or_else(default);
    match e {
        Endpoint::Eni { addrs, .. } | Endpoint::External { addrs, .. } => addrs.clone(),
        Endpoint::InternetGateway(_) => or_explicit(&|| internet_addrs(net)),
        Endpoint::Peering(pcx) => or_explicit(&|| {
            let Some(p) = net.peerings.get(pcx) else {
                return AddrSet::new();
            };
            // The side away from the other end's VPC.
            let side = match endpoint_vpc(topo, other) {
                Some(v) if p.requester.vpc_id == v => &p.accepter,
                Some(_) => &p.requester,
                None => &p.accepter,
            };
            nets_set(&side.cidrs)
        }),
        Endpoint::NatGateway(id) => nat_private_ip(net.nat_gateways.get(id))
            .map(ip_set)
            .unwrap_or_default(),
        Endpoint::VpnGateway(id) => or_explicit(&|| on_prem_addrs(net, id)),
        Endpoint::GatewayEndpoint(id) => or_explicit(&|| endpoint_service_addrs(net, id)),
        Endpoint::TgwAttachment(id) => or_explicit(&|| attachment_addrs(net, id)),
        // Behind a bare TGW: what lies behind its attachments, except the
        // other end's own VPC.
        Endpoint::TransitGateway(id) => or_explicit(&|| {
            let own = endpoint_vpc(topo, other);
            tgw_attachments_of(net, id)
                .filter(|a| a.vpc.as_ref().map(|v| &v.vpc_id) != own.as_ref())
                .fold(AddrSet::new(), |acc, a| acc | attachment_addrs(net, &a.id))
        }),
    }
}

/// (addresses, protocol, port) of the AWS services an ENI of `vpc` reaches
/// without SG or NACL filtering (C1.9, C2.9): the Route 53 Resolver at the
/// primary CIDR's base + 2 (tcp and udp 53), instance metadata
/// 169.254.169.254 (tcp 80), Amazon Time Sync 169.254.169.123 (udp 123).
fn aws_service_ports(net: &Network, vpc: &str) -> Vec<(AddrSet, u8, u16)> {
    let mut out = vec![
        (
            ip_set(std::net::Ipv4Addr::new(169, 254, 169, 254)),
            PROTO_TCP,
            80,
        ),
        (
            ip_set(std::net::Ipv4Addr::new(169, 254, 169, 123)),
            PROTO_UDP,
            123,
        ),
    ];
    if let Some(base) = net.vpcs.get(vpc).and_then(|v| v.cidrs.first()) {
        let resolver = ip_set(std::net::Ipv4Addr::from(u32::from(base.network()) + 2));
        out.push((resolver.clone(), PROTO_UDP, 53));
        out.push((resolver, PROTO_TCP, 53));
    }
    out
}

fn aws_service_addrs(net: &Network, vpc: &str) -> AddrSet {
    aws_service_ports(net, vpc)
        .into_iter()
        .fold(AddrSet::new(), |acc, (a, _, _)| acc | a)
}

fn tgw_attachments_of<'n>(
    net: &'n Network,
    tgw: &'n str,
) -> impl Iterator<Item = &'n TgwAttachment> {
    net.tgw_attachments
        .values()
        .filter(move |a| a.tgw_id == tgw)
}

/// Outside hosts with public addresses come in through an internet gateway;
/// private ones (on-premises) through a virtual private gateway.
fn entering_through_igw(src: &Endpoint) -> bool {
    match src {
        Endpoint::InternetGateway(_) => true,
        Endpoint::External { addrs, .. } => !addrs.is_subset(&(rfc1918() | rfc6598())),
        _ => false,
    }
}

/// The customer network behind a VGW: its VPN connections' static routes,
/// else every private range.
fn on_prem_addrs(net: &Network, vgw: &str) -> AddrSet {
    let routes: Vec<ipnet::Ipv4Net> = net
        .vpn_connections
        .values()
        .filter(|c| c.vpn_gateway_id.as_deref() == Some(vgw))
        .flat_map(|c| c.static_routes.iter().copied())
        .collect();
    if routes.is_empty() {
        rfc1918()
    } else {
        nets_set(&routes)
    }
}

/// The service addresses behind a gateway endpoint: the prefix lists its routes name.
fn endpoint_service_addrs(net: &Network, vpce: &str) -> AddrSet {
    let mut out = AddrSet::new();
    for rt in net.route_tables.values() {
        for r in &rt.routes {
            if let (RouteTarget::VpcEndpoint(id), RouteDestination::PrefixList(pl)) =
                (&r.target, &r.destination)
            {
                if id == vpce {
                    if let Some(cidrs) = net.prefix_lists.get(pl).and_then(|p| p.cidrs.as_ref()) {
                        out |= nets_set(cidrs);
                    }
                }
            }
        }
    }
    out
}

/// What lies behind a transit gateway attachment: its VPC's CIDRs or its VPN's routes.
fn attachment_addrs(net: &Network, att: &str) -> AddrSet {
    let Some(a) = net.tgw_attachments.get(att) else {
        return AddrSet::new();
    };
    if let Some(v) = a.vpc.as_ref().and_then(|v| net.vpcs.get(&v.vpc_id)) {
        return nets_set(&v.cidrs);
    }
    let routes: Vec<ipnet::Ipv4Net> = net
        .vpn_connections
        .values()
        .filter(|c| a.resource_id.as_deref() == Some(c.id.as_str()))
        .flat_map(|c| c.static_routes.iter().copied())
        .collect();
    if routes.is_empty() {
        all_addrs()
    } else {
        nets_set(&routes)
    }
}

fn endpoint_vpc(topo: &Topology, e: &Endpoint) -> Option<String> {
    match e {
        Endpoint::Eni { eni, .. } => topo
            .net
            .network_interfaces
            .get(eni)
            .map(|x| x.vpc_id.clone()),
        Endpoint::NatGateway(id) => topo.net.nat_gateways.get(id).map(|n| n.vpc_id.clone()),
        _ => None,
    }
}

fn public_addrs_of(net: &Network, eni: &str, privates: &AddrSet) -> AddrSet {
    let mut out = AddrSet::new();
    if let Some(e) = net.network_interfaces.get(eni) {
        for p in &e.private_ips {
            if let (true, Some(public)) = (privates.contains(addr_of(p.address)), p.public_ip) {
                out.insert(addr_of(public));
            }
        }
    }
    // IPv6 addresses are public as they are (C4.6).
    out | (privates & &all_v6())
}

/// ELB, NLB and GWLB interfaces: requester-managed, described "ELB …".
pub(crate) fn is_load_balancer_eni(eni: &NetworkInterface) -> bool {
    matches!(
        eni.interface_type.as_str(),
        "network_load_balancer" | "gateway_load_balancer"
    ) || eni
        .description
        .as_deref()
        .is_some_and(|d| d.starts_with("ELB "))
}

fn nat_private_ip(nat: Option<&NatGateway>) -> Option<std::net::Ipv4Addr> {
    nat.and_then(|n| n.addresses.iter().find_map(|a| a.private_ip))
}

fn comp(net: &Network, id: &str) -> ComponentRef {
    ComponentRef {
        id: id.to_string(),
        name: net.name_of(id).map(str::to_string),
    }
}

impl<'t, 'n> Walk<'t, 'n> {
    fn net(&self) -> &'n Network {
        self.topo.net
    }

    fn note(&self, s: String) {
        self.notes.borrow_mut().push(s);
    }

    /// `Some(set)` when recording, for a hop's optional header set.
    fn keep(&self, set: &HeaderSet) -> Option<HeaderSet> {
        self.record.then(|| set.clone())
    }

    fn hop(&self, id: &str, role: &str, outbound: &HeaderSet) -> Hop {
        if !self.record {
            let none = ComponentRef {
                id: String::new(),
                name: None,
            };
            return Hop::new(none, String::new(), HeaderSet::empty());
        }
        Hop::new(comp(self.net(), id), role.to_string(), outbound.clone())
    }

    fn explanation(&self, code: &'static str, message: String, blocked: &HeaderSet) -> Explanation {
        Explanation {
            on_return_path: self.mode == Mode::Return,
            ..Explanation::new(code, message, blocked)
        }
    }

    /// Record a blocker. If it stopped everything, go on with `before` so
    /// that later blockers are found too.
    fn gate(
        &self,
        trace: &mut Trace,
        before: &HeaderSet,
        after: HeaderSet,
        explanation: impl FnOnce() -> Explanation,
    ) -> HeaderSet {
        if after.is_empty() && !before.is_empty() {
            if self.record {
                trace.explanations.push(explanation());
            }
            trace.blocked = true;
            if let Some(h) = trace.hops.last_mut() {
                h.blocked = true;
            }
            before.clone()
        } else {
            after
        }
    }

    /// Record a blocker after which nothing can be followed.
    fn stop(&self, mut trace: Trace, e: Explanation) -> Vec<Trace> {
        if self.record {
            trace.explanations.push(e);
        }
        trace.blocked = true;
        if let Some(h) = trace.hops.last_mut() {
            h.blocked = true;
        }
        vec![trace]
    }

    fn unknown(&self, trace: Trace, id: &str, what: &str, set: &HeaderSet) -> Vec<Trace> {
        let mut e = self.explanation(
            "UNKNOWN_RESOURCE",
            format!("{what} {id} is not in the snapshot; the path cannot be followed past it"),
            set,
        );
        e.components.push(("Component", comp(self.net(), id)));
        self.stop(trace, e)
    }

    /// An IGW that a route table of `vpc` targets but the snapshot lacks.
    fn missing_igw_of_vpc(&self, vpc: &str) -> Option<String> {
        self.net()
            .route_tables
            .values()
            .filter(|rt| rt.vpc_id == vpc)
            .flat_map(|rt| rt.routes.iter())
            .find_map(|r| match &r.target {
                RouteTarget::InternetGateway(id)
                    if !self.net().internet_gateways.contains_key(id) =>
                {
                    Some(id.clone())
                }
                _ => None,
            })
    }

    // ---------------------------------------------------------------- starts

    fn start(&self, src: &Endpoint, dst: &Endpoint, set: HeaderSet) -> Vec<Trace> {
        let trace = Trace {
            hops: Hops {
                v: Vec::new(),
                on: self.record,
            },
            ..Trace::default()
        };
        match src {
            Endpoint::Eni { eni, .. }
                if self
                    .net()
                    .network_interfaces
                    .get(eni)
                    .is_some_and(|e| e.interface_type == "vpc_endpoint") =>
            {
                let mut e = self.explanation("VPCE_INTRA_VPC_TRAFFIC", format!("{eni} belongs to an interface VPC endpoint, which cannot initiate connections; ask about the reverse direction (C8.2)"), &set);
                e.components
                    .push(("NetworkInterface", comp(self.net(), eni)));
                if let Some(vpce) = self
                    .net()
                    .vpc_endpoints
                    .values()
                    .find(|v| v.network_interface_ids.contains(eni))
                {
                    e.components
                        .push(("VpcEndpoint", comp(self.net(), &vpce.id)));
                }
                self.stop(trace, e)
            }
            Endpoint::Eni { eni, .. } => {
                let services = self
                    .topo
                    .net
                    .network_interfaces
                    .get(eni)
                    .map(|e| aws_service_addrs(self.net(), &e.vpc_id))
                    .unwrap_or_default();
                // Only when the question names a service address: packets to
                // it never reach an IGW, but `internet` must not be answered
                // by the metadata service either.
                let asked = matches!(&self.goal, Goal::External(a) if !a.is_empty() && a.is_subset(&services));
                let to_service = set.restrict_dst(&services);
                if !asked || to_service.is_empty() {
                    return self.eni_out(trace, eni, set, false);
                }
                let rest = set.subtract(&to_service);
                let mut out = self.to_aws_service(trace.clone(), eni, to_service);
                if !rest.is_empty() {
                    out.extend(self.eni_out(trace, eni, rest, false));
                }
                out
            }
            Endpoint::External { label, .. } if !entering_through_igw(src) => {
                // A private outside address: on premises, behind a VGW.
                let vpc = endpoint_vpc(self.topo, dst);
                let vgw = vpc
                    .as_deref()
                    .and_then(|v| self.topo.vgws_of_vpc(v).first().map(|g| g.id.clone()));
                match vgw {
                    Some(vgw) => self.enter_from_vgw(trace, &vgw, set),
                    None => {
                        let mut e = self.explanation(
                            "NO_PATH",
                            format!("{label} is a private address outside the snapshot's VPCs; it could only enter through a VPN gateway or transit gateway, and the destination's VPC has no VPN gateway attached"),
                            &set,
                        );
                        if let Some(v) = vpc {
                            e.components.push(("Vpc", comp(self.net(), &v)));
                        }
                        self.stop(trace, e)
                    }
                }
            }
            Endpoint::VpnGateway(vgw) => self.enter_from_vgw(trace, vgw, set),
            Endpoint::GatewayEndpoint(id) => {
                let mut e = self.explanation(
                    "NO_PATH",
                    format!("the service behind gateway endpoint {id} does not initiate connections into the VPC (C8.1); ask about the reverse direction"),
                    &set,
                );
                e.components.push(("VpcEndpoint", comp(self.net(), id)));
                self.stop(trace, e)
            }
            Endpoint::TgwAttachment(id) => match self.net().tgw_attachments.get(id) {
                Some(att) => self.enter_tgw_through(trace, att, set),
                None => self.unknown(trace, id, "transit gateway attachment", &set),
            },
            // A bare TGW as the source: traffic entering it through any of
            // its attachments, each with the addresses behind it.
            Endpoint::TransitGateway(id) => {
                let mut out = Vec::new();
                for att in tgw_attachments_of(self.net(), id) {
                    let part = set.restrict_src(&attachment_addrs(self.net(), &att.id));
                    if !part.is_empty() {
                        out.extend(self.enter_tgw_through(trace.clone(), att, part));
                    }
                }
                if out.is_empty() {
                    return self.unknown(trace, id, "attachment of transit gateway", &set);
                }
                out
            }
            Endpoint::External { label, .. } => {
                let vpc = endpoint_vpc(self.topo, dst);
                let igw = vpc
                    .as_deref()
                    .and_then(|v| self.topo.igws_of_vpc(v).first().map(|g| g.id.clone()));
                match (igw, vpc) {
                    (Some(igw), _) => self.enter_from_internet(trace, &igw, set),
                    (None, Some(vpc)) => {
                        // A route names an IGW the snapshot lacks: unknown, not absent.
                        if let Some(missing) = self.missing_igw_of_vpc(&vpc) {
                            return self.unknown(trace, &missing, "internet gateway", &set);
                        }
                        let mut out = Vec::new();
                        let mut set = set;
                        // IPv6 initiated from the internet: an egress-only
                        // gateway never lets it in (C4.6).
                        if let Some(eigw) = self.topo.eigws_of_vpc(&vpc).first() {
                            let v6 = set.restrict_src(&all_v6());
                            if !v6.is_empty() {
                                set = set.restrict_src(&all_v4());
                                let mut t = trace.clone();
                                t.hops.push(self.hop(
                                    &eigw.id,
                                    "egress-only internet gateway (ingress)",
                                    &v6,
                                ));
                                let mut e = self.explanation(EIGW_INBOUND_INITIATED, format!("{label} can send IPv6 into {vpc} only through an internet gateway; {} is egress-only: it carries connections the VPC initiates and their replies, never connections initiated from the internet (C4.6)", eigw.id), &v6);
                                e.components.push((
                                    "EgressOnlyInternetGateway",
                                    comp(self.net(), &eigw.id),
                                ));
                                e.components.push(("Vpc", comp(self.net(), &vpc)));
                                e.fix = Some(format!("attach an internet gateway to {vpc} to accept IPv6 from the internet"));
                                out.extend(self.stop(t, e));
                            }
                        }
                        if !set.is_empty() {
                            let mut e = self.explanation("NO_PATH", format!("{label} can enter {vpc} only through an internet gateway, and none is attached to it"), &set);
                            e.components.push(("Vpc", comp(self.net(), &vpc)));
                            out.extend(self.stop(trace, e));
                        }
                        out
                    }
                    (None, None) => {
                        let e = self.explanation(
                            "NO_PATH",
                            "both ends are outside every VPC in the snapshot".into(),
                            &set,
                        );
                        self.stop(trace, e)
                    }
                }
            }
            Endpoint::InternetGateway(igw) => self.enter_from_internet(trace, igw, set),
            Endpoint::Peering(pcx) => match endpoint_vpc(self.topo, dst) {
                Some(vpc) => {
                    let mut trace = trace;
                    trace
                        .hops
                        .push(self.hop(pcx, "VPC peering connection (entry)", &set));
                    self.deliver_local(trace, &vpc, set, None)
                }
                None => {
                    let e = self.explanation(
                        "NO_PATH",
                        format!(
                            "traffic from {pcx} can only reach resources inside a VPC it joins"
                        ),
                        &set,
                    );
                    self.stop(trace, e)
                }
            },
            Endpoint::NatGateway(nat) => {
                let mut e = self.explanation(
                    "NO_PATH",
                    format!("{nat} cannot initiate connections (C5.3)"),
                    &set,
                );
                e.components.push(("NatGateway", comp(self.net(), nat)));
                self.stop(trace, e)
            }
        }
    }

    /// Traffic from an ENI to the Route 53 Resolver (VPC+2), instance
    /// metadata (169.254.169.254) or Amazon Time Sync (169.254.169.123):
    /// no security group (C1.9), network ACL (C2.9) or route is involved;
    /// the service answers on its own port only.
    fn to_aws_service(&self, mut trace: Trace, eni_id: &str, set: HeaderSet) -> Vec<Trace> {
        let Some(eni) = self.net().network_interfaces.get(eni_id) else {
            return self.unknown(trace, eni_id, "network interface", &set);
        };
        let mut hop = self.hop(&eni.id, "network interface (source)", &set);
        hop.inbound = self.keep(&set);
        hop.subnet = Some(eni.subnet_id.clone());
        hop.vpc = Some(eni.vpc_id.clone());
        trace.hops.push(hop);
        let set = self.state_checks(&mut trace, eni, set);
        let mut served = HeaderSet::empty();
        for (addrs, proto, port) in aws_service_ports(self.net(), &eni.vpc_id) {
            served.extend(set.intersect_cube(&Cube {
                dst: addrs,
                proto: ProtoSet::from_iter([proto..=proto]),
                dport: port_range(port, port),
                ..Cube::everything()
            }));
        }
        trace.hops.push(self.hop(
            &describe_addrs(&set.dst_union()),
            "AWS service (not filtered by security groups or network ACLs, C1.9, C2.9)",
            &served,
        ));
        let before = set.clone();
        let set = self.gate(&mut trace, &before, served, || {
            self.explanation("NO_PATH", format!("{} is an AWS service address (Route 53 Resolver: tcp/udp 53, instance metadata: tcp/80, Amazon Time Sync: udp/123); nothing answers {}", describe_addrs(&before.dst_union()), describe_protocols(&before)), &before)
        });
        match &self.goal {
            Goal::External(addrs) => {
                let arrived = set.restrict_dst(addrs);
                trace.reached = Some((
                    Exit::Service {
                        eni: eni.id.clone(),
                    },
                    arrived,
                ));
                vec![trace]
            }
            _ => {
                let e = self.explanation(
                    "NO_PATH",
                    "the traffic goes to an AWS service address, not to the destination".into(),
                    &set,
                );
                self.stop(trace, e)
            }
        }
    }

    fn start_return(&self, exit: &Exit, forward: &Trace, reply: HeaderSet) -> Vec<Trace> {
        let trace = Trace {
            nat_bindings: forward.nat_bindings.clone(),
            forward_exits: forward.tgw_exits.clone(),
            hops: Hops {
                v: Vec::new(),
                on: self.record,
            },
            ..Trace::default()
        };
        match exit {
            Exit::Eni(eni) => self.eni_out(trace, eni, reply, false),
            Exit::Igw(igw) => self.enter_from_internet(trace, igw, reply),
            Exit::Eigw { eigw, vpc } => {
                // Stateful: replies to what went out come back in (C4.6).
                let mut trace = trace;
                let mut hop = self.hop(eigw, "egress-only internet gateway (reply)", &reply);
                hop.vpc = Some(vpc.clone());
                trace.hops.push(hop);
                self.deliver_local(trace, vpc, reply, None)
            }
            Exit::Vgw(vgw) => self.enter_from_vgw(trace, vgw, reply),
            Exit::Vpce { vpce, vpc } => {
                let mut trace = trace;
                trace
                    .hops
                    .push(self.hop(vpce, "gateway endpoint (reply)", &reply));
                self.deliver_local(trace, vpc, reply, None)
            }
            Exit::Pcx { pcx, from_vpc } => {
                let mut trace = trace;
                trace
                    .hops
                    .push(self.hop(pcx, "VPC peering connection (reply)", &reply));
                self.deliver_local(trace, from_vpc, reply, None)
            }
            Exit::NoReturn => Vec::new(),
            Exit::Service { eni } => {
                let mut trace = trace;
                trace.hops.push(self.hop(
                    eni,
                    "network interface (reply from the AWS service arrives)",
                    &reply,
                ));
                trace.reached = Some((Exit::Eni(eni.clone()), reply));
                vec![trace]
            }
        }
    }

    // ------------------------------------------------------------------ ENIs

    fn state_checks(&self, trace: &mut Trace, eni: &NetworkInterface, set: HeaderSet) -> HeaderSet {
        if self.mode == Mode::Return {
            return set;
        }
        let mut set = set;
        if let Some(inst_id) = eni.attachment.as_ref().and_then(|a| a.instance_id.as_ref()) {
            if let Some(inst) = self.net().instances.get(inst_id) {
                if inst.state != "running" {
                    let before = set.clone();
                    set = self.gate(trace, &before, HeaderSet::empty(), || {
                        let mut e = self.explanation(
                            "BAD_STATE",
                            format!(
                                "instance {} is {}, not running (C10.6)",
                                inst.id, inst.state
                            ),
                            &before,
                        );
                        e.components.push(("Component", comp(self.net(), &inst.id)));
                        e.fix = Some(format!("start {}", inst.id));
                        e
                    });
                }
            }
        }
        let requester_managed = eni.interface_type != "interface";
        let attached = eni
            .attachment
            .as_ref()
            .is_some_and(|a| a.status == "attached");
        if !requester_managed && !attached {
            let before = set.clone();
            set = self.gate(trace, &before, HeaderSet::empty(), || {
                let mut e = self.explanation(
                    "BAD_STATE_ATTACHMENT",
                    format!(
                        "{} is not attached to an instance (status {})",
                        eni.id, eni.status
                    ),
                    &before,
                );
                e.components
                    .push(("NetworkInterface", comp(self.net(), &eni.id)));
                e
            });
        }
        set
    }

    fn sg_check(
        &self,
        trace: &mut Trace,
        eni: &NetworkInterface,
        dir: Direction,
        set: HeaderSet,
    ) -> HeaderSet {
        if self.mode == Mode::Return || eni.group_ids.is_empty() {
            return set;
        }
        let mut notes = Vec::new();
        let verdict = rules::evaluate_sgs(
            self.topo,
            eni,
            dir,
            &set,
            !trace.lost_sg_identity,
            &mut notes,
        );
        notes.into_iter().for_each(|n| self.note(n));
        let role = match dir {
            Direction::Ingress => "security groups, ingress",
            Direction::Egress => "security groups, egress",
        };
        let sg_id = verdict
            .first_match
            .as_ref()
            .map(|m| m.group_id.clone())
            .unwrap_or_else(|| eni.group_ids[0].clone());
        let mut hop = self.hop(&sg_id, role, &verdict.admitted);
        hop.sg_rule = verdict.first_match.clone();
        trace.hops.push(hop);
        let before = set.clone();
        let lost_identity = trace.lost_sg_identity;
        self.gate(trace, &before, verdict.admitted, || {
            let unknown = !verdict.unknown_groups.is_empty();
            let code = if unknown {
                "UNKNOWN_RESOURCE"
            } else if verdict.empty_groups.len() == eni.group_ids.len() {
                "SG_HAS_NO_RULES"
            } else {
                "ENI_SG_RULES_MISMATCH"
            };
            let groups = eni.group_ids.join(", ");
            let traffic = describe_traffic(&before, dir);
            let message = if unknown {
                format!("{} ({groups}) {}: security groups {} are not in the snapshot and the others allow none of {traffic}", eni.id, dir.as_str(), verdict.unknown_groups.join(", "))
            } else {
                format!("no {} rule of {groups} on {} allows {traffic}", dir.as_str(), eni.id)
            };
            let mut e = self.explanation(code, message, &before);
            e.direction = Some(dir);
            e.components.push(("NetworkInterface", comp(self.net(), &eni.id)));
            for g in &eni.group_ids {
                e.components.push(("SecurityGroups", comp(self.net(), g)));
            }
            e.components.push(("Subnet", comp(self.net(), &eni.subnet_id)));
            e.components.push(("Vpc", comp(self.net(), &eni.vpc_id)));
            let peer = match dir {
                Direction::Ingress => describe_addrs(&before.src_union()),
                Direction::Egress => describe_addrs(&before.dst_union()),
            };
            let sg_hint = if lost_identity { " (by address: SG references do not survive NAT or appliances, C1.10)" } else { "" };
            e.fix = Some(format!(
                "add an {} rule to {} allowing {} {} {peer}{sg_hint}",
                dir.as_str(),
                eni.group_ids[0],
                describe_protocols(&before),
                if dir == Direction::Ingress { "from" } else { "to" }
            ));
            e
        })
    }

    /// A packet leaves `eni_id`: the source, or an appliance forwarding it.
    fn eni_out(
        &self,
        mut trace: Trace,
        eni_id: &str,
        set: HeaderSet,
        forwarding: bool,
    ) -> Vec<Trace> {
        let Some(eni) = self.net().network_interfaces.get(eni_id) else {
            return self.unknown(trace, eni_id, "network interface", &set);
        };
        if !forwarding {
            let role = if self.mode == Mode::Return {
                "network interface (reply leaves)"
            } else {
                "network interface (source)"
            };
            let mut hop = self.hop(&eni.id, role, &set);
            hop.inbound = self.keep(&set);
            hop.attached_to = eni
                .attachment
                .as_ref()
                .and_then(|a| a.instance_id.as_ref())
                .map(|i| comp(self.net(), i));
            hop.subnet = Some(eni.subnet_id.clone());
            hop.vpc = Some(eni.vpc_id.clone());
            trace.hops.push(hop);
        }
        let set = if forwarding {
            set
        } else {
            self.state_checks(&mut trace, eni, set)
        };
        let set = self.sg_check(&mut trace, eni, Direction::Egress, set);
        self.leave_subnet(trace, &eni.subnet_id, &eni.vpc_id, set)
    }

    /// Same-subnet traffic skips NACLs and routes (C2.7, C3.3, C10.3); the
    /// rest crosses the NACL outbound and is routed.
    fn leave_subnet(
        &self,
        trace: Trace,
        subnet_id: &str,
        vpc_id: &str,
        set: HeaderSet,
    ) -> Vec<Trace> {
        let Some(subnet) = self.net().subnets.get(subnet_id) else {
            return self.unknown(trace, subnet_id, "subnet", &set);
        };
        let local = subnet_addrs(subnet);
        let within = set.restrict_dst(&local);
        let beyond = set.restrict_dst(&(all_addrs() - &local));
        let mut out = Vec::new();
        if !within.is_empty() {
            out.extend(self.enter_subnet(trace.clone(), subnet_id, within, Some(subnet_id)));
        }
        if !beyond.is_empty() {
            let mut t = trace;
            let set = self.acl_check(&mut t, subnet_id, true, beyond);
            let Some(rt) = self.topo.route_table_of_subnet(subnet_id) else {
                let mut e = self.explanation("UNKNOWN_RESOURCE", format!("the route table of {subnet_id} is not in the snapshot (no explicit association and no main table)"), &set);
                e.components.push(("Subnet", comp(self.net(), subnet_id)));
                return self.stop(t, e).into_iter().chain(out).collect();
            };
            out.extend(self.route(t, rt, vpc_id, Some(subnet_id), set));
        }
        out
    }

    fn acl_check(
        &self,
        trace: &mut Trace,
        subnet_id: &str,
        egress: bool,
        set: HeaderSet,
    ) -> HeaderSet {
        let Some(acl) = self.topo.acl_of_subnet(subnet_id) else {
            let before = set.clone();
            return self.gate(trace, &before, HeaderSet::empty(), || {
                let mut e = self.explanation(
                    "UNKNOWN_RESOURCE",
                    format!("the network ACL of {subnet_id} is not in the snapshot"),
                    &before,
                );
                e.components.push(("Subnet", comp(self.net(), subnet_id)));
                e
            });
        };
        let verdict = rules::evaluate_acl(acl, egress, &set);
        let role = if egress {
            "network ACL, outbound"
        } else {
            "network ACL, inbound"
        };
        let mut hop = self.hop(&acl.id, role, &verdict.admitted);
        hop.acl_rule = verdict
            .allowed_by
            .first()
            .cloned()
            .or_else(|| verdict.denied_by.first().map(|(e, _)| e.clone()));
        hop.subnet = Some(subnet_id.to_string());
        hop.vpc = Some(acl.vpc_id.clone());
        trace.hops.push(hop);
        let dir = if egress {
            Direction::Egress
        } else {
            Direction::Ingress
        };
        if !verdict.admitted.is_empty() || set.is_empty() {
            return verdict.admitted;
        }
        // All of it stopped: one explanation per deny rule that stopped some,
        // then go on with the traffic as it was (see `gate`).
        for (rule, stopped) in verdict.denied_by.iter().filter(|_| self.record) {
            let mut e = self.explanation(
                "SUBNET_ACL_RESTRICTION",
                format!(
                    "{} {} {}",
                    acl.id,
                    if egress { "outbound" } else { "inbound" },
                    describe_acl_denial(rule, stopped, dir)
                ),
                stopped,
            );
            e.direction = Some(dir);
            e.components.push(("Acl", comp(self.net(), &acl.id)));
            e.components.push(("Subnet", comp(self.net(), subnet_id)));
            e.components.push(("Vpc", comp(self.net(), &acl.vpc_id)));
            e.acl_rule = Some(rule.clone());
            e.fix = Some(acl_fix(&acl.id, rule, stopped, dir));
            trace.explanations.push(e);
        }
        trace.blocked = true;
        if let Some(h) = trace.hops.last_mut() {
            h.blocked = true;
        }
        set
    }

    // --------------------------------------------------------------- routing

    fn route(
        &self,
        trace: Trace,
        rt: &RouteTable,
        vpc_id: &str,
        from_subnet: Option<&str>,
        set: HeaderSet,
    ) -> Vec<Trace> {
        if set.is_empty() {
            return vec![trace];
        }
        let (parts, unknown_pls) = partition_by_routes(self.net(), rt, &set);
        for pl in unknown_pls {
            self.note(format!("{} has a route to prefix list {pl} whose entries are not in the snapshot; that route was not considered", rt.id));
        }
        let mut out = Vec::new();
        let mut routed = HeaderSet::empty();
        for (route, part) in parts {
            if let Some(n) = ambiguous_prefix_list_route(self.net(), rt, &route, &part) {
                self.note(n);
            }
            routed.extend(part.clone());
            let mut t = trace.clone();
            let mut hop = self.hop(&rt.id, "route table", &part);
            hop.route = Some(route.clone());
            hop.route_table_id = Some(rt.id.clone());
            hop.vpc = Some(vpc_id.to_string());
            hop.subnet = from_subnet.map(str::to_string);
            t.hops.push(hop);
            if route.state == RouteState::Blackhole {
                let mut e = self.explanation("BAD_STATE_ROUTE", format!("{} routes {} to {}, which is a blackhole (its target no longer exists or is detached)", rt.id, describe_route_dest(&route.destination), route.target.id()), &part);
                e.components.push(("RouteTable", comp(self.net(), &rt.id)));
                e.route = Some(route.clone());
                e.route_table_id = Some(rt.id.clone());
                e.fix = Some(format!(
                    "replace the route {} in {} with one to a live target",
                    describe_route_dest(&route.destination),
                    rt.id
                ));
                out.extend(self.stop(t, e));
                continue;
            }
            out.extend(self.follow_route(t, &route, rt, vpc_id, from_subnet, part));
        }
        let unrouted = set.subtract(&routed);
        if !unrouted.is_empty() {
            let mut t = trace;
            let mut hop = self.hop(&rt.id, "route table", &HeaderSet::empty());
            hop.route_table_id = Some(rt.id.clone());
            hop.vpc = Some(vpc_id.to_string());
            t.hops.push(hop);
            if !self.record {
                t.blocked = true;
                out.push(t);
                return out;
            }
            let mut e = self.explanation(
                "NO_ROUTE_TO_DESTINATION",
                format!(
                    "{} has no route for {}",
                    rt.id,
                    describe_addrs(&unrouted.dst_union())
                ),
                &unrouted,
            );
            e.components.push(("RouteTable", comp(self.net(), &rt.id)));
            if let Some(s) = from_subnet {
                e.components.push(("Subnet", comp(self.net(), s)));
            }
            e.components.push(("Vpc", comp(self.net(), vpc_id)));
            e.fix = Some(format!(
                "add a route in {} for {}",
                rt.id,
                describe_addrs(&unrouted.dst_union())
            ));
            out.extend(self.stop(t, e));
        }
        out
    }

    fn follow_route(
        &self,
        trace: Trace,
        route: &Route,
        rt: &RouteTable,
        vpc_id: &str,
        from_subnet: Option<&str>,
        set: HeaderSet,
    ) -> Vec<Trace> {
        match &route.target {
            RouteTarget::Local => self.deliver_local(trace, vpc_id, set, from_subnet),
            RouteTarget::InternetGateway(igw) => self.to_igw(trace, igw, vpc_id, set),
            RouteTarget::EgressOnlyInternetGateway(eigw) => self.to_eigw(trace, eigw, vpc_id, set),
            RouteTarget::NatGateway(nat) => self.to_nat(trace, nat, from_subnet, set),
            RouteTarget::VpcPeering(pcx) => self.to_pcx(trace, pcx, vpc_id, set),
            RouteTarget::NetworkInterface(eni) => self.to_appliance(trace, eni, from_subnet, set),
            RouteTarget::TransitGateway(tgw) => self.to_tgw(trace, tgw, vpc_id, from_subnet, set),
            RouteTarget::VpnGateway(vgw) => self.to_vgw(trace, vgw, vpc_id, set),
            RouteTarget::VpcEndpoint(vpce) => self.to_vpce(trace, vpce, vpc_id, set),
            RouteTarget::Instance(inst) => match self
                .net()
                .instances
                .get(inst)
                .and_then(|i| i.network_interface_ids.first())
            {
                Some(eni) => {
                    let eni = eni.clone();
                    self.to_appliance(trace, &eni, from_subnet, set)
                }
                None => self.unknown(trace, inst, "instance", &set),
            },
            other => {
                let kind = match other {
                    RouteTarget::TransitGateway(_) => "transit gateway",
                    RouteTarget::VpnGateway(_) => "virtual private gateway",
                    RouteTarget::VpcEndpoint(_) => "VPC endpoint",
                    RouteTarget::EgressOnlyInternetGateway(_) => "egress-only internet gateway",
                    RouteTarget::Other { kind, .. } => kind,
                    _ => "component",
                };
                let mut e = self.explanation(
                    "UNSUPPORTED_COMPONENT",
                    format!("{} sends {} to {kind} {}, which this version does not model; the path is not followed further (not a verdict)", rt.id, describe_addrs(&set.dst_union()), other.id()),
                    &set,
                );
                e.components
                    .push(("Component", comp(self.net(), other.id())));
                e.components.push(("RouteTable", comp(self.net(), &rt.id)));
                e.route = Some(route.clone());
                self.note(format!("{kind} {} is not modelled: paths through it are reported as not found, never guessed", other.id()));
                self.stop(trace, e)
            }
        }
    }

    fn deliver_local(
        &self,
        trace: Trace,
        vpc_id: &str,
        set: HeaderSet,
        from_subnet: Option<&str>,
    ) -> Vec<Trace> {
        let mut out = Vec::new();
        let mut delivered = HeaderSet::empty();
        for subnet_id in self.topo.subnets_of_vpc(vpc_id) {
            let subnet = &self.net().subnets[subnet_id];
            let part = set.restrict_dst(&subnet_addrs(subnet));
            if part.is_empty() {
                continue;
            }
            delivered.extend(part.clone());
            out.extend(self.enter_subnet(trace.clone(), subnet_id, part, from_subnet));
        }
        let rest = set.subtract(&delivered);
        if !rest.is_empty() {
            let mut e = self.explanation(
                "UNKNOWN_DESTINATION",
                format!(
                    "no subnet of {vpc_id} in the snapshot holds {}",
                    describe_addrs(&rest.dst_union())
                ),
                &rest,
            );
            e.components.push(("Vpc", comp(self.net(), vpc_id)));
            out.extend(self.stop(trace, e));
        }
        out
    }

    fn enter_subnet(
        &self,
        mut trace: Trace,
        subnet_id: &str,
        set: HeaderSet,
        from_subnet: Option<&str>,
    ) -> Vec<Trace> {
        let set = if from_subnet == Some(subnet_id) {
            set
        } else {
            self.acl_check(&mut trace, subnet_id, false, set)
        };
        let Some(subnet) = self.net().subnets.get(subnet_id) else {
            return self.unknown(trace, subnet_id, "subnet", &set);
        };
        let mut out = Vec::new();
        let mut owned = HeaderSet::empty();
        let dsts = set.dst_union();
        for eni in self.topo.enis_in_subnet(subnet_id) {
            let mine = eni_addrs(eni);
            if dsts.is_disjoint(&mine) {
                continue;
            }
            let part = set.restrict_dst(&mine);
            owned.extend(part.clone());
            let t = trace.clone();
            if let Some(nat) = self.topo.nat_of_eni(&eni.id) {
                out.extend(self.arrive_at_nat(t, nat, part));
            } else {
                out.extend(self.eni_in(t, eni, part));
            }
        }
        let rest = set.subtract(&owned);
        if !rest.is_empty() {
            // A NAT gateway known only from describe-nat-gateways (no ENI file).
            let nat_ips: Vec<&NatGateway> = self
                .net()
                .nat_gateways
                .values()
                .filter(|n| n.subnet_id == subnet.id)
                .collect();
            for nat in nat_ips {
                let ips: AddrSet = nat
                    .addresses
                    .iter()
                    .filter_map(|a| a.private_ip)
                    .map(addr_of)
                    .map(|a| a..=a)
                    .collect();
                let part = rest.restrict_dst(&ips);
                if !part.is_empty()
                    && nat.addresses.iter().all(|a| {
                        a.network_interface_id
                            .as_ref()
                            .is_none_or(|e| !self.net().network_interfaces.contains_key(e))
                    })
                {
                    out.extend(self.arrive_at_nat(trace.clone(), nat, part));
                    return out;
                }
            }
            let mut e = self.explanation(
                "UNKNOWN_DESTINATION",
                format!(
                    "no network interface in {subnet_id} has address {}",
                    describe_addrs(&rest.dst_union())
                ),
                &rest,
            );
            e.components.push(("Subnet", comp(self.net(), subnet_id)));
            out.extend(self.stop(trace, e));
        }
        out
    }

    fn eni_in(&self, mut trace: Trace, eni: &NetworkInterface, set: HeaderSet) -> Vec<Trace> {
        if is_load_balancer_eni(eni) && crate::analysis::elb::lb_of_eni(self.net(), eni).is_none() {
            self.note(format!(
                "{} belongs to a load balancer ({}) that is not in the snapshot (aws elbv2/elb describe-load-balancers): its listeners and targets are unknown; the verdict covers reaching the load balancer's interface only",
                eni.id,
                eni.description.as_deref().unwrap_or(&eni.interface_type)
            ));
        }
        let set = self.state_checks(&mut trace, eni, set);
        let set = self.sg_check(&mut trace, eni, Direction::Ingress, set);
        let role = if self.mode == Mode::Return {
            "network interface (reply arrives)"
        } else {
            "network interface (destination)"
        };
        let mut hop = self.hop(&eni.id, role, &set);
        hop.attached_to = eni
            .attachment
            .as_ref()
            .and_then(|a| a.instance_id.as_ref())
            .map(|i| comp(self.net(), i));
        hop.subnet = Some(eni.subnet_id.clone());
        hop.vpc = Some(eni.vpc_id.clone());
        trace.hops.push(hop);
        match &self.goal {
            Goal::Eni(goal) if *goal == eni.id => {
                trace.reached = Some((Exit::Eni(eni.id.clone()), set));
                vec![trace]
            }
            Goal::AnyEni(goals) if goals.contains(&eni.id) => {
                trace.reached = Some((Exit::Eni(eni.id.clone()), set));
                vec![trace]
            }
            _ => {
                let e = self.explanation(
                    "NO_PATH",
                    format!(
                        "the traffic is delivered to {}, not to the destination",
                        eni.id
                    ),
                    &set,
                );
                self.stop(trace, e)
            }
        }
    }

    fn to_appliance(
        &self,
        mut trace: Trace,
        eni_id: &str,
        from_subnet: Option<&str>,
        set: HeaderSet,
    ) -> Vec<Trace> {
        let Some(eni) = self.net().network_interfaces.get(eni_id) else {
            return self.unknown(trace, eni_id, "network interface", &set);
        };
        if let Err(e) = self.enter_middlebox(&mut trace, eni_id, &set) {
            return self.stop(trace, e);
        }
        let set = if from_subnet == Some(eni.subnet_id.as_str()) {
            set
        } else {
            self.acl_check(&mut trace, &eni.subnet_id, false, set)
        };
        let own: AddrSet = eni
            .private_ips
            .iter()
            .map(|p| addr_of(p.address))
            .map(|a| a..=a)
            .collect();
        // Traffic addressed to the route target itself is delivered to it,
        // not forwarded (its egress rules and source/destination check
        // play no part).
        let to_itself = set.restrict_dst(&own);
        let mut out = Vec::new();
        if !to_itself.is_empty() {
            out.extend(self.eni_in(trace.clone(), eni, to_itself));
        }
        let set = set.restrict_dst(&(all_addrs() - &own));
        if set.is_empty() {
            return out;
        }
        let set = self.sg_check(&mut trace, eni, Direction::Ingress, set);
        let mut hop = self.hop(&eni.id, "network interface (appliance, route target)", &set);
        hop.attached_to = eni
            .attachment
            .as_ref()
            .and_then(|a| a.instance_id.as_ref())
            .map(|i| comp(self.net(), i));
        hop.subnet = Some(eni.subnet_id.clone());
        hop.vpc = Some(eni.vpc_id.clone());
        trace.hops.push(hop);
        let set = self.state_checks(&mut trace, eni, set);
        let set = if eni.source_dest_check {
            let before = set.clone();
            let after = set.restrict_dst(&own);
            self.gate(&mut trace, &before, after, || {
                let mut e = self.explanation("ENI_SOURCE_DEST_CHECK_RESTRICTION", format!("{} has source/destination check enabled, so it drops traffic for {} (C10.2)", eni.id, describe_addrs(&before.dst_union())), &before);
                e.components.push(("NetworkInterface", comp(self.net(), &eni.id)));
                e.fix = Some(format!("disable source/destination check on {} (ModifyNetworkInterfaceAttribute --no-source-dest-check)", eni.id));
                e
            })
        } else {
            set
        };
        trace.lost_sg_identity = true; // C1.10
        self.appliance_behind_tgw(&mut trace, eni_id);
        out.extend(self.eni_out(trace, eni_id, set, true));
        out
    }

    // -------------------------------------------------------------- gateways

    fn to_igw(&self, mut trace: Trace, igw_id: &str, vpc_id: &str, set: HeaderSet) -> Vec<Trace> {
        let Some(igw) = self.net().internet_gateways.get(igw_id) else {
            return self.unknown(trace, igw_id, "internet gateway", &set);
        };
        let mut hop = self.hop(igw_id, "internet gateway (egress)", &set);
        hop.inbound = self.keep(&set);
        hop.vpc = Some(vpc_id.to_string());
        trace.hops.push(hop);
        let mut set = self.attachment_gate(&mut trace, igw, "InternetGateway", vpc_id, "C4.1", set);
        for (range, code) in [
            (rfc1918(), "IGW_DESTINATION_ADDRESS_NOT_IN_RFC1918_EGRESS"),
            (rfc6598(), "IGW_DESTINATION_ADDRESS_NOT_IN_RFC6598_EGRESS"),
        ] {
            let before = set.clone();
            let after = set.restrict_dst(&(all_addrs() - &range));
            set = self.gate(&mut trace, &before, after, || {
                let mut e = self.explanation(
                    code,
                    format!(
                        "{igw_id} drops outbound traffic to private address {} (C4.4)",
                        describe_addrs(&before.dst_union())
                    ),
                    &before,
                );
                e.components
                    .push(("InternetGateway", comp(self.net(), igw_id)));
                e
            });
        }
        // 1:1 NAT of the private source to its public address (C4.2).
        let before = set.clone();
        let translated = self.igw_snat(vpc_id, &set);
        trace.translations.push(Translation::Igw {
            vpc: vpc_id.to_string(),
        });
        set = self.gate(&mut trace, &before, translated, || {
            let mut e = self.explanation(
                "IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS",
                format!("{} has no public IPv4 address (auto-assigned or Elastic IP), so {igw_id} cannot carry its traffic (C4.2)", describe_addrs(&before.src_union())),
                &before,
            );
            e.components.push(("InternetGateway", comp(self.net(), igw_id)));
            e.fix = Some("associate an Elastic IP with the source, or route through a NAT gateway".into());
            e
        });
        if let Some(h) = trace.hops.last_mut() {
            h.outbound = set.clone();
        }
        match &self.goal {
            Goal::External(addrs) => {
                let arrived = set.restrict_dst(addrs);
                trace.reached = Some((Exit::Igw(igw_id.to_string()), arrived));
                vec![trace]
            }
            Goal::Igw(goal) if goal == igw_id => {
                trace.reached = Some((Exit::Igw(igw_id.to_string()), set));
                vec![trace]
            }
            _ => {
                let mut e = self.explanation("IGW_NAT_REFLECTION", format!("the path leaves through {igw_id} and would come back in to a public address (NAT reflection); like AWS, vpcreach does not analyse it: ask about each half separately (C4.5)"), &set);
                e.components
                    .push(("InternetGateway", comp(self.net(), igw_id)));
                self.stop(trace, e)
            }
        }
    }

    /// An (egress-only) internet gateway carries traffic only for a VPC it
    /// is attached to (C4.1).
    fn attachment_gate(
        &self,
        trace: &mut Trace,
        gw: &InternetGateway,
        kind: &'static str,
        vpc_id: &str,
        rule: &str,
        set: HeaderSet,
    ) -> HeaderSet {
        if gw
            .attachments
            .iter()
            .any(|(v, s)| v == vpc_id && (s == "available" || s == "attached"))
        {
            return set;
        }
        self.gate(trace, &set, HeaderSet::empty(), || {
            let mut e = self.explanation(
                "BAD_STATE_ATTACHMENT",
                format!("{} is not attached to {vpc_id} ({rule})", gw.id),
                &set,
            );
            e.components.push((kind, comp(self.net(), &gw.id)));
            e.components.push(("Vpc", comp(self.net(), vpc_id)));
            e.fix = Some(format!("attach {} to {vpc_id}", gw.id));
            e
        })
    }

    /// Out through an egress-only internet gateway (C4.6): IPv6 only, no
    /// translation, outbound-initiated only. Its replies come back through
    /// it ([`Exit::Eigw`]); a reply to a connection the internet initiated
    /// (in through an IGW of the VPC) leaving through it is not analysed.
    fn to_eigw(&self, mut trace: Trace, eigw_id: &str, vpc_id: &str, set: HeaderSet) -> Vec<Trace> {
        let Some(eigw) = self.net().egress_only_gateways.get(eigw_id) else {
            return self.unknown(trace, eigw_id, "egress-only internet gateway", &set);
        };
        let mut hop = self.hop(eigw_id, "egress-only internet gateway (egress)", &set);
        hop.inbound = self.keep(&set);
        hop.vpc = Some(vpc_id.to_string());
        trace.hops.push(hop);
        if self.mode == Mode::Return {
            let mut e = self.explanation(EIGW_INBOUND_INITIATED, format!("the reply would leave through {eigw_id}, but the connection was initiated from outside: an egress-only internet gateway carries only connections its VPC initiates, and vpcreach does not analyse replies of inbound connections through it (C4.6)"), &set);
            e.components
                .push(("EgressOnlyInternetGateway", comp(self.net(), eigw_id)));
            e.fix = Some(format!("route the subnet's IPv6 replies to an internet gateway, or initiate the connection from inside {vpc_id}"));
            return self.stop(trace, e);
        }
        let mut set = self.attachment_gate(
            &mut trace,
            eigw,
            "EgressOnlyInternetGateway",
            vpc_id,
            "C4.6",
            set,
        );
        // IPv6 only, from an IPv6 address of an attached ENI of the VPC.
        let before = set.clone();
        let passed = self.igw_snat(vpc_id, &set.restrict_src(&all_v6()));
        set = self.gate(&mut trace, &before, passed, || {
            let mut e = self.explanation(
                "IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS",
                format!("{eigw_id} carries only IPv6 from addresses of attached network interfaces of {vpc_id}; {} is not one (C4.6)", describe_addrs(&before.src_union())),
                &before,
            );
            e.components.push(("EgressOnlyInternetGateway", comp(self.net(), eigw_id)));
            e
        });
        if let Some(h) = trace.hops.last_mut() {
            h.outbound = set.clone();
        }
        match &self.goal {
            Goal::External(addrs) => {
                let arrived = set.restrict_dst(addrs);
                trace.reached = Some((
                    Exit::Eigw {
                        eigw: eigw_id.to_string(),
                        vpc: vpc_id.to_string(),
                    },
                    arrived,
                ));
                vec![trace]
            }
            _ => {
                let e = self.explanation("IGW_NAT_REFLECTION", format!("the path leaves through {eigw_id} and would come back in to an address of the snapshot; vpcreach does not analyse it: ask about each half separately (C4.5)"), &set);
                self.stop(trace, e)
            }
        }
    }

    /// Rewrite private sources to their public addresses; drop the others.
    /// IPv6 sources of attached ENIs pass unchanged (identity mappings).
    fn igw_snat(&self, vpc_id: &str, set: &HeaderSet) -> HeaderSet {
        let mut out = HeaderSet::empty();
        let srcs = set.src_union();
        for (private, public) in self.topo.public_mappings_of_vpc(vpc_id) {
            if !srcs.contains(private) {
                continue;
            }
            let only = AddrSet::from_iter([private..=private]);
            for c in set.restrict_src(&only).cubes() {
                out.push(Cube {
                    src: AddrSet::from_iter([public..=public]),
                    ..c.clone()
                });
            }
        }
        out
    }

    fn enter_from_internet(&self, mut trace: Trace, igw_id: &str, set: HeaderSet) -> Vec<Trace> {
        let Some(igw) = self.net().internet_gateways.get(igw_id) else {
            return self.unknown(trace, igw_id, "internet gateway", &set);
        };
        let mut hop = self.hop(igw_id, "internet gateway (ingress)", &set);
        hop.inbound = self.keep(&set);
        trace.hops.push(hop);
        let Some(vpc_id) = igw
            .attachments
            .iter()
            .find(|(_, s)| s == "available" || s == "attached")
            .map(|(v, _)| v.clone())
        else {
            let mut e = self.explanation(
                "BAD_STATE_ATTACHMENT",
                format!("{igw_id} is not attached to any VPC (C4.1)"),
                &set,
            );
            e.components
                .push(("InternetGateway", comp(self.net(), igw_id)));
            return self.stop(trace, e);
        };
        let mut set = set;
        for (range, code) in [
            (rfc1918(), "IGW_SOURCE_ADDRESS_NOT_IN_RFC1918_INGRESS"),
            (rfc6598(), "IGW_SOURCE_ADDRESS_NOT_IN_RFC6598_INGRESS"),
        ] {
            let before = set.clone();
            let after = set.restrict_src(&(all_addrs() - &range));
            set = self.gate(&mut trace, &before, after, || {
                let mut e = self.explanation(
                    code,
                    format!(
                        "{igw_id} drops inbound traffic from private address {} (C4.4)",
                        describe_addrs(&before.src_union())
                    ),
                    &before,
                );
                e.components
                    .push(("InternetGateway", comp(self.net(), igw_id)));
                e
            });
        }
        // Public → private (C4.3).
        let mut translated = HeaderSet::empty();
        let dsts = set.dst_union();
        for (private, public, attached) in self.topo.public_mappings_of_vpc_detailed(&vpc_id) {
            if !dsts.contains(public) || !attached {
                continue;
            }
            let only = AddrSet::from_iter([public..=public]);
            for c in set.restrict_dst(&only).cubes() {
                translated.push(Cube {
                    dst: AddrSet::from_iter([private..=private]),
                    ..c.clone()
                });
            }
        }
        let before = set.clone();
        // When blocked, go on with the addresses as they are so that later
        // blockers (NACL, SG) on the private side are still found.
        set = self.gate(&mut trace, &before, translated, || {
            let mut e = self.explanation(
                "IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS",
                format!("{} is not a public address of an attached network interface in {vpc_id}, so {igw_id} drops inbound traffic to it (C4.3)", describe_addrs(&before.dst_union())),
                &before,
            );
            e.components.push(("InternetGateway", comp(self.net(), igw_id)));
            e.components.push(("Vpc", comp(self.net(), &vpc_id)));
            e.fix = Some("give the destination a public IPv4 address (Elastic IP or auto-assigned)".into());
            e
        });
        if let Some(h) = trace
            .hops
            .iter_mut()
            .rev()
            .find(|h| h.component.id == igw_id)
        {
            h.outbound = set.clone();
            h.vpc = Some(vpc_id.clone());
        }
        match self.topo.gateway_route_table(igw_id) {
            Some(rt) => self.route(trace, rt, &vpc_id, None, set),
            None => self.deliver_local(trace, &vpc_id, set, None),
        }
    }

    fn to_nat(
        &self,
        mut trace: Trace,
        nat_id: &str,
        from_subnet: Option<&str>,
        set: HeaderSet,
    ) -> Vec<Trace> {
        let Some(nat) = self.net().nat_gateways.get(nat_id) else {
            return self.unknown(trace, nat_id, "NAT gateway", &set);
        };
        if let Goal::Nat(goal) = &self.goal {
            if goal == nat_id {
                trace
                    .hops
                    .push(self.hop(nat_id, "NAT gateway (destination)", &set));
                trace.reached = Some((Exit::NoReturn, set));
                return vec![trace];
            }
        }
        if self.mode == Mode::Return {
            // Routed into a NAT gateway, the reply would leave with the
            // gateway's address as its source (C5.2): the client does not
            // take it as the reply to its connection.
            let mut e = self.explanation(
                "NO_PATH",
                format!("the reply is routed into {nat_id}, which would rewrite its source to its own address (C5.2), so the source would not accept it as a reply; replies must not be routed through a NAT gateway"),
                &set,
            );
            e.components.push(("NatGateway", comp(self.net(), nat_id)));
            e.fix = Some(format!(
                "route {} back without {nat_id} (asymmetric routing)",
                describe_addrs(&set.dst_union())
            ));
            return self.stop(trace, e);
        }
        // A NAT gateway in a subnet whose table routes back to it (e.g. a
        // NAT placed in the private subnet it serves) would translate
        // forever: stop at the second visit.
        if trace.visited_appliances.iter().any(|v| v == nat_id) {
            let mut e = self.explanation(
                "NO_PATH",
                format!("routing loop: the route table of {}'s subnet {} sends the traffic back to {nat_id}", nat_id, nat.subnet_id),
                &set,
            );
            e.components.push(("NatGateway", comp(self.net(), nat_id)));
            e.components
                .push(("Subnet", comp(self.net(), &nat.subnet_id)));
            return self.stop(trace, e);
        }
        trace.visited_appliances.push(nat_id.to_string());
        let mut set = if from_subnet == Some(nat.subnet_id.as_str()) {
            set
        } else {
            self.acl_check(&mut trace, &nat.subnet_id, false, set)
        };
        let mut hop = self.hop(nat_id, "NAT gateway", &set);
        hop.inbound = self.keep(&set);
        hop.subnet = Some(nat.subnet_id.clone());
        hop.vpc = Some(nat.vpc_id.clone());
        trace.hops.push(hop);
        if nat.state != "available" {
            let before = set.clone();
            set = self.gate(&mut trace, &before, HeaderSet::empty(), || {
                let mut e = self.explanation(
                    "BAD_STATE",
                    format!("{nat_id} is {}, not available (C5.6)", nat.state),
                    &before,
                );
                e.components.push(("NatGateway", comp(self.net(), nat_id)));
                e
            });
        }
        if let Some(vpc) = self.net().vpcs.get(&nat.vpc_id) {
            let before = set.clone();
            // Traffic from a transit gateway is accepted (centralised egress, C5.4).
            let after = if trace.crossed_tgw {
                set.clone()
            } else {
                set.restrict_src(&nets_set(&vpc.cidrs))
            };
            set = self.gate(&mut trace, &before, after, || {
                let mut e = self.explanation("NGW_REQUIRES_SOURCE_IN_VPC", format!("{nat_id} forwards only traffic from its own VPC {}; {} is outside it (C5.4)", nat.vpc_id, describe_addrs(&before.src_union())), &before);
                e.components.push(("NatGateway", comp(self.net(), nat_id)));
                e
            });
        }
        let nat_protocols = Cube {
            proto: [
                PROTO_ICMP..=PROTO_ICMP,
                PROTO_TCP..=PROTO_TCP,
                PROTO_UDP..=PROTO_UDP,
            ]
            .into_iter()
            .collect(),
            ..Cube::everything()
        };
        let before = set.clone();
        let after = set.intersect_cube(&nat_protocols);
        set = self.gate(&mut trace, &before, after, || {
            let mut e = self.explanation(
                "PROTOCOL_RESTRICTION",
                format!("{nat_id} carries only TCP, UDP and ICMP (C5.5)"),
                &before,
            );
            e.components.push(("NatGateway", comp(self.net(), nat_id)));
            e
        });
        let Some(nat_ip) = nat_private_ip(Some(nat)) else {
            let e = self.explanation(
                "UNKNOWN_RESOURCE",
                format!("{nat_id} has no private address in the snapshot"),
                &set,
            );
            return self.stop(trace, e);
        };
        let binding = NatBinding {
            nat: nat_id.to_string(),
            original_src: set.src_union(),
            original_sport: set.cubes().iter().fold(PortSet::new(), |a, c| a | &c.sport),
        };
        trace.translations.push(Translation::Nat(binding.clone()));
        trace.nat_bindings.push(binding);
        let nat_src = ip_set(nat_ip);
        let tcp_udp: ProtoSet = [PROTO_TCP..=PROTO_TCP, PROTO_UDP..=PROTO_UDP]
            .into_iter()
            .collect();
        // Source NAT (C5.2): new source address, ephemeral source ports for TCP/UDP.
        set = set.map_cubes(|c| Cube {
            src: nat_src.clone(),
            ..c.clone()
        });
        let remapped = set
            .intersect_cube(&Cube {
                proto: tcp_udp.clone(),
                ..Cube::everything()
            })
            .map_cubes(|c| Cube {
                sport: port_range(1024, 65535),
                ..c.clone()
            });
        let mut translated = set.intersect_cube(&Cube {
            proto: all_protos() - &tcp_udp,
            ..Cube::everything()
        });
        translated.extend(remapped);
        if let Some(h) = trace.hops.last_mut() {
            h.outbound = translated.clone();
        }
        trace.lost_sg_identity = true;
        self.leave_subnet(trace, &nat.subnet_id, &nat.vpc_id, translated)
    }

    /// A packet addressed to a NAT gateway's own address: a reply to be
    /// translated back, or an unsolicited connection it drops (C5.3).
    fn arrive_at_nat(&self, mut trace: Trace, nat: &NatGateway, set: HeaderSet) -> Vec<Trace> {
        if let Goal::Nat(goal) = &self.goal {
            if *goal == nat.id {
                trace
                    .hops
                    .push(self.hop(&nat.id, "NAT gateway (destination)", &set));
                trace.reached = Some((Exit::NoReturn, set));
                return vec![trace];
            }
        }
        let mut hop = self.hop(&nat.id, "NAT gateway (reply, reverse translation)", &set);
        hop.inbound = self.keep(&set);
        trace.hops.push(hop);
        let binding = trace
            .nat_bindings
            .iter()
            .rev()
            .find(|b| b.nat == nat.id)
            .cloned();
        let Some(binding) = binding.filter(|_| self.mode == Mode::Return) else {
            let mut e = self.explanation("NO_PATH", format!("{} accepts no connections from outside; only replies to connections it translated come back (C5.3)", nat.id), &set);
            e.components.push(("NatGateway", comp(self.net(), &nat.id)));
            return self.stop(trace, e);
        };
        let tcp_udp: ProtoSet = [PROTO_TCP..=PROTO_TCP, PROTO_UDP..=PROTO_UDP]
            .into_iter()
            .collect();
        let back = set.map_cubes(|c| {
            let mut c = Cube {
                dst: binding.original_src.clone(),
                ..c.clone()
            };
            if c.proto.is_subset(&tcp_udp) {
                c.dport = binding.original_sport.clone();
            }
            c
        });
        if let Some(h) = trace.hops.last_mut() {
            h.outbound = back.clone();
        }
        self.leave_subnet(trace, &nat.subnet_id, &nat.vpc_id, back)
    }

    /// Record passing through a middlebox (appliance ENI, GWLB endpoint);
    /// routing through them can loop, and AWS paths are short.
    fn enter_middlebox(
        &self,
        trace: &mut Trace,
        id: &str,
        set: &HeaderSet,
    ) -> Result<(), Explanation> {
        if trace.visited_appliances.iter().any(|v| v == id)
            || trace.visited_appliances.len() >= MAX_APPLIANCE_HOPS
        {
            return Err(self.explanation(
                "NO_PATH",
                format!("routing loop: the path returns to {id}"),
                set,
            ));
        }
        trace.visited_appliances.push(id.to_string());
        Ok(())
    }

    // ------------------------------------------------------ transit gateway

    /// A packet routed to a transit gateway from `vpc_id` (C7): the VPC's
    /// attachment (AZ affinity, C7.5), the TGW subnet's NACL (C2.10), the
    /// attachment's route table (C7.2, C7.3), then the egress attachment.
    fn to_tgw(
        &self,
        mut trace: Trace,
        tgw_id: &str,
        vpc_id: &str,
        from_subnet: Option<&str>,
        set: HeaderSet,
    ) -> Vec<Trace> {
        let net = self.net();
        let attachments: Vec<&TgwAttachment> = net
            .tgw_attachments
            .values()
            .filter(|a| a.tgw_id == tgw_id)
            .collect();
        if attachments.is_empty() && !net.transit_gateways.contains_key(tgw_id) {
            return self.unknown(trace, tgw_id, "transit gateway", &set);
        }
        let Some(att) = attachments
            .iter()
            .find(|a| a.vpc.as_ref().is_some_and(|v| v.vpc_id == vpc_id))
            .copied()
        else {
            let mut e = self.explanation(
                "UNKNOWN_RESOURCE",
                format!("{vpc_id} routes to {tgw_id}, but the snapshot has no attachment of {vpc_id} to it (describe-transit-gateway-vpc-attachments)"),
                &set,
            );
            e.components.push(("TransitGateway", comp(net, tgw_id)));
            return self.stop(trace, e);
        };
        let vpc_att = att.vpc.as_ref().expect("filtered on vpc attachments");
        // Back into the TGW through the same attachment: the same route
        // table decides again, a loop (found by tests/equivalence.rs).
        if let Err(mut e) = self.enter_middlebox(&mut trace, &att.id, &set) {
            e.components
                .push(("TransitGatewayAttachment", comp(net, &att.id)));
            return self.stop(trace, e);
        }
        let mut hop = self.hop(&att.id, "transit gateway attachment (entry)", &set);
        hop.vpc = Some(vpc_id.to_string());
        trace.hops.push(hop);
        trace.current_exit = None;
        let mut set = self.attachment_state(&mut trace, att, set);
        // AZ affinity: the attachment needs a subnet in the source's AZ (C7.5).
        let source_az = from_subnet
            .and_then(|s| net.subnets.get(s))
            .and_then(|s| s.availability_zone.clone());
        let att_subnet_in = |az: Option<&str>| -> Option<String> {
            vpc_att
                .subnet_ids
                .iter()
                .find(|sid| {
                    net.subnets
                        .get(*sid)
                        .and_then(|s| s.availability_zone.as_deref())
                        == az
                        && az.is_some()
                })
                .cloned()
        };
        let entry_subnet = match att_subnet_in(source_az.as_deref()) {
            Some(s) => Some(s),
            None if source_az.is_none() => vpc_att.subnet_ids.first().cloned(),
            None => {
                let before = set.clone();
                set = self.gate(&mut trace, &before, HeaderSet::empty(), || {
                    let mut e = self.explanation(
                        "TGW_ROUTE_AZ_RESTRICTION",
                        format!("{} has no subnet in {}, the source's Availability Zone, so {tgw_id} cannot take this traffic (C7.5)", att.id, source_az.clone().unwrap_or_default()),
                        &before,
                    );
                    e.components.push(("TransitGatewayAttachment", comp(net, &att.id)));
                    e.components.push(("TransitGateway", comp(net, tgw_id)));
                    e.fix = Some(format!("add a subnet in {} to {}", source_az.clone().unwrap_or_default(), att.id));
                    e
                });
                vpc_att.subnet_ids.first().cloned()
            }
        };
        if let Some(tgw_subnet) = entry_subnet.as_deref() {
            if Some(tgw_subnet) != from_subnet {
                set = self.acl_check(&mut trace, tgw_subnet, false, set);
            }
        }
        self.tgw_route(trace, tgw_id, att, source_az, set)
    }

    /// The subnet whose ENI of `att` the TGW hands a packet to (C7.5): with
    /// appliance mode, a reply keeps the ENI its request used; otherwise the
    /// ENI in the AZ the packet entered the TGW in, or, with none there,
    /// another AZ's (the first subnet, with a note: AWS does not say which).
    /// Records the exit on the trace.
    fn tgw_exit_subnet(
        &self,
        trace: &mut Trace,
        att: &TgwAttachment,
        out_att: &TgwVpcAttachment,
        source_az: Option<&str>,
    ) -> Option<String> {
        let net = self.net();
        let forward = trace
            .forward_exits
            .iter()
            .find(|x| x.attachment == att.id)
            .map(|x| x.subnet.clone());
        let in_az = source_az.and_then(|az| {
            out_att.subnet_ids.iter().find(|sid| {
                net.subnets
                    .get(*sid)
                    .and_then(|s| s.availability_zone.as_deref())
                    == Some(az)
            })
        });
        let subnet = match (out_att.appliance_mode, forward) {
            (true, Some(f)) => Some(f),
            _ => {
                if let (Some(az), None, Some(first)) =
                    (source_az, in_az, out_att.subnet_ids.first())
                {
                    self.note(format!("{} has no subnet in {az}, where the packet entered the transit gateway: the TGW delivers it through an ENI in another Availability Zone, and AWS does not say which; vpcreach follows the one in {first} (C7.5)", att.id));
                }
                in_az.or(out_att.subnet_ids.first()).cloned()
            }
        };
        if let Some(sn) = &subnet {
            trace.tgw_exits.push(TgwExit {
                attachment: att.id.clone(),
                subnet: sn.clone(),
                appliance_mode: out_att.appliance_mode,
                appliances: Vec::new(),
            });
            trace.current_exit = Some(trace.tgw_exits.len() - 1);
        }
        subnet
    }

    /// A packet crosses appliance `eni_id` in a VPC a TGW handed it to. On
    /// a reply through an attachment without appliance mode, whose ENI is
    /// not the one the request used, the reply crosses the appliances of
    /// another AZ (C7.5): a stateful appliance drops a reply to a request it
    /// did not see. Appliance state is not modelled; the verdict stands and
    /// a note says so.
    fn appliance_behind_tgw(&self, trace: &mut Trace, eni_id: &str) {
        let Some(i) = trace.current_exit else {
            return;
        };
        let here = &mut trace.tgw_exits[i];
        here.appliances.push(eni_id.to_string());
        if here.appliance_mode {
            return;
        }
        let Some(fwd) = trace
            .forward_exits
            .iter()
            .find(|x| x.attachment == here.attachment)
        else {
            return;
        };
        if fwd.subnet == here.subnet || fwd.appliances.iter().any(|a| a == eni_id) {
            return;
        }
        let net = self.net();
        let az = |sn: &str| {
            net.subnets
                .get(sn)
                .and_then(|s| s.availability_zone.clone())
                .unwrap_or_else(|| sn.to_string())
        };
        let seen = if fwd.appliances.is_empty() {
            "no appliance".to_string()
        } else {
            fwd.appliances.join(", ")
        };
        self.note(format!(
            "APPLIANCE_MODE: {att} has appliance mode disabled, so the transit gateway picks its ENI by each direction's Availability Zone (C7.5): the request crossed {seen} (through the ENI in {fa}), the reply crosses {eni_id} (through the ENI in {ra}). A stateful appliance drops a reply to a connection it did not see; vpcreach does not model appliance state. Enable ApplianceModeSupport on {att} to keep both directions on one appliance",
            att = here.attachment,
            fa = az(&fwd.subnet),
            ra = az(&here.subnet),
        ));
    }

    /// An attachment that is not `available` carries nothing into or out
    /// of its TGW (C7.1; the way out found by tests/equivalence.rs).
    fn attachment_state(
        &self,
        trace: &mut Trace,
        att: &TgwAttachment,
        set: HeaderSet,
    ) -> HeaderSet {
        if att.state == "available" || att.state.is_empty() {
            return set;
        }
        let before = set.clone();
        self.gate(trace, &before, HeaderSet::empty(), || {
            let mut e = self.explanation(
                "BAD_STATE_ATTACHMENT",
                format!(
                    "{} is {}, not available: {} carries no traffic through it",
                    att.id, att.state, att.tgw_id
                ),
                &before,
            );
            e.components
                .push(("TransitGatewayAttachment", comp(self.net(), &att.id)));
            e
        })
    }

    /// Traffic entering the TGW through `att` (a `tgw-attach-` source):
    /// the attachment's state, then its route table.
    fn enter_tgw_through(
        &self,
        mut trace: Trace,
        att: &TgwAttachment,
        set: HeaderSet,
    ) -> Vec<Trace> {
        let mut hop = self.hop(&att.id, "transit gateway attachment (source)", &set);
        hop.inbound = self.keep(&set);
        hop.vpc = att.vpc.as_ref().map(|v| v.vpc_id.clone());
        trace.hops.push(hop);
        let set = self.attachment_state(&mut trace, att, set);
        self.tgw_route(trace, &att.tgw_id, att, None, set)
    }

    /// The TGW's decision for traffic that entered through `att` (C7.1–C7.3,
    /// C7.6): its associated route table, then the exit attachment.
    fn tgw_route(
        &self,
        mut trace: Trace,
        tgw_id: &str,
        att: &TgwAttachment,
        source_az: Option<String>,
        set: HeaderSet,
    ) -> Vec<Trace> {
        let net = self.net();
        let Some(rtb_id) = att.route_table_id.as_ref() else {
            let mut e = self.explanation(
                "TGW_ATTACH_MISSING_TGW_RTB_ASSOCIATION",
                format!(
                    "{} is not associated with a transit gateway route table (C7.1)",
                    att.id
                ),
                &set,
            );
            e.components
                .push(("TransitGatewayAttachment", comp(net, &att.id)));
            e.fix = Some(format!(
                "associate {} with a route table of {tgw_id}",
                att.id
            ));
            return self.stop(trace, e);
        };
        let Some(rtb) = net.tgw_route_tables.get(rtb_id) else {
            return self.unknown(trace, rtb_id, "transit gateway route table", &set);
        };
        let Some(routes) = rtb.routes.as_ref() else {
            let mut e = self.explanation(
                "TGW_RTB_ROUTES_ARE_UNKNOWN",
                format!("the routes of {rtb_id} are not in the snapshot (add `TransitGatewayRouteTableRoutes` from search-transit-gateway-routes, or propagations)"),
                &set,
            );
            e.components
                .push(("TransitGatewayRouteTable", comp(net, rtb_id)));
            return self.stop(trace, e);
        };
        trace.crossed_tgw = true;
        let sg_ok_in = att.vpc.as_ref().is_some_and(|v| v.sg_referencing);
        let (parts, unknown_pls) = partition_tgw_routes(net, routes, &set);
        for pl in unknown_pls {
            self.note(format!("{rtb_id} has a route to prefix list {pl} whose entries are not in the snapshot; that route was not considered"));
        }
        let mut out = Vec::new();
        let mut routed = HeaderSet::empty();
        for (route, part) in parts {
            routed.extend(part.clone());
            let mut t = trace.clone();
            let kind = if route.kind == TgwRouteKind::Static {
                "static"
            } else {
                "propagated"
            };
            let role = format!(
                "transit gateway route table ({kind} {} → {})",
                describe_route_dest(&route.destination),
                route
                    .attachment_ids
                    .first()
                    .map(String::as_str)
                    .unwrap_or("blackhole")
            );
            let mut hop = self.hop(rtb_id, &role, &part);
            hop.route_table_id = Some(rtb_id.clone());
            t.hops.push(hop);
            let dest = describe_route_dest(&route.destination);
            if route.state == RouteState::Blackhole {
                let mut e = self.explanation(
                    "TGW_RTB_BAD_STATE_ROUTE",
                    format!("{rtb_id} routes {dest} to a blackhole (C7.3)"),
                    &part,
                );
                e.components
                    .push(("TransitGatewayRouteTable", comp(net, rtb_id)));
                e.components.push(("TransitGateway", comp(net, tgw_id)));
                out.extend(self.stop(t, e));
                continue;
            }
            let Some(egress) = route
                .attachment_ids
                .first()
                .and_then(|id| net.tgw_attachments.get(id))
            else {
                let id = route.attachment_ids.first().cloned().unwrap_or_default();
                out.extend(self.unknown(t, &id, "transit gateway attachment", &part));
                continue;
            };
            // An attachment that is not available carries nothing out either
            // (found by tests/equivalence.rs).
            let part = self.attachment_state(&mut t, egress, part);
            if let Goal::TgwAttachment(goal) | Goal::Tgw(goal) = &self.goal {
                if *goal == egress.id || *goal == egress.tgw_id {
                    t.hops.push(self.hop(
                        &egress.id,
                        "transit gateway attachment (destination)",
                        &part,
                    ));
                    t.reached = Some((Exit::NoReturn, part));
                    out.push(t);
                    continue;
                }
            }
            match (&egress.vpc, egress.resource_type.as_str()) {
                (Some(out_att), _) => {
                    // SG identity survives only when both attachments support SG referencing (C7.6).
                    if !(sg_ok_in && out_att.sg_referencing) {
                        t.lost_sg_identity = true;
                    }
                    let exit_subnet =
                        self.tgw_exit_subnet(&mut t, egress, out_att, source_az.as_deref());
                    let mut hop = self.hop(&egress.id, "transit gateway attachment (exit)", &part);
                    hop.vpc = Some(out_att.vpc_id.clone());
                    hop.subnet = exit_subnet.clone();
                    t.hops.push(hop);
                    match exit_subnet {
                        // The destination VPC routes it by the TGW subnet's own table (C7.6).
                        Some(sn) => out.extend(self.leave_subnet(t, &sn, &out_att.vpc_id, part)),
                        None => out.extend(self.unknown(
                            t,
                            &egress.id,
                            "subnet of transit gateway attachment",
                            &part,
                        )),
                    }
                }
                (None, "vpn" | "direct-connect-gateway" | "connect") => {
                    let mut hop = self.hop(
                        &egress.id,
                        "transit gateway attachment (to on-premises)",
                        &part,
                    );
                    hop.vpc = None;
                    t.hops.push(hop);
                    match &self.goal {
                        Goal::External(addrs) => {
                            let arrived = part.restrict_dst(addrs);
                            self.note(format!(
                                "{} leads outside AWS: the verdict covers the AWS side only",
                                egress.id
                            ));
                            t.reached = Some((Exit::NoReturn, arrived));
                            out.push(t);
                        }
                        _ => {
                            let e = self.explanation("NO_PATH", format!("{rtb_id} sends {dest} out through {} ({}), away from the destination", egress.id, egress.resource_type), &part);
                            out.extend(self.stop(t, e));
                        }
                    }
                }
                (None, kind) => {
                    let mut e = self.explanation(
                        "UNSUPPORTED_COMPONENT",
                        format!("{rtb_id} sends {dest} to {} ({kind}); this kind of attachment is not modelled, the path is not followed further (not a verdict)", egress.id),
                        &part,
                    );
                    e.components
                        .push(("TransitGatewayAttachment", comp(net, &egress.id)));
                    out.extend(self.stop(t, e));
                }
            }
        }
        let unrouted = set.subtract(&routed);
        if !unrouted.is_empty() {
            let mut t = trace;
            t.hops
                .push(self.hop(rtb_id, "transit gateway route table", &HeaderSet::empty()));
            let mut e = self.explanation(
                "NO_ROUTE_TO_DESTINATION",
                format!(
                    "{rtb_id} has no route for {}",
                    describe_addrs(&unrouted.dst_union())
                ),
                &unrouted,
            );
            e.components
                .push(("TransitGatewayRouteTable", comp(net, rtb_id)));
            e.components.push(("TransitGateway", comp(net, tgw_id)));
            e.fix = Some(format!(
                "add a static route or a propagation in {rtb_id} for {}",
                describe_addrs(&unrouted.dst_union())
            ));
            out.extend(self.stop(t, e));
        }
        out
    }

    // ------------------------------------------------- VPN gateway, endpoints

    fn to_vgw(&self, mut trace: Trace, vgw_id: &str, vpc_id: &str, set: HeaderSet) -> Vec<Trace> {
        let net = self.net();
        let Some(vgw) = net.vpn_gateways.get(vgw_id) else {
            return self.unknown(trace, vgw_id, "virtual private gateway", &set);
        };
        let mut hop = self.hop(vgw_id, "virtual private gateway (to on-premises)", &set);
        hop.vpc = Some(vpc_id.to_string());
        trace.hops.push(hop);
        let mut set = set;
        if !vgw
            .attachments
            .iter()
            .any(|(v, s)| v == vpc_id && s == "attached")
        {
            let before = set.clone();
            set = self.gate(&mut trace, &before, HeaderSet::empty(), || {
                let mut e = self.explanation(
                    "BAD_STATE_ATTACHMENT",
                    format!("{vgw_id} is not attached to {vpc_id}"),
                    &before,
                );
                e.components.push(("VpnGateway", comp(net, vgw_id)));
                e
            });
        }
        let connections: Vec<&VpnConnection> = net
            .vpn_connections
            .values()
            .filter(|c| c.vpn_gateway_id.as_deref() == Some(vgw_id))
            .collect();
        if connections.is_empty() {
            self.note(format!("no VPN connection of {vgw_id} is in the snapshot: whether its tunnels are up is unknown"));
        } else if !connections.iter().any(|c| c.state == "available") {
            let before = set.clone();
            set = self.gate(&mut trace, &before, HeaderSet::empty(), || {
                let mut e = self.explanation(
                    "BAD_STATE_VPN",
                    format!(
                        "no VPN connection of {vgw_id} is available ({})",
                        connections
                            .iter()
                            .map(|c| format!("{} {}", c.id, c.state))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    &before,
                );
                e.components.push(("VpnGateway", comp(net, vgw_id)));
                for c in &connections {
                    e.components.push(("VpnConnection", comp(net, &c.id)));
                }
                e
            });
        }
        match &self.goal {
            Goal::External(addrs) => {
                self.note(format!(
                    "{vgw_id} leads outside AWS: the verdict covers the AWS side only"
                ));
                trace.reached = Some((Exit::Vgw(vgw_id.to_string()), set.restrict_dst(addrs)));
                vec![trace]
            }
            Goal::Vgw(goal) if goal == vgw_id => {
                trace.reached = Some((Exit::Vgw(vgw_id.to_string()), set));
                vec![trace]
            }
            _ => {
                let mut e = self.explanation("NO_PATH", format!("the route sends the traffic to on-premises through {vgw_id}, away from the destination"), &set);
                e.components.push(("VpnGateway", comp(net, vgw_id)));
                self.stop(trace, e)
            }
        }
    }

    /// Traffic from on-premises entering a VPC through its VGW: the VGW's
    /// gateway route table if it has one (C3.2), else straight to the subnet.
    fn enter_from_vgw(&self, mut trace: Trace, vgw_id: &str, set: HeaderSet) -> Vec<Trace> {
        let net = self.net();
        let Some(vgw) = net.vpn_gateways.get(vgw_id) else {
            return self.unknown(trace, vgw_id, "virtual private gateway", &set);
        };
        let mut hop = self.hop(vgw_id, "virtual private gateway (from on-premises)", &set);
        hop.inbound = self.keep(&set);
        trace.hops.push(hop);
        let Some(vpc_id) = vgw
            .attachments
            .iter()
            .find(|(_, s)| s == "attached")
            .map(|(v, _)| v.clone())
        else {
            let mut e = self.explanation(
                "BAD_STATE_ATTACHMENT",
                format!("{vgw_id} is not attached to any VPC"),
                &set,
            );
            e.components.push(("VpnGateway", comp(net, vgw_id)));
            return self.stop(trace, e);
        };
        match self.topo.gateway_route_table(vgw_id) {
            Some(rt) => self.route(trace, rt, &vpc_id, None, set),
            None => self.deliver_local(trace, &vpc_id, set, None),
        }
    }

    fn to_vpce(&self, mut trace: Trace, vpce_id: &str, vpc_id: &str, set: HeaderSet) -> Vec<Trace> {
        let net = self.net();
        let Some(vpce) = net.vpc_endpoints.get(vpce_id) else {
            return self.unknown(trace, vpce_id, "VPC endpoint", &set);
        };
        match vpce.kind {
            EndpointKind::Gateway => {
                let mut hop = self.hop(vpce_id, "gateway endpoint", &set);
                hop.vpc = Some(vpc_id.to_string());
                trace.hops.push(hop);
                // TCP only (and ICMP echo), C8.1.
                let allowed = {
                    let mut h = HeaderSet::empty();
                    h.push(Cube {
                        proto: ProtoSet::from_iter([PROTO_TCP..=PROTO_TCP]),
                        ..Cube::everything()
                    });
                    h.push(Cube {
                        proto: ProtoSet::from_iter([PROTO_ICMP..=PROTO_ICMP]),
                        sport: port_range(8, 8),
                        ..Cube::everything()
                    });
                    h
                };
                let before = set.clone();
                let after = allowed
                    .cubes()
                    .iter()
                    .fold(HeaderSet::empty(), |mut acc, c| {
                        acc.extend(set.intersect_cube(c));
                        acc
                    });
                let set = self.gate(&mut trace, &before, after, || {
                    let mut e = self.explanation(
                        "VPCE_GATEWAY_PROTOCOL_RESTRICTION",
                        format!(
                            "{vpce_id} ({}) carries only TCP and ICMP echo (C8.1)",
                            vpce.service_name
                        ),
                        &before,
                    );
                    e.components.push(("VpcEndpoint", comp(net, vpce_id)));
                    e
                });
                if vpce.state != "available" && !vpce.state.is_empty() {
                    let mut e =
                        self.explanation("BAD_STATE", format!("{vpce_id} is {}", vpce.state), &set);
                    e.components.push(("VpcEndpoint", comp(net, vpce_id)));
                    return self.stop(trace, e);
                }
                // Not usable from outside the VPC: traffic that came over a
                // TGW, VPN or peering keeps its outside source (C8.1).
                let set = match net.vpcs.get(vpc_id) {
                    Some(vpc) => {
                        let before = set.clone();
                        let after = set.restrict_src(&nets_set(&vpc.cidrs));
                        self.gate(&mut trace, &before, after, || {
                            let mut e = self.explanation("NO_PATH", format!("{vpce_id} serves only sources inside {vpc_id}; {} is outside it (C8.1: gateway endpoints cannot be used over a transit gateway, VPN, Direct Connect or peering)", describe_addrs(&before.src_union())), &before);
                            e.components.push(("VpcEndpoint", comp(net, vpce_id)));
                            e
                        })
                    }
                    None => set,
                };
                let exit = Exit::Vpce {
                    vpce: vpce_id.to_string(),
                    vpc: vpc_id.to_string(),
                };
                match &self.goal {
                    Goal::External(addrs) => {
                        trace.reached = Some((exit, set.restrict_dst(addrs)));
                        vec![trace]
                    }
                    Goal::Vpce(goal) if goal == vpce_id => {
                        trace.reached = Some((exit, set));
                        vec![trace]
                    }
                    _ => {
                        let e = self.explanation("NO_PATH", format!("the route sends the traffic to {} through {vpce_id}, away from the destination", vpce.service_name), &set);
                        self.stop(trace, e)
                    }
                }
            }
            EndpointKind::GatewayLoadBalancer => {
                // Inspection behind the endpoint is not analysed (as AWS); the
                // traffic comes back to the endpoint and follows its subnet's routes.
                if let Err(e) = self.enter_middlebox(&mut trace, vpce_id, &set) {
                    return self.stop(trace, e);
                }
                let mut hop = self.hop(
                    vpce_id,
                    "Gateway Load Balancer endpoint (inspection not analysed)",
                    &set,
                );
                hop.vpc = Some(vpc_id.to_string());
                trace.hops.push(hop);
                self.note(format!("PATH_THROUGH_GWLB_NOT_CHECKED: traffic through {vpce_id} is assumed to come back unchanged from the appliances behind it"));
                trace.lost_sg_identity = true;
                match vpce.subnet_ids.first() {
                    Some(sn) => {
                        let sn = sn.clone();
                        match self.topo.route_table_of_subnet(&sn) {
                            Some(rt) => self.route(trace, rt, vpc_id, Some(&sn), set),
                            None => self.unknown(trace, &sn, "route table of subnet", &set),
                        }
                    }
                    None => self.unknown(trace, vpce_id, "subnet of endpoint", &set),
                }
            }
            _ => {
                let mut e = self.explanation(
                    "UNSUPPORTED_COMPONENT",
                    format!("a route targets {vpce_id}, an endpoint of a kind routes cannot use"),
                    &set,
                );
                e.components.push(("VpcEndpoint", comp(net, vpce_id)));
                self.stop(trace, e)
            }
        }
    }

    fn to_pcx(&self, mut trace: Trace, pcx_id: &str, from_vpc: &str, set: HeaderSet) -> Vec<Trace> {
        let Some(pcx) = self.net().peerings.get(pcx_id) else {
            return self.unknown(trace, pcx_id, "VPC peering connection", &set);
        };
        let mut hop = self.hop(pcx_id, "VPC peering connection", &set);
        hop.vpc = Some(from_vpc.to_string());
        trace.hops.push(hop);
        let mut set = set;
        if pcx.status != "active" {
            let before = set.clone();
            set = self.gate(&mut trace, &before, HeaderSet::empty(), || {
                let mut e = self.explanation(
                    "BAD_STATE",
                    format!("{pcx_id} is {}, not active (C6.1)", pcx.status),
                    &before,
                );
                e.components
                    .push(("VpcPeeringConnection", comp(self.net(), pcx_id)));
                e
            });
        }
        let Some(peer) = pcx.peer_of(from_vpc) else {
            let mut e = self.explanation(
                "NO_PATH",
                format!("{pcx_id} does not join {from_vpc}"),
                &set,
            );
            e.components
                .push(("VpcPeeringConnection", comp(self.net(), pcx_id)));
            return self.stop(trace, e);
        };
        let peer_cidrs = if peer.cidrs.is_empty() {
            self.net()
                .vpcs
                .get(&peer.vpc_id)
                .map(|v| v.cidrs.clone())
                .unwrap_or_default()
        } else {
            peer.cidrs.clone()
        };
        let inside = set.restrict_dst(&nets_set(&peer_cidrs));
        if inside.is_empty() {
            let mut e = self.explanation(
                "PCX_REQUIRES_ADDRESS_IN_VPC_CIDR",
                format!("{pcx_id} carries traffic only to {} ({}); {} is outside it: peering is not transitive (C6.3)", peer.vpc_id, peer_cidrs.iter().map(|c| c.to_string()).collect::<Vec<_>>().join(", "), describe_addrs(&set.dst_union())),
                &set,
            );
            e.components
                .push(("VpcPeeringConnection", comp(self.net(), pcx_id)));
            e.components.push(("Vpc", comp(self.net(), &peer.vpc_id)));
            return self.stop(trace, e);
        }
        if let Goal::Pcx(goal) = &self.goal {
            if goal == pcx_id {
                trace.reached = Some((
                    Exit::Pcx {
                        pcx: pcx_id.to_string(),
                        from_vpc: from_vpc.to_string(),
                    },
                    inside,
                ));
                return vec![trace];
            }
        }
        if !self.net().vpcs.contains_key(&peer.vpc_id)
            && self.topo.subnets_of_vpc(&peer.vpc_id).is_empty()
        {
            return self.unknown(trace, &peer.vpc_id, "peer VPC", &inside);
        }
        let peer_vpc = peer.vpc_id.clone();
        self.deliver_local(trace, &peer_vpc, inside, None)
    }
}

/// C3.6(d): when prefix lists routed to different targets hold the same
/// CIDR, AWS picks one route at random and keeps it. The engine follows
/// the first in table order; this says so when `part` is such traffic.
fn ambiguous_prefix_list_route(
    net: &Network,
    rt: &RouteTable,
    route: &Route,
    part: &HeaderSet,
) -> Option<String> {
    let RouteDestination::PrefixList(pl) = &route.destination else {
        return None;
    };
    let cidrs = |id: &str| -> Vec<ipnet::Ipv4Net> {
        net.prefix_lists
            .get(id)
            .and_then(|p| p.cidrs.clone())
            .unwrap_or_default()
    };
    let mine = cidrs(pl);
    let dsts = part.dst_union();
    let rivals: Vec<String> = rt
        .routes
        .iter()
        .filter(|r| r.target != route.target)
        .filter_map(|r| match &r.destination {
            RouteDestination::PrefixList(other) if other != pl => {
                let shared = cidrs(other)
                    .into_iter()
                    .any(|c| mine.contains(&c) && !dsts.is_disjoint(&net_set(&c)));
                shared.then(|| format!("{other} → {}", r.target.id()))
            }
            _ => None,
        })
        .collect();
    if rivals.is_empty() {
        return None;
    }
    Some(format!(
        "AMBIGUOUS ROUTE (C3.6d): in {}, prefix lists {pl} → {} and {} hold the same CIDR for {}; AWS picks one of these routes at random, so this path follows {} only as one possibility",
        rt.id,
        route.target.id(),
        rivals.join(", "),
        describe_addrs(&dsts),
        route.target.id()
    ))
}

/// Longest-prefix match over a set of destinations (C3.5, C3.6): each
/// route gets the part of the set it wins. Returns the parts in route order
/// and the prefix lists that could not be expanded.
pub fn partition_by_routes(
    net: &Network,
    rt: &RouteTable,
    set: &HeaderSet,
) -> (Vec<(Route, HeaderSet)>, Vec<String>) {
    let (won, unknown) =
        longest_prefix_partition(net, &rt.routes, |r| &r.destination, route_rank, set);
    (
        won.into_iter()
            .map(|(i, s)| (rt.routes[i].clone(), s))
            .collect(),
        unknown,
    )
}

/// Longest-prefix match of a destination set over any route list: each
/// route (by index) gets the part of the set it wins; equal prefixes go to
/// the lower `rank`, then to the earlier route. Also returns the prefix lists
/// that could not be expanded.
fn longest_prefix_partition<R>(
    net: &Network,
    routes: &[R],
    destination: impl Fn(&R) -> &RouteDestination,
    rank: impl Fn(&R) -> u8,
    set: &HeaderSet,
) -> (Vec<(usize, HeaderSet)>, Vec<String>) {
    // Each family has its own longest-prefix match (C3.5); their CIDRs
    // never overlap, so one ordering by prefix length serves both.
    let mut candidates: Vec<(ipnet::IpNet, u8, usize)> = Vec::new();
    let mut unknown = Vec::new();
    for (i, r) in routes.iter().enumerate() {
        match destination(r) {
            RouteDestination::Cidr(c) => candidates.push(((*c).into(), rank(r), i)),
            RouteDestination::PrefixList(pl) => {
                match net.prefix_lists.get(pl).and_then(|p| p.cidrs.as_ref()) {
                    Some(cidrs) => {
                        candidates.extend(cidrs.iter().map(|c| ((*c).into(), rank(r), i)))
                    }
                    None => unknown.push(pl.clone()),
                }
            }
            RouteDestination::Ipv6(c) => {
                if let Ok(c) = c.parse::<ipnet::Ipv6Net>() {
                    candidates.push((c.trunc().into(), rank(r), i));
                }
            }
        }
    }
    candidates.sort_by(|a, b| {
        b.0.prefix_len()
            .cmp(&a.0.prefix_len())
            .then(a.1.cmp(&b.1))
            .then(a.2.cmp(&b.2))
    });
    let mut remaining = set.clone();
    let mut won: Vec<(usize, HeaderSet)> = Vec::new();
    for (cidr, _, idx) in candidates {
        if remaining.is_empty() {
            break;
        }
        let dst = net_set(&cidr);
        let part = remaining.restrict_dst(&dst);
        if part.is_empty() {
            continue;
        }
        remaining = remaining.restrict_dst(&(all_addrs() - &dst));
        match won.iter_mut().find(|(i, _)| *i == idx) {
            Some((_, s)) => s.extend(part),
            None => won.push((idx, part)),
        }
    }
    won.sort_by_key(|(i, _)| *i);
    (won, unknown)
}

/// Priority among routes with the same prefix, lower wins (C3.6): local
/// first, then static CIDR routes, then prefix-list routes, then propagated.
fn route_rank(r: &Route) -> u8 {
    match (&r.target, &r.destination, &r.origin) {
        (RouteTarget::Local, _, _) => 0,
        (_, _, RouteOrigin::EnableVgwRoutePropagation) => 3,
        (_, RouteDestination::PrefixList(_), _) => 2,
        _ => 1,
    }
}

// ----------------------------------------------------------------- wording

fn describe_route_dest(d: &RouteDestination) -> String {
    match d {
        RouteDestination::Cidr(c) => c.to_string(),
        RouteDestination::PrefixList(p) => p.clone(),
        RouteDestination::Ipv6(c) => c.clone(),
    }
}

pub fn describe_addrs(set: &AddrSet) -> String {
    AddrSetDisplay(set).to_string()
}

pub fn describe_protocols(set: &HeaderSet) -> String {
    let parts: Vec<String> = set
        .traffic_summary()
        .iter()
        .map(|t| match t.proto {
            PROTO_TCP | PROTO_UDP => format!("{}/{}", proto_name(t.proto), ports_text(&t.ports)),
            PROTO_ICMP => {
                if t.ports.is_universal() {
                    "icmp".into()
                } else {
                    format!("icmp type {}", ports_text(&t.ports))
                }
            }
            p => proto_name(p),
        })
        .collect();
    if parts.len() > 6 {
        let protos = set.proto_union();
        if protos.is_universal() {
            return "all traffic".into();
        }
        return format!("{} protocols", protos.len());
    }
    parts.join(", ")
}

fn describe_traffic(set: &HeaderSet, dir: Direction) -> String {
    let _ = dir;
    format!(
        "{} from {} to {}",
        describe_protocols(set),
        describe_addrs(&set.src_union()),
        describe_addrs(&set.dst_union())
    )
}

pub fn describe_acl_rule(rule: &AclEntry) -> String {
    let proto = match rule.protocol {
        Protocol::All => "all traffic".to_string(),
        Protocol::Number(p) => {
            let mut s = proto_name(p);
            if let Some((f, t)) = rule.port_range {
                if p == PROTO_TCP || p == PROTO_UDP {
                    s = if f == t {
                        format!("{s}/{f}")
                    } else {
                        format!("{s}/{f}-{t}")
                    };
                }
            }
            if p == PROTO_ICMP {
                if let Some((ty, code)) = rule.icmp_type_code {
                    if ty >= 0 {
                        s = format!(
                            "{s} type {ty}{}",
                            if code >= 0 {
                                format!(" code {code}")
                            } else {
                                String::new()
                            }
                        );
                    }
                }
            }
            s
        }
    };
    let cidr = rule
        .cidr
        .map(|c| c.to_string())
        .or(rule.ipv6_cidr.clone())
        .unwrap_or_default();
    let action = match rule.action {
        RuleAction::Allow => "allows",
        RuleAction::Deny => "denies",
    };
    let number = if rule.rule_number == 32767 {
        "*".to_string()
    } else {
        rule.rule_number.to_string()
    };
    format!(
        "rule {number} {action} {proto} {} {cidr}",
        if rule.egress { "to" } else { "from" }
    )
}

fn describe_acl_denial(rule: &AclEntry, stopped: &HeaderSet, dir: Direction) -> String {
    let peer = match dir {
        Direction::Ingress => format!("from {}", describe_addrs(&stopped.src_union())),
        Direction::Egress => format!("to {}", describe_addrs(&stopped.dst_union())),
    };
    format!(
        "{} — stops {} {peer}",
        describe_acl_rule(rule),
        describe_protocols(stopped)
    )
}

fn acl_fix(acl: &str, rule: &AclEntry, stopped: &HeaderSet, dir: Direction) -> String {
    let peer = match dir {
        Direction::Ingress => format!("from {}", describe_addrs(&stopped.src_union())),
        Direction::Egress => format!("to {}", describe_addrs(&stopped.dst_union())),
    };
    let way = if dir == Direction::Ingress {
        "inbound"
    } else {
        "outbound"
    };
    if rule.rule_number == 32767 {
        format!(
            "add an {way} allow rule to {acl} for {} {peer}",
            describe_protocols(stopped)
        )
    } else {
        format!("rule {} of {acl} denies it: allow {} {peer} with a rule number below {}, or remove rule {}", rule.rule_number, describe_protocols(stopped), rule.rule_number, rule.rule_number)
    }
}

/// Longest prefix over a TGW route table; equal prefixes: static, then
/// prefix-list, then propagated from VPC, Direct Connect, Connect, VPN (C7.3).
fn partition_tgw_routes(
    net: &Network,
    routes: &[TgwRoute],
    set: &HeaderSet,
) -> (Vec<(TgwRoute, HeaderSet)>, Vec<String>) {
    let rank = |r: &TgwRoute| -> u8 {
        match (&r.kind, &r.destination, r.resource_type.as_deref()) {
            (TgwRouteKind::Static, RouteDestination::Cidr(_), _) => 0,
            (TgwRouteKind::Static, _, _) => 1,
            (_, _, Some("vpc")) => 2,
            (_, _, Some("direct-connect-gateway")) => 3,
            (_, _, Some("connect")) => 4,
            (_, _, Some("vpn")) => 5,
            _ => 6,
        }
    };
    let (won, unknown) = longest_prefix_partition(net, routes, |r| &r.destination, rank, set);
    (
        won.into_iter()
            .map(|(i, s)| (routes[i].clone(), s))
            .collect(),
        unknown,
    )
}
