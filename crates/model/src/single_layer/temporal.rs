//! Per-operand temporal tables of one ordering (docs/model.md §2.5–§2.7): the
//! stationarity merge, `C`, `top_r`, `top_ir`, data sizes and the four
//! transfers per memory level. Quirks: Q15, Q16, Q18, Q30.

use alloc::vec::Vec;

use super::context::Ctx;
use super::loma::Loop;
use super::spatial::{Decoupler, SpatialSide, Unrolling};
use crate::input::hardware::Dir;
use crate::num::round_half_even;
use crate::scenario::layer::{DimClass, LayerSpec};

#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(super) struct Transfer {
    pub(super) amount: u64,
    pub(super) period: u64,
    pub(super) count: u64,
    pub(super) prec: u64,
    pub(super) window: u64,
}

#[derive(Clone, Debug, Default)]
pub(super) struct OpTable {
    pub(super) c: Vec<u64>,
    pub(super) top_r: Vec<u64>,
    pub(super) top_ir: Vec<u64>,
    pub(super) d: Vec<u64>,
    pub(super) db: Vec<u64>,
    pub(super) eb: Vec<u64>,
    pub(super) tr: Vec<[Transfer; 4]>,
    // scratch
    pub(super) ra: Vec<f64>,
    pub(super) ira: Vec<f64>,
    pub(super) rb: Vec<f64>,
    pub(super) irb: Vec<f64>,
    pub(super) irflag: Vec<bool>,
}

pub(super) fn resize<T: Clone>(v: &mut Vec<T>, n: usize, x: T) {
    v.clear();
    v.resize(n, x);
}

/// Stationarity merge of §2.5.1 on level boundaries (`starts`, `M + 1`
/// entries, the last one = number of loops): ir loops at the bottom of a
/// level move to the top of the level below, until nothing changes.
pub(super) fn stationarity_merge(
    layer: &LayerSpec,
    op: usize,
    flat: &[Loop],
    starts: &mut [usize],
) {
    let class = &layer.operands[op].class;
    let m = starts.len() - 1;
    let mut changed = true;
    while changed {
        changed = false;
        for j in 1..m {
            while starts[j] < starts[j + 1] && class[flat[starts[j]].0] == DimClass::Ir {
                starts[j] += 1;
                changed = true;
            }
        }
    }
}

/// §2.5.2 on merged levels: `C(X, 0..=M)`, `top_r(X, 0..=M)`,
/// `top_ir(X, 0..=M)`.
pub(super) fn temporal_scalars(
    class: &[DimClass],
    flat: &[Loop],
    starts: &[usize],
    c: &mut Vec<u64>,
    top_r: &mut Vec<u64>,
    top_ir: &mut Vec<u64>,
) {
    let m = starts.len() - 1;
    resize(c, m + 1, 1u64);
    resize(top_r, m + 1, 1u64);
    resize(top_ir, m + 1, 1u64);
    for j in 0..m {
        let lv = &flat[starts[j]..starts[j + 1]];
        c[j + 1] = lv.iter().fold(c[j], |a, l| a.saturating_mul(l.1));
        for (want, out) in [(DimClass::R, &mut *top_r), (DimClass::Ir, &mut *top_ir)] {
            let mut p = 1u64;
            for l in lv.iter().rev() {
                if class[l.0] != want {
                    break;
                }
                p = p.saturating_mul(l.1);
            }
            out[j + 1] = p;
        }
    }
}

impl Ctx {
    /// Fills `t` for operand `x` from its merged temporal levels
    /// (`flat[starts[j]..starts[j+1]]`) and one side of the spatial mapping.
    /// Called for every ordering the search evaluates: its steps are
    /// `#[inline]` so the split costs nothing.
    pub(super) fn fill(
        &self,
        x: usize,
        flat: &[Loop],
        starts: &[usize],
        unrolling: Unrolling,
        dec: &mut Decoupler,
        t: &mut OpTable,
    ) {
        let oc = &self.ops[x];
        let side = oc.side(unrolling);
        let m = oc.levels.len();
        // §2.5.2
        let class = &self.layer.operands[x].class;
        temporal_scalars(class, flat, starts, &mut t.c, &mut t.top_r, &mut t.top_ir);
        self.fill_unrolled(x, flat, starts, side, dec, t);
        self.fill_data_sizes(x, t);
        t.tr.clear();
        for j in 0..m {
            let row = self.transfer_row(x, j, side, t);
            t.tr.push(row);
        }
    }

    /// §2.5.3–§2.5.4: A_a = T_{a-1} ++ S_a, B_a = T_{a-1} ++ S_{a-1}, with
    /// the r and ir products of each and whether A_a has an ir loop.
    #[inline]
    fn fill_unrolled(
        &self,
        x: usize,
        flat: &[Loop],
        starts: &[usize],
        side: &SpatialSide,
        dec: &mut Decoupler,
        t: &mut OpTable,
    ) {
        let layer = &self.layer;
        let m = self.ops[x].levels.len();
        let class = &layer.operands[x].class;
        resize(&mut t.ra, m + 1, 1.0);
        resize(&mut t.ira, m + 1, 1.0);
        resize(&mut t.rb, m + 1, 1.0);
        resize(&mut t.irb, m + 1, 1.0);
        resize(&mut t.irflag, m + 1, false);
        dec.reset();
        for a in 0..=m {
            let (mut r, mut ir) = (1.0, 1.0);
            let mut flag = false;
            if a > 0 {
                for &(d, f) in &flat[starts[a - 1]..starts[a]] {
                    flag |= class[d] == DimClass::Ir && f > 1;
                    dec.push(layer, x, d, f as f64, &mut r, &mut ir);
                }
            }
            for &(d, f) in &side.s[a] {
                flag |= class[d] == DimClass::Ir && f > 1.0;
                dec.push(layer, x, d, f, &mut r, &mut ir);
            }
            t.ra[a] = r;
            t.ira[a] = ir;
            t.irflag[a] = flag;
        }
        dec.reset();
        for a in 1..=m {
            let (mut r, mut ir) = (1.0, 1.0);
            for &(d, f) in &flat[starts[a - 1]..starts[a]] {
                dec.push(layer, x, d, f as f64, &mut r, &mut ir);
            }
            for &(d, f) in &side.s[a - 1] {
                dec.push(layer, x, d, f, &mut r, &mut ir);
            }
            t.rb[a] = r;
            t.irb[a] = ir;
        }
    }

    /// §2.6: D(X, a) = round(Rcum_B(a)), its bits (precisions §2.5.5) and
    /// the bits per `top_r` step.
    #[inline]
    fn fill_data_sizes(&self, x: usize, t: &mut OpTable) {
        let m = self.ops[x].levels.len();
        resize(&mut t.d, m + 1, 1u64);
        resize(&mut t.eb, m + 1, 0u64);
        let mut cum = 1.0;
        for a in 0..=m {
            cum *= t.rb[a];
            // Q1: Python `round`, half to even
            t.d[a] = round_half_even(round_half_even(cum)) as u64;
        }
        resize(&mut t.db, m + 1, 0u64);
        for a in 0..=m {
            let db = t.d[a].saturating_mul(self.prec_at(x, a, t));
            t.db[a] = db;
            t.eb[a] = db / t.top_r[a].max(1);
        }
    }

    /// §2.6 element moves of operand `x` at merged level `j` (fractional
    /// table `t`), in `LevelCost`'s order: `rd_out_to_low`, `wr_in_by_low`,
    /// `rd_out_to_high`, `wr_in_by_high`. The model uses them only for
    /// statistics (the Paper view's Fig. 14): energy comes from word
    /// accesses (§2.8). As in §2.7, nothing moves above the top level.
    pub(super) fn element_moves(&self, x: usize, j: usize, t: &OpTable) -> [f64; 4] {
        let m = self.ops[x].levels.len();
        let cum = |v: &[f64], a: usize| v.iter().take(a + 1).product::<f64>();
        let macs = self.macs as f64;
        // Q1: Python `round`, half to even
        let raw = round_half_even(macs / cum(&t.ira, j));
        let raw2 = round_half_even(macs / cum(&t.irb, j + 1));
        let mut e = if x == 0 {
            [
                self.o_elems * (output_q(t, j + 1) - 1.0),
                raw,
                raw2,
                self.o_elems * (output_q(t, j + 2) - 1.0),
            ]
        } else {
            [raw, 0.0, 0.0, raw2]
        };
        if j + 1 == m {
            e[2] = 0.0;
            e[3] = 0.0;
        }
        e
    }

    /// Whether output data leaves level `a` upward as partial sums (an ir
    /// loop above it); never for inputs.
    #[inline]
    fn psum(&self, x: usize, a: usize, t: &OpTable) -> bool {
        let m = self.ops[x].levels.len();
        x == 0 && (a + 1..=m).any(|b| t.irflag[b])
    }

    /// The precision of operand `x` at level `a`.
    #[inline]
    fn prec_at(&self, x: usize, a: usize, t: &OpTable) -> u64 {
        // Q18: the output uses partial precision iff data leaves upward partial
        if x != 0 || self.psum(x, a, t) {
            self.layer.operands[x].precision_bits
        } else {
            self.layer.o_final_bits
        }
    }

    /// §2.7: the four transfers of operand `x` between merged level `j`
    /// and `j + 1`.
    #[inline]
    fn transfer_row(&self, x: usize, j: usize, side: &SpatialSide, t: &OpTable) -> [Transfer; 4] {
        let o = &self.layer.operands[x];
        let m = self.ops[x].levels.len();
        let total = t.c[m];
        let per_lo = t.c[j];
        let per_hi = t.c[j + 1];
        let lo = Transfer {
            amount: (t.d[j] as f64 * side.boost[j]) as u64,
            period: per_lo,
            count: total / per_lo.max(1),
            prec: 0,
            window: per_lo / t.top_ir[j].max(1),
        };
        let hi = Transfer {
            amount: t.d[j + 1],
            period: per_hi,
            count: total / per_hi.max(1),
            prec: 0,
            window: per_hi / t.top_ir[j + 1].max(1),
        };
        let mut row = [Transfer::default(); 4];
        if x != 0 {
            row[Dir::RdOutToLow as usize] = Transfer {
                prec: o.precision_bits,
                ..lo
            };
            row[Dir::WrInByHigh as usize] = Transfer {
                prec: o.precision_bits,
                ..hi
            };
        } else {
            self.output_transfers(j, t, lo, hi, &mut row);
        }
        if j + 1 == m {
            // external traffic is ignored at the top level
            row[Dir::RdOutToHigh as usize] = Transfer::default();
            row[Dir::WrInByHigh as usize] = Transfer::default();
        }
        row
    }

    /// §2.7 for the output: the precision of each direction, from whether
    /// partial sums cross the boundary (`Q(a)`, a = 0..=M+2).
    #[inline]
    fn output_transfers(
        &self,
        j: usize,
        t: &OpTable,
        lo: Transfer,
        hi: Transfer,
        row: &mut [Transfer; 4],
    ) {
        let layer = &self.layer;
        let o = &layer.operands[0];
        let rd_to_low_elems = self.o_elems * (output_q(t, j + 1) - 1.0);
        let wr_by_high_elems = self.o_elems * (output_q(t, j + 2) - 1.0);
        let (p_by_low, p_to_low) = if rd_to_low_elems != 0.0 {
            (o.precision_bits, o.precision_bits)
        } else {
            (layer.o_final_bits, 0)
        };
        let (p_to_high, p_by_high) = if wr_by_high_elems != 0.0 {
            (o.precision_bits, o.precision_bits)
        } else {
            (layer.o_final_bits, 0)
        };
        row[Dir::WrInByLow as usize] = Transfer {
            prec: p_by_low,
            ..lo
        };
        if self.psum(0, j, t) {
            row[Dir::RdOutToLow as usize] = Transfer {
                prec: p_to_low,
                ..lo
            };
        }
        row[Dir::RdOutToHigh as usize] = Transfer {
            prec: p_to_high,
            ..hi
        };
        if self.psum(0, j + 1, t) {
            row[Dir::WrInByHigh as usize] = Transfer {
                prec: p_by_high,
                ..hi
            };
        }
    }
}

/// `Q(a)`: the product of the output's ir factors of `A_a..A_M`, 1 above
/// the top (`a > M`); `|O| * (Q(a) - 1)` partial sums cross arch level `a`.
#[inline]
fn output_q(t: &OpTable, a: usize) -> f64 {
    t.ira.get(a..).map_or(1.0, |v| v.iter().product())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::workload::Workload;
    use crate::scenario::layer::LayerSpec;
    use crate::single_layer::loma::Loop;
    use alloc::vec;
    use alloc::vec::Vec;

    /// docs/model.md §6.6 V4: stationarity merge, `C`, `top_r`, `top_ir`.
    #[test]
    pub(super) fn v4_stationarity() {
        let text = r#"{"name":"t","layers":[{"id":0,"kind":"conv","equation":"O[k][oy][ox]+=W[k][c]*I[c][oy][ox]",
            "loop_dims":{"K":4,"C":4,"OY":2,"OX":2},"operand_precision_bits":{"O":16,"O_final":8,"W":8,"I":8},
            "memory_operand_links":{"O":"O","W":"I2","I":"I1"}}]}"#;
        let w = Workload::from_json(text).unwrap();
        let l = LayerSpec::from_layer(&w.layers[0], "x").unwrap();
        let (k, c, oy, ox) = (0, 1, 2, 3);
        let flat: Vec<Loop> = vec![(c, 2), (ox, 2), (k, 2), (oy, 2), (c, 2), (k, 2)];
        let show = |st: &[usize]| -> Vec<Vec<Loop>> {
            st.windows(2).map(|w| flat[w[0]..w[1]].to_vec()).collect()
        };
        // (operand, merged levels, C, top_r, top_ir)
        type Case = (usize, Vec<Vec<Loop>>, [u64; 4], [u64; 4], [u64; 4]);
        let cases: [Case; 3] = [
            (
                0,
                vec![
                    vec![(c, 2)],
                    vec![(ox, 2), (k, 2), (oy, 2), (c, 2)],
                    vec![(k, 2)],
                ],
                [1, 2, 32, 64],
                [1, 1, 1, 2],
                [1, 2, 2, 1],
            ),
            (
                1,
                vec![
                    vec![(c, 2), (ox, 2)],
                    vec![(k, 2), (oy, 2)],
                    vec![(c, 2), (k, 2)],
                ],
                [1, 4, 16, 64],
                [1, 1, 1, 4],
                [1, 2, 2, 1],
            ),
            (
                2,
                vec![
                    vec![(c, 2)],
                    vec![(ox, 2), (k, 2), (oy, 2)],
                    vec![(c, 2), (k, 2)],
                ],
                [1, 2, 16, 64],
                [1, 2, 2, 1],
                [1, 1, 1, 2],
            ),
        ];
        for (op, levels, cc, tr, ti) in cases {
            let mut st = vec![0, 1, 4, 6];
            stationarity_merge(&l, op, &flat, &mut st);
            assert_eq!(show(&st), levels, "operand {op}");
            let (mut c_, mut r_, mut i_) = (Vec::new(), Vec::new(), Vec::new());
            temporal_scalars(&l.operands[op].class, &flat, &st, &mut c_, &mut r_, &mut i_);
            assert_eq!(
                (c_.as_slice(), r_.as_slice(), i_.as_slice()),
                (&cc[..], &tr[..], &ti[..]),
                "operand {op}"
            );
        }
    }
}
