//! Hardware input (`defines-reference-hardware/1`, see
//! `presets/REFERENCE-README.md`) and the accelerator model the cost model
//! runs on (docs/model.md §1.2), with the trimming operations of the depth-first
//! stage (§1.3).
//!
//! Schema (fields the model reads; informational fields such as `area`,
//! `paper_name`, `ports`, `unroll_count` are accepted and ignored, any other
//! field is an error):
//! - `cores[0].operational_array.unit.energy_pJ_per_op`, MAC energy (pJ);
//! - `cores[0].operational_array.dimensions[] = {name, size}`;
//! - `cores[0].memory_levels[]`, bottom-up insertion order, each with
//!   `instance` (`name`, `size_bits`, `r_bw_bits_per_cycle`,
//!   `w_bw_bits_per_cycle`, `r_cost_pJ_per_access`, `w_cost_pJ_per_access`,
//!   `r_port`, `w_port`, `rw_port`, `latency_cycles`, optional
//!   `min_r_granularity_bits`, `min_w_granularity_bits`), `operands`,
//!   `port_alloc[] = {operand, fh, tl, fl, th}` and `served_dimensions`
//!   (`"all"` or a list of 0/1 vectors over the array dimensions).

use alloc::string::String;
use alloc::vec::Vec;
use serde_json::Value;

use crate::diag::Diagnostic;
use crate::input::json::{parse_value, Diags};
use read::read_hardware;

mod informational;
mod level;
mod read;

pub use informational::refresh_informational;

/// One transfer direction of a memory level for one memory operand
/// (docs/model.md §1.2.3). The discriminant is the index used in tables.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Dir {
    /// `tl`: read towards the level below.
    RdOutToLow = 0,
    /// `fl`: written from the level below (outputs).
    WrInByLow = 1,
    /// `th`: read towards the level above (outputs).
    RdOutToHigh = 2,
    /// `fh`: written from the level above.
    WrInByHigh = 3,
}

impl Dir {
    pub const ALL: [Dir; 4] = [
        Dir::RdOutToLow,
        Dir::WrInByLow,
        Dir::RdOutToHigh,
        Dir::WrInByHigh,
    ];
    /// Order in which a `port_alloc` entry attaches functions to ports.
    pub const ALLOC_ORDER: [Dir; 4] = [
        Dir::WrInByHigh,
        Dir::RdOutToLow,
        Dir::WrInByLow,
        Dir::RdOutToHigh,
    ];

    pub fn is_read(self) -> bool {
        matches!(self, Dir::RdOutToLow | Dir::RdOutToHigh)
    }
    pub fn name(self) -> &'static str {
        match self {
            Dir::RdOutToLow => "rd_out_to_low",
            Dir::WrInByLow => "wr_in_by_low",
            Dir::RdOutToHigh => "rd_out_to_high",
            Dir::WrInByHigh => "wr_in_by_high",
        }
    }
    fn alloc_key(self) -> &'static str {
        match self {
            Dir::RdOutToLow => "tl",
            Dir::WrInByLow => "fl",
            Dir::RdOutToHigh => "th",
            Dir::WrInByHigh => "fh",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PortKind {
    R,
    W,
    Rw,
}

/// A function served by a port: (memory operand index, level index of that
/// operand, direction).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PortFn {
    pub mem_op: usize,
    pub level: usize,
    pub dir: Dir,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Port {
    pub name: String,
    pub kind: PortKind,
    /// Width (a `rw` port uses the read width, Q22).
    pub bw_bits: u64,
    pub bw_min_bits: u64,
    /// Functions in attachment order (§2.9.3).
    pub serves: Vec<PortFn>,
}

/// One memory operand stored in a level, with its port per direction
/// (indexed by `Dir as usize`).
#[derive(Clone, Debug, PartialEq)]
pub struct OperandSlot {
    pub mem_op: usize,
    pub ports: [Option<usize>; 4],
}

#[derive(Clone, Debug, PartialEq)]
pub struct MemoryLevel {
    pub name: String,
    pub size_bits: u64,
    pub r_bw_bits: u64,
    pub w_bw_bits: u64,
    pub r_cost_pj: f64,
    pub w_cost_pj: f64,
    pub r_min_bits: u64,
    pub w_min_bits: u64,
    pub latency_cycles: u64,
    /// Per array dimension: served by one instance of this level.
    pub served: Vec<bool>,
    /// Number of physical instances (product of the unserved dimensions).
    pub unroll_count: u64,
    /// Stored memory operands in their listed order.
    pub slots: Vec<OperandSlot>,
    /// Ports in the order `r_port_*`, `w_port_*`, `rw_port_*`.
    pub ports: Vec<Port>,
}

impl MemoryLevel {
    pub fn stores(&self, mem_op: usize) -> bool {
        self.slots.iter().any(|s| s.mem_op == mem_op)
    }
    pub fn slot(&self, mem_op: usize) -> Option<&OperandSlot> {
        self.slots.iter().find(|s| s.mem_op == mem_op)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct ArrayDim {
    pub name: String,
    pub size: u64,
}

/// An accelerator (one core), possibly trimmed (§1.3).
#[derive(Clone, Debug, PartialEq)]
pub struct Hardware {
    pub name: String,
    pub array_dims: Vec<ArrayDim>,
    pub mac_energy_pj: f64,
    /// Memory operand names (`I1`, `I2`, `O`), in order of first appearance.
    pub mem_ops: Vec<String>,
    /// Memory levels in insertion order (bottom-up per operand).
    pub levels: Vec<MemoryLevel>,
}

impl Hardware {
    /// Number of MAC units.
    pub fn total_units(&self) -> u64 {
        self.array_dims
            .iter()
            .fold(1u64, |a, d| a.saturating_mul(d.size))
    }

    pub fn mem_op_index(&self, name: &str) -> Option<usize> {
        self.mem_ops.iter().position(|m| m == name)
    }

    /// Physical level indices that store `mem_op`, bottom-up.
    pub fn levels_of(&self, mem_op: usize) -> Vec<usize> {
        (0..self.levels.len())
            .filter(|&i| self.levels[i].stores(mem_op))
            .collect()
    }

    /// Index of a memory level by instance name.
    pub fn level_index(&self, name: &str) -> Option<usize> {
        self.levels.iter().position(|l| l.name == name)
    }

    /// Parses and checks a hardware document; every problem is reported.
    pub fn from_json(text: &str) -> Result<Hardware, Vec<Diagnostic>> {
        let v = parse_value(text, "hardware", "hardware")?;
        Hardware::from_value(&v)
    }

    /// Like [`Hardware::from_json`], from an already parsed value.
    pub fn from_value(v: &Value) -> Result<Hardware, Vec<Diagnostic>> {
        let mut d = Diags::new();
        let hw = read_hardware(v, &mut d);
        match hw {
            Some(h) if d.is_empty() => Ok(h),
            _ => {
                if d.is_empty() {
                    d.push(Diagnostic::new(
                        "hardware",
                        "the hardware could not be read; check its structure",
                    ));
                }
                Err(d)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::presets;
    use alloc::string::ToString;

    #[test]
    fn every_preset_loads() {
        for (name, text) in presets::HARDWARE {
            let h = Hardware::from_json(text).unwrap_or_else(|e| panic!("{name}: {e:?}"));
            assert!(!h.levels.is_empty(), "{name}");
        }
    }

    /// The derived port functions equal the `serves` lists of the file.
    #[test]
    fn port_functions_match_file() {
        for (name, text) in presets::HARDWARE {
            let h = Hardware::from_json(text).unwrap();
            let v: Value = serde_json::from_str(text).unwrap();
            let levels = v["cores"][0]["memory_levels"].as_array().unwrap();
            for (l, lv) in h.levels.iter().zip(levels) {
                assert_eq!(
                    l.unroll_count,
                    lv["unroll_count"].as_u64().unwrap(),
                    "{name} {}",
                    l.name
                );
                let ports = lv["ports"].as_array().unwrap();
                assert_eq!(l.ports.len(), ports.len());
                for (p, pv) in l.ports.iter().zip(ports) {
                    assert_eq!(p.name, pv["name"].as_str().unwrap());
                    let want: Vec<(String, u64, String)> = pv["serves"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|f| {
                            (
                                f[0].as_str().unwrap().to_string(),
                                f[1].as_u64().unwrap(),
                                f[2].as_str().unwrap().to_string(),
                            )
                        })
                        .collect();
                    let got: Vec<(String, u64, String)> = p
                        .serves
                        .iter()
                        .map(|f| {
                            (
                                h.mem_ops[f.mem_op].clone(),
                                f.level as u64,
                                f.dir.name().to_string(),
                            )
                        })
                        .collect();
                    assert_eq!(got, want, "{name} {} {}", l.name, p.name);
                }
            }
        }
    }

    #[test]
    fn remove_top_and_duplicate() {
        let mut h = Hardware::from_json(presets::hardware("Meta_prototype_DF").unwrap()).unwrap();
        let i1 = h.mem_op_index("I1").unwrap();
        assert_eq!(h.levels_of(i1).len(), 3);
        assert!(h.trim_to("I1", "sram_1MB_A"));
        assert_eq!(h.levels_of(i1).len(), 2);
        let dram = h.level_index("dram").unwrap();
        assert!(h.levels[dram].ports[0]
            .serves
            .iter()
            .all(|f| f.mem_op != i1));
        h.duplicate_for_add("I1", "I2");
        let i2 = h.mem_op_index("I2").unwrap();
        let names: Vec<&str> = h
            .levels_of(i2)
            .iter()
            .map(|&i| h.levels[i].name.as_str())
            .collect();
        assert_eq!(names, ["sram_64KB", "sram_1MB_A"]);
        // weight-only memories are gone, dram stores only O now
        assert!(h.level_index("sram_32KB").is_none());
        let l = &h.levels[h.level_index("sram_64KB").unwrap()];
        let order: Vec<&str> = l
            .slots
            .iter()
            .map(|s| h.mem_ops[s.mem_op].as_str())
            .collect();
        assert_eq!(order, ["I1", "O", "I2"]);
        let last = l.ports[0].serves.last().unwrap();
        assert_eq!(
            (last.mem_op, last.level, last.dir),
            (i2, 0, Dir::RdOutToLow)
        );
    }
}
