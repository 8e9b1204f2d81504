//! Reports: analysis results as text for people and JSON for machines.
//!
//! Owns: wording, layout, colour and the AWS-shaped JSON field names. Must
//! not know: how results were computed, or where the snapshot came from
//! (a pulled snapshot's provenance arrives as a line and a JSON value).

pub mod answer;
pub mod audit;
pub mod check;
pub mod diagram;
pub mod elb;
pub mod flows;
pub mod json;
pub mod plan;
pub mod text;
pub mod whatif;

use serde_json::Value;

use crate::snapshot::metadata::Provenance;

/// Kinds of resources an answer depends on that the snapshot lacks, as
/// (what, IAM action that was denied).
pub type Unknown = [(String, String)];

/// A JSON document as the CLI prints it: pretty, one trailing newline.
pub fn pretty(v: &Value) -> String {
    // A `Value` has string keys only, so serialising it cannot fail.
    serde_json::to_string_pretty(v).expect("a JSON value serialises") + "\n"
}

/// The first line of a text answer that the snapshot cannot give.
pub fn unknown_banner(unknown: &Unknown) -> String {
    if unknown.is_empty() {
        return String::new();
    }
    let what: Vec<&str> = unknown.iter().map(|(w, _)| w.as_str()).collect();
    let why = if what.iter().all(|w| w.contains("not evaluated")) {
        "vpcreach does not evaluate everything the answer depends on"
    } else {
        "the snapshot is incomplete"
    };
    format!(
        "UNKNOWN — {why} ({}): what follows is not a verdict\n\n",
        what.join(", ")
    )
}

/// JSON reports of pulled snapshots carry `Snapshot` (tool, version, time,
/// account, regions, what is missing) and, when the answer depends on what
/// is missing, `"Status": "unknown"`.
pub fn with_provenance(v: &mut Value, provenance: Option<&Provenance>, unknown: &Unknown) {
    if let Some(p) = provenance {
        v["Snapshot"] = serde_json::to_value(p).expect("provenance is plain data");
    }
    if !unknown.is_empty() {
        v["Status"] = serde_json::json!("unknown");
    }
}
