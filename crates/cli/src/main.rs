//! `defines`: the command-line front end. Glue only: arguments are parsed
//! into typed values in one place, the model crate does the work, and this
//! binary is the only place that reads files.
//!
//! Exit codes: 0 success, 2 bad input (usage, unknown preset, invalid
//! model input), never a panic or a backtrace.

mod parallel;

use defines_model::{
    auto_tile_axes, evaluate_network_fixed, grid_schedules, pareto_front, presets, validate_json,
    Diagnostic, Fixes, ItemKind, NetworkReport, Overlap, Schedule, SweepPoint, Tile, ValidScenario,
    Workload, CASE_STUDY_1_X, CASE_STUDY_1_Y,
};
use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};

const USAGE: &str = "usage:
  defines presets                      list the built-in hardware, workloads and mappings
  defines macs --workload W [--format table|json]
                                       MACs per compute layer of a workload
  defines eval --hardware H --workload W [--mapping M] --mode MODE --tile XxY
               [--lpf N] [--stack-cuts a,b,...] [--fix q36] [--format table|json]
                                       depth-first evaluation of a network
  defines sweep --hardware H --workload W [--mapping M] [--modes 1,2,3]
               [--tiles-x a,b,... --tiles-y c,d,... | --tiles auto|case-study-1]
               [--lpf N] [--threads N] [--progress] [--format csv|json]
                                       every (mode, tile) schedule: energy, latency,
                                       EDP and the Pareto front over (energy, latency)
H, W, M are a preset name (see `defines presets`) or a path to a JSON file;
the mapping defaults to the hardware family's mapping for the workload.
MODE is 1|2|3 or fully-recompute|h-cached-v-recompute|fully-cached.
--lpf defaults to 6; --stack-cuts defaults to the weight-overflow rule
(cut after each listed layer id; an empty list gives one stack).
--fix q36 makes a cut after layer id 0 a real cut (the reference ignores it).
sweep: --tiles auto (default) takes ceil(full / 4^k), k = 0..5, per axis,
full = the largest OX (OY) of the workload's compute layers; case-study-1 is
x in 1,4,16,60,240,960 and y in 1,4,18,72,270,540. Rows are mode-major, then
y, then x; a schedule that cannot be evaluated is a row with its error.
--threads defaults to the number of cores; progress goes to stderr when it
is a terminal or with --progress.";

#[derive(Clone, Copy, PartialEq, Debug)]
enum Format {
    Table,
    Json,
}

enum Command {
    Help,
    Presets,
    Macs { workload: String, format: Format },
    Eval(EvalArgs),
    Sweep(SweepArgs),
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum SweepFormat {
    Csv,
    Json,
}

enum Tiles {
    Auto,
    CaseStudy1,
    Grid(Vec<u64>, Vec<u64>),
}

struct SweepArgs {
    hardware: String,
    workload: String,
    mapping: Option<String>,
    modes: Vec<Overlap>,
    tiles: Tiles,
    lpf: u32,
    threads: usize,
    progress: bool,
    format: SweepFormat,
}

struct EvalArgs {
    hardware: String,
    workload: String,
    mapping: Option<String>,
    schedule: Schedule,
    fixes: Fixes,
    format: Format,
}

fn parse_format(value: &str) -> Result<Format, Error> {
    match value {
        "table" => Ok(Format::Table),
        "json" => Ok(Format::Json),
        other => Err(Error(format!(
            "--format takes `table` or `json`, not `{other}`"
        ))),
    }
}

fn parse_mode(value: &str) -> Result<Overlap, Error> {
    match value {
        "1" | "fully-recompute" => Ok(Overlap::FullyRecompute),
        "2" | "h-cached-v-recompute" => Ok(Overlap::HCachedVRecompute),
        "3" | "fully-cached" => Ok(Overlap::FullyCached),
        other => Err(Error(format!(
            "--mode takes 1|2|3 or fully-recompute|h-cached-v-recompute|fully-cached, not `{other}`"
        ))),
    }
}

fn parse_tile(value: &str) -> Result<Tile, Error> {
    let bad = || {
        Error(format!(
            "--tile takes WIDTHxHEIGHT with whole numbers >= 1 (e.g. 60x72), not `{value}`"
        ))
    };
    let (x, y) = value.split_once(['x', 'X']).ok_or_else(bad)?;
    let x: u64 = x.trim().parse().map_err(|_| bad())?;
    let y: u64 = y.trim().parse().map_err(|_| bad())?;
    if x == 0 || y == 0 {
        return Err(bad());
    }
    Ok(Tile { x, y })
}

fn parse_cuts(value: &str) -> Result<Vec<i64>, Error> {
    if value.trim().is_empty() || value == "none" {
        return Ok(Vec::new());
    }
    value
        .split(',')
        .map(|c| {
            c.trim().parse::<i64>().map_err(|_| {
                Error(format!(
                    "--stack-cuts takes layer ids separated by commas (e.g. 3,7), not `{value}`"
                ))
            })
        })
        .collect()
}

fn parse_lpf(value: &str) -> Result<u32, Error> {
    value
        .parse()
        .ok()
        .filter(|n| (1..=12).contains(n))
        .ok_or_else(|| {
            Error(format!(
                "--lpf takes a whole number from 1 to 12 (the reference uses 6), not `{value}`"
            ))
        })
}

fn parse_sizes(flag: &str, value: &str) -> Result<Vec<u64>, Error> {
    let bad = || {
        Error(format!(
            "{flag} takes tile sizes >= 1 separated by commas (e.g. 1,4,16), not `{value}`"
        ))
    };
    let mut v: Vec<u64> = value
        .split(',')
        .map(|x| x.trim().parse::<u64>().ok().filter(|&n| n >= 1))
        .collect::<Option<Vec<u64>>>()
        .ok_or_else(bad)?;
    if v.is_empty() {
        return Err(bad());
    }
    v.sort_unstable();
    v.dedup();
    Ok(v)
}

fn parse_sweep(args: &[String]) -> Result<Command, Error> {
    let (mut hardware, mut workload, mut mapping) = (None, None, None);
    let mut modes = Overlap::ALL.to_vec();
    let (mut tiles, mut xs, mut ys) = (None, None, None);
    let mut lpf = 6u32;
    let mut threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut progress = std::io::stderr().is_terminal();
    let mut format = SweepFormat::Csv;
    let mut rest = args.iter();
    while let Some(flag) = rest.next() {
        if flag == "--progress" {
            progress = true;
            continue;
        }
        let value = rest
            .next()
            .ok_or_else(|| Error(format!("{flag} needs a value\n{USAGE}")))?;
        match flag.as_str() {
            "--hardware" => hardware = Some(value.clone()),
            "--workload" => workload = Some(value.clone()),
            "--mapping" => mapping = Some(value.clone()),
            "--modes" => {
                let mut m = Vec::new();
                for v in value.split(',') {
                    let o = parse_mode(v.trim()).map_err(|_| {
                        Error(format!(
                            "--modes takes modes 1|2|3 (or their names) separated by commas, not `{value}`"
                        ))
                    })?;
                    if !m.contains(&o) {
                        m.push(o);
                    }
                }
                m.sort_by_key(|o: &Overlap| o.mode());
                modes = m;
            }
            "--tiles" => {
                tiles = Some(match value.as_str() {
                    "auto" => Tiles::Auto,
                    "case-study-1" => Tiles::CaseStudy1,
                    other => {
                        return Err(Error(format!(
                            "--tiles takes `auto` or `case-study-1` (or give --tiles-x and --tiles-y), not `{other}`"
                        )))
                    }
                })
            }
            "--tiles-x" => xs = Some(parse_sizes(flag, value)?),
            "--tiles-y" => ys = Some(parse_sizes(flag, value)?),
            "--lpf" => lpf = parse_lpf(value)?,
            "--threads" => {
                threads = value
                    .parse()
                    .ok()
                    .filter(|&n: &usize| (1..=256).contains(&n))
                    .ok_or_else(|| {
                        Error(format!(
                            "--threads takes a whole number from 1 to 256, not `{value}`"
                        ))
                    })?
            }
            "--format" => {
                format = match value.as_str() {
                    "csv" => SweepFormat::Csv,
                    "json" => SweepFormat::Json,
                    other => {
                        return Err(Error(format!(
                            "--format takes `csv` or `json`, not `{other}`"
                        )))
                    }
                }
            }
            other => return Err(Error(format!("unknown option `{other}`\n{USAGE}"))),
        }
    }
    let tiles = match (tiles, xs, ys) {
        (None, Some(x), Some(y)) => Tiles::Grid(x, y),
        (Some(t), None, None) => t,
        (None, None, None) => Tiles::Auto,
        (Some(_), _, _) => {
            return Err(Error(
                "give either --tiles or --tiles-x with --tiles-y, not both".into(),
            ))
        }
        _ => {
            return Err(Error(
                "--tiles-x and --tiles-y go together; give both (e.g. --tiles-x 1,4,16 --tiles-y 1,4,18)".into(),
            ))
        }
    };
    Ok(Command::Sweep(SweepArgs {
        hardware: need(hardware, "--hardware")?,
        workload: need(workload, "--workload")?,
        mapping,
        modes,
        tiles,
        lpf,
        threads,
        progress,
        format,
    }))
}

fn need<T>(v: Option<T>, name: &str) -> Result<T, Error> {
    v.ok_or_else(|| Error(format!("{name} is required\n{USAGE}")))
}

fn parse_eval(args: &[String]) -> Result<Command, Error> {
    let (mut hardware, mut workload, mut mapping) = (None, None, None);
    let (mut mode, mut tile, mut lpf, mut cuts) = (None, None, 6u32, None);
    let mut format = Format::Table;
    let mut fixes = Fixes::default();
    let mut rest = args.iter();
    while let Some(flag) = rest.next() {
        let value = rest
            .next()
            .ok_or_else(|| Error(format!("{flag} needs a value\n{USAGE}")))?;
        match flag.as_str() {
            "--hardware" => hardware = Some(value.clone()),
            "--workload" => workload = Some(value.clone()),
            "--mapping" => mapping = Some(value.clone()),
            "--mode" => mode = Some(parse_mode(value)?),
            "--tile" => tile = Some(parse_tile(value)?),
            "--lpf" => lpf = parse_lpf(value)?,
            "--stack-cuts" => cuts = Some(parse_cuts(value)?),
            "--fix" => {
                for f in value.split(',') {
                    match f.trim() {
                        "q36" | "Q36" => fixes.cut_after_layer_zero = true,
                        "all" => fixes = Fixes::all(),
                        other => {
                            return Err(Error(format!(
                                "--fix takes a comma list of fixable quirks (q36) or `all`, not `{other}`"
                            )))
                        }
                    }
                }
            }
            "--format" => format = parse_format(value)?,
            other => return Err(Error(format!("unknown option `{other}`\n{USAGE}"))),
        }
    }
    Ok(Command::Eval(EvalArgs {
        hardware: need(hardware, "--hardware")?,
        workload: need(workload, "--workload")?,
        mapping,
        schedule: Schedule {
            tile: need(tile, "--tile")?,
            overlap: need(mode, "--mode")?,
            lpf_limit: lpf,
            stack_cuts: cuts,
        },
        fixes,
        format,
    }))
}

/// A failure to report: what is wrong and how to fix it.
struct Error(String);

fn parse(args: &[String]) -> Result<Command, Error> {
    match args.first().map(String::as_str) {
        Some("help" | "--help" | "-h") => Ok(Command::Help),
        Some("presets") if args.len() == 1 => Ok(Command::Presets),
        Some("eval") => parse_eval(&args[1..]),
        Some("sweep") => parse_sweep(&args[1..]),
        Some("macs") => {
            let mut workload = None;
            let mut format = Format::Table;
            let mut rest = args[1..].iter();
            while let Some(flag) = rest.next() {
                let value = rest
                    .next()
                    .ok_or_else(|| Error(format!("{flag} needs a value\n{USAGE}")))?;
                match flag.as_str() {
                    "--workload" => workload = Some(value.clone()),
                    "--format" => format = parse_format(value)?,
                    other => return Err(Error(format!("unknown option `{other}`\n{USAGE}"))),
                }
            }
            let workload =
                workload.ok_or_else(|| Error(format!("--workload is required\n{USAGE}")))?;
            Ok(Command::Macs { workload, format })
        }
        _ => Err(Error(USAGE.into())),
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
fn scenario(hardware: &str, workload: &str, mapping: Option<&str>) -> Result<ValidScenario, Error> {
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
    let sc = scenario(&a.hardware, &a.workload, a.mapping.as_deref())?;
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
    let sc = scenario(&a.hardware, &a.workload, a.mapping.as_deref())?;
    let (xs, ys) = match &a.tiles {
        Tiles::Auto => auto_tile_axes(&sc.workload),
        Tiles::CaseStudy1 => (CASE_STUDY_1_X.to_vec(), CASE_STUDY_1_Y.to_vec()),
        Tiles::Grid(x, y) => (x.clone(), y.clone()),
    };
    let schedules = grid_schedules(&xs, &ys, &a.modes, a.lpf);
    let total = schedules.len();
    let done = AtomicU64::new(0);
    let points = std::thread::scope(|s| {
        let worker = s.spawn(|| parallel::sweep_parallel(&sc, &schedules, a.threads, &done));
        if a.progress {
            let mut last = u64::MAX;
            while !worker.is_finished() {
                let d = done.load(Ordering::Relaxed);
                if d != last {
                    eprint!("\rsweep: {d}/{total} schedules");
                    last = d;
                }
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
            eprintln!("\rsweep: {total}/{total} schedules");
        }
        worker.join().unwrap_or_default()
    });
    if points.len() != total {
        return Err(Error("internal error: a sweep thread stopped early".into()));
    }
    let front = pareto_front(&points);
    Ok(match a.format {
        SweepFormat::Csv => sweep_csv(&points, &front),
        SweepFormat::Json => sweep_json(&points, &front)?,
    })
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
    let best_edp = points
        .iter()
        .enumerate()
        .filter_map(|(i, p)| p.outcome.as_ref().ok().map(|t| (i, t.edp)))
        .min_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)))
        .map(|b| b.0);
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

fn run(cmd: Command) -> Result<String, Error> {
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

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match parse(&args).and_then(run) {
        Ok(out) => {
            print!("{out}");
            ExitCode::SUCCESS
        }
        Err(Error(msg)) => {
            eprintln!("defines: {msg}");
            ExitCode::from(2)
        }
    }
}
