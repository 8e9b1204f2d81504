//! `check`: load a snapshot, say what it holds. Exit 0 clean, 1 warnings.

use std::path::PathBuf;

use super::args::Format;
use super::common::{load, print};
use vpcreach::report;

#[derive(clap::Args)]
pub struct CheckArgs {
    #[arg(long)]
    snapshot: PathBuf,
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

pub fn run(args: CheckArgs) -> miette::Result<u8> {
    let snap = load(&args.snapshot)?;
    print(&match args.format {
        Format::Json => report::check::json(&snap),
        Format::Text => report::check::text(&snap, &args.snapshot.display().to_string()),
    })?;
    Ok(if snap.warnings.is_empty() { 0 } else { 1 })
}
