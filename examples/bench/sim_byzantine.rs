//! sim_byzantine: the showcase's two scenarios in their passing configurations over many seeds;
//! every run is exactly 2 steps, so this measures the fixed cost of one run. The systems are the
//! showcase's own (`examples/byzantine_service.rs`), whose `#[invariant]`s are checked here too:
//! `no_crash` is the Python reference's `no-crash` (`bench/python/sim_byzantine.py`);
//! `validated_client_never_accepts_bad` is one check per step more than its `wrong_answer` makes.

#[path = "../byzantine_service.rs"]
#[allow(dead_code)]
mod showcase;

use musil::prelude::*;
use showcase::{Wire, bad_value_rejected, validating_client};

use crate::harness::{Counts, Options, Workload};

pub const WORKLOAD: Workload = Workload {
    run,
    throughput: &[("seeds_per_s", "runs"), ("steps_per_s", "steps")],
    params: |o| {
        format!(
            "\"scenario\": \"{}\", \"seeds\": \"range({})\", \"network\": \"default (reliable, lat=1)\"",
            o.scenario, o.seeds
        )
    },
};

fn run(options: &Options) -> Counts {
    let (ok, runs, steps, report) = if options.scenario == "clean" {
        let report = Scenario::new(Wire::default).seeds(0..options.seeds).run();
        (
            report.ok(),
            report.runs(),
            report.steps(),
            report.to_string(),
        )
    } else {
        let report = Scenario::new(validating_client)
            .seeds(0..options.seeds)
            .goal("bad-value-rejected", bad_value_rejected)
            .run();
        (
            report.ok(),
            report.runs(),
            report.steps(),
            report.to_string(),
        )
    };
    assert!(ok, "{report}");
    crate::harness::seed_counts(runs, steps)
}
