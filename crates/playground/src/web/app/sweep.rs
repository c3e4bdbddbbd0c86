//! The schedule sweep: grid choice, progress, Cancel, heat maps and Pareto.

use super::*;

pub(super) fn sweep_section(
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
    let failed = sw.points.iter().filter(|p| p.outcome.is_err()).count();
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
