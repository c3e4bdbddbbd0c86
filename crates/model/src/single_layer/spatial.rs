//! Spatial mapping conversion (docs/model.md §1.4): the unrolling per array
//! dimension, its split over an operand's memory levels, unit counts,
//! unique units and bandwidth boosts, and the pr decoupling of §2.5.3
//! shared with the temporal tables. Quirks: Q30, Q34, Q35.

use alloc::vec;
use alloc::vec::Vec;

use super::EvalError;
use crate::input::hardware::Hardware;
use crate::input::mapping::SpatialMapping;
use crate::num::{ceil, pr_size, round_half_even, trunc};
use crate::scenario::layer::{DimClass, LayerSpec};

/// One side (fractional or integer) of the spatial mapping of an operand.
#[derive(Clone, Debug, Default)]
pub(super) struct SpatialSide {
    /// `S_0 .. S_M`.
    pub(super) s: Vec<Vec<(usize, f64)>>,
    /// `unit_count(X, a)`, a = 0..=M.
    pub(super) unit_count: Vec<f64>,
    /// `unit_unique(X, a)`, a = 0..=M.
    pub(super) unit_unique: Vec<f64>,
    /// `boost(X, a)`, a = 0..=M.
    pub(super) boost: Vec<f64>,
}

/// Which side of the spatial mapping a temporal table is built on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Unrolling {
    /// The mapping as given (fractional unrollings).
    Fractional,
    /// Every unrolling rounded up to a whole number.
    Integer,
}

pub(super) struct OpCtx {
    pub(super) mem_op: usize,
    /// Layer dimensions relevant (`R`) to the operand, ascending.
    pub(super) r_dims: Vec<usize>,
    /// Physical level indices bottom-up.
    pub(super) levels: Vec<usize>,
    pub(super) frac: SpatialSide,
    pub(super) int: SpatialSide,
}

/// Running state of the pr decoupling of §2.5.3 for one family.
pub(super) struct Decoupler {
    pub(super) cum_a: Vec<f64>,
    pub(super) cum_b: Vec<f64>,
    pub(super) prev_r: Vec<f64>,
    pub(super) prev_ir: Vec<f64>,
}

impl OpCtx {
    #[inline]
    pub(super) fn side(&self, unrolling: Unrolling) -> &SpatialSide {
        match unrolling {
            Unrolling::Fractional => &self.frac,
            Unrolling::Integer => &self.int,
        }
    }
}

impl Decoupler {
    pub(super) fn new(n: usize) -> Decoupler {
        Decoupler {
            cum_a: vec![1.0; n],
            cum_b: vec![1.0; n],
            prev_r: vec![1.0; n],
            prev_ir: vec![1.0; n],
        }
    }
    pub(super) fn reset(&mut self) {
        for v in [
            &mut self.cum_a,
            &mut self.cum_b,
            &mut self.prev_r,
            &mut self.prev_ir,
        ] {
            v.iter_mut().for_each(|x| *x = 1.0);
        }
    }
    /// Multiplies the loop `(d, f)` into the r/ir products of operand `op`.
    #[inline]
    pub(super) fn push(
        &mut self,
        layer: &LayerSpec,
        op: usize,
        d: usize,
        f: f64,
        r: &mut f64,
        ir: &mut f64,
    ) {
        let o = &layer.operands[op];
        match o.class[d] {
            DimClass::R => *r *= f,
            DimClass::Ir => *ir *= f,
            DimClass::None => {
                if !o.has_pr {
                    return;
                }
                for (k, rel) in layer.relations.iter().enumerate() {
                    if rel.a == d {
                        self.cum_a[k] *= f;
                    } else if rel.b == d {
                        self.cum_b[k] *= f;
                    } else {
                        continue;
                    }
                    // Q30: int() truncation inside pr_size, no ceiling
                    let rr = pr_size(rel.sa, self.cum_a[k], rel.sb, self.cum_b[k]);
                    let ii = self.cum_a[k] * self.cum_b[k] / rr;
                    *r *= rr / self.prev_r[k];
                    *ir *= ii / self.prev_ir[k];
                    self.prev_r[k] = rr;
                    self.prev_ir[k] = ii;
                }
            }
        }
    }
}

/// Per-dimension unrolling `u*` of §1.4 step 1, per array dimension.
pub(super) fn spatial_factors(
    layer: &LayerSpec,
    hw: &Hardware,
    sm: &SpatialMapping,
) -> Result<Vec<Option<(usize, f64)>>, EvalError> {
    let mut out = vec![None; hw.array_dims.len()];
    for e in &sm.entries {
        let a = hw
            .array_dims
            .iter()
            .position(|d| d.name == e.array_dim)
            .ok_or_else(|| EvalError::UnknownArrayDim(e.array_dim.clone()))?;
        let l = layer
            .dim_index(&e.loop_dim)
            .ok_or_else(|| EvalError::UnknownLoopDim(e.loop_dim.clone()))?;
        let size = layer.sizes[l] as f64;
        let u1 = (hw.array_dims[a].size as f64).min(e.factor);
        let u2 = size.min(u1);
        let t = ceil(size / u2);
        out[a] = Some((l, size / t));
    }
    Ok(out)
}

pub(super) fn build_side(layer: &LayerSpec, op: usize, s: Vec<Vec<(usize, f64)>>) -> SpatialSide {
    let m = s.len() - 1;
    let mut total = vec![1.0; m + 1];
    let mut rr = vec![1.0; m + 1];
    let mut dec = Decoupler::new(layer.relations.len());
    for (a, loops) in s.iter().enumerate() {
        let mut ir = 1.0;
        for &(d, f) in loops {
            total[a] *= f;
            dec.push(layer, op, d, f, &mut rr[a], &mut ir);
        }
    }
    let mut unit_unique = vec![1.0; m + 1];
    let mut unit_total = vec![1.0; m + 1];
    for a in 0..=m {
        let mut p = 1.0;
        let mut q = 1.0;
        for b in a..=m {
            p *= total[b];
            q *= rr[b];
        }
        unit_total[a] = p;
        unit_unique[a] = q;
    }
    let mut boost = vec![1.0; m + 1];
    for a in 0..m {
        boost[a] = trunc(unit_unique[a] / unit_unique[a + 1]); // Q34
    }
    SpatialSide {
        s,
        unit_count: unit_total, // rounded by `choose_rounding`
        unit_unique,
        boost,
    }
}

/// §1.4: the first of round/ceil/floor under which all operands agree at
/// `a = 0` is applied to every unit count (Q35: `round` is half to even).
pub(super) fn choose_rounding(sides: &mut [&mut SpatialSide]) -> Result<(), EvalError> {
    let fs: [fn(f64) -> f64; 3] = [round_half_even, ceil, libm::floor];
    for f in fs {
        let first = f(sides[0].unit_count[0]);
        if sides.iter().all(|s| f(s.unit_count[0]) == first) {
            for s in sides.iter_mut() {
                s.unit_count.iter_mut().for_each(|x| *x = f(*x));
            }
            return Ok(());
        }
    }
    Err(EvalError::SpatialMappingRejected)
}
