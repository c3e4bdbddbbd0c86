//! The paper's case study 1 figures (Mei et al., HPCA 2023), recomputed
//! from the page's own case-study-1 sweep of FSRCNN on Meta_prototype_DF:
//! Fig. 12 (energy and latency per mode and tile size, on the paper's
//! fixed colour scales), Fig. 13 (MACs with recomputation over the six
//! diagonal tile sizes), Fig. 14 (activation element accesses at DRAM, the
//! global and the local buffer, docs/model.md §4.3), Fig. 15 (energy and
//! latency split over them).

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

/// The 18 bars of one number per schedule, one series per mode (each bar
/// has only its own mode's segment, so the modes get their colours), on a
/// log scale as in the paper.
fn per_mode(
    s: &State,
    title: String,
    y_title: &str,
    value: impl Fn(&SweepTotals) -> f64,
) -> StackedBars {
    let b = bars();
    StackedBars {
        log_y: true,
        title,
        x_title: "tile size and overlap mode".into(),
        y_title: y_title.into(),
        categories: b.iter().map(|&(m, t)| label(m, t)).collect(),
        series: (0..3)
            .map(|mode| Series {
                name: format!("mode {}: {}", mode + 1, Overlap::ALL[mode].label()),
                values: b
                    .iter()
                    .map(|&(m, t)| {
                        if m == mode {
                            at(s, m, t).map_or(0.0, &value)
                        } else {
                            0.0
                        }
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// Fig. 13: MACs including recomputation, per mode over the diagonal tiles.
pub fn fig13(s: &State) -> StackedBars {
    per_mode(
        s,
        "Fig. 13 MACs with recomputation".into(),
        "MACs (log)",
        |v| v.macs as f64,
    )
}

/// The memories Fig. 14 shows, top first: those holding the stack input
/// (`I1`) — DRAM, the global and the local buffer on Meta_prototype_DF.
pub fn fig14_memories(s: &State) -> Vec<String> {
    let Some(sc) = &s.derived.scenario else {
        return Vec::new();
    };
    let hw = &sc.hardware;
    let Some(i1) = hw.mem_ops.iter().position(|m| m == "I1") else {
        return Vec::new();
    };
    (hw.levels.iter().rev())
        .filter(|l| l.stores(i1))
        .map(|l| l.name.clone())
        .collect()
}

/// Fig. 14: activation element accesses of the compute layers (input and
/// output activations, all four directions; data copies not included, as
/// in the paper) at each of [`fig14_memories`], per mode over the diagonal
/// tiles.
pub fn fig14(s: &State) -> Vec<StackedBars> {
    (fig14_memories(s).into_iter())
        .map(|mem| {
            let title = format!("Fig. 14 activation accesses · {mem}");
            per_mode(s, title, "elements (log)", |v| {
                (v.element_accesses.iter())
                    .find(|a| a.memory == mem)
                    .map_or(0.0, |a| a.activations)
            })
        })
        .collect()
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
        log_y: false,
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
        log_y: false,
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
