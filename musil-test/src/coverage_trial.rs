//! The coverage verdict in harness mode, where each seed is a trial of its own: the trial
//! `path::coverage` comes after its scenario's seed trials, takes the coverage hits those trials
//! found in this process (waiting for any still running), runs itself the seeds no trial ran
//! here (under nextest every trial is a process of its own, so it runs them all), and fails
//! with `FailureKind::Coverage` if a declared site never held over all of them.

use std::collections::BTreeMap;
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

use musil_core::sweep::coverage::Hits;
use musil_core::{RunSettings, SimReport, SweepProgress};

use crate::registry::ErasedScenario;

/// What one seed's trial found, for its scenario's coverage trial.
#[derive(Clone, Debug)]
enum Slot {
    Running,
    Done { hits: Hits, steps: u64 },
}

/// The seed trials' coverage, by (scenario index, seed), shared by the trials of one process.
#[derive(Debug, Default)]
pub struct Board {
    slots: Mutex<BTreeMap<(usize, u64), Slot>>,
    finished: Condvar,
}

impl Board {
    fn slots(&self) -> MutexGuard<'_, BTreeMap<(usize, u64), Slot>> {
        self.slots.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Says that the trial of `seed` of `scenario` has started.
    pub fn start(&self, scenario: usize, seed: u64) {
        self.slots()
            .entry((scenario, seed))
            .or_insert(Slot::Running);
    }

    /// Records what the trial of `seed` of `scenario` found.
    pub fn finish(&self, scenario: usize, seed: u64, report: &SimReport<()>) {
        let slot = Slot::Done {
            hits: report.coverage().clone(),
            steps: report.steps(),
        };
        self.slots().insert((scenario, seed), slot);
        self.finished.notify_all();
    }

    /// What the trial of `seed` found, once it has finished; `None` if no trial started it.
    fn take(&self, scenario: usize, seed: u64) -> Option<(Hits, u64)> {
        let mut slots = self.slots();
        loop {
            match slots.get(&(scenario, seed)) {
                None => return None,
                Some(Slot::Done { hits, steps }) => return Some((hits.clone(), *steps)),
                Some(Slot::Running) => {
                    slots = self
                        .finished
                        .wait(slots)
                        .unwrap_or_else(PoisonError::into_inner);
                }
            }
        }
    }
}

/// The coverage verdict over `seeds` of `scenario` (index `index`): their hits, from the board
/// or from running them here, one by one, under `settings` (whose seeds are ignored).
pub fn verdict(
    board: &Board,
    index: usize,
    scenario: &dyn ErasedScenario,
    seeds: &[u64],
    settings: &RunSettings,
) -> SimReport<()> {
    let (mut coverage, mut steps) = (Hits::default(), 0);
    for &seed in seeds {
        let (hits, seed_steps) = board.take(index, seed).unwrap_or_else(|| {
            // Run only to count: a failure is its seed trial's to report, not to shrink here.
            let alone = RunSettings {
                seeds: vec![seed],
                coverage_verdict: false,
                shrink: Some(0),
                trace_all: false,
                regressions: Vec::new(),
                ..settings.clone()
            };
            let report = scenario.run_erased(&alone);
            (report.coverage().clone(), report.steps())
        });
        coverage.absorb(&hits);
        steps += seed_steps;
    }
    let done = SweepProgress {
        runs: seeds.len(),
        steps,
        coverage: &coverage,
    };
    scenario.coverage_erased(&done, settings)
}
