//! A set of integers as sorted, disjoint, non-adjacent inclusive ranges,
//! kept inline for up to two ranges.
//!
//! Every dimension of a header set is one of these, and nearly all of them
//! hold one or two ranges (a CIDR, a port, "everything", IPv6 without the
//! IPv4-mapped block). `range-set-blaze`, used before, keeps each set in a
//! B-tree: an all-pairs audit spent about half its CPU allocating, cloning
//! and freeing those trees. Here a clone of a small set is a copy, and the
//! algebra is a merge over two sorted slices.
//!
//! The API follows `range-set-blaze`'s (same method names, operators,
//! `Debug`/`Display` text and lexicographic `Ord`), and a proptest holds
//! every operation equal to that crate's on random sets.
//!
//! Owns: the range-set type and its algebra. Must not know: addresses,
//! ports or anything else the integers stand for.

use std::cmp::Ordering;
use std::fmt;
use std::hash::Hash;
use std::ops::{BitAnd, BitOr, BitOrAssign, Not, RangeInclusive, Sub};

use smallvec::SmallVec;

/// The integer types a [`RangeSet`] holds.
pub trait Integer: Copy + Ord + Hash + fmt::Debug + fmt::Display + Send + Sync + 'static {
    const MIN: Self;
    const MAX: Self;
    /// `self + 1`; never called on `MAX`.
    fn add_one(self) -> Self;
    /// `self - 1`; never called on `MIN`.
    fn sub_one(self) -> Self;
    fn to_u128(self) -> u128;
}

macro_rules! integer {
    ($($t:ty),*) => {$(
        impl Integer for $t {
            const MIN: Self = <$t>::MIN;
            const MAX: Self = <$t>::MAX;
            fn add_one(self) -> Self {
                self + 1
            }
            fn sub_one(self) -> Self {
                self - 1
            }
            fn to_u128(self) -> u128 {
                u128::from(self)
            }
        }
    )*};
}
integer!(u8, u16, u32, u64, u128);

/// The ranges, inline up to two (the common case: a CIDR or a port range,
/// and IPv6 without the IPv4-mapped block).
type Ranges<T> = SmallVec<[(T, T); 2]>;

/// A set of integers; see the module documentation.
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct RangeSet<T: Integer> {
    /// Sorted, disjoint and non-adjacent, so equal sets are equal vectors.
    ranges: Ranges<T>,
}

impl<T: Integer> RangeSet<T> {
    pub fn new() -> Self {
        RangeSet {
            ranges: SmallVec::new(),
        }
    }

    /// The whole domain of `T`.
    pub fn universal() -> Self {
        Self::from_sorted(std::iter::once((T::MIN, T::MAX)))
    }

    /// From ranges already sorted and disjoint (adjacent ones are joined).
    fn from_sorted(ranges: impl IntoIterator<Item = (T, T)>) -> Self {
        let mut out: Ranges<T> = SmallVec::new();
        for (lo, hi) in ranges {
            push_joined(&mut out, lo, hi);
        }
        RangeSet { ranges: out }
    }

    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    pub fn is_universal(&self) -> bool {
        self.ranges.as_slice() == [(T::MIN, T::MAX)]
    }

    /// The ranges in ascending order.
    pub fn ranges(
        &self,
    ) -> impl DoubleEndedIterator<Item = RangeInclusive<T>> + ExactSizeIterator + Clone + '_ {
        self.ranges.iter().map(|&(lo, hi)| lo..=hi)
    }

    pub fn ranges_len(&self) -> usize {
        self.ranges.len()
    }

    pub fn contains(&self, value: T) -> bool {
        // Sets are short: a linear scan beats a binary search's branches.
        self.ranges
            .iter()
            .take_while(|(lo, _)| *lo <= value)
            .any(|&(_, hi)| value <= hi)
    }

    pub fn first(&self) -> Option<T> {
        self.ranges.first().map(|&(lo, _)| lo)
    }

    pub fn last(&self) -> Option<T> {
        self.ranges.last().map(|&(_, hi)| hi)
    }

    /// The elements in ascending order.
    pub fn iter(&self) -> impl Iterator<Item = T> + '_ {
        self.ranges.iter().flat_map(|&(lo, hi)| {
            let mut next = Some(lo);
            std::iter::from_fn(move || {
                let v = next?;
                next = (v < hi).then(|| v.add_one());
                Some(v)
            })
        })
    }

    /// How many elements the set holds (saturating at `u128::MAX`: only the
    /// whole `u128` domain has one more).
    pub fn len(&self) -> u128 {
        self.ranges.iter().fold(0u128, |n, &(lo, hi)| {
            n.saturating_add((hi.to_u128() - lo.to_u128()).saturating_add(1))
        })
    }

    /// Add `range`; whether anything was added.
    pub fn ranges_insert(&mut self, range: RangeInclusive<T>) -> bool {
        let more: RangeSet<T> = std::iter::once(range).collect();
        let union = self.either(&more);
        let added = union != *self;
        *self = union;
        added
    }

    /// Take `value` out; whether it was there.
    pub fn remove(&mut self, value: T) -> bool {
        let present = self.contains(value);
        if present {
            *self = self.minus(&Self::from_sorted([(value, value)]));
        }
        present
    }

    pub fn insert(&mut self, value: T) -> bool {
        let added = !self.contains(value);
        if added {
            *self = &*self | &Self::from_sorted([(value, value)]);
        }
        added
    }

    pub fn is_disjoint(&self, other: &Self) -> bool {
        let (a, b) = (&self.ranges, &other.ranges);
        let (mut i, mut j) = (0, 0);
        while i < a.len() && j < b.len() {
            if a[i].1 < b[j].0 {
                i += 1;
            } else if b[j].1 < a[i].0 {
                j += 1;
            } else {
                return false;
            }
        }
        true
    }

    pub fn is_subset(&self, other: &Self) -> bool {
        self.minus(other).is_empty()
    }

    pub fn is_superset(&self, other: &Self) -> bool {
        other.is_subset(self)
    }

    /// `self & other`.
    pub fn both(&self, other: &Self) -> Self {
        let (a, b) = (&self.ranges, &other.ranges);
        let mut out: Ranges<T> = SmallVec::new();
        let (mut i, mut j) = (0, 0);
        while i < a.len() && j < b.len() {
            let lo = a[i].0.max(b[j].0);
            let hi = a[i].1.min(b[j].1);
            if lo <= hi {
                out.push((lo, hi));
            }
            if a[i].1 < b[j].1 {
                i += 1;
            } else {
                j += 1;
            }
        }
        RangeSet { ranges: out }
    }

    /// `self - other`.
    pub fn minus(&self, other: &Self) -> Self {
        let b = &other.ranges;
        let mut out: Ranges<T> = SmallVec::new();
        let mut j = 0;
        for &(start, hi) in &self.ranges {
            let mut lo = start;
            let mut open = true;
            while j < b.len() {
                let (slo, shi) = b[j];
                if shi < lo {
                    j += 1;
                    continue;
                }
                if slo > hi {
                    break;
                }
                if slo > lo {
                    out.push((lo, slo.sub_one()));
                }
                if shi >= hi {
                    open = false;
                    break;
                }
                lo = shi.add_one();
                j += 1;
            }
            if open {
                out.push((lo, hi));
            }
        }
        RangeSet { ranges: out }
    }

    /// `self | other`.
    pub fn either(&self, other: &Self) -> Self {
        if other.is_empty() {
            return self.clone();
        }
        if self.is_empty() {
            return other.clone();
        }
        let (a, b) = (&self.ranges, &other.ranges);
        let mut out: Ranges<T> = SmallVec::with_capacity(a.len() + b.len());
        let (mut i, mut j) = (0, 0);
        while i < a.len() || j < b.len() {
            let next = if j == b.len() || (i < a.len() && a[i].0 <= b[j].0) {
                i += 1;
                a[i - 1]
            } else {
                j += 1;
                b[j - 1]
            };
            push_joined(&mut out, next.0, next.1);
        }
        RangeSet { ranges: out }
    }

    /// Everything not in `self`.
    pub fn complement(&self) -> Self {
        Self::universal().minus(self)
    }
}

/// Append `lo..=hi` (which starts at or after the last range's start),
/// joining it with the last range when they overlap or touch.
fn push_joined<T: Integer>(out: &mut Ranges<T>, lo: T, hi: T) {
    if let Some(last) = out.last_mut() {
        if last.1 == T::MAX || lo <= last.1.add_one() {
            last.1 = last.1.max(hi);
            return;
        }
    }
    out.push((lo, hi));
}

impl<T: Integer> FromIterator<RangeInclusive<T>> for RangeSet<T> {
    fn from_iter<I: IntoIterator<Item = RangeInclusive<T>>>(iter: I) -> Self {
        let mut ranges: SmallVec<[(T, T); 4]> = iter
            .into_iter()
            .filter(|r| r.start() <= r.end())
            .map(|r| r.into_inner())
            .collect();
        if !ranges.is_sorted() {
            ranges.sort_unstable();
        }
        Self::from_sorted(ranges)
    }
}

impl<T: Integer> FromIterator<T> for RangeSet<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        iter.into_iter().map(|v| v..=v).collect()
    }
}

impl<T: Integer, const N: usize> From<[RangeInclusive<T>; N]> for RangeSet<T> {
    fn from(ranges: [RangeInclusive<T>; N]) -> Self {
        ranges.into_iter().collect()
    }
}

impl<T: Integer> Extend<RangeInclusive<T>> for RangeSet<T> {
    fn extend<I: IntoIterator<Item = RangeInclusive<T>>>(&mut self, iter: I) {
        let more: RangeSet<T> = iter.into_iter().collect();
        *self = self.either(&more);
    }
}

/// Lexicographic over the elements, as `range-set-blaze` and `BTreeSet`
/// order sets (not by inclusion): output sorted by sets keeps its order.
impl<T: Integer> Ord for RangeSet<T> {
    fn cmp(&self, other: &Self) -> Ordering {
        let (mut a, mut b) = (self.ranges.iter().copied(), other.ranges.iter().copied());
        let (mut x, mut y) = (a.next(), b.next());
        loop {
            match (x, y) {
                (Some((alo, ahi)), Some((blo, bhi))) => {
                    if alo != blo {
                        return alo.cmp(&blo);
                    }
                    match ahi.cmp(&bhi) {
                        Ordering::Equal => {
                            x = a.next();
                            y = b.next();
                        }
                        Ordering::Less => {
                            x = a.next();
                            y = Some((ahi.add_one(), bhi));
                        }
                        Ordering::Greater => {
                            x = Some((bhi.add_one(), ahi));
                            y = b.next();
                        }
                    }
                }
                (Some(_), None) => return Ordering::Greater,
                (None, Some(_)) => return Ordering::Less,
                (None, None) => return Ordering::Equal,
            }
        }
    }
}

impl<T: Integer> PartialOrd for RangeSet<T> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// `1..=3, 7..=7`, as `range-set-blaze` prints a set.
impl<T: Integer> fmt::Display for RangeSet<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, r) in self.ranges().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{r:?}")?;
        }
        Ok(())
    }
}

impl<T: Integer> fmt::Debug for RangeSet<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

// Operators, by reference and by value, as range-set-blaze offers them.
macro_rules! binary_op {
    ($trait:ident, $method:ident, $algebra:ident) => {
        impl<T: Integer> $trait<&RangeSet<T>> for &RangeSet<T> {
            type Output = RangeSet<T>;
            fn $method(self, other: &RangeSet<T>) -> RangeSet<T> {
                self.$algebra(other)
            }
        }
        impl<T: Integer> $trait<RangeSet<T>> for RangeSet<T> {
            type Output = RangeSet<T>;
            fn $method(self, other: RangeSet<T>) -> RangeSet<T> {
                self.$algebra(&other)
            }
        }
        impl<T: Integer> $trait<&RangeSet<T>> for RangeSet<T> {
            type Output = RangeSet<T>;
            fn $method(self, other: &RangeSet<T>) -> RangeSet<T> {
                self.$algebra(other)
            }
        }
        impl<T: Integer> $trait<RangeSet<T>> for &RangeSet<T> {
            type Output = RangeSet<T>;
            fn $method(self, other: RangeSet<T>) -> RangeSet<T> {
                self.$algebra(&other)
            }
        }
    };
}
binary_op!(BitOr, bitor, either);
binary_op!(BitAnd, bitand, both);
binary_op!(Sub, sub, minus);

impl<T: Integer> BitOrAssign<&RangeSet<T>> for RangeSet<T> {
    fn bitor_assign(&mut self, other: &RangeSet<T>) {
        *self = self.either(other);
    }
}

impl<T: Integer> BitOrAssign<RangeSet<T>> for RangeSet<T> {
    fn bitor_assign(&mut self, other: RangeSet<T>) {
        *self = self.either(&other);
    }
}

impl<T: Integer> Not for &RangeSet<T> {
    type Output = RangeSet<T>;
    fn not(self) -> RangeSet<T> {
        self.complement()
    }
}

impl<T: Integer> Not for RangeSet<T> {
    type Output = RangeSet<T>;
    fn not(self) -> RangeSet<T> {
        self.complement()
    }
}

#[cfg(test)]
mod tests {
    //! Every operation equals `range-set-blaze`'s on random sets, edges (0
    //! and the maximum) and adjacent ranges included.
    use super::*;
    use proptest::prelude::*;
    use range_set_blaze::RangeSetBlaze;

    fn ranges<T: Integer + std::fmt::Debug + Arbitrary>(
        edges: [T; 4],
    ) -> impl Strategy<Value = Vec<RangeInclusive<T>>> {
        let bound = prop_oneof![
            Just(edges[0]),
            Just(edges[1]),
            Just(edges[2]),
            Just(edges[3]),
            any::<T>()
        ];
        proptest::collection::vec((bound.clone(), bound), 0..6)
            .prop_map(|v| v.into_iter().map(|(a, b)| a.min(b)..=a.max(b)).collect())
    }

    fn same<T: Integer + range_set_blaze::Integer>(
        ours: &RangeSet<T>,
        oracle: &RangeSetBlaze<T>,
    ) -> bool {
        ours.ranges().eq(oracle.ranges())
    }

    macro_rules! oracle {
        ($name:ident, $t:ty, $edges:expr) => {
            proptest! {
                #[test]
                fn $name(a in ranges::<$t>($edges), b in ranges::<$t>($edges), v in any::<$t>()) {
                    let (x, y): (RangeSet<$t>, RangeSet<$t>) =
                        (a.iter().cloned().collect(), b.iter().cloned().collect());
                    let (p, q): (RangeSetBlaze<$t>, RangeSetBlaze<$t>) =
                        (a.iter().cloned().collect(), b.iter().cloned().collect());
                    prop_assert!(same(&x, &p));
                    prop_assert!(same(&(&x | &y), &(&p | &q)));
                    prop_assert!(same(&(&x & &y), &(&p & &q)));
                    prop_assert!(same(&(&x - &y), &(&p - &q)));
                    prop_assert!(same(&(&y - &x), &(&q - &p)));
                    prop_assert!(same(&!&x, &!&p));
                    prop_assert_eq!(x.is_disjoint(&y), p.is_disjoint(&q));
                    prop_assert_eq!(x.is_subset(&y), p.is_subset(&q));
                    prop_assert_eq!(x.cmp(&y), p.cmp(&q));
                    prop_assert_eq!(x == y, p == q);
                    prop_assert_eq!(x.contains(v), p.contains(v));
                    prop_assert_eq!(x.is_universal(), p.is_universal());
                    prop_assert_eq!(format!("{x:?}"), format!("{p:?}"));
                    prop_assert_eq!(x.first(), p.first());
                    prop_assert_eq!(x.last(), p.last());
                    let mut inserted = x.clone();
                    let mut oracle = p.clone();
                    prop_assert_eq!(inserted.insert(v), oracle.insert(v));
                    prop_assert!(same(&inserted, &oracle));
                    prop_assert_eq!(inserted.remove(v), oracle.remove(v));
                    prop_assert!(same(&inserted, &oracle));
                }
            }
        };
    }

    oracle!(u8_sets_equal_the_oracle, u8, [0, 1, 254, u8::MAX]);
    oracle!(u16_sets_equal_the_oracle, u16, [0, 22, 23, u16::MAX]);
    oracle!(
        u128_sets_equal_the_oracle,
        u128,
        [0, 0xffff_0000_0000, 0xffff_ffff_ffff, u128::MAX]
    );

    #[test]
    fn len_counts_elements_and_saturates_on_the_whole_u128_domain() {
        let ports: RangeSet<u16> = [0..=9, 20..=20].into();
        assert_eq!(ports.len(), 11);
        assert_eq!(RangeSet::<u16>::universal().len(), 65_536);
        assert_eq!(RangeSet::<u128>::universal().len(), u128::MAX);
        let elements: Vec<u16> = ports.iter().collect();
        assert_eq!(elements, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 20]);
    }

    #[test]
    fn two_ranges_stay_inline() {
        let v6: RangeSet<u128> = [0..=9, 20..=u128::MAX].into();
        assert!(!v6.ranges.spilled());
    }
}
