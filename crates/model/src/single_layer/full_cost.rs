//! The full cost of one temporal mapping (docs/model.md §2.5–§2.9): energy per
//! operand and level, latency and utilisation, as reported; also for a
//! mapping given by hand ([`evaluate_temporal_mapping`]).

use alloc::format;
use alloc::string::ToString;
use alloc::vec;
use alloc::vec::Vec;

use super::context::Ctx;
use super::loma::Loop;
use super::prefix_search::SearchStats;
use super::search::prepare_add_layer;
use super::spatial::{Decoupler, Unrolling};
use super::temporal::{stationarity_merge, OpTable};
use super::{EvalError, LayerCost, LevelCost, OperandCost};
use crate::input::hardware::Hardware;
use crate::input::mapping::SpatialMapping;
use crate::num::ceil_div;
use crate::scenario::layer::LayerSpec;

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

pub(super) fn full_cost(ctx: &Ctx, per_op: &[Vec<Vec<Loop>>]) -> LayerCost {
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
        ctx.fill(
            x,
            &flat,
            &starts,
            Unrolling::Fractional,
            &mut dec,
            &mut frac[x],
        );
        ctx.fill(x, &flat, &starts, Unrolling::Integer, &mut dec, &mut int[x]);
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
                elements: ctx.element_moves(x, j, &frac[x]),
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
        search: SearchStats {
            considered: 1,
            evaluated: 1,
            ..SearchStats::default()
        },
    }
}
