//! What the user has chosen: presets, schedule, edited documents, and the
//! tile grid of the next sweep.

use super::SweepSetup;
use crate::defaults::{
    DEFAULT_HARDWARE, DEFAULT_LPF, DEFAULT_OVERLAP, DEFAULT_TILE, DEFAULT_WORKLOAD,
};
use crate::protocol::Inputs;
pub use defines_model::search::{auto_axis, CASE_STUDY_1_X, CASE_STUDY_1_Y};
use defines_model::{presets, Fixes, Overlap, Schedule, Tile};

/// Which of the three input documents.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Doc {
    Hardware,
    Workload,
    Mapping,
}

impl Doc {
    pub const ALL: [Doc; 3] = [Doc::Hardware, Doc::Workload, Doc::Mapping];
    pub fn name(self) -> &'static str {
        match self {
            Doc::Hardware => "hardware",
            Doc::Workload => "workload",
            Doc::Mapping => "mapping",
        }
    }
}

/// What the user has chosen: presets, schedule, and any edited JSON.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    pub hardware: String,
    pub workload: String,
    pub overlap: Overlap,
    pub tile: Tile,
    pub lpf: u32,
    /// The user's edited JSON per document (`None`: the preset's text).
    pub edits: [Option<String>; 3],
    /// Where the network is cut into stacks (`None`: the automatic
    /// weight-overflow rule; `Some([])`: one stack).
    pub stack_cuts: Option<Vec<i64>>,
    /// Reference quirks fixed on request (Q36 is the only one today).
    pub fixes: Fixes,
    /// Hardware fields on "what if" sliders.
    pub sliders: Vec<Slider>,
    /// What the next sweep covers.
    pub sweep: SweepSetup,
    /// The scenario pinned as A for an A/B comparison (this one is B); it
    /// has no pin of its own.
    pub pinned: Option<Box<Scenario>>,
}

/// At most this many "what if" sliders.
pub const MAX_SLIDERS: usize = 8;

/// A hardware field on a "what if" slider: the parameter (`NAME.FIELD`, as
/// in `defines sweep --vary`) and the value it had when it was put on the
/// slider (the slider's steps are around it, so they do not move while it
/// is dragged).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Slider {
    pub param: String,
    pub base: f64,
}

impl Default for Scenario {
    fn default() -> Self {
        Scenario {
            hardware: DEFAULT_HARDWARE.into(),
            workload: DEFAULT_WORKLOAD.into(),
            overlap: DEFAULT_OVERLAP,
            tile: DEFAULT_TILE,
            lpf: DEFAULT_LPF,
            edits: [None, None, None],
            stack_cuts: None,
            fixes: Fixes::default(),
            sliders: Vec::new(),
            sweep: SweepSetup::default(),
            pinned: None,
        }
    }
}

impl Scenario {
    pub fn mapping_name(&self) -> String {
        presets::default_mapping_name(&self.hardware, &self.workload)
    }

    pub(super) fn index(doc: Doc) -> usize {
        match doc {
            Doc::Hardware => 0,
            Doc::Workload => 1,
            Doc::Mapping => 2,
        }
    }

    pub fn edit(&self, doc: Doc) -> Option<&str> {
        self.edits[Self::index(doc)].as_deref()
    }

    /// The preset text of a document ("" for an unknown preset name).
    pub fn preset_text(&self, doc: Doc) -> &'static str {
        match doc {
            Doc::Hardware => presets::hardware(&self.hardware),
            Doc::Workload => presets::workload(&self.workload),
            Doc::Mapping => presets::mapping(&self.mapping_name()),
        }
        .unwrap_or("")
    }

    /// The text in use: the edit if there is one, else the preset.
    pub fn text(&self, doc: Doc) -> String {
        self.edit(doc)
            .map(str::to_string)
            .unwrap_or_else(|| self.preset_text(doc).to_string())
    }

    pub fn inputs(&self) -> Inputs {
        Inputs {
            hardware_json: self.text(Doc::Hardware),
            workload_json: self.text(Doc::Workload),
            mapping_json: self.text(Doc::Mapping),
        }
    }

    pub fn schedule(&self) -> Schedule {
        Schedule {
            tile: self.tile,
            overlap: self.overlap,
            lpf_limit: self.lpf,
            stack_cuts: self.stack_cuts.clone(),
        }
    }
}

/// Which tile sizes a sweep covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Grid {
    /// The paper's case study 1: x in 1,4,16,60,240,960; y in
    /// 1,4,18,72,270,540; all three modes (108 schedules).
    CaseStudy1,
    /// Six sizes per axis spread geometrically from 1 to the full output
    /// size (`ceil(full / 4^k)`, k = 0..5, see [`auto_axis`]), all three
    /// modes.
    Auto,
}

/// Sensible values for the tile sliders: powers of two, the case-study
/// values and the full size, up to the full size.
pub fn tile_choices(full: u64) -> Vec<u64> {
    let full = full.max(1);
    let mut v: Vec<u64> = (0..32)
        .map(|k| 1u64 << k)
        .take_while(|p| *p < full)
        .collect();
    v.extend(
        CASE_STUDY_1_X
            .iter()
            .chain(CASE_STUDY_1_Y.iter())
            .filter(|x| **x < full),
    );
    v.push(full);
    v.sort_unstable();
    v.dedup();
    v
}
