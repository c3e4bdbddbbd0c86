//! ZigZag YAML files in the CLI: `defines import zigzag`, and a `.yaml` /
//! `.yml` path wherever `--hardware`, `--workload` or `--mapping` take a
//! file (converted through `defines_import::zigzag`). A ZigZag mapping is
//! resolved against the scenario's workload and hardware documents,
//! whatever they come from, and sets the workload's memory-operand links.

use crate::args::ZigzagArgs;
use crate::commands::Error;
use defines_import::zigzag::{self, LayerKey, Problem, WorkloadInput, Yaml};
use serde_json::Value;

/// Whether a path names a ZigZag YAML file.
pub(crate) fn is_yaml(path: &str) -> bool {
    let p = path.to_ascii_lowercase();
    p.ends_with(".yaml") || p.ends_with(".yml")
}

fn read(path: &str) -> Result<String, Error> {
    let len = std::fs::metadata(path)
        .map_err(|e| Error(format!("cannot read the ZigZag file `{path}` ({e})")))?
        .len();
    let max = defines_import::limits::MAX_YAML_BYTES;
    if len > max as u64 {
        return Err(Error(defines_model::limits::exceeded(
            &format!("`{path}`: the YAML file's size in bytes"),
            len,
            max,
            defines_import::limits::MAX_YAML_BYTES_WHY,
        )));
    }
    std::fs::read_to_string(path)
        .map_err(|e| Error(format!("cannot read the ZigZag file `{path}` ({e})")))
}

fn problems(p: &[Problem]) -> Error {
    let lines: Vec<String> = p.iter().map(|p| format!("  {p}")).collect();
    Error(format!(
        "cannot convert the ZigZag input:\n{}",
        lines.join("\n")
    ))
}

pub(crate) fn notes_text(notes: &[Problem]) -> String {
    notes.iter().map(|n| format!("note: {n}\n")).collect()
}

fn stem(path: &str) -> String {
    std::path::Path::new(path)
        .file_stem()
        .map_or_else(|| "zigzag".into(), |s| s.to_string_lossy().into_owned())
}

/// A ZigZag accelerator as a hardware document text, and its notes.
pub(crate) fn hardware(path: &str) -> Result<(String, String), Error> {
    let t = read(path)?;
    let c = zigzag::hardware(Yaml {
        file: path,
        text: &t,
    })
    .map_err(|p| problems(&p))?;
    Ok((c.document.to_string(), notes_text(&c.notes)))
}

/// A ZigZag workload as a workload document text, its layers' keys and
/// its notes.
pub(crate) fn workload(path: &str) -> Result<(String, Vec<LayerKey>, String), Error> {
    let t = read(path)?;
    let (c, keys) = zigzag::workload(
        Yaml {
            file: path,
            text: &t,
        },
        &stem(path),
    )
    .map_err(|p| problems(&p))?;
    Ok((c.document.to_string(), keys, notes_text(&c.notes)))
}

fn json(kind: &str, text: &str) -> Result<Value, Error> {
    serde_json::from_str(text).map_err(|e| Error(format!("the {kind} is not JSON: {e}")))
}

/// A ZigZag mapping for the scenario's hardware and workload texts: the
/// mapping text, the workload text with its links set, and the notes.
pub(crate) fn mapping(
    path: &str,
    hw_text: &str,
    wl_text: &str,
    keys: Option<&[LayerKey]>,
) -> Result<(String, String, String), Error> {
    let t = read(path)?;
    let hw = json("hardware", hw_text)?;
    let mut wl = json("workload", wl_text)?;
    let c = zigzag::mapping(
        Yaml {
            file: path,
            text: &t,
        },
        &hw,
        &mut wl,
        keys,
    )
    .map_err(|p| problems(&p))?;
    Ok((c.document.to_string(), wl.to_string(), notes_text(&c.notes)))
}

/// `defines import zigzag`: `{hardware, mapping, workload}` on stdout,
/// the notes on stderr.
pub(crate) fn import_cmd(a: &ZigzagArgs) -> Result<crate::commands::Output, Error> {
    for (flag, p) in [("--hardware", &a.hardware), ("--mapping", &a.mapping)] {
        if !is_yaml(p) {
            return Err(Error(format!(
                "{flag} `{p}` is not a ZigZag YAML file (a path ending in .yaml or .yml)"
            )));
        }
    }
    let (hw, map) = (read(&a.hardware)?, read(&a.mapping)?);
    let wl_yaml = if is_yaml(&a.workload) {
        Some(read(&a.workload)?)
    } else {
        None
    };
    let name = stem(&a.workload);
    let w = match &wl_yaml {
        Some(t) => WorkloadInput::Yaml(
            Yaml {
                file: &a.workload,
                text: t,
            },
            &name,
        ),
        None => WorkloadInput::Document(json(
            "workload",
            &crate::commands::load_workload(&a.workload)?,
        )?),
    };
    let d = zigzag::convert(
        Yaml {
            file: &a.hardware,
            text: &hw,
        },
        Yaml {
            file: &a.mapping,
            text: &map,
        },
        w,
    )
    .map_err(|p| problems(&p))?;
    let mut out = serde_json::to_string_pretty(&d.to_json())
        .map_err(|e| Error(format!("cannot write the documents: {e}")))?;
    out.push('\n');
    Ok(crate::commands::Output {
        stdout: out,
        stderr: notes_text(&d.notes),
    })
}
