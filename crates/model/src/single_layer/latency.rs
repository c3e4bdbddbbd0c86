//! Latency of one ordering (docs/model.md §2.9): utilisation, double buffering,
//! port stalls (`SS`), on-loading and off-loading. Quirks: Q15, Q16, Q22.

use alloc::vec;
use alloc::vec::Vec;

use super::context::Ctx;
use super::temporal::OpTable;
use crate::input::hardware::{Dir, MemoryLevel, PortFn};
use crate::num::ceil_div;

pub(super) struct Activity {
    pub(super) real: i128,
    pub(super) allowed: i128,
    pub(super) period: i128,
    pub(super) count: i128,
}

/// Number of busy time points in `[0, pmax)`: `t mod period < allowed` for
/// some activity.
///
/// The activities' periods come from one loop nest, so in practice each
/// divides the next larger one; then [`nested_union`] counts in time
/// independent of the cycle counts. Otherwise the periodic intervals are
/// merged one by one in time order ([`merged_union`], proportional to
/// `pmax / period`). Both give the same count (tested).
pub(super) fn busy_points(acts: &[Activity], pmax: i128) -> i128 {
    let mut live: Vec<(i128, i128)> = acts
        .iter()
        .filter(|a| a.period > 0 && a.allowed > 0)
        .map(|a| (a.period, a.allowed))
        .collect();
    live.sort_unstable();
    if live.windows(2).all(|w| w[1].0 % w[0].0 == 0) {
        nested_union(&live, 0, pmax.max(0))
    } else {
        merged_union(acts, pmax)
    }
}

/// Points `t` in `[x, y)` with `t mod p < a` for some `(p, a)` of `acts`,
/// sorted by period, each period dividing the next. The union of all but
/// the last activity repeats with the last one's period `p`, so the gaps
/// between the last one's intervals (`[n*p + a, (n+1)*p)`) all hold the
/// same count, computed once: at most three calls per level, whatever the
/// cycle counts.
fn nested_union(acts: &[(i128, i128)], x: i128, y: i128) -> i128 {
    let Some((&(p, a), rest)) = acts.split_last() else {
        return 0;
    };
    if y <= x {
        return 0;
    }
    if a >= p {
        return y - x;
    }
    // points of this activity in [0, t)
    let upto = |t: i128| t.div_euclid(p) * a + t.rem_euclid(p).min(a);
    let own = upto(y) - upto(x);
    let (n0, n1) = (x.div_euclid(p), (y - 1).div_euclid(p));
    let gap = |n: i128, from: i128, to: i128| {
        nested_union(rest, from.max(n * p + a), to.min((n + 1) * p))
    };
    if n0 == n1 {
        return own + gap(n0, x, y);
    }
    let full_gaps = (n1 - n0 - 1).saturating_mul(nested_union(rest, a, p));
    own.saturating_add(gap(n0, x, y))
        .saturating_add(full_gaps)
        .saturating_add(gap(n1, x, y))
}

/// The same count by merging the activities' periodic intervals in order.
fn merged_union(acts: &[Activity], pmax: i128) -> i128 {
    let mut next: Vec<i128> = vec![0; acts.len()];
    let mut busy = 0i128;
    let mut cur_end = 0i128;
    loop {
        let mut best: Option<usize> = None;
        for (k, a) in acts.iter().enumerate() {
            if a.period <= 0 || a.allowed <= 0 || next[k] >= pmax {
                continue;
            }
            if best.is_none_or(|b| next[k] < next[b]) {
                best = Some(k);
            }
        }
        let Some(k) = best else { break };
        let s = next[k];
        let e = (s + acts[k].allowed).min(pmax);
        if s >= cur_end {
            busy += e - s;
            cur_end = e;
        } else if e > cur_end {
            busy += e - cur_end;
            cur_end = e;
        }
        next[k] += acts[k].period;
    }
    busy
}

pub(super) fn port_ss(acts: &[Activity]) -> i128 {
    if acts.len() == 1 {
        return (acts[0].real - acts[0].allowed).saturating_mul(acts[0].count - 1);
    }
    let mut pos = 0i128;
    let mut neg = 0i128;
    let mut muw = 0i128;
    for a in acts {
        let ss = (a.real - a.allowed).saturating_mul(a.count - 1);
        if ss > 0 {
            pos = pos.saturating_add(ss);
        } else {
            neg = neg.saturating_add(ss);
        }
        muw = muw.saturating_add(a.allowed.saturating_mul(a.count - 1));
    }
    let union = if let Some(a) = acts.iter().find(|a| a.period == a.allowed) {
        a.period.saturating_mul(a.count)
    } else {
        let mut k = 0;
        for (i, a) in acts.iter().enumerate() {
            if a.period > acts[k].period {
                k = i;
            }
        }
        busy_points(acts, acts[k].period).saturating_mul(acts[k].count)
    };
    pos.saturating_add(neg.saturating_add(muw).saturating_sub(union).max(0))
}

pub(super) struct Latency {
    pub(super) stall: u64,
    pub(super) load: u64,
    pub(super) offload: u64,
}

impl Ctx {
    pub(super) fn real(&self, x: usize, j: usize, dir: Dir, t: &OpTable) -> u64 {
        let tr = t.tr[j][dir as usize];
        let lvl = &self.hw.levels[self.ops[x].levels[j]];
        let bw = if dir.is_read() {
            lvl.r_bw_bits
        } else {
            lvl.w_bw_bits
        };
        ceil_div(tr.amount.saturating_mul(tr.prec), bw)
    }

    pub(super) fn port_serves_all_inputs(&self, lv: usize, mem_op: usize, dir: Dir) -> bool {
        let lvl = &self.hw.levels[lv];
        let Some(slot) = lvl.slot(mem_op) else {
            return false;
        };
        let Some(p) = slot.ports[dir as usize] else {
            return false;
        };
        let Some(port) = lvl.ports.get(p) else {
            return false;
        };
        self.input_mem_ops
            .iter()
            .all(|&m| port.serves.iter().any(|f| f.mem_op == m))
    }

    pub(super) fn latency(&self, frac: &[OpTable], int: &[OpTable]) -> Latency {
        let db = self.double_buffered(frac);
        Latency {
            stall: self.port_stall(int, &db).max(0) as u64,
            load: self.onload(int),
            offload: self.offload(int),
        }
    }

    /// §2.9.1 utilisation and double buffering: per operand and level
    /// `1..=M`, whether the level is double-buffered (index 0 unused).
    fn double_buffered(&self, frac: &[OpTable]) -> Vec<Vec<bool>> {
        let hw = &self.hw;
        let mut u_sh = vec![0.0f64; hw.levels.len()];
        let u_ind: Vec<Vec<f64>> = (0..self.ops.len())
            .map(|x| {
                self.ops[x]
                    .levels
                    .iter()
                    .enumerate()
                    .map(|(j, &lv)| frac[x].eb[j + 1] as f64 / hw.levels[lv].size_bits as f64)
                    .collect()
            })
            .collect();
        for (x, oc) in self.ops.iter().enumerate() {
            for (j, &lv) in oc.levels.iter().enumerate() {
                u_sh[lv] += u_ind[x][j];
            }
        }
        let mut db: Vec<Vec<bool>> = Vec::with_capacity(self.ops.len());
        for (x, oc) in self.ops.iter().enumerate() {
            let mut v = vec![false; oc.levels.len() + 1];
            for (j, &lv) in oc.levels.iter().enumerate() {
                if u_sh[lv] <= 0.5 {
                    v[j + 1] = true;
                } else if u_ind[x][j] <= 1.0 - u_sh[lv] {
                    v[j + 1] = true;
                    u_sh[lv] += u_ind[x][j];
                }
            }
            db.push(v);
        }
        db
    }

    /// §2.9.3: the largest stall/slack over all ports (`db` from
    /// [`Ctx::double_buffered`]).
    fn port_stall(&self, int: &[OpTable], db: &[Vec<bool>]) -> i128 {
        let mut ss_comb: i128 = 0;
        let mut acts: Vec<Activity> = Vec::new();
        for lvl in &self.hw.levels {
            for port in &lvl.ports {
                acts.clear();
                for f in &port.serves {
                    if let Some(a) = self.activity(lvl, f, int, db) {
                        acts.push(a);
                    }
                }
                if !acts.is_empty() {
                    ss_comb = ss_comb.max(port_ss(&acts));
                }
            }
        }
        ss_comb
    }

    /// The activity of port function `f` of level `lvl`; `None` when its
    /// operand is not in the layer or it transfers nothing.
    fn activity(
        &self,
        lvl: &MemoryLevel,
        f: &PortFn,
        int: &[OpTable],
        db: &[Vec<bool>],
    ) -> Option<Activity> {
        let x = self.op_of_mem.get(f.mem_op).copied().flatten()?;
        let row = int[x].tr.get(f.level)?;
        let tr = row[f.dir as usize];
        if tr.count == 0 {
            return None;
        }
        let bw = if f.dir.is_read() {
            lvl.r_bw_bits
        } else {
            lvl.w_bw_bits
        };
        let real = ceil_div(tr.amount.saturating_mul(tr.prec), bw);
        let dbf = match f.dir {
            Dir::RdOutToLow | Dir::WrInByLow => db[x][f.level],
            Dir::RdOutToHigh | Dir::WrInByHigh => db[x][f.level + 1],
        };
        let allowed = if dbf { tr.period } else { tr.window };
        Some(Activity {
            real: real as i128,
            allowed: allowed as i128,
            period: tr.period as i128,
            count: tr.count as i128,
        })
    }

    /// §2.9.4 on-loading of the inputs.
    fn onload(&self, int: &[OpTable]) -> u64 {
        let mut shared = [0u64; 3];
        let mut half = [0u64; 3];
        let mut indiv = [0u64; 3];
        for x in self.layer.inputs() {
            let oc = &self.ops[x];
            let m = oc.levels.len();
            for j in 0..m.saturating_sub(1) {
                let e1 = self.real(x, j, Dir::WrInByHigh, &int[x]);
                let e2 = self.real(x, j + 1, Dir::RdOutToLow, &int[x]);
                let s1 = self.port_serves_all_inputs(oc.levels[j], oc.mem_op, Dir::WrInByHigh);
                let s2 = self.port_serves_all_inputs(oc.levels[j + 1], oc.mem_op, Dir::RdOutToLow);
                let l = e1.max(e2);
                match (s1, s2) {
                    (false, false) => indiv[x] = indiv[x].saturating_add(l),
                    (true, true) => shared[x] = shared[x].saturating_add(l),
                    _ => half[x] = l, // Q16: assigned, not accumulated
                }
            }
        }
        if self.ops.len() == 3 {
            let sum = |a: u64, b: u64, c: u64| a.saturating_add(b).saturating_add(c);
            let p1 = shared[1]
                .saturating_add(sum(shared[2], half[2], indiv[2]).max(sum(0, half[1], indiv[1])));
            let p2 = shared[2]
                .saturating_add(sum(shared[1], half[1], indiv[1]).max(sum(0, half[2], indiv[2])));
            p1.min(p2)
        } else if self.ops.len() == 2 {
            indiv[1]
        } else {
            0
        }
    }

    /// §2.9.6 off-loading of the output. Q15: the "shared port" branch of
    /// the reference never triggers, so lower pairs only add the memories'
    /// latencies.
    fn offload(&self, int: &[OpTable]) -> u64 {
        let mo = self.ops[0].levels.len();
        if mo < 2 {
            return 0;
        }
        let c = |j: usize| {
            self.real(0, j, Dir::RdOutToHigh, &int[0]).max(self.real(
                0,
                j + 1,
                Dir::WrInByLow,
                &int[0],
            ))
        };
        let mut o = c(mo - 2);
        for j in 0..mo - 2 {
            o = o.saturating_add(self.hw.levels[self.ops[0].levels[j + 1]].latency_cycles);
        }
        o
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn act(period: i128, allowed: i128) -> Activity {
        Activity {
            real: 0,
            allowed,
            period,
            count: 1,
        }
    }

    proptest! {
        /// The nested count equals merging every interval, for periods that
        /// divide each other (and for any others, which take the merge).
        #[test]
        fn busy_points_equals_the_interval_merge(
            base in 1i128..6,
            steps in proptest::collection::vec((1i128..5, 0i128..40), 1..5),
            extra in proptest::option::of((1i128..50, 0i128..60)),
        ) {
            let mut p = base;
            let mut acts = Vec::new();
            for (mult, allowed) in steps {
                p *= mult;
                acts.push(act(p, allowed));
            }
            if let Some((q, a)) = extra {
                acts.push(act(q, a));
            }
            let pmax = acts.iter().map(|a| a.period).max().unwrap_or(1);
            prop_assert_eq!(busy_points(&acts, pmax), merged_union(&acts, pmax));
        }
    }

    #[test]
    fn finding4_busy_points_does_not_loop_over_cycles() {
        // 10^15 cycles with a period of 3: the merge would take ~3·10^14 steps.
        let acts = [act(3, 1), act(3_000_000_000_000_000, 7)];
        let pmax = 3_000_000_000_000_000;
        // every third point, plus 1, 2, 4 and 5 from the long window [0, 7)
        assert_eq!(busy_points(&acts, pmax), 1_000_000_000_000_000 + 4);
    }
}
