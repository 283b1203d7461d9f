//! shrink: how long finding, explaining and shrinking a failure takes. `--variant partition`:
//! sim_partition with a planted bug (a replica that restarts cold never says hello, so the
//! source never pushes again), seeds from 0 to the first that fails; `--variant long`: a failure a thousand steps into a run — a
//! worker whose round a cold crash resets, reported to a ledger that counts rounds going
//! backwards (two make the failure), among a node ticking every time unit. The timed region is
//! the whole `execute`: the seeds up to the failing one, the failing run, its recorded re-run, the shrinking attempts
//! and the re-run of the smallest.

use musil::RunSettings;
use musil::prelude::*;

use crate::harness::{Counts, Options, Workload};

pub const WORKLOAD: Workload = Workload {
    run,
    throughput: &[("attempts_per_s", "attempts")],
    params: |o| format!("\"variant\": \"{}\"", o.variant),
};

#[derive(Clone, Debug)]
enum Msg {
    Round(u32),
    Tick,
}

#[derive(Debug, Default)]
struct Worker {
    round: u32,
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

#[derive(Debug, Default)]
struct Ledger {
    last: u32,
    regressions: u32,
}

impl Node<Msg> for Ledger {
    fn on_message(&mut self, _: &mut Context<Msg>, _: NodeId, msg: Msg) {
        if let Msg::Round(round) = msg {
            self.regressions += u32::from(round <= self.last);
            self.last = round;
        }
    }
}

#[derive(Debug, Default)]
struct Noise;

impl Node<Msg> for Noise {
    fn on_start(&mut self, ctx: &mut Context<Msg>) {
        ctx.set_timer("tick", 1);
    }

    fn on_timer(&mut self, ctx: &mut Context<Msg>, _: &'static str) {
        ctx.send("sink", Msg::Tick);
        ctx.set_timer("tick", 1);
    }
}

#[derive(Debug, Default)]
struct Sink;

impl Node<Msg> for Sink {}

#[derive(System, Debug, Default)]
struct Shop {
    worker: Worker,
    ledger: Ledger,
    noise: Noise,
    sink: Sink,
}

/// Crashes the worker cold at round 12; splits the noise now and then.
fn crash_at_round_twelve(world: &Shop, faults: &mut FaultControl) {
    if world.worker.round == 12 && !faults.is_down("worker") {
        faults.crash_cold("worker", 2);
    }
    if faults.rng().chance(0.02) && !faults.is_down("worker") {
        faults.partition("noise", "sink", 3);
    }
}

/// The counts of a report's shrinking.
fn counts<S>(report: &SimReport<S>) -> Counts {
    let failure = report.failure().expect("the planted bug is found");
    let shrinking = failure.shrinking().expect("and shrunk");
    let ((from, to), (faults_from, faults_to)) = (shrinking.steps(), shrinking.faults());
    vec![
        ("seed", failure.seed()),
        ("steps_from", from),
        ("steps_to", to),
        ("faults_from", faults_from as u64),
        ("faults_to", faults_to as u64),
        ("attempts", u64::from(shrinking.attempts())),
    ]
}

fn run(options: &Options) -> Counts {
    let seed0 = RunSettings::seeds([0]).determinism(musil::Determinism::Off);
    match options.variant.as_str() {
        "partition" => {
            let seeds = RunSettings::seeds(0..100).determinism(musil::Determinism::Off);
            counts(&crate::sim_partition::scenario(true).execute(&seeds))
        }
        "long" => {
            let scenario = Scenario::new(Shop::default)
                .name("long_failure")
                .nemesis(crash_at_round_twelve)
                .invariant("at_most_one_regression", |w: &Shop| {
                    w.ledger.regressions < 2
                })
                .max_steps(20_000);
            counts(&scenario.execute(&seed0))
        }
        other => panic!("shrink: unknown --variant {other} (partition, long)"),
    }
}
