//! Workload (layer graph) input: the `defines-reference-workload/1` JSON of
//! the reference data, see `presets/REFERENCE-README.md`.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use serde::{Deserialize, Serialize};

use crate::diag::Diagnostic;
use crate::input::ordered::OrderedMap;
use crate::limits;

/// A network: its layers in a valid topological order, the input
/// pseudo-layer (`kind = "input"`) first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Workload {
    pub name: String,
    pub layers: Vec<Layer>,
}

/// One layer as written in the file. Fields the model does not need yet are
/// ignored when parsing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Layer {
    pub id: i64,
    pub kind: String,
    #[serde(default)]
    pub label: Option<String>,
    /// Loop dimension name -> size, in file order.
    pub loop_dims: OrderedMap<u64>,
    /// Loop-nest equation, e.g. `O[b][k][oy][ox]+=W[k][c][fy][fx]*I[b][c][ix][iy]`
    /// (compute layers).
    #[serde(default)]
    pub equation: Option<String>,
    /// Input-index relations such as `ix=2*ox+1*fx`.
    #[serde(default)]
    pub equation_relations: Vec<String>,
    /// Bits per element per operand; `O` = partial sums, `O_final` = final
    /// output (compute layers).
    #[serde(default)]
    pub operand_precision_bits: OrderedMap<u64>,
    /// Bits per element of the input pseudo-layer.
    #[serde(default)]
    pub precision_bits: Option<u64>,
    /// Producer layer ids per input operand (empty for constants).
    #[serde(default)]
    pub operand_sources: OrderedMap<Vec<i64>>,
    /// Per activation input: its data dimension -> producer loop dimension.
    #[serde(default)]
    pub operand_source_dimension_mapping: OrderedMap<OrderedMap<String>>,
    /// Operands not produced by a layer (weights).
    #[serde(default)]
    pub constant_operands: Vec<String>,
    /// Layer operand -> memory operand (`I1`, `I2`, `O`).
    #[serde(default)]
    pub memory_operand_links: OrderedMap<String>,
}

/// Multiply-accumulate count of one compute layer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayerMacs {
    pub id: i64,
    /// Short display name: the label when the file has one, else `L<id>`.
    pub name: String,
    pub kind: String,
    pub macs: u64,
}

impl Workload {
    /// Parses a workload JSON document. Every problem found is reported.
    pub fn from_json(text: &str) -> Result<Workload, Vec<Diagnostic>> {
        let v = crate::input::json::parse_value(text, "workload", "workload")?;
        let mut diags = shape_errors(&v);
        if !diags.is_empty() {
            return Err(diags);
        }
        let w: Workload = match serde_json::from_value(v) {
            Ok(w) => w,
            Err(e) => {
                diags.push(Diagnostic::new(
                    "workload",
                    format!("not a valid workload document: {e}; fix that field"),
                ));
                return Err(diags);
            }
        };
        if w.layers.is_empty() {
            diags.push(Diagnostic::new(
                "workload.layers",
                "the workload has no layers; add an input layer and at least one compute layer",
            ));
        }
        let mut network_macs = 0u64;
        for (i, l) in w.layers.iter().enumerate() {
            check_sizes(l, i, &mut diags);
            if l.kind != "input" {
                network_macs = network_macs.saturating_add(l.macs().unwrap_or(u64::MAX));
            }
        }
        if network_macs > limits::MAX_NETWORK_MACS {
            diags.push(Diagnostic::new(
                "workload.layers",
                limits::exceeded(
                    "the network's MAC count",
                    network_macs,
                    limits::MAX_NETWORK_MACS,
                    "latencies in cycles must stay exact 64-bit numbers; use smaller layers",
                ),
            ));
        }
        if diags.is_empty() {
            Ok(w)
        } else {
            Err(diags)
        }
    }

    /// MACs of every compute layer (the input pseudo-layer excluded), in file
    /// order: the product of all loop sizes, as the reference counts them
    /// (pooling and element-wise add count one operation per loop point).
    pub fn macs_per_layer(&self) -> Vec<LayerMacs> {
        self.layers
            .iter()
            .filter(|l| l.kind != "input")
            .map(|l| LayerMacs {
                id: l.id,
                name: l.label.clone().unwrap_or_else(|| format!("L{}", l.id)),
                kind: l.kind.clone(),
                macs: l.macs().unwrap_or(u64::MAX),
            })
            .collect()
    }

    /// Sum of [`Workload::macs_per_layer`], saturating.
    pub fn total_macs(&self) -> u64 {
        self.macs_per_layer()
            .iter()
            .fold(0u64, |acc, l| acc.saturating_add(l.macs))
    }
}

/// What a field of the workload document must hold.
#[derive(Clone, Copy)]
enum Shape {
    /// Any value (informational reference fields).
    Any,
    Int,
    UInt,
    Str,
    /// A string or null.
    OptStr,
    /// A whole number >= 0 or null.
    OptUInt,
    ArrStr,
    MapUInt,
    MapStr,
    MapArrInt,
    MapMapStr,
}

const TOP_SHAPES: &[(&str, Shape)] = &[
    ("name", Shape::Str),
    ("schema", Shape::Any),
    ("paper_name", Shape::Any),
    ("layers", Shape::Any),
    ("totals", Shape::Any),
    (
        "per_hw_folder_differences_besides_spatial_mapping",
        Shape::Any,
    ),
];

const LAYER_SHAPES: &[(&str, Shape)] = &[
    ("id", Shape::Int),
    ("kind", Shape::Str),
    ("label", Shape::OptStr),
    ("equation", Shape::OptStr),
    ("equation_relations", Shape::ArrStr),
    ("loop_dims", Shape::MapUInt),
    ("operand_precision_bits", Shape::MapUInt),
    ("precision_bits", Shape::OptUInt),
    ("operand_sources", Shape::MapArrInt),
    ("operand_source_dimension_mapping", Shape::MapMapStr),
    ("constant_operands", Shape::ArrStr),
    ("memory_operand_links", Shape::MapStr),
    ("input_index_relations", Shape::Any),
    ("stride", Shape::Any),
    ("dilation", Shape::Any),
    ("padding", Shape::Any),
    ("core_allocation", Shape::Any),
    ("derived", Shape::Any),
];

/// Every field of an object that is unknown or of the wrong type, with
/// its path (`workload.layers[3].operand_precision_bits.W`), so that a
/// typo never surfaces as one error about the whole document.
fn check_object(
    obj: &serde_json::Map<String, serde_json::Value>,
    shapes: &[(&str, Shape)],
    path: &str,
    d: &mut Vec<Diagnostic>,
) {
    for (k, v) in obj {
        let p = format!("{path}.{k}");
        match shapes.iter().find(|(name, _)| name == k) {
            Some((_, shape)) => check_shape(v, *shape, &p, d),
            None => {
                let known: Vec<&str> = shapes.iter().map(|(n, _)| *n).collect();
                d.push(Diagnostic::new(
                    p,
                    format!(
                        "unknown field `{k}`; remove it or fix its spelling (known fields: {})",
                        known.join(", ")
                    ),
                ));
            }
        }
    }
}

fn check_shape(v: &serde_json::Value, shape: Shape, path: &str, d: &mut Vec<Diagnostic>) {
    use serde_json::Value;
    let wrong = |d: &mut Vec<Diagnostic>, want: &str| {
        d.push(Diagnostic::new(
            path,
            format!(
                "expected {want}, found {}; write {want}",
                crate::input::json::short(v)
            ),
        ))
    };
    let each = |d: &mut Vec<Diagnostic>, inner: Shape| match v {
        Value::Object(m) => {
            for (k, x) in m {
                check_shape(x, inner, &format!("{path}.{k}"), d);
            }
        }
        _ => wrong(d, "an object {...}"),
    };
    match shape {
        Shape::Any => {}
        Shape::Int if v.as_i64().is_none() => wrong(d, "a whole number"),
        Shape::UInt if v.as_u64().is_none() => wrong(d, "a whole number >= 0"),
        Shape::Str if !v.is_string() => wrong(d, "a string in double quotes"),
        Shape::OptStr if !(v.is_string() || v.is_null()) => wrong(d, "a string or null"),
        Shape::OptUInt if !(v.as_u64().is_some() || v.is_null()) => {
            wrong(d, "a whole number >= 0 or null")
        }
        Shape::ArrStr => match v {
            Value::Array(a) => {
                for (i, x) in a.iter().enumerate() {
                    check_shape(x, Shape::Str, &format!("{path}[{i}]"), d);
                }
            }
            _ => wrong(d, "an array of strings"),
        },
        Shape::MapUInt => each(d, Shape::UInt),
        Shape::MapStr => each(d, Shape::Str),
        Shape::MapArrInt => match v {
            Value::Object(m) => {
                for (k, x) in m {
                    let p = format!("{path}.{k}");
                    match x {
                        Value::Array(a) => {
                            for (i, id) in a.iter().enumerate() {
                                check_shape(id, Shape::Int, &format!("{p}[{i}]"), d);
                            }
                        }
                        _ => check_shape(x, Shape::ArrStr, &p, d),
                    }
                }
            }
            _ => wrong(d, "an object {...}"),
        },
        Shape::MapMapStr => match v {
            Value::Object(m) => {
                for (k, x) in m {
                    check_shape(x, Shape::MapStr, &format!("{path}.{k}"), d);
                }
            }
            _ => wrong(d, "an object {...}"),
        },
        _ => {}
    }
}

/// Unknown or mistyped fields of the document and of its layers
/// (informational reference fields such as `derived` or `stride` are known
/// and ignored), and a layer count over [`limits::MAX_LAYERS`].
fn shape_errors(v: &serde_json::Value) -> Vec<Diagnostic> {
    let mut d = Vec::new();
    let Some(o) = v.as_object() else {
        check_shape(v, Shape::MapStr, "workload", &mut d);
        return d;
    };
    check_object(o, TOP_SHAPES, "workload", &mut d);
    match o.get("layers") {
        Some(serde_json::Value::Array(ls)) if ls.len() > limits::MAX_LAYERS => {
            d.push(Diagnostic::new(
                "workload.layers",
                limits::exceeded(
                    "the number of layers",
                    ls.len(),
                    limits::MAX_LAYERS,
                    "the depth-first model plans every layer of a stack together",
                ),
            ));
        }
        Some(serde_json::Value::Array(ls)) => {
            for (i, l) in ls.iter().enumerate() {
                let p = format!("workload.layers[{i}]");
                match l.as_object() {
                    Some(lo) => {
                        check_object(lo, LAYER_SHAPES, &p, &mut d);
                        for key in ["id", "kind", "loop_dims"] {
                            if !lo.contains_key(key) {
                                d.push(Diagnostic::new(
                                    format!("{p}.{key}"),
                                    format!("missing field `{key}`; add it"),
                                ));
                            }
                        }
                    }
                    None => d.push(Diagnostic::new(
                        p,
                        "expected an object {...} per layer; write each layer as an object",
                    )),
                }
            }
        }
        Some(_) => d.push(Diagnostic::new(
            "workload.layers",
            "expected an array [...] of layers; write the layers as an array",
        )),
        None => d.push(Diagnostic::new(
            "workload.layers",
            "missing field `layers`; add the array of layers",
        )),
    }
    if o.get("name").is_none() {
        d.push(Diagnostic::new(
            "workload.name",
            "missing field `name`; add it",
        ));
    }
    d
}

/// Loop sizes and precisions of one layer within the limits.
fn check_sizes(l: &Layer, i: usize, diags: &mut Vec<Diagnostic>) {
    for (dim, size) in l.loop_dims.iter() {
        let path = format!("workload.layers[{i}].loop_dims.{dim}");
        if *size == 0 {
            diags.push(Diagnostic::new(
                path,
                "loop size is 0; every loop dimension needs a size of at least 1",
            ));
        } else if *size > limits::MAX_LOOP_SIZE {
            diags.push(Diagnostic::new(
                path,
                limits::exceeded(
                    "loop size",
                    size,
                    limits::MAX_LOOP_SIZE,
                    "no layer of a real network is larger along one dimension",
                ),
            ));
        }
    }
    let precisions = l
        .operand_precision_bits
        .iter()
        .map(|(op, b)| (format!("operand_precision_bits.{op}"), *b))
        .chain(
            l.precision_bits
                .map(|b| (String::from("precision_bits"), b)),
        );
    for (field, bits) in precisions {
        if bits > limits::MAX_PRECISION_BITS {
            diags.push(Diagnostic::new(
                format!("workload.layers[{i}].{field}"),
                limits::exceeded(
                    "precision (bits)",
                    bits,
                    limits::MAX_PRECISION_BITS,
                    "operands are at most 64 bits wide",
                ),
            ));
        }
    }
}

impl Layer {
    /// Product of all loop sizes; `None` on overflow.
    pub fn macs(&self) -> Option<u64> {
        self.loop_dims
            .iter()
            .try_fold(1u64, |acc, (_, s)| acc.checked_mul(*s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::presets;

    /// Totals from the reference README (`presets/REFERENCE-README.md`).
    #[test]
    fn preset_mac_totals_match_reference() {
        let expected = [
            ("fsrcnn", 8, 8_362_594_208u64),
            ("dmcnnvd", 20, 276_042_714_624),
            ("mccnn", 4, 52_278_792_192),
            ("mobilenetv1", 29, 1_891_288_512),
            ("resnet18", 28, 9_353_143_424),
        ];
        for (name, layers, total) in expected {
            let w = Workload::from_json(presets::workload(name).unwrap()).unwrap();
            assert_eq!(w.macs_per_layer().len(), layers, "{name}");
            assert_eq!(w.total_macs(), total, "{name}");
        }
    }

    #[test]
    fn fsrcnn_first_layer_macs() {
        let w = Workload::from_json(presets::workload("fsrcnn").unwrap()).unwrap();
        let l = &w.macs_per_layer()[0];
        assert_eq!((l.id, l.name.as_str(), l.macs), (0, "L0", 746_900_000));
    }

    #[test]
    fn zero_loop_size_is_reported_with_path() {
        let text = r#"{"name":"t","layers":[{"id":-1,"kind":"input","loop_dims":{"B":1}},
            {"id":0,"kind":"conv","loop_dims":{"B":1,"K":0}}]}"#;
        let d = Workload::from_json(text).unwrap_err();
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].path, "workload.layers[1].loop_dims.K");
        assert!(d[0].message.contains("at least 1"), "{}", d[0].message);
    }

    #[test]
    fn negative_loop_size_is_reported_with_path() {
        let text = r#"{"name":"t","layers":[{"id":0,"kind":"conv","loop_dims":{"B":1,"K":-3}}]}"#;
        let d = Workload::from_json(text).unwrap_err();
        assert_eq!(d[0].path, "workload.layers[0].loop_dims.K");
        assert!(d[0].message.contains("found -3"), "{}", d[0].message);
    }

    #[test]
    fn broken_json_is_a_diagnostic() {
        let d = Workload::from_json("{\"name\": ").unwrap_err();
        assert_eq!(d[0].path, "workload");
        assert!(d[0].message.contains("line 1"), "{}", d[0].message);
    }
}
