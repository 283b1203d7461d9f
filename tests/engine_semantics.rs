//! Integration tests that pin the engine semantics users rely on: event order at
//! one instant (FIFO, restarts first), timers (re-arm, cancel, clamping, stale timers), directed
//! partitions judged at send time, crashes (dropped deliveries, lost timers, warm and cold
//! restarts, nodes down at t=0, overlapping windows), the `max_steps` bound and the trace.
//!
//! Every node is a scripted [`Probe`]: it performs a list of [`Act`]s on start, on a timer, on a
//! message, on recovery or at given instants, and logs what it observes as `(time, event)`, so
//! the tests assert exact sequences, times and step counts.

use musil::prelude::*;
use musil::{SendFate, TraceEvent};
use musil::{StepKind, StopReason, TraceKind};

/// Every message is a numeric tag.
type Msg = u32;

/// The probe's internal timer that drives [`Probe::at`]; it is not logged.
const SCRIPT: &str = "script";

const A: NodeId = NodeId::new(0);
const B: NodeId = NodeId::new(1);
const C: NodeId = NodeId::new(2);

/// Something a probe does from a handler.
#[derive(Clone, Debug)]
enum Act {
    Send(&'static str, Msg),
    Broadcast(Msg),
    Arm(&'static str, u64),
    Cancel(&'static str),
    /// Logs whether the timer is armed.
    CheckArmed(&'static str),
}

fn send(to: &'static str, tag: Msg) -> Act {
    Act::Send(to, tag)
}

fn broadcast(tag: Msg) -> Act {
    Act::Broadcast(tag)
}

fn arm(timer: &'static str, delay: u64) -> Act {
    Act::Arm(timer, delay)
}

fn cancel(timer: &'static str) -> Act {
    Act::Cancel(timer)
}

fn check_armed(timer: &'static str) -> Act {
    Act::CheckArmed(timer)
}

/// A scripted node that logs `(now, event)` for every handler call it gets.
#[derive(Clone, Debug, Default)]
struct Probe {
    on_start: Vec<Act>,
    on_timer: Vec<(&'static str, Vec<Act>)>,
    on_message: Vec<Act>,
    on_recover: Vec<Act>,
    /// `(time, act)`: performed at that instant, driven by the [`SCRIPT`] timer.
    script: Vec<(u64, Act)>,
    log: Vec<(u64, String)>,
}

impl Probe {
    fn new() -> Self {
        Self::default()
    }

    fn start(mut self, acts: impl IntoIterator<Item = Act>) -> Self {
        self.on_start.extend(acts);
        self
    }

    fn timer(mut self, name: &'static str, acts: impl IntoIterator<Item = Act>) -> Self {
        self.on_timer.push((name, acts.into_iter().collect()));
        self
    }

    fn message(mut self, acts: impl IntoIterator<Item = Act>) -> Self {
        self.on_message.extend(acts);
        self
    }

    fn recover(mut self, acts: impl IntoIterator<Item = Act>) -> Self {
        self.on_recover.extend(acts);
        self
    }

    /// Performs `act` at time `time` (via the internal [`SCRIPT`] timer).
    fn at(mut self, time: u64, act: Act) -> Self {
        self.script.push((time, act));
        self.script.sort_by_key(|&(t, _)| t);
        self
    }

    fn perform(ctx: &mut Context<Msg>, acts: &[Act], log: &mut Vec<(u64, String)>) {
        for act in acts {
            match *act {
                Act::Send(to, tag) => ctx.send(to, tag),
                Act::Broadcast(tag) => ctx.broadcast(tag),
                Act::Arm(name, delay) => ctx.set_timer(name, delay),
                Act::Cancel(name) => ctx.cancel_timer(name),
                Act::CheckArmed(name) => {
                    log.push((
                        ctx.now(),
                        format!("{name} armed: {}", ctx.timer_armed(name)),
                    ));
                }
            }
        }
    }

    /// Performs the script entries due now and arms [`SCRIPT`] for the next ones.
    fn run_script(&mut self, ctx: &mut Context<Msg>) {
        let now = ctx.now();
        let due: Vec<Act> = (self.script.iter())
            .filter(|(t, _)| *t == now)
            .map(|(_, act)| act.clone())
            .collect();
        Self::perform(ctx, &due, &mut self.log);
        if let Some(&(next, _)) = self.script.iter().find(|(t, _)| *t > now) {
            ctx.set_timer(SCRIPT, next - now);
        }
    }

    fn note(&mut self, ctx: &Context<Msg>, event: String) {
        self.log.push((ctx.now(), event));
    }
}

impl Node<Msg> for Probe {
    fn on_start(&mut self, ctx: &mut Context<Msg>) {
        self.note(ctx, "start".into());
        Self::perform(ctx, &self.on_start, &mut self.log);
        self.run_script(ctx);
    }

    fn on_message(&mut self, ctx: &mut Context<Msg>, from: NodeId, msg: Msg) {
        self.note(ctx, format!("msg {msg} from {}", ctx.name_of(from)));
        Self::perform(ctx, &self.on_message, &mut self.log);
    }

    fn on_timer(&mut self, ctx: &mut Context<Msg>, timer: &'static str) {
        if timer == SCRIPT {
            return self.run_script(ctx);
        }
        self.note(ctx, format!("timer {timer}"));
        let reactions = self.on_timer.iter().filter(|(name, _)| *name == timer);
        for (_, acts) in reactions {
            Self::perform(ctx, acts, &mut self.log);
        }
    }

    fn on_recover(&mut self, ctx: &mut Context<Msg>) {
        self.note(ctx, "recover".into());
        Self::perform(ctx, &self.on_recover, &mut self.log);
    }
}

#[derive(System, Clone, Debug)]
struct Trio {
    a: Probe,
    b: Probe,
    c: Probe,
}

fn trio(a: Probe, b: Probe, c: Probe) -> Trio {
    Trio { a, b, c }
}

/// A lone active node `a` (with idle `b` and `c`).
fn solo(a: Probe) -> Trio {
    trio(a, Probe::new(), Probe::new())
}

#[derive(System, Clone, Debug)]
struct Cluster {
    #[nodes]
    n: Vec<Probe>,
}

/// A simulation of `system` whose factory (for cold restarts) rebuilds that same system.
fn with_factory(system: Trio) -> Simulation<Trio, Msg> {
    Simulation::from_factory(move || system.clone(), 0)
}

/// A log as a probe records it.
fn log(entries: &[(u64, &str)]) -> Vec<(u64, String)> {
    entries.iter().map(|&(t, e)| (t, e.to_string())).collect()
}

/// Runs `sim` to quiescence step by step; returns `(time, kind)` of every step.
fn all_steps<S: System<Msg>>(sim: &mut Simulation<S, Msg>) -> Vec<(u64, StepKind)> {
    let mut steps = Vec::new();
    while let Some(step) = sim.step().expect("valid setup") {
        assert_eq!(
            step.number,
            steps.len() as u64 + 1,
            "steps are numbered from 1"
        );
        steps.push((step.time, step.kind));
    }
    steps
}

fn delivered(from: NodeId, to: NodeId) -> StepKind {
    StepKind::Delivered { from, to }
}

fn fired(node: NodeId, timer: &'static str) -> StepKind {
    StepKind::Timer { node, timer }
}

fn restart(node: NodeId, cold: bool) -> StepKind {
    StepKind::Restart {
        node,
        kind: kind_of(cold),
    }
}

fn kind_of(cold: bool) -> CrashKind {
    if cold {
        CrashKind::Cold
    } else {
        CrashKind::Warm
    }
}

/// Every tick re-arms the next one: a system that never quiesces.
fn ticker() -> Trio {
    solo(
        Probe::new()
            .start([arm("tick", 1)])
            .timer("tick", [arm("tick", 1)]),
    )
}

/// `a` and `c` message `b` at start (`a` a burst of three), `b` arms a timer due with them.
fn burst() -> Trio {
    trio(
        Probe::new().start([send("b", 1), send("b", 2), send("b", 3)]),
        Probe::new().start([arm("t", 1)]),
        Probe::new().start([send("b", 9)]),
    )
}

// ---------------------------------------------------------------------------------------------
// 1. FIFO at equal times
// ---------------------------------------------------------------------------------------------

#[test]
fn timers_due_at_one_instant_fire_in_arming_order_not_name_order() {
    let mut sim = Simulation::new(solo(Probe::new().start([
        arm("z", 5),
        arm("x", 5),
        arm("y", 5),
    ])));
    let result = sim.run(100).unwrap();
    let expected = [(0, "start"), (5, "timer z"), (5, "timer x"), (5, "timer y")];
    assert_eq!(sim.world().a.log, log(&expected));
    assert_eq!((result.steps, result.time), (3, 5));
}

#[test]
fn a_burst_on_a_reliable_network_arrives_in_send_order_interleaved_with_timers_by_scheduling() {
    let mut sim = Simulation::new(burst());
    let result = sim.run(100).unwrap();
    let expected = [
        (0, "start"),
        (1, "msg 1 from a"),
        (1, "msg 2 from a"),
        (1, "msg 3 from a"),
        (1, "timer t"),
        (1, "msg 9 from c"),
    ];
    assert_eq!(sim.world().b.log, log(&expected));
    assert_eq!((result.steps, result.time, result.delivered), (5, 1, 4));
    assert_eq!(result.reason, StopReason::Quiescent);
}

#[test]
fn events_due_at_one_instant_follow_scheduling_order_even_when_scheduled_at_different_times() {
    // At t=3: b's timer `t` (armed at t=0), a's message (sent at t=2), b's timer `u` (armed at
    // t=2, after a's send because a's script timer was armed first).
    let mut sim = Simulation::new(trio(
        Probe::new().at(2, send("b", 5)),
        Probe::new().start([arm("t", 3)]).at(2, arm("u", 1)),
        Probe::new(),
    ));
    sim.run(100).unwrap();
    let expected = [
        (0, "start"),
        (3, "timer t"),
        (3, "msg 5 from a"),
        (3, "timer u"),
    ];
    assert_eq!(sim.world().b.log, log(&expected));
}

// ---------------------------------------------------------------------------------------------
// 2. Restarts come first at an instant
// ---------------------------------------------------------------------------------------------

/// `a` sends to `b` at t=0 with latency 5: the message (and `b`'s own timer) are due at t=5,
/// exactly when `b`'s crash window [2, 5) ends, and were scheduled before the restart.
fn due_at_restart(crash: Crash) -> Simulation<Trio, Msg> {
    let system = trio(
        Probe::new().start([send("b", 7)]),
        Probe::new().start([arm("t", 5)]),
        Probe::new(),
    );
    with_factory(system)
        .network(NetworkModel::reliable().latency(5, 5))
        .faults(FaultSchedule::new().crash(crash))
}

#[test]
fn a_warm_restart_precedes_a_delivery_due_at_the_same_instant() {
    let mut sim = due_at_restart(Crash::warm("b", 2, 5));
    let steps = all_steps(&mut sim);
    assert_eq!(
        steps,
        [
            (5, restart(B, false)),
            (5, delivered(A, B)),
            (5, fired(B, "t"))
        ]
    );
    let expected = [
        (0, "start"),
        (5, "recover"),
        (5, "msg 7 from a"),
        (5, "timer t"),
    ];
    assert_eq!(sim.world().b.log, log(&expected));
}

#[test]
fn a_message_due_at_a_cold_restart_reaches_the_fresh_instance() {
    let mut sim = due_at_restart(Crash::cold("b", 2, 5));
    let steps = all_steps(&mut sim);
    // The message is not lost. The old instance's timer `t` (due at 5) died with it; the fresh
    // instance's `on_start` arms its own `t`, due at 10.
    let expected = [
        (5, restart(B, true)),
        (5, delivered(A, B)),
        (10, fired(B, "t")),
    ];
    assert_eq!(steps, expected);
    let b_log = [(5, "start"), (5, "msg 7 from a"), (10, "timer t")];
    assert_eq!(sim.world().b.log, log(&b_log));
    let result = sim.result(StopReason::Quiescent);
    assert_eq!((result.delivered, result.dropped), (1, 0));
}

// ---------------------------------------------------------------------------------------------
// 3. Timers
// ---------------------------------------------------------------------------------------------

#[test]
fn re_arming_a_timer_replaces_it_earlier_or_later() {
    let sooner = Probe::new().start([arm("s", 7), arm("s", 3), arm("t", 2), arm("t", 7)]);
    // Re-armed from a handler: `t` was due at 5, `k` moves it to 2 + 6 = 8.
    let from_handler = (Probe::new().start([arm("t", 5), arm("k", 2)])).timer("k", [arm("t", 6)]);
    let mut sim = Simulation::new(trio(sooner, from_handler, Probe::new()));
    let result = sim.run(100).unwrap();
    let a = [(0, "start"), (3, "timer s"), (7, "timer t")];
    assert_eq!(sim.world().a.log, log(&a));
    let b = [(0, "start"), (2, "timer k"), (8, "timer t")];
    assert_eq!(sim.world().b.log, log(&b));
    assert_eq!((result.steps, result.time), (4, 8));
}

#[test]
fn a_cancelled_timer_never_fires_and_can_be_armed_again() {
    let probe = Probe::new()
        .start([arm("c", 4), cancel("c"), arm("d", 6), arm("k", 2)])
        .start([arm("e", 3), cancel("e"), arm("e", 5)])
        .timer("k", [cancel("d")]);
    let mut sim = Simulation::new(solo(probe));
    let result = sim.run(100).unwrap();
    let expected = [(0, "start"), (2, "timer k"), (5, "timer e")];
    assert_eq!(sim.world().a.log, log(&expected));
    assert_eq!((result.steps, result.time), (2, 5));
}

#[test]
fn a_timer_delay_of_zero_is_clamped_to_one() {
    let probe = Probe::new().start([arm("z", 0)]).timer("z", [arm("y", 0)]);
    let mut sim = Simulation::new(solo(probe));
    sim.run(100).unwrap();
    let expected = [(0, "start"), (1, "timer z"), (2, "timer y")];
    assert_eq!(sim.world().a.log, log(&expected));
}

// ---------------------------------------------------------------------------------------------
// 4. Stale timers are not steps
// ---------------------------------------------------------------------------------------------

#[test]
fn a_stale_re_armed_timer_is_not_a_step_and_does_not_advance_time() {
    let mut sim = Simulation::new(solo(Probe::new().start([arm("t", 10), arm("t", 3)])));
    let first = sim.step().unwrap().expect("the re-armed timer fires");
    assert_eq!(
        (first.number, first.time, first.kind),
        (1, 3, fired(A, "t"))
    );
    assert_eq!(
        sim.step().unwrap(),
        None,
        "the stale event at t=10 is no step"
    );
    assert_eq!((sim.steps(), sim.now(), sim.pending()), (1, 3, 0));
}

#[test]
fn a_stale_cancelled_timer_is_not_a_step_and_does_not_advance_time() {
    let probe = Probe::new()
        .start([arm("c", 50), arm("k", 2)])
        .timer("k", [cancel("c")]);
    let mut sim = Simulation::new(solo(probe));
    let result = sim.run(100).unwrap();
    assert_eq!(
        (result.steps, result.time, result.reason),
        (1, 2, StopReason::Quiescent)
    );
    assert_eq!(sim.world().a.log, log(&[(0, "start"), (2, "timer k")]));
}

// ---------------------------------------------------------------------------------------------
// 5. Partitions
// ---------------------------------------------------------------------------------------------

#[test]
fn a_one_way_partition_is_judged_at_send_time_and_cuts_one_direction_only() {
    // Latency 2, a → b cut during [3, 6).
    let a = Probe::new()
        .at(2, send("b", 2)) // in flight when the cut starts: crosses it, arrives at 4
        .at(3, send("b", 3)) // cut (start inclusive)
        .at(4, send("c", 4)) // another link: unaffected
        .at(5, send("b", 5)) // cut, although it would arrive after the window
        .at(6, send("b", 6)); // end exclusive: delivered at 8
    let b = Probe::new().at(4, send("a", 4)); // the reverse direction works
    let mut sim = Simulation::new(trio(a, b, Probe::new()))
        .network(NetworkModel::reliable().latency(2, 2))
        .faults(FaultSchedule::new().partition(Partition::one_way("a", "b", 3, 6)));
    let result = sim.run(100).unwrap();
    let world = sim.world();
    let b_log = [(0, "start"), (4, "msg 2 from a"), (8, "msg 6 from a")];
    assert_eq!(world.b.log, log(&b_log));
    assert_eq!(world.a.log, log(&[(0, "start"), (6, "msg 4 from b")]));
    assert_eq!(world.c.log, log(&[(0, "start"), (6, "msg 4 from a")]));
    assert_eq!((result.delivered, result.dropped), (4, 2));
}

#[test]
fn a_partition_between_two_nodes_cuts_both_directions() {
    let system = trio(
        Probe::new().start([send("b", 1), send("c", 1)]),
        Probe::new().start([send("a", 2), send("c", 2)]),
        Probe::new(),
    );
    let faults = FaultSchedule::new().partition(Partition::between("a", "b", 0, 10));
    let mut sim = Simulation::new(system).faults(faults);
    let result = sim.run(100).unwrap();
    let world = sim.world();
    assert_eq!(world.a.log, log(&[(0, "start")]));
    assert_eq!(world.b.log, log(&[(0, "start")]));
    let c_log = [(0, "start"), (1, "msg 1 from a"), (1, "msg 2 from b")];
    assert_eq!(world.c.log, log(&c_log));
    assert_eq!((result.delivered, result.dropped), (2, 2));
}

#[test]
fn isolating_a_node_cuts_every_link_to_and_from_it_until_the_window_ends() {
    let node = |tag: Msg| Probe::new().start([broadcast(tag)]);
    let cluster = Cluster {
        n: vec![node(0), node(1).at(10, broadcast(11)), node(2)],
    };
    let faults = FaultSchedule::new().partition(Partition::isolate("n[1]", 0, 10));
    let mut sim = Simulation::new(cluster).faults(faults);
    let result = sim.run(100).unwrap();
    let n = &sim.world().n;
    let n0 = [
        (0, "start"),
        (1, "msg 2 from n[2]"),
        (11, "msg 11 from n[1]"),
    ];
    assert_eq!(n[0].log, log(&n0));
    assert_eq!(n[1].log, log(&[(0, "start")]));
    let n2 = [
        (0, "start"),
        (1, "msg 0 from n[0]"),
        (11, "msg 11 from n[1]"),
    ];
    assert_eq!(n[2].log, log(&n2));
    assert_eq!((result.delivered, result.dropped), (4, 4));
}

// ---------------------------------------------------------------------------------------------
// 6.–10. Crashes and restarts
// ---------------------------------------------------------------------------------------------

#[test]
fn a_crash_drops_arriving_messages_and_loses_due_timers_without_steps() {
    // b is down during [2, 6); latency 1.
    let a = Probe::new()
        .start([send("b", 0)]) // arrives at 1: delivered
        .at(1, send("b", 1)) // arrives at 2 (window start): dropped
        .at(4, send("b", 4)) // arrives at 5: dropped
        .at(5, send("b", 5)); // arrives at 6 (window end): delivered after the restart
    let b = (Probe::new().start([arm("t", 4)])).recover([check_armed("t")]); // due at 4: lost
    let faults = FaultSchedule::new().crash(Crash::warm("b", 2, 6));
    let mut sim = Simulation::new(trio(a, b, Probe::new())).faults(faults);
    let steps = all_steps(&mut sim);
    assert_eq!(
        steps,
        [
            (1, delivered(A, B)),
            (1, fired(A, SCRIPT)),
            (4, fired(A, SCRIPT)),
            (5, fired(A, SCRIPT)),
            (6, restart(B, false)),
            (6, delivered(A, B)),
        ]
    );
    let b_log = [
        (0, "start"),
        (1, "msg 0 from a"),
        (6, "recover"),
        (6, "t armed: false"),
        (6, "msg 5 from a"),
    ];
    assert_eq!(sim.world().b.log, log(&b_log));
    let result = sim.result(StopReason::Quiescent);
    assert_eq!((result.steps, result.time), (6, 6));
    assert_eq!((result.delivered, result.dropped), (2, 2));
}

#[test]
fn a_warm_restart_keeps_state_calls_on_recover_and_is_a_step() {
    let a = Probe::new().start([send("b", 7)]);
    let b = Probe::new().start([arm("t", 1)]).recover([arm("r", 2)]);
    let faults = FaultSchedule::new().crash(Crash::warm("b", 3, 5));
    let mut sim = Simulation::new(trio(a, b, Probe::new())).faults(faults);
    let steps = all_steps(&mut sim);
    assert_eq!(
        steps,
        [
            (1, delivered(A, B)),
            (1, fired(B, "t")),
            (5, restart(B, false)),
            (7, fired(B, "r")),
        ]
    );
    let b_log = [
        (0, "start"),
        (1, "msg 7 from a"),
        (1, "timer t"),
        (5, "recover"),
        (7, "timer r"),
    ];
    assert_eq!(sim.world().b.log, log(&b_log));
}

/// `b` arms `late` (due at 9) when `a`'s message arrives at t=1, then crashes during [3, 5).
/// `b`'s `on_start` arms nothing, so only the old instance's timer can fire at 9.
fn timer_across_restart(crash: Crash) -> Simulation<Trio, Msg> {
    let system = trio(
        Probe::new().start([send("b", 1)]),
        (Probe::new().message([arm("late", 8)])).recover([check_armed("late")]),
        Probe::new(),
    );
    with_factory(system).faults(FaultSchedule::new().crash(crash))
}

#[test]
fn a_cold_restart_resets_state_drops_old_timers_and_calls_on_start() {
    let mut sim = timer_across_restart(Crash::cold("b", 3, 5));
    let steps = all_steps(&mut sim);
    assert_eq!(steps, [(1, delivered(A, B)), (5, restart(B, true))]);
    // A fresh instance: the old log (start at 0, message at 1) is gone, `late` never fires.
    assert_eq!(sim.world().b.log, log(&[(5, "start")]));
    assert_eq!(
        sim.world().a.log,
        log(&[(0, "start")]),
        "other nodes untouched"
    );
    assert_eq!(sim.now(), 5);
}

#[test]
fn a_warm_restart_keeps_timers_due_after_the_window() {
    // The contrast to the cold restart above: same run, but the instance survives.
    let mut sim = timer_across_restart(Crash::warm("b", 3, 5));
    let steps = all_steps(&mut sim);
    let expected = [
        (1, delivered(A, B)),
        (5, restart(B, false)),
        (9, fired(B, "late")),
    ];
    assert_eq!(steps, expected);
    let b_log = [
        (0, "start"),
        (1, "msg 1 from a"),
        (5, "recover"),
        (5, "late armed: true"),
        (9, "timer late"),
    ];
    assert_eq!(sim.world().b.log, log(&b_log));
}

#[test]
fn a_node_down_at_time_zero_starts_when_its_window_ends() {
    for (crash, cold) in [
        (Crash::warm("b", 0, 4), false),
        (Crash::cold("b", 0, 4), true),
    ] {
        let system = trio(
            Probe::new().start([send("b", 1)]), // arrives at 1: b is down, dropped
            Probe::new().start([send("a", 2)]),
            Probe::new(),
        );
        let faults = FaultSchedule::new().crash(crash);
        let mut sim = with_factory(system).faults(faults).record_trace();
        let steps = all_steps(&mut sim);
        assert_eq!(steps, [(4, restart(B, cold)), (5, delivered(B, A))]);
        assert_eq!(
            sim.world().b.log,
            log(&[(4, "start")]),
            "on_start, not on_recover"
        );
        assert_eq!(sim.world().a.log, log(&[(0, "start"), (5, "msg 2 from b")]));
        let started: Vec<(u64, NodeId)> = (sim.trace().unwrap().events().iter())
            .filter_map(|e| match e.kind {
                TraceKind::Started { node } => Some((e.time, node)),
                _ => None,
            })
            .collect();
        assert_eq!(started, [(0, A), (0, C), (4, B)]);
        assert_eq!(sim.result(StopReason::Quiescent).dropped, 1);
    }
}

#[test]
fn overlapping_crash_windows_restart_the_node_once_when_none_covers_it() {
    // (windows, when b restarts)
    let cases = [
        ([(2, 6), (4, 9)], 9),   // overlapping
        ([(2, 10), (3, 5)], 10), // nested
        ([(2, 5), (5, 8)], 8),   // touching: half-open windows leave no gap at 5
    ];
    for (windows, up_at) in cases {
        let faults = (windows.iter()).fold(FaultSchedule::new(), |f, &(start, end)| {
            f.crash(Crash::warm("b", start, end))
        });
        // Message 1 arrives one unit before the restart (dropped), message 2 at the restart.
        let a = Probe::new()
            .at(up_at - 2, send("b", 1))
            .at(up_at - 1, send("b", 2));
        let mut sim = Simulation::new(trio(a, Probe::new(), Probe::new())).faults(faults);
        let steps = all_steps(&mut sim);
        let restarts: Vec<_> = (steps.iter())
            .filter(|(_, kind)| matches!(kind, StepKind::Restart { .. }))
            .copied()
            .collect();
        assert_eq!(
            restarts,
            [(up_at, restart(B, false))],
            "windows {windows:?}"
        );
        let b_log = [(0, "start"), (up_at, "recover"), (up_at, "msg 2 from a")];
        assert_eq!(sim.world().b.log, log(&b_log), "windows {windows:?}");
        assert_eq!(sim.result(StopReason::Quiescent).dropped, 1);
    }
}

#[test]
fn a_cold_window_overlapped_by_a_warm_one_still_restarts_cold() {
    let faults = FaultSchedule::new()
        .crash(Crash::cold("b", 2, 6))
        .crash(Crash::warm("b", 4, 9));
    let b = Probe::new().start([arm("t", 1)]);
    let mut sim = with_factory(trio(Probe::new(), b, Probe::new())).faults(faults);
    let steps = all_steps(&mut sim);
    assert_eq!(
        steps,
        [
            (1, fired(B, "t")),
            (9, restart(B, true)),
            (10, fired(B, "t"))
        ]
    );
    assert_eq!(sim.world().b.log, log(&[(9, "start"), (10, "timer t")]));
}

// ---------------------------------------------------------------------------------------------
// 11. max_steps
// ---------------------------------------------------------------------------------------------

#[test]
fn run_stops_after_exactly_max_steps_on_a_system_that_never_quiesces() {
    let mut sim = Simulation::new(ticker());
    let result = sim.run(25).unwrap();
    assert_eq!(
        (result.steps, result.time, result.reason),
        (25, 25, StopReason::MaxSteps)
    );
    assert_eq!(sim.world().a.log.len(), 1 + 25);
    // The bound counts steps in total, across calls.
    let result = sim.run(40).unwrap();
    assert_eq!(
        (result.steps, result.time, result.reason),
        (40, 40, StopReason::MaxSteps)
    );
    let mut fresh = Simulation::new(ticker());
    let result = fresh.run(0).unwrap();
    assert_eq!((result.steps, result.reason), (0, StopReason::MaxSteps));
    assert_eq!(fresh.world().a.log, log(&[(0, "start")]));
}

#[test]
fn run_stops_quiescent_when_the_system_drains() {
    // `burst` takes exactly 5 steps: a bound of 4 interrupts it, a bound of 5 does not.
    let result = Simulation::new(burst()).run(4).unwrap();
    assert_eq!((result.steps, result.reason), (4, StopReason::MaxSteps));
    for bound in [5, 1_000] {
        let result = Simulation::new(burst()).run(bound).unwrap();
        assert_eq!((result.steps, result.reason), (5, StopReason::Quiescent));
    }
}

#[test]
fn a_scenario_honours_max_steps() {
    let report = Scenario::new(ticker)
        .max_steps(10)
        .goal("exactly ten ticks", |w: &Trio| w.a.log.len() == 11)
        .run_seeds(&[0, 1, 2]);
    assert!(report.ok(), "{report}");
    assert_eq!(report.runs(), 3);
}

// ---------------------------------------------------------------------------------------------
// 12. The trace
// ---------------------------------------------------------------------------------------------

#[test]
fn the_trace_records_sends_fates_drops_lost_timers_and_restarts() {
    // a → b is cut during [0, 2); b is down during [2, 4) and restarts cold.
    let system = trio(
        Probe::new().start([send("b", 1)]).at(2, send("b", 2)),
        Probe::new().start([arm("t", 3), send("a", 9)]),
        Probe::new(),
    );
    let faults = FaultSchedule::new()
        .partition(Partition::one_way("a", "b", 0, 2))
        .crash(Crash::cold("b", 2, 4));
    let mut sim = with_factory(system).faults(faults).record_trace();
    let result = sim.run(100).unwrap();
    assert_eq!(sim.trace().expect("recorded").events(), expected_trace());
    assert_eq!(
        (result.steps, result.time, result.delivered, result.dropped),
        (5, 7, 2, 2)
    );
}

/// The events of the trace test's run, in order.
fn expected_trace() -> [TraceEvent; 15] {
    [
        (0, 0, started(A)),
        (0, 0, sent(A, B, 1, SendFate::Partitioned)),
        (0, 0, started(B)),
        (0, 0, sent(B, A, 9, arrives(1))),
        (0, 0, started(C)),
        (1, 1, delivery(B, A, 9)),
        (2, 2, timer_fired(A, SCRIPT)),
        (2, 2, sent(A, B, 2, arrives(3))),
        (3, 2, timer_lost(B, "t")),
        (3, 2, dropped_on_arrival(A, B, 2)),
        (4, 3, restarted(B, true)),
        (4, 3, started(B)),
        (4, 3, sent(B, A, 9, arrives(5))),
        (5, 4, delivery(B, A, 9)),
        (7, 5, timer_fired(B, "t")),
    ]
    .map(|(time, step, kind)| TraceEvent { time, step, kind })
}

fn started(node: NodeId) -> TraceKind {
    TraceKind::Started { node }
}

fn timer_fired(node: NodeId, timer: &'static str) -> TraceKind {
    TraceKind::TimerFired { node, timer }
}

fn timer_lost(node: NodeId, timer: &'static str) -> TraceKind {
    TraceKind::TimerLost { node, timer }
}

fn restarted(node: NodeId, cold: bool) -> TraceKind {
    TraceKind::Restarted {
        node,
        kind: kind_of(cold),
    }
}

/// A send of `tag`, unmutated, that met `fate`.
fn sent(from: NodeId, to: NodeId, tag: Msg, fate: SendFate) -> TraceKind {
    TraceKind::Sent {
        from,
        to,
        message: tag.to_string(),
        mutated: None,
        fate,
    }
}

/// Scheduled to arrive at `at`, without a duplicate.
fn arrives(at: u64) -> SendFate {
    SendFate::Scheduled {
        arrives: at,
        duplicate: None,
    }
}

/// The delivery of `tag`.
fn delivery(from: NodeId, to: NodeId, tag: Msg) -> TraceKind {
    TraceKind::Delivered {
        from,
        to,
        message: tag.to_string(),
    }
}

/// `tag` arrived at a node that was down.
fn dropped_on_arrival(from: NodeId, to: NodeId, tag: Msg) -> TraceKind {
    TraceKind::DroppedOnArrival {
        from,
        to,
        message: tag.to_string(),
    }
}
