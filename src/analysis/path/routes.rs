//! Route selection as pure functions: longest-prefix partition of a header
//! set over a VPC route table (C3.5, C3.6) or a transit gateway route table
//! (C7.3), the rank of routes with equal prefixes, and the note for prefix
//! lists that AWS resolves at random (C3.6d).
//!
//! Owns: which route wins which part of a set. Must not know: traces, hops,
//! or what a route target does.

use crate::analysis::describe::describe_addrs;
use crate::model::*;
use crate::packet::*;

/// C3.6(d): when prefix lists routed to different targets hold the same
/// CIDR, AWS picks one route at random and keeps it. The engine follows
/// the first in table order; this says so when `part` is such traffic.
pub(super) fn ambiguous_prefix_list_route(
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
                    .any(|c| mine.contains(&c) && !disjoint(&dsts, &net_set(&c)));
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

/// Longest prefix over a TGW route table; equal prefixes: static, then
/// prefix-list, then propagated from VPC, Direct Connect, Connect, VPN (C7.3).
pub(super) fn partition_tgw_routes(
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
