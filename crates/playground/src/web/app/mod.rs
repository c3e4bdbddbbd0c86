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

use super::bridge::{post, Bridge, Event};
use super::browser;
use crate::charts::{self, hit_test, Scaled};
use crate::format::{cycles, energy, sci, si, thousands};
use crate::persist;
use crate::provenance::Provenance;
use crate::state::{
    tile_choices, Action, Doc, Grid, Lane, State, UserPresets, WorkerStatus, USER_PRESETS_KEY,
};
use crate::views::{self, Metric};
use defines_model::limits;
use defines_model::{presets, Overlap, Tile};

mod animation;
mod compare;
mod controls;
mod drawing;
mod editors;
mod embed;
mod explain;
mod fuse;
mod hardware;
mod onnx;
mod paper;
mod results;
mod sweep;
mod workers;

use animation::*;
use compare::*;
use controls::*;
use drawing::*;
use editors::*;
use embed::*;
use explain::*;
use fuse::*;
use hardware::*;
use onnx::*;
use paper::*;
use results::*;
use sweep::*;
use workers::*;

/// yew's reducer wrapper around the pure [`State`], with a render version.
///
/// Models are equal when their versions are: every action bumps it except
/// [`Action::Sent`], which only notes that a request was posted (nothing
/// on the page shows the difference between queued and posted). So the
/// page does not render again right after posting, and the worker's
/// answer is not kept waiting behind that render on the main thread.
#[derive(Clone)]
struct Model(State, u64);

impl PartialEq for Model {
    fn eq(&self, other: &Model) -> bool {
        self.1 == other.1
    }
}

impl Reducible for Model {
    type Action = Action;
    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut s = self.0.clone();
        let seen = !matches!(action, Action::Sent { .. });
        s.apply(action);
        Rc::new(Model(s, self.1.wrapping_add(u64::from(seen))))
    }
}

/// The first state: the scenario from the URL fragment, else from
/// localStorage, else the default; a state that cannot be read falls back
/// to the default with a notice.
fn initial_model() -> Model {
    let mut s = State::with_sweep_workers(browser::cores());
    let search = browser::location_search();
    s.present = crate::embed::wants_present(&search);
    let embed_problem = match crate::embed::parse_query(&search) {
        Ok(e) => {
            s.embed = e;
            None
        }
        Err(why) => Some(why),
    };
    s.user_presets = browser::storage_get(USER_PRESETS_KEY)
        .map(|t| UserPresets::decode(&t))
        .unwrap_or_default();
    let hash = browser::location_hash();
    let (restored, source) = match browser::saved_if_url_behind(&hash) {
        // A reload right after an edit: the URL is older than the save.
        Some(saved) => (Some(persist::decode(&saved)), "this browser's saved state"),
        None => match persist::from_fragment(&hash) {
            Some(r) => (Some(r), "the link"),
            None => (
                browser::storage_get(persist::STORAGE_KEY).map(|t| persist::decode(&t)),
                "this browser's saved state",
            ),
        },
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
    if let Some(why) = embed_problem {
        s.notice = Some(format!("{why}; showing the whole playground"));
    }
    if workers::early_started() {
        s.apply(Action::Worker {
            lane: Lane::Eval,
            response: crate::protocol::Response::Ready,
            at_ms: browser::now_ms(),
        });
    }
    Model(s, 0)
}

#[component]
pub fn App() -> Html {
    let model = use_reducer_eq(|| {
        FIRST
            .with(|f| f.borrow_mut().take())
            .unwrap_or_else(initial_model)
    });
    use_worker(&model, Lane::Eval);
    // MAX_SWEEP_WORKERS lanes; those beyond the workers in use stay idle.
    use_worker(&model, Lane::Sweep(0));
    use_worker(&model, Lane::Sweep(1));
    use_worker(&model, Lane::Sweep(2));
    use_worker(&model, Lane::Sweep(3));
    use_worker(&model, Lane::Sweep(4));
    use_worker(&model, Lane::Sweep(5));
    use_worker(&model, Lane::Sweep(6));
    use_worker(&model, Lane::Sweep(7));
    // Started on the first dropped file.
    use_worker(&model, Lane::Import);
    let s = &model.0;
    let dispatch = model.dispatcher();

    // Persist the scenario: URL fragment (shareable, survives reloads) and
    // localStorage (survives closing the tab), once the user pauses.
    // (Not from an embedded view: a companion site's figure must not
    // overwrite this browser's saved playground.)
    let embedded = s.embed.is_some();
    use_effect_with(s.scenario.clone(), move |scenario| {
        if !embedded {
            browser::persist_soon(persist::encode(scenario));
        }
    });
    // The user's accelerators live in localStorage (written on change).
    use_effect_with(s.user_presets.clone(), move |p| {
        if !embedded {
            browser::storage_set(USER_PRESETS_KEY, &p.encode());
        }
    });

    let report_charts = use_report_charts(&model);
    let paper_charts = use_paper_charts(&model);
    let (energy_canvas, latency_canvas) =
        (report_charts.energy.clone(), report_charts.latency.clone());
    // one shared copy of the report for the animation (its own component)
    let anim_report = use_memo(model.0.shown.report.clone(), |r| {
        r.as_deref().map(|r| Rc::new(r.clone()))
    });
    let sweep_charts = use_sweep_charts(&model);
    let on_pareto_click = pareto_click(&sweep_charts, &dispatch);
    use_host_api(&model);
    use_embed_sweep(&model);
    use_shortcuts(&model);
    use_onnx_drop(&model);
    if s.present && s.embed.is_none() {
        let canvases = EmbedCanvases {
            energy: &energy_canvas,
            latency: &latency_canvas,
            sweep: &sweep_charts,
            paper: &paper_charts,
            on_pareto_click,
        };
        return present_page(s, canvases, &dispatch);
    }
    if let Some(e) = &s.embed {
        let canvases = EmbedCanvases {
            energy: &energy_canvas,
            latency: &latency_canvas,
            sweep: &sweep_charts,
            paper: &paper_charts,
            on_pareto_click,
        };
        return embed_page(s, e, canvases, &dispatch);
    }

    html! {
        <>
        <header class="top">
            <div>
                <h1>{ "DeFiNES Playground" }</h1>
                <p class="tagline">{ "Schedule a DNN on an accelerator, from layer-by-layer to depth-first, and see energy and latency — computed in your browser." }</p>
            </div>
            <span class="head-links">
                <button class="small" id="present-toggle" title="large type, one view at a time, keyboard shortcuts (?present in the URL)" onclick={ let d = dispatch.clone(); move |_| d.dispatch(Action::SetPresent(true)) }>{ "Present" }</button>
                <a class="help-link" href="#help">{ "How it works" }</a>
            </span>
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
                { summary(s, &dispatch) }
                { explain_panel(s, &dispatch) }
                { import_card(s, &dispatch) }
                { fuse_depth(s, &dispatch) }
                <section class="charts">
                    { chart_card("Energy breakdown", "energy-chart", &energy_canvas, energy_chart(s), energy, export_buttons(s, "energy"), ChartClicks { cells: Some((&dispatch, &energy_cell)),
                        on_click: Some(bar_click(&energy_canvas, &report_charts.energy_hits, energy_cell, &dispatch)) }) }
                    { chart_card("Latency per layer", "latency-chart", &latency_canvas, latency_chart(s), |c| cycles(c as u64), export_buttons(s, "latency"), ChartClicks { cells: Some((&dispatch, &latency_cell)),
                        on_click: Some(bar_click(&latency_canvas, &report_charts.latency_hits, latency_cell, &dispatch)) }) }
                </section>
                { compare_card(s, &dispatch) }
                { animation_card((*anim_report).clone(), &s.scenario) }
                { sweep_section(s, &sweep_charts, on_pareto_click, &dispatch) }
                { paper_card(s, &paper_charts, &dispatch) }
                { hardware_form(s, &dispatch) }
                { layer_table(s, Some(&dispatch)) }
                { loops_card(s, &dispatch) }
                { editors(s, &dispatch) }
                { help() }
            </main>
        </div>
        <footer>{ "Model: DeFiNES (Mei, Goetschalckx, Symons, Verhelst, HPCA 2023), re-implemented in Rust; same numbers as the reference implementation. Everything runs client-side." }</footer>
        </>
    }
}

/// Mounts the page into `<body>`.
pub fn start() {
    console_error_panic_hook::set_once();
    browser::persist_on_hide();
    browser::register_service_worker();
    workers::keep_early_worker();
    let mut first = initial_model();
    workers::post_first_early(&mut first.0);
    FIRST.with(|f| *f.borrow_mut() = Some(first));
    yew::Renderer::<App>::new().render();
}

thread_local! {
    /// The first state, made (and its evaluation posted) before the page
    /// mounts; the page's reducer starts from it.
    static FIRST: RefCell<Option<Model>> = const { RefCell::new(None) };
}
