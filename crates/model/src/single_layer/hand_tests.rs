//! docs/model.md §6 hand cases V1, V1b, V2 (V4 lives next to the functions it
//! checks: `num`, `loma`, and the stationarity test below).

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use crate::input::hardware::Hardware;
use crate::input::mapping::{SpatialEntry, SpatialMapping};
use crate::input::workload::Workload;
use crate::scenario::layer::LayerSpec;
use crate::single_layer::{
    evaluate_layer, evaluate_temporal_mapping, LayerCost, LomaConfig, LomaSearch,
};

/// Exact hand values: allow only float noise.
const REL_TOL: f64 = 1e-12;

/// §6.1 toy hardware.
pub(crate) const TOY_HW: &str = r#"{
 "schema": "defines-reference-hardware/1", "name": "toy",
 "cores": [{"id": 1,
  "operational_array": {"unit": {"energy_pJ_per_op": 1.0}, "dimensions": [{"name": "D1", "size": 2}]},
  "memory_levels": [
   {"instance": {"name": "buf", "size_bits": 4096, "r_bw_bits_per_cycle": 32, "w_bw_bits_per_cycle": 32,
      "r_cost_pJ_per_access": 2, "w_cost_pJ_per_access": 3, "r_port": 1, "w_port": 1, "rw_port": 0, "latency_cycles": 1},
    "operands": ["I1", "I2", "O"],
    "port_alloc": [
      {"operand": "I1", "fh": "w_port_1", "tl": "r_port_1", "fl": null, "th": null},
      {"operand": "I2", "fh": "w_port_1", "tl": "r_port_1", "fl": null, "th": null},
      {"operand": "O", "fh": "w_port_1", "tl": "r_port_1", "fl": "w_port_1", "th": "r_port_1"}],
    "served_dimensions": "all"},
   {"instance": {"name": "dram", "size_bits": 1000000000, "r_bw_bits_per_cycle": 16, "w_bw_bits_per_cycle": 16,
      "r_cost_pJ_per_access": 50, "w_cost_pJ_per_access": 60, "r_port": 0, "w_port": 0, "rw_port": 1, "latency_cycles": 1},
    "operands": ["I1", "I2", "O"],
    "port_alloc": [
      {"operand": "I1", "fh": "rw_port_1", "tl": "rw_port_1", "fl": null, "th": null},
      {"operand": "I2", "fh": "rw_port_1", "tl": "rw_port_1", "fl": null, "th": null},
      {"operand": "O", "fh": "rw_port_1", "tl": "rw_port_1", "fl": "rw_port_1", "th": "rw_port_1"}],
    "served_dimensions": "all"}
  ]}]
}"#;

fn toy() -> Hardware {
    Hardware::from_json(TOY_HW).unwrap()
}

fn layer(eq: &str, dims: &str) -> LayerSpec {
    let text = alloc::format!(
        r#"{{"name":"t","layers":[{{"id":0,"kind":"conv","equation":"{eq}","loop_dims":{dims},
        "operand_precision_bits":{{"O":16,"O_final":8,"W":8,"I":8}},
        "constant_operands":["W"],"memory_operand_links":{{"O":"O","W":"I2","I":"I1"}}}}]}}"#
    );
    let w = Workload::from_json(&text).unwrap();
    LayerSpec::from_layer(&w.layers[0], "workload.layers[0]").unwrap()
}

fn k2() -> SpatialMapping {
    SpatialMapping {
        entries: vec![SpatialEntry {
            array_dim: "D1".into(),
            loop_dim: "K".into(),
            factor: 2.0,
        }],
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= REL_TOL * b.abs().max(1.0)
}

/// `(operand, memory) -> [rd_to_low, wr_by_low, rd_to_high, wr_by_high]`
fn words(c: &LayerCost) -> Vec<(String, String, [f64; 4])> {
    let mut v = Vec::new();
    for o in &c.operands {
        for l in &o.levels {
            v.push((
                o.operand.clone(),
                l.memory.clone(),
                [
                    l.rd_out_to_low_words,
                    l.wr_in_by_low_words,
                    l.rd_out_to_high_words,
                    l.wr_in_by_high_words,
                ],
            ));
        }
    }
    v
}

fn check_words(c: &LayerCost, want: &[(&str, &str, [f64; 4])]) {
    let got = words(c);
    assert_eq!(got.len(), want.len());
    for ((o, m, w), (wo, wm, ww)) in got.iter().zip(want) {
        assert_eq!((o.as_str(), m.as_str()), (*wo, *wm));
        for k in 0..4 {
            assert!(close(w[k], ww[k]), "{o} {m} dir {k}: {} vs {}", w[k], ww[k]);
        }
    }
}

fn check_energies(c: &LayerCost, want: &[(&str, &[f64])]) {
    for (op, levels) in want {
        let o = c.operands.iter().find(|o| o.operand == *op).unwrap();
        let got: Vec<f64> = o.levels.iter().map(|l| l.energy_pj).collect();
        assert_eq!(got.len(), levels.len(), "{op}");
        for (g, w) in got.iter().zip(levels.iter()) {
            assert!(close(*g, *w), "{op}: {got:?} vs {levels:?}");
        }
    }
}

/// §6.2 V1.
#[test]
fn v1_fixed_mapping() {
    let l = layer("O[k][ox]+=W[k][c]*I[c][ox]", r#"{"K":2,"C":4,"OX":4}"#);
    let lv0 = vec![("C", 2), ("C", 2), ("OX", 2), ("OX", 2)];
    let tm = vec![vec![lv0.clone(), vec![]]; 3];
    let c = evaluate_temporal_mapping(&l, &toy(), &k2(), &tm).unwrap();
    check_words(
        &c,
        &[
            ("O", "buf", [16.0, 16.0, 2.0, 0.0]),
            ("O", "dram", [0.0, 4.0, 0.0, 0.0]),
            ("W", "buf", [16.0, 0.0, 0.0, 2.0]),
            ("W", "dram", [4.0, 0.0, 0.0, 0.0]),
            ("I", "buf", [16.0, 0.0, 0.0, 4.0]),
            ("I", "dram", [8.0, 0.0, 0.0, 0.0]),
        ],
    );
    check_energies(
        &c,
        &[
            ("O", &[84.0, 240.0]),
            ("W", &[38.0, 200.0]),
            ("I", &[44.0, 400.0]),
        ],
    );
    // §2.6 element moves (the hand case gives the output's at `buf`; the
    // rest follow from the same products: raw = MACs / IRcum_A, raw2 =
    // MACs / IRcum_B, partial sums |O| (Q - 1), nothing above the top)
    let elements: Vec<(String, String, [f64; 4])> = (c.operands.iter())
        .flat_map(|o| (o.levels.iter()).map(|l| (o.operand.clone(), l.memory.clone(), l.elements)))
        .collect();
    let want: Vec<(String, String, [f64; 4])> = [
        ("O", "buf", [24.0, 32.0, 8.0, 0.0]),
        ("O", "dram", [0.0, 8.0, 0.0, 0.0]),
        ("W", "buf", [32.0, 0.0, 0.0, 8.0]),
        ("W", "dram", [8.0, 0.0, 0.0, 0.0]),
        ("I", "buf", [16.0, 0.0, 0.0, 16.0]),
        ("I", "dram", [16.0, 0.0, 0.0, 0.0]),
    ]
    .iter()
    .map(|(o, m, e)| (String::from(*o), String::from(*m), *e))
    .collect();
    assert_eq!(elements, want);
    assert!(close(c.mem_energy_pj, 1006.0));
    assert!(close(c.mac_energy_pj, 32.0));
    assert!(close(c.energy_total_pj, 1038.0));
    assert_eq!((c.ideal_cycles, c.ideal_temporal_cycles), (16, 16));
    assert_eq!(
        (c.stall_cycles, c.onloading_cycles, c.offloading_cycles),
        (29, 12, 4)
    );
    assert_eq!(
        (
            c.latency_total0_cycles,
            c.latency_total1_cycles,
            c.latency_total2_cycles
        ),
        (45, 57, 61)
    );
}

/// §6.3 V1b: fractional spatial unrolling (Q34, Q35).
#[test]
fn v1b_fractional_unrolling() {
    let l = layer("O[k][ox]+=W[k][c]*I[c][ox]", r#"{"K":3,"C":4,"OX":4}"#);
    let lv0 = vec![("K", 2), ("C", 2), ("C", 2), ("OX", 2), ("OX", 2)];
    let tm = vec![vec![lv0.clone(), vec![]]; 3];
    let c = evaluate_temporal_mapping(&l, &toy(), &k2(), &tm).unwrap();
    check_words(
        &c,
        &[
            ("O", "buf", [32.0, 32.0, 3.0, 0.0]),
            ("O", "dram", [0.0, 6.0, 0.0, 0.0]),
            ("W", "buf", [32.0, 0.0, 0.0, 3.0]),
            ("W", "dram", [6.0, 0.0, 0.0, 0.0]),
            ("I", "buf", [32.0, 0.0, 0.0, 4.0]),
            ("I", "dram", [8.0, 0.0, 0.0, 0.0]),
        ],
    );
    check_energies(
        &c,
        &[
            ("O", &[166.0, 360.0]),
            ("W", &[73.0, 300.0]),
            ("I", &[76.0, 400.0]),
        ],
    );
    assert!(close(c.mac_energy_pj, 48.0));
    assert!(close(c.energy_total_pj, 1423.0));
    assert_eq!((c.ideal_cycles, c.ideal_temporal_cycles), (24, 32));
    assert_eq!(
        (c.stall_cycles, c.onloading_cycles, c.offloading_cycles),
        (61, 16, 8)
    );
    assert_eq!(
        (
            c.latency_total0_cycles,
            c.latency_total1_cycles,
            c.latency_total2_cycles
        ),
        (93, 109, 117)
    );
}

/// §6.4 V2, layer part: LOMA on the toy hardware with `I1` trimmed at `buf`.
#[test]
fn v2_layer_through_loma() {
    let l = layer(
        "O[k][oy][ox]+=W[k][c]*I[c][oy][ox]",
        r#"{"K":2,"C":4,"OY":2,"OX":2}"#,
    );
    let mut hw = toy();
    assert!(hw.trim_to("I1", "buf"));
    let c = evaluate_layer(&l, &hw, &k2(), LomaConfig { lpf_limit: 6 }).unwrap();
    assert_eq!(c.search.considered, 12);
    // all 12 fit (the full enumeration costs each of them)
    let mut all = LomaSearch::new(&l, &hw, &k2(), LomaConfig { lpf_limit: 6 })
        .unwrap()
        .exhaustive();
    all.run(u64::MAX);
    assert_eq!((all.stats().considered, all.stats().evaluated), (12, 12));
    assert_eq!(all.finish().unwrap(), c);
    let tl: Vec<(String, u64)> = c.operands[0].temporal_loops[0].clone();
    let names: Vec<(&str, u64)> = tl.iter().map(|(n, f)| (n.as_str(), *f)).collect();
    assert_eq!(names, [("OY", 2), ("OX", 2), ("C", 2), ("C", 2)]);
    check_energies(
        &c,
        &[("O", &[84.0, 240.0]), ("W", &[38.0, 200.0]), ("I", &[32.0])],
    );
    assert!(close(c.energy_total_pj, 626.0), "{}", c.energy_total_pj);
    assert_eq!(
        (
            c.latency_total0_cycles,
            c.latency_total1_cycles,
            c.latency_total2_cycles
        ),
        (45, 49, 53)
    );
}
