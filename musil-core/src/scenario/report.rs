//! What a scenario run returns: [`SimReport`], and the [`SimFailure`] of the first failing seed
//! with the world, the trace and a replay command.

use std::fmt;

use crate::decision::DecisionRecord;
use crate::forensics::choices::Choices;
use crate::sim::debug_text::one_node_a_line;
use crate::sim::trace::Trace;
use crate::sweep::coverage::Hits;

/// How many trace events a failure's `Display` shows (the last ones); all are kept.
const SHOWN_TRACE_EVENTS: usize = 60;

/// The ways a seed can fail.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FailureKind {
    /// An invariant was false (or returned a reason) after some step.
    Invariant,
    /// The goal did not hold when a run without faults ended, or within `converge_within`
    /// steps of the start.
    Goal,
    /// The goal did not hold when a run with faults ended, or within `converge_within` steps
    /// after the faults healed.
    Liveness,
    /// A step of the system was not a step of its model.
    Refinement,
    /// User code panicked: a node handler, the factory, an invariant, a goal or a generator.
    Panic,
    /// The scenario's configuration is invalid (a bad network, an unknown node in a fault, …):
    /// a mistake in the test, never an expected outcome.
    InvalidScenario,
    /// A seed ran differently when run again: the system depends on something outside musil's
    /// control (the wall clock, a global counter, hash-map order, threads), so its seeds lie.
    Nondeterminism,
    /// A declared coverage site (`ctx.sometimes`, `Scenario::sometimes`) never held in any run.
    Coverage,
    /// The run's history of client operations (`ctx.invoke`, `ctx.complete`) is not
    /// linearizable (or, when asked, not sequentially consistent) against its spec.
    Linearizability,
}

impl FailureKind {
    /// The label that starts a report line: `INVARIANT`, `GOAL`, …
    pub fn label(self) -> &'static str {
        match self {
            FailureKind::Invariant => "INVARIANT",
            FailureKind::Goal => "GOAL",
            FailureKind::Liveness => "LIVENESS",
            FailureKind::Refinement => "REFINEMENT",
            FailureKind::Panic => "PANIC",
            FailureKind::InvalidScenario => "INVALID SCENARIO",
            FailureKind::Nondeterminism => "NONDETERMINISM",
            FailureKind::Coverage => "COVERAGE",
            FailureKind::Linearizability => "LINEARIZABILITY",
        }
    }
}

impl fmt::Display for FailureKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FailureKind::Invariant => "invariant",
            FailureKind::Goal => "goal",
            FailureKind::Liveness => "liveness",
            FailureKind::Refinement => "refinement",
            FailureKind::Panic => "panic",
            FailureKind::InvalidScenario => "invalid scenario",
            FailureKind::Nondeterminism => "nondeterminism",
            FailureKind::Coverage => "coverage",
            FailureKind::Linearizability => "linearizability",
        })
    }
}

/// What a `should_fail` scenario expects: the scenario passes iff its first failing seed fails
/// this way. [`FailureKind::InvalidScenario`] and [`FailureKind::Nondeterminism`] never satisfy
/// an expectation (they are mistakes in the test or the system, not outcomes). A [`FailureKind`] converts into the expectation of that kind:
/// `.should_fail(FailureKind::Goal)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ShouldFail {
    /// A failure of this kind.
    Kind(FailureKind),
    /// A failure of any kind (but an invalid scenario).
    Any,
}

impl ShouldFail {
    /// Whether a failure of `kind` satisfies this expectation.
    pub fn accepts(self, kind: FailureKind) -> bool {
        !matches!(
            kind,
            FailureKind::InvalidScenario | FailureKind::Nondeterminism
        ) && match self {
            ShouldFail::Kind(expected) => kind == expected,
            ShouldFail::Any => true,
        }
    }
}

impl From<FailureKind> for ShouldFail {
    fn from(kind: FailureKind) -> Self {
        ShouldFail::Kind(kind)
    }
}

impl fmt::Display for ShouldFail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ShouldFail::Kind(kind) => kind.fmt(f),
            ShouldFail::Any => f.write_str("any"),
        }
    }
}

/// What failed in one seed's run, and where: the part of a failure the run itself finds, before
/// a report explains it.
#[derive(Clone, Debug)]
pub(crate) struct SeedFailure<S> {
    pub(crate) cause: FailureCause,
    pub(crate) step: u64,
    pub(crate) time: u64,
    pub(crate) world: Option<S>,
    pub(crate) world_debug: String,
    /// The world's pretty `Debug` (`{:#?}`), which the report prints a node a line.
    pub(crate) world_pretty: String,
}

/// What failed, in words: a kind and a detail.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct FailureCause {
    pub(crate) kind: FailureKind,
    pub(crate) detail: String,
    /// For a history that is not consistent: the smallest inconsistent part found, as a
    /// timeline (boxed: nearly every cause has none).
    pub(crate) sub_history: Option<Box<crate::history::SubHistory>>,
}

impl FailureCause {
    pub(crate) fn new(kind: FailureKind, detail: impl Into<String>) -> Self {
        FailureCause {
            kind,
            detail: detail.into(),
            sub_history: None,
        }
    }

    /// The cause with the inconsistent sub-history it found.
    pub(crate) fn with_sub_history(mut self, part: crate::history::SubHistory) -> Self {
        self.sub_history = Some(Box::new(part));
        self
    }
}

impl<S> SeedFailure<S> {
    /// A failure found before the system existed (its factory or generator failed).
    pub(crate) fn unbuilt(cause: FailureCause) -> Self {
        SeedFailure {
            cause,
            step: 0,
            time: 0,
            world: None,
            world_debug: "<not built>".to_string(),
            world_pretty: "<not built>".to_string(),
        }
    }

    /// Whether `other` is the same failure: cause, step and time (the world's `Debug` text is
    /// compared separately).
    pub(crate) fn same_as<T>(&self, other: &SeedFailure<T>) -> bool {
        // A history's smallest inconsistent part is looked for only by a recorded run.
        let (mine, theirs) = (&self.cause, &other.cause);
        (mine.kind, &mine.detail, self.step, self.time)
            == (theirs.kind, &theirs.detail, other.step, other.time)
    }

    /// The same failure without its world (its `Debug` text is kept): to cross threads, or to
    /// erase the world's type.
    pub(crate) fn forget_world<T>(self) -> SeedFailure<T> {
        SeedFailure {
            cause: self.cause,
            step: self.step,
            time: self.time,
            world: None,
            world_debug: self.world_debug,
            world_pretty: self.world_pretty,
        }
    }

    /// One line: kind, detail, step and time.
    pub(crate) fn summary(&self) -> String {
        format!(
            "{} {} at step {} (t={})",
            self.cause.kind.label(),
            self.cause.detail,
            self.step,
            self.time
        )
    }
}

/// What shrinking a failure did: the sizes it went from and to, the attempts it made, and the
/// choices that replay the shrunk run.
#[derive(Clone, Debug)]
pub struct Shrinking {
    /// Steps, faults and loud (non-quiet) decisions of the original run.
    pub(crate) from: (u64, usize, usize),
    /// The same, of the shrunk run.
    pub(crate) to: (u64, usize, usize),
    /// Runs tried.
    pub(crate) attempts: u32,
    /// The choices that replay the shrunk run.
    pub(crate) choices: Choices,
    /// The original run's trace.
    pub(crate) original_trace: Option<Trace>,
}

impl Shrinking {
    /// Steps of the original run and of the shrunk one.
    pub fn steps(&self) -> (u64, u64) {
        (self.from.0, self.to.0)
    }

    /// Faults of the original run and of the shrunk one.
    pub fn faults(&self) -> (usize, usize) {
        (self.from.1, self.to.1)
    }

    /// Non-quiet decisions of the original run and of the shrunk one.
    pub fn loud_decisions(&self) -> (usize, usize) {
        (self.from.2, self.to.2)
    }

    /// Runs tried.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// The choices that replay the shrunk run (with the seed).
    pub fn choices(&self) -> &Choices {
        &self.choices
    }

    /// The original (unshrunk) run's trace.
    pub fn original_trace(&self) -> Option<&Trace> {
        self.original_trace.as_ref()
    }
}

impl fmt::Display for Shrinking {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plural = |n: usize| if n == 1 { "" } else { "s" };
        let ((s0, f0, d0), (s1, f1, d1)) = (self.from, self.to);
        write!(
            f,
            "shrunk: {s0} → {s1} steps, {f0} fault{} → {f1}, {d0} → {d1} non-quiet decision{} ({} attempt{})",
            plural(f0),
            plural(d0),
            self.attempts,
            plural(self.attempts as usize)
        )
    }
}

/// The first failing seed of a scenario: what failed, where, the world then, and how it got
/// there.
#[derive(Clone, Debug)]
pub struct SimFailure<S> {
    pub(crate) scenario: String,
    pub(crate) seed: u64,
    pub(crate) failure: SeedFailure<S>,
    pub(crate) trace: Option<Trace>,
    pub(crate) decisions: Vec<DecisionRecord>,
    pub(crate) nondeterminism: Option<String>,
    pub(crate) replay: String,
    pub(crate) run: usize,
    /// 0 for a sweep with no planned end (a `MUSIL_TIME` long run).
    pub(crate) runs_planned: usize,
    /// Set when the failure was shrunk: the report's run is then the shrunk one.
    pub(crate) shrinking: Option<Shrinking>,
    /// The choices that replay the reported run with its seed (shrunk or not).
    pub(crate) choices: Option<Choices>,
    /// Whether the failing run was a regression entry, replayed before the seeds.
    pub(crate) regression: bool,
    /// The picture of the reported run (`.html`, with a `.jsonl` beside it), if it was written.
    pub(crate) picture: Option<std::path::PathBuf>,
    /// Whether the text trace leaves out the timers that fired.
    pub(crate) hide_timers: bool,
    /// The swarm mix the seed drew, if its faults come from `Scenario::swarm`.
    pub(crate) mix: Option<String>,
}

impl<S> SimFailure<S> {
    /// The same failure without the world value (its `Debug` text is kept).
    pub fn erase(self) -> SimFailure<()> {
        SimFailure {
            failure: self.failure.forget_world(),
            scenario: self.scenario,
            seed: self.seed,
            trace: self.trace,
            decisions: self.decisions,
            nondeterminism: self.nondeterminism,
            replay: self.replay,
            run: self.run,
            runs_planned: self.runs_planned,
            shrinking: self.shrinking,
            choices: self.choices,
            regression: self.regression,
            picture: self.picture,
            hide_timers: self.hide_timers,
            mix: self.mix,
        }
    }

    /// The picture of the reported run: a self-contained HTML page (its `.jsonl` beside it),
    /// written under `target/musil/<scenario>/` (or `MUSIL_TRACE_DIR`).
    pub fn picture(&self) -> Option<&std::path::Path> {
        self.picture.as_deref()
    }

    /// The choices that replay the reported run with its seed (the shrunk run when it was
    /// shrunk): what a regressions file entry stores. `None` when the run could not be
    /// recorded (it did not replay identically, or failed before it began).
    pub fn choices(&self) -> Option<&Choices> {
        self.choices.as_ref()
    }

    /// Whether the failing run was a regressions file entry, replayed before the seeds.
    pub fn is_regression(&self) -> bool {
        self.regression
    }

    /// What shrinking did, if the failure was shrunk (the report's world, step and trace are
    /// then the shrunk run's).
    pub fn shrinking(&self) -> Option<&Shrinking> {
        self.shrinking.as_ref()
    }

    /// The scenario's name.
    pub fn scenario(&self) -> &str {
        &self.scenario
    }

    /// The failing seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// How it failed.
    pub fn kind(&self) -> FailureKind {
        self.failure.cause.kind
    }

    /// What failed, in words: the invariant and its reason, the goal, the panic message, …
    pub fn detail(&self) -> &str {
        &self.failure.cause.detail
    }

    /// For a history that is not consistent ([`FailureKind::Linearizability`]): the smallest
    /// inconsistent sub-history found (its `Display` is the timeline the report shows).
    pub fn sub_history(&self) -> Option<&crate::history::SubHistory> {
        self.failure.cause.sub_history.as_deref()
    }

    /// The step after which the failure was found (0: right after the start).
    pub fn step(&self) -> u64 {
        self.failure.step
    }

    /// The virtual time of that step.
    pub fn time(&self) -> u64 {
        self.failure.time
    }

    /// The world at the failure, if one was built (not when the factory panicked).
    pub fn world(&self) -> Option<&S> {
        self.failure.world.as_ref()
    }

    /// The world at the failure, as `Debug` text.
    pub fn world_debug(&self) -> &str {
        &self.failure.world_debug
    }

    /// The events of the failing run, from a re-run with recording on.
    pub fn trace(&self) -> Option<&Trace> {
        self.trace.as_ref()
    }

    /// Every decision the re-run made (network draws, node randomness), in order.
    pub fn decisions(&self) -> &[DecisionRecord] {
        &self.decisions
    }

    /// Set when the re-run of the seed did not reproduce the failure: the run depends on
    /// something outside musil's control.
    pub fn nondeterminism(&self) -> Option<&str> {
        self.nondeterminism.as_deref()
    }

    /// The command that replays this seed.
    pub fn replay(&self) -> &str {
        &self.replay
    }

    /// Which run failed (1-based) out of how many were planned (0: a sweep with no planned end,
    /// a `MUSIL_TIME` long run).
    pub fn run_of(&self) -> (usize, usize) {
        (self.run, self.runs_planned)
    }

    /// The first line of the report: kind, detail, scenario, seed, step and time (a coverage
    /// failure is about all the seeds: kind, detail and scenario).
    pub fn headline(&self) -> String {
        if self.kind() == FailureKind::Coverage {
            let (label, detail) = (self.kind().label(), self.detail());
            return format!("{label} {detail} — scenario {}", self.scenario);
        }
        format!(
            "{} {} — scenario {}, seed {}, step {} (t={})",
            self.kind().label(),
            self.detail(),
            self.scenario,
            self.seed,
            self.step(),
            self.time()
        )
    }
}

impl<S> SimFailure<S> {
    /// The report's lines on the state of the failing run: the swarm mix, the inconsistent
    /// sub-history, the world.
    fn fmt_state(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(mix) = &self.mix {
            writeln!(f, "  {mix}")?;
        }
        if let Some(timeline) = self.sub_history() {
            writeln!(
                f,
                "  history (the smallest inconsistent part found; a return in parentheses could \
                 be anything):"
            )?;
            for line in timeline.to_string().lines() {
                writeln!(f, "    {line}")?;
            }
        }
        writeln!(f, "  world:")?;
        for line in one_node_a_line(&self.failure.world_pretty) {
            writeln!(f, "    {line}")?;
        }
        Ok(())
    }
}

impl<S> fmt::Display for SimFailure<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.kind() == FailureKind::Coverage {
            // About all the seeds: no world, trace or run of one.
            writeln!(f, "{}", self.headline())?;
            return write!(f, "  replay: {}", self.replay);
        }
        writeln!(f, "{}", self.headline())?;
        self.fmt_state(f)?;
        if let Some(trace) = &self.trace {
            writeln!(f, "  trace:")?;
            let all = self
                .picture
                .as_ref()
                .map(|page| page.with_extension("jsonl"));
            let all = all.as_ref().map(|path| path.display().to_string());
            let hide = self.hide_timers;
            f.write_str(&trace.render_with("    ", SHOWN_TRACE_EVENTS, all.as_deref(), hide))?;
        }
        if let Some(divergence) = &self.nondeterminism {
            writeln!(f, "  NONDETERMINISM: {divergence}")?;
        }
        let fired = self.trace.as_ref().map_or(Vec::new(), Trace::buggify_fired);
        if !fired.is_empty() {
            let sites: Vec<String> = fired.iter().map(|(s, n)| format!("{s} ({n}×)")).collect();
            writeln!(f, "  buggify fired: {}", sites.join(", "))?;
        }
        if let Some(shrinking) = &self.shrinking {
            writeln!(f, "  {shrinking}")?;
            if let Some(choices) = &self.choices {
                let (seed, choices) = (self.seed, choices.encode());
                writeln!(f, "  shrunk run: seed={seed} choices={choices}")?;
            }
        }
        if let Some(page) = &self.picture {
            writeln!(f, "  picture: {}", page.display())?;
        }
        writeln!(f, "  replay: {}", self.replay)?;
        if self.regression {
            write!(
                f,
                "(failed on regression entry {} of {}, replayed before the seeds)",
                self.run, self.runs_planned
            )
        } else {
            match self.runs_planned {
                0 => write!(f, "(failed on run {} of a long run)", self.run),
                planned => write!(f, "(failed on run {} of {planned})", self.run),
            }
        }
    }
}

/// The outcome of running a scenario over its seeds.
#[derive(Clone, Debug)]
pub struct SimReport<S> {
    pub(crate) scenario: String,
    pub(crate) runs: usize,
    pub(crate) steps: u64,
    /// Runs that ended as soon as the goal held after the last heal (`converge_within`).
    pub(crate) settled: usize,
    /// The coverage sites of the runs, with their hits.
    pub(crate) coverage: Hits,
    pub(crate) failure: Option<SimFailure<S>>,
    pub(crate) expected: Option<ShouldFail>,
}

impl<S> SimReport<S> {
    /// Whether every seed passed.
    pub fn ok(&self) -> bool {
        self.failure.is_none()
    }

    /// The scenario's verdict: every seed passed, or — for a `should_fail` scenario — the first
    /// failing seed failed the expected way.
    pub fn passed(&self) -> bool {
        match (self.expected, &self.failure) {
            (None, failure) => failure.is_none(),
            (Some(expected), Some(failure)) => expected.accepts(failure.kind()),
            (Some(_), None) => false,
        }
    }

    /// The `should_fail` expectation, if any.
    pub fn expected(&self) -> Option<ShouldFail> {
        self.expected
    }

    /// The same report without the world value.
    pub fn erase(self) -> SimReport<()> {
        SimReport {
            scenario: self.scenario,
            runs: self.runs,
            steps: self.steps,
            settled: self.settled,
            coverage: self.coverage,
            failure: self.failure.map(SimFailure::erase),
            expected: self.expected,
        }
    }

    /// How many seeds ran (the failing one included).
    pub fn runs(&self) -> usize {
        self.runs
    }

    /// How many steps the runs of the seeds up to the first failure took in all (not counting
    /// the re-run that explains it): the same whatever the number of threads.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// The scenario's name.
    pub fn scenario(&self) -> &str {
        &self.scenario
    }

    /// How many runs ended as soon as their goal held after the last heal (with events still
    /// to come), instead of running on to quiescence or `max_steps`.
    pub fn settled(&self) -> usize {
        self.settled
    }

    /// The coverage sites of the runs (`ctx.sometimes`, `Scenario::sometimes`), with their hits.
    pub fn coverage(&self) -> &Hits {
        &self.coverage
    }

    /// The first failing seed's failure, if any.
    pub fn failure(&self) -> Option<&SimFailure<S>> {
        self.failure.as_ref()
    }

    /// The failure, consuming the report.
    pub fn into_failure(self) -> Option<SimFailure<S>> {
        self.failure
    }
}

impl<S> fmt::Display for SimReport<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (name, runs, steps) = (&self.scenario, self.runs, self.steps);
        match (self.expected, &self.failure) {
            (None, None) => {
                write!(
                    f,
                    "OK — scenario {name}: {runs} runs, {steps} steps, no failures"
                )?;
                if self.settled > 0 {
                    let settled = self.settled;
                    write!(
                        f,
                        " ({settled} ended as soon as the goal held after the last heal)"
                    )?;
                }
                let sites: Vec<String> = self
                    .coverage
                    .sites()
                    .map(|(site, hits)| format!("{site}: {hits}"))
                    .collect();
                if !sites.is_empty() {
                    write!(
                        f,
                        "\n  coverage (observations that held): {}",
                        sites.join(", ")
                    )?;
                }
                Ok(())
            }
            (None, Some(failure)) => failure.fmt(f),
            (Some(expected), None) => write!(
                f,
                "EXPECTED FAILURE NOT FOUND — scenario {name}: should_fail = {expected}, but all {runs} runs passed"
            ),
            (Some(expected), Some(failure)) if expected.accepts(failure.kind()) => {
                writeln!(
                    f,
                    "OK — scenario {name} failed as expected (should_fail = {expected}):"
                )?;
                failure.fmt(f)
            }
            (Some(expected), Some(failure)) => {
                let (seed, kind) = (failure.seed, failure.kind());
                writeln!(
                    f,
                    "UNEXPECTED FAILURE — scenario {name}: should_fail = {expected}, but seed {seed} failed with {kind}:"
                )?;
                failure.fmt(f)
            }
        }
    }
}
