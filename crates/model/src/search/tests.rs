//! Unit tests of the tile grids and the Pareto front.

use alloc::vec;
use alloc::vec::Vec;

use super::pareto::best_by;
use super::*;
use crate::depth_first::{NetworkError, Overlap, Schedule, Tile};
#[test]
fn auto_axis_is_geometric_and_ends_at_full() {
    assert_eq!(auto_axis(960), vec![1, 4, 15, 60, 240, 960]);
    assert_eq!(auto_axis(970), vec![1, 4, 16, 61, 243, 970]);
    assert_eq!(auto_axis(7), vec![1, 2, 7]);
    assert_eq!(auto_axis(0), vec![1]);
    assert_eq!(auto_axis(u64::MAX).len(), 6);
}

#[test]
fn case_study_grid_order() {
    let g = case_study_1_schedules(6);
    assert_eq!(g.len(), 108);
    assert_eq!(g[0].tile, Tile { x: 1, y: 1 });
    assert_eq!(g[1].tile, Tile { x: 4, y: 1 });
    assert_eq!(g[6].tile, Tile { x: 1, y: 4 });
    assert_eq!(g[36].overlap, Overlap::HCachedVRecompute);
    assert_eq!(g[107].tile, Tile { x: 960, y: 540 });
    assert_eq!(g[107].overlap, Overlap::FullyCached);
}

fn pt(e: f64, l: u64) -> SweepPoint {
    SweepPoint {
        schedule: Schedule::default(),
        outcome: Ok(SweepTotals {
            energy_pj: e,
            latency_cycles: l,
            edp: e * l as f64,
            macs: 0,
            mac_energy_pj: 0.0,
            data_copy_energy_pj: 0.0,
            lens: Default::default(),
            mem_energy_pj: 0.0,
            latency_split: [0; 4],
            element_accesses: Vec::new(),
        }),
    }
}

#[test]
fn pareto_keeps_ties_and_drops_dominated() {
    let err = SweepPoint {
        schedule: Schedule::default(),
        outcome: Err(NetworkError::Graph("x".into())),
    };
    let pts = vec![
        pt(3.0, 10), // 0 front
        pt(1.0, 30), // 1 front
        pt(2.0, 20), // 2 front
        pt(2.0, 25), // 3 dominated by 2
        pt(3.0, 10), // 4 identical to 0: kept
        err,         // 5 ignored
        pt(4.0, 10), // 6 dominated by 0
        pt(0.5, 40), // 7 front
    ];
    assert_eq!(pareto_front(&pts), vec![7, 1, 2, 0, 4]);
    assert_eq!(best_by(&pts, |t| t.edp), Some(7));
    assert_eq!(pareto_front(&[]), Vec::<usize>::new());
}

#[test]
fn pareto_indices_keep_ties_drop_dominated_and_non_finite() {
    let pts = [
        (1.0, 10),
        (2.0, 5),
        (2.0, 6),
        (3.0, 1),
        (3.0, 1),
        (4.0, 4),
        (f64::NAN, 0),
        (f64::INFINITY, 0),
    ];
    assert_eq!(pareto_indices(&pts), vec![0, 1, 3, 4]);
    // Sorted by energy whatever the input order.
    assert_eq!(pareto_indices(&[(3.0, 1), (1.0, 9)]), vec![1, 0]);
}

/// Parallel shares: every schedule exactly once, the modes of one tile in
/// one share, tiles dealt round-robin, no empty share.
#[test]
fn deal_by_tile_keeps_a_tile_together() {
    let schedules = crate::search::grid_schedules(&[1, 4, 16], &[2, 8], &Overlap::ALL, 6);
    for parts in [1, 2, 4, 6, 50] {
        let shares = crate::search::deal_by_tile(&schedules, parts);
        assert_eq!(shares.len(), parts.min(6));
        let mut seen: Vec<usize> = shares.iter().flatten().copied().collect();
        seen.sort_unstable();
        assert_eq!(seen, (0..schedules.len()).collect::<Vec<_>>());
        for share in &shares {
            for &k in share {
                let t = schedules[k].tile;
                let together = schedules.iter().enumerate().filter(|(_, s)| s.tile == t);
                assert!(
                    together.clone().all(|(j, _)| share.contains(&j)),
                    "{parts}: {t:?}"
                );
            }
        }
    }
    assert!(crate::search::deal_by_tile(&[], 3).is_empty());
}
