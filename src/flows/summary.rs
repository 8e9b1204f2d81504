//! What a `flows` run found, as plain data the report layer lays out:
//! counts, records grouped by deciding rule, by security group denial and
//! by drift, with an example each ([`Summary`], [`Group`]); and merging one
//! file's summary into the run's, in file order. Knows nothing of reading
//! or evaluating records (the parent module) nor of output formats.

use std::collections::{HashMap, HashSet};
use std::hash::Hasher;
use std::sync::Arc;

use super::attribute::Blocker;
use super::{Evaluated, FileCtx, Outcome, Record, Role};
use crate::packet::Header;

/// The time span covering two: earliest first, latest last.
pub(super) fn span(
    first: Option<u64>,
    last: Option<u64>,
    o_first: Option<u64>,
    o_last: Option<u64>,
) -> (Option<u64>, Option<u64>) {
    let pick = |a: Option<u64>, b: Option<u64>, f: fn(u64, u64) -> u64| match (a, b) {
        (Some(a), Some(b)) => Some(f(a, b)),
        (a, b) => a.or(b),
    };
    (pick(first, o_first, u64::min), pick(last, o_last, u64::max))
}

/// Widen a time span to cover a record (its start, and its end or else
/// its start).
pub(super) fn widen(first: &mut Option<u64>, last: &mut Option<u64>, r: &Record) {
    if let Some(s) = r.start {
        *first = Some(first.map_or(s, |f| f.min(s)));
    }
    if let Some(e) = r.end.or(r.start) {
        *last = Some(last.map_or(e, |l| l.max(e)));
    }
}

/// A record kept as an example.
#[derive(Clone, Debug)]
pub struct Example {
    pub file: Arc<str>,
    pub line: u64,
    pub text: String,
    pub header: Header,
    pub eni: u32,
    pub outcome: Arc<Outcome>,
}

/// Records that share a cause.
#[derive(Clone, Debug, Default)]
pub struct Group {
    pub records: u64,
    pub packets: u64,
    pub bytes: u64,
    pub enis: SmallSet<u32>,
    pub first: Option<u64>,
    pub last: Option<u64>,
    /// Records evaluated as replies (return traffic).
    pub replies: u64,
    /// Boxed: most groups are moved several times (hash tables growing,
    /// merges) and the example is the larger part of a group.
    pub example: Option<Box<Example>>,
    /// (file index, line) of the example, to keep the earliest.
    order: (usize, u64),
    /// The last ENI added: consecutive records of one ENI skip the set
    /// insertion.
    last_eni: Option<u32>,
}

/// A set that holds its first element inline: most groups (one per ENI
/// and port for security group denials) see one ENI and one peer, and
/// hundreds of thousands of them each allocating two hash sets dominated
/// the time and memory of `flows` (docs/performance.md, issue 13).
#[derive(Clone, Debug)]
pub struct SmallSet<T> {
    first: Option<T>,
    /// Every element, `first` included, once there are two or more.
    rest: FastSet<T>,
}

impl<T> Default for SmallSet<T> {
    fn default() -> Self {
        SmallSet {
            first: None,
            rest: FastSet::default(),
        }
    }
}

impl<T: Copy + Eq + std::hash::Hash> SmallSet<T> {
    pub fn insert(&mut self, v: T) {
        match self.first {
            None => self.first = Some(v),
            Some(f) if self.rest.is_empty() => {
                if f != v {
                    self.rest.insert(f);
                    self.rest.insert(v);
                }
            }
            Some(_) => {
                self.rest.insert(v);
            }
        }
    }

    pub fn len(&self) -> usize {
        if !self.rest.is_empty() {
            self.rest.len()
        } else {
            usize::from(self.first.is_some())
        }
    }

    pub fn is_empty(&self) -> bool {
        self.first.is_none()
    }

    pub fn contains(&self, v: &T) -> bool {
        self.first.as_ref() == Some(v) || self.rest.contains(v)
    }

    /// In no particular order.
    pub fn iter(&self) -> impl Iterator<Item = &T> {
        let first = if self.rest.is_empty() {
            self.first.as_ref()
        } else {
            None
        };
        first.into_iter().chain(self.rest.iter())
    }

    pub fn extend(&mut self, o: SmallSet<T>) {
        if self.is_empty() {
            *self = o;
        } else if o.rest.is_empty() {
            if let Some(v) = o.first {
                self.insert(v);
            }
        } else {
            for v in o.rest {
                self.insert(v);
            }
        }
    }
}

impl Group {
    pub(super) fn add(
        &mut self,
        ctx: &FileCtx,
        line: u64,
        r: &Record,
        ev: &Evaluated,
        outcome: &Arc<Outcome>,
    ) {
        self.records += 1;
        self.packets += r.packets.unwrap_or(0);
        self.bytes += r.bytes.unwrap_or(0);
        if self.last_eni != Some(ev.eni) {
            self.last_eni = Some(ev.eni);
            self.enis.insert(ev.eni);
        }
        widen(&mut self.first, &mut self.last, r);
        if outcome.role == Role::Reply {
            self.replies += 1;
        }
        self.offer_example((ctx.index, line), || Example {
            file: ctx.name.clone(),
            line,
            text: String::from_utf8_lossy(r.line).into_owned(),
            header: ev.header,
            eni: ev.eni,
            outcome: outcome.clone(),
        });
    }

    /// Keep the record at `order` (file index, line) as the example if it
    /// is the earliest seen; `example` is only called then.
    pub(super) fn offer_example(&mut self, order: (usize, u64), example: impl FnOnce() -> Example) {
        if self.example.is_none() || order < self.order {
            self.order = order;
            self.example = Some(Box::new(example()));
        }
    }

    pub(super) fn merge(&mut self, o: Group) {
        self.records += o.records;
        self.packets += o.packets;
        self.bytes += o.bytes;
        self.enis.extend(o.enis);
        (self.first, self.last) = span(self.first, self.last, o.first, o.last);
        self.replies += o.replies;
        if o.example.is_some() && (self.example.is_none() || o.order < self.order) {
            self.example = o.example;
            self.order = o.order;
        }
    }
}

/// SG denials are broken down by ENI, direction, protocol and service port.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct SgKey {
    pub eni: u32,
    pub egress: bool,
    pub proto: u8,
    /// The destination port of the denied packet (0 for ICMP).
    pub port: u16,
}

/// Hashed as one word (one hasher round, not four): looked up
/// once per denied record.
impl std::hash::Hash for SgKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(
            u64::from(self.eni) << 32
                | u64::from(self.egress) << 24
                | u64::from(self.proto) << 16
                | u64::from(self.port),
        );
    }
}

/// Drift is grouped by ENI, direction, action, protocol and port.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DriftKey {
    pub eni: u32,
    pub egress: bool,
    pub accept: bool,
    pub proto: u8,
    /// The service port (the lower one) for TCP/UDP, 0 otherwise.
    pub port: u16,
}

#[derive(Clone, Debug)]
pub struct Malformed {
    pub file: Arc<str>,
    pub line: u64,
    pub reason: String,
}

/// What a run found; the report layer lays it out.
#[derive(Debug, Default)]
pub struct Summary {
    pub files: usize,
    pub lines: u64,
    /// Traffic records (log-status OK or absent).
    pub records: u64,
    pub accept: u64,
    pub reject: u64,
    pub bytes: u64,
    pub first: Option<u64>,
    pub last: Option<u64>,
    pub enis: FastSet<u32>,
    pub nodata: u64,
    pub skipdata: u64,
    pub malformed: u64,
    /// The first few malformed lines.
    pub malformed_examples: Vec<Malformed>,
    pub headers: u64,
    pub ipv6: u64,
    pub incomplete: u64,
    pub no_direction: u64,
    pub no_direction_rejects: u64,
    /// Unknown ENI → (records, REJECTs).
    pub unknown_enis: HashMap<String, (u64, u64)>,
    /// Explained REJECTs by deciding component and rule.
    pub by_blocker: FastMap<Blocker, Group>,
    /// Of the run (files merge theirs with [`Summary::merge_denials`]);
    /// peers are counted on request ([`Summary::sg_peer_counts`]).
    pub sg_denials: FastMap<SgKey, Group>,
    pub(super) sg_peers: super::denials::SgPeers,
    pub drift: FastMap<DriftKey, Group>,
    pub consistent: u64,
    pub explained: u64,
    pub partial: u64,
    pub unexplained_accept: u64,
    pub unexplained_reject: u64,
    /// Records whose verdict depends on what the snapshot lacks.
    pub unknown: u64,
    /// Files that could not be read to the end: (file, error).
    pub file_errors: Vec<(String, String)>,
    /// Per-file notes (header overrides --log-format, …).
    pub warnings: Vec<String>,
    /// Notes from the attribution (missing prefix list entries, …).
    pub notes: Vec<String>,
    pub cache_entries: usize,
}

impl Summary {
    pub(super) fn merge(&mut self, o: Summary) {
        self.files += o.files;
        self.lines += o.lines;
        self.records += o.records;
        self.accept += o.accept;
        self.reject += o.reject;
        self.bytes += o.bytes;
        (self.first, self.last) = span(self.first, self.last, o.first, o.last);
        self.enis.extend(o.enis);
        self.nodata += o.nodata;
        self.skipdata += o.skipdata;
        self.malformed += o.malformed;
        for m in o.malformed_examples {
            if self.malformed_examples.len() < MALFORMED_EXAMPLES {
                self.malformed_examples.push(m);
            }
        }
        self.headers += o.headers;
        self.ipv6 += o.ipv6;
        self.incomplete += o.incomplete;
        self.no_direction += o.no_direction;
        self.no_direction_rejects += o.no_direction_rejects;
        for (k, (a, b)) in o.unknown_enis {
            let e = self.unknown_enis.entry(k).or_default();
            e.0 += a;
            e.1 += b;
        }
        for (k, g) in o.by_blocker {
            self.by_blocker.entry(k).or_default().merge(g);
        }
        for (k, g) in o.drift {
            self.drift.entry(k).or_default().merge(g);
        }
        self.consistent += o.consistent;
        self.explained += o.explained;
        self.partial += o.partial;
        self.unexplained_accept += o.unexplained_accept;
        self.unexplained_reject += o.unexplained_reject;
        self.unknown += o.unknown;
        self.file_errors.extend(o.file_errors);
        self.warnings.extend(o.warnings);
    }

    /// REJECT records the snapshot does not explain: drift, unknown ENIs,
    /// undetermined direction.
    pub fn unexplained_rejects(&self) -> u64 {
        self.unexplained_reject
            + self.unknown_enis.values().map(|(_, r)| r).sum::<u64>()
            + self.no_direction_rejects
    }

    /// Exit code contract: 0 every REJECT explained and no drift, 1
    /// otherwise (unknown records included), 2 when some input could not
    /// be read.
    pub fn exit_code(&self) -> u8 {
        if !self.file_errors.is_empty() {
            2
        } else if self.unexplained_rejects() > 0 || self.unexplained_accept > 0 || self.unknown > 0
        {
            // An unknown record (R-partial.5, R-ambiguous.1) is neither
            // explained nor known not to be drift: never "all explained".
            1
        } else {
            0
        }
    }

    pub(super) fn sort_malformed(&mut self) {
        self.malformed_examples
            .sort_by(|a, b| (&*a.file, a.line).cmp(&(&*b.file, b.line)));
    }
}

pub(super) const MALFORMED_EXAMPLES: usize = 20;

/// Hash maps of the flows engine: foldhash (already in the tree through
/// hashbrown), fixed seed. Its multiply folds the high half of the product
/// back into the low bits a table indexes by: the FxHash this replaced
/// did not, so keys that differ only in their high bits (an ENI index
/// above a port) piled into few buckets and equality checks took 14 % of
/// a run (docs/performance.md, "`flows` throughput, round two").
pub type FastMap<K, V> = HashMap<K, V, foldhash::fast::FixedState>;
pub type FastSet<T> = HashSet<T, foldhash::fast::FixedState>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_set_is_a_set() {
        let mut a = SmallSet::default();
        assert_eq!((a.len(), a.is_empty()), (0, true));
        a.insert(3u32);
        a.insert(3);
        assert_eq!(
            (a.len(), a.iter().copied().collect::<Vec<_>>()),
            (1, vec![3])
        );
        a.insert(5);
        a.insert(3);
        let mut v: Vec<u32> = a.iter().copied().collect();
        v.sort();
        assert_eq!((a.len(), v), (2, vec![3, 5]));
        assert!(a.contains(&5) && a.contains(&3) && !a.contains(&4));
        let mut b = SmallSet::default();
        b.insert(5u32);
        b.extend(a.clone());
        assert_eq!(b.len(), 2);
        let mut c = SmallSet::default();
        c.insert(9u32);
        a.extend(c);
        assert_eq!(a.len(), 3);
        let mut e = SmallSet::<u32>::default();
        e.extend(SmallSet::default());
        assert!(e.is_empty());
    }
}
