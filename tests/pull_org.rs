//! `vpcreach pull --org` / `--accounts` against an organisation in moto
//! (issue 17, docs/org.md): the layout and metadata written, verdicts
//! across accounts, one account's role denied, throttling, Ctrl-C.
//! Rules cited are XA.* of docs/semantics-additions.md.
#![cfg(feature = "aws")]

mod fault_proxy;
mod moto;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use fault_proxy::{Fault, FaultProxy, Rule};
use moto::*;
use serde_json::Value;

const ROLE: &str = "OrganizationAccountAccessRole";

/// moto with the organisation of tests/moto_org.py.
fn organisation() -> (Moto, Value) {
    let moto = Moto::start(&[]);
    let org = moto.script("moto_org.py", &[]);
    (moto, org)
}

fn s<'a>(v: &'a Value, path: &[&str]) -> &'a str {
    let mut v = v;
    for p in path {
        v = &v[*p];
    }
    v.as_str().unwrap_or_else(|| panic!("{path:?} in {v}"))
}

fn pull(home: &AwsHome, endpoint: &str, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "pull",
        "--org",
        "--role-name",
        ROLE,
        "--region",
        "us-east-1",
        "--endpoint-url",
        endpoint,
        "--output",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let run = home.run(&args, &DUMMY_KEYS);
    // The metadata as AWS would leave it: moto's gaps (Block Public Access,
    // firewall policies and rule groups) are not this test's subject.
    if run.status.success() && out.join("vpcreach-snapshot.json").exists() {
        accept_moto_gaps(out);
    }
    run
}

/// A pull into `dir`'s old snapshot that must fail (exit 2), say each of
/// `says`, and leave the old snapshot as it was and no temporary folder.
fn pull_fails(home: &AwsHome, endpoint: &str, dir: &Path, says: &[&str]) -> String {
    let out = pull(home, endpoint, &dir.join("snap"), &[]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    for s in says {
        assert!(stderr.contains(s), "{s}: {stderr}");
    }
    assert_old_snapshot_intact(dir);
    assert_no_temporary_folder(dir);
    stderr
}

fn metadata(snap: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(snap.join("vpcreach-snapshot.json")).unwrap())
        .unwrap()
}

/// `path` verdict: 0 reachable, 1 not (or unknown); the JSON document.
fn path(snap: &Path, source: &str, destination: &str, port: &str) -> (i32, Value) {
    let out = Command::new(BIN)
        .args([
            "path",
            "--snapshot",
            snap.to_str().unwrap(),
            "--source",
            source,
            "--destination",
            destination,
            "--protocol",
            "tcp",
            "--port",
            port,
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code().unwrap(), doc)
}

fn explanation_codes(doc: &Value) -> Vec<String> {
    doc["Explanations"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["ExplanationCode"].as_str().map(str::to_owned))
        .collect()
}

fn status(doc: &Value) -> String {
    doc.pointer("/Status")
        .or_else(|| doc.pointer("/NetworkInsightsAnalysis/Status"))
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string()
}

/// The questions both the pulled organisation and its hand-written twin
/// (fixtures/org-moto) answer: (source, destination, port) by role name,
/// and whether it is reachable.
const QUESTIONS: &[(&str, &str, &str, bool)] = &[
    // a -> b over the cross-account peering: b admits 22 from 10.1/16.
    ("wa", "wb", "22", true),
    ("wb", "wa", "443", true),
    // b admits only 22; a admits only 443 from 10.2/16.
    ("wa", "wb", "443", false),
    ("wb", "wa", "22", false),
    // Peering is not transitive and the TGW has no workload attachment (moto
    // stops there): the network account is not reachable from a workload.
    ("wa", "net", "443", false),
    ("net", "wb", "22", false),
];

#[test]
fn org_pull_writes_every_account_and_answers_as_the_hand_written_twin() {
    let (moto, org) = organisation();
    let home = AwsHome::new();
    let dir = tempfile::tempdir().unwrap();
    let snap = dir.path().join("snap");
    let started = Instant::now();
    let out = pull(&home, &moto.endpoint, &snap, &[]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("of 4 accounts"), "{stderr}");
    eprintln!("pull --org of 4 accounts: {:?}", started.elapsed());

    // accounts/<id>/<region>/ for the management account and the three
    // members; the caller's own account without a role.
    let meta = metadata(&snap);
    let accounts = meta["VpcreachSnapshot"]["Accounts"].as_array().unwrap();
    let ids: Vec<&str> = accounts.iter().map(|a| s(a, &["AccountId"])).collect();
    let mut want = vec![
        s(&org, &["management"]),
        s(&org, &["network"]),
        s(&org, &["a"]),
        s(&org, &["b"]),
    ];
    want.sort();
    assert_eq!(ids, want);
    for a in accounts {
        let id = s(a, &["AccountId"]);
        assert_eq!(s(a, &["Status"]), "pulled", "{a}");
        assert!(snap
            .join("accounts")
            .join(id)
            .join("us-east-1/vpcs.json")
            .is_file());
        match id == s(&org, &["management"]) {
            true => assert!(a.get("RoleArn").is_none(), "{a}"),
            false => assert_eq!(s(a, &["RoleArn"]), format!("arn:aws:iam::{id}:role/{ROLE}")),
        }
    }
    assert_eq!(meta["VpcreachSnapshot"]["Complete"], true);
    assert_eq!(meta["VpcreachSnapshot"]["Account"], "123456789012");
    let calls = meta["VpcreachSnapshot"]["Calls"].as_array().unwrap();
    assert!(calls
        .iter()
        .all(|c| s(c, &["File"]).starts_with(&format!("accounts/{}/", s(c, &["Account"])))));

    // Resources belong to the account whose role created them (moto).
    let vpcs: Value = serde_json::from_str(
        &std::fs::read_to_string(
            snap.join("accounts")
                .join(s(&org, &["a"]))
                .join("us-east-1/vpcs.json"),
        )
        .unwrap(),
    )
    .unwrap();
    assert!(vpcs["Vpcs"]
        .as_array()
        .unwrap()
        .iter()
        .any(|v| v["VpcId"] == org["wa"]["vpc"] && v["OwnerId"] == org["a"]));

    // The cross-account peering is seen from both accounts: one resource
    // (XA.1), not an ambiguous id.
    let check = Command::new(BIN)
        .args(["check", "--snapshot", snap.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        !String::from_utf8_lossy(&check.stdout).contains("different content")
            && !String::from_utf8_lossy(&check.stderr).contains("different content"),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );

    let twin = repo().join("fixtures/org-moto");
    for (from, to, port, reachable) in QUESTIONS {
        let pulled = path(
            &snap,
            s(&org, &[from, "instance"]),
            s(&org, &[to, "instance"]),
            port,
        );
        let written = path(&twin, &format!("i-{from}"), &format!("i-{to}"), port);
        assert_eq!(
            pulled.0 == 0,
            *reachable,
            "pulled {from} -> {to}:{port}: {}",
            pulled.1
        );
        assert_eq!(
            written.0 == 0,
            *reachable,
            "fixture {from} -> {to}:{port}: {}",
            written.1
        );
        assert_eq!(
            status(&pulled.1),
            status(&written.1),
            "{from} -> {to}:{port}"
        );
    }
}

#[test]
fn one_account_whose_role_is_denied_fails_the_pull_naming_it_or_is_recorded_with_allow_partial() {
    let (moto, org) = organisation();
    let b = s(&org, &["b"]).to_string();
    let proxy = FaultProxy::start(
        &moto.endpoint,
        vec![Rule::always(
            "AssumeRole",
            Fault::DenyWhenBodyHas(b.clone()),
        )],
    );
    let home = AwsHome::new();
    let dir = tempfile::tempdir().unwrap();
    let snap = old_snapshot(dir.path());

    pull_fails(
        &home,
        &proxy.endpoint,
        dir.path(),
        &[
            &format!("{b} (sts:AssumeRole: AccessDenied"),
            "1 account could not be pulled",
        ],
    );

    let out = pull(&home, &proxy.endpoint, &snap, &["--allow-partial"]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("1 account not pulled"), "{stderr}");
    assert!(
        stderr.contains(&format!("account {b}: sts:AssumeRole")),
        "{stderr}"
    );
    let meta = metadata(&snap);
    assert_eq!(meta["VpcreachSnapshot"]["Complete"], false);
    let entry = meta["VpcreachSnapshot"]["Accounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["AccountId"] == b.as_str())
        .unwrap()
        .clone();
    assert_eq!(entry["Status"], "failed");
    assert_eq!(entry["FailedAction"], "sts:AssumeRole");
    assert_eq!(entry["ErrorCode"], "AccessDenied");
    assert!(!snap.join("accounts").join(&b).exists());

    // XA.5: the peering leads into the missing account: UNKNOWN_RESOURCE
    // (the peer VPC), not a blocking code. A path that does not touch it
    // keeps its verdict.
    let (code, doc) = path(
        &snap,
        s(&org, &["wa", "instance"]),
        s(&org, &["wb", "ip"]),
        "22",
    );
    assert_eq!(code, 1);
    let codes = explanation_codes(&doc);
    assert_eq!(codes, vec!["UNKNOWN_RESOURCE".to_string()], "{doc}");
    assert!(doc.to_string().contains(s(&org, &["wb", "vpc"])), "{doc}");
    let (code, doc) = path(
        &snap,
        s(&org, &["wa", "instance"]),
        s(&org, &["net", "ip"]),
        "443",
    );
    assert_eq!(code, 1);
    assert!(
        !explanation_codes(&doc).contains(&"UNKNOWN_RESOURCE".to_string()),
        "{doc}"
    );

    // An audit over every pair cannot be clean without the account.
    let audit = Command::new(BIN)
        .args([
            "audit",
            "--snapshot",
            snap.to_str().unwrap(),
            "--scope",
            "all-igw-ingress",
        ])
        .output()
        .unwrap();
    let report = text(&audit.stdout);
    assert_eq!(audit.status.code(), Some(1), "{report}");
    assert!(
        report.contains(&format!("account {b} could not be pulled")),
        "{report}"
    );
}

#[test]
fn throttling_is_retried_with_backoff_and_the_pull_completes() {
    let (moto, _org) = organisation();
    // Each service's throttling in its own shape: EC2's `Throttling` and
    // `RequestLimitExceeded` (HTTP 503), STS's `Throttling`, Organizations'
    // `TooManyRequestsException` (JSON protocol). The SDK's standard retry
    // classifies each as throttling.
    let proxy = FaultProxy::start(
        &moto.endpoint,
        vec![
            Rule::first(3, "DescribeVpcs", Fault::Throttling),
            Rule::first(2, "DescribeSubnets", Fault::Throttling),
            Rule::first(
                2,
                "DescribeRouteTables",
                Fault::error("503 Service Unavailable", "RequestLimitExceeded"),
            ),
            Rule::first(
                2,
                "AssumeRole",
                Fault::error("400 Bad Request", "Throttling"),
            ),
            Rule::first(
                1,
                "ListAccounts",
                Fault::error("400 Bad Request", "TooManyRequestsException"),
            ),
        ],
    );
    let home = AwsHome::new();
    let dir = tempfile::tempdir().unwrap();
    let snap = dir.path().join("snap");
    let out = pull(&home, &proxy.endpoint, &snap, &[]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(proxy.applied(), vec![3, 2, 2, 2, 1]);
    let meta = metadata(&snap);
    assert_eq!(meta["VpcreachSnapshot"]["Complete"], true);
    assert_eq!(
        meta["VpcreachSnapshot"]["Accounts"]
            .as_array()
            .unwrap()
            .len(),
        4
    );
}

#[test]
fn accounts_without_org_pulls_exactly_the_list_and_exclude_leaves_out() {
    let (moto, org) = organisation();
    let home = AwsHome::new();
    let dir = tempfile::tempdir().unwrap();
    let snap = dir.path().join("snap");
    let list = format!("{},{}", s(&org, &["a"]), s(&org, &["b"]));
    let out = home.run(
        &[
            "pull",
            "--accounts",
            &list,
            "--role-name",
            ROLE,
            "--region",
            "us-east-1",
            "--endpoint-url",
            &moto.endpoint,
            "--output",
            snap.to_str().unwrap(),
        ],
        &DUMMY_KEYS,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let mut got: Vec<String> = std::fs::read_dir(snap.join("accounts"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    got.sort();
    let mut want = vec![s(&org, &["a"]).to_string(), s(&org, &["b"]).to_string()];
    want.sort();
    assert_eq!(got, want);

    let out = pull(
        &home,
        &moto.endpoint,
        &snap,
        &[
            "--exclude-accounts",
            &format!("123456789012,{}", s(&org, &["network"])),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let n = std::fs::read_dir(snap.join("accounts")).unwrap().count();
    assert_eq!(n, 2);

    // Not an account id: a usage error before any call.
    let out = home.run(
        &[
            "pull",
            "--accounts",
            "12345",
            "--role-name",
            ROLE,
            "--output",
            "x",
        ],
        &DUMMY_KEYS,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("not an AWS account id"));
}

#[test]
fn ctrl_c_mid_org_pull_leaves_the_old_snapshot_and_no_temporary_folder() {
    let (moto, _org) = organisation();
    let home = AwsHome::new();
    let dir = tempfile::tempdir().unwrap();
    let snap = old_snapshot(dir.path());
    let mut child = home
        .command(
            &[
                "pull",
                "--org",
                "--role-name",
                ROLE,
                "--all-regions",
                "--max-concurrency",
                "1",
                "--endpoint-url",
                &moto.endpoint,
                "--output",
                snap.to_str().unwrap(),
                "--quiet",
            ],
            &DUMMY_KEYS,
        )
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(2500));
    assert!(child.try_wait().unwrap().is_none(), "still pulling");
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = child.wait_with_output().unwrap();
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("interrupted (SIGINT)"), "{stderr}");
    assert_old_snapshot_intact(dir.path());
    assert_no_temporary_folder(dir.path());
}

#[test]
fn org_outside_an_organisation_fails_naming_list_accounts() {
    // AWS answers ListAccounts in an account that belongs to no
    // organisation with AWSOrganizationsNotInUseException (a member
    // account gets AccessDeniedException); moto answers an empty list, so
    // the proxy gives AWS's answer.
    let (moto, _org) = organisation();
    let proxy = FaultProxy::start(
        &moto.endpoint,
        vec![Rule::always(
            "ListAccounts",
            Fault::error("400 Bad Request", "AWSOrganizationsNotInUseException"),
        )],
    );
    let home = AwsHome::new();
    let dir = tempfile::tempdir().unwrap();
    old_snapshot(dir.path());
    pull_fails(
        &home,
        &proxy.endpoint,
        dir.path(),
        &[
            "organizations:ListAccounts",
            "AWSOrganizationsNotInUseException",
            "--accounts",
        ],
    );

    // An organisation that lists no active account (moto's answer outside
    // an organisation): nothing to pull, exit 2, nothing written.
    let empty = Moto::start(&[]);
    pull_fails(&home, &empty.endpoint, dir.path(), &["no account to pull"]);
}

#[test]
fn suspended_accounts_are_not_asked_for() {
    let moto = Moto::start(&[]);
    let org = moto.script("moto_org.py", &["2", "1"]);
    let closed = org["closed"][0].as_str().unwrap().to_string();
    let active = org["extra"][1].as_str().unwrap().to_string();
    let proxy = FaultProxy::start(&moto.endpoint, vec![]);
    let home = AwsHome::new();
    let dir = tempfile::tempdir().unwrap();
    let snap = dir.path().join("snap");
    let out = pull(&home, &proxy.endpoint, &snap, &[]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let meta = metadata(&snap);
    assert_eq!(meta["VpcreachSnapshot"]["Complete"], true);
    let ids: Vec<&str> = meta["VpcreachSnapshot"]["Accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| s(a, &["AccountId"]))
        .collect();
    assert_eq!(ids.len(), 5, "{ids:?}");
    assert!(ids.contains(&active.as_str()) && !ids.contains(&closed.as_str()));
    assert!(!snap.join("accounts").join(&closed).exists());
    // One AssumeRole per member account pulled (4), and its refresh by the
    // SDK's provider (4): none for the suspended one.
    let assumed = proxy
        .actions()
        .iter()
        .filter(|a| *a == "AssumeRole")
        .count();
    assert!(assumed <= 8, "{assumed}");
}

#[test]
fn one_account_whose_calls_are_denied_is_named_or_recorded_as_partial() {
    let (moto, org) = organisation();
    // The first DescribeNetworkAcls of the pull, whichever account asks it.
    let denied = || {
        FaultProxy::start(
            &moto.endpoint,
            vec![Rule::first(
                1,
                "DescribeNetworkAcls",
                Fault::error("403 Forbidden", "UnauthorizedOperation"),
            )],
        )
    };
    let home = AwsHome::new();
    let dir = tempfile::tempdir().unwrap();
    let snap = old_snapshot(dir.path());

    let proxy = denied();
    pull_fails(
        &home,
        &proxy.endpoint,
        dir.path(),
        &["1 account could not be pulled", "ec2:DescribeNetworkAcls"],
    );
    assert_eq!(proxy.applied(), vec![1]);

    let proxy = denied();
    let out = pull(&home, &proxy.endpoint, &snap, &["--allow-partial"]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let meta = metadata(&snap);
    let meta = &meta["VpcreachSnapshot"];
    assert_eq!(meta["Complete"], false);
    let accounts = meta["Accounts"].as_array().unwrap();
    assert_eq!(accounts.len(), 4);
    let partial: Vec<&Value> = accounts
        .iter()
        .filter(|a| a["Status"] == "partial")
        .collect();
    assert_eq!(partial.len(), 1, "{accounts:?}");
    assert_eq!(
        accounts.iter().filter(|a| a["Status"] == "pulled").count(),
        3
    );
    let id = s(partial[0], &["AccountId"]);
    let missing = meta["Missing"].as_array().unwrap();
    assert_eq!(missing.len(), 1, "{missing:?}");
    assert_eq!(missing[0]["Account"], id);
    assert_eq!(missing[0]["Action"], "ec2:DescribeNetworkAcls");
    assert!(stderr.contains(id), "{stderr}");
    // What was read is written; what was not is not made up.
    let region = snap.join("accounts").join(id).join("us-east-1");
    assert!(region.join("vpcs.json").is_file());
    assert!(!region.join("network-acls.json").exists());

    // R-partial.1: without one account's NACLs no path is known.
    let (code, doc) = path(
        &snap,
        s(&org, &["wa", "instance"]),
        s(&org, &["wb", "instance"]),
        "22",
    );
    assert_eq!(code, 1, "{doc}");
    assert!(
        explanation_codes(&doc).contains(&"UNKNOWN_RESOURCE".to_string()),
        "{doc}"
    );
}

#[test]
fn concurrency_is_bounded_by_max_concurrency_across_accounts() {
    let (moto, _org) = organisation();
    // Slow answers, so that requests pile up if nothing holds them back.
    let slow = Fault::Delay(Duration::from_millis(150));
    let proxy = FaultProxy::start(
        &moto.endpoint,
        vec![
            Rule::always("DescribeVpcs", slow.clone()),
            Rule::always("DescribeSubnets", slow.clone()),
            Rule::always("DescribeSecurityGroups", slow),
        ],
    );
    let home = AwsHome::new();
    let dir = tempfile::tempdir().unwrap();
    let snap = dir.path().join("snap");
    let out = pull(&home, &proxy.endpoint, &snap, &["--max-concurrency", "3"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let peak = proxy.peak();
    assert!((2..=3).contains(&peak), "peak of {peak} requests in flight");
}
