//! Aggregation of the evaluated tile types into a [`NetworkReport`]
//! (MODEL.md §3.10): per item, per stack, per memory and in total.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::report::{ItemKind, ItemReport, NetworkReport, OperandTop, StackReport, TileTypeReport};
use super::run::NetworkRun;
use crate::input::ordered::OrderedMap;
use crate::vec_map::find_or_push;

impl NetworkRun {
    pub(super) fn report(&self) -> NetworkReport {
        let mut items: Vec<ItemReport> = Vec::new();
        let mut by_mem: OrderedMap<f64> = OrderedMap::default();
        let mut by_mem_op: OrderedMap<f64> = OrderedMap::default();
        let mut copy_by_mem: OrderedMap<f64> = OrderedMap::default();
        let mut retries = 0u64;
        fn add(m: &mut OrderedMap<f64>, k: &str, v: f64) {
            match m.0.iter_mut().find(|x| x.0 == k) {
                Some(x) => x.1 += v,
                None => m.0.push((k.to_string(), v)),
            }
        }
        let mut stack_details: Vec<StackReport> =
            self.plans.iter().map(|p| p.report.clone()).collect();
        for (si, plan) in self.plans.iter().enumerate() {
            let g = &plan.g;
            for (ti, evals) in self.results[si].iter().enumerate() {
                let (key, mult) = &plan.types[ti];
                for ev in evals {
                    let node = &g.nodes[ev.node];
                    if let Some(sd) = stack_details.get_mut(si) {
                        let m = *mult;
                        sd.energy_pj += m as f64 * ev.copy.energy_pj;
                        sd.latency_cycles = sd
                            .latency_cycles
                            .saturating_add(m.saturating_mul(ev.copy.latency_cycles));
                        if let Some(c) = &ev.layer {
                            sd.energy_pj += m as f64 * c.energy_total_pj;
                            sd.latency_cycles = sd
                                .latency_cycles
                                .saturating_add(m.saturating_mul(c.latency_total1_cycles));
                        }
                    }
                    let (copy_name, copy_ref, layer_name, layer_ref) = if node.is_input {
                        (
                            "copy before input".to_string(),
                            format!("DataCopyLayer_datamovement_b4_InputLayerNode_{}", node.id),
                            String::new(),
                            String::new(),
                        )
                    } else {
                        (
                            format!("copy before L{}", node.id),
                            format!("DataCopyLayer_datamovement_b4_LayerNode_{}", node.id),
                            format!("L{}", node.id),
                            format!("LayerNode_{}", node.id),
                        )
                    };
                    let ox = node.spec.dim_index("OX").map(|i| ev.sizes[i]).unwrap_or(1);
                    let oy = node.spec.dim_index("OY").map(|i| ev.sizes[i]).unwrap_or(1);
                    // the data copy layer before this node
                    let ci = entry(&mut items, &copy_ref, || ItemReport {
                        name: copy_name.clone(),
                        reference_name: copy_ref.clone(),
                        kind: ItemKind::DataCopy,
                        layer_id: (!node.is_input).then_some(node.id),
                        stack: si,
                        ..empty_item()
                    });
                    retries += ev.retries;
                    for (m, e) in &ev.copy.energy_by_memory_pj {
                        add(&mut copy_by_mem, m, *mult as f64 * e);
                    }
                    let it = &mut items[ci];
                    it.energy_pj += *mult as f64 * ev.copy.energy_pj;
                    it.latency_cycles = it
                        .latency_cycles
                        .saturating_add(mult.saturating_mul(ev.copy.latency_cycles));
                    it.tile_types.push(TileTypeReport {
                        multiplicity: *mult,
                        tile_x: key.width,
                        tile_y: key.height,
                        layer_ox: ox,
                        layer_oy: oy,
                        energy_pj: ev.copy.energy_pj,
                        latency_cycles: ev.copy.latency_cycles,
                        macs: 0,
                        top_levels: Vec::new(),
                        copies: ev.copy.actions.clone(),
                        retries: 0,
                    });
                    let Some(c) = &ev.layer else {
                        continue;
                    };
                    let li = entry(&mut items, &layer_ref, || ItemReport {
                        name: layer_name.clone(),
                        reference_name: layer_ref.clone(),
                        kind: ItemKind::Compute,
                        layer_id: Some(node.id),
                        stack: si,
                        ..empty_item()
                    });
                    let m = *mult;
                    let mf = m as f64;
                    let it = &mut items[li];
                    it.energy_pj += mf * c.energy_total_pj;
                    it.mac_energy_pj += mf * c.mac_energy_pj;
                    it.mem_energy_pj += mf * c.mem_energy_pj;
                    let acc = |a: &mut u64, v: u64| *a = a.saturating_add(m.saturating_mul(v));
                    acc(&mut it.latency_cycles, c.latency_total1_cycles);
                    acc(&mut it.latency_total0_cycles, c.latency_total0_cycles);
                    acc(&mut it.latency_total2_cycles, c.latency_total2_cycles);
                    acc(&mut it.ideal_cycles, c.ideal_cycles);
                    acc(&mut it.ideal_temporal_cycles, c.ideal_temporal_cycles);
                    acc(&mut it.stall_cycles, c.stall_cycles);
                    acc(&mut it.onloading_cycles, c.onloading_cycles);
                    acc(&mut it.macs, c.macs);
                    it.tile_types.push(TileTypeReport {
                        multiplicity: m,
                        tile_x: key.width,
                        tile_y: key.height,
                        layer_ox: ox,
                        layer_oy: oy,
                        energy_pj: c.energy_total_pj,
                        latency_cycles: c.latency_total1_cycles,
                        macs: c.macs,
                        top_levels: c
                            .operands
                            .iter()
                            .map(|o| OperandTop {
                                operand: o.operand.clone(),
                                memory: o
                                    .levels
                                    .last()
                                    .map(|l| l.memory.clone())
                                    .unwrap_or_default(),
                            })
                            .collect(),
                        copies: Vec::new(),
                        retries: ev.retries,
                    });
                    for o in &c.operands {
                        for l in &o.levels {
                            add(&mut by_mem, &l.memory, mf * l.energy_pj);
                            add(
                                &mut by_mem_op,
                                &format!("{}|{}", l.memory, o.operand),
                                mf * l.energy_pj,
                            );
                        }
                    }
                }
            }
        }
        let mut r = NetworkReport {
            schedule: self.sched.clone(),
            energy_pj: 0.0,
            latency_cycles: 0,
            mac_energy_pj: 0.0,
            mem_energy_pj: 0.0,
            data_copy_energy_pj: 0.0,
            data_copy_latency_cycles: 0,
            latency_total0_cycles: 0,
            latency_total2_cycles: 0,
            ideal_cycles: 0,
            macs: 0,
            energy_by_memory_pj: by_mem,
            energy_by_memory_and_operand_pj: by_mem_op,
            data_copy_energy_by_memory_pj: copy_by_mem,
            top_level_retries: retries,
            stack_cuts: self.cuts.clone(),
            stacks: self.plans.iter().map(|p| p.report.layers.clone()).collect(),
            stack_details,
            layers: Vec::new(),
        };
        for it in &items {
            r.energy_pj += it.energy_pj;
            r.latency_cycles = r.latency_cycles.saturating_add(it.latency_cycles);
            match it.kind {
                ItemKind::Compute => {
                    r.mac_energy_pj += it.mac_energy_pj;
                    r.mem_energy_pj += it.mem_energy_pj;
                    r.latency_total0_cycles = r
                        .latency_total0_cycles
                        .saturating_add(it.latency_total0_cycles);
                    r.latency_total2_cycles = r
                        .latency_total2_cycles
                        .saturating_add(it.latency_total2_cycles);
                    r.ideal_cycles = r.ideal_cycles.saturating_add(it.ideal_cycles);
                    r.macs = r.macs.saturating_add(it.macs);
                }
                ItemKind::DataCopy => {
                    r.data_copy_energy_pj += it.energy_pj;
                    r.data_copy_latency_cycles =
                        r.data_copy_latency_cycles.saturating_add(it.latency_cycles);
                }
            }
        }
        r.layers = items;
        r
    }
}

pub(super) fn empty_item() -> ItemReport {
    ItemReport {
        name: String::new(),
        reference_name: String::new(),
        kind: ItemKind::Compute,
        layer_id: None,
        stack: 0,
        energy_pj: 0.0,
        latency_cycles: 0,
        mac_energy_pj: 0.0,
        mem_energy_pj: 0.0,
        latency_total0_cycles: 0,
        latency_total2_cycles: 0,
        ideal_cycles: 0,
        ideal_temporal_cycles: 0,
        stall_cycles: 0,
        onloading_cycles: 0,
        macs: 0,
        tile_types: Vec::new(),
    }
}

pub(super) fn entry(
    items: &mut Vec<ItemReport>,
    key: &str,
    make: impl FnOnce() -> ItemReport,
) -> usize {
    find_or_push(items, |i| i.reference_name == key, make)
}
