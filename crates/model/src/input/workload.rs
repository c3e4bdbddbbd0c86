//! Workload (layer graph) input: the `defines-reference-workload/1` JSON of
//! the reference data, see `presets/REFERENCE-README.md`.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use serde::{Deserialize, Serialize};

use crate::diag::Diagnostic;
use crate::input::ordered::OrderedMap;

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
        let mut diags = unknown_fields(&v);
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
        for (i, l) in w.layers.iter().enumerate() {
            for (dim, size) in l.loop_dims.iter() {
                if *size == 0 {
                    diags.push(Diagnostic::new(
                        format!("workload.layers[{i}].loop_dims.{dim}"),
                        "loop size is 0; every loop dimension needs a size of at least 1",
                    ));
                }
            }
            if l.kind != "input" && l.macs().is_none() {
                diags.push(Diagnostic::new(
                    format!("workload.layers[{i}].loop_dims"),
                    "the product of the loop sizes does not fit in 64 bits; use smaller loop sizes",
                ));
            }
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

const TOP_FIELDS: &[&str] = &[
    "schema",
    "name",
    "paper_name",
    "layers",
    "totals",
    "per_hw_folder_differences_besides_spatial_mapping",
];

const LAYER_FIELDS: &[&str] = &[
    "id",
    "kind",
    "label",
    "equation",
    "equation_relations",
    "input_index_relations",
    "loop_dims",
    "stride",
    "dilation",
    "padding",
    "operand_precision_bits",
    "precision_bits",
    "operand_sources",
    "operand_source_dimension_mapping",
    "constant_operands",
    "memory_operand_links",
    "core_allocation",
    "derived",
];

/// Unknown keys of the document and of its layers (informational reference
/// fields such as `derived` or `stride` are known and ignored).
fn unknown_fields(v: &serde_json::Value) -> Vec<Diagnostic> {
    let mut d = Vec::new();
    fn check(
        d: &mut Vec<Diagnostic>,
        obj: &serde_json::Map<String, serde_json::Value>,
        known: &[&str],
        path: &str,
    ) {
        for k in obj.keys() {
            if !known.contains(&k.as_str()) {
                d.push(Diagnostic::new(
                    format!("{path}.{k}"),
                    format!(
                        "unknown field `{k}`; remove it or fix its spelling (known fields: {})",
                        known.join(", ")
                    ),
                ));
            }
        }
    }
    if let Some(o) = v.as_object() {
        check(&mut d, o, TOP_FIELDS, "workload");
        if let Some(ls) = o.get("layers").and_then(|l| l.as_array()) {
            for (i, l) in ls.iter().enumerate() {
                if let Some(lo) = l.as_object() {
                    check(&mut d, lo, LAYER_FIELDS, &format!("workload.layers[{i}]"));
                }
                for key in ["loop_dims", "operand_precision_bits"] {
                    if let Some(m) = l.get(key).and_then(|m| m.as_object()) {
                        for (k, x) in m {
                            if x.as_u64().is_none() {
                                d.push(Diagnostic::new(
                                    format!("workload.layers[{i}].{key}.{k}"),
                                    format!(
                                        "expected a whole number >= 0, found {}; write a non-negative integer",
                                        crate::input::json::short(x)
                                    ),
                                ));
                            }
                        }
                    }
                }
            }
        }
    }
    d
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
