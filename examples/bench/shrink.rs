//! shrink: how long finding, explaining and shrinking a failure takes. `--variant partition`:
//! sim_partition with a planted bug (a replica that restarts cold never says hello, so the
//! source never pushes again), seeds from 0 to the first that fails; `--variant long`: a failure a thousand steps into a run — a
//! worker whose round a cold crash resets, reported to a ledger that counts rounds going
//! backwards (two make the failure), among a node ticking every time unit (`shop.rs`). The timed region is
//! the whole `execute`: the seeds up to the failing one, the failing run, its recorded re-run, the shrinking attempts
//! and the re-run of the smallest.

use musil::RunSettings;
use musil::prelude::*;

use crate::harness::{Counts, Options, Workload};
use crate::shop::Shop;

pub const WORKLOAD: Workload = Workload {
    run,
    throughput: &[("attempts_per_s", "attempts")],
    params: |o| format!("\"variant\": \"{}\"", o.variant),
};

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
