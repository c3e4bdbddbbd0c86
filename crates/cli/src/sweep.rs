//! `defines sweep`: hardware points (`--vary`) × cut sets (`--cuts`) ×
//! schedules (modes × tiles). Every point's document is checked before any
//! evaluation; then the points are evaluated one after the other, each
//! spread over the threads by [`parallel::sweep_parallel`] (all its cut
//! sets together: they share single-layer evaluations; points are
//! different scenarios and share nothing). Rows are point-major, then cut
//! set, mode, y, x; the Pareto front is over all schedules of one point.

use crate::args::{check_sweep_size, hardware_points, point_count, SweepArgs, SweepFormat, Tiles};
use crate::commands::{diagnostics, Error, Texts};
use crate::parallel;
use defines_model::{
    auto_tile_axes, best_edp, grid_schedules, lens_choices, pareto_front, validate_json,
    vary_hardware, CutSet, Diagnostic, HwParam, LensChoice, Schedule, SweepPoint, ValidScenario,
    CASE_STUDY_1_X, CASE_STUDY_1_Y,
};
use std::borrow::Cow;
use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicU64, Ordering};

type Point = Vec<(HwParam, f64)>;

/// One printed row: the point and cut set it belongs to, its schedule's
/// outcome and whether it is on its point's Pareto front.
struct Row<'a> {
    point: &'a Point,
    cut: &'a CutSet,
    p: &'a SweepPoint,
    pareto: bool,
}

/// The sweep's output (CSV or JSON) and, with `--lens` and CSV, the lens
/// choices as text for stderr.
pub(crate) fn run(a: &SweepArgs, texts: &Texts) -> Result<(String, String), Error> {
    check_values(a, texts)?;
    let base = point_scenario(texts, &[])?;
    let (xs, ys) = match &a.tiles {
        Tiles::Auto => auto_tile_axes(&base.workload),
        Tiles::CaseStudy1 => (CASE_STUDY_1_X.to_vec(), CASE_STUDY_1_Y.to_vec()),
        Tiles::Grid(x, y) => (x.clone(), y.clone()),
    };
    let grid = grid_schedules(&xs, &ys, &a.modes, a.lpf);
    let cut_sets = a.cuts.clone().unwrap_or_else(|| vec![CutSet::Auto]);
    check_sweep_size(point_count(&a.vary), cut_sets.len(), grid.len())?;
    let points = hardware_points(&a.vary);
    for point in &points {
        let sc = point_scenario(texts, point)?;
        for c in &cut_sets {
            let d = c.validate(&sc);
            if !d.is_empty() {
                let e = diagnostics(&d).0;
                return Err(Error(format!("--cuts set `{}`: {e}", c.label())));
            }
        }
    }
    let results = evaluate(a, texts, &points, &cut_sets, &grid)?;
    let per = grid.len().max(1);
    let mut rows: Vec<Row> = Vec::new();
    // Per point: its front (indices into its schedules, energy order) as
    // the rows printed for them (with --best, not every one is).
    let mut fronts: Vec<Vec<Option<usize>>> = Vec::new();
    for (point, pts) in points.iter().zip(&results) {
        let front = pareto_front(pts);
        let mut row_of: Vec<Option<usize>> = vec![None; pts.len()];
        // one group of `per` schedules per cut set, in order
        for (ci, (group, cut)) in pts.chunks(per).zip(&cut_sets).enumerate() {
            let chosen: Vec<usize> = if a.best {
                vec![best_edp(group).unwrap_or(0)]
            } else {
                (0..group.len()).collect()
            };
            for i in chosen.into_iter().map(|k| ci * per + k) {
                row_of[i] = Some(rows.len());
                rows.push(Row {
                    point,
                    cut,
                    p: &pts[i],
                    pareto: front.contains(&i),
                });
            }
        }
        fronts.push(front.iter().map(|&i| row_of[i]).collect());
    }
    let front: Vec<usize> = fronts.into_iter().flatten().flatten().collect();
    let header = Header {
        params: a.vary.iter().map(|v| &v.param).collect(),
        cuts: a.cuts.is_some(),
    };
    let lenses = lens_rows(a, &points, &results, &cut_sets, per);
    Ok(match a.format {
        SweepFormat::Csv => (csv(&header, &rows), lens_text(&header, &lenses)),
        SweepFormat::Json => (
            json(
                &header,
                &rows,
                &front,
                (!a.lenses.is_empty()).then_some(lenses.as_slice()),
            )?,
            String::new(),
        ),
    })
}

/// One lens's choice at one hardware point.
struct LensRow<'a> {
    point: &'a Point,
    cut: &'a CutSet,
    p: &'a SweepPoint,
    c: LensChoice,
    best_energy_pj: f64,
}

fn lens_rows<'a>(
    a: &SweepArgs,
    points: &'a [Point],
    results: &'a [Vec<SweepPoint>],
    cut_sets: &'a [CutSet],
    per: usize,
) -> Vec<LensRow<'a>> {
    let mut out = Vec::new();
    for (point, pts) in points.iter().zip(results) {
        for c in lens_choices(pts, &a.lenses) {
            let best_energy_pj = match &pts[c.best_index].outcome {
                Ok(t) => t.energy_pj,
                Err(_) => continue,
            };
            out.push(LensRow {
                point,
                cut: &cut_sets[(c.index / per).min(cut_sets.len().saturating_sub(1))],
                p: &pts[c.index],
                c,
                best_energy_pj,
            });
        }
    }
    out
}

fn lens_text(h: &Header, lenses: &[LensRow]) -> String {
    let mut out = String::new();
    for l in lenses {
        let s = &l.p.schedule;
        let mut at = format!("mode {}, tile {}x{}", s.overlap.mode(), s.tile.x, s.tile.y);
        if h.cuts {
            at.push_str(&format!(", cuts {}", l.cut.label()));
        }
        if !l.point.is_empty() {
            at.push_str(&format!(", at {}", point_label(l.point)));
        }
        out.push_str(&format!(
            "lens {}: picks {at}: {} pJ, {:.4}× the full model's least energy ({} pJ){}\n",
            l.c.lens.name(),
            l.c.energy_pj,
            l.c.energy_ratio,
            l.best_energy_pj,
            if l.c.tied > 1 {
                format!(
                    "; {} schedules tie under this lens, ×{:.4} to ×{:.4}",
                    l.c.tied, l.c.tied_ratio_min, l.c.tied_ratio_max
                )
            } else {
                String::new()
            }
        ));
    }
    out
}

fn lens_json(h: &Header, l: &LensRow) -> serde_json::Value {
    let mut m = serde_json::Map::new();
    for (p, v) in l.point {
        m.insert(p.label(), value_json(p, *v));
    }
    m.insert("lens".into(), l.c.lens.name().into());
    if h.cuts {
        m.insert("cuts".into(), l.cut.label().into());
    }
    let s = &l.p.schedule;
    m.insert("mode".into(), s.overlap.mode().into());
    m.insert("tile_x".into(), s.tile.x.into());
    m.insert("tile_y".into(), s.tile.y.into());
    m.insert("lens_energy_pj".into(), l.c.lens_energy_pj.into());
    m.insert("energy_pj".into(), l.c.energy_pj.into());
    m.insert("latency_cycles".into(), l.c.latency_cycles.into());
    m.insert("best_energy_pj".into(), l.best_energy_pj.into());
    m.insert("energy_ratio".into(), l.c.energy_ratio.into());
    m.insert("tied".into(), l.c.tied.into());
    m.insert("tied_ratio_min".into(), l.c.tied_ratio_min.into());
    m.insert("tied_ratio_max".into(), l.c.tied_ratio_max.into());
    serde_json::Value::Object(m)
}

/// Every `--vary` value suits its parameter in the hardware document (all
/// refusals at once, before anything else is done).
fn check_values(a: &SweepArgs, texts: &Texts) -> Result<(), Error> {
    let all: Point = a
        .vary
        .iter()
        .flat_map(|v| v.values.iter().map(|&x| (v.param.clone(), x)))
        .collect();
    if all.is_empty() {
        return Ok(());
    }
    vary_hardware(&texts.hardware, &all)
        .map(|_| ())
        .map_err(|d| vary_error(&d))
}

fn vary_error(d: &[Diagnostic]) -> Error {
    let lines: Vec<String> = d.iter().map(|d| format!("  {d}")).collect();
    Error(format!("--vary:\n{}", lines.join("\n")))
}

/// `name=value, ...` of a hardware point.
fn point_label(point: &[(HwParam, f64)]) -> String {
    let parts: Vec<String> = point
        .iter()
        .map(|(p, v)| format!("{}={}", p.label(), value_text(p, *v)))
        .collect();
    parts.join(", ")
}

/// The validated scenario of one hardware point.
fn point_scenario(texts: &Texts, point: &[(HwParam, f64)]) -> Result<ValidScenario, Error> {
    let hardware = if point.is_empty() {
        Cow::Borrowed(texts.hardware.as_str())
    } else {
        Cow::Owned(vary_hardware(&texts.hardware, point).map_err(|d| vary_error(&d))?)
    };
    validate_json(&texts.workload, &hardware, &texts.mapping).map_err(|d| {
        let e = diagnostics(&d);
        if point.is_empty() {
            e
        } else {
            Error(format!("hardware point {}: {}", point_label(point), e.0))
        }
    })
}

/// The schedules of every point (per point: cut-set-major, then the grid
/// order), with progress on stderr when asked.
fn evaluate(
    a: &SweepArgs,
    texts: &Texts,
    points: &[Point],
    cut_sets: &[CutSet],
    grid: &[Schedule],
) -> Result<Vec<Vec<SweepPoint>>, Error> {
    let total = points.len() * cut_sets.len() * grid.len();
    let threads = a
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let progress = a
        .progress
        .unwrap_or_else(|| std::io::stderr().is_terminal());
    let done = AtomicU64::new(0);
    let stopped = || Error("internal error: a sweep thread stopped early".into());
    let work = || -> Result<Vec<Vec<SweepPoint>>, Error> {
        let mut out = Vec::with_capacity(points.len());
        for point in points {
            let sc = point_scenario(texts, point)?;
            let schedules: Vec<Schedule> = cut_sets
                .iter()
                .flat_map(|c| {
                    let cuts = c.stack_cuts(&sc);
                    grid.iter().map(move |s| Schedule {
                        stack_cuts: cuts.clone(),
                        ..s.clone()
                    })
                })
                .collect();
            let pts = parallel::sweep_parallel(&sc, &schedules, threads, a.fixes, &done)
                .filter(|p| p.len() == schedules.len())
                .ok_or_else(stopped)?;
            out.push(pts);
        }
        Ok(out)
    };
    // The release profile aborts on panic and the model never panics, so a
    // sweep thread either finishes or takes the process with it: there is
    // no panic to recover from here.
    std::thread::scope(|s| {
        let worker = s.spawn(work);
        if progress {
            let mut last = u64::MAX;
            while !worker.is_finished() {
                let d = done.load(Ordering::Relaxed);
                if d != last {
                    note(&format!("\rsweep: {d}/{total} schedules"));
                    last = d;
                }
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
            note(&format!("\rsweep: {total}/{total} schedules\n"));
        }
        worker.join().map_err(|_| stopped())?
    })
}

/// Progress text on stderr; a closed or full stderr is not worth failing
/// the run for.
fn note(text: &str) {
    let mut e = std::io::stderr().lock();
    let _ = e.write_all(text.as_bytes());
    let _ = e.flush();
}

/// A `--vary` value as printed: whole numbers as integers, energies in the
/// shortest form that reads back as the same number.
fn value_text(p: &HwParam, v: f64) -> String {
    if p.is_integer() {
        // checked whole, non-negative and below 2^53: exact
        format!("{}", v as u64)
    } else {
        format!("{v}")
    }
}

pub(crate) fn value_json(p: &HwParam, v: f64) -> serde_json::Value {
    if p.is_integer() {
        (v as u64).into()
    } else {
        v.into()
    }
}

/// The leading columns: the varied parameters and, with `--cuts`, the cut
/// set.
struct Header<'a> {
    params: Vec<&'a HwParam>,
    cuts: bool,
}

/// A CSV field, quoted when it holds a comma or a quote.
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn error_text(p: &SweepPoint) -> Option<String> {
    p.outcome.as_ref().err().map(|e| e.to_string())
}

fn csv(h: &Header, rows: &[Row]) -> String {
    let mut lead: Vec<String> = h.params.iter().map(|p| csv_field(&p.label())).collect();
    if h.cuts {
        lead.push("cuts".into());
    }
    lead.push("mode,tile_x,tile_y,energy_pj,latency_cycles,edp,pareto,error\n".into());
    let mut out = lead.join(",");
    for r in rows {
        let mut cols: Vec<String> = r.point.iter().map(|(p, v)| value_text(p, *v)).collect();
        if h.cuts {
            cols.push(csv_field(&r.cut.label()));
        }
        let s = &r.p.schedule;
        cols.push(format!("{},{},{}", s.overlap.mode(), s.tile.x, s.tile.y));
        let head = cols.join(",");
        match &r.p.outcome {
            Ok(t) => out.push_str(&format!(
                "{head},{},{},{},{},\n",
                t.energy_pj, t.latency_cycles, t.edp, r.pareto
            )),
            Err(_) => {
                let e = error_text(r.p).unwrap_or_default().replace('"', "'");
                out.push_str(&format!("{head},,,,false,\"{e}\"\n"));
            }
        }
    }
    out
}

fn json(
    h: &Header,
    rows: &[Row],
    front: &[usize],
    lenses: Option<&[LensRow]>,
) -> Result<String, Error> {
    let objects: Vec<serde_json::Value> = rows
        .iter()
        .map(|r| {
            let mut m = serde_json::Map::new();
            for (p, v) in r.point {
                m.insert(p.label(), value_json(p, *v));
            }
            if h.cuts {
                m.insert("cuts".into(), r.cut.label().into());
            }
            let s = &r.p.schedule;
            m.insert("mode".into(), s.overlap.mode().into());
            m.insert("tile_x".into(), s.tile.x.into());
            m.insert("tile_y".into(), s.tile.y.into());
            m.insert("lpf_limit".into(), s.lpf_limit.into());
            match &r.p.outcome {
                Ok(t) => {
                    m.insert("energy_pj".into(), t.energy_pj.into());
                    m.insert("latency_cycles".into(), t.latency_cycles.into());
                    m.insert("edp".into(), t.edp.into());
                    m.insert("macs".into(), t.macs.into());
                    m.insert("pareto".into(), r.pareto.into());
                }
                Err(_) => {
                    m.insert("pareto".into(), false.into());
                    m.insert("error".into(), error_text(r.p).unwrap_or_default().into());
                }
            }
            serde_json::Value::Object(m)
        })
        .collect();
    let printed: Vec<SweepPoint> = rows.iter().map(|r| r.p.clone()).collect();
    let mut v = serde_json::json!({
        "schedules": objects,
        "pareto_front": front,
        "best_edp": best_edp(&printed),
    });
    if let Some(lenses) = lenses {
        let l: Vec<serde_json::Value> = lenses.iter().map(|l| lens_json(h, l)).collect();
        v["lenses"] = l.into();
    }
    serde_json::to_string(&v)
        .map(|t| format!("{t}\n"))
        .map_err(|e| Error(format!("cannot write the sweep: {e}")))
}
