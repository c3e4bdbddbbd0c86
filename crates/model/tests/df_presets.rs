//! Depth-first checks over all 50 hardware × network presets: the stack
//! cuts of docs/model.md §6.9 (V7) and invariants 1 and 2 of §6.11 (planning
//! only, no LOMA: fast in debug builds).

use defines_model::{
    automatic_stack_cuts, presets, NetworkRun, Overlap, Schedule, Tile, ValidScenario,
};

fn scenario(hw: &str, net: &str) -> ValidScenario {
    presets::scenario(hw, net).unwrap()
}

fn all_ids(net: &str) -> Vec<i64> {
    let w = defines_model::Workload::from_json(presets::workload(net).unwrap()).unwrap();
    w.layers.iter().map(|l| l.id).collect()
}

/// §6.9 V7, reference table.
fn expected_cuts(hw: &str, net: &str) -> Vec<i64> {
    let range = |a: i64, b: i64| (a..=b).collect::<Vec<i64>>();
    if hw == "TPU_like" {
        return all_ids(net);
    }
    if hw == "Edge_TPU_like" {
        return match net {
            "fsrcnn" => vec![],
            "dmcnnvd" => range(0, 18),
            "mccnn" => range(0, 3),
            "mobilenetv1" => range(7, 28),
            _ => range(1, 27),
        };
    }
    match net {
        "mobilenetv1" => vec![17, 23, 25, 27],
        "resnet18" => [vec![13], range(16, 25)].concat(),
        _ => vec![],
    }
}

#[test]
fn v7_stack_cuts_of_all_pairs() {
    let mut bad = Vec::new();
    for (hw, _) in presets::HARDWARE {
        for (net, _) in presets::WORKLOADS {
            let got = automatic_stack_cuts(&scenario(hw, net)).unwrap();
            let want = expected_cuts(hw, net);
            if got != want {
                bad.push(format!("{hw} {net}: {got:?} vs {want:?}"));
            }
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

const MODES: [Overlap; 3] = [
    Overlap::FullyRecompute,
    Overlap::HCachedVRecompute,
    Overlap::FullyCached,
];

/// Invariants 1 and 2 of §6.11 for every pair, every mode and several tile
/// sizes (including partial tiles and one tile per stack).
#[test]
fn invariants_tiles_cover_outputs_and_recomputation_order() {
    let tiles = [(16, 8), (60, 72), (10_000, 10_000)];
    for (hw, _) in presets::HARDWARE {
        for (net, _) in presets::WORKLOADS {
            let sc = scenario(hw, net);
            for (tx, ty) in tiles {
                let mut per_mode = Vec::new();
                for overlap in MODES {
                    let s = Schedule {
                        tile: Tile { x: tx, y: ty },
                        overlap,
                        lpf_limit: 6,
                        stack_cuts: None,
                    };
                    let stacks = NetworkRun::new(&sc, &s).unwrap().stacks();
                    let tag = format!("{hw} {net} {tx}x{ty} {overlap:?}");
                    for st in &stacks {
                        // invariant 1
                        let n: u64 = st.tile_type_multiplicities.iter().sum();
                        assert_eq!(n, st.tiles, "{tag}");
                        assert_eq!(
                            n,
                            st.output_x.div_ceil(tx) * st.output_y.div_ceil(ty),
                            "{tag}"
                        );
                        let area: u64 = st
                            .tile_type_sizes
                            .iter()
                            .zip(&st.tile_type_multiplicities)
                            .map(|(t, m)| t.x * t.y * m)
                            .sum();
                        assert_eq!(area, st.output_x * st.output_y, "{tag}");
                        // invariant 2
                        for l in &st.layer_macs {
                            if overlap == Overlap::FullyCached {
                                assert_eq!(l.tile_macs, l.full_macs, "{tag} L{}", l.layer_id);
                            } else {
                                assert!(l.tile_macs >= l.full_macs, "{tag} L{}", l.layer_id);
                            }
                        }
                    }
                    per_mode.push(stacks);
                }
                // invariant 2: mode 1 recomputes at least as much as mode 2
                for (a, b) in per_mode[0].iter().zip(&per_mode[1]) {
                    for (x, y) in a.layer_macs.iter().zip(&b.layer_macs) {
                        assert!(x.tile_macs >= y.tile_macs, "{hw} {net} L{}", x.layer_id);
                    }
                }
            }
        }
    }
}
