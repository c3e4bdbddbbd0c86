//! docs/model.md §6.13 V10: depth-first reference runs on other networks
//! (branches, two stack input nodes, the §3.8 j retry, Q36). Totals:
//! energy relative 1e-6, latency exact.

use defines_model::{
    evaluate_network, evaluate_network_fixed, presets, Fixes, Overlap, Schedule, Tile,
};

const REL_TOL: f64 = 1e-6;

fn run(net: &str, hw: &str, mode: u8, tile: (u64, u64), lpf: u32) -> (f64, u64, f64) {
    let sc = presets::scenario(hw, net).unwrap();
    let s = Schedule {
        tile: Tile {
            x: tile.0,
            y: tile.1,
        },
        overlap: Overlap::from_mode(mode).unwrap(),
        lpf_limit: lpf,
        stack_cuts: None,
    };
    let t = std::time::Instant::now();
    let r = evaluate_network(&sc, &s).unwrap();
    // invariant 9: totals are plain sums of the items
    let e: f64 = r.layers.iter().map(|i| i.energy_pj).sum();
    let l: u64 = r.layers.iter().map(|i| i.latency_cycles).sum();
    assert!((e - r.energy_pj).abs() <= 1e-9 * e && l == r.latency_cycles);
    // per-stack totals add up to the network totals
    let se: f64 = r.stack_details.iter().map(|s| s.energy_pj).sum();
    let sl: u64 = r.stack_details.iter().map(|s| s.latency_cycles).sum();
    assert!((se - r.energy_pj).abs() <= 1e-9 * se && sl == r.latency_cycles);
    (r.energy_pj, r.latency_cycles, t.elapsed().as_secs_f64())
}

fn check(net: &str, hw: &str, mode: u8, tile: (u64, u64), lpf: u32, energy: f64, latency: u64) {
    let (e, l, secs) = run(net, hw, mode, tile, lpf);
    println!("{net} {hw} mode {mode} {tile:?} lpf {lpf}: {e} pJ {l} cycles ({secs:.2} s)");
    assert!(
        (e - energy).abs() <= REL_TOL * energy && l == latency,
        "{net} {hw} mode {mode}: {e} pJ {l} cycles, want {energy} / {latency}"
    );
}

/// §6.13: layers 15, 17 and 18 of the 14x14 tiles need the §3.8 j retry.
fn check_retries(net: &str, hw: &str, mode: u8, tile: (u64, u64)) {
    let sc = presets::scenario(hw, net).unwrap();
    let s = Schedule {
        tile: Tile {
            x: tile.0,
            y: tile.1,
        },
        overlap: Overlap::from_mode(mode).unwrap(),
        lpf_limit: 6,
        stack_cuts: None,
    };
    let r = evaluate_network(&sc, &s).unwrap();
    assert!(r.top_level_retries > 0);
    let retried: Vec<i64> = r
        .layers
        .iter()
        .filter(|i| i.tile_types.iter().any(|t| t.retries > 0))
        .filter_map(|i| i.layer_id)
        .collect();
    assert_eq!(retried, [15, 17, 18]);
}

#[test]
fn resnet18_meta_prototype_df_mode3_14x14() {
    check_retries("resnet18", "Meta_prototype_DF", 3, (14, 14));
    check(
        "resnet18",
        "Meta_prototype_DF",
        3,
        (14, 14),
        6,
        2_978_477_964.885,
        13_725_427,
    );
}

#[test]
fn resnet18_meta_prototype_df_mode2_14x14() {
    check(
        "resnet18",
        "Meta_prototype_DF",
        2,
        (14, 14),
        6,
        3_252_579_165.785,
        16_687_587,
    );
}

#[test]
fn resnet18_tpu_like_mode2_34x34() {
    check(
        "resnet18",
        "TPU_like",
        2,
        (34, 34),
        6,
        23_159_404_509.870,
        56_632_138,
    );
}

#[test]
fn mobilenetv1_meta_prototype_df_mode2_14x14_lpf5() {
    check(
        "mobilenetv1",
        "Meta_prototype_DF",
        2,
        (14, 14),
        5,
        3_329_714_344.280,
        6_969_433,
    );
}

#[test]
fn mobilenetv1_meta_prototype_df_mode3_14x14() {
    check(
        "mobilenetv1",
        "Meta_prototype_DF",
        3,
        (14, 14),
        6,
        2_067_193_746.075,
        5_446_002,
    );
}

#[test]
fn fsrcnn_tpu_like_mode1_one_tile_lpf5() {
    check(
        "fsrcnn",
        "TPU_like",
        1,
        (960, 540),
        5,
        53_590_388_767.920,
        133_864_821,
    );
}

#[test]
fn mccnn_edge_tpu_like_mode3_one_tile() {
    check(
        "mccnn",
        "Edge_TPU_like",
        3,
        (10_000, 10_000),
        6,
        71_381_895_804.910,
        110_635_764,
    );
}

/// (network, hardware, mode, tile, LPF limit, energy pJ, latency cycles)
type Case = (&'static str, &'static str, u8, (u64, u64), u32, f64, u64);

/// §6.9/§6.13: the same runs with Q36 fixed (a cut after layer 0 is a real
/// cut) give the values the reference would give without the quirk.
#[test]
fn q36_fixed_values() {
    let cases: [Case; 3] = [
        (
            "fsrcnn",
            "TPU_like",
            1,
            (960, 540),
            5,
            26_880_635_658.30,
            67_049_819,
        ),
        (
            "resnet18",
            "TPU_like",
            2,
            (34, 34),
            6,
            17_897_194_793.72,
            36_273_767,
        ),
        (
            "mccnn",
            "Edge_TPU_like",
            3,
            (10_000, 10_000),
            6,
            35_690_947_902.455,
            55_317_882,
        ),
    ];
    for (net, hw, mode, tile, lpf, energy, latency) in cases {
        let sc = presets::scenario(hw, net).unwrap();
        let s = Schedule {
            tile: Tile {
                x: tile.0,
                y: tile.1,
            },
            overlap: Overlap::from_mode(mode).unwrap(),
            lpf_limit: lpf,
            stack_cuts: None,
        };
        let r = evaluate_network_fixed(&sc, &s, Fixes::all()).unwrap();
        assert!(
            (r.energy_pj - energy).abs() <= REL_TOL * energy && r.latency_cycles == latency,
            "{net} {hw}: {} pJ {} cycles",
            r.energy_pj,
            r.latency_cycles
        );
    }
}
