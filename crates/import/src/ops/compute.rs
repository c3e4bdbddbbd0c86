//! The operators that become layers: Conv, MaxPool/AveragePool,
//! GlobalAveragePool/GlobalMaxPool, Gemm/MatMul (fully connected) and Add.

use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use super::{one_output, Act, Ctx, NodeIn, Outcome, Problem, Value};
use crate::layers::{Draft, Kind, Source};
use crate::report::Status;
use crate::PointwiseForm;
use defines_model::limits::{MAX_LAYERS, MAX_LOOP_SIZE};

/// A 2-D sliding window: kernel, strides, dilations (each `(y, x)`), pads
/// `[y_begin, x_begin, y_end, x_end]`, and the output size it gives.
struct Window {
    kernel: (u64, u64),
    stride: (u64, u64),
    dilation: (u64, u64),
    pads: [u64; 4],
    out: (u64, u64),
}

fn pair(n: &NodeIn, name: &str) -> Result<(u64, u64), Problem> {
    match n.attrs.ints(name).map_err(Problem::Invalid)? {
        None => Ok((1, 1)),
        Some([y, x]) if *y >= 1 && *x >= 1 => Ok((*y as u64, *x as u64)),
        Some(v) if v.len() != 2 => Err(Problem::Unsupported(format!(
            "`{name}` has {} values; the model has 2-D windows only (rows and columns)",
            v.len()
        ))),
        Some(v) => Err(n.invalid(format!("`{name}` {v:?} must be at least 1"))),
    }
}

/// The window of a convolution or pooling over an `h × w` input
/// (`ceil`: the pooling's `ceil_mode`). ONNX output sizes: `floor` (or
/// `ceil`) of `(in + pads - D*(K-1) - 1) / S` plus 1.
fn window(n: &NodeIn, kernel: (u64, u64), h: u64, w: u64, ceil: bool) -> Result<Window, Problem> {
    let stride = pair(n, "strides")?;
    let dilation = pair(n, "dilations")?;
    let span = |k: u64, d: u64| d.saturating_mul(k.saturating_sub(1)).saturating_add(1);
    let (sy, sx) = (span(kernel.0, dilation.0), span(kernel.1, dilation.1));
    let auto = n
        .attrs
        .string("auto_pad", "NOTSET")
        .map_err(Problem::Invalid)?;
    let pads = match auto.as_str() {
        "NOTSET" | "" => match n.attrs.ints("pads").map_err(Problem::Invalid)? {
            None => [0; 4],
            Some(p) if p.len() == 4 && p.iter().all(|&v| v >= 0) => {
                [p[0] as u64, p[1] as u64, p[2] as u64, p[3] as u64]
            }
            Some(p) => return Err(n.invalid(format!("`pads` {p:?} must be 4 values >= 0"))),
        },
        "VALID" => [0; 4],
        "SAME_UPPER" | "SAME_LOWER" => {
            let total = |i: u64, s: u64, span: u64| {
                let out = i.div_ceil(s);
                ((out - 1) * s + span).saturating_sub(i)
            };
            let (ty, tx) = (total(h, stride.0, sy), total(w, stride.1, sx));
            if auto == "SAME_UPPER" {
                [ty / 2, tx / 2, ty - ty / 2, tx - tx / 2]
            } else {
                [ty - ty / 2, tx - tx / 2, ty / 2, tx / 2]
            }
        }
        other => return Err(n.invalid(format!("unknown auto_pad `{other}`"))),
    };
    let out = |i: u64, pb: u64, pe: u64, s: u64, span: u64| -> Option<u64> {
        let padded = i.checked_add(pb)?.checked_add(pe)?;
        let room = padded.checked_sub(span)?;
        let mut o = if ceil { room.div_ceil(s) } else { room / s } + 1;
        // ONNX: the last window of a ceil-mode pooling starts inside the input.
        if ceil && (o - 1) * s >= i + pb {
            o -= 1;
        }
        Some(o)
    };
    match (
        out(h, pads[0], pads[2], stride.0, sy),
        out(w, pads[1], pads[3], stride.1, sx),
    ) {
        (Some(oy), Some(ox)) if oy >= 1 && ox >= 1 => Ok(Window {
            kernel,
            stride,
            dilation,
            pads,
            out: (oy, ox),
        }),
        _ => Err(n.invalid(format!(
            "its {}×{} window (dilation {:?}) is larger than its padded {h}×{w} input",
            kernel.0, kernel.1, dilation
        ))),
    }
}

/// The note for a window with pads: what the layer reads of what it gets.
fn pads_note(win: &Window, h: u64, w: u64, reads: Option<(u64, u64)>) -> String {
    if win.pads == [0; 4] {
        return String::new();
    }
    let (ry, rx) = reads.unwrap_or((h, w));
    format!(
        "ONNX pads {:?} (top, left, bottom, right): the model has no padding, the layer reads \
         {ry}×{rx} of its {h}×{w} input and the evaluation computes what it reads (docs/model.md \
         §1.1.6)",
        win.pads
    )
}

/// Adds a layer after checking its loop sizes and the layer count.
fn push(ctx: &mut Ctx, d: Draft) -> Result<i64, Problem> {
    if ctx.layers.len() >= MAX_LAYERS {
        return Err(Problem::Unsupported(defines_model::limits::exceeded(
            "the number of layers",
            ctx.layers.len() + 1,
            MAX_LAYERS,
            "the depth-first model plans every layer of a stack together",
        )));
    }
    for (dim, v) in [
        ("K/G", d.k),
        ("C", d.c),
        ("OY", d.oy),
        ("OX", d.ox),
        ("FY", d.fy),
        ("FX", d.fx),
    ] {
        if v > MAX_LOOP_SIZE {
            return Err(Problem::Unsupported(defines_model::limits::exceeded(
                &format!("loop size {dim}"),
                v,
                MAX_LOOP_SIZE,
                "no layer of a real network is larger along one dimension",
            )));
        }
    }
    let id = d.id;
    ctx.layers.push(d);
    Ok(id)
}

fn spatial<'a>(n: &'a NodeIn) -> Result<&'a Act, Problem> {
    let a = n.act(0)?;
    if a.is_spatial() {
        Ok(a)
    } else {
        Err(Problem::Unsupported(format!(
            "its input has shape {:?}; it needs an image tensor [1, C, H, W]",
            a.shape
        )))
    }
}

fn layer_status(ctx: &Ctx, id: i64, note: String) -> Status {
    Status::Layer {
        id,
        kind: ctx.kind_of(id).map_or("", |k| k.name()).into(),
        note,
    }
}

pub(super) fn conv(ctx: &mut Ctx, n: &NodeIn) -> Outcome {
    let x = spatial(n)?.clone();
    let wd = n.const_dims(1, "weight")?;
    let [m, cg, kh, kw] = *wd else {
        return Err(Problem::Unsupported(format!(
            "its weight has {} dimensions; the model has 2-D convolutions only (a 4-D weight)",
            wd.len()
        )));
    };
    let group = n.attrs.int("group", 1).map_err(Problem::Invalid)?;
    let group = u64::try_from(group)
        .ok()
        .filter(|&g| g >= 1)
        .ok_or_else(|| n.invalid(format!("group {group} must be at least 1")))?;
    if cg.checked_mul(group) != Some(x.c) || m == 0 || kh == 0 || kw == 0 {
        return Err(n.invalid(format!(
            "its weight {wd:?} with group {group} does not fit its input's {} channels",
            x.c
        )));
    }
    if let Some(k) = n.attrs.ints("kernel_shape").map_err(Problem::Invalid)? {
        if k != [kh as i64, kw as i64] {
            return Err(n.invalid(format!("kernel_shape {k:?} differs from its weight {wd:?}")));
        }
    }
    let win = window(n, (kh, kw), x.h, x.w, false)?;
    let pointwise = kh == 1 && kw == 1;
    let mut note = String::new();
    let kind = if group == 1 && pointwise {
        match ctx.opts.pointwise {
            PointwiseForm::Direct if win.stride == (1, 1) => Kind::PointwiseDirect,
            PointwiseForm::Direct => {
                note = "strided, so written with input-index relations (the window form)".into();
                Kind::PointwiseWindow
            }
            PointwiseForm::Window => Kind::PointwiseWindow,
        }
    } else if group == 1 {
        Kind::Conv
    } else if group == x.c && m == x.c {
        Kind::Depthwise
    } else if group == x.c {
        return Err(Problem::Unsupported(format!(
            "a depthwise convolution with {} outputs per channel has no layer kind in this model \
             (its depthwise layer has one output per channel)",
            m / x.c.max(1)
        )));
    } else {
        return Err(Problem::Unsupported(format!(
            "a grouped convolution (group = {group} of {} channels) has no layer kind in this \
             model; it models group 1 (conv) and group = channels (depthwise)",
            x.c
        )));
    };
    let id = ctx.next_id();
    let d = Draft {
        id,
        kind,
        label: n.name.clone(),
        k: m,
        c: if kind == Kind::Depthwise { 1 } else { x.c },
        oy: win.out.0,
        ox: win.out.1,
        fy: kh,
        fx: kw,
        stride: win.stride,
        dilation: win.dilation,
        inputs: vec![Source {
            id: x.src,
            chan: x.chan,
        }],
    };
    let pn = pads_note(&win, x.h, x.w, d.reads());
    if !pn.is_empty() {
        if !note.is_empty() {
            note.push_str("; ");
        }
        note.push_str(&pn);
    }
    let id = push(ctx, d)?;
    let out = Act::spatial(id, kind.channel_dim(), m, win.out.0, win.out.1);
    Ok((layer_status(ctx, id, note), vec![Value::Act(out)]))
}

fn pooling_layer(ctx: &mut Ctx, n: &NodeIn, x: &Act, win: &Window, note: String) -> Outcome {
    let id = ctx.next_id();
    let d = Draft {
        id,
        kind: Kind::Pooling,
        label: n.name.clone(),
        k: x.c,
        c: 1,
        oy: win.out.0,
        ox: win.out.1,
        fy: win.kernel.0,
        fx: win.kernel.1,
        stride: win.stride,
        dilation: win.dilation,
        inputs: vec![Source {
            id: x.src,
            chan: x.chan,
        }],
    };
    let mut note = note;
    let pn = pads_note(win, x.h, x.w, d.reads());
    if !pn.is_empty() {
        note = if note.is_empty() {
            pn
        } else {
            format!("{note}; {pn}")
        };
    }
    let id = push(ctx, d)?;
    let out = Act::spatial(id, "G", x.c, win.out.0, win.out.1);
    let status = layer_status(ctx, id, note);
    Ok((status, one_output(n, Value::Act(out))?))
}

pub(super) fn pool(ctx: &mut Ctx, n: &NodeIn) -> Outcome {
    let x = spatial(n)?.clone();
    let kernel = match n.attrs.ints("kernel_shape").map_err(Problem::Invalid)? {
        Some([y, x]) if *y >= 1 && *x >= 1 => (*y as u64, *x as u64),
        Some(k) if k.len() != 2 => {
            return Err(Problem::Unsupported(format!(
                "a {}-D pooling window; the model has 2-D windows only",
                k.len()
            )))
        }
        k => return Err(n.invalid(format!("kernel_shape {k:?} must be 2 values >= 1"))),
    };
    let ceil = n.attrs.int("ceil_mode", 0).map_err(Problem::Invalid)? != 0;
    let win = window(n, kernel, x.h, x.w, ceil)?;
    let what = if n.op == "MaxPool" { "max" } else { "average" };
    let note = if ceil {
        format!("{what}, ceil_mode")
    } else {
        what.into()
    };
    pooling_layer(ctx, n, &x, &win, note)
}

pub(super) fn global_pool(ctx: &mut Ctx, n: &NodeIn) -> Outcome {
    let x = spatial(n)?.clone();
    let win = Window {
        kernel: (x.h, x.w),
        stride: (1, 1),
        dilation: (1, 1),
        pads: [0; 4],
        out: (1, 1),
    };
    let what = if n.op == "GlobalMaxPool" {
        "global max"
    } else {
        "global average"
    };
    pooling_layer(ctx, n, &x, &win, what.into())
}

/// Gemm and MatMul of a flattened activation `[1, N]` by a constant
/// weight: a `conv` with a 1×1 output whose kernel covers the flattened
/// map (`C` channels × `FY × FX` = its `h × w`), as resnet18's layer 27.
pub(super) fn fully_connected(ctx: &mut Ctx, n: &NodeIn) -> Outcome {
    let a = n.act(0)?.clone();
    if !a.is_flat() {
        return Err(Problem::Unsupported(format!(
            "its input has shape {:?}; a fully connected layer reads a flattened tensor [1, N] \
             (a MatMul over the last axis of an image has no layer kind)",
            a.shape
        )));
    }
    let wd = n.const_dims(1, "weight")?;
    let trans_b = n.op == "Gemm" && n.attrs.int("transB", 0).map_err(Problem::Invalid)? != 0;
    if n.op == "Gemm" && n.attrs.int("transA", 0).map_err(Problem::Invalid)? != 0 {
        return Err(Problem::Unsupported(
            "transA = 1 multiplies the transposed activations; the model's fully connected \
             layer reads [1, N]"
                .into(),
        ));
    }
    let (nin, k) = match (wd, trans_b) {
        (&[k, nin], true) | (&[nin, k], false) => (nin, k),
        _ => {
            return Err(Problem::Unsupported(format!(
                "its weight has {} dimensions; a fully connected layer has a 2-D weight",
                wd.len()
            )))
        }
    };
    if nin != a.elements() || k == 0 {
        return Err(n.invalid(format!(
            "its weight {wd:?} does not fit its input of {} values",
            a.elements()
        )));
    }
    let id = ctx.next_id();
    let d = Draft {
        id,
        kind: Kind::Conv,
        label: n.name.clone(),
        k,
        c: a.c,
        oy: 1,
        ox: 1,
        fy: a.h,
        fx: a.w,
        stride: (1, 1),
        dilation: (1, 1),
        inputs: vec![Source {
            id: a.src,
            chan: a.chan,
        }],
    };
    let id = push(ctx, d)?;
    let note =
        format!(
        "fully connected: {k} outputs of {} channels × {}×{} pixels, written as a conv with a 1×1 \
         output (as resnet18's layer 27){}",
        a.c,
        a.h,
        a.w,
        if n.inputs.len() > 2 { "; bias folded" } else { "" }
    );
    let out = Act {
        src: id,
        chan: "K",
        c: k,
        h: 1,
        w: 1,
        shape: vec![1, k],
    };
    Ok((layer_status(ctx, id, note), vec![Value::Act(out)]))
}

/// Add of two activations of one shape: `elementwise_add` (X = the first
/// input, Y = the second). A constant added right after a layer with
/// weights is its bias.
pub(super) fn add(ctx: &mut Ctx, n: &NodeIn) -> Outcome {
    let ins: Vec<Option<&Value>> = (0..2)
        .map(|i| n.inputs.get(i).and_then(Option::as_ref))
        .collect();
    let (x, y) = match (ins[0], ins[1]) {
        (Some(Value::Act(x)), Some(Value::Act(y))) => (x.clone(), y.clone()),
        (Some(Value::Act(a)), Some(Value::Const { .. }))
        | (Some(Value::Const { .. }), Some(Value::Act(a))) => {
            return match ctx.kind_of(a.src).filter(|k| k.takes_scale()) {
                Some(k) => Ok((
                    Status::Folded(format!(
                        "into layer {} ({}): a constant bias of its output",
                        a.src,
                        k.name()
                    )),
                    vec![Value::Act(a.clone())],
                )),
                None => Err(Problem::Unsupported(
                    "adding a constant is not modelled unless it is the bias of the layer before"
                        .into(),
                )),
            };
        }
        _ => return Err(n.invalid("it needs two inputs".into())),
    };
    let same = x.shape == y.shape && x.c == y.c && x.h == y.h && x.w == y.w;
    if !same || !(x.is_spatial() || (x.h == 1 && x.w == 1)) {
        return Err(Problem::Unsupported(format!(
            "an add of shapes {:?} and {:?}: the model's element-wise add reads two tensors of one \
             image shape (crop the larger one with a Slice first)",
            x.shape, y.shape
        )));
    }
    let id = ctx.next_id();
    let d = Draft {
        id,
        kind: Kind::Add,
        label: n.name.clone(),
        k: x.c,
        c: 1,
        oy: x.h,
        ox: x.w,
        fy: 1,
        fx: 1,
        stride: (1, 1),
        dilation: (1, 1),
        inputs: vec![
            Source {
                id: x.src,
                chan: x.chan,
            },
            Source {
                id: y.src,
                chan: y.chan,
            },
        ],
    };
    let id = push(ctx, d)?;
    let mut out = Act::spatial(id, "G", x.c, x.h, x.w);
    out.shape = x.shape.clone();
    let note = format!("X = layer {}, Y = layer {}", x.src, y.src);
    Ok((layer_status(ctx, id, note), vec![Value::Act(out)]))
}
