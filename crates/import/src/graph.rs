//! The ONNX file as a graph: decoding (prost, bounded), the opset, the
//! nodes in topological order, initializers by name, the shapes that
//! graph inputs and `value_info` declare, and attribute readers.

use alloc::collections::{BTreeMap, BTreeSet};
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use prost::Message;

use crate::limits;
use crate::onnx_proto::{
    attribute_proto::AttributeType, tensor_shape_proto::dimension, type_proto, AttributeProto,
    GraphProto, ModelProto, NodeProto, TensorProto, ValueInfoProto,
};
use crate::report::quote;

/// One dimension as a graph input or `value_info` declares it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Dim {
    Value(i64),
    /// A symbolic (dynamic) size such as `batch` or `height`.
    Param(String),
    Unknown,
}

/// Decodes the file. `max_bytes` bounds the input before anything else.
pub(crate) fn decode(model: bytes::Bytes, max_bytes: usize) -> Result<ModelProto, String> {
    if model.len() > max_bytes {
        return Err(defines_model::limits::exceeded(
            "the ONNX file's size in bytes",
            model.len(),
            max_bytes,
            limits::MAX_ONNX_BYTES_WHY,
        ));
    }
    let m = ModelProto::decode(model).map_err(|e| {
        format!(
            "not an ONNX model: its protobuf data cannot be decoded ({e}); the file is truncated or \
             not an ONNX model: export it again (torch.onnx.export, tf2onnx, ...)"
        )
    })?;
    match (m.ir_version, &m.graph) {
        (Some(v), Some(_)) if v >= 3 => Ok(m),
        (Some(v), Some(_)) => Err(format!(
            "ONNX IR version {v} is older than 3 (the first with opsets); export the model again \
             with a current exporter"
        )),
        _ => Err(
            "not an ONNX model: the file decodes as protobuf but has no IR version or no graph; \
             give an .onnx file (a ModelProto)"
                .into(),
        ),
    }
}

/// The default-domain opset the model imports, within [`limits::OPSETS`].
pub(crate) fn opset(m: &ModelProto) -> Result<i64, String> {
    let v = m
        .opset_import
        .iter()
        .find(|o| matches!(o.domain.as_deref(), None | Some("") | Some("ai.onnx")))
        .map(|o| o.version.unwrap_or(0))
        .ok_or_else(|| {
            "the model imports no opset of the default ONNX domain (opset_import has no entry \
             with domain \"\"); export it again with an opset from 7 to 28"
                .to_string()
        })?;
    if limits::OPSETS.contains(&v) {
        Ok(v)
    } else {
        Err(format!(
            "opset_import: default-domain opset {v} is not supported; the importer reads opsets {} \
             to {} (export with e.g. torch.onnx.export(..., opset_version=17), or convert with \
             onnx.version_converter)",
            limits::OPSETS.start(),
            limits::OPSETS.end()
        ))
    }
}

/// The counts of the graph within the limits, before any table is built.
pub(crate) fn check_counts(g: &GraphProto) -> Result<(), String> {
    let counts = [
        (
            "graph.node: the number of nodes",
            g.node.len(),
            limits::MAX_NODES,
        ),
        (
            "graph.initializer: the number of initializers",
            g.initializer.len() + g.sparse_initializer.len(),
            limits::MAX_INITIALIZERS,
        ),
        (
            "graph.input: the number of inputs",
            g.input.len(),
            limits::MAX_VALUE_INFOS,
        ),
        (
            "graph.output: the number of outputs",
            g.output.len(),
            limits::MAX_VALUE_INFOS,
        ),
        (
            "graph.value_info: the number of entries",
            g.value_info.len(),
            limits::MAX_VALUE_INFOS,
        ),
    ];
    for (what, n, max) in counts {
        if n > max {
            return Err(defines_model::limits::exceeded(
                what,
                n,
                max,
                limits::MAX_NODES_WHY,
            ));
        }
    }
    Ok(())
}

/// A node's display name: its name, or `#i` (its index) when it has none.
pub(crate) fn node_name(n: &NodeProto, i: usize) -> String {
    match n.name.as_deref() {
        Some(s) if !s.is_empty() => s.to_string(),
        _ => format!("#{i}"),
    }
}

/// The node indices in a topological order that keeps the file's order
/// where it already is one (ONNX requires that; a file that breaks it is
/// still read). A cycle is an error naming a node on it.
pub(crate) fn topological_order(g: &GraphProto) -> Result<Vec<usize>, String> {
    let mut producer: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, n) in g.node.iter().enumerate() {
        for o in n.output.iter().filter(|o| !o.is_empty()) {
            if let Some(first) = producer.insert(o.as_str(), i) {
                return Err(format!(
                    "tensor {} is the output of two nodes ({} and {}); ONNX names every value once",
                    quote(o),
                    quote(&node_name(&g.node[first], first)),
                    quote(&node_name(n, i))
                ));
            }
        }
    }
    let mut waiting: Vec<usize> = Vec::with_capacity(g.node.len());
    let mut consumers: Vec<Vec<usize>> = Vec::with_capacity(g.node.len());
    consumers.resize_with(g.node.len(), Vec::new);
    for (i, n) in g.node.iter().enumerate() {
        let deps: BTreeSet<usize> = n
            .input
            .iter()
            .filter_map(|t| producer.get(t.as_str()).copied())
            .collect();
        waiting.push(deps.len());
        for d in deps {
            consumers[d].push(i);
        }
    }
    let mut ready: BTreeSet<usize> = (0..g.node.len()).filter(|&i| waiting[i] == 0).collect();
    let mut order = Vec::with_capacity(g.node.len());
    while let Some(i) = ready.pop_first() {
        order.push(i);
        for &c in &consumers[i] {
            waiting[c] -= 1;
            if waiting[c] == 0 {
                ready.insert(c);
            }
        }
    }
    if let Some(stuck) = (0..g.node.len()).find(|&i| waiting[i] > 0) {
        return Err(format!(
            "the graph has a cycle: node {} ({}) depends, through its inputs, on its own output; \
             ONNX graphs are acyclic: export the model again",
            quote(&node_name(&g.node[stuck], stuck)),
            g.node[stuck].op_type.as_deref().unwrap_or("")
        ));
    }
    Ok(order)
}

/// The declared shape of a value (graph input, output or `value_info`).
pub(crate) fn declared_shape(v: &ValueInfoProto) -> Option<Vec<Dim>> {
    let t = match v.r#type.as_ref()?.value.as_ref()? {
        type_proto::Value::TensorType(t) => t,
        _ => return None,
    };
    let shape = t.shape.as_ref()?;
    Some(
        shape
            .dim
            .iter()
            .map(|d| match &d.value {
                Some(dimension::Value::DimValue(v)) => Dim::Value(*v),
                Some(dimension::Value::DimParam(p)) if !p.is_empty() => Dim::Param(p.clone()),
                _ => Dim::Unknown,
            })
            .collect(),
    )
}

/// A tensor's dimensions as sizes (`None` if one is negative).
pub(crate) fn tensor_dims(t: &TensorProto) -> Option<Vec<u64>> {
    t.dims.iter().map(|&d| u64::try_from(d).ok()).collect()
}

/// The values of a small integer tensor (INT64 or INT32; from the typed
/// field or `raw_data`), at most [`limits::MAX_CONST_VALUES`] of them.
pub(crate) fn tensor_ints(t: &TensorProto) -> Option<Vec<i64>> {
    const INT32: i32 = 6;
    const INT64: i32 = 7;
    let count = t
        .dims
        .iter()
        .try_fold(1u64, |a, &d| a.checked_mul(u64::try_from(d).ok()?))?;
    if count > limits::MAX_CONST_VALUES as u64 {
        return None;
    }
    let count = count as usize;
    let values: Vec<i64> = match (t.data_type, t.raw_data.as_ref()) {
        (Some(INT64), Some(raw)) if !raw.is_empty() => raw
            .chunks_exact(8)
            .map(|c| c.try_into().map(i64::from_le_bytes).unwrap_or(0))
            .collect(),
        (Some(INT32), Some(raw)) if !raw.is_empty() => raw
            .chunks_exact(4)
            .map(|c| c.try_into().map(i32::from_le_bytes).map_or(0, i64::from))
            .collect(),
        (Some(INT64), _) => t.int64_data.clone(),
        (Some(INT32), _) => t.int32_data.iter().map(|&v| i64::from(v)).collect(),
        _ => return None,
    };
    (values.len() == count).then_some(values)
}

/// One node's attributes, read by name.
pub(crate) struct Attrs<'a> {
    attrs: &'a [AttributeProto],
    node: String,
}

impl<'a> Attrs<'a> {
    pub(crate) fn new(n: &'a NodeProto, node: &str) -> Result<Self, String> {
        if n.attribute.len() > limits::MAX_ATTRIBUTES {
            return Err(defines_model::limits::exceeded(
                &format!("node {}: the number of attributes", quote(node)),
                n.attribute.len(),
                limits::MAX_ATTRIBUTES,
                "no operator has that many",
            ));
        }
        Ok(Attrs {
            attrs: &n.attribute,
            node: node.to_string(),
        })
    }

    fn get(&self, name: &str) -> Option<&'a AttributeProto> {
        self.attrs.iter().find(|a| a.name.as_deref() == Some(name))
    }

    fn kind(a: &AttributeProto) -> Option<AttributeType> {
        a.r#type.and_then(|t| AttributeType::try_from(t).ok())
    }

    /// An integer attribute, or `default` when absent.
    pub(crate) fn int(&self, name: &str, default: i64) -> Result<i64, String> {
        match self.get(name) {
            None => Ok(default),
            Some(a) if matches!(Self::kind(a), None | Some(AttributeType::Int)) => {
                a.i.ok_or_else(|| self.wrong(name, "an integer"))
            }
            Some(_) => Err(self.wrong(name, "an integer")),
        }
    }

    /// An integer-list attribute, or `None` when absent.
    pub(crate) fn ints(&self, name: &str) -> Result<Option<&'a [i64]>, String> {
        match self.get(name) {
            None => Ok(None),
            Some(a) if matches!(Self::kind(a), None | Some(AttributeType::Ints)) => {
                if a.ints.len() > limits::MAX_CONST_VALUES {
                    return Err(defines_model::limits::exceeded(
                        &format!("node {}: attribute `{name}`'s length", quote(&self.node)),
                        a.ints.len(),
                        limits::MAX_CONST_VALUES,
                        "it has one value per dimension",
                    ));
                }
                Ok(Some(&a.ints))
            }
            Some(_) => Err(self.wrong(name, "a list of integers")),
        }
    }

    /// A string attribute, or `default` when absent.
    pub(crate) fn string(&self, name: &str, default: &str) -> Result<String, String> {
        match self.get(name) {
            None => Ok(default.to_string()),
            Some(a) => match &a.s {
                Some(s) => Ok(String::from_utf8_lossy(s).into_owned()),
                None => Err(self.wrong(name, "a string")),
            },
        }
    }

    /// A tensor attribute (`Constant`'s `value`).
    pub(crate) fn tensor(&self, name: &str) -> Option<&'a TensorProto> {
        self.get(name).and_then(|a| a.t.as_ref())
    }

    /// Whether the attribute is present.
    pub(crate) fn has(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    fn wrong(&self, name: &str, want: &str) -> String {
        format!(
            "node {}: attribute `{name}` is not {want}; export the model again",
            quote(&self.node)
        )
    }
}
