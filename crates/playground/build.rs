//! The worker protocol's build fingerprint (`DEFINES_PROTOCOL_FINGERPRINT`):
//! a hash of the Rust sources of this crate and of the model, whose types
//! cross the worker boundary. Every protocol message starts with it, so a
//! page and a worker of different builds (an old page that starts a worker
//! after a deploy, without a service worker holding the old files) refuse
//! each other's messages instead of reading postcard bytes of a different
//! layout as wrong values (see `src/protocol.rs`).

use std::path::{Path, PathBuf};

fn main() {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325; // FNV-1a, 64 bit
    for dir in ["src", "../model/src"] {
        println!("cargo:rerun-if-changed={dir}");
        let mut files = Vec::new();
        rust_files(Path::new(dir), &mut files);
        files.sort();
        for f in files {
            let name = f.to_string_lossy().replace('\\', "/");
            let text = std::fs::read(&f).unwrap_or_default();
            for b in name.bytes().chain([0]).chain(text).chain([0]) {
                hash = (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
            }
        }
    }
    println!("cargo:rustc-env=DEFINES_PROTOCOL_FINGERPRINT={hash:016x}");
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}
