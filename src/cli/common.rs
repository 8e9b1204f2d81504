//! What several commands do alike: load a snapshot or a scope, print.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use miette::{IntoDiagnostic, Report};

use vpcreach::audit::{self, analysis::AuditError, AuditResult, Scope};
use vpcreach::report::text::Style;
use vpcreach::snapshot::cache::CacheOptions;
use vpcreach::snapshot::{self, scope_shapes, Snapshot};
use vpcreach::topology::Topology;

static NO_CACHE: AtomicBool = AtomicBool::new(false);

/// Called once with the global `--no-cache` flag, before any command runs.
pub fn set_no_cache(no_cache: bool) {
    NO_CACHE.store(no_cache, Ordering::Relaxed);
}

/// Load a snapshot through the snapshot cache (unless `--no-cache`), with a
/// progress bar on a terminal.
pub fn load(path: &Path) -> miette::Result<Snapshot> {
    let options = if NO_CACHE.load(Ordering::Relaxed) {
        CacheOptions::disabled()
    } else {
        CacheOptions::from_env()
    };
    let progress = super::progress::Terminal::default();
    let (snap, _) = snapshot::cache::load(path, &progress, &options).map_err(Report::new)?;
    Ok(snap)
}

/// Colour only on a terminal, and never with NO_COLOR set.
pub fn style() -> Style {
    Style {
        colour: std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    }
}

pub fn print(text: &str) -> miette::Result<()> {
    std::io::stdout()
        .write_all(text.as_bytes())
        .into_diagnostic()
}

/// The snapshot's load warnings, as reports list them.
pub fn warnings(snap: &Snapshot) -> Vec<String> {
    snap.warnings.iter().map(|w| w.to_string()).collect()
}

/// (what, IAM action) for each kind a path or audit analysis needs that
/// `pull --allow-partial` could not read or that no file of the snapshot
/// holds at all.
pub fn missing_for_paths(snap: &Snapshot, load_balancers: bool) -> Vec<(String, String)> {
    snap.missing_for_paths(load_balancers)
        .into_iter()
        .map(|m| {
            let what = if m.region == snapshot::ABSENT {
                format!("{} in no file of the snapshot", m.key)
            } else {
                format!("{} in {} could not be pulled", m.key, m.region)
            };
            (what, m.action)
        })
        .collect()
}

/// [`missing_for_paths`] and the ids the snapshot describes more than once
/// with different content, for analyses over every pair (`audit`,
/// `whatif`, `diff`): any finding or change may depend on them, so none of
/// these can be called clean (R-ambiguous.1).
/// The way out of an unknown that unevaluated firewall rules cause.
pub const ASK_PATH: &str = "ask `vpcreach path` for the flows that matter: it says which traffic these firewall rules could decide";

pub fn unknown_for_all_pairs(snap: &Snapshot, load_balancers: bool) -> Vec<(String, String)> {
    let mut unknown = missing_for_paths(snap, load_balancers);
    unknown.extend(snap.failed_accounts().into_iter().map(|(id, why)| {
        (
            format!("account {id} could not be pulled ({why})"),
            "deploy the role in it and pull again (docs/org.md)".to_string(),
        )
    }));
    unknown.extend(snap.network.ambiguous_ids.iter().map(|id| {
        (
            format!("{id} is described more than once with different content"),
            "describe it once".to_string(),
        )
    }));
    unknown
}

/// [`unknown_for_all_pairs`] for `whatif` and `diff`: also every firewall
/// rule vpcreach does not evaluate, since a gained or lost path may hide
/// behind one (NF.10; `audit` names only those its walks met).
pub fn unknown_for_changes(snap: &Snapshot) -> Vec<(String, String)> {
    let mut unknown = unknown_for_all_pairs(snap, true);
    unknown.extend(
        vpcreach::analysis::path::unevaluated_firewall_rules(&snap.network)
            .into_iter()
            .map(|what| (what, ASK_PATH.to_string())),
    );
    unknown
}

/// A scope from a file or a built-in name, with its text (for locating errors).
pub struct LoadedScope {
    file: PathBuf,
    text: String,
    pub scope: Scope,
}

pub fn load_scope(arg: &str) -> miette::Result<LoadedScope> {
    let scope_path = Path::new(arg);
    let (file, text, name) = match audit::scope::built_in(arg) {
        Some(text) if !scope_path.exists() => (
            PathBuf::from(format!("<built-in {}>", arg.to_ascii_lowercase())),
            text.to_string(),
            arg.to_ascii_lowercase(),
        ),
        _ => {
            let text = snapshot::locate::read_input_text(scope_path).map_err(|e| {
                miette::miette!(
                    code = "vpcreach::audit::scope",
                    help = "--scope takes a scope JSON file or a built-in name: all-igw-ingress, aws-igw-egress, aws-vpc-ingress, aws-vpc-egress",
                    "cannot read scope {}: {}",
                    arg,
                    e.0
                )
            })?;
            (scope_path.to_path_buf(), text, arg.to_string())
        }
    };
    let scope = scope_shapes::parse_scope(&file, &text, &name).map_err(Report::new)?;
    Ok(LoadedScope { file, text, scope })
}

impl LoadedScope {
    /// An audit error, located in the scope's file.
    pub fn locate(&self, e: AuditError) -> Report {
        let (id, json_path) = match &e {
            AuditError::PrefixList { id, json_path } => (id.clone(), json_path.clone()),
        };
        Report::new(scope_shapes::locate_value(
            &self.file,
            &self.text,
            &id,
            &json_path,
            e.to_string(),
            Some("pull the prefix list and its entries into the snapshot".into()),
        ))
    }

    pub fn audit(&self, topo: &Topology) -> miette::Result<AuditResult> {
        let progress = super::progress::Terminal::default();
        audit::audit_with_progress(topo, &self.scope, &progress).map_err(|e| self.locate(e))
    }
}
