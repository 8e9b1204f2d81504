//! The `vpcreach` command line: parse arguments, run one analysis, print a
//! report, exit 0 (yes / clean), 1 (no / findings) or 2 (usage or input error).
//! `pull` (feature `aws`) writes a snapshot from a live account: exit 0 or 2.
//!
//! Owns: flags, exit codes, TTY detection. Must not know: AWS semantics.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use miette::{IntoDiagnostic, Report};

use vpcreach::analysis::{path, PathQuery, ProtocolChoice};
use vpcreach::report;
use vpcreach::snapshot;
use vpcreach::topology::Topology;

#[derive(Parser)]
#[command(
    name = "vpcreach",
    version,
    about = "Offline reachability and network access analyzer for AWS VPC networks"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum Format {
    Text,
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Can SOURCE reach DESTINATION? Hop by hop, both directions, every blocker.
    Path(PathArgs),
    /// Load a snapshot and report what it holds and any warnings.
    Check {
        #[arg(long)]
        snapshot: PathBuf,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// Read a live AWS account and write a snapshot directory for offline analysis.
    ///
    /// Uses the standard AWS credential chain (environment, profiles, SSO,
    /// instance and task roles). Needs read-only EC2 permissions: see
    /// docs/iam-policy.json.
    #[cfg(feature = "aws")]
    Pull(PullArgs),
}

#[cfg(feature = "aws")]
#[derive(clap::Args)]
struct PullArgs {
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
    /// No progress bars and no summary.
    #[arg(long, short)]
    quiet: bool,
}

#[derive(clap::Args)]
struct PathArgs {
    /// Snapshot directory (describe-* JSON files) or single JSON file.
    #[arg(long)]
    snapshot: PathBuf,
    /// i-…, eni-…, igw-…, nat-…, pcx-…, an IPv4 address, or `internet`.
    #[arg(long)]
    source: String,
    /// i-…, eni-…, igw-…, nat-…, pcx-…, an IPv4 address, or `internet`.
    #[arg(long)]
    destination: String,
    /// tcp, udp, icmp, all, or an IANA protocol number.
    #[arg(long, default_value = "tcp", value_parser = parse_protocol)]
    protocol: ProtocolChoice,
    /// Destination port or range (N or N-M); for ICMP, the ICMP type. Omitted: all.
    #[arg(long, value_parser = parse_port_range)]
    port: Option<(u16, u16)>,
    /// Source port or range (N or N-M). Omitted: all.
    #[arg(long, value_parser = parse_port_range)]
    source_port: Option<(u16, u16)>,
    /// Source address, when the source has several.
    #[arg(long)]
    source_ip: Option<std::net::Ipv4Addr>,
    /// Destination address, when the destination has several or is a gateway.
    #[arg(long)]
    destination_ip: Option<std::net::Ipv4Addr>,
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

fn parse_protocol(s: &str) -> Result<ProtocolChoice, String> {
    match s.to_ascii_lowercase().as_str() {
        "tcp" => Ok(ProtocolChoice::Number(6)),
        "udp" => Ok(ProtocolChoice::Number(17)),
        "icmp" => Ok(ProtocolChoice::Number(1)),
        "all" | "-1" => Ok(ProtocolChoice::All),
        n => n
            .parse::<u8>()
            .map(ProtocolChoice::Number)
            .map_err(|_| format!("{s:?} is not tcp, udp, icmp, all or a protocol number 0-255")),
    }
}

fn parse_port_range(s: &str) -> Result<(u16, u16), String> {
    let bad = || format!("{s:?} is not a port (N) or range (N-M) within 0-65535");
    match s.split_once('-') {
        Some((a, b)) => {
            let (a, b) = (
                a.trim().parse::<u16>().map_err(|_| bad())?,
                b.trim().parse::<u16>().map_err(|_| bad())?,
            );
            if a > b {
                return Err(bad());
            }
            Ok((a, b))
        }
        None => s.trim().parse::<u16>().map(|p| (p, p)).map_err(|_| bad()),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(report) => {
            eprintln!("{report:?}");
            ExitCode::from(2)
        }
    }
}

fn load(path: &std::path::Path) -> miette::Result<snapshot::Snapshot> {
    snapshot::load(path).map_err(Report::new)
}

fn run(cli: Cli) -> miette::Result<u8> {
    let colour = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    match cli.command {
        Command::Path(args) => {
            let snap = load(&args.snapshot)?;
            let topo = Topology::new(&snap.network);
            let query = PathQuery {
                source: args.source,
                destination: args.destination,
                protocol: args.protocol,
                dport: args.port,
                sport: args.source_port,
                source_ip: args.source_ip,
                destination_ip: args.destination_ip,
            };
            let analysis = path::analyze(&topo, &query).map_err(Report::new)?;
            let warnings: Vec<String> = snap.warnings.iter().map(|w| w.to_string()).collect();
            let text = match args.format {
                Format::Json => {
                    serde_json::to_string_pretty(&report::json::path_analysis(&analysis, &warnings))
                        .into_diagnostic()?
                        + "\n"
                }
                Format::Text => report::text::path_analysis(
                    &analysis,
                    &warnings,
                    report::text::Style { colour },
                ),
            };
            std::io::stdout()
                .write_all(text.as_bytes())
                .into_diagnostic()?;
            Ok(if analysis.path_found() { 0 } else { 1 })
        }
        Command::Check { snapshot, format } => {
            let snap = load(&snapshot)?;
            let n = &snap.network;
            let counts = serde_json::json!({
                "Files": snap.files.len(),
                "Bytes": snap.bytes,
                "Vpcs": n.vpcs.len(),
                "Subnets": n.subnets.len(),
                "RouteTables": n.route_tables.len(),
                "NetworkAcls": n.network_acls.len(),
                "SecurityGroups": n.security_groups.len(),
                "InternetGateways": n.internet_gateways.len(),
                "NatGateways": n.nat_gateways.len(),
                "NetworkInterfaces": n.network_interfaces.len(),
                "Instances": n.instances.len(),
                "VpcPeeringConnections": n.peerings.len(),
                "PrefixLists": n.prefix_lists.len(),
                "Warnings": snap.warnings.iter().map(|w| w.to_string()).collect::<Vec<_>>(),
            });
            match format {
                Format::Json => println!(
                    "{}",
                    serde_json::to_string_pretty(&counts).into_diagnostic()?
                ),
                Format::Text => {
                    println!(
                        "snapshot {}: {} files, {} bytes, {} resources",
                        snapshot.display(),
                        snap.files.len(),
                        snap.bytes,
                        n.resource_count()
                    );
                    if let serde_json::Value::Object(m) = &counts {
                        for (k, v) in m {
                            if k != "Warnings" && k != "Files" && k != "Bytes" {
                                println!("  {k:<24} {v}");
                            }
                        }
                    }
                    for w in &snap.warnings {
                        println!("warning: {w}");
                    }
                }
            }
            Ok(if snap.warnings.is_empty() { 0 } else { 1 })
        }
        #[cfg(feature = "aws")]
        Command::Pull(args) => {
            let opts = snapshot::pull::PullOptions {
                output: args.output,
                regions: args.regions,
                all_regions: args.all_regions,
                profile: args.profile,
                endpoint_url: args.endpoint_url,
                allow_partial: args.allow_partial,
                progress: !args.quiet && std::io::stderr().is_terminal(),
                concurrency: usize::from(args.max_concurrency),
            };
            let summary = snapshot::pull::pull_blocking(&opts).map_err(Report::new)?;
            if !args.quiet {
                eprint!("{}", summary.render());
            }
            Ok(0)
        }
    }
}
