//! Executing a scenario's seeds: one seed under the oracle, many seeds on several threads (the
//! lowest failing seed is the one reported, whatever the thread count), and the re-run that
//! explains a failure with its trace and checks that it replays identically.

use std::fmt::Debug;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

use crate::decision::{DecisionSource, Recording, Rng, Seeded, Stream};
use crate::node::Message;
use crate::oracle::{Finding, Oracle, guarded};
use crate::report::{FailureKind, SimFailure, SimReport};
use crate::scenario::{Checked, Scenario};
use crate::sim::{Simulation, StopReason};
use crate::system::System;
use crate::trace::Trace;

/// What one seed's run found, before it is explained.
struct Found<S> {
    kind: FailureKind,
    detail: String,
    step: u64,
    time: u64,
    world: Option<S>,
    world_debug: String,
}

impl<S> Found<S> {
    fn unbuilt(kind: FailureKind, detail: String) -> Self {
        Found {
            kind,
            detail,
            step: 0,
            time: 0,
            world: None,
            world_debug: "<not built>".to_string(),
        }
    }

    /// Whether `other` is the same failure: kind, detail, step and time (used to detect a
    /// nondeterministic re-run; the world's `Debug` text is compared separately).
    fn same_as<T>(&self, other: &Found<T>) -> bool {
        (self.kind, &self.detail, self.step, self.time)
            == (other.kind, &other.detail, other.step, other.time)
    }

    /// The finding without its world (its `Debug` text is kept), to cross threads.
    fn without_world<T>(self) -> Found<T> {
        let Found {
            kind,
            detail,
            step,
            time,
            world_debug,
            ..
        } = self;
        Found {
            kind,
            detail,
            step,
            time,
            world: None,
            world_debug,
        }
    }

    fn summary(&self) -> String {
        format!(
            "{} {} at step {} (t={})",
            self.kind.label(),
            self.detail,
            self.step,
            self.time
        )
    }
}

/// The outcome of one seed.
struct SeedRun<S, D> {
    found: Option<Found<S>>,
    decisions: Option<D>,
    trace: Option<Trace>,
}

impl<S, D> SeedRun<S, D> {
    /// A seed that failed before its simulation existed.
    fn unbuilt(kind: FailureKind, detail: String) -> Self {
        SeedRun {
            found: Some(Found::unbuilt(kind, detail)),
            decisions: None,
            trace: None,
        }
    }
}

impl<S: System<M> + Debug + 'static, M: Message> Scenario<S, M> {
    /// A report for a scenario that cannot run at all, against the seeds it was asked to run.
    pub(crate) fn invalid_report(&self, problem: String, seeds: &[u64]) -> SimReport<S> {
        let seed = seeds.first().copied().unwrap_or(0);
        let found = Found::unbuilt(FailureKind::InvalidScenario, problem);
        let failure = self.failure(found, seed, 1, seeds.len(), None);
        SimReport {
            scenario: self.name.clone(),
            runs: 0,
            failure: Some(failure),
            expected: self.expected,
        }
    }

    fn failure(
        &self,
        found: Found<S>,
        seed: u64,
        run: usize,
        planned: usize,
        nondeterminism: Option<String>,
    ) -> SimFailure<S> {
        SimFailure {
            scenario: self.name.clone(),
            seed,
            kind: found.kind,
            detail: found.detail,
            step: found.step,
            time: found.time,
            world: found.world,
            world_debug: found.world_debug,
            trace: None,
            decisions: Vec::new(),
            nondeterminism,
            replay: self.replay_line(seed),
            run,
            runs_planned: planned,
        }
    }
}

impl<S: System<M> + Debug + 'static, M: Message> Checked<'_, S, M> {
    /// Runs `seeds` on `jobs` threads and reports the first failing one in seed order.
    pub(crate) fn execute(&self, seeds: &[u64], jobs: usize, max_steps: u64) -> SimReport<S> {
        let scenario = self.scenario;
        let failure = self
            .first_failure(seeds, jobs, max_steps)
            .map(|(index, found)| {
                self.explain(found, seeds[index], index + 1, seeds.len(), max_steps)
            });
        let runs = failure.as_ref().map_or(seeds.len(), |f| f.run);
        SimReport {
            scenario: scenario.name.clone(),
            runs,
            failure,
            expected: scenario.expected,
        }
    }

    /// The index (in `seeds`) and finding of the lowest failing seed.
    fn first_failure(
        &self,
        seeds: &[u64],
        jobs: usize,
        max_steps: u64,
    ) -> Option<(usize, Found<S>)> {
        let fails = |index: usize| {
            self.run_seed(Seeded::new(seeds[index]), false, max_steps)
                .found
        };
        if jobs <= 1 || seeds.len() <= 1 {
            return (0..seeds.len()).find_map(|index| fails(index).map(|found| (index, found)));
        }
        let next = AtomicUsize::new(0);
        let lowest = AtomicUsize::new(usize::MAX);
        let first: Mutex<Option<(usize, Found<()>)>> = Mutex::new(None);
        std::thread::scope(|scope| {
            for _ in 0..jobs.min(seeds.len()) {
                scope.spawn(|| {
                    loop {
                        let index = next.fetch_add(1, Ordering::Relaxed);
                        if index >= seeds.len() || index > lowest.load(Ordering::Relaxed) {
                            break;
                        }
                        if let Some(found) = fails(index) {
                            lowest.fetch_min(index, Ordering::Relaxed);
                            let mut first = first.lock().unwrap_or_else(PoisonError::into_inner);
                            if first.as_ref().is_none_or(|(known, _)| index < *known) {
                                *first = Some((index, found.without_world()));
                            }
                        }
                    }
                });
            }
        });
        // Every index below the lowest failure ran and passed. Worlds never cross threads, so
        // run the failing seed again here to keep its world; if that run does not fail the same
        // way, keep the worker's finding (the explanation will report the nondeterminism).
        let (index, found) = first.into_inner().unwrap_or_else(PoisonError::into_inner)?;
        match fails(index) {
            Some(again) if again.same_as(&found) => Some((index, again)),
            _ => Some((index, found.without_world())),
        }
    }

    /// Re-runs a failing seed with a recording decision source to get its trace, and checks
    /// that the re-run fails the same way.
    fn explain(
        &self,
        found: Found<S>,
        seed: u64,
        run: usize,
        planned: usize,
        max_steps: u64,
    ) -> SimFailure<S> {
        let rerun = self.run_seed(Recording::new(Seeded::new(seed)), true, max_steps);
        let outside = "The run depends on something outside musil's control (wall clock, hash-map order, \
                       global state, threads); the trace below is the re-run's";
        let nondeterminism = match &rerun.found {
            Some(again) if again.same_as(&found) && again.world_debug == found.world_debug => None,
            Some(again) if again.same_as(&found) => Some(format!(
                "seed {seed} failed identically when re-run, but the world printed differently. \
                 Unordered state in a node (a HashMap or HashSet) prints in a different order on \
                 each run; if a node iterates it, its behaviour can change between runs too"
            )),
            Some(again) => Some(format!(
                "re-running seed {seed} to record its trace failed differently: first {}, then {}. {outside}",
                found.summary(),
                again.summary()
            )),
            None => Some(format!(
                "re-running seed {seed} to record its trace did not fail (first: {}). {outside}",
                found.summary()
            )),
        };
        let mut failure = self
            .scenario
            .failure(found, seed, run, planned, nondeterminism);
        failure.trace = rerun.trace;
        failure.decisions = rerun.decisions.map(Recording::into_log).unwrap_or_default();
        failure
    }

    /// Runs one seed with `decisions`, checking the oracle after every step.
    fn run_seed<D: DecisionSource>(
        &self,
        mut decisions: D,
        record: bool,
        max_steps: u64,
    ) -> SeedRun<S, D> {
        let scenario = self.scenario;
        let environment = guarded(|| {
            let mut rng = Rng::new(&mut decisions, Stream::Environment);
            (
                scenario.network.resolve(&mut rng),
                scenario.faults.resolve(&mut rng),
            )
        });
        let (network, faults) = match environment {
            Ok(pair) => pair,
            Err(panic) => {
                return SeedRun::unbuilt(
                    FailureKind::Panic,
                    format!("in the network or fault generator: {panic}"),
                );
            }
        };
        let factory = Arc::clone(&scenario.factory);
        let sim = match guarded(move || Simulation::from_shared_factory(factory, decisions)) {
            Ok(sim) => sim,
            Err(panic) => {
                return SeedRun::unbuilt(FailureKind::Panic, format!("in the factory: {panic}"));
            }
        };
        let mut oracle = Oracle::new(
            &self.invariants,
            scenario.goal.as_ref(),
            scenario.converge_within,
            faults.heal_time(),
            !faults.is_empty(),
        );
        let mut sim = sim.network(network).faults(faults);
        if record {
            sim = sim.record_trace();
        }
        let finding = drive(&mut sim, &mut oracle, max_steps);
        let (step, time) = (sim.steps(), sim.now());
        let world_debug = guarded(|| format!("{:?}", sim.world()))
            .unwrap_or_else(|panic| format!("<Debug of the world panicked: {panic}>"));
        let (world, decisions, trace) = sim.into_parts();
        let found = finding.map(|(kind, detail)| Found {
            kind,
            detail,
            step,
            time,
            world: Some(world),
            world_debug,
        });
        SeedRun {
            found,
            decisions: Some(decisions),
            trace,
        }
    }
}

/// Starts the simulation and steps it, consulting the oracle, until a finding or the end.
fn drive<S: System<M>, M: Message, D: DecisionSource>(
    sim: &mut Simulation<S, M, D>,
    oracle: &mut Oracle<'_, S>,
    max_steps: u64,
) -> Option<Finding> {
    let in_handler = |sim: &Simulation<S, M, D>, panic: String| {
        let place = sim
            .interrupted_handler()
            .unwrap_or_else(|| "the engine".to_string());
        Some((FailureKind::Panic, format!("in {place}: {panic}")))
    };
    match guarded(|| sim.start()) {
        Ok(Ok(())) => {}
        Ok(Err(setup)) => return Some((FailureKind::InvalidScenario, setup.to_string())),
        Err(panic) => return in_handler(sim, panic),
    }
    if let Some(finding) = oracle.observe(sim.world(), sim.now()) {
        return Some(finding);
    }
    let reason = loop {
        if !sim.has_pending_step() {
            break StopReason::Quiescent;
        }
        if sim.steps() >= max_steps {
            break StopReason::MaxSteps;
        }
        if let Err(panic) = guarded(|| sim.process_pending_step()) {
            return in_handler(sim, panic);
        }
        if let Some(finding) = oracle.observe(sim.world(), sim.now()) {
            return Some(finding);
        }
    };
    oracle.finish(sim.world(), reason, sim.steps())
}
