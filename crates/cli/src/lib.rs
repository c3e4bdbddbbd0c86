//! `defines`: the command-line front end of the DeFiNES model, as a library
//! so that its argument parser can be tested and fuzzed directly.
//!
//! - [`args`]: the command line parsed into typed values, in one place;
//! - [`commands`]: what each command computes and prints (the only code
//!   that reads files);
//! - `sweep`: the `sweep` command: hardware points (`--vary`) × cut sets
//!   (`--cuts`) × schedules, and its CSV and JSON rows;
//! - `explain`: `defines explain` (terms of a number, loop nests);
//! - [`library`]: the commands for other front ends (the Python package):
//!   documents by name or as text, failures with their diagnostics;
//! - [`parallel`]: a sweep spread over threads;
//! - `onnx`: `defines import onnx` and `--workload MODEL.onnx` (through
//!   `defines-import`), with the spatial mapping derived by layer kind;
//! - `zigzag`: `defines import zigzag` and `.yaml` hardware, workload and
//!   mapping files (ZigZag's formats, converted through `defines-import`).
//!
//! Exit codes of the binary: 0 success, 1 the output could not be written,
//! 2 bad input (usage, unknown preset, invalid model input); never a panic
//! or a backtrace.

pub mod args;
pub mod commands;
mod explain;
pub mod library;
mod onnx;
pub mod parallel;
mod sweep;
mod zigzag;
