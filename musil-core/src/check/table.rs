//! [`Shard`]: one shard of an open-addressing table keyed by 128-bit fingerprints, the layout the
//! visited set (`visited.rs`) and the explored graph's index (`index.rs`) share.
//!
//! A table is cut into [`SHARDS`] shards by the fingerprint's top bits, so that a shard grows
//! (and rehashes) alone: the transient of a growth is one shard's table, not the whole one's.
//! A shard is a vector of one-cache-line buckets probed linearly from the fingerprint's home
//! bucket: a lookup usually touches one cache line. A low half of 0 marks an empty slot, so a
//! fingerprint whose low half is 0 is stored with a low half of 1 (one more collision, of
//! probability 2⁻¹²⁸ per pair of states). Nothing iterates over a table, so its layout never
//! leaks into a search's order.

/// Bits of the fingerprint that choose its shard.
const SHARD_BITS: u32 = 6;

/// How many shards a table has.
pub(crate) const SHARDS: usize = 1 << SHARD_BITS;

/// A shard grows once it holds more than `LOAD_NUM / LOAD_DEN` of its slots.
const LOAD_NUM: usize = 13;
const LOAD_DEN: usize = 16;

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

/// One cache line of `SLOTS` entries: low halves, high halves, the values (a low half of 0 marks
/// an empty slot). A value of `()` takes no room.
#[derive(Clone, Copy)]
#[repr(C, align(64))]
struct Bucket<V, const SLOTS: usize> {
    low: [u64; SLOTS],
    high: [u64; SLOTS],
    value: [V; SLOTS],
}

impl<V: Copy + Default, const SLOTS: usize> Bucket<V, SLOTS> {
    fn empty() -> Self {
        Bucket {
            low: [0; SLOTS],
            high: [0; SLOTS],
            value: [V::default(); SLOTS],
        }
    }

    #[inline(always)]
    fn set(&mut self, slot: usize, low: u64, high: u64, value: V) {
        (self.low[slot], self.high[slot], self.value[slot]) = (low, high, value);
    }
}

/// What [`Shard::find_or_add`] found.
pub(crate) enum Found<V> {
    /// The fingerprint was there, with this value.
    Known(V),
    /// It was not, and is now, with the value given.
    Added,
    /// It was not, and there was no room to add it.
    Absent,
}

/// The [`SHARDS`] empty shards of a new table.
pub(crate) fn empty_shards<V, const SLOTS: usize>() -> Vec<Shard<V, SLOTS>> {
    (0..SHARDS).map(|_| Shard::default()).collect()
}

/// One shard: an open-addressing table of fingerprints and their values, `SLOTS` a bucket.
pub(crate) struct Shard<V, const SLOTS: usize> {
    buckets: Vec<Bucket<V, SLOTS>>,
    len: usize,
    /// The shard grows when `len` reaches it.
    limit: usize,
}

impl<V, const SLOTS: usize> Default for Shard<V, SLOTS> {
    fn default() -> Self {
        Shard {
            buckets: Vec::new(),
            len: 0,
            limit: 0,
        }
    }
}

impl<V: Copy + Default, const SLOTS: usize> Shard<V, SLOTS> {
    /// The bucket where the search for a fingerprint with this low half starts.
    #[inline]
    fn home(&self, low: u64) -> usize {
        ((u128::from(low) * self.buckets.len() as u128) >> 64) as usize
    }

    /// Whether `fingerprint` is in its home bucket: known for sure if so (it may also be known
    /// further on, which only [`Shard::find_or_add`] tells). Branch-free on the bucket's
    /// contents, so that the processor runs many of these lookups at once instead of waiting
    /// for each.
    #[inline]
    pub(crate) fn at_home(&self, fingerprint: u128) -> bool {
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

    /// Looks `fingerprint` up, probing from its home bucket slot by slot until it or an empty
    /// slot is found; adds it with `value` if it is absent and `room` allows.
    #[inline]
    pub(crate) fn find_or_add(&mut self, fingerprint: u128, value: V, room: bool) -> Found<V> {
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
                    return Found::Known(bucket.value[slot]);
                }
                if bucket.low[slot] == 0 {
                    if !room {
                        return Found::Absent;
                    }
                    bucket.set(slot, low, high, value);
                    self.len += 1;
                    return Found::Added;
                }
            }
            at = if at + 1 == count { 0 } else { at + 1 };
        }
    }

    /// Grows the table by half (at least one bucket) and moves every entry over. (With the home
    /// bucket monotone in the low half, the old buckets come in nearly the order of the new
    /// ones: the moves write the new table almost sequentially.)
    #[cold]
    fn grow(&mut self) {
        let count = (self.buckets.len() * 3 / 2).max(self.buckets.len() + 1);
        let old = std::mem::replace(&mut self.buckets, vec![Bucket::empty(); count]);
        self.limit = count * SLOTS * LOAD_NUM / LOAD_DEN;
        for bucket in &old {
            for slot in (0..SLOTS).take_while(|&slot| bucket.low[slot] != 0) {
                self.place(bucket.low[slot], bucket.high[slot], bucket.value[slot]);
            }
        }
    }

    /// Puts an entry known to be absent in the first empty slot from its home bucket.
    fn place(&mut self, low: u64, high: u64, value: V) {
        let count = self.buckets.len();
        let mut at = self.home(low);
        loop {
            let bucket = &mut self.buckets[at];
            if let Some(slot) = (0..SLOTS).find(|&slot| bucket.low[slot] == 0) {
                bucket.set(slot, low, high, value);
                return;
            }
            at = if at + 1 == count { 0 } else { at + 1 };
        }
    }

    /// How many entries.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Bytes held.
    pub(crate) fn bytes(&self) -> usize {
        self.buckets.capacity() * std::mem::size_of::<Bucket<V, SLOTS>>()
    }
}

/// Well-spread 128-bit values, for the tests of the tables.
#[cfg(test)]
pub(crate) fn spread(i: u64) -> u128 {
    super::fingerprint::fingerprint(&i)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The visited set's buckets (four fingerprints) and the index's (three, with numbers) each
    /// fill one cache line, no more.
    #[test]
    fn a_bucket_is_one_cache_line() {
        assert_eq!(std::mem::size_of::<Bucket<(), 4>>(), 64);
        assert_eq!(std::mem::size_of::<Bucket<u32, 3>>(), 64);
    }
}
