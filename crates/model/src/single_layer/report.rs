//! What a single-layer evaluation returns: [`LayerCost`] (per operand and
//! memory level, docs/model.md §2.8–§2.9) or why there is none ([`EvalError`]).

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use super::prefix_search::SearchStats;

/// Why a layer could not be evaluated. Every case is a value, never a
/// panic.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub enum EvalError {
    /// A layer operand's memory operand is stored in no memory level.
    NoMemory { operand: String, mem_op: String },
    /// The spatial mapping names an array dimension the hardware lacks.
    UnknownArrayDim(String),
    /// The spatial mapping names a loop dimension the layer lacks.
    UnknownLoopDim(String),
    /// §1.4: the unit counts of the operands disagree under round, ceil and
    /// floor; the reference rejects the spatial mapping.
    SpatialMappingRejected,
    /// Q12: the LPF limit cannot be reached.
    LpfLimitTooSmall { limit: usize, dims: usize },
    /// No loop ordering fits the memories ("memory hierarchy too small").
    HierarchyTooSmall,
    /// An input form the model does not handle (e.g. more than two inputs).
    Unsupported(String),
}

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EvalError::NoMemory { operand, mem_op } => write!(
                f,
                "operand `{operand}` is linked to memory operand `{mem_op}`, which no memory stores; add `{mem_op}` to a memory or fix the link"
            ),
            EvalError::UnknownArrayDim(d) => write!(f, "unknown array dimension `{d}` in the spatial mapping; use a dimension of the operational array"),
            EvalError::UnknownLoopDim(d) => write!(f, "the spatial mapping unrolls `{d}`, which is not a loop of the layer; use one of its loop dimensions"),
            EvalError::SpatialMappingRejected => write!(f, "the fractional spatial unrolling gives inconsistent unit counts; use unrollings that divide the loop sizes"),
            EvalError::LpfLimitTooSmall { limit, dims } => write!(
                f,
                "the loop prime factor limit {limit} is smaller than the {dims} temporal loop dimensions; raise the limit"
            ),
            EvalError::HierarchyTooSmall => write!(f, "memory hierarchy too small: no loop ordering fits the memories; use larger memories or smaller tiles"),
            EvalError::Unsupported(s) => write!(f, "unsupported input: {s}"),
        }
    }
}

/// Word accesses of one operand at one memory level, and their energy.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LevelCost {
    /// Memory instance name.
    pub memory: String,
    pub rd_out_to_low_words: f64,
    pub wr_in_by_low_words: f64,
    pub rd_out_to_high_words: f64,
    pub wr_in_by_high_words: f64,
    pub energy_pj: f64,
    /// Bits of this operand held by one instance of the level
    /// (`DB(X, j+1)`, fractional mapping, §2.6).
    pub data_bits: u64,
    /// Element moves (§2.6) in the order of the four word counts above:
    /// `rd_out_to_low`, `wr_in_by_low`, `rd_out_to_high`, `wr_in_by_high`.
    /// Statistics only (Fig. 14); energy is charged per word.
    #[serde(default)]
    pub elements: [f64; 4],
}

/// Costs of one layer operand over its memory levels (bottom-up).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct OperandCost {
    pub operand: String,
    pub mem_op: String,
    pub levels: Vec<LevelCost>,
    /// Chosen temporal loops per memory level (innermost first), as
    /// allocated (before the stationarity merge): (loop name, size).
    pub temporal_loops: Vec<Vec<(String, u64)>>,
}

/// The cost of one layer (minimum-energy temporal mapping).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LayerCost {
    pub layer_id: i64,
    pub macs: u64,
    pub energy_total_pj: f64,
    pub mac_energy_pj: f64,
    pub mem_energy_pj: f64,
    /// Output first, then inputs in equation order.
    pub operands: Vec<OperandCost>,
    /// `ceil(MACs / total units)`.
    pub ideal_cycles: u64,
    /// Product of the temporal loop sizes.
    pub ideal_temporal_cycles: u64,
    /// `SS_comb` of §2.9.3.
    pub stall_cycles: u64,
    pub onloading_cycles: u64,
    pub offloading_cycles: u64,
    pub latency_total0_cycles: u64,
    /// What DeFiNES reports: on-loading included, off-loading excluded.
    pub latency_total1_cycles: u64,
    pub latency_total2_cycles: u64,
    pub mac_spatial_utilization: f64,
    /// What the LOMA search did (orderings considered, invalid, pruned,
    /// evaluated).
    pub search: SearchStats,
}

impl LayerCost {
    /// Energy of one memory instance summed over operands.
    pub fn memory_energy_pj(&self, memory: &str) -> f64 {
        self.operands
            .iter()
            .flat_map(|o| o.levels.iter())
            .filter(|l| l.memory == memory)
            .map(|l| l.energy_pj)
            .sum()
    }
}
