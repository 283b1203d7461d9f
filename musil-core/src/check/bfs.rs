//! Breadth-first safety checking: the shortest trace to the first invariant violation,
//! edge-invariant violation or deadlock.

use std::collections::VecDeque;
use std::fmt::Debug;
use std::hash::Hash;

use super::fingerprint::{Seen, fingerprint};
use super::model::Model;
use super::report::{CheckReport, TraceStep, Violation, ViolationKind};

/// Limits of a search.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CheckOptions {
    /// Stop (with a `truncated` report) once this many distinct states are known.
    pub max_states: usize,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions {
            max_states: 10_000_000,
        }
    }
}

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

/// Checks `model` and stops at the first violation (with the default options).
pub fn check<S: Clone + Eq + Hash + Debug + 'static>(model: &Model<S>) -> CheckReport<S> {
    check_with(model, CheckOptions::default())
}

/// Checks `model` with `options`, stopping at the first violation.
pub fn check_with<S: Clone + Eq + Hash + Debug + 'static>(
    model: &Model<S>,
    options: CheckOptions,
) -> CheckReport<S> {
    Search::run(model, options, false)
}

/// Explores everything and reports the first (shortest) violation of each invariant and edge
/// invariant, and the first deadlock.
pub fn check_all<S: Clone + Eq + Hash + Debug + 'static>(model: &Model<S>) -> CheckReport<S> {
    Search::run(model, CheckOptions::default(), true)
}

/// One breadth-first search.
struct Search<'m, S> {
    model: &'m Model<S>,
    all: bool,
    seen: Seen,
    parents: Parents,
    violations: Vec<Violation<S>>,
    /// Which invariants (state ones first, then edge ones, then deadlock) already failed.
    failed: Vec<bool>,
    transitions: u64,
}

impl<'m, S: Clone + Eq + Hash + Debug + 'static> Search<'m, S> {
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
        };
        let truncated = search.explore(options.max_states);
        CheckReport {
            states: search.seen.len(),
            transitions: search.transitions,
            truncated: truncated.then_some(options.max_states),
            violations: search.violations,
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
    fn explore(&mut self, max_states: usize) -> bool {
        let mut frontier: VecDeque<(u32, S)> = VecDeque::new();
        for (index, init) in self.model.inits.iter().enumerate() {
            if self.seen.len() >= max_states {
                return true;
            }
            let next = self.seen.len() as u32;
            if self.seen.insert(fingerprint(init), next).is_none() {
                self.parents.0.push((ROOT, index as u32));
                frontier.push_back((next, init.clone()));
            }
        }
        while let Some((index, state)) = frontier.pop_front() {
            self.check_state(index, &state);
            if self.done() {
                return false;
            }
            let mut fired = false;
            for (action_index, action) in self.model.actions.iter().enumerate() {
                if !action.enabled(&state) {
                    continue;
                }
                fired = true;
                self.transitions += 1;
                let next = action.apply(&state);
                self.check_edge(index, action_index, &state, &next);
                if self.done() {
                    return false;
                }
                let known = self.seen.len() as u32;
                if let std::collections::hash_map::Entry::Vacant(slot) =
                    self.seen.entry(fingerprint(&next))
                {
                    if known as usize >= max_states {
                        return true;
                    }
                    slot.insert(known);
                    self.parents.0.push((index, action_index as u32));
                    frontier.push_back((known, next));
                }
            }
            if !fired && !self.model.is_terminal(&state) {
                let check = self.failed.len() - 1;
                self.record(
                    check,
                    ViolationKind::Deadlock,
                    self.parents.trace(self.model, index),
                );
                if self.done() {
                    return false;
                }
            }
        }
        false
    }

    fn check_state(&mut self, index: u32, state: &S) {
        for (check, invariant) in self.model.invariants.iter().enumerate() {
            if self.failed[check] {
                continue;
            }
            if let Err(reason) = (invariant.check)(state) {
                let kind = ViolationKind::Invariant {
                    name: invariant.name.clone(),
                    reason,
                };
                self.record(check, kind, self.parents.trace(self.model, index));
                if self.done() {
                    return;
                }
            }
        }
    }

    fn check_edge(&mut self, index: u32, action_index: usize, before: &S, after: &S) {
        let action = &self.model.actions[action_index];
        for (offset, invariant) in self.model.edge_invariants.iter().enumerate() {
            let check = self.model.invariants.len() + offset;
            if self.failed[check] {
                continue;
            }
            if let Err(reason) = (invariant.check)(before, action.name(), after) {
                let mut trace = self.parents.trace(self.model, index);
                trace.push(TraceStep {
                    action: Some(action.name().to_string()),
                    state: after.clone(),
                });
                let kind = ViolationKind::EdgeInvariant {
                    name: invariant.name.clone(),
                    reason,
                };
                self.record(check, kind, trace);
                if self.done() {
                    return;
                }
            }
        }
    }
}
