//! The cycle of a liveness counterexample: a closed walk inside a fair component, from the
//! component's entry state back to it, that is itself a fair run — repeated forever, it takes
//! every weakly fair action that stays enabled along it and every strongly fair action that it
//! enables at all.
//!
//! The walk starts as the shortest loop through the entry. While it is unfair, the lowest-indexed
//! action it treats unfairly gets a detour, appended at the entry: the nearest place in the
//! component (breadth-first from the entry) where the action is taken on an edge that stays in
//! the component — or, for a weakly fair action, where it is disabled — and then the shortest way
//! back to the entry. Searches follow edges in action order, so the same model always shows the
//! same cycle.
//!
//! Why this is right, and ends:
//!
//! - *Fair means fair.* Repeating the cycle forever visits exactly its states infinitely often
//!   and takes exactly its actions infinitely often. So a weakly fair action is continuously
//!   enabled from some point on iff it is enabled in every state of the cycle, and a strongly
//!   fair action is enabled infinitely often iff it is enabled in some state of the cycle: the
//!   loop stops exactly when the run is fair. Every state is in the component, where the goal
//!   fails, so the run never reaches the goal.
//! - *A detour always exists.* The analysis accepts a component only if every weakly fair action
//!   enabled in all its states is taken on an edge inside it, and every strongly fair action
//!   enabled in one of its states is too (strong fairness refines the component until this
//!   holds). A weakly fair action the cycle violates is therefore disabled somewhere in the
//!   component or taken inside it; a strongly fair one is enabled on the cycle, so in the
//!   component, so taken inside it. The component is strongly connected: the search from the
//!   entry reaches that place, and the way back exists.
//! - *It ends.* The cycle only grows. An action taken on it stays taken; a weakly (and not
//!   strongly) fair action disabled in one of its states can never again be enabled in all of
//!   them. Each detour fixes its action for good, so there are at most as many detours as fair
//!   actions.

use std::collections::hash_map::Entry;
use std::collections::{HashMap, VecDeque};

use super::super::graph::Graph;
use super::super::report::TraceStep;
use super::bits::{Bits, Marks, enabled_sets};

/// One step of a walk: the action taken and the state it leads to.
type Hop = (u32, u32);

/// A fair component, its entry, and the fairness its cycle must respect.
pub(super) struct FairCycle<'a, S> {
    /// The explored graph.
    pub(super) graph: &'a Graph<S>,
    /// The component: the states marked.
    pub(super) component: &'a Marks,
    /// The state the cycle starts and ends at.
    pub(super) entry: u32,
    /// Weakly fair actions.
    pub(super) weak: &'a Bits,
    /// Strongly fair actions.
    pub(super) strong: &'a Bits,
}

impl<S: Clone> FairCycle<'_, S> {
    /// The cycle as trace steps: the entry, each step, and the entry again (empty if the
    /// component has no loop through the entry, which a component the analysis accepts always
    /// has).
    pub(super) fn steps(&self) -> Vec<TraceStep<S>> {
        let Some(hops) = self.hops() else {
            return Vec::new();
        };
        let step = |action: Option<u32>, state: u32| TraceStep {
            action: action.map(|a| self.graph.action_names[a as usize].clone()),
            state: self.graph.states[state as usize].clone(),
        };
        let mut steps = vec![step(None, self.entry)];
        steps.extend(
            hops.iter()
                .map(|&(action, state)| step(Some(action), state)),
        );
        steps
    }

    /// The fair cycle: the shortest loop through the entry, with a detour for each unfairness.
    fn hops(&self) -> Option<Vec<Hop>> {
        let mut cycle = self.walk(self.entry, |state| state == self.entry)?;
        while let Some(action) = self.first_unfair(&cycle) {
            cycle.extend(self.detour(action));
        }
        Some(cycle)
    }

    /// The lowest-indexed action `cycle` treats unfairly: weakly fair, enabled in every state of
    /// the cycle and never taken on it, or strongly fair, enabled in one of its states and never
    /// taken on it.
    fn first_unfair(&self, cycle: &[Hop]) -> Option<u32> {
        let actions = self.graph.action_names.len();
        let (mut due, mut strongly_due) = enabled_sets(self.graph, cycle.iter().map(|hop| hop.1));
        due.and(self.weak);
        strongly_due.and(self.strong);
        due.or(&strongly_due);
        let mut taken = Bits::new(actions);
        cycle
            .iter()
            .for_each(|&(action, _)| taken.set(action as usize));
        let unfair = due.first_in(&Bits::full(actions), &taken)?;
        Some(unfair as u32)
    }

    /// A walk from the entry back to it that takes `action` inside the component or, if it is
    /// only weakly fair, passes a state where it is disabled — whichever comes first.
    fn detour(&self, action: u32) -> Vec<Hop> {
        let may_disable = !self.strong.contains(action as usize);
        let fixes = |state: u32| {
            self.taken_inside(state, action).is_some()
                || (may_disable && !self.graph.enables(state, action))
        };
        let mut detour = self.path(self.entry, fixes);
        let at = detour.last().map_or(self.entry, |hop| hop.1);
        if let Some(target) = self.taken_inside(at, action) {
            detour.push((action, target));
        }
        let at = detour.last().map_or(self.entry, |hop| hop.1);
        detour.extend(self.path(at, |state| state == self.entry));
        detour
    }

    /// Where `action` leads from `state`, if it is enabled there and stays in the component.
    fn taken_inside(&self, state: u32, action: u32) -> Option<u32> {
        self.graph
            .edges_of(state)
            .iter()
            .find(|&&(target, a)| a == action && self.component.contains(target))
            .map(|&(target, _)| target)
    }

    /// The walk of [`Self::walk`], or no step at all if `goal` holds at `from` already.
    fn path(&self, from: u32, goal: impl Fn(u32) -> bool) -> Vec<Hop> {
        if goal(from) {
            return Vec::new();
        }
        self.walk(from, goal)
            .expect("the component is strongly connected and holds what the detour seeks")
    }

    /// The first walk, in breadth-first order with edges in action order, of at least one step
    /// from `from` through the component to a state where `goal` holds.
    fn walk(&self, from: u32, goal: impl Fn(u32) -> bool) -> Option<Vec<Hop>> {
        // `(parent, action)` links, looked up only, never iterated: the order of the search is
        // the queue's.
        let mut parents: HashMap<u32, (u32, u32)> = HashMap::from([(from, (u32::MAX, u32::MAX))]);
        let mut queue = VecDeque::from([from]);
        while let Some(at) = queue.pop_front() {
            for &(target, action) in self.graph.edges_of(at) {
                if !self.component.contains(target) {
                    continue;
                }
                if goal(target) {
                    return Some(unwind(&parents, from, at, (action, target)));
                }
                if let Entry::Vacant(slot) = parents.entry(target) {
                    slot.insert((at, action));
                    queue.push_back(target);
                }
            }
        }
        None
    }
}

/// The hops from `from` to `at` along the search's `(parent, action)` links, then `last`.
fn unwind(parents: &HashMap<u32, (u32, u32)>, from: u32, mut at: u32, last: Hop) -> Vec<Hop> {
    let mut hops = vec![last];
    while at != from {
        let (parent, action) = parents[&at];
        hops.push((action, at));
        at = parent;
    }
    hops.reverse();
    hops
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{Action, Model};

    /// `spin` idles at 0, `p` goes to 1 and `q` to 2, `back` returns to 0 from either, and
    /// `finish` leaves for 3; the component is {0, 1, 2}.
    fn fork(q: Action<u8>) -> Model<u8> {
        Model::new(0u8)
            .action(Action::new("spin", |n| *n == 0, |_| 0))
            .action(Action::new("p", |n| *n == 0, |_| 1))
            .action(q)
            .action(Action::new("back", |n| *n == 1 || *n == 2, |_| 0))
            .action(Action::new("finish", |n| *n == 0, |_| 3))
    }

    /// The cycle through 0 inside {0, 1, 2} with these weakly and strongly fair actions, as
    /// action names.
    fn cycle(model: &Model<u8>, weak: &[usize], strong: &[usize]) -> Vec<String> {
        let graph = model.checker().explore();
        let index = |state: u8| graph.states.iter().position(|&s| s == state).unwrap() as u32;
        let mut component = Marks::new(graph.len());
        component.mark(&[index(0), index(1), index(2)]);
        let bits = |actions: &[usize]| {
            let mut bits = Bits::new(graph.action_names.len());
            actions.iter().for_each(|&a| bits.set(a));
            bits
        };
        let (weak, strong) = (bits(weak), bits(strong));
        let fair = FairCycle {
            graph: &graph,
            component: &component,
            entry: index(0),
            weak: &weak,
            strong: &strong,
        };
        let steps = fair.steps();
        assert_eq!(steps.first().map(|s| s.state), Some(0));
        assert_eq!(steps.last().map(|s| s.state), Some(0));
        steps.into_iter().filter_map(|s| s.action).collect()
    }

    #[test]
    fn a_fair_shortest_loop_is_the_cycle() {
        let model = fork(Action::new("q", |n| *n == 0, |_| 2));
        assert_eq!(cycle(&model, &[], &[]), ["spin"]);
        // `finish` leaves the component, but 1 and 2 disable it: weak fairness asks nothing
        // of a loop through them. The spin loop alone is unfair to it, though.
        assert_eq!(cycle(&model, &[4], &[]), ["spin", "p", "back"]);
    }

    #[test]
    fn the_lowest_unfairly_treated_action_gets_the_first_detour() {
        let model = fork(Action::new("q", |n| *n == 0, |_| 2));
        // Spinning starves `p` and `q`; the detour for `p` passes 1, where `q` is disabled.
        assert_eq!(cycle(&model, &[1, 2], &[]), ["spin", "p", "back"]);
        // Strongly fair, `q` is still enabled at 0, so it needs its own detour.
        assert_eq!(
            cycle(&model, &[1], &[2]),
            ["spin", "p", "back", "q", "back"]
        );
    }

    #[test]
    fn a_detour_goes_to_the_nearest_place_that_fixes_the_action() {
        // `q` is enabled at 0 and 1 but stays in the component only from 1: spinning at 0
        // starves it, and the nearest fix is 1, where it is taken — not 2, where it is disabled
        // but one step further.
        let model = fork(Action::new(
            "q",
            |n| *n < 2,
            |n| if *n == 0 { 3 } else { 2 },
        ));
        assert_eq!(cycle(&model, &[2], &[]), ["spin", "p", "q", "back"]);
    }
}
