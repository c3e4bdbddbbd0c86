//! The page and its model workers: one wasm module. Built for wasm32 by
//! Trunk; on the page it mounts the app, in a worker (spawned through
//! `web/worker-loader.js`, which loads this same module) it serves model
//! requests. Natively it only explains itself.
#[cfg(target_arch = "wasm32")]
fn main() {
    if defines_playground::web::browser::in_worker() {
        defines_playground::web::worker::start();
    } else {
        defines_playground::web::app::start();
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("the playground page runs in the browser: use `cargo xtask serve`");
}
