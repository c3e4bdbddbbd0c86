// Starts the page's evaluation worker while the page's own script and wasm
// are still downloading and compiling. A worker starts only when the page's
// main thread is free, and from the moment the wasm arrives the main thread
// is busy with the first render for a few hundred ms: started here, the
// worker loads and compiles the model on the other core meanwhile, and is
// ready when the page posts its first request. The page adopts it
// (crates/playground/src/web/app/workers.rs), replays the events kept here
// and then handles them itself; without it, the page starts the worker.
(() => {
  const early = { worker: null, queued: [] };
  try {
    early.worker = new Worker("./worker-loader.js", { type: "module" });
    early.worker.onmessage = (e) => early.queued.push(e);
    early.worker.onerror = (e) => {
      e.preventDefault();
      early.queued.push(e);
    };
  } catch (_) {
    early.worker = null;
  }
  globalThis.definesEarlyWorker = early;
})();
