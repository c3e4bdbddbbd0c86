//! Browser-only code: the yew page and the worker glue.

pub mod app;
pub mod bridge;
pub mod worker;
