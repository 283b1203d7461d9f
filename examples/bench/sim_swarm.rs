//! sim_swarm: the swarm showcase (`examples/swarm_hunt.rs`) under `swarm()`. Two variants:
//!
//! - `sweep` (the comparison row): the correct store, `--seeds N` seeds, each drawing its own
//!   fault mix — seeds per second with swarm testing on;
//! - `hunt`: the store with the planted bug, hunted from 20 base seeds (`k × 1,000,000`), at
//!   most `--seeds N` seeds from each: how many seeds `swarm()` needed (the median and the
//!   worst over the 20), and from how many bases the three hand-written schedules found it.

#[path = "../swarm_hunt.rs"]
#[allow(dead_code)]
mod showcase;

use musil::RunSettings;
use showcase::{Config, Faults};

use crate::harness::{Counts, Options, Workload};

pub const WORKLOAD: Workload = Workload {
    run,
    throughput: &[("seeds_per_s", "runs"), ("steps_per_s", "steps")],
    params: |o| {
        format!(
            "\"variant\": \"{}\", \"seeds\": {}, \"faults\": \"swarm().storage(false)\"",
            o.variant, o.seeds
        )
    },
};

/// Base seeds of the hunt.
const BASES: u64 = 20;

fn run(options: &Options) -> Counts {
    match options.variant.as_str() {
        "hunt" => hunt(options.seeds),
        _ => sweep(options.seeds),
    }
}

fn sweep(seeds: u64) -> Counts {
    let settings = RunSettings::seeds(0..seeds).jobs(1);
    let report = showcase::scenario(Config::CORRECT, Faults::Swarm).execute(&settings);
    assert!(report.ok(), "the correct store passes the swarm:\n{report}");
    vec![("runs", report.runs() as u64), ("steps", report.steps())]
}

fn hunt(limit: u64) -> Counts {
    let bases: Vec<u64> = (0..BASES).map(|k| k * 1_000_000).collect();
    let mut needed: Vec<u64> = bases
        .iter()
        .map(|&base| showcase::seeds_to_find(Faults::Swarm, base, limit).unwrap_or(u64::MAX))
        .collect();
    needed.sort_unstable();
    let hand_written = [
        Faults::LossyNetwork,
        Faults::PrimaryPowerLoss,
        Faults::BackupCutOff,
    ];
    let by_hand = bases
        .iter()
        .filter(|&&base| {
            hand_written
                .iter()
                .any(|&faults| showcase::seeds_to_find(faults, base, limit).is_some())
        })
        .count();
    let found = needed.iter().filter(|&&n| n != u64::MAX).count();
    vec![
        ("runs", needed.iter().map(|&n| n.min(limit)).sum()),
        ("steps", 0),
        ("bases", BASES),
        ("found_by_swarm", found as u64),
        ("median_seeds_swarm", needed[(BASES as usize - 1) / 2]),
        ("worst_seeds_swarm", needed[BASES as usize - 1]),
        ("found_by_hand_written", by_hand as u64),
    ]
}
