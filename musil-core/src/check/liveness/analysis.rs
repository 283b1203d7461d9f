//! The liveness analysis over an explored graph: which states are bad (the goal fails there) and
//! in what order the property's search meets them, whether each can still reach the goal, the
//! first strongly connected component of bad states that hosts a fair run, and the stem that
//! leads to it (the cycle inside it is built in `lasso`).

use std::fmt::Debug;

use super::super::graph::{Graph, search};
use super::super::report::TraceStep;
use super::bits::enabled_sets;
use super::bits::{Bits, Marks};
use super::lasso::FairCycle;
use super::property::{Liveness, LivenessKind, Shape};
use super::tarjan::TarjanScratch;

/// A counterexample: its kind, stem and cycle.
pub(super) type Lasso<S> = (LivenessKind, Vec<TraceStep<S>>, Vec<TraceStep<S>>);

/// The bad states in the order the property's search visits them, that search's
/// `(parent, action)` links, and whether stems start with a tree path to the search's seed.
type BadSearch = (Vec<u32>, Vec<(u32, u32)>, bool);

/// The liveness analysis over an explored graph, with the scratch its searches reuse.
pub(super) struct Analysis<'g, S> {
    graph: &'g Graph<S>,
    goal: Vec<bool>,
    /// Bad states in search order, and the search's parent links (for stems).
    order: Vec<u32>,
    parents: Vec<(u32, u32)>,
    /// Stems of `LeadsTo` start with a path through the whole graph to the seed.
    through_tree: bool,
    weak: Bits,
    strong: Bits,
    /// Each state's position in `order` (`u32::MAX` if not in it).
    rank: Vec<u32>,
    /// The set of states the current step works in (members, a component).
    marks: Marks,
    tarjan: TarjanScratch,
}

/// Searches the bad states the property is about, in the order its components are rooted.
fn bad_search<S>(graph: &Graph<S>, property: &Liveness<S>, goal: &[bool]) -> BadSearch {
    let bad = |i: u32| !goal[i as usize];
    match &property.shape {
        Shape::AlwaysEventually => {
            let (order, parents, _) = search(graph, graph.initial.iter().copied(), |_| true);
            (
                order.into_iter().filter(|&i| bad(i)).collect(),
                parents,
                false,
            )
        }
        Shape::Eventually => {
            let seeds = graph.initial.iter().copied().filter(|&i| bad(i));
            let (order, parents, _) = search(graph, seeds, bad);
            (order, parents, false)
        }
        Shape::LeadsTo(trigger) => {
            let seeds = (0..graph.states.len() as u32)
                .filter(|&i| bad(i) && trigger(&graph.states[i as usize]));
            let (order, parents, _) = search(graph, seeds, bad);
            (order, parents, true)
        }
    }
}

impl<'g, S: Clone + Debug> Analysis<'g, S> {
    /// Prepares the analysis of `property` on `graph` with these fair actions.
    pub(super) fn new(
        graph: &'g Graph<S>,
        property: &Liveness<S>,
        weak: Bits,
        strong: Bits,
    ) -> Self {
        let goal: Vec<bool> = graph.states.iter().map(|s| (property.goal)(s)).collect();
        let (order, parents, through_tree) = bad_search(graph, property, &goal);
        let n = graph.len();
        let mut rank = vec![u32::MAX; n];
        order
            .iter()
            .enumerate()
            .for_each(|(position, &state)| rank[state as usize] = position as u32);
        Analysis {
            graph,
            goal,
            order,
            parents,
            through_tree,
            weak,
            strong,
            rank,
            marks: Marks::new(n),
            tarjan: TarjanScratch::new(n),
        }
    }

    /// The path from an initial state to `index` along the search's links (for `leads_to`,
    /// through the breadth-first tree to the seed first).
    fn stem(&self, index: u32) -> Vec<TraceStep<S>> {
        let path = self.graph.path_by(&self.parents, index);
        if !self.through_tree {
            return path;
        }
        let mut seed = index;
        while self.parents[seed as usize].0 != u32::MAX {
            seed = self.parents[seed as usize].0;
        }
        let mut to_seed = self.graph.tree_path(seed);
        to_seed.extend(path.into_iter().skip(1));
        to_seed
    }

    /// The counterexample, if the property fails: a bad state that cannot reach the goal, else
    /// a lasso into the first fair component.
    pub(super) fn counterexample(&mut self) -> Option<Lasso<S>> {
        let can_reach_goal = self.backward_from_goal();
        if let Some(&stuck) = self.order.iter().find(|&&i| !can_reach_goal[i as usize]) {
            return Some((LivenessKind::GoalUnreachable, self.stem(stuck), Vec::new()));
        }
        let order = std::mem::take(&mut self.order);
        let scc = self.fair_component(&order);
        self.order = order;
        let scc = scc?;
        let entry = *scc.iter().min_by_key(|&&state| self.rank[state as usize])?;
        self.marks.mark(&scc);
        let cycle = FairCycle {
            graph: self.graph,
            component: &self.marks,
            entry,
            weak: &self.weak,
            strong: &self.strong,
        };
        Some((LivenessKind::FairCycle, self.stem(entry), cycle.steps()))
    }

    /// Which states can reach a goal state (backward search over reversed edges).
    fn backward_from_goal(&self) -> Vec<bool> {
        let (starts, sources) = self.reversed_edges();
        let mut reached: Vec<bool> = self.goal.clone();
        let n = self.graph.len();
        let mut stack: Vec<u32> = (0..n as u32).filter(|&i| self.goal[i as usize]).collect();
        while let Some(at) = stack.pop() {
            let incoming = &sources[starts[at as usize] as usize..starts[at as usize + 1] as usize];
            for &source in incoming {
                if !reached[source as usize] {
                    reached[source as usize] = true;
                    stack.push(source);
                }
            }
        }
        reached
    }

    /// The edges reversed, in two flat arrays: the sources of the edges into state `t` are
    /// `sources[starts[t]..starts[t + 1]]` (in increasing source order).
    fn reversed_edges(&self) -> (Vec<u32>, Vec<u32>) {
        let n = self.graph.len();
        let mut starts = vec![0u32; n + 1];
        for &(target, _) in &self.graph.edges {
            starts[target as usize + 1] += 1;
        }
        for at in 0..n {
            starts[at + 1] += starts[at];
        }
        let mut next = starts.clone();
        let mut sources = vec![0u32; self.graph.edges.len()];
        for source in 0..n as u32 {
            for &(target, _) in self.graph.edges_of(source) {
                sources[next[target as usize] as usize] = source;
                next[target as usize] += 1;
            }
        }
        (starts, sources)
    }

    /// The first strongly connected component (completion order) of the states in `members`
    /// that hosts a fair cycle, refining for strong fairness.
    fn fair_component(&mut self, members: &[u32]) -> Option<Vec<u32>> {
        for scc in self.components(members) {
            if !self.nontrivial(&scc) {
                continue;
            }
            let (enabled_everywhere, enabled_somewhere, taken) = self.action_sets(&scc);
            if enabled_everywhere.first_in(&self.weak, &taken).is_some() {
                continue; // a weakly fair action is always enabled here but never taken
            }
            if let Some(action) = enabled_somewhere.first_in(&self.strong, &taken) {
                // Strong fairness: the cycle must avoid the states that enable `action`.
                let mut rest: Vec<u32> = scc
                    .iter()
                    .copied()
                    .filter(|&state| !self.graph.enables(state, action as u32))
                    .collect();
                rest.sort_by_key(|&state| self.rank[state as usize]);
                if let Some(inner) = self.fair_component(&rest) {
                    return Some(inner);
                }
                continue;
            }
            return Some(scc);
        }
        None
    }

    /// More than one state, or one state with an edge to itself.
    fn nontrivial(&self, scc: &[u32]) -> bool {
        scc.len() > 1 || self.graph.has_edge(scc[0], scc[0])
    }

    /// Actions enabled in every state of `scc`, in some state, and taken inside it.
    fn action_sets(&mut self, scc: &[u32]) -> (Bits, Bits, Bits) {
        self.marks.mark(scc);
        let mut taken = Bits::new(self.graph.action_names.len());
        for &state in scc {
            for &(target, action) in self.graph.edges_of(state) {
                if self.marks.contains(target) {
                    taken.set(action as usize);
                }
            }
        }
        let (everywhere, somewhere) = enabled_sets(self.graph, scc.iter().copied());
        (everywhere, somewhere, taken)
    }

    /// Tarjan's algorithm over the states in `members` (also the roots, in this order): the
    /// components in completion order.
    fn components(&mut self, members: &[u32]) -> Vec<Vec<u32>> {
        self.marks.mark(members);
        let marks = &self.marks;
        self.tarjan
            .run(self.graph, |state| marks.contains(state), members)
    }
}
