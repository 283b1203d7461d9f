//! Exploring a model whole: the reachable graph of a model, in breadth-first order, with every edge in action
//! order, and the queries over it: [`Graph::reaches`], [`Graph::path_to`], [`Graph::witness`].

use std::collections::VecDeque;
use std::fmt::Debug;
use std::hash::Hash;

use super::fingerprint::fingerprint;
use super::index::Index;
use super::model::{Action, Model, Parts};
use super::options::CheckOptions;
use super::report::TraceStep;

/// The reachable states of a model (in breadth-first order) and its transitions.
#[derive(Clone, Debug)]
pub struct Graph<S> {
    pub(crate) states: Vec<S>,
    pub(crate) initial: Vec<u32>,
    /// `edges[offsets[i]..offsets[i + 1]]` are state `i`'s `(target, action)` edges.
    pub(crate) offsets: Vec<u32>,
    pub(crate) edges: Vec<(u32, u32)>,
    /// Breadth-first parents: `(parent, action)`, `(u32::MAX, _)` for initial states.
    pub(crate) parents: Vec<(u32, u32)>,
    pub(crate) action_names: Vec<String>,
    pub(crate) truncated: Option<usize>,
}

/// Explores every state reachable in `model` with `options`: a graph cut at `max_states` is
/// marked truncated, and its unexplored states have no edges.
pub(crate) fn explore_with<S: Clone + Eq + Hash + Debug + 'static>(
    model: &Model<S>,
    options: CheckOptions,
) -> Graph<S> {
    let mut explorer = Explorer {
        index: Index::default(),
        graph: Graph::empty(model),
        max_states: options.max_states,
    };
    explorer.add_inits(model);
    let actions: Vec<Parts<'_, S>> = model.actions.iter().map(Action::parts).collect();
    let mut at = 0;
    while at < explorer.graph.states.len() {
        if explorer.graph.truncated.is_none() {
            explorer.expand(&actions, at);
        }
        explorer
            .graph
            .offsets
            .push(explorer.graph.edges.len() as u32);
        at += 1;
    }
    explorer.graph
}

/// A graph under construction, breadth-first.
struct Explorer<S> {
    index: Index,
    graph: Graph<S>,
    max_states: usize,
}

impl<S: Clone + Eq + Hash + Debug + 'static> Explorer<S> {
    /// Adds the initial states, each once.
    fn add_inits(&mut self, model: &Model<S>) {
        for (index, init) in model.inits.iter().enumerate() {
            match self.add(init.clone(), (u32::MAX, index as u32)) {
                Some(id) if !self.graph.initial.contains(&id) => self.graph.initial.push(id),
                Some(_) => {}
                None => self.truncate(),
            }
        }
    }

    /// Adds the edges of state `at`, in action order, and the new states they lead to.
    fn expand(&mut self, actions: &[Parts<'_, S>], at: usize) {
        let state = self.graph.states[at].clone();
        for (action_index, (enabled, apply)) in actions.iter().enumerate() {
            if !enabled(&state) {
                continue;
            }
            let parent = (at as u32, action_index as u32);
            match self.add(apply(&state), parent) {
                Some(target) => self.graph.edges.push((target, action_index as u32)),
                None => {
                    self.truncate();
                    break;
                }
            }
        }
    }

    /// The index of `state`, added with `parent` if it is new; `None` if it is new and the graph
    /// is full.
    fn add(&mut self, state: S, parent: (u32, u32)) -> Option<u32> {
        let next = self.graph.states.len() as u32;
        let room = (next as usize) < self.max_states;
        let index = self.index.number_of(fingerprint(&state), next, room)?;
        if index == next {
            self.graph.states.push(state);
            self.graph.parents.push(parent);
        }
        Some(index)
    }

    fn truncate(&mut self) {
        self.graph.truncated = Some(self.max_states);
    }
}

impl<S: Clone + Eq + Hash + Debug + 'static> Graph<S> {
    /// A graph of `model`'s actions with no states yet.
    fn empty(model: &Model<S>) -> Self {
        Graph {
            states: Vec::new(),
            initial: Vec::new(),
            offsets: vec![0],
            edges: Vec::new(),
            parents: Vec::new(),
            action_names: model.actions.iter().map(|a| a.name().to_string()).collect(),
            truncated: None,
        }
    }
}

impl<S> Graph<S> {
    /// Whether state `index` is an initial state.
    pub(crate) fn is_initial(&self, index: u32) -> bool {
        self.initial.contains(&index)
    }

    /// Whether some action leads from state `from` to state `to`.
    pub(crate) fn has_edge(&self, from: u32, to: u32) -> bool {
        self.edges_of(from).iter().any(|&(target, _)| target == to)
    }

    /// Whether action `action` is enabled in state `index` (it has an edge there).
    pub(crate) fn enables(&self, index: u32, action: u32) -> bool {
        self.edges_of(index).iter().any(|&(_, a)| a == action)
    }

    /// The `(target, action index)` edges of state `index`, in action order.
    #[inline]
    pub(crate) fn edges_of(&self, index: u32) -> &[(u32, u32)] {
        &self.edges
            [self.offsets[index as usize] as usize..self.offsets[index as usize + 1] as usize]
    }
}

impl<S: Clone + Debug> Graph<S> {
    /// The states, in breadth-first order.
    pub fn states(&self) -> &[S] {
        &self.states
    }

    /// How many states.
    pub fn len(&self) -> usize {
        self.states.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.states.is_empty()
    }

    /// How many transitions (edges, duplicates and self-loops included).
    pub fn transitions(&self) -> usize {
        self.edges.len()
    }

    /// Whether the exploration stopped at `max_states`.
    pub fn truncated(&self) -> bool {
        self.truncated.is_some()
    }

    /// The successors of state `index` with the actions that lead there, in action order.
    pub fn successors(&self, index: usize) -> impl Iterator<Item = (&str, &S)> + '_ {
        self.edges_of(index as u32).iter().map(|&(target, action)| {
            (
                self.action_names[action as usize].as_str(),
                &self.states[target as usize],
            )
        })
    }

    /// Whether some reachable state satisfies `predicate`.
    pub fn reaches(&self, predicate: impl Fn(&S) -> bool) -> bool {
        self.states.iter().any(predicate)
    }

    /// The first state (in breadth-first order) satisfying `predicate`.
    pub fn witness(&self, predicate: impl Fn(&S) -> bool) -> Option<&S> {
        self.states.iter().find(|s| predicate(s))
    }

    /// A shortest path from an initial state to a state satisfying `predicate`.
    pub fn path_to(&self, predicate: impl Fn(&S) -> bool) -> Option<Vec<TraceStep<S>>> {
        let index = self.states.iter().position(predicate)?;
        Some(self.tree_path(index as u32))
    }

    /// The breadth-first tree path to state `index`.
    pub(crate) fn tree_path(&self, index: u32) -> Vec<TraceStep<S>> {
        let mut path = Vec::new();
        let mut at = index;
        loop {
            let (parent, action) = self.parents[at as usize];
            let action = (parent != u32::MAX).then(|| self.action_names[action as usize].clone());
            path.push(TraceStep {
                action,
                state: self.states[at as usize].clone(),
            });
            if parent == u32::MAX {
                break;
            }
            at = parent;
        }
        path.reverse();
        path
    }

    /// A path following `(parent, action)` links of a search other than the tree's.
    pub(crate) fn path_by(&self, parents: &[(u32, u32)], index: u32) -> Vec<TraceStep<S>> {
        let mut path = Vec::new();
        let mut at = index;
        loop {
            let (parent, action) = parents[at as usize];
            let action = (parent != u32::MAX).then(|| self.action_names[action as usize].clone());
            path.push(TraceStep {
                action,
                state: self.states[at as usize].clone(),
            });
            if parent == u32::MAX {
                path.reverse();
                return path;
            }
            at = parent;
        }
    }
}

/// Breadth-first search from `seeds` over the edges `follow` accepts; returns the visit order
/// and `(parent, action)` links (`u32::MAX` parent for a seed, and for unvisited states).
pub(crate) fn search<S>(
    graph: &Graph<S>,
    seeds: impl IntoIterator<Item = u32>,
    follow: impl Fn(u32) -> bool,
) -> (Vec<u32>, Vec<(u32, u32)>, Vec<bool>) {
    let mut visited = vec![false; graph.states.len()];
    let mut parents = vec![(u32::MAX, 0); graph.states.len()];
    let mut order = Vec::new();
    let mut queue = VecDeque::new();
    for seed in seeds {
        if !visited[seed as usize] {
            visited[seed as usize] = true;
            order.push(seed);
            queue.push_back(seed);
        }
    }
    while let Some(at) = queue.pop_front() {
        for &(target, action) in graph.edges_of(at) {
            if !visited[target as usize] && follow(target) {
                visited[target as usize] = true;
                parents[target as usize] = (at, action);
                order.push(target);
                queue.push_back(target);
            }
        }
    }
    (order, parents, visited)
}
