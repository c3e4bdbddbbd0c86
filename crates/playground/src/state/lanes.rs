//! The web workers as the reducer sees them: one lane for interactive
//! evaluations, one per sweep worker, and one for file imports (started on
//! the first import).

use crate::protocol::Request;

#[derive(Clone, Debug, PartialEq)]
pub enum WorkerStatus {
    Starting,
    Ready,
}

/// One web worker as the reducer sees it. At most one request is in flight
/// per worker; newer requests wait in `pending` and replace each other
/// (latest wins), so a fast slider never queues up stale work.
#[derive(Clone, Debug, PartialEq)]
pub struct WorkerState {
    pub status: WorkerStatus,
    /// Bumped to make the effect layer (re)start the worker.
    pub generation: u32,
    /// The request to post next.
    pub pending: Option<Request>,
    /// The request posted and not yet answered, with when (page clock, ms).
    pub in_flight: Option<(Request, f64)>,
}

impl WorkerState {
    pub(super) fn new() -> Self {
        WorkerState {
            status: WorkerStatus::Starting,
            generation: 0,
            pending: None,
            in_flight: None,
        }
    }

    /// The request to post now, if any.
    pub fn to_send(&self) -> Option<&Request> {
        match (&self.status, &self.in_flight) {
            (WorkerStatus::Ready, None) => self.pending.as_ref(),
            _ => None,
        }
    }

    pub(super) fn in_flight_id(&self) -> Option<u64> {
        self.in_flight.as_ref().map(|(r, _)| r.run_id())
    }

    /// This request was posted at `at_ms`.
    pub(super) fn sent(&mut self, request: Request, at_ms: f64) {
        if self.pending.as_ref().map(Request::run_id) == Some(request.run_id()) {
            self.pending = None;
        }
        self.in_flight = Some((request, at_ms));
    }

    /// Restart the worker; `resend`: post the unanswered request again
    /// (unless a newer one is pending).
    pub(super) fn restart(&mut self, resend: bool) {
        self.status = WorkerStatus::Starting;
        self.generation += 1;
        let lost = self.in_flight.take().map(|(r, _)| r);
        if resend && self.pending.is_none() {
            self.pending = lost;
        }
    }
}

/// Which worker an event concerns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lane {
    /// Single-schedule evaluations (interactive).
    Eval,
    /// The k-th sweep worker: a sweep's schedules are dealt round-robin to
    /// the sweep workers, which run in parallel (cancelled by restarting
    /// them).
    Sweep(usize),
    /// The import worker (ONNX and ZigZag files), which exists from the
    /// first import on.
    Import,
}

/// At most this many sweep workers (the page uses one per core, up to
/// this): beyond 8 a case-study sweep has fewer than 14 schedules per
/// worker and each worker's own single-layer cache is mostly cold. Each
/// worker holds its model instance and a bounded cache (a few MB in
/// practice).
pub const MAX_SWEEP_WORKERS: usize = 8;

/// Every worker of the page and the run ids handed out to them.
#[derive(Clone, Debug, PartialEq)]
pub struct Lanes {
    pub eval: WorkerState,
    pub sweep: Vec<WorkerState>,
    /// None until the first import: a first visit does not load the
    /// importers.
    pub import: Option<WorkerState>,
    /// The sweep workers start once the first evaluation is answered (or
    /// at the first sweep, if sooner): started with the page, their
    /// compiling the model took the cores the first numbers needed.
    pub sweep_started: bool,
    pub last_run_id: u64,
}

impl Lanes {
    /// One evaluation worker and `n` sweep workers (1 to
    /// [`MAX_SWEEP_WORKERS`]).
    pub fn new(n: usize) -> Lanes {
        Lanes {
            eval: WorkerState::new(),
            sweep: vec![WorkerState::new(); n.clamp(1, MAX_SWEEP_WORKERS)],
            import: None,
            sweep_started: false,
            last_run_id: 0,
        }
    }

    pub fn get(&self, lane: Lane) -> Option<&WorkerState> {
        match lane {
            Lane::Eval => Some(&self.eval),
            Lane::Sweep(k) => self.sweep.get(k).filter(|_| self.sweep_started),
            Lane::Import => self.import.as_ref(),
        }
    }

    pub(super) fn get_mut(&mut self, lane: Lane) -> Option<&mut WorkerState> {
        match lane {
            Lane::Eval => Some(&mut self.eval),
            Lane::Sweep(k) => self.sweep.get_mut(k),
            Lane::Import => self.import.as_mut(),
        }
    }

    /// Queues an import (latest wins), starting the import worker on the
    /// first one.
    pub(super) fn import(&mut self, request: Request) {
        self.import.get_or_insert_with(WorkerState::new).pending = Some(request);
    }

    /// Stops every sweep worker (they are restarted idle).
    pub(super) fn stop_sweep_workers(&mut self) {
        for w in &mut self.sweep {
            w.pending = None;
            w.restart(false);
        }
    }

    pub(super) fn next_run_id(&mut self) -> u64 {
        self.last_run_id += 1;
        self.last_run_id
    }
}
