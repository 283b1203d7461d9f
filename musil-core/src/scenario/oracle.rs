//! The oracle: what is checked after the start and after every step of a scenario run
//! (invariants in name order, then refinement, then the `converge_within` bound), and the goal
//! at the end. A panic in a property is caught and becomes a `panic` failure naming it.

use crate::panics::guarded;
use crate::property::{Goal, Predicate};
use crate::sim::StopReason;
use crate::sim::disk::Disks;
use crate::sweep::coverage::Hits;

use super::checks::Check;
use super::refinement::Refines;
use super::report::{FailureCause, FailureKind};

/// The per-run state of the oracle.
pub(crate) struct Oracle<'a, S> {
    invariants: &'a [Check<S>],
    refinement: Option<&'a dyn Refines<S>>,
    /// The model state of the previous observation.
    abstract_state: Option<u32>,
    observations: u64,
    goal: Option<&'a Goal<S>>,
    converge_within: Option<Convergence>,
    has_faults: bool,
    /// When the run became fault-free for good, once known (it never changes after).
    healed_at: Option<u64>,
    /// Consecutive post-heal observations in which the goal did not hold.
    misses: u64,
    /// The time of the first of those observations.
    missing_since: Option<u64>,
    /// Whether the goal held at the last observation after the last heal: the run may end.
    settled: bool,
    /// Whether the run goes on anyway (`Scenario::keep_running`).
    keep_running: bool,
    /// The world's coverage sites (`Scenario::sometimes`), and their hits in this run.
    sometimes: &'a [(String, Predicate<S>)],
    /// Their hits in this run, by position (counted as numbers: no lookup by name per
    /// observation).
    site_hits: Vec<u64>,
    /// Whether the sites were checked at all (a run that did not start checked none).
    sites_checked: bool,
}

/// How long the goal may take to hold once the last fault has healed: `converge_within`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Convergence {
    /// Within this many steps (consecutive steps without the goal).
    Steps(u64),
    /// Within this much virtual time (since the goal last stopped holding).
    Time(u64),
}

/// What the oracle may look at after the start and after each step: the world, the clock, and
/// — only asked for when a property needs them — the disks and the heal time.
pub(crate) trait Observed<S> {
    fn world(&self) -> &S;
    fn now(&self) -> u64;
    fn disks(&self) -> Disks<'_>;
    /// When the run became fault-free for good (`None` while a nemesis may still act).
    fn healed_at(&self) -> Option<u64>;
}

impl<'a, S> Oracle<'a, S> {
    #[inline(always)]
    pub(crate) fn new(
        invariants: &'a [Check<S>],
        refinement: Option<&'a dyn Refines<S>>,
        goal: Option<&'a Goal<S>>,
        converge_within: Option<Convergence>,
        has_faults: bool,
    ) -> Self {
        Oracle {
            invariants,
            refinement,
            abstract_state: None,
            observations: 0,
            goal,
            converge_within,
            has_faults,
            healed_at: None,
            misses: 0,
            missing_since: None,
            settled: false,
            keep_running: false,
            sometimes: &[],
            site_hits: Vec::new(),
            sites_checked: false,
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

    /// Checks the world after the start or after a step.
    pub(crate) fn observe(&mut self, seen: &impl Observed<S>) -> Option<FailureCause> {
        let world = seen.world();
        for invariant in self.invariants {
            let (name, verdict) = match invariant {
                Check::World(check) => (&check.name, guarded(|| (check.check)(world))),
                Check::Disks(check) => {
                    (&check.name, guarded(|| check.verdict(world, &seen.disks())))
                }
            };
            match verdict {
                Ok(Ok(())) => {}
                Ok(Err(None)) => {
                    let detail = format!("`{name}` violated");
                    return Some(FailureCause::new(FailureKind::Invariant, detail));
                }
                Ok(Err(Some(reason))) => {
                    let detail = format!("`{name}` violated: {reason}");
                    return Some(FailureCause::new(FailureKind::Invariant, detail));
                }
                Err(panic) => {
                    let detail = format!("in invariant `{name}`: {panic}");
                    return Some(FailureCause::new(FailureKind::Panic, detail));
                }
            }
        }
        self.sites_checked |= !self.sometimes.is_empty();
        for ((site, held), hits) in self.sometimes.iter().zip(&mut self.site_hits) {
            match guarded(|| held(world)) {
                Ok(held) => *hits += u64::from(held),
                Err(panic) => {
                    let detail = format!("in sometimes `{site}`: {panic}");
                    return Some(FailureCause::new(FailureKind::Panic, detail));
                }
            }
        }
        if let Some(finding) = self.check_refinement(world) {
            return Some(finding);
        }
        self.check_convergence(seen)
    }

    #[inline]
    fn check_refinement(&mut self, world: &S) -> Option<FailureCause> {
        let refinement = self.refinement?;
        self.refine(refinement, world)
    }

    #[inline(never)]
    fn refine(&mut self, refinement: &dyn Refines<S>, world: &S) -> Option<FailureCause> {
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

    fn check_convergence(&mut self, seen: &impl Observed<S>) -> Option<FailureCause> {
        let (Some(bound), Some(goal)) = (self.converge_within, self.goal) else {
            return None;
        };
        let (world, now) = (seen.world(), seen.now());
        if self.healed_at.is_none() {
            self.healed_at = seen.healed_at();
        }
        let heal_time = self.healed_at.filter(|&heal| now >= heal)?;
        match guarded(|| (goal.holds)(world)) {
            Ok(true) => {
                (self.misses, self.missing_since, self.settled) = (0, None, true);
                return None;
            }
            Ok(false) => {
                self.misses += 1;
                self.missing_since.get_or_insert(now);
                self.settled = false;
            }
            Err(panic) => return Some(goal_panicked(goal, panic)),
        }
        let late = match bound {
            Convergence::Steps(steps) => self.misses > steps,
            Convergence::Time(time) => now - self.missing_since.unwrap_or(now) > time,
        };
        if !late {
            return None;
        }
        let within = match bound {
            Convergence::Steps(steps) => format!("{steps} steps"),
            Convergence::Time(time) => format!("{time} time units"),
        };
        let since = if self.has_faults {
            format!("after the faults healed at t={heal_time}")
        } else {
            "from the start".to_string()
        };
        let option = match bound {
            Convergence::Steps(steps) => format!("converge_within = {steps}"),
            Convergence::Time(time) => format!("converge_within_time = {time}"),
        };
        let detail = format!(
            "`{}` not reached within {within} {since} ({option})",
            goal.name
        );
        Some(FailureCause::new(self.goal_kind(), detail))
    }

    /// Whether the run may end now: the goal held at the last observation, after the last
    /// fault healed and the nemesis stopped (a protocol that ticks never goes quiet).
    pub(crate) fn settled(&self) -> bool {
        self.settled && !self.keep_running
    }

    /// Checks these coverage sites on the world at every observation.
    #[inline(always)]
    pub(crate) fn sometimes(mut self, sites: &'a [(String, Predicate<S>)]) -> Self {
        if !sites.is_empty() {
            self.sometimes = sites;
            self.site_hits = vec![0; sites.len()];
        }
        self
    }

    /// The world's coverage sites and their hits in this run (`None` without sites).
    pub(crate) fn hits(&self) -> Option<Hits> {
        if self.sometimes.is_empty() {
            return None;
        }
        let mut hits = Hits::default();
        if self.sites_checked {
            for ((site, _), &count) in self.sometimes.iter().zip(&self.site_hits) {
                hits.add(site, count);
            }
        }
        Some(hits)
    }

    /// Lets the run go on after it settled.
    #[inline(always)]
    pub(crate) fn keep_running(mut self, keep_running: bool) -> Self {
        self.keep_running = keep_running;
        self
    }

    /// Checks the goal on the final world of a run that stopped for `reason` after `steps`,
    /// its faults healed at `healed_at` (`None`: a nemesis was still active).
    pub(crate) fn finish(
        &self,
        world: &S,
        reason: StopReason,
        steps: u64,
        healed_at: Option<u64>,
    ) -> Option<FailureCause> {
        let goal = self.goal?;
        match guarded(|| (goal.holds)(world)) {
            Ok(true) => None,
            Ok(false) => {
                let ended = match reason {
                    StopReason::MaxSteps => format!("stopped at max_steps = {steps}"),
                    _ => format!("went quiescent after {steps} steps"),
                };
                let faults = match (self.has_faults, healed_at) {
                    (false, _) => String::new(),
                    (true, Some(heal)) => format!(", faults healed at t={heal}"),
                    (true, None) => ", the nemesis still active".to_string(),
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
