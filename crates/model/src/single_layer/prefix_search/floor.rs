//! Floors of the energy terms (docs/model.md §2.4, fact 6): for every
//! operand and memory level, a value no ordering's term can be below, so
//! the walk's bound counts the terms a prefix has not fixed yet at their
//! floor instead of at 0.
//!
//! The argument, per operand `X` and merged level boundary `a` (the data
//! between levels `a - 1` and `a`):
//! - The traffic across `a` is `D(X, a) * (total // C(X, a))` elements per
//!   instance (times `boost` on the low side). `total // C(X, a)` is the
//!   product of the temporal loops above `a`, at least the product `t_A` of
//!   the `r(X)` ones among them. `D(X, a) = round(y)`, where `y` is the
//!   product of the `r(X)` loops below `a` (`t_B`), the `r(X)` spatial
//!   factors below `a` (`sigma_a`) and, for an operand with pr relations,
//!   the telescoped pr sizes, each `>= 1` when every extent is `>= 1` and
//!   both strides are `>= 1` (§1.1.4). So `y >= t_B * sigma_a` and
//!   `D * count >= t_B * t_A * sigma_a - t_A / 2 >= t_r * (sigma_a - 1/2)`
//!   with `t_r = t_B * t_A` the product of every `r(X)` temporal loop: it
//!   does not depend on the ordering. When `sigma_a` is a whole number the
//!   rounding cannot lose anything: `D * count >= t_r * sigma_a`.
//! - The pr part (`pr_floors`), for an input whose relations `P = sa*A +
//!   sb*B` have distinct dimensions that are neither `r` nor `ir`. The
//!   relations enter `y` as a product of one pr size per relation, each
//!   at the extents below `a`: `x = pB * sA`, `y = qB * sB` (`pB`, `qB`
//!   the products of `A`'s and `B`'s temporal loops below `a`, `sA`, `sB`
//!   their spatial factors there), while `count` holds the rest, `pA *
//!   qA`. So `y * count >= t_r * sigma_a * prod(m)` with `m` the least of
//!   `pA * qA * pr(pB * sA, qB * sB)` over every split of the relation's
//!   loops into below and above: a few dozen products, enumerated
//!   (`PrFloor::least_share`). With whole extents `pr` is exact; with
//!   fractional ones the energy side's products of the same factors may
//!   round either way, so `pr` is `int()` of the real value less `1e-7`
//!   of it, and at least 1. Then, when every factor is whole, `round`
//!   loses nothing: `D * count >= t_r * sigma_a * prod(m)`. Otherwise it
//!   loses at most 1/2 of `y >= y_min = sigma_a * prod(pr(sA, sB))` (the
//!   pr formula grows with both extents), so `D * count >= t_r * sigma_a *
//!   prod(m) * (1 - 1 / (2 y_min))`; without relations this is the
//!   `t_r * (sigma_a - 1/2)` above.
//! - Words (§2.8): `ceil(q / min) * min >= q` and `per * cyc >= amount`,
//!   so every direction's word count is at least `amount * count * prec *
//!   unit_count / bw`.
//! - Precisions: inputs always use theirs; the output's `wr_in_by_low` and
//!   `rd_out_to_high` use `O` or `O_final` (the smaller is the floor), its
//!   other two directions may be 0. Nothing crosses the top level.
//! - The real values are computed in floating point, so each floor is
//!   scaled by `1 - 1e-6`, far more than the few roundings in between can
//!   move a term. A floor that is not finite is 0.
//!
//! Each floor is at most its term, costs are `>= 0`, and a level's energy
//! is a sum of products of them: so a bound that sums known terms and
//! floors in the energy's order stays below the energy of every ordering
//! below the prefix (rounded addition and multiplication by `c >= 0` are
//! monotone).

use alloc::vec;
use alloc::vec::Vec;

use super::super::context::Ctx;
use super::super::loma::Loop;
use crate::num::{pr_real, pr_size, trunc};
use crate::scenario::layer::DimClass;

/// Room for the roundings between a real-number floor and the computed
/// term.
const MARGIN: f64 = 1.0 - 1e-6;

/// Below this, products of whole numbers are exact and `round` of a value
/// within `1e-12` (relative) of a whole number gives that number.
const EXACT: f64 = (1u64 << 40) as f64;

/// The floors of operand `x`: per level `j`, the words floors of its four
/// directions (`Ctx::words` order).
pub(super) fn word_floors(ctx: &Ctx, x: usize, loops: &[Loop], counts: &[u8]) -> Vec<[f64; 4]> {
    let oc = &ctx.ops[x];
    let o = &ctx.layer.operands[x];
    let m = oc.levels.len();
    let side = &oc.frac;
    let mut out = vec![[0.0; 4]; m];
    let (mut t_r, mut total) = (1.0f64, 1.0f64);
    for (l, &c) in loops.iter().zip(counts) {
        for _ in 0..c {
            total *= l.1 as f64;
            if o.class[l.0] == DimClass::R {
                t_r *= l.1 as f64;
            }
        }
    }
    // the pr sizes are >= 1 only with extents >= 1 and strides >= 1
    let pr_ok = !o.has_pr
        || ctx.layer.relations.iter().all(|r| r.sa >= 1 && r.sb >= 1)
            && side
                .s
                .iter()
                .flatten()
                .all(|&(d, f)| o.class[d] != DimClass::None || f >= 1.0);
    if !pr_ok || total.is_nan() || total >= EXACT {
        return out;
    }
    // per relation (when they apply, see `pr_floors`): the products of its
    // two dimensions' temporal loops, and their spatial factors so far
    let mut rel = pr_floors(ctx, x, loops, counts);
    // floor of D(X, a) * (total // C(X, a)), a = 0..=m
    let mut dc = vec![0.0; m + 1];
    dc[0] = total; // D(X, 0) = 1, C(X, 0) = 1
    let (mut sigma, mut whole) = (1.0f64, true);
    for (d_c, s) in dc[1..].iter_mut().zip(&side.s) {
        for &(d, f) in s {
            if o.class[d] == DimClass::R {
                sigma *= f;
                whole &= f == trunc(f);
            }
            for r in rel.iter_mut() {
                for (dim, sig) in [(r.a, &mut r.sig_a), (r.b, &mut r.sig_b)] {
                    if d == dim {
                        *sig *= f;
                        r.whole &= f == trunc(f);
                    }
                }
            }
        }
        // the relations' part: per relation its least share over every
        // split of its loops at this boundary, and its least pr size
        let (mut g, mut y_min) = (1.0f64, sigma);
        for r in &rel {
            let (share, least) = r.least_share();
            g *= share;
            y_min *= least;
        }
        let exact = whole && rel.iter().all(|r| r.whole);
        let y = t_r * sigma * g;
        *d_c = if exact && y < EXACT {
            y
        } else if y_min > 0.5 && y < EXACT {
            // `round` loses at most 1/2 of `D >= y_min`
            y * (1.0 - 0.5 / y_min)
        } else {
            t_r * (sigma - 0.5).max(0.0)
        };
    }
    let (rd_lo, wr_lo, rd_hi, wr_hi) = if x == 0 {
        let p = o.precision_bits.min(ctx.layer.o_final_bits) as f64;
        (0.0, p, p, 0.0)
    } else {
        let p = o.precision_bits as f64;
        (p, 0.0, 0.0, p)
    };
    for (j, w) in out.iter_mut().enumerate() {
        let lvl = &ctx.hw.levels[oc.levels[j]];
        let uc = side.unit_count[j + 1];
        let lo = dc[j] * side.boost[j];
        let hi = if j + 1 < m { dc[j + 1] } else { 0.0 };
        let (r_bw, w_bw) = (lvl.r_bw_bits as f64, lvl.w_bw_bits as f64);
        let raw = [
            lo * rd_lo * uc / r_bw,
            lo * wr_lo * uc / w_bw,
            hi * rd_hi * uc / r_bw,
            hi * wr_hi * uc / w_bw,
        ];
        for (v, r) in w.iter_mut().zip(raw) {
            let f = r * MARGIN;
            *v = if f.is_finite() && f > 0.0 { f } else { 0.0 };
        }
    }
    out
}

/// One relation `P = sa*A + sb*B` of an operand with pr relations, for the
/// pr part of the floor (docs/model.md §2.4, fact 6).
struct PrFloor {
    sa: u64,
    sb: u64,
    a: usize,
    b: usize,
    /// The products of every sub-multiset of `A`'s and of `B`'s temporal
    /// loops (the parts that may lie below a boundary), and the products
    /// of all of them.
    below_a: Vec<f64>,
    below_b: Vec<f64>,
    ta: f64,
    tb: f64,
    /// Products of `A`'s and `B`'s spatial factors below the boundary,
    /// and whether they are all whole.
    sig_a: f64,
    sig_b: f64,
    whole: bool,
}

/// Room for the roundings of a fractional pr size before its `int()`.
const PR_MARGIN: f64 = 1.0 - 1e-7;

impl PrFloor {
    /// The least pr size at extents `x`, `y`, no matter how the energy
    /// side's products of the same factors round: exact for whole
    /// extents; otherwise `int()` of the real value less `PR_MARGIN`, and
    /// never below 1 (extents and strides are `>= 1`).
    fn pr_at_least(&self, x: f64, y: f64) -> f64 {
        if self.whole {
            return pr_size(self.sa, x, self.sb, y);
        }
        trunc(pr_real(self.sa, x, self.sb, y) * PR_MARGIN).max(1.0)
    }

    /// (the least of `pA * qA * pr(pB * sig_a, qB * sig_b)` over every
    /// split `P = pA * pB`, `Q = qA * qB` of the loops into above and
    /// below the boundary; the least pr size, at no loop below: the pr
    /// formula grows with both extents).
    fn least_share(&self) -> (f64, f64) {
        let mut best = f64::INFINITY;
        for &pb in &self.below_a {
            for &qb in &self.below_b {
                let pr = self.pr_at_least(pb * self.sig_a, qb * self.sig_b);
                best = best.min(self.ta / pb * (self.tb / qb) * pr);
            }
        }
        (best, self.pr_at_least(self.sig_a, self.sig_b))
    }
}

/// The products of every sub-multiset of `dim`'s loops among `loops`.
fn sub_products(dim: usize, loops: &[Loop], counts: &[u8]) -> Vec<f64> {
    let mut out = vec![1.0f64];
    for (l, &c) in loops.iter().zip(counts) {
        if l.0 != dim {
            continue;
        }
        for _ in 0..c {
            let n = out.len();
            for i in 0..n {
                let v = out[i] * l.1 as f64;
                if !out.contains(&v) {
                    out.push(v);
                }
            }
        }
    }
    out
}

/// The relations whose pr sizes the floor may count beyond 1: those of an
/// operand with pr relations whose dimensions are neither `r` nor `ir` for
/// it and belong to no other relation (the argument of fact 6 multiplies
/// one factor per relation). Empty otherwise.
fn pr_floors(ctx: &Ctx, x: usize, loops: &[Loop], counts: &[u8]) -> Vec<PrFloor> {
    let layer = &ctx.layer;
    let o = &layer.operands[x];
    if !o.has_pr {
        return Vec::new();
    }
    let dims: Vec<usize> = layer.relations.iter().flat_map(|r| [r.a, r.b]).collect();
    let distinct = dims
        .iter()
        .enumerate()
        .all(|(i, d)| !dims[..i].contains(d) && o.class[*d] == DimClass::None);
    if !distinct {
        return Vec::new();
    }
    let all = |v: &[f64]| v.iter().copied().fold(1.0f64, f64::max);
    layer
        .relations
        .iter()
        .map(|r| {
            let (below_a, below_b) = (
                sub_products(r.a, loops, counts),
                sub_products(r.b, loops, counts),
            );
            PrFloor {
                sa: r.sa,
                sb: r.sb,
                a: r.a,
                b: r.b,
                ta: all(&below_a),
                tb: all(&below_b),
                below_a,
                below_b,
                sig_a: 1.0,
                sig_b: 1.0,
                whole: true,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use alloc::vec::Vec;

    use super::word_floors;
    use crate::presets;
    use crate::scenario::layer::LayerSpec;
    use crate::single_layer::search::LomaSearch;
    use crate::single_layer::spatial::Unrolling;
    use crate::single_layer::temporal::{stationarity_merge, OpTable};
    use crate::single_layer::LomaConfig;

    /// `OX + FX` with `OX` loops 2 and 3 and one `FX` loop 3: the least
    /// share is every loop below, `6 + 3 - 1 = 8`; with a fractional
    /// spatial factor 1.5 on `OX` the pr sizes are taken one below their
    /// whole real values (the margin), so `9 + 3 - 1 = 11` counts 10.
    #[test]
    fn least_share_by_hand() {
        use super::{sub_products, PrFloor};
        let loops = [(3usize, 2u64), (3, 3), (5, 3)];
        let (below_a, below_b) = (
            sub_products(3, &loops, &[1, 1, 1]),
            sub_products(5, &loops, &[1, 1, 1]),
        );
        assert_eq!(
            (below_a.clone(), below_b.clone()),
            (alloc::vec![1.0, 2.0, 3.0, 6.0], alloc::vec![1.0, 3.0])
        );
        let mut r = PrFloor {
            sa: 1,
            sb: 1,
            a: 3,
            b: 5,
            below_a,
            below_b,
            ta: 6.0,
            tb: 3.0,
            sig_a: 1.0,
            sig_b: 1.0,
            whole: true,
        };
        assert_eq!(r.least_share(), (8.0, 1.0));
        r.sig_a = 1.5;
        r.whole = false;
        assert_eq!(r.least_share(), (10.0, 1.0));
    }

    /// Over every ordering of the layer's loops: no word count and no
    /// level energy is below its floor. Returns (floors > 0, floors).
    fn floors_hold(l: &LayerSpec, s: LomaSearch, what: &str) -> (usize, usize) {
        let mut s = s.exhaustive();
        let (mut ord, mut starts, mut tab) = (Vec::new(), Vec::new(), OpTable::default());
        let mut floors: Option<Vec<Vec<[f64; 4]>>> = None;
        let mut positive = (0, 0);
        while s.gen.next_into(&mut ord) {
            let ctx = &s.ctx;
            let fl = floors.get_or_insert_with(|| {
                let ones = alloc::vec![1u8; ord.len()];
                (0..ctx.ops.len())
                    .map(|x| word_floors(ctx, x, &ord, &ones))
                    .collect()
            });
            if !ctx.allocate(&ord, &mut s.sc) {
                continue;
            }
            for (x, fx) in fl.iter().enumerate() {
                starts.clear();
                starts.extend_from_slice(&s.sc.bounds[x]);
                stationarity_merge(&ctx.layer, x, &ord, &mut starts);
                ctx.fill(
                    x,
                    &ord,
                    &starts,
                    Unrolling::Fractional,
                    &mut s.dec,
                    &mut tab,
                );
                for (j, f) in fx.iter().enumerate() {
                    let w = ctx.words(x, j, &tab);
                    for k in 0..4 {
                        assert!(
                            w[k] >= f[k],
                            "{what} layer {} operand {x} level {j} direction {k}: \
                             {} words below the floor {} ({ord:?})",
                            l.id,
                            w[k],
                            f[k]
                        );
                        positive.0 += usize::from(f[k] > 0.0);
                        positive.1 += 1;
                    }
                    assert!(ctx.level_energy(x, j, &w) >= ctx.level_energy(x, j, f));
                }
            }
        }
        positive
    }

    /// Every compute layer of every preset pair, at full size and at the
    /// case-study tile (OX, OY capped at 16 x 18), at lpf 5: each floor
    /// holds on every ordering, and most floors are not 0.
    #[test]
    fn no_ordering_goes_below_a_floor() {
        let (mut positive, mut all, mut layers) = (0, 0, 0);
        for (hw_name, _) in presets::HARDWARE {
            for (wl_name, _) in presets::WORKLOADS {
                let sc = presets::scenario(hw_name, wl_name).unwrap();
                for l in &sc.layers {
                    let sm = sc.mapping.layer(l.id).cloned().unwrap_or_default();
                    let mut tile = l.clone();
                    for (d, cap) in [("OX", 16), ("OY", 18)] {
                        if let Some(i) = tile.dim_index(d) {
                            tile.sizes[i] = tile.sizes[i].min(cap);
                        }
                    }
                    for spec in [l, &tile] {
                        let cfg = LomaConfig { lpf_limit: 5 };
                        if let Ok(s) = LomaSearch::new(spec, &sc.hardware, &sm, cfg) {
                            let (p, a) =
                                floors_hold(spec, s, &alloc::format!("{hw_name} {wl_name}"));
                            positive += p;
                            all += a;
                            layers += 1;
                        }
                    }
                }
            }
        }
        assert!(layers > 500, "{layers}");
        // nothing crosses the top level and the output's psum reads may
        // be 0: about half the directions have a floor of 0
        assert!(positive * 3 > all, "{positive} of {all} floors are > 0");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 150, ..Default::default() })]

        /// Random convolutions (stride 1 or 2, odd kernels, fractional
        /// unrollings from loop sizes that the array does not divide) on
        /// the four accelerator families, with memory sizes scaled so
        /// levels fill differently, at lpf 3..=6.
        #[test]
        fn floors_hold_on_random_layers(
            hw in 0usize..4,
            (k, c, oy, ox) in (1u64..64, 1u64..64, 1u64..30, 1u64..30),
            f in proptest::prelude::prop_oneof![proptest::strategy::Just(1u64), proptest::strategy::Just(3u64)],
            stride in 1u64..3,
            spatial in proptest::collection::vec((0usize..4, 0usize..5, 2u64..40), 0..3),
            scale in proptest::collection::vec(1u64..400, 8),
            lpf in 3usize..=6,
        ) {
            use crate::input::hardware::Hardware;
            use crate::input::mapping::{SpatialEntry, SpatialMapping};
            use crate::input::workload::Workload;
            use alloc::string::ToString;
            let names = ["Meta_prototype_DF", "Edge_TPU_like", "TPU_like", "Ascend_like"];
            let text = serde_json::json!({"name": "r", "layers": [{"id": 0, "kind": "conv",
                "equation": "O[b][k][oy][ox]+=W[k][c][fy][fx]*I[b][c][ix][iy]",
                "equation_relations": [alloc::format!("ix={stride}*ox+1*fx"), alloc::format!("iy={stride}*oy+1*fy")],
                "loop_dims": {"B": 1, "K": k, "C": c, "OY": oy, "OX": ox, "FY": f, "FX": f},
                "operand_precision_bits": {"O": 16, "O_final": 8, "W": 8, "I": 8},
                "constant_operands": ["W"], "memory_operand_links": {"O": "O", "W": "I2", "I": "I1"}}]})
            .to_string();
            let w = Workload::from_json(&text).unwrap();
            let l = LayerSpec::from_layer(&w.layers[0], "x").unwrap();
            let mut h = Hardware::from_json(presets::hardware(names[hw]).unwrap()).unwrap();
            for (lv, &s) in h.levels.iter_mut().zip(&scale) {
                lv.size_bits = (lv.size_bits / 100).saturating_mul(s).max(8);
            }
            let loops = ["K", "C", "OX", "OY", "FX"];
            let mut sm = SpatialMapping::default();
            for &(a, d, u) in &spatial {
                let name = &h.array_dims[a % h.array_dims.len()].name;
                if sm.entries.iter().any(|e| &e.array_dim == name || e.loop_dim == loops[d]) {
                    continue;
                }
                sm.entries.push(SpatialEntry {
                    array_dim: name.clone(),
                    loop_dim: loops[d].to_string(),
                    factor: u as f64,
                });
            }
            if let Ok(s) = LomaSearch::new(&l, &h, &sm, LomaConfig { lpf_limit: lpf }) {
                floors_hold(&l, s, names[hw]);
            }
        }
    }
}
