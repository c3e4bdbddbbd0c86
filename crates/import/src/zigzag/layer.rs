//! One ZigZag workload layer as read: its fields checked, its equation and
//! relations parsed, its dimensions checked against its loops.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::equation::{self, Equation, Relation};
use super::fields::{int_in, seq_of, show, str_of, sub, Fields, Report};
use super::yaml::{Node, Value};
use defines_model::limits;

const LAYER: &[&str] = &[
    "id",
    "name",
    "operator_type",
    "equation",
    "dimension_relations",
    "loop_dims",
    "loop_sizes",
    "operand_precision",
    "operand_source",
    "pr_loop_dims",
    "pr_loop_sizes",
    "padding",
];
const OPERATORS: &[&str] = &[
    "Max",
    "Conv",
    "Pooling",
    "Add",
    "Conv_downsample",
    "Gemm",
    "Pool",
    "MaxPool",
    "AveragePool",
    "GlobalAveragePool",
];

/// A layer as read, before it is written.
pub(crate) struct Layer {
    pub id: i64,
    pub path: String,
    pub line: usize,
    pub name: Option<String>,
    pub op_type: String,
    pub eq: Equation,
    pub relations: Vec<Relation>,
    pub loops: Vec<(String, u64)>,
    /// Precision per ZigZag operand name (O, O_final, inputs).
    pub precision: Vec<(String, u64)>,
    /// Per input (equation order): the producing layer, `None` = not a
    /// layer (its own id, or not listed).
    pub sources: [Option<i64>; 2],
}

pub(crate) fn read_layer(node: &Node, path: &str, r: &mut Report) -> Option<Layer> {
    let n0 = r.len();
    let mut f = Fields::new(node, path, r, "a layer")?;
    let id = f
        .req("id", r, "the layer's integer id, e.g. `id: 0`")
        .and_then(|n| match n.value {
            Value::Int(i) => Some(i),
            _ => {
                r.error(
                    &sub(path, "id"),
                    n.line,
                    format!("expected an integer id, found {}", show(n)),
                );
                None
            }
        });
    let name = f
        .get("name")
        .and_then(|n| str_of(n, &sub(path, "name"), r))
        .map(str::to_string);
    let op_type = f
        .req("operator_type", r, "e.g. `operator_type: Conv`")
        .and_then(|n| {
            let s = str_of(n, &sub(path, "operator_type"), r)?;
            if !OPERATORS.contains(&s) {
                r.error(
                    &sub(path, "operator_type"),
                    n.line,
                    format!(
                        "unknown operator type `{s}`; ZigZag's are {}",
                        OPERATORS.join(", ")
                    ),
                );
            }
            Some(s.to_string())
        });
    let eq = f
        .req(
            "equation",
            r,
            "e.g. `O[b][k][oy][ox]+=W[k][c][fy][fx]*I[b][c][iy][ix]`",
        )
        .and_then(|n| {
            let s = str_of(n, &sub(path, "equation"), r)?;
            equation::parse(s)
                .map_err(|e| r.error(&sub(path, "equation"), n.line, format!("`{s}`: {e}")))
                .ok()
        });
    let mut relations = Vec::new();
    if let Some(n) = f.get("dimension_relations") {
        let p = sub(path, "dimension_relations");
        for (i, item) in seq_of(n, &p, r).unwrap_or_default().iter().enumerate() {
            let ip = format!("{p}[{i}]");
            if let Some(s) = str_of(item, &ip, r) {
                match equation::relation(s) {
                    Ok(rel) => relations.push(rel),
                    Err(e) => r.error(&ip, item.line, format!("`{s}`: {e}")),
                }
            }
        }
    }
    let loops = read_loops(&mut f, path, r);
    let precision = f
        .req(
            "operand_precision",
            r,
            "bits per operand, e.g. {W: 8, I: 8, O: 16, O_final: 8}",
        )
        .and_then(|n| {
            let p = sub(path, "operand_precision");
            let mut pf = Fields::new(n, &p, r, "the operand precisions")?;
            let mut out = Vec::new();
            for (k, v) in pf.all() {
                if let Some(b) = int_in(
                    v,
                    &sub(&p, k),
                    0,
                    limits::MAX_PRECISION_BITS,
                    "no operand is wider",
                    r,
                ) {
                    out.push((k.clone(), b));
                }
            }
            Some(out)
        });
    let sources = f.get("operand_source").and_then(|n| {
        let p = sub(path, "operand_source");
        let mut sf = Fields::new(n, &p, r, "the operand sources")?;
        let mut out = Vec::new();
        for (k, v) in sf.all() {
            match v.value {
                Value::Int(i) => out.push((k.clone(), i, v.line)),
                _ => r.error(&sub(&p, k), v.line, format!("expected the id of the producing layer (or the layer's own id for a constant), found {}", show(v))),
            }
        }
        Some(out)
    });
    for key in ["padding", "pr_loop_dims", "pr_loop_sizes"] {
        if let Some(n) = f.get(key) {
            r.note(&sub(path, key), n.line, "not represented: the model has no padding (docs/model.md §1.1.6); the layer keeps its output size and its input extent follows from the relations (§1.1.4), so the padded border is computed as real pixels of the producer".into());
        }
    }
    f.finish(LAYER, r);
    let (id, eq, loops, precision) = (id?, eq?, loops?, precision?);
    if r.len() > n0 {
        return None;
    }
    let mut src: [Option<i64>; 2] = [None, None];
    for (k, s, line) in sources.unwrap_or_default() {
        match eq.inputs.iter().position(|o| o.name == k) {
            Some(i) => src[i] = (s != id).then_some(s),
            None => r.error(
                &format!("{path}.operand_source.{k}"),
                line,
                format!(
                    "the equation has no input `{k}`; its inputs are {} and {}",
                    eq.inputs[0].name, eq.inputs[1].name
                ),
            ),
        }
    }
    let l = Layer {
        id,
        path: path.to_string(),
        line: node.line,
        name,
        op_type: op_type?,
        eq,
        relations,
        loops,
        precision,
        sources: src,
    };
    check_dims(&l, r);
    (r.len() == n0).then_some(l)
}

/// `loop_dims` and `loop_sizes`, zipped.
fn read_loops(f: &mut Fields, path: &str, r: &mut Report) -> Option<Vec<(String, u64)>> {
    let dp = sub(path, "loop_dims");
    let sp = sub(path, "loop_sizes");
    let dims = seq_of(
        f.req("loop_dims", r, "e.g. [B, K, C, OY, OX, FY, FX]")?,
        &dp,
        r,
    )?;
    let sizes = seq_of(
        f.req(
            "loop_sizes",
            r,
            "one size per loop dimension, e.g. [1, 64, 3, 112, 112, 7, 7]",
        )?,
        &sp,
        r,
    )?;
    if dims.len() != sizes.len() {
        r.error(
            &sp,
            f.line,
            format!(
                "{} loop dimensions and {} loop sizes; give one size per dimension",
                dims.len(),
                sizes.len()
            ),
        );
        return None;
    }
    let mut out: Vec<(String, u64)> = Vec::new();
    for (i, (d, s)) in dims.iter().zip(sizes).enumerate() {
        let name = str_of(d, &format!("{dp}[{i}]"), r).map(str::to_ascii_uppercase);
        let size = int_in(
            s,
            &format!("{sp}[{i}]"),
            1,
            limits::MAX_LOOP_SIZE,
            "the model's loop-size bound",
            r,
        );
        if let (Some(name), Some(size)) = (name, size) {
            if out.iter().any(|(n, _)| *n == name) {
                r.error(
                    &format!("{dp}[{i}]"),
                    d.line,
                    format!("`{name}` is listed twice; list each loop dimension once"),
                );
            }
            out.push((name, size));
        }
    }
    Some(out)
}

/// Every dimension of the equation is a loop or a relation's input;
/// every relation names loops.
fn check_dims(l: &Layer, r: &mut Report) {
    let is_loop = |d: &str| l.loops.iter().any(|(n, _)| n == d);
    for rel in &l.relations {
        for d in [&rel.output, &rel.kernel] {
            if !is_loop(d) {
                r.error(&sub(&l.path, "dimension_relations"), l.line, format!("the relation `{}` uses `{}`, which is not in loop_dims; add it (size 1 if unused)", rel.text(), d.to_ascii_lowercase()));
            }
        }
    }
    for o in core::iter::once(&l.eq.output).chain(&l.eq.inputs) {
        for d in &o.dims {
            if !is_loop(d) && !l.relations.iter().any(|rel| rel.input == *d) {
                r.error(&sub(&l.path, "equation"), l.line, format!("`{}` of {} is neither in loop_dims nor defined by dimension_relations; add it", d.to_ascii_lowercase(), o.name));
            }
        }
    }
}

/// The loop size of `d` (1 when absent).
pub(crate) fn size(l: &Layer, d: &str) -> u64 {
    l.loops.iter().find(|(n, _)| n == d).map_or(1, |(_, s)| *s)
}
