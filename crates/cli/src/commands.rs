//! What each command computes and prints: the glue between the parsed
//! arguments ([`crate::args`]) and the model. The only module that reads
//! files; the sweep itself is [`crate::sweep`].

use crate::args::{Command, EvalArgs, Format, Inputs, USAGE};
use defines_model::{
    evaluate_network_detailed, evaluate_network_fixed, presets, validate_json, Diagnostic,
    ItemKind, NetworkReport, ValidScenario, Workload,
};

/// A failure to report: what is wrong and how to fix it.
#[derive(Debug)]
pub struct Error(pub String);

/// What a command prints: its output, and notes for stderr (the import
/// report of `defines import onnx`).
#[derive(Debug, Default, PartialEq)]
pub struct Output {
    pub stdout: String,
    pub stderr: String,
}

impl From<String> for Output {
    fn from(stdout: String) -> Output {
        Output {
            stdout,
            stderr: String::new(),
        }
    }
}

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

pub(crate) fn diagnostics(d: &[Diagnostic]) -> Error {
    let lines: Vec<String> = d.iter().map(|d| format!("  {d}")).collect();
    Error(format!("invalid input:\n{}", lines.join("\n")))
}

/// A workload preset, JSON file, ONNX model (`.onnx`, imported) or
/// ZigZag workload (`.yaml`, converted).
pub(crate) fn load_workload(name: &str) -> Result<String, Error> {
    if crate::zigzag::is_yaml(name) && presets::workload(name).is_none() {
        crate::zigzag::workload(name).map(|(w, _, _)| w)
    } else if crate::onnx::is_onnx(name) && presets::workload(name).is_none() {
        crate::onnx::workload(name)
    } else {
        load("workload", name, presets::WORKLOADS)
    }
}

/// A hardware preset, JSON file or ZigZag accelerator (`.yaml`, converted).
pub(crate) fn load_hardware(name: &str) -> Result<String, Error> {
    load_sources(
        &Source::Named(name.to_string()),
        &Source::Text(String::new()),
        Some(&Source::Text(String::new())),
    )
    .map(|t| t.hardware)
}

/// The preset name of a file given by path: its `name` field.
fn doc_name(text: &str, fallback: &str) -> String {
    serde_json::from_str::<serde_json::Value>(text)
        .ok()
        .and_then(|v| v.get("name").and_then(|n| n.as_str()).map(str::to_string))
        .unwrap_or_else(|| fallback.to_string())
}

/// The texts of the three documents of a scenario.
pub struct Texts {
    pub hardware: String,
    pub workload: String,
    pub mapping: String,
    /// Notes of ZigZag conversions, for stderr.
    pub notes: String,
}

/// Loads and validates the three documents (presets or files); the
/// mapping defaults to the hardware family's mapping for the workload.
pub fn scenario(inputs: &Inputs) -> Result<ValidScenario, Error> {
    let t = load_texts(inputs)?;
    validate_texts(&t)
}

fn validate_texts(t: &Texts) -> Result<ValidScenario, Error> {
    validate_json(&t.workload, &t.hardware, &t.mapping).map_err(|d| diagnostics(&d))
}

/// Where a document comes from: a preset name or file path (as on the
/// command line), or the document's JSON text itself (the Python package's
/// dictionaries).
#[derive(Clone, Debug, PartialEq)]
pub enum Source {
    Named(String),
    Text(String),
}

impl Source {
    /// The name or path, when the document is given by one.
    fn name(&self) -> Option<&str> {
        match self {
            Source::Named(n) => Some(n),
            Source::Text(_) => None,
        }
    }
}

/// Loads the three documents (presets or files), the mapping defaulting to
/// the hardware family's mapping for the workload.
pub(crate) fn load_texts(inputs: &Inputs) -> Result<Texts, Error> {
    load_sources(
        &Source::Named(inputs.hardware.clone()),
        &Source::Named(inputs.workload.clone()),
        inputs.mapping.clone().map(Source::Named).as_ref(),
    )
}

/// [`load_texts`] for documents given by name or by text.
pub fn load_sources(
    hardware: &Source,
    workload: &Source,
    mapping: Option<&Source>,
) -> Result<Texts, Error> {
    let named = |s: &Source, is: fn(&str) -> bool, preset: fn(&str) -> bool| {
        s.name().filter(|n| is(n) && !preset(n)).map(str::to_string)
    };
    let hw_preset = |n: &str| presets::hardware(n).is_some();
    let wl_preset = |n: &str| presets::workload(n).is_some();
    let map_preset = |n: &str| presets::mapping(n).is_some();
    let mut notes = String::new();
    let hw_text = match (hardware, named(hardware, crate::zigzag::is_yaml, hw_preset)) {
        (_, Some(path)) => {
            let (t, n) = crate::zigzag::hardware(&path)?;
            notes.push_str(&n);
            t
        }
        (Source::Text(t), None) => t.clone(),
        (Source::Named(name), None) => load("hardware", name, presets::HARDWARE)?,
    };
    let (wl_text, keys) = match (workload, named(workload, crate::zigzag::is_yaml, wl_preset)) {
        (_, Some(path)) => {
            let (t, keys, n) = crate::zigzag::workload(&path)?;
            notes.push_str(&n);
            (t, Some(keys))
        }
        (Source::Text(t), None) => (t.clone(), None),
        (Source::Named(name), None) => (load_workload(name)?, None),
    };
    if let Some(m) = mapping.and_then(|m| named(m, crate::zigzag::is_yaml, map_preset)) {
        let (map_text, wl_text, n) =
            crate::zigzag::mapping(&m, &hw_text, &wl_text, keys.as_deref())?;
        notes.push_str(&n);
        return Ok(Texts {
            hardware: hw_text,
            workload: wl_text,
            mapping: map_text,
            notes,
        });
    }
    let onnx = workload
        .name()
        .is_some_and(|w| crate::onnx::is_onnx(w) && !wl_preset(w));
    if onnx && mapping.is_none() {
        let map_text = crate::onnx::derived_mapping(&hw_text, &wl_text)?;
        return Ok(Texts {
            hardware: hw_text,
            workload: wl_text,
            mapping: map_text,
            notes,
        });
    }
    let map_text = match mapping {
        Some(Source::Text(t)) => t.clone(),
        Some(Source::Named(m)) => load("mapping", m, presets::MAPPINGS)?,
        None => {
            let map_name = presets::default_mapping_name(
                &doc_name(&hw_text, hardware.name().unwrap_or("")),
                &doc_name(&wl_text, workload.name().unwrap_or("")),
            );
            if presets::mapping(&map_name).is_none() {
                return Err(Error(format!(
                    "no default mapping `{map_name}` for this hardware and workload; give one with --mapping"
                )));
            }
            load("mapping", &map_name, presets::MAPPINGS)?
        }
    };
    Ok(Texts {
        hardware: hw_text,
        workload: wl_text,
        mapping: map_text,
        notes,
    })
}

pub(crate) fn network_error(e: defines_model::NetworkError) -> Error {
    match e {
        defines_model::NetworkError::Schedule(d) => diagnostics(&d),
        e => Error(format!("cannot evaluate: {e}")),
    }
}

pub(crate) fn eval(a: EvalArgs, texts: &Texts) -> Result<String, Error> {
    eval_valid(a, &validate_texts(texts)?)
}

/// [`eval`] of an already validated scenario.
pub(crate) fn eval_valid(a: EvalArgs, sc: &ValidScenario) -> Result<String, Error> {
    if a.detail {
        let (r, d) = evaluate_network_detailed(sc, &a.schedule, a.fixes, &mut Default::default())
            .map_err(network_error)?;
        let mut v =
            serde_json::to_value(&r).map_err(|e| Error(format!("cannot write the report: {e}")))?;
        v["detail"] =
            serde_json::to_value(&d).map_err(|e| Error(format!("cannot write the detail: {e}")))?;
        return Ok(format!("{v}\n"));
    }
    let r = evaluate_network_fixed(sc, &a.schedule, a.fixes).map_err(network_error)?;
    Ok(match a.format {
        Format::Json => {
            let v = serde_json::to_string(&r)
                .map_err(|e| Error(format!("cannot write the report: {e}")))?;
            format!("{v}\n")
        }
        Format::Table => table(&r),
    })
}

/// `defines explain`: the scenario's documents validated, then
/// [`crate::explain::run`].
fn explain(a: &EvalArgs, item: &str, texts: &Texts) -> Result<String, Error> {
    let sc = validate_texts(texts)?;
    crate::explain::run(&sc, a, item)
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

pub fn run(cmd: Command) -> Result<Output, Error> {
    match cmd {
        Command::Import(a) => crate::onnx::import_cmd(&a),
        Command::ImportZigzag(a) => crate::zigzag::import_cmd(&a),
        Command::Eval(a) => {
            let t = load_texts(&a.inputs)?;
            let stdout = eval(a, &t)?;
            Ok(Output {
                stdout,
                stderr: t.notes,
            })
        }
        Command::Explain(a, item) => {
            let t = load_texts(&a.inputs)?;
            let stdout = explain(&a, &item, &t)?;
            Ok(Output {
                stdout,
                stderr: t.notes,
            })
        }
        Command::Sweep(a) => {
            let t = load_texts(&a.inputs)?;
            let (stdout, lenses) = crate::sweep::run(&a, &t)?;
            Ok(Output {
                stdout,
                stderr: t.notes + &lenses,
            })
        }
        other => run_text(other).map(Output::from),
    }
}

fn run_text(cmd: Command) -> Result<String, Error> {
    match cmd {
        Command::Import(a) => crate::onnx::import_cmd(&a).map(|o| o.stdout),
        Command::ImportZigzag(a) => crate::zigzag::import_cmd(&a).map(|o| o.stdout),
        Command::Eval(a) => {
            let t = load_texts(&a.inputs)?;
            eval(a, &t)
        }
        Command::Sweep(a) => crate::sweep::run(&a, &load_texts(&a.inputs)?).map(|(out, _)| out),
        Command::Explain(a, item) => explain(&a, &item, &load_texts(&a.inputs)?),
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
            let text = load_workload(&workload)?;
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
