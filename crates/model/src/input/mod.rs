//! The three input documents as written (workload, hardware, spatial
//! mapping), their parsing with field-path diagnostics, the JSON walker
//! they share, the insertion-ordered map (loop order carries meaning) and
//! the hardware parameters (`NAME.FIELD`) read and written in a hardware
//! document ([`vary`]).

mod duplicate_keys;
pub mod hardware;
pub(crate) mod json;
pub mod mapping;
pub mod ordered;
pub mod vary;
pub mod workload;
