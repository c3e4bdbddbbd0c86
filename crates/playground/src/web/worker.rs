//! The worker side: receives protocol text, answers with protocol text.

use crate::handler::handle_message;
use crate::protocol::{encode, Response};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

/// Installs the message handler and announces readiness. Called once from
/// the `worker` binary's `main`.
pub fn start() {
    console_error_panic_hook::set_once();
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let reply_scope = scope.clone();
    let onmessage = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
        let answer = match ev.data().as_string() {
            Some(text) => handle_message(&text),
            None => encode(&Response::ProtocolError {
                message: "expected a text message".into(),
            }),
        };
        // Posting a string cannot fail in a live worker.
        let _ = reply_scope.post_message(&JsValue::from_str(&answer));
    });
    scope.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
    onmessage.forget();
    let _ = scope.post_message(&JsValue::from_str(&encode(&Response::Ready)));
}
