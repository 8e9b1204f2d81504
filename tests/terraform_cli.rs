//! `vpcreach whatif --plan` through the binary: exit codes, the deny-scope
//! gate, the Markdown comment (summary first, under GitHub's limit) and the
//! SARIF shape.

use std::process::Command;

fn vpcreach(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_vpcreach"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

#[test]
fn a_plan_that_changes_nothing_exits_0() {
    let (code, out, _) = vpcreach(&[
        "whatif",
        "--snapshot",
        "fixtures/three-tier",
        "--plan",
        "fixtures/terraform/sg-rule-update.json",
    ]);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn a_plan_that_opens_ssh_exits_1_and_json_has_an_empty_unknown_list() {
    let (code, out, _) = vpcreach(&[
        "whatif",
        "--snapshot",
        "fixtures/three-tier",
        "--plan",
        "fixtures/terraform/sg-rule-create.json",
        "--format",
        "json",
    ]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["Gained"].as_array().unwrap().len(), 3);
    assert_eq!(v["Unknown"].as_array().unwrap().len(), 0);
}

#[test]
fn unknown_pairs_are_listed_in_json_and_exit_1() {
    let (code, out, _) = vpcreach(&[
        "whatif",
        "--snapshot",
        "fixtures/three-tier",
        "--plan",
        "fixtures/terraform/sg-rule-unknown-cidr.json",
        "--format",
        "json",
    ]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(v["Gained"].as_array().unwrap().is_empty());
    let unknown = v["Unknown"].as_array().unwrap();
    assert!(!unknown.is_empty());
    assert_eq!(
        unknown[0]["UnknownBecause"][0],
        "aws_security_group_rule.office.cidr_blocks"
    );
}

#[test]
fn deny_scope_gates_a_new_internet_exposure() {
    let (code, out, _) = vpcreach(&[
        "whatif",
        "--plan",
        "fixtures/terraform/greenfield-bastion.json",
        "--deny-scope",
        "all-igw-ingress",
        "--format",
        "json",
    ]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let denied = &v["DeniedScopes"][0];
    assert_eq!(denied["Scope"], "all-igw-ingress");
    assert!(denied["NewFindings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["Destination"] == "aws_instance.bastion"));
}

#[test]
fn markdown_puts_the_summary_first_and_names_addresses() {
    let (_, out, _) = vpcreach(&[
        "whatif",
        "--plan",
        "fixtures/terraform/greenfield-bastion.json",
        "--deny-scope",
        "all-igw-ingress",
        "--format",
        "markdown",
    ]);
    assert!(out.len() < 65_536);
    let lines: Vec<&str> = out.lines().filter(|l| !l.is_empty()).collect();
    assert!(lines[0].starts_with("### vpcreach whatif --plan"));
    assert!(
        lines[1].starts_with("**Terraform plan:** 13 resource change(s) applied"),
        "{}",
        lines[1]
    );
    assert!(lines[1].contains("denied: `all-igw-ingress`"));
    assert!(out.contains("| `internet` | `aws_instance.bastion` | tcp/22 |"));
    assert!(!out.contains("tfplan0"), "a made-up id leaked: {out}");
}

#[test]
fn sarif_points_at_terraform_addresses_and_plan_lines() {
    let (_, out, _) = vpcreach(&[
        "whatif",
        "--snapshot",
        "fixtures/three-tier",
        "--plan",
        "fixtures/terraform/sg-rule-create.json",
        "--format",
        "sarif",
    ]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["version"], "2.1.0");
    let results = v["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 3);
    let loc = &results[0]["locations"][0];
    assert_eq!(
        loc["logicalLocations"][0]["fullyQualifiedName"],
        "aws_security_group_rule.web_ssh"
    );
    assert_eq!(
        loc["physicalLocation"]["artifactLocation"]["uri"],
        "fixtures/terraform/sg-rule-create.json"
    );
    assert!(
        loc["physicalLocation"]["region"]["startLine"]
            .as_u64()
            .unwrap()
            > 1
    );
}

#[test]
fn bad_plans_exit_2_with_a_located_diagnostic() {
    for (file, needle) in [
        ("format-version-2", "format_version"),
        ("no-resource-changes", "resource_changes"),
        ("entry-without-change", "resource_changes[0]"),
        ("errored", "--allow-incomplete-plan"),
        ("not-json", "not-json.json:4:"),
    ] {
        let path = format!("fixtures/terraform/bad/{file}.json");
        let (code, _, err) = vpcreach(&[
            "whatif",
            "--snapshot",
            "fixtures/three-tier",
            "--plan",
            &path,
        ]);
        assert_eq!(code, 2, "{file}: {err}");
        assert!(err.contains(needle), "{file}: {err}");
    }
    let (code, _, _) = vpcreach(&[
        "whatif",
        "--snapshot",
        "fixtures/three-tier",
        "--plan",
        "fixtures/terraform/bad/errored.json",
        "--allow-incomplete-plan",
    ]);
    assert_eq!(code, 1);
}

#[test]
fn plan_and_change_together_is_a_usage_error() {
    let (code, _, err) = vpcreach(&[
        "whatif",
        "--snapshot",
        "fixtures/three-tier",
        "--plan",
        "a.json",
        "--change",
        "b.json",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("cannot be used with"));
}

#[test]
fn plans_are_repeatable() {
    let (code, out, _) = vpcreach(&[
        "whatif",
        "--snapshot",
        "fixtures/three-tier",
        "--plan",
        "fixtures/terraform/sg-rule-create.json",
        "--plan",
        "fixtures/terraform/nacl-rule-delete.json",
        "--format",
        "json",
    ]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["Gained"].as_array().unwrap().len(), 4);
}

// --- insta snapshots of the pull-request comment and the SARIF log ----------
// (tests/snapshots/terraform_cli__*.snap; review a change with `cargo insta
// review` or by reading the `.snap.new` file insta writes beside it.)

fn whatif_output(args: &[&str]) -> String {
    let mut all = vec!["whatif"];
    all.extend_from_slice(args);
    let (code, out, err) = vpcreach(&all);
    assert!(code == 0 || code == 1, "exit {code}: {err}");
    out
}

#[test]
fn markdown_comment_of_a_greenfield_plan_behind_the_gate() {
    let out = whatif_output(&[
        "--plan",
        "fixtures/terraform/greenfield-bastion.json",
        "--deny-scope",
        "all-igw-ingress",
        "--format",
        "markdown",
    ]);
    insta::assert_snapshot!(out);
}

#[test]
fn markdown_comment_of_gained_lost_and_unknown_pairs() {
    let out = whatif_output(&[
        "--snapshot",
        "fixtures/three-tier",
        "--plan",
        "fixtures/terraform/sg-rule-replace.json",
        "--plan",
        "fixtures/terraform/nacl-rule-delete.json",
        "--plan",
        "fixtures/terraform/sg-rule-unknown-cidr.json",
        "--format",
        "markdown",
    ]);
    insta::assert_snapshot!(out);
}

#[test]
fn sarif_of_a_plan_that_opens_ssh_behind_the_gate() {
    let out = whatif_output(&[
        "--snapshot",
        "fixtures/three-tier",
        "--plan",
        "fixtures/terraform/sg-rule-create.json",
        "--deny-scope",
        "all-igw-ingress",
        "--format",
        "sarif",
    ]);
    insta::assert_snapshot!(out);
}

#[test]
fn sarif_of_a_greenfield_plan_and_unknown_pairs() {
    let out = whatif_output(&[
        "--plan",
        "fixtures/terraform/greenfield-bastion.json",
        "--format",
        "sarif",
    ]);
    insta::assert_snapshot!("sarif_greenfield", out);
    let out = whatif_output(&[
        "--snapshot",
        "fixtures/three-tier",
        "--plan",
        "fixtures/terraform/sg-rule-unknown-cidr.json",
        "--format",
        "sarif",
    ]);
    insta::assert_snapshot!("sarif_unknown_cidr", out);
}
