//! Running the `vpcreach` binary as a user would, for the hostile-input
//! and fuzz tests: no terminal colours, no stdin.

use std::ffi::OsStr;
use std::process::{Command, Stdio};

/// (exit code, stdout, stderr) of `vpcreach ARGS`.
pub fn vpcreach(args: &[impl AsRef<OsStr>]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_vpcreach"))
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
