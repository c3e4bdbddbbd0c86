//! Cut sets: where a network is cut into stacks (the fuse depth,
//! docs/model.md §3.1–§3.2) as a search axis, and what each stack of a cut
//! list holds (its layers and weight bits) next to the on-chip weight
//! budget the automatic rule compares against.
//!
//! Everything here uses the evaluation's own code: the full-size network
//! graph, the cut rule, the stacks of `depth_first::stack_cuts` with the
//! same [`Fixes`], so a footprint shows exactly the stacks an evaluation
//! runs, Q36 included (a cut after layer id 0 is no cut unless fixed).

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use serde::{Deserialize, Serialize};

use crate::depth_first::graph::{network, Graph};
use crate::depth_first::stack_cuts::{auto_cuts, node_weight_bits, stacks, weight_capacity};
use crate::depth_first::{full_network, validate_stack_cuts};
use crate::diag::Diagnostic;
use crate::fixes::Fixes;
use crate::limits;
use crate::scenario::validate::ValidScenario;

/// Where to cut a network into stacks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CutSet {
    /// `auto`: the weight-overflow rule of §3.1 (`stack_cuts: None`).
    Auto,
    /// `none`: no cut, one stack (fully fused).
    Fused,
    /// `all`: a cut after every layer (layer by layer).
    LayerByLayer,
    /// Cut after each listed layer id, in graph order.
    List(Vec<i64>),
}

/// The keyword cut sets.
fn keyword(token: &str) -> Option<CutSet> {
    match token {
        "auto" => Some(CutSet::Auto),
        "none" => Some(CutSet::Fused),
        "all" => Some(CutSet::LayerByLayer),
        _ => None,
    }
}

const SYNTAX: &str = "cut sets are separated by `;`, layer ids inside a set by `,`, and \
                      keyword sets (auto, none, all) may be listed with commas: e.g. `auto;0,3;none`";

impl CutSet {
    /// Cut sets as the CLI writes them: sets separated by `;`, layer ids
    /// inside a set by `,`; a set made only of keywords (`auto`, `none`,
    /// `all`) may list several with commas. `"auto,none,all"` is
    /// `[Auto, Fused, LayerByLayer]`, `"auto;0,3;2"` is
    /// `[Auto, List[0, 3], List[2]]`. Mixing keywords and ids in one set,
    /// an empty set, a token that is neither, more than
    /// [`limits::MAX_CUT_SETS`] sets or more than [`limits::MAX_LAYERS`]
    /// ids in a set are errors that say how to write it.
    pub fn parse_list(text: &str) -> Result<Vec<CutSet>, String> {
        let mut out = Vec::new();
        for set in text.split(';') {
            let set = set.trim();
            if set.is_empty() {
                return Err(format!(
                    "`{text}` has an empty cut set; write `none` for one stack ({SYNTAX})"
                ));
            }
            let tokens: Vec<&str> = set.split(',').map(str::trim).collect();
            let keywords: Vec<Option<CutSet>> = tokens.iter().map(|t| keyword(t)).collect();
            if keywords.iter().all(Option::is_some) {
                out.extend(keywords.into_iter().flatten());
            } else if keywords.iter().any(Option::is_some) {
                let (kw, ids): (Vec<&str>, Vec<&str>) =
                    tokens.iter().partition(|t| keyword(t).is_some());
                return Err(format!(
                    "cut set `{set}` mixes keywords and layer ids; give each cut set on its own, separated by `;` (here `{};{}`)",
                    kw.join(";"),
                    ids.join(",")
                ));
            } else {
                out.push(CutSet::List(parse_ids(set, &tokens)?));
            }
            if out.len() > limits::MAX_CUT_SETS {
                return Err(limits::exceeded(
                    "the number of cut sets",
                    format!("{} (or more)", out.len()),
                    limits::MAX_CUT_SETS,
                    "each cut set is a sweep of every schedule again; sweep fewer",
                ));
            }
        }
        Ok(out)
    }

    /// `auto`, `none`, `all` or the ids joined by `,` (`0,3`); parses back
    /// with [`CutSet::parse_list`] (an empty list is `none`, which parses
    /// back as [`CutSet::Fused`], the same cuts).
    pub fn label(&self) -> String {
        match self {
            CutSet::Auto => "auto".to_string(),
            CutSet::Fused => "none".to_string(),
            CutSet::LayerByLayer => "all".to_string(),
            CutSet::List(ids) if ids.is_empty() => "none".to_string(),
            CutSet::List(ids) => {
                let ids: Vec<String> = ids.iter().map(i64::to_string).collect();
                ids.join(",")
            }
        }
    }

    /// The schedule's `stack_cuts` for this set: `Auto` → `None` (the
    /// rule), `Fused` → `Some([])`, `LayerByLayer` → every layer id in
    /// graph order, the input layer included ([`layer_weights`]' ids: what
    /// the rule cuts when every layer overflows the budget, e.g. TPU_like),
    /// `List` → the list as given.
    pub fn stack_cuts(&self, sc: &ValidScenario) -> Option<Vec<i64>> {
        match self {
            CutSet::Auto => None,
            CutSet::Fused => Some(Vec::new()),
            CutSet::LayerByLayer => Some(layer_weights(sc).into_iter().map(|l| l.0).collect()),
            CutSet::List(ids) => Some(ids.clone()),
        }
    }

    /// The cut list the evaluation uses for this set: [`CutSet::stack_cuts`],
    /// with `Auto` resolved by the rule (as
    /// [`automatic_stack_cuts`](crate::automatic_stack_cuts); empty if the
    /// network cannot be cut at all, which its evaluation reports).
    pub fn resolved_cuts(&self, sc: &ValidScenario) -> Vec<i64> {
        match self.stack_cuts(sc) {
            Some(c) => c,
            None => full_network(sc)
                .map(|g| auto_cuts(&g, sc))
                .unwrap_or_default(),
        }
    }

    /// The problems of an explicit list on this scenario, exactly those of
    /// [`validate_schedule`](crate::validate_schedule) (paths
    /// `schedule.stack_cuts[i]`: unknown layer ids, cuts out of graph
    /// order); none for the keyword sets.
    pub fn validate(&self, sc: &ValidScenario) -> Vec<Diagnostic> {
        match self {
            CutSet::List(ids) => validate_stack_cuts(sc, ids),
            _ => Vec::new(),
        }
    }
}

/// The layer ids of one set (`tokens`, from `set`).
fn parse_ids(set: &str, tokens: &[&str]) -> Result<Vec<i64>, String> {
    if tokens.len() > limits::MAX_LAYERS {
        return Err(limits::exceeded(
            "the number of layer ids in a cut set",
            tokens.len(),
            limits::MAX_LAYERS,
            "a network has at most that many layers",
        ));
    }
    tokens
        .iter()
        .map(|t| {
            t.parse::<i64>().map_err(|_| {
                format!(
                    "`{t}` in cut set `{set}` is neither a layer id nor auto, none or all ({SYNTAX})"
                )
            })
        })
        .collect()
}

/// One stack of a cut list: its compute layers in graph order (as the
/// evaluation's `StackReport::layers`; input nodes are not listed) and
/// their weight (constant-operand) bits in all.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StackFootprint {
    pub layer_ids: Vec<i64>,
    /// `u64`, saturating (never reached by an accepted workload: a layer's
    /// weights are at most its MACs, ≤ 2^48, times its precision, ≤ 64).
    pub weight_bits: u64,
}

fn to_u64(bits: u128) -> u64 {
    u64::try_from(bits).unwrap_or(u64::MAX)
}

/// The compute nodes of `g` in graph order.
fn compute_nodes(g: &Graph) -> Vec<usize> {
    g.topo()
        .unwrap_or_default()
        .into_iter()
        .filter(|&n| !g.nodes[n].is_input)
        .collect()
}

/// The stacks `cuts` gives, in network order, with `fixes` applied as the
/// evaluation applies them (so Q36 shows: without the fix a cut after
/// layer id 0 is no cut, and the stack before it runs to the end of the
/// network), each with its layers (the evaluation's
/// `StackReport::layers`) and total weight bits. Empty when the cuts are
/// invalid ([`CutSet::validate`] says why) or the network cannot be split
/// as asked (its evaluation reports why).
pub fn stack_footprints(sc: &ValidScenario, cuts: &[i64], fixes: Fixes) -> Vec<StackFootprint> {
    if !validate_stack_cuts(sc, cuts).is_empty() {
        return Vec::new();
    }
    let Ok(g) = full_network(sc) else {
        return Vec::new();
    };
    let Ok(graphs) = stacks(&g, cuts, fixes) else {
        return Vec::new();
    };
    graphs
        .iter()
        .map(|s| {
            let nodes = compute_nodes(s);
            StackFootprint {
                layer_ids: nodes.iter().map(|&n| s.nodes[n].id).collect(),
                weight_bits: to_u64(
                    nodes
                        .iter()
                        .map(|&n| node_weight_bits(s, n))
                        .fold(0u128, u128::saturating_add),
                ),
            }
        })
        .collect()
}

/// The on-chip weight budget of the automatic rule (§3.1): the size of the
/// second-highest memory level of the weight operand (0 when there is
/// none, or the network cannot be built).
pub fn weight_capacity_bits(sc: &ValidScenario) -> u64 {
    network(sc).map_or(0, |g| to_u64(weight_capacity(&g, sc)))
}

/// Every layer of the network in graph order (the order cuts are listed
/// in and stacks follow), the input layer included (weight 0: the rule
/// cuts after it too, e.g. on TPU_like), each with its weight bits at the
/// network's full sizes (what the rule adds up). Empty if the network
/// cannot be built.
pub fn layer_weights(sc: &ValidScenario) -> Vec<(i64, u64)> {
    let Ok(g) = full_network(sc) else {
        return Vec::new();
    };
    g.topo()
        .unwrap_or_default()
        .into_iter()
        .map(|n| (g.nodes[n].id, to_u64(node_weight_bits(&g, n))))
        .collect()
}
