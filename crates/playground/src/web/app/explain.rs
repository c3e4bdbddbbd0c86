//! "Explain this number": the panel listing the terms a clicked number adds
//! up from (`defines_model::explain`, docs/model.md §4.2), and the loop
//! nests of every layer and tile type. Both need the run's detail, which
//! the page asks the worker for while either is open.

use super::*;
use defines_model::{explain, loop_nests, Amount, SumRule};

fn amount(a: Amount) -> String {
    match a {
        Amount::Pj(x) => energy(x),
        Amount::Cycles(n) => cycles(n),
    }
}

fn raw(a: Amount) -> String {
    match a {
        Amount::Pj(x) => format!("{x:?}"),
        Amount::Cycles(n) => n.to_string(),
    }
}

/// A button that opens the explanation of `item` (what every explainable
/// number on the page is wrapped in: clickable and focusable).
pub(super) fn explain_button(
    dispatch: &UseReducerDispatcher<Model>,
    item: String,
    focus: Option<(usize, usize)>,
    content: Html,
) -> Html {
    let d = dispatch.clone();
    // (its name is the number it shows; the title says what it does)
    html! {
        <button class="explain" data-item={item.clone()} title="how is this number made? (opens its terms)"
            onclick={move |_| d.dispatch(Action::Explain { item: Some(item.clone()), focus })}>{ content }</button>
    }
}

/// The explanation panel, when one is open.
pub(super) fn explain_panel(s: &State, dispatch: &UseReducerDispatcher<Model>) -> Html {
    let Some(item) = &s.inspect.explain else {
        return html! {};
    };
    let close = {
        let d = dispatch.clone();
        Callback::from(move |_| {
            d.dispatch(Action::Explain {
                item: None,
                focus: None,
            })
        })
    };
    let body = match (&s.shown.report, &s.shown.detail, &s.derived.scenario) {
        (Some(r), Some(d), Some(sc)) => match explain(r, d, &sc.hardware, item) {
            Some(e) => {
                let focus = s.inspect.focus;
                let rule = match e.sum {
                    SumRule::Nested => "Each group is the sum of its terms; the number is the sum of the groups (as the model sums them).",
                    SumRule::Flat => "The number is the sum of every term, in this order (as the model sums it).",
                };
                html! {
                    <>
                        <p class="explain-value"><strong id="explain-value" data-value={raw(e.value)} data-sum={raw(e.total())} data-rule={format!("{:?}", e.sum)}>
                            { format!("{} = {}", e.title, amount(e.value)) }</strong>
                            { format!(" ({})", raw(e.value)) }</p>
                        <p class="muted">{ format!("{}. {rule}", e.note) }</p>
                        <div class="table-wrap" tabindex="0" role="region" aria-label="the terms">
                        <table id="explain-terms">
                            <thead><tr><th>{ "term" }</th><th>{ "per tile" }</th><th class="num">{ "tiles" }</th><th class="num">{ "value" }</th></tr></thead>
                            { for e.groups.iter().map(|g| {
                                let link = g.layer_id.map(|_| {
                                    let q = if matches!(e.value, Amount::Cycles(_)) { "latency" } else { "energy" };
                                    format!("item/{}/{q}", g.label)
                                }).filter(|p| *p != e.item && r.layers.iter().any(|i| i.name == g.label));
                                html!{
                                    <tbody class="group" data-value={raw(g.value)}>
                                        <tr class="group-head"><th colspan="3" scope="rowgroup">
                                            if let Some(p) = link { { explain_button(dispatch, p, None, html!{ { g.label.clone() } }) } } else { { g.label.clone() } }
                                        </th><td class="num">{ amount(g.value) }</td></tr>
                                        { for g.terms.iter().map(|t| html!{
                                            <tr class={classes!("term", (focus == Some((t.stack, t.tile_type))).then_some("focus"))} data-value={raw(t.value)}>
                                                <td>{ t.label.clone() }<div class="formula">{ t.formula.clone() }</div></td>
                                                <td class="nowrap">{ amount(t.per_tile) }</td>
                                                <td class="num">{ thousands(t.multiplicity) }</td>
                                                <td class="num">{ amount(t.value) }</td>
                                            </tr>
                                        }) }
                                    </tbody>
                                }
                            }) }
                        </table>
                        </div>
                        <p class="muted" id="explain-sum">{ format!("Sum of the terms: {} — {}", raw(e.total()), if e.total() == e.value { "exactly the number" } else { "differs!" }) }</p>
                    </>
                }
            }
            None => {
                html! { <p class="muted">{ format!("`{item}` is not a number of this report.") }</p> }
            }
        },
        _ => html! { <p class="muted" id="explain-wait">{ "computing the detail…" }</p> },
    };
    html! {
        <section class="card explain-panel" id="explain-panel" aria-live="polite" aria-label="explanation">
            <div class="card-head"><h3>{ "How this number is made" }</h3>
                <button class="small" id="explain-close" onclick={close}>{ "close" }</button></div>
            { body }
        </section>
    }
}

/// The loop nests: a toggle, then per layer and tile type the temporal
/// loops (outermost first) with each operand's memory level.
pub(super) fn loops_card(s: &State, dispatch: &UseReducerDispatcher<Model>) -> Html {
    let on = s.inspect.loops;
    let toggle = {
        let d = dispatch.clone();
        Callback::from(move |_| d.dispatch(Action::ShowLoops(!on)))
    };
    let nests = match (on, s.shown.detail.as_deref()) {
        (true, Some(d)) => loop_nests(d),
        _ => Vec::new(),
    };
    html! {
        <section class="card" id="loops-card">
            <div class="card-head"><h3>{ "Loop nests: the chosen temporal mapping per layer and tile type" }</h3>
                <button class="small" id="loops-toggle" aria-expanded={on.to_string()} onclick={toggle}>{ if on { "hide" } else { "show" } }</button></div>
            if on && nests.is_empty() { <p class="muted">{ "computing the detail…" }</p> }
            if on {
                <div class="loop-nests">
                { for nests.iter().map(|n| html!{
                    <details class="loop-nest" data-item={n.item.clone()} data-product={n.loops.iter().map(|l| l.1).product::<u64>().to_string()}>
                        <summary>{ format!("{} · stack {} tile type {}: layer tile {}×{}, {} tile{} · LOMA: {} orderings considered, {} pruned, {} evaluated in full",
                            n.item, n.stack, n.tile_type, n.layer_ox, n.layer_oy, thousands(n.multiplicity), if n.multiplicity == 1 { "" } else { "s" },
                            thousands(n.search.considered), thousands(n.search.pruned), thousands(n.search.evaluated)) }</summary>
                        <p class="muted">{ "spatial: " }{ n.spatial.iter().map(|(a, l, f)| format!("{a} ← {l} {f}")).collect::<Vec<_>>().join(", ") }</p>
                        <table class="loop-table">
                            <thead><tr><th>{ "loop (outermost first)" }</th><th class="num">{ "size" }</th>
                                { for n.operands.iter().map(|o| html!{ <th>{ format!("{o} in") }</th> }) }</tr></thead>
                            <tbody>
                            { for n.loops.iter().rev().map(|(dim, size, at)| html!{
                                <tr><td><code>{ format!("for {dim}") }</code></td><td class="num">{ size }</td>
                                    { for at.iter().map(|m| html!{ <td class="mem">{ m.clone() }</td> }) }</tr>
                            }) }
                            </tbody>
                        </table>
                    </details>
                }) }
                </div>
            }
        </section>
    }
}

/// The explanation a cell of the energy breakdown's data table opens: a
/// memory (per operand or in all), the MACs or the data copies.
pub(super) fn energy_cell(cat: &str, series: Option<&str>) -> Option<String> {
    // with A pinned: B's bars explain, A's do not (A's detail is not kept)
    if cat.ends_with(" (A)") {
        return None;
    }
    let cat = cat.strip_suffix(" (B)").unwrap_or(cat);
    match (cat, series) {
        ("MAC", _) => Some("mac_energy".into()),
        ("data copies", _) => Some("data_copy_energy".into()),
        (m, None) => Some(format!("memory/{m}")),
        (m, Some(op)) => op
            .strip_prefix("operand ")
            .map(|o| format!("memory/{m}/{o}")),
    }
}

/// The explanation a cell of the latency table opens: the layer's latency
/// (ideal + stalls + on-loading) or the data copy before it; the row total
/// (both) has none of its own.
pub(super) fn latency_cell(cat: &str, series: Option<&str>) -> Option<String> {
    if cat.ends_with(" (A)") {
        return None;
    }
    let cat = cat.strip_suffix(" (B)").unwrap_or(cat);
    match series? {
        "data copies before" => Some(format!("item/copy before {cat}/latency")),
        _ => Some(format!("item/{cat}/latency")),
    }
}
