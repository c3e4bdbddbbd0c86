//! The one Pareto front over (energy, latency) and the one best-by-key
//! choice (EDP, energy), used by the sweep, the CLI and the page alike.
//!
//! Rule for numbers that are not finite (a report never has them, see
//! `NetworkError::Limit`, but a caller may pass any pair): such a point is
//! never on the front and never the best.

use alloc::vec::Vec;

use super::sweep::{SweepPoint, SweepTotals};

/// Index of the successful point with the smallest finite `key`; ties go
/// to the first such point.
pub fn best_by(points: &[SweepPoint], key: impl Fn(&SweepTotals) -> f64) -> Option<usize> {
    let mut best: Option<(usize, f64)> = None;
    for (i, p) in points.iter().enumerate() {
        if let Ok(t) = &p.outcome {
            let k = key(t);
            if k.is_finite() && best.is_none_or(|(_, b)| k < b) {
                best = Some((i, k));
            }
        }
    }
    best.map(|b| b.0)
}

/// Index of the point with the smallest energy-delay product.
pub fn best_edp(points: &[SweepPoint]) -> Option<usize> {
    best_by(points, |t| t.edp)
}

/// The Pareto front over (energy, latency) of a sweep's successful points.
/// See [`pareto_indices`].
pub fn pareto_front(points: &[SweepPoint]) -> Vec<usize> {
    let pairs: Vec<(f64, u64)> = points
        .iter()
        .map(|p| match &p.outcome {
            Ok(t) => (t.energy_pj, t.latency_cycles),
            Err(_) => (f64::NAN, 0),
        })
        .collect();
    pareto_indices(&pairs)
}

/// Indices of the (energy, latency) pairs that no other pair dominates
/// (at most as much of both, strictly less of one), both minimised.
/// Identical points are all kept; pairs with a non-finite energy are left
/// out. Ordered by energy ascending, then latency, then index.
pub fn pareto_indices(points: &[(f64, u64)]) -> Vec<usize> {
    let ok: Vec<(usize, f64, u64)> = points
        .iter()
        .enumerate()
        .filter(|(_, p)| p.0.is_finite())
        .map(|(i, &(e, l))| (i, e, l))
        .collect();
    let mut front: Vec<(usize, f64, u64)> = ok
        .iter()
        .copied()
        .filter(|&(_, e, l)| {
            !ok.iter()
                .any(|&(_, e2, l2)| e2 <= e && l2 <= l && (e2 < e || l2 < l))
        })
        .collect();
    crate::small_sort::sort_by(&mut front, |a, b| {
        a.1.total_cmp(&b.1).then(a.2.cmp(&b.2)).then(a.0.cmp(&b.0))
    });
    front.into_iter().map(|p| p.0).collect()
}
