//! `defines import onnx MODEL.onnx [--input-shape NxCxHxW] [--precision
//! W=8,I=8,O=16,O_final=8] [--pointwise window|direct] [--name NAME]` and
//! `defines import zigzag --hardware H.yaml --mapping M.yaml --workload W`.

use super::{ArgError, Command, Flags, USAGE};
use defines_import::{Options, PointwiseForm, Precision};
use defines_model::limits;

/// The `import` command: the file and the import's options.
#[derive(Clone, PartialEq, Debug)]
pub struct ImportArgs {
    pub path: String,
    pub options: Options,
}

/// `import zigzag`: the ZigZag accelerator and mapping, and the workload
/// the mapping is resolved against (a ZigZag workload YAML, converted, or
/// any workload `eval` takes).
#[derive(Clone, PartialEq, Debug)]
pub struct ZigzagArgs {
    pub hardware: String,
    pub mapping: String,
    pub workload: String,
}

pub(super) fn parse_import(rest: &[&str]) -> Result<Command, ArgError> {
    if let Some((&"zigzag", flags)) = rest.split_first() {
        let mut f = Flags::collect(flags, &["--hardware", "--mapping", "--workload"], &[])?;
        let workload = f.get("--workload").map(str::to_string).ok_or_else(|| {
            ArgError(
                "--workload is required: a ZigZag mapping picks its entry by layer name or operator \
                 type, the mapping document lists layers by id, so it is resolved against a workload \
                 (a ZigZag workload YAML, converted and written too, or a preset/JSON/ONNX workload)"
                    .into(),
            )
        })?;
        return Ok(Command::ImportZigzag(ZigzagArgs {
            hardware: f.required("--hardware")?,
            mapping: f.required("--mapping")?,
            workload,
        }));
    }
    let (format, path, flags) = match rest {
        [format, path, flags @ ..] if !path.starts_with("--") => (*format, *path, flags),
        _ => {
            return Err(ArgError(format!(
                "import takes a format and a file: `defines import onnx MODEL.onnx`\n{USAGE}"
            )))
        }
    };
    if format != "onnx" {
        return Err(ArgError(format!(
            "import reads `onnx` and `zigzag` files, not `{format}`: `defines import onnx MODEL.onnx` or `defines import zigzag --hardware H.yaml --mapping M.yaml --workload W`"
        )));
    }
    let f = Flags::collect(
        flags,
        &["--input-shape", "--precision", "--pointwise", "--name"],
        &[],
    )?;
    let options = Options {
        input_shape: f.get("--input-shape").map(parse_shape).transpose()?,
        precision: f.parse_or("--precision", Precision::default(), parse_precision)?,
        pointwise: f.parse_or("--pointwise", PointwiseForm::default(), parse_pointwise)?,
        name: f.get("--name").map(str::to_string),
        ..Options::default()
    };
    Ok(Command::Import(ImportArgs {
        path: path.to_string(),
        options,
    }))
}

/// `1x3x224x224`: four whole numbers from 1 to the loop-size limit.
fn parse_shape(value: &str) -> Result<[u64; 4], ArgError> {
    defines_import::limits::parse_input_shape(value)
        .map_err(|e| ArgError(format!("--input-shape: {e}")))
}

/// `W=8,I=8,O=16,O_final=8` (any of them; the rest keep the default).
fn parse_precision(value: &str) -> Result<Precision, ArgError> {
    let mut p = Precision::default();
    for item in value.split(',') {
        let bad = || {
            ArgError(format!(
                "--precision takes OPERAND=BITS separated by commas, OPERAND one of W (weights), I \
                 (activations), O (partial sums), O_final (outputs) and BITS from 1 to {} (e.g. \
                 W=4,I=8), not `{item}`",
                limits::MAX_PRECISION_BITS
            ))
        };
        let (op, bits) = item.split_once('=').ok_or_else(bad)?;
        let bits = bits
            .trim()
            .parse::<u64>()
            .ok()
            .filter(|b| (1..=limits::MAX_PRECISION_BITS).contains(b))
            .ok_or_else(bad)?;
        match op.trim() {
            "W" => p.weights = bits,
            "I" => p.activations = bits,
            "O" => p.partial_sums = bits,
            "O_final" => p.output = bits,
            _ => return Err(bad()),
        }
    }
    Ok(p)
}

fn parse_pointwise(value: &str) -> Result<PointwiseForm, ArgError> {
    match value {
        "window" => Ok(PointwiseForm::Window),
        "direct" => Ok(PointwiseForm::Direct),
        other => Err(ArgError(format!(
            "--pointwise takes `window` (1×1 kernels with input-index relations, as mobilenetv1) \
             or `direct` (as fsrcnn), not `{other}`"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse;
    use super::*;
    use std::ffi::OsString;

    fn run(a: &[&str]) -> Result<Command, ArgError> {
        parse(&a.iter().map(OsString::from).collect::<Vec<_>>())
    }

    #[test]
    fn import_with_every_option() {
        let Ok(Command::Import(a)) = run(&[
            "import",
            "onnx",
            "m.onnx",
            "--input-shape",
            "1x3x540x960",
            "--precision",
            "W=4,O_final=16",
            "--pointwise",
            "direct",
            "--name",
            "net",
        ]) else {
            panic!("did not parse")
        };
        assert_eq!(a.path, "m.onnx");
        assert_eq!(a.options.input_shape, Some([1, 3, 540, 960]));
        assert_eq!(
            a.options.precision,
            Precision {
                weights: 4,
                activations: 8,
                partial_sums: 16,
                output: 16
            }
        );
        assert_eq!(a.options.pointwise, PointwiseForm::Direct);
        assert_eq!(a.options.name.as_deref(), Some("net"));
    }

    #[test]
    fn import_zigzag() {
        let Ok(Command::ImportZigzag(a)) = run(&[
            "import",
            "zigzag",
            "--hardware",
            "h.yaml",
            "--workload",
            "fsrcnn",
            "--mapping",
            "m.yml",
        ]) else {
            panic!("did not parse")
        };
        assert_eq!(
            a,
            ZigzagArgs {
                hardware: "h.yaml".into(),
                mapping: "m.yml".into(),
                workload: "fsrcnn".into()
            }
        );
        let err = |a: &[&str]| run(a).unwrap_err().0;
        let m = err(&[
            "import",
            "zigzag",
            "--hardware",
            "h.yaml",
            "--mapping",
            "m.yaml",
        ]);
        assert!(
            m.starts_with("--workload is required: a ZigZag mapping"),
            "{m}"
        );
        let m = err(&[
            "import",
            "zigzag",
            "--workload",
            "w.yaml",
            "--mapping",
            "m.yaml",
        ]);
        assert!(m.starts_with("--hardware is required"), "{m}");
        let m = err(&[
            "import",
            "zigzag",
            "--hardware",
            "h.yaml",
            "--hardware",
            "g.yaml",
        ]);
        assert_eq!(m, "--hardware is given twice; give each option once");
    }

    #[test]
    fn import_errors_name_the_option_and_the_value() {
        let err = |a: &[&str]| run(a).unwrap_err().0;
        assert!(err(&["import", "onnx"]).starts_with("import takes a format and a file"));
        assert!(err(&["import", "tflite", "m.tflite"]).contains("not `tflite`"));
        let m = err(&["import", "onnx", "m.onnx", "--input-shape", "1x3x224"]);
        assert!(m.contains("NxCxHxW") && m.contains("`1x3x224`"), "{m}");
        let m = err(&["import", "onnx", "m.onnx", "--precision", "W=0"]);
        assert!(m.contains("from 1 to 64") && m.contains("`W=0`"), "{m}");
        let m = err(&["import", "onnx", "m.onnx", "--precision", "Q=8"]);
        assert!(m.contains("`Q=8`"), "{m}");
        let m = err(&["import", "onnx", "m.onnx", "--pointwise", "1x1"]);
        assert!(m.contains("not `1x1`"), "{m}");
        let m = err(&["import", "onnx", "m.onnx", "--name", "a", "--name", "b"]);
        assert_eq!(m, "--name is given twice; give each option once");
    }
}
