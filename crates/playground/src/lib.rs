//! # defines-playground
//!
//! The browser front end of the DeFiNES model: a yew page (`app` binary)
//! and a web worker (`worker` binary) that runs the model off the main
//! thread. This crate is the only one that knows the browser.
//!
//! Native-testable parts (no browser needed): [`protocol`] (the only types
//! that cross the worker boundary), [`handler`] (what the worker computes
//! for a request), [`charts`] (plotters charts generic over the drawing
//! backend, golden-tested as SVG) and [`format`] (numbers with units).
//! The browser-only parts live in [`web`] (compiled for wasm32 only).

pub mod charts;
pub mod defaults;
pub mod embed;
pub mod format;
pub mod handler;
pub mod hw_form;
pub mod persist;
pub mod protocol;
pub mod provenance;
pub mod state;
pub mod views;

#[cfg(target_arch = "wasm32")]
pub mod web;
