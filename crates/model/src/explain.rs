//! "Explain this number" (docs/model.md §4.2): the terms a reported number
//! is summed from, down to what the model computed per tile type (word
//! accesses × energy per access, ideal cycles + stalls + on-loading, copy
//! actions), in the order and grouping of the report's own sums, so that
//! adding them as [`Explanation::sum`] says gives the number bit for bit.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use serde::{Deserialize, Serialize};

use crate::depth_first::{ItemKind, ItemReport, NetworkDetail, NetworkReport};
use crate::input::hardware::Hardware;

/// A quantity: energy in pJ or a whole number of cycles.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum Amount {
    Pj(f64),
    Cycles(u64),
}

impl Amount {
    fn add(self, other: Amount) -> Amount {
        match (self, other) {
            (Amount::Pj(a), Amount::Pj(b)) => Amount::Pj(a + b),
            (Amount::Cycles(a), Amount::Cycles(b)) => Amount::Cycles(a.saturating_add(b)),
            (a, _) => a,
        }
    }
}

/// How the terms add up to the number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SumRule {
    /// Each group is the sum of its terms (from zero, in order); the number
    /// is the sum of the group values (from zero, in order).
    Nested,
    /// The number is the sum of every term of every group, in order,
    /// starting from -0.0 (the report's per-memory sums); the group values
    /// are subtotals for reading only.
    Flat,
}

/// One term: a tile type's contribution (its per-tile value × its count).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Term {
    pub label: String,
    /// How the per-tile value is made, in words and numbers.
    pub formula: String,
    pub stack: usize,
    pub tile_type: usize,
    pub multiplicity: u64,
    pub per_tile: Amount,
    /// `per_tile × multiplicity`.
    pub value: Amount,
}

/// Terms of one item (a layer or a data copy layer) or one tile type.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TermGroup {
    pub label: String,
    /// The item's layer id, for linking to its row.
    pub layer_id: Option<i64>,
    pub value: Amount,
    pub terms: Vec<Term>,
}

/// The explanation of one reported number.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Explanation {
    /// The item path it answers (see [`explain`]).
    pub item: String,
    pub title: String,
    pub value: Amount,
    pub sum: SumRule,
    pub groups: Vec<TermGroup>,
    /// What the terms leave out or how to read them.
    pub note: String,
}

impl Explanation {
    /// The terms added up by [`Explanation::sum`]: equal to `value`.
    pub fn total(&self) -> Amount {
        let zero = match self.value {
            Amount::Pj(_) => Amount::Pj(0.0),
            Amount::Cycles(_) => Amount::Cycles(0),
        };
        match self.sum {
            SumRule::Nested => self.groups.iter().fold(zero, |a, g| a.add(g.value)),
            SumRule::Flat => {
                let start = match zero {
                    Amount::Pj(_) => Amount::Pj(-0.0),
                    z => z,
                };
                self.groups
                    .iter()
                    .flat_map(|g| g.terms.iter())
                    .fold(start, |a, t| a.add(t.value))
            }
        }
    }
}

/// The item paths [`explain`] answers for a report, each with a title.
pub fn explainable(r: &NetworkReport) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = [
        ("energy", "total energy"),
        ("latency", "total latency"),
        ("mac_energy", "MAC energy"),
        ("data_copy_energy", "data copy energy"),
    ]
    .iter()
    .map(|(p, t)| (p.to_string(), t.to_string()))
    .collect();
    for (m, _) in &r.energy_by_memory_pj.0 {
        out.push((format!("memory/{m}"), format!("memory energy of {m}")));
    }
    for (k, _) in &r.energy_by_memory_and_operand_pj.0 {
        if let Some((m, o)) = k.split_once('|') {
            out.push((format!("memory/{m}/{o}"), format!("energy of {m} for {o}")));
        }
    }
    for (m, _) in &r.data_copy_energy_by_memory_pj.0 {
        out.push((
            format!("copy_memory/{m}"),
            format!("data copy energy of {m}"),
        ));
    }
    for it in &r.layers {
        for q in ["energy", "latency"] {
            out.push((
                format!("item/{}/{q}", it.name),
                format!("{q} of {}", it.name),
            ));
        }
    }
    out
}

fn per_item(it: &ItemReport, latency: bool, detail: &NetworkDetail, hw: &Hardware) -> TermGroup {
    let mut value = if latency {
        Amount::Cycles(0)
    } else {
        Amount::Pj(0.0)
    };
    let mut terms = Vec::new();
    // an item's tile types are the detail entries of its name, in order
    let entries = detail.entries.iter().filter(|e| match it.kind {
        ItemKind::Compute => e.item_ref == it.reference_name && e.layer.is_some(),
        ItemKind::DataCopy => e.copy_ref == it.reference_name,
    });
    for (tt, e) in it.tile_types.iter().zip(entries) {
        let m = tt.multiplicity;
        let (per_tile, v, formula) = if latency {
            let formula = match (&it.kind, &e.layer) {
                (ItemKind::Compute, Some(c)) => format!(
                    "ideal temporal {} + stall {} + on-loading {} = {} cycles",
                    c.ideal_temporal_cycles,
                    c.stall_cycles,
                    c.onloading_cycles,
                    c.latency_total1_cycles
                ),
                _ => copy_formula(e, true),
            };
            let v = Amount::Cycles(m.saturating_mul(tt.latency_cycles));
            (Amount::Cycles(tt.latency_cycles), v, formula)
        } else {
            let formula = match (&it.kind, &e.layer) {
                (ItemKind::Compute, Some(c)) => format!(
                    "MACs {} × {} pJ = {} pJ, + memories {} pJ (every operand and level)",
                    c.macs, hw.mac_energy_pj, c.mac_energy_pj, c.mem_energy_pj
                ),
                _ => copy_formula(e, false),
            };
            let v = Amount::Pj(m as f64 * tt.energy_pj);
            (Amount::Pj(tt.energy_pj), v, formula)
        };
        value = value.add(v);
        terms.push(Term {
            label: format!(
                "{} · stack {} tile type {} (layer tile {}×{})",
                it.name, e.stack, e.tile_type, e.layer_ox, e.layer_oy
            ),
            formula,
            stack: e.stack,
            tile_type: e.tile_type,
            multiplicity: m,
            per_tile,
            value: v,
        });
    }
    TermGroup {
        label: it.name.clone(),
        layer_id: it.layer_id,
        value,
        terms,
    }
}

fn copy_formula(e: &crate::DetailEntry, latency: bool) -> String {
    if e.copy.actions.is_empty() {
        return "no data moved".to_string();
    }
    let parts: Vec<String> = e
        .copy
        .actions
        .iter()
        .map(|a| {
            let what = if latency {
                format!("{} cycles", a.latency_cycles)
            } else {
                format!("{} pJ", a.energy_pj)
            };
            format!(
                "{:?}: {} bits {} ({what})",
                a.kind,
                a.bits,
                a.path.join(" → ")
            )
        })
        .collect();
    parts.join("; ")
}

/// Terms of a per-memory energy of compute layers (`operand`: one only).
fn memory_terms(
    detail: &NetworkDetail,
    hw: &Hardware,
    memory: &str,
    operand: Option<&str>,
) -> Vec<TermGroup> {
    let level = hw.levels.iter().find(|l| l.name == memory);
    let (r, w) = level.map_or((0.0, 0.0), |l| (l.r_cost_pj, l.w_cost_pj));
    let mut groups: Vec<TermGroup> = Vec::new();
    for e in &detail.entries {
        let Some(c) = &e.layer else { continue };
        let mf = e.multiplicity as f64;
        let mut terms = Vec::new();
        for o in c
            .operands
            .iter()
            .filter(|o| operand.is_none_or(|x| x == o.operand))
        {
            for l in o.levels.iter().filter(|l| l.memory == memory) {
                terms.push(Term {
                    label: format!(
                        "{} · stack {} tile type {} (layer tile {}×{}) · {}",
                        e.item, e.stack, e.tile_type, e.layer_ox, e.layer_oy, o.operand
                    ),
                    formula: format!(
                        "reads ({} to below + {} to above words) × {r} pJ + writes ({} from below + {} from above words) × {w} pJ = {} pJ",
                        l.rd_out_to_low_words,
                        l.rd_out_to_high_words,
                        l.wr_in_by_low_words,
                        l.wr_in_by_high_words,
                        l.energy_pj
                    ),
                    stack: e.stack,
                    tile_type: e.tile_type,
                    multiplicity: e.multiplicity,
                    per_tile: Amount::Pj(l.energy_pj),
                    value: Amount::Pj(mf * l.energy_pj),
                });
            }
        }
        if !terms.is_empty() {
            push_group(&mut groups, &e.item, e.layer_id, terms);
        }
    }
    groups
}

/// Terms of the per-memory energy of data copies.
fn copy_memory_terms(detail: &NetworkDetail, memory: &str) -> Vec<TermGroup> {
    let mut groups: Vec<TermGroup> = Vec::new();
    for e in &detail.entries {
        let terms: Vec<Term> = (e.copy.energy_by_memory_pj.iter())
            .filter(|(m, _)| m == memory)
            .map(|(_, v)| Term {
                label: format!(
                    "{} · stack {} tile type {} (layer tile {}×{})",
                    e.copy_item, e.stack, e.tile_type, e.layer_ox, e.layer_oy
                ),
                formula: copy_formula(e, false),
                stack: e.stack,
                tile_type: e.tile_type,
                multiplicity: e.multiplicity,
                per_tile: Amount::Pj(*v),
                value: Amount::Pj(e.multiplicity as f64 * v),
            })
            .collect();
        if !terms.is_empty() {
            push_group(&mut groups, &e.copy_item, e.layer_id, terms);
        }
    }
    groups
}

/// Appends terms to the last group when it is the same item, else starts
/// a group; group values are subtotals (flat sums).
fn push_group(groups: &mut Vec<TermGroup>, label: &str, layer_id: Option<i64>, terms: Vec<Term>) {
    if groups.last().is_none_or(|g| g.label != label) {
        groups.push(TermGroup {
            label: label.to_string(),
            layer_id,
            value: Amount::Pj(-0.0),
            terms: Vec::new(),
        });
    }
    if let Some(g) = groups.last_mut() {
        for t in terms {
            g.value = g.value.add(t.value);
            g.terms.push(t);
        }
    }
}

/// The explanation of the number at `item` (one of [`explainable`]'s
/// paths) of report `r` with its detail, or `None` for an unknown path.
pub fn explain(
    r: &NetworkReport,
    detail: &NetworkDetail,
    hw: &Hardware,
    item: &str,
) -> Option<Explanation> {
    let title = explainable(r).into_iter().find(|(p, _)| p == item)?.1;
    let items = |kind: Option<ItemKind>, latency: bool| -> Vec<TermGroup> {
        (r.layers.iter())
            .filter(|it| kind.is_none_or(|k| it.kind == k))
            .map(|it| per_item(it, latency, detail, hw))
            .collect()
    };
    let (value, sum, groups, note) = match item.split('/').collect::<Vec<_>>()[..] {
        ["energy"] => (
            Amount::Pj(r.energy_pj),
            SumRule::Nested,
            items(None, false),
            "every item (layers and the data copies before them), each over its tile types",
        ),
        ["latency"] => (
            Amount::Cycles(r.latency_cycles),
            SumRule::Nested,
            items(None, true),
            "layers and copies run one after another (§4); a layer's stall is the combined SS_comb of §2.9.3, not split per port",
        ),
        ["mac_energy"] => {
            let mut g = items(Some(ItemKind::Compute), false);
            for grp in &mut g {
                let mut v = Amount::Pj(0.0);
                for t in &mut grp.terms {
                    let e = detail.entries.iter().find(|e| {
                        e.layer_id == grp.layer_id
                            && e.layer.is_some()
                            && e.stack == t.stack
                            && e.tile_type == t.tile_type
                    });
                    let per = e.and_then(|e| e.layer.as_ref()).map_or(0.0, |c| c.mac_energy_pj);
                    t.per_tile = Amount::Pj(per);
                    t.value = Amount::Pj(t.multiplicity as f64 * per);
                    t.formula = format!("MACs × {} pJ per MAC = {per} pJ", hw.mac_energy_pj);
                    v = v.add(t.value);
                }
                grp.value = v;
            }
            (Amount::Pj(r.mac_energy_pj), SumRule::Nested, g, "compute layers only")
        }
        ["data_copy_energy"] => (
            Amount::Pj(r.data_copy_energy_pj),
            SumRule::Nested,
            items(Some(ItemKind::DataCopy), false),
            "the copies between layers and tiles (§3.9): what moved, between which levels, and why (its kind)",
        ),
        ["memory", m] => (
            Amount::Pj(r.energy_by_memory_pj.get(m).copied().unwrap_or(0.0)),
            SumRule::Flat,
            memory_terms(detail, hw, m, None),
            "compute layers' accesses of every operand at this memory; data copies are counted apart",
        ),
        ["memory", m, o] => (
            Amount::Pj(
                r.energy_by_memory_and_operand_pj
                    .get(&format!("{m}|{o}"))
                    .copied()
                    .unwrap_or(0.0),
            ),
            SumRule::Flat,
            memory_terms(detail, hw, m, Some(o)),
            "compute layers' accesses of this operand at this memory",
        ),
        ["copy_memory", m] => (
            Amount::Pj(r.data_copy_energy_by_memory_pj.get(m).copied().unwrap_or(0.0)),
            SumRule::Flat,
            copy_memory_terms(detail, m),
            "data copies' reads (senders) and writes (receivers) at this memory",
        ),
        ["item", name, q] => {
            let it = r.layers.iter().find(|it| it.name == name)?;
            let latency = q == "latency";
            let g = per_item(it, latency, detail, hw);
            let value = if latency {
                Amount::Cycles(it.latency_cycles)
            } else {
                Amount::Pj(it.energy_pj)
            };
            (value, SumRule::Nested, alloc::vec![g], "the item over its tile types")
        }
        _ => return None,
    };
    Some(Explanation {
        item: item.to_string(),
        title,
        value,
        sum,
        groups,
        note: note.to_string(),
    })
}

/// The chosen temporal mapping of one layer in one tile type, as a loop
/// nest (docs/model.md §4.2).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LoopNest {
    pub item: String,
    pub layer_id: Option<i64>,
    pub stack: usize,
    pub tile_type: usize,
    pub tile_x: u64,
    pub tile_y: u64,
    /// The layer's output size in this tile type.
    pub layer_ox: u64,
    pub layer_oy: u64,
    pub multiplicity: u64,
    /// The layer operands, output first.
    pub operands: Vec<String>,
    /// Temporal loops innermost first: (loop dimension, size, the memory
    /// level holding each operand at that loop, in `operands` order).
    pub loops: Vec<(String, u64, Vec<String>)>,
    /// Spatial unrolling as mapped: (array dimension, loop dimension, factor).
    pub spatial: Vec<(String, String, f64)>,
    /// What LOMA did for it (orderings considered, invalid, pruned, evaluated).
    pub search: crate::single_layer::SearchStats,
}

/// Every layer's loop nest per tile type: layer by layer (in the order the
/// layers first appear), each in the detail's order of tile types.
pub fn loop_nests(detail: &NetworkDetail) -> Vec<LoopNest> {
    let mut out = Vec::new();
    for e in &detail.entries {
        let Some(c) = &e.layer else { continue };
        let Some(first) = c.operands.first() else {
            continue;
        };
        let order: Vec<(String, u64)> = first.temporal_loops.iter().flatten().cloned().collect();
        let loops = order
            .iter()
            .enumerate()
            .map(|(k, (dim, size))| {
                let at: Vec<String> = c
                    .operands
                    .iter()
                    .map(|o| {
                        // the level whose loops cover position k
                        let mut seen = 0;
                        for (j, ls) in o.temporal_loops.iter().enumerate() {
                            seen += ls.len();
                            if k < seen {
                                return o
                                    .levels
                                    .get(j)
                                    .map(|l| l.memory.clone())
                                    .unwrap_or_default();
                            }
                        }
                        o.levels
                            .last()
                            .map(|l| l.memory.clone())
                            .unwrap_or_default()
                    })
                    .collect();
                (dim.clone(), *size, at)
            })
            .collect();
        out.push(LoopNest {
            item: e.item.clone(),
            layer_id: e.layer_id,
            stack: e.stack,
            tile_type: e.tile_type,
            tile_x: e.tile_x,
            tile_y: e.tile_y,
            layer_ox: e.layer_ox,
            layer_oy: e.layer_oy,
            multiplicity: e.multiplicity,
            operands: c.operands.iter().map(|o| o.operand.clone()).collect(),
            loops,
            spatial: e.spatial.clone(),
            search: c.search,
        });
    }
    let mut first: Vec<&str> = Vec::new();
    for n in &out {
        if !first.contains(&n.item.as_str()) {
            first.push(&n.item);
        }
    }
    let rank: Vec<usize> = (out.iter())
        .map(|n| first.iter().position(|f| *f == n.item).unwrap_or(0))
        .collect();
    let mut order: Vec<usize> = (0..out.len()).collect();
    crate::small_sort::sort_by_key(&mut order, |&i| rank[i]);
    let mut slots: Vec<Option<LoopNest>> = out.into_iter().map(Some).collect();
    order.into_iter().filter_map(|i| slots[i].take()).collect()
}
