//! Running a scenario's seeds: one seed under the oracle, many seeds on several threads (the
//! lowest failing seed is the one reported, whatever the thread count), and the re-run that
//! explains a failure with its trace and checks that it replays identically.

use std::fmt::Debug;
use std::ops::ControlFlow;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::per_seed::PerSeed;
use crate::decision::rng::Rng;
use crate::decision::seeded::Seeded;
use crate::decision::{DecisionSource, Stream};
use crate::forensics::choices::Choices;
use crate::forensics::digest::Digest;
use crate::id::Message;
use crate::panics::{Caught, guarded, quiet};
use crate::pool::{self, Ahead};
use crate::sim::disk::Disks;
use crate::sim::error::SetupError;
use crate::sim::faults::{FaultSchedule, Plan};
use crate::sim::network::NetworkModel;
use crate::sim::storage::StorageModel;
use crate::sim::trace::Trace;
use crate::sim::{Simulation, StopReason};
use crate::sweep::coverage::Hits;
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
    pub(super) scenario: &'a Scenario<S, M>,
    pub(super) settings: &'a RunSettings,
    invariants: Vec<Check<S>>,
    /// The coverage sites on the world, the registered `#[sometimes]` ones included.
    sometimes: Vec<(String, crate::property::Predicate<S>)>,
    pub(super) max_steps: u64,
    /// The scenario's fault schedule, when it is the same for every seed: shared by the runs
    /// of a chunk (and compiled once for them), not copied into each.
    fixed_faults: Option<FaultSchedule>,
}

/// What the runs of one chunk of seeds share: the last run's simulation, reset in place for
/// the next, and the scenario's fixed fault schedule (one handle per chunk, so that threads do
/// not count references on one shared cache line).
pub(crate) struct Reuse<S, M, D> {
    /// The last run's simulation, kept while the runs pass (and `keep_resident`).
    resident: Option<Simulation<S, M, D>>,
    /// Keep a passing run's simulation for the next run, rather than take it apart to return
    /// its decisions and trace.
    keep_resident: bool,
    fixed_faults: Option<Arc<FaultSchedule>>,
}

/// A run's simulation, ready to configure, and its environment.
type Ready<'r, S, M, D> = (&'r mut Simulation<S, M, D>, RunEnvironment<M>);

/// Where a run's decision source comes from: a `D` given whole, or something that renews the
/// last run's source in place.
pub(crate) trait Renew<D> {
    /// The source, for a run with none to reuse.
    fn fresh(self) -> D;
    /// Makes `used`, the last run's source, this run's.
    fn renew(self, used: &mut D);
}

impl<D: DecisionSource> Renew<D> for D {
    fn fresh(self) -> D {
        self
    }

    fn renew(self, used: &mut D) {
        *used = self;
    }
}

/// The seeded source of a seed, made from the last run's in place.
struct Reseed(u64);

impl Renew<Seeded> for Reseed {
    fn fresh(self) -> Seeded {
        Seeded::new(self.0)
    }

    fn renew(self, used: &mut Seeded) {
        used.reseed(self.0);
    }
}

/// Which run of a call failed: the seed at an index of the settings' seeds, or a regression
/// entry (replayed before the seeds).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Position {
    Seed(usize),
    Regression(usize),
}

/// The lowest failing seed of a list (its index and what failed), and the steps run up to it.
#[derive(Default)]
struct FirstFailure {
    failed: Option<(usize, SeedFailure<()>)>,
    steps: u64,
    /// The fingerprints of the passing seeds whose determinism is checked: `(index, print)`.
    fingerprints: Vec<(usize, u64)>,
    /// How many runs ended as soon as the goal held after the last heal.
    settled: usize,
    /// The coverage sites of the runs, with their hits.
    coverage: Hits,
}

impl FirstFailure {
    /// Adds what the next chunk of seeds found; stops at a failure.
    fn absorb(&mut self, part: FirstFailure) -> ControlFlow<()> {
        self.steps += part.steps;
        self.settled += part.settled;
        self.coverage.absorb(&part.coverage);
        self.fingerprints.extend(part.fingerprints);
        self.failed = part.failed;
        match self.failed {
            Some(_) => ControlFlow::Break(()),
            None => ControlFlow::Continue(()),
        }
    }
}

/// What one seed's run found.
pub(crate) struct SeedRun<S, D> {
    /// What failed (boxed: most runs pass, and every run is moved).
    pub(crate) failure: Option<Box<SeedFailure<S>>>,
    pub(crate) steps: u64,
    pub(crate) decisions: Option<D>,
    pub(crate) trace: Option<Trace>,
    /// Its faults, when the run was asked to count them ([`How::forensic`]); boxed, as most
    /// runs count nothing and every seed's run is moved.
    pub(crate) faults: Option<Box<FaultCount>>,
    /// Its fingerprint, when asked for ([`How::fingerprint`]).
    pub(crate) fingerprint: Option<u64>,
    /// Whether it ended as soon as the goal held after the last heal (`converge_within`).
    pub(crate) settled: bool,
    /// Its coverage sites (`ctx.sometimes`, `Scenario::sometimes`), if any was declared.
    pub(crate) coverage: Option<Box<Hits>>,
}

/// The faults of a run, for shrinking: the schedule's original lengths, how many of them the
/// run kept, and the lengths of the nemesis's, with how many were injected.
#[derive(Clone, Debug, Default)]
pub(crate) struct FaultCount {
    pub(crate) schedule_lengths: Vec<u64>,
    pub(crate) schedule_kept: usize,
    pub(crate) nemesis_lengths: Vec<u64>,
    pub(crate) nemesis_injected: usize,
}

/// How to run one seed.
pub(crate) struct How<'a, S> {
    pub(crate) factory: &'a SharedFactory<S>,
    /// Record the trace.
    pub(crate) record: bool,
    /// Count the faults, and apply these choices' fault edits and step bound.
    pub(crate) forensic: Option<&'a Choices>,
    /// Take the run's fingerprint (its steps and its world at the end).
    pub(crate) fingerprint: bool,
}

impl<S> Clone for How<'_, S> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<S> Copy for How<'_, S> {}

impl<'a, S> How<'a, S> {
    /// A plain run: no trace, nothing counted.
    pub(crate) fn plain(factory: &'a SharedFactory<S>) -> Self {
        How {
            factory,
            record: false,
            forensic: None,
            fingerprint: false,
        }
    }
}

impl<S, D> SeedRun<S, D> {
    /// A seed that failed before its simulation existed.
    fn unbuilt(cause: FailureCause) -> Self {
        SeedRun {
            failure: Some(Box::new(SeedFailure::unbuilt(cause))),
            steps: 0,
            decisions: None,
            trace: None,
            faults: None,
            fingerprint: None,
            settled: false,
            coverage: None,
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

    pub(super) fn option_problem(&self) -> Option<SetupError> {
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
        let failure = self.failure(
            SeedFailure::unbuilt(cause),
            settings,
            Position::Seed(0),
            None,
        );
        SimReport {
            scenario: self.name.clone(),
            runs: 0,
            steps: 0,
            settled: 0,
            coverage: Hits::default(),
            failure: Some(failure),
            expected: self.expected,
        }
    }

    /// The report's failure for the seed at `index` of the settings' seeds.
    pub(super) fn failure(
        &self,
        failure: SeedFailure<S>,
        settings: &RunSettings,
        position: Position,
        nondeterminism: Option<String>,
    ) -> SimFailure<S> {
        let (seed, run, runs_planned, regression) = match position {
            Position::Seed(index) => {
                let seed = settings.seeds.get(index).copied().unwrap_or(0);
                (seed, index + 1, settings.seeds.len(), false)
            }
            Position::Regression(index) => {
                let seed = settings.regressions.get(index).map_or(0, |r| r.0);
                (seed, index + 1, settings.regressions.len(), true)
            }
        };
        SimFailure {
            scenario: self.name.clone(),
            seed,
            failure,
            trace: None,
            decisions: Vec::new(),
            nondeterminism,
            replay: match position {
                Position::Seed(_) => self.replay_line(seed, settings),
                Position::Regression(_) => self.rerun_line(settings),
            },
            run,
            runs_planned,
            shrinking: None,
            choices: None,
            regression,
            picture: None,
            hide_timers: self.hide_timers || settings.hide_timers,
            mix: crate::sweep::swarm::mix_of(self, seed),
        }
    }
}

impl<'a, S: System<M> + Debug + 'static, M: Message> Execution<'a, S, M> {
    pub(crate) fn new(scenario: &'a Scenario<S, M>, settings: &'a RunSettings) -> Self {
        Execution {
            scenario,
            settings,
            invariants: scenario.all_invariants(),
            sometimes: scenario.all_sometimes(),
            max_steps: scenario.max_steps_under(settings),
            fixed_faults: match &scenario.faults {
                PerSeed::Fixed(schedule) => Some(schedule.clone()),
                PerSeed::Generated(_) => None,
            },
        }
    }

    /// Runs the seeds and reports the first failing one in seed order.
    pub(crate) fn run(&self) -> SimReport<S> {
        if let Some(report) = self.replay_regressions() {
            return report;
        }
        let first = self.first_failure();
        let below = first
            .failed
            .as_ref()
            .map_or(usize::MAX, |(index, _)| *index);
        let lying = self.lying_seed(&first.fingerprints, below);
        let runs = self.settings.seeds.len();
        let uncovered = self.uncovered(&first.coverage, runs, first.failed.is_some());
        let failure = match (lying, first.failed) {
            (Some(lie), _) => Some(lie),
            (None, None) if uncovered.is_some() => uncovered,
            (None, Some((index, failure))) => {
                let seed = self.settings.seeds[index];
                Some(self.explain(failure, seed, Position::Seed(index), None))
            }
            (None, None) => None,
        };
        let runs = failure
            .as_ref()
            .map_or(self.settings.seeds.len(), |f| f.run);
        if self.settings.trace_all {
            self.draw_passing(runs, failure.as_ref().map(SimFailure::seed));
        }
        SimReport {
            scenario: self.scenario.name.clone(),
            runs,
            steps: first.steps,
            settled: first.settled,
            coverage: first.coverage,
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
            let mut part = FirstFailure::default();
            let start = number * size;
            let end = (start + size).min(seeds.len());
            let factory = chunk_factory(&self.scenario.factory);
            // What one seed's run leaves, the next one on this thread reuses.
            let mut reuse = self.reuse(true);
            for (index, &seed) in seeds[start..end].iter().enumerate() {
                let index = start + index;
                if index > lowest.load(Ordering::Relaxed) {
                    break;
                }
                let how = How {
                    fingerprint: self.checks_determinism_of(index),
                    ..How::plain(&factory)
                };
                let run = self.run_seed_reusing(how, Reseed(seed), &mut reuse);
                part.steps += run.steps;
                part.settled += usize::from(run.settled);
                if let Some(hits) = &run.coverage {
                    part.coverage.absorb(hits);
                }
                if let Some(failure) = run.failure {
                    lowest.fetch_min(index, Ordering::Relaxed);
                    part.failed = Some((index, (*failure).forget_world()));
                    return part;
                }
                if let Some(print) = run.fingerprint {
                    part.fingerprints.push((index, print));
                }
            }
            part
        };
        let mut first = FirstFailure::default();
        let chunks = seeds.len().div_ceil(size);
        // One thread, or one chunk: no worker is worth starting.
        let threads = match self.settings.jobs.min(chunks) {
            0 | 1 => 0,
            threads => threads,
        };
        pool::in_order(chunks, threads, Ahead::Unbounded, &chunk, |_, part| {
            first.absorb(part)
        });
        first
    }

    /// Gives `sim` the scenario's nemesis and buggify, and a forensic run's nemesis edits;
    /// returns the run's step bound.
    #[inline(always)]
    fn arm<D: DecisionSource>(&self, sim: &mut Simulation<S, M, D>, how: How<'_, S>) -> u64 {
        let scenario = self.scenario;
        if let Some(nemesis) = &scenario.nemesis {
            sim.set_nemesis(Arc::clone(nemesis), scenario.nemesis_until);
        }
        if scenario.buggify {
            sim.enable_buggify();
        }
        if scenario.history.is_some() {
            sim.enable_history();
        }
        let mut max_steps = self.max_steps;
        if let Some(choices) = how.forensic {
            sim.set_nemesis_edits(choices.nemesis_edits().clone());
            max_steps = choices
                .max_steps()
                .map_or(max_steps, |bound| bound.min(max_steps));
        }
        max_steps
    }

    /// Runs one seed with `decisions`, checking the oracle after every step; the panics of its
    /// user code are caught, and kept quiet.
    #[inline(always)]
    pub(crate) fn run_seed<D: DecisionSource>(
        &self,
        how: How<'_, S>,
        decisions: D,
    ) -> SeedRun<S, D> {
        self.run_seed_reusing(how, decisions, &mut self.reuse(false))
    }

    /// What a chunk's runs share, before the first.
    fn reuse<D>(&self, keep_resident: bool) -> Reuse<S, M, D> {
        Reuse {
            resident: None,
            keep_resident,
            fixed_faults: self.fixed_faults.clone().map(Arc::new),
        }
    }

    /// [`Execution::run_seed`], reusing the simulation (or its storage) the last run on this
    /// thread left in `reuse` (and leaving this run's there).
    #[inline(always)]
    pub(crate) fn run_seed_reusing<D: DecisionSource>(
        &self,
        how: How<'_, S>,
        decisions: impl Renew<D>,
        reuse: &mut Reuse<S, M, D>,
    ) -> SeedRun<S, D> {
        let _quiet = quiet();
        let scenario = self.scenario;
        let (sim, (network, faults, storage, mut count)) =
            match self.simulation(how, decisions, reuse) {
                Ok(ready) => ready,
                Err(cause) => return SeedRun::unbuilt(cause),
            };
        let mut oracle = Oracle::new(
            &self.invariants,
            scenario.refinement.as_deref(),
            scenario.goal.as_ref(),
            scenario.converge_within,
            !faults.schedule().is_empty() || scenario.nemesis.is_some(),
        )
        .keep_running(scenario.keep_running)
        .sometimes(&self.sometimes);
        sim.configure(network, faults, storage, how.record);
        let max_steps = self.arm(sim, how);
        let mut digest = how.fingerprint.then(Digest::default);
        let cause = drive(sim, &mut oracle, max_steps, digest.as_mut())
            .or_else(|| judge_history(scenario, sim, how.record));
        let fingerprint = digest.map(|mut digest| {
            digest.world(&format!("{:?}", sim.world()));
            digest.finish()
        });
        if let Some(count) = &mut count {
            let (lengths, injected) = sim.nemesis_faults();
            count.nemesis_lengths = lengths.to_vec();
            count.nemesis_injected = injected as usize;
        }
        let failure = cause.map(|cause| failure_of(sim, cause));
        let steps = sim.steps();
        // Ended early: the goal held after the last heal with events still to come.
        let settled = oracle.settled() && sim.skip_non_steps();
        let coverage = coverage_of(sim, &oracle);
        let keep = reuse.keep_resident && failure.is_none() && !how.record;
        let parts = if keep { None } else { reuse.take_apart() };
        let mut run = finished(parts, failure, steps, count, fingerprint);
        run.settled = settled;
        run.coverage = coverage;
        run
    }

    /// The simulation of a run and its environment: the resident one reset in place with the
    /// system the factory builds, or one built (and so moved) once.
    #[inline(always)]
    fn simulation<'r, D: DecisionSource>(
        &self,
        how: How<'_, S>,
        decisions: impl Renew<D>,
        reuse: &'r mut Reuse<S, M, D>,
    ) -> Result<Ready<'r, S, M, D>, FailureCause> {
        let fixed_faults = reuse.fixed_faults.as_ref();
        match &mut reuse.resident {
            Some(sim) => {
                decisions.renew(sim.decisions_mut());
                let (environment, system) = self.prepare(how, fixed_faults, sim.decisions_mut())?;
                sim.reset(system, how.factory);
                Ok((sim, environment))
            }
            resident @ None => {
                let mut decisions = decisions.fresh();
                let (environment, system) = self.prepare(how, fixed_faults, &mut decisions)?;
                let factory = Arc::clone(how.factory);
                let sim = Simulation::from_built(system, factory, decisions);
                Ok((resident.insert(sim), environment))
            }
        }
    }

    /// The environment of a run (network, faults, storage, fault count) and its system, drawn
    /// from `decisions`; a panic in a generator or the factory is the run's failure.
    #[inline(always)]
    fn prepare<D: DecisionSource>(
        &self,
        how: How<'_, S>,
        fixed_faults: Option<&Arc<FaultSchedule>>,
        decisions: &mut D,
    ) -> Result<(RunEnvironment<M>, S), FailureCause> {
        let scenario = self.scenario;
        let environment = environment(scenario, fixed_faults, how, decisions)?;
        // Only the factory runs under `guarded`: the system is moved as little as can be.
        let built = guarded(|| (scenario.factory)(&mut Rng::new(decisions, Stream::Setup)));
        match built {
            Ok(system) => Ok((environment, system)),
            Err(panic) => Err(panicked("the factory", panic)),
        }
    }
}

impl<S: System<M>, M: Message, D: DecisionSource> Reuse<S, M, D> {
    /// Takes the resident simulation apart: its world, decisions and trace.
    fn take_apart(&mut self) -> Option<(S, D, Option<Trace>)> {
        Some(self.resident.take()?.into_parts())
    }
}

/// A finished run as a [`SeedRun`]: what failed (with the world), its steps, its decisions,
/// trace (none for a simulation kept for the next run), fault count and fingerprint.
#[inline(always)]
fn finished<S, D>(
    parts: Option<(S, D, Option<Trace>)>,
    mut failure: Option<SeedFailure<S>>,
    steps: u64,
    count: Option<Box<FaultCount>>,
    fingerprint: Option<u64>,
) -> SeedRun<S, D> {
    let (world, decisions, trace) = match parts {
        Some((world, decisions, trace)) => (Some(world), Some(decisions), trace),
        None => (None, None, None),
    };
    if let Some(failure) = &mut failure {
        failure.world = world;
    }
    SeedRun {
        failure: failure.map(Box::new),
        steps,
        decisions,
        trace,
        faults: count,
        fingerprint,
        settled: false,
        coverage: None,
    }
}

/// The scenario's verdict on the history the run recorded, if it checks one.
#[inline(always)]
fn judge_history<S: System<M>, M: Message, D: DecisionSource>(
    scenario: &Scenario<S, M>,
    sim: &Simulation<S, M, D>,
    explain: bool,
) -> Option<FailureCause> {
    let check = scenario.history.as_ref()?;
    check.judge(sim.recorded_history()?, sim.names(), explain)
}

/// The coverage sites of a finished run: the nodes' and the world's.
#[inline(always)]
fn coverage_of<S: System<M>, M: Message, D: DecisionSource>(
    sim: &mut Simulation<S, M, D>,
    oracle: &Oracle<'_, S>,
) -> Option<Box<Hits>> {
    let nodes = sim.take_coverage();
    let Some(world) = oracle.hits() else {
        return nodes;
    };
    let mut hits = nodes.unwrap_or_default();
    hits.absorb(&world);
    Some(hits)
}

/// A seed's environment as one run uses it: its network, its faults (with the fault edits of a
/// forensic run applied), its storage (`None`: reliable), and, for a forensic run, the count
/// of its faults.
type RunEnvironment<M> = (
    NetworkModel<M>,
    Plan,
    Option<Box<StorageModel>>,
    Option<Box<FaultCount>>,
);

/// The environment of one run of `scenario` (see [`RunEnvironment`]).
#[inline(always)]
fn environment<S: System<M> + Debug + 'static, M: Message, D: DecisionSource>(
    scenario: &Scenario<S, M>,
    fixed_faults: Option<&Arc<FaultSchedule>>,
    how: How<'_, S>,
    decisions: &mut D,
) -> Result<RunEnvironment<M>, FailureCause> {
    let (network, mut faults) = generate(scenario, fixed_faults, decisions)?;
    let count = how.forensic.map(|choices| {
        let schedule_lengths = faults.schedule().lengths();
        faults = Plan::Own(faults.schedule().edited(choices.fault_edits()));
        Box::new(FaultCount {
            schedule_lengths,
            schedule_kept: faults.schedule().len(),
            ..FaultCount::default()
        })
    });
    let storage = match &scenario.storage {
        Some(storage) => Some(Box::new(storage_of(storage, decisions)?)),
        None => None,
    };
    Ok((network, faults, storage, count))
}

/// The seed's network and faults, from the environment stream in that order; a panic in a
/// generator is a failure naming it (one `guarded` for both: this runs for every seed).
#[inline(always)]
fn generate<S: System<M> + Debug + 'static, M: Message, D: DecisionSource>(
    scenario: &Scenario<S, M>,
    fixed_faults: Option<&Arc<FaultSchedule>>,
    decisions: &mut D,
) -> Result<(NetworkModel<M>, Plan), FailureCause> {
    let mut rng = Rng::new(decisions, Stream::Environment);
    let running = std::cell::Cell::new("network");
    let generated = guarded(|| {
        let network = scenario.network.resolve(&mut rng);
        running.set("fault");
        let faults = match fixed_faults {
            // A fixed schedule draws nothing: sharing it keeps the seed's draws.
            Some(schedule) => Plan::Shared(Arc::clone(schedule)),
            None => Plan::Own(scenario.faults.resolve(&mut rng)),
        };
        (network, faults)
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
#[inline(always)]
fn drive<S: System<M> + Debug, M: Message, D: DecisionSource>(
    sim: &mut Simulation<S, M, D>,
    oracle: &mut Oracle<'_, S>,
    max_steps: u64,
    mut digest: Option<&mut Digest>,
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
        if sim.steps() >= max_steps {
            break sim.at_most_steps();
        }
        match guarded(|| sim.process_next()) {
            Ok(None) => break StopReason::Quiescent,
            Ok(Some(step)) => {
                if let Some(digest) = digest.as_deref_mut() {
                    digest.step(&step);
                }
            }
            Err(panic) => return in_handler(sim, panic),
        }
        if traced {
            snapshot(sim);
        }
        if let Some(cause) = oracle.observe(sim) {
            return Some(cause);
        }
        if oracle.settled() {
            break StopReason::Until;
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
