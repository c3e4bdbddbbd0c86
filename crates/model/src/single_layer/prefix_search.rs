//! The fast exact LOMA search (docs/model.md §2.4): a depth-first walk over
//! the orderings' prefixes (innermost loop first) instead of the
//! generator's order, giving exactly the optimum of the exhaustive search.
//!
//! Why it is exact and faster:
//! - **Shared allocation.** The allocation of §2.3 is bottom-up and each
//!   level's choice depends only on the loops up to where its candidate
//!   lists stop, so a level is decided once per prefix, not once per
//!   ordering. The same floating-point operations run in the same order as
//!   in [`Ctx::allocate`], so the sizes are the same bits.
//! - **Early invalidity.** An operand's top level must hold all remaining
//!   loops; once a prefix overflows it, every ordering below is invalid.
//! - **Energy terms fixed early.** The energy term of operand `X` at its
//!   level `j` depends on the ordering only through the loops below the
//!   merged start of level `j + 1` and the multiset of the rest (the top
//!   level's own data size never enters the energy), and its traffic with
//!   the level below only on the loops below `j`'s merged start. Once the
//!   prefix fixes a merged start (it has passed the first loop there that
//!   is not `ir` for `X`, where the stationarity merge stops), those terms
//!   are computed once for the whole subtree, on any completion.
//! - **Bound.** Every term is `>= 0` (the search is only used then), and
//!   rounded addition is monotone, so the running sum of the known terms
//!   (unknown ones as 0), in the order the energy is summed, is a lower
//!   bound of the energy of every ordering below. A subtree whose bound
//!   exceeds the best energy so far is skipped.
//! - **Ties (Q33).** The winner among equal energies is the first in the
//!   generator's order: compared with [`Rank`], so the visiting order does
//!   not matter.

use alloc::vec;
use alloc::vec::Vec;

use super::allocation::{choose_combination, mul_sat};
use super::context::Ctx;
use super::loma::{orderings_of, Loop, Rank};
use super::spatial::{Decoupler, Unrolling};
use super::temporal::{stationarity_merge, OpTable};
use crate::scenario::layer::DimClass;

/// Layer operands (output and at most two inputs, checked by `Ctx::new`).
const MAX_OPS: usize = 3;

/// Subtrees with at most this many orderings are walked without stopping
/// at their inner nodes (measured: deciding there costs more than the
/// little it prunes).
const LAZY_SUBTREE: u64 = 2;

/// Longest ordering this search takes; longer ones use the generator
/// (beyond any LPF limit the model accepts).
pub(super) const MAX_LOOPS: usize = 16;

const NONE: u8 = u8::MAX;

/// The allocation state after a prefix, and the walk's position there.
#[derive(Clone, Copy)]
struct Node {
    /// Per operand: where its pending level starts, and that level's index
    /// among the operand's levels.
    pos: [usize; MAX_OPS],
    li: [usize; MAX_OPS],
    /// Per operand, at its pending level: candidates computed, list
    /// complete.
    len: [usize; MAX_OPS],
    closed: [bool; MAX_OPS],
    /// Per operand: `J` of [`PrefixSearch::known_levels`] for the terms
    /// held (`NONE` before any), and the depth whose slot holds them.
    known: [u8; MAX_OPS],
    src: [u8; MAX_OPS],
    /// Per operand: one past the last loop of the prefix that is not `ir`
    /// for it (0 when none).
    nonir_end: [usize; MAX_OPS],
    /// Per operand: [`PrefixSearch::predict_full`] failed at its pending
    /// level (it fails in the whole subtree then).
    tried: [bool; MAX_OPS],
    /// Next value to try at this depth.
    next: usize,
}

/// What a prefix leads to.
enum Step {
    /// Go deeper.
    Descend,
    /// No ordering below fits the memories.
    Invalid,
    /// No ordering below can beat the best so far.
    Bounded,
    /// A complete ordering, costed.
    Leaf,
}

/// Counts of a search, in orderings (docs/model.md §2.4).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SearchStats {
    /// Orderings of the loop prime factors (all of them, once done).
    pub considered: u64,
    /// Orderings known not to fit the memories.
    pub invalid: u64,
    /// Valid or not, orderings skipped because they could not win.
    pub pruned: u64,
    /// Orderings whose energy was formed in full.
    pub evaluated: u64,
}

impl SearchStats {
    /// Field-by-field sum.
    pub fn add(&mut self, o: &SearchStats) {
        self.considered = self.considered.saturating_add(o.considered);
        self.invalid = self.invalid.saturating_add(o.invalid);
        self.pruned = self.pruned.saturating_add(o.pruned);
        self.evaluated = self.evaluated.saturating_add(o.evaluated);
    }
}

/// 2^53: products of whole numbers below it are exact in `f64`.
const WHOLE_53: f64 = 9_007_199_254_740_992.0;

/// Whether every loop of size `f` multiplies operand `x`'s tensor by at
/// most `f`: true for `r` and `ir` dimensions; a pr relation `sa*a + sb*b`
/// qualifies when `sb` divides `sa` and no dimension is in two relations.
fn growth_bounded(ctx: &Ctx, x: usize) -> bool {
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

/// A small open-addressing table of energy terms (one per operand and
/// search; forgets everything when half full, which only costs
/// recomputation).
struct TermMemo {
    /// 0 = empty (keys are never 0).
    keys: Vec<u128>,
    vals: Vec<f64>,
    stride: usize,
    used: usize,
}

impl TermMemo {
    const BITS: u32 = 10;

    fn new(stride: usize) -> TermMemo {
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

    fn get(&self, key: u128) -> Option<&[f64]> {
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

    fn put(&mut self, key: u128, vals: &[f64]) {
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

pub(super) struct Best {
    pub(super) energy: f64,
    pub(super) ord: Vec<Loop>,
    pub(super) bounds: Vec<Vec<usize>>,
    vals: Vec<u8>,
    rank: Option<u64>,
}

pub(super) struct PrefixSearch {
    /// The loop of each value (values in the generator's sort).
    loops: Vec<Loop>,
    left: Vec<u8>,
    n: usize,
    nd: usize,
    /// Most levels of an operand, plus one.
    max_li1: usize,
    path: Vec<u8>,
    ord: Vec<Loop>,
    nodes: Vec<Node>,
    /// `ext_lv[x][li]`: extents of operand `x` where its level `li` starts.
    ext_lv: Vec<f64>,
    /// Per (physical level, slot, position): the candidate's extents,
    /// size and accesses. Entries at positions up to a node's depth stay
    /// valid below it.
    ext_at: Vec<f64>,
    size_at: Vec<u128>,
    acc_at: Vec<u128>,
    bounds: Vec<Vec<usize>>,
    /// Per (depth, operand): energy terms per level, written at the depth
    /// where they became known (so a subtree never overwrites its
    /// parent's).
    terms: Vec<f64>,
    /// Product of the loops after position `p` (order-free, saturating).
    rem_prod: Vec<u128>,
    /// `ir(O)` loops among the first `p`.
    ir_o_before: Vec<usize>,
    ir_o_total: usize,
    /// Per layer dimension: `ir` for the output.
    o_ir_class: Vec<bool>,
    /// Per (operand, dimension): whether its extent enters the operand's
    /// tensor size (`r`, or in a pr relation).
    shapes: Vec<bool>,
    /// Per (operand, dimension): not `ir` for the operand.
    nonir: Vec<bool>,
    /// Per operand: a loop of size `f` multiplies its tensor by at most
    /// `f` (see [`PrefixSearch::predict_full`]).
    growth_ok: Vec<bool>,
    /// Advance calls so far; `flat` holds the completion of visit
    /// `flat_visit`.
    visit: u64,
    flat_visit: u64,
    flat: Vec<Loop>,
    starts: Vec<usize>,
    tab: OpTable,
    dec: Decoupler,
    rank: Rank,
    /// Per operand: terms by [`PrefixSearch::memo_key`], where it applies.
    memo: Vec<TermMemo>,
    memo_ok: Vec<bool>,
    /// Mixed-radix place value of each value (multiset codes).
    place: Vec<usize>,
    pub(super) best: Option<Best>,
    pub(super) stats: SearchStats,
    started: bool,
    pub(super) done: bool,
}

impl PrefixSearch {
    /// `values`: the distinct loops in the generator's sort, with their
    /// multiplicities.
    pub(super) fn new(ctx: &Ctx, values: Vec<Loop>, counts: Vec<u8>) -> PrefixSearch {
        let n: usize = counts.iter().map(|&c| c as usize).sum();
        let nd = ctx.layer.dims.len();
        let nlv = ctx.hw.levels.len();
        let nops = ctx.ops.len();
        let max_li = ctx.ops.iter().map(|o| o.levels.len()).max().unwrap_or(0);
        let cells = nlv * MAX_OPS * (n + 1);
        let o_class = &ctx.layer.operands[0].class;
        let ir_o_total = values
            .iter()
            .zip(&counts)
            .filter(|(l, _)| o_class[l.0] == DimClass::Ir)
            .map(|(_, &c)| c as usize)
            .sum();
        let mut s = PrefixSearch {
            loops: values,
            left: counts.clone(),
            n,
            nd,
            max_li1: max_li + 1,
            path: Vec::with_capacity(n),
            ord: Vec::with_capacity(n),
            nodes: vec![
                Node {
                    pos: [0; MAX_OPS],
                    li: [0; MAX_OPS],
                    len: [0; MAX_OPS],
                    closed: [false; MAX_OPS],
                    known: [NONE; MAX_OPS],
                    src: [0; MAX_OPS],
                    nonir_end: [0; MAX_OPS],
                    tried: [false; MAX_OPS],
                    next: 0,
                };
                n + 1
            ],
            ext_lv: vec![1.0; MAX_OPS * (max_li + 1) * nd],
            ext_at: vec![1.0; cells * nd],
            size_at: vec![0; cells],
            acc_at: vec![0; cells],
            bounds: ctx
                .ops
                .iter()
                .map(|o| vec![0; o.levels.len() + 1])
                .collect(),
            terms: vec![0.0; (n + 1) * MAX_OPS * (max_li + 1)],
            rem_prod: vec![1; n + 1],
            ir_o_before: vec![0; n + 1],
            ir_o_total,
            o_ir_class: o_class.iter().map(|c| *c == DimClass::Ir).collect(),
            shapes: (0..nops)
                .flat_map(|x| {
                    let o = &ctx.layer.operands[x];
                    (0..nd).map(move |d| {
                        o.class[d] == DimClass::R
                            || o.has_pr && ctx.layer.relations.iter().any(|r| r.a == d || r.b == d)
                    })
                })
                .collect(),
            nonir: (0..nops)
                .flat_map(|x| {
                    ctx.layer.operands[x]
                        .class
                        .iter()
                        .map(|c| *c != DimClass::Ir)
                })
                .collect(),
            growth_ok: (0..nops).map(|x| growth_bounded(ctx, x)).collect(),
            visit: 0,
            flat_visit: u64::MAX,
            flat: Vec::with_capacity(n),
            starts: Vec::new(),
            tab: OpTable::default(),
            dec: Decoupler::new(ctx.layer.relations.len()),
            rank: Rank::new(&counts),
            memo: ctx
                .ops
                .iter()
                .map(|o| TermMemo::new(o.levels.len()))
                .collect(),
            memo_ok: Vec::new(),
            place: Vec::new(),
            best: None,
            stats: SearchStats::default(),
            started: false,
            done: false,
        };
        for x in 0..nops {
            let base = s.ext_lv_at(x, 0);
            for &(d, f) in &ctx.ops[x].frac.s[0] {
                s.ext_lv[base + d] *= f;
            }
        }
        s.rem_prod[0] = s.remaining_product();
        let exact = s.rem_prod[0] <= 1 << 53 && n <= MAX_LOOPS;
        s.memo_ok = (0..nops)
            .map(|x| exact && !ctx.layer.operands[x].has_pr)
            .collect();
        let mut p = 1usize;
        for &c in &counts {
            s.place.push(p);
            p *= c as usize + 1;
        }
        s
    }

    fn ext_lv_at(&self, x: usize, li: usize) -> usize {
        (x * self.max_li1 + li) * self.nd
    }

    fn cell(&self, lvl: usize, slot: usize, p: usize) -> usize {
        (lvl * MAX_OPS + slot) * (self.n + 1) + p
    }

    fn remaining_product(&self) -> u128 {
        let mut r: u128 = 1;
        for (v, &c) in self.left.iter().enumerate() {
            for _ in 0..c {
                r = mul_sat(r, self.loops[v].1 as u128);
            }
        }
        r
    }

    /// Walks on until `budget` more orderings are accounted for; true when
    /// the search is complete.
    pub(super) fn run(&mut self, ctx: &Ctx, budget: u64) -> bool {
        if self.done {
            return true;
        }
        let target = self.stats.considered.saturating_add(budget);
        if !self.started {
            self.started = true;
            let step = self.advance(ctx, 0);
            if self.account(step) {
                self.done = true;
                return true;
            }
            self.dive(ctx);
        }
        while self.stats.considered < target {
            let k = self.path.len();
            let mut v = self.nodes[k].next;
            while v < self.left.len() && self.left[v] == 0 {
                v += 1;
            }
            if v >= self.left.len() {
                if k == 0 {
                    self.done = true;
                    return true;
                }
                self.pop();
                continue;
            }
            self.nodes[k].next = v + 1;
            self.push(v);
            if k + 1 < self.n && orderings_of(&self.left) <= LAZY_SUBTREE {
                // too few orderings below to gain from deciding here: the
                // leaves catch the allocation and the terms up themselves
                continue;
            }
            let step = self.advance(ctx, k + 1);
            if self.account(step) {
                self.pop();
            }
        }
        false
    }

    /// A first complete ordering, to bound the walk from its start: from
    /// the root, repeatedly the child with the lowest bound. It is visited
    /// again by the walk (same energy and rank: no change), so nothing here
    /// is counted.
    fn dive(&mut self, ctx: &Ctx) {
        while self.path.len() < self.n {
            let k = self.path.len();
            let mut pick: Option<(f64, usize)> = None;
            for v in 0..self.left.len() {
                if self.left[v] == 0 {
                    continue;
                }
                self.push(v);
                if !matches!(self.advance(ctx, k + 1), Step::Invalid) {
                    let b = self.bound(ctx, &self.nodes[k + 1]);
                    if pick.is_none_or(|(pb, _)| b < pb) {
                        pick = Some((b, v));
                    }
                }
                self.pop();
            }
            let Some((_, v)) = pick else {
                break;
            };
            self.push(v);
            self.advance(ctx, k + 1);
        }
        while !self.path.is_empty() {
            self.pop();
        }
    }

    /// Adds a finished subtree to the counts; true unless `Descend`.
    fn account(&mut self, step: Step) -> bool {
        let here = orderings_of(&self.left);
        let st = &mut self.stats;
        match step {
            Step::Descend => return false,
            Step::Invalid => st.invalid += here,
            Step::Bounded => st.pruned += here,
            Step::Leaf => st.evaluated += here,
        }
        st.considered += here;
        true
    }

    fn push(&mut self, v: usize) {
        let k = self.path.len();
        let l = self.loops[v];
        self.path.push(v as u8);
        self.ord.push(l);
        self.left[v] -= 1;
        let mut node = self.nodes[k];
        node.next = 0;
        for x in 0..MAX_OPS {
            if self.nonir.get(x * self.nd + l.0).copied().unwrap_or(false) {
                node.nonir_end[x] = k + 1;
            }
        }
        self.nodes[k + 1] = node;
        // exact: the product of the loops left is not saturated
        self.rem_prod[k + 1] = if self.rem_prod[0] < u128::MAX {
            self.rem_prod[k] / (l.1.max(1) as u128)
        } else {
            self.remaining_product()
        };
        self.ir_o_before[k + 1] = self.ir_o_before[k] + usize::from(self.o_ir(l));
    }

    fn pop(&mut self) {
        if let Some(v) = self.path.pop() {
            self.ord.pop();
            self.left[v as usize] += 1;
        }
    }

    fn o_ir(&self, l: Loop) -> bool {
        self.o_ir_class.get(l.0).copied().unwrap_or(false)
    }

    /// Decides every level the prefix of length `k` allows, updates the
    /// energy terms it fixes, and costs the ordering when it is complete.
    fn advance(&mut self, ctx: &Ctx, k: usize) -> Step {
        self.visit += 1;
        let mut node = self.nodes[k];
        let step = self.allocate_levels(ctx, k, &mut node);
        if !matches!(step, Step::Descend) {
            return step;
        }
        for x in 0..ctx.ops.len() {
            self.update_terms(ctx, k, &mut node, x);
            if self
                .best
                .as_ref()
                .is_some_and(|b| self.bound(ctx, &node) > b.energy)
            {
                return Step::Bounded;
            }
        }
        self.nodes[k] = node;
        if k < self.n {
            return Step::Descend;
        }
        // at a leaf every term is exact: the bound is the energy, summed
        // operand by operand, level by level, as `full_cost` sums it
        let e = self.bound(ctx, &node);
        self.offer(e);
        Step::Leaf
    }

    /// The running sum of the known terms in the order the energy is
    /// summed, unknown ones counted as 0: a lower bound of the energy of
    /// every ordering below (terms >= 0, rounded addition monotone).
    fn bound(&self, ctx: &Ctx, node: &Node) -> f64 {
        let mut b = 0.0;
        for x in 0..ctx.ops.len() {
            if node.known[x] == NONE {
                continue;
            }
            let m = ctx.ops[x].levels.len();
            let t = self.terms_at(node.src[x] as usize, x);
            for &v in &self.terms[t..t + (node.known[x] as usize + 1).min(m)] {
                b += v;
            }
        }
        b
    }

    /// The allocation of §2.3 as far as the prefix of length `k` decides
    /// it (see [`Ctx::allocate`], which this mirrors operation for
    /// operation). A level is decided once all its operands have reached it
    /// and their candidate lists are complete; levels of different operands
    /// do not wait for each other (each decision depends only on its own
    /// operands), so the order differs from the reference's bottom-to-top
    /// sweep but no decision does.
    fn allocate_levels(&mut self, ctx: &Ctx, k: usize, node: &mut Node) -> Step {
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
    fn extend(
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
    fn precision(&self, ctx: &Ctx, x: usize, pos: usize) -> u64 {
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
    fn decide_level(&mut self, ctx: &Ctx, lvl: usize, node: &mut Node) -> bool {
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
    fn apply_choice(
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
    fn predict_full(&mut self, ctx: &Ctx, k: usize, node: &mut Node, lvl: usize) -> bool {
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

    fn terms_at(&self, depth: usize, x: usize) -> usize {
        (depth * MAX_OPS + x) * self.max_li1
    }

    /// How many of operand `x`'s levels have their merged start fixed by
    /// the prefix of length `k`, minus one (`J`; `M` at a leaf). The
    /// stationarity merge (§2.5.1) moves a level's start up past the `ir`
    /// loops, through emptied levels, to the first loop that is not `ir`
    /// for `x`: so the merged start of a decided level `j` is known once
    /// the prefix has such a loop at or after its raw start.
    fn known_levels(&self, ctx: &Ctx, k: usize, node: &Node, x: usize) -> usize {
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
    fn update_terms(&mut self, ctx: &Ctx, k: usize, node: &mut Node, x: usize) {
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
                // only the traffic with the level below is known yet
                w[2] = 0.0;
                w[3] = 0.0;
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
    /// `self.starts`), when they depend on the merged levels' multisets
    /// only: without pr relations every product of a level's loops is an
    /// exact integer (below 2^53) whatever their order, and the rest of
    /// the table (counts, precisions, partial-sum flags) is order-free.
    fn memo_key(&self, x: usize, j: usize, m: usize) -> Option<u128> {
        if !self.memo_ok[x] || m > 8 || j > 14 {
            return None;
        }
        let mut key = (j + 1) as u128;
        for lv in 0..j.min(m - 1) {
            let mut code = 0usize;
            for p in self.starts[lv]..self.starts[lv + 1] {
                code += self.place[*self.path.get(p)? as usize];
            }
            key |= (code as u128) << (4 + 16 * lv);
        }
        Some(key)
    }

    /// A complete valid ordering of energy `e`: the new best when lower, or
    /// equal and earlier in the generator's order (Q33).
    fn offer(&mut self, e: f64) {
        let wins = match &mut self.best {
            None => true,
            Some(b) if e < b.energy => true,
            Some(b) if e == b.energy => {
                let theirs = match b.rank {
                    Some(r) => r,
                    None => {
                        let r = self.rank.rank(&b.vals);
                        b.rank = Some(r);
                        r
                    }
                };
                let mine = self.rank.rank(&self.path);
                if mine < theirs {
                    self.store(e, Some(mine));
                }
                false
            }
            Some(_) => false,
        };
        if wins {
            self.store(e, None);
        }
    }

    fn store(&mut self, energy: f64, rank: Option<u64>) {
        match &mut self.best {
            Some(b) => {
                b.energy = energy;
                b.rank = rank;
                b.ord.clone_from(&self.ord);
                b.vals.clone_from(&self.path);
                for (d, s) in b.bounds.iter_mut().zip(&self.bounds) {
                    d.clone_from(s);
                }
            }
            None => {
                self.best = Some(Best {
                    energy,
                    ord: self.ord.clone(),
                    bounds: self.bounds.clone(),
                    vals: self.path.clone(),
                    rank,
                })
            }
        }
    }
}
