//! [`EvalCache`]: single-layer evaluations memoised by everything they
//! depend on (layer shape, spatial mapping, trimmed hierarchy, LPF limit).

use alloc::string::String;
use alloc::vec::Vec;
use core::mem::{size_of, size_of_val};

use crate::input::hardware::Hardware;
use crate::input::mapping::SpatialMapping;
use crate::limits;
use crate::scenario::layer::LayerSpec;
use crate::single_layer::{evaluate_layer, EvalError, LayerCost, LomaConfig, SearchStats};

pub(super) struct Memo {
    /// [`fingerprint`] of the key, compared first.
    pub(super) fp: u64,
    pub(super) lpf: usize,
    pub(super) spec: LayerSpec,
    pub(super) sm: SpatialMapping,
    /// Index into [`EvalCache::hardware`]: the few trimmed hierarchies of
    /// a scenario are shared by all their entries.
    pub(super) hw: usize,
    pub(super) result: Result<LayerCost, EvalError>,
}

/// Single-layer evaluations shared within one run (and, through
/// [`evaluate_network_with`] or [`NetworkRun::set_cache`], across runs):
/// identical shape, spatial mapping, trimmed hierarchy and LPF limit give
/// the identical result. Lookups are linear; keep one cache per scenario.
///
/// Its memory is bounded: past [`limits::EVAL_CACHE_MAX_BYTES`]
/// (estimated) it forgets everything and starts afresh, which costs
/// re-evaluations, never a different number.
pub struct EvalCache {
    pub(super) entries: Vec<Memo>,
    pub(super) hardware: Vec<Hardware>,
    pub(super) evaluations: u64,
    /// What the LOMA searches run so far did, summed.
    pub(super) search: SearchStats,
    /// Estimated bytes held by `entries` and `hardware`.
    bytes: usize,
    max_bytes: usize,
}

impl Default for EvalCache {
    fn default() -> Self {
        EvalCache::with_max_bytes(limits::EVAL_CACHE_MAX_BYTES)
    }
}

impl EvalCache {
    /// A cache that holds at most about `max_bytes` (the default is
    /// [`limits::EVAL_CACHE_MAX_BYTES`]).
    pub fn with_max_bytes(max_bytes: usize) -> EvalCache {
        EvalCache {
            entries: Vec::new(),
            hardware: Vec::new(),
            evaluations: 0,
            search: SearchStats::default(),
            bytes: 0,
            max_bytes: max_bytes.min(limits::EVAL_CACHE_MAX_BYTES),
        }
    }

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

    /// The LOMA search counts of every evaluation run (cache misses).
    pub fn search_stats(&self) -> SearchStats {
        self.search
    }

    /// Estimated bytes held (bounded by the cache's budget).
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// The index of `hw` in the shared pool, adding it if new.
    fn hardware_index(&mut self, hw: &Hardware) -> usize {
        if let Some(i) = self.hardware.iter().position(|h| h == hw) {
            return i;
        }
        self.bytes += hardware_bytes(hw);
        self.hardware.push(hw.clone());
        self.hardware.len() - 1
    }

    /// The evaluation of layer `spec` at loop sizes `sizes` (a tile's) on
    /// `hw`; the tile-sized layer is built only on a miss.
    pub(super) fn eval(
        &mut self,
        spec: &LayerSpec,
        sizes: &[u64],
        hw: &Hardware,
        sm: &SpatialMapping,
        lpf: usize,
    ) -> Result<LayerCost, EvalError> {
        let fp = fingerprint(spec, sizes, hw, lpf);
        let pool = &self.hardware;
        let same = |m: &Memo| {
            m.fp == fp
                && m.lpf == lpf
                && m.spec.dims == spec.dims
                && m.spec.sizes == sizes
                && m.spec.operands == spec.operands
                && m.spec.relations == spec.relations
                && m.spec.o_final_bits == spec.o_final_bits
                && m.sm == *sm
                && pool.get(m.hw).is_some_and(|h| h == hw)
        };
        let r = match self.entries.iter().find(|m| same(m)) {
            Some(m) => m.result.clone(),
            None => {
                self.evaluations += 1;
                let mut tile = spec.clone();
                tile.sizes = sizes.to_vec();
                let spec = &tile;
                let r = evaluate_layer(spec, hw, sm, LomaConfig { lpf_limit: lpf });
                if let Ok(c) = &r {
                    self.search.add(&c.search);
                }
                if self.bytes > self.max_bytes {
                    self.entries.clear();
                    self.hardware.clear();
                    self.bytes = 0;
                }
                let hw = self.hardware_index(hw);
                self.bytes += memo_bytes(spec, &r);
                self.entries.push(Memo {
                    fp,
                    lpf,
                    spec: spec.clone(),
                    sm: sm.clone(),
                    hw,
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

/// Heap and inline bytes of a string, roughly.
fn text_bytes(s: &str) -> usize {
    size_of::<String>() + s.len()
}

/// Estimated bytes of one hierarchy.
fn hardware_bytes(hw: &Hardware) -> usize {
    size_of::<Hardware>()
        + text_bytes(&hw.name)
        + hw.levels
            .iter()
            .map(|l| {
                size_of_val(l)
                    + text_bytes(&l.name)
                    + l.served.len()
                    + l.slots.len() * 64
                    + l.ports
                        .iter()
                        .map(|p| 96 + p.serves.len() * 32)
                        .sum::<usize>()
            })
            .sum::<usize>()
        + hw.mem_ops.iter().map(|m| text_bytes(m)).sum::<usize>()
        + hw.array_dims.len() * 48
}

/// Estimated bytes of one entry (its key's layer and its result).
fn memo_bytes(spec: &LayerSpec, r: &Result<LayerCost, EvalError>) -> usize {
    let layer = spec.dims.iter().map(|d| text_bytes(d) + 8).sum::<usize>()
        + spec.operands.len() * (128 + 2 * spec.dims.len())
        + spec.relations.len() * 64;
    let cost = match r {
        Ok(c) => c
            .operands
            .iter()
            .map(|o| {
                128 + o.levels.len() * 256
                    + o.temporal_loops
                        .iter()
                        .map(|l| 24 + l.len() * 40)
                        .sum::<usize>()
            })
            .sum::<usize>(),
        Err(_) => 64,
    };
    size_of::<Memo>() + layer + cost
}

/// A cheap digest of the parts of a cache key that differ between tiles
/// and trims (sizes, LPF limit, the trimmed levels); equal keys give equal
/// digests, and the full key is compared when digests match.
pub(super) fn fingerprint(spec: &LayerSpec, sizes: &[u64], hw: &Hardware, lpf: usize) -> u64 {
    const P: u64 = 0x0100_0000_01b3;
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut mix = |v: u64| h = (h ^ v).wrapping_mul(P);
    mix(lpf as u64);
    mix(sizes.len() as u64);
    for &s in sizes {
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
