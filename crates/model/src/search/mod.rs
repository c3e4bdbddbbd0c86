//! Schedule search: many depth-first schedules of one scenario, evaluated
//! in bounded steps with one shared [`EvalCache`](crate::EvalCache)
//! ([`sweep`]), the tile grids to sweep ([`grids`]), the cut sets (fuse
//! depths) to sweep and the stacks they give ([`cut_sets`]), and the one
//! Pareto front over (energy, latency) and best-EDP choice ([`pareto`]), and what the simpler models
//! would choose ([`lenses`]).

pub mod cut_sets;
pub mod grids;
pub mod lenses;
pub mod pareto;
pub mod sweep;

#[cfg(test)]
mod tests;

pub use cut_sets::{layer_weights, stack_footprints, weight_capacity_bits, CutSet, StackFootprint};
pub use grids::{
    auto_axis, auto_tile_axes, case_study_1_schedules, deal_by_tile, full_output_size,
    grid_schedules, CASE_STUDY_1_X, CASE_STUDY_1_Y,
};
pub use lenses::{lens_choice, lens_choices, Lens, LensChoice};
pub use pareto::{best_by, best_edp, pareto_front, pareto_indices};
pub use sweep::{latency_split, Sweep, SweepPoint, SweepProgress, SweepTotals};
