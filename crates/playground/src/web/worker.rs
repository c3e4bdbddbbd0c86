//! The workers' side: receive protocol text, post each answer as soon as it
//! exists (a sweep answers once per schedule).

use std::cell::RefCell;
use std::rc::Rc;

use crate::handler::{start_message, Handler};
use crate::protocol::{encode, Response};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

/// Installs the model worker's message handler and announces readiness.
/// Called once from the `app` binary's `main` when it runs in a worker.
pub fn start() {
    let handler = Rc::new(RefCell::new(Handler::default()));
    serve(move |text, post| {
        let mut handler = handler.borrow_mut();
        let mut job = start_message(&mut handler, text);
        while let Some(answer) = handler.next(&mut job) {
            post(&answer);
        }
    });
}

/// Installs the import worker's message handler (one answer per file
/// drop) and announces readiness. Called once from the `importer` binary.
pub fn start_importer() {
    serve(|text, post| post(&crate::importer::answer_message(text)));
}

/// Runs `on_text` for every text message, giving it a way to post
/// answers; anything else is answered with a protocol error.
fn serve(mut on_text: impl FnMut(&str, &mut dyn FnMut(&Response)) + 'static) {
    console_error_panic_hook::set_once();
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let reply = scope.clone();
    let onmessage = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
        let mut post = |r: &Response| {
            // Posting a string cannot fail in a live worker.
            let _ = reply.post_message(&JsValue::from_str(&encode(r)));
        };
        match ev.data().as_string() {
            Some(text) => on_text(&text, &mut post),
            None => post(&Response::ProtocolError {
                message: "expected a text message".into(),
            }),
        }
    });
    scope.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
    onmessage.forget();
    let _ = scope.post_message(&JsValue::from_str(&encode(&Response::Ready)));
}
