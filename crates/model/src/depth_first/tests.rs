//! docs/model.md §6 hand cases of the depth-first model: V2 (one-layer network
//! through the whole pipeline), V5 (back-propagation and alive size), V6
//! (two-layer chain on `Meta_prototype_DF`).

use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use crate::depth_first::backprop::{backprop, BpFlags, CacheWrite};
use crate::depth_first::data_copy::CopyKind;
use crate::depth_first::graph::{largest_alive, network, Graph};
use crate::depth_first::{evaluate_network, ItemKind, Overlap, Schedule, Tile};
use crate::presets;
use crate::scenario::validate::{validate_json, ValidScenario};
use crate::single_layer::hand_tests::TOY_HW;

const REL_TOL: f64 = 1e-12;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= REL_TOL * b.abs().max(1.0)
}

fn conv(id: i64, k: u64, c: u64, o: u64, f: u64, src: i64) -> String {
    format!(
        r#"{{"id":{id},"kind":"conv","equation":"O[b][k][oy][ox]+=W[k][c][fy][fx]*I[b][c][ix][iy]",
        "equation_relations":["ix=1*ox+1*fx","iy=1*oy+1*fy"],
        "loop_dims":{{"B":1,"K":{k},"C":{c},"OY":{o},"OX":{o},"FY":{f},"FX":{f}}},
        "operand_precision_bits":{{"O":16,"O_final":8,"W":8,"I":8}},
        "operand_sources":{{"W":[],"I":[{src}]}},
        "operand_source_dimension_mapping":{{"I":{{"IX":"OX","IY":"OY","C":"K"}}}},
        "constant_operands":["W"],"memory_operand_links":{{"O":"O","W":"I2","I":"I1"}}}}"#
    )
}

fn input(k: u64, o: u64) -> String {
    format!(
        r#"{{"id":-1,"kind":"input","loop_dims":{{"B":1,"K":{k},"OY":{o},"OX":{o}}},"precision_bits":8,"memory_operand_links":{{"O":"I1"}}}}"#
    )
}

fn workload(layers: &[String]) -> String {
    format!(r#"{{"name":"t","layers":[{}]}}"#, layers.join(","))
}

fn mapping(ids: &[i64], sm: &str) -> String {
    let l: Vec<String> = ids
        .iter()
        .map(|i| format!(r#"{{"id":{i},"spatial_mapping":{sm}}}"#))
        .collect();
    format!(r#"{{"layers":[{}]}}"#, l.join(","))
}

/// §6.4 V2: one layer, toy hardware, tile 2x2 (= layer-by-layer).
#[test]
fn v2_one_layer_network() {
    let layer = r#"{"id":0,"kind":"conv","equation":"O[b][k][oy][ox]+=W[k][c]*I[b][c][oy][ox]",
        "loop_dims":{"B":1,"K":2,"C":4,"OY":2,"OX":2},
        "operand_precision_bits":{"O":16,"O_final":8,"W":8,"I":8},
        "operand_sources":{"W":[],"I":[-1]},
        "operand_source_dimension_mapping":{"I":{"OX":"OX","OY":"OY","C":"K"}},
        "constant_operands":["W"],"memory_operand_links":{"O":"O","W":"I2","I":"I1"}}"#;
    let w = workload(&[
        r#"{"id":-1,"kind":"input","loop_dims":{"B":1,"K":4,"OY":2,"OX":2},"precision_bits":8,"memory_operand_links":{"O":"I1"}}"#.into(),
        layer.into(),
    ]);
    let sc = validate_json(&w, TOY_HW, &mapping(&[0], r#"{"D1":["K",2]}"#)).unwrap();
    for overlap in [
        Overlap::FullyRecompute,
        Overlap::HCachedVRecompute,
        Overlap::FullyCached,
    ] {
        let s = Schedule {
            tile: Tile { x: 2, y: 2 },
            overlap,
            lpf_limit: 6,
            stack_cuts: None,
        };
        let r = evaluate_network(&sc, &s).unwrap();
        assert!(r.stack_cuts.is_empty());
        assert!(close(r.energy_pj, 1038.0), "{}", r.energy_pj);
        assert_eq!(r.latency_cycles, 57);
        let si = &r.layers[0];
        assert_eq!(si.kind, ItemKind::DataCopy);
        assert!(
            close(si.energy_pj, 412.0) && si.latency_cycles == 8,
            "{si:?}"
        );
        let cp = &si.tile_types[0].copies[0];
        assert_eq!((cp.kind, cp.bits), (CopyKind::StackInput, 128));
        let l0 = r
            .layers
            .iter()
            .find(|i| i.reference_name == "LayerNode_0")
            .unwrap();
        assert!(close(l0.energy_pj, 626.0), "{}", l0.energy_pj);
        assert_eq!(
            (
                l0.latency_total0_cycles,
                l0.latency_cycles,
                l0.latency_total2_cycles
            ),
            (45, 49, 53)
        );
        let before = r
            .layers
            .iter()
            .find(|i| i.reference_name == "DataCopyLayer_datamovement_b4_LayerNode_0")
            .unwrap();
        assert_eq!((before.energy_pj, before.latency_cycles), (0.0, 0));
        // §4.3 element accesses: V1's element moves, with the input trimmed
        // at `buf` (its 16 reads there only) and the 128-bit input copy
        // passing both memories as 16 bytes
        let acc: Vec<(&str, [f64; 3])> = (r.element_accesses.iter())
            .map(|a| (a.memory.as_str(), [a.activations, a.weights, a.copies]))
            .collect();
        assert_eq!(
            acc,
            [
                ("buf", [64.0 + 16.0, 40.0, 16.0]),
                ("dram", [8.0, 8.0, 16.0])
            ]
        );
    }
}

/// §6.7 V5 graph: input -> L0 -> L1; L2 = L0 + L1; L3.
fn v5() -> ValidScenario {
    let add = r#"{"id":2,"kind":"elementwise_add","equation":"O[b][g][oy][ox]=X[b][g][oy][ox]+Y[b][g][oy][ox]",
        "loop_dims":{"B":1,"G":8,"OY":8,"OX":8},
        "operand_precision_bits":{"O":16,"O_final":8,"X":8,"Y":8},
        "operand_sources":{"X":[0],"Y":[1]},
        "operand_source_dimension_mapping":{"X":{"OX":"OX","OY":"OY","G":"K"},"Y":{"OX":"OX","OY":"OY","G":"K"}},
        "constant_operands":[],"memory_operand_links":{"O":"O","X":"I1","Y":"I1"}}"#;
    let mut l3 = conv(3, 8, 8, 6, 3, 2);
    l3 = l3.replace(r#""C":"K""#, r#""C":"G""#);
    let w = workload(&[
        input(4, 12),
        conv(0, 8, 4, 10, 3, -1),
        conv(1, 8, 8, 8, 3, 0),
        add.into(),
        l3,
    ]);
    let sm = r#"{"D1":["K",8]}"#;
    validate_json(
        &w,
        presets::hardware("Meta_prototype_DF").unwrap(),
        &mapping(&[0, 1, 3], sm).replace(
            r#"{"id":3"#,
            r#"{"id":2,"spatial_mapping":{"D1":["G",8]}},{"id":3"#,
        ),
    )
    .unwrap()
}

fn ox(g: &Graph, sizes: &[Vec<u64>], id: i64) -> u64 {
    let i = g.index_of(id).unwrap();
    sizes[i][g.nodes[i].spec.dim_index("OX").unwrap()]
}

fn cache(g: &Graph, v: &[CacheWrite], id: i64) -> i64 {
    let i = g.index_of(id).unwrap();
    v.iter().find(|x| x.producer == i).unwrap().amount
}

/// §6.7 V5: tile sizes, columns to cache and alive size, without and with
/// caches.
#[test]
fn v5_backprop_and_alive() {
    let sc = v5();
    let g = network(&sc).unwrap();
    let base: Vec<Vec<u64>> = g.nodes.iter().map(|n| n.spec.sizes.clone()).collect();
    let full = backprop(&g, &base, None, BpFlags::default()).unwrap();
    assert_eq!(ox(&g, &full.sizes, -1), 12);
    assert_eq!(ox(&g, &full.sizes, 0), 10);
    let flags = BpFlags {
        use_h: false,
        make_h: true,
        use_v: false,
        make_v: true,
    };
    let bp = backprop(&g, &full.sizes, Some((2, 2)), flags).unwrap();
    let got: Vec<u64> = [3, 2, 1, 0, -1]
        .iter()
        .map(|&i| ox(&g, &bp.sizes, i))
        .collect();
    assert_eq!(got, [2, 4, 4, 6, 8]);
    let tc: Vec<i64> = [2, 0, 1, -1]
        .iter()
        .map(|&i| cache(&g, &bp.to_cache_h, i))
        .collect();
    assert_eq!(tc, [2, 2, 0, 2]);
    assert_eq!(largest_alive(&g, &bp.sizes), 4352);
    let both = BpFlags {
        use_h: true,
        make_h: true,
        use_v: true,
        make_v: true,
    };
    let bp = backprop(&g, &full.sizes, Some((2, 2)), both).unwrap();
    let got: Vec<u64> = [3, 2, 1, 0, -1]
        .iter()
        .map(|&i| ox(&g, &bp.sizes, i))
        .collect();
    assert_eq!(got, [2, 2, 2, 2, 2]);
    let tc: Vec<i64> = [2, 0, 1, -1]
        .iter()
        .map(|&i| cache(&g, &bp.to_cache_h, i))
        .collect();
    assert_eq!(tc, [2, 2, 0, 2]);
    assert_eq!(largest_alive(&g, &bp.sizes), 1280);
}

/// §6.8 two-layer chain on `Meta_prototype_DF`, mode 3, tile 3x3.
#[test]
fn v6_two_layer_chain() {
    let w = workload(&[
        input(4, 12),
        conv(0, 8, 4, 10, 3, -1),
        conv(1, 8, 8, 8, 3, 0),
    ]);
    let sm = r#"{"D1":["K",32],"D2":["C",2],"D3":["OX",4],"D4":["OY",4]}"#;
    let sc = validate_json(
        &w,
        presets::hardware("Meta_prototype_DF").unwrap(),
        &mapping(&[0, 1], sm),
    )
    .unwrap();
    let s = Schedule {
        tile: Tile { x: 3, y: 3 },
        overlap: Overlap::FullyCached,
        lpf_limit: 6,
        stack_cuts: None,
    };
    let r = evaluate_network(&sc, &s).unwrap();
    assert_eq!(r.stack_details[0].tile_type_multiplicities, vec![1; 9]);
    let si = &r.layers[0];
    let amounts: Vec<u64> = si.tile_types.iter().map(|t| t.copies[0].bits).collect();
    assert_eq!(amounts, [1152, 576, 576, 576, 288, 288, 576, 288, 288]);
    for it in &r.layers {
        for t in &it.tile_types {
            for c in &t.copies {
                assert!(
                    !matches!(c.kind, CopyKind::CacheRead | CopyKind::CacheWrite),
                    "{c:?}"
                );
            }
            for top in &t.top_levels {
                let want = match top.operand.as_str() {
                    "W" => "sram_32KB",
                    "O" if it.layer_id == Some(1) => "dram",
                    _ => "sram_64KB",
                };
                if top.operand == "W" && core::ptr::eq(t, &it.tile_types[0]) {
                    continue; // first tile: weights from DRAM (Q2)
                }
                assert_eq!(top.memory, want, "{} {top:?}", it.name);
            }
        }
    }
    // §4.3: fully cached, every input byte is fetched from DRAM once
    // (4 x 12 x 12), and the last layer writes its 8 x 8 x 8 outputs there
    // once (final precision, no partial sums leave the array)
    let dram = r.element_accesses.last().unwrap();
    assert_eq!(dram.memory, "dram");
    assert_eq!((dram.copies, dram.activations), (576.0, 512.0));
}
