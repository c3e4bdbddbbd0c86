//! Memory sizes for people, exactly: `64 KB` is 524288 bits (KB = 1024
//! bytes, as in the presets' names such as `sram_64KB`).

/// Units from the largest down, with their size in bits.
const UNITS: [(&str, u64); 5] = [
    ("GB", 8 << 30),
    ("MB", 8 << 20),
    ("KB", 8 << 10),
    ("B", 8),
    ("b", 1),
];

/// Decimal bit units, for sizes given in round decimal bits (a DRAM of
/// 10^10 bits is `10 Gbit`); used only when no byte unit above B divides.
const DECIMAL: [(&str, u64); 3] = [
    ("Gbit", 1_000_000_000),
    ("Mbit", 1_000_000),
    ("kbit", 1_000),
];

/// A size in the largest unit that divides it exactly (`524288` → `64 KB`,
/// `12` → `12 b`, `10^10` → `10 Gbit`), so what is shown is the exact value.
pub fn format_size_bits(bits: u64) -> String {
    for (name, unit) in UNITS {
        if bits >= unit && bits.is_multiple_of(unit) {
            if unit <= 8 {
                if let Some((d, u)) = DECIMAL
                    .iter()
                    .find(|(_, u)| bits >= *u && bits.is_multiple_of(*u))
                {
                    return format!("{} {d}", bits / u);
                }
            }
            return format!("{} {name}", bits / unit);
        }
    }
    format!("{bits} b")
}

/// Reads a size: a number with an optional unit (`b`/`bit`/`bits`, `B`,
/// `KB`, `MB`, `GB`; case matters for b/B, a bare number is bits). `None`
/// unless it is a whole number of bits.
pub fn parse_size_bits(text: &str) -> Option<u64> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == 'e' || c == '+' || c == '-'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let unit = unit.trim();
    let scale: u64 = match unit {
        "" | "b" | "bit" | "bits" => 1,
        "B" | "byte" | "bytes" => 8,
        "KB" | "kB" | "KiB" => 8 << 10,
        "MB" | "MiB" => 8 << 20,
        "GB" | "GiB" => 8 << 30,
        "kbit" | "kb" => 1_000,
        "Mbit" | "Mb" => 1_000_000,
        "Gbit" | "Gb" => 1_000_000_000,
        _ => return None,
    };
    // Whole numbers exactly (no float rounding for large sizes); a
    // fraction only when it gives whole bits.
    if let Ok(n) = num.trim().parse::<u64>() {
        return n.checked_mul(scale);
    }
    let x: f64 = num.trim().parse().ok()?;
    let bits = x * scale as f64;
    (bits.is_finite() && bits >= 0.0 && bits.fract() == 0.0 && bits < 9.0e15).then_some(bits as u64)
}

/// A size rounded for reading (three significant digits, binary units):
/// `37312` bits → `4.55 KB`. For totals such as a stack's weights, where
/// the exact count is in the report; [`format_size_bits`] for inputs.
pub fn approx_size_bits(bits: u64) -> String {
    if bits < 8 {
        return format!("{bits} b");
    }
    let mut x = bits as f64 / 8.0;
    let mut unit = "B";
    for u in ["KB", "MB", "GB", "TB"] {
        if x < 1024.0 {
            break;
        }
        x /= 1024.0;
        unit = u;
    }
    let digits = if x >= 100.0 || unit == "B" {
        0
    } else if x >= 10.0 {
        1
    } else {
        2
    };
    format!("{x:.digits$} {unit}")
}
