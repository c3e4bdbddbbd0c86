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
            <p>{ "Your own hardware: the Accelerator form edits the same document as the hardware JSON (sizes take b, B, KB = 1024 B, MB, GB; bandwidths are bits per cycle, energies pJ per access). \"What if…\" puts any numeric field on a slider (×2 steps for sizes, bandwidths and energies). \"Save as mine\" keeps an accelerator in this browser; Export JSON downloads it, and the URL shares it." }</p>
            <p>{ "The fuse depth: in the Fuse depth card, click between two layers to cut the network into stacks there, or join them again; \"automatic\" is the reference's rule (cut where the weights would overflow the on-chip weight memory, the second-highest weight memory), and each stack's weights are shown against that memory. The reference ignores a cut after layer 0 (quirk Q36: the stack before it runs to the end of the network); tick \"fix Q36\" to make it a real cut (no longer the reference's numbers)." }</p>
            <p>{ "Sweeps: over schedules (tile sizes × modes, for one or more cut sets: heat maps per cut set, the Pareto front across all) or over one or two hardware fields (a list such as 64 KB, 1 MB or a range such as 64 KB..4 MB; each point at the current schedule or at the least energy-delay schedule of the tile grid). The command line does the same: defines sweep --vary NAME.FIELD=… --cuts … --best." }</p>
            <p>{ "Why is a number what it is? Click (or focus and press Enter on) any dotted number: the metrics, a cell of a chart's data table, a layer's energy or latency. A panel lists the terms it adds up from, per layer and tile type, down to what the model computed: word accesses × energy per access at a memory, ideal cycles + stall + on-loading, the data copies and what they moved; the terms add up to the number exactly. \"Loop nests\" shows every layer's chosen temporal mapping per tile type (loops outermost first, the memory level of each operand, the spatial unrolling and how many orderings LOMA considered). \"Pin as A\" (beside the numbers, or on a Pareto point or a simpler model's choice) keeps a scenario as A: what you change next is B, every number shows A and B/A, the charts show A's bars beside B's, and a card lists the layers whose memory choices differ; A is in the URL too. \"Tile by tile\" plays a stack's feature map being computed tile after tile (play, step, scrub, or the arrow keys and space on the picture): which tiles are done, whether the overlap with the neighbours is cached or recomputed in this mode, where each operand is for the current tile type and which data copies it makes. Under a sweep, \"Simpler models\" shows the schedule a model counting only DRAM traffic, or ignoring weights, would pick, and what it really costs (docs/model.md §4.1)." }</p>
            <p>{ "\"Paper\" recomputes the paper's case study 1 (FSRCNN on Meta-proto-like DF): Fig. 12's heat maps on the paper's colour scales, Fig. 13's MACs with recomputation and Fig. 15's energy and latency splits over the diagonal tile sizes, from the page's own 108-schedule sweep." }</p>
            <p>{ "For papers and talks: \"Embed\" on a view copies an <iframe> showing that view of this scenario (?embed=energy, metrics, latency, heatmaps, pareto, layers or fuse; add &controls=mode,tile), and a host page can drive it with postMessage (see README and examples/host.html). \"Present\" (or ?present) shows one view at a time in large type: keys 1 2 3 for the mode, arrows for the tile, space for the sweep, Tab for the next view, ? for all keys. After one visit the page also works offline. Every export carries the scenario that reproduces it." }</p>
            <p>{ "Everything is computed in your browser in web workers: the interactive schedule in one, a sweep in one worker per core, so moving a slider never waits for a sweep. The URL holds the whole scenario: copy it to share exactly what you see." }</p>
            <p>{ "Edit the JSON of the accelerator, network or mapping below: every problem is listed with its field and how to fix it, and nothing runs until the input is valid. The model refuses values beyond its limits (for example a loop-prime-factor limit above 8, more than 64 ports on a memory, or an access energy above 10⁹ pJ) with the limit and why, so that every accepted input gives finite numbers quickly. The model's rules and the reference's quirks are documented in docs/model.md in the project's repository." }</p>
        </section>
    }
}
