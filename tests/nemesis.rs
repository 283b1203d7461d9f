//! The nemesis as users meet it: it sees the world after the start and after every step, its
//! faults start at that instant and combine with a fixed schedule, they appear in the trace with
//! what aimed them, they replay with the seed, a nemesis naming an unknown node is a clear
//! failure, `heal_all` brings nodes back early, and `converge_within` waits until the nemesis
//! has stopped and every fault has healed. The ready-made nemeses act at their rates.
//!
//! The system is a [`Ticker`] `a` sending numbered ticks to `b` and `c`, which echo them back.

use std::sync::{Arc, Mutex};

use musil::RunSettings;
use musil::nemesis::{self, Fault};
use musil::prelude::*;

/// `a` ticks `limit` times, one per time unit, to `b` and `c`; they keep the last tick heard
/// and echo it. With `sticky`, a node that ever missed a tick ignores everything after (a bug
/// that keeps a system from converging once the faults heal).
#[derive(Clone, Debug, Default)]
struct Ticker {
    limit: u32,
    ticks: u32,
    last: u32,
    sticky: bool,
    stuck: bool,
}

impl Node<u32> for Ticker {
    fn on_start(&mut self, ctx: &mut Context<u32>) {
        if ctx.name() == "a" {
            ctx.set_timer("tick", 1);
        }
    }

    fn on_timer(&mut self, ctx: &mut Context<u32>, _: &'static str) {
        self.ticks += 1;
        ctx.broadcast(self.ticks);
        if self.ticks < self.limit {
            ctx.set_timer("tick", 1);
        }
    }

    fn on_message(&mut self, ctx: &mut Context<u32>, from: NodeId, n: u32) {
        if ctx.name() == "a" || self.stuck {
            return;
        }
        self.stuck = self.sticky && n > self.last + 1;
        if !self.stuck {
            self.last = n;
            ctx.send(from, n);
        }
    }
}

#[derive(System, Clone, Debug, Default)]
struct Trio {
    a: Ticker,
    b: Ticker,
    c: Ticker,
}

fn trio(limit: u32) -> Trio {
    let a = Ticker {
        limit,
        ..Ticker::default()
    };
    Trio {
        a,
        ..Trio::default()
    }
}

fn sticky_trio() -> Trio {
    let sticky = Ticker {
        sticky: true,
        ..Ticker::default()
    };
    Trio {
        a: trio(60).a,
        b: sticky.clone(),
        c: sticky,
    }
}

/// `b` has heard the latest tick.
fn b_caught_up(world: &Trio) -> bool {
    world.b.last == world.a.ticks
}

/// The trace of `trio(limit)` under `nemesis`, as lines.
fn traced(
    limit: u32,
    nemesis: impl Fn(&Trio, &mut FaultControl) + Send + Sync + 'static,
) -> Vec<String> {
    let mut sim = Simulation::from_factory(move || trio(limit), 0)
        .nemesis(nemesis)
        .record_trace();
    sim.run(10_000).expect("a valid run");
    let trace = sim.trace().expect("recorded");
    trace
        .events()
        .iter()
        .map(|e| trace.line(e).trim_end().to_string())
        .collect()
}

#[test]
fn the_nemesis_sees_the_world_after_the_start_and_after_every_step() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    let mut sim = Simulation::new(trio(5)).nemesis(move |w: &Trio, f: &mut FaultControl| {
        log.lock()
            .expect("not poisoned")
            .push((f.now(), w.a.ticks, w.b.last));
    });
    let mut expected = Vec::new();
    let mut plain = Simulation::new(trio(5));
    plain.start().expect("valid");
    expected.push((plain.now(), plain.world().a.ticks, plain.world().b.last));
    while plain.step().expect("valid").is_some() {
        expected.push((plain.now(), plain.world().a.ticks, plain.world().b.last));
    }
    let result = sim.run(1_000).expect("valid");
    assert_eq!(*seen.lock().expect("not poisoned"), expected);
    assert_eq!(expected.len() as u64, result.steps + 1);
}

#[test]
fn its_faults_start_at_the_instant_it_acts_and_show_in_the_trace() {
    let lines = traced(20, |w: &Trio, f: &mut FaultControl| {
        if w.a.ticks == 3 && f.idle() {
            f.because("b is too quiet");
            f.isolate("b", 10);
        }
    });
    let acted = lines
        .iter()
        .position(|l| l.contains("nemesis: isolate b for 10 (until t=13) (b is too quiet)"))
        .expect("the injection is traced");
    assert!(lines[acted].starts_with("t=3 "), "{}", lines[acted]);
    for (index, line) in lines.iter().enumerate() {
        let involves_b = line.contains("a → b") || line.contains("b → a");
        if !involves_b {
            continue;
        }
        let time: u64 = line[2..line.find(' ').unwrap_or(2)]
            .parse()
            .expect("a time");
        let cut = line.contains("✗ cut by partition");
        assert_eq!(cut, index > acted && time < 13, "{line}");
    }
}

#[test]
fn crashes_it_injects_take_the_node_down_from_now_and_restart_it() {
    let lines = traced(12, |w: &Trio, f: &mut FaultControl| {
        if w.a.ticks == 3 && f.idle() {
            f.crash_cold("b", 5);
            f.crash_power("c", 2);
        }
    });
    let text = lines.join("\n");
    for expected in [
        "t=3          nemesis: crash_cold b for 5 (restarts t=8)",
        "t=3          nemesis: crash_power c for 2 (restarts t=5)",
        "t=3          c ⚡ power lost: nothing was unsynced",
        "t=4          b ← a  3  ✗ dropped: receiver down",
        "t=5    #",
        "c ↻ restart after power loss (fresh instance)",
        "b ↻ cold restart (fresh instance)",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in\n{text}");
    }
    let restart = lines
        .iter()
        .find(|l| l.contains("b ↻"))
        .expect("b restarts");
    assert!(restart.starts_with("t=8 "), "{restart}");
}

#[test]
fn a_crash_of_a_node_already_down_is_skipped_and_heal_all_brings_it_back_now() {
    let lines = traced(30, |w: &Trio, f: &mut FaultControl| match w.a.ticks {
        3 if !f.is_down("b") => f.crash_warm("b", 100),
        4 => f.crash_cold("b", 5),
        10 if f.is_down("b") => f.heal_all(),
        _ => {}
    });
    let text = lines.join("\n");
    assert!(
        text.contains("nemesis: crash_cold b for 5: skipped, it is down or restarting then"),
        "{text}"
    );
    assert!(
        text.contains("nemesis: heal all (1 down nodes restart now)"),
        "{text}"
    );
    let restarts: Vec<&String> = lines.iter().filter(|l| l.contains("b ↻")).collect();
    assert_eq!(
        restarts.len(),
        1,
        "the restart due at t=103 is gone: {restarts:?}"
    );
    assert!(
        restarts[0].starts_with("t=10 ") && restarts[0].contains("warm restart"),
        "{}",
        restarts[0]
    );
}

#[test]
fn nemesis_faults_combine_with_the_fault_schedule() {
    let mut sim = Simulation::from_factory(|| trio(40), 0)
        .faults(FaultSchedule::new().crash(Crash::cold("c", 20, 25)))
        .nemesis(|w: &Trio, f: &mut FaultControl| {
            if w.a.ticks == 5 && f.idle() {
                f.isolate("b", 5);
            }
            if w.a.ticks == 22 {
                assert!(!f.idle(), "the scheduled crash of c is active");
            }
        })
        .record_trace();
    sim.run(10_000).expect("valid");
    let text = sim.trace().expect("recorded").to_string();
    assert!(
        text.contains("nemesis: isolate b for 5 (until t=10)"),
        "{text}"
    );
    assert!(text.contains("c ↻ cold restart"), "{text}");
    assert_eq!(sim.healed_at(), None, "the nemesis never stopped");
}

#[test]
fn a_nemesis_naming_an_unknown_node_is_a_failure_that_names_the_known_ones() {
    let report = Scenario::new(|| trio(5))
        .name("confused_nemesis")
        .nemesis(|_: &Trio, f: &mut FaultControl| f.isolate("zz", 5))
        .run_seeds(&[3]);
    let failure = report.failure().expect("the nemesis panics");
    assert_eq!((failure.kind(), failure.seed()), (FailureKind::Panic, 3));
    assert!(
        failure.detail().starts_with(
            "in the nemesis: the nemesis called isolate on unknown node \"zz\" (known: \"a\", \"b\", \"c\")"
        ),
        "{failure}"
    );
    assert!(
        failure.detail().contains("tests/nemesis.rs"),
        "names the call: {failure}"
    );

    let by_id = Scenario::new(|| trio(5))
        .nemesis(|_: &Trio, f: &mut FaultControl| f.crash_cold(NodeId::new(9), 5))
        .run_seeds(&[0]);
    let detail = by_id
        .failure()
        .expect("the nemesis panics")
        .detail()
        .to_string();
    assert!(
        detail.contains("crash on unknown node #9 (known: \"a\", \"b\", \"c\")"),
        "{detail}"
    );
}

/// Isolates `b` at t=5 for 30, then stops at once.
fn isolate_b_once(w: &Trio, f: &mut FaultControl) {
    if w.a.ticks == 5 {
        f.isolate("b", 30);
        f.stop();
    }
}

/// Isolates `b` for 30 whenever nothing else is going on.
fn keep_isolating_b(_: &Trio, f: &mut FaultControl) {
    if f.idle() {
        f.isolate("b", 30);
    }
}

#[test]
fn converge_within_counts_only_once_the_nemesis_has_stopped_and_its_faults_healed() {
    let converging = |nemesis: fn(&Trio, &mut FaultControl), until: Option<u64>| {
        let scenario = Scenario::new(|| trio(60))
            .name("converging")
            .nemesis(nemesis)
            .goal("b_caught_up", b_caught_up)
            .converge_within(10);
        let scenario = match until {
            Some(t) => scenario.nemesis_until(t),
            None => scenario,
        };
        scenario.execute(&RunSettings::seeds(0..5))
    };
    // b misses ticks for 30 time units while isolated: far more than 10 steps without the goal.
    assert!(converging(isolate_b_once, None).ok());
    assert!(
        converging(keep_isolating_b, Some(20)).ok(),
        "stopped by time, healed at t=35 or so"
    );

    let stuck = Scenario::new(sticky_trio)
        .name("sticky")
        .nemesis(isolate_b_once)
        .goal("b_caught_up", b_caught_up)
        .converge_within(10)
        // Unshrunk: shrinking would shorten the isolation (it still fails, healed earlier).
        .execute(&RunSettings::seeds([0]).shrink(0));
    let failure = stuck.failure().expect("b never catches up after the heal");
    assert_eq!(failure.kind(), FailureKind::Liveness);
    assert!(
        failure
            .detail()
            .contains("not reached within 10 steps after the faults healed at t=35"),
        "{failure}"
    );
    assert!(failure.time() >= 35, "{failure}");
}

#[test]
fn the_ready_made_nemeses_act_at_their_rates_and_say_who_aimed() {
    let never = traced(50, nemesis::random_partitions(0.0, 5));
    assert!(
        !never.iter().any(|l| l.contains("nemesis:")),
        "chance 0 never acts"
    );
    let splits = traced(50, nemesis::random_partitions(0.3, 5));
    assert!(
        splits
            .iter()
            .filter(|l| l.contains("nemesis: split off ["))
            .count()
            >= 3,
        "{splits:#?}"
    );
    let crashes = traced(50, nemesis::random_crashes(0.3, CrashKind::Power, 4));
    assert!(
        crashes.iter().any(|l| l.contains("nemesis: crash_power")),
        "{crashes:#?}"
    );
    let aimed = traced(30, nemesis::aim(c_once_ticking, Fault::isolate(7)));
    let first = aimed
        .iter()
        .find(|l| l.contains("nemesis:"))
        .expect("aimed once idle");
    assert_eq!(
        first,
        "t=3          nemesis: isolate c for 7 (until t=10) (aimed by nemesis::c_once_ticking)"
    );
}

/// `c`, once `a` has ticked three times.
fn c_once_ticking(w: &Trio) -> Option<NodeId> {
    (w.a.ticks >= 3).then(|| NodeId::new(2))
}

#[test]
fn a_nemesis_replays_with_the_seed_and_leaves_the_network_draws_alone() {
    let run = |seed: u64, nemesis: bool| {
        let mut sim = Simulation::from_factory(|| trio(40), seed)
            .network(NetworkModel::reliable().loss(0.2).latency(1, 4))
            .record_trace();
        if nemesis {
            sim = sim.nemesis(|_: &Trio, f: &mut FaultControl| {
                let _ = f.rng().random();
            });
        }
        sim.run(10_000).expect("valid");
        sim.trace().expect("recorded").to_string()
    };
    assert_eq!(
        run(4, true),
        run(4, false),
        "drawing on the nemesis stream changes nothing else"
    );
    let random = || traced(60, nemesis::random_crashes(0.2, CrashKind::Cold, 3));
    let first = random();
    assert!(
        first.iter().any(|l| l.contains("nemesis: crash_cold")),
        "{first:#?}"
    );
    assert_eq!(std::thread::spawn(random).join().expect("no panic"), first);
}

#[musil::scenario(seeds = 0..5, nemesis = isolate_b_once, goal = b_caught_up, converge_within = 10)]
fn ticks_converge_once_the_nemesis_stops() -> Trio {
    trio(60)
}

#[musil::scenario(
    seeds = 0..3,
    nemesis = keep_isolating_b,
    nemesis_until = 20,
    goal = b_caught_up,
    converge_within = 10,
    should_fail = liveness
)]
fn a_sticky_node_never_converges_after_the_nemesis() -> Trio {
    sticky_trio()
}

#[test]
fn nemesis_until_without_a_nemesis_is_an_invalid_scenario() {
    let report = Scenario::new(|| trio(5))
        .nemesis_until(10)
        .execute(&RunSettings::seeds([0]));
    let failure = report.failure().expect("an invalid scenario");
    assert_eq!(failure.kind(), FailureKind::InvalidScenario);
    assert!(failure.detail().contains("nemesis_until"), "{failure}");
    let given_first = Simulation::new(trio(50))
        .nemesis_until(10)
        .nemesis(keep_isolating_b);
    let mut sim = given_first;
    sim.run(10_000).expect("valid");
    assert_eq!(
        sim.healed_at(),
        Some(30),
        "stopped at 10, its one fault healed at 30"
    );
}
