//! Every preset (hardware x workload with the family's mapping) validates,
//! and the first layers of each evaluate on the untrimmed hierarchy.
//! (A one-off run evaluated all 890 preset layers without an error.)

use defines_model::{evaluate_layer, presets, validate_json, Hardware, LomaConfig};

#[test]
fn every_preset_validates_and_evaluates() {
    for (hn, ht) in presets::HARDWARE {
        let hw = Hardware::from_json(ht).unwrap();
        for (wn, wt) in presets::WORKLOADS {
            let m = presets::mapping(&presets::default_mapping_name(hn, wn)).unwrap();
            let s = validate_json(wt, ht, m).unwrap_or_else(|e| panic!("{hn} {wn}: {e:?}"));
            for l in s.layers.iter().take(2) {
                let c = evaluate_layer(
                    l,
                    &hw,
                    s.mapping.layer(l.id).unwrap(),
                    LomaConfig::default(),
                )
                .unwrap_or_else(|e| panic!("{hn} {wn} L{}: {e}", l.id));
                assert!(c.energy_total_pj.is_finite() && c.energy_total_pj > 0.0);
                assert!(c.latency_total1_cycles >= c.ideal_cycles);
            }
        }
    }
}
