//! Stack cuts (docs/model.md §3.1, the weight-overflow rule) and the stacks
//! they give, with their stack input nodes (§3.2). Quirk: Q36 (a cut at
//! layer id 0 counts as no cut, unless fixed).

use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use super::graph::{input_spec, tensor_dims, Graph, Node};
use crate::fixes::Fixes;
use crate::scenario::validate::ValidScenario;
use crate::vec_map::find_or_push;

/// §3.1: the layer weight budget rule. Returns the cut list (cut after each
/// listed layer id).
pub(crate) fn auto_cuts(g: &Graph, sc: &ValidScenario) -> Vec<i64> {
    let Some(topo) = g.topo() else {
        return Vec::new();
    };
    let units = undividable_units(g, &topo);
    let cap = weight_capacity(g, sc);
    let mut cuts: Vec<i64> = Vec::new();
    let mut run: u128 = 0;
    let mut last: Option<i64> = None;
    for u in &units {
        let wu = unit_weight_bits(g, u);
        if wu > cap {
            if let Some(l) = last {
                if cuts.last() != Some(&l) {
                    cuts.push(l);
                }
            }
            cuts.extend(u.iter().map(|&n| g.nodes[n].id));
            run = 0;
        } else if run.saturating_add(wu) > cap {
            if let Some(l) = last {
                cuts.push(l);
            }
            run = wu;
        } else {
            run = run.saturating_add(wu);
        }
        last = u.last().map(|&n| g.nodes[n].id);
    }
    cuts
}

/// The undividable units of §3.1: runs of nodes in topological order that
/// end where only one branch is live.
fn undividable_units(g: &Graph, topo: &[usize]) -> Vec<Vec<usize>> {
    let mut units: Vec<Vec<usize>> = vec![Vec::new()];
    let mut branches: i64 = 1;
    for (k, &n) in topo.iter().enumerate() {
        if k == 0 {
            units[0].push(n);
            continue;
        }
        branches -= g.pred[n].len() as i64 - 1;
        if let Some(u) = units.last_mut() {
            u.push(n);
        }
        if branches == 1 {
            units.push(Vec::new());
        }
        branches += g.succ[n].len() as i64 - 1;
    }
    if units.last().is_some_and(Vec::is_empty) {
        units.pop();
    }
    units
}

/// The weight budget: the size of the second-highest level of the weight
/// memory operand, that of the first layer in insertion (file) order that
/// has constant operands (0 without one).
pub(crate) fn weight_capacity(g: &Graph, sc: &ValidScenario) -> u128 {
    let wmo = (0..g.nodes.len()).find_map(|n| {
        let s = &g.nodes[n].spec;
        if g.nodes[n].is_input {
            return None;
        }
        s.operands
            .iter()
            .find(|o| o.is_constant)
            .map(|o| o.mem_op.clone())
    });
    let hw = &sc.hardware;
    wmo.and_then(|m| hw.mem_op_index(&m))
        .map(|mo| {
            let lv = hw.levels_of(mo);
            if lv.len() >= 2 {
                hw.levels[lv[lv.len() - 2]].size_bits as u128
            } else {
                0
            }
        })
        .unwrap_or(0)
}

/// The constant-operand bits of the layers of a unit (or of any set of
/// nodes, e.g. a stack).
pub(crate) fn unit_weight_bits(g: &Graph, u: &[usize]) -> u128 {
    u.iter()
        .map(|&n| node_weight_bits(g, n))
        .fold(0u128, |a, x| a.saturating_add(x))
}

/// The constant-operand bits of node `n` (0 for an input node).
pub(crate) fn node_weight_bits(g: &Graph, n: usize) -> u128 {
    if g.nodes[n].is_input {
        return 0;
    }
    let s = &g.nodes[n].spec;
    s.operands
        .iter()
        .enumerate()
        .filter(|(_, o)| o.is_constant)
        .map(|(k, o)| s.size_elems(k).saturating_mul(o.precision_bits as u128))
        .fold(0u128, |a, x| a.saturating_add(x))
}

/// The network's input layer, which every stack input node copies (id,
/// memory operand).
struct NetworkInput {
    id: i64,
    mem_op: String,
}

/// The consumers `(node, operand)` of one producer removed by a cut: they
/// get one stack input node together.
struct CutProducer {
    producer: usize,
    uses: Vec<(usize, usize)>,
}

/// §3.2: the stacks for a cut list, each a graph whose only sink is the
/// stack's output layer. Stacks consisting only of input nodes are dropped
/// (they cost nothing). `fixes.cut_after_layer_zero` fixes Q36.
pub(crate) fn stacks(g: &Graph, cuts: &[i64], fixes: Fixes) -> Result<Vec<Graph>, String> {
    let q36 = !fixes.cut_after_layer_zero;
    let topo = g.topo().ok_or("the layer graph has a cycle")?;
    let last_id = topo.last().map(|&i| g.nodes[i].id);
    let input_node = topo
        .iter()
        .copied()
        .find(|&i| g.nodes[i].is_input)
        .ok_or("the network has no input layer")?;
    let input = NetworkInput {
        id: g.nodes[input_node].id,
        mem_op: g.nodes[input_node].spec.operands[0].mem_op.clone(),
    };
    let befores = core::iter::once(None).chain(cuts.iter().copied().map(Some));
    let afters = cuts.iter().copied().map(Some).chain(core::iter::once(None));
    let mut out = Vec::new();
    let mut n_inputs = 0usize;
    for (before, after) in befores.zip(afters) {
        if before.is_some() && before == last_id {
            continue;
        }
        // Q36: the reference tests cut ids by truthiness; id 0 is no cut.
        let before = before.filter(|&b| !q36 || b != 0);
        let after = after.filter(|&a| !q36 || a != 0);
        let w = match before {
            Some(b) => cut_before(g, b, &input, &mut n_inputs)?,
            None => g.clone(),
        };
        let s = cut_after(&w, after)?;
        if s.nodes.iter().all(|n| n.is_input) {
            continue;
        }
        check_stack(&s)?;
        out.push(s);
    }
    Ok(out)
}

/// The graph without the layer `b` and its ancestors, each removed producer
/// that feeds a successor of `b` replaced by a new stack input node
/// (numbered on from `n_inputs`).
fn cut_before(
    g: &Graph,
    b: i64,
    input: &NetworkInput,
    n_inputs: &mut usize,
) -> Result<Graph, String> {
    let mut w = g.clone();
    let mut keep = vec![true; w.nodes.len()];
    let bi = g
        .index_of(b)
        .ok_or_else(|| format!("cut at unknown layer {b}"))?;
    let mut del = g.ancestors(bi);
    del[bi] = true;
    for group in cut_producers(g, bi, &del) {
        *n_inputs += 1;
        add_stack_input(g, &mut w, &mut keep, input, *n_inputs, &group.uses);
    }
    for (i, d) in del.iter().enumerate() {
        if *d {
            keep[i] = false;
        }
    }
    Ok(w.keep(&keep))
}

/// One group per distinct deleted producer feeding a successor of `bi`,
/// in order of first use.
fn cut_producers(g: &Graph, bi: usize, del: &[bool]) -> Vec<CutProducer> {
    let mut groups: Vec<CutProducer> = Vec::new();
    for &s in &g.succ[bi] {
        for &(k, p) in &g.nodes[s].srcs {
            if del[p] {
                let i = find_or_push(
                    &mut groups,
                    |x| x.producer == p,
                    || CutProducer {
                        producer: p,
                        uses: Vec::new(),
                    },
                );
                groups[i].uses.push((s, k));
            }
        }
    }
    groups
}

/// The tensor of a stack input node read by `uses`: per producer dimension
/// the largest extent (the smallest for channels), and the largest
/// precision.
fn stack_input_dims(g: &Graph, uses: &[(usize, usize)]) -> (Vec<(String, u64)>, u64) {
    let mut dims: Vec<(String, u64)> = Vec::new();
    let mut prec = 0;
    for &(s, k) in uses {
        let sn = &g.nodes[s];
        prec = prec.max(sn.spec.operands[k].precision_bits);
        for (d, e) in tensor_dims(&sn.spec, k, &sn.full) {
            let name = sn.dmap[k]
                .iter()
                .find(|m| m.0 == d)
                .map(|m| m.1.clone())
                .unwrap_or(d);
            let e = e.max(1) as u64;
            let channel = matches!(name.as_str(), "C" | "K" | "G");
            match dims.iter_mut().find(|x| x.0 == name) {
                Some(x) => x.1 = if channel { x.1.min(e) } else { x.1.max(e) },
                None => dims.push((name, e)),
            }
        }
    }
    (dims, prec)
}

/// Appends stack input node number `number` to `w` (kept) and re-links
/// `uses` to it.
fn add_stack_input(
    g: &Graph,
    w: &mut Graph,
    keep: &mut Vec<bool>,
    input: &NetworkInput,
    number: usize,
    uses: &[(usize, usize)],
) {
    let (dims, prec) = stack_input_dims(g, uses);
    let spec = input_spec(input.id, dims, prec, &input.mem_op);
    let idx = w.nodes.len();
    w.nodes.push(Node {
        id: input.id,
        name: format!("substack_input_layer_{number}"),
        is_input: true,
        full: spec.sizes.clone(),
        spec,
        srcs: Vec::new(),
        dmap: vec![Vec::new()],
    });
    w.succ.push(Vec::new());
    w.pred.push(Vec::new());
    keep.push(true);
    for &(s, k) in uses {
        for src in &mut w.nodes[s].srcs {
            if src.0 == k {
                src.1 = idx;
            }
        }
        w.add_edge(idx, s);
    }
}

/// The stack ending at layer `after` (without its descendants), or at the
/// last layer of `w`: that layer and its ancestors.
fn cut_after(w: &Graph, after: Option<i64>) -> Result<Graph, String> {
    let mut keep = vec![true; w.nodes.len()];
    let end = match after {
        Some(a) => {
            let ai = w.index_of(a).ok_or_else(|| {
                format!("cut at layer {a}, which an earlier cut removed; list cuts in graph order")
            })?;
            for (i, d) in w.descendants(ai).iter().enumerate() {
                if *d {
                    keep[i] = false;
                }
            }
            ai
        }
        None => {
            let t = w.keep(&keep).topo().ok_or("cycle")?;
            *t.last().ok_or("empty stack")?
        }
    };
    let anc = w.ancestors(end);
    for i in 0..keep.len() {
        keep[i] = keep[i] && (i == end || anc[i]);
    }
    Ok(w.keep(&keep))
}

/// A stack must have one output layer and keep the producer of every
/// non-constant operand.
fn check_stack(s: &Graph) -> Result<(), String> {
    if let Err(e) = s.single_output() {
        return Err(format!(
            "a stack has {e}; cut after a layer whose output is the only live feature map"
        ));
    }
    for n in &s.nodes {
        for o in n.spec.inputs() {
            let op = &n.spec.operands[o];
            if !n.is_input && !op.is_constant && !n.srcs.iter().any(|x| x.0 == o) {
                return Err(format!(
                    "layer {} loses the producer of operand `{}` in its stack; the cuts split a branch, cut elsewhere",
                    n.id, op.name
                ));
            }
        }
    }
    Ok(())
}
