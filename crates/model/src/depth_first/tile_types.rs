//! Planning of one stack (docs/model.md §3.5–§3.7): the tile grid (partial tile
//! first, Q27), the decision of each kind of tile, the cache levels of each
//! tile (Q6, Q7) and the tile types with their multiplicities, computed per
//! run of alike columns and rows rather than per tile.

use alloc::vec::Vec;

use super::backprop::backprop;
use super::graph::Graph;
use super::report::{LayerTileMacs, StackReport, TileMap};
use super::schedule::{NetworkError, Schedule, Tile};
use super::tile_grid::{Pos, TileGrid};
use super::tile_run::tile_flags;
use super::top_level::{decide, Cols, ColsR, Decision, RowsR, TileAt};
use crate::input::hardware::Hardware;
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

/// The decisions made so far, one per distinct [`TileAt`], and the pools
/// their cache lists are interned in.
///
/// The decision of a tile depends on (w, h, first column, first row) only
/// (at most four distinct ones), and its cache lists are interned by
/// content, so comparing ids is comparing the lists (the tile types are
/// those of the full keys).
pub(super) struct Decisions<'a> {
    pub(super) g: &'a Graph,
    pub(super) full: &'a [Vec<u64>],
    pub(super) hw: &'a Hardware,
    pub(super) sched: &'a Schedule,
    pub(super) list: Vec<Decided>,
    pub(super) pools: Pools,
}

/// The parts of a decision the tile types read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Levels {
    pub(super) h_ml: Option<usize>,
    pub(super) v_ml: Option<usize>,
    pub(super) w_ml: Option<usize>,
    pub(super) ids: ListIds,
}

impl Decided {
    fn levels(&self) -> Levels {
        Levels {
            h_ml: self.decision.h_ml,
            v_ml: self.decision.v_ml,
            w_ml: self.decision.w_ml,
            ids: self.ids,
        }
    }
}

impl Decisions<'_> {
    /// The decision for `tile`, made on first use.
    pub(super) fn levels(&mut self, tile: TileAt) -> Result<Levels, NetworkError> {
        if let Some(c) = self.list.iter().find(|c| c.tile == tile) {
            return Ok(c.levels());
        }
        let decision = decide(self.g, self.full, self.hw, self.sched.overlap, tile)?;
        let pools = &mut self.pools;
        let ids = ListIds {
            cols_w: pools.cols(&decision.cols_w),
            cols_r: pools.cols_r(&decision.cols_r),
            rows_w: pools.cols(&decision.rows_w),
            rows_r: pools.rows_r(&decision.rows_r),
        };
        let d = Decided {
            tile,
            decision,
            ids,
        };
        let levels = d.levels();
        self.list.push(d);
        Ok(levels)
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

/// The tile types of a stack (§3.7.2) as compact keys with their
/// multiplicities, in order of first appearance, the size of each, and the
/// highest weight level of any tile.
#[derive(Debug, PartialEq)]
pub(super) struct Types {
    pub(super) compact: Vec<(CompactKey, u64)>,
    pub(super) sizes: Vec<Tile>,
    pub(super) hi_w: Option<usize>,
    /// The type of each block, in the order added.
    pub(super) blocks: Vec<usize>,
}

impl Types {
    /// Counts `count` more tiles of type `key` (one block).
    pub(super) fn add(&mut self, key: CompactKey, count: u64) {
        match self.compact.iter().position(|t| t.0 == key) {
            Some(i) => {
                self.compact[i].1 = self.compact[i].1.saturating_add(count);
                self.blocks.push(i);
            }
            None => {
                self.blocks.push(self.compact.len());
                self.compact.push((key, count));
                self.sizes.push(Tile {
                    x: key.width,
                    y: key.height,
                });
            }
        }
    }
}

/// The first pass of §3.7.1 in closed form: the cache info a tile ends up
/// with once every tile is walked, computed from its position alone.
struct Caches<'g> {
    grid: &'g TileGrid,
    /// Ids of the empty lists.
    empty: ListIds,
    /// H caching (modes 2, 3); V info only with both (mode 3).
    h: bool,
    hv: bool,
    /// The vML of the stack's last tile (mode 3; see [`Caches::v_info`]).
    v_last: Option<usize>,
}

impl Caches<'_> {
    /// The H info of the tile at `(r, c)`.
    fn h_info(&self, ds: &mut Decisions, (r, c): Pos) -> Result<CacheInfo, NetworkError> {
        let d = ds.levels(self.grid.tile_at((r, c)))?;
        let (e, ids) = (self.empty, d.ids);
        let mut info = if !self.h {
            CacheInfo {
                level: None,
                written: e.cols_w,
                read: e.cols_r,
            }
        } else if self.grid.cols.is_last(c) {
            // the last column never writes an H cache
            CacheInfo {
                level: None,
                written: e.cols_w,
                read: ids.cols_r,
            }
        } else {
            CacheInfo {
                level: d.h_ml,
                written: ids.cols_w,
                read: ids.cols_r,
            }
        };
        // Q6: the next tile of the row replaces this level with its own hML
        // when they differ (when they are equal that changes nothing), in
        // every mode; nothing changes it afterwards. The last column keeps
        // its own.
        let next = c.saturating_add(1);
        if next < self.grid.cols.n {
            info.level = ds.levels(self.grid.tile_at((r, next)))?.h_ml;
        }
        Ok(info)
    }

    /// The V info of the tile at `(r, c)`.
    ///
    /// Q7: the running `hiV` takes the vML of every tile that differs from
    /// it, so after a tile it is that tile's own vML, and an entry is made
    /// with that level (none on the last row). Each change overwrites the
    /// earlier entries holding a level; after the last change, at tile
    /// `at`, every tile has the vML of the stack's last tile. So an entry
    /// made before `at` ends up with the last tile's vML, and one made at
    /// or after `at` already holds it: every entry holding a level ends up
    /// with the last tile's vML, whether or not there was any change. This
    /// is the same as the walk's `seq < at` test, with no boundary to find.
    fn v_info(&self, ds: &mut Decisions, (r, c): Pos) -> Result<CacheInfo, NetworkError> {
        let e = self.empty;
        if !self.hv {
            return Ok(CacheInfo {
                level: None,
                written: e.rows_w,
                read: e.rows_r,
            });
        }
        let d = ds.levels(self.grid.tile_at((r, c)))?;
        Ok(if self.grid.rows.is_last(r) {
            CacheInfo {
                level: None,
                written: e.rows_w,
                read: d.ids.rows_r,
            }
        } else {
            CacheInfo {
                level: d.v_ml.and(self.v_last),
                written: d.ids.rows_w,
                read: d.ids.rows_r,
            }
        })
    }

    /// The key of the tile at `p` (§3.7.2, the second pass).
    fn key(&self, ds: &mut Decisions, p: Pos) -> Result<CompactKey, NetworkError> {
        let (r, c) = p;
        let h = self.h_info(ds, p)?;
        let use_h = match c.checked_sub(1) {
            Some(left) => self.h_info(ds, (r, left))?.level,
            None => None,
        };
        let v = self.v_info(ds, p)?;
        let use_v = match r.checked_sub(1) {
            Some(up) => self.v_info(ds, (up, c))?.level,
            None => None,
        };
        Ok(CompactKey {
            width: self.grid.cols.size(c),
            height: self.grid.rows.size(r),
            // Q2, Q27: the first tile reads the weights from the top
            weights_at_top: p == (0, 0),
            make_h: h.level,
            use_h,
            cols_w: h.written,
            cols_r: h.read,
            make_v: v.level,
            use_v,
            rows_w: v.written,
            rows_r: v.read,
        })
    }
}

/// The tile types of a stack (§3.7), exactly as a row-major walk over
/// every tile finds them (types in order of first appearance, the same
/// multiplicities and hiW), at a cost proportional to the number of column
/// and row classes, not of tiles.
///
/// A tile's key reads the classes of its column, the next column (Q6) and
/// the previous one (useH), of its row and the row above (useV), and the
/// vML of the stack's last tile (Q7). So the grid is cut into blocks (row
/// run × column run, [`Axis::runs`]) in which every tile has the same key.
/// The blocks are visited in row-major order; the rows of a run repeat the
/// same keys, so its first row makes the first appearances in the order of
/// the walk.
pub(super) fn tile_types(grid: &TileGrid, ds: &mut Decisions) -> Result<Types, NetworkError> {
    let empty = ds.pools.empty();
    let (rows, cols) = (grid.rows.runs(), grid.cols.runs());
    // Every distinct TileAt first appears at the start of a block: deciding
    // the blocks' first tiles in row-major order makes the decisions in the
    // order the walk makes them (so the same one fails first). hiW is the
    // highest weight level of any tile: a true maximum.
    let mut hi_w = None;
    for &(r0, _) in &rows {
        for &(c0, _) in &cols {
            hi_w = hi_w.max(ds.levels(grid.tile_at((r0, c0)))?.w_ml);
        }
    }
    let last = (grid.rows.n.saturating_sub(1), grid.cols.n.saturating_sub(1));
    let mode = ds.sched.overlap;
    let caches = Caches {
        grid,
        empty,
        h: mode.h(),
        hv: mode.h() && mode.v(),
        v_last: ds.levels(grid.tile_at(last))?.v_ml,
    };
    let mut types = Types {
        compact: Vec::new(),
        sizes: Vec::new(),
        hi_w,
        blocks: Vec::new(),
    };
    for &(r0, r1) in &rows {
        for &(c0, c1) in &cols {
            let count = r1.saturating_sub(r0).saturating_mul(c1.saturating_sub(c0));
            types.add(caches.key(ds, (r0, c0))?, count);
        }
    }
    Ok(types)
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
    plan_stack_with(g, hw, sched, tile_types)
}

/// [`plan_stack`] with the tile types found by `find_types` (the tests
/// compare [`tile_types`] with a walk over every tile).
pub(super) fn plan_stack_with(
    g: Graph,
    hw: &Hardware,
    sched: &Schedule,
    find_types: fn(&TileGrid, &mut Decisions) -> Result<Types, NetworkError>,
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
    let Types {
        compact,
        sizes,
        hi_w,
        blocks,
    } = find_types(&grid, &mut ds)?;
    let (row_runs, col_runs) = (grid.rows.runs(), grid.cols.runs());
    let tile_map = TileMap {
        cols: grid.cols.n,
        rows: grid.rows.n,
        first: Tile {
            x: grid.cols.size(0),
            y: grid.rows.size(0),
        },
        tile: Tile {
            x: grid.cols.t,
            y: grid.rows.t,
        },
        // (the per-tile oracle of the tests counts no blocks)
        block_types: if blocks.len() == row_runs.len() * col_runs.len() {
            blocks
        } else {
            Vec::new()
        },
        col_runs,
        row_runs,
    };
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
        output_x: grid.cols.total,
        output_y: grid.rows.total,
        tiles: grid.tiles(),
        tile_type_multiplicities: types.iter().map(|t| t.1).collect(),
        tile_type_sizes: sizes,
        tile_map,
    };
    Ok(StackPlan {
        g,
        full,
        hi_w,
        types,
        report,
    })
}
