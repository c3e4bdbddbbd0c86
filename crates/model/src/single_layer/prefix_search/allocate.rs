//! The allocation of §2.3 inside the walk: levels decided as soon as a
//! prefix decides them, in the same floating-point operations as
//! [`Ctx::allocate`](super::super::context::Ctx).

use super::{Node, PrefixSearch, Step, MAX_OPS};
use crate::scenario::layer::DimClass;
use crate::single_layer::allocation::{choose_combination, mul_sat};
use crate::single_layer::context::Ctx;
use alloc::vec::Vec;

/// 2^53: products of whole numbers below it are exact in `f64`.
const WHOLE_53: f64 = 9_007_199_254_740_992.0;

/// Whether every loop of size `f` multiplies operand `x`'s tensor by at
/// most `f`: true for `r` and `ir` dimensions; a pr relation `sa*a + sb*b`
/// qualifies when `sb` divides `sa` and no dimension is in two relations.
pub(super) fn growth_bounded(ctx: &Ctx, x: usize) -> bool {
    let o = &ctx.layer.operands[x];
    if !o.has_pr {
        return true;
    }
    let rels = &ctx.layer.relations;
    let mut seen: Vec<usize> = Vec::new();
    for r in rels {
        let relevant = |d: usize| o.class.get(d) == Some(&DimClass::R);
        if r.sb == 0
            || r.sa % r.sb != 0
            || seen.contains(&r.a)
            || seen.contains(&r.b)
            || r.a == r.b
            || relevant(r.a)
            || relevant(r.b)
        {
            return false;
        }
        seen.push(r.a);
        seen.push(r.b);
    }
    true
}

impl PrefixSearch {
    /// The allocation of §2.3 as far as the prefix of length `k` decides
    /// it (see [`Ctx::allocate`], which this mirrors operation for
    /// operation). A level is decided once all its operands have reached it
    /// and their candidate lists are complete; levels of different operands
    /// do not wait for each other (each decision depends only on its own
    /// operands), so the order differs from the reference's bottom-to-top
    /// sweep but no decision does.
    pub(super) fn allocate_levels(&mut self, ctx: &Ctx, k: usize, node: &mut Node) -> Step {
        let nops = ctx.ops.len();
        let pending = |node: &Node, x: usize| ctx.ops[x].levels.get(node.li[x]).copied();
        loop {
            let mut progressed = false;
            for x0 in 0..nops {
                let Some(lvl) = pending(node, x0) else {
                    continue;
                };
                if (0..x0).any(|y| pending(node, y) == Some(lvl)) {
                    continue;
                }
                let here = &ctx.level_ops[lvl];
                if !here.iter().all(|&x| pending(node, x) == Some(lvl)) {
                    continue;
                }
                let mut all_closed = true;
                for (slot, &x) in here.iter().enumerate() {
                    if !node.closed[x] && !self.extend(ctx, k, node, lvl, slot, x) {
                        return Step::Invalid;
                    }
                    all_closed &= node.closed[x];
                }
                if all_closed {
                    if !self.decide_level(ctx, lvl, node) {
                        return Step::Invalid;
                    }
                    progressed = true;
                } else if here.iter().any(|&x| !node.tried[x]) {
                    // the full extents are the same in the whole subtree:
                    // one try per level start is enough
                    if self.predict_full(ctx, k, node, lvl) {
                        progressed = true;
                    } else {
                        for &x in here {
                            node.tried[x] = true;
                        }
                    }
                }
            }
            if !progressed {
                return Step::Descend;
            }
        }
    }

    /// Extends operand `x`'s candidate list at level `lvl` (slot `slot`)
    /// to the prefix of length `k`; false when no ordering below can fit.
    pub(super) fn extend(
        &mut self,
        ctx: &Ctx,
        k: usize,
        node: &mut Node,
        lvl: usize,
        slot: usize,
        x: usize,
    ) -> bool {
        let (n, nd) = (self.n, self.nd);
        let cap = ctx.hw.levels[lvl].size_bits as u128;
        let top = ctx.ops[x].levels.last() == Some(&lvl);
        let pos = node.pos[x];
        let prec = self.precision(ctx, x, pos) as u128;
        loop {
            let i = node.len[x];
            let p = pos + i;
            if p > k && pos < n {
                return true;
            }
            let c = self.cell(lvl, slot, p);
            if i == 0 {
                let b = self.ext_lv_at(x, node.li[x]);
                self.ext_at[c * nd..c * nd + nd].copy_from_slice(&self.ext_lv[b..b + nd]);
            } else {
                let prev = self.cell(lvl, slot, p - 1);
                self.ext_at.copy_within(prev * nd..prev * nd + nd, c * nd);
                let (d, f) = self.ord[p - 1];
                self.ext_at[c * nd + d] *= f as f64;
            }
            node.len[x] = i + 1;
            if top && p < k {
                // a top level only needs its last size: the sizes grow with
                // each loop (extents only grow, and `tensor_elems` is
                // monotone in them), so the last fits iff all do
                continue;
            }
            let same = i > 0 && !top && !self.shapes[x * nd + self.ord[p - 1].0];
            let size = if same {
                // the loop does not change the operand's tensor
                self.size_at[self.cell(lvl, slot, p - 1)]
            } else {
                let ext = &self.ext_at[c * nd..c * nd + nd];
                mul_sat(ctx.tensor_elems(x, ext), prec)
            };
            if size > cap {
                node.len[x] = i;
                node.closed[x] = true;
                // an empty list, or a top level that cannot take every loop
                return !(top || i == 0);
            }
            self.size_at[c] = size;
            self.acc_at[c] = if top {
                0
            } else {
                mul_sat(self.rem_prod[p], size)
            };
            if p == n {
                node.closed[x] = true;
                return true;
            }
        }
    }

    /// Q18: the output's partial precision while an `ir(O)` loop is still
    /// to be allocated above `pos`.
    pub(super) fn precision(&self, ctx: &Ctx, x: usize, pos: usize) -> u64 {
        let layer = &ctx.layer;
        if x == 0 && pos < self.n && self.ir_o_total > self.ir_o_before[pos] {
            layer.operands[0].precision_bits
        } else if x == 0 {
            layer.o_final_bits
        } else {
            layer.operands[x].precision_bits
        }
    }

    /// The mixed-radix choice of the level and its application; false when
    /// an operand's top level is left with loops it does not hold.
    pub(super) fn decide_level(&mut self, ctx: &Ctx, lvl: usize, node: &mut Node) -> bool {
        let here = &ctx.level_ops[lvl];
        let tops: [bool; MAX_OPS] = core::array::from_fn(|s| {
            here.get(s)
                .is_some_and(|&x| ctx.ops[x].levels.last() == Some(&lvl))
        });
        // a top level keeps only its last candidate (all loops)
        let (len0, pos0) = (node.len, node.pos);
        let first = |s: usize| if tops[s] { len0[here[s]] - 1 } else { 0 };
        let lens: [usize; MAX_OPS] = core::array::from_fn(|s| {
            if s < here.len() {
                len0[here[s]] - first(s)
            } else {
                1
            }
        });
        let cap = ctx.hw.levels[lvl].size_bits as u128;
        // per slot, its candidates are contiguous in `size_at` / `acc_at`
        let span = |s: usize| {
            let c = self.cell(lvl, s, first(s) + pos0[here[s]]);
            c..c + lens[s]
        };
        let spans: [core::ops::Range<usize>; MAX_OPS] =
            core::array::from_fn(|s| if s < here.len() { span(s) } else { 0..0 });
        let sizes: [&[u128]; MAX_OPS] = core::array::from_fn(|s| &self.size_at[spans[s].clone()]);
        let accs: [&[u128]; MAX_OPS] = core::array::from_fn(|s| &self.acc_at[spans[s].clone()]);
        let chosen = choose_combination(
            &lens[..here.len()],
            |s, i| sizes[s][i],
            |s, i| accs[s][i],
            cap,
        );
        let counts: [usize; MAX_OPS] =
            core::array::from_fn(|s| chosen.map_or(0, |c| c[s] + first(s)));
        self.apply_choice(ctx, lvl, node, counts)
    }

    /// Gives each operand of level `lvl` (by slot) `counts[slot]` more
    /// loops; false when an operand's top level is left with loops it does
    /// not hold.
    pub(super) fn apply_choice(
        &mut self,
        ctx: &Ctx,
        lvl: usize,
        node: &mut Node,
        counts: [usize; MAX_OPS],
    ) -> bool {
        let nd = self.nd;
        for (slot, &x) in ctx.level_ops[lvl].iter().enumerate() {
            let i = counts[slot];
            let pos = node.pos[x];
            let li = node.li[x];
            let from = self.cell(lvl, slot, pos + i) * nd;
            let to = self.ext_lv_at(x, li + 1);
            self.ext_lv[to..to + nd].copy_from_slice(&self.ext_at[from..from + nd]);
            if let Some(s) = ctx.ops[x].frac.s.get(li + 1) {
                for &(d, f) in s {
                    self.ext_lv[to + d] *= f;
                }
            }
            node.pos[x] = pos + i;
            self.bounds[x][li + 1] = pos + i;
            let top = ctx.ops[x].levels.last() == Some(&lvl);
            if top && pos + i < self.n {
                return false;
            }
            node.li[x] = li + 1;
            node.len[x] = 0;
            node.closed[x] = false;
            node.tried[x] = false;
        }
        true
    }

    /// Decides level `lvl` before its candidate lists are complete, when
    /// the outcome is already certain: every operand takes every loop left.
    /// That is the reference's choice when (a) the full tensors fit the
    /// level together (then no list stops early, sizes only grow) and (b)
    /// no operand's accesses can be lower with fewer loops: a loop of size
    /// `f` multiplies a size by at most `f` (r: `ceil(e f) <= ceil(e) f`;
    /// ir: not at all; a pr relation `sa*a + sb*b` with `sb` dividing `sa`,
    /// each dimension in one relation: shown in docs/model.md §2.4), while
    /// it divides the loops above by `f`; and the all-full combination is
    /// the last, so it wins ties (Q33). (c) The full extents do not depend
    /// on the order of the loops left: the extents they multiply are whole
    /// numbers and stay below 2^53. True when the level was decided.
    pub(super) fn predict_full(
        &mut self,
        ctx: &Ctx,
        k: usize,
        node: &mut Node,
        lvl: usize,
    ) -> bool {
        let here = &ctx.level_ops[lvl];
        let nd = self.nd;
        let cap = ctx.hw.levels[lvl].size_bits as u128;
        let mut total: u128 = 0;
        for (slot, &x) in here.iter().enumerate() {
            if !self.growth_ok[x] {
                return false;
            }
            let pos = node.pos[x];
            let c = self.cell(lvl, slot, self.n) * nd;
            let b = self.ext_lv_at(x, node.li[x]);
            for d in 0..nd {
                self.ext_at[c + d] = self.ext_lv[b + d];
            }
            // `pos` is within the prefix, or the end (nothing left for x)
            let mine = if pos <= k { &self.ord[pos..k] } else { &[][..] };
            for &(d, f) in mine {
                self.ext_at[c + d] *= f as f64;
            }
            let left = if pos <= k { self.left.len() } else { 0 };
            for v in 0..left {
                let (d, f) = self.loops[v];
                let cnt = self.left[v];
                if cnt == 0 {
                    continue;
                }
                // a fractional extent is multiplied by the same factors in
                // any order only when its loops left are all alike
                let e0 = self.ext_at[c + d];
                let alike = (0..left).all(|w| w == v || self.left[w] == 0 || self.loops[w].0 != d);
                if e0 != crate::num::trunc(e0) && !alike {
                    return false;
                }
                for _ in 0..cnt {
                    let e = self.ext_at[c + d];
                    if e * f as f64 >= WHOLE_53 {
                        return false;
                    }
                    self.ext_at[c + d] = e * f as f64;
                }
            }
            let prec = self.precision(ctx, x, pos) as u128;
            let size = mul_sat(ctx.tensor_elems(x, &self.ext_at[c..c + nd]), prec);
            total = total.saturating_add(size);
            if total > cap {
                return false;
            }
            let top = ctx.ops[x].levels.last() == Some(&lvl);
            let cell = self.cell(lvl, slot, self.n);
            self.size_at[cell] = size;
            self.acc_at[cell] = if top { 0 } else { size };
        }
        let counts: [usize; MAX_OPS] =
            core::array::from_fn(|s| here.get(s).map_or(0, |&x| self.n - node.pos[x]));
        // an operand whose loops all go here has nothing left for above:
        // its top level check in `apply_choice` passes
        self.apply_choice(ctx, lvl, node, counts)
    }
}
