//! Trust on real-world input (issue 14): the blocked hop is the one the
//! explanation names; partial snapshots and ambiguous ids give unknown,
//! never a guess. Tests are named after the rules of aws-vpc-semantics.md
//! (and docs/semantics-additions.md) they check.

mod common;

use common::*;
use serde_json::Value;
use vpcreach::analysis::PathAnalysis;
use vpcreach::model::Network;

fn run(s: &Snap, q: vpcreach::analysis::PathQuery) -> PathAnalysis {
    let net: Network = s.network();
    analyze(&net, &q)
}

/// vpc-1 10.0.0.0/16, subnets a and b, main table with the local route
/// only plus `routes`, default NACL allow all, sg-open (all from
/// 10.0.0.0/8, all out).
fn base(routes: Vec<Value>) -> Snap {
    let mut s = Snap::new();
    s.vpc("vpc-1", "10.0.0.0/16")
        .subnet("subnet-a", "vpc-1", "10.0.0.0/24")
        .subnet("subnet-b", "vpc-1", "10.0.1.0/24")
        .route_table("rtb-main", "vpc-1", "10.0.0.0/16", true, &[], routes)
        .acl("acl-default", "vpc-1", true, &[], nacl_allow_all())
        .sg(
            "sg-open",
            "vpc-1",
            vec![sg_cidr("-1", None, "10.0.0.0/8")],
            sg_allow_all_out(),
        );
    s
}

fn vm_spec(n: &str, subnet: &str, ip: &str, public: Option<&str>) -> InstanceSpec {
    InstanceSpec {
        instance: format!("i-{n}"),
        eni: format!("eni-{n}"),
        subnet: subnet.into(),
        vpc: "vpc-1".into(),
        ips: vec![(ip.into(), public.map(str::to_string))],
        sgs: vec!["sg-open".into()],
        state: "running".into(),
        attached: true,
        source_dest_check: true,
    }
}

/// The ids of the forward hops marked blocked.
fn blocked_hops(a: &PathAnalysis) -> Vec<String> {
    a.forward
        .iter()
        .filter(|h| h.blocked)
        .map(|h| h.component.id.clone())
        .collect()
}

/// C10.6: a stopped destination instance blocks at its own interface
/// (the hop attached to it), not at the NACL or SG hop before it that
/// allowed the traffic.
#[test]
fn c10_6_stopped_destination_blocks_at_its_own_hop() {
    let mut s = base(vec![]);
    s.instance_full(vm_spec("a", "subnet-a", "10.0.0.10", None));
    s.instance_full(InstanceSpec {
        state: "stopped".into(),
        ..vm_spec("b", "subnet-b", "10.0.1.10", None)
    });
    let a = run(&s, query("i-a", "i-b", 6, Some((22, 22))));
    assert!(!a.path_found());
    assert_eq!(a.explanations[0].code.as_str(), "BAD_STATE");
    assert_eq!(blocked_hops(&a), vec!["eni-b".to_string()]);
    let dest = a.forward.last().unwrap();
    assert_eq!(dest.attached_to.as_ref().unwrap().id, "i-b");
}

/// C10.6: a stopped source instance blocks at its own interface.
#[test]
fn c10_6_stopped_source_blocks_at_its_own_hop() {
    let mut s = base(vec![]);
    s.instance_full(InstanceSpec {
        state: "stopped".into(),
        ..vm_spec("a", "subnet-a", "10.0.0.10", None)
    });
    s.instance_full(vm_spec("b", "subnet-b", "10.0.1.10", None));
    let a = run(&s, query("i-a", "i-b", 6, Some((22, 22))));
    assert_eq!(blocked_hops(&a), vec!["eni-a".to_string()]);
}

/// C10.1: an unattached destination ENI blocks at that ENI, and the same
/// subnet (no NACL hop, C10.3) puts nothing on the SG egress hop.
#[test]
fn c10_1_unattached_destination_eni_blocks_at_its_own_hop() {
    for (subnet, ip) in [("subnet-b", "10.0.1.10"), ("subnet-a", "10.0.0.20")] {
        let mut s = base(vec![]);
        s.instance_full(vm_spec("a", "subnet-a", "10.0.0.10", None));
        s.instance_full(InstanceSpec {
            attached: false,
            ..vm_spec("b", subnet, ip, None)
        });
        let a = run(&s, query("i-a", "eni-b", 6, Some((22, 22))));
        assert_eq!(a.explanations[0].code.as_str(), "BAD_STATE_ATTACHMENT");
        assert_eq!(blocked_hops(&a), vec!["eni-b".to_string()], "{subnet}");
    }
}

// ============================================== partial snapshots (R-partial)

fn vpcreach(args: &[&str]) -> (i32, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_vpcreach"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// fixtures/public-web copied without the files named `drop`.
fn public_web_without(drop: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir("fixtures/public-web").unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().into_string().unwrap();
        if name.ends_with(".json") && !drop.contains(&name.as_str()) {
            std::fs::copy(entry.path(), dir.path().join(&name)).unwrap();
        }
    }
    dir
}

const WEB: &str = "i-0240a6db4473a831e";

/// R-partial.1: with no internet gateways, route tables or NACLs in the
/// snapshot at all, `path --source internet` is UNKNOWN_RESOURCE naming
/// each missing kind, not NO_PATH ("none is attached"), in text and JSON.
#[test]
fn r_partial_1_path_from_internet_without_gateways_is_unknown() {
    let dir = public_web_without(&[
        "internet-gateways.json",
        "route-tables.json",
        "network-acls.json",
    ]);
    let snap = dir.path().to_str().unwrap();
    let args = [
        "path",
        "--snapshot",
        snap,
        "--source",
        "internet",
        "--destination",
        WEB,
        "--protocol",
        "tcp",
        "--port",
        "22",
    ];
    let (code, out, _) = vpcreach(&args);
    assert_eq!(code, 1, "{out}");
    assert!(out.starts_with("UNKNOWN"), "{out}");
    assert!(!out.contains("NOT REACHABLE"), "{out}");
    for kind in ["InternetGateways", "RouteTables", "NetworkAcls"] {
        assert!(
            out.contains(&format!("[UNKNOWN_RESOURCE] {kind}")),
            "{kind}: {out}"
        );
    }
    let mut json_args = args.to_vec();
    json_args.extend(["--format", "json"]);
    let (code, out, _) = vpcreach(&json_args);
    assert_eq!(code, 1);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["Status"], "unknown");
}

/// R-partial.1: the complete snapshot answers as before (the fixture is
/// reachable on tcp/22 from the internet), so the unknown comes from the
/// missing kinds only.
#[test]
fn r_partial_1_complete_snapshot_unchanged() {
    let (code, out, _) = vpcreach(&[
        "path",
        "--snapshot",
        "fixtures/public-web",
        "--source",
        "internet",
        "--destination",
        WEB,
        "--protocol",
        "tcp",
        "--port",
        "22",
    ]);
    assert!(!out.starts_with("UNKNOWN"), "{out}");
    assert_eq!(code, 0, "{out}");
}

/// R-partial.2: an audit that could not rule a finding out never exits 0
/// and never says "exhaustively".
#[test]
fn r_partial_2_audit_without_gateways_is_not_clean() {
    let dir = public_web_without(&[
        "internet-gateways.json",
        "route-tables.json",
        "network-acls.json",
    ]);
    let snap = dir.path().to_str().unwrap();
    let (code, out, _) = vpcreach(&["audit", "--snapshot", snap, "--scope", "all-igw-ingress"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.starts_with("UNKNOWN"), "{out}");
    assert!(!out.contains("exhaustively"), "{out}");
    let (code, out, _) = vpcreach(&[
        "audit",
        "--snapshot",
        snap,
        "--scope",
        "all-igw-ingress",
        "--format",
        "json",
    ]);
    assert_eq!(code, 1);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["Status"], "unknown");
    for format in ["markdown", "html"] {
        let (code, out, _) = vpcreach(&[
            "audit",
            "--snapshot",
            snap,
            "--scope",
            "all-igw-ingress",
            "--format",
            format,
        ]);
        assert_eq!(code, 1, "{format}");
        assert!(!out.contains("analysed exhaustively"), "{format}: {out}");
    }
}

/// R-partial.2: each of the four kinds alone makes a path unknown
/// (security groups too: every VPC has a default one).
#[test]
fn r_partial_2_each_needed_kind_alone() {
    for (file, kind) in [
        ("internet-gateways.json", "InternetGateways"),
        ("route-tables.json", "RouteTables"),
        ("network-acls.json", "NetworkAcls"),
        ("security-groups.json", "SecurityGroups"),
    ] {
        let dir = public_web_without(&[file]);
        let snap = vpcreach::snapshot::load(dir.path()).unwrap();
        let missing = snap.missing_for_paths(false);
        assert_eq!(missing.len(), 1, "{kind}");
        assert_eq!(missing[0].key, kind);
    }
}

/// R-partial.2: `diff` and `whatif` against a snapshot lacking a needed
/// kind say UNKNOWN and never exit 0 ("nothing changed" is not known).
#[test]
fn r_partial_2_diff_and_whatif_unknown() {
    let dir = public_web_without(&["network-acls.json"]);
    let snap = dir.path().to_str().unwrap();
    let (code, out, _) = vpcreach(&["diff", "--before", snap, "--after", snap]);
    assert_eq!(code, 1, "{out}");
    assert!(out.starts_with("UNKNOWN"), "{out}");
    let (code, out, _) = vpcreach(&[
        "diff", "--before", snap, "--after", snap, "--format", "json",
    ]);
    assert_eq!(code, 1);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["Status"], "unknown");
    let (code, _, _) = vpcreach(&[
        "diff",
        "--before",
        "fixtures/public-web",
        "--after",
        "fixtures/public-web",
    ]);
    assert_eq!(code, 0);
}

/// R-partial.3: `check` warns about every referenced-but-absent resource,
/// whatever its kind: VPCs referenced by subnets, groups referenced by
/// interfaces and by rules.
#[test]
fn r_partial_3_check_warns_on_every_dangling_reference() {
    let dir = public_web_without(&["vpcs.json", "security-groups.json"]);
    let snap = vpcreach::snapshot::load(dir.path()).unwrap();
    let text: Vec<String> = snap.warnings.iter().map(|w| w.to_string()).collect();
    let has = |needle: &str| text.iter().any(|w| w.contains(needle));
    assert!(has("refers to VPC vpc-"), "{text:#?}");
    assert!(has("refers to security group sg-"), "{text:#?}");
    let mut s = base(vec![]);
    s.sg(
        "sg-ref",
        "vpc-1",
        vec![sg_ref("tcp", Some((22, 22)), "sg-gone", None)],
        sg_allow_all_out(),
    );
    let docs = s.docs();
    let snap =
        vpcreach::snapshot::load_documents(docs.iter().map(|(n, t)| (n.as_str(), t.as_str())))
            .unwrap();
    assert!(
        snap.warnings
            .iter()
            .any(|w| w.to_string().contains("refers to security group sg-gone")),
        "{:?}",
        snap.warnings
    );
}

// ================================================= ambiguous ids (R-ambiguous)

fn cloudmapper() -> &'static str {
    [
        "../shared/realworld/cloudmapper-demo",
        "../../shared/realworld/cloudmapper-demo",
    ]
    .into_iter()
    .find(|p| std::path::Path::new(p).exists())
    .expect("../shared/realworld/cloudmapper-demo")
}

/// R-ambiguous.1: cloudmapper's demo gives three instances one ENI id
/// (eni-00000000) with different content: a question between two of them
/// is UNKNOWN_RESOURCE naming the duplicate, never an answer from an
/// address to itself.
#[test]
fn r_ambiguous_1_shared_eni_id_makes_the_path_unknown() {
    let snap = vpcreach::snapshot::load(std::path::Path::new(cloudmapper())).unwrap();
    assert!(snap.network.ambiguous_ids.contains("eni-00000000"));
    let a = analyze(
        &snap.network,
        &query(
            "i-00000000000000000",
            "i-00000000000000001",
            6,
            Some((22, 22)),
        ),
    );
    assert!(!a.path_found());
    assert!(a.unknown);
    assert!(
        a.explanations
            .iter()
            .any(|e| e.code.as_str() == "UNKNOWN_RESOURCE"
                && e.components.iter().any(|(_, c)| c.id == "eni-00000000")),
        "{:?}",
        explanations(&a)
    );
    let (code, out, _) = vpcreach(&[
        "path",
        "--snapshot",
        cloudmapper(),
        "--source",
        "i-00000000000000000",
        "--destination",
        "i-00000000000000001",
        "--format",
        "json",
    ]);
    assert_eq!(code, 1);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["Status"], "unknown");
}

/// R-ambiguous.1: an answer that does not touch the duplicate is not made
/// unknown by it (the engine alone, without the absent kinds).
#[test]
fn r_ambiguous_1_unrelated_answers_keep_their_verdict() {
    let mut s = base(vec![]);
    s.instance_full(vm_spec("a", "subnet-a", "10.0.0.10", None));
    s.instance_full(vm_spec("b", "subnet-b", "10.0.1.10", None));
    let mut net = s.network();
    net.ambiguous_ids.insert("eni-elsewhere".into());
    let a = analyze(&net, &query("i-a", "i-b", 6, Some((22, 22))));
    assert!(a.path_found());
    assert!(!a.unknown);
}

/// R-ambiguous.1: `audit` over a snapshot with an ambiguous id is never
/// clean.
#[test]
fn r_ambiguous_1_audit_is_not_clean() {
    let (code, out, _) = vpcreach(&[
        "audit",
        "--snapshot",
        cloudmapper(),
        "--scope",
        "aws-vpc-ingress",
    ]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("eni-00000000 is described more than once"),
        "{out}"
    );
    assert!(!out.contains("exhaustively"), "{out}");
}

/// R-ambiguous.1: `diff` (and so `whatif`, which shares its comparison)
/// over a snapshot with an ambiguous id is never "no change": UNKNOWN,
/// exit 1.
#[test]
fn r_ambiguous_1_diff_is_not_clean() {
    let (code, out, _) = vpcreach(&["diff", "--before", cloudmapper(), "--after", cloudmapper()]);
    assert_eq!(code, 1, "{out}");
    assert!(out.starts_with("UNKNOWN"), "{out}");
    assert!(out.contains("eni-00000000"), "{out}");
}

/// R-ambiguous.1 in `flows`: a record on an ENI id that names three
/// different interfaces is judged by none of them: unknown, neither
/// explained nor drift, with a note naming the id.
#[test]
fn r_ambiguous_1_flow_records_on_an_ambiguous_eni_are_unknown() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("flows.log");
    std::fs::write(
        &log,
        "2 123456789012 eni-00000000 203.0.113.9 10.0.2.1 40000 22 6 1 84 1600000000 1600000060 REJECT OK\n\
         2 123456789012 eni-00000000 203.0.113.9 10.0.2.1 40000 3306 6 1 84 1600000000 1600000060 ACCEPT OK\n\
         2 123456789012 eni-00000001 203.0.113.9 172.31.48.168 40000 3306 6 1 84 1600000000 1600000060 REJECT OK\n",
    )
    .unwrap();
    let (code, out, err) = vpcreach(&[
        "flows",
        "--snapshot",
        cloudmapper(),
        log.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let v: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out} {err}"));
    let records = v["Records"].as_array().unwrap();
    for r in &records[..2] {
        assert_eq!(r["Status"], "unknown", "{r:#}");
    }
    // eni-00000001 is described once: its group denies tcp/3306.
    assert_eq!(records[2]["Status"], "explained", "{:#}", records[2]);
    assert!(
        v.to_string()
            .contains("eni-00000000 is described more than once"),
        "{v:#}"
    );
    assert_eq!(code, 1, "unknown records are not all explained");
}

// ============================================================ real shapes

fn load(
    docs: &[(&str, &str)],
) -> Result<vpcreach::snapshot::Snapshot, Box<vpcreach::snapshot::SnapshotError>> {
    vpcreach::snapshot::load_documents(docs.iter().copied()).map_err(Box::new)
}

/// C9: raw `aws elbv2 describe-target-health` and `describe-*-attributes`
/// output (no target group or load balancer named) is a warning, not a
/// failed snapshot.
#[test]
fn c9_raw_target_health_and_attributes_are_warnings() {
    let snap = load(&[
        ("health.json", r#"{"TargetHealthDescriptions": [{"Target": {"Id": "i-1", "Port": 80}, "TargetHealth": {"State": "healthy"}}]}"#),
        ("attrs.json", r#"{"Attributes": [{"Key": "deletion_protection.enabled", "Value": "false"}]}"#),
    ])
    .unwrap();
    let text = format!("{:?}", snap.warnings);
    assert!(text.contains("TargetHealthDescriptions"), "{text}");
    assert!(text.contains("`Attributes`"), "{text}");
}

/// C9: a target group without `TargetType` (older API output) is an
/// `instance` target group, AWS's default.
#[test]
fn c9_target_type_defaults_to_instance() {
    let snap = load(&[(
        "tgs.json",
        r#"{"TargetGroups": [{"TargetGroupArn": "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/1", "TargetGroupName": "web", "Protocol": "HTTP", "Port": 80, "VpcId": "vpc-1"}]}"#,
    )])
    .unwrap();
    let tg = snap
        .network
        .target_groups
        .values()
        .next()
        .expect("one target group");
    assert_eq!(tg.target_type, "instance");
}

/// C0: tags with `"Value": null` load (the name is then empty).
#[test]
fn c0_tag_value_null_loads() {
    let snap = load(&[(
        "vpcs.json",
        r#"{"Vpcs": [{"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16", "State": "available", "Tags": [{"Key": "Name", "Value": null}]}]}"#,
    )])
    .unwrap();
    assert!(snap.network.vpcs.contains_key("vpc-1"));
}

/// C0: an IPv6 CIDR in an IPv4 field says so, located.
#[test]
fn c0_ipv6_in_an_ipv4_field_says_so() {
    let err = load(&[(
        "vpcs.json",
        r#"{"Vpcs": [{"VpcId": "vpc-1", "CidrBlock": "2001:db8::/56", "State": "available"}]}"#,
    )])
    .unwrap_err();
    let text = err.to_string();
    assert!(text.contains("IPv6 where IPv4 is expected"), "{text}");
    assert!(text.contains("vpcs.json:1:"), "{text}");
}

// ================================================================ flows (D)

/// D-icmp.1: an ICMP REJECT on an ENI whose security groups deny it as a
/// request (no ingress rule) but would admit it as a reply (egress allows
/// the reverse) is explained by the groups: an admitted reply is logged
/// ACCEPT, so a REJECT is the request. The same record as ACCEPT stays
/// consistent (the reply).
#[test]
fn d_icmp_1_reject_denied_as_request_is_explained() {
    let mut s = base(vec![]);
    s.sg("sg-closed", "vpc-1", vec![], sg_allow_all_out());
    s.instance_full(vm_spec("a", "subnet-a", "10.0.0.10", None));
    s.instance_full(InstanceSpec {
        sgs: vec!["sg-closed".into()],
        ..vm_spec("b", "subnet-b", "10.0.1.10", None)
    });
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in s.docs() {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let log = dir.path().join("flows.log");
    std::fs::write(
        &log,
        "2 123456789012 eni-b 10.0.0.10 10.0.1.10 0 0 1 1 84 1600000000 1600000060 REJECT OK\n\
         2 123456789012 eni-b 10.0.0.10 10.0.1.10 0 0 1 1 84 1600000000 1600000060 ACCEPT OK\n",
    )
    .unwrap();
    let (_, out, err) = vpcreach(&[
        "flows",
        "--snapshot",
        dir.path().to_str().unwrap(),
        log.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let v: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out} {err}"));
    let records = v["Records"].as_array().unwrap();
    let reject = &records[0];
    assert_eq!(reject["Status"], "explained", "{reject:#}");
    assert_eq!(
        reject["Explanations"][0]["ExplanationCode"], "SG_HAS_NO_RULES",
        "{reject:#}"
    );
    assert!(
        reject
            .to_string()
            .contains("a reply the security groups would have accepted")
            || reject.to_string().contains("would have accepted"),
        "{reject:#}"
    );
    assert_eq!(records[1]["Status"], "consistent", "{:#}", records[1]);
}
