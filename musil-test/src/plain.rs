//! The default-harness path: the `#[test]` that `#[musil::scenario]` emits runs every seed of
//! its scenario here, on `MUSIL_JOBS` threads, and fails with the report of the lowest failing
//! seed — the same report whatever the thread count.

use musil_core::registry::ScenarioEntry;
use musil_core::seeds::EnvSettings;

use crate::replay;

/// Runs the scenario `entry` as one libtest test: panics (failing the test) unless it passes.
pub fn run_test(entry: &'static ScenarioEntry) {
    let env = match EnvSettings::from_env() {
        Ok(env) => env,
        Err(problem) => panic!("musil: {problem}"),
    };
    let path = entry.path();
    let command = replay::command(&entry.target, &path, entry.ignore, replay::under_nextest());
    let declared = entry.seeds.to_vec();
    let seeds = match (entry.expects_failure, env.shard_owns(&path)) {
        (false, _) => env.plan(&declared),
        (true, true) => env.unsharded_plan(&declared),
        (true, false) => {
            println!(
                "musil: `{path}` runs whole in another shard ({})",
                musil_core::seeds::SHARD
            );
            return;
        }
    };
    let report = (entry.build)().run_erased(&seeds, env.jobs(), env.max_steps, &command);
    if report.passed() {
        if report.failure().is_some() {
            println!("{report}");
        }
        return;
    }
    println!("{report}");
    match report.failure() {
        Some(failure) => panic!(
            "musil: scenario `{path}` failed on seed {} ({}, report above); replay: {}",
            failure.seed(),
            failure.kind(),
            failure.replay()
        ),
        None => panic!("musil: scenario `{path}` failed: {report}"),
    }
}
