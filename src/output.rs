//! What happens when standard output cannot be written, for every command
//! and format: a closed pipe (`vpcreach check | head`) ends quietly with
//! success, as ripgrep and the coreutils do; any other write error
//! (`> /dev/full`) is one message and exit 2, never a panic.
//!
//! Owns: the policy and the panic hook that applies it to `print!`, which
//! panics on a failed write. Must not know: what the commands print.

use std::io;
use std::process::ExitCode;

const PRINT_FAILED: &str = "failed printing to stdout: ";

/// Apply the policy to `print!`/`println!` failures anywhere in the process.
pub fn install() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied());
        match message.and_then(|m| m.strip_prefix(PRINT_FAILED)) {
            Some(cause) if cause == broken_pipe_text() => std::process::exit(0),
            Some(cause) => {
                eprintln!("vpcreach: cannot write the output: {cause}");
                std::process::exit(2)
            }
            None => default(info),
        }
    }));
}

/// The exit for a failed run: success when it failed only because the
/// reader of stdout went away.
pub fn exit_for(report: &miette::Report) -> Option<ExitCode> {
    let broken = report.to_string() == broken_pipe_text()
        || report
            .chain()
            .filter_map(|e| e.downcast_ref::<io::Error>())
            .any(|e| e.kind() == io::ErrorKind::BrokenPipe);
    broken.then_some(ExitCode::SUCCESS)
}

fn broken_pipe_text() -> String {
    io::Error::from_raw_os_error(32).to_string()
}
