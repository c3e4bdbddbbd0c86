//! Hardware parameters: one numeric field of a hardware document
//! (`defines-reference-hardware/1`), named `NAME.FIELD`, read and written
//! in the JSON document itself (so the result is an ordinary hardware
//! document, validated by [`Hardware::from_json`](crate::Hardware) like any
//! other).
//!
//! - `NAME` a memory instance name (`cores[0].memory_levels[i].instance.name`)
//!   and `FIELD` one of the instance fields the model reads
//!   ([`MEMORY_FIELDS`]);
//! - or `NAME` = `mac` and `FIELD` = `energy_pJ_per_op` (the MAC energy) or
//!   an array dimension name such as `D1` (that dimension's `size`). A
//!   memory instance called `mac` is reached through `mac.FIELD` with a
//!   memory field name (no array dimension is called `size_bits`).
//!
//! After a parameter is set, the document's informational fields (the
//! ports' widths, `unroll_count`, `total_units`, ...) are recomputed by
//! [`refresh_informational`] from the model's reading of the new document,
//! so an exported document does not contradict itself.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::diag::Diagnostic;
use crate::input::hardware::refresh_informational;
use crate::input::json::parse_value;
use crate::limits;

/// The memory instance fields the model reads, in the order
/// [`hw_params`] lists them.
pub const MEMORY_FIELDS: [&str; 11] = [
    "size_bits",
    "r_bw_bits_per_cycle",
    "w_bw_bits_per_cycle",
    "r_cost_pJ_per_access",
    "w_cost_pJ_per_access",
    "r_port",
    "w_port",
    "rw_port",
    "latency_cycles",
    "min_r_granularity_bits",
    "min_w_granularity_bits",
];

/// The `NAME` of the MAC unit and array parameters.
pub const MAC: &str = "mac";
/// The `FIELD` of the MAC energy.
pub const MAC_ENERGY: &str = "energy_pJ_per_op";

/// Largest integer an `f64` holds exactly, plus one: integer values from
/// here on are refused (they would not be the number written).
const EXACT_INTEGERS: f64 = 9_007_199_254_740_992.0; // 2^53

/// One numeric field of a hardware document, `target.field`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct HwParam {
    /// A memory instance name, or [`MAC`].
    pub target: String,
    /// A memory field ([`MEMORY_FIELDS`]), or for [`MAC`]
    /// [`MAC_ENERGY`] or an array dimension name.
    pub field: String,
}

/// What kind of number a parameter is.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    /// A whole number in `lo..=hi`, `log` when it spans decades.
    Int { lo: u64, hi: u64, log: bool },
    /// An energy in pJ, `0..=MAX_ENERGY_PJ`.
    Energy,
}

const SIZE: Kind = Kind::Int {
    lo: 1,
    hi: limits::MAX_MEMORY_BITS,
    log: true,
};
const BITS_PER_CYCLE: Kind = Kind::Int {
    lo: 1,
    hi: limits::MAX_BANDWIDTH_BITS,
    log: true,
};
const PORTS: Kind = Kind::Int {
    lo: 0,
    hi: limits::MAX_PORTS_PER_MEMORY,
    log: false,
};
const LATENCY: Kind = Kind::Int {
    lo: 0,
    hi: limits::MAX_MEMORY_LATENCY_CYCLES,
    log: false,
};
const ARRAY_DIM: Kind = Kind::Int {
    lo: 1,
    hi: limits::MAX_ARRAY_DIM_SIZE,
    log: true,
};

/// The kind of a memory field (`None`: not a memory field).
fn memory_field_kind(field: &str) -> Option<Kind> {
    Some(match field {
        "size_bits" => SIZE,
        "r_bw_bits_per_cycle" | "w_bw_bits_per_cycle" => BITS_PER_CYCLE,
        "min_r_granularity_bits" | "min_w_granularity_bits" => BITS_PER_CYCLE,
        "r_cost_pJ_per_access" | "w_cost_pJ_per_access" => Kind::Energy,
        "r_port" | "w_port" | "rw_port" => PORTS,
        "latency_cycles" => LATENCY,
        _ => return None,
    })
}

impl HwParam {
    /// `NAME.FIELD` (split at the last `.`, so memory names may contain
    /// dots); a memory `FIELD` must be one of [`MEMORY_FIELDS`]. Whether
    /// `NAME` exists is the document's business ([`set_param`]).
    pub fn parse(text: &str) -> Result<HwParam, String> {
        let t = text.trim();
        let form = "write NAME.FIELD, e.g. sram_1MB_A.size_bits, mac.energy_pJ_per_op or mac.D1";
        let (target, field) = match t.rsplit_once('.') {
            Some((a, b)) if !a.is_empty() && !b.is_empty() => (a, b),
            _ => return Err(format!("`{text}` is not a hardware parameter; {form}")),
        };
        if target != MAC && memory_field_kind(field).is_none() {
            return Err(format!(
                "`{field}` (in `{t}`) is not a memory field; use one of {}",
                MEMORY_FIELDS.join(", ")
            ));
        }
        Ok(HwParam {
            target: target.to_string(),
            field: field.to_string(),
        })
    }

    /// `NAME.FIELD`, as [`HwParam::parse`] reads it.
    pub fn label(&self) -> String {
        format!("{}.{}", self.target, self.field)
    }

    fn kind(&self) -> Kind {
        if self.target == MAC && self.field == MAC_ENERGY {
            return Kind::Energy;
        }
        match memory_field_kind(&self.field) {
            Some(k) => k,
            None => ARRAY_DIM,
        }
    }

    /// Sizes, bandwidths, granularities, port counts, latency and array
    /// dimensions are whole numbers; energies are not.
    pub fn is_integer(&self) -> bool {
        matches!(self.kind(), Kind::Int { .. })
    }

    /// Quantities that span decades (sizes, bandwidths, granularities,
    /// energies, array dimensions) are best varied on a log scale; port
    /// counts and latency are not.
    pub fn is_log_scale(&self) -> bool {
        match self.kind() {
            Kind::Int { log, .. } => log,
            Kind::Energy => true,
        }
    }

    /// The smallest and largest value [`set_param`] accepts (the bounds of
    /// [`crate::limits`] the hardware reader enforces).
    pub fn bounds(&self) -> (f64, f64) {
        match self.kind() {
            Kind::Int { lo, hi, .. } => (lo as f64, hi as f64),
            Kind::Energy => (0.0, limits::MAX_ENERGY_PJ),
        }
    }
}

/// Where a parameter lives in the document.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Place {
    MacEnergy,
    /// Index into `operational_array.dimensions`.
    Dim(usize),
    /// Index into `memory_levels`.
    Level(usize),
}

const CORE: &str = "hardware.cores[0]";

fn core(doc: &Value) -> Option<&Value> {
    doc.get("cores")?.get(0)
}

fn levels(doc: &Value) -> &[Value] {
    core(doc)
        .and_then(|c| c.get("memory_levels"))
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

fn dims(doc: &Value) -> &[Value] {
    core(doc)
        .and_then(|c| c.get("operational_array"))
        .and_then(|o| o.get("dimensions"))
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

fn level_name(level: &Value) -> Option<&str> {
    level.get("instance")?.get("name")?.as_str()
}

fn dim_name(dim: &Value) -> Option<&str> {
    dim.get("name")?.as_str()
}

/// Every parameter of the document, in document order: `mac.energy_pJ_per_op`,
/// `mac.<dim>` per array dimension, then per memory level (bottom-up, as
/// listed) every field of [`MEMORY_FIELDS`], present or not (an optional
/// field the document leaves out or sets to null has no value, see
/// [`get_param`], but can be set). Levels and dimensions without a name
/// are left out.
pub fn hw_params(doc: &Value) -> Vec<HwParam> {
    let p = |t: &str, f: &str| HwParam {
        target: t.to_string(),
        field: f.to_string(),
    };
    let mut out = alloc::vec![p(MAC, MAC_ENERGY)];
    out.extend(dims(doc).iter().filter_map(dim_name).map(|n| p(MAC, n)));
    for name in levels(doc).iter().filter_map(level_name) {
        out.extend(MEMORY_FIELDS.iter().map(|f| p(name, f)));
    }
    out
}

/// Where `p` lives, its document path, or what is wrong (naming the valid
/// names or fields).
fn locate(doc: &Value, p: &HwParam) -> Result<(Place, String), Diagnostic> {
    let label = p.label();
    let memory_names: Vec<&str> = levels(doc).iter().filter_map(level_name).collect();
    let level = |name: &str| {
        levels(doc)
            .iter()
            .position(|l| level_name(l) == Some(name))
            .map(|i| {
                let path = format!("{CORE}.memory_levels[{i}].instance.{}", p.field);
                (Place::Level(i), path)
            })
    };
    if p.target == MAC {
        if p.field == MAC_ENERGY {
            let path = format!("{CORE}.operational_array.unit.{MAC_ENERGY}");
            return Ok((Place::MacEnergy, path));
        }
        if memory_field_kind(&p.field).is_some() {
            if let Some(found) = level(MAC) {
                return Ok(found);
            }
        }
        let dim_names: Vec<&str> = dims(doc).iter().filter_map(dim_name).collect();
        return match dim_names.iter().position(|n| *n == p.field) {
            Some(i) => Ok((
                Place::Dim(i),
                format!("{CORE}.operational_array.dimensions[{i}].size"),
            )),
            None => Err(Diagnostic::new(
                format!("{CORE}.operational_array"),
                format!(
                    "parameter `{label}`: the MAC array has no dimension `{}`; use mac.{MAC_ENERGY} (the MAC energy) or an array dimension: {}",
                    p.field,
                    list_or_none(&dim_names)
                ),
            )),
        };
    }
    if memory_field_kind(&p.field).is_none() {
        return Err(Diagnostic::new(
            format!("{CORE}.memory_levels"),
            format!(
                "parameter `{label}`: `{}` is not a memory field; use one of {}",
                p.field,
                MEMORY_FIELDS.join(", ")
            ),
        ));
    }
    level(&p.target).ok_or_else(|| {
        Diagnostic::new(
            format!("{CORE}.memory_levels"),
            format!(
                "parameter `{label}`: no memory is named `{}`; the memories are {} (or use `{MAC}` for the MAC unit and array)",
                p.target,
                list_or_none(&memory_names)
            ),
        )
    })
}

fn list_or_none(names: &[&str]) -> String {
    if names.is_empty() {
        "none".to_string()
    } else {
        names.join(", ")
    }
}

/// The object holding the parameter's field, and the field's key.
fn holder<'a>(doc: &'a Value, place: Place, p: &'a HwParam) -> Option<(&'a Value, &'a str)> {
    let c = core(doc)?;
    Some(match place {
        Place::MacEnergy => (c.get("operational_array")?.get("unit")?, MAC_ENERGY),
        Place::Dim(i) => (
            c.get("operational_array")?.get("dimensions")?.get(i)?,
            "size",
        ),
        Place::Level(i) => (
            c.get("memory_levels")?.get(i)?.get("instance")?,
            p.field.as_str(),
        ),
    })
}

fn holder_mut(doc: &mut Value, place: Place) -> Option<&mut Map<String, Value>> {
    let c = doc.get_mut("cores")?.get_mut(0)?;
    match place {
        Place::MacEnergy => c.get_mut("operational_array")?.get_mut("unit"),
        Place::Dim(i) => c
            .get_mut("operational_array")?
            .get_mut("dimensions")?
            .get_mut(i),
        Place::Level(i) => c.get_mut("memory_levels")?.get_mut(i)?.get_mut("instance"),
    }?
    .as_object_mut()
}

/// The current value of `p`: `None` if the document does not have it or it
/// is not a number (e.g. a null granularity).
pub fn get_param(doc: &Value, p: &HwParam) -> Option<f64> {
    let (place, _) = locate(doc, p).ok()?;
    let (obj, key) = holder(doc, place, p)?;
    obj.get(key)?.as_f64()
}

/// `value` as the JSON number written for `p`: integers exactly, energies
/// as finite `f64`; out-of-range values are refused naming the parameter,
/// the value and the accepted range.
fn number_for(p: &HwParam, value: f64, path: &str) -> Result<Value, Diagnostic> {
    let label = p.label();
    let err = |what: String| Diagnostic::new(path, format!("parameter `{label}` = {value} {what}"));
    let kind = p.kind();
    let range = match kind {
        Kind::Int { lo, hi, .. } => format!("give a whole number from {lo} to {hi}"),
        Kind::Energy => format!("give an energy in pJ from 0 to {}", limits::MAX_ENERGY_PJ),
    };
    if !value.is_finite() {
        return Err(err(format!("is not a finite number; {range}")));
    }
    if value < 0.0 {
        return Err(err(format!("is negative; {range}")));
    }
    match kind {
        Kind::Energy => {
            if value > limits::MAX_ENERGY_PJ {
                return Err(err(format!(
                    "is over the limit {} ({}); {range}",
                    limits::MAX_ENERGY_PJ,
                    limits::MAX_ENERGY_WHY
                )));
            }
            serde_json::Number::from_f64(value)
                .map(Value::Number)
                .ok_or_else(|| err(format!("is not a finite number; {range}")))
        }
        Kind::Int { lo, hi, .. } => {
            if libm::trunc(value) != value {
                return Err(err(format!("is not a whole number; {range}")));
            }
            if value >= EXACT_INTEGERS {
                return Err(err(format!(
                    "is 2^53 or more, where a number is no longer an exact whole number; {range}"
                )));
            }
            // Whole, non-negative and below 2^53: the cast is exact.
            let n = value as u64;
            if n < lo || n > hi {
                return Err(err(format!(
                    "is outside {lo}..={hi} (the limit of the hardware reader); {range}"
                )));
            }
            Ok(Value::from(n))
        }
    }
}

/// Writes `value` into the document: integer fields as JSON integers
/// (refusing a non-integer, negative, non-finite, ≥ 2^53 or out-of-limit
/// value), energies as `f64` (finite, `0..=MAX_ENERGY_PJ`). An unknown
/// `NAME` or `FIELD` is a [`Diagnostic`] listing the valid ones. Mirrors
/// are kept in step as the module documentation says. On error the
/// document is unchanged.
pub fn set_param(doc: &mut Value, p: &HwParam, value: f64) -> Result<(), Diagnostic> {
    let (place, path) = locate(doc, p)?;
    let number = number_for(p, value, &path)?;
    let key = match place {
        Place::MacEnergy => MAC_ENERGY.to_string(),
        Place::Dim(_) => "size".to_string(),
        Place::Level(_) => p.field.clone(),
    };
    let obj = holder_mut(doc, place).ok_or_else(|| {
        Diagnostic::new(
            path.clone(),
            format!(
                "parameter `{}`: the object holding this field is not a JSON object; fix the document's structure",
                p.label()
            ),
        )
    })?;
    obj.insert(key, number);
    refresh_informational(doc);
    Ok(())
}

/// Parses `text`, sets every `(param, value)` in order and returns the new
/// document text (pretty-printed, key order preserved). Every refused
/// setting is reported. The result is not validated here: read it with
/// [`Hardware::from_json`](crate::Hardware::from_json) or
/// [`validate_json`](crate::validate_json) as any hardware document.
pub fn vary_hardware(text: &str, settings: &[(HwParam, f64)]) -> Result<String, Vec<Diagnostic>> {
    let mut doc = parse_value(text, "hardware", "hardware")?;
    let mut d = Vec::new();
    for (p, v) in settings {
        if let Err(e) = set_param(&mut doc, p, *v) {
            d.push(e);
        }
    }
    if !d.is_empty() {
        return Err(d);
    }
    serde_json::to_string_pretty(&doc).map_err(|e| {
        alloc::vec![Diagnostic::new(
            "hardware",
            format!("the varied document could not be written ({e}); report this as a bug"),
        )]
    })
}
