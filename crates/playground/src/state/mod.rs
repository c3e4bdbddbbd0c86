//! The page's state and its one reducer (GUIDE rule 8): components render
//! this state and dispatch [`Action`]s; effects (talking to the workers,
//! drawing) read what the reducer decided. Pure, so it is tested natively.
//!
//! The state is in four parts: the [`Scenario`] (what the user chose),
//! [`Derived`] values of its documents (validated once per change of a
//! document, never on a slider move), the worker [`Lanes`] and the
//! evaluation [`Shown`], plus the [`SweepState`].

mod compare;
mod derived;
#[cfg(test)]
mod explore_tests;
mod inspect;
mod lanes;
mod scenario;
mod shortcuts;
mod sliders;
mod sweep;
mod sweep_setup;
#[cfg(test)]
mod tests;
mod user_presets;

pub use crate::protocol::ImportOutcome;
pub use compare::Pinned;
pub use derived::Derived;
pub use inspect::Inspect;
pub use lanes::{Lane, Lanes, WorkerState, WorkerStatus, MAX_SWEEP_WORKERS};
pub use scenario::{
    auto_axis, tile_choices, Doc, Grid, Scenario, Slider, CASE_STUDY_1_X, CASE_STUDY_1_Y,
    MAX_SLIDERS,
};
pub use shortcuts::{shortcut_action, PRESENT_VIEWS, SHORTCUTS};
pub use sliders::slider_choices;
pub use sweep::{CutGroup, SweepJob, SweepState};
pub use sweep_setup::{CutChoice, SweepKind, SweepSetup, VaryAxis, MAX_VARY_AXES};
pub use user_presets::{UserPresets, USER_PRESETS_KEY};

use crate::hw_form::{self, FormEdit};
use crate::protocol::{Request, Response};
use defines_model::{limits, presets, Diagnostic, NetworkReport, Overlap, Schedule, Tile};
use std::rc::Rc;

/// An ONNX import: its request and, once answered, what it gave.
#[derive(Clone, Debug, PartialEq)]
pub struct ImportState {
    pub run_id: u64,
    pub file_name: String,
    pub outcome: Option<crate::protocol::ImportOutcome>,
}

/// The evaluation the page shows.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Shown {
    /// The run id of the evaluation the page currently wants.
    pub latest: Option<u64>,
    /// The latest report and how long its round trip took (shared: the
    /// page's renders, callbacks and exports hold it without copying it).
    pub report: Option<Rc<NetworkReport>>,
    pub answer_ms: Option<f64>,
    /// The run id of the answer shown (the page's `#status[data-run]`, so
    /// tools can tell one answer from the next even when their text is the
    /// same).
    pub answered: Option<u64>,
    /// Problems the worker found (the schedule's, or the documents' if the
    /// page's own check missed them).
    pub diagnostics: Vec<Diagnostic>,
    /// The model could not evaluate valid input, or its answer was lost.
    pub failure: Option<String>,
    /// The latest report's detail, when the page asked for it.
    pub detail: Option<Rc<defines_model::NetworkDetail>>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct State {
    pub scenario: Scenario,
    pub derived: Derived,
    pub lanes: Lanes,
    pub shown: Shown,
    pub sweep: Option<SweepState>,
    /// The tile grid the next sweep uses.
    pub grid: Grid,
    /// A visible notice (worker restarts, protocol errors).
    pub notice: Option<String>,
    /// The user's saved accelerators (name, hardware JSON), sorted by name;
    /// kept in localStorage by the page.
    pub user_presets: UserPresets,
    /// Why the last form edit could not be made (the JSON does not parse).
    pub form_error: Option<String>,
    /// The name typed for saving (or deleting) a user accelerator.
    pub preset_name: String,
    /// Why the sweep set up could not start.
    pub sweep_error: Option<String>,
    /// The cut set whose heat maps are shown.
    pub heat_group: usize,
    /// The last ONNX import, running or done, and the input shape typed
    /// for the next one.
    pub import: Option<ImportState>,
    pub import_shape: String,
    /// The page shows one view for embedding (`?embed=VIEW`).
    pub embed: Option<crate::embed::Embed>,
    /// Presenter mode (`?present`, or its toggle), its view and whether
    /// the shortcut card shows.
    pub present: bool,
    pub present_view: usize,
    pub shortcuts: bool,
    /// The explanation and loop-nest views.
    pub inspect: Inspect,
    /// The pinned A's report (the scenario is `scenario.pinned`).
    pub pinned: Pinned,
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
    /// An edit of the structured hardware editor (applied to the hardware
    /// JSON, the one source of truth).
    Form(FormEdit),
    /// Save the hardware as a named user accelerator (its `name` becomes
    /// this name).
    SavePreset(String),
    /// Load a user accelerator into the hardware document.
    LoadPreset(String),
    DeletePreset(String),
    /// The name typed for saving an accelerator.
    PresetName(String),
    /// Put a hardware field (`NAME.FIELD`) on a "what if" slider.
    AddSlider(String),
    RemoveSlider(usize),
    /// A slider moved to this value.
    SetSlider(usize, f64),
    /// The stack cuts (`None`: automatic).
    SetCuts(Option<Vec<i64>>),
    /// Cut / join after this layer id (from the automatic cuts when they
    /// are in use).
    ToggleCut(i64),
    /// Fix quirk Q36 (a cut after layer id 0 is a real cut).
    SetFixQ36(bool),
    /// The sweep panel: what to sweep, which cut sets, which hardware
    /// parameters over which values, at which schedule.
    SetSweepKind(SweepKind),
    ToggleCutChoice(CutChoice),
    SetVaryParam(usize, String),
    SetVaryValues(usize, String),
    SetAtBest(bool),
    /// Which cut set's heat maps a schedule sweep shows.
    ShowCutGroup(usize),
    /// Open (or, with `None`, close) the explanation of a number: an item
    /// path of `defines_model::explain`, and a tile type to highlight.
    Explain {
        item: Option<String>,
        focus: Option<(usize, usize)>,
    },
    /// Show or hide the loop nests.
    ShowLoops(bool),
    /// Pin the current scenario as A (B is what follows).
    PinA,
    /// Pin the current scenario at another schedule (a sweep point) as A.
    PinSchedule(Schedule),
    Unpin,
    /// Import an ONNX model (a dropped or picked file, base64) as the
    /// workload, in the model worker.
    ImportOnnx {
        file_name: String,
        bytes_base64: String,
    },
    DismissImport,
    /// The input shape typed for the next import (`1x3x540x960`; empty:
    /// the file's).
    SetImportShape(String),
    /// Convert dropped ZigZag YAML files (name, text).
    ImportZigzag(Vec<(String, String)>),
    /// A file the page does not read (too large), and why.
    ImportRefused {
        file_name: String,
        why: String,
    },
    /// Presenter mode on or off; its view (steps through
    /// [`PRESENT_VIEWS`]); the shortcut card.
    SetPresent(bool),
    NextView(i32),
    ShowShortcuts(bool),
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
        State::with_sweep_workers(1)
    }
}

impl State {
    pub fn is_valid(&self) -> bool {
        self.derived.diagnostics.is_empty() && self.shown.diagnostics.is_empty()
    }

    /// Every problem of the current inputs: the documents' (found by the
    /// page), then the worker's.
    pub fn diagnostics(&self) -> impl Iterator<Item = &Diagnostic> {
        self.derived
            .diagnostics
            .iter()
            .chain(&self.shown.diagnostics)
    }

    /// A state with `n` sweep workers (1 to [`MAX_SWEEP_WORKERS`]).
    pub fn with_sweep_workers(n: usize) -> State {
        let scenario = Scenario::default();
        let mut s = State {
            derived: Derived::of(&scenario.inputs(), None),
            scenario,
            lanes: Lanes::new(n),
            shown: Shown::default(),
            sweep: None,
            grid: Grid::CaseStudy1,
            notice: None,
            user_presets: UserPresets::default(),
            form_error: None,
            preset_name: String::new(),
            sweep_error: None,
            heat_group: 0,
            import: None,
            import_shape: String::new(),
            embed: None,
            present: false,
            present_view: 0,
            shortcuts: false,
            inspect: Inspect::default(),
            pinned: Pinned::default(),
        };
        s.schedule_changed();
        s
    }

    /// The worker of a lane; `None` for a sweep lane beyond the workers in
    /// use.
    pub fn worker(&self, lane: Lane) -> Option<&WorkerState> {
        self.lanes.get(lane)
    }

    /// A document changed: derive its values (validation included) once,
    /// then ask for an evaluation.
    fn documents_changed(&mut self) {
        self.derived = Derived::of(&self.scenario.inputs(), Some(&self.derived));
        self.schedule_changed();
    }

    /// Ask for a new evaluation if the inputs are valid.
    fn schedule_changed(&mut self) {
        self.shown.failure = None;
        self.shown.diagnostics.clear();
        if !self.derived.diagnostics.is_empty() {
            self.lanes.eval.pending = None;
            self.shown.latest = None;
            return;
        }
        let run_id = self.lanes.next_run_id();
        self.shown.latest = Some(run_id);
        self.lanes.eval.pending = Some(Request::Evaluate {
            run_id,
            inputs: self.scenario.inputs(),
            schedule: self.scenario.schedule(),
            fixes: self.scenario.fixes,
            detail: self.inspect.wants_detail(),
        });
    }

    pub fn apply(&mut self, action: Action) {
        match action {
            Action::SetHardware(name) => {
                if presets::hardware(&name).is_some() {
                    self.scenario.hardware = name;
                    self.documents_changed();
                }
            }
            Action::SetWorkload(name) => {
                if presets::workload(&name).is_some() {
                    self.scenario.workload = name;
                    // Cuts name layers of the network they were made for.
                    self.scenario.stack_cuts = None;
                    self.documents_changed();
                }
            }
            Action::SetOverlap(o) => {
                self.scenario.overlap = o;
                self.schedule_changed();
            }
            Action::SetTileX(x) => {
                self.scenario.tile.x = x.clamp(1, limits::MAX_LOOP_SIZE);
                self.schedule_changed();
            }
            Action::SetTileY(y) => {
                self.scenario.tile.y = y.clamp(1, limits::MAX_LOOP_SIZE);
                self.schedule_changed();
            }
            Action::SetLpf(l) => {
                self.scenario.lpf = l.clamp(*limits::LPF.start(), *limits::LPF.end());
                self.schedule_changed();
            }
            Action::LoadSchedule { overlap, tile } => {
                self.scenario.overlap = overlap;
                self.scenario.tile = tile;
                self.schedule_changed();
            }
            Action::Edit(doc, text) => {
                let same_as_preset = text == self.scenario.preset_text(doc);
                self.scenario.edits[Scenario::index(doc)] = (!same_as_preset).then_some(text);
                self.documents_changed();
            }
            Action::ResetEdit(doc) => {
                self.scenario.edits[Scenario::index(doc)] = None;
                self.documents_changed();
            }
            Action::Form(edit) => match hw_form::apply(&self.scenario.text(Doc::Hardware), &edit) {
                Ok(text) => {
                    self.form_error = None;
                    self.apply(Action::Edit(Doc::Hardware, text));
                }
                Err(why) => self.form_error = Some(why),
            },
            Action::SavePreset(name) => self.save_preset(name),
            Action::LoadPreset(name) => {
                if let Some(text) = self.user_presets.get(&name).map(str::to_string) {
                    self.preset_name = name;
                    self.apply(Action::Edit(Doc::Hardware, text));
                }
            }
            Action::DeletePreset(name) => self.user_presets.remove(&name),
            Action::PresetName(name) => self.preset_name = name,
            Action::AddSlider(param) => self.add_slider(param),
            Action::RemoveSlider(i) => {
                if i < self.scenario.sliders.len() {
                    self.scenario.sliders.remove(i);
                }
            }
            Action::SetSlider(i, v) => self.set_slider(i, v),
            Action::SetCuts(cuts) => {
                self.scenario.stack_cuts = cuts;
                self.schedule_changed();
            }
            Action::ToggleCut(id) => {
                let mut cuts = self
                    .scenario
                    .stack_cuts
                    .clone()
                    .unwrap_or_else(|| self.derived.auto_cuts.clone());
                if cuts.contains(&id) {
                    cuts.retain(|c| *c != id);
                } else if self.derived.layers.iter().any(|(l, _)| *l == id) {
                    cuts.push(id);
                    // Keep the cuts in graph order, as the strip shows them.
                    let order = |c: &i64| self.derived.layers.iter().position(|(l, _)| l == c);
                    defines_model::small_sort::sort_by_key(&mut cuts, order);
                }
                self.scenario.stack_cuts = Some(cuts);
                self.schedule_changed();
            }
            Action::SetFixQ36(on) => {
                self.scenario.fixes.cut_after_layer_zero = on;
                self.schedule_changed();
            }
            Action::SetSweepKind(k) => self.scenario.sweep.kind = k,
            Action::ToggleCutChoice(c) => {
                let sets = &mut self.scenario.sweep.cut_sets;
                if sets.contains(&c) {
                    sets.retain(|x| *x != c);
                } else {
                    sets.push(c);
                }
            }
            Action::SetVaryParam(k, p) => {
                let values = self.default_values(&p);
                if let Some(a) = self.scenario.sweep.vary.get_mut(k) {
                    if a.param != p {
                        a.param = p;
                        a.values = values;
                    }
                }
            }
            Action::SetVaryValues(k, v) => {
                if let Some(a) = self.scenario.sweep.vary.get_mut(k) {
                    a.values = v;
                }
            }
            Action::SetAtBest(b) => self.scenario.sweep.at_best = b,
            Action::ShowCutGroup(g) => self.heat_group = g,
            Action::Explain { item, focus } => {
                let had = self.inspect.wants_detail();
                self.inspect.explain = item;
                self.inspect.focus = focus;
                if !had && self.inspect.wants_detail() && self.shown.detail.is_none() {
                    self.schedule_changed();
                }
            }
            Action::PinA => self.pin_current(),
            Action::PinSchedule(s) => self.pin_schedule(s),
            Action::Unpin => self.unpin(),
            Action::ShowLoops(on) => {
                let had = self.inspect.wants_detail();
                self.inspect.loops = on;
                if !had && on && self.shown.detail.is_none() {
                    self.schedule_changed();
                }
            }
            Action::ImportOnnx {
                file_name,
                bytes_base64,
            } => {
                let input_shape = match self.import_shape.trim() {
                    "" => None,
                    t => match defines_import::limits::parse_input_shape(t) {
                        Ok(shape) => Some(shape),
                        Err(why) => {
                            return self.apply(Action::ImportRefused { file_name, why });
                        }
                    },
                };
                let run_id = self.lanes.next_run_id();
                self.import = Some(ImportState {
                    run_id,
                    file_name: file_name.clone(),
                    outcome: None,
                });
                self.lanes.import(Request::Import {
                    run_id,
                    file_name,
                    bytes_base64,
                    hardware_json: self.scenario.text(Doc::Hardware),
                    input_shape,
                });
            }
            Action::DismissImport => self.import = None,
            Action::SetImportShape(t) => self.import_shape = t,
            Action::ImportZigzag(files) => {
                let run_id = self.lanes.next_run_id();
                self.import = Some(ImportState {
                    run_id,
                    file_name: files
                        .iter()
                        .map(|(n, _)| n.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                    outcome: None,
                });
                self.lanes.import(Request::ImportZigzag {
                    run_id,
                    files,
                    workload_json: self.scenario.text(Doc::Workload),
                });
            }
            Action::ImportRefused { file_name, why } => {
                self.import = Some(ImportState {
                    run_id: 0,
                    file_name: file_name.clone(),
                    outcome: Some(ImportOutcome::failed(file_name, why)),
                })
            }
            Action::SetPresent(on) => {
                self.present = on;
                self.shortcuts = false;
            }
            Action::NextView(d) => {
                let n = PRESENT_VIEWS.len() as i64;
                self.present_view =
                    (self.present_view as i64 + i64::from(d)).rem_euclid(n) as usize;
            }
            Action::ShowShortcuts(on) => self.shortcuts = on,
            Action::Restore(s) => {
                self.scenario = s;
                // a restored A is evaluated again, after B
                self.pinned = Pinned::default();
                self.documents_changed();
            }
            Action::SetGrid(grid) => self.grid = grid,
            Action::StartSweep(grid) => self.start_sweep(grid),
            Action::CancelSweep => {
                if let Some(sw) = &mut self.sweep {
                    if sw.running {
                        sw.running = false;
                        sw.cancelled = true;
                        self.lanes.stop_sweep_workers();
                    }
                }
            }
            Action::DismissNotice => self.notice = None,
            Action::Sent { .. } | Action::Worker { .. } | Action::WorkerDied { .. } => {
                self.apply_worker_event(action)
            }
        }
    }

    /// What a worker did: a request posted, an answer, a death.
    fn apply_worker_event(&mut self, action: Action) {
        match action {
            Action::Sent {
                lane,
                request,
                at_ms,
            } => {
                if let Some(w) = self.lanes.get_mut(lane) {
                    w.sent(request, at_ms);
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
                    Lane::Eval => self.lanes.eval.restart(true),
                    Lane::Import => {
                        if let Some(w) = &mut self.lanes.import {
                            w.restart(true);
                        }
                    }
                    Lane::Sweep(_) => {
                        self.lanes.stop_sweep_workers();
                        if let Some(sw) = &mut self.sweep {
                            sw.running = false;
                        }
                    }
                }
                self.notice = Some(format!(
                    "{why}; the worker was restarted, your inputs are kept"
                ));
            }
            _ => {}
        }
    }

    fn on_response(&mut self, lane: Lane, response: Response, at_ms: f64) {
        match response {
            Response::Ready => {
                if let Some(w) = self.lanes.get_mut(lane) {
                    w.status = WorkerStatus::Ready;
                }
            }
            Response::ProtocolError { message } => self.on_protocol_error(lane, &message),
            Response::Imported { run_id, outcome } if lane == Lane::Import => {
                if let Some(w) = &mut self.lanes.import {
                    if w.in_flight_id() == Some(run_id) {
                        w.in_flight = None;
                    }
                }
                self.on_imported(run_id, *outcome);
            }
            response => {
                let Some(id) = response.run_id() else { return };
                match lane {
                    Lane::Eval => {
                        self.lanes.sweep_started = true;
                        self.on_eval_answer(id, response, at_ms)
                    }
                    Lane::Sweep(k) => self.on_sweep_answer(k, id, response),
                    Lane::Import => {} // only `Imported` comes from there
                }
            }
        }
    }

    /// An answer that could not be read (or a request the worker could not
    /// read) ends the lane's request in flight visibly, so the lane is free
    /// for the next one instead of "computing…" forever.
    fn on_protocol_error(&mut self, lane: Lane, message: &str) {
        let lost = self
            .lanes
            .get_mut(lane)
            .and_then(|w| w.in_flight.take())
            .map(|(r, _)| r.run_id());
        self.notice = Some(format!(
            "the page and the worker did not understand each other: {message}"
        ));
        match lane {
            Lane::Eval => {
                if lost.is_some() && lost == self.shown.latest {
                    self.shown.failure = Some(format!(
                        "this evaluation's answer was lost ({message}); change an input to try again"
                    ));
                }
            }
            Lane::Sweep(_) => {
                if let Lane::Sweep(k) = lane {
                    if lost.is_some() && self.sweep.as_ref().map(|s| s.run_id) == lost {
                        self.job_ended(k);
                    }
                }
            }
            Lane::Import => {
                if let Some(imp) = &mut self.import {
                    if lost == Some(imp.run_id) && imp.outcome.is_none() {
                        imp.outcome = Some(ImportOutcome::failed(
                            imp.file_name.clone(),
                            format!(
                                "the import's answer was lost ({message}); drop the file again"
                            ),
                        ));
                    }
                }
            }
        }
    }

    fn on_eval_answer(&mut self, id: u64, response: Response, at_ms: f64) {
        if self.lanes.eval.in_flight_id() != Some(id) {
            return; // not the request in flight (a restarted worker's)
        }
        let sent = self.lanes.eval.in_flight.take().map(|(_, t)| t);
        if self.on_pinned_answer(id, &response) {
            return;
        }
        if self.shown.latest != Some(id) {
            self.eval_pinned_if_idle();
            return; // stale: a newer request is pending
        }
        match response {
            Response::Evaluated { report, detail, .. } => {
                self.shown.report = Some(Rc::from(report));
                self.shown.detail = detail.map(Rc::from);
                self.shown.answer_ms = sent.map(|t| at_ms - t);
                self.shown.answered = Some(id);
                self.shown.failure = None;
            }
            Response::Invalid { diagnostics, .. } => self.shown.diagnostics = diagnostics,
            Response::Failed { message, .. } => self.shown.failure = Some(message),
            _ => {}
        }
        self.eval_pinned_if_idle();
    }

    fn on_imported(&mut self, run_id: u64, outcome: crate::protocol::ImportOutcome) {
        let Some(im) = self.import.as_mut().filter(|i| i.run_id == run_id) else {
            return;
        };
        im.outcome = Some(outcome.clone());
        match outcome.documents {
            Ok((workload, mapping)) => {
                if let Some(hw) = outcome.hardware {
                    self.scenario.edits[Scenario::index(Doc::Hardware)] = Some(hw);
                }
                self.scenario.edits[Scenario::index(Doc::Workload)] = Some(workload);
                self.scenario.edits[Scenario::index(Doc::Mapping)] = Some(mapping);
                // Cuts name layers of the network they were made for.
                self.scenario.stack_cuts = None;
                self.documents_changed();
            }
            Err(_) => self.schedule_changed(),
        }
    }

    /// Sweep points that were evaluated, with their totals.
    pub fn sweep_ok_points(&self) -> Vec<(Schedule, f64, u64)> {
        self.sweep
            .iter()
            .flat_map(|s| s.points.iter())
            .filter_map(|p| {
                p.outcome
                    .as_ref()
                    .ok()
                    .map(|t| (p.schedule.clone(), t.energy_pj, t.latency_cycles))
            })
            .collect()
    }
}
