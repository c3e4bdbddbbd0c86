//! Native parallelism across the schedules of a sweep (std threads; the
//! model crate stays `no_std` and single-threaded).
//!
//! The schedules are grouped by tile size: every mode of one tile is one
//! job (they share most single-layer evaluations). Threads take the jobs
//! one at a time from a shared counter, largest tile first (the costliest
//! searches start early, so no thread is left with a long one at the end),
//! each thread keeping its own cache from job to job. The results are put
//! back in the original order, so the output does not depend on the thread
//! count or on which thread ran what (every schedule's totals equal those
//! of evaluating it alone).

use defines_model::search::deal_by_tile;
use defines_model::{EvalCache, Fixes, Schedule, Sweep, SweepPoint, ValidScenario};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

/// Evaluates `schedules` on up to `threads` threads with `fixes`; `done`
/// counts finished schedules (for progress reports). Results are in the
/// order of `schedules`; `None` only if a thread panicked (in a test
/// build: the release profile aborts instead, and the model never panics).
pub fn sweep_parallel(
    sc: &ValidScenario,
    schedules: &[Schedule],
    threads: usize,
    fixes: Fixes,
    done: &AtomicU64,
) -> Option<Vec<SweepPoint>> {
    let mut jobs = deal_by_tile(schedules, usize::MAX);
    // largest tile first; ties keep their order (a stable sort)
    let area = |job: &Vec<usize>| {
        let t = &schedules[job[0]].tile;
        t.x.saturating_mul(t.y)
    };
    jobs.sort_by_key(|j| std::cmp::Reverse(area(j)));
    let threads = threads.clamp(1, jobs.len().max(1));
    let next = AtomicUsize::new(0);
    // one thread's share: (job index, its points) for every job it took
    let run = || -> Vec<(usize, Vec<SweepPoint>)> {
        let mut out = Vec::new();
        let mut cache = EvalCache::default();
        loop {
            let j = next.fetch_add(1, Ordering::Relaxed);
            let Some(job) = jobs.get(j) else { break };
            let picked = job.iter().map(|&k| schedules[k].clone()).collect();
            let mut sw = Sweep::with_fixes(sc, picked, fixes);
            sw.set_cache(std::mem::take(&mut cache));
            let mut seen = 0;
            while !sw.is_done() {
                let p = sw.step(8);
                done.fetch_add(p.schedules_done - seen, Ordering::Relaxed);
                seen = p.schedules_done;
            }
            cache = sw.take_cache();
            out.push((j, sw.results().to_vec()));
        }
        out
    };
    let outs: Vec<Vec<(usize, Vec<SweepPoint>)>> = if threads == 1 {
        vec![run()]
    } else {
        std::thread::scope(|s| {
            let handles: Vec<_> = (0..threads).map(|_| s.spawn(run)).collect();
            handles
                .into_iter()
                .map(|h| h.join().ok())
                .collect::<Option<_>>()
        })?
    };
    let mut slots: Vec<Option<SweepPoint>> = vec![None; schedules.len()];
    for (j, points) in outs.into_iter().flatten() {
        for (&k, pt) in jobs[j].iter().zip(points) {
            slots[k] = Some(pt);
        }
    }
    slots.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use defines_model::{grid_schedules, presets, Overlap};

    /// The release profile aborts on panic, so there is no panic to
    /// recover from: a sweep either gives every point, in order, or (in a
    /// test build, if a thread panicked) nothing, never a short list.
    #[test]
    fn finding5_every_point_in_order_whatever_the_thread_count() {
        let sc = presets::scenario("Meta_prototype_DF", "fsrcnn").unwrap();
        let schedules = grid_schedules(&[60, 240], &[72, 270], &Overlap::ALL, 6);
        let one = sweep_parallel(&sc, &schedules, 1, Fixes::default(), &AtomicU64::new(0)).unwrap();
        let done = AtomicU64::new(0);
        let three = sweep_parallel(&sc, &schedules, 3, Fixes::default(), &done).unwrap();
        assert_eq!(one.len(), schedules.len());
        assert!(one.iter().all(|p| p.outcome.is_ok()));
        assert_eq!(one, three);
        assert_eq!(done.load(Ordering::Relaxed), schedules.len() as u64);
        let order: Vec<_> = three.iter().map(|p| p.schedule.clone()).collect();
        assert_eq!(order, schedules);
    }
}
