//! Memory energy of one ordering (docs/model.md §2.8): word accesses per
//! operand and memory level, and their energy. Quirk: Q22.

use super::context::Ctx;
use super::temporal::OpTable;
use crate::input::hardware::Dir;
use crate::num::ceil;

impl Ctx {
    /// §2.8: word accesses `[rd_out_to_low, wr_in_by_low, rd_out_to_high,
    /// wr_in_by_high]` of operand `x` at memory level `j` (fractional table).
    pub(super) fn words(&self, x: usize, j: usize, t: &OpTable) -> [f64; 4] {
        let oc = &self.ops[x];
        let side = &oc.frac;
        let lvl = &self.hw.levels[oc.levels[j]];
        let uc = side.unit_count[j + 1];
        let row = &t.tr[j];
        let mut w = [0.0; 4];
        for (k, dir) in [(1usize, Dir::WrInByLow), (0, Dir::RdOutToLow)] {
            let tr = row[dir as usize];
            if tr.amount == 0 || tr.prec == 0 {
                continue;
            }
            let (bw, min) = if dir == Dir::WrInByLow {
                (lvl.w_bw_bits as f64, lvl.w_min_bits as f64)
            } else {
                (lvl.r_bw_bits as f64, lvl.r_min_bits as f64)
            };
            let prec = tr.prec as f64;
            let amount = tr.amount as f64;
            let (per, cyc) = if j > 0 {
                let lower = &self.hw.levels[oc.levels[j - 1]];
                let lbw = if dir == Dir::WrInByLow {
                    lower.r_bw_bits
                } else {
                    lower.w_bw_bits
                } as f64;
                let other = lbw * side.unit_unique[j] / side.unit_unique[j + 1];
                let per = (other / prec).min(bw / prec).min(amount);
                (per, ceil(amount / per))
            } else {
                (amount, 1.0)
            };
            w[k] = ceil(per * prec / min) * (min / bw) * tr.count as f64 * cyc * uc;
        }
        for (k, dir) in [(2usize, Dir::RdOutToHigh), (3, Dir::WrInByHigh)] {
            let tr = row[dir as usize];
            if tr.amount == 0 {
                continue;
            }
            let (bw, min) = if dir == Dir::WrInByHigh {
                (lvl.w_bw_bits as f64, lvl.w_min_bits as f64)
            } else {
                (lvl.r_bw_bits as f64, lvl.r_min_bits as f64)
            };
            w[k] =
                ceil(tr.amount as f64 * tr.prec as f64 / min) * (min / bw) * tr.count as f64 * uc;
        }
        w
    }

    pub(super) fn level_energy(&self, x: usize, j: usize, w: &[f64; 4]) -> f64 {
        let lvl = &self.hw.levels[self.ops[x].levels[j]];
        lvl.r_cost_pj * (w[0] + w[2]) + lvl.w_cost_pj * (w[1] + w[3])
    }

    /// `e` plus the memory energy of operand `x` (fractional table `t`),
    /// level by level: summing this over the operands in order from 0.0 is
    /// the layer's memory energy, in the order `full_cost` sums it.
    #[inline]
    pub(super) fn add_op_energy(&self, mut e: f64, x: usize, t: &OpTable) -> f64 {
        for j in 0..self.ops[x].levels.len() {
            let w = self.words(x, j, t);
            e += self.level_energy(x, j, &w);
        }
        e
    }

    /// Whether every access energy is >= 0 (then every energy term is).
    pub(super) fn energies_nonnegative(&self) -> bool {
        self.ops.iter().all(|o| {
            o.levels.iter().all(|&l| {
                let lv = &self.hw.levels[l];
                lv.r_cost_pj >= 0.0 && lv.w_cost_pj >= 0.0
            })
        })
    }
}
