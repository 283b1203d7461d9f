//! Verdicts over all of a call's seeds: coverage sites that never held, and catching seeds that
//! lie: a passing seed run a second time must run the same way (the same
//! steps at the same times, the same world at the end). A node that reads the wall clock, a
//! global counter or a thread-local random generator makes its seeds run differently, and a
//! failure found on such a seed would not replay; this check says so while every seed still
//! passes, and shows the first event where the two runs part.

use std::fmt::Debug;

use crate::decision::seeded::Seeded;
use crate::id::Message;
use crate::sim::trace::Trace;
use crate::sweep::coverage::Hits;
use crate::system::System;

use super::env::Determinism;
use super::execute::{Execution, How, Position};
use super::report::{FailureCause, FailureKind, SeedFailure, SimFailure};

impl<S: System<M> + Debug + 'static, M: Message> Execution<'_, S, M> {
    /// Whether the seed at `index` takes part in the determinism check.
    pub(crate) fn checks_determinism_of(&self, index: usize) -> bool {
        match self.settings.determinism {
            Determinism::First => index == 0,
            Determinism::All => true,
            Determinism::Off => false,
        }
    }

    /// The first seed (below the index `below`) whose second run's fingerprint differs from its
    /// first's, reported as a `NONDETERMINISM` failure.
    pub(crate) fn lying_seed(
        &self,
        prints: &[(usize, u64)],
        below: usize,
    ) -> Option<SimFailure<S>> {
        let mut prints: Vec<(usize, u64)> =
            prints.iter().copied().filter(|p| p.0 < below).collect();
        prints.sort_unstable();
        prints.into_iter().find_map(|(index, print)| {
            let seed = self.settings.seeds[index];
            let how = How {
                fingerprint: true,
                ..How::plain(&self.scenario.factory)
            };
            let again = self.run_seed(how, Seeded::new(seed));
            (again.fingerprint != Some(print)).then(|| self.lie(index, seed))
        })
    }

    /// The report of a seed that ran two ways: two more runs with their traces, and where they
    /// part.
    fn lie(&self, index: usize, seed: u64) -> SimFailure<S> {
        let traced = || {
            let how = How {
                record: true,
                ..How::plain(&self.scenario.factory)
            };
            self.run_seed(how, Seeded::new(seed))
        };
        let (first, second) = (traced(), traced());
        let (detail, step, time) = match (&first.trace, &second.trace) {
            (Some(a), Some(b)) => parting(seed, a, b),
            _ => (format!("seed {seed} ran differently when run again"), 0, 0),
        };
        let cause = FailureCause::new(FailureKind::Nondeterminism, detail);
        let failure = SeedFailure {
            step,
            time,
            ..SeedFailure::unbuilt(cause)
        };
        let mut report = self
            .scenario
            .failure(failure, self.settings, Position::Seed(index), None);
        report.trace = second.trace;
        report
    }
}

impl<S: System<M> + Debug + 'static, M: Message> Execution<'_, S, M> {
    /// A `Coverage` failure when a declared site never held over all the `runs` runs (and the
    /// settings ask for the verdict, and no seed failed).
    pub(crate) fn uncovered(
        &self,
        coverage: &Hits,
        runs: usize,
        failed: bool,
    ) -> Option<SimFailure<S>> {
        let never = coverage.never_held();
        if failed || never.is_empty() || !self.settings.coverage_verdict {
            return None;
        }
        let sites: Vec<String> = never.iter().map(|site| format!("`{site}`")).collect();
        let detail = format!("{} never held in {runs} runs", sites.join(", "));
        let cause = FailureCause::new(FailureKind::Coverage, detail);
        let failure = SeedFailure::unbuilt(cause);
        let mut report = self
            .scenario
            .failure(failure, self.settings, Position::Seed(0), None);
        report.run = runs;
        // About every seed, not the first: no seed's mix, and the command that reruns them all.
        report.mix = None;
        report.replay = self.scenario.sweep_line(self.settings);
        Some(report)
    }
}

/// Where two traces of one seed part, in words, with the step and time of that event.
fn parting(seed: u64, a: &Trace, b: &Trace) -> (String, u64, u64) {
    let outside = "the system depends on something outside musil's control (the wall clock, a \
                   global counter or random generator, hash-map order, threads)";
    let pairs = a.events().iter().zip(b.events());
    let apart = pairs.enumerate().find(|(_, (x, y))| x != y);
    match apart {
        Some((at, (x, y))) => (
            format!(
                "seed {seed} ran differently when run again, both times passing: they part at \
                 event {} — first `{}`, then `{}`; {outside}",
                at + 1,
                a.line(x).trim(),
                b.line(y).trim()
            ),
            y.step,
            y.time,
        ),
        None if a.events().len() != b.events().len() => (
            format!(
                "seed {seed} ran differently when run again, both times passing: one run has \
                 {} events, the other {}; {outside}",
                a.events().len(),
                b.events().len()
            ),
            0,
            0,
        ),
        None => (
            format!(
                "seed {seed} ran differently when run again (its steps or its final world), \
                 though two traced runs agreed: the difference comes and goes; {outside}"
            ),
            0,
            0,
        ),
    }
}
