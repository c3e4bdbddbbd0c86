//! The page's state and its one reducer (GUIDE rule 8): components render
//! this state and dispatch [`Action`]s; effects (talking to the worker,
//! drawing) read what the reducer decided. Pure, so it is tested natively.

use crate::protocol::{Request, Response};
use defines_model::{presets, Diagnostic, LayerMacs};

/// The workload the page opens on.
pub const DEFAULT_WORKLOAD: &str = "fsrcnn";

#[derive(Clone, Debug, PartialEq)]
pub enum WorkerStatus {
    Starting,
    Ready,
}

#[derive(Clone, Debug, PartialEq)]
pub struct MacsView {
    pub layers: Vec<LayerMacs>,
    pub total_macs: u64,
    /// Milliseconds from sending the request to receiving the answer.
    pub answer_ms: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct State {
    pub worker: WorkerStatus,
    /// How often the worker was restarted after dying.
    pub restarts: u32,
    pub workload_name: String,
    /// The request the page wants answered (latest wins).
    pub pending: Option<Request>,
    /// When `pending` was handed to the worker (page clock, ms).
    pub sent_at_ms: Option<f64>,
    pub last_run_id: u64,
    pub result: Option<MacsView>,
    pub diagnostics: Vec<Diagnostic>,
    /// A visible notice (worker restarts, protocol errors).
    pub notice: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// Ask for the MACs of a workload preset.
    LoadPreset(String),
    /// The pending request was posted to the worker at this time.
    Sent { at_ms: f64 },
    /// The worker answered (at this page time).
    Worker { response: Response, at_ms: f64 },
    /// The worker died; the page restarts it and re-sends the pending request.
    WorkerDied(String),
}

impl Default for State {
    fn default() -> Self {
        let mut s = State {
            worker: WorkerStatus::Starting,
            restarts: 0,
            workload_name: String::new(),
            pending: None,
            sent_at_ms: None,
            last_run_id: 0,
            result: None,
            diagnostics: Vec::new(),
            notice: None,
        };
        s.apply(Action::LoadPreset(DEFAULT_WORKLOAD.into()));
        s
    }
}

impl State {
    /// Whether the effect layer should post `pending` now.
    pub fn should_send(&self) -> Option<&Request> {
        match (&self.worker, &self.pending, self.sent_at_ms) {
            (WorkerStatus::Ready, Some(r), None) => Some(r),
            _ => None,
        }
    }

    pub fn apply(&mut self, action: Action) {
        match action {
            Action::LoadPreset(name) => match presets::workload(&name) {
                Some(text) => {
                    self.last_run_id += 1;
                    self.workload_name = name;
                    self.pending = Some(Request::Macs {
                        run_id: self.last_run_id,
                        workload_json: text.into(),
                    });
                    self.sent_at_ms = None;
                }
                None => self.notice = Some(format!("unknown workload preset `{name}`")),
            },
            Action::Sent { at_ms } => self.sent_at_ms = Some(at_ms),
            Action::Worker { response, at_ms } => self.on_response(response, at_ms),
            Action::WorkerDied(why) => {
                self.worker = WorkerStatus::Starting;
                self.restarts += 1;
                self.sent_at_ms = None; // re-send the pending request
                self.notice = Some(format!(
                    "{why}; the worker was restarted, your inputs are kept"
                ));
            }
        }
    }

    fn on_response(&mut self, response: Response, at_ms: f64) {
        if let Some(id) = response.run_id() {
            if id != self.last_run_id {
                return; // stale answer to an older request
            }
            self.pending = None;
        }
        let elapsed = self.sent_at_ms.map(|t| at_ms - t).unwrap_or(0.0);
        match response {
            Response::Ready => self.worker = WorkerStatus::Ready,
            Response::Macs {
                layers, total_macs, ..
            } => {
                self.diagnostics.clear();
                self.result = Some(MacsView {
                    layers,
                    total_macs,
                    answer_ms: elapsed,
                });
            }
            Response::Invalid { diagnostics, .. } => self.diagnostics = diagnostics,
            Response::ProtocolError { message } => {
                self.notice = Some(format!("the worker did not understand the page: {message}"))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ready() -> State {
        let mut s = State::default();
        s.apply(Action::Worker {
            response: Response::Ready,
            at_ms: 1.0,
        });
        s
    }

    #[test]
    fn default_waits_for_worker_then_sends_fsrcnn() {
        let s = State::default();
        assert!(s.should_send().is_none());
        let s = ready();
        assert!(matches!(
            s.should_send(),
            Some(Request::Macs { run_id: 1, .. })
        ));
    }

    #[test]
    fn stale_answers_are_dropped() {
        let mut s = ready();
        s.apply(Action::Sent { at_ms: 2.0 });
        s.apply(Action::LoadPreset("mccnn".into()));
        s.apply(Action::Worker {
            response: Response::Macs {
                run_id: 1,
                layers: vec![],
                total_macs: 5,
            },
            at_ms: 3.0,
        });
        assert!(s.result.is_none());
        assert_eq!(s.pending.as_ref().map(Request::run_id), Some(2));
    }

    #[test]
    fn death_keeps_pending_and_resends_after_restart() {
        let mut s = ready();
        s.apply(Action::Sent { at_ms: 2.0 });
        s.apply(Action::WorkerDied("boom".into()));
        assert_eq!(s.restarts, 1);
        assert!(s.notice.as_deref().unwrap().contains("restarted"));
        assert!(s.should_send().is_none());
        s.apply(Action::Worker {
            response: Response::Ready,
            at_ms: 5.0,
        });
        assert_eq!(s.should_send().map(Request::run_id), Some(1));
    }

    #[test]
    fn answer_records_elapsed_time() {
        let mut s = ready();
        s.apply(Action::Sent { at_ms: 10.0 });
        s.apply(Action::Worker {
            response: Response::Macs {
                run_id: 1,
                layers: vec![],
                total_macs: 42,
            },
            at_ms: 12.5,
        });
        let r = s.result.unwrap();
        assert_eq!((r.total_macs, r.answer_ms), (42, 2.5));
        assert!(s.pending.is_none());
    }
}
