//! The workers' side: receive protocol messages (bytes), post each answer
//! as soon as it exists (a sweep answers once per schedule).

use std::cell::RefCell;
use std::rc::Rc;

use super::{bytes_of, message_of};
use crate::handler::{start_message, Handler};
use crate::protocol::Response;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

/// Installs the model worker's message handler and announces readiness.
/// Called once from the `app` binary's `main` when it runs in a worker.
pub fn start() {
    let handler = Rc::new(RefCell::new(Handler::default()));
    serve(move |bytes, post| {
        let mut handler = handler.borrow_mut();
        let mut job = start_message(&mut handler, bytes);
        while let Some(answer) = handler.next(&mut job) {
            post(&answer);
        }
    });
}

/// Installs the import worker's message handler (one answer per file
/// drop) and announces readiness. Called once from the `importer` binary.
pub fn start_importer() {
    serve(|bytes, post| post(&crate::importer::answer_message(bytes)));
}

/// Runs `on_message` for every protocol message (a `Uint8Array`), giving
/// it a way to post answers; anything else is answered with a protocol
/// error.
fn serve(mut on_message: impl FnMut(&[u8], &mut dyn FnMut(&Response)) + 'static) {
    console_error_panic_hook::set_once();
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let reply = scope.clone();
    let onmessage = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
        let mut post = |r: &Response| {
            // Posting bytes cannot fail in a live worker.
            let (data, transfer) = message_of(r);
            let _ = reply.post_message_with_transfer(&data, &transfer);
        };
        match bytes_of(&ev) {
            Some(bytes) => on_message(&bytes, &mut post),
            None => post(&Response::ProtocolError {
                message: "expected a protocol message (a Uint8Array)".into(),
            }),
        }
    });
    scope.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
    onmessage.forget();
    let (data, transfer) = message_of(&Response::Ready);
    let _ = scope.post_message_with_transfer(&data, &transfer);
}
