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
//! - **Early decisions.** When every operand of a level can provably do no
//!   better than take every loop left (their full tensors fit together),
//!   the level is decided before the prefix reaches the end
//!   ([`PrefixSearch::predict_full`]).
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
//!   (unknown ones at their floors, `floor.rs`: values no ordering's term
//!   goes below), in the order the energy is summed, is a lower bound of
//!   the energy of every ordering below. A subtree whose bound exceeds the
//!   best energy so far is skipped.
//! - **Ties (Q33).** The winner among equal energies is the first in the
//!   generator's order: compared with [`Rank`], so the visiting order does
//!   not matter.
//!
//! Here: the walk, its bound and the tie rule; `allocate.rs`: the levels'
//! decisions; `terms.rs`: the energy terms and their memo; `floor.rs`: the
//! terms' floors.

use alloc::vec;
use alloc::vec::Vec;

use super::allocation::mul_sat;
use super::context::Ctx;
use super::loma::{orderings_of, Loop, Rank};
use super::spatial::Decoupler;
use super::temporal::OpTable;
use crate::scenario::layer::DimClass;

mod allocate;
mod floor;
mod terms;

use allocate::growth_bounded;
use terms::TermMemo;

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
    /// Per (operand, level): the floors of its words by direction, and of
    /// its energy term (`floor.rs`).
    floor_w: Vec<[f64; 4]>,
    floor_e: Vec<f64>,
    /// Per operand: terms by [`PrefixSearch::memo_key`], where it applies.
    memo: Vec<TermMemo>,
    memo_ok: Vec<bool>,
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
            floor_w: Vec::new(),
            floor_e: Vec::new(),
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
        s.floor_w = vec![[0.0; 4]; MAX_OPS * s.max_li1];
        s.floor_e = vec![0.0; MAX_OPS * s.max_li1];
        for x in 0..nops {
            let fl = floor::word_floors(ctx, x, &s.loops, &counts);
            for (j, w) in fl.iter().enumerate() {
                s.floor_w[x * s.max_li1 + j] = *w;
                s.floor_e[x * s.max_li1 + j] = ctx.level_energy(x, j, w);
            }
        }
        s.rem_prod[0] = s.remaining_product();
        let exact = s.rem_prod[0] <= 1 << 53 && n <= MAX_LOOPS;
        s.memo_ok = (0..nops)
            .map(|x| exact && !ctx.layer.operands[x].has_pr)
            .collect();
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

    /// Whether loop `l` is `ir` for the output (operand 0).
    fn o_ir(&self, l: Loop) -> bool {
        !self.nonir.get(l.0).copied().unwrap_or(true)
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
    /// summed, the others counted at their floors: a lower bound of the
    /// energy of every ordering below (terms >= floors >= 0, rounded
    /// addition monotone).
    fn bound(&self, ctx: &Ctx, node: &Node) -> f64 {
        let mut b = 0.0;
        for x in 0..ctx.ops.len() {
            let m = ctx.ops[x].levels.len();
            let known = match node.known[x] {
                NONE => 0,
                j => (j as usize + 1).min(m),
            };
            let t = self.terms_at(node.src[x] as usize, x);
            let f = x * self.max_li1;
            for j in 0..m {
                b += if j < known {
                    self.terms[t + j]
                } else {
                    self.floor_e[f + j]
                };
            }
        }
        b
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
