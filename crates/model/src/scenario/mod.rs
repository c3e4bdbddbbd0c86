//! The model's view of the inputs: [`validate`](validate::validate) checks
//! the three documents together and builds a [`ValidScenario`], whose
//! layers are [`LayerSpec`]s (operands, relevancy classes, tile sizes) and
//! whose accelerator can be trimmed like the depth-first stage does.

pub mod accelerator;
mod equation;
pub mod layer;
pub mod validate;
#[cfg(test)]
mod validate_tests;

pub use layer::LayerSpec;
pub use validate::{validate, validate_json, Checked, ValidScenario};
