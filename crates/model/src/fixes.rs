//! [`Fixes`]: the one place for opt-in fixes of reference quirks that are
//! bugs (docs/model.md §5). The default reproduces the reference.

use serde::{Deserialize, Serialize};

/// Reference quirks that are bugs, fixed on request. This is the one place
/// that lists them; the default (all `false`) reproduces the reference
/// (docs/model.md §5), and no quirk is ever changed silently.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Fixes {
    /// Q36: the reference treats a stack cut after the layer with id 0 as
    /// no cut (a truthiness test), so with the automatic cuts of
    /// `TPU_like` (every network) and `Edge_TPU_like` (`dmcnnvd`, `mccnn`)
    /// whole parts of the network are evaluated twice. `true` makes such a
    /// cut a real cut.
    pub cut_after_layer_zero: bool,
}

impl Fixes {
    /// Every known quirk-bug fixed.
    pub fn all() -> Fixes {
        Fixes {
            cut_after_layer_zero: true,
        }
    }
}
