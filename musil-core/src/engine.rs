//! The per-run machinery that node handlers reach through their [`Context`](crate::Context):
//! the clock, the event queue, timers, and the network's send path.

use crate::decision::{Cause, Choice, Decision, DecisionSource, Stream, chance};
use crate::faults::ResolvedFaults;
use crate::names::NodeNames;
use crate::network::NetworkModel;
use crate::node::{Message, NodeId};
use crate::queue::{Class, Event, EventQueue};
use crate::trace::{SendFate, Trace, TraceEvent, TraceKind};

/// Clock, queue, timers, network and counters of one run.
pub(crate) struct Engine<M> {
    pub(crate) now: u64,
    /// The step being processed (0 during the start phase), for traces.
    pub(crate) step: u64,
    pub(crate) queue: EventQueue<M>,
    /// Per node, its armed timers: `(name, seq of the live timer event)`.
    pub(crate) timers: Vec<Vec<(&'static str, u64)>>,
    pub(crate) names: NodeNames,
    pub(crate) network: NetworkModel<M>,
    pub(crate) faults: ResolvedFaults,
    pub(crate) delivered: u64,
    pub(crate) dropped: u64,
    pub(crate) trace: Option<Trace>,
}

impl<M: Message> Engine<M> {
    pub(crate) fn new(network: NetworkModel<M>) -> Self {
        Engine {
            now: 0,
            step: 0,
            queue: EventQueue::new(),
            timers: Vec::new(),
            names: NodeNames::default(),
            network,
            faults: ResolvedFaults::none(0),
            delivered: 0,
            dropped: 0,
            trace: None,
        }
    }

    /// Records a trace event if tracing is on; `kind` is only built then.
    #[inline]
    pub(crate) fn record(&mut self, kind: impl FnOnce() -> TraceKind) {
        if let Some(trace) = &mut self.trace {
            trace.push(TraceEvent {
                time: self.now,
                step: self.step,
                kind: kind(),
            });
        }
    }

    /// The send path: partition, loss, mutate, latency, duplicate, in that order.
    pub(crate) fn send(
        &mut self,
        decisions: &mut dyn DecisionSource,
        from: NodeId,
        to: NodeId,
        msg: M,
    ) {
        let shown = self.trace.is_some().then(|| format!("{msg:?}"));
        let traced = |engine: &mut Self, mutated: Option<String>, fate: SendFate| {
            if let Some(message) = &shown {
                let message = message.clone();
                engine.record(|| TraceKind::Sent {
                    from,
                    to,
                    message,
                    mutated,
                    fate,
                });
            }
        };
        if self.faults.cuts(from, to, self.now) {
            self.dropped += 1;
            return traced(self, None, SendFate::Partitioned);
        }
        if chance(
            decisions,
            Stream::Network,
            Cause::Loss,
            self.network.loss_probability(),
        ) {
            self.dropped += 1;
            return traced(self, None, SendFate::Lost);
        }
        let msg = match self.network.mutator() {
            None => msg,
            Some(mutate) => match mutate(from, to, msg) {
                Some(rewritten) => rewritten,
                None => {
                    self.dropped += 1;
                    return traced(self, None, SendFate::DroppedByMutate);
                }
            },
        };
        let mutated = shown
            .as_ref()
            .map(|_| format!("{msg:?}"))
            .filter(|after| Some(after) != shown.as_ref());
        let arrives = self
            .now
            .saturating_add(self.latency(decisions, Cause::Latency));
        let duplicate_p = self.network.duplicate_probability();
        let duplicate = if chance(decisions, Stream::Network, Cause::Duplicate, duplicate_p) {
            Some(
                self.now
                    .saturating_add(self.latency(decisions, Cause::DuplicateLatency)),
            )
        } else {
            None
        };
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
        traced(self, mutated, SendFate::Scheduled { arrives, duplicate });
    }

    #[inline]
    fn latency(&self, decisions: &mut dyn DecisionSource, cause: Cause) -> u64 {
        let (lo, hi) = self.network.latency_range();
        if lo == hi {
            lo
        } else {
            network_decision(decisions, cause, Choice::Uniform { lo, hi })
        }
    }

    pub(crate) fn set_timer(&mut self, node: NodeId, name: &'static str, delay: u64) {
        let seq = self.queue.push(
            self.now.saturating_add(delay.max(1)),
            Class::Normal,
            Event::Timer { node, name },
        );
        let timers = &mut self.timers[node.index()];
        match timers.iter_mut().find(|(armed, _)| *armed == name) {
            Some(slot) => slot.1 = seq,
            None => timers.push((name, seq)),
        }
    }

    pub(crate) fn cancel_timer(&mut self, node: NodeId, name: &'static str) {
        self.timers[node.index()].retain(|(armed, _)| *armed != name);
    }

    pub(crate) fn timer_armed(&self, node: NodeId, name: &'static str) -> bool {
        self.timers[node.index()]
            .iter()
            .any(|(armed, _)| *armed == name)
    }

    /// Whether the timer event `seq` of `node` is the live one for `name`.
    #[inline]
    pub(crate) fn timer_is_live(&self, node: NodeId, name: &'static str, seq: u64) -> bool {
        self.timers[node.index()]
            .iter()
            .any(|&(armed, live)| live == seq && armed == name)
    }
}

#[inline]
fn network_decision(decisions: &mut dyn DecisionSource, cause: Cause, choice: Choice) -> u64 {
    decisions.decide(&Decision {
        stream: Stream::Network,
        cause,
        choice,
    })
}
