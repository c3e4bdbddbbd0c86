//! Keys given twice in one JSON object. `serde_json` keeps the last one
//! silently, so an edit that adds `"size_bits"` below an existing one would
//! change nothing visible; the documents refuse it instead.

use alloc::collections::BTreeSet;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

/// The paths (below `root`, e.g. `hardware.memories.sram.size_bits`) of
/// every key that repeats an earlier key of the same object. Text that is
/// not JSON gives no paths (the parser reports it).
pub fn duplicate_keys(text: &str, root: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut de = serde_json::Deserializer::from_str(text);
    let _ = Walk {
        path: root.into(),
        found: &mut found,
    }
    .deserialize(&mut de);
    found
}

/// Visits one value at `path`.
struct Walk<'a> {
    path: String,
    found: &'a mut Vec<String>,
}

impl<'de> DeserializeSeed<'de> for Walk<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Walk<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut i = 0usize;
        loop {
            let item = Walk {
                path: format!("{}[{i}]", self.path),
                found: &mut *self.found,
            };
            if seq.next_element_seed(item)?.is_none() {
                return Ok(());
            }
            i += 1;
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut keys = BTreeSet::new();
        while let Some(key) = map.next_key::<String>()? {
            let path = format!("{}.{key}", self.path);
            if !keys.insert(key) {
                self.found.push(path.clone());
            }
            map.next_value_seed(Walk {
                path,
                found: &mut *self.found,
            })?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finding6_duplicate_keys_are_found_with_their_path() {
        let text = r#"{"a": 1, "m": [{"x": 1, "y": 2, "x": 3}], "a": {"b": 1}}"#;
        assert_eq!(
            duplicate_keys(text, "hardware"),
            ["hardware.m[0].x", "hardware.a"]
        );
        assert!(duplicate_keys(r#"{"a": {"a": 1}}"#, "w").is_empty());
        assert!(duplicate_keys("{not json", "w").is_empty());
    }

    #[test]
    fn presets_have_no_duplicate_keys() {
        for table in [
            crate::presets::HARDWARE,
            crate::presets::WORKLOADS,
            crate::presets::MAPPINGS,
        ] {
            for (name, text) in table {
                assert!(duplicate_keys(text, name).is_empty(), "{name}");
            }
        }
    }
}
