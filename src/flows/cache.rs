//! What the snapshot says, remembered per worker so that a record costs a
//! few look-ups: interface id → ENI index, a record's [`Key`] → its
//! [`Outcome`] (through its [`Decision`], or an ICMP record's signature),
//! together with the facts every record of that outcome needs — the
//! verdict, whether only what the snapshot lacks denies it, the deciding
//! blocker as a small number ([`Cached`]) — worked out once per outcome
//! rather than once per record. Knows nothing of files, groups or output.

use std::sync::{Arc, Mutex};

use super::attribute::{Attributor, Blocker, Decision, Key, Outcome, Verdict};
use super::summary::FastMap;
use crate::analysis::rules::Direction;
use crate::analysis::ExplanationCode;
use crate::packet::PROTO_ICMP;

/// An [`Outcome`] and what each record of it needs.
pub struct Cached {
    pub outcome: Arc<Outcome>,
    /// Not allowed, and only what the snapshot lacks denies it: a
    /// definite denial (an SG or NACL rule) still explains a REJECT, or
    /// makes an ACCEPT drift.
    pub undecided: bool,
    /// The deciding (first) blocker, interned per worker
    /// ([`Cache::blocker_count`] of them); `None` if nothing blocks.
    pub blocker: Option<u32>,
    /// The deciding blocker is the security groups', in this direction.
    pub sg_denial: Option<Direction>,
}

/// ICMP outcomes by signature, shared by a run's workers: evaluating one
/// the long way (header sets, every ICMP type) costs far more than taking
/// a lock, and without it each worker evaluated nearly every signature.
pub type SharedIcmp = Mutex<FastMap<Box<[u32]>, Arc<Outcome>>>;

/// Outcomes per key, one cache per worker. Bounded: cleared when it holds
/// [`CACHE_LIMIT`] outcomes (a flow log with millions of distinct flows).
#[derive(Default)]
pub struct Cache {
    outcomes: Vec<Cached>,
    /// ICMP records by [`Attributor::icmp_signature`] (evaluated the long
    /// way once per signature, not once per peer address).
    icmp: FastMap<Box<[u32]>, u32>,
    /// The signature of the current ICMP record (reused: no allocation).
    signature: Vec<u32>,
    /// The run's ICMP outcomes, asked on a miss of `icmp`.
    shared: Option<Arc<SharedIcmp>>,
    /// Other protocols: a [`Decision`] per record (cheap, no allocation),
    /// its [`Outcome`] built once per distinct decision.
    decisions: FastMap<Decision, u32>,
    /// The previous key and its outcome: consecutive records of one flow
    /// skip the look-ups.
    last: Option<(Key, u32)>,
    /// Interface ids `eni-` + hex digits, as one number ([`packed_eni`]):
    /// two words to hash and compare, no pointer to follow on a look-up.
    eni_short: FastMap<u128, Option<u32>>,
    eni_ids: FastMap<Box<str>, Option<u32>>,
    /// The previous interface id and its ENI (about half the records of a
    /// log follow one of the same ENI).
    last_iface: Vec<u8>,
    last_eni: Option<u32>,
    /// Deciding blockers, numbered; never cleared (one per NACL rule or
    /// ENI and direction at most).
    blockers: FastMap<Blocker, u32>,
    /// The most outcomes held at once.
    peak: usize,
}

const CACHE_LIMIT: usize = 2_000_000;

impl Cache {
    /// A worker's cache that shares ICMP outcomes with the run's others.
    pub fn with_shared(shared: Arc<SharedIcmp>) -> Self {
        Cache {
            shared: Some(shared),
            ..Cache::default()
        }
    }

    /// The ENI of an interface id.
    pub fn eni(&mut self, attr: &Attributor, iface: &str) -> Option<u32> {
        if self.last_iface == iface.as_bytes() {
            return self.last_eni;
        }
        let e = match packed_eni(iface) {
            Some(k) => *self
                .eni_short
                .entry(k)
                .or_insert_with(|| attr.eni_index(iface)),
            None => match self.eni_ids.get(iface) {
                Some(e) => *e,
                None => {
                    let e = attr.eni_index(iface);
                    self.eni_ids.insert(iface.into(), e);
                    e
                }
            },
        };
        self.last_iface.clear();
        self.last_iface.extend_from_slice(iface.as_bytes());
        self.last_eni = e;
        e
    }

    /// The outcome of a key: an index for [`Self::get`], valid until the
    /// next call.
    pub fn outcome(&mut self, attr: &Attributor, key: &Key) -> u32 {
        if let Some((k, i)) = &self.last {
            if k == key {
                return *i;
            }
        }
        if self.outcomes.len() >= CACHE_LIMIT {
            self.outcomes.clear();
            self.icmp.clear();
            self.decisions.clear();
        }
        let i = if key.header.proto == PROTO_ICMP {
            attr.icmp_signature(key, &mut self.signature);
            match self.icmp.get(self.signature.as_slice()) {
                Some(&i) => i,
                None => {
                    let o = self.icmp_outcome(attr, key);
                    let i = self.intern(o);
                    self.icmp.insert(self.signature.as_slice().into(), i);
                    i
                }
            }
        } else {
            let d = attr.decide(key);
            match self.decisions.get(&d) {
                Some(&i) => i,
                None => {
                    let i = self.intern(Arc::new(attr.materialize(&d)));
                    self.decisions.insert(d, i);
                    i
                }
            }
        };
        self.last = Some((*key, i));
        i
    }

    pub fn get(&self, i: u32) -> &Cached {
        &self.outcomes[i as usize]
    }

    /// How many blocker numbers [`Cached::blocker`] has given out.
    pub fn blocker_count(&self) -> usize {
        self.blockers.len()
    }

    /// The most outcomes held at once.
    pub fn peak(&self) -> usize {
        self.peak
    }

    /// The outcome of an ICMP key whose signature is in `signature`: from
    /// the run's shared map, else evaluated (outside the lock) and added.
    fn icmp_outcome(&self, attr: &Attributor, key: &Key) -> Arc<Outcome> {
        let Some(shared) = &self.shared else {
            return Arc::new(attr.evaluate(key));
        };
        let sig = self.signature.as_slice();
        if let Some(o) = shared.lock().ok().and_then(|m| m.get(sig).cloned()) {
            return o;
        }
        let o = Arc::new(attr.evaluate(key));
        if let Ok(mut m) = shared.lock() {
            if m.len() >= CACHE_LIMIT {
                m.clear();
            }
            m.insert(sig.into(), o.clone());
        }
        o
    }

    fn intern(&mut self, o: Arc<Outcome>) -> u32 {
        let undecided = o.verdict != Verdict::Allow
            && o.blockers
                .iter()
                .all(|b| b.code() == ExplanationCode::UnknownResource);
        let first = o.blockers.first();
        let blocker = first.map(|b| {
            let next = self.blockers.len() as u32;
            *self.blockers.entry(b.clone()).or_insert(next)
        });
        let sg_denial = match first {
            Some(Blocker::Sg { direction, .. }) => Some(*direction),
            _ => None,
        };
        self.outcomes.push(Cached {
            outcome: o,
            undecided,
            blocker,
            sg_denial,
        });
        self.peak = self.peak.max(self.outcomes.len());
        self.outcomes.len() as u32 - 1
    }
}

/// `eni-` and 1 to 29 lowercase hex digits (AWS writes 8 or 17) as one
/// number: the digits' value, and their count in the top byte so that
/// leading zeros still tell ids apart. `None` for any other id.
fn packed_eni(id: &str) -> Option<u128> {
    let hex = id.as_bytes().strip_prefix(b"eni-")?;
    if hex.is_empty() || hex.len() > 29 {
        return None;
    }
    let mut v: u128 = 0;
    for &b in hex {
        let d = match b {
            b'0'..=b'9' => b - b'0',
            b'a'..=b'f' => b - b'a' + 10,
            _ => return None,
        };
        v = v << 4 | u128::from(d);
    }
    Some(v | (hex.len() as u128) << 120)
}
#[cfg(test)]
mod tests {
    use super::packed_eni;

    #[test]
    fn packed_eni_ids_are_distinct() {
        let ids = [
            "eni-00000050000000644",
            "eni-0000005000000644",
            "eni-1235b8ca",
            "eni-01235b8ca",
            "eni-1",
            "eni-0",
            "eni-00",
        ];
        let packed: Vec<u128> = ids.iter().map(|i| packed_eni(i).unwrap()).collect();
        for (i, a) in packed.iter().enumerate() {
            for b in &packed[i + 1..] {
                assert_ne!(a, b);
            }
        }
        for other in [
            "eni-",
            "eni-ABC",
            "i-0123",
            "eni-123456789012345678901234567890",
        ] {
            assert_eq!(packed_eni(other), None, "{other}");
        }
        assert!(packed_eni("eni-12345678901234567890123456789").is_some());
    }
}
