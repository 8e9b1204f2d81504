//! Seeded flow log generator over a snapshot's ENIs, for benchmarks.
//!
//! Writes default-format (version 2) records as a VPC sees them: each flow
//! is a client talking to a service port on an ENI (or pinging it: ICMP),
//! logged as the request on the ENI (ingress) and the reply (egress), over a few aggregation
//! intervals. Actions are what the snapshot says (evaluated with
//! [`Attributor`]), so that most records are explained, except
//! `drift_per_mille` records whose action is flipped; a few are NODATA.

use std::io::{self, Write};
use std::net::Ipv4Addr;

use super::attribute::{Attributor, Key};
use super::Verdict;
use crate::analysis::rules::{evaluate_acl, evaluate_sgs};
use crate::analysis::Direction;
use crate::model::{Network, NetworkInterface, Protocol};
use crate::packet::{addr_of, Header, HeaderSet, PROTO_ICMP};
use crate::synth::Rng;
use crate::topology::Topology;

#[derive(Clone, Debug)]
pub struct LogSpec {
    pub records: usize,
    pub seed: u64,
    /// Unix time of the first interval.
    pub start: u64,
    /// Records whose action contradicts the snapshot, per thousand.
    pub drift_per_mille: u64,
}

impl Default for LogSpec {
    fn default() -> Self {
        LogSpec {
            records: 1_000_000,
            seed: 1,
            start: 1_767_225_600, // 2026-01-01T00:00:00Z
            drift_per_mille: 2,
        }
    }
}

const PORTS: [u16; 8] = [443, 80, 8080, 5432, 3306, 22, 6379, 9200];

/// Write `spec.records` record lines (no header) to `out`.
pub fn write_log(net: &Network, spec: &LogSpec, out: &mut dyn Write) -> io::Result<()> {
    let topo = Topology::new(net);
    let attr = Attributor::new(&topo);
    // (id, index, primary address, ports its SGs open to someone).
    let enis: Vec<(&str, u32, Ipv4Addr, Vec<u16>)> = net
        .network_interfaces
        .values()
        .filter(|e| e.interface_type == "interface")
        .filter_map(|e| {
            let ip = e.primary_ip()?;
            let mut open: Vec<u16> = e
                .group_ids
                .iter()
                .filter_map(|g| net.security_groups.get(g))
                .flat_map(|g| g.ingress.iter())
                .filter(|r| r.protocol == Protocol::Number(6))
                .filter_map(|r| r.from_port.and_then(|p| u16::try_from(p).ok()))
                .collect();
            open.sort_unstable();
            open.dedup();
            Some((e.id.as_str(), attr.eni_index(&e.id)?, ip, open))
        })
        .collect();
    let verdict = |eni: u32,
                   egress: bool,
                   src: Ipv4Addr,
                   dst: Ipv4Addr,
                   sport: u16,
                   dport: u16,
                   proto: u8| {
        let key = Key {
            eni,
            egress,
            syn: 0,
            header: Header {
                src: crate::packet::addr_of(src),
                dst: crate::packet::addr_of(dst),
                proto,
                sport,
                dport,
            },
        };
        attr.evaluate(&key).verdict != Verdict::Deny
    };
    assert!(!enis.is_empty(), "the snapshot has no instance ENIs");
    let mut rng = Rng(spec.seed);
    let mut line = String::with_capacity(160);
    let mut written = 0usize;
    let mut w = io::BufWriter::with_capacity(1 << 20, out);
    while written < spec.records {
        let (eni, idx, ip, open) = &enis[rng.below(enis.len())];
        let (eni, idx, ip) = (*eni, *idx, *ip);
        let client: Ipv4Addr = if rng.below(10) < 7 {
            enis[rng.below(enis.len())].2
        } else {
            Ipv4Addr::from((rng.next() as u32 & 0x3fff_ffff) | 0x4000_0000)
        };
        let port = if !open.is_empty() && rng.below(10) < 8 {
            open[rng.below(open.len())]
        } else {
            PORTS[rng.below(PORTS.len())]
        };
        let eph = 32768 + rng.below(28232) as u16;
        // One flow in 20 is UDP and one in 20 ICMP (flow logs record no
        // ICMP type or code: ports 0), so that ICMP REJECTs are measured
        // too (D-icmp.1); the draws are those of the TCP/UDP-only
        // generator, so other flows are unchanged.
        let (proto, port, eph) = match rng.below(20) {
            0 => (17, port, eph),
            1 => (PROTO_ICMP, 0, 0),
            _ => (6, port, eph),
        };
        let (request_ok, reply_ok) = if proto == PROTO_ICMP {
            let e = net
                .network_interfaces
                .get(eni)
                .expect("listed from the snapshot");
            (
                echo_passes(&topo, e, client, ip, true),
                echo_passes(&topo, e, client, ip, false),
            )
        } else {
            (
                verdict(idx, false, client, ip, eph, port, proto),
                verdict(idx, true, ip, client, port, eph, proto),
            )
        };
        let reject = !request_ok;
        let intervals = 1 + rng.below(3);
        let t0 = spec.start + rng.below(3600) as u64;
        for i in 0..intervals {
            let start = t0 + 60 * i as u64;
            let end = start + 60;
            let packets = 1 + rng.below(40);
            let bytes = packets * (40 + rng.below(1400));
            if rng.below(1000) == 0 {
                line.clear();
                use std::fmt::Write as _;
                let _ = writeln!(
                    line,
                    "2 123456789012 {eni} - - - - - - - {start} {end} - NODATA"
                );
                w.write_all(line.as_bytes())?;
                written += 1;
            }
            for (src, dst, sport, dport) in [(client, ip, eph, port), (ip, client, port, eph)] {
                if written >= spec.records || (reject && src == ip) {
                    continue;
                }
                let ok = if src == ip { reply_ok } else { request_ok };
                let flip = rng.next() % 1000 < spec.drift_per_mille;
                let action = if ok != flip { "ACCEPT" } else { "REJECT" };
                line.clear();
                use std::fmt::Write as _;
                let _ = writeln!(
                    line,
                    "2 123456789012 {eni} {src} {dst} {sport} {dport} {proto} {packets} {bytes} {start} {end} {action} OK"
                );
                w.write_all(line.as_bytes())?;
                written += 1;
            }
        }
    }
    w.flush()
}

/// Whether the ping `client` → `ip` (the ENI's) gets through the ENI's own
/// security groups and subnet NACL: the echo request (type 8) inbound,
/// judged as a new flow, or (`request` false) its echo reply (type 0)
/// outbound, which the groups let out (stateful, C1.2) and the NACL
/// judges again (C2.2). The generator knows which of the two a record is,
/// as AWS does; `flows` does not (the log has no ICMP type, D-icmp.1), so
/// this is computed with the engine's rules, not with the [`Attributor`]
/// whose reading of ICMP records is what the generated logs measure.
fn echo_passes(
    topo: &Topology,
    eni: &NetworkInterface,
    client: Ipv4Addr,
    ip: Ipv4Addr,
    request: bool,
) -> bool {
    let (src, dst, icmp_type, dir) = if request {
        (client, ip, 8, Direction::Ingress)
    } else {
        (ip, client, 0, Direction::Egress)
    };
    let set = HeaderSet::from_cube(
        Header {
            src: addr_of(src),
            dst: addr_of(dst),
            proto: PROTO_ICMP,
            sport: icmp_type,
            dport: 0,
        }
        .cube(),
    );
    let mut notes = Vec::new();
    if request
        && !eni.group_ids.is_empty()
        && evaluate_sgs(topo, eni, dir, &set, true, &mut notes)
            .admitted
            .is_empty()
    {
        return false;
    }
    let same_subnet = topo
        .net
        .subnets
        .get(&eni.subnet_id)
        .is_some_and(|s| crate::topology::subnet_addrs(s).contains(addr_of(client)));
    same_subnet
        || topo.acl_of_subnet(&eni.subnet_id).is_none_or(|acl| {
            !evaluate_acl(acl, dir == Direction::Egress, &set)
                .admitted
                .is_empty()
        })
}
