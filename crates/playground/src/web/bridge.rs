//! The page side of the worker: spawns a worker through its loader (or
//! adopts the one web/early-worker.js started), posts requests, reports
//! answers and deaths to a callback.

use super::{bytes_of, message_of};
use crate::protocol::{decode, Request, Response};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{ErrorEvent, MessageEvent, Worker, WorkerOptions, WorkerType};

/// What the bridge tells the page.
#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    Response(Response),
    /// The worker could not start or died; the page restarts it.
    Died(String),
}

pub struct Bridge {
    worker: Worker,
    _onmessage: Closure<dyn FnMut(MessageEvent)>,
    _onerror: Closure<dyn FnMut(ErrorEvent)>,
}

impl Bridge {
    /// Spawns the worker through its loader script at `url`: the model
    /// worker's `./worker-loader.js` is a module script that loads the
    /// page's own wasm module (`module`), the import worker's
    /// `./importer-loader.js` a classic script loading `importer.js`.
    pub fn spawn(
        url: &str,
        module: bool,
        on_event: impl Fn(Event) + 'static,
    ) -> Result<Bridge, String> {
        let options = WorkerOptions::new();
        if module {
            options.set_type(WorkerType::Module);
        }
        let worker = Worker::new_with_options(url, &options)
            .map_err(|e| format!("cannot start the worker: {e:?}"))?;
        Ok(Bridge::adopt(worker, on_event, &js_sys::Array::new()))
    }

    /// Takes over a worker started elsewhere (web/early-worker.js), first
    /// reporting the events it had before (`queued`: its message and
    /// error events, in order).
    pub fn adopt(
        worker: Worker,
        on_event: impl Fn(Event) + 'static,
        queued: &js_sys::Array,
    ) -> Bridge {
        let on_event = std::rc::Rc::new(on_event);
        let cb = on_event.clone();
        let onmessage = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
            let event = match bytes_of(&ev).map(|b| decode::<Response>(&b)) {
                Some(Ok(r)) => Event::Response(r),
                Some(Err(e)) => Event::Response(Response::ProtocolError { message: e }),
                None => Event::Response(Response::ProtocolError {
                    message: "worker sent a message that is not a Uint8Array".into(),
                }),
            };
            cb(event);
        });
        let cb = on_event;
        let onerror = Closure::<dyn FnMut(ErrorEvent)>::new(move |ev: ErrorEvent| {
            ev.prevent_default();
            cb(Event::Died(format!("the worker stopped: {}", ev.message())));
        });
        worker.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
        worker.set_onerror(Some(onerror.as_ref().unchecked_ref()));
        for ev in queued.iter() {
            let handler: &js_sys::Function = if ev.is_instance_of::<ErrorEvent>() {
                onerror.as_ref().unchecked_ref()
            } else {
                onmessage.as_ref().unchecked_ref()
            };
            let _ = handler.call1(&JsValue::NULL, &ev);
        }
        Bridge {
            worker,
            _onmessage: onmessage,
            _onerror: onerror,
        }
    }

    pub fn send(&self, req: &Request) -> Result<(), String> {
        post(&self.worker, req)
    }
}

/// Posts `req` to `worker` as a protocol message.
pub fn post(worker: &Worker, req: &Request) -> Result<(), String> {
    let (data, transfer) = message_of(req);
    worker
        .post_message_with_transfer(&data, &transfer)
        .map_err(|e| format!("cannot reach the worker: {e:?}"))
}

impl Drop for Bridge {
    fn drop(&mut self) {
        self.worker.set_onmessage(None);
        self.worker.set_onerror(None);
        self.worker.terminate();
    }
}
