//! Tile by tile: a stack's output feature map computed tile after tile,
//! drawn from the stack's tile map (runs of alike tiles and their types)
//! and counts, never by listing tiles, so FSRCNN at 1×1 (518,400 tiles)
//! animates as smoothly as at 60×72. Its own component: a tick re-renders
//! only this card, not the page.

use super::*;
use crate::state::Scenario;
use defines_model::{ItemKind, NetworkReport, StackReport, TileMap};
use std::cell::RefCell;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::CanvasRenderingContext2d;

/// A running interval: its id and the closure it calls.
type Ticker = (i32, Closure<dyn FnMut()>);

#[derive(Properties, PartialEq)]
pub(super) struct AnimProps {
    pub report: Rc<NetworkReport>,
    pub overlap: Overlap,
}

/// Tile index k of a map: (row, column).
fn pos(m: &TileMap, k: u64) -> (u64, u64) {
    let cols = m.cols.max(1);
    (k / cols, k % cols)
}

/// First pixel of tile `i` along an axis (the partial tile is first).
fn origin(first: u64, t: u64, i: u64) -> u64 {
    match i.checked_sub(1) {
        None => 0,
        Some(j) => first.saturating_add(j.saturating_mul(t)),
    }
}

const PALETTE: [&str; 9] = [
    "#dbe8f6", "#f6e3d0", "#dff0dc", "#efdcef", "#f3f0cf", "#d8eeee", "#f1d9d9", "#e4e4f4",
    "#e9e9e9",
];

/// What overlap the current tile gets from its left and upper neighbours
/// in this mode: (left cached, top cached).
fn cached(overlap: Overlap) -> (bool, bool) {
    match overlap.mode() {
        1 => (false, false),
        2 => (true, false),
        _ => (true, true),
    }
}

fn draw(canvas: &HtmlCanvasElement, st: &StackReport, k: u64, overlap: Overlap) -> Option<()> {
    let ctx: CanvasRenderingContext2d = canvas.get_context("2d").ok()??.dyn_into().ok()?;
    // the bitmap is `dpr` times the CSS size: draw in CSS pixels
    let dpr = device_ratio();
    let _ = ctx.set_transform(dpr, 0.0, 0.0, dpr, 0.0, 0.0);
    let (cw, ch) = (
        f64::from(canvas.width()) / dpr,
        f64::from(canvas.height()) / dpr,
    );
    ctx.set_fill_style_str("#ffffff");
    ctx.fill_rect(0.0, 0.0, cw, ch);
    let m = &st.tile_map;
    let (ox, oy) = (st.output_x.max(1) as f64, st.output_y.max(1) as f64);
    let scale = ((cw - 20.0) / ox).min((ch - 20.0) / oy);
    let (w, h) = (ox * scale, oy * scale);
    let (x0, y0) = ((cw - w) / 2.0, (ch - h) / 2.0);
    let px = |i: u64| x0 + origin(m.first.x, m.tile.x, i).min(st.output_x) as f64 * scale;
    let py = |i: u64| y0 + origin(m.first.y, m.tile.y, i).min(st.output_y) as f64 * scale;
    // the blocks, coloured by tile type
    for (ri, &(r0, r1)) in m.row_runs.iter().enumerate() {
        for (ci, &(c0, c1)) in m.col_runs.iter().enumerate() {
            let t = m
                .block_types
                .get(ri * m.col_runs.len() + ci)
                .copied()
                .unwrap_or(0);
            ctx.set_fill_style_str(PALETTE[t % PALETTE.len()]);
            ctx.fill_rect(px(c0), py(r0), px(c1) - px(c0), py(r1) - py(r0));
        }
    }
    // done: whole rows, then the current row up to the current tile
    let (r, c) = pos(m, k);
    ctx.set_fill_style_str("rgba(47, 111, 181, 0.55)");
    ctx.fill_rect(x0, y0, w, py(r) - y0);
    ctx.fill_rect(x0, py(r), px(c) - x0, py(r + 1) - py(r));
    // the overlap the current tile takes from its neighbours
    let (left, top) = cached(overlap);
    let band = (2.0f64)
        .max(scale * m.tile.x.min(m.tile.y) as f64 * 0.25)
        .min(12.0);
    let colour = |cached: bool| if cached { "#1b7a35" } else { "#a63c06" };
    if c > 0 {
        ctx.set_fill_style_str(colour(left));
        ctx.fill_rect(px(c) - band, py(r), band, py(r + 1) - py(r));
    }
    if r > 0 {
        ctx.set_fill_style_str(colour(top));
        ctx.fill_rect(px(c), py(r) - band, px(c + 1) - px(c), band);
    }
    // the current tile
    ctx.set_stroke_style_str("#111111");
    ctx.set_line_width(2.0);
    let (tw, th) = ((px(c + 1) - px(c)).max(2.0), (py(r + 1) - py(r)).max(2.0));
    ctx.stroke_rect(px(c), py(r), tw, th);
    ctx.set_line_width(1.0);
    ctx.set_stroke_style_str("#555555");
    ctx.stroke_rect(x0, y0, w, h);
    Some(())
}

/// The layers' top levels and the data copies of tile type `t` of stack `s`.
fn tile_type_notes(r: &NetworkReport, s: usize, t: usize) -> (Vec<String>, Vec<String>) {
    let (mut tops, mut copies) = (Vec::new(), Vec::new());
    for it in r.layers.iter().filter(|i| i.stack == s) {
        let Some(tt) = it.tile_types.get(t) else {
            continue;
        };
        match it.kind {
            ItemKind::Compute => {
                let l: Vec<String> = (tt.top_levels.iter())
                    .map(|o| format!("{} {}", o.operand, o.memory))
                    .collect();
                tops.push(format!("{}: {}", it.name, l.join(", ")));
            }
            ItemKind::DataCopy => {
                for a in &tt.copies {
                    copies.push(format!(
                        "{}: {:?}, {} bits {}",
                        it.name,
                        a.kind,
                        a.bits,
                        a.path.join(" → ")
                    ));
                }
            }
        }
    }
    (tops, copies)
}

#[function_component(TileAnimation)]
pub(super) fn tile_animation(p: &AnimProps) -> Html {
    let stack = use_state(|| 0usize);
    let k = use_state(|| 0u64);
    let playing = use_state(|| false);
    let canvas = use_node_ref();
    let timer: Rc<RefCell<Option<Ticker>>> = use_mut_ref(|| None);
    let stacks = &p.report.stack_details;
    let si = (*stack).min(stacks.len().saturating_sub(1));
    let Some(st) = stacks.get(si) else {
        return html! {};
    };
    let n = st.tiles.max(1);
    let kk = (*k).min(n - 1);
    {
        // the play loop: about 10 s per stack, whatever its tile count
        let (k, playing, timer) = (k.clone(), playing.clone(), timer.clone());
        let step = (n / 300).max(1);
        use_effect_with((*playing, n, si), move |&(on, n, _)| {
            if let Some((id, _)) = timer.borrow_mut().take() {
                if let Some(w) = web_sys::window() {
                    w.clear_interval_with_handle(id);
                }
            }
            if on {
                let tick = Closure::<dyn FnMut()>::new(move || {
                    let next = *k + step;
                    if next >= n {
                        k.set(n - 1);
                        playing.set(false);
                    } else {
                        k.set(next);
                    }
                });
                if let Some(w) = web_sys::window() {
                    if let Ok(id) = w.set_interval_with_callback_and_timeout_and_arguments_0(
                        tick.as_ref().unchecked_ref(),
                        33,
                    ) {
                        *timer.borrow_mut() = Some((id, tick));
                    }
                }
            }
            let timer = timer.clone();
            move || {
                if let Some((id, _)) = timer.borrow_mut().take() {
                    if let Some(w) = web_sys::window() {
                        w.clear_interval_with_handle(id);
                    }
                }
            }
        });
    }
    {
        let (canvas, st, overlap) = (canvas.clone(), st.clone(), p.overlap);
        use_effect_with((kk, si, p.report.clone(), overlap), move |_| {
            if let Some(c) = canvas.cast::<HtmlCanvasElement>() {
                let css = u32::try_from(c.client_width()).unwrap_or(0);
                let dpr = device_ratio();
                let px = |v: u32| (f64::from(v) * dpr).round() as u32;
                let w = css.clamp(280, 2000);
                if css > 0 && c.width() != px(w) {
                    c.set_width(px(w));
                    c.set_height(px((w * 2 / 5).max(180)));
                }
                let _ = draw(&c, &st, kk, overlap);
            }
        });
    }
    let m = &st.tile_map;
    let (r, c) = pos(m, kk);
    let t = m.type_at(r, c).unwrap_or(0);
    let (tops, copies) = tile_type_notes(&p.report, si, t);
    let (left, top) = cached(p.overlap);
    let word = |cached: bool| if cached { "cached" } else { "recomputed" };
    let set_k = |v: u64| {
        let k = k.clone();
        Callback::from(move |_: MouseEvent| k.set(v))
    };
    let toggle = {
        let (playing, k) = (playing.clone(), k.clone());
        let restart = kk + 1 >= n;
        Callback::from(move |_: MouseEvent| {
            if restart && !*playing {
                k.set(0);
            }
            playing.set(!*playing);
        })
    };
    let scrub = {
        let k = k.clone();
        Callback::from(move |e: InputEvent| {
            if let Ok(v) = input_value(&e).parse::<u64>() {
                k.set(v);
            }
        })
    };
    let on_key = {
        let (k, playing) = (k.clone(), playing.clone());
        Callback::from(move |e: KeyboardEvent| match e.key().as_str() {
            "ArrowRight" => {
                e.prevent_default();
                k.set((kk + 1).min(n - 1));
            }
            "ArrowLeft" => {
                e.prevent_default();
                k.set(kk.saturating_sub(1));
            }
            " " => {
                e.prevent_default();
                playing.set(!*playing);
            }
            _ => {}
        })
    };
    let mult = st.tile_type_multiplicities.get(t).copied().unwrap_or(0);
    html! {
        <div class="tile-anim" onkeydown={on_key}>
            <div class="anim-controls" role="group" aria-label="animation">
                if stacks.len() > 1 {
                    <label>{ "stack " }
                        <select id="anim-stack" onchange={ let (stack, k) = (stack.clone(), k.clone()); move |e: web_sys::Event| { stack.set(input_value(&e).parse().unwrap_or(0)); k.set(0); } }>
                            { for (0..stacks.len()).map(|i| html!{ <option value={i.to_string()} selected={i == si}>{ format!("{} (layers {})", i, stacks[i].layers.iter().map(|l| l.to_string()).collect::<Vec<_>>().join(", ")) }</option> }) }
                        </select></label>
                }
                <button class="small" id="anim-first" aria-label="first tile" onclick={set_k(0)}>{ "|◀" }</button>
                <button class="small" id="anim-back" aria-label="previous tile" onclick={set_k(kk.saturating_sub(1))}>{ "◀" }</button>
                <button class="small" id="anim-play" aria-label={if *playing { "pause" } else { "play" }} aria-pressed={playing.to_string()} onclick={toggle}>{ if *playing { "⏸ pause" } else { "▶ play" } }</button>
                <button class="small" id="anim-step" aria-label="next tile" onclick={set_k((kk + 1).min(n - 1))}>{ "▶|" }</button>
                <input type="range" id="anim-scrub" aria-label="tile" min="0" max={(n - 1).to_string()} step="1" value={kk.to_string()} oninput={scrub} />
            </div>
            <canvas id="anim-canvas" ref={canvas} width="900" height="360" tabindex="0" role="img"
                data-k={kk.to_string()} data-row={r.to_string()} data-col={c.to_string()} data-type={t.to_string()} data-tiles={n.to_string()}
                aria-label={format!("stack {si}: tile {} of {n} (row {}, column {}), tile type {t}; blue: done; the current tile outlined; its overlap with the left and upper tiles {} / {}", kk + 1, r + 1, c + 1, word(left), word(top))}></canvas>
            <p id="anim-status"><strong>{ format!("Stack {si} · tile {} of {} (row {}, column {}) · tile type {t} ({} {} of this type)", thousands(kk + 1), thousands(n), thousands(r + 1), thousands(c + 1), thousands(mult), if mult == 1 { "tile" } else { "tiles" }) }</strong></p>
            <p class="muted">{ format!("Overlap with the tile to the left: {}; with the tile above: {} (mode {}). Blue: tiles done; colours: tile types.", word(left), word(top), p.overlap.mode()) }
                <span class="swatch cached">{ "cached" }</span><span class="swatch recomputed">{ "recomputed" }</span></p>
            <details open=true><summary>{ "where each operand is, for this tile type" }</summary>
                <ul class="anim-notes">{ for tops.iter().map(|l| html!{ <li>{ l }</li> }) }</ul></details>
            <details><summary>{ format!("data copies before this tile type's layers ({})", copies.len()) }</summary>
                <ul class="anim-notes">{ for copies.iter().map(|l| html!{ <li>{ l }</li> }) }</ul></details>
        </div>
    }
}

/// The card: the animation of the shown report.
pub(super) fn animation_card(report: Option<Rc<NetworkReport>>, sc: &Scenario) -> Html {
    html! {
        <section class="card" id="animation-card">
            <div class="card-head"><h3>{ "Tile by tile" }</h3></div>
            if let Some(r) = report {
                <TileAnimation report={r} overlap={sc.overlap} />
            }
        </section>
    }
}
