//! 128-bit fingerprints of states: how the checker remembers a state without keeping it.
//!
//! Two lanes of folded 64×64→128-bit multiplies. Every integer is fed as a `u64` (so `usize`
//! hashes the same on 32- and 64-bit targets) and the result is the same on every platform and
//! in every build; nothing iterates in fingerprint order, so the fingerprints only decide
//! identity, never the order of a search.

use std::hash::{BuildHasherDefault, Hash, Hasher};

const K1: u64 = 0x9E37_79B9_7F4A_7C15;
const K2: u64 = 0xD6E8_FEB8_6659_FD93;
const K3: u64 = 0xA076_1D64_78BD_642F;

#[inline(always)]
fn folded(x: u64, k: u64) -> u64 {
    let product = u128::from(x) * u128::from(k);
    (product as u64) ^ ((product >> 64) as u64)
}

/// A `Hasher` producing 128 bits.
#[derive(Clone, Copy)]
pub(crate) struct Fingerprinter {
    a: u64,
    b: u64,
    words: u64,
}

impl Fingerprinter {
    pub(crate) fn new() -> Self {
        Fingerprinter {
            a: K3,
            b: K1 ^ K2,
            words: 0,
        }
    }

    #[inline(always)]
    fn word(&mut self, x: u64) {
        self.words += 1;
        self.a = folded(self.a ^ x ^ K3, K1);
        self.b = folded(self.b.wrapping_add(x).rotate_left(23) ^ K1, K2);
    }

    /// The 128-bit fingerprint.
    pub(crate) fn finish128(&self) -> u128 {
        let a = folded(self.a ^ self.words, K2);
        let b = folded(self.b ^ a, K3);
        (u128::from(a) << 64) | u128::from(b)
    }
}

impl Hasher for Fingerprinter {
    fn finish(&self) -> u64 {
        self.finish128() as u64
    }

    /// Whole little-endian words, then the rest zero-padded with its length in the top bits.
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let (words, rest) = bytes.as_chunks::<8>();
        for word in words {
            self.word(u64::from_le_bytes(*word));
        }
        let last = rest
            .iter()
            .enumerate()
            .fold(0u64, |last, (at, &byte)| last | u64::from(byte) << (8 * at));
        self.word(last ^ ((rest.len() as u64) << 59));
    }

    fn write_u8(&mut self, i: u8) {
        self.word(u64::from(i));
    }

    fn write_u16(&mut self, i: u16) {
        self.word(u64::from(i));
    }

    fn write_u32(&mut self, i: u32) {
        self.word(u64::from(i));
    }

    fn write_u64(&mut self, i: u64) {
        self.word(i);
    }

    fn write_usize(&mut self, i: usize) {
        self.word(i as u64);
    }

    fn write_i8(&mut self, i: i8) {
        self.word(i as u64);
    }

    fn write_i16(&mut self, i: i16) {
        self.word(i as u64);
    }

    fn write_i32(&mut self, i: i32) {
        self.word(i as u64);
    }

    fn write_i64(&mut self, i: i64) {
        self.word(i as u64);
    }

    fn write_isize(&mut self, i: isize) {
        self.word(i as u64);
    }
}

/// The fingerprint of `state`.
#[inline]
pub(crate) fn fingerprint<S: Hash>(state: &S) -> u128 {
    let mut hasher = Fingerprinter::new();
    state.hash(&mut hasher);
    hasher.finish128()
}

/// Hashing for maps keyed by fingerprints: they are hashes already.
#[derive(Default)]
pub(crate) struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = (self.0 << 8) | u64::from(byte);
        }
    }

    fn write_u128(&mut self, i: u128) {
        self.0 = i as u64;
    }
}

/// A map from fingerprints to state indices.
pub(crate) type Seen = std::collections::HashMap<u128, u32, BuildHasherDefault<PassThrough>>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_are_stable_and_tell_near_states_apart() {
        assert_eq!(fingerprint(&(1u8, "a")), fingerprint(&(1u8, "a")));
        let states: Vec<u128> = (0..10_000u32)
            .flat_map(|i| {
                [
                    fingerprint(&i),
                    fingerprint(&(i, 0u8)),
                    fingerprint(&vec![i; 3]),
                ]
            })
            .collect();
        let mut sorted = states.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(
            sorted.len(),
            states.len(),
            "no collisions among near states"
        );
        assert_ne!(
            fingerprint(&vec![0u8; 8]),
            fingerprint(&vec![0u8; 9]),
            "lengths count"
        );
        assert_ne!(fingerprint(&[0u64; 2]), fingerprint(&[0u64; 3]));
    }

    #[test]
    fn byte_strings_of_every_length_are_pinned() {
        let bytes: Vec<u8> = (1..=20).collect();
        let all: Vec<u128> = (0..=bytes.len())
            .map(|length| fingerprint(&&bytes[..length]))
            .collect();
        let folded = all.iter().fold(0u128, |acc, &f| acc.rotate_left(7) ^ f);
        assert_eq!(folded, BYTES_GOLDEN);
    }

    #[test]
    fn fingerprints_are_pinned_across_platforms_and_builds() {
        assert_eq!(fingerprint(&(7usize, Some(3u8), "x")), GOLDEN);
    }

    const GOLDEN: u128 = 319337024415545128206333146421600692151;

    /// Computed with the first implementation of `write` (word copies, then a padded rest).
    const BYTES_GOLDEN: u128 = 145559575402805323566490181321389907688;
}
