//! [`Index`]: the states an exploration has numbered, from their 128-bit fingerprints to their
//! numbers — what the explored graph needs to turn a successor into an edge target.
//!
//! Laid out like the visited set (`visited.rs`): shards chosen by the fingerprint's top bits,
//! each growing alone, of one-cache-line buckets probed linearly; a bucket holds three
//! `(fingerprint, number)` entries. A low half of 0 marks an empty slot, so a fingerprint whose
//! low half is 0 is stored with a low half of 1. Nothing iterates over it.

/// Bits of the fingerprint that choose its shard.
const SHARD_BITS: u32 = 6;

/// Entries per bucket.
const SLOTS: usize = 3;

/// A shard grows once it holds more than `LOAD_NUM / LOAD_DEN` of its slots.
const LOAD_NUM: usize = 13;
const LOAD_DEN: usize = 16;

/// One cache line of entries: low halves, high halves, numbers.
#[derive(Clone, Copy)]
#[repr(C, align(64))]
struct Bucket {
    low: [u64; SLOTS],
    high: [u64; SLOTS],
    number: [u32; SLOTS],
}

/// An empty bucket.
const EMPTY: Bucket = Bucket {
    low: [0; SLOTS],
    high: [0; SLOTS],
    number: [0; SLOTS],
};

/// One shard of the index.
#[derive(Default)]
struct Shard {
    buckets: Vec<Bucket>,
    len: usize,
    limit: usize,
}

impl Shard {
    /// The bucket where the search for a fingerprint with this low half starts.
    #[inline]
    fn home(&self, low: u64) -> usize {
        ((u128::from(low) * self.buckets.len() as u128) >> 64) as usize
    }

    /// The number of the fingerprint `(low, high)`; if it has none, `number` (inserted) when
    /// `room`, else `None`.
    #[inline]
    fn number_of(&mut self, low: u64, high: u64, number: u32, room: bool) -> Option<u32> {
        if self.len >= self.limit {
            self.grow();
        }
        let count = self.buckets.len();
        let mut at = self.home(low);
        loop {
            let bucket = &mut self.buckets[at];
            for slot in 0..SLOTS {
                if bucket.low[slot] == low && bucket.high[slot] == high {
                    return Some(bucket.number[slot]);
                }
                if bucket.low[slot] == 0 {
                    if !room {
                        return None;
                    }
                    (bucket.low[slot], bucket.high[slot]) = (low, high);
                    bucket.number[slot] = number;
                    self.len += 1;
                    return Some(number);
                }
            }
            at = if at + 1 == count { 0 } else { at + 1 };
        }
    }

    /// Grows the table by half (at least one bucket) and moves every entry over.
    #[cold]
    fn grow(&mut self) {
        let count = (self.buckets.len() * 3 / 2).max(self.buckets.len() + 1);
        let old = std::mem::replace(&mut self.buckets, vec![EMPTY; count]);
        self.limit = count * SLOTS * LOAD_NUM / LOAD_DEN;
        self.len = 0;
        for bucket in &old {
            for slot in (0..SLOTS).take_while(|&slot| bucket.low[slot] != 0) {
                let (low, high) = (bucket.low[slot], bucket.high[slot]);
                self.number_of(low, high, bucket.number[slot], true);
            }
        }
    }
}

/// Fingerprints to state numbers.
pub(crate) struct Index {
    shards: Vec<Shard>,
}

impl Default for Index {
    fn default() -> Self {
        Index {
            shards: (0..1 << SHARD_BITS).map(|_| Shard::default()).collect(),
        }
    }
}

impl Index {
    /// The number of `fingerprint`; if it has none: `number`, now its number, when `room`, else
    /// `None`.
    #[inline]
    pub(crate) fn number_of(&mut self, fingerprint: u128, number: u32, room: bool) -> Option<u32> {
        let (low, high) = ((fingerprint as u64).max(1), (fingerprint >> 64) as u64);
        let shard = (fingerprint >> (128 - SHARD_BITS)) as usize;
        self.shards[shard].number_of(low, high, number, room)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spread(i: u64) -> u128 {
        super::super::fingerprint::fingerprint(&i)
    }

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
