//! Sets of IPv4 packet headers, the currency every analysis pays in.
//!
//! Owns: [`HeaderSet`] (a union of [`Cube`]s over source address, destination
//! address, protocol, source port and destination port) and the few set
//! operations the engine needs. Must not know: AWS, snapshots or the model.
//!
//! ICMP has no ports. Following AWS's own convention for security groups
//! (`FromPort` = ICMP type, `ToPort` = ICMP code), a cube whose protocol is ICMP
//! carries the ICMP **type in `sport`** and the **code in `dport`**. Rules that
//! match ICMP build their cubes the same way, so the encoding never leaks into
//! a verdict.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ipnet::{IpNet, Ipv4Net, Ipv6Net};
mod ranges;

pub use ranges::{Integer, RangeSet};

/// One address of either family. IPv6 addresses are themselves; an IPv4
/// address `a.b.c.d` is embedded as the IPv4-mapped IPv6 address
/// `::ffff:a.b.c.d`, so both families share one dimension and an IPv4 set can
/// never meet an IPv6 one (IPv6 sets leave the mapped block out).
pub type Addr = u128;
pub type AddrSet = RangeSet<Addr>;
pub type PortSet = RangeSet<u16>;
pub type ProtoSet = RangeSet<u8>;

pub const PROTO_ICMP: u8 = 1;
pub const PROTO_TCP: u8 = 6;
pub const PROTO_UDP: u8 = 17;
pub const PROTO_ICMPV6: u8 = 58;

/// `::ffff:0.0.0.0`, the first IPv4-mapped address.
const V4_BASE: Addr = 0xffff_0000_0000;
const V4_LAST: Addr = V4_BASE | 0xffff_ffff;

/// The full range of every dimension (both address families).
pub fn all_addrs() -> AddrSet {
    RangeSet::from_iter([0..=Addr::MAX])
}
/// Every IPv4 address (the IPv4-mapped block).
pub fn all_v4() -> AddrSet {
    RangeSet::from_iter([V4_BASE..=V4_LAST])
}
/// Every IPv6 address that is not an IPv4-mapped one.
pub fn all_v6() -> AddrSet {
    RangeSet::from_iter([0..=V4_BASE - 1, V4_LAST + 1..=Addr::MAX])
}
/// The whole of each family `set` touches: every IPv4 address if it holds
/// one, every IPv6 address if it holds one. An ENI end of a finding is
/// written this way (its own address of that family is meant).
pub fn families_of(set: &AddrSet) -> AddrSet {
    match (!disjoint(set, &all_v4()), !disjoint(set, &all_v6())) {
        (true, true) => all_addrs(),
        (true, false) => all_v4(),
        (false, true) => all_v6(),
        (false, false) => AddrSet::new(),
    }
}
/// `IPv4`, `IPv6` or `IPv4+IPv6`: the families `set` touches.
pub fn family_name(set: &AddrSet) -> &'static str {
    match (!disjoint(set, &all_v4()), !disjoint(set, &all_v6())) {
        (true, false) => "IPv4",
        (false, true) => "IPv6",
        _ => "IPv4+IPv6",
    }
}
pub fn all_ports() -> PortSet {
    RangeSet::from_iter([0..=u16::MAX])
}
pub fn all_protos() -> ProtoSet {
    RangeSet::from_iter([0..=u8::MAX])
}

/// An address as a point of the address dimension.
pub fn addr_of(ip: impl Into<IpAddr>) -> Addr {
    match ip.into() {
        IpAddr::V4(v4) => V4_BASE | Addr::from(u32::from(v4)),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => V4_BASE | Addr::from(u32::from(v4)),
            None => u128::from(v6),
        },
    }
}

/// An IPv4 address from its 32-bit value (flow logs parse to it).
pub fn v4_addr(bits: u32) -> Addr {
    V4_BASE | Addr::from(bits)
}

/// The address a point stands for: IPv4-mapped points are IPv4 addresses.
pub fn ip_of(a: Addr) -> IpAddr {
    match v4_of(a) {
        Some(v4) => IpAddr::V4(v4),
        None => IpAddr::V6(Ipv6Addr::from(a)),
    }
}

/// The IPv4 address of a point, if it is one.
pub fn v4_of(a: Addr) -> Option<Ipv4Addr> {
    (V4_BASE..=V4_LAST)
        .contains(&a)
        .then(|| Ipv4Addr::from((a - V4_BASE) as u32))
}

pub fn is_v4(a: Addr) -> bool {
    (V4_BASE..=V4_LAST).contains(&a)
}

/// The addresses of a CIDR of either family. An IPv6 CIDR never covers
/// IPv4-mapped addresses (`::/0` does not match IPv4 packets).
pub fn net_set<N: Copy + Into<IpNet>>(net: &N) -> AddrSet {
    match (*net).into() {
        IpNet::V4(n) => RangeSet::from_iter([addr_of(n.network())..=addr_of(n.broadcast())]),
        IpNet::V6(n) => {
            let lo = u128::from(n.network());
            let hi = u128::from(n.broadcast());
            RangeSet::from_iter([lo..=hi]) - all_v4()
        }
    }
}

pub fn nets_set<'a, N: 'a + Copy + Into<IpNet>>(nets: impl IntoIterator<Item = &'a N>) -> AddrSet {
    nets.into_iter()
        .map(net_set)
        .fold(AddrSet::new(), |acc, s| acc | s)
}

pub fn ip_set(ip: impl Into<IpAddr>) -> AddrSet {
    let a = addr_of(ip);
    RangeSet::from_iter([a..=a])
}

pub fn port_range(from: u16, to: u16) -> PortSet {
    RangeSet::from_iter([from.min(to)..=to.max(from)])
}

/// RFC 1918 private ranges.
pub fn rfc1918() -> AddrSet {
    nets_set(&[
        "10.0.0.0/8".parse::<Ipv4Net>().unwrap(),
        "172.16.0.0/12".parse().unwrap(),
        "192.168.0.0/16".parse().unwrap(),
    ])
}

/// RFC 6598 shared address space (carrier-grade NAT).
pub fn rfc6598() -> AddrSet {
    net_set(&"100.64.0.0/10".parse::<Ipv4Net>().unwrap())
}

/// "The internet" as AWS Reachability Analyzer presents it: every IPv4
/// address except the private (RFC 1918) and shared (RFC 6598) ranges.
pub fn public_internet() -> AddrSet {
    // Built once: every address set a message or report shows is compared
    // with it.
    static PUBLIC: std::sync::LazyLock<AddrSet> =
        std::sync::LazyLock::new(|| all_v4() - rfc1918() - rfc6598());
    PUBLIC.clone()
}

/// Whether `a` and `b` share no element.
pub fn disjoint<T: Integer>(a: &RangeSet<T>, b: &RangeSet<T>) -> bool {
    a.is_disjoint(b)
}

/// `a & b`.
pub fn both<T: Integer>(a: &RangeSet<T>, b: &RangeSet<T>) -> RangeSet<T> {
    a.both(b)
}

/// `a - b`.
pub fn minus<T: Integer>(a: &RangeSet<T>, b: &RangeSet<T>) -> RangeSet<T> {
    a.minus(b)
}

/// A product of five sets: every header whose fields each lie in their set.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Cube {
    pub src: AddrSet,
    pub dst: AddrSet,
    pub proto: ProtoSet,
    /// Source port; the ICMP type for ICMP.
    pub sport: PortSet,
    /// Destination port; the ICMP code for ICMP.
    pub dport: PortSet,
}

impl Cube {
    pub fn everything() -> Self {
        // Built once: rules and walks ask for it millions of times, and a
        // clone of one-range sets is far cheaper than collecting them.
        static EVERYTHING: std::sync::LazyLock<Cube> = std::sync::LazyLock::new(|| Cube {
            src: all_addrs(),
            dst: all_addrs(),
            proto: all_protos(),
            sport: all_ports(),
            dport: all_ports(),
        });
        EVERYTHING.clone()
    }

    /// Every header (each field's whole range).
    pub fn is_everything(&self) -> bool {
        self.src.is_universal()
            && self.dst.is_universal()
            && self.proto.is_universal()
            && self.sport.is_universal()
            && self.dport.is_universal()
    }

    pub fn is_empty(&self) -> bool {
        self.src.is_empty()
            || self.dst.is_empty()
            || self.proto.is_empty()
            || self.sport.is_empty()
            || self.dport.is_empty()
    }

    /// Whether `self.intersect(other)` is non-empty, without building it.
    pub fn intersects(&self, other: &Cube) -> bool {
        !(disjoint(&self.proto, &other.proto)
            || disjoint(&self.dport, &other.dport)
            || disjoint(&self.sport, &other.sport)
            || disjoint(&self.dst, &other.dst)
            || disjoint(&self.src, &other.src))
    }

    pub fn intersect(&self, other: &Cube) -> Cube {
        Cube {
            src: both(&self.src, &other.src),
            dst: both(&self.dst, &other.dst),
            proto: both(&self.proto, &other.proto),
            sport: both(&self.sport, &other.sport),
            dport: both(&self.dport, &other.dport),
        }
    }

    /// `self - other` as disjoint cubes (at most five).
    pub fn subtract(&self, other: &Cube) -> Vec<Cube> {
        if !self.intersects(other) {
            return vec![self.clone()];
        }
        let mut pieces = Vec::new();
        let mut rest = self.clone();
        macro_rules! peel {
            ($field:ident) => {{
                let outside = minus(&rest.$field, &other.$field);
                if !outside.is_empty() {
                    let mut piece = rest.clone();
                    piece.$field = outside;
                    pieces.push(piece);
                }
                rest.$field = both(&rest.$field, &other.$field);
            }};
        }
        peel!(proto);
        peel!(dport);
        peel!(sport);
        peel!(dst);
        peel!(src);
        pieces
    }

    /// The reply to this traffic: addresses and ports swapped. ICMP requests
    /// that have a reply type (echo, timestamp, information, address mask)
    /// become that reply; other ICMP types have no reply and are dropped.
    pub fn reply(&self) -> Vec<Cube> {
        // ICMPv6 has its own request → reply types, for IPv6 packets only
        // (protocol 58 inside IPv4 is just another protocol).
        let icmpv6 = ProtoSet::from_iter([PROTO_ICMPV6..=PROTO_ICMPV6]);
        if self.proto.contains(PROTO_ICMPV6) && !disjoint(&self.src, &all_v6()) {
            let mut rest = self.clone();
            rest.proto = &self.proto - &icmpv6;
            let mut v4 = self.clone();
            v4.proto = icmpv6.clone();
            v4.src = &self.src & &all_v4();
            let mut v6 = self.clone();
            v6.proto = icmpv6;
            v6.src = &self.src & &all_v6();
            let mut out = Vec::new();
            for part in [rest, v4] {
                if !part.is_empty() {
                    out.extend(part.reply_by_types(&[]));
                }
            }
            out.extend(v6.reply_by_types(&[(PROTO_ICMPV6, &ICMPV6_REPLIES[..])]));
            return out;
        }
        self.reply_by_types(&[])
    }

    /// Replies with ICMP (and the given ICMP-like protocols) mapped by type.
    fn reply_by_types(&self, extra: &[(u8, &[(u16, u16)])]) -> Vec<Cube> {
        let mut out = Vec::new();
        let mut special = ProtoSet::from_iter([PROTO_ICMP..=PROTO_ICMP]);
        for (p, _) in extra {
            special.insert(*p);
        }
        let non_icmp = &self.proto - &special;
        if !non_icmp.is_empty() {
            out.push(Cube {
                src: self.dst.clone(),
                dst: self.src.clone(),
                proto: non_icmp,
                sport: self.dport.clone(),
                dport: self.sport.clone(),
            });
        }
        let icmp: [(u8, &[(u16, u16)]); 1] = [(PROTO_ICMP, &ICMP_REPLIES[..])];
        for &(proto, replies) in icmp.iter().chain(extra) {
            if !self.proto.contains(proto) {
                continue;
            }
            for &(request, reply) in replies {
                if self.sport.contains(request) {
                    out.push(Cube {
                        src: self.dst.clone(),
                        dst: self.src.clone(),
                        proto: ProtoSet::from_iter([proto..=proto]),
                        sport: port_range(reply, reply),
                        dport: port_range(0, 0),
                    });
                }
            }
        }
        out
    }
}

/// ICMP request type → reply type (RFC 792, RFC 950).
const ICMP_REPLIES: [(u16, u16); 4] = [(8, 0), (13, 14), (15, 16), (17, 18)];
/// ICMPv6 echo request → echo reply (RFC 4443).
const ICMPV6_REPLIES: [(u16, u16); 1] = [(128, 129)];

/// A union of cubes. Cubes may overlap; every operation is exact regardless.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct HeaderSet {
    cubes: Vec<Cube>,
}

impl HeaderSet {
    pub fn empty() -> Self {
        HeaderSet { cubes: Vec::new() }
    }

    pub fn from_cube(cube: Cube) -> Self {
        let mut set = HeaderSet::empty();
        set.push(cube);
        set
    }

    pub fn push(&mut self, cube: Cube) {
        if !cube.is_empty() {
            self.cubes.push(cube);
        }
    }

    pub fn extend(&mut self, other: HeaderSet) {
        self.cubes.extend(other.cubes);
    }

    pub fn cubes(&self) -> &[Cube] {
        &self.cubes
    }

    pub fn is_empty(&self) -> bool {
        self.cubes.is_empty()
    }

    pub fn intersect_cube(&self, cube: &Cube) -> HeaderSet {
        let mut out = HeaderSet::empty();
        for c in &self.cubes {
            if c.intersects(cube) {
                out.push(c.intersect(cube));
            }
        }
        out
    }

    pub fn subtract_cube(&self, cube: &Cube) -> HeaderSet {
        let mut out = HeaderSet::empty();
        for c in &self.cubes {
            for piece in c.subtract(cube) {
                out.push(piece);
            }
        }
        out
    }

    pub fn subtract(&self, other: &HeaderSet) -> HeaderSet {
        other
            .cubes
            .iter()
            .fold(self.clone(), |acc, c| acc.subtract_cube(c))
    }

    /// Keep only headers whose destination lies in `dst`.
    pub fn restrict_dst(&self, dst: &AddrSet) -> HeaderSet {
        let mut out = HeaderSet::empty();
        for c in self.cubes.iter().filter(|c| !disjoint(&c.dst, dst)) {
            out.push(Cube {
                dst: both(&c.dst, dst),
                ..c.clone()
            });
        }
        out
    }

    pub fn restrict_src(&self, src: &AddrSet) -> HeaderSet {
        self.map_cubes(|c| Cube {
            src: &c.src & src,
            ..c.clone()
        })
    }

    /// Change every cube where it is (no copy); cubes left empty go.
    pub fn edit_cubes(&mut self, f: impl FnMut(&mut Cube)) {
        self.cubes.iter_mut().for_each(f);
        self.cubes.retain(|c| !c.is_empty());
    }

    pub fn map_cubes(&self, f: impl Fn(&Cube) -> Cube) -> HeaderSet {
        let mut out = HeaderSet::empty();
        for c in &self.cubes {
            out.push(f(c));
        }
        out
    }

    pub fn reply(&self) -> HeaderSet {
        let mut out = HeaderSet::empty();
        for c in &self.cubes {
            for r in c.reply() {
                out.push(r);
            }
        }
        out
    }

    pub fn src_union(&self) -> AddrSet {
        self.cubes
            .iter()
            .fold(AddrSet::new(), |acc, c| acc | &c.src)
    }
    pub fn dst_union(&self) -> AddrSet {
        self.cubes
            .iter()
            .fold(AddrSet::new(), |acc, c| acc | &c.dst)
    }
    pub fn proto_union(&self) -> ProtoSet {
        self.cubes
            .iter()
            .fold(ProtoSet::new(), |acc, c| acc | &c.proto)
    }

    /// Does a single concrete header belong to the set?
    pub fn contains(&self, h: &Header) -> bool {
        self.cubes.iter().any(|c| {
            c.src.contains(h.src)
                && c.dst.contains(h.dst)
                && c.proto.contains(h.proto)
                && c.sport.contains(h.sport)
                && c.dport.contains(h.dport)
        })
    }

    /// A readable summary per protocol of the destination ports (or ICMP
    /// types) present, e.g. `tcp/22, tcp/443, icmp type 8`.
    pub fn traffic_summary(&self) -> Vec<TrafficSummary> {
        let mut out: Vec<TrafficSummary> = Vec::new();
        let protos = self.proto_union();
        for range in protos.ranges() {
            for p in range {
                let mut ports = PortSet::new();
                for c in &self.cubes {
                    if c.proto.contains(p) {
                        if p == PROTO_ICMP {
                            ports |= &c.sport;
                        } else {
                            ports |= &c.dport;
                        }
                    }
                }
                out.push(TrafficSummary { proto: p, ports });
            }
        }
        // Collapse runs of protocols whose ports are the full range into one
        // entry so that "all protocols" does not print 256 lines.
        let mut merged: Vec<TrafficSummary> = Vec::new();
        for t in out {
            merged.push(t);
        }
        merged
    }
}

/// Destination ports (or ICMP types) present for one protocol.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrafficSummary {
    pub proto: u8,
    pub ports: PortSet,
}

/// One concrete packet header, for the single-packet reference evaluator and
/// for flow log records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Header {
    pub src: Addr,
    pub dst: Addr,
    pub proto: u8,
    pub sport: u16,
    pub dport: u16,
}

impl Header {
    pub fn cube(&self) -> Cube {
        Cube {
            src: RangeSet::from_iter([self.src..=self.src]),
            dst: RangeSet::from_iter([self.dst..=self.dst]),
            proto: RangeSet::from_iter([self.proto..=self.proto]),
            sport: RangeSet::from_iter([self.sport..=self.sport]),
            dport: RangeSet::from_iter([self.dport..=self.dport]),
        }
    }
}

pub fn proto_name(p: u8) -> String {
    match p {
        PROTO_TCP => "tcp".into(),
        PROTO_UDP => "udp".into(),
        PROTO_ICMP => "icmp".into(),
        PROTO_ICMPV6 => "icmpv6".into(),
        other => other.to_string(),
    }
}

/// `22`, `1024-65535`, `22,443` — compact text for a port set.
pub fn ports_text(ports: &PortSet) -> String {
    if ports.is_universal() {
        return "all".into();
    }
    ranges_text(ports)
}

/// `6`, `2-5`, `1,6,17` — the ranges of a set, comma-separated.
pub fn ranges_text<T: Integer>(set: &RangeSet<T>) -> String {
    set.ranges()
        .map(|r| {
            if r.start() == r.end() {
                r.start().to_string()
            } else {
                format!("{}-{}", r.start(), r.end())
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// Minimal CIDR cover of an address set (for output in AWS's CIDR-list
/// style): its IPv4 part as IPv4 CIDRs first, then its IPv6 part.
pub fn addr_set_cidrs(set: &AddrSet) -> Vec<IpNet> {
    let mut out = Vec::new();
    for r in (set & &all_v4()).ranges() {
        let (lo, hi) = (*r.start() - V4_BASE, *r.end() - V4_BASE);
        cover(lo, hi, 32, &mut |a, len| {
            out.push(IpNet::V4(
                Ipv4Net::new(Ipv4Addr::from(a as u32), len).expect("prefix <= 32"),
            ))
        });
    }
    for r in (set - &all_v4()).ranges() {
        cover(*r.start(), *r.end(), 128, &mut |a, len| {
            out.push(IpNet::V6(
                Ipv6Net::new(Ipv6Addr::from(a), len).expect("prefix <= 128"),
            ))
        });
    }
    out
}

/// The aligned blocks covering `lo..=hi` in a `bits`-wide space, largest first.
fn cover(mut lo: u128, hi: u128, bits: u32, emit: &mut impl FnMut(u128, u8)) {
    // 2^size - 1, for sizes up to 128.
    let mask = |size: u32| {
        if size >= 128 {
            u128::MAX
        } else {
            (1u128 << size) - 1
        }
    };
    loop {
        let mut size = if lo == 0 {
            bits
        } else {
            lo.trailing_zeros().min(bits)
        };
        while size > 0 && mask(size) > hi - lo {
            size -= 1;
        }
        emit(lo, (bits - size) as u8);
        let last = lo + mask(size);
        if last >= hi {
            break;
        }
        lo = last + 1;
    }
}

pub struct AddrSetDisplay<'a>(pub &'a AddrSet);

impl fmt::Display for AddrSetDisplay<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let set = self.0;
        let v4 = set & &all_v4();
        let v6 = set - &all_v4();
        let mut shown: Vec<String> = Vec::new();
        let mut cidrs = 0usize;
        if v4 == all_v4() {
            shown.push("0.0.0.0/0".into());
        } else if v4 == public_internet() {
            shown.push("internet".into());
        }
        if v6 == all_v6() {
            shown.push("::/0".into());
        }
        let named = shown.len();
        for n in addr_set_cidrs(set) {
            let family_named = match n {
                IpNet::V4(_) => v4 == all_v4() || v4 == public_internet(),
                IpNet::V6(_) => v6 == all_v6(),
            };
            if family_named {
                continue;
            }
            cidrs += 1;
            if shown.len() < named + 4 {
                shown.push(if n.prefix_len() == n.max_prefix_len() {
                    n.addr().to_string()
                } else {
                    n.to_string()
                });
            }
        }
        write!(f, "{}", shown.join(","))?;
        if cidrs > 4 {
            write!(f, ",… (+{} more)", cidrs - 4)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {

    use super::*;

    fn tcp(dport: std::ops::RangeInclusive<u16>) -> Cube {
        Cube {
            proto: ProtoSet::from_iter([PROTO_TCP..=PROTO_TCP]),
            dport: PortSet::from_iter([dport]),
            ..Cube::everything()
        }
    }

    #[test]
    fn subtract_is_exact_and_disjoint() {
        let a = tcp(0..=65535);
        let b = tcp(22..=22);
        let diff = HeaderSet::from_cube(a.clone()).subtract_cube(&b);
        let h22 = Header {
            src: 1,
            dst: 2,
            proto: 6,
            sport: 1000,
            dport: 22,
        };
        let h23 = Header { dport: 23, ..h22 };
        assert!(!diff.contains(&h22));
        assert!(diff.contains(&h23));
        assert!(diff.intersect_cube(&b).is_empty());
    }

    #[test]
    fn icmp_echo_reply_swaps_and_maps_type() {
        let echo = Cube {
            src: ip_set("10.0.0.1".parse::<Ipv4Addr>().unwrap()),
            dst: ip_set("10.0.0.2".parse::<Ipv4Addr>().unwrap()),
            proto: ProtoSet::from_iter([PROTO_ICMP..=PROTO_ICMP]),
            sport: port_range(8, 8),
            dport: port_range(0, 0),
        };
        let r = echo.reply();
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].sport, port_range(0, 0));
        assert_eq!(r[0].src, echo.dst);
        // Destination unreachable (type 3) has no reply.
        let unreach = Cube {
            sport: port_range(3, 3),
            ..echo
        };
        assert!(unreach.reply().is_empty());
    }

    #[test]
    fn public_internet_excludes_private_ranges() {
        let p = public_internet();
        assert!(!p.contains(addr_of("10.1.2.3".parse::<Ipv4Addr>().unwrap())));
        assert!(!p.contains(addr_of("100.64.0.1".parse::<Ipv4Addr>().unwrap())));
        assert!(p.contains(addr_of("8.8.8.8".parse::<Ipv4Addr>().unwrap())));
        let cidrs = addr_set_cidrs(&p);
        assert!(cidrs.iter().any(|n| n.to_string() == "0.0.0.0/5"));
    }

    fn v6(s: &str) -> Ipv6Net {
        s.parse().unwrap()
    }

    #[test]
    fn ipv4_is_embedded_as_ipv4_mapped() {
        let a = addr_of("10.1.2.3".parse::<Ipv4Addr>().unwrap());
        assert_eq!(a, 0xffff_0a01_0203);
        assert_eq!(
            addr_of("::ffff:10.1.2.3".parse::<Ipv6Addr>().unwrap()),
            a,
            "the mapped IPv6 spelling is the same point"
        );
        assert_eq!(ip_of(a).to_string(), "10.1.2.3");
        assert_eq!(v4_of(a), Some(Ipv4Addr::new(10, 1, 2, 3)));
        let b = addr_of("2600:1f18::1".parse::<IpAddr>().unwrap());
        assert_eq!(ip_of(b).to_string(), "2600:1f18::1");
        assert_eq!(v4_of(b), None);
        assert!(is_v4(a) && !is_v4(b));
    }

    /// C1.8, C2.6: an IPv6 CIDR (even `::/0`) never matches an IPv4 packet,
    /// and an IPv4 CIDR never matches an IPv6 one.
    #[test]
    fn families_never_meet() {
        let any6 = net_set(&v6("::/0"));
        let any4 = net_set(&"0.0.0.0/0".parse::<Ipv4Net>().unwrap());
        assert_eq!(any6, all_v6());
        assert_eq!(any4, all_v4());
        assert!(any6.is_disjoint(&any4));
        assert_eq!(&any6 | &any4, all_addrs());
        assert!(!any6.contains(addr_of(Ipv4Addr::new(8, 8, 8, 8))));
        // ::/64 contains ::ffff:0:0/96 numerically; it must leave it out.
        assert!(net_set(&v6("::/64")).is_disjoint(&all_v4()));
        assert!(net_set(&v6("::/64")).contains(1));
    }

    #[test]
    fn cidr_cover_and_display_per_family() {
        let four = net_set(&"10.0.0.0/16".parse::<Ipv4Net>().unwrap());
        let six = net_set(&v6("2600:1f18:1234::/56"));
        let both = &four | &six;
        let cidrs: Vec<String> = addr_set_cidrs(&both)
            .iter()
            .map(|n| n.to_string())
            .collect();
        assert_eq!(cidrs, ["10.0.0.0/16", "2600:1f18:1234::/56"]);
        assert_eq!(
            AddrSetDisplay(&both).to_string(),
            "10.0.0.0/16,2600:1f18:1234::/56"
        );
        assert_eq!(AddrSetDisplay(&all_v4()).to_string(), "0.0.0.0/0");
        assert_eq!(AddrSetDisplay(&all_v6()).to_string(), "::/0");
        assert_eq!(AddrSetDisplay(&all_addrs()).to_string(), "0.0.0.0/0,::/0");
        assert_eq!(AddrSetDisplay(&public_internet()).to_string(), "internet");
        let one = ip_set("2600:1f18::5".parse::<Ipv6Addr>().unwrap());
        assert_eq!(AddrSetDisplay(&one).to_string(), "2600:1f18::5");
        // all_v6 is the two blocks around the mapped range, covered exactly.
        let v6_cidrs = addr_set_cidrs(&all_v6());
        let back = v6_cidrs
            .iter()
            .map(net_set)
            .fold(AddrSet::new(), |a, s| a | s);
        assert_eq!(back, all_v6());
    }
}
