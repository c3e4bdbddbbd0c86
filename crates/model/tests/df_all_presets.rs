//! Every hardware × network preset (50 pairs) in all three modes, at one
//! tile per stack and at 16x8 tiles, evaluates without error (issue 4);
//! invariants 3 (with one tile per stack the modes agree) and 9 (network
//! totals are plain sums of the items) of docs/model.md §6.11.

use defines_model::{
    evaluate_network_with, presets, EvalCache, NetworkReport, Overlap, Schedule, Tile,
};

const MODES: [Overlap; 3] = [
    Overlap::FullyRecompute,
    Overlap::HCachedVRecompute,
    Overlap::FullyCached,
];

fn run(hw: &str, net: &str, overlap: Overlap, tile: Tile, cache: &mut EvalCache) -> NetworkReport {
    let sc = presets::scenario(hw, net).unwrap();
    let s = Schedule {
        tile,
        overlap,
        lpf_limit: 6,
        stack_cuts: None,
    };
    let r = evaluate_network_with(&sc, &s, cache)
        .unwrap_or_else(|e| panic!("{hw} {net} {overlap:?} {tile:?}: {e}"));
    // invariant 9
    let e: f64 = r.layers.iter().map(|i| i.energy_pj).sum();
    let l: u64 = r.layers.iter().map(|i| i.latency_cycles).sum();
    assert_eq!((e, l), (r.energy_pj, r.latency_cycles), "{hw} {net}");
    assert!(r.energy_pj.is_finite() && r.energy_pj > 0.0, "{hw} {net}");
    r
}

/// Comparable content of a report (the schedule itself differs).
fn content(r: &NetworkReport) -> String {
    let mut r = r.clone();
    r.schedule.overlap = Overlap::FullyCached;
    serde_json::to_string(&r).unwrap()
}

#[test]
fn one_tile_per_stack_all_modes_agree() {
    let one = Tile {
        x: 100_000,
        y: 100_000,
    };
    for (hw, _) in presets::HARDWARE {
        for (net, _) in presets::WORKLOADS {
            // the three modes share single-layer evaluations
            let mut cache = EvalCache::default();
            let r: Vec<String> = MODES
                .iter()
                .map(|&m| content(&run(hw, net, m, one, &mut cache)))
                .collect();
            assert!(
                r[0] == r[1] && r[1] == r[2],
                "{hw} {net}: modes differ with one tile"
            );
        }
    }
}

/// All 150 runs with optimisations (`cargo test --release`, ~20 s); an
/// unoptimised build (~100 s for all) runs every pair in one mode, the
/// modes taking turns, so each pair and each mode is still covered.
#[test]
fn tile_16x8_all_pairs_all_modes() {
    let mut k = 0usize;
    for (hw, _) in presets::HARDWARE {
        for (net, _) in presets::WORKLOADS {
            let mut cache = EvalCache::default();
            for (mi, m) in MODES.into_iter().enumerate() {
                if cfg!(debug_assertions) && mi != k % 3 {
                    continue;
                }
                run(hw, net, m, Tile { x: 16, y: 8 }, &mut cache);
            }
            k += 1;
        }
    }
}
