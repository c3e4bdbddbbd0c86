//! A compute layer as the cost model sees it (docs/model.md §1.1): operands
//! (output first, then inputs in equation order), relations, precisions,
//! memory operand links and the relevancy classes of §1.1.3, which are
//! computed once from the *original* sizes and kept for tiles (Q19).

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::equation::{parse_equation, parse_relation};
use crate::diag::Diagnostic;
use crate::input::workload::Layer;
use crate::num::pr_size;

/// Class of a loop dimension for one operand (§1.1.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DimClass {
    /// In `r(X)`.
    R,
    /// In `ir(X)`.
    Ir,
    /// In neither: original size 1, or used through a relation (`pr`).
    None,
}

/// `P = sa*A + sb*B`, e.g. `ix = 2*ox + 1*fx` (`A = OX`, `sa = 2`).
#[derive(Clone, Debug, PartialEq)]
pub struct Relation {
    pub name: String,
    pub a: usize,
    pub sa: u64,
    pub b: usize,
    pub sb: u64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct OperandSpec {
    /// Layer operand name (`O`, `W`, `I`, `X`, `Y`).
    pub name: String,
    /// Memory operand it lives in (`O`, `I1`, `I2`).
    pub mem_op: String,
    /// Bits per element (for the output: the partial-sum precision `O`).
    pub precision_bits: u64,
    pub is_constant: bool,
    /// Per loop dimension of the layer.
    pub class: Vec<DimClass>,
    /// The operand is indexed through the relations (`pr(X)` = all of them).
    pub has_pr: bool,
}

/// A compute layer at its current (possibly tile) size.
#[derive(Clone, Debug, PartialEq)]
pub struct LayerSpec {
    pub id: i64,
    pub kind: String,
    /// Loop dimension names in file order.
    pub dims: Vec<String>,
    /// Current loop sizes (tile sizes for depth-first).
    pub sizes: Vec<u64>,
    /// Output first, then inputs in equation order.
    pub operands: Vec<OperandSpec>,
    pub relations: Vec<Relation>,
    /// Final output precision `O_final`.
    pub o_final_bits: u64,
}

/// `x as u128` for a whole number `x`, through the (much cheaper) `u64`
/// conversion when `x` fits: the same value for every input.
#[inline]
fn whole_to_u128(x: f64) -> u128 {
    if (0.0..18_446_744_073_709_551_616.0).contains(&x) {
        x as u64 as u128
    } else {
        x as u128
    }
}

/// Largest accepted loop size (keeps prime factorisation cheap).
pub const MAX_LOOP_SIZE: u64 = 1_000_000_000;

impl LayerSpec {
    /// Builds the model's view of a compute layer of a workload file.
    /// `path` prefixes diagnostics, e.g. `workload.layers[3]`.
    pub fn from_layer(l: &Layer, path: &str) -> Result<LayerSpec, Vec<Diagnostic>> {
        let mut d = Vec::new();
        let dims: Vec<String> = l.loop_dims.iter().map(|(k, _)| k.to_string()).collect();
        let sizes: Vec<u64> = l.loop_dims.iter().map(|(_, v)| *v).collect();
        check_loop_sizes(l, path, &mut d);
        let Some(ops) = read_equation(l, path, &mut d) else {
            return Err(d);
        };
        let relations = read_relations(l, path, &dims, &mut d);
        let pr_names: Vec<&str> = relations.iter().map(|r| r.name.as_str()).collect();
        let mut pr_loops: Vec<&str> = pr_names.clone();
        for r in &relations {
            pr_loops.push(dims[r.a].as_str());
            pr_loops.push(dims[r.b].as_str());
        }
        let o_final = match l.operand_precision_bits.get("O_final") {
            Some(p) => *p,
            None => {
                d.push(Diagnostic::new(
                    format!("{path}.operand_precision_bits.O_final"),
                    "missing the final output precision `O_final`; add it (bits)",
                ));
                8
            }
        };
        let oc = OperandCtx {
            l,
            path,
            dims: &dims,
            sizes: &sizes,
            pr_names: &pr_names,
            pr_loops: &pr_loops,
        };
        let operands = ops
            .iter()
            .enumerate()
            .map(|(k, (name, rdims))| oc.operand(k, name, rdims, &mut d))
            .collect();
        check_unknown_operands(l, path, &ops, &mut d);
        if !d.is_empty() {
            return Err(d);
        }
        Ok(LayerSpec {
            id: l.id,
            kind: l.kind.clone(),
            dims,
            sizes,
            operands,
            relations,
            o_final_bits: o_final,
        })
    }

    pub fn dim_index(&self, name: &str) -> Option<usize> {
        self.dims.iter().position(|d| d == name)
    }

    /// Sets the current size of a loop dimension (e.g. a tile size); the
    /// relevancy classes are not recomputed (Q19).
    pub fn set_size(&mut self, dim: &str, size: u64) -> bool {
        match self.dim_index(dim) {
            Some(i) => {
                self.sizes[i] = size.max(1);
                true
            }
            None => false,
        }
    }

    /// Product of the current loop sizes (MACs, also for pooling and add,
    /// Q21), saturating.
    pub fn macs(&self) -> u64 {
        self.sizes.iter().fold(1u64, |a, s| a.saturating_mul(*s))
    }

    /// `calc_tensor_size` of §1.1.4 in elements: every extent is ceiled,
    /// relevant dimensions contribute their extent, relations their
    /// `pr_size`.
    pub fn tensor_elems(&self, op: usize, ext: &[f64]) -> u128 {
        let o = &self.operands[op];
        let mut n: u128 = 1;
        for (i, c) in o.class.iter().enumerate() {
            if *c == DimClass::R {
                n = n.saturating_mul(whole_to_u128(crate::num::ceil(ext[i])));
            }
        }
        if o.has_pr {
            for r in &self.relations {
                let a = crate::num::ceil(ext[r.a]);
                let b = crate::num::ceil(ext[r.b]);
                n = n.saturating_mul(whole_to_u128(pr_size(r.sa, a, r.sb, b)));
            }
        }
        n
    }

    /// `size_elem(X)` at the current sizes.
    pub fn size_elems(&self, op: usize) -> u128 {
        self.size_elems_at(op, &self.sizes)
    }

    /// `size_elem(X)` at other loop sizes (a tile's), in the layer's
    /// dimension order.
    pub fn size_elems_at(&self, op: usize, sizes: &[u64]) -> u128 {
        let ext: Vec<f64> = sizes.iter().map(|&s| s as f64).collect();
        self.tensor_elems(op, &ext)
    }

    /// Indices of the input operands (all but the output).
    pub fn inputs(&self) -> core::ops::Range<usize> {
        1..self.operands.len()
    }

    /// Element-wise add form: exactly two inputs linked to the same memory
    /// operand (needs add-layer duplication of the hardware, §1.3).
    pub fn needs_add_duplication(&self) -> bool {
        self.operands.len() == 3 && self.operands[1].mem_op == self.operands[2].mem_op
    }
}

/// Every loop size is in `1..=MAX_LOOP_SIZE`.
fn check_loop_sizes(l: &Layer, path: &str, d: &mut Vec<Diagnostic>) {
    for (k, v) in l.loop_dims.iter() {
        if *v == 0 {
            d.push(Diagnostic::new(
                format!("{path}.loop_dims.{k}"),
                "loop size is 0; every loop dimension needs a size of at least 1",
            ));
        } else if *v > MAX_LOOP_SIZE {
            d.push(Diagnostic::new(
                format!("{path}.loop_dims.{k}"),
                format!("loop size {v} is above {MAX_LOOP_SIZE}; use a smaller size"),
            ));
        }
    }
}

/// The equation's operands (name, index dimensions), output first; `None`
/// when it is missing or does not parse.
fn read_equation(
    l: &Layer,
    path: &str,
    d: &mut Vec<Diagnostic>,
) -> Option<Vec<(String, Vec<String>)>> {
    let Some(eq) = l.equation.as_deref() else {
        d.push(Diagnostic::new(
            format!("{path}.equation"),
            "missing field `equation`; add e.g. \"O[b][k][oy][ox]+=W[k][c][fy][fx]*I[b][c][ix][iy]\"",
        ));
        return None;
    };
    let ops = match parse_equation(eq) {
        Ok(o) => o,
        Err(e) => {
            d.push(Diagnostic::new(
                format!("{path}.equation"),
                format!("cannot parse `{eq}`: {e}"),
            ));
            return None;
        }
    };
    if ops[0].0 != "O" {
        d.push(Diagnostic::new(
            format!("{path}.equation"),
            format!(
                "the first operand is `{}`; the output must come first and be named `O`",
                ops[0].0
            ),
        ));
    }
    Some(ops)
}

/// The equation relations over two different loops of `dims` (the others
/// reported).
fn read_relations(
    l: &Layer,
    path: &str,
    dims: &[String],
    d: &mut Vec<Diagnostic>,
) -> Vec<Relation> {
    let dim_idx = |n: &str| dims.iter().position(|x| x == n);
    let mut relations = Vec::new();
    for (i, r) in l.equation_relations.iter().enumerate() {
        let rp = format!("{path}.equation_relations[{i}]");
        match parse_relation(r) {
            Ok(pr) => match (dim_idx(&pr.a), dim_idx(&pr.b)) {
                (Some(ai), Some(bi)) if ai != bi => relations.push(Relation {
                    name: pr.name,
                    a: ai,
                    sa: pr.sa,
                    b: bi,
                    sb: pr.sb,
                }),
                (Some(_), Some(_)) => d.push(Diagnostic::new(
                    rp,
                    format!("`{r}` uses the same loop twice; use two different loops"),
                )),
                _ => d.push(Diagnostic::new(
                    rp,
                    format!(
                        "`{r}` names a loop that is not in loop_dims ({}); fix the loop names",
                        dims.join(", ")
                    ),
                )),
            },
            Err(e) => d.push(Diagnostic::new(rp, format!("cannot parse `{r}`: {e}"))),
        }
    }
    relations
}

/// What every operand of a layer is read against.
struct OperandCtx<'a> {
    l: &'a Layer,
    path: &'a str,
    dims: &'a [String],
    sizes: &'a [u64],
    /// The input dimensions defined by relations.
    pr_names: &'a [&'a str],
    /// Those and the loops the relations are over.
    pr_loops: &'a [&'a str],
}

impl OperandCtx<'_> {
    /// Operand `k` of the equation, `name[rdims...]`.
    fn operand(
        &self,
        k: usize,
        name: &String,
        rdims: &[String],
        d: &mut Vec<Diagnostic>,
    ) -> OperandSpec {
        let (l, path) = (self.l, self.path);
        for rd in rdims {
            if !self.dims.iter().any(|x| x == rd) && !self.pr_names.contains(&rd.as_str()) {
                d.push(Diagnostic::new(
                    format!("{path}.equation"),
                    format!("operand `{name}` is indexed by `{rd}`, which is neither a loop dimension nor defined by a relation; add it to loop_dims or equation_relations"),
                ));
            }
        }
        let has_pr = rdims.iter().any(|x| self.pr_names.contains(&x.as_str()));
        let class = self.classes(rdims, has_pr);
        let precision_bits = match l.operand_precision_bits.get(name) {
            Some(p) => *p,
            None => {
                d.push(Diagnostic::new(
                    format!("{path}.operand_precision_bits.{name}"),
                    format!("missing the precision of operand `{name}`; add it (bits per element)"),
                ));
                0
            }
        };
        if k == 0 && precision_bits == 0 {
            d.push(Diagnostic::new(
                format!("{path}.operand_precision_bits.O"),
                "output precision is 0; give the partial-sum precision in bits",
            ));
        }
        let mem_op = match l.memory_operand_links.get(name) {
            Some(m) => m.clone(),
            None => {
                d.push(Diagnostic::new(
                    format!("{path}.memory_operand_links.{name}"),
                    format!("operand `{name}` has no memory operand; add e.g. \"{name}\": \"I1\""),
                ));
                String::new()
            }
        };
        OperandSpec {
            name: name.clone(),
            mem_op,
            precision_bits,
            is_constant: l.constant_operands.iter().any(|c| c == name),
            class,
            has_pr,
        }
    }

    /// The relevancy class of every loop for an operand indexed by `rdims`
    /// (§1.1.3).
    fn classes(&self, rdims: &[String], has_pr: bool) -> Vec<DimClass> {
        self.dims
            .iter()
            .enumerate()
            .map(|(i, dn)| {
                if self.sizes[i] == 1 || (has_pr && self.pr_loops.contains(&dn.as_str())) {
                    DimClass::None
                } else if rdims.contains(dn) {
                    DimClass::R
                } else {
                    DimClass::Ir
                }
            })
            .collect()
    }
}

/// Every operand named in `memory_operand_links` and
/// `operand_precision_bits` (but `O_final`) is in the equation.
fn check_unknown_operands(
    l: &Layer,
    path: &str,
    ops: &[(String, Vec<String>)],
    d: &mut Vec<Diagnostic>,
) {
    let names = || {
        ops.iter()
            .map(|o| o.0.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    for (k, _) in l.memory_operand_links.iter() {
        if !ops.iter().any(|(n, _)| n == k) {
            d.push(Diagnostic::new(
                format!("{path}.memory_operand_links.{k}"),
                format!(
                    "unknown operand `{k}`: the equation has {}; remove it or fix the name",
                    names()
                ),
            ));
        }
    }
    for (k, _) in l.operand_precision_bits.iter() {
        if k != "O_final" && !ops.iter().any(|(n, _)| n == k) {
            d.push(Diagnostic::new(
                format!("{path}.operand_precision_bits.{k}"),
                format!("unknown operand `{k}`; the equation has {}", names()),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::workload::Workload;
    use crate::presets;

    fn layer(net: &str, id: i64) -> LayerSpec {
        let w = Workload::from_json(presets::workload(net).unwrap()).unwrap();
        let l = w.layers.iter().find(|l| l.id == id).unwrap();
        LayerSpec::from_layer(l, "workload.layers[x]").unwrap()
    }

    fn class_list(l: &LayerSpec, op: usize, c: DimClass) -> Vec<&str> {
        let mut v: Vec<&str> = (0..l.dims.len())
            .filter(|&i| l.operands[op].class[i] == c)
            .map(|i| l.dims[i].as_str())
            .collect();
        v.sort_unstable();
        v
    }

    /// The relevancy lists equal the `derived` lists of the reference file.
    #[test]
    fn relevancy_matches_reference_derived_lists() {
        for (net, text) in presets::WORKLOADS {
            let v: serde_json::Value = serde_json::from_str(text).unwrap();
            let w = Workload::from_json(text).unwrap();
            for (i, l) in w.layers.iter().enumerate() {
                if l.kind == "input" {
                    continue;
                }
                let spec = LayerSpec::from_layer(l, "x").unwrap();
                let der = &v["layers"][i]["derived"];
                for (k, op) in spec.operands.iter().enumerate() {
                    for (key, c) in [
                        ("relevant_loops", DimClass::R),
                        ("irrelevant_loops", DimClass::Ir),
                    ] {
                        let mut want: Vec<&str> = der[key][&op.name]
                            .as_array()
                            .unwrap()
                            .iter()
                            .map(|x| x.as_str().unwrap())
                            .collect();
                        want.sort_unstable();
                        assert_eq!(
                            class_list(&spec, k, c),
                            want,
                            "{net} L{} {} {key}",
                            l.id,
                            op.name
                        );
                    }
                    let pr = der["partially_relevant_loops"][&op.name]
                        .as_object()
                        .unwrap();
                    assert_eq!(op.has_pr, !pr.is_empty(), "{net} L{} {}", l.id, op.name);
                    let size = der["operand_size_elements"][&op.name].as_u64().unwrap();
                    assert_eq!(
                        spec.size_elems(k),
                        size as u128,
                        "{net} L{} {}",
                        l.id,
                        op.name
                    );
                }
            }
        }
    }

    #[test]
    fn fsrcnn_l0_operands() {
        let l = layer("fsrcnn", 0);
        let names: Vec<&str> = l.operands.iter().map(|o| o.name.as_str()).collect();
        assert_eq!(names, ["O", "W", "I"]);
        assert_eq!(
            l.relations[0],
            Relation {
                name: "IX".into(),
                a: 4,
                sa: 1,
                b: 6,
                sb: 1
            }
        );
        assert_eq!(l.o_final_bits, 8);
        assert_eq!(l.operands[0].precision_bits, 16);
    }
}
