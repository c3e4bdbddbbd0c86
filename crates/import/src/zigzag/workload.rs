//! A ZigZag workload (a list of layers: `id`, `name`, `operator_type`,
//! `equation`, `dimension_relations`, `loop_dims`, `loop_sizes`,
//! `operand_precision`, `operand_source`) into the workload document
//! (`defines-reference-workload/1`), its layers written as the presets
//! write them.
//!
//! - ZigZag has no input layer: an operand whose `operand_source` is the
//!   layer's own id is constant. For the weights that is what the model
//!   calls `W` (`constant_operands`); for the activation input it is the
//!   network input, which becomes the input layer (id -1, `K` = the
//!   reader's channel count, `OY × OX` = what it reads, §1.1.1).
//! - A product's activation input becomes `I` and its constant input `W`
//!   (the depth-first model knows the weights by that name); an
//!   element-wise add (`O = A + B`) reads two layers, as the presets'
//!   `X` and `Y` (both in the `I1` memories, §1.3).
//! - `operand_source_dimension_mapping` (which the presets carry and
//!   ZigZag derives) maps the input's `IX`/`OX` to the producer's `OX`,
//!   `IY`/`OY` to `OY`, and its channel to the producer's channel.
//! - `kind` (informational) follows the weight's dimensions: `conv`,
//!   `pointwise_conv` (`W[k][c]`), `depthwise_conv` (`W[g]..`), `pooling`
//!   (kernel dimensions only), `elementwise_add`.
//! - `padding` and `pr_loop_*`: the model has no padding (docs/model.md
//!   §1.1.6); a layer keeps its output size and reads its padded border as
//!   real pixels of its producer. Each is accepted with a note.
//!
//! Refused: a product of two activations, an add of a constant, a layer
//! reading a later layer, dimensions the equation uses but no loop or
//! relation defines.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use serde_json::{json, Map, Value as Json};

use super::equation::{self, Relation};
use super::fields::{sub, Report};
use super::layer::{read_layer, size, Layer};
use super::yaml::{Node, Value};
use super::LayerKey;
use defines_model::limits;

/// The workload document and the layers' names and operator types (which
/// the mapping is looked up by).
pub(crate) fn convert(root: &Node, name: &str, r: &mut Report) -> Option<(Json, Vec<LayerKey>)> {
    let n0 = r.len();
    let items = match &root.value {
        Value::Seq(items) => items,
        other => {
            r.error(
                "",
                root.line,
                format!(
                    "expected a ZigZag workload (a list of layers), found {}",
                    other.kind()
                ),
            );
            return None;
        }
    };
    if items.is_empty() || items.len() >= limits::MAX_LAYERS {
        r.error(
            "",
            root.line,
            format!(
                "{} layers given; a workload has 1 to {} layers",
                items.len(),
                limits::MAX_LAYERS - 1
            ),
        );
        return None;
    }
    let mut layers: Vec<Layer> = Vec::new();
    for (i, n) in items.iter().enumerate() {
        if let Some(l) = read_layer(n, &format!("[{i}]"), r) {
            if l.id == -1 {
                r.error(
                    &sub(&l.path, "id"),
                    l.line,
                    "-1 is the id of the network input in this model; give the layer another id"
                        .into(),
                );
            } else if layers.iter().any(|o| o.id == l.id) {
                r.error(
                    &sub(&l.path, "id"),
                    l.line,
                    format!("the id {} is used twice; give every layer its own id", l.id),
                );
            }
            layers.push(l);
        }
    }
    if r.len() > n0 {
        return None;
    }
    let mut out = Vec::new();
    let mut input: Option<(u64, u64, u64, u64, String)> = None;
    for (i, l) in layers.iter().enumerate() {
        if let Some(j) = write_layer(l, &layers[..i], &mut input, r) {
            out.push(j);
        }
    }
    if r.len() > n0 {
        return None;
    }
    let Some((k, oy, ox, bits, _)) = input else {
        r.error("", root.line, "no layer reads the network input (an activation whose operand_source is the layer's own id); the model needs one".into());
        return None;
    };
    let macs = layers.iter().fold(0u64, |a, l| {
        a.saturating_add(l.loops.iter().fold(1u64, |m, (_, s)| m.saturating_mul(*s)))
    });
    let mut all = Vec::with_capacity(out.len() + 1);
    all.push(json!({
        "id": -1, "kind": "input", "label": null,
        "loop_dims": {"B": 1, "K": k, "OY": oy, "OX": ox},
        "precision_bits": bits,
        "memory_operand_links": {"O": "I1"},
        "core_allocation": 1
    }));
    all.extend(out);
    let keys = layers
        .iter()
        .map(|l| LayerKey {
            id: l.id,
            name: l.name.clone().unwrap_or_else(|| format!("Layer{}", l.id)),
            operator_type: l.op_type.clone(),
        })
        .collect();
    let doc = json!({
        "schema": "defines-reference-workload/1",
        "name": name,
        "layers": all,
        "totals": {"compute_layers": layers.len(), "all_entries_including_input": layers.len() + 1, "total_MACs": macs}
    });
    Some((doc, keys))
}

/// The producer's output dimension each data dimension of `input` reads.
fn dim_mapping(
    l: &Layer,
    input: &equation::Operand,
    producer_out: &[String],
) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    let mut channel = Vec::new();
    for d in input.dims.iter().filter(|d| *d != "B") {
        let spatial = match l.relations.iter().find(|rel| rel.input == *d) {
            Some(rel) => Some(rel.output.clone()),
            None => matches!(d.as_str(), "OX" | "OY").then(|| d.clone()),
        };
        match spatial {
            Some(s) if producer_out.contains(&s) => out.push((d.clone(), s)),
            Some(s) => return Err(format!("its input's `{}` reads the producer's `{s}`, which the producer's output does not have", d.to_ascii_lowercase())),
            None => channel.push(d.clone()),
        }
    }
    let rest: Vec<&String> = producer_out
        .iter()
        .filter(|p| *p != "B" && !out.iter().any(|(_, s)| s == *p))
        .collect();
    match (channel.as_slice(), rest.as_slice()) {
        ([c], [p]) => out.push((c.clone(), (*p).clone())),
        ([], []) => {}
        _ => return Err(format!("cannot match its input's dimensions {:?} with the producer's output {:?}: the model maps x, y and one channel dimension", input.dims, producer_out)),
    }
    Ok(out)
}

/// The extent of `d` of layer `l`'s input: a relation's `PRsize` or the
/// loop size.
fn extent(l: &Layer, d: &str) -> u64 {
    match l.relations.iter().find(|rel| rel.input == d) {
        Some(rel) => defines_model::num::pr_size(
            rel.stride,
            size(l, &rel.output) as f64,
            rel.dilation,
            size(l, &rel.kernel) as f64,
        ) as u64,
        None => size(l, d),
    }
}

/// One layer as the presets write it; registers the network input it
/// reads in `input` `(K, OY, OX, bits, first reader's path)`.
fn write_layer(
    l: &Layer,
    before: &[Layer],
    input: &mut Option<(u64, u64, u64, u64, String)>,
    r: &mut Report,
) -> Option<Json> {
    let eq = &l.eq;
    let add = eq.op == '+';
    let prec = |n: &str| l.precision.iter().find(|(k, _)| k == n).map(|(_, b)| *b);
    for need in ["O", "O_final", &eq.inputs[0].name, &eq.inputs[1].name] {
        if prec(need).is_none() {
            r.error(
                &sub(&l.path, "operand_precision"),
                l.line,
                format!("`{need}` has no precision; add `{need}: BITS`"),
            );
        }
    }
    for (k, _) in &l.precision {
        if !["O", "O_final", &eq.inputs[0].name, &eq.inputs[1].name].contains(&k.as_str()) {
            r.error(
                &format!("{}.operand_precision.{k}", l.path),
                l.line,
                format!("the equation has no operand `{k}`; remove it"),
            );
        }
    }
    // (model name, equation operand, source) per input, in equation order.
    let names: [&str; 2] = if add {
        if l.sources.iter().any(Option::is_none) {
            r.error(&sub(&l.path, "operand_source"), l.line, "an element-wise add here adds two layers' outputs; give both inputs a producing layer (a constant operand, its own id, is not supported)".into());
            return None;
        }
        ["X", "Y"]
    } else {
        match l.sources {
            [Some(_), Some(_)] => {
                r.error(&sub(&l.path, "operand_source"), l.line, "both inputs come from layers (a product of two activations); the model's layers multiply one activation by constant weights".into());
                return None;
            }
            [Some(_), None] => ["I", "W"],
            [None, Some(_)] => ["W", "I"],
            [None, None] if eq.inputs[0].name == "I" => ["I", "W"],
            [None, None] => ["W", "I"],
        }
    };
    for (o, n) in eq.inputs.iter().zip(names) {
        if o.name != n {
            r.note(
                &sub(&l.path, "equation"),
                l.line,
                format!("input `{}` is the model's `{n}`", o.name),
            );
        }
    }
    let mut sources = Map::new();
    let mut dmap = Map::new();
    for (i, (o, n)) in eq.inputs.iter().zip(names).enumerate() {
        if n == "W" {
            sources.insert(n.into(), json!([]));
            continue;
        }
        let (src, out_dims) = match l.sources[i] {
            None => (-1, ["B", "K", "OY", "OX"].map(String::from).to_vec()),
            Some(s) => match before.iter().find(|p| p.id == s) {
                Some(p) => (s, p.eq.output.dims.clone()),
                None => {
                    r.error(&format!("{}.operand_source.{}", l.path, o.name), l.line, format!("layer {s} is not listed before this layer; list every producer before its consumers"));
                    return None;
                }
            },
        };
        let m = match dim_mapping(l, o, &out_dims) {
            Ok(m) => m,
            Err(e) => {
                r.error(
                    &sub(&l.path, "equation"),
                    l.line,
                    format!("layer {} reads layer {src}, but {e}", l.id),
                );
                return None;
            }
        };
        if src == -1 {
            let chan = m
                .iter()
                .find(|(_, p)| p == "K")
                .map_or(1, |(c, _)| size(l, c));
            let ext = |p: &str| {
                m.iter()
                    .find(|(_, q)| q == p)
                    .map_or(1, |(c, _)| extent(l, c))
            };
            let (oy, ox, bits) = (ext("OY"), ext("OX"), prec(&o.name).unwrap_or(8));
            match input {
                None => *input = Some((chan, oy, ox, bits, l.path.clone())),
                Some((k, y, x, _, first)) => {
                    if *k != chan {
                        r.error(&sub(&l.path, "operand_source"), l.line, format!("this layer reads {chan} network-input channels, the layer at {first} reads {k}; the model has one network input"));
                    }
                    *y = (*y).max(oy);
                    *x = (*x).max(ox);
                }
            }
        }
        sources.insert(n.into(), json!([src]));
        dmap.insert(
            n.into(),
            Json::Object(m.into_iter().map(|(a, b)| (a, json!(b))).collect()),
        );
    }
    let [a, b] = &eq.inputs;
    let equation = format!(
        "{}{}{}{}{}",
        eq.output.text("O"),
        if eq.accumulates { "+=" } else { "=" },
        a.text(names[0]),
        eq.op,
        b.text(names[1])
    );
    let mut precision = Map::new();
    for k in ["O", "O_final"] {
        precision.insert(k.into(), json!(prec(k)?));
    }
    for (o, n) in eq.inputs.iter().zip(names) {
        precision.insert(n.into(), json!(prec(&o.name)?));
    }
    let links = if add {
        json!({"O": "O", "X": "I1", "Y": "I1"})
    } else {
        json!({"O": "O", "W": "I2", "I": "I1"})
    };
    let axis = |out: &str| l.relations.iter().find(|rel| rel.output == out);
    Some(json!({
        "id": l.id,
        "kind": kind(l, names),
        "label": l.name,
        "equation": equation,
        "equation_relations": l.relations.iter().map(Relation::text).collect::<Vec<_>>(),
        "input_index_relations": l.relations.iter().map(|rel| json!({
            "input_dim": rel.input, "output_dim": rel.output, "output_coeff_stride": rel.stride,
            "kernel_dim": rel.kernel, "kernel_coeff_dilation": rel.dilation
        })).collect::<Vec<_>>(),
        "loop_dims": Json::Object(l.loops.iter().map(|(n, s)| (n.clone(), json!(s))).collect()),
        "stride": {"x": axis("OX").map_or(1, |a| a.stride), "y": axis("OY").map_or(1, |a| a.stride)},
        "dilation": {"x": axis("OX").map_or(1, |a| a.dilation), "y": axis("OY").map_or(1, |a| a.dilation)},
        "operand_precision_bits": precision,
        "operand_sources": sources,
        "operand_source_dimension_mapping": dmap,
        "constant_operands": if add { json!([]) } else { json!(["W"]) },
        "memory_operand_links": links,
        "core_allocation": 1
    }))
}

/// The informational `kind`, from the weight's dimensions.
fn kind(l: &Layer, names: [&str; 2]) -> &'static str {
    if l.eq.op == '+' {
        return "elementwise_add";
    }
    let w = if names[0] == "W" {
        &l.eq.inputs[0]
    } else {
        &l.eq.inputs[1]
    };
    let has = |d: &str| w.dims.iter().any(|x| x == d);
    let kernel = l.relations.iter().any(|rel| has(&rel.kernel));
    if has("K") && has("C") {
        if kernel {
            "conv"
        } else {
            "pointwise_conv"
        }
    } else if has("G") {
        "depthwise_conv"
    } else if !has("K") && !has("C") {
        "pooling"
    } else {
        "conv"
    }
}
