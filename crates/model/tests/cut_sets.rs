//! Cut sets (fuse depths) and stack footprints, checked against the
//! stacks the evaluation itself plans and reports (Q36 included).

use defines_model::{
    automatic_stack_cuts, evaluate_network_fixed, layer_weights, limits, presets, stack_footprints,
    weight_capacity_bits, CutSet, Fixes, NetworkRun, Overlap, Schedule, StackFootprint, Tile,
    ValidScenario,
};

fn fsrcnn(hw: &str) -> ValidScenario {
    presets::scenario(hw, "fsrcnn").unwrap()
}

/// The compute layers of each stack the evaluation plans for `cuts`.
fn planned(sc: &ValidScenario, cuts: Option<Vec<i64>>, fixes: Fixes) -> Vec<Vec<i64>> {
    let sched = Schedule {
        stack_cuts: cuts,
        ..Schedule::default()
    };
    let run = NetworkRun::with_fixes(sc, &sched, fixes).unwrap();
    run.stacks().into_iter().map(|s| s.layers).collect()
}

fn ids(f: &[StackFootprint]) -> Vec<Vec<i64>> {
    f.iter().map(|s| s.layer_ids.clone()).collect()
}

#[test]
fn parse_list_examples() {
    use CutSet::*;
    assert_eq!(
        CutSet::parse_list("auto,none,all"),
        Ok(vec![Auto, Fused, LayerByLayer])
    );
    assert_eq!(
        CutSet::parse_list("auto;0,3;2"),
        Ok(vec![Auto, List(vec![0, 3]), List(vec![2])])
    );
    assert_eq!(CutSet::parse_list("none"), Ok(vec![Fused]));
    assert_eq!(
        CutSet::parse_list(" all ; -1, 4 ;auto, none"),
        Ok(vec![LayerByLayer, List(vec![-1, 4]), Auto, Fused])
    );
    let sets = [Auto, Fused, LayerByLayer, List(vec![0, 3]), List(vec![-1])];
    let labels: Vec<String> = sets.iter().map(CutSet::label).collect();
    assert_eq!(labels, ["auto", "none", "all", "0,3", "-1"]);
    assert_eq!(CutSet::parse_list(&labels.join(";")), Ok(sets.to_vec()));
    assert_eq!(List(vec![]).label(), "none");
}

#[test]
fn parse_list_errors_say_how_to_write_it() {
    let e = CutSet::parse_list("auto,0,3").unwrap_err();
    assert_eq!(
        e,
        "cut set `auto,0,3` mixes keywords and layer ids; give each cut set on its own, \
         separated by `;` (here `auto;0,3`)"
    );
    let e = CutSet::parse_list("0,none,3;all").unwrap_err();
    assert!(e.contains("(here `none;0,3`)"), "{e}");
    for bad in ["", "auto;", ";0"] {
        let e = CutSet::parse_list(bad).unwrap_err();
        assert!(
            e.contains("empty cut set; write `none` for one stack"),
            "{bad}: {e}"
        );
    }
    let e = CutSet::parse_list("0,x").unwrap_err();
    assert!(
        e.starts_with("`x` in cut set `0,x` is neither a layer id"),
        "{e}"
    );
    let many = vec!["none"; limits::MAX_CUT_SETS + 1].join(";");
    let e = CutSet::parse_list(&many).unwrap_err();
    assert!(
        e.contains("cut sets 65 (or more) is over the limit 64"),
        "{e}"
    );
    assert_eq!(
        CutSet::parse_list(&vec!["none"; limits::MAX_CUT_SETS].join(",")).map(|v| v.len()),
        Ok(limits::MAX_CUT_SETS)
    );
    let ids: Vec<String> = (0..=limits::MAX_LAYERS as i64)
        .map(|i| i.to_string())
        .collect();
    let e = CutSet::parse_list(&ids.join(",")).unwrap_err();
    assert!(e.contains("4097 is over the limit 4096"), "{e}");
}

#[test]
fn stack_cuts_of_each_set() {
    let sc = fsrcnn("Meta_prototype_DF");
    let every: Vec<i64> = (-1..=7).collect();
    assert_eq!(CutSet::Auto.stack_cuts(&sc), None);
    assert_eq!(CutSet::Fused.stack_cuts(&sc), Some(vec![]));
    assert_eq!(CutSet::LayerByLayer.stack_cuts(&sc), Some(every.clone()));
    assert_eq!(CutSet::List(vec![0, 3]).stack_cuts(&sc), Some(vec![0, 3]));
    assert_eq!(
        CutSet::Auto.resolved_cuts(&sc),
        automatic_stack_cuts(&sc).unwrap()
    );
    assert_eq!(CutSet::LayerByLayer.resolved_cuts(&sc), every);
    let lw = layer_weights(&sc);
    let want = [
        (-1, 0),
        (0, 11200),
        (1, 5376),
        (2, 10368),
        (3, 10368),
        (4, 10368),
        (5, 10368),
        (6, 5376),
        (7, 64512),
    ];
    assert_eq!(lw, want);
    // 8-bit weights: layer 0 is 56 x 1 x 5 x 5
    assert_eq!(56 * 5 * 5 * 8, 11200);
}

#[test]
fn explicit_lists_are_checked_like_a_schedule() {
    let sc = fsrcnn("Meta_prototype_DF");
    let d = CutSet::List(vec![3, 42]).validate(&sc);
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].path, "schedule.stack_cuts[1]");
    assert!(d[0].message.contains("layer 42 does not exist"), "{d:?}");
    let d = CutSet::List(vec![5, 3]).validate(&sc);
    assert!(d[0].message.contains("not after the previous cut"), "{d:?}");
    assert!(CutSet::LayerByLayer.validate(&sc).is_empty());
    assert!(stack_footprints(&sc, &[3, 42], Fixes::default()).is_empty());
    assert_eq!(
        ids(&stack_footprints(&sc, &[3], Fixes::default())),
        planned(&sc, Some(vec![3]), Fixes::default())
    );
}

/// FSRCNN on Meta_prototype_DF: the rule fuses everything (its weights fit
/// the 1 MB weight memory); `none` is one stack, `all` one stack per layer
/// with the Q36 fix, and the reference's stacks without it.
#[test]
fn fsrcnn_on_meta_prototype() {
    let sc = fsrcnn("Meta_prototype_DF");
    let cap = weight_capacity_bits(&sc);
    assert_eq!(cap, 8_388_608, "sram_1MB_W: 1 MiB");
    let auto = automatic_stack_cuts(&sc).unwrap();
    let fp = stack_footprints(&sc, &auto, Fixes::default());
    let all_layers: Vec<i64> = (0..=7).collect();
    assert_eq!(ids(&fp), std::slice::from_ref(&all_layers));
    assert_eq!(fp[0].weight_bits, 127_936);
    assert!(fp[0].weight_bits <= cap);
    assert_eq!(ids(&fp), planned(&sc, None, Fixes::default()));
    let fused = stack_footprints(&sc, &[], Fixes::default());
    assert_eq!(fused, fp);
    let by_layer = CutSet::LayerByLayer.stack_cuts(&sc).unwrap();
    let fixed = stack_footprints(&sc, &by_layer, Fixes::all());
    let singles: Vec<Vec<i64>> = all_layers.iter().map(|&l| vec![l]).collect();
    assert_eq!(ids(&fixed), singles);
    let lw = layer_weights(&sc);
    for (s, w) in fixed.iter().zip(&lw[1..]) {
        assert_eq!((s.layer_ids[0], s.weight_bits), *w);
    }
    // Q36: the cut after layer 0 is no cut, so the first stack is the whole
    // network and layers 0 and 1 run again together
    let reference = stack_footprints(&sc, &by_layer, Fixes::default());
    let mut want = vec![all_layers, vec![0, 1]];
    want.extend((2..=7).map(|l| vec![l]));
    assert_eq!(ids(&reference), want);
    assert_eq!(reference[1].weight_bits, 11_200 + 5_376);
    assert_eq!(
        ids(&reference),
        planned(&sc, Some(by_layer.clone()), Fixes::default())
    );
    assert_eq!(ids(&fixed), planned(&sc, Some(by_layer), Fixes::all()));
}

/// TPU_like: every FSRCNN layer overflows its 1 Kib weight budget, so the
/// rule cuts after every layer, 0 included; the evaluation's report shows
/// the same stacks as the footprints, with and without the Q36 fix.
#[test]
fn q36_on_tpu_like_matches_the_evaluation() {
    let sc = fsrcnn("TPU_like");
    assert_eq!(weight_capacity_bits(&sc), 1024);
    let auto = automatic_stack_cuts(&sc).unwrap();
    assert_eq!(auto, (-1..=7).collect::<Vec<i64>>());
    let sched = Schedule {
        tile: Tile { x: 960, y: 540 },
        overlap: Overlap::FullyRecompute,
        lpf_limit: 5,
        stack_cuts: None,
    };
    for fixes in [Fixes::default(), Fixes::all()] {
        let fp = stack_footprints(&sc, &auto, fixes);
        let report = evaluate_network_fixed(&sc, &sched, fixes).unwrap();
        assert_eq!(report.stack_cuts, auto);
        assert_eq!(ids(&fp), report.stacks, "{fixes:?}");
    }
    let reference = stack_footprints(&sc, &auto, Fixes::default());
    assert_eq!(reference.len(), 8);
    assert_eq!(reference[0].layer_ids, (0..=7).collect::<Vec<i64>>());
    assert_eq!(reference[0].weight_bits, 127_936);
    let fixed = stack_footprints(&sc, &auto, Fixes::all());
    assert_eq!(fixed.len(), 8);
    assert!(fixed.iter().all(|s| s.layer_ids.len() == 1));
}

/// Every preset scenario: the footprints of the automatic cuts are the
/// stacks the evaluation plans (both fix settings); with the fix each
/// layer is in one stack, and a stack over the budget is a single layer
/// (the rule cuts around a unit that overflows on its own).
#[test]
fn every_preset_footprint_is_the_planned_stack() {
    for (hw, _) in presets::HARDWARE {
        for (wl, _) in presets::WORKLOADS {
            let sc = presets::scenario(hw, wl).unwrap();
            let cap = weight_capacity_bits(&sc);
            let auto = automatic_stack_cuts(&sc).unwrap();
            for fixes in [Fixes::default(), Fixes::all()] {
                let fp = stack_footprints(&sc, &auto, fixes);
                assert_eq!(ids(&fp), planned(&sc, None, fixes), "{hw} {wl} {fixes:?}");
            }
            let fixed = stack_footprints(&sc, &auto, Fixes::all());
            let lw = layer_weights(&sc);
            let mut got: Vec<i64> = fixed.iter().flat_map(|s| s.layer_ids.clone()).collect();
            let mut want: Vec<i64> = lw.iter().skip(1).map(|l| l.0).collect();
            got.sort_unstable();
            want.sort_unstable();
            assert_eq!(got, want, "{hw} {wl}");
            let total: u64 = fixed.iter().map(|s| s.weight_bits).sum();
            assert_eq!(total, lw.iter().map(|l| l.1).sum::<u64>(), "{hw} {wl}");
            for s in &fixed {
                assert!(
                    s.weight_bits <= cap || s.layer_ids.len() == 1,
                    "{hw} {wl}: {s:?} over {cap}"
                );
            }
        }
    }
}
