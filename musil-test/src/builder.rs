//! Running a scenario built with the builder (`Scenario::new(..)…`) from a test or a program:
//! [`RunScenario`] reads the `MUSIL_*` environment and names the replay command of the test (or
//! example) that is running, so that a report made inside a `#[test]` ends with the exact command
//! that reruns it.

use std::fmt::Debug;

use musil_core::seeds::EnvSettings;
use musil_core::{Message, Replay, RunSettings, Scenario, SimReport, System};

use crate::long_run::LongRun;
use crate::replay;

/// How a scenario runs from user code. In the prelude: `scenario.run()`.
pub trait RunScenario {
    /// The system the scenario simulates.
    type World;

    /// Runs the seeds the environment selects (`MUSIL_SEED`, `MUSIL_SEEDS`, `MUSIL_RUNS`,
    /// `MUSIL_SHARD`, `MUSIL_MAX_STEPS`; see `musil::seeds`) on `MUSIL_JOBS` threads, and reports
    /// the first failing seed in seed order, whatever the number of threads. Under
    /// `MUSIL_TIME` it runs fresh seeds until the time is spent, stopping at the first failure. The replay line
    /// names the running test: `MUSIL_SEED=N cargo test -p … --test … -- name --exact`.
    fn run(&self) -> SimReport<Self::World>;

    /// Runs exactly `seeds`, in order on this thread, ignoring the environment; stops at the
    /// first failure. The report says that the seed is fixed by the code, and how to run the
    /// test alone.
    fn run_seeds(&self, seeds: &[u64]) -> SimReport<Self::World>;

    /// Runs exactly `seeds` on `jobs` threads with the step bound `max_steps`, ignoring the
    /// environment, and reports the first failing seed in seed order.
    fn run_with(&self, seeds: &[u64], jobs: usize, max_steps: u64) -> SimReport<Self::World>;
}

impl<S: System<M> + Debug + 'static, M: Message> RunScenario for Scenario<S, M> {
    type World = S;

    fn run(&self) -> SimReport<S> {
        musil_core::panics::install_hook();
        let replay = replay::current_process().map(Replay::Command);
        let settings = |seeds: Vec<u64>| RunSettings {
            seeds,
            jobs: 1,
            max_steps: None,
            replay: replay.clone(),
            shrink: None,
            regressions: Vec::new(),
            determinism: Default::default(),
            hide_timers: false,
            trace_all: false,
            coverage_verdict: true,
        };
        match EnvSettings::from_env() {
            Ok(env) => {
                let settings = RunSettings {
                    jobs: env.jobs(),
                    max_steps: env.max_steps,
                    shrink: env.shrink,
                    determinism: env.determinism.unwrap_or_default(),
                    hide_timers: env.hide_timers,
                    trace_all: env.trace_all,
                    // One seed replayed is not the sweep a coverage verdict is about.
                    coverage_verdict: env.seed.is_none(),
                    ..settings(env.seeds_for(self.declared_seeds()))
                };
                match LongRun::new(self.scenario_name(), &env) {
                    Some(long_run) => long_run.run(|next| self.execute_batches(&settings, next)),
                    None => self.execute(&settings),
                }
            }
            Err(problem) => self.invalid_report(
                problem.to_string(),
                &settings(self.declared_seeds().to_vec()),
            ),
        }
    }

    fn run_seeds(&self, seeds: &[u64]) -> SimReport<S> {
        self.run_with(seeds, 1, self.declared_max_steps())
    }

    fn run_with(&self, seeds: &[u64], jobs: usize, max_steps: u64) -> SimReport<S> {
        musil_core::panics::install_hook();
        self.execute(&RunSettings {
            seeds: seeds.to_vec(),
            jobs,
            max_steps: Some(max_steps),
            replay: replay::current_process().map(Replay::FixedSeeds),
            // The seeds are the code's; how hard to shrink is still the environment's.
            shrink: EnvSettings::from_env().ok().and_then(|env| env.shrink),
            regressions: Vec::new(),
            determinism: Default::default(),
            hide_timers: false,
            trace_all: false,
            coverage_verdict: true,
        })
    }
}
