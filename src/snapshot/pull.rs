//! `vpcreach pull`: read a live AWS account with aws-sdk-ec2 and write a
//! snapshot directory in exactly the layout the loader reads: a folder per
//! region, one describe-* JSON file per call, the keys and nesting the AWS CLI
//! prints, and a `vpcreach-snapshot.json` metadata file (`VpcreachSnapshot`).
//!
//! Owns: credential and region resolution (the standard aws-config chain),
//! the list of EC2 calls and the IAM action each needs, pagination,
//! concurrency and retries, turning SDK errors into messages a person can act
//! on, the atomic write (temporary folder beside `--output`, renamed into
//! place only when complete), the metadata, progress bars and the closing
//! summary. SDK type → JSON conversion lives in [`convert`].
//!
//! Must not know: the model, topology or any analysis. What this module
//! writes is read back only through [`crate::snapshot::load`], like any
//! snapshot made with the AWS CLI. Credentials are never written anywhere.

mod convert;

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
}

/// Every call `pull` makes in each region, in the order files are listed.
pub const CALLS: [Call; 25] = [
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
    Call::TransitGatewayRouteTables,
    Call::VpnGateways,
    Call::VpnConnections,
    Call::VpcEndpoints,
    Call::SecurityGroupRules,
    Call::LoadBalancers,
    Call::TargetGroups,
    Call::ClassicLoadBalancers,
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
pub const SUB_CALLS: [SubCall; 7] = [
    ENTRIES,
    TGW_ROUTES,
    TGW_PROPAGATIONS,
    elb::LISTENERS,
    elb::LB_ATTRIBUTES,
    elb::TARGET_HEALTH,
    elb::TG_ATTRIBUTES,
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
            Call::TransitGatewayRouteTables => "DescribeTransitGatewayRouteTables",
            Call::VpnGateways => "DescribeVpnGateways",
            Call::VpnConnections => "DescribeVpnConnections",
            Call::VpcEndpoints => "DescribeVpcEndpoints",
            Call::SecurityGroupRules => "DescribeSecurityGroupRules",
            Call::LoadBalancers | Call::ClassicLoadBalancers => "DescribeLoadBalancers",
            Call::TargetGroups => "DescribeTargetGroups",
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
            Call::TransitGatewayRouteTables => "transit-gateway-route-tables.json",
            Call::VpnGateways => "vpn-gateways.json",
            Call::VpnConnections => "vpn-connections.json",
            Call::VpcEndpoints => "vpc-endpoints.json",
            Call::SecurityGroupRules => "security-group-rules.json",
            Call::LoadBalancers => "elbv2-load-balancers.json",
            Call::TargetGroups => "elbv2-target-groups.json",
            Call::ClassicLoadBalancers => "elb-load-balancers.json",
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
            Call::TransitGatewayRouteTables => "TransitGatewayRouteTables",
            Call::VpnGateways => "VpnGateways",
            Call::VpnConnections => "VpnConnections",
            Call::VpcEndpoints => "VpcEndpoints",
            Call::SecurityGroupRules => "SecurityGroupRules",
            Call::LoadBalancers => "LoadBalancers",
            Call::TargetGroups => "TargetGroups",
            Call::ClassicLoadBalancers => "LoadBalancerDescriptions",
        }
    }
}

/// The IAM action an operation needs: `elasticloadbalancing:` for the ELB
/// operations (elbv2 and classic share the prefix), else `ec2:`.
pub fn iam_action(operation: &str) -> String {
    if elb::OPERATIONS.contains(&operation) {
        format!("elasticloadbalancing:{operation}")
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
            self.account
                .as_deref()
                .map(|a| format!(" of account {a}"))
                .unwrap_or_default(),
            self.output.display(),
            self.elapsed.as_secs_f64(),
            self.requests(),
        );
        for (key, n) in self.resources() {
            let _ = writeln!(s, "  {key:<36} {n:>6}");
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
                let _ = writeln!(
                    s,
                    "  {} {}: {} ({}: {})",
                    m.region, m.key, m.action, m.error_code, m.message
                );
            }
        }
        s
    }
}

/// Why a pull failed: each says what to do about it. Exit code 2.
#[derive(Debug, Error, Diagnostic)]
pub enum PullError {
    #[error("no AWS credentials found: {detail}")]
    #[diagnostic(
        code(vpcreach::pull::no_credentials),
        help("pull uses the standard AWS credential chain: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, run `aws configure` or `aws sso login --profile NAME` and pass --profile NAME, or run where an instance or task role is available")
    )]
    NoCredentials { detail: String },

    #[error("could not load AWS credentials: {detail}")]
    #[diagnostic(
        code(vpcreach::pull::credentials),
        help("check the profile in ~/.aws/config (or AWS_CONFIG_FILE) and that its credential source works, e.g. `aws sts get-caller-identity --profile NAME`")
    )]
    CredentialsFailed { detail: String },

    #[error("the AWS credentials have expired ({detail})")]
    #[diagnostic(
        code(vpcreach::pull::expired),
        help("refresh them: `aws sso login --profile NAME` for SSO, or get new temporary credentials (AWS_SESSION_TOKEN) and retry")
    )]
    Expired { detail: String },

    #[error("AWS rejected the credentials: {code}: {message}")]
    #[diagnostic(
        code(vpcreach::pull::invalid_credentials),
        help("check the access key id and secret (and AWS_SESSION_TOKEN for temporary credentials), that the key is active, and that this machine's clock is right")
    )]
    InvalidCredentials { code: String, message: String },

    #[error("no region to pull")]
    #[diagnostic(
        code(vpcreach::pull::no_region),
        help("pass --region REGION (repeatable) or --all-regions, or set AWS_REGION or `region` in the profile")
    )]
    NoRegion,

    #[error("region {region} is not enabled for this account ({code}: {message})")]
    #[diagnostic(
        code(vpcreach::pull::region_disabled),
        help("enable the region in the account settings, leave it out of --region, or pass --allow-partial to skip it and record it as missing")
    )]
    RegionDisabled {
        region: String,
        code: String,
        message: String,
    },

    #[error("missing IAM permission{}: {}", if denied.len() == 1 { "" } else { "s" }, denied_list(denied))]
    #[diagnostic(
        code(vpcreach::pull::unauthorized),
        help("grant {} (docs/iam-policy.json is a read-only policy with every action pull needs), or pass --allow-partial to write the snapshot without {} and record what is missing", actions_list(denied), if denied.len() == 1 { "it" } else { "them" })
    )]
    Unauthorized { denied: Vec<Missing> },

    #[error("cannot reach the AWS API for {region}: {detail}")]
    #[diagnostic(
        code(vpcreach::pull::unreachable),
        help("check the network (and HTTPS_PROXY), the region name, and --endpoint-url / AWS_ENDPOINT_URL if set")
    )]
    Unreachable { region: String, detail: String },

    #[error("{operation} failed in {region}: {code}: {message}")]
    #[diagnostic(code(vpcreach::pull::api))]
    Api {
        region: String,
        operation: String,
        code: String,
        message: String,
    },

    #[error("cannot write the snapshot at {}: {message}", path.display())]
    #[diagnostic(
        code(vpcreach::pull::output),
        help("--output takes a new directory, an empty one, or a snapshot an earlier pull wrote (replaced only once the new pull is complete)")
    )]
    Output { path: PathBuf, message: String },

    #[error("interrupted ({signal}): nothing was written")]
    #[diagnostic(
        code(vpcreach::pull::interrupted),
        help("the temporary folder was removed and any earlier snapshot at --output is as it was; run pull again")
    )]
    Interrupted { signal: &'static str },

    #[error("cannot start the async runtime: {0}")]
    #[diagnostic(code(vpcreach::pull::runtime))]
    Runtime(String),
}

fn denied_list(denied: &[Missing]) -> String {
    denied
        .iter()
        .map(|m| format!("{} in {} ({})", m.action, m.region, m.error_code))
        .collect::<Vec<_>>()
        .join(", ")
}

fn actions_list(denied: &[Missing]) -> String {
    let mut actions: Vec<&str> = denied.iter().map(|m| m.action.as_str()).collect();
    actions.sort();
    actions.dedup();
    actions.join(", ")
}

/// An SDK error reduced to what classification needs.
#[derive(Clone, Debug)]
struct CallError {
    /// The API error code (`UnauthorizedOperation`), if the service answered.
    code: Option<String>,
    message: String,
    /// No answer from the service: connection, DNS, timeout.
    unreachable: bool,
}

impl CallError {
    fn from_sdk<E, R>(err: SdkError<E, R>) -> Self
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
        R: std::fmt::Debug + Send + Sync + 'static,
    {
        let unreachable = matches!(
            err,
            SdkError::DispatchFailure(_) | SdkError::TimeoutError(_)
        );
        let code = err.code().map(str::to_owned);
        let message = match err.message() {
            Some(m) if code.is_some() => m.to_owned(),
            _ => error_chain(&err),
        };
        CallError {
            code,
            message,
            unreachable,
        }
    }

    fn code(&self) -> &str {
        self.code.as_deref().unwrap_or("")
    }

    fn is_denied(&self) -> bool {
        matches!(
            self.code(),
            "UnauthorizedOperation"
                | "Client.UnauthorizedOperation"
                | "AccessDenied"
                | "AccessDeniedException"
        )
    }

    fn is_region_disabled(&self) -> bool {
        matches!(self.code(), "OptInRequired" | "InvalidRegion")
    }

    fn is_expired(&self) -> bool {
        matches!(
            self.code(),
            "ExpiredToken" | "ExpiredTokenException" | "RequestExpired" | "TokenRefreshRequired"
        )
    }

    fn is_bad_credentials(&self) -> bool {
        matches!(
            self.code(),
            "AuthFailure"
                | "InvalidClientTokenId"
                | "UnrecognizedClientException"
                | "SignatureDoesNotMatch"
                | "IncompleteSignature"
                | "MissingAuthenticationToken"
        )
    }
}

/// An error and its sources on one line, each once (the SDK's errors often
/// repeat their source's text).
fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut next = Some(err);
    while let Some(e) = next {
        let text = e.to_string();
        if !text.is_empty() && !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        next = e.source();
    }
    parts.join(": ")
}

/// A call that failed, with where.
#[derive(Clone, Debug)]
struct Failure {
    region: String,
    operation: &'static str,
    key: &'static str,
    error: CallError,
}

impl Failure {
    fn missing(&self) -> Missing {
        Missing {
            region: self.region.clone(),
            operation: self.operation.to_string(),
            action: iam_action(self.operation),
            key: self.key.to_string(),
            error_code: self.error.code().to_string(),
            message: self.error.message.clone(),
        }
    }

    /// Left out with `--allow-partial` rather than failing the pull.
    fn skippable(&self) -> bool {
        self.error.is_denied() || self.error.is_region_disabled()
    }

    fn into_error(self, sts_ok: bool) -> PullError {
        let e = &self.error;
        if e.is_denied() {
            PullError::Unauthorized {
                denied: vec![self.missing()],
            }
        } else if e.is_region_disabled() || (sts_ok && e.code() == "AuthFailure") {
            // Credentials that STS accepted but one region's EC2 rejects:
            // the region is an opt-in region not enabled for the account.
            PullError::RegionDisabled {
                region: self.region,
                code: e.code().to_string(),
                message: e.message.clone(),
            }
        } else if e.is_expired() {
            PullError::Expired {
                detail: format!("{}: {}", e.code(), e.message),
            }
        } else if e.is_bad_credentials() {
            PullError::InvalidCredentials {
                code: e.code().to_string(),
                message: e.message.clone(),
            }
        } else if e.unreachable {
            PullError::Unreachable {
                region: self.region,
                detail: e.message.clone(),
            }
        } else {
            PullError::Api {
                region: self.region,
                operation: self.operation.to_string(),
                code: e.code.clone().unwrap_or_else(|| "error".into()),
                message: e.message.clone(),
            }
        }
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

/// The `--output` directory must be new, empty, or an earlier pull's
/// snapshot: `pull` never replaces anything else.
fn check_output(output: &Path) -> Result<(), PullError> {
    let err = |message: String| PullError::Output {
        path: output.to_path_buf(),
        message,
    };
    match std::fs::symlink_metadata(output) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(err(e.to_string())),
        Ok(meta) if !meta.is_dir() => Err(err("it exists and is not a directory".into())),
        Ok(_) => {
            let mut entries = std::fs::read_dir(output).map_err(|e| err(e.to_string()))?;
            if entries.next().is_none() || output.join(METADATA_FILE).is_file() {
                Ok(())
            } else {
                Err(err(format!(
                    "it is a non-empty directory without {METADATA_FILE}, so not a snapshot pull wrote; refusing to replace it"
                )))
            }
        }
    }
}

async fn load_config(opts: &PullOptions) -> Result<SdkConfig, PullError> {
    let mut loader = aws_config::defaults(BehaviorVersion::latest());
    if let Some(p) = &opts.profile {
        loader = loader.profile_name(p);
    }
    if let Some(u) = &opts.endpoint_url {
        loader = loader.endpoint_url(u);
    }
    if let Some(r) = opts.regions.first() {
        loader = loader.region(Region::new(r.clone()));
    }
    // Throttling in large accounts: more attempts than the SDK's default 3,
    // unless the user chose (AWS_MAX_ATTEMPTS / AWS_RETRY_MODE).
    if std::env::var_os("AWS_MAX_ATTEMPTS").is_none()
        && std::env::var_os("AWS_RETRY_MODE").is_none()
    {
        loader = loader.retry_config(
            RetryConfig::standard()
                .with_max_attempts(8)
                .with_max_backoff(Duration::from_secs(20)),
        );
    }
    // Never hang for ever on a silent endpoint.
    loader = loader.timeout_config(
        TimeoutConfig::builder()
            .connect_timeout(Duration::from_secs(10))
            .operation_attempt_timeout(Duration::from_secs(120))
            .build(),
    );
    Ok(loader.load().await)
}

/// Resolve credentials once up front, for a clear error before any call.
async fn check_credentials(sdk: &SdkConfig, profile: Option<&str>) -> Result<(), PullError> {
    let Some(provider) = sdk.credentials_provider() else {
        return Err(PullError::NoCredentials {
            detail: "no credential provider is configured".into(),
        });
    };
    match provider.provide_credentials().await {
        Ok(creds) => {
            if creds.expiry().is_some_and(|t| t <= SystemTime::now()) {
                return Err(PullError::Expired {
                    detail: format!(
                        "expired at {}",
                        fmt_time(creds.expiry().unwrap_or(SystemTime::UNIX_EPOCH))
                    ),
                });
            }
            Ok(())
        }
        Err(e) => {
            let chain = error_chain(&e);
            let detail = chain
                .strip_prefix("the credential provider was not enabled: ")
                .unwrap_or(&chain)
                .to_string();
            match e {
                CredentialsError::CredentialsNotLoaded(_) => Err(PullError::NoCredentials {
                    detail: match profile {
                        Some(p) => format!(
                            "{detail}; profile `{p}` gave none: is it defined in ~/.aws/config (or AWS_CONFIG_FILE) with a credential source?"
                        ),
                        None => detail,
                    },
                }),
                _ if detail.to_ascii_lowercase().contains("expired") => {
                    Err(PullError::Expired { detail })
                }
                _ => Err(PullError::CredentialsFailed { detail }),
            }
        }
    }
}

/// The account id from STS GetCallerIdentity (which needs no permission).
/// Rejected credentials fail the pull here, before any EC2 call; an STS
/// endpoint that cannot be reached does not (the account is then taken from
/// the resources' OwnerId).
async fn caller_account(sdk: &SdkConfig) -> Result<(Option<String>, bool), PullError> {
    let sts = aws_sdk_sts::Client::new(sdk);
    match sts.get_caller_identity().send().await {
        Ok(out) => Ok((out.account().map(str::to_owned), true)),
        Err(e) => {
            let e = CallError::from_sdk(e);
            if e.is_expired() {
                Err(PullError::Expired {
                    detail: format!("{}: {}", e.code(), e.message),
                })
            } else if e.is_bad_credentials() {
                Err(PullError::InvalidCredentials {
                    code: e.code().to_string(),
                    message: e.message,
                })
            } else {
                Ok((None, false))
            }
        }
    }
}

/// The API clients of one region: EC2 and both Elastic Load Balancing APIs.
#[derive(Clone, Debug)]
pub struct RegionClients {
    pub ec2: Client,
    pub elbv2: aws_sdk_elasticloadbalancingv2::Client,
    pub elb: aws_sdk_elasticloadbalancing::Client,
}

impl RegionClients {
    /// Clients from the shared configuration (credentials, `--endpoint-url`,
    /// retries) for `region`.
    fn new(sdk: &SdkConfig, region: &str) -> Self {
        let region = Region::new(region.to_string());
        RegionClients {
            ec2: Client::from_conf(
                aws_sdk_ec2::config::Builder::from(sdk)
                    .region(region.clone())
                    .build(),
            ),
            elbv2: aws_sdk_elasticloadbalancingv2::Client::from_conf(
                aws_sdk_elasticloadbalancingv2::config::Builder::from(sdk)
                    .region(region.clone())
                    .build(),
            ),
            elb: aws_sdk_elasticloadbalancing::Client::from_conf(
                aws_sdk_elasticloadbalancing::config::Builder::from(sdk)
                    .region(region)
                    .build(),
            ),
        }
    }
}

fn ec2_client(sdk: &SdkConfig, region: &str) -> Client {
    let conf = aws_sdk_ec2::config::Builder::from(sdk)
        .region(Region::new(region.to_string()))
        .build();
    Client::from_conf(conf)
}

/// `--all-regions`: the regions enabled for the account.
async fn enabled_regions(
    client: &Client,
    home: &str,
    sts_ok: bool,
) -> Result<Vec<String>, PullError> {
    let out = client.describe_regions().send().await.map_err(|e| {
        Failure {
            region: home.to_string(),
            operation: "DescribeRegions",
            key: "Regions",
            error: CallError::from_sdk(e),
        }
        .into_error(sts_ok)
    })?;
    let mut regions: Vec<String> = out
        .regions()
        .iter()
        .filter(|r| r.opt_in_status() != Some("not-opted-in"))
        .filter_map(|r| r.region_name().map(str::to_owned))
        .collect();
    regions.sort();
    if regions.is_empty() {
        return Err(PullError::NoRegion);
    }
    Ok(regions)
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
    let mut set = tokio::task::JoinSet::new();
    let mut bars = BTreeMap::new();
    for (region, client) in &clients {
        let bar = multi.add(ProgressBar::new(CALLS.len() as u64));
        bar.set_style(style.clone());
        bar.set_prefix(region.clone());
        bars.insert(region.clone(), (bar, 0usize));
        for call in CALLS {
            let (client, sem, region) = (client.clone(), sem.clone(), region.clone());
            set.spawn(async move { run_call(&client, &sem, &region, call).await });
        }
    }

    let mut files: BTreeMap<String, Vec<FileOut>> = BTreeMap::new();
    let mut failures: Vec<Failure> = Vec::new();
    let mut fatal: Option<Failure> = None;
    while let Some(joined) = set.join_next().await {
        let out = match joined {
            Ok(out) => out,
            Err(e) if e.is_cancelled() => continue,
            Err(e) => std::panic::resume_unwind(e.into_panic()),
        };
        if let Some((bar, count)) = bars.get_mut(&out.region) {
            *count += out.files.iter().map(FileOut::resources).sum::<usize>();
            bar.inc(1);
            bar.set_message(format!("{count} resources"));
        }
        for f in out.failures {
            if f.skippable() {
                failures.push(f);
            } else if fatal.is_none() {
                fatal = Some(f);
                set.abort_all();
            }
        }
        files.entry(out.region).or_default().extend(out.files);
    }
    for (bar, _) in bars.values() {
        bar.finish();
    }
    let _ = multi.clear();

    if let Some(f) = fatal {
        return Err(f.into_error(sts_ok));
    }
    if !failures.is_empty() && !opts.allow_partial {
        // Every denied call at once, so one policy change fixes them all.
        let denied: Vec<Missing> = failures
            .iter()
            .filter(|f| f.error.is_denied())
            .map(Failure::missing)
            .collect();
        if !denied.is_empty() {
            return Err(PullError::Unauthorized { denied });
        }
        return Err(failures.swap_remove(0).into_error(sts_ok));
    }
    let mut missing: Vec<Missing> = failures.iter().map(Failure::missing).collect();
    missing.sort_by(|a, b| (&a.region, &a.operation).cmp(&(&b.region, &b.operation)));

    let account = account.or_else(|| owner_from(&files));
    let mut calls = Vec::new();
    for (region, outs) in &mut files {
        outs.sort_by_key(|f| f.file);
        for f in outs.iter() {
            calls.push(CallRecord {
                region: region.clone(),
                operation: f.operation.to_string(),
                file: format!("{region}/{}", f.file),
                key: f.key.to_string(),
                resources: f.resources(),
                requests: f.requests,
            });
        }
    }
    let summary = PullSummary {
        output: opts.output.clone(),
        account,
        regions,
        calls,
        missing,
        elapsed: started.elapsed(),
    };
    let metadata = metadata(&summary, opts, start_time);
    write_atomically(&opts.output, &files, &metadata)?;
    Ok(summary)
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

fn fmt_time(t: SystemTime) -> String {
    DateTime::from(t)
        .fmt(DateTimeFormat::DateTime)
        .unwrap_or_default()
}

fn metadata(summary: &PullSummary, opts: &PullOptions, start: SystemTime) -> Value {
    let mut m = json!({
        "Tool": "vpcreach",
        "Version": env!("CARGO_PKG_VERSION"),
        "FormatVersion": FORMAT_VERSION,
        "StartTime": fmt_time(start),
        "EndTime": fmt_time(SystemTime::now()),
        "DurationSeconds": (summary.elapsed.as_secs_f64() * 1000.0).round() / 1000.0,
        "Regions": summary.regions,
        "Complete": summary.missing.is_empty(),
        "Calls": summary.calls.iter().map(|c| json!({
            "Region": c.region,
            "Operation": c.operation,
            "Action": iam_action(&c.operation),
            "File": c.file,
            "Key": c.key,
            "Resources": c.resources,
            "Requests": c.requests,
        })).collect::<Vec<_>>(),
        "Missing": summary.missing.iter().map(|m| json!({
            "Region": m.region,
            "Operation": m.operation,
            "Action": m.action,
            "Key": m.key,
            "ErrorCode": m.error_code,
            "Message": m.message,
        })).collect::<Vec<_>>(),
    });
    let obj = m.as_object_mut().expect("object");
    if let Some(a) = &summary.account {
        obj.insert("Account".into(), json!(a));
    }
    if let Some(p) = &opts.profile {
        obj.insert("Profile".into(), json!(p));
    }
    if let Some(u) = &opts.endpoint_url {
        obj.insert("EndpointUrl".into(), json!(u));
    }
    json!({ "VpcreachSnapshot": m })
}

/// JSON as the AWS CLI prints it: four-space indent, trailing newline.
fn to_cli_json(v: &Value) -> Vec<u8> {
    let mut buf = Vec::new();
    let fmt = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, fmt);
    serde::Serialize::serialize(v, &mut ser).expect("a Value always serializes");
    buf.push(b'\n');
    buf
}

/// The temporary folder beside `output` a pull writes into.
fn temp_dir_for(output: &Path) -> PathBuf {
    let name = output
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "snapshot".into());
    output.with_file_name(format!(".{name}.vpcreach-pull-{}", std::process::id()))
}

/// Write into a temporary folder beside `output`, then rename it into place;
/// a previous snapshot at `output` is replaced only after the new one is
/// complete on disk, and is left as it was if anything fails before that.
fn write_atomically(
    output: &Path,
    files: &BTreeMap<String, Vec<FileOut>>,
    metadata: &Value,
) -> Result<(), PullError> {
    let output = if output.file_name().is_none() {
        // `snap/.` or `/`: resolve so the temporary folder has a sibling path.
        std::path::absolute(output).unwrap_or_else(|_| output.to_path_buf())
    } else {
        output.to_path_buf()
    };
    let io = |path: &Path, e: std::io::Error| PullError::Output {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    if let Some(parent) = output.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| io(parent, e))?;
    }
    let tmp = temp_dir_for(&output);
    if tmp.exists() {
        std::fs::remove_dir_all(&tmp).map_err(|e| io(&tmp, e))?;
    }
    let result = (|| {
        std::fs::create_dir(&tmp).map_err(|e| io(&tmp, e))?;
        let stop = || match interrupted() {
            true => Err(PullError::Interrupted { signal: "signal" }),
            false => Ok(()),
        };
        for (region, outs) in files {
            stop()?;
            let dir = tmp.join(region);
            std::fs::create_dir_all(&dir).map_err(|e| io(&dir, e))?;
            for f in outs {
                stop()?;
                let path = dir.join(f.file);
                let doc = json!({ f.key: f.items });
                write_file(&path, &to_cli_json(&doc)).map_err(|e| io(&path, e))?;
            }
        }
        let path = tmp.join(METADATA_FILE);
        write_file(&path, &to_cli_json(metadata)).map_err(|e| io(&path, e))?;
        stop()?;
        swap_into_place(&tmp, &output).map_err(|e| io(&output, e))
    })();
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    result
}

fn write_file(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut f = std::fs::File::create(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

/// Rename `tmp` to `output`. An existing `output` (empty, or an earlier
/// snapshot) is first moved aside, and moved back if the rename fails.
fn swap_into_place(tmp: &Path, output: &Path) -> std::io::Result<()> {
    if !output.exists() {
        return std::fs::rename(tmp, output);
    }
    let old = tmp.with_file_name(format!(
        "{}.old",
        tmp.file_name().unwrap_or_default().to_string_lossy()
    ));
    if old.exists() {
        std::fs::remove_dir_all(&old)?;
    }
    std::fs::rename(output, &old)?;
    if let Err(e) = std::fs::rename(tmp, output) {
        let _ = std::fs::rename(&old, output);
        return Err(e);
    }
    std::fs::remove_dir_all(&old)
}

/// Read every page of one paginated operation, converting each item.
macro_rules! paged {
    ($sem:expr, $request:expr, $items:ident, $convert:expr) => {{
        let _permit = $sem.acquire().await.expect("the semaphore is never closed");
        let mut stream = $request.into_paginator().send();
        let mut items = Vec::new();
        let mut requests = 0usize;
        let mut error = None;
        while let Some(page) = stream.next().await {
            requests += 1;
            match page {
                Ok(page) => items.extend(page.$items().iter().map($convert)),
                Err(e) => {
                    error = Some(CallError::from_sdk(e));
                    break;
                }
            }
        }
        match error {
            Some(e) => Err(e),
            None => Ok((items, requests)),
        }
    }};
}

/// One request of an operation that has no paging.
macro_rules! unpaged {
    ($sem:expr, $request:expr, $items:ident, $convert:expr) => {{
        let _permit = $sem.acquire().await.expect("the semaphore is never closed");
        $request
            .send()
            .await
            .map(|out| (out.$items().iter().map($convert).collect(), 1))
            .map_err(CallError::from_sdk)
    }};
}

// After the macros, which it uses.
mod elb;

async fn run_call(clients: &RegionClients, sem: &Semaphore, region: &str, call: Call) -> TaskOut {
    let client = &clients.ec2;
    let result: Result<(Vec<Value>, usize), CallError> = match call {
        Call::Vpcs => paged!(sem, client.describe_vpcs(), vpcs, convert::vpc),
        Call::Subnets => paged!(sem, client.describe_subnets(), subnets, convert::subnet),
        Call::RouteTables => paged!(
            sem,
            client.describe_route_tables(),
            route_tables,
            convert::route_table
        ),
        Call::NetworkAcls => paged!(
            sem,
            client.describe_network_acls(),
            network_acls,
            convert::network_acl
        ),
        Call::SecurityGroups => paged!(
            sem,
            client.describe_security_groups(),
            security_groups,
            convert::security_group
        ),
        Call::InternetGateways => paged!(
            sem,
            client.describe_internet_gateways(),
            internet_gateways,
            convert::internet_gateway
        ),
        Call::EgressOnlyInternetGateways => paged!(
            sem,
            client.describe_egress_only_internet_gateways(),
            egress_only_internet_gateways,
            convert::egress_only_internet_gateway
        ),
        Call::NatGateways => paged!(
            sem,
            client.describe_nat_gateways(),
            nat_gateways,
            convert::nat_gateway
        ),
        Call::NetworkInterfaces => paged!(
            sem,
            client.describe_network_interfaces(),
            network_interfaces,
            convert::network_interface
        ),
        Call::Instances => paged!(
            sem,
            client.describe_instances(),
            reservations,
            convert::reservation
        ),
        Call::VpcPeeringConnections => paged!(
            sem,
            client.describe_vpc_peering_connections(),
            vpc_peering_connections,
            convert::vpc_peering_connection
        ),
        Call::PrefixLists => paged!(
            sem,
            client.describe_prefix_lists(),
            prefix_lists,
            convert::prefix_list
        ),
        Call::TransitGateways => paged!(
            sem,
            client.describe_transit_gateways(),
            transit_gateways,
            convert::transit_gateway
        ),
        Call::TransitGatewayAttachments => paged!(
            sem,
            client.describe_transit_gateway_attachments(),
            transit_gateway_attachments,
            convert::transit_gateway_attachment
        ),
        Call::TransitGatewayVpcAttachments => paged!(
            sem,
            client.describe_transit_gateway_vpc_attachments(),
            transit_gateway_vpc_attachments,
            convert::transit_gateway_vpc_attachment
        ),
        Call::VpcEndpoints => paged!(
            sem,
            client.describe_vpc_endpoints(),
            vpc_endpoints,
            convert::vpc_endpoint
        ),
        Call::SecurityGroupRules => paged!(
            sem,
            client.describe_security_group_rules(),
            security_group_rules,
            convert::security_group_rule
        ),
        // These three have no paging: one answer holds everything.
        Call::Addresses => unpaged!(
            sem,
            client.describe_addresses(),
            addresses,
            convert::address
        ),
        Call::VpnGateways => unpaged!(
            sem,
            client.describe_vpn_gateways(),
            vpn_gateways,
            convert::vpn_gateway
        ),
        Call::VpnConnections => unpaged!(
            sem,
            client.describe_vpn_connections(),
            vpn_connections,
            convert::vpn_connection
        ),
        Call::ManagedPrefixLists => return managed_prefix_lists(client, sem, region).await,
        Call::TransitGatewayRouteTables => {
            return transit_gateway_route_tables(client, sem, region).await
        }
        Call::LoadBalancers => return elb::load_balancers(&clients.elbv2, sem, region).await,
        Call::TargetGroups => return elb::target_groups(&clients.elbv2, sem, region).await,
        Call::ClassicLoadBalancers => elb::classic_load_balancers(&clients.elb, sem).await,
    };
    let mut out = TaskOut::new(region);
    match result {
        Ok((items, requests)) => out.files.push(FileOut {
            file: call.file(),
            key: call.key(),
            operation: call.operation(),
            items,
            requests,
        }),
        Err(error) => out.failures.push(Failure {
            region: region.to_string(),
            operation: call.operation(),
            key: call.key(),
            error,
        }),
    }
    out
}

/// The answers of one [`SubCall`] over every resource of a listing call.
struct SubResults {
    sub: SubCall,
    region: String,
    items: Vec<Value>,
    requests: usize,
    failure: Option<Failure>,
}

impl SubResults {
    fn new(sub: SubCall, region: &str) -> Self {
        SubResults {
            sub,
            region: region.to_string(),
            items: Vec::new(),
            requests: 0,
            failure: None,
        }
    }

    /// Whether to keep asking: after a failure (denied for one resource is
    /// denied for all) the call is not made again.
    fn ok(&self) -> bool {
        self.failure.is_none()
    }

    fn add(&mut self, got: Result<(Value, usize), CallError>) {
        match got {
            Ok((item, n)) => {
                self.items.push(item);
                self.requests += n;
            }
            // Deleted between the listing and this call: nothing to record
            // (EC2's `*.NotFound`, ELB's `LoadBalancerNotFound`...).
            Err(e)
                if e.code().ends_with("NotFound")
                    || e.code().starts_with("InvalidPrefixListID") => {}
            Err(error) => {
                self.failure = Some(Failure {
                    region: self.region.clone(),
                    operation: self.sub.operation,
                    key: self.sub.key,
                    error,
                })
            }
        }
    }

    /// The file, or the failure, into `out`.
    fn finish(self, out: &mut TaskOut) {
        match self.failure {
            Some(f) => out.failures.push(f),
            None => out.files.push(FileOut {
                file: self.sub.file,
                key: self.sub.key,
                operation: self.sub.operation,
                items: self.items,
                requests: self.requests,
            }),
        }
    }
}

/// The listing call of a [`Call`] with per-resource calls after it: its
/// file into `out`, or its failure (then nothing else is asked).
fn listed<T>(
    out: &mut TaskOut,
    call: Call,
    got: Result<(Vec<T>, usize), CallError>,
    convert: impl Fn(&T) -> Value,
) -> Option<Vec<T>> {
    match got {
        Ok((items, requests)) => {
            out.files.push(FileOut {
                file: call.file(),
                key: call.key(),
                operation: call.operation(),
                items: items.iter().map(convert).collect(),
                requests,
            });
            Some(items)
        }
        Err(error) => {
            out.failures.push(Failure {
                region: out.region.clone(),
                operation: call.operation(),
                key: call.key(),
                error,
            });
            None
        }
    }
}

/// DescribeManagedPrefixLists (metadata of AWS- and customer-managed lists),
/// then GetManagedPrefixListEntries for each list, written in the
/// self-contained `Cidrs` shape.
async fn managed_prefix_lists(client: &Client, sem: &Semaphore, region: &str) -> TaskOut {
    let mut out = TaskOut::new(region);
    let got = paged!(
        sem,
        client.describe_managed_prefix_lists(),
        prefix_lists,
        Clone::clone
    );
    let Some(lists) = listed(
        &mut out,
        Call::ManagedPrefixLists,
        got,
        convert::managed_prefix_list,
    ) else {
        return out;
    };
    let mut entries = SubResults::new(ENTRIES, region);
    // AWS-managed lists too: describe-prefix-lists gives their Cidrs on EC2,
    // but not every endpoint does (moto), and the entries are the same.
    for list in &lists {
        let Some(id) = list.prefix_list_id() else {
            continue;
        };
        if !entries.ok() {
            break;
        }
        let got: Result<(Vec<aws_sdk_ec2::types::PrefixListEntry>, usize), CallError> = paged!(
            sem,
            client.get_managed_prefix_list_entries().prefix_list_id(id),
            entries,
            Clone::clone
        );
        entries.add(got.map(|(e, n)| (convert::prefix_list_entries(list, &e), n)));
    }
    entries.finish(&mut out);
    out
}

/// DescribeTransitGatewayRouteTables, then for each table its routes
/// (SearchTransitGatewayRoutes: active and blackhole, every page) and its
/// propagations (GetTransitGatewayRouteTablePropagations), each wrapped with
/// the table id. Associations come with DescribeTransitGatewayAttachments.
async fn transit_gateway_route_tables(client: &Client, sem: &Semaphore, region: &str) -> TaskOut {
    let mut out = TaskOut::new(region);
    let got = paged!(
        sem,
        client.describe_transit_gateway_route_tables(),
        transit_gateway_route_tables,
        Clone::clone
    );
    let Some(tables) = listed(
        &mut out,
        Call::TransitGatewayRouteTables,
        got,
        convert::transit_gateway_route_table,
    ) else {
        return out;
    };
    let mut routes = SubResults::new(TGW_ROUTES, region);
    let mut propagations = SubResults::new(TGW_PROPAGATIONS, region);
    for id in tables
        .iter()
        .filter_map(|t| t.transit_gateway_route_table_id())
    {
        if routes.ok() {
            routes.add(tgw_routes(client, sem, id).await);
        }
        if propagations.ok() {
            let got: Result<
                (
                    Vec<aws_sdk_ec2::types::TransitGatewayRouteTablePropagation>,
                    usize,
                ),
                CallError,
            > = paged!(
                sem,
                client
                    .get_transit_gateway_route_table_propagations()
                    .transit_gateway_route_table_id(id),
                transit_gateway_route_table_propagations,
                Clone::clone
            );
            propagations.add(got.map(|(p, n)| (convert::transit_gateway_propagations(id, &p), n)));
        }
    }
    routes.finish(&mut out);
    propagations.finish(&mut out);
    out
}

/// Every active and blackhole route of one TGW route table, every page.
async fn tgw_routes(
    client: &Client,
    sem: &Semaphore,
    table_id: &str,
) -> Result<(Value, usize), CallError> {
    use aws_sdk_ec2::types::Filter;
    let _permit = sem.acquire().await.expect("the semaphore is never closed");
    let mut stream = client
        .search_transit_gateway_routes()
        .transit_gateway_route_table_id(table_id)
        .filters(
            Filter::builder()
                .name("state")
                .values("active")
                .values("blackhole")
                .build(),
        )
        .into_paginator()
        .send();
    let (mut routes, mut requests, mut more) = (Vec::new(), 0, false);
    while let Some(page) = stream.next().await {
        requests += 1;
        let page = page.map_err(CallError::from_sdk)?;
        routes.extend_from_slice(page.routes());
        // Set when the API could not list every route (e.g. more than it
        // returns): the loader then reports the table's routes as unknown.
        more = page.additional_routes_available().unwrap_or(false);
    }
    Ok((
        convert::transit_gateway_route_table_routes(table_id, &routes, more),
        requests,
    ))
}

/// Set once SIGINT or SIGTERM arrived (see [`pull_blocking`]): the write
/// checks it between files and gives up, removing its temporary folder.
static INTERRUPTED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

fn interrupted() -> bool {
    INTERRUPTED.load(std::sync::atomic::Ordering::SeqCst)
}

/// SIGINT (Ctrl-C) or, on Unix, SIGTERM: the one that came.
async fn shutdown_signal() -> &'static str {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            return tokio::select! {
                _ = tokio::signal::ctrl_c() => "SIGINT",
                _ = term.recv() => "SIGTERM",
            };
        }
    }
    let _ = tokio::signal::ctrl_c().await;
    "SIGINT"
}

/// Run [`pull`] on a new multi-threaded runtime (for the synchronous CLI).
/// SIGINT and SIGTERM stop it cleanly: requests in flight are dropped, a
/// write in progress stops between files and removes its temporary folder,
/// and the previous snapshot at `--output` stays as it was (exit 2).
pub fn pull_blocking(opts: &PullOptions) -> Result<PullSummary, PullError> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| PullError::Runtime(e.to_string()))?;
    rt.block_on(async {
        // On its own task, so it runs while the write blocks this one.
        let mut watcher = tokio::spawn(async {
            let signal = shutdown_signal().await;
            INTERRUPTED.store(true, std::sync::atomic::Ordering::SeqCst);
            signal
        });
        tokio::select! {
            result = pull(opts) => {
                watcher.abort();
                result
            }
            signal = &mut watcher => Err(PullError::Interrupted {
                signal: signal.unwrap_or("signal"),
            }),
        }
    })
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
