//! The commands, one module each: flags, loading inputs, calling the
//! library's entry point, printing a report, the exit code. `pull`
//! (feature `aws`) writes a snapshot from a live account: exit 0 or 2.
//!
//! The CLI lives in the binary, not the library: its argument types are
//! clap's and it writes to the terminal, while tests and other callers use
//! the same library entry points ([`vpcreach::analysis::answer`],
//! [`vpcreach::audit::audit`], [`vpcreach::whatif::compare`]) directly.
//!
//! Owns: flags, exit codes, TTY detection. Must not know: AWS semantics,
//! JSON shapes.

mod args;
mod audit;
mod check;
mod common;
mod flows;
mod generate;
mod graph;
mod path;
mod progress;
#[cfg(feature = "aws")]
mod pull;
mod whatif;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "vpcreach",
    version,
    about = "Offline reachability and network access analyzer for AWS VPC networks"
)]
pub struct Cli {
    /// No progress bars on stderr (they are drawn only on a terminal anyway)
    /// and, for `pull`, no closing summary.
    #[arg(long, short, global = true)]
    quiet: bool,
    /// Load snapshots from their JSON, neither reading nor writing the
    /// snapshot cache (docs/performance.md, "Snapshot cache").
    #[arg(long, global = true)]
    no_cache: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Can SOURCE reach DESTINATION? Hop by hop, both directions, every blocker.
    Path(path::PathArgs),
    /// Every path a Network Access Scope selects, exhaustively: exit 0 clean, 1 findings.
    Audit(audit::AuditArgs),
    /// Explain VPC Flow Log records: which SG or NACL rule dropped each REJECT,
    /// and which records the snapshot cannot explain (drift). Exit 0: every
    /// REJECT explained and no drift; 1: some REJECT unexplained (drift,
    /// unknown ENI) or an ACCEPT the snapshot would deny; 2: input error.
    Flows(flows::FlowsArgs),
    /// Write a seeded flow log over a snapshot's ENIs as gzip files (benchmarks).
    #[command(hide = true)]
    GenerateFlows(generate::GenerateFlowsArgs),
    /// Write a seeded synthetic estate as describe-* JSON (for benchmarks and demos).
    #[command(hide = true)]
    Generate(generate::GenerateArgs),
    /// What would this change (EC2 API calls) do to reachability? Paths gained and lost.
    Whatif(whatif::WhatifArgs),
    /// What changed in reachability (and configuration) between two snapshots?
    Diff(whatif::DiffArgs),
    /// Draw the topology: VPCs with their subnets (AZ, route table, NACL),
    /// gateways, peerings, transit gateways, endpoints and load balancers.
    Graph(graph::GraphArgs),
    /// Load a snapshot and report what it holds and any warnings.
    Check(check::CheckArgs),
    /// Read a live AWS account and write a snapshot directory for offline analysis.
    ///
    /// Uses the standard AWS credential chain (environment, profiles, SSO,
    /// instance and task roles). Needs read-only EC2 permissions: see
    /// docs/iam-policy.json.
    #[cfg(feature = "aws")]
    Pull(pull::PullArgs),
}

/// Run one command: its exit code, or the error to print (exit 2).
pub fn run(cli: Cli) -> miette::Result<u8> {
    progress::enable(cli.quiet);
    common::set_no_cache(cli.no_cache);
    match cli.command {
        Command::Path(args) => path::run(args),
        Command::Audit(args) => audit::run(args),
        Command::Flows(args) => flows::run(args),
        Command::GenerateFlows(args) => generate::run_flows(args),
        Command::Generate(args) => generate::run(args),
        Command::Whatif(args) => whatif::run_whatif(args),
        Command::Diff(args) => whatif::run_diff(args),
        Command::Graph(args) => graph::run(args),
        Command::Check(args) => check::run(args),
        #[cfg(feature = "aws")]
        Command::Pull(args) => pull::run(args, cli.quiet),
    }
}
