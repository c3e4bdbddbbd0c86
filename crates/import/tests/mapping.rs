//! The derived spatial mapping (by layer kind, `min(array size, loop
//! size)`) against the 25 preset mappings, and an imported network
//! evaluated with it.

use defines_import::{import, mapping, Options};
use defines_model::{
    evaluate_network, presets, validate_json, Hardware, MappingFile, Overlap, Schedule, Tile,
    Workload,
};

const FAMILIES: [&str; 5] = [
    "Ascend_like",
    "Edge_TPU_like",
    "Meta_prototype",
    "TPU_like",
    "Tesla_NPU_like",
];

/// Every preset entry the rule does not give: (family, network, layer,
/// loop, the preset's effective unrolling, the rule's). All are entries
/// where a preset unrolls less than the array and the loop allow.
const EXCEPTIONS: [(&str, &str, i64, &str, u64, u64); 6] = [
    ("Ascend_like", "mobilenetv1", 27, "G", 8, 16),
    ("Ascend_like", "resnet18", 0, "C", 2, 3),
    ("Tesla_NPU_like", "resnet18", 20, "OX", 7, 8),
    ("Tesla_NPU_like", "resnet18", 21, "OX", 7, 8),
    ("Tesla_NPU_like", "resnet18", 22, "OX", 7, 8),
    ("Tesla_NPU_like", "resnet18", 23, "OX", 7, 8),
];

#[test]
fn the_rule_gives_the_preset_mappings_but_six_entries() {
    let mut found = Vec::new();
    for family in FAMILIES {
        let hw = Hardware::from_json(presets::hardware(family).unwrap()).unwrap();
        let size = |ad: &str| hw.array_dims.iter().find(|a| a.name == ad).unwrap().size;
        for (net, text) in presets::WORKLOADS {
            let w = Workload::from_json(text).unwrap();
            let derived = mapping::derive_mapping(&w, family, &hw.array_dims).unwrap();
            let derived = MappingFile::from_json(&derived.to_string()).unwrap();
            let preset =
                MappingFile::from_json(presets::mapping(&format!("{family}__{net}")).unwrap())
                    .unwrap();
            for (id, sm) in &preset.layers {
                let l = w.layers.iter().find(|l| l.id == *id).unwrap();
                // What the model unrolls of an entry at full size (§1.4).
                let effective = |e: &defines_model::input::mapping::SpatialEntry| {
                    let loop_size = *l.loop_dims.get(&e.loop_dim).unwrap();
                    (e.factor as u64).min(size(&e.array_dim)).min(loop_size)
                };
                let got = derived.layer(*id).unwrap();
                for e in &sm.entries {
                    let want = effective(e);
                    let rule = got
                        .entries
                        .iter()
                        .find(|d| d.array_dim == e.array_dim)
                        .map_or(1, effective);
                    let same_loop = got
                        .entries
                        .iter()
                        .all(|d| d.array_dim != e.array_dim || d.loop_dim == e.loop_dim);
                    assert!(same_loop, "{family} {net} {id} {}", e.array_dim);
                    if want != rule {
                        found.push((family, *net, *id, e.loop_dim.clone(), want, rule));
                    }
                }
                for d in &got.entries {
                    assert!(
                        sm.entries.iter().any(|e| e.array_dim == d.array_dim),
                        "{family} {net} {id}: extra {}",
                        d.array_dim
                    );
                }
            }
        }
    }
    let want: Vec<_> = EXCEPTIONS
        .iter()
        .map(|e| (e.0, e.1, e.2, e.3.to_string(), e.4, e.5))
        .collect();
    assert_eq!(found, want);
}

/// resnet18 imported from ONNX, with the mapping derived for
/// `Meta_prototype` (whose resnet18 mapping the rule reproduces), equals
/// the preset scenario bit for bit.
#[test]
fn derived_mapping_evaluates_like_the_preset() {
    let data = std::fs::read(format!(
        "{}/tests/data/resnet18.onnx",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let text = import(&data, &Options::default()).unwrap().workload_text();
    let w = Workload::from_json(&text).unwrap();
    let hw_text = presets::hardware("Meta_prototype_DF").unwrap();
    let hw = Hardware::from_json(hw_text).unwrap();
    let m = mapping::derive_mapping(&w, "Meta_prototype", &hw.array_dims)
        .unwrap()
        .to_string();
    let sched = Schedule {
        tile: Tile { x: 16, y: 18 },
        overlap: Overlap::FullyCached,
        ..Schedule::default()
    };
    let got = evaluate_network(&validate_json(&text, hw_text, &m).unwrap(), &sched).unwrap();
    let want = evaluate_network(
        &presets::scenario("Meta_prototype_DF", "resnet18").unwrap(),
        &sched,
    )
    .unwrap();
    assert_eq!(
        (got.energy_pj.to_bits(), got.latency_cycles),
        (want.energy_pj.to_bits(), want.latency_cycles)
    );
}

#[test]
fn unknown_family_and_kind_are_errors() {
    let w = Workload::from_json(presets::workload("resnet18").unwrap()).unwrap();
    let hw = Hardware::from_json(presets::hardware("TPU_like").unwrap()).unwrap();
    let e = mapping::derive_mapping(&w, "my_chip", &hw.array_dims).unwrap_err();
    assert!(e.starts_with("no preset mappings for the hardware family `my_chip` (families: Ascend_like, Edge_TPU_like, Meta_prototype, TPU_like, Tesla_NPU_like)"), "{e}");
    let p = mapping::family_patterns("Meta_prototype").unwrap();
    let kinds: Vec<&str> = p.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "conv",
            "pointwise_conv",
            "depthwise_conv",
            "pooling",
            "elementwise_add"
        ]
    );
    let conv = &p[0].1;
    assert_eq!(
        conv,
        &[("D1", "K"), ("D2", "C"), ("D3", "OX"), ("D4", "OY")]
            .map(|(a, l)| (a.to_string(), l.to_string()))
    );
}
