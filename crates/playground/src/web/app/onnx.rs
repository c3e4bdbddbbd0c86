//! Bring your own network: an ONNX file dropped anywhere on the page (or
//! picked) is imported in the import worker; its report is shown and the
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

/// A file's name and its text.
type NamedText = (String, String);

fn is_yaml(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n.ends_with(".yaml") || n.ends_with(".yml")
}

/// Reads ZigZag YAML files (at most a few, each bounded) and asks for
/// their conversion once every one is read.
fn read_yaml(files: Vec<web_sys::File>, dispatch: UseReducerDispatcher<Model>) {
    use std::cell::RefCell;
    use std::rc::Rc;
    const MAX_YAML_BYTES: f64 = 4.0 * 1024.0 * 1024.0;
    if let Some(big) = files.iter().find(|f| f.size() > MAX_YAML_BYTES) {
        dispatch.dispatch(Action::ImportRefused {
            file_name: big.name(),
            why: "a ZigZag file larger than 4 MiB is not an accelerator, mapping or workload"
                .into(),
        });
        return;
    }
    let n = files.len();
    let got: Rc<RefCell<Vec<Option<NamedText>>>> = Rc::new(RefCell::new(vec![None; n]));
    for (k, f) in files.into_iter().enumerate() {
        let name = f.name();
        let got = got.clone();
        let d = dispatch.clone();
        let on_text = wasm_bindgen::closure::Closure::once(move |t: wasm_bindgen::JsValue| {
            let all = {
                let mut g = got.borrow_mut();
                g[k] = Some((name, t.as_string().unwrap_or_default()));
                g.iter()
                    .all(Option::is_some)
                    .then(|| g.iter().flatten().cloned().collect::<Vec<_>>())
            };
            if let Some(files) = all {
                d.dispatch(Action::ImportZigzag(files));
            }
        });
        let _ = f.text().then(&on_text);
        on_text.forget();
    }
}

/// The files of a drop or a pick: ZigZag YAML files together, else the
/// first file as an ONNX model.
fn take_files(list: web_sys::FileList, dispatch: UseReducerDispatcher<Model>) {
    let files: Vec<web_sys::File> = (0..list.length().min(8))
        .filter_map(|i| list.get(i))
        .collect();
    let yaml: Vec<web_sys::File> = files
        .iter()
        .filter(|f| is_yaml(&f.name()))
        .cloned()
        .collect();
    if !yaml.is_empty() {
        read_yaml(yaml, dispatch);
    } else if let Some(f) = files.into_iter().next() {
        read_file(f, dispatch);
    }
}

/// Drops anywhere on the page: an `.onnx` file is imported; ZigZag YAML
/// files (accelerator, mapping, optionally workload) are converted.
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
                if let Some(list) = ev.data_transfer().and_then(|dt| dt.files()) {
                    take_files(list, dispatch.clone());
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
        let list = e
            .target()
            .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
            .and_then(|i| i.files());
        if let Some(list) = list {
            take_files(list, d.clone());
        }
    });
    html! {
        <div class="field onnx-pick">
            <label for="onnx-file" class="hint">{ "…or your own: drop an .onnx network anywhere, or ZigZag YAML files (accelerator + mapping, and a workload), or choose them" }</label>
            <input type="file" id="onnx-file" accept=".onnx,.yaml,.yml" multiple=true onchange={on_pick} />
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
        None if s
            .worker(Lane::Import)
            .is_some_and(|w| w.status == WorkerStatus::Starting) =>
        {
            (
                "running",
                format!(
                    "loading the importers (the first time only; kept for offline use), then importing {}…",
                    im.file_name
                ),
            )
        }
        None => ("running", format!("importing {}…", im.file_name)),
        Some(o) => match &o.documents {
            Ok(_) if o.hardware.is_some() => ("done", format!("{} converted: the accelerator, its mapping and the network are now the documents (edit them below; Reset brings the presets back)", o.file_name)),
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
                    <summary>{ format!("import report ({} lines)", report.lines().count()) }</summary>
                    <pre id="import-report">{ report }</pre>
                </details>
            }
        </section>
    }
}
