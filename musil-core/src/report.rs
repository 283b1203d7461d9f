//! What a scenario run returns: [`SimReport`], and the [`SimFailure`] of the first failing seed
//! with the world, the trace and a replay command.

use std::fmt;

use crate::decision::DecisionRecord;
use crate::trace::Trace;

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
        })
    }
}

/// What a `should_fail` scenario expects: the scenario passes iff its first failing seed fails
/// this way. An [`FailureKind::InvalidScenario`] never satisfies an expectation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ShouldFail {
    /// An invariant violation.
    Invariant,
    /// A missed goal without faults.
    Goal,
    /// A missed goal with faults.
    Liveness,
    /// A refinement violation.
    Refinement,
    /// A panic in user code.
    Panic,
    /// Any of the above.
    Any,
}

impl ShouldFail {
    /// Whether a failure of `kind` satisfies this expectation.
    pub fn accepts(self, kind: FailureKind) -> bool {
        let expected = match self {
            ShouldFail::Invariant => FailureKind::Invariant,
            ShouldFail::Goal => FailureKind::Goal,
            ShouldFail::Liveness => FailureKind::Liveness,
            ShouldFail::Refinement => FailureKind::Refinement,
            ShouldFail::Panic => FailureKind::Panic,
            ShouldFail::Any => return kind != FailureKind::InvalidScenario,
        };
        kind == expected
    }
}

impl fmt::Display for ShouldFail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ShouldFail::Invariant => "invariant",
            ShouldFail::Goal => "goal",
            ShouldFail::Liveness => "liveness",
            ShouldFail::Refinement => "refinement",
            ShouldFail::Panic => "panic",
            ShouldFail::Any => "any",
        })
    }
}

/// The first failing seed of a scenario: what failed, where, the world then, and how it got
/// there.
#[derive(Clone, Debug)]
pub struct SimFailure<S> {
    pub(crate) scenario: String,
    pub(crate) seed: u64,
    pub(crate) kind: FailureKind,
    pub(crate) detail: String,
    pub(crate) step: u64,
    pub(crate) time: u64,
    pub(crate) world: Option<S>,
    pub(crate) world_debug: String,
    pub(crate) trace: Option<Trace>,
    pub(crate) decisions: Vec<DecisionRecord>,
    pub(crate) nondeterminism: Option<String>,
    pub(crate) replay: String,
    pub(crate) run: usize,
    pub(crate) runs_planned: usize,
}

impl<S> SimFailure<S> {
    /// The same failure without the world value (its `Debug` text is kept).
    pub fn erase(self) -> SimFailure<()> {
        SimFailure {
            scenario: self.scenario,
            seed: self.seed,
            kind: self.kind,
            detail: self.detail,
            step: self.step,
            time: self.time,
            world: self.world.map(|_| ()),
            world_debug: self.world_debug,
            trace: self.trace,
            decisions: self.decisions,
            nondeterminism: self.nondeterminism,
            replay: self.replay,
            run: self.run,
            runs_planned: self.runs_planned,
        }
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
        self.kind
    }

    /// What failed, in words: the invariant and its reason, the goal, the panic message, …
    pub fn detail(&self) -> &str {
        &self.detail
    }

    /// The step after which the failure was found (0: right after the start).
    pub fn step(&self) -> u64 {
        self.step
    }

    /// The virtual time of that step.
    pub fn time(&self) -> u64 {
        self.time
    }

    /// The world at the failure, if one was built (not when the factory panicked).
    pub fn world(&self) -> Option<&S> {
        self.world.as_ref()
    }

    /// The world at the failure, as `Debug` text.
    pub fn world_debug(&self) -> &str {
        &self.world_debug
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

    /// Which run failed (1-based) out of how many were planned.
    pub fn run_of(&self) -> (usize, usize) {
        (self.run, self.runs_planned)
    }

    /// The first line of the report: kind, detail, scenario, seed, step and time.
    pub fn headline(&self) -> String {
        format!(
            "{} {} — scenario {}, seed {}, step {} (t={})",
            self.kind.label(),
            self.detail,
            self.scenario,
            self.seed,
            self.step,
            self.time
        )
    }
}

impl<S> fmt::Display for SimFailure<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.headline())?;
        writeln!(f, "  world: {}", self.world_debug)?;
        if let Some(trace) = &self.trace {
            writeln!(f, "  trace:")?;
            f.write_str(&trace.render("    ", SHOWN_TRACE_EVENTS))?;
        }
        if let Some(divergence) = &self.nondeterminism {
            writeln!(f, "  NONDETERMINISM: {divergence}")?;
        }
        writeln!(f, "  replay: {}", self.replay)?;
        write!(f, "(failed on run {} of {})", self.run, self.runs_planned)
    }
}

/// The outcome of running a scenario over its seeds.
#[derive(Clone, Debug)]
pub struct SimReport<S> {
    pub(crate) scenario: String,
    pub(crate) runs: usize,
    pub(crate) steps: u64,
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
            (Some(expected), Some(failure)) => expected.accepts(failure.kind),
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
            failure: self.failure.map(SimFailure::erase),
            expected: self.expected,
        }
    }

    /// How many seeds ran (the failing one included).
    pub fn runs(&self) -> usize {
        self.runs
    }

    /// How many steps the runs took in all (not counting the re-run that explains a failure;
    /// with several threads, seeds after the first failure may have run too).
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// The scenario's name.
    pub fn scenario(&self) -> &str {
        &self.scenario
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
            (None, None) => write!(
                f,
                "OK — scenario {name}: {runs} runs, {steps} steps, no failures"
            ),
            (None, Some(failure)) => failure.fmt(f),
            (Some(expected), None) => write!(
                f,
                "EXPECTED FAILURE NOT FOUND — scenario {name}: should_fail = {expected}, but all {runs} runs passed"
            ),
            (Some(expected), Some(failure)) if expected.accepts(failure.kind) => {
                writeln!(
                    f,
                    "OK — scenario {name} failed as expected (should_fail = {expected}):"
                )?;
                failure.fmt(f)
            }
            (Some(expected), Some(failure)) => {
                let (seed, kind) = (failure.seed, failure.kind);
                writeln!(
                    f,
                    "UNEXPECTED FAILURE — scenario {name}: should_fail = {expected}, but seed {seed} failed with {kind}:"
                )?;
                failure.fmt(f)
            }
        }
    }
}
