//! Effects that draw the charts when their data changes, and the Pareto
//! chart's click-to-load.

use super::*;

/// A drawn bar chart's segments and their labels (category, series), for
/// clicks.
pub(super) type BarHits = Rc<RefCell<Vec<(charts::BarHit, String, String)>>>;

/// The report's bar charts: their canvases and where each segment is.
pub(super) struct ReportCharts {
    pub energy: NodeRef,
    pub latency: NodeRef,
    pub energy_hits: BarHits,
    pub latency_hits: BarHits,
}

/// Draws stacked bars and records where each segment went.
fn draw_bars(canvas: &NodeRef, chart: &charts::StackedBars, hits: &BarHits) {
    if let Some(a) = canvas_area(canvas) {
        if let Ok(h) = charts::draw_stacked_bars_hits(&a, chart) {
            *hits.borrow_mut() = h
                .into_iter()
                .map(|b| {
                    let cat = chart
                        .categories
                        .get(b.category)
                        .cloned()
                        .unwrap_or_default();
                    let ser = chart
                        .series
                        .get(b.series)
                        .map(|s| s.name.clone())
                        .unwrap_or_default();
                    (b, cat, ser)
                })
                .collect();
            // where the segments are, for tests and tools
            let marks: Vec<String> = (hits.borrow().iter())
                .map(|(b, c, s)| {
                    let (x0, y0, x1, y1) = b.rect;
                    format!(
                        "[{x0},{y0},{x1},{y1},{},{}]",
                        json_string(c),
                        json_string(s)
                    )
                })
                .collect();
            if let Some(el) = canvas.cast::<HtmlCanvasElement>() {
                let _ = el.set_attribute("data-bars", &format!("[{}]", marks.join(",")));
            }
        }
    }
}

fn json_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

/// A click on a bar segment opens the explanation of its number
/// (`item` maps (category, series) to an explanation path).
pub(super) fn bar_click(
    canvas: &NodeRef,
    hits: &BarHits,
    item: fn(&str, Option<&str>) -> Option<String>,
    dispatch: &UseReducerDispatcher<Model>,
) -> Callback<MouseEvent> {
    let (d, c, hits) = (dispatch.clone(), canvas.clone(), hits.clone());
    Callback::from(move |e: MouseEvent| {
        let Some(c) = c.cast::<HtmlCanvasElement>() else {
            return;
        };
        let at = chart_point(&c, &e);
        let hits = hits.borrow();
        let bars: Vec<charts::BarHit> = hits.iter().map(|h| h.0.clone()).collect();
        if let Some(b) = charts::bar_at(&bars, at) {
            if let Some((_, cat, ser)) = hits.iter().find(|h| h.0 == *b) {
                if let Some(path) = item(cat, Some(ser)) {
                    d.dispatch(Action::Explain {
                        item: Some(path),
                        focus: None,
                    });
                }
            }
        }
    })
}

/// Draws the energy breakdown and the latency per layer of the current
/// report.
#[hook]
pub(super) fn use_report_charts(model: &UseReducerHandle<Model>) -> ReportCharts {
    let s = &model.0;
    let energy_canvas = use_node_ref();
    let latency_canvas = use_node_ref();
    let energy_hits: BarHits = use_mut_ref(Vec::new);
    let latency_hits: BarHits = use_mut_ref(Vec::new);
    let (ec, lc) = (energy_canvas.clone(), latency_canvas.clone());
    let (eh, lh) = (energy_hits.clone(), latency_hits.clone());
    // The effect reads the state when it runs (no clone per render).
    let snapshot = model.clone();
    use_effect_with(
        (s.shown.report.clone(), s.pinned.report.clone()),
        move |_| {
            let s = &snapshot.0;
            if let Some(c) = energy_chart(s) {
                draw_bars(&ec, &c, &eh);
            }
            if let Some(c) = latency_chart(s) {
                draw_bars(&lc, &c, &lh);
            }
        },
    );
    ReportCharts {
        energy: energy_canvas,
        latency: latency_canvas,
        energy_hits,
        latency_hits,
    }
}

/// The sweep's canvases and what the Pareto chart last drew (for clicks).
pub(super) struct SweepCharts {
    /// Energy heat maps of the three modes, then latency.
    pub heat: Vec<NodeRef>,
    pub pareto: NodeRef,
    /// Pixel of each Pareto point, and its schedule.
    pixels: Rc<RefCell<Vec<(i32, i32)>>>,
    schedules: Rc<RefCell<Vec<defines_model::Schedule>>>,
}

/// Draws the heat maps and the Pareto scatter about 12 times per sweep and
/// at its end (not per point).
#[hook]
pub(super) fn use_sweep_charts(model: &UseReducerHandle<Model>) -> SweepCharts {
    let s = &model.0;
    let h0 = use_node_ref();
    let h1 = use_node_ref();
    let h2 = use_node_ref();
    let h3 = use_node_ref();
    let h4 = use_node_ref();
    let h5 = use_node_ref();
    let charts = SweepCharts {
        heat: vec![h0, h1, h2, h3, h4, h5],
        pareto: use_node_ref(),
        pixels: use_mut_ref(Vec::new),
        schedules: use_mut_ref(Vec::new),
    };
    let heat = charts.heat.clone();
    let pc = charts.pareto.clone();
    let px = charts.pixels.clone();
    let ps = charts.schedules.clone();
    // The effect reads the state when it runs (no clone per render).
    let snapshot = model.clone();
    let progress = s.sweep.as_ref().map(|sw| {
        let step = (sw.total as usize / 12).max(1);
        (sw.run_id, sw.points.len() / step, sw.running)
    });
    let hw_text = s.scenario.edit(Doc::Hardware).map(str::len);
    use_effect_with(
        (progress, s.scenario.schedule(), s.heat_group, hw_text),
        move |_| {
            let snapshot = &snapshot.0;
            let Some(sw) = &snapshot.sweep else {
                return;
            };
            if sw.kind == crate::state::SweepKind::Hardware {
                for (chart, canvas) in views::hw_lines(snapshot).iter().zip(heat.iter()) {
                    if let Some(a) = canvas_area(canvas) {
                        let _ = charts::draw_line_chart(&a, chart);
                    }
                }
                for (map, canvas) in views::hw_heat_maps(snapshot).iter().zip(heat.iter()) {
                    if let Some(a) = canvas_area(canvas) {
                        let _ = charts::draw_heat_map(&a, map);
                    }
                }
                return;
            }
            let g = snapshot.heat_group;
            let maps = views::heat_maps(snapshot, Metric::Energy, g)
                .into_iter()
                .chain(views::heat_maps(snapshot, Metric::Latency, g));
            for (map, canvas) in maps.zip(heat.iter()) {
                if let Some(a) = canvas_area(canvas) {
                    let _ = charts::draw_heat_map(&a, &map);
                }
            }
            let (scatter, schedules) = views::pareto(snapshot);
            if let Some(a) = canvas_area(&pc) {
                if let Ok(pixels) = charts::draw_scatter(&a, &scatter) {
                    mark_points(&pc, &pixels, &schedules, &scatter);
                    *px.borrow_mut() = pixels;
                    *ps.borrow_mut() = schedules;
                }
            }
        },
    );
    charts
}

/// Where each Pareto point is, for tests and tools, as the canvas's
/// `data-points`: `[x, y, mode, tile x, tile y, on the front]` each.
fn mark_points(
    canvas: &NodeRef,
    pixels: &[(i32, i32)],
    schedules: &[defines_model::Schedule],
    scatter: &charts::Scatter,
) {
    let points: Vec<String> = pixels
        .iter()
        .zip(schedules)
        .zip(&scatter.points)
        .map(|(((x, y), s), p)| {
            format!(
                "[{x},{y},{},{},{},{}]",
                s.overlap.mode(),
                s.tile.x,
                s.tile.y,
                p.on_front
            )
        })
        .collect();
    if let Some(c) = canvas.cast::<HtmlCanvasElement>() {
        let _ = c.set_attribute("data-points", &format!("[{}]", points.join(",")));
    }
}

/// A click on the Pareto chart loads the schedule of the point under it.
pub(super) fn pareto_click(
    charts: &SweepCharts,
    dispatch: &UseReducerDispatcher<Model>,
) -> Callback<MouseEvent> {
    let d = dispatch.clone();
    let pc = charts.pareto.clone();
    let pixels = charts.pixels.clone();
    let schedules = charts.schedules.clone();
    Callback::from(move |e: MouseEvent| {
        let Some(c) = pc.cast::<HtmlCanvasElement>() else {
            return;
        };
        let at = chart_point(&c, &e);
        if let Some(i) = hit_test(&pixels.borrow(), at, 10) {
            if let Some(sched) = schedules.borrow().get(i) {
                d.dispatch(Action::LoadSchedule {
                    overlap: sched.overlap,
                    tile: sched.tile,
                });
            }
        }
    })
}
