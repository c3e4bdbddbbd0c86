//! Reference arithmetic (docs/model.md §0.2): Python's half-to-even `round`,
//! `int()` truncation, and the "pr formula" of §1.1.4.

/// Python 3 `round(x)`: round half to even (Q1, Q35).
pub fn round_half_even(x: f64) -> f64 {
    libm::roundeven(x)
}

/// 2⁵²: every `f64` from here on is a whole number.
const WHOLE: f64 = 4_503_599_627_370_496.0;

/// `math.ceil`. Positive values below 2⁵² go through an integer
/// conversion (the same value as `libm::ceil`, much cheaper: the LOMA
/// allocation takes thousands of ceilings per ordering); everything else
/// (zeros of either sign, negatives, huge values, NaN) goes to `libm`.
#[inline]
pub fn ceil(x: f64) -> f64 {
    if x > 0.0 && x < WHOLE {
        let t = x as u64 as f64;
        return if t == x { x } else { t + 1.0 };
    }
    libm::ceil(x)
}

/// `int(x)`: truncation towards zero (fast path as for [`ceil`]).
#[inline]
pub fn trunc(x: f64) -> f64 {
    if x > 0.0 && x < WHOLE {
        return x as u64 as f64;
    }
    libm::trunc(x)
}

/// Greatest common divisor, with the common stride-1 case first.
#[inline]
fn gcd_fast(a: u64, b: u64) -> u64 {
    if a == 1 || b == 1 {
        1
    } else {
        gcd(a, b)
    }
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
/// DeFiNES computes it (docs/model.md §1.1.4):
/// `int(a*b - max(0, b - sa/g) * (a - sb/g))`, `g = gcd(sa, sb)`.
///
/// Reproduces Q10 (stride 2, kernel 1 gives `a`, not the span) and Q11
/// (`pr_size(1, 1, 2, 3) = 5`).
pub fn pr_size(sa: u64, a: f64, sb: u64, b: f64) -> f64 {
    trunc(pr_real(sa, a, sb, b))
}

/// The real value inside [`pr_size`]'s `int()`.
pub(crate) fn pr_real(sa: u64, a: f64, sb: u64, b: f64) -> f64 {
    let g = gcd_fast(sa, sb).max(1) as f64;
    let left = b - sa as f64 / g;
    let m = if left > 0.0 { left } else { 0.0 };
    a * b - m * (a - sb as f64 / g)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fast paths of `ceil` and `trunc` give libm's bits everywhere.
    #[test]
    fn ceil_and_trunc_match_libm_bit_for_bit() {
        let mut xs: alloc::vec::Vec<f64> = alloc::vec![
            0.0,
            -0.0,
            0.3,
            -0.3,
            1.0,
            -1.0,
            1.5,
            2.0 - 1e-16,
            2.5,
            1e-300,
            -1e-300,
            4503599627370495.5,
            4503599627370496.0,
            4503599627370497.0,
            9.007e15,
            1e19,
            1.8446744073709552e19,
            1e300,
            f64::MAX,
            f64::MIN_POSITIVE,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            123456789.000001,
            0.999999999,
        ];
        // a deterministic pseudo-random spread of magnitudes and fractions
        let mut s: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..100_000 {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            let mant = (s >> 11) as f64 / (1u64 << 53) as f64;
            let exp = (s % 130) as i32 - 40;
            let sign = if s & 1 == 0 { 1.0 } else { -1.0 };
            xs.push(sign * mant * libm::pow(2.0, exp as f64));
            xs.push(f64::from_bits(s));
        }
        for x in xs {
            assert_eq!(ceil(x).to_bits(), libm::ceil(x).to_bits(), "ceil {x:e}");
            assert_eq!(trunc(x).to_bits(), libm::trunc(x).to_bits(), "trunc {x:e}");
        }
    }

    /// docs/model.md §6.6 V4, `PRsize` values.
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
