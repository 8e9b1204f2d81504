//! Snapshots: the AWS JSON shapes, reading them from disk, and (with the
//! `aws` feature) pulling them from a live account.
//!
//! Owns: file layout (region/account folders), top-level keys, serde shapes,
//! located diagnostics for bad input, and the conversion into
//! [`crate::model::Network`]. Must not know: how paths are evaluated or
//! reported. Nothing downstream of this module sees a serde type.

pub mod cache;
pub mod change_file;
pub mod change_shapes;
pub mod convert;
mod convert_elb;
pub mod elb_shapes;
pub mod firewall_shapes;
pub mod load;
pub mod locate;
pub mod metadata;
#[cfg(feature = "aws")]
pub mod pull;
pub mod scope_shapes;
pub mod shapes;
pub mod terraform;

use std::fmt;
use std::path::{Path, PathBuf};

pub use load::SnapshotError;
pub use metadata::PullMetadata;

use crate::model::Network;
use metadata::{or_unknown, MissingEntry};

/// Something in the snapshot worth telling the user, that does not stop the
/// analysis: an unknown key, a dangling reference, an ignored entry.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Warning {
    pub message: String,
    pub file: Option<PathBuf>,
    pub json_path: Option<String>,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.file, &self.json_path) {
            (Some(file), Some(path)) => {
                write!(f, "{} ({}): {}", file.display(), path, self.message)
            }
            (Some(file), None) => write!(f, "{}: {}", file.display(), self.message),
            _ => write!(f, "{}", self.message),
        }
    }
}

/// A loaded snapshot: the model plus what loading had to say about it.
#[derive(Debug)]
pub struct Snapshot {
    pub network: Network,
    pub warnings: Vec<Warning>,
    pub files: Vec<PathBuf>,
    pub bytes: u64,
    /// What `pull` recorded (tool version, time, account, skipped calls).
    pub metadata: Option<PullMetadata>,
    /// Kinds every path depends on that no file holds at all.
    pub absent: Vec<MissingKind>,
}

/// Load a snapshot directory tree or single JSON file.
pub fn load(path: &Path) -> Result<Snapshot, SnapshotError> {
    load_with_progress(path, &crate::progress::Silent)
}

/// [`load`], telling `progress` the bytes of JSON read.
pub fn load_with_progress(
    path: &Path,
    progress: &dyn crate::progress::Progress,
) -> Result<Snapshot, SnapshotError> {
    let mut raw = load::read_tree(path, progress)?;
    Ok(finish(&mut raw))
}

/// Load a snapshot from in-memory JSON documents (name, text); for tests,
/// benchmarks and generators.
pub fn load_documents<'a>(
    docs: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Result<Snapshot, SnapshotError> {
    let mut raw = load::RawSnapshot::default();
    for (name, text) in docs {
        load::read_text(Path::new(name), text, None, None, &mut raw)?;
        raw.bytes += text.len() as u64;
        raw.files.push(PathBuf::from(name));
    }
    Ok(finish(&mut raw))
}

fn finish(raw: &mut load::RawSnapshot) -> Snapshot {
    let mut warnings = std::mem::take(&mut raw.warnings);
    warnings.extend(missing_from_metadata(raw.metadata.as_ref()));
    // Not a warning: a file checked on its own lacks them by design; the
    // answers that depend on them say so (`missing_for_paths`).
    let absent = absent_kinds(&raw.keys_seen);
    let network = convert::to_network(raw, &mut warnings);
    Snapshot {
        network,
        warnings,
        files: std::mem::take(&mut raw.files),
        bytes: raw.bytes,
        metadata: raw.metadata.take(),
        absent,
    }
}

/// The kinds every path question depends on, with the call that prints
/// them: every VPC has a main route table, a default NACL and a default
/// security group (R-partial.1 of docs/semantics-additions.md), and
/// whether an internet gateway exists decides every internet path, so a
/// snapshot without their key cannot have been complete.
const NEEDED_FOR_PATHS: &[(&str, &str)] = &[
    ("InternetGateways", "ec2:DescribeInternetGateways"),
    ("RouteTables", "ec2:DescribeRouteTables"),
    ("NetworkAcls", "ec2:DescribeNetworkAcls"),
    ("SecurityGroups", "ec2:DescribeSecurityGroups"),
];

/// [`NEEDED_FOR_PATHS`] kinds whose key no file of the snapshot holds.
fn absent_kinds(keys_seen: &std::collections::BTreeSet<String>) -> Vec<MissingKind> {
    NEEDED_FOR_PATHS
        .iter()
        .filter(|(key, _)| !keys_seen.contains(*key))
        .map(|(key, action)| MissingKind {
            region: ABSENT.into(),
            key: key.to_string(),
            action: action.to_string(),
        })
        .collect()
}

/// The `region` of a [`MissingKind`] that no file holds (rather than one
/// `pull --allow-partial` recorded for a region).
pub const ABSENT: &str = "no file of the snapshot";

/// A kind of resource `pull --allow-partial` could not read in a region.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MissingKind {
    pub region: String,
    /// The top-level key whose resources are missing (`NetworkAcls`).
    pub key: String,
    /// The IAM action that was denied (`ec2:DescribeNetworkAcls`).
    pub action: String,
}

/// Keys whose absence cannot change a path: `SecurityGroupRules` only names
/// the rules `SecurityGroups` already holds.
const NOT_NEEDED_FOR_PATHS: &[&str] = &["SecurityGroupRules"];

/// What `pull` records for the Network Firewall calls. Without them a route
/// to a firewall endpoint is to an unknown `vpce-` (UNKNOWN_RESOURCE, NF.1)
/// and a firewall without its policy or groups is unknown at the firewall,
/// so the answers that meet one say so and the others keep their verdict.
pub const FIREWALL_KINDS: &[&str] = &["Firewalls", "FirewallPolicies", "RuleGroups"];

/// What `pull` records for the ELB calls (`elbv2` and classic).
const LOAD_BALANCER_KINDS: &[&str] = &[
    "LoadBalancers",
    "LoadBalancerListeners",
    "Listeners",
    "TargetGroups",
    "LoadBalancerTargetHealth",
    "LoadBalancerAttributes",
    "TargetGroupAttributes",
    "LoadBalancerDescriptions",
    "ClassicLoadBalancers",
];

impl Snapshot {
    /// What the metadata's `Missing` list names.
    pub fn missing(&self) -> Vec<MissingKind> {
        missing_list(self.metadata.as_ref())
            .map(|m| MissingKind {
                region: match &m.account {
                    Some(account) => format!("{} of account {account}", or_unknown(&m.region)),
                    None => or_unknown(&m.region).to_string(),
                },
                key: or_unknown(&m.key).to_string(),
                action: or_unknown(&m.action).to_string(),
            })
            .collect()
    }

    /// Missing kinds a path (or audit) analysis needs: with any of them the
    /// answer is unknown, never a guess. Load balancer kinds count only for
    /// questions about load balancers (`load_balancers`): a path between two
    /// instances does not depend on them.
    pub fn missing_for_paths(&self, load_balancers: bool) -> Vec<MissingKind> {
        self.missing()
            .into_iter()
            .chain(self.absent.iter().cloned())
            .filter(|m| !NOT_NEEDED_FOR_PATHS.contains(&m.key.as_str()))
            .filter(|m| !FIREWALL_KINDS.contains(&m.key.as_str()))
            .filter(|m| load_balancers || !LOAD_BALANCER_KINDS.contains(&m.key.as_str()))
            .collect()
    }

    /// Accounts an organisation pull could not read at all (`--allow-partial`):
    /// (account id, why). A path that leads into one of them meets a VPC,
    /// peer or attachment the snapshot lacks and is unknown there (XA.5 of
    /// docs/semantics-additions.md); an analysis over every pair cannot be
    /// clean without them.
    pub fn failed_accounts(&self) -> Vec<(String, String)> {
        self.metadata
            .iter()
            .flat_map(PullMetadata::failed_accounts)
            .map(|a| {
                (
                    or_unknown(&a.account_id).to_string(),
                    format!(
                        "{} {}: {}",
                        or_unknown(&a.failed_action),
                        or_unknown(&a.error_code),
                        or_unknown(&a.message)
                    ),
                )
            })
            .collect()
    }

    /// One line saying where the snapshot came from, for pulled snapshots:
    /// `pulled by vpcreach 0.1.0 at …, account …, regions …`.
    pub fn provenance(&self) -> Option<String> {
        let meta = self.metadata.as_ref()?;
        let regions = meta.regions.as_deref().unwrap_or_default();
        let mut line = format!(
            "snapshot pulled by {} {} at {}, account {}, region{} {}",
            or_unknown(&meta.tool),
            or_unknown(&meta.version),
            or_unknown(&meta.end_time),
            meta.account.as_deref().unwrap_or("unknown"),
            if regions.len() == 1 { "" } else { "s" },
            regions.join(", "),
        );
        if let Some(accounts) = &meta.accounts {
            let failed = self.failed_accounts();
            line.push_str(&format!(
                ", {} account{}",
                accounts.len() - failed.len(),
                if accounts.len() - failed.len() == 1 {
                    ""
                } else {
                    "s"
                }
            ));
            if !failed.is_empty() {
                let ids: Vec<&str> = failed.iter().map(|(id, _)| id.as_str()).collect();
                line.push_str(&format!(
                    "; incomplete (--allow-partial): account{} {} not pulled",
                    if ids.len() == 1 { "" } else { "s" },
                    ids.join(", ")
                ));
            }
        }
        let missing = self.missing();
        if !missing.is_empty() {
            let what: Vec<String> = missing
                .iter()
                .map(|m| format!("{} in {} ({})", m.key, m.region, m.action))
                .collect();
            line.push_str(&format!(
                "; incomplete (--allow-partial): {} unknown",
                what.join(", ")
            ));
        }
        Some(line)
    }

    /// The metadata for JSON reports: tool, version, time, account,
    /// regions, completeness and what is missing.
    pub fn provenance_json(&self) -> Option<metadata::Provenance<'_>> {
        self.metadata.as_ref().map(PullMetadata::provenance)
    }
}

/// The entries of the metadata's `Missing` list.
fn missing_list(metadata: Option<&PullMetadata>) -> impl Iterator<Item = &MissingEntry> {
    metadata.map(PullMetadata::missing).into_iter().flatten()
}

/// `pull --allow-partial` records the calls it could not make in the
/// metadata's `Missing` list: each becomes a warning, so an analysis says
/// what it could not see instead of passing over it in silence.
fn missing_from_metadata(metadata: Option<&PullMetadata>) -> Vec<Warning> {
    missing_list(metadata)
        .map(|m| Warning {
            message: format!(
                "incomplete snapshot: {} in {} could not be read when it was pulled ({}: {}); {} there are unknown",
                or_unknown(&m.action),
                or_unknown(&m.region),
                or_unknown(&m.error_code),
                or_unknown(&m.message),
                or_unknown(&m.key),
            ),
            file: None,
            json_path: Some("VpcreachSnapshot.Missing".into()),
        })
        .chain(
            metadata
                .into_iter()
                .flat_map(PullMetadata::failed_accounts)
                .map(|a| Warning {
                    message: format!(
                        "incomplete snapshot: account {} could not be pulled ({} {}: {}); paths into it are unknown",
                        or_unknown(&a.account_id),
                        or_unknown(&a.failed_action),
                        or_unknown(&a.error_code),
                        or_unknown(&a.message),
                    ),
                    file: None,
                    json_path: Some("VpcreachSnapshot.Accounts".into()),
                }),
        )
        .collect()
}
