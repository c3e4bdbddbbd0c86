//! The fuzz targets' bodies and their seed corpora, shared by the AFL++
//! binaries in `src/bin/` (one per target) and by `seeds`, which writes the
//! starting corpora from the model's presets.
//!
//! Each `check_*` function takes the raw fuzz input and panics on a finding:
//! under `afl::fuzz!` a panic (or an abort, e.g. a failed allocation) is a
//! crash. They never panic on input the code under test handles correctly.
//!
//! | target     | code under test | input |
//! | ---------- | --------------- | ----- |
//! | `validate` | `defines_model::validate_json`, then `evaluate_network` | [`split_scenario`] |
//! | `cli_args` | `defines_cli::args::parse` | arguments separated by NUL bytes |
//! | `persist`  | `defines_playground::persist::{decode, from_fragment}` | the saved text |

use defines_model::{presets, Overlap, Schedule, Tile};
use std::ffi::OsString;

/// The fuzz targets, as named by `cargo xtask fuzz` and `src/bin/`.
pub const TARGETS: [&str; 3] = ["validate", "cli_args", "persist"];

/// The separator between the parts of a `validate` or `cli_args` input.
pub const SEP: u8 = 0;

/// The tile used when the schedule part asks for the whole output (the
/// model clamps it to each layer: layer-by-layer, one tile type).
pub const FULL_TILE: u64 = 1_000_000;

/// A `validate` input: `hardware \0 workload \0 mapping [\0 schedule]`.
/// The three documents are JSON text (invalid UTF-8 is replaced, so the
/// parsers still see the rest); the optional schedule part is bytes, see
/// [`schedule_from`]. `None` when there are fewer than three parts.
pub fn split_scenario(data: &[u8]) -> Option<([String; 3], Schedule)> {
    let mut parts = data.splitn(4, |b| *b == SEP);
    let mut doc = || {
        parts
            .next()
            .map(|p| String::from_utf8_lossy(p).into_owned())
    };
    let docs = [doc()?, doc()?, doc()?];
    let schedule = schedule_from(parts.next().unwrap_or(&[]));
    Some((docs, schedule))
}

/// The schedule from the bytes after the mapping: `[mode, lpf, tile_x,
/// tile_y]`, each optional. Mode byte `b`: mode `b % 3 + 1` (default 3,
/// fully cached); lpf byte: `1 + b % 2` (default 1; LOMA grows as lpf!,
/// these keep an execution in milliseconds); tile bytes: `0` or missing is
/// the whole output, otherwise that size (1..=255, small tiles mean large
/// tile grids). Stack cuts: the model's default rule.
pub fn schedule_from(bytes: &[u8]) -> Schedule {
    let at = |i: usize| bytes.get(i).copied();
    let overlap = match at(0).map(|b| b % 3) {
        Some(0) => Overlap::FullyRecompute,
        Some(1) => Overlap::HCachedVRecompute,
        _ => Overlap::FullyCached,
    };
    let tile = |b: Option<u8>| match b {
        None | Some(0) => FULL_TILE,
        Some(n) => u64::from(n),
    };
    Schedule {
        tile: Tile {
            x: tile(at(2)),
            y: tile(at(3)),
        },
        overlap,
        lpf_limit: 1 + u32::from(at(1).unwrap_or(0) % 2),
        stack_cuts: None,
    }
}

/// Target `validate`: the three documents are validated together; a valid
/// scenario is evaluated at the input's schedule and every number of the
/// report must be finite. Invalid input must come with diagnostics.
pub fn check_validate(data: &[u8]) {
    let Some(([hardware, workload, mapping], schedule)) = split_scenario(data) else {
        return;
    };
    let scenario = match defines_model::validate_json(&workload, &hardware, &mapping) {
        Ok(s) => s,
        Err(diags) => {
            assert!(!diags.is_empty(), "validation failed without a diagnostic");
            return;
        }
    };
    // An infeasible schedule is an error value: fine. A report must be finite.
    let Ok(report) = defines_model::evaluate_network(&scenario, &schedule) else {
        return;
    };
    let edp = report.energy_pj * report.latency_cycles as f64;
    let totals = [
        ("energy_pj", report.energy_pj),
        ("mac_energy_pj", report.mac_energy_pj),
        ("mem_energy_pj", report.mem_energy_pj),
        ("data_copy_energy_pj", report.data_copy_energy_pj),
        ("edp", edp),
    ];
    for (name, v) in totals {
        assert!(v.is_finite(), "non-finite {name}: {v}");
    }
    for map in [
        &report.energy_by_memory_pj,
        &report.energy_by_memory_and_operand_pj,
        &report.data_copy_energy_by_memory_pj,
    ] {
        for (key, v) in map.iter() {
            assert!(v.is_finite(), "non-finite energy of {key}: {v}");
        }
    }
}

/// The arguments of a `cli_args` input: NUL-separated, as raw bytes (so
/// not necessarily UTF-8). At most 64 are taken.
pub fn split_args(data: &[u8]) -> Vec<OsString> {
    use std::os::unix::ffi::OsStringExt;
    if data.is_empty() {
        return Vec::new();
    }
    data.split(|b| *b == SEP)
        .take(64)
        .map(|a| OsString::from_vec(a.to_vec()))
        .collect()
}

/// Target `cli_args`: parsing never panics and an error says something.
pub fn check_cli_args(data: &[u8]) {
    let args = split_args(data);
    match defines_cli::args::parse(&args) {
        Ok(command) => {
            let _ = format!("{command:?}");
        }
        Err(e) => assert!(!e.0.is_empty(), "an argument error without a message"),
    }
}

/// Target `persist`: decoding never panics, the fragment form agrees with
/// `decode`, and a decoded scenario survives `encode` → `decode` unchanged
/// (the page saves what it decoded).
pub fn check_persist(data: &[u8]) {
    use defines_playground::persist;
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let decoded = persist::decode(text);
    match persist::from_fragment(text) {
        None => assert!(!text.starts_with(persist::FRAGMENT_PREFIX)),
        Some(r) => {
            let rest = &text[persist::FRAGMENT_PREFIX.len()..];
            assert_eq!(
                r,
                persist::decode(rest),
                "from_fragment differs from decode"
            );
        }
    }
    if let Ok(s) = decoded {
        let again = persist::decode(&persist::encode(&s));
        assert_eq!(again, Ok(s), "encode -> decode changed the scenario");
    }
}

/// Runs one target's check by name (the replay tests use it).
pub fn check(target: &str, data: &[u8]) {
    match target {
        "validate" => check_validate(data),
        "cli_args" => check_cli_args(data),
        "persist" => check_persist(data),
        other => panic!("unknown fuzz target `{other}`"),
    }
}

/// The seed corpus of a target, `(file name, contents)`, from the presets.
pub fn seeds(target: &str) -> Vec<(String, Vec<u8>)> {
    match target {
        "validate" => validate_seeds(),
        "cli_args" => cli_seeds(),
        "persist" => persist_seeds(),
        _ => Vec::new(),
    }
}

/// Every hardware preset with every workload that has its family's
/// mapping, at the default (cheapest) schedule, plus one small-tile
/// schedule of the smallest network.
fn validate_seeds() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for (hw_name, hw) in presets::HARDWARE {
        for (wl_name, wl) in presets::WORKLOADS {
            let Some(m) = presets::mapping(&presets::default_mapping_name(hw_name, wl_name)) else {
                continue;
            };
            let mut v = Vec::new();
            for (i, part) in [hw, wl, m].iter().enumerate() {
                if i > 0 {
                    v.push(SEP);
                }
                v.extend_from_slice(part.as_bytes());
            }
            out.push((format!("{hw_name}__{wl_name}"), v));
        }
    }
    if let Some((name, v)) = out.iter().find(|(n, _)| n.ends_with("__fsrcnn")).cloned() {
        let mut v = v;
        v.extend_from_slice(&[SEP, 2, 0, 60, 72]);
        out.push((format!("{name}__tile60x72"), v));
    }
    out
}

fn cli_seeds() -> Vec<(String, Vec<u8>)> {
    let lines: &[&[&str]] = &[
        &["presets"],
        &["help"],
        &["--help"],
        &["eval", "--help"],
        &["macs", "--workload", "fsrcnn", "--format", "json"],
        &[
            "eval",
            "--hardware",
            "Meta_prototype_DF",
            "--workload",
            "fsrcnn",
            "--mode",
            "3",
            "--tile",
            "16x18",
            "--lpf",
            "6",
            "--stack-cuts",
            "3,7",
            "--fix",
            "q36",
            "--format",
            "table",
        ],
        &[
            "eval",
            "--hardware",
            "TPU_like",
            "--workload",
            "resnet18",
            "--mapping",
            "m.json",
            "--mode",
            "fully-cached",
            "--tile",
            "60x72",
            "--stack-cuts",
            "",
        ],
        &[
            "sweep",
            "--hardware",
            "Edge_TPU_like",
            "--workload",
            "mccnn",
            "--modes",
            "1,2,3",
            "--tiles-x",
            "1,4,16",
            "--tiles-y",
            "1,4,18",
            "--lpf",
            "2",
            "--threads",
            "2",
            "--progress",
            "--format",
            "csv",
        ],
        &[
            "sweep",
            "--hardware",
            "hw.json",
            "--workload",
            "wl.json",
            "--tiles",
            "case-study-1",
            "--format",
            "json",
        ],
        &[
            "sweep",
            "--hardware",
            "x",
            "--workload",
            "y",
            "--tiles",
            "auto",
        ],
    ];
    lines
        .iter()
        .enumerate()
        .map(|(i, args)| (format!("args{i:02}"), args.join("\0").into_bytes()))
        .collect()
}

fn persist_seeds() -> Vec<(String, Vec<u8>)> {
    use defines_playground::persist;
    use defines_playground::state::Scenario;
    let mut out = Vec::new();
    let mut push = |name: String, s: &Scenario| {
        let text = persist::encode(s);
        out.push((
            format!("{name}_fragment"),
            format!("{}{text}", persist::FRAGMENT_PREFIX).into_bytes(),
        ));
        out.push((name, text.into_bytes()));
    };
    push("default".into(), &Scenario::default());
    for (i, (hw, _)) in presets::HARDWARE.iter().enumerate().take(3) {
        let (wl, wl_text) = presets::WORKLOADS[i % presets::WORKLOADS.len()];
        let mut s = Scenario {
            hardware: (*hw).into(),
            workload: wl.into(),
            overlap: Overlap::ALL[i % 3],
            tile: Tile {
                x: 4 << i,
                y: 18 * (i as u64 + 1),
            },
            lpf: 2 + i as u32,
            ..Scenario::default()
        };
        if i == 1 {
            s.edits[1] = Some(wl_text.into());
        }
        if i == 2 {
            s.edits[0] = Some("{ \"not\": \"a hardware\" ".into());
        }
        push(format!("{hw}_{wl}"), &s);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_seed_passes_its_target() {
        for t in TARGETS {
            let seeds = seeds(t);
            assert!(!seeds.is_empty(), "{t} has no seeds");
            for (name, data) in seeds {
                eprintln!("{t}/{name}");
                check(t, &data);
            }
        }
    }

    #[test]
    fn inputs_split_as_documented() {
        let (docs, s) = split_scenario(b"h\0w\0m\0\x01\x01\x05").unwrap();
        assert_eq!(docs, ["h".to_string(), "w".into(), "m".into()]);
        assert_eq!(s.overlap, Overlap::HCachedVRecompute);
        assert_eq!(s.lpf_limit, 2);
        assert_eq!((s.tile.x, s.tile.y), (5, FULL_TILE));
        assert!(split_scenario(b"h\0w").is_none());
        assert_eq!(split_args(b""), Vec::<OsString>::new());
        assert_eq!(split_args(b"a\0\0b").len(), 3);
    }
}
