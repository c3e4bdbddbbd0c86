//! What the page derives from the three documents: computed once per
//! change of a document (never on a slider move), and bounded in time and
//! memory whatever the text, because validation is (see
//! `defines_model::limits`).

use crate::protocol::Inputs;
use defines_model::search::{layer_weights, weight_capacity_bits};
use defines_model::{
    automatic_stack_cuts, validate_json, Diagnostic, Hardware, Tile, ValidScenario, Workload,
};
use std::rc::Rc;

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
    /// The validated scenario (for the stack footprints of a cut list).
    pub scenario: Option<Rc<ValidScenario>>,
    /// The network's layers in graph order with their weight bits, the
    /// automatic cuts (§3.1) and the weight budget they are made for.
    pub layers: Vec<(i64, u64)>,
    pub auto_cuts: Vec<i64>,
    pub weight_capacity_bits: u64,
    /// The hardware document as parsed JSON (for the form's parameters,
    /// the sliders and the hardware sweeps; `None` while it does not
    /// parse), and the labels of its numeric parameters that have a value
    /// (`NAME.FIELD`, as `defines sweep --vary` takes them).
    pub hw_doc: Option<Rc<serde_json::Value>>,
    pub hw_params: Vec<String>,
}

impl Derived {
    /// The values of `inputs`; while the workload does not parse, the
    /// sliders keep the range of `before` (the last one that did).
    pub fn of(inputs: &Inputs, before: Option<&Derived>) -> Derived {
        let valid = validate_json(
            &inputs.workload_json,
            &inputs.hardware_json,
            &inputs.mapping_json,
        );
        let (layers, auto_cuts, weight_capacity_bits) = match &valid {
            Ok(sc) => (
                layer_weights(sc),
                automatic_stack_cuts(sc).unwrap_or_default(),
                weight_capacity_bits(sc),
            ),
            Err(_) => (Vec::new(), Vec::new(), 0),
        };
        let scenario = valid.as_ref().ok().map(|sc| Rc::new(sc.clone()));
        let hw_doc: Option<serde_json::Value> = serde_json::from_str(&inputs.hardware_json).ok();
        let hw_params = hw_doc
            .as_ref()
            .map(|doc| {
                defines_model::hw_params(doc)
                    .into_iter()
                    .filter(|p| defines_model::get_param(doc, p).is_some())
                    .map(|p| p.label())
                    .collect()
            })
            .unwrap_or_default();
        let (workload, hardware, diagnostics) = match valid {
            Ok(sc) => {
                let sc = sc.into_checked();
                (Some(sc.workload), Some(sc.hardware), Vec::new())
            }
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
            scenario,
            layers,
            auto_cuts,
            weight_capacity_bits,
            hw_doc: hw_doc.map(Rc::new),
            hw_params,
        }
    }
}
