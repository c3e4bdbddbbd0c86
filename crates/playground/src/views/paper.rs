//! The paper's case study 1 figures (Mei et al., HPCA 2023), recomputed
//! from the page's own case-study-1 sweep of FSRCNN on Meta_prototype_DF:
//! Fig. 12 (energy and latency per mode and tile size, on the paper's
//! fixed colour scales), Fig. 13 (MACs with recomputation over the six
//! diagonal tile sizes), Fig. 15 (energy and latency split over them).
//! Fig. 14 (activation accesses per memory level) needs word-access counts
//! a sweep does not keep; it is not drawn.

use super::{heat_maps, Metric};
use crate::charts::{HeatMap, Series, StackedBars};
use crate::state::{Grid, State, SweepKind};
use defines_model::{Overlap, SweepTotals};

/// The six tile sizes on the diagonal of the case-study-1 grid.
pub const DIAGONAL: [(u64, u64); 6] = [(1, 1), (4, 4), (16, 18), (60, 72), (240, 270), (960, 540)];

/// Fig. 12's fixed colour scales: 1.8–47.3 mJ and 18–1026 Mcycles.
pub const FIG12_ENERGY_PJ: (f64, f64) = (1.8e9, 47.3e9);
pub const FIG12_LATENCY_CYCLES: (f64, f64) = (18e6, 1026e6);

/// Whether the shown sweep is case study 1: FSRCNN on Meta_prototype_DF
/// (edited documents give other numbers: the card says so), the
/// case-study-1 grid, done.
pub fn is_case_study(s: &State) -> bool {
    let sc = &s.scenario;
    sc.hardware == "Meta_prototype_DF"
        && sc.workload == "fsrcnn"
        && s.sweep.as_ref().is_some_and(|w| {
            w.kind == SweepKind::Schedules
                && w.grid == Grid::CaseStudy1
                && !w.running
                && !w.cancelled
        })
}

/// The totals of (mode index, tile) in the sweep's first cut set.
fn at(s: &State, m: usize, (x, y): (u64, u64)) -> Option<&SweepTotals> {
    let sw = s.sweep.as_ref()?;
    sw.points
        .iter()
        .find(|p| {
            p.schedule.overlap.index() == m
                && p.schedule.tile.x == x
                && p.schedule.tile.y == y
                && sw.group_of(&p.schedule) == 0
        })
        .and_then(|p| p.outcome.as_ref().ok())
}

/// Fig. 12: the six heat maps on the paper's scales.
pub fn fig12(s: &State) -> Vec<HeatMap> {
    let mut maps = heat_maps(s, Metric::Energy, 0);
    for (k, m) in maps.iter_mut().enumerate() {
        m.range = FIG12_ENERGY_PJ;
        m.title = format!("Fig. 12 energy · mode {}", k + 1);
    }
    let mut lat = heat_maps(s, Metric::Latency, 0);
    for (k, m) in lat.iter_mut().enumerate() {
        m.range = FIG12_LATENCY_CYCLES;
        m.title = format!("Fig. 12 latency · mode {}", k + 1);
    }
    maps.extend(lat);
    maps
}

fn label(m: usize, (x, y): (u64, u64)) -> String {
    format!("{x}×{y} m{}", m + 1)
}

/// The 18 bars: the diagonal tiles, each with its three modes.
fn bars() -> Vec<(usize, (u64, u64))> {
    DIAGONAL
        .iter()
        .flat_map(|&t| (0..3).map(move |m| (m, t)))
        .collect()
}

/// Fig. 13: MACs including recomputation, per mode over the diagonal tiles.
pub fn fig13(s: &State) -> StackedBars {
    let b = bars();
    StackedBars {
        title: "Fig. 13 MACs with recomputation".into(),
        x_title: "tile size and overlap mode".into(),
        y_title: "MACs".into(),
        categories: b.iter().map(|&(m, t)| label(m, t)).collect(),
        series: (0..3)
            .map(|mode| Series {
                name: format!("mode {}: {}", mode + 1, Overlap::ALL[mode].label()),
                values: b
                    .iter()
                    .map(|&(m, t)| {
                        if m == mode {
                            at(s, m, t).map_or(0.0, |v| v.macs as f64)
                        } else {
                            0.0
                        }
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// Fig. 15 (energy): MAC, memory of compute layers, data copies.
pub fn fig15_energy(s: &State) -> StackedBars {
    let b = bars();
    let part = |k: usize| -> Vec<f64> {
        b.iter()
            .map(|&(m, t)| {
                at(s, m, t).map_or(0.0, |v| match k {
                    0 => v.mac_energy_pj,
                    1 => v.mem_energy_pj,
                    _ => v.data_copy_energy_pj,
                })
            })
            .collect()
    };
    StackedBars {
        title: "Fig. 15 energy".into(),
        x_title: "tile size and overlap mode".into(),
        y_title: "energy (pJ)".into(),
        categories: b.iter().map(|&(m, t)| label(m, t)).collect(),
        series: ["MAC", "memory (compute layers)", "data copies"]
            .iter()
            .enumerate()
            .map(|(k, n)| Series {
                name: (*n).into(),
                values: part(k),
            })
            .collect(),
    }
}

/// Fig. 15 (latency): ideal, spatial stall, temporal stall, data preparation.
pub fn fig15_latency(s: &State) -> StackedBars {
    let b = bars();
    StackedBars {
        title: "Fig. 15 latency".into(),
        x_title: "tile size and overlap mode".into(),
        y_title: "latency (cycles)".into(),
        categories: b.iter().map(|&(m, t)| label(m, t)).collect(),
        series: [
            "ideal",
            "spatial stall",
            "temporal stall",
            "data preparation",
        ]
        .iter()
        .enumerate()
        .map(|(k, n)| Series {
            name: (*n).into(),
            values: b
                .iter()
                .map(|&(m, t)| at(s, m, t).map_or(0.0, |v| v.latency_split[k] as f64))
                .collect(),
        })
        .collect(),
    }
}
