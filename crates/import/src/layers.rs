//! The layers an import makes, and their workload-document JSON written
//! exactly as the presets write each kind (same keys, same key order,
//! same equations: key order carries meaning in the model, §1.1).

use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use serde_json::{json, Map, Value};

use crate::Precision;

/// A layer kind as the presets write it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `conv` (a `K × C × FY × FX` kernel); also a fully connected layer
    /// (resnet18's layer 27: `OX = OY = 1`, `FX × FY` = the input map).
    Conv,
    /// `pointwise_conv` as mobilenetv1 writes it: `FY = FX = 1` with the
    /// input-index relations of a convolution.
    PointwiseWindow,
    /// `pointwise_conv` as fsrcnn writes it: no `FY`/`FX`, the input
    /// indexed by the output pixel (`I[b][c][ox][oy]`).
    PointwiseDirect,
    /// `depthwise_conv`: one `FY × FX` kernel per channel `G`.
    Depthwise,
    /// `pooling`: a `FX × FY` window per channel, weight precision 0.
    Pooling,
    /// `elementwise_add`: `O = X + Y`.
    Add,
}

impl Kind {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Kind::Conv => "conv",
            Kind::PointwiseWindow | Kind::PointwiseDirect => "pointwise_conv",
            Kind::Depthwise => "depthwise_conv",
            Kind::Pooling => "pooling",
            Kind::Add => "elementwise_add",
        }
    }

    /// The layer's channel loop dimension, as its consumers map it.
    pub(crate) fn channel_dim(self) -> &'static str {
        match self {
            Kind::Conv | Kind::PointwiseWindow | Kind::PointwiseDirect => "K",
            Kind::Depthwise | Kind::Pooling | Kind::Add => "G",
        }
    }

    /// Whether a batch normalization after it can be folded into it.
    pub(crate) fn takes_scale(self) -> bool {
        matches!(
            self,
            Kind::Conv | Kind::PointwiseWindow | Kind::PointwiseDirect | Kind::Depthwise
        )
    }

    /// Whether it reads its input through input-index relations.
    fn has_relations(self) -> bool {
        !matches!(self, Kind::PointwiseDirect | Kind::Add)
    }
}

/// One input of a layer: the producing layer and its channel dimension.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Source {
    pub id: i64,
    pub chan: &'static str,
}

/// A layer of the import. `k` is `K` (convolutions) or `G` (the rest);
/// `c` is `C` (convolutions only). Strides and dilations are `(y, x)`.
#[derive(Clone, Debug)]
pub(crate) struct Draft {
    pub id: i64,
    pub kind: Kind,
    pub label: String,
    pub k: u64,
    pub c: u64,
    pub oy: u64,
    pub ox: u64,
    pub fy: u64,
    pub fx: u64,
    pub stride: (u64, u64),
    pub dilation: (u64, u64),
    pub inputs: Vec<Source>,
}

impl Draft {
    /// Rows and columns this layer reads of its input (§1.1.4: the model's
    /// `PRsize`, which for `S = 2, FX = 1` counts distinct pixels, Q10).
    pub(crate) fn reads(&self) -> Option<(u64, u64)> {
        use defines_model::num::pr_size;
        match self.kind {
            Kind::Add => None,
            Kind::PointwiseDirect => Some((self.oy, self.ox)),
            _ => Some((
                pr_size(
                    self.stride.0,
                    self.oy as f64,
                    self.dilation.0,
                    self.fy as f64,
                ) as u64,
                pr_size(
                    self.stride.1,
                    self.ox as f64,
                    self.dilation.1,
                    self.fx as f64,
                ) as u64,
            )),
        }
    }

    pub(crate) fn macs(&self) -> u64 {
        let (k, c, fy, fx) = match self.kind {
            Kind::Conv | Kind::PointwiseWindow | Kind::PointwiseDirect => {
                (self.k, self.c, self.fy, self.fx)
            }
            Kind::Depthwise | Kind::Pooling => (self.k, 1, self.fy, self.fx),
            Kind::Add => (self.k, 1, 1, 1),
        };
        [k, c, self.oy, self.ox, fy, fx]
            .iter()
            .fold(1u64, |a, &v| a.saturating_mul(v))
    }

    pub(crate) fn to_json(&self, p: &Precision) -> Value {
        let (sy, sx) = self.stride;
        let (dy, dx) = self.dilation;
        let relations = if self.kind.has_relations() {
            vec![format!("ix={sx}*ox+{dx}*fx"), format!("iy={sy}*oy+{dy}*fy")]
        } else {
            Vec::new()
        };
        let src = |i: usize| self.inputs.get(i).map_or(-1, |s| s.id);
        let chan = |i: usize| self.inputs.get(i).map_or("K", |s| s.chan);
        let mut loop_dims = Map::new();
        loop_dims.insert("B".into(), json!(1));
        let (equation, precision, sources, mapping, constants, links) = match self.kind {
            Kind::Conv | Kind::PointwiseWindow | Kind::PointwiseDirect => {
                for (d, v) in [
                    ("K", self.k),
                    ("C", self.c),
                    ("OY", self.oy),
                    ("OX", self.ox),
                ] {
                    loop_dims.insert(d.into(), json!(v));
                }
                if self.kind != Kind::PointwiseDirect {
                    loop_dims.insert("FY".into(), json!(self.fy));
                    loop_dims.insert("FX".into(), json!(self.fx));
                }
                let (eq, map) = match self.kind {
                    Kind::Conv => (
                        "O[b][k][oy][ox]+=W[k][c][fy][fx]*I[b][c][ix][iy]",
                        json!({"IX": "OX", "IY": "OY", "C": chan(0)}),
                    ),
                    Kind::PointwiseWindow => (
                        "O[b][k][oy][ox]+=W[k][c]*I[b][c][ix][iy]",
                        json!({"IX": "OX", "IY": "OY", "C": chan(0)}),
                    ),
                    _ => (
                        "O[b][k][oy][ox]+=W[k][c]*I[b][c][ox][oy]",
                        json!({"OX": "OX", "OY": "OY", "C": chan(0)}),
                    ),
                };
                (
                    eq,
                    json!({"O": p.partial_sums, "O_final": p.output, "W": p.weights, "I": p.activations}),
                    json!({"W": [], "I": [src(0)]}),
                    json!({ "I": map }),
                    json!(["W"]),
                    json!({"O": "O", "W": "I2", "I": "I1"}),
                )
            }
            Kind::Depthwise => {
                for (d, v) in [
                    ("G", self.k),
                    ("OY", self.oy),
                    ("OX", self.ox),
                    ("FY", self.fy),
                    ("FX", self.fx),
                ] {
                    loop_dims.insert(d.into(), json!(v));
                }
                (
                    "O[b][g][oy][ox]+=W[g][fy][fx]*I[b][g][ix][iy]",
                    json!({"O": p.partial_sums, "O_final": p.output, "W": p.weights, "I": p.activations}),
                    json!({"W": [], "I": [src(0)]}),
                    json!({"I": {"IX": "OX", "IY": "OY", "G": chan(0)}}),
                    json!(["W"]),
                    json!({"O": "O", "W": "I2", "I": "I1"}),
                )
            }
            Kind::Pooling => {
                for (d, v) in [
                    ("G", self.k),
                    ("OY", self.oy),
                    ("OX", self.ox),
                    ("FX", self.fx),
                    ("FY", self.fy),
                ] {
                    loop_dims.insert(d.into(), json!(v));
                }
                (
                    "O[b][g][oy][ox]+=W[fx][fy]*I[b][g][ix][iy]",
                    json!({"O": p.partial_sums, "O_final": p.output, "I": p.activations, "W": 0}),
                    json!({"W": [], "I": [src(0)]}),
                    json!({"I": {"IX": "OX", "IY": "OY", "G": chan(0)}}),
                    json!(["W"]),
                    json!({"O": "O", "I": "I1", "W": "I2"}),
                )
            }
            Kind::Add => {
                for (d, v) in [("G", self.k), ("OY", self.oy), ("OX", self.ox)] {
                    loop_dims.insert(d.into(), json!(v));
                }
                (
                    "O[b][g][oy][ox]=X[b][g][oy][ox]+Y[b][g][oy][ox]",
                    json!({"O": p.partial_sums, "O_final": p.output, "X": p.activations, "Y": p.activations}),
                    json!({"X": [src(0)], "Y": [src(1)]}),
                    json!({
                        "X": {"OX": "OX", "OY": "OY", "G": chan(0)},
                        "Y": {"OX": "OX", "OY": "OY", "G": chan(1)}
                    }),
                    json!([]),
                    json!({"O": "O", "X": "I1", "Y": "I1"}),
                )
            }
        };
        json!({
            "id": self.id,
            "kind": self.kind.name(),
            "label": self.label,
            "equation": equation,
            "equation_relations": relations,
            "loop_dims": Value::Object(loop_dims),
            "stride": {"x": sx, "y": sy},
            "dilation": {"x": dx, "y": dy},
            "operand_precision_bits": precision,
            "operand_sources": sources,
            "operand_source_dimension_mapping": mapping,
            "constant_operands": constants,
            "memory_operand_links": links,
            "core_allocation": 1
        })
    }
}

/// The network input: `K` channels of `OY × OX` pixels.
#[derive(Clone, Debug)]
pub(crate) struct InputLayer {
    pub label: String,
    pub k: u64,
    pub oy: u64,
    pub ox: u64,
}

impl InputLayer {
    pub(crate) fn to_json(&self, p: &Precision) -> Value {
        json!({
            "id": -1,
            "kind": "input",
            "label": self.label,
            "loop_dims": {"B": 1, "K": self.k, "OY": self.oy, "OX": self.ox},
            "precision_bits": p.activations,
            "memory_operand_links": {"O": "I1"},
            "core_allocation": 1
        })
    }
}

/// A size change the model's validation asks for: a producer may not
/// declare more rows or columns than its consumers read (docs/model.md
/// §1.1.6). Returns, per layer id (-1 = the input), what was cut.
///
/// Walks the layers from the output back, so a cut producer's own reads
/// are known before its producers are looked at. A producer read by an
/// element-wise add keeps its size (validation does not check those).
pub(crate) fn fit_to_consumers(input: &mut InputLayer, layers: &mut [Draft]) -> Vec<(i64, String)> {
    let mut notes = Vec::new();
    for p in (0..=layers.len()).rev() {
        let pid = if p == 0 { -1 } else { layers[p - 1].id };
        let mut need: Option<(u64, u64)> = Some((0, 0));
        let mut any = false;
        for l in layers.iter() {
            if !l.inputs.iter().any(|s| s.id == pid) {
                continue;
            }
            any = true;
            need = match (need, l.reads()) {
                (Some((y, x)), Some((ry, rx))) => Some((y.max(ry), x.max(rx))),
                _ => None,
            };
        }
        let Some((ny, nx)) = need.filter(|_| any) else {
            continue;
        };
        let (oy, ox) = if p == 0 {
            (&mut input.oy, &mut input.ox)
        } else {
            let l = &mut layers[p - 1];
            (&mut l.oy, &mut l.ox)
        };
        let mut cut = Vec::new();
        if ny > 0 && *oy > ny {
            cut.push(format!("OY {} -> {ny}", *oy));
            *oy = ny;
        }
        if nx > 0 && *ox > nx {
            cut.push(format!("OX {} -> {nx}", *ox));
            *ox = nx;
        }
        if !cut.is_empty() {
            notes.push((
                pid,
                format!(
                    "{}: its consumers read only that much (the rest is never used; docs/model.md §1.1.6)",
                    cut.join(", ")
                ),
            ));
        }
    }
    notes
}
