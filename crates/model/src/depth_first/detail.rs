//! The detail of a run, asked for on its own (a sweep never builds it):
//! per stack, tile type and node, in the order the report sums them, the
//! node's data copy layer and its layer cost (every operand's word
//! accesses, energies and temporal loops per memory level, the LOMA
//! statistics) with the tile type's multiplicity. [`crate::explain`]
//! turns it into the terms of any reported number (docs/model.md §4.2).

use alloc::string::String;
use alloc::vec::Vec;

use serde::{Deserialize, Serialize};

use super::data_copy::CopyLayerCost;
use super::run::NetworkRun;
use crate::single_layer::LayerCost;

/// One node of one tile type.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DetailEntry {
    pub stack: usize,
    /// Index of the tile type within its stack.
    pub tile_type: usize,
    /// How many tiles of the stack are of this type.
    pub multiplicity: u64,
    /// The tile type's size (output pixels of the stack's last layer).
    pub tile_x: u64,
    pub tile_y: u64,
    /// The layer's own output size in this tile type (with its overlap).
    pub layer_ox: u64,
    pub layer_oy: u64,
    /// The layer's id (`None` for the input pseudo-layer).
    pub layer_id: Option<i64>,
    /// The report's item names: the layer (`L3`, empty for the input) and
    /// the data copy layer before it (`copy before L3`).
    pub item: String,
    pub copy_item: String,
    /// Their reference names (unique; `ItemReport::reference_name`).
    pub item_ref: String,
    pub copy_ref: String,
    /// The layer's spatial unrolling as the mapping asks for it: (array
    /// dimension, loop dimension, factor; §1.4 clamps it).
    pub spatial: Vec<(String, String, f64)>,
    /// The data copy layer before the node, per tile of this type.
    pub copy: CopyLayerCost,
    /// The layer's cost per tile of this type (`None` for the input).
    pub layer: Option<LayerCost>,
}

/// Every [`DetailEntry`] of a run, in the report's summation order.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NetworkDetail {
    pub entries: Vec<DetailEntry>,
}

impl NetworkRun {
    /// The detail of the evaluated tile types (complete once the run is
    /// done).
    pub fn detail(&self) -> NetworkDetail {
        let mut entries = Vec::new();
        self.for_each_node(|at| {
            let [item, copy_item, item_ref, copy_ref] = super::aggregate::item_names(at.node);
            entries.push(DetailEntry {
                stack: at.stack,
                tile_type: at.tile_type,
                multiplicity: at.mult,
                tile_x: at.key.width,
                tile_y: at.key.height,
                layer_ox: at.dim_size("OX"),
                layer_oy: at.dim_size("OY"),
                layer_id: (!at.node.is_input).then_some(at.node.id),
                item,
                copy_item,
                item_ref,
                copy_ref,
                spatial: self.spatial_of(at.node),
                copy: at.ev.copy.clone(),
                layer: at.ev.layer.clone(),
            });
        });
        NetworkDetail { entries }
    }
}
