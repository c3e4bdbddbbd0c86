//! What a hardware sweep shows: one row per hardware point with its best
//! schedule (least energy-delay product, the model's rule), a line chart
//! per metric over one parameter, or heat maps over two.

use crate::charts::{HeatMap, LineChart};
use crate::hw_form::format_size_bits;
use crate::protocol::{SweepPoint, SweepTotals};
use crate::state::{State, SweepKind, SweepState};
use defines_model::search::best_edp;
use defines_model::{HwParam, Schedule};

/// One hardware point of a sweep.
#[derive(Clone, Debug, PartialEq)]
pub struct HwRow {
    pub job: usize,
    /// The varied values, formatted with their units.
    pub values: Vec<String>,
    /// The best schedule so far and its totals.
    pub best: Option<(Schedule, SweepTotals)>,
    /// Schedules evaluated so far, of how many.
    pub done: usize,
    pub of: usize,
    /// Why the point could not be evaluated.
    pub error: Option<String>,
}

/// A parameter's value for people: sizes with their unit, exactly.
pub fn show_value(p: &HwParam, v: f64) -> String {
    if p.field == "size_bits" && v >= 0.0 && v.fract() == 0.0 {
        format_size_bits(v as u64)
    } else {
        format!("{v}")
    }
}

fn hw_sweep(state: &State) -> Option<&SweepState> {
    state
        .sweep
        .as_ref()
        .filter(|s| s.kind == SweepKind::Hardware)
}

/// The rows of a hardware sweep, in job order (the cross product, first
/// parameter outermost).
pub fn hw_rows(state: &State) -> Vec<HwRow> {
    let Some(sw) = hw_sweep(state) else {
        return Vec::new();
    };
    let mut per_job: Vec<Vec<SweepPoint>> = vec![Vec::new(); sw.jobs.len()];
    for (p, j) in sw.points.iter().zip(&sw.point_job) {
        if let Some(v) = per_job.get_mut(*j) {
            v.push(p.clone());
        }
    }
    sw.jobs
        .iter()
        .enumerate()
        .map(|(j, job)| {
            let pts = &per_job[j];
            let best = best_edp(pts).and_then(|i| {
                let p = &pts[i];
                p.outcome
                    .as_ref()
                    .ok()
                    .map(|t| (p.schedule.clone(), t.clone()))
            });
            let error =
                sw.job_errors
                    .iter()
                    .find(|(k, _)| *k == j)
                    .map(|(_, e)| e.clone())
                    .or_else(|| {
                        (best.is_none() && pts.len() == job.schedules.len() && !pts.is_empty())
                            .then(|| {
                                pts.iter()
                                    .find_map(|p| p.outcome.as_ref().err().map(|e| e.to_string()))
                                    .unwrap_or_default()
                            })
                    });
            HwRow {
                job: j,
                values: sw
                    .params
                    .iter()
                    .zip(&job.hw_values)
                    .map(|(p, v)| show_value(p, *v))
                    .collect(),
                best,
                done: pts.len(),
                of: job.schedules.len(),
                error,
            }
        })
        .collect()
}

/// The three metrics of a hardware point: energy (pJ), latency (cycles)
/// and energy × delay.
const METRICS: [(&str, &str, &str); 3] = [
    ("energy", "energy (pJ)", "pJ"),
    ("latency", "latency (cycles)", "cycles"),
    ("energy × delay", "EDP (pJ·cycles)", "pJ·cycles"),
];

fn metric(t: &SweepTotals, m: usize) -> f64 {
    match m {
        0 => t.energy_pj,
        1 => t.latency_cycles as f64,
        _ => t.edp,
    }
}

/// The job whose values equal the hardware in use, if any.
fn current_job(state: &State, sw: &SweepState) -> Option<usize> {
    let doc = state.derived.hw_doc.as_deref()?;
    let now: Vec<f64> = sw
        .params
        .iter()
        .map(|p| defines_model::get_param(doc, p))
        .collect::<Option<_>>()?;
    sw.jobs.iter().position(|j| j.hw_values == now)
}

fn at_label(sw: &SweepState) -> &'static str {
    if sw.jobs.first().is_some_and(|j| j.schedules.len() > 1) {
        "best schedule per point"
    } else {
        "at this schedule"
    }
}

/// One line chart per metric over the first parameter (sweeps of one
/// parameter).
pub fn hw_lines(state: &State) -> Vec<LineChart> {
    let Some(sw) = hw_sweep(state).filter(|s| s.params.len() == 1) else {
        return Vec::new();
    };
    let rows = hw_rows(state);
    let p = &sw.params[0];
    let here = current_job(state, sw);
    let at = at_label(sw);
    METRICS
        .iter()
        .enumerate()
        .map(|(m, (name, unit, _))| LineChart {
            title: format!("{name} · {at}"),
            x_desc: p.label(),
            y_desc: (*unit).into(),
            x_labels: rows.iter().map(|r| r.values[0].clone()).collect(),
            values: rows
                .iter()
                .map(|r| r.best.as_ref().map(|(_, t)| metric(t, m)))
                .collect(),
            highlight: here,
        })
        .collect()
}

/// One heat map per metric over the two parameters (first across, second
/// down), sharing nothing: each metric has its own colour range.
pub fn hw_heat_maps(state: &State) -> Vec<HeatMap> {
    let Some(sw) = hw_sweep(state).filter(|s| s.params.len() == 2) else {
        return Vec::new();
    };
    let rows = hw_rows(state);
    let mut xs: Vec<String> = Vec::new();
    let mut ys: Vec<String> = Vec::new();
    for r in &rows {
        if !xs.contains(&r.values[0]) {
            xs.push(r.values[0].clone());
        }
        if !ys.contains(&r.values[1]) {
            ys.push(r.values[1].clone());
        }
    }
    let here = current_job(state, sw).and_then(|j| {
        let r = rows.get(j)?;
        Some((
            xs.iter().position(|x| *x == r.values[0])?,
            ys.iter().position(|y| *y == r.values[1])?,
        ))
    });
    METRICS
        .iter()
        .enumerate()
        .map(|(m, (name, _, unit))| {
            let mut values = vec![None; xs.len() * ys.len()];
            for r in &rows {
                let ix = xs.iter().position(|x| *x == r.values[0]);
                let iy = ys.iter().position(|y| *y == r.values[1]);
                if let (Some(ix), Some(iy)) = (ix, iy) {
                    values[iy * xs.len() + ix] = r.best.as_ref().map(|(_, t)| metric(t, m));
                }
            }
            let all: Vec<f64> = values
                .iter()
                .flatten()
                .copied()
                .filter(|v| *v > 0.0)
                .collect();
            let range = (
                all.iter().copied().fold(f64::INFINITY, f64::min),
                all.iter().copied().fold(0.0, f64::max),
            );
            HeatMap {
                title: format!("{name} · {}", at_label(sw)),
                x_desc: sw.params[0].label(),
                y_desc: sw.params[1].label(),
                xs: xs.clone(),
                ys: ys.clone(),
                values,
                range: if range.0.is_finite() {
                    range
                } else {
                    (1.0, 10.0)
                },
                unit: (*unit).into(),
                highlight: here,
            }
        })
        .collect()
}

/// The hardware sweep as CSV: the varied values (exact numbers), the best
/// schedule and its totals per point.
pub fn hw_csv(state: &State) -> String {
    let Some(sw) = hw_sweep(state) else {
        return String::new();
    };
    let mut out: String = sw
        .params
        .iter()
        .map(|p| format!("{},", p.label()))
        .collect();
    out.push_str("cuts,mode,tile_x,tile_y,energy_pj,latency_cycles,edp_pj_cycles,error\n");
    for r in hw_rows(state) {
        for v in &sw.jobs[r.job].hw_values {
            out.push_str(&format!("{v},"));
        }
        match (&r.best, &r.error) {
            (Some((s, t)), _) => out.push_str(&format!(
                "\"{}\",{},{},{},{},{},{},\n",
                super::cuts_label(&s.stack_cuts),
                s.overlap.mode(),
                s.tile.x,
                s.tile.y,
                t.energy_pj,
                t.latency_cycles,
                t.edp
            )),
            (None, e) => out.push_str(&format!(
                ",,,,,,,\"{}\"\n",
                e.clone().unwrap_or_default().replace('"', "'")
            )),
        }
    }
    out
}
