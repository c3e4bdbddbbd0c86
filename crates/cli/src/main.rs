//! `defines`: the command-line front end. Glue only: arguments are parsed
//! into typed values in one place, the model crate does the work, and this
//! binary is the only place that reads files.
//!
//! Exit codes: 0 success, 2 bad input (usage, unknown preset, invalid
//! model input), never a panic or a backtrace.

use defines_model::{presets, Diagnostic, Workload};
use std::process::ExitCode;

const USAGE: &str = "usage:
  defines presets                      list the built-in hardware, workloads and mappings
  defines macs --workload W [--format table|json]
                                       MACs per compute layer of a workload
W is a preset name (see `defines presets`) or a path to a JSON file.";

#[derive(Clone, Copy, PartialEq, Debug)]
enum Format {
    Table,
    Json,
}

enum Command {
    Presets,
    Macs { workload: String, format: Format },
}

/// A failure to report: what is wrong and how to fix it.
struct Error(String);

fn parse(args: &[String]) -> Result<Command, Error> {
    match args.first().map(String::as_str) {
        Some("presets") if args.len() == 1 => Ok(Command::Presets),
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
                    "--format" => {
                        format = match value.as_str() {
                            "table" => Format::Table,
                            "json" => Format::Json,
                            other => {
                                return Err(Error(format!(
                                    "--format takes `table` or `json`, not `{other}`"
                                )))
                            }
                        }
                    }
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

fn run(cmd: Command) -> Result<String, Error> {
    match cmd {
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
