//! The page: renders [`State`], dispatches [`Action`]s; effects talk to the
//! worker and draw charts.

use std::cell::RefCell;
use std::rc::Rc;

use plotters::prelude::IntoDrawingArea;
use plotters_canvas::CanvasBackend;
use yew::prelude::*;

use super::bridge::{Bridge, Event};
use crate::charts::{draw_bar_chart, Bar, BarChart};
use crate::format::{si, thousands};
use crate::state::{Action, State, WorkerStatus};

/// yew's reducer wrapper around the pure [`State`].
#[derive(Clone, PartialEq, Default)]
struct Model(State);

impl Reducible for Model {
    type Action = Action;
    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut s = self.0.clone();
        s.apply(action);
        Rc::new(Model(s))
    }
}

fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .unwrap_or(0.0)
}

fn spawn(dispatch: UseReducerDispatcher<Model>) -> Option<Bridge> {
    let d = dispatch.clone();
    let bridge = Bridge::spawn("./worker-loader.js", move |ev| match ev {
        Event::Response(response) => d.dispatch(Action::Worker {
            response,
            at_ms: now_ms(),
        }),
        Event::Died(why) => d.dispatch(Action::WorkerDied(why)),
    });
    match bridge {
        Ok(b) => Some(b),
        Err(e) => {
            dispatch.dispatch(Action::WorkerDied(e));
            None
        }
    }
}

#[component]
pub fn App() -> Html {
    let model = use_reducer(Model::default);
    let bridge: Rc<RefCell<Option<Bridge>>> = use_mut_ref(|| None);
    let canvas = use_node_ref();
    let s = &model.0;

    // (Re)start the worker on mount and after every death.
    {
        let bridge = bridge.clone();
        let dispatch = model.dispatcher();
        use_effect_with(s.restarts, move |_| {
            let old = bridge.borrow_mut().take();
            drop(old);
            *bridge.borrow_mut() = spawn(dispatch);
        });
    }
    // Post the pending request once the worker is ready.
    {
        let bridge = bridge.clone();
        let dispatch = model.dispatcher();
        let to_send = s.should_send().cloned();
        use_effect_with(to_send, move |req| {
            if let (Some(req), Some(b)) = (req, bridge.borrow().as_ref()) {
                match b.send(req) {
                    Ok(()) => dispatch.dispatch(Action::Sent { at_ms: now_ms() }),
                    Err(e) => dispatch.dispatch(Action::WorkerDied(e)),
                }
            }
        });
    }
    // Draw the chart whenever the result changes.
    {
        let canvas = canvas.clone();
        use_effect_with(s.result.clone(), move |result| {
            if let (Some(r), Some(c)) = (result, canvas.cast::<web_sys::HtmlCanvasElement>()) {
                let chart = BarChart {
                    title: "MACs per layer".into(),
                    x_title: "compute layer".into(),
                    y_title: "MACs (operations)".into(),
                    bars: r
                        .layers
                        .iter()
                        .map(|l| Bar {
                            label: l.name.clone(),
                            value: l.macs as f64,
                        })
                        .collect(),
                };
                if let Some(backend) = CanvasBackend::with_canvas_object(c) {
                    let _ = draw_bar_chart(&backend.into_drawing_area(), &chart);
                }
            }
        });
    }

    let (state_attr, status_text) = match (&s.worker, &s.result, s.pending.is_some()) {
        (_, Some(r), false) => (
            "ready",
            format!("computed in the worker in {:.1} ms", r.answer_ms),
        ),
        (WorkerStatus::Starting, _, _) => ("starting", "starting the worker…".to_string()),
        (WorkerStatus::Ready, _, _) => ("computing", "computing…".to_string()),
    };
    let total = s.result.as_ref().map(|r| r.total_macs);

    html! {
        <>
        <header class="top">
            <h1>{ "DeFiNES Playground" }</h1>
            <p class="tagline">{ "Explore depth-first (layer-fused) schedules of DNNs on accelerators — computed in your browser." }</p>
        </header>
        if let Some(n) = &s.notice {
            <div class="notice" role="alert" id="notice">{ n }</div>
        }
        <main>
            <section class="card">
                <div class="card-head">
                    <h2>{ format!("{} · MACs per layer", s.workload_name.to_uppercase()) }</h2>
                    <span id="status" class={classes!("status", state_attr)} data-state={state_attr}>{ status_text }</span>
                </div>
                <p class="total">
                    { "Total: " }
                    <strong id="total-macs">{ total.map(thousands).unwrap_or_else(|| "—".into()) }</strong>
                    { " MACs" }
                    if let Some(t) = total {
                        <span class="muted">{ format!(" ({})", si(t as f64, "MAC")) }</span>
                    }
                </p>
                if !s.diagnostics.is_empty() {
                    <ul class="diagnostics">
                        { for s.diagnostics.iter().map(|d| html!{ <li><code>{ &d.path }</code>{ ": " }{ &d.message }</li> }) }
                    </ul>
                }
                <canvas id="macs-chart" ref={canvas} width="860" height="420"></canvas>
            </section>
        </main>
        <footer>{ "Model: DeFiNES (Mei et al., HPCA 2023), re-implemented in Rust. Runs entirely client-side." }</footer>
        </>
    }
}

/// Mounts the page into `<body>`.
pub fn start() {
    console_error_panic_hook::set_once();
    yew::Renderer::<App>::new().render();
}
