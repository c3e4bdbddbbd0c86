//! The sweep: its totals equal evaluating each schedule alone (bit for
//! bit), whatever the step budget; the best (mode, tile) of case study 1.

use defines_model::{
    case_study_1_schedules, evaluate_network, grid_schedules, pareto_front, presets, validate_json,
    Overlap, Sweep, SweepPoint, SweepTotals, Tile, ValidScenario,
};

fn fsrcnn() -> ValidScenario {
    validate_json(
        presets::workload("fsrcnn").unwrap(),
        presets::hardware("Meta_prototype_DF").unwrap(),
        presets::mapping("Meta_prototype__fsrcnn").unwrap(),
    )
    .unwrap()
}

fn best(points: &[SweepPoint], key: impl Fn(&SweepTotals) -> f64) -> usize {
    let mut b: Option<(usize, f64)> = None;
    for (i, p) in points.iter().enumerate() {
        let k = key(p.outcome.as_ref().unwrap());
        if b.is_none_or(|(_, x)| k < x) {
            b = Some((i, k));
        }
    }
    b.unwrap().0
}

/// Case study 1 (108 schedules, lpf 6): every schedule's totals equal
/// `evaluate_network` of that schedule on its own, so the best schedules
/// and the Pareto front are those of independent evaluations.
#[test]
fn case_study_1_sweep_equals_single_evaluations() {
    let sc = fsrcnn();
    let schedules = case_study_1_schedules(6);
    let mut sweep = Sweep::new(&sc, schedules.clone());
    let mut last = 0;
    loop {
        let p = sweep.step(50);
        assert!(p.steps_done >= last);
        last = p.steps_done;
        if p.finished {
            assert_eq!((p.schedules_done, p.schedules_total), (108, 108));
            break;
        }
    }
    let swept = sweep.results().to_vec();
    let alone: Vec<SweepPoint> = schedules
        .iter()
        .map(|s| SweepPoint {
            schedule: s.clone(),
            outcome: Ok(SweepTotals::of(&evaluate_network(&sc, s).unwrap())),
        })
        .collect();
    for (a, b) in swept.iter().zip(&alone) {
        let (ta, tb) = (a.outcome.as_ref().unwrap(), b.outcome.as_ref().unwrap());
        assert_eq!(a.schedule, b.schedule);
        assert_eq!(
            (ta.energy_pj.to_bits(), ta.latency_cycles, ta.edp.to_bits()),
            (tb.energy_pj.to_bits(), tb.latency_cycles, tb.edp.to_bits()),
            "{:?}",
            a.schedule
        );
    }
    assert_eq!(pareto_front(&swept), pareto_front(&alone));
    let by_edp = best(&alone, |t| t.edp);
    let by_energy = best(&alone, |t| t.energy_pj);
    assert_eq!(sweep.best_edp(), Some(by_edp));
    assert_eq!(sweep.best_energy(), Some(by_energy));
    // this model's answer (not a reference number): the least energy is
    // fully cached 4x72; the least EDP is fully cached as well
    let s = &swept[by_energy].schedule;
    assert_eq!(
        (s.overlap, s.tile),
        (Overlap::FullyCached, Tile { x: 4, y: 72 })
    );
    assert_eq!(swept[by_edp].schedule.overlap, Overlap::FullyCached);
    assert!(pareto_front(&swept).contains(&by_energy));
    assert!(pareto_front(&swept).contains(&by_edp));
}

/// The result does not depend on the step budget, nor on a cache passed
/// from an earlier sweep; failing schedules are rows with their error.
#[test]
fn sweep_is_independent_of_budget_and_cache() {
    let sc = fsrcnn();
    let mut schedules = grid_schedules(&[8, 60], &[9, 540], &Overlap::ALL, 4);
    let mut bad = schedules[0].clone();
    bad.tile.x = 0;
    schedules.insert(3, bad);
    let mut one = Sweep::new(&sc, schedules.clone());
    let mut calls = 0;
    while !one.step(1).finished {
        calls += 1;
    }
    assert!(calls > schedules.len());
    let mut all = Sweep::new(&sc, schedules.clone());
    all.run();
    assert_eq!(one.results(), all.results());
    assert!(one.results()[3].outcome.is_err());
    let evaluations = all.progress().layer_evaluations;
    assert!(evaluations > 0);
    let mut warm = Sweep::new(&sc, schedules.clone());
    warm.set_cache(all.take_cache());
    // a warm cache runs no new single-layer evaluation
    assert_eq!(warm.run().layer_evaluations, evaluations);
    assert_eq!(warm.results(), all.results());
}
