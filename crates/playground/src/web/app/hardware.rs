//! The structured hardware editor: the MAC array and the memory levels as
//! a form over the hardware JSON (both always show the same document),
//! with the user's saved accelerators and the JSON export.

use super::*;
use crate::hw_form::{FormEdit, HwForm, LevelField, LevelMove, OPERANDS};
use defines_model::Diagnostic;

thread_local! {
    /// The form of the last hardware text read: the page renders on every
    /// change (a tile, a slider), the hardware text changes far less often,
    /// and reading it parses the whole document.
    static LAST_FORM: RefCell<Option<(String, Rc<Option<HwForm>>)>> = const { RefCell::new(None) };
}

/// [`HwForm::read`] of `text`, parsed again only when the text changed.
fn read_form(text: &str) -> Rc<Option<HwForm>> {
    LAST_FORM.with(|last| {
        let mut last = last.borrow_mut();
        match &*last {
            Some((t, form)) if t == text => form.clone(),
            _ => {
                let form = Rc::new(HwForm::read(text));
                *last = Some((text.to_string(), form.clone()));
                form
            }
        }
    })
}

/// The problems of a field: those whose path is the field's or inside it.
fn field_diags<'a>(s: &'a State, path: &'a str) -> Vec<&'a Diagnostic> {
    s.diagnostics()
        .filter(|d| {
            d.path == path
                || d.path
                    .strip_prefix(path)
                    .is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['))
        })
        .collect()
}

/// A text field that commits on change (Enter or leaving the field); it is
/// marked with its problem when validation names it.
fn cell_input(
    s: &State,
    id: String,
    cell: &crate::hw_form::Cell,
    title: &str,
    on: Callback<String>,
) -> Html {
    // The accessible name: which field of which level (the path's tail).
    let label = cell
        .path
        .trim_start_matches("hardware.cores[0].")
        .replace("memory_levels[", "memory level ")
        .replace("].instance.", ": ")
        .replace("].", ": ");
    let diags = field_diags(s, &cell.path);
    let bad = !diags.is_empty();
    let tip = if bad {
        diags
            .iter()
            .map(|d| d.message.as_str())
            .collect::<Vec<_>>()
            .join("; ")
    } else {
        title.to_string()
    };
    html! {
        <input type="text" class={classes!("cell", bad.then_some("invalid"))} id={id}
            value={cell.text.clone()} title={tip} aria-label={label} aria-invalid={bad.to_string()}
            onchange={Callback::from(move |e: web_sys::Event| on.emit(input_value(&e)))} />
    }
}

fn is_port_count(f: LevelField) -> bool {
    matches!(
        f,
        LevelField::ReadPorts | LevelField::WritePorts | LevelField::RwPorts
    )
}

/// One numeric field of level `i`.
fn level_cell(
    s: &State,
    i: usize,
    fl: LevelField,
    c: &crate::hw_form::Cell,
    send: &dyn Fn(Box<dyn Fn(String) -> FormEdit>) -> Callback<String>,
) -> Html {
    let tip = match fl {
        LevelField::Size => {
            "size: a number with b, B, KB (1024 B), MB or GB; a bare number is bits"
        }
        LevelField::ReadCost | LevelField::WriteCost => "energy per access, pJ",
        LevelField::ReadPorts => "read ports",
        LevelField::WritePorts => "write ports",
        LevelField::RwPorts => "read-write ports",
        _ => "a whole number",
    };
    let input = cell_input(
        s,
        format!("hw-{i}-{}", fl.key()),
        c,
        tip,
        send(Box::new(move |t| FormEdit::Level {
            level: i,
            field: fl,
            text: t,
        })),
    );
    html! { <span class={classes!("w", format!("w-{}", fl.key()))}>{ input }</span> }
}

pub(super) fn hardware_form(s: &State, dispatch: &UseReducerDispatcher<Model>) -> Html {
    let text = s.scenario.text(Doc::Hardware);
    let edited = s.scenario.edit(Doc::Hardware).is_some();
    let form = read_form(&text);
    let send = |make: Box<dyn Fn(String) -> FormEdit>| {
        let d = dispatch.clone();
        Callback::from(move |v: String| d.dispatch(Action::Form(make(v))))
    };
    let act = |edit: FormEdit| {
        let d = dispatch.clone();
        Callback::from(move |_: MouseEvent| d.dispatch(Action::Form(edit.clone())))
    };
    let body = match &*form {
        None => html! {
            <p class="diagnostics" id="hw-form-unreadable">{ "The hardware JSON does not parse, so the form cannot show it: fix it in the JSON editor below (its problems are listed there)." }</p>
        },
        Some(f) => {
            let n_dims = f.dims.len();
            let units: u64 = f
                .dims
                .iter()
                .filter_map(|d| d.size.value)
                .map(|v| v as u64)
                .product();
            let n_levels = f.levels.len();
            html! {
                <>
                <div class="mac-row" id="hw-mac">
                    <span class="label">{ "MAC array" }</span>
                    { for f.dims.iter().enumerate().map(|(k, d)| html!{
                        <label class="dim">{ format!("{} ", d.name) }
                            { cell_input(s, format!("hw-dim-{k}"), &d.size, "units along this array dimension", send(Box::new(move |t| FormEdit::DimSize { dim: k, text: t }))) }
                        </label>
                    }) }
                    <span class="muted">{ format!("= {} MACs", thousands(units)) }</span>
                    <label class="dim">{ "energy " }
                        { cell_input(s, "hw-mac-energy".into(), &f.mac_energy, "energy per MAC operation, pJ", send(Box::new(FormEdit::MacEnergy))) }
                        { " pJ/MAC" }
                    </label>
                    <span class="muted" title="informational: the model takes operand precisions from the workload">{ format!("precisions: {}", f.precisions) }</span>
                </div>
                <div class="table-wrap levels-wrap">
                <table class="levels" id="hw-levels">
                    <thead>
                        <tr class="group">
                            <td colspan="3"></td>
                            <th colspan="2" class="center">{ "bandwidth (bit/cycle)" }</th>
                            <th colspan="2" class="center">{ "energy (pJ/access)" }</th>
                            <td colspan="4"></td>
                        </tr>
                        <tr>
                            <th>{ "#" }</th><th>{ "memory" }</th><th class="num">{ "size" }</th>
                            <th class="num">{ "read" }</th><th class="num">{ "write" }</th>
                            <th class="num">{ "read" }</th><th class="num">{ "write" }</th>
                            <th class="num" title="latency in cycles">{ "lat." }</th>
                            <th class="num" title="read, write and read-write ports">{ "ports r/w/rw" }</th>
                            <th title="operands stored (I1 activations, I2 weights, O outputs) and array dimensions served by one instance">{ "holds · serves" }</th><th>{ "level" }</th>
                        </tr>
                    </thead>
                    <tbody>
                    { for f.levels.iter().enumerate().map(|(i, l)| {
                        let row_diags: Vec<&Diagnostic> = field_diags(s, &l.path);
                        html!{
                        <>
                        <tr id={format!("hw-level-{i}")} class={classes!((!row_diags.is_empty()).then_some("row-invalid"))}>
                            <td class="muted">{ i + 1 }</td>
                            <td>{ cell_input(s, format!("hw-name-{i}"), &crate::hw_form::Cell { path: format!("{}.instance.name", l.path), text: l.name.clone(), value: None }, "the memory instance's name", send(Box::new(move |t| FormEdit::Rename { level: i, name: t }))) }</td>
                            { for l.cells.iter().filter(|(fl, _)| !is_port_count(*fl)).map(|(fl, c)| {
                                let fl = *fl;
                                html!{ <td class="num">{ level_cell(s, i, fl, c, &send) }</td> }
                            }) }
                            <td class="num ports">{ for l.cells.iter().filter(|(fl, _)| is_port_count(*fl)).map(|(fl, c)| level_cell(s, i, *fl, c, &send)) }</td>
                            <td class="chips">{ for OPERANDS.iter().map(|op| {
                                let on = l.operands.iter().any(|o| o == op);
                                html!{ <button class={classes!("chip", on.then_some("on"))} aria-pressed={on.to_string()} id={format!("hw-{i}-op-{op}")}
                                    title={format!("store {op} ({}) in this memory", match *op { "I1" => "activations", "I2" => "weights", _ => "outputs" })}
                                    onclick={act(FormEdit::ToggleOperand { level: i, operand: op.to_string() })}>{ *op }</button> }
                            }) }
                            <span class="sep">{ "·" }</span>
                            { for (0..n_dims).map(|k| {
                                let on = l.served.get(k).copied().unwrap_or(false);
                                html!{ <button class={classes!("chip", on.then_some("on"))} aria-pressed={on.to_string()} id={format!("hw-{i}-dim-{k}")}
                                    title="one instance serves the whole array along this dimension"
                                    onclick={act(FormEdit::ToggleServed { level: i, dim: k })}>{ f.dims[k].name.clone() }</button> }
                            }) }</td>
                            <td class="row-actions">
                                <button class="small" title="move down (towards the MACs)" disabled={i == 0} onclick={act(FormEdit::Move(i, LevelMove::Down))}>{ "↓" }</button>
                                <button class="small" title="move up" disabled={i + 1 == n_levels} onclick={act(FormEdit::Move(i, LevelMove::Up))}>{ "↑" }</button>
                                <button class="small" title="duplicate" id={format!("hw-dup-{i}")} onclick={act(FormEdit::Duplicate(i))}>{ "dup" }</button>
                                <button class="small" title="add a level above" id={format!("hw-add-{i}")} onclick={act(FormEdit::AddAbove(i))}>{ "+" }</button>
                                <button class="small" title="remove" id={format!("hw-remove-{i}")} disabled={n_levels == 1} onclick={act(FormEdit::Remove(i))}>{ "✕" }</button>
                            </td>
                        </tr>
                        if !row_diags.is_empty() {
                            <tr class="row-diags"><td></td><td colspan="11"><ul class="diagnostics">
                                { for row_diags.iter().map(|d| html!{ <li><code>{ d.path.strip_prefix(l.path.as_str()).unwrap_or(&d.path).trim_start_matches('.') }</code>{ ": " }{ &d.message }</li> }) }
                            </ul></td></tr>
                        }
                        </>
                    }}) }
                    </tbody>
                </table>
                </div>
                </>
            }
        }
    };
    html! {
        <section class="card hw-form" id="hw-form">
            <div class="card-head">
                <h3>{ "Accelerator" }
                    <span class="muted">{ format!(" {}", (*form).as_ref().map_or(String::new(), |f| f.name.clone())) }</span>
                    if edited { <span class="badge">{ "edited" }</span> }
                </h3>
                { user_presets_bar(s, dispatch, &text) }
            </div>
            <p class="muted">{ "The same document as the hardware JSON below, evaluated as you edit; memories from the MACs (1) up to DRAM. Sizes take b, B, KB (1024 B), MB, GB. A field the model cannot accept turns red, its problem on hover." }</p>
            if let Some(e) = &s.form_error { <p class="diagnostics" id="form-error">{ e }</p> }
            { body }
        </section>
    }
}

/// Save as a named accelerator, load or delete a saved one, export JSON.
fn user_presets_bar(s: &State, dispatch: &UseReducerDispatcher<Model>, text: &str) -> Html {
    let name = s.preset_name.clone();
    let save = {
        let d = dispatch.clone();
        let name = name.clone();
        Callback::from(move |_: MouseEvent| d.dispatch(Action::SavePreset(name.clone())))
    };
    let export = {
        let text = text.to_string();
        let file = format!(
            "{}.json",
            read_form(&text)
                .as_ref()
                .as_ref()
                .map_or("hardware".into(), |f| f.name.replace(
                    |c: char| !c.is_alphanumeric() && c != '_' && c != '-',
                    "_"
                ))
        );
        Callback::from(move |_: MouseEvent| {
            browser::download_text(&text, "application/json", &file)
        })
    };
    let on_load = {
        let d = dispatch.clone();
        Callback::from(move |e: web_sys::Event| {
            let v = input_value(&e);
            if !v.is_empty() {
                d.dispatch(Action::LoadPreset(v));
            }
        })
    };
    let saved: Vec<String> = s.user_presets.names().map(str::to_string).collect();
    html! {
        <div class="preset-bar">
            <input type="text" id="preset-name" placeholder="name" value={name.clone()}
                oninput={ let d = dispatch.clone(); move |e: InputEvent| d.dispatch(Action::PresetName(input_value(&e))) } />
            <button class="small" id="save-preset" onclick={save} disabled={name.trim().is_empty()}>{ "Save as mine" }</button>
            if !saved.is_empty() {
                <select id="load-preset" onchange={on_load} aria-label="my accelerators">
                    <option value="" selected=true>{ format!("My accelerators ({})", saved.len()) }</option>
                    { for saved.iter().map(|n| html!{ <option value={n.clone()}>{ n }</option> }) }
                </select>
                <button class="small" id="delete-preset" title="delete the saved accelerator of this name" disabled={!saved.contains(&name)}
                    onclick={ let d = dispatch.clone(); let name = name.clone(); move |_| d.dispatch(Action::DeletePreset(name.clone())) }>{ "Delete" }</button>
            }
            <button class="small" id="export-hw" onclick={export}>{ "Export JSON" }</button>
        </div>
    }
}
