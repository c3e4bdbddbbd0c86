//! What the worker computes for a request: pure, so it is tested natively
//! and, in the browser, through the real worker (bit-for-bit equal).
//!
//! A request becomes a [`Job`] that yields its responses one by one (one
//! for `Evaluate`, one per schedule plus a final one for `Sweep`), so the
//! worker can post each as soon as it exists.

use crate::protocol::{
    decode, encode, ImportOutcome, Inputs, Request, Response, SweepPoint, SweepTotals,
};
use defines_model::{
    evaluate_network_cached, evaluate_network_detailed, validate_json, validate_schedule,
    EvalCache, Fixes, NetworkError, Schedule, ValidScenario,
};

/// The worker's state: the last validated inputs, so that moving a slider
/// does not re-parse three JSON documents, and the single-layer
/// evaluations already done for them, so that a schedule sharing layer
/// shapes and memory levels with an earlier one is answered from memory.
#[derive(Default)]
pub struct Handler {
    current: Option<Current>,
}

struct Current {
    inputs: Inputs,
    scenario: ValidScenario,
    cache: EvalCache,
}

/// The remaining work of one request.
pub struct Job {
    run_id: u64,
    kind: JobKind,
}

enum JobKind {
    Done,
    Answer(Box<Response>),
    Sweep {
        schedules: std::vec::IntoIter<Schedule>,
        index: u32,
        total: u32,
        fixes: Fixes,
    },
}

impl Handler {
    /// The validated scenario of `inputs` with its evaluation cache.
    fn current(&mut self, inputs: Inputs) -> Result<&mut Current, Response> {
        let reuse = self.current.as_ref().is_some_and(|c| c.inputs == inputs);
        if !reuse {
            let scenario = validate_json(
                &inputs.workload_json,
                &inputs.hardware_json,
                &inputs.mapping_json,
            )
            .map_err(|diagnostics| Response::Invalid {
                run_id: 0,
                diagnostics,
            })?;
            self.current = Some(Current {
                inputs,
                scenario,
                cache: EvalCache::default(),
            });
        }
        let cur = self
            .current
            .as_mut()
            .ok_or_else(|| Response::ProtocolError {
                message: "no scenario".into(),
            })?;
        Ok(cur)
    }

    /// Starts a request. Never panics: bad input becomes an answer.
    pub fn start(&mut self, req: Request) -> Job {
        let run_id = req.run_id();
        let kind = match req {
            Request::Evaluate {
                inputs,
                schedule,
                fixes,
                detail,
                ..
            } => JobKind::Answer(Box::new(match self.current(inputs) {
                Err(r) => r,
                Ok(cur) => evaluate(cur, &schedule, fixes, detail, run_id),
            })),
            Request::Import {
                file_name,
                bytes_base64,
                hardware_json,
                input_shape,
                ..
            } => JobKind::Answer(Box::new(Response::Imported {
                run_id,
                outcome: Box::new(import_onnx(
                    file_name,
                    &bytes_base64,
                    &hardware_json,
                    input_shape,
                )),
            })),
            Request::ImportZigzag {
                files,
                workload_json,
                ..
            } => JobKind::Answer(Box::new(Response::Imported {
                run_id,
                outcome: Box::new(import_zigzag(&files, &workload_json)),
            })),
            Request::Sweep {
                inputs,
                schedules,
                fixes,
                ..
            } => match self.current(inputs) {
                Err(r) => JobKind::Answer(Box::new(r)),
                Ok(_) => JobKind::Sweep {
                    total: schedules.len().try_into().unwrap_or(u32::MAX),
                    schedules: schedules.into_iter(),
                    index: 0,
                    fixes,
                },
            },
        };
        let mut job = Job { run_id, kind };
        job.set_run_id();
        job
    }

    /// The next answer of a job (one evaluated schedule of a sweep).
    pub fn next(&mut self, job: &mut Job) -> Option<Response> {
        match std::mem::replace(&mut job.kind, JobKind::Done) {
            JobKind::Done => None,
            JobKind::Answer(r) => Some(*r),
            JobKind::Sweep {
                mut schedules,
                index,
                total,
                fixes,
            } => {
                let Some(schedule) = schedules.next() else {
                    return Some(Response::SweepDone { run_id: job.run_id });
                };
                let point = match self.current.as_mut() {
                    Some(cur) => sweep_point(cur, schedule, fixes),
                    None => SweepPoint {
                        schedule,
                        outcome: Err(NetworkError::Graph(
                            "the worker lost its scenario; send the inputs again".into(),
                        )),
                    },
                };
                job.kind = JobKind::Sweep {
                    schedules,
                    index: index + 1,
                    total,
                    fixes,
                };
                Some(Response::SweepPoint {
                    run_id: job.run_id,
                    index,
                    total,
                    point: Box::new(point),
                })
            }
        }
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
    let fail = |why: String| ImportOutcome {
        file_name: file_name.clone(),
        documents: Err(why),
        report: String::new(),
        hardware: None,
    };
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
            return ImportOutcome {
                file_name,
                documents: Err(format!("the file did not arrive intact ({e})")),
                report: String::new(),
                hardware: None,
            }
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
            file_name,
            documents: Err(e.message),
            report: e.report.to_string(),
            hardware: None,
        },
    }
}

fn evaluate(
    cur: &mut Current,
    schedule: &Schedule,
    fixes: Fixes,
    detail: bool,
    run_id: u64,
) -> Response {
    let diagnostics = validate_schedule(&cur.scenario, schedule);
    if !diagnostics.is_empty() {
        return Response::Invalid {
            run_id,
            diagnostics,
        };
    }
    let outcome = if detail {
        evaluate_network_detailed(&cur.scenario, schedule, fixes, &mut cur.cache)
            .map(|(r, d)| (r, Some(Box::new(d))))
    } else {
        evaluate_network_cached(&cur.scenario, schedule, fixes, &mut cur.cache).map(|r| (r, None))
    };
    match outcome {
        Ok((report, detail)) => Response::Evaluated {
            run_id,
            report: Box::new(report),
            detail,
        },
        Err(e) => Response::Failed {
            run_id,
            message: e.to_string(),
        },
    }
}

fn sweep_point(cur: &mut Current, schedule: Schedule, fixes: Fixes) -> SweepPoint {
    let diagnostics = validate_schedule(&cur.scenario, &schedule);
    let outcome = if diagnostics.is_empty() {
        evaluate_network_cached(&cur.scenario, &schedule, fixes, &mut cur.cache)
            .map(|r| SweepTotals::of(&r))
    } else {
        Err(NetworkError::Schedule(diagnostics))
    };
    SweepPoint { schedule, outcome }
}

impl Job {
    /// Scenario errors are produced before the run id is known to
    /// `scenario`; stamp it here.
    fn set_run_id(&mut self) {
        if let JobKind::Answer(r) = &mut self.kind {
            if let Response::Invalid { run_id, .. } = r.as_mut() {
                *run_id = self.run_id;
            }
        }
    }
}

/// Decodes a message into a job; text that is not a request becomes a
/// one-answer job with a protocol error.
pub fn start_message(handler: &mut Handler, text: &str) -> Job {
    match decode::<Request>(text) {
        Ok(req) => handler.start(req),
        Err(message) => Job {
            run_id: 0,
            kind: JobKind::Answer(Box::new(Response::ProtocolError { message })),
        },
    }
}

/// Every answer to one message, encoded (tests and simple callers).
pub fn handle_message(handler: &mut Handler, text: &str) -> Vec<String> {
    let mut job = start_message(handler, text);
    std::iter::from_fn(|| handler.next(&mut job))
        .map(|r| encode(&r))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::defaults::{default_inputs, default_request_text};
    use defines_model::{Overlap, Tile};

    fn schedule(mode: u8, x: u64, y: u64) -> Schedule {
        Schedule {
            tile: Tile { x, y },
            overlap: Overlap::from_mode(mode).unwrap(),
            ..Schedule::default()
        }
    }

    /// docs/model.md §6.10: FSRCNN on Meta_prototype_DF, mode 3, tile 16x18.
    #[test]
    fn default_request_gives_reference_totals() {
        let out = handle_message(&mut Handler::default(), &default_request_text());
        assert_eq!(out.len(), 1);
        let Ok(Response::Evaluated { run_id, report, .. }) = decode(&out[0]) else {
            panic!("{}", &out[0][..200.min(out[0].len())])
        };
        assert_eq!(run_id, 1);
        assert_eq!(report.latency_cycles, 20_523_395);
        assert!((report.energy_pj / 1_822_760_872.090 - 1.0).abs() < 1e-9);
    }

    /// The exact response text for the default request; the browser test
    /// (`tests/web.rs`) checks the wasm build produces the same bytes.
    /// Re-bless with `UPDATE_GOLDEN=1 cargo test -p defines-playground`.
    #[test]
    fn default_response_matches_golden() {
        let out = handle_message(&mut Handler::default(), &default_request_text());
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tests/golden/default_evaluate_response.json"
        );
        if std::env::var_os("UPDATE_GOLDEN").is_some() {
            std::fs::write(path, &out[0]).unwrap();
        }
        assert_eq!(out[0], std::fs::read_to_string(path).unwrap());
    }

    #[test]
    fn sweep_yields_points_then_done() {
        let mut h = Handler::default();
        let mut job = h.start(Request::Sweep {
            run_id: 4,
            inputs: default_inputs(),
            schedules: vec![schedule(1, 960, 540), schedule(3, 0, 5)],
            fixes: Fixes::default(),
        });
        let answers: Vec<Response> = std::iter::from_fn(|| h.next(&mut job)).collect();
        assert_eq!(answers.len(), 3);
        let Response::SweepPoint {
            index,
            total,
            point,
            ..
        } = &answers[0]
        else {
            panic!()
        };
        assert_eq!((*index, *total), (0, 2));
        let t = point.outcome.as_ref().unwrap();
        assert_eq!(t.latency_cycles, 29_008_303);
        let Response::SweepPoint { point, .. } = &answers[1] else {
            panic!()
        };
        assert!(
            point
                .outcome
                .as_ref()
                .unwrap_err()
                .to_string()
                .contains("tile"),
            "{:?}",
            point.outcome
        );
        assert_eq!(answers[2], Response::SweepDone { run_id: 4 });
    }

    /// Asked for, the detail comes with the same report, and explains it.
    #[test]
    fn the_detail_comes_on_request_with_the_same_report() {
        let mut h = Handler::default();
        let mut ask = |detail| {
            let text = encode(&Request::Evaluate {
                run_id: 1,
                inputs: default_inputs(),
                schedule: schedule(3, 60, 72),
                fixes: Fixes::default(),
                detail,
            });
            match decode(&handle_message(&mut h, &text)[0]) {
                Ok(Response::Evaluated { report, detail, .. }) => (report, detail),
                other => panic!("{other:?}"),
            }
        };
        let (plain, none) = ask(false);
        let (report, detail) = ask(true);
        assert!(none.is_none());
        assert_eq!(report, plain);
        let detail = detail.expect("the detail");
        let sc = validate_json(
            &default_inputs().workload_json,
            &default_inputs().hardware_json,
            &default_inputs().mapping_json,
        )
        .unwrap();
        let e = defines_model::explain(&report, &detail, &sc.hardware, "memory/sram_64KB").unwrap();
        assert_eq!(e.total(), e.value);
        assert!(e.groups.len() > 3);
    }

    /// A warm cache gives the same bits as a cold evaluation.
    #[test]
    fn warm_answers_equal_cold_answers() {
        let mut warm = Handler::default();
        let req = |run_id, x, y| {
            encode(&Request::Evaluate {
                run_id,
                inputs: default_inputs(),
                schedule: schedule(3, x, y),
                fixes: Fixes::default(),
                detail: false,
            })
        };
        handle_message(&mut warm, &req(1, 16, 18));
        handle_message(&mut warm, &req(2, 60, 72));
        let warm_answer = handle_message(&mut warm, &req(3, 16, 18));
        let cold_answer = handle_message(&mut Handler::default(), &req(3, 16, 18));
        assert_eq!(warm_answer, cold_answer);
    }

    /// The Q36 fix reaches the model: on TPU_like (whose automatic cuts
    /// include one after layer 0) the answer equals the model's fixed
    /// evaluation and differs from the reference's.
    #[test]
    fn fixes_reach_the_model() {
        use defines_model::{evaluate_network, evaluate_network_fixed, presets, validate_json};
        let (hw, wl, mp) = ("TPU_like", "fsrcnn", "TPU_like__fsrcnn");
        let inputs = Inputs {
            hardware_json: presets::hardware(hw).unwrap().into(),
            workload_json: presets::workload(wl).unwrap().into(),
            mapping_json: presets::mapping(mp).unwrap().into(),
        };
        let sc = validate_json(
            &inputs.workload_json,
            &inputs.hardware_json,
            &inputs.mapping_json,
        )
        .unwrap();
        let sched = schedule(3, 60, 72);
        let mut h = Handler::default();
        let mut answer = |fixes| {
            let mut job = h.start(Request::Evaluate {
                run_id: 1,
                inputs: inputs.clone(),
                schedule: sched.clone(),
                fixes,
                detail: false,
            });
            match h.next(&mut job) {
                Some(Response::Evaluated { report, .. }) => *report,
                other => panic!("{other:?}"),
            }
        };
        let fixed = answer(Fixes::all());
        let reference = answer(Fixes::default());
        assert_eq!(
            fixed,
            evaluate_network_fixed(&sc, &sched, Fixes::all()).unwrap()
        );
        assert_eq!(reference, evaluate_network(&sc, &sched).unwrap());
        assert_ne!(fixed.stacks, reference.stacks);
        assert_ne!(fixed.energy_pj, reference.energy_pj);
    }

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
        let mut h = Handler::default();
        let mut answer = |bytes: &[u8]| {
            let mut job = h.start(Request::Import {
                run_id: 5,
                file_name: "fsrcnn.onnx".into(),
                bytes_base64: base64::engine::general_purpose::STANDARD.encode(bytes),
                hardware_json: hw.into(),
                input_shape: None,
            });
            match h.next(&mut job) {
                Some(Response::Imported { run_id: 5, outcome }) => *outcome,
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
        let mut h = Handler::default();
        let mut answer = |files: Vec<(String, String)>| {
            let mut job = h.start(Request::ImportZigzag {
                run_id: 2,
                files,
                workload_json: String::new(),
            });
            match h.next(&mut job) {
                Some(Response::Imported { outcome, .. }) => *outcome,
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

    #[test]
    fn bad_workload_is_invalid_with_run_id() {
        let mut inputs = default_inputs();
        inputs.workload_json = "[1,2".into();
        let mut h = Handler::default();
        let mut job = h.start(Request::Evaluate {
            run_id: 9,
            inputs,
            schedule: Schedule::default(),
            fixes: Fixes::default(),
            detail: false,
        });
        let out: Vec<Response> = std::iter::from_fn(|| h.next(&mut job)).collect();
        assert_eq!(out[0].run_id(), Some(9));
        let Response::Invalid { diagnostics, .. } = &out[0] else {
            panic!()
        };
        assert!(
            diagnostics[0].path.starts_with("workload"),
            "{diagnostics:?}"
        );
    }

    #[test]
    fn non_protocol_text_is_a_protocol_error() {
        let out = handle_message(&mut Handler::default(), "hello");
        let r: Response = decode(&out[0]).unwrap();
        assert!(matches!(r, Response::ProtocolError { .. }));
    }
}
