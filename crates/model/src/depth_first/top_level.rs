//! The top-memory-level choice of a tile (MODEL.md §3.6, `decide`): the
//! levels holding the H and V caches and the weights, and the cache lists
//! written and read. Quirks: Q5, Q17.

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::backprop::{backprop, BpFlags, CacheRead, CacheWrite};
use super::graph::{elems, get, largest_alive, tensor_dims, Graph};
use super::schedule::{NetworkError, Overlap};
use crate::input::hardware::Hardware;
use crate::scenario::layer::{DimClass, LayerSpec};

/// Columns (rows) written to the H (V) cache, per producer.
pub(super) type Cols = Vec<CacheWrite>;
/// Columns read from the H cache, per (consumer, operand).
pub(super) type ColsR = Vec<CacheRead>;
/// Rows read from the V cache, per (consumer, operand).
pub(super) type RowsR = Vec<RowsRead>;

/// Rows a consumer's operand reads from the V cache, with the input
/// dimension of its H cache (the read leaves out what the H read took).
#[derive(Clone, Debug, PartialEq)]
pub(super) struct RowsRead {
    pub(super) key: (usize, usize),
    pub(super) dim: String,
    pub(super) amount: i64,
    pub(super) h_dim: String,
}

/// Where a tile sits: its size and whether it is in the first column /
/// row (all a decision depends on).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct TileAt {
    pub(super) width: u64,
    pub(super) height: u64,
    pub(super) first_col: bool,
    pub(super) first_row: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub(super) struct Decision {
    pub(super) h_ml: Option<usize>,
    pub(super) v_ml: Option<usize>,
    pub(super) cols_w: Cols,
    pub(super) cols_r: ColsR,
    pub(super) rows_w: Cols,
    pub(super) rows_r: RowsR,
    pub(super) w_ml: Option<usize>,
}

pub(super) fn levels(hw: &Hardware, mem_op: &str) -> Vec<usize> {
    hw.mem_op_index(mem_op)
        .map(|m| hw.levels_of(m))
        .unwrap_or_default()
}

pub(super) fn is_r(spec: &LayerSpec, op: usize, d: &str) -> bool {
    spec.dim_index(d)
        .is_some_and(|i| spec.operands[op].class.get(i) == Some(&DimClass::R))
}

pub(super) fn decide(
    g: &Graph,
    full: &[Vec<u64>],
    hw: &Hardware,
    overlap: Overlap,
    tile: TileAt,
) -> Result<Decision, NetworkError> {
    let (tx, ty, first_x, first_y) = (tile.width, tile.height, tile.first_col, tile.first_row);
    let gerr = NetworkError::Graph;
    let out_id = g.output().map(|o| g.nodes[o].id).unwrap_or(0);
    // Q17: the cache sizes assume both caches.
    let bp_both = backprop(
        g,
        full,
        Some((tx, ty)),
        BpFlags {
            use_h: !first_x,
            make_h: true,
            use_v: !first_y,
            make_v: true,
        },
    )
    .map_err(gerr)?;
    let bp_mode = backprop(
        g,
        full,
        Some((tx, ty)),
        BpFlags {
            use_h: !first_x && overlap.h(),
            make_h: true,
            use_v: !first_y && overlap.v(),
            make_v: true,
        },
    )
    .map_err(gerr)?;
    // Q5: no "permanent data" term (it never applies in the reference)
    let la = largest_alive(g, &bp_mode.sizes);
    let (mut sum_h, mut sum_v, mut sum_hv) = (0u128, 0u128, 0u128);
    for read in &bp_both.in_h {
        let ((n, k), hd, ov_x) = (&read.key, &read.dim, &read.amount);
        let node = &g.nodes[*n];
        let spec = &node.spec;
        let sizes = &bp_both.sizes[*n];
        let ext = tensor_dims(spec, *k, sizes);
        let ext_full = tensor_dims(spec, *k, &node.full);
        let size = elems(spec, *k, sizes);
        let prec = spec.operands[*k].precision_bits as u128;
        let ov_x = (*ov_x).max(0) as u128;
        let (vd, ov_y) = bp_both
            .in_v
            .iter()
            .find(|x| x.key == (*n, *k))
            .map(|x| (x.dim.clone(), x.amount.max(0) as u128))
            .unwrap_or_default();
        let e = |d: &str| get(&ext, d).unwrap_or(1).max(1) as u128;
        let ef = |d: &str| get(&ext_full, d).unwrap_or(1).max(1) as u128;
        if !is_r(spec, *k, hd) {
            sum_h = sum_h.saturating_add((size / e(hd)).saturating_mul(ov_x).saturating_mul(prec));
        }
        if !is_r(spec, *k, &vd) {
            sum_v = sum_v.saturating_add(
                ((size / e(hd)).saturating_mul(ef(hd)) / e(&vd))
                    .saturating_mul(ov_y)
                    .saturating_mul(prec),
            );
        }
        if spec.dim_index(&vd).is_none() && spec.dim_index(hd).is_none() {
            sum_hv = sum_hv.saturating_add(
                ((size / e(hd)).saturating_mul(ov_x) / e(&vd))
                    .saturating_mul(ov_y)
                    .saturating_mul(prec),
            );
        }
    }
    let i_mem = bp_both
        .order
        .iter()
        .find_map(|&n| {
            g.nodes[n]
                .spec
                .operands
                .iter()
                .find(|o| !o.is_constant && o.mem_op != "O")
                .map(|o| o.mem_op.clone())
        })
        .unwrap_or_else(|| "I1".to_string());
    let o_mem = bp_both
        .order
        .first()
        .map(|&n| g.nodes[n].spec.operands[0].mem_op.clone())
        .unwrap_or_else(|| "O".to_string());
    let i_idx = hw.mem_op_index(&i_mem);
    let stores_i = |l: usize| i_idx.is_some_and(|m| hw.levels[l].stores(m));
    let o_levels = levels(hw, &o_mem);
    let ok = |l: usize, need: u128| {
        stores_i(l) && hw.levels[l].unroll_count == 1 && hw.levels[l].size_bits as u128 >= need
    };
    let io: Vec<usize> = match o_levels.iter().position(|&l| ok(l, la)) {
        Some(p) => o_levels[..=p].to_vec(),
        None => o_levels.clone(),
    };
    let peak_h = if first_x {
        la
    } else {
        la.saturating_add(sum_h)
    };
    let peak_v = peak_h.saturating_add(sum_v);
    let (h_ml, v_ml) = if overlap.h() {
        let h = o_levels
            .iter()
            .copied()
            .find(|&l| ok(l, peak_h))
            .ok_or(NetworkError::NoCacheLevel { layer_id: out_id })?;
        let v = if overlap.v() {
            let v = o_levels
                .iter()
                .copied()
                .find(|&l| ok(l, peak_v.saturating_sub(if l == h { sum_hv } else { 0 })))
                .ok_or(NetworkError::NoCacheLevel { layer_id: out_id })?;
            Some(v)
        } else {
            None
        };
        (Some(h), v)
    } else {
        (None, None)
    };
    // weight level
    let w_mem = bp_both.order.iter().find_map(|&n| {
        g.nodes[n]
            .spec
            .operands
            .iter()
            .find(|o| o.is_constant)
            .map(|o| o.mem_op.clone())
    });
    let w_ml = match w_mem {
        None => None,
        Some(wm) => {
            let weight_bits: u128 = bp_both
                .order
                .iter()
                .map(|&n| {
                    let s = &g.nodes[n].spec;
                    s.inputs()
                        .filter(|&k| s.operands[k].is_constant)
                        .map(|k| {
                            elems(s, k, &bp_both.sizes[n])
                                .saturating_mul(s.operands[k].precision_bits as u128)
                        })
                        .fold(0u128, |a, x| a.saturating_add(x))
                })
                .fold(0u128, |a, x| a.saturating_add(x));
            let w_levels = levels(hw, &wm);
            let req = |l: usize| -> u128 {
                let mut r = weight_bits;
                if io.contains(&l) {
                    r = weight_bits.saturating_add(la);
                }
                if Some(l) == h_ml {
                    r = weight_bits.saturating_add(peak_h);
                }
                if Some(l) == v_ml {
                    r = weight_bits.saturating_add(peak_v);
                }
                if Some(l) == h_ml && Some(l) == v_ml {
                    r = weight_bits.saturating_add(peak_v).saturating_sub(sum_hv);
                }
                r
            };
            w_levels
                .iter()
                .copied()
                .find(|&l| hw.levels[l].size_bits as u128 >= req(l))
                .or_else(|| w_levels.last().copied())
        }
    };
    let cap = |c: &Cols| -> Cols {
        c.iter()
            .map(|c| {
                let sz = g.nodes[c.producer]
                    .spec
                    .dim_index(&c.dim)
                    .and_then(|i| bp_both.sizes[c.producer].get(i))
                    .copied()
                    .unwrap_or(0) as i64;
                CacheWrite {
                    amount: c.amount.min(sz),
                    ..c.clone()
                }
            })
            .collect()
    };
    let cols_w = if first_x {
        bp_both.to_cache_h.clone()
    } else {
        cap(&bp_both.to_cache_h)
    };
    let rows_w = if first_y {
        bp_both.to_cache_v.clone()
    } else {
        cap(&bp_both.to_cache_v)
    };
    let cols_r = if first_x {
        Vec::new()
    } else {
        bp_both.in_h.clone()
    };
    let rows_r = if first_y {
        Vec::new()
    } else {
        bp_both
            .in_v
            .iter()
            .map(|v| {
                let h_dim = bp_both
                    .in_h
                    .iter()
                    .find(|x| x.key == v.key)
                    .map(|x| x.dim.clone())
                    .unwrap_or_default();
                RowsRead {
                    key: v.key,
                    dim: v.dim.clone(),
                    amount: v.amount,
                    h_dim,
                }
            })
            .collect()
    };
    Ok(Decision {
        h_ml,
        v_ml,
        cols_w,
        cols_r,
        rows_w,
        rows_r,
        w_ml,
    })
}
