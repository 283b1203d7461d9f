//! Executing a scenario's seeds: one seed under the oracle, many seeds on several threads (the
//! lowest failing seed is the one reported, whatever the thread count), and the re-run that
//! explains a failure with its trace and checks that it replays identically.

use std::fmt::Debug;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

use crate::decision::{DecisionSource, Recording, Rng, Seeded, Stream};
use crate::node::Message;
use crate::oracle::{Finding, Oracle, guarded};
use crate::report::{FailureKind, SimFailure, SimReport};
use crate::scenario::{Checked, Scenario};
use crate::sim::{Simulation, StopReason};
use crate::system::System;
use crate::trace::Trace;

/// Where a failure happened: its seed, which run it was out of how many, and the step bound.
#[derive(Clone, Copy)]
struct Place<'a> {
    seed: u64,
    run: usize,
    planned: usize,
    max_steps: u64,
    /// The replay command template, if the caller gave one.
    replay: Option<&'a str>,
}

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

/// How many seeds a worker claims at once: few enough to share the work evenly, enough that
/// claiming costs nothing.
const CHUNK: usize = 32;

/// What running a list of seeds found: the lowest failing seed (its index) and the steps run.
struct Sweep<S> {
    first: Option<(usize, Found<S>)>,
    steps: u64,
}

/// The outcome of one seed.
struct SeedRun<S, D> {
    found: Option<Found<S>>,
    steps: u64,
    decisions: Option<D>,
    trace: Option<Trace>,
}

impl<S, D> SeedRun<S, D> {
    /// A seed that failed before its simulation existed.
    fn unbuilt(kind: FailureKind, detail: String) -> Self {
        SeedRun {
            found: Some(Found::unbuilt(kind, detail)),
            steps: 0,
            decisions: None,
            trace: None,
        }
    }
}

impl<S: System<M> + Debug + 'static, M: Message> Scenario<S, M> {
    /// A report for a scenario that cannot run at all, against the seeds it was asked to run.
    pub(crate) fn invalid_report(
        &self,
        problem: String,
        seeds: &[u64],
        replay: Option<&str>,
    ) -> SimReport<S> {
        let seed = seeds.first().copied().unwrap_or(0);
        let found = Found::unbuilt(FailureKind::InvalidScenario, problem);
        let place = Place {
            seed,
            run: 1,
            planned: seeds.len(),
            max_steps: self.max_steps,
            replay,
        };
        let failure = self.failure(found, place, None);
        SimReport {
            scenario: self.name.clone(),
            runs: 0,
            steps: 0,
            failure: Some(failure),
            expected: self.expected,
        }
    }

    fn failure(
        &self,
        found: Found<S>,
        place: Place,
        nondeterminism: Option<String>,
    ) -> SimFailure<S> {
        let Place {
            seed,
            run,
            planned,
            max_steps,
            replay,
        } = place;
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
            replay: self.replay_line(seed, max_steps, replay),
            run,
            runs_planned: planned,
        }
    }
}

impl<S: System<M> + Debug + 'static, M: Message> Checked<'_, S, M> {
    /// Runs `seeds` on `jobs` threads and reports the first failing one in seed order.
    pub(crate) fn execute(&self, seeds: &[u64], jobs: usize, max_steps: u64) -> SimReport<S> {
        let scenario = self.scenario;
        let sweep = self.first_failure(seeds, jobs, max_steps);
        let failure = sweep.first.map(|(index, found)| {
            let place = Place {
                seed: seeds[index],
                run: index + 1,
                planned: seeds.len(),
                max_steps,
                replay: self.replay,
            };
            self.explain(found, place)
        });
        let runs = failure.as_ref().map_or(seeds.len(), |f| f.run);
        SimReport {
            scenario: scenario.name.clone(),
            runs,
            steps: sweep.steps,
            failure,
            expected: scenario.expected,
        }
    }

    /// The index (in `seeds`) and finding of the lowest failing seed, and the steps run.
    fn first_failure(&self, seeds: &[u64], jobs: usize, max_steps: u64) -> Sweep<S> {
        let run = |index: usize| {
            let seed_run = self.run_seed(Seeded::new(seeds[index]), false, max_steps);
            (seed_run.found, seed_run.steps)
        };
        if jobs <= 1 || seeds.len() <= 1 {
            let mut steps = 0;
            for index in 0..seeds.len() {
                let (found, ran) = run(index);
                steps += ran;
                if let Some(found) = found {
                    return Sweep {
                        first: Some((index, found)),
                        steps,
                    };
                }
            }
            return Sweep { first: None, steps };
        }
        let next = AtomicUsize::new(0);
        let lowest = AtomicUsize::new(usize::MAX);
        let total_steps = AtomicU64::new(0);
        let first: Mutex<Option<(usize, Found<()>)>> = Mutex::new(None);
        std::thread::scope(|scope| {
            for _ in 0..jobs.min(seeds.len()) {
                scope.spawn(|| {
                    let mut steps = 0;
                    // Seeds are claimed in chunks, in increasing order, so every seed below the
                    // lowest failure is run whatever the threads' timing.
                    'claim: loop {
                        let start = next.fetch_add(CHUNK, Ordering::Relaxed);
                        for index in start..(start + CHUNK).min(seeds.len()) {
                            if index > lowest.load(Ordering::Relaxed) {
                                break 'claim;
                            }
                            let (found, ran) = run(index);
                            steps += ran;
                            if let Some(found) = found {
                                lowest.fetch_min(index, Ordering::Relaxed);
                                let mut first =
                                    first.lock().unwrap_or_else(PoisonError::into_inner);
                                if first.as_ref().is_none_or(|(known, _)| index < *known) {
                                    *first = Some((index, found.without_world()));
                                }
                            }
                        }
                        if start + CHUNK >= seeds.len() {
                            break;
                        }
                    }
                    total_steps.fetch_add(steps, Ordering::Relaxed);
                });
            }
        });
        let steps = total_steps.into_inner();
        // Worlds never cross threads, so run the failing seed again here to keep its world; if
        // that run does not fail the same way, keep the worker's finding (the explanation will
        // report the nondeterminism).
        let Some((index, found)) = first.into_inner().unwrap_or_else(PoisonError::into_inner)
        else {
            return Sweep { first: None, steps };
        };
        let first = match run(index).0 {
            Some(again) if again.same_as(&found) => (index, again),
            _ => (index, found.without_world()),
        };
        Sweep {
            first: Some(first),
            steps,
        }
    }

    /// Re-runs a failing seed with a recording decision source to get its trace, and checks
    /// that the re-run fails the same way.
    fn explain(&self, found: Found<S>, place: Place) -> SimFailure<S> {
        let Place {
            seed, max_steps, ..
        } = place;
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
        let mut failure = self.scenario.failure(found, place, nondeterminism);
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
        // Only the factory runs under `guarded`: the simulation is built (and so moved) once.
        let system = match guarded(|| {
            (scenario.factory)(&mut Rng::new(&mut decisions, Stream::Setup))
        }) {
            Ok(system) => system,
            Err(panic) => {
                return SeedRun::unbuilt(FailureKind::Panic, format!("in the factory: {panic}"));
            }
        };
        let mut sim = Simulation::from_built(system, Arc::clone(&scenario.factory), decisions);
        let mut oracle = Oracle::new(
            &self.invariants,
            scenario.refinement.as_deref(),
            scenario.goal.as_ref(),
            scenario.converge_within,
            faults.heal_time(),
            !faults.is_empty(),
        );
        sim.configure(network, faults, record);
        let finding = drive(&mut sim, &mut oracle, max_steps);
        let (step, time) = (sim.steps(), sim.now());
        // Only a failure needs the world as text.
        let world_debug = finding.as_ref().map(|_| {
            guarded(|| format!("{:?}", sim.world()))
                .unwrap_or_else(|panic| format!("<Debug of the world panicked: {panic}>"))
        });
        let (world, decisions, trace) = sim.into_parts();
        let found = finding
            .zip(world_debug)
            .map(|((kind, detail), world_debug)| Found {
                kind,
                detail,
                step,
                time,
                world: Some(world),
                world_debug,
            });
        SeedRun {
            found,
            steps: step,
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
