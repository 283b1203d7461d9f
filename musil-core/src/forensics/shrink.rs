//! Shrinking a failing run: a search for smaller [`Choices`] that still fail the same way —
//! faults left out or shortened, decisions set to their quiet answer in chunks then one by one,
//! the remaining answers lowered — repeated to a fixed point or until the budget of attempts is
//! spent. A replayed run ends at its failure, so a smaller run is also a shorter one; the step
//! bound is never lowered (a goal missed at a lower bound would be another failure). The budget counts attempts, never time, so the result is the
//! same on every machine and thread count.

use crate::decision::Stream;

use super::choices::Choices;

/// The default number of attempts a failure's shrinking may make.
pub const DEFAULT_BUDGET: u32 = 1000;

/// Values at or above this are not lowered one bisection at a time (they are raw bits).
const LOWERED_BELOW: u64 = 1 << 20;

/// A run of some choices that failed the same way: its choices (as the run used them), and its
/// size.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attempt {
    /// The choices, with the answers the run actually gave.
    pub choices: Choices,
    /// Steps the run took.
    pub steps: u64,
    /// Faults it had: the schedule's left after the edits, and the nemesis's injected.
    pub faults: usize,
    /// The original length of every fault of the seed's schedule, in schedule order.
    pub schedule_lengths: Vec<u64>,
    /// The length of every fault the nemesis asked for, in order.
    pub nemesis_lengths: Vec<u64>,
}

impl Attempt {
    /// Smaller is better: fewer faults, then fewer steps, then fewer loud decisions.
    fn score(&self) -> (usize, u64, usize) {
        (self.faults, self.steps, self.choices.loud())
    }
}

/// The search's state: the best run so far, and the attempts made.
struct Search<F> {
    best: Attempt,
    attempts: u32,
    budget: u32,
    run: F,
}

impl<F: FnMut(&Choices) -> Option<Attempt>> Search<F> {
    /// Runs `candidate`; keeps it if it fails the same way and is smaller.
    fn try_choices(&mut self, candidate: Choices) -> bool {
        if self.attempts >= self.budget {
            return false;
        }
        self.attempts += 1;
        match (self.run)(&candidate) {
            Some(found) if found.score() < self.best.score() => {
                self.best = found;
                true
            }
            _ => false,
        }
    }

    fn spent(&self) -> bool {
        self.attempts >= self.budget
    }

    /// Leaves out each fault of the schedule and of the nemesis, one at a time.
    fn drop_faults(&mut self) {
        for index in 0..self.best.schedule_lengths.len() as u32 {
            if !self.best.choices.faults.drops(index) {
                let mut candidate = self.best.choices.clone();
                candidate.faults.dropped.insert(index);
                self.try_choices(candidate);
            }
        }
        for index in 0..self.best.nemesis_lengths.len() as u32 {
            if !self.best.choices.nemesis.drops(index) {
                let mut candidate = self.best.choices.clone();
                candidate.nemesis.dropped.insert(index);
                self.try_choices(candidate);
            }
        }
    }

    /// Halves each remaining fault's length while the failure holds.
    fn shorten_faults(&mut self) {
        for nemesis in [false, true] {
            let lengths = match nemesis {
                false => self.best.schedule_lengths.clone(),
                true => self.best.nemesis_lengths.clone(),
            };
            for (index, &original) in lengths.iter().enumerate() {
                while !self.spent() {
                    let edits = match nemesis {
                        false => &self.best.choices.faults,
                        true => &self.best.choices.nemesis,
                    };
                    let length = edits.length(index as u32, original);
                    if edits.drops(index as u32) || length <= 1 {
                        break;
                    }
                    let mut candidate = self.best.choices.clone();
                    let target = match nemesis {
                        false => &mut candidate.faults,
                        true => &mut candidate.nemesis,
                    };
                    target.lengths.insert(index as u32, length / 2);
                    if !self.try_choices(candidate) {
                        break;
                    }
                }
            }
        }
    }

    /// The positions of the loud answers on `stream`.
    fn loud(&self, stream: Stream) -> Vec<usize> {
        self.best
            .choices
            .streams
            .get(&stream)
            .map_or(Vec::new(), |list| {
                list.iter()
                    .enumerate()
                    .filter_map(|(i, a)| a.map(|_| i))
                    .collect()
            })
    }

    /// Sets loud answers to quiet, in chunks of halving size, stream by stream.
    fn quiet_decisions(&mut self) {
        let streams: Vec<Stream> = self.best.choices.streams.keys().copied().collect();
        for stream in streams {
            let mut size = self.loud(stream).len().div_ceil(2).max(1);
            loop {
                let mut at = 0;
                while !self.spent() {
                    let loud = self.loud(stream);
                    if at >= loud.len() {
                        break;
                    }
                    let chunk = &loud[at..(at + size).min(loud.len())];
                    let mut candidate = self.best.choices.clone();
                    if let Some(list) = candidate.streams.get_mut(&stream) {
                        for &position in chunk {
                            list[position] = None;
                        }
                    }
                    if !self.try_choices(candidate) {
                        at += size;
                    }
                }
                if size == 1 || self.spent() {
                    break;
                }
                size = size.div_ceil(2);
            }
        }
    }

    /// Lowers each remaining loud answer by bisection toward zero.
    fn lower_decisions(&mut self) {
        let streams: Vec<Stream> = self.best.choices.streams.keys().copied().collect();
        for stream in streams {
            for position in self.loud(stream) {
                self.lower_one(stream, position);
            }
        }
    }

    fn lower_one(&mut self, stream: Stream, position: usize) {
        let current = |best: &Attempt| {
            best.choices
                .streams
                .get(&stream)
                .and_then(|l| l.get(position).copied().flatten())
        };
        let Some(value) = current(&self.best) else {
            return;
        };
        if value >= LOWERED_BELOW {
            return;
        }
        let (mut low, mut high) = (0, value);
        while low < high && !self.spent() {
            let middle = low + (high - low) / 2;
            let mut candidate = self.best.choices.clone();
            if let Some(slot) = candidate
                .streams
                .get_mut(&stream)
                .and_then(|l| l.get_mut(position))
            {
                *slot = Some(middle);
            }
            if self.try_choices(candidate) {
                match current(&self.best) {
                    Some(now) => high = now.min(middle),
                    None => return,
                }
            } else {
                low = middle + 1;
            }
        }
    }
}

/// Shrinks `start` (the failing run as recorded) with `run`, which replays some choices and
/// returns the run if it fails the same way; at most `budget` attempts. Returns the smallest
/// run found and the attempts made.
pub fn shrink(
    start: Attempt,
    budget: u32,
    run: impl FnMut(&Choices) -> Option<Attempt>,
) -> (Attempt, u32) {
    let mut search = Search {
        best: start,
        attempts: 0,
        budget,
        run,
    };
    loop {
        let before = search.best.score();
        search.drop_faults();
        search.shorten_faults();
        search.quiet_decisions();
        search.lower_decisions();
        if search.best.score() >= before || search.spent() {
            break;
        }
    }
    (search.best, search.attempts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::id::NodeId;

    /// A toy "run": fails when fault 1 is kept and the node stream's third answer is at least
    /// 5; takes as many steps as the sum of the loud answers.
    fn toy(choices: &Choices) -> Option<Attempt> {
        let stream = Stream::Node(NodeId::new(0));
        let list = choices.streams.get(&stream).cloned().unwrap_or_default();
        let third = list.get(2).copied().flatten().unwrap_or(0);
        if choices.faults.drops(1) || third < 5 {
            return None;
        }
        let steps = list.iter().flatten().sum::<u64>();
        let faults = (0..3).filter(|&i| !choices.faults.drops(i)).count();
        Some(Attempt {
            choices: choices.clone(),
            steps,
            faults,
            schedule_lengths: vec![10, 10, 10],
            nemesis_lengths: Vec::new(),
        })
    }

    #[test]
    fn shrinking_keeps_what_the_failure_needs_and_drops_the_rest() {
        let mut choices = Choices::default();
        let answers = vec![Some(9), Some(3), Some(17), Some(4), Some(30)];
        choices
            .streams
            .insert(Stream::Node(NodeId::new(0)), answers);
        let start = toy(&choices).expect("the start fails");
        let (best, attempts) = shrink(start, 1000, toy);
        let list = &best.choices.streams[&Stream::Node(NodeId::new(0))];
        assert_eq!(list, &vec![None, None, Some(5), None, None]);
        assert_eq!(best.faults, 1, "only fault 1 is needed");
        assert!(best.choices.faults.drops(0) && best.choices.faults.drops(2));
        let (again, attempts_again) = shrink(toy(&choices).expect("fails"), 1000, toy);
        assert_eq!((again, attempts_again), (best, attempts), "deterministic");
    }

    #[test]
    fn the_budget_bounds_the_attempts() {
        let mut choices = Choices::default();
        choices
            .streams
            .insert(Stream::Node(NodeId::new(0)), vec![Some(9); 40]);
        let start = toy(&choices).expect("fails");
        let (_, attempts) = shrink(start, 7, toy);
        assert_eq!(attempts, 7);
    }
}
