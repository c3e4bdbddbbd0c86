//! Reading the YAML tree field by field: every problem is a [`Problem`]
//! naming the file, the field path (`memories.sram_64KB.ports[0].type`),
//! the line, the value and the fix; unknown fields are problems too (a
//! typo never passes silently).

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::yaml::{Node, Value};
use super::Problem;

/// The problems and notes of one file.
pub(crate) struct Report {
    pub file: String,
    pub errors: Vec<Problem>,
    pub notes: Vec<Problem>,
}

impl Report {
    pub fn new(file: &str) -> Report {
        Report {
            file: file.to_string(),
            errors: Vec::new(),
            notes: Vec::new(),
        }
    }

    pub fn error(&mut self, path: &str, line: usize, message: String) {
        self.errors.push(Problem {
            file: self.file.clone(),
            path: path.to_string(),
            line,
            message,
        });
    }

    pub fn note(&mut self, path: &str, line: usize, message: String) {
        self.notes.push(Problem {
            file: self.file.clone(),
            path: path.to_string(),
            line,
            message,
        });
    }

    /// The error count, to tell whether a step added any.
    pub fn len(&self) -> usize {
        self.errors.len()
    }
}

/// `path.key` (or `key` at the top).
pub(crate) fn sub(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// A value as quoted in messages, cut to a readable length.
pub(crate) fn show(node: &Node) -> String {
    let s = match &node.value {
        Value::Null => "null".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => format!("{f}"),
        Value::Str(s) => format!("`{s}`"),
        Value::Seq(_) => "a list".to_string(),
        Value::Map(_) => "a mapping".to_string(),
    };
    let max = crate::limits::MAX_NAME_CHARS;
    if s.chars().count() > max {
        let cut: String = s.chars().take(max).collect();
        format!("{cut}…")
    } else {
        s
    }
}

/// The fields of one YAML mapping, each taken at most once; what is left
/// is reported as unknown by [`Fields::finish`].
pub(crate) struct Fields<'a> {
    pub path: String,
    pub line: usize,
    entries: &'a [(String, Node)],
    taken: Vec<bool>,
}

impl<'a> Fields<'a> {
    /// `node` as a mapping (a problem otherwise).
    pub fn new(node: &'a Node, path: &str, r: &mut Report, what: &str) -> Option<Fields<'a>> {
        match &node.value {
            Value::Map(entries) => Some(Fields {
                path: path.to_string(),
                line: node.line,
                entries,
                taken: alloc::vec![false; entries.len()],
            }),
            other => {
                r.error(
                    path,
                    node.line,
                    format!(
                        "expected {what} (a YAML mapping of fields), found {}",
                        other.kind()
                    ),
                );
                None
            }
        }
    }

    pub fn sub(&self, key: &str) -> String {
        sub(&self.path, key)
    }

    /// The value of `key`, if present and not null.
    pub fn get(&mut self, key: &str) -> Option<&'a Node> {
        let i = self.entries.iter().position(|(k, _)| k == key)?;
        self.taken[i] = true;
        let n = &self.entries[i].1;
        (n.value != Value::Null).then_some(n)
    }

    /// The value of `key`; a missing one is reported with `hint` (what it
    /// is and an example).
    pub fn req(&mut self, key: &str, r: &mut Report, hint: &str) -> Option<&'a Node> {
        let v = self.get(key);
        if v.is_none() {
            r.error(
                &self.path,
                self.line,
                format!("the field `{key}` is missing: {hint}"),
            );
        }
        v
    }

    /// Every entry, in file order (for mappings whose keys are names).
    pub fn all(&mut self) -> &'a [(String, Node)] {
        self.taken.iter_mut().for_each(|t| *t = true);
        self.entries
    }

    /// Reports every field not taken.
    pub fn finish(self, known: &[&str], r: &mut Report) {
        for (i, (k, n)) in self.entries.iter().enumerate() {
            if !self.taken[i] {
                r.error(
                    &sub(&self.path, k),
                    n.line,
                    format!(
                        "unknown field `{k}`; the fields here are {}: remove it or fix its name",
                        known.join(", ")
                    ),
                );
            }
        }
    }
}

pub(crate) fn str_of<'a>(n: &'a Node, path: &str, r: &mut Report) -> Option<&'a str> {
    match &n.value {
        Value::Str(s) => Some(s),
        other => {
            r.error(
                path,
                n.line,
                format!("expected a string, found {} ({})", other.kind(), show(n)),
            );
            None
        }
    }
}

pub(crate) fn seq_of<'a>(n: &'a Node, path: &str, r: &mut Report) -> Option<&'a [Node]> {
    match &n.value {
        Value::Seq(items) => Some(items),
        other => {
            r.error(
                path,
                n.line,
                format!("expected a list, found {} ({})", other.kind(), show(n)),
            );
            None
        }
    }
}

pub(crate) fn bool_of(n: &Node, path: &str, r: &mut Report) -> Option<bool> {
    match &n.value {
        Value::Bool(b) => Some(*b),
        other => {
            r.error(
                path,
                n.line,
                format!(
                    "expected true or false, found {} ({})",
                    other.kind(),
                    show(n)
                ),
            );
            None
        }
    }
}

/// A whole number in `min..=max`; `why` says where `max` comes from.
pub(crate) fn int_in(
    n: &Node,
    path: &str,
    min: u64,
    max: u64,
    why: &str,
    r: &mut Report,
) -> Option<u64> {
    let v = match &n.value {
        Value::Int(i) => u64::try_from(*i).ok(),
        Value::Float(f) if *f >= 0.0 && *f <= max as f64 && (*f as u64) as f64 == *f => {
            Some(*f as u64)
        }
        _ => None,
    };
    match v {
        Some(v) if (min..=max).contains(&v) => Some(v),
        Some(_) if matches!(n.value, Value::Int(_) | Value::Float(_)) => {
            r.error(
                path,
                n.line,
                format!(
                    "{} is out of range: give a whole number from {min} to {max} ({why})",
                    show(n)
                ),
            );
            None
        }
        _ => {
            let found = if matches!(n.value, Value::Int(_) | Value::Float(_)) {
                show(n)
            } else {
                format!("{} ({})", n.value.kind(), show(n))
            };
            r.error(
                path,
                n.line,
                format!("expected a whole number from {min} to {max}, found {found}"),
            );
            None
        }
    }
}

/// A finite number in `0..=max` (an integer is a number too).
pub(crate) fn number_in(n: &Node, path: &str, max: f64, why: &str, r: &mut Report) -> Option<f64> {
    let v = match &n.value {
        Value::Int(i) => Some(*i as f64),
        Value::Float(f) => Some(*f),
        other => {
            r.error(
                path,
                n.line,
                format!("expected a number, found {} ({})", other.kind(), show(n)),
            );
            return None;
        }
    };
    match v {
        Some(v) if v.is_finite() && (0.0..=max).contains(&v) => Some(v),
        _ => {
            r.error(
                path,
                n.line,
                format!(
                    "{} is out of range: give a number from 0 to {max:e} ({why})",
                    show(n)
                ),
            );
            None
        }
    }
}
