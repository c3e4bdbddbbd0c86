//! What every CLI test file needs: the `defines` binary run as a user runs
//! it.

use std::process::Command;

/// Runs `defines` with `args`: (exit code, stdout, stderr).
pub fn defines(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_defines"))
        .args(args)
        .output()
        .expect("run defines");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
