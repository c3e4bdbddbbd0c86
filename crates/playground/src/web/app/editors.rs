//! The JSON editors with their diagnostics, and the in-app help.

use super::*;

pub(super) fn editors(s: &State, dispatch: &UseReducerDispatcher<Model>) -> Html {
    html! {
        <section class="card editors">
            <h3>{ "Inputs as JSON" }</h3>
            <p class="muted">{ "Edit the hardware, the network or the spatial mapping; problems are listed with the field they concern, your edits are kept (also across reloads), and \"Reset\" brings back the preset." }</p>
            { for Doc::ALL.iter().map(|doc| {
                let doc = *doc;
                let name = doc.name();
                let diags: Vec<_> = s.diagnostics().filter(|d| d.path.starts_with(name)).collect();
                let edited = s.scenario.edit(doc).is_some();
                let d = dispatch.clone();
                let oninput = Callback::from(move |e: InputEvent| d.dispatch(Action::Edit(doc, input_value(&e))));
                let d2 = dispatch.clone();
                html!{
                    <details open={edited || !diags.is_empty()} id={format!("editor-{name}")}>
                        <summary>
                            { format!("{name} ({})", match doc { Doc::Hardware => s.scenario.hardware.clone(), Doc::Workload => s.scenario.workload.clone(), Doc::Mapping => s.scenario.mapping_name() }) }
                            if edited { <span class="badge">{ "edited" }</span> }
                            if !diags.is_empty() { <span class="badge error">{ format!("{} problem(s)", diags.len()) }</span> }
                        </summary>
                        if !diags.is_empty() {
                            <ul class="diagnostics">
                                { for diags.iter().map(|d| html!{ <li><code>{ &d.path }</code>{ ": " }{ &d.message }</li> }) }
                            </ul>
                        }
                        <textarea id={format!("json-{name}")} spellcheck="false" value={s.scenario.text(doc)} {oninput} />
                        if edited {
                            <button class="small" onclick={move |_| d2.dispatch(Action::ResetEdit(doc))}>{ "Reset to preset" }</button>
                        }
                    </details>
                }
            }) }
        </section>
    }
}

pub(super) fn help() -> Html {
    html! {
        <section class="card help" id="help">
            <h3>{ "How it works" }</h3>
            <p>{ "DeFiNES estimates the energy and latency of a DNN on an accelerator for a depth-first schedule: the network is cut into stacks of fused layers (automatically, where the weights would overflow the on-chip weight memory), each stack's output is computed tile by tile, and overlapping data between tiles is either recomputed (mode 1), cached horizontally (mode 2) or cached both ways (mode 3). A tile as large as the feature map is the classic layer-by-layer schedule." }</p>
            <p>{ "For every layer and tile type the model picks the memory levels holding inputs, outputs and weights, searches the best temporal mapping (LOMA, limited by the loop-prime-factor setting: 6 as in the reference's main.py, 8 as in the paper; the search returns exactly the full enumeration's optimum either way, skipping only orderings that provably cannot win) and adds the data-copy phases between memories. Energies are in pJ (shown in nJ/µJ/mJ), latencies in clock cycles; the latency is the sum over layers and copies, as in the reference." }</p>
            <p>{ "Everything is computed in your browser in web workers: the interactive schedule in one, a sweep in one worker per core, so moving a slider never waits for a sweep. The URL holds the whole scenario: copy it to share exactly what you see." }</p>
            <p>{ "Edit the JSON of the accelerator, network or mapping below: every problem is listed with its field and how to fix it, and nothing runs until the input is valid. The model refuses values beyond its limits (for example a loop-prime-factor limit above 8, more than 64 ports on a memory, or an access energy above 10⁹ pJ) with the limit and why, so that every accepted input gives finite numbers quickly. The model's rules and the reference's quirks are documented in docs/model.md in the project's repository." }</p>
        </section>
    }
}
