//! [`Visited`]: the set of states a breadth-first search has found, as their 128-bit
//! fingerprints and nothing else (the search numbers the states itself, and keeps their parent
//! links apart).
//!
//! It is a sharded fingerprint table (`table.rs`) of buckets of four fingerprints and no value.
//! Threads can own disjoint groups of shards ([`Visited::groups`]).
//!
//! A batch is looked up in two passes: [`Visited::surely_known`], branch-free on the table's
//! contents so that the processor overlaps the cache misses of many lookups, settles most
//! duplicates; the rest go through [`Visited::insert`], in order.

use super::table::{self, Found};
pub(crate) use super::table::{SHARDS, shard_of};

/// One shard of the visited set: four fingerprints a bucket (one cache line), and no value.
pub(crate) type Shard = table::Shard<(), 4>;

impl Shard {
    /// Adds `fingerprint`; returns whether it was new.
    #[inline]
    pub(crate) fn insert(&mut self, fingerprint: u128) -> bool {
        matches!(self.find_or_add(fingerprint, (), true), Found::Added)
    }
}

/// The visited set: fingerprints in [`SHARDS`] shards.
pub(crate) struct Visited {
    shards: Vec<Shard>,
}

impl Default for Visited {
    fn default() -> Self {
        let shards = table::empty_shards();
        Visited { shards }
    }
}

impl Visited {
    /// Adds `fingerprint`; returns whether it was new.
    #[inline]
    pub(crate) fn insert(&mut self, fingerprint: u128) -> bool {
        self.shards[shard_of(fingerprint)].insert(fingerprint)
    }

    /// Whether `fingerprint` is surely known (in its home bucket): a quick filter to run over a
    /// batch before inserting what it does not settle (see [`Shard::at_home`]).
    #[inline]
    pub(crate) fn surely_known(&self, fingerprint: u128) -> bool {
        self.shards[shard_of(fingerprint)].at_home(fingerprint)
    }

    /// How many fingerprints.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.shards.iter().map(Shard::len).sum()
    }

    /// Bytes held by the tables.
    pub(crate) fn bytes(&self) -> usize {
        self.shards.iter().map(Shard::bytes).sum::<usize>()
            + self.shards.capacity() * std::mem::size_of::<Shard>()
    }

    /// The shards cut into `owners` contiguous groups: group `t` holds the shards `s` with
    /// [`owner_of`]`(s, owners) == t`.
    pub(crate) fn groups(&mut self, owners: usize) -> Vec<Group<'_>> {
        let mut groups = Vec::with_capacity(owners);
        let mut rest: &mut [Shard] = &mut self.shards;
        let mut first = 0;
        for owner in 0..owners {
            let end = (first..SHARDS)
                .find(|&shard| owner_of(shard, owners) != owner)
                .unwrap_or(SHARDS);
            let (group, tail) = rest.split_at_mut(end - first);
            groups.push(Group {
                first,
                shards: group,
            });
            (rest, first) = (tail, end);
        }
        groups
    }
}

/// Which of `owners` owners holds shard `shard`: contiguous ranges of shards, as even as they
/// can be.
#[inline]
pub(crate) fn owner_of(shard: usize, owners: usize) -> usize {
    shard * owners / SHARDS
}

/// A contiguous group of shards, owned by one thread for a while.
pub(crate) struct Group<'v> {
    first: usize,
    shards: &'v mut [Shard],
}

impl Group<'_> {
    /// Adds `fingerprint`, which must belong to one of this group's shards; returns whether it
    /// was new.
    #[inline]
    pub(crate) fn insert(&mut self, fingerprint: u128) -> bool {
        self.shards[shard_of(fingerprint) - self.first].insert(fingerprint)
    }

    /// Whether `fingerprint`, of this group, is surely known (see [`Visited::surely_known`]).
    #[inline]
    pub(crate) fn surely_known(&self, fingerprint: u128) -> bool {
        self.shards[shard_of(fingerprint) - self.first].at_home(fingerprint)
    }
}

#[cfg(test)]
mod tests {
    use super::super::table::spread;
    use super::*;

    #[test]
    fn a_fingerprint_is_new_once() {
        let mut visited = Visited::default();
        for i in 0..50_000 {
            assert!(visited.insert(spread(i)), "{i} is new");
        }
        for i in 0..50_000 {
            assert!(!visited.insert(spread(i)), "{i} is known");
        }
        assert_eq!(visited.len(), 50_000);
        assert!(visited.bytes() >= 50_000 * 16);
    }

    #[test]
    fn surely_known_never_says_known_of_a_new_fingerprint() {
        let mut visited = Visited::default();
        for i in 0..20_000 {
            assert!(!visited.surely_known(spread(i)), "{i} is not known yet");
            visited.insert(spread(i));
        }
        let at_home = (0..20_000)
            .filter(|&i| visited.surely_known(spread(i)))
            .count();
        assert!(at_home > 16_000, "most are in their home bucket: {at_home}");
        for i in 20_000..40_000 {
            assert!(!visited.surely_known(spread(i)));
        }
    }

    #[test]
    fn zero_and_fingerprints_that_share_a_bucket_are_told_apart() {
        let mut visited = Visited::default();
        assert!(visited.insert(0));
        assert!(!visited.insert(0));
        // Same shard, same bucket, different high halves.
        let same_place: Vec<u128> = (2..40u128).map(|i| i << 64 | 7).collect();
        for &fingerprint in &same_place {
            assert!(visited.insert(fingerprint));
        }
        for &fingerprint in &same_place {
            assert!(!visited.insert(fingerprint));
        }
    }

    #[test]
    fn groups_partition_the_shards_and_agree_with_the_whole_set() {
        for owners in [1, 2, 3, 4, 7, SHARDS] {
            let mut visited = Visited::default();
            let mut groups = visited.groups(owners);
            assert_eq!(groups.len(), owners);
            for i in 0..5_000 {
                let fingerprint = spread(i);
                let owner = owner_of(shard_of(fingerprint), owners);
                assert!(groups[owner].insert(fingerprint));
            }
            drop(groups);
            for i in 0..5_000 {
                assert!(!visited.insert(spread(i)));
            }
            assert_eq!(visited.len(), 5_000);
        }
    }
}
