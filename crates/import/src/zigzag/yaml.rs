//! YAML text into a small tree ([`Node`]) with the line of every value,
//! through `saphyr-parser`'s event stream (no_std, no unsafe). The tree
//! keeps mapping keys in file order (ZigZag's memories are listed
//! bottom-up), refuses duplicate keys, and is bounded: the text's size,
//! the nesting depth and the number of nodes (aliases included, each
//! expansion counted) are checked while it is built, so no input can make
//! it grow without bound.
//!
//! Plain scalars are typed by the YAML 1.2 core schema (`null`, `true`,
//! `12`, `0x1f`, `1.5e3`, `.inf`, ...); quoted and block scalars are
//! strings. ZigZag reads its files with PyYAML (YAML 1.1), which differs
//! only in corner cases these files never use (`yes`/`no` booleans,
//! `1e3` without a dot read as a string).

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use saphyr_parser::{Event, Parser, ScalarStyle};

use crate::limits;

/// One YAML value and the line (1-based) it starts on.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Node {
    pub line: usize,
    pub value: Value,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    /// Keys as written (a scalar key's text), in file order.
    Map(Vec<(String, Node)>),
}

impl Value {
    /// What kind of value this is, for messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Int(_) => "an integer",
            Value::Float(_) => "a number",
            Value::Str(_) => "a string",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }
}

/// Why a text is not a YAML document the converter can read: the message
/// and the line it concerns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct YamlError {
    pub line: usize,
    pub message: String,
}

fn err(line: usize, message: String) -> YamlError {
    YamlError { line, message }
}

/// A collection being built, with its anchor and (for mappings) the key
/// waiting for its value.
enum Open {
    Seq {
        line: usize,
        anchor: usize,
        items: Vec<Node>,
    },
    Map {
        line: usize,
        anchor: usize,
        entries: Vec<(String, Node)>,
        key: Option<(String, usize)>,
    },
}

/// Builds the tree from the events of one document.
struct Builder {
    stack: Vec<Open>,
    anchors: BTreeMap<usize, Node>,
    nodes: usize,
    root: Option<Node>,
}

impl Builder {
    fn count(&mut self, n: usize, line: usize) -> Result<(), YamlError> {
        self.nodes = self.nodes.saturating_add(n);
        if self.nodes > limits::MAX_YAML_NODES {
            return Err(err(
                line,
                defines_model::limits::exceeded(
                    "the number of YAML values (aliases expanded)",
                    self.nodes,
                    limits::MAX_YAML_NODES,
                    limits::MAX_YAML_NODES_WHY,
                ),
            ));
        }
        Ok(())
    }

    /// Adds a finished value to the collection it belongs to (or makes it
    /// the document), registering its anchor.
    fn push(&mut self, node: Node, anchor: usize) -> Result<(), YamlError> {
        if anchor > 0 {
            self.anchors.insert(anchor, node.clone());
        }
        match self.stack.last_mut() {
            None => {
                self.root = Some(node);
                Ok(())
            }
            Some(Open::Seq { items, .. }) => {
                items.push(node);
                Ok(())
            }
            Some(Open::Map { entries, key, .. }) => match key.take() {
                None => {
                    let k = key_text(&node)?;
                    if entries.iter().any(|(e, _)| *e == k) {
                        return Err(err(
                            node.line,
                            format!("the key `{k}` is given twice in one mapping; give it once"),
                        ));
                    }
                    *key = Some((k, node.line));
                    Ok(())
                }
                Some((k, _)) => {
                    entries.push((k, node));
                    Ok(())
                }
            },
        }
    }

    fn open(&mut self, o: Open, line: usize) -> Result<(), YamlError> {
        if self.stack.len() >= limits::MAX_YAML_DEPTH {
            return Err(err(
                line,
                defines_model::limits::exceeded(
                    "the nesting depth of the YAML document",
                    self.stack.len() + 1,
                    limits::MAX_YAML_DEPTH,
                    "ZigZag's files nest four or five levels deep",
                ),
            ));
        }
        self.count(1, line)?;
        self.stack.push(o);
        Ok(())
    }

    fn close(&mut self) -> Result<(), YamlError> {
        let (node, anchor) = match self.stack.pop() {
            Some(Open::Seq {
                line,
                anchor,
                items,
            }) => (
                Node {
                    line,
                    value: Value::Seq(items),
                },
                anchor,
            ),
            Some(Open::Map {
                line,
                anchor,
                entries,
                ..
            }) => (
                Node {
                    line,
                    value: Value::Map(entries),
                },
                anchor,
            ),
            None => return Ok(()),
        };
        self.push(node, anchor)
    }
}

/// A mapping key as text: scalar keys only.
fn key_text(node: &Node) -> Result<String, YamlError> {
    match &node.value {
        Value::Str(s) => Ok(s.clone()),
        Value::Int(i) => Ok(i.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        Value::Float(f) => Ok(format!("{f}")),
        Value::Null => Ok("null".into()),
        other => Err(err(
            node.line,
            format!(
                "a mapping key is {}; keys must be plain names",
                other.kind()
            ),
        )),
    }
}

/// Parses `text` as one YAML document. An empty text is a `Null` document.
pub(crate) fn parse(text: &str) -> Result<Node, YamlError> {
    if text.len() > limits::MAX_YAML_BYTES {
        return Err(err(
            0,
            defines_model::limits::exceeded(
                "the YAML file's size in bytes",
                text.len(),
                limits::MAX_YAML_BYTES,
                limits::MAX_YAML_BYTES_WHY,
            ),
        ));
    }
    let mut b = Builder {
        stack: Vec::new(),
        anchors: BTreeMap::new(),
        nodes: 0,
        root: None,
    };
    let mut documents = 0usize;
    for ev in Parser::new_from_str(text) {
        let (ev, span) = ev.map_err(|e| {
            err(
                e.marker().line(),
                format!(
                    "not valid YAML: {} (column {})",
                    e.info(),
                    e.marker().col() + 1
                ),
            )
        })?;
        let line = span.start.line();
        match ev {
            Event::DocumentStart(_) => {
                documents += 1;
                if documents > 1 {
                    return Err(err(
                        line,
                        "the file holds more than one YAML document (`---`); give one accelerator, mapping or workload per file".into(),
                    ));
                }
            }
            Event::Scalar(v, style, anchor, tag) => {
                b.count(1, line)?;
                let value = if let Some(t) = tag {
                    tagged(&v, &t.handle, &t.suffix, line)?
                } else if style == ScalarStyle::Plain {
                    plain(&v)
                } else {
                    Value::Str(v.into_owned())
                };
                b.push(Node { line, value }, anchor)?;
            }
            Event::SequenceStart(anchor, _) => b.open(
                Open::Seq {
                    line,
                    anchor,
                    items: Vec::new(),
                },
                line,
            )?,
            Event::MappingStart(anchor, _) => b.open(
                Open::Map {
                    line,
                    anchor,
                    entries: Vec::new(),
                    key: None,
                },
                line,
            )?,
            Event::SequenceEnd | Event::MappingEnd => b.close()?,
            Event::Alias(id) => {
                let Some(node) = b.anchors.get(&id).cloned() else {
                    return Err(err(
                        line,
                        "an alias (`*name`) refers to an anchor that is not complete here; define the anchor before using it, outside of itself".into(),
                    ));
                };
                b.count(size(&node), line)?;
                b.push(Node { line, ..node }, 0)?;
            }
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd | Event::Nothing => {}
        }
    }
    Ok(b.root.unwrap_or(Node {
        line: 1,
        value: Value::Null,
    }))
}

/// The number of values in a tree (bounded: the tree was built within
/// [`limits::MAX_YAML_NODES`]).
fn size(node: &Node) -> usize {
    match &node.value {
        Value::Seq(items) => items.iter().fold(1, |a, n| a.saturating_add(size(n))),
        Value::Map(entries) => entries
            .iter()
            .fold(1, |a, (_, n)| a.saturating_add(1).saturating_add(size(n))),
        _ => 1,
    }
}

/// A scalar with an explicit core tag (`!!str 12`, `!!int "3"`).
fn tagged(v: &str, handle: &str, suffix: &str, line: usize) -> Result<Value, YamlError> {
    let core = handle == "!!" || handle == "tag:yaml.org,2002:";
    let typed = match (core, suffix) {
        (true, "str") => Some(Value::Str(v.to_string())),
        (true, "int") => match plain(v) {
            i @ Value::Int(_) => Some(i),
            _ => None,
        },
        (true, "float") => match plain(v) {
            Value::Int(i) => Some(Value::Float(i as f64)),
            f @ Value::Float(_) => Some(f),
            _ => None,
        },
        (true, "bool") => match plain(v) {
            b @ Value::Bool(_) => Some(b),
            _ => None,
        },
        (true, "null") => Some(Value::Null),
        _ => {
            return Err(err(
                line,
                format!("the tag `{handle}{suffix}` is not a YAML core type; remove it"),
            ))
        }
    };
    typed.ok_or_else(|| err(line, format!("`{v}` is not a valid `!!{suffix}`")))
}

/// A plain scalar typed by the YAML 1.2 core schema.
pub(crate) fn plain(v: &str) -> Value {
    match v {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Value::Float(f64::INFINITY)
        }
        "-.inf" | "-.Inf" | "-.INF" => return Value::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Value::Float(f64::NAN),
        _ => {}
    }
    let radix = |p: &str, r: u32| i64::from_str_radix(p, r).ok().map(Value::Int);
    if let Some(h) = v.strip_prefix("0x") {
        if !h.is_empty() && h.bytes().all(|c| c.is_ascii_hexdigit()) {
            return radix(h, 16).unwrap_or_else(|| Value::Str(v.into()));
        }
    }
    if let Some(o) = v.strip_prefix("0o") {
        if !o.is_empty() && o.bytes().all(|c| (b'0'..=b'7').contains(&c)) {
            return radix(o, 8).unwrap_or_else(|| Value::Str(v.into()));
        }
    }
    let digits = v.strip_prefix(['-', '+']).unwrap_or(v);
    if !digits.is_empty() && digits.bytes().all(|c| c.is_ascii_digit()) {
        return match v.parse::<i64>() {
            Ok(i) => Value::Int(i),
            // Too large for an integer: kept as a number, refused where read.
            Err(_) => v.parse::<f64>().map_or(Value::Str(v.into()), Value::Float),
        };
    }
    if is_float(digits) {
        if let Ok(f) = v.parse::<f64>() {
            return Value::Float(f);
        }
    }
    Value::Str(v.to_string())
}

/// `(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?` (the sign stripped).
fn is_float(s: &str) -> bool {
    let (mantissa, exp) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let (int, frac) = match mantissa.split_once('.') {
        Some((a, b)) => (a, Some(b)),
        None => (mantissa, None),
    };
    let all_digits = |t: &str| t.bytes().all(|c| c.is_ascii_digit());
    let mantissa_ok = all_digits(int)
        && frac.is_none_or(all_digits)
        && (!int.is_empty() || frac.is_some_and(|f| !f.is_empty()));
    let exp_ok = exp.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && all_digits(e)
    });
    mantissa_ok && exp_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> Value {
        parse(text).unwrap().value
    }

    #[test]
    fn scalars_follow_the_core_schema() {
        assert_eq!(plain("12"), Value::Int(12));
        assert_eq!(plain("-3"), Value::Int(-3));
        assert_eq!(plain("0x10"), Value::Int(16));
        assert_eq!(plain("0.04"), Value::Float(0.04));
        assert_eq!(plain("1e10"), Value::Float(1e10));
        assert_eq!(plain(".5"), Value::Float(0.5));
        assert_eq!(plain("~"), Value::Null);
        assert_eq!(plain("True"), Value::Bool(true));
        assert_eq!(plain("I2, tl"), Value::Str("I2, tl".into()));
        assert_eq!(plain("1.2.3"), Value::Str("1.2.3".into()));
        assert_eq!(plain("e5"), Value::Str("e5".into()));
    }

    #[test]
    fn maps_keep_order_and_lines() {
        let t = "b: 1\na:\n  - x\n  - 'y'\n";
        let Value::Map(e) = v(t) else { panic!() };
        assert_eq!(e[0].0, "b");
        assert_eq!(e[1].0, "a");
        assert_eq!(e[1].1.line, 3);
        let Value::Seq(items) = &e[1].1.value else {
            panic!()
        };
        assert_eq!(items[1].value, Value::Str("y".into()));
    }

    #[test]
    fn duplicate_keys_depth_and_alias_bombs_are_refused() {
        let e = parse("a: 1\nb: 2\na: 3\n").unwrap_err();
        assert_eq!(e.line, 3);
        assert!(e.message.contains("`a` is given twice"), "{}", e.message);
        let deep = "[".repeat(200);
        assert!(parse(&deep).unwrap_err().message.contains("nesting depth"));
        let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 0..12 {
            let prev = if i == 0 {
                "a".to_string()
            } else {
                format!("b{}", i - 1)
            };
            bomb.push_str(&format!(
                "b{i}: &b{i} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
            ));
        }
        assert!(parse(&bomb)
            .unwrap_err()
            .message
            .contains("aliases expanded"));
        assert!(parse("a: 1\n---\nb: 2\n")
            .unwrap_err()
            .message
            .contains("more than one YAML document"));
        let e = parse("a: [1, 2\n").unwrap_err();
        assert!(e.message.starts_with("not valid YAML"), "{}", e.message);
    }

    #[test]
    fn aliases_are_expanded() {
        let Value::Map(e) = v("p: &p {n: 1}\nq: *p\n") else {
            panic!()
        };
        assert_eq!(e[0].1.value, e[1].1.value);
    }
}
