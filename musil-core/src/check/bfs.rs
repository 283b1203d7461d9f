//! Breadth-first safety checking: the shortest trace to the first invariant violation,
//! edge-invariant violation or deadlock.
//!
//! The search is level-synchronous. A level is cut into chunks; workers expand chunks (guards,
//! transitions, fingerprints, invariant checks) in parallel, and one thread merges the chunks
//! strictly in breadth-first order (deduplication, parent links, violations, the stop). The merge
//! replays the serial search exactly, so the counterexample is the shortest and the report is
//! the same whatever the number of threads.

use std::collections::hash_map::Entry;
use std::fmt::Debug;
use std::hash::Hash;
use std::ops::ControlFlow;

use crate::pool::{self, Ahead};

use super::fingerprint::{Seen, fingerprint};
use super::model::Model;
use super::options::CheckOptions;
use super::report::{CheckReport, TraceStep, Violation, ViolationKind};

/// States per chunk of a level.
const CHUNK: usize = 1024;

/// How many chunks expanders may be ahead of the merge.
const AHEAD: usize = 8;

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
    Search::run(model, options, all)
}

/// A failed check: its position among the model's checks (state invariants, then edge
/// invariants) and its reason.
type Failure = (usize, Option<String>);

/// A successor found by a worker.
struct Successor<S> {
    action: u32,
    state: S,
    fingerprint: u128,
    /// The edge invariants this transition breaks.
    failures: Vec<Failure>,
}

/// What a worker found about one state.
struct Expanded<S> {
    failures: Vec<Failure>,
    successors: Vec<Successor<S>>,
    /// No action enabled and not terminal.
    deadlock: bool,
}

/// Expands one state: its invariants, its successors and their edge invariants.
/// With `stop_at_failure`, a state whose invariant fails is not expanded: its actions may only
/// make sense while the invariant holds, and the search stops there anyway.
fn expand<S: Clone + Eq + Hash + Debug + 'static>(
    model: &Model<S>,
    state: &S,
    stop_at_failure: bool,
) -> Expanded<S> {
    let failures: Vec<Failure> = model
        .invariants
        .iter()
        .enumerate()
        .filter_map(|(check, invariant)| {
            (invariant.check)(state).err().map(|reason| (check, reason))
        })
        .collect();
    if stop_at_failure && !failures.is_empty() {
        return Expanded {
            failures,
            successors: Vec::new(),
            deadlock: false,
        };
    }
    let mut successors = Vec::new();
    for (action_index, action) in model.actions.iter().enumerate() {
        if !action.enabled(state) {
            continue;
        }
        let next = action.apply(state);
        let failures = model
            .edge_invariants
            .iter()
            .enumerate()
            .filter_map(|(offset, invariant)| {
                let failed = (invariant.check)(state, action.name(), &next).err();
                failed.map(|reason| (model.invariants.len() + offset, reason))
            })
            .collect();
        let fingerprint = fingerprint(&next);
        successors.push(Successor {
            action: action_index as u32,
            state: next,
            fingerprint,
            failures,
        });
    }
    let deadlock = successors.is_empty() && !model.is_terminal(state);
    Expanded {
        failures,
        successors,
        deadlock,
    }
}

/// One breadth-first search.
struct Search<'m, S> {
    model: &'m Model<S>,
    all: bool,
    seen: Seen,
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

impl<'m, S: Clone + Eq + Hash + Debug + Send + Sync + 'static> Search<'m, S> {
    fn run(model: &'m Model<S>, options: CheckOptions, all: bool) -> CheckReport<S> {
        let checks = model.invariants.len() + model.edge_invariants.len() + 1;
        let mut search = Search {
            model,
            all,
            seen: Seen::default(),
            parents: Parents(Vec::new()),
            violations: Vec::new(),
            failed: vec![false; checks],
            transitions: 0,
            pending_edge: None,
        };
        let truncated = search.explore(options);
        let visited_bytes = search.seen.capacity() * (std::mem::size_of::<(u128, u32)>() + 1)
            + search.parents.0.capacity() * std::mem::size_of::<(u32, u32)>();
        CheckReport {
            states: search.seen.len(),
            transitions: search.transitions,
            truncated: truncated.then_some(options.max_states),
            violations: search.violations,
            visited_bytes,
        }
    }

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
    fn explore(&mut self, options: CheckOptions) -> bool {
        let mut level: Vec<(u32, S)> = Vec::new();
        for (index, init) in self.model.inits.iter().enumerate() {
            if self.seen.len() >= options.max_states {
                return true;
            }
            let next = self.seen.len() as u32;
            if self.seen.insert(fingerprint(init), next).is_none() {
                self.parents.0.push((ROOT, index as u32));
                level.push((next, init.clone()));
            }
        }
        while !level.is_empty() {
            let mut next_level = Vec::new();
            let merged = if options.threads > 1 && level.len() > CHUNK {
                self.level_in_parallel(&level, options, &mut next_level)
            } else {
                self.level_in_order(&level, options, &mut next_level)
            };
            if let (Merge::Continue, Some((check, kind, trace))) =
                (&merged, self.pending_edge.take())
            {
                self.record(check, kind, trace);
                return false;
            }
            match merged {
                Merge::Continue => level = next_level,
                Merge::Stop => return false,
                Merge::Truncated => return true,
            }
        }
        false
    }

    fn level_in_order(
        &mut self,
        level: &[(u32, S)],
        options: CheckOptions,
        next: &mut Vec<(u32, S)>,
    ) -> Merge {
        for (index, state) in level {
            let expanded = expand(self.model, state, !self.all);
            match self.merge(*index, expanded, options, next) {
                Merge::Continue => {}
                other => return other,
            }
        }
        Merge::Continue
    }

    fn level_in_parallel(
        &mut self,
        level: &[(u32, S)],
        options: CheckOptions,
        next: &mut Vec<(u32, S)>,
    ) -> Merge {
        let (model, stop_at_failure) = (self.model, !self.all);
        let chunks: Vec<&[(u32, S)]> = level.chunks(CHUNK).collect();
        // A panic in user code is raised when its chunk comes due (the pool does that): the
        // serial search would have raised it there, or stopped before.
        let expand_chunk = |at: usize| {
            let chunk = chunks[at].iter();
            chunk
                .map(|(_, state)| expand(model, state, stop_at_failure))
                .collect::<Vec<_>>()
        };
        let mut merged = Merge::Continue;
        // This thread merges; the others expand, at most `AHEAD` chunks ahead of the merge so
        // that expanded states do not pile up in memory.
        let workers = (options.threads - 1).max(1);
        pool::in_order(
            chunks.len(),
            workers,
            Ahead::AtMost(AHEAD),
            &expand_chunk,
            |at, expanded| {
                for ((index, _), expansion) in chunks[at].iter().zip(expanded) {
                    merged = self.merge(*index, expansion, options, next);
                    if !matches!(merged, Merge::Continue) {
                        return ControlFlow::Break(());
                    }
                }
                ControlFlow::Continue(())
            },
        );
        merged
    }

    /// Takes one expanded state into the search, in breadth-first order.
    fn merge(
        &mut self,
        index: u32,
        expanded: Expanded<S>,
        options: CheckOptions,
        next: &mut Vec<(u32, S)>,
    ) -> Merge {
        if !expanded.failures.is_empty()
            && let Merge::Stop = self.state_failures(index, expanded.failures)
        {
            return Merge::Stop;
        }
        for successor in expanded.successors {
            self.transitions += 1;
            if !successor.failures.is_empty() {
                let (action, to) = (successor.action, &successor.state);
                self.edge_failures(index, action, to, successor.failures);
            }
            let known = self.seen.len() as u32;
            if let Entry::Vacant(slot) = self.seen.entry(successor.fingerprint) {
                if known as usize >= options.max_states {
                    return Merge::Truncated;
                }
                slot.insert(known);
                self.parents.0.push((index, successor.action));
                next.push((known, successor.state));
            }
        }
        if expanded.deadlock {
            return self.deadlock(index);
        }
        Merge::Continue
    }

    /// Records the state invariants state `index` breaks.
    #[cold]
    fn state_failures(&mut self, index: u32, failures: Vec<Failure>) -> Merge {
        for (check, reason) in failures {
            if self.failed[check] {
                continue;
            }
            let kind = ViolationKind::Invariant {
                name: self.model.invariants[check].name.clone(),
                reason,
            };
            self.record(check, kind, self.parents.trace(self.model, index));
            if self.done() {
                return Merge::Stop;
            }
        }
        Merge::Continue
    }

    /// Records the edge invariants the step `action` from state `index` to `to` breaks: at once
    /// with `all`, else the first one as the level's pending edge violation.
    #[cold]
    fn edge_failures(&mut self, index: u32, action: u32, to: &S, failures: Vec<Failure>) {
        for (check, reason) in failures {
            if self.failed[check] {
                continue;
            }
            let trace = self.trace_through(index, action, to);
            let name = self.model.edge_invariants[check - self.model.invariants.len()]
                .name
                .clone();
            let kind = ViolationKind::EdgeInvariant { name, reason };
            if self.all {
                self.record(check, kind, trace);
            } else if self.pending_edge.is_none() {
                self.pending_edge = Some((check, kind, trace));
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
