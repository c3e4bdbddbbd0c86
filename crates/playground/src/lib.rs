//! # defines-playground
//!
//! The browser front end of the DeFiNES model: a yew page (`app` binary),
//! web workers (the same `app` module, loaded in a worker) that run the
//! model off the main thread, and an import worker (`importer` binary)
//! started on the first dropped file. This crate is the only one that
//! knows the browser.
//!
//! Native-testable parts (no browser needed): [`protocol`] (the only types
//! that cross the worker boundary), [`handler`] (what the model worker
//! computes for a request), [`importer`] (what the import worker computes),
//! [`charts`] (plotters charts generic over the drawing
//! backend, golden-tested as SVG) and [`format`] (numbers with units).
//! The browser-only parts live in [`web`] (compiled for wasm32 only).

pub mod charts;
pub mod defaults;
pub mod embed;
pub mod format;
pub mod handler;
pub mod hw_form;
pub mod importer;
pub mod persist;
pub mod protocol;
pub mod provenance;
pub mod state;
pub mod views;

#[cfg(target_arch = "wasm32")]
pub mod web;
