//! A ZigZag mapping (a list of entries `name`, `spatial_mapping`,
//! `memory_operand_links`) into the mapping document
//! (`defines-reference-mapping/1`), and its memory-operand links into the
//! workload's layers (where this model keeps them).
//!
//! ZigZag picks an entry per layer by the layer's name, else its
//! `operator_type`, else the entry `default`; the mapping document lists
//! the spatial mapping of every compute layer by id, so the entries are
//! resolved against a workload. Each array dimension's `LOOP, N` becomes
//! `[LOOP, min(N, array size, loop size)]`, left out when that is 1 (as
//! the presets write it; the model clamps the same way, §1.4, so the
//! numbers are those of ZigZag's `N`). A loop the layer does not have
//! unrolls nothing (noted).
//!
//! Refused: two loops unrolled on one array dimension (ZigZag's "mixed"
//! mappings: the model unrolls one loop per dimension), a
//! `spatial_mapping_hint` or `temporal_ordering` (ZigZag searches or
//! fixes those; the model searches the temporal mapping itself with LOMA
//! and takes the spatial mapping as given), a core other than 1.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use serde_json::{json, Map, Value as Json};

use super::fields::{int_in, seq_of, show, str_of, sub, Fields, Report};
use super::yaml::{Node, Value};
use super::LayerKey;
use defines_model::Hardware;

const ENTRY: &[&str] = &[
    "name",
    "spatial_mapping",
    "memory_operand_links",
    "spatial_mapping_hint",
    "temporal_ordering",
    "core_allocation",
];
const LINKS: [(&str, &str); 3] = [("O", "O"), ("W", "I2"), ("I", "I1")];

/// One array dimension's unrollings `(loop, N, line, path)`.
type Unrollings = Vec<(String, u64, usize, String)>;

struct Entry {
    name: String,
    path: String,
    line: usize,
    spatial: Vec<(String, Unrollings)>,
    /// `O`, `W`, `I` → memory operand (ZigZag's defaults when not given).
    links: Vec<(String, String)>,
}

/// The mapping document for the compute layers of `workload` (whose
/// memory-operand links are set from the entries).
pub(crate) fn convert(
    root: &Node,
    hw: &Hardware,
    workload: &mut Json,
    keys: &[LayerKey],
    r: &mut Report,
) -> Option<Json> {
    let n0 = r.len();
    let items = match &root.value {
        Value::Seq(items) => items,
        other => {
            r.error("", root.line, format!("expected a ZigZag mapping (a list of entries with name, spatial_mapping, memory_operand_links), found {}", other.kind()));
            return None;
        }
    };
    let mut entries: Vec<Entry> = Vec::new();
    for (i, n) in items.iter().enumerate() {
        if let Some(e) = read_entry(n, &format!("[{i}]"), hw, r) {
            if entries.iter().any(|o| o.name == e.name) {
                r.error(
                    &sub(&e.path, "name"),
                    n.line,
                    format!("`{}` has two entries; keep one", e.name),
                );
            }
            entries.push(e);
        }
    }
    if r.len() > n0 {
        return None;
    }
    let wl_name = workload.get("name").cloned().unwrap_or(json!(null));
    let layers = workload.get_mut("layers").and_then(Json::as_array_mut)?;
    let mut out = Vec::new();
    for l in layers
        .iter_mut()
        .filter(|l| l.get("kind").and_then(Json::as_str) != Some("input"))
    {
        let id = l.get("id").and_then(Json::as_i64)?;
        let key = keys
            .iter()
            .find(|k| k.id == id)
            .cloned()
            .unwrap_or_else(|| key_of(l));
        let Some(e) = entries
            .iter()
            .find(|e| e.name == key.name)
            .or_else(|| entries.iter().find(|e| e.name == key.operator_type))
            .or_else(|| entries.iter().find(|e| e.name == "default"))
        else {
            r.error("", root.line, format!("no entry for layer {id} (`{}`, {}) and no `default` entry; add `- name: default` (or one named after the layer or its operator type)", key.name, key.operator_type));
            continue;
        };
        let sm = spatial(e, id, l, hw, r);
        set_links(e, id, l, r);
        out.push(json!({"id": id, "spatial_mapping": sm}));
    }
    if r.len() > n0 {
        return None;
    }
    Some(json!({
        "schema": "defines-reference-mapping/1",
        "workload": wl_name,
        "hw_family": hw.name,
        "layers": out,
    }))
}

/// The ZigZag name and operator type of a layer of a workload document
/// (its label, else `Layer<id>`; `Conv`, `Pooling` or `Add` by kind).
pub(crate) fn key_of(l: &Json) -> LayerKey {
    let id = l.get("id").and_then(Json::as_i64).unwrap_or(0);
    let kind = l.get("kind").and_then(Json::as_str).unwrap_or("");
    LayerKey {
        id,
        name: l
            .get("label")
            .and_then(Json::as_str)
            .map_or_else(|| format!("Layer{id}"), str::to_string),
        operator_type: match kind {
            "conv" | "pointwise_conv" | "depthwise_conv" => "Conv",
            "pooling" => "Pooling",
            "elementwise_add" => "Add",
            other => other,
        }
        .to_string(),
    }
}

fn read_entry(node: &Node, path: &str, hw: &Hardware, r: &mut Report) -> Option<Entry> {
    let n0 = r.len();
    let mut f = Fields::new(node, path, r, "a mapping entry")?;
    let name = f
        .req(
            "name",
            r,
            "`default`, an operator type (Conv) or a layer name",
        )
        .and_then(|n| str_of(n, &sub(path, "name"), r))
        .map(str::to_string);
    let mut spatial = Vec::new();
    if let Some(n) = f.get("spatial_mapping") {
        let p = sub(path, "spatial_mapping");
        if let Some(mut sf) = Fields::new(n, &p, r, "the unrolling per array dimension") {
            for (dim, v) in sf.all() {
                let dp = sub(&p, dim);
                if hw.array_dims.iter().all(|d| d.name != *dim) {
                    let names: Vec<&str> = hw.array_dims.iter().map(|d| d.name.as_str()).collect();
                    r.error(
                        &dp,
                        v.line,
                        format!(
                            "unknown array dimension `{dim}`; the accelerator has {}",
                            names.join(", ")
                        ),
                    );
                    continue;
                }
                spatial.push((dim.clone(), unrollings(v, &dp, r)));
            }
        }
    }
    let mut links: Vec<(String, String)> = LINKS
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    if let Some(n) = f.get("memory_operand_links") {
        let p = sub(path, "memory_operand_links");
        if let Some(mut lf) = Fields::new(n, &p, r, "layer operand: memory operand") {
            for (op, v) in lf.all() {
                let lp = sub(&p, op);
                let Some(m) = str_of(v, &lp, r) else { continue };
                let Some(slot) = links.iter_mut().find(|(o, _)| o == op) else {
                    r.error(
                        &lp,
                        v.line,
                        format!("unknown layer operand `{op}`; ZigZag links O, W and I"),
                    );
                    continue;
                };
                if hw.mem_op_index(m).is_none() {
                    r.error(
                        &lp,
                        v.line,
                        format!(
                            "`{m}` is not a memory operand of the accelerator; it has {}",
                            hw.mem_ops.join(", ")
                        ),
                    );
                }
                slot.1 = m.to_string();
            }
        }
    }
    for (key, why) in [
        ("spatial_mapping_hint", "ZigZag searches the unrolling of these dimensions; this model takes the spatial mapping as given: write the unrolling in spatial_mapping and remove the hint"),
        ("temporal_ordering", "this model searches the temporal ordering itself (LOMA, docs/model.md §2.2); remove it"),
    ] {
        if let Some(n) = f.get(key) {
            let empty = matches!(&n.value, Value::Seq(s) if s.is_empty()) || matches!(&n.value, Value::Map(m) if m.is_empty());
            if !empty {
                r.error(&sub(path, key), n.line, format!("not supported: {why}"));
            }
        }
    }
    if let Some(n) = f.get("core_allocation") {
        let one = match &n.value {
            Value::Int(1) => true,
            Value::Seq(s) => s.iter().all(|x| x.value == Value::Int(1)) && !s.is_empty(),
            _ => false,
        };
        if !one {
            r.error(
                &sub(path, "core_allocation"),
                n.line,
                format!(
                    "{} is not core 1; the model has one core (core_allocation: 1)",
                    show(n)
                ),
            );
        }
    }
    f.finish(ENTRY, r);
    let name = name?;
    (r.len() == n0).then_some(Entry {
        name,
        path: path.to_string(),
        line: node.line,
        spatial,
        links,
    })
}

/// One array dimension's list of `LOOP, N` (or `[LOOP, N]`).
fn unrollings(v: &Node, p: &str, r: &mut Report) -> Unrollings {
    let mut out = Vec::new();
    let Some(items) = seq_of(v, p, r) else {
        return out;
    };
    for (i, n) in items.iter().enumerate() {
        let ip = format!("{p}[{i}]");
        let parsed = match &n.value {
            Value::Str(s) => s.split_once(',').map(|(a, b)| {
                (
                    a.trim().to_string(),
                    Node {
                        line: n.line,
                        value: super::yaml::plain(b.trim()),
                    },
                )
            }),
            Value::Seq(pair) if pair.len() == 2 => match &pair[0].value {
                Value::Str(l) => Some((l.clone(), pair[1].clone())),
                _ => None,
            },
            _ => None,
        };
        let Some((lp, factor)) =
            parsed.filter(|(l, _)| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric()))
        else {
            r.error(
                &ip,
                n.line,
                format!(
                    "{} is not an unrolling; write `LOOP, N`, e.g. `K, 32`",
                    show(n)
                ),
            );
            continue;
        };
        let max = defines_model::limits::MAX_LOOP_SIZE;
        if let Some(u) = int_in(&factor, &ip, 1, max, "the model's loop-size bound", r) {
            out.push((lp.to_ascii_uppercase(), u, n.line, ip));
        }
    }
    out
}

/// The layer's spatial mapping: per array dimension the one loop it
/// unrolls by more than 1.
fn spatial(e: &Entry, id: i64, l: &Json, hw: &Hardware, r: &mut Report) -> Json {
    let mut sm = Map::new();
    for (dim, list) in &e.spatial {
        let ad = hw
            .array_dims
            .iter()
            .find(|d| d.name == *dim)
            .map_or(1, |d| d.size);
        let mut kept = Vec::new();
        for (lp, u, line, path) in list {
            let Some(ls) = l
                .pointer(&format!("/loop_dims/{lp}"))
                .and_then(Json::as_u64)
            else {
                if *u > 1 {
                    r.note(
                        path,
                        *line,
                        format!("layer {id} has no `{lp}` loop: {dim} unrolls nothing there"),
                    );
                }
                continue;
            };
            let f = (*u).min(ad).min(ls);
            if f > 1 {
                kept.push((lp.clone(), f, *line, path.clone()));
            }
        }
        match kept.as_slice() {
            [] => {}
            [(lp, f, ..)] => {
                sm.insert(dim.clone(), json!([lp, f]));
            }
            [(a, fa, line, path), (b, fb, ..), ..] => r.error(path, *line, format!("{dim} unrolls `{a}` by {fa} and `{b}` by {fb} for layer {id}; the model unrolls one loop per array dimension: keep one (or use another dimension)")),
        }
    }
    Json::Object(sm)
}

/// Sets the layer's memory-operand links from the entry's (an add keeps
/// both inputs in `I1`, as the model requires, §1.3).
fn set_links(e: &Entry, id: i64, l: &mut Json, r: &mut Report) {
    let Some(links) = l
        .get_mut("memory_operand_links")
        .and_then(Json::as_object_mut)
    else {
        return;
    };
    let get = |op: &str| {
        e.links
            .iter()
            .find(|(o, _)| o == op)
            .map(|(_, m)| m.clone())
    };
    let keys: Vec<String> = links.keys().cloned().collect();
    for k in keys {
        match (k.as_str(), get(&k)) {
            ("X" | "Y", _) => {
                if let Some(m) = get("W")
                    .filter(|m| m != "I1")
                    .or(get("I").filter(|m| m != "I1"))
                {
                    r.note(&sub(&e.path, "memory_operand_links"), e.line, format!("layer {id} is an element-wise add: both its inputs stay in I1 (not {m}); the model gives the second a copy of the I1 memories (docs/model.md §1.3, Q31)"));
                }
            }
            (_, Some(m)) => {
                links.insert(k, json!(m));
            }
            _ => {}
        }
    }
}
