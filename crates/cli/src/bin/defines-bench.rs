//! `defines-bench`: native timings of the schedule search. Prints figures,
//! reads no files and never fails on a time.
//!
//! ```text
//! defines-bench [--quick] [--only a,a2,b,b2,c,e,e8] [--pair HW:WL]
//! ```
//!
//! (a) case study 1: FSRCNN on Meta_prototype_DF, 108 schedules, lpf 6;
//! (b) the same at lpf 8; (c) one schedule (mode 3, 16x18) cold and warm
//! (same schedule again, and a neighbouring tile, on a warm cache), at lpf 6
//! and 8; (e) one case-study-1 sweep of each of the 50 hardware × network
//! presets at lpf 6 (total and slowest), and (e8) the same at lpf 8. (a')
//! and (b') are (a) and (b) on every core, split as `defines sweep` splits
//! them. Each figure is a median over repetitions; every sweep starts from
//! a fresh cache unless it says warm. Sweeps print the LOMA search counts.
//! (e') and (e8') are (e) and (e8) on every core, each pair split as
//! `defines sweep` splits it. `--pair HW:WL`: only that preset pair over
//! the case-study-1 grid at lpf 6 and 8, one thread, with its counts.

use defines_cli::parallel;
use defines_model::{
    case_study_1_schedules, evaluate_network_with, presets, single_layer::SearchStats, EvalCache,
    Overlap, Schedule, Sweep, Tile, ValidScenario,
};
use std::process::ExitCode;
use std::sync::atomic::AtomicU64;
use std::time::{Duration, Instant};

fn scenario(hw: &str, wl: &str) -> Result<ValidScenario, String> {
    presets::scenario(hw, wl).map_err(|d| format!("{hw} + {wl}: invalid preset: {d:?}"))
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn fmt(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s >= 1.0 {
        format!("{s:.3} s")
    } else {
        format!("{:.2} ms", s * 1e3)
    }
}

/// One full sweep on a fresh cache.
struct Run {
    time: Duration,
    /// LOMA searches (cache misses).
    evals: u64,
    failed: usize,
    search: SearchStats,
}

fn sweep_once(sc: &ValidScenario, schedules: &[Schedule]) -> Run {
    let t = Instant::now();
    let mut s = Sweep::new(sc, schedules.to_vec());
    let p = s.run();
    let time = t.elapsed();
    let failed = s.results().iter().filter(|r| r.outcome.is_err()).count();
    Run {
        time,
        evals: p.layer_evaluations,
        failed,
        search: s.search_stats(),
    }
}

/// The median time of `reps` sweeps, with the counts of the last one (the
/// same every time).
fn sweep_median(sc: &ValidScenario, schedules: &[Schedule], reps: usize) -> Run {
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..reps.max(1) {
        let r = sweep_once(sc, schedules);
        times.push(r.time);
        last = Some(r);
    }
    let mut r = last.unwrap_or(Run {
        time: Duration::ZERO,
        evals: 0,
        failed: 0,
        search: SearchStats::default(),
    });
    r.time = median(times);
    r
}

/// The LOMA search counts as the bench prints them.
fn search_line(s: &SearchStats) -> String {
    let pct = |x: u64| 100.0 * x as f64 / s.considered.max(1) as f64;
    format!(
        "orderings considered {}, invalid {} ({:.1} %), pruned {} ({:.1} %), fully evaluated {} ({:.2} %)",
        s.considered,
        s.invalid,
        pct(s.invalid),
        s.pruned,
        pct(s.pruned),
        s.evaluated,
        pct(s.evaluated)
    )
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let quick = args.iter().any(|a| a == "--quick");
    let only: Option<Vec<String>> = args
        .iter()
        .position(|a| a == "--only")
        .and_then(|i| args.get(i + 1))
        .map(|v| v.split(',').map(|s| s.trim().to_string()).collect());
    let want = |k: &str| only.as_ref().is_none_or(|o| o.iter().any(|x| x == k));
    if args.iter().any(|a| {
        a == "--help"
            || a == "-h"
            || a.starts_with("--") && a != "--quick" && a != "--only" && a != "--pair"
    }) {
        println!("usage: defines-bench [--quick] [--only a,a2,b,b2,c,e,e8] [--pair HW:WL]");
        return ExitCode::SUCCESS;
    }
    let reps = if quick { 1 } else { 5 };
    if let Some(i) = args.iter().position(|a| a == "--pair") {
        let pair = args.get(i + 1).and_then(|p| p.split_once(':'));
        let Some((hw, wl)) = pair else {
            eprintln!("defines-bench: --pair needs HW:WL, e.g. Edge_TPU_like_DF:dmcnnvd");
            return ExitCode::from(2);
        };
        return figure_pair(hw, wl, if quick { 1 } else { 3 });
    }
    let fsrcnn = match scenario("Meta_prototype_DF", "fsrcnn") {
        Ok(s) => s,
        Err(e) => {
            eprintln!("defines-bench: {e}");
            return ExitCode::from(2);
        }
    };
    println!(
        "defines-bench ({} repetitions per figure{})",
        reps,
        if quick { ", --quick" } else { "" }
    );
    if want("a") {
        figure_a(&fsrcnn, reps);
    }
    if want("a2") || want("a") {
        figure_a2(&fsrcnn, reps, 6);
    }
    if want("b") {
        figure_b(&fsrcnn, quick);
    }
    if want("b2") || want("b") {
        figure_a2(&fsrcnn, if quick { 1 } else { 3 }, 8);
    }
    if want("c") {
        figure_c(&fsrcnn, reps, 6);
        figure_c(&fsrcnn, reps, 8);
    }
    if want("e") {
        figure_e(quick, 6);
        figure_e2(6);
    }
    if want("e8") {
        figure_e(quick, 8);
        figure_e2(8);
    }
    ExitCode::SUCCESS
}

/// (a) case study 1 at lpf 6 on one thread.
fn figure_a(fsrcnn: &ValidScenario, reps: usize) {
    let r = sweep_median(fsrcnn, &case_study_1_schedules(6), reps);
    println!(
        "(a) case study 1, FSRCNN on Meta_prototype_DF, 108 schedules, lpf 6: {} (median of {reps}; {} LOMA searches, {} failed schedules)\n    {}",
        fmt(r.time),
        r.evals,
        r.failed,
        search_line(&r.search)
    );
}

/// (a') case study 1 at `lpf` (6; 8 for (b')) on every core, as `defines
/// sweep` splits it.
fn figure_a2(fsrcnn: &ValidScenario, reps: usize, lpf: u32) {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let schedules = case_study_1_schedules(lpf);
    let times = (0..reps.max(1))
        .map(|_| parallel_once(fsrcnn, &schedules, threads))
        .collect();
    println!(
        "({}') the same on {threads} threads (schedules split by tile, one cache per thread, as `defines sweep`): {} (median of {reps})",
        if lpf == 6 { "a" } else { "b" },
        fmt(median(times))
    );
}

/// The time of one sweep on `threads` threads, as `defines sweep` runs it.
fn parallel_once(sc: &ValidScenario, schedules: &[Schedule], threads: usize) -> Duration {
    let t = Instant::now();
    let _ = parallel::sweep_parallel(
        sc,
        schedules,
        threads,
        defines_model::Fixes::default(),
        &AtomicU64::new(0),
    );
    t.elapsed()
}

/// (b) case study 1 at lpf 8.
fn figure_b(fsrcnn: &ValidScenario, quick: bool) {
    let r = if quick { 1 } else { 3 };
    let run = sweep_median(fsrcnn, &case_study_1_schedules(8), r);
    println!(
        "(b) case study 1 at lpf 8: {} (median of {r}; {} LOMA searches, {} failed schedules)\n    {}",
        fmt(run.time),
        run.evals,
        run.failed,
        search_line(&run.search)
    );
}

/// (c) one schedule cold, warm, and a warm neighbour.
fn figure_c(fsrcnn: &ValidScenario, reps: usize, lpf: u32) {
    let sched = |x, y| Schedule {
        tile: Tile { x, y },
        overlap: Overlap::FullyCached,
        lpf_limit: lpf,
        stack_cuts: None,
    };
    let (mut cold, mut warm, mut near) = (Vec::new(), Vec::new(), Vec::new());
    let mut evals = (0, 0, 0);
    for _ in 0..reps.max(3) {
        let mut cache = EvalCache::default();
        let t = Instant::now();
        let _ = evaluate_network_with(fsrcnn, &sched(16, 18), &mut cache);
        cold.push(t.elapsed());
        let e0 = cache.evaluations();
        let t = Instant::now();
        let _ = evaluate_network_with(fsrcnn, &sched(16, 18), &mut cache);
        warm.push(t.elapsed());
        let e1 = cache.evaluations();
        let t = Instant::now();
        let _ = evaluate_network_with(fsrcnn, &sched(16, 4), &mut cache);
        near.push(t.elapsed());
        evals = (e0, e1 - e0, cache.evaluations() - e1);
    }
    println!(
        "(c) FSRCNN mode 3, 16x18, lpf {lpf}: cold {} ({} LOMA searches), warm same schedule {} ({}), warm neighbour 16x4 {} ({})",
        fmt(median(cold)),
        evals.0,
        fmt(median(warm)),
        evals.1,
        fmt(median(near)),
        evals.2
    );
}

/// (e) every preset pair over the case-study-1 grid at `lpf`.
fn figure_e(quick: bool, lpf: u32) {
    let schedules = case_study_1_schedules(lpf);
    let mut search = SearchStats::default();
    let mut total = Duration::ZERO;
    let mut slowest = (Duration::ZERO, String::new());
    let mut failed = 0;
    let r = if quick { 1 } else { 3 };
    for (hw, _) in presets::HARDWARE {
        for (wl, _) in presets::WORKLOADS {
            let sc = match scenario(hw, wl) {
                Ok(s) => s,
                Err(e) => {
                    println!("    {e}");
                    continue;
                }
            };
            let run = sweep_median(&sc, &schedules, r);
            search.add(&run.search);
            let (d, f) = (run.time, run.failed);
            failed += f;
            total += d;
            if d > slowest.0 {
                slowest = (d, format!("{wl} on {hw}"));
            }
        }
    }
    println!(
        "(e{}) 50 presets x case study 1 (5400 schedules), lpf {lpf}: total {} (sum of per-pair medians of {r}), slowest {} ({}); {failed} failed schedules\n    {}",
        if lpf == 6 { "" } else { "8" },
        fmt(total),
        fmt(slowest.0),
        slowest.1,
        search_line(&search)
    );
}

/// One preset pair over the case-study-1 grid at lpf 6 and 8, one thread
/// (the terms of (e) and (e8), for looking at one slow pair).
fn figure_pair(hw: &str, wl: &str, r: usize) -> ExitCode {
    let sc = match scenario(hw, wl) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("defines-bench: {e}");
            return ExitCode::from(2);
        }
    };
    for lpf in [6, 8] {
        let run = sweep_median(&sc, &case_study_1_schedules(lpf), r);
        println!(
            "{wl} on {hw}, case study 1 grid, lpf {lpf}: {} (median of {r}; {} failed schedules)\n    {}",
            fmt(run.time),
            run.failed,
            search_line(&run.search)
        );
    }
    ExitCode::SUCCESS
}

/// (e') every preset pair over the case-study-1 grid at `lpf` on every
/// core, each pair split by tile as `defines sweep` splits it (one run each).
fn figure_e2(lpf: u32) {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let schedules = case_study_1_schedules(lpf);
    let mut total = Duration::ZERO;
    for (hw, _) in presets::HARDWARE {
        for (wl, _) in presets::WORKLOADS {
            let Ok(sc) = scenario(hw, wl) else { continue };
            total += parallel_once(&sc, &schedules, threads);
        }
    }
    println!(
        "(e{}') the same on {threads} threads (each pair split by tile, as `defines sweep`): total {}",
        if lpf == 6 { "" } else { "8" },
        fmt(total)
    );
}
