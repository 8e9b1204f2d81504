//! `graph`: a picture of the topology (docs/diagrams.md). Exit 0, or 2
//! when a selected VPC or resource is not in the snapshot.

use std::path::PathBuf;

use miette::Report;

use super::common::{load, print};
use vpcreach::report::diagram::{self, topology::Selection, Picture};
use vpcreach::topology::Topology;

#[derive(clap::Args)]
pub struct GraphArgs {
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
    format: Picture,
}

pub fn run(args: GraphArgs) -> miette::Result<u8> {
    let snap = load(&args.snapshot)?;
    let topo = Topology::new(&snap.network);
    let selection = Selection {
        vpcs: args.vpcs,
        around: args.around,
    };
    let d = diagram::topology::topology(&topo, &selection).map_err(Report::new)?;
    print(&diagram::render(&d, args.format))?;
    Ok(0)
}
