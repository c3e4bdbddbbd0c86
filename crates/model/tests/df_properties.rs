//! Property tests of the depth-first model: any schedule (tile sizes,
//! modes, LPF limits, arbitrary and invalid stack cut lists) on preset
//! scenarios returns a report or an error value, never a panic; reports
//! are finite, non-negative plain sums (invariant 9) and survive a JSON
//! round trip.

use defines_model::{evaluate_network, presets, NetworkReport, Overlap, Schedule, Tile};
use proptest::prelude::*;

fn scenario(hw: &str, net: &str) -> defines_model::ValidScenario {
    presets::scenario(hw, net).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 8, ..ProptestConfig::default() })]

    #[test]
    fn any_schedule_is_a_report_or_an_error(
        hw in 0usize..10,
        net in prop::sample::select(vec!["fsrcnn", "mccnn"]),
        mode in 1u8..=3,
        tx in 8u64..1400,
        ty in 8u64..1400,
        lpf in prop_oneof![4 => Just(6u32), 1 => 0u32..7],
        cuts in prop_oneof![
            3 => Just(None),
            1 => prop::collection::vec(-1i64..8, 0..3).prop_map(|mut v| {
                v.sort_unstable();
                v.dedup();
                Some(v)
            }),
            1 => prop::option::of(prop::collection::vec(-2i64..9, 0..4)),
        ],
    ) {
        let sc = scenario(presets::HARDWARE[hw].0, net);
        let s = Schedule {
            tile: Tile { x: tx, y: ty },
            overlap: Overlap::from_mode(mode).unwrap(),
            lpf_limit: lpf,
            stack_cuts: cuts,
        };
        let res = evaluate_network(&sc, &s);
        if let Ok(r) = res {
            prop_assert!(r.energy_pj.is_finite() && r.energy_pj >= 0.0);
            let e: f64 = r.layers.iter().map(|i| i.energy_pj).sum();
            let l: u64 = r.layers.iter().map(|i| i.latency_cycles).sum();
            prop_assert_eq!((e, l), (r.energy_pj, r.latency_cycles));
            prop_assert!(r.mac_energy_pj >= 0.0 && r.data_copy_energy_pj >= 0.0);
            let text = serde_json::to_string(&r).unwrap();
            let back: NetworkReport = serde_json::from_str(&text).unwrap();
            // serde_json's float parsing may differ in the last bit
            prop_assert!((back.energy_pj - r.energy_pj).abs() <= 1e-12 * r.energy_pj);
            prop_assert_eq!(back.latency_cycles, r.latency_cycles);
            prop_assert_eq!(&back.stacks, &r.stacks);
            prop_assert_eq!(back.layers.len(), r.layers.len());
            prop_assert_eq!(&back.schedule, &r.schedule);
        }
    }
}
