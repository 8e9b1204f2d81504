//! `vpcreach flows` on hand-written flow logs against the fixture snapshots
//! (fixtures/flowlogs/README.md lists every record and its expected verdict).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;
use vpcreach::flows::{self, Attributor, Options, Summary};
use vpcreach::progress::Silent;
use vpcreach::report::flows::{summary_json, text, JsonDocument, JsonSink};
use vpcreach::topology::Topology;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn logs(p: &str) -> PathBuf {
    root().join("fixtures/flowlogs").join(p)
}

struct Run {
    summary: Summary,
    records: Vec<Value>,
    json: Value,
    text: String,
}

fn run_with(snapshot: &Path, inputs: &[PathBuf], opts: Options) -> Run {
    let snap = vpcreach::snapshot::load(snapshot).expect("fixture loads");
    let topo = Topology::new(&snap.network);
    let attr = Attributor::new(&topo);
    let inputs = flows::collect_inputs(inputs).expect("inputs exist");
    let mut doc = JsonDocument::begin(Vec::new()).unwrap();
    let summary = flows::run(&attr, &inputs, &opts, Some(&JsonSink), &mut doc, &Silent).unwrap();
    let bytes = doc.finish(&attr, &summary).unwrap();
    // The summary is written member by member; the bytes must be those of
    // the whole value pretty-printed.
    let whole = serde_json::to_string_pretty(&summary_json(&attr, &summary)).unwrap() + "}\n";
    let marker = b"\n],\n\"Summary\": ";
    let at = bytes
        .windows(marker.len())
        .rposition(|w| w == marker)
        .expect("a summary");
    assert_eq!(
        String::from_utf8_lossy(&bytes[at + marker.len()..]),
        whole,
        "streamed summary"
    );
    let json: Value = serde_json::from_slice(&bytes).expect("valid JSON document");
    let records = json["Records"].as_array().unwrap().clone();
    let text = text(&attr, &summary);
    Run {
        summary,
        records,
        json,
        text,
    }
}

fn run(snapshot: &str, inputs: &[&str]) -> Run {
    run_with(
        &root().join(snapshot),
        &inputs.iter().map(|i| logs(i)).collect::<Vec<_>>(),
        Options::default(),
    )
}

fn at<'a>(r: &'a Run, file_suffix: &str, line: u64) -> &'a Value {
    r.records
        .iter()
        .find(|v| v["File"].as_str().unwrap().ends_with(file_suffix) && v["Line"] == line)
        .unwrap_or_else(|| panic!("no record {file_suffix}:{line}"))
}

fn first_explanation(v: &Value) -> &Value {
    &v["Explanations"][0]
}

#[test]
fn three_tier_sg_and_nacl_inbound_denials() {
    let r = run("fixtures/three-tier", &["three-tier/explained"]);
    let f = "a1b2.log";
    // SG ingress: web-sg has no tcp/22 rule.
    let v = at(&r, f, 1);
    assert_eq!(v["Status"], "explained");
    assert_eq!(v["Direction"], "ingress");
    assert_eq!(v["Role"], "request");
    let e = first_explanation(v);
    assert_eq!(e["ExplanationCode"], "ENI_SG_RULES_MISMATCH");
    assert_eq!(e["Direction"], "ingress");
    assert_eq!(e["SecurityGroups"][0]["Id"], "sg-0b02f59c9aa9b504b");
    assert_eq!(e["NetworkInterface"]["Id"], "eni-035b95295c011e256");
    // NACL inbound rule 90 on the db subnet; the request left app ACCEPTed.
    assert_eq!(at(&r, f, 3)["Status"], "consistent");
    let v = at(&r, f, 4);
    let e = first_explanation(v);
    assert_eq!(e["ExplanationCode"], "SUBNET_ACL_RESTRICTION");
    assert_eq!(e["Acl"]["Id"], "acl-0aae7e3f6fe63d5ac");
    assert_eq!(e["AclRule"]["RuleNumber"], 90);
    assert_eq!(e["Direction"], "ingress");
    assert_eq!(e["PathDirection"], "forward");
    assert_eq!(
        v["Explanations"].as_array().unwrap().len(),
        1,
        "db-sg allows app: only the NACL"
    );
    // web → db: the NACL's rule 100 allows, db-sg does not: SG, not NACL.
    let v = at(&r, f, 6);
    assert_eq!(v["Explanations"].as_array().unwrap().len(), 1);
    assert_eq!(
        first_explanation(v)["ExplanationCode"],
        "ENI_SG_RULES_MISMATCH"
    );
    // Replies are not checked by SGs: app → web reply on 8080 is consistent.
    assert_eq!(at(&r, f, 11)["Role"], "reply");
    assert_eq!(at(&r, f, 11)["Status"], "consistent");

    let s = &r.summary;
    assert_eq!((s.records, s.accept, s.reject, s.explained), (11, 6, 5, 5));
    assert_eq!(s.exit_code(), 0);
    assert!(r.text.contains("acl-0aae7e3f6fe63d5ac (three-tier-db-nacl) inbound rule 90 (deny tcp/3306 from 10.0.2.0/24): 2 records, 540 B, 1 ENI"), "{}", r.text);
    assert!(r.text.contains("eni-035b95295c011e256 (web-1-eth0) ingress tcp/22 — sg-0b02f59c9aa9b504b (web-sg): 2 records"), "{}", r.text);
    // Largest group first.
    let nacl = r.text.find("inbound rule 90").unwrap();
    let dbsg = r.text.find("sg-04ba902bbfc828f5d (db-sg) ingress").unwrap();
    assert!(nacl < dbsg);
    assert_eq!(r.json["Summary"]["RejectsByComponent"][0]["RuleNumber"], 90);
}

#[test]
fn nacl_outbound_denial_and_icmp() {
    let r = run("fixtures/icmp-deny", &["icmp-deny/pings.log"]);
    for line in [1, 4] {
        let v = at(&r, "pings.log", line);
        assert_eq!(v["Status"], "explained", "line {line}");
        assert_eq!(v["Direction"], "egress");
        assert_eq!(v["Role"], "request-or-reply");
        let e = first_explanation(v);
        assert_eq!(e["ExplanationCode"], "SUBNET_ACL_RESTRICTION");
        assert_eq!(e["Direction"], "egress");
        assert_eq!(e["AclRule"]["RuleNumber"], 90);
        assert_eq!(e["AclRule"]["Egress"], true);
    }
    // The ping from B arrives at A: consistent.
    assert_eq!(at(&r, "pings.log", 3)["Status"], "consistent");
    // udp/53 to B: internal-sg.
    assert_eq!(
        first_explanation(at(&r, "pings.log", 6))["ExplanationCode"],
        "ENI_SG_RULES_MISMATCH"
    );
    assert_eq!(r.summary.exit_code(), 0);
    assert!(
        r.text
            .contains("outbound rule 90 (deny icmp to 0.0.0.0/0): 2 records"),
        "{}",
        r.text
    );
}

#[test]
fn sg_egress_denial_of_new_outbound_flow() {
    let r = run_with(
        &logs("egress-locked/snapshot"),
        &[logs("egress-locked/logs")],
        Options::default(),
    );
    let v = at(&r, "app.log", 1);
    assert_eq!(v["Direction"], "egress");
    assert_eq!(v["Role"], "request");
    let e = first_explanation(v);
    assert_eq!(e["ExplanationCode"], "ENI_SG_RULES_MISMATCH");
    assert_eq!(e["Direction"], "egress");
    assert_eq!(e["SecurityGroups"][0]["Id"], "sg-0e39f16eb2fc06f7d");
    // The reply to an allowed https request is not SG-checked; the reply
    // to an inbound ssh session leaves although egress allows only 443.
    assert_eq!(at(&r, "app.log", 3)["Status"], "consistent");
    assert_eq!(at(&r, "app.log", 6)["Role"], "reply");
    assert_eq!(at(&r, "app.log", 6)["Status"], "consistent");
    assert_eq!(r.summary.exit_code(), 0);
}

#[test]
fn nacl_blocked_return_traffic() {
    let r = run("fixtures/return-blocked", &["return-blocked/web.log"]);
    // Internet → web 443: request ACCEPT, reply REJECT by outbound `*`.
    assert_eq!(at(&r, "web.log", 1)["Status"], "consistent");
    let v = at(&r, "web.log", 2);
    assert_eq!(v["Role"], "reply");
    assert_eq!(v["Status"], "explained");
    let e = first_explanation(v);
    assert_eq!(e["ExplanationCode"], "SUBNET_ACL_RESTRICTION");
    assert_eq!(e["Acl"]["Id"], "acl-096f67cb7d68978a9");
    assert_eq!(e["AclRule"]["RuleNumber"], 32767);
    assert_eq!(e["Direction"], "egress");
    assert_eq!(e["PathDirection"], "return");
    // Web → internet 443: the reply dies on the inbound `*`.
    let e = first_explanation(at(&r, "web.log", 4));
    assert_eq!(
        (e["Direction"].as_str(), e["PathDirection"].as_str()),
        (Some("ingress"), Some("return"))
    );
    assert_eq!(e["AclRule"]["RuleNumber"], 32767);
    // Same subnet: no NACL (C2.7).
    for line in [5, 6] {
        let v = at(&r, "web.log", line);
        assert_eq!(v["Status"], "consistent", "line {line}");
        assert!(v["AllowedBy"].to_string().contains("C2.7"));
    }
    // tcp/22 from outside: NACL first, SG too; forward path.
    let v = at(&r, "web.log", 7);
    let codes: Vec<&str> = v["Explanations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["ExplanationCode"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["SUBNET_ACL_RESTRICTION", "ENI_SG_RULES_MISMATCH"]);
    assert_eq!(first_explanation(v)["PathDirection"], "forward");
    assert!(r.text.contains("on the return path"), "{}", r.text);
}

#[test]
fn header_line_custom_format_tcp_flags_and_bpa() {
    let r = run(
        "fixtures/return-blocked",
        &["return-blocked/v8-with-header.log"],
    );
    assert_eq!(r.summary.headers, 1);
    assert_eq!(r.summary.malformed, 0);
    // SYN-ACK marks the reply even without looking at ports.
    let v = at(&r, "v8-with-header.log", 3);
    assert_eq!(v["Role"], "reply");
    assert_eq!(first_explanation(v)["AclRule"]["RuleNumber"], 32767);
    // BPA: the snapshot would allow, the record says why it did not.
    let v = at(&r, "v8-with-header.log", 4);
    assert_eq!(v["Status"], "explained-bpa");
    assert_eq!(
        first_explanation(v)["ExplanationCode"],
        "VPC_BLOCK_PUBLIC_ACCESS_ENABLED"
    );
    assert_eq!(r.summary.exit_code(), 0);
}

#[test]
fn nat_gateway_eni_uses_pkt_addresses() {
    let r = run("fixtures/nat-egress", &["nat-egress/nat-gateway.log"]);
    assert_eq!(r.summary.unknown_enis.len(), 0);
    let v = at(&r, "nat-gateway.log", 2);
    assert_eq!(v["InterfaceId"], "eni-0a2f56c923dabd210");
    assert_eq!(v["Direction"], "ingress");
    assert_eq!(v["PktDstAddr"], "93.184.215.14");
    assert_eq!(v["Status"], "consistent");
    // No SGs on a NAT gateway ENI: only its subnet NACL is consulted.
    assert!(!v["AllowedBy"].to_string().contains("sg-"));
    assert_eq!(at(&r, "nat-gateway.log", 5)["Role"], "reply");
    assert_eq!(r.summary.consistent, 6);
    assert_eq!(r.summary.exit_code(), 0);
}

#[test]
fn log_format_flag_without_header() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(logs("nat-egress/nat-gateway.log")).unwrap();
    let (header, body) = text.split_once('\n').unwrap();
    let p = dir.path().join("no-header.log");
    std::fs::write(&p, body).unwrap();
    let spec: String = header
        .split(' ')
        .map(|f| format!("${{{f}}}"))
        .collect::<Vec<_>>()
        .join(" ");
    let r = run_with(
        &root().join("fixtures/nat-egress"),
        std::slice::from_ref(&p),
        Options {
            format: Some(flows::Format::parse(&spec).unwrap()),
        },
    );
    assert_eq!(
        (r.summary.records, r.summary.malformed, r.summary.consistent),
        (6, 0, 6)
    );
    // Without the format, every line is malformed, and the summary says what to do.
    let r = run_with(
        &root().join("fixtures/nat-egress"),
        &[p],
        Options::default(),
    );
    assert_eq!(r.summary.malformed, 6);
    assert!(r.text.contains("--log-format"), "{}", r.text);
}

#[test]
fn gzip_multi_member_and_directories() {
    use flate2::{write::GzEncoder, Compression};
    let plain = std::fs::read(logs("return-blocked/web.log")).unwrap();
    let cut = plain.iter().position(|b| *b == b'\n').unwrap() + 1 + 40; // mid-line
    let dir = tempfile::tempdir().unwrap();
    let nested = dir
        .path()
        .join("AWSLogs/123456789012/vpcflowlogs/us-east-1/2024/05/02");
    std::fs::create_dir_all(&nested).unwrap();
    let mut file = Vec::new();
    for part in [&plain[..cut], &plain[cut..]] {
        let mut gz = GzEncoder::new(Vec::new(), Compression::default());
        gz.write_all(part).unwrap();
        file.extend(gz.finish().unwrap());
    }
    std::fs::write(nested.join("part.log.gz"), &file).unwrap();
    let gz = run_with(
        &root().join("fixtures/return-blocked"),
        &[dir.path().to_path_buf()],
        Options::default(),
    );
    let txt = run("fixtures/return-blocked", &["return-blocked/web.log"]);
    assert_eq!(gz.summary.records, 7);
    assert_eq!(gz.summary.malformed, 0);
    let strip = |v: &Value| {
        let mut v = v.clone();
        v.as_object_mut().unwrap().remove("File");
        v
    };
    assert_eq!(
        gz.records.iter().map(strip).collect::<Vec<_>>(),
        txt.records.iter().map(strip).collect::<Vec<_>>()
    );
}

#[test]
fn nodata_skipdata_malformed_and_unknown_enis() {
    let r = run("fixtures/return-blocked", &["return-blocked/messy.log"]);
    let s = &r.summary;
    assert_eq!((s.nodata, s.skipdata), (1, 1));
    assert_eq!(s.malformed, 3);
    let lines: Vec<u64> = s.malformed_examples.iter().map(|m| m.line).collect();
    assert_eq!(lines, [3, 4, 5]);
    assert!(s.malformed_examples[1].reason.contains("9 fields"));
    assert!(s.malformed_examples[2].reason.contains("dstport"));
    assert_eq!(s.records, 3, "NODATA/SKIPDATA are not traffic");
    assert_eq!(s.unknown_enis.get("eni-0ffffffffffffffff"), Some(&(1, 1)));
    assert_eq!(at(&r, "messy.log", 6)["Status"], "unknown-eni");
    // An unknown ENI's REJECT is not explained: exit 1.
    assert_eq!(s.exit_code(), 1);
    assert!(
        r.text.contains("messy.log:4: 9 fields, the format has 14"),
        "{}",
        r.text
    );
    assert!(r.text.contains("NODATA 1, SKIPDATA 1"));
}

#[test]
fn drift_both_ways() {
    let r = run("fixtures/three-tier", &["three-tier/drift.log"]);
    let v = at(&r, "drift.log", 1);
    assert_eq!(v["Status"], "unexplained-accept");
    assert_eq!(v["Unexplained"], true);
    assert_eq!(
        first_explanation(v)["ExplanationCode"],
        "ENI_SG_RULES_MISMATCH"
    );
    let v = at(&r, "drift.log", 2);
    assert_eq!(v["Status"], "unexplained-reject");
    assert_eq!(v["SnapshotVerdict"], "allow");
    assert!(v["AllowedBy"]
        .to_string()
        .contains("sg-0b02f59c9aa9b504b ingress rule tcp/443"));
    assert_eq!(
        (r.summary.unexplained_accept, r.summary.unexplained_reject),
        (1, 1)
    );
    assert_eq!(r.summary.exit_code(), 1);
    assert!(
        r.text
            .contains("ACCEPT (snapshot denies) eni-035b95295c011e256"),
        "{}",
        r.text
    );
    assert!(
        r.text
            .contains("REJECT (snapshot allows) eni-035b95295c011e256"),
        "{}",
        r.text
    );
    assert_eq!(
        r.json["Summary"]["Unexplained"].as_array().unwrap().len(),
        2
    );
}

// ------------------------------------------------------------ the binary

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_vpcreach"))
}

#[test]
fn cli_stdin_csv_and_exit_codes() {
    let log = std::fs::read(logs("return-blocked/web.log")).unwrap();
    let mut child = bin()
        .args(["flows", "--snapshot"])
        .arg(root().join("fixtures/return-blocked"))
        .args(["-", "--format", "csv"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(&log).unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let csv = String::from_utf8(out.stdout).unwrap();
    assert_eq!(csv.lines().count(), 8);
    assert!(csv.starts_with("file,line,interface_id,"));
    assert!(csv
        .lines()
        .nth(2)
        .unwrap()
        .contains("<stdin>,2,eni-07c1dcbfc8497d470,egress,reply,"));
    assert!(csv.contains("SUBNET_ACL_RESTRICTION,acl-096f67cb7d68978a9,32767"));

    let out = bin()
        .args(["flows", "--snapshot"])
        .arg(root().join("fixtures/three-tier"))
        .arg(logs("three-tier"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "drift.log is in the tree");
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("Flow logs: 2 files, 13 records"), "{text}");
}

#[test]
fn cli_input_errors_exit_2() {
    let out = bin()
        .args(["flows", "--snapshot"])
        .arg(root().join("fixtures/three-tier"))
        .arg(logs("three-tier/drift.log"))
        .args(["--log-format", "${version} ${interface-idd} ${srcaddr}"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("unknown flow log field \"interface-idd\""),
        "{err}"
    );
    assert!(err.contains("${interface-id}"), "{err}");

    let out = bin()
        .args(["flows", "--snapshot"])
        .arg(root().join("fixtures/three-tier"))
        .args(["/nonexistent/flows.log"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8(out.stderr)
        .unwrap()
        .contains("/nonexistent/flows.log"));

    let out = bin()
        .args(["flows", "--snapshot"])
        .arg(root().join("fixtures/three-tier"))
        .arg(logs("three-tier/drift.log"))
        .args(["--log-format", "${version} ${srcaddr}"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8(out.stderr)
        .unwrap()
        .contains("lacks interface-id"));
}

/// IPv6 records (v5 logs of a dual-stack ENI) are parsed and attributed
/// like IPv4 ones: the IPv6 NACL deny (C2.6) and the SG decide.
#[test]
fn ipv6_records_are_attributed() {
    let r = run("fixtures/dual-stack", &["dual-stack/v5.log"]);
    let f = "v5.log";
    let v = at(&r, f, 2);
    assert_eq!(v["Status"], "explained");
    assert_eq!(v["SrcAddr"], "2600:1f18:6a3c:b400::10");
    let e = first_explanation(v);
    assert_eq!(e["ExplanationCode"], "SUBNET_ACL_RESTRICTION");
    assert_eq!(e["AclRule"]["RuleNumber"], 90);
    // The same SSH over IPv4 is allowed: rule 90 is an IPv6 rule.
    assert_eq!(at(&r, f, 3)["Status"], "consistent");
    assert_eq!(at(&r, f, 4)["Status"], "consistent");
    let v = at(&r, f, 5);
    assert_eq!(v["Status"], "explained");
    assert_eq!(
        first_explanation(v)["ExplanationCode"],
        "ENI_SG_RULES_MISMATCH"
    );
    assert_eq!(r.summary.ipv6, 3);
}
