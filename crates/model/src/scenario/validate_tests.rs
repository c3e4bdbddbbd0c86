//! One test per kind of bad input: the diagnostic's path and message.

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use serde_json::{json, Value};

use crate::diag::Diagnostic;
use crate::scenario::validate::{validate_json, ValidScenario};
use crate::single_layer::hand_tests::TOY_HW;
use crate::single_layer::{evaluate_layer, EvalError, LomaConfig};

const WORKLOAD: &str = r#"{"name": "toy", "layers": [
 {"id": -1, "kind": "input", "loop_dims": {"B": 1, "K": 4, "OY": 2, "OX": 2}, "precision_bits": 8,
  "memory_operand_links": {"O": "I1"}},
 {"id": 0, "kind": "pointwise_conv", "equation": "O[k][oy][ox]+=W[k][c]*I[c][oy][ox]",
  "loop_dims": {"K": 2, "C": 4, "OY": 2, "OX": 2},
  "operand_precision_bits": {"O": 16, "O_final": 8, "W": 8, "I": 8},
  "operand_sources": {"W": [], "I": [-1]},
  "operand_source_dimension_mapping": {"I": {"OX": "OX", "OY": "OY", "C": "K"}},
  "constant_operands": ["W"], "memory_operand_links": {"O": "O", "W": "I2", "I": "I1"}}
]}"#;

const MAPPING: &str = r#"{"schema": "defines-reference-mapping/1", "layers": [{"id": 0, "spatial_mapping": {"D1": ["K", 2]}}]}"#;

fn v(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}

/// Runs validation on (possibly edited) documents.
fn run(w: &Value, h: &Value, m: &Value) -> Result<ValidScenario, Vec<Diagnostic>> {
    validate_json(&w.to_string(), &h.to_string(), &m.to_string())
}

/// Applies `edit` to one document and expects a diagnostic at `path`
/// whose message contains `needle`.
fn check(doc: usize, edit: impl FnOnce(&mut Value), path: &str, needle: &str) {
    let mut docs = [v(WORKLOAD), v(TOY_HW), v(MAPPING)];
    edit(&mut docs[doc]);
    let d = run(&docs[0], &docs[1], &docs[2]).unwrap_err();
    assert!(
        d.iter()
            .any(|x| x.path == path && x.message.contains(needle)),
        "want {path}: ...{needle}...; got {d:#?}"
    );
}

const W: usize = 0;
const H: usize = 1;
const M: usize = 2;

fn level0(h: &mut Value) -> &mut Value {
    &mut h["cores"][0]["memory_levels"][0]
}

#[test]
fn good_scenario_validates() {
    let s = run(&v(WORKLOAD), &v(TOY_HW), &v(MAPPING)).unwrap();
    assert_eq!(s.layers.len(), 1);
}

#[test]
fn missing_field() {
    check(
        H,
        |h| {
            level0(h)["instance"]
                .as_object_mut()
                .unwrap()
                .remove("r_bw_bits_per_cycle");
        },
        "hardware.cores[0].memory_levels[0].instance.r_bw_bits_per_cycle",
        "missing field `r_bw_bits_per_cycle`; add it",
    );
    check(
        W,
        |w| {
            w["layers"][1].as_object_mut().unwrap().remove("equation");
        },
        "workload.layers[1].equation",
        "missing field `equation`",
    );
    check(
        M,
        |m| {
            m["layers"][0]
                .as_object_mut()
                .unwrap()
                .remove("spatial_mapping");
        },
        "mapping.layers[0].spatial_mapping",
        "missing field",
    );
}

#[test]
fn unknown_field() {
    check(
        H,
        |h| level0(h)["sizee"] = json!(1),
        "hardware.cores[0].memory_levels[0].sizee",
        "unknown field `sizee`",
    );
    check(
        W,
        |w| w["layers"][1]["equatoin"] = json!("x"),
        "workload.layers[1].equatoin",
        "unknown field `equatoin`",
    );
    check(
        M,
        |m| m["layerz"] = json!([]),
        "mapping.layerz",
        "unknown field `layerz`",
    );
}

#[test]
fn zero_sizes() {
    check(
        H,
        |h| level0(h)["instance"]["size_bits"] = json!(0),
        "hardware.cores[0].memory_levels[0].instance.size_bits",
        "must be at least 1",
    );
    check(
        H,
        |h| h["cores"][0]["operational_array"]["dimensions"][0]["size"] = json!(0),
        "hardware.cores[0].operational_array.dimensions[0].size",
        "must be at least 1",
    );
    check(
        W,
        |w| w["layers"][1]["loop_dims"]["C"] = json!(0),
        "workload.layers[1].loop_dims.C",
        "at least 1",
    );
    check(
        H,
        |h| level0(h)["instance"]["r_cost_pJ_per_access"] = json!(-2.0),
        "hardware.cores[0].memory_levels[0].instance.r_cost_pJ_per_access",
        "finite number >= 0",
    );
}

#[test]
fn bandwidth_zero() {
    check(
        H,
        |h| level0(h)["instance"]["w_bw_bits_per_cycle"] = json!(0),
        "hardware.cores[0].memory_levels[0].instance.w_bw_bits_per_cycle",
        "value 0 is too small; it must be at least 1",
    );
}

#[test]
fn operand_with_no_memory() {
    check(
        W,
        |w| w["layers"][1]["memory_operand_links"]["W"] = json!("I3"),
        "workload.layers[1].memory_operand_links.W",
        "memory operand `I3` is stored in no memory",
    );
    // the weights' memory operand removed from every memory
    check(
        H,
        |h| {
            for lv in h["cores"][0]["memory_levels"].as_array_mut().unwrap() {
                lv["operands"] = json!(["I1", "O"]);
                let pa = lv["port_alloc"].as_array_mut().unwrap();
                pa.retain(|e| e["operand"] != "I2");
            }
        },
        "workload.layers[1].memory_operand_links.W",
        "`I2` is stored in no memory",
    );
}

#[test]
fn served_dimension_vector_of_wrong_length() {
    check(
        H,
        |h| level0(h)["served_dimensions"] = json!([[1, 0]]),
        "hardware.cores[0].memory_levels[0].served_dimensions[0]",
        "has 2 entries but the array has 1 dimensions",
    );
}

#[test]
fn port_alloc_problems() {
    check(
        H,
        |h| level0(h)["port_alloc"][0]["tl"] = json!("r_port_7"),
        "hardware.cores[0].memory_levels[0].port_alloc[0].tl",
        "unknown port `r_port_7`",
    );
    check(
        H,
        |h| level0(h)["port_alloc"][0]["tl"] = json!("w_port_1"),
        "hardware.cores[0].memory_levels[0].port_alloc[0].tl",
        "cannot read",
    );
}

/// §1.4: an unrolling larger than the array dimension is clamped to it,
/// not an error.
#[test]
fn spatial_unrolling_larger_than_array_is_clamped() {
    let mut m = v(MAPPING);
    m["layers"][0]["spatial_mapping"]["D1"] = json!(["K", 64]);
    let big = run(&v(WORKLOAD), &v(TOY_HW), &m).unwrap();
    let exact = run(&v(WORKLOAD), &v(TOY_HW), &v(MAPPING)).unwrap();
    let cfg = LomaConfig::default();
    let a = evaluate_layer(
        &big.layers[0],
        &big.hardware,
        big.mapping.layer(0).unwrap(),
        cfg,
    )
    .unwrap();
    let b = evaluate_layer(
        &exact.layers[0],
        &exact.hardware,
        exact.mapping.layer(0).unwrap(),
        cfg,
    )
    .unwrap();
    assert_eq!(a, b);
}

#[test]
fn unknown_array_dimension_or_loop_in_mapping() {
    check(
        M,
        |m| m["layers"][0]["spatial_mapping"]["D9"] = json!(["K", 2]),
        "mapping.layers[0].spatial_mapping.D9",
        "unknown array dimension `D9`; the operational array has D1",
    );
    check(
        M,
        |m| m["layers"][0]["spatial_mapping"]["D1"] = json!(["FX", 2]),
        "mapping.layers[0].spatial_mapping.D1[0]",
        "layer 0 has no loop `FX`; use one of K, C, OY, OX",
    );
    check(
        M,
        |m| m["layers"][0]["id"] = json!(5),
        "mapping.layers",
        "no spatial mapping for layer 0",
    );
}

#[test]
fn cycle_in_layer_graph() {
    check(
        W,
        |w| {
            let mut l = w["layers"][1].clone();
            l["id"] = json!(1);
            l["operand_sources"]["I"] = json!([0]);
            w["layers"].as_array_mut().unwrap().push(l);
            w["layers"][1]["operand_sources"]["I"] = json!([1]);
        },
        "workload.layers[1].operand_sources",
        "the layer graph has a cycle (0 -> 1)",
    );
}

#[test]
fn dangling_source() {
    check(
        W,
        |w| w["layers"][1]["operand_sources"]["I"] = json!([7]),
        "workload.layers[1].operand_sources.I[0]",
        "layer 7 does not exist",
    );
    check(
        W,
        |w| w["layers"][1]["operand_sources"]["I"] = json!([]),
        "workload.layers[1].operand_sources.I",
        "is not constant but has no producer",
    );
}

#[test]
fn unknown_operand_names() {
    check(
        W,
        |w| w["layers"][1]["memory_operand_links"]["Z"] = json!("I1"),
        "workload.layers[1].memory_operand_links.Z",
        "unknown operand `Z`",
    );
    check(
        W,
        |w| w["layers"][1]["operand_sources"]["X"] = json!([-1]),
        "workload.layers[1].operand_sources.X",
        "unknown operand `X`; the layer's inputs are W, I",
    );
    check(
        W,
        |w| w["layers"][1]["constant_operands"] = json!(["Q"]),
        "workload.layers[1].constant_operands[0]",
        "unknown operand `Q`",
    );
    check(
        W,
        |w| w["layers"][1]["equation"] = json!("O[k][oy][ox]+=W[k][c]*I[c][iy][ox]"),
        "workload.layers[1].equation",
        "indexed by `IY`, which is neither a loop dimension nor defined by a relation",
    );
    check(
        W,
        |w| w["layers"][1]["equation"] = json!("O[k]+=W[k]*I[c"),
        "workload.layers[1].equation",
        "unclosed `[`",
    );
}

/// A hierarchy too small for any mapping is a value, not a crash.
#[test]
fn hierarchy_too_small_is_a_value() {
    let mut h = v(TOY_HW);
    level0(&mut h)["instance"]["size_bits"] = json!(24);
    let s = run(&v(WORKLOAD), &h, &v(MAPPING)).unwrap();
    let r = evaluate_layer(
        &s.layers[0],
        &s.hardware,
        s.mapping.layer(0).unwrap(),
        LomaConfig::default(),
    );
    let e = r.unwrap_err();
    assert_eq!(e, EvalError::HierarchyTooSmall);
    assert!(
        e.to_string().starts_with("memory hierarchy too small"),
        "{e}"
    );
}

#[test]
fn lpf_limit_too_small_is_a_value() {
    let s = run(&v(WORKLOAD), &v(TOY_HW), &v(MAPPING)).unwrap();
    // temporal loops C 2x2, OY 2, OX 2: three dimensions, limit 2 -> merge C to 4,
    // then three single-factor dimensions remain (Q12)
    let r = evaluate_layer(
        &s.layers[0],
        &s.hardware,
        s.mapping.layer(0).unwrap(),
        LomaConfig { lpf_limit: 2 },
    );
    assert_eq!(
        r.unwrap_err(),
        EvalError::LpfLimitTooSmall { limit: 2, dims: 3 }
    );
}

#[test]
fn broken_json_in_each_document() {
    let d = validate_json("{", "[", "{\"layers\": 3}").unwrap_err();
    let paths: Vec<String> = d.iter().map(|x| x.path.clone()).collect();
    assert!(paths.contains(&"workload".to_string()), "{d:?}");
    assert!(paths.contains(&"hardware".to_string()), "{d:?}");
    assert!(paths.contains(&"mapping.layers".to_string()), "{d:?}");
}
