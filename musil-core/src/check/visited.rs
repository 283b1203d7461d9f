//! [`Visited`]: the set of states a breadth-first search has found, as their 128-bit
//! fingerprints and nothing else (the search numbers the states itself, and keeps their parent
//! links apart).
//!
//! The set is cut into [`SHARDS`] shards by the fingerprint's top bits, so that a shard grows
//! (and rehashes) alone — the transient of a growth is one shard's table, not the whole set's —
//! and so that threads can own disjoint groups of shards ([`Visited::groups`]). A shard is an
//! open-addressing table of 64-byte buckets (one cache line, four fingerprints each) probed
//! linearly: a lookup usually touches one cache line. A low half of 0 marks an empty slot, so a
//! fingerprint whose low half is 0 is stored with a low half of 1 (one more collision, of
//! probability 2⁻¹²⁸ per pair of states).
//!
//! A batch is looked up in two passes: [`Visited::surely_known`], branch-free on the table's
//! contents so that the processor overlaps the cache misses of many lookups, settles most
//! duplicates; the rest go through [`Visited::insert`], in order.
//!
//! Nothing iterates over the set: it only answers "was this fingerprint new?", so its layout
//! never leaks into a search's order.

/// Bits of the fingerprint that choose its shard.
const SHARD_BITS: u32 = 6;

/// How many shards.
pub(crate) const SHARDS: usize = 1 << SHARD_BITS;

/// Fingerprints per bucket.
const SLOTS: usize = 4;

/// A shard grows once it holds more than `LOAD_NUM / LOAD_DEN` of its slots.
const LOAD_NUM: usize = 13;
const LOAD_DEN: usize = 16;

/// One cache line of fingerprints: low halves, then high halves (a low half of 0 marks an empty
/// slot).
#[derive(Clone, Copy)]
#[repr(C, align(64))]
struct Bucket {
    low: [u64; SLOTS],
    high: [u64; SLOTS],
}

/// An empty bucket.
const EMPTY: Bucket = Bucket {
    low: [0; SLOTS],
    high: [0; SLOTS],
};

/// Which shard `fingerprint` belongs to.
#[inline]
pub(crate) fn shard_of(fingerprint: u128) -> usize {
    (fingerprint >> (128 - SHARD_BITS)) as usize
}

/// The fingerprint as stored, `(low, high)`: a low half of 0 is stored as 1.
#[inline]
fn halves(fingerprint: u128) -> (u64, u64) {
    ((fingerprint as u64).max(1), (fingerprint >> 64) as u64)
}

/// One shard: an open-addressing table of fingerprints.
#[derive(Default)]
pub(crate) struct Shard {
    buckets: Vec<Bucket>,
    len: usize,
    /// The shard grows when `len` reaches it.
    limit: usize,
}

impl Shard {
    /// The bucket where the search for a fingerprint with this low half starts.
    #[inline]
    fn home(&self, low: u64) -> usize {
        ((u128::from(low) * self.buckets.len() as u128) >> 64) as usize
    }

    /// Whether `fingerprint` is in its home bucket: known for sure if so (it may also be known
    /// further on, which only [`Shard::insert`] tells). Branch-free on the bucket's contents, so
    /// that the processor runs many of these lookups at once instead of waiting for each.
    #[inline]
    fn at_home(&self, fingerprint: u128) -> bool {
        let (low, high) = halves(fingerprint);
        let Some(bucket) = self.buckets.get(self.home(low)) else {
            return false;
        };
        let mut found = false;
        for slot in 0..SLOTS {
            found |= (bucket.low[slot] == low) & (bucket.high[slot] == high);
        }
        found
    }

    /// Adds `fingerprint`; returns whether it was new (probing from its home bucket, slot by
    /// slot, until it or an empty slot is found).
    #[inline]
    pub(crate) fn insert(&mut self, fingerprint: u128) -> bool {
        if self.len >= self.limit {
            self.grow();
        }
        let (low, high) = halves(fingerprint);
        let count = self.buckets.len();
        let mut at = self.home(low);
        loop {
            let bucket = &mut self.buckets[at];
            for slot in 0..SLOTS {
                if bucket.low[slot] == low && bucket.high[slot] == high {
                    return false;
                }
                if bucket.low[slot] == 0 {
                    bucket.low[slot] = low;
                    bucket.high[slot] = high;
                    self.len += 1;
                    return true;
                }
            }
            at += 1;
            if at == count {
                at = 0;
            }
        }
    }

    /// Grows the table by half (at least one bucket) and moves every fingerprint over. (With
    /// the home bucket monotone in the low half, the old buckets come in nearly the order of the
    /// new ones: the moves write the new table almost sequentially.)
    #[cold]
    fn grow(&mut self) {
        let count = (self.buckets.len() * 3 / 2).max(self.buckets.len() + 1);
        let old = std::mem::replace(&mut self.buckets, vec![EMPTY; count]);
        self.limit = count * SLOTS * LOAD_NUM / LOAD_DEN;
        for bucket in &old {
            for slot in (0..SLOTS).take_while(|&slot| bucket.low[slot] != 0) {
                self.place(bucket.low[slot], bucket.high[slot]);
            }
        }
    }

    /// Puts a fingerprint known to be absent in the first empty slot from its home bucket.
    fn place(&mut self, low: u64, high: u64) {
        let count = self.buckets.len();
        let mut at = self.home(low);
        loop {
            let bucket = &mut self.buckets[at];
            if let Some(slot) = (0..SLOTS).find(|&slot| bucket.low[slot] == 0) {
                bucket.low[slot] = low;
                bucket.high[slot] = high;
                return;
            }
            at = if at + 1 == count { 0 } else { at + 1 };
        }
    }

    /// Bytes held.
    fn bytes(&self) -> usize {
        self.buckets.capacity() * std::mem::size_of::<Bucket>()
    }
}

/// The visited set: fingerprints in [`SHARDS`] shards.
pub(crate) struct Visited {
    shards: Vec<Shard>,
}

impl Default for Visited {
    fn default() -> Self {
        Visited {
            shards: (0..SHARDS).map(|_| Shard::default()).collect(),
        }
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
        self.shards.iter().map(|shard| shard.len).sum()
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
    use super::*;

    /// Well-spread 128-bit values.
    fn spread(i: u64) -> u128 {
        super::super::fingerprint::fingerprint(&i)
    }

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
