//! What every CLI test file needs: the `defines` binary run as a user runs
//! it, its JSON output, and the scenario most tests start from. (Each test
//! file uses some of these: the others are not dead code.)
#![allow(dead_code)]

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

/// The stdout of a run that must succeed.
pub fn ok(args: &[&str]) -> String {
    let (code, out, err) = defines(args);
    assert_eq!(code, 0, "{args:?}: {err}");
    out
}

/// The JSON a run that must succeed prints.
pub fn json(args: &[&str]) -> serde_json::Value {
    serde_json::from_str(&ok(args)).unwrap()
}

/// FSRCNN on Meta_prototype_DF, fully cached, tile 60×72.
pub const FSRCNN_60X72: [&str; 8] = [
    "--hardware",
    "Meta_prototype_DF",
    "--workload",
    "fsrcnn",
    "--mode",
    "3",
    "--tile",
    "60x72",
];
