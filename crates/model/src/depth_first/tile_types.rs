//! Planning of one stack (docs/model.md §3.5–§3.7): the tile grid (partial tile
//! first, Q27), the decision of each tile, the cache levels of each tile
//! (Q6, Q7) and the tile types with their multiplicities.

use alloc::format;
use alloc::vec;
use alloc::vec::Vec;

use super::backprop::backprop;
use super::graph::Graph;
use super::report::{LayerTileMacs, StackReport};
use super::schedule::{NetworkError, Schedule, Tile};
use super::tile_run::tile_flags;
use super::top_level::{decide, Cols, ColsR, Decision, RowsR, TileAt};
use crate::input::hardware::Hardware;
use crate::limits;
use crate::vec_map::find_or_push;

/// The key of a tile type (§3.7.2).
#[derive(Clone, Debug, PartialEq)]
pub(super) struct TileKey {
    /// Tile width and height in output pixels.
    pub(super) width: u64,
    pub(super) height: u64,
    /// The first tile: weights come from the full hierarchy (Q2).
    pub(super) weights_at_top: bool,
    pub(super) make_h: Option<usize>,
    pub(super) use_h: Option<usize>,
    pub(super) cols_w: Cols,
    pub(super) cols_r: ColsR,
    pub(super) make_v: Option<usize>,
    pub(super) use_v: Option<usize>,
    pub(super) rows_w: Cols,
    pub(super) rows_r: RowsR,
}

pub(super) struct StackPlan {
    pub(super) g: Graph,
    pub(super) full: Vec<Vec<u64>>,
    pub(super) hi_w: Option<usize>,
    pub(super) types: Vec<(TileKey, u64)>,
    pub(super) report: StackReport,
}

/// Cache lists of the tile decisions, interned by content.
#[derive(Default)]
pub(super) struct Pools {
    pub(super) cols: Vec<Cols>,
    pub(super) cols_r: Vec<ColsR>,
    pub(super) rows_r: Vec<RowsR>,
}

pub(super) fn intern<T: PartialEq + Clone>(pool: &mut Vec<T>, v: &T) -> usize {
    find_or_push(pool, |x| x == v, || v.clone())
}

/// The interned ids of a decision's cache lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct ListIds {
    pub(super) cols_w: usize,
    pub(super) cols_r: usize,
    pub(super) rows_w: usize,
    pub(super) rows_r: usize,
}

/// A decision made for tiles at one [`TileAt`], with its lists' ids.
pub(super) struct Decided {
    pub(super) tile: TileAt,
    pub(super) decision: Decision,
    pub(super) ids: ListIds,
}

/// A tile type's key with its cache lists as interned ids (comparing ids
/// is comparing the lists).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct CompactKey {
    pub(super) width: u64,
    pub(super) height: u64,
    pub(super) weights_at_top: bool,
    pub(super) make_h: Option<usize>,
    pub(super) use_h: Option<usize>,
    pub(super) cols_w: usize,
    pub(super) cols_r: usize,
    pub(super) make_v: Option<usize>,
    pub(super) use_v: Option<usize>,
    pub(super) rows_w: usize,
    pub(super) rows_r: usize,
}

impl Pools {
    /// Ids of the empty lists.
    pub(super) fn empty(&mut self) -> ListIds {
        let c = self.cols(&Vec::new());
        ListIds {
            cols_w: c,
            cols_r: self.cols_r(&Vec::new()),
            rows_w: c,
            rows_r: self.rows_r(&Vec::new()),
        }
    }
    pub(super) fn cols(&mut self, v: &Cols) -> usize {
        intern(&mut self.cols, v)
    }
    pub(super) fn cols_r(&mut self, v: &ColsR) -> usize {
        intern(&mut self.cols_r, v)
    }
    pub(super) fn rows_r(&mut self, v: &RowsR) -> usize {
        intern(&mut self.rows_r, v)
    }
}

pub(super) fn plan_stack(
    g: Graph,
    hw: &Hardware,
    sched: &Schedule,
) -> Result<StackPlan, NetworkError> {
    let full: Vec<Vec<u64>> = g.nodes.iter().map(|n| n.full.clone()).collect();
    let out = g
        .single_output()
        .map_err(|e| NetworkError::Graph(format!("a stack has {e}")))?;
    let on = &g.nodes[out];
    let (Some(ox), Some(oy)) = (on.spec.dim_index("OX"), on.spec.dim_index("OY")) else {
        return Err(NetworkError::Graph(format!(
            "layer {} has no OX/OY loops; depth-first tiling needs both (Q29)",
            on.id
        )));
    };
    let (oxt, oyt) = (full[out][ox].max(1), full[out][oy].max(1));
    // Q28: the same tile size for every stack's output layer
    let (tx, ty) = (sched.tile.x.max(1), sched.tile.y.max(1));
    // §3.5, Q27: the partial tile is the first column/row
    let grid = |total: u64, t: u64| -> Vec<(u64, u64)> {
        let rest = total % t;
        let l = if rest == 0 { t } else { rest };
        let mut v = vec![(0, l.min(total))];
        let mut x = l;
        while x < total {
            v.push((x, t));
            x = x.saturating_add(t);
        }
        v
    };
    // Counted before anything is allocated per tile.
    let tiles = u128::from(oxt.div_ceil(tx)) * u128::from(oyt.div_ceil(ty));
    if tiles > u128::from(limits::MAX_TILES_PER_STACK) {
        return Err(NetworkError::Graph(limits::exceeded(
            &format!(
                "the stack ending at layer {} is {oxt}x{oyt}; at tile {tx}x{ty}, its tile count",
                on.id
            ),
            tiles,
            limits::MAX_TILES_PER_STACK,
            "the model plans every tile; use a larger tile",
        )));
    }
    let cols = grid(oxt, tx);
    let rows = grid(oyt, ty);
    let (nc, nr) = (cols.len(), rows.len());
    // Per tile only small ids are kept: the decision of a tile depends on
    // (w, h, first column, first row) only (at most four distinct ones), and
    // its cache lists are interned by content, so comparing ids is
    // comparing the lists (the tile types are those of the full keys).
    let mut decisions: Vec<Decided> = Vec::new();
    let mut pools = Pools::default();
    let empty = pools.empty();
    let mut get_d = |tile: TileAt, decisions: &mut Vec<Decided>| -> Result<usize, NetworkError> {
        if let Some(i) = decisions.iter().position(|c| c.tile == tile) {
            return Ok(i);
        }
        let decision = decide(&g, &full, hw, sched.overlap, tile)?;
        let ids = ListIds {
            cols_w: pools.cols(&decision.cols_w),
            cols_r: pools.cols_r(&decision.cols_r),
            rows_w: pools.cols(&decision.rows_w),
            rows_r: pools.rows_r(&decision.rows_r),
        };
        decisions.push(Decided {
            tile,
            decision,
            ids,
        });
        Ok(decisions.len() - 1)
    };
    // (level, written list id, read list id)
    type Info = (Option<usize>, usize, usize);
    // V info also remembers when it was made (Q7 overwrites, below)
    let mut h_info: Vec<Vec<Info>> = vec![Vec::with_capacity(nc); nr];
    let mut v_info: Vec<Vec<(Info, u64)>> = vec![Vec::with_capacity(nc); nr];
    // Q7: every earlier V entry holding a level is overwritten with the new
    // level. Done lazily: `v_overwrite = (seq, level)` of the last
    // overwrite; an entry made before it (and holding a level then) holds
    // that level. Levels are never `None` here (mode 3 always has a V
    // level), so only the last overwrite matters.
    let mut v_overwrite: Option<(u64, Option<usize>)> = None;
    let mut seq = 0u64;
    let mut hi_v: Option<usize> = None;
    let mut hi_w: Option<usize> = None;
    let (hm, vm) = (sched.overlap.h(), sched.overlap.v());
    for (ri, &(y0, height)) in rows.iter().enumerate() {
        for (ci, &(x0, width)) in cols.iter().enumerate() {
            let tile = TileAt {
                width,
                height,
                first_col: x0 == 0,
                first_row: y0 == 0,
            };
            let di = get_d(tile, &mut decisions)?;
            let d = &decisions[di].decision;
            let ListIds {
                cols_w: cw,
                cols_r: cr,
                rows_w: rw,
                rows_r: rr,
            } = decisions[di].ids;
            let last_col = x0.saturating_add(tx) >= oxt;
            let last_row = y0.saturating_add(ty) >= oyt;
            let hi: Info = if !hm {
                (None, empty.cols_w, empty.cols_r)
            } else if last_col {
                (None, empty.cols_w, cr)
            } else {
                (d.h_ml, cw, cr)
            };
            h_info[ri].push(hi);
            // Q6: the previous column's level is replaced, not raised
            if ci > 0 && h_info[ri][ci - 1].0 != d.h_ml {
                h_info[ri][ci - 1].0 = d.h_ml;
            }
            let vi: Info = if hm && vm {
                if ri == 0 && ci == 0 {
                    hi_v = d.v_ml;
                } else if d.v_ml != hi_v {
                    // Q7: "maximum" is the last different value
                    hi_v = d.v_ml;
                    v_overwrite = Some((seq, hi_v));
                }
                if last_row {
                    (None, empty.rows_w, rr)
                } else {
                    (hi_v, rw, rr)
                }
            } else {
                (None, empty.rows_w, empty.rows_r)
            };
            v_info[ri].push((vi, seq));
            seq += 1;
            if let Some(wm) = d.w_ml {
                hi_w = Some(hi_w.map_or(wm, |x| x.max(wm)));
            }
        }
    }
    let v_level = |e: &(Info, u64)| -> Option<usize> {
        match v_overwrite {
            Some((at, lvl)) if e.0 .0.is_some() && e.1 < at => lvl,
            _ => e.0 .0,
        }
    };
    let mut compact: Vec<(CompactKey, u64)> = Vec::new();
    let mut sizes: Vec<Tile> = Vec::new();
    for (ri, &(_, height)) in rows.iter().enumerate() {
        for (ci, &(_, width)) in cols.iter().enumerate() {
            let (make_h, cols_w, cols_r) = h_info[ri][ci];
            let ve = &v_info[ri][ci];
            let (make_v, rows_w, rows_r) = (v_level(ve), ve.0 .1, ve.0 .2);
            let key = CompactKey {
                width,
                height,
                weights_at_top: ri == 0 && ci == 0,
                make_h,
                use_h: if ci > 0 { h_info[ri][ci - 1].0 } else { None },
                cols_w,
                cols_r,
                make_v,
                use_v: if ri > 0 {
                    v_level(&v_info[ri - 1][ci])
                } else {
                    None
                },
                rows_w,
                rows_r,
            };
            match compact.iter_mut().find(|t| t.0 == key) {
                Some(t) => t.1 += 1,
                None => {
                    compact.push((key, 1));
                    sizes.push(Tile {
                        x: width,
                        y: height,
                    });
                }
            }
        }
    }
    let types: Vec<(TileKey, u64)> = compact
        .into_iter()
        .map(|(k, m)| {
            (
                TileKey {
                    width: k.width,
                    height: k.height,
                    weights_at_top: k.weights_at_top,
                    make_h: k.make_h,
                    use_h: k.use_h,
                    cols_w: pools.cols[k.cols_w].clone(),
                    cols_r: pools.cols_r[k.cols_r].clone(),
                    make_v: k.make_v,
                    use_v: k.use_v,
                    rows_w: pools.cols[k.rows_w].clone(),
                    rows_r: pools.rows_r[k.rows_r].clone(),
                },
                m,
            )
        })
        .collect();
    let topo = g.topo().unwrap_or_default();
    let mut layer_macs: Vec<LayerTileMacs> = topo
        .iter()
        .filter(|&&n| !g.nodes[n].is_input)
        .map(|&n| LayerTileMacs {
            layer_id: g.nodes[n].id,
            full_macs: full[n].iter().fold(1u64, |a, &x| a.saturating_mul(x)),
            tile_macs: 0,
        })
        .collect();
    for (key, mult) in &types {
        let bp = backprop(&g, &full, Some((key.width, key.height)), tile_flags(key))
            .map_err(NetworkError::Graph)?;
        for (lm, &n) in layer_macs
            .iter_mut()
            .zip(topo.iter().filter(|&&n| !g.nodes[n].is_input))
        {
            let m = bp.sizes[n].iter().fold(1u64, |a, &x| a.saturating_mul(x));
            lm.tile_macs = lm.tile_macs.saturating_add(m.saturating_mul(*mult));
        }
    }
    let report = StackReport {
        energy_pj: 0.0,
        latency_cycles: 0,
        layer_macs,
        layers: topo
            .iter()
            .filter(|&&n| !g.nodes[n].is_input)
            .map(|&n| g.nodes[n].id)
            .collect(),
        output_x: oxt,
        output_y: oyt,
        tiles: (nc * nr) as u64,
        tile_type_multiplicities: types.iter().map(|t| t.1).collect(),
        tile_type_sizes: sizes,
    };
    Ok(StackPlan {
        g,
        full,
        hi_w,
        types,
        report,
    })
}
