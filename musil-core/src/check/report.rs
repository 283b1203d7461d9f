//! What checking returns: [`CheckReport`], its [`Violation`]s and their traces.

use std::fmt::{self, Debug};

/// One step of a counterexample: the action taken (`None` for an initial state) and the state
/// it led to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceStep<S> {
    /// The action, or `None` for the initial state.
    pub action: Option<String>,
    /// The state reached.
    pub state: S,
}

/// What was violated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ViolationKind {
    /// A state invariant, with its reason if it gave one.
    Invariant {
        /// The invariant's name.
        name: String,
        /// Its reason.
        reason: Option<String>,
    },
    /// A transition invariant over `(before, action, after)`.
    EdgeInvariant {
        /// The invariant's name.
        name: String,
        /// Its reason.
        reason: Option<String>,
    },
    /// A state that is not terminal and has no enabled action.
    Deadlock,
}

/// A violation with the shortest trace that reaches it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation<S> {
    /// What was violated.
    pub kind: ViolationKind,
    /// From an initial state to the violating state (for an edge invariant, the last step is
    /// the offending transition).
    pub trace: Vec<TraceStep<S>>,
}

impl<S> Violation<S> {
    /// The state where it happened.
    pub fn state(&self) -> Option<&S> {
        self.trace.last().map(|step| &step.state)
    }

    /// The actions of the trace, initial state excluded.
    pub fn actions(&self) -> Vec<&str> {
        self.trace
            .iter()
            .filter_map(|step| step.action.as_deref())
            .collect()
    }
}

/// Writes a trace one step per line: `Init: …`, then `→ action: …`.
pub(crate) fn write_trace<S: Debug>(
    f: &mut fmt::Formatter<'_>,
    steps: &[TraceStep<S>],
    mark: &str,
) -> fmt::Result {
    for step in steps {
        match &step.action {
            None => writeln!(f, "  Init: {:?}", step.state)?,
            Some(action) => writeln!(f, "  {mark} {action}: {:?}", step.state)?,
        }
    }
    Ok(())
}

impl<S: Debug> fmt::Display for Violation<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let with_reason = |reason: &Option<String>| {
            reason
                .as_ref()
                .map(|r| format!(": {r}"))
                .unwrap_or_default()
        };
        match &self.kind {
            ViolationKind::Invariant { name, reason } => {
                writeln!(f, "INVARIANT `{name}` VIOLATED{}", with_reason(reason))?
            }
            ViolationKind::EdgeInvariant { name, reason } => {
                writeln!(f, "EDGE INVARIANT `{name}` VIOLATED{}", with_reason(reason))?
            }
            ViolationKind::Deadlock => writeln!(
                f,
                "DEADLOCK: no action is enabled and the state is not terminal"
            )?,
        }
        write_trace(f, &self.trace, "→")
    }
}

/// The outcome of [`Checker::check`](super::Checker::check) or
/// [`Checker::check_all`](super::Checker::check_all).
#[derive(Clone, Debug)]
pub struct CheckReport<S> {
    pub(crate) states: usize,
    pub(crate) transitions: u64,
    pub(crate) truncated: Option<usize>,
    pub(crate) violations: Vec<Violation<S>>,
    pub(crate) visited_bytes: usize,
}

impl<S: Debug> CheckReport<S> {
    /// Whether no violation was found (see [`CheckReport::truncated`]: a truncated search
    /// proves nothing).
    pub fn ok(&self) -> bool {
        self.violations.is_empty()
    }

    /// Whether the search stopped at `max_states` before exploring everything.
    pub fn truncated(&self) -> bool {
        self.truncated.is_some()
    }

    /// Distinct states discovered.
    pub fn states(&self) -> usize {
        self.states
    }

    /// Bytes held by the visited set (fingerprints and parent links) at the end: the memory a
    /// state costs once it is known (states themselves are kept only while in the frontier).
    /// A measurement, not a result: a search on several threads that stops in the middle of a
    /// level (a violation, `max_states`) may have looked at successors past the stop, so this
    /// figure alone may then differ from run to run and with the number of threads.
    pub fn visited_bytes(&self) -> usize {
        self.visited_bytes
    }

    /// Transitions taken: pairs of a state and an action enabled in it.
    pub fn transitions(&self) -> u64 {
        self.transitions
    }

    /// The violation found (the first, for `check`).
    pub fn violation(&self) -> Option<&Violation<S>> {
        self.violations.first()
    }

    /// Every violation found (`check_all`: the first of each invariant, and the first deadlock).
    pub fn violations(&self) -> &[Violation<S>] {
        &self.violations
    }

    /// Panics with the report unless the whole state space was explored without a violation.
    #[track_caller]
    pub fn assert_ok(&self) {
        assert!(self.ok() && !self.truncated(), "{self}");
    }

    /// Panics with the report if a violation was found; a truncated search is accepted.
    #[track_caller]
    pub fn assert_ok_or_truncated(&self) {
        assert!(self.ok(), "{self}");
    }
}

impl<S: Debug> fmt::Display for CheckReport<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for violation in &self.violations {
            fmt::Display::fmt(violation, f)?;
        }
        let what = if self.violations.is_empty() {
            "OK — "
        } else {
            "("
        };
        write!(
            f,
            "{what}{} states, {} transitions explored",
            self.states, self.transitions
        )?;
        if let Some(cap) = self.truncated {
            write!(
                f,
                "; TRUNCATED at max_states = {cap}: no verdict on the rest"
            )?;
        }
        if !self.violations.is_empty() {
            write!(f, ")")?;
        }
        Ok(())
    }
}
