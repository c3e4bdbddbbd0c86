//! `cargo xtask fuzz [--seconds N] [TARGET...]`: AFL++ (through cargo-afl,
//! on stable Rust) over the targets of `fuzz/` (a workspace of its own, so
//! the instrumented build never touches the normal one), each for N
//! seconds, seeded from the model's presets. Prints executions, crashes and
//! hangs per target, replays each crash for its panic message, keeps crash
//! inputs in `fuzz/artifacts/<target>/`; fails when any target crashed.
//!
//! Layout (all ignored by git): `fuzz/target/afl/release/<target>` the
//! instrumented binaries (outside afl-fuzz they run once on stdin: that is
//! the replay), `fuzz/target/seeds/<target>/` the seed corpora written by
//! the `seeds` binary with their
//! dictionaries `<target>.dict`, `fuzz/target/out/<target>/` afl-fuzz's output of the
//! last campaign (`default/{queue,crashes,hangs}`, `fuzzer_stats`) with its
//! log beside it.

use crate::setup::{self, Env};
use crate::util::{cargo, repo, step, Failure, Run};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The targets, in the order they run (`fuzz/src/bin/`).
pub const TARGETS: [&str; 4] = ["validate", "evaluate", "cli_args", "persist"];
/// `cargo xtask fuzz` without `--seconds`.
pub const DEFAULT_SECONDS: u64 = 60;
/// The campaign of `cargo xtask test`, per target.
pub const TEST_SECONDS: u64 = 30;
/// afl-fuzz's limits per execution: an input slower than this is a hang (a
/// finding, not a failure); more memory than this aborts (a crash). The
/// cheap schedules of `fuzz/src/lib.rs` take milliseconds.
const EXEC_TIMEOUT_MS: &str = "500";
const MEMORY_LIMIT_MB: &str = "2048";
/// Crashes replayed for their message, per target.
const REPLAYED: usize = 5;

pub struct Options {
    pub seconds: u64,
    pub targets: Vec<&'static str>,
}

impl Options {
    pub fn parse(args: &[String], usage: &str) -> Result<Options, Failure> {
        let mut seconds = DEFAULT_SECONDS;
        let mut targets = Vec::new();
        let mut it = args.iter();
        while let Some(a) = it.next() {
            if a == "--seconds" {
                seconds = it
                    .next()
                    .and_then(|n| n.parse().ok())
                    .filter(|n| *n >= 1)
                    .ok_or_else(|| Failure("--seconds takes a whole number >= 1".into()))?;
            } else if let Some(t) = TARGETS.iter().find(|t| **t == a) {
                targets.push(*t);
            } else {
                return Err(Failure(format!(
                    "unknown fuzz argument `{a}` (targets: {})\n{usage}",
                    TARGETS.join(", ")
                )));
            }
        }
        if targets.is_empty() {
            targets = TARGETS.to_vec();
        }
        Ok(Options { seconds, targets })
    }
}

struct Outcome {
    target: &'static str,
    stats: BTreeMap<String, String>,
    crashes: Vec<PathBuf>,
    hangs: usize,
}

fn fuzz_dir() -> PathBuf {
    repo().join("fuzz")
}

/// Formatting and lints of the fuzz crate (a workspace of its own, so the
/// workspace-wide commands do not see it).
pub fn fmt_check(env: &Env) -> Result<(), Failure> {
    cargo(env)
        .args(["fmt", "--manifest-path", "fuzz/Cargo.toml", "--check"])
        .run()
}

pub fn clippy(env: &Env) -> Result<(), Failure> {
    cargo(env)
        .args([
            "clippy",
            "--manifest-path",
            "fuzz/Cargo.toml",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ])
        .env("CARGO_TARGET_DIR", fuzz_dir().join("target/check"))
        .run()
}

/// The fuzz crate's own tests, natively (no instrumentation): every seed
/// passes its target, and every crash input kept in `fuzz/crashes/` no
/// longer crashes (the regression tests of what the fuzzer found).
pub fn test(env: &Env) -> Result<(), Failure> {
    cargo(env)
        .args([
            "test",
            "--release",
            "--manifest-path",
            "fuzz/Cargo.toml",
            "--lib",
        ])
        .env("CARGO_TARGET_DIR", fuzz_dir().join("target/check"))
        .run()
}

pub fn run(env: &Env, opts: &Options) -> Result<(), Failure> {
    let afl_fuzz = setup::afl(env)?;
    let target_dir = fuzz_dir().join("target");
    step("building the fuzz targets with AFL++ instrumentation (cargo afl build --release)");
    cargo(env)
        .args([
            "afl",
            "build",
            "--release",
            "--bins",
            "--manifest-path",
            "fuzz/Cargo.toml",
        ])
        .env("CARGO_TARGET_DIR", target_dir.join("afl"))
        .run()?;
    let bins = target_dir.join("afl/release");
    let seeds = target_dir.join("seeds");
    step("seed corpora from the presets");
    Command::new(bins.join("seeds")).arg(&seeds).run()?;

    let mut outcomes = Vec::new();
    for &target in &opts.targets {
        step(&format!(
            "fuzzing `{target}` for {} s (afl-fuzz)",
            opts.seconds
        ));
        outcomes.push(fuzz_one(
            &afl_fuzz,
            target,
            opts.seconds,
            &seeds.join(target),
            &bins.join(target),
        )?);
    }
    report(&outcomes, opts.seconds, &bins)
}

fn fuzz_one(
    afl_fuzz: &Path,
    target: &'static str,
    seconds: u64,
    seeds: &Path,
    bin: &Path,
) -> Result<Outcome, Failure> {
    let out_root = fuzz_dir().join("target/out");
    let out = out_root.join(target);
    let log_path = out_root.join(format!("{target}.log"));
    if out.exists() {
        std::fs::remove_dir_all(&out)
            .map_err(|e| Failure(format!("cannot remove {}: {e}", out.display())))?;
    }
    std::fs::create_dir_all(&out_root)
        .map_err(|e| Failure(format!("cannot create {}: {e}", out_root.display())))?;
    let log = std::fs::File::create(&log_path)
        .map_err(|e| Failure(format!("cannot create {}: {e}", log_path.display())))?;
    let log_err = log
        .try_clone()
        .map_err(|e| Failure(format!("log file: {e}")))?;
    let mut cmd = Command::new(afl_fuzz);
    cmd.args(["-c0", "-V", &seconds.to_string()]);
    let dict = seeds.with_extension("dict");
    if dict.exists() {
        cmd.arg("-x").arg(dict);
    }
    cmd.args(["-t", EXEC_TIMEOUT_MS, "-m", MEMORY_LIMIT_MB])
        .arg("-i")
        .arg(seeds)
        .arg("-o")
        .arg(&out)
        .arg("--")
        .arg(bin)
        // No screen (the log is read back), no CPU binding (shared cores),
        // no demands on the machine's set-up (CPU governor, core pattern):
        // crashes are detected from the exit signal all the same.
        .env("AFL_NO_UI", "1")
        .env("AFL_NO_AFFINITY", "1")
        .env("AFL_SKIP_CPUFREQ", "1")
        .env("AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES", "1")
        .env("AFL_FAST_CAL", "1")
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(log_err);
    let mut child = cmd
        .spawn()
        .map_err(|e| Failure(format!("cannot run {}: {e}", afl_fuzz.display())))?;
    // afl-fuzz stops itself after -V seconds; this is only a backstop.
    let deadline = Instant::now() + Duration::from_secs(seconds + 120);
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break s,
            Ok(None) if Instant::now() > deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(Failure(format!(
                    "afl-fuzz on `{target}` did not stop after {seconds} s; see {}",
                    log_path.display()
                )));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(200)),
            Err(e) => return Err(Failure(format!("waiting for afl-fuzz: {e}"))),
        }
    };
    let stats_path = out.join("default/fuzzer_stats");
    let stats = std::fs::read_to_string(&stats_path).unwrap_or_default();
    if !status.success() || stats.is_empty() {
        print_tail(&log_path, 25);
        return Err(Failure(format!(
            "afl-fuzz on `{target}` failed ({status}); its log is {}",
            log_path.display()
        )));
    }
    let stats = stats
        .lines()
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    Ok(Outcome {
        target,
        stats,
        crashes: findings(&out.join("default/crashes")),
        hangs: findings(&out.join("default/hangs")).len(),
    })
}

/// The inputs afl-fuzz saved in a findings directory (not its README).
fn findings(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.file_name().is_some_and(|n| n != "README.txt"))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

fn print_tail(path: &Path, lines: usize) {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let all: Vec<&str> = text.lines().collect();
    for l in &all[all.len().saturating_sub(lines)..] {
        println!("  | {l}");
    }
}

fn report(outcomes: &[Outcome], seconds: u64, bins: &Path) -> Result<(), Failure> {
    let stat = |o: &Outcome, k: &str| o.stats.get(k).cloned().unwrap_or_else(|| "?".into());
    println!("\nfuzzing summary ({seconds} s per target, AFL++ via cargo-afl):");
    println!(
        "  {:<10} {:>10} {:>9} {:>7} {:>8} {:>8} {:>6}",
        "target", "execs", "execs/s", "corpus", "coverage", "crashes", "hangs"
    );
    for o in outcomes {
        println!(
            "  {:<10} {:>10} {:>9} {:>7} {:>8} {:>8} {:>6}",
            o.target,
            stat(o, "execs_done"),
            stat(o, "execs_per_sec"),
            stat(o, "corpus_count"),
            stat(o, "bitmap_cvg"),
            o.crashes.len(),
            o.hangs,
        );
    }
    let mut crashed = Vec::new();
    for o in outcomes {
        let out = fuzz_dir().join("target/out").join(o.target).join("default");
        if o.hangs > 0 {
            println!(
                "\n`{}`: {} input(s) slower than {EXEC_TIMEOUT_MS} ms in {} (not a failure)",
                o.target,
                o.hangs,
                out.join("hangs").display()
            );
        }
        if o.crashes.is_empty() {
            continue;
        }
        crashed.push(o.target);
        let kept = keep(o.target, &o.crashes)?;
        println!(
            "\n`{}`: {} crash input(s) in {} (copied to {}); replay one with\n  {} < FILE",
            o.target,
            o.crashes.len(),
            out.join("crashes").display(),
            kept.display(),
            bins.join(o.target).display()
        );
        for c in o.crashes.iter().take(REPLAYED) {
            println!(
                "  {}: {}",
                c.file_name().unwrap_or_default().to_string_lossy(),
                replay(&bins.join(o.target), c)
            );
        }
    }
    if crashed.is_empty() {
        println!("\nfuzzing: no crashes");
        Ok(())
    } else {
        Err(Failure(format!(
            "fuzzing found crashes in {} (inputs and messages above)",
            crashed.join(", ")
        )))
    }
}

/// Copies crash inputs to `fuzz/artifacts/<target>/crash-<content hash>`,
/// which later campaigns do not wipe.
fn keep(target: &str, crashes: &[PathBuf]) -> Result<PathBuf, Failure> {
    let dir = fuzz_dir().join("artifacts").join(target);
    std::fs::create_dir_all(&dir)
        .map_err(|e| Failure(format!("cannot create {}: {e}", dir.display())))?;
    for c in crashes {
        let data = std::fs::read(c).unwrap_or_default();
        let name = format!("crash-{:016x}", fnv1a(&data));
        std::fs::write(dir.join(name), &data)
            .map_err(|e| Failure(format!("cannot write into {}: {e}", dir.display())))?;
    }
    Ok(dir)
}

fn fnv1a(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// Runs a target once on a crash input (same memory limit as the campaign,
/// 20 s at most) and returns what it said: the panic message, an
/// allocation failure, or how it ended.
fn replay(bin: &Path, input: &Path) -> String {
    let Ok(stdin) = std::fs::File::open(input) else {
        return "cannot open the input".into();
    };
    let out = Command::new("timeout")
        .args(["20", "sh", "-c"])
        .arg(format!(
            "ulimit -v {}; exec \"$0\"",
            MEMORY_LIMIT_MB.parse::<u64>().unwrap_or(2048) * 1024
        ))
        .arg(bin)
        .env("RUST_BACKTRACE", "0")
        .stdin(stdin)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output();
    let Ok(out) = out else {
        return "cannot replay".into();
    };
    let err = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = err.lines().collect();
    if let Some(i) = lines.iter().position(|l| l.contains("panicked at")) {
        let at = lines[i]
            .split_once("panicked at ")
            .map_or(lines[i], |(_, a)| a)
            .trim_end_matches(':');
        let msg = lines.get(i + 1).copied().unwrap_or("");
        return format!("panic at {at}: {msg}");
    }
    if let Some(l) = lines.iter().find(|l| l.contains("memory allocation")) {
        return format!("abort: {l}");
    }
    match out.status.code() {
        Some(124) => "no crash on replay within 20 s (a slow input)".into(),
        Some(0) => "no crash on replay (depends on the memory limit or state)".into(),
        _ => format!(
            "{} ({})",
            lines.last().copied().unwrap_or("no message"),
            out.status
        ),
    }
}
