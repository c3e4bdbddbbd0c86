//! Tile grids to sweep: the paper's case study 1 and the automatic axes
//! (`ceil(full / 4^k)`, k = 0..5), and the schedules of a grid.

use alloc::vec::Vec;

use crate::depth_first::{Overlap, Schedule, Tile};
use crate::input::workload::Workload;

/// The paper's case study 1 tile widths.
pub const CASE_STUDY_1_X: [u64; 6] = [1, 4, 16, 60, 240, 960];
/// The paper's case study 1 tile heights.
pub const CASE_STUDY_1_Y: [u64; 6] = [1, 4, 18, 72, 270, 540];

/// Six tile sizes for an axis of `full` pixels: `ceil(full / 4^k)` for
/// k = 0..5 (k = 0 is one tile, layer-by-layer), never below 1,
/// deduplicated, ascending. Geometric spacing covers the range the paper
/// found interesting (single pixels to whole feature maps) in few points,
/// and always includes the exact full size (the case-study grid's 960 and
/// 540 are only "full" for FSRCNN).
pub fn auto_axis(full: u64) -> Vec<u64> {
    let full = full.max(1);
    let mut v: Vec<u64> = (0..6u32)
        .map(|k| full.div_ceil(4u64.saturating_pow(k)).max(1))
        .collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// Largest `OX` and `OY` over the compute layers of a workload (the output
/// size a tile of that size covers in one piece); `None` when no compute
/// layer has both.
pub fn full_output_size(w: &Workload) -> Option<Tile> {
    let max = |d: &str| {
        w.layers
            .iter()
            .filter(|l| l.kind != "input")
            .filter_map(|l| l.loop_dims.get(d).copied())
            .max()
    };
    Some(Tile {
        x: max("OX")?,
        y: max("OY")?,
    })
}

/// The automatic candidate tile sizes of a workload: [`auto_axis`] of its
/// [`full_output_size`] per axis (`[1]` for an axis the workload lacks).
pub fn auto_tile_axes(w: &Workload) -> (Vec<u64>, Vec<u64>) {
    match full_output_size(w) {
        Some(t) => (auto_axis(t.x), auto_axis(t.y)),
        None => (alloc::vec![1], alloc::vec![1]),
    }
}

/// Every (mode, y, x) combination, mode outermost, then y, then x
/// ascending as given (the playground's and the paper's order); automatic
/// stack cuts.
pub fn grid_schedules(xs: &[u64], ys: &[u64], modes: &[Overlap], lpf_limit: u32) -> Vec<Schedule> {
    let mut out = Vec::with_capacity(xs.len() * ys.len() * modes.len());
    for &overlap in modes {
        for &y in ys {
            for &x in xs {
                out.push(Schedule {
                    tile: Tile { x, y },
                    overlap,
                    lpf_limit,
                    stack_cuts: None,
                });
            }
        }
    }
    out
}

/// The 108 schedules of the paper's case study 1 (6 × 6 tiles × 3 modes).
pub fn case_study_1_schedules(lpf_limit: u32) -> Vec<Schedule> {
    grid_schedules(&CASE_STUDY_1_X, &CASE_STUDY_1_Y, &Overlap::ALL, lpf_limit)
}

/// Splits `schedules` into at most `parts` shares for parallel sweeps (as
/// indices into `schedules`): every schedule of one tile size goes to the
/// same share (its modes share most single-layer evaluations, so a share's
/// cache does that work once), tile sizes are dealt round-robin in order of
/// first appearance. No share is empty; with no schedules there are none.
pub fn deal_by_tile(schedules: &[Schedule], parts: usize) -> Vec<Vec<usize>> {
    let mut tiles: Vec<(u64, u64)> = Vec::new();
    let mut tile_of: Vec<usize> = Vec::with_capacity(schedules.len());
    for s in schedules {
        let t = (s.tile.x, s.tile.y);
        let i = crate::vec_map::find_or_push(&mut tiles, |&x| x == t, || t);
        tile_of.push(i);
    }
    let n = parts.clamp(1, tiles.len().max(1));
    let mut shares: Vec<Vec<usize>> = alloc::vec![Vec::new(); n];
    for (k, &t) in tile_of.iter().enumerate() {
        shares[t % n].push(k);
    }
    shares.retain(|s| !s.is_empty());
    shares
}
