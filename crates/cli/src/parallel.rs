//! Native parallelism across the schedules of a sweep (std threads; the
//! model crate stays `no_std` and single-threaded).
//!
//! The schedules are split by tile size: every mode of one tile goes to the
//! same thread (they share most single-layer evaluations), tiles are dealt
//! round-robin. Each thread runs its own [`Sweep`] with its own cache; the
//! results are put back in the original order, so the output does not
//! depend on the thread count (every schedule's totals equal those of
//! evaluating it alone).

use defines_model::search::deal_by_tile;
use defines_model::{Fixes, Schedule, Sweep, SweepPoint, ValidScenario};
use std::sync::atomic::{AtomicU64, Ordering};

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
    let parts = deal_by_tile(schedules, threads);
    let threads = parts.len();
    let run = |idx: &[usize]| -> Vec<SweepPoint> {
        let picked = idx.iter().map(|&k| schedules[k].clone()).collect();
        let mut sw = Sweep::with_fixes(sc, picked, fixes);
        let mut seen = 0;
        while !sw.is_done() {
            let p = sw.step(8);
            done.fetch_add(p.schedules_done - seen, Ordering::Relaxed);
            seen = p.schedules_done;
        }
        sw.results().to_vec()
    };
    let outs: Vec<Vec<SweepPoint>> = if threads == 1 {
        vec![run(&parts[0])]
    } else {
        std::thread::scope(|s| {
            let handles: Vec<_> = parts.iter().map(|p| s.spawn(|| run(p))).collect();
            handles
                .into_iter()
                .map(|h| h.join().ok())
                .collect::<Option<_>>()
        })?
    };
    let mut slots: Vec<Option<SweepPoint>> = vec![None; schedules.len()];
    for (p, out) in parts.iter().zip(outs) {
        for (&k, pt) in p.iter().zip(out) {
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
