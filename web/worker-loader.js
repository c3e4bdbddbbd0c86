// Starts the model worker: Trunk emits the worker as a no-modules
// wasm-bindgen script (worker.js + worker_bg.wasm) that does not initialise
// itself; the page spawns this loader instead.
importScripts("./worker.js");
wasm_bindgen({ module_or_path: "./worker_bg.wasm" });
