//! [`Model`] and [`Action`]: what a user describes to the checker.

use std::fmt::{self, Debug};
use std::hash::Hash;
use std::sync::Arc;

use crate::property::{Invariant, InvariantOutcome, sort_by_name};

type Guard<S> = Arc<dyn Fn(&S) -> bool + Send + Sync>;
type Apply<S> = Arc<dyn Fn(&S) -> S + Send + Sync>;
/// An action's guard and effect, borrowed: see [`Action::parts`].
pub(crate) type Parts<'a, S> = (
    &'a (dyn Fn(&S) -> bool + Send + Sync),
    &'a (dyn Fn(&S) -> S + Send + Sync),
);
type EdgeCheck<S> = Arc<dyn Fn(&S, &str, &S) -> Result<(), Option<String>> + Send + Sync>;

/// How an action is treated by liveness checking.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Fair {
    /// No fairness: the action may be ignored forever while other actions are taken (the
    /// convention for faults). A run never stops in a state where some action is enabled, so an
    /// unfair action that is the only one enabled is still taken; model "nothing happens" with an
    /// explicit action (a loss, an idle step) where it matters.
    #[default]
    Unfair,
    /// Weak fairness: if the action is enabled continuously, it is eventually taken.
    Weak,
    /// Strong fairness: if the action is enabled infinitely often, it is eventually taken.
    Strong,
}

/// A named, guarded transition of a model.
///
/// ```
/// use musil_core::check::Action;
///
/// let inc: Action<u32> = Action::new("inc", |n| *n < 3, |n| n + 1).weak();
/// assert_eq!(inc.name(), "inc");
/// ```
pub struct Action<S> {
    name: String,
    guard: Guard<S>,
    apply: Apply<S>,
    fair: Fair,
}

impl<S> Action<S> {
    /// An action `name`, enabled where `guard` holds, leading to `apply(state)`.
    pub fn new(
        name: impl Into<String>,
        guard: impl Fn(&S) -> bool + Send + Sync + 'static,
        apply: impl Fn(&S) -> S + Send + Sync + 'static,
    ) -> Self {
        Action {
            name: name.into(),
            guard: Arc::new(guard),
            apply: Arc::new(apply),
            fair: Fair::Unfair,
        }
    }

    /// One action per parameter: `Action::family(0..n, |i| Action::new(format!("P{i}_take_left"),
    /// ..))`. For several actions per parameter, chain families or use
    /// `(0..n).flat_map(|i| [take_left(i), take_right(i), eat(i)])`.
    pub fn family<P>(
        params: impl IntoIterator<Item = P>,
        make: impl FnMut(P) -> Action<S>,
    ) -> Vec<Action<S>> {
        params.into_iter().map(make).collect()
    }

    /// Marks the action weakly fair.
    pub fn weak(mut self) -> Self {
        self.fair = Fair::Weak;
        self
    }

    /// Marks the action strongly fair.
    pub fn strong(mut self) -> Self {
        self.fair = Fair::Strong;
        self
    }

    /// Its name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its fairness.
    pub fn fairness(&self) -> Fair {
        self.fair
    }

    /// Whether it is enabled in `state`.
    #[inline]
    pub fn enabled(&self, state: &S) -> bool {
        (self.guard)(state)
    }

    /// The state it leads to from `state` (call only where enabled).
    #[inline]
    pub fn apply(&self, state: &S) -> S {
        (self.apply)(state)
    }

    /// Its guard and effect as plain references, for loops that call them many times (no `Arc`
    /// to go through on each call).
    pub(crate) fn parts(&self) -> Parts<'_, S> {
        (&*self.guard, &*self.apply)
    }
}

impl<S> Clone for Action<S> {
    fn clone(&self) -> Self {
        Action {
            name: self.name.clone(),
            guard: Arc::clone(&self.guard),
            apply: Arc::clone(&self.apply),
            fair: self.fair,
        }
    }
}

impl<S> Debug for Action<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Action")
            .field("name", &self.name)
            .field("fair", &self.fair)
            .finish_non_exhaustive()
    }
}

/// An invariant over transitions `(before, action, after)`.
pub(crate) struct EdgeInvariant<S> {
    pub(crate) name: String,
    pub(crate) check: EdgeCheck<S>,
}

impl<S> Clone for EdgeInvariant<S> {
    fn clone(&self) -> Self {
        EdgeInvariant {
            name: self.name.clone(),
            check: Arc::clone(&self.check),
        }
    }
}

/// A model: initial states, named guarded actions, a terminal predicate, invariants over states
/// (the `#[invariant]`s registered for `S` plus the model's own) and over transitions.
///
/// ```
/// use musil_core::check::{Action, Model};
///
/// let model = Model::new(0u8)
///     .action(Action::new("inc", |n| *n < 3, |n| n + 1))
///     .terminal(|n| *n == 3)
///     .invariant("small", |n| *n <= 3);
/// let report = model.checker().check();
/// assert!(report.ok());
/// assert_eq!(report.states(), 4);
/// ```
pub struct Model<S> {
    pub(crate) inits: Vec<S>,
    pub(crate) actions: Vec<Action<S>>,
    pub(crate) terminal: Option<Guard<S>>,
    pub(crate) invariants: Vec<Invariant<S>>,
    pub(crate) edge_invariants: Vec<EdgeInvariant<S>>,
}

impl<S: Clone + Eq + Hash + Debug + 'static> Model<S> {
    /// A model with one initial state and no actions yet. The `#[invariant]`s registered for
    /// `S` are checked too.
    pub fn new(init: S) -> Self {
        Model {
            inits: vec![init],
            actions: Vec::new(),
            terminal: None,
            invariants: Invariant::registered(),
            edge_invariants: Vec::new(),
        }
    }

    /// Adds another initial state.
    pub fn init(mut self, state: S) -> Self {
        self.inits.push(state);
        self
    }

    /// Adds an action (actions are tried in the order added).
    pub fn action(mut self, action: Action<S>) -> Self {
        self.actions.push(action);
        self
    }

    /// Adds several actions, in order.
    pub fn actions(mut self, actions: impl IntoIterator<Item = Action<S>>) -> Self {
        self.actions.extend(actions);
        self
    }

    /// States where the system may stop: a state with no enabled action is a deadlock unless
    /// it is terminal.
    pub fn terminal(mut self, terminal: impl Fn(&S) -> bool + Send + Sync + 'static) -> Self {
        self.terminal = Some(Arc::new(terminal));
        self
    }

    /// Adds an invariant over states: `bool`, or `Result<(), impl Display>` with a reason.
    pub fn invariant<R: InvariantOutcome>(
        mut self,
        name: impl Into<String>,
        check: impl Fn(&S) -> R + Send + Sync + 'static,
    ) -> Self {
        self.invariants.push(Invariant::new(name, check));
        sort_by_name(&mut self.invariants);
        self
    }

    /// Adds an invariant over transitions `(before, action name, after)`.
    pub fn edge_invariant<R: InvariantOutcome>(
        mut self,
        name: impl Into<String>,
        check: impl Fn(&S, &str, &S) -> R + Send + Sync + 'static,
    ) -> Self {
        let check = Arc::new(move |a: &S, action: &str, b: &S| check(a, action, b).into_verdict());
        self.edge_invariants.push(EdgeInvariant {
            name: name.into(),
            check,
        });
        self
    }

    /// The actions, in order.
    pub fn action_list(&self) -> &[Action<S>] {
        &self.actions
    }

    /// The initial states.
    pub fn initial_states(&self) -> &[S] {
        &self.inits
    }

    /// Whether `state` is terminal.
    pub(crate) fn is_terminal(&self, state: &S) -> bool {
        self.terminal
            .as_ref()
            .is_some_and(|terminal| terminal(state))
    }
}

impl<S> Clone for Model<S>
where
    S: Clone,
{
    fn clone(&self) -> Self {
        Model {
            inits: self.inits.clone(),
            actions: self.actions.clone(),
            terminal: self.terminal.clone(),
            invariants: self.invariants.clone(),
            edge_invariants: self.edge_invariants.clone(),
        }
    }
}
