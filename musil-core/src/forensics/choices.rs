//! [`Choices`]: what decides a run besides its seed — the answers of the decision source on the
//! streams that shape a run (network, nodes, disks, nemesis), edits of the fault plan, and a step
//! bound — and [`Choosing`], the decision source that records them from a live run or replays
//! them (falling back to each choice's quiet answer past the end or on a shape mismatch).
//!
//! The setup and environment streams are never edited: they build the system and its
//! environment, so a replay draws them from the seed as the original run did.

use std::collections::{BTreeMap, BTreeSet};

use crate::decision::seeded::Seeded;
use crate::decision::{Choice, Decision, DecisionSource, Stream};

/// Edits of a list of faults, by index: faults left out, and faults made shorter.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FaultEdits {
    /// Indices of the faults left out.
    pub(crate) dropped: BTreeSet<u32>,
    /// New lengths of faults, by index.
    pub(crate) lengths: BTreeMap<u32, u64>,
}

impl FaultEdits {
    /// Whether fault `index` is left out.
    pub fn drops(&self, index: u32) -> bool {
        self.dropped.contains(&index)
    }

    /// The length fault `index` keeps: its new one, or `length`.
    pub fn length(&self, index: u32, length: u64) -> u64 {
        self.lengths.get(&index).copied().unwrap_or(length)
    }

    /// Whether nothing is edited.
    pub fn is_empty(&self) -> bool {
        self.dropped.is_empty() && self.lengths.is_empty()
    }
}

/// What decides a run besides its seed, as recorded from a failing run or as the shrinker
/// changed it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Choices {
    /// Per stream, the answers in order: `None` is the quiet answer.
    pub(crate) streams: BTreeMap<Stream, Vec<Option<u64>>>,
    /// Edits of the seed's fault schedule (partitions first, then crashes, in schedule order).
    pub(crate) faults: FaultEdits,
    /// Edits of the nemesis's injections, by the order it made them.
    pub(crate) nemesis: FaultEdits,
    /// A step bound below the scenario's.
    pub(crate) max_steps: Option<u64>,
}

impl Choices {
    /// How many answers are not quiet.
    pub fn loud(&self) -> usize {
        self.streams
            .values()
            .flatten()
            .filter(|a| a.is_some())
            .count()
    }

    /// The step bound these choices set, if any.
    pub fn max_steps(&self) -> Option<u64> {
        self.max_steps
    }

    /// The edits of the fault schedule.
    pub fn fault_edits(&self) -> &FaultEdits {
        &self.faults
    }

    /// The edits of the nemesis's injections.
    pub fn nemesis_edits(&self) -> &FaultEdits {
        &self.nemesis
    }
}

/// Whether a stream's answers are part of [`Choices`] (setup and environment are not).
pub(crate) fn is_chosen(stream: Stream) -> bool {
    !matches!(stream, Stream::Setup | Stream::Environment)
}

/// The answer that injects nothing: no loss, no duplicate, the lowest latency or value, no error.
pub(crate) fn quiet(choice: Choice) -> u64 {
    match choice {
        Choice::Chance(_) | Choice::Bits => 0,
        Choice::Uniform { lo, .. } => lo,
    }
}

/// Whether `answer` is one `choice` may get.
fn fits(answer: u64, choice: Choice) -> bool {
    match choice {
        Choice::Chance(_) => answer <= 1,
        Choice::Uniform { lo, hi } => (lo..=hi).contains(&answer),
        Choice::Bits => true,
    }
}

/// A decision source that draws from the seed and records the answers (live), or answers from
/// [`Choices`] (replay); either way it keeps the answers it actually gave, per stream.
#[derive(Clone, Debug)]
pub struct Choosing {
    seeded: Seeded,
    plan: Option<BTreeMap<Stream, Vec<Option<u64>>>>,
    positions: BTreeMap<Stream, usize>,
    given: BTreeMap<Stream, Vec<Option<u64>>>,
}

impl Choosing {
    /// Draws from `seed` as [`Seeded`] does, recording the answers.
    pub fn live(seed: u64) -> Self {
        Choosing {
            seeded: Seeded::new(seed),
            plan: None,
            positions: BTreeMap::new(),
            given: BTreeMap::new(),
        }
    }

    /// Answers from `choices` (the setup and environment streams from `seed`).
    pub fn replay(seed: u64, choices: &Choices) -> Self {
        Choosing {
            plan: Some(choices.streams.clone()),
            ..Self::live(seed)
        }
    }

    /// The answers given, per stream (quiet ones as `None`).
    pub fn into_given(self) -> BTreeMap<Stream, Vec<Option<u64>>> {
        self.given
    }

    /// The answers given so far, per stream (quiet ones as `None`).
    pub fn given_answers(&self) -> &BTreeMap<Stream, Vec<Option<u64>>> {
        &self.given
    }

    /// The next planned answer on `stream`, if it fits `choice`.
    fn planned(&mut self, stream: Stream, choice: Choice) -> Option<u64> {
        let plan = self.plan.as_ref()?;
        let position = self.positions.entry(stream).or_insert(0);
        let answer = plan
            .get(&stream)
            .and_then(|list| list.get(*position))
            .copied();
        *position += 1;
        answer.flatten().filter(|&a| fits(a, choice))
    }
}

impl DecisionSource for Choosing {
    fn decide(&mut self, decision: &Decision) -> u64 {
        let stream = decision.stream;
        if !is_chosen(stream) {
            return self.seeded.decide(decision);
        }
        let answer = match self.plan {
            Some(_) => self
                .planned(stream, decision.choice)
                .unwrap_or_else(|| quiet(decision.choice)),
            None => self.seeded.decide(decision),
        };
        let recorded = (answer != quiet(decision.choice)).then_some(answer);
        self.given.entry(stream).or_default().push(recorded);
        answer
    }

    fn rewind(&mut self, stream: Stream) {
        self.seeded.rewind(stream);
        self.positions.remove(&stream);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decision::Cause;
    use crate::id::NodeId;

    fn draw(source: &mut Choosing, stream: Stream, choice: Choice) -> u64 {
        source.decide(&Decision {
            stream,
            cause: Cause::User,
            choice,
        })
    }

    #[test]
    fn a_replay_gives_the_recorded_answers_then_quiet_ones() {
        let latency = Choice::Uniform { lo: 1, hi: 9 };
        let mut live = Choosing::live(5);
        let drawn: Vec<u64> = (0..4)
            .map(|_| draw(&mut live, Stream::Network, latency))
            .collect();
        let choices = Choices {
            streams: live.into_given(),
            ..Choices::default()
        };
        let mut replay = Choosing::replay(5, &choices);
        let again: Vec<u64> = (0..6)
            .map(|_| draw(&mut replay, Stream::Network, latency))
            .collect();
        assert_eq!(&again[..4], &drawn[..]);
        assert_eq!(&again[4..], [1, 1], "past the end: the quiet answer");
        let node = Stream::Node(NodeId::new(0));
        assert_eq!(
            draw(&mut replay, node, Choice::Chance(0.5)),
            0,
            "nothing planned: quiet"
        );
    }

    #[test]
    fn an_answer_that_does_not_fit_the_choice_is_replaced_by_the_quiet_one() {
        let mut choices = Choices::default();
        choices
            .streams
            .insert(Stream::Network, vec![Some(7), Some(1)]);
        let mut replay = Choosing::replay(0, &choices);
        assert_eq!(draw(&mut replay, Stream::Network, Choice::Chance(0.3)), 0);
        assert_eq!(draw(&mut replay, Stream::Network, Choice::Chance(0.3)), 1);
    }
}
