//! Breadth-first safety checking: the shortest trace to the first invariant violation,
//! edge-invariant violation or deadlock.
//!
//! The search is level-synchronous: each level is expanded and deduplicated by [`Levels`] (in
//! parallel with several threads) and merged here, chunk by chunk, strictly in breadth-first
//! order: numbering of the new states, parent links, violations, the stop and the truncation at
//! `max_states`. The merge replays the serial search exactly, so the counterexample is the
//! shortest and the report is the same whatever the number of threads.

use std::fmt::Debug;
use std::hash::Hash;
use std::ops::ControlFlow;

use super::expand::{Batch, Failure};
use super::fingerprint::fingerprint;
use super::level::{Levels, with_levels};
use super::model::Model;
use super::options::CheckOptions;
use super::report::{CheckReport, TraceStep, Violation, ViolationKind};
use super::visited::Visited;

/// No parent: an initial state.
const ROOT: u32 = u32::MAX;

/// Where each known state came from: `(parent index, action index)`, or `(ROOT, init index)`.
pub(crate) struct Parents(pub(crate) Vec<(u32, u32)>);

impl Parents {
    /// The trace to state `index`, rebuilt by replaying actions from its initial state.
    pub(crate) fn trace<S: Clone + Debug>(
        &self,
        model: &Model<S>,
        index: u32,
    ) -> Vec<TraceStep<S>> {
        let mut path = Vec::new();
        let mut at = index;
        while self.0[at as usize].0 != ROOT {
            let (parent, action) = self.0[at as usize];
            path.push(action as usize);
            at = parent;
        }
        let mut state = model.inits[self.0[at as usize].1 as usize].clone();
        let mut trace = vec![TraceStep {
            action: None,
            state: state.clone(),
        }];
        for &action in path.iter().rev() {
            let action = &model.actions[action];
            state = action.apply(&state);
            trace.push(TraceStep {
                action: Some(action.name().to_string()),
                state: state.clone(),
            });
        }
        trace
    }
}

/// Checks `model` with `options`: stops at the first violation, or with `all`, explores
/// everything and reports the first (shortest) violation of each invariant and edge invariant,
/// and the first deadlock.
pub(crate) fn search<S: Clone + Eq + Hash + Debug + Send + Sync + 'static>(
    model: &Model<S>,
    options: CheckOptions,
    all: bool,
) -> CheckReport<S> {
    let checks = model.invariants.len() + model.edge_invariants.len() + 1;
    let mut search = Search {
        model,
        options,
        all,
        parents: Parents(Vec::new()),
        violations: Vec::new(),
        failed: vec![false; checks],
        transitions: 0,
        pending_edge: None,
    };
    let mut visited = Visited::default();
    let truncated = search.explore(&mut visited);
    let visited_bytes =
        visited.bytes() + search.parents.0.capacity() * std::mem::size_of::<(u32, u32)>();
    CheckReport {
        states: search.parents.0.len(),
        transitions: search.transitions,
        truncated: truncated.then_some(options.max_states),
        violations: search.violations,
        visited_bytes,
    }
}

/// One breadth-first search: what the merge knows.
struct Search<'m, S> {
    model: &'m Model<S>,
    options: CheckOptions,
    all: bool,
    /// One entry per state numbered, in breadth-first order.
    parents: Parents,
    violations: Vec<Violation<S>>,
    /// Which checks (state invariants, edge invariants, then deadlock) already failed.
    failed: Vec<bool>,
    transitions: u64,
    /// An edge violation found in the current level: its trace is one step longer than a state
    /// violation found later in the same level, so it waits for the level's end.
    pending_edge: Option<(usize, ViolationKind, Vec<TraceStep<S>>)>,
}

/// How a merge ended.
enum Merge {
    Continue,
    Stop,
    Truncated,
}

/// A level: its states and the index of the first.
struct Level<S> {
    first: u32,
    states: Vec<S>,
}

impl<'m, S: Clone + Eq + Hash + Debug + Send + Sync + 'static> Search<'m, S> {
    /// Whether to stop: `check` stops at the first violation.
    fn done(&self) -> bool {
        !self.all && !self.violations.is_empty()
    }

    fn record(&mut self, check: usize, kind: ViolationKind, trace: Vec<TraceStep<S>>) {
        if !self.failed[check] {
            self.failed[check] = true;
            self.violations.push(Violation { kind, trace });
        }
    }

    /// The search proper; returns whether it was truncated.
    fn explore(&mut self, visited: &mut Visited) -> bool {
        let Some(level) = self.initial_level(visited) else {
            return true;
        };
        let (model, threads, stop_at_failure) = (self.model, self.options.threads, !self.all);
        with_levels(model, threads, stop_at_failure, visited, |mut levels| {
            self.explore_levels(&mut levels, level)
        })
    }

    /// The levels from the first, `level`, on; returns whether the search was truncated.
    fn explore_levels(&mut self, levels: &mut Levels<'_, S>, mut level: Level<S>) -> bool {
        while !level.states.is_empty() {
            let mut next = Level {
                first: level.first + level.states.len() as u32,
                states: Vec::new(),
            };
            let merged = self.level(levels, &mut level, &mut next.states);
            if let (Merge::Continue, Some((check, kind, trace))) =
                (&merged, self.pending_edge.take())
            {
                self.record(check, kind, trace);
                return false;
            }
            match merged {
                Merge::Continue => level = next,
                Merge::Stop => return false,
                Merge::Truncated => return true,
            }
        }
        false
    }

    /// The initial states, each once; `None` if `max_states` cuts them.
    fn initial_level(&mut self, visited: &mut Visited) -> Option<Level<S>> {
        let mut states = Vec::new();
        for (index, init) in self.model.inits.iter().enumerate() {
            if self.parents.0.len() >= self.options.max_states {
                return None;
            }
            if visited.insert(fingerprint(init)) {
                self.parents.0.push((ROOT, index as u32));
                states.push(init.clone());
            }
        }
        Some(Level { first: 0, states })
    }

    /// Expands and merges one level, collecting the next one's states in `next`.
    fn level(
        &mut self,
        levels: &mut Levels<'_, S>,
        level: &mut Level<S>,
        next: &mut Vec<S>,
    ) -> Merge {
        let (mut merged, first) = (Merge::Continue, level.first);
        levels.run(&mut level.states, &mut |offset, batch| {
            merged = self.merge(first + offset as u32, batch, next);
            match merged {
                Merge::Continue => ControlFlow::Continue(()),
                _ => ControlFlow::Break(()),
            }
        });
        merged
    }

    /// Takes one settled chunk (its first state is state `first`) into the search, in
    /// breadth-first order.
    fn merge(&mut self, first: u32, batch: &mut Batch<S>, next: &mut Vec<S>) -> Merge {
        if batch.is_clean() {
            self.merge_fresh(first, batch, next)
        } else {
            self.merge_events(first, batch, next)
        }
    }

    /// A chunk without events: only its new successors count, and its transitions.
    fn merge_fresh(&mut self, first: u32, batch: &mut Batch<S>, next: &mut Vec<S>) -> Merge {
        for fresh in batch.fresh.drain(..) {
            if self.parents.0.len() >= self.options.max_states {
                // The serial search counts every transition up to the one that found no room.
                self.transitions += u64::from(fresh.position) + 1;
                return Merge::Truncated;
            }
            self.parents.0.push((first + fresh.parent, fresh.action));
            next.push(fresh.state);
        }
        self.transitions += batch.count as u64;
        Merge::Continue
    }

    /// A chunk with events (failures, deadlocks, a panic), state by state and successor by
    /// successor, as the serial search met them.
    fn merge_events(&mut self, first: u32, batch: &mut Batch<S>, next: &mut Vec<S>) -> Merge {
        let Batch {
            successors,
            ends,
            state_failures,
            edge_failures,
            deadlocks,
            panic,
            new,
            ..
        } = batch;
        let mut failures = Cursor::default();
        let mut edges = Cursor::default();
        let mut deadlocked = deadlocks.iter().copied().peekable();
        let mut successors = successors.drain(..).enumerate();
        let mut end = 0;
        for (at, &until) in ends.iter().enumerate() {
            let (index, at) = (first + at as u32, at as u32);
            if let Some(failed) = failures.take(state_failures, at)
                && let Merge::Stop = self.state_failures(index, failed)
            {
                return Merge::Stop;
            }
            for (j, successor) in successors.by_ref().take((until - end) as usize) {
                self.transitions += 1;
                if let Some(failed) = edges.take(edge_failures, j as u32) {
                    self.edge_failures(index, successor.action, &successor.state, failed);
                }
                if new[j] {
                    if self.parents.0.len() >= self.options.max_states {
                        return Merge::Truncated;
                    }
                    self.parents.0.push((index, successor.action));
                    next.push(successor.state);
                }
            }
            end = until;
            if deadlocked.next_if_eq(&at).is_some()
                && let Merge::Stop = self.deadlock(index)
            {
                return Merge::Stop;
            }
        }
        if let Some(panic) = panic.take() {
            panic.raise();
        }
        Merge::Continue
    }

    /// Records the state invariants state `index` breaks.
    #[cold]
    fn state_failures(&mut self, index: u32, failures: &mut [(u32, Failure)]) -> Merge {
        for (_, (check, reason)) in failures {
            if self.failed[*check] {
                continue;
            }
            let kind = ViolationKind::Invariant {
                name: self.model.invariants[*check].name.clone(),
                reason: reason.take(),
            };
            self.record(*check, kind, self.parents.trace(self.model, index));
            if self.done() {
                return Merge::Stop;
            }
        }
        Merge::Continue
    }

    /// Records the edge invariants the step `action` from state `index` to `to` breaks: at once
    /// with `all`, else the first one as the level's pending edge violation.
    #[cold]
    fn edge_failures(&mut self, index: u32, action: u32, to: &S, failures: &mut [(u32, Failure)]) {
        for (_, (check, reason)) in failures {
            if self.failed[*check] {
                continue;
            }
            let trace = self.trace_through(index, action, to);
            let name = self.model.edge_invariants[*check - self.model.invariants.len()]
                .name
                .clone();
            let kind = ViolationKind::EdgeInvariant {
                name,
                reason: reason.take(),
            };
            if self.all {
                self.record(*check, kind, trace);
            } else if self.pending_edge.is_none() {
                self.pending_edge = Some((*check, kind, trace));
            }
        }
    }

    /// The trace to state `index`, then the step `action` to `to`.
    fn trace_through(&self, index: u32, action: u32, to: &S) -> Vec<TraceStep<S>> {
        let action = self.model.actions[action as usize].name().to_string();
        let mut trace = self.parents.trace(self.model, index);
        trace.push(TraceStep {
            action: Some(action),
            state: to.clone(),
        });
        trace
    }

    /// Records a deadlock at state `index`.
    #[cold]
    fn deadlock(&mut self, index: u32) -> Merge {
        let check = self.failed.len() - 1;
        self.record(
            check,
            ViolationKind::Deadlock,
            self.parents.trace(self.model, index),
        );
        if self.done() {
            Merge::Stop
        } else {
            Merge::Continue
        }
    }
}

/// A position in a list of failures sorted by owner (a state or a successor of the batch).
#[derive(Default)]
struct Cursor(usize);

impl Cursor {
    /// The failures of `owner`, which comes after every owner taken before.
    #[inline]
    fn take<'f>(
        &mut self,
        failures: &'f mut [(u32, Failure)],
        owner: u32,
    ) -> Option<&'f mut [(u32, Failure)]> {
        let start = self.0;
        let count = failures[start..]
            .iter()
            .take_while(|(of, _)| *of == owner)
            .count();
        self.0 += count;
        (count > 0).then(|| &mut failures[start..start + count])
    }
}
