//! The output tile grid of a stack (docs/model.md §3.5): per axis the
//! partial tile first (Q27), then full tiles; counted, never enumerated.

use alloc::format;

use super::graph::Graph;
use super::schedule::{NetworkError, Schedule};
use super::top_level::TileAt;
use crate::limits;
use alloc::vec::Vec;

/// One axis of the tile grid (§3.5): `n` tiles, the first one of size
/// `first` (the partial tile, Q27), every other one of size `t`.
#[derive(Clone, Copy, Debug)]
pub(super) struct Axis {
    /// The full output size along the axis (at least 1).
    pub(super) total: u64,
    /// The tile size (at least 1).
    pub(super) t: u64,
    /// `total mod t`, or `t` if that is 0.
    first: u64,
    /// The number of tiles: `ceil(total / t)`.
    pub(super) n: u64,
}

impl Axis {
    pub(super) fn new(total: u64, t: u64) -> Axis {
        let (total, t) = (total.max(1), t.max(1));
        let rest = total % t;
        let first = if rest == 0 { t } else { rest };
        Axis {
            total,
            t,
            first: first.min(total),
            n: total.div_ceil(t),
        }
    }

    /// The first pixel of tile `i`: 0, first, first + t, ...
    pub(super) fn origin(&self, i: u64) -> u64 {
        match i.checked_sub(1) {
            None => 0,
            Some(k) => self.first.saturating_add(k.saturating_mul(self.t)),
        }
    }

    /// The size of tile `i` (Q27: the partial one is the first).
    pub(super) fn size(&self, i: u64) -> u64 {
        if i == 0 {
            self.first
        } else {
            self.t
        }
    }

    /// §3.5: tile `i` is the last one iff `x0 + t >= total` (a single tile
    /// is both the first and the last).
    pub(super) fn is_last(&self, i: u64) -> bool {
        self.origin(i).saturating_add(self.t) >= self.total
    }

    /// The tiles `0..n` as at most five runs `[start, end)`, cut at 1, 2,
    /// n-2 and n-1. A tile's class is first (`i = 0`), last (`i = n-1 > 0`)
    /// or interior (Q27: the partial tile is the first, so the interior
    /// tiles are all alike), so within a run the classes of `i-1`, `i` and
    /// `i+1` stay the same.
    pub(super) fn runs(&self) -> Vec<(u64, u64)> {
        let n = self.n;
        let mut cuts: Vec<u64> = [1, 2, n.saturating_sub(2), n.saturating_sub(1)]
            .into_iter()
            .filter(|&c| c > 0 && c < n)
            .collect();
        crate::small_sort::sort(&mut cuts);
        cuts.dedup();
        let mut runs = Vec::with_capacity(cuts.len() + 1);
        let mut start = 0;
        for end in cuts.into_iter().chain(core::iter::once(n)) {
            runs.push((start, end));
            start = end;
        }
        runs
    }
}

/// The output tile grid of a stack (§3.5).
pub(super) struct TileGrid {
    /// The columns (along OX) and rows (along OY).
    pub(super) cols: Axis,
    pub(super) rows: Axis,
}

/// A tile's (row, column) in the grid.
pub(super) type Pos = (u64, u64);

impl TileGrid {
    pub(super) fn new(
        g: &Graph,
        full: &[Vec<u64>],
        sched: &Schedule,
    ) -> Result<TileGrid, NetworkError> {
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
        // The planning no longer walks the tiles, but the limit (and its
        // error) is reported behaviour and stays as it was.
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
        Ok(TileGrid::sized(oxt, oyt, tx, ty))
    }

    /// The grid of an `oxt` × `oyt` output at tile `tx` × `ty`.
    pub(super) fn sized(oxt: u64, oyt: u64, tx: u64, ty: u64) -> TileGrid {
        TileGrid {
            cols: Axis::new(oxt, tx),
            rows: Axis::new(oyt, ty),
        }
    }

    /// The number of tiles.
    pub(super) fn tiles(&self) -> u64 {
        self.cols.n.saturating_mul(self.rows.n)
    }

    /// What the decision of the tile at `p` depends on.
    pub(super) fn tile_at(&self, (r, c): Pos) -> TileAt {
        TileAt {
            width: self.cols.size(c),
            height: self.rows.size(r),
            first_col: self.cols.origin(c) == 0,
            first_row: self.rows.origin(r) == 0,
        }
    }
}
