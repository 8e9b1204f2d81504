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

use vpcreach::analysis::intent::{self, Intent};
use vpcreach::analysis::{differential, elb, path, PathQuery, ProtocolChoice};
use vpcreach::change::{self, Applied};
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

/// `path` output: text, JSON, or a picture of the answer (docs/diagrams.md).
#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum PathFormat {
    Text,
    Json,
    Dot,
    Mermaid,
    Svg,
    /// One self-contained HTML report: verdict, blockers, picture, every hop.
    Html,
}

impl PathFormat {
    fn picture(self) -> Option<report::diagram::Picture> {
        use report::diagram::Picture;
        match self {
            PathFormat::Text | PathFormat::Json => None,
            PathFormat::Dot => Some(Picture::Dot),
            PathFormat::Mermaid => Some(Picture::Mermaid),
            PathFormat::Svg => Some(Picture::Svg),
            PathFormat::Html => Some(Picture::Html),
        }
    }
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum FlowsFormat {
    Text,
    Json,
    Csv,
}

#[derive(Subcommand)]
enum Command {
    /// Can SOURCE reach DESTINATION? Hop by hop, both directions, every blocker.
    Path(PathArgs),
    /// Every path a Network Access Scope selects, exhaustively: exit 0 clean, 1 findings.
    Audit(AuditArgs),
    /// Explain VPC Flow Log records: which SG or NACL rule dropped each REJECT,
    /// and which records the snapshot cannot explain (drift). Exit 0: every
    /// REJECT explained and no drift; 1: some REJECT unexplained (drift,
    /// unknown ENI) or an ACCEPT the snapshot would deny; 2: input error.
    Flows(FlowsArgs),
    /// Write a seeded flow log over a snapshot's ENIs as gzip files (benchmarks).
    #[command(hide = true)]
    GenerateFlows {
        #[arg(long)]
        snapshot: PathBuf,
        #[arg(long)]
        output: PathBuf,
        #[arg(long, default_value_t = 10_000_000)]
        records: usize,
        #[arg(long, default_value_t = 16)]
        files: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Write a seeded synthetic estate as describe-* JSON (for benchmarks and demos).
    #[command(hide = true)]
    Generate {
        #[arg(long)]
        output: PathBuf,
        /// Number of ENIs; VPCs, subnets, SGs and NACLs scale with it.
        #[arg(long, default_value_t = 10_000)]
        enis: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// What would this change (EC2 API calls) do to reachability? Paths gained and lost.
    Whatif(WhatifArgs),
    /// What changed in reachability (and configuration) between two snapshots?
    Diff(DiffArgs),
    /// Draw the topology: VPCs with their subnets (AZ, route table, NACL),
    /// gateways, peerings, transit gateways, endpoints and load balancers.
    Graph {
        #[arg(long)]
        snapshot: PathBuf,
        /// Draw only these VPCs in full (repeatable); their peers are single nodes.
        #[arg(long = "vpc", value_name = "VPC_ID")]
        vpcs: Vec<String>,
        /// Draw the neighbourhood of this resource (instance, ENI, subnet, VPC,
        /// gateway, peering, TGW, endpoint, route table, ACL, SG or load balancer).
        #[arg(long, value_name = "ID")]
        around: Option<String>,
        #[arg(long, value_enum, default_value = "dot")]
        format: report::diagram::Picture,
    },
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

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum AuditFormat {
    Text,
    Json,
    Sarif,
    /// Findings table (sortable, filterable) and a picture per finding, one file.
    Html,
    /// For a pull-request comment or a ticket, with Mermaid pictures.
    Markdown,
}

#[derive(clap::Args)]
struct AuditArgs {
    /// Snapshot directory (describe-* JSON files) or single JSON file.
    #[arg(long)]
    snapshot: PathBuf,
    /// A scope file (AWS Network Access Scope JSON) or a built-in:
    /// all-igw-ingress, aws-igw-egress, aws-vpc-ingress, aws-vpc-egress.
    #[arg(long)]
    scope: String,
    #[arg(long, value_enum, default_value = "text")]
    format: AuditFormat,
}

#[derive(clap::Args)]
struct PathArgs {
    /// Snapshot directory (describe-* JSON files) or single JSON file.
    #[arg(long)]
    snapshot: PathBuf,
    /// i-…, eni-…, igw-…, nat-…, pcx-…, an IPv4 or IPv6 address, or `internet`.
    #[arg(long)]
    source: String,
    /// i-…, eni-…, igw-…, nat-…, pcx-…, an IPv4 or IPv6 address, `internet`, or a
    /// load balancer (ARN, name, or one of its node interfaces/addresses).
    #[arg(long)]
    destination: String,
    /// For a load balancer destination: the verdict covers reaching a
    /// listener only (default: reaching a target through it).
    #[arg(long)]
    lb_only: bool,
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
    source_ip: Option<std::net::IpAddr>,
    /// Destination address, when the destination has several or is a gateway.
    #[arg(long)]
    destination_ip: Option<std::net::IpAddr>,
    #[arg(long, value_enum, default_value = "text")]
    format: PathFormat,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum ReportFormat {
    Text,
    Json,
    /// A summary to paste into a pull-request comment.
    Markdown,
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

impl IntentArgs {
    fn intents(&self) -> Vec<Intent> {
        self.must_reach
            .iter()
            .chain(&self.must_not_reach)
            .cloned()
            .collect()
    }
}

#[derive(clap::Args)]
struct WhatifArgs {
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
struct DiffArgs {
    /// The snapshot before.
    #[arg(long)]
    before: PathBuf,
    /// The snapshot after.
    #[arg(long)]
    after: PathBuf,
    #[command(flatten)]
    intents: IntentArgs,
}

fn parse_must_reach(s: &str) -> Result<Intent, String> {
    Intent::parse(s, true)
}

fn parse_must_not_reach(s: &str) -> Result<Intent, String> {
    Intent::parse(s, false)
}

#[derive(clap::Args)]
struct FlowsArgs {
    /// Snapshot directory (describe-* JSON files) or single JSON file.
    #[arg(long)]
    snapshot: PathBuf,
    /// Flow log files (plain or gzip) or directories (walked recursively); `-` reads stdin.
    #[arg(required = true, value_name = "FILE_OR_DIR")]
    inputs: Vec<PathBuf>,
    /// The flow log's custom format, as given to create-flow-logs:
    /// '${version} ${interface-id} …'. A header line in a file takes precedence.
    /// Default: the version 2 default format.
    #[arg(long)]
    log_format: Option<String>,
    #[arg(long, value_enum, default_value = "text")]
    format: FlowsFormat,
}

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("{message}")]
#[diagnostic(code(vpcreach::flows::log_format))]
struct LogFormatError {
    message: String,
    #[source_code]
    src: miette::NamedSource<String>,
    #[label("here")]
    span: miette::SourceSpan,
    #[help]
    help: Option<String>,
}

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("cannot read flow log input {path}: {error}")]
#[diagnostic(
    code(vpcreach::flows::input),
    help("pass files, directories, or - for stdin")
)]
struct FlowInputError {
    path: String,
    error: std::io::Error,
}

fn run_flows(args: FlowsArgs) -> miette::Result<u8> {
    use vpcreach::flows;
    let format = match &args.log_format {
        None => None,
        Some(spec) => {
            let f = flows::Format::parse(spec).map_err(|e| LogFormatError {
                message: format!("--log-format: {}", e.message),
                src: miette::NamedSource::new("--log-format", spec.clone()),
                span: e.span.into(),
                help: e.help.clone(),
            })?;
            let missing = f.missing();
            if !missing.is_empty() {
                return Err(LogFormatError {
                    message: format!(
                        "--log-format lacks {}, which vpcreach needs to evaluate a record",
                        missing
                            .iter()
                            .map(|m| m.name())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    src: miette::NamedSource::new("--log-format", spec.clone()),
                    span: (0, spec.len()).into(),
                    help: Some(
                        "flow logs created without these fields cannot be attributed".into(),
                    ),
                }
                .into());
            }
            Some(f)
        }
    };
    let inputs = flows::collect_inputs(&args.inputs).map_err(|(p, e)| FlowInputError {
        path: p.display().to_string(),
        error: e,
    })?;
    let snap = load(&args.snapshot)?;
    let topo = Topology::new(&snap.network);
    let attr = flows::Attributor::new(&topo);
    let opts = flows::Options { format };
    let stdout = std::io::stdout();
    let colour = false;
    let _ = colour;
    let summary = match args.format {
        FlowsFormat::Text => {
            let s =
                flows::run(&attr, &inputs, &opts, None, &mut std::io::sink()).into_diagnostic()?;
            let text = report::flows::text(&attr, &s);
            stdout.lock().write_all(text.as_bytes()).into_diagnostic()?;
            s
        }
        FlowsFormat::Json => {
            let out = std::io::BufWriter::with_capacity(1 << 20, std::io::stdout());
            let mut doc = report::flows::JsonDocument::begin(out).into_diagnostic()?;
            let s = flows::run(
                &attr,
                &inputs,
                &opts,
                Some(&report::flows::JsonSink),
                &mut doc,
            )
            .into_diagnostic()?;
            doc.finish(&attr, &s).into_diagnostic()?;
            s
        }
        FlowsFormat::Csv => {
            let mut out = std::io::BufWriter::with_capacity(1 << 20, std::io::stdout());
            out.write_all(report::flows::CSV_HEADER.as_bytes())
                .into_diagnostic()?;
            let s = flows::run(
                &attr,
                &inputs,
                &opts,
                Some(&report::flows::CsvSink),
                &mut out,
            )
            .into_diagnostic()?;
            out.flush().into_diagnostic()?;
            s
        }
    };
    for (f, e) in &summary.file_errors {
        eprintln!("vpcreach flows: {f}: {e}");
    }
    Ok(summary.exit_code())
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
            let warnings: Vec<String> = snap.warnings.iter().map(|w| w.to_string()).collect();
            if let Some((lb, node)) =
                elb::resolve(&topo, &query.destination).map_err(Report::new)?
            {
                let unknown = missing_for_paths(&snap, true);
                let a = elb::analyze(&topo, &query, lb, node.as_deref(), args.lb_only)
                    .map_err(Report::new)?;
                let text = match (args.format.picture(), args.format) {
                    (Some(picture), _) => {
                        report::diagram::load_balancer_document(&a, &warnings, picture)
                    }
                    (None, PathFormat::Json) => {
                        let mut v = report::elb::json(&a, &warnings);
                        with_provenance(&mut v, &snap, !unknown.is_empty());
                        serde_json::to_string_pretty(&v).into_diagnostic()? + "\n"
                    }
                    (None, _) => {
                        let provenance = snap
                            .provenance()
                            .map(|l| format!("note: {l}\n"))
                            .unwrap_or_default();
                        unknown_banner(&unknown)
                            + &report::elb::text(&a, &warnings, report::text::Style { colour })
                            + &provenance
                    }
                };
                std::io::stdout()
                    .write_all(text.as_bytes())
                    .into_diagnostic()?;
                // An incomplete snapshot never answers "reachable".
                return Ok(if a.path_found() && unknown.is_empty() {
                    0
                } else {
                    1
                });
            }
            if args.lb_only {
                return Err(miette::miette!(
                    "--lb-only needs a load balancer as the destination (its ARN, name, or a node's interface or address); {} is not one",
                    query.destination
                ));
            }
            let unknown = missing_for_paths(&snap, false);
            let mut analysis = path::analyze(&topo, &query).map_err(Report::new)?;
            analysis.mark_unknown(&unknown);
            if let Some(line) = snap.provenance() {
                analysis.notes.push(line);
            }
            let text = match (args.format.picture(), args.format) {
                (Some(picture), _) => report::diagram::path_document(&analysis, &warnings, picture),
                (None, PathFormat::Json) => {
                    let mut v = report::json::path_analysis(&analysis, &warnings);
                    with_provenance(&mut v, &snap, !unknown.is_empty());
                    serde_json::to_string_pretty(&v).into_diagnostic()? + "\n"
                }
                (None, _) => {
                    let report = report::text::path_analysis(
                        &analysis,
                        &warnings,
                        report::text::Style { colour },
                    );
                    unknown_banner(&unknown) + &report
                }
            };
            std::io::stdout()
                .write_all(text.as_bytes())
                .into_diagnostic()?;
            Ok(if analysis.path_found() { 0 } else { 1 })
        }
        Command::Whatif(args) => {
            let snap = load(&args.snapshot)?;
            let change_file = snapshot::change_file::read(&args.change).map_err(Report::new)?;
            // Every call is validated before anything is analysed.
            let outcome = change_file.apply(&snap.network).map_err(Report::new)?;
            let subject = format!(
                "{} with {} applied ({} call(s))",
                args.snapshot.display(),
                args.change.display(),
                outcome.applied.len()
            );
            compare(
                "whatif",
                subject,
                &snap.network,
                &outcome.network,
                &outcome.applied,
                outcome.notes,
                &snap.warnings,
                &args.intents,
            )
        }
        Command::Diff(args) => {
            let before = load(&args.before)?;
            let after = load(&args.after)?;
            let subject = format!("{} → {}", args.before.display(), args.after.display());
            let mut warnings = before.warnings.clone();
            warnings.extend(after.warnings.iter().cloned());
            compare(
                "diff",
                subject,
                &before.network,
                &after.network,
                &[],
                Vec::new(),
                &warnings,
                &args.intents,
            )
        }
        Command::Audit(args) => run_audit(args),
        Command::Flows(args) => run_flows(args),
        Command::GenerateFlows {
            snapshot,
            output,
            records,
            files,
            seed,
        } => {
            let snap = load(&snapshot)?;
            std::fs::create_dir_all(&output).into_diagnostic()?;
            let files = files.max(1);
            for i in 0..files {
                let n = records / files + usize::from(i < records % files);
                let path = output.join(format!("flows-{i:03}.log.gz"));
                let f = std::fs::File::create(&path).into_diagnostic()?;
                let mut gz = flate2::write::GzEncoder::new(f, flate2::Compression::default());
                let spec = vpcreach::flows::gen::LogSpec {
                    records: n,
                    seed: seed.wrapping_mul(1_000_003).wrapping_add(i as u64),
                    ..Default::default()
                };
                vpcreach::flows::gen::write_log(&snap.network, &spec, &mut gz).into_diagnostic()?;
                gz.finish().into_diagnostic()?;
            }
            eprintln!(
                "wrote {records} records in {files} files to {}",
                output.display()
            );
            Ok(0)
        }
        Command::Generate { output, enis, seed } => {
            let spec = vpcreach::synth::EstateSpec {
                seed,
                ..vpcreach::synth::EstateSpec::scaled(enis)
            };
            std::fs::create_dir_all(&output).into_diagnostic()?;
            for (name, text) in vpcreach::synth::generate(&spec) {
                std::fs::write(output.join(name), text).into_diagnostic()?;
            }
            eprintln!("wrote {spec:?} to {}", output.display());
            Ok(0)
        }
        Command::Graph {
            snapshot,
            vpcs,
            around,
            format,
        } => {
            let snap = load(&snapshot)?;
            let topo = Topology::new(&snap.network);
            let selection = report::diagram::topology::Selection { vpcs, around };
            let d = report::diagram::topology::topology(&topo, &selection).map_err(Report::new)?;
            std::io::stdout()
                .write_all(report::diagram::render(&d, format).as_bytes())
                .into_diagnostic()?;
            Ok(0)
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
                "LoadBalancers": n.load_balancers.len(),
                "TargetGroups": n.target_groups.len(),
                "Warnings": snap.warnings.iter().map(|w| w.to_string()).collect::<Vec<_>>(),
            });
            let mut counts = counts;
            if !n.egress_only_gateways.is_empty() {
                counts["EgressOnlyInternetGateways"] = n.egress_only_gateways.len().into();
            }
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

/// The part `whatif` and `diff` share: configuration differences, gained and
/// lost reachability, intents on the after-state, one report.
#[allow(clippy::too_many_arguments)]
fn compare(
    command: &str,
    subject: String,
    before: &vpcreach::model::Network,
    after: &vpcreach::model::Network,
    applied: &[Applied],
    notes: Vec<String>,
    warnings: &[snapshot::Warning],
    args: &IntentArgs,
) -> miette::Result<u8> {
    let intents = args.intents();
    let after_topo = Topology::new(after);
    intent::validate(&after_topo, &intents).map_err(Report::new)?;
    let config = change::diff::diff(before, after);
    let touched = change::diff::affected(before, after, &config);
    let diff = match &args.scope {
        // Within a scope: the audit findings of both sides, pair by pair.
        Some(arg) => {
            let scope = load_scope(arg)?;
            let before_topo = Topology::new(before);
            let b = run_scope(&before_topo, &scope)?;
            let a = run_scope(&after_topo, &scope)?;
            differential::scoped(&before_topo, &after_topo, &b, &a)
        }
        // Every ENI pair (and internet ↔ ENI) that the change can touch.
        None => differential::differential(before, after, Some(&touched)),
    };
    let results = intent::check(&after_topo, &intents).map_err(Report::new)?;
    let report = report::whatif::Report {
        command,
        subject,
        applied,
        config: &config,
        diff: &diff,
        intents: &results,
        notes,
        warnings: warnings.iter().map(|w| w.to_string()).collect(),
    };
    let text = match args.format {
        ReportFormat::Json => {
            serde_json::to_string_pretty(&report::whatif::json(&report)).into_diagnostic()? + "\n"
        }
        ReportFormat::Text => report::whatif::text(&report),
        ReportFormat::Markdown => report::whatif::markdown(&report),
        ReportFormat::Html => report::diagram::html::whatif_report(&report),
    };
    std::io::stdout()
        .write_all(text.as_bytes())
        .into_diagnostic()?;
    Ok(report.exit_code())
}

/// A scope from a file or a built-in name, with its text (for locating errors).
struct LoadedScope {
    file: PathBuf,
    text: String,
    scope: vpcreach::audit::scope::Scope,
}

fn load_scope(arg: &str) -> miette::Result<LoadedScope> {
    use vpcreach::audit;
    use vpcreach::snapshot::scope_shapes;
    let scope_path = std::path::Path::new(arg);
    let (file, text, name) = match audit::scope::built_in(arg) {
        Some(text) if !scope_path.exists() => (
            PathBuf::from(format!("<built-in {}>", arg.to_ascii_lowercase())),
            text.to_string(),
            arg.to_ascii_lowercase(),
        ),
        _ => {
            let text = std::fs::read_to_string(scope_path).map_err(|e| {
                miette::miette!(
                    code = "vpcreach::audit::scope",
                    help = "--scope takes a scope JSON file or a built-in name: all-igw-ingress, aws-igw-egress, aws-vpc-ingress, aws-vpc-egress",
                    "cannot read scope {}: {e}",
                    arg
                )
            })?;
            (scope_path.to_path_buf(), text, arg.to_string())
        }
    };
    let scope = scope_shapes::parse_scope(&file, &text, &name).map_err(Report::new)?;
    Ok(LoadedScope { file, text, scope })
}

fn run_scope(
    topo: &Topology,
    scope: &LoadedScope,
) -> miette::Result<vpcreach::audit::analysis::AuditResult> {
    use vpcreach::audit;
    use vpcreach::snapshot::scope_shapes;
    audit::audit(topo, &scope.scope).map_err(|e| {
        let (id, json_path) = match &e {
            audit::analysis::AuditError::PrefixList { id, json_path } => {
                (id.clone(), json_path.clone())
            }
        };
        Report::new(scope_shapes::locate_value(
            &scope.file,
            &scope.text,
            &id,
            &json_path,
            e.to_string(),
            Some("pull the prefix list and its entries into the snapshot".into()),
        ))
    })
}

/// (what, IAM action) for each kind a path or audit analysis needs that
/// `pull --allow-partial` could not read.
fn missing_for_paths(snap: &snapshot::Snapshot, load_balancers: bool) -> Vec<(String, String)> {
    snap.missing_for_paths(load_balancers)
        .into_iter()
        .map(|m| (format!("{} in {}", m.key, m.region), m.action))
        .collect()
}

/// The first line of a text answer that the snapshot cannot give.
fn unknown_banner(unknown: &[(String, String)]) -> String {
    if unknown.is_empty() {
        return String::new();
    }
    let what: Vec<&str> = unknown.iter().map(|(w, _)| w.as_str()).collect();
    format!(
        "UNKNOWN — the snapshot is incomplete ({} could not be pulled): what follows is not a verdict\n\n",
        what.join(", ")
    )
}

/// JSON reports of pulled snapshots carry `Snapshot` (tool, version, time,
/// account, regions, what is missing) and, when the answer depends on what
/// is missing, `"Status": "unknown"`.
fn with_provenance(v: &mut serde_json::Value, snap: &snapshot::Snapshot, unknown: bool) {
    if let Some(p) = snap.provenance_json() {
        v["Snapshot"] = p;
    }
    if unknown {
        v["Status"] = serde_json::json!("unknown");
    }
}

fn run_audit(args: AuditArgs) -> miette::Result<u8> {
    let scope = load_scope(&args.scope)?;
    let snap = load(&args.snapshot)?;
    let topo = Topology::new(&snap.network);
    let result = run_scope(&topo, &scope)?;
    let unknown = missing_for_paths(&snap, scope.scope.may_pass_load_balancers());
    let mut warnings: Vec<String> = snap.warnings.iter().map(|w| w.to_string()).collect();
    if let Some(line) = snap.provenance() {
        warnings.push(line);
    }
    let out = match args.format {
        AuditFormat::Json => {
            let mut v = report::audit::json(&result);
            v["SnapshotWarnings"] = serde_json::json!(warnings);
            with_provenance(&mut v, &snap, !unknown.is_empty());
            serde_json::to_string_pretty(&v).into_diagnostic()? + "\n"
        }
        AuditFormat::Text => unknown_banner(&unknown) + &report::audit::text(&result, &warnings),
        AuditFormat::Markdown => {
            unknown_banner(&unknown) + &report::diagram::markdown::audit(&result, &warnings)
        }
        AuditFormat::Html => {
            let banner = unknown_banner(&unknown);
            let notes: Vec<String> = Some(banner.trim().to_string())
                .filter(|b| !b.is_empty())
                .into_iter()
                .chain(warnings)
                .collect();
            report::diagram::html::audit_report(&result, &notes)
        }
        AuditFormat::Sarif => {
            let ids: std::collections::BTreeSet<String> = result
                .findings
                .iter()
                .filter_map(|f| f.destinations.first().cloned())
                .collect();
            let locations = snapshot::locate::locate_ids(&snap.files, &ids);
            serde_json::to_string_pretty(&report::audit::sarif(&result, &locations))
                .into_diagnostic()?
                + "\n"
        }
    };
    std::io::stdout()
        .write_all(out.as_bytes())
        .into_diagnostic()?;
    // "Clean" cannot be claimed over resources that were never read.
    Ok(if result.findings.is_empty() && unknown.is_empty() {
        0
    } else {
        1
    })
}
