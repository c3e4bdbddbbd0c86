//! The page: renders [`State`], dispatches [`Action`]s; effects talk to the
//! two workers (interactive evaluation, sweeps), persist the scenario and
//! draw the charts.

use std::cell::RefCell;
use std::rc::Rc;

use plotters::prelude::IntoDrawingArea;
use plotters_canvas::CanvasBackend;
use wasm_bindgen::JsCast;
use web_sys::{HtmlCanvasElement, HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

use super::bridge::{Bridge, Event};
use super::browser;
use crate::charts::{self, hit_test};
use crate::format::{cycles, energy, sci, si, thousands};
use crate::persist;
use crate::state::{tile_choices, Action, Doc, Grid, Lane, State, WorkerStatus};
use crate::views::{self, Metric, MODE_NAMES};
use defines_model::limits;
use defines_model::{presets, Overlap, Tile};

/// yew's reducer wrapper around the pure [`State`].
#[derive(Clone, PartialEq)]
struct Model(State);

impl Reducible for Model {
    type Action = Action;
    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut s = self.0.clone();
        s.apply(action);
        Rc::new(Model(s))
    }
}

/// The first state: the scenario from the URL fragment, else from
/// localStorage, else the default; a state that cannot be read falls back
/// to the default with a notice.
fn initial_model() -> Model {
    let mut s = State::with_sweep_workers(browser::cores());
    let from_url = persist::from_fragment(&browser::location_hash());
    let (restored, source) = match from_url {
        Some(r) => (Some(r), "the link"),
        None => (
            browser::storage_get(persist::STORAGE_KEY).map(|t| persist::decode(&t)),
            "this browser's saved state",
        ),
    };
    match restored {
        Some(Ok(scenario)) => s.apply(Action::Restore(scenario)),
        Some(Err(why)) => {
            s.notice = Some(format!(
                "the scenario in {source} could not be read ({why}); showing the default scenario"
            ))
        }
        None => {}
    }
    Model(s)
}

fn spawn(lane: Lane, dispatch: UseReducerDispatcher<Model>) -> Option<Bridge> {
    let d = dispatch.clone();
    let bridge = Bridge::spawn("./worker-loader.js", move |ev| match ev {
        Event::Response(response) => d.dispatch(Action::Worker {
            lane,
            response,
            at_ms: browser::now_ms(),
        }),
        Event::Died(why) => d.dispatch(Action::WorkerDied { lane, why }),
    });
    match bridge {
        Ok(b) => Some(b),
        Err(why) => {
            dispatch.dispatch(Action::WorkerDied { lane, why });
            None
        }
    }
}

/// Keeps one worker of a lane alive and posts its requests.
#[hook]
fn use_worker(model: &UseReducerHandle<Model>, lane: Lane) {
    let bridge: Rc<RefCell<Option<Bridge>>> = use_mut_ref(|| None);
    // A lane beyond the sweep workers in use has no worker.
    let w = model.0.worker(lane);
    {
        let bridge = bridge.clone();
        let dispatch = model.dispatcher();
        use_effect_with(w.map(|w| w.generation), move |generation| {
            let old = bridge.borrow_mut().take();
            drop(old); // terminates the previous worker (cancel, death)
            if generation.is_some() {
                *bridge.borrow_mut() = spawn(lane, dispatch);
            }
        });
    }
    {
        let dispatch = model.dispatcher();
        use_effect_with(w.and_then(|w| w.to_send().cloned()), move |req| {
            if let (Some(req), Some(b)) = (req, bridge.borrow().as_ref()) {
                match b.send(req) {
                    Ok(()) => dispatch.dispatch(Action::Sent {
                        lane,
                        request: req.clone(),
                        at_ms: browser::now_ms(),
                    }),
                    Err(why) => dispatch.dispatch(Action::WorkerDied { lane, why }),
                }
            }
        });
    }
}

fn canvas_area(
    canvas: &NodeRef,
) -> Option<plotters::drawing::DrawingArea<CanvasBackend, plotters::coord::Shift>> {
    let c = canvas.cast::<HtmlCanvasElement>()?;
    Some(CanvasBackend::with_canvas_object(c)?.into_drawing_area())
}

fn input_value(e: &web_sys::Event) -> String {
    e.target()
        .and_then(|t| {
            t.dyn_ref::<HtmlInputElement>()
                .map(|i| i.value())
                .or_else(|| t.dyn_ref::<HtmlSelectElement>().map(|s| s.value()))
                .or_else(|| t.dyn_ref::<HtmlTextAreaElement>().map(|s| s.value()))
        })
        .unwrap_or_default()
}

fn mode_from_index(i: usize) -> Overlap {
    match i {
        0 => Overlap::FullyRecompute,
        1 => Overlap::HCachedVRecompute,
        _ => Overlap::FullyCached,
    }
}

#[component]
pub fn App() -> Html {
    let model = use_reducer(initial_model);
    use_worker(&model, Lane::Eval);
    // MAX_SWEEP_WORKERS lanes; those beyond the workers in use stay idle.
    use_worker(&model, Lane::Sweep(0));
    use_worker(&model, Lane::Sweep(1));
    use_worker(&model, Lane::Sweep(2));
    use_worker(&model, Lane::Sweep(3));
    let s = &model.0;
    let dispatch = model.dispatcher();

    // Persist the scenario: URL fragment (shareable, survives reloads) and
    // localStorage (survives closing the tab).
    use_effect_with(s.scenario.clone(), |scenario| {
        let enc = persist::encode(scenario);
        browser::storage_set(persist::STORAGE_KEY, &enc);
        browser::replace_fragment(&format!("{}{enc}", persist::FRAGMENT_PREFIX));
    });

    // Charts of the current report.
    let energy_canvas = use_node_ref();
    let latency_canvas = use_node_ref();
    {
        let (ec, lc) = (energy_canvas.clone(), latency_canvas.clone());
        let order = s.derived.memory_order.clone();
        use_effect_with(s.shown.report.clone(), move |report| {
            if let Some(r) = report {
                if let Some(a) = canvas_area(&ec) {
                    let _ = charts::draw_stacked_bars(&a, &views::energy_breakdown(r, &order));
                }
                if let Some(a) = canvas_area(&lc) {
                    let _ = charts::draw_stacked_bars(&a, &views::latency_per_layer(r));
                }
            }
        });
    }
    // Sweep charts: heat maps and the Pareto scatter.
    let h0 = use_node_ref();
    let h1 = use_node_ref();
    let h2 = use_node_ref();
    let h3 = use_node_ref();
    let h4 = use_node_ref();
    let h5 = use_node_ref();
    let heat_canvases: Vec<NodeRef> = vec![h0, h1, h2, h3, h4, h5];
    let pareto_canvas = use_node_ref();
    let pareto_pixels: Rc<RefCell<Vec<(i32, i32)>>> = use_mut_ref(Vec::new);
    let pareto_schedules: Rc<RefCell<Vec<defines_model::Schedule>>> = use_mut_ref(Vec::new);
    {
        let heat = heat_canvases.clone();
        let pc = pareto_canvas.clone();
        let px = pareto_pixels.clone();
        let ps = pareto_schedules.clone();
        // The effect reads the state when it runs (no clone per render).
        let snapshot = model.clone();
        // Redraw about 12 times per sweep and at its end, not per point.
        let progress = s.sweep.as_ref().map(|sw| {
            let step = (sw.total as usize / 12).max(1);
            (sw.run_id, sw.points.len() / step, sw.running)
        });
        use_effect_with((progress, s.scenario.schedule()), move |_| {
            let snapshot = &snapshot.0;
            if snapshot.sweep.is_none() {
                return;
            }
            let maps = views::heat_maps(snapshot, Metric::Energy)
                .into_iter()
                .chain(views::heat_maps(snapshot, Metric::Latency));
            for (map, canvas) in maps.zip(heat.iter()) {
                if let Some(a) = canvas_area(canvas) {
                    let _ = charts::draw_heat_map(&a, &map);
                }
            }
            let (scatter, schedules) = views::pareto(snapshot);
            if let Some(a) = canvas_area(&pc) {
                if let Ok(pixels) = charts::draw_scatter(&a, &scatter) {
                    // Where each point is, for tests and tools:
                    // [x, y, mode, tile x, tile y, on the front].
                    let points: Vec<String> = pixels
                        .iter()
                        .zip(&schedules)
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
                    if let Some(c) = pc.cast::<HtmlCanvasElement>() {
                        let _ = c.set_attribute("data-points", &format!("[{}]", points.join(",")));
                    }
                    *px.borrow_mut() = pixels;
                    *ps.borrow_mut() = schedules;
                }
            }
        });
    }
    let on_pareto_click = {
        let d = dispatch.clone();
        let pc = pareto_canvas.clone();
        Callback::from(move |e: MouseEvent| {
            let Some(c) = pc.cast::<HtmlCanvasElement>() else {
                return;
            };
            let scale = c.width() as f64 / f64::from(c.client_width().max(1));
            let at = (
                (f64::from(e.offset_x()) * scale) as i32,
                (f64::from(e.offset_y()) * scale) as i32,
            );
            if let Some(i) = hit_test(&pareto_pixels.borrow(), at, 10) {
                if let Some(sched) = pareto_schedules.borrow().get(i) {
                    d.dispatch(Action::LoadSchedule {
                        overlap: sched.overlap,
                        tile: sched.tile,
                    });
                }
            }
        })
    };

    html! {
        <>
        <header class="top">
            <div>
                <h1>{ "DeFiNES Playground" }</h1>
                <p class="tagline">{ "Schedule a DNN on an accelerator, from layer-by-layer to depth-first, and see energy and latency — computed in your browser." }</p>
            </div>
            <a class="help-link" href="#help">{ "How it works" }</a>
        </header>
        if let Some(n) = &s.notice {
            <div class="notice" role="alert" id="notice">
                <span>{ n }</span>
                <button class="link" onclick={ let d = dispatch.clone(); move |_| d.dispatch(Action::DismissNotice) }>{ "dismiss" }</button>
            </div>
        }
        <div class="layout">
            { controls(s, &dispatch) }
            <main>
                { summary(s) }
                <section class="charts">
                    { chart_card("Energy breakdown", "energy-chart", &energy_canvas, s.shown.report.is_some(), export_buttons(s, "energy")) }
                    { chart_card("Latency per layer", "latency-chart", &latency_canvas, s.shown.report.is_some(), export_buttons(s, "latency")) }
                </section>
                { sweep_section(s, &heat_canvases, &pareto_canvas, on_pareto_click) }
                { layer_table(s) }
                { editors(s, &dispatch) }
                { help() }
            </main>
        </div>
        <footer>{ "Model: DeFiNES (Mei, Goetschalckx, Symons, Verhelst, HPCA 2023), re-implemented in Rust; same numbers as the reference implementation. Everything runs client-side." }</footer>
        </>
    }
}

fn controls(s: &State, dispatch: &UseReducerDispatcher<Model>) -> Html {
    let sc = &s.scenario;
    let on_select = |make: fn(String) -> Action| {
        let d = dispatch.clone();
        Callback::from(move |e: web_sys::Event| d.dispatch(make(input_value(&e))))
    };
    let tile_control = |axis: &'static str, value: u64, full: u64, make: fn(u64) -> Action| {
        let choices = tile_choices(full);
        let index = choices
            .iter()
            .position(|c| *c >= value)
            .unwrap_or(choices.len().saturating_sub(1));
        let d1 = dispatch.clone();
        let c1 = choices.clone();
        let on_slide = Callback::from(move |e: InputEvent| {
            let i: usize = input_value(&e).parse().unwrap_or(0);
            if let Some(v) = c1.get(i) {
                d1.dispatch(make(*v));
            }
        });
        // Every keystroke that forms a number takes effect at once (the
        // state, not the DOM, holds the value, so a re-render in between
        // cannot swallow an edit); a value above the full size is one tile.
        let d2 = dispatch.clone();
        let on_number = Callback::from(move |e: InputEvent| {
            if let Ok(v) = input_value(&e).trim().parse::<u64>() {
                if v >= 1 {
                    d2.dispatch(make(v.min(full.max(1))));
                }
            }
        });
        html! {
            <div class="field">
                <label for={format!("tile-{axis}")}>{ format!("Tile {axis} (pixels)") }</label>
                <div class="tile-input">
                    <input type="range" id={format!("tile-{axis}-slider")} min="0" max={(choices.len().saturating_sub(1)).to_string()}
                        value={index.to_string()} oninput={on_slide} aria-label={format!("tile {axis} slider")} />
                    <input type="number" id={format!("tile-{axis}")} min="1" max={full.to_string()} value={value.to_string()} oninput={on_number} />
                </div>
            </div>
        }
    };
    let sweep_running = s.sweep.as_ref().is_some_and(|w| w.running);
    html! {
        <aside class="controls card">
            <h2>{ "Scenario" }</h2>
            <div class="field">
                <label for="hardware">{ "Accelerator" }</label>
                <select id="hardware" onchange={on_select(Action::SetHardware)}>
                    { for presets::HARDWARE.iter().map(|(n, _)| html!{ <option value={*n} selected={*n == sc.hardware}>{ n.replace('_', " ") }</option> }) }
                </select>
            </div>
            <div class="field">
                <label for="workload">{ "Network" }</label>
                <select id="workload" onchange={on_select(Action::SetWorkload)}>
                    { for presets::WORKLOADS.iter().map(|(n, _)| html!{ <option value={*n} selected={*n == sc.workload}>{ *n }</option> }) }
                </select>
            </div>
            <div class="field">
                <span class="label">{ "Overlap storing mode" }</span>
                <div class="segmented" role="radiogroup" aria-label="overlap mode">
                    { for MODE_NAMES.iter().enumerate().map(|(i, name)| {
                        let mode = mode_from_index(i);
                        let d = dispatch.clone();
                        html!{ <button id={format!("mode-{}", i + 1)} role="radio" aria-checked={(mode == sc.overlap).to_string()}
                            class={classes!((mode == sc.overlap).then_some("active"))}
                            onclick={move |_| d.dispatch(Action::SetOverlap(mode))}>{ *name }</button> }
                    }) }
                </div>
            </div>
            { tile_control("x", sc.tile.x, s.derived.full.x, Action::SetTileX) }
            { tile_control("y", sc.tile.y, s.derived.full.y, Action::SetTileY) }
            <p class="hint">
                { format!("Largest feature map: {}×{}. ", s.derived.full.x, s.derived.full.y) }
                <button class="link" id="one-tile" onclick={ let d = dispatch.clone(); let full = s.derived.full; move |_| d.dispatch(Action::LoadSchedule { overlap: Overlap::FullyCached, tile: Tile { x: full.x, y: full.y } }) }>
                    { "One tile (layer-by-layer)" }
                </button>
            </p>
            <div class="field">
                <label for="lpf">{ "LOMA loop-prime-factor limit" }</label>
                <select id="lpf" onchange={ let d = dispatch.clone(); move |e: web_sys::Event| d.dispatch(Action::SetLpf(input_value(&e).parse().unwrap_or(6))) }>
                    { for limits::LPF.map(|l| html!{ <option value={l.to_string()} selected={l == sc.lpf}>{ format!("{l}{}", match l { 6 => " (reference main.py)", 8 => " (paper artifact, slow)", _ => "" }) }</option> }) }
                </select>
            </div>
            <button id="copy-link" onclick={ |_| browser::copy_location() }>{ "Copy link to this scenario" }</button>

            <h2>{ "Design-space sweep" }</h2>
            <div class="field">
                <label for="grid">{ "Tile sizes" }</label>
                <select id="grid" onchange={ let d = dispatch.clone(); move |e: web_sys::Event| d.dispatch(Action::SetGrid(if input_value(&e) == "auto" { Grid::Auto } else { Grid::CaseStudy1 })) }>
                    <option value="cs1" selected={s.grid == Grid::CaseStudy1}>{ "Case study 1 grid (6×6 × 3 modes)" }</option>
                    <option value="auto" selected={s.grid == Grid::Auto}>{ "Automatic for this network (≤ 6×6 × 3 modes)" }</option>
                </select>
            </div>
            <div class="sweep-buttons">
                <button id="run-sweep" class="primary" disabled={!s.is_valid() || sweep_running}
                    title={ if s.is_valid() { "" } else { "fix the input errors first" } }
                    onclick={ let d = dispatch.clone(); let g = s.grid; move |_| d.dispatch(Action::StartSweep(g)) }>{ "Run sweep" }</button>
                if sweep_running {
                    <button id="cancel-sweep" onclick={ let d = dispatch.clone(); move |_| d.dispatch(Action::CancelSweep) }>{ "Cancel" }</button>
                }
            </div>
            if let Some(sw) = &s.sweep {
                <div class="progress">
                    <progress id="sweep-progress" max={sw.total.to_string()} value={sw.points.len().to_string()}></progress>
                    <span id="sweep-count" data-done={sw.points.len().to_string()} data-total={sw.total.to_string()}
                        data-state={ if sw.running { "running" } else if sw.cancelled { "cancelled" } else { "done" } }>
                        { format!("{} / {} schedules{}", sw.points.len(), sw.total,
                            if sw.running { "" } else if sw.cancelled { " (cancelled)" } else { " ✓" }) }
                    </span>
                </div>
            }
        </aside>
    }
}

fn status(s: &State) -> (&'static str, String) {
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

fn summary(s: &State) -> Html {
    let (state_attr, text) = status(s);
    let card = |id: &str, label: &str, value: String, data: String, note: String| {
        html! {
            <div class="metric">
                <span class="metric-label">{ label.to_string() }</span>
                <span class="metric-value" id={id.to_string()} data-value={data}>{ value }</span>
                <span class="metric-note">{ note }</span>
            </div>
        }
    };
    let r = s.shown.report.as_deref();
    let total_macs = s.derived.network_macs;
    html! {
        <section class="card summary">
            <div class="card-head">
                <h2>{ format!("{} on {}", s.scenario.workload, s.scenario.hardware.replace('_', " ")) }
                    <span class="muted">{ format!(" · {} · tile {}×{} · lpf {}", MODE_NAMES[usize::from(s.scenario.overlap.mode().saturating_sub(1)).min(2)], s.scenario.tile.x, s.scenario.tile.y, s.scenario.lpf) }</span>
                </h2>
                <span id="status" class={classes!("status", state_attr)} data-state={state_attr}>{ text }</span>
            </div>
            if let Some(r) = r {
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
        </section>
    }
}

fn chart_card(title: &str, id: &str, canvas: &NodeRef, has_data: bool, buttons: Html) -> Html {
    html! {
        <div class="card chart-card">
            <div class="card-head"><h3>{ title.to_string() }</h3>{ buttons }</div>
            <canvas id={id.to_string()} ref={canvas.clone()} width="900" height="360" class={classes!((!has_data).then_some("empty"))}></canvas>
        </div>
    }
}

fn export_buttons(s: &State, which: &'static str) -> Html {
    let Some(r) = s.shown.report.clone() else {
        return html! {};
    };
    let png = Callback::from(move |_| {
        browser::download_canvas_png(&format!("{which}-chart"), &format!("defines-{which}.png"))
    });
    let r2 = r.clone();
    let order = s.derived.memory_order.clone();
    let svg = Callback::from(move |_| {
        let chart = if which == "energy" {
            views::energy_breakdown(&r2, &order)
        } else {
            views::latency_per_layer(&r2)
        };
        let text = charts::to_svg(900, 360, |a| {
            let _ = charts::draw_stacked_bars(a, &chart);
        });
        browser::download_text(&text, "image/svg+xml", &format!("defines-{which}.svg"));
    });
    let json = Callback::from(move |_| {
        let text = serde_json::to_string_pretty(&*r).unwrap_or_default();
        browser::download_text(&text, "application/json", "defines-report.json");
    });
    html! {
        <span class="exports">
            <button class="small" onclick={png}>{ "PNG" }</button>
            <button class="small" onclick={svg}>{ "SVG" }</button>
            if which == "energy" { <button class="small" id="export-json" onclick={json}>{ "JSON" }</button> }
        </span>
    }
}

fn sweep_section(
    s: &State,
    heat: &[NodeRef],
    pareto: &NodeRef,
    on_click: Callback<MouseEvent>,
) -> Html {
    let Some(sw) = &s.sweep else {
        return html! {
            <section class="card empty-sweep">
                <h3>{ "Design-space sweep" }</h3>
                <p class="muted">{ "Run a sweep (left) to see energy and latency over tile sizes and overlap modes as heat maps (as in the paper's Fig. 12) and their Pareto front. Click a point of the front to load that schedule." }</p>
            </section>
        };
    };
    let csv = {
        let text = views::sweep_csv(s);
        Callback::from(move |_| browser::download_text(&text, "text/csv", "defines-sweep.csv"))
    };
    let failed = sw.points.iter().filter(|p| p.result.is_err()).count();
    html! {
        <section class="card sweep">
            <div class="card-head">
                <h3>{ format!("Sweep: {} schedules", sw.total) }</h3>
                <span class="exports"><button class="small" id="export-csv" onclick={csv}>{ "CSV" }</button></span>
            </div>
            if failed > 0 {
                <p class="muted">{ format!("{failed} schedule(s) could not be evaluated (shown grey)") }</p>
            }
            <div class="heat-grid">
                { for heat.iter().enumerate().map(|(i, c)| html!{
                    <canvas id={format!("heat-{}-{}", if i < 3 { "energy" } else { "latency" }, i % 3 + 1)} ref={c.clone()} width="420" height="300"></canvas>
                }) }
            </div>
            <canvas id="pareto" class="clickable" ref={pareto.clone()} width="900" height="420" onclick={on_click}></canvas>
        </section>
    }
}

fn layer_table(s: &State) -> Html {
    let Some(r) = &s.shown.report else {
        return html! {};
    };
    let rows = views::tile_type_rows(r);
    html! {
        <section class="card">
            <h3>{ "Per layer and tile type: chosen top memory level of each operand" }</h3>
            <div class="table-wrap">
            <table id="layer-table">
                <thead><tr><th>{ "layer" }</th><th>{ "layer tile" }</th><th class="num">{ "count" }</th><th>{ "top levels" }</th><th class="num">{ "energy (all tiles)" }</th><th class="num">{ "latency (all tiles)" }</th></tr></thead>
                <tbody>
                { for rows.iter().map(|row| html!{
                    <tr>
                        <td>{ &row.layer }</td><td>{ &row.tile }</td><td class="num">{ thousands(row.count) }</td>
                        <td>{ for row.tops.iter().map(|(op, mem)| html!{ <span class="top"><b>{ op }</b>{ " " }{ mem }</span> }) }</td>
                        <td class="num">{ energy(row.energy_pj) }</td><td class="num">{ cycles(row.latency_cycles) }</td>
                    </tr>
                }) }
                </tbody>
            </table>
            </div>
        </section>
    }
}

fn editors(s: &State, dispatch: &UseReducerDispatcher<Model>) -> Html {
    html! {
        <section class="card editors">
            <h3>{ "Inputs as JSON" }</h3>
            <p class="muted">{ "Edit the hardware, the network or the spatial mapping; problems are listed with the field they concern, your edits are kept (also across reloads), and \"Reset\" brings back the preset." }</p>
            { for Doc::ALL.iter().map(|doc| {
                let doc = *doc;
                let name = doc.name();
                let diags: Vec<_> = s.diagnostics().filter(|d| d.path.starts_with(name)).collect();
                let edited = s.scenario.edit(doc).is_some();
                let d = dispatch.clone();
                let oninput = Callback::from(move |e: InputEvent| d.dispatch(Action::Edit(doc, input_value(&e))));
                let d2 = dispatch.clone();
                html!{
                    <details open={edited || !diags.is_empty()} id={format!("editor-{name}")}>
                        <summary>
                            { format!("{name} ({})", match doc { Doc::Hardware => s.scenario.hardware.clone(), Doc::Workload => s.scenario.workload.clone(), Doc::Mapping => s.scenario.mapping_name() }) }
                            if edited { <span class="badge">{ "edited" }</span> }
                            if !diags.is_empty() { <span class="badge error">{ format!("{} problem(s)", diags.len()) }</span> }
                        </summary>
                        if !diags.is_empty() {
                            <ul class="diagnostics">
                                { for diags.iter().map(|d| html!{ <li><code>{ &d.path }</code>{ ": " }{ &d.message }</li> }) }
                            </ul>
                        }
                        <textarea id={format!("json-{name}")} spellcheck="false" value={s.scenario.text(doc)} {oninput} />
                        if edited {
                            <button class="small" onclick={move |_| d2.dispatch(Action::ResetEdit(doc))}>{ "Reset to preset" }</button>
                        }
                    </details>
                }
            }) }
        </section>
    }
}

fn help() -> Html {
    html! {
        <section class="card help" id="help">
            <h3>{ "How it works" }</h3>
            <p>{ "DeFiNES estimates the energy and latency of a DNN on an accelerator for a depth-first schedule: the network is cut into stacks of fused layers (automatically, where the weights would overflow the on-chip weight memory), each stack's output is computed tile by tile, and overlapping data between tiles is either recomputed (mode 1), cached horizontally (mode 2) or cached both ways (mode 3). A tile as large as the feature map is the classic layer-by-layer schedule." }</p>
            <p>{ "For every layer and tile type the model picks the memory levels holding inputs, outputs and weights, searches the best temporal mapping (LOMA, limited by the loop-prime-factor setting) and adds the data-copy phases between memories. Energies are in pJ (shown in nJ/µJ/mJ), latencies in clock cycles; the latency is the sum over layers and copies, as in the reference." }</p>
            <p>{ "Everything is computed in your browser in web workers: the interactive schedule in one, the sweep in another, so moving a slider never waits for a sweep. The URL holds the whole scenario: copy it to share exactly what you see." }</p>
        </section>
    }
}

/// Mounts the page into `<body>`.
pub fn start() {
    console_error_panic_hook::set_once();
    yew::Renderer::<App>::new().render();
}
