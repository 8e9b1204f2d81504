//! Hostile and huge input (issue 16): each reproducer of the fuzzing
//! campaign, run through the binary. Bad input is a located error and exit
//! 2 (or a located warning), never a panic, a hang or unbounded memory.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

mod binary;

use binary::vpcreach;

const THREE_TIER: &str = "fixtures/three-tier/us-east-1";

/// `vpcreach COMMAND --snapshot <three-tier> OPTION FILE`.
fn on_three_tier(command: &str, option: &str, file: &Path) -> (i32, String, String) {
    vpcreach(&[
        command,
        "--snapshot",
        THREE_TIER,
        option,
        file.to_str().unwrap(),
    ])
}

fn check(snapshot: &Path) -> (i32, String, String) {
    vpcreach(&["check", "--snapshot", snapshot.to_str().unwrap()])
}

fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// A copy of the three-tier fixture's files in a temporary folder.
fn three_tier_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(THREE_TIER).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
    }
    dir
}

/// miette's text with its wrapping undone.
fn flat(stderr: &str) -> String {
    stderr
        .split_whitespace()
        .filter(|w| *w != "│")
        .collect::<Vec<_>>()
        .join(" ")
}

fn assert_located(code: i32, stderr: &str, file: &str, position: &str) {
    assert_eq!(code, 2, "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.contains(&format!("{file}:{position}")), "{stderr}");
}

#[test]
fn an_error_past_column_65535_of_compact_json_is_shown_in_a_window() {
    let dir = tempfile::tempdir().unwrap();
    let vpcs: Vec<String> = (0..3000)
        .map(|i| format!(r#"{{"VpcId":"vpc-{i}","CidrBlock":"10.0.0.0/16","State":"available"}}"#))
        .collect();
    let text = format!(r#"{{"Vpcs":[{}x]}}"#, vpcs.join(","));
    assert!(text.len() > 128 * 1024);
    let file = write(dir.path(), "compact.json", &text);
    let (code, _, stderr) = check(&file);
    let column = text.find('x').unwrap() + 1;
    assert_located(code, &stderr, "compact.json", &format!("1:{column}"));
    assert!(stderr.lines().all(|l| l.len() < 1000), "windowed: {stderr}");
}

#[test]
fn deep_nesting_and_a_50_mb_string_give_located_errors() {
    let dir = tempfile::tempdir().unwrap();
    let depth = 100_000;
    let deep = format!(r#"{{"Vpcs":{}{}}}"#, "[".repeat(depth), "]".repeat(depth));
    let file = write(dir.path(), "deep.json", deep);
    let (code, _, stderr) = check(&file);
    assert_located(code, &stderr, "deep.json", "1:");
    assert!(stderr.contains("(at Vpcs"), "{stderr}");

    let long = format!(r#"{{"Vpcs": [{{"VpcId": "{}}}"#, "a".repeat(50_000_000));
    let file = write(dir.path(), "string.json", long);
    let (code, _, stderr) = check(&file);
    assert_located(code, &stderr, "string.json", "1:50000022");
}

#[test]
fn an_error_inside_a_multibyte_character_does_not_panic() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "euro.json", "\"€");
    let (code, _, stderr) = check(&file);
    assert_located(code, &stderr, "euro.json", "1:");
    let cut = r#"{"Vpcs": [{"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16", "Tags": [{"Key": "env", "Value": "produção"#;
    let file = write(dir.path(), "cut.json", cut);
    let (code, _, stderr) = check(&file);
    assert_located(code, &stderr, "cut.json", "1:");

    let change = write(dir.path(), "change.json", "[{\"Action\": \"é");
    let (code, _, stderr) = on_three_tier("whatif", "--change", &change);
    assert_located(code, &stderr, "change.json", "1:");
    let scope = write(dir.path(), "scope.json", "{\"MatchPaths\": [\"é");
    let (code, _, stderr) = on_three_tier("audit", "--scope", &scope);
    assert_located(code, &stderr, "scope.json", "1:");
}

#[test]
fn the_same_top_level_key_twice_is_a_located_error() {
    let dir = tempfile::tempdir().unwrap();
    let acls = std::fs::read_to_string(format!("{THREE_TIER}/network-acls.json")).unwrap();
    let twice = format!(
        "{}, \"NetworkAcls\": []}}",
        acls.trim_end().trim_end_matches('}')
    );
    let file = write(dir.path(), "acls.json", &twice);
    let (code, _, stderr) = check(&file);
    let line = twice.lines().count();
    assert_located(code, &stderr, "acls.json", &format!("{line}:"));
    assert!(
        flat(&stderr).contains("`NetworkAcls` appears twice (first at line 2"),
        "{stderr}"
    );
}

#[test]
fn one_id_with_different_content_in_two_files_is_a_warning_naming_both() {
    let dir = three_tier_copy();
    // The same VPC again in another file: merged in silence.
    let vpcs = std::fs::read_to_string(dir.path().join("vpcs.json")).unwrap();
    write(dir.path(), "vpcs-again.json", &vpcs);
    let (code, stdout, stderr) = check(dir.path());
    assert_eq!(code, 0, "{stderr}");
    assert!(!stdout.contains("described twice"), "{stdout}");
    // Different content under the same id: a warning naming both places.
    write(
        dir.path(),
        "vpcs-again.json",
        vpcs.replace("10.0.0.0/16", "10.9.0.0/16"),
    );
    let (_, stdout, stderr) = check(dir.path());
    let warning = stdout
        .lines()
        .find(|l| l.contains("described twice"))
        .unwrap_or_else(|| panic!("{stdout}{stderr}"));
    assert!(warning.contains("vpcs-again.json (Vpcs[0])"), "{warning}");
    assert!(warning.contains("vpcs.json (Vpcs[0])"), "{warning}");
    assert!(warning.contains("unknown"), "{warning}");
}

#[test]
fn the_same_eni_in_two_instances_is_ambiguous() {
    let instance = |id: &str, subnet: &str| {
        format!(
            r#"{{"InstanceId": "{id}", "SubnetId": "{subnet}", "VpcId": "vpc-1", "State": {{"Name": "running"}},
                "NetworkInterfaces": [{{"NetworkInterfaceId": "eni-1", "SubnetId": "{subnet}", "VpcId": "vpc-1",
                "PrivateIpAddress": "10.0.0.5", "Groups": []}}]}}"#
        )
    };
    let text = format!(
        r#"{{"Reservations": [{{"Instances": [{}, {}]}}]}}"#,
        instance("i-1", "subnet-a"),
        instance("i-2", "subnet-b")
    );
    let snapshot = vpcreach::snapshot::load_documents([("instances.json", text.as_str())]).unwrap();
    assert!(snapshot.network.ambiguous_ids.contains("eni-1"));
    assert!(snapshot
        .warnings
        .iter()
        .any(|w| w.message.contains("eni-1 is described twice")));
}

#[test]
fn bad_tgw_routes_and_out_of_range_acl_entries_are_located_warnings() {
    let text = r#"{
      "TransitGatewayRouteTables": [{"TransitGatewayRouteTableId": "tgw-rtb-1", "TransitGatewayId": "tgw-1", "State": "available"}],
      "TransitGatewayRouteTableRoutes": [{"TransitGatewayRouteTableId": "tgw-rtb-1",
        "Routes": [{"DestinationCidrBlock": "banana", "Type": "static", "State": "active"}]}],
      "NetworkAcls": [{"NetworkAclId": "acl-1", "VpcId": "vpc-1", "IsDefault": false, "Associations": [],
        "Entries": [
          {"RuleNumber": 0, "Protocol": "-1", "RuleAction": "allow", "Egress": false, "CidrBlock": "0.0.0.0/0"},
          {"RuleNumber": 70000, "Protocol": "-1", "RuleAction": "allow", "Egress": false, "CidrBlock": "0.0.0.0/0"},
          {"RuleNumber": 100, "Protocol": "6", "RuleAction": "allow", "Egress": false, "CidrBlock": "0.0.0.0/0",
           "PortRange": {"From": 70000, "To": -5}}]}]}"#;
    let snapshot = vpcreach::snapshot::load_documents([("s.json", text)]).unwrap();
    let said = |path: &str, what: &str| {
        snapshot
            .warnings
            .iter()
            .any(|w| w.json_path.as_deref() == Some(path) && w.message.contains(what))
    };
    assert!(
        said(
            "TransitGatewayRouteTableRoutes[0].Routes[0].DestinationCidrBlock",
            "not a CIDR"
        ),
        "{:#?}",
        snapshot.warnings
    );
    assert!(said("NetworkAcls[0].Entries[0].RuleNumber", "out of range"));
    assert!(said("NetworkAcls[0].Entries[1].RuleNumber", "out of range"));
    assert!(said("NetworkAcls[0].Entries[2].PortRange", "70000..-5"));
}

#[test]
fn a_change_files_ipv6_destination_is_validated_as_ec2_does() {
    let dir = tempfile::tempdir().unwrap();
    let change = write(
        dir.path(),
        "change.json",
        r#"[{"Action": "CreateRoute", "RouteTableId": "rtb-1", "DestinationIpv6CidrBlock": "banana", "GatewayId": "igw-1"}]"#,
    );
    let (code, _, stderr) = on_three_tier("whatif", "--change", &change);
    assert_located(code, &stderr, "change.json", "1:");
    assert!(stderr.contains("InvalidParameterValue"), "{stderr}");
    assert!(stderr.contains("[0].DestinationIpv6CidrBlock"), "{stderr}");
}

#[test]
fn non_regular_files_are_refused_up_front() {
    let (code, _, stderr) = vpcreach(&["check", "--snapshot", "/dev/zero"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        flat(&stderr).contains("/dev/zero: not a regular file (a device)"),
        "{stderr}"
    );

    let dir = three_tier_copy();
    let fifo = dir.path().join("fifo.json");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let (code, _, stderr) = check(dir.path());
    assert_eq!(code, 2, "{stderr}");
    assert!(
        flat(&stderr).contains("fifo.json: not a regular file (a FIFO)"),
        "{stderr}"
    );
}

#[test]
fn symlink_loops_are_walked_once_and_reported() {
    let dir = three_tier_copy();
    for name in ["a", "b", "c", "d", "e", "f"] {
        std::os::unix::fs::symlink(dir.path(), dir.path().join(name)).unwrap();
    }
    let (code, stdout, stderr) = check(dir.path());
    assert_eq!(code, 1, "check exits 1 on warnings: {stderr}");
    assert_eq!(stdout.matches("symlink loop").count(), 6, "{stdout}");
    assert!(stdout.contains("11 files"), "each file read once: {stdout}");
}

#[test]
fn bom_utf16_and_latin1_are_handled_with_a_hint() {
    let dir = tempfile::tempdir().unwrap();
    let vpcs = std::fs::read_to_string(format!("{THREE_TIER}/vpcs.json")).unwrap();
    let mut bom = vec![0xEF, 0xBB, 0xBF];
    bom.extend_from_slice(vpcs.as_bytes());
    let file = write(dir.path(), "bom.json", &bom);
    let (code, _, stderr) = check(&file);
    assert_eq!(code, 0, "{stderr}");

    // What Windows PowerShell's `>` writes: UTF-16LE with a byte-order mark.
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(vpcs.encode_utf16().flat_map(u16::to_le_bytes));
    let file = write(dir.path(), "utf16.json", &utf16);
    let (code, stdout, stderr) = check(&file);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("Vpcs                     1"), "{stdout}");

    let latin1 = b"{\"Vpcs\": [],\n \"x\": \"caf\xe9\"}";
    let file = write(dir.path(), "latin1.json", latin1);
    let (code, _, stderr) = check(&file);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("latin1.json"), "{stderr}");
    assert!(
        flat(&stderr).contains("byte 0xE9 at line 2, column 11"),
        "{stderr}"
    );
    assert!(stderr.contains("iconv"), "{stderr}");
}

fn flows_peak_rss_kib(input: &Path) -> (i32, String, u64) {
    let out = Command::new("/usr/bin/time")
        .arg("-v")
        .arg(env!("CARGO_BIN_EXE_vpcreach"))
        .args(["flows", "--snapshot", THREE_TIER, "--format", "json"])
        .arg(input)
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let rss = stderr
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("Maximum resident set size (kbytes): ")
        })
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        rss,
    )
}

#[test]
fn flows_skips_over_long_lines_in_flat_memory() {
    if !Path::new("/usr/bin/time").exists() {
        eprintln!("skipped: /usr/bin/time is not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    // A gzip bomb without newlines: 256 MiB of `x`, then one good record.
    let bomb = dir.path().join("bomb.log.gz");
    {
        use std::io::Write;
        let f = std::fs::File::create(&bomb).unwrap();
        let mut gz = flate2::write::GzEncoder::new(f, flate2::Compression::fast());
        let chunk = vec![b'x'; 1 << 20];
        for _ in 0..256 {
            gz.write_all(&chunk).unwrap();
        }
        gz.write_all(b"\n").unwrap();
        gz.finish().unwrap();
    }
    let (code, stdout, rss) = flows_peak_rss_kib(&bomb);
    assert!(code == 0 || code == 1, "{stdout}");
    assert!(rss < 64 * 1024, "peak RSS {rss} KiB");
    assert!(
        stdout.contains("longer than any flow-log record"),
        "{stdout}"
    );
    assert!(stdout.contains("bomb.log.gz"), "{stdout}");
}

#[test]
fn flows_on_dev_zero_keeps_memory_flat() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_vpcreach"))
        .args(["flows", "--snapshot", THREE_TIER, "/dev/zero"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_secs(3));
    let status =
        std::fs::read_to_string(format!("/proc/{}/status", child.id())).unwrap_or_default();
    child.kill().unwrap();
    child.wait().unwrap();
    let peak_kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM in /proc");
    assert!(peak_kib < 64 * 1024, "peak RSS {peak_kib} KiB");
}

#[test]
fn ten_thousand_identical_scope_paths_are_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = r#"{"Source":{"ResourceStatement":{"ResourceTypes":["AWS::EC2::NetworkInterface"]}},"Destination":{"ResourceStatement":{"ResourceTypes":["AWS::EC2::NetworkInterface"]}}}"#;
    let many = format!(r#"{{"MatchPaths":[{}]}}"#, vec![path; 10_000].join(","));
    let one = format!(r#"{{"MatchPaths":[{path}]}}"#);
    let many = write(dir.path(), "many.json", many);
    let one = write(dir.path(), "one.json", one);
    let started = std::time::Instant::now();
    let (code_many, out_many, stderr) = on_three_tier("audit", "--scope", &many);
    assert!(started.elapsed().as_secs() < 20, "{:?}", started.elapsed());
    let (code_one, out_one, _) = on_three_tier("audit", "--scope", &one);
    assert_eq!(code_many, code_one, "{stderr}");
    assert_eq!(out_many.replace("many.json", "one.json"), out_one);
}

/// Every command and format, writing to `stdout`: (exit code, stderr).
fn with_stdout(stdout: impl Fn() -> Stdio) -> Vec<(String, i32, String)> {
    let fx = "fixtures/three-tier";
    let web = "i-07f28259358129954";
    let change = "fixtures/changes/three-tier-fix-db-nacl.json";
    let logs = "fixtures/flowlogs/three-tier";
    let commands: [(Vec<&str>, &[&str]); 6] = [
        (vec!["check", "--snapshot", fx], &["text", "json"]),
        (
            vec![
                "path",
                "--snapshot",
                fx,
                "--source",
                "internet",
                "--destination",
                web,
            ],
            &["text", "json"],
        ),
        (
            vec!["audit", "--snapshot", fx, "--scope", "all-igw-ingress"],
            &["text", "json", "sarif"],
        ),
        (
            vec!["whatif", "--snapshot", fx, "--change", change],
            &["text", "json", "markdown"],
        ),
        (
            vec![
                "diff",
                "--before",
                fx,
                "--after",
                "fixtures/three-tier-after-fix",
            ],
            &["text", "json"],
        ),
        (
            vec!["flows", "--snapshot", fx, logs],
            &["text", "json", "csv"],
        ),
    ];
    let runs = commands.iter().flat_map(|(args, formats)| {
        formats.iter().map(move |f| {
            let mut args = args.clone();
            args.extend(["--format", f]);
            args
        })
    });
    runs.map(|args| {
        let out = Command::new(env!("CARGO_BIN_EXE_vpcreach"))
            .args(&args)
            .stdout(stdout())
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        (
            args.join(" "),
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    })
    .collect()
}

#[test]
fn a_closed_pipe_ends_quietly_with_success() {
    for (args, code, stderr) in with_stdout(|| {
        // A pipe whose reader is gone: every write fails with EPIPE.
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        writer.into()
    }) {
        assert_eq!((code, stderr.as_str()), (0, ""), "{args}");
    }
}

#[test]
fn a_full_disk_is_a_message_and_exit_2() {
    for (args, code, stderr) in with_stdout(|| std::fs::File::create("/dev/full").unwrap().into()) {
        assert_eq!(code, 2, "{args}: {stderr}");
        assert!(
            stderr.contains("No space left on device"),
            "{args}: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{args}: {stderr}");
    }
}
