//! The picture formats through the binary: exit codes as for text, located
//! errors (exit 2) for unknown selections, the Markdown size bound.

use std::process::{Command, Output};

fn vpcreach(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vpcreach"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

const APP: &str = "i-0016847fb97bb2cfa";
const DB: &str = "i-0ebd276bfd4c4ec83";

#[test]
fn path_pictures_keep_the_verdict_exit_code() {
    for format in ["dot", "mermaid", "svg", "html"] {
        let o = vpcreach(&[
            "path",
            "--snapshot",
            "fixtures/three-tier",
            "--source",
            APP,
            "--destination",
            DB,
            "--port",
            "3306",
            "--format",
            format,
        ]);
        assert_eq!(
            o.status.code(),
            Some(1),
            "{format}: blocked (C2.3 deny rule 90)"
        );
        assert!(stdout(&o).contains("SUBNET_ACL_RESTRICTION"), "{format}");
        let o = vpcreach(&[
            "path",
            "--snapshot",
            "fixtures/elb",
            "--source",
            "internet",
            "--destination",
            "web-alb",
            "--port",
            "80",
            "--format",
            format,
        ]);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{format}: load balancer reached (C9)"
        );
        assert!(
            stdout(&o).contains("i-0c9f446a08c8eff85"),
            "{format}: every target drawn"
        );
    }
    let html = stdout(&vpcreach(&[
        "path",
        "--snapshot",
        "fixtures/three-tier",
        "--source",
        APP,
        "--destination",
        DB,
        "--port",
        "3306",
        "--format",
        "html",
    ]));
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(
        !html.contains("http://") || !html.contains("src=\"http"),
        "nothing fetched"
    );
    assert!(!html.contains("<link"), "no external stylesheet");
}

#[test]
fn graph_draws_a_selection_and_rejects_unknown_ids() {
    let o = vpcreach(&[
        "graph",
        "--snapshot",
        "fixtures/tgw-hub-spoke",
        "--around",
        "i-0efdb9ebeec523f4e",
    ]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).starts_with("digraph vpcreach {"));
    let o = vpcreach(&[
        "graph",
        "--snapshot",
        "fixtures/peering",
        "--format",
        "mermaid",
    ]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("pcx-"));
    for bad in [
        ["--around", "i-0000000000000dead"],
        ["--vpc", "vpc-0000000000000dead"],
    ] {
        let o = vpcreach(&["graph", "--snapshot", "fixtures/three-tier", bad[0], bad[1]]);
        assert_eq!(o.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&o.stderr).contains(bad[1]));
    }
}

#[test]
fn audit_and_whatif_reports() {
    let o = vpcreach(&[
        "audit",
        "--snapshot",
        "fixtures/three-tier",
        "--scope",
        "all-igw-ingress",
        "--format",
        "markdown",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let md = stdout(&o);
    assert!(md.contains("```mermaid\nflowchart LR") && md.len() < 65_536);
    let o = vpcreach(&[
        "audit",
        "--snapshot",
        "fixtures/three-tier",
        "--scope",
        "all-igw-ingress",
        "--format",
        "html",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("id=\"findings\""));
    let o = vpcreach(&[
        "whatif",
        "--snapshot",
        "fixtures/three-tier",
        "--change",
        "fixtures/changes/three-tier-fix-db-nacl.json",
        "--format",
        "html",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("Gained (1)"));
    let o = vpcreach(&[
        "whatif",
        "--snapshot",
        "fixtures/three-tier",
        "--change",
        "fixtures/changes/three-tier-fix-db-nacl.json",
        "--format",
        "markdown",
    ]);
    assert!(
        stdout(&o).contains("```mermaid"),
        "whatif Markdown draws the change"
    );
}
