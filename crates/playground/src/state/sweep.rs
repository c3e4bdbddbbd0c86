//! A running or finished sweep: a queue of jobs (one scenario and its
//! schedules each) that free sweep workers take one at a time, so a
//! schedule sweep (one job per worker) and a hardware sweep (one job per
//! hardware point) share one mechanism, with progress and Cancel.

use std::collections::VecDeque;

use super::sweep_setup::{check_size, cross_product, CutChoice, SweepKind};
use super::{Doc, Grid, State};
use crate::protocol::{Inputs, Request, Response, SweepPoint};
use defines_model::search::{deal_by_tile, grid_schedules, CutSet};
use defines_model::{vary_hardware, HwParam, Overlap, Schedule};

/// One unit of work for a sweep worker.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepJob {
    /// The varied parameters' values of this hardware point (empty in a
    /// schedule sweep).
    pub hw_values: Vec<f64>,
    /// The hardware document of this point (`None`: the scenario's).
    pub hardware_json: Option<String>,
    pub schedules: Vec<Schedule>,
}

/// What a schedule sweep's points are grouped by: one cut set each (cut
/// sets that give the same stacks are one group, with both labels).
#[derive(Clone, Debug, PartialEq)]
pub struct CutGroup {
    pub label: String,
    pub stack_cuts: Option<Vec<i64>>,
    /// The cuts it gives on this network (the automatic rule resolved).
    pub resolved: Vec<i64>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SweepState {
    pub run_id: u64,
    pub kind: SweepKind,
    pub grid: Grid,
    /// Evaluations in all (schedules over every job).
    pub total: u32,
    pub points: Vec<SweepPoint>,
    /// The job of each point (same order as `points`).
    pub point_job: Vec<usize>,
    pub running: bool,
    pub cancelled: bool,
    pub jobs: Vec<SweepJob>,
    /// A job that could not be evaluated at all (its hardware point does
    /// not validate), with the first problem.
    pub job_errors: Vec<(usize, String)>,
    /// Jobs not yet given to a worker.
    pub queue: VecDeque<usize>,
    /// The job each sweep worker is on.
    pub on_lane: Vec<Option<usize>>,
    /// Jobs not finished.
    pub jobs_left: usize,
    /// The varied hardware parameters (hardware sweeps).
    pub params: Vec<HwParam>,
    /// The cut sets of a schedule sweep.
    pub cut_groups: Vec<CutGroup>,
}

impl SweepState {
    /// The cut-set group of a schedule (by its stack cuts).
    pub fn group_of(&self, s: &Schedule) -> usize {
        self.cut_groups
            .iter()
            .position(|g| g.stack_cuts == s.stack_cuts)
            .unwrap_or(0)
    }
}

impl State {
    /// The schedules of a sweep grid for the current workload: every tile
    /// size of the grid in each of the three modes, with the strip's cuts.
    pub fn sweep_schedules(&self, grid: Grid) -> Vec<Schedule> {
        let (xs, ys) = match grid {
            Grid::CaseStudy1 => (
                super::CASE_STUDY_1_X.to_vec(),
                super::CASE_STUDY_1_Y.to_vec(),
            ),
            Grid::Auto => (
                super::auto_axis(self.derived.full.x),
                super::auto_axis(self.derived.full.y),
            ),
        };
        let mut v = grid_schedules(&xs, &ys, &Overlap::ALL, self.scenario.lpf);
        for s in &mut v {
            s.stack_cuts = self.scenario.stack_cuts.clone();
        }
        v
    }

    /// The cut-set groups of a schedule sweep (distinct stacks only).
    fn cut_groups(&self) -> Vec<CutGroup> {
        let mut groups: Vec<(CutGroup, Vec<i64>)> = Vec::new();
        let sc = self.derived.scenario.as_deref();
        for choice in self.scenario.sweep.cut_choices() {
            let set = choice.cut_set(&self.scenario.stack_cuts);
            let (stack_cuts, resolved) = match sc {
                Some(sc) => (set.stack_cuts(sc), set.resolved_cuts(sc)),
                None => (None, Vec::new()),
            };
            let label = match (choice, &set) {
                (CutChoice::Current, CutSet::List(l)) if l.is_empty() => "strip: one stack".into(),
                (CutChoice::Current, CutSet::List(l)) => format!("strip: cut after {}", join(l)),
                (CutChoice::Current, _) => "strip: automatic".into(),
                _ => choice.label().into(),
            };
            match groups.iter_mut().find(|(_, r)| *r == resolved) {
                Some((g, _)) => g.label = format!("{} = {label}", g.label),
                None => groups.push((
                    CutGroup {
                        label,
                        stack_cuts,
                        resolved: resolved.clone(),
                    },
                    resolved,
                )),
            }
        }
        groups.into_iter().map(|(g, _)| g).collect()
    }

    pub(super) fn start_sweep(&mut self, grid: Grid) {
        self.sweep_error = None;
        if !self.is_valid() {
            return;
        }
        let kind = self.scenario.sweep.kind;
        let (jobs, params, cut_groups) = match kind {
            SweepKind::Schedules => {
                let groups = self.cut_groups();
                let base = self.sweep_schedules(grid);
                let schedules: Vec<Schedule> = groups
                    .iter()
                    .flat_map(|g| {
                        base.iter().map(|s| Schedule {
                            stack_cuts: g.stack_cuts.clone(),
                            ..s.clone()
                        })
                    })
                    .collect();
                // Every mode of one tile size to the same worker (they
                // share most layer searches, which its cache then does
                // once), tile sizes dealt round-robin.
                let n = self.lanes.sweep.len();
                let jobs = deal_by_tile(&schedules, n)
                    .into_iter()
                    .filter(|idx| !idx.is_empty())
                    .map(|idx| SweepJob {
                        hw_values: Vec::new(),
                        hardware_json: None,
                        schedules: idx.iter().map(|&k| schedules[k].clone()).collect(),
                    })
                    .collect();
                (jobs, Vec::new(), groups)
            }
            SweepKind::Hardware => match self.hardware_jobs(grid) {
                Ok((jobs, params)) => (jobs, params, Vec::new()),
                Err(e) => {
                    self.sweep_error = Some(e);
                    return;
                }
            },
        };
        let total: usize = jobs.iter().map(|j: &SweepJob| j.schedules.len()).sum();
        if let Err(e) = check_size(total) {
            self.sweep_error = Some(e);
            return;
        }
        if self.lanes.sweep.iter().any(|w| w.in_flight.is_some()) {
            self.lanes.stop_sweep_workers(); // abandon the running sweep
        }
        let run_id = self.lanes.next_run_id();
        let n_jobs = jobs.len();
        self.heat_group = 0;
        self.sweep = Some(SweepState {
            run_id,
            kind,
            grid,
            total: u32::try_from(total).unwrap_or(u32::MAX),
            points: Vec::new(),
            point_job: Vec::new(),
            running: n_jobs > 0,
            cancelled: false,
            jobs,
            job_errors: Vec::new(),
            queue: (0..n_jobs).collect(),
            on_lane: vec![None; self.lanes.sweep.len()],
            jobs_left: n_jobs,
            params,
            cut_groups,
        });
        self.lanes.sweep_started = true;
        for k in 0..self.lanes.sweep.len() {
            self.give_next_job(k);
        }
    }

    /// The jobs of a hardware sweep: one per point of the cross product.
    fn hardware_jobs(&self, grid: Grid) -> Result<(Vec<SweepJob>, Vec<HwParam>), String> {
        let axes = self.scenario.sweep.axes()?;
        let points = cross_product(&axes);
        let schedules = if self.scenario.sweep.at_best {
            self.sweep_schedules(grid)
        } else {
            vec![self.scenario.schedule()]
        };
        check_size(points.len().saturating_mul(schedules.len()))?;
        let base = self.scenario.text(Doc::Hardware);
        let params: Vec<HwParam> = axes.iter().map(|(p, _)| p.clone()).collect();
        let jobs = points
            .into_iter()
            .map(|values| {
                let settings: Vec<(HwParam, f64)> =
                    params.iter().cloned().zip(values.iter().copied()).collect();
                let text = vary_hardware(&base, &settings).map_err(|d| {
                    d.iter()
                        .map(|d| d.message.clone())
                        .collect::<Vec<_>>()
                        .join("; ")
                })?;
                Ok(SweepJob {
                    hw_values: values,
                    hardware_json: Some(text),
                    schedules: schedules.clone(),
                })
            })
            .collect::<Result<Vec<_>, String>>()?;
        Ok((jobs, params))
    }

    /// Gives sweep worker `k` the next queued job, if it is free.
    fn give_next_job(&mut self, k: usize) {
        let Some(sw) = self.sweep.as_mut().filter(|s| s.running) else {
            return;
        };
        if sw.on_lane.get(k).copied().flatten().is_some() {
            return;
        }
        let Some(j) = sw.queue.pop_front() else {
            return;
        };
        let job = &sw.jobs[j];
        let base = self.scenario.inputs();
        let inputs = Inputs {
            hardware_json: job.hardware_json.clone().unwrap_or(base.hardware_json),
            ..base
        };
        let request = Request::Sweep {
            run_id: sw.run_id,
            inputs,
            schedules: job.schedules.clone(),
            fixes: self.scenario.fixes,
        };
        if let (Some(slot), Some(w)) = (sw.on_lane.get_mut(k), self.lanes.sweep.get_mut(k)) {
            *slot = Some(j);
            w.pending = Some(request);
        }
    }

    /// The job of sweep worker `k` has ended (done, invalid or lost): the
    /// worker takes the next one.
    pub(super) fn job_ended(&mut self, k: usize) {
        if let Some(sw) = self.sweep.as_mut() {
            if let Some(slot) = sw.on_lane.get_mut(k) {
                if slot.take().is_some() {
                    sw.jobs_left = sw.jobs_left.saturating_sub(1);
                }
            }
            sw.running = sw.jobs_left > 0 && !sw.cancelled;
        }
        if let Some(w) = self.lanes.sweep.get_mut(k) {
            w.in_flight = None;
        }
        self.give_next_job(k);
    }

    pub(super) fn on_sweep_answer(&mut self, k: usize, id: u64, response: Response) {
        let Some(sw) = self.sweep.as_mut().filter(|s| s.run_id == id && s.running) else {
            return;
        };
        let job = sw.on_lane.get(k).copied().flatten();
        match response {
            Response::SweepPoint { point, .. } => {
                if let Some(j) = job {
                    sw.points.push(*point);
                    sw.point_job.push(j);
                }
            }
            Response::SweepDone { .. } => self.job_ended(k),
            Response::Invalid { diagnostics, .. } => {
                if sw.kind == SweepKind::Hardware {
                    // One hardware point the model refuses: say which, go on.
                    if let Some(j) = job {
                        let why = diagnostics
                            .first()
                            .map(|d| format!("{}: {}", d.path, d.message))
                            .unwrap_or_default();
                        sw.job_errors.push((j, why));
                    }
                    self.job_ended(k);
                } else {
                    sw.running = false;
                    self.shown.diagnostics = diagnostics;
                    self.lanes.stop_sweep_workers();
                }
            }
            _ => {}
        }
    }
}

fn join(ids: &[i64]) -> String {
    ids.iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}
