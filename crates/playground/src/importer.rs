//! What the import worker computes: a dropped ONNX model or ZigZag files
//! turned into documents (`defines_import`). Pure, so it is tested
//! natively; in the browser it runs in a worker of its own (`importer`),
//! started on the first drop, so that a first visit does not load the
//! importers (about 210 KiB gzip) with the model.

use crate::protocol::{decode, ImportOutcome, Request, Response};

/// The model worker's answer to an import request.
pub const NOT_HERE: &str =
    "imports are answered by the import worker (importer.js), not the model worker";

/// The answer to one import request; any other request is a protocol
/// error (they go to the model worker).
pub fn answer(req: Request) -> Response {
    match req {
        Request::Import {
            run_id,
            file_name,
            bytes_base64,
            hardware_json,
            input_shape,
        } => Response::Imported {
            run_id,
            outcome: Box::new(import_onnx(
                file_name,
                &bytes_base64,
                &hardware_json,
                input_shape,
            )),
        },
        Request::ImportZigzag {
            run_id,
            files,
            workload_json,
        } => Response::Imported {
            run_id,
            outcome: Box::new(import_zigzag(&files, &workload_json)),
        },
        _ => Response::ProtocolError {
            message: "the import worker only imports files; evaluations go to the model worker"
                .into(),
        },
    }
}

/// Decodes a message and answers it; bytes that are not a request are a
/// protocol error.
pub fn answer_message(bytes: &[u8]) -> Response {
    match decode::<Request>(bytes) {
        Ok(req) => answer(req),
        Err(message) => Response::ProtocolError { message },
    }
}

/// What a ZigZag YAML file describes, from its top-level keys.
fn zigzag_kind(text: &str) -> Option<&'static str> {
    let has = |k: &str| {
        text.lines()
            .any(|l| l.trim_start().trim_start_matches("- ").starts_with(k))
    };
    if has("memories:") || has("operational_array:") {
        Some("hardware")
    } else if has("spatial_mapping:") {
        Some("mapping")
    } else if has("equation:") {
        Some("workload")
    } else {
        None
    }
}

/// ZigZag YAML files converted into the three documents
/// (`defines_import::zigzag`), each file recognised by what it holds.
fn import_zigzag(files: &[(String, String)], workload_json: &str) -> ImportOutcome {
    use defines_import::zigzag::{self, WorkloadInput, Yaml};
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    let file_name = names.join(", ");
    let fail = |why: String| ImportOutcome::failed(file_name.clone(), why);
    let mut by_kind: std::collections::BTreeMap<&str, (&str, &str)> = Default::default();
    for (name, text) in files {
        let Some(kind) = zigzag_kind(text) else {
            return fail(format!("{name}: not a ZigZag accelerator (memories:), mapping (spatial_mapping:) or workload (equation:)"));
        };
        if let Some((other, _)) = by_kind.insert(kind, (name, text)) {
            return fail(format!(
                "{other} and {name} are both a ZigZag {kind}; drop one of each"
            ));
        }
    }
    let (Some(&(hw_name, hw)), Some(&(map_name, map))) =
        (by_kind.get("hardware"), by_kind.get("mapping"))
    else {
        return fail("drop a ZigZag accelerator and its mapping together (and a workload, or the current network is used)".into());
    };
    let current: serde_json::Value = serde_json::from_str(workload_json).unwrap_or_default();
    let stem = by_kind
        .get("workload")
        .and_then(|(n, _)| std::path::Path::new(n).file_stem())
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let wl = match by_kind.get("workload") {
        Some(&(file, text)) => WorkloadInput::Yaml(Yaml { file, text }, &stem),
        None => WorkloadInput::Document(current),
    };
    let text = |v: &serde_json::Value| serde_json::to_string_pretty(v).unwrap_or_default();
    match zigzag::convert(
        Yaml {
            file: hw_name,
            text: hw,
        },
        Yaml {
            file: map_name,
            text: map,
        },
        wl,
    ) {
        Ok(d) => ImportOutcome {
            file_name,
            documents: Ok((text(&d.workload), text(&d.mapping))),
            report: d.notes.iter().map(|n| format!("{n}\n")).collect(),
            hardware: Some(text(&d.hardware)),
        },
        Err(problems) => ImportOutcome {
            report: problems.iter().map(|p| format!("{p}\n")).collect(),
            ..fail(format!(
                "{} problem(s) in the ZigZag files (listed in the report)",
                problems.len()
            ))
        },
    }
}

/// An ONNX model imported with the default options (docs in
/// `defines_import`), its mapping derived for the hardware's family.
fn import_onnx(
    file_name: String,
    bytes_base64: &str,
    hardware_json: &str,
    input_shape: Option<[u64; 4]>,
) -> ImportOutcome {
    use base64::Engine;
    let options = defines_import::Options {
        name: std::path::Path::new(&file_name)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned()),
        input_shape,
        ..Default::default()
    };
    let bytes = match base64::engine::general_purpose::STANDARD.decode(bytes_base64) {
        Ok(b) => b,
        Err(e) => {
            return ImportOutcome::failed(
                file_name,
                format!("the file did not arrive intact ({e})"),
            )
        }
    };
    match defines_import::import_bytes(bytes.into(), &options) {
        Ok(imported) => {
            let workload = imported.workload_text();
            let documents = defines_import::mapping::mapping_for(hardware_json, &workload)
                .map(|mapping| (workload, mapping));
            ImportOutcome {
                file_name,
                documents,
                report: imported.report.to_string(),
                hardware: None,
            }
        }
        Err(e) => ImportOutcome {
            report: e.report.to_string(),
            ..ImportOutcome::failed(file_name, e.message)
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::handler::tests::schedule;

    /// A dropped ONNX model comes back as a workload and a mapping that
    /// validate with the hardware; a file that is not ONNX as a reason.
    #[test]
    fn onnx_import_gives_documents_or_a_reason() {
        use base64::Engine;
        let onnx = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../import/tests/data/resnet18.onnx"
        ))
        .unwrap();
        let hw = defines_model::presets::hardware("Meta_prototype_DF").unwrap();
        let answer = |bytes: &[u8]| {
            let r = super::answer(Request::Import {
                run_id: 5,
                file_name: "fsrcnn.onnx".into(),
                bytes_base64: base64::engine::general_purpose::STANDARD.encode(bytes),
                hardware_json: hw.into(),
                input_shape: None,
            });
            match r {
                Response::Imported { run_id: 5, outcome } => *outcome,
                other => panic!("{other:?}"),
            }
        };
        let ok = answer(&onnx);
        let (workload, mapping) = ok.documents.unwrap();
        let sc = defines_model::validate_json(&workload, hw, &mapping).unwrap();
        assert_eq!(
            sc.workload.total_macs(),
            9_353_143_424,
            "resnet18's MACs, as the preset"
        );
        assert!(ok.report.contains("Conv"), "{}", ok.report);
        let bad = answer(b"not an onnx file");
        assert!(bad.documents.unwrap_err().to_lowercase().contains("onnx"));
    }

    /// Dropped ZigZag files (recognised by what they hold, in any order)
    /// become the three documents; a lone accelerator is a reason.
    #[test]
    fn zigzag_files_become_the_three_documents() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../import/tests/data/zigzag/");
        let file = |n: &str| {
            (
                n.to_string(),
                std::fs::read_to_string(format!("{dir}{n}")).unwrap(),
            )
        };
        let files = vec![
            file("fsrcnn.yaml"),
            file("meta_prototype_fsrcnn_mapping.yaml"),
            file("meta_prototype_df.yaml"),
        ];
        let answer = |files: Vec<(String, String)>| {
            let r = super::answer(Request::ImportZigzag {
                run_id: 2,
                files,
                workload_json: String::new(),
            });
            match r {
                Response::Imported { outcome, .. } => *outcome,
                other => panic!("{other:?}"),
            }
        };
        let ok = answer(files.clone());
        let (workload, mapping) = ok.documents.clone().unwrap();
        let hw = ok.hardware.unwrap();
        let sc = defines_model::validate_json(&workload, &hw, &mapping).unwrap();
        let preset = defines_model::validate_json(
            defines_model::presets::workload("fsrcnn").unwrap(),
            defines_model::presets::hardware("Meta_prototype_DF").unwrap(),
            defines_model::presets::mapping("Meta_prototype__fsrcnn").unwrap(),
        )
        .unwrap();
        let sched = schedule(3, 16, 18);
        let a = defines_model::evaluate_network(&sc, &sched).unwrap();
        let b = defines_model::evaluate_network(&preset, &sched).unwrap();
        assert_eq!(
            (a.energy_pj.to_bits(), a.latency_cycles),
            (b.energy_pj.to_bits(), b.latency_cycles)
        );
        let lone = answer(vec![files[2].clone()]);
        assert!(lone.documents.unwrap_err().contains("mapping"));
        let junk = answer(vec![("x.yaml".into(), "a: 1".into())]);
        assert!(junk.documents.unwrap_err().contains("x.yaml"));
    }

    /// Evaluations are not the import worker's, and the model worker
    /// refuses imports: each request has one home.
    #[test]
    fn each_request_has_one_worker() {
        let eval = crate::defaults::default_request_message();
        assert!(matches!(
            answer_message(&eval),
            Response::ProtocolError { .. }
        ));
        assert!(matches!(
            answer_message(b"hello"),
            Response::ProtocolError { .. }
        ));
        let import = Request::ImportZigzag {
            run_id: 3,
            files: vec![],
            workload_json: String::new(),
        };
        let mut h = crate::handler::Handler::default();
        let mut job = h.start(import.clone());
        assert_eq!(
            h.next(&mut job),
            Some(Response::ProtocolError {
                message: NOT_HERE.into()
            })
        );
        assert!(matches!(
            answer(import),
            Response::Imported { run_id: 3, .. }
        ));
    }
}
