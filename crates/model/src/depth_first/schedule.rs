//! A depth-first schedule (docs/model.md §1.5): tile size, overlap storing
//! mode, LPF limit and stack cuts; its checks against a scenario; and why
//! a network could not be evaluated ([`NetworkError`]).

use crate::limits;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use serde::{Deserialize, Serialize};

use super::graph::network;
use crate::diag::Diagnostic;
use crate::scenario::validate::ValidScenario;
use crate::single_layer::EvalError;

/// Tile size in output pixels of each stack's last layer (§1.5, Q28).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tile {
    pub x: u64,
    pub y: u64,
}

/// Overlap storing mode (§1.5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Overlap {
    /// Mode 1: recompute the overlap in both directions.
    FullyRecompute,
    /// Mode 2: cache horizontally, recompute vertically.
    HCachedVRecompute,
    /// Mode 3: cache in both directions.
    FullyCached,
}

impl Overlap {
    /// The three modes in mode-number order.
    pub const ALL: [Overlap; 3] = [
        Overlap::FullyRecompute,
        Overlap::HCachedVRecompute,
        Overlap::FullyCached,
    ];

    /// The one mode table: (mode, mode number, name, label). The names are
    /// the serde names and the CLI's `--mode` names; the labels are for
    /// people (the page).
    const TABLE: [(Overlap, u8, &'static str, &'static str); 3] = [
        (
            Overlap::FullyRecompute,
            1,
            "fully-recompute",
            "fully recompute",
        ),
        (
            Overlap::HCachedVRecompute,
            2,
            "h-cached-v-recompute",
            "H-cached V-recompute",
        ),
        (Overlap::FullyCached, 3, "fully-cached", "fully cached"),
    ];

    /// The mode as people read it: `fully recompute`, `H-cached
    /// V-recompute`, `fully cached`.
    pub fn label(self) -> &'static str {
        Overlap::TABLE
            .iter()
            .find(|e| e.0 == self)
            .map_or("", |e| e.3)
    }

    /// 0, 1, 2 for modes 1, 2, 3 (index into [`Overlap::ALL`]).
    pub fn index(self) -> usize {
        usize::from(self.mode().saturating_sub(1)).min(2)
    }

    /// The reference's mode number (1, 2, 3).
    pub fn mode(self) -> u8 {
        Overlap::TABLE
            .iter()
            .find(|e| e.0 == self)
            .map_or(0, |e| e.1)
    }

    pub fn from_mode(m: u8) -> Option<Overlap> {
        Overlap::TABLE.iter().find(|e| e.1 == m).map(|e| e.0)
    }

    /// The mode's name: `fully-recompute`, `h-cached-v-recompute` or
    /// `fully-cached` (as serialised and as the CLI writes it).
    pub fn name(self) -> &'static str {
        Overlap::TABLE
            .iter()
            .find(|e| e.0 == self)
            .map_or("", |e| e.2)
    }

    /// A mode from its number (`"1"`, `"2"`, `"3"`, exactly) or its name.
    pub fn from_name(s: &str) -> Option<Overlap> {
        Overlap::TABLE
            .iter()
            .find(|e| e.2 == s || (s.len() == 1 && s.as_bytes()[0] == b'0' + e.1))
            .map(|e| e.0)
    }

    /// Horizontal caching (modes 2 and 3).
    pub(crate) fn h(self) -> bool {
        self != Overlap::FullyRecompute
    }

    /// Vertical caching (mode 3).
    pub(crate) fn v(self) -> bool {
        self == Overlap::FullyCached
    }
}

/// A depth-first schedule.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Schedule {
    pub tile: Tile,
    pub overlap: Overlap,
    /// `loma_lpf_limit` (6 in the reference's `main.py`).
    pub lpf_limit: u32,
    /// Cut after each listed layer id; `None` = the weight-overflow rule
    /// of §3.1.
    pub stack_cuts: Option<Vec<i64>>,
}

impl Default for Schedule {
    fn default() -> Self {
        Schedule {
            tile: Tile {
                x: 1_000_000,
                y: 1_000_000,
            },
            overlap: Overlap::FullyCached,
            lpf_limit: 6,
            stack_cuts: None,
        }
    }
}

/// Why a network could not be evaluated.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum NetworkError {
    /// The schedule is invalid (paths `schedule.*`).
    Schedule(Vec<Diagnostic>),
    /// The layer graph cannot be split or tiled as asked.
    Graph(String),
    /// One layer-tile could not be evaluated.
    Layer { layer_id: i64, error: EvalError },
    /// No valid temporal mapping even with every top level raised (the
    /// reference loops forever here, §3.8 j).
    RetryExhausted { layer_id: i64 },
    /// No memory can hold the H or V cache (the reference fails, §3.6).
    NoCacheLevel { layer_id: i64 },
    /// A data copy has no path through the hierarchy.
    Copy(String),
    /// A total beyond what the model reports exactly (see
    /// [`crate::limits`]): said instead of an infinite or saturated number.
    Limit(String),
}

impl fmt::Display for NetworkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NetworkError::Schedule(d) => {
                for (i, x) in d.iter().enumerate() {
                    if i > 0 {
                        writeln!(f)?;
                    }
                    write!(f, "{x}")?;
                }
                Ok(())
            }
            NetworkError::Graph(s) => write!(f, "{s}"),
            NetworkError::Layer { layer_id, error } => write!(f, "layer {layer_id}: {error}"),
            NetworkError::RetryExhausted { layer_id } => write!(
                f,
                "layer {layer_id}: memory hierarchy too small even with every top level raised; use smaller tiles or larger memories"
            ),
            NetworkError::NoCacheLevel { layer_id } => write!(
                f,
                "stack ending at layer {layer_id}: no memory level can hold the overlap cache; use smaller tiles or a fully recompute mode"
            ),
            NetworkError::Copy(s) => write!(f, "data copy: {s}"),
            NetworkError::Limit(s) => write!(f, "{s}"),
        }
    }
}

/// Checks a schedule against a scenario; every problem has a path.
pub fn validate_schedule(sc: &ValidScenario, s: &Schedule) -> Vec<Diagnostic> {
    let mut d = Vec::new();
    if s.tile.x == 0 {
        d.push(Diagnostic::new(
            "schedule.tile.x",
            "tile width is 0; use at least 1 output column",
        ));
    }
    if s.tile.y == 0 {
        d.push(Diagnostic::new(
            "schedule.tile.y",
            "tile height is 0; use at least 1 output row",
        ));
    }
    if !limits::LPF.contains(&s.lpf_limit) {
        d.push(Diagnostic::new(
            "schedule.lpf_limit",
            format!(
                "loop prime factor limit {} is outside {}..={} ({}); the reference uses {}",
                s.lpf_limit,
                limits::LPF.start(),
                limits::LPF.end(),
                limits::LPF_WHY,
                limits::LPF_DEFAULT
            ),
        ));
    }
    for (axis, side) in [("x", s.tile.x), ("y", s.tile.y)] {
        if side > limits::MAX_LOOP_SIZE {
            d.push(Diagnostic::new(
                format!("schedule.tile.{axis}"),
                limits::exceeded(
                    "tile size",
                    side,
                    limits::MAX_LOOP_SIZE,
                    "no layer is larger; a tile as large as the output is one tile",
                ),
            ));
        }
    }
    if let Some(cuts) = &s.stack_cuts {
        d.extend(validate_stack_cuts(sc, cuts));
    }
    d
}

/// The checks of an explicit cut list (paths `schedule.stack_cuts[i]`):
/// every id is a layer of the network, each after the previous one in
/// graph order.
pub(crate) fn validate_stack_cuts(sc: &ValidScenario, cuts: &[i64]) -> Vec<Diagnostic> {
    let mut d = Vec::new();
    let order: Vec<i64> = network(sc)
        .ok()
        .and_then(|g| g.topo().map(|t| t.iter().map(|&i| g.nodes[i].id).collect()))
        .unwrap_or_default();
    let mut last: Option<usize> = None;
    for (i, c) in cuts.iter().enumerate() {
        match order.iter().position(|x| x == c) {
            None => d.push(Diagnostic::new(
                format!("schedule.stack_cuts[{i}]"),
                format!("layer {c} does not exist; cut after existing layer ids"),
            )),
            Some(p) => {
                if last.is_some_and(|l| p <= l) {
                    d.push(Diagnostic::new(
                        format!("schedule.stack_cuts[{i}]"),
                        format!("cut after layer {c} is not after the previous cut; list cuts once each, in graph order"),
                    ));
                }
                last = Some(p);
            }
        }
    }
    d
}
