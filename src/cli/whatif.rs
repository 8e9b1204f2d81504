//! `whatif` (a change file applied to a snapshot) and `diff` (two
//! snapshots): gained and lost reachability, configuration differences,
//! intents. Exit 0 unchanged and every intent passed, 1 otherwise.

use std::path::PathBuf;

use clap::ValueEnum;
use miette::{IntoDiagnostic, Report};

use super::common::{load, load_scope, print, unknown_for_changes};
use vpcreach::change::Applied;
use vpcreach::model::Network;
use vpcreach::plan;
use vpcreach::report;
use vpcreach::snapshot::{self, change_file};
use vpcreach::topology::Topology;
use vpcreach::whatif::{self, intents::Intent, WhatifError, WhatifOptions};

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum ReportFormat {
    Text,
    Json,
    /// A summary to paste into a pull-request comment.
    Markdown,
    /// SARIF 2.1.0 for code scanning (with --plan: at Terraform addresses).
    Sarif,
    /// Gained and lost groups with before/after pictures, one file.
    Html,
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
    /// Snapshot directory (describe-* JSON files) or single JSON file
    /// (optional with --plan: without it the plan's prior state is the start).
    #[arg(long, required_unless_present = "plan")]
    snapshot: Option<PathBuf>,
    /// JSON list of EC2 API calls in request shape, each with an "Action" key.
    #[arg(long, required_unless_present = "plan", conflicts_with = "plan")]
    change: Option<PathBuf>,
    /// `terraform show -json tfplan` output (Terraform or OpenTofu).
    /// Repeatable: several root modules changed in one pull request.
    #[arg(long)]
    plan: Vec<PathBuf>,
    /// A Network Access Scope (file or built-in name) the plan must not add
    /// findings to: exit 1 when it does. Repeatable.
    #[arg(long = "deny-scope", value_name = "SCOPE", requires = "plan")]
    deny_scope: Vec<String>,
    /// Evaluate a plan with `errored: true` or `complete: false` (the
    /// changes it holds only).
    #[arg(long = "allow-incomplete-plan", requires = "plan")]
    allow_incomplete_plan: bool,
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
    if !args.plan.is_empty() {
        return run_plan(args);
    }
    let (Some(snapshot), Some(change)) = (&args.snapshot, &args.change) else {
        unreachable!("clap requires --snapshot and --change without --plan");
    };
    let snap = load(snapshot)?;
    let change_file = change_file::read(change).map_err(Report::new)?;
    // Every call is validated before anything is analysed.
    let outcome = change_file.apply(&snap.network).map_err(Report::new)?;
    let subject = format!(
        "{} with {} applied ({} call(s))",
        snapshot.display(),
        change.display(),
        outcome.applied.len()
    );
    let sides = Sides {
        before: &snap.network,
        after: &outcome.network,
        applied: &outcome.applied,
        notes: outcome.notes,
        warnings: &snap.warnings,
        unknown: unknown_for_changes(&snap),
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
        unknown: {
            // Both sides often hold the same firewall rules: name each once.
            let mut u: Vec<_> = [&before, &after]
                .into_iter()
                .flat_map(unknown_for_changes)
                .collect();
            u.sort();
            u.dedup();
            u
        },
    };
    compare("diff", subject, sides, &args.intents)
}

const ASK_PATH_UNKNOWN: &str = "ask `vpcreach path` for the pairs it concerns: it names the component and what the snapshot lacks";

/// What `whatif` and `diff` compare, and what they report besides.
struct Sides<'a> {
    before: &'a Network,
    after: &'a Network,
    /// Calls applied (whatif only).
    applied: &'a [Applied],
    notes: Vec<String>,
    warnings: &'a [snapshot::Warning],
    /// Kinds the comparison depends on that a snapshot lacks: no change
    /// (or its absence) is a verdict then.
    unknown: Vec<(String, String)>,
}

fn compare(command: &str, subject: String, sides: Sides, args: &IntentArgs) -> miette::Result<u8> {
    let intents: Vec<Intent> = args
        .must_reach
        .iter()
        .chain(&args.must_not_reach)
        .cloned()
        .collect();
    let scope = args.scope.as_deref().map(load_scope).transpose()?;
    let progress = super::progress::Terminal::default();
    let options = WhatifOptions {
        intents: &intents,
        scope: scope.as_ref().map(|s| &s.scope),
        progress: Some(&progress),
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
    // Traffic the class walks could not follow (UNKNOWN_RESOURCE): what it
    // would gain or lose is unknown.
    let mut unknown = sides.unknown;
    let walks = &result.diff.unknown;
    unknown.extend(
        walks
            .iter()
            .take(5)
            .map(|why| (why.clone(), ASK_PATH_UNKNOWN.to_string())),
    );
    if walks.len() > 5 {
        unknown.push((
            format!("{} more such stops", walks.len() - 5),
            ASK_PATH_UNKNOWN.to_string(),
        ));
    }
    let banner = report::unknown_banner(&unknown);
    print(&match args.format {
        ReportFormat::Json => {
            if unknown.is_empty() {
                // Streamed pair by pair: a wide change writes hundreds of
                // megabytes, which must never be held as one JSON value.
                let mut out = std::io::BufWriter::new(std::io::stdout().lock());
                report::whatif::write_json(&report, &mut out)
                    .and_then(|()| std::io::Write::flush(&mut out))
                    .into_diagnostic()?;
                return Ok(report.exit_code());
            }
            let mut v = report::whatif::json(&report);
            report::with_provenance(&mut v, None, &unknown);
            report::pretty(&v)
        }
        ReportFormat::Text => banner + &report::whatif::text(&report),
        ReportFormat::Markdown => banner + &report::whatif::markdown(&report),
        ReportFormat::Html => report::diagram::html::whatif_report(&report, &unknown),
        ReportFormat::Sarif => {
            return Err(miette::miette!(
                code = "vpcreach::usage",
                "--format sarif is for `whatif --plan` (and `audit`)"
            ))
        }
    })?;
    Ok(report.exit_code().max(u8::from(!unknown.is_empty())))
}

/// `whatif --plan`: Terraform plans applied to a snapshot or, greenfield,
/// to their prior state; unknown pairs; the deny-scope gate. Exit 0 only
/// when nothing is gained, lost or unknown, every intent holds and no
/// denied scope gains a finding.
fn run_plan(args: WhatifArgs) -> miette::Result<u8> {
    let snap = args.snapshot.as_deref().map(load).transpose()?;
    let plans = args
        .plan
        .iter()
        .map(|p| snapshot::terraform::read(p, args.allow_incomplete_plan).map_err(Report::new))
        .collect::<miette::Result<Vec<_>>>()?;
    let intents: Vec<Intent> = args
        .intents
        .must_reach
        .iter()
        .chain(&args.intents.must_not_reach)
        .cloned()
        .collect();
    let scope = args.intents.scope.as_deref().map(load_scope).transpose()?;
    let progress = super::progress::Terminal::default();
    let options = WhatifOptions {
        intents: &intents,
        scope: scope.as_ref().map(|s| &s.scope),
        progress: Some(&progress),
    };
    let base = snap.as_ref().map(|s| &s.network);
    let e = plan::evaluate_with(base, &plans, &options).map_err(|e| match (e, &scope) {
        (WhatifError::Scope(e), Some(scope)) => scope.locate(e),
        (e, _) => Report::new(e),
    })?;
    let mut denied = Vec::new();
    for arg in &args.deny_scope {
        let scope = load_scope(arg)?;
        let before = Topology::new(&e.before);
        let after = Topology::new(&e.translation.network);
        let b = scope.audit(&before)?;
        let a = scope.audit(&after)?;
        let new = whatif::differential::scoped(
            &before,
            &after,
            &b.traffic_by_pair(),
            &a.traffic_by_pair(),
        );
        denied.push(report::plan::Denied {
            scope: arg.clone(),
            findings: new
                .gained
                .iter()
                .map(|r| {
                    (
                        r.source.id.clone(),
                        r.destination.id.clone(),
                        r.summary.join(", "),
                    )
                })
                .collect(),
        });
    }
    let files: Vec<String> = args.plan.iter().map(|p| p.display().to_string()).collect();
    let subject = format!(
        "{} with {} applied ({} resource change(s))",
        args.snapshot
            .as_ref()
            .map(|s| s.display().to_string())
            .unwrap_or_else(|| "the plan's prior state (greenfield)".into()),
        files.join(", "),
        e.translation.applied.len()
    );
    let mut warnings: Vec<String> = snap
        .as_ref()
        .map(|s| s.warnings.iter().map(|w| w.to_string()).collect())
        .unwrap_or_default();
    warnings.extend(e.translation.warnings.iter().cloned());
    let report = report::whatif::Report {
        command: "whatif --plan",
        subject,
        applied: &e.translation.applied,
        config: &e.config,
        diff: &e.diff,
        intents: &e.intents,
        notes: e.translation.notes.clone(),
        warnings,
    };
    let text = match args.intents.format {
        ReportFormat::Json => report::pretty(&report::plan::json(&report, &e, &denied)),
        ReportFormat::Text => {
            let mut t = e.translation.rename(&report::whatif::text(&report));
            for u in &e.unknown {
                t.push_str(&format!(
                    "unknown until apply: {} → {} ({})\n",
                    e.translation.name(&u.source),
                    e.translation.name(&u.destination),
                    u.causes.join(", ")
                ));
            }
            for d in denied.iter().filter(|d| !d.findings.is_empty()) {
                t.push_str(&format!(
                    "denied scope {}: {} new finding(s)\n",
                    d.scope,
                    d.findings.len()
                ));
            }
            t
        }
        ReportFormat::Markdown => report::plan::markdown(&report, &e, &denied),
        ReportFormat::Html => e
            .translation
            .rename(&report::diagram::html::whatif_report(&report, &[])),
        ReportFormat::Sarif => report::pretty(&report::plan::sarif(&e, &denied)),
    };
    print(&text)?;
    let gate = denied.iter().any(|d| !d.findings.is_empty()) || !e.unknown.is_empty();
    Ok(report.exit_code().max(u8::from(gate)))
}
