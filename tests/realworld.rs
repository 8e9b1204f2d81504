//! `check` over every input of ../shared/realworld/ (AWS output written by
//! others, see its README): each loads, or fails with a located error
//! exactly when it holds what AWS could never print (a typo in the
//! documentation, a placeholder address). Issue 14, "real shapes".

use std::path::{Path, PathBuf};
use std::process::Command;

/// `../shared/realworld` from the repository root (`../../shared` from a
/// worktree under /work/wt).
fn realworld() -> PathBuf {
    ["../shared/realworld", "../../shared/realworld"]
        .into_iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
        .expect("../shared/realworld")
}

/// (exit code, stderr) of `vpcreach check --snapshot path`.
fn check(path: &Path) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_vpcreach"))
        .args(["check", "--snapshot", path.to_str().unwrap()])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    v.sort();
    v
}

/// What AWS could never print, as (file name, what the error must say):
/// documentation typos and placeholder addresses.
const NEVER_PRINTED: &[(&str, &str)] = &[
    // "10-0-0-157": the DNS label, not an address.
    ("describe-instances.3c2d75b7d4.1.json", "PrivateIpAddress"),
    // 198.11.222.333: an octet above 255.
    ("describe-nat-gateways.7b800c28e4.1.json", "PublicIp"),
    ("describe-nat-gateways.e2af9da4ed.1.json", "PublicIp"),
    // `VpnConnections` as an object: the call prints a list.
    (
        "describe-vpn-connections.03f113085b.1.json",
        "expected a sequence",
    ),
    // cartography's placeholder 345.345.345.345.
    ("instances.json", "345.345.345.345"),
    // cartography's IPv6 CIDR in the IPv4 `CidrBlock` field.
    ("vpcs.json", "IPv6 where IPv4 is expected"),
];

/// Each input: loads (exit 0 or 1, warnings allowed) unless listed in
/// [`NEVER_PRINTED`], which fails located (file:line:column, exit 2).
fn assert_as_aws_justifies(path: &Path, failures: &mut Vec<String>) {
    let (code, stderr) = check(path);
    let name = path.file_name().unwrap().to_str().unwrap();
    let expected = NEVER_PRINTED.iter().find(|(n, _)| {
        *n == name
            && path
                .to_str()
                .unwrap()
                .contains(if *n == "instances.json" || *n == "vpcs.json" {
                    "cartography-ec2"
                } else {
                    "aws-cli-examples"
                })
    });
    match expected {
        None if code == 2 => failures.push(format!("{} fails: {stderr}", path.display())),
        Some((_, says))
            if code != 2 || !flat(&stderr).contains(says) || !located(&stderr, name) =>
        {
            failures.push(format!(
                "{} should fail located saying {says}: exit {code}, {stderr}",
                path.display()
            ))
        }
        _ => {}
    }
}

/// The diagnostic on one line: miette's wrapping and frame removed.
fn flat(stderr: &str) -> String {
    stderr
        .split_whitespace()
        .map(|w| w.trim_start_matches('│'))
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The diagnostic names `file:line:column`.
fn located(stderr: &str, name: &str) -> bool {
    let flat: String = stderr
        .split_whitespace()
        .map(|w| w.trim_start_matches('│'))
        .collect();
    flat.find(name).is_some_and(|i| {
        let rest = &flat[i + name.len()..];
        let mut parts = rest.splitn(3, ':');
        parts.next() == Some("")
            && parts
                .next()
                .is_some_and(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_digit()))
            && parts
                .next()
                .is_some_and(|c| c.starts_with(|c: char| c.is_ascii_digit()))
    })
}

#[test]
fn aws_cli_examples_load_unless_aws_could_never_print_them() {
    let mut failures = Vec::new();
    for f in files(&realworld().join("aws-cli-examples/valid")) {
        assert_as_aws_justifies(&f, &mut failures);
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

/// What the documentation prints but is not JSON fails located.
#[test]
fn aws_cli_examples_that_are_not_json_fail_located() {
    let dir = realworld().join("aws-cli-examples/invalid");
    let mut failures = Vec::new();
    for f in std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()) {
        let (code, stderr) = check(&f);
        let name = f.file_name().unwrap().to_str().unwrap();
        if code != 2 || !located(&stderr, name) {
            failures.push(format!("{}: exit {code}, {stderr}", f.display()));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

/// Batfish's snapshots (each an `aws_configs/` tree) and cloudmapper's
/// demo account load as folders; cartography's transcribed responses and
/// Batfish's single-resource inputs file by file.
#[test]
fn batfish_cartography_and_cloudmapper_load_as_aws_justifies() {
    let root = realworld();
    let mut failures = Vec::new();
    for entry in std::fs::read_dir(root.join("batfish-aws")).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() && p.file_name().unwrap() != "unit-json" {
            assert_as_aws_justifies(&p, &mut failures);
        }
    }
    for dir in [
        "batfish-aws/unit-json",
        "cartography-ec2/us-east-1",
        "cartography-nacl/us-east-1",
    ] {
        for f in files(&root.join(dir)) {
            assert_as_aws_justifies(&f, &mut failures);
        }
    }
    assert_as_aws_justifies(&root.join("cloudmapper-demo"), &mut failures);
    assert!(failures.is_empty(), "{failures:#?}");
}
