//! The default-harness path: the `#[test]` that `#[musil::scenario]` emits runs every seed of
//! its scenario here, on `MUSIL_JOBS` threads, and fails with the report of the lowest failing
//! seed — the same report whatever the thread count. Under `MUSIL_TIME` it runs fresh seeds
//! until the time is spent instead ([`crate::long_run`]).

use musil_core::seeds::{self, EnvSettings};
use musil_core::{FailureKind, Replay, RunSettings, ShouldFail, SimReport};

use crate::long_run::LongRun;
use crate::registry::ScenarioEntry;
use crate::{regressions, replay};

/// Runs the scenario `entry` as one libtest test: panics (failing the test) unless it passes.
pub fn run_test(entry: &'static ScenarioEntry) {
    musil_core::panics::install_hook();
    let env = match EnvSettings::from_env() {
        Ok(env) => env,
        Err(problem) => panic!("musil: {problem}"),
    };
    let path = entry.path();
    let Some(settings) = settings(entry, &path, &env) else {
        return;
    };
    let settings = match regressions::replayed(&entry.target, &path, &env) {
        Ok(runs) => settings.regressions(runs),
        Err(problem) => panic!("musil: {problem}"),
    };
    let scenario = (entry.build)();
    let report = match LongRun::new(&path, &env) {
        Some(long_run) => long_run.run(|next| scenario.sweep_erased(&settings, next)),
        None => scenario.run_erased(&settings),
    };
    if let Some(recorded) = regressions::remember(&entry.target, &path, &report, &env) {
        println!("{recorded}");
    }
    if let Some(note) = unjudged_coverage(&path, &report, &env) {
        println!("{note}");
        return;
    }
    judge(&path, report);
}

/// A note, when a `should_fail = coverage` scenario passed on the one seed `MUSIL_SEED` chose:
/// no coverage verdict is made on one seed, so the expectation cannot be judged (the sites and
/// their hits are in the report).
pub(crate) fn unjudged_coverage(
    path: &str,
    report: &SimReport<()>,
    env: &EnvSettings,
) -> Option<String> {
    let expects_coverage = report.expected() == Some(ShouldFail::Kind(FailureKind::Coverage));
    (env.seed.is_some() && expects_coverage && report.failure().is_none()).then(|| {
        format!(
            "musil: `{path}` expects a coverage failure, which one seed ({}) cannot show: not \
             judged\n{report}",
            seeds::SEED
        )
    })
}

/// What this process runs of the scenario, or `None` (having said why) when it runs nothing:
/// another shard runs it whole, or a long run skips a `should_fail` scenario.
fn settings(entry: &ScenarioEntry, path: &str, env: &EnvSettings) -> Option<RunSettings> {
    if env.time.is_some() && entry.expects_failure {
        println!(
            "musil: `{path}` expects a failure; a {} run sweeps only the scenarios that should pass",
            seeds::TIME
        );
        return None;
    }
    let declared = entry.seeds.to_vec();
    let Some(seeds) = env.seeds_of(path, &declared, entry.expects_failure) else {
        println!(
            "musil: `{path}` runs whole in another shard ({})",
            seeds::SHARD
        );
        return None;
    };
    if let Some(seed) = env.seed {
        println!(
            "musil: `{path}` runs seed {seed} only ({}={seed})",
            seeds::SEED
        );
    }
    let command = replay::test_command(&entry.target, path, entry.ignore, replay::under_nextest());
    Some(RunSettings {
        seeds,
        jobs: env.jobs(),
        max_steps: env.max_steps,
        replay: Some(Replay::Command(command)),
        shrink: env.shrink,
        regressions: Vec::new(),
        determinism: env.determinism.unwrap_or_default(),
        hide_timers: env.hide_timers,
        trace_all: env.trace_all,
        // One seed replayed (`MUSIL_SEED`) is not the sweep a coverage verdict is about.
        coverage_verdict: env.seed.is_none(),
    })
}

/// Prints the report where it matters, and panics unless the scenario passed.
fn judge(path: &str, report: SimReport<()>) {
    if report.passed() {
        // An expected failure, or the hits per coverage site: shown under `--show-output`.
        if report.failure().is_some() || !report.coverage().is_empty() {
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
