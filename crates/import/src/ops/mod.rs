//! What each ONNX operator becomes: a layer, a pass-through, a fold, or
//! unsupported with the reason. The operators that make layers are in
//! `compute.rs`; the shape-only ones (reshapes, crops, paddings) in
//! `shape.rs`.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;

use crate::graph::{tensor_dims, tensor_ints, Attrs};
use crate::layers::{Draft, Kind};
use crate::report::{quote, Status};
use crate::Options;

mod compute;
mod shape;

/// Activations: the output of layer `src` as an ONNX tensor of `shape`,
/// which is `[1, c, h, w]` (spatial) or `[1, c*h*w]` (flattened).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Act {
    /// The producing layer (-1: the network input).
    pub src: i64,
    /// The producer's channel loop dimension (`K` or `G`).
    pub chan: &'static str,
    pub c: u64,
    pub h: u64,
    pub w: u64,
    pub shape: Vec<u64>,
}

impl Act {
    pub(crate) fn spatial(src: i64, chan: &'static str, c: u64, h: u64, w: u64) -> Act {
        Act {
            src,
            chan,
            c,
            h,
            w,
            shape: vec![1, c, h, w],
        }
    }

    pub(crate) fn is_spatial(&self) -> bool {
        self.shape == [1, self.c, self.h, self.w]
    }

    pub(crate) fn is_flat(&self) -> bool {
        let n = self.elements();
        self.shape == [1, n] || self.shape == [n]
    }

    pub(crate) fn elements(&self) -> u64 {
        self.c.saturating_mul(self.h).saturating_mul(self.w)
    }
}

/// What a tensor of the graph is to the importer.
#[derive(Clone, Debug)]
pub(crate) enum Value {
    Act(Act),
    /// An initializer or a `Constant`: its dimensions, and its values when
    /// it is a small integer tensor (shapes, axes, pads).
    Const {
        dims: Vec<u64>,
        ints: Option<Vec<i64>>,
    },
}

/// Why a node cannot be imported.
#[derive(Debug)]
pub(crate) enum Problem {
    /// The model cannot express it (the import fails, naming it).
    Unsupported(String),
    /// The file is inconsistent (a shape that does not fit); an error now.
    Invalid(String),
}

pub(crate) type Outcome = Result<(Status, Vec<Value>), Problem>;

/// The state of one import: the options, the opset, the layers so far.
pub(crate) struct Ctx<'a> {
    pub opts: &'a Options,
    pub opset: i64,
    pub layers: Vec<Draft>,
}

impl Ctx<'_> {
    pub(crate) fn next_id(&self) -> i64 {
        self.layers.len() as i64
    }

    pub(crate) fn kind_of(&self, id: i64) -> Option<Kind> {
        self.layers.iter().find(|l| l.id == id).map(|l| l.kind)
    }
}

/// One node, its display name and its inputs (`None`: an omitted optional
/// input).
pub(crate) struct NodeIn<'a> {
    pub node: &'a crate::onnx_proto::NodeProto,
    pub name: String,
    pub op: String,
    pub inputs: Vec<Option<Value>>,
    pub attrs: Attrs<'a>,
}

impl NodeIn<'_> {
    /// Input `i` as activations.
    pub(crate) fn act(&self, i: usize) -> Result<&Act, Problem> {
        match self.inputs.get(i) {
            Some(Some(Value::Act(a))) => Ok(a),
            Some(Some(Value::Const { .. })) => Err(Problem::Unsupported(format!(
                "its input {} is a constant, not the output of a layer; the model computes \
                 layers of the network's activations",
                i + 1
            ))),
            _ => Err(Problem::Invalid(format!(
                "node {} ({}) lacks its input {}; export the model again",
                quote(&self.name),
                self.op,
                i + 1
            ))),
        }
    }

    /// Input `i` as a constant's dimensions (a weight).
    pub(crate) fn const_dims(&self, i: usize, what: &str) -> Result<&[u64], Problem> {
        match self.inputs.get(i) {
            Some(Some(Value::Const { dims, .. })) => Ok(dims),
            Some(Some(Value::Act(_))) => Err(Problem::Unsupported(format!(
                "its {what} (input {}) is computed by the graph, not an initializer; the model's \
                 layers have constant weights",
                i + 1
            ))),
            _ => Err(Problem::Invalid(format!(
                "node {} ({}) lacks its {what} (input {}); export the model again",
                quote(&self.name),
                self.op,
                i + 1
            ))),
        }
    }

    /// Input `i` as a small integer constant (`None` when omitted).
    pub(crate) fn const_ints(&self, i: usize, what: &str) -> Result<Option<Vec<i64>>, Problem> {
        match self.inputs.get(i) {
            None | Some(None) => Ok(None),
            Some(Some(Value::Const { ints: Some(v), .. })) => Ok(Some(v.clone())),
            Some(Some(_)) => Err(Problem::Unsupported(format!(
                "its {what} (input {}) is not a constant list of integers; shapes computed by the \
                 graph are not evaluated: export with constant folding (torch.onnx.export(..., \
                 do_constant_folding=True)) or simplify the model (onnxsim)",
                i + 1
            ))),
        }
    }

    pub(crate) fn invalid(&self, what: String) -> Problem {
        Problem::Invalid(format!("node {} ({}): {what}", quote(&self.name), self.op))
    }
}

/// Element-wise activations: no cost in this model (the reference counts
/// none), shape unchanged.
const ACTIVATIONS: &[&str] = &[
    "Relu",
    "Clip",
    "LeakyRelu",
    "PRelu",
    "Sigmoid",
    "HardSigmoid",
    "Tanh",
    "HardSwish",
    "Elu",
    "Selu",
    "Celu",
    "Softplus",
    "Softsign",
    "Gelu",
    "Mish",
    "ThresholdedRelu",
    "Softmax",
    "LogSoftmax",
    "Identity",
    "Dropout",
];

/// Why common operators the model cannot express are refused.
const REFUSED: &[(&str, &str)] = &[
    ("Concat", "concatenation joins tensors along channels; the model's layers read one tensor, or two of one size (element-wise add)"),
    ("ConvTranspose", "a transposed convolution (upsampling) has no layer kind in this model"),
    ("Resize", "resizing (upsampling) has no layer kind in this model"),
    ("Upsample", "upsampling has no layer kind in this model"),
    ("Transpose", "a transpose moves data between dimensions (e.g. a channel shuffle); the model has no such layer"),
    ("DepthToSpace", "a pixel shuffle moves data between channels and pixels; the model has no such layer"),
    ("SpaceToDepth", "moves data between pixels and channels; the model has no such layer"),
    ("Split", "splitting a tensor has no layer kind in this model"),
    ("Mul", "an element-wise product of two activations (e.g. squeeze-excitation) has no layer kind; the model has element-wise add only"),
    ("Sub", "element-wise subtraction is not modelled; the model has element-wise add only"),
    ("Div", "element-wise division is not modelled; the model has element-wise add only"),
    ("Shape", "shape computations are not evaluated: export with constant folding (torch.onnx.export(..., do_constant_folding=True)) or simplify the model (onnxsim)"),
    ("Gather", "gathering (indexing) has no layer kind in this model"),
    ("ReduceMean", "a reduction has no layer kind; write a mean over pixels as GlobalAveragePool"),
    ("LSTM", "recurrent layers are not modelled"),
    ("GRU", "recurrent layers are not modelled"),
    ("Attention", "attention is not modelled"),
];

/// Imports one node.
pub(crate) fn apply(ctx: &mut Ctx, n: &NodeIn) -> Outcome {
    let op = n.op.as_str();
    match op {
        "Conv" => compute::conv(ctx, n),
        "MaxPool" | "AveragePool" => compute::pool(ctx, n),
        "GlobalAveragePool" | "GlobalMaxPool" => compute::global_pool(ctx, n),
        "Gemm" | "MatMul" => compute::fully_connected(ctx, n),
        "Add" => compute::add(ctx, n),
        "BatchNormalization" => batch_norm(ctx, n),
        "Constant" => constant(n),
        "Flatten" => shape::flatten(n),
        "Reshape" => shape::reshape(n),
        "Squeeze" | "Unsqueeze" => shape::squeeze(ctx, n),
        "Slice" => shape::slice(ctx, n),
        "Pad" => shape::pad(ctx, n),
        _ if ACTIVATIONS.contains(&op) => activation(n),
        _ => match REFUSED.iter().find(|(o, _)| *o == op) {
            Some((_, why)) if op == "Mul" || op == "Sub" || op == "Div" => {
                scale_or_refuse(ctx, n, why)
            }
            Some((_, why)) => Err(Problem::Unsupported((*why).to_string())),
            None => Err(Problem::Unsupported(format!(
                "`{op}` is not an operator this importer models (it models Conv, Gemm, MatMul, \
                 MaxPool, AveragePool, GlobalAveragePool, Add, and passes shape-only operators \
                 through)"
            ))),
        },
    }
}

/// Outputs beyond the first must be unused (Dropout's mask, BatchNorm's
/// running statistics, MaxPool's indices).
pub(crate) fn one_output(n: &NodeIn, v: Value) -> Result<Vec<Value>, Problem> {
    if n.node.output.iter().skip(1).any(|o| !o.is_empty()) && n.op != "Dropout" {
        return Err(Problem::Unsupported(format!(
            "it has {} outputs; the importer models its first output only (export in inference mode)",
            n.node.output.len()
        )));
    }
    Ok(vec![v])
}

fn activation(n: &NodeIn) -> Outcome {
    let a = n.act(0)?.clone();
    let what = match n.op.as_str() {
        "Identity" => "identity",
        "Dropout" => "dropout is the identity in inference",
        "Softmax" | "LogSoftmax" => "a normalization of the output, no cost in this model",
        _ => "activation function, no cost in this model",
    };
    let mut outs = vec![Value::Act(a)];
    if n.op == "Dropout" && n.node.output.len() > 1 {
        outs.push(Value::Const {
            dims: Vec::new(),
            ints: None,
        });
    }
    Ok((Status::PassedThrough(what.into()), outs))
}

fn batch_norm(ctx: &Ctx, n: &NodeIn) -> Outcome {
    let a = n.act(0)?.clone();
    match ctx.kind_of(a.src) {
        Some(k) if k.takes_scale() => Ok((
            Status::Folded(format!(
                "into layer {} ({}): a per-channel scale and shift of its output",
                a.src,
                k.name()
            )),
            one_output(n, Value::Act(a))?,
        )),
        k => Err(Problem::Unsupported(format!(
            "a batch normalization can only be folded into the convolution before it, and its \
             input comes from {}",
            match k {
                Some(k) => format!("layer {} ({})", a.src, k.name()),
                None => "the network input".into(),
            }
        ))),
    }
}

/// `Mul`/`Sub`/`Div` by a constant right after a convolution is a scale or
/// shift folded into it; anything else is refused with `why`.
fn scale_or_refuse(ctx: &Ctx, n: &NodeIn, why: &str) -> Outcome {
    let kinds: Vec<bool> = n
        .inputs
        .iter()
        .map(|v| matches!(v, Some(Value::Const { .. })))
        .collect();
    if let (Ok(a), [false, true]) = (n.act(0), kinds.as_slice()) {
        if let Some(k) = ctx.kind_of(a.src).filter(|k| k.takes_scale()) {
            return Ok((
                Status::Folded(format!(
                    "into layer {} ({}): a constant scale or shift of its output",
                    a.src,
                    k.name()
                )),
                vec![Value::Act(a.clone())],
            ));
        }
    }
    Err(Problem::Unsupported(why.into()))
}

fn constant(n: &NodeIn) -> Outcome {
    let v = if let Some(t) = n.attrs.tensor("value") {
        Value::Const {
            dims: tensor_dims(t).ok_or_else(|| n.invalid("a negative dimension".into()))?,
            ints: tensor_ints(t),
        }
    } else if let Some(v) = n.attrs.ints("value_ints").map_err(Problem::Invalid)? {
        Value::Const {
            dims: vec![v.len() as u64],
            ints: Some(v.to_vec()),
        }
    } else if n.attrs.has("value_int") {
        Value::Const {
            dims: Vec::new(),
            ints: Some(vec![n
                .attrs
                .int("value_int", 0)
                .map_err(Problem::Invalid)?]),
        }
    } else {
        Value::Const {
            dims: Vec::new(),
            ints: None,
        }
    };
    Ok((Status::Folded("a constant".into()), vec![v]))
}
