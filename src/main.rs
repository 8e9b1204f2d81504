//! The `vpcreach` command line: parse arguments, run one command, exit 0
//! (yes / clean), 1 (no / findings) or 2 (usage or input error).
//!
//! Owns: the process boundary. Every command lives in [`cli`].

use std::process::ExitCode;

use clap::Parser;

mod cli;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    match cli::run(args) {
        Ok(code) => ExitCode::from(code),
        Err(report) => {
            eprintln!("{report:?}");
            ExitCode::from(2)
        }
    }
}
