//! Many seeds of one system: [`Scenario`], a system factory plus an environment (seeds,
//! network, faults) and the properties to check — the builder that `#[musil::scenario]` expands
//! to — and [`RunSettings`], what one call runs. Its children: `per_seed` (settings generated
//! per seed), `env` (the `MUSIL_*` variables), `execute` (running the seeds), `batches` (a
//! sweep of open length, batch by batch), `oracle` (what is checked after each step),
//! `history_check` (judging the history a run records), `refinement` (holding a run to a model)
//! and `report`.

use std::fmt::Debug;
use std::hash::Hash;
use std::sync::Arc;

use crate::check::model::Model;
use crate::forensics::choices::Choices;
use crate::id::Message;
use crate::property::{Goal, Invariant, InvariantOutcome};
use crate::sim::disk::Disks;
use crate::sim::faults::FaultSchedule;
use crate::sim::nemesis::{FaultControl, NemesisFn};
use crate::sim::network::NetworkModel;
use crate::sim::storage::StorageModel;
use crate::system::System;
use crate::system::factory::{Factory, SharedFactory};

mod batches;
mod checks;
mod determinism;
pub mod env;
pub use env::Determinism;
mod execute;
mod explain;
pub mod history_check;
mod oracle;
pub mod per_seed;
mod refinement;
pub mod report;

use checks::DiskInvariant;
pub use oracle::Convergence;
use per_seed::{IntoPerSeed, PerSeed};
use refinement::{Refinement, Refines};
use report::ShouldFail;

/// How a swarm scenario describes a seed's mix, after shrinking's edits of its faults.
type DescribeMix =
    dyn Fn(u64, &crate::forensics::choices::FaultEdits) -> Option<String> + Send + Sync;

/// The default seeds: `0..100`.
pub const DEFAULT_SEEDS: std::ops::Range<u64> = 0..100;

/// The default bound on steps per run.
pub const DEFAULT_MAX_STEPS: u64 = 10_000;

/// A scenario: how to build the system, the environment it runs in, and what must hold.
///
/// ```
/// use musil_core::{Context, Node, NodeId, NetworkModel, RunSettings, Scenario};
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
/// #     fn node_name(&self, id: NodeId) -> std::borrow::Cow<'static, str> { ["client", "server"][id.index()].into() }
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
///     .execute(&RunSettings::seeds(0..50));
/// assert!(report.ok(), "{report}");
/// ```
pub struct Scenario<S, M> {
    pub(crate) name: String,
    pub(crate) factory: SharedFactory<S>,
    pub(crate) seeds: Vec<u64>,
    pub(crate) network: PerSeed<NetworkModel<M>>,
    pub(crate) faults: PerSeed<FaultSchedule>,
    /// `None`: `StorageModel::reliable()` (kept apart so that the seeds of a scenario without
    /// disks neither build nor move a storage model).
    pub(crate) storage: Option<PerSeed<StorageModel>>,
    pub(crate) nemesis: Option<NemesisFn<S>>,
    pub(crate) nemesis_until: Option<u64>,
    pub(crate) invariants: Vec<Invariant<S>>,
    pub(crate) disk_invariants: Vec<DiskInvariant<S>>,
    pub(crate) goal: Option<Goal<S>>,
    pub(crate) converge_within: Option<Convergence>,
    pub(crate) max_steps: u64,
    pub(crate) hide_timers: bool,
    pub(crate) keep_running: bool,
    pub(crate) sometimes: Vec<(String, crate::property::Predicate<S>)>,
    /// How each run's recorded history is judged, if it is.
    pub(crate) history: Option<history_check::HistoryCheck>,
    /// Redraws a seed's swarm mix and describes it, when the faults come from `Scenario::swarm`.
    #[allow(clippy::type_complexity)]
    pub(crate) describe_mix: Option<Arc<DescribeMix>>,
    pub(crate) buggify: bool,
    pub(crate) expected: Option<ShouldFail>,
    pub(crate) replay: Option<Replay>,
    pub(crate) refinement: Option<Arc<dyn Refines<S>>>,
}

impl<S: System<M> + Debug + 'static, M: Message> Scenario<S, M> {
    /// A scenario of the systems `factory` builds: a `fn() -> S`, or a `fn(&mut Rng) -> S` to
    /// build differently per seed. It is called once per seed, and again to rebuild one node on
    /// a cold restart. Defaults: seeds `0..100`, a reliable network, no faults, `max_steps`
    /// 10 000, named after the factory. Every `#[invariant]` registered for `S` is checked too.
    pub fn new<Marker>(factory: impl Factory<S, Marker>) -> Self {
        let name = default_name(std::any::type_name_of_val(&factory));
        Scenario {
            name,
            factory: factory.into_shared(),
            seeds: DEFAULT_SEEDS.collect(),
            network: PerSeed::Fixed(NetworkModel::reliable()),
            faults: PerSeed::Fixed(FaultSchedule::new()),
            storage: None,
            nemesis: None,
            nemesis_until: None,
            invariants: Vec::new(),
            disk_invariants: Vec::new(),
            goal: None,
            converge_within: None,
            max_steps: DEFAULT_MAX_STEPS,
            hide_timers: false,
            keep_running: false,
            sometimes: Vec::new(),
            history: None,
            describe_mix: None,
            buggify: false,
            expected: None,
            replay: None,
            refinement: None,
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
    pub fn network(mut self, network: impl IntoPerSeed<NetworkModel<M>>) -> Self {
        self.network = network.into_per_seed();
        self
    }

    /// The faults: a [`FaultSchedule`], or `fn(&mut Rng) -> FaultSchedule` for one per seed.
    pub fn faults(mut self, faults: impl IntoPerSeed<FaultSchedule>) -> Self {
        self.faults = faults.into_per_seed();
        self.describe_mix = None;
        self
    }

    /// How every node's disk behaves: a [`StorageModel`], or `fn(&mut Rng) -> StorageModel` for
    /// one per seed. The default is [`StorageModel::reliable`].
    pub fn storage(mut self, storage: impl IntoPerSeed<StorageModel>) -> Self {
        self.storage = Some(storage.into_per_seed());
        self
    }

    /// A nemesis: called with the world after the start and after every step, it injects
    /// faults from that instant through its [`FaultControl`] (see `musil::nemesis` for
    /// ready-made ones). Its faults add to the scenario's fault schedule, appear in the trace and
    /// replay with the seed. `converge_within` counts only once it has stopped
    /// ([`FaultControl::stop`], or [`Scenario::nemesis_until`]) and every fault has healed.
    pub fn nemesis(
        mut self,
        nemesis: impl Fn(&S, &mut FaultControl<'_>) + Send + Sync + 'static,
    ) -> Self {
        self.nemesis = Some(Arc::new(nemesis));
        self
    }

    /// The nemesis is not consulted from time `t` on: it stops then, if it has not before.
    pub fn nemesis_until(mut self, t: u64) -> Self {
        self.nemesis_until = Some(t);
        self
    }

    /// Adds an invariant that reads the nodes' disks as well as the world: `check(world, disks)`,
    /// where `disks.of(node)` is a read-only [`DiskView`](crate::DiskView). Checked with the
    /// other invariants, in name order.
    pub fn disk_invariant<R: InvariantOutcome>(
        mut self,
        name: impl Into<String>,
        check: impl Fn(&S, &Disks<'_>) -> R + Send + Sync + 'static,
    ) -> Self {
        self.disk_invariants.push(DiskInvariant::new(name, check));
        self
    }

    /// Adds an invariant, checked after the start and after every step. `check` returns a
    /// `bool` or a `Result<(), impl Display>` whose error is the reason shown. All invariants
    /// (these and the `#[invariant]`s registered for `S`) are checked in name order.
    pub fn invariant<R: InvariantOutcome>(
        mut self,
        name: impl Into<String>,
        check: impl Fn(&S) -> R + Send + Sync + 'static,
    ) -> Self {
        self.invariants.push(Invariant::new(name, check));
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
    /// faults and `goal` without. A run ends as soon as the goal holds after the last heal (and
    /// after the nemesis stopped): a protocol that ticks never goes quiet, and the rest of its
    /// run would prove nothing more; the report counts the runs that ended so.
    pub fn converge_within(mut self, steps: u64) -> Self {
        self.converge_within = Some(Convergence::Steps(steps));
        self
    }

    /// Coverage on the world: `holds` must be true at some observation (after the start or a
    /// step) of some run, or the call fails with kind `Coverage` naming `name` ("`leader
    /// elected` never held in 500 runs"). Like `ctx.sometimes`, from outside the nodes; a
    /// `#[sometimes] fn name(world: &S) -> bool` declares one for every scenario of `S`.
    pub fn sometimes(
        mut self,
        name: impl Into<String>,
        holds: impl Fn(&S) -> bool + Send + Sync + 'static,
    ) -> Self {
        self.sometimes.push((name.into(), Arc::new(holds)));
        self
    }

    /// Records each run's history of client operations (`ctx.invoke`, `ctx.complete`,
    /// `ctx.fail`) and judges it when the run ends: a history that is not consistent is a
    /// failure of kind `Linearizability`, with the smallest inconsistent sub-history found.
    ///
    /// ```
    /// use musil_core::history::KvSpec;
    /// use musil_core::{Scenario, linearizable};
    /// # #[derive(Debug, Default)] struct Quiet;
    /// # impl musil_core::Node<()> for Quiet {}
    /// # impl musil_core::System<()> for Quiet {
    /// #     fn node_count(&self) -> usize { 1 }
    /// #     fn node_name(&self, _: musil_core::NodeId) -> std::borrow::Cow<'static, str> { "q".into() }
    /// #     fn visit_node<V: musil_core::NodeVisitor<()>>(&mut self, _: musil_core::NodeId, v: V) -> V::Output { v.visit(self) }
    /// #     fn replace_node(&mut self, _: musil_core::NodeId, fresh: &mut Self) { std::mem::swap(self, fresh) }
    /// # }
    /// let scenario = Scenario::new(Quiet::default).history(linearizable(KvSpec::<u64, i64>::default()));
    /// ```
    pub fn history(mut self, check: history_check::HistoryCheck) -> Self {
        self.history = Some(check);
        self
    }

    /// [`history`](Scenario::history)`(linearizable(spec))`.
    pub fn linearizable<Spec: crate::history::SequentialSpec>(self, spec: Spec) -> Self {
        self.history(history_check::linearizable(spec))
    }

    /// [`history`](Scenario::history)`(sequentially_consistent(spec))`.
    pub fn sequentially_consistent<Spec: crate::history::SequentialSpec>(self, spec: Spec) -> Self {
        self.history(history_check::sequentially_consistent(spec))
    }

    /// Enables `ctx.buggify` sites: each is on for a run with probability 1/4, and fires with
    /// probability 1/4 each time it is evaluated while on (they are all off otherwise).
    pub fn buggify(mut self) -> Self {
        self.buggify = true;
        self
    }

    /// Runs on after the goal held following the last heal, to quiescence or `max_steps`
    /// (checking the invariants all the way), where [`Scenario::converge_within`] would end the
    /// run there.
    pub fn keep_running(mut self) -> Self {
        self.keep_running = true;
        self
    }

    /// [`Scenario::converge_within`] in virtual time: once the last fault has healed, the goal
    /// must not stay false for more than `time` time units.
    pub fn converge_within_time(mut self, time: u64) -> Self {
        self.converge_within = Some(Convergence::Time(time));
        self
    }

    /// Leaves the timers that fired out of a failure's text trace (they stay in the exports):
    /// for systems that tick a lot.
    pub fn hide_timers(mut self) -> Self {
        self.hide_timers = true;
        self
    }

    /// The bound on steps per run (`MUSIL_MAX_STEPS` overrides it when the environment is read).
    pub fn max_steps(mut self, steps: u64) -> Self {
        self.max_steps = steps;
        self
    }

    /// Holds the system to `model`: after the start and after every step, `abstraction(world)`
    /// must be a model state reachable in one model step from the previous one, or the same
    /// state (a stutter); the start must map to an initial state. A violation is a `refinement`
    /// failure naming both abstract states. The model is explored here, once for all seeds.
    pub fn refines<A>(
        mut self,
        model: &Model<A>,
        abstraction: impl Fn(&S) -> A + Send + Sync + 'static,
    ) -> Self
    where
        A: Clone + Eq + Hash + Debug + Send + Sync + 'static,
    {
        self.refinement = Some(Arc::new(Refinement::new(model, Arc::new(abstraction))));
        self
    }

    /// Expects a failure: the scenario passes ([`SimReport::passed`](report::SimReport::passed))
    /// iff its first failing seed fails this way — a [`FailureKind`](report::FailureKind), or
    /// [`ShouldFail::Any`]. The failure found is still reported in full.
    pub fn should_fail(mut self, expected: impl Into<ShouldFail>) -> Self {
        self.expected = Some(expected.into());
        self
    }

    /// The command a failure report prefixes with `MUSIL_SEED=N` to replay the seed; `{seed}`
    /// in it stands for the seed. It takes precedence over the command the runner works out.
    pub fn replay_command(mut self, command: impl Into<String>) -> Self {
        self.replay = Some(Replay::Command(command.into()));
        self
    }

    /// The scenario's name.
    pub fn scenario_name(&self) -> &str {
        &self.name
    }

    /// Its own step bound (see [`Scenario::max_steps`]).
    pub fn declared_max_steps(&self) -> u64 {
        self.max_steps
    }

    /// The declared seeds.
    pub fn declared_seeds(&self) -> &[u64] {
        &self.seeds
    }

    /// The step bound of a run under `settings`.
    pub(crate) fn max_steps_under(&self, settings: &RunSettings) -> u64 {
        settings.max_steps.unwrap_or(self.max_steps)
    }

    /// The invariants to check: the scenario's own (over the world, and over the disks) and
    /// the ones registered for `S`, sorted by name (stable, so equal names keep their order).
    pub(crate) fn all_invariants(&self) -> Vec<checks::Check<S>> {
        let mut invariants = self.invariants.clone();
        invariants.extend(Invariant::registered());
        checks::in_name_order(invariants, &self.disk_invariants)
    }

    /// The coverage sites on the world: the scenario's own, then the `#[sometimes]` functions
    /// registered for `S`, in name order.
    pub(crate) fn all_sometimes(&self) -> Vec<(String, crate::property::Predicate<S>)> {
        let registered = crate::registry::sometimes_of::<S>()
            .into_iter()
            .map(|entry| {
                let holds = entry.holds;
                let site: crate::property::Predicate<S> = Arc::new(move |world: &S| holds(world));
                (entry.name.to_string(), site)
            });
        self.sometimes.iter().cloned().chain(registered).collect()
    }

    /// The replay line for `seed` run under `settings`: `MUSIL_SEED=N command` (with
    /// `MUSIL_MAX_STEPS` when the run's bound is not the scenario's own), or, when the seeds are
    /// fixed by the caller's code, a sentence that says so and how to run that test alone.
    pub(crate) fn replay_line(&self, seed: u64, settings: &RunSettings) -> String {
        // Seeds fixed by the caller's code cannot be replayed through MUSIL_SEED, whatever the
        // scenario's own command says.
        let replay = match &settings.replay {
            Some(fixed @ Replay::FixedSeeds(_)) => Some(fixed),
            other => self.replay.as_ref().or(other.as_ref()),
        };
        let command = |template: &str| template.replace("{seed}", &seed.to_string());
        match replay {
            Some(Replay::FixedSeeds(how)) => format!(
                "seed {seed} is fixed by the test's code (MUSIL_SEED does not change it); run the \
                 test alone with: {}",
                command(how)
            ),
            Some(Replay::Command(template)) => {
                self.seed_prefix(seed, settings) + &command(template)
            }
            None => self.seed_prefix(seed, settings) + &current_program(),
        }
    }

    /// How to replay a failing regressions file entry: rerun the scenario as it ran (it replays
    /// the file's entries first); `MUSIL_SEED` would run the seed's own run instead.
    pub(crate) fn rerun_line(&self, settings: &RunSettings) -> String {
        let command = self.run_command(settings);
        format!("rerun it (the regressions file is replayed first): {command}")
    }

    /// The command that runs this scenario (the replay template as it is).
    fn run_command(&self, settings: &RunSettings) -> String {
        match self.replay.as_ref().or(settings.replay.as_ref()) {
            Some(Replay::Command(template) | Replay::FixedSeeds(template)) => template.clone(),
            None => current_program(),
        }
    }

    /// How to rerun every seed of a call (for a verdict about them all, as coverage is): the
    /// command that runs the scenario, without `MUSIL_SEED`.
    pub(crate) fn sweep_line(&self, settings: &RunSettings) -> String {
        format!("rerun all its seeds: {}", self.run_command(settings))
    }

    /// `MUSIL_MAX_STEPS=N MUSIL_SEED=S `: the variables that reproduce the run.
    fn seed_prefix(&self, seed: u64, settings: &RunSettings) -> String {
        let max_steps = self.max_steps_under(settings);
        let steps = if max_steps == self.max_steps {
            String::new()
        } else {
            format!("{}={max_steps} ", env::MAX_STEPS)
        };
        format!("{steps}{}={seed} ", env::SEED)
    }
}

/// How a report tells its reader to replay a failing seed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Replay {
    /// A command that reruns the scenario on the seed `MUSIL_SEED` names: the report prints
    /// `MUSIL_SEED=N command`. `{seed}` in it stands for the seed.
    Command(String),
    /// The seeds are fixed by the code that runs the scenario, so `MUSIL_SEED` would not change
    /// them: the report says so, and gives this command, which runs that code alone.
    FixedSeeds(String),
}

/// What one call of [`Scenario::execute`] runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunSettings {
    /// The seeds, in order.
    pub seeds: Vec<u64>,
    /// Threads to run them on (the report does not depend on it).
    pub jobs: usize,
    /// The step bound; `None`: the scenario's own.
    pub max_steps: Option<u64>,
    /// How the report says to replay a failure, unless the scenario names its own
    /// [`replay_command`](Scenario::replay_command); `None`: the current program.
    pub replay: Option<Replay>,
    /// How many runs shrinking a failure may try (`MUSIL_SHRINK`); `None`: the default, 1000;
    /// `Some(0)`: no shrinking.
    pub shrink: Option<u32>,
    /// Runs to replay before the seeds, in order: a seed and the choices that make its run (the
    /// regressions file's entries for this scenario). The first that fails is the report.
    pub regressions: Vec<(u64, Choices)>,
    /// Which passing seeds run a second time to check that they run the same way
    /// (`MUSIL_CHECK_DETERMINISM`).
    pub determinism: Determinism,
    /// Leave the timers that fired out of a failure's text trace (`MUSIL_TRACE_HIDE=timers`;
    /// never out of the exports).
    pub hide_timers: bool,
    /// Write the trace of every seed, passing ones too (`MUSIL_TRACE=all`).
    pub trace_all: bool,
    /// Fail when a declared coverage site never held over these seeds (the default). musil's
    /// harness, which runs one seed per trial, turns it off for those trials.
    pub coverage_verdict: bool,
}

impl RunSettings {
    /// `seeds`, on one thread, with the scenario's step bound and replay command.
    pub fn seeds(seeds: impl IntoIterator<Item = u64>) -> Self {
        RunSettings {
            seeds: seeds.into_iter().collect(),
            jobs: 1,
            max_steps: None,
            replay: None,
            shrink: None,
            regressions: Vec::new(),
            determinism: Determinism::First,
            hide_timers: false,
            trace_all: false,
            coverage_verdict: true,
        }
    }

    /// Runs on `jobs` threads.
    pub fn jobs(mut self, jobs: usize) -> Self {
        self.jobs = jobs;
        self
    }

    /// Bounds each run to `max_steps` steps.
    pub fn max_steps(mut self, max_steps: u64) -> Self {
        self.max_steps = Some(max_steps);
        self
    }

    /// Lets shrinking a failure try at most `attempts` runs (0: no shrinking).
    pub fn shrink(mut self, attempts: u32) -> Self {
        self.shrink = Some(attempts);
        self
    }

    /// Checks these passing seeds for determinism (see [`Determinism`]).
    pub fn determinism(mut self, determinism: Determinism) -> Self {
        self.determinism = determinism;
        self
    }

    /// Replays these runs (a seed and its choices) before the seeds.
    pub fn regressions(mut self, regressions: Vec<(u64, Choices)>) -> Self {
        self.regressions = regressions;
        self
    }

    /// Says how to replay a failure.
    pub fn replay(mut self, replay: Replay) -> Self {
        self.replay = Some(replay);
        self
    }
}

/// The program running now, by its path: the replay command when nobody names a better one.
fn current_program() -> String {
    std::env::args_os().next().map_or_else(
        || "<this program>".to_string(),
        |p| p.to_string_lossy().into_owned(),
    )
}

/// A readable default name from a factory's type name: `crate::module::function` becomes
/// `module::function`, `<crate::World as Default>::default` becomes `World::default`, and a
/// closure is named after the function it is written in (`tests::lookup::{{closure}}` becomes
/// `tests::lookup`).
fn default_name(type_name: &str) -> String {
    let mut type_name = type_name;
    while let Some(outer) = type_name.strip_suffix("::{{closure}}") {
        type_name = outer;
    }
    if let Some(qualified) = type_name.strip_prefix('<')
        && let Some((ty, method)) = qualified.split_once(" as ")
    {
        let ty = ty.rsplit("::").next().unwrap_or(ty);
        let method = method.rsplit("::").next().unwrap_or(method);
        return format!("{ty}::{method}");
    }
    match type_name.split_once("::") {
        Some((_, rest)) if !rest.is_empty() => rest.to_string(),
        _ => type_name.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::default_name;

    #[test]
    fn default_names_are_readable() {
        assert_eq!(default_name("my_crate::tests::lookup"), "tests::lookup");
        assert_eq!(
            default_name("<my_crate::World as core::default::Default>::default"),
            "World::default"
        );
        assert_eq!(default_name("lookup"), "lookup");
        assert_eq!(
            default_name("my_crate::tests::lookup::{{closure}}::{{closure}}"),
            "tests::lookup"
        );
    }
}
