//! LOMA temporal-mapping generation (docs/model.md §2.1–§2.2): loop prime
//! factors, the LPF limit, and the multiset-permutation order.

use alloc::vec::Vec;

/// A temporal loop: (layer loop dimension index, size).
pub type Loop = (usize, u64);

/// Why no loop prime factors could be produced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LpfError {
    /// Q12: more dimensions with one factor each than the limit allows; the
    /// reference crashes here.
    LimitTooSmall { limit: usize, dims: usize },
}

// `%` rather than `is_multiple_of`: the workspace MSRV is 1.85.
#[allow(clippy::manual_is_multiple_of)]
fn prime_factors(mut n: u64) -> Vec<u64> {
    let mut out = Vec::new();
    let mut p = 2u64;
    while p.saturating_mul(p) <= n {
        while n % p == 0 {
            out.push(p);
            n /= p;
        }
        p += 1;
    }
    if n > 1 {
        out.push(n);
    }
    out
}

/// §2.1 steps 3–4: factors every temporal size (given in layer dimension
/// order) into primes and merges factors until at most `limit` remain.
/// Returns per dimension its factors (ascending, with multiplicity).
pub fn loop_prime_factors(
    sizes: &[(usize, u64)],
    limit: usize,
) -> Result<Vec<(usize, Vec<u64>)>, LpfError> {
    let mut per: Vec<(usize, Vec<u64>)> = sizes
        .iter()
        .filter(|(_, s)| *s > 1)
        .map(|&(d, s)| (d, prime_factors(s)))
        .collect();
    let mut n: usize = per.iter().map(|(_, f)| f.len()).sum();
    while n > limit {
        // dimension with the most factors, first on ties
        let mut best = 0;
        for i in 1..per.len() {
            if per[i].1.len() > per[best].1.len() {
                best = i;
            }
        }
        let f = &mut per[best].1;
        if f.len() < 2 {
            return Err(LpfError::LimitTooSmall {
                limit,
                dims: per.len(),
            });
        }
        // f is ascending with multiplicity; p0 = f[0]
        let p0 = f[0];
        let c0 = f.iter().filter(|&&x| x == p0).count();
        let new = if c0 == 1 {
            let p1 = f[1];
            f.remove(1);
            f.remove(0);
            p0 * p1
        } else {
            f.remove(1);
            f.remove(0);
            p0 * p0
        };
        let pos = f.iter().position(|&x| x > new).unwrap_or(f.len());
        f.insert(pos, new);
        n -= 1;
    }
    Ok(per)
}

/// Multiset permutations in the order of the loopless prefix-shift
/// algorithm (A. Williams 2009) as the reference uses it (§2.2). Each
/// ordering is innermost first. No allocation per ordering.
pub struct Orderings {
    items: Vec<Loop>,
    /// rank of each item (equal items equal rank), for comparisons
    val: Vec<u32>,
    next: Vec<usize>,
    h: usize,
    i: usize,
    j: usize,
    started: bool,
    done: bool,
}

const NIL: usize = usize::MAX;

impl Orderings {
    /// `items` are the loops with multiplicity; `name_of` gives the
    /// dimension name used for the (name, size) sort.
    pub fn new(
        mut items: Vec<Loop>,
        name_of: impl Fn(usize) -> alloc::string::String,
    ) -> Orderings {
        items.sort_by(|a, b| name_of(a.0).cmp(&name_of(b.0)).then(a.1.cmp(&b.1)));
        let n = items.len();
        let mut val = Vec::with_capacity(n);
        let mut r = 0u32;
        for k in 0..n {
            if k > 0 && items[k] != items[k - 1] {
                r += 1;
            }
            val.push(r);
        }
        // prepend each item: list = n-1 -> n-2 -> ... -> 0
        let next: Vec<usize> = (0..n).map(|k| if k == 0 { NIL } else { k - 1 }).collect();
        let h = if n == 0 { NIL } else { n - 1 };
        let (i, j) = if n >= 2 { (1, 0) } else { (NIL, NIL) };
        Orderings {
            items,
            val,
            next,
            h,
            i,
            j,
            started: false,
            done: false,
        }
    }

    pub fn len_items(&self) -> usize {
        self.items.len()
    }

    /// Writes the next ordering into `out` (cleared first); false when
    /// all orderings have been produced.
    pub fn next_into(&mut self, out: &mut Vec<Loop>) -> bool {
        if self.done {
            return false;
        }
        if !self.started {
            self.started = true;
        } else if self.items.len() < 2 || !self.step() {
            self.done = true;
            return false;
        }
        out.clear();
        let mut k = self.h;
        while k != NIL {
            out.push(self.items[k]);
            k = self.next[k];
        }
        true
    }

    fn step(&mut self) -> bool {
        let (val, next) = (&self.val, &mut self.next);
        let jn = next[self.j];
        if !(jn != NIL || val[self.j] < val[self.h]) {
            return false;
        }
        let s = if jn != NIL && val[self.i] >= val[jn] {
            self.j
        } else {
            self.i
        };
        let t = next[s];
        next[s] = next[t];
        next[t] = self.h;
        if val[t] < val[self.h] {
            self.i = t;
        }
        self.j = next[self.i];
        self.h = t;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::{String, ToString};
    use alloc::vec;

    const NAMES: [&str; 4] = ["K", "C", "OX", "OY"];

    fn name(d: usize) -> String {
        NAMES[d].to_string()
    }

    fn show(o: &[Loop]) -> String {
        o.iter()
            .map(|(d, f)| alloc::format!("{}{}", NAMES[*d], f))
            .collect::<Vec<_>>()
            .join(",")
    }

    /// docs/model.md §6.6 V4: LPF limiting.
    #[test]
    fn v4_lpf_limit() {
        let r = loop_prime_factors(&[(0, 8), (1, 12)], 4).unwrap();
        assert_eq!(r, vec![(0, vec![2, 4]), (1, vec![3, 4])]);
        let r = loop_prime_factors(&[(2, 60), (1, 12)], 3).unwrap();
        assert_eq!(r, vec![(2, vec![60]), (1, vec![3, 4])]);
        // Q12: too many single-factor dimensions
        let e = loop_prime_factors(&[(0, 2), (1, 3), (2, 5)], 2).unwrap_err();
        assert_eq!(e, LpfError::LimitTooSmall { limit: 2, dims: 3 });
    }

    /// docs/model.md §6.6 V4: the multiset permutation order.
    #[test]
    fn v4_permutation_order() {
        let items = vec![(1, 2), (0, 2), (0, 2), (2, 3)];
        let mut g = Orderings::new(items, name);
        let mut out = Vec::new();
        let mut all = Vec::new();
        while g.next_into(&mut out) {
            all.push(show(&out));
        }
        let want = [
            "OX3,K2,K2,C2",
            "C2,OX3,K2,K2",
            "OX3,C2,K2,K2",
            "K2,OX3,C2,K2",
            "C2,K2,OX3,K2",
            "K2,C2,OX3,K2",
            "OX3,K2,C2,K2",
            "K2,OX3,K2,C2",
            "K2,K2,OX3,C2",
            "C2,K2,K2,OX3",
            "K2,C2,K2,OX3",
            "K2,K2,C2,OX3",
        ];
        assert_eq!(all, want);
    }

    #[test]
    fn permutation_counts() {
        let mut out = Vec::new();
        for (items, n) in [
            (vec![], 1usize),
            (vec![(0, 2)], 1),
            (vec![(0, 2), (1, 3)], 2),
            (vec![(0, 2), (0, 3), (1, 5), (1, 7), (2, 2), (3, 9)], 720),
            (vec![(0, 2), (0, 2), (0, 2), (1, 3)], 4),
        ] {
            let mut g = Orderings::new(items, name);
            let mut c = 0;
            let mut seen: Vec<Vec<Loop>> = Vec::new();
            while g.next_into(&mut out) {
                c += 1;
                assert!(!seen.contains(&out));
                seen.push(out.clone());
            }
            assert_eq!(c, n);
        }
    }
}
