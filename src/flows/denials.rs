//! Security group denials, tallied per file and merged into the run's
//! [`Summary`] in file order: per [`SgKey`] (ENI, direction, protocol,
//! port) the counts, time span and first record, and the peer addresses.
//!
//! Why not a [`Group`] per key and file: a large log has hundreds of
//! thousands of keys, most of them in every file, and building a group
//! (an example allocated, a hash set of peers) per key and file, then
//! merging it, was the largest item of a `flows` profile
//! (docs/performance.md, "`flows` throughput, round two"). Here a file
//! keeps a flat tally per key, the example as a range of one text buffer,
//! and its peers as one list in record order; only the run's group is a
//! [`Group`]. The report shows how many distinct peers a group had for a
//! few groups only, so peers are counted on request
//! ([`Summary::sg_peer_counts`]) from the per-file lists, with the same cap
//! as before.
//!
//! Knows nothing of reading or evaluating records (the parent module) nor
//! of output formats.

use std::sync::Arc;

use super::summary::{span, Example, FastMap, FastSet, SgKey, Summary};
use super::{Evaluated, FileCtx, Outcome, Record, Role};
use crate::analysis::rules::Direction;
use crate::packet::{Addr, Header};

/// Distinct peers counted per group and file (and, merged in file order,
/// per group while under it): a count at or above it means "at least".
pub const PEER_CAP: usize = 10_000;

/// One key's records in one file: what each record updates, in one cache
/// line (the first record's details are in [`Origin`]).
#[repr(align(64))]
struct Tally {
    records: u64,
    packets: u64,
    bytes: u64,
    replies: u64,
    /// The earliest start; `u64::MAX`: none (a parsed number has at most
    /// 19 digits, so no record has it).
    first: u64,
    /// The latest end (or start) plus one; 0: none.
    last: u64,
    /// The last peer logged for this key: consecutive records of one flow
    /// are logged once.
    last_peer: Addr,
}

/// A key's first record in one file: its line, text (a range of
/// [`FileDenials::text`]), header and outcome.
struct Origin {
    key: SgKey,
    line: u64,
    text: (usize, usize),
    header: Header,
    outcome: Arc<Outcome>,
}

/// One file's security group denials. Reused from file to file (its
/// tables keep their capacity: no fresh pages to fault in per file).
#[derive(Default)]
pub(super) struct FileDenials {
    slots: FastMap<SgKey, u32>,
    tallies: Vec<Tally>,
    origins: Vec<Origin>,
    /// Example texts, back to back.
    text: Vec<u8>,
    /// Peers in record order, with the slot of their key.
    peers: Peers,
}

/// A file's peer list: slot and address of each record (consecutive
/// repeats of one key's peer left out), as two arrays (an address is 16
/// bytes aligned to 16: one array of pairs would be half padding).
#[derive(Default)]
struct Peers {
    slots: Vec<u32>,
    addrs: Vec<Addr>,
}

impl FileDenials {
    pub(super) fn add(
        &mut self,
        key: SgKey,
        line: u64,
        r: &Record,
        ev: &Evaluated,
        outcome: &Arc<Outcome>,
    ) {
        let peer = match outcome.direction {
            Direction::Ingress => ev.header.src,
            Direction::Egress => ev.header.dst,
        };
        let slot = *self.slots.entry(key).or_insert_with(|| {
            let start = self.text.len();
            self.text.extend_from_slice(r.line);
            self.origins.push(Origin {
                key,
                line,
                text: (start, self.text.len()),
                header: ev.header,
                outcome: outcome.clone(),
            });
            self.tallies.push(Tally {
                records: 0,
                packets: 0,
                bytes: 0,
                replies: 0,
                first: u64::MAX,
                last: 0,
                last_peer: peer,
            });
            self.peers.slots.push(self.tallies.len() as u32 - 1);
            self.peers.addrs.push(peer);
            self.tallies.len() as u32 - 1
        });
        let t = &mut self.tallies[slot as usize];
        t.records += 1;
        t.packets += r.packets.unwrap_or(0);
        t.bytes += r.bytes.unwrap_or(0);
        if t.last_peer != peer {
            t.last_peer = peer;
            self.peers.slots.push(slot);
            self.peers.addrs.push(peer);
        }
        if let Some(start) = r.start {
            t.first = t.first.min(start);
        }
        if let Some(end) = r.end.or(r.start) {
            t.last = t.last.max(end + 1);
        }
        if outcome.role == Role::Reply {
            t.replies += 1;
        }
    }
}

/// Each merged file's keys (by slot) and peers, in file order.
#[derive(Debug, Default)]
pub struct SgPeers {
    files: Vec<(Vec<SgKey>, Vec<u32>, Vec<Addr>)>,
}

impl Summary {
    /// Merge one file's denials (files in order: an earlier file's example
    /// stays), leaving `d` empty for the next file.
    pub(super) fn merge_denials(&mut self, ctx: &FileCtx, d: &mut FileDenials) {
        self.sg_denials.reserve(d.tallies.len());
        let mut keys = Vec::with_capacity(d.tallies.len());
        for (t, o) in d.tallies.drain(..).zip(d.origins.drain(..)) {
            keys.push(o.key);
            let g = self.sg_denials.entry(o.key).or_default();
            g.records += t.records;
            g.packets += t.packets;
            g.bytes += t.bytes;
            g.replies += t.replies;
            g.enis.insert(o.key.eni);
            let first = (t.first != u64::MAX).then_some(t.first);
            (g.first, g.last) = span(g.first, g.last, first, t.last.checked_sub(1));
            g.offer_example((ctx.index, o.line), || Example {
                file: ctx.name.clone(),
                line: o.line,
                text: String::from_utf8_lossy(&d.text[o.text.0..o.text.1]).into_owned(),
                header: o.header,
                eni: o.key.eni,
                outcome: o.outcome,
            });
        }
        d.slots.clear();
        d.text.clear();
        // The peer lists are kept; the next file's start as large.
        let n = d.peers.slots.len();
        let slots = std::mem::replace(&mut d.peers.slots, Vec::with_capacity(n));
        let addrs = std::mem::replace(&mut d.peers.addrs, Vec::with_capacity(n));
        self.sg_peers.files.push((keys, slots, addrs));
    }

    /// How many distinct peers each of `keys` had: per file, the first
    /// [`PEER_CAP`] distinct ones in record order; merged in file order
    /// while the group has fewer than that. Each file's list is read once.
    pub fn sg_peer_counts(&self, keys: &[SgKey]) -> Vec<usize> {
        let wanted: FastMap<SgKey, usize> = keys.iter().enumerate().map(|(i, k)| (*k, i)).collect();
        let mut total: Vec<FastSet<Addr>> = vec![FastSet::default(); keys.len()];
        for (file_keys, slots, addrs) in &self.sg_peers.files {
            // Slot → index in `keys` (u32::MAX: not asked for).
            let want: Vec<u32> = file_keys
                .iter()
                .map(|k| wanted.get(k).map_or(u32::MAX, |&i| i as u32))
                .collect();
            let open: Vec<bool> = total.iter().map(|s| s.len() < PEER_CAP).collect();
            let mut file: Vec<FastSet<Addr>> = vec![FastSet::default(); keys.len()];
            for (&slot, addr) in slots.iter().zip(addrs) {
                let i = want[slot as usize];
                if i != u32::MAX && open[i as usize] && file[i as usize].len() < PEER_CAP {
                    file[i as usize].insert(*addr);
                }
            }
            for (t, f) in total.iter_mut().zip(file) {
                t.extend(f);
            }
        }
        total.iter().map(FastSet::len).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Per file the first `PEER_CAP` distinct peers count; files merge in
    /// order while the group is under the cap (as `Group` did with a set
    /// per file).
    #[test]
    fn peer_counts_keep_the_cap_per_file() {
        let key = |port| SgKey {
            eni: 1,
            egress: false,
            proto: 6,
            port,
        };
        let addrs = |from: u128, n: u128| (from..from + n).collect::<Vec<Addr>>();
        let mut s = Summary::default();
        // File 1: 12,000 distinct peers of port 22 (capped at 10,000),
        // 3 of port 80 (one repeated).
        let mut a = addrs(0, 12_000);
        let mut slots = vec![0u32; a.len()];
        a.extend([5, 6, 5]);
        slots.extend([1, 1, 1]);
        s.sg_peers.files.push((vec![key(22), key(80)], slots, a));
        // File 2: port 22 is at the cap: nothing added; port 80 gains 2.
        s.sg_peers
            .files
            .push((vec![key(80), key(22)], vec![0, 0, 1], vec![6, 7, 20_000]));
        assert_eq!(
            s.sg_peer_counts(&[key(80), key(22), key(443)]),
            vec![3, 10_000, 0]
        );
        // Under the cap, a file's whole capped set is added at once.
        let mut s = Summary::default();
        s.sg_peers
            .files
            .push((vec![key(22)], vec![0; 9_999], addrs(0, 9_999)));
        s.sg_peers
            .files
            .push((vec![key(22)], vec![0; 12_000], addrs(100_000, 12_000)));
        s.sg_peers
            .files
            .push((vec![key(22)], vec![0], addrs(500_000, 1)));
        assert_eq!(s.sg_peer_counts(&[key(22)]), vec![19_999]);
    }
}
