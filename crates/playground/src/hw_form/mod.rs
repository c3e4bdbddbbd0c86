//! The structured hardware editor's model: a view of the hardware JSON
//! (the one source of truth) and the edits the form makes to it.
//!
//! The form never keeps a second copy of the accelerator: [`HwForm::read`]
//! derives what the form shows from the document text, and [`apply`]
//! turns a form edit into new document text, so the form and the JSON
//! editor are always in sync. A field typed as something that is not a
//! number is written into the document as that text (a JSON string): the
//! model's validation then reports it with its path, the form marks the
//! field, and nothing typed is lost.
//!
//! Units for people: sizes in b/B/KB/MB/GB (KB = 1024 bytes, as in the
//! presets' names), bandwidths in bits/cycle, energies in pJ. A size is
//! shown in the largest unit that divides it exactly, so the exact value is
//! always what is shown.

mod edit;
#[cfg(test)]
mod tests;
mod units;

pub use edit::{apply, FormEdit, LevelMove};
pub use units::{approx_size_bits, format_size_bits, parse_size_bits};

use serde_json::Value;

/// The operands a memory level can hold (hardware memory operands).
pub const OPERANDS: [&str; 3] = ["I1", "I2", "O"];

/// The numeric fields of a memory level's `instance`, in form order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LevelField {
    Size,
    ReadBw,
    WriteBw,
    ReadCost,
    WriteCost,
    ReadPorts,
    WritePorts,
    RwPorts,
    Latency,
}

impl LevelField {
    pub const ALL: [LevelField; 9] = [
        LevelField::Size,
        LevelField::ReadBw,
        LevelField::WriteBw,
        LevelField::ReadCost,
        LevelField::WriteCost,
        LevelField::ReadPorts,
        LevelField::WritePorts,
        LevelField::RwPorts,
        LevelField::Latency,
    ];

    /// The key in the document's `instance` object.
    pub fn key(self) -> &'static str {
        match self {
            LevelField::Size => "size_bits",
            LevelField::ReadBw => "r_bw_bits_per_cycle",
            LevelField::WriteBw => "w_bw_bits_per_cycle",
            LevelField::ReadCost => "r_cost_pJ_per_access",
            LevelField::WriteCost => "w_cost_pJ_per_access",
            LevelField::ReadPorts => "r_port",
            LevelField::WritePorts => "w_port",
            LevelField::RwPorts => "rw_port",
            LevelField::Latency => "latency_cycles",
        }
    }

    /// Column heading, with the unit.
    pub fn heading(self) -> &'static str {
        match self {
            LevelField::Size => "size",
            LevelField::ReadBw => "read bw (bit/cycle)",
            LevelField::WriteBw => "write bw (bit/cycle)",
            LevelField::ReadCost => "read (pJ/access)",
            LevelField::WriteCost => "write (pJ/access)",
            LevelField::ReadPorts => "r ports",
            LevelField::WritePorts => "w ports",
            LevelField::RwPorts => "rw ports",
            LevelField::Latency => "latency (cycles)",
        }
    }

    pub fn is_energy(self) -> bool {
        matches!(self, LevelField::ReadCost | LevelField::WriteCost)
    }
}

/// What a form field shows: the document's value as text (with its unit
/// for sizes), and whether it is a number at all.
#[derive(Clone, Debug, PartialEq)]
pub struct Cell {
    /// The diagnostic path of the field (`hardware.cores[0]...`).
    pub path: String,
    pub text: String,
    /// The exact value, when the document holds a number there.
    pub value: Option<f64>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct DimForm {
    pub name: String,
    pub size: Cell,
}

#[derive(Clone, Debug, PartialEq)]
pub struct LevelForm {
    pub name: String,
    pub path: String,
    pub cells: Vec<(LevelField, Cell)>,
    /// The operands it stores, in document order.
    pub operands: Vec<String>,
    /// Per array dimension: served by one instance of this level.
    pub served: Vec<bool>,
}

/// What the structured editor shows.
#[derive(Clone, Debug, PartialEq)]
pub struct HwForm {
    pub name: String,
    pub mac_energy: Cell,
    /// Informational (the model takes operand precisions from the
    /// workload): input and output precision in bits, as written.
    pub precisions: String,
    pub dims: Vec<DimForm>,
    pub levels: Vec<LevelForm>,
}

pub(crate) const CORE: &str = "hardware.cores[0]";

fn cell(v: Option<&Value>, path: String, size: bool) -> Cell {
    match v {
        Some(Value::Number(n)) => {
            let text = match (size, n.as_u64()) {
                (true, Some(bits)) => format_size_bits(bits),
                _ => n.to_string(),
            };
            Cell {
                path,
                text,
                value: n.as_f64(),
            }
        }
        Some(Value::String(s)) => Cell {
            path,
            text: s.clone(),
            value: None,
        },
        Some(other) => Cell {
            path,
            text: other.to_string(),
            value: None,
        },
        None => Cell {
            path,
            text: String::new(),
            value: None,
        },
    }
}

impl HwForm {
    /// The form's view of a hardware document; `None` when the text is not
    /// a JSON object with a first core (the JSON editor says why).
    pub fn read(text: &str) -> Option<HwForm> {
        let doc: Value = serde_json::from_str(text).ok()?;
        let core = doc.get("cores")?.get(0)?;
        let oa = core.get("operational_array");
        let unit = oa.and_then(|o| o.get("unit"));
        let dims: Vec<DimForm> = oa
            .and_then(|o| o.get("dimensions"))
            .and_then(Value::as_array)
            .map(|ds| {
                ds.iter()
                    .enumerate()
                    .map(|(i, d)| DimForm {
                        name: d
                            .get("name")
                            .and_then(Value::as_str)
                            .unwrap_or("?")
                            .to_string(),
                        size: cell(
                            d.get("size"),
                            format!("{CORE}.operational_array.dimensions[{i}].size"),
                            false,
                        ),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let levels = core
            .get("memory_levels")
            .and_then(Value::as_array)
            .map(|ls| {
                ls.iter()
                    .enumerate()
                    .map(|(i, l)| read_level(l, i, dims.len()))
                    .collect()
            })
            .unwrap_or_default();
        let precisions = unit
            .map(|u| {
                let input = u.get("input_precision_bits").map(Value::to_string);
                let output = u.get("output_precision_bits").map(Value::to_string);
                format!(
                    "inputs {} bit, output {} bit",
                    input.unwrap_or_else(|| "?".into()),
                    output.unwrap_or_else(|| "?".into())
                )
            })
            .unwrap_or_default();
        Some(HwForm {
            name: doc
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
            mac_energy: cell(
                unit.and_then(|u| u.get("energy_pJ_per_op")),
                format!("{CORE}.operational_array.unit.energy_pJ_per_op"),
                false,
            ),
            precisions,
            dims,
            levels,
        })
    }
}

fn read_level(l: &Value, i: usize, n_dims: usize) -> LevelForm {
    let path = format!("{CORE}.memory_levels[{i}]");
    let inst = l.get("instance");
    let cells = LevelField::ALL
        .iter()
        .map(|&f| {
            let v = inst.and_then(|x| x.get(f.key()));
            let c = cell(
                v,
                format!("{path}.instance.{}", f.key()),
                f == LevelField::Size,
            );
            (f, c)
        })
        .collect();
    let operands = l
        .get("operands")
        .and_then(Value::as_array)
        .map(|ops| {
            ops.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    let mut served = vec![false; n_dims];
    match l.get("served_dimensions") {
        Some(Value::String(s)) if s == "all" => served.iter_mut().for_each(|x| *x = true),
        Some(Value::Array(vs)) => {
            for v in vs {
                for (k, e) in v.as_array().into_iter().flatten().enumerate() {
                    if e.as_u64() == Some(1) {
                        if let Some(s) = served.get_mut(k) {
                            *s = true;
                        }
                    }
                }
            }
        }
        _ => {}
    }
    LevelForm {
        name: inst
            .and_then(|x| x.get("name"))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string(),
        path,
        cells,
        operands,
        served,
    }
}
