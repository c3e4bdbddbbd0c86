//! A/B comparison: a scenario pinned as A (`Scenario::pinned`, kept in the
//! URL with B), its report, and its evaluation through the same worker
//! lane as B's, sent only when that lane is idle (B's numbers come first;
//! a pinned A from a shared link is evaluated right after).

use super::{Scenario, State};
use crate::protocol::{Request, Response};
use defines_model::{NetworkReport, Schedule};
use std::rc::Rc;

/// A's report and the run that computes it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Pinned {
    pub report: Option<Rc<NetworkReport>>,
    /// The request in the eval lane that is A's, if any.
    pub run_id: Option<u64>,
}

impl State {
    /// Pins the current scenario (and its shown report) as A.
    pub(super) fn pin_current(&mut self) {
        self.scenario.pinned = Some(Box::new(Scenario {
            pinned: None,
            ..self.scenario.clone()
        }));
        self.pinned = Pinned {
            report: self.shown.report.clone(),
            run_id: None,
        };
        self.eval_pinned_if_idle();
    }

    /// Pins the current scenario with another schedule (a sweep point) as A.
    pub(super) fn pin_schedule(&mut self, s: Schedule) {
        self.scenario.pinned = Some(Box::new(Scenario {
            pinned: None,
            overlap: s.overlap,
            tile: s.tile,
            lpf: s.lpf_limit,
            stack_cuts: s.stack_cuts,
            ..self.scenario.clone()
        }));
        self.pinned = Pinned::default();
        self.eval_pinned_if_idle();
    }

    pub(super) fn unpin(&mut self) {
        self.scenario.pinned = None;
        self.pinned = Pinned::default();
    }

    /// Sends A's evaluation when A has no report and the eval lane is idle.
    pub(super) fn eval_pinned_if_idle(&mut self) {
        let idle = self.lanes.eval.pending.is_none() && self.lanes.eval.in_flight.is_none();
        let Some(a) = self.scenario.pinned.as_deref() else {
            return;
        };
        if !idle || self.pinned.report.is_some() {
            return;
        }
        let run_id = self.lanes.next_run_id();
        self.pinned.run_id = Some(run_id);
        self.lanes.eval.pending = Some(Request::Evaluate {
            run_id,
            inputs: a.inputs(),
            schedule: a.schedule(),
            fixes: a.fixes,
            detail: false,
        });
    }

    /// A's answer (`true`: it was A's).
    pub(super) fn on_pinned_answer(&mut self, id: u64, response: &Response) -> bool {
        if self.pinned.run_id != Some(id) {
            return false;
        }
        self.pinned.run_id = None;
        if let Response::Evaluated { report, .. } = response {
            self.pinned.report = Some(Rc::new(NetworkReport::clone(report)));
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Action, Lane};
    use super::*;
    use defines_model::{Overlap, Tile};

    fn report(e: f64) -> Box<NetworkReport> {
        let sc = defines_model::validate_json(
            defines_model::presets::workload("fsrcnn").unwrap(),
            defines_model::presets::hardware("Meta_prototype_DF").unwrap(),
            defines_model::presets::mapping("Meta_prototype__fsrcnn").unwrap(),
        )
        .unwrap();
        let s = Schedule {
            tile: Tile { x: 960, y: 540 },
            ..Schedule::default()
        };
        let mut r = defines_model::evaluate_network(&sc, &s).unwrap();
        r.energy_pj = e;
        Box::new(r)
    }

    /// Sends what the eval lane has and answers it with a report of energy `e`.
    fn answer(s: &mut State, e: f64) -> Request {
        let request = s.lanes.eval.to_send().cloned().expect("a request to send");
        s.apply(Action::Sent {
            lane: Lane::Eval,
            request: request.clone(),
            at_ms: 1.0,
        });
        s.apply(Action::Worker {
            lane: Lane::Eval,
            response: Response::Evaluated {
                run_id: request.run_id(),
                report: report(e),
                detail: None,
            },
            at_ms: 2.0,
        });
        request
    }

    fn ready() -> State {
        let mut s = State::default();
        s.apply(Action::Worker {
            lane: Lane::Eval,
            response: Response::Ready,
            at_ms: 0.0,
        });
        s
    }

    #[test]
    fn pin_keeps_a_while_b_moves_and_a_sweep_point_is_evaluated_after_b() {
        let mut s = ready();
        answer(&mut s, 1.0);
        s.apply(Action::PinA);
        assert_eq!(s.pinned.report.as_ref().map(|r| r.energy_pj), Some(1.0));
        assert!(s.lanes.eval.pending.is_none(), "A needs no evaluation");
        s.apply(Action::SetTileX(60));
        answer(&mut s, 2.0);
        assert_eq!(s.pinned.report.as_ref().map(|r| r.energy_pj), Some(1.0));
        assert_eq!(s.shown.report.as_ref().map(|r| r.energy_pj), Some(2.0));
        assert_eq!(s.scenario.pinned.as_ref().map(|a| a.tile.x), Some(16));
        // a sweep point as A: evaluated once the lane is idle
        let point = Schedule {
            overlap: Overlap::FullyRecompute,
            tile: Tile { x: 4, y: 72 },
            ..s.scenario.schedule()
        };
        s.apply(Action::PinSchedule(point.clone()));
        assert!(s.pinned.report.is_none());
        match answer(&mut s, 3.0) {
            Request::Evaluate { schedule, .. } => assert_eq!(schedule, point),
            other => panic!("{other:?}"),
        }
        assert_eq!(s.pinned.report.as_ref().map(|r| r.energy_pj), Some(3.0));
        assert_eq!(
            s.shown.report.as_ref().map(|r| r.energy_pj),
            Some(2.0),
            "B unchanged"
        );
        // the URL keeps A, and a decoded link evaluates B first, then A
        let text = crate::persist::encode(&s.scenario);
        let back = crate::persist::decode(&text).unwrap();
        assert_eq!(back, s.scenario);
        let mut t = ready();
        answer(&mut t, 0.5);
        t.apply(Action::Restore(back));
        let first = answer(&mut t, 4.0);
        assert!(matches!(first, Request::Evaluate { schedule, .. } if schedule.tile.x == 60));
        let second = answer(&mut t, 5.0);
        assert!(matches!(second, Request::Evaluate { schedule, .. } if schedule == point));
        assert_eq!(t.pinned.report.as_ref().map(|r| r.energy_pj), Some(5.0));
        t.apply(Action::Unpin);
        assert!(t.scenario.pinned.is_none() && t.pinned.report.is_none());
    }
}
