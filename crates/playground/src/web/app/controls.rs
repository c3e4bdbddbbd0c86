//! The scenario controls: accelerator, network, mode, tile, lpf.

use super::*;
use crate::state::slider_choices;

pub(super) fn input_value(e: &web_sys::Event) -> String {
    e.target()
        .and_then(|t| {
            t.dyn_ref::<HtmlInputElement>()
                .map(|i| i.value())
                .or_else(|| t.dyn_ref::<HtmlSelectElement>().map(|s| s.value()))
                .or_else(|| t.dyn_ref::<HtmlTextAreaElement>().map(|s| s.value()))
        })
        .unwrap_or_default()
}

pub(super) fn controls(s: &State, dispatch: &UseReducerDispatcher<Model>) -> Html {
    let sc = &s.scenario;
    let on_select = |make: fn(String) -> Action| {
        let d = dispatch.clone();
        Callback::from(move |e: web_sys::Event| d.dispatch(make(input_value(&e))))
    };
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
            { onnx_picker(s, dispatch) }
            <div class="field">
                <span class="label">{ "Overlap storing mode" }</span>
                <div class="segmented" role="radiogroup" aria-label="overlap mode">
                    { for Overlap::ALL.into_iter().enumerate().map(|(i, mode)| {
                        let name = mode.label();
                        let d = dispatch.clone();
                        html!{ <button id={format!("mode-{}", i + 1)} role="radio" aria-checked={(mode == sc.overlap).to_string()}
                            class={classes!((mode == sc.overlap).then_some("active"))}
                            onclick={move |_| d.dispatch(Action::SetOverlap(mode))}>{ name }</button> }
                    }) }
                </div>
            </div>
            { tile_control(dispatch, "x", sc.tile.x, s.derived.full.x, Action::SetTileX) }
            { tile_control(dispatch, "y", sc.tile.y, s.derived.full.y, Action::SetTileY) }
            <p class="hint">
                { format!("Largest feature map: {}×{}. ", s.derived.full.x, s.derived.full.y) }
                <button class="link" id="one-tile" onclick={ let d = dispatch.clone(); let full = s.derived.full; move |_| d.dispatch(Action::LoadSchedule { overlap: Overlap::FullyCached, tile: Tile { x: full.x, y: full.y } }) }>
                    { "One tile (layer-by-layer)" }
                </button>
            </p>
            <div class="field">
                <label for="lpf">{ "LOMA loop-prime-factor limit" }</label>
                <select id="lpf" onchange={ let d = dispatch.clone(); move |e: web_sys::Event| d.dispatch(Action::SetLpf(input_value(&e).parse().unwrap_or(crate::defaults::DEFAULT_LPF))) }>
                    { for limits::LPF.map(|l| html!{ <option value={l.to_string()} selected={l == sc.lpf}>{ format!("{l}{}", match l { 6 => " (reference main.py)", 8 => " (the paper's setting)", _ => "" }) }</option> }) }
                </select>
            </div>
            <button id="copy-link" onclick={ |_| browser::copy_location() }>{ "Copy link to this scenario" }</button>

            { what_if(s, dispatch) }

            { sweep_controls(s, dispatch) }
        </aside>
    }
}

/// A tile side: a slider over sensible sizes and a number field for any.
fn tile_control(
    dispatch: &UseReducerDispatcher<Model>,
    axis: &'static str,
    value: u64,
    full: u64,
    make: fn(u64) -> Action,
) -> Html {
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
}

/// "What if" sliders over hardware fields, and the choice of the next one.
fn what_if(s: &State, dispatch: &UseReducerDispatcher<Model>) -> Html {
    let params = &s.derived.hw_params;
    let on_add = {
        let d = dispatch.clone();
        Callback::from(move |e: web_sys::Event| {
            let v = input_value(&e);
            if !v.is_empty() {
                d.dispatch(Action::AddSlider(v));
            }
        })
    };
    html! {
        <>
            <h2>{ "What if…" }</h2>
            { for s.scenario.sliders.iter().enumerate().map(|(i, sl)| {
                let Some((p, value)) = s.slider_value(sl) else {
                    return html!{ <div class="field slider-row"><span class="hint">{ format!("{}: not in this hardware", sl.param) }</span>
                        <button class="link" onclick={ let d = dispatch.clone(); move |_| d.dispatch(Action::RemoveSlider(i)) }>{ "remove" }</button></div> };
                };
                let choices = slider_choices(&p, sl.base);
                let index = choices.iter().position(|c| *c >= value).unwrap_or(choices.len().saturating_sub(1));
                let shown = if p.field == "size_bits" { crate::hw_form::format_size_bits(value as u64) } else { format!("{value}") };
                let d = dispatch.clone();
                let c = choices.clone();
                let on_slide = Callback::from(move |e: InputEvent| {
                    if let Some(v) = input_value(&e).parse::<usize>().ok().and_then(|k| c.get(k)) {
                        d.dispatch(Action::SetSlider(i, *v));
                    }
                });
                html!{
                    <div class="field slider-row" id={format!("slider-{i}")}>
                        <label for={format!("what-if-{i}")}>
                            <span class="param">{ &sl.param }</span>
                            <button class="link remove" title="remove this slider" onclick={ let d = dispatch.clone(); move |_| d.dispatch(Action::RemoveSlider(i)) }>{ "✕" }</button>
                        </label>
                        <div class="tile-input">
                            <input type="range" id={format!("what-if-{i}")} min="0" max={choices.len().saturating_sub(1).to_string()} value={index.to_string()} oninput={on_slide} />
                            <span class="slider-value" id={format!("what-if-{i}-value")} data-value={format!("{value:?}")}>{ shown }</span>
                        </div>
                    </div>
                }
            }) }
            if s.scenario.sliders.len() < crate::state::MAX_SLIDERS {
                <div class="field">
                    <select id="add-slider" onchange={on_add} aria-label="put a hardware field on a slider">
                        <option value="" selected=true>{ "Add a slider…" }</option>
                        { for params.iter().filter(|p| !s.scenario.sliders.iter().any(|sl| sl.param == **p)).map(|p| html!{ <option value={p.clone()}>{ p }</option> }) }
                    </select>
                    <span class="hint">{ "Each move is evaluated at once; ×2 steps for sizes, bandwidths and energies." }</span>
                </div>
            }
        </>
    }
}
