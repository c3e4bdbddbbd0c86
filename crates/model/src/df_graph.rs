//! The layer graph of the depth-first model: graph order (MODEL.md §3.0),
//! stack cuts (§3.1), stacks with their stack input nodes (§3.2),
//! back-propagation of tile sizes (§3.3) and the largest alive data (§3.4).
//!
//! Quirks reproduced here: Q26 (repeated visits overwrite lag entries, LIFO
//! order), Q36 (a cut at layer id 0 counts as no cut), Q5 (no "permanent
//! data" in the alive size).

use alloc::collections::VecDeque;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;

use crate::layer::{DimClass, LayerSpec, OperandSpec};
use crate::num::pr_size;
use crate::validate::ValidScenario;

/// A node of the layer graph: a compute layer or an input node (the
/// network input or a stack input node, §3.2).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Node {
    pub id: i64,
    /// Reference-style name: `LayerNode_<id>` or `InputLayerNode_<id>`.
    pub name: String,
    pub is_input: bool,
    /// Input nodes get a one-operand spec (`O`, every loop relevant).
    pub spec: LayerSpec,
    /// Full-network sizes (after the full back-propagation, §3.2).
    pub full: Vec<u64>,
    /// (operand index, producer node index), in `operand_sources` order;
    /// the recorded producer of an operand is the last one listed.
    pub srcs: Vec<(usize, usize)>,
    /// Per operand index: input data dimension -> producer loop dimension.
    pub dmap: Vec<Vec<(String, String)>>,
}

/// A DAG with networkx-like edge order (successors and predecessors in
/// edge insertion order, no parallel edges).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Graph {
    pub nodes: Vec<Node>,
    pub succ: Vec<Vec<usize>>,
    pub pred: Vec<Vec<usize>>,
}

impl Graph {
    fn add_edge(&mut self, a: usize, b: usize) {
        if !self.succ[a].contains(&b) {
            self.succ[a].push(b);
            self.pred[b].push(a);
        }
    }

    pub fn index_of(&self, id: i64) -> Option<usize> {
        self.nodes
            .iter()
            .position(|n| n.id == id && !n.is_stack_input())
    }

    /// Kahn's algorithm by generations (§3.0). `None` when there is a cycle.
    pub fn topo(&self) -> Option<Vec<usize>> {
        let n = self.nodes.len();
        let mut indeg: Vec<usize> = self.pred.iter().map(Vec::len).collect();
        let mut gen: Vec<usize> = (0..n).filter(|&i| indeg[i] == 0).collect();
        let mut out = Vec::with_capacity(n);
        while !gen.is_empty() {
            let mut next = Vec::new();
            for &v in &gen {
                for &c in &self.succ[v] {
                    indeg[c] -= 1;
                    if indeg[c] == 0 {
                        next.push(c);
                    }
                }
            }
            out.extend_from_slice(&gen);
            gen = next;
        }
        (out.len() == n).then_some(out)
    }

    fn ancestors(&self, v: usize) -> Vec<bool> {
        let mut seen = vec![false; self.nodes.len()];
        let mut stack = self.pred[v].clone();
        while let Some(p) = stack.pop() {
            if !seen[p] {
                seen[p] = true;
                stack.extend_from_slice(&self.pred[p]);
            }
        }
        seen
    }

    fn descendants(&self, v: usize) -> Vec<bool> {
        let mut seen = vec![false; self.nodes.len()];
        let mut stack = self.succ[v].clone();
        while let Some(p) = stack.pop() {
            if !seen[p] {
                seen[p] = true;
                stack.extend_from_slice(&self.succ[p]);
            }
        }
        seen
    }

    /// The subgraph of the kept nodes, order preserved.
    fn keep(&self, keep: &[bool]) -> Graph {
        let mut map = vec![usize::MAX; self.nodes.len()];
        let mut nodes = Vec::new();
        for (i, n) in self.nodes.iter().enumerate() {
            if keep[i] {
                map[i] = nodes.len();
                nodes.push(n.clone());
            }
        }
        for n in &mut nodes {
            n.srcs.retain(|&(_, p)| map[p] != usize::MAX);
            for s in &mut n.srcs {
                s.1 = map[s.1];
            }
        }
        let remap = |v: &Vec<usize>| -> Vec<usize> {
            v.iter()
                .filter(|&&x| map[x] != usize::MAX)
                .map(|&x| map[x])
                .collect()
        };
        let succ = (0..self.nodes.len())
            .filter(|&i| keep[i])
            .map(|i| remap(&self.succ[i]))
            .collect();
        let pred = (0..self.nodes.len())
            .filter(|&i| keep[i])
            .map(|i| remap(&self.pred[i]))
            .collect();
        Graph { nodes, succ, pred }
    }

    /// The only node without successors (a stack's output layer).
    pub fn output(&self) -> Option<usize> {
        let outs: Vec<usize> = (0..self.nodes.len())
            .filter(|&i| self.succ[i].is_empty())
            .collect();
        (outs.len() == 1).then(|| outs[0])
    }
}

impl Node {
    fn is_stack_input(&self) -> bool {
        self.is_input && self.name.starts_with("substack")
    }
}

fn input_spec(id: i64, dims: Vec<(String, u64)>, precision: u64, mem_op: &str) -> LayerSpec {
    let n = dims.len();
    LayerSpec {
        id,
        kind: "input".to_string(),
        dims: dims.iter().map(|d| d.0.clone()).collect(),
        sizes: dims.iter().map(|d| d.1).collect(),
        operands: vec![OperandSpec {
            name: "O".to_string(),
            mem_op: mem_op.to_string(),
            precision_bits: precision,
            is_constant: false,
            class: vec![DimClass::R; n],
            has_pr: false,
        }],
        relations: Vec::new(),
        o_final_bits: precision,
    }
}

/// The network graph of a validated scenario (file order = insertion order).
pub(crate) fn network(sc: &ValidScenario) -> Result<Graph, String> {
    let wl = &sc.workload.layers;
    let mut g = Graph {
        nodes: Vec::new(),
        succ: vec![Vec::new(); wl.len()],
        pred: vec![Vec::new(); wl.len()],
    };
    for l in wl {
        let node = if l.kind == "input" {
            let dims: Vec<(String, u64)> = l
                .loop_dims
                .iter()
                .map(|(k, v)| (k.to_string(), (*v).max(1)))
                .collect();
            let mem = l
                .memory_operand_links
                .get("O")
                .map(String::as_str)
                .unwrap_or("I1");
            let spec = input_spec(l.id, dims, l.precision_bits.unwrap_or(8), mem);
            Node {
                id: l.id,
                name: format!("InputLayerNode_{}", l.id),
                is_input: true,
                full: spec.sizes.clone(),
                dmap: vec![Vec::new()],
                spec,
                srcs: Vec::new(),
            }
        } else {
            let spec = sc
                .layer(l.id)
                .ok_or_else(|| format!("layer {} was not validated", l.id))?
                .clone();
            let dmap = spec
                .operands
                .iter()
                .map(|o| {
                    l.operand_source_dimension_mapping
                        .get(&o.name)
                        .map(|m| {
                            m.iter()
                                .map(|(k, v)| (k.to_ascii_uppercase(), v.to_ascii_uppercase()))
                                .collect()
                        })
                        .unwrap_or_default()
                })
                .collect();
            Node {
                id: l.id,
                name: format!("LayerNode_{}", l.id),
                is_input: false,
                full: spec.sizes.clone(),
                spec,
                srcs: Vec::new(),
                dmap,
            }
        };
        g.nodes.push(node);
    }
    for (li, l) in wl.iter().enumerate() {
        if l.kind == "input" {
            continue;
        }
        for (name, list) in l.operand_sources.iter() {
            let Some(k) = g.nodes[li]
                .spec
                .operands
                .iter()
                .position(|o| o.name == name)
            else {
                continue;
            };
            for p in list {
                let pi = wl
                    .iter()
                    .position(|x| x.id == *p)
                    .ok_or_else(|| format!("layer {p} does not exist"))?;
                g.add_edge(pi, li);
            }
            if let Some(p) = list.last() {
                let pi = wl.iter().position(|x| x.id == *p).unwrap_or(li);
                g.nodes[li].srcs.push((k, pi));
            }
        }
    }
    if g.topo().is_none() {
        return Err(
            "the layer graph has a cycle; every layer must consume only earlier layers".into(),
        );
    }
    Ok(g)
}

/// `calc_tensor_dims(X, sizes)` of §1.1.4: relevant loop extents, then the
/// extents of the relations (`pr_size`).
pub(crate) fn tensor_dims(spec: &LayerSpec, op: usize, sizes: &[u64]) -> Vec<(String, i64)> {
    let mut out = Vec::new();
    let Some(o) = spec.operands.get(op) else {
        return out;
    };
    for (i, c) in o.class.iter().enumerate() {
        if *c == DimClass::R {
            out.push((
                spec.dims[i].clone(),
                sizes.get(i).copied().unwrap_or(1) as i64,
            ));
        }
    }
    if o.has_pr {
        for r in &spec.relations {
            let a = sizes.get(r.a).copied().unwrap_or(1) as f64;
            let b = sizes.get(r.b).copied().unwrap_or(1) as f64;
            out.push((r.name.clone(), pr_size(r.sa, a, r.sb, b) as i64));
        }
    }
    out
}

pub(crate) fn get(ext: &[(String, i64)], k: &str) -> Option<i64> {
    ext.iter().find(|e| e.0 == k).map(|e| e.1)
}

/// Product of a tensor's extents (`size_elem`), saturating.
pub(crate) fn elems(spec: &LayerSpec, op: usize, sizes: &[u64]) -> u128 {
    let mut s = spec.clone();
    s.sizes = sizes.to_vec();
    s.size_elems(op)
}

/// §3.1: the layer weight budget rule. Returns the cut list (cut after each
/// listed layer id).
pub(crate) fn auto_cuts(g: &Graph, sc: &ValidScenario) -> Vec<i64> {
    let Some(topo) = g.topo() else {
        return Vec::new();
    };
    // undividable units
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
    // weight memory operand and capacity
    // the first layer in insertion (file) order that has constant operands
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
    let cap: u128 = wmo
        .and_then(|m| hw.mem_op_index(&m))
        .map(|mo| {
            let lv = hw.levels_of(mo);
            if lv.len() >= 2 {
                hw.levels[lv[lv.len() - 2]].size_bits as u128
            } else {
                0
            }
        })
        .unwrap_or(0);
    let weight = |u: &Vec<usize>| -> u128 {
        u.iter()
            .filter(|&&n| !g.nodes[n].is_input)
            .map(|&n| {
                let s = &g.nodes[n].spec;
                s.operands
                    .iter()
                    .enumerate()
                    .filter(|(_, o)| o.is_constant)
                    .map(|(k, o)| s.size_elems(k).saturating_mul(o.precision_bits as u128))
                    .fold(0u128, |a, x| a.saturating_add(x))
            })
            .fold(0u128, |a, x| a.saturating_add(x))
    };
    let mut cuts: Vec<i64> = Vec::new();
    let mut run: u128 = 0;
    let mut last: Option<i64> = None;
    for u in &units {
        let wu = weight(u);
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

/// §3.2: the stacks for a cut list, each a graph whose only sink is the
/// stack's output layer. Stacks consisting only of input nodes are dropped
/// (they cost nothing).
pub(crate) fn stacks(g: &Graph, cuts: &[i64], q36: bool) -> Result<Vec<Graph>, String> {
    let topo = g.topo().ok_or("the layer graph has a cycle")?;
    let last_id = topo.last().map(|&i| g.nodes[i].id);
    let input_node = topo
        .iter()
        .copied()
        .find(|&i| g.nodes[i].is_input)
        .ok_or("the network has no input layer")?;
    let in_mem = g.nodes[input_node].spec.operands[0].mem_op.clone();
    let in_id = g.nodes[input_node].id;
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
        let mut w = g.clone();
        let mut keep = vec![true; w.nodes.len()];
        if let Some(b) = before {
            let bi = g
                .index_of(b)
                .ok_or_else(|| format!("cut at unknown layer {b}"))?;
            let mut del = g.ancestors(bi);
            del[bi] = true;
            // one stack input node per distinct deleted producer
            let mut groups: Vec<(usize, Vec<(usize, usize)>)> = Vec::new();
            for &s in &g.succ[bi] {
                for &(k, p) in &g.nodes[s].srcs {
                    if del[p] {
                        match groups.iter_mut().find(|x| x.0 == p) {
                            Some(x) => x.1.push((s, k)),
                            None => groups.push((p, vec![(s, k)])),
                        }
                    }
                }
            }
            for (_, occ) in groups {
                let mut dims: Vec<(String, u64)> = Vec::new();
                let mut prec = 0;
                for &(s, k) in &occ {
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
                n_inputs += 1;
                let spec = input_spec(in_id, dims, prec, &in_mem);
                let idx = w.nodes.len();
                w.nodes.push(Node {
                    id: in_id,
                    name: format!("substack_input_layer_{n_inputs}"),
                    is_input: true,
                    full: spec.sizes.clone(),
                    spec,
                    srcs: Vec::new(),
                    dmap: vec![Vec::new()],
                });
                w.succ.push(Vec::new());
                w.pred.push(Vec::new());
                keep.push(true);
                for &(s, k) in &occ {
                    for src in &mut w.nodes[s].srcs {
                        if src.0 == k {
                            src.1 = idx;
                        }
                    }
                    w.add_edge(idx, s);
                }
            }
            for (i, d) in del.iter().enumerate() {
                if *d {
                    keep[i] = false;
                }
            }
        }
        let w = w.keep(&keep);
        let mut keep = vec![true; w.nodes.len()];
        let end = match after {
            Some(a) => {
                let ai = w.index_of(a).ok_or_else(|| {
                    format!(
                        "cut at layer {a}, which an earlier cut removed; list cuts in graph order"
                    )
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
        let s = w.keep(&keep);
        if s.nodes.iter().all(|n| n.is_input) {
            continue;
        }
        if s.output().is_none() {
            return Err("a stack has more than one output layer; cut after a layer whose output is the only live feature map".into());
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
        out.push(s);
    }
    Ok(out)
}

/// Result of one back-propagation (§3.3).
#[derive(Clone, Debug, Default)]
pub(crate) struct Backprop {
    /// Loop sizes per node after the back-propagation.
    pub sizes: Vec<Vec<u64>>,
    /// Nodes in the order they were first given a required size (the
    /// output layer first).
    pub order: Vec<usize>,
    /// Per producer: (its dimension, columns/rows to cache).
    pub to_cache_h: Vec<(usize, String, i64)>,
    pub to_cache_v: Vec<(usize, String, i64)>,
    /// Per (consumer, operand): (input dimension, overlap).
    pub in_h: Vec<((usize, usize), String, i64)>,
    pub in_v: Vec<((usize, usize), String, i64)>,
}

type Out = Vec<(usize, Vec<(usize, String, i64, i64)>)>;

fn set_out(o: &mut Out, p: usize, c: usize, dim: &str, amount: i64, lag: i64) -> i64 {
    let i = match o.iter().position(|x| x.0 == p) {
        Some(i) => i,
        None => {
            o.push((p, Vec::new()));
            o.len() - 1
        }
    };
    let list = &mut o[i].1;
    match list.iter_mut().find(|x| x.0 == c) {
        Some(x) => *x = (c, dim.to_string(), amount, lag),
        None => list.push((c, dim.to_string(), amount, lag)),
    }
    list.iter().map(|x| x.3).max().unwrap_or(lag)
}

fn set_in(v: &mut Vec<((usize, usize), String, i64)>, key: (usize, usize), dim: &str, ov: i64) {
    match v.iter_mut().find(|x| x.0 == key) {
        Some(x) => *x = (key, dim.to_string(), ov),
        None => v.push((key, dim.to_string(), ov)),
    }
}

/// Which input dimension carries a loop dimension of the consumer, and its
/// coefficient (stride).
fn input_dim(spec: &LayerSpec, ext: &[(String, i64)], d: &str) -> Option<(String, i64)> {
    if get(ext, d).is_some() {
        return Some((d.to_string(), 1));
    }
    spec.relations.iter().find_map(|r| {
        let coef = if spec.dims.get(r.a).is_some_and(|x| x == d) {
            r.sa
        } else if spec.dims.get(r.b).is_some_and(|x| x == d) {
            r.sb
        } else {
            return None;
        };
        get(ext, &r.name).map(|_| (r.name.clone(), coef as i64))
    })
}

/// Flags of one back-propagation.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct BpFlags {
    pub use_h: bool,
    pub make_h: bool,
    pub use_v: bool,
    pub make_v: bool,
}

/// §3.3 on a stack whose sizes start at `base`; `tile` = the output
/// layer's `OX × OY` (none keeps them).
pub(crate) fn backprop(
    g: &Graph,
    base: &[Vec<u64>],
    tile: Option<(u64, u64)>,
    f: BpFlags,
) -> Result<Backprop, String> {
    let out = g
        .output()
        .ok_or("the stack has more than one output layer")?;
    let mut sizes = base.to_vec();
    let on = &g.nodes[out];
    let ox = on.spec.dim_index("OX");
    let oy = on.spec.dim_index("OY");
    let (Some(ox), Some(oy)) = (ox, oy) else {
        return Err(format!(
            "layer {} has no OX/OY loops; depth-first tiling needs both (Q29)",
            on.id
        ));
    };
    if let Some((tx, ty)) = tile {
        sizes[out][ox] = tx.max(1);
        sizes[out][oy] = ty.max(1);
    }
    let mut need: Vec<(usize, (i64, i64))> =
        vec![(out, (sizes[out][ox] as i64, sizes[out][oy] as i64))];
    let mut bp = Backprop::default();
    let mut out_h: Out = Vec::new();
    let mut out_v: Out = Vec::new();
    let mut work: VecDeque<(usize, String, String, i64, i64)> = VecDeque::new();
    work.push_back((out, "OX".into(), "OY".into(), 0, 0));
    let mut steps = 0u64;
    while let Some((n, dx, dy, lag_h, lag_v)) = work.pop_front() {
        steps += 1;
        if steps > 1_000_000 {
            return Err(
                "the back-propagation visits too many paths; use fewer branches per stack".into(),
            );
        }
        let node = &g.nodes[n];
        let (Some(ix), Some(iy)) = (node.spec.dim_index(&dx), node.spec.dim_index(&dy)) else {
            return Err(format!(
                "layer {} has no loop `{dx}` or `{dy}` (Q29)",
                node.id
            ));
        };
        for &(k, p) in &node.srcs {
            let ext = tensor_dims(&node.spec, k, &sizes[n]);
            let (Some((idx, sx)), Some((idy, sy))) = (
                input_dim(&node.spec, &ext, &dx),
                input_dim(&node.spec, &ext, &dy),
            ) else {
                return Err(format!(
                    "layer {}: operand `{}` exposes neither `{dx}`/`{dy}` nor a relation on them (Q29)",
                    node.id, node.spec.operands[k].name
                ));
            };
            let ex = get(&ext, &idx).unwrap_or(1);
            let ey = get(&ext, &idy).unwrap_or(1);
            let nx = sizes[n][ix] as i64;
            let ny = sizes[n][iy] as i64;
            // saturating: coefficients are user input
            let dx_ = ex.saturating_sub(nx.saturating_mul(sx));
            let dy_ = ey.saturating_sub(ny.saturating_mul(sy));
            let ov_x = dx_.max(0);
            let ov_y = dy_.max(0);
            let lag = |s: i64, l: i64, d: i64, ov: i64| {
                s.saturating_mul(l)
                    .saturating_sub(d.saturating_add(s).saturating_sub(1).div_euclid(2))
                    .saturating_add(ov)
            };
            let nl_h = lag(sx, lag_h, dx_, ov_x);
            let nl_v = lag(sy, lag_v, dy_, ov_y);
            set_in(&mut bp.in_h, (n, k), &idx, ov_x);
            set_in(&mut bp.in_v, (n, k), &idy, ov_y);
            let ex2 = if f.use_h { ex.saturating_sub(ov_x) } else { ex };
            let ey2 = if f.use_v { ey.saturating_sub(ov_y) } else { ey };
            let ni = match need.iter().position(|x| x.0 == p) {
                Some(i) => i,
                None => {
                    need.push((p, (0, 0)));
                    need.len() - 1
                }
            };
            let nd = &mut need[ni].1;
            nd.0 = nd.0.max(ex2);
            nd.1 = nd.1.max(ey2);
            let (nx_p, ny_p) = *nd;
            let map = |d: &str| {
                node.dmap
                    .get(k)
                    .and_then(|m| m.iter().find(|x| x.0 == d))
                    .map(|x| x.1.clone())
            };
            let (Some(px), Some(py)) = (map(&idx), map(&idy)) else {
                return Err(format!(
                    "layer {}: operand_source_dimension_mapping of `{}` does not map `{idx}` and `{idy}`",
                    node.id, node.spec.operands[k].name
                ));
            };
            let pn = &g.nodes[p];
            let (Some(pxi), Some(pyi)) = (pn.spec.dim_index(&px), pn.spec.dim_index(&py)) else {
                return Err(format!(
                    "layer {} has no loop `{px}` or `{py}` that layer {} maps its input to",
                    pn.id, node.id
                ));
            };
            sizes[p][pxi] = nx_p.max(1) as u64;
            sizes[p][pyi] = ny_p.max(1) as u64;
            let lh = set_out(&mut out_h, p, n, &px, if f.make_h { ov_x } else { 0 }, nl_h);
            let lv = set_out(&mut out_v, p, n, &py, if f.make_v { ov_y } else { 0 }, nl_v);
            work.push_front((p, px, py, lh, lv));
        }
    }
    let cache = |o: &Out, make: bool| -> Vec<(usize, String, i64)> {
        o.iter()
            .map(|(p, list)| {
                let dim = list.last().map(|x| x.1.clone()).unwrap_or_default();
                let amount = if make {
                    let mx = list.iter().map(|x| x.3).max().unwrap_or(0);
                    let mn = list.iter().map(|x| x.3 - x.2).min().unwrap_or(0);
                    mx.saturating_sub(mn)
                } else {
                    0
                };
                (*p, dim, amount)
            })
            .collect()
    };
    bp.to_cache_h = cache(&out_h, f.make_h);
    bp.to_cache_v = cache(&out_v, f.make_v);
    bp.order = need.iter().map(|x| x.0).collect();
    bp.sizes = sizes;
    Ok(bp)
}

/// Bits of all non-constant inputs of a node at the given sizes.
pub(crate) fn input_bits(n: &Node, sizes: &[u64]) -> u128 {
    n.spec
        .inputs()
        .filter(|&k| !n.spec.operands[k].is_constant)
        .map(|k| elems(&n.spec, k, sizes).saturating_mul(n.spec.operands[k].precision_bits as u128))
        .fold(0u128, |a, x| a.saturating_add(x))
}

/// Output tile bits (`size_elem(O) * O_final`).
pub(crate) fn output_bits(n: &Node, sizes: &[u64]) -> u128 {
    elems(&n.spec, 0, sizes).saturating_mul(n.spec.o_final_bits as u128)
}

/// §3.4: the largest simultaneously alive feature data (bits).
pub(crate) fn largest_alive(g: &Graph, sizes: &[Vec<u64>]) -> u128 {
    let Some(topo) = g.topo() else {
        return 0;
    };
    let mut cur: i128 = 0;
    let mut peak: i128 = 0;
    let mut alive: Vec<Option<(Vec<usize>, i128)>> = vec![None; g.nodes.len()];
    let add = |cur: &mut i128, peak: &mut i128, v: i128| {
        *cur = cur.saturating_add(v);
        *peak = (*peak).max(*cur);
    };
    for &n in &topo {
        let node = &g.nodes[n];
        let si = if node.is_input {
            0
        } else {
            input_bits(node, &sizes[n]) as i128
        };
        let bits = |alive: &[Option<(Vec<usize>, i128)>], p: usize| {
            alive[p].as_ref().map(|a| a.1).unwrap_or(0)
        };
        for &p in &g.pred[n] {
            add(&mut cur, &mut peak, -bits(&alive, p));
        }
        add(&mut cur, &mut peak, si);
        let s = output_bits(node, &sizes[n]) as i128;
        add(&mut cur, &mut peak, s);
        add(&mut cur, &mut peak, -si);
        for &p in &g.pred[n] {
            add(&mut cur, &mut peak, bits(&alive, p));
        }
        for &p in &g.pred[n] {
            let mut gone = None;
            if let Some(a) = alive[p].as_mut() {
                a.0.retain(|&c| c != n);
                if a.0.is_empty() {
                    gone = Some(a.1);
                }
            }
            if let Some(b) = gone {
                add(&mut cur, &mut peak, -b);
                alive[p] = None;
            }
        }
        alive[n] = Some((g.succ[n].clone(), s));
    }
    peak.max(0) as u128
}
