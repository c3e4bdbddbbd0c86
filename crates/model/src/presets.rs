//! The built-in presets: the reference hardware, workloads and spatial
//! mappings (see `presets/README.md` for their source), embedded at compile
//! time. Names are the reference file stems.

/// `hardware/*.json`, sorted by name.
pub const HARDWARE: &[(&str, &str)] = &[
    (
        "Ascend_like",
        include_str!("../presets/hardware/Ascend_like.json"),
    ),
    (
        "Ascend_like_DF",
        include_str!("../presets/hardware/Ascend_like_DF.json"),
    ),
    (
        "Edge_TPU_like",
        include_str!("../presets/hardware/Edge_TPU_like.json"),
    ),
    (
        "Edge_TPU_like_DF",
        include_str!("../presets/hardware/Edge_TPU_like_DF.json"),
    ),
    (
        "Meta_prototype",
        include_str!("../presets/hardware/Meta_prototype.json"),
    ),
    (
        "Meta_prototype_DF",
        include_str!("../presets/hardware/Meta_prototype_DF.json"),
    ),
    (
        "TPU_like",
        include_str!("../presets/hardware/TPU_like.json"),
    ),
    (
        "TPU_like_DF",
        include_str!("../presets/hardware/TPU_like_DF.json"),
    ),
    (
        "Tesla_NPU_like",
        include_str!("../presets/hardware/Tesla_NPU_like.json"),
    ),
    (
        "Tesla_NPU_like_DF",
        include_str!("../presets/hardware/Tesla_NPU_like_DF.json"),
    ),
];

/// `workloads/*.json`, sorted by name.
pub const WORKLOADS: &[(&str, &str)] = &[
    ("dmcnnvd", include_str!("../presets/workloads/dmcnnvd.json")),
    ("fsrcnn", include_str!("../presets/workloads/fsrcnn.json")),
    ("mccnn", include_str!("../presets/workloads/mccnn.json")),
    (
        "mobilenetv1",
        include_str!("../presets/workloads/mobilenetv1.json"),
    ),
    (
        "resnet18",
        include_str!("../presets/workloads/resnet18.json"),
    ),
];

/// `mappings/*.json`, sorted by name.
pub const MAPPINGS: &[(&str, &str)] = &[
    (
        "Ascend_like__dmcnnvd",
        include_str!("../presets/mappings/Ascend_like__dmcnnvd.json"),
    ),
    (
        "Ascend_like__fsrcnn",
        include_str!("../presets/mappings/Ascend_like__fsrcnn.json"),
    ),
    (
        "Ascend_like__mccnn",
        include_str!("../presets/mappings/Ascend_like__mccnn.json"),
    ),
    (
        "Ascend_like__mobilenetv1",
        include_str!("../presets/mappings/Ascend_like__mobilenetv1.json"),
    ),
    (
        "Ascend_like__resnet18",
        include_str!("../presets/mappings/Ascend_like__resnet18.json"),
    ),
    (
        "Edge_TPU_like__dmcnnvd",
        include_str!("../presets/mappings/Edge_TPU_like__dmcnnvd.json"),
    ),
    (
        "Edge_TPU_like__fsrcnn",
        include_str!("../presets/mappings/Edge_TPU_like__fsrcnn.json"),
    ),
    (
        "Edge_TPU_like__mccnn",
        include_str!("../presets/mappings/Edge_TPU_like__mccnn.json"),
    ),
    (
        "Edge_TPU_like__mobilenetv1",
        include_str!("../presets/mappings/Edge_TPU_like__mobilenetv1.json"),
    ),
    (
        "Edge_TPU_like__resnet18",
        include_str!("../presets/mappings/Edge_TPU_like__resnet18.json"),
    ),
    (
        "Meta_prototype__dmcnnvd",
        include_str!("../presets/mappings/Meta_prototype__dmcnnvd.json"),
    ),
    (
        "Meta_prototype__fsrcnn",
        include_str!("../presets/mappings/Meta_prototype__fsrcnn.json"),
    ),
    (
        "Meta_prototype__mccnn",
        include_str!("../presets/mappings/Meta_prototype__mccnn.json"),
    ),
    (
        "Meta_prototype__mobilenetv1",
        include_str!("../presets/mappings/Meta_prototype__mobilenetv1.json"),
    ),
    (
        "Meta_prototype__resnet18",
        include_str!("../presets/mappings/Meta_prototype__resnet18.json"),
    ),
    (
        "TPU_like__dmcnnvd",
        include_str!("../presets/mappings/TPU_like__dmcnnvd.json"),
    ),
    (
        "TPU_like__fsrcnn",
        include_str!("../presets/mappings/TPU_like__fsrcnn.json"),
    ),
    (
        "TPU_like__mccnn",
        include_str!("../presets/mappings/TPU_like__mccnn.json"),
    ),
    (
        "TPU_like__mobilenetv1",
        include_str!("../presets/mappings/TPU_like__mobilenetv1.json"),
    ),
    (
        "TPU_like__resnet18",
        include_str!("../presets/mappings/TPU_like__resnet18.json"),
    ),
    (
        "Tesla_NPU_like__dmcnnvd",
        include_str!("../presets/mappings/Tesla_NPU_like__dmcnnvd.json"),
    ),
    (
        "Tesla_NPU_like__fsrcnn",
        include_str!("../presets/mappings/Tesla_NPU_like__fsrcnn.json"),
    ),
    (
        "Tesla_NPU_like__mccnn",
        include_str!("../presets/mappings/Tesla_NPU_like__mccnn.json"),
    ),
    (
        "Tesla_NPU_like__mobilenetv1",
        include_str!("../presets/mappings/Tesla_NPU_like__mobilenetv1.json"),
    ),
    (
        "Tesla_NPU_like__resnet18",
        include_str!("../presets/mappings/Tesla_NPU_like__resnet18.json"),
    ),
];

fn find(table: &'static [(&'static str, &'static str)], name: &str) -> Option<&'static str> {
    table.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}

/// JSON text of a hardware preset, e.g. `Meta_prototype_DF`.
pub fn hardware(name: &str) -> Option<&'static str> {
    find(HARDWARE, name)
}

/// JSON text of a workload preset, e.g. `fsrcnn`.
pub fn workload(name: &str) -> Option<&'static str> {
    find(WORKLOADS, name)
}

/// JSON text of a mapping preset, e.g. `Meta_prototype__fsrcnn`.
pub fn mapping(name: &str) -> Option<&'static str> {
    find(MAPPINGS, name)
}

/// The hardware family of an accelerator preset: its name without `_DF`
/// (`Meta_prototype_DF` -> `Meta_prototype`).
pub fn family(hardware: &str) -> &str {
    hardware.strip_suffix("_DF").unwrap_or(hardware)
}

/// Name of the family's spatial mapping for a workload
/// (`Meta_prototype_DF` + `fsrcnn` -> `Meta_prototype__fsrcnn`).
pub fn default_mapping_name(hardware: &str, workload: &str) -> alloc::string::String {
    alloc::format!("{}__{}", family(hardware), workload)
}

/// The validated scenario of a hardware preset and a workload preset with
/// the family's spatial mapping (`Meta_prototype_DF` + `fsrcnn` uses
/// `Meta_prototype__fsrcnn`). Unknown names are diagnostics that list the
/// presets.
pub fn scenario(
    hardware_name: &str,
    workload_name: &str,
) -> Result<crate::ValidScenario, alloc::vec::Vec<crate::Diagnostic>> {
    let names = |table: &[(&str, &str)]| {
        table
            .iter()
            .map(|(n, _)| *n)
            .collect::<alloc::vec::Vec<_>>()
            .join(", ")
    };
    let mapping_name = default_mapping_name(hardware_name, workload_name);
    let mut diags = alloc::vec::Vec::new();
    let h = hardware(hardware_name);
    if h.is_none() {
        diags.push(crate::Diagnostic::new(
            "hardware",
            alloc::format!(
                "unknown hardware preset `{hardware_name}`; presets: {}",
                names(HARDWARE)
            ),
        ));
    }
    let w = workload(workload_name);
    if w.is_none() {
        diags.push(crate::Diagnostic::new(
            "workload",
            alloc::format!(
                "unknown workload preset `{workload_name}`; presets: {}",
                names(WORKLOADS)
            ),
        ));
    }
    let m = mapping(&mapping_name);
    if m.is_none() && diags.is_empty() {
        diags.push(crate::Diagnostic::new(
            "mapping",
            alloc::format!("no mapping preset `{mapping_name}`; give a mapping file"),
        ));
    }
    match (w, h, m) {
        (Some(w), Some(h), Some(m)) => crate::validate_json(w, h, m),
        _ => Err(diags),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pair_has_a_mapping() {
        assert_eq!(
            (HARDWARE.len(), WORKLOADS.len(), MAPPINGS.len()),
            (10, 5, 25)
        );
        for (h, _) in HARDWARE {
            for (w, _) in WORKLOADS {
                let m = default_mapping_name(h, w);
                assert!(mapping(&m).is_some(), "{m}");
            }
        }
        assert_eq!(
            default_mapping_name("Meta_prototype_DF", "fsrcnn"),
            "Meta_prototype__fsrcnn"
        );
    }
}
