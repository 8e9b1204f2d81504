//! `whatif` held to two full audits diffed: on small generated estates
//! (`vpcreach::synth`) with random edits of security groups, network ACLs
//! and routes, the ENI → ENI pairs (and their traffic) `whatif` reports as
//! gained and lost equal what an all-ENI-pairs audit of the network before
//! and one of the network after differ by. The two sides share the engine
//! but not the grouping: `whatif` walks classes of sources and splits by
//! address, `audit` walks its own classes and keeps findings, so a class
//! merged that should not be shows up as a difference.
//!
//! Case count: `PROPTEST_CASES` (default below).

use std::collections::BTreeSet;
use std::path::Path;

use ipnet::Ipv4Net;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use vpcreach::audit::{self, Scope};
use vpcreach::model::{AclEntry, Network, Protocol, RuleAction, SgPeer, SgRule};
use vpcreach::snapshot::{self, scope_shapes};
use vpcreach::topology::Topology;
use vpcreach::whatif::differential::{self, traffic_summary, ReachChange, INTERNET};

// Each case is a whatif and two audits (about 4 s in a debug build under load).
const DEFAULT_CASES: u32 = 12;

/// (source, destination, traffic summary), sorted.
type Pairs = BTreeSet<(String, String, String)>;

fn estate(seed: u64) -> Network {
    let spec = vpcreach::synth::EstateSpec {
        seed,
        vpcs: 2,
        subnets: 6,
        enis: 14,
        security_groups: 6,
        rules_per_sg: 4,
        nacls: 2,
        nacl_rules: 8,
    };
    let dir = std::env::temp_dir().join(format!(
        "vpcreach-whatif-audit-{}-{seed}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    for (name, text) in vpcreach::synth::generate(&spec) {
        std::fs::write(dir.join(name), text).unwrap();
    }
    let net = snapshot::load(&dir).expect("estate loads").network;
    std::fs::remove_dir_all(&dir).ok();
    net
}

fn all_eni_pairs() -> Scope {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/scopes/all-eni-pairs.json");
    let text = std::fs::read_to_string(&file).unwrap();
    scope_shapes::parse_scope(&file, &text, "all-eni-pairs").expect("the scope parses")
}

/// One random edit, chosen by the numbers in `pick` (each taken modulo
/// what it chooses from).
fn edit(net: &mut Network, pick: &[u32]) {
    let at = |i: usize, n: usize| pick[i] as usize % n.max(1);
    let ports = [22u16, 80, 443, 5432];
    let port = i32::from(ports[at(3, ports.len())]);
    let cidrs = [
        "10.0.0.0/8",
        "10.0.0.0/16",
        "10.1.0.0/16",
        "10.0.1.0/24",
        "0.0.0.0/0",
    ];
    let cidr: Ipv4Net = cidrs[at(4, cidrs.len())].parse().unwrap();
    let protocol = if pick[5] % 4 == 0 {
        Protocol::All
    } else {
        Protocol::Number(6)
    };
    match pick[0] % 5 {
        // Add a rule to a security group (ingress or egress).
        0 | 1 => {
            let ids: Vec<String> = net.security_groups.keys().cloned().collect();
            let sg = net.security_groups.get_mut(&ids[at(1, ids.len())]).unwrap();
            let rule = SgRule {
                protocol,
                from_port: Some(port),
                to_port: Some(port),
                peer: SgPeer::Cidr(cidr),
                description: None,
                rule_id: None,
            };
            if pick[2] % 2 == 0 {
                sg.ingress.push(rule);
            } else {
                sg.egress.push(rule);
            }
        }
        // Remove a rule from a security group.
        2 => {
            let ids: Vec<String> = net.security_groups.keys().cloned().collect();
            let sg = net.security_groups.get_mut(&ids[at(1, ids.len())]).unwrap();
            let rules = if pick[2] % 2 == 0 {
                &mut sg.ingress
            } else {
                &mut sg.egress
            };
            if !rules.is_empty() {
                let i = at(3, rules.len());
                rules.remove(i);
            }
        }
        // Add a network ACL entry before the others (allow or deny).
        3 => {
            let ids: Vec<String> = net.network_acls.keys().cloned().collect();
            let acl = net.network_acls.get_mut(&ids[at(1, ids.len())]).unwrap();
            acl.entries.push(AclEntry {
                rule_number: 1 + pick[6] % 50,
                egress: pick[2] % 2 == 1,
                protocol,
                action: if pick[7] % 2 == 0 {
                    RuleAction::Deny
                } else {
                    RuleAction::Allow
                },
                cidr: Some(cidr),
                ipv6_cidr: None,
                port_range: Some((port as u16, port as u16)),
                icmp_type_code: None,
            });
        }
        // Remove a route from a route table.
        _ => {
            let ids: Vec<String> = net.route_tables.keys().cloned().collect();
            let rt = net.route_tables.get_mut(&ids[at(1, ids.len())]).unwrap();
            if !rt.routes.is_empty() {
                let i = at(3, rt.routes.len());
                rt.routes.remove(i);
            }
        }
    }
}

fn whatif_pairs(list: &[ReachChange]) -> Pairs {
    list.iter()
        .filter(|r| r.source.id != INTERNET && r.destination.id != INTERNET)
        .map(|r| {
            (
                r.source.id.clone(),
                r.destination.id.clone(),
                r.summary.join(", "),
            )
        })
        .collect()
}

/// (gained, lost) between two all-ENI-pairs audits.
fn audits_diffed(before: &Network, after: &Network, scope: &Scope) -> (Pairs, Pairs) {
    let b = audit::audit(&Topology::new(before), scope)
        .unwrap()
        .traffic_by_pair();
    let a = audit::audit(&Topology::new(after), scope)
        .unwrap()
        .traffic_by_pair();
    let keys: BTreeSet<&(String, String)> = b.keys().chain(a.keys()).collect();
    let empty = Default::default();
    let (mut gained, mut lost) = (Pairs::new(), Pairs::new());
    for key in keys {
        let (tb, ta) = (b.get(key).unwrap_or(&empty), a.get(key).unwrap_or(&empty));
        for (set, out) in [(ta.subtract(tb), &mut gained), (tb.subtract(ta), &mut lost)] {
            if !set.is_empty() {
                out.insert((
                    key.0.clone(),
                    key.1.clone(),
                    traffic_summary(&set).join(", "),
                ));
            }
        }
    }
    (gained, lost)
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_CASES)
}

#[test]
fn whatif_equals_two_audits_diffed_on_random_edits() {
    let scope = all_eni_pairs();
    let mut runner = TestRunner::new(Config {
        cases: cases(),
        failure_persistence: None,
        ..Config::default()
    });
    let changed = std::sync::atomic::AtomicUsize::new(0);
    let strategy = (
        1u64..1_000,
        prop::collection::vec(0u32..1_000, 8),
        1usize..=3,
    );
    runner
        .run(&strategy, |(seed, pick, edits)| {
            let before = estate(seed);
            let mut after = before.clone();
            for k in 0..edits {
                let shifted: Vec<u32> = pick.iter().map(|p| p.wrapping_add(k as u32 * 7)).collect();
                edit(&mut after, &shifted);
            }
            let d = differential::differential(&before, &after, None);
            let (gained, lost) = audits_diffed(&before, &after, &scope);
            if !gained.is_empty() || !lost.is_empty() {
                changed.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
            prop_assert_eq!(whatif_pairs(&d.gained), gained, "gained");
            prop_assert_eq!(whatif_pairs(&d.lost), lost, "lost");
            Ok(())
        })
        .unwrap();
    assert!(
        changed.into_inner() > 0,
        "no edit changed reachability: the property was never exercised"
    );
}
