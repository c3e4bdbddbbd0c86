//! The single-layer model (docs/model.md §1.4, §2): the spatial unrolling, the
//! LOMA orderings of the temporal loops, their memory allocation, energy and
//! latency, and the search for the minimum-energy mapping.
//!
//! ```text
//! evaluate_layer(&LayerSpec, &Hardware, &SpatialMapping, LomaConfig)
//!     = LomaSearch::new(..)? ; run(u64::MAX) ; finish()
//!
//! LomaSearch::new   context.rs   Ctx: spatial unrolling (spatial.rs), per-operand levels
//! per ordering      loma.rs      loop prime factors, orderings
//!                   allocation.rs  the ordering's loops onto memory levels (§2.3)
//!                   temporal.rs  stationarity merge, per-level transfers (§2.5–§2.7)
//!                   energy.rs    word accesses and memory energy (§2.8)
//! the winner        full_cost.rs energy + latency.rs (§2.9) as a LayerCost
//! ```
//!
//! Quirks reproduced here (docs/model.md §5): Q1/Q35 half-to-even rounding of
//! data sizes and unit counts, Q15 off-loading estimate, Q16 on-loading
//! "half" assignment, Q18 two output-precision rules, Q19 relevancy from the
//! original sizes, Q21 MAC energy for pooling/add, Q22 `rw` ports use the
//! read width, Q30 `int` truncation in pr decoupling, Q33 tie-breaks, Q34
//! truncated bandwidth boost.

mod allocation;
mod context;
mod energy;
mod full_cost;
mod latency;
pub mod loma;
mod prefix_search;
mod report;
mod search;
mod spatial;
mod temporal;

#[cfg(test)]
pub(crate) mod hand_tests;

pub use full_cost::evaluate_temporal_mapping;
pub use prefix_search::SearchStats;
pub use report::{EvalError, LayerCost, LevelCost, OperandCost};
pub use search::{evaluate_layer, prepare_add_layer, LomaConfig, LomaSearch};
