//! `vpcreach pull`: read a live AWS account with aws-sdk-ec2 (and the ELB
//! and Network Firewall SDKs) and write a
//! snapshot directory in exactly the layout the loader reads: a folder per
//! region, one describe-* JSON file per call, the keys and nesting the AWS CLI
//! prints, and a `vpcreach-snapshot.json` metadata file (`VpcreachSnapshot`).
//!
//! Owns: credential and region resolution (the standard aws-config chain),
//! the list of calls and the IAM action each needs, pagination,
//! concurrency and retries, refusing incomplete answers, turning SDK errors into messages a person can act
//! on, the atomic write (temporary folder beside `--output`, renamed into
//! place only when complete), the metadata, progress bars and the closing
//! summary.
//!
//! This file holds the list of calls, the options, the summary and the
//! orchestration (one task per call and region, then the write). The rest is
//! one file per concern: [`session`] (credentials, regions, clients),
//! [`ec2`] and [`tgw`] (the EC2 calls, VPC Block Public Access among them),
//! [`elb`] (load balancers), [`firewall`] (AWS Network Firewall), [`paging`]
//! (reading pages), [`integrity`] (refusing answers cut short or pages that
//! do not add up), [`error`] (classifying failures), [`write`] (metadata and
//! the atomic write), [`signal`] (interruption) and [`convert`] (SDK type →
//! JSON, one file per kind of resource).
//!
//! Must not know: the model, topology or any analysis. What this module
//! writes is read back only through [`crate::snapshot::load`], like any
//! snapshot made with the AWS CLI. Credentials are never written anywhere.

#[macro_use]
mod paging;
mod convert;
mod ec2;
mod elb;
mod error;
mod firewall;
mod integrity;
mod org;
mod session;
mod signal;
mod tgw;
mod write;

use ec2::*;
pub use error::PullError;
use error::*;
use integrity::*;
pub use org::AccountsOptions;
pub use session::RegionClients;
use session::*;
pub use signal::pull_blocking;
use signal::*;
use tgw::*;
use write::*;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::provider::error::CredentialsError;
use aws_sdk_ec2::config::ProvideCredentials;
use aws_sdk_ec2::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_ec2::primitives::{DateTime, DateTimeFormat};
use aws_sdk_ec2::Client;
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use miette::Diagnostic;
use serde_json::{json, Value};
use thiserror::Error;
use tokio::sync::Semaphore;

/// The metadata file `pull` writes at the top of the snapshot.
pub const METADATA_FILE: &str = "vpcreach-snapshot.json";
/// Bumped when the layout or the metadata changes incompatibly.
pub const FORMAT_VERSION: u32 = 1;
/// Concurrent EC2 requests, all regions together, unless `--max-concurrency`.
pub const DEFAULT_CONCURRENCY: usize = 8;

/// One describe call per region (and its file). `ManagedPrefixLists` and
/// `TransitGatewayRouteTables` also make per-resource calls ([`SUB_CALLS`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Call {
    Vpcs,
    Subnets,
    RouteTables,
    NetworkAcls,
    SecurityGroups,
    InternetGateways,
    EgressOnlyInternetGateways,
    NatGateways,
    NetworkInterfaces,
    Instances,
    Addresses,
    VpcPeeringConnections,
    ManagedPrefixLists,
    PrefixLists,
    TransitGateways,
    TransitGatewayAttachments,
    TransitGatewayVpcAttachments,
    TransitGatewayPeeringAttachments,
    TransitGatewayRouteTables,
    VpnGateways,
    VpnConnections,
    VpcEndpoints,
    SecurityGroupRules,
    /// elbv2 DescribeLoadBalancers, then listeners and attributes per LB.
    LoadBalancers,
    /// elbv2 DescribeTargetGroups, then health and attributes per group.
    TargetGroups,
    /// Classic (`aws elb`) DescribeLoadBalancers.
    ClassicLoadBalancers,
    /// VPC Block Public Access: the region's options (one object).
    VpcBlockPublicAccessOptions,
    VpcBlockPublicAccessExclusions,
    /// AWS Network Firewall: ListFirewalls, then the describe and list
    /// calls of [`firewall::CALLS`].
    NetworkFirewall,
}

/// Every call `pull` makes in each region, in the order files are listed.
pub const CALLS: [Call; 29] = [
    Call::Vpcs,
    Call::Subnets,
    Call::RouteTables,
    Call::NetworkAcls,
    Call::SecurityGroups,
    Call::InternetGateways,
    Call::EgressOnlyInternetGateways,
    Call::NatGateways,
    Call::NetworkInterfaces,
    Call::Instances,
    Call::Addresses,
    Call::VpcPeeringConnections,
    Call::ManagedPrefixLists,
    Call::PrefixLists,
    Call::TransitGateways,
    Call::TransitGatewayAttachments,
    Call::TransitGatewayVpcAttachments,
    Call::TransitGatewayPeeringAttachments,
    Call::TransitGatewayRouteTables,
    Call::VpnGateways,
    Call::VpnConnections,
    Call::VpcEndpoints,
    Call::SecurityGroupRules,
    Call::LoadBalancers,
    Call::TargetGroups,
    Call::ClassicLoadBalancers,
    Call::VpcBlockPublicAccessOptions,
    Call::VpcBlockPublicAccessExclusions,
    Call::NetworkFirewall,
];

/// A call made once per resource another call listed: its operation, the
/// file it writes and the top-level key there (the shapes the loader reads).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SubCall {
    pub operation: &'static str,
    pub file: &'static str,
    pub key: &'static str,
}

/// GetManagedPrefixListEntries for each managed list, in the
/// self-contained `Cidrs` shape.
pub const ENTRIES: SubCall = SubCall {
    operation: "GetManagedPrefixListEntries",
    file: "managed-prefix-list-entries.json",
    key: "PrefixLists",
};
/// SearchTransitGatewayRoutes for each TGW route table (active and
/// blackhole routes), wrapped with the table id (docs/model.md).
pub const TGW_ROUTES: SubCall = SubCall {
    operation: "SearchTransitGatewayRoutes",
    file: "transit-gateway-route-table-routes.json",
    key: "TransitGatewayRouteTableRoutes",
};
/// GetTransitGatewayRouteTablePropagations for each TGW route table,
/// wrapped with the table id.
pub const TGW_PROPAGATIONS: SubCall = SubCall {
    operation: "GetTransitGatewayRouteTablePropagations",
    file: "transit-gateway-propagations.json",
    key: "TransitGatewayPropagations",
};
/// Every per-resource call.
pub const SUB_CALLS: [SubCall; 12] = [
    ENTRIES,
    TGW_ROUTES,
    TGW_PROPAGATIONS,
    elb::LISTENERS,
    elb::LB_ATTRIBUTES,
    elb::TARGET_HEALTH,
    elb::TG_ATTRIBUTES,
    firewall::FIREWALLS,
    firewall::LIST_POLICIES,
    firewall::POLICIES,
    firewall::LIST_RULE_GROUPS,
    firewall::RULE_GROUPS,
];
const ENTRIES_OPERATION: &str = ENTRIES.operation;

impl Call {
    /// The API operation, e.g. `DescribeNetworkAcls` (EC2) or
    /// `DescribeTargetGroups` (elbv2).
    pub fn operation(self) -> &'static str {
        match self {
            Call::Vpcs => "DescribeVpcs",
            Call::Subnets => "DescribeSubnets",
            Call::RouteTables => "DescribeRouteTables",
            Call::NetworkAcls => "DescribeNetworkAcls",
            Call::SecurityGroups => "DescribeSecurityGroups",
            Call::InternetGateways => "DescribeInternetGateways",
            Call::EgressOnlyInternetGateways => "DescribeEgressOnlyInternetGateways",
            Call::NatGateways => "DescribeNatGateways",
            Call::NetworkInterfaces => "DescribeNetworkInterfaces",
            Call::Instances => "DescribeInstances",
            Call::Addresses => "DescribeAddresses",
            Call::VpcPeeringConnections => "DescribeVpcPeeringConnections",
            Call::ManagedPrefixLists => "DescribeManagedPrefixLists",
            Call::PrefixLists => "DescribePrefixLists",
            Call::TransitGateways => "DescribeTransitGateways",
            Call::TransitGatewayAttachments => "DescribeTransitGatewayAttachments",
            Call::TransitGatewayVpcAttachments => "DescribeTransitGatewayVpcAttachments",
            Call::TransitGatewayPeeringAttachments => "DescribeTransitGatewayPeeringAttachments",
            Call::TransitGatewayRouteTables => "DescribeTransitGatewayRouteTables",
            Call::VpnGateways => "DescribeVpnGateways",
            Call::VpnConnections => "DescribeVpnConnections",
            Call::VpcEndpoints => "DescribeVpcEndpoints",
            Call::SecurityGroupRules => "DescribeSecurityGroupRules",
            Call::LoadBalancers | Call::ClassicLoadBalancers => "DescribeLoadBalancers",
            Call::TargetGroups => "DescribeTargetGroups",
            Call::VpcBlockPublicAccessOptions => "DescribeVpcBlockPublicAccessOptions",
            Call::VpcBlockPublicAccessExclusions => "DescribeVpcBlockPublicAccessExclusions",
            Call::NetworkFirewall => firewall::LIST_FIREWALLS.operation,
        }
    }

    /// The file in the region folder, named like the CLI command.
    pub fn file(self) -> &'static str {
        match self {
            Call::Vpcs => "vpcs.json",
            Call::Subnets => "subnets.json",
            Call::RouteTables => "route-tables.json",
            Call::NetworkAcls => "network-acls.json",
            Call::SecurityGroups => "security-groups.json",
            Call::InternetGateways => "internet-gateways.json",
            Call::EgressOnlyInternetGateways => "egress-only-internet-gateways.json",
            Call::NatGateways => "nat-gateways.json",
            Call::NetworkInterfaces => "network-interfaces.json",
            Call::Instances => "instances.json",
            Call::Addresses => "addresses.json",
            Call::VpcPeeringConnections => "vpc-peering-connections.json",
            Call::ManagedPrefixLists => "managed-prefix-lists.json",
            Call::PrefixLists => "prefix-lists.json",
            Call::TransitGateways => "transit-gateways.json",
            Call::TransitGatewayAttachments => "transit-gateway-attachments.json",
            Call::TransitGatewayVpcAttachments => "transit-gateway-vpc-attachments.json",
            Call::TransitGatewayPeeringAttachments => "transit-gateway-peering-attachments.json",
            Call::TransitGatewayRouteTables => "transit-gateway-route-tables.json",
            Call::VpnGateways => "vpn-gateways.json",
            Call::VpnConnections => "vpn-connections.json",
            Call::VpcEndpoints => "vpc-endpoints.json",
            Call::SecurityGroupRules => "security-group-rules.json",
            Call::LoadBalancers => "elbv2-load-balancers.json",
            Call::TargetGroups => "elbv2-target-groups.json",
            Call::ClassicLoadBalancers => "elb-load-balancers.json",
            Call::VpcBlockPublicAccessOptions => "vpc-block-public-access-options.json",
            Call::VpcBlockPublicAccessExclusions => "vpc-block-public-access-exclusions.json",
            Call::NetworkFirewall => firewall::LIST_FIREWALLS.file,
        }
    }

    /// The top-level key the AWS CLI prints.
    pub fn key(self) -> &'static str {
        match self {
            Call::Vpcs => "Vpcs",
            Call::Subnets => "Subnets",
            Call::RouteTables => "RouteTables",
            Call::NetworkAcls => "NetworkAcls",
            Call::SecurityGroups => "SecurityGroups",
            Call::InternetGateways => "InternetGateways",
            Call::EgressOnlyInternetGateways => "EgressOnlyInternetGateways",
            Call::NatGateways => "NatGateways",
            Call::NetworkInterfaces => "NetworkInterfaces",
            Call::Instances => "Reservations",
            Call::Addresses => "Addresses",
            Call::VpcPeeringConnections => "VpcPeeringConnections",
            Call::ManagedPrefixLists | Call::PrefixLists => "PrefixLists",
            Call::TransitGateways => "TransitGateways",
            Call::TransitGatewayAttachments => "TransitGatewayAttachments",
            Call::TransitGatewayVpcAttachments => "TransitGatewayVpcAttachments",
            Call::TransitGatewayPeeringAttachments => "TransitGatewayPeeringAttachments",
            Call::TransitGatewayRouteTables => "TransitGatewayRouteTables",
            Call::VpnGateways => "VpnGateways",
            Call::VpnConnections => "VpnConnections",
            Call::VpcEndpoints => "VpcEndpoints",
            Call::SecurityGroupRules => "SecurityGroupRules",
            Call::LoadBalancers => "LoadBalancers",
            Call::TargetGroups => "TargetGroups",
            Call::ClassicLoadBalancers => "LoadBalancerDescriptions",
            Call::VpcBlockPublicAccessOptions => BPA_OPTIONS_KEY,
            Call::VpcBlockPublicAccessExclusions => "VpcBlockPublicAccessExclusions",
            Call::NetworkFirewall => firewall::LIST_FIREWALLS.key,
        }
    }
}

/// The key of `describe-vpc-block-public-access-options`, whose value is
/// one object, not a list.
const BPA_OPTIONS_KEY: &str = "VpcBlockPublicAccessOptions";

/// The IAM action an operation needs: `elasticloadbalancing:` for the ELB
/// operations (elbv2 and classic share the prefix), `network-firewall:` for
/// Network Firewall's, else `ec2:`.
pub fn iam_action(operation: &str) -> String {
    if elb::OPERATIONS.contains(&operation) {
        format!("elasticloadbalancing:{operation}")
    } else if firewall::is_operation(operation) {
        format!("network-firewall:{operation}")
    } else {
        format!("ec2:{operation}")
    }
}

/// Every IAM action `pull` can call (docs/iam-policy.json lists exactly these).
pub fn iam_actions() -> Vec<String> {
    let mut v: Vec<String> = CALLS.iter().map(|c| iam_action(c.operation())).collect();
    v.extend(SUB_CALLS.iter().map(|c| iam_action(c.operation)));
    v.push(iam_action("DescribeRegions"));
    v.push("sts:GetCallerIdentity".into());
    v.sort();
    v.dedup();
    v
}

/// What the `pull` command was asked to do.
#[derive(Clone, Debug)]
pub struct PullOptions {
    pub output: PathBuf,
    /// Empty: the region of the profile / `AWS_REGION`.
    pub regions: Vec<String>,
    /// Every region enabled in the account (DescribeRegions).
    pub all_regions: bool,
    pub profile: Option<String>,
    pub endpoint_url: Option<String>,
    /// Denied calls and disabled regions are recorded in the metadata instead
    /// of failing the pull.
    pub allow_partial: bool,
    /// Progress bars on stderr.
    pub progress: bool,
    pub concurrency: usize,
    /// `--org` / `--accounts`: pull several accounts into `accounts/<id>/`.
    pub accounts: Option<AccountsOptions>,
}

impl PullOptions {
    pub fn new(output: impl Into<PathBuf>) -> Self {
        PullOptions {
            output: output.into(),
            regions: Vec::new(),
            all_regions: false,
            profile: None,
            endpoint_url: None,
            allow_partial: false,
            progress: false,
            concurrency: DEFAULT_CONCURRENCY,
            accounts: None,
        }
    }
}

/// A call that could not be made and was left out (`--allow-partial`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Missing {
    pub region: String,
    pub operation: String,
    pub action: String,
    /// The top-level key whose resources are missing.
    pub key: String,
    pub error_code: String,
    pub message: String,
    /// The account, in an organisation pull.
    pub account: Option<String>,
}

/// One call that was made, for the metadata and the summary.
#[derive(Clone, Debug)]
pub struct CallRecord {
    pub region: String,
    pub operation: String,
    pub file: String,
    pub key: String,
    pub resources: usize,
    pub requests: usize,
    /// The account, in an organisation pull.
    pub account: Option<String>,
}

/// What a finished pull did.
#[derive(Debug)]
pub struct PullSummary {
    pub output: PathBuf,
    pub account: Option<String>,
    pub regions: Vec<String>,
    pub calls: Vec<CallRecord>,
    pub missing: Vec<Missing>,
    pub elapsed: Duration,
    /// `--org` / `--accounts`: how each account went (empty otherwise).
    pub accounts: Vec<crate::snapshot::metadata::AccountEntry>,
}

impl PullSummary {
    /// Resources per type (the operation's noun: `Vpcs`, `Instances`,
    /// `ManagedPrefixListEntries`...), all regions together.
    pub fn resources(&self) -> BTreeMap<String, usize> {
        let mut m = BTreeMap::new();
        for c in &self.calls {
            if c.key == Call::ClassicLoadBalancers.key() {
                *m.entry("ClassicLoadBalancers".into()).or_default() += c.resources;
                continue;
            }
            let kind = c
                .operation
                .strip_prefix("Describe")
                .or_else(|| c.operation.strip_prefix("Get"))
                .or_else(|| c.operation.strip_prefix("Search"))
                .unwrap_or(&c.operation);
            *m.entry(kind.to_string()).or_default() += c.resources;
        }
        m
    }

    pub fn requests(&self) -> usize {
        self.calls.iter().map(|c| c.requests).sum()
    }

    /// The closing summary printed on stderr.
    pub fn render(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "pulled {} region{} ({}){} into {} in {:.1}s ({} requests)",
            self.regions.len(),
            if self.regions.len() == 1 { "" } else { "s" },
            self.regions.join(", "),
            match (self.accounts.len(), self.account.as_deref()) {
                (0, Some(a)) => format!(" of account {a}"),
                (0, None) => String::new(),
                (n, _) => format!(
                    " of {} account{}",
                    n - self.accounts.iter().filter(|a| a.failed()).count(),
                    if n == 1 { "" } else { "s" }
                ),
            },
            self.output.display(),
            self.elapsed.as_secs_f64(),
            self.requests(),
        );
        for (key, n) in self.resources() {
            let _ = writeln!(s, "  {key:<36} {n:>6}");
        }
        if !self.accounts.is_empty() {
            let failed: Vec<_> = self.accounts.iter().filter(|a| a.failed()).collect();
            let _ = writeln!(
                s,
                "  {:<36} {:>6}",
                "Accounts",
                self.accounts.len() - failed.len()
            );
            if !failed.is_empty() {
                let _ = writeln!(
                    s,
                    "incomplete (--allow-partial): {} account{} not pulled, recorded in {}:",
                    failed.len(),
                    if failed.len() == 1 { "" } else { "s" },
                    METADATA_FILE
                );
                for a in failed {
                    let or = |v: &Option<String>| v.clone().unwrap_or_default();
                    let _ = writeln!(
                        s,
                        "  account {}: {} ({}: {})",
                        or(&a.account_id),
                        or(&a.failed_action),
                        or(&a.error_code),
                        or(&a.message)
                    );
                }
            }
        }
        if !self.missing.is_empty() {
            let _ = writeln!(
                s,
                "incomplete (--allow-partial): {} call{} left out, recorded in {}:",
                self.missing.len(),
                if self.missing.len() == 1 { "" } else { "s" },
                METADATA_FILE
            );
            for m in &self.missing {
                let account = m
                    .account
                    .as_deref()
                    .map(|a| format!("account {a} "))
                    .unwrap_or_default();
                let _ = writeln!(
                    s,
                    "  {account}{} {}: {} ({}: {})",
                    m.region, m.key, m.action, m.error_code, m.message
                );
            }
        }
        s
    }
}

/// One file of a region folder: `{key: items}`.
struct FileOut {
    file: &'static str,
    key: &'static str,
    operation: &'static str,
    items: Vec<Value>,
    requests: usize,
}

impl FileOut {
    /// The file's JSON document: `{key: items}`, or `{key: item}` for the
    /// one call that answers with a single object (an answer without it is
    /// written as an empty document).
    fn document(&self) -> Value {
        match (self.key, self.items.first()) {
            (BPA_OPTIONS_KEY, Some(one)) => json!({ self.key: one }),
            (BPA_OPTIONS_KEY, None) => json!({}),
            _ => json!({ self.key: self.items }),
        }
    }

    /// Resources in the file: instances, not reservations; entries, not lists.
    fn resources(&self) -> usize {
        let inner = match (self.key, self.operation) {
            ("Reservations", _) => "Instances",
            (_, ENTRIES_OPERATION) => "Cidrs",
            ("TransitGatewayRouteTableRoutes", _) => "Routes",
            ("TransitGatewayPropagations", _) => "TransitGatewayRouteTablePropagations",
            ("LoadBalancerListeners", _) => "Listeners",
            ("LoadBalancerTargetHealth", _) => "TargetHealthDescriptions",
            _ => return self.items.len(),
        };
        self.items
            .iter()
            .map(|i| i.get(inner).and_then(Value::as_array).map_or(0, Vec::len))
            .sum()
    }
}

/// What one call task brought back.
struct TaskOut {
    region: String,
    files: Vec<FileOut>,
    failures: Vec<Failure>,
}

impl TaskOut {
    fn new(region: &str) -> Self {
        TaskOut {
            region: region.to_string(),
            files: Vec::new(),
            failures: Vec::new(),
        }
    }
}

/// Pull every requested region with the standard credential chain, then
/// write the snapshot atomically at `opts.output`.
pub async fn pull(opts: &PullOptions) -> Result<PullSummary, PullError> {
    let started = Instant::now();
    check_output(&opts.output)?;
    let mut sdk = load_config(opts).await?;
    if sdk.region().is_none() {
        if !opts.all_regions {
            return Err(PullError::NoRegion);
        }
        // --all-regions without a home region: ask from us-east-1.
        sdk = sdk.to_builder().region(Region::new("us-east-1")).build();
    }
    let home = sdk.region().map(|r| r.to_string()).unwrap_or_default();
    check_credentials(&sdk, opts.profile.as_deref()).await?;
    if let Some(accounts) = &opts.accounts {
        return org::pull_accounts(opts, accounts, sdk, home, started).await;
    }
    let (account, sts_ok) = caller_account(&sdk).await?;

    let regions = if opts.all_regions {
        enabled_regions(&ec2_client(&sdk, &home), &home, sts_ok).await?
    } else if !opts.regions.is_empty() {
        dedup(opts.regions.clone())
    } else {
        vec![home]
    };
    let clients = regions
        .iter()
        .map(|r| (r.clone(), RegionClients::new(&sdk, r)))
        .collect();
    pull_regions(clients, account, sts_ok, opts, started).await
}

fn dedup(mut v: Vec<String>) -> Vec<String> {
    let mut seen = std::collections::BTreeSet::new();
    v.retain(|r| seen.insert(r.clone()));
    v
}

/// Pull with ready-made clients (one per region), then write the snapshot.
/// [`pull`] builds the clients from the credential chain; tests pass clients
/// backed by the SDK's mocks. `account`: the caller's account if known (STS
/// answered), else it is taken from the VPCs' `OwnerId`.
pub async fn pull_with_clients(
    clients: Vec<(String, RegionClients)>,
    account: Option<String>,
    opts: &PullOptions,
) -> Result<PullSummary, PullError> {
    let sts_ok = account.is_some();
    pull_regions(clients, account, sts_ok, opts, Instant::now()).await
}

async fn pull_regions(
    clients: Vec<(String, RegionClients)>,
    account: Option<String>,
    sts_ok: bool,
    opts: &PullOptions,
    started: Instant,
) -> Result<PullSummary, PullError> {
    check_output(&opts.output)?;
    let start_time = SystemTime::now();
    let regions: Vec<String> = clients.iter().map(|(r, _)| r.clone()).collect();

    let multi = MultiProgress::with_draw_target(if opts.progress {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    });
    let style =
        ProgressStyle::with_template("{prefix:>14} {bar:20.cyan/blue} {pos:>2}/{len} calls  {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");

    let sem = Arc::new(Semaphore::new(opts.concurrency.max(1)));
    let mut bars = BTreeMap::new();
    for (region, _) in &clients {
        let bar = multi.add(ProgressBar::new(CALLS.len() as u64));
        bar.set_style(style.clone());
        bar.set_prefix(region.clone());
        bars.insert(region.clone(), (bar, 0usize));
    }
    let Gathered {
        mut files,
        mut failures,
        fatal,
    } = gather(&clients, &sem, |region, resources| {
        if let Some((bar, count)) = bars.get_mut(region) {
            *count += resources;
            bar.inc(1);
            bar.set_message(format!("{count} resources"));
        }
    })
    .await;
    for (bar, _) in bars.values() {
        bar.finish();
    }
    let _ = multi.clear();

    if let Some(f) = fatal {
        return Err(f.into_error(sts_ok));
    }
    // Some failures are recorded as missing without --allow-partial
    // (`Failure::optional`).
    let blocking = failures.iter().position(|f| !f.optional());
    if let (Some(first), false) = (blocking, opts.allow_partial) {
        // Every denied call at once, so one policy change fixes them all.
        let denied: Vec<Missing> = failures
            .iter()
            .filter(|f| f.error.is_denied())
            .map(Failure::missing)
            .collect();
        if !denied.is_empty() {
            return Err(PullError::Unauthorized { denied });
        }
        return Err(failures.swap_remove(first).into_error(sts_ok));
    }
    let mut missing: Vec<Missing> = failures.iter().map(Failure::missing).collect();
    missing.sort_by(|a, b| (&a.region, &a.operation).cmp(&(&b.region, &b.operation)));

    let account = account.or_else(|| owner_from(&files));
    let calls = call_records(&mut files, "", None);
    let summary = PullSummary {
        output: opts.output.clone(),
        account,
        regions,
        calls,
        missing,
        elapsed: started.elapsed(),
        accounts: Vec::new(),
    };
    let metadata = metadata(&summary, opts, start_time);
    write_atomically(&opts.output, &files, &metadata)?;
    Ok(summary)
}

/// What the calls of some regions brought back: the files by region, the
/// failures a partial pull may leave out, and the first that it may not
/// (the other calls are then cancelled).
struct Gathered {
    files: BTreeMap<String, Vec<FileOut>>,
    failures: Vec<Failure>,
    fatal: Option<Failure>,
}

/// Run every call of [`CALLS`] in every region of `clients`, each request
/// under `sem`; `done(region, resources)` after each call.
async fn gather(
    clients: &[(String, RegionClients)],
    sem: &Arc<Semaphore>,
    mut done: impl FnMut(&str, usize),
) -> Gathered {
    let mut set = tokio::task::JoinSet::new();
    for (region, client) in clients {
        for call in CALLS {
            let (client, sem, region) = (client.clone(), sem.clone(), region.clone());
            set.spawn(async move { run_call(&client, &sem, &region, call).await });
        }
    }
    let mut gathered = Gathered {
        files: BTreeMap::new(),
        failures: Vec::new(),
        fatal: None,
    };
    while let Some(joined) = set.join_next().await {
        let out = match joined {
            Ok(out) => out,
            Err(e) if e.is_cancelled() => continue,
            Err(e) => std::panic::resume_unwind(e.into_panic()),
        };
        done(
            &out.region,
            out.files.iter().map(FileOut::resources).sum::<usize>(),
        );
        for f in out.failures {
            if f.skippable() {
                gathered.failures.push(f);
            } else if gathered.fatal.is_none() {
                gathered.fatal = Some(f);
                set.abort_all();
            }
        }
        gathered
            .files
            .entry(out.region)
            .or_default()
            .extend(out.files);
    }
    gathered
}

/// The record of every file of `files` (sorted on the way), whose folders
/// are below `prefix` (`accounts/<id>/` in an organisation pull).
fn call_records(
    files: &mut BTreeMap<String, Vec<FileOut>>,
    prefix: &str,
    account: Option<&str>,
) -> Vec<CallRecord> {
    let mut calls = Vec::new();
    for (region, outs) in files {
        outs.sort_by_key(|f| f.file);
        for f in outs.iter() {
            calls.push(CallRecord {
                region: region.clone(),
                operation: f.operation.to_string(),
                file: format!("{prefix}{region}/{}", f.file),
                key: f.key.to_string(),
                resources: f.resources(),
                requests: f.requests,
                account: account.map(str::to_owned),
            });
        }
    }
    calls
}

/// The account, when STS could not say: the OwnerId of the first VPC.
fn owner_from(files: &BTreeMap<String, Vec<FileOut>>) -> Option<String> {
    files
        .values()
        .flatten()
        .filter(|f| f.key == "Vpcs")
        .flat_map(|f| f.items.iter())
        .find_map(|v| v.get("OwnerId").and_then(Value::as_str).map(str::to_owned))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_call_has_a_distinct_file_and_a_loader_key() {
        let mut files: Vec<&str> = CALLS.iter().map(|c| c.file()).collect();
        files.extend(SUB_CALLS.iter().map(|c| c.file));
        let n = files.len();
        files.sort();
        files.dedup();
        assert_eq!(files.len(), n);
        assert!(iam_actions().contains(&"ec2:DescribeNetworkAcls".to_string()));
        assert!(iam_actions().contains(&"ec2:GetManagedPrefixListEntries".to_string()));
        // elbv2 and classic operations share the elasticloadbalancing prefix.
        for op in ["DescribeLoadBalancers", "DescribeTargetHealth"] {
            assert_eq!(iam_action(op), format!("elasticloadbalancing:{op}"));
        }
        assert_eq!(
            iam_action(Call::ClassicLoadBalancers.operation()),
            iam_action(Call::LoadBalancers.operation())
        );
    }

    #[test]
    fn iam_policy_doc_lists_exactly_the_actions() {
        let text = include_str!("../../docs/iam-policy.json");
        let policy: Value = serde_json::from_str(text).unwrap();
        let mut listed: Vec<String> = policy["Statement"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|s| s["Action"].as_array().unwrap().iter())
            .map(|a| a.as_str().unwrap().to_string())
            .collect();
        listed.sort();
        assert_eq!(listed, iam_actions());
    }

    #[test]
    fn output_must_be_new_empty_or_a_snapshot() {
        let dir = tempfile::tempdir().unwrap();
        assert!(check_output(&dir.path().join("new")).is_ok());
        assert!(check_output(dir.path()).is_ok(), "empty directory");
        std::fs::write(dir.path().join("notes.txt"), "mine").unwrap();
        assert!(matches!(
            check_output(dir.path()),
            Err(PullError::Output { .. })
        ));
        std::fs::write(dir.path().join(METADATA_FILE), "{}").unwrap();
        assert!(check_output(dir.path()).is_ok(), "an earlier snapshot");
        assert!(check_output(&dir.path().join("notes.txt")).is_err());
    }

    #[test]
    fn json_is_indented_like_the_cli() {
        let text = String::from_utf8(to_cli_json(&json!({"Vpcs": [{"VpcId": "vpc-1"}]}))).unwrap();
        assert_eq!(
            text,
            "{\n    \"Vpcs\": [\n        {\n            \"VpcId\": \"vpc-1\"\n        }\n    ]\n}\n"
        );
    }
}
