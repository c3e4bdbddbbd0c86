//! # defines-model
//!
//! A re-implementation of the DeFiNES analytical cost model (Mei,
//! Goetschalckx, Symons, Verhelst, HPCA 2023) as a pure library.
//!
//! Units and conventions, used in every name and field:
//! - sizes and data amounts in **bits** (`*_bits`) or elements (`*_elems`),
//! - bandwidths in **bits per cycle**,
//! - energies in **pJ** (`*_pj`), latencies in **cycles** (`*_cycles`).
//!
//! Architecture invariants (see ARCHITECTURE.md at the repository root):
//! - `#![no_std]` + `alloc`: no IO, no clock, no hash maps whose order can
//!   reach output; reported math goes through `libm`.
//! - Parsing and validation report every problem as a [`Diagnostic`] with a
//!   field path; nothing in this crate panics on any input.
//!
//! ## Code map
//!
//! The folders follow the model's pipeline:
//!
//! ```text
//! input/         the documents as written: json.rs (field readers with paths),
//!                ordered.rs (insertion-ordered map), workload.rs, hardware.rs, mapping.rs,
//!                vary.rs (hardware parameters NAME.FIELD, set in the hardware JSON)
//! scenario/      the model's view: validate.rs (ValidScenario), layer.rs (LayerSpec),
//!                equation.rs (the equation parser), accelerator.rs (remove_top, trim_to,
//!                duplicate_for_add)
//! single_layer/  one layer on one accelerator: spatial.rs, context.rs, loma.rs,
//!                allocation.rs, temporal.rs, energy.rs, latency.rs, full_cost.rs,
//!                search.rs (LomaSearch, evaluate_layer), report.rs (LayerCost, EvalError)
//! depth_first/   a network under a schedule: schedule.rs, graph.rs, stack_cuts.rs,
//!                backprop.rs, tile_types.rs, top_level.rs, tile_run.rs, data_copy.rs,
//!                cache.rs, run.rs, aggregate.rs, report.rs
//! search/        many schedules: sweep.rs, grids.rs, cut_sets.rs (fuse depths, stack
//!                footprints), pareto.rs (the one Pareto front, EDP)
//! diag.rs num.rs presets.rs limits.rs fixes.rs vec_map.rs   shared by all
//! ```
//!
//! ## Single-layer model (docs/model.md §1–§2)
//!
//! ```text
//! Workload::from_json ─┐
//! Hardware::from_json ─┼─ scenario::validate ─> ValidScenario (shared Checked { layers: Vec<LayerSpec>, hardware, mapping })
//! MappingFile::from_json┘
//!
//! single_layer::evaluate_layer(&LayerSpec, &Hardware, &SpatialMapping, LomaConfig)
//!     -> Result<LayerCost, EvalError>
//! ```
//!
//! - [`LayerSpec`] is a compute layer at its current size; change
//!   tile sizes with [`LayerSpec::set_size`] (relevancy stays that of
//!   the original sizes, Q19).
//! - [`Hardware`] can be trimmed like the depth-first stage does
//!   (§1.3): [`Hardware::remove_top`],
//!   [`Hardware::trim_to`], [`Hardware::duplicate_for_add`]
//!   (applied automatically by `evaluate_layer` to element-wise adds).
//! - [`evaluate_layer`] runs LOMA (§2.1–§2.4) and returns the
//!   minimum-energy mapping's cost; "memory hierarchy too small" is the
//!   value [`EvalError::HierarchyTooSmall`].
//!
//! ## Depth-first model (docs/model.md §3–§4)
//!
//! ```text
//! evaluate_network(&ValidScenario, &Schedule { tile, overlap, lpf_limit, stack_cuts })
//!     -> Result<NetworkReport, NetworkError>
//!
//! let mut run = NetworkRun::new(&scenario, &schedule)?;   // plans stacks and tile types
//! run.stacks();                                           // tiling known before any LOMA
//! while !run.is_done() { run.step(1)?; }                  // one tile type per unit of budget
//! let report = run.finish()?;
//! ```
//!
//! - [`depth_first`]: schedule, stepper, report types, and one file per step
//!   of the model (see its module docs); [`depth_first::data_copy`]: the
//!   copy actions and data copy layers (§3.9).
//! - [`EvalCache`] memoizes single-layer evaluations (identical layer
//!   shape, spatial mapping, trimmed hierarchy and LPF limit) within a run
//!   and, through [`evaluate_network_with`], across runs of one scenario.
//! - Invalid schedules are [`NetworkError::Schedule`] diagnostics with
//!   `schedule.*` paths; a layer that fits no hierarchy even with every top
//!   level raised is [`NetworkError::RetryExhausted`] (the reference loops
//!   forever there).
//!
//! ## Schedule search
//!
//! ```text
//! let schedules = grid_schedules(&xs, &ys, &Overlap::ALL, lpf);   // or case_study_1_schedules(lpf)
//! let mut sweep = Sweep::new(&scenario, schedules);                // one EvalCache for all
//! while !sweep.step(16).finished {}                                // 16 layer steps per call
//! sweep.results(); sweep.pareto_front(); sweep.best_edp();
//! ```
//!
//! - [`search`]: the stepper, [`SweepTotals`] (energy, latency, EDP) per
//!   schedule or its error, the Pareto front over (energy, latency), the
//!   case-study-1 grid and the automatic tile candidates ([`auto_axis`]:
//!   `ceil(full / 4^k)`, k = 0..5, of the largest `OX`/`OY`).
//! - Speed never changes a result: the LOMA search skips only orderings
//!   that provably cannot win ([`LomaSearch::exhaustive`] turns that
//!   off; tests compare both), and cached evaluations are keyed by
//!   everything they depend on.
//!
//! Reference quirks (docs/model.md §5) are reproduced and named where they
//! happen: Q1, Q10, Q11, Q12, Q15, Q16, Q18, Q19, Q21, Q22, Q30, Q31, Q33,
//! Q34, Q35 (single layer); Q2–Q9, Q13, Q14, Q17, Q24–Q28, Q36
//! (depth-first).
#![no_std]
#![forbid(unsafe_code)]

extern crate alloc;

/// This crate's version (exports carry it, so a figure can be traced).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

pub mod depth_first;
pub mod diag;
pub mod explain;
pub mod fixes;
pub mod input;
pub mod limits;
pub mod num;
pub mod presets;
pub mod scenario;
pub mod search;
pub mod single_layer;
pub mod small_sort;
pub(crate) mod vec_map;

pub use depth_first::{
    automatic_stack_cuts, evaluate_network, evaluate_network_cached, evaluate_network_detailed,
    evaluate_network_fixed, evaluate_network_with, validate_schedule, DetailEntry, EvalCache,
    ItemKind, ItemReport, LayerTileMacs, LensEnergies, MemoryAccesses, NetworkDetail, NetworkError,
    NetworkReport, NetworkRun, Overlap, Progress, Schedule, StackReport, Tile, TileMap,
    TileTypeReport,
};
pub use diag::Diagnostic;
pub use explain::{
    explain, explainable, loop_nests, Amount, Explanation, LoopNest, SumRule, Term, TermGroup,
};
pub use fixes::Fixes;
pub use input::hardware::{refresh_informational, Hardware};
pub use input::mapping::{MappingFile, SpatialMapping};
pub use input::vary::{get_param, hw_params, set_param, vary_hardware, HwParam};
pub use input::workload::{LayerMacs, Workload};
pub use scenario::layer::LayerSpec;
pub use scenario::validate::{validate, validate_json, Checked, ValidScenario};
pub use search::{
    auto_axis, auto_tile_axes, best_edp, case_study_1_schedules, full_output_size, grid_schedules,
    layer_weights, lens_choice, lens_choices, pareto_front, pareto_indices, stack_footprints,
    weight_capacity_bits, CutSet, Lens, LensChoice, StackFootprint, Sweep, SweepPoint,
    SweepProgress, SweepTotals, CASE_STUDY_1_X, CASE_STUDY_1_Y,
};
pub use single_layer::{evaluate_layer, EvalError, LayerCost, LomaConfig, LomaSearch};
