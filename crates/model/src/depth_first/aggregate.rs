//! Aggregation of the evaluated tile types into a [`NetworkReport`]
//! (docs/model.md §3.10): per item, per stack, per memory and in total.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::graph::Node;
use super::report::{
    ItemKind, ItemReport, LensEnergies, MemoryAccesses, NetworkReport, OperandTop, StackReport,
    TileTypeReport,
};
use super::run::NetworkRun;
use super::tile_run::NodeEval;
use super::tile_types::TileKey;
use crate::input::ordered::OrderedMap;
use crate::single_layer::LayerCost;
use crate::vec_map::find_or_push;

/// The running sums of §3.10 over the evaluated nodes.
#[derive(Default)]
struct Totals {
    items: Vec<ItemReport>,
    by_mem: OrderedMap<f64>,
    by_mem_op: OrderedMap<f64>,
    copy_by_mem: OrderedMap<f64>,
    lens: LensEnergies,
    /// One entry per memory level of the hardware, in its order.
    accesses: Vec<MemoryAccesses>,
    /// The outermost memory level's name (the lenses' DRAM).
    dram: String,
    retries: u64,
    stack_details: Vec<StackReport>,
}

/// One evaluated node of one tile type: where it sits and how often the
/// tile type occurs.
pub(super) struct NodeAt<'a> {
    pub stack: usize,
    pub tile_type: usize,
    pub node: &'a Node,
    pub key: &'a TileKey,
    pub mult: u64,
    pub ev: &'a NodeEval,
}

/// The report's names of a node's items: (layer, data copy before it),
/// shown and reference names.
pub(super) fn item_names(node: &Node) -> [String; 4] {
    let n = ItemNames::of(node);
    [n.layer_name, n.copy_name, n.layer_ref, n.copy_ref]
}

/// The report names of a node's two items: the data copy layer before it
/// and the layer itself (empty for an input node).
struct ItemNames {
    copy_name: String,
    copy_ref: String,
    layer_name: String,
    layer_ref: String,
}

impl ItemNames {
    fn of(node: &Node) -> ItemNames {
        if node.is_input {
            ItemNames {
                copy_name: "copy before input".to_string(),
                copy_ref: format!("DataCopyLayer_datamovement_b4_InputLayerNode_{}", node.id),
                layer_name: String::new(),
                layer_ref: String::new(),
            }
        } else {
            ItemNames {
                copy_name: format!("copy before L{}", node.id),
                copy_ref: format!("DataCopyLayer_datamovement_b4_LayerNode_{}", node.id),
                layer_name: format!("L{}", node.id),
                layer_ref: format!("LayerNode_{}", node.id),
            }
        }
    }
}

/// Adds `v` to the entry `k` of `m`. A new entry starts at -0.0, the exact
/// identity of `+`, so it holds `v` bit for bit (as the previous push of
/// `v` did, -0.0 included).
fn add(m: &mut OrderedMap<f64>, k: &str, v: f64) {
    let i = find_or_push(&mut m.0, |x| x.0 == k, || (k.to_string(), -0.0));
    m.0[i].1 += v;
}

impl NetworkRun {
    /// Every evaluated node of every tile type, in the order the report
    /// sums them (stack, tile type, node).
    pub(super) fn for_each_node(&self, mut f: impl FnMut(&NodeAt)) {
        for (si, plan) in self.plans.iter().enumerate() {
            for (ti, evals) in self.results[si].iter().enumerate() {
                let (key, mult) = &plan.types[ti];
                for ev in evals {
                    f(&NodeAt {
                        stack: si,
                        tile_type: ti,
                        node: &plan.g.nodes[ev.node],
                        key,
                        mult: *mult,
                        ev,
                    });
                }
            }
        }
    }

    /// The spatial unrolling the mapping asks for a node's layer: (array
    /// dimension, loop dimension, factor).
    pub(super) fn spatial_of(&self, node: &Node) -> Vec<(String, String, f64)> {
        self.sc
            .mapping
            .layer(node.id)
            .map(|m| {
                m.entries
                    .iter()
                    .map(|e| (e.array_dim.clone(), e.loop_dim.clone(), e.factor))
                    .collect()
            })
            .unwrap_or_default()
    }

    pub(super) fn report(&self) -> NetworkReport {
        let mut t = Totals {
            stack_details: self.plans.iter().map(|p| p.report.clone()).collect(),
            dram: (self.sc.hardware.levels.last())
                .map(|l| l.name.clone())
                .unwrap_or_default(),
            accesses: (self.sc.hardware.levels.iter())
                .map(|l| MemoryAccesses {
                    memory: l.name.clone(),
                    ..MemoryAccesses::default()
                })
                .collect(),
            ..Totals::default()
        };
        self.for_each_node(|at| t.add_node(at));
        self.network_report(t)
    }

    /// The network totals: the sums over the items.
    fn network_report(&self, t: Totals) -> NetworkReport {
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
            energy_by_memory_pj: t.by_mem,
            energy_by_memory_and_operand_pj: t.by_mem_op,
            data_copy_energy_by_memory_pj: t.copy_by_mem,
            lens_energies_pj: t.lens,
            element_accesses: t.accesses,
            top_level_retries: t.retries,
            stack_cuts: self.cuts.clone(),
            stacks: self.plans.iter().map(|p| p.report.layers.clone()).collect(),
            stack_details: t.stack_details,
            layers: Vec::new(),
        };
        for it in &t.items {
            add_item(&mut r, it);
        }
        r.layers = t.items;
        r
    }
}

/// Adds one item to the network totals.
fn add_item(r: &mut NetworkReport, it: &ItemReport) {
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

impl Totals {
    /// Adds a node's data copy layer and layer, `mult` times, to its stack,
    /// its items and the per-memory sums.
    fn add_node(&mut self, at: &NodeAt) {
        self.add_to_stack(at);
        let names = ItemNames::of(at.node);
        let ox = at.dim_size("OX");
        let oy = at.dim_size("OY");
        self.add_copy(at, &names, ox, oy);
        if let Some(c) = &at.ev.layer {
            self.add_layer(at, c, &names, ox, oy);
        }
    }

    fn add_to_stack(&mut self, at: &NodeAt) {
        let Some(sd) = self.stack_details.get_mut(at.stack) else {
            return;
        };
        let (m, ev) = (at.mult, at.ev);
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

    /// The data copy layer before the node.
    fn add_copy(&mut self, at: &NodeAt, names: &ItemNames, ox: u64, oy: u64) {
        let (node, ev, mult) = (at.node, at.ev, at.mult);
        let ci = entry(&mut self.items, &names.copy_ref, || ItemReport {
            name: names.copy_name.clone(),
            reference_name: names.copy_ref.clone(),
            kind: ItemKind::DataCopy,
            layer_id: (!node.is_input).then_some(node.id),
            stack: at.stack,
            ..empty_item()
        });
        self.retries += ev.retries;
        for (m, e) in &ev.copy.energy_by_memory_pj {
            let e = mult as f64 * e;
            add(&mut self.copy_by_mem, m, e);
            // copies move activations (§4.1)
            self.lens.activations_pj += e;
            if *m == self.dram {
                self.lens.dram_pj += e;
                self.lens.dram_activations_pj += e;
            }
        }
        for a in &ev.copy.actions {
            for m in &a.path {
                if let Some(acc) = self.accesses_of(m) {
                    acc.copies += mult as f64 * a.bits.div_ceil(8) as f64;
                }
            }
        }
        let it = &mut self.items[ci];
        it.energy_pj += mult as f64 * ev.copy.energy_pj;
        it.latency_cycles = it
            .latency_cycles
            .saturating_add(mult.saturating_mul(ev.copy.latency_cycles));
        it.tile_types.push(TileTypeReport {
            multiplicity: mult,
            tile_x: at.key.width,
            tile_y: at.key.height,
            layer_ox: ox,
            layer_oy: oy,
            energy_pj: ev.copy.energy_pj,
            latency_cycles: ev.copy.latency_cycles,
            macs: 0,
            top_levels: Vec::new(),
            copies: ev.copy.actions.clone(),
            retries: 0,
        });
    }

    fn accesses_of(&mut self, memory: &str) -> Option<&mut MemoryAccesses> {
        self.accesses.iter_mut().find(|a| a.memory == memory)
    }

    /// The layer of the node, with cost `c`.
    fn add_layer(&mut self, at: &NodeAt, c: &LayerCost, names: &ItemNames, ox: u64, oy: u64) {
        let li = entry(&mut self.items, &names.layer_ref, || ItemReport {
            name: names.layer_name.clone(),
            reference_name: names.layer_ref.clone(),
            kind: ItemKind::Compute,
            layer_id: Some(at.node.id),
            stack: at.stack,
            ..empty_item()
        });
        let m = at.mult;
        let mf = m as f64;
        let it = &mut self.items[li];
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
            tile_x: at.key.width,
            tile_y: at.key.height,
            layer_ox: ox,
            layer_oy: oy,
            energy_pj: c.energy_total_pj,
            latency_cycles: c.latency_total1_cycles,
            macs: c.macs,
            top_levels: top_levels(c),
            copies: Vec::new(),
            retries: at.ev.retries,
        });
        self.lens.activations_pj += mf * c.mac_energy_pj;
        for o in &c.operands {
            let weight =
                (at.node.spec.operands.iter()).any(|s| s.name == o.operand && s.is_constant);
            for l in &o.levels {
                let e = mf * l.energy_pj;
                let dram = l.memory == self.dram;
                if dram {
                    self.lens.dram_pj += e;
                }
                if !weight {
                    self.lens.activations_pj += e;
                    if dram {
                        self.lens.dram_activations_pj += e;
                    }
                }
                if let Some(acc) = self.accesses_of(&l.memory) {
                    let n = mf * l.elements.iter().sum::<f64>();
                    if weight {
                        acc.weights += n;
                    } else {
                        acc.activations += n;
                    }
                }
                add(&mut self.by_mem, &l.memory, mf * l.energy_pj);
                add(
                    &mut self.by_mem_op,
                    &format!("{}|{}", l.memory, o.operand),
                    mf * l.energy_pj,
                );
            }
        }
    }
}

impl NodeAt<'_> {
    /// The node's size along `dim` in this tile type (1 without it).
    pub(super) fn dim_size(&self, dim: &str) -> u64 {
        self.node
            .spec
            .dim_index(dim)
            .map(|i| self.ev.sizes[i])
            .unwrap_or(1)
    }
}

/// The top memory of each operand of a layer cost.
fn top_levels(c: &LayerCost) -> Vec<OperandTop> {
    c.operands
        .iter()
        .map(|o| OperandTop {
            operand: o.operand.clone(),
            memory: o
                .levels
                .last()
                .map(|l| l.memory.clone())
                .unwrap_or_default(),
        })
        .collect()
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
