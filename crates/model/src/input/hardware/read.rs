//! Reading a hardware document: the top level, its one core and the
//! operational array; each memory level is read in [`super::level`].
//! Every problem is pushed to the diagnostics in document order.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use serde_json::Value;

use super::level::read_level;
use super::{ArrayDim, Hardware};
use crate::diag::Diagnostic;
use crate::input::json::{count_over, Diags, Obj};
use crate::limits;

const SCHEMA: &str = "defines-reference-hardware/1";

pub(super) fn read_hardware(v: &Value, d: &mut Diags) -> Option<Hardware> {
    let (name, cores, cores_path) = read_top(v, d)?;
    let core = only_core(cores, &cores_path, d)?;
    let mut c = Obj::new(core, format!("{cores_path}[0]"), d)?;
    c.allow(&["id", "operand_hierarchy_bottom_to_top"]);
    let oa = c.req("operational_array", d);
    let oa_path = c.sub("operational_array");
    let ml = c.req_array("memory_levels", d);
    let ml_path = c.sub("memory_levels");
    c.finish(d);

    let (array_dims, mac_energy_pj) = read_array(oa?, &oa_path, d)?;
    let ml = check_level_count(ml?, &ml_path, d)?;
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
    check_unique_level_names(&hw, &ml_path, d);
    check_every_operand_stored(&hw, &ml_path, d);
    Some(hw)
}

/// The top-level object: its schema (checked), its name and its `cores`
/// with their path.
fn read_top<'a>(v: &'a Value, d: &mut Diags) -> Option<(String, &'a Vec<Value>, String)> {
    let mut top = Obj::new(v, "hardware", d)?;
    top.allow(&[
        "paper_name",
        "variant",
        "baseline_of_family",
        "workload_mapping_folder",
        "memory_operand_convention",
        "global_buffer",
    ]);
    top.check_schema(SCHEMA, d);
    let name = top.req_str("name", d).unwrap_or("").to_string();
    let cores = top.req_array("cores", d);
    let cores_path = top.sub("cores");
    top.finish(d);
    Some((name, cores?, cores_path))
}

/// The first core; more than one is reported (the model has one core).
fn only_core<'a>(cores: &'a [Value], cores_path: &str, d: &mut Diags) -> Option<&'a Value> {
    if cores.len() != 1 {
        d.push(Diagnostic::new(
            cores_path.to_string(),
            format!(
                "{} cores given; the model supports exactly one core, keep one",
                cores.len()
            ),
        ));
    }
    cores.first()
}

/// `memory_levels` within [`limits::MAX_MEMORIES`] (`None` past it); an
/// empty list is reported but returned.
fn check_level_count<'a>(
    ml: &'a Vec<Value>,
    ml_path: &str,
    d: &mut Diags,
) -> Option<&'a Vec<Value>> {
    if count_over(
        d,
        ml_path.to_string(),
        "the number of memory levels",
        ml.len(),
        limits::MAX_MEMORIES,
        "no accelerator has more; merge some",
    ) {
        return None;
    }
    if ml.is_empty() {
        d.push(Diagnostic::new(
            ml_path.to_string(),
            "no memory levels; add at least one memory (e.g. a DRAM) per operand",
        ));
    }
    Some(ml)
}

/// Names must be unique (they key results and trimming).
fn check_unique_level_names(hw: &Hardware, ml_path: &str, d: &mut Diags) {
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
}

/// Every memory operand is stored somewhere (reported only when nothing
/// else was).
fn check_every_operand_stored(hw: &Hardware, ml_path: &str, d: &mut Diags) {
    for (m, name) in hw.mem_ops.iter().enumerate() {
        if hw.levels_of(m).is_empty() && d.is_empty() {
            d.push(Diagnostic::new(
                ml_path.to_string(),
                format!("memory operand `{name}` is stored in no memory; add it to a memory's `operands`"),
            ));
        }
    }
}

/// The operational array: its dimensions and the MAC energy (pJ).
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
    let mac_energy_pj = unit.and_then(|u| read_unit_energy(u, unit_path, d));
    let array_dims = match dims {
        Some(dims) => read_array_dims(dims, &dims_path, d)?,
        None => Vec::new(),
    };
    Some((array_dims, mac_energy_pj?))
}

/// `unit.energy_pJ_per_op`.
fn read_unit_energy(u: &Value, unit_path: String, d: &mut Diags) -> Option<f64> {
    let mut u = Obj::new(u, unit_path, d)?;
    u.allow(&[
        "type",
        "input_precision_bits",
        "output_precision_bits",
        "area",
    ]);
    let e = u.req_energy("energy_pJ_per_op", d);
    u.finish(d);
    e
}

/// The array dimensions `{name, size}` (`None` past
/// [`limits::MAX_ARRAY_DIMS`]); unreadable entries are reported and left out.
fn read_array_dims(dims: &[Value], dims_path: &str, d: &mut Diags) -> Option<Vec<ArrayDim>> {
    if count_over(
        d,
        dims_path.to_string(),
        "the number of array dimensions",
        dims.len(),
        limits::MAX_ARRAY_DIMS,
        "spatial unrolling is searched over them",
    ) {
        return None;
    }
    if dims.is_empty() {
        d.push(Diagnostic::new(
            dims_path.to_string(),
            "no array dimensions; add at least one {name, size}",
        ));
    }
    let mut out = Vec::new();
    for (i, dv) in dims.iter().enumerate() {
        let p = format!("{dims_path}[{i}]");
        let Some(mut o) = Obj::new(dv, p.clone(), d) else {
            continue;
        };
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
    Some(out)
}
