//! The Python package (`crates/python`): a project virtual environment
//! with the pinned tools of `crates/python/requirements-dev.txt` (PyPI),
//! the wheel built by maturin and installed into it, and its pytest suite.

use crate::setup::Env;
use crate::util::{repo, step, Failure, Run};
use std::path::PathBuf;

const REQUIREMENTS: &str = "crates/python/requirements-dev.txt";

/// `target/python/venv`.
fn venv() -> PathBuf {
    repo().join("target").join("python").join("venv")
}

fn venv_python() -> PathBuf {
    venv().join("bin").join("python")
}

/// Creates the venv if missing and installs the pinned tools when the
/// requirements changed since the last install (a copy is kept in the venv).
fn ensure_venv(env: &Env) -> Result<(), Failure> {
    let want = std::fs::read_to_string(repo().join(REQUIREMENTS))
        .map_err(|e| Failure(format!("cannot read {REQUIREMENTS}: {e}")))?;
    let stamp = venv().join("defines-requirements.txt");
    if !venv_python().exists() {
        step("creating the Python virtual environment target/python/venv");
        env.cmd("python3")
            .args(["-m", "venv"])
            .arg(venv())
            .run()
            .map_err(|Failure(m)| {
                Failure(format!(
                    "{m}\nthe Python package needs CPython 3.9 or newer with venv and pip \
                     (Debian: apt-get install python3-venv python3-pip)"
                ))
            })?;
    }
    if std::fs::read_to_string(&stamp).ok().as_deref() != Some(want.as_str()) {
        step(&format!(
            "installing the pinned Python tools ({REQUIREMENTS}, from PyPI)"
        ));
        env.cmd(venv_python().to_str().unwrap_or("python"))
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "-r",
            ])
            .arg(repo().join(REQUIREMENTS))
            .run()?;
        std::fs::write(&stamp, &want)
            .map_err(|e| Failure(format!("cannot write {}: {e}", stamp.display())))?;
    }
    Ok(())
}

/// `cargo xtask python`: the venv, then the wheel (release) built with
/// maturin into `target/python/wheels/` and installed into the venv.
pub fn build(env: &Env) -> Result<(), Failure> {
    ensure_venv(env)?;
    let wheels = repo().join("target").join("python").join("wheels");
    // Only this build's wheel is left to install.
    let _ = std::fs::remove_dir_all(&wheels);
    step("building the Python wheel (maturin build --release, crates/python)");
    env.cmd(
        venv()
            .join("bin")
            .join("maturin")
            .to_str()
            .unwrap_or("maturin"),
    )
    .args([
        "build",
        "--release",
        "--quiet",
        "-m",
        "crates/python/Cargo.toml",
        "-o",
    ])
    .arg(&wheels)
    .arg("-i")
    .arg(venv_python())
    .current_dir(repo())
    .run()?;
    let wheel = std::fs::read_dir(&wheels)
        .map_err(|e| Failure(format!("cannot read {}: {e}", wheels.display())))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|x| x == "whl"))
        .ok_or_else(|| Failure("maturin left no wheel in target/python/wheels".into()))?;
    step(&format!("installing {} into the venv", wheel.display()));
    env.cmd(venv_python().to_str().unwrap_or("python"))
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
        ])
        .args(["--force-reinstall", "--no-deps"])
        .arg(&wheel)
        .run()?;
    println!(
        "\nxtask: `defines` is installed in {}; use it with {} (or activate the venv)",
        venv().display(),
        venv_python().display()
    );
    Ok(())
}

/// The pytest suite of `crates/python/tests` against the installed wheel,
/// comparing with the release CLI at `cli`.
pub fn test(env: &Env, cli: &std::path::Path) -> Result<(), Failure> {
    step("Python tests (pytest, crates/python/tests; Dask LocalCluster with 2 processes)");
    env.cmd(venv_python().to_str().unwrap_or("python"))
        .args([
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "crates/python/tests",
        ])
        .env("DEFINES_CLI", cli)
        .current_dir(repo())
        .run()
}

/// `bench/dask_sweep.py`: the Dask sweep against the CLI on one grid (k).
pub fn bench(env: &Env, quick: bool) -> Result<(), Failure> {
    step("(k) a hardware-variant sweep on Dask (LocalCluster) against the CLI");
    env.cmd(venv_python().to_str().unwrap_or("python"))
        .args(["bench/dask_sweep.py", if quick { "1" } else { "3" }])
        .env("DEFINES_CLI", repo().join("target/release/defines"))
        .current_dir(repo())
        .run()
}
