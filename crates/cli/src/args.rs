//! The command line, parsed into typed values in one place.
//!
//! Every problem is an [`ArgError`] that says what is wrong and how to fix
//! it; nothing here panics, whatever the arguments (non-UTF-8 included).
//! Bounds come from [`defines_model::limits`], shared with the model and
//! the page.

use defines_model::{limits, CutSet, Fixes, Overlap, Schedule, Tile};
use std::ffi::OsString;

mod import;
mod sweep;
pub use import::{ImportArgs, ZigzagArgs};
pub use sweep::{check_sweep_size, hardware_points, point_count, Vary};

pub const USAGE: &str = "usage:
  defines presets                      list the built-in hardware, workloads and mappings
  defines macs --workload W [--format table|json]
                                       MACs per compute layer of a workload
  defines eval --hardware H --workload W [--mapping M] --mode MODE --tile XxY
               [--lpf N] [--stack-cuts a,b,...] [--fix q36] [--format table|json]
               [--detail]
                                       depth-first evaluation of a network
                                       (--detail, with json: every layer's
                                       costs per tile type)
  defines explain (the options of eval) --item PATH|list|loops
                                       the terms a reported number adds up
                                       from (list: the paths), or the loop
                                       nest of every layer and tile type
  defines sweep --hardware H --workload W [--mapping M] [--modes 1,2,3]
               [--tiles-x a,b,... --tiles-y c,d,... | --tiles auto|case-study-1]
               [--vary NAME.FIELD=v1,v2,...]... [--cuts SETS] [--fix q36]
               [--best] [--lens LENSES] [--lpf N] [--threads N] [--progress]
               [--format csv|json]
                                       every schedule (hardware point, cut set,
                                       mode, tile): energy, latency, EDP and
                                       the Pareto front over (energy, latency)
  defines import onnx MODEL.onnx [--input-shape NxCxHxW] [--precision W=8,I=8,O=16,O_final=8]
               [--pointwise window|direct] [--name NAME]
                                       the workload document of an ONNX model on
                                       stdout, the import report on stderr
  defines import zigzag --hardware H.yaml --mapping M.yaml --workload W
                                       ZigZag's accelerator, mapping (and workload)
                                       as one JSON object {hardware, mapping,
                                       workload} on stdout, notes on stderr
  defines help | --help | COMMAND --help
H, W, M are a preset name (see `defines presets`) or a path to a JSON file;
W may also be an ONNX model (a path ending in .onnx, imported with the
defaults of `import onnx`). H, W and M may also be ZigZag YAML files (a path
ending in .yaml or .yml, converted first); a ZigZag mapping is resolved
against the workload, whose layers' memory-operand links it sets. The mapping defaults to the hardware family's
mapping for the workload; for an ONNX model it is derived from the family's
mappings by layer kind (crates/import/src/mapping.rs).
import: --input-shape replaces the file's input shape (needed when it is
dynamic; N must be 1); --precision sets operand bits (default W=8, I=8,
O=16 partial sums, O_final=8); --pointwise writes 1x1 convolutions as
mobilenetv1 does (window, the default) or as fsrcnn does (direct). A node
the model cannot express exits with 2, naming it.
import zigzag: the workload is a ZigZag workload YAML (converted) or any W
above; the output's workload is it with the mapping's memory-operand links.
Anything ZigZag says that the model cannot represent exits with 2, naming
the file, the field and the fix.
MODE is 1|2|3 or fully-recompute|h-cached-v-recompute|fully-cached.
--lpf takes 1..=8 and defaults to 6, the reference main.py's (the search
grows as lpf!; the paper and the playground use 8); --stack-cuts defaults
to the weight-overflow rule (cut after each listed layer id; an empty list
gives one stack).
--fix q36 makes a stack cut after layer id 0 a real cut (the reference
ignores that cut, so the stack after it runs to the last layer and parts of
the network are evaluated twice; docs/model.md §5 lists every quirk).
sweep: --tiles auto (default) takes ceil(full / 4^k), k = 0..5, per axis,
full = the largest OX (OY) of the workload's compute layers; case-study-1 is
x in 1,4,16,60,240,960 and y in 1,4,18,72,270,540.
--vary (repeatable) sweeps one hardware parameter NAME.FIELD: NAME a memory
instance name and FIELD one of size_bits, r_bw_bits_per_cycle,
w_bw_bits_per_cycle, r_cost_pJ_per_access, w_cost_pJ_per_access, r_port,
w_port, rw_port, latency_cycles, min_r_granularity_bits,
min_w_granularity_bits; or mac.energy_pJ_per_op, or mac.DIM for an array
dimension's size (mac.D1). Values are numbers (2097152, 1e-3); all but
energies must be whole. The hardware points are the cross product, the first
--vary outermost.
--cuts takes cut sets separated by `;`, layer ids inside a set by `,`: auto
(the weight-overflow rule, the default), none (one stack), all (a cut after
every layer), or ids to cut after; keyword sets may share one set with commas
(`auto,none,all`, `auto;0,3`). --fix applies to every schedule, as in eval.
Rows are hardware-point-major, then cut set, mode, y, x; leading columns: one
per --vary parameter (its value), then `cuts` (with --cuts). A schedule that
cannot be evaluated is a row with its error. The Pareto front is over all
schedules of one hardware point (its cut sets compete); --best prints only
the best-EDP schedule of each (hardware point, cut set), or its first row
when none could be evaluated, with the same pareto flag. JSON rows have the
same fields; its pareto_front lists the flagged rows, point by point, and
best_edp the least-EDP row of all. Hardware points times cut sets times
schedules is at most 100000.
--lens dram-only,activations-only,dram-activations (or `all`): per hardware
point, the schedule each simpler model (docs/model.md §4.1) would pick (its
least energy as that model counts it) and its true energy as a ratio to the
full model's least; JSON adds `lenses`, CSV prints them on stderr.
--threads defaults to the number of cores; progress goes to stderr when it
is a terminal or with --progress.
Each option but --vary may be given once. Exit codes: 0 success, 1 output
could not be written, 2 bad input.";

/// What is wrong with the arguments, and how to fix it.
#[derive(Debug, Clone, PartialEq)]
pub struct ArgError(pub String);

#[derive(Clone, Copy, PartialEq, Debug)]
pub enum Format {
    Table,
    Json,
}

#[derive(Clone, Copy, PartialEq, Debug)]
pub enum SweepFormat {
    Csv,
    Json,
}

#[derive(Clone, PartialEq, Debug)]
pub enum Tiles {
    Auto,
    CaseStudy1,
    Grid(Vec<u64>, Vec<u64>),
}

/// The three input documents, each a preset name or a file path.
#[derive(Clone, PartialEq, Debug)]
pub struct Inputs {
    pub hardware: String,
    pub workload: String,
    pub mapping: Option<String>,
}

#[derive(Clone, PartialEq, Debug)]
pub struct EvalArgs {
    pub inputs: Inputs,
    pub schedule: Schedule,
    pub fixes: Fixes,
    pub format: Format,
    /// `--detail`: the JSON report carries the run's detail too.
    pub detail: bool,
}

#[derive(Clone, PartialEq, Debug)]
pub struct SweepArgs {
    pub inputs: Inputs,
    pub modes: Vec<Overlap>,
    pub tiles: Tiles,
    /// The `--vary` parameters in the order given (first outermost).
    pub vary: Vec<Vary>,
    /// `None`: `--cuts` not given (automatic cuts, no `cuts` column).
    pub cuts: Option<Vec<CutSet>>,
    pub fixes: Fixes,
    /// `--best`: only the best-EDP row of each (hardware point, cut set).
    pub best: bool,
    /// `--lens`: the simpler models whose choice is reported.
    pub lenses: Vec<defines_model::Lens>,
    pub lpf: u32,
    /// `None`: the number of cores.
    pub threads: Option<usize>,
    /// `None`: when stderr is a terminal.
    pub progress: Option<bool>,
    pub format: SweepFormat,
}

#[derive(Clone, PartialEq, Debug)]
pub enum Command {
    Help,
    Presets,
    Macs {
        workload: String,
        format: Format,
    },
    Eval(EvalArgs),
    /// `explain`: the eval options and `--item`.
    Explain(EvalArgs, String),
    Sweep(SweepArgs),
    Import(ImportArgs),
    ImportZigzag(ZigzagArgs),
}

/// Parses the arguments after the program name.
pub fn parse(args: &[OsString]) -> Result<Command, ArgError> {
    let mut text = Vec::with_capacity(args.len());
    for (i, a) in args.iter().enumerate() {
        match a.to_str() {
            Some(s) => text.push(s),
            None => {
                return Err(ArgError(format!(
                    "argument {} (`{}`) is not valid UTF-8; give names and paths in UTF-8",
                    i + 1,
                    a.to_string_lossy()
                )))
            }
        }
    }
    let Some((&command, rest)) = text.split_first() else {
        return Err(ArgError(USAGE.into()));
    };
    if rest.iter().any(|a| matches!(*a, "--help" | "-h")) {
        return Ok(Command::Help);
    }
    match command {
        "help" | "--help" | "-h" => Ok(Command::Help),
        "presets" => {
            Flags::collect(rest, &[], &[])?;
            Ok(Command::Presets)
        }
        "macs" => {
            let mut f = Flags::collect(rest, &["--workload", "--format"], &[])?;
            Ok(Command::Macs {
                workload: f.required("--workload")?,
                format: f.parse_or("--format", Format::Table, parse_format)?,
            })
        }
        "eval" => parse_eval(rest, false),
        "explain" => parse_eval(rest, true),
        "sweep" => sweep::parse_sweep(rest),
        "import" => import::parse_import(rest),
        other => Err(ArgError(format!("unknown command `{other}`\n{USAGE}"))),
    }
}

/// The options after a command: `--flag value` pairs and switches, each
/// given at most once (but the `repeatable` ones), none unknown.
struct Flags<'a> {
    values: Vec<(&'a str, &'a str)>,
    switches: Vec<&'a str>,
}

impl<'a> Flags<'a> {
    fn collect(args: &[&'a str], valued: &[&str], switches: &[&str]) -> Result<Self, ArgError> {
        Flags::collect_with(args, valued, &[], switches)
    }

    /// [`Flags::collect`] where the `repeatable` valued options may be
    /// given any number of times (see [`Flags::all`]).
    fn collect_with(
        args: &[&'a str],
        valued: &[&str],
        repeatable: &[&str],
        switches: &[&str],
    ) -> Result<Self, ArgError> {
        let mut f = Flags {
            values: Vec::new(),
            switches: Vec::new(),
        };
        let mut rest = args.iter();
        while let Some(&flag) = rest.next() {
            let seen = f.values.iter().any(|(k, _)| *k == flag) || f.switches.contains(&flag);
            if seen && !repeatable.contains(&flag) {
                return Err(ArgError(format!(
                    "{flag} is given twice; give each option once"
                )));
            }
            if switches.contains(&flag) {
                f.switches.push(flag);
            } else if valued.contains(&flag) || repeatable.contains(&flag) {
                let value = rest
                    .next()
                    .ok_or_else(|| ArgError(format!("{flag} needs a value\n{USAGE}")))?;
                f.values.push((flag, value));
            } else {
                return Err(ArgError(format!("unknown option `{flag}`\n{USAGE}")));
            }
        }
        Ok(f)
    }

    fn get(&self, flag: &str) -> Option<&'a str> {
        self.values
            .iter()
            .find(|(k, _)| *k == flag)
            .map(|(_, v)| *v)
    }

    /// Every value of a repeatable option, in the order given.
    fn all(&self, flag: &str) -> Vec<&'a str> {
        self.values
            .iter()
            .filter(|(k, _)| *k == flag)
            .map(|(_, v)| *v)
            .collect()
    }

    fn has(&self, flag: &str) -> bool {
        self.switches.contains(&flag)
    }

    fn required(&mut self, flag: &str) -> Result<String, ArgError> {
        self.get(flag)
            .map(str::to_string)
            .ok_or_else(|| ArgError(format!("{flag} is required\n{USAGE}")))
    }

    fn parse_or<T>(
        &self,
        flag: &str,
        default: T,
        p: impl Fn(&str) -> Result<T, ArgError>,
    ) -> Result<T, ArgError> {
        self.get(flag).map_or(Ok(default), p)
    }

    fn inputs(&mut self) -> Result<Inputs, ArgError> {
        Ok(Inputs {
            hardware: self.required("--hardware")?,
            workload: self.required("--workload")?,
            mapping: self.get("--mapping").map(str::to_string),
        })
    }
}

fn parse_format(value: &str) -> Result<Format, ArgError> {
    match value {
        "table" => Ok(Format::Table),
        "json" => Ok(Format::Json),
        other => Err(ArgError(format!(
            "--format takes `table` or `json`, not `{other}`"
        ))),
    }
}

fn parse_mode(value: &str) -> Result<Overlap, ArgError> {
    Overlap::from_name(value).ok_or_else(|| {
            ArgError(format!(
                "--mode takes 1|2|3 or fully-recompute|h-cached-v-recompute|fully-cached, not `{value}`"
            ))
        })
}

/// A tile side: a whole number from 1 to the loop-size limit.
fn parse_side(text: &str) -> Option<u64> {
    text.trim()
        .parse::<u64>()
        .ok()
        .filter(|n| (1..=limits::MAX_LOOP_SIZE).contains(n))
}

fn parse_tile(value: &str) -> Result<Tile, ArgError> {
    let bad = || {
        ArgError(format!(
            "--tile takes WIDTHxHEIGHT with whole numbers from 1 to {} (e.g. 60x72), not `{value}`",
            limits::MAX_LOOP_SIZE
        ))
    };
    let (x, y) = value.split_once(['x', 'X']).ok_or_else(bad)?;
    Ok(Tile {
        x: parse_side(x).ok_or_else(bad)?,
        y: parse_side(y).ok_or_else(bad)?,
    })
}

fn parse_cuts(value: &str) -> Result<Vec<i64>, ArgError> {
    if value.trim().is_empty() || value == "none" {
        return Ok(Vec::new());
    }
    let cuts: Vec<i64> = value
        .split(',')
        .map(|c| c.trim().parse::<i64>().ok())
        .collect::<Option<_>>()
        .ok_or_else(|| {
            ArgError(format!(
                "--stack-cuts takes layer ids separated by commas (e.g. 3,7), not `{value}`"
            ))
        })?;
    if cuts.len() > limits::MAX_LAYERS {
        return Err(ArgError(limits::exceeded(
            "--stack-cuts: the number of cuts",
            cuts.len(),
            limits::MAX_LAYERS,
            "a network has at most that many layers",
        )));
    }
    Ok(cuts)
}

fn parse_lpf(value: &str) -> Result<u32, ArgError> {
    value
        .parse()
        .ok()
        .filter(|n| limits::LPF.contains(n))
        .ok_or_else(|| {
            ArgError(format!(
                "--lpf takes a whole number from {} to {} (the reference uses {}; {}), not `{value}`",
                limits::LPF.start(),
                limits::LPF.end(),
                limits::LPF_DEFAULT,
                limits::LPF_WHY
            ))
        })
}

fn parse_sizes(flag: &str, value: &str) -> Result<Vec<u64>, ArgError> {
    let bad = || {
        ArgError(format!(
            "{flag} takes tile sizes from 1 to {} separated by commas (e.g. 1,4,16), not `{value}`",
            limits::MAX_LOOP_SIZE
        ))
    };
    let mut v: Vec<u64> = value
        .split(',')
        .map(parse_side)
        .collect::<Option<Vec<u64>>>()
        .ok_or_else(bad)?;
    v.sort_unstable();
    v.dedup();
    Ok(v)
}

fn parse_fixes(value: &str) -> Result<Fixes, ArgError> {
    let mut fixes = Fixes::default();
    for f in value.split(',') {
        match f.trim() {
            "q36" | "Q36" => fixes.cut_after_layer_zero = true,
            "all" => fixes = Fixes::all(),
            other => {
                return Err(ArgError(format!(
                    "--fix takes a comma list of fixable quirks (q36) or `all`, not `{other}`"
                )))
            }
        }
    }
    Ok(fixes)
}

/// `eval` or (`explain`) `explain`, which takes `--item` instead of
/// `--detail`.
fn parse_eval(args: &[&str], explain: bool) -> Result<Command, ArgError> {
    let mut valued = vec![
        "--hardware",
        "--workload",
        "--mapping",
        "--mode",
        "--tile",
        "--lpf",
        "--stack-cuts",
        "--fix",
        "--format",
    ];
    if explain {
        valued.push("--item");
    }
    let switches: &[&str] = if explain { &[] } else { &["--detail"] };
    let mut f = Flags::collect(args, &valued, switches)?;
    let inputs = f.inputs()?;
    let schedule = Schedule {
        tile: parse_tile(&f.required("--tile")?)?,
        overlap: parse_mode(&f.required("--mode")?)?,
        lpf_limit: f.parse_or("--lpf", limits::LPF_DEFAULT, parse_lpf)?,
        stack_cuts: f.get("--stack-cuts").map(parse_cuts).transpose()?,
    };
    let a = EvalArgs {
        inputs,
        schedule,
        fixes: f.parse_or("--fix", Fixes::default(), parse_fixes)?,
        format: f.parse_or("--format", Format::Table, parse_format)?,
        detail: f.has("--detail"),
    };
    if explain {
        return Ok(Command::Explain(a, f.required("--item")?));
    }
    if a.detail && a.format != Format::Json {
        return Err(ArgError(
            "--detail goes with --format json (the table has no room for it)".into(),
        ));
    }
    Ok(Command::Eval(a))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<OsString> {
        a.iter().map(OsString::from).collect()
    }

    fn err(a: &[&str]) -> String {
        match parse(&args(a)) {
            Err(ArgError(m)) => m,
            Ok(c) => panic!("{a:?} parsed as {c:?}"),
        }
    }

    const EVAL: [&str; 9] = [
        "eval",
        "--hardware",
        "Meta_prototype_DF",
        "--workload",
        "fsrcnn",
        "--mode",
        "3",
        "--tile",
        "16x18",
    ];

    #[test]
    fn eval_defaults() {
        let Ok(Command::Eval(e)) = parse(&args(&EVAL)) else {
            panic!("eval did not parse")
        };
        assert_eq!(e.schedule.tile, Tile { x: 16, y: 18 });
        assert_eq!(e.schedule.overlap, Overlap::FullyCached);
        assert_eq!(e.schedule.lpf_limit, 6);
        assert_eq!(e.schedule.stack_cuts, None);
        assert_eq!(e.format, Format::Table);
    }

    #[test]
    fn finding7_non_utf8_argument_is_an_error() {
        use std::os::unix::ffi::OsStringExt;
        let mut a = args(&EVAL);
        a[2] = OsString::from_vec(vec![0x66, 0xff, 0x6f]);
        let Err(ArgError(m)) = parse(&a) else {
            panic!("non-UTF-8 accepted")
        };
        assert!(m.contains("argument 3") && m.contains("UTF-8"), "{m}");
    }

    #[test]
    fn finding6_repeated_flag_is_an_error() {
        let mut a = EVAL.to_vec();
        a.extend(["--mode", "1"]);
        assert_eq!(err(&a), "--mode is given twice; give each option once");
    }

    #[test]
    fn finding7_command_help_is_help() {
        for c in ["eval", "sweep", "macs", "presets"] {
            assert_eq!(parse(&args(&[c, "--help"])), Ok(Command::Help));
        }
    }

    #[test]
    fn finding4_lpf_over_the_limit_names_it() {
        let mut a = EVAL.to_vec();
        a.extend(["--lpf", "12"]);
        let m = err(&a);
        assert!(
            m.contains("from 1 to 8") && m.contains("lpf!") && m.contains("`12`"),
            "{m}"
        );
    }

    #[test]
    fn finding7_huge_sweep_grid_is_refused_before_allocating() {
        let xs: Vec<String> = (1..=20_000).map(|i| i.to_string()).collect();
        let xs = xs.join(",");
        let m = err(&[
            "sweep",
            "--hardware",
            "h",
            "--workload",
            "w",
            "--tiles-x",
            &xs,
            "--tiles-y",
            &xs,
        ]);
        assert!(
            m.contains("1200000000") && m.contains(&limits::MAX_SWEEP_SCHEDULES.to_string()),
            "{m}"
        );
    }

    #[test]
    fn tile_over_the_loop_limit_is_refused() {
        let mut a = EVAL.to_vec();
        a[8] = "2000000x1";
        assert!(err(&a).contains("from 1 to 1048576"));
    }
}
