//! Energy terms inside the walk: which of an operand's terms a prefix
//! fixes, computing them on any completion, and their memo.

use alloc::vec::Vec;

use super::{Node, PrefixSearch, MAX_OPS, NONE};
use crate::single_layer::context::Ctx;
use crate::single_layer::spatial::Unrolling;
use crate::single_layer::temporal::stationarity_merge;

/// A small open-addressing table of energy terms (one per operand and
/// search; forgets everything when half full, which only costs
/// recomputation).
pub(super) struct TermMemo {
    /// 0 = empty (keys are never 0).
    keys: Vec<u128>,
    vals: Vec<f64>,
    stride: usize,
    used: usize,
}

impl TermMemo {
    const BITS: u32 = 10;

    pub(super) fn new(stride: usize) -> TermMemo {
        TermMemo {
            keys: Vec::new(),
            vals: Vec::new(),
            stride,
            used: 0,
        }
    }

    fn slot(key: u128) -> usize {
        let h = (key as u64 ^ (key >> 64) as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        (h >> (64 - Self::BITS)) as usize
    }

    pub(super) fn get(&self, key: u128) -> Option<&[f64]> {
        let mask = self.keys.len().checked_sub(1)?;
        let mut i = Self::slot(key);
        loop {
            match self.keys[i] {
                0 => return None,
                k if k == key => return Some(&self.vals[i * self.stride..(i + 1) * self.stride]),
                _ => i = (i + 1) & mask,
            }
        }
    }

    pub(super) fn put(&mut self, key: u128, vals: &[f64]) {
        let size = 1usize << Self::BITS;
        if self.keys.is_empty() || self.used * 2 >= size {
            self.keys.clear();
            self.keys.resize(size, 0);
            self.vals.resize(size * self.stride, 0.0);
            self.used = 0;
        }
        let mask = size - 1;
        let mut i = Self::slot(key);
        while self.keys[i] != 0 && self.keys[i] != key {
            i = (i + 1) & mask;
        }
        if self.keys[i] == 0 {
            self.used += 1;
        }
        self.keys[i] = key;
        self.vals[i * self.stride..(i + 1) * self.stride].copy_from_slice(&vals[..self.stride]);
    }
}

impl PrefixSearch {
    pub(super) fn terms_at(&self, depth: usize, x: usize) -> usize {
        (depth * MAX_OPS + x) * self.max_li1
    }

    /// How many of operand `x`'s levels have their merged start fixed by
    /// the prefix of length `k`, minus one (`J`; `M` at a leaf). The
    /// stationarity merge (§2.5.1) moves a level's start up past the `ir`
    /// loops, through emptied levels, to the first loop that is not `ir`
    /// for `x`: so the merged start of a decided level `j` is known once
    /// the prefix has such a loop at or after its raw start.
    pub(super) fn known_levels(&self, ctx: &Ctx, k: usize, node: &Node, x: usize) -> usize {
        let m = ctx.ops[x].levels.len();
        if k == self.n {
            return m;
        }
        // a level whose raw start is the end has nothing to merge
        let top = node.li[x].min(m - 1);
        (1..=top)
            .take_while(|&j| {
                let raw = self.bounds[x][j];
                raw == self.n || raw < node.nonir_end[x]
            })
            .last()
            .unwrap_or(0)
    }

    /// Recomputes operand `x`'s terms when the prefix of length `k` fixes
    /// more of them than its parent did: every term of the levels below
    /// `J`, and of level `J` the part of its traffic with the level below
    /// (which depends only on the loops below `J`'s merged start and on the
    /// multiset above it). The loops not yet placed go to level `J` in any
    /// order; this changes none of those values.
    pub(super) fn update_terms(&mut self, ctx: &Ctx, k: usize, node: &mut Node, x: usize) {
        let m = ctx.ops[x].levels.len();
        let j_new = self.known_levels(ctx, k, node, x);
        if node.known[x] != NONE && j_new <= node.known[x] as usize {
            return;
        }
        if self.flat_visit != self.visit {
            self.flat_visit = self.visit;
            self.flat.clear();
            self.flat.extend_from_slice(&self.ord[..k]);
            for (v, &c) in self.left.iter().enumerate() {
                for _ in 0..c {
                    self.flat.push(self.loops[v]);
                }
            }
        }
        self.starts.clear();
        for j in 0..m {
            self.starts.push(if j <= node.li[x] {
                self.bounds[x][j]
            } else {
                self.n
            });
        }
        self.starts.push(self.n);
        stationarity_merge(&ctx.layer, x, &self.flat, &mut self.starts);
        let t = self.terms_at(k, x);
        let key = self.memo_key(x, j_new, m);
        if let Some(vals) = key.and_then(|key| self.memo[x].get(key)) {
            self.terms[t..t + m].copy_from_slice(&vals[..m]);
            node.known[x] = j_new as u8;
            node.src[x] = k as u8;
            return;
        }
        ctx.fill(
            x,
            &self.flat,
            &self.starts,
            Unrolling::Fractional,
            &mut self.dec,
            &mut self.tab,
        );
        for j in 0..=j_new.min(m - 1) {
            let mut w = ctx.words(x, j, &self.tab);
            if j == j_new {
                // only the traffic with the level below is known yet: the
                // rest counts at its floor
                let f = &self.floor_w[x * self.max_li1 + j];
                w[2] = f[2];
                w[3] = f[3];
            }
            self.terms[t + j] = ctx.level_energy(x, j, &w);
        }
        if let Some(key) = key {
            self.memo[x].put(key, &self.terms[t..t + m]);
        }
        node.known[x] = j_new as u8;
        node.src[x] = k as u8;
    }

    /// The memo key of operand `x`'s terms up to `J` (merged starts in
    /// `self.starts`): what they depend on (§2.4 of docs/model.md, fact 4)
    /// is the merged starts up to level `L = min(J, M - 1)` and the loops
    /// below `L`'s start (the rest is the multiset of the others).
    /// - Without pr relations every product of a level's loops is an exact
    ///   integer (below 2^53) whatever their order, and the rest of the
    ///   table is order-free: the key is the merged levels' multisets.
    /// - Otherwise the key is the loops below `L`'s start in order, with
    ///   the merged starts (orderings differing only above it share it).
    pub(super) fn memo_key(&self, x: usize, j: usize, m: usize) -> Option<u128> {
        if m > 8 || j > 14 {
            return None;
        }
        let levels = j.min(m - 1);
        let mut key = (j + 1) as u128;
        if self.memo_ok[x] {
            for lv in 0..levels {
                let mut code = 0usize;
                for p in self.starts[lv]..self.starts[lv + 1] {
                    code += self.rank.place_of(*self.path.get(p)? as usize);
                }
                key |= (code as u128) << (4 + 16 * lv);
            }
            return Some(key);
        }
        // 4 bits for J, 4 per merged start (levels <= 7), 4 per loop (<= 16
        // loops of <= 16 values), and a top bit apart from the other kind
        let end = self.starts[levels];
        if self.loops.len() > 16 || end > 16 || self.n > 15 {
            return None;
        }
        for lv in 1..=levels {
            key |= (self.starts[lv] as u128) << (4 * lv);
        }
        for p in 0..end {
            key |= (*self.path.get(p)? as u128) << (36 + 4 * p);
        }
        Some(key | 1 << 127)
    }
}
