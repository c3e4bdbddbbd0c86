//! `defines sweep` over hardware points (`--vary`), cut sets (`--cuts`),
//! with `--fix` and `--best`: every row equals `defines eval` of that
//! point and schedule, bit for bit.

mod common;
use common::{defines, json, ok};

use defines_model::presets;
use serde_json::Value;

/// (energy bits, latency) of a report or a sweep row.
fn totals(v: &Value) -> (u64, u64) {
    (
        v["energy_pj"].as_f64().unwrap().to_bits(),
        v["latency_cycles"].as_u64().unwrap(),
    )
}

const FSRCNN_ONE_TILE: [&str; 11] = [
    "sweep",
    "--hardware",
    "Meta_prototype_DF",
    "--workload",
    "fsrcnn",
    "--tiles-x",
    "960",
    "--tiles-y",
    "540",
    "--modes",
    "3",
];

fn sweep_json(extra: &[&str]) -> Vec<Value> {
    let v = json(&[&FSRCNN_ONE_TILE[..], extra, &["--format", "json"]].concat());
    v["schedules"].as_array().unwrap().clone()
}

/// A temporary hardware file: Meta_prototype_DF with `edit` applied.
struct TempHardware(std::path::PathBuf);

impl TempHardware {
    fn new(tag: &str, edit: impl Fn(&mut Value)) -> TempHardware {
        let mut doc: Value =
            serde_json::from_str(presets::hardware("Meta_prototype_DF").unwrap()).unwrap();
        edit(&mut doc);
        let path =
            std::env::temp_dir().join(format!("defines-vary-{tag}-{}.json", std::process::id()));
        std::fs::write(&path, serde_json::to_string(&doc).unwrap()).unwrap();
        TempHardware(path)
    }
    fn path(&self) -> &str {
        self.0.to_str().unwrap()
    }
}

impl Drop for TempHardware {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn eval_json(hardware: &str, extra: &[&str]) -> Value {
    let base = [
        "eval",
        "--hardware",
        hardware,
        "--workload",
        "fsrcnn",
        "--mode",
        "3",
        "--tile",
        "960x540",
        "--format",
        "json",
    ];
    json(&[&base[..], extra].concat())
}

/// Each varied point equals `defines eval` on a hardware file with those
/// values written in; the leading columns carry the values as given.
#[test]
fn a_varied_point_equals_eval_of_that_hardware_file() {
    let rows = sweep_json(&[
        "--vary",
        "sram_1MB_A.size_bits=4194304",
        "--vary",
        "mac.energy_pJ_per_op=0.04,8e-2",
    ]);
    assert_eq!(rows.len(), 2);
    let mut seen = Vec::new();
    for (row, energy) in rows.iter().zip([0.04, 0.08]) {
        assert_eq!(row["sram_1MB_A.size_bits"], 4_194_304u64);
        assert_eq!(row["mac.energy_pJ_per_op"].as_f64(), Some(energy));
        let keys: Vec<&str> = row
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys[..4],
            [
                "sram_1MB_A.size_bits",
                "mac.energy_pJ_per_op",
                "mode",
                "tile_x"
            ]
        );
        let file = TempHardware::new(&format!("{energy}"), |d| {
            d["cores"][0]["memory_levels"][5]["instance"]["size_bits"] = 4_194_304u64.into();
            d["cores"][0]["operational_array"]["unit"]["energy_pJ_per_op"] = energy.into();
        });
        let report = eval_json(file.path(), &[]);
        assert_eq!(totals(row), totals(&report), "{row}");
        seen.push(totals(row));
    }
    // the values were applied: the points differ, and differ from the preset
    let preset = totals(&eval_json("Meta_prototype_DF", &[]));
    assert!(seen[0] != seen[1] && seen[0] != preset && seen[1] != preset);
    assert_eq!(
        seen[0].1, seen[1].1,
        "the MAC energy does not change latency"
    );
    // CSV: the same rows, values as given (integers as integers)
    let csv = ok(&[
        &FSRCNN_ONE_TILE[..],
        &[
            "--vary",
            "sram_1MB_A.size_bits=4.194304e6",
            "--vary",
            "mac.energy_pJ_per_op=0.04,8e-2",
        ],
    ]
    .concat());
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "sram_1MB_A.size_bits,mac.energy_pJ_per_op,mode,tile_x,tile_y,energy_pj,latency_cycles,edp,pareto,error"
    );
    assert!(
        lines[1].starts_with("4194304,0.04,3,960,540,"),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].starts_with("4194304,0.08,3,960,540,"),
        "{}",
        lines[2]
    );
}

/// `--cuts none,all` gives the stacks of `eval --stack-cuts` with the
/// equivalent lists: none (one stack) and every layer, the input included.
#[test]
fn cut_sets_equal_eval_with_the_explicit_lists() {
    let rows = sweep_json(&["--cuts", "none,all"]);
    assert_eq!(rows.len(), 2);
    assert_eq!(
        (&rows[0]["cuts"], &rows[1]["cuts"]),
        (&"none".into(), &"all".into())
    );
    let none = eval_json("Meta_prototype_DF", &["--stack-cuts", ""]);
    let all = eval_json("Meta_prototype_DF", &["--stack-cuts", "-1,0,1,2,3,4,5,6,7"]);
    assert_eq!(totals(&rows[0]), totals(&none));
    assert_eq!(totals(&rows[1]), totals(&all));
    assert_ne!(totals(&rows[0]), totals(&rows[1]));
    // Q36: the cut after layer 0 is no cut, so layers 0 and 1 run twice
    assert_eq!(
        all["stacks"][0],
        serde_json::json!([0, 1, 2, 3, 4, 5, 6, 7])
    );
    assert_eq!(all["stacks"][1], serde_json::json!([0, 1]));
    // explicit lists are quoted in CSV (they hold commas)
    let csv = ok(&[&FSRCNN_ONE_TILE[..], &["--cuts", "auto;0,3"]].concat());
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[0].starts_with("cuts,mode,"), "{}", lines[0]);
    assert!(lines[1].starts_with("auto,3,960,540,"), "{}", lines[1]);
    assert!(lines[2].starts_with("\"0,3\",3,960,540,"), "{}", lines[2]);
}

/// `--fix q36` applies to every schedule of the sweep, as in `eval`
/// (docs/model.md §6.9 numbers).
#[test]
fn fix_q36_in_a_sweep() {
    let base = [
        "sweep",
        "--hardware",
        "TPU_like",
        "--workload",
        "fsrcnn",
        "--tiles-x",
        "960",
        "--tiles-y",
        "540",
        "--modes",
        "1",
        "--lpf",
        "5",
        "--format",
        "json",
    ];
    let latency = |extra: &[&str]| {
        let v = json(&[&base[..], extra].concat());
        v["schedules"][0]["latency_cycles"].as_u64()
    };
    assert_eq!(latency(&[]), Some(133_864_821));
    assert_eq!(latency(&["--fix", "q36"]), Some(67_049_819));
}

/// `--best` keeps the best-EDP row of each (point, cut set); the Pareto
/// front is over all schedules of one hardware point.
#[test]
fn best_and_pareto_per_hardware_point() {
    let args = [
        "sweep",
        "--hardware",
        "Meta_prototype_DF",
        "--workload",
        "fsrcnn",
        "--tiles-x",
        "60,240",
        "--tiles-y",
        "72",
        "--modes",
        "1,3",
        "--cuts",
        "auto;3",
        "--vary",
        "mac.energy_pJ_per_op=0.04,0.08",
        "--format",
        "json",
        "--lpf",
        "5",
    ];
    let all = json(&args);
    let rows = all["schedules"].as_array().unwrap();
    assert_eq!(rows.len(), 2 * 2 * 4);
    let point = |r: &Value| r["mac.energy_pJ_per_op"].as_f64().unwrap();
    let e = |r: &Value| r["energy_pj"].as_f64().unwrap();
    let l = |r: &Value| r["latency_cycles"].as_u64().unwrap();
    for r in rows {
        let dominated = rows.iter().any(|o| {
            point(o) == point(r) && e(o) <= e(r) && l(o) <= l(r) && (e(o) < e(r) || l(o) < l(r))
        });
        assert_eq!(r["pareto"], !dominated, "{r}");
    }
    // every point has its own front (the 0.08 pJ rows are all dominated by
    // 0.04 pJ rows of equal latency, yet some are on their point's front),
    // and the cut sets compete within a point (cutting after layer 3 is
    // never on the front here, though its best row would top a front of
    // its own)
    for p in [0.04, 0.08] {
        assert!(rows.iter().any(|r| point(r) == p && r["pareto"] == true));
    }
    assert!(rows
        .iter()
        .all(|r| r["cuts"] == "auto" || r["pareto"] == false));
    let front: Vec<usize> = all["pareto_front"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i.as_u64().unwrap() as usize)
        .collect();
    let flagged: Vec<usize> = (0..rows.len())
        .filter(|&i| rows[i]["pareto"] == true)
        .collect();
    let mut sorted = front.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, flagged);
    let best = json(&[&args[..], &["--best"]].concat());
    let best_rows = best["schedules"].as_array().unwrap();
    assert_eq!(best_rows.len(), 4);
    for (g, b) in rows.chunks(4).zip(best_rows) {
        let edp = |r: &Value| r["edp"].as_f64().unwrap();
        let min = g.iter().min_by(|a, b| edp(a).total_cmp(&edp(b))).unwrap();
        assert_eq!(
            b, min,
            "--best keeps the row as it is, pareto flag included"
        );
    }
    let best_edp = best["best_edp"].as_u64().unwrap() as usize;
    let overall = best_rows
        .iter()
        .map(|r| r["edp"].as_f64().unwrap())
        .fold(f64::INFINITY, f64::min);
    assert_eq!(best_rows[best_edp]["edp"].as_f64(), Some(overall));
}

fn sweep_err(extra: &[&str]) -> String {
    let (code, out, err) = defines(&[&FSRCNN_ONE_TILE[..], extra].concat());
    assert_eq!((code, out.as_str()), (2, ""), "{extra:?}: {err}");
    assert!(!err.contains("panicked"), "{err}");
    err
}

#[test]
fn vary_and_cuts_errors_exit_2() {
    let e = sweep_err(&["--vary", "sram_2MB.size_bits=1024"]);
    assert!(
        e.contains("no memory is named `sram_2MB`")
            && e.contains("rf_1B, rf_2B, sram_32KB, sram_1MB_W, sram_64KB, sram_1MB_A, dram"),
        "{e}"
    );
    let e = sweep_err(&["--vary", "sram_1MB_A.size=1024"]);
    assert!(
        e.contains("`size` (in `sram_1MB_A.size`) is not a memory field")
            && e.contains("size_bits"),
        "{e}"
    );
    let e = sweep_err(&["--vary", "sram_1MB_A.size_bits=2097152,1.5"]);
    assert!(
        e.contains("parameter `sram_1MB_A.size_bits` = 1.5 is not a whole number")
            && !e.contains("= 2097152"),
        "{e}"
    );
    let e = sweep_err(&["--vary", "mac.D7=2"]);
    assert!(
        e.contains("no dimension `D7`") && e.contains("D1, D2, D3, D4"),
        "{e}"
    );
    let e = sweep_err(&["--cuts", "auto,0,3"]);
    assert!(
        e.contains("mixes keywords and layer ids") && e.contains("`auto;0,3`"),
        "{e}"
    );
    let e = sweep_err(&["--cuts", "auto;3,42"]);
    assert!(
        e.contains("--cuts set `3,42`") && e.contains("schedule.stack_cuts[1]"),
        "{e}"
    );
    // a point whose document is invalid: no read port left for port_alloc
    let e = sweep_err(&["--vary", "sram_1MB_A.r_port=1,0"]);
    assert!(
        e.contains("hardware point sram_1MB_A.r_port=0") && e.contains("unknown port `r_port_1`"),
        "{e}"
    );
    let values: Vec<String> = (1..=400).map(|i| (i * 1024).to_string()).collect();
    let values = values.join(",");
    let e = sweep_err(&[
        "--vary",
        &format!("sram_1MB_A.size_bits={values}"),
        "--vary",
        &format!("sram_64KB.size_bits={values}"),
    ]);
    assert!(
        e.contains("160000 hardware point(s) (--vary)")
            && e.contains("the number of evaluations 160000 is over the limit 100000"),
        "{e}"
    );
}
