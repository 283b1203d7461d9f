//! check_bfs: breadth-first safety checking of the dining philosophers or the lost-update
//! counter, exhaustive (every instance passes).

use musil::check::{CheckOptions, check_with};

use crate::check_models::{counter, dining};
use crate::harness::{Counts, Options, Workload};

pub const WORKLOAD: Workload = Workload {
    run,
    throughput: &[("states_per_s", "states")],
    params: |o| {
        let size = if o.model == "dining" { "N" } else { "K" };
        format!("\"model\": \"{}\", \"{size}\": {}", o.model, o.size)
    },
};

fn run(options: &Options) -> Counts {
    let limits = CheckOptions {
        max_states: 10_000_000,
    };
    let (states, transitions, actions) = if options.model == "dining" {
        let model = dining(options.size);
        let report = check_with(&model, limits);
        report.assert_ok();
        (
            report.states(),
            report.transitions(),
            model.action_list().len(),
        )
    } else {
        let model = counter(options.size);
        let report = check_with(&model, limits);
        report.assert_ok();
        (
            report.states(),
            report.transitions(),
            model.action_list().len(),
        )
    };
    vec![
        ("states", states as u64),
        ("transitions", transitions),
        ("actions", actions as u64),
    ]
}
