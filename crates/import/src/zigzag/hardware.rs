//! A ZigZag accelerator (`name`, `memories`, `operational_array`) into the
//! hardware document (`defines-reference-hardware/1`).
//!
//! - `operational_array`: `unit_energy` → `unit.energy_pJ_per_op`,
//!   `dimensions` + `sizes` → `dimensions[] = {index, name, size}`,
//!   `unit_area` and `input_precision` kept as the informational `area`
//!   and `input_precision_bits`. In-memory computing (`is_imc`) is refused.
//! - `memories`, bottom-up in file order, one memory level each: `size`,
//!   `r_cost`, `w_cost`, `latency`, `area` → the instance fields; the
//!   ports give the port counts (`read` → `r_port`, `write` → `w_port`,
//!   `read_write` → `rw_port`), the widths (`bandwidth_max` of the read
//!   and read/write ports → `r_bw_bits_per_cycle`, of the write and
//!   read/write ports → `w_bw_bits_per_cycle`) and the granularities
//!   (`bandwidth_min` → `min_*_granularity_bits`, left out when it equals
//!   the width, as the presets write it); each `allocation` entry
//!   `OPERAND, DIR` becomes that operand's `port_alloc` direction;
//!   `served_dimensions` → one-hot vectors (`"all"` when every dimension
//!   is served).
//!
//! The model names a memory's ports `r_port_1..`, `w_port_1..`,
//! `rw_port_1..` in that order and gives every read port one width: ports
//! of one kind with different bandwidths, CACTI cost extraction
//! (`auto_cost_extraction`), `force_double_buffering` and several cores
//! (Stream's `cores:` list) cannot be represented and are refused.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use serde_json::{json, Map, Value as Json};

use super::fields::{bool_of, int_in, number_in, seq_of, show, str_of, sub, Fields, Report};
use super::ports::{check_widths, port_alloc, read_ports, Kind};
use super::yaml::{Node, Value};
use defines_model::limits;

const TOP: &[&str] = &["name", "memories", "operational_array", "dataflows"];
const ARRAY: &[&str] = &[
    "dimensions",
    "sizes",
    "unit_energy",
    "unit_area",
    "input_precision",
    "is_imc",
    "imc_type",
    "adc_resolution",
    "bit_serial_precision",
];
const MEMORY: &[&str] = &[
    "size",
    "r_cost",
    "w_cost",
    "area",
    "latency",
    "mem_type",
    "auto_cost_extraction",
    "operands",
    "ports",
    "served_dimensions",
    "force_double_buffering",
];
const OPERANDS: &[&str] = &["I1", "I2", "O"];
const ENERGY_WHY: &str = limits::MAX_ENERGY_WHY;

/// The hardware document of a ZigZag accelerator (`None` when anything
/// was reported).
pub(crate) fn convert(root: &Node, r: &mut Report) -> Option<Json> {
    let n0 = r.len();
    let mut top = Fields::new(root, "", r, "a ZigZag accelerator")?;
    if let Some(cores) = top.get("cores") {
        let n = match &cores.value {
            Value::Seq(s) => s.len(),
            Value::Map(m) => m.len(),
            _ => 1,
        };
        r.error(
            "cores",
            cores.line,
            format!(
                "{n} cores given (Stream's multi-core accelerator); ZigZag and this model have one core: give the one core's accelerator file (name, memories, operational_array)"
            ),
        );
        return None;
    }
    let name = top
        .req(
            "name",
            r,
            "the accelerator's name, e.g. `name: meta_prototype`",
        )
        .and_then(|n| str_of(n, "name", r));
    let oa = top.req(
        "operational_array",
        r,
        "the MAC array: unit_energy, dimensions, sizes",
    );
    let memories = top.req(
        "memories",
        r,
        "the memories from the MACs up to DRAM, each with size, costs, ports, operands",
    );
    if let Some(df) = top.get("dataflows") {
        r.note(
            "dataflows",
            df.line,
            "not used: ZigZag only generates spatial mappings from it; this model takes every spatial mapping from the mapping file".into(),
        );
    }
    top.finish(TOP, r);
    let (dims, unit) = read_array(oa?, r)?;
    let mems = Fields::new(memories?, "memories", r, "the memories by name")?.all();
    if mems.is_empty() {
        r.error(
            "memories",
            memories?.line,
            "no memories; list them from the MACs up to DRAM".into(),
        );
    }
    if mems.len() > limits::MAX_MEMORIES {
        r.error(
            "memories",
            memories?.line,
            limits::exceeded(
                "the number of memories",
                mems.len(),
                limits::MAX_MEMORIES,
                "no accelerator has more; merge some",
            ),
        );
        return None;
    }
    let mut levels = Vec::new();
    for (i, (mname, m)) in mems.iter().enumerate() {
        if let Some(l) = read_memory(i, mname, m, &dims, r) {
            levels.push(l);
        }
    }
    if r.len() > n0 {
        return None;
    }
    let dimensions: Vec<Json> = dims
        .iter()
        .enumerate()
        .map(|(i, (n, s))| json!({"index": i, "name": n, "size": s}))
        .collect();
    let mut doc = json!({
        "schema": "defines-reference-hardware/1",
        "name": name?,
        "cores": [{
            "id": 1,
            "operational_array": {"unit": unit, "dimensions": dimensions, "total_units": 0},
            "memory_levels": levels,
        }],
    });
    defines_model::refresh_informational(&mut doc);
    Some(doc)
}

/// `operational_array`: its dimensions `(name, size)` and the unit object.
fn read_array(node: &Node, r: &mut Report) -> Option<(Vec<(String, u64)>, Json)> {
    let n0 = r.len();
    let mut f = Fields::new(node, "operational_array", r, "the MAC array")?;
    let imc = f
        .get("is_imc")
        .and_then(|n| bool_of(n, &sub("operational_array", "is_imc"), r));
    if imc == Some(true) {
        r.error(
            &f.sub("is_imc"),
            f.line,
            "in-memory computing arrays are not part of the DeFiNES model; describe a digital MAC array (is_imc: false)".into(),
        );
    }
    for key in ["imc_type", "bit_serial_precision"] {
        if let Some(n) = f.get(key) {
            r.error(&f.sub(key), n.line, format!("{} is set, an in-memory computing property; remove it (the model has digital MAC arrays only)", show(n)));
        }
    }
    if let Some(n) = f.get("adc_resolution") {
        if !matches!(n.value, Value::Int(0)) && n.value != Value::Float(0.0) {
            r.error(
                &f.sub("adc_resolution"),
                n.line,
                format!(
                    "{} is set, an in-memory computing property; remove it",
                    show(n)
                ),
            );
        }
    }
    let dim_path = f.sub("dimensions");
    let names: Vec<(String, usize)> = f
        .req("dimensions", r, "the array dimension names, e.g. [D1, D2]")
        .and_then(|n| seq_of(n, &dim_path, r))
        .map(|items| {
            items
                .iter()
                .enumerate()
                .filter_map(|(i, n)| {
                    str_of(n, &format!("{dim_path}[{i}]"), r).map(|s| (s.to_string(), n.line))
                })
                .collect()
        })
        .unwrap_or_default();
    let size_path = f.sub("sizes");
    let sizes: Vec<u64> = f
        .req(
            "sizes",
            r,
            "the size of each array dimension, e.g. [32, 32]",
        )
        .and_then(|n| seq_of(n, &size_path, r))
        .map(|items| {
            items
                .iter()
                .enumerate()
                .filter_map(|(i, n)| {
                    let why = "no real array is larger along one dimension";
                    int_in(
                        n,
                        &format!("{size_path}[{i}]"),
                        1,
                        limits::MAX_ARRAY_DIM_SIZE,
                        why,
                        r,
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let energy = f
        .req(
            "unit_energy",
            r,
            "the energy of one MAC in pJ, e.g. `unit_energy: 0.04`",
        )
        .and_then(|n| {
            number_in(
                n,
                &sub("operational_array", "unit_energy"),
                limits::MAX_ENERGY_PJ,
                ENERGY_WHY,
                r,
            )
        });
    let area = f.get("unit_area").cloned();
    let precision = f.get("input_precision").cloned();
    f.finish(ARRAY, r);
    if names.len() > limits::MAX_ARRAY_DIMS {
        r.error(
            &dim_path,
            node.line,
            limits::exceeded(
                "the number of array dimensions",
                names.len(),
                limits::MAX_ARRAY_DIMS,
                "spatial unrolling is searched over them",
            ),
        );
    }
    if r.len() > n0 {
        return None;
    }
    if names.len() != sizes.len() || names.is_empty() {
        r.error(
            &size_path,
            node.line,
            format!(
                "{} dimensions and {} sizes given; give one size per dimension (and at least one dimension)",
                names.len(),
                sizes.len()
            ),
        );
        return None;
    }
    for (i, (n, line)) in names.iter().enumerate() {
        if names[..i].iter().any(|(m, _)| m == n) {
            r.error(
                &format!("{dim_path}[{i}]"),
                *line,
                format!("the dimension `{n}` is listed twice; name each dimension once"),
            );
        }
    }
    let mut unit = Map::new();
    unit.insert("type".into(), json!("multiplier"));
    if let Some(p) = precision.as_ref().and_then(|n| match &n.value {
        Value::Seq(s) => s
            .iter()
            .map(|x| match x.value {
                Value::Int(i) => Some(i),
                _ => None,
            })
            .collect::<Option<Vec<i64>>>(),
        _ => None,
    }) {
        unit.insert("input_precision_bits".into(), json!(p));
    }
    unit.insert("energy_pJ_per_op".into(), json!(energy?));
    if let Some(Value::Int(_) | Value::Float(_)) = area.as_ref().map(|a| &a.value) {
        let a = match area.map(|a| a.value) {
            Some(Value::Int(i)) => json!(i),
            Some(Value::Float(x)) if x.is_finite() => json!(x),
            _ => json!(null),
        };
        unit.insert("area".into(), a);
    }
    let dims = names.into_iter().map(|(n, _)| n).zip(sizes).collect();
    Some((dims, Json::Object(unit)))
}

/// One memory into a `memory_levels` entry.
fn read_memory(
    index: usize,
    mname: &str,
    node: &Node,
    dims: &[(String, u64)],
    r: &mut Report,
) -> Option<Json> {
    let n0 = r.len();
    let path = sub("memories", mname);
    let mut f = Fields::new(node, &path, r, "a memory")?;
    let size_why = "2^50 bits (128 TiB) is larger than any memory";
    let size = f
        .req("size", r, "the capacity in bits, e.g. `size: 524288`")
        .and_then(|n| int_in(n, &f.sub("size"), 1, limits::MAX_MEMORY_BITS, size_why, r));
    let cost = |f: &mut Fields, key: &str, what: &str, r: &mut Report| {
        let hint = format!("the energy of one full-width {what} in pJ, e.g. `{key}: 26.56` (CACTI's automatic costs are not available here)");
        let p = f.sub(key);
        f.req(key, r, &hint)
            .and_then(|n| number_in(n, &p, limits::MAX_ENERGY_PJ, ENERGY_WHY, r))
    };
    let r_cost = cost(&mut f, "r_cost", "read", r);
    let w_cost = cost(&mut f, "w_cost", "write", r);
    let latency = f
        .req(
            "latency",
            r,
            "the access latency in cycles, e.g. `latency: 1`",
        )
        .and_then(|n| {
            int_in(
                n,
                &f.sub("latency"),
                0,
                limits::MAX_MEMORY_LATENCY_CYCLES,
                "no memory answers slower",
                r,
            )
        });
    let area = f.get("area").map(|n| match n.value {
        Value::Int(i) => json!(i),
        Value::Float(x) if x.is_finite() => json!(x),
        _ => json!(0),
    });
    f.get("mem_type");
    for (key, why) in [
        ("auto_cost_extraction", "CACTI is not available here: give r_cost, w_cost and area"),
        ("force_double_buffering", "the model decides double buffering itself from the memory's use (docs/model.md §2.9.1): remove it"),
    ] {
        let p = f.sub(key);
        if let Some(n) = f.get(key) {
            if bool_of(n, &p, r) == Some(true) {
                r.error(&p, n.line, format!("true is not supported: {why}"));
            }
        }
    }
    let operands = read_operands(&mut f, r);
    let served = read_served(&mut f, dims, r);
    let ports_node = f.req(
        "ports",
        r,
        "the memory's ports, each with name, type, bandwidth_min, bandwidth_max, allocation",
    );
    f.finish(MEMORY, r);
    let ports = read_ports(ports_node?, &sub(&path, "ports"), r)?;
    let operands = operands?;
    let port_alloc = port_alloc(&ports, &operands, &sub(&path, "ports"), r);
    if r.len() > n0 {
        return None;
    }
    let group = |kinds: &[Kind]| -> Option<(u64, u64)> {
        ports
            .iter()
            .find(|p| kinds.contains(&p.kind))
            .map(|p| (p.bw_max, p.bw_min))
    };
    check_widths(&ports, &sub(&path, "ports"), node.line, r)?;
    let count = |k: Kind| ports.iter().filter(|p| p.kind == k).count();
    let (r_bw, r_min) = group(&[Kind::R, Kind::Rw]).or(group(&[Kind::W]))?;
    let (w_bw, w_min) = group(&[Kind::W, Kind::Rw]).unwrap_or((r_bw, r_min));
    let gran = |min: u64, bw: u64| if min == bw { json!(null) } else { json!(min) };
    let mut level = Map::new();
    level.insert("level_index_in_file_order".into(), json!(index));
    level.insert(
        "instance".into(),
        json!({
            "name": mname,
            "size_bits": size?,
            "r_bw_bits_per_cycle": r_bw,
            "w_bw_bits_per_cycle": w_bw,
            "r_cost_pJ_per_access": r_cost?,
            "w_cost_pJ_per_access": w_cost?,
            "area": area.unwrap_or(json!(0)),
            "r_port": count(Kind::R),
            "w_port": count(Kind::W),
            "rw_port": count(Kind::Rw),
            "latency_cycles": latency?,
            "min_r_granularity_bits": gran(r_min, r_bw),
            "min_w_granularity_bits": gran(w_min, w_bw),
            "effective_min_r_bits": r_min,
            "effective_min_w_bits": w_min,
        }),
    );
    level.insert(
        "operands".into(),
        json!(operands.iter().map(|(o, _)| o).collect::<Vec<_>>()),
    );
    level.insert("level_of_operand".into(), json!({}));
    level.insert("port_alloc".into(), Json::Array(port_alloc));
    level.insert("served_dimensions".into(), served?);
    level.insert("served_dimension_names".into(), json!([]));
    level.insert("unroll_count".into(), json!(0));
    level.insert("ports".into(), json!([]));
    Some(Json::Object(level))
}

/// `operands`: memory operands `I1`, `I2`, `O`, each once.
fn read_operands(f: &mut Fields, r: &mut Report) -> Option<Vec<(String, usize)>> {
    let p = f.sub("operands");
    let items = seq_of(
        f.req("operands", r, "the memory operands it holds, e.g. [I1, O]")?,
        &p,
        r,
    )?;
    let mut out: Vec<(String, usize)> = Vec::new();
    for (i, n) in items.iter().enumerate() {
        let ip = format!("{p}[{i}]");
        let Some(s) = str_of(n, &ip, r) else { continue };
        if !OPERANDS.contains(&s) {
            r.error(&ip, n.line, format!("unknown memory operand `{s}`; ZigZag's memory operands are I1 (activations), I2 (weights) and O (outputs)"));
        } else if out.iter().any(|(o, _)| o == s) {
            r.error(&ip, n.line, format!("`{s}` is listed twice; list it once"));
        } else {
            out.push((s.to_string(), n.line));
        }
    }
    if out.is_empty() && !items.is_empty() {
        return None;
    }
    if items.is_empty() {
        r.error(
            &p,
            f.line,
            "the memory holds no operand; list at least one of I1, I2, O".into(),
        );
        return None;
    }
    Some(out)
}

/// `served_dimensions`: array dimension names into one-hot vectors.
fn read_served(f: &mut Fields, dims: &[(String, u64)], r: &mut Report) -> Option<Json> {
    let p = f.sub("served_dimensions");
    let items = seq_of(f.req("served_dimensions", r, "the array dimensions one instance serves, e.g. [D1, D2] (or [] for one instance per MAC)")?, &p, r)?;
    let mut served: Vec<usize> = Vec::new();
    let names: Vec<&str> = dims.iter().map(|(n, _)| n.as_str()).collect();
    for (i, n) in items.iter().enumerate() {
        let ip = format!("{p}[{i}]");
        let Some(s) = str_of(n, &ip, r) else { continue };
        match names.iter().position(|d| *d == s) {
            Some(k) if served.contains(&k) => {
                r.error(&ip, n.line, format!("`{s}` is listed twice; list it once"))
            }
            Some(k) => served.push(k),
            None => r.error(
                &ip,
                n.line,
                format!(
                    "unknown array dimension `{s}`; the operational array has {}",
                    names.join(", ")
                ),
            ),
        }
    }
    if served.len() == dims.len() {
        return Some(json!("all"));
    }
    let vectors: Vec<Json> = served
        .iter()
        .map(|&k| {
            json!((0..dims.len())
                .map(|j| u8::from(j == k))
                .collect::<Vec<_>>())
        })
        .collect();
    Some(Json::Array(vectors))
}
