//! Evaluating one tile type node by node (docs/model.md §3.8): input and output
//! top levels, copy requests, the trimmed accelerator, the single-layer
//! evaluation with its retry (Q24) and the cache writes for the next node.
//! Quirks: Q2, Q3, Q4, Q8, Q9, Q25.

use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;

use super::backprop::{backprop, Backprop, BpFlags};
use super::cache::EvalCache;
use super::data_copy::{copy_layer, CopyKind, CopyLayerCost, CopyRequest};
use super::graph::{get, input_bits, output_bits, tensor_dims, Graph, Node};
use super::schedule::NetworkError;
use super::tile_types::{StackPlan, TileKey};
use super::top_level::levels;
use crate::input::hardware::Hardware;
use crate::input::mapping::SpatialMapping;
use crate::scenario::layer::{DimClass, LayerSpec};
use crate::scenario::validate::ValidScenario;
use crate::single_layer::{EvalError, LayerCost};

/// Evaluation of one node in one tile type.
#[derive(Clone, Debug)]
pub(super) struct NodeEval {
    pub(super) node: usize,
    pub(super) retries: u64,
    pub(super) copy: CopyLayerCost,
    pub(super) layer: Option<LayerCost>,
    pub(super) sizes: Vec<u64>,
}

/// §3.8 step 1: the back-propagation of a tile type.
pub(super) fn tile_flags(key: &TileKey) -> BpFlags {
    BpFlags {
        use_h: key.use_h.is_some(),
        make_h: key.make_h.is_some(),
        use_v: key.use_v.is_some(),
        make_v: false,
    }
}

pub(super) fn prefix_until(list: &[usize], f: impl Fn(usize) -> bool) -> Vec<usize> {
    match list.iter().position(|&l| f(l)) {
        Some(p) => list[..=p].to_vec(),
        None => list.to_vec(),
    }
}

/// Raises a top-level prefix by `extra` levels, as far as levels exist.
pub(super) fn extend(take: &mut Vec<usize>, all: &[usize], extra: usize) {
    let n = (take.len() + extra)
        .min(all.len())
        .max(take.len().min(all.len()));
    *take = all[..n].to_vec();
}

/// One tile type evaluated node by node (§3.8), so that a run can pause
/// between layers.
pub(super) struct TileRun {
    pub(super) bp: Backprop,
    pub(super) topo: Vec<usize>,
    pub(super) next: usize,
    pub(super) stored: Vec<Option<(usize, u64)>>,
    pub(super) pending: Vec<CopyRequest>,
    pub(super) out: Vec<NodeEval>,
}

impl TileRun {
    /// §3.8 step 1: the back-propagation of the tile type.
    pub(super) fn new(plan: &StackPlan, key: &TileKey) -> Result<TileRun, NetworkError> {
        let g = &plan.g;
        let bp = backprop(
            g,
            &plan.full,
            Some((key.width, key.height)),
            tile_flags(key),
        )
        .map_err(NetworkError::Graph)?;
        Ok(TileRun {
            bp,
            topo: g.topo().unwrap_or_default(),
            next: 0,
            stored: vec![None; g.nodes.len()],
            pending: Vec::new(),
            out: Vec::new(),
        })
    }

    pub(super) fn done(&self) -> bool {
        self.next >= self.topo.len()
    }
}

/// What one node of a tile type needs before its top levels are chosen
/// (§3.8 steps 2–d): its sizes and data amounts, the levels its input and
/// output can use, and the smallest prefix of each that holds the data.
struct NodeSetup<'a> {
    li: usize,
    node: &'a Node,
    spec: &'a LayerSpec,
    sizes: &'a [u64],
    /// A stack input node (no predecessor) / the stack's output layer.
    is_in: bool,
    is_out: bool,
    out_bits: u128,
    o_mem: String,
    i_all: Vec<usize>,
    o_all: Vec<usize>,
    i_take0: Vec<usize>,
    o_take0: Vec<usize>,
}

impl<'a> NodeSetup<'a> {
    fn new(g: &'a Graph, hw: &Hardware, bp: &'a Backprop, li: usize) -> NodeSetup<'a> {
        let node = &g.nodes[li];
        let spec = &node.spec;
        let sizes = &bp.sizes[li];
        let is_in = g.pred[li].is_empty();
        let is_out = g.succ[li].is_empty();
        let in_bits = if is_in { 0 } else { input_bits(node, sizes) };
        let out_bits = output_bits(node, sizes);
        let first_in = spec
            .inputs()
            .find(|&k| !spec.operands[k].is_constant)
            .map(|k| spec.operands[k].mem_op.clone());
        let i_all = if is_in {
            Vec::new()
        } else {
            first_in
                .as_deref()
                .map(|m| levels(hw, m))
                .unwrap_or_default()
        };
        let i_take0 = prefix_until(&i_all, |l| {
            hw.levels[l].size_bits as u128 >= in_bits && hw.levels[l].unroll_count == 1
        });
        let i_top0 = i_take0.last().copied();
        let o_mem = spec.operands[0].mem_op.clone();
        let o_all = levels(hw, &o_mem);
        // Q3: the stack output always goes to the top of `O` (DRAM), and the
        // stack input comes from the top of `I1`
        let o_take0 = if is_out {
            o_all.clone()
        } else {
            prefix_until(&o_all, |l| {
                hw.levels[l].unroll_count == 1
                    && hw.levels[l].size_bits as u128
                        >= out_bits.saturating_add(if Some(l) == i_top0 { in_bits } else { 0 })
            })
        };
        NodeSetup {
            li,
            node,
            spec,
            sizes,
            is_in,
            is_out,
            out_bits,
            o_mem,
            i_all,
            o_all,
            i_take0,
            o_take0,
        }
    }

    /// The input and output level prefixes raised by `raise` (§3.8 j).
    fn takes(&self, raise: Raise) -> (Vec<usize>, Vec<usize>) {
        let mut i_take = self.i_take0.clone();
        let mut o_take = self.o_take0.clone();
        if !self.is_in {
            extend(&mut i_take, &self.i_all, raise.input);
        }
        extend(&mut o_take, &self.o_all, raise.output);
        (i_take, o_take)
    }

    /// Bits of input operand `k` read from a cache, with the loop sizes in
    /// `repl` replacing the tile's. Q8: cache reads use `O_final` of the
    /// consumer.
    fn cache_read_bits(&self, k: usize, repl: &[(&str, i64)]) -> u64 {
        let (spec, sizes) = (self.spec, self.sizes);
        let o = &spec.operands[k];
        let ext = tensor_dims(spec, k, sizes);
        let mut b = self.relevant_elems(k, repl);
        if o.has_pr {
            for r in &spec.relations {
                let f = repl
                    .iter()
                    .find(|x| x.0 == r.name)
                    .map(|x| x.1)
                    .unwrap_or_else(|| get(&ext, &r.name).unwrap_or(1));
                b = b.saturating_mul(f as i128);
            }
        }
        b.saturating_mul(spec.o_final_bits as i128).max(0) as u64
    }

    /// Product of operand `k`'s relevant loop sizes, those in `repl`
    /// replacing the tile's.
    fn relevant_elems(&self, k: usize, repl: &[(&str, i64)]) -> i128 {
        let (spec, sizes) = (self.spec, self.sizes);
        let mut b: i128 = 1;
        for (i, c) in spec.operands[k].class.iter().enumerate() {
            if *c == DimClass::R {
                let d = spec.dims[i].as_str();
                let f = repl
                    .iter()
                    .find(|r| r.0 == d)
                    .map(|r| r.1)
                    .unwrap_or(sizes[i] as i64);
                b = b.saturating_mul(f as i128);
            }
        }
        b
    }

    /// Bits of the output written to a cache, with the loop sizes in `repl`
    /// replacing the tile's.
    fn cache_write_bits(&self, repl: &[(&str, i64)]) -> u64 {
        self.relevant_elems(0, repl)
            .saturating_mul(self.spec.o_final_bits as i128)
            .max(0) as u64
    }

    /// A copy request of `bits` of operand `k`'s memory operand within one
    /// memory operand's hierarchy.
    fn same_op_copy(
        kind: CopyKind,
        mem_op: &str,
        src: usize,
        dst: usize,
        bits: u64,
    ) -> CopyRequest {
        CopyRequest {
            kind,
            src_op: mem_op.to_string(),
            src,
            dst_op: mem_op.to_string(),
            dst,
            bits,
        }
    }
}

/// How many levels the input and output tops are raised above the
/// smallest fitting ones (the retry of §3.8 j).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Raise {
    output: usize,
    input: usize,
}

impl Raise {
    /// §3.8 j: (0,0) (1,0) (0,1) (1,1) (2,1) (1,2) (2,2) ... as (output,
    /// input).
    fn next(self) -> Raise {
        let Raise { output, input } = self;
        if output == input {
            Raise {
                output: output + 1,
                input,
            }
        } else if output > input {
            Raise {
                output: output - 1,
                input: input + 1,
            }
        } else {
            Raise {
                output: output + 1,
                input,
            }
        }
    }
}

/// The outcome of one attempt at a node's single-layer evaluation.
enum Attempt {
    /// Evaluated (`None` for a stack input node, which has no layer).
    Done(Option<LayerCost>),
    /// The hierarchy was too small: raise the tops and try again.
    Retry,
}

impl TileRun {
    /// §3.8 steps 2–l for the next node in graph order: choose the input
    /// and output tops, request the data copies before the node, evaluate
    /// it on the trimmed accelerator (raising the tops while the hierarchy
    /// is too small, Q24), then request the cache writes for the next node.
    /// True when the tile type is complete.
    pub(super) fn step_node(
        &mut self,
        plan: &StackPlan,
        key: &TileKey,
        sc: &ValidScenario,
        lpf: usize,
        memo: &mut EvalCache,
        trimmed: &mut Trimmed,
    ) -> Result<bool, NetworkError> {
        let hw = &sc.hardware;
        let Some(&li) = self.topo.get(self.next) else {
            return Ok(true);
        };
        self.next += 1;
        let n = NodeSetup::new(&plan.g, hw, &self.bp, li);
        let start_pending = self.pending.len();
        let max_extra = n.i_all.len().max(n.o_all.len());
        let mut tried: Vec<(Option<usize>, Option<usize>)> = Vec::new();
        let mut raise = Raise::default();
        loop {
            self.pending.truncate(start_pending);
            let (i_take, o_take) = n.takes(raise);
            let i_top = i_take.last().copied();
            let o_top = o_take.last().copied();
            // copy requests (§3.8 e)
            if n.is_in {
                stack_input_copy(&n, o_top, &mut self.pending);
            } else if let Some(it) = i_top {
                input_copies(&n, plan, &self.stored, &i_take, it, &mut self.pending);
                cache_reads(&n, key, it, &mut self.pending);
            }
            let copy = copy_layer(hw, &self.pending[..]).map_err(NetworkError::Copy)?;
            // input nodes are not evaluated: no trimmed accelerator
            let thw = if n.is_in {
                hw
            } else {
                trimmed.get(hw, &trims(&n, plan, key, i_top, o_top))
            };
            let layer = match evaluate_node(&n, sc, thw, (i_top, o_top), &mut tried, lpf, memo)? {
                Attempt::Done(layer) => layer,
                Attempt::Retry => {
                    if raise.output.min(raise.input) >= max_extra {
                        return Err(NetworkError::RetryExhausted {
                            layer_id: n.spec.id,
                        });
                    }
                    raise = raise.next();
                    continue;
                }
            };
            self.pending.clear();
            if let Some(ot) = o_top {
                self.stored[li] = Some((ot, u64::try_from(n.out_bits).unwrap_or(u64::MAX)));
            }
            self.out.push(NodeEval {
                node: li,
                retries: tried.len() as u64,
                copy,
                layer,
                sizes: n.sizes.to_vec(),
            });
            // cache writes for the next node (§3.8 l); Q4: never by input nodes
            if !n.is_in {
                if let Some(ot) = o_top {
                    cache_writes(&n, key, ot, &mut self.pending);
                }
            }
            break;
        }
        Ok(self.done())
    }
}

/// §3.8 e for a stack input node: its data comes from the top of `O`.
fn stack_input_copy(n: &NodeSetup, o_top: Option<usize>, pending: &mut Vec<CopyRequest>) {
    if let (Some(&top), Some(ot)) = (n.o_all.last(), o_top) {
        pending.push(NodeSetup::same_op_copy(
            CopyKind::StackInput,
            &n.o_mem,
            top,
            ot,
            u64::try_from(n.out_bits).unwrap_or(u64::MAX),
        ));
    }
}

/// §3.8 e: the producers' outputs copied to the input top `it`.
fn input_copies(
    n: &NodeSetup,
    plan: &StackPlan,
    stored: &[Option<(usize, u64)>],
    i_take: &[usize],
    it: usize,
    pending: &mut Vec<CopyRequest>,
) {
    let g = &plan.g;
    for &(k, p) in &n.node.srcs {
        let Some((pl, pbits)) = stored[p] else {
            continue;
        };
        let p_in = g.pred[p].is_empty();
        // Q25: no stack-input copy when the data sits within Itake
        if (!p_in && pl != it) || (p_in && !i_take.contains(&pl)) {
            pending.push(CopyRequest {
                kind: CopyKind::OutputToInput,
                src_op: "O".to_string(),
                src: pl,
                dst_op: n.spec.operands[k].mem_op.clone(),
                dst: it,
                bits: pbits,
            });
        }
    }
}

/// §3.8 e: reads of the H and V caches into the input top `it`.
fn cache_reads(n: &NodeSetup, key: &TileKey, it: usize, pending: &mut Vec<CopyRequest>) {
    let (li, spec, sizes) = (n.li, n.spec, n.sizes);
    let inputs: Vec<usize> = spec
        .inputs()
        .filter(|&k| !spec.operands[k].is_constant)
        .collect();
    if let Some(uh) = key.use_h.filter(|&u| u != it) {
        for &k in &inputs {
            if let Some(c) = key.cols_r.iter().find(|c| c.key == (li, k)) {
                let bits = n.cache_read_bits(k, &[(c.dim.as_str(), c.amount)]);
                if bits > 0 {
                    let mem_op = &spec.operands[k].mem_op;
                    pending.push(NodeSetup::same_op_copy(
                        CopyKind::CacheRead,
                        mem_op,
                        uh,
                        it,
                        bits,
                    ));
                }
            }
        }
    }
    // Q9: the reference tests a stale variable equal to useV
    if let Some(uv) = key.use_v.filter(|&u| u != it) {
        for &k in &inputs {
            if let Some(r) = key.rows_r.iter().find(|c| c.key == (li, k)) {
                let (vd, vrows, hd) = (&r.dim, r.amount, &r.h_dim);
                let ext = tensor_dims(spec, k, sizes);
                let mut cols = match spec.dim_index(hd) {
                    Some(i) => sizes[i] as i64,
                    None => get(&ext, hd).unwrap_or(1),
                };
                if key.use_h.is_some() {
                    if let Some(c) = key.cols_r.iter().find(|c| c.key == (li, k)) {
                        cols = cols.saturating_sub(c.amount);
                    }
                }
                let bits = n.cache_read_bits(k, &[(vd.as_str(), vrows), (hd.as_str(), cols)]);
                if bits > 0 {
                    let mem_op = &spec.operands[k].mem_op;
                    pending.push(NodeSetup::same_op_copy(
                        CopyKind::CacheRead,
                        mem_op,
                        uv,
                        it,
                        bits,
                    ));
                }
            }
        }
    }
}

/// §3.8 g: the trims of the accelerator for the chosen tops of a node that
/// is not a stack input (those are not evaluated), in the order they
/// apply: (memory operand, the level it keeps as its top).
fn trims<'b>(
    n: &'b NodeSetup<'_>,
    plan: &StackPlan,
    key: &TileKey,
    i_top: Option<usize>,
    o_top: Option<usize>,
) -> Vec<(&'b str, usize)> {
    let spec = n.spec;
    let mut t = Vec::new();
    if let Some(it) = i_top {
        for k in spec.inputs() {
            if !spec.operands[k].is_constant {
                t.push((spec.operands[k].mem_op.as_str(), it));
            }
        }
    }
    if !n.is_out {
        if let Some(ot) = o_top {
            t.push((n.o_mem.as_str(), ot));
        }
    }
    // Q2: only the first tile reads weights from the full hierarchy
    if !key.weights_at_top {
        if let Some(w_top) = plan.hi_w {
            for k in spec.inputs() {
                if spec.operands[k].is_constant {
                    t.push((spec.operands[k].mem_op.as_str(), w_top));
                }
            }
        }
    }
    t
}

/// The trimmed accelerators of one run by their trims: a run has a few,
/// asked for once per node and tile type.
#[derive(Default)]
pub(super) struct Trimmed(Vec<(Vec<(String, usize)>, Hardware)>);

impl Trimmed {
    /// `hw` with `trims` applied (`Hardware::trim_to`, in order).
    fn get(&mut self, hw: &Hardware, trims: &[(&str, usize)]) -> &Hardware {
        let same = |t: &[(String, usize)]| {
            t.len() == trims.len() && t.iter().zip(trims).all(|(a, b)| a.0 == b.0 && a.1 == b.1)
        };
        let i = match self.0.iter().position(|(t, _)| same(t)) {
            Some(i) => i,
            None => {
                let mut thw = hw.clone();
                for &(op, l) in trims {
                    thw.trim_to(op, hw.levels[l].name.as_str());
                }
                let owned = trims.iter().map(|&(op, l)| (op.to_string(), l)).collect();
                self.0.push((owned, thw));
                self.0.len() - 1
            }
        };
        &self.0[i].1
    }
}

/// §3.8 h–j: the single-layer evaluation of the node on `thw`; a top pair
/// already tried counts as too small.
fn evaluate_node(
    n: &NodeSetup,
    sc: &ValidScenario,
    thw: &Hardware,
    tops: (Option<usize>, Option<usize>),
    tried: &mut Vec<(Option<usize>, Option<usize>)>,
    lpf: usize,
    memo: &mut EvalCache,
) -> Result<Attempt, NetworkError> {
    if n.is_in {
        return Ok(Attempt::Done(None));
    }
    let spec = n.spec;
    let none = SpatialMapping::default();
    let sm = sc.mapping.layer(spec.id).unwrap_or(&none);
    let r = if tried.contains(&tops) {
        Err(EvalError::HierarchyTooSmall)
    } else {
        memo.eval(spec, n.sizes, thw, sm, lpf)
    };
    match r {
        Ok(c) => Ok(Attempt::Done(Some(c))),
        // Q24: the top-level choice ignored co-resident data; raise the
        // tops and try again (§3.8 j)
        Err(EvalError::HierarchyTooSmall) => {
            tried.push(tops);
            Ok(Attempt::Retry)
        }
        Err(e) => Err(NetworkError::Layer {
            layer_id: spec.id,
            error: e,
        }),
    }
}

/// §3.8 l: the output written to the V and H caches for the next tiles
/// (V first: the H write leaves out what the V write took).
fn cache_writes(n: &NodeSetup, key: &TileKey, ot: usize, pending: &mut Vec<CopyRequest>) {
    let (li, spec, sizes) = (n.li, n.spec, n.sizes);
    let mut sub: Option<(String, i64)> = None;
    if let Some(mv) = key.make_v {
        if mv != ot {
            if let Some(rw) = key.rows_w.iter().find(|r| r.producer == li) {
                let bits = n.cache_write_bits(&[(rw.dim.as_str(), rw.amount)]);
                sub = Some((rw.dim.clone(), rw.amount));
                if bits > 0 {
                    pending.push(NodeSetup::same_op_copy(
                        CopyKind::CacheWrite,
                        &n.o_mem,
                        ot,
                        mv,
                        bits,
                    ));
                }
            }
        }
    }
    if let Some(mh) = key.make_h {
        if mh != ot {
            if let Some(cw) = key.cols_w.iter().find(|r| r.producer == li) {
                let mut repl: Vec<(&str, i64)> = vec![(cw.dim.as_str(), cw.amount)];
                if let Some((sd, sa)) = &sub {
                    let base = repl
                        .iter()
                        .find(|r| r.0 == sd)
                        .map(|r| r.1)
                        .or_else(|| spec.dim_index(sd).map(|i| sizes[i] as i64))
                        .unwrap_or(1);
                    repl.retain(|r| r.0 != sd);
                    repl.push((sd.as_str(), base.saturating_sub(*sa)));
                }
                let bits = n.cache_write_bits(&repl);
                if bits > 0 {
                    pending.push(NodeSetup::same_op_copy(
                        CopyKind::CacheWrite,
                        &n.o_mem,
                        ot,
                        mh,
                        bits,
                    ));
                }
            }
        }
    }
}
