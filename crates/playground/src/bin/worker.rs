//! The web worker. Built for wasm32 by Trunk; natively it only explains itself.
#[cfg(target_arch = "wasm32")]
fn main() {
    defines_playground::web::worker::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("the playground worker runs in the browser: use `cargo xtask serve`");
}
