//! The page's state and its one reducer (GUIDE rule 8): components render
//! this state and dispatch [`Action`]s; effects (talking to the workers,
//! drawing) read what the reducer decided. Pure, so it is tested natively.

use crate::protocol::{Inputs, Request, Response, SweepPoint};
use defines_model::{presets, validate_json, Diagnostic, NetworkReport, Overlap, Schedule, Tile};

/// The scenario the page opens on (issue: FSRCNN on Meta_prototype_DF,
/// fully cached, tile 16x18, lpf 6).
pub const DEFAULT_HARDWARE: &str = "Meta_prototype_DF";
pub const DEFAULT_WORKLOAD: &str = "fsrcnn";
pub const DEFAULT_TILE: Tile = Tile { x: 16, y: 18 };
pub const DEFAULT_LPF: u32 = 6;
/// LOMA's loop-prime-factor limit: 6 is the reference `main.py`, 8 the
/// paper's artifact; above 8 the search explodes (8! orderings per layer).
pub const LPF_RANGE: std::ops::RangeInclusive<u32> = 2..=8;

/// Which of the three input documents.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Doc {
    Hardware,
    Workload,
    Mapping,
}

impl Doc {
    pub const ALL: [Doc; 3] = [Doc::Hardware, Doc::Workload, Doc::Mapping];
    pub fn name(self) -> &'static str {
        match self {
            Doc::Hardware => "hardware",
            Doc::Workload => "workload",
            Doc::Mapping => "mapping",
        }
    }
}

/// What the user has chosen: presets, schedule, and any edited JSON.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    pub hardware: String,
    pub workload: String,
    pub overlap: Overlap,
    pub tile: Tile,
    pub lpf: u32,
    /// The user's edited JSON per document (`None`: the preset's text).
    pub edits: [Option<String>; 3],
}

impl Default for Scenario {
    fn default() -> Self {
        Scenario {
            hardware: DEFAULT_HARDWARE.into(),
            workload: DEFAULT_WORKLOAD.into(),
            overlap: Overlap::FullyCached,
            tile: DEFAULT_TILE,
            lpf: DEFAULT_LPF,
            edits: [None, None, None],
        }
    }
}

impl Scenario {
    pub fn mapping_name(&self) -> String {
        presets::default_mapping_name(&self.hardware, &self.workload)
    }

    fn index(doc: Doc) -> usize {
        match doc {
            Doc::Hardware => 0,
            Doc::Workload => 1,
            Doc::Mapping => 2,
        }
    }

    pub fn edit(&self, doc: Doc) -> Option<&str> {
        self.edits[Self::index(doc)].as_deref()
    }

    /// The preset text of a document ("" for an unknown preset name).
    pub fn preset_text(&self, doc: Doc) -> &'static str {
        match doc {
            Doc::Hardware => presets::hardware(&self.hardware),
            Doc::Workload => presets::workload(&self.workload),
            Doc::Mapping => presets::mapping(&self.mapping_name()),
        }
        .unwrap_or("")
    }

    /// The text in use: the edit if there is one, else the preset.
    pub fn text(&self, doc: Doc) -> String {
        self.edit(doc)
            .map(str::to_string)
            .unwrap_or_else(|| self.preset_text(doc).to_string())
    }

    pub fn inputs(&self) -> Inputs {
        Inputs {
            hardware_json: self.text(Doc::Hardware),
            workload_json: self.text(Doc::Workload),
            mapping_json: self.text(Doc::Mapping),
        }
    }

    pub fn schedule(&self) -> Schedule {
        Schedule {
            tile: self.tile,
            overlap: self.overlap,
            lpf_limit: self.lpf,
            stack_cuts: None,
        }
    }
}

/// The inputs of the default scenario.
pub fn default_inputs() -> Inputs {
    Scenario::default().inputs()
}

/// The request the page sends for the default scenario.
pub fn default_evaluate_request(run_id: u64) -> Request {
    let s = Scenario::default();
    Request::Evaluate {
        run_id,
        inputs: s.inputs(),
        schedule: s.schedule(),
    }
}

/// Which tile sizes a sweep covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Grid {
    /// The paper's case study 1: x in 1,4,16,60,240,960; y in
    /// 1,4,18,72,270,540; all three modes (108 schedules).
    CaseStudy1,
    /// Six sizes per axis spread geometrically from 1 to the full output
    /// size (`ceil(full / 4^k)`, k = 0..5, see [`auto_axis`]), all three
    /// modes.
    Auto,
}

pub use defines_model::sweep::{auto_axis, CASE_STUDY_1_X, CASE_STUDY_1_Y};

/// Sensible values for the tile sliders: powers of two, the case-study
/// values and the full size, up to the full size.
pub fn tile_choices(full: u64) -> Vec<u64> {
    let full = full.max(1);
    let mut v: Vec<u64> = (0..32)
        .map(|k| 1u64 << k)
        .take_while(|p| *p < full)
        .collect();
    v.extend(
        CASE_STUDY_1_X
            .iter()
            .chain(CASE_STUDY_1_Y.iter())
            .filter(|x| **x < full),
    );
    v.push(full);
    v.sort_unstable();
    v.dedup();
    v
}

#[derive(Clone, Debug, PartialEq)]
pub struct SweepState {
    pub run_id: u64,
    pub grid: Grid,
    pub total: u32,
    pub points: Vec<SweepPoint>,
    pub running: bool,
    pub cancelled: bool,
    /// Sweep workers that have not yet finished their share.
    pub workers_left: usize,
}

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
    fn new() -> Self {
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

    fn in_flight_id(&self) -> Option<u64> {
        self.in_flight.as_ref().map(|(r, _)| r.run_id())
    }

    /// Restart the worker; `resend`: post the unanswered request again
    /// (unless a newer one is pending).
    fn restart(&mut self, resend: bool) {
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
}

/// At most this many sweep workers (the page uses one per core, up to
/// this).
pub const MAX_SWEEP_WORKERS: usize = 4;

#[derive(Clone, Debug, PartialEq)]
pub struct State {
    pub scenario: Scenario,
    pub eval: WorkerState,
    pub sweep_workers: Vec<WorkerState>,
    pub last_run_id: u64,
    /// The run id of the evaluation the page currently wants.
    pub latest_eval: Option<u64>,
    /// The latest report and how long its round trip took.
    pub report: Option<Box<NetworkReport>>,
    pub answer_ms: Option<f64>,
    /// Problems of the current inputs (from the page's own validation or
    /// the worker).
    pub diagnostics: Vec<Diagnostic>,
    /// The model could not evaluate valid input.
    pub failure: Option<String>,
    pub sweep: Option<SweepState>,
    /// The tile grid the next sweep uses.
    pub grid: Grid,
    /// A visible notice (worker restarts, protocol errors).
    pub notice: Option<String>,
    /// Largest output width / height over the workload's layers (slider
    /// range; a tile this size is one tile, layer-by-layer).
    pub full: Tile,
    /// MACs of the network (without recomputation).
    pub network_macs: u64,
    /// Memory instance names of the hardware, bottom to top (file order).
    pub memory_order: Vec<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    SetHardware(String),
    SetWorkload(String),
    SetOverlap(Overlap),
    SetTileX(u64),
    SetTileY(u64),
    SetLpf(u32),
    /// Load a schedule (e.g. a clicked sweep point).
    LoadSchedule {
        overlap: Overlap,
        tile: Tile,
    },
    /// The user edited a document's JSON.
    Edit(Doc, String),
    /// Back to the preset's text.
    ResetEdit(Doc),
    /// Replace the whole scenario (restored from the URL or storage).
    Restore(Scenario),
    SetGrid(Grid),
    StartSweep(Grid),
    CancelSweep,
    DismissNotice,
    /// This request was posted to the lane's worker at this time. (It
    /// carries the request: by the time this action is reduced, a newer
    /// one may already be pending.)
    Sent {
        lane: Lane,
        request: Request,
        at_ms: f64,
    },
    /// A worker answered (at this page time).
    Worker {
        lane: Lane,
        response: Response,
        at_ms: f64,
    },
    /// A worker died; the page restarts it and re-sends its pending request.
    WorkerDied {
        lane: Lane,
        why: String,
    },
}

impl Default for State {
    fn default() -> Self {
        let mut s = State {
            scenario: Scenario::default(),
            eval: WorkerState::new(),
            sweep_workers: vec![WorkerState::new()],
            last_run_id: 0,
            latest_eval: None,
            report: None,
            answer_ms: None,
            diagnostics: Vec::new(),
            failure: None,
            sweep: None,
            grid: Grid::CaseStudy1,
            notice: None,
            full: Tile { x: 1, y: 1 },
            network_macs: 0,
            memory_order: Vec::new(),
        };
        s.scenario_changed();
        s
    }
}

/// Largest `OX`/`OY` over the compute layers of a workload text.
fn full_size(workload_json: &str) -> Option<Tile> {
    defines_model::sweep::full_output_size(&defines_model::Workload::from_json(workload_json).ok()?)
}

impl State {
    pub fn is_valid(&self) -> bool {
        self.diagnostics.is_empty()
    }

    /// A state with `n` sweep workers (1 to [`MAX_SWEEP_WORKERS`]).
    pub fn with_sweep_workers(n: usize) -> State {
        State {
            sweep_workers: vec![WorkerState::new(); n.clamp(1, MAX_SWEEP_WORKERS)],
            ..State::default()
        }
    }

    /// The worker of a lane; `None` for a sweep lane beyond the workers in
    /// use.
    pub fn worker(&self, lane: Lane) -> Option<&WorkerState> {
        match lane {
            Lane::Eval => Some(&self.eval),
            Lane::Sweep(k) => self.sweep_workers.get(k),
        }
    }

    fn worker_mut(&mut self, lane: Lane) -> Option<&mut WorkerState> {
        match lane {
            Lane::Eval => Some(&mut self.eval),
            Lane::Sweep(k) => self.sweep_workers.get_mut(k),
        }
    }

    /// Stops every sweep worker (they are restarted idle).
    fn stop_sweep_workers(&mut self) {
        for w in &mut self.sweep_workers {
            w.pending = None;
            w.restart(false);
        }
    }

    fn next_run_id(&mut self) -> u64 {
        self.last_run_id += 1;
        self.last_run_id
    }

    /// Validate the inputs and ask for a new evaluation if they are valid.
    fn scenario_changed(&mut self) {
        let inputs = self.scenario.inputs();
        if let Some(full) = full_size(&inputs.workload_json) {
            self.full = full;
        }
        // Derived once here, not on every render.
        self.network_macs = defines_model::Workload::from_json(&inputs.workload_json)
            .map(|w| w.total_macs())
            .unwrap_or(0);
        self.memory_order = crate::views::memory_order(&inputs.hardware_json);
        self.failure = None;
        self.diagnostics = match validate_json(
            &inputs.workload_json,
            &inputs.hardware_json,
            &inputs.mapping_json,
        ) {
            Ok(_) => Vec::new(),
            Err(d) => d,
        };
        if !self.diagnostics.is_empty() {
            self.eval.pending = None;
            self.latest_eval = None;
            return;
        }
        let run_id = self.next_run_id();
        self.latest_eval = Some(run_id);
        self.eval.pending = Some(Request::Evaluate {
            run_id,
            inputs,
            schedule: self.scenario.schedule(),
        });
    }

    pub fn apply(&mut self, action: Action) {
        match action {
            Action::SetHardware(name) => {
                if presets::hardware(&name).is_some() {
                    self.scenario.hardware = name;
                    self.scenario_changed();
                }
            }
            Action::SetWorkload(name) => {
                if presets::workload(&name).is_some() {
                    self.scenario.workload = name;
                    self.scenario_changed();
                }
            }
            Action::SetOverlap(o) => {
                self.scenario.overlap = o;
                self.scenario_changed();
            }
            Action::SetTileX(x) => {
                self.scenario.tile.x = x.max(1);
                self.scenario_changed();
            }
            Action::SetTileY(y) => {
                self.scenario.tile.y = y.max(1);
                self.scenario_changed();
            }
            Action::SetLpf(l) => {
                self.scenario.lpf = l.clamp(*LPF_RANGE.start(), *LPF_RANGE.end());
                self.scenario_changed();
            }
            Action::LoadSchedule { overlap, tile } => {
                self.scenario.overlap = overlap;
                self.scenario.tile = tile;
                self.scenario_changed();
            }
            Action::Edit(doc, text) => {
                let same_as_preset = text == self.scenario.preset_text(doc);
                self.scenario.edits[Scenario::index(doc)] = (!same_as_preset).then_some(text);
                self.scenario_changed();
            }
            Action::ResetEdit(doc) => {
                self.scenario.edits[Scenario::index(doc)] = None;
                self.scenario_changed();
            }
            Action::Restore(s) => {
                self.scenario = s;
                self.scenario_changed();
            }
            Action::SetGrid(grid) => self.grid = grid,
            Action::StartSweep(grid) => self.start_sweep(grid),
            Action::CancelSweep => {
                if let Some(sw) = &mut self.sweep {
                    if sw.running {
                        sw.running = false;
                        sw.cancelled = true;
                        self.stop_sweep_workers();
                    }
                }
            }
            Action::DismissNotice => self.notice = None,
            Action::Sent {
                lane,
                request,
                at_ms,
            } => {
                if let Some(w) = self.worker_mut(lane) {
                    if w.pending.as_ref().map(Request::run_id) == Some(request.run_id()) {
                        w.pending = None;
                    }
                    w.in_flight = Some((request, at_ms));
                }
            }
            Action::Worker {
                lane,
                response,
                at_ms,
            } => self.on_response(lane, response, at_ms),
            Action::WorkerDied { lane, why } => {
                // A dead sweep is not re-run (partial results stay; the
                // other sweep workers are stopped too); a dead evaluation is
                // asked again.
                match lane {
                    Lane::Eval => self.eval.restart(true),
                    Lane::Sweep(_) => {
                        self.stop_sweep_workers();
                        if let Some(sw) = &mut self.sweep {
                            sw.running = false;
                        }
                    }
                }
                self.notice = Some(format!(
                    "{why}; the worker was restarted, your inputs are kept"
                ));
            }
        }
    }

    /// The schedules of a sweep grid for the current workload: every tile
    /// size of the grid in each of the three modes.
    pub fn sweep_schedules(&self, grid: Grid) -> Vec<Schedule> {
        let (xs, ys) = match grid {
            Grid::CaseStudy1 => (CASE_STUDY_1_X.to_vec(), CASE_STUDY_1_Y.to_vec()),
            Grid::Auto => (auto_axis(self.full.x), auto_axis(self.full.y)),
        };
        defines_model::sweep::grid_schedules(&xs, &ys, &Overlap::ALL, self.scenario.lpf)
    }

    fn start_sweep(&mut self, grid: Grid) {
        if !self.is_valid() {
            return;
        }
        let schedules = self.sweep_schedules(grid);
        let run_id = self.next_run_id();
        if self.sweep_workers.iter().any(|w| w.in_flight.is_some()) {
            self.stop_sweep_workers(); // abandon the running sweep
        }
        // Deal the schedules round-robin, so every worker gets a mix of
        // cheap and expensive ones.
        let n = self.sweep_workers.len();
        let mut shares: Vec<Vec<Schedule>> = vec![Vec::new(); n];
        for (i, s) in schedules.iter().enumerate() {
            shares[i % n].push(s.clone());
        }
        let inputs = self.scenario.inputs();
        let mut workers_left = 0;
        for (w, share) in self.sweep_workers.iter_mut().zip(shares) {
            if !share.is_empty() {
                workers_left += 1;
                w.pending = Some(Request::Sweep {
                    run_id,
                    inputs: inputs.clone(),
                    schedules: share,
                });
            }
        }
        self.sweep = Some(SweepState {
            run_id,
            grid,
            total: schedules.len() as u32,
            points: Vec::new(),
            running: workers_left > 0,
            cancelled: false,
            workers_left,
        });
    }

    fn on_response(&mut self, lane: Lane, response: Response, at_ms: f64) {
        if let Response::Ready = response {
            if let Some(w) = self.worker_mut(lane) {
                w.status = WorkerStatus::Ready;
            }
            return;
        }
        if let Response::ProtocolError { message } = response {
            self.notice = Some(format!("the worker did not understand the page: {message}"));
            return;
        }
        let Some(id) = response.run_id() else { return };
        match lane {
            Lane::Eval => {
                if self.eval.in_flight_id() != Some(id) {
                    return; // not the request in flight (a restarted worker's)
                }
                let sent = self.eval.in_flight.take().map(|(_, t)| t);
                if self.latest_eval != Some(id) {
                    return; // stale: a newer request is pending
                }
                match response {
                    Response::Evaluated { report, .. } => {
                        self.report = Some(report);
                        self.answer_ms = sent.map(|t| at_ms - t);
                        self.failure = None;
                    }
                    Response::Invalid { diagnostics, .. } => self.diagnostics = diagnostics,
                    Response::Failed { message, .. } => self.failure = Some(message),
                    _ => {}
                }
            }
            Lane::Sweep(k) => {
                let Some(sw) = self.sweep.as_mut().filter(|s| s.run_id == id && s.running) else {
                    return;
                };
                match response {
                    Response::SweepPoint { point, .. } => sw.points.push(point),
                    Response::SweepDone { .. } => {
                        sw.workers_left = sw.workers_left.saturating_sub(1);
                        sw.running = sw.workers_left > 0;
                        if let Some(w) = self.sweep_workers.get_mut(k) {
                            w.in_flight = None;
                        }
                    }
                    Response::Invalid { diagnostics, .. } => {
                        sw.running = false;
                        self.diagnostics = diagnostics;
                        self.stop_sweep_workers();
                    }
                    _ => {}
                }
            }
        }
    }

    /// Sweep points that were evaluated, with their totals.
    pub fn sweep_ok_points(&self) -> Vec<(Schedule, f64, u64)> {
        self.sweep
            .iter()
            .flat_map(|s| s.points.iter())
            .filter_map(|p| {
                p.result
                    .as_ref()
                    .ok()
                    .map(|t| (p.schedule.clone(), t.energy_pj, t.latency_cycles))
            })
            .collect()
    }
}

/// Indices of the Pareto-optimal points over (energy, latency), both
/// minimised: a point is on the front when no other point is at least as
/// good in both and better in one. Ties (identical points) all stay.
pub fn pareto_front(points: &[(f64, u64)]) -> Vec<usize> {
    (0..points.len())
        .filter(|&i| {
            let (e, l) = points[i];
            !points
                .iter()
                .any(|&(e2, l2)| e2 <= e && l2 <= l && (e2 < e || l2 < l))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::PointTotals;

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
        s.eval.pending.as_ref().map(Request::run_id)
    }

    fn sent(s: &mut State, lane: Lane, at_ms: f64) {
        let request = s.worker(lane).unwrap().to_send().cloned().unwrap();
        s.apply(Action::Sent {
            lane,
            request,
            at_ms,
        });
    }

    #[test]
    fn default_waits_for_worker_then_sends_default_scenario() {
        let s = State::default();
        assert!(s.eval.to_send().is_none());
        assert_eq!(s.full, Tile { x: 970, y: 550 });
        assert_eq!(s.network_macs, 8_362_594_208);
        assert_eq!(s.memory_order.first().map(String::as_str), Some("rf_1B"));
        let s = ready();
        assert_eq!(s.eval.to_send(), Some(&default_evaluate_request(1)));
    }

    #[test]
    fn latest_wins_and_stale_answers_are_dropped() {
        let mut s = ready();
        sent(&mut s, Lane::Eval, 2.0);
        s.apply(Action::SetTileX(60));
        s.apply(Action::SetTileX(240));
        assert!(
            s.eval.to_send().is_none(),
            "one request in flight at a time"
        );
        assert_eq!(pending_id(&s), Some(3), "the latest replaced the others");
        s.apply(Action::Worker {
            lane: Lane::Eval,
            response: Response::Failed {
                run_id: 1,
                message: "old".into(),
            },
            at_ms: 3.0,
        });
        assert!(s.failure.is_none(), "stale answer dropped");
        assert_eq!(s.eval.to_send().map(Request::run_id), Some(3));
        sent(&mut s, Lane::Eval, 4.0);
        s.apply(Action::Worker {
            lane: Lane::Eval,
            response: Response::Failed {
                run_id: 3,
                message: "too small".into(),
            },
            at_ms: 9.5,
        });
        assert_eq!(s.failure.as_deref(), Some("too small"));
        assert!(s.eval.in_flight.is_none() && s.eval.pending.is_none());
    }

    /// The effect posts request 1, the user changes the tile before the
    /// `Sent` action is reduced: request 2 must stay pending and be sent
    /// after request 1 is answered (no lost update).
    #[test]
    fn change_between_post_and_sent_is_not_lost() {
        let mut s = ready();
        let posted = s.eval.to_send().cloned().unwrap();
        s.apply(Action::SetTileX(60));
        s.apply(Action::Sent {
            lane: Lane::Eval,
            request: posted,
            at_ms: 1.0,
        });
        assert_eq!(s.eval.in_flight.as_ref().map(|(r, _)| r.run_id()), Some(1));
        assert_eq!(pending_id(&s), Some(2));
        s.apply(Action::Worker {
            lane: Lane::Eval,
            response: Response::Failed {
                run_id: 1,
                message: "x".into(),
            },
            at_ms: 2.0,
        });
        assert_eq!(s.eval.to_send().map(Request::run_id), Some(2));
    }

    #[test]
    fn death_keeps_inputs_and_resends_after_restart() {
        let mut s = ready();
        sent(&mut s, Lane::Eval, 2.0);
        s.apply(Action::WorkerDied {
            lane: Lane::Eval,
            why: "boom".into(),
        });
        assert_eq!(s.eval.generation, 1);
        assert!(s.notice.as_deref().unwrap().contains("restarted"));
        assert!(s.eval.to_send().is_none());
        s.apply(Action::Worker {
            lane: Lane::Eval,
            response: Response::Ready,
            at_ms: 5.0,
        });
        assert_eq!(s.eval.to_send().map(Request::run_id), Some(1));
        assert_eq!(s.scenario, Scenario::default(), "inputs kept");
    }

    #[test]
    fn broken_edit_is_kept_with_diagnostics_and_sends_nothing() {
        let mut s = ready();
        s.apply(Action::Edit(Doc::Workload, "{\"name\": ".into()));
        assert_eq!(s.scenario.edit(Doc::Workload), Some("{\"name\": "));
        assert!(!s.is_valid());
        assert!(s.diagnostics[0].path.starts_with("workload"));
        assert!(s.eval.to_send().is_none());
        s.apply(Action::StartSweep(Grid::CaseStudy1));
        assert!(s.sweep.is_none(), "no sweep on invalid input");
        s.apply(Action::ResetEdit(Doc::Workload));
        assert!(s.is_valid());
        assert!(s.eval.pending.is_some());
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
            result: Ok(PointTotals {
                energy_pj: 1.0,
                latency_cycles: 2,
                mac_energy_pj: 0.5,
                data_copy_energy_pj: 0.0,
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
                    point: point(),
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
                point: point(),
            },
            at_ms: 2.0,
        });
        s.apply(Action::CancelSweep);
        let sw = s.sweep.as_ref().unwrap();
        assert!(!sw.running && sw.cancelled);
        assert_eq!(sw.points.len(), 1, "partial results stay");
        for w in &s.sweep_workers {
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
                point: point(),
            },
            at_ms: 3.0,
        });
        assert_eq!(s.sweep.as_ref().unwrap().points.len(), 1);
    }

    #[test]
    fn pareto_front_keeps_non_dominated_points() {
        let pts = [(1.0, 10), (2.0, 5), (2.0, 6), (3.0, 1), (3.0, 1), (4.0, 4)];
        assert_eq!(pareto_front(&pts), vec![0, 1, 3, 4]);
    }
}
