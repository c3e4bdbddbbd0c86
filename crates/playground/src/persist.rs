//! The scenario as text for the URL fragment and localStorage: versioned
//! JSON in URL-safe base64. Decoding never trusts its input: every field is
//! checked and a bad state is an error message (the page then falls back to
//! the default scenario and says why).

use crate::state::{Doc, Scenario, Slider, SweepSetup, MAX_SLIDERS, MAX_VARY_AXES};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use defines_model::limits;
use defines_model::{presets, Fixes, Overlap, Tile};
use serde::{Deserialize, Serialize};

/// Larger states are refused before decoding (edited documents included,
/// the presets are below 60 KB each).
pub const MAX_STATE_CHARS: usize = 2_000_000;
/// Key of the scenario in localStorage.
pub const STORAGE_KEY: &str = "defines-playground/scenario/v1";
/// The URL fragment prefix: `#s=<state>`.
pub const FRAGMENT_PREFIX: &str = "#s=";

#[derive(Serialize, Deserialize)]
struct Saved {
    v: u32,
    hw: String,
    wl: String,
    mode: u8,
    tx: u64,
    ty: u64,
    lpf: u32,
    #[serde(default)]
    edits: [Option<String>; 3],
    /// Stack cuts (absent: automatic).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    cuts: Option<Vec<i64>>,
    #[serde(default, skip_serializing_if = "is_default")]
    fixes: Fixes,
    /// The hardware fields on "what if" sliders.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    sliders: Vec<Slider>,
    #[serde(default)]
    sweep: SweepSetup,
    /// The scenario pinned as A (absent: no comparison).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    a: Option<Box<Saved>>,
}

fn is_default(f: &Fixes) -> bool {
    *f == Fixes::default()
}

pub fn encode(s: &Scenario) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(&saved_of(s)).unwrap_or_default())
}

fn saved_of(s: &Scenario) -> Saved {
    Saved {
        v: 1,
        hw: s.hardware.clone(),
        wl: s.workload.clone(),
        mode: s.overlap.mode(),
        tx: s.tile.x,
        ty: s.tile.y,
        lpf: s.lpf,
        edits: [
            s.edit(Doc::Hardware).map(str::to_string),
            s.edit(Doc::Workload).map(str::to_string),
            s.edit(Doc::Mapping).map(str::to_string),
        ],
        cuts: s.stack_cuts.clone(),
        fixes: s.fixes,
        sliders: s.sliders.clone(),
        sweep: s.sweep.clone(),
        // A's own pin is never kept: one level only
        a: (s.pinned.as_deref()).map(|a| {
            Box::new(saved_of(&Scenario {
                pinned: None,
                ..a.clone()
            }))
        }),
    }
}

pub fn decode(text: &str) -> Result<Scenario, String> {
    if text.len() > MAX_STATE_CHARS {
        return Err(format!(
            "the saved scenario is {} characters long, more than the {MAX_STATE_CHARS} allowed",
            text.len()
        ));
    }
    let bytes = URL_SAFE_NO_PAD
        .decode(text.trim())
        .map_err(|e| format!("the saved scenario is not valid base64 ({e})"))?;
    let saved: Saved = serde_json::from_slice(&bytes)
        .map_err(|e| format!("the saved scenario is not a scenario ({e})"))?;
    let mut s = scenario_of(saved)?;
    if let Some(a) = &mut s.pinned {
        a.pinned = None;
    }
    Ok(s)
}

/// A decoded state checked field by field (and its pinned A, once).
fn scenario_of(mut saved: Saved) -> Result<Scenario, String> {
    let pinned = match saved.a.take() {
        Some(a) => Some(Box::new(
            scenario_of(Saved { a: None, ..*a }).map_err(|e| format!("the pinned A: {e}"))?,
        )),
        None => None,
    };
    if saved.v != 1 {
        return Err(format!("unknown scenario version {}", saved.v));
    }
    if presets::hardware(&saved.hw).is_none() {
        return Err(format!("unknown accelerator `{}`", saved.hw));
    }
    if presets::workload(&saved.wl).is_none() {
        return Err(format!("unknown network `{}`", saved.wl));
    }
    let overlap = Overlap::from_mode(saved.mode)
        .ok_or_else(|| format!("unknown overlap mode {}", saved.mode))?;
    if saved.tx == 0 || saved.ty == 0 {
        return Err("a tile size of 0".into());
    }
    if saved.tx.max(saved.ty) > limits::MAX_LOOP_SIZE {
        return Err(limits::exceeded(
            "the tile size",
            saved.tx.max(saved.ty),
            limits::MAX_LOOP_SIZE,
            "no layer is larger",
        ));
    }
    if !limits::LPF.contains(&saved.lpf) {
        return Err(format!("lpf {} outside {:?}", saved.lpf, limits::LPF));
    }
    if let Some(c) = &saved.cuts {
        if c.len() > limits::MAX_LAYERS {
            return Err(limits::exceeded(
                "the number of stack cuts",
                c.len(),
                limits::MAX_LAYERS,
                "a network has no more layers",
            ));
        }
    }
    if saved.sliders.len() > MAX_SLIDERS {
        return Err(format!(
            "{} sliders, more than the {MAX_SLIDERS} the page shows",
            saved.sliders.len()
        ));
    }
    let sw = &saved.sweep;
    if sw.vary.len() > MAX_VARY_AXES
        || sw.cut_sets.len() > 8
        || sw
            .vary
            .iter()
            .any(|a| a.param.len() + a.values.len() > 1000)
    {
        return Err("the saved sweep set-up is larger than the page makes".into());
    }
    Ok(Scenario {
        hardware: saved.hw,
        workload: saved.wl,
        overlap,
        tile: Tile {
            x: saved.tx,
            y: saved.ty,
        },
        lpf: saved.lpf,
        edits: saved.edits,
        stack_cuts: saved.cuts,
        fixes: saved.fixes,
        sliders: saved.sliders,
        sweep: saved.sweep,
        pinned,
    })
}

/// The scenario from a URL fragment (`#s=...`); `None` when the fragment
/// holds no scenario.
pub fn from_fragment(hash: &str) -> Option<Result<Scenario, String>> {
    hash.strip_prefix(FRAGMENT_PREFIX).map(decode)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::{Doc, Scenario};

    #[test]
    fn round_trip_with_edits() {
        let mut s = Scenario {
            hardware: "TPU_like".into(),
            workload: "resnet18".into(),
            overlap: Overlap::HCachedVRecompute,
            tile: Tile { x: 60, y: 72 },
            lpf: 8,
            ..Scenario::default()
        };
        s.edits[1] = Some("{ broken".into());
        s.stack_cuts = Some(vec![-1, 3]);
        s.fixes = Fixes::all();
        s.sliders = vec![Slider {
            param: "dram.r_cost_pJ_per_access".into(),
            base: 0.1 + 0.2,
        }];
        s.sweep.kind = crate::state::SweepKind::Hardware;
        s.sweep.vary[0].param = "sram_64KB.size_bits".into();
        s.sweep.vary[0].values = "64 KB..1 MB".into();
        s.sweep.at_best = true;
        let back = decode(&encode(&s)).unwrap();
        assert_eq!(back.sliders[0].base.to_bits(), (0.1f64 + 0.2).to_bits());
        assert_eq!(back, s);
        assert_eq!(back.edit(Doc::Workload), Some("{ broken"));
        let frag = format!("{FRAGMENT_PREFIX}{}", encode(&s));
        assert_eq!(from_fragment(&frag), Some(Ok(s)));
        assert_eq!(from_fragment("#other"), None);
    }

    #[test]
    fn hostile_states_are_errors() {
        let enc = |v: serde_json::Value| URL_SAFE_NO_PAD.encode(v.to_string());
        let good =
            serde_json::json!({"v":1,"hw":"TPU_like","wl":"fsrcnn","mode":1,"tx":4,"ty":4,"lpf":6});
        assert!(decode(&enc(good.clone())).is_ok());
        for (field, value, says) in [
            ("hw", serde_json::json!("../../etc"), "unknown accelerator"),
            ("wl", serde_json::json!("alexnet"), "unknown network"),
            ("mode", serde_json::json!(7), "unknown overlap mode"),
            ("tx", serde_json::json!(0), "tile size of 0"),
            ("lpf", serde_json::json!(99), "lpf 99"),
            ("v", serde_json::json!(2), "version"),
            ("cuts", serde_json::json!(vec![0; 5000]), "stack cuts"),
            (
                "sliders",
                serde_json::json!(vec![
                    serde_json::json!({"param": "a.size_bits", "base": 1.0});
                    9
                ]),
                "sliders",
            ),
        ] {
            let mut bad = good.clone();
            bad[field] = value;
            let e = decode(&enc(bad)).unwrap_err();
            assert!(e.contains(says), "{field}: {e}");
        }
        assert!(decode("!!!").unwrap_err().contains("base64"));
        assert!(decode(&URL_SAFE_NO_PAD.encode("[1,2]"))
            .unwrap_err()
            .contains("not a scenario"));
        assert!(decode(&"A".repeat(MAX_STATE_CHARS + 1))
            .unwrap_err()
            .contains("allowed"));
    }
}
