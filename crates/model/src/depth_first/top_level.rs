//! The top-memory-level choice of a tile (docs/model.md §3.6, `decide`): the
//! levels holding the H and V caches and the weights, and the cache lists
//! written and read. Quirks: Q5, Q17.

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::backprop::{backprop, Backprop, BpFlags, CacheRead, CacheWrite};
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

/// Bits the caches add to the peak of a level (§3.6): the H cache, the V
/// cache, and the part counted in both, stored once when one level holds
/// both caches.
struct CacheBits {
    h: u128,
    v: u128,
    hv: u128,
}

/// What a level must hold, by what it stores (§3.6).
struct Needs {
    /// The largest live data (Q5: no "permanent data" term, it never
    /// applies in the reference).
    alive: u128,
    /// With the H cache (none for a tile in the first column).
    h: u128,
    /// With the H and the V cache.
    v: u128,
    /// Counted in both caches.
    hv: u128,
}

/// The levels of the output memory operand, where tile data and caches go.
struct OutLevels<'a> {
    hw: &'a Hardware,
    /// Memory operand of the first input, which such a level must store too.
    i_idx: Option<usize>,
    levels: Vec<usize>,
}

impl OutLevels<'_> {
    /// Level `l` stores the input, is not unrolled and has `need` bits.
    fn fits(&self, l: usize, need: u128) -> bool {
        let lv = &self.hw.levels[l];
        self.i_idx.is_some_and(|m| lv.stores(m))
            && lv.unroll_count == 1
            && lv.size_bits as u128 >= need
    }

    /// The lowest level that fits what it would hold.
    fn first_fit(&self, need: impl Fn(usize) -> u128) -> Option<usize> {
        self.levels.iter().copied().find(|&l| self.fits(l, need(l)))
    }
}

/// The levels of the H and V caches, and those the tile's inputs and
/// outputs pass (up to the first that holds the live data).
struct CacheLevels {
    io: Vec<usize>,
    h: Option<usize>,
    v: Option<usize>,
}

pub(super) fn decide(
    g: &Graph,
    full: &[Vec<u64>],
    hw: &Hardware,
    overlap: Overlap,
    tile: TileAt,
) -> Result<Decision, NetworkError> {
    // Q17: the cache sizes assume both caches.
    let bp_both = tile_backprop(g, full, tile, Overlap::FullyCached)?;
    let bp_mode = tile_backprop(g, full, tile, overlap)?;
    let bits = cache_bits(g, &bp_both);
    let alive = largest_alive(g, &bp_mode.sizes);
    let h = if tile.first_col {
        alive
    } else {
        alive.saturating_add(bits.h)
    };
    let needs = Needs {
        alive,
        h,
        v: h.saturating_add(bits.v),
        hv: bits.hv,
    };
    let out = OutLevels {
        hw,
        i_idx: hw.mem_op_index(&first_input_mem(g, &bp_both)),
        levels: levels(hw, &output_mem(g, &bp_both)),
    };
    let out_id = g.output().map(|o| g.nodes[o].id).unwrap_or(0);
    let at = cache_levels(&out, overlap, &needs)
        .ok_or(NetworkError::NoCacheLevel { layer_id: out_id })?;
    let w_ml =
        weight_mem(g, &bp_both).and_then(|wm| weight_level(g, hw, &bp_both, &wm, &at, &needs));
    Ok(Decision {
        h_ml: at.h,
        v_ml: at.v,
        cols_w: cache_written(g, &bp_both, &bp_both.to_cache_h, tile.first_col),
        cols_r: if tile.first_col {
            Vec::new()
        } else {
            bp_both.in_h.clone()
        },
        rows_w: cache_written(g, &bp_both, &bp_both.to_cache_v, tile.first_row),
        rows_r: if tile.first_row {
            Vec::new()
        } else {
            rows_read(&bp_both)
        },
        w_ml,
    })
}

/// The back-propagation of a tile, using the caches `overlap` has (except
/// in the first column / row) and making both.
fn tile_backprop(
    g: &Graph,
    full: &[Vec<u64>],
    tile: TileAt,
    overlap: Overlap,
) -> Result<Backprop, NetworkError> {
    let flags = BpFlags {
        use_h: !tile.first_col && overlap.h(),
        make_h: true,
        use_v: !tile.first_row && overlap.v(),
        make_v: true,
    };
    backprop(g, full, Some((tile.width, tile.height)), flags).map_err(NetworkError::Graph)
}

/// §3.6: the bits the H and V cache reads of `bp` add.
fn cache_bits(g: &Graph, bp: &Backprop) -> CacheBits {
    let mut bits = CacheBits { h: 0, v: 0, hv: 0 };
    for read in &bp.in_h {
        let ((n, k), hd, ov_x) = (&read.key, &read.dim, &read.amount);
        let node = &g.nodes[*n];
        let spec = &node.spec;
        let sizes = &bp.sizes[*n];
        let ext = tensor_dims(spec, *k, sizes);
        let ext_full = tensor_dims(spec, *k, &node.full);
        let size = elems(spec, *k, sizes);
        let prec = spec.operands[*k].precision_bits as u128;
        let ov_x = (*ov_x).max(0) as u128;
        let (vd, ov_y) = bp
            .in_v
            .iter()
            .find(|x| x.key == (*n, *k))
            .map(|x| (x.dim.clone(), x.amount.max(0) as u128))
            .unwrap_or_default();
        let e = |d: &str| get(&ext, d).unwrap_or(1).max(1) as u128;
        let ef = |d: &str| get(&ext_full, d).unwrap_or(1).max(1) as u128;
        if !is_r(spec, *k, hd) {
            bits.h = bits
                .h
                .saturating_add((size / e(hd)).saturating_mul(ov_x).saturating_mul(prec));
        }
        if !is_r(spec, *k, &vd) {
            bits.v = bits.v.saturating_add(
                ((size / e(hd)).saturating_mul(ef(hd)) / e(&vd))
                    .saturating_mul(ov_y)
                    .saturating_mul(prec),
            );
        }
        if spec.dim_index(&vd).is_none() && spec.dim_index(hd).is_none() {
            bits.hv = bits.hv.saturating_add(
                ((size / e(hd)).saturating_mul(ov_x) / e(&vd))
                    .saturating_mul(ov_y)
                    .saturating_mul(prec),
            );
        }
    }
    bits
}

/// The memory operand of the first non-constant input in `bp.order`.
fn first_input_mem(g: &Graph, bp: &Backprop) -> String {
    bp.order
        .iter()
        .find_map(|&n| {
            g.nodes[n]
                .spec
                .operands
                .iter()
                .find(|o| !o.is_constant && o.mem_op != "O")
                .map(|o| o.mem_op.clone())
        })
        .unwrap_or_else(|| "I1".to_string())
}

/// The output memory operand of the first node in `bp.order`.
fn output_mem(g: &Graph, bp: &Backprop) -> String {
    bp.order
        .first()
        .map(|&n| g.nodes[n].spec.operands[0].mem_op.clone())
        .unwrap_or_else(|| "O".to_string())
}

/// The memory operand of the first constant operand in `bp.order`.
fn weight_mem(g: &Graph, bp: &Backprop) -> Option<String> {
    bp.order.iter().find_map(|&n| {
        g.nodes[n]
            .spec
            .operands
            .iter()
            .find(|o| o.is_constant)
            .map(|o| o.mem_op.clone())
    })
}

/// The H cache level (with `overlap.h()`) and the V cache level (with
/// `overlap.v()`); `None` when a needed cache fits no output level.
fn cache_levels(out: &OutLevels, overlap: Overlap, needs: &Needs) -> Option<CacheLevels> {
    let io = match out.levels.iter().position(|&l| out.fits(l, needs.alive)) {
        Some(p) => out.levels[..=p].to_vec(),
        None => out.levels.clone(),
    };
    let (h, v) = if overlap.h() {
        let h = out.first_fit(|_| needs.h)?;
        let v = if overlap.v() {
            let shared = |l: usize| if l == h { needs.hv } else { 0 };
            Some(out.first_fit(|l| needs.v.saturating_sub(shared(l)))?)
        } else {
            None
        };
        (Some(h), v)
    } else {
        (None, None)
    };
    Some(CacheLevels { io, h, v })
}

/// The weight level: the lowest level of `wm` that holds the tile's
/// weights besides what else it holds, else the top one.
fn weight_level(
    g: &Graph,
    hw: &Hardware,
    bp: &Backprop,
    wm: &str,
    at: &CacheLevels,
    needs: &Needs,
) -> Option<usize> {
    let weight_bits: u128 = bp
        .order
        .iter()
        .map(|&n| {
            let s = &g.nodes[n].spec;
            s.inputs()
                .filter(|&k| s.operands[k].is_constant)
                .map(|k| {
                    elems(s, k, &bp.sizes[n]).saturating_mul(s.operands[k].precision_bits as u128)
                })
                .fold(0u128, |a, x| a.saturating_add(x))
        })
        .fold(0u128, |a, x| a.saturating_add(x));
    let w_levels = levels(hw, wm);
    let req = |l: usize| -> u128 {
        let mut r = weight_bits;
        if at.io.contains(&l) {
            r = weight_bits.saturating_add(needs.alive);
        }
        if Some(l) == at.h {
            r = weight_bits.saturating_add(needs.h);
        }
        if Some(l) == at.v {
            r = weight_bits.saturating_add(needs.v);
        }
        if Some(l) == at.h && Some(l) == at.v {
            r = weight_bits.saturating_add(needs.v).saturating_sub(needs.hv);
        }
        r
    };
    w_levels
        .iter()
        .copied()
        .find(|&l| hw.levels[l].size_bits as u128 >= req(l))
        .or_else(|| w_levels.last().copied())
}

/// The cache writes `c`, each capped at its producer's size along the
/// cache unless the tile is `first` (in the first column / row).
fn cache_written(g: &Graph, bp: &Backprop, c: &Cols, first: bool) -> Cols {
    if first {
        return c.clone();
    }
    c.iter()
        .map(|c| {
            let sz = g.nodes[c.producer]
                .spec
                .dim_index(&c.dim)
                .and_then(|i| bp.sizes[c.producer].get(i))
                .copied()
                .unwrap_or(0) as i64;
            CacheWrite {
                amount: c.amount.min(sz),
                ..c.clone()
            }
        })
        .collect()
}

/// The V cache reads of `bp`, each with the input dimension of the
/// operand's H cache read.
fn rows_read(bp: &Backprop) -> RowsR {
    bp.in_v
        .iter()
        .map(|v| {
            let h_dim = bp
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
}
