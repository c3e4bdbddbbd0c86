//! The simpler models' lenses (docs/model.md §4.1): what each counts, from
//! the report's own breakdowns, and what each would pick in case study 1.

use defines_model::{
    case_study_1_schedules, evaluate_network, lens_choice, presets, validate_json, Lens,
    NetworkReport, Overlap, Schedule, Sweep, SweepPoint, Tile, ValidScenario,
};

fn scenario(hw: &str, wl: &str, map: &str) -> ValidScenario {
    validate_json(
        presets::workload(wl).unwrap(),
        presets::hardware(hw).unwrap(),
        presets::mapping(map).unwrap(),
    )
    .unwrap()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * a.abs().max(b.abs())
}

/// Sum of the per-`memory|operand` energies that `keep` accepts.
fn by_mem_op(r: &NetworkReport, keep: impl Fn(&str, &str) -> bool) -> f64 {
    r.energy_by_memory_and_operand_pj
        .0
        .iter()
        .filter(|(k, _)| {
            let (m, o) = k.split_once('|').unwrap();
            keep(m, o)
        })
        .map(|(_, e)| e)
        .sum()
}

fn check_identities(r: &NetworkReport) {
    let l = r.lens_energies_pj;
    let copies_dram = r
        .data_copy_energy_by_memory_pj
        .0
        .iter()
        .filter(|(m, _)| m == "dram")
        .map(|(_, e)| e)
        .sum::<f64>();
    // FSRCNN's and ResNet18's only constant operand is W (adds take X, Y).
    let dram = by_mem_op(r, |m, _| m == "dram") + copies_dram;
    let weights = by_mem_op(r, |_, o| o == "W");
    let dram_w = by_mem_op(r, |m, o| m == "dram" && o == "W");
    assert!(close(l.dram_pj, dram), "{} vs {dram}", l.dram_pj);
    assert!(close(l.activations_pj, r.energy_pj - weights), "{l:?}");
    assert!(close(l.dram_activations_pj, dram - dram_w), "{l:?}");
    assert!(l.dram_pj > 0.0 && l.dram_activations_pj < l.dram_pj);
    assert!(l.activations_pj < r.energy_pj && weights > 0.0);
}

#[test]
fn each_lens_counts_what_section_4_1_says() {
    let fsrcnn = scenario("Meta_prototype_DF", "fsrcnn", "Meta_prototype__fsrcnn");
    for (mode, x, y) in [(3, 16, 18), (1, 960, 540), (2, 60, 72)] {
        let s = Schedule {
            tile: Tile { x, y },
            overlap: Overlap::from_mode(mode).unwrap(),
            ..Schedule::default()
        };
        let r = evaluate_network(&fsrcnn, &s).unwrap();
        check_identities(&r);
        let t = defines_model::SweepTotals::of(&r);
        assert_eq!(t.latency_split[0], r.ideal_cycles);
        assert_eq!(t.latency_split.iter().sum::<u64>(), r.latency_cycles);
        assert_eq!(
            t.latency_split[3],
            r.latency_cycles - r.latency_total0_cycles
        );
        assert_eq!(t.mem_energy_pj, r.mem_energy_pj);
        if x == 960 {
            // layer by layer: every copy goes through DRAM
            assert!(r.data_copy_energy_pj > 0.0 || r.lens_energies_pj.dram_pj > 0.0);
        }
    }
    let resnet = scenario("Meta_prototype_DF", "resnet18", "Meta_prototype__resnet18");
    let r = evaluate_network(&resnet, &Schedule::default()).unwrap();
    check_identities(&r);
}

fn case_study_1() -> Vec<SweepPoint> {
    let sc = scenario("Meta_prototype_DF", "fsrcnn", "Meta_prototype__fsrcnn");
    let mut sweep = Sweep::new(&sc, case_study_1_schedules(6));
    sweep.run();
    sweep.results().to_vec()
}

/// Each lens picks its own least energy; the full model's pick has ratio 1;
/// in case study 1 both simpler models pick schedules that really cost more.
#[test]
fn lenses_pick_their_least_energy_and_pay_for_it() {
    let pts = case_study_1();
    // (the totals' latency split adds up to the latency)
    for p in &pts {
        let t = p.outcome.as_ref().unwrap();
        assert_eq!(
            t.latency_split.iter().sum::<u64>(),
            t.latency_cycles,
            "{:?}",
            p.schedule
        );
    }
    let full = lens_choice(&pts, Lens::Full).unwrap();
    assert_eq!((full.index, full.energy_ratio), (full.best_index, 1.0));
    for lens in Lens::SIMPLER {
        let c = lens_choice(&pts, lens).unwrap();
        let energies: Vec<f64> = pts
            .iter()
            .map(|p| lens.energy_pj(p.outcome.as_ref().unwrap()))
            .collect();
        let least = energies.iter().cloned().fold(f64::INFINITY, f64::min);
        assert_eq!(energies[c.index], least);
        // the ties and the range of their true cost
        let true_e = |i: usize| pts[i].outcome.as_ref().unwrap().energy_pj;
        let tied: Vec<usize> = (0..pts.len()).filter(|&i| energies[i] == least).collect();
        assert_eq!(c.tied, tied.len());
        let ratios: Vec<f64> = tied.iter().map(|&i| true_e(i) / full.energy_pj).collect();
        assert_eq!(
            c.tied_ratio_min,
            ratios.iter().cloned().fold(f64::INFINITY, f64::min)
        );
        assert_eq!(c.tied_ratio_max, ratios.iter().cloned().fold(0.0, f64::max));
        assert!(c.tied_ratio_min <= c.energy_ratio && c.energy_ratio <= c.tied_ratio_max);
        // the tie goes to the lowest mode, then tile height and width
        let s = &pts[c.index].schedule;
        assert!(tied.iter().all(|&i| {
            let o = &pts[i].schedule;
            (s.overlap.mode(), s.tile.y, s.tile.x) <= (o.overlap.mode(), o.tile.y, o.tile.x)
        }));
        // and the same schedule whatever the order of the points
        let mut reversed = pts.clone();
        reversed.reverse();
        let r = lens_choice(&reversed, lens).unwrap();
        assert_eq!(reversed[r.index].schedule, pts[c.index].schedule);
        assert_eq!(r.energy_ratio.to_bits(), c.energy_ratio.to_bits());
        let t = pts[c.index].outcome.as_ref().unwrap();
        assert_eq!(c.energy_ratio, t.energy_pj / full.energy_pj);
        assert_eq!(c.best_index, full.index);
        println!(
            "{}: mode {} tile {}x{}, {:.4} mJ, ×{:.3}, {} tied ×{:.3}–×{:.3}",
            lens.name(),
            pts[c.index].schedule.overlap.mode(),
            pts[c.index].schedule.tile.x,
            pts[c.index].schedule.tile.y,
            t.energy_pj / 1e9,
            c.energy_ratio,
            c.tied,
            c.tied_ratio_min,
            c.tied_ratio_max
        );
        assert!(c.energy_ratio >= 1.0);
    }
    assert_eq!(Lens::parse("dram-only"), Some(Lens::DramOnly));
    assert_eq!(Lens::parse("nope"), None);
}
