//! Validation of a scenario (workload + hardware + spatial mapping): every
//! problem is reported as a [`Diagnostic`] with a field path and a fix
//! (GUIDE.md rule 3). After [`validate`] succeeds, evaluation can only
//! return the value-level outcomes of [`crate::single_layer::EvalError`] (e.g.
//! "memory hierarchy too small"), never a panic.

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use crate::diag::Diagnostic;
use crate::input::hardware::Hardware;
use crate::input::mapping::MappingFile;
use crate::input::workload::{Layer, Workload};
use crate::num::pr_size;
use crate::scenario::layer::LayerSpec;
use alloc::sync::Arc;

/// A checked scenario. Cheap to clone (its documents are shared): every
/// evaluation keeps one (a [`crate::NetworkRun`] owns its scenario).
#[derive(Clone, Debug, PartialEq)]
pub struct ValidScenario(Arc<Checked>);

/// What a [`ValidScenario`] holds (reached through it by `Deref`).
#[derive(Clone, Debug, PartialEq)]
pub struct Checked {
    pub workload: Workload,
    /// Compute layers in file order (the input pseudo-layer excluded).
    pub layers: Vec<LayerSpec>,
    pub hardware: Hardware,
    pub mapping: MappingFile,
}

impl core::ops::Deref for ValidScenario {
    type Target = Checked;
    fn deref(&self) -> &Checked {
        &self.0
    }
}

impl ValidScenario {
    /// Its documents, owned (copied only if the scenario is shared).
    pub fn into_checked(self) -> Checked {
        Arc::try_unwrap(self.0).unwrap_or_else(|shared| (*shared).clone())
    }
}

impl Checked {
    pub fn layer(&self, id: i64) -> Option<&LayerSpec> {
        self.layers.iter().find(|l| l.id == id)
    }
}

/// Parses the three JSON documents and validates them together; all
/// problems of all three are reported.
pub fn validate_json(
    workload: &str,
    hardware: &str,
    mapping: &str,
) -> Result<ValidScenario, Vec<Diagnostic>> {
    let w = Workload::from_json(workload);
    let h = Hardware::from_json(hardware);
    let m = MappingFile::from_json(mapping);
    match (w, h, m) {
        (Ok(w), Ok(h), Ok(m)) => validate(&w, &h, &m),
        (w, h, m) => {
            let mut d = Vec::new();
            for e in [w.err(), h.err(), m.err()].into_iter().flatten() {
                d.extend(e);
            }
            Err(d)
        }
    }
}

/// Layer id -> index in the file, built once (lookups stay logarithmic
/// whatever the layer count).
type IdIndex = BTreeMap<i64, usize>;

/// Cross-checks a parsed workload, hardware and mapping.
pub fn validate(
    workload: &Workload,
    hardware: &Hardware,
    mapping: &MappingFile,
) -> Result<ValidScenario, Vec<Diagnostic>> {
    let mut d: Vec<Diagnostic> = Vec::new();
    let wl = &workload.layers;
    let ids = check_ids(wl, &mut d);
    check_input_layer(wl, hardware, &mut d);
    let mapping_ids: IdIndex = crate::small_sort::map_of(
        (mapping.layers.iter().enumerate().rev()).map(|(mi, (id, _))| (*id, mi)),
    );
    let mut layers = Vec::new();
    for (i, l) in wl.iter().enumerate() {
        if l.kind == "input" {
            continue;
        }
        let path = format!("workload.layers[{i}]");
        match LayerSpec::from_layer(l, &path) {
            Ok(spec) => {
                check_compute_layer(l, &spec, &path, hardware, &ids, &mut d);
                check_layer_mapping(l, &spec, hardware, mapping, &mapping_ids, &mut d);
                layers.push(spec);
            }
            Err(e) => d.extend(e),
        }
    }
    for (mi, (id, _)) in mapping.layers.iter().enumerate() {
        if ids.get(id).is_none_or(|&i| wl[i].kind == "input") {
            d.push(Diagnostic::new(
                format!("mapping.layers[{mi}].id"),
                format!("the workload has no compute layer {id}; remove this entry or fix the id"),
            ));
        }
    }
    // cycles in the layer graph
    if let Some(cyc) = find_cycle(workload, &ids) {
        let names: Vec<String> = cyc.iter().map(|i| format!("{}", wl[*i].id)).collect();
        d.push(Diagnostic::new(
            format!("workload.layers[{}].operand_sources", cyc[0]),
            format!("the layer graph has a cycle ({}); a layer may only consume outputs of layers that do not depend on it", names.join(" -> ")),
        ));
    }
    if d.is_empty() {
        check_producer_sizes(wl, &layers, &ids, &mut d);
    }
    if d.is_empty() {
        Ok(ValidScenario(Arc::new(Checked {
            workload: workload.clone(),
            layers,
            hardware: hardware.clone(),
            mapping: mapping.clone(),
        })))
    } else {
        Err(d)
    }
}

/// Unique layer ids; the index of each id's first layer.
fn check_ids(wl: &[Layer], d: &mut Vec<Diagnostic>) -> IdIndex {
    let mut ids = IdIndex::new();
    for (i, l) in wl.iter().enumerate() {
        if let alloc::collections::btree_map::Entry::Vacant(e) = ids.entry(l.id) {
            e.insert(i);
        } else {
            d.push(Diagnostic::new(
                format!("workload.layers[{i}].id"),
                format!(
                    "layer id {} is used twice; give every layer a unique id",
                    l.id
                ),
            ));
        }
    }
    ids
}

/// Exactly one input pseudo-layer, with a precision and a memory operand.
fn check_input_layer(wl: &[Layer], hardware: &Hardware, d: &mut Vec<Diagnostic>) {
    let inputs: Vec<usize> = (0..wl.len()).filter(|&i| wl[i].kind == "input").collect();
    if inputs.len() != 1 {
        d.push(Diagnostic::new(
            "workload.layers",
            format!(
                "{} input layers (kind \"input\"); the network needs exactly one",
                inputs.len()
            ),
        ));
    }
    for &i in &inputs {
        let l = &wl[i];
        if l.precision_bits.unwrap_or(0) == 0 {
            d.push(Diagnostic::new(
                format!("workload.layers[{i}].precision_bits"),
                "the input layer needs `precision_bits` >= 1 (bits per element)",
            ));
        }
        match l.memory_operand_links.get("O") {
            None => d.push(Diagnostic::new(
                format!("workload.layers[{i}].memory_operand_links.O"),
                "the input layer needs a memory operand for its data; add \"O\": \"I1\"",
            )),
            Some(m) => check_mem_op(
                hardware,
                m,
                &format!("workload.layers[{i}].memory_operand_links.O"),
                d,
            ),
        }
    }
}

/// A compute layer's operands: memory operands that exist, producers for
/// every non-constant input, and no names the equation does not have.
fn check_compute_layer(
    l: &Layer,
    spec: &LayerSpec,
    path: &str,
    hardware: &Hardware,
    ids: &IdIndex,
    d: &mut Vec<Diagnostic>,
) {
    if spec.operands.len() > 3 {
        d.push(Diagnostic::new(
            format!("{path}.equation"),
            format!(
                "{} input operands; the model supports one or two",
                spec.operands.len() - 1
            ),
        ));
    }
    for o in &spec.operands {
        check_mem_op(
            hardware,
            &o.mem_op,
            &format!("{path}.memory_operand_links.{}", o.name),
            d,
        );
    }
    let is_input = |name: &str| spec.operands.iter().skip(1).any(|o| o.name == name);
    let unknown = |field: String, name: &str| {
        Diagnostic::new(
            field,
            format!(
                "unknown operand `{name}`; the layer's inputs are {}",
                input_names(spec)
            ),
        )
    };
    for o in spec.operands.iter().skip(1) {
        let srcs = l.operand_sources.get(&o.name);
        if !o.is_constant && srcs.is_none_or(|s| s.is_empty()) {
            d.push(Diagnostic::new(
                format!("{path}.operand_sources.{}", o.name),
                format!(
                    "operand `{}` is not constant but has no producer; list its producer layer ids or add it to constant_operands",
                    o.name
                ),
            ));
        }
    }
    for (name, srcs) in l.operand_sources.iter() {
        if !is_input(name) {
            d.push(unknown(format!("{path}.operand_sources.{name}"), name));
        }
        for (k, s) in srcs.iter().enumerate() {
            if !ids.contains_key(s) {
                d.push(Diagnostic::new(
                    format!("{path}.operand_sources.{name}[{k}]"),
                    format!("layer {s} does not exist; use the id of an existing layer"),
                ));
            } else if *s == l.id {
                d.push(Diagnostic::new(
                    format!("{path}.operand_sources.{name}[{k}]"),
                    "a layer cannot consume its own output; use the id of an earlier layer",
                ));
            }
        }
    }
    for (k, c) in l.constant_operands.iter().enumerate() {
        if !is_input(c) {
            d.push(unknown(format!("{path}.constant_operands[{k}]"), c));
        }
    }
    for (name, _) in l.operand_source_dimension_mapping.iter() {
        if !is_input(name) {
            d.push(unknown(
                format!("{path}.operand_source_dimension_mapping.{name}"),
                name,
            ));
        }
    }
}

/// The layer's spatial mapping exists and names array dimensions and
/// loops that exist.
fn check_layer_mapping(
    l: &Layer,
    spec: &LayerSpec,
    hardware: &Hardware,
    mapping: &MappingFile,
    mapping_ids: &IdIndex,
    d: &mut Vec<Diagnostic>,
) {
    let Some(&mi) = mapping_ids.get(&l.id) else {
        d.push(Diagnostic::new(
            "mapping.layers",
            format!(
                "no spatial mapping for layer {}; add {{\"id\": {}, \"spatial_mapping\": {{...}}}}",
                l.id, l.id
            ),
        ));
        return;
    };
    let sm = &mapping.layers[mi].1;
    for e in &sm.entries {
        let p = format!("mapping.layers[{mi}].spatial_mapping.{}", e.array_dim);
        if !hardware.array_dims.iter().any(|a| a.name == e.array_dim) {
            d.push(Diagnostic::new(
                p.clone(),
                format!(
                    "unknown array dimension `{}`; the operational array has {}",
                    e.array_dim,
                    hardware
                        .array_dims
                        .iter()
                        .map(|a| a.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
        if spec.dim_index(&e.loop_dim).is_none() {
            d.push(Diagnostic::new(
                format!("{p}[0]"),
                format!(
                    "layer {} has no loop `{}`; use one of {}",
                    l.id,
                    e.loop_dim,
                    spec.dims.join(", ")
                ),
            ));
        }
    }
}

/// What the consumers of one producer dimension read of it.
enum Reads {
    /// Through input-index relations (`ix = ox + fx`) or a direct mapping
    /// of a one-input layer (`OX -> OX`): the most any consumer reads, and
    /// that consumer's id.
    Upto(u64, i64),
    /// Some two-input (element-wise) consumer maps it directly: the paper's
    /// own ResNet18 adds branches of different sizes, so nothing is checked.
    Unchecked,
}

/// A producer may not declare more output rows or columns than its
/// consumers read through their input-index relations. The depth-first
/// model sizes every layer from the network's output (§3.3), so such a
/// size would change nothing but the `macs` count: a typo that hides.
/// (Smaller declared sizes and element-wise consumers are left alone: the
/// paper's presets have both.)
fn check_producer_sizes(wl: &[Layer], specs: &[LayerSpec], ids: &IdIndex, d: &mut Vec<Diagnostic>) {
    let mut reads: BTreeMap<(usize, String), Reads> = BTreeMap::new();
    for spec in specs {
        let Some(&ci) = ids.get(&spec.id) else {
            continue;
        };
        let l = &wl[ci];
        for (op, srcs) in l.operand_sources.iter() {
            let Some(dims) = l.operand_source_dimension_mapping.get(op) else {
                continue;
            };
            for (cdim, pdim) in dims.iter() {
                let size = |i: usize| spec.sizes.get(i).copied().unwrap_or(1);
                let relation = spec
                    .relations
                    .iter()
                    .find(|r| r.name.eq_ignore_ascii_case(cdim))
                    .map(|r| pr_size(r.sa, size(r.a) as f64, r.sb, size(r.b) as f64) as u64);
                let one_input = spec.operands.len() <= 2
                    || spec
                        .operands
                        .iter()
                        .skip(1)
                        .filter(|o| !o.is_constant)
                        .count()
                        == 1;
                let direct = spec.dim_index(cdim).map(size).filter(|_| one_input);
                let need = relation.or(direct);
                for s in srcs {
                    let Some(&pi) = ids.get(s) else { continue };
                    let entry = reads
                        .entry((pi, pdim.clone()))
                        .or_insert(Reads::Upto(0, spec.id));
                    match (need, &*entry) {
                        (Some(n), Reads::Upto(m, _)) if n > *m => *entry = Reads::Upto(n, spec.id),
                        (Some(_), _) => {}
                        (None, _) => *entry = Reads::Unchecked,
                    }
                }
            }
        }
    }
    for ((pi, pdim), r) in reads {
        let Reads::Upto(need, consumer) = r else {
            continue;
        };
        let p = &wl[pi];
        let Some(&declared) = p.loop_dims.get(&pdim) else {
            continue;
        };
        if need > 0 && declared > need {
            d.push(Diagnostic::new(
                format!("workload.layers[{pi}].loop_dims.{pdim}"),
                format!(
                    "layer {} declares {pdim} = {declared}, but its consumers read at most {need} of it (layer {consumer}); the depth-first model sizes layers from the network's output, so the extra would only inflate the MAC count: set {pdim} to at most {need}",
                    p.id
                ),
            ));
        }
    }
}

fn input_names(spec: &LayerSpec) -> String {
    spec.operands
        .iter()
        .skip(1)
        .map(|o| o.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn check_mem_op(hw: &Hardware, mem_op: &str, path: &str, d: &mut Vec<Diagnostic>) {
    let stored = hw
        .mem_op_index(mem_op)
        .is_some_and(|m| !hw.levels_of(m).is_empty());
    if !stored {
        d.push(Diagnostic::new(
            path,
            format!(
                "memory operand `{mem_op}` is stored in no memory of `{}`; link to one of {} or add `{mem_op}` to a memory's operands",
                hw.name,
                hw.mem_ops.join(", ")
            ),
        ));
    }
}

/// A cycle of layer indices (first repeated at the end omitted), if any.
fn find_cycle(w: &Workload, ids: &IdIndex) -> Option<Vec<usize>> {
    let n = w.layers.len();
    let preds: Vec<Vec<usize>> = w
        .layers
        .iter()
        .map(|l| {
            l.operand_sources
                .iter()
                .flat_map(|(_, s)| s.iter())
                .filter_map(|id| ids.get(id).copied())
                .collect()
        })
        .collect();
    // iterative DFS with colours: 0 new, 1 on stack, 2 done
    let mut colour = alloc::vec![0u8; n];
    for start in 0..n {
        if colour[start] != 0 {
            continue;
        }
        let mut stack: Vec<(usize, usize)> = alloc::vec![(start, 0)];
        colour[start] = 1;
        while let Some(&mut (v, ref mut k)) = stack.last_mut() {
            if let Some(&u) = preds[v].get(*k) {
                *k += 1;
                if colour[u] == 1 {
                    let pos = stack.iter().position(|(x, _)| *x == u).unwrap_or(0);
                    return Some(stack[pos..].iter().map(|(x, _)| *x).collect());
                }
                if colour[u] == 0 {
                    colour[u] = 1;
                    stack.push((u, 0));
                }
            } else {
                colour[v] = 2;
                stack.pop();
            }
        }
    }
    None
}
