//! `defines import onnx` and `--workload MODEL.onnx`, on the files of
//! `crates/import/tests/data/` (the presets rebuilt as ONNX graphs).

mod common;
use common::{defines, json};

use serde_json::Value;

fn data(name: &str) -> String {
    format!("{}/../import/tests/data/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// A report without its names (the imported layers carry node names).
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

#[test]
fn import_prints_a_workload_macs_reads_with_the_preset_totals() {
    let fsrcnn = data("fsrcnn.onnx");
    let (code, out, err) = defines(&[
        "import",
        "onnx",
        &fsrcnn,
        "--input-shape",
        "1x1x554x974",
        "--pointwise",
        "direct",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(err.starts_with("input (input): layer -1 (input): shape 1×1×554×974 from the options\nL0 (Conv): layer 0 (conv)\n"), "{err}");
    assert!(err.contains("L7 (Conv): layer 7 (conv)"), "{err}");
    let path = std::env::temp_dir().join(format!("defines-onnx-{}.json", std::process::id()));
    std::fs::write(&path, &out).unwrap();
    let v = json(&[
        "macs",
        "--workload",
        path.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let _ = std::fs::remove_file(&path);
    let preset = json(&["macs", "--workload", "fsrcnn", "--format", "json"]);
    assert_eq!(v["workload"], "fsrcnn");
    assert_eq!(v["total_macs"], 8_362_594_208u64);
    let macs = |v: &Value| -> Vec<u64> {
        v["layers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["macs"].as_u64().unwrap())
            .collect()
    };
    assert_eq!(macs(&v), macs(&preset));
    // --workload MODEL.onnx directly.
    let r = json(&[
        "macs",
        "--workload",
        &data("resnet18.onnx"),
        "--format",
        "json",
    ]);
    assert_eq!(r["total_macs"], 9_353_143_424u64);
    assert_eq!(r["layers"].as_array().unwrap().len(), 28);
}

#[test]
fn eval_of_an_onnx_workload_equals_the_preset_bit_for_bit() {
    let resnet = data("resnet18.onnx");
    for (mode, tile) in [("3", "16x18"), ("1", "60x72")] {
        let run = |workload: &str, mapping: Option<&str>| {
            let mut a = vec![
                "eval",
                "--format",
                "json",
                "--hardware",
                "Meta_prototype_DF",
            ];
            a.extend(["--workload", workload, "--mode", mode, "--tile", tile]);
            if let Some(m) = mapping {
                a.extend(["--mapping", m]);
            }
            unnamed(json(&a))
        };
        let preset = run("resnet18", None);
        assert_eq!(
            run(&resnet, Some("Meta_prototype__resnet18")),
            preset,
            "{mode} {tile}"
        );
        // The mapping derived for Meta_prototype is the preset's.
        assert_eq!(run(&resnet, None), preset, "{mode} {tile}");
    }
    let v = json(&[
        "eval",
        "--format",
        "json",
        "--hardware",
        "Meta_prototype_DF",
        "--workload",
        &resnet,
        "--mode",
        "3",
        "--tile",
        "16x18",
    ]);
    assert_eq!(v["latency_cycles"], 12_994_523);
}

#[test]
fn sweep_takes_an_onnx_workload() {
    let (code, out, err) = defines(&[
        "sweep",
        "--hardware",
        "TPU_like",
        "--workload",
        &data("mobilenetv1.onnx"),
        "--tiles-x",
        "7",
        "--tiles-y",
        "7",
        "--modes",
        "3",
        "--format",
        "csv",
    ]);
    assert_eq!(code, 0, "{err}");
    let row = out.lines().nth(1).unwrap();
    assert!(
        row.starts_with("3,7,7,") && row.ends_with(",true,"),
        "{out}"
    );
}

#[test]
fn an_unsupported_operator_exits_2_naming_the_node() {
    let (code, out, err) = defines(&["import", "onnx", &data("concat.onnx")]);
    assert_eq!((code, out.as_str()), (2, ""));
    assert!(
        err.contains("join (Concat): unsupported: concatenation"),
        "{err}"
    );
    assert!(err.contains("after (Conv): stopped here"), "{err}");
    assert!(
        err.contains("concat.onnx: cannot model node `join` (Concat)"),
        "{err}"
    );
    let (code, _, err) = defines(&[
        "eval",
        "--hardware",
        "Meta_prototype_DF",
        "--workload",
        &data("concat.onnx"),
        "--mode",
        "3",
        "--tile",
        "16x18",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("cannot model node `join` (Concat)"), "{err}");
}

#[test]
fn onnx_input_errors_exit_2() {
    let (code, _, err) = defines(&["macs", "--workload", &data("fsrcnn.onnx")]);
    assert_eq!(code, 2);
    assert!(
        err.contains("dynamic size `H`") && err.contains("import it first"),
        "{err}"
    );
    let (code, _, err) = defines(&["macs", "--workload", "/nonexistent/m.onnx"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("cannot read the ONNX model `/nonexistent/m.onnx`"),
        "{err}"
    );
    let (code, _, err) = defines(&["import", "onnx", &data("cycle.onnx")]);
    assert_eq!(code, 2);
    assert!(
        err.contains("the graph has a cycle: node `a` (Relu)"),
        "{err}"
    );
    // A hardware of no preset family: no mapping to derive.
    let mut hw: Value =
        serde_json::from_str(defines_model::presets::hardware("TPU_like").unwrap()).unwrap();
    hw["name"] = "my_chip".into();
    let path = std::env::temp_dir().join(format!("defines-onnx-hw-{}.json", std::process::id()));
    std::fs::write(&path, hw.to_string()).unwrap();
    let (code, _, err) = defines(&[
        "eval",
        "--hardware",
        path.to_str().unwrap(),
        "--workload",
        &data("resnet18.onnx"),
        "--mode",
        "3",
        "--tile",
        "16x18",
    ]);
    let _ = std::fs::remove_file(&path);
    assert_eq!(code, 2);
    assert!(
        err.contains("no preset mappings for the hardware family `my_chip`")
            && err.contains("--mapping"),
        "{err}"
    );
}
