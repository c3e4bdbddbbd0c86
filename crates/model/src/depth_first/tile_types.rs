//! Planning of one stack (MODEL.md §3.5–§3.7): the tile grid (partial tile
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
use super::top_level::{decide, Cols, ColsR, Decision, RowsR};
use crate::input::hardware::Hardware;

/// The key of a tile type (§3.7.2).
#[derive(Clone, Debug, PartialEq)]
pub(super) struct TileKey {
    pub(super) w: u64,
    pub(super) h: u64,
    pub(super) w_top: bool,
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
    match pool.iter().position(|x| x == v) {
        Some(i) => i,
        None => {
            pool.push(v.clone());
            pool.len() - 1
        }
    }
}

impl Pools {
    /// Ids of the empty lists: `[cols, cols_r, cols, rows_r]`.
    pub(super) fn empty(&mut self) -> [usize; 4] {
        let c = self.cols(&Vec::new());
        [c, self.cols_r(&Vec::new()), c, self.rows_r(&Vec::new())]
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
        .output()
        .ok_or_else(|| NetworkError::Graph("a stack has more than one output layer".into()))?;
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
    let cols = grid(oxt, tx);
    let rows = grid(oyt, ty);
    let (nc, nr) = (cols.len(), rows.len());
    if (nc as u128) * (nr as u128) > 4_000_000 {
        return Err(NetworkError::Graph(format!(
            "{} tiles in the stack ending at layer {}; use a larger tile",
            nc * nr,
            on.id
        )));
    }
    // Per tile only small ids are kept: the decision of a tile depends on
    // (w, h, first column, first row) only (at most four distinct ones), and
    // its cache lists are interned by content, so comparing ids is
    // comparing the lists (the tile types are those of the full keys).
    // per decision also the interned ids of (cols_w, cols_r, rows_w, rows_r)
    type Decided = ((u64, u64, bool, bool), Decision, [usize; 4]);
    let mut decisions: Vec<Decided> = Vec::new();
    let mut pools = Pools::default();
    let empty = pools.empty();
    let mut get_d = |w: u64,
                     h: u64,
                     fx: bool,
                     fy: bool,
                     decisions: &mut Vec<Decided>|
     -> Result<usize, NetworkError> {
        if let Some(i) = decisions.iter().position(|c| c.0 == (w, h, fx, fy)) {
            return Ok(i);
        }
        let d = decide(&g, &full, hw, sched.overlap, (w, h, fx, fy))?;
        let ids = [
            pools.cols(&d.cols_w),
            pools.cols_r(&d.cols_r),
            pools.cols(&d.rows_w),
            pools.rows_r(&d.rows_r),
        ];
        decisions.push(((w, h, fx, fy), d, ids));
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
    for (ri, &(y0, h)) in rows.iter().enumerate() {
        for (ci, &(x0, w)) in cols.iter().enumerate() {
            let di = get_d(w, h, x0 == 0, y0 == 0, &mut decisions)?;
            let (d, [cw, cr, rw, rr]) = (&decisions[di].1, decisions[di].2);
            let last_col = x0.saturating_add(tx) >= oxt;
            let last_row = y0.saturating_add(ty) >= oyt;
            let hi: Info = if !hm {
                (None, empty[0], empty[1])
            } else if last_col {
                (None, empty[0], cr)
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
                    (None, empty[0], rr)
                } else {
                    (hi_v, rw, rr)
                }
            } else {
                (None, empty[0], empty[3])
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
    // compact keys: (w, h, w_top, make_h, use_h, cols_w, cols_r, make_v,
    // use_v, rows_w, rows_r)
    type Compact = (
        u64,
        u64,
        bool,
        Option<usize>,
        Option<usize>,
        usize,
        usize,
        Option<usize>,
        Option<usize>,
        usize,
        usize,
    );
    let mut compact: Vec<(Compact, u64)> = Vec::new();
    let mut sizes: Vec<Tile> = Vec::new();
    for (ri, &(_, h)) in rows.iter().enumerate() {
        for (ci, &(_, w)) in cols.iter().enumerate() {
            let (make_h, cols_w, cols_r) = h_info[ri][ci];
            let ve = &v_info[ri][ci];
            let (make_v, rows_w, rows_r) = (v_level(ve), ve.0 .1, ve.0 .2);
            let key: Compact = (
                w,
                h,
                ri == 0 && ci == 0,
                make_h,
                if ci > 0 { h_info[ri][ci - 1].0 } else { None },
                cols_w,
                cols_r,
                make_v,
                if ri > 0 {
                    v_level(&v_info[ri - 1][ci])
                } else {
                    None
                },
                rows_w,
                rows_r,
            );
            match compact.iter_mut().find(|t| t.0 == key) {
                Some(t) => t.1 += 1,
                None => {
                    compact.push((key, 1));
                    sizes.push(Tile { x: w, y: h });
                }
            }
        }
    }
    let types: Vec<(TileKey, u64)> = compact
        .into_iter()
        .map(|(k, m)| {
            (
                TileKey {
                    w: k.0,
                    h: k.1,
                    w_top: k.2,
                    make_h: k.3,
                    use_h: k.4,
                    cols_w: pools.cols[k.5].clone(),
                    cols_r: pools.cols_r[k.6].clone(),
                    make_v: k.7,
                    use_v: k.8,
                    rows_w: pools.cols[k.9].clone(),
                    rows_r: pools.rows_r[k.10].clone(),
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
        let bp = backprop(&g, &full, Some((key.w, key.h)), tile_flags(key))
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
