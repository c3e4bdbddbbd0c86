//! The import worker (ONNX and ZigZag files into documents), started by the
//! page on the first dropped file. Built for wasm32 by Trunk; natively it
//! only explains itself.
#[cfg(target_arch = "wasm32")]
fn main() {
    defines_playground::web::worker::start_importer();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("the playground's import worker runs in the browser: use `cargo xtask serve`");
}
