//! ONNX models in the CLI: `defines import onnx`, and `--workload
//! MODEL.onnx` wherever a workload is read (imported with the default
//! options), with the spatial mapping then derived from the hardware
//! family's mappings (`defines_import::mapping`) unless `--mapping` is given.

use crate::args::ImportArgs;
use crate::commands::{Error, Output};
use defines_import::{import_bytes, mapping, ImportError, Options};

/// Whether a `--workload` value names an ONNX model.
pub(crate) fn is_onnx(path: &str) -> bool {
    path.to_ascii_lowercase().ends_with(".onnx")
}

fn read(path: &str) -> Result<Vec<u8>, Error> {
    let len = std::fs::metadata(path)
        .map_err(|e| Error(format!("cannot read the ONNX model `{path}` ({e})")))?
        .len();
    let max = defines_import::limits::MAX_ONNX_BYTES;
    if len > max as u64 {
        return Err(Error(defines_model::limits::exceeded(
            &format!("`{path}`: the ONNX file's size in bytes"),
            len,
            max,
            defines_import::limits::MAX_ONNX_BYTES_WHY,
        )));
    }
    std::fs::read(path).map_err(|e| Error(format!("cannot read the ONNX model `{path}` ({e})")))
}

fn failed(path: &str, e: ImportError) -> Error {
    let report = if e.report.lines.is_empty() {
        String::new()
    } else {
        format!("import report of `{path}`:\n{}", e.report)
    };
    Error(format!("{report}{path}: {}", e.message))
}

/// The workload document of an ONNX model, and its import report.
fn imported(path: &str, options: &Options) -> Result<(String, String), Error> {
    let mut options = options.clone();
    if options.name.is_none() {
        options.name = std::path::Path::new(path)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned());
    }
    let r = import_bytes(read(path)?.into(), &options).map_err(|e| failed(path, e))?;
    Ok((r.workload_text(), r.report.to_string()))
}

/// `--workload MODEL.onnx`: the imported workload (default options).
pub(crate) fn workload(path: &str) -> Result<String, Error> {
    imported(path, &Options::default())
        .map(|(w, _)| w)
        .map_err(|Error(m)| {
            Error(format!(
                "{m}\n(--workload imports with the defaults; for other options import it first: \
                 `defines import onnx {path} [options] > workload.json`, then give workload.json)"
            ))
        })
}

/// The mapping of an imported workload on a hardware document, by the
/// rule of its family (the document's name without `_DF`).
pub(crate) fn derived_mapping(hw_text: &str, wl_text: &str) -> Result<String, Error> {
    mapping::mapping_for(hw_text, wl_text).map_err(Error)
}

/// `defines import onnx`: the workload on stdout, the report on stderr.
pub(crate) fn import_cmd(a: &ImportArgs) -> Result<Output, Error> {
    let (workload, report) = imported(&a.path, &a.options)?;
    Ok(Output {
        stdout: workload,
        stderr: report,
    })
}
