//! Liveness in time, and the early end: `converge_within_time` bounds, in virtual time, how long
//! the goal may stay false once the last fault has healed; with either form of `converge_within`
//! a run ends as soon as the goal holds after the last heal, so a protocol that ticks forever
//! does not run on to `max_steps` (unless the scenario says `keep_running`).

use musil::RunSettings;
use musil::prelude::*;

/// `a` ticks forever, one tick per time unit, to `b`, which keeps the last tick heard; with
/// `sticky`, `b` stops listening once it has missed a tick.
#[derive(Clone, Debug, Default)]
struct Ticker {
    ticks: u64,
    last: u64,
    sticky: bool,
    deaf: bool,
}

impl Node<u64> for Ticker {
    fn on_start(&mut self, ctx: &mut Context<u64>) {
        if ctx.name() == "a" {
            ctx.set_timer("tick", 1);
        }
    }

    fn on_timer(&mut self, ctx: &mut Context<u64>, _: &'static str) {
        self.ticks += 1;
        ctx.send("b", self.ticks);
        ctx.set_timer("tick", 1);
    }

    fn on_message(&mut self, _: &mut Context<u64>, _: NodeId, tick: u64) {
        if self.deaf {
            return;
        }
        self.deaf = self.sticky && tick > self.last + 1;
        if !self.deaf {
            self.last = tick;
        }
    }
}

#[derive(System, Clone, Debug, Default)]
struct Pair {
    a: Ticker,
    b: Ticker,
}

fn sticky() -> Pair {
    Pair {
        b: Ticker {
            sticky: true,
            ..Ticker::default()
        },
        ..Pair::default()
    }
}

/// `b` has heard the latest tick (or the one before: it is in flight).
fn caught_up(world: &Pair) -> bool {
    world.b.last + 1 >= world.a.ticks
}

fn ticking(factory: fn() -> Pair) -> Scenario<Pair, u64> {
    Scenario::new(factory)
        .faults(FaultSchedule::new().partition(Partition::between("a", "b", 0, 20)))
        .goal("caught_up", caught_up)
        .max_steps(10_000)
}

#[test]
fn a_ticking_protocol_ends_once_it_has_converged() {
    let report = ticking(Pair::default)
        .converge_within_time(5)
        .execute(&RunSettings::seeds(0..10));
    assert!(report.ok(), "{report}");
    assert_eq!(report.settled(), 10, "every run ended early: {report}");
    assert!(
        report.steps() < 10 * 100,
        "far fewer than max_steps: {report}"
    );
    assert!(
        report
            .to_string()
            .contains("(10 ended as soon as the goal held after the last heal)")
    );
    let on = ticking(Pair::default)
        .converge_within(5)
        .keep_running()
        .execute(&RunSettings::seeds(0..2));
    assert_eq!(
        (on.steps(), on.settled()),
        (20_000, 0),
        "keep_running runs to max_steps"
    );
}

#[test]
fn converge_within_time_fails_a_system_that_does_not_converge_in_time() {
    let report = ticking(sticky)
        .converge_within_time(10)
        .execute(&RunSettings::seeds([0]).shrink(0));
    let failure = report
        .failure()
        .expect("b stops listening after the partition");
    assert_eq!(failure.kind(), FailureKind::Liveness);
    assert!(
        failure.detail().contains(
            "`caught_up` not reached within 10 time units after the faults healed at t=20 \
             (converge_within_time = 10)"
        ),
        "{failure}"
    );
    assert!(failure.time() > 30 && failure.time() <= 32, "{failure}");
}

#[musil::scenario(seeds = 0..5, faults = FaultSchedule::new().partition(Partition::between("a", "b", 0, 20)),
                  goal = caught_up, converge_within_time = 5)]
fn the_attribute_takes_converge_within_time() -> Pair {
    Pair::default()
}
