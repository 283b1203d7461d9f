//! Expanding states: a [`Batch`] holds what a run of consecutive states of a level gives — each
//! state's invariant failures, successors (action, state, fingerprint) with their edge-invariant
//! failures, deadlocks — in flat buffers that are reused from one batch to the next, so that
//! expanding a state allocates nothing once the buffers have grown.
//!
//! A panic in user code stops the batch: the states expanded before it are kept, and the panic
//! waits in the batch to be raised when its state comes due (a serial search would have raised it
//! there, or stopped before).

use std::any::Any;
use std::fmt::Debug;
use std::hash::Hash;
use std::ops::ControlFlow;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};

use super::fingerprint::fingerprint;
use super::model::{Action, Model, Parts};

/// States per chunk: the states of a level are expanded a chunk to a [`Batch`].
pub(crate) const CHUNK: usize = 128;

/// The merge: given the level offset of a chunk's first state and its settled batch, it says
/// whether to go on.
pub(crate) type Take<'t, S> = dyn FnMut(usize, &mut Batch<S>) -> ControlFlow<()> + 't;

/// A failed check: its position among the model's checks (state invariants, then edge
/// invariants) and its reason.
pub(crate) type Failure = (usize, Option<String>);

/// A successor: its fingerprint, the action that leads there, and the state.
pub(crate) struct Successor<S> {
    pub(crate) fingerprint: u128,
    pub(crate) action: u32,
    pub(crate) state: S,
}

/// What the states of a batch gave, in order.
pub(crate) struct Batch<S> {
    /// The successors of every state, in order.
    pub(crate) successors: Vec<Successor<S>>,
    /// For each state expanded, the end of its successors (they start where the previous state's
    /// end).
    pub(crate) ends: Vec<u32>,
    /// State invariant failures, by state (its position in the batch), in order.
    pub(crate) state_failures: Vec<(u32, Failure)>,
    /// Edge invariant failures, by successor, in order.
    pub(crate) edge_failures: Vec<(u32, Failure)>,
    /// The states that are deadlocks (no action enabled, not terminal), in order.
    pub(crate) deadlocks: Vec<u32>,
    /// A panic raised expanding the state after the last one in `ends`.
    pub(crate) panic: Option<Panic>,
    /// How many successors the batch had (once [`Batch::settle`]d, `successors` may be empty).
    pub(crate) count: usize,
    /// A settled batch with an event (a failure, a deadlock, a panic): whether each successor is
    /// new.
    pub(crate) new: Vec<bool>,
    /// A settled batch without events: its new successors, moved out of `successors`.
    pub(crate) fresh: Vec<Fresh<S>>,
}

/// A new successor of a batch without events: all the merge needs of it.
pub(crate) struct Fresh<S> {
    /// Its position among the batch's successors.
    pub(crate) position: u32,
    /// The position of its parent among the batch's states.
    pub(crate) parent: u32,
    pub(crate) action: u32,
    pub(crate) state: S,
}

/// A panic caught in user code, to be raised again when its state comes due.
pub(crate) struct Panic(Box<dyn Any + Send>);

impl Panic {
    /// Raises the panic again.
    pub(crate) fn raise(self) -> ! {
        resume_unwind(self.0)
    }
}

impl<S> Default for Batch<S> {
    fn default() -> Self {
        Batch {
            successors: Vec::new(),
            ends: Vec::new(),
            state_failures: Vec::new(),
            edge_failures: Vec::new(),
            deadlocks: Vec::new(),
            panic: None,
            count: 0,
            new: Vec::new(),
            fresh: Vec::new(),
        }
    }
}

impl<S: Clone + Eq + Hash + Debug + 'static> Batch<S> {
    /// Expands `states` in order into this batch (emptied first). With `stop_at_failure`, a
    /// state whose invariant fails is not expanded: its actions may only make sense while the
    /// invariant holds, and the search stops there anyway.
    pub(crate) fn expand(&mut self, model: &Model<S>, states: &[S], stop_at_failure: bool) {
        self.clear();
        let actions: Vec<Parts<'_, S>> = model.actions.iter().map(Action::parts).collect();
        let expanded = catch_unwind(AssertUnwindSafe(|| {
            for state in states {
                self.expand_one(model, &actions, state, stop_at_failure);
            }
        }));
        if let Err(panic) = expanded {
            self.cut_after_last_state();
            self.panic = Some(Panic(panic));
        }
    }

    /// Whether no state of the batch fails an invariant or deadlocks, no step fails an edge
    /// invariant, and no user code panicked: then only its new successors matter to the merge.
    pub(crate) fn is_clean(&self) -> bool {
        self.state_failures.is_empty()
            && self.edge_failures.is_empty()
            && self.deadlocks.is_empty()
            && self.panic.is_none()
    }

    /// Settles which successors are new, asking `is_new(position, fingerprint)` once for each, in
    /// order: a clean batch moves its new successors into `fresh` (and drops the others), another
    /// keeps its successors and marks the new ones in `new`.
    pub(crate) fn settle(&mut self, mut is_new: impl FnMut(usize, u128) -> bool) {
        self.count = self.successors.len();
        self.new.clear();
        self.fresh.clear();
        if !self.is_clean() {
            let successors = self.successors.iter().enumerate();
            let new = successors.map(|(at, successor)| is_new(at, successor.fingerprint));
            self.new.extend(new);
            return;
        }
        let mut successors = self.successors.drain(..).enumerate();
        let mut start = 0;
        for (parent, &end) in self.ends.iter().enumerate() {
            for (at, successor) in successors.by_ref().take((end - start) as usize) {
                if is_new(at, successor.fingerprint) {
                    self.fresh.push(Fresh {
                        position: at as u32,
                        parent: parent as u32,
                        action: successor.action,
                        state: successor.state,
                    });
                }
            }
            start = end;
        }
    }

    /// Empties the batch, keeping its buffers.
    fn clear(&mut self) {
        self.successors.clear();
        self.ends.clear();
        self.state_failures.clear();
        self.edge_failures.clear();
        self.deadlocks.clear();
        self.panic = None;
        self.count = 0;
        self.new.clear();
        self.fresh.clear();
    }

    /// Drops what a state whose expansion panicked left behind.
    fn cut_after_last_state(&mut self) {
        let (states, successors) = (self.ends.len() as u32, self.successors_expanded());
        self.successors.truncate(successors);
        self.state_failures.retain(|&(state, _)| state < states);
        self.edge_failures
            .retain(|&(successor, _)| (successor as usize) < successors);
        self.deadlocks.retain(|&state| state < states);
    }

    /// Successors of the states fully expanded.
    fn successors_expanded(&self) -> usize {
        self.ends.last().map_or(0, |&end| end as usize)
    }

    /// Expands one state: its invariants, then its successors in action order (`actions` are the
    /// model's), each with its edge invariants and fingerprint.
    fn expand_one(
        &mut self,
        model: &Model<S>,
        actions: &[Parts<'_, S>],
        state: &S,
        stop_at_failure: bool,
    ) {
        let at = self.ends.len() as u32;
        let failed_before = self.state_failures.len();
        for (check, invariant) in model.invariants.iter().enumerate() {
            if let Err(reason) = (invariant.check)(state) {
                self.state_failures.push((at, (check, reason)));
            }
        }
        let first = self.successors.len();
        if !(stop_at_failure && self.state_failures.len() > failed_before) {
            self.successors.reserve(actions.len());
            for (index, (enabled, apply)) in actions.iter().enumerate() {
                if enabled(state) {
                    let next = apply(state);
                    if !model.edge_invariants.is_empty() {
                        self.check_edge(model, state, index, &next);
                    }
                    self.successors.push(Successor {
                        fingerprint: fingerprint(&next),
                        action: index as u32,
                        state: next,
                    });
                }
            }
            if self.successors.len() == first && !model.is_terminal(state) {
                self.deadlocks.push(at);
            }
        }
        self.ends.push(self.successors.len() as u32);
    }

    /// Checks the edge invariants on the step by action `action` from `from` to `to` (the next
    /// successor).
    fn check_edge(&mut self, model: &Model<S>, from: &S, action: usize, to: &S) {
        let (successor, action) = (self.successors.len() as u32, model.actions[action].name());
        for (offset, invariant) in model.edge_invariants.iter().enumerate() {
            if let Err(reason) = (invariant.check)(from, action, to) {
                let check = model.invariants.len() + offset;
                self.edge_failures.push((successor, (check, reason)));
            }
        }
    }
}
