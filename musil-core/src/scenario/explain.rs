//! Explaining the first failing run: re-running it with its choices recorded and its trace on
//! (which also checks that it replays identically), then shrinking it — searching for smaller
//! choices that fail the same way — and re-running the smallest with its trace, for the report.
//! Also the replay of recorded runs (regressions file entries) before a call's seeds.

use std::fmt::Debug;

use crate::decision::recording::Recording;
use crate::forensics::choices::{Choices, Choosing};
use crate::forensics::export::{self, ExportHeader};
use crate::forensics::shrink::{self, Attempt};
use crate::id::Message;
use crate::system::System;

use super::execute::{Execution, How, Position, SeedRun};
use super::report::{FailureCause, FailureKind, SeedFailure, Shrinking, SimFailure, SimReport};

impl<S: System<M> + Debug + 'static, M: Message> Execution<'_, S, M> {
    /// Replays the settings' regression entries in order; the report of the first that fails.
    pub(crate) fn replay_regressions(&self) -> Option<SimReport<S>> {
        for (index, (seed, choices)) in self.settings.regressions.iter().enumerate() {
            let how = How {
                factory: &self.scenario.factory,
                record: false,
                forensic: Some(choices),
                fingerprint: false,
            };
            let run = self.run_seed(how, Choosing::replay(*seed, choices));
            if let Some(failure) = run.failure {
                let position = Position::Regression(index);
                let first = (*failure).forget_world();
                let failure = self.explain(first, *seed, position, Some(choices));
                return Some(SimReport {
                    scenario: self.scenario.name.clone(),
                    runs: 0,
                    steps: 0,
                    settled: 0,
                    coverage: Default::default(),
                    failure: Some(failure),
                    expected: self.scenario.expected,
                });
            }
        }
        None
    }

    /// Writes the trace of each of the first `count` seeds (`MUSIL_TRACE=all`), passing ones
    /// too; the failing seed's is written by its report.
    pub(crate) fn draw_passing(&self, count: usize, failed: Option<u64>) {
        for &seed in self.settings.seeds.iter().take(count) {
            if Some(seed) == failed {
                continue;
            }
            let how = How {
                record: true,
                ..How::plain(&self.scenario.factory)
            };
            let run = self.run_seed(how, Choosing::live(seed));
            if let Some(trace) = &run.trace {
                let header = ExportHeader {
                    scenario: self.scenario.name.clone(),
                    seed,
                    kind: "passed".to_string(),
                    label: "passing".to_string(),
                    ..ExportHeader::default()
                };
                let dir = export::export_dir(&self.scenario.name);
                let _ = export::write(&dir, &export::stem(seed, None), trace, &header);
            }
        }
    }

    /// Re-runs the failing run of `seed` (from `start`, recorded choices, or live) recording its
    /// choices and trace, checks that the re-run fails the same way, and shrinks it.
    pub(crate) fn explain(
        &self,
        first: SeedFailure<()>,
        seed: u64,
        position: Position,
        start: Option<&Choices>,
    ) -> SimFailure<S> {
        let empty = Choices::default();
        let how = How {
            factory: &self.scenario.factory,
            record: true,
            forensic: Some(start.unwrap_or(&empty)),
            fingerprint: false,
        };
        let source = match start {
            Some(choices) => Choosing::replay(seed, choices),
            None => Choosing::live(seed),
        };
        let rerun = self.run_seed(how, Recording::new(source));
        let nondeterminism = divergence(seed, &first, rerun.failure.as_deref());
        let recorded = match (&nondeterminism, &rerun.failure) {
            (None, Some(_)) => attempt(&rerun, start.cloned().unwrap_or_default()),
            _ => None,
        };
        let shrunk = recorded
            .as_ref()
            .and_then(|recorded| self.shrink(seed, recorded, &rerun));
        let mut report = match shrunk {
            Some((smallest, shrinking)) => self.report(smallest, position, None, Some(shrinking)),
            None => {
                let failure = match rerun.failure {
                    Some(again) if nondeterminism.is_none() => again,
                    _ => Box::new(first.forget_world()),
                };
                let rerun = SeedRun {
                    failure: Some(failure),
                    ..rerun
                };
                self.report(rerun, position, nondeterminism, None)
            }
        };
        report.choices = match &report.shrinking {
            Some(shrinking) => Some(shrinking.choices.clone()),
            None => recorded.map(|recorded| recorded.choices),
        };
        // The mix as the reported run had it: shrinking (or a recorded run) may leave out or
        // shorten some of the faults the seed drew.
        if let Some(choices) = &report.choices {
            let edits = choices.fault_edits();
            report.mix = crate::sweep::swarm::shrunk_mix_of(self.scenario, seed, edits);
        }
        report.picture = draw(&report);
        report
    }

    /// The report of `run` (a recorded run at `position`).
    fn report(
        &self,
        run: SeedRun<S, Recording<Choosing>>,
        position: Position,
        nondeterminism: Option<String>,
        shrinking: Option<Shrinking>,
    ) -> SimFailure<S> {
        let failure = *run
            .failure
            .unwrap_or_else(|| unreachable!("only failing runs are reported"));
        let mut report = self
            .scenario
            .failure(failure, self.settings, position, nondeterminism);
        report.trace = run.trace;
        report.decisions = run.decisions.map(Recording::into_log).unwrap_or_default();
        report.shrinking = shrinking;
        report
    }

    /// Shrinks the recorded failing `run` of `seed`; `None` if shrinking is off, not possible,
    /// or found nothing smaller. Returns the smallest run, recorded, and what it came from.
    fn shrink(
        &self,
        seed: u64,
        start: &Attempt,
        run: &SeedRun<S, Recording<Choosing>>,
    ) -> Option<(SeedRun<S, Recording<Choosing>>, Shrinking)> {
        let failure = run.failure.as_ref()?;
        let budget = self.settings.shrink.unwrap_or(shrink::DEFAULT_BUDGET);
        if budget == 0 || failure.cause.kind == FailureKind::InvalidScenario {
            return None;
        }
        let wanted = site(&failure.cause);
        let start = start.clone();
        let original = (start.steps, start.faults, start.choices.loud());
        let (smallest, attempts) = shrink::shrink(start.clone(), budget, |choices| {
            let how = How {
                factory: &self.scenario.factory,
                record: false,
                forensic: Some(choices),
                fingerprint: false,
            };
            let run = self.run_seed(how, Choosing::replay(seed, choices));
            let same = run
                .failure
                .as_ref()
                .is_some_and(|f| site(&f.cause) == wanted);
            same.then(|| attempt(&run, choices.clone())).flatten()
        });
        if smallest == start {
            return None;
        }
        let how = How {
            factory: &self.scenario.factory,
            record: true,
            forensic: Some(&smallest.choices),
            fingerprint: false,
        };
        let replay = Recording::new(Choosing::replay(seed, &smallest.choices));
        let recorded = self.run_seed(how, replay);
        let shrinking = Shrinking {
            from: original,
            to: (smallest.steps, smallest.faults, smallest.choices.loud()),
            attempts,
            choices: smallest.choices,
            original_trace: run.trace.clone(),
        };
        recorded.failure.is_some().then_some((recorded, shrinking))
    }
}

/// Writes the reported run's trace (and the original's beside it, if it was shrunk) as JSON
/// Lines and an HTML picture; the page's path, or `None` if there is no trace or writing failed
/// (a failure to write never hides the failure itself).
fn draw<S>(report: &SimFailure<S>) -> Option<std::path::PathBuf> {
    let trace = report.trace.as_ref()?;
    let dir = export::export_dir(&report.scenario);
    let header = |label: &str| ExportHeader::of(report, label);
    if let Some(original) = report
        .shrinking
        .as_ref()
        .and_then(|s| s.original_trace.as_ref())
    {
        let stem = export::stem(report.seed, Some("original"));
        let mut unshrunk = header("original");
        unshrunk.failing_step = report.shrinking.as_ref().map(|s| s.from.0);
        // Only the reported run's history was searched for its smallest inconsistent part.
        unshrunk.sub_history = None;
        let _ = export::write(&dir, &stem, original, &unshrunk);
    }
    let label = if report.shrinking.is_some() {
        "shrunk"
    } else {
        "failing"
    };
    let stem = export::stem(report.seed, None);
    let page = export::write(&dir, &stem, trace, &header(label)).ok()?;
    // Shown relative to where the program runs, when it is below it.
    let here = std::env::current_dir().ok();
    let relative = here.and_then(|here| page.strip_prefix(here).ok().map(|p| p.to_path_buf()));
    Some(relative.unwrap_or(page))
}

/// What identifies a failure for shrinking: its kind and where it arose — the invariant or goal
/// named in backticks, or the place a panic was raised.
fn site(cause: &FailureCause) -> (FailureKind, String) {
    let detail = &cause.detail;
    let place = match cause.kind {
        FailureKind::Panic => detail
            .rfind("(panicked at ")
            .map_or(detail.as_str(), |at| &detail[at..]),
        _ => detail.split('`').nth(1).unwrap_or(""),
    };
    (cause.kind, place.to_string())
}

/// The attempt a failing recorded `run` made with `choices`: the answers it actually gave, and
/// its size.
fn attempt<S, D>(run: &SeedRun<S, D>, mut choices: Choices) -> Option<Attempt>
where
    D: AsChoosing,
{
    let failure = run.failure.as_ref()?;
    let faults = run.faults.as_ref()?;
    choices.streams = run.decisions.as_ref()?.given();
    for list in choices.streams.values_mut() {
        while list.last() == Some(&None) {
            list.pop();
        }
    }
    choices.streams.retain(|_, list| !list.is_empty());
    Some(Attempt {
        choices,
        steps: failure.step,
        faults: faults.schedule_kept + faults.nemesis_injected,
        schedule_lengths: faults.schedule_lengths.clone(),
        nemesis_lengths: faults.nemesis_lengths.clone(),
    })
}

/// A decision source whose given answers can be read back.
trait AsChoosing {
    fn given(&self) -> std::collections::BTreeMap<crate::decision::Stream, Vec<Option<u64>>>;
}

impl AsChoosing for Choosing {
    fn given(&self) -> std::collections::BTreeMap<crate::decision::Stream, Vec<Option<u64>>> {
        self.given_answers().clone()
    }
}

impl AsChoosing for Recording<Choosing> {
    fn given(&self) -> std::collections::BTreeMap<crate::decision::Stream, Vec<Option<u64>>> {
        self.inner().given_answers().clone()
    }
}

/// Why a re-run of `seed` does not explain its first failure, if it does not.
fn divergence<S>(
    seed: u64,
    first: &SeedFailure<()>,
    again: Option<&SeedFailure<S>>,
) -> Option<String> {
    let outside = "The run depends on something outside musil's control (wall clock, hash-map \
                   order, global state, threads); the trace above is the re-run's";
    match again {
        Some(again) if again.same_as(first) && again.world_debug == first.world_debug => None,
        Some(again) if again.same_as(first) => Some(format!(
            "seed {seed} failed identically when re-run, but the world printed differently. \
             Unordered state in a node (a HashMap or HashSet) prints in a different order on \
             each run; if a node iterates it, its behaviour can change between runs too"
        )),
        Some(again) => Some(format!(
            "re-running seed {seed} to record its trace failed differently: first {}, then {}. \
             {outside}",
            first.summary(),
            again.summary()
        )),
        None => Some(format!(
            "re-running seed {seed} to record its trace did not fail (first: {}). {outside}",
            first.summary()
        )),
    }
}
