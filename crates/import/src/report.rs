//! The import report: one line per ONNX node (and one for the network
//! input), saying what became of it. Nothing is skipped silently.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

/// What became of one node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    /// It is compute layer `id` of the workload (or the input layer, -1).
    Layer { id: i64, kind: String, note: String },
    /// It changes nothing the model counts (an activation, a reshape, a
    /// crop, a zero padding): its output is its input's data.
    PassedThrough(String),
    /// Its work is part of another layer (a batch normalization folded into
    /// its convolution) or it is a constant.
    Folded(String),
    /// The model cannot express it; the import fails.
    Unsupported(String),
    /// Not imported: one of its inputs comes from a node that could not be.
    StoppedHere(String),
}

/// One node of the graph and what became of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    /// The node's name (`#i` when it has none).
    pub node: String,
    pub op_type: String,
    pub status: Status,
}

/// Every node of the graph, in graph order, the network input first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    pub lines: Vec<Line>,
}

impl Report {
    pub(crate) fn push(&mut self, node: &str, op_type: &str, status: Status) {
        self.lines.push(Line {
            node: node.into(),
            op_type: op_type.into(),
            status,
        });
    }

    /// The line of a node, by name.
    pub fn line(&self, node: &str) -> Option<&Line> {
        self.lines.iter().find(|l| l.node == node)
    }

    /// The lines of nodes the model cannot express, in graph order.
    pub fn unsupported(&self) -> impl Iterator<Item = &Line> {
        self.lines
            .iter()
            .filter(|l| matches!(l.status, Status::Unsupported(_)))
    }

    /// Appends a note to the line of the node that made layer `id`.
    pub(crate) fn note_layer(&mut self, id: i64, extra: &str) {
        for l in &mut self.lines {
            if let Status::Layer { id: i, note, .. } = &mut l.status {
                if *i == id {
                    if !note.is_empty() {
                        note.push_str("; ");
                    }
                    note.push_str(extra);
                }
            }
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Status::Layer { id, kind, note } if note.is_empty() => write!(f, "layer {id} ({kind})"),
            Status::Layer { id, kind, note } => write!(f, "layer {id} ({kind}): {note}"),
            Status::PassedThrough(why) => write!(f, "passed through: {why}"),
            Status::Folded(into) => write!(f, "folded: {into}"),
            Status::Unsupported(why) => write!(f, "unsupported: {why}"),
            Status::StoppedHere(why) => write!(f, "stopped here: {why}"),
        }
    }
}

impl fmt::Display for Line {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({}): {}", self.node, self.op_type, self.status)
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for l in &self.lines {
            writeln!(f, "{l}")?;
        }
        Ok(())
    }
}

/// A name as quoted in messages: cut at [`crate::limits::MAX_NAME_CHARS`].
pub(crate) fn quote(name: &str) -> String {
    let max = crate::limits::MAX_NAME_CHARS;
    if name.chars().count() <= max {
        format!("`{name}`")
    } else {
        let cut: String = name.chars().take(max).collect();
        format!("`{cut}…`")
    }
}
