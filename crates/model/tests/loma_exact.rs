//! The fast LOMA search returns exactly the optimum of the plain
//! exhaustive enumeration: the same energy bit for bit and the same chosen
//! mapping (the reference's first-wins tie rule, Q33), on random small
//! layers and hierarchies and on every preset layer.
//!
//! The reference is `LomaSearch::exhaustive()`: every ordering, every valid
//! one costed in full, nothing skipped.

use defines_model::input::hardware::Hardware;
use defines_model::input::mapping::{SpatialEntry, SpatialMapping};
use defines_model::scenario::layer::LayerSpec;
use defines_model::scenario::validate::validate_json;
use defines_model::single_layer::{EvalError, LayerCost, LomaConfig, LomaSearch};
use defines_model::{presets, Workload};
use proptest::prelude::*;
use serde_json::json;

fn search(
    l: &LayerSpec,
    hw: &Hardware,
    sm: &SpatialMapping,
    lpf: usize,
    exhaustive: bool,
) -> (Result<LayerCost, EvalError>, u64) {
    let s = match LomaSearch::new(l, hw, sm, LomaConfig { lpf_limit: lpf }) {
        Ok(s) => s,
        Err(e) => return (Err(e), 0),
    };
    let mut s = if exhaustive { s.exhaustive() } else { s };
    s.run(u64::MAX);
    (s.finish(), s.orderings_pruned())
}

/// Same energy (bits), same mapping, same latency; every ordering of the
/// full enumeration is accounted for (invalid, pruned or evaluated).
fn check(l: &LayerSpec, hw: &Hardware, sm: &SpatialMapping, lpf: usize) -> Result<u64, String> {
    let (fast, pruned) = search(l, hw, sm, lpf, false);
    let (slow, none) = search(l, hw, sm, lpf, true);
    if none != 0 {
        return Err("the exhaustive search skipped orderings".into());
    }
    match (fast, slow) {
        (Ok(f), Ok(s)) => {
            if f.energy_total_pj.to_bits() != s.energy_total_pj.to_bits() {
                return Err(format!(
                    "energy {} != {}",
                    f.energy_total_pj, s.energy_total_pj
                ));
            }
            if f.search.considered != s.search.considered {
                return Err(format!("considered {:?} vs {:?}", f.search, s.search));
            }
            let st = f.search;
            if st.invalid + st.pruned + st.evaluated != st.considered {
                return Err(format!("counts do not add up: {st:?}"));
            }
            let f = LayerCost {
                search: s.search,
                ..f
            };
            if f != s {
                return Err(format!("different mapping:\n{f:?}\n{s:?}"));
            }
            Ok(pruned)
        }
        (Err(a), Err(b)) if a == b => Ok(pruned),
        (f, s) => Err(format!("outcomes differ: {f:?} vs {s:?}")),
    }
}

const HARDWARE: [&str; 4] = [
    "Meta_prototype_DF",
    "Edge_TPU_like",
    "TPU_like",
    "Ascend_like",
];

#[derive(Debug, Clone)]
struct Case {
    hw: usize,
    k: u64,
    c: u64,
    oy: u64,
    ox: u64,
    f: u64,
    stride: u64,
    spatial: Vec<(usize, usize, u64)>,
    /// Per memory level: size scale (percent) and cost scale (percent).
    scale: Vec<(u64, u64, u64)>,
    lpf: usize,
}

fn arb_case() -> impl Strategy<Value = Case> {
    (
        0usize..HARDWARE.len(),
        (1u64..64, 1u64..64, 1u64..40, 1u64..40),
        prop_oneof![Just(1u64), Just(3u64), Just(5u64)],
        1u64..3,
        prop::collection::vec((0usize..4, 0usize..4, 1u64..40), 0..3),
        prop::collection::vec((1u64..400, 0u64..300, 0u64..300), 8),
        3usize..=8,
    )
        .prop_map(
            |(hw, (k, c, oy, ox), f, stride, spatial, scale, lpf)| Case {
                hw,
                k,
                c,
                oy,
                ox,
                f,
                stride,
                spatial,
                scale,
                lpf,
            },
        )
}

fn layer(c: &Case) -> LayerSpec {
    let text = json!({"name": "r", "layers": [{"id": 0, "kind": "conv",
        "equation": "O[b][k][oy][ox]+=W[k][c][fy][fx]*I[b][c][ix][iy]",
        "equation_relations": [format!("ix={}*ox+1*fx", c.stride), format!("iy={}*oy+1*fy", c.stride)],
        "loop_dims": {"B": 1, "K": c.k, "C": c.c, "OY": c.oy, "OX": c.ox, "FY": c.f, "FX": c.f},
        "operand_precision_bits": {"O": 16, "O_final": 8, "W": 8, "I": 8},
        "constant_operands": ["W"], "memory_operand_links": {"O": "O", "W": "I2", "I": "I1"}}]})
    .to_string();
    let w = Workload::from_json(&text).unwrap();
    LayerSpec::from_layer(&w.layers[0], "x").unwrap()
}

fn hardware(c: &Case) -> Hardware {
    let mut hw = Hardware::from_json(presets::hardware(HARDWARE[c.hw]).unwrap()).unwrap();
    for (lv, &(size, r, w)) in hw.levels.iter_mut().zip(&c.scale) {
        lv.size_bits = (lv.size_bits / 100).saturating_mul(size).max(8);
        lv.r_cost_pj = lv.r_cost_pj * r as f64 / 100.0;
        lv.w_cost_pj = lv.w_cost_pj * w as f64 / 100.0;
    }
    hw
}

fn mapping(c: &Case, hw: &Hardware) -> SpatialMapping {
    let loops = ["K", "C", "OX", "OY"];
    let mut m = SpatialMapping::default();
    for &(a, l, f) in &c.spatial {
        let name = &hw.array_dims[a % hw.array_dims.len()].name;
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

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    /// Random layers, spatial unrollings, memory sizes and access costs
    /// (zero costs included: many exact ties), LPF limits 3..=8.
    #[test]
    fn fast_search_equals_exhaustive_on_random_cases(c in arb_case()) {
        let hw = hardware(&c);
        let r = check(&layer(&c), &hw, &mapping(&c, &hw), c.lpf);
        prop_assert!(r.is_ok(), "{:?}", r.err());
    }
}

/// The layer at the case-study tile: OX and OY capped at 16 × 18.
fn at_case_study_tile(l: &LayerSpec) -> LayerSpec {
    let mut tile = l.clone();
    for (d, cap) in [("OX", 16), ("OY", 18)] {
        if let Some(i) = tile.dim_index(d) {
            tile.sizes[i] = tile.sizes[i].min(cap);
        }
    }
    tile
}

/// Every compute layer of the 50 presets at full size, and at a tile
/// (OX, OY capped at 16 × 18, the case-study schedule), at lpf 6.
#[test]
fn fast_search_equals_exhaustive_on_preset_layers() {
    let (mut layers, mut pruned) = (0, 0u64);
    for (hw_name, hw_text) in presets::HARDWARE {
        for (wl_name, wl_text) in presets::WORKLOADS {
            let map = presets::mapping(&presets::default_mapping_name(hw_name, wl_name)).unwrap();
            let sc = validate_json(wl_text, hw_text, map).unwrap();
            for l in &sc.layers {
                let sm = sc.mapping.layer(l.id).cloned().unwrap_or_default();
                let tile = at_case_study_tile(l);
                for spec in [l, &tile] {
                    match check(spec, &sc.hardware, &sm, 6) {
                        Ok(p) => pruned += p,
                        Err(e) => panic!("{hw_name} {wl_name} layer {}: {e}", l.id),
                    }
                    layers += 1;
                }
            }
        }
    }
    assert!(layers > 500, "{layers}");
    assert!(pruned > 0, "the bound never skipped anything");
}

/// At lpf 8 (the paper's setting), where the full enumeration costs up to
/// 8! = 40,320 orderings per layer: every compute layer of FSRCNN, DMCNN-VD
/// and MobileNetV1 (the preset networks with 3×3, 1×1 and depthwise
/// layers) on Meta_prototype_DF, Edge_TPU_like_DF and TPU_like at the
/// case-study tile 16 × 18, and FSRCNN's layers at full size on
/// Meta_prototype_DF.
#[test]
fn fast_search_equals_exhaustive_at_lpf_8_on_sampled_preset_layers() {
    let mut layers = 0;
    let mut considered = 0u64;
    let mut evaluated = 0u64;
    for hw_name in ["Meta_prototype_DF", "Edge_TPU_like_DF", "TPU_like"] {
        for wl_name in ["fsrcnn", "dmcnnvd", "mobilenetv1"] {
            let sc = presets::scenario(hw_name, wl_name).unwrap();
            for l in &sc.layers {
                let sm = sc.mapping.layer(l.id).cloned().unwrap_or_default();
                let tile = at_case_study_tile(l);
                let full = hw_name == "Meta_prototype_DF" && wl_name == "fsrcnn";
                let specs: Vec<&LayerSpec> = if full { vec![l, &tile] } else { vec![&tile] };
                for spec in specs {
                    if let Err(e) = check(spec, &sc.hardware, &sm, 8) {
                        panic!("{hw_name} {wl_name} layer {} at lpf 8: {e}", l.id);
                    }
                    let s = LomaSearch::new(spec, &sc.hardware, &sm, LomaConfig { lpf_limit: 8 });
                    if let Ok(mut s) = s {
                        s.run(u64::MAX);
                        considered += s.stats().considered;
                        evaluated += s.stats().evaluated;
                    }
                    layers += 1;
                }
            }
        }
    }
    assert!(layers > 60, "{layers}");
    // the walk costs far fewer orderings in full than the enumeration
    assert!(evaluated * 10 < considered, "{evaluated} of {considered}");
}
