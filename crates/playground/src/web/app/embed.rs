//! The embed page (`?embed=VIEW`): one view filling its frame, optional
//! controls and an "open in the playground" link; and the `postMessage`
//! API (see `crate::embed`), converted with serde-wasm-bindgen so numbers
//! arrive as the model computed them.

use std::cell::RefCell;
use std::rc::Rc;

use super::*;
use crate::embed::{host_actions, result_message, Control, Embed, FrameMessage, HostMessage, View};

/// The frame's parent window, when the page runs inside an iframe.
fn parent() -> Option<web_sys::Window> {
    let w = web_sys::window()?;
    let p = w.parent().ok()??;
    (!js_sys::Object::is(&p, &w)).then_some(p)
}

fn post(msg: &FrameMessage) {
    let Some(p) = parent() else { return };
    let ser = serde_wasm_bindgen::Serializer::json_compatible();
    if let Ok(v) = serde::Serialize::serialize(msg, &ser) {
        let _ = p.post_message(&v, "*");
    }
}

/// Listens to the host page's messages and answers with results: `ready`
/// once, a `result` for every new evaluation, an `error` for a message it
/// cannot use.
#[hook]
pub(super) fn use_host_api(model: &UseReducerHandle<Model>) {
    let last: Rc<RefCell<Option<FrameMessage>>> = use_mut_ref(|| None);
    {
        let dispatch = model.dispatcher();
        let last = last.clone();
        use_effect_with((), move |_| {
            let listener = parent().and_then(|p| {
                let on_message =
                    wasm_bindgen::closure::Closure::<dyn FnMut(web_sys::MessageEvent)>::new(
                        move |ev: web_sys::MessageEvent| {
                            // Only the frame's own parent may drive it.
                            let from_parent =
                                ev.source().is_some_and(|s| js_sys::Object::is(&s, &p));
                            if !from_parent {
                                return;
                            }
                            match serde_wasm_bindgen::from_value::<HostMessage>(ev.data()) {
                                Ok(HostMessage::Get) => {
                                    if let Some(m) = last.borrow().as_ref() {
                                        post(m);
                                    }
                                }
                                Ok(msg) => match host_actions(msg) {
                                    Ok(actions) => {
                                        actions.into_iter().for_each(|a| dispatch.dispatch(a))
                                    }
                                    Err(message) => post(&FrameMessage::Error { message }),
                                },
                                Err(e) => post(&FrameMessage::Error {
                                    message: format!(
                                        "not a playground message ({e}); see examples/host.html"
                                    ),
                                }),
                            }
                        },
                    );
                let w = web_sys::window()?;
                w.add_event_listener_with_callback("message", on_message.as_ref().unchecked_ref())
                    .ok()?;
                post(&FrameMessage::Ready);
                Some(on_message)
            });
            move || drop(listener)
        });
    }
    let s = &model.0;
    let ready = status(s).0 == "ready";
    let message = ready.then(|| result_message(s)).flatten();
    use_effect_with(message, move |m| {
        if let Some(m) = m {
            post(m);
            *last.borrow_mut() = Some(m.clone());
        }
    });
    // The input the model refuses is an error message too.
    let problems: Option<String> = (!s.is_valid()).then(|| {
        s.diagnostics()
            .map(|d| format!("{}: {}", d.path, d.message))
            .collect::<Vec<_>>()
            .join("; ")
    });
    use_effect_with(problems, |p| {
        if let Some(message) = p {
            post(&FrameMessage::Error {
                message: message.clone(),
            });
        }
    });
}

/// Runs the case-study sweep once when the embedded view shows a sweep.
#[hook]
pub(super) fn use_embed_sweep(model: &UseReducerHandle<Model>) {
    let s = &model.0;
    let wants = s.embed.as_ref().is_some_and(|e| e.view.needs_sweep())
        && s.sweep.is_none()
        && s.is_valid()
        && s.lanes
            .sweep
            .iter()
            .any(|w| w.status == WorkerStatus::Ready);
    let dispatch = model.dispatcher();
    use_effect_with(wants, move |w| {
        if *w {
            dispatch.dispatch(Action::StartSweep(Grid::CaseStudy1));
        }
    });
}

/// The link to the full playground for this scenario.
fn playground_link(s: &State) -> String {
    format!(
        "{}{}{}",
        browser::page_url(),
        persist::FRAGMENT_PREFIX,
        persist::encode(&s.scenario)
    )
}

pub(super) struct EmbedCanvases<'a> {
    pub energy: &'a NodeRef,
    pub latency: &'a NodeRef,
    pub sweep: &'a SweepCharts,
    pub paper: &'a PaperCharts,
    pub on_pareto_click: Callback<MouseEvent>,
}

pub(super) fn embed_page(
    s: &State,
    e: &Embed,
    c: EmbedCanvases,
    dispatch: &UseReducerDispatcher<Model>,
) -> Html {
    let sc = &s.scenario;
    let (state_attr, text) = status(s);
    let body = match e.view {
        View::Metrics => metrics_grid(s, None),
        View::Energy => {
            html! { <canvas id="energy-chart" ref={c.energy.clone()} width="900" height="360"></canvas> }
        }
        View::Latency => {
            html! { <canvas id="latency-chart" ref={c.latency.clone()} width="900" height="360"></canvas> }
        }
        View::Heatmaps => html! {
            <div class="heat-grid embed-heat">
                { for c.sweep.heat.iter().enumerate().map(|(i, r)| html!{
                    <canvas id={format!("heat-{}-{}", if i < 3 { "energy" } else { "latency" }, i % 3 + 1)} ref={r.clone()} width="420" height="300"></canvas>
                }) }
            </div>
        },
        View::Pareto => {
            html! { <canvas id="pareto" class="clickable" ref={c.sweep.pareto.clone()} width="900" height="420" onclick={c.on_pareto_click}></canvas> }
        }
        View::Layers => layer_table(s, None),
        View::Fuse => fuse_depth(s, dispatch),
        View::Compare => compare_card(s, dispatch),
        View::Paper => paper_card(s, c.paper, dispatch),
    };
    let controls = e.controls.iter().map(|ctl| match ctl {
        Control::Mode => html! {
            <div class="segmented small-seg" role="radiogroup" aria-label="overlap mode">
                { for Overlap::ALL.into_iter().enumerate().map(|(i, mode)| {
                    let d = dispatch.clone();
                    html!{ <button id={format!("mode-{}", i + 1)} role="radio" aria-checked={(mode == sc.overlap).to_string()}
                        class={classes!((mode == sc.overlap).then_some("active"))} title={mode.label()}
                        onclick={move |_| d.dispatch(Action::SetOverlap(mode))}>{ format!("mode {}", i + 1) }</button> }
                }) }
            </div>
        },
        Control::Tile => {
            let full = s.derived.full;
            let d1 = dispatch.clone();
            let d2 = dispatch.clone();
            html! {
                <span class="embed-tile">
                    { "tile " }
                    <input type="number" id="tile-x" aria-label="tile x" min="1" max={full.x.to_string()} value={sc.tile.x.to_string()}
                        oninput={move |ev: InputEvent| if let Ok(v) = input_value(&ev).parse::<u64>() { if v >= 1 { d1.dispatch(Action::SetTileX(v.min(full.x.max(1)))) } }} />
                    { "×" }
                    <input type="number" id="tile-y" aria-label="tile y" min="1" max={full.y.to_string()} value={sc.tile.y.to_string()}
                        oninput={move |ev: InputEvent| if let Ok(v) = input_value(&ev).parse::<u64>() { if v >= 1 { d2.dispatch(Action::SetTileY(v.min(full.y.max(1)))) } }} />
                </span>
            }
        }
        Control::Lpf => {
            let d = dispatch.clone();
            html! {
                <select id="lpf" aria-label="loop-prime-factor limit" onchange={move |ev: web_sys::Event| d.dispatch(Action::SetLpf(input_value(&ev).parse().unwrap_or(6)))}>
                    { for limits::LPF.map(|l| html!{ <option value={l.to_string()} selected={l == sc.lpf}>{ format!("lpf {l}") }</option> }) }
                </select>
            }
        }
    });
    html! {
        <main class={classes!("embed", format!("embed-{}", e.view.name()))} data-view={e.view.name()}
            data-sweep={s.sweep.as_ref().map_or("none", |w| if w.running { "running" } else { "done" })}>
            <div class="embed-bar">
                <h1 class="embed-title">{ format!("{} on {} · {} · {}×{}", sc.workload, sc.hardware.replace('_', " "), sc.overlap.label(), sc.tile.x, sc.tile.y) }</h1>
                { for controls }
                <span id="status" class={classes!("status", state_attr)} data-state={state_attr} data-ms={s.shown.answer_ms.map(|m| format!("{m:.1}")).unwrap_or_default()} data-run={s.shown.answered.map(|r| r.to_string()).unwrap_or_default()} aria-live="polite">{ text }</span>
                <a class="open-full" id="open-full" href={playground_link(s)} target="_blank" rel="noopener">{ "open in the playground ↗" }</a>
            </div>
            // The metrics the e2e tests and hosts read, in every view.
            if e.view != View::Metrics {
                if let Some(r) = &s.shown.report {
                    <span hidden=true id="energy" data-value={format!("{:?}", r.energy_pj)}></span>
                    <span hidden=true id="latency" data-value={r.latency_cycles.to_string()}></span>
                }
            }
            <div class="embed-body">{ body }</div>
        </main>
    }
}

/// "Embed this": copies an `<iframe>` snippet of `view` for the scenario.
pub(super) fn embed_button(s: &State, view: View) -> Html {
    let scenario = persist::encode(&s.scenario);
    let onclick = Callback::from(move |_: MouseEvent| {
        persist_now_and_copy(&crate::embed::iframe_snippet(
            &browser::page_url(),
            view,
            &scenario,
        ));
    });
    html! {
        <button class="small embed-this" id={format!("embed-{}", view.name())} title="copy an <iframe> snippet showing this view of the current scenario" {onclick}>{ "Embed" }</button>
    }
}

fn persist_now_and_copy(text: &str) {
    browser::persist_now();
    browser::copy_text(text);
}

/// Presenter mode's keys (see `state::shortcut_action`), while presenting
/// and not typing in a field.
#[hook]
pub(super) fn use_shortcuts(model: &UseReducerHandle<Model>) {
    let latest: Rc<RefCell<Option<State>>> = use_mut_ref(|| None);
    *latest.borrow_mut() = Some(model.0.clone());
    let dispatch = model.dispatcher();
    use_effect_with((), move |_| {
        let on_key = wasm_bindgen::closure::Closure::<dyn FnMut(web_sys::KeyboardEvent)>::new(
            move |ev: web_sys::KeyboardEvent| {
                let typing = ev
                    .target()
                    .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                    .is_some_and(|e| {
                        matches!(e.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
                    });
                let guard = latest.borrow();
                let Some(s) = guard.as_ref() else { return };
                if typing || !s.present || ev.ctrl_key() || ev.meta_key() || ev.alt_key() {
                    return;
                }
                if let Some(a) = crate::state::shortcut_action(&ev.key(), ev.shift_key(), s) {
                    ev.prevent_default();
                    drop(guard);
                    dispatch.dispatch(a);
                }
            },
        );
        let doc = web_sys::window().and_then(|w| w.document());
        if let Some(d) = &doc {
            let _ = d.add_event_listener_with_callback("keydown", on_key.as_ref().unchecked_ref());
        }
        move || {
            if let Some(d) = doc {
                let _ = d.remove_event_listener_with_callback(
                    "keydown",
                    on_key.as_ref().unchecked_ref(),
                );
            }
        }
    });
}

/// Presenter mode: one view at a time filling the screen, in large type,
/// with its controls; Tab steps through the views, `?` shows the keys.
pub(super) fn present_page(
    s: &State,
    c: EmbedCanvases,
    dispatch: &UseReducerDispatcher<Model>,
) -> Html {
    use crate::state::{PRESENT_VIEWS, SHORTCUTS};
    let view = PRESENT_VIEWS[s.present_view % PRESENT_VIEWS.len()];
    let e = Embed {
        view,
        controls: vec![Control::Mode, Control::Tile, Control::Lpf],
    };
    html! {
        <div class="present" id="present">
            { embed_page(s, &e, c, dispatch) }
            <footer class="present-foot">
                <span id="present-view" data-view={view.name()}>{ format!("view {} of {}: {}", s.present_view + 1, PRESENT_VIEWS.len(), view.name()) }</span>
                if view.needs_sweep() && s.sweep.is_none() { <span>{ "press space to run the sweep" }</span> }
                <span>{ "Tab: next view · ?: keys · Esc: leave" }</span>
                <button class="small" id="leave-present" onclick={ let d = dispatch.clone(); move |_| d.dispatch(Action::SetPresent(false)) }>{ "leave presenter mode" }</button>
            </footer>
            if s.shortcuts {
                <div class="shortcut-card" id="shortcuts" role="dialog" aria-label="keyboard shortcuts">
                    <h3>{ "Keyboard" }</h3>
                    <table>{ for SHORTCUTS.iter().map(|(k, what)| html!{ <tr><th><kbd>{ *k }</kbd></th><td>{ *what }</td></tr> }) }</table>
                </div>
            }
        </div>
    }
}
