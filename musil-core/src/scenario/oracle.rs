//! The oracle: what is checked after the start and after every step of a scenario run
//! (invariants in name order, then refinement, then the `converge_within` bound), and the goal
//! at the end. A panic in a property is caught and becomes a `panic` failure naming it.

use crate::panics::guarded;
use crate::property::{Goal, Invariant};
use crate::sim::StopReason;

use super::refinement::Refines;
use super::report::{FailureCause, FailureKind};

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
    pub(crate) fn observe(&mut self, world: &S, now: u64) -> Option<FailureCause> {
        for invariant in self.invariants {
            match guarded(|| (invariant.check)(world)) {
                Ok(Ok(())) => {}
                Ok(Err(None)) => {
                    let detail = format!("`{}` violated", invariant.name);
                    return Some(FailureCause::new(FailureKind::Invariant, detail));
                }
                Ok(Err(Some(reason))) => {
                    let detail = format!("`{}` violated: {reason}", invariant.name);
                    return Some(FailureCause::new(FailureKind::Invariant, detail));
                }
                Err(panic) => {
                    let detail = format!("in invariant `{}`: {panic}", invariant.name);
                    return Some(FailureCause::new(FailureKind::Panic, detail));
                }
            }
        }
        if let Some(finding) = self.check_refinement(world) {
            return Some(finding);
        }
        self.check_convergence(world, now)
    }

    fn check_refinement(&mut self, world: &S) -> Option<FailureCause> {
        let refinement = self.refinement?;
        let step = self.observations;
        self.observations += 1;
        match guarded(|| refinement.observe(world, self.abstract_state, step)) {
            Ok(Ok(state)) => {
                self.abstract_state = Some(state);
                None
            }
            Ok(Err(problem)) => Some(FailureCause::new(FailureKind::Refinement, problem)),
            Err(panic) => Some(FailureCause::new(
                FailureKind::Panic,
                format!("in the abstraction: {panic}"),
            )),
        }
    }

    fn check_convergence(&mut self, world: &S, now: u64) -> Option<FailureCause> {
        let (Some(bound), Some(goal)) = (self.converge_within, self.goal) else {
            return None;
        };
        if now < self.heal_time {
            return None;
        }
        match guarded(|| (goal.holds)(world)) {
            Ok(true) => self.misses = 0,
            Ok(false) => self.misses += 1,
            Err(panic) => return Some(goal_panicked(goal, panic)),
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
        Some(FailureCause::new(self.goal_kind(), detail))
    }

    /// Checks the goal on the final world of a run that stopped for `reason` after `steps`.
    pub(crate) fn finish(&self, world: &S, reason: StopReason, steps: u64) -> Option<FailureCause> {
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
                let detail = format!("`{}` not reached (the run {ended}{faults})", goal.name);
                Some(FailureCause::new(self.goal_kind(), detail))
            }
            Err(panic) => Some(goal_panicked(goal, panic)),
        }
    }
}

/// A panic in the goal, as a failure.
fn goal_panicked<S>(goal: &Goal<S>, panic: crate::panics::Caught) -> FailureCause {
    FailureCause::new(
        FailureKind::Panic,
        format!("in goal `{}`: {panic}", goal.name),
    )
}
