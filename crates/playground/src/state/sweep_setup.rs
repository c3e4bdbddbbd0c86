//! What the next sweep covers, as the user set it up (persisted with the
//! scenario): schedules (tile sizes × modes, over one or more cut sets) or
//! hardware (one or two hardware parameters over lists of values, each
//! point at the current schedule or at the best of the tile grid).

use defines_model::search::CutSet;
use defines_model::{limits, HwParam};
use serde::{Deserialize, Serialize};

use crate::hw_form::parse_size_bits;

/// At most this many values per varied hardware parameter.
pub const MAX_VARY_VALUES: usize = 16;
/// At most two varied hardware parameters (a line chart or a heat map).
pub const MAX_VARY_AXES: usize = 2;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum SweepKind {
    /// Tile sizes × overlap modes (× cut sets).
    #[default]
    Schedules,
    /// One or two hardware parameters over lists of values.
    Hardware,
}

/// A cut set offered in the sweep panel.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CutChoice {
    /// The cuts of the fuse-depth strip (automatic unless edited).
    Current,
    Auto,
    Fused,
    LayerByLayer,
}

impl CutChoice {
    pub const ALL: [CutChoice; 4] = [
        CutChoice::Current,
        CutChoice::Auto,
        CutChoice::Fused,
        CutChoice::LayerByLayer,
    ];

    /// The model's cut set for this choice, given the strip's cuts.
    pub fn cut_set(self, current: &Option<Vec<i64>>) -> CutSet {
        match self {
            CutChoice::Current => match current {
                None => CutSet::Auto,
                Some(list) => CutSet::List(list.clone()),
            },
            CutChoice::Auto => CutSet::Auto,
            CutChoice::Fused => CutSet::Fused,
            CutChoice::LayerByLayer => CutSet::LayerByLayer,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            CutChoice::Current => "the strip's cuts",
            CutChoice::Auto => "automatic",
            CutChoice::Fused => "fuse all (one stack)",
            CutChoice::LayerByLayer => "cut all (layer by layer)",
        }
    }
}

/// One varied hardware parameter: `NAME.FIELD` and the values as typed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct VaryAxis {
    pub param: String,
    pub values: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SweepSetup {
    pub kind: SweepKind,
    /// Cut sets of a schedule sweep (at least one is used: the strip's).
    pub cut_sets: Vec<CutChoice>,
    /// Up to [`MAX_VARY_AXES`] varied parameters (an empty `param` is
    /// unused).
    pub vary: Vec<VaryAxis>,
    /// Each hardware point at the best schedule of the tile grid × modes
    /// (`true`) or at the current schedule.
    pub at_best: bool,
}

impl Default for SweepSetup {
    fn default() -> Self {
        SweepSetup {
            kind: SweepKind::Schedules,
            cut_sets: vec![CutChoice::Current],
            vary: vec![VaryAxis::default(), VaryAxis::default()],
            at_best: false,
        }
    }
}

impl SweepSetup {
    /// The cut sets to sweep, in the panel's order, each once (the strip's
    /// when none is ticked).
    pub fn cut_choices(&self) -> Vec<CutChoice> {
        let v: Vec<CutChoice> = CutChoice::ALL
            .into_iter()
            .filter(|c| self.cut_sets.contains(c))
            .collect();
        if v.is_empty() {
            vec![CutChoice::Current]
        } else {
            v
        }
    }

    /// The varied parameters with their values; an error names the axis,
    /// what was typed and how to write it.
    pub fn axes(&self) -> Result<Vec<(HwParam, Vec<f64>)>, String> {
        let mut out = Vec::new();
        for (k, a) in self.vary.iter().enumerate().take(MAX_VARY_AXES) {
            if a.param.trim().is_empty() {
                continue;
            }
            let p =
                HwParam::parse(a.param.trim()).map_err(|e| format!("parameter {}: {e}", k + 1))?;
            if out.iter().any(|(q, _): &(HwParam, Vec<f64>)| *q == p) {
                return Err(format!("`{}` is varied twice; vary it once", p.label()));
            }
            let values = parse_values(&p, &a.values).map_err(|e| format!("{}: {e}", p.label()))?;
            out.push((p, values));
        }
        if out.is_empty() {
            return Err("choose a hardware parameter to vary".into());
        }
        Ok(out)
    }
}

/// Values of a parameter as typed: a list separated by commas (`64 KB,
/// 256 KB, 1 MB`, sizes with a unit, a bare size in bits), or a range
/// `a..b` stepping ×2 on a log scale (sizes, bandwidths, energies) and +1
/// otherwise. At most [`MAX_VARY_VALUES`], each within the parameter's
/// bounds.
pub fn parse_values(p: &HwParam, text: &str) -> Result<Vec<f64>, String> {
    let one = |t: &str| -> Result<f64, String> {
        let t = t.trim();
        let v = if p.field == "size_bits" {
            parse_size_bits(t).map(|b| b as f64)
        } else {
            t.parse::<f64>().ok().filter(|x| x.is_finite())
        };
        let v = v.ok_or_else(|| {
            format!(
                "`{t}` is not a value; write numbers{} separated by commas, or a range like `{}`",
                if p.field == "size_bits" {
                    " with a unit (64 KB, 1 MB)"
                } else {
                    ""
                },
                if p.field == "size_bits" {
                    "64 KB..4 MB"
                } else if p.is_log_scale() {
                    "0.5..8"
                } else {
                    "1..4"
                }
            )
        })?;
        let (lo, hi) = p.bounds();
        if v < lo || v > hi || (p.is_integer() && v.fract() != 0.0) {
            return Err(format!(
                "`{t}` is outside what the model accepts ({lo} to {hi}{})",
                if p.is_integer() {
                    ", whole numbers"
                } else {
                    ""
                }
            ));
        }
        Ok(v)
    };
    let text = text.trim();
    if text.is_empty() {
        return Err("no values; write a list (a, b, c) or a range (a..b)".into());
    }
    let mut values = Vec::new();
    if let Some((a, b)) = text.split_once("..") {
        let (a, b) = (one(a)?, one(b)?);
        let (a, b) = if a <= b { (a, b) } else { (b, a) };
        let mut v = a;
        while v <= b {
            values.push(v);
            if values.len() > MAX_VARY_VALUES {
                break;
            }
            v = if p.is_log_scale() && v > 0.0 {
                v * 2.0
            } else {
                v + 1.0
            };
        }
    } else {
        for t in text.split(',') {
            values.push(one(t)?);
            if values.len() > MAX_VARY_VALUES {
                break;
            }
        }
    }
    if values.len() > MAX_VARY_VALUES {
        return Err(format!(
            "more than {MAX_VARY_VALUES} values; sweep fewer (a shorter list or range)"
        ));
    }
    values.dedup();
    Ok(values)
}

/// Every combination of the axes' values, the first axis outermost.
pub fn cross_product(axes: &[(HwParam, Vec<f64>)]) -> Vec<Vec<f64>> {
    let mut out: Vec<Vec<f64>> = vec![Vec::new()];
    for (_, values) in axes {
        out = out
            .into_iter()
            .flat_map(|head| {
                values.iter().map(move |v| {
                    let mut h = head.clone();
                    h.push(*v);
                    h
                })
            })
            .collect();
    }
    out
}

/// A sweep size the page accepts: the model's limit on schedules.
pub fn check_size(points: usize) -> Result<(), String> {
    if points > limits::MAX_SWEEP_SCHEDULES {
        return Err(limits::exceeded(
            "the number of evaluations in this sweep",
            points,
            limits::MAX_SWEEP_SCHEDULES,
            "sweep fewer values or tile sizes",
        ));
    }
    Ok(())
}

impl super::State {
    /// A first list of values for a newly chosen parameter: ×4 either side
    /// of its current value in ×2 steps on a log scale, else the current
    /// value and the next three.
    pub(super) fn default_values(&self, param: &str) -> String {
        let Ok(p) = HwParam::parse(param) else {
            return String::new();
        };
        let doc = self.derived.hw_doc.as_deref();
        let Some(v) = doc.and_then(|d| defines_model::get_param(d, &p)) else {
            return String::new();
        };
        let show = |x: f64| {
            if p.field == "size_bits" {
                crate::hw_form::format_size_bits(x as u64)
            } else {
                format!("{x}")
            }
        };
        let (lo, hi) = p.bounds();
        if p.is_log_scale() && v > 0.0 {
            let a = if p.is_integer() {
                (v / 4.0).max(1.0).max(lo)
            } else {
                (v / 4.0).max(lo)
            };
            let a = if p.is_integer() && a.fract() != 0.0 {
                v
            } else {
                a
            };
            format!("{}..{}", show(a), show((v * 4.0).min(hi)))
        } else {
            format!("{}..{}", show(v.max(lo)), show((v + 3.0).min(hi)))
        }
    }
}
