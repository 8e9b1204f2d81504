//! What security groups and network ACLs admit, as header sets.
//!
//! Owns: turning one SG rule or NACL entry into the [`Cube`] of headers it
//! matches (C1.4–C1.8, C2.3–C2.6), the allow-only union of an ENI's SGs and
//! the first-match evaluation of a NACL. Must not know: paths or output.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::model::*;
use crate::packet::*;
use crate::topology::Topology;

/// Rule cubes derived once per topology ([`Topology::engine_memo`]): an
/// audit evaluates the same few hundred NACLs and thousands of groups
/// millions of times, and building a rule's cube cost more than applying it.
/// Filled lazily, per NACL direction and per group direction and SG
/// identity, so a single `path` question builds only what it touches.
/// A NACL direction's entries in rule order (index into `entries`) with cubes.
type AclCubes = Vec<(usize, Cube)>;
/// A group direction's rule cubes, each with the notes building it made.
type SgCubes = Vec<(Cube, Vec<String>)>;

struct RuleMemo {
    /// Per NACL: its entries of each direction (inbound, outbound) in rule
    /// order, by index into `entries`, with their cubes.
    acls: HashMap<String, [OnceLock<AclCubes>; 2]>,
    /// Per group, for an ENI in the group's own VPC: each rule's cube and
    /// the notes building it made, per (direction, SG identity kept).
    sgs: HashMap<String, [OnceLock<SgCubes>; 4]>,
}

fn memo<'t>(topo: &'t Topology) -> &'t RuleMemo {
    topo.engine_memo(|| RuleMemo {
        acls: topo
            .net
            .network_acls
            .keys()
            .map(|id| (id.clone(), Default::default()))
            .collect(),
        sgs: topo
            .net
            .security_groups
            .keys()
            .map(|id| (id.clone(), Default::default()))
            .collect(),
    })
}

/// Which way a packet crosses an SG or NACL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    Ingress,
    Egress,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Ingress => "ingress",
            Direction::Egress => "egress",
        }
    }
}

/// Protocol and port part of a rule (C1.6, C1.7, C2.6).
fn proto_cube(protocol: Protocol, ports: Option<(i32, i32)>, icmp: Option<(i32, i32)>) -> Cube {
    let mut cube = Cube::everything();
    let Protocol::Number(p) = protocol else {
        return cube;
    };
    cube.proto = ProtoSet::from_iter([p..=p]);
    match p {
        PROTO_TCP | PROTO_UDP => {
            if let Some((from, to)) = ports {
                if from >= 0 && to >= 0 {
                    cube.dport = port_range(from.clamp(0, 65535) as u16, to.clamp(0, 65535) as u16);
                }
            }
        }
        PROTO_ICMP | PROTO_ICMPV6 => {
            if let Some((icmp_type, code)) = icmp {
                if icmp_type >= 0 {
                    cube.sport = port_range(icmp_type as u16, icmp_type as u16);
                    if code >= 0 {
                        cube.dport = port_range(code as u16, code as u16);
                    }
                }
            }
        }
        _ => {} // ports do not apply (C1.6)
    }
    cube
}

/// The headers a NACL entry matches: by its `CidrBlock` or its
/// `Ipv6CidrBlock` (each only ever matches its own family, C2.6). `None`
/// for an entry with neither (or an unreadable IPv6 CIDR).
pub fn acl_entry_cube(e: &AclEntry) -> Option<Cube> {
    let addrs = match (e.cidr, &e.ipv6_cidr) {
        (Some(cidr), _) => net_set(&cidr),
        (None, Some(v6)) => net_set(&v6.parse::<ipnet::Ipv6Net>().ok()?.trunc()),
        (None, None) => return None,
    };
    let ports = e.port_range.map(|(f, t)| (f as i32, t as i32));
    let mut cube = proto_cube(e.protocol, ports, e.icmp_type_code);
    if e.egress {
        cube.dst = addrs;
    } else {
        cube.src = addrs;
    }
    Some(cube)
}

/// The addresses of an IPv6 CIDR written in a rule (C1.4); nothing if it
/// does not parse.
pub fn ipv6_cidr_addrs(cidr: &str, notes: &mut Vec<String>) -> AddrSet {
    match cidr.parse::<ipnet::Ipv6Net>() {
        Ok(net) => net_set(&net.trunc()),
        Err(_) => {
            notes.push(format!(
                "IPv6 CIDR {cidr:?} in a rule is not valid; the rule was treated as matching nothing"
            ));
            AddrSet::new()
        }
    }
}

/// The addresses an SG rule's peer stands for, seen from an ENI in `vpc_id`.
/// `sg_identity` is false once the packet has lost the sender's SG identity
/// (NAT, middlebox, load balancer — C1.5, C1.10).
pub fn sg_peer_addrs(
    topo: &Topology,
    peer: &SgPeer,
    vpc_id: &str,
    sg_identity: bool,
    notes: &mut Vec<String>,
) -> AddrSet {
    match peer {
        SgPeer::Cidr(net) => net_set(net),
        SgPeer::Ipv6Cidr(cidr) => ipv6_cidr_addrs(cidr, notes),
        SgPeer::PrefixList(id) => {
            match topo.net.prefix_lists.get(id).and_then(|p| p.cidrs.as_ref()) {
                Some(cidrs) => nets_set(cidrs),
                None => {
                    notes.push(format!("prefix list {id} has no entries in the snapshot; rules naming it were treated as matching nothing (UNKNOWN_RESOURCE)"));
                    AddrSet::new()
                }
            }
        }
        SgPeer::Group { group_id, .. } => {
            if !sg_identity {
                return AddrSet::new();
            }
            topo.group_addrs(group_id, vpc_id)
        }
    }
}

/// The protocol and ports a security group rule names, any addresses.
pub fn service_cube(protocol: Protocol, from_port: Option<i32>, to_port: Option<i32>) -> Cube {
    let ports = match (from_port, to_port) {
        (Some(f), Some(t)) => Some((f, t)),
        _ => None,
    };
    proto_cube(protocol, ports, ports)
}

pub fn sg_rule_cube(
    topo: &Topology,
    rule: &SgRule,
    dir: Direction,
    vpc_id: &str,
    sg_identity: bool,
    notes: &mut Vec<String>,
) -> Cube {
    let mut cube = service_cube(rule.protocol, rule.from_port, rule.to_port);
    let peer = sg_peer_addrs(topo, &rule.peer, vpc_id, sg_identity, notes);
    match dir {
        Direction::Ingress => cube.src = peer,
        Direction::Egress => cube.dst = peer,
    }
    cube
}

/// The first rule (by group, then rule order) that admitted some of the traffic.
#[derive(Clone, Debug)]
pub struct SgMatch {
    pub group_id: String,
    pub rule: SgRule,
    pub direction: Direction,
}

pub struct SgVerdict {
    pub admitted: HeaderSet,
    pub first_match: Option<SgMatch>,
    /// Groups the ENI names that the snapshot lacks.
    pub unknown_groups: Vec<String>,
    /// Groups present but with no rule at all in this direction.
    pub empty_groups: Vec<String>,
    /// Prefix lists whose entries the snapshot lacks, named by rules that
    /// might admit what was denied: the denial is unknown.
    pub unknown_prefix_lists: Vec<String>,
    /// Some of the traffic was admitted by no rule.
    pub denied: bool,
}

/// Allow-only union over every SG of the ENI (C1.1).
pub fn evaluate_sgs(
    topo: &Topology,
    eni: &NetworkInterface,
    dir: Direction,
    set: &HeaderSet,
    sg_identity: bool,
    notes: &mut Vec<String>,
) -> SgVerdict {
    let mut admitted = HeaderSet::empty();
    let mut remaining = set.clone();
    let mut first_match = None;
    let mut unknown_groups = Vec::new();
    let mut empty_groups = Vec::new();
    for gid in &eni.group_ids {
        let Some(sg) = topo.net.security_groups.get(gid) else {
            unknown_groups.push(gid.clone());
            continue;
        };
        let rules = match dir {
            Direction::Ingress => &sg.ingress,
            Direction::Egress => &sg.egress,
        };
        if rules.is_empty() {
            empty_groups.push(gid.clone());
        }
        let built;
        let cubes: &[(Cube, Vec<String>)] = match memo(topo).sgs.get(gid) {
            Some(slots) if sg.vpc_id.as_deref() == Some(eni.vpc_id.as_str()) => {
                let slot = 2 * usize::from(dir == Direction::Egress) + usize::from(sg_identity);
                slots[slot].get_or_init(|| rule_cubes(topo, rules, dir, &eni.vpc_id, sg_identity))
            }
            _ => {
                built = rule_cubes(topo, rules, dir, &eni.vpc_id, sg_identity);
                &built
            }
        };
        for (rule, (cube, rule_notes)) in rules.iter().zip(cubes) {
            if remaining.is_empty() {
                break;
            }
            notes.extend(rule_notes.iter().cloned());
            let part = remaining.intersect_cube(cube);
            if !part.is_empty() {
                if first_match.is_none() {
                    first_match = Some(SgMatch {
                        group_id: gid.clone(),
                        rule: rule.clone(),
                        direction: dir,
                    });
                }
                remaining = remaining.subtract_cube(cube);
                admitted.extend(part);
            }
        }
    }
    let unknown_prefix_lists = unknown_prefix_lists(topo, eni, dir, &remaining);
    SgVerdict {
        admitted,
        first_match,
        unknown_groups,
        empty_groups,
        unknown_prefix_lists,
        denied: !remaining.is_empty(),
    }
}

/// Each rule's cube with the notes building it made.
fn rule_cubes(
    topo: &Topology,
    rules: &[SgRule],
    dir: Direction,
    vpc_id: &str,
    sg_identity: bool,
) -> SgCubes {
    rules
        .iter()
        .map(|rule| {
            let mut notes = Vec::new();
            let cube = sg_rule_cube(topo, rule, dir, vpc_id, sg_identity, &mut notes);
            (cube, notes)
        })
        .collect()
}

/// Prefix lists without entries in the snapshot that rules of `eni`'s
/// groups name for the protocol and ports of some of the `denied`
/// traffic: those rules might admit it (R-partial.4).
fn unknown_prefix_lists(
    topo: &Topology,
    eni: &NetworkInterface,
    dir: Direction,
    denied: &HeaderSet,
) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    if denied.is_empty() {
        return out;
    }
    let groups = eni
        .group_ids
        .iter()
        .filter_map(|g| topo.net.security_groups.get(g));
    for sg in groups {
        let rules = match dir {
            Direction::Ingress => &sg.ingress,
            Direction::Egress => &sg.egress,
        };
        for rule in rules {
            let SgPeer::PrefixList(id) = &rule.peer else {
                continue;
            };
            let entries_known = topo
                .net
                .prefix_lists
                .get(id)
                .is_some_and(|p| p.cidrs.is_some());
            let ports = rule.from_port.zip(rule.to_port);
            let could_match = !denied
                .intersect_cube(&proto_cube(rule.protocol, ports, ports))
                .is_empty();
            if !entries_known && could_match && !out.contains(id) {
                out.push(id.clone());
            }
        }
    }
    out
}

pub struct AclVerdict {
    pub admitted: HeaderSet,
    /// Allow rules that admitted some traffic, in rule order.
    pub allowed_by: Vec<AclEntry>,
    /// Deny rules that stopped some traffic, with what they stopped. The
    /// implicit `*` rule appears as rule number 32767.
    pub denied_by: Vec<(AclEntry, HeaderSet)>,
}

/// Ascending rule number, first match wins, `*` denies the rest (C2.3, C2.4).
pub fn evaluate_acl(acl: &NetworkAcl, egress: bool, set: &HeaderSet) -> AclVerdict {
    first_match(acl, egress, &acl_cubes(acl, egress), set)
}

/// [`evaluate_acl`] for a NACL of `topo`'s network, its cubes built once.
pub fn evaluate_acl_in(
    topo: &Topology,
    acl: &NetworkAcl,
    egress: bool,
    set: &HeaderSet,
) -> AclVerdict {
    let own = topo
        .net
        .network_acls
        .get(&acl.id)
        .is_some_and(|a| std::ptr::eq(a, acl));
    match memo(topo).acls.get(&acl.id) {
        Some(slots) if own => {
            let cubes = slots[usize::from(egress)].get_or_init(|| acl_cubes(acl, egress));
            first_match(acl, egress, cubes, set)
        }
        _ => evaluate_acl(acl, egress, set),
    }
}

/// The entries of one direction in rule order (by index), with their cubes;
/// entries that match nothing are left out.
fn acl_cubes(acl: &NetworkAcl, egress: bool) -> AclCubes {
    let mut entries: Vec<(usize, &AclEntry)> = acl
        .entries
        .iter()
        .enumerate()
        .filter(|(_, e)| e.egress == egress)
        .collect();
    entries.sort_by_key(|(_, e)| e.rule_number);
    entries
        .into_iter()
        .filter_map(|(i, e)| Some((i, acl_entry_cube(e)?)))
        .collect()
}

fn first_match(
    acl: &NetworkAcl,
    egress: bool,
    cubes: &[(usize, Cube)],
    set: &HeaderSet,
) -> AclVerdict {
    let mut remaining = set.clone();
    let mut admitted = HeaderSet::empty();
    let mut allowed_by = Vec::new();
    let mut denied_by = Vec::new();
    for (i, cube) in cubes {
        if remaining.is_empty() {
            break;
        }
        let e = &acl.entries[*i];
        let part = remaining.intersect_cube(cube);
        if part.is_empty() {
            continue;
        }
        remaining = remaining.subtract_cube(cube);
        match e.action {
            RuleAction::Allow => {
                allowed_by.push(e.clone());
                admitted.extend(part);
            }
            RuleAction::Deny => denied_by.push((e.clone(), part)),
        }
    }
    // The `*` rules: one per family (C2.4).
    for (family, v6) in [(all_v4(), false), (all_v6(), true)] {
        let rest = if egress {
            remaining.restrict_dst(&family)
        } else {
            remaining.restrict_src(&family)
        };
        if rest.is_empty() {
            continue;
        }
        let implicit = AclEntry {
            rule_number: 32767,
            egress,
            protocol: Protocol::All,
            action: RuleAction::Deny,
            cidr: (!v6).then(|| "0.0.0.0/0".parse().expect("valid")),
            ipv6_cidr: v6.then(|| "::/0".to_string()),
            port_range: None,
            icmp_type_code: None,
        };
        denied_by.push((implicit, rest));
    }
    AclVerdict {
        admitted,
        allowed_by,
        denied_by,
    }
}
