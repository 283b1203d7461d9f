//! [`Scenario`]: a system factory plus an environment (seeds, network, faults) and the
//! properties to check, run seed after seed. This is what `#[musil::scenario]` expands to.

use std::fmt::Debug;
use std::sync::Arc;

use crate::decision::{DecisionRecord, DecisionSource, Recording, Rng, Seeded, Stream};
use crate::factory::{Factory, SharedFactory};
use crate::faults::FaultSchedule;
use crate::network::NetworkModel;
use crate::node::Message;
use crate::oracle::{Finding, Goal, Invariant, InvariantOutcome, Oracle, guarded};
use crate::plan::{IntoPlan, Plan};
use crate::replay;
use crate::report::{FailureKind, SimFailure, SimReport};
use crate::sim::{Simulation, StopReason};
use crate::system::System;
use crate::trace::Trace;

/// The default seeds: `0..100`.
pub const DEFAULT_SEEDS: std::ops::Range<u64> = 0..100;

/// The default bound on steps per run.
pub const DEFAULT_MAX_STEPS: u64 = 10_000;

/// A scenario: how to build the system, the environment it runs in, and what must hold.
///
/// ```
/// use musil_core::{Context, Node, NodeId, NetworkModel, Scenario};
/// # use musil_core::{NodeVisitor, System};
///
/// #[derive(Clone, Debug)]
/// enum Msg { Req, Ack }
///
/// #[derive(Debug, Default)]
/// struct Client { acked: bool }
/// impl Node<Msg> for Client {
///     fn on_start(&mut self, ctx: &mut Context<Msg>) { self.retry(ctx) }
///     fn on_timer(&mut self, ctx: &mut Context<Msg>, _: &'static str) { self.retry(ctx) }
///     fn on_message(&mut self, ctx: &mut Context<Msg>, _: NodeId, _: Msg) {
///         self.acked = true;
///         ctx.cancel_timer("retry");
///     }
/// }
/// impl Client {
///     fn retry(&mut self, ctx: &mut Context<Msg>) {
///         ctx.send("server", Msg::Req);
///         ctx.set_timer("retry", 4);
///     }
/// }
///
/// #[derive(Debug, Default)]
/// struct Server;
/// impl Node<Msg> for Server {
///     fn on_message(&mut self, ctx: &mut Context<Msg>, from: NodeId, _: Msg) { ctx.send(from, Msg::Ack) }
/// }
/// # #[derive(Debug, Default)] struct World { client: Client, server: Server }
/// # impl System<Msg> for World {
/// #     fn node_count(&self) -> usize { 2 }
/// #     fn node_name(&self, id: NodeId) -> String { ["client", "server"][id.index()].into() }
/// #     fn visit_node<V: NodeVisitor<Msg>>(&mut self, id: NodeId, v: V) -> V::Output {
/// #         if id.index() == 0 { v.visit(&mut self.client) } else { v.visit(&mut self.server) }
/// #     }
/// #     fn replace_node(&mut self, _: NodeId, fresh: &mut Self) { std::mem::swap(self, fresh) }
/// # }
///
/// let report = Scenario::new(World::default)
///     .name("retrying_client")
///     .seeds(0..50)
///     .network(NetworkModel::reliable().loss(0.3).latency(1, 3))
///     .goal("acked", |w: &World| w.client.acked)
///     .run();
/// assert!(report.ok(), "{report}");
/// ```
pub struct Scenario<S, M> {
    name: String,
    factory: SharedFactory<S>,
    seeds: Vec<u64>,
    network: Plan<NetworkModel<M>>,
    faults: Plan<FaultSchedule>,
    invariants: Vec<Invariant<S>>,
    goal: Option<Goal<S>>,
    converge_within: Option<u64>,
    max_steps: u64,
    replay_command: Option<String>,
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
    /// Whether `other` is the same failure (used to detect a nondeterministic re-run).
    fn same_as(&self, other: &Found<S>) -> bool {
        (
            self.kind,
            &self.detail,
            self.step,
            self.time,
            &self.world_debug,
        ) == (
            other.kind,
            &other.detail,
            other.step,
            other.time,
            &other.world_debug,
        )
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

impl<S: System<M> + Debug, M: Message> Scenario<S, M> {
    /// A scenario of the systems `factory` builds: a `fn() -> S`, or a `fn(&mut Rng) -> S` to
    /// build differently per seed. It is called once per seed, and again to rebuild one node on
    /// a cold restart. Defaults: seeds `0..100`, a reliable network, no faults, `max_steps`
    /// 10 000, named after the factory.
    pub fn new<Marker>(factory: impl Factory<S, Marker>) -> Self {
        let name = default_name(std::any::type_name_of_val(&factory));
        Scenario {
            name,
            factory: factory.into_shared(),
            seeds: DEFAULT_SEEDS.collect(),
            network: Plan::Fixed(NetworkModel::reliable()),
            faults: Plan::Fixed(FaultSchedule::new()),
            invariants: Vec::new(),
            goal: None,
            converge_within: None,
            max_steps: DEFAULT_MAX_STEPS,
            replay_command: None,
        }
    }

    /// Names the scenario in reports.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// The seeds to run, in order: a range, an inclusive range, an array or any iterator.
    pub fn seeds(mut self, seeds: impl IntoIterator<Item = u64>) -> Self {
        self.seeds = seeds.into_iter().collect();
        self
    }

    /// The network: a [`NetworkModel`], or `fn(&mut Rng) -> NetworkModel` for one per seed.
    pub fn network(mut self, network: impl IntoPlan<NetworkModel<M>>) -> Self {
        self.network = network.into_plan();
        self
    }

    /// The faults: a [`FaultSchedule`], or `fn(&mut Rng) -> FaultSchedule` for one per seed.
    pub fn faults(mut self, faults: impl IntoPlan<FaultSchedule>) -> Self {
        self.faults = faults.into_plan();
        self
    }

    /// Adds an invariant, checked after the start and after every step. `check` returns a
    /// `bool` or a `Result<(), impl Display>` whose error is the reason shown. Invariants are
    /// checked in name order (then in the order added).
    pub fn invariant<R: InvariantOutcome>(
        mut self,
        name: impl Into<String>,
        check: impl Fn(&S) -> R + Send + Sync + 'static,
    ) -> Self {
        let check = Arc::new(move |world: &S| check(world).into_verdict());
        self.invariants.push(Invariant {
            name: name.into(),
            check,
        });
        self.invariants.sort_by(|a, b| a.name.cmp(&b.name));
        self
    }

    /// The goal: must hold when the run ends (quiescent or at `max_steps`). A missed goal is a
    /// `goal` failure without faults and a `liveness` failure with them.
    pub fn goal(
        mut self,
        name: impl Into<String>,
        holds: impl Fn(&S) -> bool + Send + Sync + 'static,
    ) -> Self {
        self.goal = Some(Goal {
            name: name.into(),
            holds: Arc::new(holds),
        });
        self
    }

    /// Once the last fault has healed (from the start without faults), the goal must hold within
    /// `steps` steps: the run fails when the goal is false at the first observation at or after
    /// the heal time and after each of the `steps` steps that follow (consecutively; the count
    /// restarts whenever the goal holds). This catches livelocks. The failure is `liveness` with
    /// faults and `goal` without.
    pub fn converge_within(mut self, steps: u64) -> Self {
        self.converge_within = Some(steps);
        self
    }

    /// The bound on steps per run.
    pub fn max_steps(mut self, steps: u64) -> Self {
        self.max_steps = steps;
        self
    }

    /// The command a failure report tells the user to prefix with `MUSIL_SEED=N` (default: the
    /// current program, as `cargo run --example NAME` for examples).
    pub fn replay_command(mut self, command: impl Into<String>) -> Self {
        self.replay_command = Some(command.into());
        self
    }

    /// The scenario's name.
    pub fn scenario_name(&self) -> &str {
        &self.name
    }

    /// The declared seeds.
    pub fn declared_seeds(&self) -> &[u64] {
        &self.seeds
    }

    /// Runs the seeds in order and stops at the first failing one; `MUSIL_SEED=N` in the
    /// environment narrows the run to exactly seed `N`.
    pub fn run(&self) -> SimReport<S> {
        match replay::seed_from_env() {
            Ok(Some(seed)) => self.run_seeds(&[seed]),
            Ok(None) => self.run_seeds(&self.seeds),
            Err(problem) => self.invalid_report(problem, &self.seeds),
        }
    }

    /// Runs exactly `seeds`, in order, ignoring the environment; stops at the first failure.
    pub fn run_seeds(&self, seeds: &[u64]) -> SimReport<S> {
        if let Some(problem) = self.option_problem() {
            return self.invalid_report(problem, seeds);
        }
        for (index, &seed) in seeds.iter().enumerate() {
            let run = self.run_seed(Seeded::new(seed), false);
            if let Some(found) = run.found {
                let failure = self.explain(found, seed, index + 1, seeds.len());
                return SimReport {
                    scenario: self.name.clone(),
                    runs: index + 1,
                    failure: Some(failure),
                };
            }
        }
        SimReport {
            scenario: self.name.clone(),
            runs: seeds.len(),
            failure: None,
        }
    }

    fn option_problem(&self) -> Option<String> {
        (self.converge_within.is_some() && self.goal.is_none())
            .then(|| "converge_within needs a goal: add .goal(name, predicate)".to_string())
    }

    /// A report for a scenario that cannot run at all, against the seeds it was asked to run.
    fn invalid_report(&self, problem: String, seeds: &[u64]) -> SimReport<S> {
        let seed = seeds.first().copied().unwrap_or(0);
        let found = Found {
            kind: FailureKind::InvalidScenario,
            detail: problem,
            step: 0,
            time: 0,
            world: None,
            world_debug: "<not built>".to_string(),
        };
        let failure = self.failure(found, seed, 1, seeds.len(), None);
        SimReport {
            scenario: self.name.clone(),
            runs: 0,
            failure: Some(failure),
        }
    }

    /// Re-runs a failing seed with a recording decision source to get its trace, and checks
    /// that the re-run fails the same way.
    fn explain(&self, found: Found<S>, seed: u64, run: usize, planned: usize) -> SimFailure<S> {
        let rerun = self.run_seed(Recording::new(Seeded::new(seed)), true);
        let nondeterminism = match &rerun.found {
            Some(again) if again.same_as(&found) => None,
            Some(again) => Some(format!(
                "re-running seed {seed} to record its trace failed differently: first {}, then {}. \
                 The run depends on something outside musil's control (wall clock, hash-map order, \
                 global state, threads); the trace below is the re-run's",
                found.summary(),
                again.summary()
            )),
            None => Some(format!(
                "re-running seed {seed} to record its trace did not fail (first: {}). The run depends \
                 on something outside musil's control (wall clock, hash-map order, global state, \
                 threads); the trace below is the re-run's",
                found.summary()
            )),
        };
        let mut failure = self.failure(found, seed, run, planned, nondeterminism);
        failure.trace = rerun.trace;
        failure.decisions = rerun.decisions.map(Recording::into_log).unwrap_or_default();
        failure
    }

    fn failure(
        &self,
        found: Found<S>,
        seed: u64,
        run: usize,
        planned: usize,
        nondeterminism: Option<String>,
    ) -> SimFailure<S> {
        let command = self
            .replay_command
            .clone()
            .unwrap_or_else(replay::current_program_command);
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
            decisions: Vec::<DecisionRecord>::new(),
            nondeterminism,
            replay: format!("{}={seed} {command}", replay::SEED_VAR),
            run,
            runs_planned: planned,
        }
    }

    /// Runs one seed with `decisions`, checking the oracle after every step.
    fn run_seed<D: DecisionSource>(&self, mut decisions: D, record: bool) -> SeedRun<S, D> {
        let environment = guarded(|| {
            let mut rng = Rng::new(&mut decisions, Stream::Environment);
            (
                self.network.resolve(&mut rng),
                self.faults.resolve(&mut rng),
            )
        });
        let (network, faults) = match environment {
            Ok(pair) => pair,
            Err(panic) => {
                return unbuilt(
                    FailureKind::Panic,
                    format!("in the network or fault generator: {panic}"),
                );
            }
        };
        let factory = Arc::clone(&self.factory);
        let sim = match guarded(move || Simulation::from_shared_factory(factory, decisions)) {
            Ok(sim) => sim,
            Err(panic) => return unbuilt(FailureKind::Panic, format!("in the factory: {panic}")),
        };
        let has_faults = !faults.is_empty();
        let mut oracle = Oracle::new(
            &self.invariants,
            self.goal.as_ref(),
            self.converge_within,
            faults.heal_time(),
            has_faults,
        );
        let mut sim = sim.network(network).faults(faults);
        if record {
            sim = sim.record_trace();
        }
        let found = self.drive(&mut sim, &mut oracle);
        let (step, time) = (sim.steps(), sim.now());
        let world_debug = guarded(|| format!("{:?}", sim.world()))
            .unwrap_or_else(|panic| format!("<Debug of the world panicked: {panic}>"));
        let (world, decisions, trace) = sim.into_parts();
        let found = found.map(|(kind, detail)| Found {
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

    /// Starts the simulation and steps it, consulting the oracle, until a finding or the end.
    fn drive<D: DecisionSource>(
        &self,
        sim: &mut Simulation<S, M, D>,
        oracle: &mut Oracle<'_, S>,
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
            if sim.steps() >= self.max_steps {
                break StopReason::MaxSteps;
            }
            if let Err(panic) = guarded(|| sim.step()) {
                return in_handler(sim, panic);
            }
            if let Some(finding) = oracle.observe(sim.world(), sim.now()) {
                return Some(finding);
            }
        };
        oracle.finish(sim.world(), reason, sim.steps())
    }
}

/// A seed that failed before its system existed.
fn unbuilt<S, D>(kind: FailureKind, detail: String) -> SeedRun<S, D> {
    let world_debug = "<not built>".to_string();
    let found = Found {
        kind,
        detail,
        step: 0,
        time: 0,
        world: None,
        world_debug,
    };
    SeedRun {
        found: Some(found),
        decisions: None,
        trace: None,
    }
}

/// A readable default name from a factory's type name: `crate::module::function` becomes
/// `module::function`.
fn default_name(type_name: &str) -> String {
    match type_name.split_once("::") {
        Some((_, rest)) if !rest.is_empty() => rest.to_string(),
        _ => type_name.to_string(),
    }
}
