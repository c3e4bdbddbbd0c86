//! What the page derives from the three documents: computed once per
//! change of a document (never on a slider move), and bounded in time and
//! memory whatever the text, because validation is (see
//! `defines_model::limits`).

use crate::protocol::Inputs;
use defines_model::{validate_json, Diagnostic, Hardware, Tile, Workload};

#[derive(Clone, Debug, PartialEq)]
pub struct Derived {
    /// Problems of the documents, each with its field path.
    pub diagnostics: Vec<Diagnostic>,
    /// Largest output width / height over the workload's layers (slider
    /// range; a tile this size is one tile, layer-by-layer).
    pub full: Tile,
    /// MACs of the network (without recomputation).
    pub network_macs: u64,
    /// Memory instance names of the hardware, bottom to top (file order).
    pub memory_order: Vec<String>,
}

impl Derived {
    /// The values of `inputs`; while the workload does not parse, the
    /// sliders keep the range of `before` (the last one that did).
    pub fn of(inputs: &Inputs, before: Option<&Derived>) -> Derived {
        let (workload, hardware, diagnostics) = match validate_json(
            &inputs.workload_json,
            &inputs.hardware_json,
            &inputs.mapping_json,
        ) {
            Ok(sc) => (Some(sc.workload), Some(sc.hardware), Vec::new()),
            // Still derive what the documents that parse allow, so the
            // sliders keep their range while one document is broken.
            Err(d) => (
                Workload::from_json(&inputs.workload_json).ok(),
                Hardware::from_json(&inputs.hardware_json).ok(),
                d,
            ),
        };
        Derived {
            diagnostics,
            full: workload
                .as_ref()
                .and_then(defines_model::search::full_output_size)
                .or(before.map(|b| b.full))
                .unwrap_or(Tile { x: 1, y: 1 }),
            network_macs: workload.as_ref().map_or(0, Workload::total_macs),
            memory_order: hardware
                .map(|h| h.levels.iter().map(|l| l.name.clone()).collect())
                .unwrap_or_default(),
        }
    }
}
