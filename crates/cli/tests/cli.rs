//! The `defines` binary as a user runs it.

use std::process::Command;

fn defines(args: &[&str]) -> (i32, String, String) {
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

#[test]
fn presets_lists_all_inputs() {
    let (code, out, _) = defines(&["presets"]);
    assert_eq!(code, 0);
    assert!(out.contains("  Meta_prototype_DF\n"));
    assert!(out.contains("  fsrcnn\n"));
    assert!(out.contains("  Meta_prototype__fsrcnn\n"));
    assert_eq!(out.lines().filter(|l| l.starts_with("  ")).count(), 40);
}

#[test]
fn macs_json_of_fsrcnn() {
    let (code, out, err) = defines(&["macs", "--workload", "fsrcnn", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["total_macs"], 8_362_594_208u64);
    assert_eq!(v["layers"].as_array().unwrap().len(), 8);
}

#[test]
fn unknown_preset_names_the_presets_and_exits_2() {
    let (code, out, err) = defines(&["macs", "--workload", "alexnet"]);
    assert_eq!((code, out.as_str()), (2, ""));
    assert!(
        err.contains("`alexnet`") && err.contains("fsrcnn, mccnn"),
        "{err}"
    );
    assert!(!err.contains("panicked"));
}

#[test]
fn invalid_json_file_prints_diagnostic_and_exits_2() {
    let path = std::env::temp_dir().join(format!("defines-bad-{}.json", std::process::id()));
    std::fs::write(&path, "{\"name\": \"x\", \"layers\": [").unwrap();
    let (code, _, err) = defines(&["macs", "--workload", path.to_str().unwrap()]);
    let _ = std::fs::remove_file(&path);
    assert_eq!(code, 2);
    assert!(
        err.contains("workload: not a valid workload document"),
        "{err}"
    );
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(defines(&[]).0, 2);
    assert_eq!(defines(&["macs", "--workload"]).0, 2);
    let (code, _, err) = defines(&["macs", "--workload", "fsrcnn", "--format", "xml"]);
    assert_eq!(code, 2);
    assert!(err.contains("`table` or `json`"), "{err}");
}
