//! The informational fields of a hardware document: those the model
//! ignores but a reader of the file trusts (`unroll_count`, `ports` with
//! the functions each serves, `level_of_operand`, `served_dimension_names`,
//! `level_index_in_file_order`, `total_units`, `effective_min_*_bits`).
//! Whoever rewrites a document (a hardware parameter set, the page's
//! structured editor) recomputes them here from the model's own reading of
//! the new document, so an exported accelerator never contradicts itself:
//! only fields already present are touched, and nothing while the document
//! does not read.

use alloc::string::String;
use alloc::vec::Vec;
use serde_json::{json, Map, Value};

use super::{Hardware, PortKind};

/// Recomputes the informational fields that are present from the model's
/// reading of `doc` (nothing when it does not read).
pub fn refresh_informational(doc: &mut Value) {
    let Ok(hw) = Hardware::from_value(doc) else {
        return;
    };
    let Some(core) = doc.get_mut("cores").and_then(|c| c.get_mut(0)) else {
        return;
    };
    if let Some(t) = core.pointer_mut("/operational_array/total_units") {
        *t = json!(hw.total_units());
    }
    let Some(levels) = core.get_mut("memory_levels").and_then(Value::as_array_mut) else {
        return;
    };
    let mut seen = alloc::vec![0u64; hw.mem_ops.len()];
    for (i, (lv, l)) in levels.iter_mut().zip(&hw.levels).enumerate() {
        let Some(o) = lv.as_object_mut() else {
            continue;
        };
        let mut level_of = Map::new();
        for s in &l.slots {
            level_of.insert(hw.mem_ops[s.mem_op].clone(), json!(seen[s.mem_op]));
            seen[s.mem_op] += 1;
        }
        let refresh = |o: &mut Map<String, Value>, key: &str, v: Value| {
            if let Some(slot) = o.get_mut(key) {
                *slot = v;
            }
        };
        refresh(o, "level_index_in_file_order", json!(i));
        refresh(o, "level_of_operand", Value::Object(level_of));
        refresh(o, "unroll_count", json!(l.unroll_count));
        let names: Vec<&str> = hw
            .array_dims
            .iter()
            .zip(&l.served)
            .filter(|(_, s)| **s)
            .map(|(d, _)| d.name.as_str())
            .collect();
        refresh(o, "served_dimension_names", json!(names));
        let ports: Vec<Value> = l
            .ports
            .iter()
            .map(|p| {
                let serves: Vec<Value> = p
                    .serves
                    .iter()
                    .map(|f| json!([hw.mem_ops[f.mem_op], f.level, f.dir.name()]))
                    .collect();
                json!({
                    "name": p.name,
                    "type": match p.kind {
                        PortKind::R => "r",
                        PortKind::W => "w",
                        PortKind::Rw => "rw",
                    },
                    "bw_bits_per_cycle": p.bw_bits,
                    "bw_min_bits": p.bw_min_bits,
                    "serves": serves,
                })
            })
            .collect();
        refresh(o, "ports", Value::Array(ports));
        if let Some(inst) = o.get_mut("instance").and_then(Value::as_object_mut) {
            if let Some(x) = inst.get_mut("effective_min_r_bits") {
                *x = json!(l.r_min_bits);
            }
            if let Some(x) = inst.get_mut("effective_min_w_bits") {
                *x = json!(l.w_min_bits);
            }
        }
    }
}
