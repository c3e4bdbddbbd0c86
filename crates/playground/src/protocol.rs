//! The worker protocol: the only types that cross the worker boundary.
//!
//! Messages travel as bytes in postcard's format (a `Uint8Array` posted
//! with its buffer transferred): every `f64` is its eight bytes, so it
//! arrives bit for bit, and the encoder and decoder are far smaller code
//! than JSON's, which matters because every byte of the page's wasm is a
//! byte of a first visit (measured 2026-12-04: 33 KiB gzip less than
//! `serde_json`). postcard is not self-describing: no field may be skipped
//! when serializing (no `skip_serializing_if`), and both ends must run the
//! same build. They normally do (the page and its model workers load one
//! module; the importer is built with it), and every message starts with
//! the build's [`FINGERPRINT`], so a page and a worker of different builds
//! (a worker started after a deploy, with no service worker holding the
//! old files) refuse each other's messages rather than misread them.
//! Every response to a request carries the request's `run_id`, so the page
//! can drop stale answers.

use defines_model::{Diagnostic, Fixes, NetworkDetail, NetworkReport, Schedule};
use serde::{Deserialize, Serialize};

/// The three input documents, as JSON text (a preset's text or the user's
/// edit).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inputs {
    pub hardware_json: String,
    pub workload_json: String,
    pub mapping_json: String,
}

/// Page -> worker.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Request {
    /// Evaluate one schedule.
    Evaluate {
        run_id: u64,
        inputs: Inputs,
        schedule: Schedule,
        /// Reference quirks fixed on request (default: none, the
        /// reference's numbers).
        #[serde(default)]
        fixes: Fixes,
        /// Also send the run's detail (for explanations and loop nests).
        #[serde(default)]
        detail: bool,
    },
    /// Evaluate many schedules, answering one [`Response::SweepPoint`] each
    /// and a final [`Response::SweepDone`].
    Sweep {
        run_id: u64,
        inputs: Inputs,
        schedules: Vec<Schedule>,
        #[serde(default)]
        fixes: Fixes,
    },
    /// Import an ONNX model (its bytes as base64) into a workload, with a
    /// mapping derived for this hardware.
    Import {
        run_id: u64,
        file_name: String,
        bytes_base64: String,
        hardware_json: String,
        /// The network input's `[N, C, H, W]`, overriding the file's
        /// (needed for dynamic sizes; e.g. a super-resolution network at
        /// 960×540).
        #[serde(default)]
        input_shape: Option<[u64; 4]>,
    },
    /// Convert ZigZag YAML files (name, text): an accelerator and a
    /// mapping, and a workload (else the page's workload is used).
    ImportZigzag {
        run_id: u64,
        files: Vec<(String, String)>,
        workload_json: String,
    },
}

/// What an ONNX import gave: the documents, or why not; the report either
/// way (one line per node).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportOutcome {
    pub file_name: String,
    /// The workload and mapping documents.
    pub documents: Result<(String, String), String>,
    pub report: String,
    /// The hardware document too (a ZigZag accelerator).
    #[serde(default)]
    pub hardware: Option<String>,
}

impl ImportOutcome {
    /// An import of `file_name` that gave no documents, and why.
    pub fn failed(file_name: String, why: String) -> ImportOutcome {
        ImportOutcome {
            file_name,
            documents: Err(why),
            report: String::new(),
            hardware: None,
        }
    }
}

/// One schedule of a sweep and its totals, or why it could not be
/// evaluated: the model's own type, so the page, the CLI and the model
/// agree on one shape.
pub use defines_model::{SweepPoint, SweepTotals};

/// Worker -> page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Response {
    /// The worker has started and accepts requests (sent once, unsolicited).
    Ready,
    /// The report of an `Evaluate` request.
    Evaluated {
        run_id: u64,
        report: Box<NetworkReport>,
        /// The run's detail, when asked for.
        #[serde(default)]
        detail: Option<Box<NetworkDetail>>,
    },
    /// The input did not validate: every problem, with its field path.
    Invalid {
        run_id: u64,
        diagnostics: Vec<Diagnostic>,
    },
    /// Valid input that the model cannot evaluate (e.g. a hierarchy too
    /// small for any mapping).
    Failed { run_id: u64, message: String },
    /// One evaluated schedule of a sweep (`index` of `total`).
    SweepPoint {
        run_id: u64,
        index: u32,
        total: u32,
        point: Box<SweepPoint>,
    },
    /// The sweep is complete.
    SweepDone { run_id: u64 },
    /// The answer to an `Import`.
    Imported {
        run_id: u64,
        outcome: Box<ImportOutcome>,
    },
    /// The message was not a request of this protocol (a page/worker
    /// version mismatch or a bug); the worker keeps running.
    ProtocolError { message: String },
}

impl Request {
    pub fn run_id(&self) -> u64 {
        match self {
            Request::Evaluate { run_id, .. }
            | Request::Sweep { run_id, .. }
            | Request::Import { run_id, .. }
            | Request::ImportZigzag { run_id, .. } => *run_id,
        }
    }
}

impl Response {
    /// The request this answers, if any.
    pub fn run_id(&self) -> Option<u64> {
        match self {
            Response::Evaluated { run_id, .. }
            | Response::Invalid { run_id, .. }
            | Response::Failed { run_id, .. }
            | Response::SweepPoint { run_id, .. }
            | Response::SweepDone { run_id }
            | Response::Imported { run_id, .. } => Some(*run_id),
            Response::Ready | Response::ProtocolError { .. } => None,
        }
    }
}

/// The first 16 bytes of every message: a hash of the playground's and the
/// model's sources (`build.rs`), as hex.
pub const FINGERPRINT: &[u8] = env!("DEFINES_PROTOCOL_FINGERPRINT").as_bytes();

/// Encodes a message for `postMessage`: [`FINGERPRINT`], then the message.
pub fn encode<T: Serialize>(msg: &T) -> Vec<u8> {
    // Serializing these plain data types cannot fail; the fallback (a
    // protocol error, which decodes as a `Response`) keeps the worker
    // alive even if that ever changed.
    postcard::to_extend(msg, FINGERPRINT.to_vec()).unwrap_or_else(|e| {
        let message = format!("cannot encode message: {e}");
        postcard::to_extend(&Response::ProtocolError { message }, FINGERPRINT.to_vec())
            .unwrap_or_default()
    })
}

/// Decodes a message received through `postMessage`: this build's
/// fingerprint, then exactly one message, no bytes left over. Any bytes
/// give a value or an error, never a panic; lengths are checked against
/// the bytes left, so garbage cannot make it allocate without bound (no
/// protocol type holds a zero-sized element).
pub fn decode<'a, T: Deserialize<'a>>(bytes: &'a [u8]) -> Result<T, String> {
    let Some(body) = bytes.strip_prefix(FINGERPRINT) else {
        return Err(
            "not a message of this build of the playground (the page and the worker \
             were built apart, e.g. across a deploy): reload the page"
                .into(),
        );
    };
    match postcard::take_from_bytes(body) {
        Ok((msg, [])) => Ok(msg),
        Ok((_, rest)) => Err(format!(
            "not a protocol message: {} bytes left after the message",
            rest.len()
        )),
        Err(e) => Err(format!("not a protocol message: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_round_trips() {
        let r = Request::Sweep {
            run_id: 7,
            inputs: Inputs {
                hardware_json: "{}".into(),
                workload_json: "[]".into(),
                mapping_json: "\"x\"".into(),
            },
            schedules: vec![Schedule::default()],
            fixes: Fixes::all(),
        };
        let back: Request = decode(&encode(&r)).unwrap();
        assert_eq!(back, r);
        assert_eq!(back.run_id(), 7);
    }

    #[test]
    fn floats_cross_bit_for_bit() {
        let x = 0.1 + 0.2;
        let p = SweepPoint {
            schedule: Schedule::default(),
            outcome: Ok(SweepTotals {
                energy_pj: x,
                latency_cycles: 3,
                edp: x * 3.0,
                macs: 7,
                mac_energy_pj: 1e-300,
                data_copy_energy_pj: 2_361_363_150.544_999_6,
                lens: defines_model::LensEnergies {
                    dram_pj: 0.1 + 0.7,
                    activations_pj: 5e-324,
                    dram_activations_pj: 1.0 / 3.0,
                },
                mem_energy_pj: 1e300,
                latency_split: [1, u64::MAX, 0, 7],
                element_accesses: vec![defines_model::MemoryAccesses {
                    memory: "dram".into(),
                    activations: 0.1 + 0.2,
                    weights: 7e-310,
                    copies: 9_007_199_254_740_993.0,
                }],
            }),
        };
        let back: SweepPoint = decode(&encode(&p)).unwrap();
        assert_eq!(back, p);
        let Ok(t) = back.outcome else { panic!() };
        assert_eq!(t.energy_pj.to_bits(), x.to_bits());
        assert_eq!(
            t.data_copy_energy_pj.to_bits(),
            2_361_363_150.544_999_6f64.to_bits()
        );
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(decode::<Request>(b"{\"Nope\":1}").is_err());
        assert!(decode::<Request>(&[0]).is_err());
        assert!(decode::<Request>(&[]).is_err());
        assert!(decode::<Request>(FINGERPRINT).is_err());
        // A sweep claiming 2^62 schedules in a handful of bytes.
        let mut huge = encode(&Request::Sweep {
            run_id: 1,
            inputs: Inputs {
                hardware_json: String::new(),
                workload_json: String::new(),
                mapping_json: String::new(),
            },
            schedules: vec![],
            fixes: Fixes::default(),
        });
        huge.pop(); // the fixes
        huge.pop(); // the empty schedule list
        huge.extend([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x3f]);
        assert!(decode::<Request>(&huge)
            .unwrap_err()
            .contains("not a protocol message"));
    }

    /// A message of another build (another fingerprint) is refused, with
    /// the fix.
    #[test]
    fn a_message_of_another_build_is_refused() {
        let mut bytes = encode(&Response::SweepDone { run_id: 3 });
        assert_eq!(&bytes[..16], FINGERPRINT);
        bytes[0] ^= 1;
        let e = decode::<Response>(&bytes).unwrap_err();
        assert!(e.contains("reload the page"), "{e}");
    }

    /// One message, nothing after it: a trailing byte is an error.
    #[test]
    fn trailing_bytes_are_an_error() {
        let mut bytes = encode(&Response::SweepDone { run_id: 3 });
        assert_eq!(
            decode::<Response>(&bytes),
            Ok(Response::SweepDone { run_id: 3 })
        );
        bytes.push(0);
        assert!(decode::<Response>(&bytes)
            .unwrap_err()
            .contains("1 bytes left"));
    }
}

/// The decoder on any bytes (the worker's input): a value or an error,
/// never a panic, and whatever decodes encodes back to the same value.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod any_bytes {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn random_bytes_decode_or_fail(body in proptest::collection::vec(any::<u8>(), 0..600)) {
            let bytes = [FINGERPRINT, &body[..]].concat();
            if let Ok(r) = decode::<Request>(&bytes) {
                prop_assert_eq!(decode::<Request>(&encode(&r)), Ok(r));
            }
            let _ = decode::<Response>(&bytes);
        }

        /// One byte of the page's first request changed, anywhere.
        #[test]
        fn a_changed_byte_of_a_real_request(at in any::<prop::sample::Index>(), b in any::<u8>()) {
            let mut m = crate::defaults::default_request_message();
            let i = at.index(m.len());
            m[i] = b;
            if let Ok(r) = decode::<Request>(&m) {
                prop_assert_eq!(decode::<Request>(&encode(&r)), Ok(r));
            }
        }

        /// A real request cut short anywhere is an error.
        #[test]
        fn a_truncated_request_is_an_error(at in any::<prop::sample::Index>()) {
            let m = crate::defaults::default_request_message();
            let cut = at.index(m.len());
            prop_assert!(decode::<Request>(&m[..cut]).is_err());
        }
    }
}
