//! Numbers for people: thousands separators and SI prefixes with units.

/// `8362594208` -> `8,362,594,208`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A value with an SI prefix and three significant digits:
/// `si(8.36e9, "")` -> `8.36 G`, `si(1500.0, "pJ")` -> `1.50 kpJ`.
pub fn si(x: f64, unit: &str) -> String {
    const PREFIXES: [(f64, &str); 5] = [(1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k"), (1.0, "")];
    if !x.is_finite() {
        return format!("– {unit}").trim_end().to_string();
    }
    if x == 0.0 {
        return format!("0 {unit}").trim_end().to_string();
    }
    let a = x.abs();
    let (scale, p) = PREFIXES
        .iter()
        .copied()
        .find(|(s, _)| a >= *s)
        .unwrap_or((1.0, ""));
    let v = x / scale;
    let decimals = if v.abs() >= 100.0 {
        0
    } else if v.abs() >= 10.0 {
        1
    } else {
        2
    };
    format!("{v:.decimals$} {p}{unit}").trim_end().to_string()
}

/// An energy given in pJ, in the unit that reads best:
/// `energy(1.82e9)` -> `1.823 mJ`, `energy(23317.76)` -> `23.32 nJ`.
pub fn energy(pj: f64) -> String {
    const UNITS: [(f64, &str); 4] = [(1e9, "mJ"), (1e6, "µJ"), (1e3, "nJ"), (1.0, "pJ")];
    if !pj.is_finite() {
        return "– pJ".into();
    }
    let (scale, unit) = UNITS
        .iter()
        .copied()
        .find(|(s, _)| pj.abs() >= *s)
        .unwrap_or((1.0, "pJ"));
    let v = pj / scale;
    let decimals = if v.abs() >= 100.0 {
        1
    } else if v.abs() >= 10.0 {
        2
    } else {
        3
    };
    format!("{v:.decimals$} {unit}")
}

/// A cycle count with an SI prefix: `cycles(20523395)` -> `20.5 M cycles`.
pub fn cycles(n: u64) -> String {
    if n < 1000 {
        return format!("{n} cycles");
    }
    si(n as f64, "cycles")
}

/// A large product such as energy × delay in scientific notation:
/// `3.74e16`.
pub fn sci(x: f64) -> String {
    if !x.is_finite() {
        return "–".into();
    }
    format!("{x:.2e}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_groups() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(8_362_594_208), "8,362,594,208");
    }

    #[test]
    fn energy_and_cycles_read_well() {
        assert_eq!(energy(1_822_760_872.09), "1.823 mJ");
        assert_eq!(energy(20_265_261_895.015), "20.27 mJ");
        assert_eq!(energy(23_317.76), "23.32 nJ");
        assert_eq!(energy(412.0), "412.0 pJ");
        assert_eq!(energy(0.5), "0.500 pJ");
        assert_eq!(cycles(20_523_395), "20.5 Mcycles");
        assert_eq!(cycles(57), "57 cycles");
        assert_eq!(sci(3.741e16), "3.74e16");
    }

    #[test]
    fn si_prefixes() {
        assert_eq!(si(8_362_594_208.0, ""), "8.36 G");
        assert_eq!(si(746_900_000.0, ""), "747 M");
        assert_eq!(si(12.5, "cycles"), "12.5 cycles");
        assert_eq!(si(0.0, ""), "0");
        assert_eq!(si(0.0, "pJ"), "0 pJ");
        assert_eq!(si(f64::NAN, "pJ"), "– pJ");
    }
}
