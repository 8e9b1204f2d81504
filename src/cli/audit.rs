//! `audit`: every path a Network Access Scope selects. Exit 0 clean, 1
//! findings (or a snapshot too incomplete to call it clean).

use std::collections::BTreeSet;
use std::path::PathBuf;

use clap::ValueEnum;

use super::common::{load, load_scope, print, unknown_for_all_pairs, warnings, ASK_PATH};
use vpcreach::report;
use vpcreach::snapshot;
use vpcreach::topology::Topology;

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum AuditFormat {
    Text,
    Json,
    Sarif,
    /// Findings table (sortable, filterable) and a picture per finding, one file.
    Html,
    /// For a pull-request comment or a ticket, with Mermaid pictures.
    Markdown,
}

#[derive(clap::Args)]
pub struct AuditArgs {
    /// Snapshot directory (describe-* JSON files) or single JSON file.
    #[arg(long)]
    snapshot: PathBuf,
    /// A scope file (AWS Network Access Scope JSON) or a built-in:
    /// all-igw-ingress, aws-igw-egress, aws-vpc-ingress, aws-vpc-egress.
    #[arg(long)]
    scope: String,
    #[arg(long, value_enum, default_value = "text")]
    format: AuditFormat,
}

pub fn run(args: AuditArgs) -> miette::Result<u8> {
    let scope = load_scope(&args.scope)?;
    let snap = load(&args.snapshot)?;
    let topo = Topology::new(&snap.network);
    let result = scope.audit(&topo)?;
    let mut unknown = unknown_for_all_pairs(&snap, scope.scope.may_pass_load_balancers());
    unknown.extend(
        result
            .unknown
            .iter()
            .map(|why| (why.clone(), ASK_PATH.to_string())),
    );
    let mut warnings = warnings(&snap);
    warnings.extend(snap.provenance());
    print(&match args.format {
        AuditFormat::Json => {
            let mut v = report::audit::json_document(&result, &warnings);
            report::with_provenance(&mut v, snap.provenance_json().as_ref(), &unknown);
            report::pretty(&v)
        }
        AuditFormat::Text => report::audit::text_over(&result, &warnings, &unknown),
        AuditFormat::Markdown => {
            let body = report::diagram::markdown::audit(&result, &warnings);
            report::unknown_banner(&unknown) + &not_exhaustive(body, &unknown)
        }
        AuditFormat::Html => {
            let banner = report::unknown_banner(&unknown);
            let notes: Vec<String> = Some(banner.trim().to_string())
                .filter(|b| !b.is_empty())
                .into_iter()
                .chain(warnings.iter().cloned())
                .collect();
            not_exhaustive(
                report::diagram::html::audit_report(&result, &notes),
                &unknown,
            )
        }
        AuditFormat::Sarif => {
            let ids: BTreeSet<String> = result
                .findings
                .iter()
                .filter_map(|f| f.destinations.first().cloned())
                .collect();
            let locations = snapshot::locate::locate_ids(&snap.files, &ids);
            report::pretty(&report::audit::sarif(&result, &locations))
        }
    })?;
    // "Clean" cannot be claimed over resources that were never read.
    Ok(if result.findings.is_empty() && unknown.is_empty() {
        0
    } else {
        1
    })
}

/// An audit over a snapshot that lacks what it depends on cannot rule a
/// finding out (R-partial.2): its reports never say "exhaustively".
fn not_exhaustive(report: String, unknown: &[(String, String)]) -> String {
    if unknown.is_empty() {
        report
    } else {
        report.replace(
            "analysed exhaustively",
            "analysed, not exhaustively (the snapshot is incomplete or ambiguous)",
        )
    }
}
