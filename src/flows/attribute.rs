//! One flow log packet at one ENI → what the snapshot says about it.
//!
//! The record names the ENI, the addresses and ports; this module decides
//! the direction, whether the packet opens a flow or answers one (only a new
//! flow is checked by security groups, C1.2), and evaluates it with the
//! core rules ([`crate::analysis::rules`]): the ENI's security groups in that
//! direction and the subnet NACL in that direction, unless the peer is in
//! the same subnet (C2.7).
//!
//! Rules are compiled once into the same [`Cube`]s `rules.rs` builds for
//! `path` ([`rules::acl_entry_cube`], [`rules::sg_rule_cube`]), so that one
//! packet is a few range look-ups; ICMP, whose type and code flow logs do
//! not record, is evaluated as a header set with [`rules::evaluate_acl`] and
//! [`rules::evaluate_sgs`] over every type.
//!
//! ## Request or reply
//!
//! Flow logs do not say whether a record is a new flow or the answer to
//! one, and it matters: a reply is never checked by security groups (they
//! are stateful) but is checked by the NACL (stateless, C2.2), which is how
//! "request ACCEPT, reply REJECT" happens (D.9). The heuristic, in order:
//!
//! 1. TCP with `tcp-flags`: SYN without ACK opens a connection (request);
//!    SYN-ACK answers one (reply).
//! 2. TCP and UDP: the lower of the two ports is the service port (equal
//!    ports: request). If the local side holds the service port, an egress
//!    record is a reply and an ingress record a request; otherwise the
//!    reverse. A record that looks like a reply counts as one only if the
//!    ENI's security groups would have admitted the request it answers (the
//!    reversed packet, in the other direction); if not, no connection could
//!    exist and the record is evaluated as a new flow.
//! 3. ICMP: flow logs record neither type nor code, so echo request and echo
//!    reply look alike. The record is "request or reply": security groups
//!    pass it if they admit it as a new flow **or** admit its reverse (the
//!    state of an earlier request); the NACL is evaluated as is, over every
//!    ICMP type (a rule for some types only gives a partial verdict).
//! 4. Other protocols: request.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Mutex, OnceLock};

use crate::analysis::describe::{describe_acl_rule, describe_addrs};
use crate::analysis::rules::{self, Direction};
use crate::analysis::ExplanationCode;
use crate::analysis::{ComponentRef, Explanation};
use crate::model::*;
use crate::packet::*;
use crate::topology::Topology;

pub use super::verdict::*;

fn role_note_text(port: u16) -> String {
    format!("ports suggest a reply (service port {port}), but the security groups would not admit the request it answers; evaluated as a new flow")
}

/// Checks in the order the packet meets them → the [`Outcome`].
fn combine(
    dir: Direction,
    role: Role,
    mut notes: Vec<String>,
    mut allowed_by: Vec<String>,
    acl: Option<Check>,
    sg: Option<Check>,
) -> Outcome {
    let mut verdict = Verdict::Allow;
    let mut blockers = Vec::new();
    let order: [Option<Check>; 2] = match dir {
        Direction::Ingress => [acl, sg],
        Direction::Egress => [sg, acl],
    };
    for c in order.into_iter().flatten() {
        verdict = verdict.and(c.verdict);
        if let Some(a) = c.allowed_by {
            allowed_by.push(a);
        }
        if let Some(b) = c.blocker {
            blockers.push(b);
        }
        if let Some(n) = c.note {
            notes.push(n);
        }
    }
    Outcome {
        direction: dir,
        role,
        verdict,
        blockers,
        allowed_by,
        notes,
    }
}

pub struct EniInfo<'n> {
    pub eni: &'n NetworkInterface,
    /// Subnet CIDRs (IPv4 and IPv6) as address ranges.
    subnet: Vec<(Addr, Addr)>,
    acl: Option<usize>,
    own: Vec<Addr>,
    /// Per entry of `eni.group_ids`: its slot in [`Attributor::sgs`]
    /// (`None`: not in the snapshot), so a record's look-up hashes no id.
    groups: Vec<Option<u32>>,
    /// An id this ENI's verdict depends on (itself, its subnet, VPC, NACL
    /// or a group) that the snapshot describes more than once with
    /// different content (R-ambiguous.1): its records are unknown.
    pub ambiguous: Option<&'n str>,
}

impl EniInfo<'_> {
    /// The other end of the packet is in the ENI's subnet: the NACL does
    /// not apply (C2.7).
    fn peer_in_subnet(&self, dir: Direction, h: &Header) -> bool {
        let peer = match dir {
            Direction::Egress => h.dst,
            Direction::Ingress => h.src,
        };
        self.subnet
            .iter()
            .any(|&(lo, hi)| (lo..=hi).contains(&peer))
    }
}

struct CompiledAcl<'n> {
    acl: &'n NetworkAcl,
    /// Entries in rule-number order with their cubes; [0] inbound, [1] outbound.
    entries: [Vec<(FlatCube, AclEntry)>; 2],
}

/// Compiled rules of one security group, per direction: (cube, rule index).
type CompiledSg = [OnceLock<Vec<(FlatCube, usize)>>; 2];

/// Per snapshot: ENIs by id, compiled NACLs and security groups.
pub struct Attributor<'t, 'n> {
    pub topo: &'t Topology<'n>,
    by_id: HashMap<&'n str, u32>,
    enis: Vec<EniInfo<'n>>,
    acls: Vec<CompiledAcl<'n>>,
    /// Per security group: its id and, per direction, its compiled rules
    /// (cube, rule index).
    sgs: Vec<(&'n str, CompiledSg)>,
    /// Every prefix list's entries are in the snapshot (asked per denied
    /// record, answered once).
    prefix_lists_known: bool,
    notes: Mutex<BTreeSet<String>>,
}

/// Sorted, disjoint inclusive ranges of one dimension of a [`Cube`], flat:
/// a membership test is a short scan or one binary search, not a B-tree walk.
/// A single range (a rule's CIDR, port range or protocol: nearly every
/// dimension of nearly every rule) is held inline, so testing a rule reads
/// one contiguous [`FlatCube`] and follows no pointer.
#[derive(Debug)]
struct Flat<T> {
    /// The only range, when there is exactly one.
    one: Option<(T, T)>,
    /// Every range, when there are none or several.
    many: Box<[(T, T)]>,
}

impl<T: crate::packet::Integer> Flat<T> {
    fn new(set: &crate::packet::RangeSet<T>) -> Self {
        let ranges: Box<[(T, T)]> = set.ranges().map(|r| (*r.start(), *r.end())).collect();
        match *ranges {
            [one] => Flat {
                one: Some(one),
                many: Box::new([]),
            },
            _ => Flat {
                one: None,
                many: ranges,
            },
        }
    }
    #[inline]
    fn contains(&self, v: T) -> bool {
        if let Some((a, b)) = self.one {
            return a <= v && v <= b;
        }
        let r = &self.many;
        if r.len() <= 8 {
            r.iter().any(|&(a, b)| a <= v && v <= b)
        } else {
            let i = r.partition_point(|&(a, _)| a <= v);
            i > 0 && v <= r[i - 1].1
        }
    }
}

/// A [`Cube`] laid out for membership tests.
#[derive(Debug)]
struct FlatCube {
    proto: Flat<u8>,
    dport: Flat<u16>,
    src: Flat<Addr>,
    dst: Flat<Addr>,
    sport: Flat<u16>,
}

impl FlatCube {
    fn new(c: &Cube) -> Self {
        FlatCube {
            proto: Flat::new(&c.proto),
            dport: Flat::new(&c.dport),
            src: Flat::new(&c.src),
            dst: Flat::new(&c.dst),
            sport: Flat::new(&c.sport),
        }
    }
}

fn contains(c: &FlatCube, h: &Header) -> bool {
    c.proto.contains(h.proto)
        && c.dport.contains(h.dport)
        && c.src.contains(h.src)
        && c.dst.contains(h.dst)
        && c.sport.contains(h.sport)
}

/// The ICMP header set a record stands for: every type and code.
fn icmp_set(h: &Header) -> HeaderSet {
    let mut c = h.cube();
    c.sport = all_ports();
    c.dport = all_ports();
    HeaderSet::from_cube(c)
}

fn dir_index(d: Direction) -> usize {
    match d {
        Direction::Ingress => 0,
        Direction::Egress => 1,
    }
}

fn flip(d: Direction) -> Direction {
    match d {
        Direction::Ingress => Direction::Egress,
        Direction::Egress => Direction::Ingress,
    }
}

pub fn reverse(h: &Header) -> Header {
    Header {
        src: h.dst,
        dst: h.src,
        proto: h.proto,
        sport: h.dport,
        dport: h.sport,
    }
}

/// Result of one component.
struct Check {
    verdict: Verdict,
    allowed_by: Option<String>,
    blocker: Option<Blocker>,
    note: Option<String>,
}

fn sg_rule_text(gid: &str, rule: &SgRule, dir: Direction) -> String {
    let proto = match rule.protocol {
        Protocol::All => "all traffic".to_string(),
        Protocol::Number(p) => match (p, rule.from_port, rule.to_port) {
            (PROTO_TCP | PROTO_UDP, Some(f), Some(t)) if f == t => format!("{}/{f}", proto_name(p)),
            (PROTO_TCP | PROTO_UDP, Some(f), Some(t)) => format!("{}/{f}-{t}", proto_name(p)),
            (PROTO_ICMP, Some(f), _) if f >= 0 => format!("icmp type {f}"),
            _ => proto_name(p),
        },
    };
    let peer = match &rule.peer {
        SgPeer::Cidr(c) => c.to_string(),
        SgPeer::Ipv6Cidr(c) => c.clone(),
        SgPeer::PrefixList(p) => p.clone(),
        SgPeer::Group { group_id, .. } => group_id.clone(),
    };
    let way = if dir == Direction::Ingress {
        "from"
    } else {
        "to"
    };
    format!("{gid} {} rule {proto} {way} {peer}", dir.as_str())
}

/// Network Firewall drops beyond the ENI: VPC flow logs show the packet as
/// ACCEPT where it left (and nothing where it would have arrived), never as
/// REJECT, so records are not attributed to firewall rules (NF.10). Said
/// once whenever the snapshot has firewalls, never silently.
fn firewall_note(net: &Network) -> Option<String> {
    if net.firewalls.is_empty() {
        return None;
    }
    let names: Vec<&str> = net.firewalls.values().map(|f| f.name.as_str()).collect();
    Some(format!(
        "AWS Network Firewall {} drops traffic beyond the ENI: flow logs record such a packet as ACCEPT where it left (and nothing where it was going), never as REJECT, so flows does not attribute records to firewall rules; `vpcreach path` names the firewall, rule group and rule (sid) that drops a flow (NF.10)",
        names.join(", ")
    ))
}

impl<'t, 'n> Attributor<'t, 'n> {
    pub fn new(topo: &'t Topology<'n>) -> Self {
        let net = topo.net;
        let mut acls = Vec::new();
        let mut acl_index = HashMap::new();
        for acl in net.network_acls.values() {
            let mut entries: [Vec<(FlatCube, AclEntry)>; 2] = [Vec::new(), Vec::new()];
            let mut sorted: Vec<&AclEntry> = acl.entries.iter().collect();
            sorted.sort_by_key(|e| e.rule_number);
            for e in sorted {
                if let Some(cube) = rules::acl_entry_cube(e) {
                    entries[usize::from(e.egress)].push((FlatCube::new(&cube), e.clone()));
                }
            }
            for (i, list) in entries.iter_mut().enumerate() {
                // The `*` rule (C2.4), also when the snapshot omits it.
                list.push((
                    FlatCube::new(&Cube::everything()),
                    AclEntry {
                        rule_number: 32767,
                        egress: i == 1,
                        protocol: Protocol::All,
                        action: RuleAction::Deny,
                        cidr: Some("0.0.0.0/0".parse().expect("valid")),
                        ipv6_cidr: None,
                        port_range: None,
                        icmp_type_code: None,
                    },
                ));
            }
            acl_index.insert(acl.id.as_str(), acls.len());
            acls.push(CompiledAcl { acl, entries });
        }
        let sgs: Vec<(&'n str, CompiledSg)> = net
            .security_groups
            .keys()
            .map(|g| (g.as_str(), [OnceLock::new(), OnceLock::new()]))
            .collect();
        let sg_index: HashMap<&str, u32> = sgs
            .iter()
            .enumerate()
            .map(|(i, (g, _))| (*g, i as u32))
            .collect();
        let mut by_id = HashMap::new();
        let mut enis = Vec::new();
        for eni in net.network_interfaces.values() {
            let subnet = net
                .subnets
                .get(&eni.subnet_id)
                .map(|s| {
                    crate::topology::subnet_addrs(s)
                        .ranges()
                        .map(|r| (*r.start(), *r.end()))
                        .collect()
                })
                .unwrap_or_default();
            let acl = topo
                .acl_of_subnet(&eni.subnet_id)
                .and_then(|a| acl_index.get(a.id.as_str()).copied());
            let acl_id = acl.map(|i: usize| acls[i].acl.id.as_str());
            let ambiguous = [eni.id.as_str(), eni.subnet_id.as_str(), eni.vpc_id.as_str()]
                .into_iter()
                .chain(acl_id)
                .chain(eni.group_ids.iter().map(String::as_str))
                .find(|id| net.ambiguous_ids.contains(*id));
            by_id.insert(eni.id.as_str(), enis.len() as u32);
            enis.push(EniInfo {
                eni,
                subnet,
                acl,
                own: crate::topology::eni_addrs(eni).iter().collect(),
                groups: eni
                    .group_ids
                    .iter()
                    .map(|g| sg_index.get(g.as_str()).copied())
                    .collect(),
                ambiguous,
            });
        }
        Attributor {
            topo,
            by_id,
            enis,
            acls,
            sgs,
            prefix_lists_known: net.prefix_lists.values().all(|p| p.cidrs.is_some()),
            notes: Mutex::new(firewall_note(net).into_iter().collect()),
        }
    }

    pub fn eni_index(&self, id: &str) -> Option<u32> {
        self.by_id.get(id).copied()
    }

    pub fn eni(&self, idx: u32) -> &EniInfo<'n> {
        &self.enis[idx as usize]
    }

    /// Records a note (once) for [`Self::notes`].
    pub fn note(&self, note: String) {
        if let Ok(mut n) = self.notes.lock() {
            n.insert(note);
        }
    }

    /// Notes gathered while compiling rules (prefix lists without entries…).
    pub fn notes(&self) -> Vec<String> {
        self.notes
            .lock()
            .map(|n| n.iter().cloned().collect())
            .unwrap_or_default()
    }

    /// Direction of a record: `flow-direction` when present, else which
    /// side is the ENI's own address (D.4: srcaddr/dstaddr show the ENI's
    /// primary private address).
    pub fn direction(
        &self,
        eni: u32,
        flow_direction: Option<super::parse::FlowDirection>,
        srcaddr: Addr,
        dstaddr: Addr,
    ) -> Option<Direction> {
        use super::parse::FlowDirection as F;
        match flow_direction {
            Some(F::Ingress) => Some(Direction::Ingress),
            Some(F::Egress) => Some(Direction::Egress),
            None => {
                let own = &self.enis[eni as usize].own;
                if own.contains(&srcaddr) {
                    Some(Direction::Egress)
                } else if own.contains(&dstaddr) {
                    Some(Direction::Ingress)
                } else {
                    None
                }
            }
        }
    }

    /// The compiled rules in `dir` of the `g`-th group of the ENI (`None`:
    /// the group is not in the snapshot).
    fn sg_compiled(
        &self,
        info: &EniInfo<'n>,
        g: usize,
        dir: Direction,
    ) -> Option<&Vec<(FlatCube, usize)>> {
        let (gid, slots) = &self.sgs[info.groups[g]? as usize];
        let vpc = &info.eni.vpc_id;
        Some(slots[dir_index(dir)].get_or_init(|| {
            let sg = &self.topo.net.security_groups[*gid];
            let rules = match dir {
                Direction::Ingress => &sg.ingress,
                Direction::Egress => &sg.egress,
            };
            let mut notes = Vec::new();
            let out = rules
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    (
                        FlatCube::new(&rules::sg_rule_cube(
                            self.topo, r, dir, vpc, true, &mut notes,
                        )),
                        i,
                    )
                })
                .collect();
            if !notes.is_empty() {
                if let Ok(mut n) = self.notes.lock() {
                    n.extend(notes);
                }
            }
            out
        }))
    }

    /// The ENI's security groups in `dir`, for a packet opening a flow.
    fn sg_check(&self, info: &EniInfo<'n>, dir: Direction, h: &Header) -> Check {
        let eni = info.eni;
        if h.proto == PROTO_ICMP {
            let set = icmp_set(h);
            let mut notes = Vec::new();
            let v = rules::evaluate_sgs(self.topo, eni, dir, &set, true, &mut notes);
            let verdict = if v.admitted.is_empty() {
                Verdict::Deny
            } else if set.subtract(&v.admitted).is_empty() {
                Verdict::Allow
            } else {
                Verdict::Partial
            };
            let allowed_by = v
                .first_match
                .as_ref()
                .map(|m| sg_rule_text(&m.group_id, &m.rule, dir));
            let code = if !v.unknown_groups.is_empty() || !v.unknown_prefix_lists.is_empty() {
                ExplanationCode::UnknownResource
            } else if v.empty_groups.len() == eni.group_ids.len() {
                ExplanationCode::SgHasNoRules
            } else {
                ExplanationCode::EniSgRulesMismatch
            };
            let blocker = (verdict != Verdict::Allow).then(|| Blocker::Sg {
                eni: eni.id.clone(),
                direction: dir,
                groups: eni.group_ids.clone(),
                code,
                partial: verdict == Verdict::Partial,
            });
            return Check {
                verdict,
                allowed_by,
                blocker,
                note: None,
            };
        }
        match self.sg_find(info, dir, h) {
            Some((g, i)) => self.sg_allow_check(info, dir, g, i),
            None => {
                let unknown = self.unknown_prefix_list_might_admit(info, dir, h);
                self.sg_deny_check(info, dir, unknown)
            }
        }
    }

    /// The first rule of the ENI's security groups in `dir` that admits the
    /// (non-ICMP) packet as a new flow: (position in `group_ids`, rule index).
    fn sg_find(&self, info: &EniInfo<'n>, dir: Direction, h: &Header) -> Option<(usize, usize)> {
        let eni = info.eni;
        for g in 0..eni.group_ids.len() {
            let Some(compiled) = self.sg_compiled(info, g, dir) else {
                continue;
            };
            for (cube, i) in compiled {
                if contains(cube, h) {
                    return Some((g, *i));
                }
            }
        }
        None
    }

    fn sg_allow_check(&self, info: &EniInfo<'n>, dir: Direction, g: usize, i: usize) -> Check {
        let gid = &info.eni.group_ids[g];
        let sg = &self.topo.net.security_groups[gid];
        let rule = match dir {
            Direction::Ingress => &sg.ingress[i],
            Direction::Egress => &sg.egress[i],
        };
        Check {
            verdict: Verdict::Allow,
            allowed_by: Some(sg_rule_text(gid, rule, dir)),
            blocker: None,
            note: None,
        }
    }

    /// No rule of the ENI's security groups in `dir` admits the packet.
    /// A rule of the ENI's groups names a prefix list whose entries the
    /// snapshot lacks, for `h`'s protocol and port: it might admit `h`.
    fn unknown_prefix_list_might_admit(
        &self,
        info: &EniInfo<'n>,
        dir: Direction,
        h: &Header,
    ) -> bool {
        if self.prefix_lists_known {
            return false;
        }
        let set = HeaderSet::from_cube(h.cube());
        !rules::evaluate_sgs(self.topo, info.eni, dir, &set, true, &mut Vec::new())
            .unknown_prefix_lists
            .is_empty()
    }

    /// `prefix_list_unknown`: a rule naming a prefix list whose entries the
    /// snapshot lacks might admit it — the denial is unknown (R-partial.4).
    fn sg_deny_check(
        &self,
        info: &EniInfo<'n>,
        dir: Direction,
        prefix_list_unknown: bool,
    ) -> Check {
        let eni = info.eni;
        let mut unknown = Vec::new();
        let mut empty = 0;
        for (g, gid) in eni.group_ids.iter().enumerate() {
            let Some(compiled) = self.sg_compiled(info, g, dir) else {
                unknown.push(gid.clone());
                continue;
            };
            if compiled.is_empty() {
                empty += 1;
            }
        }
        if prefix_list_unknown {
            unknown.push("(the entries of a prefix list a rule names)".into());
        }
        let code = if !unknown.is_empty() {
            ExplanationCode::UnknownResource
        } else if empty == eni.group_ids.len() {
            ExplanationCode::SgHasNoRules
        } else {
            ExplanationCode::EniSgRulesMismatch
        };
        Check {
            verdict: Verdict::Deny,
            allowed_by: None,
            blocker: Some(Blocker::Sg {
                eni: eni.id.clone(),
                direction: dir,
                groups: eni.group_ids.clone(),
                code,
                partial: false,
            }),
            note: (!unknown.is_empty()).then(|| {
                format!(
                    "security groups {} of {} are not in the snapshot",
                    unknown.join(", "),
                    eni.id
                )
            }),
        }
    }

    /// The subnet NACL in `dir` (C2.3–C2.6).
    fn acl_check(&self, info: &EniInfo<'n>, dir: Direction, h: &Header) -> Check {
        let egress = dir == Direction::Egress;
        let Some(ai) = info.acl else {
            return self.acl_missing_check(info);
        };
        let compiled = &self.acls[ai];
        let acl = compiled.acl;
        let way = if egress { "outbound" } else { "inbound" };
        let blocker = |rule: &AclEntry, partial: bool| Blocker::Acl {
            acl: acl.id.clone(),
            subnet: info.eni.subnet_id.clone(),
            vpc: acl.vpc_id.clone(),
            egress,
            rule: rule.clone(),
            partial,
        };
        if h.proto == PROTO_ICMP {
            let set = icmp_set(h);
            let v = rules::evaluate_acl(acl, egress, &set);
            let verdict = if v.admitted.is_empty() {
                Verdict::Deny
            } else if v.denied_by.is_empty() {
                Verdict::Allow
            } else {
                Verdict::Partial
            };
            return Check {
                verdict,
                allowed_by: v
                    .allowed_by
                    .first()
                    .map(|r| format!("{} {way} {}", acl.id, describe_acl_rule(r))),
                blocker: v
                    .denied_by
                    .first()
                    .map(|(r, _)| blocker(r, verdict == Verdict::Partial)),
                note: None,
            };
        }
        let i = self
            .acl_find(ai, egress, h)
            .expect("the * rule matches everything");
        self.acl_rule_check(info, egress, i)
    }

    /// The first entry of the compiled NACL `ai` in that direction that
    /// matches the (non-ICMP) packet.
    fn acl_find(&self, ai: usize, egress: bool, h: &Header) -> Option<usize> {
        self.acls[ai].entries[usize::from(egress)]
            .iter()
            .position(|(cube, _)| contains(cube, h))
    }

    fn acl_missing_check(&self, info: &EniInfo<'n>) -> Check {
        Check {
            verdict: Verdict::Deny,
            allowed_by: None,
            blocker: Some(Blocker::MissingAcl {
                subnet: info.eni.subnet_id.clone(),
                vpc: info.eni.vpc_id.clone(),
            }),
            note: Some(format!(
                "the network ACL of {} is not in the snapshot",
                info.eni.subnet_id
            )),
        }
    }

    /// Entry `i` of the ENI's NACL in that direction decides the packet.
    fn acl_rule_check(&self, info: &EniInfo<'n>, egress: bool, i: usize) -> Check {
        let ai = info.acl.expect("a NACL");
        let compiled = &self.acls[ai];
        let acl = compiled.acl;
        let way = if egress { "outbound" } else { "inbound" };
        let (_, rule) = &compiled.entries[usize::from(egress)][i];
        match rule.action {
            RuleAction::Allow => Check {
                verdict: Verdict::Allow,
                allowed_by: Some(format!("{} {way} {}", acl.id, describe_acl_rule(rule))),
                blocker: None,
                note: None,
            },
            RuleAction::Deny => Check {
                verdict: Verdict::Deny,
                allowed_by: None,
                blocker: Some(Blocker::Acl {
                    acl: acl.id.clone(),
                    subnet: info.eni.subnet_id.clone(),
                    vpc: acl.vpc_id.clone(),
                    egress,
                    rule: rule.clone(),
                    partial: false,
                }),
                note: None,
            },
        }
    }

    /// Would the ENI's security groups admit `h` in `dir` as a new flow?
    fn sg_admits(&self, info: &EniInfo<'n>, dir: Direction, h: &Header) -> bool {
        info.eni.group_ids.is_empty()
            || if h.proto == PROTO_ICMP {
                self.sg_check(info, dir, h).verdict != Verdict::Deny
            } else {
                self.sg_find(info, dir, h).is_some()
            }
    }

    /// Request or reply (see the module documentation).
    fn role(&self, info: &EniInfo<'n>, dir: Direction, h: &Header, syn: u8) -> (Role, Option<u16>) {
        match h.proto {
            PROTO_TCP | PROTO_UDP => {
                if h.proto == PROTO_TCP && syn == 1 {
                    return (Role::Request, None);
                }
                if h.proto == PROTO_TCP && syn == 2 {
                    return (Role::Reply, None);
                }
                let (local, remote) = match dir {
                    Direction::Egress => (h.sport, h.dport),
                    Direction::Ingress => (h.dport, h.sport),
                };
                let local_serves = local < remote;
                let looks_reply = match dir {
                    Direction::Egress => local_serves,
                    Direction::Ingress => remote < local,
                };
                if !looks_reply {
                    return (Role::Request, None);
                }
                if self.sg_admits(info, flip(dir), &reverse(h)) {
                    (Role::Reply, None)
                } else {
                    (Role::Request, Some(local.min(remote)))
                }
            }
            PROTO_ICMP => (Role::Either, None),
            _ => (Role::Request, None),
        }
    }

    /// Evaluate one packet at one ENI. Pure function of the key: cache it.
    pub fn evaluate(&self, key: &Key) -> Outcome {
        if key.header.proto == PROTO_ICMP {
            self.evaluate_full(key)
        } else {
            self.materialize(&self.decide(key))
        }
    }

    /// What decides a non-ICMP packet, without formatting anything: a few
    /// rule look-ups and no allocation. Many keys (every ephemeral port,
    /// every peer address) share one [`Decision`]; [`Self::materialize`]
    /// turns it into the [`Outcome`] [`Self::evaluate`] gives.
    pub fn decide(&self, key: &Key) -> Decision {
        debug_assert!(key.header.proto != PROTO_ICMP);
        let info = &self.enis[key.eni as usize];
        let dir = key.direction();
        let h = &key.header;
        let (role, role_note) = self.role(info, dir, h, key.syn);
        let sg = if info.eni.group_ids.is_empty() {
            SgDecision::NoGroups
        } else {
            match role {
                Role::Reply => SgDecision::Reply,
                _ => match self.sg_find(info, dir, h) {
                    Some((g, i)) => SgDecision::Allow {
                        group: g as u32,
                        rule: i as u32,
                    },
                    None if self.unknown_prefix_list_might_admit(info, dir, h) => {
                        SgDecision::Unknown
                    }
                    None => SgDecision::Deny,
                },
            }
        };
        let same_subnet = info.peer_in_subnet(dir, h);
        let acl = if same_subnet {
            AclDecision::SameSubnet
        } else {
            match info.acl {
                None => AclDecision::Missing,
                Some(ai) => AclDecision::Entry(
                    self.acl_find(ai, key.egress, h)
                        .expect("the * rule matches everything") as u32,
                ),
            }
        };
        Decision {
            eni: key.eni,
            egress: key.egress,
            role,
            role_note,
            sg,
            acl,
        }
    }

    /// What an ICMP record's [`Outcome`] is a function of, written into
    /// `out` (cleared first): two ICMP keys with the same signature have
    /// the same outcome, so it is evaluated the long way (header sets, every
    /// ICMP type) once per signature instead of once per peer address.
    ///
    /// Why that holds: [`Self::evaluate`] sees an ICMP record as the set
    /// {ICMP} × {src} × {dst} × every type and code, and intersects or
    /// subtracts it with rule cubes — the same cubes compiled here
    /// ([`rules::sg_rule_cube`], [`rules::acl_entry_cube`]). Such a set
    /// meets a cube exactly when the cube holds ICMP, src and dst and its
    /// type and code ranges are not empty (which does not depend on the
    /// record), and then keeps those ranges, the same for every record.
    /// So every
    /// step, and the verdict, rule texts and blockers it ends with, follow
    /// from which rules hold the record's addresses: the ENI's groups in the
    /// record's direction, the groups in the other direction for the
    /// reversed packet (an ICMP record may be a reply, see the module
    /// documentation), and the NACL entries in the record's direction;
    /// plus whether the peer is in the ENI's subnet (the NACL is skipped)
    /// and each address's family (the NACL's implicit `*` rule is one per
    /// family, C2.4). The outcome names no address.
    pub fn icmp_signature(&self, key: &Key, out: &mut Vec<u32>) {
        debug_assert!(key.header.proto == PROTO_ICMP);
        out.clear();
        let info = &self.enis[key.eni as usize];
        let dir = key.direction();
        let h = &key.header;
        let same_subnet = info.peer_in_subnet(dir, h);
        let flags =
            u32::from(same_subnet) | u32::from(is_v4(h.src)) << 1 | u32::from(is_v4(h.dst)) << 2;
        out.extend([key.eni, u32::from(key.egress), flags]);
        let holds = |c: &FlatCube, src: Addr, dst: Addr| {
            c.proto.contains(PROTO_ICMP) && c.src.contains(src) && c.dst.contains(dst)
        };
        for (d, src, dst) in [(dir, h.src, h.dst), (flip(dir), h.dst, h.src)] {
            let mut pos = 0u32;
            for g in 0..info.groups.len() {
                for (cube, _) in self.sg_compiled(info, g, d).into_iter().flatten() {
                    if holds(cube, src, dst) {
                        out.push(pos);
                    }
                    pos += 1;
                }
            }
            out.push(u32::MAX);
        }
        if let Some(ai) = info.acl {
            for (i, (cube, _)) in self.acls[ai].entries[usize::from(key.egress)]
                .iter()
                .enumerate()
            {
                if holds(cube, h.src, h.dst) {
                    out.push(i as u32);
                }
            }
        }
    }

    /// The [`Outcome`] of a [`Decision`], with its texts.
    pub fn materialize(&self, d: &Decision) -> Outcome {
        let info = &self.enis[d.eni as usize];
        let dir = if d.egress {
            Direction::Egress
        } else {
            Direction::Ingress
        };
        let notes: Vec<String> = d.role_note.map(role_note_text).into_iter().collect();
        let mut allowed_by = Vec::new();
        let sg = match d.sg {
            SgDecision::NoGroups => None,
            SgDecision::Reply => {
                allowed_by.push(
                    "security groups: reply to an admitted request (stateful, C1.2)".to_string(),
                );
                None
            }
            SgDecision::Allow { group, rule } => {
                Some(self.sg_allow_check(info, dir, group as usize, rule as usize))
            }
            SgDecision::Deny => Some(self.sg_deny_check(info, dir, false)),
            SgDecision::Unknown => Some(self.sg_deny_check(info, dir, true)),
        };
        let acl = match d.acl {
            AclDecision::SameSubnet => {
                allowed_by.push("network ACL: not applied inside one subnet (C2.7)".to_string());
                None
            }
            AclDecision::Missing => Some(self.acl_missing_check(info)),
            AclDecision::Entry(i) => Some(self.acl_rule_check(info, d.egress, i as usize)),
        };
        combine(dir, d.role, notes, allowed_by, acl, sg)
    }

    /// [`Self::evaluate`] the long way (every protocol; ICMP needs it).
    fn evaluate_full(&self, key: &Key) -> Outcome {
        let info = &self.enis[key.eni as usize];
        let dir = key.direction();
        let h = key.header;
        let (role, role_note) = self.role(info, dir, &h, key.syn);
        let mut notes: Vec<String> = role_note.map(role_note_text).into_iter().collect();
        let mut allowed_by = Vec::new();

        // Security groups: new flows only (C1.2). ENIs without groups (NAT
        // gateway and other requester-managed ENIs) have none to check.
        let sg = if info.eni.group_ids.is_empty() {
            None
        } else {
            match role {
                Role::Reply => {
                    allowed_by.push(
                        "security groups: reply to an admitted request (stateful, C1.2)"
                            .to_string(),
                    );
                    None
                }
                Role::Request => Some(self.sg_check(info, dir, &h)),
                Role::Either => {
                    let mut c = self.sg_check(info, dir, &h);
                    if c.verdict != Verdict::Allow && self.sg_admits(info, flip(dir), &reverse(&h))
                    {
                        // Either reading stands: an ACCEPT is the reply the
                        // groups admit, a REJECT the request they deny (an
                        // admitted reply is logged ACCEPT, D-icmp.1).
                        allowed_by.push("security groups: as a reply to an admitted ICMP request (stateful, C1.2; flow logs do not record the ICMP type)".to_string());
                        c.verdict = Verdict::Partial;
                        notes.push("ICMP type not logged: as a reply the security groups would have accepted it, and an accepted reply is logged ACCEPT, so a REJECT is the request, which they deny".to_string());
                    }
                    Some(c)
                }
            }
        };

        // NACL of the ENI's subnet, unless the peer is in the same subnet (C2.7).
        let same_subnet = info.peer_in_subnet(dir, &h);
        let acl = if same_subnet {
            allowed_by.push("network ACL: not applied inside one subnet (C2.7)".to_string());
            None
        } else {
            Some(self.acl_check(info, dir, &h))
        };

        combine(dir, role, notes, allowed_by, acl, sg)
    }

    fn comp(&self, id: &str) -> ComponentRef {
        ComponentRef {
            id: id.to_string(),
            name: self.topo.net.name_of(id).map(str::to_string),
        }
    }

    /// The blockers as AWS-shaped explanations for this packet.
    pub fn explanations(&self, outcome: &Outcome, h: &Header) -> Vec<Explanation> {
        let set = if h.proto == PROTO_ICMP {
            icmp_set(h)
        } else {
            HeaderSet::from_cube(h.cube())
        };
        let traffic = describe_packet(h);
        outcome
            .blockers
            .iter()
            .map(|b| {
                let mut e = Explanation {
                    code: b.code(),
                    direction: b.direction(),
                    components: Vec::new(),
                    acl_rule: None,
                    route: None,
                    route_table_id: None,
                    blocked: set.clone(),
                    message: String::new(),
                    fix: None,
                    on_return_path: outcome.role == Role::Reply,
                };
                let reply = match outcome.role {
                    Role::Reply => " (a reply)",
                    Role::Either => "",
                    Role::Request => "",
                };
                match b {
                    Blocker::Acl {
                        acl,
                        subnet,
                        vpc,
                        egress,
                        rule,
                        partial,
                    } => {
                        let way = if *egress { "outbound" } else { "inbound" };
                        let some = if *partial { "some ICMP types of " } else { "" };
                        e.message = format!(
                            "{acl} {way} {} — stops {some}{traffic}{reply}",
                            describe_acl_rule(rule)
                        );
                        e.components.push(("Acl", self.comp(acl)));
                        e.components.push(("Subnet", self.comp(subnet)));
                        e.components.push(("Vpc", self.comp(vpc)));
                        e.acl_rule = Some(rule.clone());
                        let peer = if *egress {
                            format!("to {}", describe_addrs(&ip_set(ip_of(h.dst))))
                        } else {
                            format!("from {}", describe_addrs(&ip_set(ip_of(h.src))))
                        };
                        e.fix = Some(if rule.rule_number == 32767 {
                            format!(
                                "add an {way} allow rule to {acl} for {} {peer}",
                                describe_proto_port(h)
                            )
                        } else {
                            format!(
                                "rule {} of {acl} denies it: allow {} {peer} with a lower rule number, or remove rule {}",
                                rule.rule_number,
                                describe_proto_port(h),
                                rule.rule_number
                            )
                        });
                    }
                    Blocker::Sg {
                        eni,
                        direction,
                        groups,
                        partial,
                        ..
                    } => {
                        let some = if *partial { "some ICMP types of " } else { "" };
                        e.message = format!(
                            "no {} rule of {} on {eni} allows {some}{traffic}",
                            direction.as_str(),
                            groups.join(", ")
                        );
                        e.components.push(("NetworkInterface", self.comp(eni)));
                        for g in groups {
                            e.components.push(("SecurityGroups", self.comp(g)));
                        }
                        if let Some(info) = self.eni_index(eni).map(|i| self.eni(i)) {
                            e.components.push(("Subnet", self.comp(&info.eni.subnet_id)));
                            e.components.push(("Vpc", self.comp(&info.eni.vpc_id)));
                        }
                        let (way, peer) = match direction {
                            Direction::Ingress => ("from", h.src),
                            Direction::Egress => ("to", h.dst),
                        };
                        e.fix = Some(format!(
                            "add an {} rule to {} allowing {} {way} {}",
                            direction.as_str(),
                            groups.first().map(String::as_str).unwrap_or("a group of the ENI"),
                            describe_proto_port(h),
                            ip_of(peer)
                        ));
                    }
                    Blocker::MissingAcl { subnet, vpc } => {
                        e.message = format!("the network ACL of {subnet} is not in the snapshot");
                        e.components.push(("Subnet", self.comp(subnet)));
                        e.components.push(("Vpc", self.comp(vpc)));
                    }
                    Blocker::Bpa => {
                        e.message = format!("VPC Block Public Access dropped {traffic} (reject-reason=BPA in the record; BPA.8); `path` shows the mode and exclusions the snapshot holds");
                        e.fix = Some("add a BPA exclusion for the subnet or VPC (ec2 create-vpc-block-public-access-exclusion)".into());
                    }
                }
                e
            })
            .collect()
    }
}

fn describe_proto_port(h: &Header) -> String {
    match h.proto {
        PROTO_TCP | PROTO_UDP => format!("{}/{}", proto_name(h.proto), h.dport),
        p => proto_name(p),
    }
}

/// `tcp 10.0.2.20:40000 → 10.0.3.30:3306`
pub fn describe_packet(h: &Header) -> String {
    match h.proto {
        PROTO_TCP | PROTO_UDP => format!(
            "{} {}:{} → {}:{}",
            proto_name(h.proto),
            ip_of(h.src),
            h.sport,
            ip_of(h.dst),
            h.dport
        ),
        p => format!("{} {} → {}", proto_name(p), ip_of(h.src), ip_of(h.dst)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    /// Many ICMP keys at many ENIs: peers in the ENI's own subnet, other
    /// ENIs' addresses (matched by group-referencing rules and NACL
    /// CIDRs) and internet addresses, both directions.
    fn icmp_keys(attr: &Attributor, rng: &mut crate::synth::Rng, n: usize) -> Vec<Key> {
        let own: Vec<Addr> = attr.enis.iter().flat_map(|e| e.own.clone()).collect();
        (0..n)
            .map(|_| {
                let eni = rng.below(attr.enis.len()) as u32;
                let info = &attr.enis[eni as usize];
                let local = info.own.first().copied().unwrap_or(v4_addr(0x0a00_0001));
                let peer = match rng.below(3) {
                    0 => own[rng.below(own.len())],
                    1 => info
                        .subnet
                        .first()
                        .map_or(local, |&(lo, hi)| lo + (rng.next() as u128) % (hi - lo + 1)),
                    _ => v4_addr(rng.next() as u32),
                };
                let egress = rng.below(2) == 0;
                let (src, dst) = if egress { (local, peer) } else { (peer, local) };
                Key {
                    eni,
                    egress,
                    syn: 0,
                    header: Header {
                        src,
                        dst,
                        proto: PROTO_ICMP,
                        sport: 0,
                        dport: 0,
                    },
                }
            })
            .collect()
    }

    /// The ICMP signature cache is sound: keys with one signature have one
    /// outcome, evaluated the long way for each key.
    #[test]
    fn icmp_signature_determines_the_outcome() {
        let docs = crate::synth::generate(&crate::synth::EstateSpec::scaled(400));
        let generated =
            crate::snapshot::load_documents(docs.iter().map(|(n, t)| (n.as_str(), t.as_str())))
                .expect("generated snapshot loads");
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut snaps = vec![generated];
        for f in ["icmp-deny", "three-tier", "return-blocked", "dual-stack"] {
            snaps.push(crate::snapshot::load(&root.join("fixtures").join(f)).expect("fixture"));
        }
        let mut rng = crate::synth::Rng(7);
        let mut shared = 0;
        for snap in &snaps {
            let topo = Topology::new(&snap.network);
            let attr = Attributor::new(&topo);
            let mut seen: HashMap<Vec<u32>, (Key, String)> = HashMap::new();
            let mut sig = Vec::new();
            for key in icmp_keys(&attr, &mut rng, 4000) {
                attr.icmp_signature(&key, &mut sig);
                let outcome = format!("{:?}", attr.evaluate(&key));
                match seen.get(&sig) {
                    Some((first, o)) => {
                        shared += 1;
                        assert_eq!(o, &outcome, "{first:?} and {key:?} share {sig:?}");
                    }
                    None => {
                        seen.insert(sig.clone(), (key, outcome));
                    }
                }
            }
        }
        assert!(shared > 1000, "too few keys shared a signature: {shared}");
    }
}
