//! `defines_cli::library` (the Python package's entry point): the same
//! output as the command line for documents given as text, and failures
//! with the model's diagnostics.

use defines_cli::commands::{run, Source};
use defines_cli::library::{pareto_flags, run_json, tile_axes, variants, Documents};
use defines_model::presets;

fn preset_docs() -> Documents {
    Documents {
        hardware: Source::Text(presets::hardware("Meta_prototype_DF").unwrap().into()),
        workload: Source::Text(presets::workload("fsrcnn").unwrap().into()),
        mapping: None,
    }
}

fn cli(args: &[&str]) -> String {
    let argv: Vec<std::ffi::OsString> = args.iter().map(Into::into).collect();
    run(defines_cli::args::parse(&argv).unwrap())
        .unwrap()
        .stdout
}

fn strings(a: &[&str]) -> Vec<String> {
    a.iter().map(|s| s.to_string()).collect()
}

#[test]
fn documents_as_text_give_the_command_lines_json() {
    let got = run_json(
        "eval",
        &strings(&["--mode", "2", "--tile", "60x72"]),
        &preset_docs(),
    );
    let want = cli(&[
        "eval",
        "--hardware",
        "Meta_prototype_DF",
        "--workload",
        "fsrcnn",
        "--mode",
        "2",
        "--tile",
        "60x72",
        "--format",
        "json",
    ]);
    assert_eq!(got.unwrap(), want);
    let got = run_json(
        "sweep",
        &strings(&["--tiles-x", "4,60", "--tiles-y", "72"]),
        &preset_docs(),
    );
    let want = cli(&[
        "sweep",
        "--hardware",
        "Meta_prototype_DF",
        "--workload",
        "fsrcnn",
        "--tiles-x",
        "4,60",
        "--tiles-y",
        "72",
        "--format",
        "json",
    ]);
    assert_eq!(got.unwrap(), want);
}

#[test]
fn invalid_documents_and_schedules_fail_with_their_diagnostics() {
    let mut docs = preset_docs();
    let wl = presets::workload("fsrcnn")
        .unwrap()
        .replacen("\"K\": 56", "\"K\": -1", 1);
    assert_ne!(wl, presets::workload("fsrcnn").unwrap());
    docs.workload = Source::Text(wl);
    let f = run_json("eval", &strings(&["--mode", "3", "--tile", "16x18"]), &docs).unwrap_err();
    assert!(
        f.diagnostics
            .iter()
            .any(|d| d.path.ends_with("loop_dims.K")),
        "{f:?}"
    );
    assert!(f.message.starts_with("invalid input:"), "{}", f.message);
    let cuts = strings(&["--mode", "3", "--tile", "16x18", "--stack-cuts", "999"]);
    let f = run_json("eval", &cuts, &preset_docs()).unwrap_err();
    assert!(
        !f.diagnostics.is_empty() && f.message.starts_with("schedule:"),
        "{f:?}"
    );
    let f = run_json(
        "eval",
        &strings(&["--mode", "3", "--tile", "16x18", "--lpf", "0"]),
        &preset_docs(),
    )
    .unwrap_err();
    assert!(
        f.message.starts_with("--lpf") && f.diagnostics.is_empty(),
        "{f:?}"
    );
    assert!(run_json("macs", &[], &preset_docs()).is_err());
}

#[test]
fn variants_and_tile_axes_follow_the_sweep() {
    let hw = Source::Named("Meta_prototype_DF".into());
    let v = variants(
        &hw,
        &strings(&[
            "mac.energy_pJ_per_op=0.04,0.5",
            "sram_1MB_A.size_bits=4194304",
        ]),
    )
    .unwrap();
    assert_eq!(v.len(), 2);
    assert_eq!(
        v[1].values[0],
        ("mac.energy_pJ_per_op".to_string(), serde_json::json!(0.5))
    );
    assert_eq!(
        v[1].values[1],
        (
            "sram_1MB_A.size_bits".to_string(),
            serde_json::json!(4194304)
        )
    );
    assert!(v[1].hardware.contains("0.5"));
    let bad = variants(&hw, &strings(&["nosuch.size_bits=1"])).unwrap_err();
    assert!(!bad.diagnostics.is_empty(), "{bad:?}");
    let (xs, ys) = tile_axes(&preset_docs(), &defines_cli::args::Tiles::Auto).unwrap();
    assert_eq!((xs.len(), ys.len()), (6, 6));
    // the full output (with its halo), then quarters
    assert_eq!((xs[5], ys[5], xs[4], ys[4]), (970, 550, 243, 138));
    let grid = defines_cli::args::Tiles::Grid(vec![60, 4, 60], vec![72]);
    assert_eq!(
        tile_axes(&preset_docs(), &grid).unwrap(),
        (vec![4, 60], vec![72])
    );
}

#[test]
fn pareto_flags_skip_errors_and_dominated_rows() {
    let flags = pareto_flags(&[Some((2.0, 10)), None, Some((1.0, 20)), Some((3.0, 30))]);
    assert_eq!(flags, vec![true, false, true, false]);
}
