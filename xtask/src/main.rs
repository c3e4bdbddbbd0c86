//! `cargo xtask <command>`: the project's commands, one place for what a new
//! machine needs (README.md lists them).
//!
//! - `serve [--port N]`: install what is missing, build the playground in
//!   release mode, serve `dist/` on 127.0.0.1 (default port 8080).
//! - `test`: install what is missing, then every check CI runs: formatting,
//!   clippy (native and wasm32), native tests, the model built alone for
//!   wasm32 (no_std), a short fuzzing campaign (30 s per target),
//!   wasm-bindgen tests in headless Chromium, the release build and the
//!   end-to-end page tests, and the Python package's pytest suite (its
//!   wheel built and installed first, as `python` does).
//! - `build`: install what is missing and build `dist/` (release), printing
//!   the wasm sizes.
//! - `setup`: only install what is missing.
//! - `bench [--quick]`: the performance figures (native model, and the
//!   sweep inside headless Chromium); prints numbers, never fails on a time.
//! - `fuzz [--seconds N] [TARGET...]`: install cargo-afl (AFL++) if missing,
//!   build the targets of `fuzz/` (`validate`: the three input documents,
//!   validated and evaluated; `cli_args`: the CLI's argument parser;
//!   `persist`: the page's URL/localStorage decoder) and fuzz each for N
//!   seconds (default 60), seeded from the presets; prints executions and
//!   crashes per target and fails if any crashed (see `fuzz.rs`).
//! - `gen-onnx`: regenerate `crates/import/src/onnx_proto/onnx.rs` from
//!   `crates/import/proto/onnx.proto` (the generator is its own workspace,
//!   `crates/import/gen-onnx`, so normal builds never compile it).
//! - `python`: build the Python package (`crates/python`, maturin, release)
//!   and install it into the project venv `target/python/venv`, creating the
//!   venv with the pinned tools of `crates/python/requirements-dev.txt`.

mod fuzz;
mod python;
mod serve;
mod setup;
mod util;

use std::process::ExitCode;
use util::{cargo, step, Failure, Run};

const USAGE: &str =
    "usage: cargo xtask <serve [--port N] | test | build | setup | bench [--quick] \
     | fuzz [--seconds N] [validate|cli_args|persist ...] | gen-onnx | python>";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("serve") => parse_port(&args[1..]).and_then(serve_cmd),
        Some("test") => test_cmd(),
        Some("build") => setup::all(false).and_then(|env| build_dist(&env)),
        Some("setup") => setup::all(true).and_then(|env| setup::afl(&env).map(|_| ())),
        Some("bench") => bench_cmd(args.get(1).is_some_and(|a| a == "--quick")),
        Some("fuzz") => fuzz::Options::parse(&args[1..], USAGE).and_then(fuzz_cmd),
        Some("gen-onnx") => gen_onnx_cmd(),
        Some("python") => setup::env().and_then(|env| python::build(&env)),
        _ => Err(Failure(USAGE.into())),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure(msg)) => {
            eprintln!("\nxtask: error: {msg}");
            ExitCode::FAILURE
        }
    }
}

fn parse_port(args: &[String]) -> Result<u16, Failure> {
    match args {
        [] => Ok(8080),
        [flag, n] if flag == "--port" => n
            .parse()
            .map_err(|_| Failure(format!("--port takes a number from 1 to 65535, not `{n}`"))),
        _ => Err(Failure(USAGE.into())),
    }
}

fn serve_cmd(port: u16) -> Result<(), Failure> {
    let env = setup::all(false)?;
    build_dist(&env)?;
    step(&format!("serving dist/ on http://127.0.0.1:{port}/"));
    serve::run(&util::repo().join("dist"), port)
}

/// `trunk build --release` into dist/, then the wasm sizes.
fn build_dist(env: &setup::Env) -> Result<(), Failure> {
    step("building the playground (trunk build --release)");
    env.cmd("trunk")
        .args(["build", "--release"])
        .current_dir(util::repo())
        .run()?;
    util::write_csp(&util::repo())?;
    util::write_worker_loader(&util::repo())?;
    util::write_service_worker(&util::repo())?;
    util::print_wasm_sizes(&util::repo().join("dist"))
}

fn test_cmd() -> Result<(), Failure> {
    let env = setup::all(true)?;
    let repo = util::repo();
    step("formatting (cargo fmt --check, the workspace and fuzz/)");
    cargo(&env).args(["fmt", "--all", "--check"]).run()?;
    fuzz::fmt_check(&env)?;
    step("clippy, native (-D warnings)");
    cargo(&env)
        .args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ])
        .run()?;
    step("clippy, the fuzz crate (its own workspace, -D warnings)");
    fuzz::clippy(&env)?;
    step("clippy, wasm32 (-D warnings)");
    // The model's dev-dependencies (proptest) are native-only: lint its library.
    for target_args in [
        &["-p", "defines-model", "--lib"][..],
        &["-p", "defines-import", "--lib"][..],
        &["-p", "defines-playground", "--all-targets"][..],
    ] {
        cargo(&env)
            .arg("clippy")
            .args(target_args)
            .args(["--target", "wasm32-unknown-unknown", "--", "-D", "warnings"])
            .run()?;
    }
    step("the model crate alone for wasm32 (no_std without feature unification)");
    cargo(&env)
        .args([
            "build",
            "-p",
            "defines-model",
            "--target",
            "wasm32-unknown-unknown",
        ])
        .run()?;
    step("the ONNX import crate for wasm32");
    cargo(&env)
        .args([
            "build",
            "-p",
            "defines-import",
            "--target",
            "wasm32-unknown-unknown",
        ])
        .run()?;
    step("native tests (unit, property, golden, reference)");
    cargo(&env).args(["test", "--workspace"]).run()?;
    step("the fuzz crate's tests: seeds and the crash inputs found earlier replayed");
    fuzz::test(&env)?;
    step(&format!(
        "fuzzing, short campaign ({} s per target; `cargo xtask fuzz` for longer)",
        fuzz::TEST_SECONDS
    ));
    fuzz::run(
        &env,
        &fuzz::Options {
            seconds: fuzz::TEST_SECONDS,
            targets: fuzz::TARGETS.to_vec(),
        },
    )?;
    step("wasm-bindgen tests in headless Chromium");
    cargo(&env)
        .args([
            "test",
            "--target",
            "wasm32-unknown-unknown",
            "-p",
            "defines-playground",
        ])
        .run()?;
    build_dist(&env)?;
    step("the CLI the page is compared with (cargo build --release -p defines-cli)");
    cargo(&env)
        .args(["build", "--release", "-p", "defines-cli"])
        .run()?;
    step("end-to-end page tests (playwright-core + Chromium on 127.0.0.1)");
    env.cmd("node")
        .args([
            "--test",
            "--test-concurrency=1",
            "--test-reporter=spec",
            "tests/e2e/",
        ])
        .env("DEFINES_CLI", repo.join("target/release/defines"))
        .current_dir(&repo)
        .run()?;
    python::build(&env)?;
    python::test(&env, &repo.join("target/release/defines"))?;
    println!("\nxtask: all checks passed; screenshots in target/e2e/");
    Ok(())
}

/// `cargo xtask gen-onnx`: the prost code of `onnx.proto`, regenerated by
/// the generator crate (protox + prost-build: no protoc).
fn gen_onnx_cmd() -> Result<(), Failure> {
    let env = setup::env()?;
    step("generating crates/import/src/onnx_proto/onnx.rs (crates/import/gen-onnx)");
    cargo(&env)
        .args([
            "run",
            "--manifest-path",
            "crates/import/gen-onnx/Cargo.toml",
        ])
        .current_dir(util::repo())
        .run()
}

/// `cargo xtask fuzz`: installs only what fuzzing needs (cargo-afl).
fn fuzz_cmd(opts: fuzz::Options) -> Result<(), Failure> {
    let env = setup::env()?;
    fuzz::run(&env, &opts)
}

/// `cargo xtask bench`: native figures from `defines-bench`, then the
/// browser sweep (d) in headless Chromium.
fn bench_cmd(quick: bool) -> Result<(), Failure> {
    let env = setup::all(true)?;
    step("native benchmarks (defines-bench, release)");
    let mut native = cargo(&env);
    native.args([
        "run",
        "--release",
        "-p",
        "defines-cli",
        "--bin",
        "defines-bench",
        "--",
    ]);
    if quick {
        native.arg("--quick");
    }
    native.run()?;
    build_dist(&env)?;
    step("(d) the case-study-1 sweep in headless Chromium (release build)");
    env.cmd("node")
        .args(["bench/browser-sweep.mjs", if quick { "1" } else { "3" }])
        .current_dir(util::repo())
        .run()?;
    python::build(&env)?;
    python::bench(&env, quick)
}
