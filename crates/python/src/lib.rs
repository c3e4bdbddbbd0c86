//! `defines._defines`: the native half of the Python package `defines`
//! (the Python half, `python/defines/`, turns keyword arguments into the
//! CLI's options and JSON text into dicts).
//!
//! Everything here goes through [`defines_cli::library`], so a result is
//! the CLI's JSON byte for byte. The model runs with the interpreter
//! detached (`Python::detach`): other Python threads go on meanwhile.
//! Documents cross as `(kind, value)` pairs: `("name", preset-or-path)` or
//! `("text", json)`.

use defines_cli::args::Tiles;
use defines_cli::commands::Source;
use defines_cli::library::{self, Documents, Failure};
use defines_model::presets;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

type Doc = (String, String);
/// A hardware point: its `(label, value as JSON)` pairs and document.
type PointOut = (Vec<(String, String)>, String);

fn source(d: Doc) -> PyResult<Source> {
    match d.0.as_str() {
        "name" => Ok(Source::Named(d.1)),
        "text" => Ok(Source::Text(d.1)),
        other => Err(PyValueError::new_err(format!(
            "a document is (\"name\", preset-or-path) or (\"text\", json), not ({other:?}, …)"
        ))),
    }
}

fn documents(hardware: Doc, workload: Doc, mapping: Option<Doc>) -> PyResult<Documents> {
    Ok(Documents {
        hardware: source(hardware)?,
        workload: source(workload)?,
        mapping: mapping.map(source).transpose()?,
    })
}

/// `defines.InputError(message, [(path, message), ...])`.
fn input_error(py: Python<'_>, f: Failure) -> PyErr {
    let diags: Vec<(String, String)> = f
        .diagnostics
        .into_iter()
        .map(|d| (d.path, d.message))
        .collect();
    let made = py
        .import("defines._errors")
        .and_then(|m| m.getattr("InputError"))
        .and_then(|c| c.call1((f.message, diags)));
    match made {
        Ok(e) => PyErr::from_value(e),
        Err(e) => e,
    }
}

/// The preset names per kind: `[(kind, [name, ...]), ...]`.
#[pyfunction]
fn presets_list() -> Vec<(String, Vec<String>)> {
    [
        ("hardware", presets::HARDWARE),
        ("workloads", presets::WORKLOADS),
        ("mappings", presets::MAPPINGS),
    ]
    .iter()
    .map(|(k, t)| {
        (
            k.to_string(),
            t.iter().map(|(n, _)| n.to_string()).collect(),
        )
    })
    .collect()
}

/// A preset's JSON text, or `None`.
#[pyfunction]
fn preset_text(kind: &str, name: &str) -> Option<String> {
    let table = match kind {
        "hardware" => presets::HARDWARE,
        "workload" | "workloads" => presets::WORKLOADS,
        "mapping" | "mappings" => presets::MAPPINGS,
        _ => return None,
    };
    table
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, t)| t.to_string())
}

/// `defines COMMAND --hardware … --workload … [--mapping …] REST…
/// --format json`, printed text.
#[pyfunction]
#[pyo3(signature = (command, rest, hardware, workload, mapping=None))]
fn run_json(
    py: Python<'_>,
    command: String,
    rest: Vec<String>,
    hardware: Doc,
    workload: Doc,
    mapping: Option<Doc>,
) -> PyResult<String> {
    let docs = documents(hardware, workload, mapping)?;
    py.detach(move || library::run_json(&command, &rest, &docs))
        .map_err(|f| input_error(py, f))
}

/// The three documents as JSON text (presets, files, ZigZag and ONNX
/// conversions resolved), validated: `(hardware, workload, mapping)`.
#[pyfunction]
#[pyo3(signature = (hardware, workload, mapping=None))]
fn load_texts(
    py: Python<'_>,
    hardware: Doc,
    workload: Doc,
    mapping: Option<Doc>,
) -> PyResult<(String, String, String)> {
    let docs = documents(hardware, workload, mapping)?;
    py.detach(move || library::load_texts(&docs))
        .map(|t| (t.hardware, t.workload, t.mapping))
        .map_err(|f| input_error(py, f))
}

/// The tile widths and heights of `tiles` (`"auto"`, `"case-study-1"` or
/// `"grid"` with the lists) for these documents.
#[pyfunction]
#[pyo3(signature = (hardware, workload, mapping, tiles, xs, ys))]
fn tile_axes(
    py: Python<'_>,
    hardware: Doc,
    workload: Doc,
    mapping: Option<Doc>,
    tiles: &str,
    xs: Vec<u64>,
    ys: Vec<u64>,
) -> PyResult<(Vec<u64>, Vec<u64>)> {
    let tiles = match tiles {
        "auto" => Tiles::Auto,
        "case-study-1" => Tiles::CaseStudy1,
        "grid" => Tiles::Grid(xs, ys),
        other => {
            return Err(PyValueError::new_err(format!(
                "tiles is \"auto\", \"case-study-1\" or (widths, heights), not {other:?}"
            )))
        }
    };
    let docs = documents(hardware, workload, mapping)?;
    py.detach(move || library::tile_axes(&docs, &tiles))
        .map_err(|f| input_error(py, f))
}

/// The hardware points of `--vary` texts: `[([(label, value-json), ...],
/// hardware-json), ...]`.
#[pyfunction]
fn variants(py: Python<'_>, hardware: Doc, vary: Vec<String>) -> PyResult<Vec<PointOut>> {
    let hw = source(hardware)?;
    let points = py
        .detach(move || library::variants(&hw, &vary))
        .map_err(|f| input_error(py, f))?;
    Ok(points
        .into_iter()
        .map(|v| {
            let values = v
                .values
                .into_iter()
                .map(|(k, x)| (k, x.to_string()))
                .collect();
            (values, v.hardware)
        })
        .collect())
}

/// The Pareto flags of rows (`(energy, latency)` or `None` for an error),
/// as `defines sweep` computes them.
#[pyfunction]
fn pareto_flags(rows: Vec<Option<(f64, u64)>>) -> Vec<bool> {
    library::pareto_flags(&rows)
}

/// The model's version (`defines_model::VERSION`).
#[pyfunction]
fn version() -> &'static str {
    defines_model::VERSION
}

#[pymodule]
fn _defines(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(presets_list, m)?)?;
    m.add_function(wrap_pyfunction!(preset_text, m)?)?;
    m.add_function(wrap_pyfunction!(run_json, m)?)?;
    m.add_function(wrap_pyfunction!(load_texts, m)?)?;
    m.add_function(wrap_pyfunction!(tile_axes, m)?)?;
    m.add_function(wrap_pyfunction!(variants, m)?)?;
    m.add_function(wrap_pyfunction!(pareto_flags, m)?)?;
    m.add_function(wrap_pyfunction!(version, m)?)?;
    Ok(())
}
