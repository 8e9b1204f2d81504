//! The `vpcreach` binary as users run it: exit codes, located errors for bad
//! snapshots, AWS-shaped JSON, and the text report (snapshot-tested).

use std::process::Command;

use serde_json::Value;

const THREE_TIER: &str = "fixtures/three-tier";
const APP: &str = "i-0016847fb97bb2cfa";
const DB: &str = "i-0ebd276bfd4c4ec83";
const WEB: &str = "i-07f28259358129954";

fn vpcreach(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_vpcreach"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn path_json(args: &[&str]) -> (i32, Value) {
    let mut all = vec!["path", "--format", "json"];
    all.extend_from_slice(args);
    let (code, stdout, stderr) = vpcreach(&all);
    let v = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("json output ({e}): {stdout}\n{stderr}"));
    (code, v)
}

#[test]
fn blocked_path_exits_1_and_names_the_acl_rule_in_aws_shape() {
    let (code, v) = path_json(&[
        "--snapshot",
        THREE_TIER,
        "--source",
        APP,
        "--destination",
        DB,
        "--port",
        "3306",
    ]);
    assert_eq!(code, 1);
    assert_eq!(v["NetworkPathFound"], false);
    let e = &v["Explanations"][0];
    assert_eq!(e["ExplanationCode"], "SUBNET_ACL_RESTRICTION");
    assert_eq!(e["Direction"], "ingress");
    assert_eq!(e["Acl"]["Id"], "acl-0aae7e3f6fe63d5ac");
    assert_eq!(e["AclRule"]["RuleNumber"], 90);
    assert_eq!(e["AclRule"]["RuleAction"], "deny");
    assert_eq!(e["AclRule"]["Egress"], false);
    assert_eq!(e["Subnet"]["Id"], "subnet-03858ae586d0cfeae");
    // The forward path stops at the ACL hop, which is marked blocked.
    let hops = v["ForwardPathComponents"].as_array().unwrap();
    assert!(hops
        .iter()
        .any(|h| h["Component"]["Id"] == "acl-0aae7e3f6fe63d5ac" && h["Blocked"] == true));
    assert_eq!(hops[0]["SequenceNumber"], 1);
}

#[test]
fn reachable_path_exits_0_with_both_directions() {
    let (code, v) = path_json(&[
        "--snapshot",
        THREE_TIER,
        "--source",
        WEB,
        "--destination",
        APP,
        "--port",
        "8080",
    ]);
    assert_eq!(code, 0);
    assert_eq!(v["NetworkPathFound"], true);
    assert_eq!(v["ReturnPathFound"], true);
    assert!(v["Explanations"].as_array().unwrap().is_empty());
    let fwd = v["ForwardPathComponents"].as_array().unwrap();
    let route = fwd
        .iter()
        .find(|h| h.get("RouteTableRoute").is_some())
        .expect("a route hop");
    assert_eq!(route["RouteTableRoute"]["GatewayId"], "local");
    let sg = fwd
        .iter()
        .find(|h| h["SecurityGroupRule"]["Direction"] == "ingress")
        .expect("an SG ingress hop");
    assert_eq!(
        sg["SecurityGroupRule"]["SecurityGroupId"],
        "sg-01e5133018c4f52da"
    );
    assert!(!v["ReturnPathComponents"].as_array().unwrap().is_empty());
    assert_eq!(v["AdmittedTraffic"][0]["Protocol"], "tcp");
    assert_eq!(
        v["AdmittedTraffic"][0]["DestinationPortRanges"][0]["From"],
        8080
    );
}

#[test]
fn omitted_port_reports_which_ports_get_through() {
    // web-sg admits tcp/80 and tcp/443 from anywhere: nothing else.
    let (code, v) = path_json(&[
        "--snapshot",
        THREE_TIER,
        "--source",
        "internet",
        "--destination",
        WEB,
        "--source-port",
        "1024-65535",
    ]);
    assert_eq!(code, 0);
    let ranges: Vec<(u64, u64)> = v["AdmittedTraffic"][0]["DestinationPortRanges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["From"].as_u64().unwrap(), r["To"].as_u64().unwrap()))
        .collect();
    assert_eq!(ranges, vec![(80, 80), (443, 443)]);
}

#[test]
fn every_blocker_is_reported_not_only_the_first() {
    // return-blocked: tcp/22 from the internet is denied by the NACL inbound
    // AND by the security group; both are named.
    let (code, v) = path_json(&[
        "--snapshot",
        "fixtures/return-blocked",
        "--source",
        "internet",
        "--destination",
        "i-05c5537e6e3b6125f",
        "--port",
        "22",
        "--source-port",
        "1024-65535",
    ]);
    assert_eq!(code, 1);
    let codes: Vec<&str> = v["Explanations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["ExplanationCode"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"SUBNET_ACL_RESTRICTION"), "{codes:?}");
    assert!(codes.contains(&"ENI_SG_RULES_MISMATCH"), "{codes:?}");
}

#[test]
fn text_report_for_the_classic_nacl_block() {
    let (code, stdout, _) = vpcreach(&[
        "path",
        "--snapshot",
        THREE_TIER,
        "--source",
        APP,
        "--destination",
        DB,
        "--port",
        "3306",
    ]);
    assert_eq!(code, 1);
    insta::assert_snapshot!(stdout);
}

#[test]
fn text_report_for_nat_egress() {
    let (code, stdout, _) = vpcreach(&[
        "path",
        "--snapshot",
        THREE_TIER,
        "--source",
        APP,
        "--destination",
        "93.184.215.14",
        "--port",
        "443",
        "--source-port",
        "32768-61000",
    ]);
    assert_eq!(code, 0);
    insta::assert_snapshot!(stdout);
}

fn assert_located_error(dir: &str, file: &str, line_col: &str, json_path: &str) {
    let (code, stdout, stderr) = vpcreach(&[
        "path",
        "--snapshot",
        dir,
        "--source",
        "internet",
        "--destination",
        "i-0000000000000000",
    ]);
    assert_eq!(code, 2, "stdout: {stdout}\nstderr: {stderr}");
    assert!(
        stderr.contains(&format!("{file}:{line_col}")),
        "expected {file}:{line_col} in: {stderr}"
    );
    assert!(
        stderr.contains(json_path),
        "expected JSON path {json_path} in: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn malformed_json_is_located_and_exits_2() {
    assert_located_error(
        "fixtures/broken/malformed-json",
        "malformed-json/subnets.json",
        "30:1",
        "EOF while parsing",
    );
}

#[test]
fn wrong_type_is_located_with_json_path_and_exits_2() {
    assert_located_error(
        "fixtures/broken/wrong-type",
        "wrong-type/route-tables.json",
        "55:45",
        "RouteTables[1].Routes[1].DestinationCidrBlock",
    );
}

#[test]
fn missing_field_is_located_with_json_path_and_exits_2() {
    assert_located_error(
        "fixtures/broken/missing-field",
        "missing-field/security-groups.json",
        "58:9",
        "SecurityGroups[0]",
    );
    let (_, _, stderr) = vpcreach(&["check", "--snapshot", "fixtures/broken/missing-field"]);
    assert!(
        stderr.contains("missing field") && stderr.contains("`GroupId`"),
        "{stderr}"
    );
}

#[test]
fn missing_snapshot_path_exits_2() {
    let (code, _, stderr) = vpcreach(&["check", "--snapshot", "fixtures/does-not-exist"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("does-not-exist"), "{stderr}");
}

#[test]
fn unknown_top_level_key_is_a_warning_not_an_error() {
    let (code, stdout, _) = vpcreach(&["check", "--snapshot", "fixtures/broken/unknown-key"]);
    assert_eq!(code, 1, "warnings make `check` exit 1");
    assert!(
        stdout.contains("FooBars") && stdout.contains("foo-bars.json"),
        "{stdout}"
    );
    // …and analyses still run.
    let (code, _, _) = vpcreach(&[
        "path",
        "--snapshot",
        "fixtures/broken/unknown-key",
        "--source",
        "i-0000000000000000",
        "--destination",
        "internet",
    ]);
    assert_eq!(code, 2, "an unknown instance id is an input error");
}

#[test]
fn dangling_reference_warns_with_location_and_path_ends_unknown_resource() {
    let (code, stdout, _) = vpcreach(&["check", "--snapshot", "fixtures/broken/dangling-igw"]);
    assert_eq!(code, 1);
    assert!(
        stdout.contains("route-tables.json")
            && stdout.contains("RouteTables[1].Routes[1]")
            && stdout.contains("igw-04a8e516636ffc72e"),
        "{stdout}"
    );
    let (code, v) = path_json(&[
        "--snapshot",
        "fixtures/broken/dangling-igw",
        "--source",
        "i-0e6b999cc294a028f",
        "--destination",
        "93.184.215.14",
        "--port",
        "443",
    ]);
    assert_eq!(code, 1);
    assert_eq!(v["Explanations"][0]["ExplanationCode"], "UNKNOWN_RESOURCE");
    assert_eq!(
        v["Explanations"][0]["Component"]["Id"],
        "igw-04a8e516636ffc72e"
    );
    assert!(v["Warnings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|w| w.as_str().unwrap().contains("igw-04a8e516636ffc72e")));
}

#[test]
fn unknown_resource_id_is_an_input_error_with_suggestions() {
    let (code, _, stderr) = vpcreach(&[
        "path",
        "--snapshot",
        THREE_TIER,
        "--source",
        "i-07f28259358129999",
        "--destination",
        DB,
    ]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("NO_SOURCE_OR_DESTINATION") && stderr.contains(WEB),
        "{stderr}"
    );
}

#[test]
fn bad_flags_exit_2() {
    let (code, _, _) = vpcreach(&[
        "path",
        "--snapshot",
        THREE_TIER,
        "--source",
        APP,
        "--destination",
        DB,
        "--port",
        "99999",
    ]);
    assert_eq!(code, 2);
    let (code, _, _) = vpcreach(&[
        "path",
        "--snapshot",
        THREE_TIER,
        "--source",
        APP,
        "--destination",
        DB,
        "--protocol",
        "banana",
    ]);
    assert_eq!(code, 2);
}

#[test]
fn fuzzed_snapshot_bytes_never_panic() {
    // Truncations of a real file at every 97th byte: each is either loaded
    // or rejected with exit 2, never a panic.
    let text = std::fs::read_to_string("fixtures/three-tier/us-east-1/network-acls.json").unwrap();
    let dir = tempfile::tempdir().unwrap();
    for cut in (1..text.len()).step_by(97) {
        let file = dir.path().join("acls.json");
        std::fs::write(&file, &text.as_bytes()[..cut]).unwrap();
        let (code, _, stderr) = vpcreach(&["check", "--snapshot", file.to_str().unwrap()]);
        assert!(
            code == 2 || code == 0 || code == 1,
            "cut {cut}: exit {code}"
        );
        assert!(!stderr.contains("panicked"), "cut {cut}: {stderr}");
    }
}

#[test]
fn load_balancer_destination_reports_both_legs_and_exits_by_targets() {
    // C9: internet → web-alb tcp/80 reaches app-1 and app-2 (exit 0).
    let (code, v) = path_json(&[
        "--snapshot",
        "fixtures/elb",
        "--source",
        "internet",
        "--destination",
        "web-alb",
        "--port",
        "80",
    ]);
    assert_eq!(code, 0);
    assert_eq!(v["NetworkPathFound"], true);
    assert_eq!(v["LoadBalancer"]["Type"], "application");
    assert_eq!(v["ToLoadBalancer"].as_array().unwrap().len(), 2);
    let legs = v["ToTargets"].as_array().unwrap();
    let legacy = legs
        .iter()
        .find(|l| l["LoadBalancerTarget"]["Id"] == "i-0c9f446a08c8eff85")
        .unwrap();
    assert_eq!(legacy["Reachable"], false);
    assert_eq!(legacy["LoadBalancerTarget"]["Port"], 8080);
    assert_eq!(
        legacy["Analysis"]["Explanations"][0]["ExplanationCode"],
        "ENI_SG_RULES_MISMATCH"
    );
    // From a client the target SG refuses: the LB is reached, no target (exit 1);
    // with --lb-only the verdict covers the listener only (exit 0).
    let args = [
        "--snapshot",
        "fixtures/elb",
        "--source",
        "i-07298806da1125ac2",
        "--destination",
        "internal-nlb",
        "--port",
        "9000",
    ];
    let (code, v) = path_json(&args);
    assert_eq!((code, &v["LoadBalancerReachable"]), (1, &Value::Bool(true)));
    let mut lb_only = args.to_vec();
    lb_only.push("--lb-only");
    let (code, stdout, _) = vpcreach(&[&["path"][..], &lb_only].concat());
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.contains("REACHABLE"), "{stdout}");
    // No listener for the port: exit 1 with the listener code.
    let (code, stdout, _) = vpcreach(&[
        "path",
        "--snapshot",
        "fixtures/elb",
        "--source",
        "internet",
        "--destination",
        "web-alb",
        "--port",
        "22",
    ]);
    assert_eq!(code, 1);
    assert!(stdout.contains("[ELBV2_LISTENERS_MISMATCH]"), "{stdout}");
}

/// Raw `aws elbv2 describe-target-health` output is what AWS prints: a
/// located warning, not a failed snapshot (issue 14).
#[test]
fn unwrapped_target_health_is_a_located_warning() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("target-health.json"),
        "{\n    \"TargetHealthDescriptions\": []\n}\n",
    )
    .unwrap();
    let (code, stdout, stderr) = vpcreach(&["check", "--snapshot", dir.path().to_str().unwrap()]);
    assert_eq!(code, 1, "check exits 1 on warnings: {stderr}");
    assert!(stdout.contains("target-health.json"), "{stdout}");
    assert!(stdout.contains("LoadBalancerTargetHealth"), "{stdout}");
}

#[test]
fn text_report_for_a_classic_load_balancer() {
    // C9.5: batch-1 shares the classic ELB's subnet and its outbound NACL stops it.
    let (code, stdout, _) = vpcreach(&[
        "path",
        "--snapshot",
        "fixtures/elb",
        "--source",
        "internet",
        "--destination",
        "batch-clb",
        "--port",
        "80",
        "--source-port",
        "1024-65535",
    ]);
    assert_eq!(code, 0);
    insta::assert_snapshot!(stdout);
}
