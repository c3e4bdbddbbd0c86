//! What the worker computes for a request: pure, so it is tested natively
//! and, in the browser, through the real worker (bit-for-bit equal).
//!
//! A request becomes a [`Job`] that yields its responses one by one (one
//! for `Evaluate`, one per schedule plus a final one for `Sweep`), so the
//! worker can post each as soon as it exists.

use crate::protocol::{decode, encode, Inputs, Request, Response, SweepPoint, SweepTotals};
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
            Request::Import { .. } | Request::ImportZigzag { .. } => {
                JobKind::Answer(Box::new(Response::ProtocolError {
                    message: crate::importer::NOT_HERE.into(),
                }))
            }
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

/// Decodes a message into a job; bytes that are not a request become a
/// one-answer job with a protocol error.
pub fn start_message(handler: &mut Handler, bytes: &[u8]) -> Job {
    match decode::<Request>(bytes) {
        Ok(req) => handler.start(req),
        Err(message) => Job {
            run_id: 0,
            kind: JobKind::Answer(Box::new(Response::ProtocolError { message })),
        },
    }
}

/// Every answer to one message, encoded (tests and simple callers).
pub fn handle_message(handler: &mut Handler, bytes: &[u8]) -> Vec<Vec<u8>> {
    let mut job = start_message(handler, bytes);
    std::iter::from_fn(|| handler.next(&mut job))
        .map(|r| encode(&r))
        .collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::defaults::{default_inputs, default_request_message};
    use defines_model::{Overlap, Tile};

    /// The schedule of a mode and tile (also the importer's tests').
    pub(crate) fn schedule(mode: u8, x: u64, y: u64) -> Schedule {
        Schedule {
            tile: Tile { x, y },
            overlap: Overlap::from_mode(mode).unwrap(),
            ..Schedule::default()
        }
    }

    /// docs/model.md §6.10: FSRCNN on Meta_prototype_DF, mode 3, tile 16x18.
    #[test]
    fn default_request_gives_reference_totals() {
        let out = handle_message(&mut Handler::default(), &default_request_message());
        assert_eq!(out.len(), 1);
        let Ok(Response::Evaluated { run_id, report, .. }) = decode(&out[0]) else {
            panic!("{:?}", decode::<Response>(&out[0]))
        };
        assert_eq!(run_id, 1);
        assert_eq!(report.latency_cycles, 20_523_395);
        assert!((report.energy_pj / 1_822_760_872.090 - 1.0).abs() < 1e-9);
    }

    /// The exact response for the default request, written as JSON (whose
    /// floats round-trip, so equal text is equal bits); the browser test
    /// (`tests/web.rs`) checks the wasm build gives the same.
    /// Re-bless with `UPDATE_GOLDEN=1 cargo test -p defines-playground`.
    #[test]
    fn default_response_matches_golden() {
        let out = handle_message(&mut Handler::default(), &default_request_message());
        let json = crate::defaults::response_as_json(&out[0]);
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tests/golden/default_evaluate_response.json"
        );
        if std::env::var_os("UPDATE_GOLDEN").is_some() {
            std::fs::write(path, &json).unwrap();
        }
        assert_eq!(json, std::fs::read_to_string(path).unwrap());
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
            let bytes = encode(&Request::Evaluate {
                run_id: 1,
                inputs: default_inputs(),
                schedule: schedule(3, 60, 72),
                fixes: Fixes::default(),
                detail,
            });
            match decode(&handle_message(&mut h, &bytes)[0]) {
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
    fn non_protocol_bytes_are_a_protocol_error() {
        let out = handle_message(&mut Handler::default(), b"hello");
        let r: Response = decode(&out[0]).unwrap();
        assert!(matches!(r, Response::ProtocolError { .. }));
    }
}
