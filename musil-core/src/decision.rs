//! Every nondeterministic choice of a run flows through one trait, [`DecisionSource`].
//!
//! The network's loss, duplication and latency draws, a node's `ctx.random()`, and the
//! per-seed generation of networks, fault schedules and systems all ask a decision source.
//! [`Seeded`] is the default: seeded PCG with one independent stream per [`Stream`], so that a
//! node drawing one more random number leaves the network's decisions for everything else
//! unchanged. [`Recording`] wraps any source and keeps the log of decisions made, which is what
//! failure traces are built from; an exhaustive explorer plugs in through the same trait.
//!
//! The value sequence a given seed produces is part of musil's public contract: changing it is a
//! breaking change, noted in the changelog.

use std::convert::Infallible;
use std::fmt;

use rand_core::TryRng;
use rand_pcg::Pcg64Mcg;

use crate::node::NodeId;

/// Which independent stream of randomness a decision is drawn from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Stream {
    /// Building the system: the `&mut Rng` a scenario factory receives.
    Setup,
    /// Per-seed environment generation: networks and fault schedules built from an RNG.
    Environment,
    /// The network's loss, duplication and latency draws.
    Network,
    /// A node's own randomness (`ctx.random()`, `ctx.randint()`, `ctx.chance()`, `ctx.rng()`).
    Node(NodeId),
}

/// Why a decision is being made: shown in decision logs and traces.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Cause {
    /// Whether the network loses a message.
    Loss,
    /// Whether the network delivers a second copy of a message.
    Duplicate,
    /// The latency of a message.
    Latency,
    /// The latency of a duplicated copy.
    DuplicateLatency,
    /// A draw requested by user code (a node, a factory, a network or fault generator).
    User,
}

/// The shape of a choice, and so the meaning of the `u64` a source answers with.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Choice {
    /// A biased coin: answer `1` with probability `p`, else `0`. `p` is in `[0, 1]`.
    Chance(f64),
    /// A uniform integer in `lo..=hi` (so `lo <= hi`).
    Uniform {
        /// Lowest possible answer.
        lo: u64,
        /// Highest possible answer.
        hi: u64,
    },
    /// 64 uniformly random bits.
    Bits,
}

/// One decision to make: from which stream, why, and of which shape.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Decision {
    /// The stream it is drawn from.
    pub stream: Stream,
    /// Why it is asked.
    pub cause: Cause,
    /// Its shape.
    pub choice: Choice,
}

/// The one trait through which every nondeterministic choice of a run flows.
///
/// Implementations must answer within the shape of the [`Choice`] (`0`/`1` for a chance, a value
/// in `lo..=hi` for a uniform draw) and must be deterministic functions of their construction
/// and the sequence of calls made to them.
pub trait DecisionSource {
    /// Makes one decision.
    fn decide(&mut self, decision: &Decision) -> u64;

    /// Rewinds `stream` to its beginning, so that the same questions get the same answers again
    /// (used to rebuild a node identically on a cold restart).
    fn rewind(&mut self, stream: Stream);
}

/// The default decision source: seeded PCG (`Pcg64Mcg`), one independent stream per
/// [`Stream`], each derived from `(seed, stream)`.
#[derive(Clone, Debug)]
pub struct Seeded {
    seed: u64,
    fixed: [Pcg64Mcg; 3],
    nodes: Vec<Pcg64Mcg>,
}

impl Seeded {
    /// A source for `seed`.
    pub fn new(seed: u64) -> Self {
        Seeded {
            seed,
            fixed: [
                stream_generator(seed, Stream::Setup),
                stream_generator(seed, Stream::Environment),
                stream_generator(seed, Stream::Network),
            ],
            nodes: Vec::new(),
        }
    }

    /// The seed this source was built from.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    #[inline]
    fn generator(&mut self, stream: Stream) -> &mut Pcg64Mcg {
        match stream {
            Stream::Setup => &mut self.fixed[0],
            Stream::Environment => &mut self.fixed[1],
            Stream::Network => &mut self.fixed[2],
            Stream::Node(id) => {
                let index = id.index();
                if index >= self.nodes.len() {
                    self.add_node_streams(index);
                }
                &mut self.nodes[index]
            }
        }
    }

    /// Creates the streams of nodes up to `index`, the first time they draw.
    #[cold]
    fn add_node_streams(&mut self, index: usize) {
        while self.nodes.len() <= index {
            let next = NodeId::new(self.nodes.len());
            self.nodes
                .push(stream_generator(self.seed, Stream::Node(next)));
        }
    }
}

impl DecisionSource for Seeded {
    #[inline(always)]
    fn decide(&mut self, decision: &Decision) -> u64 {
        let generator = self.generator(decision.stream);
        answer(decision.choice, || next_u64(generator))
    }

    fn rewind(&mut self, stream: Stream) {
        *self.generator(stream) = stream_generator(self.seed, stream);
    }
}

/// A biased coin on `stream`: no decision is asked for when `p <= 0` (false) or `p >= 1` (true),
/// so certain outcomes never consume randomness.
#[inline]
pub(crate) fn chance<D: DecisionSource + ?Sized>(
    source: &mut D,
    stream: Stream,
    cause: Cause,
    p: f64,
) -> bool {
    if p <= 0.0 || p.is_nan() {
        return false;
    }
    if p >= 1.0 {
        return true;
    }
    source.decide(&Decision {
        stream,
        cause,
        choice: Choice::Chance(p),
    }) == 1
}

/// Answers `choice` from a supply of uniformly random 64-bit words.
#[inline(always)]
pub(crate) fn answer(choice: Choice, mut word: impl FnMut() -> u64) -> u64 {
    match choice {
        Choice::Chance(p) => u64::from(unit_interval(word()) < p),
        Choice::Uniform { lo, hi } => lo + below_inclusive(hi - lo, &mut word),
        Choice::Bits => word(),
    }
}

/// A float in `[0, 1)` from the top 53 bits of `word`.
#[inline]
pub(crate) fn unit_interval(word: u64) -> f64 {
    (word >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// A uniform value in `0..=max`, unbiased (Lemire's multiply-and-reject; the division that
/// computes the rejection threshold only runs on the rare draws that might be rejected).
#[inline]
fn below_inclusive(max: u64, word: &mut impl FnMut() -> u64) -> u64 {
    if max == u64::MAX {
        return word();
    }
    let range = max + 1;
    let mut product = u128::from(word()) * u128::from(range);
    if (product as u64) < range {
        let threshold = range.wrapping_neg() % range;
        while (product as u64) < threshold {
            product = u128::from(word()) * u128::from(range);
        }
    }
    (product >> 64) as u64
}

#[inline]
fn next_u64(generator: &mut Pcg64Mcg) -> u64 {
    match generator.try_next_u64() {
        Ok(word) => word,
    }
}

fn stream_generator(seed: u64, stream: Stream) -> Pcg64Mcg {
    let tag = match stream {
        Stream::Setup => 1,
        Stream::Environment => 2,
        Stream::Network => 3,
        Stream::Node(id) => 0x1_0000 + id.index() as u64,
    };
    let high = splitmix64(seed ^ splitmix64(tag));
    let low = splitmix64(high ^ tag.rotate_left(32));
    Pcg64Mcg::new((u128::from(high) << 64) | u128::from(low))
}

fn splitmix64(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// One entry of a [`Recording`]'s log: a decision and the answer it got.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DecisionRecord {
    /// What was asked.
    pub decision: Decision,
    /// What was answered.
    pub outcome: u64,
}

impl fmt::Display for DecisionRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Decision {
            stream,
            cause,
            choice,
        } = self.decision;
        let outcome = self.outcome;
        match choice {
            Choice::Chance(p) => write!(f, "{stream:?} {cause:?}: chance({p}) = {}", outcome == 1),
            Choice::Uniform { lo, hi } => {
                write!(f, "{stream:?} {cause:?}: {lo}..={hi} = {outcome}")
            }
            Choice::Bits => write!(f, "{stream:?} {cause:?}: bits = {outcome:#018x}"),
        }
    }
}

/// A decision source that records every decision its inner source makes.
#[derive(Clone, Debug)]
pub struct Recording<D> {
    inner: D,
    log: Vec<DecisionRecord>,
}

impl<D: DecisionSource> Recording<D> {
    /// Records the decisions of `inner`.
    pub fn new(inner: D) -> Self {
        Recording {
            inner,
            log: Vec::new(),
        }
    }

    /// The decisions made so far, in order.
    pub fn log(&self) -> &[DecisionRecord] {
        &self.log
    }

    /// The log, consuming the recorder.
    pub fn into_log(self) -> Vec<DecisionRecord> {
        self.log
    }
}

impl<D: DecisionSource> DecisionSource for Recording<D> {
    fn decide(&mut self, decision: &Decision) -> u64 {
        let outcome = self.inner.decide(decision);
        self.log.push(DecisionRecord {
            decision: *decision,
            outcome,
        });
        outcome
    }

    fn rewind(&mut self, stream: Stream) {
        self.inner.rewind(stream);
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    fn user(stream: Stream, choice: Choice) -> Decision {
        Decision {
            stream,
            cause: Cause::User,
            choice,
        }
    }

    #[test]
    fn same_seed_same_values_and_streams_are_independent() {
        let mut a = Seeded::new(7);
        let mut b = Seeded::new(7);
        let node = Stream::Node(NodeId::new(3));
        let first: Vec<u64> = (0..5)
            .map(|_| a.decide(&user(node, Choice::Bits)))
            .collect();
        // Draining another stream of `b` first must not change the node stream.
        for _ in 0..100 {
            b.decide(&user(Stream::Network, Choice::Bits));
        }
        let second: Vec<u64> = (0..5)
            .map(|_| b.decide(&user(node, Choice::Bits)))
            .collect();
        assert_eq!(first, second);
        let other_seed: Vec<u64> = (0..5)
            .map(|_| Seeded::new(8).decide(&user(node, Choice::Bits)))
            .collect();
        assert_ne!(first, other_seed);
    }

    #[test]
    fn uniform_stays_in_range_and_covers_it() {
        let mut source = Seeded::new(1);
        let mut seen = [0u32; 5];
        for _ in 0..5000 {
            let v = source.decide(&user(Stream::Network, Choice::Uniform { lo: 3, hi: 7 }));
            assert!((3..=7).contains(&v), "{v} out of 3..=7");
            seen[(v - 3) as usize] += 1;
        }
        assert!(
            seen.iter().all(|&n| (850..1150).contains(&n)),
            "skewed: {seen:?}"
        );
    }

    #[test]
    fn rewind_replays_a_stream() {
        let mut source = Seeded::new(5);
        let before: Vec<u64> = (0..3)
            .map(|_| source.decide(&user(Stream::Setup, Choice::Bits)))
            .collect();
        source.rewind(Stream::Setup);
        let after: Vec<u64> = (0..3)
            .map(|_| source.decide(&user(Stream::Setup, Choice::Bits)))
            .collect();
        assert_eq!(before, after);
    }

    #[test]
    fn recording_logs_every_decision_with_its_outcome() {
        let mut recording = Recording::new(Seeded::new(2));
        let mut rng = Rng::new(&mut recording, Stream::Environment);
        let value = rng.randint(-3, 3);
        let coin = rng.chance(0.5);
        assert!((-3..=3).contains(&value));
        let log = recording.into_log();
        assert_eq!(log.len(), 2);
        assert_eq!(log[0].outcome as i64 - 3, value);
        assert_eq!(log[1].outcome == 1, coin);
        assert_eq!(log[1].decision.choice, Choice::Chance(0.5));
    }

    #[test]
    fn chance_at_the_bounds_draws_nothing() {
        let mut recording = Recording::new(Seeded::new(2));
        let mut rng = Rng::new(&mut recording, Stream::Setup);
        assert!(!rng.chance(0.0));
        assert!(rng.chance(1.0));
        assert!(recording.log().is_empty());
    }

    #[test]
    fn randint_handles_the_full_range() {
        let mut source = Seeded::new(3);
        let mut rng = Rng::new(&mut source, Stream::Setup);
        for _ in 0..100 {
            let _ = rng.randint(i64::MIN, i64::MAX);
            assert_eq!(rng.randint(4, 4), 4);
        }
    }
}

#[cfg(test)]
mod golden {
    use super::*;

    fn first_words(seed: u64, stream: Stream) -> [u64; 3] {
        let mut source = Seeded::new(seed);
        std::array::from_fn(|_| {
            source.decide(&Decision {
                stream,
                cause: Cause::User,
                choice: Choice::Bits,
            })
        })
    }

    /// The value sequence of a seed is public contract: these must never change without a
    /// changelog entry (and they pin that every platform and build profile agrees).
    #[test]
    fn the_value_sequence_of_a_seed_is_stable() {
        let observed = [
            first_words(0, Stream::Network),
            first_words(7, Stream::Setup),
            first_words(7, Stream::Node(NodeId::new(2))),
        ];
        assert_eq!(observed, GOLDEN);
    }

    const GOLDEN: [[u64; 3]; 3] = [
        [
            0x0784_81a4_5cdb_6450,
            0x076d_d042_7364_018c,
            0xc6b9_b11d_d39d_8e99,
        ],
        [
            0x7f9a_2b2d_f6f3_26ad,
            0x524e_d21f_937f_cce6,
            0xb08b_9921_c4a5_9ee1,
        ],
        [
            0x1453_ea4f_3845_a525,
            0x2e4c_a331_028c_a1b5,
            0x7024_4f58_d48a_2a08,
        ],
    ];
}
