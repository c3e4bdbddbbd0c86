//! "What if" sliders: any numeric hardware field on a slider, each move
//! written into the hardware JSON (and so evaluated, latest wins).

use super::{Action, Doc, Slider, State, MAX_SLIDERS};
use defines_model::{get_param, vary_hardware, HwParam};

/// Steps either side of the slider's base value.
const STEPS: i32 = 8;

/// The values a slider offers around `base`: ×2 steps for quantities on a
/// log scale (exact in binary floating point, so a step back returns the
/// very value), whole steps otherwise; within the parameter's bounds and
/// whole where it must be.
pub fn slider_choices(p: &HwParam, base: f64) -> Vec<f64> {
    let (lo, hi) = p.bounds();
    let mut v: Vec<f64> = if p.is_log_scale() && base > 0.0 {
        (-STEPS..=STEPS).map(|k| base * 2f64.powi(k)).collect()
    } else if p.is_log_scale() {
        vec![0.0, 0.001, 0.01, 0.1, 1.0, 10.0, 100.0, 1000.0]
    } else {
        let b = base.max(0.0).round();
        (0..=2 * STEPS)
            .map(|k| b - f64::from(STEPS) + f64::from(k))
            .collect()
    };
    v.push(base);
    v.retain(|x| x.is_finite() && *x >= lo && *x <= hi && (!p.is_integer() || x.fract() == 0.0));
    defines_model::small_sort::sort_by(&mut v, f64::total_cmp);
    v.dedup();
    v
}

impl State {
    /// The slider's parameter and its current value in the hardware.
    pub fn slider_value(&self, slider: &Slider) -> Option<(HwParam, f64)> {
        let p = HwParam::parse(&slider.param).ok()?;
        let v = get_param(self.derived.hw_doc.as_deref()?, &p)?;
        Some((p, v))
    }

    pub(super) fn add_slider(&mut self, param: String) {
        if self.scenario.sliders.len() >= MAX_SLIDERS
            || self.scenario.sliders.iter().any(|s| s.param == param)
        {
            return;
        }
        let base = HwParam::parse(&param)
            .ok()
            .and_then(|p| get_param(self.derived.hw_doc.as_deref()?, &p));
        if let Some(base) = base {
            self.scenario.sliders.push(Slider { param, base });
        }
    }

    pub(super) fn set_slider(&mut self, index: usize, value: f64) {
        let Some(p) = self
            .scenario
            .sliders
            .get(index)
            .and_then(|s| HwParam::parse(&s.param).ok())
        else {
            return;
        };
        match vary_hardware(&self.scenario.text(Doc::Hardware), &[(p, value)]) {
            Ok(text) => {
                self.form_error = None;
                self.apply(Action::Edit(Doc::Hardware, text));
            }
            Err(d) => {
                self.form_error = Some(
                    d.iter()
                        .map(|d| format!("{}: {}", d.path, d.message))
                        .collect::<Vec<_>>()
                        .join("; "),
                )
            }
        }
    }
}
