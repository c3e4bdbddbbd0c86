//! [`NetworkRun`]: a depth-first evaluation in bounded steps (one node of
//! one tile type per unit), and the one-call entry points.

use alloc::format;
use alloc::vec::Vec;

use serde::{Deserialize, Serialize};

use crate::limits;

use super::backprop::{backprop, BpFlags};
use super::cache::EvalCache;
use super::graph::{network, Graph};
use super::report::{NetworkReport, StackReport};
use super::schedule::{validate_schedule, NetworkError, Schedule};
use super::stack_cuts::{auto_cuts, stacks};
use super::tile_run::{NodeEval, TileRun, Trimmed};
use super::tile_types::{plan_stack, StackPlan};
use crate::fixes::Fixes;
use crate::scenario::validate::ValidScenario;
use crate::single_layer::SearchStats;

/// Progress of a [`NetworkRun`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    /// Tile types evaluated so far.
    pub done: u64,
    /// Tile types of all stacks.
    pub total: u64,
    /// Layer steps (one node of one tile type) done so far and in total:
    /// the unit of [`NetworkRun::step`].
    pub steps_done: u64,
    pub steps_total: u64,
    /// Distinct single-layer LOMA searches run so far.
    pub layer_evaluations: u64,
}

/// A depth-first evaluation in bounded steps (one tile type per unit of
/// budget), so a worker can report progress and check for a stop request.
pub struct NetworkRun {
    /// Owned, so a worker can keep the run between messages.
    pub(super) sc: ValidScenario,
    pub(super) sched: Schedule,
    pub(super) cuts: Vec<i64>,
    pub(super) plans: Vec<StackPlan>,
    pub(super) results: Vec<Vec<Vec<NodeEval>>>,
    pub(super) cursor: (usize, usize),
    pub(super) current: Option<TileRun>,
    pub(super) memo: EvalCache,
    pub(super) trimmed: Trimmed,
}

/// The stack cuts of §3.1 (weight-overflow rule) for a scenario: those
/// the evaluation uses when the schedule has no `stack_cuts`.
pub fn automatic_stack_cuts(sc: &ValidScenario) -> Result<Vec<i64>, NetworkError> {
    let g = full_network(sc)?;
    Ok(auto_cuts(&g, sc))
}

/// The network graph at its full sizes (§3.2: one back-propagation over the
/// whole network), as the stacks are cut from it.
pub(crate) fn full_network(sc: &ValidScenario) -> Result<Graph, NetworkError> {
    let mut g = network(sc).map_err(NetworkError::Graph)?;
    g.single_output()
        .map_err(|e| NetworkError::Graph(format!("the network has {e}")))?;
    let base: Vec<Vec<u64>> = g.nodes.iter().map(|n| n.spec.sizes.clone()).collect();
    let bp = backprop(&g, &base, None, BpFlags::default()).map_err(NetworkError::Graph)?;
    for (i, n) in g.nodes.iter_mut().enumerate() {
        n.full = bp.sizes[i].clone();
        n.spec.sizes = bp.sizes[i].clone();
    }
    Ok(g)
}

impl NetworkRun {
    /// Plans every stack (cheap): graph, full sizes, cuts, tile types.
    pub fn new(sc: &ValidScenario, sched: &Schedule) -> Result<NetworkRun, NetworkError> {
        NetworkRun::with_fixes(sc, sched, Fixes::default())
    }

    /// [`NetworkRun::new`] with some reference quirks fixed (see [`Fixes`]).
    pub fn with_fixes(
        sc: &ValidScenario,
        sched: &Schedule,
        fixes: Fixes,
    ) -> Result<NetworkRun, NetworkError> {
        let d = validate_schedule(sc, sched);
        if !d.is_empty() {
            return Err(NetworkError::Schedule(d));
        }
        let g = full_network(sc)?;
        let cuts = match &sched.stack_cuts {
            Some(c) => c.clone(),
            None => auto_cuts(&g, sc),
        };
        let graphs = stacks(&g, &cuts, fixes).map_err(NetworkError::Graph)?;
        let mut plans = Vec::new();
        for s in graphs {
            plans.push(plan_stack(s, &sc.hardware, sched)?);
        }
        let results = plans.iter().map(|_| Vec::new()).collect();
        Ok(NetworkRun {
            sc: sc.clone(),
            sched: sched.clone(),
            cuts,
            plans,
            results,
            cursor: (0, 0),
            current: None,
            memo: EvalCache::default(),
            trimmed: Trimmed::default(),
        })
    }

    /// Does up to `max_layer_steps` more units of work; a unit is one node
    /// (one layer and the data copies before it) of one tile type, i.e. at
    /// most one LOMA search.
    pub fn step(&mut self, max_layer_steps: u64) -> Result<Progress, NetworkError> {
        let mut n = 0;
        while n < max_layer_steps && self.cursor.0 < self.plans.len() {
            let (si, ti) = self.cursor;
            let plan = &self.plans[si];
            let Some((key, _)) = plan.types.get(ti) else {
                self.cursor = (si + 1, 0);
                continue;
            };
            if self.current.is_none() {
                self.current = Some(TileRun::new(plan, key)?);
            }
            let Some(tr) = self.current.as_mut() else {
                continue;
            };
            let done = tr.step_node(
                plan,
                key,
                &self.sc,
                self.sched.lpf_limit as usize,
                &mut self.memo,
                &mut self.trimmed,
            )?;
            n += 1;
            if done {
                let out = core::mem::take(&mut tr.out);
                self.results[si].push(out);
                self.current = None;
                self.cursor = (si, ti + 1);
            }
        }
        Ok(self.progress())
    }

    /// Uses `cache` for the single-layer evaluations of this run (e.g. one
    /// kept from an earlier run of the same scenario).
    pub fn set_cache(&mut self, cache: EvalCache) {
        self.memo = cache;
    }

    /// The LOMA search counts of the evaluations run through this run's
    /// cache.
    pub fn search_stats(&self) -> SearchStats {
        self.memo.search_stats()
    }

    /// Takes the cache back (e.g. to reuse it for the next schedule).
    pub fn take_cache(&mut self) -> EvalCache {
        core::mem::take(&mut self.memo)
    }

    /// The report of a finished run; `None` while tile types remain.
    pub fn report_if_done(&self) -> Option<Result<NetworkReport, NetworkError>> {
        self.is_done().then(|| checked(self.report()))
    }

    /// The stacks and their tile types (known before any evaluation).
    pub fn stacks(&self) -> Vec<StackReport> {
        self.plans.iter().map(|p| p.report.clone()).collect()
    }

    pub fn progress(&self) -> Progress {
        let total: u64 = self.plans.iter().map(|p| p.types.len() as u64).sum();
        let done: u64 = self.results.iter().map(|r| r.len() as u64).sum();
        let per_type = |p: &StackPlan| p.g.nodes.len() as u64;
        let steps_total = self
            .plans
            .iter()
            .map(|p| per_type(p).saturating_mul(p.types.len() as u64))
            .fold(0u64, u64::saturating_add);
        let steps_done = self
            .plans
            .iter()
            .zip(&self.results)
            .map(|(p, r)| per_type(p).saturating_mul(r.len() as u64))
            .fold(0u64, u64::saturating_add)
            .saturating_add(self.current.as_ref().map_or(0, |c| c.next as u64));
        Progress {
            done,
            total,
            steps_done,
            steps_total,
            layer_evaluations: self.memo.evaluations,
        }
    }

    pub fn is_done(&self) -> bool {
        let p = self.progress();
        p.done >= p.total
    }

    /// Aggregates the results (§3.10); runs what is left first.
    pub fn finish(mut self) -> Result<NetworkReport, NetworkError> {
        self.step(u64::MAX)?;
        checked(self.report())
    }
}

/// The report if its totals are exact numbers: finite energies and EDP, and
/// a latency below [`limits::MAX_LATENCY_CYCLES`] (the sums saturate
/// rather than wrap, so a saturated latency is caught here, not shown).
fn checked(r: NetworkReport) -> Result<NetworkReport, NetworkError> {
    let energies = [
        ("energy", r.energy_pj),
        ("MAC energy", r.mac_energy_pj),
        ("memory energy", r.mem_energy_pj),
        ("data copy energy", r.data_copy_energy_pj),
        (
            "energy-delay product",
            r.energy_pj * r.latency_cycles as f64,
        ),
    ];
    for (what, e) in energies {
        if !e.is_finite() {
            return Err(NetworkError::Limit(alloc::format!(
                "the {what} is not a finite number ({e}); lower the access energies or the network size"
            )));
        }
    }
    if r.latency_cycles >= limits::MAX_LATENCY_CYCLES {
        return Err(NetworkError::Limit(limits::exceeded(
            "the latency in cycles",
            r.latency_cycles,
            limits::MAX_LATENCY_CYCLES,
            "larger totals are not exact 64-bit numbers; use a smaller network or faster memories",
        )));
    }
    Ok(r)
}

/// [`evaluate_network`] sharing single-layer evaluations through `cache`
/// (e.g. the three modes of one scenario).
pub fn evaluate_network_with(
    sc: &ValidScenario,
    sched: &Schedule,
    cache: &mut EvalCache,
) -> Result<NetworkReport, NetworkError> {
    evaluate_network_cached(sc, sched, Fixes::default(), cache)
}

/// [`evaluate_network_with`] with some reference quirks fixed (see
/// [`Fixes`]); the cache does not depend on the fixes (they change only
/// the stacks, never a single-layer evaluation).
pub fn evaluate_network_cached(
    sc: &ValidScenario,
    sched: &Schedule,
    fixes: Fixes,
    cache: &mut EvalCache,
) -> Result<NetworkReport, NetworkError> {
    let mut run = NetworkRun::with_fixes(sc, sched, fixes)?;
    run.set_cache(core::mem::take(cache));
    let r = run.step(u64::MAX);
    *cache = run.take_cache();
    r?;
    checked(run.report())
}

/// [`evaluate_network`] with some reference quirks fixed (see [`Fixes`]).
pub fn evaluate_network_fixed(
    sc: &ValidScenario,
    sched: &Schedule,
    fixes: Fixes,
) -> Result<NetworkReport, NetworkError> {
    NetworkRun::with_fixes(sc, sched, fixes)?.finish()
}

/// [`evaluate_network_fixed`] and the run's detail (every node's costs,
/// docs/model.md §4.2), for explanations; sweeps never build it.
pub fn evaluate_network_detailed(
    sc: &ValidScenario,
    sched: &Schedule,
    fixes: Fixes,
    cache: &mut EvalCache,
) -> Result<(NetworkReport, super::NetworkDetail), NetworkError> {
    let mut run = NetworkRun::with_fixes(sc, sched, fixes)?;
    run.set_cache(core::mem::take(cache));
    let r = run.step(u64::MAX);
    *cache = run.take_cache();
    r?;
    let report = checked(run.report())?;
    Ok((report, run.detail()))
}

/// Evaluates a network under a depth-first schedule (docs/model.md §3–§4).
pub fn evaluate_network(
    sc: &ValidScenario,
    sched: &Schedule,
) -> Result<NetworkReport, NetworkError> {
    NetworkRun::new(sc, sched)?.finish()
}
