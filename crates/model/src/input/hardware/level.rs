//! Reading one memory level (docs/model.md §1.2): its instance fields, its
//! ports, the array dimensions it serves, the operands it stores with their
//! `port_alloc`, and the functions each port serves (§2.9.3). The steps run
//! in a fixed order so diagnostics keep document order.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use serde_json::Value;

use super::{ArrayDim, Dir, Hardware, MemoryLevel, OperandSlot, Port, PortFn, PortKind};
use crate::diag::Diagnostic;
use crate::input::json::{as_array, as_str, as_u64, count_over, Diags, Obj};
use crate::limits;

const SIZE_WHY: &str = "2^50 bits (128 TiB) is larger than any memory";
const BW_WHY: &str = "2^32 bits per cycle is wider than any port";
const PORTS_WHY: &str = "a memory has at most 64 ports in all";

/// Reads `v` as the next memory level of `hw`, registering its memory
/// operands in `hw.mem_ops`; `None` when anything about it was reported.
pub(super) fn read_level(
    v: &Value,
    path: &str,
    hw: &mut Hardware,
    d: &mut Diags,
) -> Option<MemoryLevel> {
    let n0 = d.len();
    let f = LevelFields::read(v, path, d)?;
    let inst = read_instance(f.instance?, f.instance_path, d)?;
    let mut ports = make_ports(&inst, d)?;
    let served = read_served(f.served?, &f.served_path, hw.array_dims.len(), d);
    let unroll_count = unroll_count(&hw.array_dims, &served);
    let op_names = read_operand_names(f.operands?, &f.operands_path, d);
    let pa = f.port_alloc?;
    let mut slots = new_slots(hw, &op_names, pa, &f.port_alloc_path, d);
    for (i, e) in pa.iter().enumerate() {
        let p = format!("{}[{i}]", f.port_alloc_path);
        read_alloc_entry(e, p, &ports, &op_names, &mut slots, d);
    }
    attach_port_functions(hw, &slots, &mut ports);
    if d.len() > n0 {
        return None;
    }
    Some(MemoryLevel {
        name: inst.name,
        size_bits: inst.size_bits?,
        r_bw_bits: inst.r_bw_bits,
        w_bw_bits: inst.w_bw_bits,
        r_cost_pj: inst.r_cost_pj?,
        w_cost_pj: inst.w_cost_pj?,
        r_min_bits: inst.r_min_bits,
        w_min_bits: inst.w_min_bits,
        latency_cycles: inst.latency_cycles,
        served,
        unroll_count,
        slots,
        ports,
    })
}

/// The fields of a memory-level object, each with its path.
struct LevelFields<'a> {
    instance: Option<&'a Value>,
    instance_path: String,
    operands: Option<&'a Vec<Value>>,
    operands_path: String,
    port_alloc: Option<&'a Vec<Value>>,
    port_alloc_path: String,
    served: Option<&'a Value>,
    served_path: String,
}

impl<'a> LevelFields<'a> {
    fn read(v: &'a Value, path: &str, d: &mut Diags) -> Option<LevelFields<'a>> {
        let mut o = Obj::new(v, path, d)?;
        o.allow(&[
            "level_index_in_file_order",
            "level_of_operand",
            "served_dimension_names",
            "unroll_count",
            "ports",
        ]);
        let f = LevelFields {
            instance: o.req("instance", d),
            instance_path: o.sub("instance"),
            operands: o.req_array("operands", d),
            operands_path: o.sub("operands"),
            port_alloc: o.req_array("port_alloc", d),
            port_alloc_path: o.sub("port_alloc"),
            served: o.req("served_dimensions", d),
            served_path: o.sub("served_dimensions"),
        };
        o.finish(d);
        Some(f)
    }
}

/// The `instance` fields. The bandwidths and port counts are required to
/// go on; size and energies are checked at the end (a missing one has been
/// reported by then).
struct Instance {
    name: String,
    size_bits: Option<u64>,
    r_bw_bits: u64,
    w_bw_bits: u64,
    r_cost_pj: Option<f64>,
    w_cost_pj: Option<f64>,
    r_min_bits: u64,
    w_min_bits: u64,
    latency_cycles: u64,
    ports: PortCounts,
    /// Path of the `instance` object.
    path: String,
}

/// How many ports of each kind (`r_port`, `w_port`, `rw_port`), each at
/// most [`limits::MAX_PORTS_PER_MEMORY`].
struct PortCounts {
    r: u64,
    w: u64,
    rw: u64,
}

fn read_instance(v: &Value, path: String, d: &mut Diags) -> Option<Instance> {
    let mut io = Obj::new(v, path, d)?;
    io.allow(&[
        "area",
        "bank",
        "random_bank_access",
        "effective_min_r_bits",
        "effective_min_w_bits",
    ]);
    let name = io.req_str("name", d).unwrap_or("").to_string();
    let bw_max = limits::MAX_BANDWIDTH_BITS;
    let size_bits = io.req_u64_in("size_bits", 1, limits::MAX_MEMORY_BITS, SIZE_WHY, d);
    let r_bw = io.req_u64_in("r_bw_bits_per_cycle", 1, bw_max, BW_WHY, d);
    let w_bw = io.req_u64_in("w_bw_bits_per_cycle", 1, bw_max, BW_WHY, d);
    let r_cost_pj = io.req_energy("r_cost_pJ_per_access", d);
    let w_cost_pj = io.req_energy("w_cost_pJ_per_access", d);
    let max_ports = limits::MAX_PORTS_PER_MEMORY;
    let n_r = io.req_u64_in("r_port", 0, max_ports, PORTS_WHY, d);
    let n_w = io.req_u64_in("w_port", 0, max_ports, PORTS_WHY, d);
    let n_rw = io.req_u64_in("rw_port", 0, max_ports, PORTS_WHY, d);
    let latency_cycles = io
        .opt_u64_in(
            "latency_cycles",
            0,
            limits::MAX_MEMORY_LATENCY_CYCLES,
            "no memory answers slower",
            d,
        )
        .unwrap_or(1);
    let r_min = io.opt_u64_in("min_r_granularity_bits", 1, bw_max, BW_WHY, d);
    let w_min = io.opt_u64_in("min_w_granularity_bits", 1, bw_max, BW_WHY, d);
    let path = io.path.clone();
    io.finish(d);
    let (r_bw_bits, w_bw_bits) = (r_bw?, w_bw?);
    let ports = PortCounts {
        r: n_r?,
        w: n_w?,
        rw: n_rw?,
    };
    Some(Instance {
        name,
        size_bits,
        r_bw_bits,
        w_bw_bits,
        r_cost_pj,
        w_cost_pj,
        r_min_bits: r_min.unwrap_or(r_bw_bits),
        w_min_bits: w_min.unwrap_or(w_bw_bits),
        latency_cycles,
        ports,
        path,
    })
}

/// The ports `r_port_1..`, `w_port_1..`, `rw_port_1..` in that order, none
/// serving anything yet; `None` past [`limits::MAX_PORTS_PER_MEMORY`] in all.
fn make_ports(inst: &Instance, d: &mut Diags) -> Option<Vec<Port>> {
    let PortCounts { r, w, rw } = inst.ports;
    let ipath = &inst.path;
    // Each count is at most 64 here, so the sum cannot overflow.
    if r + w + rw == 0 {
        d.push(Diagnostic::new(
            format!("{ipath}.rw_port"),
            "the memory has no port; give it at least one r_port/w_port or rw_port",
        ));
    }
    if count_over(
        d,
        format!("{ipath}.r_port"),
        "r_port + w_port + rw_port:",
        r + w + rw,
        limits::MAX_PORTS_PER_MEMORY,
        "use fewer ports",
    ) {
        return None;
    }
    let mut ports = Vec::new();
    for (kind, n, prefix) in [
        (PortKind::R, r, "r_port"),
        (PortKind::W, w, "w_port"),
        (PortKind::Rw, rw, "rw_port"),
    ] {
        for k in 1..=n {
            let (bw, bw_min) = match kind {
                PortKind::W => (inst.w_bw_bits, inst.w_min_bits),
                _ => (inst.r_bw_bits, inst.r_min_bits),
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
    Some(ports)
}

/// `served_dimensions`: `"all"` or 0/1 vectors over the `nd` array
/// dimensions (their union); per array dimension, whether it is served.
fn read_served(v: &Value, served_path: &str, nd: usize, d: &mut Diags) -> Vec<bool> {
    let mut served = alloc::vec![false; nd];
    match v {
        Value::String(s) if s == "all" => served.iter_mut().for_each(|x| *x = true),
        Value::Array(vs) => {
            for (i, vec) in vs.iter().enumerate() {
                let p = format!("{served_path}[{i}]");
                mark_served(vec, &p, &mut served, d);
            }
        }
        other => d.push(Diagnostic::new(
            served_path.to_string(),
            format!(
                "expected \"all\" or a list of 0/1 vectors, found {}",
                crate::input::json::short(other)
            ),
        )),
    }
    served
}

/// One 0/1 vector of `served_dimensions`: marks its 1 entries in `served`.
fn mark_served(vec: &Value, p: &str, served: &mut [bool], d: &mut Diags) {
    let nd = served.len();
    let Some(arr) = as_array(vec, p, d) else {
        return;
    };
    if arr.len() != nd {
        d.push(Diagnostic::new(
            p.to_string(),
            format!(
                "served-dimension vector has {} entries but the array has {nd} dimensions; write one 0/1 entry per array dimension",
                arr.len()
            ),
        ));
        return;
    }
    for (k, e) in arr.iter().enumerate() {
        match as_u64(e, &format!("{p}[{k}]"), 0, d) {
            Some(0) => {}
            Some(1) => served[k] = true,
            Some(x) => d.push(Diagnostic::new(
                format!("{p}[{k}]"),
                format!("entry {x} is not 0 or 1; mark served dimensions with 1"),
            )),
            None => {}
        }
    }
}

/// Number of physical instances: the product of the unserved dimensions.
fn unroll_count(array_dims: &[ArrayDim], served: &[bool]) -> u64 {
    array_dims
        .iter()
        .zip(served)
        .filter(|(_, s)| !**s)
        .fold(1u64, |a, (dim, _)| a.saturating_mul(dim.size))
}

/// The stored operand names in listed order (duplicates and empty names
/// reported and left out).
fn read_operand_names(operands: &[Value], ops_path: &str, d: &mut Diags) -> Vec<String> {
    let mut op_names: Vec<String> = Vec::new();
    for (i, ov) in operands.iter().enumerate() {
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
            ops_path.to_string(),
            "the memory stores no operand; list at least one of I1, I2, O",
        ));
    }
    op_names
}

/// The index of memory operand `name`, added to `hw.mem_ops` on first use.
fn mem_op_id(hw: &mut Hardware, name: &str) -> usize {
    match hw.mem_op_index(name) {
        Some(i) => i,
        None => {
            hw.mem_ops.push(name.to_string());
            hw.mem_ops.len() - 1
        }
    }
}

/// One slot per stored operand, without ports yet; an operand without a
/// `port_alloc` entry is reported.
fn new_slots(
    hw: &mut Hardware,
    op_names: &[String],
    pa: &[Value],
    pa_path: &str,
    d: &mut Diags,
) -> Vec<OperandSlot> {
    let mut slots = Vec::new();
    for name in op_names {
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
                pa_path.to_string(),
                format!("no port_alloc entry for operand `{name}`; add {{\"operand\": \"{name}\", \"fh\": ..., \"tl\": ..., \"fl\": ..., \"th\": ...}}"),
            ));
        }
    }
    slots
}

/// One `port_alloc` entry `{operand, fh, tl, fl, th}` at path `p`: the
/// ports it names become its operand's slot ports.
fn read_alloc_entry(
    e: &Value,
    p: String,
    ports: &[Port],
    op_names: &[String],
    slots: &mut [OperandSlot],
    d: &mut Diags,
) {
    let Some(mut eo) = Obj::new(e, p.clone(), d) else {
        return;
    };
    let opn = eo.req_str("operand", d);
    let mut assigned: [Option<usize>; 4] = [None; 4];
    for dir in Dir::ALLOC_ORDER {
        let key = dir.alloc_key();
        if let Some(pv) = eo.opt(key) {
            let pp = eo.sub(key);
            if let Some(pname) = as_str(pv, &pp, d) {
                assigned[dir as usize] = find_port(ports, pname, dir, pp, d);
            }
        }
    }
    eo.finish(d);
    let Some(opn) = opn else { return };
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

/// The index of port `pname` if it exists and can serve `dir` (reported
/// at path `pp` otherwise).
fn find_port(ports: &[Port], pname: &str, dir: Dir, pp: String, d: &mut Diags) -> Option<usize> {
    let Some(k) = ports.iter().position(|pt| pt.name == pname) else {
        d.push(Diagnostic::new(
            pp,
            format!(
                "unknown port `{pname}`; the memory has {}",
                ports
                    .iter()
                    .map(|p| p.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
        return None;
    };
    let ok = match ports[k].kind {
        PortKind::R => dir.is_read(),
        PortKind::W => !dir.is_read(),
        PortKind::Rw => true,
    };
    if ok {
        return Some(k);
    }
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
    None
}

/// Attaches functions to ports in slot order, directions fh, tl, fl, th;
/// the level index of each stored operand is the number of lower levels
/// storing it.
fn attach_port_functions(hw: &Hardware, slots: &[OperandSlot], ports: &mut [Port]) {
    for slot in slots {
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
}
