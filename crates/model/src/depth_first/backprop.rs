//! Back-propagation of tile sizes through a stack (docs/model.md §3.3), with the
//! overlap to cache or reuse horizontally and vertically. Quirk: Q26
//! (repeated visits overwrite lag entries, LIFO order).

use alloc::collections::{BTreeMap, VecDeque};
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;

use super::graph::{get, tensor_dims, Graph, Node};
use crate::limits;
use crate::scenario::layer::LayerSpec;
use crate::vec_map::find_or_push;

/// Columns (rows) a producer writes to the H (V) cache.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct CacheWrite {
    /// The producing node.
    pub producer: usize,
    /// Its loop dimension along the cache.
    pub dim: String,
    /// Columns (rows) to cache.
    pub amount: i64,
}

/// The overlap a consumer's operand reads from the H (V) cache.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct CacheRead {
    /// (consumer node, operand index).
    pub key: (usize, usize),
    /// The input dimension along the cache.
    pub dim: String,
    /// The overlap in that dimension.
    pub amount: i64,
}

/// Result of one back-propagation (§3.3).
#[derive(Clone, Debug, Default)]
pub(crate) struct Backprop {
    /// Loop sizes per node after the back-propagation.
    pub sizes: Vec<Vec<u64>>,
    /// Nodes in the order they were first given a required size (the
    /// output layer first).
    pub order: Vec<usize>,
    /// Per producer: (its dimension, columns/rows to cache).
    pub to_cache_h: Vec<CacheWrite>,
    pub to_cache_v: Vec<CacheWrite>,
    /// Per (consumer, operand): (input dimension, overlap).
    pub in_h: Vec<CacheRead>,
    pub in_v: Vec<CacheRead>,
}

/// What one consumer reads of a producer along one cache direction.
#[derive(Clone, Debug)]
struct ConsumerRead {
    consumer: usize,
    /// The producer's loop dimension along the cache.
    dim: String,
    /// Columns (rows) the consumer reads of the previous tile.
    amount: i64,
    /// The consumer's accumulated lag.
    lag: i64,
}

/// What each consumer of one producer reads of it (H or V).
#[derive(Clone, Debug)]
struct ProducerReads {
    producer: usize,
    /// In the order the consumers were first seen.
    reads: Vec<ConsumerRead>,
}

/// Per producer, in the order first seen: what its consumers read of it.
type ReadsOf = Vec<ProducerReads>;

/// Records what consumer `c` reads of producer `p`; returns the largest lag
/// over `p`'s consumers and whether the entry changed.
fn set_out(o: &mut ReadsOf, p: usize, c: usize, dim: &str, amount: i64, lag: i64) -> (i64, bool) {
    let i = find_or_push(
        o,
        |x| x.producer == p,
        || ProducerReads {
            producer: p,
            reads: Vec::new(),
        },
    );
    let list = &mut o[i].reads;
    let read = ConsumerRead {
        consumer: c,
        dim: dim.to_string(),
        amount,
        lag,
    };
    let changed = match list.iter_mut().find(|x| x.consumer == c) {
        Some(x) => {
            let changed = x.dim != dim || x.amount != amount || x.lag != lag;
            *x = read;
            changed
        }
        None => {
            list.push(read);
            true
        }
    };
    (list.iter().map(|x| x.lag).max().unwrap_or(lag), changed)
}

/// One visit of the back-propagation's work list: a node reached with the
/// dimensions to follow and the accumulated lags.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Visit {
    node: usize,
    /// The node's loop dimensions along H and V.
    dim_x: String,
    dim_y: String,
    lag_h: i64,
    lag_v: i64,
}

/// Skips visits that provably change nothing, so that a network with many
/// reconverging branches (each path is a visit) costs a polynomial number
/// of visits instead of one per path, with the same result bit for bit.
///
/// The walk is depth first: everything a visit of node `n` pushes is a
/// visit of an ancestor of `n` and is done before any older visit. What
/// such a sub-walk reads is the state of `n` (its sizes) and of `n`'s
/// ancestors (sizes, required sizes, what their consumers read); it is a
/// deterministic function of that state. So when a visit repeats an
/// earlier visit and none of that state changed since the earlier one
/// started, the earlier one changed nothing, and the repeat would change
/// nothing again: it is skipped. (Q26's last-write-wins order is kept,
/// because only writes that change nothing are skipped.)
struct SkipRule {
    clock: u64,
    /// Last change of node `v`'s sizes or required size.
    size_changed: Vec<u64>,
    /// Last change of what `v`'s consumers read of it (`out_h`/`out_v`).
    reads_changed: Vec<u64>,
    started: BTreeMap<Visit, u64>,
    /// Scratch for the ancestor walk: `seen[v] == stamp` means visited.
    seen: Vec<u64>,
    stamp: u64,
}

impl SkipRule {
    fn new(n: usize) -> SkipRule {
        SkipRule {
            clock: 0,
            size_changed: vec![0; n],
            reads_changed: vec![0; n],
            started: BTreeMap::new(),
            seen: vec![0; n],
            stamp: 0,
        }
    }

    fn size_change(&mut self, v: usize) {
        self.clock += 1;
        self.size_changed[v] = self.clock;
    }

    fn reads_change(&mut self, v: usize) {
        self.clock += 1;
        self.reads_changed[v] = self.clock;
    }

    /// `true` when `visit` can be skipped; otherwise records its start.
    fn skip(&mut self, g: &Graph, visit: &Visit) -> bool {
        let n = visit.node;
        if let Some(&t) = self.started.get(visit) {
            if self.size_changed[n] <= t && self.ancestors_unchanged_since(g, n, t) {
                return true;
            }
        }
        self.started.insert(visit.clone(), self.clock);
        false
    }

    fn ancestors_unchanged_since(&mut self, g: &Graph, n: usize, t: u64) -> bool {
        self.stamp += 1;
        let mut stack: Vec<usize> = g.pred[n].clone();
        while let Some(a) = stack.pop() {
            if self.seen[a] == self.stamp {
                continue;
            }
            self.seen[a] = self.stamp;
            if self.size_changed[a] > t || self.reads_changed[a] > t {
                return false;
            }
            stack.extend_from_slice(&g.pred[a]);
        }
        true
    }
}

fn set_in(v: &mut Vec<CacheRead>, key: (usize, usize), dim: &str, ov: i64) {
    let read = CacheRead {
        key,
        dim: dim.to_string(),
        amount: ov,
    };
    match v.iter_mut().find(|x| x.key == key) {
        Some(x) => *x = read,
        None => v.push(read),
    }
}

/// Which input dimension carries a loop dimension of the consumer, and its
/// coefficient (stride).
fn input_dim(spec: &LayerSpec, ext: &[(String, i64)], d: &str) -> Option<(String, i64)> {
    if get(ext, d).is_some() {
        return Some((d.to_string(), 1));
    }
    spec.relations.iter().find_map(|r| {
        let coef = if spec.dims.get(r.a).is_some_and(|x| x == d) {
            r.sa
        } else if spec.dims.get(r.b).is_some_and(|x| x == d) {
            r.sb
        } else {
            return None;
        };
        get(ext, &r.name).map(|_| (r.name.clone(), coef as i64))
    })
}

/// Flags of one back-propagation.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct BpFlags {
    pub use_h: bool,
    pub make_h: bool,
    pub use_v: bool,
    pub make_v: bool,
}

/// §3.3 on a stack whose sizes start at `base`; `tile` = the output
/// layer's `OX × OY` (none keeps them).
pub(crate) fn backprop(
    g: &Graph,
    base: &[Vec<u64>],
    tile: Option<(u64, u64)>,
    f: BpFlags,
) -> Result<Backprop, String> {
    let out = g
        .single_output()
        .map_err(|e| format!("the stack has {e}"))?;
    let mut sizes = base.to_vec();
    let on = &g.nodes[out];
    let ox = on.spec.dim_index("OX");
    let oy = on.spec.dim_index("OY");
    let (Some(ox), Some(oy)) = (ox, oy) else {
        return Err(format!(
            "layer {} has no OX/OY loops; depth-first tiling needs both (Q29)",
            on.id
        ));
    };
    if let Some((tx, ty)) = tile {
        sizes[out][ox] = tx.max(1);
        sizes[out][oy] = ty.max(1);
    }
    let need = vec![(out, (sizes[out][ox] as i64, sizes[out][oy] as i64))];
    let mut walk = Walk {
        g,
        f,
        sizes,
        need,
        bp: Backprop::default(),
        out_h: Vec::new(),
        out_v: Vec::new(),
        work: VecDeque::new(),
        skip: SkipRule::new(g.nodes.len()),
        steps: 0,
    };
    walk.work.push_back(Visit {
        node: out,
        dim_x: "OX".into(),
        dim_y: "OY".into(),
        lag_h: 0,
        lag_v: 0,
    });
    while let Some(visit) = walk.work.pop_front() {
        if walk.skip.skip(g, &visit) {
            continue;
        }
        walk.visit(visit)?;
    }
    let mut bp = walk.bp;
    bp.to_cache_h = cache_writes(&walk.out_h, f.make_h);
    bp.to_cache_v = cache_writes(&walk.out_v, f.make_v);
    bp.order = walk.need.iter().map(|x| x.0).collect();
    bp.sizes = walk.sizes;
    Ok(bp)
}

/// The state of the back-propagation's depth-first walk.
struct Walk<'g> {
    g: &'g Graph,
    f: BpFlags,
    /// Loop sizes per node so far.
    sizes: Vec<Vec<u64>>,
    /// Per node, in the order first reached: its required (x, y) size.
    need: Vec<(usize, (i64, i64))>,
    /// The cache reads found so far (`in_h`, `in_v`).
    bp: Backprop,
    out_h: ReadsOf,
    out_v: ReadsOf,
    /// Visits to do, the next first.
    work: VecDeque<Visit>,
    skip: SkipRule,
    steps: u64,
}

/// One edge of the walk, consumer to producer: what the consumer's operand
/// needs along the two tile dimensions.
struct EdgeNeed {
    /// The input dimensions along H and V.
    in_x: String,
    in_y: String,
    /// Overlap with the previous tile along H and V (≥ 0).
    ov_x: i64,
    ov_y: i64,
    /// The lags passed on to the producer.
    lag_h: i64,
    lag_v: i64,
    /// The producer size required (without the overlap when it is reused).
    need_x: i64,
    need_y: i64,
}

impl Walk<'_> {
    /// One visit: every source of the visited node, in source order.
    fn visit(&mut self, visit: Visit) -> Result<(), String> {
        self.steps += 1;
        if self.steps > limits::MAX_BACKPROP_VISITS {
            return Err(limits::exceeded(
                "the back-propagation's visits",
                self.steps,
                limits::MAX_BACKPROP_VISITS,
                "use fewer reconverging branches per stack",
            ));
        }
        let g = self.g;
        let node = &g.nodes[visit.node];
        let (dx, dy) = (&visit.dim_x, &visit.dim_y);
        let (Some(ix), Some(iy)) = (node.spec.dim_index(dx), node.spec.dim_index(dy)) else {
            return Err(format!(
                "layer {} has no loop `{dx}` or `{dy}` (Q29)",
                node.id
            ));
        };
        for &(k, p) in &node.srcs {
            self.edge(&visit, (ix, iy), k, p)?;
        }
        Ok(())
    }

    /// The edge from the visited node's operand `k` to its producer `p`:
    /// records the cache reads, raises `p`'s required size and pushes the
    /// visit of `p`.
    fn edge(
        &mut self,
        visit: &Visit,
        ixy: (usize, usize),
        k: usize,
        p: usize,
    ) -> Result<(), String> {
        let g = self.g;
        let n = visit.node;
        let node = &g.nodes[n];
        let e = edge_need(node, k, &self.sizes[n], ixy, visit, self.f)?;
        set_in(&mut self.bp.in_h, (n, k), &e.in_x, e.ov_x);
        set_in(&mut self.bp.in_v, (n, k), &e.in_y, e.ov_y);
        let (nx_p, ny_p) = self.require(p, e.need_x, e.need_y);
        let (px, py) = mapped_dims(node, k, &e.in_x, &e.in_y)?;
        let pn = &g.nodes[p];
        let (Some(pxi), Some(pyi)) = (pn.spec.dim_index(&px), pn.spec.dim_index(&py)) else {
            return Err(format!(
                "layer {} has no loop `{px}` or `{py}` that layer {} maps its input to",
                pn.id, node.id
            ));
        };
        let (new_x, new_y) = (nx_p.max(1) as u64, ny_p.max(1) as u64);
        if (self.sizes[p][pxi], self.sizes[p][pyi]) != (new_x, new_y) {
            self.skip.size_change(p);
        }
        self.sizes[p][pxi] = new_x;
        self.sizes[p][pyi] = new_y;
        let f = self.f;
        let amount_h = if f.make_h { e.ov_x } else { 0 };
        let amount_v = if f.make_v { e.ov_y } else { 0 };
        let (lh, ch) = set_out(&mut self.out_h, p, n, &px, amount_h, e.lag_h);
        let (lv, cv) = set_out(&mut self.out_v, p, n, &py, amount_v, e.lag_v);
        if ch || cv {
            self.skip.reads_change(p);
        }
        self.work.push_front(Visit {
            node: p,
            dim_x: px,
            dim_y: py,
            lag_h: lh,
            lag_v: lv,
        });
        Ok(())
    }

    /// Raises `p`'s required size to at least (`x`, `y`); returns it.
    fn require(&mut self, p: usize, x: i64, y: i64) -> (i64, i64) {
        let known = self.need.len();
        let ni = find_or_push(&mut self.need, |v| v.0 == p, || (p, (0, 0)));
        let nd = &mut self.need[ni].1;
        let before = *nd;
        nd.0 = nd.0.max(x);
        nd.1 = nd.1.max(y);
        let now = *nd;
        if self.need.len() != known || now != before {
            self.skip.size_change(p);
        }
        now
    }
}

/// What operand `k` of `node` (loop sizes `size_n`, tile loops at `ixy`)
/// needs of its producer on `visit`.
fn edge_need(
    node: &Node,
    k: usize,
    size_n: &[u64],
    (ix, iy): (usize, usize),
    visit: &Visit,
    f: BpFlags,
) -> Result<EdgeNeed, String> {
    let (dx, dy) = (&visit.dim_x, &visit.dim_y);
    let ext = tensor_dims(&node.spec, k, size_n);
    let (Some((idx, sx)), Some((idy, sy))) = (
        input_dim(&node.spec, &ext, dx),
        input_dim(&node.spec, &ext, dy),
    ) else {
        return Err(format!(
            "layer {}: operand `{}` exposes neither `{dx}`/`{dy}` nor a relation on them (Q29)",
            node.id, node.spec.operands[k].name
        ));
    };
    let ex = get(&ext, &idx).unwrap_or(1);
    let ey = get(&ext, &idy).unwrap_or(1);
    let nx = size_n[ix] as i64;
    let ny = size_n[iy] as i64;
    // saturating: coefficients are user input
    let dx_ = ex.saturating_sub(nx.saturating_mul(sx));
    let dy_ = ey.saturating_sub(ny.saturating_mul(sy));
    let ov_x = dx_.max(0);
    let ov_y = dy_.max(0);
    let lag = |s: i64, l: i64, d: i64, ov: i64| {
        s.saturating_mul(l)
            .saturating_sub(d.saturating_add(s).saturating_sub(1).div_euclid(2))
            .saturating_add(ov)
    };
    Ok(EdgeNeed {
        lag_h: lag(sx, visit.lag_h, dx_, ov_x),
        lag_v: lag(sy, visit.lag_v, dy_, ov_y),
        need_x: if f.use_h { ex.saturating_sub(ov_x) } else { ex },
        need_y: if f.use_v { ey.saturating_sub(ov_y) } else { ey },
        in_x: idx,
        in_y: idy,
        ov_x,
        ov_y,
    })
}

/// The producer's dimensions that operand `k` of `node` maps its input
/// dimensions `idx`, `idy` to.
fn mapped_dims(node: &Node, k: usize, idx: &str, idy: &str) -> Result<(String, String), String> {
    let map = |d: &str| {
        node.dmap
            .get(k)
            .and_then(|m| m.iter().find(|x| x.0 == d))
            .map(|x| x.1.clone())
    };
    let (Some(px), Some(py)) = (map(idx), map(idy)) else {
        return Err(format!(
            "layer {}: operand_source_dimension_mapping of `{}` does not map `{idx}` and `{idy}`",
            node.id, node.spec.operands[k].name
        ));
    };
    Ok((px, py))
}

/// Per producer: the last consumer's dimension and (when caching) the
/// spread of lags minus reads over its consumers.
fn cache_writes(o: &ReadsOf, make: bool) -> Vec<CacheWrite> {
    o.iter()
        .map(|pr| {
            let list = &pr.reads;
            let dim = list.last().map(|x| x.dim.clone()).unwrap_or_default();
            let amount = if make {
                let mx = list.iter().map(|x| x.lag).max().unwrap_or(0);
                let mn = list
                    .iter()
                    .map(|x| x.lag.saturating_sub(x.amount))
                    .min()
                    .unwrap_or(0);
                mx.saturating_sub(mn)
            } else {
                0
            };
            CacheWrite {
                producer: pr.producer,
                dim,
                amount,
            }
        })
        .collect()
}
