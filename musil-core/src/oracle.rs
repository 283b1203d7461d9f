//! The oracle: what is checked after the start and after every step of a scenario run
//! (invariants in name order, then the `converge_within` bound), and the goal at the end.

use std::fmt::Display;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use crate::refinement::Refines;
use crate::report::FailureKind;
use crate::sim::StopReason;

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

/// A check over the world, boxed for storage in a scenario.
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

impl<S> Clone for Invariant<S> {
    fn clone(&self) -> Self {
        Invariant {
            name: self.name.clone(),
            check: Arc::clone(&self.check),
        }
    }
}

/// The named goal.
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

/// A failure the oracle found: its kind and its words.
pub(crate) type Finding = (FailureKind, String);

/// Runs `f`, turning a panic into its message.
pub(crate) fn guarded<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|payload| {
        if let Some(text) = payload.downcast_ref::<&str>() {
            (*text).to_string()
        } else if let Some(text) = payload.downcast_ref::<String>() {
            text.clone()
        } else {
            "a panic with a non-string payload".to_string()
        }
    })
}

/// The per-run state of the oracle.
pub(crate) struct Oracle<'a, S> {
    invariants: &'a [Invariant<S>],
    refinement: Option<&'a dyn Refines<S>>,
    /// The model state of the previous observation.
    abstract_state: Option<u32>,
    observations: u64,
    goal: Option<&'a Goal<S>>,
    converge_within: Option<u64>,
    heal_time: u64,
    has_faults: bool,
    /// Consecutive post-heal observations in which the goal did not hold.
    misses: u64,
}

impl<'a, S> Oracle<'a, S> {
    pub(crate) fn new(
        invariants: &'a [Invariant<S>],
        refinement: Option<&'a dyn Refines<S>>,
        goal: Option<&'a Goal<S>>,
        converge_within: Option<u64>,
        heal_time: u64,
        has_faults: bool,
    ) -> Self {
        Oracle {
            invariants,
            refinement,
            abstract_state: None,
            observations: 0,
            goal,
            converge_within,
            heal_time,
            has_faults,
            misses: 0,
        }
    }

    /// The kind a missed goal has: liveness when the run had faults, goal otherwise.
    fn goal_kind(&self) -> FailureKind {
        if self.has_faults {
            FailureKind::Liveness
        } else {
            FailureKind::Goal
        }
    }

    /// Checks the world after the start or after a step at time `now`.
    pub(crate) fn observe(&mut self, world: &S, now: u64) -> Option<Finding> {
        for invariant in self.invariants {
            match guarded(|| (invariant.check)(world)) {
                Ok(Ok(())) => {}
                Ok(Err(None)) => {
                    return Some((
                        FailureKind::Invariant,
                        format!("`{}` violated", invariant.name),
                    ));
                }
                Ok(Err(Some(reason))) => {
                    return Some((
                        FailureKind::Invariant,
                        format!("`{}` violated: {reason}", invariant.name),
                    ));
                }
                Err(panic) => {
                    return Some((
                        FailureKind::Panic,
                        format!("in invariant `{}`: {panic}", invariant.name),
                    ));
                }
            }
        }
        if let Some(finding) = self.check_refinement(world) {
            return Some(finding);
        }
        self.check_convergence(world, now)
    }

    fn check_refinement(&mut self, world: &S) -> Option<Finding> {
        let refinement = self.refinement?;
        let step = self.observations;
        self.observations += 1;
        match guarded(|| refinement.observe(world, self.abstract_state, step)) {
            Ok(Ok(state)) => {
                self.abstract_state = Some(state);
                None
            }
            Ok(Err(problem)) => Some((FailureKind::Refinement, problem)),
            Err(panic) => Some((FailureKind::Panic, format!("in the abstraction: {panic}"))),
        }
    }

    fn check_convergence(&mut self, world: &S, now: u64) -> Option<Finding> {
        let (Some(bound), Some(goal)) = (self.converge_within, self.goal) else {
            return None;
        };
        if now < self.heal_time {
            return None;
        }
        match guarded(|| (goal.holds)(world)) {
            Ok(true) => self.misses = 0,
            Ok(false) => self.misses += 1,
            Err(panic) => {
                return Some((
                    FailureKind::Panic,
                    format!("in goal `{}`: {panic}", goal.name),
                ));
            }
        }
        if self.misses <= bound {
            return None;
        }
        let since = if self.has_faults {
            format!("after the faults healed at t={}", self.heal_time)
        } else {
            "from the start".to_string()
        };
        let detail = format!(
            "`{}` not reached within {bound} steps {since} (converge_within = {bound})",
            goal.name
        );
        Some((self.goal_kind(), detail))
    }

    /// Checks the goal on the final world of a run that stopped for `reason` after `steps`.
    pub(crate) fn finish(&self, world: &S, reason: StopReason, steps: u64) -> Option<Finding> {
        let goal = self.goal?;
        match guarded(|| (goal.holds)(world)) {
            Ok(true) => None,
            Ok(false) => {
                let ended = match reason {
                    StopReason::MaxSteps => format!("stopped at max_steps = {steps}"),
                    _ => format!("went quiescent after {steps} steps"),
                };
                let faults = if self.has_faults {
                    format!(", faults healed at t={}", self.heal_time)
                } else {
                    String::new()
                };
                Some((
                    self.goal_kind(),
                    format!("`{}` not reached (the run {ended}{faults})", goal.name),
                ))
            }
            Err(panic) => Some((
                FailureKind::Panic,
                format!("in goal `{}`: {panic}", goal.name),
            )),
        }
    }
}
