//! Back-propagation of tile sizes through a stack (docs/model.md §3.3), with the
//! overlap to cache or reuse horizontally and vertically. Quirk: Q26
//! (repeated visits overwrite lag entries, LIFO order).

use alloc::collections::{BTreeMap, VecDeque};
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;

use super::graph::{get, tensor_dims, Graph};
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

type Out = Vec<(usize, Vec<(usize, String, i64, i64)>)>;

/// Records what consumer `c` reads of producer `p`; returns the largest lag
/// over `p`'s consumers and whether the entry changed.
fn set_out(o: &mut Out, p: usize, c: usize, dim: &str, amount: i64, lag: i64) -> (i64, bool) {
    let i = find_or_push(o, |x| x.0 == p, || (p, Vec::new()));
    let list = &mut o[i].1;
    let changed = match list.iter_mut().find(|x| x.0 == c) {
        Some(x) => {
            let changed = x.1 != dim || x.2 != amount || x.3 != lag;
            *x = (c, dim.to_string(), amount, lag);
            changed
        }
        None => {
            list.push((c, dim.to_string(), amount, lag));
            true
        }
    };
    (list.iter().map(|x| x.3).max().unwrap_or(lag), changed)
}

/// One visit of the back-propagation's work list: a node reached with the
/// dimensions to follow and the accumulated lags.
type Visit = (usize, String, String, i64, i64);

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
        let n = visit.0;
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
    let mut need: Vec<(usize, (i64, i64))> =
        vec![(out, (sizes[out][ox] as i64, sizes[out][oy] as i64))];
    let mut bp = Backprop::default();
    let mut out_h: Out = Vec::new();
    let mut out_v: Out = Vec::new();
    let mut work: VecDeque<Visit> = VecDeque::new();
    work.push_back((out, "OX".into(), "OY".into(), 0, 0));
    let mut skip = SkipRule::new(g.nodes.len());
    let mut steps = 0u64;
    while let Some(visit) = work.pop_front() {
        if skip.skip(g, &visit) {
            continue;
        }
        let (n, dx, dy, lag_h, lag_v) = visit;
        steps += 1;
        if steps > limits::MAX_BACKPROP_VISITS {
            return Err(limits::exceeded(
                "the back-propagation's visits",
                steps,
                limits::MAX_BACKPROP_VISITS,
                "use fewer reconverging branches per stack",
            ));
        }
        let node = &g.nodes[n];
        let (Some(ix), Some(iy)) = (node.spec.dim_index(&dx), node.spec.dim_index(&dy)) else {
            return Err(format!(
                "layer {} has no loop `{dx}` or `{dy}` (Q29)",
                node.id
            ));
        };
        for &(k, p) in &node.srcs {
            let ext = tensor_dims(&node.spec, k, &sizes[n]);
            let (Some((idx, sx)), Some((idy, sy))) = (
                input_dim(&node.spec, &ext, &dx),
                input_dim(&node.spec, &ext, &dy),
            ) else {
                return Err(format!(
                    "layer {}: operand `{}` exposes neither `{dx}`/`{dy}` nor a relation on them (Q29)",
                    node.id, node.spec.operands[k].name
                ));
            };
            let ex = get(&ext, &idx).unwrap_or(1);
            let ey = get(&ext, &idy).unwrap_or(1);
            let nx = sizes[n][ix] as i64;
            let ny = sizes[n][iy] as i64;
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
            let nl_h = lag(sx, lag_h, dx_, ov_x);
            let nl_v = lag(sy, lag_v, dy_, ov_y);
            set_in(&mut bp.in_h, (n, k), &idx, ov_x);
            set_in(&mut bp.in_v, (n, k), &idy, ov_y);
            let ex2 = if f.use_h { ex.saturating_sub(ov_x) } else { ex };
            let ey2 = if f.use_v { ey.saturating_sub(ov_y) } else { ey };
            let known = need.len();
            let ni = find_or_push(&mut need, |x| x.0 == p, || (p, (0, 0)));
            let nd = &mut need[ni].1;
            let before = *nd;
            nd.0 = nd.0.max(ex2);
            nd.1 = nd.1.max(ey2);
            let (nx_p, ny_p) = *nd;
            if need.len() != known || (nx_p, ny_p) != before {
                skip.size_change(p);
            }
            let map = |d: &str| {
                node.dmap
                    .get(k)
                    .and_then(|m| m.iter().find(|x| x.0 == d))
                    .map(|x| x.1.clone())
            };
            let (Some(px), Some(py)) = (map(&idx), map(&idy)) else {
                return Err(format!(
                    "layer {}: operand_source_dimension_mapping of `{}` does not map `{idx}` and `{idy}`",
                    node.id, node.spec.operands[k].name
                ));
            };
            let pn = &g.nodes[p];
            let (Some(pxi), Some(pyi)) = (pn.spec.dim_index(&px), pn.spec.dim_index(&py)) else {
                return Err(format!(
                    "layer {} has no loop `{px}` or `{py}` that layer {} maps its input to",
                    pn.id, node.id
                ));
            };
            let (new_x, new_y) = (nx_p.max(1) as u64, ny_p.max(1) as u64);
            if (sizes[p][pxi], sizes[p][pyi]) != (new_x, new_y) {
                skip.size_change(p);
            }
            sizes[p][pxi] = new_x;
            sizes[p][pyi] = new_y;
            let (lh, ch) = set_out(&mut out_h, p, n, &px, if f.make_h { ov_x } else { 0 }, nl_h);
            let (lv, cv) = set_out(&mut out_v, p, n, &py, if f.make_v { ov_y } else { 0 }, nl_v);
            if ch || cv {
                skip.reads_change(p);
            }
            work.push_front((p, px, py, lh, lv));
        }
    }
    let cache = |o: &Out, make: bool| -> Vec<CacheWrite> {
        o.iter()
            .map(|(p, list)| {
                let dim = list.last().map(|x| x.1.clone()).unwrap_or_default();
                let amount = if make {
                    let mx = list.iter().map(|x| x.3).max().unwrap_or(0);
                    let mn = list.iter().map(|x| x.3 - x.2).min().unwrap_or(0);
                    mx.saturating_sub(mn)
                } else {
                    0
                };
                CacheWrite {
                    producer: *p,
                    dim,
                    amount,
                }
            })
            .collect()
    };
    bp.to_cache_h = cache(&out_h, f.make_h);
    bp.to_cache_v = cache(&out_v, f.make_v);
    bp.order = need.iter().map(|x| x.0).collect();
    bp.sizes = sizes;
    Ok(bp)
}
