//! Each scope feature on the fixtures, the CLI contract (exit codes, located
//! errors, SARIF shape) and determinism.

use std::path::Path;
use std::process::Command;

use vpcreach::audit::{self, AuditResult};
use vpcreach::snapshot;
use vpcreach::topology::Topology;

fn run(fixture: &str, scope: &str) -> AuditResult {
    let snap = snapshot::load(Path::new(&format!("fixtures/{fixture}"))).expect("fixture loads");
    let topo = Topology::new(&snap.network);
    let scope =
        snapshot::scope_shapes::parse_scope(Path::new("t.json"), scope, "t").expect("scope parses");
    audit::audit(&topo, &scope).expect("audit runs")
}

fn pairs(r: &AuditResult) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for f in &r.findings {
        let t = vpcreach::report::audit::traffic_text(f);
        for s in &f.sources {
            for d in &f.destinations {
                out.push((s.clone(), d.clone(), t.clone()));
            }
        }
    }
    out.sort();
    out
}

const ENI: &str = r#"{"ResourceStatement": {"ResourceTypes": ["AWS::EC2::NetworkInterface"]}}"#;
// three-tier
const WEB: &str = "eni-035b95295c011e256";
const WEB_SUBNET: &str = "subnet-08c3063ea311e9783";

#[test]
fn both_json_shapes_and_builtins_agree() {
    let plain = run(
        "three-tier",
        audit::scope::built_in("all-igw-ingress").unwrap(),
    );
    let content = run(
        "three-tier",
        r#"{"NetworkInsightsAccessScopeContent": {"NetworkInsightsAccessScopeId": "nis-0123",
            "MatchPaths": [{"Source": {"ResourceStatement": {"ResourceTypes": ["AWS::EC2::InternetGateway"]}},
                            "Destination": {"ResourceStatement": {"ResourceTypes": ["AWS::EC2::NetworkInterface"]}}}]}}"#,
    );
    assert_eq!(pairs(&plain), pairs(&content));
    assert_eq!(pairs(&plain).len(), 1);
    for (name, text) in audit::scope::BUILT_INS {
        snapshot::scope_shapes::parse_scope(Path::new(name), text, name).expect("built-in parses");
    }
    assert!(audit::scope::built_in("All-IGW-Ingress").is_some());
}

#[test]
fn exclude_paths_remove_matching_traffic() {
    let all = run(
        "three-tier",
        &format!(r#"{{"MatchPaths": [{{"Source": {ENI}, "Destination": {ENI}}}]}}"#),
    );
    assert!(pairs(&all).iter().any(|(_, _, t)| t.contains("8080")));
    let without = run(
        "three-tier",
        &format!(
            r#"{{"MatchPaths": [{{"Source": {ENI}, "Destination": {ENI}}}],
                     "ExcludePaths": [{{"Destination": {{"PacketHeaderStatement": {{"DestinationPorts": ["8080"]}}}}}}]}}"#
        ),
    );
    assert!(!pairs(&without).iter().any(|(_, _, t)| t.contains("8080")));
    assert!(!pairs(&without).is_empty());
}

#[test]
fn resource_types_ids_tags_and_headers_select() {
    let by_type = run(
        "three-tier",
        r#"{"MatchPaths": [{"Source": {"ResourceStatement": {"ResourceTypes": ["AWS::EC2::Instance"]}}, "Destination": {"ResourceStatement": {"ResourceTypes": ["AWS::EC2::Instance"]}}}]}"#,
    );
    let by_eni = run(
        "three-tier",
        &format!(r#"{{"MatchPaths": [{{"Source": {ENI}, "Destination": {ENI}}}]}}"#),
    );
    assert_eq!(pairs(&by_type), pairs(&by_eni));
    // A subnet id as destination: only the web ENI lives there.
    let subnet = run(
        "three-tier",
        &format!(
            r#"{{"MatchPaths": [{{"Source": {ENI}, "Destination": {{"ResourceStatement": {{"Resources": ["{WEB_SUBNET}"]}}}}}}]}}"#
        ),
    );
    assert!(!pairs(&subnet).is_empty());
    assert!(pairs(&subnet).iter().all(|(_, d, _)| d == WEB));
    // ARN form of an ENI id.
    let arn = run(
        "three-tier",
        &format!(
            r#"{{"MatchPaths": [{{"Destination": {{"ResourceStatement": {{"Resources": ["arn:aws:ec2:us-east-1:123456789012:network-interface/{WEB}"]}}}}}}]}}"#
        ),
    );
    assert!(!pairs(&arn).is_empty() && pairs(&arn).iter().all(|(_, d, _)| d == WEB));
    // Tags extension: the subnet's Name tag is inherited by its ENIs.
    let tags = run(
        "three-tier",
        r#"{"MatchPaths": [{"Destination": {"ResourceStatement": {"Tags": {"Name": "three-tier-web-a"}}}}]}"#,
    );
    assert_eq!(
        pairs(&tags)
            .iter()
            .map(|p| p.1.clone())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect::<Vec<_>>(),
        vec![WEB.to_string()]
    );
    // Packet headers: only tcp/443 is reported.
    let https = run(
        "three-tier",
        r#"{"MatchPaths": [{"Source": {"ResourceStatement": {"ResourceTypes": ["AWS::EC2::InternetGateway"]}, "PacketHeaderStatement": {"Protocols": ["tcp"]}}, "Destination": {"PacketHeaderStatement": {"DestinationPorts": ["443"]}}}]}"#,
    );
    assert_eq!(pairs(&https).len(), 1);
    assert!(
        pairs(&https)[0].2.starts_with("tcp/443"),
        "{:?}",
        pairs(&https)
    );
    let udp = run(
        "three-tier",
        r#"{"MatchPaths": [{"Source": {"ResourceStatement": {"ResourceTypes": ["AWS::EC2::InternetGateway"]}}, "Destination": {"PacketHeaderStatement": {"Protocols": ["udp"]}}}]}"#,
    );
    assert!(udp.findings.is_empty());
    // Source addresses of internet traffic (public-web: SSH only from 203.0.113.0/24).
    let admin = run(
        "public-web",
        r#"{"MatchPaths": [{"Source": {"ResourceStatement": {"ResourceTypes": ["AWS::EC2::InternetGateway"]}, "PacketHeaderStatement": {"SourceAddresses": ["198.51.100.0/24"]}}, "Destination": {"PacketHeaderStatement": {"DestinationPorts": ["22"]}}}]}"#,
    );
    assert!(admin.findings.is_empty(), "{:?}", pairs(&admin));
    let admin = run(
        "public-web",
        r#"{"MatchPaths": [{"Source": {"ResourceStatement": {"ResourceTypes": ["AWS::EC2::InternetGateway"]}, "PacketHeaderStatement": {"SourceAddresses": ["203.0.113.7"]}}, "Destination": {"PacketHeaderStatement": {"DestinationPorts": ["22"]}}}]}"#,
    );
    assert!(!admin.findings.is_empty());
}

#[test]
fn through_resources_nat_gateway() {
    let egress = audit::scope::built_in("aws-igw-egress").unwrap();
    let all = run("nat-egress", egress);
    let via_nat = run(
        "nat-egress",
        &format!(
            r#"{{"MatchPaths": [{{"Source": {ENI}, "Destination": {{"ResourceStatement": {{"ResourceTypes": ["AWS::EC2::InternetGateway"]}}}}, "ThroughResources": [{{"ResourceStatement": {{"ResourceTypes": ["AWS::EC2::NatGateway"]}}}}]}}]}}"#
        ),
    );
    let not_via_nat = run(
        "nat-egress",
        &format!(
            r#"{{"MatchPaths": [{{"Source": {ENI}, "Destination": {{"ResourceStatement": {{"ResourceTypes": ["AWS::EC2::InternetGateway"]}}}}}}], "ExcludePaths": [{{"ThroughResources": [{{"ResourceStatement": {{"ResourceTypes": ["AWS::EC2::NatGateway"]}}}}]}}, {{"ThroughResources": [{{"ResourceStatement": {{"ResourceTypes": ["AWS::NetworkFirewall::Firewall"]}}}}]}}]}}"#
        ),
    );
    assert!(
        !via_nat.findings.is_empty(),
        "the private ENI reaches the internet through the NAT gateway"
    );
    assert!(via_nat.findings.iter().all(|f| f
        .components
        .iter()
        .any(|h| h.component.id.starts_with("nat-"))));
    // Every pair is either through the NAT gateway or not.
    let mut union = pairs(&via_nat);
    union.extend(pairs(&not_via_nat));
    union.sort();
    assert_eq!(union, pairs(&all));
    // Firewalls are not modelled: a warning says so.
    assert!(not_via_nat
        .warnings
        .iter()
        .any(|w| w.contains("NetworkFirewall")));
}

/// Issue 7: the resource types for VPN gateways, TGW attachments and VPC
/// endpoints match (aws-vpc-semantics.md B.2), as sources and destinations
/// (and `Through` for attachments and endpoints), with no "not modelled"
/// warning.
#[test]
fn vpn_gateway_tgw_attachment_and_endpoint_types_match() {
    let not_modelled = |r: &AuditResult| r.warnings.iter().any(|w| w.contains("not modelled"));
    // What on-premises (through the VGW) reaches: app-1 on SSH from the
    // VPN's 192.168.0.0/16 only (172.20.0.0/16 is not in app-sg, and the
    // isolated subnet has no route back).
    let onprem = run(
        "vgw-onprem",
        r#"{"MatchPaths": [{"Source": {"ResourceStatement": {"ResourceTypes": ["AWS::EC2::VPNGateway"]}}}]}"#,
    );
    assert!(!not_modelled(&onprem), "{:?}", onprem.warnings);
    assert_eq!(
        pairs(&onprem),
        vec![(
            "vgw-0f3f2fd555c189e53".to_string(),
            "eni-052df842862887c41".to_string(),
            "tcp/22 from 192.168.0.0/16".to_string()
        )]
    );
    // ... and what reaches on-premises (by id this time).
    let to_onprem = run(
        "vgw-onprem",
        r#"{"MatchPaths": [{"Destination": {"ResourceStatement": {"Resources": ["vgw-0f3f2fd555c189e53"]}}}]}"#,
    );
    let p = pairs(&to_onprem);
    assert!(
        !p.is_empty()
            && p.iter()
                .all(|(s, d, _)| s == "eni-052df842862887c41" && d == "vgw-0f3f2fd555c189e53"),
        "{p:?}"
    );

    // Which ENIs reach the SSM interface endpoint (its ENIs, by endpoint id),
    // and which reach S3 through the gateway endpoint (by type).
    let ssm = run(
        "vpc-endpoints",
        r#"{"MatchPaths": [{"Destination": {"ResourceStatement": {"Resources": ["vpce-09c88a738a010e171"]}}}]}"#,
    );
    let p = pairs(&ssm);
    assert!(
        p.iter().any(|(_, d, _)| d == "eni-0acc4818f3f7697f1"),
        "{p:?}"
    );
    assert!(
        p.iter().all(
            |(_, d, _)| ["eni-0acc4818f3f7697f1", "eni-049fd7302630aa61e"].contains(&d.as_str())
        ),
        "{p:?}"
    );
    let s3 = run(
        "vpc-endpoints",
        r#"{"MatchPaths": [{"Destination": {"ResourceStatement": {"ResourceTypes": ["AWS::EC2::VPCEndpoint"]}}}]}"#,
    );
    assert!(!not_modelled(&s3), "{:?}", s3.warnings);
    let p = pairs(&s3);
    assert!(
        p.iter()
            .any(|(_, d, t)| d == "vpce-099564ff046c38e1a" && t.contains("tcp to")),
        "{p:?}"
    );
    // The gateway endpoint carries TCP only (C8.1): no UDP finding to it.
    assert!(
        !p.iter()
            .any(|(_, d, t)| d == "vpce-099564ff046c38e1a" && t.contains("udp")),
        "{p:?}"
    );

    // Spokes through the TGW: every ENI pair across VPCs of tgw-hub-spoke
    // passes a TGW attachment, so `Through` the type keeps exactly the
    // cross-VPC pairs of the all-ENI scope.
    let all = run(
        "tgw-hub-spoke",
        &format!(r#"{{"MatchPaths": [{{"Source": {ENI}, "Destination": {ENI}}}]}}"#),
    );
    let via_tgw = run(
        "tgw-hub-spoke",
        &format!(
            r#"{{"MatchPaths": [{{"Source": {ENI}, "Destination": {ENI}, "ThroughResources": [{{"ResourceStatement": {{"ResourceTypes": ["AWS::EC2::TransitGatewayAttachment"]}}}}]}}]}}"#
        ),
    );
    assert!(!not_modelled(&via_tgw), "{:?}", via_tgw.warnings);
    assert!(!pairs(&via_tgw).is_empty());
    // web-1a → batch-1c stays inside spoke-1: in `all`, not through the TGW.
    let ends = |r: &AuditResult| -> Vec<(String, String)> {
        pairs(r).into_iter().map(|(s, d, _)| (s, d)).collect()
    };
    let (all, via) = (ends(&all), ends(&via_tgw));
    assert!(via.iter().all(|p| all.contains(p)), "{via:?}");
    assert!(all.contains(&(
        "eni-076ebbaba67e8f110".into(),
        "eni-0e30ea58582fa11a6".into()
    )));
    assert!(!via.contains(&(
        "eni-076ebbaba67e8f110".into(),
        "eni-0e30ea58582fa11a6".into()
    )));
    assert!(via_tgw.findings.iter().all(|f| f
        .components
        .iter()
        .any(|h| h.component.id.starts_with("tgw-attach-"))));
    // An attachment as the source: what the egress VPC's attachment lets in.
    let from_att = run(
        "tgw-hub-spoke",
        r#"{"MatchPaths": [{"Source": {"ResourceStatement": {"Resources": ["tgw-attach-03a307773176d9ae9"]}}}]}"#,
    );
    assert!(!pairs(&from_att).is_empty());
    assert!(pairs(&from_att)
        .iter()
        .all(|(s, _, _)| s == "tgw-attach-03a307773176d9ae9"));
}

fn cli(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_vpcreach"))
        .args(args)
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn cli_exit_codes_determinism_and_sarif() {
    let (code, a, _) = cli(&[
        "audit",
        "--snapshot",
        "fixtures/three-tier",
        "--scope",
        "all-igw-ingress",
        "--format",
        "json",
    ]);
    assert_eq!(code, 1);
    let (_, b, _) = cli(&[
        "audit",
        "--snapshot",
        "fixtures/three-tier",
        "--scope",
        "all-igw-ingress",
        "--format",
        "json",
    ]);
    assert_eq!(a, b, "two runs are byte-identical");
    let v: serde_json::Value = serde_json::from_str(&a).unwrap();
    let f = &v["AnalysisFindings"][0];
    for key in [
        "FindingId",
        "FindingComponents",
        "Sources",
        "Destinations",
        "Traffic",
    ] {
        assert!(!f[key].is_null(), "{key} missing");
    }
    // Clean: udp from the internet reaches nothing in three-tier.
    let dir = tempfile::tempdir().unwrap();
    let clean = dir.path().join("udp.json");
    std::fs::write(&clean, r#"{"MatchPaths": [{"Source": {"ResourceStatement": {"ResourceTypes": ["AWS::EC2::InternetGateway"]}, "PacketHeaderStatement": {"Protocols": ["udp"]}}}]}"#).unwrap();
    let (code, out, _) = cli(&[
        "audit",
        "--snapshot",
        "fixtures/three-tier",
        "--scope",
        clean.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{out}");
    // SARIF 2.1.0.
    let (code, s, _) = cli(&[
        "audit",
        "--snapshot",
        "fixtures/three-tier",
        "--scope",
        "docs/scopes/all-eni-pairs.json",
        "--format",
        "sarif",
    ]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&s).unwrap();
    assert_eq!(v["version"], "2.1.0");
    assert!(v["$schema"].as_str().unwrap().contains("sarif"));
    let run = &v["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "vpcreach");
    assert!(run["tool"]["driver"]["informationUri"].is_string());
    let rule = run["tool"]["driver"]["rules"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let results = run["results"].as_array().unwrap();
    assert!(!results.is_empty());
    for r in results {
        assert_eq!(r["ruleId"], rule.as_str());
        assert!(r["level"].is_string() && r["message"]["text"].is_string());
        let loc = &r["locations"][0]["physicalLocation"];
        let uri = loc["artifactLocation"]["uri"]
            .as_str()
            .expect("a physical location");
        assert!(uri.ends_with(".json") && Path::new(uri).exists(), "{uri}");
        assert!(loc["region"]["startLine"].as_u64().unwrap() >= 1);
    }
}

#[test]
fn broken_scopes_exit_2_with_located_errors() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("syntax.json", "{\"MatchPaths\": [\n  {\"Source\": }\n]}", "syntax.json:2:"),
        ("type.json", "{\"MatchPaths\": [\n  {\"Source\": {\"ResourceStatement\": {\"ResourceTypes\": [\"AWS::EC2::Bogus\"]}}}\n]}", "MatchPaths[0].Source.ResourceStatement.ResourceTypes[0]"),
        ("field.json", "{\"MatchPaths\": [\n  {\"Source\": {\"ResourceStatment\": {}}}\n]}", "MatchPaths[0].Source"),
        ("port.json", "{\"MatchPaths\": [\n  {\"Destination\": {\"PacketHeaderStatement\": {\"DestinationPorts\": [\"70000\"]}}}\n]}", "DestinationPorts[0]"),
        ("cidr.json", "{\"MatchPaths\": [{\"Source\": {\"PacketHeaderStatement\": {\"SourceAddresses\": [\"10.0.0.0/33\"]}}}]}", "SourceAddresses[0]"),
        ("nat-source.json", "{\"MatchPaths\": [{\"Source\": {\"ResourceStatement\": {\"ResourceTypes\": [\"AWS::EC2::NatGateway\"]}}}]}", "AWS::EC2::NatGateway is allowed only"),
        ("empty.json", "{\"MatchPaths\": []}", "at least one"),
        ("both.json", "{\"MatchPaths\": [{\"Source\": {\"ResourceStatement\": {\"Resources\": [\"eni-1\"], \"ResourceTypes\": [\"AWS::EC2::InternetGateway\"]}}}]}", "not both"),
        ("pl.json", "{\"MatchPaths\": [{\"Source\": {\"PacketHeaderStatement\": {\"SourcePrefixLists\": [\"pl-0000000000000dead\"]}}}]}", "pl-0000000000000dead"),
    ];
    for (name, text, expect) in cases {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        let (code, _, err) = cli(&[
            "audit",
            "--snapshot",
            "fixtures/three-tier",
            "--scope",
            p.to_str().unwrap(),
        ]);
        assert_eq!(code, 2, "{name}: {err}");
        assert!(
            err.contains(expect),
            "{name}: expected {expect:?} in\n{err}"
        );
        assert!(err.contains(name), "{name}: the file is named\n{err}");
    }
    let (code, _, err) = cli(&[
        "audit",
        "--snapshot",
        "fixtures/three-tier",
        "--scope",
        "no-such-scope",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("built-in"), "{err}");
}

/// C9 / B.2: `ThroughResources` naming load balancer types: what the
/// internet reaches through them, pair by pair the targets `path
/// --destination <load balancer>` reaches from the internet gateway.
#[test]
fn through_load_balancers_agrees_with_path() {
    use vpcreach::analysis::{elb, PathQuery, ProtocolChoice};
    let scope = r#"{"MatchPaths": [
      {"Source": {"ResourceStatement": {"ResourceTypes": ["AWS::EC2::InternetGateway"]}},
       "ThroughResources": [{"ResourceStatement": {"ResourceTypes": ["AWS::ElasticLoadBalancingV2::LoadBalancer"]}}],
       "Destination": {"ResourceStatement": {"ResourceTypes": ["AWS::EC2::NetworkInterface"]}}},
      {"Source": {"ResourceStatement": {"ResourceTypes": ["AWS::EC2::InternetGateway"]}},
       "ThroughResources": [{"ResourceStatement": {"ResourceTypes": ["AWS::ElasticLoadBalancing::LoadBalancer"]}}],
       "Destination": {"ResourceStatement": {"ResourceTypes": ["AWS::EC2::NetworkInterface"]}}}
    ]}"#;
    let r = run("elb", scope);
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    let mut audited: Vec<(String, String)> = r
        .findings
        .iter()
        .flat_map(|f| {
            f.sources
                .iter()
                .flat_map(|s| f.destinations.iter().map(move |d| (s.clone(), d.clone())))
        })
        .collect();
    audited.sort();
    // The same question through `path`.
    let snap = snapshot::load(Path::new("fixtures/elb")).unwrap();
    let topo = Topology::new(&snap.network);
    let mut expected = Vec::new();
    for igw in snap.network.internet_gateways.keys() {
        for lb in snap.network.load_balancers.values() {
            let q = PathQuery {
                source: igw.clone(),
                destination: lb.id.clone(),
                protocol: ProtocolChoice::All,
                dport: None,
                sport: None,
                source_ip: None,
                destination_ip: None,
            };
            let a = elb::analyze(&topo, &q, lb, None, false).unwrap();
            for t in a.to_targets.iter().filter(|t| t.reached()) {
                expected.push((igw.clone(), t.target_eni.clone()));
            }
        }
    }
    expected.sort();
    expected.dedup();
    assert_eq!(audited, expected);
    // app-1, app-2 behind the ALB (80, 443), batch-2 behind the classic ELB (80).
    assert_eq!(audited.len(), 3, "{audited:?}");
    let alb = r
        .findings
        .iter()
        .find(|f| f.destinations == ["eni-054e5f36eb9877283"])
        .unwrap();
    let text = vpcreach::report::audit::traffic_text(alb);
    assert!(
        text.contains("tcp/80,443") && text.contains("3.91.10.1"),
        "{text}"
    );
    assert!(alb
        .components
        .iter()
        .any(|h| h.component.id.contains(":loadbalancer/app/web-alb/")));
    // Only the classic type: only batch-2.
    let classic = scope.replacen(
        "AWS::ElasticLoadBalancingV2::LoadBalancer",
        "AWS::ElasticLoadBalancing::LoadBalancer",
        1,
    );
    let r = run("elb", &classic);
    assert!(r
        .findings
        .iter()
        .all(|f| f.destinations == ["eni-0677d540a518f542f"]));
}

/// The audit covers IPv6 (issue 15), so a dual-stack snapshot no longer
/// gets the "IPv4 only" warning; what it still does not audit is IPv6
/// egress through an egress-only gateway (no audit end, C4.6), and a scope
/// towards internet gateways says so rather than read as clean for it.
#[test]
fn dual_stack_audit_warns_only_about_egress_only_gateways() {
    let egress = run(
        "dual-stack",
        audit::scope::built_in("aws-igw-egress").unwrap(),
    );
    assert!(
        !egress.warnings.iter().any(|w| w.contains("IPv4 only")),
        "{:?}",
        egress.warnings
    );
    assert!(
        egress
            .warnings
            .iter()
            .any(|w| w.contains("eigw-0ccd28b38927a8b0e") && w.contains("not audited")),
        "{:?}",
        egress.warnings
    );
    let ingress = run(
        "dual-stack",
        audit::scope::built_in("all-igw-ingress").unwrap(),
    );
    assert!(ingress.warnings.is_empty(), "{:?}", ingress.warnings);
    let r = run(
        "three-tier",
        audit::scope::built_in("aws-igw-egress").unwrap(),
    );
    assert!(!r.warnings.iter().any(|w| w.contains("not audited")));
}

// dual-stack (fixtures/dual-stack/README.md)
const DS_WEB: &str = "eni-0aee85b694ec31e1f";
const DS_APP: &str = "eni-0d005bd97ac7e0f2e";
const DS_IGW: &str = "igw-0331d9f7e3e482d3d";

/// Issue 15 item 4, C4.6 / C1.4 / C2.6: from the internet the audit sees
/// web-public over both families (IPv4 through its public IP, IPv6 to its
/// own address, web-sg allows 443 from 0.0.0.0/0 and ::/0), and never
/// app-private over IPv6: app-sg allows tcp/443 from ::/0, but the reply
/// would leave through the egress-only gateway (C4.6, our
/// EGRESS_ONLY_IGW_INBOUND_INITIATED), and the internet never enters
/// through an egress-only gateway. No IPv4-only warning any more.
#[test]
fn c4_6_audit_covers_ipv6_from_the_internet() {
    let r = run(
        "dual-stack",
        audit::scope::built_in("all-igw-ingress").unwrap(),
    );
    assert!(
        !r.warnings.iter().any(|w| w.contains("IPv4 only")),
        "{:?}",
        r.warnings
    );
    let p = pairs(&r);
    let web: Vec<&(String, String, String)> = p
        .iter()
        .filter(|(s, d, _)| s == DS_IGW && d == DS_WEB)
        .collect();
    assert_eq!(web.len(), 1, "{p:?}");
    let t = &web[0].2;
    assert!(t.contains("tcp/443 from internet"), "{t}");
    assert!(t.contains("over IPv6"), "IPv6 443 from ::/0 missing: {t}");
    let json = vpcreach::report::audit::json(&r);
    let families: Vec<&str> = json["AnalysisFindings"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| f["Traffic"].as_array().unwrap().iter())
        .map(|t| t["AddressFamily"].as_str().unwrap())
        .collect();
    assert!(
        families.contains(&"IPv4") && families.contains(&"IPv6"),
        "{families:?}"
    );
    for (s, d, t) in &p {
        assert!(
            !(d == DS_APP && t.contains("IPv6")),
            "{s} → {d} over IPv6 is asserted ({t}), but its reply leaves through the egress-only gateway (C4.6)"
        );
    }
}

/// C2.6 / C1.4: between the two dual-stack instances, tcp/22 from web to
/// app gets through over IPv4 only (the private NACL's inbound rule 90
/// denies IPv6 tcp/22 from the public subnet and never matches IPv4),
/// and tcp/8080 over both families (app-sg's reference to web-sg matches
/// web's IPv4 and IPv6 addresses, C1.5 / C1.8).
#[test]
fn c2_6_audit_keeps_families_apart_between_enis() {
    let scope = format!(r#"{{"MatchPaths": [{{"Source": {ENI}, "Destination": {ENI}}}]}}"#);
    let r = run("dual-stack", &scope);
    let f: Vec<_> = r
        .findings
        .iter()
        .filter(|f| {
            f.sources.contains(&DS_WEB.to_string()) && f.destinations.contains(&DS_APP.to_string())
        })
        .collect();
    assert_eq!(f.len(), 1);
    let json = vpcreach::report::audit::traffic(f[0]);
    let entries = json.as_array().unwrap();
    let covers = |family: &str, port: u64| {
        entries.iter().any(|e| {
            e["AddressFamily"] == family
                && (e["Protocols"] == serde_json::json!(["tcp"])
                    || e["Protocols"] == serde_json::json!(["all"]))
                && e["DestinationPortRanges"].as_array().is_some_and(|r| {
                    r.iter().any(|x| {
                        x["From"].as_u64().unwrap() <= port && port <= x["To"].as_u64().unwrap()
                    })
                })
        })
    };
    assert!(covers("IPv4", 22), "{json}");
    assert!(
        !covers("IPv6", 22),
        "NACL rule 90 denies IPv6 tcp/22 (C2.6): {json}"
    );
    assert!(covers("IPv4", 8080) && covers("IPv6", 8080), "{json}");
}

/// An ENI end's address filter selects by family: a scope naming web's
/// IPv4 address keeps only IPv4 traffic of web (its IPv6 address is not
/// in the filter), so an exclude by IPv4 address never hides IPv6.
#[test]
fn address_filters_on_eni_ends_are_per_family() {
    let only_v4 = format!(
        r#"{{"MatchPaths": [{{"Source": {{"ResourceStatement": {{"ResourceTypes": ["AWS::EC2::NetworkInterface"]}}, "PacketHeaderStatement": {{"SourceAddresses": ["10.60.0.10/32"]}}}}, "Destination": {ENI}}}]}}"#
    );
    let r = run("dual-stack", &only_v4);
    assert!(!r.findings.is_empty());
    for (_, _, t) in pairs(&r) {
        assert!(!t.contains("IPv6"), "{t}");
    }
    let excluded = format!(
        r#"{{"MatchPaths": [{{"Source": {ENI}, "Destination": {ENI}}}],
            "ExcludePaths": [{{"Source": {{"ResourceStatement": {{"ResourceTypes": ["AWS::EC2::NetworkInterface"]}}, "PacketHeaderStatement": {{"SourceAddresses": ["10.60.0.10/32"]}}}}, "Destination": {ENI}}}]}}"#
    );
    let r = run("dual-stack", &excluded);
    let web: Vec<_> = pairs(&r)
        .into_iter()
        .filter(|(s, _, _)| s == DS_WEB)
        .collect();
    assert!(
        !web.is_empty(),
        "web's IPv6 traffic must survive an IPv4 exclude"
    );
    for (_, _, t) in web {
        assert!(t.split(", ").all(|p| p.ends_with("over IPv6")), "{t}");
    }
}
