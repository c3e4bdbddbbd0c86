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

/// The output tile grid of a stack (§3.5).
struct TileGrid {
    /// Its full output size.
    oxt: u64,
    oyt: u64,
    /// The tile size (Q28: the same for every stack's output layer).
    tx: u64,
    ty: u64,
    /// Per column (row): its first pixel and width (height).
    cols: Vec<(u64, u64)>,
    rows: Vec<(u64, u64)>,
}

/// §3.5, Q27: the partial tile is the first column/row.
fn grid(total: u64, t: u64) -> Vec<(u64, u64)> {
    let rest = total % t;
    let l = if rest == 0 { t } else { rest };
    let mut v = vec![(0, l.min(total))];
    let mut x = l;
    while x < total {
        v.push((x, t));
        x = x.saturating_add(t);
    }
    v
}

impl TileGrid {
    fn new(g: &Graph, full: &[Vec<u64>], sched: &Schedule) -> Result<TileGrid, NetworkError> {
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
        Ok(TileGrid {
            oxt,
            oyt,
            tx,
            ty,
            cols: grid(oxt, tx),
            rows: grid(oyt, ty),
        })
    }
}

/// The decisions made so far, one per distinct [`TileAt`], and the pools
/// their cache lists are interned in.
///
/// Per tile only small ids are kept: the decision of a tile depends on
/// (w, h, first column, first row) only (at most four distinct ones), and
/// its cache lists are interned by content, so comparing ids is
/// comparing the lists (the tile types are those of the full keys).
struct Decisions<'a> {
    g: &'a Graph,
    full: &'a [Vec<u64>],
    hw: &'a Hardware,
    sched: &'a Schedule,
    list: Vec<Decided>,
    pools: Pools,
}

impl Decisions<'_> {
    /// The index of the decision for `tile`, made on first use.
    fn get(&mut self, tile: TileAt) -> Result<usize, NetworkError> {
        if let Some(i) = self.list.iter().position(|c| c.tile == tile) {
            return Ok(i);
        }
        let decision = decide(self.g, self.full, self.hw, self.sched.overlap, tile)?;
        let pools = &mut self.pools;
        let ids = ListIds {
            cols_w: pools.cols(&decision.cols_w),
            cols_r: pools.cols_r(&decision.cols_r),
            rows_w: pools.cols(&decision.rows_w),
            rows_r: pools.rows_r(&decision.rows_r),
        };
        self.list.push(Decided {
            tile,
            decision,
            ids,
        });
        Ok(self.list.len() - 1)
    }
}

/// A tile's cache level in one direction with its lists' ids.
#[derive(Clone, Copy)]
struct CacheInfo {
    level: Option<usize>,
    /// Id of the written list.
    written: usize,
    /// Id of the read list.
    read: usize,
}

/// The cache levels of every tile (§3.6, Q6, Q7), per row and column.
struct TileCaches {
    h: Vec<Vec<CacheInfo>>,
    /// V info also remembers when it was made (Q7 overwrites, below).
    v: Vec<Vec<(CacheInfo, u64)>>,
    /// Q7: every earlier V entry holding a level is overwritten with the
    /// new level. Done lazily: `v_overwrite = (seq, level)` of the last
    /// overwrite; an entry made before it (and holding a level then) holds
    /// that level. Levels are never `None` here (mode 3 always has a V
    /// level), so only the last overwrite matters.
    v_overwrite: Option<(u64, Option<usize>)>,
    /// The highest weight level of any tile.
    hi_w: Option<usize>,
}

impl TileCaches {
    /// The V level of entry `e` after the Q7 overwrites.
    fn v_level(&self, e: &(CacheInfo, u64)) -> Option<usize> {
        match self.v_overwrite {
            Some((at, lvl)) if e.0.level.is_some() && e.1 < at => lvl,
            _ => e.0.level,
        }
    }
}

/// Decides every tile of `grid` in row-major order and records its cache
/// levels.
fn tile_caches(grid: &TileGrid, ds: &mut Decisions) -> Result<TileCaches, NetworkError> {
    let (nc, nr) = (grid.cols.len(), grid.rows.len());
    let empty = ds.pools.empty();
    let mut tc = TileCaches {
        h: vec![Vec::with_capacity(nc); nr],
        v: vec![Vec::with_capacity(nc); nr],
        v_overwrite: None,
        hi_w: None,
    };
    let mut seq = 0u64;
    let mut hi_v: Option<usize> = None;
    let (hm, vm) = (ds.sched.overlap.h(), ds.sched.overlap.v());
    for (ri, &(y0, height)) in grid.rows.iter().enumerate() {
        for (ci, &(x0, width)) in grid.cols.iter().enumerate() {
            let tile = TileAt {
                width,
                height,
                first_col: x0 == 0,
                first_row: y0 == 0,
            };
            let di = ds.get(tile)?;
            let d = &ds.list[di].decision;
            let ids = ds.list[di].ids;
            let last_col = x0.saturating_add(grid.tx) >= grid.oxt;
            let last_row = y0.saturating_add(grid.ty) >= grid.oyt;
            let info = |level, written, read| CacheInfo {
                level,
                written,
                read,
            };
            let hi = if !hm {
                info(None, empty.cols_w, empty.cols_r)
            } else if last_col {
                info(None, empty.cols_w, ids.cols_r)
            } else {
                info(d.h_ml, ids.cols_w, ids.cols_r)
            };
            tc.h[ri].push(hi);
            // Q6: the previous column's level is replaced, not raised
            if ci > 0 && tc.h[ri][ci - 1].level != d.h_ml {
                tc.h[ri][ci - 1].level = d.h_ml;
            }
            let vi = if hm && vm {
                if ri == 0 && ci == 0 {
                    hi_v = d.v_ml;
                } else if d.v_ml != hi_v {
                    // Q7: "maximum" is the last different value
                    hi_v = d.v_ml;
                    tc.v_overwrite = Some((seq, hi_v));
                }
                if last_row {
                    info(None, empty.rows_w, ids.rows_r)
                } else {
                    info(hi_v, ids.rows_w, ids.rows_r)
                }
            } else {
                info(None, empty.rows_w, empty.rows_r)
            };
            tc.v[ri].push((vi, seq));
            seq += 1;
            if let Some(wm) = d.w_ml {
                tc.hi_w = Some(tc.hi_w.map_or(wm, |x| x.max(wm)));
            }
        }
    }
    Ok(tc)
}

/// The tile types (§3.7.2) as compact keys with their multiplicities, in
/// order of first appearance, and the size of each.
fn compact_types(grid: &TileGrid, tc: &TileCaches) -> (Vec<(CompactKey, u64)>, Vec<Tile>) {
    let mut compact: Vec<(CompactKey, u64)> = Vec::new();
    let mut sizes: Vec<Tile> = Vec::new();
    for (ri, &(_, height)) in grid.rows.iter().enumerate() {
        for (ci, &(_, width)) in grid.cols.iter().enumerate() {
            let h = tc.h[ri][ci];
            let ve = &tc.v[ri][ci];
            let key = CompactKey {
                width,
                height,
                weights_at_top: ri == 0 && ci == 0,
                make_h: h.level,
                use_h: if ci > 0 { tc.h[ri][ci - 1].level } else { None },
                cols_w: h.written,
                cols_r: h.read,
                make_v: tc.v_level(ve),
                use_v: if ri > 0 {
                    tc.v_level(&tc.v[ri - 1][ci])
                } else {
                    None
                },
                rows_w: ve.0.written,
                rows_r: ve.0.read,
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
    (compact, sizes)
}

/// A compact key with its lists looked up in `pools`.
fn tile_key(k: &CompactKey, pools: &Pools) -> TileKey {
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
    }
}

/// The MACs of every compute layer, in graph order: in full and summed over
/// the tiles of every type (each type back-propagated once).
fn layer_tile_macs(
    g: &Graph,
    full: &[Vec<u64>],
    topo: &[usize],
    types: &[(TileKey, u64)],
) -> Result<Vec<LayerTileMacs>, NetworkError> {
    let mut layer_macs: Vec<LayerTileMacs> = topo
        .iter()
        .filter(|&&n| !g.nodes[n].is_input)
        .map(|&n| LayerTileMacs {
            layer_id: g.nodes[n].id,
            full_macs: full[n].iter().fold(1u64, |a, &x| a.saturating_mul(x)),
            tile_macs: 0,
        })
        .collect();
    for (key, mult) in types {
        let bp = backprop(g, full, Some((key.width, key.height)), tile_flags(key))
            .map_err(NetworkError::Graph)?;
        for (lm, &n) in layer_macs
            .iter_mut()
            .zip(topo.iter().filter(|&&n| !g.nodes[n].is_input))
        {
            let m = bp.sizes[n].iter().fold(1u64, |a, &x| a.saturating_mul(x));
            lm.tile_macs = lm.tile_macs.saturating_add(m.saturating_mul(*mult));
        }
    }
    Ok(layer_macs)
}

/// Plans one stack: its tile grid, the decision and cache levels of each
/// tile, its tile types and the report's tile counts and MACs.
pub(super) fn plan_stack(
    g: Graph,
    hw: &Hardware,
    sched: &Schedule,
) -> Result<StackPlan, NetworkError> {
    let full: Vec<Vec<u64>> = g.nodes.iter().map(|n| n.full.clone()).collect();
    let grid = TileGrid::new(&g, &full, sched)?;
    let mut ds = Decisions {
        g: &g,
        full: &full,
        hw,
        sched,
        list: Vec::new(),
        pools: Pools::default(),
    };
    let tc = tile_caches(&grid, &mut ds)?;
    let (compact, sizes) = compact_types(&grid, &tc);
    let types: Vec<(TileKey, u64)> = compact
        .iter()
        .map(|(k, m)| (tile_key(k, &ds.pools), *m))
        .collect();
    let topo = g.topo().unwrap_or_default();
    let layer_macs = layer_tile_macs(&g, &full, &topo, &types)?;
    let report = StackReport {
        energy_pj: 0.0,
        latency_cycles: 0,
        layer_macs,
        layers: topo
            .iter()
            .filter(|&&n| !g.nodes[n].is_input)
            .map(|&n| g.nodes[n].id)
            .collect(),
        output_x: grid.oxt,
        output_y: grid.oyt,
        tiles: (grid.cols.len() * grid.rows.len()) as u64,
        tile_type_multiplicities: types.iter().map(|t| t.1).collect(),
        tile_type_sizes: sizes,
    };
    let hi_w = tc.hi_w;
    Ok(StackPlan {
        g,
        full,
        hi_w,
        types,
        report,
    })
}
