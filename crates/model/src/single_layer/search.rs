//! The LOMA search of one layer (docs/model.md §2.1–§2.4): [`LomaSearch`] runs
//! the orderings in chunks and keeps the minimum-energy one (first on exact
//! ties, Q33); [`evaluate_layer`] runs it to the end.

use alloc::string::ToString;
use alloc::vec;
use alloc::vec::Vec;

use super::allocation::AllocScratch;
use super::context::Ctx;
use super::full_cost::full_cost;
use super::loma::{loop_prime_factors, orderings_of, sorted_values, Loop, LpfError, Orderings};
use super::prefix_search::{PrefixSearch, SearchStats, MAX_LOOPS};
use super::spatial::{Decoupler, Unrolling};
use super::temporal::{stationarity_merge, OpTable};
use super::{EvalError, LayerCost};
use crate::input::hardware::Hardware;
use crate::input::mapping::SpatialMapping;
use crate::scenario::layer::LayerSpec;

/// Applies add-layer duplication (§1.3, Q31) when the layer needs it: the
/// second input is re-linked to `I2` and the hardware's `I2` hierarchy is
/// replaced by a copy of `I1`'s.
pub fn prepare_add_layer(layer: &mut LayerSpec, hw: &mut Hardware) {
    if layer.needs_add_duplication() {
        let first = layer.operands[1].mem_op.clone();
        let second = if first == "I2" { "I1" } else { "I2" };
        hw.duplicate_for_add(&first, second);
        layer.operands[2].mem_op = second.to_string();
    }
}

/// Options of the single-layer evaluation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LomaConfig {
    /// Maximum number of loop prime factors (`loma_lpf_limit`, 6 in
    /// DeFiNES' `main.py`).
    pub lpf_limit: usize,
}

impl Default for LomaConfig {
    fn default() -> Self {
        LomaConfig { lpf_limit: 6 }
    }
}

/// Evaluates one (tile-sized) layer on one (possibly trimmed) accelerator:
/// LOMA search (§2.1–§2.4) keeping the minimum-energy temporal mapping
/// (first one on exact ties, Q33), then its full cost (§2.5–§2.9).
/// Element-wise add layers get add-layer duplication automatically.
pub fn evaluate_layer(
    layer: &LayerSpec,
    hw: &Hardware,
    sm: &SpatialMapping,
    cfg: LomaConfig,
) -> Result<LayerCost, EvalError> {
    let mut s = LomaSearch::new(layer, hw, sm, cfg)?;
    s.run(u64::MAX);
    s.finish()
}

/// The LOMA search of one layer, run in chunks of orderings (e.g. so a
/// worker can check for a stop request between chunks). The result does not
/// depend on the chunk sizes. No allocation per ordering except when a new
/// best mapping is found.
///
/// Exactly the exhaustive optimum, faster: when no access energy is
/// negative, a depth-first walk over the orderings' prefixes shares the
/// allocation and the energy terms among orderings and skips subtrees that
/// cannot win (`prefix_search/`, docs/model.md §2.4). Otherwise the
/// orderings are generated one by one in the reference's order.
/// [`LomaSearch::exhaustive`] generates and costs every ordering, nothing
/// skipped (the reference for tests).
pub struct LomaSearch {
    pub(super) ctx: Ctx,
    pub(super) gen: Orderings,
    pub(super) expected: u64,
    pub(super) ord: Vec<Loop>,
    pub(super) sc: AllocScratch,
    pub(super) tabs: Vec<OpTable>,
    pub(super) starts: Vec<Vec<usize>>,
    pub(super) dec: Decoupler,
    pub(super) best: Option<(f64, Vec<Loop>, Vec<Vec<usize>>)>,
    pub(super) total: u64,
    pub(super) valid: u64,
    /// Valid orderings abandoned by the energy bound.
    pub(super) pruned: u64,
    /// Bound-based skipping allowed (every energy term is >= 0).
    pub(super) prune: bool,
    pub(super) done: bool,
    /// The depth-first search, when it applies.
    pub(super) fast: Option<PrefixSearch>,
}

impl LomaSearch {
    /// Prepares the search: spatial mapping (§1.4), LPFs (§2.1) and the
    /// ordering generator (§2.2).
    pub fn new(
        layer: &LayerSpec,
        hw: &Hardware,
        sm: &SpatialMapping,
        cfg: LomaConfig,
    ) -> Result<LomaSearch, EvalError> {
        let (mut layer, mut hw) = (layer.clone(), hw.clone());
        prepare_add_layer(&mut layer, &mut hw);
        let ctx = Ctx::new(layer, hw, sm)?;
        let sizes = ctx.temporal_sizes();
        let lpfs = loop_prime_factors(&sizes, cfg.lpf_limit).map_err(|e| match e {
            LpfError::LimitTooSmall { limit, dims } => EvalError::LpfLimitTooSmall { limit, dims },
        })?;
        let items: Vec<Loop> = lpfs
            .iter()
            .flat_map(|(d, fs)| fs.iter().map(move |&f| (*d, f)))
            .collect();
        let name_of = |d: usize| ctx.layer.dims[d].clone();
        let (values, counts) = sorted_values(&items, name_of);
        let expected = orderings_of(&counts);
        let gen = Orderings::new(items, name_of);
        let sc = AllocScratch::new(&ctx);
        let nops = ctx.ops.len();
        let dec = Decoupler::new(ctx.layer.relations.len());
        let prune = ctx.energies_nonnegative();
        let fast = (prune && gen.len_items() <= MAX_LOOPS)
            .then(|| PrefixSearch::new(&ctx, values, counts));
        Ok(LomaSearch {
            ctx,
            gen,
            expected,
            ord: Vec::new(),
            sc,
            tabs: vec![OpTable::default(); nops],
            starts: vec![Vec::new(); nops],
            dec,
            best: None,
            total: 0,
            valid: 0,
            pruned: 0,
            prune,
            done: false,
            fast,
        })
    }

    /// Number of orderings the search will generate in total.
    pub fn orderings_expected(&self) -> u64 {
        self.expected
    }

    /// Number of orderings dealt with so far (costed or skipped).
    pub fn orderings_done(&self) -> u64 {
        self.stats().considered
    }

    /// Number of orderings skipped because they provably could not beat
    /// the best so far.
    pub fn orderings_pruned(&self) -> u64 {
        self.stats().pruned
    }

    /// The search's counts so far.
    pub fn stats(&self) -> SearchStats {
        match &self.fast {
            Some(f) => f.stats,
            None => SearchStats {
                considered: self.total,
                invalid: self.total - self.valid,
                pruned: self.pruned,
                evaluated: self.valid - self.pruned,
            },
        }
    }

    /// Turns the provably safe skipping off: the orderings are generated
    /// in the reference's order and every valid one is costed in full (the
    /// plain exhaustive enumeration, for tests).
    pub fn exhaustive(mut self) -> LomaSearch {
        self.prune = false;
        self.fast = None;
        self
    }

    /// Evaluates up to `max_orderings` more orderings; true when all
    /// orderings have been evaluated.
    pub fn run(&mut self, max_orderings: u64) -> bool {
        if let Some(f) = &mut self.fast {
            self.done = f.run(&self.ctx, max_orderings);
            return self.done;
        }
        let ctx = &self.ctx;
        let nops = ctx.ops.len();
        let mut n = 0u64;
        while !self.done && n < max_orderings {
            if !self.gen.next_into(&mut self.ord) {
                self.done = true;
                break;
            }
            n += 1;
            self.total += 1;
            if !ctx.allocate(&self.ord, &mut self.sc) {
                continue;
            }
            self.valid += 1;
            // The energy is summed in the order of `Ctx::mem_energy`
            // (operand by operand, level by level, from 0.0), so it is the
            // same float. Every term is >= 0 when `self.prune` holds, so
            // a partial sum that is not below the best can only grow: such
            // an ordering cannot win (Q33 needs strictly less) and its
            // remaining operands are skipped.
            let bound = self.best.as_ref().map(|b| b.0);
            let mut e = 0.0;
            let mut lost = false;
            for x in 0..nops {
                let st = &mut self.starts[x];
                st.clear();
                st.extend_from_slice(&self.sc.bounds[x]);
                stationarity_merge(&ctx.layer, x, &self.ord, st);
                ctx.fill(
                    x,
                    &self.ord,
                    st,
                    Unrolling::Fractional,
                    &mut self.dec,
                    &mut self.tabs[x],
                );
                e = ctx.add_op_energy(e, x, &self.tabs[x]);
                if self.prune && bound.is_some_and(|b| e >= b) {
                    lost = true;
                    break;
                }
            }
            if lost {
                self.pruned += 1;
                continue;
            }
            // Q33: strict `<`, the first ordering wins on exact ties
            if bound.is_none_or(|b| e < b) {
                self.best = Some((e, self.ord.clone(), self.sc.bounds.clone()));
            }
        }
        self.done
    }

    /// The full cost of the best mapping found so far (the LOMA result once
    /// [`LomaSearch::run`] has returned true), or "memory hierarchy too
    /// small" when no ordering fitted.
    pub fn finish(&self) -> Result<LayerCost, EvalError> {
        let best = match &self.fast {
            Some(f) => f.best.as_ref().map(|b| (&b.ord, &b.bounds)),
            None => self.best.as_ref().map(|b| (&b.1, &b.2)),
        };
        let Some((ord, bounds)) = best else {
            return Err(EvalError::HierarchyTooSmall);
        };
        let per_op: Vec<Vec<Vec<Loop>>> = bounds
            .iter()
            .map(|b| b.windows(2).map(|w| ord[w[0]..w[1]].to_vec()).collect())
            .collect();
        let mut cost = full_cost(&self.ctx, &per_op);
        cost.search = self.stats();
        Ok(cost)
    }
}
