//! Every nondeterministic choice of a run flows through one trait, [`DecisionSource`].
//!
//! The network's loss, duplication and latency draws, a node's `ctx.random()`, and the
//! per-seed generation of networks, fault schedules and systems all ask a decision source.
//! [`Seeded`](seeded::Seeded) is the default: seeded PCG with one independent stream per
//! [`Stream`], so that a node drawing one more random number leaves the network's decisions for
//! everything else unchanged. [`Recording`](recording::Recording) wraps any source and keeps the
//! log of decisions made, which is what failure traces are built from; [`Rng`](rng::Rng) is how
//! user code draws. An exhaustive explorer plugs in through the same trait.
//!
//! The value sequence a given seed produces is part of musil's public contract: changing it is a
//! breaking change, noted in the changelog.

use std::fmt;

use crate::id::NodeId;

pub mod recording;
pub mod rng;
pub mod seeded;

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
    /// A node's disk: read, write and sync failures, and what a power loss keeps.
    Disk(NodeId),
    /// The nemesis's randomness (`FaultControl::rng`).
    Nemesis,
    /// Which `ctx.buggify` sites are on in a run, and when they fire.
    Buggify,
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
    /// Whether a disk read fails.
    ReadError,
    /// Whether a disk read returns a flipped bit.
    CorruptRead,
    /// Which bit a corrupt read flips.
    CorruptBit,
    /// Whether a disk write fails.
    WriteError,
    /// Whether a sync fails.
    SyncError,
    /// Whether a power loss tears an unsynced write.
    TornWrite,
    /// How much of a torn write is kept.
    TornLength,
    /// Whether a power loss loses an unsynced write.
    LostWrite,
    /// Whether a buggify site is on for the run (at its first evaluation).
    BuggifyOn,
    /// Whether an active buggify site fires.
    BuggifyFires,
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
pub trait DecisionSource: 'static {
    /// Makes one decision.
    fn decide(&mut self, decision: &Decision) -> u64;

    /// Rewinds `stream` to its beginning, so that the same questions get the same answers again
    /// (used to rebuild a node identically on a cold restart).
    fn rewind(&mut self, stream: Stream);
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

/// One entry of a [`Recording`](recording::Recording)'s log: a decision and the answer it got.
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
