//! Canonical form of a header set: the same set of headers always gives the
//! same cubes in the same order, whatever cubes it was built from. Findings
//! are grouped by it and printed from it, so output is byte-for-byte stable.
//!
//! The set is read as a function proto → src → dst → sport → dport-set, each
//! level cut at every cube boundary and then merged where the rest of the
//! function is equal. That coarsest partition is unique.

use crate::packet::*;

type Ranges = Vec<(u128, u128)>;

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Node {
    Leaf,
    Level(Vec<(Ranges, Node)>),
}

fn dim(c: &Cube, d: usize) -> Ranges {
    match d {
        0 => c
            .proto
            .ranges()
            .map(|r| (*r.start() as u128, *r.end() as u128))
            .collect(),
        1 => c.src.ranges().map(|r| (*r.start(), *r.end())).collect(),
        2 => c.dst.ranges().map(|r| (*r.start(), *r.end())).collect(),
        3 => c
            .sport
            .ranges()
            .map(|r| (*r.start() as u128, *r.end() as u128))
            .collect(),
        _ => c
            .dport
            .ranges()
            .map(|r| (*r.start() as u128, *r.end() as u128))
            .collect(),
    }
}

fn contains(r: &Ranges, x: u128) -> bool {
    // Ranges are sorted and disjoint.
    let i = r.partition_point(|(_, hi)| *hi < x);
    i < r.len() && r[i].0 <= x
}

fn build(cubes: &[(&Cube, Vec<Ranges>)], d: usize) -> Node {
    if d == 5 {
        return Node::Leaf;
    }
    // Cut points: every range start and every first value after a range
    // (none after the top of the dimension).
    let mut points: Vec<u128> = Vec::new();
    let mut to_top = false;
    for (_, dims) in cubes {
        for (lo, hi) in &dims[d] {
            points.push(*lo);
            match hi.checked_add(1) {
                Some(next) => points.push(next),
                None => to_top = true,
            }
        }
    }
    points.sort_unstable();
    points.dedup();
    let mut windows: Vec<(u128, u128)> = points.windows(2).map(|w| (w[0], w[1] - 1)).collect();
    if let (true, Some(&last)) = (to_top, points.last()) {
        windows.push((last, u128::MAX));
    }
    let mut pieces: Vec<(Ranges, Node)> = Vec::new();
    for (lo, hi) in windows {
        let inside: Vec<(&Cube, Vec<Ranges>)> = cubes
            .iter()
            .filter(|(_, dims)| contains(&dims[d], lo))
            .map(|(c, dims)| (*c, dims.clone()))
            .collect();
        if inside.is_empty() {
            continue;
        }
        let sub = build(&inside, d + 1);
        match pieces.iter_mut().find(|(_, n)| *n == sub) {
            Some((r, _)) => push_range(r, lo, hi),
            None => pieces.push((vec![(lo, hi)], sub)),
        }
    }
    Node::Level(pieces)
}

fn push_range(r: &mut Ranges, lo: u128, hi: u128) {
    if let Some(last) = r.last_mut() {
        if last.1.checked_add(1) == Some(lo) {
            last.1 = hi;
            return;
        }
    }
    r.push((lo, hi));
}

/// The canonical tree of a set.
pub fn canonical(set: &HeaderSet) -> Node {
    let cubes: Vec<(&Cube, Vec<Ranges>)> = set
        .cubes()
        .iter()
        .map(|c| (c, (0..5).map(|d| dim(c, d)).collect()))
        .collect();
    match build(&cubes, 0) {
        Node::Level(v) if v.is_empty() => Node::Level(Vec::new()),
        n => n,
    }
}

/// The cubes of a canonical tree, in order.
pub fn cubes_of(node: &Node) -> HeaderSet {
    let mut out = HeaderSet::empty();
    let mut stack: Vec<Ranges> = Vec::new();
    walk(node, &mut stack, &mut out);
    out
}

fn walk(node: &Node, stack: &mut Vec<Ranges>, out: &mut HeaderSet) {
    match node {
        Node::Leaf => {
            let addrs = |r: &Ranges| r.iter().map(|(a, b)| *a..=*b).collect::<AddrSet>();
            let u16s = |r: &Ranges| {
                r.iter()
                    .map(|(a, b)| *a as u16..=*b as u16)
                    .collect::<PortSet>()
            };
            let u8s = |r: &Ranges| {
                r.iter()
                    .map(|(a, b)| *a as u8..=*b as u8)
                    .collect::<ProtoSet>()
            };
            out.push(Cube {
                proto: u8s(&stack[0]),
                src: addrs(&stack[1]),
                dst: addrs(&stack[2]),
                sport: u16s(&stack[3]),
                dport: u16s(&stack[4]),
            });
        }
        Node::Level(pieces) => {
            for (r, sub) in pieces {
                stack.push(r.clone());
                walk(sub, stack, out);
                stack.pop();
            }
        }
    }
}

pub fn is_empty(node: &Node) -> bool {
    matches!(node, Node::Level(v) if v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tcp(ports: std::ops::RangeInclusive<u16>) -> Cube {
        Cube {
            proto: ProtoSet::from_iter([6..=6]),
            dport: PortSet::from_iter([ports]),
            ..Cube::everything()
        }
    }

    #[test]
    fn same_set_same_tree() {
        let mut a = HeaderSet::empty();
        a.push(tcp(0..=100));
        a.push(tcp(50..=200));
        let mut b = HeaderSet::empty();
        b.push(tcp(101..=200));
        b.push(tcp(0..=100));
        assert_eq!(canonical(&a), canonical(&b));
        let c = cubes_of(&canonical(&a));
        assert_eq!(c.cubes().len(), 1);
        assert_eq!(c.cubes()[0], tcp(0..=200));
    }
}
