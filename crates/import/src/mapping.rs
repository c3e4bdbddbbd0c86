//! A spatial mapping for an imported workload, derived from a hardware
//! family's preset mappings (`crates/model/presets/mappings/<Family>__<net>.json`).
//!
//! Those files key their entries by layer id, one `{array_dim: [loop_dim,
//! unrolling]}` per compute layer. Read by layer kind, every family uses
//! one assignment of array dimensions to loop dimensions per kind (e.g.
//! `Meta_prototype`: `conv` and `pointwise_conv` unroll `D1: K, D2: C,
//! D3: OX, D4: OY`; `depthwise_conv`, `pooling` and `elementwise_add`
//! `D1: G, D3: OX, D4: OY`), and unrolls each by the array dimension's size
//! or the layer's loop size, whichever is smaller; an unrolling of 1 is not
//! written (fsrcnn's first layer, `C = 1`, has no `D2`; a fully connected
//! layer, `OX = OY = 1`, only `K` and `C`). The derived mapping applies
//! that rule to every layer of the imported workload: per layer kind, the
//! union of the assignments in the family's five files, unrolled by
//! `min(array size, loop size)`. On the presets it gives the preset
//! mappings but for six entries where a preset unrolls less than it
//! could (e.g. `Ascend_like` resnet18 layer 0, `C` by 2 of 3), listed in
//! the tests.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use serde_json::{json, Map, Value};

use defines_model::input::hardware::ArrayDim;
use defines_model::{presets, MappingFile, Workload};

/// Per layer kind, the array dimension -> loop dimension assignment of a
/// family's preset mappings, in order of first appearance.
pub type Patterns = Vec<(String, Vec<(String, String)>)>;

/// The assignments of `family` (e.g. `Meta_prototype`), read from its
/// preset mapping files.
pub fn family_patterns(family: &str) -> Result<Patterns, String> {
    let mut patterns: Patterns = Vec::new();
    let mut files = 0;
    for (net, text) in presets::WORKLOADS {
        let Some(m) = presets::mapping(&format!("{family}__{net}")) else {
            continue;
        };
        files += 1;
        let (Ok(w), Ok(m)) = (Workload::from_json(text), MappingFile::from_json(m)) else {
            return Err(format!("the preset mapping {family}__{net} does not parse"));
        };
        for (id, sm) in &m.layers {
            let Some(kind) = w
                .layers
                .iter()
                .find(|l| l.id == *id)
                .map(|l| l.kind.clone())
            else {
                continue;
            };
            let i = match patterns.iter().position(|(k, _)| *k == kind) {
                Some(i) => i,
                None => {
                    patterns.push((kind, Vec::new()));
                    patterns.len() - 1
                }
            };
            for e in &sm.entries {
                if !patterns[i].1.iter().any(|(a, _)| *a == e.array_dim) {
                    patterns[i]
                        .1
                        .push((e.array_dim.clone(), e.loop_dim.clone()));
                }
            }
        }
    }
    if files == 0 {
        let families: Vec<&str> = presets::HARDWARE
            .iter()
            .map(|(h, _)| presets::family(h))
            .filter(|f| presets::mapping(&format!("{f}__fsrcnn")).is_some())
            .collect();
        let mut families = families;
        families.dedup();
        return Err(format!(
            "no preset mappings for the hardware family `{family}` (families: {}); give a mapping with --mapping",
            families.join(", ")
        ));
    }
    Ok(patterns)
}

/// The spatial mapping of every compute layer of `workload` on an array
/// of `array_dims`, by `family`'s rule (see the module docs).
pub fn derive_mapping(
    workload: &Workload,
    family: &str,
    array_dims: &[ArrayDim],
) -> Result<Value, String> {
    let patterns = family_patterns(family)?;
    let mut layers = Vec::new();
    for l in workload.layers.iter().filter(|l| l.kind != "input") {
        let Some((_, pattern)) = patterns.iter().find(|(k, _)| *k == l.kind) else {
            let kinds: Vec<&str> = patterns.iter().map(|(k, _)| k.as_str()).collect();
            return Err(format!(
                "layer {} is a `{}`, and the family `{family}`'s mappings have none to copy (they have {}); give a mapping with --mapping",
                l.id,
                l.kind,
                kinds.join(", ")
            ));
        };
        let mut sm = Map::new();
        for ad in array_dims {
            let Some((_, ld)) = pattern.iter().find(|(a, _)| *a == ad.name) else {
                continue;
            };
            let Some(&size) = l.loop_dims.get(ld) else {
                continue;
            };
            let u = size.min(ad.size);
            if u > 1 {
                sm.insert(ad.name.clone(), json!([ld, u]));
            }
        }
        layers.push(json!({"id": l.id, "spatial_mapping": Value::Object(sm)}));
    }
    Ok(json!({
        "schema": "defines-reference-mapping/1",
        "workload": workload.name,
        "hw_family": family.to_string(),
        "layers": layers
    }))
}

/// The derived mapping of a workload document on a hardware document, by
/// the rule of the hardware's family (its name without `_DF`), as JSON
/// text: what the CLI (`--workload MODEL.onnx`) and the page (a dropped
/// model) use. The error says what is wrong with either document.
pub fn mapping_for(hw_text: &str, wl_text: &str) -> Result<String, String> {
    let words = |d: alloc::vec::Vec<defines_model::Diagnostic>| {
        d.iter()
            .map(|d| alloc::format!("{}: {}", d.path, d.message))
            .collect::<alloc::vec::Vec<_>>()
            .join("; ")
    };
    let hw = defines_model::Hardware::from_json(hw_text).map_err(words)?;
    let w = Workload::from_json(wl_text).map_err(words)?;
    let family = defines_model::presets::family(&hw.name);
    derive_mapping(&w, family, &hw.array_dims).map(|m| m.to_string())
}
