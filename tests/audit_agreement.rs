//! Issue 4's acceptance check: on every fixture, `audit` with a scope that
//! selects every ENI → ENI and internet gateway → ENI pair asserts exactly
//! the pairs, and exactly the traffic, that one `path` query per pair finds.
//! Issue 7 adds the same check for VPN gateways, transit gateway
//! attachments and VPC endpoints; issue 15 holds both address families
//! equal (dual-stack ENI ends, public IPv6 from the internet).

use std::collections::BTreeMap;
use std::path::Path;

use vpcreach::analysis::{path, PathQuery, ProtocolChoice};
use vpcreach::audit::{self, canon};
use vpcreach::packet::*;
use vpcreach::snapshot;
use vpcreach::topology::Topology;

const ALL_PAIRS: &str = r#"{"MatchPaths": [
  {"Source": {"ResourceStatement": {"ResourceTypes": ["AWS::EC2::NetworkInterface"]}},
   "Destination": {"ResourceStatement": {"ResourceTypes": ["AWS::EC2::NetworkInterface"]}}},
  {"Source": {"ResourceStatement": {"ResourceTypes": ["AWS::EC2::InternetGateway"]}},
   "Destination": {"ResourceStatement": {"ResourceTypes": ["AWS::EC2::NetworkInterface"]}}}
]}"#;

fn fixtures() -> Vec<std::path::PathBuf> {
    let mut out: Vec<_> = std::fs::read_dir("fixtures")
        .expect("fixtures/")
        .map(|e| e.expect("entry").path())
        // Snapshot fixtures only (not the broken ones, change files, flow logs or the generator).
        .filter(|p| {
            p.is_dir()
                && ![
                    "broken",
                    "generator",
                    "changes",
                    "flowlogs",
                    "scopes",
                    "terraform",
                ]
                .iter()
                .any(|n| p.ends_with(n))
        })
        .collect();
    out.sort();
    out.push(peering_chain());
    out
}

/// A generated estate of four VPCs peered in a chain (each with the next):
/// the audit walks only towards VPCs one peering away (C6.3), which must
/// lose no pair that `path` finds.
fn peering_chain() -> std::path::PathBuf {
    let spec = vpcreach::synth::EstateSpec::peered_chain(5);
    let dir = std::env::temp_dir().join(format!(
        "vpcreach-audit-chain-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    for (file, text) in vpcreach::synth::generate(&spec) {
        std::fs::write(dir.join(file), text).unwrap();
    }
    dir
}

/// The pair's traffic with ENI ends' own addresses left implicit, their
/// family kept (an ENI end is its primary IPv4 address and its first IPv6
/// address, as `path` reads it).
fn normalise(set: &HeaderSet, src_eni: bool, dst_eni: bool) -> canon::Node {
    let t = set.map_cubes(|c| Cube {
        src: if src_eni {
            families_of(&c.src)
        } else {
            c.src.clone()
        },
        dst: if dst_eni {
            families_of(&c.dst)
        } else {
            c.dst.clone()
        },
        ..c.clone()
    });
    canon::canonical(&t)
}

/// Runs `scope` on every fixture and checks that audit asserts exactly the
/// pairs (and traffic) among `pairs(net, enis)` that `path` finds, and no
/// others. Returns how many pairs were compared, how many were reachable
/// and how many of those over IPv6.
fn check_agreement(
    scope_json: &str,
    pairs: impl Fn(&vpcreach::model::Network, &[String]) -> Vec<(String, String)>,
) -> (usize, usize, usize) {
    let scope = snapshot::scope_shapes::parse_scope(Path::new("scope.json"), scope_json, "scope")
        .expect("scope parses");
    let (mut checked, mut found, mut found_v6) = (0, 0, 0);
    for dir in fixtures() {
        let snap = snapshot::load(&dir).expect("fixture loads");
        let topo = Topology::new(&snap.network);
        let net = &snap.network;
        let result = audit::audit(&topo, &scope).expect("audit runs");
        assert!(
            !result.warnings.iter().any(|w| w.contains("not modelled")),
            "{}: {:?}",
            dir.display(),
            result.warnings
        );
        // What the audit asserts, pair by pair (each pair in one finding only).
        let mut asserted: BTreeMap<(String, String), HeaderSet> = BTreeMap::new();
        for f in &result.findings {
            let node = f.traffic.clone();
            for s in &f.sources {
                for d in &f.destinations {
                    let old = asserted.insert((s.clone(), d.clone()), node.clone());
                    assert!(
                        old.is_none(),
                        "{}: pair {s} → {d} in two findings",
                        dir.display()
                    );
                }
            }
            assert_eq!(
                f.components.first().map(|h| h.component.id.as_str()),
                Some(f.sources[0].as_str())
            );
        }
        let enis: Vec<String> = net
            .network_interfaces
            .values()
            .filter(|e| {
                topo.nat_of_eni(&e.id).is_none()
                    && e.interface_type != "nat_gateway"
                    && e.primary_ip().is_some()
            })
            .map(|e| e.id.clone())
            .collect();
        for (s, d) in pairs(net, &enis) {
            if s == d {
                continue;
            }
            let q = PathQuery {
                source: s.clone(),
                destination: d.clone(),
                protocol: ProtocolChoice::All,
                dport: None,
                sport: None,
                source_ip: None,
                destination_ip: None,
            };
            let a = path::analyze(&topo, &q).expect("path runs");
            let key = (s.clone(), d.clone());
            let src_eni = s.starts_with("eni-");
            let dst_eni = d.starts_with("eni-");
            // Both families (the audit covers IPv6: C1.4, C1.8, C2.4, C2.6,
            // C3.4, C3.5, C4.6 hold for it as for `path`).
            let admitted = a.admitted.clone();
            let reached = a.path_found() && !admitted.is_empty();
            found += usize::from(reached);
            found_v6 += usize::from(reached && !admitted.restrict_src(&all_v6()).is_empty());
            match (reached, asserted.remove(&key)) {
                (true, Some(node)) => assert_eq!(
                    normalise(&node, src_eni, dst_eni),
                    normalise(&admitted, src_eni, dst_eni),
                    "{}: {s} → {d}: audit traffic differs from path's",
                    dir.display()
                ),
                (true, None) => panic!(
                    "{}: path finds {s} → {d} reachable; audit has no finding",
                    dir.display()
                ),
                (false, Some(_)) => panic!(
                    "{}: audit asserts {s} → {d}; path finds no path",
                    dir.display()
                ),
                (false, None) => {}
            }
            checked += 1;
        }
        assert!(
            asserted.is_empty(),
            "{}: audit asserts pairs outside the scope: {:?}",
            dir.display(),
            asserted.keys().collect::<Vec<_>>()
        );
    }
    (checked, found, found_v6)
}

fn cross(a: &[String], b: &[String]) -> Vec<(String, String)> {
    a.iter()
        .flat_map(|s| b.iter().map(move |d| (s.clone(), d.clone())))
        .collect()
}

#[test]
fn audit_agrees_with_path_on_every_fixture_pair() {
    let (checked, found, found_v6) = check_agreement(ALL_PAIRS, |net, enis| {
        let sources: Vec<String> = enis
            .iter()
            .cloned()
            .chain(net.internet_gateways.keys().cloned())
            .collect();
        cross(&sources, enis)
    });
    assert!(checked > 30, "only {checked} pairs checked");
    assert!(found > 10, "only {found} pairs reachable");
    // The dual-stack fixture's IPv6 pairs (C1.4, C2.6, C4.6): the audit
    // agrees with `path` in both families.
    assert!(found_v6 >= 3, "only {found_v6} pairs reachable over IPv6");
    eprintln!("{checked} pairs agree, {found} reachable, {found_v6} over IPv6");
}

/// Issue 7: VPN gateways and TGW attachments as sources (on-premises or
/// another VPC reaching ENIs), and as destinations with gateway and
/// interface endpoints (what ENIs reach through them, which ENIs reach an
/// interface endpoint), on every fixture (tgw-hub-spoke, vgw-onprem and
/// vpc-endpoints have them).
const EDGE_PAIRS: &str = r#"{"MatchPaths": [
  {"Source": {"ResourceStatement": {"ResourceTypes": ["AWS::EC2::VPNGateway", "AWS::EC2::TransitGatewayAttachment"]}},
   "Destination": {"ResourceStatement": {"ResourceTypes": ["AWS::EC2::NetworkInterface"]}}},
  {"Source": {"ResourceStatement": {"ResourceTypes": ["AWS::EC2::NetworkInterface"]}},
   "Destination": {"ResourceStatement": {"ResourceTypes": ["AWS::EC2::VPNGateway", "AWS::EC2::TransitGatewayAttachment", "AWS::EC2::VPCEndpoint"]}}}
]}"#;

#[test]
fn audit_agrees_with_path_for_vpn_gateways_tgw_attachments_and_endpoints() {
    let (checked, found, _) = check_agreement(EDGE_PAIRS, |net, enis| {
        let edges: Vec<String> = net
            .vpn_gateways
            .keys()
            .chain(net.tgw_attachments.keys())
            .cloned()
            .collect();
        let gateway_endpoints: Vec<String> = net
            .vpc_endpoints
            .values()
            .filter(|v| v.kind == vpcreach::model::EndpointKind::Gateway)
            .map(|v| v.id.clone())
            .collect();
        let interface_enis: Vec<String> = enis
            .iter()
            .filter(|e| net.network_interfaces[*e].interface_type == "vpc_endpoint")
            .cloned()
            .collect();
        let dests: Vec<String> = edges
            .iter()
            .chain(&gateway_endpoints)
            .chain(&interface_enis)
            .cloned()
            .collect();
        let mut pairs = cross(&edges, enis);
        pairs.extend(cross(enis, &dests));
        pairs
    });
    assert!(checked > 30, "only {checked} pairs checked");
    assert!(found > 10, "only {found} pairs reachable");
    eprintln!("{checked} pairs agree, {found} reachable");
}

/// `generate --isolation-scope` (the isolation audit of docs/performance.md):
/// every finding runs from an ENI of a VPC tagged env=dev to one tagged
/// env=prod, and the scope names them all when the estate has fewer than
/// 32 and 59.
#[test]
fn isolation_scope_of_a_generated_estate_runs_dev_to_prod() {
    let dir = peering_chain();
    let vpcs = std::fs::read_to_string(dir.join("vpcs.json")).unwrap();
    let estate = [("vpcs.json".to_string(), vpcs)];
    let text = vpcreach::synth::isolation_scope(&estate, 32, 59);
    let scope = vpcreach::snapshot::scope_shapes::parse_scope(
        std::path::Path::new("isolation.json"),
        &text,
        "isolation",
    )
    .expect("the scope parses");
    let snap = vpcreach::snapshot::load(&dir).expect("the estate loads");
    let net = &snap.network;
    let env_of = |vpc: &str| net.vpcs[vpc].tags.get("env").cloned().unwrap_or_default();
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let named = |end: &str| -> Vec<String> {
        doc["MatchPaths"][0][end]["ResourceStatement"]["Resources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect()
    };
    let of_env = |env: &str| net.vpcs.keys().filter(|v| env_of(v) == env).count();
    assert_eq!(named("Source").len(), of_env("dev"));
    assert_eq!(named("Destination").len(), of_env("prod"));
    assert!(named("Source").iter().all(|v| env_of(v) == "dev"));
    let topo = vpcreach::topology::Topology::new(net);
    let result = vpcreach::audit::audit(&topo, &scope).expect("audit runs");
    let vpc_of = |eni: &str| net.network_interfaces[eni].vpc_id.clone();
    // The chain peers dev and prod neighbours: there is something to check.
    assert!(!result.findings.is_empty());
    for f in &result.findings {
        assert!(
            f.sources.iter().all(|e| env_of(&vpc_of(e)) == "dev"),
            "{f:?}"
        );
        assert!(
            f.destinations.iter().all(|e| env_of(&vpc_of(e)) == "prod"),
            "{f:?}"
        );
    }
}
