//! MODEL.md §6.10 / `tests/reference/fsrcnn__Meta_prototype_DF.jsonl`:
//! every reference run of FSRCNN on `Meta_prototype_DF` (totals, parts,
//! breakdowns by memory, stacks, per-item energies and latencies).
//! Tolerances: energies relative 1e-6 (the bound; the clean-room
//! check of MODEL.md reached ~1e-15), latencies exact.

use defines_model::{evaluate_network, presets, validate_json, Overlap, Schedule, Tile};
use serde_json::Value;

const REL_TOL: f64 = 1e-6;

fn scenario() -> defines_model::ValidScenario {
    validate_json(
        presets::workload("fsrcnn").unwrap(),
        presets::hardware("Meta_prototype_DF").unwrap(),
        presets::mapping("Meta_prototype__fsrcnn").unwrap(),
    )
    .unwrap()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= REL_TOL * b.abs().max(1.0)
}

fn reference() -> Vec<Value> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/reference/fsrcnn__Meta_prototype_DF.jsonl"
    );
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn check(sc: &defines_model::ValidScenario, r: &Value) -> Vec<String> {
    let mode = r["overlap_mode"].as_u64().unwrap() as u8;
    let sched = Schedule {
        tile: Tile {
            x: r["tile_x"].as_u64().unwrap(),
            y: r["tile_y"].as_u64().unwrap(),
        },
        overlap: Overlap::from_mode(mode).unwrap(),
        lpf_limit: r["loma_lpf_limit"].as_u64().unwrap() as u32,
        stack_cuts: None,
    };
    let t = std::time::Instant::now();
    let rep = evaluate_network(sc, &sched).unwrap();
    let tag = format!("mode {mode} {}x{}", sched.tile.x, sched.tile.y);
    println!("{tag}: {:.3} s", t.elapsed().as_secs_f64());
    let mut bad = Vec::new();
    let mut e = |what: &str, got: f64, want: f64| {
        if !close(got, want) {
            bad.push(format!("{tag} {what}: got {got}, want {want}"));
        }
    };
    e(
        "energy",
        rep.energy_pj,
        r["total_energy_pJ"].as_f64().unwrap(),
    );
    e(
        "mac",
        rep.mac_energy_pj,
        r["mac_energy_pJ"].as_f64().unwrap(),
    );
    e(
        "mem",
        rep.mem_energy_pj,
        r["mem_energy_compute_layers_pJ"].as_f64().unwrap(),
    );
    e(
        "copy",
        rep.data_copy_energy_pj,
        r["data_copy_energy_pJ"].as_f64().unwrap(),
    );
    for (k, v) in r["mem_energy_by_instance_pJ"].as_object().unwrap() {
        let got = rep.energy_by_memory_pj.get(k).copied().unwrap_or(0.0);
        e(&format!("memory {k}"), got, v.as_f64().unwrap());
    }
    for (k, v) in r["mem_energy_by_instance_and_operand_pj"]
        .as_object()
        .or(r["mem_energy_by_instance_and_operand_pJ"].as_object())
        .unwrap()
    {
        let got = rep
            .energy_by_memory_and_operand_pj
            .get(k)
            .copied()
            .unwrap_or(0.0);
        e(&format!("memory|operand {k}"), got, v.as_f64().unwrap());
    }
    let mut lat = |what: &str, got: u64, want: &Value| {
        let want = want.as_f64().unwrap() as u64;
        if got != want {
            bad.push(format!("{tag} {what}: got {got}, want {want}"));
        }
    };
    lat("latency", rep.latency_cycles, &r["total_latency_cycles"]);
    lat(
        "copy latency",
        rep.data_copy_latency_cycles,
        &r["data_copy_latency_cycles"],
    );
    lat(
        "latency0",
        rep.latency_total0_cycles,
        &r["total_latency0_compute_layers_cycles"],
    );
    lat(
        "latency2",
        rep.latency_total2_cycles,
        &r["total_latency2_compute_layers_cycles"],
    );
    lat("ideal", rep.ideal_cycles, &r["ideal_cycles"]);
    let stacks: Vec<Vec<i64>> = serde_json::from_value(r["stacks"].clone()).unwrap();
    if rep.stacks != stacks {
        bad.push(format!("{tag} stacks {:?} vs {stacks:?}", rep.stacks));
    }
    for item in r["per_layer"].as_array().unwrap() {
        let name = item["layer"].as_str().unwrap();
        let Some(got) = rep.layers.iter().find(|i| i.reference_name == name) else {
            bad.push(format!("{tag} missing item {name}"));
            continue;
        };
        let want = item["energy"].as_f64().unwrap();
        if !close(got.energy_pj, want) {
            bad.push(format!(
                "{tag} {name} energy: got {}, want {want}",
                got.energy_pj
            ));
        }
        let wl = item
            .get("latency_total1")
            .or(item.get("latency"))
            .and_then(Value::as_f64)
            .unwrap() as u64;
        if got.latency_cycles != wl {
            bad.push(format!(
                "{tag} {name} latency: got {}, want {wl}",
                got.latency_cycles
            ));
        }
        if let Some(tt) = item.get("tile_types").and_then(Value::as_u64) {
            if got.tile_types.len() as u64 != tt {
                bad.push(format!(
                    "{tag} {name} tile types: got {}, want {tt}",
                    got.tile_types.len()
                ));
            }
        }
    }
    bad
}

#[test]
fn fsrcnn_reference_runs_match() {
    let sc = scenario();
    let mut bad = Vec::new();
    for r in reference() {
        bad.extend(check(&sc, &r));
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}
