//! The three input documents as written (workload, hardware, spatial
//! mapping), their parsing with field-path diagnostics, the JSON walker
//! they share and the insertion-ordered map (loop order carries meaning).

mod duplicate_keys;
pub mod hardware;
pub(crate) mod json;
pub mod mapping;
pub mod ordered;
pub mod workload;
