//! What the diagram and browser tests share: fixtures by name, questions,
//! the ids a picture must show, and the external tools (Graphviz, Chromium)
//! that must not be skipped in CI.

#![allow(dead_code)]

use std::path::Path;

use vpcreach::analysis::{PathAnalysis, PathQuery, ProtocolChoice};
use vpcreach::snapshot;

pub const WEB: &str = "i-07f28259358129954";
pub const APP: &str = "i-0016847fb97bb2cfa";
pub const DB: &str = "i-0ebd276bfd4c4ec83";
pub const HA: &str = "i-0682ea85b81532068";
pub const HB: &str = "i-024ef9fef9890d142";

pub fn fixture(name: &str) -> snapshot::Snapshot {
    snapshot::load(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures")
            .join(name),
    )
    .expect("fixture loads")
}

pub fn query(src: &str, dst: &str, proto: u8, port: Option<u16>) -> PathQuery {
    PathQuery {
        source: src.into(),
        destination: dst.into(),
        protocol: ProtocolChoice::Number(proto),
        dport: port.map(|p| (p, p)),
        sport: Some((1024, 65535)),
        source_ip: None,
        destination_ip: None,
    }
}

/// Every hop's component id and every blocker's code.
pub fn hops_and_blockers(a: &PathAnalysis) -> Vec<String> {
    a.forward
        .iter()
        .chain(&a.ret)
        .map(|h| h.component.id.clone())
        .chain(a.explanations.iter().map(|e| e.code.to_string()))
        .collect()
}

/// The all-igw-ingress audit of a fixture.
pub fn audit_igw_ingress(topo: &vpcreach::topology::Topology) -> vpcreach::audit::AuditResult {
    let text = vpcreach::audit::scope::built_in("all-igw-ingress").unwrap();
    let scope = vpcreach::snapshot::scope_shapes::parse_scope(
        Path::new("all-igw-ingress"),
        text,
        "all-igw-ingress",
    )
    .unwrap();
    vpcreach::audit::audit(topo, &scope).unwrap()
}

/// Whether an external test tool runs; in CI (`CI=true`) a missing one fails.
pub fn tool_present(program: &str, version_flag: &str, package: &str) -> bool {
    let present = std::process::Command::new(program)
        .arg(version_flag)
        .output()
        .is_ok_and(|o| o.status.success());
    if !present {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "`{program}` is missing in CI: tests/run.sh installs it (apt-get install {package})"
        );
        eprintln!(
            "skipping checks with `{program}`: not installed (tests/run.sh installs {package})"
        );
    }
    present
}
