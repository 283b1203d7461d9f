//! Running a scenario's seeds: one seed under the oracle, many seeds on several threads (the
//! lowest failing seed is the one reported, whatever the thread count), and the re-run that
//! explains a failure with its trace and checks that it replays identically.

use std::fmt::Debug;
use std::ops::ControlFlow;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::per_seed::PerSeed;
use crate::decision::recording::Recording;
use crate::decision::rng::Rng;
use crate::decision::seeded::Seeded;
use crate::decision::{DecisionSource, Stream};
use crate::id::Message;
use crate::panics::{Caught, guarded, quiet};
use crate::pool::{self, Ahead};
use crate::sim::disk::Disks;
use crate::sim::error::SetupError;
use crate::sim::faults::FaultSchedule;
use crate::sim::network::NetworkModel;
use crate::sim::storage::StorageModel;
use crate::sim::trace::Trace;
use crate::sim::{Simulation, StopReason};
use crate::system::System;
use crate::system::factory::SharedFactory;

use super::checks::Check;
use super::oracle::{Observed, Oracle};
use super::report::{FailureCause, FailureKind, SeedFailure, SimFailure, SimReport};
use super::{RunSettings, Scenario};

/// A handle on the scenario's factory for one chunk of seeds, with a reference count of its own:
/// every seed's simulation holds one, and counting them all on the scenario's own handle would
/// have every thread write one shared cache line for every seed.
fn chunk_factory<S: 'static>(shared: &SharedFactory<S>) -> SharedFactory<S> {
    let shared = Arc::clone(shared);
    Arc::new(move |rng: &mut Rng<'_>| shared(rng))
}

/// The fewest seeds a worker claims at once: enough that claiming one chunk costs nothing.
const MIN_CHUNK: usize = 32;

/// How many chunks each thread gets, about: enough to share the work evenly at the end, few
/// enough that handing a chunk's result back (a wake-up of the waiting thread) costs nothing.
const CHUNKS_PER_THREAD: usize = 8;

/// The seeds per chunk for `seeds` seeds on `jobs` threads.
fn chunk_size(seeds: usize, jobs: usize) -> usize {
    (seeds / (jobs.max(1) * CHUNKS_PER_THREAD)).max(MIN_CHUNK)
}

/// A scenario prepared for one call of [`Scenario::execute`]: its invariants gathered and
/// sorted, its settings fixed.
pub(crate) struct Execution<'a, S, M> {
    scenario: &'a Scenario<S, M>,
    settings: &'a RunSettings,
    invariants: Vec<Check<S>>,
    max_steps: u64,
}

/// The lowest failing seed of a list (its index and what failed), and the steps run up to it.
struct FirstFailure {
    failed: Option<(usize, SeedFailure<()>)>,
    steps: u64,
}

/// What one seed's run found.
struct SeedRun<S, D> {
    failure: Option<SeedFailure<S>>,
    steps: u64,
    decisions: Option<D>,
    trace: Option<Trace>,
}

impl<S, D> SeedRun<S, D> {
    /// A seed that failed before its simulation existed.
    fn unbuilt(cause: FailureCause) -> Self {
        SeedRun {
            failure: Some(SeedFailure::unbuilt(cause)),
            steps: 0,
            decisions: None,
            trace: None,
        }
    }
}

impl<S: System<M> + Debug + 'static, M: Message> Scenario<S, M> {
    /// Runs the seeds, threads, step bound and replay command of `settings`, and reports the
    /// first failing seed in seed order, whatever the number of threads. This is the one entry
    /// point every way of running a scenario goes through (the test runner's `run`,
    /// `run_seeds` and `run_with` read the environment and name the replay command first).
    ///
    /// ```
    /// # use musil_core::{RunSettings, Scenario};
    /// # #[derive(Debug, Default)] struct Quiet;
    /// # impl musil_core::Node<()> for Quiet {}
    /// # impl musil_core::System<()> for Quiet {
    /// #     fn node_count(&self) -> usize { 1 }
    /// #     fn node_name(&self, _: musil_core::NodeId) -> std::borrow::Cow<'static, str> { "q".into() }
    /// #     fn visit_node<V: musil_core::NodeVisitor<()>>(&mut self, _: musil_core::NodeId, v: V) -> V::Output { v.visit(self) }
    /// #     fn replace_node(&mut self, _: musil_core::NodeId, fresh: &mut Self) { std::mem::swap(self, fresh) }
    /// # }
    /// let report = Scenario::new(Quiet::default).execute(&RunSettings::seeds(0..3));
    /// assert_eq!((report.ok(), report.runs()), (true, 3));
    /// ```
    pub fn execute(&self, settings: &RunSettings) -> SimReport<S> {
        match self.option_problem() {
            Some(problem) => self.invalid_report(problem.to_string(), settings),
            None => Execution::new(self, settings).run(),
        }
    }

    fn option_problem(&self) -> Option<SetupError> {
        let message = if self.converge_within.is_some() && self.goal.is_none() {
            "converge_within needs a goal: add .goal(name, predicate)"
        } else if self.nemesis_until.is_some() && self.nemesis.is_none() {
            "nemesis_until says when the nemesis stops, and there is none: add .nemesis(f)"
        } else {
            return None;
        };
        Some(SetupError::InvalidOption {
            message: message.to_string(),
        })
    }

    /// A report for a scenario that cannot run at all (a bad `MUSIL_*` value, an inconsistent
    /// option): a failure of kind [`FailureKind::InvalidScenario`] naming `problem`, the
    /// scenario and the first seed it was asked to run.
    pub fn invalid_report(&self, problem: String, settings: &RunSettings) -> SimReport<S> {
        let cause = FailureCause::new(FailureKind::InvalidScenario, problem);
        let failure = self.failure(SeedFailure::unbuilt(cause), settings, 0, None);
        SimReport {
            scenario: self.name.clone(),
            runs: 0,
            steps: 0,
            failure: Some(failure),
            expected: self.expected,
        }
    }

    /// The report's failure for the seed at `index` of the settings' seeds.
    fn failure(
        &self,
        failure: SeedFailure<S>,
        settings: &RunSettings,
        index: usize,
        nondeterminism: Option<String>,
    ) -> SimFailure<S> {
        let seed = settings.seeds.get(index).copied().unwrap_or(0);
        SimFailure {
            scenario: self.name.clone(),
            seed,
            failure,
            trace: None,
            decisions: Vec::new(),
            nondeterminism,
            replay: self.replay_line(seed, settings),
            run: index + 1,
            runs_planned: settings.seeds.len(),
        }
    }
}

impl<'a, S: System<M> + Debug + 'static, M: Message> Execution<'a, S, M> {
    pub(crate) fn new(scenario: &'a Scenario<S, M>, settings: &'a RunSettings) -> Self {
        Execution {
            scenario,
            settings,
            invariants: scenario.all_invariants(),
            max_steps: scenario.max_steps_under(settings),
        }
    }

    /// Runs the seeds and reports the first failing one in seed order.
    pub(crate) fn run(&self) -> SimReport<S> {
        let first = self.first_failure();
        let failure = first
            .failed
            .map(|(index, failure)| self.explain(failure, index));
        let runs = failure
            .as_ref()
            .map_or(self.settings.seeds.len(), |f| f.run);
        SimReport {
            scenario: self.scenario.name.clone(),
            runs,
            steps: first.steps,
            failure,
            expected: self.scenario.expected,
        }
    }

    /// The lowest failing seed and the steps run up to it. Seeds are handed out in chunks, in
    /// increasing order; a chunk stops early past a failure found below it (such a chunk is
    /// never taken), so every seed below the lowest failure runs, whatever the threads' timing,
    /// and the count of steps is the same for every thread count.
    fn first_failure(&self) -> FirstFailure {
        let seeds = &self.settings.seeds;
        let size = chunk_size(seeds.len(), self.settings.jobs);
        let lowest = AtomicUsize::new(usize::MAX);
        let chunk = |number: usize| {
            let mut steps = 0;
            let start = number * size;
            let end = (start + size).min(seeds.len());
            let factory = chunk_factory(&self.scenario.factory);
            for (index, &seed) in seeds[start..end].iter().enumerate() {
                let index = start + index;
                if index > lowest.load(Ordering::Relaxed) {
                    break;
                }
                let run = self.run_seed(&factory, Seeded::new(seed), false);
                steps += run.steps;
                if let Some(failure) = run.failure {
                    lowest.fetch_min(index, Ordering::Relaxed);
                    return (Some((index, failure.forget_world())), steps);
                }
            }
            (None, steps)
        };
        let mut first = FirstFailure {
            failed: None,
            steps: 0,
        };
        let chunks = seeds.len().div_ceil(size);
        // One thread, or one chunk: no worker is worth starting.
        let threads = match self.settings.jobs.min(chunks) {
            0 | 1 => 0,
            threads => threads,
        };
        pool::in_order(
            chunks,
            threads,
            Ahead::Unbounded,
            &chunk,
            |_, (failed, steps)| {
                first.steps += steps;
                first.failed = failed;
                match first.failed {
                    Some(_) => ControlFlow::Break(()),
                    None => ControlFlow::Continue(()),
                }
            },
        );
        first
    }

    /// Re-runs the failing seed at `index` with a recording decision source, to get its trace,
    /// its decisions and its world, and checks that the re-run fails the same way.
    fn explain(&self, first: SeedFailure<()>, index: usize) -> SimFailure<S> {
        let seed = self.settings.seeds[index];
        let factory = &self.scenario.factory;
        let rerun = self.run_seed(factory, Recording::new(Seeded::new(seed)), true);
        let nondeterminism = divergence(seed, &first, rerun.failure.as_ref());
        let failure = match rerun.failure {
            Some(again) if nondeterminism.is_none() => again,
            _ => first.forget_world(),
        };
        let mut report = self
            .scenario
            .failure(failure, self.settings, index, nondeterminism);
        report.trace = rerun.trace;
        report.decisions = rerun.decisions.map(Recording::into_log).unwrap_or_default();
        report
    }

    /// Runs one seed with `decisions`, checking the oracle after every step; the panics of its
    /// user code are caught, and kept quiet.
    fn run_seed<D: DecisionSource>(
        &self,
        factory: &SharedFactory<S>,
        mut decisions: D,
        record: bool,
    ) -> SeedRun<S, D> {
        let _quiet = quiet();
        let scenario = self.scenario;
        let environment = generate(scenario, &mut decisions);
        let (network, faults) = match environment {
            Ok(settings) => settings,
            Err(cause) => return SeedRun::unbuilt(cause),
        };
        let storage = match scenario
            .storage
            .as_ref()
            .map(|s| storage_of(s, &mut decisions))
        {
            None => None,
            Some(Ok(storage)) => Some(storage),
            Some(Err(cause)) => return SeedRun::unbuilt(cause),
        };
        // Only the factory runs under `guarded`: the simulation is built (and so moved) once.
        let built = guarded(|| (scenario.factory)(&mut Rng::new(&mut decisions, Stream::Setup)));
        let system = match built {
            Ok(system) => system,
            Err(panic) => return SeedRun::unbuilt(panicked("the factory", panic)),
        };
        let mut sim = Simulation::from_built(system, Arc::clone(factory), decisions);
        let mut oracle = Oracle::new(
            &self.invariants,
            scenario.refinement.as_deref(),
            scenario.goal.as_ref(),
            scenario.converge_within,
            !faults.is_empty() || scenario.nemesis.is_some(),
        );
        sim.configure(network, faults, storage, record);
        if let Some(nemesis) = &scenario.nemesis {
            sim.set_nemesis(Arc::clone(nemesis), scenario.nemesis_until);
        }
        let cause = drive(&mut sim, &mut oracle, self.max_steps);
        let mut failure = cause.map(|cause| failure_of(&sim, cause));
        let steps = sim.steps();
        let (world, decisions, trace) = sim.into_parts();
        if let Some(failure) = &mut failure {
            failure.world = Some(world);
        }
        SeedRun {
            failure,
            steps,
            decisions: Some(decisions),
            trace,
        }
    }
}

/// The seed's network and faults, from the environment stream in that order; a panic in a
/// generator is a failure naming it (one `guarded` for both: this runs for every seed).
#[inline]
fn generate<S: System<M> + Debug + 'static, M: Message, D: DecisionSource>(
    scenario: &Scenario<S, M>,
    decisions: &mut D,
) -> Result<(NetworkModel<M>, FaultSchedule), FailureCause> {
    let mut rng = Rng::new(decisions, Stream::Environment);
    let running = std::cell::Cell::new("network");
    let generated = guarded(|| {
        let network = scenario.network.resolve(&mut rng);
        running.set("fault");
        (network, scenario.faults.resolve(&mut rng))
    });
    let place = |panic| panicked(&format!("the {} generator", running.get()), panic);
    generated.map_err(place)
}

/// The seed's storage model, when the scenario sets one: next on the environment stream.
#[cold]
fn storage_of<D: DecisionSource>(
    storage: &PerSeed<StorageModel>,
    decisions: &mut D,
) -> Result<StorageModel, FailureCause> {
    let mut rng = Rng::new(decisions, Stream::Environment);
    guarded(|| storage.resolve(&mut rng)).map_err(|panic| panicked("the storage generator", panic))
}

/// Why a re-run of `seed` does not explain its first failure, if it does not.
fn divergence<S>(
    seed: u64,
    first: &SeedFailure<()>,
    again: Option<&SeedFailure<S>>,
) -> Option<String> {
    let outside = "The run depends on something outside musil's control (wall clock, hash-map \
                   order, global state, threads); the trace above is the re-run's";
    match again {
        Some(again) if again.same_as(first) && again.world_debug == first.world_debug => None,
        Some(again) if again.same_as(first) => Some(format!(
            "seed {seed} failed identically when re-run, but the world printed differently. \
             Unordered state in a node (a HashMap or HashSet) prints in a different order on \
             each run; if a node iterates it, its behaviour can change between runs too"
        )),
        Some(again) => Some(format!(
            "re-running seed {seed} to record its trace failed differently: first {}, then {}. \
             {outside}",
            first.summary(),
            again.summary()
        )),
        None => Some(format!(
            "re-running seed {seed} to record its trace did not fail (first: {}). {outside}",
            first.summary()
        )),
    }
}

/// A panic in user code outside any node, as a failure.
fn panicked(place: &str, panic: Caught) -> FailureCause {
    FailureCause::new(FailureKind::Panic, format!("in {place}: {panic}"))
}

/// What failed in a finished run, with the world as text (the world itself joins it when the
/// simulation is taken apart).
fn failure_of<S: System<M> + Debug, M: Message, D: DecisionSource>(
    sim: &Simulation<S, M, D>,
    cause: FailureCause,
) -> SeedFailure<S> {
    let debug = |pretty: bool| {
        guarded(|| match pretty {
            true => format!("{:#?}", sim.world()),
            false => format!("{:?}", sim.world()),
        })
        .unwrap_or_else(|panic| format!("<Debug of the world panicked: {panic}>"))
    };
    SeedFailure {
        cause,
        step: sim.steps(),
        time: sim.now(),
        world: None,
        world_debug: debug(false),
        world_pretty: debug(true),
    }
}

/// Starts the simulation and steps it, consulting the oracle, until a failure or the end.
fn drive<S: System<M> + Debug, M: Message, D: DecisionSource>(
    sim: &mut Simulation<S, M, D>,
    oracle: &mut Oracle<'_, S>,
    max_steps: u64,
) -> Option<FailureCause> {
    let in_handler = |sim: &Simulation<S, M, D>, panic: Caught| {
        let place = sim
            .interrupted_handler()
            .unwrap_or_else(|| "the engine".to_string());
        Some(panicked(&place, panic))
    };
    match guarded(|| sim.start()) {
        Ok(Ok(())) => {}
        Ok(Err(setup)) => {
            return Some(FailureCause::new(
                FailureKind::InvalidScenario,
                setup.to_string(),
            ));
        }
        Err(panic) => return in_handler(sim, panic),
    }
    let traced = sim.trace().is_some();
    if traced {
        snapshot(sim);
    }
    if let Some(cause) = oracle.observe(sim) {
        return Some(cause);
    }
    let reason = loop {
        if !sim.skip_non_steps() {
            break StopReason::Quiescent;
        }
        if sim.steps() >= max_steps {
            break StopReason::MaxSteps;
        }
        if let Err(panic) = guarded(|| sim.process_step()) {
            return in_handler(sim, panic);
        }
        if traced {
            snapshot(sim);
        }
        if let Some(cause) = oracle.observe(sim) {
            return Some(cause);
        }
    };
    oracle.finish(sim.world(), reason, sim.steps(), sim.healed_at())
}

/// Keeps the world in the trace (a panicking `Debug` is not the run's failure: it is noted).
#[cold]
fn snapshot<S: System<M> + Debug, M: Message, D: DecisionSource>(sim: &mut Simulation<S, M, D>) {
    if let Ok(pretty) = guarded(|| format!("{:#?}", sim.world())) {
        sim.keep_snapshot(pretty);
    }
}

impl<S: System<M>, M: Message, D: DecisionSource> Observed<S> for Simulation<S, M, D> {
    #[inline]
    fn world(&self) -> &S {
        Simulation::world(self)
    }

    #[inline]
    fn now(&self) -> u64 {
        Simulation::now(self)
    }

    fn disks(&self) -> Disks<'_> {
        Simulation::disks(self)
    }

    #[inline]
    fn healed_at(&self) -> Option<u64> {
        Simulation::healed_at(self)
    }
}
