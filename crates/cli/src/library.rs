//! The commands as a library for other front ends (the Python package,
//! `crates/python`): the same argument parser, the same loading of presets
//! and files, the same JSON. A front end passes the command line it would
//! have typed (without `--hardware`, `--workload`, `--mapping`) and the
//! documents, each by name or as JSON text; problems come back with the
//! model's diagnostics (field path and message) when there are any.

use crate::args::{self, hardware_points, Command, Format, SweepFormat, Tiles, Vary};
use crate::commands::{self, load_sources, Source, Texts};
use defines_model::{
    auto_tile_axes, pareto_indices, validate_json, validate_schedule, vary_hardware, Diagnostic,
    ValidScenario, CASE_STUDY_1_X, CASE_STUDY_1_Y,
};
use std::ffi::OsString;

/// Why a command produced no output: the message the CLI would print
/// and, for invalid documents or schedules, every diagnostic.
#[derive(Clone, Debug, PartialEq)]
pub struct Failure {
    pub message: String,
    pub diagnostics: Vec<Diagnostic>,
}

impl From<commands::Error> for Failure {
    fn from(e: commands::Error) -> Failure {
        Failure {
            message: e.0,
            diagnostics: Vec::new(),
        }
    }
}

fn invalid(prefix: &str, d: Vec<Diagnostic>) -> Failure {
    let mut message = commands::diagnostics(&d).0;
    if !prefix.is_empty() {
        message = format!("{prefix}: {message}");
    }
    Failure {
        message,
        diagnostics: d,
    }
}

/// The three documents of a scenario.
pub struct Documents {
    pub hardware: Source,
    pub workload: Source,
    pub mapping: Option<Source>,
}

/// The documents' texts (presets, files and conversions resolved),
/// validated together.
pub fn load_texts(docs: &Documents) -> Result<Texts, Failure> {
    load_valid(docs).map(|(t, _)| t)
}

/// [`load_texts`] and the scenario they validate into.
fn load_valid(docs: &Documents) -> Result<(Texts, ValidScenario), Failure> {
    let t = load_sources(&docs.hardware, &docs.workload, docs.mapping.as_ref())?;
    let sc = validate_json(&t.workload, &t.hardware, &t.mapping).map_err(|d| invalid("", d))?;
    Ok((t, sc))
}

/// `defines COMMAND ARGS... --format json` on the given documents: `eval`
/// prints the network report, `sweep` its rows. Equal to the CLI's output
/// byte for byte (it is the same code).
pub fn run_json(command: &str, rest: &[String], docs: &Documents) -> Result<String, Failure> {
    if !matches!(command, "eval" | "sweep") {
        return Err(Failure {
            message: format!("`{command}` is not a command with a JSON report (eval, sweep)"),
            diagnostics: Vec::new(),
        });
    }
    // Placeholders: the documents come from `docs`, not from names.
    let mut argv: Vec<OsString> = [command, "--hardware", "-", "--workload", "-"]
        .iter()
        .map(OsString::from)
        .collect();
    argv.extend(rest.iter().map(OsString::from));
    let cmd = args::parse(&argv).map_err(commands::Error::from)?;
    let (texts, sc) = load_valid(docs)?;
    match cmd {
        Command::Eval(mut a) => {
            a.format = Format::Json;
            // the schedule's problems as diagnostics (the evaluation would
            // only word them)
            let d = validate_schedule(&sc, &a.schedule);
            if !d.is_empty() {
                return Err(invalid("schedule", d));
            }
            Ok(commands::eval_valid(a, &sc)?)
        }
        Command::Sweep(mut a) => {
            a.format = SweepFormat::Json;
            a.progress = Some(false);
            check_sweep_documents(&a, &texts, &sc)?;
            Ok(crate::sweep::run(&a, &texts)?.0)
        }
        _ => Err(Failure {
            message: format!("`{command}` takes its options as on the command line"),
            diagnostics: Vec::new(),
        }),
    }
}

/// The structured form of the sweep's document checks (the `--vary`
/// values and the cut sets), before [`crate::sweep::run`] repeats them.
fn check_sweep_documents(
    a: &args::SweepArgs,
    texts: &Texts,
    sc: &ValidScenario,
) -> Result<(), Failure> {
    let all: Vec<_> = a
        .vary
        .iter()
        .flat_map(|v| v.values.iter().map(|&x| (v.param.clone(), x)))
        .collect();
    if !all.is_empty() {
        vary_hardware(&texts.hardware, &all).map_err(|d| invalid("vary", d))?;
    }
    if let Some(cuts) = &a.cuts {
        for c in cuts {
            let d = c.validate(sc);
            if !d.is_empty() {
                return Err(invalid(&format!("cuts set `{}`", c.label()), d));
            }
        }
    }
    Ok(())
}

/// The tile widths and heights a sweep with `tiles` (`auto`,
/// `case-study-1`, or explicit lists) covers for these documents.
pub fn tile_axes(docs: &Documents, tiles: &Tiles) -> Result<(Vec<u64>, Vec<u64>), Failure> {
    let (_, sc) = load_valid(docs)?;
    Ok(match tiles {
        Tiles::Auto => auto_tile_axes(&sc.workload),
        Tiles::CaseStudy1 => (CASE_STUDY_1_X.to_vec(), CASE_STUDY_1_Y.to_vec()),
        // as `--tiles-x` and `--tiles-y` read them
        Tiles::Grid(x, y) => (sorted(x), sorted(y)),
    })
}

fn sorted(v: &[u64]) -> Vec<u64> {
    let mut v = v.to_vec();
    v.sort_unstable();
    v.dedup();
    v
}

/// One hardware point of `--vary`: its parameter values (label, value as
/// the sweep's JSON prints it) and the varied hardware document.
#[derive(Clone, Debug, PartialEq)]
pub struct Variant {
    pub values: Vec<(String, serde_json::Value)>,
    pub hardware: String,
}

/// The hardware points of the `--vary` texts (`NAME.FIELD=v1,v2,...`), in
/// the sweep's order (first outermost), each as a document.
pub fn variants(hardware: &Source, vary: &[String]) -> Result<Vec<Variant>, Failure> {
    let argv: Vec<OsString> = ["sweep", "--hardware", "-", "--workload", "-"]
        .iter()
        .map(OsString::from)
        .chain(
            vary.iter()
                .flat_map(|v| [OsString::from("--vary"), v.into()]),
        )
        .collect();
    let Command::Sweep(a) = args::parse(&argv).map_err(commands::Error::from)? else {
        return Err(Failure {
            message: "internal error: not a sweep".into(),
            diagnostics: Vec::new(),
        });
    };
    let hw_text = match hardware {
        Source::Text(t) => t.clone(),
        Source::Named(n) => commands::load_hardware(n)?,
    };
    let vs: &[Vary] = &a.vary;
    args::check_sweep_size(args::point_count(vs), 1, 1).map_err(commands::Error::from)?;
    hardware_points(vs)
        .into_iter()
        .map(|point| {
            let hardware = vary_hardware(&hw_text, &point).map_err(|d| invalid("vary", d))?;
            let values = point
                .iter()
                .map(|(p, v)| (p.label(), crate::sweep::value_json(p, *v)))
                .collect();
            Ok(Variant { values, hardware })
        })
        .collect()
}

/// The Pareto flags of a sweep's rows (energy, latency; `None` for a row
/// with an error), as `defines sweep` computes them over one point.
pub fn pareto_flags(rows: &[Option<(f64, u64)>]) -> Vec<bool> {
    let pairs: Vec<(f64, u64)> = rows.iter().map(|r| r.unwrap_or((f64::NAN, 0))).collect();
    let mut flags = vec![false; rows.len()];
    for i in pareto_indices(&pairs) {
        flags[i] = true;
    }
    flags
}
