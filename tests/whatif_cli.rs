//! `vpcreach whatif` / `vpcreach diff` end to end: exit codes, the JSON
//! shape, refused changes (exit 2, nothing analysed), whatif = diff.

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn vpcreach(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vpcreach"))
        .current_dir(root())
        .args(args)
        .output()
        .expect("runs")
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

#[test]
fn whatif_equals_diff_and_exits_1_on_change() {
    let w = vpcreach(&[
        "whatif",
        "--snapshot",
        "fixtures/three-tier",
        "--change",
        "fixtures/changes/three-tier-fix-db-nacl.json",
        "--format",
        "json",
    ]);
    assert_eq!(
        w.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&w.stderr)
    );
    let d = vpcreach(&[
        "diff",
        "--before",
        "fixtures/three-tier",
        "--after",
        "fixtures/three-tier-after-fix",
        "--format",
        "json",
    ]);
    assert_eq!(d.status.code(), Some(1));
    let (w, d) = (json(&w), json(&d));
    for key in ["Gained", "Lost", "ConfigurationChanges", "Intents"] {
        assert_eq!(w[key], d[key], "{key}");
    }
    assert_eq!(w["Gained"].as_array().unwrap().len(), 1);
    assert_eq!(w["Gained"][0]["Sources"][0], "eni-0cb1f501ad81b2f37");
    assert_eq!(w["Gained"][0]["Destinations"][0], "eni-0bbbce7139edeae6d");
    assert_eq!(w["Gained"][0]["Traffic"][0], "tcp/3306");
    assert_eq!(
        w["Gained"][0]["BlockedBefore"][0]["ExplanationCode"],
        "SUBNET_ACL_RESTRICTION"
    );
    assert_eq!(w["Lost"].as_array().unwrap().len(), 0);
}

#[test]
fn diff_of_a_snapshot_with_itself_exits_0() {
    let out = vpcreach(&[
        "diff",
        "--before",
        "fixtures/three-tier",
        "--after",
        "fixtures/three-tier",
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("reachability unchanged"));
}

#[test]
fn a_refused_change_exits_2_with_the_ec2_code_and_no_analysis() {
    let out = vpcreach(&[
        "whatif",
        "--snapshot",
        "fixtures/three-tier",
        "--change",
        "fixtures/changes/invalid-duplicate-route.json",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty(), "nothing analysed");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("RouteAlreadyExists"), "{err}");
    assert!(err.contains("[1]") && err.contains("CreateRoute"), "{err}");
    assert!(err.contains("[1].DestinationCidrBlock"), "{err}");
    assert!(err.contains("invalid-duplicate-route.json:11:"), "{err}");
}

#[test]
fn intents_pass_and_fail() {
    let base = [
        "whatif",
        "--snapshot",
        "fixtures/three-tier",
        "--change",
        "fixtures/changes/three-tier-fix-db-nacl.json",
        "--format",
        "json",
    ];
    let mut args = base.to_vec();
    args.extend([
        "--must-reach",
        "i-0016847fb97bb2cfa:i-0ebd276bfd4c4ec83:tcp/3306",
        "--must-not-reach",
        "internet:i-0ebd276bfd4c4ec83:tcp/3306",
    ]);
    let out = vpcreach(&args);
    let v = json(&out);
    assert_eq!(v["Intents"][0]["Passed"], true);
    assert_eq!(v["Intents"][1]["Passed"], true);
    let mut args = base.to_vec();
    args.extend([
        "--must-not-reach",
        "i-0016847fb97bb2cfa:i-0ebd276bfd4c4ec83:tcp/3306",
    ]);
    let out = vpcreach(&args);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json(&out)["Intents"][0]["Passed"], false);
    // Unchanged reachability but a failed intent still exits 1.
    let out = vpcreach(&[
        "diff",
        "--before",
        "fixtures/three-tier",
        "--after",
        "fixtures/three-tier",
        "--must-reach",
        "i-0016847fb97bb2cfa:i-0ebd276bfd4c4ec83:tcp/3306",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("FAIL must-reach"));
    // An intent naming something the snapshot lacks is an input error.
    let out = vpcreach(&[
        "diff",
        "--before",
        "fixtures/three-tier",
        "--after",
        "fixtures/three-tier",
        "--must-reach",
        "i-0000000000000dead:internet:tcp/443",
    ]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn markdown_summary_for_pull_requests() {
    let out = vpcreach(&[
        "whatif",
        "--snapshot",
        "fixtures/three-tier",
        "--change",
        "fixtures/changes/three-tier-fix-db-nacl.json",
        "--format",
        "markdown",
    ]);
    let md = String::from_utf8_lossy(&out.stdout);
    assert!(
        md.starts_with("### vpcreach whatif: reachability changes"),
        "{md}"
    );
    assert!(md.contains("| app-1-eth0 (`eni-0cb1f501ad81b2f37`) | db-1-eth0 (`eni-0bbbce7139edeae6d`) | tcp/3306 |"), "{md}");
}

/// `--scope` compares only what the scope selects, through audit findings
/// on both sides (SPEC `whatif … [--scope FILE|NAME]`).
#[test]
fn scope_limits_what_whatif_compares() {
    let run = |scope: &str| {
        vpcreach(&[
            "whatif",
            "--snapshot",
            "fixtures/three-tier",
            "--change",
            "fixtures/changes/three-tier-fix-db-nacl.json",
            "--scope",
            scope,
            "--format",
            "json",
        ])
    };
    // ENI to ENI: removing the db NACL's rule 90 opens app-1 → db-1 tcp/3306.
    let out = run("fixtures/scopes/eni-to-eni.json");
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = json(&out);
    let gained = v["Gained"].as_array().unwrap();
    assert_eq!(gained.len(), 1, "{v:#}");
    let text = gained[0].to_string();
    assert!(
        text.contains("eni-0cb1f501ad81b2f37")
            && text.contains("eni-0bbbce7139edeae6d")
            && text.contains("3306"),
        "{text}"
    );
    assert!(v["Lost"].as_array().unwrap().is_empty());
    // Internet ingress does not change: exit 0.
    let out = run("all-igw-ingress");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(json(&out)["Gained"].as_array().unwrap().is_empty());
    // A scope that does not parse is an input error.
    let out = run("fixtures/changes/three-tier-fix-db-nacl.json");
    assert_eq!(out.status.code(), Some(2));
}

/// A wide change on a generated estate: text and Markdown group the pairs by
/// traffic and cause and list only the first pairs, saying how many more
/// there are; JSON lists every pair.
#[test]
fn wide_changes_are_grouped_and_bounded_in_text_and_markdown() {
    let dir = std::env::temp_dir().join(format!("vpcreach-wide-{}", std::process::id()));
    let snap = dir.join("snap");
    let gen = vpcreach(&[
        "generate",
        "--output",
        snap.to_str().unwrap(),
        "--enis",
        "60",
    ]);
    assert!(
        gen.status.success(),
        "{}",
        String::from_utf8_lossy(&gen.stderr)
    );
    let change = dir.join("change.json");
    std::fs::write(
        &change,
        r#"[{"Action": "AuthorizeSecurityGroupIngress", "GroupId": "sg-000000c0000000001", "IpPermissions": [{"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}]}]"#,
    )
    .unwrap();
    let run = |format: &str| {
        let out = vpcreach(&[
            "whatif",
            "--snapshot",
            snap.to_str().unwrap(),
            "--change",
            change.to_str().unwrap(),
            "--format",
            format,
        ]);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let j: Value = serde_json::from_str(&run("json")).unwrap();
    let gained = j["Gained"].as_array().unwrap().len();
    assert!(
        gained > vpcreach::report::whatif::DETAIL_LIMIT,
        "only {gained} pairs gained"
    );
    let text = run("text");
    assert!(text.contains("by traffic and cause:"), "{text}");
    assert!(text.contains("tcp/5432: "), "{text}");
    let more = gained - vpcreach::report::whatif::DETAIL_LIMIT;
    assert!(
        text.contains(&format!(
            "the first 50 pairs; {more} more are listed by --format json"
        )),
        "{text}"
    );
    assert_eq!(
        text.matches("\n  + eni-").count(),
        vpcreach::report::whatif::DETAIL_LIMIT
    );
    let md = run("markdown");
    assert!(
        md.contains(&format!("The first 50 of {gained} pairs")),
        "{md}"
    );
    assert!(
        md.len() < 65_536,
        "a PR comment holds 65,536 characters: {}",
        md.len()
    );
    std::fs::remove_dir_all(&dir).ok();
}
