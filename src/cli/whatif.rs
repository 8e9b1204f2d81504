//! `whatif` (a change file applied to a snapshot) and `diff` (two
//! snapshots): gained and lost reachability, configuration differences,
//! intents. Exit 0 unchanged and every intent passed, 1 otherwise.

use std::path::PathBuf;

use clap::ValueEnum;
use miette::Report;

use super::common::{load, load_scope, print};
use vpcreach::change::Applied;
use vpcreach::model::Network;
use vpcreach::report;
use vpcreach::snapshot::{self, change_file};
use vpcreach::whatif::{self, intents::Intent, WhatifError, WhatifOptions};

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum ReportFormat {
    Text,
    Json,
    /// A summary to paste into a pull-request comment.
    Markdown,
}

#[derive(clap::Args)]
struct IntentArgs {
    /// SRC:DST:PROTO[/PORT[-PORT]] that must have a path after the change
    /// (SRC/DST as for `path`: i-…, eni-…, igw-…, an IPv4 address, `internet`). Repeatable.
    #[arg(long = "must-reach", value_name = "SRC:DST:PROTO[/PORT]", value_parser = parse_must_reach)]
    must_reach: Vec<Intent>,
    /// SRC:DST:PROTO[/PORT[-PORT]] that must have no path after the change. Repeatable.
    #[arg(long = "must-not-reach", value_name = "SRC:DST:PROTO[/PORT]", value_parser = parse_must_not_reach)]
    must_not_reach: Vec<Intent>,
    #[arg(long, value_enum, default_value = "text")]
    format: ReportFormat,
    /// Compare only the paths a Network Access Scope selects (a scope JSON
    /// file or a built-in name, as for `audit`).
    #[arg(long)]
    scope: Option<String>,
}

fn parse_must_reach(s: &str) -> Result<Intent, String> {
    Intent::parse(s, true)
}

fn parse_must_not_reach(s: &str) -> Result<Intent, String> {
    Intent::parse(s, false)
}

#[derive(clap::Args)]
pub struct WhatifArgs {
    /// Snapshot directory (describe-* JSON files) or single JSON file.
    #[arg(long)]
    snapshot: PathBuf,
    /// JSON list of EC2 API calls in request shape, each with an "Action" key.
    #[arg(long)]
    change: PathBuf,
    #[command(flatten)]
    intents: IntentArgs,
}

#[derive(clap::Args)]
pub struct DiffArgs {
    /// The snapshot before.
    #[arg(long)]
    before: PathBuf,
    /// The snapshot after.
    #[arg(long)]
    after: PathBuf,
    #[command(flatten)]
    intents: IntentArgs,
}

pub fn run_whatif(args: WhatifArgs) -> miette::Result<u8> {
    let snap = load(&args.snapshot)?;
    let change_file = change_file::read(&args.change).map_err(Report::new)?;
    // Every call is validated before anything is analysed.
    let outcome = change_file.apply(&snap.network).map_err(Report::new)?;
    let subject = format!(
        "{} with {} applied ({} call(s))",
        args.snapshot.display(),
        args.change.display(),
        outcome.applied.len()
    );
    let sides = Sides {
        before: &snap.network,
        after: &outcome.network,
        applied: &outcome.applied,
        notes: outcome.notes,
        warnings: &snap.warnings,
    };
    compare("whatif", subject, sides, &args.intents)
}

pub fn run_diff(args: DiffArgs) -> miette::Result<u8> {
    let before = load(&args.before)?;
    let after = load(&args.after)?;
    let subject = format!("{} → {}", args.before.display(), args.after.display());
    let mut warnings = before.warnings.clone();
    warnings.extend(after.warnings.iter().cloned());
    let sides = Sides {
        before: &before.network,
        after: &after.network,
        applied: &[],
        notes: Vec::new(),
        warnings: &warnings,
    };
    compare("diff", subject, sides, &args.intents)
}

/// What `whatif` and `diff` compare, and what they report besides.
struct Sides<'a> {
    before: &'a Network,
    after: &'a Network,
    /// Calls applied (whatif only).
    applied: &'a [Applied],
    notes: Vec<String>,
    warnings: &'a [snapshot::Warning],
}

fn compare(command: &str, subject: String, sides: Sides, args: &IntentArgs) -> miette::Result<u8> {
    let intents: Vec<Intent> = args
        .must_reach
        .iter()
        .chain(&args.must_not_reach)
        .cloned()
        .collect();
    let scope = args.scope.as_deref().map(load_scope).transpose()?;
    let options = WhatifOptions {
        intents: &intents,
        scope: scope.as_ref().map(|s| &s.scope),
    };
    let result =
        whatif::compare(sides.before, sides.after, &options).map_err(|e| match (e, &scope) {
            (WhatifError::Scope(e), Some(scope)) => scope.locate(e),
            (e, _) => Report::new(e),
        })?;
    let report = report::whatif::Report {
        command,
        subject,
        applied: sides.applied,
        config: &result.config,
        diff: &result.diff,
        intents: &result.intents,
        notes: sides.notes,
        warnings: sides.warnings.iter().map(|w| w.to_string()).collect(),
    };
    print(&match args.format {
        ReportFormat::Json => report::pretty(&report::whatif::json(&report)),
        ReportFormat::Text => report::whatif::text(&report),
        ReportFormat::Markdown => report::whatif::markdown(&report),
    })?;
    Ok(report.exit_code())
}
