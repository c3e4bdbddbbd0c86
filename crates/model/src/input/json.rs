//! A small walker over `serde_json::Value` that reports every missing,
//! unknown or mistyped field with its path (GUIDE.md rule 3), instead of
//! stopping at the first serde error.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use serde_json::{Map, Value};

use crate::diag::Diagnostic;
use crate::limits;

/// Diagnostics collected while reading one document.
pub type Diags = Vec<Diagnostic>;

/// Reports `count` of `what` at `path` when it is over `bound` (see
/// [`limits::exceeded`](crate::limits::exceeded)); true when it is.
pub(crate) fn count_over<T: PartialOrd + core::fmt::Display>(
    d: &mut Diags,
    path: String,
    what: &str,
    count: T,
    bound: T,
    why: &str,
) -> bool {
    let over = count > bound;
    if over {
        d.push(Diagnostic::new(
            path,
            crate::limits::exceeded(what, count, bound, why),
        ));
    }
    over
}

/// Parses JSON text into a value, or the diagnostics at `root`: a document
/// over [`limits::MAX_DOCUMENT_BYTES`], text that is not JSON, or keys
/// given twice in one object (JSON parsers keep the last silently).
pub fn parse_value(text: &str, root: &str, what: &str) -> Result<Value, Diags> {
    if text.len() > limits::MAX_DOCUMENT_BYTES {
        return Err(alloc::vec![Diagnostic::new(
            root,
            limits::exceeded(
                &format!("the {what} document's size in bytes"),
                text.len(),
                limits::MAX_DOCUMENT_BYTES,
                "every document is read whole, in the browser too",
            ),
        )]);
    }
    let v = serde_json::from_str::<Value>(text).map_err(|e| {
        alloc::vec![Diagnostic::new(
            root,
            format!("not a valid {what} document: {e}; fix the JSON at that line and column"),
        )]
    })?;
    let twice = super::duplicate_keys::duplicate_keys(text, root);
    if !twice.is_empty() {
        return Err(twice
            .into_iter()
            .map(|path| {
                Diagnostic::new(
                    path,
                    "this key is given twice in the same object (only the last would count); remove one",
                )
            })
            .collect());
    }
    Ok(v)
}

/// Short name of a JSON value's type, for messages.
pub fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// One JSON object being read: remembers which keys were asked for so the
/// rest can be reported as unknown.
pub struct Obj<'a> {
    pub path: String,
    map: &'a Map<String, Value>,
    known: Vec<&'static str>,
}

impl<'a> Obj<'a> {
    /// `None` (and a diagnostic) when `v` is not an object.
    pub fn new(v: &'a Value, path: impl Into<String>, d: &mut Diags) -> Option<Obj<'a>> {
        let path = path.into();
        match v {
            Value::Object(map) => Some(Obj {
                path,
                map,
                known: Vec::new(),
            }),
            other => {
                d.push(Diagnostic::new(
                    path,
                    format!(
                        "expected an object, found {}; write a JSON object {{...}}",
                        kind(other)
                    ),
                ));
                None
            }
        }
    }

    pub fn sub(&self, key: &str) -> String {
        format!("{}.{}", self.path, key)
    }

    /// Fields that are accepted and ignored (informational).
    pub fn allow(&mut self, keys: &[&'static str]) {
        self.known.extend_from_slice(keys);
    }

    /// An optional field (null counts as absent).
    pub fn opt(&mut self, key: &'static str) -> Option<&'a Value> {
        self.known.push(key);
        match self.map.get(key) {
            None | Some(Value::Null) => None,
            Some(v) => Some(v),
        }
    }

    /// The optional `schema` field: when present, it must name `expected`.
    pub fn check_schema(&mut self, expected: &str, d: &mut Diags) {
        if let Some(s) = self.opt("schema") {
            let p = self.sub("schema");
            if let Some(s) = as_str(s, &p, d) {
                if s != expected {
                    d.push(Diagnostic::new(
                        p,
                        format!("unknown schema `{s}`; use `{expected}`"),
                    ));
                }
            }
        }
    }

    /// A required field.
    pub fn req(&mut self, key: &'static str, d: &mut Diags) -> Option<&'a Value> {
        let v = self.opt(key);
        if v.is_none() {
            d.push(Diagnostic::new(
                self.sub(key),
                format!("missing field `{key}`; add it"),
            ));
        }
        v
    }

    pub fn req_str(&mut self, key: &'static str, d: &mut Diags) -> Option<&'a str> {
        let path = self.sub(key);
        self.req(key, d).and_then(|v| as_str(v, &path, d))
    }

    /// A required whole number in `min..=max` (a [`crate::limits`] bound,
    /// `why` it exists).
    pub fn req_u64_in(
        &mut self,
        key: &'static str,
        min: u64,
        max: u64,
        why: &str,
        d: &mut Diags,
    ) -> Option<u64> {
        let path = self.sub(key);
        let v = self.req(key, d).and_then(|v| as_u64(v, &path, min, d))?;
        at_most(v, max, &path, why, d)
    }

    /// An optional whole number in `min..=max`.
    pub fn opt_u64_in(
        &mut self,
        key: &'static str,
        min: u64,
        max: u64,
        why: &str,
        d: &mut Diags,
    ) -> Option<u64> {
        let path = self.sub(key);
        let v = self.opt(key).and_then(|v| as_u64(v, &path, min, d))?;
        at_most(v, max, &path, why, d)
    }

    /// A required energy in pJ: finite, `>= 0` and at most
    /// [`crate::limits::MAX_ENERGY_PJ`].
    pub fn req_energy(&mut self, key: &'static str, d: &mut Diags) -> Option<f64> {
        let path = self.sub(key);
        let e = self.req(key, d).and_then(|v| as_nonneg_f64(v, &path, d))?;
        energy_at_most(e, &path, d)
    }

    pub fn req_array(&mut self, key: &'static str, d: &mut Diags) -> Option<&'a Vec<Value>> {
        let path = self.sub(key);
        self.req(key, d).and_then(|v| as_array(v, &path, d))
    }

    /// Reports every key that no accessor asked for.
    pub fn finish(self, d: &mut Diags) {
        for k in self.map.keys() {
            if !self.known.iter().any(|kk| kk == k) {
                let mut known: Vec<&str> = self.known.clone();
                crate::small_sort::sort(&mut known);
                known.dedup();
                d.push(Diagnostic::new(
                    format!("{}.{}", self.path, k),
                    format!(
                        "unknown field `{k}`; remove it or fix its spelling (known fields: {})",
                        known.join(", ")
                    ),
                ));
            }
        }
    }
}

pub fn as_str<'a>(v: &'a Value, path: &str, d: &mut Diags) -> Option<&'a str> {
    match v {
        Value::String(s) => Some(s.as_str()),
        other => {
            d.push(Diagnostic::new(
                path,
                format!(
                    "expected a string, found {}; write it in double quotes",
                    kind(other)
                ),
            ));
            None
        }
    }
}

pub fn as_array<'a>(v: &'a Value, path: &str, d: &mut Diags) -> Option<&'a Vec<Value>> {
    match v {
        Value::Array(a) => Some(a),
        other => {
            d.push(Diagnostic::new(
                path,
                format!(
                    "expected an array, found {}; write a JSON array [...]",
                    kind(other)
                ),
            ));
            None
        }
    }
}

/// An integer `>= min`; floats with an integer value (e.g. `1e10`) are
/// accepted.
pub fn as_u64(v: &Value, path: &str, min: u64, d: &mut Diags) -> Option<u64> {
    let n = match v {
        Value::Number(n) => {
            if let Some(u) = n.as_u64() {
                Some(u)
            } else if let Some(f) = n.as_f64() {
                if (0.0..=9.0e15).contains(&f) && crate::num::trunc(f) == f {
                    Some(f as u64)
                } else {
                    None
                }
            } else {
                None
            }
        }
        _ => None,
    };
    match n {
        Some(u) if u >= min => Some(u),
        Some(u) => {
            d.push(Diagnostic::new(
                path,
                format!("value {u} is too small; it must be at least {min}"),
            ));
            None
        }
        None => {
            d.push(Diagnostic::new(
                path,
                format!(
                    "expected a whole number >= {min}, found {}; write a non-negative integer",
                    short(v)
                ),
            ));
            None
        }
    }
}

pub fn as_nonneg_f64(v: &Value, path: &str, d: &mut Diags) -> Option<f64> {
    match v.as_f64() {
        Some(f) if f.is_finite() && f >= 0.0 => Some(f),
        _ => {
            d.push(Diagnostic::new(
                path,
                format!(
                    "expected a finite number >= 0, found {}; write a non-negative number",
                    short(v)
                ),
            ));
            None
        }
    }
}

/// `v` if it is at most `max`, else a diagnostic naming the limit.
pub fn at_most(v: u64, max: u64, path: &str, why: &str, d: &mut Diags) -> Option<u64> {
    if v <= max {
        return Some(v);
    }
    d.push(Diagnostic::new(
        path,
        crate::limits::exceeded("value", v, max, why),
    ));
    None
}

/// An energy `e >= 0` if it is at most [`crate::limits::MAX_ENERGY_PJ`].
pub fn energy_at_most(e: f64, path: &str, d: &mut Diags) -> Option<f64> {
    if e <= crate::limits::MAX_ENERGY_PJ {
        return Some(e);
    }
    d.push(Diagnostic::new(
        path,
        crate::limits::exceeded(
            "energy (pJ)",
            e,
            crate::limits::MAX_ENERGY_PJ,
            crate::limits::MAX_ENERGY_WHY,
        ),
    ));
    None
}

/// A value for a message, cut short.
pub fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 40 {
        let cut: String = s.chars().take(37).collect();
        format!("{cut}...")
    } else {
        s
    }
}

#[cfg(test)]
mod schema_tests {
    use crate::input::hardware::Hardware;
    use crate::input::mapping::MappingFile;
    use crate::presets;
    use alloc::string::ToString;

    /// A document naming another schema is refused at its `schema` field,
    /// with the schema to use; the presets' own schema is accepted.
    #[test]
    fn wrong_schema_is_named_with_the_right_one() {
        let Some(hw) = presets::hardware("Meta_prototype_DF") else {
            panic!("no preset");
        };
        let mut v: serde_json::Value = serde_json::from_str(hw).unwrap_or_default();
        v["schema"] = "other/1".into();
        let err = Hardware::from_json(&v.to_string())
            .err()
            .unwrap_or_default();
        assert!(
            err.iter()
                .any(|e| e.message.starts_with("unknown schema `other/1`; use `")),
            "{err:?}"
        );
        let Some(map) = presets::mapping("Meta_prototype__fsrcnn") else {
            panic!("no preset");
        };
        assert!(MappingFile::from_json(map).is_ok());
        let mut v: serde_json::Value = serde_json::from_str(map).unwrap_or_default();
        v["schema"] = "other/1".into();
        let err = MappingFile::from_json(&v.to_string())
            .err()
            .unwrap_or_default();
        assert_eq!(err.len(), 1, "{err:?}");
        assert_eq!(err[0].path, "mapping.schema");
        assert_eq!(
            err[0].message,
            "unknown schema `other/1`; use `defines-reference-mapping/1`"
        );
    }
}
