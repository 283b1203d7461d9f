//! [`Checker`]: how a model is checked, in the manner of a builder —
//! `model.checker().threads(2).max_states(n)` and then `.check()`, `.check_all()`,
//! `.explore()`, `.liveness(&property)`, `.open(&environments)` or `.liveness_open(..)`.

use std::fmt::Debug;
use std::hash::Hash;

use super::bfs;
use super::graph::{Graph, explore_with};
use super::liveness::{Liveness, LivenessReport, UnknownActions, check_liveness_with};
use super::model::Model;
use super::open::{EnvironmentSpec, OpenLivenessReport, OpenReport, compose, residual};
use super::options::CheckOptions;
use super::report::CheckReport;

/// A model with the options it is checked under. Made by [`Model::checker`].
///
/// ```
/// use musil_core::check::{Action, Liveness, Model};
///
/// let model = Model::new(0u8)
///     .action(Action::new("inc", |n| *n < 3, |n| n + 1).weak())
///     .terminal(|n| *n == 3);
/// let report = model.checker().threads(2).max_states(1_000).check();
/// report.assert_ok();
/// assert_eq!(report.states(), 4);
/// let three = Liveness::eventually("three", |n: &u8| *n == 3);
/// assert!(model.checker().liveness(&three).unwrap().ok());
/// ```
pub struct Checker<'m, S> {
    model: &'m Model<S>,
    options: CheckOptions,
}

impl<S> Debug for Checker<'_, S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Checker")
            .field("actions", &self.model.actions.len())
            .field("options", &self.options)
            .finish()
    }
}

impl<S> Model<S> {
    /// A checker of this model, with the default options (10 million states, one thread).
    pub fn checker(&self) -> Checker<'_, S> {
        Checker {
            model: self,
            options: CheckOptions::default(),
        }
    }
}

impl<S: Clone + Eq + Hash + Debug + 'static> Checker<'_, S> {
    /// Expands states on `threads` threads (the report does not depend on it, but for the
    /// memory figure [`CheckReport::visited_bytes`] of a search that stops early; only the
    /// breadth-first checks use them).
    pub fn threads(mut self, threads: usize) -> Self {
        self.options.threads = threads;
        self
    }

    /// Stops (with a truncated report) once this many distinct states are known.
    pub fn max_states(mut self, max_states: usize) -> Self {
        self.options.max_states = max_states;
        self
    }

    /// Uses `options` whole.
    pub fn options(mut self, options: CheckOptions) -> Self {
        self.options = options;
        self
    }

    /// Every reachable state (in breadth-first order) and every transition: the graph that
    /// [`Graph::reaches`], [`Graph::path_to`] and [`Graph::witness`] query.
    pub fn explore(&self) -> Graph<S> {
        explore_with(self.model, self.options)
    }

    /// Checks `property` on the whole reachable graph, under its fairness.
    pub fn liveness(&self, property: &Liveness<S>) -> Result<LivenessReport<S>, UnknownActions> {
        check_liveness_with(self.model, property, self.options)
    }

    /// Checks `property` of the model within `environments`. Unless the property names its
    /// fairness, the model's actions keep their tags and the environments are unfair (they may
    /// act or not, forever).
    pub fn liveness_open(
        &self,
        environments: &[EnvironmentSpec<S>],
        property: &Liveness<S>,
    ) -> Result<OpenLivenessReport<S>, UnknownActions> {
        let composed = compose(self.model, environments);
        Ok(OpenLivenessReport {
            report: check_liveness_with(&composed, property, self.options)?,
            residual: residual(environments),
        })
    }
}

impl<S: Clone + Eq + Hash + Debug + Send + Sync + 'static> Checker<'_, S> {
    /// Breadth-first search to the first violation: the shortest trace to an invariant
    /// violation, an edge-invariant violation or a deadlock.
    pub fn check(&self) -> CheckReport<S> {
        bfs::search(self.model, self.options, false)
    }

    /// Explores everything and reports the first (shortest) violation of each invariant and
    /// edge invariant, and the first deadlock.
    pub fn check_all(&self) -> CheckReport<S> {
        bfs::search(self.model, self.options, true)
    }

    /// Checks the model within `environments` (safety and deadlock): their behaviours join the
    /// model's actions, their guarantees its invariants; the report lists the assumptions the
    /// result rests on that nobody has verified.
    pub fn open(&self, environments: &[EnvironmentSpec<S>]) -> OpenReport<S> {
        OpenReport {
            report: bfs::search(&compose(self.model, environments), self.options, false),
            residual: residual(environments),
        }
    }
}
