//! The evaluation's results: status line, metrics, chart cards and their
//! exports, the per-layer table.

use super::*;

/// The drawing area of a chart's canvas, its bitmap first sized to the
/// width the page gives it (so text keeps its size in pixels, readable from
/// a phone to a wall screen), keeping the chart's proportions as written
/// (`width`/`height`), taller below 600 px.
/// The drawing area of a chart canvas, laid out for the canvas's CSS width
/// and drawn at the device pixel ratio: its bitmap is `css × dpr` pixels
/// (charts stay sharp on high-density screens), the chart sees CSS pixels.
/// Narrow screens get a taller chart (the labels need the room).
pub(super) fn canvas_area(
    canvas: &NodeRef,
) -> Option<plotters::drawing::DrawingArea<PageBackend<'static>, plotters::coord::Shift>> {
    let c = canvas.cast::<HtmlCanvasElement>()?;
    let base = |key: &str, now: u32| {
        c.get_attribute(key)
            .and_then(|v| v.parse::<u32>().ok())
            .unwrap_or_else(|| {
                let _ = c.set_attribute(key, &now.to_string());
                now
            })
    };
    let (bw, bh) = (
        base("data-base-w", c.width()),
        base("data-base-h", c.height()),
    );
    let css = u32::try_from(c.client_width()).unwrap_or(0);
    // An embedded (or presented) chart fills its frame: the page sizes its
    // box (`.embed-body > canvas`, 100 % × 100 %), so the bitmap takes the
    // box's height as well instead of leaving bands above and below.
    let fills = c
        .parent_element()
        .is_some_and(|p| p.class_name().split_whitespace().any(|k| k == "embed-body"));
    let box_h = u32::try_from(c.client_height()).unwrap_or(0);
    let (w, h) = if css > 0 && bw > 0 {
        let w = css.clamp(280, 4096);
        let aspect = f64::from(bh) / f64::from(bw);
        let aspect = if w < 600 { aspect.max(0.75) } else { aspect };
        if fills && box_h >= 160 {
            (w, box_h.min(4096))
        } else {
            (w, (f64::from(w) * aspect).round() as u32)
        }
    } else {
        (bw, bh)
    };
    let dpr = device_ratio();
    let (dw, dh) = (
        (f64::from(w) * dpr).round() as u32,
        (f64::from(h) * dpr).round() as u32,
    );
    if c.width() != dw || c.height() != dh {
        c.set_width(dw);
        c.set_height(dh);
    }
    let _ = c.set_attribute("data-dpr", &dpr.to_string());
    let back = CanvasBackend::with_canvas_object(c)?;
    Some(charts::Either::A(Scaled::new(back, dpr)).into_drawing_area())
}

/// What the page draws charts on: a canvas (at the device pixel ratio) or,
/// for an SVG export, an SVG string. One type, so each chart function is
/// compiled once for both (see `charts::Either`).
pub(super) type PageBackend<'a> =
    charts::Either<Scaled<CanvasBackend>, plotters::prelude::SVGBackend<'a>>;

/// A chart drawn as an SVG document `width` × `height`, through the same
/// chart code as the canvases ([`PageBackend`]).
fn svg_of(
    width: u32,
    height: u32,
    draw: impl FnOnce(&plotters::drawing::DrawingArea<PageBackend<'_>, plotters::coord::Shift>),
) -> String {
    let mut svg = String::new();
    {
        let back = plotters::prelude::SVGBackend::with_string(&mut svg, (width, height));
        draw(&charts::Either::B(back).into_drawing_area());
    }
    svg
}

/// The device pixel ratio canvases are drawn at, clamped to 1–4.
pub(super) fn device_ratio() -> f64 {
    charts::clamp_ratio(web_sys::window().map_or(1.0, |w| w.device_pixel_ratio()))
}

/// Where a mouse event hit a chart canvas, in the chart's own (CSS)
/// pixels, as [`canvas_area`] laid it out.
pub(super) fn chart_point(c: &HtmlCanvasElement, e: &MouseEvent) -> (i32, i32) {
    let dpr = (c.get_attribute("data-dpr"))
        .and_then(|v| v.parse::<f64>().ok())
        .map_or(1.0, charts::clamp_ratio);
    let scale = c.width() as f64 / dpr / f64::from(c.client_width().max(1));
    (
        (f64::from(e.offset_x()) * scale) as i32,
        (f64::from(e.offset_y()) * scale) as i32,
    )
}

pub(super) fn status(s: &State) -> (&'static str, String) {
    if !s.is_valid() {
        return (
            "invalid",
            format!(
                "{} input problem(s) — see the editors below",
                s.diagnostics().count()
            ),
        );
    }
    if let Some(f) = &s.shown.failure {
        return (
            "failed",
            format!("the model cannot evaluate this schedule: {f}"),
        );
    }
    let busy = s.lanes.eval.pending.is_some() || s.lanes.eval.in_flight.is_some();
    match (&s.lanes.eval.status, busy, &s.shown.report) {
        (WorkerStatus::Starting, _, _) if busy => ("starting", "starting the model worker…".into()),
        (_, true, _) => ("computing", "computing…".into()),
        (_, false, Some(_)) => (
            "ready",
            format!("computed in {:.0} ms", s.shown.answer_ms.unwrap_or(0.0)),
        ),
        _ => ("starting", "starting…".into()),
    }
}

pub(super) fn summary(s: &State, dispatch: &UseReducerDispatcher<Model>) -> Html {
    let (state_attr, text) = status(s);
    html! {
        <section class="card summary">
            <div class="card-head">
                <h2>{ format!("{} on {}", s.scenario.workload, s.scenario.hardware.replace('_', " ")) }
                    <span class="muted">{ format!(" · {} · tile {}×{} · lpf {}", s.scenario.overlap.label(), s.scenario.tile.x, s.scenario.tile.y, s.scenario.lpf) }</span>
                </h2>
                <span class="exports">{ pin_controls(s, dispatch) }{ embed_button(s, crate::embed::View::Metrics) }</span>
                <span id="status" aria-live="polite" class={classes!("status", state_attr)} data-state={state_attr} data-ms={s.shown.answer_ms.map(|m| format!("{m:.1}")).unwrap_or_default()} data-run={s.shown.answered.map(|r| r.to_string()).unwrap_or_default()}>{ text }</span>
            </div>
            { metrics_grid(s, Some(dispatch)) }
        </section>
    }
}

/// The headline numbers of the shown report (also the `metrics` embed);
/// with a dispatcher, the explainable ones open their explanation.
pub(super) fn metrics_grid(s: &State, dispatch: Option<&UseReducerDispatcher<Model>>) -> Html {
    let (state_attr, _) = status(s);
    let card = |id: &str, label: &str, value: String, data: String, note: String| {
        let item = match id {
            "energy" => Some("energy"),
            "latency" => Some("latency"),
            "mac-energy" => Some("mac_energy"),
            "copy-energy" => Some("data_copy_energy"),
            _ => None,
        };
        let value = html! { <span class="metric-value" id={id.to_string()} data-value={data}>{ value }</span> };
        html! {
            <div class="metric">
                <span class="metric-label">{ label.to_string() }</span>
                if let (Some(d), Some(item)) = (dispatch, item) { { explain_button(d, item.to_string(), None, value) } } else { { value } }
                <span class="metric-note">{ note }</span>
                { ab_line(s, id, &|v| match id { "energy" | "mac-energy" | "copy-energy" => energy(v), "latency" => cycles(v as u64), "macs" => si(v, "MAC"), _ => sci(v) }) }
            </div>
        }
    };
    let total_macs = s.derived.network_macs;
    let Some(r) = s.shown.report.as_deref() else {
        return html! {};
    };
    html! {
        <div class={classes!("metrics", (state_attr != "ready").then_some("stale"))}>
            { card("energy", "Energy", energy(r.energy_pj), format!("{:?}", r.energy_pj), format!("{} pJ", thousands(r.energy_pj.round() as u64))) }
            { card("latency", "Latency (cycles)", si(r.latency_cycles as f64, ""), r.latency_cycles.to_string(), format!("{} cycles", thousands(r.latency_cycles))) }
            { card("edp", "Energy × delay", sci(r.energy_pj * r.latency_cycles as f64), format!("{:?}", r.energy_pj * r.latency_cycles as f64), "pJ·cycles, lower is better".into()) }
            { card("mac-energy", "MAC energy", energy(r.mac_energy_pj), format!("{:?}", r.mac_energy_pj), format!("{:.1} % of total", 100.0 * r.mac_energy_pj / r.energy_pj.max(f64::MIN_POSITIVE))) }
            { card("copy-energy", "Data copies", energy(r.data_copy_energy_pj), format!("{:?}", r.data_copy_energy_pj), cycles(r.data_copy_latency_cycles)) }
            { card("macs", "MACs computed", si(r.macs as f64, "MAC"), r.macs.to_string(),
                if total_macs > 0 && r.macs > total_macs { format!("+{:.1} % recomputation", 100.0 * (r.macs - total_macs) as f64 / total_macs as f64) } else { "no recomputation".into() }) }
            { card("stacks", "Fused stacks", r.stacks.len().to_string(), r.stacks.len().to_string(),
                r.stack_details.iter().map(|st| st.tiles.to_string()).collect::<Vec<_>>().join(" + ") + " tiles") }
        </div>
    }
}

/// Which explanation a chart's data-table cell opens: (category, series;
/// `None` for the total) to an item path.
pub(super) type CellItem<'a> = Option<(
    &'a UseReducerDispatcher<Model>,
    &'a dyn Fn(&str, Option<&str>) -> Option<String>,
)>;

/// What a chart's clicks open: its data-table cells' and its bar
/// segments' explanations.
pub(super) struct ChartClicks<'a> {
    pub cells: CellItem<'a>,
    pub on_click: Option<Callback<MouseEvent>>,
}

pub(super) fn chart_card(
    title: &str,
    id: &str,
    canvas: &NodeRef,
    chart: Option<crate::charts::StackedBars>,
    unit: fn(f64) -> String,
    buttons: Html,
    clicks: ChartClicks,
) -> Html {
    let ChartClicks { cells, on_click } = clicks;
    let has_data = chart.is_some();
    let clickable = on_click.is_some();
    html! {
        <div class="card chart-card">
            <div class="card-head"><h3>{ title.to_string() }</h3>{ buttons }</div>
            <canvas id={id.to_string()} ref={canvas.clone()} width="900" height="360" role="img"
                aria-label={format!("{title} (bar chart; click a bar segment, or a number of the data table below, to see how it is made)")}
                class={classes!((!has_data).then_some("empty"), clickable.then_some("clickable"))} onclick={on_click}></canvas>
            if let Some(c) = chart { { bars_table(&c, id, unit, cells) } }
        </div>
    }
}

/// A chart's numbers as a table (the accessible alternative to the
/// canvas), folded under it.
fn bars_table(
    c: &crate::charts::StackedBars,
    id: &str,
    unit: fn(f64) -> String,
    cells: CellItem,
) -> Html {
    let cell = |cat: &str, series: Option<&str>, text: String| -> Html {
        match cells.and_then(|(d, f)| f(cat, series).map(|item| (d, item))) {
            Some((d, item)) => explain_button(d, item, None, html! { { text } }),
            None => html! { { text } },
        }
    };
    html! {
        <details class="data-table">
            <summary>{ "data table" }</summary>
            <div class="table-wrap" tabindex="0" role="region" aria-label={format!("{} data", c.title)}>
            <table id={format!("{id}-table")}>
                <thead><tr><th>{ c.x_title.clone() }</th>
                    { for c.series.iter().map(|sr| html!{ <th class="num">{ sr.name.clone() }</th> }) }
                    <th class="num">{ "total" }</th></tr></thead>
                <tbody>
                { for c.categories.iter().enumerate().map(|(k, cat)| {
                    let vals: Vec<f64> = c.series.iter().map(|sr| sr.values.get(k).copied().unwrap_or(0.0)).collect();
                    let total: f64 = vals.iter().filter(|v| v.is_finite()).sum();
                    html!{ <tr><td>{ cat.clone() }</td>
                        { for vals.iter().zip(&c.series).map(|(v, sr)| html!{ <td class="num" data-value={format!("{v:?}")}>{ if *v > 0.0 { cell(cat, Some(&sr.name), unit(*v)) } else { html!{ "—" } } }</td> }) }
                        <td class="num">{ cell(cat, None, unit(total)) }</td></tr> }
                }) }
                </tbody>
            </table>
            </div>
        </details>
    }
}

pub(super) fn export_buttons(s: &State, which: &'static str) -> Html {
    let Some(r) = s.shown.report.clone() else {
        return html! {};
    };
    // The provenance (the scenario encoded as in the URL) is made when a
    // button is pressed, not at every render.
    let scenario = Rc::new(s.scenario.clone());
    let sc = scenario.clone();
    let png = Callback::from(move |_| {
        let prov = Provenance::of(&sc);
        browser::download_canvas_png(
            &format!("{which}-chart"),
            &format!("defines-{which}.png"),
            |b| prov.png(b),
        )
    });
    let sc = scenario.clone();
    let r2 = r.clone();
    let order = s.derived.memory_order.clone();
    let svg = Callback::from(move |_| {
        let chart = if which == "energy" {
            views::energy_breakdown(&r2, &order)
        } else {
            views::latency_per_layer(&r2)
        };
        let text = svg_of(900, 360, |a| {
            let _ = charts::draw_stacked_bars(a, &chart);
        });
        browser::download_text(
            &Provenance::of(&sc).svg(&text),
            "image/svg+xml",
            &format!("defines-{which}.svg"),
        );
    });
    let json = Callback::from(move |_| {
        let value = serde_json::to_value(&*r).unwrap_or_default();
        let prov = Provenance::of(&scenario);
        let text =
            serde_json::to_string_pretty(&prov.wrap_json("report", value)).unwrap_or_default();
        browser::download_text(&text, "application/json", "defines-report.json");
    });
    html! {
        <span class="exports">
            <button class="small" id={format!("{which}-png")} onclick={png}>{ "PNG" }</button>
            <button class="small" onclick={svg}>{ "SVG" }</button>
            if which == "energy" { <button class="small" id="export-json" onclick={json}>{ "JSON" }</button> }
            { embed_button(s, if which == "energy" { crate::embed::View::Energy } else { crate::embed::View::Latency }) }
        </span>
    }
}

pub(super) fn layer_table(s: &State, dispatch: Option<&UseReducerDispatcher<Model>>) -> Html {
    let Some(r) = &s.shown.report else {
        return html! {};
    };
    let rows = views::tile_type_rows(r);
    // (stack, tile type) of each row, from the detail when there is one
    let focus: Vec<Option<(usize, usize)>> = s
        .shown
        .detail
        .as_deref()
        .map(|d| {
            d.entries
                .iter()
                .filter(|e| e.layer.is_some())
                .map(|e| Some((e.stack, e.tile_type)))
                .collect()
        })
        .unwrap_or_default();
    let cell = |row: usize, layer: &str, q: &str, text: String| -> Html {
        match dispatch {
            Some(d) => explain_button(
                d,
                format!("item/{layer}/{q}"),
                focus.get(row).copied().flatten(),
                html! { { text } },
            ),
            None => html! { { text } },
        }
    };
    html! {
        <section class="card">
            <div class="card-head"><h3>{ "Per layer and tile type: chosen top memory level of each operand" }</h3>{ embed_button(s, crate::embed::View::Layers) }</div>
            <div class="table-wrap" tabindex="0" role="region" aria-label="per layer and tile type">
            <table id="layer-table">
                <thead><tr><th>{ "layer" }</th><th>{ "layer tile" }</th><th class="num">{ "count" }</th><th>{ "top levels" }</th><th class="num">{ "energy per tile" }</th><th class="num">{ "latency per tile" }</th></tr></thead>
                <tbody>
                { for rows.iter().enumerate().map(|(k, row)| html!{
                    <tr>
                        <td>{ &row.layer }</td><td>{ &row.tile }</td><td class="num">{ thousands(row.count) }</td>
                        <td>{ for row.tops.iter().map(|(op, mem)| html!{ <span class="top"><b>{ op }</b>{ " " }{ mem }</span> }) }</td>
                        <td class="num">{ cell(k, &row.layer, "energy", energy(row.energy_pj)) }</td><td class="num">{ cell(k, &row.layer, "latency", cycles(row.latency_cycles)) }</td>
                    </tr>
                }) }
                </tbody>
            </table>
            </div>
        </section>
    }
}
