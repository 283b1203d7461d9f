//! [`Rng`]: seeded randomness for user code, every draw a decision on one stream.

use std::convert::Infallible;
use std::fmt;

use rand_core::TryRng;

use super::{Cause, Choice, Decision, DecisionSource, Stream, chance, unit_interval};

/// Seeded randomness for user code: a scenario factory's `&mut Rng`, a per-seed network or fault
/// generator, or a node's [`Context::rng`](crate::Context::rng).
///
/// Every draw is a decision of the run's [`DecisionSource`] on one [`Stream`], so it is
/// reproducible from the seed. It implements `rand_core::TryRng` (and so `rand_core::Rng`) for
/// use with richer libraries.
pub struct Rng<'a> {
    source: &'a mut dyn DecisionSource,
    stream: Stream,
}

impl<'a> Rng<'a> {
    /// Draws from `stream` of `source`.
    pub fn new(source: &'a mut dyn DecisionSource, stream: Stream) -> Self {
        Rng { source, stream }
    }

    /// The stream this generator draws from.
    pub fn stream(&self) -> Stream {
        self.stream
    }

    fn decide(&mut self, choice: Choice) -> u64 {
        let decision = Decision {
            stream: self.stream,
            cause: Cause::User,
            choice,
        };
        self.source.decide(&decision)
    }

    /// A float uniformly distributed in `[0, 1)`.
    pub fn random(&mut self) -> f64 {
        unit_interval(self.decide(Choice::Bits))
    }

    /// An integer uniformly distributed in `lo..=hi`.
    ///
    /// # Panics
    /// If `lo > hi`.
    pub fn randint(&mut self, lo: i64, hi: i64) -> i64 {
        assert!(
            lo <= hi,
            "randint({lo}, {hi}): empty range, lo must be <= hi"
        );
        let span = hi.wrapping_sub(lo) as u64;
        let offset = self.decide(Choice::Uniform { lo: 0, hi: span });
        lo.wrapping_add(offset as i64)
    }

    /// `true` with probability `p` (clamped to `[0, 1]`); no draw is made when `p` is 0 or 1.
    pub fn chance(&mut self, p: f64) -> bool {
        chance(self.source, self.stream, Cause::User, p)
    }

    /// 64 uniformly random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.decide(Choice::Bits)
    }

    /// A uniform index below `n` (for picking among `n` options).
    ///
    /// # Panics
    /// If `n` is 0.
    pub fn pick(&mut self, n: usize) -> usize {
        assert!(n > 0, "pick(0): there is nothing to pick from");
        self.decide(Choice::Uniform {
            lo: 0,
            hi: n as u64 - 1,
        }) as usize
    }
}

impl fmt::Debug for Rng<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Rng")
            .field("stream", &self.stream)
            .finish_non_exhaustive()
    }
}

impl TryRng for Rng<'_> {
    type Error = Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        Ok((self.next_u64() >> 32) as u32)
    }

    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        Ok(self.next_u64())
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        for chunk in dst.chunks_mut(8) {
            let bytes = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&bytes[..chunk.len()]);
        }
        Ok(())
    }
}
