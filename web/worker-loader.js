// Starts a model worker (a module worker). The page and its model workers
// run one wasm module: the worker loads the page's own script and wasm,
// which the page has just fetched, so a first visit downloads the model
// once; the module's `main` sees no `window` and serves requests instead
// of mounting the page. `cargo xtask build` writes the names of Trunk's
// content-hashed files in place of __APP_JS__ and __APP_WASM__. A failure
// to load rejects this module's evaluation, which the page sees as the
// worker's error event (and restarts it).
//
// Requests that arrive while the model loads are kept and handed to its
// handler once it is installed, so the page may post before the worker
// says it is ready (it does for the worker web/early-worker.js starts).
import init from "./__APP_JS__";

const early = [];
const keep = (e) => early.push(e);
self.addEventListener("message", keep);
await init({ module_or_path: "./__APP_WASM__" });
self.removeEventListener("message", keep);
for (const e of early) self.onmessage?.(e);
