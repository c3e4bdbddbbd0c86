//! docs/model.md §6.10: every layer of the one-tile (960x540, layer-by-layer)
//! FSRCNN run on `Meta_prototype_DF` evaluated as a single layer with the
//! top levels the reference uses (weights and outputs: full hierarchy;
//! activation inputs: DRAM, except L0 whose input was copied to
//! `sram_1MB_A`). Reference values: `tests/reference/fsrcnn__Meta_prototype_DF.jsonl`
//! (entry with tile 960x540), tolerance relative 1e-6 per the issue (the
//! clean-room check of the model spec reached ~1e-15).

use defines_model::input::hardware::Hardware;
use defines_model::input::mapping::MappingFile;
use defines_model::scenario::layer::LayerSpec;
use defines_model::single_layer::{evaluate_layer, LomaConfig, LomaSearch};
use defines_model::{presets, Workload};

const REL_TOL: f64 = 1e-9;

/// (layer id, energy pJ, latency_total0, latency_total1, latency_total2, ideal cycles)
const REFERENCE: [(i64, f64, u64, u64, u64, u64); 8] = [
    (0, 3009014868.51, 3747252, 3748225, 3763683, 729395),
    (1, 3387870040.5, 4476168, 4546098, 4561004, 350110),
    (2, 1301490793.62, 1889774, 1964643, 1967933, 671369),
    (3, 1280017321.18, 1889774, 1964643, 1967933, 667537),
    (4, 1290058433.91, 1868180, 1969689, 1970099, 663714),
    (5, 1267929950.79, 1868180, 1969689, 1970099, 659902),
    (6, 3457695270.915, 4439040, 4442712, 4457946, 342172),
    (7, 5223172619.34, 8294319, 8335154, 8342836, 4082400),
];

#[test]
fn fsrcnn_one_tile_layers_match_reference() {
    let w = Workload::from_json(presets::workload("fsrcnn").unwrap()).unwrap();
    let hw = Hardware::from_json(presets::hardware("Meta_prototype_DF").unwrap()).unwrap();
    let maps = MappingFile::from_json(presets::mapping("Meta_prototype__fsrcnn").unwrap()).unwrap();
    let mut failures = Vec::new();
    for (id, energy, l0, l1, l2, ideal) in REFERENCE {
        let (i, layer) = w
            .layers
            .iter()
            .enumerate()
            .find(|(_, l)| l.id == id)
            .unwrap();
        let spec = LayerSpec::from_layer(layer, &format!("workload.layers[{i}]")).unwrap();
        let mut h = hw.clone();
        if id == 0 {
            assert!(h.trim_to("I1", "sram_1MB_A"));
        }
        let c = evaluate_layer(
            &spec,
            &h,
            maps.layer(id).unwrap(),
            LomaConfig { lpf_limit: 6 },
        )
        .unwrap();
        let rel = (c.energy_total_pj - energy).abs() / energy;
        let got = (
            c.latency_total0_cycles,
            c.latency_total1_cycles,
            c.latency_total2_cycles,
            c.ideal_cycles,
        );
        println!(
            "L{id}: energy {} (ref {energy}, rel {rel:.2e}) latency {got:?} (ref {:?})",
            c.energy_total_pj,
            (l0, l1, l2, ideal)
        );
        if rel > REL_TOL || got != (l0, l1, l2, ideal) {
            failures.push(id);
        }
    }
    assert!(failures.is_empty(), "layers off: {failures:?}");
}

/// §6.10 single-layer detail of L1: LPFs, orderings and per-level energies.
#[test]
fn fsrcnn_l1_detail() {
    let w = Workload::from_json(presets::workload("fsrcnn").unwrap()).unwrap();
    let hw = Hardware::from_json(presets::hardware("Meta_prototype_DF").unwrap()).unwrap();
    let maps = MappingFile::from_json(presets::mapping("Meta_prototype__fsrcnn").unwrap()).unwrap();
    let spec = LayerSpec::from_layer(&w.layers[2], "workload.layers[2]").unwrap();
    let c = evaluate_layer(
        &spec,
        &hw,
        maps.layer(1).unwrap(),
        LomaConfig { lpf_limit: 6 },
    )
    .unwrap();
    assert_eq!(c.search.considered, 720);
    let mut all = LomaSearch::new(
        &spec,
        &hw,
        maps.layer(1).unwrap(),
        LomaConfig { lpf_limit: 6 },
    )
    .unwrap()
    .exhaustive();
    all.run(u64::MAX);
    assert_eq!(all.stats().evaluated, 720, "every ordering fits");
    let want: [(&str, &[f64]); 3] = [
        ("O", &[7301693.16, 5758160.4, 19924590.6, 600210000.0]),
        ("W", &[450696.96, 6056538.6, 2137.74, 58800.0]),
        ("I", &[26847854.46, 92746688.58, 2614172400.0]),
    ];
    for (op, levels) in want {
        let o = c.operands.iter().find(|o| o.operand == op).unwrap();
        for (l, w) in o.levels.iter().zip(levels) {
            assert!(
                (l.energy_pj - w).abs() <= 1e-9 * w.max(1.0),
                "{op} {}: {} vs {w}",
                l.memory,
                l.energy_pj
            );
        }
    }
    assert!((c.mac_energy_pj - 14340480.0).abs() < 1e-6);
    let o_loops: Vec<Vec<(String, u64)>> = c.operands[0].temporal_loops.clone();
    let show: Vec<Vec<String>> = o_loops
        .iter()
        .map(|l| l.iter().map(|(n, f)| format!("{n}{f}")).collect())
        .collect();
    assert_eq!(
        show,
        [
            vec!["C4", "C7"],
            vec!["OX27"],
            vec!["OY23"],
            vec!["OX9", "OY6"]
        ]
    );
}

/// §6.10: evaluating L0 with `I1` up to DRAM (not the reference's top
/// level) gives 3,057,027,464.76 pJ, 1.6 % too high.
#[test]
fn fsrcnn_l0_with_dram_input_top() {
    let w = Workload::from_json(presets::workload("fsrcnn").unwrap()).unwrap();
    let hw = Hardware::from_json(presets::hardware("Meta_prototype_DF").unwrap()).unwrap();
    let maps = MappingFile::from_json(presets::mapping("Meta_prototype__fsrcnn").unwrap()).unwrap();
    let spec = LayerSpec::from_layer(&w.layers[1], "workload.layers[1]").unwrap();
    let c = evaluate_layer(
        &spec,
        &hw,
        maps.layer(0).unwrap(),
        LomaConfig { lpf_limit: 6 },
    )
    .unwrap();
    assert!(
        (c.energy_total_pj - 3_057_027_464.76).abs() <= REL_TOL * 3.1e9,
        "{}",
        c.energy_total_pj
    );
}
