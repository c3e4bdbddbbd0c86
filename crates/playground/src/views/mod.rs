//! Chart models and table rows derived from model results: pure functions
//! from a report or a sweep to what the page draws.

mod compare;
mod hw_sweep;
pub mod paper;

pub use compare::{ab_bars, ab_metrics, layer_deltas, ratio, LayerDelta};
pub use hw_sweep::{hw_csv, hw_heat_maps, hw_lines, hw_rows, show_value, HwRow};

use crate::charts::{HeatMap, Scatter, ScatterPoint, Series, StackedBars};
use crate::state::{State, SweepKind};
use defines_model::{ItemKind, NetworkReport, Overlap, Schedule};

/// Energy per place: MAC, every memory instance (split by operand) and the
/// data copies.
/// Memory instances are listed in `order` (the hardware's bottom-to-top
/// order) where known, then any others in report order.
pub fn energy_breakdown(r: &NetworkReport, order: &[String]) -> StackedBars {
    let mut memories: Vec<&str> = order
        .iter()
        .map(String::as_str)
        .filter(|m| r.energy_by_memory_pj.get(m).is_some())
        .collect();
    for (k, _) in r.energy_by_memory_pj.iter() {
        if !memories.contains(&k) {
            memories.push(k);
        }
    }
    let mut operands: Vec<&str> = Vec::new();
    for (key, _) in r.energy_by_memory_and_operand_pj.iter() {
        if let Some((_, op)) = key.split_once('|') {
            if !operands.contains(&op) {
                operands.push(op);
            }
        }
    }
    let n = memories.len() + 2;
    let mut categories = vec!["MAC".to_string()];
    categories.extend(memories.iter().map(|m| m.to_string()));
    categories.push("data copies".into());
    let mut series = vec![Series {
        name: "MAC".into(),
        values: one_at(n, 0, r.mac_energy_pj),
    }];
    for op in &operands {
        series.push(Series {
            name: format!("operand {op}"),
            values: (0..n)
                .map(|i| {
                    i.checked_sub(1)
                        .and_then(|m| memories.get(m))
                        .and_then(|m| r.energy_by_memory_and_operand_pj.get(&format!("{m}|{op}")))
                        .copied()
                        .unwrap_or(0.0)
                })
                .collect(),
        });
    }
    series.push(Series {
        name: "data copies".into(),
        values: one_at(n, n - 1, r.data_copy_energy_pj),
    });
    StackedBars {
        log_y: false,
        title: "Energy breakdown".into(),
        x_title: "where the energy goes (memory instances bottom to top)".into(),
        y_title: "energy (pJ)".into(),
        categories,
        series,
    }
}

fn one_at(n: usize, i: usize, v: f64) -> Vec<f64> {
    (0..n).map(|k| if k == i { v } else { 0.0 }).collect()
}

/// Latency per compute layer: ideal cycles, spatial stall (under-used
/// array), temporal stall (memory ports), on-loading, and the data copies
/// before the layer.
pub fn latency_per_layer(r: &NetworkReport) -> StackedBars {
    let mut categories = Vec::new();
    let mut rows: Vec<[f64; 5]> = Vec::new();
    let mut copies = 0u64;
    for item in &r.layers {
        match item.kind {
            ItemKind::DataCopy => copies += item.latency_cycles,
            ItemKind::Compute => {
                categories.push(item.name.clone());
                rows.push([
                    item.ideal_cycles as f64,
                    item.ideal_temporal_cycles.saturating_sub(item.ideal_cycles) as f64,
                    item.stall_cycles as f64,
                    item.onloading_cycles as f64,
                    copies as f64,
                ]);
                copies = 0;
            }
        }
    }
    let names = [
        "ideal",
        "spatial stall",
        "temporal stall",
        "on-loading",
        "data copies before",
    ];
    StackedBars {
        log_y: false,
        title: "Latency per layer".into(),
        x_title: "compute layer".into(),
        y_title: "latency (cycles)".into(),
        categories,
        series: names
            .iter()
            .enumerate()
            .map(|(k, name)| Series {
                name: name.to_string(),
                values: rows.iter().map(|r| r[k]).collect(),
            })
            .collect(),
    }
}

/// One row of the per-layer table: a tile type of a compute layer.
#[derive(Clone, Debug, PartialEq)]
pub struct TileTypeRow {
    pub layer: String,
    pub tile: String,
    pub count: u64,
    /// `operand: memory` for each operand's chosen top level.
    pub tops: Vec<(String, String)>,
    pub energy_pj: f64,
    pub latency_cycles: u64,
}

pub fn tile_type_rows(r: &NetworkReport) -> Vec<TileTypeRow> {
    r.layers
        .iter()
        .filter(|i| i.kind == ItemKind::Compute)
        .flat_map(|i| {
            i.tile_types.iter().map(move |t| TileTypeRow {
                layer: i.name.clone(),
                tile: format!("{}×{}", t.layer_ox, t.layer_oy),
                count: t.multiplicity,
                tops: t
                    .top_levels
                    .iter()
                    .map(|o| (o.operand.clone(), o.memory.clone()))
                    .collect(),
                energy_pj: t.energy_pj,
                latency_cycles: t.latency_cycles,
            })
        })
        .collect()
}

/// Which sweep quantity a heat map shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Metric {
    Energy,
    Latency,
}

/// Heat maps of a schedule sweep's cut-set group `group`, one per overlap
/// mode, sharing one colour range (over every group, so maps of different
/// cut sets compare).
pub fn heat_maps(state: &State, metric: Metric, group: usize) -> Vec<HeatMap> {
    let Some(sw) = state
        .sweep
        .as_ref()
        .filter(|s| s.kind == SweepKind::Schedules)
    else {
        return Vec::new();
    };
    let schedules = state.sweep_schedules(sw.grid);
    let mut xs: Vec<u64> = schedules.iter().map(|s| s.tile.x).collect();
    let mut ys: Vec<u64> = schedules.iter().map(|s| s.tile.y).collect();
    xs.sort_unstable();
    xs.dedup();
    ys.sort_unstable();
    ys.dedup();
    let value = |p: &crate::protocol::SweepPoint| {
        p.outcome.as_ref().ok().map(|t| match metric {
            Metric::Energy => t.energy_pj,
            Metric::Latency => t.latency_cycles as f64,
        })
    };
    let all: Vec<f64> = sw
        .points
        .iter()
        .filter_map(value)
        .filter(|v| *v > 0.0)
        .collect();
    let range = (
        all.iter().copied().fold(f64::INFINITY, f64::min),
        all.iter().copied().fold(0.0, f64::max),
    );
    let current = &state.scenario;
    (0..3)
        .map(|m| {
            let mut values = vec![None; xs.len() * ys.len()];
            for p in sw
                .points
                .iter()
                .filter(|p| p.schedule.overlap.index() == m && sw.group_of(&p.schedule) == group)
            {
                let ix = xs.iter().position(|x| *x == p.schedule.tile.x);
                let iy = ys.iter().position(|y| *y == p.schedule.tile.y);
                if let (Some(ix), Some(iy)) = (ix, iy) {
                    values[iy * xs.len() + ix] = value(p);
                }
            }
            let highlight = (current.overlap.index() == m)
                .then(|| {
                    let ix = xs.iter().position(|x| *x == current.tile.x)?;
                    let iy = ys.iter().position(|y| *y == current.tile.y)?;
                    Some((ix, iy))
                })
                .flatten();
            HeatMap {
                title: format!(
                    "{} · {}",
                    match metric {
                        Metric::Energy => "energy",
                        Metric::Latency => "latency",
                    },
                    Overlap::ALL[m].label()
                ),
                x_desc: "tile width (pixels)".into(),
                y_desc: "tile height (pixels)".into(),
                xs: xs.iter().map(u64::to_string).collect(),
                ys: ys.iter().map(u64::to_string).collect(),
                values,
                range: if range.0.is_finite() {
                    range
                } else {
                    (1.0, 10.0)
                },
                unit: match metric {
                    Metric::Energy => "pJ".into(),
                    Metric::Latency => "cycles".into(),
                },
                highlight,
            }
        })
        .collect()
}

/// The Pareto scatter of a schedule sweep (across every cut set) and the
/// schedule of each point: coloured by overlap mode, or by cut set when
/// the sweep has several.
pub fn pareto(state: &State) -> (Scatter, Vec<Schedule>) {
    let pts = state.sweep_ok_points();
    let groups: Vec<String> = state
        .sweep
        .as_ref()
        .map(|s| s.cut_groups.iter().map(|g| g.label.clone()).collect())
        .unwrap_or_default();
    let by_cuts = groups.len() > 1;
    let front =
        defines_model::pareto_indices(&pts.iter().map(|(_, e, l)| (*e, *l)).collect::<Vec<_>>());
    let cur = state.scenario.schedule();
    let points = pts
        .iter()
        .enumerate()
        .map(|(i, (s, e, l))| ScatterPoint {
            energy_pj: *e,
            latency_cycles: *l as f64,
            group: match (&state.sweep, by_cuts) {
                (Some(sw), true) => sw.group_of(s),
                _ => s.overlap.index(),
            },
            on_front: front.contains(&i),
            current: s.tile == cur.tile
                && s.overlap == cur.overlap
                && s.stack_cuts == cur.stack_cuts,
        })
        .collect();
    (
        Scatter {
            title: "Energy vs latency of the sweep (Pareto front joined)".into(),
            group_names: if by_cuts {
                groups
            } else {
                Overlap::ALL.iter().map(|o| o.label().to_string()).collect()
            },
            points,
        },
        pts.into_iter().map(|(s, _, _)| s).collect(),
    )
}

/// The sweep as CSV: one row per schedule with energy, latency, EDP and a
/// Pareto flag.
pub fn sweep_csv(state: &State) -> String {
    let pts = state.sweep_ok_points();
    let front =
        defines_model::pareto_indices(&pts.iter().map(|(_, e, l)| (*e, *l)).collect::<Vec<_>>());
    let mut out =
        String::from("cuts,mode,tile_x,tile_y,energy_pj,latency_cycles,edp_pj_cycles,pareto\n");
    for (i, (s, e, l)) in pts.iter().enumerate() {
        out.push_str(&format!(
            "\"{}\",{},{},{},{},{},{},{}\n",
            cuts_label(&s.stack_cuts),
            s.overlap.mode(),
            s.tile.x,
            s.tile.y,
            e,
            l,
            e * *l as f64,
            front.contains(&i)
        ));
    }
    out
}

/// The least energy-delay product among a schedule sweep's points of cut
/// group `group`.
pub fn best_of_group(state: &State, group: usize) -> Option<f64> {
    let sw = state.sweep.as_ref()?;
    let pts: Vec<crate::protocol::SweepPoint> = sw
        .points
        .iter()
        .filter(|p| sw.group_of(&p.schedule) == group)
        .cloned()
        .collect();
    let i = defines_model::search::best_edp(&pts)?;
    pts[i].outcome.as_ref().ok().map(|t| t.edp)
}

/// A schedule's stack cuts as the CLI's `--cuts` writes them.
pub fn cuts_label(cuts: &Option<Vec<i64>>) -> String {
    match cuts {
        None => "auto".into(),
        Some(l) if l.is_empty() => "none".into(),
        Some(l) => l.iter().map(i64::to_string).collect::<Vec<_>>().join(","),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::defaults::default_request_message;
    use crate::handler::{handle_message, Handler};
    use crate::protocol::{decode, Response};

    fn default_report() -> NetworkReport {
        let out = handle_message(&mut Handler::default(), &default_request_message());
        match decode(&out[0]).unwrap() {
            Response::Evaluated { report, .. } => *report,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn energy_breakdown_sums_to_the_total() {
        let r = default_report();
        let order = vec!["dram".to_string(), "rf_1B".to_string()];
        let c = energy_breakdown(&r, &order);
        assert_eq!(
            &c.categories[1..3],
            &["dram", "rf_1B"],
            "hardware order first"
        );
        assert_eq!(c.categories.first().map(String::as_str), Some("MAC"));
        assert_eq!(c.categories.last().map(String::as_str), Some("data copies"));
        let sum: f64 = c.series.iter().flat_map(|s| s.values.iter()).sum();
        assert!(
            (sum / r.energy_pj - 1.0).abs() < 1e-9,
            "{sum} vs {}",
            r.energy_pj
        );
    }

    #[test]
    fn latency_per_layer_sums_to_the_total() {
        let r = default_report();
        let c = latency_per_layer(&r);
        assert_eq!(c.categories.len(), 8);
        let sum: f64 = c.series.iter().flat_map(|s| s.values.iter()).sum();
        assert_eq!(sum as u64, r.latency_cycles);
    }

    #[test]
    fn table_lists_every_tile_type() {
        let r = default_report();
        let rows = tile_type_rows(&r);
        // Mode 3, 16x18: 9 tile types per layer (docs/model.md §6.8), 8 layers.
        assert_eq!(rows.len(), 72);
        let l0: u64 = rows
            .iter()
            .filter(|r| r.layer == rows[0].layer)
            .map(|r| r.count)
            .sum();
        assert_eq!(l0, 1 + 58 + 1 + 28 + 1624 + 28 + 1 + 58 + 1);
        assert!(rows.iter().all(|r| !r.tops.is_empty()));
    }
}
