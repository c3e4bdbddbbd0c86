//! Bring your own network: an ONNX file dropped anywhere on the page (or
//! picked) is imported in the model worker; its report is shown and the
//! network becomes the workload (kept like any edit, and shared in the URL
//! as the generated workload document, not the ONNX file).

use super::*;

/// Files larger than this are refused on the page before they are read
/// (the importer's own bound is larger; the page keeps its memory small).
const MAX_PAGE_ONNX_BYTES: f64 = 64.0 * 1024.0 * 1024.0;

/// Reads `file` and asks for its import.
fn read_file(file: web_sys::File, dispatch: UseReducerDispatcher<Model>) {
    let name = file.name();
    if file.size() > MAX_PAGE_ONNX_BYTES {
        dispatch.dispatch(Action::ImportRefused {
            file_name: name,
            why: format!(
                "the file is {:.0} MiB, more than the {:.0} MiB the page reads; import it with `defines import onnx` and paste the workload into the JSON editor",
                file.size() / 1048576.0,
                MAX_PAGE_ONNX_BYTES / 1048576.0
            ),
        });
        return;
    }
    let d = dispatch.clone();
    let on_bytes = wasm_bindgen::closure::Closure::once(move |buf: wasm_bindgen::JsValue| {
        use base64::Engine;
        let bytes = js_sys::Uint8Array::new(&buf).to_vec();
        d.dispatch(Action::ImportOnnx {
            file_name: name,
            bytes_base64: base64::engine::general_purpose::STANDARD.encode(bytes),
        });
    });
    let _ = file.array_buffer().then(&on_bytes);
    on_bytes.forget();
}

/// Drops anywhere on the page: an `.onnx` file is imported.
#[hook]
pub(super) fn use_onnx_drop(model: &UseReducerHandle<Model>) {
    let dispatch = model.dispatcher();
    use_effect_with((), move |_| {
        let over = wasm_bindgen::closure::Closure::<dyn FnMut(web_sys::DragEvent)>::new(
            |ev: web_sys::DragEvent| {
                ev.prevent_default();
            },
        );
        let drop = wasm_bindgen::closure::Closure::<dyn FnMut(web_sys::DragEvent)>::new(
            move |ev: web_sys::DragEvent| {
                ev.prevent_default();
                let file = ev
                    .data_transfer()
                    .and_then(|dt| dt.files())
                    .and_then(|f| f.get(0));
                if let Some(f) = file {
                    read_file(f, dispatch.clone());
                }
            },
        );
        let doc = web_sys::window().and_then(|w| w.document());
        if let Some(d) = &doc {
            let _ = d.add_event_listener_with_callback("dragover", over.as_ref().unchecked_ref());
            let _ = d.add_event_listener_with_callback("drop", drop.as_ref().unchecked_ref());
        }
        move || {
            if let Some(d) = doc {
                let _ = d
                    .remove_event_listener_with_callback("dragover", over.as_ref().unchecked_ref());
                let _ =
                    d.remove_event_listener_with_callback("drop", drop.as_ref().unchecked_ref());
            }
        }
    });
}

/// The picker under the network choice.
pub(super) fn onnx_picker(s: &State, dispatch: &UseReducerDispatcher<Model>) -> Html {
    let d = dispatch.clone();
    let on_pick = Callback::from(move |e: web_sys::Event| {
        let file = e
            .target()
            .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
            .and_then(|i| i.files())
            .and_then(|f| f.get(0));
        if let Some(f) = file {
            read_file(f, d.clone());
        }
    });
    html! {
        <div class="field onnx-pick">
            <label for="onnx-file" class="hint">{ "…or your own network: drop an .onnx file anywhere, or choose one" }</label>
            <input type="file" id="onnx-file" accept=".onnx" onchange={on_pick} />
            <input type="text" id="onnx-shape" placeholder="input shape, e.g. 1x1x540x960 (optional)" aria-label="input shape for the import, NxCxHxW"
                title="the network input's NxCxHxW, overriding the file's: needed when it declares dynamic sizes"
                value={s.import_shape.clone()} oninput={ let d = dispatch.clone(); move |e: InputEvent| d.dispatch(Action::SetImportShape(input_value(&e))) } />
        </div>
    }
}

/// The import's report.
pub(super) fn import_card(s: &State, dispatch: &UseReducerDispatcher<Model>) -> Html {
    let Some(im) = &s.import else { return html! {} };
    let (state, headline) = match &im.outcome {
        None => ("running", format!("importing {}…", im.file_name)),
        Some(o) => match &o.documents {
            Ok(_) => ("done", format!("{} imported: it is the network now (edit it in the JSON editor below; Reset brings the preset back)", o.file_name)),
            Err(e) if e.contains("dynamic") => ("failed", format!("{} cannot be modelled as it is: {e}. Give the input shape in the field under Network (NxCxHxW) and drop or choose the file again.", o.file_name)),
            Err(e) => ("failed", format!("{} cannot be modelled: {e}", o.file_name)),
        },
    };
    let report = im
        .outcome
        .as_ref()
        .map(|o| o.report.clone())
        .unwrap_or_default();
    html! {
        <section class="card import" id="import" data-state={state}>
            <div class="card-head">
                <h3>{ "Your network" }</h3>
                <button class="small" onclick={ let d = dispatch.clone(); move |_| d.dispatch(Action::DismissImport) }>{ "dismiss" }</button>
            </div>
            <p class={classes!(if state == "failed" { "diagnostics" } else { "muted" })} id="import-headline">{ headline }</p>
            if !report.is_empty() {
                <details open={state == "failed"}>
                    <summary>{ format!("import report ({} nodes)", report.lines().count()) }</summary>
                    <pre id="import-report">{ report }</pre>
                </details>
            }
        </section>
    }
}
