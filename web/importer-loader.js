// Starts the import worker (ONNX and ZigZag files into documents), which
// the page spawns on the first dropped file: like worker-loader.js, a
// no-modules wasm-bindgen script that does not initialise itself.
importScripts("./importer.js");
wasm_bindgen({ module_or_path: "./importer_bg.wasm" });
