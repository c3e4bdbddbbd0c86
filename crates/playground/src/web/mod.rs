//! Browser-only code: the yew page, the worker glue, browser API wrappers.

pub mod app;
pub mod bridge;
pub mod browser;
pub mod worker;

use wasm_bindgen::JsCast;

/// A protocol message for `postMessage` (the page's and the workers'
/// side alike): its bytes in a fresh `Uint8Array` (a copy, not a view of
/// wasm memory) and the list that transfers its buffer instead of copying
/// it again.
fn message_of(msg: &impl serde::Serialize) -> (js_sys::Uint8Array, js_sys::Array) {
    let data = js_sys::Uint8Array::from(&crate::protocol::encode(msg)[..]);
    let transfer = js_sys::Array::of1(&data.buffer());
    (data, transfer)
}

/// The bytes of a received protocol message, or `None` if the message is
/// not a `Uint8Array`.
fn bytes_of(ev: &web_sys::MessageEvent) -> Option<Vec<u8>> {
    ev.data()
        .dyn_into::<js_sys::Uint8Array>()
        .ok()
        .map(|b| b.to_vec())
}
