//! The `defines` binary as a user runs it.

mod common;
use common::defines;

use defines_model::presets;
use std::process::Command;

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

fn eval_json(args: &[&str]) -> serde_json::Value {
    let mut a = vec!["eval", "--format", "json"];
    a.extend_from_slice(args);
    let (code, out, err) = defines(&a);
    assert_eq!(code, 0, "{err}");
    serde_json::from_str(&out).unwrap()
}

/// docs/model.md §6.10: the six FSRCNN totals through the CLI (energy relative
/// 1e-6, latency exact), mapping defaulting to `Meta_prototype__fsrcnn`.
#[test]
fn eval_fsrcnn_six_totals() {
    const REL_TOL: f64 = 1e-6;
    let cases: [(&str, &str, f64, u64); 6] = [
        ("1", "60x72", 2_361_363_150.545, 22_776_595),
        (
            "h-cached-v-recompute",
            "60x72",
            2_220_992_385.935,
            21_345_958,
        ),
        ("3", "60x72", 2_154_699_943.145, 20_187_977),
        ("fully-cached", "16x18", 1_822_760_872.090, 20_523_395),
        ("2", "240x270", 18_007_016_386.925, 30_882_054),
        ("fully-recompute", "960x540", 20_265_261_895.015, 29_008_303),
    ];
    for (mode, tile, e, l) in cases {
        let v = eval_json(&[
            "--hardware",
            "Meta_prototype_DF",
            "--workload",
            "fsrcnn",
            "--mode",
            mode,
            "--tile",
            tile,
        ]);
        let got = v["energy_pj"].as_f64().unwrap();
        assert!((got - e).abs() <= REL_TOL * e, "{mode} {tile}: {got}");
        assert_eq!(v["latency_cycles"].as_u64(), Some(l), "{mode} {tile}");
        for key in [
            "mac_energy_pj",
            "data_copy_energy_pj",
            "data_copy_latency_cycles",
        ] {
            assert!(v[key].is_number(), "{key}");
        }
        assert_eq!(v["stacks"], serde_json::json!([[0, 1, 2, 3, 4, 5, 6, 7]]));
        assert!(v["energy_by_memory_pj"]["dram"].is_number());
        let layers = v["layers"].as_array().unwrap();
        let l0 = layers.iter().find(|x| x["name"] == "L0").unwrap();
        assert!(l0["energy_pj"].is_number() && l0["latency_cycles"].is_number());
        assert!(!l0["tile_types"].as_array().unwrap().is_empty());
    }
}

#[test]
fn eval_table_with_lpf_and_stack_cuts() {
    let (code, out, err) = defines(&[
        "eval",
        "--hardware",
        "Meta_prototype_DF",
        "--workload",
        "fsrcnn",
        "--mapping",
        "Meta_prototype__fsrcnn",
        "--mode",
        "1",
        "--tile",
        "960x540",
        "--lpf",
        "5",
        "--stack-cuts",
        "3",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("stacks: [[0, 1, 2, 3], [4, 5, 6, 7]]"),
        "{out}"
    );
    assert!(out.contains("\ntotal "), "{out}");
}

fn eval_err(args: &[&str]) -> String {
    let mut a = vec!["eval"];
    a.extend_from_slice(args);
    let (code, out, err) = defines(&a);
    assert_eq!((code, out.as_str()), (2, ""), "{args:?}: {err}");
    assert!(
        !err.contains("panicked") && !err.contains("backtrace"),
        "{err}"
    );
    err
}

const OK: [&str; 8] = common::FSRCNN_60X72;
fn with(replace: &str, value: &str) -> Vec<String> {
    let mut v: Vec<String> = OK.iter().map(|s| s.to_string()).collect();
    match v.iter().position(|a| a == replace) {
        Some(i) => v[i + 1] = value.to_string(),
        None => {
            v.push(replace.to_string());
            v.push(value.to_string());
        }
    }
    v
}

fn eval_err_with(replace: &str, value: &str) -> String {
    let v = with(replace, value);
    let a: Vec<&str> = v.iter().map(String::as_str).collect();
    eval_err(&a)
}

#[test]
fn eval_unknown_preset_names_the_presets() {
    let err = eval_err_with("--hardware", "Meta_prototype_XL");
    assert!(
        err.contains("`Meta_prototype_XL`") && err.contains("Meta_prototype_DF, "),
        "{err}"
    );
    let err = eval_err_with("--mapping", "nope");
    assert!(
        err.contains("`nope`") && err.contains("Meta_prototype__fsrcnn"),
        "{err}"
    );
}

#[test]
fn eval_bad_tiles_exit_2() {
    for t in ["0x72", "60x0", "60", "axb", "60x-1", ""] {
        let err = eval_err_with("--tile", t);
        assert!(err.contains("--tile takes"), "{t}: {err}");
    }
}

#[test]
fn eval_bad_mode_lpf_format_cuts_exit_2() {
    assert!(eval_err_with("--mode", "4").contains("--mode takes"));
    assert!(eval_err_with("--lpf", "0").contains("--lpf takes"));
    assert!(eval_err_with("--lpf", "six").contains("--lpf takes"));
    assert!(eval_err_with("--format", "xml").contains("`table` or `json`"));
    assert!(eval_err_with("--stack-cuts", "1,x").contains("--stack-cuts takes"));
    let err = eval_err_with("--stack-cuts", "3,42");
    assert!(
        err.contains("schedule.stack_cuts[1]") && err.contains("42"),
        "{err}"
    );
    let err = eval_err_with("--stack-cuts", "5,3");
    assert!(err.contains("schedule.stack_cuts[1]"), "{err}");
    assert!(eval_err(&["--hardware", "Meta_prototype_DF"]).contains("is required"));
}

#[test]
fn eval_invalid_json_and_invalid_model_exit_2() {
    let dir = std::env::temp_dir();
    let bad = dir.join(format!("defines-eval-bad-{}.json", std::process::id()));
    std::fs::write(&bad, "{\"name\": \"x\", ").unwrap();
    let err = eval_err_with("--workload", bad.to_str().unwrap());
    assert!(err.contains("workload"), "{err}");
    // a valid JSON document that is not a valid model: loop size 0
    let text = presets::workload("fsrcnn")
        .unwrap()
        .replacen("\"K\": 56", "\"K\": 0", 1);
    let zero = dir.join(format!("defines-eval-zero-{}.json", std::process::id()));
    std::fs::write(&zero, text).unwrap();
    let err = eval_err_with("--workload", zero.to_str().unwrap());
    let _ = std::fs::remove_file(&bad);
    let _ = std::fs::remove_file(&zero);
    assert!(
        err.contains("invalid input") && err.contains("loop_dims.K"),
        "{err}"
    );
}

/// docs/model.md §6.9: FSRCNN on `TPU_like` with and without the Q36 fix.
#[test]
fn eval_fix_q36() {
    let base = [
        "--hardware",
        "TPU_like",
        "--workload",
        "fsrcnn",
        "--mode",
        "1",
        "--tile",
        "960x540",
        "--lpf",
        "5",
    ];
    let v = eval_json(&base);
    assert_eq!(v["latency_cycles"].as_u64(), Some(133_864_821));
    let mut fixed = base.to_vec();
    fixed.extend_from_slice(&["--fix", "q36"]);
    let v = eval_json(&fixed);
    assert_eq!(v["latency_cycles"].as_u64(), Some(67_049_819));
    let e = v["energy_pj"].as_f64().unwrap();
    assert!((e - 26_880_635_658.30).abs() <= 1e-6 * e, "{e}");
    assert!(eval_err_with("--fix", "q99").contains("--fix takes"));
}

/// docs/model.md §6.10: per-item energies of the one-tile FSRCNN run through the
/// CLI (all other copy layers are 0).
#[test]
fn eval_fsrcnn_one_tile_items() {
    const REL_TOL: f64 = 1e-6;
    let v = eval_json(&[
        "--hardware",
        "Meta_prototype_DF",
        "--workload",
        "fsrcnn",
        "--mode",
        "3",
        "--tile",
        "960x540",
    ]);
    let want = [
        ("copy before input", 48_012_596.25),
        ("L0", 3_009_014_868.51),
        ("L1", 3_387_870_040.5),
        ("L2", 1_301_490_793.62),
        ("L3", 1_280_017_321.18),
        ("L4", 1_290_058_433.91),
        ("L5", 1_267_929_950.79),
        ("L6", 3_457_695_270.915),
        ("L7", 5_223_172_619.34),
    ];
    let layers = v["layers"].as_array().unwrap();
    assert_eq!(layers.len(), 17);
    for item in layers {
        let name = item["name"].as_str().unwrap();
        let got = item["energy_pj"].as_f64().unwrap();
        let e = want
            .iter()
            .find(|w| w.0 == name)
            .map(|w| w.1)
            .unwrap_or(0.0);
        assert!((got - e).abs() <= REL_TOL * e, "{name}: {got} vs {e}");
    }
}

#[test]
fn help_prints_usage_and_exits_0() {
    let (code, out, _) = defines(&["--help"]);
    assert_eq!(code, 0);
    assert!(out.contains("defines eval --hardware H"), "{out}");
}

const SWEEP: [&str; 11] = [
    "sweep",
    "--hardware",
    "Meta_prototype_DF",
    "--workload",
    "fsrcnn",
    "--tiles-x",
    "60,16",
    "--tiles-y",
    "18",
    "--modes",
    "3,1",
];

#[test]
fn sweep_csv_rows_match_eval_and_do_not_depend_on_threads() {
    let (code, out, err) = defines(&[&SWEEP[..], &["--threads", "2"]].concat());
    assert_eq!(code, 0, "{err}");
    assert_eq!(err, "", "no progress on a non-terminal stderr");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0],
        "mode,tile_x,tile_y,energy_pj,latency_cycles,edp,pareto,error"
    );
    // mode-major, then y, then x ascending
    let keys: Vec<String> = lines[1..]
        .iter()
        .map(|l| l.split(',').take(3).collect::<Vec<_>>().join(","))
        .collect();
    assert_eq!(keys, ["1,16,18", "1,60,18", "3,16,18", "3,60,18"]);
    // the row of 3,16x18 carries the numbers of `defines eval`
    let (c2, ev, _) = defines(&[
        "eval",
        "--hardware",
        "Meta_prototype_DF",
        "--workload",
        "fsrcnn",
        "--mode",
        "3",
        "--tile",
        "16x18",
        "--format",
        "json",
    ]);
    assert_eq!(c2, 0);
    // compared as text: both print the shortest round-trip form (this
    // crate's serde_json parses without `float_roundtrip`)
    let field = |name: &str| -> String {
        let at = ev.find(&format!("\"{name}\":")).unwrap() + name.len() + 3;
        ev[at..].split([',', '}']).next().unwrap().to_string()
    };
    let row: Vec<&str> = lines[3].split(',').collect();
    assert_eq!(row[3], field("energy_pj"));
    assert_eq!(row[4], field("latency_cycles"));
    assert_eq!(row[6], "true", "the least-energy point is on the front");
    let (c3, one, _) = defines(&[&SWEEP[..], &["--threads", "1"]].concat());
    assert_eq!((c3, one.as_str()), (0, out.as_str()));
}

#[test]
fn sweep_json_has_front_and_best_edp() {
    let (code, out, err) = defines(&[&SWEEP[..], &["--format", "json", "--lpf", "5"]].concat());
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let rows = v["schedules"].as_array().unwrap();
    assert_eq!(rows.len(), 4);
    assert!(rows.iter().all(|r| r["lpf_limit"] == 5));
    let front: Vec<u64> = v["pareto_front"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap())
        .collect();
    assert!(!front.is_empty());
    for (i, r) in rows.iter().enumerate() {
        assert_eq!(r["pareto"], front.contains(&(i as u64)), "{r}");
        let e = r["energy_pj"].as_f64().unwrap();
        let l = r["latency_cycles"].as_u64().unwrap();
        assert_eq!(r["edp"].as_f64().unwrap(), e * l as f64);
    }
    let best = v["best_edp"].as_u64().unwrap() as usize;
    assert!(front.contains(&(best as u64)));
}

#[test]
fn sweep_auto_and_progress() {
    // auto tiles of FSRCNN: 6 x 6 sizes (full 970 x 550: the first layers'
    // outputs are larger than the last's); lpf 2 is too small for its
    // layers, so every row is an error row, quickly
    let (code, out, err) = defines(&[
        "sweep",
        "--hardware",
        "Meta_prototype_DF",
        "--workload",
        "fsrcnn",
        "--modes",
        "2",
        "--tiles",
        "auto",
        "--lpf",
        "2",
        "--progress",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.lines().count(), 1 + 36);
    assert!(out.contains("\n2,1,1,,,,false,\"layer 0: the loop prime factor limit 2"));
    assert!(out.contains("\n2,970,550,"));
    assert!(err.contains("sweep: 36/36 schedules"), "{err}");
}

#[test]
fn sweep_bad_arguments_exit_2() {
    for (args, want) in [
        (
            vec!["--tiles", "big"],
            "--tiles takes `auto` or `case-study-1`",
        ),
        (
            vec!["--tiles-x", "1,4"],
            "--tiles-x and --tiles-y go together",
        ),
        (
            vec!["--tiles-x", "1,0", "--tiles-y", "1"],
            "--tiles-x takes tile sizes",
        ),
        (vec!["--modes", "4"], "--modes takes modes 1|2|3"),
        (vec!["--format", "table"], "--format takes `csv` or `json`"),
        (
            vec!["--lpf", "13"],
            "--lpf takes a whole number from 1 to 8",
        ),
        (vec!["--threads", "0"], "--threads takes"),
        (
            vec!["--tiles", "auto", "--tiles-y", "4"],
            "either --tiles or",
        ),
    ] {
        let base = [
            "sweep",
            "--hardware",
            "Meta_prototype_DF",
            "--workload",
            "fsrcnn",
        ];
        let (code, out, err) = defines(&[&base[..], &args[..]].concat());
        assert_eq!((code, out.as_str()), (2, ""), "{args:?}");
        assert!(err.contains(want), "{args:?}: {err}");
    }
    let (code, _, err) = defines(&["sweep", "--hardware", "Nope", "--workload", "fsrcnn"]);
    assert_eq!(code, 2);
    assert!(err.contains("`Nope`"), "{err}");
}

#[test]
fn finding7_full_disk_is_an_error_not_a_panic() {
    let out = Command::new(env!("CARGO_BIN_EXE_defines"))
        .arg("presets")
        .stdout(std::fs::File::create("/dev/full").expect("/dev/full"))
        .output()
        .expect("run defines");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("cannot write the output"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn finding7_closed_pipe_ends_quietly() {
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    let out = Command::new(env!("CARGO_BIN_EXE_defines"))
        .arg("presets")
        .stdout(writer)
        .output()
        .expect("run defines");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}

#[test]
fn finding7_non_utf8_argument_exits_2() {
    use std::os::unix::ffi::OsStrExt;
    let out = Command::new(env!("CARGO_BIN_EXE_defines"))
        .args(["macs", "--workload"])
        .arg(std::ffi::OsStr::from_bytes(b"fsr\xffcnn"))
        .output()
        .expect("run defines");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("not valid UTF-8"), "{err}");
}

#[test]
fn finding7_command_help_exits_0() {
    for c in ["eval", "sweep", "macs"] {
        let (code, out, _) = defines(&[c, "--help"]);
        assert_eq!(code, 0, "{c} --help");
        assert!(out.starts_with("usage:"), "{out}");
    }
}

#[test]
fn finding6_repeated_flag_exits_2() {
    let (code, _, err) = defines(&["macs", "--workload", "fsrcnn", "--workload", "mccnn"]);
    assert_eq!(code, 2);
    assert!(err.contains("--workload is given twice"), "{err}");
}
