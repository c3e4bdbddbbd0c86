//! What the page explains: the number whose terms the explanation panel
//! shows (an item path of `defines_model::explain`), the term to
//! highlight, and whether the loop nests are shown. Either asks the worker
//! for the run's detail with every evaluation while it is open.

/// The open explanation and loop-nest view.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Inspect {
    /// The explained number's path (`energy`, `memory/dram`, …).
    pub explain: Option<String>,
    /// A tile type to highlight in it: (stack, tile type).
    pub focus: Option<(usize, usize)>,
    /// The loop-nest card is open.
    pub loops: bool,
}

impl Inspect {
    /// Whether evaluations should bring the run's detail.
    pub fn wants_detail(&self) -> bool {
        self.explain.is_some() || self.loops
    }
}
