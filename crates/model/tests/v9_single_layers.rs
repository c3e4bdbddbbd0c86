//! docs/model.md §6.12 V9: single layers, full size, on the untrimmed
//! `Meta_prototype_DF` hierarchy (add-layer duplication for element-wise
//! adds), `Meta_prototype` spatial mappings, `loma_lpf_limit = 6`.

use defines_model::input::hardware::Hardware;
use defines_model::input::mapping::MappingFile;
use defines_model::scenario::layer::LayerSpec;
use defines_model::single_layer::{evaluate_layer, LomaConfig};
use defines_model::{presets, Workload};

const REL_TOL: f64 = 1e-9;

#[test]
fn v9_reference_layers() {
    // (network, layer id, energy pJ, latency_total0/1/2)
    let cases: [(&str, i64, f64, [u64; 3]); 7] = [
        (
            "mobilenetv1",
            1,
            394_319_612.515,
            [449_376, 488_706, 524_996],
        ),
        (
            "mobilenetv1",
            2,
            582_057_772.665,
            [677_376, 705_608, 762_058],
        ),
        ("mobilenetv1", 27, 4_695_234.56, [1_568, 8_624, 8_754]),
        (
            "mobilenetv1",
            28,
            93_841_519.905,
            [16_384, 147_969, 148_099],
        ),
        (
            "resnet18",
            0,
            851_657_780.13,
            [1_289_183, 1_293_784, 1_303_770],
        ),
        ("resnet18", 1, 720_406_210.08, [879_844, 911_185, 1_008_531]),
        ("resnet18", 4, 409_824_418.48, [437_760, 531_696, 554_802]),
    ];
    let hw = Hardware::from_json(presets::hardware("Meta_prototype_DF").unwrap()).unwrap();
    let mut bad = Vec::new();
    for (net, id, energy, lat) in cases {
        let w = Workload::from_json(presets::workload(net).unwrap()).unwrap();
        let maps =
            MappingFile::from_json(presets::mapping(&format!("Meta_prototype__{net}")).unwrap())
                .unwrap();
        let layer = w.layers.iter().find(|l| l.id == id).unwrap();
        let spec = LayerSpec::from_layer(layer, "x").unwrap();
        let c = evaluate_layer(
            &spec,
            &hw,
            maps.layer(id).unwrap(),
            LomaConfig { lpf_limit: 6 },
        )
        .unwrap();
        let got = [
            c.latency_total0_cycles,
            c.latency_total1_cycles,
            c.latency_total2_cycles,
        ];
        let rel = (c.energy_total_pj - energy).abs() / energy;
        println!(
            "{net} L{id}: {} (ref {energy}, rel {rel:.1e}) {got:?} (ref {lat:?})",
            c.energy_total_pj
        );
        if rel > REL_TOL || got != lat {
            bad.push((net, id));
        }
    }
    assert!(bad.is_empty(), "{bad:?}");
}

/// §6.12: with `I1`, `O` trimmed at `sram_1MB_A` and `I2` at `sram_1MB_W`,
/// mobilenetv1 L8 and L10 have no valid ordering (input and output fit
/// individually but not together).
#[test]
fn v9_hierarchy_too_small_is_a_value() {
    let w = Workload::from_json(presets::workload("mobilenetv1").unwrap()).unwrap();
    let maps =
        MappingFile::from_json(presets::mapping("Meta_prototype__mobilenetv1").unwrap()).unwrap();
    let mut hw = Hardware::from_json(presets::hardware("Meta_prototype_DF").unwrap()).unwrap();
    assert!(hw.trim_to("I1", "sram_1MB_A"));
    assert!(hw.trim_to("O", "sram_1MB_A"));
    assert!(hw.trim_to("I2", "sram_1MB_W"));
    for id in [8, 10] {
        let layer = w.layers.iter().find(|l| l.id == id).unwrap();
        let spec = LayerSpec::from_layer(layer, "x").unwrap();
        let r = evaluate_layer(
            &spec,
            &hw,
            maps.layer(id).unwrap(),
            LomaConfig { lpf_limit: 6 },
        );
        assert_eq!(
            r.unwrap_err(),
            defines_model::single_layer::EvalError::HierarchyTooSmall,
            "L{id}"
        );
    }
}
