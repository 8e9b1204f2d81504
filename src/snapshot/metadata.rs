//! The `VpcreachSnapshot` metadata document (`vpcreach-snapshot.json`) that
//! `pull` writes beside the describe-* files: one typed struct shared by the
//! writer ([`crate::snapshot::pull`]) and the reader ([`crate::snapshot`],
//! which turns it into warnings and the provenance line of reports).
//!
//! Field order is the file's key order (serde_json keeps insertion order
//! here). Every field is optional when read, so a hand-edited or older
//! document still loads: a field it lacks is left out of JSON reports and
//! shown as `?` in text, as before the struct existed. A field of the wrong
//! type is a located load error like any other bad snapshot input.
//!
//! Must not know: the AWS SDK, the model or any analysis.

use serde::{Deserialize, Serialize};

/// The top-level key of the metadata document.
pub const KEY: &str = "VpcreachSnapshot";

/// What one pull recorded about itself.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PullMetadata {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format_version: Option<u32>,
    /// ISO 8601, UTC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_seconds: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regions: Option<Vec<String>>,
    /// No call was left out (`--allow-partial` left none out).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub complete: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calls: Option<Vec<CallEntry>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missing: Option<Vec<MissingEntry>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint_url: Option<String>,
    /// `pull --org` / `--accounts`: every account asked for and how its
    /// pull went; the describe-* files are under `accounts/<id>/<region>/`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accounts: Option<Vec<AccountEntry>>,
}

/// How one account of an organisation pull went.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AccountEntry {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    /// The account's name in AWS Organizations, when listed from there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// [`ACCOUNT_PULLED`], [`ACCOUNT_PARTIAL`] or [`ACCOUNT_FAILED`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// The role assumed, or absent when the caller's own credentials were used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regions: Option<Vec<String>>,
    /// What failed (`sts:AssumeRole`, `ec2:DescribeRegions`, a describe call).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed_action: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// Every call of the account was read.
pub const ACCOUNT_PULLED: &str = "pulled";
/// Read, but with calls left out (they are in `Missing`, with the account).
pub const ACCOUNT_PARTIAL: &str = "partial";
/// Nothing of the account is in the snapshot.
pub const ACCOUNT_FAILED: &str = "failed";

impl AccountEntry {
    pub fn failed(&self) -> bool {
        self.status.as_deref() == Some(ACCOUNT_FAILED)
    }
}

/// One call a pull made: where its answer is and how much it held.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CallEntry {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation: Option<String>,
    /// The IAM action the call needs (`ec2:DescribeVpcs`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    /// The file, relative to the snapshot folder (`eu-west-1/describe-vpcs.json`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requests: Option<u64>,
    /// `pull --org` / `--accounts`: the account the call was made in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
}

/// A call `pull --allow-partial` could not make and left out.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct MissingEntry {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    /// The top-level key whose resources are missing (`NetworkAcls`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// `pull --org` / `--accounts`: the account the call was denied in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
}

impl PullMetadata {
    /// The `Missing` entries (none when the list is absent).
    pub fn missing(&self) -> &[MissingEntry] {
        self.missing.as_deref().unwrap_or_default()
    }

    /// The accounts an organisation pull could not read at all.
    pub fn failed_accounts(&self) -> impl Iterator<Item = &AccountEntry> {
        self.accounts.iter().flatten().filter(|a| a.failed())
    }

    /// What JSON reports show of it: tool, version, time, account, regions,
    /// completeness and what is missing (not the calls, profile or endpoint).
    pub fn provenance(&self) -> Provenance<'_> {
        Provenance {
            tool: self.tool.as_deref(),
            version: self.version.as_deref(),
            start_time: self.start_time.as_deref(),
            end_time: self.end_time.as_deref(),
            account: self.account.as_deref(),
            regions: self.regions.as_deref(),
            complete: self.complete,
            missing: self.missing.as_deref(),
            accounts: self.accounts.as_ref().map(|a| a.len()),
            failed_accounts: self
                .accounts
                .is_some()
                .then(|| self.failed_accounts().collect()),
        }
    }
}

/// The part of [`PullMetadata`] JSON reports carry, in their key order.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Provenance<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tool: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_time: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_time: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub regions: Option<&'a [String]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub complete: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub missing: Option<&'a [MissingEntry]>,
    /// How many accounts an organisation pull asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accounts: Option<usize>,
    /// Those of them not in the snapshot at all, and why.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failed_accounts: Option<Vec<&'a AccountEntry>>,
}

/// A text field, `?` when absent (the provenance line and warnings).
pub fn or_unknown(v: &Option<String>) -> &str {
    v.as_deref().unwrap_or("?")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A document as `pull` writes it reads back and writes out unchanged,
    /// key order included; the report part keeps its own order.
    #[test]
    fn pull_document_round_trips_and_provenance_keeps_its_key_order() {
        let text = r#"{"Tool":"vpcreach","Version":"0.1.0","FormatVersion":1,"StartTime":"2026-01-01T00:00:00Z","EndTime":"2026-01-01T00:00:01Z","DurationSeconds":1.25,"Regions":["eu-west-1"],"Complete":false,"Calls":[{"Region":"eu-west-1","Operation":"DescribeVpcs","Action":"ec2:DescribeVpcs","File":"eu-west-1/describe-vpcs.json","Key":"Vpcs","Resources":2,"Requests":1}],"Missing":[{"Region":"eu-west-1","Operation":"DescribeNetworkAcls","Action":"ec2:DescribeNetworkAcls","Key":"NetworkAcls","ErrorCode":"UnauthorizedOperation","Message":"no"}],"Account":"111122223333","EndpointUrl":"http://127.0.0.1:5000"}"#;
        let meta: PullMetadata = serde_json::from_str(text).unwrap();
        assert_eq!(serde_json::to_string(&meta).unwrap(), text);
        assert_eq!(
            serde_json::to_string(&meta.provenance()).unwrap(),
            r#"{"Tool":"vpcreach","Version":"0.1.0","StartTime":"2026-01-01T00:00:00Z","EndTime":"2026-01-01T00:00:01Z","Account":"111122223333","Regions":["eu-west-1"],"Complete":false,"Missing":[{"Region":"eu-west-1","Operation":"DescribeNetworkAcls","Action":"ec2:DescribeNetworkAcls","Key":"NetworkAcls","ErrorCode":"UnauthorizedOperation","Message":"no"}]}"#
        );
    }

    #[test]
    fn absent_fields_read_as_unknown() {
        let meta: PullMetadata = serde_json::from_str(r#"{"Missing":[{}]}"#).unwrap();
        assert_eq!(or_unknown(&meta.missing()[0].key), "?");
        assert_eq!(
            serde_json::to_string(&meta.provenance()).unwrap(),
            r#"{"Missing":[{}]}"#
        );
    }
}
