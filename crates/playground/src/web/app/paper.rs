//! The "Paper" view: the case study 1 figures recomputed live from the
//! page's own case-study-1 sweep (see `views::paper`).

use super::*;
use crate::views::paper;

/// The paper view's canvases: Fig. 12's six maps, then Figs. 13, 14 (one
/// per memory, three on the case-study hardware) and 15.
pub(super) struct PaperCharts {
    pub heat: Vec<NodeRef>,
    pub macs: NodeRef,
    pub accesses: Vec<NodeRef>,
    pub energy: NodeRef,
    pub latency: NodeRef,
}

#[hook]
pub(super) fn use_paper_charts(model: &UseReducerHandle<Model>) -> PaperCharts {
    let s = &model.0;
    let h = [
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
    ];
    let acc = [use_node_ref(), use_node_ref(), use_node_ref()];
    let charts = PaperCharts {
        heat: h.to_vec(),
        macs: use_node_ref(),
        accesses: acc.to_vec(),
        energy: use_node_ref(),
        latency: use_node_ref(),
    };
    let (heat, macs, acc, en, lat) = (
        charts.heat.clone(),
        charts.macs.clone(),
        charts.accesses.clone(),
        charts.energy.clone(),
        charts.latency.clone(),
    );
    let snapshot = model.clone();
    let key = (
        paper::is_case_study(s),
        s.sweep.as_ref().map(|w| (w.run_id, w.points.len())),
    );
    use_effect_with(key, move |(ready, _)| {
        if !*ready {
            return;
        }
        let s = &snapshot.0;
        for (map, canvas) in paper::fig12(s).iter().zip(&heat) {
            if let Some(a) = canvas_area(canvas) {
                let _ = charts::draw_heat_map(&a, map);
            }
        }
        let fig14 = paper::fig14(s);
        for (chart, canvas) in fig14.into_iter().zip(&acc).chain([
            (paper::fig13(s), &macs),
            (paper::fig15_energy(s), &en),
            (paper::fig15_latency(s), &lat),
        ]) {
            if let Some(a) = canvas_area(canvas) {
                let _ = charts::draw_stacked_bars(&a, &chart);
            }
        }
    });
    charts
}

pub(super) fn paper_card(
    s: &State,
    c: &PaperCharts,
    dispatch: &UseReducerDispatcher<Model>,
) -> Html {
    let ready = paper::is_case_study(s);
    let run = {
        let d = dispatch.clone();
        Callback::from(move |_| {
            d.dispatch(Action::SetHardware("Meta_prototype_DF".into()));
            d.dispatch(Action::SetWorkload("fsrcnn".into()));
            d.dispatch(Action::SetGrid(Grid::CaseStudy1));
            d.dispatch(Action::StartSweep(Grid::CaseStudy1));
        })
    };
    let running = s.sweep.as_ref().is_some_and(|w| w.running);
    let fig14_mems = paper::fig14_memories(s);
    let edited = s.scenario.edits.iter().any(Option::is_some);
    let none = ChartClicks {
        cells: None,
        on_click: None,
    };
    html! {
        <section class="card" id="paper">
            <div class="card-head"><h3>{ "Paper: case study 1 (FSRCNN on Meta-proto-like DF)" }</h3>
                <span class="exports">{ embed_button(s, crate::embed::View::Paper) }</span></div>
            <p class="muted">{ "The figures of Mei et al. (HPCA 2023) for case study 1, recomputed here: Fig. 12 (energy and latency per mode and tile size, on the paper's colour scales 1.8–47.3 mJ and 18–1026 Mcycles), Fig. 13 (MACs with recomputation over the six diagonal tile sizes), Fig. 14 (activation element accesses of the compute layers at DRAM, the global and the local buffer) and Fig. 15 (energy and latency split). Figs. 13 and 14 use log scales, as in the paper; the data tables under the charts give every number." }</p>
            if edited { <p class="q36 active">{ "Your edited documents are used: reset them (the editors below) for the paper's numbers." }</p> }
            if !ready {
                <button id="paper-run" class="primary" disabled={running || !s.is_valid()} onclick={run}>
                    { if running { "sweeping…" } else { "Recompute case study 1 (108 schedules)" } }</button>
            }
            <div class={classes!("heat-grid", (!ready).then_some("hidden"))} id="paper-fig12">
                { for c.heat.iter().enumerate().map(|(i, r)| html!{
                    <canvas id={format!("fig12-{}-{}", if i < 3 { "energy" } else { "latency" }, i % 3 + 1)} ref={r.clone()} width="420" height="300"
                        role="img" aria-label={format!("Fig. 12, {} of mode {} over tile width and height (the sweep's heat-map cells list the numbers)", if i < 3 { "energy" } else { "latency" }, i % 3 + 1)}></canvas>
                }) }
            </div>
            if ready {
                { chart_card("Fig. 13: MACs with recomputation", "fig13", &c.macs, Some(paper::fig13(s)), |v| si(v, "MAC"), html!{}, none) }
                { for paper::fig14(s).into_iter().zip(&c.accesses).enumerate().map(|(i, (chart, r))| {
                    let title = format!("Fig. 14: activation accesses at {}", fig14_mems.get(i).map_or("", String::as_str));
                    chart_card(&title, &format!("fig14-{}", i + 1), r, Some(chart), |v| si(v, ""), html!{}, ChartClicks { cells: None, on_click: None })
                }) }
                { chart_card("Fig. 15: energy split", "fig15-energy", &c.energy, Some(paper::fig15_energy(s)), energy, html!{}, ChartClicks { cells: None, on_click: None }) }
                { chart_card("Fig. 15: latency split", "fig15-latency", &c.latency, Some(paper::fig15_latency(s)), |v| cycles(v as u64), html!{}, ChartClicks { cells: None, on_click: None }) }
            } else {
                <canvas ref={c.macs.clone()} class="hidden" width="900" height="360"></canvas>
                { for c.accesses.iter().map(|r| html!{ <canvas ref={r.clone()} class="hidden" width="900" height="360"></canvas> }) }
                <canvas ref={c.energy.clone()} class="hidden" width="900" height="360"></canvas>
                <canvas ref={c.latency.clone()} class="hidden" width="900" height="360"></canvas>
            }
        </section>
    }
}
