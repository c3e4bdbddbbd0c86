//! Property tests: validation never panics; MAC count independent of the
//! mapping; energy and latency finite and ordered (docs/model.md §6.11 inv. 4);
//! top levels have no external traffic (inv. 6); the chosen mapping fits
//! the memories (inv. 7); raising an access energy never lowers the
//! optimum; the order of spatial entries does not matter (inv. 8).

use defines_model::input::hardware::Hardware;
use defines_model::input::mapping::{MappingFile, SpatialEntry, SpatialMapping};
use defines_model::scenario::layer::LayerSpec;
use defines_model::scenario::validate::validate_json;
use defines_model::single_layer::{evaluate_layer, EvalError, LayerCost, LomaConfig, LomaSearch};
use defines_model::{presets, Workload};
use proptest::prelude::*;
use serde_json::{json, Value};

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|i| json!(i)),
        (-1e12f64..1e12).prop_map(|f| json!(f)),
        "[A-Za-z0-9_\\[\\]=+*]{0,12}".prop_map(Value::String),
        Just(json!("all")),
        Just(json!("I1")),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec(
                (
                    prop_oneof![
                        Just("name".to_string()),
                        Just("layers".to_string()),
                        Just("cores".to_string()),
                        Just("id".to_string()),
                        Just("loop_dims".to_string()),
                        Just("memory_levels".to_string()),
                        Just("instance".to_string()),
                        "[a-z_]{1,8}"
                    ],
                    inner
                ),
                0..6
            )
            .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

const TOY_HW: &str = r#"{"name": "toy", "cores": [{"operational_array": {"unit": {"energy_pJ_per_op": 1.0}, "dimensions": [{"name": "D1", "size": 2}]},
 "memory_levels": [
  {"instance": {"name": "buf", "size_bits": 4096, "r_bw_bits_per_cycle": 32, "w_bw_bits_per_cycle": 32, "r_cost_pJ_per_access": 2, "w_cost_pJ_per_access": 3, "r_port": 1, "w_port": 1, "rw_port": 0},
   "operands": ["I1", "I2", "O"], "served_dimensions": "all",
   "port_alloc": [{"operand": "I1", "fh": "w_port_1", "tl": "r_port_1"}, {"operand": "I2", "fh": "w_port_1", "tl": "r_port_1"},
                  {"operand": "O", "fh": "w_port_1", "tl": "r_port_1", "fl": "w_port_1", "th": "r_port_1"}]},
  {"instance": {"name": "dram", "size_bits": 1000000000, "r_bw_bits_per_cycle": 16, "w_bw_bits_per_cycle": 16, "r_cost_pJ_per_access": 50, "w_cost_pJ_per_access": 60, "r_port": 0, "w_port": 0, "rw_port": 1},
   "operands": ["I1", "I2", "O"], "served_dimensions": "all",
   "port_alloc": [{"operand": "I1", "fh": "rw_port_1", "tl": "rw_port_1"}, {"operand": "I2", "fh": "rw_port_1", "tl": "rw_port_1"},
                  {"operand": "O", "fh": "rw_port_1", "tl": "rw_port_1", "fl": "rw_port_1", "th": "rw_port_1"}]}]}]}"#;

fn toy_workload() -> Value {
    json!({"name": "toy", "layers": [
        {"id": -1, "kind": "input", "loop_dims": {"B": 1, "K": 4, "OY": 4, "OX": 4}, "precision_bits": 8, "memory_operand_links": {"O": "I1"}},
        {"id": 0, "kind": "conv", "equation": "O[b][k][oy][ox]+=W[k][c][fy][fx]*I[b][c][ix][iy]",
         "equation_relations": ["ix=1*ox+1*fx", "iy=1*oy+1*fy"],
         "loop_dims": {"B": 1, "K": 4, "C": 4, "OY": 2, "OX": 2, "FY": 3, "FX": 3},
         "operand_precision_bits": {"O": 16, "O_final": 8, "W": 8, "I": 8},
         "operand_sources": {"W": [], "I": [-1]}, "constant_operands": ["W"],
         "memory_operand_links": {"O": "O", "W": "I2", "I": "I1"}}]})
}

fn toy_mapping() -> Value {
    json!({"layers": [{"id": 0, "spatial_mapping": {"D1": ["K", 2]}}]})
}

/// Replaces the value at a pseudo-random position of `doc` by `new`.
fn mutate(doc: &mut Value, mut pick: usize, new: Value) {
    fn count(v: &Value) -> usize {
        1 + match v {
            Value::Array(a) => a.iter().map(count).sum(),
            Value::Object(o) => o.values().map(count).sum(),
            _ => 0,
        }
    }
    fn go(v: &mut Value, pick: &mut usize, new: &mut Option<Value>) {
        if *pick == 0 {
            if let Some(n) = new.take() {
                *v = n;
            }
            return;
        }
        *pick -= 1;
        match v {
            Value::Array(a) => a.iter_mut().for_each(|x| go(x, pick, new)),
            Value::Object(o) => o.values_mut().for_each(|x| go(x, pick, new)),
            _ => {}
        }
    }
    pick %= count(doc);
    go(doc, &mut pick, &mut Some(new));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn validate_never_panics_on_arbitrary_json(w in arb_json(), h in arb_json(), m in arb_json()) {
        let _ = Workload::from_json(&w.to_string());
        let _ = Hardware::from_json(&h.to_string());
        let _ = MappingFile::from_json(&m.to_string());
        let r = validate_json(&w.to_string(), &h.to_string(), &m.to_string());
        if let Err(d) = r {
            prop_assert!(!d.is_empty());
        }
    }

    /// Single-field mutations of a valid scenario: validation and (when it
    /// passes) evaluation never panic.
    #[test]
    fn mutated_scenarios_never_panic(which in 0usize..3, pick in any::<usize>(), new in arb_json()) {
        let mut docs = [toy_workload(), serde_json::from_str::<Value>(TOY_HW).unwrap(), toy_mapping()];
        mutate(&mut docs[which], pick, new);
        if let Ok(s) = validate_json(&docs[0].to_string(), &docs[1].to_string(), &docs[2].to_string()) {
            for l in &s.layers {
                if let Some(sm) = s.mapping.layer(l.id) {
                    if let Ok(c) = evaluate_layer(l, &s.hardware, sm, LomaConfig::default()) {
                        check_cost(&c, &s.hardware)?;
                    }
                }
            }
        }
    }
}

#[derive(Debug, Clone)]
struct RandLayer {
    k: u64,
    c: u64,
    oy: u64,
    ox: u64,
    f: u64,
    stride: u64,
    spatial: Vec<(usize, usize, u64)>, // (array dim, loop index into [K, C, OX, OY], factor)
}

fn arb_layer() -> impl Strategy<Value = RandLayer> {
    (
        1u64..48,
        1u64..48,
        1u64..24,
        1u64..24,
        prop_oneof![Just(1u64), Just(3u64)],
        1u64..3,
        prop::collection::vec((0usize..4, 0usize..4, 1u64..40), 0..4),
    )
        .prop_map(|(k, c, oy, ox, f, stride, spatial)| RandLayer {
            k,
            c,
            oy,
            ox,
            f,
            stride,
            spatial,
        })
}

fn build(r: &RandLayer) -> LayerSpec {
    let text = json!({"name": "r", "layers": [{"id": 0, "kind": "conv",
        "equation": "O[b][k][oy][ox]+=W[k][c][fy][fx]*I[b][c][ix][iy]",
        "equation_relations": [format!("ix={}*ox+1*fx", r.stride), format!("iy={}*oy+1*fy", r.stride)],
        "loop_dims": {"B": 1, "K": r.k, "C": r.c, "OY": r.oy, "OX": r.ox, "FY": r.f, "FX": r.f},
        "operand_precision_bits": {"O": 16, "O_final": 8, "W": 8, "I": 8},
        "constant_operands": ["W"], "memory_operand_links": {"O": "O", "W": "I2", "I": "I1"}}]})
    .to_string();
    let w = Workload::from_json(&text).unwrap();
    LayerSpec::from_layer(&w.layers[0], "x").unwrap()
}

fn mapping(r: &RandLayer, hw: &Hardware) -> SpatialMapping {
    let loops = ["K", "C", "OX", "OY"];
    let mut m = SpatialMapping::default();
    for &(a, l, f) in &r.spatial {
        let a = a % hw.array_dims.len();
        let name = &hw.array_dims[a].name;
        if m.entries
            .iter()
            .any(|e| &e.array_dim == name || e.loop_dim == loops[l])
        {
            continue;
        }
        m.entries.push(SpatialEntry {
            array_dim: name.clone(),
            loop_dim: loops[l].to_string(),
            factor: f as f64,
        });
    }
    m
}

fn check_cost(c: &LayerCost, hw: &Hardware) -> Result<(), TestCaseError> {
    prop_assert!(c.energy_total_pj.is_finite() && c.energy_total_pj >= 0.0);
    prop_assert!(c.mem_energy_pj.is_finite() && c.mem_energy_pj >= 0.0);
    // invariant 4
    prop_assert!(
        (c.energy_total_pj - (c.mac_energy_pj + c.mem_energy_pj)).abs()
            <= 1e-9 * c.energy_total_pj.max(1.0)
    );
    prop_assert!(
        (c.mac_energy_pj - hw.mac_energy_pj * c.macs as f64).abs()
            <= 1e-9 * c.mac_energy_pj.max(1.0)
    );
    prop_assert!(c.latency_total2_cycles >= c.latency_total1_cycles);
    prop_assert!(c.latency_total1_cycles >= c.latency_total0_cycles);
    prop_assert!(c.latency_total0_cycles >= c.ideal_temporal_cycles);
    prop_assert!(c.ideal_temporal_cycles >= c.ideal_cycles);
    for o in &c.operands {
        for l in &o.levels {
            for w in [
                l.rd_out_to_low_words,
                l.wr_in_by_low_words,
                l.rd_out_to_high_words,
                l.wr_in_by_high_words,
                l.energy_pj,
            ] {
                prop_assert!(w.is_finite() && w >= 0.0);
            }
        }
        // invariant 6
        if let Some(top) = o.levels.last() {
            prop_assert_eq!(top.rd_out_to_high_words, 0.0);
            prop_assert_eq!(top.wr_in_by_high_words, 0.0);
        }
        // invariant 7, per operand
        for l in &o.levels {
            let size = hw.levels[hw.level_index(&l.memory).unwrap()].size_bits;
            prop_assert!(
                l.data_bits <= size,
                "{} {}: {} > {}",
                o.operand,
                l.memory,
                l.data_bits,
                size
            );
        }
    }
    // invariant 7, shared memories above level 0 of every operand
    for (li, lvl) in hw.levels.iter().enumerate() {
        let mut sum = 0u64;
        let mut any_level0 = false;
        let mut n = 0;
        for o in &c.operands {
            if let Some(j) = o.levels.iter().position(|l| l.memory == lvl.name) {
                sum += o.levels[j].data_bits;
                any_level0 |= j == 0;
                n += 1;
            }
        }
        if n >= 2 && !any_level0 {
            prop_assert!(
                sum <= lvl.size_bits,
                "shared level {li} {}: {sum} > {}",
                lvl.name,
                lvl.size_bits
            );
        }
    }
    Ok(())
}

fn hardwares() -> Vec<Hardware> {
    vec![
        Hardware::from_json(TOY_HW).unwrap(),
        Hardware::from_json(presets::hardware("Meta_prototype_DF").unwrap()).unwrap(),
        Hardware::from_json(presets::hardware("Edge_TPU_like_DF").unwrap()).unwrap(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn costs_are_finite_ordered_and_fit(r in arb_layer(), hwi in 0usize..3) {
        let hw = &hardwares()[hwi];
        let l = build(&r);
        let m = mapping(&r, hw);
        match evaluate_layer(&l, hw, &m, LomaConfig::default()) {
            Ok(c) => {
                prop_assert_eq!(c.macs, r.k * r.c * r.oy * r.ox * r.f * r.f);
                check_cost(&c, hw)?;
            }
            Err(EvalError::HierarchyTooSmall) | Err(EvalError::LpfLimitTooSmall { .. }) => {}
            Err(e) => prop_assert!(false, "{e}"),
        }
    }

    /// The MAC count does not depend on the spatial mapping or hardware.
    #[test]
    fn macs_independent_of_mapping(r in arb_layer(), r2 in arb_layer()) {
        let l = build(&r);
        let hws = hardwares();
        for hw in &hws {
            for m in [mapping(&r, hw), mapping(&r2, hw), SpatialMapping::default()] {
                if let Ok(c) = evaluate_layer(&l, hw, &m, LomaConfig::default()) {
                    prop_assert_eq!(c.macs, r.k * r.c * r.oy * r.ox * r.f * r.f);
                }
            }
        }
    }

    /// Raising one memory's access energy never lowers the optimum.
    #[test]
    fn raising_access_energy_never_lowers_optimum(r in arb_layer(), level in 0usize..8, read in any::<bool>(), extra in 0.0f64..100.0) {
        let hw = Hardware::from_json(presets::hardware("Meta_prototype_DF").unwrap()).unwrap();
        let l = build(&r);
        let m = mapping(&r, &hw);
        let mut hw2 = hw.clone();
        let k = level % hw2.levels.len();
        if read { hw2.levels[k].r_cost_pj += extra } else { hw2.levels[k].w_cost_pj += extra }
        if let (Ok(a), Ok(b)) = (evaluate_layer(&l, &hw, &m, LomaConfig::default()), evaluate_layer(&l, &hw2, &m, LomaConfig::default())) {
            prop_assert!(b.energy_total_pj >= a.energy_total_pj * (1.0 - 1e-12), "{} < {}", b.energy_total_pj, a.energy_total_pj);
        }
    }

    /// Invariant 8: the order of the spatial entries has no effect.
    #[test]
    fn spatial_entry_order_has_no_effect(r in arb_layer()) {
        let hw = Hardware::from_json(presets::hardware("Meta_prototype_DF").unwrap()).unwrap();
        let l = build(&r);
        let m = mapping(&r, &hw);
        let mut rev = m.clone();
        rev.entries.reverse();
        let a = evaluate_layer(&l, &hw, &m, LomaConfig::default());
        let b = evaluate_layer(&l, &hw, &rev, LomaConfig::default());
        prop_assert_eq!(a, b);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Running the search in chunks gives the same result as one run, and
    /// the generator produces exactly the expected number of orderings.
    #[test]
    fn search_result_independent_of_chunk_size(r in arb_layer(), chunk in 1u64..200) {
        let hw = Hardware::from_json(presets::hardware("Meta_prototype_DF").unwrap()).unwrap();
        let l = build(&r);
        let m = mapping(&r, &hw);
        let Ok(mut s) = LomaSearch::new(&l, &hw, &m, LomaConfig::default()) else { return Ok(()) };
        let mut rounds = 0;
        while !s.run(chunk) {
            rounds += 1;
            prop_assert!(rounds < 1_000_000);
        }
        prop_assert_eq!(s.orderings_done(), s.orderings_expected());
        prop_assert_eq!(s.finish(), evaluate_layer(&l, &hw, &m, LomaConfig::default()));
    }
}
