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
#![no_std]
#![forbid(unsafe_code)]

extern crate alloc;

pub mod cost;
pub mod diag;
pub mod hardware;
mod json;
pub mod layer;
pub mod loma;
pub mod mapping;
pub mod num;
pub mod ordered;
pub mod presets;
pub mod validate;
pub mod workload;

#[cfg(test)]
mod hand_tests;
#[cfg(test)]
mod validate_tests;

pub use diag::Diagnostic;
pub use workload::{LayerMacs, Workload};
