//! check_liveness: liveness of the dining philosophers — `someone_eats` (always eventually some
//! philosopher eats, no fairness: holds) or `p0_weak_fair` (philosopher 0 eventually eats under
//! weak fairness of every action: fails with a fair cycle).

use musil::check::{CheckOptions, Liveness, LivenessKind};

use crate::check_models::{dining, p0_eating, someone_eating};
use crate::harness::{Counts, Options, Workload};

pub const WORKLOAD: Workload = Workload {
    run,
    throughput: &[("states_per_s", "states")],
    params: |o| {
        format!(
            "\"model\": \"dining\", \"N\": {}, \"variant\": \"{}\"",
            o.size, o.variant
        )
    },
};

fn run(options: &Options) -> Counts {
    let model = dining(options.size);
    let limits = CheckOptions {
        max_states: 10_000_000,
        threads: options.threads,
    };
    let property = if options.variant == "someone_eats" {
        Liveness::always_eventually("someone-eats", someone_eating)
            .fairness(musil::check::Fairness::None)
    } else {
        let all: Vec<String> = model
            .action_list()
            .iter()
            .map(|a| a.name().to_string())
            .collect();
        Liveness::eventually("p0-eats", p0_eating).weak_fair(all)
    };
    let report = model
        .checker()
        .options(limits)
        .liveness(&property)
        .expect("known actions");
    let expected_ok = options.variant == "someone_eats";
    assert_eq!(report.ok(), expected_ok, "{report}");
    if !expected_ok {
        assert_eq!(report.kind(), Some(LivenessKind::FairCycle), "{report}");
    }
    let (stem, cycle) = report.actions();
    vec![
        ("states", report.states() as u64),
        ("transitions", report.transitions() as u64),
        ("stem", stem.len() as u64),
        ("cycle", cycle.len() as u64),
    ]
}
