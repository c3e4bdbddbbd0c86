//! A/B comparison: "Pin as A" beside the summary, A's number and B/A under
//! each metric, the charts with A's and B's bars side by side, and a card
//! with the ratios and the layers' deltas (top-level choices that differ
//! highlighted).

use super::*;

/// A short description of a scenario.
fn describe(a: &crate::state::Scenario) -> String {
    let edited = a.edits.iter().any(Option::is_some);
    format!(
        "{} on {}{} · mode {} · {}×{} · lpf {}",
        a.workload,
        a.hardware.replace('_', " "),
        if edited { " (edited)" } else { "" },
        a.overlap.mode(),
        a.tile.x,
        a.tile.y,
        a.lpf
    )
}

/// "Pin as A", or what A is and "Unpin".
pub(super) fn pin_controls(s: &State, dispatch: &UseReducerDispatcher<Model>) -> Html {
    let d = dispatch.clone();
    match s.scenario.pinned.as_deref() {
        None => html! {
            <button class="small" id="pin-a" disabled={s.shown.report.is_none()} title="keep this scenario as A and compare what you change next (B) with it"
                onclick={move |_| d.dispatch(Action::PinA)}>{ "Pin as A" }</button>
        },
        Some(a) => html! {
            <span class="pinned" id="pinned-a">{ format!("A: {}", describe(a)) }
                <button class="small" id="unpin" onclick={move |_| d.dispatch(Action::Unpin)}>{ "Unpin A" }</button></span>
        },
    }
}

/// Under a metric: A's value and B/A.
pub(super) fn ab_line(s: &State, id: &str, fmt: &dyn Fn(f64) -> String) -> Html {
    let (Some(a), Some(b)) = (s.pinned.report.as_deref(), s.shown.report.as_deref()) else {
        return html! {};
    };
    let Some((_, _, va, vb)) = views::ab_metrics(a, b).into_iter().find(|m| m.1 == id) else {
        return html! {};
    };
    let r = views::ratio(va, vb);
    html! {
        <span class="metric-ab" data-a={format!("{va:?}")} data-ratio={r.map(|r| format!("{r:?}")).unwrap_or_default()}>
            { format!("A {} · B/A ", fmt(va)) }
            <b class={classes!(r.map(|r| if r < 1.0 { "better" } else if r > 1.0 { "worse" } else { "" }))}>{ r.map(|r| format!("×{r:.3}")).unwrap_or_else(|| "—".into()) }</b>
        </span>
    }
}

/// The energy breakdown, with A's bars beside B's when A is pinned.
pub(super) fn energy_chart(s: &State) -> Option<charts::StackedBars> {
    let b = views::energy_breakdown(s.shown.report.as_deref()?, &s.derived.memory_order);
    Some(match s.pinned.report.as_deref() {
        Some(a) => views::ab_bars(&views::energy_breakdown(a, &s.derived.memory_order), &b),
        None => b,
    })
}

/// The latency per layer, with A's bars beside B's when A is pinned.
pub(super) fn latency_chart(s: &State) -> Option<charts::StackedBars> {
    let b = views::latency_per_layer(s.shown.report.as_deref()?);
    Some(match s.pinned.report.as_deref() {
        Some(a) => views::ab_bars(&views::latency_per_layer(a), &b),
        None => b,
    })
}

/// The comparison card (only while A is pinned).
pub(super) fn compare_card(s: &State, dispatch: &UseReducerDispatcher<Model>) -> Html {
    let Some(pinned) = s.scenario.pinned.as_deref() else {
        return html! {};
    };
    let d = dispatch.clone();
    let unpin = Callback::from(move |_| d.dispatch(Action::Unpin));
    let body = match (s.pinned.report.as_deref(), s.shown.report.as_deref()) {
        (Some(a), Some(b)) => {
            let layers = views::layer_deltas(a, b);
            let pct = |a: f64, b: f64| {
                views::ratio(a, b)
                    .map(|r| format!("×{r:.3}"))
                    .unwrap_or_else(|| "—".into())
            };
            html! {
                <>
                <table id="ab-table">
                    <thead><tr><th>{ "" }</th><th class="num">{ "A" }</th><th class="num">{ "B" }</th><th class="num">{ "B / A" }</th></tr></thead>
                    <tbody>
                    { for views::ab_metrics(a, b).into_iter().map(|(label, id, va, vb)| html!{
                        <tr id={format!("ab-{id}")} data-a={format!("{va:?}")} data-b={format!("{vb:?}")} data-ratio={views::ratio(va, vb).map(|r| format!("{r:?}")).unwrap_or_default()}>
                            <th scope="row">{ label }</th><td class="num">{ sci(va) }</td><td class="num">{ sci(vb) }</td><td class="num">{ pct(va, vb) }</td></tr>
                    }) }
                    </tbody>
                </table>
                <div class="table-wrap" tabindex="0" role="region" aria-label="layers of A and B">
                <table id="ab-layers">
                    <caption>{ "Per layer (highlighted: A and B chose different top memory levels)" }</caption>
                    <thead><tr><th>{ "layer" }</th><th class="num">{ "energy A" }</th><th class="num">{ "energy B" }</th><th class="num">{ "B / A" }</th>
                        <th class="num">{ "latency A" }</th><th class="num">{ "latency B" }</th><th class="num">{ "B / A" }</th><th>{ "top levels A → B" }</th></tr></thead>
                    <tbody>
                    { for layers.iter().map(|l| {
                        let e = |x: Option<(f64, u64)>| x.map(|v| energy(v.0)).unwrap_or_else(|| "—".into());
                        let c = |x: Option<(f64, u64)>| x.map(|v| cycles(v.1)).unwrap_or_else(|| "—".into());
                        let re = match (l.a, l.b) { (Some(a), Some(b)) => pct(a.0, b.0), _ => "—".into() };
                        let rl = match (l.a, l.b) { (Some(a), Some(b)) => pct(a.1 as f64, b.1 as f64), _ => "—".into() };
                        html!{
                            <tr class={classes!(l.tops_differ().then_some("differs"))} data-layer={l.layer.clone()} data-differs={l.tops_differ().to_string()}>
                                <td>{ &l.layer }</td><td class="num">{ e(l.a) }</td><td class="num">{ e(l.b) }</td><td class="num">{ re }</td>
                                <td class="num">{ c(l.a) }</td><td class="num">{ c(l.b) }</td><td class="num">{ rl }</td>
                                <td>{ if l.tops_differ() { format!("{} → {}", l.a_tops.join(", "), l.b_tops.join(", ")) } else { l.b_tops.join(", ") } }</td>
                            </tr>
                        }
                    }) }
                    </tbody>
                </table>
                </div>
                </>
            }
        }
        _ => html! { <p class="muted" id="ab-wait">{ "computing A…" }</p> },
    };
    html! {
        <section class="card" id="compare">
            <div class="card-head"><h3>{ "A/B comparison" }</h3>
                <span class="exports">{ embed_button(s, crate::embed::View::Compare) }<button class="small" onclick={unpin}>{ "Unpin A" }</button></span></div>
            <p class="muted">{ format!("A: {} — B: the current scenario. The energy and latency charts show A's bars beside B's, on one scale.", describe(pinned)) }</p>
            { body }
        </section>
    }
}
