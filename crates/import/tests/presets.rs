//! The ONNX files of `tests/data/` (built by `make_presets.py` from the
//! preset workloads) import to the presets: same compute layers, loop
//! sizes and MACs, and the same evaluation, bit for bit.

use defines_import::{import, Options, PointwiseForm, Status};
use defines_model::{evaluate_network, presets, validate_json, Overlap, Schedule, Tile, Workload};
use serde_json::Value;

pub fn data(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The options that reproduce a preset: fsrcnn's input is dynamic, and
/// fsrcnn writes its 1×1 convolutions in the direct form.
fn options(net: &str) -> Options {
    match net {
        "fsrcnn" => Options {
            input_shape: Some([1, 1, 554, 974]),
            pointwise: PointwiseForm::Direct,
            ..Options::default()
        },
        _ => Options::default(),
    }
}

fn imported(net: &str) -> String {
    let r = import(&data(&format!("{net}.onnx")), &options(net))
        .unwrap_or_else(|e| panic!("{net}: {e}\n{}", e.report));
    r.workload_text()
}

const NETS: [&str; 5] = ["fsrcnn", "resnet18", "mobilenetv1", "dmcnnvd", "mccnn"];

#[test]
fn compute_layers_loop_sizes_and_macs_equal_the_presets() {
    for net in NETS {
        let text = imported(net);
        let got = Workload::from_json(&text).unwrap();
        let want = Workload::from_json(presets::workload(net).unwrap()).unwrap();
        assert_eq!(got.layers.len(), want.layers.len(), "{net}");
        for (g, w) in got.layers.iter().zip(&want.layers).skip(1) {
            assert_eq!((g.id, &g.kind), (w.id, &w.kind), "{net}");
            assert_eq!(g.loop_dims, w.loop_dims, "{net} layer {}", w.id);
            assert_eq!(
                g.equation_relations.len(),
                w.equation_relations.len(),
                "{net} layer {}",
                w.id
            );
            assert_eq!(g.operand_sources, w.operand_sources, "{net} layer {}", w.id);
            assert_eq!(
                g.operand_precision_bits, w.operand_precision_bits,
                "{net} layer {}",
                w.id
            );
        }
        assert_eq!(
            got.macs_per_layer()
                .iter()
                .map(|l| l.macs)
                .collect::<Vec<_>>(),
            want.macs_per_layer()
                .iter()
                .map(|l| l.macs)
                .collect::<Vec<_>>(),
            "{net}"
        );
        assert_eq!(got.total_macs(), want.total_macs(), "{net}");
    }
    // The totals of crates/model/presets/REFERENCE-README.md.
    let total = |net: &str| Workload::from_json(&imported(net)).unwrap().total_macs();
    assert_eq!(total("fsrcnn"), 8_362_594_208);
    assert_eq!(total("resnet18"), 9_353_143_424);
    assert_eq!(total("mobilenetv1"), 1_891_288_512);
    assert_eq!(total("dmcnnvd"), 276_042_714_624);
    assert_eq!(total("mccnn"), 52_278_792_192);
}

/// The input layer: a valid-convolution graph reads more than the preset's
/// input layer says (resnet18's first layer reads 627×627, the preset
/// writes 224×224). The model overwrites the input's OX/OY with what the
/// first layer reads (§1.1.1, §3.2), so this changes no number below.
#[test]
fn input_layers_differ_only_in_their_size() {
    let cases = [
        ("fsrcnn", [1, 554, 974], [1, 554, 974]),
        ("resnet18", [3, 627, 627], [3, 224, 224]),
        ("mobilenetv1", [3, 507, 507], [3, 224, 224]),
        ("dmcnnvd", [3, 552, 798], [3, 512, 768]),
        ("mccnn", [1, 1250, 384], [1, 1242, 376]),
    ];
    for (net, got, preset) in cases {
        let w = Workload::from_json(&imported(net)).unwrap();
        let p = Workload::from_json(presets::workload(net).unwrap()).unwrap();
        let dims = |w: &Workload| {
            let d = &w.layers[0].loop_dims;
            [d.get("K"), d.get("OY"), d.get("OX")].map(|v| *v.unwrap())
        };
        assert_eq!((dims(&w), dims(&p)), (got, preset), "{net}");
    }
}

/// Removes the names (labels) from a report: the imported layers are
/// labelled with their ONNX node names.
fn unnamed(mut v: Value) -> Value {
    fn strip(v: &mut Value) {
        match v {
            Value::Object(m) => {
                m.remove("name");
                m.values_mut().for_each(strip);
            }
            Value::Array(a) => a.iter_mut().for_each(strip),
            _ => {}
        }
    }
    strip(&mut v);
    v
}

fn evaluation(workload: &str, net: &str, mode: u8, tile: (u64, u64)) -> Value {
    let hw = presets::hardware("Meta_prototype_DF").unwrap();
    let map = presets::mapping(&format!("Meta_prototype__{net}")).unwrap();
    let sc = validate_json(workload, hw, map).unwrap_or_else(|d| panic!("{net}: {d:?}"));
    let sched = Schedule {
        tile: Tile {
            x: tile.0,
            y: tile.1,
        },
        overlap: Overlap::from_name(&mode.to_string()).unwrap(),
        ..Schedule::default()
    };
    let r = evaluate_network(&sc, &sched).unwrap_or_else(|e| panic!("{net}: {e}"));
    assert!(r.energy_pj > 0.0 && r.latency_cycles > 0, "{net}");
    unnamed(serde_json::to_value(&r).unwrap())
}

#[test]
fn evaluations_equal_the_presets_bit_for_bit() {
    for net in NETS {
        let text = imported(net);
        for (mode, tile) in [(3, (16, 18)), (1, (60, 72))] {
            let got = evaluation(&text, net, mode, tile);
            let want = evaluation(presets::workload(net).unwrap(), net, mode, tile);
            assert_eq!(got, want, "{net} mode {mode} tile {tile:?}");
        }
    }
}

/// fsrcnn's published totals (docs/model.md §6.10) through the import.
#[test]
fn fsrcnn_reference_totals_through_the_import() {
    let v = evaluation(&imported("fsrcnn"), "fsrcnn", 3, (16, 18));
    assert_eq!(v["latency_cycles"], 20_523_395);
    let e = v["energy_pj"].as_f64().unwrap();
    assert!((e - 1_822_760_872.090).abs() < 1e-6 * e, "{e}");
}

/// The two ways the presets write a 1×1 convolution give different
/// numbers (§1.1.3): mobilenetv1's window form on fsrcnn lowers its energy.
#[test]
fn pointwise_forms_differ() {
    let window = import(
        &data("fsrcnn.onnx"),
        &Options {
            pointwise: PointwiseForm::Window,
            ..options("fsrcnn")
        },
    )
    .unwrap()
    .workload_text();
    let w = evaluation(&window, "fsrcnn", 3, (16, 18));
    let d = evaluation(&imported("fsrcnn"), "fsrcnn", 3, (16, 18));
    assert_eq!(w["latency_cycles"], d["latency_cycles"]);
    let (we, de) = (
        w["energy_pj"].as_f64().unwrap(),
        d["energy_pj"].as_f64().unwrap(),
    );
    assert!((we - 1_818_087_666.650).abs() < 1e-6 * we, "{we}");
    assert!(we < de);
}

#[test]
fn report_says_what_became_of_each_node() {
    let r = import(&data("resnet18.onnx"), &Options::default()).unwrap();
    let text = r.report.to_string();
    let line = |node: &str| {
        r.report
            .line(node)
            .unwrap_or_else(|| panic!("{node}\n{text}"))
    };
    assert_eq!(
        line("input").status,
        Status::Layer {
            id: -1,
            kind: "input".into(),
            note: String::new()
        }
    );
    assert!(
        matches!(&line("L0 conv1, stride 2").status, Status::Layer { id: 0, kind, .. } if kind == "conv")
    );
    assert!(
        matches!(&line("L0 conv1, stride 2 bn").status, Status::Folded(s) if s.starts_with("into layer 0 (conv)"))
    );
    assert!(matches!(
        &line("L0 conv1, stride 2 relu").status,
        Status::PassedThrough(_)
    ));
    let crop = "crop for L4 Addition of layer 1 (residual path) and layer 3 (main path)";
    assert!(
        text.contains(&format!(
            "{crop} (Slice): passed through: crop 155×155 to 151×151"
        )),
        "{text}"
    );
    assert!(
        text.contains("(Pad): passed through: zero padding 64×71×71 to 128×71×71"),
        "{text}"
    );
    assert!(
        matches!(&line("L27 fc").status, Status::Layer { id: 27, kind, note } if kind == "conv" && note.starts_with("fully connected: 1000 outputs of 512 channels × 1×1"))
    );
    assert!(matches!(&line("softmax").status, Status::PassedThrough(_)));
    // Every node has a line, and the input one more.
    let model = data("resnet18.onnx");
    let nodes = text.lines().count();
    assert!(
        nodes > 28 * 2 && !text.contains("unsupported"),
        "{nodes}\n{text}"
    );
    let _ = model;
}
