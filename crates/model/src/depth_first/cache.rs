//! [`EvalCache`]: single-layer evaluations memoised by everything they
//! depend on (layer shape, spatial mapping, trimmed hierarchy, LPF limit).

use alloc::vec::Vec;

use crate::input::hardware::Hardware;
use crate::input::mapping::SpatialMapping;
use crate::scenario::layer::LayerSpec;
use crate::single_layer::{evaluate_layer, EvalError, LayerCost, LomaConfig};

pub(super) struct Memo {
    /// [`fingerprint`] of the key, compared first.
    pub(super) fp: u64,
    pub(super) lpf: usize,
    pub(super) spec: LayerSpec,
    pub(super) sm: SpatialMapping,
    pub(super) hw: Hardware,
    pub(super) result: Result<LayerCost, EvalError>,
}

/// Single-layer evaluations shared within one run (and, through
/// [`evaluate_network_with`] or [`NetworkRun::set_cache`], across runs):
/// identical shape, spatial mapping, trimmed hierarchy and LPF limit give
/// the identical result. Lookups are linear; keep one cache per scenario.
#[derive(Default)]
pub struct EvalCache {
    pub(super) entries: Vec<Memo>,
    pub(super) evaluations: u64,
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

    pub(super) fn eval(
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
pub(super) fn fingerprint(spec: &LayerSpec, hw: &Hardware, lpf: usize) -> u64 {
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
