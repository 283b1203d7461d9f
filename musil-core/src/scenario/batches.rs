//! A sweep of open length: batches of seeds, each run as one call of the seeds runner, until
//! the caller has no more to give (a long run's wall-time budget is spent) or a seed fails. The
//! caller decides when to stop and which seeds come next; this module adds the batches up into
//! one report — runs, steps, coverage, and the coverage verdict over them all — so no wall clock
//! ever reaches the engine.

use std::fmt::Debug;

use super::execute::Execution;
use super::report::SimReport;
use super::{Determinism, RunSettings, Scenario};
use crate::id::Message;
use crate::sweep::coverage::Hits;
use crate::sweep::progress::SweepProgress;
use crate::system::System;

/// The batches' reports, added up.
struct Totals {
    runs: usize,
    steps: u64,
    settled: usize,
    coverage: Hits,
}

impl<S: System<M> + Debug + 'static, M: Message> Scenario<S, M> {
    /// Runs batches of seeds until `next` returns `None` or a seed fails, and reports them as
    /// one sweep: `next` is given the progress so far and returns the next batch. The
    /// `settings`' own seeds are ignored; their regressions are replayed before the first
    /// batch; a default determinism check looks at the first batch's first seed only; the
    /// coverage verdict, if asked for, is over every batch. A failure is explained, shrunk and
    /// numbered as in [`execute`](Scenario::execute), counting the seeds of earlier batches.
    ///
    /// ```
    /// # use musil_core::{RunSettings, Scenario};
    /// # #[derive(Debug, Default)] struct Quiet;
    /// # impl musil_core::Node<()> for Quiet {}
    /// # impl musil_core::System<()> for Quiet {
    /// #     fn node_count(&self) -> usize { 1 }
    /// #     fn node_name(&self, _: musil_core::NodeId) -> std::borrow::Cow<'static, str> { "q".into() }
    /// #     fn visit_node<V: musil_core::NodeVisitor<()>>(&mut self, _: musil_core::NodeId, v: V) -> V::Output { v.visit(self) }
    /// #     fn replace_node(&mut self, _: musil_core::NodeId, fresh: &mut Self) { std::mem::swap(self, fresh) }
    /// # }
    /// // Three batches of ten seeds from 1000.
    /// let mut next = |done: &musil_core::SweepProgress<'_>| {
    ///     let start = 1000 + done.runs as u64;
    ///     (done.runs < 30).then(|| (start..start + 10).collect())
    /// };
    /// let report = Scenario::new(Quiet::default).execute_batches(&RunSettings::seeds([]), &mut next);
    /// assert_eq!((report.ok(), report.runs()), (true, 30));
    /// ```
    pub fn execute_batches(
        &self,
        settings: &RunSettings,
        next: &mut dyn FnMut(&SweepProgress<'_>) -> Option<Vec<u64>>,
    ) -> SimReport<S> {
        if let Some(problem) = self.option_problem() {
            return self.invalid_report(problem.to_string(), settings);
        }
        let mut totals = Totals {
            runs: 0,
            steps: 0,
            settled: 0,
            coverage: Hits::default(),
        };
        let mut batch = 0usize;
        while let Some(seeds) = next(&totals.progress()) {
            let batch_settings = batch_settings(settings, seeds, batch);
            let report = Execution::new(self, &batch_settings).run();
            batch += 1;
            if let Some(failed) = totals.absorb(report) {
                return failed;
            }
        }
        self.judged(totals, settings)
    }

    /// The coverage verdict over runs made elsewhere (musil's harness runs one seed per trial,
    /// and judges a scenario's coverage in a trial of its own): a report of `done`'s runs, steps
    /// and hits that fails with [`FailureKind::Coverage`](super::report::FailureKind::Coverage)
    /// if a declared site never held, when `settings` ask for the verdict.
    pub fn coverage_verdict(
        &self,
        done: &SweepProgress<'_>,
        settings: &RunSettings,
    ) -> SimReport<S> {
        let totals = Totals {
            runs: done.runs,
            steps: done.steps,
            settled: 0,
            coverage: done.coverage.clone(),
        };
        self.judged(totals, settings)
    }

    /// The report of a sweep's totals, with its coverage verdict.
    fn judged(&self, totals: Totals, settings: &RunSettings) -> SimReport<S> {
        let verdict = Execution::new(self, settings);
        let uncovered = verdict.uncovered(&totals.coverage, totals.runs, false);
        totals.report(self, uncovered)
    }
}

/// The settings of batch number `batch`: its seeds, the regressions only before the first, the
/// default determinism check only on the first, and no coverage verdict of its own.
fn batch_settings(settings: &RunSettings, seeds: Vec<u64>, batch: usize) -> RunSettings {
    let later = batch > 0;
    RunSettings {
        seeds,
        regressions: if later {
            Vec::new()
        } else {
            settings.regressions.clone()
        },
        determinism: match settings.determinism {
            Determinism::First if later => Determinism::Off,
            chosen => chosen,
        },
        coverage_verdict: false,
        ..settings.clone()
    }
}

impl Totals {
    fn progress(&self) -> SweepProgress<'_> {
        SweepProgress {
            runs: self.runs,
            steps: self.steps,
            coverage: &self.coverage,
        }
    }

    /// Adds a batch's report; a failing one comes back renumbered from the sweep's start.
    fn absorb<S>(&mut self, mut report: SimReport<S>) -> Option<SimReport<S>> {
        self.steps += report.steps;
        self.settled += report.settled;
        self.coverage.absorb(&report.coverage);
        let earlier = self.runs;
        self.runs += report.runs;
        let failure = report.failure.as_mut()?;
        if !failure.regression {
            failure.run += earlier;
            failure.runs_planned = 0;
        }
        report.runs = self.runs;
        report.steps = self.steps;
        report.settled = self.settled;
        report.coverage = std::mem::take(&mut self.coverage);
        Some(report)
    }

    /// The sweep's report, failing with `uncovered` if a coverage site never held.
    fn report<S, M>(
        self,
        scenario: &Scenario<S, M>,
        uncovered: Option<super::report::SimFailure<S>>,
    ) -> SimReport<S> {
        SimReport {
            scenario: scenario.name.clone(),
            runs: self.runs,
            steps: self.steps,
            settled: self.settled,
            coverage: self.coverage,
            failure: uncovered,
            expected: scenario.expected,
        }
    }
}
