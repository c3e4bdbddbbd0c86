use super::*;
use defines_model::{presets, validate_json, Hardware};
use serde_json::Value;

const META: &str = "Meta_prototype_DF";

fn meta() -> &'static str {
    presets::hardware(META).unwrap()
}

fn level_of(form: &HwForm, name: &str) -> usize {
    form.levels.iter().position(|l| l.name == name).unwrap()
}

#[test]
fn sizes_are_shown_exactly_in_the_largest_unit() {
    assert_eq!(format_size_bits(524_288), "64 KB");
    assert_eq!(format_size_bits(8 << 20), "1 MB");
    assert_eq!(format_size_bits(8), "1 B");
    assert_eq!(format_size_bits(12), "12 b");
    assert_eq!(format_size_bits(8 * 1000), "8 kbit");
    assert_eq!(format_size_bits(10_000_000_000), "10 Gbit");
    assert_eq!(format_size_bits(8 * 1001), "1001 B");
    assert_eq!(parse_size_bits("10 Gbit"), Some(10_000_000_000));
    assert_eq!(parse_size_bits("64 KB"), Some(524_288));
    assert_eq!(parse_size_bits("1.5 KB"), Some(12_288));
    assert_eq!(parse_size_bits("1MB"), Some(8 << 20));
    assert_eq!(parse_size_bits("524288"), Some(524_288));
    assert_eq!(parse_size_bits("3 B"), Some(24));
    assert_eq!(parse_size_bits("0.1 b"), None);
    assert_eq!(parse_size_bits("64 XB"), None);
    assert_eq!(parse_size_bits("lots"), None);
    for bits in [
        1u64,
        7,
        8,
        1000,
        8008,
        1 << 20,
        3 << 23,
        10_000_000_000,
        (1 << 50) - 8,
    ] {
        assert_eq!(
            parse_size_bits(&format_size_bits(bits)),
            Some(bits),
            "{bits}"
        );
    }
}

#[test]
fn approximate_sizes_read_well() {
    assert_eq!(approx_size_bits(37_312), "4.55 KB");
    assert_eq!(approx_size_bits(8 << 20), "1.00 MB");
    assert_eq!(approx_size_bits(8 * 1000), "1000 B");
    assert_eq!(approx_size_bits(5), "5 b");
    assert_eq!(approx_size_bits(8 * 150 * 1024), "150 KB");
}

#[test]
fn the_form_reads_a_preset() {
    let f = HwForm::read(meta()).unwrap();
    assert_eq!(f.name, META);
    assert_eq!(f.dims.len(), 4);
    assert_eq!(f.dims[0].size.value, Some(32.0));
    assert_eq!(f.mac_energy.value, Some(0.04));
    let names: Vec<&str> = f.levels.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(names[0], "rf_1B");
    assert_eq!(*names.last().unwrap(), "dram");
    let sram = &f.levels[level_of(&f, "sram_64KB")];
    assert_eq!(sram.cells[0].1.text, "64 KB");
    assert_eq!(
        sram.cells[0].1.path,
        format!(
            "hardware.cores[0].memory_levels[{}].instance.size_bits",
            level_of(&f, "sram_64KB")
        )
    );
    assert_eq!(f.levels[0].served, vec![false, false, true, true]);
    assert_eq!(f.levels[0].operands, vec!["I2"]);
    assert!(HwForm::read("not json").is_none());
}

/// A no-op edit of every preset leaves the document's meaning and its
/// informational fields unchanged: the recomputation agrees with the files.
#[test]
fn informational_fields_are_recomputed_as_the_files_have_them() {
    for (name, text) in presets::HARDWARE {
        let form = HwForm::read(text).unwrap();
        let c = &form.levels[0].cells[0].1;
        let out = apply(
            text,
            &FormEdit::Level {
                level: 0,
                field: LevelField::Size,
                text: c.text.clone(),
            },
        )
        .unwrap();
        let a: Value = serde_json::from_str(text).unwrap();
        let b: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(a, b, "{name}");
    }
}

#[test]
fn a_size_typed_with_a_unit_is_written_in_bits_and_evaluates() {
    let f = HwForm::read(meta()).unwrap();
    let i = level_of(&f, "sram_1MB_A");
    let out = apply(
        meta(),
        &FormEdit::Level {
            level: i,
            field: LevelField::Size,
            text: "2 MB".into(),
        },
    )
    .unwrap();
    let hw = Hardware::from_json(&out).unwrap();
    assert_eq!(hw.levels[i].size_bits, 16 << 20);
    let before = Hardware::from_json(meta()).unwrap();
    let mut expect = before.clone();
    expect.levels[i].size_bits = 16 << 20;
    assert_eq!(hw, expect);
}

#[test]
fn a_field_that_is_not_a_number_is_kept_and_named_by_validation() {
    let out = apply(
        meta(),
        &FormEdit::Level {
            level: 2,
            field: LevelField::ReadBw,
            text: "fast".into(),
        },
    )
    .unwrap();
    let f = HwForm::read(&out).unwrap();
    assert_eq!(f.levels[2].cells[1].1.text, "fast");
    assert_eq!(f.levels[2].cells[1].1.value, None);
    let w = presets::workload("fsrcnn").unwrap();
    let m = presets::mapping("Meta_prototype__fsrcnn").unwrap();
    let d = validate_json(w, &out, m).unwrap_err();
    assert!(
        d.iter().any(|d| d.path == f.levels[2].cells[1].1.path),
        "{d:?}"
    );
    // Typing the number back gives the preset's meaning again.
    let back = apply(
        &out,
        &FormEdit::Level {
            level: 2,
            field: LevelField::ReadBw,
            text: "16".into(),
        },
    )
    .unwrap();
    assert_eq!(
        HwForm::read(&back).unwrap().levels[2].cells[1].1.value,
        Some(16.0)
    );
}

#[test]
fn levels_are_added_duplicated_moved_renamed_and_removed() {
    let f = HwForm::read(meta()).unwrap();
    let n = f.levels.len();
    let i = level_of(&f, "sram_64KB");
    let added = apply(meta(), &FormEdit::AddAbove(i)).unwrap();
    let hw = Hardware::from_json(&added).unwrap();
    assert_eq!(hw.levels.len(), n + 1);
    assert_eq!(hw.levels[i + 1].name, "new_memory");
    assert_eq!(hw.levels[i + 1].size_bits, 2 * hw.levels[i].size_bits);
    assert_eq!(hw.levels[i + 1].slots.len(), hw.levels[i].slots.len());
    // The new level validates and the network still evaluates.
    let w = presets::workload("fsrcnn").unwrap();
    let m = presets::mapping("Meta_prototype__fsrcnn").unwrap();
    assert!(validate_json(w, &added, m).is_ok());
    let dup = apply(&added, &FormEdit::Duplicate(i + 1)).unwrap();
    let names: Vec<String> = HwForm::read(&dup)
        .unwrap()
        .levels
        .iter()
        .map(|l| l.name.clone())
        .collect();
    assert_eq!(names[i + 2], "new_memory_copy");
    let renamed = apply(
        &dup,
        &FormEdit::Rename {
            level: i + 2,
            name: "l2".into(),
        },
    )
    .unwrap();
    assert_eq!(HwForm::read(&renamed).unwrap().levels[i + 2].name, "l2");
    let moved = apply(&renamed, &FormEdit::Move(i + 2, LevelMove::Down)).unwrap();
    let f2 = HwForm::read(&moved).unwrap();
    assert_eq!(
        (
            f2.levels[i + 1].name.as_str(),
            f2.levels[i + 2].name.as_str()
        ),
        ("l2", "new_memory")
    );
    let removed = apply(&moved, &FormEdit::Remove(i + 1)).unwrap();
    let removed = apply(&removed, &FormEdit::Remove(i + 1)).unwrap();
    assert_eq!(
        Hardware::from_json(&removed).unwrap(),
        Hardware::from_json(meta()).unwrap()
    );
    // Moving past either end changes nothing.
    let top = apply(meta(), &FormEdit::Move(n - 1, LevelMove::Up)).unwrap();
    assert_eq!(
        Hardware::from_json(&top).unwrap(),
        Hardware::from_json(meta()).unwrap()
    );
}

#[test]
fn operands_and_served_dimensions_toggle() {
    let out = apply(
        meta(),
        &FormEdit::ToggleOperand {
            level: 0,
            operand: "I1".into(),
        },
    )
    .unwrap();
    let f = HwForm::read(&out).unwrap();
    assert_eq!(f.levels[0].operands, vec!["I1", "I2"]);
    let hw = Hardware::from_json(&out).unwrap();
    assert!(hw.levels[0].slots.iter().all(|s| s.ports[0].is_some()));
    let back = apply(
        &out,
        &FormEdit::ToggleOperand {
            level: 0,
            operand: "I1".into(),
        },
    )
    .unwrap();
    assert_eq!(
        Hardware::from_json(&back).unwrap(),
        Hardware::from_json(meta()).unwrap()
    );
    let served = apply(meta(), &FormEdit::ToggleServed { level: 0, dim: 0 }).unwrap();
    let hw = Hardware::from_json(&served).unwrap();
    assert_eq!(hw.levels[0].served, vec![true, false, true, true]);
    assert_eq!(hw.levels[0].unroll_count, 2); // only D2 (size 2) is unserved now
    let v: Value = serde_json::from_str(&served).unwrap();
    assert_eq!(v["cores"][0]["memory_levels"][0]["unroll_count"], 2);
}

#[test]
fn mac_fields_are_edited() {
    let out = apply(meta(), &FormEdit::MacEnergy("0.5".into())).unwrap();
    assert_eq!(Hardware::from_json(&out).unwrap().mac_energy_pj, 0.5);
    let out = apply(
        &out,
        &FormEdit::DimSize {
            dim: 1,
            text: "4".into(),
        },
    )
    .unwrap();
    let hw = Hardware::from_json(&out).unwrap();
    assert_eq!(hw.array_dims[1].size, 4);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["cores"][0]["operational_array"]["total_units"], 2048);
    assert!(apply("{", &FormEdit::MacEnergy("1".into())).is_err());
    assert!(apply("{}", &FormEdit::MacEnergy("1".into())).is_err());
}
