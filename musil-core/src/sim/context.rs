//! [`Context`]: a node's window on the simulation while one of its handlers runs. It reaches
//! the default engine (seeded decisions) by direct calls for its hot operations, and any
//! engine through [`EngineHandle`].

use std::any::Any;
use std::fmt::Debug;

use crate::decision::rng::Rng;
use crate::decision::seeded::Seeded;
use crate::decision::{DecisionSource, Stream};
use crate::history::OpId;
use crate::id::{Message, NodeId};
use crate::system::names::{Destination, NodeNames};

use super::disk::Disk;
use super::engine::Engine;
use super::error::quoted_list;
use super::handle::EngineHandle;

/// What a node handler may do: read the virtual clock, send, arm timers, draw seeded randomness.
///
/// A context lives only for the duration of one handler call.
pub struct Context<'a, M> {
    handle: Handle<'a, M>,
    me: NodeId,
}

/// The engine behind a context: the default one (seeded decisions), whose sends and timers are
/// called directly, or any other, through [`EngineHandle`]'s vtable.
enum Handle<'a, M> {
    Seeded(&'a mut Engine<M, Seeded>),
    Other(&'a mut dyn EngineHandle<M>),
}

/// Calls `$call` with `$engine` bound to the engine behind `$handle` (`mut` to change it): a
/// direct call on the default engine, a virtual one on another.
macro_rules! on_engine {
    (mut $handle:expr, |$engine:ident| $call:expr) => {
        match &mut $handle {
            Handle::Seeded(engine) => {
                let $engine = &mut **engine;
                $call
            }
            Handle::Other(engine) => {
                let $engine = &mut **engine;
                $call
            }
        }
    };
    ($handle:expr, |$engine:ident| $call:expr) => {
        match &$handle {
            Handle::Seeded(engine) => {
                let $engine = &**engine;
                $call
            }
            Handle::Other(engine) => {
                let $engine = &**engine;
                $call
            }
        }
    };
}

impl<M: Message> Handle<'_, M> {
    /// The engine, through its vtable.
    fn get(&mut self) -> &mut dyn EngineHandle<M> {
        match self {
            Handle::Seeded(engine) => &mut **engine,
            Handle::Other(engine) => &mut **engine,
        }
    }
}

impl<'a, M: Message> Context<'a, M> {
    pub(crate) fn new<D: DecisionSource>(engine: &'a mut Engine<M, D>, me: NodeId) -> Self {
        // Known when the engine's type is: no test is left at run time.
        if (&*engine as &dyn Any).is::<Engine<M, Seeded>>() {
            if let Some(seeded) = (engine as &mut dyn Any).downcast_mut() {
                let handle = Handle::Seeded(seeded);
                return Context { handle, me };
            }
            unreachable!("the engine was just found to be the default one");
        }
        let handle = Handle::Other(engine);
        Context { handle, me }
    }

    /// The node names: read directly from the default engine, through the vtable from another.
    fn names(&self) -> &NodeNames {
        on_engine!(self.handle, |engine| EngineHandle::names(engine))
    }

    /// This node's id.
    pub fn id(&self) -> NodeId {
        self.me
    }

    /// This node's name.
    pub fn name(&self) -> &str {
        self.names().name(self.me)
    }

    /// The current virtual time.
    pub fn now(&self) -> u64 {
        on_engine!(self.handle, |engine| EngineHandle::now(engine))
    }

    /// The name of node `id`.
    ///
    /// # Panics
    /// If `id` is not a node of this system.
    pub fn name_of(&self, id: NodeId) -> &str {
        self.names().name(id)
    }

    /// The id of the node called `name`, if there is one.
    pub fn node_id(&self, name: &str) -> Option<NodeId> {
        self.names().id_of(name)
    }

    /// How many nodes the system has.
    pub fn node_count(&self) -> usize {
        self.names().len()
    }

    /// Sends `msg` to `to` (a [`NodeId`] or a node's name) over the simulated network.
    ///
    /// # Panics
    /// If `to` names no node of the system: a bug in the node, reported by the scenario as a
    /// `panic` failure that names the known nodes, the scenario and the seed, and this call.
    #[track_caller]
    pub fn send(&mut self, to: impl Destination, msg: M) {
        let to = match to.known_id() {
            Some(id) => id,
            None => self.by_name(to),
        };
        let me = self.me;
        on_engine!(mut self.handle, |engine| EngineHandle::send(
            engine, me, to, msg
        ));
    }

    /// The id of a destination given by name, or a panic naming the known nodes.
    #[track_caller]
    fn by_name(&self, to: impl Destination) -> NodeId {
        match to.resolve(self.names()) {
            Ok(id) => id,
            Err(unknown) => panic!(
                "send to unknown node {unknown:?} (known: {})",
                quoted_list(self.names().all())
            ),
        }
    }

    /// Sends a copy of `msg` to every other node, in declaration order.
    pub fn broadcast(&mut self, msg: M) {
        let me = self.me;
        let count = self.node_count();
        let Some(last) = (0..count).rev().map(NodeId::new).find(|&id| id != me) else {
            return;
        };
        for to in (0..last.index()).map(NodeId::new).filter(|&id| id != me) {
            let copy = msg.clone();
            on_engine!(mut self.handle, |engine| EngineHandle::send(
                engine, me, to, copy
            ));
        }
        on_engine!(mut self.handle, |engine| EngineHandle::send(
            engine, me, last, msg
        ));
    }

    /// Arms timer `name` to fire `max(delay, 1)` time units from now; re-arming a timer of the
    /// same name replaces it.
    pub fn set_timer(&mut self, name: &'static str, delay: u64) {
        let me = self.me;
        on_engine!(mut self.handle, |engine| EngineHandle::set_timer(
            engine, me, name, delay
        ));
    }

    /// Disarms timer `name` (nothing happens if it is not armed).
    pub fn cancel_timer(&mut self, name: &'static str) {
        let me = self.me;
        on_engine!(mut self.handle, |engine| EngineHandle::cancel_timer(
            engine, me, name
        ));
    }

    /// Whether timer `name` is armed.
    pub fn timer_armed(&self, name: &'static str) -> bool {
        on_engine!(self.handle, |engine| EngineHandle::timer_armed(
            engine, self.me, name
        ))
    }

    /// This node's disk: named files of bytes that outlive the node's crashes (see [`Disk`]).
    /// Reads see this node's unsynced writes; what a crash keeps depends on its kind.
    pub fn disk(&mut self) -> Disk<'_> {
        self.handle.get().disk(self.me)
    }

    /// Puts a line in the trace, under this node's name ("became leader of term 3"): the text is
    /// only formatted when a trace is recorded (a failing seed's explanation), so a note costs
    /// nothing in the runs that search for failures.
    ///
    /// ```
    /// # use musil_core::{Context, Node};
    /// # struct Candidate { term: u64 }
    /// # impl Node<()> for Candidate {
    /// fn on_timer(&mut self, ctx: &mut Context<()>, _: &'static str) {
    ///     self.term += 1;
    ///     ctx.note(format_args!("became leader of term {}", self.term));
    /// }
    /// # }
    /// ```
    pub fn note(&mut self, text: impl std::fmt::Display) {
        if self.handle.get().tracing() {
            self.handle.get().note(self.me, text.to_string());
        }
    }

    /// BUGGIFY: whether to take the unusual path at `site` now — always `false` unless the
    /// scenario enables buggify; then the site is on for the run with probability 1/4 (decided
    /// at its first evaluation) and fires, when on, with probability 1/4 each time. The trace and
    /// the report list the sites that fired.
    ///
    /// ```
    /// # use musil_core::{Context, Node, NodeId};
    /// # struct Server;
    /// # impl Node<u32> for Server {
    /// fn on_message(&mut self, ctx: &mut Context<u32>, from: NodeId, n: u32) {
    ///     if ctx.buggify("slow_reply") {
    ///         return; // as if the reply were lost in a full queue
    ///     }
    ///     ctx.send(from, n);
    /// }
    /// # }
    /// ```
    pub fn buggify(&mut self, site: &'static str) -> bool {
        self.handle.get().buggify(self.me, site)
    }

    /// Coverage: records whether `condition` held at `site` ("leader elected"). A site evaluated
    /// in some run of a scenario must hold in at least one of its runs, or the scenario fails
    /// with kind `Coverage` naming it: a green run that never reached a rare path proves
    /// nothing. The report counts the hits per site.
    pub fn sometimes(&mut self, site: &'static str, condition: bool) {
        self.handle.get().sometimes(site, condition);
    }

    /// Records that this node, a client, invoked `op` on the system under test now: the start
    /// of an operation in the run's history, which a scenario checking one (`history =
    /// linearizable(spec)`) judges when the run ends. End it with [`complete`](Context::complete)
    /// or [`fail`](Context::fail); an operation never ended is pending — it may have taken effect
    /// or not, as after a timeout or a crash of the client. A scenario that checks no history
    /// records nothing.
    ///
    /// ```
    /// # use musil_core::{Context, Node, NodeId};
    /// use musil_core::history::{KvOp, KvRet};
    /// # #[derive(Clone, Debug)] enum Msg { Get(u64), Value(Option<i64>) }
    /// # struct Client { pending: Option<musil_core::history::OpId> }
    /// impl Node<Msg> for Client {
    ///     fn on_start(&mut self, ctx: &mut Context<Msg>) {
    ///         self.pending = Some(ctx.invoke(KvOp::<u64, i64>::Get(7)));
    ///         ctx.send("server", Msg::Get(7));
    ///     }
    ///     fn on_message(&mut self, ctx: &mut Context<Msg>, _: NodeId, msg: Msg) {
    ///         if let (Msg::Value(v), Some(op)) = (msg, self.pending.take()) {
    ///             ctx.complete(op, KvRet::Value(v));
    ///         }
    ///     }
    /// }
    /// ```
    pub fn invoke<O: Any + Send + Debug>(&mut self, op: O) -> OpId {
        let id = self.handle.get().next_op();
        if self.handle.get().tracing() {
            self.handle
                .get()
                .note(self.me, format!("▶ #{} {op:?}", id.index()));
        }
        let (now, me) = (self.handle.get().now(), self.me);
        if let Some(history) = self.handle.get().history() {
            history.invoke(id, me, now, op);
        }
        id
    }

    /// Records that operation `op` returned `ret` now.
    ///
    /// # Panics
    /// When the history is recorded and `op` already ended (a panic in a handler fails the run,
    /// with this message).
    pub fn complete<R: Any + Send + Debug>(&mut self, op: OpId, ret: R) {
        if self.handle.get().tracing() {
            self.handle
                .get()
                .note(self.me, format!("◀ #{} {ret:?}", op.index()));
        }
        let now = self.handle.get().now();
        if let Some(Err(problem)) = self
            .handle
            .get()
            .history()
            .map(|h| h.complete(op, now, ret))
        {
            panic!("{problem}");
        }
    }

    /// Records that operation `op` certainly did not take effect (the system said so): a
    /// history check leaves it out. An operation whose fate is unknown is left pending instead.
    ///
    /// # Panics
    /// When the history is recorded and `op` already ended.
    pub fn fail(&mut self, op: OpId) {
        if self.handle.get().tracing() {
            self.handle
                .get()
                .note(self.me, format!("✗ #{} failed", op.index()));
        }
        if let Some(Err(problem)) = self.handle.get().history().map(|h| h.fail(op)) {
            panic!("{problem}");
        }
    }

    /// This node's seeded randomness, as an `rand_core` generator for richer use.
    pub fn rng(&mut self) -> Rng<'_> {
        Rng::new(self.handle.get().decisions(), Stream::Node(self.me))
    }

    /// A float uniformly distributed in `[0, 1)`, from this node's stream.
    pub fn random(&mut self) -> f64 {
        self.rng().random()
    }

    /// An integer uniformly distributed in `lo..=hi`, from this node's stream.
    ///
    /// # Panics
    /// If `lo > hi`.
    pub fn randint(&mut self, lo: i64, hi: i64) -> i64 {
        self.rng().randint(lo, hi)
    }

    /// `true` with probability `p`, from this node's stream.
    pub fn chance(&mut self, p: f64) -> bool {
        self.rng().chance(p)
    }

    /// A uniform index below `n` (for picking among `n` options).
    ///
    /// # Panics
    /// If `n` is 0.
    pub fn pick(&mut self, n: usize) -> usize {
        self.rng().pick(n)
    }
}
