//! [`Engine`]: the per-run machinery behind a [`Simulation`](super::Simulation) — the clock, the
//! event queue, each node's timers, the network, the faults, the counters, the trace and the
//! decision source — behind methods, so that every change to the run goes through one place.
//!
//! The engine is generic over its [`DecisionSource`], so the network's draws on the send path
//! are static calls; a handler's [`Context`](super::context::Context) reaches it through
//! [`EngineHandle`], which keeps `Context<M>` free of the decision source's type: by direct calls
//! for its sends and timers when the source is the default one, through the vtable otherwise.

use std::sync::Arc;

use crate::decision::{DecisionSource, Stream};
use crate::id::{Message, NodeId};
use crate::system::names::NodeNames;

use super::disk::files::DiskFiles;
use super::disk::power::power_loss;
use super::disk::{Disk, Disks};
use super::error::{SetupError, quoted_list};
use super::faults::{CrashKind, FaultSchedule, Plan, ResolvedFaults};
use super::handle::EngineHandle;
use super::nemesis::{FaultControl, Injection, Request};
use super::network::{Delivery, NetworkModel, Route};
use super::queue::{Class, Event, EventQueue, Ticket};
use super::storage::{RELIABLE, StorageModel};
use super::trace::{Trace, TraceEvent, TraceKind};
use crate::forensics::choices::FaultEdits;
use crate::history::{OpId, RecordedHistory};
use crate::sweep::buggify::Sites;
use crate::sweep::coverage::Hits;

/// How many steps, deliveries and drops a run has had: kept here only, counted as they happen.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Counters {
    /// Steps processed (deliveries, fired timers, restarts).
    pub(crate) steps: u64,
    /// Messages delivered.
    pub(crate) delivered: u64,
    /// Messages dropped: cut, lost, dropped by `mutate`, or arriving at a down node.
    pub(crate) dropped: u64,
}

/// The disks of a run and how they behave.
#[derive(Debug, Default)]
struct Storage {
    model: Option<StorageModel>,
    /// Each node's disk (empty until a node uses one).
    disks: Vec<DiskFiles>,
    /// Disk operations so far.
    ops: u64,
}

impl Storage {
    fn model(&self) -> &StorageModel {
        self.model.as_ref().unwrap_or(&RELIABLE)
    }
}

/// What the engine keeps per node.
#[derive(Clone, Debug, Default)]
struct NodeState {
    /// Its armed timers: `(name, ticket of the live timer event)`. A timer re-armed or
    /// cancelled withdraws its event from the queue.
    timers: Vec<(&'static str, Ticket)>,
    /// Whether `on_start` has run (since the last cold restart).
    started: bool,
}

/// Empties `slot` if it holds something: an engine or a simulation reset for its next run
/// leaves most of its optional parts empty, and a test costs less than dropping nothing.
#[inline(always)]
pub(super) fn clear<T>(slot: &mut Option<T>) {
    if slot.is_some() {
        *slot = None;
    }
}

/// A scenario's shared fault schedule and what it resolved to against the name table it was
/// resolved with.
type SharedPlan = (Arc<FaultSchedule>, Arc<ResolvedFaults>);

/// Clock, queue, timers, network, faults, counters, trace and decisions of one run.
pub(crate) struct Engine<M, D> {
    now: u64,
    queue: EventQueue<M>,
    nodes: Vec<NodeState>,
    names: NodeNames,
    network: NetworkModel<M>,
    /// The run's faults: shared with the other runs of its plan until a nemesis adds some.
    faults: Arc<ResolvedFaults>,
    /// No link is cut and no node down, ever (so far): the send and step paths skip the table.
    no_faults: bool,
    /// The last shared plan resolved on this thread, and what it resolved to.
    shared: Option<SharedPlan>,
    /// The storage model and the disks, made when a storage model is set or a disk first used
    /// (boxed: most runs never use a disk, and every seed moves the engine).
    storage: Option<Box<Storage>>,
    counters: Counters,
    trace: Option<Trace>,
    decisions: D,
    /// The length of every fault the nemesis has asked for, in order (the index of each is its
    /// ordinal for [`FaultEdits`]).
    asked: Vec<u64>,
    /// How many of them were injected.
    injected: u32,
    /// Edits of the nemesis's faults, when a shrunk run is replayed.
    nemesis_edits: Option<Box<FaultEdits>>,
    /// The buggify sites of the run, when the scenario enables them.
    buggify: Option<Box<Sites>>,
    /// The `ctx.sometimes` sites of the run, from the first one evaluated.
    coverage: Option<Box<Hits>>,
    /// Operations invoked so far (`ctx.invoke`), recorded or not.
    ops_invoked: u32,
    /// The history, when the run checks one.
    history: Option<Box<RecordedHistory>>,
}

impl<M: Message, D: DecisionSource> EngineHandle<M> for Engine<M, D> {
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

    fn tracing(&self) -> bool {
        self.trace.is_some()
    }

    fn sometimes(&mut self, site: &'static str, held: bool) {
        self.coverage
            .get_or_insert_with(Box::default)
            .record(site, held);
    }

    fn buggify(&mut self, node: NodeId, site: &'static str) -> bool {
        let Some(sites) = self.buggify.as_deref_mut() else {
            return false;
        };
        let fires = sites.fires(site, &mut self.decisions);
        if fires {
            self.record(|| TraceKind::Buggify { node, site });
        }
        fires
    }

    fn note(&mut self, node: NodeId, text: String) {
        self.record(|| TraceKind::Note { node, text });
    }

    fn next_op(&mut self) -> OpId {
        let id = OpId(self.ops_invoked);
        self.ops_invoked += 1;
        id
    }

    fn history(&mut self) -> Option<&mut RecordedHistory> {
        self.history.as_deref_mut()
    }

    fn disk(&mut self, node: NodeId) -> Disk<'_> {
        let storage = self.storage.get_or_insert_with(Box::default);
        if storage.disks.len() <= node.index() {
            storage
                .disks
                .resize_with(self.names.len(), DiskFiles::default);
        }
        let Storage { model, disks, ops } = &mut **storage;
        Disk {
            state: &mut disks[node.index()],
            model: model.as_ref().unwrap_or(&RELIABLE),
            decisions: &mut self.decisions,
            trace: self.trace.as_mut(),
            ops,
            node,
            time: self.now,
            step: self.counters.steps,
        }
    }
}

/// A handler sent to an id beyond the system's nodes: a bug in the node, reported as a panic.
#[cold]
#[track_caller]
fn unknown_id(id: NodeId, names: &NodeNames) -> ! {
    panic!(
        "send to unknown node id {id} (known: {})",
        quoted_list(names.all())
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
            queue: EventQueue::new(),
            nodes: Vec::new(),
            names: NodeNames::default(),
            network,
            // A placeholder until `begin`.
            faults: Arc::default(),
            no_faults: true,
            shared: None,
            storage: None,
            counters: Counters::default(),
            trace: None,
            decisions,
            asked: Vec::new(),
            injected: 0,
            nemesis_edits: None,
            buggify: None,
            coverage: None,
            ops_invoked: 0,
            history: None,
        }
    }

    /// Empties the engine in place for a new run, as [`Engine::new`] builds one, keeping its
    /// storage (queue, per-node state, name table, the last shared plan's compiled table) and
    /// its decision source (renewed by the caller). The network and the fault table stay until
    /// the run's own replace them (`set_network`, `begin`).
    pub(crate) fn reset(&mut self) {
        self.now = 0;
        self.queue.clear();
        self.no_faults = true;
        self.counters = Counters::default();
        self.asked.clear();
        self.injected = 0;
        self.ops_invoked = 0;
        clear(&mut self.storage);
        clear(&mut self.trace);
        clear(&mut self.nemesis_edits);
        clear(&mut self.buggify);
        clear(&mut self.coverage);
        clear(&mut self.history);
    }

    /// Uses `network` (before the start).
    pub(crate) fn set_network(&mut self, network: NetworkModel<M>) {
        self.network = network;
    }

    /// Records the operations clients invoke (before the start).
    pub(crate) fn record_history(&mut self) {
        self.history.get_or_insert_with(Box::default);
    }

    /// The history recorded so far, if recording.
    pub(crate) fn recorded_history(&self) -> Option<&RecordedHistory> {
        self.history.as_deref()
    }

    /// Enables `ctx.buggify` sites (before the start).
    pub(crate) fn enable_buggify(&mut self) {
        self.buggify.get_or_insert_with(Box::default);
    }

    /// The coverage sites of the run, if any was declared.
    pub(crate) fn take_coverage(&mut self) -> Option<Box<Hits>> {
        self.coverage.take()
    }

    /// The buggify sites that fired, with how often.
    pub(crate) fn buggify_fired(&self) -> Vec<(&'static str, u32)> {
        self.buggify.as_deref().map_or(Vec::new(), Sites::fired)
    }

    /// Uses `storage` for every disk (before the start).
    pub(crate) fn set_storage(&mut self, storage: StorageModel) {
        if storage != RELIABLE {
            self.storage.get_or_insert_with(Box::default).model = Some(storage);
        }
    }

    /// Uses `decisions` (before the start).
    pub(crate) fn set_decisions(&mut self, decisions: D) {
        self.decisions = decisions;
    }

    /// Checks the network and takes the run's names and compiled faults; records a trace from
    /// now on if `record_trace`.
    pub(crate) fn begin(
        &mut self,
        names: NodeNames,
        faults: Arc<ResolvedFaults>,
        record_trace: bool,
    ) -> Result<(), SetupError> {
        self.network.validate()?;
        if let Some(storage) = &self.storage {
            storage.model().validate()?;
        }
        if record_trace {
            self.trace = Some(Trace::new(names.to_strings()));
        }
        self.nodes.truncate(names.len());
        for node in &mut self.nodes {
            node.timers.clear();
            node.started = false;
        }
        self.nodes.resize_with(names.len(), NodeState::default);
        self.names = names;
        self.no_faults = faults.is_empty();
        self.faults = faults;
        Ok(())
    }

    /// Schedules the restart at the end of every crash window, and the power loss at the start
    /// of every power crash.
    pub(crate) fn schedule_restarts(&mut self) {
        for crash in self.faults.crashes() {
            let event = Event::Restart {
                node: crash.node,
                kind: crash.kind,
                window: crash.window,
            };
            self.queue.push(crash.end, Class::Restart, event);
            if crash.kind == CrashKind::Power {
                let event = Event::PowerOff { node: crash.node };
                self.queue.push(crash.start, Class::Restart, event);
            }
        }
    }

    /// The current virtual time.
    pub(crate) fn now(&self) -> u64 {
        self.now
    }

    /// The run's node names (empty before the start).
    pub(crate) fn names(&self) -> &NodeNames {
        &self.names
    }

    /// The run's compiled faults.
    pub(crate) fn faults(&self) -> &ResolvedFaults {
        &self.faults
    }

    /// Steps, deliveries and drops so far.
    pub(crate) fn counters(&self) -> Counters {
        self.counters
    }

    /// Events scheduled so far.
    pub(crate) fn scheduled(&self) -> u64 {
        self.queue.scheduled()
    }

    /// Events pending (withdrawn timers excluded).
    pub(crate) fn pending(&self) -> usize {
        self.queue.len()
    }

    /// The trace, if one is recorded.
    pub(crate) fn trace(&self) -> Option<&Trace> {
        self.trace.as_ref()
    }

    /// The decision source.
    pub(crate) fn decisions(&self) -> &D {
        &self.decisions
    }

    /// The decision source.
    pub(crate) fn decisions_mut(&mut self) -> &mut D {
        &mut self.decisions
    }

    /// The decision source, rewound on `stream` (to rebuild a node identically).
    pub(crate) fn rewound(&mut self, stream: Stream) -> &mut D {
        self.decisions.rewind(stream);
        &mut self.decisions
    }

    /// The decision source and the trace, consuming the engine.
    #[inline(always)]
    pub(crate) fn into_parts(self) -> (D, Option<Trace>) {
        (self.decisions, self.trace)
    }

    /// `plan` checked against the system's `names` and compiled: a shared plan is compiled once
    /// per thread, and its table shared by the runs that follow while the names stay the same
    /// (`names_unchanged`).
    pub(crate) fn resolve(
        &mut self,
        plan: &Plan,
        names: &NodeNames,
        names_unchanged: bool,
    ) -> Result<Arc<ResolvedFaults>, SetupError> {
        if !names_unchanged {
            // Compiled against other names: of no use any more.
            self.shared = None;
        }
        let schedule = match plan {
            Plan::Own(schedule) => return schedule.resolve(names).map(Arc::new),
            Plan::Shared(schedule) => schedule,
        };
        if let Some((known, resolved)) = &self.shared
            && Arc::ptr_eq(known, schedule)
        {
            return Ok(Arc::clone(resolved));
        }
        let resolved = Arc::new(schedule.resolve(names)?);
        self.shared = Some((Arc::clone(schedule), Arc::clone(&resolved)));
        Ok(resolved)
    }

    /// The name table, taken to be refilled for a new run (before the start).
    pub(crate) fn take_names(&mut self) -> NodeNames {
        std::mem::take(&mut self.names)
    }

    /// Whether `node` has run `on_start` since its last cold restart.
    pub(crate) fn started(&self, node: NodeId) -> bool {
        self.nodes[node.index()].started
    }

    /// Marks `node` started and records it.
    pub(crate) fn mark_started(&mut self, node: NodeId) {
        self.nodes[node.index()].started = true;
        self.record(|| TraceKind::Started { node });
    }

    /// Forgets `node`'s timers and its start: it is about to be replaced by a fresh instance.
    pub(crate) fn forget_node(&mut self, node: NodeId) {
        let state = &mut self.nodes[node.index()];
        for (_, ticket) in state.timers.drain(..) {
            self.queue.withdraw(ticket);
        }
        state.started = false;
    }

    /// Records a trace event if tracing is on; `kind` is only built then.
    #[inline]
    pub(crate) fn record(&mut self, kind: impl FnOnce() -> TraceKind) {
        self.record_at(self.now, kind);
    }

    /// Records a trace event that happened at `time` (an event discarded without advancing the
    /// clock happens at its own time, not at `now`).
    #[inline]
    fn record_at(&mut self, time: u64, kind: impl FnOnce() -> TraceKind) {
        if let Some(trace) = &mut self.trace {
            trace.push(TraceEvent {
                time,
                step: self.counters.steps,
                kind: kind(),
            });
        }
    }

    /// Sends `msg` over the network: the network decides its fate, the engine schedules what
    /// survives and counts what does not (and records the send if a trace is kept).
    #[inline]
    pub(crate) fn send(&mut self, from: NodeId, to: NodeId, msg: M) {
        if self.trace.is_some() {
            return self.send_traced(from, to, msg);
        }
        let cut = self.cut(from, to);
        let now = self.now;
        match (self.network).route(&mut self.decisions, now, cut, (from, to), msg, false) {
            Route::Dropped(_) => self.counters.dropped += 1,
            Route::Deliver(delivery) => {
                self.schedule_delivery(from, to, delivery);
            }
        }
    }

    /// [`Engine::send`] with a trace: also works out the message's text, what `mutate` made of
    /// it and its fate, and records them.
    #[inline(never)]
    fn send_traced(&mut self, from: NodeId, to: NodeId, msg: M) {
        let message = format!("{msg:?}");
        let cut = self.cut(from, to);
        let route = self
            .network
            .route(&mut self.decisions, self.now, cut, (from, to), msg, true);
        let (fate, mutated) = match route {
            Route::Dropped(fate) => {
                self.counters.dropped += 1;
                (fate, None)
            }
            Route::Deliver(delivery) => {
                let fate = delivery.fate();
                let mutated = self.schedule_delivery(from, to, delivery);
                (fate, mutated)
            }
        };
        self.record(|| TraceKind::Sent {
            from,
            to,
            message,
            mutated,
            fate,
        });
    }

    /// Pushes a surviving message (and its duplicate); returns what `mutate` made of it.
    #[inline(always)]
    fn schedule_delivery(
        &mut self,
        from: NodeId,
        to: NodeId,
        delivery: Delivery<M>,
    ) -> Option<String> {
        let Delivery {
            msg,
            arrives,
            duplicate,
            mutated,
        } = delivery;
        if let Some(at) = duplicate {
            let copy = msg.clone();
            self.queue.push(
                arrives,
                Class::Normal,
                Event::Deliver {
                    from,
                    to,
                    msg: copy,
                },
            );
            self.queue
                .push(at, Class::Normal, Event::Deliver { from, to, msg });
        } else {
            self.queue
                .push(arrives, Class::Normal, Event::Deliver { from, to, msg });
        }
        mutated
    }

    /// Arms `name` for `node` to fire `max(delay, 1)` from now, replacing an armed one.
    pub(crate) fn set_timer(&mut self, node: NodeId, name: &'static str, delay: u64) {
        let due = self.now.saturating_add(delay.max(1));
        let ticket = self
            .queue
            .push(due, Class::Normal, Event::Timer { node, name });
        let timers = &mut self.nodes[node.index()].timers;
        match timers.iter_mut().find(|(armed, _)| same_name(armed, name)) {
            Some(armed) => {
                let stale = std::mem::replace(&mut armed.1, ticket);
                self.queue.withdraw(stale);
            }
            None => timers.push((name, ticket)),
        }
    }

    /// Disarms `name` for `node`, withdrawing its pending event.
    #[inline]
    pub(crate) fn cancel_timer(&mut self, node: NodeId, name: &'static str) {
        if let Some(ticket) = self.disarm(node, name) {
            self.queue.withdraw(ticket);
        }
    }

    /// Forgets the armed timer `name` of `node`, if any, and gives its event's ticket (for a
    /// timer whose event has just been taken off the queue, there is nothing to withdraw).
    #[inline]
    fn disarm(&mut self, node: NodeId, name: &'static str) -> Option<Ticket> {
        let timers = &mut self.nodes[node.index()].timers;
        let at = timers
            .iter()
            .position(|(armed, _)| same_name(armed, name))?;
        // The order of armed timers means nothing: names are unique.
        Some(timers.swap_remove(at).1)
    }

    /// Whether the timer event `seq` of `node` is the live one for `name`.
    #[inline]
    fn timer_is_live(&self, node: NodeId, name: &'static str, seq: u64) -> bool {
        self.nodes[node.index()]
            .timers
            .iter()
            .any(|&(armed, live)| live.seq == seq && same_name(armed, name))
    }

    /// Whether a partition cuts the link `from → to` now.
    #[inline(always)]
    fn cut(&self, from: NodeId, to: NodeId) -> bool {
        !self.no_faults && self.faults.cuts(from, to, self.now)
    }

    /// Whether `node` is down at `time`.
    #[inline(always)]
    fn is_down(&self, node: NodeId, time: u64) -> bool {
        !self.no_faults && self.faults.is_down(node, time)
    }

    /// Whether the event `seq` due at `time` is a step: not a message or a timer due at a down
    /// node, not a stale restart, not a power-off.
    #[inline(always)]
    fn is_step(&self, time: u64, seq: u64, event: &Event<M>) -> bool {
        match *event {
            Event::Deliver { to, .. } => !self.is_down(to, time),
            Event::Timer { node, name } => {
                // A timer re-armed, cancelled or forgotten withdrew its event: one that reaches
                // the head is the live one.
                debug_assert!(self.timer_is_live(node, name, seq), "a stale timer event");
                !self.is_down(node, time)
            }
            Event::Restart { node, window, .. } => self.faults.restart_is_due(node, window, time),
            Event::PowerOff { .. } => false,
        }
    }

    /// Discards the events at the head of the queue that are not steps (stale timers, timers
    /// due at a down node, messages arriving at a down node), accounting for each; returns
    /// whether a step is left.
    pub(crate) fn skip_non_steps(&mut self) -> bool {
        loop {
            self.queue.skip_withdrawn();
            let Some((time, seq, event)) = self.queue.peek() else {
                return false;
            };
            if self.is_step(time, seq, event) {
                return true;
            }
            if let Some((time, _, event)) = self.queue.pop() {
                self.discard(time, event);
            }
        }
    }

    /// Takes the next step, discarding (and accounting for) the events before it that are not
    /// steps: moves the clock to it and counts it. `None` when no step is left. The caller
    /// accounts for what it is ([`Engine::delivering`], [`Engine::firing`],
    /// [`Engine::restarting`]).
    #[inline(always)]
    pub(crate) fn next_step(&mut self) -> Option<(u64, Event<M>)> {
        loop {
            let (time, seq, event) = self.queue.pop()?;
            if self.is_step(time, seq, &event) {
                self.now = time;
                self.counters.steps += 1;
                return Some((time, event));
            }
            self.discard(time, event);
        }
    }

    /// Accounts for an event that is not a step (it does not advance the clock): a message
    /// arriving at a down node, a timer falling due at a down node (lost), a stale restart, or
    /// a power-off (applied).
    #[cold]
    fn discard(&mut self, time: u64, event: Event<M>) {
        match event {
            Event::Deliver { from, to, msg } => {
                self.counters.dropped += 1;
                self.record_at(time, || TraceKind::DroppedOnArrival {
                    from,
                    to,
                    message: format!("{msg:?}"),
                });
            }
            Event::Timer { node, name } => {
                // Its event is the one being discarded: nothing to withdraw.
                self.disarm(node, name);
                self.record_at(time, || TraceKind::TimerLost { node, timer: name });
            }
            Event::Restart { .. } => {}
            Event::PowerOff { node } => self.power_loss_at(time, node),
        }
    }

    /// `node` loses power at `time`: its disk keeps what was synced and the storage model draws
    /// the fate of the rest.
    fn power_loss_at(&mut self, time: u64, node: NodeId) {
        let fates = match self.storage.as_deref_mut() {
            Some(Storage { model, disks, .. }) => match disks.get_mut(node.index()) {
                Some(disk) => {
                    let model = model.as_ref().unwrap_or(&RELIABLE);
                    power_loss(disk, model, &mut self.decisions, node)
                }
                None => Vec::new(),
            },
            None => Vec::new(),
        };
        self.record_at(time, || TraceKind::PowerLoss { node, fates });
    }

    /// A step delivers `msg` from `from` to `to`: counted, and recorded.
    #[inline]
    pub(crate) fn delivering(&mut self, from: NodeId, to: NodeId, msg: &M) {
        self.counters.delivered += 1;
        self.record(|| TraceKind::Delivered {
            from,
            to,
            message: format!("{msg:?}"),
        });
    }

    /// A step fires `node`'s timer `name`: disarmed, and recorded.
    #[inline]
    pub(crate) fn firing(&mut self, node: NodeId, name: &'static str) {
        self.disarm(node, name);
        self.record(|| TraceKind::TimerFired { node, timer: name });
    }

    /// A step restarts `node`: recorded.
    pub(crate) fn restarting(&mut self, node: NodeId, kind: CrashKind) {
        self.record(|| TraceKind::Restarted { node, kind });
    }

    /// Keeps the world's pretty `Debug` in the trace, if one is recorded.
    pub(crate) fn snapshot(&mut self, pretty: impl FnOnce() -> String) {
        let (time, step) = (self.now, self.counters.steps);
        if let Some(trace) = &mut self.trace {
            trace.snapshot(time, step, pretty());
        }
    }

    /// Every node's disk, read-only.
    pub(crate) fn disks(&self) -> Disks<'_> {
        let disks = self.storage.as_deref().map_or(&[][..], |s| &s.disks[..]);
        Disks::new(disks, &self.names)
    }

    /// Disk operations so far.
    pub(crate) fn disk_ops(&self) -> u64 {
        self.storage.as_deref().map_or(0, |s| s.ops)
    }

    /// What a nemesis is given: the clock, the faults, its own randomness.
    pub(crate) fn fault_control(&mut self) -> FaultControl<'_> {
        FaultControl::new(self.now, &self.names, &self.faults, &mut self.decisions)
    }

    /// Applies what the nemesis asked for, from now, and records each with its reason.
    pub(crate) fn inject(&mut self, injections: Vec<Injection>) {
        if !injections.is_empty() {
            Arc::make_mut(&mut self.faults).forget_before(self.now);
        }
        for Injection { request, because } in injections {
            let Some(request) = self.edit(request) else {
                continue;
            };
            self.injected += 1;
            let because = because.map_or_else(String::new, |reason| format!(" ({reason})"));
            self.inject_one(request, &because);
        }
        self.no_faults = self.faults.is_empty();
    }

    /// Uses `edits` on the nemesis's faults (a shrunk run's).
    pub(crate) fn set_nemesis_edits(&mut self, edits: FaultEdits) {
        self.nemesis_edits = (!edits.is_empty()).then(|| Box::new(edits));
    }

    /// The lengths of the faults the nemesis asked for, and how many were injected.
    pub(crate) fn nemesis_faults(&self) -> (&[u64], u32) {
        (&self.asked, self.injected)
    }

    /// The request as the edits leave it: `None` if they drop it, a shorter fault if they
    /// shorten it.
    fn edit(&mut self, mut request: Request) -> Option<Request> {
        let ordinal = self.asked.len() as u32;
        self.asked.push(match &request {
            Request::Cut { duration, .. } => *duration,
            Request::Crash { down_for, .. } => *down_for,
            Request::HealAll => 0,
        });
        let Some(edits) = self.nemesis_edits.as_deref() else {
            return Some(request);
        };
        if edits.drops(ordinal) {
            return None;
        }
        match &mut request {
            Request::Cut { duration, .. } => *duration = edits.length(ordinal, *duration).max(1),
            Request::Crash { down_for, .. } => *down_for = edits.length(ordinal, *down_for).max(1),
            Request::HealAll => {}
        }
        Some(request)
    }

    /// Records what the nemesis did.
    fn note_nemesis(&mut self, action: String, because: &str) {
        self.record(|| TraceKind::Nemesis {
            action: action + because,
        });
    }

    /// Applies one request.
    fn inject_one(&mut self, request: Request, because: &str) {
        let now = self.now;
        match request {
            Request::Cut {
                links,
                duration,
                what,
            } => {
                let end = now.saturating_add(duration);
                Arc::make_mut(&mut self.faults).add_partition(links, now, end);
                self.note_nemesis(format!("{what} for {duration} (until t={end})"), because);
            }
            Request::Crash {
                node,
                kind,
                down_for,
            } => self.crash(node, kind, down_for, because),
            Request::HealAll => {
                let restarts = Arc::make_mut(&mut self.faults).heal_all(now);
                for early in &restarts {
                    let event = Event::Restart {
                        node: early.node,
                        kind: early.kind,
                        window: early.window,
                    };
                    self.queue.push(now, Class::Restart, event);
                }
                let action = format!("heal all ({} down nodes restart now)", restarts.len());
                self.note_nemesis(action, because);
            }
        }
    }

    /// Crashes `node` from now for `down_for`, unless a down window of it is in the way.
    fn crash(&mut self, node: NodeId, kind: CrashKind, down_for: u64, because: &str) {
        let (now, name) = (self.now, self.names.name(node).to_string());
        let end = now.saturating_add(down_for);
        let what = format!("crash_{} {name} for {down_for}", kind.as_str());
        if !self.faults.can_crash(node, now, end) {
            let action = format!("{what}: skipped, it is down or restarting then");
            return self.note_nemesis(action, because);
        }
        self.note_nemesis(format!("{what} (restarts t={end})"), because);
        let nodes = self.names.len();
        let window = Arc::make_mut(&mut self.faults).add_down((node, nodes), (now, end), kind);
        let event = Event::Restart { node, kind, window };
        self.queue.push(end, Class::Restart, event);
        if kind == CrashKind::Power {
            self.power_loss_at(now, node);
        }
    }
}
