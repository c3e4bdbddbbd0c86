//! ONNX import into the playground's workload document
//! (`defines-reference-workload/1`, `crates/model/presets/REFERENCE-README.md`),
//! and ZigZag's YAML accelerator, mapping and workload into the three
//! documents ([`zigzag`]).
//!
//! [`import`] takes the bytes of an `.onnx` file (no IO: native, CLI and
//! wasm32 alike) and returns the workload JSON, which
//! `defines_model::Workload::from_json` and `validate_json` accept, with an
//! import [`Report`]: one line per ONNX node saying what became of it
//! (`layer N`, `passed through`, `folded`, `unsupported: why`, `stopped
//! here`). Nothing is skipped silently; a node the model cannot express
//! fails the import with an error naming the first such node.
//!
//! The protobuf is decoded by prost with types generated from ONNX's own
//! `onnx.proto` (`onnx_proto`, committed; see `README.md`). Weight values
//! are never read: only initializer dimensions, and the values of small
//! integer constants (a Reshape's shape, a Slice's starts, a Pad's pads).
//!
//! # How operators map (the presets' conventions)
//!
//! | ONNX | workload layer |
//! |---|---|
//! | Conv, group 1, kernel > 1×1 | `conv` |
//! | Conv, group 1, 1×1 kernel | `pointwise_conv` ([`PointwiseForm`]) |
//! | Conv, group = channels = outputs | `depthwise_conv` |
//! | Gemm, MatMul (after Flatten/Reshape) | `conv` with a 1×1 output, `FY × FX` = the flattened map (resnet18's layer 27) |
//! | MaxPool, AveragePool, GlobalAveragePool, GlobalMaxPool | `pooling` (weight precision 0) |
//! | Add of two activations | `elementwise_add` (X = first input, Y = second) |
//! | BatchNormalization, Mul/Add/Sub/Div by a constant after a layer with weights | folded into that layer |
//! | activations, Identity, Dropout, Softmax | passed through |
//! | Flatten, Reshape, Squeeze, Unsqueeze (no data moved) | passed through |
//! | Slice of rows/columns (step 1), Pad of rows/columns | passed through (a crop / a padding, see below) |
//!
//! Anything else (Concat, ConvTranspose, Resize, Transpose, Mul of two
//! activations, grouped convolutions, ...) is unsupported.
//!
//! # Padding (docs/model.md §1.1.6)
//!
//! The model has no padding: every window is "valid" and a layer reads
//! `PRsize` = `(OX-1)·S + D·(FX-1) + 1` input columns (§1.1.4). An imported
//! layer keeps the ONNX output size; with pads (or after a Pad node) it
//! reads more than its producer makes. Validation accepts a producer
//! smaller than what its consumer reads, and the evaluation's full-size
//! back-propagation (§3.2, §3.3) then computes every producer as large as
//! it is read: the padded border is computed as real pixels, so `macs`
//! counts the ONNX network's MACs while `eval` evaluates a slightly larger
//! valid-convolution network. A Slice crop is the reverse: the consumer
//! reads less of its producer (the model has no offsets). A producer
//! larger than everything its consumers read (e.g. a stride-2 window that
//! drops the last column) is cut to what is read, as validation requires;
//! the report says so.

#![no_std]
#![forbid(unsafe_code)]

extern crate alloc;

pub mod limits;
pub mod mapping;
pub mod onnx_proto;
pub mod report;
pub mod zigzag;

mod boundary;
mod graph;
mod layers;
mod ops;

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

use graph::{declared_shape, node_name, Dim};
use ops::{Act, Ctx, NodeIn, Problem, Value};
use report::quote;
pub use report::{Line, Report, Status};

/// Bits per element of the imported layers' operands. The default is the
/// presets': 8-bit weights and activations, 16-bit partial sums, 8-bit
/// final outputs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Precision {
    /// `W` of every layer with weights (pooling weights are always 0 bits).
    pub weights: u64,
    /// `I`, `X`, `Y` and the network input's `precision_bits`.
    pub activations: u64,
    /// `O`: the partial sums while accumulating.
    pub partial_sums: u64,
    /// `O_final`: the output written for the next layer.
    pub output: u64,
}

impl Default for Precision {
    fn default() -> Self {
        Precision {
            weights: 8,
            activations: 8,
            partial_sums: 16,
            output: 8,
        }
    }
}

/// How a 1×1 convolution is written. The presets write it two ways, and
/// the model's numbers differ between them (the input's `OX`/`OY` are
/// relevant loops in one, partially relevant ones in the other, §1.1.3):
/// mobilenetv1 uses [`PointwiseForm::Window`], fsrcnn
/// [`PointwiseForm::Direct`]. Fully connected layers are always written
/// as resnet18's and mobilenetv1's (a `conv` with relations).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PointwiseForm {
    /// `FY = FX = 1` with the relations `ix=S*ox+1*fx` (mobilenetv1).
    #[default]
    Window,
    /// No `FY`/`FX`; the input indexed by the output pixel (fsrcnn). Only
    /// for stride 1; a strided 1×1 convolution is written as `Window`.
    Direct,
}

/// What an import may assume or override.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// The network input's `[N, C, H, W]`, replacing what the file
    /// declares (needed when it declares dynamic sizes). `N` must be 1.
    pub input_shape: Option<[u64; 4]>,
    pub precision: Precision,
    pub pointwise: PointwiseForm,
    /// The workload's `name`; default the graph's name, else `onnx`.
    pub name: Option<String>,
    /// Largest file accepted, in bytes ([`limits::MAX_ONNX_BYTES`]).
    pub max_bytes: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            input_shape: None,
            precision: Precision::default(),
            pointwise: PointwiseForm::default(),
            name: None,
            max_bytes: limits::MAX_ONNX_BYTES,
        }
    }
}

/// A successful import.
#[derive(Clone, Debug, PartialEq)]
pub struct Imported {
    /// The workload document.
    pub workload: serde_json::Value,
    pub report: Report,
}

impl Imported {
    /// The workload document as JSON text (pretty, ending in a newline).
    pub fn workload_text(&self) -> String {
        let mut s = serde_json::to_string_pretty(&self.workload).unwrap_or_default();
        s.push('\n');
        s
    }
}

/// A failed import: what is wrong and how to fix it, and the report of
/// the nodes seen so far (empty when the file could not be decoded).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportError {
    pub message: String,
    pub report: Report,
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// Imports an ONNX model (the file's bytes, copied once).
pub fn import(model: &[u8], options: &Options) -> Result<Imported, ImportError> {
    if model.len() > options.max_bytes {
        return Err(too_large(model.len(), options));
    }
    import_bytes(bytes::Bytes::copy_from_slice(model), options)
}

fn too_large(len: usize, options: &Options) -> ImportError {
    ImportError {
        message: defines_model::limits::exceeded(
            "the ONNX file's size in bytes",
            len,
            options.max_bytes,
            limits::MAX_ONNX_BYTES_WHY,
        ),
        report: Report::default(),
    }
}

/// [`import`] without the copy: weights' `raw_data` stay views of `model`.
pub fn import_bytes(model: bytes::Bytes, options: &Options) -> Result<Imported, ImportError> {
    if model.len() > options.max_bytes {
        return Err(too_large(model.len(), options));
    }
    let mut report = Report::default();
    let fail = |message: String, report: &Report| ImportError {
        message,
        report: report.clone(),
    };
    let m = graph::decode(model, options.max_bytes).map_err(|e| fail(e, &report))?;
    let opset = graph::opset(&m).map_err(|e| fail(e, &report))?;
    let Some(g) = m.graph.as_ref() else {
        return Err(fail("not an ONNX model: it has no graph".into(), &report));
    };
    graph::check_counts(g).map_err(|e| fail(e, &report))?;
    let order = graph::topological_order(g).map_err(|e| fail(e, &report))?;

    let mut values: BTreeMap<String, Value> = BTreeMap::new();
    for t in &g.initializer {
        let name = t.name.clone().unwrap_or_default();
        let dims = graph::tensor_dims(t)
            .filter(|d| d.len() <= limits::MAX_RANK)
            .ok_or_else(|| {
                fail(
                    format!(
                        "initializer {} has dimensions {:?}; they must be at most {} sizes >= 0",
                        quote(&name),
                        t.dims,
                        limits::MAX_RANK
                    ),
                    &report,
                )
            })?;
        values.insert(
            name,
            Value::Const {
                dims,
                ints: graph::tensor_ints(t),
            },
        );
    }
    for s in &g.sparse_initializer {
        let name = s
            .values
            .as_ref()
            .and_then(|v| v.name.clone())
            .unwrap_or_default();
        let dims = s
            .dims
            .iter()
            .map(|&d| u64::try_from(d).unwrap_or(0))
            .collect();
        values.insert(name, Value::Const { dims, ints: None });
    }
    let inputs: Vec<_> = g
        .input
        .iter()
        .filter(|v| !values.contains_key(v.name.as_deref().unwrap_or("")))
        .collect();
    let input = match inputs.as_slice() {
        [v] => *v,
        [] => return Err(fail("the graph has no input besides its initializers; the model needs the network's input image".into(), &report)),
        many => {
            let names: Vec<String> = many.iter().map(|v| quote(v.name.as_deref().unwrap_or(""))).collect();
            return Err(fail(
                format!(
                    "the graph has {} inputs ({}); the model takes one network input: keep one",
                    many.len(),
                    names.join(", ")
                ),
                &report,
            ));
        }
    };
    let input_name = input.name.clone().unwrap_or_default();
    let (mut input_layer, note) =
        boundary::input_shape(input, options).map_err(|e| fail(e, &report))?;
    report.push(
        &input_name,
        "input",
        Status::Layer {
            id: -1,
            kind: "input".into(),
            note,
        },
    );
    values.insert(
        input_name,
        Value::Act(Act::spatial(
            -1,
            "K",
            input_layer.k,
            input_layer.oy,
            input_layer.ox,
        )),
    );
    let mut declared: BTreeMap<&str, Vec<Dim>> = BTreeMap::new();
    if options.input_shape.is_none() {
        for v in g.value_info.iter().chain(&g.output) {
            if let (Some(n), Some(d)) = (v.name.as_deref(), declared_shape(v)) {
                declared.insert(n, d);
            }
        }
    }

    let mut ctx = Ctx {
        opts: options,
        opset,
        layers: Vec::new(),
    };
    let mut failed: BTreeMap<String, String> = BTreeMap::new();
    let mut first: Option<(String, String, String)> = None;
    for &i in &order {
        let n = &g.node[i];
        let name = node_name(n, i);
        let op = n.op_type.clone().unwrap_or_default();
        let mut ins = Vec::with_capacity(n.input.len());
        let mut upstream = None;
        for t in &n.input {
            if t.is_empty() {
                ins.push(None);
            } else if let Some(f) = failed.get(t) {
                upstream.get_or_insert((t.clone(), f.clone()));
                ins.push(None);
            } else if let Some(v) = values.get(t) {
                ins.push(Some(v.clone()));
            } else {
                return Err(fail(
                    format!(
                        "node {} ({op}) reads {}, which no node, initializer or graph input provides; the file is incomplete: export it again",
                        quote(&name),
                        quote(t)
                    ),
                    &report,
                ));
            }
        }
        let outcome = if let Some((t, f)) = upstream {
            let why = format!(
                "its input {} comes from node {}, which could not be imported",
                quote(&t),
                quote(&f)
            );
            report.push(&name, &op, Status::StoppedHere(why));
            for o in n.output.iter().filter(|o| !o.is_empty()) {
                failed.insert(o.clone(), f.clone());
            }
            continue;
        } else if !matches!(n.domain.as_deref(), None | Some("") | Some("ai.onnx")) {
            Err(Problem::Unsupported(format!(
                "operator `{op}` of domain `{}` is not a standard ONNX operator",
                n.domain.as_deref().unwrap_or("")
            )))
        } else {
            let attrs = graph::Attrs::new(n, &name).map_err(|e| fail(e, &report))?;
            let node_in = NodeIn {
                node: n,
                name: name.clone(),
                op: op.clone(),
                inputs: ins,
                attrs,
            };
            ops::apply(&mut ctx, &node_in)
        };
        match outcome {
            Ok((status, outs)) => {
                for (o, v) in n.output.iter().zip(outs) {
                    if let (Value::Act(a), Some(d)) = (&v, declared.get(o.as_str())) {
                        boundary::check_declared(&name, &op, o, a, d)
                            .map_err(|e| fail(e, &report))?;
                    }
                    if !o.is_empty() {
                        values.insert(o.clone(), v);
                    }
                }
                report.push(&name, &op, status);
            }
            Err(Problem::Unsupported(why)) => {
                first.get_or_insert((name.clone(), op.clone(), why.clone()));
                report.push(&name, &op, Status::Unsupported(why));
                for o in n.output.iter().filter(|o| !o.is_empty()) {
                    failed.insert(o.clone(), name.clone());
                }
            }
            Err(Problem::Invalid(msg)) => return Err(fail(msg, &report)),
        }
    }
    if let Some((node, op, why)) = first {
        let n = report.unsupported().count();
        return Err(fail(
            format!(
                "cannot model node {} ({op}): {why}; {}the import report lists every node",
                quote(&node),
                if n > 1 {
                    format!("{n} nodes are unsupported in all; ")
                } else {
                    String::new()
                }
            ),
            &report,
        ));
    }
    boundary::output_layer(g, &values, &ctx).map_err(|e| fail(e, &report))?;
    for (id, note) in layers::fit_to_consumers(&mut input_layer, &mut ctx.layers) {
        report.note_layer(id, &note);
    }
    let p = &options.precision;
    let mut layers_json = Vec::with_capacity(ctx.layers.len() + 1);
    layers_json.push(input_layer.to_json(p));
    layers_json.extend(ctx.layers.iter().map(|l| l.to_json(p)));
    let total = ctx
        .layers
        .iter()
        .fold(0u64, |a, l| a.saturating_add(l.macs()));
    let name = options
        .name
        .clone()
        .or_else(|| g.name.clone().filter(|n| !n.is_empty()))
        .unwrap_or_else(|| "onnx".to_string());
    let workload = serde_json::json!({
        "schema": "defines-reference-workload/1",
        "name": name,
        "layers": layers_json,
        "totals": {
            "compute_layers": ctx.layers.len(),
            "all_entries_including_input": ctx.layers.len() + 1,
            "total_MACs": total
        }
    });
    let imported = Imported { workload, report };
    if let Err(d) = defines_model::Workload::from_json(&imported.workload_text()) {
        let lines: Vec<String> = d.iter().map(|d| format!("{d}")).collect();
        return Err(fail(
            format!(
                "the imported network is not a valid workload: {}",
                lines.join("; ")
            ),
            &imported.report,
        ));
    }
    Ok(imported)
}
