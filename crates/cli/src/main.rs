//! `defines`: the command-line front end. Glue only: arguments are parsed
//! into typed values in one place, the model crate does the work, and this
//! binary is the only place that reads files.
//!
//! Exit codes: 0 success, 2 bad input (usage, unknown preset, invalid
//! model input), never a panic or a backtrace.

use defines_model::{
    evaluate_network_fixed, presets, validate_json, Diagnostic, Fixes, ItemKind, NetworkReport,
    Overlap, Schedule, Tile, Workload,
};
use std::process::ExitCode;

const USAGE: &str = "usage:
  defines presets                      list the built-in hardware, workloads and mappings
  defines macs --workload W [--format table|json]
                                       MACs per compute layer of a workload
  defines eval --hardware H --workload W [--mapping M] --mode MODE --tile XxY
               [--lpf N] [--stack-cuts a,b,...] [--fix q36] [--format table|json]
                                       depth-first evaluation of a network
H, W, M are a preset name (see `defines presets`) or a path to a JSON file;
the mapping defaults to the hardware family's mapping for the workload.
MODE is 1|2|3 or fully-recompute|h-cached-v-recompute|fully-cached.
--lpf defaults to 6; --stack-cuts defaults to the weight-overflow rule
(cut after each listed layer id; an empty list gives one stack).
--fix q36 makes a cut after layer id 0 a real cut (the reference ignores it).";

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
            "--lpf" => {
                lpf = value
                    .parse()
                    .ok()
                    .filter(|n| (1..=12).contains(n))
                    .ok_or_else(|| {
                        Error(format!(
                            "--lpf takes a whole number from 1 to 12 (the reference uses 6), not `{value}`"
                        ))
                    })?
            }
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

fn eval(a: EvalArgs) -> Result<String, Error> {
    let hw_text = load("hardware", &a.hardware, presets::HARDWARE)?;
    let wl_text = load("workload", &a.workload, presets::WORKLOADS)?;
    let map_name = match &a.mapping {
        Some(m) => m.clone(),
        None => presets::default_mapping_name(
            &doc_name(&hw_text, &a.hardware),
            &doc_name(&wl_text, &a.workload),
        ),
    };
    let map_text = if a.mapping.is_none() && presets::mapping(&map_name).is_none() {
        return Err(Error(format!(
            "no default mapping `{map_name}` for this hardware and workload; give one with --mapping"
        )));
    } else {
        load("mapping", &map_name, presets::MAPPINGS)?
    };
    let sc = validate_json(&wl_text, &hw_text, &map_text).map_err(|d| diagnostics(&d))?;
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
