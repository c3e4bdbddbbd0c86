//! Single-layer model: spatial mapping conversion (MODEL.md §1.4), LOMA
//! memory allocation and selection (§2.3–§2.4) and the ZigZag cost model
//! (§2.5–§2.9).
//!
//! Quirks reproduced here (MODEL.md §5): Q1/Q35 half-to-even rounding of
//! data sizes and unit counts, Q15 off-loading estimate, Q16 on-loading
//! "half" assignment, Q18 two output-precision rules, Q19 relevancy from the
//! original sizes, Q21 MAC energy for pooling/add, Q22 `rw` ports use the
//! read width, Q30 `int` truncation in pr decoupling, Q33 tie-breaks, Q34
//! truncated bandwidth boost.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;
use core::fmt;

use crate::hardware::{Dir, Hardware};
use crate::layer::{DimClass, LayerSpec};
use crate::loma::{loop_prime_factors, Loop, LpfError, Orderings};
use crate::mapping::SpatialMapping;
use crate::num::{ceil, ceil_div, pr_size, round_half_even, trunc};

/// Why a layer could not be evaluated. Every case is a value, never a
/// panic.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[non_exhaustive]
pub enum EvalError {
    /// A layer operand's memory operand is stored in no memory level.
    NoMemory { operand: String, mem_op: String },
    /// The spatial mapping names an array dimension the hardware lacks.
    UnknownArrayDim(String),
    /// The spatial mapping names a loop dimension the layer lacks.
    UnknownLoopDim(String),
    /// §1.4: the unit counts of the operands disagree under round, ceil and
    /// floor; the reference rejects the spatial mapping.
    SpatialMappingRejected,
    /// Q12: the LPF limit cannot be reached.
    LpfLimitTooSmall { limit: usize, dims: usize },
    /// No loop ordering fits the memories ("memory hierarchy too small").
    HierarchyTooSmall,
    /// An input form the model does not handle (e.g. more than two inputs).
    Unsupported(String),
}

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EvalError::NoMemory { operand, mem_op } => write!(
                f,
                "operand `{operand}` is linked to memory operand `{mem_op}`, which no memory stores; add `{mem_op}` to a memory or fix the link"
            ),
            EvalError::UnknownArrayDim(d) => write!(f, "unknown array dimension `{d}` in the spatial mapping; use a dimension of the operational array"),
            EvalError::UnknownLoopDim(d) => write!(f, "the spatial mapping unrolls `{d}`, which is not a loop of the layer; use one of its loop dimensions"),
            EvalError::SpatialMappingRejected => write!(f, "the fractional spatial unrolling gives inconsistent unit counts; use unrollings that divide the loop sizes"),
            EvalError::LpfLimitTooSmall { limit, dims } => write!(
                f,
                "the loop prime factor limit {limit} is smaller than the {dims} temporal loop dimensions; raise the limit"
            ),
            EvalError::HierarchyTooSmall => write!(f, "memory hierarchy too small: no loop ordering fits the memories; use larger memories or smaller tiles"),
            EvalError::Unsupported(s) => write!(f, "unsupported input: {s}"),
        }
    }
}

/// Word accesses of one operand at one memory level, and their energy.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct LevelCost {
    /// Memory instance name.
    pub memory: String,
    pub rd_out_to_low_words: f64,
    pub wr_in_by_low_words: f64,
    pub rd_out_to_high_words: f64,
    pub wr_in_by_high_words: f64,
    pub energy_pj: f64,
    /// Bits of this operand held by one instance of the level
    /// (`DB(X, j+1)`, fractional mapping, §2.6).
    pub data_bits: u64,
}

/// Costs of one layer operand over its memory levels (bottom-up).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct OperandCost {
    pub operand: String,
    pub mem_op: String,
    pub levels: Vec<LevelCost>,
    /// Chosen temporal loops per memory level (innermost first), as
    /// allocated (before the stationarity merge): (loop name, size).
    pub temporal_loops: Vec<Vec<(String, u64)>>,
}

/// The cost of one layer (minimum-energy temporal mapping).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct LayerCost {
    pub layer_id: i64,
    pub macs: u64,
    pub energy_total_pj: f64,
    pub mac_energy_pj: f64,
    pub mem_energy_pj: f64,
    /// Output first, then inputs in equation order.
    pub operands: Vec<OperandCost>,
    /// `ceil(MACs / total units)`.
    pub ideal_cycles: u64,
    /// Product of the temporal loop sizes.
    pub ideal_temporal_cycles: u64,
    /// `SS_comb` of §2.9.3.
    pub stall_cycles: u64,
    pub onloading_cycles: u64,
    pub offloading_cycles: u64,
    pub latency_total0_cycles: u64,
    /// What DeFiNES reports: on-loading included, off-loading excluded.
    pub latency_total1_cycles: u64,
    pub latency_total2_cycles: u64,
    pub mac_spatial_utilization: f64,
    /// Orderings generated and how many of them fit the memories.
    pub orderings_total: u64,
    pub orderings_valid: u64,
}

impl LayerCost {
    /// Energy of one memory instance summed over operands.
    pub fn memory_energy_pj(&self, memory: &str) -> f64 {
        self.operands
            .iter()
            .flat_map(|o| o.levels.iter())
            .filter(|l| l.memory == memory)
            .map(|l| l.energy_pj)
            .sum()
    }
}

// ---------------------------------------------------------------------------
// Spatial mapping (§1.4)

/// One side (fractional or integer) of the spatial mapping of an operand.
#[derive(Clone, Debug, Default)]
struct SpatialSide {
    /// `S_0 .. S_M`.
    s: Vec<Vec<(usize, f64)>>,
    /// `unit_count(X, a)`, a = 0..=M.
    unit_count: Vec<f64>,
    /// `unit_unique(X, a)`, a = 0..=M.
    unit_unique: Vec<f64>,
    /// `boost(X, a)`, a = 0..=M.
    boost: Vec<f64>,
}

struct OpCtx {
    mem_op: usize,
    /// Layer dimensions relevant (`R`) to the operand, ascending.
    r_dims: Vec<usize>,
    /// Physical level indices bottom-up.
    levels: Vec<usize>,
    frac: SpatialSide,
    int: SpatialSide,
}

/// Running state of the pr decoupling of §2.5.3 for one family.
struct Decoupler {
    cum_a: Vec<f64>,
    cum_b: Vec<f64>,
    prev_r: Vec<f64>,
    prev_ir: Vec<f64>,
}

impl Decoupler {
    fn new(n: usize) -> Decoupler {
        Decoupler {
            cum_a: vec![1.0; n],
            cum_b: vec![1.0; n],
            prev_r: vec![1.0; n],
            prev_ir: vec![1.0; n],
        }
    }
    fn reset(&mut self) {
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
    fn push(&mut self, layer: &LayerSpec, op: usize, d: usize, f: f64, r: &mut f64, ir: &mut f64) {
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
fn spatial_factors(
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

fn build_side(layer: &LayerSpec, op: usize, s: Vec<Vec<(usize, f64)>>) -> SpatialSide {
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
fn choose_rounding(sides: &mut [&mut SpatialSide]) -> Result<(), EvalError> {
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

// ---------------------------------------------------------------------------
// Context

/// Everything about a (layer, hardware, spatial mapping) that does not
/// depend on the temporal mapping.
struct Ctx {
    layer: LayerSpec,
    hw: Hardware,
    ops: Vec<OpCtx>,
    macs: u64,
    o_elems: f64,
    /// Per physical level: layer operands stored there, in slot order.
    level_ops: Vec<Vec<usize>>,
    /// Layer operand per memory operand index.
    op_of_mem: Vec<Option<usize>>,
    /// Memory operands of the inputs (for the on-loading port test).
    input_mem_ops: Vec<usize>,
}

impl Ctx {
    fn new(
        layer_owned: LayerSpec,
        hw_owned: Hardware,
        sm: &SpatialMapping,
    ) -> Result<Ctx, EvalError> {
        let layer = &layer_owned;
        let hw = &hw_owned;
        if layer.operands.len() > 3 {
            return Err(EvalError::Unsupported(format!(
                "layer {} has {} input operands; at most two are supported",
                layer.id,
                layer.operands.len() - 1
            )));
        }
        let u = spatial_factors(layer, hw, sm)?;
        let mut op_of_mem = vec![None; hw.mem_ops.len()];
        let mut ops = Vec::new();
        for (x, o) in layer.operands.iter().enumerate() {
            let mo = hw
                .mem_op_index(&o.mem_op)
                .ok_or_else(|| EvalError::NoMemory {
                    operand: o.name.clone(),
                    mem_op: o.mem_op.clone(),
                })?;
            let levels = hw.levels_of(mo);
            if levels.is_empty() {
                return Err(EvalError::NoMemory {
                    operand: o.name.clone(),
                    mem_op: o.mem_op.clone(),
                });
            }
            if op_of_mem[mo].is_some() {
                return Err(EvalError::Unsupported(format!(
                    "two operands of layer {} share memory operand `{}`",
                    layer.id, o.mem_op
                )));
            }
            op_of_mem[mo] = Some(x);
            let mut taken = vec![false; hw.array_dims.len()];
            let mut s = Vec::with_capacity(levels.len() + 1);
            for &lv in &levels {
                let mut here = Vec::new();
                for (a, t) in taken.iter_mut().enumerate() {
                    if hw.levels[lv].served[a] && !*t {
                        *t = true;
                        if let Some(e) = u[a] {
                            here.push(e);
                        }
                    }
                }
                s.push(here);
            }
            let rest: Vec<(usize, f64)> = (0..taken.len())
                .filter(|&a| !taken[a])
                .filter_map(|a| u[a])
                .collect();
            s.push(rest);
            let s_int: Vec<Vec<(usize, f64)>> = s
                .iter()
                .map(|l| l.iter().map(|&(d, f)| (d, ceil(f))).collect())
                .collect();
            ops.push(OpCtx {
                mem_op: mo,
                r_dims: (0..o.class.len())
                    .filter(|&i| o.class[i] == DimClass::R)
                    .collect(),
                levels,
                frac: build_side(layer, x, s),
                int: build_side(layer, x, s_int),
            });
        }
        {
            let mut fr: Vec<&mut SpatialSide> = Vec::new();
            let mut it: Vec<&mut SpatialSide> = Vec::new();
            for o in ops.iter_mut() {
                fr.push(&mut o.frac);
                it.push(&mut o.int);
            }
            choose_rounding(&mut fr)?;
            choose_rounding(&mut it)?;
        }
        let level_ops = hw
            .levels
            .iter()
            .map(|l| {
                l.slots
                    .iter()
                    .filter_map(|s| op_of_mem.get(s.mem_op).copied().flatten())
                    .collect()
            })
            .collect();
        let input_mem_ops = layer.inputs().map(|x| ops[x].mem_op).collect();
        let macs = layer.macs();
        let o_elems = layer.size_elems(0) as f64;
        Ok(Ctx {
            layer: layer_owned,
            hw: hw_owned,
            macs,
            o_elems,
            ops,
            level_ops,
            op_of_mem,
            input_mem_ops,
        })
    }

    /// §2.1 step 2: temporal loop sizes after the spatial unrolling of the
    /// first input operand.
    fn temporal_sizes(&self) -> Vec<(usize, u64)> {
        let mut sizes: Vec<(usize, u64)> = self.layer.sizes.iter().copied().enumerate().collect();
        let first = if self.ops.len() > 1 { 1 } else { 0 };
        for lv in &self.ops[first].frac.s {
            for &(d, u) in lv {
                if let Some(e) = sizes.iter_mut().find(|e| e.0 == d) {
                    e.1 = ceil(e.1 as f64 / u) as u64;
                }
            }
        }
        sizes.retain(|e| e.1 > 1);
        sizes
    }
}

// ---------------------------------------------------------------------------
// Per-operand tables (§2.5–§2.7)

#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Transfer {
    amount: u64,
    period: u64,
    count: u64,
    prec: u64,
    window: u64,
}

#[derive(Clone, Debug, Default)]
struct OpTable {
    c: Vec<u64>,
    top_r: Vec<u64>,
    top_ir: Vec<u64>,
    d: Vec<u64>,
    db: Vec<u64>,
    eb: Vec<u64>,
    tr: Vec<[Transfer; 4]>,
    // scratch
    ra: Vec<f64>,
    ira: Vec<f64>,
    rb: Vec<f64>,
    irb: Vec<f64>,
    irflag: Vec<bool>,
}

fn resize<T: Clone>(v: &mut Vec<T>, n: usize, x: T) {
    v.clear();
    v.resize(n, x);
}

/// Stationarity merge of §2.5.1 on level boundaries (`starts`, `M + 1`
/// entries, the last one = number of loops): ir loops at the bottom of a
/// level move to the top of the level below, until nothing changes.
fn stationarity_merge(layer: &LayerSpec, op: usize, flat: &[Loop], starts: &mut [usize]) {
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
fn temporal_scalars(
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
    fn fill(
        &self,
        x: usize,
        flat: &[Loop],
        starts: &[usize],
        int_side: bool,
        dec: &mut Decoupler,
        t: &mut OpTable,
    ) {
        let layer = &self.layer;
        let o = &layer.operands[x];
        let oc = &self.ops[x];
        let side = if int_side { &oc.int } else { &oc.frac };
        let m = oc.levels.len();
        let class = &o.class;
        // §2.5.2
        temporal_scalars(class, flat, starts, &mut t.c, &mut t.top_r, &mut t.top_ir);
        let total = t.c[m];
        // §2.5.3–§2.5.4: A_a = T_{a-1} ++ S_a, B_a = T_{a-1} ++ S_{a-1}
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
        // §2.6: D(X, a) = round(Rcum_B(a)); precisions (§2.5.5)
        let is_out = x == 0;
        resize(&mut t.d, m + 1, 1u64);
        resize(&mut t.eb, m + 1, 0u64);
        let mut cum = 1.0;
        for a in 0..=m {
            cum *= t.rb[a];
            // Q1: Python `round`, half to even
            t.d[a] = round_half_even(round_half_even(cum)) as u64;
        }
        let psum = |a: usize| -> bool { is_out && (a + 1..=m).any(|b| t.irflag[b]) };
        let prec_at = |a: usize| -> u64 {
            // Q18: the output uses partial precision iff data leaves upward partial
            if !is_out || psum(a) {
                o.precision_bits
            } else {
                layer.o_final_bits
            }
        };
        resize(&mut t.db, m + 1, 0u64);
        for a in 0..=m {
            let db = t.d[a].saturating_mul(prec_at(a));
            t.db[a] = db;
            t.eb[a] = db / t.top_r[a].max(1);
        }
        // Q(a) for the output, a = 0..=M+2
        let q = |a: usize| -> f64 {
            if a > m {
                return 1.0;
            }
            let mut p = 1.0;
            for b in a..=m {
                p *= t.ira[b];
            }
            p
        };
        // §2.7 transfer table
        t.tr.clear();
        for j in 0..m {
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
            if !is_out {
                row[Dir::RdOutToLow as usize] = Transfer {
                    prec: o.precision_bits,
                    ..lo
                };
                row[Dir::WrInByHigh as usize] = Transfer {
                    prec: o.precision_bits,
                    ..hi
                };
            } else {
                let rd_to_low_elems = self.o_elems * (q(j + 1) - 1.0);
                let wr_by_high_elems = self.o_elems * (q(j + 2) - 1.0);
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
                if psum(j) {
                    row[Dir::RdOutToLow as usize] = Transfer {
                        prec: p_to_low,
                        ..lo
                    };
                }
                row[Dir::RdOutToHigh as usize] = Transfer {
                    prec: p_to_high,
                    ..hi
                };
                if psum(j + 1) {
                    row[Dir::WrInByHigh as usize] = Transfer {
                        prec: p_by_high,
                        ..hi
                    };
                }
            }
            if j + 1 == m {
                // external traffic is ignored at the top level
                row[Dir::RdOutToHigh as usize] = Transfer::default();
                row[Dir::WrInByHigh as usize] = Transfer::default();
            }
            t.tr.push(row);
        }
    }

    /// §2.8: word accesses `[rd_out_to_low, wr_in_by_low, rd_out_to_high,
    /// wr_in_by_high]` of operand `x` at memory level `j` (fractional table).
    fn words(&self, x: usize, j: usize, t: &OpTable) -> [f64; 4] {
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

    fn level_energy(&self, x: usize, j: usize, w: &[f64; 4]) -> f64 {
        let lvl = &self.hw.levels[self.ops[x].levels[j]];
        lvl.r_cost_pj * (w[0] + w[2]) + lvl.w_cost_pj * (w[1] + w[3])
    }

    /// `e` plus the memory energy of operand `x` (fractional table `t`),
    /// level by level: summing this over the operands in order from 0.0 is
    /// the layer's memory energy, in the order `full_cost` sums it.
    #[inline]
    fn add_op_energy(&self, mut e: f64, x: usize, t: &OpTable) -> f64 {
        for j in 0..self.ops[x].levels.len() {
            let w = self.words(x, j, t);
            e += self.level_energy(x, j, &w);
        }
        e
    }

    /// Whether every access energy is >= 0 (then every energy term is).
    fn energies_nonnegative(&self) -> bool {
        self.ops.iter().all(|o| {
            o.levels.iter().all(|&l| {
                let lv = &self.hw.levels[l];
                lv.r_cost_pj >= 0.0 && lv.w_cost_pj >= 0.0
            })
        })
    }
}

// ---------------------------------------------------------------------------
// LOMA allocation (§2.3)

/// `a.saturating_mul(b)`, through one 64 × 64 → 128-bit multiplication
/// when both fit in 64 bits (the product cannot overflow then).
#[inline]
fn mul_sat(a: u128, b: u128) -> u128 {
    const M: u128 = u64::MAX as u128;
    if a <= M && b <= M {
        (a as u64 as u128) * (b as u64 as u128)
    } else {
        a.saturating_mul(b)
    }
}

struct AllocScratch {
    pos: Vec<usize>,
    ext: Vec<Vec<f64>>,
    level: Vec<usize>,
    /// Per operand: level boundaries into the ordering.
    bounds: Vec<Vec<usize>>,
    suffix: Vec<u128>,
    cand_size: Vec<Vec<u128>>,
    cand_acc: Vec<Vec<u128>>,
    offset: Vec<usize>,
    tmp_ext: Vec<f64>,
}

impl AllocScratch {
    fn new(ctx: &Ctx) -> AllocScratch {
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
    fn tensor_elems(&self, x: usize, ext: &[f64]) -> u128 {
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
    fn allocate(&self, ord: &[Loop], sc: &mut AllocScratch) -> bool {
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
            // mixed radix, first operand most significant; Q33: on equal
            // accesses the later combination wins (`<=`)
            let nops = here.len();
            let combos: usize = (0..nops).map(|k| sc.cand_size[k].len()).product();
            let mut best: Option<(usize, u128)> = None;
            for c in 0..combos {
                let mut rem = c;
                let mut size: u128 = 0;
                let mut acc: u128 = 0;
                for k in (0..nops).rev() {
                    let len = sc.cand_size[k].len();
                    let i = rem % len;
                    rem /= len;
                    size = size.saturating_add(sc.cand_size[k][i]);
                    acc = acc.saturating_add(sc.cand_acc[k][i]);
                }
                if size > cap {
                    continue;
                }
                if best.is_none_or(|(_, b)| acc <= b) {
                    best = Some((c, acc));
                }
            }
            let mut rem = best.map(|b| b.0).unwrap_or(0);
            let mut chosen = [0usize; 8];
            for k in (0..nops).rev() {
                let len = sc.cand_size[k].len();
                let i = rem % len;
                rem /= len;
                if k < chosen.len() {
                    chosen[k] = if best.is_some() { i + sc.offset[k] } else { 0 };
                }
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

// ---------------------------------------------------------------------------
// Latency (§2.9)

struct Activity {
    real: i128,
    allowed: i128,
    period: i128,
    count: i128,
}

/// Number of busy time points in `[0, pmax)`: `t mod period < allowed` for
/// some activity, by merging the activities' periodic intervals in order.
fn busy_points(acts: &[Activity], pmax: i128) -> i128 {
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

fn port_ss(acts: &[Activity]) -> i128 {
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

struct Latency {
    stall: u64,
    load: u64,
    offload: u64,
}

impl Ctx {
    fn real(&self, x: usize, j: usize, dir: Dir, t: &OpTable) -> u64 {
        let tr = t.tr[j][dir as usize];
        let lvl = &self.hw.levels[self.ops[x].levels[j]];
        let bw = if dir.is_read() {
            lvl.r_bw_bits
        } else {
            lvl.w_bw_bits
        };
        ceil_div(tr.amount.saturating_mul(tr.prec), bw)
    }

    fn port_serves_all_inputs(&self, lv: usize, mem_op: usize, dir: Dir) -> bool {
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

    fn latency(&self, frac: &[OpTable], int: &[OpTable]) -> Latency {
        let hw = &self.hw;
        // §2.9.1 utilisation and double buffering
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
        // §2.9.3 per-port stall/slack
        let mut ss_comb: i128 = 0;
        let mut acts: Vec<Activity> = Vec::new();
        for lvl in &hw.levels {
            for port in &lvl.ports {
                acts.clear();
                for f in &port.serves {
                    let Some(x) = self.op_of_mem.get(f.mem_op).copied().flatten() else {
                        continue;
                    };
                    let Some(row) = int[x].tr.get(f.level) else {
                        continue;
                    };
                    let tr = row[f.dir as usize];
                    if tr.count == 0 {
                        continue;
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
                    acts.push(Activity {
                        real: real as i128,
                        allowed: allowed as i128,
                        period: tr.period as i128,
                        count: tr.count as i128,
                    });
                }
                if !acts.is_empty() {
                    ss_comb = ss_comb.max(port_ss(&acts));
                }
            }
        }
        // §2.9.4 on-loading
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
        let load = if self.ops.len() == 3 {
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
        };
        // §2.9.6 off-loading. Q15: the "shared port" branch of the reference
        // never triggers, so lower pairs only add the memories' latencies.
        let mo = self.ops[0].levels.len();
        let offload = if mo >= 2 {
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
                o = o.saturating_add(hw.levels[self.ops[0].levels[j + 1]].latency_cycles);
            }
            o
        } else {
            0
        };
        Latency {
            stall: ss_comb.max(0) as u64,
            load,
            offload,
        }
    }
}

// ---------------------------------------------------------------------------
// Entry points

/// Applies add-layer duplication (§1.3, Q31) when the layer needs it: the
/// second input is re-linked to `I2` and the hardware's `I2` hierarchy is
/// replaced by a copy of `I1`'s.
pub fn prepare_add_layer(layer: &mut LayerSpec, hw: &mut Hardware) {
    if layer.needs_add_duplication() {
        let first = layer.operands[1].mem_op.clone();
        let second = if first == "I2" { "I1" } else { "I2" };
        hw.duplicate_for_add(&first, second);
        layer.operands[2].mem_op = second.to_string();
    }
}

/// Options of the single-layer evaluation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LomaConfig {
    /// Maximum number of loop prime factors (`loma_lpf_limit`, 6 in
    /// DeFiNES' `main.py`).
    pub lpf_limit: usize,
}

impl Default for LomaConfig {
    fn default() -> Self {
        LomaConfig { lpf_limit: 6 }
    }
}

/// Evaluates one (tile-sized) layer on one (possibly trimmed) accelerator:
/// LOMA search (§2.1–§2.4) keeping the minimum-energy temporal mapping
/// (first one on exact ties, Q33), then its full cost (§2.5–§2.9).
/// Element-wise add layers get add-layer duplication automatically.
pub fn evaluate_layer(
    layer: &LayerSpec,
    hw: &Hardware,
    sm: &SpatialMapping,
    cfg: LomaConfig,
) -> Result<LayerCost, EvalError> {
    let mut s = LomaSearch::new(layer, hw, sm, cfg)?;
    s.run(u64::MAX);
    s.finish()
}

/// The LOMA search of one layer, run in chunks of orderings (e.g. so a
/// worker can check for a stop request between chunks). The result does not
/// depend on the chunk sizes. No allocation per ordering except when a new
/// best mapping is found.
///
/// Exactly the exhaustive optimum, faster: the energy of an ordering is
/// summed operand by operand in the order the reported energy is summed,
/// and when every access energy is >= 0 an ordering is abandoned as soon as
/// its partial sum reaches the best so far (it can only grow, and Q33 needs
/// strictly less to win). [`LomaSearch::exhaustive`] turns the skipping off
/// (the reference for tests).
pub struct LomaSearch {
    ctx: Ctx,
    gen: Orderings,
    expected: u64,
    ord: Vec<Loop>,
    sc: AllocScratch,
    tabs: Vec<OpTable>,
    starts: Vec<Vec<usize>>,
    dec: Decoupler,
    best: Option<(f64, Vec<Loop>, Vec<Vec<usize>>)>,
    total: u64,
    valid: u64,
    /// Valid orderings abandoned by the energy bound.
    pruned: u64,
    /// Bound-based skipping allowed (every energy term is >= 0).
    prune: bool,
    done: bool,
}

/// Number of distinct permutations of a multiset, saturating.
fn multiset_permutations(items: &[Loop]) -> u64 {
    let mut sorted: Vec<Loop> = items.to_vec();
    sorted.sort_unstable();
    let mut res: u128 = 1;
    let mut tot: u128 = 0;
    let mut k = 0;
    while k < sorted.len() {
        let mut g = 1;
        while k + g < sorted.len() && sorted[k + g] == sorted[k] {
            g += 1;
        }
        for i in 1..=g as u128 {
            tot += 1;
            res = res.saturating_mul(tot) / i;
        }
        k += g;
    }
    u64::try_from(res).unwrap_or(u64::MAX)
}

impl LomaSearch {
    /// Prepares the search: spatial mapping (§1.4), LPFs (§2.1) and the
    /// ordering generator (§2.2).
    pub fn new(
        layer: &LayerSpec,
        hw: &Hardware,
        sm: &SpatialMapping,
        cfg: LomaConfig,
    ) -> Result<LomaSearch, EvalError> {
        let (mut layer, mut hw) = (layer.clone(), hw.clone());
        prepare_add_layer(&mut layer, &mut hw);
        let ctx = Ctx::new(layer, hw, sm)?;
        let sizes = ctx.temporal_sizes();
        let lpfs = loop_prime_factors(&sizes, cfg.lpf_limit).map_err(|e| match e {
            LpfError::LimitTooSmall { limit, dims } => EvalError::LpfLimitTooSmall { limit, dims },
        })?;
        let items: Vec<Loop> = lpfs
            .iter()
            .flat_map(|(d, fs)| fs.iter().map(move |&f| (*d, f)))
            .collect();
        let expected = multiset_permutations(&items);
        let gen = Orderings::new(items, |d| ctx.layer.dims[d].clone());
        let sc = AllocScratch::new(&ctx);
        let nops = ctx.ops.len();
        let dec = Decoupler::new(ctx.layer.relations.len());
        let prune = ctx.energies_nonnegative();
        Ok(LomaSearch {
            ctx,
            gen,
            expected,
            ord: Vec::new(),
            sc,
            tabs: vec![OpTable::default(); nops],
            starts: vec![Vec::new(); nops],
            dec,
            best: None,
            total: 0,
            valid: 0,
            pruned: 0,
            prune,
            done: false,
        })
    }

    /// Number of orderings the search will generate in total.
    pub fn orderings_expected(&self) -> u64 {
        self.expected
    }

    /// Number of orderings generated so far.
    pub fn orderings_done(&self) -> u64 {
        self.total
    }

    /// Number of valid orderings whose cost was abandoned early because
    /// they provably could not beat the best so far.
    pub fn orderings_pruned(&self) -> u64 {
        self.pruned
    }

    /// Turns the provably safe skipping off: every valid ordering is costed
    /// in full (the plain exhaustive enumeration, for tests).
    pub fn exhaustive(mut self) -> LomaSearch {
        self.prune = false;
        self
    }

    /// Evaluates up to `max_orderings` more orderings; true when all
    /// orderings have been evaluated.
    pub fn run(&mut self, max_orderings: u64) -> bool {
        let ctx = &self.ctx;
        let nops = ctx.ops.len();
        let mut n = 0u64;
        while !self.done && n < max_orderings {
            if !self.gen.next_into(&mut self.ord) {
                self.done = true;
                break;
            }
            n += 1;
            self.total += 1;
            if !ctx.allocate(&self.ord, &mut self.sc) {
                continue;
            }
            self.valid += 1;
            // The energy is summed in the order of `Ctx::mem_energy`
            // (operand by operand, level by level, from 0.0), so it is the
            // same float. Every term is >= 0 when `self.prune` holds, so
            // a partial sum that is not below the best can only grow: such
            // an ordering cannot win (Q33 needs strictly less) and its
            // remaining operands are skipped.
            let bound = self.best.as_ref().map(|b| b.0);
            let mut e = 0.0;
            let mut lost = false;
            for x in 0..nops {
                let st = &mut self.starts[x];
                st.clear();
                st.extend_from_slice(&self.sc.bounds[x]);
                stationarity_merge(&ctx.layer, x, &self.ord, st);
                ctx.fill(x, &self.ord, st, false, &mut self.dec, &mut self.tabs[x]);
                e = ctx.add_op_energy(e, x, &self.tabs[x]);
                if self.prune && bound.is_some_and(|b| e >= b) {
                    lost = true;
                    break;
                }
            }
            if lost {
                self.pruned += 1;
                continue;
            }
            // Q33: strict `<`, the first ordering wins on exact ties
            if bound.is_none_or(|b| e < b) {
                self.best = Some((e, self.ord.clone(), self.sc.bounds.clone()));
            }
        }
        self.done
    }

    /// The full cost of the best mapping found so far (the LOMA result once
    /// [`LomaSearch::run`] has returned true), or "memory hierarchy too
    /// small" when no ordering fitted.
    pub fn finish(&self) -> Result<LayerCost, EvalError> {
        let Some((_, ord, bounds)) = &self.best else {
            return Err(EvalError::HierarchyTooSmall);
        };
        let per_op: Vec<Vec<Vec<Loop>>> = bounds
            .iter()
            .map(|b| b.windows(2).map(|w| ord[w[0]..w[1]].to_vec()).collect())
            .collect();
        let mut cost = full_cost(&self.ctx, &per_op);
        cost.orderings_total = self.total;
        cost.orderings_valid = self.valid;
        Ok(cost)
    }
}

/// Evaluates a given temporal mapping: per layer operand (output first),
/// one list of loops `(loop name, size)` per memory level, innermost first
/// (as allocated, before the stationarity merge). Used for hand checks.
pub fn evaluate_temporal_mapping(
    layer: &LayerSpec,
    hw: &Hardware,
    sm: &SpatialMapping,
    mapping: &[Vec<Vec<(&str, u64)>>],
) -> Result<LayerCost, EvalError> {
    let (mut layer, mut hw) = (layer.clone(), hw.clone());
    prepare_add_layer(&mut layer, &mut hw);
    let ctx = Ctx::new(layer.clone(), hw, sm)?;
    if mapping.len() != ctx.ops.len() {
        return Err(EvalError::Unsupported(format!(
            "the temporal mapping has {} operands; the layer has {}",
            mapping.len(),
            ctx.ops.len()
        )));
    }
    let mut per_op = Vec::new();
    for (x, levels) in mapping.iter().enumerate() {
        if levels.len() != ctx.ops[x].levels.len() {
            return Err(EvalError::Unsupported(format!(
                "operand `{}` has {} memory levels; the mapping gives {}",
                layer.operands[x].name,
                ctx.ops[x].levels.len(),
                levels.len()
            )));
        }
        let mut lv = Vec::new();
        for l in levels {
            let mut v = Vec::new();
            for &(name, f) in l {
                let d = layer
                    .dim_index(name)
                    .ok_or_else(|| EvalError::UnknownLoopDim(name.to_string()))?;
                v.push((d, f));
            }
            lv.push(v);
        }
        per_op.push(lv);
    }
    Ok(full_cost(&ctx, &per_op))
}

fn full_cost(ctx: &Ctx, per_op: &[Vec<Vec<Loop>>]) -> LayerCost {
    let nops = ctx.ops.len();
    let mut dec = Decoupler::new(ctx.layer.relations.len());
    let mut frac = vec![OpTable::default(); nops];
    let mut int = vec![OpTable::default(); nops];
    let mut operands = Vec::new();
    let mut mem = 0.0;
    let mut total_cycles = 1;
    for x in 0..nops {
        let flat: Vec<Loop> = per_op[x].iter().flatten().copied().collect();
        let mut starts = vec![0usize];
        for l in &per_op[x] {
            let last = starts.last().copied().unwrap_or(0);
            starts.push(last + l.len());
        }
        stationarity_merge(&ctx.layer, x, &flat, &mut starts);
        ctx.fill(x, &flat, &starts, false, &mut dec, &mut frac[x]);
        ctx.fill(x, &flat, &starts, true, &mut dec, &mut int[x]);
        total_cycles = frac[x].c.last().copied().unwrap_or(1);
        let mut levels = Vec::new();
        for (j, &lv) in ctx.ops[x].levels.iter().enumerate() {
            let w = ctx.words(x, j, &frac[x]);
            let e = ctx.level_energy(x, j, &w);
            mem += e;
            levels.push(LevelCost {
                memory: ctx.hw.levels[lv].name.clone(),
                rd_out_to_low_words: w[0],
                wr_in_by_low_words: w[1],
                rd_out_to_high_words: w[2],
                wr_in_by_high_words: w[3],
                energy_pj: e,
                data_bits: frac[x].db[j + 1],
            });
        }
        operands.push(OperandCost {
            operand: ctx.layer.operands[x].name.clone(),
            mem_op: ctx.layer.operands[x].mem_op.clone(),
            levels,
            temporal_loops: per_op[x]
                .iter()
                .map(|l| {
                    l.iter()
                        .map(|&(d, f)| (ctx.layer.dims[d].clone(), f))
                        .collect()
                })
                .collect(),
        });
    }
    let lat = ctx.latency(&frac, &int);
    // Q21: pooling and element-wise add also pay one MAC per loop point
    let mac_energy = ctx.hw.mac_energy_pj * ctx.macs as f64;
    let ideal = ceil_div(ctx.macs, ctx.hw.total_units());
    let l0 = total_cycles.saturating_add(lat.stall);
    let l1 = l0.saturating_add(lat.load);
    LayerCost {
        layer_id: ctx.layer.id,
        macs: ctx.macs,
        energy_total_pj: mem + mac_energy,
        mac_energy_pj: mac_energy,
        mem_energy_pj: mem,
        operands,
        ideal_cycles: ideal,
        ideal_temporal_cycles: total_cycles,
        stall_cycles: lat.stall,
        onloading_cycles: lat.load,
        offloading_cycles: lat.offload,
        latency_total0_cycles: l0,
        latency_total1_cycles: l1,
        latency_total2_cycles: l1.saturating_add(lat.offload),
        mac_spatial_utilization: if total_cycles == 0 {
            0.0
        } else {
            ideal as f64 / total_cycles as f64
        },
        orderings_total: 1,
        orderings_valid: 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workload::Workload;

    /// MODEL.md §6.6 V4: stationarity merge, `C`, `top_r`, `top_ir`.
    #[test]
    fn v4_stationarity() {
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
