//! The moto server and the empty AWS environment the live-pull tests run
//! `vpcreach pull` in (tests/pull_moto.rs, tests/pull_faults.rs), and the
//! earlier snapshot a failed pull must leave as it was.
//!
//! `bash tests/run.sh` installs moto into `$CARGO_TARGET_DIR/moto-venv` and
//! exports `VPCREACH_MOTO_PYTHON`; without it these tests look for that venv
//! and fail (never skip) with a message saying to run the script.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

pub const BIN: &str = env!("CARGO_BIN_EXE_vpcreach");

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The venv's python: `VPCREACH_MOTO_PYTHON`, else `<target>/moto-venv`.
pub fn moto_python() -> PathBuf {
    if let Some(p) = std::env::var_os("VPCREACH_MOTO_PYTHON") {
        let p = PathBuf::from(p);
        assert!(
            p.exists(),
            "VPCREACH_MOTO_PYTHON={} does not exist: run `bash tests/run.sh`, which installs moto",
            p.display()
        );
        return p;
    }
    // <target>/debug/vpcreach → <target>/moto-venv/bin/python
    let target = Path::new(BIN)
        .parent()
        .and_then(Path::parent)
        .expect("the binary is inside the target directory");
    let p = target.join("moto-venv").join("bin").join("python");
    assert!(
        p.exists(),
        "moto is not installed ({} is missing): run `bash tests/run.sh`, which creates the venv with moto[server] and runs the tests",
        p.display()
    );
    p
}

/// A moto server on a free loopback port, stopped on drop.
pub struct Moto {
    pub child: Child,
    pub endpoint: String,
    log: tempfile::NamedTempFile,
}

impl Moto {
    pub fn start(env: &[(&str, &str)]) -> Moto {
        let python = moto_python();
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let log = tempfile::NamedTempFile::new().unwrap();
        let mut cmd = Command::new(&python);
        // moto's server, answering what moto does not implement as AWS
        // answers an operation an endpoint does not offer (MOTO_LACKS).
        cmd.arg(repo().join("tests").join("moto_server.py"));
        cmd.args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(log.reopen().unwrap())
            .stderr(log.reopen().unwrap());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {} -m moto.server: {e}", python.display()));
        let mut moto = Moto {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
            log,
        };
        moto.wait_ready(port);
        moto
    }

    fn wait_ready(&mut self, port: u16) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("moto.server exited ({status}):\n{}", self.log_text());
            }
            if let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) {
                let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
                let _ = s.write_all(
                    b"GET /moto-api/ HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
                );
                let mut buf = [0u8; 12];
                if s.read_exact(&mut buf).is_ok() && buf.starts_with(b"HTTP/1.") {
                    return;
                }
            }
            assert!(
                Instant::now() < deadline,
                "moto.server did not answer on port {port} within 60 s:\n{}",
                self.log_text()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(self.log.path()).unwrap_or_default()
    }

    /// Run one of the tests/ python scripts against this server.
    pub fn script(&self, name: &str, args: &[&str]) -> Value {
        self.run_script(name, std::ffi::OsStr::new(&self.endpoint), args)
    }

    /// Run one of the tests/ python scripts on a snapshot directory.
    pub fn script_at(&self, name: &str, dir: &Path) -> Value {
        self.run_script(name, dir.as_os_str(), &[])
    }

    pub fn run_script(&self, name: &str, first: &std::ffi::OsStr, args: &[&str]) -> Value {
        let out = Command::new(moto_python())
            .arg(repo().join("tests").join(name))
            .arg(first)
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{name} failed:\n{}\nmoto log:\n{}",
            String::from_utf8_lossy(&out.stderr),
            self.log_text()
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An empty AWS environment: only what the test sets reaches the binary
/// (no profile, config file, credentials file or instance metadata of the
/// machine running the tests).
pub struct AwsHome(pub tempfile::TempDir);

impl AwsHome {
    pub fn new() -> AwsHome {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("config"), "").unwrap();
        std::fs::write(dir.path().join("credentials"), "").unwrap();
        AwsHome(dir)
    }

    pub fn command(&self, args: &[&str], env: &[(&str, &str)]) -> Command {
        let mut cmd = Command::new(BIN);
        cmd.args(args).stdin(Stdio::null());
        for (k, _) in std::env::vars_os() {
            if k.to_string_lossy().starts_with("AWS_") {
                cmd.env_remove(&k);
            }
        }
        cmd.env("HOME", self.0.path())
            .env("AWS_CONFIG_FILE", self.0.path().join("config"))
            .env(
                "AWS_SHARED_CREDENTIALS_FILE",
                self.0.path().join("credentials"),
            )
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("NO_COLOR", "1");
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd
    }

    pub fn run(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        self.command(args, env).output().unwrap()
    }
}

pub const DUMMY_KEYS: [(&str, &str); 2] = [
    ("AWS_ACCESS_KEY_ID", "testing"),
    ("AWS_SECRET_ACCESS_KEY", "testing"),
];

/// Output with miette's line wrapping and box drawing undone, for matching.
pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b)
        .split_whitespace()
        .filter(|w| *w != "│")
        .collect::<Vec<_>>()
        .join(" ")
}

pub fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// An earlier snapshot at --output, to check a failed pull leaves it alone.
pub fn old_snapshot(dir: &Path) -> PathBuf {
    let snap = dir.join("snap");
    std::fs::create_dir_all(snap.join("us-east-1")).unwrap();
    std::fs::write(
        snap.join("vpcreach-snapshot.json"),
        "{\"VpcreachSnapshot\": {\"Tool\": \"old\"}}",
    )
    .unwrap();
    std::fs::write(snap.join("us-east-1/vpcs.json"), "{\"Vpcs\": []}").unwrap();
    snap
}

pub fn assert_old_snapshot_intact(dir: &Path) {
    let snap = dir.join("snap");
    assert_eq!(
        std::fs::read_to_string(snap.join("vpcreach-snapshot.json")).unwrap(),
        "{\"VpcreachSnapshot\": {\"Tool\": \"old\"}}"
    );
    assert_eq!(
        std::fs::read_to_string(snap.join("us-east-1/vpcs.json")).unwrap(),
        "{\"Vpcs\": []}"
    );
    assert_eq!(walk(&snap).len(), 2);
}

/// The directory holds only `snap`: no temporary folder left beside it.
pub fn assert_no_temporary_folder(dir: &Path) {
    let siblings: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        siblings,
        vec![std::ffi::OsString::from("snap")],
        "no temporary folder left"
    );
}

/// The operations `pull` makes that moto 5 does not implement
/// (docs/pull.md): tests/moto_server.py answers them `InvalidAction` (EC2)
/// or `UnknownOperationException` (Network Firewall), and `pull` records
/// them in the metadata's `Missing` list.
pub const MOTO_LACKS: &[&str] = &[
    "DescribeVpcBlockPublicAccessOptions",
    "DescribeVpcBlockPublicAccessExclusions",
    "ListFirewallPolicies",
    "DescribeFirewallPolicy",
    "ListRuleGroups",
    "DescribeRuleGroup",
];

/// Whether a `Missing` entry is one of moto's gaps, answered as unsupported.
pub fn is_moto_gap(m: &Value) -> bool {
    MOTO_LACKS.contains(&m["Operation"].as_str().unwrap_or(""))
        && matches!(
            m["ErrorCode"].as_str(),
            Some("InvalidAction" | "UnknownOperationException")
        )
}

/// The metadata of a pull from moto as AWS would write it: moto's gaps
/// ([`MOTO_LACKS`]) taken out of `Missing` (an account without Block Public
/// Access, firewall policies or rule groups gives the same files), so that
/// the verdicts compare with the hand-written fixtures. Returns the gaps
/// taken out; any other missing entry stays.
pub fn accept_moto_gaps(snap: &Path) -> Vec<String> {
    let path = snap.join("vpcreach-snapshot.json");
    let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let meta = &mut doc["VpcreachSnapshot"];
    let missing = meta["Missing"].as_array().cloned().unwrap_or_default();
    let (gaps, rest): (Vec<Value>, Vec<Value>) = missing.into_iter().partition(is_moto_gap);
    // An organisation pull: an account whose only missing calls were gaps
    // was pulled whole.
    if let Some(accounts) = meta["Accounts"].as_array_mut() {
        for a in accounts {
            let id = a["AccountId"].clone();
            if a["Status"] == "partial" && !rest.iter().any(|m| m["Account"] == id) {
                a["Status"] = "pulled".into();
            }
        }
    }
    let accounts_whole = meta["Accounts"]
        .as_array()
        .is_none_or(|accounts| accounts.iter().all(|a| a["Status"] == "pulled"));
    meta["Complete"] = (rest.is_empty() && accounts_whole).into();
    meta["Missing"] = Value::Array(rest);
    std::fs::write(&path, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
    gaps.iter()
        .map(|m| m["Operation"].as_str().unwrap().to_string())
        .collect()
}
