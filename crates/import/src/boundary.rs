//! The network's boundary: its input layer (from the graph input or the
//! options), the shapes the file declares for node outputs, and its one
//! output layer.

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use crate::graph::{declared_shape, Dim};
use crate::layers::InputLayer;
use crate::ops::{Act, Ctx, Value};
use crate::report::quote;
use crate::Options;

/// The network input layer from the graph input (or the override).
pub(crate) fn input_shape(
    v: &crate::onnx_proto::ValueInfoProto,
    o: &Options,
) -> Result<(InputLayer, String), String> {
    let name = quote(v.name.as_deref().unwrap_or(""));
    let declared = declared_shape(v);
    let fix = "give its shape with --input-shape 1xCxHxW (Options::input_shape)";
    if let Some(d) = declared.as_ref().filter(|d| d.len() != 4) {
        return Err(format!(
            "input {name} has {} dimensions; the model's network input is an image [N, C, H, W]",
            d.len()
        ));
    }
    let (shape, note) = match (o.input_shape, &declared) {
        (Some([n, c, h, w]), d) => {
            if n != 1 {
                return Err(format!("the input shape's batch is {n}; the model evaluates batch 1: give 1x{c}x{h}x{w}"));
            }
            if let Some(Dim::Value(dc)) = d.as_ref().map(|d| d[1].clone()) {
                if dc != c as i64 {
                    return Err(format!("input {name} has {dc} channels, the input shape gives {c}; give 1x{dc}x{h}x{w}"));
                }
            }
            ([c, h, w], format!("shape 1×{c}×{h}×{w} from the options"))
        }
        (None, None) => return Err(format!("input {name} declares no shape; {fix}")),
        (None, Some(d)) => {
            let mut note = String::new();
            match &d[0] {
                Dim::Value(1) => {}
                Dim::Value(b) => return Err(format!("input {name} has batch size {b}; the model evaluates batch 1: export with batch 1 or {fix}")),
                Dim::Param(p) => note = format!("batch `{p}` set to 1"),
                Dim::Unknown => note = "batch set to 1".into(),
            }
            let mut s = [0u64; 3];
            for (k, dim) in d[1..].iter().enumerate() {
                s[k] = match dim {
                    Dim::Value(v) if *v >= 1 => *v as u64,
                    Dim::Value(v) => {
                        return Err(format!(
                            "input {name} has size {v} in dimension {}; sizes are at least 1",
                            k + 1
                        ))
                    }
                    Dim::Param(p) => {
                        return Err(format!(
                            "input {name} has a dynamic size `{p}` in dimension {}; {fix}",
                            k + 1
                        ))
                    }
                    Dim::Unknown => {
                        return Err(format!(
                            "input {name} has an unknown size in dimension {}; {fix}",
                            k + 1
                        ))
                    }
                };
            }
            (s, note)
        }
    };
    let [c, h, w] = shape;
    if let Some(&big) = shape
        .iter()
        .find(|&&s| s > defines_model::limits::MAX_LOOP_SIZE || s == 0)
    {
        return Err(defines_model::limits::exceeded(
            &format!("input {name}: size"),
            big,
            defines_model::limits::MAX_LOOP_SIZE,
            "no real network input is larger along one dimension (and sizes are at least 1)",
        ));
    }
    let label = v.name.clone().unwrap_or_default();
    Ok((
        InputLayer {
            label,
            k: c,
            oy: h,
            ox: w,
        },
        note,
    ))
}

/// A node output's computed shape against what the file declares for it.
pub(crate) fn check_declared(
    node: &str,
    op: &str,
    tensor: &str,
    a: &Act,
    d: &[Dim],
) -> Result<(), String> {
    let fits = d.len() == a.shape.len()
        && d.iter()
            .zip(&a.shape)
            .all(|(d, &s)| !matches!(d, Dim::Value(v) if *v != s as i64));
    if fits {
        Ok(())
    } else {
        Err(format!(
            "node {} ({op}): the file declares {} as {:?}, its inputs and attributes give {:?}; the file is inconsistent: run onnx.shape_inference or export it again",
            quote(node),
            quote(tensor),
            d,
            a.shape
        ))
    }
}

/// The one layer the graph outputs; every layer must lead to it.
pub(crate) fn output_layer(
    g: &crate::onnx_proto::GraphProto,
    values: &BTreeMap<String, Value>,
    ctx: &Ctx,
) -> Result<i64, String> {
    let mut srcs: Vec<i64> = Vec::new();
    for o in &g.output {
        let name = o.name.as_deref().unwrap_or("");
        match values.get(name) {
            Some(Value::Act(a)) if !srcs.contains(&a.src) => srcs.push(a.src),
            Some(Value::Act(_)) => {}
            _ => {
                return Err(format!(
                    "graph output {} is not computed from the network input; remove it",
                    quote(name)
                ))
            }
        }
    }
    let out = match srcs.as_slice() {
        [-1] | [] => return Err("the graph has no layer the model evaluates (its output is its input)".into()),
        [id] => *id,
        many => return Err(format!("the graph's outputs come from {} different layers ({:?}); the depth-first model evaluates a network with one output layer: keep one output", many.len(), many)),
    };
    for l in &ctx.layers {
        if l.id != out
            && !ctx
                .layers
                .iter()
                .any(|c| c.inputs.iter().any(|s| s.id == l.id))
        {
            return Err(format!(
                "layer {} (node {}) does not lead to the graph output; the model evaluates a network with one output layer: remove the node or make it an output",
                l.id,
                quote(&l.label)
            ));
        }
    }
    Ok(out)
}
