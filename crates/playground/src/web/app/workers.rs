//! One web worker per lane, kept alive and fed by the reducer's decisions
//! (the import lane's worker is another binary, `importer`).

use super::*;

pub(super) fn spawn(lane: Lane, dispatch: UseReducerDispatcher<Model>) -> Option<Bridge> {
    let d = dispatch.clone();
    let (url, module) = match lane {
        Lane::Import => ("./importer-loader.js", false),
        Lane::Eval | Lane::Sweep(_) => ("./worker-loader.js", true),
    };
    let bridge = Bridge::spawn(url, module, move |ev| match ev {
        Event::Response(response) => d.dispatch(Action::Worker {
            lane,
            response,
            at_ms: browser::now_ms(),
        }),
        Event::Died(why) => d.dispatch(Action::WorkerDied { lane, why }),
    });
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
            if generation.is_some() {
                *bridge.borrow_mut() = spawn(lane, dispatch);
            }
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
