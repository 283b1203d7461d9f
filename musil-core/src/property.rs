//! Properties of a system, shared by scenarios and the model checker: [`Invariant`]s (with what
//! an invariant function may return, [`InvariantOutcome`]) and the [`Goal`] a run must reach.

use std::fmt::Display;
use std::sync::Arc;

/// What an invariant function may return: `bool` (false means violated) or
/// `Result<(), impl Display>` (the error is the reason shown in the report).
pub trait InvariantOutcome {
    /// `Ok(())` if the invariant holds, `Err(reason)` if not.
    fn into_verdict(self) -> Result<(), Option<String>>;
}

impl InvariantOutcome for bool {
    fn into_verdict(self) -> Result<(), Option<String>> {
        if self { Ok(()) } else { Err(None) }
    }
}

impl<E: Display> InvariantOutcome for Result<(), E> {
    fn into_verdict(self) -> Result<(), Option<String>> {
        self.map_err(|reason| Some(reason.to_string()))
    }
}

/// A check over the world, boxed for storage.
pub(crate) type Verdict<S> = Arc<dyn Fn(&S) -> Result<(), Option<String>> + Send + Sync>;

/// A predicate over the world.
pub(crate) type Predicate<S> = Arc<dyn Fn(&S) -> bool + Send + Sync>;

/// A named invariant.
pub(crate) struct Invariant<S> {
    pub(crate) name: String,
    pub(crate) check: Verdict<S>,
}

impl<S: 'static> Invariant<S> {
    /// A named invariant from a function returning `bool` or `Result<(), impl Display>`.
    pub(crate) fn new<R: InvariantOutcome>(
        name: impl Into<String>,
        check: impl Fn(&S) -> R + Send + Sync + 'static,
    ) -> Self {
        Invariant {
            name: name.into(),
            check: Arc::new(move |s: &S| check(s).into_verdict()),
        }
    }

    /// The `#[invariant]`s registered for `S`, in name order.
    pub(crate) fn registered() -> Vec<Self> {
        crate::registry::invariants_of::<S>()
            .into_iter()
            .map(|entry| {
                let check = entry.check;
                Invariant {
                    name: entry.name.to_string(),
                    check: Arc::new(move |s: &S| check(s)),
                }
            })
            .collect()
    }
}

/// Sorts invariants by name, keeping the order of equal names: the order every check runs them
/// in.
pub(crate) fn sort_by_name<S>(invariants: &mut [Invariant<S>]) {
    invariants.sort_by(|a, b| a.name.cmp(&b.name));
}

impl<S> Clone for Invariant<S> {
    fn clone(&self) -> Self {
        Invariant {
            name: self.name.clone(),
            check: Arc::clone(&self.check),
        }
    }
}

/// The named goal: what must hold once a run settles.
pub(crate) struct Goal<S> {
    pub(crate) name: String,
    pub(crate) holds: Predicate<S>,
}

impl<S> Clone for Goal<S> {
    fn clone(&self) -> Self {
        Goal {
            name: self.name.clone(),
            holds: Arc::clone(&self.holds),
        }
    }
}
