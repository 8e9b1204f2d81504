//! `audit`: every path a Network Access Scope selects. Exit 0 clean, 1
//! findings (or a snapshot too incomplete to call it clean).

use std::collections::BTreeSet;
use std::path::PathBuf;

use clap::ValueEnum;

use super::common::{load, load_scope, missing_for_paths, print, warnings};
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
    let unknown = missing_for_paths(&snap, scope.scope.may_pass_load_balancers());
    let mut warnings = warnings(&snap);
    warnings.extend(snap.provenance());
    print(&match args.format {
        AuditFormat::Json => {
            let mut v = report::audit::json_document(&result, &warnings);
            report::with_provenance(&mut v, snap.provenance_json().as_ref(), &unknown);
            report::pretty(&v)
        }
        AuditFormat::Text => {
            report::unknown_banner(&unknown) + &report::audit::text(&result, &warnings)
        }
        AuditFormat::Markdown => {
            report::unknown_banner(&unknown) + &report::diagram::markdown::audit(&result, &warnings)
        }
        AuditFormat::Html => {
            let banner = report::unknown_banner(&unknown);
            let notes: Vec<String> = Some(banner.trim().to_string())
                .filter(|b| !b.is_empty())
                .into_iter()
                .chain(warnings.iter().cloned())
                .collect();
            report::diagram::html::audit_report(&result, &notes)
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
