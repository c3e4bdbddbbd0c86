//! ZigZag's YAML inputs (github KULeuven-MICAS/zigzag: an accelerator, a
//! mapping, a workload) into the playground's three documents. Text in,
//! documents out: no IO, no_std + alloc, wasm32.
//!
//! - [`hardware`]: an accelerator (`name`, `memories`, `operational_array`)
//!   into `defines-reference-hardware/1` (see `hardware.rs` for what maps to
//!   what and what is refused);
//! - [`workload`]: a workload (a list of layers) into
//!   `defines-reference-workload/1` (`workload.rs`);
//! - [`mapping`]: a mapping (entries by layer name, operator type or
//!   `default`) into `defines-reference-mapping/1`, resolved against a
//!   workload document whose memory-operand links it sets (`mapping.rs`);
//! - [`convert`]: all three, checked together by the model's own
//!   `validate_json`.
//!
//! Every problem is a [`Problem`] naming the file, the field path
//! (`memories.sram_64KB.ports[0].bandwidth_min`), the line, the value and
//! the fix; every conversion that changes how something is expressed is a
//! note of the same form. The YAML is parsed by `saphyr-parser` into a
//! bounded tree (`yaml.rs`, bounds in [`crate::limits`]).

mod equation;
mod fields;
mod hardware;
mod layer;
mod mapping;
mod ports;
mod workload;
mod yaml;

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;
use serde_json::Value as Json;

use fields::Report;

/// One problem (or note) of a converted file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// The file's name as given (`hardware.yaml`).
    pub file: String,
    /// The field path inside it (`memories.dram.ports[0].type`); empty for
    /// the whole file.
    pub path: String,
    /// 1-based line, 0 when unknown.
    pub line: usize,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if !self.path.is_empty() {
            write!(f, ": {}", self.path)?;
        }
        if self.line > 0 {
            write!(f, " (line {})", self.line)?;
        }
        write!(f, ": {}", self.message)
    }
}

/// A YAML file: its name (for messages) and its text.
#[derive(Clone, Copy, Debug)]
pub struct Yaml<'a> {
    pub file: &'a str,
    pub text: &'a str,
}

/// A converted document and the notes on how it was converted.
#[derive(Clone, Debug, PartialEq)]
pub struct Converted {
    pub document: Json,
    pub notes: Vec<Problem>,
}

/// How the mapping finds a workload layer: ZigZag's layer name (`Layer<id>`
/// when it has none) and operator type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LayerKey {
    pub id: i64,
    pub name: String,
    pub operator_type: String,
}

fn parse(y: Yaml) -> Result<(yaml::Node, Report), Vec<Problem>> {
    let r = Report::new(y.file);
    match yaml::parse(y.text) {
        Ok(n) => Ok((n, r)),
        Err(e) => Err(alloc::vec![Problem {
            file: y.file.to_string(),
            path: String::new(),
            line: e.line,
            message: e.message,
        }]),
    }
}

/// The model's diagnostics of a converted document, as problems of `file`.
fn model_problems(file: &str, what: &str, d: &[defines_model::Diagnostic]) -> Vec<Problem> {
    d.iter()
        .map(|d| Problem {
            file: file.to_string(),
            path: String::new(),
            line: 0,
            message: format!("the converted {what} is not valid for the model: {d}"),
        })
        .collect()
}

fn text(doc: &Json) -> String {
    serde_json::to_string(doc).unwrap_or_default()
}

/// Converts a ZigZag accelerator into the hardware document.
pub fn hardware(y: Yaml) -> Result<Converted, Vec<Problem>> {
    let (root, mut r) = parse(y)?;
    let doc = hardware::convert(&root, &mut r);
    match doc {
        Some(doc) if r.errors.is_empty() => {
            defines_model::Hardware::from_value(&doc)
                .map_err(|d| model_problems(y.file, "hardware", &d))?;
            Ok(Converted {
                document: doc,
                notes: r.notes,
            })
        }
        _ => Err(r.errors),
    }
}

/// Converts a ZigZag workload into the workload document named `name`,
/// with the layers' names and operator types for [`mapping`].
pub fn workload(y: Yaml, name: &str) -> Result<(Converted, Vec<LayerKey>), Vec<Problem>> {
    let (root, mut r) = parse(y)?;
    match workload::convert(&root, name, &mut r) {
        Some((doc, keys)) if r.errors.is_empty() => {
            defines_model::Workload::from_json(&text(&doc))
                .map_err(|d| model_problems(y.file, "workload", &d))?;
            Ok((
                Converted {
                    document: doc,
                    notes: r.notes,
                },
                keys,
            ))
        }
        _ => Err(r.errors),
    }
}

/// Converts a ZigZag mapping for the compute layers of `workload` (a
/// workload document) on `hardware` (a hardware document), setting the
/// layers' memory-operand links. `keys` are the layers' ZigZag names and
/// operator types ([`workload`] gives them); without them a layer is
/// known by its label (else `Layer<id>`) and its kind (`Conv`, `Pooling`,
/// `Add`).
pub fn mapping(
    y: Yaml,
    hardware: &Json,
    workload: &mut Json,
    keys: Option<&[LayerKey]>,
) -> Result<Converted, Vec<Problem>> {
    let (root, mut r) = parse(y)?;
    let hw = defines_model::Hardware::from_value(hardware)
        .map_err(|d| model_problems(y.file, "hardware it maps onto", &d))?;
    match mapping::convert(&root, &hw, workload, keys.unwrap_or(&[]), &mut r) {
        Some(doc) if r.errors.is_empty() => Ok(Converted {
            document: doc,
            notes: r.notes,
        }),
        _ if r.errors.is_empty() => Err(alloc::vec![Problem {
            file: y.file.to_string(),
            path: String::new(),
            line: 0,
            message: "the workload document has no layers to map".into(),
        }]),
        _ => Err(r.errors),
    }
}

/// The workload a mapping is resolved against.
#[derive(Clone, Debug)]
pub enum WorkloadInput<'a> {
    /// A ZigZag workload, converted, and the name the document gets.
    Yaml(Yaml<'a>, &'a str),
    /// A workload document (a preset, a JSON file, an ONNX import).
    Document(Json),
}

/// The three documents of a ZigZag scenario, valid together.
#[derive(Clone, Debug, PartialEq)]
pub struct Documents {
    pub hardware: Json,
    pub mapping: Json,
    pub workload: Json,
    /// Every note of the three conversions, hardware first.
    pub notes: Vec<Problem>,
}

impl Documents {
    /// `{"hardware": ..., "mapping": ..., "workload": ...}`.
    pub fn to_json(&self) -> Json {
        serde_json::json!({
            "hardware": self.hardware,
            "mapping": self.mapping,
            "workload": self.workload,
        })
    }
}

/// Converts a ZigZag accelerator and mapping (and workload), then checks
/// the three documents with the model's `validate_json`. Every problem of
/// every file is returned.
pub fn convert(hw: Yaml, map: Yaml, wl: WorkloadInput) -> Result<Documents, Vec<Problem>> {
    let mut errors = Vec::new();
    let mut notes = Vec::new();
    let hardware = hardware(hw)
        .map(|c| {
            notes.extend(c.notes);
            c.document
        })
        .map_err(|e| errors.extend(e))
        .ok();
    let (workload, keys) = match wl {
        WorkloadInput::Yaml(y, name) => match workload(y, name) {
            Ok((c, keys)) => {
                notes.extend(c.notes);
                (Some(c.document), Some(keys))
            }
            Err(e) => {
                errors.extend(e);
                (None, None)
            }
        },
        WorkloadInput::Document(d) => (Some(d), None),
    };
    let (Some(hardware), Some(mut workload)) = (hardware, workload) else {
        return Err(errors);
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    let m = mapping(map, &hardware, &mut workload, keys.as_deref())?;
    notes.extend(m.notes);
    defines_model::validate_json(&text(&workload), &text(&hardware), &text(&m.document))
        .map_err(|d| model_problems(map.file, "scenario", &d))?;
    Ok(Documents {
        hardware,
        mapping: m.document,
        workload,
        notes,
    })
}
