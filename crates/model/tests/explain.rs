//! "Explain this number" (docs/model.md §4.2): for every number a report
//! can explain, the terms add up to it bit for bit, each term is its
//! per-tile value × multiplicity, and the memory terms are word accesses ×
//! energy per access.

use defines_model::{
    evaluate_network_detailed, evaluate_network_fixed, explain, explainable, presets,
    validate_json, Amount, Fixes, Overlap, Schedule, SumRule, Tile, ValidScenario,
};

fn scenario(hw: &str, wl: &str, map: &str) -> ValidScenario {
    validate_json(
        presets::workload(wl).unwrap(),
        presets::hardware(hw).unwrap(),
        presets::mapping(map).unwrap(),
    )
    .unwrap()
}

fn bits(a: Amount) -> (u8, u64) {
    match a {
        Amount::Pj(x) => (0, x.to_bits()),
        Amount::Cycles(n) => (1, n),
    }
}

fn check(sc: &ValidScenario, mode: u8, x: u64, y: u64, fixes: Fixes) -> usize {
    let s = Schedule {
        tile: Tile { x, y },
        overlap: Overlap::from_mode(mode).unwrap(),
        ..Schedule::default()
    };
    let (r, d) = evaluate_network_detailed(sc, &s, fixes, &mut Default::default()).unwrap();
    assert_eq!(
        r,
        evaluate_network_fixed(sc, &s, fixes).unwrap(),
        "the detail changes nothing"
    );
    let paths = explainable(&r);
    assert!(paths.len() > 10);
    for (path, _) in &paths {
        let e = explain(&r, &d, &sc.hardware, path).unwrap_or_else(|| panic!("{path}"));
        assert_eq!(
            bits(e.total()),
            bits(e.value),
            "{path}: terms add up to the number"
        );
        assert!(!e.groups.is_empty() || e.value == Amount::Pj(0.0), "{path}");
        for g in &e.groups {
            if e.sum == SumRule::Nested {
                let zero = match g.value {
                    Amount::Pj(_) => Amount::Pj(0.0),
                    Amount::Cycles(_) => Amount::Cycles(0),
                };
                let v = g.terms.iter().fold(zero, |a, t| match (a, t.value) {
                    (Amount::Pj(a), Amount::Pj(b)) => Amount::Pj(a + b),
                    (Amount::Cycles(a), Amount::Cycles(b)) => Amount::Cycles(a.saturating_add(b)),
                    _ => panic!("mixed units"),
                });
                assert_eq!(bits(v), bits(g.value), "{path} / {}", g.label);
            }
            for t in &g.terms {
                let want = match t.per_tile {
                    Amount::Pj(p) => Amount::Pj(t.multiplicity as f64 * p),
                    Amount::Cycles(c) => Amount::Cycles(t.multiplicity.saturating_mul(c)),
                };
                assert_eq!(bits(want), bits(t.value), "{path}: {}", t.label);
                assert!(!t.formula.is_empty());
            }
        }
    }
    // memory terms are accesses × energy per access
    let (m, _) = r.energy_by_memory_pj.0.first().unwrap();
    let lvl = sc.hardware.levels.iter().find(|l| &l.name == m).unwrap();
    for entry in d.entries.iter().filter_map(|e| e.layer.as_ref()) {
        for l in entry
            .operands
            .iter()
            .flat_map(|o| &o.levels)
            .filter(|l| &l.memory == m)
        {
            let e = lvl.r_cost_pj * (l.rd_out_to_low_words + l.rd_out_to_high_words)
                + lvl.w_cost_pj * (l.wr_in_by_low_words + l.wr_in_by_high_words);
            assert_eq!(e.to_bits(), l.energy_pj.to_bits());
        }
    }
    assert!(explain(&r, &d, &sc.hardware, "memory/no_such").is_none());
    // the loop nests: one ordering shared by every operand, whose sizes
    // multiply to the ideal temporal cycles
    let nests = defines_model::loop_nests(&d);
    let costs: Vec<_> = d.entries.iter().filter(|e| e.layer.is_some()).collect();
    assert_eq!(nests.len(), costs.len());
    // layer by layer
    let items: Vec<&str> = nests.iter().map(|n| n.item.as_str()).collect();
    let mut runs = items.clone();
    runs.dedup();
    let mut distinct = runs.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(runs.len(), distinct.len(), "each layer's nests together");
    for n in &nests {
        let e = costs
            .iter()
            .find(|e| e.item == n.item && e.stack == n.stack && e.tile_type == n.tile_type)
            .unwrap();
        let c = e.layer.as_ref().unwrap();
        assert_eq!((n.layer_ox, n.layer_oy), (e.layer_ox, e.layer_oy));
        for o in &c.operands {
            let seq: Vec<_> = o.temporal_loops.iter().flatten().collect();
            let first: Vec<_> = c.operands[0].temporal_loops.iter().flatten().collect();
            assert_eq!(seq, first, "{}", n.item);
        }
        let product: u64 = n.loops.iter().map(|l| l.1).product();
        assert_eq!(product, c.ideal_temporal_cycles, "{}", n.item);
        assert!(n
            .loops
            .iter()
            .all(|l| l.2.len() == n.operands.len() && l.2.iter().all(|m| !m.is_empty())));
        assert!(n.search.considered > 0 || n.loops.is_empty());
    }
    paths.len()
}

#[test]
fn every_number_of_a_report_is_the_sum_of_its_terms() {
    let fsrcnn = scenario("Meta_prototype_DF", "fsrcnn", "Meta_prototype__fsrcnn");
    let mut n = 0;
    for (mode, x, y) in [(3, 16, 18), (1, 60, 72), (2, 4, 540), (3, 960, 540)] {
        n += check(&fsrcnn, mode, x, y, Fixes::default());
    }
    let resnet = scenario("Meta_prototype_DF", "resnet18", "Meta_prototype__resnet18");
    n += check(&resnet, 3, 16, 18, Fixes::default());
    let tpu = scenario("TPU_like", "fsrcnn", "TPU_like__fsrcnn");
    n += check(&tpu, 3, 60, 72, Fixes::all());
    assert!(n > 200, "{n} numbers explained");
}
