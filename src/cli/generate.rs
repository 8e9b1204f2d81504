//! Hidden commands for benchmarks and demos: `generate` (a seeded
//! synthetic estate) and `generate-flows` (a seeded flow log over a
//! snapshot's ENIs).

use std::path::PathBuf;

use miette::IntoDiagnostic;

use super::common::load;
use vpcreach::{flows, synth};

#[derive(clap::Args)]
pub struct GenerateArgs {
    #[arg(long)]
    output: PathBuf,
    /// Number of ENIs; VPCs, subnets, SGs and NACLs scale with it.
    #[arg(long, default_value_t = 10_000)]
    enis: usize,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Also write the isolation audit of docs/performance.md (issue 13)
    /// as a Network Access Scope: the first 32 VPCs tagged env=dev to the
    /// first 59 tagged env=prod.
    #[arg(long)]
    isolation_scope: Option<PathBuf>,
}

#[derive(clap::Args)]
pub struct GenerateFlowsArgs {
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
    /// Records whose action contradicts the snapshot, per thousand (0:
    /// every REJECT is one the snapshot denies).
    #[arg(long, default_value_t = flows::gen::LogSpec::default().drift_per_mille)]
    drift_per_mille: u64,
}

pub fn run(args: GenerateArgs) -> miette::Result<u8> {
    let spec = synth::EstateSpec {
        seed: args.seed,
        ..synth::EstateSpec::scaled(args.enis)
    };
    std::fs::create_dir_all(&args.output).into_diagnostic()?;
    let estate = synth::generate(&spec);
    if let Some(path) = &args.isolation_scope {
        std::fs::write(path, synth::isolation_scope(&estate, 32, 59)).into_diagnostic()?;
    }
    for (name, text) in estate {
        std::fs::write(args.output.join(name), text).into_diagnostic()?;
    }
    eprintln!("wrote {spec:?} to {}", args.output.display());
    Ok(0)
}

pub fn run_flows(args: GenerateFlowsArgs) -> miette::Result<u8> {
    let GenerateFlowsArgs {
        snapshot,
        output,
        records,
        files,
        seed,
        drift_per_mille,
    } = args;
    let snap = load(&snapshot)?;
    std::fs::create_dir_all(&output).into_diagnostic()?;
    let files = files.max(1);
    for i in 0..files {
        let n = records / files + usize::from(i < records % files);
        let path = output.join(format!("flows-{i:03}.log.gz"));
        let f = std::fs::File::create(&path).into_diagnostic()?;
        let mut gz = flate2::write::GzEncoder::new(f, flate2::Compression::default());
        let spec = flows::gen::LogSpec {
            records: n,
            seed: seed.wrapping_mul(1_000_003).wrapping_add(i as u64),
            drift_per_mille,
            ..Default::default()
        };
        flows::gen::write_log(&snap.network, &spec, &mut gz).into_diagnostic()?;
        gz.finish().into_diagnostic()?;
    }
    eprintln!(
        "wrote {records} records in {files} files to {}",
        output.display()
    );
    Ok(0)
}
