//! `defines explain` and `defines eval --detail`: the explained numbers are
//! `defines eval`'s, and their terms add up to them.

mod common;
use common::{defines, json, FSRCNN_60X72};

use serde_json::Value;

const SCENARIO: [&str; 8] = FSRCNN_60X72;
fn explain(item: &str) -> Value {
    json(
        &[
            &["explain"],
            &SCENARIO[..],
            &["--item", item, "--format", "json"],
        ]
        .concat(),
    )
}

/// The terms added up as the explanation's `sum` says, as (unit, bits).
fn total(e: &Value) -> (bool, u64) {
    let cycles = e["value"].get("Cycles").is_some();
    let val = |a: &Value| -> f64 { a.get("Pj").or(a.get("Cycles")).unwrap().as_f64().unwrap() };
    let groups = e["groups"].as_array().unwrap();
    let v = if cycles {
        groups
            .iter()
            .flat_map(|g| g["terms"].as_array().unwrap())
            .map(|t| t["value"]["Cycles"].as_u64().unwrap())
            .sum::<u64>() as f64
    } else if e["sum"] == "Flat" {
        groups
            .iter()
            .flat_map(|g| g["terms"].as_array().unwrap())
            .fold(-0.0, |a, t| a + val(&t["value"]))
    } else {
        groups.iter().fold(0.0, |a, g| {
            a + g["terms"]
                .as_array()
                .unwrap()
                .iter()
                .fold(0.0, |b, t| b + val(&t["value"]))
        })
    };
    (cycles, v.to_bits())
}

#[test]
fn explained_numbers_are_evals_and_their_terms_add_up() {
    let r = json(&[&["eval"], &SCENARIO[..], &["--format", "json"]].concat());
    let l1 = r["layers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["name"] == "L1")
        .unwrap();
    let cases = [
        ("energy", &r["energy_pj"]),
        ("latency", &r["latency_cycles"]),
        ("mac_energy", &r["mac_energy_pj"]),
        ("data_copy_energy", &r["data_copy_energy_pj"]),
        ("memory/dram", &r["energy_by_memory_pj"]["dram"]),
        (
            "memory/sram_64KB/I",
            &r["energy_by_memory_and_operand_pj"]["sram_64KB|I"],
        ),
        (
            "copy_memory/dram",
            &r["data_copy_energy_by_memory_pj"]["dram"],
        ),
        ("item/L1/latency", &l1["latency_cycles"]),
        ("item/L1/energy", &l1["energy_pj"]),
    ];
    for (item, want) in cases {
        let e = explain(item);
        let got = e["value"].get("Pj").or(e["value"].get("Cycles")).unwrap();
        assert_eq!(got, want, "{item}");
        let (cycles, bits) = total(&e);
        let want_bits = if cycles {
            want.as_u64().unwrap() as f64
        } else {
            want.as_f64().unwrap()
        };
        assert_eq!(bits, want_bits.to_bits(), "{item}: the terms add up to it");
        assert!(!e["groups"].as_array().unwrap().is_empty(), "{item}");
    }
    let list = explain("list");
    assert!(list.as_array().unwrap().len() > 30);
    let (code, out, _) = defines(&[&["explain"], &SCENARIO[..], &["--item", "loops"]].concat());
    assert_eq!(code, 0);
    assert!(
        out.contains("orderings considered") && out.contains("  for "),
        "{out}"
    );
}

#[test]
fn eval_detail_adds_the_detail_and_changes_nothing_else() {
    let plain = json(&[&["eval"], &SCENARIO[..], &["--format", "json"]].concat());
    let mut detailed =
        json(&[&["eval"], &SCENARIO[..], &["--format", "json", "--detail"]].concat());
    let detail = detailed.as_object_mut().unwrap().remove("detail").unwrap();
    assert_eq!(detailed, plain);
    let entries = detail["entries"].as_array().unwrap();
    assert!(entries.len() >= plain["layers"].as_array().unwrap().len() / 2);
    assert!(entries.iter().any(|e| e["layer"]["operands"]
        .as_array()
        .is_some_and(|o| o.len() == 3)));
    let (code, _, err) = defines(&[&["eval"], &SCENARIO[..], &["--detail"]].concat());
    assert_eq!(code, 2);
    assert!(err.contains("--detail goes with --format json"), "{err}");
    let (code, _, err) =
        defines(&[&["explain"], &SCENARIO[..], &["--item", "memory/nope"]].concat());
    assert_eq!(code, 2);
    assert!(err.contains("`--item list` lists them"), "{err}");
}
