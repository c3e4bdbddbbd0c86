//! Data copy actions and data copy layers (docs/model.md §3.9): moving a tile,
//! a cache slice or a stack input between two memories of the **original**
//! (untrimmed) hierarchy, outside any layer's own cost evaluation.
//!
//! Quirks: Q14 (the hop timeline always advances: every hop of a simple
//! path has a receiver not seen before in that action) and Q22 (`rw` ports
//! use the read width and granularity also for writes, already in
//! [`crate::input::hardware::Port`]).

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use serde::{Deserialize, Serialize};

use crate::input::hardware::{Dir, Hardware};
use crate::num::ceil_div;
use crate::vec_map::find_or_push;

/// Why a copy was requested (§3.8 e, l).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CopyKind {
    /// `SI`: a stack input tile from the top `I1` level.
    StackInput,
    /// `O→I`: a producer's output tile to the consumer's input level.
    OutputToInput,
    /// `CI`: overlap read from an H or V cache.
    CacheRead,
    /// `CO`: overlap written to an H or V cache.
    CacheWrite,
}

/// One requested copy: `bits` from `(src_op, src)` to `(dst_op, dst)`;
/// `src`/`dst` are indices into `Hardware::levels` of the original
/// hierarchy.
#[derive(Clone, Debug, PartialEq)]
pub struct CopyRequest {
    pub kind: CopyKind,
    pub src_op: String,
    pub src: usize,
    pub dst_op: String,
    pub dst: usize,
    pub bits: u64,
}

/// One executed copy, with its cost.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CopyAction {
    pub kind: CopyKind,
    pub bits: u64,
    /// Memory instances passed, source first.
    pub path: Vec<String>,
    pub energy_pj: f64,
    pub latency_cycles: u64,
}

/// All copies before one layer of one tile type.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CopyLayerCost {
    pub energy_pj: f64,
    pub latency_cycles: u64,
    pub actions: Vec<CopyAction>,
    /// Energy per memory instance (reads of senders, writes of receivers).
    pub energy_by_memory_pj: Vec<(String, f64)>,
}

/// A hop: sender level and port, receiver level and port.
struct Hop {
    from: usize,
    from_port: usize,
    to: usize,
    to_port: usize,
}

fn level_in(hw: &Hardware, op: usize, phys: usize) -> Option<usize> {
    hw.levels_of(op).iter().position(|&l| l == phys)
}

fn port(hw: &Hardware, lvl: usize, op: usize, dir: Dir) -> Result<usize, String> {
    let level = hw
        .levels
        .get(lvl)
        .ok_or_else(|| format!("memory level {lvl} does not exist"))?;
    level
        .slot(op)
        .and_then(|s| s.ports[dir as usize])
        .ok_or_else(|| {
            format!(
                "memory `{}` has no `{}` port for operand `{}`; a data copy needs it, add it to the port allocation",
                level.name,
                dir.name(),
                hw.mem_ops.get(op).map(String::as_str).unwrap_or("?")
            )
        })
}

/// A memory along a copy path: the operand and port direction the data
/// arrives by, and those it leaves by.
#[derive(Clone, Copy)]
struct Stop {
    mem: usize,
    recv_op: usize,
    recv_dir: Dir,
    send_op: usize,
    send_dir: Dir,
}

impl Stop {
    /// A stop that receives and sends as the same operand.
    fn same_op(mem: usize, op: usize, recv_dir: Dir, send_dir: Dir) -> Stop {
        Stop {
            mem,
            recv_op: op,
            recv_dir,
            send_op: op,
            send_dir,
        }
    }
}

fn hops_of(hw: &Hardware, stops: &[Stop]) -> Result<Vec<Hop>, String> {
    let mut hops = Vec::new();
    for w in stops.windows(2) {
        let (a, b) = (w[0], w[1]);
        hops.push(Hop {
            from: a.mem,
            from_port: port(hw, a.mem, a.send_op, a.send_dir)?,
            to: b.mem,
            to_port: port(hw, b.mem, b.recv_op, b.recv_dir)?,
        });
    }
    Ok(hops)
}

/// The path of §3.9 (re-expression through a shared memory, then up and
/// down the operands' hierarchies).
fn path(hw: &Hardware, req: &CopyRequest) -> Result<Vec<Hop>, String> {
    let op_idx = |name: &str| {
        hw.mem_op_index(name)
            .ok_or_else(|| format!("no memory stores operand `{name}`"))
    };
    let mut s_op = op_idx(&req.src_op)?;
    let mut d_op = op_idx(&req.dst_op)?;
    let (src, dst) = (req.src, req.dst);
    if src == dst {
        return Ok(Vec::new());
    }
    // A source memory that does not hold the source operand (a stack input
    // level that stores no `O`) is read as the destination operand.
    if level_in(hw, s_op, src).is_none() && level_in(hw, d_op, src).is_some() {
        s_op = d_op;
    }
    if level_in(hw, d_op, dst).is_none() && level_in(hw, s_op, dst).is_some() {
        d_op = s_op;
    }
    let s_levels = hw.levels_of(s_op);
    let missing = |m: usize, o: usize| not_stored(hw, m, o);
    let ps = level_in(hw, s_op, src).ok_or_else(|| missing(src, s_op))?;
    let pd = level_in(hw, d_op, dst).ok_or_else(|| missing(dst, d_op))?;
    if s_op != d_op {
        let sh = s_levels[ps..]
            .iter()
            .copied()
            .find(|&m| level_in(hw, d_op, m).is_some_and(|l| l >= pd));
        let Some(sh) = sh else {
            return Err(format!(
                "no memory above `{}` also stores operand `{}`; the copy has no path",
                hw.levels[src].name, req.dst_op
            ));
        };
        // re-expression: through the source when it is the shared memory,
        // else through the destination (then `s_op` names both ends)
        if sh == src {
            s_op = d_op;
        } else if sh != dst {
            let src_end = PathEnd { op: s_op, pos: ps };
            let dst_end = PathEnd { op: d_op, pos: pd };
            return hops_of(hw, &stops_through(hw, src_end, dst_end, sh));
        }
    }
    hops_within(hw, s_op, src, dst)
}

fn not_stored(hw: &Hardware, m: usize, o: usize) -> String {
    format!(
        "memory `{}` does not store operand `{}`",
        hw.levels.get(m).map(|l| l.name.as_str()).unwrap_or("?"),
        hw.mem_ops.get(o).map(String::as_str).unwrap_or("?")
    )
}

/// One end of a copy path: its operand and its position in that operand's
/// hierarchy.
#[derive(Clone, Copy)]
struct PathEnd {
    op: usize,
    pos: usize,
}

/// Up the source operand's hierarchy to the shared memory `sh`, re-expressed
/// there, and down the destination operand's.
fn stops_through(hw: &Hardware, src: PathEnd, dst: PathEnd, sh: usize) -> Vec<Stop> {
    let (s_op, d_op) = (src.op, dst.op);
    let s_levels = hw.levels_of(s_op);
    let d_levels = hw.levels_of(d_op);
    let psh_s = level_in(hw, s_op, sh).unwrap_or(src.pos);
    let psh_d = level_in(hw, d_op, sh).unwrap_or(dst.pos);
    let mut stops: Vec<Stop> = Vec::new();
    for &m in &s_levels[src.pos..psh_s] {
        stops.push(Stop::same_op(m, s_op, Dir::WrInByLow, Dir::RdOutToHigh));
    }
    stops.push(Stop {
        mem: sh,
        recv_op: s_op,
        recv_dir: Dir::WrInByLow,
        send_op: d_op,
        send_dir: Dir::RdOutToLow,
    });
    for &m in d_levels[dst.pos..psh_d].iter().rev() {
        stops.push(Stop::same_op(m, d_op, Dir::WrInByHigh, Dir::RdOutToLow));
    }
    stops
}

/// Up or down the hierarchy of operand `s_op` from `src` to `dst`.
fn hops_within(hw: &Hardware, s_op: usize, src: usize, dst: usize) -> Result<Vec<Hop>, String> {
    let missing = |m: usize, o: usize| not_stored(hw, m, o);
    let levels = hw.levels_of(s_op);
    let ls = level_in(hw, s_op, src).ok_or_else(|| missing(src, s_op))?;
    let ld = level_in(hw, s_op, dst).ok_or_else(|| missing(dst, s_op))?;
    if ls == ld {
        return Ok(Vec::new());
    }
    let stops: Vec<Stop> = if ls < ld {
        levels[ls..=ld]
            .iter()
            .map(|&m| Stop::same_op(m, s_op, Dir::WrInByLow, Dir::RdOutToHigh))
            .collect()
    } else {
        levels[ld..=ls]
            .iter()
            .rev()
            .map(|&m| Stop::same_op(m, s_op, Dir::WrInByHigh, Dir::RdOutToLow))
            .collect()
    };
    hops_of(hw, &stops)
}

/// Busy intervals per port `(level, port)`.
type PortBusy = Vec<((usize, usize), Vec<(u64, u64)>)>;

fn busy(ports: &mut PortBusy, key: (usize, usize), iv: (u64, u64)) {
    let i = find_or_push(ports, |(k, _)| *k == key, || (key, Vec::new()));
    ports[i].1.push(iv);
}

/// Adds `e` to the energy of memory `m`. A new entry starts at -0.0, the
/// exact identity of `+`, so it holds `e` bit for bit (as the previous
/// push of `e` did, -0.0 included).
fn add_energy(by_memory: &mut Vec<(String, f64)>, m: &str, e: f64) {
    let i = find_or_push(by_memory, |x| x.0 == m, || (String::from(m), -0.0));
    by_memory[i].1 += e;
}

/// The latency of one port: its busy intervals run back to back from the
/// first start, or end at the last end if that is later.
fn port_latency(ivs: &[(u64, u64)]) -> u64 {
    let end = ivs.iter().map(|i| i.1).max().unwrap_or(0);
    if ivs.len() == 1 {
        end
    } else {
        let start = ivs.iter().map(|i| i.0).min().unwrap_or(0);
        let sum = ivs
            .iter()
            .fold(0u64, |a, i| a.saturating_add(i.1.saturating_sub(i.0)));
        end.max(start.saturating_add(sum))
    }
}

/// Costs one data copy layer: all requests run in parallel; energy is the
/// sum of the actions, latency the busiest port (§3.9).
pub fn copy_layer(hw: &Hardware, reqs: &[CopyRequest]) -> Result<CopyLayerCost, String> {
    let mut out = CopyLayerCost::default();
    let mut ports: PortBusy = Vec::new();
    for r in reqs {
        let hops = path(hw, r)?;
        let mut energy = 0.0;
        let mut t = 0u64;
        let mut names = Vec::new();
        for (k, h) in hops.iter().enumerate() {
            let (s, d) = (&hw.levels[h.from], &hw.levels[h.to]);
            let (ps, pr) = (&s.ports[h.from_port], &d.ports[h.to_port]);
            if k == 0 {
                names.push(s.name.clone());
            }
            names.push(d.name.clone());
            let e_send = ceil_div(r.bits, ps.bw_min_bits.max(1)) as f64
                * (ps.bw_min_bits as f64 / ps.bw_bits.max(1) as f64)
                * s.r_cost_pj;
            let e_recv = ceil_div(r.bits, pr.bw_min_bits.max(1)) as f64
                * (pr.bw_min_bits as f64 / pr.bw_bits.max(1) as f64)
                * d.w_cost_pj;
            energy += e_send + e_recv;
            add_energy(&mut out.energy_by_memory_pj, &s.name, e_send);
            add_energy(&mut out.energy_by_memory_pj, &d.name, e_recv);
            let lat = ceil_div(r.bits, ps.bw_bits.max(1)).max(ceil_div(r.bits, pr.bw_bits.max(1)));
            busy(
                &mut ports,
                (h.from, h.from_port),
                (t, t.saturating_add(lat)),
            );
            busy(&mut ports, (h.to, h.to_port), (t, t.saturating_add(lat)));
            t = t.saturating_add(lat);
        }
        out.energy_pj += energy;
        out.actions.push(CopyAction {
            kind: r.kind,
            bits: r.bits,
            path: names,
            energy_pj: energy,
            latency_cycles: t,
        });
    }
    for (_, ivs) in &ports {
        out.latency_cycles = out.latency_cycles.max(port_latency(ivs));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::presets;

    fn hw() -> Hardware {
        Hardware::from_json(presets::hardware("Meta_prototype_DF").unwrap()).unwrap()
    }

    fn req(
        h: &Hardware,
        src_op: &str,
        src: &str,
        dst_op: &str,
        dst: &str,
        bits: u64,
    ) -> CopyRequest {
        CopyRequest {
            kind: CopyKind::OutputToInput,
            src_op: src_op.into(),
            src: h.level_index(src).unwrap(),
            dst_op: dst_op.into(),
            dst: h.level_index(dst).unwrap(),
            bits,
        }
    }

    const REL_TOL: f64 = 1e-12;

    /// docs/model.md §6.5 V3 (hand): energy and latency of single actions.
    #[test]
    fn v3_copy_actions() {
        let h = hw();
        let cases = [
            ("I1", "dram", "I1", "sram_64KB", 2048, 23317.76, 36),
            ("I1", "sram_1MB_A", "I1", "sram_64KB", 1600, 421.375, 4),
            ("O", "sram_64KB", "O", "sram_1MB_A", 13440, 3180.45, 27),
            ("O", "sram_1MB_A", "I1", "sram_64KB", 287232, 75645.24, 561),
            (
                "I1",
                "dram",
                "I1",
                "sram_1MB_A",
                4316768,
                48012596.25,
                67450,
            ),
            ("O", "sram_1MB_A", "I1", "sram_1MB_A", 4096, 0.0, 0),
        ];
        for (so, s, d_o, d, bits, e, lat) in cases {
            let c = copy_layer(&h, &[req(&h, so, s, d_o, d, bits)]).unwrap();
            assert!(
                (c.energy_pj - e).abs() <= REL_TOL * e.max(1.0),
                "{s}->{d} {bits}: {} vs {e}",
                c.energy_pj
            );
            assert_eq!(c.latency_cycles, lat, "{s}->{d} {bits}");
        }
    }

    /// V3: two parallel actions on the same ports.
    #[test]
    fn v3_parallel_actions_share_ports() {
        let h = hw();
        let c = copy_layer(
            &h,
            &[
                req(&h, "I1", "sram_1MB_A", "I1", "sram_64KB", 2432),
                req(&h, "I1", "sram_1MB_A", "I1", "sram_64KB", 1920),
            ],
        )
        .unwrap();
        assert!((c.energy_pj - 1146.14).abs() < 1e-9, "{}", c.energy_pj);
        assert_eq!(c.latency_cycles, 9);
    }

    /// Invariant 5 of §6.11: a copy within one memory costs nothing, for
    /// every memory of every preset and every pair of operands it stores.
    #[test]
    fn invariant5_same_memory_copy_is_free() {
        for (name, text) in presets::HARDWARE {
            let h = Hardware::from_json(text).unwrap();
            for (li, l) in h.levels.iter().enumerate() {
                for a in &l.slots {
                    for b in &l.slots {
                        let r = CopyRequest {
                            kind: CopyKind::CacheWrite,
                            src_op: h.mem_ops[a.mem_op].clone(),
                            src: li,
                            dst_op: h.mem_ops[b.mem_op].clone(),
                            dst: li,
                            bits: 12345,
                        };
                        let c = copy_layer(&h, &[r]).unwrap();
                        assert_eq!(
                            (c.energy_pj, c.latency_cycles),
                            (0.0, 0),
                            "{name} {}",
                            l.name
                        );
                    }
                }
            }
        }
    }
}
