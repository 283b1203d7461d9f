//! sim_many_seeds: per-run setup plus the oracle over many short runs. A client retries a
//! request over a lossy network until acknowledged; an invariant after every step, a goal at the
//! end. Seeds run on `MUSIL_JOBS` threads (default: the cores).

use musil::prelude::*;

use crate::client_server::ClientServer;
use crate::harness::{Counts, Options, Workload};

pub const WORKLOAD: Workload = Workload {
    run,
    throughput: &[("seeds_per_s", "runs"), ("steps_per_s", "steps")],
    params: |o| {
        format!(
            "\"seeds\": \"range({})\", \"network\": \"loss=0.3 lat=1..3\", \"jobs\": {}",
            o.seeds,
            crate::harness::jobs()
        )
    },
};

fn run(options: &Options) -> Counts {
    let report = Scenario::new(ClientServer::default)
        .name("sim_many_seeds")
        .seeds(0..options.seeds)
        .network(NetworkModel::reliable().loss(0.3).latency(1, 3))
        .invariant("ack-implies-received", |w: &ClientServer| {
            !w.client.acked || w.server.received >= 1
        })
        .goal("acked", |w: &ClientServer| w.client.acked)
        .max_steps(10_000)
        .run();
    assert!(report.ok(), "{report}");
    crate::harness::seed_counts(report.runs(), report.steps())
}
