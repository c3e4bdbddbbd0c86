//! Hardware input (`defines-reference-hardware/1`, see
//! `presets/REFERENCE-README.md`) and the accelerator model the cost model
//! runs on (docs/model.md §1.2), with the trimming operations of the depth-first
//! stage (§1.3).
//!
//! Schema (fields the model reads; informational fields such as `area`,
//! `paper_name`, `ports`, `unroll_count` are accepted and ignored, any other
//! field is an error):
//! - `cores[0].operational_array.unit.energy_pJ_per_op`, MAC energy (pJ);
//! - `cores[0].operational_array.dimensions[] = {name, size}`;
//! - `cores[0].memory_levels[]`, bottom-up insertion order, each with
//!   `instance` (`name`, `size_bits`, `r_bw_bits_per_cycle`,
//!   `w_bw_bits_per_cycle`, `r_cost_pJ_per_access`, `w_cost_pJ_per_access`,
//!   `r_port`, `w_port`, `rw_port`, `latency_cycles`, optional
//!   `min_r_granularity_bits`, `min_w_granularity_bits`), `operands`,
//!   `port_alloc[] = {operand, fh, tl, fl, th}` and `served_dimensions`
//!   (`"all"` or a list of 0/1 vectors over the array dimensions).

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use serde_json::Value;

use crate::diag::Diagnostic;
use crate::input::json::{as_array, as_str, as_u64, parse_value, Diags, Obj};
use crate::limits;

/// One transfer direction of a memory level for one memory operand
/// (docs/model.md §1.2.3). The discriminant is the index used in tables.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Dir {
    /// `tl`: read towards the level below.
    RdOutToLow = 0,
    /// `fl`: written from the level below (outputs).
    WrInByLow = 1,
    /// `th`: read towards the level above (outputs).
    RdOutToHigh = 2,
    /// `fh`: written from the level above.
    WrInByHigh = 3,
}

impl Dir {
    pub const ALL: [Dir; 4] = [
        Dir::RdOutToLow,
        Dir::WrInByLow,
        Dir::RdOutToHigh,
        Dir::WrInByHigh,
    ];
    /// Order in which a `port_alloc` entry attaches functions to ports.
    pub const ALLOC_ORDER: [Dir; 4] = [
        Dir::WrInByHigh,
        Dir::RdOutToLow,
        Dir::WrInByLow,
        Dir::RdOutToHigh,
    ];

    pub fn is_read(self) -> bool {
        matches!(self, Dir::RdOutToLow | Dir::RdOutToHigh)
    }
    pub fn name(self) -> &'static str {
        match self {
            Dir::RdOutToLow => "rd_out_to_low",
            Dir::WrInByLow => "wr_in_by_low",
            Dir::RdOutToHigh => "rd_out_to_high",
            Dir::WrInByHigh => "wr_in_by_high",
        }
    }
    fn alloc_key(self) -> &'static str {
        match self {
            Dir::RdOutToLow => "tl",
            Dir::WrInByLow => "fl",
            Dir::RdOutToHigh => "th",
            Dir::WrInByHigh => "fh",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PortKind {
    R,
    W,
    Rw,
}

/// A function served by a port: (memory operand index, level index of that
/// operand, direction).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PortFn {
    pub mem_op: usize,
    pub level: usize,
    pub dir: Dir,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Port {
    pub name: String,
    pub kind: PortKind,
    /// Width (a `rw` port uses the read width, Q22).
    pub bw_bits: u64,
    pub bw_min_bits: u64,
    /// Functions in attachment order (§2.9.3).
    pub serves: Vec<PortFn>,
}

/// One memory operand stored in a level, with its port per direction
/// (indexed by `Dir as usize`).
#[derive(Clone, Debug, PartialEq)]
pub struct OperandSlot {
    pub mem_op: usize,
    pub ports: [Option<usize>; 4],
}

#[derive(Clone, Debug, PartialEq)]
pub struct MemoryLevel {
    pub name: String,
    pub size_bits: u64,
    pub r_bw_bits: u64,
    pub w_bw_bits: u64,
    pub r_cost_pj: f64,
    pub w_cost_pj: f64,
    pub r_min_bits: u64,
    pub w_min_bits: u64,
    pub latency_cycles: u64,
    /// Per array dimension: served by one instance of this level.
    pub served: Vec<bool>,
    /// Number of physical instances (product of the unserved dimensions).
    pub unroll_count: u64,
    /// Stored memory operands in their listed order.
    pub slots: Vec<OperandSlot>,
    /// Ports in the order `r_port_*`, `w_port_*`, `rw_port_*`.
    pub ports: Vec<Port>,
}

impl MemoryLevel {
    pub fn stores(&self, mem_op: usize) -> bool {
        self.slots.iter().any(|s| s.mem_op == mem_op)
    }
    pub fn slot(&self, mem_op: usize) -> Option<&OperandSlot> {
        self.slots.iter().find(|s| s.mem_op == mem_op)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct ArrayDim {
    pub name: String,
    pub size: u64,
}

/// An accelerator (one core), possibly trimmed (§1.3).
#[derive(Clone, Debug, PartialEq)]
pub struct Hardware {
    pub name: String,
    pub array_dims: Vec<ArrayDim>,
    pub mac_energy_pj: f64,
    /// Memory operand names (`I1`, `I2`, `O`), in order of first appearance.
    pub mem_ops: Vec<String>,
    /// Memory levels in insertion order (bottom-up per operand).
    pub levels: Vec<MemoryLevel>,
}

impl Hardware {
    /// Number of MAC units.
    pub fn total_units(&self) -> u64 {
        self.array_dims
            .iter()
            .fold(1u64, |a, d| a.saturating_mul(d.size))
    }

    pub fn mem_op_index(&self, name: &str) -> Option<usize> {
        self.mem_ops.iter().position(|m| m == name)
    }

    /// Physical level indices that store `mem_op`, bottom-up.
    pub fn levels_of(&self, mem_op: usize) -> Vec<usize> {
        (0..self.levels.len())
            .filter(|&i| self.levels[i].stores(mem_op))
            .collect()
    }

    /// Index of a memory level by instance name.
    pub fn level_index(&self, name: &str) -> Option<usize> {
        self.levels.iter().position(|l| l.name == name)
    }

    /// Parses and checks a hardware document; every problem is reported.
    pub fn from_json(text: &str) -> Result<Hardware, Vec<Diagnostic>> {
        let v = parse_value(text, "hardware", "hardware")?;
        Hardware::from_value(&v)
    }

    /// Like [`Hardware::from_json`], from an already parsed value.
    pub fn from_value(v: &Value) -> Result<Hardware, Vec<Diagnostic>> {
        let mut d = Diags::new();
        let hw = read_hardware(v, &mut d);
        match hw {
            Some(h) if d.is_empty() => Ok(h),
            _ => {
                if d.is_empty() {
                    d.push(Diagnostic::new(
                        "hardware",
                        "the hardware could not be read; check its structure",
                    ));
                }
                Err(d)
            }
        }
    }
}

const SCHEMA: &str = "defines-reference-hardware/1";

fn read_hardware(v: &Value, d: &mut Diags) -> Option<Hardware> {
    let mut top = Obj::new(v, "hardware", d)?;
    top.allow(&[
        "paper_name",
        "variant",
        "baseline_of_family",
        "workload_mapping_folder",
        "memory_operand_convention",
        "global_buffer",
    ]);
    if let Some(s) = top.opt("schema") {
        let p = top.sub("schema");
        if let Some(s) = as_str(s, &p, d) {
            if s != SCHEMA {
                d.push(Diagnostic::new(
                    p,
                    format!("unknown schema `{s}`; use `{SCHEMA}`"),
                ));
            }
        }
    }
    let name = top.req_str("name", d).unwrap_or("").to_string();
    let cores = top.req_array("cores", d);
    let cores_path = top.sub("cores");
    top.finish(d);
    let cores = cores?;
    if cores.len() != 1 {
        d.push(Diagnostic::new(
            cores_path.clone(),
            format!(
                "{} cores given; the model supports exactly one core, keep one",
                cores.len()
            ),
        ));
    }
    let core = cores.first()?;
    let mut c = Obj::new(core, format!("{cores_path}[0]"), d)?;
    c.allow(&["id", "operand_hierarchy_bottom_to_top"]);
    let oa = c.req("operational_array", d);
    let oa_path = c.sub("operational_array");
    let ml = c.req_array("memory_levels", d);
    let ml_path = c.sub("memory_levels");
    c.finish(d);

    let (array_dims, mac_energy_pj) = read_array(oa?, &oa_path, d)?;
    let ml = ml?;
    if ml.len() > limits::MAX_MEMORIES {
        d.push(Diagnostic::new(
            ml_path.clone(),
            limits::exceeded(
                "the number of memory levels",
                ml.len(),
                limits::MAX_MEMORIES,
                "no accelerator has more; merge some",
            ),
        ));
        return None;
    }
    if ml.is_empty() {
        d.push(Diagnostic::new(
            ml_path.clone(),
            "no memory levels; add at least one memory (e.g. a DRAM) per operand",
        ));
    }
    let mut hw = Hardware {
        name,
        array_dims,
        mac_energy_pj,
        mem_ops: Vec::new(),
        levels: Vec::new(),
    };
    for (i, lv) in ml.iter().enumerate() {
        if let Some(l) = read_level(lv, &format!("{ml_path}[{i}]"), &mut hw, d) {
            hw.levels.push(l);
        }
    }
    // Names must be unique (they key results and trimming).
    for (i, l) in hw.levels.iter().enumerate() {
        if hw.levels[..i].iter().any(|o| o.name == l.name) {
            d.push(Diagnostic::new(
                format!("{ml_path}[{i}].instance.name"),
                format!(
                    "memory name `{}` is used twice; give every memory a unique name",
                    l.name
                ),
            ));
        }
    }
    for (m, name) in hw.mem_ops.iter().enumerate() {
        if hw.levels_of(m).is_empty() && d.is_empty() {
            d.push(Diagnostic::new(
                ml_path.clone(),
                format!("memory operand `{name}` is stored in no memory; add it to a memory's `operands`"),
            ));
        }
    }
    Some(hw)
}

fn read_array(v: &Value, path: &str, d: &mut Diags) -> Option<(Vec<ArrayDim>, f64)> {
    let mut o = Obj::new(v, path, d)?;
    o.allow(&[
        "total_units",
        "operand_spatial_sharing",
        "operand_spatial_sharing_note",
        "intended_dimension_unrolling_from_comment",
    ]);
    let unit = o.req("unit", d);
    let unit_path = o.sub("unit");
    let dims = o.req_array("dimensions", d);
    let dims_path = o.sub("dimensions");
    o.finish(d);
    let mut e = None;
    if let Some(u) = unit {
        if let Some(mut u) = Obj::new(u, unit_path, d) {
            u.allow(&[
                "type",
                "input_precision_bits",
                "output_precision_bits",
                "area",
            ]);
            e = u.req_energy("energy_pJ_per_op", d);
            u.finish(d);
        }
    }
    let mut out = Vec::new();
    if let Some(dims) = dims {
        if dims.len() > limits::MAX_ARRAY_DIMS {
            d.push(Diagnostic::new(
                dims_path.clone(),
                limits::exceeded(
                    "the number of array dimensions",
                    dims.len(),
                    limits::MAX_ARRAY_DIMS,
                    "spatial unrolling is searched over them",
                ),
            ));
            return None;
        }
        if dims.is_empty() {
            d.push(Diagnostic::new(
                dims_path.clone(),
                "no array dimensions; add at least one {name, size}",
            ));
        }
        for (i, dv) in dims.iter().enumerate() {
            let p = format!("{dims_path}[{i}]");
            if let Some(mut o) = Obj::new(dv, p.clone(), d) {
                o.allow(&["index"]);
                let name = o.req_str("name", d);
                let size = o.req_u64_in(
                    "size",
                    1,
                    limits::MAX_ARRAY_DIM_SIZE,
                    "no real array is larger along one dimension",
                    d,
                );
                o.finish(d);
                if let (Some(name), Some(size)) = (name, size) {
                    if out.iter().any(|a: &ArrayDim| a.name == name) {
                        d.push(Diagnostic::new(
                            format!("{p}.name"),
                            format!("array dimension `{name}` is listed twice; give each dimension a unique name"),
                        ));
                    }
                    out.push(ArrayDim {
                        name: name.to_string(),
                        size,
                    });
                }
            }
        }
    }
    Some((out, e?))
}

fn mem_op_id(hw: &mut Hardware, name: &str) -> usize {
    match hw.mem_op_index(name) {
        Some(i) => i,
        None => {
            hw.mem_ops.push(name.to_string());
            hw.mem_ops.len() - 1
        }
    }
}

fn read_level(v: &Value, path: &str, hw: &mut Hardware, d: &mut Diags) -> Option<MemoryLevel> {
    let n0 = d.len();
    let mut o = Obj::new(v, path, d)?;
    o.allow(&[
        "level_index_in_file_order",
        "level_of_operand",
        "served_dimension_names",
        "unroll_count",
        "ports",
    ]);
    let inst = o.req("instance", d);
    let inst_path = o.sub("instance");
    let operands = o.req_array("operands", d);
    let ops_path = o.sub("operands");
    let port_alloc = o.req_array("port_alloc", d);
    let pa_path = o.sub("port_alloc");
    let served = o.req("served_dimensions", d);
    let served_path = o.sub("served_dimensions");
    o.finish(d);

    let mut io = Obj::new(inst?, inst_path, d)?;
    io.allow(&[
        "area",
        "bank",
        "random_bank_access",
        "effective_min_r_bits",
        "effective_min_w_bits",
    ]);
    let name = io.req_str("name", d).unwrap_or("").to_string();
    const SIZE_WHY: &str = "2^50 bits (128 TiB) is larger than any memory";
    const BW_WHY: &str = "2^32 bits per cycle is wider than any port";
    const PORTS_WHY: &str = "a memory has at most 64 ports in all";
    let size_bits = io.req_u64_in("size_bits", 1, limits::MAX_MEMORY_BITS, SIZE_WHY, d);
    let r_bw = io.req_u64_in(
        "r_bw_bits_per_cycle",
        1,
        limits::MAX_BANDWIDTH_BITS,
        BW_WHY,
        d,
    );
    let w_bw = io.req_u64_in(
        "w_bw_bits_per_cycle",
        1,
        limits::MAX_BANDWIDTH_BITS,
        BW_WHY,
        d,
    );
    let r_cost = io.req_energy("r_cost_pJ_per_access", d);
    let w_cost = io.req_energy("w_cost_pJ_per_access", d);
    let max_ports = limits::MAX_PORTS_PER_MEMORY;
    let n_r = io.req_u64_in("r_port", 0, max_ports, PORTS_WHY, d);
    let n_w = io.req_u64_in("w_port", 0, max_ports, PORTS_WHY, d);
    let n_rw = io.req_u64_in("rw_port", 0, max_ports, PORTS_WHY, d);
    let latency = io
        .opt_u64_in(
            "latency_cycles",
            0,
            limits::MAX_MEMORY_LATENCY_CYCLES,
            "no memory answers slower",
            d,
        )
        .unwrap_or(1);
    let r_min = io.opt_u64_in(
        "min_r_granularity_bits",
        1,
        limits::MAX_BANDWIDTH_BITS,
        BW_WHY,
        d,
    );
    let w_min = io.opt_u64_in(
        "min_w_granularity_bits",
        1,
        limits::MAX_BANDWIDTH_BITS,
        BW_WHY,
        d,
    );
    let ipath = io.path.clone();
    io.finish(d);
    let (r_bw, w_bw) = (r_bw?, w_bw?);
    let (n_r, n_w, n_rw) = (n_r?, n_w?, n_rw?);
    let r_min = r_min.unwrap_or(r_bw);
    let w_min = w_min.unwrap_or(w_bw);
    // Each count is at most 64 here, so the sum cannot overflow.
    if n_r + n_w + n_rw == 0 {
        d.push(Diagnostic::new(
            format!("{ipath}.rw_port"),
            "the memory has no port; give it at least one r_port/w_port or rw_port",
        ));
    }
    if n_r + n_w + n_rw > limits::MAX_PORTS_PER_MEMORY {
        d.push(Diagnostic::new(
            format!("{ipath}.r_port"),
            limits::exceeded(
                "r_port + w_port + rw_port:",
                n_r + n_w + n_rw,
                limits::MAX_PORTS_PER_MEMORY,
                "use fewer ports",
            ),
        ));
        return None;
    }
    let mut ports = Vec::new();
    for (kind, n, prefix) in [
        (PortKind::R, n_r, "r_port"),
        (PortKind::W, n_w, "w_port"),
        (PortKind::Rw, n_rw, "rw_port"),
    ] {
        for k in 1..=n {
            let (bw, bw_min) = match kind {
                PortKind::W => (w_bw, w_min),
                _ => (r_bw, r_min),
            };
            ports.push(Port {
                name: format!("{prefix}_{k}"),
                kind,
                bw_bits: bw,
                bw_min_bits: bw_min,
                serves: Vec::new(),
            });
        }
    }

    // served dimensions
    let nd = hw.array_dims.len();
    let mut served_v = alloc::vec![false; nd];
    match served? {
        Value::String(s) if s == "all" => served_v.iter_mut().for_each(|x| *x = true),
        Value::Array(vs) => {
            for (i, vec) in vs.iter().enumerate() {
                let p = format!("{served_path}[{i}]");
                if let Some(arr) = as_array(vec, &p, d) {
                    if arr.len() != nd {
                        d.push(Diagnostic::new(
                            p.clone(),
                            format!(
                                "served-dimension vector has {} entries but the array has {nd} dimensions; write one 0/1 entry per array dimension",
                                arr.len()
                            ),
                        ));
                        continue;
                    }
                    for (k, e) in arr.iter().enumerate() {
                        match as_u64(e, &format!("{p}[{k}]"), 0, d) {
                            Some(0) => {}
                            Some(1) => served_v[k] = true,
                            Some(x) => d.push(Diagnostic::new(
                                format!("{p}[{k}]"),
                                format!("entry {x} is not 0 or 1; mark served dimensions with 1"),
                            )),
                            None => {}
                        }
                    }
                }
            }
        }
        other => d.push(Diagnostic::new(
            served_path.clone(),
            format!(
                "expected \"all\" or a list of 0/1 vectors, found {}",
                crate::input::json::short(other)
            ),
        )),
    }
    let unroll_count = hw
        .array_dims
        .iter()
        .zip(&served_v)
        .filter(|(_, s)| !**s)
        .fold(1u64, |a, (dim, _)| a.saturating_mul(dim.size));

    // operands and port allocation
    let mut slots: Vec<OperandSlot> = Vec::new();
    let mut op_names: Vec<String> = Vec::new();
    for (i, ov) in operands?.iter().enumerate() {
        let p = format!("{ops_path}[{i}]");
        if let Some(s) = as_str(ov, &p, d) {
            if op_names.iter().any(|x| x == s) {
                d.push(Diagnostic::new(
                    p,
                    format!("operand `{s}` listed twice; list it once"),
                ));
                continue;
            }
            if s.is_empty() {
                d.push(Diagnostic::new(p, "empty operand name; use I1, I2 or O"));
                continue;
            }
            op_names.push(s.to_string());
        }
    }
    if op_names.is_empty() {
        d.push(Diagnostic::new(
            ops_path.clone(),
            "the memory stores no operand; list at least one of I1, I2, O",
        ));
    }
    let pa = port_alloc?;
    for name in &op_names {
        let mo = mem_op_id(hw, name);
        slots.push(OperandSlot {
            mem_op: mo,
            ports: [None; 4],
        });
        if !pa
            .iter()
            .any(|e| e.get("operand").and_then(Value::as_str) == Some(name.as_str()))
        {
            d.push(Diagnostic::new(
                pa_path.clone(),
                format!("no port_alloc entry for operand `{name}`; add {{\"operand\": \"{name}\", \"fh\": ..., \"tl\": ..., \"fl\": ..., \"th\": ...}}"),
            ));
        }
    }
    // level index of each stored operand = number of lower levels storing it
    for (i, e) in pa.iter().enumerate() {
        let p = format!("{pa_path}[{i}]");
        let Some(mut eo) = Obj::new(e, p.clone(), d) else {
            continue;
        };
        let opn = eo.req_str("operand", d);
        let mut assigned: [Option<usize>; 4] = [None; 4];
        for dir in Dir::ALLOC_ORDER {
            let key = dir.alloc_key();
            if let Some(pv) = eo.opt(key) {
                let pp = eo.sub(key);
                if let Some(pname) = as_str(pv, &pp, d) {
                    match ports.iter().position(|pt| pt.name == pname) {
                        Some(k) => {
                            let ok = match ports[k].kind {
                                PortKind::R => dir.is_read(),
                                PortKind::W => !dir.is_read(),
                                PortKind::Rw => true,
                            };
                            if ok {
                                assigned[dir as usize] = Some(k);
                            } else {
                                d.push(Diagnostic::new(
                                    pp,
                                    format!(
                                        "port `{pname}` cannot {}; use a {} port",
                                        if dir.is_read() { "read" } else { "write" },
                                        if dir.is_read() {
                                            "r_port_* or rw_port_*"
                                        } else {
                                            "w_port_* or rw_port_*"
                                        }
                                    ),
                                ));
                            }
                        }
                        None => d.push(Diagnostic::new(
                            pp,
                            format!(
                                "unknown port `{pname}`; the memory has {}",
                                ports
                                    .iter()
                                    .map(|p| p.name.as_str())
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ),
                        )),
                    }
                }
            }
        }
        eo.finish(d);
        let Some(opn) = opn else { continue };
        match op_names.iter().position(|n| n == opn) {
            Some(k) => {
                if assigned[Dir::RdOutToLow as usize].is_none() {
                    d.push(Diagnostic::new(
                        format!("{p}.tl"),
                        format!("operand `{opn}` has no port to read towards the level below; set `tl` to a read port"),
                    ));
                }
                slots[k].ports = assigned;
            }
            None => d.push(Diagnostic::new(
                format!("{p}.operand"),
                format!("operand `{opn}` is not stored in this memory; add it to `operands` or remove this entry"),
            )),
        }
    }
    // attach functions to ports in slot order, directions fh, tl, fl, th
    for slot in &slots {
        let level_idx = hw.levels.iter().filter(|l| l.stores(slot.mem_op)).count();
        for dir in Dir::ALLOC_ORDER {
            if let Some(k) = slot.ports[dir as usize] {
                ports[k].serves.push(PortFn {
                    mem_op: slot.mem_op,
                    level: level_idx,
                    dir,
                });
            }
        }
    }
    if d.len() > n0 {
        return None;
    }
    Some(MemoryLevel {
        name,
        size_bits: size_bits?,
        r_bw_bits: r_bw,
        w_bw_bits: w_bw,
        r_cost_pj: r_cost?,
        w_cost_pj: w_cost?,
        r_min_bits: r_min,
        w_min_bits: w_min,
        latency_cycles: latency,
        served: served_v,
        unroll_count,
        slots,
        ports,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::presets;

    #[test]
    fn every_preset_loads() {
        for (name, text) in presets::HARDWARE {
            let h = Hardware::from_json(text).unwrap_or_else(|e| panic!("{name}: {e:?}"));
            assert!(!h.levels.is_empty(), "{name}");
        }
    }

    /// The derived port functions equal the `serves` lists of the file.
    #[test]
    fn port_functions_match_file() {
        for (name, text) in presets::HARDWARE {
            let h = Hardware::from_json(text).unwrap();
            let v: Value = serde_json::from_str(text).unwrap();
            let levels = v["cores"][0]["memory_levels"].as_array().unwrap();
            for (l, lv) in h.levels.iter().zip(levels) {
                assert_eq!(
                    l.unroll_count,
                    lv["unroll_count"].as_u64().unwrap(),
                    "{name} {}",
                    l.name
                );
                let ports = lv["ports"].as_array().unwrap();
                assert_eq!(l.ports.len(), ports.len());
                for (p, pv) in l.ports.iter().zip(ports) {
                    assert_eq!(p.name, pv["name"].as_str().unwrap());
                    let want: Vec<(String, u64, String)> = pv["serves"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|f| {
                            (
                                f[0].as_str().unwrap().to_string(),
                                f[1].as_u64().unwrap(),
                                f[2].as_str().unwrap().to_string(),
                            )
                        })
                        .collect();
                    let got: Vec<(String, u64, String)> = p
                        .serves
                        .iter()
                        .map(|f| {
                            (
                                h.mem_ops[f.mem_op].clone(),
                                f.level as u64,
                                f.dir.name().to_string(),
                            )
                        })
                        .collect();
                    assert_eq!(got, want, "{name} {} {}", l.name, p.name);
                }
            }
        }
    }

    #[test]
    fn remove_top_and_duplicate() {
        let mut h = Hardware::from_json(presets::hardware("Meta_prototype_DF").unwrap()).unwrap();
        let i1 = h.mem_op_index("I1").unwrap();
        assert_eq!(h.levels_of(i1).len(), 3);
        assert!(h.trim_to("I1", "sram_1MB_A"));
        assert_eq!(h.levels_of(i1).len(), 2);
        let dram = h.level_index("dram").unwrap();
        assert!(h.levels[dram].ports[0]
            .serves
            .iter()
            .all(|f| f.mem_op != i1));
        h.duplicate_for_add("I1", "I2");
        let i2 = h.mem_op_index("I2").unwrap();
        let names: Vec<&str> = h
            .levels_of(i2)
            .iter()
            .map(|&i| h.levels[i].name.as_str())
            .collect();
        assert_eq!(names, ["sram_64KB", "sram_1MB_A"]);
        // weight-only memories are gone, dram stores only O now
        assert!(h.level_index("sram_32KB").is_none());
        let l = &h.levels[h.level_index("sram_64KB").unwrap()];
        let order: Vec<&str> = l
            .slots
            .iter()
            .map(|s| h.mem_ops[s.mem_op].as_str())
            .collect();
        assert_eq!(order, ["I1", "O", "I2"]);
        let last = l.ports[0].serves.last().unwrap();
        assert_eq!(
            (last.mem_op, last.level, last.dir),
            (i2, 0, Dir::RdOutToLow)
        );
    }
}
