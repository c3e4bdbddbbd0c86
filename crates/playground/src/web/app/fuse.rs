//! The fuse depth: the network's layers as a strip where a click between
//! two layers cuts or joins, the automatic rule one click away, and each
//! stack's weight footprint against the on-chip weight memory. Quirk Q36
//! (a cut after layer 0 is ignored by the reference) is shown, with its fix.

use super::*;
use crate::hw_form::approx_size_bits;
use defines_model::search::stack_footprints;

pub(super) fn fuse_depth(s: &State, dispatch: &UseReducerDispatcher<Model>) -> Html {
    let d = &s.derived;
    let Some(sc) = d.scenario.as_ref() else {
        return html! {};
    };
    let auto = s.scenario.stack_cuts.is_none();
    let cuts: Vec<i64> = s
        .scenario
        .stack_cuts
        .clone()
        .unwrap_or_else(|| d.auto_cuts.clone());
    let fixes = s.scenario.fixes;
    let stacks = stack_footprints(sc, &cuts, fixes);
    let cap = d.weight_capacity_bits;
    let q36_applies = cuts.contains(&0) && !fixes.cut_after_layer_zero;
    let all_cuts: Vec<i64> = d
        .layers
        .iter()
        .take(d.layers.len().saturating_sub(1))
        .map(|(id, _)| *id)
        .collect();
    let n = d.layers.len();
    let set = |cuts: Option<Vec<i64>>| {
        let dp = dispatch.clone();
        Callback::from(move |_: MouseEvent| dp.dispatch(Action::SetCuts(cuts.clone())))
    };
    let stack_of = |id: i64| stacks.iter().position(|st| st.layer_ids.contains(&id));
    html! {
        <section class="card fuse" id="fuse-depth">
            <div class="card-head">
                <h3>{ "Fuse depth" }<span class="muted">{ format!(" · {} stack{}", stacks.len(), if stacks.len() == 1 { "" } else { "s" }) }</span></h3>
                <span class="exports">{ embed_button(s, crate::embed::View::Fuse) }</span>
                <div class="segmented small-seg" role="radiogroup" aria-label="stack cuts">
                    <button id="cuts-auto" role="radio" aria-checked={auto.to_string()} class={classes!(auto.then_some("active"))} onclick={set(None)}
                        title="cut where the weights would overflow the on-chip weight memory (the reference's rule)">{ "automatic" }</button>
                    <button id="cuts-none" role="radio" aria-checked={(!auto && cuts.is_empty()).to_string()} class={classes!((!auto && cuts.is_empty()).then_some("active"))} onclick={set(Some(Vec::new()))}
                        title="one stack: the whole network fused">{ "fuse all" }</button>
                    <button id="cuts-all" role="radio" aria-checked={(!auto && cuts == all_cuts).to_string()} class={classes!((!auto && !cuts.is_empty() && cuts == all_cuts).then_some("active"))} onclick={set(Some(all_cuts.clone()))}
                        title="a cut after every layer: each layer its own stack">{ "cut all" }</button>
                </div>
            </div>
            <p class="muted">{ "Click between two layers to cut the network there or join it again. Each stack is evaluated tile by tile; its weights should fit the on-chip weight memory." }</p>
            <div class="strip" id="cut-strip">
                { for d.layers.iter().enumerate().map(|(k, (id, w))| {
                    let id = *id;
                    let cut = cuts.contains(&id);
                    let stack = stack_of(id);
                    let title = format!("layer {id}: {} of weights{}", approx_size_bits(*w), stack.map_or(" (input)".into(), |st| format!(", stack {}", st + 1)));
                    html!{
                        <>
                        <span class={classes!("layer", stack.map(|st| format!("stack-{}", st % 6)), stack.is_none().then_some("input"))} id={format!("layer-{id}")} title={title}>
                            { format!("{id}") }
                        </span>
                        if k + 1 < n {
                            <button class={classes!("gap", cut.then_some("cut"), (cut && id == 0 && q36_applies).then_some("ignored"))} id={format!("gap-{id}")}
                                aria-pressed={cut.to_string()}
                                title={ if cut { format!("cut after layer {id}: click to join") } else { format!("click to cut after layer {id}") } }
                                onclick={ let dp = dispatch.clone(); move |_| dp.dispatch(Action::ToggleCut(id)) }>
                                { if cut { "✂" } else { "" } }
                            </button>
                        }
                        </>
                    }
                }) }
            </div>
            <ol class="stacks" id="stacks">
                { for stacks.iter().enumerate().map(|(k, st)| {
                    let frac = if cap > 0 { st.weight_bits as f64 / cap as f64 } else { f64::INFINITY };
                    let over = st.weight_bits > cap;
                    let first = st.layer_ids.first().copied().unwrap_or(0);
                    let last = st.layer_ids.last().copied().unwrap_or(0);
                    html!{
                        <li class={classes!(format!("stack-{}", k % 6))} id={format!("stack-{k}")} data-weight-bits={st.weight_bits.to_string()}>
                            <span class="stack-name">{ format!("stack {} · layers {}{} ({})", k + 1, first, if last != first { format!("–{last}") } else { String::new() }, st.layer_ids.len()) }</span>
                            <span class="bar"><span class={classes!("fill", over.then_some("over"))} style={format!("width: {:.1}%", (frac * 100.0).min(100.0))}></span></span>
                            <span class={classes!("weights", over.then_some("over"))}>
                                { format!("{} of {} weights", approx_size_bits(st.weight_bits), approx_size_bits(cap)) }
                                { if over { " — does not fit" } else { "" } }
                            </span>
                        </li>
                    }
                }) }
            </ol>
            <p class={classes!("q36", q36_applies.then_some("active"))} id="q36">
                if q36_applies {
                    <strong>{ "Quirk Q36: " }</strong>{ "the reference ignores a cut after layer 0, so the stack before it runs to the network's end and later layers are evaluated twice (shown above as it is evaluated). " }
                } else if cuts.contains(&0) && fixes.cut_after_layer_zero {
                    <strong>{ "Q36 fixed: " }</strong>{ "the cut after layer 0 is a real cut (not the reference's numbers). " }
                } else {
                    { "Quirk Q36 (the reference ignores a cut after layer 0) does not touch these cuts. " }
                }
                <label title="make a cut after layer 0 a real cut, here and in sweeps"><input type="checkbox" id="fix-q36" checked={fixes.cut_after_layer_zero}
                    onchange={ let dp = dispatch.clone(); let on = !fixes.cut_after_layer_zero; move |_| dp.dispatch(Action::SetFixQ36(on)) } />{ " fix Q36" }</label>
            </p>
        </section>
    }
}
