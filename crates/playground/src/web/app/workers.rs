//! One web worker per lane, kept alive and fed by the reducer's decisions
//! (the import lane's worker is another binary, `importer`).

use super::*;

fn url_of(lane: Lane) -> (&'static str, bool) {
    match lane {
        Lane::Import => ("./importer-loader.js", false),
        Lane::Eval | Lane::Sweep(_) => ("./worker-loader.js", true),
    }
}

/// A worker's event as the reducer's action.
fn deliver(lane: Lane, d: &UseReducerDispatcher<Model>, ev: Event) {
    match ev {
        Event::Response(response) => d.dispatch(Action::Worker {
            lane,
            response,
            at_ms: browser::now_ms(),
        }),
        Event::Died(why) => d.dispatch(Action::WorkerDied { lane, why }),
    }
}

thread_local! {
    /// The evaluation worker web/early-worker.js started while the page's
    /// wasm was loading, with the events it keeps (the script goes on
    /// adding to that array) until the page's hook adopts it.
    static EARLY: RefCell<Option<(web_sys::Worker, js_sys::Array)>> = const { RefCell::new(None) };
}

/// Keeps the evaluation worker web/early-worker.js started, for the page to
/// post its first request to and then adopt ([`take_early`]): it has loaded
/// and compiled the model on the other core while the page's wasm loaded.
/// Without that script the page starts its worker itself, after mounting.
pub(super) fn keep_early_worker() {
    EARLY.with(|e| *e.borrow_mut() = browser::early_worker());
}

/// Whether the early evaluation worker runs: it keeps requests that arrive
/// before its model is loaded (web/worker-loader.js), so the page may post
/// the first one at once instead of after its "ready" and a render.
pub(super) fn early_started() -> bool {
    EARLY.with(|e| e.borrow().is_some())
}

/// Posts the first state's evaluation to the early worker at once, before
/// the page renders: the page's effects (which post requests) run only
/// after its first frame is painted, a few hundred ms later on a first
/// visit, while the worker would sit idle.
pub(super) fn post_first_early(s: &mut State) {
    let Some(request) = s.lanes.eval.to_send().cloned() else {
        return;
    };
    let posted = EARLY.with(|e| e.borrow().as_ref().map(|(w, _)| post(w, &request)));
    if let Some(Ok(())) = posted {
        s.apply(Action::Sent {
            lane: Lane::Eval,
            request,
            at_ms: browser::now_ms(),
        });
    }
}

/// The early evaluation worker, from now on reporting to `dispatch` (the
/// events it kept first); `None` once taken or if it never started.
fn take_early(dispatch: &UseReducerDispatcher<Model>) -> Option<Bridge> {
    let (worker, queued) = EARLY.with(|e| e.borrow_mut().take())?;
    let d = dispatch.clone();
    Some(Bridge::adopt(
        worker,
        move |ev| deliver(Lane::Eval, &d, ev),
        &queued,
    ))
}

pub(super) fn spawn(lane: Lane, dispatch: UseReducerDispatcher<Model>) -> Option<Bridge> {
    let d = dispatch.clone();
    let (url, module) = url_of(lane);
    let bridge = Bridge::spawn(url, module, move |ev| deliver(lane, &d, ev));
    match bridge {
        Ok(b) => Some(b),
        Err(why) => {
            dispatch.dispatch(Action::WorkerDied { lane, why });
            None
        }
    }
}

/// Keeps one worker of a lane alive and posts its requests.
#[hook]
pub(super) fn use_worker(model: &UseReducerHandle<Model>, lane: Lane) {
    let bridge: Rc<RefCell<Option<Bridge>>> = use_mut_ref(|| None);
    // A lane beyond the sweep workers in use has no worker.
    let w = model.0.worker(lane);
    {
        let bridge = bridge.clone();
        let dispatch = model.dispatcher();
        use_effect_with(w.map(|w| w.generation), move |generation| {
            let old = bridge.borrow_mut().take();
            drop(old); // terminates the previous worker (cancel, death)
            *bridge.borrow_mut() = match generation {
                Some(0) if lane == Lane::Eval => {
                    take_early(&dispatch).or_else(|| spawn(lane, dispatch))
                }
                Some(_) => spawn(lane, dispatch),
                None => None,
            };
        });
    }
    {
        let dispatch = model.dispatcher();
        use_effect_with(w.and_then(|w| w.to_send().cloned()), move |req| {
            if let (Some(req), Some(b)) = (req, bridge.borrow().as_ref()) {
                match b.send(req) {
                    Ok(()) => dispatch.dispatch(Action::Sent {
                        lane,
                        request: req.clone(),
                        at_ms: browser::now_ms(),
                    }),
                    Err(why) => dispatch.dispatch(Action::WorkerDied { lane, why }),
                }
            }
        });
    }
}
