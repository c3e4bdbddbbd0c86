//! `defines sweep --lens`: each simpler model's choice per hardware point,
//! checked against `defines eval` of that schedule and the sweep's rows.

mod common;
use common::{defines, json};

use serde_json::Value;

const GRID: [&str; 13] = [
    "sweep",
    "--hardware",
    "Meta_prototype_DF",
    "--workload",
    "fsrcnn",
    "--tiles-x",
    "4,60,960",
    "--tiles-y",
    "18,72,540",
    "--lpf",
    "5",
    "--format",
    "json",
];

#[test]
fn each_lens_names_its_schedule_and_its_true_cost() {
    let v = json(
        &[
            &GRID[..],
            &["--lens", "all", "--vary", "mac.energy_pJ_per_op=0.04,1"],
        ]
        .concat(),
    );
    let rows = v["schedules"].as_array().unwrap();
    let lenses = v["lenses"].as_array().unwrap();
    assert_eq!(lenses.len(), 6, "3 lenses × 2 hardware points");
    let names: Vec<&str> = lenses.iter().map(|l| l["lens"].as_str().unwrap()).collect();
    assert_eq!(
        &names[..3],
        ["dram-only", "activations-only", "dram-activations"]
    );
    for l in lenses {
        let mac = l["mac.energy_pJ_per_op"].as_f64().unwrap();
        let point: Vec<&Value> = rows
            .iter()
            .filter(|r| r["mac.energy_pJ_per_op"].as_f64() == Some(mac))
            .collect();
        let best = point
            .iter()
            .map(|r| r["energy_pj"].as_f64().unwrap())
            .fold(f64::INFINITY, f64::min);
        let chosen = point
            .iter()
            .find(|r| {
                r["mode"] == l["mode"] && r["tile_x"] == l["tile_x"] && r["tile_y"] == l["tile_y"]
            })
            .expect("the chosen schedule is a row of its point");
        assert_eq!(chosen["energy_pj"], l["energy_pj"]);
        assert_eq!(l["best_energy_pj"].as_f64(), Some(best));
        let ratio = l["energy_ratio"].as_f64().unwrap();
        assert_eq!(ratio, l["energy_pj"].as_f64().unwrap() / best);
        let tied = l["tied"].as_u64().unwrap();
        assert!(tied >= 1);
        let (lo, hi) = (
            l["tied_ratio_min"].as_f64().unwrap(),
            l["tied_ratio_max"].as_f64().unwrap(),
        );
        assert!(lo <= ratio && ratio <= hi && lo >= 1.0, "{l}");
        // the lens's energy is the report's, for that schedule
        if mac == 0.04 {
            let tile = format!("{}x{}", l["tile_x"], l["tile_y"]);
            let mode = l["mode"].to_string();
            let r = json(&[
                "eval",
                "--hardware",
                "Meta_prototype_DF",
                "--workload",
                "fsrcnn",
                "--mode",
                &mode,
                "--tile",
                &tile,
                "--lpf",
                "5",
                "--format",
                "json",
            ]);
            let key = match l["lens"].as_str().unwrap() {
                "dram-only" => "dram_pj",
                "activations-only" => "activations_pj",
                _ => "dram_activations_pj",
            };
            assert_eq!(r["lens_energies_pj"][key], l["lens_energy_pj"]);
        }
    }
}

#[test]
fn without_lens_the_output_has_no_lenses_and_csv_prints_them_on_stderr() {
    let v = json(&GRID);
    assert!(v.get("lenses").is_none());
    let mut csv = GRID[..11].to_vec();
    csv.extend(["--lens", "dram-only"]);
    let (code, out, err) = defines(&csv);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("mode,tile_x"), "{out}");
    assert!(err.starts_with("lens dram-only: picks mode "), "{err}");
    assert!(err.contains("× the full model's least energy"), "{err}");
    let (code, _, err) = defines(&[&GRID[..], &["--lens", "dram-only,weights-only"]].concat());
    assert_eq!(code, 2);
    assert!(
        err.contains("--lens takes dram-only, activations-only and dram-activations"),
        "{err}"
    );
}
