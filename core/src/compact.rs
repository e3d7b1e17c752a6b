//! Collection helpers chosen for the size of the WASM bundle.
//!
//! Generic collection code is compiled once per element type, and in the browser's bundle
//! every copy is bytes to download (docs/BENCHMARKS.md, "First load"). The client's maps
//! and lists hold a handful of entries, so these trade nothing measurable at run time
//! for one copy of the code instead of one per type:
//! - [`from_pairs`]: a [`LiteMap`] built by inserting, where `collect()` would append and
//!   then run a stable sort compiled for that key/value type (~3 KB each);
//! - [`sort_by`]: a stable sort whose sorting part is compiled once, for indices.

use litemap::LiteMap;
use std::cmp::Ordering;

/// The map of `pairs`; a later pair replaces an earlier one with the same key.
pub fn from_pairs<K: Ord, V>(pairs: impl IntoIterator<Item = (K, V)>) -> LiteMap<K, V> {
    let mut map = LiteMap::new();
    for (key, value) in pairs {
        map.insert(key, value);
    }
    map
}

/// Sorts `items` by `compare`, keeping equal items in their order (a stable sort).
pub fn sort_by<T>(items: &mut Vec<T>, compare: impl Fn(&T, &T) -> Ordering) {
    let order = sorted_indices(items.len(), &|a, b| compare(&items[a], &items[b]));
    let mut slots: Vec<Option<T>> = items.drain(..).map(Some).collect();
    items.extend(order.into_iter().filter_map(|i| slots[i].take()));
}

/// `0..len` ordered by `compare`, stably: the one sort compiled for every [`sort_by`].
fn sorted_indices(len: usize, compare: &dyn Fn(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..len).collect();
    order.sort_by(|&a, &b| compare(a, b));
    order
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn from_pairs_is_the_map_collect_makes(
            pairs in proptest::collection::vec((0u8..20, any::<u32>()), 0..40),
        ) {
            let collected: LiteMap<u8, u32> = pairs.iter().copied().collect();
            prop_assert_eq!(from_pairs(pairs), collected);
        }

        #[test]
        fn sort_by_is_the_standard_stable_sort(
            items in proptest::collection::vec((0u8..8, any::<u16>()), 0..60),
        ) {
            let mut expected = items.clone();
            expected.sort_by(|a, b| a.0.cmp(&b.0));
            let mut sorted = items;
            sort_by(&mut sorted, |a, b| a.0.cmp(&b.0));
            prop_assert_eq!(sorted, expected);
        }
    }
}
