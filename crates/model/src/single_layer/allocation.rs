//! LOMA memory allocation of one ordering (docs/model.md §2.3): loops are
//! assigned bottom-up to each operand's memory levels as far as they fit.

use alloc::vec;
use alloc::vec::Vec;

use super::context::Ctx;
use super::loma::Loop;
use super::temporal::resize;
use crate::num::{ceil, pr_size};
use crate::scenario::layer::DimClass;

/// `a.saturating_mul(b)`, through one 64 × 64 → 128-bit multiplication
/// when both fit in 64 bits (the product cannot overflow then).
#[inline]
pub(super) fn mul_sat(a: u128, b: u128) -> u128 {
    const M: u128 = u64::MAX as u128;
    if a <= M && b <= M {
        (a as u64 as u128) * (b as u64 as u128)
    } else {
        a.saturating_mul(b)
    }
}

/// The level's choice of §2.3 among the operands' candidate lists
/// (`lens[k]` candidates for the operand in slot `k`): the combination that
/// fits `cap` with the fewest accesses, read in mixed radix with the first
/// slot most significant; Q33: on equal accesses the later combination
/// wins. Per slot the chosen index, or `None` when nothing fits.
#[inline]
pub(super) fn choose_combination(
    lens: &[usize],
    size_of: impl Fn(usize, usize) -> u128,
    acc_of: impl Fn(usize, usize) -> u128,
    cap: u128,
) -> Option<[usize; 3]> {
    // combinations in increasing mixed-radix order (an odometer, the last
    // slot fastest); `<=` keeps the last of the cheapest
    let nops = lens.len().min(3);
    if lens.len() > 3 || lens.contains(&0) {
        return None;
    }
    let mut idx = [0usize; 3];
    let mut best: Option<([usize; 3], u128)> = None;
    loop {
        let mut size: u128 = 0;
        let mut acc: u128 = 0;
        for (k, &i) in idx.iter().enumerate().take(nops) {
            size = size.saturating_add(size_of(k, i));
            acc = acc.saturating_add(acc_of(k, i));
        }
        if size <= cap && best.is_none_or(|(_, b)| acc <= b) {
            best = Some((idx, acc));
        }
        // next combination
        let mut k = nops;
        loop {
            if k == 0 {
                return best.map(|b| b.0);
            }
            k -= 1;
            idx[k] += 1;
            if idx[k] < lens[k] {
                break;
            }
            idx[k] = 0;
        }
    }
}

pub(super) struct AllocScratch {
    pub(super) pos: Vec<usize>,
    pub(super) ext: Vec<Vec<f64>>,
    pub(super) level: Vec<usize>,
    /// Per operand: level boundaries into the ordering.
    pub(super) bounds: Vec<Vec<usize>>,
    pub(super) suffix: Vec<u128>,
    pub(super) cand_size: Vec<Vec<u128>>,
    pub(super) cand_acc: Vec<Vec<u128>>,
    pub(super) offset: Vec<usize>,
    pub(super) tmp_ext: Vec<f64>,
}

impl AllocScratch {
    pub(super) fn new(ctx: &Ctx) -> AllocScratch {
        let n = ctx.ops.len();
        AllocScratch {
            pos: vec![0; n],
            ext: vec![Vec::new(); n],
            level: vec![0; n],
            bounds: vec![Vec::new(); n],
            suffix: Vec::new(),
            cand_size: vec![Vec::new(); 4],
            cand_acc: vec![Vec::new(); 4],
            offset: vec![0; 4],
            tmp_ext: Vec::new(),
        }
    }
}

impl Ctx {
    /// [`LayerSpec::tensor_elems`] (the same value for every input) in
    /// `u64` over the operand's relevant dimensions only, falling back to
    /// the general `u128` form when a factor or the product leaves `u64`.
    #[inline]
    pub(super) fn tensor_elems(&self, x: usize, ext: &[f64]) -> u128 {
        const LIM: f64 = 18_446_744_073_709_551_616.0;
        let layer = &self.layer;
        let mut n: u64 = 1;
        for &i in &self.ops[x].r_dims {
            let c = ceil(ext[i]);
            if !(0.0..LIM).contains(&c) {
                return layer.tensor_elems(x, ext);
            }
            match n.checked_mul(c as u64) {
                Some(v) => n = v,
                None => return layer.tensor_elems(x, ext),
            }
        }
        if layer.operands[x].has_pr {
            for r in &layer.relations {
                let p = pr_size(r.sa, ceil(ext[r.a]), r.sb, ceil(ext[r.b]));
                if !(0.0..LIM).contains(&p) {
                    return layer.tensor_elems(x, ext);
                }
                match n.checked_mul(p as u64) {
                    Some(v) => n = v,
                    None => return layer.tensor_elems(x, ext),
                }
            }
        }
        n as u128
    }

    /// Allocates `ord` (innermost first) bottom-up; on success the level
    /// boundaries of every operand are in `sc.bounds`.
    ///
    /// Longer than the house limit on purpose: this is the LOMA hot path
    /// (run for every ordering). Its three phases per level (candidate
    /// sizes per operand, the mixed-radix choice of the best combination,
    /// applying it) share the `sc` scratch buffers and early `return
    /// false`s; split into functions they would need several disjoint
    /// mutable borrows of `sc` and a result type per phase, and the split
    /// was not measured free, so it stays in one piece.
    pub(super) fn allocate(&self, ord: &[Loop], sc: &mut AllocScratch) -> bool {
        let layer = &self.layer;
        let nd = layer.dims.len();
        let n = ord.len();
        sc.suffix.clear();
        sc.suffix.resize(n + 1, 1);
        for i in (0..n).rev() {
            sc.suffix[i] = mul_sat(sc.suffix[i + 1], ord[i].1 as u128);
        }
        for x in 0..self.ops.len() {
            sc.pos[x] = 0;
            sc.level[x] = 1;
            sc.bounds[x].clear();
            sc.bounds[x].push(0);
            resize(&mut sc.ext[x], nd, 1.0);
            for &(d, f) in &self.ops[x].frac.s[0] {
                sc.ext[x][d] *= f;
            }
        }
        for (lv_idx, lvl) in self.hw.levels.iter().enumerate() {
            let here = &self.level_ops[lv_idx];
            if here.is_empty() {
                continue;
            }
            if here.len() > sc.cand_size.len() {
                sc.cand_size.resize(here.len(), Vec::new());
                sc.cand_acc.resize(here.len(), Vec::new());
                sc.offset.resize(here.len(), 0);
            }
            let cap = lvl.size_bits as u128;
            for (k, &x) in here.iter().enumerate() {
                let is_top = self.ops[x].levels.last() == Some(&lv_idx);
                let pos = sc.pos[x];
                let prec = if x == 0 {
                    // Q18: partial precision while any ir(O) loop is unallocated
                    let cls = &layer.operands[0].class;
                    if ord[pos..].iter().any(|l| cls[l.0] == DimClass::Ir) {
                        layer.operands[0].precision_bits
                    } else {
                        layer.o_final_bits
                    }
                } else {
                    layer.operands[x].precision_bits
                } as u128;
                sc.tmp_ext.clear();
                sc.tmp_ext.extend_from_slice(&sc.ext[x]);
                let sizes = &mut sc.cand_size[k];
                let accs = &mut sc.cand_acc[k];
                sizes.clear();
                accs.clear();
                for i in 0..=(n - pos) {
                    if i > 0 {
                        let (d, f) = ord[pos + i - 1];
                        sc.tmp_ext[d] *= f as f64;
                    }
                    let size = mul_sat(self.tensor_elems(x, &sc.tmp_ext), prec);
                    if size > cap {
                        break;
                    }
                    sizes.push(size);
                    accs.push(if is_top {
                        0
                    } else {
                        mul_sat(sc.suffix[pos + i], size)
                    });
                }
                if sizes.is_empty() {
                    return false;
                }
                if is_top {
                    let last = sizes.len() - 1;
                    sc.offset[k] = last;
                    sizes.drain(..last);
                    accs.drain(..last);
                } else {
                    sc.offset[k] = 0;
                }
            }
            let nops = here.len();
            let lens: [usize; 3] =
                core::array::from_fn(|k| sc.cand_size.get(k).map_or(1, |v| v.len()));
            let best = choose_combination(
                &lens[..nops.min(3)],
                |k, i| sc.cand_size[k][i],
                |k, i| sc.cand_acc[k][i],
                cap,
            );
            let mut chosen = [0usize; 8];
            for k in 0..nops.min(3) {
                chosen[k] = best.map_or(0, |b| b[k] + sc.offset[k]);
            }
            for (k, &x) in here.iter().enumerate() {
                let i = chosen.get(k).copied().unwrap_or(0);
                let pos = sc.pos[x];
                for &(d, f) in &ord[pos..pos + i] {
                    sc.ext[x][d] *= f as f64;
                }
                sc.pos[x] = pos + i;
                sc.bounds[x].push(pos + i);
                let lvl_no = sc.level[x];
                if let Some(s) = self.ops[x].frac.s.get(lvl_no) {
                    for &(d, f) in s {
                        sc.ext[x][d] *= f;
                    }
                }
                let is_top = self.ops[x].levels.last() == Some(&lv_idx);
                if is_top && sc.pos[x] < n {
                    return false;
                }
                sc.level[x] += 1;
            }
        }
        true
    }
}
