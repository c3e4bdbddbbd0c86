//! ZigZag YAML files written after ZigZag's documented format
//! (`tests/data/zigzag/`) describing the preset `Meta_prototype_DF`, its
//! FSRCNN mapping and FSRCNN itself convert to documents that evaluate
//! exactly as the presets.

use defines_import::zigzag::{self, Documents, WorkloadInput, Yaml};
use defines_model::{
    evaluate_network, presets, validate_json, Hardware, MappingFile, Overlap, Schedule, Tile,
    Workload,
};
use serde_json::Value;

pub fn text(name: &str) -> String {
    let path = format!("{}/tests/data/zigzag/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn yaml<'a>(file: &'a str, text: &'a str) -> Yaml<'a> {
    Yaml { file, text }
}

fn preset_workload() -> Value {
    serde_json::from_str(presets::workload("fsrcnn").unwrap()).unwrap()
}

fn converted(with_yaml_workload: bool) -> Documents {
    let (hw, map, wl) = (
        text("meta_prototype_df.yaml"),
        text("meta_prototype_fsrcnn_mapping.yaml"),
        text("fsrcnn.yaml"),
    );
    let w = if with_yaml_workload {
        WorkloadInput::Yaml(yaml("fsrcnn.yaml", &wl), "fsrcnn")
    } else {
        WorkloadInput::Document(preset_workload())
    };
    zigzag::convert(
        yaml("meta_prototype_df.yaml", &hw),
        yaml("meta_prototype_fsrcnn_mapping.yaml", &map),
        w,
    )
    .unwrap_or_else(|e| panic!("{}", e.iter().map(|p| format!("{p}\n")).collect::<String>()))
}

/// (energy bits, latency) of FSRCNN under a schedule.
fn evaluate(hw: &str, wl: &str, map: &str, mode: u8, tile: (u64, u64)) -> (u64, u64, u64) {
    let sc = validate_json(wl, hw, map).unwrap();
    let s = Schedule {
        tile: Tile {
            x: tile.0,
            y: tile.1,
        },
        overlap: Overlap::from_name(&mode.to_string()).unwrap(),
        ..Schedule::default()
    };
    let r = evaluate_network(&sc, &s).unwrap();
    (
        r.energy_pj.to_bits(),
        r.mem_energy_pj.to_bits(),
        r.latency_cycles,
    )
}

#[test]
fn the_hardware_reads_as_the_preset() {
    let d = converted(false);
    let got = Hardware::from_value(&d.hardware).unwrap();
    let want = Hardware::from_json(presets::hardware("Meta_prototype_DF").unwrap()).unwrap();
    assert_eq!(got, want);
    // The informational fields are the preset's too.
    let p: Value = serde_json::from_str(presets::hardware("Meta_prototype_DF").unwrap()).unwrap();
    let levels = |v: &Value| v["cores"][0]["memory_levels"].clone();
    for (g, w) in levels(&d.hardware)
        .as_array()
        .unwrap()
        .iter()
        .zip(levels(&p).as_array().unwrap())
    {
        for key in [
            "ports",
            "unroll_count",
            "level_of_operand",
            "port_alloc",
            "served_dimensions",
        ] {
            assert_eq!(g[key], w[key], "{} {key}", w["instance"]["name"]);
        }
    }
    assert!(d.notes.is_empty(), "{:?}", d.notes);
}

#[test]
fn the_mapping_and_workload_read_as_the_presets() {
    let d = converted(true);
    let got = MappingFile::from_value(&d.mapping).unwrap();
    let want = MappingFile::from_json(presets::mapping("Meta_prototype__fsrcnn").unwrap()).unwrap();
    assert_eq!(got.layers, want.layers);
    let got = Workload::from_json(&d.workload.to_string()).unwrap();
    let want = Workload::from_json(presets::workload("fsrcnn").unwrap()).unwrap();
    assert_eq!(got, want);
    assert_eq!(got.total_macs(), 8_362_594_208);
    assert_eq!(d.workload["layers"][0]["loop_dims"]["OX"], 974);
}

#[test]
fn fsrcnn_evaluates_exactly_as_the_preset() {
    let preset = (
        presets::hardware("Meta_prototype_DF").unwrap(),
        presets::workload("fsrcnn").unwrap(),
        presets::mapping("Meta_prototype__fsrcnn").unwrap(),
    );
    for yaml_workload in [false, true] {
        let d = converted(yaml_workload);
        let (hw, wl, map) = (
            d.hardware.to_string(),
            d.workload.to_string(),
            d.mapping.to_string(),
        );
        for (mode, tile) in [(3, (16, 18)), (1, (60, 72))] {
            let want = evaluate(preset.0, preset.1, preset.2, mode, tile);
            assert_eq!(
                evaluate(&hw, &wl, &map, mode, tile),
                want,
                "mode {mode} tile {tile:?}, YAML workload {yaml_workload}"
            );
        }
    }
    // The reference's numbers (README: 1.823 mJ, 20,523,395 cycles).
    let d = converted(true);
    let (_, _, latency) = evaluate(
        &d.hardware.to_string(),
        &d.workload.to_string(),
        &d.mapping.to_string(),
        3,
        (16, 18),
    );
    assert_eq!(latency, 20_523_395);
}
