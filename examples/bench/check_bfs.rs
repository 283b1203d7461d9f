//! check_bfs: breadth-first safety checking of the dining philosophers or the lost-update
//! counter, exhaustive (every instance passes).

use musil::check::CheckOptions;

use crate::check_models::{counter, dining};
use crate::harness::{Counts, Options, Workload};

pub const WORKLOAD: Workload = Workload {
    run,
    throughput: &[("states_per_s", "states")],
    params: |o| {
        let size = if o.model == "dining" { "N" } else { "K" };
        format!(
            "\"model\": \"{}\", \"{size}\": {}, \"threads\": {}",
            o.model, o.size, o.threads
        )
    },
};

fn run(options: &Options) -> Counts {
    let limits = CheckOptions {
        max_states: 10_000_000,
        threads: options.threads,
    };
    let (states, transitions, visited_bytes) = if options.model == "dining" {
        let report = dining(options.size).checker().options(limits).check();
        report.assert_ok();
        (
            report.states(),
            report.transitions(),
            report.visited_bytes(),
        )
    } else {
        let report = counter(options.size).checker().options(limits).check();
        report.assert_ok();
        (
            report.states(),
            report.transitions(),
            report.visited_bytes(),
        )
    };
    // Memory per state: what the visited set (fingerprints and parent links) holds per state.
    let per_state = visited_bytes / states.max(1);
    vec![
        ("states", states as u64),
        ("transitions", transitions),
        ("visited_bytes_per_state", per_state as u64),
    ]
}
