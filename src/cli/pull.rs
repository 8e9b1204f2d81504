//! `pull` (feature `aws`): read a live account, or several (`--org`,
//! `--accounts`), into a snapshot directory.
//! Exit 0, or 2 on error.

use std::path::PathBuf;

use miette::Report;

use vpcreach::snapshot;

#[derive(clap::Args)]
pub struct PullArgs {
    /// Snapshot directory to write: new, empty, or an earlier pull's (replaced
    /// only once the new snapshot is complete).
    #[arg(long, short)]
    output: PathBuf,
    /// Region to pull (repeatable). Default: the profile's or AWS_REGION.
    #[arg(long = "region", value_name = "REGION", conflicts_with = "all_regions")]
    regions: Vec<String>,
    /// Every region enabled for the account (DescribeRegions).
    #[arg(long)]
    all_regions: bool,
    /// Named profile from ~/.aws/config (default: AWS_PROFILE or `default`).
    #[arg(long)]
    profile: Option<String>,
    /// Endpoint for every AWS call, e.g. an emulator or a VPC endpoint
    /// (AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_EC2 are honoured too).
    #[arg(long, value_name = "URL")]
    endpoint_url: Option<String>,
    /// On a denied call or a disabled region, write what could be read and
    /// record what is missing in the snapshot's metadata instead of failing.
    #[arg(long)]
    allow_partial: bool,
    /// Concurrent AWS requests, all accounts and regions together (with
    /// --org / --accounts, also the accounts pulled at once).
    #[arg(long, visible_alias = "concurrency", default_value_t = snapshot::pull::DEFAULT_CONCURRENCY as u16, value_parser = clap::value_parser!(u16).range(1..=64))]
    max_concurrency: u16,
    /// Pull every active account of the organisation (organizations:ListAccounts,
    /// from the management account or a delegated administrator) into
    /// OUTPUT/accounts/<id>/<region>/; see docs/org.md.
    #[arg(long, requires = "role_name")]
    org: bool,
    /// With --org: only these accounts. Without: pull exactly these accounts
    /// (comma-separated 12-digit ids).
    #[arg(long, value_delimiter = ',', value_name = "ID,...", value_parser = parse_account_id, requires = "role_name")]
    accounts: Vec<String>,
    /// With --org: leave these accounts out.
    #[arg(long, value_delimiter = ',', value_name = "ID,...", value_parser = parse_account_id, requires = "org", conflicts_with = "accounts")]
    exclude_accounts: Vec<String>,
    /// The role to assume in each account (the caller's own account is read
    /// with the caller's credentials).
    #[arg(long, value_name = "NAME")]
    role_name: Option<String>,
    /// The external id the role's trust policy requires.
    #[arg(long, value_name = "ID", requires = "role_name")]
    external_id: Option<String>,
}

fn parse_account_id(s: &str) -> Result<String, String> {
    let s = s.trim();
    if s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit()) {
        Ok(s.to_string())
    } else {
        Err(format!("`{s}` is not an AWS account id (12 digits)"))
    }
}

pub fn run(args: PullArgs, quiet: bool) -> miette::Result<u8> {
    let opts = snapshot::pull::PullOptions {
        output: args.output,
        regions: args.regions,
        all_regions: args.all_regions,
        profile: args.profile,
        endpoint_url: args.endpoint_url,
        allow_partial: args.allow_partial,
        progress: super::progress::enabled(),
        concurrency: usize::from(args.max_concurrency),
        accounts: (args.org || !args.accounts.is_empty()).then(|| {
            snapshot::pull::AccountsOptions {
                org: args.org,
                role_name: args.role_name.unwrap_or_default(),
                external_id: args.external_id,
                accounts: args.accounts,
                exclude: args.exclude_accounts,
            }
        }),
    };
    let summary = snapshot::pull::pull_blocking(&opts).map_err(Report::new)?;
    if !quiet {
        eprint!("{}", summary.render());
    }
    Ok(0)
}
