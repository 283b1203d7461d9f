//! Seeds that lie: a node whose behaviour depends on something outside musil's control (here a
//! global counter, as a wall clock or a thread-local random generator would) makes a passing
//! seed run differently the second time; the scenario is reported as NONDETERMINISM, with the
//! event where the two runs part, though every run passed. A deterministic scenario is not.

use std::sync::atomic::{AtomicU64, Ordering};

use musil::prelude::*;
use musil::{Determinism, RunSettings};

/// Counts runs, across runs: state outside the simulation (one counter per test, so that tests
/// running at once do not move each other's).
static RUNS_CAUGHT: AtomicU64 = AtomicU64::new(0);
static RUNS_UNCHECKED: AtomicU64 = AtomicU64::new(0);

#[derive(Clone, Debug)]
struct Ping;

/// Pings its peer a number of times that depends on a global counter.
#[derive(Debug)]
struct Leaky {
    sent: u64,
    runs: &'static AtomicU64,
}

impl Node<Ping> for Leaky {
    fn on_start(&mut self, ctx: &mut Context<Ping>) {
        if ctx.name() == "a" {
            // More pings every run: no two runs are alike.
            let times = 1 + self.runs.fetch_add(1, Ordering::Relaxed);
            for _ in 0..times {
                ctx.send("b", Ping);
                self.sent += 1;
            }
        }
    }
}

/// Pings its peer once.
#[derive(Debug, Default)]
struct Honest {
    sent: u64,
}

impl Node<Ping> for Honest {
    fn on_start(&mut self, ctx: &mut Context<Ping>) {
        if ctx.name() == "a" {
            ctx.send("b", Ping);
            self.sent += 1;
        }
    }
}

#[derive(System, Debug)]
struct LeakyPair {
    a: Leaky,
    b: Leaky,
}

fn leaky(runs: &'static AtomicU64) -> LeakyPair {
    let node = || Leaky { sent: 0, runs };
    LeakyPair {
        a: node(),
        b: node(),
    }
}

#[derive(System, Debug, Default)]
struct HonestPair {
    a: Honest,
    b: Honest,
}

#[test]
fn a_seed_that_runs_differently_twice_is_nondeterminism_though_it_passes() {
    let report = Scenario::new(|| leaky(&RUNS_CAUGHT))
        .name("leaky")
        .execute(&RunSettings::seeds(0..4));
    let failure = report
        .failure()
        .expect("the first seed's second run differs");
    assert_eq!(failure.kind(), FailureKind::Nondeterminism);
    assert_eq!(failure.seed(), 0);
    let detail = failure.detail();
    assert!(
        detail.starts_with(
            "seed 0 ran differently when run again, both times passing: they part at event"
        ),
        "{detail}"
    );
    assert!(detail.contains("a → b  Ping"), "names the event: {detail}");
    assert!(
        failure.to_string().starts_with("NONDETERMINISM "),
        "{failure}"
    );
    assert!(!report.passed());
}

#[test]
fn a_deterministic_scenario_passes_the_check_and_off_skips_it() {
    let honest = Scenario::new(HonestPair::default).execute(&RunSettings::seeds(0..5));
    assert!(honest.ok(), "{honest}");
    let all = RunSettings::seeds(0..5).determinism(Determinism::All);
    assert!(Scenario::new(HonestPair::default).execute(&all).ok());
    let off = RunSettings::seeds(0..5).determinism(Determinism::Off);
    let leaky = Scenario::new(|| leaky(&RUNS_UNCHECKED)).execute(&off);
    assert!(leaky.ok(), "nothing re-runs, nothing is caught: {leaky}");
}
