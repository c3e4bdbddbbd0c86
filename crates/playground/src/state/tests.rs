//! The reducer's tests.

use super::*;
use crate::defaults::default_evaluate_request;
use crate::protocol::{SweepPoint, SweepTotals};

fn ready() -> State {
    let mut s = State::default();
    for lane in [Lane::Eval, Lane::Sweep(0)] {
        s.apply(Action::Worker {
            lane,
            response: Response::Ready,
            at_ms: 1.0,
        });
    }
    s
}

fn pending_id(s: &State) -> Option<u64> {
    s.lanes.eval.pending.as_ref().map(Request::run_id)
}

fn sent(s: &mut State, lane: Lane, at_ms: f64) {
    let request = s.worker(lane).unwrap().to_send().cloned().unwrap();
    s.apply(Action::Sent {
        lane,
        request,
        at_ms,
    });
}

/// The evaluation worker answers run `run_id` with a failure at `at_ms`.
fn eval_failed(s: &mut State, run_id: u64, message: &str, at_ms: f64) {
    s.apply(Action::Worker {
        lane: Lane::Eval,
        response: Response::Failed {
            run_id,
            message: message.into(),
        },
        at_ms,
    });
}

#[test]
fn default_waits_for_worker_then_sends_default_scenario() {
    let s = State::default();
    assert!(s.lanes.eval.to_send().is_none());
    assert_eq!(s.derived.full, Tile { x: 970, y: 550 });
    assert_eq!(s.derived.network_macs, 8_362_594_208);
    assert_eq!(
        s.derived.memory_order.first().map(String::as_str),
        Some("rf_1B")
    );
    let s = ready();
    assert_eq!(s.lanes.eval.to_send(), Some(&default_evaluate_request(1)));
}

#[test]
fn latest_wins_and_stale_answers_are_dropped() {
    let mut s = ready();
    sent(&mut s, Lane::Eval, 2.0);
    s.apply(Action::SetTileX(60));
    s.apply(Action::SetTileX(240));
    assert!(
        s.lanes.eval.to_send().is_none(),
        "one request in flight at a time"
    );
    assert_eq!(pending_id(&s), Some(3), "the latest replaced the others");
    eval_failed(&mut s, 1, "old", 3.0);
    assert!(s.shown.failure.is_none(), "stale answer dropped");
    assert_eq!(s.lanes.eval.to_send().map(Request::run_id), Some(3));
    sent(&mut s, Lane::Eval, 4.0);
    eval_failed(&mut s, 3, "too small", 9.5);
    assert_eq!(s.shown.failure.as_deref(), Some("too small"));
    assert!(s.lanes.eval.in_flight.is_none() && s.lanes.eval.pending.is_none());
}

/// The effect posts request 1, the user changes the tile before the
/// `Sent` action is reduced: request 2 must stay pending and be sent
/// after request 1 is answered (no lost update).
#[test]
fn change_between_post_and_sent_is_not_lost() {
    let mut s = ready();
    let posted = s.lanes.eval.to_send().cloned().unwrap();
    s.apply(Action::SetTileX(60));
    s.apply(Action::Sent {
        lane: Lane::Eval,
        request: posted,
        at_ms: 1.0,
    });
    assert_eq!(
        s.lanes.eval.in_flight.as_ref().map(|(r, _)| r.run_id()),
        Some(1)
    );
    assert_eq!(pending_id(&s), Some(2));
    eval_failed(&mut s, 1, "x", 2.0);
    assert_eq!(s.lanes.eval.to_send().map(Request::run_id), Some(2));
}

#[test]
fn death_keeps_inputs_and_resends_after_restart() {
    let mut s = ready();
    sent(&mut s, Lane::Eval, 2.0);
    s.apply(Action::WorkerDied {
        lane: Lane::Eval,
        why: "boom".into(),
    });
    assert_eq!(s.lanes.eval.generation, 1);
    assert!(s.notice.as_deref().unwrap().contains("restarted"));
    assert!(s.lanes.eval.to_send().is_none());
    s.apply(Action::Worker {
        lane: Lane::Eval,
        response: Response::Ready,
        at_ms: 5.0,
    });
    assert_eq!(s.lanes.eval.to_send().map(Request::run_id), Some(1));
    assert_eq!(s.scenario, Scenario::default(), "inputs kept");
}

#[test]
fn broken_edit_is_kept_with_diagnostics_and_sends_nothing() {
    let mut s = ready();
    s.apply(Action::Edit(Doc::Workload, "{\"name\": ".into()));
    assert_eq!(s.scenario.edit(Doc::Workload), Some("{\"name\": "));
    assert!(!s.is_valid());
    assert!(s.derived.diagnostics[0].path.starts_with("workload"));
    assert_eq!(
        s.derived.full,
        Tile { x: 970, y: 550 },
        "sliders keep their range"
    );
    assert!(s.lanes.eval.to_send().is_none());
    s.apply(Action::StartSweep(Grid::CaseStudy1));
    assert!(s.sweep.is_none(), "no sweep on invalid input");
    s.apply(Action::ResetEdit(Doc::Workload));
    assert!(s.is_valid());
    assert!(s.lanes.eval.pending.is_some());
}

#[test]
fn case_study_grid_has_108_schedules() {
    let s = ready();
    let g = s.sweep_schedules(Grid::CaseStudy1);
    assert_eq!(g.len(), 108);
    assert_eq!(g[0].tile, Tile { x: 1, y: 1 });
    assert_eq!(g[107].tile, Tile { x: 960, y: 540 });
    assert_eq!(g[107].overlap, Overlap::FullyCached);
}

#[test]
fn auto_axis_is_geometric_and_ends_at_full() {
    assert_eq!(auto_axis(970), vec![1, 4, 16, 61, 243, 970]);
    assert_eq!(auto_axis(7), vec![1, 2, 7]);
    assert_eq!(auto_axis(0), vec![1]);
}

#[test]
fn tile_choices_snap_to_sensible_values() {
    let c = tile_choices(550);
    assert_eq!(c.first(), Some(&1));
    assert_eq!(c.last(), Some(&550));
    assert!(c.contains(&18) && c.contains(&270) && c.contains(&512));
    assert!(c.windows(2).all(|w| w[0] < w[1]));
}

fn ready_with(n: usize) -> State {
    let mut s = State::with_sweep_workers(n);
    for lane in [Lane::Eval].into_iter().chain((0..n).map(Lane::Sweep)) {
        s.apply(Action::Worker {
            lane,
            response: Response::Ready,
            at_ms: 1.0,
        });
    }
    s
}

fn point() -> SweepPoint {
    SweepPoint {
        schedule: Schedule::default(),
        outcome: Ok(SweepTotals {
            energy_pj: 1.0,
            latency_cycles: 2,
            edp: 2.0,
            macs: 3,
            mac_energy_pj: 0.5,
            data_copy_energy_pj: 0.0,
            lens: Default::default(),
            mem_energy_pj: 0.0,
            latency_split: [0; 4],
            element_accesses: Vec::new(),
        }),
    }
}

#[test]
fn sweep_is_dealt_to_workers_and_done_when_all_are() {
    let mut s = ready_with(2);
    s.apply(Action::StartSweep(Grid::CaseStudy1));
    let id = s.sweep.as_ref().unwrap().run_id;
    let share = |s: &State, k| match s.worker(Lane::Sweep(k)).unwrap().to_send() {
        Some(Request::Sweep { schedules, .. }) => schedules.clone(),
        other => panic!("{other:?}"),
    };
    let (a, b) = (share(&s, 0), share(&s, 1));
    assert_eq!((a.len(), b.len()), (54, 54));
    assert_eq!(a[0].tile, Tile { x: 1, y: 1 });
    assert_eq!(b[0].tile, Tile { x: 4, y: 1 }, "round-robin");
    for k in 0..2 {
        sent(&mut s, Lane::Sweep(k), 1.0);
    }
    for k in 0..2 {
        s.apply(Action::Worker {
            lane: Lane::Sweep(k),
            response: Response::SweepPoint {
                run_id: id,
                index: 0,
                total: 54,
                point: Box::new(point()),
            },
            at_ms: 2.0,
        });
    }
    s.apply(Action::Worker {
        lane: Lane::Sweep(0),
        response: Response::SweepDone { run_id: id },
        at_ms: 3.0,
    });
    let sw = s.sweep.as_ref().unwrap();
    assert!(sw.running, "one worker still busy");
    assert_eq!((sw.points.len(), sw.total), (2, 108));
    s.apply(Action::Worker {
        lane: Lane::Sweep(1),
        response: Response::SweepDone { run_id: id },
        at_ms: 4.0,
    });
    assert!(!s.sweep.as_ref().unwrap().running);
}

#[test]
fn sweep_workers_start_after_the_first_numbers_or_at_the_first_sweep() {
    // Started with the page, they would compile the model on the cores
    // the first numbers need.
    let mut s = ready();
    assert!(s.worker(Lane::Sweep(0)).is_none());
    sent(&mut s, Lane::Eval, 1.0);
    assert!(s.worker(Lane::Sweep(0)).is_none(), "not while computing");
    eval_failed(&mut s, 1, "x", 2.0);
    assert_eq!(s.worker(Lane::Sweep(0)).map(|w| w.generation), Some(0));
    // a sweep asked for before the first answer starts them at once
    let mut s = ready_with(2);
    assert!(s.worker(Lane::Sweep(1)).is_none());
    s.apply(Action::StartSweep(Grid::CaseStudy1));
    assert!(matches!(
        s.worker(Lane::Sweep(1)).and_then(WorkerState::to_send),
        Some(Request::Sweep { .. })
    ));
}

#[test]
fn cancel_stops_every_sweep_worker_and_keeps_points() {
    let mut s = ready_with(2);
    s.apply(Action::StartSweep(Grid::CaseStudy1));
    let id = s.sweep.as_ref().unwrap().run_id;
    sent(&mut s, Lane::Sweep(0), 1.0);
    sent(&mut s, Lane::Sweep(1), 1.0);
    s.apply(Action::Worker {
        lane: Lane::Sweep(1),
        response: Response::SweepPoint {
            run_id: id,
            index: 0,
            total: 54,
            point: Box::new(point()),
        },
        at_ms: 2.0,
    });
    s.apply(Action::CancelSweep);
    let sw = s.sweep.as_ref().unwrap();
    assert!(!sw.running && sw.cancelled);
    assert_eq!(sw.points.len(), 1, "partial results stay");
    for w in &s.lanes.sweep {
        assert_eq!(w.generation, 1, "restarted");
        assert!(w.pending.is_none() && w.in_flight.is_none());
    }
    // A late point of the cancelled sweep is ignored.
    s.apply(Action::Worker {
        lane: Lane::Sweep(0),
        response: Response::SweepPoint {
            run_id: id,
            index: 1,
            total: 54,
            point: Box::new(point()),
        },
        at_ms: 3.0,
    });
    assert_eq!(s.sweep.as_ref().unwrap().points.len(), 1);
}

#[test]
fn finding2_protocol_error_ends_the_request_in_flight() {
    let mut s = ready();
    sent(&mut s, Lane::Eval, 2.0);
    s.apply(Action::Worker {
        lane: Lane::Eval,
        response: Response::ProtocolError {
            message: "not a protocol message: invalid type: null".into(),
        },
        at_ms: 3.0,
    });
    assert!(s.lanes.eval.in_flight.is_none(), "the lane is free again");
    let failure = s.shown.failure.as_deref().unwrap_or("");
    assert!(
        failure.contains("answer was lost") && failure.contains("null"),
        "{failure}"
    );
    assert!(s.notice.is_some());
    // The next change is sent at once (not stuck behind the lost answer).
    s.apply(Action::ResetEdit(Doc::Hardware));
    assert_eq!(s.lanes.eval.to_send().map(Request::run_id), Some(2));
    assert!(s.shown.failure.is_none());
}

#[test]
fn finding2_protocol_error_on_a_sweep_lane_ends_its_share() {
    let mut s = ready_with(2);
    s.apply(Action::StartSweep(Grid::CaseStudy1));
    sent(&mut s, Lane::Sweep(0), 1.0);
    sent(&mut s, Lane::Sweep(1), 1.0);
    s.apply(Action::Worker {
        lane: Lane::Sweep(0),
        response: Response::ProtocolError {
            message: "bad".into(),
        },
        at_ms: 2.0,
    });
    let sw = s.sweep.as_ref().unwrap();
    assert_eq!(sw.jobs_left, 1);
    assert!(sw.running, "the other worker's share goes on");
    assert!(s.lanes.sweep[0].in_flight.is_none());
}

#[test]
fn slider_moves_keep_derived_values_and_edits_recompute_them() {
    let mut s = ready();
    let before = s.derived.clone();
    s.apply(Action::SetTileX(60));
    s.apply(Action::SetLpf(8));
    assert_eq!(s.derived, before);
    s.apply(Action::SetWorkload("resnet18".into()));
    assert_ne!(s.derived.full, before.full);
    assert_ne!(s.derived.network_macs, before.network_macs);
}

#[test]
fn finding4_lpf_and_tile_are_clamped_to_the_shared_limits() {
    let mut s = ready();
    s.apply(Action::SetLpf(12));
    assert_eq!(s.scenario.lpf, *limits::LPF.end());
    s.apply(Action::SetTileX(u64::MAX));
    assert_eq!(s.scenario.tile.x, limits::MAX_LOOP_SIZE);
}
