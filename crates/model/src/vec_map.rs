//! Find-or-push on a `Vec` used as a small insertion-ordered map: the one
//! helper for the "look the key up, push it if missing" pattern (no hash
//! maps in this crate, and first-appearance order carries meaning).

use alloc::vec::Vec;

/// Index of the first element of `v` for which `is_key` holds, pushing
/// `make()` first when there is none.
pub(crate) fn find_or_push<T>(
    v: &mut Vec<T>,
    is_key: impl Fn(&T) -> bool,
    make: impl FnOnce() -> T,
) -> usize {
    match v.iter().position(is_key) {
        Some(i) => i,
        None => {
            v.push(make());
            v.len() - 1
        }
    }
}
