//! Test oracle for [`super::tile_types`]: the former per-tile planning,
//! which walks every tile of the grid in row-major order (docs/model.md
//! §3.7.1–§3.7.2, Q6, Q7), and the tests that compare the run-length
//! planning with it.

use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use super::graph::Graph;
use super::run::NetworkRun;
use super::schedule::{NetworkError, Overlap, Schedule, Tile};
use super::tile_grid::TileGrid;
use super::tile_types::{
    plan_stack, plan_stack_with, tile_types, CompactKey, Decided, Decisions, ListIds, Pools, Types,
};
use super::top_level::{Decision, TileAt};
use crate::input::hardware::Hardware;
use crate::presets;
use crate::search::grids::case_study_1_schedules;

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

/// The grid as per-column and per-row `(first pixel, size)` lists.
struct OracleGrid {
    oxt: u64,
    oyt: u64,
    tx: u64,
    ty: u64,
    cols: Vec<(u64, u64)>,
    rows: Vec<(u64, u64)>,
}

impl OracleGrid {
    fn new(g: &TileGrid) -> OracleGrid {
        let (oxt, oyt, tx, ty) = (g.cols.total, g.rows.total, g.cols.t, g.rows.t);
        OracleGrid {
            oxt,
            oyt,
            tx,
            ty,
            cols: grid(oxt, tx),
            rows: grid(oyt, ty),
        }
    }
}

/// A tile's cache level in one direction with its lists' ids.
#[derive(Clone, Copy)]
struct CacheInfo {
    level: Option<usize>,
    written: usize,
    read: usize,
}

/// The cache levels of every tile (§3.6, Q6, Q7), per row and column.
struct TileCaches {
    h: Vec<Vec<CacheInfo>>,
    /// V info also remembers when it was made (Q7 overwrites, below).
    v: Vec<Vec<(CacheInfo, u64)>>,
    /// Q7, lazily: `(seq, level)` of the last overwrite; an entry made
    /// before it (and holding a level then) holds that level.
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
fn tile_caches(grid: &OracleGrid, ds: &mut Decisions) -> Result<TileCaches, NetworkError> {
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
            let d = ds.levels(tile)?;
            let ids = d.ids;
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
/// The tile types with their counts and sizes, and each tile's type.
type Compacted = (Vec<(CompactKey, u64)>, Vec<Tile>, Vec<Vec<usize>>);

fn compact_types(grid: &OracleGrid, tc: &TileCaches) -> Compacted {
    let mut compact: Vec<(CompactKey, u64)> = Vec::new();
    let mut sizes: Vec<Tile> = Vec::new();
    let mut at: Vec<Vec<usize>> = Vec::new();
    for (ri, &(_, height)) in grid.rows.iter().enumerate() {
        at.push(Vec::new());
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
            match compact.iter().position(|t| t.0 == key) {
                Some(i) => {
                    compact[i].1 += 1;
                    at[ri].push(i);
                }
                None => {
                    at[ri].push(compact.len());
                    compact.push((key, 1));
                    sizes.push(Tile {
                        x: width,
                        y: height,
                    });
                }
            }
        }
    }
    (compact, sizes, at)
}

/// The per-tile planning, with the signature of [`tile_types`].
fn oracle_types(grid: &TileGrid, ds: &mut Decisions) -> Result<Types, NetworkError> {
    let og = OracleGrid::new(grid);
    let tc = tile_caches(&og, ds)?;
    let (compact, sizes, at) = compact_types(&og, &tc);
    // The type of each block of alike tiles, checked tile by tile: a block
    // whose tiles differ gets no type (and the comparison fails).
    let mut blocks = Vec::new();
    for &(r0, r1) in &grid.rows.runs() {
        for &(c0, c1) in &grid.cols.runs() {
            let first = at[r0 as usize][c0 as usize];
            let alike = (r0..r1).all(|r| (c0..c1).all(|c| at[r as usize][c as usize] == first));
            blocks.push(if alike { first } else { usize::MAX });
        }
    }
    Ok(Types {
        compact,
        sizes,
        hi_w: tc.hi_w,
        blocks,
    })
}

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// Uniform-ish in `lo..=hi`.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }
    fn level(&mut self) -> Option<usize> {
        match self.next() % 4 {
            0 => None,
            k => Some(k as usize - 1),
        }
    }
}

/// A preset pair's scenario, its stack graphs and its largest stack output.
type Stacks = (crate::ValidScenario, Vec<Graph>, (u64, u64));

/// The stack graphs of a preset pair (the cuts do not depend on the tile)
/// and the largest stack output.
fn stack_graphs(hw: &str, wl: &str) -> Result<Stacks, String> {
    let sc = presets::scenario(hw, wl).map_err(|d| format!("{hw} + {wl}: {d:?}"))?;
    let sched = Schedule {
        overlap: Overlap::FullyRecompute,
        ..Schedule::default()
    };
    let run = NetworkRun::new(&sc, &sched).map_err(|e| format!("{hw} + {wl}: {e:?}"))?;
    let graphs = run.plans.iter().map(|p| p.g.clone()).collect();
    let out = run.plans.iter().fold((1, 1), |o, p| {
        (o.0.max(p.report.output_x), o.1.max(p.report.output_y))
    });
    Ok((sc, graphs, out))
}

/// What a plan reports: (types, hiW, report), or the error.
type Planned = Result<
    (
        Vec<(super::tile_types::TileKey, u64)>,
        Option<usize>,
        super::report::StackReport,
    ),
    String,
>;

fn planned(g: &Graph, hw: &Hardware, sched: &Schedule, oracle: bool) -> Planned {
    let p = if oracle {
        plan_stack_with(g.clone(), hw, sched, oracle_types)
    } else {
        plan_stack(g.clone(), hw, sched)
    };
    p.map(|p| (p.types, p.hi_w, p.report))
        .map_err(|e| format!("{e:?}"))
}

/// Compares the run-length and the per-tile planning of every stack of a
/// preset pair at `tiles` in all three modes; returns the number of tile
/// types compared.
fn compare_on_preset(hw: &str, wl: &str, tiles: &[Tile]) -> Result<usize, String> {
    let (sc, graphs, _) = stack_graphs(hw, wl)?;
    let mut types = 0;
    for &tile in tiles {
        for overlap in Overlap::ALL {
            let sched = Schedule {
                tile,
                overlap,
                ..Schedule::default()
            };
            for (si, g) in graphs.iter().enumerate() {
                let new = planned(g, &sc.hardware, &sched, false);
                let old = planned(g, &sc.hardware, &sched, true);
                assert_eq!(new, old, "{hw} + {wl}, stack {si}, {tile:?}, {overlap:?}");
                if let Ok((t, _, report)) = &new {
                    assert_eq!(
                        t.iter().map(|t| t.1).sum::<u64>(),
                        report.tiles,
                        "{hw} + {wl}, stack {si}, {tile:?}, {overlap:?}"
                    );
                    types += t.len();
                }
            }
        }
    }
    Ok(types)
}

/// Random tile sizes: small ones (1×1 included), any up to twice the
/// largest output (so partial first tiles and tiles larger than the
/// image), and exactly the output size.
fn random_tiles(rng: &mut Rng, n: usize, out: (u64, u64)) -> Vec<Tile> {
    let mut v = vec![Tile { x: 1, y: 1 }, Tile { x: out.0, y: out.1 }];
    while v.len() < n {
        let pick = |rng: &mut Rng, o: u64| match rng.next() % 3 {
            0 => rng.range(1, 9),
            1 => rng.range(1, 2 * o + 1),
            _ => rng.range(o.saturating_sub(3).max(1), o + 3),
        };
        let x = pick(rng, out.0);
        let y = pick(rng, out.1);
        v.push(Tile { x, y });
    }
    v
}

#[test]
fn runs_match_per_tile_walk_on_fsrcnn_case_study_and_random_tiles() -> Result<(), String> {
    let mut tiles: Vec<Tile> = case_study_1_schedules(6)
        .iter()
        .filter(|s| s.overlap == Overlap::FullyRecompute)
        .map(|s| s.tile)
        .collect();
    assert_eq!(tiles.len(), 36);
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    tiles.extend(random_tiles(&mut rng, 40, (960, 540)));
    let types = compare_on_preset("Meta_prototype_DF", "fsrcnn", &tiles)?;
    // mode 3 at a middle tile size has 9 types; the sum is far above 3 × 76
    assert!(types > 600, "{types}");
    Ok(())
}

#[test]
fn runs_match_per_tile_walk_on_other_presets() -> Result<(), String> {
    let mut rng = Rng(0xD1B5_4A32_D192_ED03);
    let mut pairs = 0;
    for (hw, _) in presets::HARDWARE {
        for (wl, _) in presets::WORKLOADS {
            if presets::scenario(hw, wl).is_err() {
                continue;
            }
            pairs += 1;
            let (_, _, out) = stack_graphs(hw, wl)?;
            let mut tiles = vec![Tile { x: 16, y: 18 }, Tile { x: 60, y: 72 }];
            tiles.extend(random_tiles(&mut rng, 6, out));
            assert!(compare_on_preset(hw, wl, &tiles)? > 0, "{hw} + {wl}");
        }
    }
    assert_eq!(pairs, 50);
    Ok(())
}

/// A decision with the given levels (its lists are never looked at: the
/// ids below stand for them).
fn fake(levels: [Option<usize>; 3], ids: [usize; 4], tile: TileAt) -> Decided {
    Decided {
        tile,
        decision: Decision {
            h_ml: levels[0],
            v_ml: levels[1],
            cols_w: Vec::new(),
            cols_r: Vec::new(),
            rows_w: Vec::new(),
            rows_r: Vec::new(),
            w_ml: levels[2],
        },
        ids: ListIds {
            cols_w: ids[0],
            cols_r: ids[1],
            rows_w: ids[2],
            rows_r: ids[3],
        },
    }
}

/// The Q6/Q7 logic on grids whose four kinds of tile get random levels
/// (none included) and list ids: more variety than the presets have, e.g.
/// a vML that changes at the start of every row.
#[test]
fn runs_match_per_tile_walk_on_random_decisions() -> Result<(), String> {
    let (sc, graphs, _) = stack_graphs("Meta_prototype_DF", "fsrcnn")?;
    let g = graphs.first().ok_or("no stack")?;
    let full: Vec<Vec<u64>> = g.nodes.iter().map(|n| n.full.clone()).collect();
    let mut rng = Rng(0x0123_4567_89AB_CDEF);
    let (mut overwrites, mut inside) = (0, 0);
    for case in 0..6000 {
        let (oxt, oyt) = (rng.range(1, 12), rng.range(1, 12));
        let (tx, ty) = (rng.range(1, 14), rng.range(1, 14));
        let tg = TileGrid::sized(oxt, oyt, tx, ty);
        let overlap = Overlap::ALL[case % 3];
        let sched = Schedule {
            tile: Tile { x: tx, y: ty },
            overlap,
            ..Schedule::default()
        };
        // The four kinds of tile of this grid, with random decisions.
        let first_w = grid(oxt, tx)[0].1;
        let first_h = grid(oyt, ty)[0].1;
        let mut kinds = Vec::new();
        for (width, first_col) in [(first_w, true), (tx, false)] {
            for (height, first_row) in [(first_h, true), (ty, false)] {
                let levels = [rng.level(), rng.level(), rng.level()];
                let ids = [0; 4].map(|_| rng.range(0, 3) as usize);
                let tile = TileAt {
                    width,
                    height,
                    first_col,
                    first_row,
                };
                kinds.push((levels, ids, tile));
            }
        }
        // the four fake decisions, made already
        let decisions = || Decisions {
            g,
            full: &full,
            hw: &sc.hardware,
            sched: &sched,
            list: kinds.iter().map(|&(l, i, t)| fake(l, i, t)).collect(),
            pools: Pools::default(),
        };
        let types = |find: fn(&TileGrid, &mut Decisions) -> Result<Types, NetworkError>| {
            let mut ds = decisions();
            let t = find(&tg, &mut ds).map_err(|e| format!("{e:?}"));
            // no real decision was made
            assert_eq!(ds.list.len(), 4, "case {case}");
            t
        };
        let new = types(tile_types);
        let old = types(oracle_types);
        assert_eq!(
            new, old,
            "case {case}: {oxt}x{oyt} at {tx}x{ty}, {overlap:?}"
        );
        let old = old?;
        let tiles: u64 = old.compact.iter().map(|t| t.1).sum();
        assert_eq!(tiles, oxt.div_ceil(tx) * oyt.div_ceil(ty), "case {case}");
        // how often the Q7 boundary falls before the last row
        let og = OracleGrid::new(&tg);
        let tc = tile_caches(&og, &mut decisions()).map_err(|e| format!("case {case}: {e:?}"))?;
        if let Some((seq, _)) = tc.v_overwrite {
            overwrites += 1;
            if seq < (og.rows.len() as u64 - 1) * og.cols.len() as u64 {
                inside += 1;
            }
        }
    }
    assert!(overwrites > 500 && inside > 100, "{overwrites} {inside}");
    Ok(())
}
