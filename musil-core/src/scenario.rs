//! [`Scenario`]: a system factory plus an environment (seeds, network, faults) and the
//! properties to check. This is what `#[musil::scenario]` expands to; how seeds are executed
//! lives in `execute`.

use std::fmt::Debug;
use std::hash::Hash;
use std::sync::Arc;

use crate::check::Model;
use crate::refinement::{Refinement, Refines};

use crate::factory::{Factory, SharedFactory};
use crate::faults::FaultSchedule;
use crate::network::NetworkModel;
use crate::node::Message;
use crate::oracle::{Goal, Invariant, InvariantOutcome};
use crate::plan::{IntoPlan, Plan};
use crate::registry::ErasedScenario;
use crate::replay;
use crate::report::{ShouldFail, SimReport};
use crate::seeds::EnvSettings;
use crate::system::System;

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
///     .run();
/// assert!(report.ok(), "{report}");
/// ```
pub struct Scenario<S, M> {
    pub(crate) name: String,
    pub(crate) factory: SharedFactory<S>,
    pub(crate) seeds: Vec<u64>,
    pub(crate) network: Plan<NetworkModel<M>>,
    pub(crate) faults: Plan<FaultSchedule>,
    pub(crate) invariants: Vec<Invariant<S>>,
    pub(crate) goal: Option<Goal<S>>,
    pub(crate) converge_within: Option<u64>,
    pub(crate) max_steps: u64,
    pub(crate) expected: Option<ShouldFail>,
    pub(crate) replay_command: Option<String>,
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
            network: Plan::Fixed(NetworkModel::reliable()),
            faults: Plan::Fixed(FaultSchedule::new()),
            invariants: Vec::new(),
            goal: None,
            converge_within: None,
            max_steps: DEFAULT_MAX_STEPS,
            expected: None,
            replay_command: None,
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
    /// faults and `goal` without.
    pub fn converge_within(mut self, steps: u64) -> Self {
        self.converge_within = Some(steps);
        self
    }

    /// The bound on steps per run (`MUSIL_MAX_STEPS` overrides it in [`Scenario::run`]).
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

    /// Expects a failure: the scenario passes ([`SimReport::passed`]) iff its first failing
    /// seed fails this way. The failure found is still reported in full.
    pub fn should_fail(mut self, expected: ShouldFail) -> Self {
        self.expected = Some(expected);
        self
    }

    /// The command a failure report prefixes with `MUSIL_SEED=N` to replay the seed; `{seed}`
    /// in it stands for the seed (default: the current program, as `cargo run --example NAME`
    /// for an example).
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

    /// Runs the seeds the environment selects (see [`crate::seeds`]: `MUSIL_SEED`,
    /// `MUSIL_SEEDS`, `MUSIL_RUNS`, `MUSIL_SHARD`, `MUSIL_MAX_STEPS`) on `MUSIL_JOBS` threads,
    /// and reports the first failing seed in seed order, whatever the number of threads.
    pub fn run(&self) -> SimReport<S> {
        match EnvSettings::from_env() {
            Ok(env) => {
                let seeds = env.plan(&self.seeds);
                self.run_with(&seeds, env.jobs(), env.max_steps(self.max_steps))
            }
            Err(problem) => self.invalid_report(problem.to_string(), &self.seeds, None),
        }
    }

    /// Runs exactly `seeds`, in order on this thread, ignoring the environment; stops at the
    /// first failure.
    pub fn run_seeds(&self, seeds: &[u64]) -> SimReport<S> {
        self.run_with(seeds, 1, self.max_steps)
    }

    /// Runs exactly `seeds` on `jobs` threads with the step bound `max_steps`, ignoring the
    /// environment, and reports the first failing seed in seed order.
    pub fn run_with(&self, seeds: &[u64], jobs: usize, max_steps: u64) -> SimReport<S> {
        self.run_inner(seeds, jobs, max_steps, None)
    }

    /// [`Scenario::run_with`], with `replay` (when given) as the replay command template.
    fn run_inner(
        &self,
        seeds: &[u64],
        jobs: usize,
        max_steps: u64,
        replay: Option<&str>,
    ) -> SimReport<S> {
        if let Some(problem) = self.option_problem() {
            return self.invalid_report(problem, seeds, replay);
        }
        let checked = self.with_registered_invariants(replay);
        checked.execute(seeds, jobs, max_steps)
    }

    fn option_problem(&self) -> Option<String> {
        (self.converge_within.is_some() && self.goal.is_none())
            .then(|| "converge_within needs a goal: add .goal(name, predicate)".to_string())
    }

    /// The invariants to check: the scenario's own and the ones registered for `S`, sorted by
    /// name (stable, so equal names keep their order).
    fn with_registered_invariants<'a>(&'a self, replay: Option<&'a str>) -> Checked<'a, S, M> {
        let mut invariants = self.invariants.clone();
        invariants.extend(Invariant::registered());
        invariants.sort_by(|a, b| a.name.cmp(&b.name));
        Checked {
            scenario: self,
            invariants,
            replay,
        }
    }

    /// The replay command for `seed`, run with `max_steps` (named when it overrides the
    /// scenario's own, so that the line reproduces the run); `template` overrides the
    /// scenario's replay command.
    pub(crate) fn replay_line(&self, seed: u64, max_steps: u64, template: Option<&str>) -> String {
        let command = match template.or(self.replay_command.as_deref()) {
            Some(template) => template.replace("{seed}", &seed.to_string()),
            None => replay::current_program_command(),
        };
        let steps = if max_steps == self.max_steps {
            String::new()
        } else {
            format!("{}={max_steps} ", crate::seeds::MAX_STEPS)
        };
        format!("{steps}{}={seed} {command}", crate::seeds::SEED)
    }
}

/// A scenario together with the full, sorted list of invariants it checks.
pub(crate) struct Checked<'a, S, M> {
    pub(crate) scenario: &'a Scenario<S, M>,
    pub(crate) invariants: Vec<Invariant<S>>,
    /// The replay command template for this run, if the caller gives one.
    pub(crate) replay: Option<&'a str>,
}

impl<S: System<M> + Debug + 'static, M: Message> ErasedScenario for Scenario<S, M> {
    fn run_erased(
        &self,
        seeds: &[u64],
        jobs: usize,
        max_steps: Option<u64>,
        replay: &str,
    ) -> SimReport<()> {
        self.run_inner(
            seeds,
            jobs,
            max_steps.unwrap_or(self.max_steps),
            Some(replay),
        )
        .erase()
    }
}

/// A readable default name from a factory's type name: `crate::module::function` becomes
/// `module::function`, `<crate::World as Default>::default` becomes `World::default`. Name
/// closures explicitly with [`Scenario::name`].
fn default_name(type_name: &str) -> String {
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
    }
}
