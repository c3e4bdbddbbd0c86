//! The depth-first model (MODEL.md §3): stacks, tiles, tile types, the
//! top-memory-level choice with its retry, data copies and aggregation into
//! a [`NetworkReport`].
//!
//! ```text
//! evaluate_network(&ValidScenario, &Schedule) -> Result<NetworkReport, NetworkError>
//! NetworkRun::new(..)?; while !run.is_done() { run.step(8)?; } run.finish()
//! ```
//!
//! The stepper's unit of work is one node of one tile type: at most one
//! LOMA search (none when the cache has it). A finer step, inside one
//! layer's LOMA search ([`crate::cost::LomaSearch`] already runs in
//! chunks), would fit the same `step(budget)` signature.
//!
//! Quirks reproduced (MODEL.md §5), named where they happen: Q2 (weights
//! cost DRAM traffic only in a stack's first tile), Q3 (stack boundaries go
//! through DRAM), Q4 (stack input nodes never write caches), Q5, Q6 (H
//! cache level consolidation overwrites), Q7 (V cache level is the last
//! different value), Q8 (cache reads use the consumer's `O_final`), Q9
//! (equivalent `useV` test), Q13 (copy `latency_total2` is not reported),
//! Q17 (cache-level sizes assume both caches), Q24 (capacity checks ignore
//! co-residents, the retry raises tops), Q25 (stack input copy skipped when
//! the data sits lower), Q26, Q27 (partial tile first, first tile its own
//! type), Q28 (one tile size for all stacks), Q36 (cut at id 0 is no cut).
//! The reference loops forever when a layer fits no hierarchy even with
//! every top raised; here that is [`NetworkError::RetryExhausted`].

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;
use core::fmt;
use serde::{Deserialize, Serialize};

use crate::cost::{evaluate_layer, EvalError, LayerCost, LomaConfig};
use crate::data_copy::{copy_layer, CopyAction, CopyKind, CopyLayerCost, CopyRequest};
use crate::df_graph::{
    auto_cuts, backprop, elems, get, input_bits, largest_alive, network, output_bits, stacks,
    tensor_dims, BpFlags, Graph,
};
use crate::diag::Diagnostic;
use crate::hardware::Hardware;
use crate::layer::{DimClass, LayerSpec};
use crate::mapping::SpatialMapping;
use crate::ordered::OrderedMap;
use crate::validate::ValidScenario;

/// Tile size in output pixels of each stack's last layer (§1.5, Q28).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tile {
    pub x: u64,
    pub y: u64,
}

/// Overlap storing mode (§1.5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Overlap {
    /// Mode 1: recompute the overlap in both directions.
    FullyRecompute,
    /// Mode 2: cache horizontally, recompute vertically.
    HCachedVRecompute,
    /// Mode 3: cache in both directions.
    FullyCached,
}

impl Overlap {
    /// The reference's mode number (1, 2, 3).
    pub fn mode(self) -> u8 {
        match self {
            Overlap::FullyRecompute => 1,
            Overlap::HCachedVRecompute => 2,
            Overlap::FullyCached => 3,
        }
    }
    pub fn from_mode(m: u8) -> Option<Overlap> {
        match m {
            1 => Some(Overlap::FullyRecompute),
            2 => Some(Overlap::HCachedVRecompute),
            3 => Some(Overlap::FullyCached),
            _ => None,
        }
    }
    fn h(self) -> bool {
        self != Overlap::FullyRecompute
    }
    fn v(self) -> bool {
        self == Overlap::FullyCached
    }
}

/// A depth-first schedule.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Schedule {
    pub tile: Tile,
    pub overlap: Overlap,
    /// `loma_lpf_limit` (6 in the reference's `main.py`).
    pub lpf_limit: u32,
    /// Cut after each listed layer id; `None` = the weight-overflow rule
    /// of §3.1.
    pub stack_cuts: Option<Vec<i64>>,
}

impl Default for Schedule {
    fn default() -> Self {
        Schedule {
            tile: Tile {
                x: 1_000_000,
                y: 1_000_000,
            },
            overlap: Overlap::FullyCached,
            lpf_limit: 6,
            stack_cuts: None,
        }
    }
}

/// Reference quirks that are bugs, fixed on request. This is the one place
/// that lists them; the default (all `false`) reproduces the reference
/// (MODEL.md §5), and no quirk is ever changed silently.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Fixes {
    /// Q36: the reference treats a stack cut after the layer with id 0 as
    /// no cut (a truthiness test), so with the automatic cuts of
    /// `TPU_like` (every network) and `Edge_TPU_like` (`dmcnnvd`, `mccnn`)
    /// whole parts of the network are evaluated twice. `true` makes such a
    /// cut a real cut.
    pub cut_after_layer_zero: bool,
}

impl Fixes {
    /// Every known quirk-bug fixed.
    pub fn all() -> Fixes {
        Fixes {
            cut_after_layer_zero: true,
        }
    }
}

/// Why a network could not be evaluated.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub enum NetworkError {
    /// The schedule is invalid (paths `schedule.*`).
    Schedule(Vec<Diagnostic>),
    /// The layer graph cannot be split or tiled as asked.
    Graph(String),
    /// One layer-tile could not be evaluated.
    Layer { layer_id: i64, error: EvalError },
    /// No valid temporal mapping even with every top level raised (the
    /// reference loops forever here, §3.8 j).
    RetryExhausted { layer_id: i64 },
    /// No memory can hold the H or V cache (the reference fails, §3.6).
    NoCacheLevel { layer_id: i64 },
    /// A data copy has no path through the hierarchy.
    Copy(String),
}

impl fmt::Display for NetworkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NetworkError::Schedule(d) => {
                for (i, x) in d.iter().enumerate() {
                    if i > 0 {
                        writeln!(f)?;
                    }
                    write!(f, "{x}")?;
                }
                Ok(())
            }
            NetworkError::Graph(s) => write!(f, "{s}"),
            NetworkError::Layer { layer_id, error } => write!(f, "layer {layer_id}: {error}"),
            NetworkError::RetryExhausted { layer_id } => write!(
                f,
                "layer {layer_id}: memory hierarchy too small even with every top level raised; use smaller tiles or larger memories"
            ),
            NetworkError::NoCacheLevel { layer_id } => write!(
                f,
                "stack ending at layer {layer_id}: no memory level can hold the overlap cache; use smaller tiles or a fully recompute mode"
            ),
            NetworkError::Copy(s) => write!(f, "data copy: {s}"),
        }
    }
}

/// The chosen top memory of one layer operand in one tile type.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OperandTop {
    /// Layer operand (`O`, `W`, `I`, `X`, `Y`).
    pub operand: String,
    /// Memory instance name.
    pub memory: String,
}

/// One tile type of one item.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TileTypeReport {
    pub multiplicity: u64,
    /// The stack's output tile of this type.
    pub tile_x: u64,
    pub tile_y: u64,
    /// This layer's output size (`OX`, `OY`) in this tile type.
    pub layer_ox: u64,
    pub layer_oy: u64,
    /// Per tile (not multiplied).
    pub energy_pj: f64,
    pub latency_cycles: u64,
    pub macs: u64,
    /// Compute layers: top memory per operand (output first).
    pub top_levels: Vec<OperandTop>,
    /// Data copy layers: the actions of one tile.
    pub copies: Vec<CopyAction>,
    /// Compute layers: failed top-level choices before this one fitted
    /// (§3.8 j).
    pub retries: u64,
}

/// Whether an item is a compute layer or a data copy layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    Compute,
    DataCopy,
}

/// One output item (§4), summed over tile types with multiplicities. For
/// data copy items only energy and latency are set (Q13: the reference's
/// unmultiplied copy `latency_total2` is not reported).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ItemReport {
    /// `L<id>` or `copy before L<id>` / `copy before input`.
    pub name: String,
    /// The reference's name (`LayerNode_3`,
    /// `DataCopyLayer_datamovement_b4_LayerNode_3`).
    pub reference_name: String,
    pub kind: ItemKind,
    pub layer_id: Option<i64>,
    /// Index of the (first) stack the item belongs to.
    pub stack: usize,
    pub energy_pj: f64,
    /// `latency_total1` for compute layers, the copy latency otherwise.
    pub latency_cycles: u64,
    pub mac_energy_pj: f64,
    pub mem_energy_pj: f64,
    pub latency_total0_cycles: u64,
    pub latency_total2_cycles: u64,
    pub ideal_cycles: u64,
    pub ideal_temporal_cycles: u64,
    pub stall_cycles: u64,
    pub onloading_cycles: u64,
    /// Sum of tile MACs (shows recomputation).
    pub macs: u64,
    pub tile_types: Vec<TileTypeReport>,
}

/// Tiles of one stack.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StackReport {
    /// Compute layer ids in graph order.
    pub layers: Vec<i64>,
    /// Output size of the stack's last layer.
    pub output_x: u64,
    pub output_y: u64,
    pub tiles: u64,
    /// Multiplicity per tile type, in order of first appearance.
    pub tile_type_multiplicities: Vec<u64>,
    /// The stack's output tile per tile type.
    pub tile_type_sizes: Vec<Tile>,
    /// Per compute layer: MACs at full size and summed over all tiles
    /// (more with recomputation).
    pub layer_macs: Vec<LayerTileMacs>,
    /// Stack totals (compute and data copy layers); 0 until evaluated.
    pub energy_pj: f64,
    pub latency_cycles: u64,
}

/// MACs of one layer in one stack, whole layer vs. summed over tiles.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayerTileMacs {
    pub layer_id: i64,
    pub full_macs: u64,
    pub tile_macs: u64,
}

/// Network totals and items of one depth-first run (§4). Energies in pJ,
/// latencies in cycles.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NetworkReport {
    pub schedule: Schedule,
    /// Compute energy plus data copy energy.
    pub energy_pj: f64,
    /// Sum of compute `latency_total1` plus data copy latency.
    pub latency_cycles: u64,
    pub mac_energy_pj: f64,
    /// Memory energy of compute layers.
    pub mem_energy_pj: f64,
    pub data_copy_energy_pj: f64,
    pub data_copy_latency_cycles: u64,
    /// Sums over compute layers.
    pub latency_total0_cycles: u64,
    pub latency_total2_cycles: u64,
    pub ideal_cycles: u64,
    /// Sum of tile MACs (≥ network MACs with recomputation).
    pub macs: u64,
    /// Memory energy of compute layers per memory instance.
    pub energy_by_memory_pj: OrderedMap<f64>,
    /// Same, per `instance|operand`.
    pub energy_by_memory_and_operand_pj: OrderedMap<f64>,
    /// Data copy energy per memory instance (sender reads, receiver writes).
    pub data_copy_energy_by_memory_pj: OrderedMap<f64>,
    /// How often a layer-tile had to raise its top levels because no
    /// mapping fitted (§3.8 j), summed over tile types (not multiplied).
    pub top_level_retries: u64,
    /// The cuts used (after each listed layer id).
    pub stack_cuts: Vec<i64>,
    /// Compute layer ids of each stack.
    pub stacks: Vec<Vec<i64>>,
    pub stack_details: Vec<StackReport>,
    /// Items in the reference's order.
    pub layers: Vec<ItemReport>,
}

// ---------------------------------------------------------------------------
// Planning: decide (§3.6), first and second pass (§3.7)

type Cols = Vec<(usize, String, i64)>;
type ColsR = Vec<((usize, usize), String, i64)>;
type RowsR = Vec<((usize, usize), String, i64, String)>;

#[derive(Clone, Debug, PartialEq)]
struct Decision {
    h_ml: Option<usize>,
    v_ml: Option<usize>,
    cols_w: Cols,
    cols_r: ColsR,
    rows_w: Cols,
    rows_r: RowsR,
    w_ml: Option<usize>,
}

/// The key of a tile type (§3.7.2).
#[derive(Clone, Debug, PartialEq)]
struct TileKey {
    w: u64,
    h: u64,
    w_top: bool,
    make_h: Option<usize>,
    use_h: Option<usize>,
    cols_w: Cols,
    cols_r: ColsR,
    make_v: Option<usize>,
    use_v: Option<usize>,
    rows_w: Cols,
    rows_r: RowsR,
}

struct StackPlan {
    g: Graph,
    full: Vec<Vec<u64>>,
    hi_w: Option<usize>,
    types: Vec<(TileKey, u64)>,
    report: StackReport,
}

fn levels(hw: &Hardware, mem_op: &str) -> Vec<usize> {
    hw.mem_op_index(mem_op)
        .map(|m| hw.levels_of(m))
        .unwrap_or_default()
}

fn is_r(spec: &LayerSpec, op: usize, d: &str) -> bool {
    spec.dim_index(d)
        .is_some_and(|i| spec.operands[op].class.get(i) == Some(&DimClass::R))
}

fn decide(
    g: &Graph,
    full: &[Vec<u64>],
    hw: &Hardware,
    overlap: Overlap,
    tile: (u64, u64, bool, bool),
) -> Result<Decision, NetworkError> {
    let (tx, ty, first_x, first_y) = tile;
    let gerr = NetworkError::Graph;
    let out_id = g.output().map(|o| g.nodes[o].id).unwrap_or(0);
    // Q17: the cache sizes assume both caches.
    let wl1 = backprop(
        g,
        full,
        Some((tx, ty)),
        BpFlags {
            use_h: !first_x,
            make_h: true,
            use_v: !first_y,
            make_v: true,
        },
    )
    .map_err(gerr)?;
    let wl2 = backprop(
        g,
        full,
        Some((tx, ty)),
        BpFlags {
            use_h: !first_x && overlap.h(),
            make_h: true,
            use_v: !first_y && overlap.v(),
            make_v: true,
        },
    )
    .map_err(gerr)?;
    // Q5: no "permanent data" term (it never applies in the reference)
    let la = largest_alive(g, &wl2.sizes);
    let (mut sum_h, mut sum_v, mut sum_hv) = (0u128, 0u128, 0u128);
    for ((n, k), hd, ov_x) in &wl1.in_h {
        let node = &g.nodes[*n];
        let spec = &node.spec;
        let sizes = &wl1.sizes[*n];
        let ext = tensor_dims(spec, *k, sizes);
        let ext_full = tensor_dims(spec, *k, &node.full);
        let size = elems(spec, *k, sizes);
        let prec = spec.operands[*k].precision_bits as u128;
        let ov_x = (*ov_x).max(0) as u128;
        let (vd, ov_y) = wl1
            .in_v
            .iter()
            .find(|x| x.0 == (*n, *k))
            .map(|x| (x.1.clone(), x.2.max(0) as u128))
            .unwrap_or_default();
        let e = |d: &str| get(&ext, d).unwrap_or(1).max(1) as u128;
        let ef = |d: &str| get(&ext_full, d).unwrap_or(1).max(1) as u128;
        if !is_r(spec, *k, hd) {
            sum_h = sum_h.saturating_add((size / e(hd)).saturating_mul(ov_x).saturating_mul(prec));
        }
        if !is_r(spec, *k, &vd) {
            sum_v = sum_v.saturating_add(
                ((size / e(hd)).saturating_mul(ef(hd)) / e(&vd))
                    .saturating_mul(ov_y)
                    .saturating_mul(prec),
            );
        }
        if spec.dim_index(&vd).is_none() && spec.dim_index(hd).is_none() {
            sum_hv = sum_hv.saturating_add(
                ((size / e(hd)).saturating_mul(ov_x) / e(&vd))
                    .saturating_mul(ov_y)
                    .saturating_mul(prec),
            );
        }
    }
    let i_mem = wl1
        .order
        .iter()
        .find_map(|&n| {
            g.nodes[n]
                .spec
                .operands
                .iter()
                .find(|o| !o.is_constant && o.mem_op != "O")
                .map(|o| o.mem_op.clone())
        })
        .unwrap_or_else(|| "I1".to_string());
    let o_mem = wl1
        .order
        .first()
        .map(|&n| g.nodes[n].spec.operands[0].mem_op.clone())
        .unwrap_or_else(|| "O".to_string());
    let i_idx = hw.mem_op_index(&i_mem);
    let stores_i = |l: usize| i_idx.is_some_and(|m| hw.levels[l].stores(m));
    let o_levels = levels(hw, &o_mem);
    let ok = |l: usize, need: u128| {
        stores_i(l) && hw.levels[l].unroll_count == 1 && hw.levels[l].size_bits as u128 >= need
    };
    let io: Vec<usize> = match o_levels.iter().position(|&l| ok(l, la)) {
        Some(p) => o_levels[..=p].to_vec(),
        None => o_levels.clone(),
    };
    let peak_h = if first_x {
        la
    } else {
        la.saturating_add(sum_h)
    };
    let peak_v = peak_h.saturating_add(sum_v);
    let (h_ml, v_ml) = if overlap.h() {
        let h = o_levels
            .iter()
            .copied()
            .find(|&l| ok(l, peak_h))
            .ok_or(NetworkError::NoCacheLevel { layer_id: out_id })?;
        let v = if overlap.v() {
            let v = o_levels
                .iter()
                .copied()
                .find(|&l| ok(l, peak_v.saturating_sub(if l == h { sum_hv } else { 0 })))
                .ok_or(NetworkError::NoCacheLevel { layer_id: out_id })?;
            Some(v)
        } else {
            None
        };
        (Some(h), v)
    } else {
        (None, None)
    };
    // weight level
    let w_mem = wl1.order.iter().find_map(|&n| {
        g.nodes[n]
            .spec
            .operands
            .iter()
            .find(|o| o.is_constant)
            .map(|o| o.mem_op.clone())
    });
    let w_ml = match w_mem {
        None => None,
        Some(wm) => {
            let w_tot: u128 = wl1
                .order
                .iter()
                .map(|&n| {
                    let s = &g.nodes[n].spec;
                    s.inputs()
                        .filter(|&k| s.operands[k].is_constant)
                        .map(|k| {
                            elems(s, k, &wl1.sizes[n])
                                .saturating_mul(s.operands[k].precision_bits as u128)
                        })
                        .fold(0u128, |a, x| a.saturating_add(x))
                })
                .fold(0u128, |a, x| a.saturating_add(x));
            let wl = levels(hw, &wm);
            let req = |l: usize| -> u128 {
                let mut r = w_tot;
                if io.contains(&l) {
                    r = w_tot.saturating_add(la);
                }
                if Some(l) == h_ml {
                    r = w_tot.saturating_add(peak_h);
                }
                if Some(l) == v_ml {
                    r = w_tot.saturating_add(peak_v);
                }
                if Some(l) == h_ml && Some(l) == v_ml {
                    r = w_tot.saturating_add(peak_v).saturating_sub(sum_hv);
                }
                r
            };
            wl.iter()
                .copied()
                .find(|&l| hw.levels[l].size_bits as u128 >= req(l))
                .or_else(|| wl.last().copied())
        }
    };
    let cap = |c: &Cols| -> Cols {
        c.iter()
            .map(|(p, d, a)| {
                let sz = g.nodes[*p]
                    .spec
                    .dim_index(d)
                    .and_then(|i| wl1.sizes[*p].get(i))
                    .copied()
                    .unwrap_or(0) as i64;
                (*p, d.clone(), (*a).min(sz))
            })
            .collect()
    };
    let cols_w = if first_x {
        wl1.to_cache_h.clone()
    } else {
        cap(&wl1.to_cache_h)
    };
    let rows_w = if first_y {
        wl1.to_cache_v.clone()
    } else {
        cap(&wl1.to_cache_v)
    };
    let cols_r = if first_x {
        Vec::new()
    } else {
        wl1.in_h.clone()
    };
    let rows_r = if first_y {
        Vec::new()
    } else {
        wl1.in_v
            .iter()
            .map(|(key, vd, ov)| {
                let hd = wl1
                    .in_h
                    .iter()
                    .find(|x| x.0 == *key)
                    .map(|x| x.1.clone())
                    .unwrap_or_default();
                (*key, vd.clone(), *ov, hd)
            })
            .collect()
    };
    Ok(Decision {
        h_ml,
        v_ml,
        cols_w,
        cols_r,
        rows_w,
        rows_r,
        w_ml,
    })
}

/// Cache lists of the tile decisions, interned by content.
#[derive(Default)]
struct Pools {
    cols: Vec<Cols>,
    cols_r: Vec<ColsR>,
    rows_r: Vec<RowsR>,
}

fn intern<T: PartialEq + Clone>(pool: &mut Vec<T>, v: &T) -> usize {
    match pool.iter().position(|x| x == v) {
        Some(i) => i,
        None => {
            pool.push(v.clone());
            pool.len() - 1
        }
    }
}

impl Pools {
    /// Ids of the empty lists: `[cols, cols_r, cols, rows_r]`.
    fn empty(&mut self) -> [usize; 4] {
        let c = self.cols(&Vec::new());
        [c, self.cols_r(&Vec::new()), c, self.rows_r(&Vec::new())]
    }
    fn cols(&mut self, v: &Cols) -> usize {
        intern(&mut self.cols, v)
    }
    fn cols_r(&mut self, v: &ColsR) -> usize {
        intern(&mut self.cols_r, v)
    }
    fn rows_r(&mut self, v: &RowsR) -> usize {
        intern(&mut self.rows_r, v)
    }
}

fn plan_stack(g: Graph, hw: &Hardware, sched: &Schedule) -> Result<StackPlan, NetworkError> {
    let full: Vec<Vec<u64>> = g.nodes.iter().map(|n| n.full.clone()).collect();
    let out = g
        .output()
        .ok_or_else(|| NetworkError::Graph("a stack has more than one output layer".into()))?;
    let on = &g.nodes[out];
    let (Some(ox), Some(oy)) = (on.spec.dim_index("OX"), on.spec.dim_index("OY")) else {
        return Err(NetworkError::Graph(format!(
            "layer {} has no OX/OY loops; depth-first tiling needs both (Q29)",
            on.id
        )));
    };
    let (oxt, oyt) = (full[out][ox].max(1), full[out][oy].max(1));
    // Q28: the same tile size for every stack's output layer
    let (tx, ty) = (sched.tile.x.max(1), sched.tile.y.max(1));
    // §3.5, Q27: the partial tile is the first column/row
    let grid = |total: u64, t: u64| -> Vec<(u64, u64)> {
        let rest = total % t;
        let l = if rest == 0 { t } else { rest };
        let mut v = vec![(0, l.min(total))];
        let mut x = l;
        while x < total {
            v.push((x, t));
            x = x.saturating_add(t);
        }
        v
    };
    let cols = grid(oxt, tx);
    let rows = grid(oyt, ty);
    let (nc, nr) = (cols.len(), rows.len());
    if (nc as u128) * (nr as u128) > 4_000_000 {
        return Err(NetworkError::Graph(format!(
            "{} tiles in the stack ending at layer {}; use a larger tile",
            nc * nr,
            on.id
        )));
    }
    // Per tile only small ids are kept: the decision of a tile depends on
    // (w, h, first column, first row) only (at most four distinct ones), and
    // its cache lists are interned by content, so comparing ids is
    // comparing the lists (the tile types are those of the full keys).
    // per decision also the interned ids of (cols_w, cols_r, rows_w, rows_r)
    type Decided = ((u64, u64, bool, bool), Decision, [usize; 4]);
    let mut decisions: Vec<Decided> = Vec::new();
    let mut pools = Pools::default();
    let empty = pools.empty();
    let mut get_d = |w: u64,
                     h: u64,
                     fx: bool,
                     fy: bool,
                     decisions: &mut Vec<Decided>|
     -> Result<usize, NetworkError> {
        if let Some(i) = decisions.iter().position(|c| c.0 == (w, h, fx, fy)) {
            return Ok(i);
        }
        let d = decide(&g, &full, hw, sched.overlap, (w, h, fx, fy))?;
        let ids = [
            pools.cols(&d.cols_w),
            pools.cols_r(&d.cols_r),
            pools.cols(&d.rows_w),
            pools.rows_r(&d.rows_r),
        ];
        decisions.push(((w, h, fx, fy), d, ids));
        Ok(decisions.len() - 1)
    };
    // (level, written list id, read list id)
    type Info = (Option<usize>, usize, usize);
    // V info also remembers when it was made (Q7 overwrites, below)
    let mut h_info: Vec<Vec<Info>> = vec![Vec::with_capacity(nc); nr];
    let mut v_info: Vec<Vec<(Info, u64)>> = vec![Vec::with_capacity(nc); nr];
    // Q7: every earlier V entry holding a level is overwritten with the new
    // level. Done lazily: `v_overwrite = (seq, level)` of the last
    // overwrite; an entry made before it (and holding a level then) holds
    // that level. Levels are never `None` here (mode 3 always has a V
    // level), so only the last overwrite matters.
    let mut v_overwrite: Option<(u64, Option<usize>)> = None;
    let mut seq = 0u64;
    let mut hi_v: Option<usize> = None;
    let mut hi_w: Option<usize> = None;
    let (hm, vm) = (sched.overlap.h(), sched.overlap.v());
    for (ri, &(y0, h)) in rows.iter().enumerate() {
        for (ci, &(x0, w)) in cols.iter().enumerate() {
            let di = get_d(w, h, x0 == 0, y0 == 0, &mut decisions)?;
            let (d, [cw, cr, rw, rr]) = (&decisions[di].1, decisions[di].2);
            let last_col = x0.saturating_add(tx) >= oxt;
            let last_row = y0.saturating_add(ty) >= oyt;
            let hi: Info = if !hm {
                (None, empty[0], empty[1])
            } else if last_col {
                (None, empty[0], cr)
            } else {
                (d.h_ml, cw, cr)
            };
            h_info[ri].push(hi);
            // Q6: the previous column's level is replaced, not raised
            if ci > 0 && h_info[ri][ci - 1].0 != d.h_ml {
                h_info[ri][ci - 1].0 = d.h_ml;
            }
            let vi: Info = if hm && vm {
                if ri == 0 && ci == 0 {
                    hi_v = d.v_ml;
                } else if d.v_ml != hi_v {
                    // Q7: "maximum" is the last different value
                    hi_v = d.v_ml;
                    v_overwrite = Some((seq, hi_v));
                }
                if last_row {
                    (None, empty[0], rr)
                } else {
                    (hi_v, rw, rr)
                }
            } else {
                (None, empty[0], empty[3])
            };
            v_info[ri].push((vi, seq));
            seq += 1;
            if let Some(wm) = d.w_ml {
                hi_w = Some(hi_w.map_or(wm, |x| x.max(wm)));
            }
        }
    }
    let v_level = |e: &(Info, u64)| -> Option<usize> {
        match v_overwrite {
            Some((at, lvl)) if e.0 .0.is_some() && e.1 < at => lvl,
            _ => e.0 .0,
        }
    };
    // compact keys: (w, h, w_top, make_h, use_h, cols_w, cols_r, make_v,
    // use_v, rows_w, rows_r)
    type Compact = (
        u64,
        u64,
        bool,
        Option<usize>,
        Option<usize>,
        usize,
        usize,
        Option<usize>,
        Option<usize>,
        usize,
        usize,
    );
    let mut compact: Vec<(Compact, u64)> = Vec::new();
    let mut sizes: Vec<Tile> = Vec::new();
    for (ri, &(_, h)) in rows.iter().enumerate() {
        for (ci, &(_, w)) in cols.iter().enumerate() {
            let (make_h, cols_w, cols_r) = h_info[ri][ci];
            let ve = &v_info[ri][ci];
            let (make_v, rows_w, rows_r) = (v_level(ve), ve.0 .1, ve.0 .2);
            let key: Compact = (
                w,
                h,
                ri == 0 && ci == 0,
                make_h,
                if ci > 0 { h_info[ri][ci - 1].0 } else { None },
                cols_w,
                cols_r,
                make_v,
                if ri > 0 {
                    v_level(&v_info[ri - 1][ci])
                } else {
                    None
                },
                rows_w,
                rows_r,
            );
            match compact.iter_mut().find(|t| t.0 == key) {
                Some(t) => t.1 += 1,
                None => {
                    compact.push((key, 1));
                    sizes.push(Tile { x: w, y: h });
                }
            }
        }
    }
    let types: Vec<(TileKey, u64)> = compact
        .into_iter()
        .map(|(k, m)| {
            (
                TileKey {
                    w: k.0,
                    h: k.1,
                    w_top: k.2,
                    make_h: k.3,
                    use_h: k.4,
                    cols_w: pools.cols[k.5].clone(),
                    cols_r: pools.cols_r[k.6].clone(),
                    make_v: k.7,
                    use_v: k.8,
                    rows_w: pools.cols[k.9].clone(),
                    rows_r: pools.rows_r[k.10].clone(),
                },
                m,
            )
        })
        .collect();
    let topo = g.topo().unwrap_or_default();
    let mut layer_macs: Vec<LayerTileMacs> = topo
        .iter()
        .filter(|&&n| !g.nodes[n].is_input)
        .map(|&n| LayerTileMacs {
            layer_id: g.nodes[n].id,
            full_macs: full[n].iter().fold(1u64, |a, &x| a.saturating_mul(x)),
            tile_macs: 0,
        })
        .collect();
    for (key, mult) in &types {
        let bp = backprop(&g, &full, Some((key.w, key.h)), tile_flags(key))
            .map_err(NetworkError::Graph)?;
        for (lm, &n) in layer_macs
            .iter_mut()
            .zip(topo.iter().filter(|&&n| !g.nodes[n].is_input))
        {
            let m = bp.sizes[n].iter().fold(1u64, |a, &x| a.saturating_mul(x));
            lm.tile_macs = lm.tile_macs.saturating_add(m.saturating_mul(*mult));
        }
    }
    let report = StackReport {
        energy_pj: 0.0,
        latency_cycles: 0,
        layer_macs,
        layers: topo
            .iter()
            .filter(|&&n| !g.nodes[n].is_input)
            .map(|&n| g.nodes[n].id)
            .collect(),
        output_x: oxt,
        output_y: oyt,
        tiles: (nc * nr) as u64,
        tile_type_multiplicities: types.iter().map(|t| t.1).collect(),
        tile_type_sizes: sizes,
    };
    Ok(StackPlan {
        g,
        full,
        hi_w,
        types,
        report,
    })
}

// ---------------------------------------------------------------------------
// Evaluating one tile type (§3.8)

struct Memo {
    /// [`fingerprint`] of the key, compared first.
    fp: u64,
    lpf: usize,
    spec: LayerSpec,
    sm: SpatialMapping,
    hw: Hardware,
    result: Result<LayerCost, EvalError>,
}

/// Single-layer evaluations shared within one run (and, through
/// [`evaluate_network_with`] or [`NetworkRun::set_cache`], across runs):
/// identical shape, spatial mapping, trimmed hierarchy and LPF limit give
/// the identical result. Lookups are linear; keep one cache per scenario.
#[derive(Default)]
pub struct EvalCache {
    entries: Vec<Memo>,
    evaluations: u64,
}

impl EvalCache {
    /// Number of distinct single-layer evaluations held.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Number of single-layer evaluations run (cache misses) so far.
    pub fn evaluations(&self) -> u64 {
        self.evaluations
    }

    fn eval(
        &mut self,
        spec: &LayerSpec,
        hw: &Hardware,
        sm: &SpatialMapping,
        lpf: usize,
    ) -> Result<LayerCost, EvalError> {
        let fp = fingerprint(spec, hw, lpf);
        let same = |m: &Memo| {
            m.fp == fp
                && m.lpf == lpf
                && m.spec.dims == spec.dims
                && m.spec.sizes == spec.sizes
                && m.spec.operands == spec.operands
                && m.spec.relations == spec.relations
                && m.spec.o_final_bits == spec.o_final_bits
                && m.sm == *sm
                && m.hw == *hw
        };
        let r = match self.entries.iter().find(|m| same(m)) {
            Some(m) => m.result.clone(),
            None => {
                self.evaluations += 1;
                let r = evaluate_layer(spec, hw, sm, LomaConfig { lpf_limit: lpf });
                self.entries.push(Memo {
                    fp,
                    lpf,
                    spec: spec.clone(),
                    sm: sm.clone(),
                    hw: hw.clone(),
                    result: r.clone(),
                });
                r
            }
        };
        r.map(|mut c| {
            c.layer_id = spec.id;
            c
        })
    }
}

/// A cheap digest of the parts of a cache key that differ between tiles
/// and trims (sizes, LPF limit, the trimmed levels); equal keys give equal
/// digests, and the full key is compared when digests match.
fn fingerprint(spec: &LayerSpec, hw: &Hardware, lpf: usize) -> u64 {
    const P: u64 = 0x0100_0000_01b3;
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut mix = |v: u64| h = (h ^ v).wrapping_mul(P);
    mix(lpf as u64);
    mix(spec.sizes.len() as u64);
    for &s in &spec.sizes {
        mix(s);
    }
    mix(spec.o_final_bits);
    mix(hw.levels.len() as u64);
    for l in &hw.levels {
        mix(l.size_bits);
        mix(l.name.len() as u64);
        for b in l.name.bytes() {
            mix(b as u64);
        }
    }
    h
}

/// Evaluation of one node in one tile type.
#[derive(Clone, Debug)]
struct NodeEval {
    node: usize,
    retries: u64,
    copy: CopyLayerCost,
    layer: Option<LayerCost>,
    sizes: Vec<u64>,
}

/// §3.8 step 1: the back-propagation of a tile type.
fn tile_flags(key: &TileKey) -> BpFlags {
    BpFlags {
        use_h: key.use_h.is_some(),
        make_h: key.make_h.is_some(),
        use_v: key.use_v.is_some(),
        make_v: false,
    }
}

fn prefix_until(list: &[usize], f: impl Fn(usize) -> bool) -> Vec<usize> {
    match list.iter().position(|&l| f(l)) {
        Some(p) => list[..=p].to_vec(),
        None => list.to_vec(),
    }
}

/// Raises a top-level prefix by `extra` levels, as far as levels exist.
fn extend(take: &mut Vec<usize>, all: &[usize], extra: usize) {
    let n = (take.len() + extra)
        .min(all.len())
        .max(take.len().min(all.len()));
    *take = all[..n].to_vec();
}

/// One tile type evaluated node by node (§3.8), so that a run can pause
/// between layers.
struct TileRun {
    wl: crate::df_graph::Backprop,
    topo: Vec<usize>,
    next: usize,
    stored: Vec<Option<(usize, u64)>>,
    pending: Vec<CopyRequest>,
    out: Vec<NodeEval>,
}

impl TileRun {
    /// §3.8 step 1: the back-propagation of the tile type.
    fn new(plan: &StackPlan, key: &TileKey) -> Result<TileRun, NetworkError> {
        let g = &plan.g;
        let wl = backprop(g, &plan.full, Some((key.w, key.h)), tile_flags(key))
            .map_err(NetworkError::Graph)?;
        Ok(TileRun {
            wl,
            topo: g.topo().unwrap_or_default(),
            next: 0,
            stored: vec![None; g.nodes.len()],
            pending: Vec::new(),
            out: Vec::new(),
        })
    }

    fn done(&self) -> bool {
        self.next >= self.topo.len()
    }

    /// Steps 2–l for the next node in graph order; true when the tile type
    /// is complete.
    fn step_node(
        &mut self,
        plan: &StackPlan,
        key: &TileKey,
        sc: &ValidScenario,
        lpf: usize,
        memo: &mut EvalCache,
    ) -> Result<bool, NetworkError> {
        let g = &plan.g;
        let hw = &sc.hardware;
        let name = |l: usize| hw.levels[l].name.as_str();
        let Some(&li) = self.topo.get(self.next) else {
            return Ok(true);
        };
        self.next += 1;
        let wl = &self.wl;
        let stored = &mut self.stored;
        let pending = &mut self.pending;
        let out = &mut self.out;
        let node = &g.nodes[li];
        let spec = &node.spec;
        let sizes = &wl.sizes[li];
        let is_in = g.pred[li].is_empty();
        let is_out = g.succ[li].is_empty();
        let in_bits = if is_in { 0 } else { input_bits(node, sizes) };
        let out_bits = output_bits(node, sizes);
        let first_in = spec
            .inputs()
            .find(|&k| !spec.operands[k].is_constant)
            .map(|k| spec.operands[k].mem_op.clone());
        let i_all = if is_in {
            Vec::new()
        } else {
            first_in
                .as_deref()
                .map(|m| levels(hw, m))
                .unwrap_or_default()
        };
        let i_take0 = prefix_until(&i_all, |l| {
            hw.levels[l].size_bits as u128 >= in_bits && hw.levels[l].unroll_count == 1
        });
        let i_top0 = i_take0.last().copied();
        let o_mem = spec.operands[0].mem_op.clone();
        let o_all = levels(hw, &o_mem);
        // Q3: the stack output always goes to the top of `O` (DRAM), and the
        // stack input comes from the top of `I1`
        let o_take0 = if is_out {
            o_all.clone()
        } else {
            prefix_until(&o_all, |l| {
                hw.levels[l].unroll_count == 1
                    && hw.levels[l].size_bits as u128
                        >= out_bits.saturating_add(if Some(l) == i_top0 { in_bits } else { 0 })
            })
        };
        let (mut extra_o, mut extra_i) = (0usize, 0usize);
        let start_pending = pending.len();
        let max_extra = i_all.len().max(o_all.len());
        let mut tried: Vec<(Option<usize>, Option<usize>)> = Vec::new();
        loop {
            pending.truncate(start_pending);
            let mut i_take = i_take0.clone();
            let mut o_take = o_take0.clone();
            if !is_in {
                extend(&mut i_take, &i_all, extra_i);
            }
            extend(&mut o_take, &o_all, extra_o);
            let i_top = i_take.last().copied();
            let o_top = o_take.last().copied();
            // copy requests (§3.8 e)
            if is_in {
                if let (Some(&top), Some(ot)) = (o_all.last(), o_top) {
                    pending.push(CopyRequest {
                        kind: CopyKind::StackInput,
                        src_op: o_mem.clone(),
                        src: top,
                        dst_op: o_mem.clone(),
                        dst: ot,
                        bits: u64::try_from(out_bits).unwrap_or(u64::MAX),
                    });
                }
            } else if let Some(it) = i_top {
                for &(k, p) in &node.srcs {
                    let Some((pl, pbits)) = stored[p] else {
                        continue;
                    };
                    let p_in = g.pred[p].is_empty();
                    // Q25: no stack-input copy when the data sits within Itake
                    if (!p_in && pl != it) || (p_in && !i_take.contains(&pl)) {
                        pending.push(CopyRequest {
                            kind: CopyKind::OutputToInput,
                            src_op: "O".to_string(),
                            src: pl,
                            dst_op: spec.operands[k].mem_op.clone(),
                            dst: it,
                            bits: pbits,
                        });
                    }
                }
                let inputs: Vec<usize> = spec
                    .inputs()
                    .filter(|&k| !spec.operands[k].is_constant)
                    .collect();
                // Q8: cache reads use O_final of the consumer
                let amount = |k: usize, repl: &[(&str, i64)]| -> u64 {
                    let o = &spec.operands[k];
                    let ext = tensor_dims(spec, k, sizes);
                    let mut b: i128 = 1;
                    for (i, c) in o.class.iter().enumerate() {
                        if *c == DimClass::R {
                            let d = spec.dims[i].as_str();
                            let f = repl
                                .iter()
                                .find(|r| r.0 == d)
                                .map(|r| r.1)
                                .unwrap_or(sizes[i] as i64);
                            b = b.saturating_mul(f as i128);
                        }
                    }
                    if o.has_pr {
                        for r in &spec.relations {
                            let f = repl
                                .iter()
                                .find(|x| x.0 == r.name)
                                .map(|x| x.1)
                                .unwrap_or_else(|| get(&ext, &r.name).unwrap_or(1));
                            b = b.saturating_mul(f as i128);
                        }
                    }
                    b.saturating_mul(spec.o_final_bits as i128).max(0) as u64
                };
                if let Some(uh) = key.use_h.filter(|&u| u != it) {
                    for &k in &inputs {
                        if let Some(c) = key.cols_r.iter().find(|c| c.0 == (li, k)) {
                            let bits = amount(k, &[(c.1.as_str(), c.2)]);
                            if bits > 0 {
                                pending.push(CopyRequest {
                                    kind: CopyKind::CacheRead,
                                    src_op: spec.operands[k].mem_op.clone(),
                                    src: uh,
                                    dst_op: spec.operands[k].mem_op.clone(),
                                    dst: it,
                                    bits,
                                });
                            }
                        }
                    }
                }
                // Q9: the reference tests a stale variable equal to useV
                if let Some(uv) = key.use_v.filter(|&u| u != it) {
                    for &k in &inputs {
                        if let Some(r) = key.rows_r.iter().find(|c| c.0 == (li, k)) {
                            let (vd, vrows, hd) = (&r.1, r.2, &r.3);
                            let ext = tensor_dims(spec, k, sizes);
                            let mut cols = match spec.dim_index(hd) {
                                Some(i) => sizes[i] as i64,
                                None => get(&ext, hd).unwrap_or(1),
                            };
                            if key.use_h.is_some() {
                                if let Some(c) = key.cols_r.iter().find(|c| c.0 == (li, k)) {
                                    cols = cols.saturating_sub(c.2);
                                }
                            }
                            let bits = amount(k, &[(vd.as_str(), vrows), (hd.as_str(), cols)]);
                            if bits > 0 {
                                pending.push(CopyRequest {
                                    kind: CopyKind::CacheRead,
                                    src_op: spec.operands[k].mem_op.clone(),
                                    src: uv,
                                    dst_op: spec.operands[k].mem_op.clone(),
                                    dst: it,
                                    bits,
                                });
                            }
                        }
                    }
                }
            }
            // trimmed accelerator (§3.8 g)
            let mut thw = hw.clone();
            if !is_in {
                if let Some(it) = i_top {
                    for k in spec.inputs() {
                        if !spec.operands[k].is_constant {
                            thw.trim_to(&spec.operands[k].mem_op, name(it));
                        }
                    }
                }
            }
            if !is_out {
                if let Some(ot) = o_top {
                    thw.trim_to(&o_mem, name(ot));
                }
            }
            // Q2: only the first tile reads weights from the full hierarchy
            if !key.w_top {
                if let Some(hw_top) = plan.hi_w {
                    for k in spec.inputs() {
                        if spec.operands[k].is_constant {
                            thw.trim_to(&spec.operands[k].mem_op, name(hw_top));
                        }
                    }
                }
            }
            let copy = copy_layer(hw, &pending[..]).map_err(NetworkError::Copy)?;
            let layer = if is_in {
                None
            } else {
                let sm = sc.mapping.layer(spec.id).cloned().unwrap_or_default();
                let mut tile_spec = spec.clone();
                tile_spec.sizes = sizes.clone();
                let cfg = (i_top, o_top);
                let r = if tried.contains(&cfg) {
                    Err(EvalError::HierarchyTooSmall)
                } else {
                    memo.eval(&tile_spec, &thw, &sm, lpf)
                };
                match r {
                    Ok(c) => Some(c),
                    // Q24: the top-level choice ignored co-resident data;
                    // raise the tops and try again (§3.8 j)
                    Err(EvalError::HierarchyTooSmall) => {
                        tried.push(cfg);
                        if extra_o.min(extra_i) >= max_extra {
                            return Err(NetworkError::RetryExhausted { layer_id: spec.id });
                        }
                        // §3.8 j: (0,0) (1,0) (0,1) (1,1) (2,1) (1,2) (2,2) ...
                        if extra_o == extra_i {
                            extra_o += 1;
                        } else if extra_o > extra_i {
                            extra_i += 1;
                            extra_o -= 1;
                        } else {
                            extra_o += 1;
                        }
                        continue;
                    }
                    Err(e) => {
                        return Err(NetworkError::Layer {
                            layer_id: spec.id,
                            error: e,
                        })
                    }
                }
            };
            pending.clear();
            if let Some(ot) = o_top {
                stored[li] = Some((ot, u64::try_from(out_bits).unwrap_or(u64::MAX)));
            }
            out.push(NodeEval {
                node: li,
                retries: tried.len() as u64,
                copy,
                layer,
                sizes: sizes.clone(),
            });
            // cache writes for the next node (§3.8 l); Q4: never by input nodes
            if !is_in {
                let r_o = |repl: &[(&str, i64)]| -> u64 {
                    let o = &spec.operands[0];
                    let mut b: i128 = 1;
                    for (i, c) in o.class.iter().enumerate() {
                        if *c == DimClass::R {
                            let d = spec.dims[i].as_str();
                            let f = repl
                                .iter()
                                .find(|r| r.0 == d)
                                .map(|r| r.1)
                                .unwrap_or(sizes[i] as i64);
                            b = b.saturating_mul(f as i128);
                        }
                    }
                    b.saturating_mul(spec.o_final_bits as i128).max(0) as u64
                };
                let mut sub: Option<(String, i64)> = None;
                if let (Some(mv), Some(ot)) = (key.make_v, o_top) {
                    if mv != ot {
                        if let Some(rw) = key.rows_w.iter().find(|r| r.0 == li) {
                            let bits = r_o(&[(rw.1.as_str(), rw.2)]);
                            sub = Some((rw.1.clone(), rw.2));
                            if bits > 0 {
                                pending.push(CopyRequest {
                                    kind: CopyKind::CacheWrite,
                                    src_op: o_mem.clone(),
                                    src: ot,
                                    dst_op: o_mem.clone(),
                                    dst: mv,
                                    bits,
                                });
                            }
                        }
                    }
                }
                if let (Some(mh), Some(ot)) = (key.make_h, o_top) {
                    if mh != ot {
                        if let Some(cw) = key.cols_w.iter().find(|r| r.0 == li) {
                            let mut repl: Vec<(&str, i64)> = vec![(cw.1.as_str(), cw.2)];
                            if let Some((sd, sa)) = &sub {
                                let base = repl
                                    .iter()
                                    .find(|r| r.0 == sd)
                                    .map(|r| r.1)
                                    .or_else(|| spec.dim_index(sd).map(|i| sizes[i] as i64))
                                    .unwrap_or(1);
                                repl.retain(|r| r.0 != sd);
                                repl.push((sd.as_str(), base.saturating_sub(*sa)));
                            }
                            let bits = r_o(&repl);
                            if bits > 0 {
                                pending.push(CopyRequest {
                                    kind: CopyKind::CacheWrite,
                                    src_op: o_mem.clone(),
                                    src: ot,
                                    dst_op: o_mem.clone(),
                                    dst: mh,
                                    bits,
                                });
                            }
                        }
                    }
                }
            }
            break;
        }
        Ok(self.done())
    }
}

// ---------------------------------------------------------------------------
// The run, in chunks

/// Progress of a [`NetworkRun`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    /// Tile types evaluated so far.
    pub done: u64,
    /// Tile types of all stacks.
    pub total: u64,
    /// Layer steps (one node of one tile type) done so far and in total:
    /// the unit of [`NetworkRun::step`].
    pub steps_done: u64,
    pub steps_total: u64,
    /// Distinct single-layer LOMA searches run so far.
    pub layer_evaluations: u64,
}

/// A depth-first evaluation in bounded steps (one tile type per unit of
/// budget), so a worker can report progress and check for a stop request.
pub struct NetworkRun {
    /// Owned, so a worker can keep the run between messages.
    sc: ValidScenario,
    sched: Schedule,
    cuts: Vec<i64>,
    plans: Vec<StackPlan>,
    results: Vec<Vec<Vec<NodeEval>>>,
    cursor: (usize, usize),
    current: Option<TileRun>,
    memo: EvalCache,
}

/// Checks a schedule against a scenario; every problem has a path.
pub fn validate_schedule(sc: &ValidScenario, s: &Schedule) -> Vec<Diagnostic> {
    let mut d = Vec::new();
    if s.tile.x == 0 {
        d.push(Diagnostic::new(
            "schedule.tile.x",
            "tile width is 0; use at least 1 output column",
        ));
    }
    if s.tile.y == 0 {
        d.push(Diagnostic::new(
            "schedule.tile.y",
            "tile height is 0; use at least 1 output row",
        ));
    }
    if s.lpf_limit == 0 || s.lpf_limit > 12 {
        d.push(Diagnostic::new(
            "schedule.lpf_limit",
            format!(
                "loop prime factor limit {} is outside 1..=12; the reference uses 6",
                s.lpf_limit
            ),
        ));
    }
    if let Some(cuts) = &s.stack_cuts {
        let order: Vec<i64> = network(sc)
            .ok()
            .and_then(|g| g.topo().map(|t| t.iter().map(|&i| g.nodes[i].id).collect()))
            .unwrap_or_default();
        let mut last: Option<usize> = None;
        for (i, c) in cuts.iter().enumerate() {
            match order.iter().position(|x| x == c) {
                None => d.push(Diagnostic::new(
                    format!("schedule.stack_cuts[{i}]"),
                    format!("layer {c} does not exist; cut after existing layer ids"),
                )),
                Some(p) => {
                    if last.is_some_and(|l| p <= l) {
                        d.push(Diagnostic::new(
                            format!("schedule.stack_cuts[{i}]"),
                            format!("cut after layer {c} is not after the previous cut; list cuts once each, in graph order"),
                        ));
                    }
                    last = Some(p);
                }
            }
        }
    }
    d
}

/// The stack cuts of §3.1 (weight-overflow rule) for a scenario.
pub fn automatic_stack_cuts(sc: &ValidScenario) -> Result<Vec<i64>, NetworkError> {
    let g = network(sc).map_err(NetworkError::Graph)?;
    Ok(auto_cuts(&g, sc))
}

impl NetworkRun {
    /// Plans every stack (cheap): graph, full sizes, cuts, tile types.
    pub fn new(sc: &ValidScenario, sched: &Schedule) -> Result<NetworkRun, NetworkError> {
        NetworkRun::with_fixes(sc, sched, Fixes::default())
    }

    /// [`NetworkRun::new`] with some reference quirks fixed (see [`Fixes`]).
    pub fn with_fixes(
        sc: &ValidScenario,
        sched: &Schedule,
        fixes: Fixes,
    ) -> Result<NetworkRun, NetworkError> {
        let d = validate_schedule(sc, sched);
        if !d.is_empty() {
            return Err(NetworkError::Schedule(d));
        }
        let mut g = network(sc).map_err(NetworkError::Graph)?;
        // §3.2: full-size back-propagation over the whole network
        let sink = (0..g.nodes.len())
            .find(|&i| g.succ[i].is_empty())
            .ok_or_else(|| NetworkError::Graph("the network has no output layer".into()))?;
        let sinks = (0..g.nodes.len()).filter(|&i| g.succ[i].is_empty()).count();
        if sinks != 1 || sink >= g.nodes.len() {
            return Err(NetworkError::Graph(
                "the network has more than one output layer; the depth-first model needs exactly one".into(),
            ));
        }
        let whole = g.clone();
        let base: Vec<Vec<u64>> = whole.nodes.iter().map(|n| n.spec.sizes.clone()).collect();
        let bp = backprop(&whole, &base, None, BpFlags::default()).map_err(NetworkError::Graph)?;
        for (i, n) in g.nodes.iter_mut().enumerate() {
            n.full = bp.sizes[i].clone();
            n.spec.sizes = bp.sizes[i].clone();
        }
        let cuts = match &sched.stack_cuts {
            Some(c) => c.clone(),
            None => auto_cuts(&g, sc),
        };
        let graphs = stacks(&g, &cuts, !fixes.cut_after_layer_zero).map_err(NetworkError::Graph)?;
        let mut plans = Vec::new();
        for s in graphs {
            plans.push(plan_stack(s, &sc.hardware, sched)?);
        }
        let results = plans.iter().map(|_| Vec::new()).collect();
        Ok(NetworkRun {
            sc: sc.clone(),
            sched: sched.clone(),
            cuts,
            plans,
            results,
            cursor: (0, 0),
            current: None,
            memo: EvalCache::default(),
        })
    }

    /// Does up to `max_layer_steps` more units of work; a unit is one node
    /// (one layer and the data copies before it) of one tile type, i.e. at
    /// most one LOMA search.
    pub fn step(&mut self, max_layer_steps: u64) -> Result<Progress, NetworkError> {
        let mut n = 0;
        while n < max_layer_steps && self.cursor.0 < self.plans.len() {
            let (si, ti) = self.cursor;
            let plan = &self.plans[si];
            let Some((key, _)) = plan.types.get(ti) else {
                self.cursor = (si + 1, 0);
                continue;
            };
            if self.current.is_none() {
                self.current = Some(TileRun::new(plan, key)?);
            }
            let Some(tr) = self.current.as_mut() else {
                continue;
            };
            let done = tr.step_node(
                plan,
                key,
                &self.sc,
                self.sched.lpf_limit as usize,
                &mut self.memo,
            )?;
            n += 1;
            if done {
                let out = core::mem::take(&mut tr.out);
                self.results[si].push(out);
                self.current = None;
                self.cursor = (si, ti + 1);
            }
        }
        Ok(self.progress())
    }

    /// Uses `cache` for the single-layer evaluations of this run (e.g. one
    /// kept from an earlier run of the same scenario).
    pub fn set_cache(&mut self, cache: EvalCache) {
        self.memo = cache;
    }

    /// Takes the cache back (e.g. to reuse it for the next schedule).
    pub fn take_cache(&mut self) -> EvalCache {
        core::mem::take(&mut self.memo)
    }

    /// The report of a finished run; `None` while tile types remain.
    pub fn report_if_done(&self) -> Option<NetworkReport> {
        self.is_done().then(|| self.report())
    }

    /// The stacks and their tile types (known before any evaluation).
    pub fn stacks(&self) -> Vec<StackReport> {
        self.plans.iter().map(|p| p.report.clone()).collect()
    }

    pub fn progress(&self) -> Progress {
        let total: u64 = self.plans.iter().map(|p| p.types.len() as u64).sum();
        let done: u64 = self.results.iter().map(|r| r.len() as u64).sum();
        let per_type = |p: &StackPlan| p.g.nodes.len() as u64;
        let steps_total = self
            .plans
            .iter()
            .map(|p| per_type(p).saturating_mul(p.types.len() as u64))
            .fold(0u64, u64::saturating_add);
        let steps_done = self
            .plans
            .iter()
            .zip(&self.results)
            .map(|(p, r)| per_type(p).saturating_mul(r.len() as u64))
            .fold(0u64, u64::saturating_add)
            .saturating_add(self.current.as_ref().map_or(0, |c| c.next as u64));
        Progress {
            done,
            total,
            steps_done,
            steps_total,
            layer_evaluations: self.memo.evaluations,
        }
    }

    pub fn is_done(&self) -> bool {
        let p = self.progress();
        p.done >= p.total
    }

    /// Aggregates the results (§3.10); runs what is left first.
    pub fn finish(mut self) -> Result<NetworkReport, NetworkError> {
        self.step(u64::MAX)?;
        Ok(self.report())
    }

    fn report(&self) -> NetworkReport {
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
                        tile_x: key.w,
                        tile_y: key.h,
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
                        tile_x: key.w,
                        tile_y: key.h,
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

fn empty_item() -> ItemReport {
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

fn entry(items: &mut Vec<ItemReport>, key: &str, make: impl FnOnce() -> ItemReport) -> usize {
    match items.iter().position(|i| i.reference_name == key) {
        Some(i) => i,
        None => {
            items.push(make());
            items.len() - 1
        }
    }
}

/// [`evaluate_network`] sharing single-layer evaluations through `cache`
/// (e.g. the three modes of one scenario).
pub fn evaluate_network_with(
    sc: &ValidScenario,
    sched: &Schedule,
    cache: &mut EvalCache,
) -> Result<NetworkReport, NetworkError> {
    let mut run = NetworkRun::new(sc, sched)?;
    run.set_cache(core::mem::take(cache));
    let r = run.step(u64::MAX);
    *cache = run.take_cache();
    r?;
    Ok(run.report())
}

/// [`evaluate_network`] with some reference quirks fixed (see [`Fixes`]).
pub fn evaluate_network_fixed(
    sc: &ValidScenario,
    sched: &Schedule,
    fixes: Fixes,
) -> Result<NetworkReport, NetworkError> {
    NetworkRun::with_fixes(sc, sched, fixes)?.finish()
}

/// Evaluates a network under a depth-first schedule (MODEL.md §3–§4).
pub fn evaluate_network(
    sc: &ValidScenario,
    sched: &Schedule,
) -> Result<NetworkReport, NetworkError> {
    NetworkRun::new(sc, sched)?.finish()
}
