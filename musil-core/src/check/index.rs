//! [`Index`]: the states an exploration has numbered, from their 128-bit fingerprints to their
//! numbers — what the explored graph needs to turn a successor into an edge target.
//!
//! A sharded fingerprint table (`table.rs`), laid out like the visited set, whose one-cache-line
//! buckets hold three `(fingerprint, number)` entries.

use super::table::{Found, Shard, empty_shards, shard_of};

/// Entries per bucket: three fingerprints and their numbers fill a cache line.
const SLOTS: usize = 3;

/// Fingerprints to state numbers.
pub(crate) struct Index {
    shards: Vec<Shard<u32, SLOTS>>,
}

impl Default for Index {
    fn default() -> Self {
        let shards = empty_shards();
        Index { shards }
    }
}

impl Index {
    /// The number of `fingerprint`; if it has none: `number`, now its number, when `room`, else
    /// `None`.
    #[inline]
    pub(crate) fn number_of(&mut self, fingerprint: u128, number: u32, room: bool) -> Option<u32> {
        match self.shards[shard_of(fingerprint)].find_or_add(fingerprint, number, room) {
            Found::Known(known) => Some(known),
            Found::Added => Some(number),
            Found::Absent => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::table::spread;
    use super::*;

    #[test]
    fn a_fingerprint_keeps_its_first_number() {
        let mut index = Index::default();
        for i in 0..30_000u32 {
            assert_eq!(index.number_of(spread(u64::from(i)), i, true), Some(i));
        }
        for i in 0..30_000u32 {
            assert_eq!(index.number_of(spread(u64::from(i)), 7, false), Some(i));
        }
        assert_eq!(index.number_of(spread(99_999), 5, false), None, "no room");
        assert_eq!(index.number_of(spread(99_999), 5, true), Some(5));
        assert_eq!(index.number_of(0, 6, true), Some(6));
        assert_eq!(index.number_of(0, 8, true), Some(6));
    }
}
