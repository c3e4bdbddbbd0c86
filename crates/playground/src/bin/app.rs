//! The page. Built for wasm32 by Trunk; natively it only explains itself.
#[cfg(target_arch = "wasm32")]
fn main() {
    defines_playground::web::app::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("the playground page runs in the browser: use `cargo xtask serve`");
}
