//! The per-run machinery that node handlers reach through their [`Context`](crate::Context):
//! the clock, the event queue, timers, the network's send path and the decision source.
//!
//! The engine is generic over its [`DecisionSource`], so the network's draws on the send path
//! are static calls; a handler's `Context` reaches it through one `dyn` [`Ops`] handle, which is
//! what keeps `Context<M>` free of the decision source's type.

use crate::decision::{Cause, Choice, Decision, DecisionSource, Stream, chance};
use crate::faults::ResolvedFaults;
use crate::names::NodeNames;
use crate::network::NetworkModel;
use crate::node::{Message, NodeId};
use crate::queue::{Class, Event, EventQueue};
use crate::trace::{SendFate, Trace, TraceEvent, TraceKind};

/// Clock, queue, timers, network, decisions and counters of one run.
pub(crate) struct Engine<M, D> {
    pub(crate) now: u64,
    /// The step being processed (0 during the start phase), for traces.
    pub(crate) step: u64,
    pub(crate) queue: EventQueue<M>,
    /// Per node: its timers and whether it has started.
    pub(crate) nodes: Vec<NodeState>,
    pub(crate) names: NodeNames,
    pub(crate) network: NetworkModel<M>,
    pub(crate) faults: ResolvedFaults,
    pub(crate) delivered: u64,
    pub(crate) dropped: u64,
    pub(crate) trace: Option<Trace>,
    pub(crate) decisions: D,
}

/// What the engine keeps per node.
#[derive(Clone, Debug, Default)]
pub(crate) struct NodeState {
    /// Its armed timers: `(name, seq of the live timer event)`.
    pub(crate) timers: Vec<(&'static str, u64)>,
    /// Whether `on_start` has run (since the last cold restart).
    pub(crate) started: bool,
}

/// What a handler's [`Context`](crate::Context) may do to the engine, whatever its decision
/// source.
pub(crate) trait Ops<M> {
    fn now(&self) -> u64;
    fn names(&self) -> &NodeNames;
    fn send(&mut self, from: NodeId, to: NodeId, msg: M);
    fn set_timer(&mut self, node: NodeId, name: &'static str, delay: u64);
    fn cancel_timer(&mut self, node: NodeId, name: &'static str);
    fn timer_armed(&self, node: NodeId, name: &'static str) -> bool;
    fn decisions(&mut self) -> &mut dyn DecisionSource;
}

impl<M: Message, D: DecisionSource> Ops<M> for Engine<M, D> {
    fn now(&self) -> u64 {
        self.now
    }

    fn names(&self) -> &NodeNames {
        &self.names
    }

    fn send(&mut self, from: NodeId, to: NodeId, msg: M) {
        if to.index() >= self.names.len() {
            unknown_id(to, &self.names);
        }
        Engine::send(self, from, to, msg);
    }

    fn set_timer(&mut self, node: NodeId, name: &'static str, delay: u64) {
        Engine::set_timer(self, node, name, delay);
    }

    fn cancel_timer(&mut self, node: NodeId, name: &'static str) {
        Engine::cancel_timer(self, node, name);
    }

    fn timer_armed(&self, node: NodeId, name: &'static str) -> bool {
        self.nodes[node.index()]
            .timers
            .iter()
            .any(|(armed, _)| same_name(armed, name))
    }

    fn decisions(&mut self) -> &mut dyn DecisionSource {
        &mut self.decisions
    }
}

/// A handler sent to an id beyond the system's nodes: a bug in the node, reported as a panic.
#[cold]
#[track_caller]
fn unknown_id(id: NodeId, names: &NodeNames) -> ! {
    panic!(
        "send to unknown node id {id} (known: {})",
        crate::error::quoted_list(names.all())
    )
}

/// Timer names are `&'static str`: usually the same literal, so compare addresses first.
#[inline]
fn same_name(a: &'static str, b: &'static str) -> bool {
    std::ptr::eq(a, b) || a == b
}

impl<M: Message, D: DecisionSource> Engine<M, D> {
    pub(crate) fn new(network: NetworkModel<M>, decisions: D) -> Self {
        Engine {
            now: 0,
            step: 0,
            queue: EventQueue::new(),
            nodes: Vec::new(),
            names: NodeNames::default(),
            network,
            faults: ResolvedFaults::none(),
            delivered: 0,
            dropped: 0,
            trace: None,
            decisions,
        }
    }

    /// Records a trace event if tracing is on; `kind` is only built then.
    #[inline]
    pub(crate) fn record(&mut self, kind: impl FnOnce() -> TraceKind) {
        self.record_at(self.now, kind);
    }

    /// Records a trace event that happened at `time` (an event discarded without advancing the
    /// clock happens at its own time, not at `now`).
    #[inline]
    pub(crate) fn record_at(&mut self, time: u64, kind: impl FnOnce() -> TraceKind) {
        if let Some(trace) = &mut self.trace {
            trace.push(TraceEvent {
                time,
                step: self.step,
                kind: kind(),
            });
        }
    }

    /// Sends `msg` over the network, recording it in the trace if one is kept.
    pub(crate) fn send(&mut self, from: NodeId, to: NodeId, msg: M) {
        if self.trace.is_none() {
            self.route(from, to, msg, false);
            return;
        }
        let message = format!("{msg:?}");
        let (fate, mutated) = self.route(from, to, msg, true);
        self.record(|| TraceKind::Sent {
            from,
            to,
            message,
            mutated,
            fate,
        });
    }

    /// The send path: partition, loss, mutate, latency, duplicate, in that order. With
    /// `describe`, also returns what `mutate` turned the message into, if it changed it.
    #[inline]
    fn route(
        &mut self,
        from: NodeId,
        to: NodeId,
        msg: M,
        describe: bool,
    ) -> (SendFate, Option<String>) {
        if self.faults.cuts(from, to, self.now) {
            self.dropped += 1;
            return (SendFate::Partitioned, None);
        }
        if chance(
            &mut self.decisions,
            Stream::Network,
            Cause::Loss,
            self.network.loss_probability(),
        ) {
            self.dropped += 1;
            return (SendFate::Lost, None);
        }
        let (msg, mutated) = match self.network.mutator() {
            None => (msg, None),
            Some(mutate) => {
                let before = describe.then(|| format!("{msg:?}"));
                match mutate(from, to, msg) {
                    Some(rewritten) => {
                        let after =
                            before.and_then(|b| Some(format!("{rewritten:?}")).filter(|a| *a != b));
                        (rewritten, after)
                    }
                    None => {
                        self.dropped += 1;
                        return (SendFate::DroppedByMutate, None);
                    }
                }
            }
        };
        let arrives = self.now.saturating_add(self.latency(Cause::Latency));
        let duplicate_p = self.network.duplicate_probability();
        let duplicate = chance(
            &mut self.decisions,
            Stream::Network,
            Cause::Duplicate,
            duplicate_p,
        )
        .then(|| {
            self.now
                .saturating_add(self.latency(Cause::DuplicateLatency))
        });
        if let Some(at) = duplicate {
            self.queue.push(
                arrives,
                Class::Normal,
                Event::Deliver {
                    from,
                    to,
                    msg: msg.clone(),
                },
            );
            self.queue
                .push(at, Class::Normal, Event::Deliver { from, to, msg });
        } else {
            self.queue
                .push(arrives, Class::Normal, Event::Deliver { from, to, msg });
        }
        (SendFate::Scheduled { arrives, duplicate }, mutated)
    }

    #[inline]
    fn latency(&mut self, cause: Cause) -> u64 {
        let (lo, hi) = self.network.latency_range();
        if lo == hi {
            return lo;
        }
        let decision = Decision {
            stream: Stream::Network,
            cause,
            choice: Choice::Uniform { lo, hi },
        };
        self.decisions.decide(&decision)
    }

    pub(crate) fn set_timer(&mut self, node: NodeId, name: &'static str, delay: u64) {
        let due = self.now.saturating_add(delay.max(1));
        let seq = self
            .queue
            .push(due, Class::Normal, Event::Timer { node, name });
        let timers = &mut self.nodes[node.index()].timers;
        match timers.iter_mut().find(|(armed, _)| same_name(armed, name)) {
            Some(slot) => slot.1 = seq,
            None => timers.push((name, seq)),
        }
    }

    pub(crate) fn cancel_timer(&mut self, node: NodeId, name: &'static str) {
        self.nodes[node.index()]
            .timers
            .retain(|(armed, _)| !same_name(armed, name));
    }

    /// Whether the timer event `seq` of `node` is the live one for `name`.
    #[inline]
    pub(crate) fn timer_is_live(&self, node: NodeId, name: &'static str, seq: u64) -> bool {
        self.nodes[node.index()]
            .timers
            .iter()
            .any(|&(armed, live)| live == seq && same_name(armed, name))
    }
}
