//! `should_fail` verdicts: the expected failure found, no failure at all, a failure of another
//! kind, and an invalid scenario (which never satisfies an expectation) — and the step count a
//! report carries, the same on one thread or several.

use musil::prelude::*;

/// Counts down from `start` on a timer; `start` 0 means "do nothing".
#[derive(Debug, Default)]
struct Countdown {
    left: u32,
}

impl Node<()> for Countdown {
    fn on_start(&mut self, ctx: &mut Context<()>) {
        if self.left > 0 {
            ctx.set_timer("tick", 1);
        }
    }

    fn on_timer(&mut self, ctx: &mut Context<()>, _timer: &'static str) {
        self.left -= 1;
        if self.left > 0 {
            ctx.set_timer("tick", 1);
        }
    }
}

#[derive(System, Debug, Default)]
struct Clock {
    countdown: Countdown,
}

fn from_seed(rng: &mut Rng) -> Clock {
    Clock {
        countdown: Countdown {
            left: rng.randint(0, 5) as u32,
        },
    }
}

fn reaches_zero(c: &Clock) -> bool {
    c.countdown.left == 0
}

#[test]
fn the_expected_failure_passes_and_is_still_shown() {
    let report = Scenario::new(|| Clock {
        countdown: Countdown { left: 3 },
    })
    .name("never_zero")
    .goal("stays above zero", |c: &Clock| c.countdown.left > 0)
    .should_fail(FailureKind::Goal)
    .run_seeds(&[0, 1]);
    assert!(report.passed() && !report.ok());
    let text = report.to_string();
    assert!(
        text.starts_with("OK — scenario never_zero failed as expected (should_fail = goal):\nGOAL"),
        "{text}"
    );
}

#[test]
fn no_failure_at_all_fails_a_should_fail_scenario() {
    let report = Scenario::new(Clock::default)
        .name("calm")
        .goal("zero", reaches_zero)
        .should_fail(ShouldFail::Any)
        .run_seeds(&[0, 1, 2]);
    assert!(!report.passed());
    assert_eq!(
        report.to_string(),
        "EXPECTED FAILURE NOT FOUND — scenario calm: should_fail = any, but all 3 runs passed"
    );
}

#[test]
fn a_failure_of_another_kind_fails_a_should_fail_scenario() {
    let report = Scenario::new(|| Clock {
        countdown: Countdown { left: 2 },
    })
    .name("wrong_kind")
    .invariant("never ticks", |c: &Clock| c.countdown.left == 2)
    .should_fail(FailureKind::Goal)
    .run_seeds(&[0]);
    assert!(!report.passed());
    let text = report.to_string();
    assert!(
        text.starts_with("UNEXPECTED FAILURE — scenario wrong_kind: should_fail = goal, but seed 0 failed with invariant:"),
        "{text}"
    );
}

#[test]
fn an_invalid_scenario_never_satisfies_an_expectation() {
    let report = Scenario::new(Clock::default)
        .network(NetworkModel::reliable().loss(2.0))
        .should_fail(ShouldFail::Any)
        .run_seeds(&[0]);
    assert_eq!(
        report.failure().map(SimFailure::kind),
        Some(FailureKind::InvalidScenario)
    );
    assert!(!report.passed());
}

#[test]
fn a_report_counts_the_steps_run_whatever_the_thread_count() {
    let scenario = Scenario::new(from_seed).goal("zero", reaches_zero);
    let seeds: Vec<u64> = (0..200).collect();
    let expected: u64 = seeds
        .iter()
        .map(|&s| {
            Simulation::from_factory(from_seed, s)
                .run(100)
                .expect("valid")
                .steps
        })
        .sum();
    assert!(
        expected > 200,
        "the seeds take varying numbers of steps: {expected}"
    );
    for jobs in [1, 2, 3] {
        let report = scenario.run_with(&seeds, jobs, 100);
        assert!(report.ok(), "{report}");
        assert_eq!(report.steps(), expected, "{jobs} threads");
        assert_eq!(
            report.to_string(),
            format!(
                "OK — scenario {}: 200 runs, {expected} steps, no failures",
                report.scenario()
            )
        );
    }
}
