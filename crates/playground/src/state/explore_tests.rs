//! Tests of the exploration state: the hardware form and sliders through
//! the reducer, user accelerators, stack cuts, and the sweep set-ups
//! (hardware points, cut sets) on the job queue.

use super::sweep_setup::{cross_product, parse_values};
use super::*;
use crate::protocol::{SweepPoint, SweepTotals};
use defines_model::search::CutSet;
use defines_model::{vary_hardware, Hardware, HwParam};

fn ready_with(n: usize) -> State {
    let mut s = State::with_sweep_workers(n);
    for lane in [Lane::Eval].into_iter().chain((0..n).map(Lane::Sweep)) {
        s.apply(Action::Worker {
            lane,
            response: Response::Ready,
            at_ms: 1.0,
        });
    }
    s
}

fn sent(s: &mut State, lane: Lane) -> Request {
    let request = s.worker(lane).unwrap().to_send().cloned().unwrap();
    s.apply(Action::Sent {
        lane,
        request: request.clone(),
        at_ms: 1.0,
    });
    request
}

fn answer(s: &mut State, k: usize, response: Response) {
    s.apply(Action::Worker {
        lane: Lane::Sweep(k),
        response,
        at_ms: 2.0,
    });
}

fn totals(e: f64) -> SweepTotals {
    SweepTotals {
        energy_pj: e,
        latency_cycles: 10,
        edp: e * 10.0,
        macs: 1,
        mac_energy_pj: 0.0,
        data_copy_energy_pj: 0.0,
        lens: Default::default(),
        mem_energy_pj: 0.0,
        latency_split: [0; 4],
        element_accesses: Vec::new(),
    }
}

fn hw_level_size(s: &State, name: &str) -> u64 {
    let hw = Hardware::from_json(&s.scenario.text(Doc::Hardware)).unwrap();
    hw.levels[hw.level_index(name).unwrap()].size_bits
}

#[test]
fn a_form_edit_is_a_hardware_edit_and_asks_for_an_evaluation() {
    let mut s = ready_with(1);
    let i = s
        .derived
        .memory_order
        .iter()
        .position(|n| n == "sram_1MB_A")
        .unwrap();
    s.apply(Action::Form(crate::hw_form::FormEdit::Level {
        level: i,
        field: crate::hw_form::LevelField::Size,
        text: "2 MB".into(),
    }));
    assert!(s.scenario.edit(Doc::Hardware).is_some());
    assert_eq!(hw_level_size(&s, "sram_1MB_A"), 16 << 20);
    match s.lanes.eval.to_send() {
        Some(Request::Evaluate { inputs, .. }) => {
            assert_eq!(inputs.hardware_json, s.scenario.text(Doc::Hardware))
        }
        other => panic!("{other:?}"),
    }
    // A broken field is kept, validation names it, nothing is sent.
    s.apply(Action::Form(crate::hw_form::FormEdit::Level {
        level: i,
        field: crate::hw_form::LevelField::ReadCost,
        text: "cheap".into(),
    }));
    assert!(s.lanes.eval.pending.is_none());
    assert!(s.derived.diagnostics.iter().any(|d| d
        .path
        .ends_with(&format!("memory_levels[{i}].instance.r_cost_pJ_per_access"))));
    assert!(s.scenario.text(Doc::Hardware).contains("\"cheap\""));
    // The JSON that does not parse is reported by the form, and kept.
    s.apply(Action::Edit(Doc::Hardware, "{ broken".into()));
    s.apply(Action::Form(crate::hw_form::FormEdit::Remove(0)));
    assert!(s.form_error.as_deref().unwrap().contains("does not parse"));
    assert_eq!(s.scenario.text(Doc::Hardware), "{ broken");
}

#[test]
fn sliders_step_by_two_and_return_to_the_exact_value() {
    let mut s = ready_with(1);
    s.apply(Action::AddSlider("sram_1MB_A.size_bits".into()));
    s.apply(Action::AddSlider("sram_1MB_A.size_bits".into()));
    assert_eq!(s.scenario.sliders.len(), 1, "a field is on one slider");
    let sl = s.scenario.sliders[0].clone();
    assert_eq!(sl.base, (8 << 20) as f64);
    let p = HwParam::parse(&sl.param).unwrap();
    let c = slider_choices(&p, sl.base);
    assert_eq!(c.len(), 17);
    assert_eq!(c[8], sl.base);
    assert_eq!(c[9], 2.0 * sl.base);
    s.apply(Action::SetSlider(0, c[10]));
    assert_eq!(hw_level_size(&s, "sram_1MB_A"), 32 << 20);
    s.apply(Action::SetSlider(0, c[8]));
    assert_eq!(
        Hardware::from_json(&s.scenario.text(Doc::Hardware)).unwrap(),
        Hardware::from_json(defines_model::presets::hardware("Meta_prototype_DF").unwrap())
            .unwrap()
    );
    // Ports are whole steps, energies x2 steps from the exact value.
    let ports = HwParam::parse("dram.rw_port").unwrap();
    assert_eq!(slider_choices(&ports, 1.0)[..3], [0.0, 1.0, 2.0]);
    let e = HwParam::parse("dram.r_cost_pJ_per_access").unwrap();
    let ce = slider_choices(&e, 700.0);
    assert!(ce.contains(&350.0) && ce.contains(&1400.0) && ce.contains(&700.0));
    s.apply(Action::AddSlider("no_such.size_bits".into()));
    assert_eq!(
        s.scenario.sliders.len(),
        1,
        "a field the hardware lacks is not added"
    );
}

#[test]
fn user_accelerators_are_saved_named_loaded_and_deleted() {
    let mut s = ready_with(1);
    s.apply(Action::SetSlider(0, 1.0)); // no slider: nothing happens
    s.apply(Action::AddSlider("dram.r_cost_pJ_per_access".into()));
    s.apply(Action::SetSlider(0, 350.0));
    s.apply(Action::SavePreset("cheap dram".into()));
    assert_eq!(s.user_presets.names().collect::<Vec<_>>(), ["cheap dram"]);
    let saved = s.user_presets.get("cheap dram").unwrap().to_string();
    assert!(saved.contains("\"name\": \"cheap dram\""));
    s.apply(Action::ResetEdit(Doc::Hardware));
    s.apply(Action::LoadPreset("cheap dram".into()));
    assert_eq!(s.scenario.text(Doc::Hardware), saved);
    s.apply(Action::SavePreset("../bad/name".into()));
    assert!(s.form_error.as_deref().unwrap().contains("cannot name"));
    let round = UserPresets::decode(&s.user_presets.encode());
    assert_eq!(round, s.user_presets);
    assert_eq!(UserPresets::decode("not json"), UserPresets::default());
    s.apply(Action::DeletePreset("cheap dram".into()));
    assert_eq!(s.user_presets.names().count(), 0);
}

#[test]
fn cuts_toggle_from_the_automatic_ones_and_reset_with_the_network() {
    let mut s = ready_with(1);
    s.apply(Action::SetHardware("TPU_like".into()));
    let auto = s.derived.auto_cuts.clone();
    assert!(auto.contains(&0), "{auto:?}");
    s.apply(Action::ToggleCut(3));
    let cuts = s.scenario.stack_cuts.clone().unwrap();
    assert_eq!(
        cuts,
        auto.iter().copied().filter(|c| *c != 3).collect::<Vec<_>>()
    );
    s.apply(Action::ToggleCut(3));
    assert_eq!(
        s.scenario.stack_cuts.as_deref(),
        Some(&auto[..]),
        "back in graph order"
    );
    s.apply(Action::ToggleCut(999));
    assert_eq!(
        s.scenario.stack_cuts.as_deref(),
        Some(&auto[..]),
        "no such layer: no cut"
    );
    s.apply(Action::SetFixQ36(true));
    match s.lanes.eval.pending.as_ref() {
        Some(Request::Evaluate {
            schedule, fixes, ..
        }) => {
            assert!(fixes.cut_after_layer_zero);
            assert_eq!(schedule.stack_cuts.as_deref(), Some(&auto[..]));
        }
        other => panic!("{other:?}"),
    }
    s.apply(Action::SetWorkload("resnet18".into()));
    assert_eq!(s.scenario.stack_cuts, None);
}

#[test]
fn values_are_lists_or_ranges_within_bounds() {
    let size = HwParam::parse("sram_64KB.size_bits").unwrap();
    assert_eq!(
        parse_values(&size, "64 KB, 1 MB").unwrap(),
        [524_288.0, (8u64 << 20) as f64]
    );
    assert_eq!(parse_values(&size, "64 KB..512 KB").unwrap().len(), 4);
    let e = HwParam::parse("dram.r_cost_pJ_per_access").unwrap();
    assert_eq!(
        parse_values(&e, "100..800").unwrap(),
        [100.0, 200.0, 400.0, 800.0]
    );
    let ports = HwParam::parse("dram.rw_port").unwrap();
    assert_eq!(parse_values(&ports, "1..3").unwrap(), [1.0, 2.0, 3.0]);
    assert!(parse_values(&size, "fast")
        .unwrap_err()
        .contains("64 KB..4 MB"));
    assert!(parse_values(&size, "1 b..1 GB")
        .unwrap_err()
        .contains("more than 16"));
    assert!(parse_values(&ports, "1.5")
        .unwrap_err()
        .contains("whole numbers"));
    assert!(parse_values(&e, "").is_err());
    let axes = vec![(size, vec![1.0, 2.0]), (e, vec![3.0, 4.0, 5.0])];
    assert_eq!(
        cross_product(&axes),
        [
            [1.0, 3.0],
            [1.0, 4.0],
            [1.0, 5.0],
            [2.0, 3.0],
            [2.0, 4.0],
            [2.0, 5.0]
        ]
    );
}

#[test]
fn a_hardware_sweep_is_one_job_per_point_taken_by_free_workers() {
    let mut s = ready_with(2);
    s.apply(Action::SetSweepKind(SweepKind::Hardware));
    s.apply(Action::SetVaryParam(0, "sram_64KB.size_bits".into()));
    assert_eq!(
        s.scenario.sweep.vary[0].values, "16 KB..256 KB",
        "x4 either side"
    );
    s.apply(Action::SetVaryValues(0, "32 KB, 64 KB, 128 KB".into()));
    s.apply(Action::StartSweep(Grid::CaseStudy1));
    let sw = s.sweep.as_ref().unwrap();
    assert_eq!(
        (sw.jobs.len(), sw.total),
        (3, 3),
        "one schedule each: the current one"
    );
    let id = sw.run_id;
    let base = s.scenario.text(Doc::Hardware);
    let p = HwParam::parse("sram_64KB.size_bits").unwrap();
    for (k, job) in sw.jobs.iter().enumerate() {
        let want = vary_hardware(&base, &[(p.clone(), job.hw_values[0])]).unwrap();
        assert_eq!(job.hardware_json.as_deref(), Some(want.as_str()), "job {k}");
        assert_eq!(job.schedules, vec![s.scenario.schedule()]);
    }
    let r0 = sent(&mut s, Lane::Sweep(0));
    let _r1 = sent(&mut s, Lane::Sweep(1));
    let Request::Sweep { inputs, .. } = &r0 else {
        panic!()
    };
    assert_eq!(
        Some(inputs.hardware_json.as_str()),
        s.sweep.as_ref().unwrap().jobs[0].hardware_json.as_deref()
    );
    // Worker 1's point is refused by the model: noted, the sweep goes on.
    answer(
        &mut s,
        1,
        Response::Invalid {
            run_id: id,
            diagnostics: vec![defines_model::Diagnostic::new("hardware.x", "too small")],
        },
    );
    assert!(
        s.shown.diagnostics.is_empty(),
        "not the page's inputs' problem"
    );
    let r2 = sent(&mut s, Lane::Sweep(1));
    let Request::Sweep { inputs, .. } = &r2 else {
        panic!()
    };
    assert_eq!(
        Some(inputs.hardware_json.as_str()),
        s.sweep.as_ref().unwrap().jobs[2].hardware_json.as_deref(),
        "the free worker takes the next point"
    );
    let schedule = s.scenario.schedule();
    for (k, e) in [(0, 5.0), (1, 7.0)] {
        let point = SweepPoint {
            schedule: schedule.clone(),
            outcome: Ok(totals(e)),
        };
        answer(
            &mut s,
            k,
            Response::SweepPoint {
                run_id: id,
                index: 0,
                total: 1,
                point: Box::new(point),
            },
        );
        answer(&mut s, k, Response::SweepDone { run_id: id });
    }
    let sw = s.sweep.as_ref().unwrap();
    assert!(!sw.running);
    assert_eq!(sw.point_job, [0, 2]);
    let rows = crate::views::hw_rows(&s);
    assert_eq!(
        rows.iter()
            .map(|r| r.values[0].as_str())
            .collect::<Vec<_>>(),
        ["32 KB", "64 KB", "128 KB"]
    );
    assert_eq!(rows[0].best.as_ref().unwrap().1.energy_pj, 5.0);
    assert!(rows[1].error.as_deref().unwrap().contains("too small"));
    assert_eq!(rows[2].best.as_ref().unwrap().1.energy_pj, 7.0);
    let csv = crate::views::hw_csv(&s);
    assert!(csv.starts_with("sram_64KB.size_bits,cuts,mode"), "{csv}");
    assert!(
        csv.contains("\n262144,\"auto\",3,16,18,5,10,50,\n"),
        "{csv}"
    );
}

#[test]
fn a_bad_hardware_sweep_says_why_and_does_not_start() {
    let mut s = ready_with(1);
    s.apply(Action::SetSweepKind(SweepKind::Hardware));
    s.apply(Action::StartSweep(Grid::CaseStudy1));
    assert!(s.sweep.is_none());
    assert!(s
        .sweep_error
        .as_deref()
        .unwrap()
        .contains("choose a hardware parameter"));
    s.apply(Action::SetVaryParam(0, "dram.rw_port".into()));
    s.apply(Action::SetVaryValues(0, "1, two".into()));
    s.apply(Action::StartSweep(Grid::CaseStudy1));
    assert!(s.sweep_error.as_deref().unwrap().contains("`two`"));
}

#[test]
fn a_schedule_sweep_over_cut_sets_groups_points_by_cut_set() {
    let mut s = ready_with(2);
    s.apply(Action::ToggleCutChoice(CutChoice::Fused));
    s.apply(Action::ToggleCutChoice(CutChoice::LayerByLayer));
    s.apply(Action::ToggleCutChoice(CutChoice::Auto));
    s.apply(Action::StartSweep(Grid::CaseStudy1));
    let sw = s.sweep.as_ref().unwrap();
    // On Meta_prototype_DF the automatic rule gives one stack for FSRCNN:
    // the strip's cuts, "automatic" and "fuse all" are one group.
    let labels: Vec<&str> = sw.cut_groups.iter().map(|g| g.label.as_str()).collect();
    assert_eq!(
        labels,
        [
            "strip: automatic = automatic = fuse all (one stack)",
            "cut all (layer by layer)"
        ]
    );
    assert_eq!(sw.total, 216);
    let sc = s.derived.scenario.as_deref().unwrap();
    assert_eq!(
        sw.cut_groups[1].stack_cuts,
        CutSet::LayerByLayer.stack_cuts(sc)
    );
    let all: Vec<Schedule> = sw.jobs.iter().flat_map(|j| j.schedules.clone()).collect();
    assert_eq!(all.iter().filter(|x| sw.group_of(x) == 1).count(), 108);
}

#[test]
fn an_onnx_import_runs_in_its_own_worker_then_becomes_the_workload() {
    let mut s = ready_with(1);
    assert!(
        s.worker(Lane::Import).is_none(),
        "no import worker before the first drop"
    );
    s.apply(Action::ImportOnnx {
        file_name: "net.onnx".into(),
        bytes_base64: "AAAA".into(),
    });
    let w = s.worker(Lane::Import).unwrap();
    assert_eq!(
        (w.status.clone(), w.generation),
        (WorkerStatus::Starting, 0)
    );
    assert!(w.to_send().is_none(), "sent once the worker is ready");
    // The page keeps evaluating while the import worker starts.
    s.apply(Action::SetTileX(60));
    assert!(matches!(
        s.lanes.eval.to_send(),
        Some(Request::Evaluate { .. })
    ));
    s.apply(Action::Worker {
        lane: Lane::Import,
        response: Response::Ready,
        at_ms: 2.0,
    });
    let first = sent(&mut s, Lane::Import);
    // A dead import worker is restarted with the import asked again.
    s.apply(Action::WorkerDied {
        lane: Lane::Import,
        why: "out of memory".into(),
    });
    let w = s.worker(Lane::Import).unwrap();
    assert_eq!(w.generation, 1);
    assert_eq!(w.pending.as_ref(), Some(&first));
    assert!(s.notice.as_deref().unwrap().contains("restarted"));
    s.apply(Action::Worker {
        lane: Lane::Import,
        response: Response::Ready,
        at_ms: 3.0,
    });
    let req = sent(&mut s, Lane::Import);
    assert_eq!(req, first);
    let Request::Import { run_id, .. } = req else {
        panic!("{req:?}")
    };
    let w = defines_model::presets::workload("mccnn")
        .unwrap()
        .to_string();
    let m = defines_model::presets::mapping("Meta_prototype__mccnn")
        .unwrap()
        .to_string();
    s.apply(Action::Worker {
        lane: Lane::Import,
        response: Response::Imported {
            run_id,
            outcome: Box::new(crate::protocol::ImportOutcome {
                file_name: "net.onnx".into(),
                documents: Ok((w.clone(), m.clone())),
                report: "a (Conv): layer 0".into(),
                hardware: None,
            }),
        },
        at_ms: 3.0,
    });
    assert_eq!(s.scenario.edit(Doc::Workload), Some(w.as_str()));
    assert_eq!(s.scenario.edit(Doc::Mapping), Some(m.as_str()));
    match s.lanes.eval.to_send() {
        Some(Request::Evaluate {
            inputs, schedule, ..
        }) => {
            assert_eq!(inputs.workload_json, w);
            assert_eq!(schedule.tile.x, 60, "the tile change is kept");
        }
        other => panic!("{other:?}"),
    }
    // A failed import changes no document and the page evaluates again.
    s.apply(Action::ImportRefused {
        file_name: "big.onnx".into(),
        why: "too big".into(),
    });
    assert!(s
        .import
        .as_ref()
        .unwrap()
        .outcome
        .as_ref()
        .unwrap()
        .documents
        .is_err());
    assert_eq!(s.scenario.edit(Doc::Workload), Some(w.as_str()));
}

#[test]
fn an_import_whose_answer_is_lost_says_so_and_frees_the_lane() {
    let mut s = ready_with(1);
    s.apply(Action::ImportZigzag(vec![(
        "a.yaml".into(),
        "memories:".into(),
    )]));
    s.apply(Action::Worker {
        lane: Lane::Import,
        response: Response::Ready,
        at_ms: 2.0,
    });
    sent(&mut s, Lane::Import);
    s.apply(Action::Worker {
        lane: Lane::Import,
        response: Response::ProtocolError {
            message: "bad text".into(),
        },
        at_ms: 3.0,
    });
    let outcome = s.import.as_ref().unwrap().outcome.as_ref().unwrap();
    let why = outcome.documents.as_ref().unwrap_err();
    assert!(why.contains("lost") && why.contains("bad text"), "{why}");
    assert!(s.worker(Lane::Import).unwrap().in_flight.is_none());
}
