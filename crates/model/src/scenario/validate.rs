//! Validation of a scenario (workload + hardware + spatial mapping): every
//! problem is reported as a [`Diagnostic`] with a field path and a fix
//! (GUIDE.md rule 3). After [`validate`] succeeds, evaluation can only
//! return the value-level outcomes of [`crate::single_layer::EvalError`] (e.g.
//! "memory hierarchy too small"), never a panic.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use crate::diag::Diagnostic;
use crate::input::hardware::Hardware;
use crate::input::mapping::MappingFile;
use crate::input::workload::Workload;
use crate::scenario::layer::LayerSpec;

/// A checked scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct ValidScenario {
    pub workload: Workload,
    /// Compute layers in file order (the input pseudo-layer excluded).
    pub layers: Vec<LayerSpec>,
    pub hardware: Hardware,
    pub mapping: MappingFile,
}

impl ValidScenario {
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

/// Cross-checks a parsed workload, hardware and mapping.
pub fn validate(
    workload: &Workload,
    hardware: &Hardware,
    mapping: &MappingFile,
) -> Result<ValidScenario, Vec<Diagnostic>> {
    let mut d: Vec<Diagnostic> = Vec::new();
    let wl = &workload.layers;
    // ids and the input pseudo-layer
    for (i, l) in wl.iter().enumerate() {
        if wl[..i].iter().any(|o| o.id == l.id) {
            d.push(Diagnostic::new(
                format!("workload.layers[{i}].id"),
                format!(
                    "layer id {} is used twice; give every layer a unique id",
                    l.id
                ),
            ));
        }
    }
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
                &mut d,
            ),
        }
    }
    // compute layers
    let mut layers = Vec::new();
    for (i, l) in wl.iter().enumerate() {
        if l.kind == "input" {
            continue;
        }
        let path = format!("workload.layers[{i}]");
        match LayerSpec::from_layer(l, &path) {
            Ok(spec) => {
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
                        &mut d,
                    );
                }
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
                    if !spec.operands.iter().skip(1).any(|o| o.name == name) {
                        d.push(Diagnostic::new(
                            format!("{path}.operand_sources.{name}"),
                            format!(
                                "unknown operand `{name}`; the layer's inputs are {}",
                                input_names(&spec)
                            ),
                        ));
                    }
                    for (k, s) in srcs.iter().enumerate() {
                        if !wl.iter().any(|x| x.id == *s) {
                            d.push(Diagnostic::new(
                                format!("{path}.operand_sources.{name}[{k}]"),
                                format!(
                                    "layer {s} does not exist; use the id of an existing layer"
                                ),
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
                    if !spec.operands.iter().skip(1).any(|o| o.name == *c) {
                        d.push(Diagnostic::new(
                            format!("{path}.constant_operands[{k}]"),
                            format!(
                                "unknown operand `{c}`; the layer's inputs are {}",
                                input_names(&spec)
                            ),
                        ));
                    }
                }
                for (name, _) in l.operand_source_dimension_mapping.iter() {
                    if !spec.operands.iter().skip(1).any(|o| o.name == name) {
                        d.push(Diagnostic::new(
                            format!("{path}.operand_source_dimension_mapping.{name}"),
                            format!(
                                "unknown operand `{name}`; the layer's inputs are {}",
                                input_names(&spec)
                            ),
                        ));
                    }
                }
                // spatial mapping of this layer
                match mapping.layers.iter().position(|(id, _)| *id == l.id) {
                    None => d.push(Diagnostic::new(
                        "mapping.layers",
                        format!("no spatial mapping for layer {}; add {{\"id\": {}, \"spatial_mapping\": {{...}}}}", l.id, l.id),
                    )),
                    Some(mi) => {
                        let sm = &mapping.layers[mi].1;
                        for e in &sm.entries {
                            let p = format!("mapping.layers[{mi}].spatial_mapping.{}", e.array_dim);
                            if !hardware.array_dims.iter().any(|a| a.name == e.array_dim) {
                                d.push(Diagnostic::new(
                                    p.clone(),
                                    format!(
                                        "unknown array dimension `{}`; the operational array has {}",
                                        e.array_dim,
                                        hardware.array_dims.iter().map(|a| a.name.as_str()).collect::<Vec<_>>().join(", ")
                                    ),
                                ));
                            }
                            if spec.dim_index(&e.loop_dim).is_none() {
                                d.push(Diagnostic::new(
                                    format!("{p}[0]"),
                                    format!("layer {} has no loop `{}`; use one of {}", l.id, e.loop_dim, spec.dims.join(", ")),
                                ));
                            }
                        }
                    }
                }
                layers.push(spec);
            }
            Err(e) => d.extend(e),
        }
    }
    for (mi, (id, _)) in mapping.layers.iter().enumerate() {
        if !wl.iter().any(|l| l.id == *id && l.kind != "input") {
            d.push(Diagnostic::new(
                format!("mapping.layers[{mi}].id"),
                format!("the workload has no compute layer {id}; remove this entry or fix the id"),
            ));
        }
    }
    // cycles in the layer graph
    if let Some(cyc) = find_cycle(workload) {
        let names: Vec<String> = cyc.iter().map(|i| format!("{}", wl[*i].id)).collect();
        d.push(Diagnostic::new(
            format!("workload.layers[{}].operand_sources", cyc[0]),
            format!("the layer graph has a cycle ({}); a layer may only consume outputs of layers that do not depend on it", names.join(" -> ")),
        ));
    }
    if d.is_empty() {
        Ok(ValidScenario {
            workload: workload.clone(),
            layers,
            hardware: hardware.clone(),
            mapping: mapping.clone(),
        })
    } else {
        Err(d)
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
fn find_cycle(w: &Workload) -> Option<Vec<usize>> {
    let n = w.layers.len();
    let preds: Vec<Vec<usize>> = w
        .layers
        .iter()
        .map(|l| {
            l.operand_sources
                .iter()
                .flat_map(|(_, s)| s.iter())
                .filter_map(|id| w.layers.iter().position(|x| x.id == *id))
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
