//! Installs what a fresh machine with only the Rust toolchain is missing,
//! skipping each tool that is already there at the right version. Nothing is
//! downloaded from anywhere but the package registries (crates.io, npm,
//! Debian).

use crate::util::{repo, step, Failure, Run};
use std::ffi::OsString;
use std::path::PathBuf;
use std::process::Command;

/// Pinned Trunk: 0.22 needs a newer rustc than 1.95.
pub const TRUNK_VERSION: &str = "0.21.14";
/// Pinned cargo-afl (AFL++ 4.40c inside); `fuzz/Cargo.toml` pins the same
/// `afl` crate.
pub const CARGO_AFL_VERSION: &str = "0.18.2";
const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// The environment every later step runs in.
pub struct Env {
    path: OsString,
}

impl Env {
    pub fn cmd(&self, program: &str) -> Command {
        let mut c = Command::new(program);
        c.env("PATH", &self.path)
            .env("TRUNK_SKIP_VERSION_CHECK", "true")
            .env("CHROMEDRIVER", CHROMEDRIVER);
        c
    }
}

fn cargo_bin() -> PathBuf {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .unwrap_or_else(|| PathBuf::from(".cargo"))
        .join("bin")
}

/// The environment without installing anything: PATH with cargo's bin
/// directory and the npm tools.
pub fn env() -> Result<Env, Failure> {
    let mut dirs = vec![repo().join("node_modules").join(".bin"), cargo_bin()];
    dirs.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    Ok(Env {
        path: std::env::join_paths(dirs).map_err(|e| Failure(format!("bad PATH: {e}")))?,
    })
}

/// Installs what is missing. `browser`: also Chromium and ChromeDriver
/// (needed by the tests, not by `serve`).
pub fn all(browser: bool) -> Result<Env, Failure> {
    let env = env()?;
    let missing: Vec<&str> = [
        (!trunk_ok(&env), "trunk (about 20 minutes of compiling)"),
        (
            !wasm_bindgen_ok(&env)?,
            "wasm-bindgen-cli (about 9 minutes)",
        ),
    ]
    .into_iter()
    .filter_map(|(m, what)| m.then_some(what))
    .collect();
    if !missing.is_empty() {
        step(&format!(
            "first run on this machine: installing {} from crates.io before building; \
             this takes a while, each step is named below and cargo shows its progress",
            missing.join(" and ")
        ));
    }
    wasm_target(&env)?;
    trunk(&env)?;
    wasm_bindgen(&env)?;
    npm_tools(&env)?;
    if browser {
        chromium()?;
    }
    Ok(env)
}

fn wasm_target(env: &Env) -> Result<(), Failure> {
    let installed = env
        .cmd("rustup")
        .args(["target", "list", "--installed"])
        .output_text()
        .unwrap_or_default();
    if installed
        .lines()
        .any(|l| l.trim() == "wasm32-unknown-unknown")
    {
        return Ok(());
    }
    step("installing the Rust target wasm32-unknown-unknown (rustup)");
    env.cmd("rustup")
        .args(["target", "add", "wasm32-unknown-unknown"])
        .run()
}

fn version_of(env: &Env, tool: &str) -> Option<String> {
    env.cmd(tool).arg("--version").output_text()
}

fn trunk_ok(env: &Env) -> bool {
    version_of(env, "trunk").is_some_and(|v| v == format!("trunk {TRUNK_VERSION}"))
}

fn trunk(env: &Env) -> Result<(), Failure> {
    if trunk_ok(env) {
        return Ok(());
    }
    step(&format!(
        "installing trunk {TRUNK_VERSION} from crates.io (first time only: it compiles \
         for about 20 minutes on 2 cores; cargo shows its progress below)"
    ));
    env.cmd("cargo")
        .args(["install", "--locked", "trunk", "--version", TRUNK_VERSION])
        .run()
}

/// The wasm-bindgen version in Cargo.lock: the CLI must equal it.
fn locked_wasm_bindgen() -> Result<String, Failure> {
    let lock = std::fs::read_to_string(repo().join("Cargo.lock"))
        .map_err(|e| Failure(format!("cannot read Cargo.lock: {e}")))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == "name = \"wasm-bindgen\"" {
            if let Some(v) = lines
                .next()
                .and_then(|l| l.trim().strip_prefix("version = "))
            {
                return Ok(v.trim_matches('"').to_string());
            }
        }
    }
    Err(Failure("Cargo.lock has no wasm-bindgen entry".into()))
}

fn wasm_bindgen_ok(env: &Env) -> Result<bool, Failure> {
    let want = locked_wasm_bindgen()?;
    let have_cli =
        version_of(env, "wasm-bindgen").is_some_and(|v| v == format!("wasm-bindgen {want}"));
    let have_runner =
        version_of(env, "wasm-bindgen-test-runner").is_some_and(|v| v.ends_with(&want));
    Ok(have_cli && have_runner)
}

fn wasm_bindgen(env: &Env) -> Result<(), Failure> {
    let want = locked_wasm_bindgen()?;
    if wasm_bindgen_ok(env)? {
        return Ok(());
    }
    step(&format!(
        "installing wasm-bindgen-cli {want} from crates.io (first time only: about 9 minutes)"
    ));
    // Not --locked: its lockfile pins a webpki-roots version the registry lacks.
    env.cmd("cargo")
        .args(["install", "wasm-bindgen-cli", "--version", &want])
        .run()
}

fn npm_tools(env: &Env) -> Result<(), Failure> {
    let bin = repo().join("node_modules").join(".bin");
    let wasm_opt_ok = version_of(env, &bin.join("wasm-opt").to_string_lossy())
        .is_some_and(|v| v.contains("version 132"));
    let playwright_ok = ["playwright-core", "axe-core"].iter().all(|p| {
        repo()
            .join("node_modules")
            .join(p)
            .join("package.json")
            .exists()
    });
    if wasm_opt_ok && playwright_ok {
        return Ok(());
    }
    if version_of(env, "npm").is_none() {
        return Err(Failure(
            "npm is missing: install Node.js 20+ with npm (Debian: apt-get install nodejs npm)"
                .into(),
        ));
    }
    step("installing the pinned npm tools: binaryen (wasm-opt), playwright-core and axe-core (npm ci)");
    env.cmd("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(repo())
        .run()
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output_text()
        .is_some_and(|u| u == "0")
}

fn chromium() -> Result<(), Failure> {
    if PathBuf::from(CHROMIUM).exists() && PathBuf::from(CHROMEDRIVER).exists() {
        return Ok(());
    }
    if !is_root() {
        return Err(Failure(
            "the browser tests need Debian's `chromium` and `chromium-driver`: \
             run `sudo apt-get install -y chromium chromium-driver`, then run this again"
                .into(),
        ));
    }
    step("installing Chromium and ChromeDriver (apt-get install chromium chromium-driver)");
    Command::new("apt-get").arg("update").run()?;
    Command::new("apt-get")
        .args(["install", "-y", "chromium", "chromium-driver"])
        .env("DEBIAN_FRONTEND", "noninteractive")
        .run()
}

/// cargo-afl for `cargo xtask fuzz`: the crate from crates.io, and the AFL++
/// it carries in its sources built for the current rustc (needs only `cc`
/// and `make`; installed with Debian's build-essential when missing). Works
/// on stable Rust: without AFL++'s LLVM plugins cargo-afl uses rustc's own
/// sanitizer-coverage instrumentation. Returns the path of `afl-fuzz`.
pub fn afl(env: &Env) -> Result<PathBuf, Failure> {
    if version_of(env, "make").is_none() || version_of(env, "cc").is_none() {
        if !is_root() {
            return Err(Failure(
                "building AFL++ needs a C compiler and make: run \
                 `sudo apt-get install -y build-essential`, then run this again"
                    .into(),
            ));
        }
        step("installing a C compiler and make for AFL++ (apt-get install build-essential)");
        Command::new("apt-get").arg("update").run()?;
        Command::new("apt-get")
            .args(["install", "-y", "build-essential"])
            .env("DEBIAN_FRONTEND", "noninteractive")
            .run()?;
    }
    let want = format!("cargo-afl {CARGO_AFL_VERSION} ");
    let have = env
        .cmd("cargo")
        .args(["afl", "--version"])
        .output_text()
        .is_some_and(|v| v.starts_with(&want));
    if !have {
        step(&format!(
            "installing cargo-afl {CARGO_AFL_VERSION} from crates.io (first time only: about \
             2 minutes; it builds the AFL++ it ships with)"
        ));
        env.cmd("cargo")
            .args([
                "install",
                "--locked",
                "cargo-afl",
                "--version",
                CARGO_AFL_VERSION,
            ])
            .run()?;
    }
    // Rebuilt when missing (a new rustc, or an install that could not build it).
    let dir =
        afl_dir(env).ok_or_else(|| Failure("cannot tell the rustc version (rustc -vV)".into()))?;
    if !dir.join("afl-llvm/afl-compiler-rt.o").exists() {
        step("building AFL++ for this rustc (cargo afl config --build)");
        env.cmd("cargo")
            .args(["afl", "config", "--build", "--force"])
            .run()?;
    }
    let afl_fuzz = dir.join("afl/bin/afl-fuzz");
    if !afl_fuzz.exists() {
        return Err(Failure(format!(
            "cargo afl config --build left no {}",
            afl_fuzz.display()
        )));
    }
    Ok(afl_fuzz)
}

/// Where cargo-afl keeps the AFL++ it built for the current rustc (the
/// runtime in `afl-llvm/` it links into every target, afl-fuzz in
/// `afl/bin/`): `$XDG_DATA_HOME/afl.rs/rustc-<version>-<commit>/afl.rs-<version>/`.
fn afl_dir(env: &Env) -> Option<PathBuf> {
    let vv = env.cmd("rustc").arg("-vV").output_text()?;
    let field = |name: &str| {
        vv.lines()
            .find_map(|l| l.strip_prefix(name))
            .map(str::trim)
            .map(str::to_string)
    };
    let release = field("release:")?;
    let mut rustc = format!("rustc-{release}");
    if let Some(hash) = field("commit-hash:").filter(|h| h.len() >= 7) {
        rustc.push('-');
        rustc.push_str(&hash[..7]);
    }
    let data = std::env::var_os("XDG_DATA_HOME")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))?;
    Some(
        data.join("afl.rs")
            .join(rustc)
            .join(format!("afl.rs-{CARGO_AFL_VERSION}")),
    )
}
