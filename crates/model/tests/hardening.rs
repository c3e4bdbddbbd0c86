//! Regression tests for the inputs that once crashed, hung or misled the
//! model (issue 9, "Hardening"), each named after its finding. Every limit
//! comes from `defines_model::limits`, and every error names the field.

use defines_model::{
    evaluate_network, limits, presets, validate_json, Diagnostic, Overlap, Schedule, Tile,
    ValidScenario,
};
use serde_json::{json, Value};

const HW: &str = "Meta_prototype_DF";
const WL: &str = "fsrcnn";

fn docs(hw: &str, wl: &str) -> (Value, Value, Value) {
    let parse = |t: Option<&str>| serde_json::from_str::<Value>(t.unwrap()).unwrap();
    (
        parse(presets::hardware(hw)),
        parse(presets::workload(wl)),
        parse(presets::mapping(&presets::default_mapping_name(hw, wl))),
    )
}

fn validate(h: &Value, w: &Value, m: &Value) -> Result<ValidScenario, Vec<Diagnostic>> {
    validate_json(&w.to_string(), &h.to_string(), &m.to_string())
}

/// The diagnostics of an input that must not validate.
fn problems(h: &Value, w: &Value, m: &Value) -> Vec<Diagnostic> {
    match validate(h, w, m) {
        Ok(_) => panic!("the input validated"),
        Err(d) => d,
    }
}

fn has(d: &[Diagnostic], path: &str, words: &[&str]) -> bool {
    d.iter()
        .any(|x| x.path == path && words.iter().all(|w| x.message.contains(w)))
}

fn memory(h: &mut Value, i: usize) -> &mut Value {
    &mut h["cores"][0]["memory_levels"][i]["instance"]
}

fn schedule(x: u64, y: u64) -> Schedule {
    Schedule {
        tile: Tile { x, y },
        overlap: Overlap::FullyCached,
        lpf_limit: 2,
        stack_cuts: None,
    }
}

#[test]
fn finding1_port_count_overflow_is_a_diagnostic() {
    let (mut h, w, m) = docs(HW, WL);
    memory(&mut h, 0)["r_port"] = json!(u64::MAX);
    memory(&mut h, 0)["w_port"] = json!(1);
    let d = problems(&h, &w, &m);
    let path = "hardware.cores[0].memory_levels[0].instance.r_port";
    assert!(
        d.iter()
            .any(|x| x.path.starts_with(path.trim_end_matches(".r_port"))
                && x.message.contains("64")),
        "{d:?}"
    );
}

#[test]
fn finding2_huge_access_energy_is_refused_with_the_limit() {
    let (mut h, w, m) = docs(HW, WL);
    memory(&mut h, 2)["r_cost_pJ_per_access"] = json!(1e308);
    let d = problems(&h, &w, &m);
    assert!(
        d.iter().any(|x| x.path.ends_with("r_cost_pJ_per_access")
            && x.message.contains(&format!("{}", limits::MAX_ENERGY_PJ))),
        "{d:?}"
    );
    let (mut h, w, m) = docs(HW, WL);
    h["cores"][0]["operational_array"]["unit"]["energy_pJ_per_op"] = json!(-1.0);
    assert!(!problems(&h, &w, &m).is_empty());
}

#[test]
fn finding3_seventeen_digit_numbers_parse_exactly() {
    // The fast float parser of serde_json without `float_roundtrip` reads
    // this literal one ulp off.
    let text = "9.5233071271705465e-21";
    let (mut h, w, m) = docs(HW, WL);
    memory(&mut h, 0)["r_cost_pJ_per_access"] = json!(1.0);
    let hw_text = h.to_string().replace(
        "\"r_cost_pJ_per_access\":1.0",
        &format!("\"r_cost_pJ_per_access\":{text}"),
    );
    let sc = validate_json(&w.to_string(), &hw_text, &m.to_string()).unwrap();
    let want: f64 = text.parse().unwrap();
    let got = sc.hardware.levels[0].r_cost_pj;
    assert_eq!(got.to_bits(), want.to_bits(), "{got:e} vs {want:e}");
}

#[test]
fn finding4_lpf_over_the_limit_is_a_schedule_diagnostic() {
    let sc = presets::scenario(HW, WL).unwrap();
    let mut s = schedule(16, 18);
    s.lpf_limit = 12;
    let Err(defines_model::NetworkError::Schedule(d)) = evaluate_network(&sc, &s) else {
        panic!("lpf 12 accepted")
    };
    assert!(has(&d, "schedule.lpf_limit", &["12", "lpf!"]), "{d:?}");
}

#[test]
fn finding4_tile_grid_is_checked_before_it_is_allocated() {
    // A 2^20-wide output at tile 1x1 would be 2^40 tiles.
    let (h, mut w, m) = docs(HW, WL);
    for l in w["layers"].as_array_mut().unwrap() {
        l["loop_dims"]["OX"] = json!(limits::MAX_LOOP_SIZE);
    }
    let sc = validate(&h, &w, &m).unwrap();
    let Err(e) = evaluate_network(&sc, &schedule(1, 1)) else {
        panic!("2^40 tiles accepted")
    };
    let msg = e.to_string();
    assert!(
        msg.contains(&limits::MAX_TILES_PER_STACK.to_string()),
        "{msg}"
    );
}

#[test]
fn finding6_loop_size_over_the_limit_names_the_field() {
    let (h, mut w, m) = docs(HW, WL);
    w["layers"][1]["loop_dims"]["OX"] = json!(1_000_000_000u64);
    let d = problems(&h, &w, &m);
    assert!(
        d.iter()
            .any(|x| x.path.contains("layers[1]") && x.message.contains("1048576")),
        "{d:?}"
    );
}

#[test]
fn finding6_wrong_typed_field_names_its_path() {
    let (h, mut w, m) = docs(HW, WL);
    w["layers"][1]["operand_precision_bits"]["W"] = json!("8");
    let d = problems(&h, &w, &m);
    assert!(
        d.iter()
            .any(|x| x.path == "workload.layers[1].operand_precision_bits.W"),
        "{d:?}"
    );
}

#[test]
fn finding6_relation_coefficients_are_bounded_and_large_ones_evaluate() {
    let (h, mut w, m) = docs(HW, WL);
    w["layers"][1]["equation_relations"][0] = json!("ix=18446744073709551615*ox+1*fx");
    let d = problems(&h, &w, &m);
    assert!(
        d.iter()
            .any(|x| x.path.starts_with("workload.layers[1]") && x.message.contains("1048576")),
        "{d:?}"
    );
    // The largest accepted stride: overlaps and lags stay saturated
    // numbers, never an overflow (the tests run with overflow checks).
    let (h, mut w, m) = docs(HW, WL);
    let big = format!("ix={}*ox+1*fx", limits::MAX_LOOP_SIZE);
    let conv = w["layers"]
        .as_array()
        .unwrap()
        .iter()
        .rposition(|l| {
            l["equation_relations"]
                .as_array()
                .is_some_and(|r| !r.is_empty())
        })
        .unwrap();
    w["layers"][conv]["equation_relations"][0] = json!(big);
    let sc = validate(&h, &w, &m).unwrap_or_else(|d| panic!("{d:?}"));
    {
        for overlap in [Overlap::FullyRecompute, Overlap::FullyCached] {
            let s = Schedule {
                overlap,
                lpf_limit: 6,
                ..schedule(16, 18)
            };
            match evaluate_network(&sc, &s) {
                Ok(r) => assert!(r.energy_pj.is_finite()),
                Err(e) => assert!(!e.to_string().is_empty()),
            }
        }
    }
}

#[test]
fn finding6_missing_layer_field_names_its_path() {
    let (h, mut w, m) = docs(HW, WL);
    w["layers"][2].as_object_mut().unwrap().remove("loop_dims");
    let d = problems(&h, &w, &m);
    assert!(
        d.iter().any(
            |x| x.path == "workload.layers[2].loop_dims" && x.message.contains("missing field")
        ),
        "{d:?}"
    );
    assert!(d.iter().all(|x| x.path != "workload"), "{d:?}");
}

#[test]
fn finding6_duplicate_keys_are_refused() {
    let (h, w, m) = docs(HW, WL);
    let text = h
        .to_string()
        .replacen("\"r_port\":1,", "\"r_port\":1,\"r_port\":2,", 1);
    let d = validate_json(&w.to_string(), &text, &m.to_string()).unwrap_err();
    assert!(
        d.iter()
            .any(|x| x.path.ends_with(".r_port") && x.message.contains("twice")),
        "{d:?}"
    );
}

#[test]
fn finding6_second_output_layer_is_named() {
    // Layer 7 is FSRCNN's output; a second layer reading layer 6 makes two.
    let (h, mut w, mut m) = docs(HW, WL);
    let layers = w["layers"].as_array_mut().unwrap();
    let mut extra = layers[8].clone();
    extra["id"] = json!(100);
    layers.push(extra);
    let entries = m["layers"].as_array_mut().unwrap();
    let mut entry = entries.iter().find(|e| e["id"] == 7).unwrap().clone();
    entry["id"] = json!(100);
    entries.push(entry);
    let sc = validate(&h, &w, &m);
    let msg = match sc {
        Err(d) => format!("{d:?}"),
        Ok(sc) => evaluate_network(&sc, &schedule(16, 18))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default(),
    };
    assert!(msg.contains("100") && msg.contains('7'), "{msg}");
}

#[test]
fn finding6_producer_larger_than_its_consumers_read_is_refused() {
    let (h, mut w, m) = docs(HW, WL);
    w["layers"][1]["loop_dims"]["OX"] = json!(1_000_000);
    let d = problems(&h, &w, &m);
    assert!(
        d.iter().any(|x| x.path == "workload.layers[1].loop_dims.OX"
            && x.message.contains("1000000")
            && x.message.contains("at most 970")),
        "{d:?}"
    );
}

#[test]
fn finding8_validation_is_linear_in_the_layer_count() {
    // Over the layer limit: refused at once with the limit in the message.
    let (h, mut w, m) = docs(HW, WL);
    let layers = w["layers"].as_array().unwrap().clone();
    let many: Vec<Value> = (0..limits::MAX_LAYERS + 1)
        .map(|i| {
            let mut l = layers[1].clone();
            l["id"] = json!(i);
            l
        })
        .collect();
    w["layers"] = Value::Array(many);
    let d = problems(&h, &w, &m);
    assert!(
        d.iter()
            .any(|x| x.path == "workload.layers" && x.message.contains("4096")),
        "{d:?}"
    );
}

/// A chain where every element-wise add reads the two layers before it:
/// the number of paths from the output grows as the Fibonacci numbers.
fn add_chain(n: usize) -> (Value, Value, Value) {
    let (h, w, m) = docs(HW, "resnet18");
    let layers = w["layers"].as_array().unwrap();
    let add = layers
        .iter()
        .find(|l| l["kind"] == "elementwise_add")
        .unwrap()
        .clone();
    let mut input = layers[0].clone();
    input["loop_dims"] = json!({"B": 1, "K": 64, "OY": 56, "OX": 56});
    let mut chain = vec![input];
    for i in 0..n as i64 {
        let mut l = add.clone();
        l["id"] = json!(i);
        l["label"] = Value::Null;
        l["loop_dims"] = json!({"B": 1, "G": 64, "OY": 56, "OX": 56});
        let (x, y) = (i - 1, if i >= 2 { i - 2 } else { -1 });
        l["operand_sources"] = json!({"X": [x], "Y": [y]});
        let map = if x < 0 { "K" } else { "G" };
        l["operand_source_dimension_mapping"] = json!({
            "X": {"OX": "OX", "OY": "OY", "G": map},
            "Y": {"OX": "OX", "OY": "OY", "G": if y < 0 { "K" } else { "G" }},
        });
        l.as_object_mut().unwrap().remove("derived");
        chain.push(l);
    }
    let mut w = w.clone();
    w["layers"] = Value::Array(chain);
    w.as_object_mut().unwrap().remove("totals");
    let mut m = m.clone();
    let entry = m["layers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == 4)
        .unwrap()
        .clone();
    m["layers"] = Value::Array(
        (0..n as i64)
            .map(|i| {
                let mut e = entry.clone();
                e["id"] = json!(i);
                e
            })
            .collect(),
    );
    (h, w, m)
}

#[test]
fn finding8_many_branches_are_not_exponential() {
    // 60 adds: 1.5e12 paths; the old work list gave up after 10^6 visits.
    let (h, w, m) = add_chain(60);
    let sc = validate(&h, &w, &m).unwrap_or_else(|d| panic!("{d:?}"));
    let mut s = schedule(8, 8);
    s.lpf_limit = 6;
    let r = evaluate_network(&sc, &s).unwrap_or_else(|e| panic!("{e}"));
    assert!(r.energy_pj.is_finite() && r.energy_pj > 0.0);
    assert_eq!(
        r.macs,
        60 * 64 * 56 * 56,
        "every add once, no recomputation"
    );
}

#[test]
fn finding4_evaluation_cache_is_bounded_by_bytes() {
    let sc = presets::scenario(HW, WL).unwrap();
    let s = Schedule {
        lpf_limit: 6,
        ..schedule(60, 72)
    };
    // Unbounded (the default budget is far larger than one network).
    let mut big = defines_model::EvalCache::default();
    let a = defines_model::evaluate_network_with(&sc, &s, &mut big).unwrap();
    assert!(big.len() > 4 && big.bytes() > 0);
    assert!(big.bytes() <= limits::EVAL_CACHE_MAX_BYTES);
    // A budget of one entry's size: it starts afresh instead of growing,
    // and the numbers do not change.
    let one = big.bytes() / big.len();
    let mut small = defines_model::EvalCache::with_max_bytes(one);
    let b = defines_model::evaluate_network_with(&sc, &s, &mut small).unwrap();
    assert!(small.len() <= 2, "{} entries kept", small.len());
    assert_eq!(a.energy_pj.to_bits(), b.energy_pj.to_bits());
    assert_eq!(a.latency_cycles, b.latency_cycles);
}

mod any_valid_input {
    //! Any input that validates evaluates to a report with finite totals
    //! (or a clear error), whatever its numbers within the limits.
    use super::*;
    use proptest::prelude::*;

    /// Values at and near the edges of what validation accepts.
    fn edge_u64(max: u64) -> impl Strategy<Value = u64> {
        prop_oneof![Just(1u64), Just(max), Just(max / 2 + 1), 1..=max.min(4096)]
    }

    fn edge_energy() -> impl Strategy<Value = f64> {
        prop_oneof![
            Just(0.0),
            Just(limits::MAX_ENERGY_PJ),
            Just(f64::MIN_POSITIVE),
            0.0..limits::MAX_ENERGY_PJ
        ]
    }

    #[derive(Debug, Clone)]
    enum Edit {
        Size(usize, u64),
        ReadBw(usize, u64),
        WriteBw(usize, u64),
        ReadCost(usize, f64),
        WriteCost(usize, f64),
        MacEnergy(f64),
        Precision(usize, u64),
    }

    fn edit() -> impl Strategy<Value = Edit> {
        let level = 0usize..7;
        prop_oneof![
            (level.clone(), edge_u64(limits::MAX_MEMORY_BITS)).prop_map(|(l, v)| Edit::Size(l, v)),
            (level.clone(), edge_u64(limits::MAX_BANDWIDTH_BITS))
                .prop_map(|(l, v)| Edit::ReadBw(l, v)),
            (level.clone(), edge_u64(limits::MAX_BANDWIDTH_BITS))
                .prop_map(|(l, v)| Edit::WriteBw(l, v)),
            (level.clone(), edge_energy()).prop_map(|(l, v)| Edit::ReadCost(l, v)),
            (level, edge_energy()).prop_map(|(l, v)| Edit::WriteCost(l, v)),
            edge_energy().prop_map(Edit::MacEnergy),
            (1usize..9, 1u64..=limits::MAX_PRECISION_BITS).prop_map(|(l, v)| Edit::Precision(l, v)),
        ]
    }

    fn apply(h: &mut Value, w: &mut Value, e: &Edit) {
        match *e {
            Edit::Size(l, v) => memory(h, l)["size_bits"] = json!(v),
            Edit::ReadBw(l, v) => memory(h, l)["r_bw_bits_per_cycle"] = json!(v),
            Edit::WriteBw(l, v) => memory(h, l)["w_bw_bits_per_cycle"] = json!(v),
            Edit::ReadCost(l, v) => memory(h, l)["r_cost_pJ_per_access"] = json!(v),
            Edit::WriteCost(l, v) => memory(h, l)["w_cost_pJ_per_access"] = json!(v),
            Edit::MacEnergy(v) => {
                h["cores"][0]["operational_array"]["unit"]["energy_pJ_per_op"] = json!(v)
            }
            Edit::Precision(l, v) => w["layers"][l]["operand_precision_bits"]["I"] = json!(v),
        }
    }

    static EVALUATED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    static EVALUATION_ERRORS: std::sync::atomic::AtomicUsize =
        std::sync::atomic::AtomicUsize::new(0);

    /// The property must look at real reports: most edited inputs validate
    /// and evaluate.
    #[test]
    fn most_cases_are_evaluated() {
        validated_inputs_give_finite_totals();
        let n = EVALUATED.load(std::sync::atomic::Ordering::Relaxed);
        let errors = EVALUATION_ERRORS.load(std::sync::atomic::Ordering::Relaxed);
        assert!(n >= 12 && errors * 2 <= n, "{n} evaluated, {errors} errors");
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]
        #[test]
        fn validated_inputs_give_finite_totals(
            edits in proptest::collection::vec(edit(), 1..6),
            mode in 1u8..=3,
            tile in prop_oneof![Just((960u64, 540u64)), Just((60, 72))],
        ) {
            let (mut h, mut w, m) = docs(HW, WL);
            for e in &edits {
                apply(&mut h, &mut w, e);
            }
            let Ok(sc) = validate(&h, &w, &m) else { return Ok(()) };
            let s = Schedule {
                tile: Tile { x: tile.0, y: tile.1 },
                overlap: Overlap::from_mode(mode).unwrap(),
                lpf_limit: 6,
                stack_cuts: None,
            };
            match evaluate_network(&sc, &s) {
                Ok(r) => {
                    prop_assert!(r.energy_pj.is_finite() && r.energy_pj >= 0.0);
                    prop_assert!((r.energy_pj * r.latency_cycles as f64).is_finite());
                    prop_assert!(r.latency_cycles < limits::MAX_LATENCY_CYCLES);
                    for (_, e) in r.energy_by_memory_pj.iter() {
                        prop_assert!(e.is_finite());
                    }
                }
                Err(e) => {
                    EVALUATION_ERRORS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    prop_assert!(!e.to_string().is_empty());
                }
            }
            EVALUATED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
    }
}
