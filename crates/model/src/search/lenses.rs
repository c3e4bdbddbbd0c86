//! The simpler models as lenses on a sweep (docs/model.md §4.1): which
//! schedule a model that counts only DRAM traffic, or only activations,
//! would pick, and what that choice really costs under the full model.

use alloc::vec::Vec;

use super::pareto::best_by;
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
    /// (ties: the first, as for every best-of choice).
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
}

/// The choice of `lens` over `points` (`None` when no schedule succeeded).
pub fn lens_choice(points: &[SweepPoint], lens: Lens) -> Option<LensChoice> {
    let best = best_by(points, |t| t.energy_pj)?;
    let index = best_by(points, |t| lens.energy_pj(t))?;
    let (Ok(b), Ok(c)) = (&points[best].outcome, &points[index].outcome) else {
        return None;
    };
    Some(LensChoice {
        lens,
        index,
        lens_energy_pj: lens.energy_pj(c),
        energy_pj: c.energy_pj,
        latency_cycles: c.latency_cycles,
        best_index: best,
        energy_ratio: if b.energy_pj > 0.0 {
            c.energy_pj / b.energy_pj
        } else {
            1.0
        },
    })
}

/// [`lens_choice`] for each lens.
pub fn lens_choices(points: &[SweepPoint], lenses: &[Lens]) -> Vec<LensChoice> {
    lenses
        .iter()
        .filter_map(|&l| lens_choice(points, l))
        .collect()
}
