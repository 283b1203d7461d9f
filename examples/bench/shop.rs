//! The system of the `shrink --variant long` workload: a `worker` does rounds of work, each
//! after a random delay, and reports each round to a `ledger`, which counts rounds that go
//! backwards; the worker keeps its round in memory only, so a cold crash sends it back to
//! round 1. A `noise` node ticks to a `sink` every time unit (steps that depend on time).
//! `tests/shrinking.rs` runs it too (through `#[path]`).

use musil::prelude::*;

/// The messages: a worker's round, or the noise's tick.
#[derive(Clone, Debug)]
pub enum Msg {
    /// The round the worker finished.
    Round(u32),
    /// The noise's tick.
    Tick,
}

/// Does a round of work after a random delay of 1 to 40, and reports it to the ledger.
#[derive(Debug, Default)]
pub struct Worker {
    /// The last round done (in memory only: a cold crash resets it).
    pub round: u32,
}

impl Node<Msg> for Worker {
    fn on_start(&mut self, ctx: &mut Context<Msg>) {
        let delay = ctx.randint(1, 40) as u64;
        ctx.set_timer("work", delay);
    }

    fn on_timer(&mut self, ctx: &mut Context<Msg>, _: &'static str) {
        self.round += 1;
        ctx.send("ledger", Msg::Round(self.round));
        let delay = ctx.randint(1, 40) as u64;
        ctx.set_timer("work", delay);
    }
}

/// Counts the rounds reported that are not after the last one.
#[derive(Debug, Default)]
pub struct Ledger {
    last: u32,
    /// Rounds that went backwards (or repeated).
    pub regressions: u32,
}

impl Node<Msg> for Ledger {
    fn on_message(&mut self, _: &mut Context<Msg>, _: NodeId, msg: Msg) {
        if let Msg::Round(round) = msg {
            self.regressions += u32::from(round <= self.last);
            self.last = round;
        }
    }
}

/// Ticks to the sink every time unit.
#[derive(Debug, Default)]
pub struct Noise;

impl Node<Msg> for Noise {
    fn on_start(&mut self, ctx: &mut Context<Msg>) {
        ctx.set_timer("tick", 1);
    }

    fn on_timer(&mut self, ctx: &mut Context<Msg>, _: &'static str) {
        ctx.send("sink", Msg::Tick);
        ctx.set_timer("tick", 1);
    }
}

/// Receives the ticks.
#[derive(Debug, Default)]
pub struct Sink;

impl Node<Msg> for Sink {}

/// The worker, the ledger, the noise and its sink.
#[derive(System, Debug, Default)]
pub struct Shop {
    /// Does the rounds.
    pub worker: Worker,
    /// Counts the rounds going backwards.
    pub ledger: Ledger,
    /// Ticks every time unit.
    pub noise: Noise,
    /// Receives the ticks.
    pub sink: Sink,
}
