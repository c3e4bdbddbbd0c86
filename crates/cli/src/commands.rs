//! What each command computes and prints: the glue between the parsed
//! arguments ([`crate::args`]) and the model. The only module that reads
//! files.

use crate::args::{Command, EvalArgs, Format, Inputs, SweepArgs, SweepFormat, Tiles, USAGE};
use crate::parallel;
use defines_model::{
    auto_tile_axes, best_edp, evaluate_network_fixed, grid_schedules, pareto_front, presets,
    validate_json, Diagnostic, ItemKind, NetworkReport, SweepPoint, ValidScenario, Workload,
    CASE_STUDY_1_X, CASE_STUDY_1_Y,
};
use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicU64, Ordering};

/// A failure to report: what is wrong and how to fix it.
#[derive(Debug)]
pub struct Error(pub String);

impl From<crate::args::ArgError> for Error {
    fn from(e: crate::args::ArgError) -> Error {
        Error(e.0)
    }
}

/// A preset's text, or the file at that path.
fn load(kind: &str, name: &str, table: &[(&str, &str)]) -> Result<String, Error> {
    if let Some((_, text)) = table.iter().find(|(n, _)| *n == name) {
        return Ok((*text).to_string());
    }
    std::fs::read_to_string(name).map_err(|e| {
        let names: Vec<&str> = table.iter().map(|(n, _)| *n).collect();
        Error(format!(
            "{kind} `{name}` is neither a preset nor a readable file ({e}); presets: {}",
            names.join(", ")
        ))
    })
}

fn diagnostics(d: &[Diagnostic]) -> Error {
    let lines: Vec<String> = d.iter().map(|d| format!("  {d}")).collect();
    Error(format!("invalid input:\n{}", lines.join("\n")))
}

/// The preset name of a file given by path: its `name` field.
fn doc_name(text: &str, fallback: &str) -> String {
    serde_json::from_str::<serde_json::Value>(text)
        .ok()
        .and_then(|v| v.get("name").and_then(|n| n.as_str()).map(str::to_string))
        .unwrap_or_else(|| fallback.to_string())
}

/// Loads and validates the three documents (presets or files); the
/// mapping defaults to the hardware family's mapping for the workload.
pub fn scenario(inputs: &Inputs) -> Result<ValidScenario, Error> {
    let (hardware, workload, mapping) = (
        inputs.hardware.as_str(),
        inputs.workload.as_str(),
        inputs.mapping.as_deref(),
    );
    let hw_text = load("hardware", hardware, presets::HARDWARE)?;
    let wl_text = load("workload", workload, presets::WORKLOADS)?;
    let map_name = match mapping {
        Some(m) => m.to_string(),
        None => presets::default_mapping_name(
            &doc_name(&hw_text, hardware),
            &doc_name(&wl_text, workload),
        ),
    };
    let map_text = if mapping.is_none() && presets::mapping(&map_name).is_none() {
        return Err(Error(format!(
            "no default mapping `{map_name}` for this hardware and workload; give one with --mapping"
        )));
    } else {
        load("mapping", &map_name, presets::MAPPINGS)?
    };
    validate_json(&wl_text, &hw_text, &map_text).map_err(|d| diagnostics(&d))
}

fn eval(a: EvalArgs) -> Result<String, Error> {
    let sc = scenario(&a.inputs)?;
    let r = evaluate_network_fixed(&sc, &a.schedule, a.fixes).map_err(|e| match e {
        defines_model::NetworkError::Schedule(d) => diagnostics(&d),
        e => Error(format!("cannot evaluate: {e}")),
    })?;
    Ok(match a.format {
        Format::Json => {
            let v = serde_json::to_string(&r)
                .map_err(|e| Error(format!("cannot write the report: {e}")))?;
            format!("{v}\n")
        }
        Format::Table => table(&r),
    })
}

fn sweep(a: SweepArgs) -> Result<String, Error> {
    let sc = scenario(&a.inputs)?;
    let (xs, ys) = match &a.tiles {
        Tiles::Auto => auto_tile_axes(&sc.workload),
        Tiles::CaseStudy1 => (CASE_STUDY_1_X.to_vec(), CASE_STUDY_1_Y.to_vec()),
        Tiles::Grid(x, y) => (x.clone(), y.clone()),
    };
    let schedules = grid_schedules(&xs, &ys, &a.modes, a.lpf);
    let total = schedules.len();
    let threads = a
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let progress = a
        .progress
        .unwrap_or_else(|| std::io::stderr().is_terminal());
    let done = AtomicU64::new(0);
    // The release profile aborts on panic and the model never panics, so a
    // sweep thread either finishes or takes the process with it: there is
    // no panic to recover from here.
    let points = std::thread::scope(|s| {
        let worker = s.spawn(|| parallel::sweep_parallel(&sc, &schedules, threads, &done));
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
        worker.join().ok().flatten()
    })
    .ok_or_else(|| Error("internal error: a sweep thread stopped early".into()))?;
    if points.len() != total {
        return Err(Error("internal error: a sweep thread stopped early".into()));
    }
    let front = pareto_front(&points);
    Ok(match a.format {
        SweepFormat::Csv => sweep_csv(&points, &front),
        SweepFormat::Json => sweep_json(&points, &front)?,
    })
}

/// Progress text on stderr; a closed or full stderr is not worth failing
/// the run for.
fn note(text: &str) {
    let mut e = std::io::stderr().lock();
    let _ = e.write_all(text.as_bytes());
    let _ = e.flush();
}

fn error_text(p: &SweepPoint) -> Option<String> {
    p.outcome.as_ref().err().map(|e| e.to_string())
}

fn sweep_csv(points: &[SweepPoint], front: &[usize]) -> String {
    let mut out = String::from("mode,tile_x,tile_y,energy_pj,latency_cycles,edp,pareto,error\n");
    for (i, p) in points.iter().enumerate() {
        let s = &p.schedule;
        let head = format!("{},{},{}", s.overlap.mode(), s.tile.x, s.tile.y);
        match &p.outcome {
            Ok(t) => out.push_str(&format!(
                "{head},{},{},{},{},\n",
                t.energy_pj,
                t.latency_cycles,
                t.edp,
                front.contains(&i)
            )),
            Err(_) => {
                let e = error_text(p).unwrap_or_default().replace('"', "'");
                out.push_str(&format!("{head},,,,false,\"{e}\"\n"));
            }
        }
    }
    out
}

fn sweep_json(points: &[SweepPoint], front: &[usize]) -> Result<String, Error> {
    let rows: Vec<serde_json::Value> = points
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let s = &p.schedule;
            let mut v = serde_json::json!({
                "mode": s.overlap.mode(),
                "tile_x": s.tile.x,
                "tile_y": s.tile.y,
                "lpf_limit": s.lpf_limit,
            });
            match &p.outcome {
                Ok(t) => {
                    v["energy_pj"] = t.energy_pj.into();
                    v["latency_cycles"] = t.latency_cycles.into();
                    v["edp"] = t.edp.into();
                    v["macs"] = t.macs.into();
                    v["pareto"] = front.contains(&i).into();
                }
                Err(_) => {
                    v["pareto"] = false.into();
                    v["error"] = error_text(p).unwrap_or_default().into();
                }
            }
            v
        })
        .collect();
    let best_edp = best_edp(points);
    let v = serde_json::json!({
        "schedules": rows,
        "pareto_front": front,
        "best_edp": best_edp,
    });
    serde_json::to_string(&v)
        .map(|t| format!("{t}\n"))
        .map_err(|e| Error(format!("cannot write the sweep: {e}")))
}

fn table(r: &NetworkReport) -> String {
    let mut out = format!(
        "{:<44} {:>20} {:>14} {:>6}\n",
        "item", "energy (pJ)", "latency (cc)", "types"
    );
    for i in &r.layers {
        let name = match i.kind {
            ItemKind::Compute => i.name.clone(),
            ItemKind::DataCopy => format!("  {}", i.name),
        };
        out.push_str(&format!(
            "{:<44} {:>20.3} {:>14} {:>6}\n",
            name,
            i.energy_pj,
            i.latency_cycles,
            i.tile_types.len()
        ));
    }
    out.push_str(&format!(
        "{:<44} {:>20.3} {:>14}\n",
        "total", r.energy_pj, r.latency_cycles
    ));
    out.push_str(&format!(
        "MAC {:.3} pJ, memory {:.3} pJ, data copies {:.3} pJ / {} cycles\n",
        r.mac_energy_pj, r.mem_energy_pj, r.data_copy_energy_pj, r.data_copy_latency_cycles
    ));
    out.push_str(&format!("stacks: {:?}\n", r.stacks));
    out
}

pub fn run(cmd: Command) -> Result<String, Error> {
    match cmd {
        Command::Eval(a) => eval(a),
        Command::Sweep(a) => sweep(a),
        Command::Help => Ok(format!("{USAGE}\n")),
        Command::Presets => {
            let mut out = String::new();
            for (kind, table) in [
                ("hardware", presets::HARDWARE),
                ("workloads", presets::WORKLOADS),
                ("mappings", presets::MAPPINGS),
            ] {
                out.push_str(kind);
                out.push_str(":\n");
                for (name, _) in table {
                    out.push_str(&format!("  {name}\n"));
                }
            }
            Ok(out)
        }
        Command::Macs { workload, format } => {
            let text = load("workload", &workload, presets::WORKLOADS)?;
            let w = Workload::from_json(&text).map_err(|d| diagnostics(&d))?;
            let layers = w.macs_per_layer();
            Ok(match format {
                Format::Json => {
                    let v = serde_json::json!({
                        "workload": w.name,
                        "total_macs": w.total_macs(),
                        "layers": layers,
                    });
                    format!("{v}\n")
                }
                Format::Table => {
                    let mut out = format!("{:<6} {:<22} {:>16}\n", "id", "kind", "MACs");
                    for l in &layers {
                        out.push_str(&format!("{:<6} {:<22} {:>16}\n", l.id, l.kind, l.macs));
                    }
                    out.push_str(&format!("{:<29} {:>16}\n", "total", w.total_macs()));
                    out
                }
            })
        }
    }
}
