//! Shrinking as users meet it: a planted bug that needs hundreds of steps and two nemesis
//! crashes is reported as a run at least five times shorter that fails the same way and keeps
//! both crashes; the shrunk result is the same on every run and thread count; `shrink(0)`
//! reports the run as found; a power loss that causes a failure survives shrinking.
//!
//! The system (`examples/bench/shop.rs`, the shrinking benchmark's): a `worker` does rounds of work, each after a random delay, and reports each round
//! to a `ledger`, which counts rounds that go backwards. The planted bug: the worker keeps its
//! round in memory only, so a cold crash sends it back to round 1. A `noise` node ticks to a
//! `sink` every time unit (steps that depend on time), and the nemesis also splits the noise
//! nodes at random (faults the failure does not need).

use musil::prelude::*;
use musil::{RunSettings, TraceKind};

#[path = "../examples/bench/shop.rs"]
mod shop;

use shop::{Msg, Shop};

/// Crashes the worker cold whenever it reaches round 3; splits the noise off now and then.
fn crash_at_round_three(world: &Shop, faults: &mut FaultControl) {
    if world.worker.round == 3 && !faults.is_down("worker") {
        faults.crash_cold("worker", 2);
    }
    if faults.rng().chance(0.05) && !faults.is_down("worker") {
        faults.partition("noise", "sink", 3);
    }
}

fn at_most_one_regression(world: &Shop) -> bool {
    world.ledger.regressions < 2
}

fn scenario() -> Scenario<Shop, Msg> {
    Scenario::new(Shop::default)
        .name("planted_round_reset")
        .nemesis(crash_at_round_three)
        .invariant("at_most_one_regression", at_most_one_regression)
        .max_steps(5_000)
}

fn crashes_in(trace: &musil::Trace) -> usize {
    trace
        .events()
        .iter()
        .filter(|e| matches!(&e.kind, TraceKind::Nemesis { action } if action.starts_with("crash_cold worker")))
        .count()
}

#[test]
fn a_long_failure_with_two_crashes_shrinks_to_a_much_shorter_one() {
    let report = scenario().execute(&RunSettings::seeds([0]));
    let failure = report.failure().expect("two crashes make two regressions");
    assert_eq!(failure.kind(), FailureKind::Invariant);
    assert!(
        failure
            .detail()
            .starts_with("`at_most_one_regression` violated"),
        "{failure}"
    );
    let shrinking = failure.shrinking().expect("the failure shrinks");
    let (before, after) = shrinking.steps();
    assert!(
        before >= 200,
        "the bug needs hundreds of steps to show: {before}"
    );
    assert!(
        after * 5 <= before,
        "at least 5x shorter: {before} -> {after}"
    );
    assert_eq!(failure.step(), after, "the report shows the shrunk run");
    let (faults_before, faults_after) = shrinking.faults();
    assert!(
        faults_before > faults_after,
        "the noise partitions go: {faults_before} -> {faults_after}"
    );
    let trace = failure.trace().expect("the shrunk run's trace");
    assert_eq!(
        crashes_in(trace),
        2,
        "both crashes the bug needs are kept:\n{failure}"
    );
    let original = shrinking.original_trace().expect("the original trace");
    assert!(original.events().len() > trace.events().len());
    let text = failure.to_string();
    assert!(
        text.contains(&format!("  shrunk: {before} → {after} steps")),
        "{text}"
    );
}

#[test]
fn the_shrunk_result_is_the_same_on_every_run_and_thread_count() {
    let seeds = || RunSettings::seeds(0..3);
    let one = scenario().execute(&seeds()).to_string();
    assert!(one.contains("  shrunk: "), "{one}");
    assert_eq!(scenario().execute(&seeds()).to_string(), one);
    assert_eq!(scenario().execute(&seeds().jobs(2)).to_string(), one);
}

#[test]
fn shrink_zero_reports_the_run_as_found() {
    let report = scenario().execute(&RunSettings::seeds([0]).shrink(0));
    let failure = report.failure().expect("fails");
    assert!(failure.shrinking().is_none());
    assert!(!failure.to_string().contains("shrunk:"));
    let shrunk = scenario().execute(&RunSettings::seeds([0]));
    let (before, _) = shrunk
        .failure()
        .and_then(|f| f.shrinking())
        .expect("shrinks")
        .steps();
    assert_eq!(failure.step(), before, "the unshrunk run is the original");
}

/// A store that acks a write before syncing it: a power loss loses an acked write.
#[derive(Clone, Debug)]
enum Wal {
    Put(u8),
    Ack(u8),
}

#[derive(Debug, Default)]
struct Store {
    recovered: Vec<u8>,
}

impl Node<Wal> for Store {
    fn on_start(&mut self, ctx: &mut Context<Wal>) {
        self.recovered = ctx.disk().read_all("log").unwrap_or_default();
        ctx.note(format_args!("recovered {} values", self.recovered.len()));
    }

    fn on_message(&mut self, ctx: &mut Context<Wal>, from: NodeId, msg: Wal) {
        if let Wal::Put(value) = msg {
            let _ = ctx.disk().append("log", &[value]);
            ctx.send(from, Wal::Ack(value));
            if value % 2 == 0 {
                let _ = ctx.disk().sync("log");
            }
        }
    }
}

#[derive(Debug, Default)]
struct Client {
    next: u8,
    acked: Vec<u8>,
}

impl Node<Wal> for Client {
    fn on_start(&mut self, ctx: &mut Context<Wal>) {
        ctx.set_timer("put", 1);
    }

    fn on_timer(&mut self, ctx: &mut Context<Wal>, _: &'static str) {
        self.next += 1;
        ctx.send("store", Wal::Put(self.next));
        if self.next < 12 {
            let delay = ctx.randint(1, 5) as u64;
            ctx.set_timer("put", delay);
        }
    }

    fn on_message(&mut self, _: &mut Context<Wal>, _: NodeId, msg: Wal) {
        if let Wal::Ack(value) = msg {
            self.acked.push(value);
        }
    }
}

#[derive(System, Debug, Default)]
struct Kv {
    client: Client,
    store: Store,
}

/// After a restart, every acked value is among the recovered ones.
fn acked_writes_survive(world: &Kv) -> bool {
    let recovered = &world.store.recovered;
    recovered.is_empty() || world.client.acked.iter().all(|v| recovered.contains(v))
}

#[test]
fn a_failure_caused_by_a_power_loss_keeps_the_power_loss_and_its_note() {
    let faults = FaultSchedule::new()
        .partition(Partition::between("client", "store", 1, 2))
        .crash(Crash::power("store", 30, 33))
        .crash(Crash::warm("client", 40, 41));
    let report = Scenario::new(Kv::default)
        .faults(faults)
        .invariant("acked_writes_survive", acked_writes_survive)
        .execute(&RunSettings::seeds(0..20));
    let failure = report.failure().expect("an acked, unsynced write is lost");
    let shrinking = failure.shrinking().expect("shrunk");
    assert_eq!(
        shrinking.faults().1,
        1,
        "only the power loss is needed: {failure}"
    );
    let text = failure.to_string();
    assert!(text.contains("store ⚡ power lost: log: write @"), "{text}");
    assert!(
        text.contains("store 📝 recovered "),
        "the note shows in the trace: {text}"
    );
    assert!(text.contains("store ↻ restart after power loss"), "{text}");
}

#[test]
fn hidden_timers_leave_the_text_trace_but_not_the_recorded_one() {
    let report = scenario().hide_timers().execute(&RunSettings::seeds([0]));
    let failure = report.failure().expect("fails");
    let text = failure.to_string();
    assert!(text.contains("(timers that fired are hidden)"), "{text}");
    assert!(!text.contains("⏰ work"), "{text}");
    let trace = failure.trace().expect("recorded");
    assert!(
        trace
            .events()
            .iter()
            .any(|e| matches!(e.kind, TraceKind::TimerFired { .. }))
    );
    let shown = scenario().execute(&RunSettings::seeds([0])).to_string();
    assert!(shown.contains("⏰ work"), "{shown}");
}
