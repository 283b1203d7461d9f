//! What a liveness check is asked: a [`Liveness`] property ("eventually P", "always eventually
//! P", "P leads to Q"), the [`Fairness`] it is checked under, and how it can fail
//! ([`LivenessKind`]).

use std::sync::Arc;

type Predicate<S> = Arc<dyn Fn(&S) -> bool + Send + Sync>;

/// Which actions are fair.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Fairness {
    /// As the actions are tagged (`Action::weak`, `Action::strong`).
    #[default]
    Tags,
    /// Exactly these actions (unknown names are an error).
    Names {
        /// Weakly fair actions.
        weak: Vec<String>,
        /// Strongly fair actions.
        strong: Vec<String>,
    },
    /// No action is fair.
    None,
}

/// What the goal must do: hold eventually, hold again and again, or follow a trigger.
#[derive(Clone)]
pub(super) enum Shape<S> {
    Eventually,
    AlwaysEventually,
    LeadsTo(Predicate<S>),
}

/// A liveness property and the fairness it is checked under.
#[derive(Clone)]
pub struct Liveness<S> {
    pub(super) name: String,
    pub(super) goal: Predicate<S>,
    pub(super) shape: Shape<S>,
    pub(super) fairness: Fairness,
}

impl<S> Liveness<S> {
    fn new(name: impl Into<String>, goal: Predicate<S>, shape: Shape<S>) -> Self {
        Liveness {
            name: name.into(),
            goal,
            shape,
            fairness: Fairness::Tags,
        }
    }

    /// `<>P`: every run from an initial state eventually reaches `goal`.
    pub fn eventually(
        name: impl Into<String>,
        goal: impl Fn(&S) -> bool + Send + Sync + 'static,
    ) -> Self {
        Self::new(name, Arc::new(goal), Shape::Eventually)
    }

    /// `[]<>P`: from every reachable state, every run reaches `goal` again.
    pub fn always_eventually(
        name: impl Into<String>,
        goal: impl Fn(&S) -> bool + Send + Sync + 'static,
    ) -> Self {
        Self::new(name, Arc::new(goal), Shape::AlwaysEventually)
    }

    /// `[](trigger -> <>goal)`: whenever `trigger` holds, `goal` eventually holds.
    pub fn leads_to(
        name: impl Into<String>,
        trigger: impl Fn(&S) -> bool + Send + Sync + 'static,
        goal: impl Fn(&S) -> bool + Send + Sync + 'static,
    ) -> Self {
        Self::new(name, Arc::new(goal), Shape::LeadsTo(Arc::new(trigger)))
    }

    /// Checks under `fairness` instead of the actions' tags.
    pub fn fairness(mut self, fairness: Fairness) -> Self {
        self.fairness = fairness;
        self
    }

    /// Makes exactly these actions weakly fair.
    pub fn weak_fair<N: Into<String>>(self, names: impl IntoIterator<Item = N>) -> Self {
        let weak = names.into_iter().map(Into::into).collect();
        self.fairness(Fairness::Names {
            weak,
            strong: Vec::new(),
        })
    }
}

/// How a liveness property fails.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LivenessKind {
    /// A reachable bad state from which the goal cannot be reached at all.
    GoalUnreachable,
    /// A fair cycle of bad states that never reaches the goal.
    FairCycle,
}
