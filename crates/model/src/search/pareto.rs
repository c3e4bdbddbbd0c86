//! The one Pareto front over (energy, latency) and the best-by-key choice
//! (EDP, energy) of a sweep's points.

use alloc::vec::Vec;

use super::sweep::{SweepPoint, SweepTotals};

pub(super) fn best_by(points: &[SweepPoint], key: impl Fn(&SweepTotals) -> f64) -> Option<usize> {
    let mut best: Option<(usize, f64)> = None;
    for (i, p) in points.iter().enumerate() {
        if let Ok(t) = &p.outcome {
            let k = key(t);
            if best.is_none_or(|(_, b)| k.total_cmp(&b).is_lt()) {
                best = Some((i, k));
            }
        }
    }
    best.map(|b| b.0)
}

/// The Pareto front over (energy, latency), both minimised: indices of the
/// successful points that no other point dominates (at most as much of
/// both, strictly less of one). Identical points are all kept. Ordered by
/// energy ascending, then latency, then index.
pub fn pareto_front(points: &[SweepPoint]) -> Vec<usize> {
    let ok: Vec<(usize, f64, u64)> = points
        .iter()
        .enumerate()
        .filter_map(|(i, p)| {
            p.outcome
                .as_ref()
                .ok()
                .map(|t| (i, t.energy_pj, t.latency_cycles))
        })
        .collect();
    let mut front: Vec<(usize, f64, u64)> = ok
        .iter()
        .copied()
        .filter(|&(_, e, l)| {
            !ok.iter().any(|&(_, e2, l2)| {
                e2.total_cmp(&e).is_le() && l2 <= l && (e2.total_cmp(&e).is_lt() || l2 < l)
            })
        })
        .collect();
    front.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.2.cmp(&b.2)).then(a.0.cmp(&b.0)));
    front.into_iter().map(|p| p.0).collect()
}
