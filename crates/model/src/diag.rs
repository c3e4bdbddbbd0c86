//! Diagnostics: one problem of the input, with the path of the field it is
//! about and a message that says what is wrong and how to fix it.

use alloc::string::String;
use core::fmt;
use serde::{Deserialize, Serialize};

/// One problem found in the input.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    /// Where: e.g. `workload.layers[3].loop_dims.K`; `workload` alone for the
    /// whole document.
    pub path: String,
    /// What is wrong and how to fix it (lowercase, no trailing period).
    pub message: String,
}

impl Diagnostic {
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            path: path.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}
