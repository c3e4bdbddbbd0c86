//! Shape-only operators: Flatten, Reshape, Squeeze, Unsqueeze (no data
//! moves), Slice (a crop of rows and columns) and Pad (a padding of rows
//! and columns). None is a layer: the consumer reads its producer's output
//! at the new size (docs/model.md §1.1.6).

use alloc::format;
use alloc::vec::Vec;

use super::{Act, Ctx, NodeIn, Outcome, Problem, Value};
use crate::report::Status;

/// `a` seen with the ONNX shape `shape` (same element count): an image
/// `[1, C, H, W]`, or flattened `[1, C*H*W]` / `[C*H*W]`.
fn reshaped(n: &NodeIn, a: &Act, shape: Vec<u64>) -> Outcome {
    let count = shape.iter().try_fold(1u64, |p, &d| p.checked_mul(d));
    if count != Some(a.elements()) {
        return Err(n.invalid(format!(
            "it gives shape {shape:?} to a tensor of {} values",
            a.elements()
        )));
    }
    let image = [1, a.c, a.h, a.w];
    let flat = shape == [1, a.elements()] || shape == [a.elements()];
    let what = if shape == image && (a.is_spatial() || (a.h == 1 && a.w == 1)) {
        format!("the image shape {shape:?}")
    } else if flat {
        format!("flattened to {shape:?}")
    } else {
        return Err(Problem::Unsupported(format!(
            "reshaping {:?} to {shape:?} regroups channels and pixels; only flattening [1, C, H, W] \
             to [1, C*H*W] and adding or removing size-1 dimensions are modelled",
            a.shape
        )));
    };
    let mut out = a.clone();
    out.shape = shape;
    Ok((
        Status::PassedThrough(format!("{what}, no data moves")),
        alloc::vec![Value::Act(out)],
    ))
}

/// An axis in `0..rank` from ONNX's `-rank..rank`.
fn axis(n: &NodeIn, ax: i64, rank: usize) -> Result<usize, Problem> {
    let r = rank as i64;
    let a = if ax < 0 { ax + r } else { ax };
    if (0..r).contains(&a) {
        Ok(a as usize)
    } else {
        Err(n.invalid(format!("axis {ax} is outside a tensor of rank {rank}")))
    }
}

pub(super) fn flatten(n: &NodeIn) -> Outcome {
    let a = n.act(0)?;
    let rank = a.shape.len();
    let ax = n.attrs.int("axis", 1).map_err(Problem::Invalid)?;
    let ax = if ax == rank as i64 {
        rank
    } else {
        axis(n, ax, rank)?
    };
    let outer: u64 = a.shape[..ax].iter().product();
    let inner: u64 = a.shape[ax..].iter().product();
    reshaped(n, a, alloc::vec![outer, inner])
}

pub(super) fn reshape(n: &NodeIn) -> Outcome {
    let a = n.act(0)?;
    let target = n
        .const_ints(1, "shape")?
        .ok_or_else(|| n.invalid("it has no shape input".into()))?;
    let allow_zero = n.attrs.int("allowzero", 0).map_err(Problem::Invalid)? != 0;
    let mut shape = Vec::with_capacity(target.len());
    let mut infer = None;
    for (i, &t) in target.iter().enumerate() {
        match t {
            0 if !allow_zero => shape.push(*a.shape.get(i).ok_or_else(|| {
                n.invalid(format!(
                    "shape {target:?} copies a dimension {i} the input lacks"
                ))
            })?),
            -1 if infer.is_none() => {
                infer = Some(i);
                shape.push(1);
            }
            t if t >= 0 => shape.push(t as u64),
            _ => return Err(n.invalid(format!("shape {target:?} is not a valid target shape"))),
        }
    }
    if let Some(i) = infer {
        let known: u64 = shape.iter().product();
        if known == 0 || a.elements() % known != 0 {
            return Err(n.invalid(format!(
                "shape {target:?} does not divide {} values",
                a.elements()
            )));
        }
        shape[i] = a.elements() / known;
    }
    reshaped(n, a, shape)
}

pub(super) fn squeeze(ctx: &Ctx, n: &NodeIn) -> Outcome {
    let a = n.act(0)?;
    let axes = if ctx.opset >= 13 {
        n.const_ints(1, "axes")?
    } else {
        n.attrs
            .ints("axes")
            .map_err(Problem::Invalid)?
            .map(<[i64]>::to_vec)
    };
    let mut shape = a.shape.clone();
    if n.op == "Squeeze" {
        let axes: Vec<usize> = match axes {
            None => (0..shape.len()).filter(|&i| shape[i] == 1).collect(),
            Some(v) => v
                .iter()
                .map(|&x| axis(n, x, shape.len()))
                .collect::<Result<_, _>>()?,
        };
        if let Some(&bad) = axes.iter().find(|&&i| shape[i] != 1) {
            return Err(n.invalid(format!("it squeezes axis {bad} of size {}", shape[bad])));
        }
        shape = (0..shape.len())
            .filter(|i| !axes.contains(i))
            .map(|i| shape[i])
            .collect();
    } else {
        let v = axes.ok_or_else(|| n.invalid("it has no axes".into()))?;
        let rank = shape.len() + v.len();
        if rank > crate::limits::MAX_RANK {
            return Err(Problem::Unsupported(format!(
                "it makes a tensor of rank {rank}"
            )));
        }
        let mut axes: Vec<usize> = v
            .iter()
            .map(|&x| axis(n, x, rank))
            .collect::<Result<_, _>>()?;
        axes.sort_unstable();
        for i in axes {
            shape.insert(i.min(shape.len()), 1);
        }
    }
    reshaped(n, a, shape)
}

/// A crop or padding of rows and columns (a padding of channels too): the
/// consumer reads `c × h × w` of the same producer.
fn resized(a: &Act, c: u64, h: u64, w: u64, what: &str) -> Outcome {
    let out = Act::spatial(a.src, a.chan, c, h, w);
    let src = if a.src < 0 {
        "the network input".into()
    } else {
        format!("layer {}", a.src)
    };
    let (from, to) = if c == a.c {
        (format!("{}×{}", a.h, a.w), format!("{h}×{w}"))
    } else {
        (format!("{}×{}×{}", a.c, a.h, a.w), format!("{c}×{h}×{w}"))
    };
    Ok((
        Status::PassedThrough(format!(
            "{what} {from} to {to}: the model has no offsets or padding, its consumer reads {to} \
             of {src}'s output (docs/model.md §1.1.6)"
        )),
        alloc::vec![Value::Act(out)],
    ))
}

pub(super) fn slice(ctx: &Ctx, n: &NodeIn) -> Outcome {
    let a = n.act(0)?;
    if !a.is_spatial() {
        return Err(Problem::Unsupported(format!(
            "a slice of a tensor of shape {:?}; only crops of an image's rows and columns are modelled",
            a.shape
        )));
    }
    let list = |i: usize, attr: &str| -> Result<Option<Vec<i64>>, Problem> {
        if ctx.opset >= 10 {
            n.const_ints(i, attr)
        } else {
            Ok(n.attrs
                .ints(attr)
                .map_err(Problem::Invalid)?
                .map(<[i64]>::to_vec))
        }
    };
    let starts = list(1, "starts")?.ok_or_else(|| n.invalid("it has no starts".into()))?;
    let ends = list(2, "ends")?.ok_or_else(|| n.invalid("it has no ends".into()))?;
    let axes = list(3, "axes")?.unwrap_or_else(|| (0..starts.len() as i64).collect());
    let steps = if ctx.opset >= 10 {
        n.const_ints(4, "steps")?
    } else {
        None
    };
    if ends.len() != starts.len() || axes.len() != starts.len() {
        return Err(n.invalid("starts, ends and axes differ in length".into()));
    }
    let mut dims = [a.c, a.h, a.w];
    for (i, (&s, &e)) in starts.iter().zip(&ends).enumerate() {
        let ax = axis(n, axes[i], 4)?;
        let step = steps.as_ref().and_then(|v| v.get(i)).copied().unwrap_or(1);
        if step != 1 {
            return Err(Problem::Unsupported(format!(
                "a slice with step {step} skips rows or columns; only crops (step 1) are modelled"
            )));
        }
        let full = a.shape[ax] as i64;
        let clamp = |v: i64| {
            if v < 0 {
                (v + full).max(0)
            } else {
                v.min(full)
            }
        };
        let len = (clamp(e) - clamp(s)).max(0) as u64;
        if len == a.shape[ax] {
            continue;
        }
        if ax < 2 {
            return Err(Problem::Unsupported(format!(
                "a slice of the {} keeps {len} of {full}; only crops of rows and columns are modelled",
                if ax == 0 { "batch" } else { "channels" }
            )));
        }
        if len == 0 {
            return Err(n.invalid(format!("it keeps nothing of axis {ax}")));
        }
        dims[ax - 1] = len;
    }
    resized(a, a.c, dims[1], dims[2], "crop")
}

pub(super) fn pad(ctx: &Ctx, n: &NodeIn) -> Outcome {
    let a = n.act(0)?;
    if !a.is_spatial() {
        return Err(Problem::Unsupported(format!(
            "padding a tensor of shape {:?}; only paddings of an image's rows and columns are modelled",
            a.shape
        )));
    }
    let pads = if ctx.opset >= 11 {
        n.const_ints(1, "pads")?
    } else {
        n.attrs
            .ints("pads")
            .map_err(Problem::Invalid)?
            .map(<[i64]>::to_vec)
    }
    .ok_or_else(|| n.invalid("it has no pads".into()))?;
    let axes: Vec<usize> = match if ctx.opset >= 18 {
        n.const_ints(3, "axes")?
    } else {
        None
    } {
        Some(v) => v.iter().map(|&x| axis(n, x, 4)).collect::<Result<_, _>>()?,
        None => (0..4).collect(),
    };
    if pads.len() != 2 * axes.len() {
        return Err(n.invalid(format!("pads {pads:?} does not have 2 values per axis")));
    }
    let mut size = [1i64, a.c as i64, a.h as i64, a.w as i64];
    for (i, &ax) in axes.iter().enumerate() {
        let (b, e) = (pads[i], pads[i + axes.len()]);
        if (ax == 0 && (b != 0 || e != 0)) || (ax == 1 && (b < 0 || e < 0)) {
            return Err(Problem::Unsupported(format!(
                "it {} the {}; only paddings of rows, columns and channels are modelled",
                if ax == 0 { "pads" } else { "crops" },
                if ax == 0 { "batch" } else { "channels" }
            )));
        }
        size[ax] = size[ax].saturating_add(b).saturating_add(e);
    }
    let max = defines_model::limits::MAX_LOOP_SIZE as i64;
    let (c, h, w) = (size[1], size[2], size[3]);
    if [c, h, w].iter().any(|&v| v < 1 || v > max) {
        return Err(n.invalid(format!("pads {pads:?} give a {c}×{h}×{w} tensor")));
    }
    let mode = n
        .attrs
        .string("mode", "constant")
        .map_err(Problem::Invalid)?;
    let what = if mode == "constant" {
        "zero padding".into()
    } else {
        format!("{mode} padding")
    };
    resized(a, c as u64, h as u64, w as u64, &what)
}
