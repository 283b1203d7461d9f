//! Tarjan's algorithm for the strongly connected components of a subgraph of an explored
//! [`Graph`], iterative (no recursion, so deep graphs cannot overflow the stack) and with its
//! per-state arrays kept between runs: a run resets only the states it touched, so the many
//! small runs of the strong-fairness refinement cost their own size, not the graph's.

use super::super::graph::Graph;

/// Marks a state no run has numbered yet.
const UNVISITED: u32 = u32::MAX;

/// The per-state arrays of Tarjan's algorithm, reusable from one run to the next.
#[derive(Clone, Debug)]
pub(super) struct TarjanScratch {
    index: Vec<u32>,
    low: Vec<u32>,
    on_stack: Vec<bool>,
    touched: Vec<u32>,
}

impl TarjanScratch {
    /// Scratch for a graph of `states` states.
    pub(super) fn new(states: usize) -> Self {
        TarjanScratch {
            index: vec![UNVISITED; states],
            low: vec![0; states],
            on_stack: vec![false; states],
            touched: Vec::new(),
        }
    }

    /// The components of the subgraph of the states `member` accepts, searched from `roots` in
    /// order with edges in action order: the components in completion order.
    pub(super) fn run<S>(
        &mut self,
        graph: &Graph<S>,
        member: impl Fn(u32) -> bool,
        roots: &[u32],
    ) -> Vec<Vec<u32>> {
        let mut run = TarjanRun {
            scratch: self,
            graph,
            member: &member,
            stack: Vec::new(),
            next: 0,
            out: Vec::new(),
        };
        for &root in roots {
            if run.scratch.index[root as usize] == UNVISITED {
                run.visit(root);
            }
        }
        let out = std::mem::take(&mut run.out);
        for state in self.touched.drain(..) {
            self.index[state as usize] = UNVISITED;
            self.on_stack[state as usize] = false;
        }
        out
    }
}

/// One run: the scratch arrays, Tarjan's stack, the next index, and the components so far.
struct TarjanRun<'t, 'g, S, F> {
    scratch: &'t mut TarjanScratch,
    graph: &'g Graph<S>,
    member: &'t F,
    stack: Vec<u32>,
    next: u32,
    out: Vec<Vec<u32>>,
}

impl<S, F: Fn(u32) -> bool> TarjanRun<'_, '_, S, F> {
    /// Numbers `v` and pushes it on Tarjan's stack.
    fn open(&mut self, v: u32) {
        let scratch = &mut *self.scratch;
        scratch.index[v as usize] = self.next;
        scratch.low[v as usize] = self.next;
        scratch.touched.push(v);
        self.next += 1;
        self.stack.push(v);
        scratch.on_stack[v as usize] = true;
    }

    /// The depth-first search from `root`, with an explicit stack of frames.
    fn visit(&mut self, root: u32) {
        // Frames: (state, position in its edge list).
        let mut frames: Vec<(u32, usize)> = vec![(root, 0)];
        self.open(root);
        while let Some(&mut (v, ref mut position)) = frames.last_mut() {
            let edges = self.graph.edges_of(v);
            if let Some(&(w, _)) = edges.get(*position) {
                *position += 1;
                if !(self.member)(w) {
                    continue;
                }
                if self.scratch.index[w as usize] == UNVISITED {
                    self.open(w);
                    frames.push((w, 0));
                } else if self.scratch.on_stack[w as usize] {
                    let low = self.scratch.low[v as usize].min(self.scratch.index[w as usize]);
                    self.scratch.low[v as usize] = low;
                }
                continue;
            }
            frames.pop();
            if let Some(&(parent, _)) = frames.last() {
                let low = self.scratch.low[parent as usize].min(self.scratch.low[v as usize]);
                self.scratch.low[parent as usize] = low;
            }
            self.close(v);
        }
    }

    /// After `v`'s edges: if `v` is a component's root, pops that component off the stack.
    fn close(&mut self, v: u32) {
        if self.scratch.low[v as usize] != self.scratch.index[v as usize] {
            return;
        }
        let mut component = Vec::new();
        while let Some(w) = self.stack.pop() {
            self.scratch.on_stack[w as usize] = false;
            component.push(w);
            if w == v {
                break;
            }
        }
        self.out.push(component);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{Action, Model};

    /// 0 → 1 → 2 → 0 (a ring), 2 → 3, and 3 ⇄ 4.
    fn ring_then_pair() -> Graph<u8> {
        let model = Model::new(0u8)
            .action(Action::new("next", |n| *n < 3, |n| (n + 1) % 3))
            .action(Action::new("leave", |n| *n == 2, |_| 3))
            .action(Action::new("swap", |n| *n >= 3, |n| 7 - n));
        model.checker().explore()
    }

    /// The components as sets of states (graph indices mapped back to the states).
    fn sets(graph: &Graph<u8>, components: Vec<Vec<u32>>) -> Vec<Vec<u8>> {
        components
            .into_iter()
            .map(|c| {
                let mut states: Vec<u8> = c.iter().map(|&i| graph.states[i as usize]).collect();
                states.sort();
                states
            })
            .collect()
    }

    #[test]
    fn components_come_in_completion_order() {
        let graph = ring_then_pair();
        let all: Vec<u32> = (0..graph.len() as u32).collect();
        let mut scratch = TarjanScratch::new(graph.len());
        let found = scratch.run(&graph, |_| true, &all);
        assert_eq!(sets(&graph, found), [vec![3, 4], vec![0, 1, 2]]);
        // The arrays were reset: a second run finds the same, and a filtered one sees only its
        // members.
        let again = scratch.run(&graph, |_| true, &all);
        assert_eq!(sets(&graph, again), [vec![3, 4], vec![0, 1, 2]]);
        let four = graph.states.iter().position(|&s| s == 4).unwrap() as u32;
        let without_four: Vec<u32> = all.iter().copied().filter(|&i| i != four).collect();
        let filtered = scratch.run(&graph, |i| i != four, &without_four);
        assert_eq!(sets(&graph, filtered), [vec![3], vec![0, 1, 2]]);
    }
}
