//! Stable sorting (and sorted maps) in little code, for short lists off
//! the hot paths.
//!
//! Every `slice::sort_by` call site instantiates the standard library's
//! driftsort for its element type and comparator: about 4 KiB of wasm each,
//! and the page's module had eleven of them (plus four of the unstable
//! sort, two of them at cold call sites, now here too). These functions
//! sort a list of indices with one shared instance (through a `dyn`
//! comparator) and then move the elements into place by swaps, so a call
//! site costs a few hundred bytes. The result is the one
//! any stable sort gives (equal elements keep their order), so no output
//! changes. The indices are an allocation: the search's hot loops keep
//! `sort_unstable`.

use alloc::collections::BTreeMap;
use alloc::vec::Vec;
use core::cmp::Ordering;

/// Sorts `v` by `cmp`, stably (as `slice::sort_by`).
pub fn sort_by<T>(v: &mut [T], mut cmp: impl FnMut(&T, &T) -> Ordering) {
    if v.len() < 2 {
        return;
    }
    let mut order: Vec<usize> = (0..v.len()).collect();
    sort_indices(&mut order, &mut |a, b| cmp(&v[a], &v[b]));
    permute(v, &order);
}

/// Sorts `v` by `key`, stably (as `slice::sort_by_key`).
pub fn sort_by_key<T, K: Ord>(v: &mut [T], mut key: impl FnMut(&T) -> K) {
    sort_by(v, |a, b| key(a).cmp(&key(b)));
}

/// Sorts `v` in ascending order, stably (as `slice::sort`).
pub fn sort<T: Ord>(v: &mut [T]) {
    sort_by(v, T::cmp);
}

/// The map of `pairs`, a later pair's value replacing an earlier one's
/// with the same key (as `collect` does; the key kept is the first, equal
/// to the later one): inserted one by one, because `collect` sorts the
/// pairs first, with one more driftsort instance per key and value type.
pub fn map_of<K: Ord, V>(pairs: impl IntoIterator<Item = (K, V)>) -> BTreeMap<K, V> {
    let mut map = BTreeMap::new();
    for (k, v) in pairs {
        map.insert(k, v);
    }
    map
}

/// The one instance of the standard sort behind all of the above.
#[inline(never)]
fn sort_indices(order: &mut [usize], cmp: &mut dyn FnMut(usize, usize) -> Ordering) {
    order.sort_by(|&a, &b| cmp(a, b));
}

/// Moves `v[order[i]]` to position `i` for every `i` (`order` is a
/// permutation of `0..v.len()`), by swaps along its cycles.
fn permute<T>(v: &mut [T], order: &[usize]) {
    let mut done = alloc::vec![false; v.len()];
    for start in 0..v.len() {
        if done[start] {
            continue;
        }
        let mut at = start;
        loop {
            done[at] = true;
            let next = order[at];
            if next == start {
                break;
            }
            v.swap(at, next);
            at = next;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;
    use proptest::prelude::*;

    #[test]
    fn by_hand() {
        let mut v = vec![(2, 'a'), (1, 'b'), (2, 'c'), (0, 'd'), (1, 'e')];
        sort_by_key(&mut v, |p| p.0);
        assert_eq!(v, [(0, 'd'), (1, 'b'), (1, 'e'), (2, 'a'), (2, 'c')]);
        let mut w = vec![3, 1, 2];
        sort(&mut w);
        assert_eq!(w, [1, 2, 3]);
        let m = map_of([(2, 'a'), (1, 'b'), (2, 'c')]);
        let std: BTreeMap<i32, char> = [(2, 'a'), (1, 'b'), (2, 'c')].into_iter().collect();
        assert_eq!(m, std);
        assert_eq!(m[&2], 'c');
    }

    proptest! {
        /// The same order as the standard stable sort, equal keys included.
        #[test]
        fn same_as_the_standard_stable_sort(keys in proptest::collection::vec(0u8..6, 0..80)) {
            let tagged: Vec<(u8, usize)> = keys.iter().copied().zip(0..).collect();
            let mut ours = tagged.clone();
            let mut std = tagged;
            sort_by(&mut ours, |a, b| a.0.cmp(&b.0));
            std.sort_by_key(|p| p.0);
            prop_assert_eq!(ours, std);
        }
    }
}
