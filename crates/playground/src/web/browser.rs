//! Thin wrappers over browser APIs used by the page. Each returns a plain
//! value and swallows what it cannot do (a page never crashes because
//! storage is disabled or a download is blocked).

use wasm_bindgen::JsCast;
use web_sys::{HtmlAnchorElement, HtmlCanvasElement};

/// Whether this code runs in a worker (no `window`): the page and its
/// model workers share one wasm module, and its `main` asks this.
pub fn in_worker() -> bool {
    web_sys::window().is_none()
}

pub fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .unwrap_or(0.0)
}

/// Logical processors the browser reports (at least 1).
pub fn cores() -> usize {
    web_sys::window()
        .map(|w| w.navigator().hardware_concurrency() as usize)
        .unwrap_or(1)
        .max(1)
}

pub fn location_hash() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default()
}

pub fn location_search() -> String {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default()
}

/// The page's URL without query and fragment (`https://x.io/paper/`).
pub fn page_url() -> String {
    web_sys::window()
        .and_then(|w| {
            let l = w.location();
            Some(format!("{}{}", l.origin().ok()?, l.pathname().ok()?))
        })
        .unwrap_or_default()
}

/// Copies text to the clipboard (nothing happens where that is refused).
pub fn copy_text(text: &str) {
    if let Some(w) = web_sys::window() {
        let _ = w.navigator().clipboard().write_text(text);
    }
}

/// Replaces the URL fragment without adding a history entry.
pub fn replace_fragment(fragment: &str) {
    if let Some(w) = web_sys::window() {
        if let Ok(h) = w.history() {
            let _ = h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(fragment));
        }
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

pub fn storage_get(key: &str) -> Option<String> {
    storage()?.get_item(key).ok()?
}

pub fn storage_set(key: &str, value: &str) {
    if let Some(s) = storage() {
        let _ = s.set_item(key, value);
    }
}

/// Copies the page URL (which holds the scenario) to the clipboard.
pub fn copy_location() {
    persist_now();
    if let Some(w) = web_sys::window() {
        if let Ok(href) = w.location().href() {
            let _ = w.navigator().clipboard().write_text(&href);
        }
    }
}

fn click_download(url: &str, file_name: &str) {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Ok(a) = doc.create_element("a") else {
        return;
    };
    let a: HtmlAnchorElement = a.unchecked_into();
    a.set_href(url);
    a.set_download(file_name);
    a.click();
}

/// Offers `text` as a file download.
pub fn download_text(text: &str, mime: &str, file_name: &str) {
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let props = web_sys::BlobPropertyBag::new();
    props.set_type(mime);
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &props) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return;
    };
    click_download(&url, file_name);
    let _ = web_sys::Url::revoke_object_url(&url);
}

/// Offers bytes as a file download.
pub fn download_bytes(bytes: &[u8], mime: &str, file_name: &str) {
    let array = js_sys::Uint8Array::from(bytes);
    let parts = js_sys::Array::of1(&array);
    let props = web_sys::BlobPropertyBag::new();
    props.set_type(mime);
    let Ok(blob) = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &props) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return;
    };
    click_download(&url, file_name);
    let _ = web_sys::Url::revoke_object_url(&url);
}

/// Offers the canvas with this id as a PNG download, with `tEXt` chunks
/// added by `stamp` (the provenance).
pub fn download_canvas_png(canvas_id: &str, file_name: &str, stamp: impl Fn(&[u8]) -> Vec<u8>) {
    use base64::Engine;
    let canvas = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(canvas_id))
        .and_then(|e| e.dyn_into::<HtmlCanvasElement>().ok());
    let Some(url) = canvas.and_then(|c| c.to_data_url().ok()) else {
        return;
    };
    let bytes = url
        .split_once(',')
        .and_then(|(_, b64)| base64::engine::general_purpose::STANDARD.decode(b64).ok());
    match bytes {
        Some(png) => download_bytes(&stamp(&png), "image/png", file_name),
        None => click_download(&url, file_name),
    }
}

/// The scenario is written to the URL fragment and localStorage once the
/// user has paused for this many ms (typing, dragging, stepping a tile),
/// and at once when the page is hidden or the link copied. Not at the first
/// change: replacing the URL costs the main thread several ms, which would
/// keep the worker's answer to that very change waiting.
pub const PERSIST_DELAY_MS: i32 = 300;

/// localStorage key holding the URL fragment that was behind the saved
/// state when the page was hidden (a reload reloads that URL).
const BEHIND_KEY: &str = "defines-playground/fragment-behind/v1";

thread_local! {
    /// The fragment text not yet written.
    static UNSAVED: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
    /// The pending write's timer.
    static TIMER: std::cell::Cell<Option<i32>> = const { std::cell::Cell::new(None) };
}

/// The evaluation worker web/early-worker.js started, with the events it
/// kept, once (the global is removed).
pub fn early_worker() -> Option<(web_sys::Worker, js_sys::Array)> {
    let global = js_sys::global();
    let key = wasm_bindgen::JsValue::from_str("definesEarlyWorker");
    let early = js_sys::Reflect::get(&global, &key).ok()?;
    let _ = js_sys::Reflect::delete_property(global.unchecked_ref::<js_sys::Object>(), &key);
    let field = |name: &str| js_sys::Reflect::get(&early, &wasm_bindgen::JsValue::from_str(name));
    let worker = field("worker").ok()?.dyn_into::<web_sys::Worker>().ok()?;
    let queued = field("queued")
        .ok()
        .and_then(|q| q.dyn_into::<js_sys::Array>().ok())
        .unwrap_or_default();
    Some((worker, queued))
}

/// Saves `encoded` (the persisted scenario) once changes pause for
/// [`PERSIST_DELAY_MS`]; each change restarts the wait.
pub fn persist_soon(encoded: String) {
    UNSAVED.with(|u| *u.borrow_mut() = Some(encoded));
    let Some(w) = web_sys::window() else {
        return persist_now();
    };
    if let Some(t) = TIMER.with(|t| t.take()) {
        w.clear_timeout_with_handle(t);
    }
    let end = wasm_bindgen::closure::Closure::once_into_js(|| {
        TIMER.with(|t| t.set(None));
        persist_now();
    });
    match w.set_timeout_with_callback_and_timeout_and_arguments_0(
        end.unchecked_ref(),
        PERSIST_DELAY_MS,
    ) {
        Ok(t) => TIMER.with(|c| c.set(Some(t))),
        Err(_) => persist_now(),
    }
}

/// Writes what is not yet saved, now.
pub fn persist_now() {
    if let Some(enc) = UNSAVED.with(|u| u.borrow_mut().take()) {
        storage_set(crate::persist::STORAGE_KEY, &enc);
        replace_fragment(&format!("{}{enc}", crate::persist::FRAGMENT_PREFIX));
    }
}

/// Saves the scenario when the page is hidden (reload, tab closed), so the
/// last change within an interval is never lost. A reload reloads the URL
/// as it was before this last write, so that URL is remembered as behind
/// the saved state ([`saved_if_url_behind`]). Called once at start.
pub fn persist_on_hide() {
    if let Some(w) = web_sys::window() {
        let on_hide = wasm_bindgen::closure::Closure::<dyn FnMut()>::new(|| {
            let before = location_hash();
            persist_now();
            if location_hash() != before {
                storage_set(BEHIND_KEY, &before);
            }
        });
        let _ = w.add_event_listener_with_callback("pagehide", on_hide.as_ref().unchecked_ref());
        on_hide.forget();
    }
}

/// The saved scenario text when the page's URL is one that was behind it
/// at the last hide (a reload of a page whose last edits only reached
/// localStorage); `None` otherwise, and then the URL wins (a shared link).
pub fn saved_if_url_behind(hash: &str) -> Option<String> {
    let behind = storage_get(BEHIND_KEY)?;
    if let Some(s) = storage() {
        let _ = s.remove_item(BEHIND_KEY);
    }
    (behind == hash)
        .then(|| storage_get(crate::persist::STORAGE_KEY))
        .flatten()
}

/// Registers the service worker (`./sw.js`, written by `cargo xtask
/// build`) that lets the page open offline. When a new deploy's worker
/// takes over a page that an older one served, the page reloads once, so
/// it never runs old and new files together. Without service workers (an
/// old browser, a `file://` page) nothing happens.
pub fn register_service_worker() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let container = window.navigator().service_worker();
    // `serviceWorker` is absent in insecure contexts; the binding would
    // then hold `undefined`.
    if wasm_bindgen::JsValue::from(container.clone()).is_undefined() {
        return;
    }
    let was_controlled = container.controller().is_some();
    // A refused registration (e.g. a host that does not serve sw.js) only
    // means no offline use: caught, so it is no console error.
    let ignore = wasm_bindgen::closure::Closure::<dyn FnMut(wasm_bindgen::JsValue)>::new(|_| {});
    let _ = container.register("./sw.js").catch(&ignore);
    ignore.forget();
    if was_controlled {
        let reload = wasm_bindgen::closure::Closure::<dyn FnMut()>::new(move || {
            if let Some(w) = web_sys::window() {
                persist_now();
                let _ = w.location().reload();
            }
        });
        container.set_oncontrollerchange(Some(reload.as_ref().unchecked_ref()));
        reload.forget();
    }
}
