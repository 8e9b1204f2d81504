//! The `vpcreach` command line: parse arguments, run one command, exit 0
//! (yes / clean), 1 (no / findings) or 2 (usage or input error).
//!
//! Owns: the process boundary. Every command lives in [`cli`].

use std::process::ExitCode;

use clap::Parser;

mod cli;
mod output;

// Header-set algebra allocates and frees millions of small blocks per audit;
// mimalloc's thread-local free lists make that markedly cheaper than glibc's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    output::install();
    let args = cli::Cli::parse();
    match cli::run(args) {
        Ok(code) => ExitCode::from(code),
        Err(report) => {
            if let Some(exit) = output::exit_for(&report) {
                return exit;
            }
            eprintln!("{report:?}");
            ExitCode::from(2)
        }
    }
}
