//! LOMA temporal-mapping generation (docs/model.md §2.1–§2.2): loop prime
//! factors, the LPF limit, and the multiset-permutation order.

use alloc::vec;
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

/// The order of loops the orderings are built on: by dimension name, then
/// size (equal loops adjacent).
fn sort_items(items: &mut [Loop], name_of: impl Fn(usize) -> alloc::string::String) {
    crate::small_sort::sort_by(items, |a, b| {
        name_of(a.0).cmp(&name_of(b.0)).then(a.1.cmp(&b.1))
    });
}

/// The distinct loops of `items` in the order of [`Orderings`] (its values
/// `0, 1, ...`) and how many times each occurs.
pub fn sorted_values(
    items: &[Loop],
    name_of: impl Fn(usize) -> alloc::string::String,
) -> (Vec<Loop>, Vec<u8>) {
    let mut sorted = items.to_vec();
    sort_items(&mut sorted, name_of);
    let mut values: Vec<Loop> = Vec::new();
    let mut counts: Vec<u8> = Vec::new();
    for l in sorted {
        match values.last() {
            Some(&v) if v == l => {
                if let Some(c) = counts.last_mut() {
                    *c = c.saturating_add(1);
                }
            }
            _ => {
                values.push(l);
                counts.push(1);
            }
        }
    }
    (values, counts)
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
        sort_items(&mut items, name_of);
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

/// The position of an ordering in the order [`Orderings`] produces, without
/// producing the orderings before it (docs/model.md §2.4): the fast search
/// visits orderings in another order and needs this for the first-wins tie
/// rule (Q33).
///
/// The order has a recursive shape by the *last* loop. Write `E` for the
/// multiset, `m` for its smallest value (in the (name, size) sort) and
/// `N(E)` for its number of orderings. For each other value `x`, ascending,
/// the orderings ending in `x` form one block: the orderings of `E - x` in
/// their own order rotated by one (the first goes last), each followed by
/// `x`. The orderings ending in `m` are those of `E - m` in order, cut into
/// pieces: the block of `x` comes right after the ordering "`E - m - x`
/// non-increasing, then `x`". [`Rank::rank`] follows that description down
/// the ordering from its end; the cut points of every sub-multiset are
/// memoised. Checked against the generator on every ordering of many
/// multisets (tests below).
pub struct Rank {
    /// Multiplicity of each value in the whole multiset.
    counts: Vec<u8>,
    /// Mixed-radix place value of each value in a sub-multiset code.
    place: Vec<usize>,
    /// Per sub-multiset code: per value, the cut point (`b_x`), once known.
    cuts: Vec<Vec<Option<u64>>>,
    /// Per sub-multiset code: its number of orderings (0: not yet known).
    counts_of: Vec<u64>,
}

/// Number of orderings of a multiset given by its multiplicities
/// (saturating at `u64::MAX`).
pub fn orderings_of(counts: &[u8]) -> u64 {
    // exact: each `res * tot / i` is a product of binomial coefficients;
    // in u64 while it fits (the walk's hot path), in u128 beyond
    let mut res: u64 = 1;
    let mut tot: u64 = 0;
    for &c in counts {
        for i in 1..=c as u64 {
            tot += 1;
            match res.checked_mul(tot) {
                Some(v) => res = v / i,
                None => return orderings_wide(counts),
            }
        }
    }
    res
}

fn orderings_wide(counts: &[u8]) -> u64 {
    let mut res: u128 = 1;
    let mut tot: u128 = 0;
    for &c in counts {
        for i in 1..=c as u128 {
            tot += 1;
            res = res.saturating_mul(tot) / i;
        }
    }
    u64::try_from(res).unwrap_or(u64::MAX)
}

impl Rank {
    /// `counts[v]`: how many items have value `v` (values ascending in the
    /// (name, size) sort of [`Orderings::new`]).
    pub fn new(counts: &[u8]) -> Rank {
        let mut place = Vec::with_capacity(counts.len());
        let mut p = 1usize;
        for &c in counts {
            place.push(p);
            p = p.saturating_mul(c as usize + 1);
        }
        Rank {
            counts: counts.to_vec(),
            place,
            cuts: vec![Vec::new(); p.min(1 << 16)],
            counts_of: vec![0; p.min(1 << 16)],
        }
    }

    /// The place value of value `v` in a sub-multiset's code (the code of
    /// a sub-multiset is the sum of its values' place values).
    pub fn place_of(&self, v: usize) -> usize {
        self.place.get(v).copied().unwrap_or(0)
    }

    fn code(&self, sub: &[u8]) -> usize {
        sub.iter()
            .zip(&self.place)
            .map(|(&c, &p)| c as usize * p)
            .sum()
    }

    /// The rank (0-based) of `ord`, a sequence of values with the
    /// multiplicities given to [`Rank::new`], innermost first.
    pub fn rank(&mut self, ord: &[u8]) -> u64 {
        let mut buf = [0u8; 32];
        if self.counts.len() > buf.len() {
            let mut sub = self.counts.clone();
            return self.rank_in(&mut sub, ord);
        }
        let sub = &mut buf[..self.counts.len()];
        sub.copy_from_slice(&self.counts);
        self.rank_in(sub, ord)
    }

    /// The number of orderings of `sub` (code `code`), memoised.
    fn count(&mut self, sub: &[u8], code: usize) -> u64 {
        match self.counts_of.get(code) {
            Some(&c) if c != 0 => c,
            _ => {
                let c = orderings_of(sub);
                if let Some(slot) = self.counts_of.get_mut(code) {
                    *slot = c;
                }
                c
            }
        }
    }

    /// The rank of `s` among the orderings of the sub-multiset `sub` (the
    /// multiplicities of `s`); `sub` is restored before returning.
    fn rank_in(&mut self, sub: &mut [u8], s: &[u8]) -> u64 {
        let n = s.len();
        let distinct = sub.iter().filter(|&&c| c > 0).count();
        if n <= 1 || distinct <= 1 {
            return 0;
        }
        let code = self.code(sub);
        let m = sub.iter().position(|&c| c > 0).unwrap_or(0);
        let y = s[n - 1] as usize;
        let p = &s[..n - 1];
        if y == m {
            sub[m] -= 1;
            let r = self.rank_in(sub, p);
            sub[m] += 1;
            let mut out = r;
            for x in m + 1..sub.len() {
                if sub[x] > 0 && self.cut(sub, m, x) <= r {
                    sub[x] -= 1;
                    out += self.count(sub, code - self.place[x]);
                    sub[x] += 1;
                }
            }
            out
        } else {
            let mut out = self.cut(sub, m, y);
            for x in m + 1..y {
                if sub[x] > 0 {
                    sub[x] -= 1;
                    out += self.count(sub, code - self.place[x]);
                    sub[x] += 1;
                }
            }
            sub[y] -= 1;
            let cy = self.count(sub, code - self.place[y]);
            let r = self.rank_in(sub, p);
            sub[y] += 1;
            out + (r + cy - 1) % cy
        }
    }

    /// `b_x` of `sub` (smallest value `m`): one past the rank, among the
    /// orderings of `sub - m`, of "`sub - m - x` non-increasing, then `x`".
    fn cut(&mut self, sub: &mut [u8], m: usize, x: usize) -> u64 {
        let code = self.code(sub);
        if let Some(Some(b)) = self.cuts.get(code).and_then(|v| v.get(x)) {
            return *b;
        }
        sub[m] -= 1;
        sub[x] -= 1;
        let mut t: Vec<u8> = Vec::with_capacity(sub.iter().map(|&c| c as usize).sum::<usize>() + 1);
        for v in (0..sub.len()).rev() {
            for _ in 0..sub[v] {
                t.push(v as u8);
            }
        }
        t.push(x as u8);
        sub[x] += 1;
        let b = self.rank_in(sub, &t) + 1;
        sub[m] += 1;
        if let Some(v) = self.cuts.get_mut(code) {
            if v.len() < sub.len() {
                v.resize(sub.len(), None);
            }
            v[x] = Some(b);
        }
        b
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

    /// Multinomial counts, exact in u64 and through the u128 path (whose
    /// intermediate products leave u64), saturating beyond.
    #[test]
    fn ordering_counts() {
        assert_eq!(orderings_of(&[]), 1);
        assert_eq!(orderings_of(&[1; 20]), 2_432_902_008_176_640_000);
        assert_eq!(orderings_of(&[4; 5]), 305_540_235_000);
        assert_eq!(orderings_of(&[4, 10, 11, 11]), 2_680_707_555_916_790_400);
        assert_eq!(orderings_of(&[1; 21]), u64::MAX);
    }

    /// Every ordering's rank is its position in the generator's order, on
    /// all multisets of up to 7 items over up to 4 values and a sample of
    /// 8-item ones.
    #[test]
    fn rank_is_the_generator_position() {
        let mut cases: Vec<Vec<u8>> = Vec::new();
        fn all(prefix: &mut Vec<u8>, left: usize, out: &mut Vec<Vec<u8>>) {
            if prefix.len() == 4 {
                if prefix.iter().any(|&c| c > 0) {
                    out.push(prefix.clone());
                }
                return;
            }
            for c in 0..=left {
                prefix.push(c as u8);
                all(prefix, left - c, out);
                prefix.pop();
            }
        }
        all(&mut Vec::new(), 7, &mut cases);
        cases.extend([
            vec![1, 1, 1, 1, 1, 1, 1, 1],
            vec![2, 1, 1, 2, 1, 1],
            vec![3, 2, 2, 1],
            vec![1, 3, 1, 3],
            vec![2, 2, 2, 2],
        ]);
        let mut out = Vec::new();
        for counts in cases {
            let items: Vec<Loop> = counts
                .iter()
                .enumerate()
                .flat_map(|(v, &c)| core::iter::repeat_n((v, 2u64), c as usize))
                .collect();
            // names sort as the values: "K", "KK", ...
            let mut g = Orderings::new(items, |d| "K".repeat(d + 1));
            let mut rank = Rank::new(&counts);
            let mut k = 0u64;
            while g.next_into(&mut out) {
                let vals: Vec<u8> = out.iter().map(|l| l.0 as u8).collect();
                assert_eq!(rank.rank(&vals), k, "{counts:?} {vals:?}");
                k += 1;
            }
            assert_eq!(k, orderings_of(&counts), "{counts:?}");
        }
    }
}
