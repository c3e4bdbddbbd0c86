//! Reference arithmetic (MODEL.md §0.2): Python's half-to-even `round`,
//! `int()` truncation, and the "pr formula" of §1.1.4.

/// Python 3 `round(x)`: round half to even (Q1, Q35).
pub fn round_half_even(x: f64) -> f64 {
    libm::roundeven(x)
}

/// `math.ceil`.
pub fn ceil(x: f64) -> f64 {
    libm::ceil(x)
}

/// `int(x)`: truncation towards zero.
pub fn trunc(x: f64) -> f64 {
    libm::trunc(x)
}

/// Greatest common divisor of two positive integers (`gcd(0, b) = b`).
pub fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        let t = a % b;
        a = b;
        b = t;
    }
    a
}

/// Ceiling division of integers; `b = 0` gives 0 (never reached after
/// validation: bandwidths are at least 1).
pub fn ceil_div(a: u64, b: u64) -> u64 {
    if b == 0 {
        0
    } else {
        a.div_ceil(b)
    }
}

/// Number of distinct values of `sa*i + sb*j` for `i < a`, `j < b`, as
/// DeFiNES computes it (MODEL.md §1.1.4):
/// `int(a*b - max(0, b - sa/g) * (a - sb/g))`, `g = gcd(sa, sb)`.
///
/// Reproduces Q10 (stride 2, kernel 1 gives `a`, not the span) and Q11
/// (`pr_size(1, 1, 2, 3) = 5`).
pub fn pr_size(sa: u64, a: f64, sb: u64, b: f64) -> f64 {
    let g = gcd(sa, sb).max(1) as f64;
    let left = b - sa as f64 / g;
    let m = if left > 0.0 { left } else { 0.0 };
    trunc(a * b - m * (a - sb as f64 / g))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// MODEL.md §6.6 V4, `PRsize` values.
    #[test]
    fn v4_pr_size() {
        let cases = [
            ((1, 5, 1, 3), 7.0),
            ((2, 5, 1, 3), 11.0),
            ((2, 5, 1, 1), 5.0),
            ((2, 5, 1, 2), 10.0),
            ((1, 5, 2, 3), 9.0),
            ((1, 1, 2, 3), 5.0),
            ((3, 4, 2, 3), 12.0),
        ];
        for ((sa, a, sb, b), want) in cases {
            assert_eq!(
                pr_size(sa, a as f64, sb, b as f64),
                want,
                "{sa} {a} {sb} {b}"
            );
        }
    }

    #[test]
    fn banker_rounding() {
        assert_eq!(round_half_even(1.5), 2.0);
        assert_eq!(round_half_even(2.5), 2.0);
        assert_eq!(round_half_even(-0.5), 0.0);
        assert_eq!(round_half_even(3.4999), 3.0);
    }
}
