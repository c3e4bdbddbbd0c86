//! A/B comparison views: A's and B's bars side by side on one scale, the
//! headline numbers with their ratio, and the layers' deltas with the
//! top-level choices that differ.

use crate::charts::{Series, StackedBars};
use defines_model::{ItemKind, NetworkReport};

/// One chart with A's and B's bars next to each other per category
/// (`name (A)`, `name (B)`), every series of either, one scale.
pub fn ab_bars(a: &StackedBars, b: &StackedBars) -> StackedBars {
    let mut cats: Vec<&String> = b.categories.iter().collect();
    for c in &a.categories {
        if !cats.contains(&c) {
            cats.push(c);
        }
    }
    let mut names: Vec<&String> = b.series.iter().map(|s| &s.name).collect();
    for s in &a.series {
        if !names.contains(&&s.name) {
            names.push(&s.name);
        }
    }
    let value = |chart: &StackedBars, series: &str, cat: &str| -> f64 {
        let k = chart.categories.iter().position(|c| c == cat);
        let s = chart.series.iter().find(|s| s.name == series);
        match (k, s) {
            (Some(k), Some(s)) => s.values.get(k).copied().unwrap_or(0.0),
            _ => 0.0,
        }
    };
    StackedBars {
        log_y: b.log_y,
        title: format!("{} (A and B)", b.title),
        x_title: b.x_title.clone(),
        y_title: b.y_title.clone(),
        categories: cats
            .iter()
            .flat_map(|c| [format!("{c} (A)"), format!("{c} (B)")])
            .collect(),
        series: names
            .iter()
            .map(|n| Series {
                name: (*n).clone(),
                values: cats
                    .iter()
                    .flat_map(|c| [value(a, n, c), value(b, n, c)])
                    .collect(),
            })
            .collect(),
    }
}

/// A headline number of A and B: (label, id, A, B).
pub fn ab_metrics(
    a: &NetworkReport,
    b: &NetworkReport,
) -> Vec<(&'static str, &'static str, f64, f64)> {
    let edp = |r: &NetworkReport| r.energy_pj * r.latency_cycles as f64;
    vec![
        ("energy (pJ)", "energy", a.energy_pj, b.energy_pj),
        (
            "latency (cycles)",
            "latency",
            a.latency_cycles as f64,
            b.latency_cycles as f64,
        ),
        ("energy × delay", "edp", edp(a), edp(b)),
        (
            "MAC energy (pJ)",
            "mac-energy",
            a.mac_energy_pj,
            b.mac_energy_pj,
        ),
        (
            "data copies (pJ)",
            "copy-energy",
            a.data_copy_energy_pj,
            b.data_copy_energy_pj,
        ),
        ("MACs computed", "macs", a.macs as f64, b.macs as f64),
    ]
}

/// B / A (1 when both are 0; infinite never: `None` when only A is 0).
pub fn ratio(a: f64, b: f64) -> Option<f64> {
    if a == 0.0 {
        (b == 0.0).then_some(1.0)
    } else {
        Some(b / a)
    }
}

/// A layer of A and B (by name).
#[derive(Clone, Debug, PartialEq)]
pub struct LayerDelta {
    pub layer: String,
    pub a: Option<(f64, u64)>,
    pub b: Option<(f64, u64)>,
    /// The top memory levels (operand memory, per tile type) of each.
    pub a_tops: Vec<String>,
    pub b_tops: Vec<String>,
}

impl LayerDelta {
    /// Whether A and B chose different top levels for this layer.
    pub fn tops_differ(&self) -> bool {
        self.a.is_some() && self.b.is_some() && self.a_tops != self.b_tops
    }
}

fn tops(r: &NetworkReport, layer: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for it in r.layers.iter().filter(|i| i.name == layer) {
        for t in &it.tile_types {
            for o in &t.top_levels {
                let s = format!("{} {}", o.operand, o.memory);
                if !out.contains(&s) {
                    out.push(s);
                }
            }
        }
    }
    out
}

/// Every compute layer of B, then those only A has.
pub fn layer_deltas(a: &NetworkReport, b: &NetworkReport) -> Vec<LayerDelta> {
    let of = |r: &NetworkReport, name: &str| {
        r.layers
            .iter()
            .find(|i| i.kind == ItemKind::Compute && i.name == name)
            .map(|i| (i.energy_pj, i.latency_cycles))
    };
    let mut names: Vec<&str> = Vec::new();
    for r in [b, a] {
        for i in r.layers.iter().filter(|i| i.kind == ItemKind::Compute) {
            if !names.contains(&i.name.as_str()) {
                names.push(&i.name);
            }
        }
    }
    names
        .into_iter()
        .map(|n| LayerDelta {
            layer: n.to_string(),
            a: of(a, n),
            b: of(b, n),
            a_tops: tops(a, n),
            b_tops: tops(b, n),
        })
        .collect()
}
