//! Embedding: one live view of the playground in an `<iframe>` of a
//! companion website, and the `postMessage` API a host page talks to it
//! with. Pure (parsing, the messages, what they do), tested natively; the
//! page wires it to the browser (`web/app/embed.rs`).
//!
//! An embed URL is the playground URL with `embed=VIEW` in its query:
//! `…/?embed=energy&controls=mode,tile#s=<scenario>`. Without a scenario
//! fragment it shows the default scenario.
//!
//! Host → frame (`frame.contentWindow.postMessage(msg, "*")`), a plain
//! object whose `defines` field says what it is:
//! - `{defines: "scenario", scenario: "<the text after #s=>"}` replaces the
//!   whole scenario (as a shared link would);
//! - `{defines: "schedule", mode: 1|2|3, tile: {x, y}, lpf: 1..8}` changes
//!   the schedule (every field optional);
//! - `{defines: "get"}` asks for the current result again.
//!
//! Frame → host (`window.parent`): `{defines: "ready"}` once, then
//! `{defines: "result", energy_pj, latency_cycles, edp, macs, mode, tile_x,
//! tile_y, lpf, scenario}` for every new evaluation (numbers exactly as the
//! model computed them: JS numbers are f64), and `{defines: "error",
//! message}` for a message it cannot use or an input the model refuses.

use serde::{Deserialize, Serialize};

use crate::persist;
use crate::state::{Action, State};
use defines_model::{limits, Overlap, Tile};

/// The views an embed can show.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum View {
    Metrics,
    Energy,
    Latency,
    Heatmaps,
    Pareto,
    Layers,
    Fuse,
    /// The A/B comparison (of a link with a pinned A).
    Compare,
    /// The paper's case study 1 figures.
    Paper,
}

impl View {
    pub const ALL: [View; 9] = [
        View::Metrics,
        View::Energy,
        View::Latency,
        View::Heatmaps,
        View::Pareto,
        View::Layers,
        View::Fuse,
        View::Compare,
        View::Paper,
    ];

    pub fn name(self) -> &'static str {
        match self {
            View::Metrics => "metrics",
            View::Energy => "energy",
            View::Latency => "latency",
            View::Heatmaps => "heatmaps",
            View::Pareto => "pareto",
            View::Layers => "layers",
            View::Fuse => "fuse",
            View::Compare => "compare",
            View::Paper => "paper",
        }
    }

    /// Views of a sweep: the embed runs the case-study sweep on load.
    pub fn needs_sweep(self) -> bool {
        matches!(self, View::Heatmaps | View::Pareto | View::Paper)
    }
}

/// Controls an embed may show above its view.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Control {
    Mode,
    Tile,
    Lpf,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Embed {
    pub view: View,
    pub controls: Vec<Control>,
}

/// The query's parameters (`?a=b&c`), percent-decoding left out (the
/// values here are plain words).
fn params(search: &str) -> impl Iterator<Item = (&str, &str)> {
    search
        .trim_start_matches('?')
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| p.split_once('=').unwrap_or((p, "")))
}

/// The embed a query asks for: `None` without `embed=`; an error names
/// the unknown view or control and lists the valid ones.
pub fn parse_query(search: &str) -> Result<Option<Embed>, String> {
    let Some(view) = params(search).find(|(k, _)| *k == "embed").map(|(_, v)| v) else {
        return Ok(None);
    };
    let view = View::ALL
        .into_iter()
        .find(|x| x.name() == view)
        .ok_or_else(|| {
            format!(
                "unknown view `embed={view}`; use one of {}",
                View::ALL.map(View::name).join(", ")
            )
        })?;
    let mut controls = Vec::new();
    if let Some((_, list)) = params(search).find(|(k, _)| *k == "controls") {
        for c in list.split(',').filter(|c| !c.is_empty()) {
            let c = match c {
                "mode" => Control::Mode,
                "tile" => Control::Tile,
                "lpf" => Control::Lpf,
                other => {
                    return Err(format!(
                        "unknown control `{other}` in `controls=`; use mode, tile or lpf"
                    ))
                }
            };
            if !controls.contains(&c) {
                controls.push(c);
            }
        }
    }
    Ok(Some(Embed { view, controls }))
}

/// `?present` (or `present=1`) turns on the presenter mode.
pub fn wants_present(search: &str) -> bool {
    params(search).any(|(k, v)| k == "present" && v != "0")
}

/// The `<iframe>` snippet for a view of the current scenario; `page` is
/// the playground's URL without query or fragment.
pub fn iframe_snippet(page: &str, view: View, scenario: &str) -> String {
    format!(
        "<iframe src=\"{page}?embed={}{}{scenario}\" width=\"640\" height=\"400\" style=\"border:0\" loading=\"lazy\" title=\"DeFiNES Playground: {}\"></iframe>",
        view.name(),
        persist::FRAGMENT_PREFIX,
        view.name()
    )
}

/// A message from the host page.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(tag = "defines", rename_all = "snake_case")]
pub enum HostMessage {
    Scenario {
        scenario: String,
    },
    Schedule {
        #[serde(default)]
        mode: Option<u8>,
        #[serde(default)]
        tile: Option<Tile>,
        #[serde(default)]
        lpf: Option<u32>,
    },
    Get,
}

/// A message to the host page.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "defines", rename_all = "snake_case")]
pub enum FrameMessage {
    Ready,
    Result {
        energy_pj: f64,
        latency_cycles: u64,
        edp: f64,
        macs: u64,
        mode: u8,
        tile_x: u64,
        tile_y: u64,
        lpf: u32,
        scenario: String,
    },
    Error {
        message: String,
    },
}

/// What a host message does: the actions to apply, or why it cannot.
pub fn host_actions(msg: HostMessage) -> Result<Vec<Action>, String> {
    match msg {
        HostMessage::Scenario { scenario } => {
            let s = persist::decode(&scenario)?;
            Ok(vec![Action::Restore(s)])
        }
        HostMessage::Schedule { mode, tile, lpf } => {
            let mut out = Vec::new();
            if let Some(m) = mode {
                let o =
                    Overlap::from_mode(m).ok_or_else(|| format!("mode {m} is not 1, 2 or 3"))?;
                out.push(Action::SetOverlap(o));
            }
            if let Some(t) = tile {
                let ok = |v: u64| (1..=limits::MAX_LOOP_SIZE).contains(&v);
                if !ok(t.x) || !ok(t.y) {
                    return Err(format!(
                        "tile {}x{}: each side must be 1 to {}",
                        t.x,
                        t.y,
                        limits::MAX_LOOP_SIZE
                    ));
                }
                out.push(Action::SetTileX(t.x));
                out.push(Action::SetTileY(t.y));
            }
            if let Some(l) = lpf {
                if !limits::LPF.contains(&l) {
                    return Err(format!("lpf {l} outside {:?}", limits::LPF));
                }
                out.push(Action::SetLpf(l));
            }
            Ok(out)
        }
        HostMessage::Get => Ok(Vec::new()),
    }
}

/// The result message of what the page shows, if it shows a report.
pub fn result_message(s: &State) -> Option<FrameMessage> {
    let r = s.shown.report.as_deref()?;
    Some(FrameMessage::Result {
        energy_pj: r.energy_pj,
        latency_cycles: r.latency_cycles,
        edp: r.energy_pj * r.latency_cycles as f64,
        macs: r.macs,
        mode: s.scenario.overlap.mode(),
        tile_x: s.scenario.tile.x,
        tile_y: s.scenario.tile.y,
        lpf: s.scenario.lpf,
        scenario: persist::encode(&s.scenario),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embed_queries_are_parsed_and_bad_ones_named() {
        assert_eq!(parse_query(""), Ok(None));
        assert_eq!(parse_query("?present"), Ok(None));
        assert_eq!(
            parse_query("?embed=energy&controls=mode,tile,mode"),
            Ok(Some(Embed {
                view: View::Energy,
                controls: vec![Control::Mode, Control::Tile]
            }))
        );
        assert_eq!(
            parse_query("?x=1&embed=pareto").unwrap().unwrap().view,
            View::Pareto
        );
        let e = parse_query("?embed=nope").unwrap_err();
        assert!(e.contains("embed=nope") && e.contains("heatmaps"), "{e}");
        assert!(parse_query("?embed=energy&controls=zoom")
            .unwrap_err()
            .contains("zoom"));
        assert!(wants_present("?present") && wants_present("?embed=x&present=1"));
        assert!(!wants_present("?present=0") && !wants_present(""));
    }

    #[test]
    fn host_messages_become_actions_or_errors() {
        let m: HostMessage =
            serde_json::from_str(r#"{"defines":"schedule","mode":1,"tile":{"x":60,"y":72}}"#)
                .unwrap();
        assert_eq!(
            host_actions(m).unwrap(),
            vec![
                Action::SetOverlap(Overlap::FullyRecompute),
                Action::SetTileX(60),
                Action::SetTileY(72)
            ]
        );
        let bad: HostMessage = serde_json::from_str(r#"{"defines":"schedule","mode":7}"#).unwrap();
        assert!(host_actions(bad).unwrap_err().contains("mode 7"));
        let s = crate::state::Scenario::default();
        let m = HostMessage::Scenario {
            scenario: persist::encode(&s),
        };
        assert_eq!(host_actions(m).unwrap(), vec![Action::Restore(s)]);
        assert!(host_actions(HostMessage::Scenario {
            scenario: "!!".into()
        })
        .is_err());
        assert!(serde_json::from_str::<HostMessage>(r#"{"defines":"explode"}"#).is_err());
    }

    #[test]
    fn the_snippet_names_the_view_and_the_scenario() {
        let snip = iframe_snippet("https://x.io/paper/", View::Energy, "abc");
        assert_eq!(
            snip,
            "<iframe src=\"https://x.io/paper/?embed=energy#s=abc\" width=\"640\" height=\"400\" style=\"border:0\" loading=\"lazy\" title=\"DeFiNES Playground: energy\"></iframe>"
        );
    }

    #[test]
    fn the_result_is_what_the_page_shows() {
        let mut s = State::default();
        assert_eq!(result_message(&s), None);
        let out = crate::handler::handle_message(
            &mut crate::handler::Handler::default(),
            &crate::defaults::default_request_message(),
        );
        let Ok(crate::protocol::Response::Evaluated { report, .. }) =
            crate::protocol::decode(&out[0])
        else {
            panic!()
        };
        s.shown.report = Some(std::rc::Rc::from(report.clone()));
        let Some(FrameMessage::Result {
            energy_pj,
            latency_cycles,
            mode,
            ..
        }) = result_message(&s)
        else {
            panic!()
        };
        assert_eq!(energy_pj.to_bits(), report.energy_pj.to_bits());
        assert_eq!((latency_cycles, mode), (20_523_395, 3));
    }
}
