//! `defines explain`: the terms a reported number adds up from
//! (`defines_model::explain`), the list of numbers that can be explained,
//! or every layer's loop nest per tile type.

use crate::args::{EvalArgs, Format};
use crate::commands::{network_error, Error};
use defines_model::{
    evaluate_network_detailed, explain, explainable, loop_nests, Amount, SumRule, ValidScenario,
};

fn amount(a: Amount) -> String {
    match a {
        Amount::Pj(x) => format!("{x} pJ"),
        Amount::Cycles(n) => format!("{n} cycles"),
    }
}

fn json_text(v: &impl serde::Serialize) -> Result<String, Error> {
    serde_json::to_string(v)
        .map(|t| format!("{t}\n"))
        .map_err(|e| Error(format!("cannot write the explanation: {e}")))
}

pub(crate) fn run(sc: &ValidScenario, a: &EvalArgs, item: &str) -> Result<String, Error> {
    let (r, d) = evaluate_network_detailed(sc, &a.schedule, a.fixes, &mut Default::default())
        .map_err(network_error)?;
    let json = a.format == Format::Json;
    match item {
        "list" => {
            let paths = explainable(&r);
            if json {
                return json_text(&paths);
            }
            Ok(paths
                .iter()
                .map(|(p, t)| format!("{p:<44} {t}\n"))
                .collect())
        }
        "loops" => {
            let nests = loop_nests(&d);
            if json {
                return json_text(&nests);
            }
            let mut out = String::new();
            for n in &nests {
                out.push_str(&format!(
                    "{} · stack {} tile type {} (layer tile {}×{}, ×{}) · {} orderings considered, {} evaluated in full\n",
                    n.item, n.stack, n.tile_type, n.layer_ox, n.layer_oy, n.multiplicity,
                    n.search.considered, n.search.evaluated
                ));
                let spatial: Vec<String> = (n.spatial.iter())
                    .map(|(a, l, f)| format!("{a}: {l} {f}"))
                    .collect();
                out.push_str(&format!("  spatial  {}\n", spatial.join(", ")));
                out.push_str(&format!(
                    "  {:<14} {}\n",
                    "loop (inner→)",
                    n.operands.join(" / ")
                ));
                for (dim, size, at) in &n.loops {
                    out.push_str(&format!("  for {dim:<4} {size:<8} {}\n", at.join(" / ")));
                }
            }
            Ok(out)
        }
        path => {
            let e = explain(&r, &d, &sc.hardware, path).ok_or_else(|| {
                Error(format!(
                    "--item `{path}` is not a number of this report; `--item list` lists them (e.g. energy, memory/dram, item/L1/latency)"
                ))
            })?;
            if json {
                return json_text(&e);
            }
            let mut out = format!("{} = {}\n{}\n", e.title, amount(e.value), e.note);
            out.push_str(match e.sum {
                SumRule::Nested => {
                    "each group is the sum of its terms; the number is the sum of the groups\n"
                }
                SumRule::Flat => "the number is the sum of every term, in order\n",
            });
            for g in &e.groups {
                out.push_str(&format!("{}: {}\n", g.label, amount(g.value)));
                for t in &g.terms {
                    out.push_str(&format!(
                        "  {} = {} × {}  [{}]\n",
                        amount(t.value),
                        amount(t.per_tile),
                        t.multiplicity,
                        t.formula
                    ));
                }
            }
            out.push_str(&format!("sum of the terms: {}\n", amount(e.total())));
            Ok(out)
        }
    }
}
