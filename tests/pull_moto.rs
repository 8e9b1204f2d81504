//! `vpcreach pull` against a real EC2 API: moto's server on a loopback port.
//!
//! `bash tests/run.sh` installs moto into `$CARGO_TARGET_DIR/moto-venv` and
//! exports `VPCREACH_MOTO_PYTHON`; without it these tests look for that venv
//! and fail (never skip) with a message saying to run the script.
//!
//! The network is built through the EC2 API by tests/moto_network.py (boto3
//! from the same venv); the same network written by hand as AWS CLI JSON is
//! fixtures/moto-network/. Both must give the same verdicts.
#![cfg(feature = "aws")]

mod moto;

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use moto::*;
use serde_json::Value;

/// `vpcreach pull` of us-east-1 from `moto` into `snap`, with dummy keys.
fn pull_us_east_1(moto: &Moto, snap: &Path) -> Output {
    AwsHome::new().run(
        &[
            "pull",
            "--output",
            snap.to_str().unwrap(),
            "--endpoint-url",
            &moto.endpoint,
            "--region",
            "us-east-1",
        ],
        &DUMMY_KEYS,
    )
}

/// `pull` fetches TGW peering attachments (C7.8) in CLI shape, and the
/// loader joins them to the transit gateways at both ends.
#[test]
fn pull_fetches_transit_gateway_peering_attachments() {
    let moto = Moto::start(&[]);
    let ids = moto.script("moto_tgw_peering.py", &[]);
    let (east, west, att) = (
        ids["east"].as_str().unwrap(),
        ids["west"].as_str().unwrap(),
        ids["peering"].as_str().unwrap(),
    );
    let dir = tempfile::tempdir().unwrap();
    let snap = dir.path().join("snap");
    let out = pull_us_east_1(&moto, &snap);
    assert!(out.status.success(), "pull failed: {}", text(&out.stderr));
    let file = read_json(&snap.join("us-east-1/transit-gateway-peering-attachments.json"));
    let listed = file["TransitGatewayPeeringAttachments"].as_array().unwrap();
    let peering = listed
        .iter()
        .find(|a| a["TransitGatewayAttachmentId"] == att)
        .unwrap_or_else(|| panic!("{att} not pulled: {file:#}"));
    assert_eq!(peering["RequesterTgwInfo"]["TransitGatewayId"], east);
    assert_eq!(peering["AccepterTgwInfo"]["TransitGatewayId"], west);
    assert_eq!(peering["AccepterTgwInfo"]["Region"], "us-east-1");
    // moto lists every attachment, the peering one too (without VpcId), in
    // DescribeTransitGatewayVpcAttachments, which real EC2 never does.
    let vpc_file = snap.join("us-east-1/transit-gateway-vpc-attachments.json");
    let mut vpc = read_json(&vpc_file);
    vpc["TransitGatewayVpcAttachments"]
        .as_array_mut()
        .unwrap()
        .retain(|a| a.get("VpcId").is_some());
    std::fs::write(&vpc_file, vpc.to_string()).unwrap();
    let loaded = vpcreach::snapshot::load(&snap).expect("pulled snapshot loads");
    let model = &loaded.network.tgw_attachments[att];
    let ends = model.peering.as_ref().expect("a peering attachment");
    assert_eq!(
        ends.far_end(east, model.resource_id.as_deref()),
        Some(west),
        "{model:?}"
    );
}

/// `vpcreach path --format json`: (reachable, sorted explanation codes, report).
fn verdict(
    snapshot: &Path,
    src: &str,
    dst: &str,
    port: u16,
    extra: &[&str],
) -> (bool, Vec<String>, Value) {
    let port = port.to_string();
    let mut args = vec![
        "path",
        "--snapshot",
        snapshot.to_str().unwrap(),
        "--source",
        src,
        "--destination",
        dst,
        "--port",
        &port,
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    let out = Command::new(BIN).args(&args).output().unwrap();
    assert!(
        out.status.code() == Some(0) || out.status.code() == Some(1),
        "path {args:?} failed: {}",
        text(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut codes: Vec<String> = report["Explanations"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["ExplanationCode"].as_str().map(str::to_owned))
        .collect();
    codes.sort();
    codes.dedup();
    (report["NetworkPathFound"] == true, codes, report)
}

/// Destinations outside the VPCs, by role: the same in both snapshots.
fn outside(role: &str) -> Option<&'static str> {
    match role {
        "internet" => Some("internet"),
        "onprem" => Some("192.168.10.10"),
        "s3" => Some("52.216.0.10"),
        _ => None,
    }
}

/// Ids of the hand-written fixture, by the same role names moto_network.py uses.
fn fixture_ids() -> BTreeMap<String, String> {
    [
        ("web", "i-0a10000000000c001"),
        ("app", "i-0a20000000000c002"),
        ("db", "i-0a30000000000c003"),
        ("peer", "i-0b10000000000c004"),
        ("far", "i-0c10000000000c005"),
        ("nat", "nat-0a1c0ffee00000001"),
        (
            "alb",
            "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web-alb/50dc6c495c0c9188",
        ),
        ("alb-node-b", "eni-0a5000000000f008"),
        ("clb", "batch-clb"),
        ("internet", "internet"),
        ("onprem", "192.168.10.10"),
        ("s3", "52.216.0.10"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

/// (source, destination, port, extra flags, expected reachable), by role.
/// Both snapshots must give the same verdict and the same explanation codes.
type Query = (
    &'static str,
    &'static str,
    u16,
    &'static [&'static str],
    bool,
);
const QUERIES: &[Query] = &[
    ("internet", "web", 443, &[], true),
    (
        "internet",
        "web",
        22,
        &["--source-ip", "198.51.100.7"],
        false,
    ),
    ("internet", "web", 22, &["--source-ip", "203.0.113.9"], true),
    ("web", "app", 8080, &[], true),
    ("internet", "app", 8080, &[], false),
    // moto's NAT gateway sits at a 10.x address outside its subnet (and
    // both VPCs), and fixtures/moto-network/ writes the same: the NAT route
    // is followed and the IGW maps its Elastic IP (C4.2), but the replies,
    // translated back to that address, find no subnet (UNKNOWN_DESTINATION).
    // Real EC2 never does this; fixtures/ has NAT egress on real shapes.
    // (An address off the S3 prefix list: those go through the endpoint.)
    (
        "app",
        "internet",
        443,
        &["--destination-ip", "8.8.8.8"],
        false,
    ),
    ("web", "db", 5432, &[], false),
    ("app", "db", 5432, &[], true),
    ("app", "peer", 443, &[], true),
    ("peer", "app", 8080, &[], false),
    ("peer", "web", 443, &[], true),
    ("db", "internet", 443, &[], false),
    ("web", "peer", 22, &[], false),
    // Through the transit gateway (propagated routes, C7) both ways.
    ("app", "far", 443, &[], true),
    ("far", "app", 8080, &[], false),
    ("web", "far", 443, &[], false),
    // To on-premises through the virtual private gateway.
    // C3.10a: a static VPN connection without static routes carries nothing
    // (moto cannot create VPN connection routes).
    ("peer", "onprem", 443, &[], false),
    // To S3 through the gateway endpoint: TCP only (C8.1).
    ("app", "s3", 443, &[], true),
    ("app", "s3", 53, &["--protocol", "udp"], false),
];

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn pull_from_moto_gives_the_verdicts_of_the_hand_written_cli_json() {
    let moto = Moto::start(&[]);
    let ids = moto.script("moto_network.py", &[]);
    let id = |role: &str| -> String {
        if let Some(addr) = outside(role) {
            return addr.into();
        }
        ids[role].as_str().unwrap().to_string()
    };

    let home = AwsHome::new();
    let dir = tempfile::tempdir().unwrap();
    let snap = dir.path().join("snap");
    let out = pull_us_east_1(&moto, &snap);
    assert!(
        out.status.success(),
        "pull failed: {}\nmoto log:\n{}",
        text(&out.stderr),
        moto.log_text()
    );
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("pulled 1 region (us-east-1) of account 123456789012"),
        "{stderr}"
    );
    // What moto does not implement is recorded as missing, not fatal; with
    // no firewall, no policy or rule group is described.
    let mut gaps = accept_moto_gaps(&snap);
    gaps.sort();
    assert_eq!(
        gaps,
        [
            "DescribeVpcBlockPublicAccessExclusions",
            "DescribeVpcBlockPublicAccessOptions",
            "ListFirewallPolicies",
            "ListRuleGroups"
        ],
        "{stderr}"
    );
    assert!(out.stdout.is_empty(), "pull prints nothing on stdout");

    // Layout: a region folder, one file per call, the CLI's top-level keys.
    let region = snap.join("us-east-1");
    for (file, key) in [
        ("vpcs.json", "Vpcs"),
        ("subnets.json", "Subnets"),
        ("route-tables.json", "RouteTables"),
        ("network-acls.json", "NetworkAcls"),
        ("security-groups.json", "SecurityGroups"),
        ("internet-gateways.json", "InternetGateways"),
        (
            "egress-only-internet-gateways.json",
            "EgressOnlyInternetGateways",
        ),
        ("nat-gateways.json", "NatGateways"),
        ("network-interfaces.json", "NetworkInterfaces"),
        ("instances.json", "Reservations"),
        ("addresses.json", "Addresses"),
        ("vpc-peering-connections.json", "VpcPeeringConnections"),
        ("managed-prefix-lists.json", "PrefixLists"),
        ("managed-prefix-list-entries.json", "PrefixLists"),
        ("prefix-lists.json", "PrefixLists"),
        ("transit-gateways.json", "TransitGateways"),
        (
            "transit-gateway-attachments.json",
            "TransitGatewayAttachments",
        ),
        (
            "transit-gateway-vpc-attachments.json",
            "TransitGatewayVpcAttachments",
        ),
        (
            "transit-gateway-peering-attachments.json",
            "TransitGatewayPeeringAttachments",
        ),
        (
            "transit-gateway-route-tables.json",
            "TransitGatewayRouteTables",
        ),
        (
            "transit-gateway-route-table-routes.json",
            "TransitGatewayRouteTableRoutes",
        ),
        (
            "transit-gateway-propagations.json",
            "TransitGatewayPropagations",
        ),
        ("vpn-gateways.json", "VpnGateways"),
        ("vpn-connections.json", "VpnConnections"),
        ("vpc-endpoints.json", "VpcEndpoints"),
        ("security-group-rules.json", "SecurityGroupRules"),
        ("elbv2-load-balancers.json", "LoadBalancers"),
        (
            "elbv2-load-balancer-listeners.json",
            "LoadBalancerListeners",
        ),
        (
            "elbv2-load-balancer-attributes.json",
            "LoadBalancerAttributes",
        ),
        ("elbv2-target-groups.json", "TargetGroups"),
        ("elbv2-target-health.json", "LoadBalancerTargetHealth"),
        (
            "elbv2-target-group-attributes.json",
            "TargetGroupAttributes",
        ),
        ("elb-load-balancers.json", "LoadBalancerDescriptions"),
    ] {
        let doc = read_json(&region.join(file));
        let obj = doc.as_object().unwrap();
        assert_eq!(obj.len(), 1, "{file}: one top-level key");
        assert!(obj[key].is_array(), "{file}: top-level key {key}");
    }
    let vpcs = read_json(&region.join("vpcs.json"));
    let vpc_a = vpcs["Vpcs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["VpcId"] == id("vpc-a"))
        .unwrap();
    assert_eq!(vpc_a["CidrBlock"], "10.0.0.0/16");
    assert_eq!(vpc_a["State"], "available");
    assert_eq!(vpc_a["OwnerId"], "123456789012");
    assert_eq!(vpc_a["Tags"][0]["Value"], "vpc-a");
    let sgs = read_json(&region.join("security-groups.json"));
    let db_sg = sgs["SecurityGroups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["GroupId"] == id("sg-db"))
        .unwrap();
    let pairs: Vec<&str> = db_sg["IpPermissions"][0]["UserIdGroupPairs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["GroupId"].as_str().unwrap())
        .collect();
    assert!(pairs.contains(&id("sg-app").as_str()) && pairs.contains(&id("sg-web").as_str()));
    let enis = read_json(&region.join("network-interfaces.json"));
    for eni in enis["NetworkInterfaces"].as_array().unwrap() {
        assert!(
            eni.get("Tags").is_none(),
            "ENIs print TagSet, not Tags: {eni}"
        );
        assert!(eni["NetworkInterfaceId"]
            .as_str()
            .unwrap()
            .starts_with("eni-"));
    }
    let web_eni = enis["NetworkInterfaces"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["Attachment"]["InstanceId"] == id("web"))
        .unwrap();
    assert!(
        web_eni["Association"]["PublicIp"].is_string(),
        "web has a public IP: {web_eni}"
    );
    // AWS-managed lists (moto leaves out their Cidrs; real EC2 prints them).
    let aws_lists = read_json(&region.join("prefix-lists.json"));
    assert!(
        aws_lists["PrefixLists"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["PrefixListName"] == "com.amazonaws.us-east-1.s3"
                && p["PrefixListId"]
                    .as_str()
                    .is_some_and(|i| i.starts_with("pl-"))),
        "{aws_lists}"
    );

    // Metadata.
    let meta = read_json(&snap.join("vpcreach-snapshot.json"))["VpcreachSnapshot"].clone();
    assert_eq!(meta["Tool"], "vpcreach");
    assert_eq!(meta["Version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(meta["Account"], "123456789012");
    assert_eq!(meta["Regions"], serde_json::json!(["us-east-1"]));
    assert_eq!(meta["Complete"], true);
    assert_eq!(meta["Missing"], serde_json::json!([]));
    assert_eq!(meta["EndpointUrl"], moto.endpoint.as_str());
    let calls = meta["Calls"].as_array().unwrap();
    assert_eq!(
        calls.len(),
        37,
        "26 describe calls + prefix list entries, TGW routes and propagations, listeners, target health and both attribute calls + ListFirewalls, DescribeFirewall, DescribeFirewallPolicy, DescribeRuleGroup (none of each)"
    );
    for (op, resources) in [
        ("DescribeTransitGateways", 1),
        ("DescribeTransitGatewayVpcAttachments", 2),
        ("GetTransitGatewayRouteTablePropagations", 2),
        ("DescribeVpnGateways", 1),
        ("DescribeVpnConnections", 1),
        ("DescribeVpcEndpoints", 1),
    ] {
        let call = calls.iter().find(|c| c["Operation"] == op).unwrap();
        assert_eq!(call["Resources"], resources, "{op}: {call}");
        assert_eq!(call["Action"], format!("ec2:{op}"));
    }
    // The load balancer calls: elasticloadbalancing actions, one resource each
    // (two targets).
    for (file, resources, action) in [
        ("elbv2-load-balancers.json", 1, "DescribeLoadBalancers"),
        ("elbv2-load-balancer-listeners.json", 1, "DescribeListeners"),
        ("elbv2-target-groups.json", 1, "DescribeTargetGroups"),
        ("elbv2-target-health.json", 2, "DescribeTargetHealth"),
        ("elb-load-balancers.json", 1, "DescribeLoadBalancers"),
    ] {
        let call = calls
            .iter()
            .find(|c| c["File"] == format!("us-east-1/{file}"))
            .unwrap();
        assert_eq!(call["Resources"], resources, "{file}: {call}");
        assert_eq!(call["Action"], format!("elasticloadbalancing:{action}"));
    }
    // The tunnels' secrets are never written.
    let vpn = std::fs::read_to_string(region.join("vpn-connections.json")).unwrap();
    assert!(
        !vpn.contains("CustomerGatewayConfiguration") && !vpn.contains("PreSharedKey\""),
        "{vpn}"
    );
    // Every file is what the AWS CLI prints for its call: botocore's EC2
    // output shapes (names, nesting, types, enums, CLI v2 timestamps); and
    // so is the hand-written fixture.
    for snapshot in [snap.clone(), repo().join("fixtures/moto-network")] {
        let checked = moto.script_at("check_cli_shapes.py", &snapshot);
        assert!(
            checked.as_array().unwrap().len() >= 20,
            "{}: {checked}",
            snapshot.display()
        );
    }
    let instances = calls
        .iter()
        .find(|c| c["Operation"] == "DescribeInstances")
        .unwrap();
    assert_eq!(instances["Resources"], 5);
    assert_eq!(instances["Action"], "ec2:DescribeInstances");
    // Credentials are never written.
    for entry in walk(&snap) {
        let body = std::fs::read_to_string(&entry).unwrap();
        assert!(
            !body.contains("testing\""),
            "{} holds the secret",
            entry.display()
        );
    }
    // Nothing left beside the output.
    let siblings: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(siblings, vec![std::ffi::OsString::from("snap")]);

    // The loader reads it without a warning.
    let check = Command::new(BIN)
        .args([
            "check",
            "--snapshot",
            snap.to_str().unwrap(),
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let counts: Value = serde_json::from_slice(&check.stdout).unwrap();
    // Only moto's NAT address outside its subnet (seen through the NAT
    // gateway and its ENI) is inconsistent input.
    let warnings: Vec<&str> = counts["Warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap())
        .collect();
    assert_eq!(warnings.len(), 2, "{counts}");
    let nat_ip = id("nat-ip");
    for w in &warnings {
        assert!(
            w.contains(&nat_ip) && w.contains(&id("public")) && w.contains("outside its subnet"),
            "{w}"
        );
    }
    assert_eq!(counts["Instances"], 5);
    assert_eq!(counts["VpcPeeringConnections"], 1);

    // path and audit name the snapshot they answer from (text and JSON).
    let (_, _, report) = verdict(&snap, &id("web"), &id("app"), 8080, &[]);
    let meta_seen = &report["Snapshot"];
    assert_eq!(meta_seen["Account"], "123456789012", "{report}");
    assert_eq!(meta_seen["Version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(meta_seen["Regions"], serde_json::json!(["us-east-1"]));
    assert!(meta_seen["EndTime"].is_string());
    assert!(report.get("Status").is_none(), "complete: a verdict");
    let out = Command::new(BIN)
        .args([
            "path",
            "--snapshot",
            snap.to_str().unwrap(),
            "--source",
            &id("web"),
            "--destination",
            &id("app"),
            "--port",
            "8080",
        ])
        .output()
        .unwrap();
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains(&format!(
            "snapshot pulled by vpcreach {} at",
            env!("CARGO_PKG_VERSION")
        )) && stdout.contains("account 123456789012, region us-east-1"),
        "{stdout}"
    );
    for format in ["text", "json"] {
        let out = Command::new(BIN)
            .args([
                "audit",
                "--snapshot",
                snap.to_str().unwrap(),
                "--scope",
                "all-igw-ingress",
                "--format",
                format,
            ])
            .output()
            .unwrap();
        let stdout = text(&out.stdout);
        assert!(
            stdout.contains("snapshot pulled by vpcreach") && stdout.contains("123456789012"),
            "audit {format}: {stdout}"
        );
    }

    // The same snapshot as `pull --allow-partial` writes it when
    // DescribeNetworkAcls is denied (the denial itself is tested below):
    // web -> app is reachable on the complete snapshot, unknown on this one.
    let partial = dir.path().join("partial");
    std::fs::create_dir_all(partial.join("us-east-1")).unwrap();
    for f in walk(&region) {
        if !f.ends_with("network-acls.json") {
            std::fs::copy(&f, partial.join("us-east-1").join(f.file_name().unwrap())).unwrap();
        }
    }
    let mut doc = read_json(&snap.join("vpcreach-snapshot.json"));
    doc["VpcreachSnapshot"]["Complete"] = false.into();
    doc["VpcreachSnapshot"]["Missing"] = serde_json::json!([{
        "Region": "us-east-1", "Operation": "DescribeNetworkAcls",
        "Action": "ec2:DescribeNetworkAcls", "Key": "NetworkAcls",
        "ErrorCode": "UnauthorizedOperation", "Message": "denied",
    }]);
    std::fs::write(
        partial.join("vpcreach-snapshot.json"),
        serde_json::to_string(&doc).unwrap(),
    )
    .unwrap();
    let run = |args: &[&str]| -> (Option<i32>, String) {
        let out = Command::new(BIN).args(args).output().unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    let (web, app) = (id("web"), id("app"));
    let path_args = [
        "path",
        "--snapshot",
        partial.to_str().unwrap(),
        "--source",
        &web,
        "--destination",
        &app,
        "--port",
        "8080",
    ];
    let (code, out) = run(&path_args);
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.starts_with("UNKNOWN — the snapshot is incomplete (NetworkAcls in us-east-1"),
        "{out}"
    );
    let (code, out) = run(&[&path_args[..], &["--format", "json"]].concat());
    assert_eq!(code, Some(1), "{out}");
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["Status"], "unknown", "{report}");
    assert_eq!(report["NetworkPathFound"], false);
    assert_eq!(report["Snapshot"]["Complete"], false);
    assert!(report["Explanations"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["ExplanationCode"] == "UNKNOWN_RESOURCE"
            && e["Message"]
                .as_str()
                .unwrap_or_default()
                .contains("ec2:DescribeNetworkAcls")));
    std::fs::remove_dir_all(&partial).unwrap();

    // Load balancers denied (an EC2-only policy with --allow-partial): a
    // question between two instances does not depend on them, so it still
    // gets its verdict; only load balancer questions would be unknown.
    std::fs::create_dir_all(partial.join("us-east-1")).unwrap();
    for f in walk(&region) {
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        if !name.starts_with("elb") {
            std::fs::copy(&f, partial.join("us-east-1").join(&name)).unwrap();
        }
    }
    doc["VpcreachSnapshot"]["Missing"] = serde_json::json!([{
        "Region": "us-east-1", "Operation": "DescribeLoadBalancers",
        "Action": "elasticloadbalancing:DescribeLoadBalancers", "Key": "LoadBalancers",
        "ErrorCode": "AccessDenied", "Message": "denied",
    }]);
    std::fs::write(
        partial.join("vpcreach-snapshot.json"),
        serde_json::to_string(&doc).unwrap(),
    )
    .unwrap();
    let (code, out) = run(&path_args);
    assert_eq!(code, Some(0), "{out}");
    assert!(!out.contains("UNKNOWN"), "{out}");
    std::fs::remove_dir_all(&partial).unwrap();

    // Verdicts: the pulled snapshot and the hand-written CLI JSON agree.
    let fixture = repo().join("fixtures/moto-network");
    let fixed = fixture_ids();
    for &(src, dst, port, extra, expected) in QUERIES {
        let (pulled, pulled_codes, _) = verdict(&snap, &id(src), &id(dst), port, extra);
        let (hand, hand_codes, _) = verdict(&fixture, &fixed[src], &fixed[dst], port, extra);
        assert_eq!(
            pulled, expected,
            "pulled: {src} -> {dst} tcp/{port} {extra:?}: {pulled_codes:?}"
        );
        assert_eq!(
            hand, expected,
            "hand-written: {src} -> {dst} tcp/{port} {extra:?}: {hand_codes:?}"
        );
        if (src, dst) == ("peer", "onprem") {
            // moto's DescribeVpnConnections prints no `Options.StaticRoutesOnly`
            // (real EC2 does, and the hand-written fixture has it), so the pulled
            // connection reads as possibly BGP: beyond the VGW is unknown (C3.10b),
            // where the static connection without routes has none (C3.10a).
            assert_eq!(pulled_codes, ["UNKNOWN_DESTINATION"], "{src} -> {dst}");
            assert_eq!(hand_codes, ["NO_ROUTE_TO_DESTINATION"], "{src} -> {dst}");
            continue;
        }
        assert_eq!(
            pulled_codes, hand_codes,
            "{src} -> {dst} tcp/{port} {extra:?}: the same blockers"
        );
    }

    // The NAT gateway: both snapshots follow its route and pass the IGW on
    // its Elastic IP; only the replies to its out-of-subnet address fail.
    for (snapshot, app, nat) in [
        (snap.as_path(), id("app"), id("nat")),
        (
            fixture.as_path(),
            fixed["app"].clone(),
            fixed["nat"].clone(),
        ),
    ] {
        let (_, codes, report) = verdict(
            snapshot,
            &app,
            "internet",
            443,
            &["--destination-ip", "8.8.8.8"],
        );
        assert_eq!(codes, ["UNKNOWN_DESTINATION"], "{}", snapshot.display());
        let hops: Vec<&str> = report["ForwardPathComponents"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|c| c["Component"]["Id"].as_str())
            .collect();
        assert!(
            hops.contains(&nat.as_str()),
            "via the NAT gateway: {hops:?}"
        );
        assert!(
            hops.last().is_some_and(|h| h.starts_with("igw-")),
            "out through the IGW: {hops:?}"
        );
    }

    // Round trip for transit gateways, VPN gateways and connections and VPC
    // endpoints: pull -> load gives the same model as loading the
    // hand-written CLI JSON, ids mapped to roles.
    let fixture_roles = [
        ("tgw", "tgw-0c0ffee0000000001"),
        ("att-a", "tgw-attach-0a0c0ffee000000a1"),
        ("att-c", "tgw-attach-0c0c0ffee000000c1"),
        ("tgw-rtb", "tgw-rtb-0c0ffee00000000d1"),
        ("vgw", "vgw-0b0c0ffee00000001"),
        ("vpn", "vpn-0b0c0ffee00000001"),
        ("vpce-s3", "vpce-0a0c0ffee00000001"),
        ("vpc-a", "vpc-0a11c0ffee0000001"),
        ("vpc-b", "vpc-0b22c0ffee0000002"),
        ("vpc-c", "vpc-0c33c0ffee0000003"),
        ("private", "subnet-0a2000000000000a2"),
        ("far-subnet", "subnet-0c1000000000000c1"),
        ("private-rt", "rtb-0a2000000000000b2"),
    ];
    let pulled_roles: Vec<(&str, String)> =
        fixture_roles.iter().map(|(r, _)| (*r, id(r))).collect();
    let fixture_roles: Vec<(&str, String)> = fixture_roles
        .iter()
        .map(|(r, i)| (*r, i.to_string()))
        .collect();
    assert_eq!(
        transit_model(&snap, &pulled_roles),
        transit_model(&fixture, &fixture_roles)
    );

    // Through the load balancer (C9). moto creates no node interfaces for
    // it, so moto_network.py makes them (description, addresses, group as
    // AWS does), but moto can only attach an interface to an instance: as
    // pulled they are detached, and every leg to a node stops there.
    let (found, codes, _) = lb_verdict(&snap, &id("web"), &id("alb"), 80);
    assert!(!found);
    assert_eq!(codes, ["BAD_STATE_ATTACHMENT"], "moto's detached node ENIs");
    // With them attached as AWS attaches them (the only edit; every ELB
    // file is as pulled), the pulled snapshot answers as the fixture does.
    let scratch = tempfile::tempdir().unwrap();
    let attached = scratch.path().join("attached");
    copy_dir(&snap, &attached);
    attach_lb_nodes(&attached.join("us-east-1/network-interfaces.json"));
    for (src, dst, port, expected, want_codes, want_reached) in lb_queries() {
        let pulled = lb_verdict(&attached, &id(src), &id(dst), port);
        let hand = lb_verdict(&fixture, &fixed[src], &fixed[dst], port);
        let want: Vec<String> = want_codes.iter().map(|c| c.to_string()).collect();
        let reached: Vec<(String, bool)> = want_reached
            .iter()
            .map(|(t, r)| (t.to_string(), *r))
            .collect();
        for (which, got) in [("pulled", &pulled), ("hand-written", &hand)] {
            assert_eq!(
                (got.0, &got.1, &got.2),
                (expected, &want, &reached),
                "{which}: {src} -> {dst} tcp/{port}"
            );
        }
    }

    // A second pull over the first replaces it.
    let before = std::fs::metadata(snap.join("vpcreach-snapshot.json"))
        .unwrap()
        .modified()
        .unwrap();
    let out = home.run(
        &[
            "pull",
            "-o",
            snap.to_str().unwrap(),
            "--endpoint-url",
            &moto.endpoint,
            "--region",
            "us-east-1",
            "--quiet",
        ],
        &DUMMY_KEYS,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(out.stderr.is_empty(), "--quiet: {}", text(&out.stderr));
    let after = std::fs::metadata(snap.join("vpcreach-snapshot.json"))
        .unwrap()
        .modified()
        .unwrap();
    assert!(after >= before);
    let siblings: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(siblings, vec![std::ffi::OsString::from("snap")]);
    // --all-regions: every region DescribeRegions lists, a folder each.
    let all = dir.path().join("all");
    let out = home.run(
        &[
            "pull",
            "-o",
            all.to_str().unwrap(),
            "--endpoint-url",
            &moto.endpoint,
            "--all-regions",
            "--max-concurrency",
            "16",
            "--quiet",
        ],
        &DUMMY_KEYS,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let meta = read_json(&all.join("vpcreach-snapshot.json"))["VpcreachSnapshot"].clone();
    let regions: Vec<&str> = meta["Regions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    assert!(
        regions.len() > 10 && regions.contains(&"us-east-1") && regions.contains(&"eu-west-1"),
        "{regions:?}"
    );
    for r in &regions {
        assert!(all.join(r).join("vpcs.json").is_file(), "{r}");
    }
}

/// The loaded model's transit gateways, attachments, TGW route tables (with
/// their routes, propagated ones included), VPN gateways and connections and
/// VPC endpoints, one Debug line each, ids replaced by role names, sorted.
fn transit_model(snapshot: &Path, roles: &[(&str, String)]) -> Vec<String> {
    let net = vpcreach::snapshot::load(snapshot).unwrap().network;
    let mut roles: Vec<&(&str, String)> = roles.iter().collect();
    roles.sort_by_key(|(_, id)| std::cmp::Reverse(id.len()));
    let anonymous = |debug: String| {
        roles.iter().fold(debug, |d, (role, id)| {
            d.replace(id.as_str(), &format!("<{role}>"))
        })
    };
    let mut lines: Vec<String> = Vec::new();
    // moto prints no `Options.SecurityGroupReferencingSupport` on a transit
    // gateway (real EC2 does, and the hand-written fixture has "disable"):
    // compare the rest (the pull writes the option when the SDK has it,
    // src/snapshot/pull/convert/tgw.rs).
    lines.extend(net.transit_gateways.values().map(|x| {
        let mut x = x.clone();
        x.sg_referencing = None;
        format!("{x:?}")
    }));
    lines.extend(net.tgw_attachments.values().map(|x| format!("{x:?}")));
    lines.extend(net.tgw_route_tables.values().map(|x| {
        let mut x = x.clone();
        if let Some(r) = x.routes.as_mut() {
            r.sort_by_key(|r| format!("{:?}", r.destination));
        }
        format!("{x:?}")
    }));
    lines.extend(net.vpn_gateways.values().map(|x| format!("{x:?}")));
    // moto prints neither `Options.StaticRoutesOnly` nor `VgwTelemetry`
    // (real EC2 prints both, and the hand-written fixture has them): compare
    // the rest of each connection.
    lines.extend(net.vpn_connections.values().map(|x| {
        let mut x = x.clone();
        x.static_routes_only = None;
        x.tunnels.clear();
        format!("{x:?}")
    }));
    lines.extend(net.vpc_endpoints.values().map(|x| format!("{x:?}")));
    let mut lines: Vec<String> = lines.into_iter().map(anonymous).collect();
    lines.sort();
    assert!(lines.len() >= 7, "{lines:#?}");
    lines
}

/// `path --destination <load balancer>` by role: (source, destination, port,
/// reachable, every explanation code of every leg, (target, reached) per
/// node leg). web-alb: HTTP:80 -> app-tg (app, web on 8080), two nodes;
/// batch-clb (classic): HTTP:80 -> app:8080, one node.
type LbQuery = (
    &'static str,
    &'static str,
    u16,
    bool,
    Vec<&'static str>,
    Vec<(&'static str, bool)>,
);
fn lb_queries() -> Vec<LbQuery> {
    // Each node reaches app (sg-app allows sg-alb); web's sg-web has no 8080.
    let both = vec![("app", true), ("web", false), ("app", true), ("web", false)];
    vec![
        (
            "internet",
            "alb",
            80,
            true,
            vec!["ENI_SG_RULES_MISMATCH"],
            both.clone(),
        ),
        (
            "web",
            "alb",
            80,
            true,
            vec!["ENI_SG_RULES_MISMATCH"],
            both.clone(),
        ),
        // Over the peering connection.
        ("peer", "alb", 80, true, vec!["ENI_SG_RULES_MISMATCH"], both),
        // No listener on 443 (C9.1).
        (
            "web",
            "alb",
            443,
            false,
            vec!["ELBV2_LISTENERS_MISMATCH"],
            vec![],
        ),
        // The data NACL lets out only tcp/1024-65535: not tcp/80.
        (
            "db",
            "alb",
            80,
            false,
            vec!["SUBNET_ACL_RESTRICTION"],
            vec![],
        ),
        // The classic load balancer: its node in public, app on 8080.
        ("internet", "clb", 80, true, vec![], vec![("app", true)]),
        (
            "web",
            "clb",
            22,
            false,
            vec!["ELB_LISTENERS_MISMATCH"],
            vec![],
        ),
        // One node, by its interface.
        (
            "internet",
            "alb-node-b",
            80,
            true,
            vec!["ENI_SG_RULES_MISMATCH"],
            vec![("app", true), ("web", false)],
        ),
    ]
}

/// `vpcreach path --format json` to a load balancer: (reachable, sorted
/// codes of every leg, (target name, reached) per node and target).
fn lb_verdict(
    snapshot: &Path,
    src: &str,
    dst: &str,
    port: u16,
) -> (bool, Vec<String>, Vec<(String, bool)>) {
    let (found, _, report) = verdict(snapshot, src, dst, port, &[]);
    assert!(report["LoadBalancer"].is_object(), "{report}");
    fn codes(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                if let Some(c) = m.get("ExplanationCode").and_then(Value::as_str) {
                    out.push(c.to_string());
                }
                m.values().for_each(|x| codes(x, out));
            }
            Value::Array(a) => a.iter().for_each(|x| codes(x, out)),
            _ => {}
        }
    }
    let mut all = Vec::new();
    codes(&report, &mut all);
    all.sort();
    all.dedup();
    let reached = report["ToTargets"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|t| {
            (
                t["LoadBalancerTarget"]["Name"]
                    .as_str()
                    .unwrap_or("?")
                    .to_string(),
                t["Reachable"] == true,
            )
        })
        .collect();
    (found, all, reached)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        let dest = to.join(p.file_name().unwrap());
        if p.is_dir() {
            copy_dir(&p, &dest);
        } else {
            std::fs::copy(&p, &dest).unwrap();
        }
    }
}

/// The load balancer's node interfaces (described `ELB ...`) attached as
/// AWS attaches them: what moto cannot do.
fn attach_lb_nodes(file: &Path) {
    let mut doc = read_json(file);
    let mut n = 0;
    for eni in doc["NetworkInterfaces"].as_array_mut().unwrap() {
        if !eni["Description"]
            .as_str()
            .unwrap_or("")
            .starts_with("ELB ")
        {
            continue;
        }
        assert_eq!(
            eni["Status"], "available",
            "moto attaches them now: drop this"
        );
        eni["Status"] = "in-use".into();
        eni["Attachment"] = serde_json::json!({
            "AttachmentId": format!("ela-attach-{n}"),
            "DeleteOnTermination": false,
            "DeviceIndex": 1,
            "InstanceOwnerId": "amazon-elb",
            "Status": "attached",
        });
        n += 1;
    }
    assert_eq!(n, 3, "two ALB node interfaces and the classic one's");
    std::fs::write(file, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
}

#[test]
fn denied_call_names_the_iam_action_and_allow_partial_records_it() {
    // The first three requests (the IAM setup) run unauthenticated; after
    // that moto checks every request against the caller's IAM policy.
    let moto = Moto::start(&[("INITIAL_NO_AUTH_ACTION_COUNT", "3")]);
    let key = moto.script("moto_deny.py", &["ec2:DescribeNetworkAcls"]);
    let keys = [
        ("AWS_ACCESS_KEY_ID", key["AccessKeyId"].as_str().unwrap()),
        (
            "AWS_SECRET_ACCESS_KEY",
            key["SecretAccessKey"].as_str().unwrap(),
        ),
    ];
    let home = AwsHome::new();
    let dir = tempfile::tempdir().unwrap();
    let snap = old_snapshot(dir.path());
    let args = [
        "pull",
        "--output",
        snap.to_str().unwrap(),
        "--endpoint-url",
        &moto.endpoint,
        "--region",
        "us-east-1",
    ];

    let out = home.run(&args, &keys);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("missing IAM permission"), "{stderr}");
    assert!(stderr.contains("ec2:DescribeNetworkAcls"), "{stderr}");
    assert!(stderr.contains("--allow-partial"), "{stderr}");
    assert_old_snapshot_intact(dir.path());
    let siblings: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(siblings.len(), 1, "no temporary folder left: {siblings:?}");

    let mut partial = args.to_vec();
    partial.push("--allow-partial");
    let out = home.run(&partial, &keys);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("incomplete"), "{stderr}");
    assert!(!snap.join("us-east-1/network-acls.json").exists());
    assert!(snap.join("us-east-1/vpcs.json").exists());
    let meta = read_json(&snap.join("vpcreach-snapshot.json"))["VpcreachSnapshot"].clone();
    assert_eq!(meta["Complete"], false);
    let missing: Vec<&Value> = meta["Missing"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| !is_moto_gap(m))
        .collect();
    assert_eq!(missing.len(), 1, "{missing:?}");
    assert_eq!(missing[0]["Action"], "ec2:DescribeNetworkAcls");
    assert_eq!(missing[0]["Key"], "NetworkAcls");
    assert_eq!(missing[0]["Region"], "us-east-1");

    // Analyses say what is missing.
    let check = Command::new(BIN)
        .args(["check", "--snapshot", snap.to_str().unwrap()])
        .output()
        .unwrap();
    let stdout = text(&check.stdout);
    assert!(
        stdout.contains("incomplete snapshot") && stdout.contains("ec2:DescribeNetworkAcls"),
        "{stdout}"
    );
    // audit: "clean" is never claimed over NACLs that were not read.
    let run = |args: &[&str]| -> (Option<i32>, String) {
        let out = Command::new(BIN).args(args).output().unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    let s = snap.to_str().unwrap();
    let audit = ["audit", "--snapshot", s, "--scope", "all-igw-ingress"];
    let (code, out) = run(&audit);
    assert_eq!(code, Some(1), "never clean over unread NACLs: {out}");
    assert!(
        out.starts_with("UNKNOWN — the snapshot is incomplete"),
        "{out}"
    );
    let (_, out) = run(&[&audit[..], &["--format", "json"]].concat());
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["Status"], "unknown", "{report}");
    assert_eq!(report["Snapshot"]["Account"], "123456789012");
}

#[test]
fn no_credentials_exit_2_with_a_clear_message() {
    let home = AwsHome::new();
    let dir = tempfile::tempdir().unwrap();
    let snap = old_snapshot(dir.path());
    // No server needed: credentials are resolved before any request.
    let out = home.run(
        &[
            "pull",
            "--output",
            snap.to_str().unwrap(),
            "--region",
            "us-east-1",
            "--endpoint-url",
            "http://127.0.0.1:9",
        ],
        &[],
    );
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("no AWS credentials found"), "{stderr}");
    assert!(
        stderr.contains("AWS_ACCESS_KEY_ID") && stderr.contains("--profile"),
        "{stderr}"
    );
    assert_old_snapshot_intact(dir.path());
}

#[test]
fn a_profile_that_does_not_exist_is_named() {
    let home = AwsHome::new();
    let dir = tempfile::tempdir().unwrap();
    let out = home.run(
        &[
            "pull",
            "--output",
            dir.path().join("s").to_str().unwrap(),
            "--region",
            "us-east-1",
            "--profile",
            "nope",
        ],
        &[],
    );
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("nope"), "{stderr}");
}

#[test]
fn no_region_is_an_actionable_error() {
    let home = AwsHome::new();
    let dir = tempfile::tempdir().unwrap();
    let out = home.run(
        &["pull", "--output", dir.path().join("s").to_str().unwrap()],
        &DUMMY_KEYS,
    );
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("no region") && stderr.contains("--region"),
        "{stderr}"
    );
}

#[test]
fn unreachable_endpoint_fails_and_leaves_the_old_snapshot() {
    let home = AwsHome::new();
    let dir = tempfile::tempdir().unwrap();
    let snap = old_snapshot(dir.path());
    // A port nobody listens on: connection refused.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let out = home.run(
        &[
            "pull",
            "--output",
            snap.to_str().unwrap(),
            "--region",
            "us-east-1",
            "--endpoint-url",
            &format!("http://127.0.0.1:{port}"),
        ],
        &[DUMMY_KEYS[0], DUMMY_KEYS[1], ("AWS_MAX_ATTEMPTS", "1")],
    );
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("cannot reach the AWS API for us-east-1"),
        "{stderr}"
    );
    assert_old_snapshot_intact(dir.path());
    let siblings: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(siblings.len(), 1, "no temporary folder left: {siblings:?}");
}

#[test]
fn killed_pull_leaves_the_old_snapshot_intact() {
    let (dir, mut child, held) = pull_waiting_on_a_silent_endpoint();
    child.kill().unwrap();
    child.wait().unwrap();
    assert_old_snapshot_intact(dir.path());
    drop(held);
}

/// A pull over an earlier snapshot, mid-flight: its endpoint accepts
/// connections and never answers. (The folder, the pull, the endpoint.)
fn pull_waiting_on_a_silent_endpoint() -> (tempfile::TempDir, Child, std::thread::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let held = std::thread::spawn(move || {
        let conns: Vec<_> = listener.incoming().take(4).collect();
        std::thread::sleep(Duration::from_secs(20));
        drop(conns);
    });
    let home = AwsHome::new();
    let dir = tempfile::tempdir().unwrap();
    let snap = old_snapshot(dir.path());
    let mut child = home
        .command(
            &[
                "pull",
                "--output",
                snap.to_str().unwrap(),
                "--region",
                "us-east-1",
                "--endpoint-url",
                &format!("http://127.0.0.1:{port}"),
            ],
            &DUMMY_KEYS,
        )
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    assert!(
        child.try_wait().unwrap().is_none(),
        "the pull is still waiting for the endpoint"
    );
    (dir, child, held)
}

#[test]
fn output_that_is_not_a_snapshot_is_never_replaced() {
    let home = AwsHome::new();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("thesis.tex"), "precious").unwrap();
    let out = home.run(
        &[
            "pull",
            "--output",
            dir.path().to_str().unwrap(),
            "--region",
            "us-east-1",
        ],
        &DUMMY_KEYS,
    );
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("refusing to replace"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("thesis.tex")).unwrap(),
        "precious"
    );
}

#[test]
fn expired_credentials_exit_2_and_say_how_to_refresh() {
    let home = AwsHome::new();
    // A credential_process that hands out credentials which expired long ago.
    std::fs::write(
        home.0.path().join("config"),
        "[profile stale]\nregion = us-east-1\ncredential_process = printf '{\"Version\":1,\"AccessKeyId\":\"AKIDEXAMPLE\",\"SecretAccessKey\":\"secret\",\"SessionToken\":\"token\",\"Expiration\":\"2001-01-01T00:00:00Z\"}'\n",
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let snap = old_snapshot(dir.path());
    let out = home.run(
        &[
            "pull",
            "--output",
            snap.to_str().unwrap(),
            "--profile",
            "stale",
            "--endpoint-url",
            "http://127.0.0.1:9",
        ],
        &[],
    );
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("expired"), "{stderr}");
    assert!(stderr.contains("aws sso login"), "{stderr}");
    assert!(
        !stderr.contains("secret") && !stderr.contains("token\""),
        "no credential in messages: {stderr}"
    );
    assert_old_snapshot_intact(dir.path());
}

/// Send `signal` (e.g. "-INT") to a child process.
fn send_signal(child: &Child, signal: &str) {
    let status = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success(), "kill {signal} failed");
}

#[test]
fn ctrl_c_mid_pull_against_moto_leaves_the_old_snapshot_and_no_temporary_folder() {
    let moto = Moto::start(&[]);
    moto.script("moto_network.py", &[]);
    let home = AwsHome::new();
    for (signal, name) in [("-INT", "SIGINT"), ("-TERM", "SIGTERM")] {
        let dir = tempfile::tempdir().unwrap();
        let snap = old_snapshot(dir.path());
        // Every region, one request at a time: a few seconds of requests.
        let mut child = home
            .command(
                &[
                    "pull",
                    "--output",
                    snap.to_str().unwrap(),
                    "--endpoint-url",
                    &moto.endpoint,
                    "--all-regions",
                    "--max-concurrency",
                    "1",
                    "--quiet",
                ],
                &DUMMY_KEYS,
            )
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(1500));
        assert!(
            child.try_wait().unwrap().is_none(),
            "{name}: the pull is still running when the signal comes"
        );
        send_signal(&child, signal);
        let started = Instant::now();
        let out = child.wait_with_output().unwrap();
        let stderr = text(&out.stderr);
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{name}: stops promptly"
        );
        assert_eq!(out.status.code(), Some(2), "{name}: {stderr}");
        assert!(
            stderr.contains(&format!("interrupted ({name})")),
            "{name}: {stderr}"
        );
        assert_old_snapshot_intact(dir.path());
        assert_no_temporary_folder(dir.path());
    }
}

#[test]
fn ctrl_c_while_waiting_for_the_endpoint_exits_2_and_keeps_the_old_snapshot() {
    let (dir, child, held) = pull_waiting_on_a_silent_endpoint();
    send_signal(&child, "-INT");
    let out = child.wait_with_output().unwrap();
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("interrupted (SIGINT)"), "{stderr}");
    assert_old_snapshot_intact(dir.path());
    assert_no_temporary_folder(dir.path());
    drop(held);
}

/// Network Firewall from moto: ListFirewalls and DescribeFirewall are
/// pulled into the files the loader reads; moto implements neither
/// firewall policies nor rule groups, so DescribeFirewallPolicy of the
/// policy the firewall names is recorded as missing (as are the BPA calls),
/// and paths are then unknown, never a guess.
#[test]
fn pull_fetches_network_firewalls_and_records_what_moto_lacks() {
    let moto = Moto::start(&[]);
    let ids = moto.script("moto_firewall.py", &[]);
    let (fw, subnet, policy) = (
        ids["firewall"].as_str().unwrap(),
        ids["subnet"].as_str().unwrap(),
        ids["policy"].as_str().unwrap(),
    );
    let dir = tempfile::tempdir().unwrap();
    let snap = dir.path().join("snap");
    let out = pull_us_east_1(&moto, &snap);
    assert!(out.status.success(), "pull failed: {}", text(&out.stderr));
    let listed = read_json(&snap.join("us-east-1/network-firewall-list-firewalls.json"));
    assert_eq!(listed["Firewalls"][0]["FirewallArn"], fw, "{listed}");
    let described = read_json(&snap.join("us-east-1/network-firewall-firewalls.json"));
    let one = &described["Firewalls"][0];
    assert_eq!(one["Firewall"]["FirewallArn"], fw, "{described}");
    assert_eq!(one["Firewall"]["FirewallPolicyArn"], policy);
    assert_eq!(one["Firewall"]["SubnetMappings"][0]["SubnetId"], subnet);
    assert_eq!(one["FirewallStatus"]["Status"], "READY");
    let checked = moto.script_at("check_cli_shapes.py", &snap);
    assert!(
        checked
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f == "us-east-1/network-firewall-firewalls.json"),
        "{checked}"
    );

    let meta = read_json(&snap.join("vpcreach-snapshot.json"))["VpcreachSnapshot"].clone();
    assert_eq!(meta["Complete"], false);
    let mut missing: Vec<(String, String)> = meta["Missing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            assert!(is_moto_gap(m), "{m}");
            (
                m["Operation"].as_str().unwrap().to_string(),
                m["Action"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    missing.sort();
    assert_eq!(
        missing,
        [
            (
                "DescribeFirewallPolicy",
                "network-firewall:DescribeFirewallPolicy"
            ),
            (
                "DescribeVpcBlockPublicAccessExclusions",
                "ec2:DescribeVpcBlockPublicAccessExclusions"
            ),
            (
                "DescribeVpcBlockPublicAccessOptions",
                "ec2:DescribeVpcBlockPublicAccessOptions"
            ),
            (
                "ListFirewallPolicies",
                "network-firewall:ListFirewallPolicies"
            ),
            ("ListRuleGroups", "network-firewall:ListRuleGroups"),
        ]
        .map(|(a, b)| (a.to_string(), b.to_string()))
    );
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("network-firewall:DescribeFirewallPolicy"),
        "{stderr}"
    );

    let loaded = vpcreach::snapshot::load(&snap).expect("pulled snapshot loads");
    let model = &loaded.network.firewalls[fw];
    assert_eq!(model.policy_arn, policy, "{model:?}");
    assert!(
        loaded
            .missing()
            .iter()
            .any(|m| m.action == "network-firewall:DescribeFirewallPolicy"),
        "the metadata names the policy call"
    );
    // Only a path through the firewall needs its policy (it is unknown at
    // the firewall, NF.10); other answers keep their verdict.
    assert!(
        !loaded
            .missing_for_paths(false)
            .iter()
            .any(|m| m.action == "network-firewall:DescribeFirewallPolicy"),
        "not every answer depends on the firewall's policy"
    );
}
