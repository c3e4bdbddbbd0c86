//! The simpler models as lenses on a sweep (docs/model.md §4.1): which
//! schedule a model that counts only DRAM traffic, or only activations,
//! would pick, and what that choice really costs under the full model.

use alloc::vec::Vec;

use super::sweep::{SweepPoint, SweepTotals};

/// A way of counting a schedule's energy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Lens {
    /// The full model: every memory level, weights and activations, MACs,
    /// data copies.
    Full,
    /// Only DRAM traffic (the outermost memory level).
    DramOnly,
    /// Everything but the weights' memory traffic.
    ActivationsOnly,
    /// Only the activations' DRAM traffic.
    DramActivations,
}

impl Lens {
    /// The simpler models, in the order they are shown.
    pub const SIMPLER: [Lens; 3] = [Lens::DramOnly, Lens::ActivationsOnly, Lens::DramActivations];

    /// The name used by the CLI (`--lens`), the page and the docs.
    pub fn name(self) -> &'static str {
        match self {
            Lens::Full => "full",
            Lens::DramOnly => "dram-only",
            Lens::ActivationsOnly => "activations-only",
            Lens::DramActivations => "dram-activations",
        }
    }

    /// The lens of a name ([`Lens::name`]).
    pub fn parse(name: &str) -> Option<Lens> {
        [
            Lens::Full,
            Lens::DramOnly,
            Lens::ActivationsOnly,
            Lens::DramActivations,
        ]
        .into_iter()
        .find(|l| l.name() == name)
    }

    /// The energy this lens counts for a schedule, pJ.
    pub fn energy_pj(self, t: &SweepTotals) -> f64 {
        match self {
            Lens::Full => t.energy_pj,
            Lens::DramOnly => t.lens.dram_pj,
            Lens::ActivationsOnly => t.lens.activations_pj,
            Lens::DramActivations => t.lens.dram_activations_pj,
        }
    }
}

/// What a lens picks among a sweep's schedules, measured by the full model.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LensChoice {
    pub lens: Lens,
    /// Index of the chosen schedule: the least energy as the lens counts it
    /// (ties: see [`lens_choice`]'s rule).
    pub index: usize,
    /// The energy the lens counts for it.
    pub lens_energy_pj: f64,
    /// Its true (full-model) energy and latency.
    pub energy_pj: f64,
    pub latency_cycles: u64,
    /// Index of the full model's least-energy schedule.
    pub best_index: usize,
    /// `energy_pj` / the full model's least energy (≥ 1).
    pub energy_ratio: f64,
    /// How many schedules share the lens's least energy (it cannot tell
    /// them apart), and the least and greatest ratio among them.
    pub tied: usize,
    pub tied_ratio_min: f64,
    pub tied_ratio_max: f64,
}

/// The successful point with the least energy as `lens` counts it. Ties
/// (common: schedules that move the same DRAM data) go to the lower mode,
/// tile height, tile width and cuts: only what the lens itself knows, and
/// not the order the points arrived in (the page's workers finish in any
/// order).
fn least(points: &[SweepPoint], lens: Lens) -> Option<usize> {
    let mut best: Option<(f64, usize)> = None;
    for (i, p) in points.iter().enumerate() {
        let Ok(t) = &p.outcome else { continue };
        let e = lens.energy_pj(t);
        if !e.is_finite() {
            continue;
        }
        let better = best.is_none_or(|(b, j)| {
            let (s, o) = (&p.schedule, &points[j].schedule);
            e.total_cmp(&b)
                .then_with(|| {
                    (s.overlap.mode(), s.tile.y, s.tile.x, &s.stack_cuts).cmp(&(
                        o.overlap.mode(),
                        o.tile.y,
                        o.tile.x,
                        &o.stack_cuts,
                    ))
                })
                .is_lt()
        });
        if better {
            best = Some((e, i));
        }
    }
    best.map(|b| b.1)
}

/// The choice of `lens` over `points` (`None` when no schedule succeeded).
pub fn lens_choice(points: &[SweepPoint], lens: Lens) -> Option<LensChoice> {
    let best = least(points, Lens::Full)?;
    let index = least(points, lens)?;
    let (Ok(b), Ok(c)) = (&points[best].outcome, &points[index].outcome) else {
        return None;
    };
    let ratio = |e: f64| {
        if b.energy_pj > 0.0 {
            e / b.energy_pj
        } else {
            1.0
        }
    };
    let least = lens.energy_pj(c);
    let tied: Vec<f64> = (points.iter())
        .filter_map(|p| p.outcome.as_ref().ok())
        .filter(|t| lens.energy_pj(t) == least)
        .map(|t| ratio(t.energy_pj))
        .collect();
    Some(LensChoice {
        lens,
        index,
        lens_energy_pj: lens.energy_pj(c),
        energy_pj: c.energy_pj,
        latency_cycles: c.latency_cycles,
        best_index: best,
        energy_ratio: ratio(c.energy_pj),
        tied: tied.len(),
        tied_ratio_min: tied.iter().copied().fold(f64::INFINITY, f64::min),
        tied_ratio_max: tied.iter().copied().fold(f64::NEG_INFINITY, f64::max),
    })
}

/// [`lens_choice`] for each lens.
pub fn lens_choices(points: &[SweepPoint], lenses: &[Lens]) -> Vec<LensChoice> {
    lenses
        .iter()
        .filter_map(|&l| lens_choice(points, l))
        .collect()
}
