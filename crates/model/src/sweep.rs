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

use crate::depth_first::{
    EvalCache, Fixes, NetworkError, NetworkReport, NetworkRun, Overlap, Schedule, Tile,
};
use crate::validate::ValidScenario;
use crate::workload::Workload;

/// The paper's case study 1 tile widths.
pub const CASE_STUDY_1_X: [u64; 6] = [1, 4, 16, 60, 240, 960];
/// The paper's case study 1 tile heights.
pub const CASE_STUDY_1_Y: [u64; 6] = [1, 4, 18, 72, 270, 540];

impl Overlap {
    /// The three modes in mode-number order.
    pub const ALL: [Overlap; 3] = [
        Overlap::FullyRecompute,
        Overlap::HCachedVRecompute,
        Overlap::FullyCached,
    ];
}

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

/// Network totals of one schedule.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct SweepTotals {
    pub energy_pj: f64,
    pub latency_cycles: u64,
    /// Energy-delay product, `energy_pj * latency_cycles` (pJ·cycles).
    pub edp: f64,
    /// Sum of tile MACs (more than the network's with recomputation).
    pub macs: u64,
}

impl SweepTotals {
    pub fn of(r: &NetworkReport) -> SweepTotals {
        SweepTotals {
            energy_pj: r.energy_pj,
            latency_cycles: r.latency_cycles,
            edp: r.energy_pj * r.latency_cycles as f64,
            macs: r.macs,
        }
    }
}

/// One evaluated schedule of a sweep.
#[derive(Clone, Debug, PartialEq, Serialize)]
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
                Ok(_) => run.report_if_done().map(|rep| Ok(SweepTotals::of(&rep))),
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

fn best_by(points: &[SweepPoint], key: impl Fn(&SweepTotals) -> f64) -> Option<usize> {
    let mut best: Option<(usize, f64)> = None;
    for (i, p) in points.iter().enumerate() {
        if let Ok(t) = &p.outcome {
            let k = key(t);
            if best.is_none_or(|(_, b)| k.total_cmp(&b).is_lt()) {
                best = Some((i, k));
            }
        }
    }
    best.map(|b| b.0)
}

/// The Pareto front over (energy, latency), both minimised: indices of the
/// successful points that no other point dominates (at most as much of
/// both, strictly less of one). Identical points are all kept. Ordered by
/// energy ascending, then latency, then index.
pub fn pareto_front(points: &[SweepPoint]) -> Vec<usize> {
    let ok: Vec<(usize, f64, u64)> = points
        .iter()
        .enumerate()
        .filter_map(|(i, p)| {
            p.outcome
                .as_ref()
                .ok()
                .map(|t| (i, t.energy_pj, t.latency_cycles))
        })
        .collect();
    let mut front: Vec<(usize, f64, u64)> = ok
        .iter()
        .copied()
        .filter(|&(_, e, l)| {
            !ok.iter().any(|&(_, e2, l2)| {
                e2.total_cmp(&e).is_le() && l2 <= l && (e2.total_cmp(&e).is_lt() || l2 < l)
            })
        })
        .collect();
    front.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.2.cmp(&b.2)).then(a.0.cmp(&b.0)));
    front.into_iter().map(|p| p.0).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn auto_axis_is_geometric_and_ends_at_full() {
        assert_eq!(auto_axis(960), vec![1, 4, 15, 60, 240, 960]);
        assert_eq!(auto_axis(970), vec![1, 4, 16, 61, 243, 970]);
        assert_eq!(auto_axis(7), vec![1, 2, 7]);
        assert_eq!(auto_axis(0), vec![1]);
        assert_eq!(auto_axis(u64::MAX).len(), 6);
    }

    #[test]
    fn case_study_grid_order() {
        let g = case_study_1_schedules(6);
        assert_eq!(g.len(), 108);
        assert_eq!(g[0].tile, Tile { x: 1, y: 1 });
        assert_eq!(g[1].tile, Tile { x: 4, y: 1 });
        assert_eq!(g[6].tile, Tile { x: 1, y: 4 });
        assert_eq!(g[36].overlap, Overlap::HCachedVRecompute);
        assert_eq!(g[107].tile, Tile { x: 960, y: 540 });
        assert_eq!(g[107].overlap, Overlap::FullyCached);
    }

    fn pt(e: f64, l: u64) -> SweepPoint {
        SweepPoint {
            schedule: Schedule::default(),
            outcome: Ok(SweepTotals {
                energy_pj: e,
                latency_cycles: l,
                edp: e * l as f64,
                macs: 0,
            }),
        }
    }

    #[test]
    fn pareto_keeps_ties_and_drops_dominated() {
        let err = SweepPoint {
            schedule: Schedule::default(),
            outcome: Err(NetworkError::Graph("x".into())),
        };
        let pts = vec![
            pt(3.0, 10), // 0 front
            pt(1.0, 30), // 1 front
            pt(2.0, 20), // 2 front
            pt(2.0, 25), // 3 dominated by 2
            pt(3.0, 10), // 4 identical to 0: kept
            err,         // 5 ignored
            pt(4.0, 10), // 6 dominated by 0
            pt(0.5, 40), // 7 front
        ];
        assert_eq!(pareto_front(&pts), vec![7, 1, 2, 0, 4]);
        assert_eq!(best_by(&pts, |t| t.edp), Some(7));
        assert_eq!(pareto_front(&[]), Vec::<usize>::new());
    }
}
