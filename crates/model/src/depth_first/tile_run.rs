//! Evaluating one tile type node by node (MODEL.md §3.8): input and output
//! top levels, copy requests, the trimmed accelerator, the single-layer
//! evaluation with its retry (Q24) and the cache writes for the next node.
//! Quirks: Q2, Q3, Q4, Q8, Q9, Q25.

use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;

use super::backprop::{backprop, Backprop, BpFlags};
use super::cache::EvalCache;
use super::data_copy::{copy_layer, CopyKind, CopyLayerCost, CopyRequest};
use super::graph::{get, input_bits, output_bits, tensor_dims};
use super::schedule::NetworkError;
use super::tile_types::{StackPlan, TileKey};
use super::top_level::levels;
use crate::scenario::layer::DimClass;
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
    pub(super) wl: Backprop,
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
        let wl = backprop(g, &plan.full, Some((key.w, key.h)), tile_flags(key))
            .map_err(NetworkError::Graph)?;
        Ok(TileRun {
            wl,
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

    /// Steps 2–l for the next node in graph order; true when the tile type
    /// is complete.
    pub(super) fn step_node(
        &mut self,
        plan: &StackPlan,
        key: &TileKey,
        sc: &ValidScenario,
        lpf: usize,
        memo: &mut EvalCache,
    ) -> Result<bool, NetworkError> {
        let g = &plan.g;
        let hw = &sc.hardware;
        let name = |l: usize| hw.levels[l].name.as_str();
        let Some(&li) = self.topo.get(self.next) else {
            return Ok(true);
        };
        self.next += 1;
        let wl = &self.wl;
        let stored = &mut self.stored;
        let pending = &mut self.pending;
        let out = &mut self.out;
        let node = &g.nodes[li];
        let spec = &node.spec;
        let sizes = &wl.sizes[li];
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
        let (mut extra_o, mut extra_i) = (0usize, 0usize);
        let start_pending = pending.len();
        let max_extra = i_all.len().max(o_all.len());
        let mut tried: Vec<(Option<usize>, Option<usize>)> = Vec::new();
        loop {
            pending.truncate(start_pending);
            let mut i_take = i_take0.clone();
            let mut o_take = o_take0.clone();
            if !is_in {
                extend(&mut i_take, &i_all, extra_i);
            }
            extend(&mut o_take, &o_all, extra_o);
            let i_top = i_take.last().copied();
            let o_top = o_take.last().copied();
            // copy requests (§3.8 e)
            if is_in {
                if let (Some(&top), Some(ot)) = (o_all.last(), o_top) {
                    pending.push(CopyRequest {
                        kind: CopyKind::StackInput,
                        src_op: o_mem.clone(),
                        src: top,
                        dst_op: o_mem.clone(),
                        dst: ot,
                        bits: u64::try_from(out_bits).unwrap_or(u64::MAX),
                    });
                }
            } else if let Some(it) = i_top {
                for &(k, p) in &node.srcs {
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
                            dst_op: spec.operands[k].mem_op.clone(),
                            dst: it,
                            bits: pbits,
                        });
                    }
                }
                let inputs: Vec<usize> = spec
                    .inputs()
                    .filter(|&k| !spec.operands[k].is_constant)
                    .collect();
                // Q8: cache reads use O_final of the consumer
                let amount = |k: usize, repl: &[(&str, i64)]| -> u64 {
                    let o = &spec.operands[k];
                    let ext = tensor_dims(spec, k, sizes);
                    let mut b: i128 = 1;
                    for (i, c) in o.class.iter().enumerate() {
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
                };
                if let Some(uh) = key.use_h.filter(|&u| u != it) {
                    for &k in &inputs {
                        if let Some(c) = key.cols_r.iter().find(|c| c.0 == (li, k)) {
                            let bits = amount(k, &[(c.1.as_str(), c.2)]);
                            if bits > 0 {
                                pending.push(CopyRequest {
                                    kind: CopyKind::CacheRead,
                                    src_op: spec.operands[k].mem_op.clone(),
                                    src: uh,
                                    dst_op: spec.operands[k].mem_op.clone(),
                                    dst: it,
                                    bits,
                                });
                            }
                        }
                    }
                }
                // Q9: the reference tests a stale variable equal to useV
                if let Some(uv) = key.use_v.filter(|&u| u != it) {
                    for &k in &inputs {
                        if let Some(r) = key.rows_r.iter().find(|c| c.0 == (li, k)) {
                            let (vd, vrows, hd) = (&r.1, r.2, &r.3);
                            let ext = tensor_dims(spec, k, sizes);
                            let mut cols = match spec.dim_index(hd) {
                                Some(i) => sizes[i] as i64,
                                None => get(&ext, hd).unwrap_or(1),
                            };
                            if key.use_h.is_some() {
                                if let Some(c) = key.cols_r.iter().find(|c| c.0 == (li, k)) {
                                    cols = cols.saturating_sub(c.2);
                                }
                            }
                            let bits = amount(k, &[(vd.as_str(), vrows), (hd.as_str(), cols)]);
                            if bits > 0 {
                                pending.push(CopyRequest {
                                    kind: CopyKind::CacheRead,
                                    src_op: spec.operands[k].mem_op.clone(),
                                    src: uv,
                                    dst_op: spec.operands[k].mem_op.clone(),
                                    dst: it,
                                    bits,
                                });
                            }
                        }
                    }
                }
            }
            // trimmed accelerator (§3.8 g)
            let mut thw = hw.clone();
            if !is_in {
                if let Some(it) = i_top {
                    for k in spec.inputs() {
                        if !spec.operands[k].is_constant {
                            thw.trim_to(&spec.operands[k].mem_op, name(it));
                        }
                    }
                }
            }
            if !is_out {
                if let Some(ot) = o_top {
                    thw.trim_to(&o_mem, name(ot));
                }
            }
            // Q2: only the first tile reads weights from the full hierarchy
            if !key.w_top {
                if let Some(hw_top) = plan.hi_w {
                    for k in spec.inputs() {
                        if spec.operands[k].is_constant {
                            thw.trim_to(&spec.operands[k].mem_op, name(hw_top));
                        }
                    }
                }
            }
            let copy = copy_layer(hw, &pending[..]).map_err(NetworkError::Copy)?;
            let layer = if is_in {
                None
            } else {
                let sm = sc.mapping.layer(spec.id).cloned().unwrap_or_default();
                let mut tile_spec = spec.clone();
                tile_spec.sizes = sizes.clone();
                let cfg = (i_top, o_top);
                let r = if tried.contains(&cfg) {
                    Err(EvalError::HierarchyTooSmall)
                } else {
                    memo.eval(&tile_spec, &thw, &sm, lpf)
                };
                match r {
                    Ok(c) => Some(c),
                    // Q24: the top-level choice ignored co-resident data;
                    // raise the tops and try again (§3.8 j)
                    Err(EvalError::HierarchyTooSmall) => {
                        tried.push(cfg);
                        if extra_o.min(extra_i) >= max_extra {
                            return Err(NetworkError::RetryExhausted { layer_id: spec.id });
                        }
                        // §3.8 j: (0,0) (1,0) (0,1) (1,1) (2,1) (1,2) (2,2) ...
                        if extra_o == extra_i {
                            extra_o += 1;
                        } else if extra_o > extra_i {
                            extra_i += 1;
                            extra_o -= 1;
                        } else {
                            extra_o += 1;
                        }
                        continue;
                    }
                    Err(e) => {
                        return Err(NetworkError::Layer {
                            layer_id: spec.id,
                            error: e,
                        })
                    }
                }
            };
            pending.clear();
            if let Some(ot) = o_top {
                stored[li] = Some((ot, u64::try_from(out_bits).unwrap_or(u64::MAX)));
            }
            out.push(NodeEval {
                node: li,
                retries: tried.len() as u64,
                copy,
                layer,
                sizes: sizes.clone(),
            });
            // cache writes for the next node (§3.8 l); Q4: never by input nodes
            if !is_in {
                let r_o = |repl: &[(&str, i64)]| -> u64 {
                    let o = &spec.operands[0];
                    let mut b: i128 = 1;
                    for (i, c) in o.class.iter().enumerate() {
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
                    b.saturating_mul(spec.o_final_bits as i128).max(0) as u64
                };
                let mut sub: Option<(String, i64)> = None;
                if let (Some(mv), Some(ot)) = (key.make_v, o_top) {
                    if mv != ot {
                        if let Some(rw) = key.rows_w.iter().find(|r| r.0 == li) {
                            let bits = r_o(&[(rw.1.as_str(), rw.2)]);
                            sub = Some((rw.1.clone(), rw.2));
                            if bits > 0 {
                                pending.push(CopyRequest {
                                    kind: CopyKind::CacheWrite,
                                    src_op: o_mem.clone(),
                                    src: ot,
                                    dst_op: o_mem.clone(),
                                    dst: mv,
                                    bits,
                                });
                            }
                        }
                    }
                }
                if let (Some(mh), Some(ot)) = (key.make_h, o_top) {
                    if mh != ot {
                        if let Some(cw) = key.cols_w.iter().find(|r| r.0 == li) {
                            let mut repl: Vec<(&str, i64)> = vec![(cw.1.as_str(), cw.2)];
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
                            let bits = r_o(&repl);
                            if bits > 0 {
                                pending.push(CopyRequest {
                                    kind: CopyKind::CacheWrite,
                                    src_op: o_mem.clone(),
                                    src: ot,
                                    dst_op: o_mem.clone(),
                                    dst: mh,
                                    bits,
                                });
                            }
                        }
                    }
                }
            }
            break;
        }
        Ok(self.done())
    }
}
