//! The worker protocol: the only types that cross the worker boundary.
//!
//! Messages travel as JSON text (`serde_json` with `float_roundtrip`, so
//! every `f64` arrives bit for bit). Every response to a request carries the
//! request's `run_id`, so the page can drop stale answers.

use defines_model::{Diagnostic, LayerMacs};
use serde::{Deserialize, Serialize};

/// Page -> worker.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Request {
    /// Parse a workload and count the MACs of every compute layer.
    Macs { run_id: u64, workload_json: String },
}

/// Worker -> page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Response {
    /// The worker has started and accepts requests (sent once, unsolicited).
    Ready,
    /// MACs per compute layer, in file order, and their sum.
    Macs {
        run_id: u64,
        layers: Vec<LayerMacs>,
        total_macs: u64,
    },
    /// The input did not validate: every problem, with its field path.
    Invalid {
        run_id: u64,
        diagnostics: Vec<Diagnostic>,
    },
    /// The message was not a request of this protocol (a page/worker
    /// version mismatch or a bug); the worker keeps running.
    ProtocolError { message: String },
}

impl Request {
    pub fn run_id(&self) -> u64 {
        match self {
            Request::Macs { run_id, .. } => *run_id,
        }
    }
}

impl Response {
    /// The request this answers, if any.
    pub fn run_id(&self) -> Option<u64> {
        match self {
            Response::Macs { run_id, .. } | Response::Invalid { run_id, .. } => Some(*run_id),
            Response::Ready | Response::ProtocolError { .. } => None,
        }
    }
}

/// Encodes a message for `postMessage`.
pub fn encode<T: Serialize>(msg: &T) -> String {
    // Serializing these plain enums of strings and numbers cannot fail; the
    // fallback keeps the worker alive even if that ever changed.
    serde_json::to_string(msg).unwrap_or_else(|e| {
        format!(r#"{{"ProtocolError":{{"message":"cannot encode message: {e}"}}}}"#)
    })
}

/// Decodes a message received through `postMessage`.
pub fn decode<'a, T: Deserialize<'a>>(text: &'a str) -> Result<T, String> {
    serde_json::from_str(text).map_err(|e| format!("not a protocol message: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_round_trips() {
        let r = Request::Macs {
            run_id: 7,
            workload_json: "{}".into(),
        };
        let back: Request = decode(&encode(&r)).unwrap();
        assert_eq!(back, r);
        assert_eq!(back.run_id(), 7);
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(decode::<Request>("{\"Nope\":1}").is_err());
        assert!(decode::<Request>("\u{0}").is_err());
    }
}
