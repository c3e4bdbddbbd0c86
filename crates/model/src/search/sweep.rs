//! Schedule search: many depth-first schedules of one scenario, evaluated
//! in bounded steps with one shared [`EvalCache`], their totals, energy-delay
//! products and the Pareto front over (energy, latency).
//!
//! ```text
//! let schedules = grid_schedules(&CASE_STUDY_1_X, &CASE_STUDY_1_Y, &Overlap::ALL, 6);
//! let mut sweep = Sweep::new(&scenario, schedules);
//! while !sweep.step(16).finished {}        // 16 layer steps per call
//! sweep.results(); sweep.pareto_front();
//! ```
//!
//! The unit of [`Sweep::step`] is the unit of [`NetworkRun::step`]: one
//! node (one layer and the data copies before it) of one tile type, i.e. at
//! most one LOMA search. Results do not depend on the budgets used, nor on
//! the cache: a schedule's totals equal those of [`crate::evaluate_network`]
//! bit for bit.

use alloc::vec::Vec;
use serde::{Deserialize, Serialize};

use super::pareto::{best_by, pareto_front};
use crate::depth_first::{
    EvalCache, Fixes, LensEnergies, MemoryAccesses, NetworkError, NetworkReport, NetworkRun,
    Schedule,
};
use crate::scenario::validate::ValidScenario;
use crate::single_layer::SearchStats;

/// Network totals of one schedule.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SweepTotals {
    pub energy_pj: f64,
    pub latency_cycles: u64,
    /// Energy-delay product, `energy_pj * latency_cycles` (pJ·cycles).
    pub edp: f64,
    /// Sum of tile MACs (more than the network's with recomputation).
    pub macs: u64,
    /// The MAC part of `energy_pj`.
    pub mac_energy_pj: f64,
    /// The data-copy part of `energy_pj`.
    pub data_copy_energy_pj: f64,
    /// The energy as the simpler models count it (§4.1).
    pub lens: LensEnergies,
    /// The memory part of `energy_pj` (compute layers).
    pub mem_energy_pj: f64,
    /// `latency_cycles` split as §4 splits it: ideal computation, spatial
    /// stall, temporal stall, data preparation (on-loading and copies).
    pub latency_split: [u64; 4],
    /// Element accesses per memory instance (§4.3, Fig. 14).
    pub element_accesses: Vec<MemoryAccesses>,
}

impl SweepTotals {
    pub fn of(r: &NetworkReport) -> SweepTotals {
        SweepTotals {
            energy_pj: r.energy_pj,
            latency_cycles: r.latency_cycles,
            edp: r.energy_pj * r.latency_cycles as f64,
            macs: r.macs,
            mac_energy_pj: r.mac_energy_pj,
            data_copy_energy_pj: r.data_copy_energy_pj,
            lens: r.lens_energies_pj,
            mem_energy_pj: r.mem_energy_pj,
            latency_split: latency_split(r),
            element_accesses: r.element_accesses.clone(),
        }
    }
}

/// §4's latency parts of a report: (ideal, spatial stall, temporal stall,
/// data preparation); they add up to `latency_cycles`.
pub fn latency_split(r: &NetworkReport) -> [u64; 4] {
    let mut s = [0u64; 4];
    for it in &r.layers {
        match it.kind {
            crate::depth_first::ItemKind::Compute => {
                let it0 = it.ideal_temporal_cycles;
                s[0] = s[0].saturating_add(it.ideal_cycles);
                s[1] = s[1].saturating_add(it0.saturating_sub(it.ideal_cycles));
                s[2] = s[2].saturating_add(it.latency_total0_cycles.saturating_sub(it0));
                s[3] =
                    s[3].saturating_add(it.latency_cycles.saturating_sub(it.latency_total0_cycles));
            }
            crate::depth_first::ItemKind::DataCopy => s[3] = s[3].saturating_add(it.latency_cycles),
        }
    }
    s
}

/// One evaluated schedule of a sweep: the same shape in the model, the CLI
/// and across the page's worker boundary.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SweepPoint {
    pub schedule: Schedule,
    pub outcome: Result<SweepTotals, NetworkError>,
}

/// Progress of a [`Sweep`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SweepProgress {
    /// Schedules finished (with totals or an error) and in total.
    pub schedules_done: u64,
    pub schedules_total: u64,
    /// Layer steps done so far over the whole sweep, and those of the
    /// schedule in progress (done, total); the total of the whole sweep is
    /// not known before every schedule is planned.
    pub steps_done: u64,
    pub current_steps_done: u64,
    pub current_steps_total: u64,
    /// Distinct single-layer LOMA searches so far (the cache's misses).
    pub layer_evaluations: u64,
    pub finished: bool,
}

/// A sweep over schedules of one scenario, in bounded steps.
pub struct Sweep {
    sc: ValidScenario,
    fixes: Fixes,
    schedules: Vec<Schedule>,
    points: Vec<SweepPoint>,
    current: Option<NetworkRun>,
    cache: EvalCache,
    steps_done: u64,
}

impl Sweep {
    /// A sweep over `schedules` (evaluated in this order).
    pub fn new(sc: &ValidScenario, schedules: Vec<Schedule>) -> Sweep {
        Sweep::with_fixes(sc, schedules, Fixes::default())
    }

    /// [`Sweep::new`] with some reference quirks fixed (see [`Fixes`]).
    pub fn with_fixes(sc: &ValidScenario, schedules: Vec<Schedule>, fixes: Fixes) -> Sweep {
        Sweep {
            sc: sc.clone(),
            fixes,
            schedules,
            points: Vec::new(),
            current: None,
            cache: EvalCache::default(),
            steps_done: 0,
        }
    }

    /// Uses `cache` for the single-layer evaluations (one kept from an
    /// earlier run or sweep of the same scenario).
    pub fn set_cache(&mut self, cache: EvalCache) {
        match self.current.as_mut() {
            Some(run) => run.set_cache(cache),
            None => self.cache = cache,
        }
    }

    /// Takes the cache back (e.g. to keep it for the next sweep).
    pub fn take_cache(&mut self) -> EvalCache {
        match self.current.as_mut() {
            Some(run) => run.take_cache(),
            None => core::mem::take(&mut self.cache),
        }
    }

    /// What the LOMA searches of this sweep (and of its cache's earlier
    /// users) did, summed.
    pub fn search_stats(&self) -> SearchStats {
        match &self.current {
            Some(run) => run.search_stats(),
            None => self.cache.search_stats(),
        }
    }

    /// The schedules of the sweep, in evaluation order.
    pub fn schedules(&self) -> &[Schedule] {
        &self.schedules
    }

    /// Does up to `budget` more layer steps (at least one when work is
    /// left; planning a schedule is part of its first step). A schedule that
    /// fails records its error and the sweep goes on.
    pub fn step(&mut self, budget: u64) -> SweepProgress {
        let mut left = budget.max(1);
        while left > 0 && self.points.len() < self.schedules.len() {
            let i = self.points.len();
            if self.current.is_none() {
                match NetworkRun::with_fixes(&self.sc, &self.schedules[i], self.fixes) {
                    Ok(mut run) => {
                        run.set_cache(core::mem::take(&mut self.cache));
                        self.current = Some(run);
                    }
                    Err(e) => {
                        self.points.push(SweepPoint {
                            schedule: self.schedules[i].clone(),
                            outcome: Err(e),
                        });
                        left -= 1;
                        continue;
                    }
                }
            }
            let Some(run) = self.current.as_mut() else {
                continue;
            };
            let before = run.progress().steps_done;
            let r = run.step(left);
            let after = run.progress().steps_done;
            let used = after.saturating_sub(before).max(1);
            self.steps_done = self.steps_done.saturating_add(used);
            left = left.saturating_sub(used);
            let outcome = match r {
                Err(e) => Some(Err(e)),
                Ok(_) => run
                    .report_if_done()
                    .map(|rep| rep.map(|rep| SweepTotals::of(&rep))),
            };
            if let Some(outcome) = outcome {
                self.cache = run.take_cache();
                self.current = None;
                self.points.push(SweepPoint {
                    schedule: self.schedules[i].clone(),
                    outcome,
                });
            }
        }
        self.progress()
    }

    /// Runs the sweep to its end.
    pub fn run(&mut self) -> SweepProgress {
        self.step(u64::MAX)
    }

    pub fn progress(&self) -> SweepProgress {
        let (cur_done, cur_total, evals) = match &self.current {
            Some(run) => {
                let p = run.progress();
                (p.steps_done, p.steps_total, p.layer_evaluations)
            }
            None => (0, 0, self.cache.evaluations()),
        };
        SweepProgress {
            schedules_done: self.points.len() as u64,
            schedules_total: self.schedules.len() as u64,
            steps_done: self.steps_done,
            current_steps_done: cur_done,
            current_steps_total: cur_total,
            layer_evaluations: evals,
            finished: self.is_done(),
        }
    }

    pub fn is_done(&self) -> bool {
        self.points.len() >= self.schedules.len()
    }

    /// The schedules finished so far, in sweep order.
    pub fn results(&self) -> &[SweepPoint] {
        &self.points
    }

    /// Indices (into [`Sweep::results`]) of the Pareto front so far; see
    /// [`pareto_front`].
    pub fn pareto_front(&self) -> Vec<usize> {
        pareto_front(&self.points)
    }

    /// Index of the finished schedule with the smallest EDP (first on
    /// ties), if any succeeded.
    pub fn best_edp(&self) -> Option<usize> {
        best_by(&self.points, |t| t.edp)
    }

    /// Index of the finished schedule with the smallest energy (first on
    /// ties), if any succeeded.
    pub fn best_energy(&self) -> Option<usize> {
        best_by(&self.points, |t| t.energy_pj)
    }
}
