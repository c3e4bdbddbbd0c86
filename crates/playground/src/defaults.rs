//! The scenario the page opens on, as the page, the worker's tests and
//! the browser test all need it (issue: FSRCNN on Meta_prototype_DF, fully
//! cached, tile 16x18, at the paper's lpf 8).

use crate::protocol::{encode, Inputs, Request};
use defines_model::{limits, presets, Overlap, Schedule, Tile};

pub const DEFAULT_HARDWARE: &str = "Meta_prototype_DF";
pub const DEFAULT_WORKLOAD: &str = "fsrcnn";
pub const DEFAULT_TILE: Tile = Tile { x: 16, y: 18 };
pub const DEFAULT_OVERLAP: Overlap = Overlap::FullyCached;
pub const DEFAULT_LPF: u32 = limits::LPF_PAPER;

/// The inputs of the default scenario (the presets' texts).
pub fn default_inputs() -> Inputs {
    let text = |t: Option<&'static str>| t.unwrap_or("").to_string();
    Inputs {
        hardware_json: text(presets::hardware(DEFAULT_HARDWARE)),
        workload_json: text(presets::workload(DEFAULT_WORKLOAD)),
        mapping_json: text(presets::mapping(&presets::default_mapping_name(
            DEFAULT_HARDWARE,
            DEFAULT_WORKLOAD,
        ))),
    }
}

/// The schedule of the default scenario.
pub fn default_schedule() -> Schedule {
    Schedule {
        tile: DEFAULT_TILE,
        overlap: DEFAULT_OVERLAP,
        lpf_limit: DEFAULT_LPF,
        stack_cuts: None,
    }
}

/// The request the page sends for the default scenario.
pub fn default_evaluate_request(run_id: u64) -> Request {
    Request::Evaluate {
        run_id,
        inputs: default_inputs(),
        schedule: default_schedule(),
        fixes: defines_model::Fixes::default(),
        detail: false,
    }
}

/// The request the page sends on start, as a protocol message: shared by
/// the native golden test and the browser test.
pub fn default_request_message() -> Vec<u8> {
    encode(&default_evaluate_request(1))
}

/// A response message written as JSON, for the golden file both tests
/// compare with: readable in review, and exact (finite floats round-trip,
/// and the model's numbers are always finite), so equal text means equal
/// bits. Tests only: the page never writes a
/// response as JSON.
#[doc(hidden)]
pub fn response_as_json(message: &[u8]) -> String {
    match crate::protocol::decode::<crate::protocol::Response>(message) {
        Ok(r) => serde_json::to_string(&r).unwrap_or_else(|e| e.to_string()),
        Err(e) => e,
    }
}
