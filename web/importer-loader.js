// Starts the import worker (ONNX and ZigZag files into documents), which
// the page spawns on the first dropped file. Trunk emits it as a separate,
// no-modules wasm-bindgen script that does not initialise itself (its
// importers stay out of the page's module and out of a first visit).
importScripts("./importer.js");
wasm_bindgen({ module_or_path: "./importer_bg.wasm" });
