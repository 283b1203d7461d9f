//! Refinement in simulation: after every step, the abstracted world must be a state of the
//! model reachable by one model step from the previous abstract state, or that same state (a
//! stutter). The model is explored once, when the scenario is built, and shared by every seed.

use std::fmt::Debug;
use std::hash::Hash;
use std::sync::Arc;

use crate::check::fingerprint::{Seen, fingerprint};
use crate::check::graph::{Graph, explore_with};
use crate::check::model::Model;
use crate::check::options::CheckOptions;

/// What a scenario checks its worlds against, whatever the model's state type.
pub(crate) trait Refines<S>: Send + Sync {
    /// Checks the world after `step`, given the previous abstract state; returns the new one,
    /// or why the step is not a model step.
    fn observe(&self, world: &S, previous: Option<u32>, step: u64) -> Result<u32, String>;
}

/// A model explored once, and the abstraction from worlds to its states.
pub(crate) struct Refinement<S, A> {
    graph: Graph<A>,
    index: Seen,
    abstraction: Arc<dyn Fn(&S) -> A + Send + Sync>,
}

impl<S, A: Clone + Eq + Hash + Debug + 'static> Refinement<S, A> {
    pub(crate) fn new(model: &Model<A>, abstraction: Arc<dyn Fn(&S) -> A + Send + Sync>) -> Self {
        let graph = explore_with(model, CheckOptions::default());
        let index = graph
            .states()
            .iter()
            .enumerate()
            .map(|(i, a)| (fingerprint(a), i as u32))
            .collect();
        Refinement {
            graph,
            index,
            abstraction,
        }
    }

    fn describe(&self, index: u32) -> String {
        format!("{:?}", self.graph.states()[index as usize])
    }

    fn cut(&self) -> &'static str {
        if self.graph.truncated() {
            " (the model was explored only up to max_states)"
        } else {
            ""
        }
    }
}

impl<S, A> Refines<S> for Refinement<S, A>
where
    A: Clone + Eq + Hash + Debug + Send + Sync + 'static,
{
    fn observe(&self, world: &S, previous: Option<u32>, step: u64) -> Result<u32, String> {
        let state = (self.abstraction)(world);
        let Some(&index) = self.index.get(&fingerprint(&state)) else {
            return Err(format!(
                "step {step} maps to {state:?}, a state the model never reaches{}",
                self.cut()
            ));
        };
        match previous {
            None if !self.graph.is_initial(index) => Err(format!(
                "the start maps to {state:?}, which is not an initial state of the model"
            )),
            Some(previous) if previous != index && !self.graph.has_edge(previous, index) => {
                Err(format!(
                    "step {step} goes from {} to {state:?}, which no model action allows{}",
                    self.describe(previous),
                    self.cut()
                ))
            }
            _ => Ok(index),
        }
    }
}
