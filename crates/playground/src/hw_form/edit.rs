//! The form's edits, applied to the hardware document as JSON.
//!
//! After every edit the document's informational fields are recomputed
//! (`defines_model::refresh_informational`), so an exported accelerator
//! never contradicts itself.

use serde_json::{json, Value};

use super::{parse_size_bits, LevelField, OPERANDS};

/// Which way a level moves in the bottom-to-top order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LevelMove {
    Down,
    Up,
}

/// One edit of the structured hardware editor.
#[derive(Clone, Debug, PartialEq)]
pub enum FormEdit {
    /// A numeric field of a memory level, as typed (a size may carry a
    /// unit).
    Level {
        level: usize,
        field: LevelField,
        text: String,
    },
    /// The MAC unit's energy per operation (pJ), as typed.
    MacEnergy(String),
    /// The size of an array dimension, as typed.
    DimSize {
        dim: usize,
        text: String,
    },
    Rename {
        level: usize,
        name: String,
    },
    /// Store / stop storing an operand (`I1`, `I2`, `O`) in a level; its
    /// `port_alloc` entry is added (first read and write ports) or removed.
    ToggleOperand {
        level: usize,
        operand: String,
    },
    /// Serve / stop serving an array dimension from one instance.
    ToggleServed {
        level: usize,
        dim: usize,
    },
    /// A new level above `level` (copying its operands and served
    /// dimensions, with round default figures to edit).
    AddAbove(usize),
    Duplicate(usize),
    Remove(usize),
    Move(usize, LevelMove),
}

/// The new document text after `edit`, or why the form cannot edit this
/// text (it is not a hardware document with a first core; the JSON editor
/// shows the problem).
pub fn apply(text: &str, edit: &FormEdit) -> Result<String, String> {
    let mut doc: Value = serde_json::from_str(text).map_err(|e| {
        format!("the hardware JSON does not parse ({e}); fix it in the JSON editor")
    })?;
    let core = doc
        .get_mut("cores")
        .and_then(|c| c.get_mut(0))
        .ok_or("the hardware has no `cores[0]`; fix it in the JSON editor")?;
    edit_core(core, edit)?;
    defines_model::refresh_informational(&mut doc);
    serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())
}

fn levels_mut(core: &mut Value) -> Result<&mut Vec<Value>, String> {
    core.get_mut("memory_levels")
        .and_then(Value::as_array_mut)
        .ok_or_else(|| "the hardware has no `memory_levels` list".to_string())
}

fn level_mut(core: &mut Value, level: usize) -> Result<&mut Value, String> {
    levels_mut(core)?
        .get_mut(level)
        .ok_or_else(|| format!("there is no memory level {level}"))
}

/// A typed value as JSON: the number when it reads as one of the field's
/// kind, else the text itself (the model then names the field).
fn typed(text: &str, size: bool, energy: bool) -> Value {
    let t = text.trim();
    if size {
        if let Some(bits) = parse_size_bits(t) {
            return json!(bits);
        }
    } else if energy {
        if let Some(x) = t.parse::<f64>().ok().filter(|x| x.is_finite()) {
            return json!(x);
        }
    } else if let Ok(n) = t.parse::<u64>() {
        return json!(n);
    }
    Value::String(text.to_string())
}

fn set_key(obj: &mut Value, key: &str, v: Value) -> Result<(), String> {
    obj.as_object_mut()
        .map(|o| {
            o.insert(key.to_string(), v);
        })
        .ok_or_else(|| format!("`{key}` is not inside an object"))
}

fn edit_core(core: &mut Value, edit: &FormEdit) -> Result<(), String> {
    match edit {
        FormEdit::Level { level, field, text } => {
            let l = level_mut(core, *level)?;
            let inst = l.get_mut("instance").ok_or("the level has no `instance`")?;
            let v = typed(text, *field == LevelField::Size, field.is_energy());
            set_key(inst, field.key(), v)
        }
        FormEdit::MacEnergy(text) => {
            let unit = core
                .pointer_mut("/operational_array/unit")
                .ok_or("the hardware has no `operational_array.unit`")?;
            set_key(unit, "energy_pJ_per_op", typed(text, false, true))
        }
        FormEdit::DimSize { dim, text } => {
            let d = core
                .pointer_mut(&format!("/operational_array/dimensions/{dim}"))
                .ok_or_else(|| format!("there is no array dimension {dim}"))?;
            set_key(d, "size", typed(text, false, false))
        }
        FormEdit::Rename { level, name } => {
            let l = level_mut(core, *level)?;
            let inst = l.get_mut("instance").ok_or("the level has no `instance`")?;
            set_key(inst, "name", Value::String(name.clone()))
        }
        FormEdit::ToggleOperand { level, operand } => {
            toggle_operand(level_mut(core, *level)?, operand)
        }
        FormEdit::ToggleServed { level, dim } => {
            let n = dim_count(core);
            toggle_served(level_mut(core, *level)?, *dim, n)
        }
        FormEdit::AddAbove(level) => {
            let names = level_names(core);
            let ls = levels_mut(core)?;
            let below = ls.get(*level).ok_or("there is no such memory level")?;
            let new = new_level(below, &unique_name("new_memory", &names));
            ls.insert(level + 1, new);
            Ok(())
        }
        FormEdit::Duplicate(level) => {
            let names = level_names(core);
            let ls = levels_mut(core)?;
            let mut copy = ls
                .get(*level)
                .ok_or("there is no such memory level")?
                .clone();
            let base = format!(
                "{}_copy",
                names.get(*level).map_or("memory", String::as_str)
            );
            if let Some(inst) = copy.get_mut("instance") {
                set_key(inst, "name", Value::String(unique_name(&base, &names)))?;
            }
            ls.insert(level + 1, copy);
            Ok(())
        }
        FormEdit::Remove(level) => {
            let ls = levels_mut(core)?;
            if *level < ls.len() {
                ls.remove(*level);
            }
            Ok(())
        }
        FormEdit::Move(level, dir) => {
            let ls = levels_mut(core)?;
            let other = match dir {
                LevelMove::Down => level.checked_sub(1),
                LevelMove::Up => Some(level + 1),
            };
            if let Some(o) = other.filter(|o| *o < ls.len() && *level < ls.len()) {
                ls.swap(*level, o);
            }
            Ok(())
        }
    }
}

fn dim_count(core: &Value) -> usize {
    core.pointer("/operational_array/dimensions")
        .and_then(Value::as_array)
        .map_or(0, Vec::len)
}

fn level_names(core: &Value) -> Vec<String> {
    core.get("memory_levels")
        .and_then(Value::as_array)
        .map(|ls| {
            ls.iter()
                .map(|l| {
                    l.pointer("/instance/name")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string()
                })
                .collect()
        })
        .unwrap_or_default()
}

fn unique_name(base: &str, taken: &[String]) -> String {
    if !taken.iter().any(|t| t == base) {
        return base.to_string();
    }
    (2..)
        .map(|k| format!("{base}_{k}"))
        .find(|n| !taken.iter().any(|t| t == n))
        .unwrap_or_else(|| base.to_string())
}

/// The first read and the first write port of a level (`r_port_1`,
/// `w_port_1`, or its first `rw_port_1`), as the model names them.
fn default_ports(l: &Value) -> (String, String) {
    let count = |k: &str| {
        l.pointer(&format!("/instance/{k}"))
            .and_then(Value::as_u64)
            .unwrap_or(0)
    };
    let rw = count("rw_port") > 0;
    let read = if count("r_port") > 0 || !rw {
        "r_port_1"
    } else {
        "rw_port_1"
    };
    let write = if count("w_port") > 0 || !rw {
        "w_port_1"
    } else {
        "rw_port_1"
    };
    (read.into(), write.into())
}

fn alloc_entry(operand: &str, read: &str, write: &str) -> Value {
    let out = operand == "O";
    json!({
        "operand": operand,
        "fh": write,
        "tl": read,
        "fl": if out { Value::from(write) } else { Value::Null },
        "th": if out { Value::from(read) } else { Value::Null },
    })
}

fn toggle_operand(l: &mut Value, operand: &str) -> Result<(), String> {
    if !OPERANDS.contains(&operand) {
        return Err(format!("unknown operand `{operand}`; use I1, I2 or O"));
    }
    let (read, write) = default_ports(l);
    let obj = l.as_object_mut().ok_or("the level is not an object")?;
    let ops = obj
        .entry("operands")
        .or_insert_with(|| Value::Array(Vec::new()));
    let ops = ops.as_array_mut().ok_or("`operands` is not a list")?;
    let had = ops.iter().any(|o| o.as_str() == Some(operand));
    if had {
        ops.retain(|o| o.as_str() != Some(operand));
    } else {
        // Keep the hardware's operand order I1, I2, O.
        let rank = |o: &Value| OPERANDS.iter().position(|x| Some(*x) == o.as_str());
        let at = ops
            .iter()
            .position(|o| rank(o) > OPERANDS.iter().position(|x| *x == operand))
            .unwrap_or(ops.len());
        ops.insert(at, Value::from(operand));
    }
    let pa = obj
        .entry("port_alloc")
        .or_insert_with(|| Value::Array(Vec::new()));
    let pa = pa.as_array_mut().ok_or("`port_alloc` is not a list")?;
    pa.retain(|e| e.get("operand").and_then(Value::as_str) != Some(operand));
    if !had {
        pa.push(alloc_entry(operand, &read, &write));
    }
    Ok(())
}

fn toggle_served(l: &mut Value, dim: usize, n: usize) -> Result<(), String> {
    let mut served = super::read_level(l, 0, n).served;
    if let Some(s) = served.get_mut(dim) {
        *s = !*s;
    }
    let vectors: Vec<Value> = (0..n)
        .filter(|&k| served[k])
        .map(|k| Value::from((0..n).map(|j| u64::from(j == k)).collect::<Vec<u64>>()))
        .collect();
    set_key(l, "served_dimensions", Value::Array(vectors))
}

/// A level to edit, above `below`: its operands and served dimensions,
/// twice its size, one read and one write port, 1 pJ per access.
fn new_level(below: &Value, name: &str) -> Value {
    let size = below
        .pointer("/instance/size_bits")
        .and_then(Value::as_u64)
        .map_or(8 << 13, |s| s.saturating_mul(2));
    let bw = |k: &str| {
        below
            .pointer(&format!("/instance/{k}"))
            .cloned()
            .unwrap_or(json!(64))
    };
    let operands: Vec<String> = below
        .get("operands")
        .and_then(Value::as_array)
        .map(|o| {
            o.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    let port_alloc: Vec<Value> = operands
        .iter()
        .map(|o| alloc_entry(o, "r_port_1", "w_port_1"))
        .collect();
    json!({
        "instance": {
            "name": name,
            "size_bits": size,
            "r_bw_bits_per_cycle": bw("r_bw_bits_per_cycle"),
            "w_bw_bits_per_cycle": bw("w_bw_bits_per_cycle"),
            "r_cost_pJ_per_access": 1.0,
            "w_cost_pJ_per_access": 1.0,
            "r_port": 1,
            "w_port": 1,
            "rw_port": 0,
            "latency_cycles": 1,
        },
        "operands": operands,
        "port_alloc": port_alloc,
        "served_dimensions": below.get("served_dimensions").cloned().unwrap_or(json!([])),
    })
}
