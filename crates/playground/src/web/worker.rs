//! The worker side: receives protocol text, posts each answer of the job
//! as soon as it exists (a sweep answers once per schedule).

use std::cell::RefCell;
use std::rc::Rc;

use crate::handler::{start_message, Handler};
use crate::protocol::{encode, Response};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

/// Installs the message handler and announces readiness. Called once from
/// the `worker` binary's `main`.
pub fn start() {
    console_error_panic_hook::set_once();
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let reply = scope.clone();
    let handler = Rc::new(RefCell::new(Handler::default()));
    let onmessage = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
        let post = |r: &Response| {
            // Posting a string cannot fail in a live worker.
            let _ = reply.post_message(&JsValue::from_str(&encode(r)));
        };
        match ev.data().as_string() {
            Some(text) => {
                let mut handler = handler.borrow_mut();
                let mut job = start_message(&mut handler, &text);
                while let Some(answer) = handler.next(&mut job) {
                    post(&answer);
                }
            }
            None => post(&Response::ProtocolError {
                message: "expected a text message".into(),
            }),
        }
    });
    scope.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
    onmessage.forget();
    let _ = scope.post_message(&JsValue::from_str(&encode(&Response::Ready)));
}
