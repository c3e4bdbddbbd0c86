//! Files the importer refuses, each with a clear error and never a panic,
//! and small graphs built here with the generated prost types.

use defines_import::onnx_proto::{
    attribute_proto::AttributeType, tensor_shape_proto::dimension, tensor_shape_proto::Dimension,
    type_proto, AttributeProto, GraphProto, ModelProto, NodeProto, OperatorSetIdProto, TensorProto,
    TensorShapeProto, TypeProto, ValueInfoProto,
};
use defines_import::{import, mapping, Options, Status};
use defines_model::{evaluate_network, presets, validate_json, Hardware, Schedule, Workload};
use prost::Message;

fn data(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn err(bytes: &[u8], o: &Options) -> String {
    match import(bytes, o) {
        Err(e) => e.message,
        Ok(r) => panic!("imported:\n{}", r.report),
    }
}

#[test]
fn truncated_files_are_errors() {
    let full = data("resnet18.onnx");
    let half = err(&full[..full.len() / 2], &Options::default());
    assert!(
        half.starts_with("not an ONNX model: its protobuf data cannot be decoded"),
        "{half}"
    );
    assert!(half.contains("truncated"), "{half}");
    for cut in (0..full.len()).step_by(97) {
        assert!(
            import(&full[..cut], &Options::default()).is_err(),
            "cut at {cut}"
        );
    }
}

#[test]
fn other_files_are_not_onnx() {
    for bytes in [
        &b"this is not an onnx model\n"[..],
        presets::workload("fsrcnn").unwrap().as_bytes(),
        &[],
        &[0xff; 64],
    ] {
        let m = err(bytes, &Options::default());
        assert!(m.starts_with("not an ONNX model"), "{m}");
    }
}

#[test]
fn mutated_files_never_panic() {
    let full = data("mobilenetv1.onnx");
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for _ in 0..300 {
        let mut b = full.clone();
        for _ in 0..1 + next() % 4 {
            let i = (next() as usize) % b.len();
            b[i] = next() as u8;
        }
        let _ = import(&b, &Options::default());
    }
}

#[test]
fn unsupported_opset() {
    let m = err(&data("opset6.onnx"), &Options::default());
    assert!(
        m.contains("default-domain opset 6 is not supported") && m.contains("opsets 7 to 28"),
        "{m}"
    );
}

#[test]
fn dynamic_shapes_need_an_input_shape() {
    let m = err(&data("fsrcnn.onnx"), &Options::default());
    assert_eq!(
        m,
        "input `input` has a dynamic size `H` in dimension 2; give its shape with --input-shape \
         1xCxHxW (Options::input_shape)"
    );
    let m = err(
        &data("fsrcnn.onnx"),
        &Options {
            input_shape: Some([2, 1, 554, 974]),
            ..Options::default()
        },
    );
    assert!(
        m.contains("batch is 2") && m.contains("give 1x1x554x974"),
        "{m}"
    );
    let m = err(
        &data("fsrcnn.onnx"),
        &Options {
            input_shape: Some([1, 3, 554, 974]),
            ..Options::default()
        },
    );
    assert!(m.contains("has 1 channels, the input shape gives 3"), "{m}");
    let ok = import(
        &data("fsrcnn.onnx"),
        &Options {
            input_shape: Some([1, 1, 554, 974]),
            ..Options::default()
        },
    )
    .unwrap();
    let Status::Layer { note, .. } = &ok.report.lines[0].status else {
        panic!()
    };
    assert_eq!(note, "shape 1×1×554×974 from the options");
}

#[test]
fn a_cycle_is_an_error() {
    let m = err(&data("cycle.onnx"), &Options::default());
    assert!(
        m.starts_with("the graph has a cycle: node `a` (Relu)"),
        "{m}"
    );
}

#[test]
fn oversized_input_is_refused_before_decoding() {
    let full = data("resnet18.onnx");
    let m = err(
        &full,
        &Options {
            max_bytes: 1000,
            ..Options::default()
        },
    );
    assert_eq!(
        m,
        format!(
            "the ONNX file's size in bytes {} is over the limit 1000 ({})",
            full.len(),
            defines_import::limits::MAX_ONNX_BYTES_WHY
        )
    );
}

#[test]
fn unsupported_operator_is_named_and_reported() {
    let e = import(&data("concat.onnx"), &Options::default()).unwrap_err();
    assert!(
        e.message
            .starts_with("cannot model node `join` (Concat): concatenation"),
        "{}",
        e.message
    );
    let r = &e.report;
    assert!(matches!(
        r.line("conv").unwrap().status,
        Status::Layer { id: 0, .. }
    ));
    assert!(
        matches!(&r.line("join").unwrap().status, Status::Unsupported(w) if w.starts_with("concatenation"))
    );
    assert_eq!(
        r.line("after").unwrap().status,
        Status::StoppedHere(
            "its input `cat` comes from node `join`, which could not be imported".into()
        )
    );
    assert_eq!(r.unsupported().count(), 1);
}

// ---- small graphs built with the generated types ----

fn dims(d: &[i64]) -> Option<TypeProto> {
    let dim = d
        .iter()
        .map(|&v| Dimension {
            value: Some(if v < 0 {
                dimension::Value::DimParam("n".into())
            } else {
                dimension::Value::DimValue(v)
            }),
            ..Default::default()
        })
        .collect();
    Some(TypeProto {
        value: Some(type_proto::Value::TensorType(type_proto::Tensor {
            elem_type: Some(1),
            shape: Some(TensorShapeProto { dim }),
        })),
        ..Default::default()
    })
}

fn ints(name: &str, v: &[i64]) -> AttributeProto {
    AttributeProto {
        name: Some(name.into()),
        r#type: Some(AttributeType::Ints as i32),
        ints: v.to_vec(),
        ..Default::default()
    }
}

fn int(name: &str, v: i64) -> AttributeProto {
    AttributeProto {
        name: Some(name.into()),
        r#type: Some(AttributeType::Int as i32),
        i: Some(v),
        ..Default::default()
    }
}

fn node(
    op: &str,
    name: &str,
    ins: &[&str],
    out: &str,
    attribute: Vec<AttributeProto>,
) -> NodeProto {
    NodeProto {
        op_type: Some(op.into()),
        name: Some(name.into()),
        input: ins.iter().map(|s| s.to_string()).collect(),
        output: vec![out.into()],
        attribute,
        ..Default::default()
    }
}

fn weight(name: &str, d: &[i64]) -> TensorProto {
    TensorProto {
        name: Some(name.into()),
        data_type: Some(1),
        dims: d.to_vec(),
        ..Default::default()
    }
}

fn model(nodes: Vec<NodeProto>, inits: Vec<TensorProto>, input: &[i64], out: &str) -> Vec<u8> {
    ModelProto {
        ir_version: Some(8),
        opset_import: vec![OperatorSetIdProto {
            domain: Some(String::new()),
            version: Some(17),
        }],
        graph: Some(GraphProto {
            name: Some("small".into()),
            node: nodes,
            initializer: inits,
            input: vec![ValueInfoProto {
                name: Some("x".into()),
                r#type: dims(input),
                ..Default::default()
            }],
            output: vec![ValueInfoProto {
                name: Some(out.into()),
                ..Default::default()
            }],
            ..Default::default()
        }),
        ..Default::default()
    }
    .encode_to_vec()
}

/// Two 3×3 convolutions with pads 1 on 8×8: each keeps the ONNX output
/// size (8×8), reads 10×10, and the evaluation computes the first one at
/// 10×10 (the full-size back-propagation, docs/model.md §1.1.6).
#[test]
fn padded_convolutions_keep_their_onnx_size_and_are_evaluated_larger() {
    let pads = || vec![ints("pads", &[1, 1, 1, 1])];
    let bytes = model(
        vec![
            node("Conv", "c0", &["x", "w0"], "a", pads()),
            node("Conv", "c1", &["a", "w1"], "y", pads()),
        ],
        vec![weight("w0", &[8, 3, 3, 3]), weight("w1", &[8, 8, 3, 3])],
        &[1, 3, 8, 8],
        "y",
    );
    let r = import(&bytes, &Options::default()).unwrap();
    let w = Workload::from_json(&r.workload_text()).unwrap();
    let sizes: Vec<(u64, u64)> = w
        .layers
        .iter()
        .map(|l| {
            (
                l.loop_dims.get("OY").copied().unwrap(),
                l.loop_dims.get("OX").copied().unwrap(),
            )
        })
        .collect();
    assert_eq!(sizes, [(8, 8), (8, 8), (8, 8)]);
    assert_eq!(w.total_macs(), 8 * 3 * 9 * 64 + 8 * 8 * 9 * 64);
    let Status::Layer { note, .. } = &r.report.line("c1").unwrap().status else {
        panic!()
    };
    assert!(note.contains("reads 10×10 of its 8×8 input"), "{note}");
    let hw_text = presets::hardware("Meta_prototype_DF").unwrap();
    let hw = Hardware::from_json(hw_text).unwrap();
    let m = mapping::derive_mapping(&w, "Meta_prototype", &hw.array_dims).unwrap();
    let sc = validate_json(&r.workload_text(), hw_text, &m.to_string()).unwrap();
    let rep = evaluate_network(&sc, &Schedule::default()).unwrap();
    let full: Vec<u64> = rep
        .stack_details
        .iter()
        .flat_map(|s| s.layer_macs.iter().map(|m| m.full_macs))
        .collect();
    assert_eq!(full, [8 * 3 * 9 * 100, 8 * 8 * 9 * 64]);
}

/// A stride-2 window that leaves the last column unread: the producer is
/// cut to what is read (validation refuses a producer larger than that).
#[test]
fn unread_columns_are_cut_and_reported() {
    let bytes = model(
        vec![
            node("Conv", "c0", &["x", "w0"], "a", vec![]),
            node(
                "MaxPool",
                "pool",
                &["a"],
                "y",
                vec![ints("kernel_shape", &[2, 2]), ints("strides", &[2, 2])],
            ),
        ],
        vec![weight("w0", &[4, 3, 3, 3])],
        &[1, 3, 9, 9],
        "y",
    );
    let r = import(&bytes, &Options::default()).unwrap();
    let w = Workload::from_json(&r.workload_text()).unwrap();
    assert_eq!(w.layers[1].loop_dims.get("OX"), Some(&6));
    assert_eq!(w.layers[2].loop_dims.get("OX"), Some(&3));
    let Status::Layer { note, .. } = &r.report.line("c0").unwrap().status else {
        panic!()
    };
    assert!(
        note.starts_with("OY 7 -> 6, OX 7 -> 6: its consumers read only that much"),
        "{note}"
    );
    let Status::Layer { note, .. } = &r.report.lines[0].status else {
        panic!()
    };
    assert!(note.contains("OY 9 -> 8, OX 9 -> 8"), "{note}");
}

#[test]
fn graph_level_refusals() {
    let conv = || vec![node("Conv", "c0", &["x", "w0"], "y", vec![])];
    let w0 = || vec![weight("w0", &[4, 3, 3, 3])];
    let m = err(
        &model(conv(), w0(), &[4, 3, 8, 8], "y"),
        &Options::default(),
    );
    assert!(
        m.contains("has batch size 4; the model evaluates batch 1"),
        "{m}"
    );
    let ok = import(
        &model(conv(), w0(), &[-1, 3, 8, 8], "y"),
        &Options::default(),
    )
    .unwrap();
    assert!(
        matches!(&ok.report.lines[0].status, Status::Layer { note, .. } if note == "batch `n` set to 1")
    );
    let m = err(&model(conv(), w0(), &[1, 3, 8], "y"), &Options::default());
    assert!(m.contains("has 3 dimensions"), "{m}");
    let grouped = vec![node("Conv", "g", &["x", "w"], "y", vec![int("group", 2)])];
    let e = import(
        &model(
            grouped,
            vec![weight("w", &[4, 2, 3, 3])],
            &[1, 4, 8, 8],
            "y",
        ),
        &Options::default(),
    )
    .unwrap_err();
    assert!(
        e.message.starts_with(
            "cannot model node `g` (Conv): a grouped convolution (group = 2 of 4 channels)"
        ),
        "{}",
        e.message
    );
    let dw = vec![node("Conv", "dw", &["x", "w"], "y", vec![int("group", 4)])];
    let ok = import(
        &model(dw, vec![weight("w", &[4, 1, 3, 3])], &[1, 4, 8, 8], "y"),
        &Options::default(),
    )
    .unwrap();
    assert!(
        matches!(&ok.report.line("dw").unwrap().status, Status::Layer { kind, .. } if kind == "depthwise_conv")
    );
    let bad_w = vec![node("Conv", "c", &["x", "w"], "y", vec![])];
    let m = err(
        &model(bad_w, vec![weight("w", &[4, 5, 3, 3])], &[1, 3, 8, 8], "y"),
        &Options::default(),
    );
    assert!(m.contains("node `c` (Conv): its weight [4, 5, 3, 3] with group 1 does not fit its input's 3 channels"), "{m}");
    let missing = vec![node("Relu", "r", &["nowhere"], "y", vec![])];
    let m = err(
        &model(missing, vec![], &[1, 3, 8, 8], "y"),
        &Options::default(),
    );
    assert!(m.contains("reads `nowhere`, which no node"), "{m}");
    let only_relu = vec![node("Relu", "r", &["x"], "y", vec![])];
    let m = err(
        &model(only_relu, vec![], &[1, 3, 8, 8], "y"),
        &Options::default(),
    );
    assert!(m.contains("no layer the model evaluates"), "{m}");
}
