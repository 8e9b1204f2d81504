//! `path`: can SOURCE reach DESTINATION? Exit 0 yes, 1 no (or unknown).

use std::path::PathBuf;

use miette::Report;

use super::args::{parse_port_range, parse_protocol, PathFormat};
use super::common::{load, missing_for_paths, print, style, warnings};
use vpcreach::analysis::{self, PathAnswer, PathQuery, ProtocolChoice};
use vpcreach::report::{self, answer::Context};
use vpcreach::topology::Topology;

#[derive(clap::Args)]
pub struct PathArgs {
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

pub fn run(args: PathArgs) -> miette::Result<u8> {
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
    let mut answer = analysis::answer(&topo, &query, args.lb_only).map_err(Report::new)?;
    let unknown = missing_for_paths(&snap, answer.through_load_balancer());
    answer.mark_unknown(&unknown);
    let found = answer.found(&unknown);
    let warnings = warnings(&snap);
    let cx = Context {
        warnings: &warnings,
        provenance: snap.provenance(),
        provenance_json: snap.provenance_json(),
        unknown: &unknown,
    };
    print(&match (args.format.picture(), args.format) {
        (Some(picture), _) => {
            let notes: Vec<String> = warnings.iter().cloned().chain(snap.provenance()).collect();
            match &answer {
                PathAnswer::Path(a) => report::diagram::path_document(a, &notes, picture),
                PathAnswer::LoadBalancer(a) => {
                    report::diagram::load_balancer_document(a, &notes, picture)
                }
            }
        }
        (None, PathFormat::Json) => report::answer::json(answer, &cx),
        (None, _) => report::answer::text(answer, &cx, style()),
    })?;
    Ok(if found { 0 } else { 1 })
}
