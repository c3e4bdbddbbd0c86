//! Every bound on what the model accepts, in one place.
//!
//! The model, the `defines` CLI and the playground all read these
//! constants, so an input is accepted or refused the same way everywhere.
//! They are chosen so that every accepted input evaluates to finite numbers
//! in bounded time and memory; each error message that enforces one names
//! the limit, the value given, the bound and why it exists
//! ([`exceeded`]).
//!
//! None of them is reached by the paper's presets; they exist so that a
//! hostile or mistyped input is a clear error instead of a hang, an abort or
//! an infinite total.

use alloc::format;
use alloc::string::String;
use core::ops::RangeInclusive;

/// LOMA's loop-prime-factor limit (`loma_lpf_limit`). The search
/// enumerates up to `lpf!` orderings per layer: 8 (the paper's setting) is
/// 40,320 orderings, 12 would be 479 million.
pub const LPF: RangeInclusive<u32> = 1..=8;
/// The reference's `main.py` default (the CLI's and Python's, which
/// reproduce the artifact's runs).
pub const LPF_DEFAULT: u32 = 6;
/// The paper's setting: the playground's default, since the exact search
/// answers case study 1 at it in about a second (docs/model.md §2.4).
pub const LPF_PAPER: u32 = 8;
/// Why [`LPF`] stops where it does.
pub const LPF_WHY: &str = "the LOMA search grows as lpf! (8 is the paper's setting)";

/// Largest size of one loop dimension of a layer (`K`, `C`, `OX`, …).
/// 2^20 leaves room for any real network (a 4K frame is 3,840 wide) while
/// keeping MAC counts, tile grids and prime factorisations small.
pub const MAX_LOOP_SIZE: u64 = 1 << 20;
/// Largest number of layers in a workload.
pub const MAX_LAYERS: usize = 4096;
/// Largest MAC count of a whole network (2^48, about 2.8·10^14; the
/// largest preset has 2.8·10^11).
pub const MAX_NETWORK_MACS: u64 = 1 << 48;
/// Largest operand precision in bits.
pub const MAX_PRECISION_BITS: u64 = 64;

/// Largest number of tiles in one stack (the tile grid is width × height
/// tiles). The planning works per run of alike columns and rows, not per
/// tile, so this no longer bounds memory; it is kept as the reported limit.
/// FSRCNN at tile 1×1 (case study 1) has 518,400 tiles.
pub const MAX_TILES_PER_STACK: u64 = 1 << 20;

/// Largest number of visits of one back-propagation of tile sizes
/// (§3.3). Visits that change nothing are skipped, so real networks need
/// a few per layer; this only bounds a pathological graph.
pub const MAX_BACKPROP_VISITS: u64 = 1_000_000;

/// Largest number of memories in a hardware description.
pub const MAX_MEMORIES: usize = 64;
/// Largest number of ports of one memory (`r_port + w_port + rw_port`).
pub const MAX_PORTS_PER_MEMORY: u64 = 64;
/// Largest memory size in bits (2^50 bits = 128 TiB).
pub const MAX_MEMORY_BITS: u64 = 1 << 50;
/// Largest bandwidth of a port in bits per cycle.
pub const MAX_BANDWIDTH_BITS: u64 = 1 << 32;
/// Largest memory latency (`latency_cycles`).
pub const MAX_MEMORY_LATENCY_CYCLES: u64 = 1 << 20;
/// Largest energy of one access or one MAC, in pJ (1 mJ per access, far
/// above any real memory). With the size limits above, every total stays
/// finite, EDP included.
pub const MAX_ENERGY_PJ: f64 = 1e9;
/// Why [`MAX_ENERGY_PJ`] exists.
pub const MAX_ENERGY_WHY: &str =
    "1 mJ per access is far above any real memory, and keeps every total and EDP finite";
/// Largest operational-array dimension size and number of dimensions.
pub const MAX_ARRAY_DIM_SIZE: u64 = 1 << 16;
/// Largest number of operational-array dimensions.
pub const MAX_ARRAY_DIMS: usize = 8;

/// Largest input document (hardware, workload or mapping), in bytes. The
/// largest preset is about 40 KB.
pub const MAX_DOCUMENT_BYTES: usize = 16 << 20;

/// Latencies from here on are reported as an error, not a number: sums
/// saturate instead of wrapping, so a saturated total must not be shown.
pub const MAX_LATENCY_CYCLES: u64 = 1 << 62;

/// Largest number of schedules in one sweep (tile sizes × modes).
pub const MAX_SWEEP_SCHEDULES: usize = 100_000;

/// Largest number of cut sets (fuse depths) in one sweep: each is a sweep
/// of all its schedules again. The total number of evaluations stays
/// bounded by [`MAX_SWEEP_SCHEDULES`]; this bounds the list itself. The
/// layer ids of one cut set are bounded by [`MAX_LAYERS`].
pub const MAX_CUT_SETS: usize = 64;

/// Memory the single-layer evaluation cache may hold, in bytes (estimated),
/// before it forgets its oldest entries.
pub const EVAL_CACHE_MAX_BYTES: usize = 64 << 20;

/// The message for a value beyond a limit: what, the value, the bound and
/// why the bound exists.
pub fn exceeded(
    what: &str,
    value: impl core::fmt::Display,
    bound: impl core::fmt::Display,
    why: &str,
) -> String {
    format!("{what} {value} is over the limit {bound} ({why})")
}
