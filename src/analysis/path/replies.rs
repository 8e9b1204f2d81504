//! The replies of many delivered branches in one return walk.
//!
//! A class walk delivers to hundreds of destination ENIs, and each one's
//! replies used to walk back alone although the ENIs of one subnet send
//! them the same way: out through the subnet's NACL, by its route table,
//! towards the same sources (replies skip security groups, C1.2). A walk of
//! header sets is exact for a union, so the replies of a subnet's ENIs walk
//! back together and each branch keeps what carries its own addresses as
//! the reply's source.
//!
//! That split by source address is only exact while nothing on either leg
//! rewrites addresses or keeps per-branch state, so a branch joins a shared
//! walk only when its forward leg crossed no NAT, internet gateway, transit
//! gateway or appliance, its ENI's own state stops and explains nothing, and
//! the shared walk itself translated nothing and left no note; every other
//! branch walks its replies alone as before.
//!
//! Owns: grouping branches for a shared reply walk and splitting its
//! outcome. Must not know: what the walks are for (audit, whatif).

use std::collections::BTreeMap;

use super::walk::{Exit, Hops, Trace, Walk};
use crate::model::NetworkInterface;
use crate::packet::{disjoint, AddrSet, Cube, HeaderSet};

/// Nothing on this leg rewrote addresses or left per-branch state a reply
/// depends on.
fn plain(t: &Trace) -> bool {
    t.translations.is_empty()
        && t.nat_bindings.is_empty()
        && t.tgw_exits.is_empty()
        && t.current_exit.is_none()
        && !t.crossed_tgw
        && t.internet_exits.is_empty()
        && t.visited_appliances.is_empty()
}

/// The replies of every forward branch that can share a return walk with
/// others of its subnet, as (branch, return trace) like
/// [`Walk::start_return`]'s, only those that arrived unblocked; and per
/// forward branch whether its replies were walked here.
pub(super) fn shared(
    walk: &Walk<'_, '_>,
    forward: &[Trace],
    replies: &[Option<HeaderSet>],
) -> (Vec<(usize, Trace)>, Vec<bool>) {
    let mut done = vec![false; forward.len()];
    let mut out = Vec::new();
    type Member<'a> = (usize, &'a NetworkInterface, &'a HeaderSet);
    let mut by_subnet: BTreeMap<&str, Vec<Member>> = BTreeMap::new();
    for (i, t) in forward.iter().enumerate() {
        if t.blocked || !plain(t) {
            continue;
        }
        let (Some((Exit::Eni(id), _)), Some(reply)) = (&t.reached, &replies[i]) else {
            continue;
        };
        let Some(eni) = walk.net().network_interfaces.get(id) else {
            continue;
        };
        if reply.is_empty() {
            continue;
        }
        // What `eni_out` checks of the ENI itself before the reply leaves
        // (C10.1, C10.6): a member it stops or explains walks alone.
        let mut probe = Trace::default();
        if walk.own_state_blocks(&mut probe, eni, reply) || !probe.explanations.is_empty() {
            continue;
        }
        by_subnet
            .entry(eni.subnet_id.as_str())
            .or_default()
            .push((i, eni, reply));
    }
    for (subnet, members) in by_subnet {
        if members.len() < 2 {
            continue;
        }
        // Each member's addresses, as the topology already holds them.
        let held = walk.topo.enis_in_subnet_with_addrs(subnet);
        let addrs: Vec<&AddrSet> = members
            .iter()
            .filter_map(|(_, eni, _)| held.iter().find(|(e, _)| e.id == eni.id).map(|(_, a)| a))
            .collect();
        if addrs.len() != members.len() {
            continue;
        }
        let mut seen = AddrSet::new();
        let apart = addrs.iter().all(|&a| {
            let fresh = disjoint(&seen, a);
            seen = &seen | a;
            fresh
        });
        if !apart {
            continue;
        }
        // Replies that differ only in their sender are one cube: the walk's
        // cost grows with cubes, not with senders.
        let mut cubes: Vec<Cube> = Vec::new();
        for (_, _, reply) in &members {
            for c in reply.cubes() {
                match cubes.iter_mut().find(|u| {
                    u.dst == c.dst && u.proto == c.proto && u.sport == c.sport && u.dport == c.dport
                }) {
                    Some(u) => u.src = &u.src | &c.src,
                    None => cubes.push(c.clone()),
                }
            }
        }
        let mut union = HeaderSet::empty();
        for c in cubes {
            union.push(c);
        }
        let notes_before = walk.notes.borrow().len();
        let start = Trace {
            hops: Hops {
                v: Vec::new(),
                on: walk.record,
            },
            ..Trace::default()
        };
        let traces = walk.leave_subnet(start, subnet, &members[0].1.vpc_id, union);
        if walk.notes.borrow().len() != notes_before || !traces.iter().all(plain_return) {
            walk.notes.borrow_mut().truncate(notes_before);
            continue;
        }
        for ((i, _, _), mine) in members.iter().zip(&addrs) {
            done[*i] = true;
            for rt in traces.iter().filter(|t| !t.blocked) {
                let Some((exit, set)) = &rt.reached else {
                    continue;
                };
                let part = set.restrict_src(mine);
                if part.is_empty() {
                    continue;
                }
                let mut t = rt.clone();
                t.reached = Some((exit.clone(), part));
                out.push((*i, t));
            }
        }
    }
    (out, done)
}

/// A return trace whose arrival still names each reply by its sender.
fn plain_return(t: &Trace) -> bool {
    plain(t) && matches!(t.reached, None | Some((Exit::Eni(_), _)))
}
