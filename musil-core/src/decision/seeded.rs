//! [`Seeded`], the default decision source: seeded PCG, one independent stream per [`Stream`],
//! each derived from `(seed, stream)`. The value sequence of a seed is pinned by golden tests.

use rand_core::TryRng;
use rand_pcg::Pcg64Mcg;

use super::{Decision, DecisionSource, Stream, answer};
use crate::id::NodeId;

/// The default decision source: seeded PCG (`Pcg64Mcg`), one independent stream per
/// [`Stream`], each derived from `(seed, stream)`.
#[derive(Clone, Debug)]
pub struct Seeded {
    seed: u64,
    /// The network stream's generator, drawn on by almost every send.
    network: Pcg64Mcg,
    /// The setup and environment streams' generators, made on their first draw: most seeds
    /// draw nothing on them.
    early: [Option<Pcg64Mcg>; 2],
    nodes: Vec<Pcg64Mcg>,
    /// The disk and nemesis streams, made on their first draw (boxed: most runs never draw on
    /// them, and every seed moves its source).
    extra: Option<Box<ExtraStreams>>,
}

/// The streams made on first use, with their generators.
#[derive(Clone, Debug, Default)]
struct ExtraStreams {
    streams: Vec<(Stream, Pcg64Mcg)>,
}

impl Seeded {
    /// A source for `seed`.
    pub fn new(seed: u64) -> Self {
        Seeded {
            seed,
            network: stream_generator(seed, Stream::Network),
            early: [None, None],
            nodes: Vec::new(),
            extra: None,
        }
    }

    /// Makes this source the one [`Seeded::new`] gives for `seed`, in place (keeping its
    /// storage).
    pub(crate) fn reseed(&mut self, seed: u64) {
        self.seed = seed;
        self.network = stream_generator(seed, Stream::Network);
        self.early = [None, None];
        self.nodes.clear();
        self.extra = None;
    }

    /// The seed this source was built from.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    #[inline]
    fn generator(&mut self, stream: Stream) -> &mut Pcg64Mcg {
        match stream {
            Stream::Network => &mut self.network,
            Stream::Setup => self.early_generator(0, stream),
            Stream::Environment => self.early_generator(1, stream),
            Stream::Node(id) => {
                let index = id.index();
                if index >= self.nodes.len() {
                    self.add_node_streams(index);
                }
                &mut self.nodes[index]
            }
            Stream::Disk(_) | Stream::Nemesis | Stream::Buggify => self.extra_generator(stream),
        }
    }

    /// The generator of the setup or environment stream (`index` 0 or 1), made the first time
    /// it draws.
    fn early_generator(&mut self, index: usize, stream: Stream) -> &mut Pcg64Mcg {
        let seed = self.seed;
        self.early[index].get_or_insert_with(|| stream_generator(seed, stream))
    }

    /// The generator of a disk or the nemesis, made the first time it draws.
    fn extra_generator(&mut self, stream: Stream) -> &mut Pcg64Mcg {
        let extra = &mut self.extra.get_or_insert_with(Box::default).streams;
        let index = match extra.iter().position(|(s, _)| *s == stream) {
            Some(index) => index,
            None => {
                extra.push((stream, stream_generator(self.seed, stream)));
                extra.len() - 1
            }
        };
        &mut extra[index].1
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
        Stream::Disk(id) => 0x1_0000_0000 + id.index() as u64,
        Stream::Nemesis => 4,
        Stream::Buggify => 5,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decision::recording::Recording;
    use crate::decision::rng::Rng;
    use crate::decision::{Cause, Choice};

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
    fn a_reseeded_source_draws_what_a_new_one_draws() {
        let streams = [
            Stream::Setup,
            Stream::Environment,
            Stream::Network,
            Stream::Node(NodeId::new(4)),
            Stream::Disk(NodeId::new(1)),
            Stream::Nemesis,
        ];
        let draws = |source: &mut Seeded| -> Vec<u64> {
            streams
                .iter()
                .flat_map(|&stream| [0; 3].map(|_| source.decide(&user(stream, Choice::Bits))))
                .collect()
        };
        let mut source = Seeded::new(11);
        draws(&mut source);
        source.reseed(12);
        assert_eq!(source.seed(), 12);
        assert_eq!(draws(&mut source), draws(&mut Seeded::new(12)));
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
    use crate::decision::{Cause, Choice};

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

    /// The disk and nemesis streams, pinned the same way (and distinct from every other).
    #[test]
    fn the_disk_and_nemesis_streams_are_stable() {
        let observed = [
            first_words(7, Stream::Disk(NodeId::new(1))),
            first_words(7, Stream::Nemesis),
        ];
        assert_eq!(observed, GOLDEN_DISK_NEMESIS);
        assert_ne!(observed[0], first_words(7, Stream::Node(NodeId::new(1))));
    }

    const GOLDEN_DISK_NEMESIS: [[u64; 3]; 2] = [
        [
            0x0aa2_e707_234e_7421,
            0xba5e_7dc7_ed21_7fb4,
            0x345b_84d3_06e9_aa86,
        ],
        [
            0x45a8_e206_b9b8_62f5,
            0xfa28_2374_85cf_f6f3,
            0x8589_bd5f_95f2_e920,
        ],
    ];

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
