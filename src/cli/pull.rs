//! `pull` (feature `aws`): read a live account into a snapshot directory.
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
    /// Concurrent EC2 requests.
    #[arg(long, default_value_t = snapshot::pull::DEFAULT_CONCURRENCY as u16, value_parser = clap::value_parser!(u16).range(1..=64))]
    max_concurrency: u16,
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
    };
    let summary = snapshot::pull::pull_blocking(&opts).map_err(Report::new)?;
    if !quiet {
        eprint!("{}", summary.render());
    }
    Ok(0)
}
