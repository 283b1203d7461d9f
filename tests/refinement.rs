//! Refinement: a simulated system held to a model. Every step must be a model step or a stutter
//! from the previous abstract state, and the start an initial state; through the builder and
//! through `#[musil::scenario(model = .., abstraction = ..)]`.

use musil::check::{Action, Model};
use musil::prelude::*;

/// The model: a counter that goes 0, 1, 2, 3 one step at a time.
fn counting_model() -> Model<u8> {
    Model::new(0u8)
        .action(Action::new("inc", |n| *n < 3, |n| n + 1))
        .terminal(|n| *n == 3)
}

/// Counts up on a timer, `stride` at a time, with `idle` ticks in between (stutters).
#[derive(Debug, Default)]
struct Ticker {
    value: u8,
    stride: u8,
    ticks: u8,
}

impl Node<()> for Ticker {
    fn on_start(&mut self, ctx: &mut Context<()>) {
        ctx.set_timer("tick", 1);
    }

    fn on_timer(&mut self, ctx: &mut Context<()>, _timer: &'static str) {
        self.ticks += 1;
        if self.ticks.is_multiple_of(2) {
            self.value = (self.value + self.stride).min(3);
        }
        if self.value < 3 {
            ctx.set_timer("tick", 1);
        }
    }
}

#[derive(System, Debug, Default)]
#[system(msg = ())]
struct Clock {
    ticker: Ticker,
}

fn value_of(clock: &Clock) -> u8 {
    clock.ticker.value
}

fn ticking(stride: u8, start: u8) -> impl Fn() -> Clock + Send + Sync + 'static {
    move || Clock {
        ticker: Ticker {
            value: start,
            stride,
            ticks: 0,
        },
    }
}

#[test]
fn a_faithful_implementation_with_stutters_refines_the_model() {
    let report = Scenario::new(ticking(1, 0))
        .refines(&counting_model(), value_of)
        .run_seeds(&[0, 1, 2]);
    assert!(report.ok(), "{report}");
    assert!(
        report.steps() >= 3 * 6,
        "the runs take idle steps, which are stutters"
    );
}

#[test]
fn an_implementation_that_skips_a_model_step_is_caught() {
    let report = Scenario::new(ticking(2, 0))
        .name("skipper")
        .refines(&counting_model(), value_of)
        .run_seeds(&[0]);
    let failure = report.failure().expect("0 -> 2 is no model step");
    assert_eq!(failure.kind(), FailureKind::Refinement);
    assert_eq!(
        failure.detail(),
        "step 2 goes from 0 to 2, which no model action allows"
    );
    assert_eq!(failure.step(), 2);
    assert!(
        failure
            .to_string()
            .starts_with("REFINEMENT step 2 goes from 0 to 2"),
        "{failure}"
    );
}

#[test]
fn the_start_must_be_an_initial_model_state() {
    let report = Scenario::new(ticking(1, 1))
        .refines(&counting_model(), value_of)
        .run_seeds(&[0]);
    let failure = report.failure().expect("1 is not initial");
    assert_eq!(
        failure.detail(),
        "the start maps to 1, which is not an initial state of the model"
    );
}

#[test]
fn a_state_outside_the_model_is_named() {
    let small = Model::new(0u8).action(Action::new("inc", |n| *n < 1, |n| n + 1));
    let report = Scenario::new(ticking(1, 0))
        .refines(&small, value_of)
        .run_seeds(&[0]);
    let failure = report
        .failure()
        .expect("2 is unreachable in the small model");
    assert_eq!(
        failure.detail(),
        "step 4 maps to 2, a state the model never reaches"
    );
}

fn faithful() -> Clock {
    ticking(1, 0)()
}

fn skipping() -> Clock {
    ticking(2, 0)()
}

#[musil::scenario(seeds = 0..3, model = counting_model(), abstraction = value_of)]
fn faithful_ticker_refines_the_counter() -> Clock {
    faithful()
}

#[musil::scenario(seeds = 0..3, model = counting_model(), abstraction = value_of, should_fail = refinement)]
fn skipping_ticker_does_not() -> Clock {
    skipping()
}
