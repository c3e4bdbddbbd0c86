//! Browser-only code: the yew page, the worker glue, browser API wrappers.

pub mod app;
pub mod bridge;
pub mod browser;
pub mod worker;
