//! The layer graph of the depth-first model (docs/model.md §3.0, §3.2, §3.4):
//! nodes, edges and graph order, the network built from a scenario,
//! tensor extents of a node, and the largest alive data (Q5: no
//! "permanent data" term).

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;

use crate::input::workload::Layer;
use crate::num::pr_size;
use crate::scenario::layer::{DimClass, LayerSpec, OperandSpec};
use crate::scenario::validate::ValidScenario;

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
    pub(crate) fn add_edge(&mut self, a: usize, b: usize) {
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

    pub(crate) fn ancestors(&self, v: usize) -> Vec<bool> {
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

    pub(crate) fn descendants(&self, v: usize) -> Vec<bool> {
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
    pub(crate) fn keep(&self, keep: &[bool]) -> Graph {
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
        self.single_output().ok()
    }

    /// The one output layer (no consumer), or why there is not exactly
    /// one, naming the layers.
    pub fn single_output(&self) -> Result<usize, String> {
        let outs: Vec<usize> = (0..self.nodes.len())
            .filter(|&i| self.succ[i].is_empty())
            .collect();
        match outs[..] {
            [one] => Ok(one),
            [] => Err("no output layer (every layer has a consumer); the layer graph must end in one layer".into()),
            _ => {
                let ids: Vec<String> = outs
                    .iter()
                    .map(|&i| format!("{}", self.nodes[i].id))
                    .collect();
                Err(format!(
                    "{} output layers (layer ids {}): nothing reads them, and a depth-first stack ends in exactly one layer; remove the extra ones or make a layer read them",
                    outs.len(),
                    ids.join(", ")
                ))
            }
        }
    }
}

impl Node {
    pub(crate) fn is_stack_input(&self) -> bool {
        self.is_input && self.name.starts_with("substack")
    }
}

pub(crate) fn input_spec(
    id: i64,
    dims: Vec<(String, u64)>,
    precision: u64,
    mem_op: &str,
) -> LayerSpec {
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
    // Layer id -> index in the file; compute layer id -> its spec.
    let index: BTreeMap<i64, usize> =
        crate::small_sort::map_of(wl.iter().enumerate().rev().map(|(i, l)| (l.id, i)));
    let specs: BTreeMap<i64, &LayerSpec> =
        crate::small_sort::map_of(sc.layers.iter().rev().map(|s| (s.id, s)));
    let mut g = Graph {
        nodes: Vec::new(),
        succ: vec![Vec::new(); wl.len()],
        pred: vec![Vec::new(); wl.len()],
    };
    for l in wl {
        let node = if l.kind == "input" {
            input_node(l)
        } else {
            let spec = specs
                .get(&l.id)
                .ok_or_else(|| format!("layer {} was not validated", l.id))?;
            layer_node(l, spec)
        };
        g.nodes.push(node);
    }
    for (li, l) in wl.iter().enumerate() {
        if l.kind != "input" {
            connect(&mut g, li, l, &index)?;
        }
    }
    if g.topo().is_none() {
        return Err(
            "the layer graph has a cycle; every layer must consume only earlier layers".into(),
        );
    }
    Ok(g)
}

/// The node of the input pseudo-layer.
fn input_node(l: &Layer) -> Node {
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
}

/// The node of a compute layer, with its operands' dimension mappings.
fn layer_node(l: &Layer, spec: &LayerSpec) -> Node {
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
        spec: spec.clone(),
        srcs: Vec::new(),
        dmap,
    }
}

/// The edges into compute layer `li` from its operands' producers; the
/// recorded producer of an operand is the last one listed.
fn connect(
    g: &mut Graph,
    li: usize,
    l: &Layer,
    index: &BTreeMap<i64, usize>,
) -> Result<(), String> {
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
            let pi = *index
                .get(p)
                .ok_or_else(|| format!("layer {p} does not exist"))?;
            g.add_edge(pi, li);
        }
        if let Some(p) = list.last() {
            let pi = index.get(p).copied().unwrap_or(li);
            g.nodes[li].srcs.push((k, pi));
        }
    }
    Ok(())
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
    spec.size_elems_at(op, sizes)
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
