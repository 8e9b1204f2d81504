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
