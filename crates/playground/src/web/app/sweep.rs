//! The sweep: its set-up in the side panel (schedules over cut sets, or
//! hardware parameters over values), progress and Cancel; its results
//! (heat maps per cut set and the Pareto front, or a line chart / heat
//! maps over the hardware values with the best schedule per point).

use super::*;
use crate::state::{CutChoice, SweepKind, MAX_VARY_AXES};

/// The sweep's set-up, Run and Cancel, and its progress.
pub(super) fn sweep_controls(s: &State, dispatch: &UseReducerDispatcher<Model>) -> Html {
    let sweep_running = s.sweep.as_ref().is_some_and(|w| w.running);
    let setup = &s.scenario.sweep;
    let kind = setup.kind;
    let grid_select = html! {
        <div class="field">
            <label for="grid">{ "Tile sizes" }</label>
            <select id="grid" onchange={ let d = dispatch.clone(); move |e: web_sys::Event| d.dispatch(Action::SetGrid(if input_value(&e) == "auto" { Grid::Auto } else { Grid::CaseStudy1 })) }>
                <option value="cs1" selected={s.grid == Grid::CaseStudy1}>{ "Case study 1 grid (6×6 × 3 modes)" }</option>
                <option value="auto" selected={s.grid == Grid::Auto}>{ "Automatic for this network (≤ 6×6 × 3 modes)" }</option>
            </select>
        </div>
    };
    let unit = if sweep_running
        || s.sweep
            .as_ref()
            .is_some_and(|w| w.kind == SweepKind::Schedules)
    {
        "schedules"
    } else {
        "evaluations"
    };
    html! {
        <>
            <h2>{ "Design-space sweep" }</h2>
            <div class="segmented" role="radiogroup" aria-label="what to sweep">
                { for [(SweepKind::Schedules, "schedules", "sweep-schedules"), (SweepKind::Hardware, "hardware", "sweep-hardware")].into_iter().map(|(k, name, id)| {
                    let d = dispatch.clone();
                    html!{ <button id={id} role="radio" aria-checked={(k == kind).to_string()} class={classes!((k == kind).then_some("active"))}
                        onclick={move |_| d.dispatch(Action::SetSweepKind(k))}>{ name }</button> }
                }) }
            </div>
            if kind == SweepKind::Schedules {
                { grid_select }
                <div class="field" id="cut-choices">
                    <span class="label">{ "Cut sets (fuse depth)" }</span>
                    { for CutChoice::ALL.into_iter().map(|c| {
                        let on = setup.cut_choices().contains(&c);
                        let d = dispatch.clone();
                        html!{ <label class="check"><input type="checkbox" id={format!("cut-choice-{}", c.label().split(' ').next().unwrap_or("").replace('\'', ""))} checked={on}
                            onchange={move |_| d.dispatch(Action::ToggleCutChoice(c))} />{ format!(" {}", c.label()) }</label> }
                    }) }
                </div>
            } else {
                { hardware_axes(s, dispatch) }
                <div class="field">
                    <span class="label">{ "Each point at" }</span>
                    <label class="check"><input type="radio" name="at" id="at-current" checked={!setup.at_best}
                        onchange={ let d = dispatch.clone(); move |_| d.dispatch(Action::SetAtBest(false)) } />{ " this schedule" }</label>
                    <label class="check"><input type="radio" name="at" id="at-best" checked={setup.at_best}
                        onchange={ let d = dispatch.clone(); move |_| d.dispatch(Action::SetAtBest(true)) } />{ " the best of the tile grid × 3 modes (EDP)" }</label>
                </div>
                if setup.at_best { { grid_select } }
            }
            if let Some(e) = &s.sweep_error { <p class="diagnostics" id="sweep-error">{ e }</p> }
            <div class="sweep-buttons">
                <button id="run-sweep" class="primary" disabled={!s.is_valid() || sweep_running}
                    title={ if s.is_valid() { "" } else { "fix the input errors first" } }
                    onclick={ let d = dispatch.clone(); let g = s.grid; move |_| d.dispatch(Action::StartSweep(g)) }>{ "Run sweep" }</button>
                if sweep_running {
                    <button id="cancel-sweep" onclick={ let d = dispatch.clone(); move |_| d.dispatch(Action::CancelSweep) }>{ "Cancel" }</button>
                }
            </div>
            if let Some(sw) = &s.sweep {
                <div class="progress">
                    <progress id="sweep-progress" max={sw.total.to_string()} value={sw.points.len().to_string()}></progress>
                    <span id="sweep-count" data-done={sw.points.len().to_string()} data-total={sw.total.to_string()}
                        data-state={ if sw.running { "running" } else if sw.cancelled { "cancelled" } else { "done" } }>
                        { format!("{} / {} {unit}{}", sw.points.len(), sw.total,
                            if sw.running { "" } else if sw.cancelled { " (cancelled)" } else { " ✓" }) }
                    </span>
                </div>
            }
        </>
    }
}

/// The varied hardware parameters: a field and its values, twice.
fn hardware_axes(s: &State, dispatch: &UseReducerDispatcher<Model>) -> Html {
    let params = &s.derived.hw_params;
    html! {
        { for (0..MAX_VARY_AXES).map(|k| {
            let axis = s.scenario.sweep.vary.get(k).cloned().unwrap_or_default();
            let d = dispatch.clone();
            let d2 = dispatch.clone();
            html!{
                <div class="field vary">
                    <label for={format!("vary-{k}")}>{ if k == 0 { "Vary".to_string() } else { "and (optional, a heat map)".to_string() } }</label>
                    <select id={format!("vary-{k}")} onchange={move |e: web_sys::Event| d.dispatch(Action::SetVaryParam(k, input_value(&e)))}>
                        <option value="" selected={axis.param.is_empty()}>{ if k == 0 { "choose a hardware field…" } else { "nothing else" } }</option>
                        { for params.iter().map(|p| html!{ <option value={p.clone()} selected={*p == axis.param}>{ p }</option> }) }
                    </select>
                    if !axis.param.is_empty() {
                        <input type="text" id={format!("vary-{k}-values")} class="values" value={axis.values.clone()}
                            placeholder="64 KB, 256 KB, 1 MB  or  64 KB..4 MB" title="a list separated by commas, or a range a..b (×2 steps for sizes, bandwidths and energies)"
                            oninput={move |e: InputEvent| d2.dispatch(Action::SetVaryValues(k, input_value(&e)))} />
                    }
                </div>
            }
        }) }
    }
}

pub(super) fn sweep_section(
    s: &State,
    charts: &SweepCharts,
    on_click: Callback<MouseEvent>,
    dispatch: &UseReducerDispatcher<Model>,
) -> Html {
    let Some(sw) = &s.sweep else {
        return html! {
            <section class="card empty-sweep">
                <h3>{ "Design-space sweep" }</h3>
                <p class="muted">{ "Run a sweep (left) over tile sizes, overlap modes and cut sets, shown as heat maps (as in the paper's Fig. 12) and their Pareto front, or over one or two hardware fields with the best schedule per point. Click a point of the front to load that schedule." }</p>
            </section>
        };
    };
    if sw.kind == SweepKind::Hardware {
        return hardware_results(s, charts, dispatch);
    }
    let csv = {
        let text = Provenance::of(&s.scenario).csv(&views::sweep_csv(s));
        Callback::from(move |_| browser::download_text(&text, "text/csv", "defines-sweep.csv"))
    };
    let failed = sw.points.iter().filter(|p| p.outcome.is_err()).count();
    let groups = &sw.cut_groups;
    html! {
        <section class="card sweep" id="sweep-results">
            <div class="card-head">
                <h3>{ format!("Sweep: {} schedules", sw.total) }
                    if groups.len() > 1 { <span class="muted">{ format!(" · {} cut sets", groups.len()) }</span> }
                </h3>
                <span class="exports"><button class="small" id="export-csv" onclick={csv}>{ "CSV" }</button>
                    { embed_button(s, crate::embed::View::Heatmaps) }{ embed_button(s, crate::embed::View::Pareto) }</span>
            </div>
            if failed > 0 {
                <p class="muted">{ format!("{failed} schedule(s) could not be evaluated (shown grey)") }</p>
            }
            if !s.scenario.fixes.cut_after_layer_zero && groups.iter().any(|g| g.resolved.contains(&0)) {
                <p class="q36 active" id="sweep-q36"><strong>{ "Quirk Q36: " }</strong>
                    { "a cut set here cuts after layer 0, which the reference ignores, so its first stack runs to the network's end and later layers are evaluated twice. Tick \"fix Q36\" in the fuse-depth card for real stacks." }</p>
            }
            if groups.len() > 1 {
                <div class="segmented tabs" role="tablist" aria-label="cut set of the heat maps">
                    { for groups.iter().enumerate().map(|(g, grp)| {
                        let d = dispatch.clone();
                        let best = views::best_of_group(s, g);
                        html!{ <button role="tab" id={format!("cut-group-{g}")} data-best-edp={best.map(|b| format!("{b:?}")).unwrap_or_default()} aria-selected={(g == s.heat_group).to_string()} class={classes!((g == s.heat_group).then_some("active"))}
                            onclick={move |_| d.dispatch(Action::ShowCutGroup(g))}>
                            { grp.label.clone() }
                            if let Some(b) = best { <span class="tab-note">{ format!("best EDP {}", sci(b)) }</span> }
                        </button> }
                    }) }
                </div>
            }
            <div class="heat-grid">
                { for charts.heat.iter().enumerate().map(|(i, c)| html!{
                    <canvas id={format!("heat-{}-{}", if i < 3 { "energy" } else { "latency" }, i % 3 + 1)} ref={c.clone()} width="420" height="300"></canvas>
                }) }
            </div>
            <canvas id="pareto" class="clickable" ref={charts.pareto.clone()} width="900" height="420" onclick={on_click}
                role="img" aria-label="energy against latency of every schedule of the sweep, log-log, with the Pareto front joined; the front is listed below"></canvas>
            { heat_cells(s, dispatch) }
            { pareto_list(s, dispatch) }
            { lens_table(s, dispatch) }
        </section>
    }
}

/// What the simpler models would pick among the sweep's schedules, and
/// what that costs under the full model (docs/model.md §4.1).
fn lens_table(s: &State, dispatch: &UseReducerDispatcher<Model>) -> Html {
    use defines_model::{lens_choice, Lens};
    let Some(sw) = s
        .sweep
        .as_ref()
        .filter(|w| !w.running && !w.points.is_empty())
    else {
        return html! {};
    };
    let counts = |l: Lens| match l {
        Lens::Full => "every memory level, weights and activations, MACs, data copies",
        Lens::DramOnly => "only DRAM accesses",
        Lens::ActivationsOnly => "everything but the weights' memory traffic",
        Lens::DramActivations => "only the activations' DRAM accesses",
    };
    let lenses = [Lens::Full].into_iter().chain(Lens::SIMPLER);
    html! {
        <div class="table-wrap lenses" tabindex="0" role="region" aria-label="what simpler models would pick">
        <table id="lens-table">
            <caption>{ "Simpler models: the schedule each would pick (its least energy as it counts it), and what that really costs" }</caption>
            <thead><tr><th>{ "model" }</th><th>{ "counts" }</th><th>{ "would pick" }</th><th class="num">{ "true energy" }</th><th class="num">{ "× the best" }</th><th>{ "ties (it cannot tell apart)" }</th><th></th></tr></thead>
            <tbody>
            { for lenses.filter_map(|l| lens_choice(&sw.points, l)).map(|c| {
                let sched = sw.points[c.index].schedule.clone();
                let d = dispatch.clone();
                let load = {
                    let sched = sched.clone();
                    Callback::from(move |_: MouseEvent| {
                        d.dispatch(Action::LoadSchedule { overlap: sched.overlap, tile: sched.tile });
                        d.dispatch(Action::SetCuts(sched.stack_cuts.clone()));
                    })
                };
                html!{
                    <tr id={format!("lens-{}", c.lens.name())} data-energy={format!("{:?}", c.energy_pj)} data-ratio={format!("{:?}", c.energy_ratio)}
                        data-mode={sched.overlap.mode().to_string()} data-tile={format!("{}x{}", sched.tile.x, sched.tile.y)}>
                        <th scope="row">{ c.lens.name() }</th>
                        <td>{ counts(c.lens) }</td>
                        <td class="nowrap">{ format!("mode {} · {}×{} · cuts {}", sched.overlap.mode(), sched.tile.x, sched.tile.y, views::cuts_label(&sched.stack_cuts)) }</td>
                        <td class="num">{ energy(c.energy_pj) }</td>
                        <td class={classes!("num", (c.energy_ratio > 1.0).then_some("worse"))}>{ format!("×{:.3}", c.energy_ratio) }</td>
                        <td data-tied={c.tied.to_string()}>{ if c.tied > 1 { format!("{} schedules: ×{:.3} to ×{:.3}", c.tied, c.tied_ratio_min, c.tied_ratio_max) } else { "none".into() } }</td>
                        <td class="nowrap"><button class="small" onclick={load} aria-label={format!("load the {} choice", c.lens.name())}>{ "load" }</button>
                            { pin_button(dispatch, &sched, &format!("pin the {} choice as A", c.lens.name())) }</td>
                    </tr>
                }
            }) }
            </tbody>
        </table>
        </div>
    }
}

/// The heat maps' cells as tables of buttons (the keyboard's way to choose
/// a cell, and their numbers for screen readers).
fn heat_cells(s: &State, dispatch: &UseReducerDispatcher<Model>) -> Html {
    let energy_maps = views::heat_maps(s, Metric::Energy, s.heat_group);
    let latency_maps = views::heat_maps(s, Metric::Latency, s.heat_group);
    let cuts = s
        .sweep
        .as_ref()
        .and_then(|sw| sw.cut_groups.get(s.heat_group))
        .map(|g| g.stack_cuts.clone());
    html! {
        <details class="data-table" id="heat-cells">
            <summary>{ "heat-map cells (choose one with the keyboard: it is loaded and its energy explained)" }</summary>
            { for energy_maps.iter().zip(&latency_maps).enumerate().map(|(m, (e, l))| html!{
                <div class="table-wrap" tabindex="0" role="region" aria-label={e.title.clone()}>
                <table id={format!("heat-cells-{}", m + 1)}>
                    <caption>{ format!("mode {}: {}", m + 1, Overlap::ALL[m].label()) }</caption>
                    <thead><tr><th>{ "tile y \\ x" }</th>{ for e.xs.iter().map(|x| html!{ <th class="num">{ x }</th> }) }</tr></thead>
                    <tbody>
                    { for e.ys.iter().enumerate().map(|(iy, y)| html!{
                        <tr><th scope="row">{ y }</th>
                        { for e.xs.iter().enumerate().map(|(ix, x)| {
                            let k = iy * e.xs.len() + ix;
                            let (ev, lv) = (e.values.get(k).copied().flatten(), l.values.get(k).copied().flatten());
                            let tile = Tile { x: x.parse().unwrap_or(1), y: y.parse().unwrap_or(1) };
                            let d = dispatch.clone();
                            let cuts = cuts.clone();
                            html!{ <td class="num">
                                if let (Some(ev), Some(lv)) = (ev, lv) {
                                    <button class="small" data-mode={(m + 1).to_string()} data-tile={format!("{}x{}", tile.x, tile.y)} data-energy={format!("{ev:?}")}
                                        aria-label={format!("load mode {} tile {}×{}: {}, {}", m + 1, tile.x, tile.y, energy(ev), cycles(lv as u64))}
                                        onclick={move |_| { d.dispatch(Action::LoadSchedule { overlap: Overlap::ALL[m], tile }); if let Some(c) = &cuts { d.dispatch(Action::SetCuts(c.clone())); } d.dispatch(Action::Explain { item: Some("energy".into()), focus: None }); }}>
                                        { energy(ev) }<br/>{ cycles(lv as u64) }</button>
                                } else { { "—" } }
                            </td> }
                        }) }
                        </tr>
                    }) }
                    </tbody>
                </table>
                </div>
            }) }
        </details>
    }
}

/// The Pareto front as buttons (the keyboard's way to load a point).
fn pareto_list(s: &State, dispatch: &UseReducerDispatcher<Model>) -> Html {
    let (scatter, schedules) = views::pareto(s);
    let mut front: Vec<(usize, &crate::charts::ScatterPoint)> = scatter
        .points
        .iter()
        .enumerate()
        .filter(|(_, p)| p.on_front)
        .collect();
    defines_model::small_sort::sort_by(&mut front, |a, b| a.1.energy_pj.total_cmp(&b.1.energy_pj));
    html! {
        <div class="pareto-list" id="pareto-list">
            <span class="label">{ format!("Pareto front ({} schedules):", front.len()) }</span>
            { for front.iter().map(|(i, p)| {
                let sched = schedules[*i].clone();
                let d = dispatch.clone();
                let label = format!("mode {} · {}×{}: {}, {}", schedules[*i].overlap.mode(), schedules[*i].tile.x, schedules[*i].tile.y, energy(p.energy_pj), cycles(p.latency_cycles as u64));
                html!{ <span class="front-point"><button class="small" onclick={ let sched = sched.clone(); move |_| { d.dispatch(Action::LoadSchedule { overlap: sched.overlap, tile: sched.tile }); d.dispatch(Action::SetCuts(sched.stack_cuts.clone())); }}>
                    { label.clone() }
                </button>{ pin_button(dispatch, &sched, &format!("pin {label} as A")) }</span> }
            }) }
        </div>
    }
}

/// A hardware sweep: charts over the values and one row per point.
fn hardware_results(
    s: &State,
    charts: &SweepCharts,
    dispatch: &UseReducerDispatcher<Model>,
) -> Html {
    let Some(sw) = &s.sweep else { return html! {} };
    let rows = views::hw_rows(s);
    let csv = {
        let text = Provenance::of(&s.scenario).csv(&views::hw_csv(s));
        Callback::from(move |_| {
            browser::download_text(&text, "text/csv", "defines-hardware-sweep.csv")
        })
    };
    let names: Vec<String> = sw.params.iter().map(|p| p.label()).collect();
    let two = sw.params.len() == 2;
    html! {
        <section class="card sweep" id="sweep-results">
            <div class="card-head">
                <h3>{ format!("Hardware sweep: {} point{} of {}", sw.jobs.len(), if sw.jobs.len() == 1 { "" } else { "s" }, names.join(" × ")) }</h3>
                <span class="exports"><button class="small" id="export-csv" onclick={csv}>{ "CSV" }</button></span>
            </div>
            <p class="muted">{ if sw.jobs.first().is_some_and(|j| j.schedules.len() > 1) { format!("Each point at the least-EDP schedule of {} (tile sizes × 3 modes); click a row to load that hardware and schedule.", sw.jobs[0].schedules.len()) } else { "Each point at the current schedule; click a row to load that hardware.".to_string() } }</p>
            <div class="heat-grid">
                { for charts.heat.iter().take(3).enumerate().map(|(i, c)| html!{
                    <canvas id={format!("hw-chart-{}", ["energy", "latency", "edp"][i])} class={classes!(if two { "heat" } else { "line" })} ref={c.clone()} width="420" height="300"></canvas>
                }) }
            </div>
            <div class="table-wrap" tabindex="0" role="region" aria-label="hardware points">
            <table id="hw-sweep-table">
                <thead><tr>
                    { for names.iter().map(|n| html!{ <th>{ n }</th> }) }
                    <th>{ "best schedule" }</th><th class="num">{ "energy" }</th><th class="num">{ "latency" }</th><th class="num">{ "EDP" }</th><th></th>
                </tr></thead>
                <tbody>
                { for rows.iter().map(|r| {
                    let job = sw.jobs.get(r.job).cloned();
                    let d = dispatch.clone();
                    let best = r.best.clone();
                    let load = Callback::from(move |_: MouseEvent| {
                        if let Some(job) = &job {
                            if let Some(text) = &job.hardware_json {
                                d.dispatch(Action::Edit(Doc::Hardware, text.clone()));
                            }
                            if let Some((sched, _)) = &best {
                                d.dispatch(Action::LoadSchedule { overlap: sched.overlap, tile: sched.tile });
                                d.dispatch(Action::SetCuts(sched.stack_cuts.clone()));
                            }
                        }
                    });
                    html!{
                        <tr class="clickable" id={format!("hw-row-{}", r.job)} onclick={load}
                            data-energy={r.best.as_ref().map(|(_, t)| format!("{:?}", t.energy_pj)).unwrap_or_default()}
                            data-latency={r.best.as_ref().map(|(_, t)| t.latency_cycles.to_string()).unwrap_or_default()}>
                            { for r.values.iter().map(|v| html!{ <td>{ v }</td> }) }
                            if let Some((sch, t)) = &r.best {
                                <td class="nowrap">{ format!("{} · {}×{} · cuts {}", sch.overlap.label(), sch.tile.x, sch.tile.y, views::cuts_label(&sch.stack_cuts)) }</td>
                                <td class="num">{ energy(t.energy_pj) }</td>
                                <td class="num">{ cycles(t.latency_cycles) }</td>
                                <td class="num">{ sci(t.edp) }</td>
                            } else if let Some(e) = &r.error {
                                <td colspan="4" class="error-cell">{ e }</td>
                            } else {
                                <td colspan="4" class="muted">{ format!("{} / {} schedules", r.done, r.of) }</td>
                            }
                            <td><button class="small">{ "load" }</button></td>
                        </tr>
                    }
                }) }
                </tbody>
            </table>
            </div>
        </section>
    }
}

/// "A": pins the current scenario at a sweep's schedule as A.
fn pin_button(
    dispatch: &UseReducerDispatcher<Model>,
    sched: &defines_model::Schedule,
    label: &str,
) -> Html {
    let d = dispatch.clone();
    let sched = sched.clone();
    html! {
        <button class="small pin" aria-label={label.to_string()} title={label.to_string()}
            onclick={move |_| d.dispatch(Action::PinSchedule(sched.clone()))}>{ "A" }</button>
    }
}
