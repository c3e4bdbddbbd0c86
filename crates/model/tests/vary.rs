//! Hardware parameters (`NAME.FIELD`): parsing, reading and writing them in
//! a hardware document, the mirrors kept in step, and every refusal.

use defines_model::input::vary::MEMORY_FIELDS;
use defines_model::{get_param, hw_params, presets, set_param, vary_hardware, Hardware, HwParam};
use serde_json::Value;

fn doc(name: &str) -> Value {
    serde_json::from_str(presets::hardware(name).unwrap()).unwrap()
}

fn param(label: &str) -> HwParam {
    HwParam::parse(label).unwrap()
}

/// Every parameter of every preset: setting its current value back changes
/// nothing the model reads, and for integers not a byte of the document
/// (so the recomputed mirrors equal the presets' own).
#[test]
fn every_preset_parameter_round_trips() {
    for (name, text) in presets::HARDWARE {
        let d = doc(name);
        let h = Hardware::from_json(text).unwrap();
        let ps = hw_params(&d);
        assert_eq!(
            ps.len(),
            1 + h.array_dims.len() + MEMORY_FIELDS.len() * h.levels.len(),
            "{name}"
        );
        assert_eq!(ps[0].label(), "mac.energy_pJ_per_op");
        assert_eq!(ps[1].label(), format!("mac.{}", h.array_dims[0].name));
        let mut with_value = 0;
        for p in &ps {
            let Some(v) = get_param(&d, p) else {
                // only the optional granularities are null in the presets
                assert!(p.field.starts_with("min_"), "{name} {}", p.label());
                continue;
            };
            with_value += 1;
            let mut d2 = d.clone();
            set_param(&mut d2, p, v).unwrap_or_else(|e| panic!("{name} {}: {e}", p.label()));
            assert_eq!(get_param(&d2, p).map(f64::to_bits), Some(v.to_bits()));
            if p.is_integer() {
                assert_eq!(d2, d, "{name} {}", p.label());
            } else {
                assert_eq!(
                    Hardware::from_value(&d2).unwrap(),
                    h,
                    "{name} {}",
                    p.label()
                );
            }
        }
        assert!(with_value > 1 + 9 * h.levels.len(), "{name}");
    }
}

#[test]
fn the_values_are_those_the_model_reads() {
    let d = doc("Meta_prototype_DF");
    let h = Hardware::from_json(presets::hardware("Meta_prototype_DF").unwrap()).unwrap();
    let a = &h.levels[h.level_index("sram_1MB_A").unwrap()];
    assert_eq!(
        get_param(&d, &param("sram_1MB_A.size_bits")),
        Some(a.size_bits as f64)
    );
    assert_eq!(a.size_bits, 8_388_608);
    assert_eq!(get_param(&d, &param("mac.energy_pJ_per_op")), Some(0.04));
    assert_eq!(get_param(&d, &param("mac.D1")), Some(32.0));
    assert_eq!(get_param(&d, &param("mac.D4")), Some(4.0));
    assert_eq!(
        get_param(&d, &param("dram.r_cost_pJ_per_access")),
        Some(700.0)
    );
    assert_eq!(get_param(&d, &param("rf_1B.min_r_granularity_bits")), None);
    assert_eq!(get_param(&d, &param("nope.size_bits")), None);
}

/// Setting `sram_1MB_A.size_bits` changes that size and nothing else the
/// model reads.
#[test]
fn vary_one_size_changes_only_that_size() {
    let text = presets::hardware("Meta_prototype_DF").unwrap();
    let out = vary_hardware(text, &[(param("sram_1MB_A.size_bits"), 2_097_152.0)]).unwrap();
    let varied = Hardware::from_json(&out).unwrap();
    let mut want = Hardware::from_json(text).unwrap();
    let i = want.level_index("sram_1MB_A").unwrap();
    assert_ne!(want.levels[i].size_bits, 2_097_152);
    want.levels[i].size_bits = 2_097_152;
    assert_eq!(varied, want);
    // the text is the same document, keys in the same order
    let v: Value = serde_json::from_str(&out).unwrap();
    let mut d = doc("Meta_prototype_DF");
    d["cores"][0]["memory_levels"][i]["instance"]["size_bits"] = 2_097_152u64.into();
    assert_eq!(v, d);
    let keys = |v: &Value| -> Vec<String> { v.as_object().unwrap().keys().cloned().collect() };
    assert_eq!(keys(&v), keys(&d));
    assert!(
        out.contains("\"size_bits\": 2097152,"),
        "integer written as such"
    );
    // no setting: the same document
    let same: Value = serde_json::from_str(&vary_hardware(text, &[]).unwrap()).unwrap();
    assert_eq!(same, doc("Meta_prototype_DF"));
}

#[test]
fn energies_are_written_as_floats() {
    let text = presets::hardware("TPU_like").unwrap();
    let out = vary_hardware(
        text,
        &[
            (param("mac.energy_pJ_per_op"), 1e-3),
            (param("dram.w_cost_pJ_per_access"), 800.0),
        ],
    )
    .unwrap();
    let h = Hardware::from_json(&out).unwrap();
    assert_eq!(h.mac_energy_pj.to_bits(), 1e-3f64.to_bits());
    let dram = &h.levels[h.level_index("dram").unwrap()];
    assert_eq!(dram.w_cost_pj, 800.0);
    assert_eq!(dram.r_cost_pj, 700.0);
    assert!(out.contains("\"energy_pJ_per_op\": 0.001,"), "{out}");
}

/// Bandwidths and granularities keep `ports[]` and `effective_min_*_bits`
/// in step; array dimensions keep `total_units` and `unroll_count`.
#[test]
fn mirrors_follow() {
    let mut d = doc("Meta_prototype_DF");
    // rf_1B has no granularity: its effective minimum follows the width
    set_param(&mut d, &param("rf_1B.r_bw_bits_per_cycle"), 16.0).unwrap();
    let l0 = &d["cores"][0]["memory_levels"][0];
    assert_eq!(l0["instance"]["effective_min_r_bits"], 16);
    assert_eq!(l0["instance"]["effective_min_w_bits"], 8);
    assert_eq!(l0["ports"][0]["type"], "r");
    assert_eq!(
        (
            &l0["ports"][0]["bw_bits_per_cycle"],
            &l0["ports"][0]["bw_min_bits"]
        ),
        (&Value::from(16), &Value::from(16))
    );
    assert_eq!(l0["ports"][1]["bw_bits_per_cycle"], 8, "the write port");
    // sram_1MB_A has a granularity of 64: it stays; its rw ports follow
    set_param(&mut d, &param("sram_1MB_A.r_bw_bits_per_cycle"), 2048.0).unwrap();
    set_param(&mut d, &param("sram_1MB_A.min_w_granularity_bits"), 128.0).unwrap();
    let h = Hardware::from_value(&d).unwrap();
    let a = &h.levels[h.level_index("sram_1MB_A").unwrap()];
    assert_eq!((a.r_bw_bits, a.r_min_bits, a.w_min_bits), (2048, 64, 128));
    let i = h.level_index("sram_1MB_A").unwrap();
    let la = &d["cores"][0]["memory_levels"][i];
    assert_eq!(la["instance"]["effective_min_r_bits"], 64);
    assert_eq!(la["instance"]["effective_min_w_bits"], 128);
    for port in la["ports"].as_array().unwrap() {
        let (bw, min) = match port["type"].as_str().unwrap() {
            "w" => (1024, 128),
            _ => (2048, 64),
        };
        assert_eq!(port["bw_bits_per_cycle"], bw, "{port}");
        assert_eq!(port["bw_min_bits"], min, "{port}");
    }
    // D1 (32 -> 16): 512 units; rf_1B serves D3, D4 only: 16 * 2 instances
    set_param(&mut d, &param("mac.D1"), 16.0).unwrap();
    let oa = &d["cores"][0]["operational_array"];
    assert_eq!(oa["total_units"], 512);
    assert_eq!(d["cores"][0]["memory_levels"][0]["unroll_count"], 32);
    let h = Hardware::from_value(&d).unwrap();
    assert_eq!(h.total_units(), 512);
    for (l, lv) in h
        .levels
        .iter()
        .zip(d["cores"][0]["memory_levels"].as_array().unwrap())
    {
        assert_eq!(
            lv["unroll_count"].as_u64(),
            Some(l.unroll_count),
            "{}",
            l.name
        );
    }
}

fn set_err(label: &str, value: f64) -> String {
    let mut d = doc("Meta_prototype_DF");
    let p = HwParam {
        target: label.rsplit_once('.').unwrap().0.into(),
        field: label.rsplit_once('.').unwrap().1.into(),
    };
    let e = set_param(&mut d, &p, value).unwrap_err();
    assert_eq!(d, doc("Meta_prototype_DF"), "{label}: unchanged on error");
    e.to_string()
}

#[test]
fn unknown_names_and_fields_list_the_valid_ones() {
    let e = set_err("sram_2MB.size_bits", 1024.0);
    assert_eq!(
        e,
        "hardware.cores[0].memory_levels: parameter `sram_2MB.size_bits`: no memory is named \
         `sram_2MB`; the memories are rf_1B, rf_2B, sram_32KB, sram_1MB_W, sram_64KB, \
         sram_1MB_A, dram (or use `mac` for the MAC unit and array)"
    );
    let e = set_err("mac.D9", 4.0);
    assert!(
        e.contains("no dimension `D9`")
            && e.contains("D1, D2, D3, D4")
            && e.contains("mac.energy_pJ_per_op"),
        "{e}"
    );
    let e = set_err("dram.size", 4.0);
    assert!(
        e.contains("`size` is not a memory field") && e.contains("size_bits, r_bw_bits_per_cycle"),
        "{e}"
    );
}

#[test]
fn bad_values_name_the_parameter_the_value_and_the_range() {
    let path = "hardware.cores[0].memory_levels[5].instance.size_bits";
    let e = set_err("sram_1MB_A.size_bits", 1.5);
    assert_eq!(
        e,
        format!(
            "{path}: parameter `sram_1MB_A.size_bits` = 1.5 is not a whole number; give a whole \
             number from 1 to 1125899906842624"
        )
    );
    assert!(set_err("sram_1MB_A.size_bits", -8.0).contains("= -8 is negative"));
    assert!(set_err("sram_1MB_A.size_bits", 0.0).contains("= 0 is outside 1..=1125899906842624"));
    assert!(set_err("sram_1MB_A.size_bits", 2f64.powi(53)).contains("2^53 or more"));
    assert!(set_err("sram_1MB_A.size_bits", 2f64.powi(51)).contains("outside"));
    assert!(set_err("sram_1MB_A.size_bits", f64::INFINITY).contains("not a finite number"));
    assert!(set_err("sram_1MB_A.r_port", 65.0).contains("from 0 to 64"));
    assert!(set_err("mac.D1", 70_000.0).contains("from 1 to 65536"));
    let e = set_err("mac.energy_pJ_per_op", f64::NAN);
    assert!(
        e.starts_with("hardware.cores[0].operational_array.unit.energy_pJ_per_op: parameter `mac.energy_pJ_per_op` = NaN is not a finite number"),
        "{e}"
    );
    assert!(set_err("dram.r_cost_pJ_per_access", 2e9).contains("over the limit 1000000000"));
    assert!(set_err("dram.r_cost_pJ_per_access", -1e-3).contains("negative"));
}

#[test]
fn vary_hardware_reports_every_refusal() {
    let text = presets::hardware("Meta_prototype_DF").unwrap();
    let e = vary_hardware(
        text,
        &[
            (param("sram_1MB_A.size_bits"), 1.5),
            (param("mac.D1"), 8.0),
            (param("nope.latency_cycles"), 1.0),
        ],
    )
    .unwrap_err();
    assert_eq!(e.len(), 2, "{e:?}");
    assert!(e[0].message.contains("1.5") && e[1].message.contains("`nope`"));
    let e = vary_hardware("{\"name\": ", &[]).unwrap_err();
    assert!(
        e[0].message.contains("not a valid hardware document"),
        "{e:?}"
    );
}

#[test]
fn parse_label_and_kinds() {
    let p = param("sram_1MB_A.size_bits");
    assert_eq!(
        (p.target.as_str(), p.field.as_str()),
        ("sram_1MB_A", "size_bits")
    );
    assert_eq!(p.label(), "sram_1MB_A.size_bits");
    let dotted = param(" l2.bank0.r_port ");
    assert_eq!(
        (dotted.target.as_str(), dotted.label().as_str()),
        ("l2.bank0", "l2.bank0.r_port")
    );
    for bad in ["size_bits", ".size_bits", "dram.", ""] {
        let e = HwParam::parse(bad).unwrap_err();
        assert!(e.contains("write NAME.FIELD"), "{bad}: {e}");
    }
    let e = HwParam::parse("dram.bw").unwrap_err();
    assert!(e.contains("`bw` (in `dram.bw`) is not a memory field") && e.contains("rw_port"));
    let kinds = |l: &str| {
        let p = param(l);
        (p.is_integer(), p.is_log_scale())
    };
    assert_eq!(kinds("dram.size_bits"), (true, true));
    assert_eq!(kinds("dram.w_bw_bits_per_cycle"), (true, true));
    assert_eq!(kinds("dram.min_r_granularity_bits"), (true, true));
    assert_eq!(kinds("dram.r_cost_pJ_per_access"), (false, true));
    assert_eq!(kinds("mac.energy_pJ_per_op"), (false, true));
    assert_eq!(kinds("mac.D1"), (true, true));
    assert_eq!(kinds("dram.rw_port"), (true, false));
    assert_eq!(kinds("dram.latency_cycles"), (true, false));
    assert_eq!(param("dram.size_bits").bounds(), (1.0, 2f64.powi(50)));
    assert_eq!(param("mac.energy_pJ_per_op").bounds(), (0.0, 1e9));
}
