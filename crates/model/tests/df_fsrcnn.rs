//! docs/model.md §6.10 / `tests/reference/fsrcnn__Meta_prototype_DF.jsonl`:
//! every reference run of FSRCNN on `Meta_prototype_DF` (totals, parts,
//! breakdowns by memory, stacks, per-item energies and latencies).
//! Tolerances: energies relative 1e-6 (the bound; the clean-room
//! check of docs/model.md reached ~1e-15), latencies exact.

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
    if let Some(m) = r["data_copy_energy_by_instance_pJ"].as_object() {
        for (k, v) in m {
            let got = rep
                .data_copy_energy_by_memory_pj
                .get(k)
                .copied()
                .unwrap_or(0.0);
            e(&format!("copy memory {k}"), got, v.as_f64().unwrap());
        }
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

/// docs/model.md §6.10: the six FSRCNN totals (energy and `latency_total1`).
#[test]
fn fsrcnn_six_totals() {
    let sc = scenario();
    let cases: [(u8, u64, u64, f64, u64); 6] = [
        (1, 60, 72, 2_361_363_150.545, 22_776_595),
        (2, 60, 72, 2_220_992_385.935, 21_345_958),
        (3, 60, 72, 2_154_699_943.145, 20_187_977),
        (3, 16, 18, 1_822_760_872.090, 20_523_395),
        (2, 240, 270, 18_007_016_386.925, 30_882_054),
        (1, 960, 540, 20_265_261_895.015, 29_008_303),
    ];
    let mut bad = Vec::new();
    for (mode, x, y, e, l) in cases {
        let s = Schedule {
            tile: Tile { x, y },
            overlap: Overlap::from_mode(mode).unwrap(),
            lpf_limit: 6,
            stack_cuts: None,
        };
        let t = std::time::Instant::now();
        let r = evaluate_network(&sc, &s).unwrap();
        println!(
            "mode {mode} {x}x{y}: {} pJ {} cycles ({:.3} s, rel {:.1e})",
            r.energy_pj,
            r.latency_cycles,
            t.elapsed().as_secs_f64(),
            (r.energy_pj - e).abs() / e
        );
        if !close(r.energy_pj, e) || r.latency_cycles != l {
            bad.push(format!(
                "mode {mode} {x}x{y}: {} pJ {} cycles",
                r.energy_pj, r.latency_cycles
            ));
        }
    }
    assert!(bad.is_empty(), "{bad:?}");
}

/// docs/model.md §6.8 V6: tile-type multiplicities (planning only) and the sums
/// of tile MACs.
#[test]
fn fsrcnn_tiling_structure() {
    let sc = scenario();
    let plan = |mode: u8, x: u64, y: u64| {
        let s = Schedule {
            tile: Tile { x, y },
            overlap: Overlap::from_mode(mode).unwrap(),
            lpf_limit: 6,
            stack_cuts: None,
        };
        defines_model::NetworkRun::new(&sc, &s).unwrap().stacks()
    };
    assert_eq!(plan(1, 60, 72)[0].tile_type_multiplicities, [1, 15, 112]);
    assert_eq!(
        plan(2, 60, 72)[0].tile_type_multiplicities,
        [1, 14, 1, 7, 98, 7]
    );
    assert_eq!(
        plan(3, 60, 72)[0].tile_type_multiplicities,
        [1, 14, 1, 6, 84, 6, 1, 14, 1]
    );
    assert_eq!(
        plan(3, 16, 18)[0].tile_type_multiplicities,
        [1, 58, 1, 28, 1624, 28, 1, 58, 1]
    );
    let st = &plan(1, 60, 72)[0];
    assert_eq!((st.output_x, st.output_y, st.tiles), (960, 540, 128));
}

/// §6.8: MAC sums, stack-input copy amounts and the interior tile type of
/// mode 3 (levels and copies).
#[test]
fn fsrcnn_tiles_levels_and_copies() {
    use defines_model::depth_first::data_copy::CopyKind;
    let sc = scenario();
    let run = |mode: u8| {
        let s = Schedule {
            tile: Tile { x: 60, y: 72 },
            overlap: Overlap::from_mode(mode).unwrap(),
            lpf_limit: 6,
            stack_cuts: None,
        };
        evaluate_network(&sc, &s).unwrap()
    };
    let macs = [9_120_123_904u64, 8_687_604_544, 8_362_594_208];
    let mut reps = Vec::new();
    for (m, want) in (1u8..=3).zip(macs) {
        let r = run(m);
        assert_eq!(r.macs, want, "mode {m}");
        reps.push(r);
    }
    let si = |r: &defines_model::NetworkReport| -> Vec<u64> {
        r.layers[0]
            .tile_types
            .iter()
            .map(|t| t.copies[0].bits)
            .collect()
    };
    assert_eq!(si(&reps[0]), [29600, 29600, 50912]);
    let m3 = &reps[2];
    assert_eq!(
        si(m3),
        [29600, 24000, 24000, 42624, 34560, 34560, 42624, 34560, 34560]
    );
    let interior = 4;
    let item = |name: &str| m3.layers.iter().find(|i| i.reference_name == name).unwrap();
    let tops = |id: i64| -> Vec<(String, String)> {
        item(&format!("LayerNode_{id}")).tile_types[interior]
            .top_levels
            .iter()
            .map(|t| (t.operand.clone(), t.memory.clone()))
            .collect()
    };
    let l = |o: &str, i: &str, w: &str| {
        vec![
            ("O".to_string(), o.to_string()),
            ("W".to_string(), w.to_string()),
            ("I".to_string(), i.to_string()),
        ]
    };
    assert_eq!(item("LayerNode_0").tile_types[interior].multiplicity, 84);
    assert_eq!(tops(0), l("sram_1MB_A", "sram_64KB", "sram_32KB"));
    assert_eq!(tops(1), l("sram_64KB", "sram_1MB_A", "sram_32KB"));
    for id in 2..=6 {
        assert_eq!(tops(id), l("sram_1MB_A", "sram_64KB", "sram_32KB"), "L{id}");
    }
    assert_eq!(tops(7), l("dram", "sram_1MB_A", "sram_32KB"));
    let copies = |name: &str| -> Vec<(CopyKind, u64)> {
        item(name).tile_types[interior]
            .copies
            .iter()
            .map(|c| (c.kind, c.bits))
            .collect()
    };
    let b4 = |id: i64| copies(&format!("DataCopyLayer_datamovement_b4_LayerNode_{id}"));
    use CopyKind::*;
    assert_eq!(
        copies("DataCopyLayer_datamovement_b4_InputLayerNode_-1"),
        [(StackInput, 34560)]
    );
    assert_eq!(b4(0), [(CacheRead, 2432), (CacheRead, 1920)]);
    assert_eq!(b4(1), []);
    assert_eq!(
        b4(2),
        [
            (CacheWrite, 11520),
            (CacheWrite, 13440),
            (CacheRead, 14208),
            (CacheRead, 11520)
        ]
    );
    for id in 3..=5 {
        let c = b4(id);
        assert_eq!(c.len(), 3, "L{id} {c:?}");
        assert_eq!(c[0], (OutputToInput, 414720), "L{id}");
        assert!(c[1..].iter().all(|x| x.0 == CacheRead), "L{id}");
    }
    assert_eq!(b4(6), [(OutputToInput, 414720)]);
    assert_eq!(b4(7), []);
}

/// The stepper gives the same report for any chunk size, and its progress
/// counts tile types (docs/model.md §6.8: 9 in mode 3 at 60x72).
#[test]
fn stepper_result_is_independent_of_chunk_size() {
    let sc = scenario();
    let s = Schedule {
        tile: Tile { x: 60, y: 72 },
        overlap: Overlap::FullyCached,
        lpf_limit: 6,
        stack_cuts: None,
    };
    let whole = serde_json::to_string(&evaluate_network(&sc, &s).unwrap()).unwrap();
    for chunk in [1, 5, 100] {
        let mut run = defines_model::NetworkRun::new(&sc, &s).unwrap();
        let mut last = 0;
        while !run.is_done() {
            let p = run.step(chunk).unwrap();
            assert_eq!((p.total, p.steps_total), (9, 9 * 9));
            assert!(p.steps_done > last && p.steps_done - last <= chunk);
            last = p.steps_done;
        }
        assert!(run.report_if_done().is_some());
        let r = serde_json::to_string(&run.finish().unwrap()).unwrap();
        assert_eq!(r, whole, "chunk {chunk}");
    }
}
