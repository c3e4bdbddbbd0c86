//! `defines import zigzag` and ZigZag YAML files in `eval` / `macs`: the
//! converted documents, the numbers (equal to the presets'), the notes and
//! the exit codes.

mod common;
use common::defines;

fn data(name: &str) -> String {
    format!(
        "{}/../import/tests/data/zigzag/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

fn tmp(name: &str, text: &str) -> String {
    let dir = std::env::temp_dir().join(format!("defines-zigzag-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_string_lossy().into_owned()
}

#[test]
fn import_zigzag_writes_the_three_documents() {
    let (hw, map, wl) = (
        data("meta_prototype_df.yaml"),
        data("meta_prototype_fsrcnn_mapping.yaml"),
        data("fsrcnn.yaml"),
    );
    let (code, out, err) = defines(&[
        "import",
        "zigzag",
        "--hardware",
        &hw,
        "--mapping",
        &map,
        "--workload",
        &wl,
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(err, "");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["hardware", "mapping", "workload"]);
    assert_eq!(v["hardware"]["schema"], "defines-reference-hardware/1");
    assert_eq!(
        v["hardware"]["cores"][0]["memory_levels"][6]["instance"]["name"],
        "dram"
    );
    assert_eq!(
        v["mapping"]["layers"][1]["spatial_mapping"]["D1"],
        serde_json::json!(["K", 12])
    );
    assert_eq!(v["workload"]["name"], "fsrcnn");
    assert_eq!(v["workload"]["totals"]["total_MACs"], 8_362_594_208u64);
    // The documents evaluate as files, to the preset's numbers.
    let h = tmp("hw.json", &v["hardware"].to_string());
    let m = tmp("map.json", &v["mapping"].to_string());
    let w = tmp("wl.json", &v["workload"].to_string());
    let run = |hw: &str, wl: &str, map: Option<&str>| {
        let mut a = vec![
            "eval",
            "--hardware",
            hw,
            "--workload",
            wl,
            "--mode",
            "3",
            "--tile",
            "16x18",
            "--format",
            "json",
        ];
        if let Some(m) = map {
            a.extend(["--mapping", m]);
        }
        let (code, out, err) = defines(&a);
        assert_eq!(code, 0, "{err}");
        let r: serde_json::Value = serde_json::from_str(&out).unwrap();
        (
            r["energy_pj"].as_f64().unwrap().to_bits(),
            r["latency_cycles"].as_u64().unwrap(),
        )
    };
    let want = run("Meta_prototype_DF", "fsrcnn", None);
    assert_eq!(want.1, 20_523_395);
    assert_eq!(run(&h, &w, Some(&m)), want);
    // The YAML files directly in eval, and a YAML hardware with the preset
    // workload and its default mapping (found by the hardware's name).
    assert_eq!(run(&hw, &wl, Some(&map)), want);
    assert_eq!(run(&hw, "fsrcnn", None), want);
    assert_eq!(run("Meta_prototype_DF", "fsrcnn", Some(&map)), want);
    // A preset workload in import zigzag: written with the mapping's links.
    let (code, out, _) = defines(&[
        "import",
        "zigzag",
        "--hardware",
        &hw,
        "--mapping",
        &map,
        "--workload",
        "fsrcnn",
    ]);
    assert_eq!(code, 0);
    let v2: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v2["mapping"], v["mapping"]);
    assert_eq!(v2["workload"]["layers"].as_array().unwrap().len(), 9);
}

#[test]
fn macs_of_a_zigzag_workload() {
    let (code, out, err) = defines(&[
        "macs",
        "--workload",
        &data("fsrcnn.yaml"),
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["total_macs"], 8_362_594_208u64);
    assert_eq!(v["workload"], "fsrcnn");
}

/// The Meta_prototype_DF YAML with its first `from` replaced by `to`,
/// written as `file`; its path.
fn edited_hardware(file: &str, from: &str, to: &str) -> String {
    let hw = std::fs::read_to_string(data("meta_prototype_df.yaml")).unwrap();
    assert!(hw.contains(from), "{from}");
    tmp(file, &hw.replacen(from, to, 1))
}

/// The FSRCNN mapping and workload YAML files.
fn fsrcnn_files() -> (String, String) {
    (
        data("meta_prototype_fsrcnn_mapping.yaml"),
        data("fsrcnn.yaml"),
    )
}

fn import_zigzag(hw: &str, map: &str, wl: &str) -> (i32, String, String) {
    defines(&[
        "import",
        "zigzag",
        "--hardware",
        hw,
        "--mapping",
        map,
        "--workload",
        wl,
    ])
}

#[test]
fn bad_zigzag_input_exits_2_naming_file_and_field() {
    let bad = edited_hardware("bad.yaml", "operands: [I2]", "operands: [I4]");
    let (map, wl) = fsrcnn_files();
    let (code, out, err) = import_zigzag(&bad, &map, &wl);
    assert_eq!((code, out.as_str()), (2, ""));
    assert!(
        err.contains("bad.yaml: memories.rf_1B.operands[0] (line 14): unknown memory operand `I4`"),
        "{err}"
    );
    let (code, _, err) = defines(&[
        "eval",
        "--hardware",
        &bad,
        "--workload",
        "fsrcnn",
        "--mode",
        "3",
        "--tile",
        "16x18",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown memory operand `I4`"), "{err}");
    let not_yaml = tmp("not.yaml", "name: [oops\n");
    let (code, _, err) = defines(&["macs", "--workload", &not_yaml]);
    assert_eq!(code, 2);
    assert!(
        err.contains("not.yaml (line") && err.contains("not valid YAML"),
        "{err}"
    );
    let (code, _, err) = defines(&[
        "import",
        "zigzag",
        "--hardware",
        "Meta_prototype_DF",
        "--mapping",
        &map,
        "--workload",
        &wl,
    ]);
    assert_eq!(code, 2);
    assert!(
        err.contains("--hardware `Meta_prototype_DF` is not a ZigZag YAML file"),
        "{err}"
    );
    let (code, _, err) = defines(&["import", "zigzag", "--hardware", &bad, "--mapping", &map]);
    assert_eq!(code, 2);
    assert!(err.contains("--workload is required"), "{err}");
}

#[test]
fn notes_go_to_stderr() {
    // A read port named as the second read port: the model's r_port_1.
    let renamed = edited_hardware("renamed.yaml", "name: r_port_1", "name: r_port_7");
    let (map, wl) = fsrcnn_files();
    let (code, out, err) = import_zigzag(&renamed, &map, &wl);
    assert_eq!(code, 0, "{err}");
    assert!(!out.is_empty());
    assert_eq!(
        err,
        format!("note: {renamed}: memories.rf_1B.ports[0].name (line 16): `r_port_7` is the model's `r_port_1` (it names ports by kind and order: r_port_*, w_port_*, rw_port_*)\n")
    );
}
