//! [`Simulation`]: one run of a system, event by event, on the virtual clock and network.
//!
//! Scenarios drive simulations seed after seed and check them after every step; a simulation can
//! also be driven by hand (`start`, `step`, `run`) to test the engine or a node closely.

use std::fmt;
use std::sync::Arc;

use crate::decision::rng::Rng;
use crate::decision::seeded::Seeded;
use crate::decision::{DecisionSource, Stream};
use crate::id::{Message, NodeId};
use crate::system::factory::{Factory, SharedFactory};
use crate::system::names::NodeNames;
use crate::system::node::Node;
use crate::system::{NodeVisitor, System};

pub mod context;
pub mod debug_text;
pub mod disk;
mod engine;
pub mod error;
pub mod faults;
mod handle;
pub mod nemesis;
pub mod network;
mod queue;
pub mod storage;
pub mod trace;

use crate::forensics::choices::FaultEdits;
use crate::system::names::Destination;
use context::Context;
use disk::{DiskView, Disks};
use engine::{Engine, clear};
use error::{SetupError, quoted_list};
use faults::{CrashKind, FaultSchedule, Plan};
use nemesis::{FaultControl, NemesisFn};
use network::NetworkModel;
use queue::Event;
use storage::StorageModel;
use trace::{Trace, TraceKind};

/// Why a run stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopReason {
    /// No event was left to process.
    Quiescent,
    /// The `until` predicate held.
    Until,
    /// The step bound was reached with events still pending.
    MaxSteps,
}

impl fmt::Display for StopReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            StopReason::Quiescent => "quiescent",
            StopReason::Until => "until",
            StopReason::MaxSteps => "max-steps",
        })
    }
}

/// The outcome of [`Simulation::run`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RunResult {
    /// Steps processed (deliveries, fired timers, restarts).
    pub steps: u64,
    /// Virtual time at the end.
    pub time: u64,
    /// Messages delivered.
    pub delivered: u64,
    /// Messages dropped (partition, loss, mutate, or arrival at a down node).
    pub dropped: u64,
    /// Why the run stopped.
    pub reason: StopReason,
}

/// What one step was.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepKind {
    /// A message from `from` was delivered to `to`.
    Delivered {
        /// Sender.
        from: NodeId,
        /// Receiver.
        to: NodeId,
    },
    /// Timer `timer` of `node` fired.
    Timer {
        /// Its node.
        node: NodeId,
        /// Its name.
        timer: &'static str,
    },
    /// `node` restarted after a crash.
    Restart {
        /// The node.
        node: NodeId,
        /// How it had crashed (cold and power restarts rebuild it from the factory).
        kind: CrashKind,
    },
}

/// One processed step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Step {
    /// Its number, from 1.
    pub number: u64,
    /// Virtual time at which it happened.
    pub time: u64,
    /// What it was.
    pub kind: StepKind,
}

/// A node handler to run, with its arguments: one type per handler, so that a step's
/// dispatch is chosen once, where the event's kind is known.
trait Handler<M: Message> {
    /// Its name, for the report of a panic raised in it.
    const NAME: &'static str;

    /// Runs it on `node`.
    fn run<N: Node<M>>(self, node: &mut N, ctx: &mut Context<'_, M>);
}

/// `on_start`.
struct OnStart;

/// `on_message`, with the sender and the message.
struct OnMessage<M>(NodeId, M);

/// `on_timer`, with the timer's name.
struct OnTimer(&'static str);

/// `on_recover`.
struct OnRecover;

impl<M: Message> Handler<M> for OnStart {
    const NAME: &'static str = "on_start";

    #[inline(always)]
    fn run<N: Node<M>>(self, node: &mut N, ctx: &mut Context<'_, M>) {
        node.on_start(ctx);
    }
}

impl<M: Message> Handler<M> for OnMessage<M> {
    const NAME: &'static str = "on_message";

    #[inline(always)]
    fn run<N: Node<M>>(self, node: &mut N, ctx: &mut Context<'_, M>) {
        node.on_message(ctx, self.0, self.1);
    }
}

impl<M: Message> Handler<M> for OnTimer {
    const NAME: &'static str = "on_timer";

    #[inline(always)]
    fn run<N: Node<M>>(self, node: &mut N, ctx: &mut Context<'_, M>) {
        node.on_timer(ctx, self.0);
    }
}

impl<M: Message> Handler<M> for OnRecover {
    const NAME: &'static str = "on_recover";

    #[inline(always)]
    fn run<N: Node<M>>(self, node: &mut N, ctx: &mut Context<'_, M>) {
        node.on_recover(ctx);
    }
}

/// What user code the simulation is running, so that a panic can say where it was raised: a
/// node and its handler (or its factory, rebuilding it), or [`NEMESIS`]. A pair, not an enum: it
/// is written twice per step, and the pair is the smaller.
type Running = (NodeId, &'static str);

/// [`Running`] while the nemesis runs.
const NEMESIS: Running = (NodeId::new(u32::MAX as usize), "nemesis");

/// A nemesis in a run: the function (`None` until given), when it stops by itself, and when
/// it stopped.
struct NemesisRun<S> {
    nemesis: Option<NemesisFn<S>>,
    until: Option<u64>,
    stopped_at: Option<u64>,
}

/// Runs handler `H` on the node the system's `visit_node` finds.
struct Dispatch<'c, 'a, M, H> {
    ctx: &'c mut Context<'a, M>,
    handler: H,
}

impl<M: Message, H: Handler<M>> NodeVisitor<M> for Dispatch<'_, '_, M, H> {
    type Output = ();

    #[inline]
    fn visit<N: Node<M>>(self, node: &mut N) {
        self.handler.run(node, self.ctx);
    }
}

/// One run of a system `S` exchanging messages `M`, with decisions from `D`.
///
/// ```
/// use musil_core::{Context, Message, Node, NodeId, NetworkModel, Simulation, StopReason};
/// # use musil_core::{NodeVisitor, System};
///
/// #[derive(Debug, Default)]
/// struct Counter { ticks: u32 }
/// impl Node<()> for Counter {
///     fn on_start(&mut self, ctx: &mut Context<()>) { ctx.set_timer("tick", 5); }
///     fn on_timer(&mut self, ctx: &mut Context<()>, _: &'static str) {
///         self.ticks += 1;
///         if self.ticks < 3 { ctx.set_timer("tick", 5); }
///     }
/// }
/// # #[derive(Debug, Default)] struct One { c: Counter }
/// # impl System<()> for One {
/// #     fn node_count(&self) -> usize { 1 }
/// #     fn node_name(&self, _: NodeId) -> std::borrow::Cow<'static, str> { "c".into() }
/// #     fn visit_node<V: NodeVisitor<()>>(&mut self, _: NodeId, v: V) -> V::Output { v.visit(&mut self.c) }
/// #     fn replace_node(&mut self, _: NodeId, fresh: &mut Self) { std::mem::swap(self, fresh) }
/// # }
///
/// let mut sim = Simulation::new(One::default()).seed(3);
/// let result = sim.run(100).unwrap();
/// assert_eq!((result.steps, result.time, result.reason), (3, 15, StopReason::Quiescent));
/// assert_eq!(sim.world().c.ticks, 3);
/// ```
pub struct Simulation<S, M, D = Seeded> {
    system: S,
    engine: Engine<M, D>,
    factory: Option<SharedFactory<S>>,
    schedule: Plan,
    record_trace: bool,
    started: bool,
    /// The nemesis, boxed: most runs have none, and every seed moves the simulation.
    nemesis: Option<Box<NemesisRun<S>>>,
    /// The user code being run (set before each call, cleared after): after a panic, where.
    in_handler: Option<Running>,
}

impl<S: System<M> + fmt::Debug, M: Message, D: DecisionSource> Simulation<S, M, D> {
    /// When a trace is recorded: keeps the world as it is now (its pretty `Debug`) in it, with
    /// the lines that changed since the last snapshot. A scenario's explanation of a failure
    /// calls this after the start and after every step.
    pub fn snapshot_world(&mut self) {
        let system = &self.system;
        self.engine.snapshot(|| format!("{system:#?}"));
    }
}

impl<S, M: Message, D: DecisionSource> Simulation<S, M, D> {
    /// Keeps `pretty`, the world's pretty `Debug` made by the caller, in the trace.
    pub(crate) fn keep_snapshot(&mut self, pretty: String) {
        self.engine.snapshot(|| pretty);
    }
}

impl<S: System<M>, M: Message> Simulation<S, M, Seeded> {
    /// A simulation of `system` with seed 0, a reliable network and no faults.
    pub fn new(system: S) -> Self {
        Self::with_decisions(system, Seeded::new(0))
    }

    /// A simulation of the system `factory` builds for `seed` (the factory is also used to
    /// rebuild a node on a cold restart).
    pub fn from_factory<Marker>(factory: impl Factory<S, Marker>, seed: u64) -> Self {
        Self::from_shared_factory(factory.into_shared(), Seeded::new(seed))
    }

    /// Replaces the decision source with a fresh [`Seeded`] one for `seed`.
    ///
    /// # Panics
    /// If the simulation has started.
    pub fn seed(mut self, seed: u64) -> Self {
        self.assert_not_started("seed");
        self.engine.set_decisions(Seeded::new(seed));
        self
    }
}

impl<S: System<M>, M: Message, D: DecisionSource> Simulation<S, M, D> {
    /// A simulation of `system` whose decisions come from `decisions`.
    #[inline(always)]
    pub fn with_decisions(system: S, decisions: D) -> Self {
        Simulation {
            system,
            engine: Engine::new(NetworkModel::reliable(), decisions),
            factory: None,
            schedule: Plan::default(),
            record_trace: false,
            started: false,
            nemesis: None,
            in_handler: None,
        }
    }

    /// A simulation of the system `factory` builds from the setup stream of `decisions`.
    pub fn from_shared_factory(factory: SharedFactory<S>, mut decisions: D) -> Self {
        let system = factory(&mut Rng::new(&mut decisions, Stream::Setup));
        Self::from_built(system, factory, decisions)
    }

    /// A simulation of `system`, already built by `factory` (kept for cold restarts).
    #[inline(always)]
    pub(crate) fn from_built(system: S, factory: SharedFactory<S>, decisions: D) -> Self {
        Simulation {
            system,
            engine: Engine::new(NetworkModel::reliable(), decisions),
            factory: Some(factory),
            schedule: Plan::default(),
            record_trace: false,
            started: false,
            nemesis: None,
            in_handler: None,
        }
    }

    /// Makes this finished simulation a new one of `system`, in place: the engine is emptied
    /// (its storage kept) and the decision source kept as it is (the caller renews it first).
    /// The network, the fault schedule and the trace setting stay until
    /// [`Simulation::configure`] replaces them.
    pub(crate) fn reset(&mut self, system: S, factory: &SharedFactory<S>) {
        self.system = system;
        self.engine.reset();
        if !self
            .factory
            .as_ref()
            .is_some_and(|known| Arc::ptr_eq(known, factory))
        {
            self.factory = Some(Arc::clone(factory));
        }
        self.started = false;
        clear(&mut self.nemesis);
        self.in_handler = None;
    }

    /// The decision source, to renew it before [`Simulation::reset`].
    pub(crate) fn decisions_mut(&mut self) -> &mut D {
        self.engine.decisions_mut()
    }

    /// Uses `network` for this run.
    ///
    /// # Panics
    /// If the simulation has started.
    pub fn network(mut self, network: NetworkModel<M>) -> Self {
        self.assert_not_started("network");
        self.engine.set_network(network);
        self
    }

    /// Uses `faults` for this run.
    ///
    /// # Panics
    /// If the simulation has started.
    pub fn faults(mut self, faults: FaultSchedule) -> Self {
        self.assert_not_started("faults");
        self.schedule = Plan::Own(faults);
        self
    }

    /// Enables `ctx.buggify` sites for this run (they are all off otherwise).
    ///
    /// # Panics
    /// If the simulation has started.
    pub fn buggify(mut self) -> Self {
        self.assert_not_started("buggify");
        self.engine.enable_buggify();
        self
    }

    /// Enables buggify in place.
    pub(crate) fn enable_buggify(&mut self) {
        self.engine.enable_buggify();
    }

    /// Records the history of the operations clients invoke (`ctx.invoke`, `ctx.complete`,
    /// `ctx.fail`); without it they are not kept.
    ///
    /// # Panics
    /// If the simulation has started.
    pub fn record_history(mut self) -> Self {
        self.assert_not_started("record_history");
        self.engine.record_history();
        self
    }

    /// Records the history, in place.
    pub(crate) fn enable_history(&mut self) {
        self.engine.record_history();
    }

    /// The history recorded so far, with the spec's types: `None` unless
    /// [`record_history`](Simulation::record_history); an error names a recorded value of
    /// another type.
    pub fn history<Op: std::any::Any + Clone, Ret: std::any::Any + Clone>(
        &self,
    ) -> Option<Result<crate::history::History<Op, Ret>, String>> {
        self.engine.recorded_history().map(|h| h.typed())
    }

    /// The history recorded so far, type-erased.
    pub(crate) fn recorded_history(&self) -> Option<&crate::history::RecordedHistory> {
        self.engine.recorded_history()
    }

    /// Takes the run's coverage sites, if any was declared.
    pub(crate) fn take_coverage(&mut self) -> Option<Box<crate::sweep::coverage::Hits>> {
        self.engine.take_coverage()
    }

    /// The `ctx.buggify` sites that fired so far, with how often.
    pub fn buggify_fired(&self) -> Vec<(&'static str, u32)> {
        self.engine.buggify_fired()
    }

    /// Uses `storage` for every node's disk.
    ///
    /// # Panics
    /// If the simulation has started.
    pub fn storage(mut self, storage: StorageModel) -> Self {
        self.assert_not_started("storage");
        self.engine.set_storage(storage);
        self
    }

    /// Consults `nemesis` after the start and after every step: it sees the world and injects
    /// faults from that instant through its [`FaultControl`].
    ///
    /// # Panics
    /// If the simulation has started.
    pub fn nemesis(
        mut self,
        nemesis: impl Fn(&S, &mut FaultControl<'_>) + Send + Sync + 'static,
    ) -> Self {
        self.assert_not_started("nemesis");
        self.nemesis_run().nemesis = Some(std::sync::Arc::new(nemesis));
        self
    }

    /// The nemesis is not consulted from time `t` on, as if it had called
    /// [`FaultControl::stop`] then.
    ///
    /// # Panics
    /// If the simulation has started.
    pub fn nemesis_until(mut self, t: u64) -> Self {
        self.assert_not_started("nemesis_until");
        self.nemesis_run().until = Some(t);
        self
    }

    /// Sets the nemesis and its time bound.
    pub(crate) fn set_nemesis(&mut self, nemesis: NemesisFn<S>, until: Option<u64>) {
        let run = self.nemesis_run();
        run.nemesis = Some(nemesis);
        run.until = until;
    }

    fn nemesis_run(&mut self) -> &mut NemesisRun<S> {
        self.nemesis.get_or_insert_with(|| {
            Box::new(NemesisRun {
                nemesis: None,
                until: None,
                stopped_at: None,
            })
        })
    }

    /// Records an event [`Trace`] of the run (off by default: it formats every message).
    ///
    /// # Panics
    /// If the simulation has started.
    pub fn record_trace(mut self) -> Self {
        self.assert_not_started("record_trace");
        self.record_trace = true;
        self
    }

    /// Sets the network, the faults and trace recording in place (the by-value builders move
    /// the whole simulation, which a scenario running many seeds should not pay for).
    pub(crate) fn configure(
        &mut self,
        network: NetworkModel<M>,
        faults: Plan,
        storage: Option<Box<StorageModel>>,
        record_trace: bool,
    ) {
        self.assert_not_started("configure");
        self.engine.set_network(network);
        if let Some(storage) = storage {
            self.engine.set_storage(*storage);
        }
        self.schedule = faults;
        self.record_trace = record_trace;
    }

    fn assert_not_started(&self, what: &str) {
        assert!(
            !self.started,
            "Simulation::{what} must be called before the run starts"
        );
    }

    /// Validates the configuration and runs every node's `on_start` in declaration order
    /// (nodes down at t=0 start when their crash window ends). Does nothing if already started.
    pub fn start(&mut self) -> Result<(), SetupError> {
        if self.started {
            return Ok(());
        }
        let mut names = self.engine.take_names();
        let system = &self.system;
        let unchanged = names.refill(system.node_count(), |i| system.node_name(NodeId::new(i)))?;
        let faults = self.engine.resolve(&self.schedule, &names, unchanged)?;
        if self.factory.is_none()
            && let Some(cold) = faults.crashes().iter().find(|c| c.kind != CrashKind::Warm)
        {
            return Err(SetupError::NoFactoryForColdRestart {
                node: names.name(cold.node).to_string(),
            });
        }
        self.engine.begin(names, faults, self.record_trace)?;
        self.started = true;
        for index in 0..self.engine.names().len() {
            let node = NodeId::new(index);
            if !self.engine.faults().is_down(node, 0) {
                self.start_node(node);
            }
        }
        self.engine.schedule_restarts();
        self.consult_nemesis();
        Ok(())
    }

    fn start_node(&mut self, node: NodeId) {
        self.engine.mark_started(node);
        self.dispatch(node, OnStart);
    }

    #[inline]
    fn dispatch<H: Handler<M>>(&mut self, node: NodeId, handler: H) {
        self.in_handler = Some((node, H::NAME));
        let mut ctx = Context::new(&mut self.engine, node);
        self.system.visit_node(
            node,
            Dispatch {
                ctx: &mut ctx,
                handler,
            },
        );
        self.in_handler = None;
    }

    /// After a panic escaped [`Simulation::start`] or [`Simulation::step`]: the node and handler
    /// that panicked, as ``node `client` (on_message)``, or `the nemesis`.
    pub fn interrupted_handler(&self) -> Option<String> {
        self.in_handler.map(|running| {
            if running == NEMESIS {
                return "the nemesis".to_string();
            }
            let (node, handler) = running;
            let names = self.engine.names();
            let name = if names.is_empty() {
                node.to_string()
            } else {
                names.name(node).to_string()
            };
            format!("node `{name}` ({handler})")
        })
    }

    /// Consults the nemesis, if there is one and it has not stopped, and applies its faults.
    #[inline]
    fn consult_nemesis(&mut self) {
        if self.nemesis.is_some() {
            self.run_nemesis();
        }
    }

    #[inline(never)]
    fn run_nemesis(&mut self) {
        let now = self.engine.now();
        let Some(run) = &mut self.nemesis else { return };
        if run.stopped_at.is_some() || run.nemesis.is_none() {
            return;
        }
        if let Some(until) = run.until.filter(|&until| now >= until) {
            run.stopped_at = Some(until);
            return;
        }
        let Some(nemesis) = run.nemesis.clone() else {
            return;
        };
        self.in_handler = Some(NEMESIS);
        let mut control = self.engine.fault_control();
        nemesis(&self.system, &mut control);
        let (injections, stop) = control.finish();
        self.in_handler = None;
        self.engine.inject(injections);
        if stop && let Some(run) = &mut self.nemesis {
            run.stopped_at = Some(now);
            self.engine.record(|| TraceKind::Nemesis {
                action: "stopped".to_string(),
            });
        }
    }

    /// Processes the next step: skips (and accounts for) stale timers, timers lost and
    /// messages dropped at down nodes, then processes one delivery, timer or restart.
    /// Returns `Ok(None)` when nothing is left to process.
    pub fn step(&mut self) -> Result<Option<Step>, SetupError> {
        self.start()?;
        Ok(self.process_next())
    }

    /// Runs until quiescent or until `max_steps` steps have been processed in total.
    pub fn run(&mut self, max_steps: u64) -> Result<RunResult, SetupError> {
        self.run_until(max_steps, |_| false)
    }

    /// Runs until `until` holds on the world (checked after the start and after every step),
    /// until quiescent, or until `max_steps` steps have been processed in total.
    pub fn run_until(
        &mut self,
        max_steps: u64,
        mut until: impl FnMut(&S) -> bool,
    ) -> Result<RunResult, SetupError> {
        self.start()?;
        let reason = loop {
            if until(&self.system) {
                break StopReason::Until;
            }
            if self.steps() >= max_steps {
                break self.at_most_steps();
            }
            if self.process_next().is_none() {
                break StopReason::Quiescent;
            }
        };
        Ok(self.result(reason))
    }

    /// The counters so far, with `reason` as the stop reason.
    pub fn result(&self, reason: StopReason) -> RunResult {
        let counters = self.engine.counters();
        RunResult {
            steps: counters.steps,
            time: self.engine.now(),
            delivered: counters.delivered,
            dropped: counters.dropped,
            reason,
        }
    }

    /// Discards the events at the head of the queue that are not steps — stale timers, timers
    /// due at a down node, messages arriving at a down node — accounting for each, and returns
    /// whether a step is left to process. (Before the start: `false`.)
    pub fn skip_non_steps(&mut self) -> bool {
        self.started && self.engine.skip_non_steps()
    }

    /// Why a run that has taken its most steps stops: [`StopReason::MaxSteps`] if a step is
    /// left, else [`StopReason::Quiescent`] (the events before it are discarded, as a step
    /// would have).
    pub(crate) fn at_most_steps(&mut self) -> StopReason {
        if self.skip_non_steps() {
            StopReason::MaxSteps
        } else {
            StopReason::Quiescent
        }
    }

    /// Processes the next step, after discarding (and accounting for) the events before it that
    /// are not steps; `None` when no step is left.
    #[inline]
    pub(crate) fn process_next(&mut self) -> Option<Step> {
        let (time, event) = self.engine.next_step()?;
        let kind = match event {
            Event::Deliver { from, to, msg } => {
                self.engine.delivering(from, to, &msg);
                self.dispatch(to, OnMessage(from, msg));
                StepKind::Delivered { from, to }
            }
            Event::Timer { node, name } => {
                self.engine.firing(node, name);
                self.dispatch(node, OnTimer(name));
                StepKind::Timer { node, timer: name }
            }
            Event::Restart { node, kind, .. } => {
                self.engine.restarting(node, kind);
                self.restart(node, kind != CrashKind::Warm);
                StepKind::Restart { node, kind }
            }
            Event::PowerOff { .. } => {
                unreachable!("next_step takes every power-off: it is not a step")
            }
        };
        self.consult_nemesis();
        Some(Step {
            number: self.steps(),
            time,
            kind,
        })
    }

    fn restart(&mut self, node: NodeId, cold: bool) {
        if cold {
            self.rebuild(node);
            self.engine.forget_node(node);
        }
        if self.engine.started(node) {
            self.dispatch(node, OnRecover);
        } else {
            self.start_node(node);
        }
    }

    /// Replaces `node` with a fresh instance from the factory, built from the rewound setup
    /// stream (so the fresh system is the one the seed built).
    fn rebuild(&mut self, node: NodeId) {
        let Some(factory) = self.factory.clone() else {
            return;
        };
        self.in_handler = Some((node, "factory, rebuilding it for a cold restart"));
        let mut rng = Rng::new(self.engine.rewound(Stream::Setup), Stream::Setup);
        let mut fresh = factory(&mut rng);
        self.check_rebuilt(&fresh, node);
        self.system.replace_node(node, &mut fresh);
        self.in_handler = None;
    }

    /// A cold restart swaps in one node of a freshly built system: that system must have the
    /// same nodes, or the factory depends on something other than the seed.
    fn check_rebuilt(&self, fresh: &S, node: NodeId) {
        let names = self.engine.names().all();
        let rebuilt: Vec<_> = (0..fresh.node_count())
            .map(|i| fresh.node_name(NodeId::new(i)))
            .collect();
        assert!(
            rebuilt == names,
            "the factory is not deterministic: rebuilding `{}` for a cold restart, it built nodes [{}] \
             where the run has [{}]",
            self.engine.names().name(node),
            quoted_list(&rebuilt),
            quoted_list(names)
        );
    }

    /// Sends `msg` from `from` to `to` as if `from` had sent it now (to kick a system from a
    /// test). Starts the simulation if needed.
    pub fn inject(&mut self, from: NodeId, to: NodeId, msg: M) -> Result<(), SetupError> {
        self.start()?;
        for id in [from, to] {
            if id.index() >= self.engine.names().len() {
                return Err(SetupError::UnknownNodeId {
                    id,
                    known: self.engine.names().to_strings(),
                });
            }
        }
        self.engine.send(from, to, msg);
        Ok(())
    }

    /// The system as it is now.
    pub fn world(&self) -> &S {
        &self.system
    }

    /// The system, mutably (for tests that poke at node state).
    pub fn world_mut(&mut self) -> &mut S {
        &mut self.system
    }

    /// The current virtual time.
    pub fn now(&self) -> u64 {
        self.engine.now()
    }

    /// Steps processed so far.
    pub fn steps(&self) -> u64 {
        self.engine.counters().steps
    }

    /// Messages delivered so far.
    pub fn delivered(&self) -> u64 {
        self.engine.counters().delivered
    }

    /// Messages dropped so far (partition, loss, mutate, or arrival at a down node).
    pub fn dropped(&self) -> u64 {
        self.engine.counters().dropped
    }

    /// Events scheduled so far (every delivery, duplicate, timer and restart).
    pub fn scheduled(&self) -> u64 {
        self.engine.scheduled()
    }

    /// Events pending in the queue (a timer re-armed or cancelled leaves none behind).
    pub fn pending(&self) -> usize {
        self.engine.pending()
    }

    /// The node names (empty before the start).
    pub fn names(&self) -> &NodeNames {
        self.engine.names()
    }

    /// The disk of `node` (a [`NodeId`] or a name), read-only; `None` if the system has no such
    /// node. A node that never used its disk has an empty one.
    pub fn disk(&self, node: impl Destination) -> Option<DiskView<'_>> {
        self.disks().of(node)
    }

    /// Every node's disk, read-only.
    pub fn disks(&self) -> Disks<'_> {
        self.engine.disks()
    }

    /// Uses `edits` on the nemesis's faults: those they drop are not injected, those they
    /// shorten last less (faults are numbered in the order the nemesis asks for them).
    pub fn nemesis_edits(mut self, edits: FaultEdits) -> Self {
        self.assert_not_started("nemesis_edits");
        self.engine.set_nemesis_edits(edits);
        self
    }

    /// Sets the nemesis edits in place.
    pub(crate) fn set_nemesis_edits(&mut self, edits: FaultEdits) {
        self.engine.set_nemesis_edits(edits);
    }

    /// The lengths of the faults the nemesis has asked for (in order), and how many of them
    /// were injected.
    pub fn nemesis_faults(&self) -> (&[u64], u32) {
        self.engine.nemesis_faults()
    }

    /// Disk operations so far.
    pub fn disk_ops(&self) -> u64 {
        self.engine.disk_ops()
    }

    /// When the run became fault-free for good: the latest end of every fault, once no more can
    /// come (`None` while a nemesis may still inject some). From the start without faults.
    #[inline]
    pub fn healed_at(&self) -> Option<u64> {
        let heal = self.engine.faults().heal_time();
        match self.nemesis.as_deref() {
            Some(NemesisRun {
                nemesis: Some(_),
                stopped_at,
                ..
            }) => stopped_at.map(|stopped| stopped.max(heal)),
            _ => Some(heal),
        }
    }

    /// The trace recorded so far, if [`Simulation::record_trace`] was asked for.
    pub fn trace(&self) -> Option<&Trace> {
        self.engine.trace()
    }

    /// The decision source.
    pub fn decisions(&self) -> &D {
        self.engine.decisions()
    }

    /// The system, consuming the simulation.
    pub fn into_world(self) -> S {
        self.system
    }

    /// Takes the simulation apart: the world, the decision source and the trace.
    #[inline(always)]
    pub fn into_parts(self) -> (S, D, Option<Trace>) {
        let (decisions, trace) = self.engine.into_parts();
        (self.system, decisions, trace)
    }
}
