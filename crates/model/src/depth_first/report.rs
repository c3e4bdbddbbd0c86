//! The report types of a depth-first evaluation (docs/model.md §3.10): per
//! network, stack, item (compute layer or data copy layer) and tile type.

use alloc::string::String;
use alloc::vec::Vec;
use serde::{Deserialize, Serialize};

use super::data_copy::CopyAction;
use super::schedule::Schedule;
use crate::input::ordered::OrderedMap;
use crate::Tile;

/// The chosen top memory of one layer operand in one tile type.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OperandTop {
    /// Layer operand (`O`, `W`, `I`, `X`, `Y`).
    pub operand: String,
    /// Memory instance name.
    pub memory: String,
}

/// One tile type of one item.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TileTypeReport {
    pub multiplicity: u64,
    /// The stack's output tile of this type.
    pub tile_x: u64,
    pub tile_y: u64,
    /// This layer's output size (`OX`, `OY`) in this tile type.
    pub layer_ox: u64,
    pub layer_oy: u64,
    /// Per tile (not multiplied).
    pub energy_pj: f64,
    pub latency_cycles: u64,
    pub macs: u64,
    /// Compute layers: top memory per operand (output first).
    pub top_levels: Vec<OperandTop>,
    /// Data copy layers: the actions of one tile.
    pub copies: Vec<CopyAction>,
    /// Compute layers: failed top-level choices before this one fitted
    /// (§3.8 j).
    pub retries: u64,
}

/// Whether an item is a compute layer or a data copy layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    Compute,
    DataCopy,
}

/// One output item (§4), summed over tile types with multiplicities. For
/// data copy items only energy and latency are set (Q13: the reference's
/// unmultiplied copy `latency_total2` is not reported).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ItemReport {
    /// `L<id>` or `copy before L<id>` / `copy before input`.
    pub name: String,
    /// The reference's name (`LayerNode_3`,
    /// `DataCopyLayer_datamovement_b4_LayerNode_3`).
    pub reference_name: String,
    pub kind: ItemKind,
    pub layer_id: Option<i64>,
    /// Index of the (first) stack the item belongs to.
    pub stack: usize,
    pub energy_pj: f64,
    /// `latency_total1` for compute layers, the copy latency otherwise.
    pub latency_cycles: u64,
    pub mac_energy_pj: f64,
    pub mem_energy_pj: f64,
    pub latency_total0_cycles: u64,
    pub latency_total2_cycles: u64,
    pub ideal_cycles: u64,
    pub ideal_temporal_cycles: u64,
    pub stall_cycles: u64,
    pub onloading_cycles: u64,
    /// Sum of tile MACs (shows recomputation).
    pub macs: u64,
    pub tile_types: Vec<TileTypeReport>,
}

/// Tiles of one stack.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StackReport {
    /// Compute layer ids in graph order.
    pub layers: Vec<i64>,
    /// Output size of the stack's last layer.
    pub output_x: u64,
    pub output_y: u64,
    pub tiles: u64,
    /// Multiplicity per tile type, in order of first appearance.
    pub tile_type_multiplicities: Vec<u64>,
    /// The stack's output tile per tile type.
    pub tile_type_sizes: Vec<Tile>,
    /// Per compute layer: MACs at full size and summed over all tiles
    /// (more with recomputation).
    pub layer_macs: Vec<LayerTileMacs>,
    /// Stack totals (compute and data copy layers); 0 until evaluated.
    pub energy_pj: f64,
    pub latency_cycles: u64,
    /// Where each tile type is in the grid, without listing tiles.
    pub tile_map: TileMap,
}

/// The tile grid of a stack by blocks (docs/model.md §3.5, §3.7): runs of
/// columns and of rows whose tiles are alike, and the tile type of each
/// block (row run × column run, row-major). Tiles are computed row by row,
/// left to right; the first column and row hold the partial tiles (Q27).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TileMap {
    pub cols: u64,
    pub rows: u64,
    /// The partial first tile's size and every other tile's.
    pub first: Tile,
    pub tile: Tile,
    /// `[start, end)` tile indices of each run.
    pub col_runs: Vec<(u64, u64)>,
    pub row_runs: Vec<(u64, u64)>,
    /// Index into the stack's tile types, per block (row-major).
    pub block_types: Vec<usize>,
}

impl TileMap {
    /// The tile type of the tile at (row, column).
    pub fn type_at(&self, row: u64, col: u64) -> Option<usize> {
        let r = self
            .row_runs
            .iter()
            .position(|&(a, b)| row >= a && row < b)?;
        let c = self
            .col_runs
            .iter()
            .position(|&(a, b)| col >= a && col < b)?;
        self.block_types.get(r * self.col_runs.len() + c).copied()
    }
}

/// MACs of one layer in one stack, whole layer vs. summed over tiles.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayerTileMacs {
    pub layer_id: i64,
    pub full_macs: u64,
    pub tile_macs: u64,
}

/// The energy of one schedule as the simpler models of §4.1 count it (the
/// "lenses" the paper argues against): only DRAM traffic, only
/// activations (weights' memory traffic ignored), or both. pJ.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LensEnergies {
    /// Accesses to the outermost memory level (DRAM in every preset), every
    /// operand, compute layers and data copies.
    pub dram_pj: f64,
    /// MAC energy, every memory access of non-constant operands, and the
    /// data copies: everything but the weights' memory traffic.
    pub activations_pj: f64,
    /// DRAM accesses of non-constant operands and of data copies.
    pub dram_activations_pj: f64,
}

/// Element accesses of one memory instance over a whole network (all four
/// directions, tile multiplicities included; docs/model.md §4.3): what the
/// paper's Fig. 14 plots.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MemoryAccesses {
    pub memory: String,
    /// Element moves (§2.6) of compute layers' non-constant operands
    /// (input and output activations).
    pub activations: f64,
    /// Element moves of compute layers' constant operands (weights).
    pub weights: f64,
    /// Data copies passing the memory, `ceil(bits / 8)` per copy: bytes,
    /// which are elements for 8-bit data.
    pub copies: f64,
}

/// Network totals and items of one depth-first run (§4). Energies in pJ,
/// latencies in cycles.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NetworkReport {
    pub schedule: Schedule,
    /// Compute energy plus data copy energy.
    pub energy_pj: f64,
    /// Sum of compute `latency_total1` plus data copy latency.
    pub latency_cycles: u64,
    pub mac_energy_pj: f64,
    /// Memory energy of compute layers.
    pub mem_energy_pj: f64,
    pub data_copy_energy_pj: f64,
    pub data_copy_latency_cycles: u64,
    /// Sums over compute layers.
    pub latency_total0_cycles: u64,
    pub latency_total2_cycles: u64,
    pub ideal_cycles: u64,
    /// Sum of tile MACs (≥ network MACs with recomputation).
    pub macs: u64,
    /// Memory energy of compute layers per memory instance.
    pub energy_by_memory_pj: OrderedMap<f64>,
    /// Same, per `instance|operand`.
    pub energy_by_memory_and_operand_pj: OrderedMap<f64>,
    /// Data copy energy per memory instance (sender reads, receiver writes).
    pub data_copy_energy_by_memory_pj: OrderedMap<f64>,
    /// What the simpler models of §4.1 would count.
    pub lens_energies_pj: LensEnergies,
    /// Element accesses per memory instance, in the hardware's level order
    /// (§4.3).
    #[serde(default)]
    pub element_accesses: Vec<MemoryAccesses>,
    /// How often a layer-tile had to raise its top levels because no
    /// mapping fitted (§3.8 j), summed over tile types (not multiplied).
    pub top_level_retries: u64,
    /// The cuts used (after each listed layer id).
    pub stack_cuts: Vec<i64>,
    /// Compute layer ids of each stack.
    pub stacks: Vec<Vec<i64>>,
    pub stack_details: Vec<StackReport>,
    /// Items in the reference's order.
    pub layers: Vec<ItemReport>,
}
