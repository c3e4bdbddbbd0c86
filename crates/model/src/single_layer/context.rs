//! [`Ctx`]: everything about a (layer, hardware, spatial mapping) that does
//! not depend on the temporal mapping, built once per LOMA search.

use alloc::format;
use alloc::vec;
use alloc::vec::Vec;

use super::spatial::{build_side, choose_rounding, spatial_factors, OpCtx, SpatialSide};
use super::EvalError;
use crate::input::hardware::Hardware;
use crate::input::mapping::SpatialMapping;
use crate::num::ceil;
use crate::scenario::layer::{DimClass, LayerSpec};

/// Everything about a (layer, hardware, spatial mapping) that does not
/// depend on the temporal mapping.
pub(super) struct Ctx {
    pub(super) layer: LayerSpec,
    pub(super) hw: Hardware,
    pub(super) ops: Vec<OpCtx>,
    pub(super) macs: u64,
    pub(super) o_elems: f64,
    /// Per physical level: layer operands stored there, in slot order.
    pub(super) level_ops: Vec<Vec<usize>>,
    /// Layer operand per memory operand index.
    pub(super) op_of_mem: Vec<Option<usize>>,
    /// Memory operands of the inputs (for the on-loading port test).
    pub(super) input_mem_ops: Vec<usize>,
}

/// The spatial unrolling per array dimension: (layer dimension, factor).
type Unrolling = [Option<(usize, f64)>];

impl Ctx {
    pub(super) fn new(
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
        for x in 0..layer.operands.len() {
            ops.push(op_ctx(layer, hw, &u, x, &mut op_of_mem)?);
        }
        round_sides(&mut ops)?;
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
    pub(super) fn temporal_sizes(&self) -> Vec<(usize, u64)> {
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

/// The context of operand `x`: its memory operand (recorded in
/// `op_of_mem`), levels, relevancy and both sides of the spatial mapping
/// (fractional and integer), before rounding.
fn op_ctx(
    layer: &LayerSpec,
    hw: &Hardware,
    u: &Unrolling,
    x: usize,
    op_of_mem: &mut [Option<usize>],
) -> Result<OpCtx, EvalError> {
    let o = &layer.operands[x];
    let no_memory = || EvalError::NoMemory {
        operand: o.name.clone(),
        mem_op: o.mem_op.clone(),
    };
    let mo = hw.mem_op_index(&o.mem_op).ok_or_else(no_memory)?;
    let levels = hw.levels_of(mo);
    if levels.is_empty() {
        return Err(no_memory());
    }
    if op_of_mem[mo].is_some() {
        return Err(EvalError::Unsupported(format!(
            "two operands of layer {} share memory operand `{}`",
            layer.id, o.mem_op
        )));
    }
    op_of_mem[mo] = Some(x);
    let s = unrolling_per_level(hw, &levels, u);
    let s_int: Vec<Vec<(usize, f64)>> = s
        .iter()
        .map(|l| l.iter().map(|&(d, f)| (d, ceil(f))).collect())
        .collect();
    Ok(OpCtx {
        mem_op: mo,
        r_dims: (0..o.class.len())
            .filter(|&i| o.class[i] == DimClass::R)
            .collect(),
        levels,
        frac: build_side(layer, x, s),
        int: build_side(layer, x, s_int),
    })
}

/// The unrolling each of `levels` serves (each array dimension at the
/// lowest level serving it), then the rest (served by none).
fn unrolling_per_level(hw: &Hardware, levels: &[usize], u: &Unrolling) -> Vec<Vec<(usize, f64)>> {
    let mut taken = vec![false; hw.array_dims.len()];
    let mut s = Vec::with_capacity(levels.len() + 1);
    for &lv in levels {
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
    s
}

/// Rounds the fractional sides of all operands together, then the integer
/// sides.
fn round_sides(ops: &mut [OpCtx]) -> Result<(), EvalError> {
    let mut fr: Vec<&mut SpatialSide> = Vec::new();
    let mut it: Vec<&mut SpatialSide> = Vec::new();
    for o in ops.iter_mut() {
        fr.push(&mut o.frac);
        it.push(&mut o.int);
    }
    choose_rounding(&mut fr)?;
    choose_rounding(&mut it)?;
    Ok(())
}
