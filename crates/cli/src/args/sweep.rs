//! The `sweep` command's options: modes, tiles, threads, and the hardware
//! and fuse-depth axes (`--vary`, `--cuts`), with the one bound on the
//! number of evaluations (hardware points × cut sets × schedules).

use super::{
    parse_fixes, parse_lpf, parse_mode, parse_sizes, ArgError, Command, Flags, SweepArgs,
    SweepFormat, Tiles,
};
use defines_model::{
    limits, CutSet, Fixes, HwParam, Lens, Overlap, CASE_STUDY_1_X, CASE_STUDY_1_Y,
};

/// One `--vary NAME.FIELD=v1,v2,...`: a hardware parameter and its values
/// in the order given.
#[derive(Clone, PartialEq, Debug)]
pub struct Vary {
    pub param: HwParam,
    pub values: Vec<f64>,
}

fn parse_modes(value: &str) -> Result<Vec<Overlap>, ArgError> {
    let mut m = Vec::new();
    for v in value.split(',') {
        let o = parse_mode(v.trim()).map_err(|_| {
            ArgError(format!(
                "--modes takes modes 1|2|3 (or their names) separated by commas, not `{value}`"
            ))
        })?;
        if !m.contains(&o) {
            m.push(o);
        }
    }
    m.sort_by_key(|o: &Overlap| o.mode());
    Ok(m)
}

fn parse_tiles(f: &Flags) -> Result<Tiles, ArgError> {
    let named = f.get("--tiles").map(|v| match v {
        "auto" => Ok(Tiles::Auto),
        "case-study-1" => Ok(Tiles::CaseStudy1),
        other => Err(ArgError(format!(
            "--tiles takes `auto` or `case-study-1` (or give --tiles-x and --tiles-y), not `{other}`"
        ))),
    });
    let xs = f.get("--tiles-x").map(|v| parse_sizes("--tiles-x", v));
    let ys = f.get("--tiles-y").map(|v| parse_sizes("--tiles-y", v));
    match (named, xs, ys) {
        (None, Some(x), Some(y)) => Ok(Tiles::Grid(x?, y?)),
        (Some(t), None, None) => t,
        (None, None, None) => Ok(Tiles::Auto),
        (Some(_), _, _) => Err(ArgError(
            "give either --tiles or --tiles-x with --tiles-y, not both".into(),
        )),
        _ => Err(ArgError(
            "--tiles-x and --tiles-y go together; give both (e.g. --tiles-x 1,4,16 --tiles-y 1,4,18)"
                .into(),
        )),
    }
}

fn parse_threads(value: &str) -> Result<usize, ArgError> {
    value
        .parse()
        .ok()
        .filter(|&n: &usize| (1..=256).contains(&n))
        .ok_or_else(|| {
            ArgError(format!(
                "--threads takes a whole number from 1 to 256, not `{value}`"
            ))
        })
}

/// `NAME.FIELD=v1,v2,...`: the parameter's syntax and finite numbers. Whether
/// `NAME` exists and the values suit the field is checked against the
/// hardware document (`defines_model::set_param`).
fn parse_vary(text: &str) -> Result<Vary, ArgError> {
    let Some((name, values)) = text.split_once('=') else {
        return Err(ArgError(format!(
            "--vary takes NAME.FIELD=v1,v2,... (e.g. sram_1MB_A.size_bits=1048576,2097152 or mac.energy_pJ_per_op=0.04,0.08), not `{text}`"
        )));
    };
    let param = HwParam::parse(name).map_err(|e| ArgError(format!("--vary: {e}")))?;
    let values = values
        .split(',')
        .map(|v| v.trim().parse::<f64>().ok().filter(|x| x.is_finite()))
        .collect::<Option<Vec<f64>>>()
        .ok_or_else(|| {
            ArgError(format!(
                "--vary {}: values are finite numbers separated by commas (e.g. 1048576,2097152 or 1e-3), not `{values}`",
                param.label()
            ))
        })?;
    Ok(Vary { param, values })
}

/// Every `--vary`, each parameter at most once.
fn parse_varies(texts: &[&str]) -> Result<Vec<Vary>, ArgError> {
    let mut out: Vec<Vary> = Vec::new();
    for t in texts {
        let v = parse_vary(t)?;
        if out.iter().any(|o| o.param == v.param) {
            return Err(ArgError(format!(
                "--vary {} is given twice; list all its values in one --vary",
                v.param.label()
            )));
        }
        out.push(v);
    }
    Ok(out)
}

/// `--lens a,b` (or `all`): the simpler models, each once, in the order
/// given.
fn parse_lenses(value: &str) -> Result<Vec<Lens>, ArgError> {
    if value.trim() == "all" {
        return Ok(Lens::SIMPLER.to_vec());
    }
    let mut out = Vec::new();
    for name in value.split(',') {
        match Lens::parse(name.trim()).filter(|l| *l != Lens::Full) {
            Some(l) if !out.contains(&l) => out.push(l),
            Some(_) => {}
            None => {
                return Err(ArgError(format!(
                    "--lens takes dram-only, activations-only and dram-activations separated by commas, or `all`, not `{value}`"
                )))
            }
        }
    }
    Ok(out)
}

fn parse_cut_sets(value: &str) -> Result<Vec<CutSet>, ArgError> {
    CutSet::parse_list(value).map_err(|e| ArgError(format!("--cuts: {e}")))
}

/// The number of hardware points: the product of the value counts
/// (saturating; 1 without `--vary`).
pub fn point_count(vary: &[Vary]) -> usize {
    vary.iter()
        .fold(1usize, |a, v| a.saturating_mul(v.values.len()))
}

/// Refuses more than [`limits::MAX_SWEEP_SCHEDULES`] evaluations (hardware
/// points × cut sets × schedules), naming each factor.
pub fn check_sweep_size(points: usize, cut_sets: usize, schedules: usize) -> Result<(), ArgError> {
    let n = points.saturating_mul(cut_sets).saturating_mul(schedules);
    if n <= limits::MAX_SWEEP_SCHEDULES {
        return Ok(());
    }
    Err(ArgError(limits::exceeded(
        &format!(
            "{points} hardware point(s) (--vary) × {cut_sets} cut set(s) (--cuts) × {schedules} schedule(s) (tiles × modes): the number of evaluations"
        ),
        n,
        limits::MAX_SWEEP_SCHEDULES,
        "each is a full network evaluation; vary fewer values, give fewer cut sets or sweep fewer tiles",
    )))
}

/// The hardware points: every combination of the `--vary` values, the
/// first `--vary` outermost (one empty point without `--vary`). Call
/// [`check_sweep_size`] first: there are [`point_count`] of them.
pub fn hardware_points(vary: &[Vary]) -> Vec<Vec<(HwParam, f64)>> {
    let mut points: Vec<Vec<(HwParam, f64)>> = vec![Vec::new()];
    for v in vary {
        let mut next = Vec::with_capacity(points.len().saturating_mul(v.values.len()));
        for p in &points {
            for &x in &v.values {
                let mut q = p.clone();
                q.push((v.param.clone(), x));
                next.push(q);
            }
        }
        points = next;
    }
    points
}

pub(super) fn parse_sweep(args: &[&str]) -> Result<Command, ArgError> {
    let mut f = Flags::collect_with(
        args,
        &[
            "--hardware",
            "--workload",
            "--mapping",
            "--modes",
            "--tiles",
            "--tiles-x",
            "--tiles-y",
            "--cuts",
            "--fix",
            "--lens",
            "--lpf",
            "--threads",
            "--format",
        ],
        &["--vary"],
        &["--progress", "--best"],
    )?;
    let inputs = f.inputs()?;
    let modes = f.parse_or("--modes", Overlap::ALL.to_vec(), parse_modes)?;
    let tiles = parse_tiles(&f)?;
    let vary = parse_varies(&f.all("--vary"))?;
    let cuts = f.get("--cuts").map(parse_cut_sets).transpose()?;
    // The schedules per point and cut set, or (automatic tiles) a lower
    // bound: the exact count is checked again once the workload is read.
    let schedules = match &tiles {
        Tiles::Grid(x, y) => x.len().saturating_mul(y.len()),
        Tiles::CaseStudy1 => CASE_STUDY_1_X.len() * CASE_STUDY_1_Y.len(),
        Tiles::Auto => 1,
    }
    .saturating_mul(modes.len());
    check_sweep_size(
        point_count(&vary),
        cuts.as_ref().map_or(1, Vec::len),
        schedules,
    )?;
    Ok(Command::Sweep(SweepArgs {
        inputs,
        modes,
        tiles,
        vary,
        cuts,
        fixes: f.parse_or("--fix", Fixes::default(), parse_fixes)?,
        best: f.has("--best"),
        lenses: f.parse_or("--lens", Vec::new(), parse_lenses)?,
        lpf: f.parse_or("--lpf", limits::LPF_DEFAULT, parse_lpf)?,
        threads: f.get("--threads").map(parse_threads).transpose()?,
        progress: f.has("--progress").then_some(true),
        format: f.parse_or("--format", SweepFormat::Csv, |v| match v {
            "csv" => Ok(SweepFormat::Csv),
            "json" => Ok(SweepFormat::Json),
            other => Err(ArgError(format!(
                "--format takes `csv` or `json`, not `{other}`"
            ))),
        })?,
    }))
}

#[cfg(test)]
mod tests {
    use super::super::parse;
    use super::*;
    use std::ffi::OsString;

    fn sweep(extra: &[&str]) -> Result<SweepArgs, ArgError> {
        let mut a = vec!["sweep", "--hardware", "h", "--workload", "w"];
        a.extend_from_slice(extra);
        let a: Vec<OsString> = a.iter().map(OsString::from).collect();
        match parse(&a)? {
            Command::Sweep(s) => Ok(s),
            other => panic!("parsed as {other:?}"),
        }
    }

    fn err(extra: &[&str]) -> String {
        sweep(extra).unwrap_err().0
    }

    #[test]
    fn defaults_without_the_new_options() {
        let s = sweep(&[]).unwrap();
        assert_eq!(
            (s.vary.len(), s.cuts, s.best, s.fixes),
            (0, None, false, Fixes::default())
        );
        assert_eq!(hardware_points(&s.vary), vec![Vec::new()]);
    }

    #[test]
    fn vary_cuts_fix_best() {
        let s = sweep(&[
            "--vary",
            "sram_1MB_A.size_bits=2097152, 4.194304e6",
            "--best",
            "--vary",
            "mac.energy_pJ_per_op=1e-3,0.08,2",
            "--cuts",
            "auto;0,3",
            "--fix",
            "q36",
        ])
        .unwrap();
        assert_eq!(s.vary.len(), 2);
        assert_eq!(s.vary[0].param.label(), "sram_1MB_A.size_bits");
        assert_eq!(s.vary[0].values, [2_097_152.0, 4_194_304.0]);
        assert_eq!(s.vary[1].values, [1e-3, 0.08, 2.0]);
        assert_eq!(s.cuts, Some(vec![CutSet::Auto, CutSet::List(vec![0, 3])]));
        assert!(s.best && s.fixes.cut_after_layer_zero);
        // the first --vary outermost
        let pts = hardware_points(&s.vary);
        let values: Vec<Vec<f64>> = pts
            .iter()
            .map(|p| p.iter().map(|x| x.1).collect())
            .collect();
        assert_eq!(
            values,
            [
                [2_097_152.0, 1e-3],
                [2_097_152.0, 0.08],
                [2_097_152.0, 2.0],
                [4_194_304.0, 1e-3],
                [4_194_304.0, 0.08],
                [4_194_304.0, 2.0]
            ]
        );
        assert_eq!(point_count(&s.vary), 6);
    }

    #[test]
    fn bad_vary_and_cuts() {
        let e = err(&["--vary", "sram_1MB_A.size_bits"]);
        assert!(e.starts_with("--vary takes NAME.FIELD=v1,v2,..."), "{e}");
        let e = err(&["--vary", "size_bits=1"]);
        assert!(
            e.starts_with("--vary: `size_bits` is not a hardware parameter"),
            "{e}"
        );
        let e = err(&["--vary", "dram.bw=1"]);
        assert!(
            e.contains("`bw` (in `dram.bw`) is not a memory field"),
            "{e}"
        );
        for v in ["", "1,,2", "inf", "NaN", "0x10", "1 000"] {
            let e = err(&["--vary", &format!("dram.size_bits={v}")]);
            assert!(e.contains("values are finite numbers"), "{v}: {e}");
        }
        let e = err(&["--vary", "dram.r_port=1", "--vary", "dram.r_port=2"]);
        assert_eq!(
            e,
            "--vary dram.r_port is given twice; list all its values in one --vary"
        );
        let e = err(&["--cuts", "auto,0,3"]);
        assert!(e.starts_with("--cuts: cut set `auto,0,3` mixes") && e.contains("`auto;0,3`"));
        assert!(err(&["--cuts", "none", "--cuts", "all"]).contains("--cuts is given twice"));
        assert!(err(&["--best", "--best"]).contains("--best is given twice"));
        assert!(err(&["--fix", "q1"]).contains("--fix takes"));
    }

    #[test]
    fn the_evaluation_count_is_bounded() {
        let xs: Vec<String> = (1..=100).map(|i| i.to_string()).collect();
        let xs = xs.join(",");
        let seven = ["--vary", "dram.size_bits=1,2,3,4,5,6,7"];
        let grid = ["--tiles-x", &xs, "--tiles-y", "1,2,3,4,5,6,7,8,9,10"];
        let mut a = seven.to_vec();
        a.extend_from_slice(&grid);
        a.extend_from_slice(&["--cuts", "auto,none,all", "--modes", "1,2"]);
        // 7 x 3 x 2000 = 42000: accepted
        assert!(sweep(&a).is_ok());
        let mut b = a.clone();
        let at = b.iter().position(|x| *x == "1,2").unwrap();
        b[at] = "1,2,3";
        // 7 x 3 x 3000 = 63000: accepted; with 2 more cut sets, not
        assert!(sweep(&b).is_ok());
        let at = b.iter().position(|x| *x == "auto,none,all").unwrap();
        b[at] = "auto,none,all;0;1";
        assert_eq!(
            err(&b),
            "7 hardware point(s) (--vary) × 5 cut set(s) (--cuts) × 3000 schedule(s) (tiles × \
             modes): the number of evaluations 105000 is over the limit 100000 (each is a full \
             network evaluation; vary fewer values, give fewer cut sets or sweep fewer tiles)"
        );
        // automatic tiles: at least one schedule per mode
        let many: Vec<String> = (1..=40_000).map(|i| i.to_string()).collect();
        let e = err(&[
            "--vary",
            &format!("dram.size_bits={}", many.join(",")),
            "--cuts",
            "auto,none,all",
        ]);
        assert!(
            e.contains("the number of evaluations 360000 is over"),
            "{e}"
        );
    }
}
