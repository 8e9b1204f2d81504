//! Many pairs in one walk: what `audit` and `whatif` scale with.
//!
//! ENIs that share subnet, security groups and state (a
//! [`crate::topology::SourceClass`]) behave alike, so one walk can carry
//! the addresses of a whole class of sources towards every destination ENI
//! any of them is paired with ([`Walk::eni_class`]). The engine's header
//! sets keep the pairs apart exactly; [`attribute`] splits what arrived
//! back into (source, destination) pairs by address. Gateway-like ends walk
//! the same way with one source.
//!
//! Owns: the walk request and the attribution to pairs, and the one call
//! into [`path::deliveries`] both analyses make. Must not know: scopes,
//! findings, before/after comparison, output formats.

use std::collections::BTreeSet;
use std::sync::Arc;

use super::endpoint::Endpoint;
use super::path::{self, Delivery, DeliveryOptions};
use crate::packet::{AddrSet, Cube, HeaderSet};
use crate::topology::Topology;

/// One walk of the engine: `initial` from `source` towards `destination`,
/// or towards any of `dst_enis` when given; replies may return to any of
/// `src_enis` when given.
#[derive(Clone, Debug)]
pub struct Walk {
    pub source: Endpoint,
    pub destination: Endpoint,
    pub dst_enis: Option<Arc<BTreeSet<String>>>,
    pub src_enis: Option<Arc<BTreeSet<String>>>,
    pub initial: HeaderSet,
}

impl Walk {
    /// A class of source ENIs (`sources`, holding `addrs` between them)
    /// towards destination ENIs. The first of each stands for all of them:
    /// the walk starts from the first source with every member's addresses
    /// and its goal holds every destination.
    ///
    /// # Panics
    /// When `sources` or `targets` is empty (there is nothing to walk).
    pub fn eni_class(
        sources: Arc<BTreeSet<String>>,
        addrs: AddrSet,
        targets: Arc<BTreeSet<String>>,
        initial: HeaderSet,
    ) -> Walk {
        let first = |set: &BTreeSet<String>| set.first().cloned().expect("a class has members");
        Walk {
            source: Endpoint::Eni {
                eni: first(&sources),
                instance: None,
                addrs,
            },
            destination: Endpoint::Eni {
                eni: first(&targets),
                instance: None,
                addrs: AddrSet::new(),
            },
            dst_enis: Some(targets),
            src_enis: Some(sources),
            initial,
        }
    }

    /// What the walk delivered, branch by branch (replies included). With
    /// `record_hops` false no branch records its hops, which is much
    /// cheaper; what is admitted is the same.
    pub fn deliveries(&self, topo: &Topology, record_hops: bool) -> Vec<Delivery> {
        self.deliveries_noted(topo, record_hops).0
    }

    /// [`Walk::deliveries`] and the walk's notes ([`path::deliveries_noted`]).
    pub fn deliveries_noted(
        &self,
        topo: &Topology,
        record_hops: bool,
    ) -> (Vec<Delivery>, Vec<String>) {
        path::deliveries_noted(
            topo,
            &self.source,
            &self.destination,
            self.initial.clone(),
            DeliveryOptions {
                dst_enis: self.dst_enis.clone(),
                src_enis: self.src_enis.clone(),
                record: record_hops,
            },
        )
    }
}

/// Split what a walk `delivered` back into (source, destination) pairs:
/// `each(source, destination, branch, traffic)` for every branch that
/// reached a destination `destination_of` knows, once per source.
///
/// `sources` are the walk's sources by index, each with the addresses that
/// make its share of the traffic, or `None` for a walk with one source,
/// which owns everything delivered (even where a gateway translated its
/// address on the way). A source is never paired with itself; empty
/// shares are skipped.
pub fn attribute<'d>(
    delivered: &'d [Delivery],
    destination_of: impl Fn(&str) -> Option<usize>,
    sources: &[(usize, Option<&AddrSet>)],
    mut each: impl FnMut(usize, usize, &'d Delivery, HeaderSet),
) {
    let shares: Vec<(usize, Option<Cube>)> = sources
        .iter()
        .map(|(s, addrs)| {
            let share = addrs.map(|a| Cube {
                src: a.clone(),
                ..Cube::everything()
            });
            (*s, share)
        })
        .collect();
    for d in delivered {
        let Some(j) = destination_of(&d.reached) else {
            continue;
        };
        if d.admitted.is_empty() {
            continue;
        }
        for (s, share) in &shares {
            if *s == j {
                continue;
            }
            let traffic = match share {
                Some(c) => d.admitted.intersect_cube(c),
                None => d.admitted.clone(),
            };
            if !traffic.is_empty() {
                each(*s, j, d, traffic);
            }
        }
    }
}
