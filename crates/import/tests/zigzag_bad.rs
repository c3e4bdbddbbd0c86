//! ZigZag files the converter refuses: each problem names the file, the
//! field path, the value and the fix; no input panics.

use defines_import::zigzag::{self, Problem, WorkloadInput, Yaml};
use defines_model::presets;

mod zigzag_data {
    pub fn text(name: &str) -> String {
        let path = format!("{}/tests/data/zigzag/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }
}
use zigzag_data::text;

fn hw_errors(t: &str) -> Vec<String> {
    match zigzag::hardware(Yaml {
        file: "hw.yaml",
        text: t,
    }) {
        Ok(_) => panic!("accepted:\n{t}"),
        Err(e) => e.iter().map(Problem::to_string).collect(),
    }
}

/// The valid hardware with `from` replaced by `to` (once, and it must be
/// there).
fn hw_edit(from: &str, to: &str) -> String {
    let t = text("meta_prototype_df.yaml");
    assert!(t.contains(from), "{from}");
    t.replacen(from, to, 1)
}

fn one(errors: &[String], want: &[&str]) {
    assert!(
        errors.iter().any(|e| want.iter().all(|w| e.contains(w))),
        "no error with {want:?} in {errors:#?}"
    );
}

#[test]
fn not_yaml_and_wrong_shapes() {
    one(
        &hw_errors("name: [x\n"),
        &["hw.yaml (line", "not valid YAML"],
    );
    one(
        &hw_errors("- a\n- b\n"),
        &[
            "hw.yaml (line 1)",
            "expected a ZigZag accelerator",
            "found a list",
        ],
    );
    one(&hw_errors(""), &["hw.yaml", "found null"]);
    let e = hw_errors(&hw_edit("size: 8\n", "size: big\n"));
    one(
        &e,
        &[
            "hw.yaml: memories.rf_1B.size (line 9)",
            "expected a whole number",
            "`big`",
        ],
    );
    let e = hw_errors(&hw_edit("size: 8\n", "size: 0\n"));
    one(
        &e,
        &["memories.rf_1B.size", "0 is out of range", "from 1 to"],
    );
    let e = hw_errors(&hw_edit(
        "    latency: 1\n",
        "    latency: 1\n    latncy: 2\n",
    ));
    one(
        &e,
        &[
            "memories.rf_1B.latncy",
            "unknown field `latncy`",
            "fix its name",
        ],
    );
    let e = hw_errors(&hw_edit("unit_energy: 0.04", "unit_energy: cheap"));
    one(
        &e,
        &[
            "operational_array.unit_energy",
            "expected a number",
            "`cheap`",
        ],
    );
    let e = hw_errors(&hw_edit("sizes: [32, 2, 4, 4]", "sizes: [32, 2, 4]"));
    one(&e, &["operational_array.sizes", "4 dimensions and 3 sizes"]);
}

#[test]
fn a_missing_memory_field() {
    let e = hw_errors(&hw_edit("    r_cost: 26.56\n", ""));
    one(
        &e,
        &[
            "hw.yaml: memories.sram_64KB (line",
            "the field `r_cost` is missing",
            "pJ",
        ],
    );
    let e = hw_errors(&hw_edit("    served_dimensions: [D3, D4]\n", ""));
    one(&e, &["memories.rf_1B", "`served_dimensions` is missing"]);
}

#[test]
fn unknown_operands_ports_and_dimensions() {
    let e = hw_errors(&hw_edit("operands: [I2]", "operands: [W]"));
    one(
        &e,
        &[
            "memories.rf_1B.operands[0]",
            "unknown memory operand `W`",
            "I1 (activations), I2 (weights) and O",
        ],
    );
    let e = hw_errors(&hw_edit("- I2, tl", "- I3, tl"));
    one(
        &e,
        &[
            "memories.rf_1B.ports[0].allocation[0]",
            "unknown memory operand `I3`",
        ],
    );
    let e = hw_errors(&hw_edit("- I2, tl", "- I1, tl"));
    one(
        &e,
        &[
            "memories.rf_1B.ports[0].allocation[0]",
            "does not hold `I1`",
            "add it to `operands`",
        ],
    );
    let e = hw_errors(&hw_edit("name: r_port_1", "name: rd_port_1"));
    one(
        &e,
        &[
            "memories.rf_1B.ports[0].name",
            "`rd_port_1` is not a port name",
            "r_port_N",
        ],
    );
    let e = hw_errors(&hw_edit("type: read\n", "type: readonly\n"));
    one(
        &e,
        &[
            "memories.rf_1B.ports[0].type",
            "unknown port type `readonly`",
        ],
    );
    let e = hw_errors(&hw_edit("- I2, tl", "- I2, fh"));
    one(
        &e,
        &["ports[0].allocation[0]", "writes through a read port"],
    );
    let e = hw_errors(&hw_edit("- I2, tl", "- I2, tx"));
    one(&e, &["unknown direction `tx`"]);
    let e = hw_errors(&hw_edit(
        "served_dimensions: [D3, D4]",
        "served_dimensions: [D3, D7]",
    ));
    one(
        &e,
        &[
            "memories.rf_1B.served_dimensions[1]",
            "unknown array dimension `D7`",
            "D1, D2, D3, D4",
        ],
    );
    // Two ports for one direction; a memory nobody reads towards the MACs.
    let e = hw_errors(&hw_edit("          - O, th\n", "          - O, tl\n"));
    one(
        &e,
        &["memories.rf_2B.ports", "`O, tl` is allocated to 2 ports"],
    );
    let e = hw_errors(&hw_edit(
        "allocation:\n          - I2, tl\n",
        "allocation: []\n",
    ));
    one(&e, &["memories.rf_1B.ports", "no port reads `I2`"]);
}

#[test]
fn what_the_model_cannot_represent_is_refused() {
    let two_cores = "name: dual\ncores:\n  - core.yaml\n  - core.yaml\n";
    one(
        &hw_errors(two_cores),
        &["hw.yaml: cores (line 3)", "2 cores given", "one core"],
    );
    let e = hw_errors(&hw_edit("bandwidth_max: 16\n", "bandwidth_max: 32\n"));
    one(
        &e,
        &[
            "memories.rf_2B.ports",
            "the read ports `r_port_1` (16..32 bits) and `r_port_2` (16..16 bits) differ",
        ],
    );
    let e = hw_errors(&hw_edit(
        "    latency: 1\n",
        "    latency: 1\n    auto_cost_extraction: true\n",
    ));
    one(&e, &["memories.rf_1B.auto_cost_extraction", "CACTI"]);
    let e = hw_errors(&hw_edit(
        "    latency: 1\n",
        "    latency: 1\n    force_double_buffering: true\n",
    ));
    one(&e, &["force_double_buffering", "§2.9.1"]);
    let e = hw_errors(&hw_edit("unit_area: 1", "unit_area: 1\n  is_imc: true"));
    one(&e, &["operational_array.is_imc", "in-memory computing"]);
    let e = hw_errors(&hw_edit("bandwidth_min: 8\n", "bandwidth_min: 16\n"));
    one(
        &e,
        &["ports[0].bandwidth_min", "16 is above bandwidth_max 8"],
    );
}

fn map_errors(map: &str, wl: Option<&str>) -> Vec<String> {
    let hw = text("meta_prototype_df.yaml");
    let wl_text = wl.map(str::to_string);
    let w = match &wl_text {
        Some(t) => WorkloadInput::Yaml(
            Yaml {
                file: "wl.yaml",
                text: t,
            },
            "net",
        ),
        None => WorkloadInput::Document(
            serde_json::from_str(presets::workload("fsrcnn").unwrap()).unwrap(),
        ),
    };
    match zigzag::convert(
        Yaml {
            file: "hw.yaml",
            text: &hw,
        },
        Yaml {
            file: "map.yaml",
            text: map,
        },
        w,
    ) {
        Ok(_) => panic!("accepted:\n{map}"),
        Err(e) => e.iter().map(Problem::to_string).collect(),
    }
}

fn map_edit(from: &str, to: &str) -> String {
    let t = text("meta_prototype_fsrcnn_mapping.yaml");
    assert!(t.contains(from), "{from}");
    t.replacen(from, to, 1)
}

#[test]
fn bad_mappings() {
    let e = map_errors(
        &map_edit("      - OX, 4\n", "      - OX, 2\n      - OY, 2\n"),
        None,
    );
    one(
        &e,
        &[
            "map.yaml: [0].spatial_mapping.D3[0]",
            "D3 unrolls `OX` by 2 and `OY` by 2 for layer 0",
            "one loop per array dimension",
        ],
    );
    let e = map_errors(&map_edit("    D4:", "    D9:"), None);
    one(
        &e,
        &["[0].spatial_mapping.D9", "unknown array dimension `D9`"],
    );
    let e = map_errors(&map_edit("W: I2", "W: I3"), None);
    one(
        &e,
        &[
            "[0].memory_operand_links.W",
            "`I3` is not a memory operand",
            "I1",
        ],
    );
    let e = map_errors(&map_edit("      - K, 32", "      - K32"), None);
    one(
        &e,
        &[
            "[0].spatial_mapping.D1[0]",
            "`K32` is not an unrolling",
            "`LOOP, N`",
        ],
    );
    let e = map_errors(
        &map_edit(
            "  memory_operand_links:",
            "  spatial_mapping_hint:\n    D2: [C]\n  memory_operand_links:",
        ),
        None,
    );
    one(
        &e,
        &[
            "[0].spatial_mapping_hint",
            "takes the spatial mapping as given",
        ],
    );
    let e = map_errors(
        &map_edit(
            "  memory_operand_links:",
            "  temporal_ordering:\n    - [OX, 2]\n  memory_operand_links:",
        ),
        None,
    );
    one(&e, &["[0].temporal_ordering", "LOMA"]);
    let e = map_errors(&map_edit("- name: default", "- name: Gemm"), None);
    one(
        &e,
        &[
            "map.yaml",
            "no entry for layer 0 (`Layer0`, Conv) and no `default` entry",
        ],
    );
    let e = map_errors(
        &map_edit(
            "- name: default",
            "- name: default\n  core_allocation: [1, 2]",
        ),
        None,
    );
    one(&e, &["[0].core_allocation", "one core"]);
}

fn wl_edit(from: &str, to: &str) -> String {
    let t = text("fsrcnn.yaml");
    assert!(t.contains(from), "{from}");
    t.replacen(from, to, 1)
}

#[test]
fn bad_workloads() {
    let map = text("meta_prototype_fsrcnn_mapping.yaml");
    let e = map_errors(&map, Some(&wl_edit("    W: 1\n", "    W: 0\n")));
    one(
        &e,
        &[
            "wl.yaml: [1].operand_source",
            "both inputs come from layers",
        ],
    );
    let e = map_errors(&map, Some(&wl_edit("    I: 0\n", "    I: 5\n")));
    one(
        &e,
        &[
            "wl.yaml: [0].operand_source.I",
            "layer 5 is not listed before this layer",
        ],
    );
    let e = map_errors(
        &map,
        Some(&wl_edit(
            "loop_sizes: [1, 56, 1, 550, 970, 5, 5]",
            "loop_sizes: [1, 56, 1, 550, 970, 5]",
        )),
    );
    one(
        &e,
        &[
            "wl.yaml: [0].loop_sizes",
            "7 loop dimensions and 6 loop sizes",
        ],
    );
    let e = map_errors(
        &map,
        Some(&wl_edit("operator_type: Conv", "operator_type: Deconv")),
    );
    one(&e, &["[0].operator_type", "unknown operator type `Deconv`"]);
    let e = map_errors(
        &map,
        Some(&wl_edit(
            "dimension_relations: [ix=1*ox+1*fx, iy=1*oy+1*fy]",
            "dimension_relations: [ix=1*ox+1*fx]",
        )),
    );
    one(
        &e,
        &[
            "[0].equation",
            "`iy` of I is neither in loop_dims nor defined by dimension_relations",
        ],
    );
    let e = map_errors(&map, Some(&wl_edit("    O_final: 8\n", "")));
    one(&e, &["[0].operand_precision", "`O_final` has no precision"]);
    let e = map_errors(
        &map,
        Some(&wl_edit(
            "W[k][c][fy][fx]*I",
            "W[k][c][fy][fx]*X[b][c][ix][iy]*I",
        )),
    );
    one(&e, &["[0].equation", "exactly two inputs"]);
}

/// Random byte edits of the valid files: an error or a conversion, never
/// a panic or a hang.
#[test]
fn mutated_files_never_panic() {
    let files = [
        text("meta_prototype_df.yaml"),
        text("meta_prototype_fsrcnn_mapping.yaml"),
        text("fsrcnn.yaml"),
    ];
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let alphabet = b" :-,[]{}\n#&*!'\"0123456789abcDIOW_.|>";
    let mut accepted = 0;
    for _ in 0..300 {
        let k = (next() % 3) as usize;
        let mut b = files[k].clone().into_bytes();
        for _ in 0..1 + next() % 4 {
            let i = (next() as usize) % b.len();
            b[i] = alphabet[(next() as usize) % alphabet.len()];
        }
        let m = String::from_utf8_lossy(&b).into_owned();
        let t = |i: usize| {
            if i == k {
                m.as_str()
            } else {
                files[i].as_str()
            }
        };
        let r = zigzag::convert(
            Yaml {
                file: "h",
                text: t(0),
            },
            Yaml {
                file: "m",
                text: t(1),
            },
            WorkloadInput::Yaml(
                Yaml {
                    file: "w",
                    text: t(2),
                },
                "net",
            ),
        );
        match r {
            Ok(_) => accepted += 1,
            Err(e) => assert!(e.iter().all(|p| !p.message.is_empty()), "{e:?}"),
        }
    }
    assert!(accepted < 300, "every mutation was accepted");
}
