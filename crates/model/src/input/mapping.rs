//! Spatial mapping input (`defines-reference-mapping/1`): per compute
//! layer, `{array_dim: [loop_dim, unrolling]}` (docs/model.md §1.4).

use alloc::collections::BTreeSet;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use serde_json::Value;

use crate::diag::Diagnostic;
use crate::input::json::{as_array, as_nonneg_f64, as_str, parse_value, Diags, Obj};
use crate::limits;

/// One array dimension unrolling one loop dimension.
#[derive(Clone, Debug, PartialEq)]
pub struct SpatialEntry {
    pub array_dim: String,
    pub loop_dim: String,
    /// Requested unrolling (clamped to the array and loop sizes, §1.4).
    pub factor: f64,
}

/// The spatial mapping of one layer, in file order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SpatialMapping {
    pub entries: Vec<SpatialEntry>,
}

/// A mapping file: the spatial mapping of every compute layer by id.
#[derive(Clone, Debug, PartialEq)]
pub struct MappingFile {
    pub workload: Option<String>,
    pub layers: Vec<(i64, SpatialMapping)>,
}

impl MappingFile {
    pub fn layer(&self, id: i64) -> Option<&SpatialMapping> {
        self.layers.iter().find(|(i, _)| *i == id).map(|(_, m)| m)
    }

    pub fn from_json(text: &str) -> Result<MappingFile, Vec<Diagnostic>> {
        let v = parse_value(text, "mapping", "mapping")?;
        MappingFile::from_value(&v)
    }

    pub fn from_value(v: &Value) -> Result<MappingFile, Vec<Diagnostic>> {
        let mut d = Diags::new();
        let out = read(v, &mut d);
        match out {
            Some(m) if d.is_empty() => Ok(m),
            _ => {
                if d.is_empty() {
                    d.push(Diagnostic::new(
                        "mapping",
                        "the mapping could not be read; check its structure",
                    ));
                }
                Err(d)
            }
        }
    }
}

const SCHEMA: &str = "defines-reference-mapping/1";

fn read(v: &Value, d: &mut Diags) -> Option<MappingFile> {
    let mut o = Obj::new(v, "mapping", d)?;
    o.allow(&["hw_family", "applies_to_hardware", "overrides"]);
    o.check_schema(SCHEMA, d);
    let workload = o
        .opt("workload")
        .and_then(Value::as_str)
        .map(|s| s.to_string());
    let layers = o.req_array("layers", d);
    let lpath = o.sub("layers");
    o.finish(d);
    let layers = layers?;
    if layers.len() > limits::MAX_LAYERS {
        d.push(Diagnostic::new(
            lpath,
            limits::exceeded(
                "the number of layer mappings",
                layers.len(),
                limits::MAX_LAYERS,
                "a workload has at most that many layers",
            ),
        ));
        return None;
    }
    let mut out: Vec<(i64, SpatialMapping)> = Vec::new();
    let mut seen = BTreeSet::new();
    for (i, lv) in layers.iter().enumerate() {
        let p = format!("{lpath}[{i}]");
        if let Some((id, m)) = read_layer(lv, &p, d) {
            if !seen.insert(id) {
                d.push(Diagnostic::new(
                    format!("{p}.id"),
                    format!("layer {id} has two spatial mappings; keep one"),
                ));
            }
            out.push((id, m));
        }
    }
    Some(MappingFile {
        workload,
        layers: out,
    })
}

/// One `layers[i]` entry: its layer id and spatial mapping.
fn read_layer(lv: &Value, p: &str, d: &mut Diags) -> Option<(i64, SpatialMapping)> {
    let mut lo = Obj::new(lv, p, d)?;
    let id = lo.req("id", d).and_then(|v| match v.as_i64() {
        Some(x) => Some(x),
        None => {
            d.push(Diagnostic::new(
                format!("{p}.id"),
                "expected an integer layer id",
            ));
            None
        }
    });
    let sm = lo.req("spatial_mapping", d);
    let smp = lo.sub("spatial_mapping");
    lo.finish(d);
    let id = id?;
    let mut m = SpatialMapping::default();
    match sm {
        None => {}
        Some(Value::Object(map)) => {
            for (k, e) in map {
                if let Some(entry) = read_entry(k, e, &format!("{smp}.{k}"), d) {
                    m.entries.push(entry);
                }
            }
        }
        Some(other) => d.push(Diagnostic::new(
            smp,
            format!(
                "expected an object {{array_dim: [loop_dim, factor]}}, found {}",
                crate::input::json::kind(other)
            ),
        )),
    }
    Some((id, m))
}

/// One `array_dim: [loop_dim, unrolling]` entry.
fn read_entry(array_dim: &str, e: &Value, ep: &str, d: &mut Diags) -> Option<SpatialEntry> {
    let arr = as_array(e, ep, d)?;
    if arr.len() != 2 {
        d.push(Diagnostic::new(
            ep,
            "expected [loop_dimension, unrolling], e.g. [\"K\", 32]",
        ));
        return None;
    }
    let loop_dim = as_str(&arr[0], &format!("{ep}[0]"), d);
    let f = as_nonneg_f64(&arr[1], &format!("{ep}[1]"), d);
    let (l, f) = (loop_dim?, f?);
    if f < 1.0 {
        d.push(Diagnostic::new(
            format!("{ep}[1]"),
            format!("unrolling {f} is below 1; use a factor of at least 1 or remove the entry"),
        ));
        return None;
    }
    if f > limits::MAX_ARRAY_DIM_SIZE as f64 {
        d.push(Diagnostic::new(
            format!("{ep}[1]"),
            limits::exceeded(
                "unrolling",
                f,
                limits::MAX_ARRAY_DIM_SIZE,
                "no array dimension is larger",
            ),
        ));
        return None;
    }
    Some(SpatialEntry {
        array_dim: array_dim.to_string(),
        loop_dim: l.to_string(),
        factor: f,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::presets;

    #[test]
    fn every_preset_loads() {
        for (name, text) in presets::MAPPINGS {
            let m = MappingFile::from_json(text).unwrap_or_else(|e| panic!("{name}: {e:?}"));
            assert!(!m.layers.is_empty());
        }
        let m =
            MappingFile::from_json(presets::mapping("Meta_prototype__fsrcnn").unwrap()).unwrap();
        let l0 = m.layer(0).unwrap();
        assert_eq!(
            l0.entries[0],
            SpatialEntry {
                array_dim: "D1".into(),
                loop_dim: "K".into(),
                factor: 32.0
            }
        );
    }
}
