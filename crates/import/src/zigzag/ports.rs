//! The ports of one ZigZag memory: their kinds, widths and allocations,
//! named as the model names them, and the `port_alloc` they give.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use serde_json::{json, Map, Value as Json};

use super::fields::{int_in, seq_of, str_of, sub, Fields, Report};
use super::yaml::Node;
use defines_model::limits;

const PORT: &[&str] = &[
    "name",
    "type",
    "bandwidth_min",
    "bandwidth_max",
    "allocation",
];
const OPERANDS: &[&str] = &["I1", "I2", "O"];
/// One port: its kind, widths and allocations `(operand, dir, line)`.
pub(crate) struct Port {
    pub kind: Kind,
    pub bw_max: u64,
    pub bw_min: u64,
    /// The model's name of this port (`r_port_2`).
    pub model_name: String,
    pub allocs: Vec<(String, &'static str, usize, String)>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    R,
    W,
    Rw,
}

impl Kind {
    fn prefix(self) -> &'static str {
        match self {
            Kind::R => "r_port",
            Kind::W => "w_port",
            Kind::Rw => "rw_port",
        }
    }
}

/// `ports`: each port's kind, widths and allocations, named as the model
/// names them (the k-th read port is `r_port_k`).
pub(crate) fn read_ports(node: &Node, path: &str, r: &mut Report) -> Option<Vec<Port>> {
    let items = seq_of(node, path, r)?;
    if items.is_empty() {
        r.error(path, node.line, "the memory has no port; give it at least one read and one write port, or one read_write port".into());
        return None;
    }
    if items.len() as u64 > limits::MAX_PORTS_PER_MEMORY {
        r.error(
            path,
            node.line,
            limits::exceeded(
                "the number of ports",
                items.len(),
                limits::MAX_PORTS_PER_MEMORY,
                "a memory has at most 64 ports in all",
            ),
        );
        return None;
    }
    let n0 = r.len();
    let mut ports = Vec::new();
    let mut names: Vec<String> = Vec::new();
    for (i, n) in items.iter().enumerate() {
        let pp = format!("{path}[{i}]");
        let Some(mut f) = Fields::new(n, &pp, r, "a port") else {
            continue;
        };
        let name = f
            .req("name", r, "the port's name, e.g. `name: r_port_1`")
            .and_then(|v| str_of(v, &sub(&pp, "name"), r));
        if let Some(nm) = name {
            if !port_name_ok(nm) {
                r.error(&sub(&pp, "name"), n.line, format!("`{nm}` is not a port name; ZigZag names ports r_port_N, w_port_N or rw_port_N"));
            } else if names.iter().any(|x| x == nm) {
                r.error(
                    &sub(&pp, "name"),
                    n.line,
                    format!("the port `{nm}` is defined twice; give each port its own name"),
                );
            } else {
                names.push(nm.to_string());
            }
        }
        let kind = f.req("type", r, "read, write or read_write").and_then(|v| {
            match str_of(v, &sub(&pp, "type"), r)? {
                "read" => Some(Kind::R),
                "write" => Some(Kind::W),
                "read_write" => Some(Kind::Rw),
                other => {
                    r.error(
                        &sub(&pp, "type"),
                        v.line,
                        format!("unknown port type `{other}`; use read, write or read_write"),
                    );
                    None
                }
            }
        });
        let bw_why = "2^32 bits per cycle is wider than any port";
        let bw_min = f
            .req(
                "bandwidth_min",
                r,
                "the smallest access in bits per cycle, e.g. `bandwidth_min: 64`",
            )
            .and_then(|v| {
                int_in(
                    v,
                    &sub(&pp, "bandwidth_min"),
                    1,
                    limits::MAX_BANDWIDTH_BITS,
                    bw_why,
                    r,
                )
            });
        let bw_max = f
            .req(
                "bandwidth_max",
                r,
                "the port's width in bits per cycle, e.g. `bandwidth_max: 512`",
            )
            .and_then(|v| {
                int_in(
                    v,
                    &sub(&pp, "bandwidth_max"),
                    1,
                    limits::MAX_BANDWIDTH_BITS,
                    bw_why,
                    r,
                )
            });
        let allocs = f
            .req(
                "allocation",
                r,
                "what the port serves, e.g. [\"I1, tl\", \"O, fl\"]",
            )
            .map(|v| read_allocation(v, &sub(&pp, "allocation"), kind, r));
        f.finish(PORT, r);
        if let (Some(kind), Some(bw_min), Some(bw_max), Some(allocs), Some(name)) =
            (kind, bw_min, bw_max, allocs, name)
        {
            if bw_min > bw_max {
                r.error(&sub(&pp, "bandwidth_min"), n.line, format!("{bw_min} is above bandwidth_max {bw_max}; the smallest access cannot be wider than the port"));
            }
            let k = ports.iter().filter(|p: &&Port| p.kind == kind).count() + 1;
            let model_name = format!("{}_{k}", kind.prefix());
            if model_name != name {
                r.note(&sub(&pp, "name"), n.line, format!("`{name}` is the model's `{model_name}` (it names ports by kind and order: r_port_*, w_port_*, rw_port_*)"));
            }
            ports.push(Port {
                kind,
                bw_max,
                bw_min,
                model_name,
                allocs,
            });
        }
    }
    (r.len() == n0).then_some(ports)
}

fn port_name_ok(s: &str) -> bool {
    let Some((prefix, num)) = s.rsplit_once('_') else {
        return false;
    };
    matches!(prefix, "r_port" | "w_port" | "rw_port")
        && !num.is_empty()
        && num.bytes().all(|c| c.is_ascii_digit())
}

/// `allocation`: `OPERAND, DIR` strings; a direction the port's kind
/// cannot serve is reported.
fn read_allocation(
    node: &Node,
    path: &str,
    kind: Option<Kind>,
    r: &mut Report,
) -> Vec<(String, &'static str, usize, String)> {
    let Some(items) = seq_of(node, path, r) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, n) in items.iter().enumerate() {
        let ip = format!("{path}[{i}]");
        let Some(s) = str_of(n, &ip, r) else { continue };
        let Some((op, dir)) = s.split_once(',').map(|(a, b)| (a.trim(), b.trim())) else {
            r.error(
                &ip,
                n.line,
                format!("`{s}` is not an allocation; write `OPERAND, DIRECTION`, e.g. `I1, tl`"),
            );
            continue;
        };
        let dir = match dir {
            "fh" => "fh",
            "tl" => "tl",
            "fl" => "fl",
            "th" => "th",
            other => {
                r.error(&ip, n.line, format!("unknown direction `{other}` in `{s}`; use fh (written from above), tl (read towards below), fl (written from below) or th (read towards above)"));
                continue;
            }
        };
        if !OPERANDS.contains(&op) {
            r.error(
                &ip,
                n.line,
                format!("unknown memory operand `{op}` in `{s}`; use I1, I2 or O"),
            );
            continue;
        }
        let is_read = matches!(dir, "tl" | "th");
        match kind {
            Some(Kind::R) if !is_read => r.error(&ip, n.line, format!("`{s}` writes through a read port; allocate {dir} to a write or read_write port")),
            Some(Kind::W) if is_read => r.error(&ip, n.line, format!("`{s}` reads through a write port; allocate {dir} to a read or read_write port")),
            _ if op != "O" && matches!(dir, "fl" | "th") => r.error(&ip, n.line, format!("`{s}`: only outputs (O) are written from below or read towards above; inputs use fh and tl")),
            _ => out.push((op.to_string(), dir, n.line, ip)),
        }
    }
    out
}

/// The `port_alloc` entries, one per held operand in `operands` order.
pub(crate) fn port_alloc(
    ports: &[Port],
    operands: &[(String, usize)],
    path: &str,
    r: &mut Report,
) -> Vec<Json> {
    for p in ports {
        for (op, _, line, ip) in &p.allocs {
            if !operands.iter().any(|(o, _)| o == op) {
                r.error(ip, *line, format!("the memory does not hold `{op}`; add it to `operands` or remove this allocation"));
            }
        }
    }
    let mut out = Vec::new();
    for (op, line) in operands {
        let mut entry = Map::new();
        entry.insert("operand".into(), json!(op));
        for dir in ["fh", "tl", "fl", "th"] {
            let users: Vec<&Port> = ports
                .iter()
                .filter(|p| p.allocs.iter().any(|(o, d, ..)| o == op && *d == dir))
                .collect();
            let v = match users.as_slice() {
                [] => json!(null),
                [p] => json!(p.model_name),
                many => {
                    let names: Vec<&str> = many.iter().map(|p| p.model_name.as_str()).collect();
                    r.error(path, *line, format!("`{op}, {dir}` is allocated to {} ports ({}); the model serves one direction through one port: keep one", many.len(), names.join(", ")));
                    json!(null)
                }
            };
            entry.insert(dir.into(), v);
        }
        if entry.get("tl") == Some(&json!(null)) {
            r.error(path, *line, format!("no port reads `{op}` towards the level below; add `{op}, tl` to a read or read_write port's allocation"));
        }
        out.push(Json::Object(entry));
    }
    out
}

/// Every read (and read/write) port has one width and granularity, and
/// so has every write (and read/write) port: the model's instance has one
/// `r_bw` and one `w_bw`.
pub(crate) fn check_widths(ports: &[Port], path: &str, line: usize, r: &mut Report) -> Option<()> {
    for (kinds, what) in [
        ([Kind::R, Kind::Rw], "read"),
        ([Kind::W, Kind::Rw], "write"),
    ] {
        let g: Vec<&Port> = ports.iter().filter(|p| kinds.contains(&p.kind)).collect();
        if let Some(first) = g.first() {
            if let Some(other) = g
                .iter()
                .find(|p| (p.bw_max, p.bw_min) != (first.bw_max, first.bw_min))
            {
                r.error(path, line, format!(
                    "the {what} ports `{}` ({}..{} bits) and `{}` ({}..{} bits) differ; the model gives all {what} ports (read_write ports included) of a memory one bandwidth_min and bandwidth_max: make them equal",
                    first.model_name, first.bw_min, first.bw_max, other.model_name, other.bw_min, other.bw_max
                ));
                return None;
            }
        }
    }
    Some(())
}
