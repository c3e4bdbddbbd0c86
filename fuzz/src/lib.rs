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
//! | `validate` | `defines_model::validate_json` | [`split_scenario`] or [`edited_scenario`] |
//! | `evaluate` | `validate_json`, then `evaluate_network`: every number finite | as `validate` |
//! | `cli_args` | `defines_cli::args::parse` | arguments separated by NUL bytes |
//! | `persist`  | `defines_playground::persist::{decode, from_fragment}` | the saved text, or its JSON (starting with `{`) |
//!
//! [`dictionary`] gives each target the words its parsers compare with (an
//! AFL++ `-x` file): stable Rust has no comparison-logging instrumentation,
//! so this is how the fuzzer learns field names and edge-case numbers.

use defines_model::{presets, Overlap, Schedule, Tile};
use std::ffi::OsString;

/// The fuzz targets, as named by `cargo xtask fuzz` and `src/bin/`.
pub const TARGETS: [&str; 4] = ["validate", "evaluate", "cli_args", "persist"];

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
/// fully cached); lpf byte: even or missing 6, odd 5. LOMA grows as lpf!:
/// 6 (the reference's) is the smallest limit at which every preset layer
/// evaluates (most need 6 loop factors; below that every layer is
/// `LpfLimitTooSmall` and no number would be checked), 13-85 ms for a
/// whole preset network layer by layer; 7 is 4-6 times slower; 5 is cheap
/// and fails most layers (that error path is covered too). Tile bytes: `0`
/// or missing is the whole output, otherwise that size (1..=255, small
/// tiles mean large tile grids). Stack cuts: the model's default rule.
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
        lpf_limit: if at(1).unwrap_or(0) % 2 == 0 { 6 } else { 5 },
        stack_cuts: None,
    }
}

/// The first byte of an edit-mode `validate` input (see [`edited_scenario`]);
/// JSON text never starts with it.
pub const EDIT_MODE: u8 = 0xFF;

/// Every hardware preset with every workload that has its family's mapping:
/// `(hardware, workload, mapping)` texts.
fn preset_pairs() -> &'static [[&'static str; 3]] {
    static PAIRS: std::sync::OnceLock<Vec<[&'static str; 3]>> = std::sync::OnceLock::new();
    PAIRS.get_or_init(|| {
        let mut v = Vec::new();
        for (hw_name, hw) in presets::HARDWARE {
            for (wl_name, wl) in presets::WORKLOADS {
                if let Some(m) = presets::mapping(&presets::default_mapping_name(hw_name, wl_name))
                {
                    v.push([*hw, *wl, m]);
                }
            }
        }
        v
    })
}

/// Byte spans of the scalar values (not the keys) of a JSON text, in order.
fn scalar_spans(text: &str) -> Vec<(usize, usize)> {
    let b = text.as_bytes();
    let mut spans = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let start = i;
        match b[i] {
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                i = (i + 1).min(b.len());
                let mut j = i;
                while j < b.len() && b[j].is_ascii_whitespace() {
                    j += 1;
                }
                if b.get(j) != Some(&b':') {
                    spans.push((start, i));
                }
            }
            b'-' | b'0'..=b'9' | b't' | b'f' | b'n' => {
                while i < b.len() && !b",]} \t\r\n".contains(&b[i]) {
                    i += 1;
                }
                spans.push((start, i));
            }
            _ => i += 1,
        }
    }
    spans
}

/// `(start, end)` byte offsets of each scalar value of a document.
type Spans = Vec<(usize, usize)>;

/// The scalar spans of every preset pair's documents, computed once.
fn pair_spans() -> &'static [[Spans; 3]] {
    static SPANS: std::sync::OnceLock<Vec<[Spans; 3]>> = std::sync::OnceLock::new();
    SPANS.get_or_init(|| {
        preset_pairs()
            .iter()
            .map(|docs| docs.map(scalar_spans))
            .collect()
    })
}

/// Work done once before the fuzzing loop (so every execution takes the
/// same path: AFL++'s stability).
pub fn init() {
    let _ = pair_spans();
}

/// Values an edit can put in place of a scalar; a selector byte past the
/// table is the whole number `selector - len`.
const EDIT_VALUES: &[&str] = &[
    "0",
    "-1",
    "0.5",
    "-0.5",
    "1e9",
    "1e18",
    "1e308",
    "-1e308",
    "1e-300",
    "4294967296",
    "9223372036854775807",
    "18446744073709551615",
    "18446744073709551616",
    "null",
    "true",
    "\"\"",
    "\"X\"",
    "[]",
    "{}",
    // Whole numbers where the documents take integers (loop sizes, sizes).
    "1000000000",
    "65536",
    "1000000",
];

/// An edit-mode `validate` input: `[0xFF, pair, mode, lpf, tile_x, tile_y,
/// edits...]`, a preset pair (index modulo their number) with each edit
/// `[document, index_hi, index_lo, value]` replacing one scalar value
/// (index modulo the document's scalar count; document 0 hardware, 1
/// workload, 2 mapping) by `EDIT_VALUES[value]` or a small whole number.
/// Short inputs reach deep into valid scenarios, which raw JSON mutation
/// of 60 KB documents rarely does. `None` when `data` is not in edit mode.
pub fn edited_scenario(data: &[u8]) -> Option<([String; 3], Schedule)> {
    if data.first() != Some(&EDIT_MODE) {
        return None;
    }
    let pairs = preset_pairs();
    let p = usize::from(*data.get(1)?) % pairs.len();
    let schedule = schedule_from(data.get(2..6).unwrap_or(&data[2.min(data.len())..]));
    let mut edits: [Vec<(usize, String)>; 3] = Default::default();
    for e in data.get(6..).unwrap_or(&[]).chunks_exact(4).take(16) {
        let doc = usize::from(e[0]) % 3;
        let spans = &pair_spans()[p][doc];
        if spans.is_empty() {
            continue;
        }
        let idx = usize::from(u16::from_be_bytes([e[1], e[2]])) % spans.len();
        let v = usize::from(e[3]);
        let value = EDIT_VALUES
            .get(v)
            .map_or_else(|| (v - EDIT_VALUES.len()).to_string(), |s| s.to_string());
        edits[doc].retain(|(i, _)| *i != idx);
        edits[doc].push((idx, value));
    }
    let docs = std::array::from_fn(|d| {
        let text = pairs[p][d];
        let mut e = std::mem::take(&mut edits[d]);
        e.sort();
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for (idx, value) in e {
            let (s, t) = pair_spans()[p][d][idx];
            out.push_str(&text[at..s]);
            out.push_str(&value);
            at = t;
        }
        out.push_str(&text[at..]);
        out
    });
    Some((docs, schedule))
}

/// Target `validate`: the three documents are validated together; invalid
/// input must come with diagnostics (and nothing may panic or abort). The
/// input is raw ([`split_scenario`]) or edits of a preset pair
/// ([`edited_scenario`]). Validation alone is fast, so this target sees
/// many inputs; `evaluate` goes on to the model.
pub fn check_validate(data: &[u8]) {
    let _ = validated(data);
}

/// The scenario and schedule of an input, if it validates; a refused
/// input must say why.
fn validated(data: &[u8]) -> Option<(defines_model::ValidScenario, defines_model::Schedule)> {
    let ([hardware, workload, mapping], schedule) =
        edited_scenario(data).or_else(|| split_scenario(data))?;
    match defines_model::validate_json(&workload, &hardware, &mapping) {
        Ok(s) => Some((s, schedule)),
        Err(diags) => {
            assert!(!diags.is_empty(), "validation failed without a diagnostic");
            None
        }
    }
}

/// Target `evaluate`: the inputs of `validate`; a scenario that validates
/// is evaluated, and every number of its report must be finite (an
/// infeasible schedule is an error value: fine).
pub fn check_evaluate(data: &[u8]) {
    let Some((scenario, schedule)) = validated(data) else {
        return;
    };
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
    use base64::Engine;
    use defines_playground::persist;
    // Plain JSON is base64-encoded first, so the fuzzer reaches the field
    // checks without having to learn base64.
    let encoded;
    let text = if data.first() == Some(&b'{') {
        encoded = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(data);
        encoded.as_str()
    } else {
        match std::str::from_utf8(data) {
            Ok(t) => t,
            Err(_) => return,
        }
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
        "evaluate" => check_evaluate(data),
        "cli_args" => check_cli_args(data),
        "persist" => check_persist(data),
        other => panic!("unknown fuzz target `{other}`"),
    }
}

/// The seed corpus of a target, `(file name, contents)`, from the presets.
pub fn seeds(target: &str) -> Vec<(String, Vec<u8>)> {
    match target {
        "validate" | "evaluate" => validate_seeds(),
        "cli_args" => cli_seeds(),
        "persist" => persist_seeds(),
        _ => Vec::new(),
    }
}

/// Edit mode first (afl-fuzz takes seeds in name order, and these tiny
/// inputs reach deepest): every preset pair unedited at the cheap schedule,
/// and one at tile 60x72. Then a few raw inputs (one per workload, 30-60 KB
/// each: they are slow to calibrate and mutate) for the JSON parsers.
fn validate_seeds() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for p in 0..preset_pairs().len() {
        out.push((format!("0edit{p:02}"), vec![EDIT_MODE, p as u8]));
    }
    out.push(("0edit00_tile60x72".into(), vec![EDIT_MODE, 0, 2, 0, 60, 72]));
    for (i, (wl_name, wl)) in presets::WORKLOADS.iter().enumerate() {
        let Some((hw_name, hw, m)) = presets::HARDWARE
            .iter()
            .cycle()
            .skip(2 * i)
            .take(presets::HARDWARE.len())
            .find_map(|(hw_name, hw)| {
                let m = presets::mapping(&presets::default_mapping_name(hw_name, wl_name))?;
                Some((hw_name, hw, m))
            })
        else {
            continue;
        };
        let mut v = Vec::new();
        for (i, part) in [hw, wl, m].iter().enumerate() {
            if i > 0 {
                v.push(SEP);
            }
            v.extend_from_slice(part.as_bytes());
        }
        if i == 0 {
            let mut small_tile = v.clone();
            small_tile.extend_from_slice(&[SEP, 2, 0, 60, 72]);
            out.push((format!("raw_{hw_name}__{wl_name}__tile60x72"), small_tile));
        }
        out.push((format!("raw_{hw_name}__{wl_name}"), v));
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
    // The same states as plain JSON (see `check_persist`).
    let json: Vec<(String, Vec<u8>)> = out
        .iter()
        .filter(|(n, _)| !n.ends_with("_fragment"))
        .filter_map(|(n, text)| {
            use base64::Engine;
            let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(text)
                .ok()?;
            Some((format!("{n}_json"), bytes))
        })
        .collect();
    out.extend(json);
    out
}

/// Numbers at the edges: overflow, infinity, huge loops and memories.
const EDGE_NUMBERS: &[&str] = &[
    "0",
    "1",
    "-1",
    "2",
    "0.5",
    "1e9",
    "1e308",
    "-1e308",
    "1e-308",
    "1e400",
    "4294967295",
    "4294967296",
    "9223372036854775807",
    "9223372036854775808",
    "18446744073709551615",
    "18446744073709551616",
    "null",
    "true",
    "false",
    "[]",
    "{}",
    "\"\"",
];

/// The AFL++ dictionary of a target: one token per entry.
pub fn dictionary(target: &str) -> Vec<Vec<u8>> {
    let mut words = std::collections::BTreeSet::<String>::new();
    words.extend(EDGE_NUMBERS.iter().map(|w| w.to_string()));
    let quoted = |s: &str| serde_json::Value::String(s.into()).to_string();
    match target {
        "validate" | "evaluate" => {
            let docs = presets::HARDWARE
                .iter()
                .chain(presets::WORKLOADS)
                .chain(presets::MAPPINGS);
            for (_, text) in docs {
                if let Ok(v) = serde_json::from_str::<serde_json::Value>(text) {
                    json_words(&v, &mut words);
                }
            }
        }
        "cli_args" => {
            for w in
                defines_cli::args::USAGE.split(|c: char| c.is_whitespace() || "[]|".contains(c))
            {
                let w = w.trim_matches(|c: char| "(),;`.".contains(c));
                if !w.is_empty() && w.len() <= 32 {
                    words.insert(w.to_string());
                }
            }
            let names = presets::HARDWARE
                .iter()
                .chain(presets::WORKLOADS)
                .chain(presets::MAPPINGS);
            words.extend(names.map(|(n, _)| n.to_string()));
            words.extend(
                ["16x18", "1,4,16", "1,2,3", "0x0", "x", ",", "q36", "all"].map(String::from),
            );
        }
        "persist" => {
            for k in ["v", "hw", "wl", "mode", "tx", "ty", "lpf", "edits"] {
                words.insert(quoted(k));
            }
            let names = presets::HARDWARE.iter().chain(presets::WORKLOADS);
            words.extend(names.map(|(n, _)| quoted(n)));
            words.insert(defines_playground::persist::FRAGMENT_PREFIX.into());
        }
        _ => {}
    }
    words.into_iter().map(String::into_bytes).collect()
}

/// Object keys (quoted) and short string values of a JSON document.
fn json_words(v: &serde_json::Value, out: &mut std::collections::BTreeSet<String>) {
    use serde_json::Value;
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                out.insert(Value::String(k.clone()).to_string());
                json_words(v, out);
            }
        }
        Value::Array(a) => a.iter().for_each(|v| json_words(v, out)),
        Value::String(s) if s.len() <= 32 => {
            out.insert(Value::String(s.clone()).to_string());
        }
        _ => {}
    }
}

/// A dictionary as AFL++ reads it (`-x FILE`): `"token"` per line, with
/// `\\`, `\"` and non-printable bytes escaped as `\xNN`.
pub fn dictionary_file(words: &[Vec<u8>]) -> String {
    let mut out = String::new();
    for w in words {
        out.push('"');
        for &b in w {
            match b {
                b'"' | b'\\' => {
                    out.push('\\');
                    out.push(b as char);
                }
                0x20..=0x7e => out.push(b as char),
                _ => out.push_str(&format!("\\x{b:02x}")),
            }
        }
        out.push_str("\"\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finding1_finding2_known_crash_inputs_no_longer_crash() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("crashes");
        let mut replayed = 0;
        for target in TARGETS {
            let Ok(files) = std::fs::read_dir(dir.join(target)) else {
                continue;
            };
            for f in files.flatten() {
                let data = std::fs::read(f.path()).unwrap();
                check(target, &data);
                if target == "validate" {
                    check("evaluate", &data);
                }
                replayed += 1;
            }
        }
        assert!(
            replayed >= 4,
            "only {replayed} crash inputs found in {dir:?}"
        );
    }

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

    /// The finiteness check only means something if the default schedule
    /// evaluates: every unedited preset pair must give a report.
    #[test]
    fn every_preset_pair_evaluates_at_the_default_schedule() {
        for p in 0..preset_pairs().len() {
            let ([h, w, m], sched) = edited_scenario(&[EDIT_MODE, p as u8]).unwrap();
            let sc = defines_model::validate_json(&w, &h, &m).unwrap();
            let r = defines_model::evaluate_network(&sc, &sched);
            assert!(r.is_ok(), "pair {p}: {:?}", r.err());
        }
    }

    #[test]
    fn inputs_split_as_documented() {
        let (docs, s) = split_scenario(b"h\0w\0m\0\x01\x01\x05").unwrap();
        assert_eq!(docs, ["h".to_string(), "w".into(), "m".into()]);
        assert_eq!(s.overlap, Overlap::HCachedVRecompute);
        assert_eq!(s.lpf_limit, 5);
        assert_eq!(schedule_from(&[]).lpf_limit, 6);
        assert_eq!((s.tile.x, s.tile.y), (5, FULL_TILE));
        assert!(split_scenario(b"h\0w").is_none());
        let spans = scalar_spans(r#"{"a": 1, "b": ["x", -2.5e3], "c": {"d": true}}"#);
        assert_eq!(spans, [(6, 7), (15, 18), (20, 26), (40, 44)]);
        let unedited = edited_scenario(&[EDIT_MODE, 0]).unwrap().0;
        assert_eq!(unedited.each_ref().map(String::as_str), preset_pairs()[0]);
        // Edit scalar 0 of the hardware to u64::MAX (value 11).
        let (docs, _) = edited_scenario(&[EDIT_MODE, 0, 0, 0, 0, 0, 0, 0, 0, 11]).unwrap();
        let (s, t) = pair_spans()[0][0][0];
        assert_eq!(&docs[0][s..s + 20], "18446744073709551615");
        assert_eq!(docs[0][s + 20..], preset_pairs()[0][0][t..]);
        assert_eq!(split_args(b""), Vec::<OsString>::new());
        assert_eq!(split_args(b"a\0\0b").len(), 3);
        assert_eq!(
            dictionary_file(&[b"a\"b\\".to_vec(), vec![0, b'x']]),
            "\"a\\\"b\\\\\"\n\"\\x00x\"\n"
        );
        for t in TARGETS {
            assert!(dictionary(t).len() > 20, "{t}: a short dictionary");
        }
    }
}
