//! The depth-first model (docs/model.md §3): stacks, tiles, tile types, the
//! top-memory-level choice with its retry, data copies and aggregation into
//! a [`NetworkReport`].
//!
//! ```text
//! evaluate_network(&ValidScenario, &Schedule) -> Result<NetworkReport, NetworkError>
//! NetworkRun::new(..)?; while !run.is_done() { run.step(8)?; } run.finish()
//! ```
//!
//! The pipeline, file by file:
//!
//! ```text
//! schedule.rs    Schedule, Tile, Overlap (mode numbers and names), NetworkError, validate_schedule
//! graph.rs       layer graph, graph order, tensor extents, largest alive data (§3.0, §3.4)
//! stack_cuts.rs  the weight-overflow cuts and the stacks (§3.1–§3.2)
//! backprop.rs    back-propagation of tile sizes and overlaps (§3.3)
//! tile_types.rs  tile grid, cache levels and tile types per column/row class (§3.5, §3.7)
//! tile_types_oracle.rs  (tests) the per-tile walk tile_types is checked against
//! top_level.rs   `decide`: top memory levels of a tile type (§3.6)
//! tile_run.rs    one tile type node by node: tops, copies, trim, retry (§3.8)
//! data_copy.rs   copy actions and data copy layers, their energy (§3.9)
//! cache.rs       EvalCache: memoised single-layer evaluations
//! run.rs         NetworkRun stepper and the evaluate_network* entry points
//! aggregate.rs   results into a NetworkReport (§3.10)
//! detail.rs      the detail of a run, on request: every node's costs (§4.2)
//! report.rs      the report types
//! ```
//!
//! The stepper's unit of work is one node of one tile type: at most one
//! LOMA search (none when the cache has it). A finer step, inside one
//! layer's LOMA search ([`crate::single_layer::LomaSearch`] already runs in
//! chunks), would fit the same `step(budget)` signature.
//!
//! Quirks reproduced (docs/model.md §5), named where they happen: Q2 (weights
//! cost DRAM traffic only in a stack's first tile), Q3 (stack boundaries go
//! through DRAM), Q4 (stack input nodes never write caches), Q5, Q6 (H
//! cache level consolidation overwrites), Q7 (V cache level is the last
//! different value), Q8 (cache reads use the consumer's `O_final`), Q9
//! (equivalent `useV` test), Q13 (copy `latency_total2` is not reported),
//! Q17 (cache-level sizes assume both caches), Q24 (capacity checks ignore
//! co-residents, the retry raises tops), Q25 (stack input copy skipped when
//! the data sits lower), Q26, Q27 (partial tile first, first tile its own
//! type), Q28 (one tile size for all stacks), Q36 (cut at id 0 is no cut).
//! The reference loops forever when a layer fits no hierarchy even with
//! every top raised; here that is [`NetworkError::RetryExhausted`].

mod aggregate;
pub(crate) mod backprop;
mod cache;
pub mod data_copy;
mod detail;
pub(crate) mod graph;
mod report;
mod run;
mod schedule;
pub(crate) mod stack_cuts;
mod tile_grid;
mod tile_run;
mod tile_types;
mod top_level;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tile_types_oracle;

pub use crate::fixes::Fixes;
pub use cache::EvalCache;
pub use detail::{DetailEntry, NetworkDetail};
pub use report::{
    ItemKind, ItemReport, LayerTileMacs, LensEnergies, MemoryAccesses, NetworkReport, OperandTop,
    StackReport, TileMap, TileTypeReport,
};
pub(crate) use run::full_network;
pub use run::{
    automatic_stack_cuts, evaluate_network, evaluate_network_cached, evaluate_network_detailed,
    evaluate_network_fixed, evaluate_network_with, NetworkRun, Progress,
};
pub(crate) use schedule::validate_stack_cuts;
pub use schedule::{validate_schedule, NetworkError, Overlap, Schedule, Tile};
