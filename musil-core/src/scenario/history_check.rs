//! A scenario's history check: [`HistoryCheck`], made by [`linearizable`] or
//! [`sequentially_consistent`] from a [`SequentialSpec`], judges the operations a run recorded
//! (`ctx.invoke`, `ctx.complete`, `ctx.fail`) when the run ends; a history that is not
//! consistent is a failure of kind `Linearizability` that shows the smallest inconsistent
//! sub-history found, a line per operation.

use std::ops::Not;
use std::sync::Arc;

use crate::history::{Consistency, RecordedHistory, SequentialSpec, SubHistory};
use crate::id::NodeId;
use crate::system::names::NodeNames;

use super::report::{FailureCause, FailureKind};

/// The judgement of a run's recorded history (with the smallest inconsistent sub-history when
/// `explain`).
type Judge = dyn Fn(&RecordedHistory, &NodeNames, bool) -> Option<FailureCause> + Send + Sync;

/// How a scenario judges the history its runs record: against which spec, for which
/// consistency. The attribute's `history = linearizable(KvSpec::default())`, the builder's
/// `.history(..)`.
#[derive(Clone)]
pub struct HistoryCheck {
    consistency: Consistency,
    spec: String,
    judge: Arc<Judge>,
}

impl std::fmt::Debug for HistoryCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "HistoryCheck({} against {})",
            self.consistency.as_str(),
            self.spec
        )
    }
}

impl HistoryCheck {
    /// The consistency it checks.
    pub fn consistency(&self) -> Consistency {
        self.consistency
    }

    /// Judges a run's recorded history: `None` when it is consistent. Only a run that
    /// `explain`s its failure (a recorded one) looks for the smallest inconsistent sub-history:
    /// shrinking's attempts need the verdict alone.
    pub(crate) fn judge(
        &self,
        recorded: &RecordedHistory,
        names: &NodeNames,
        explain: bool,
    ) -> Option<FailureCause> {
        (self.judge)(recorded, names, explain)
    }
}

/// Each run's history must be linearizable against `spec`: every operation takes effect at
/// one instant between its invocation and its return (a pending one, at any instant after its
/// invocation, or never).
pub fn linearizable<S: SequentialSpec>(spec: S) -> HistoryCheck {
    check(spec, Consistency::Linearizable)
}

/// Each run's history must be sequentially consistent against `spec`: some interleaving that
/// keeps each client's order explains every return.
pub fn sequentially_consistent<S: SequentialSpec>(spec: S) -> HistoryCheck {
    check(spec, Consistency::SequentiallyConsistent)
}

fn check<S: SequentialSpec>(spec: S, consistency: Consistency) -> HistoryCheck {
    let name = short_type_name(std::any::type_name::<S>());
    let spec_name = name.clone();
    let judge = move |recorded: &RecordedHistory, names: &NodeNames, explain: bool| {
        let history = match recorded.typed::<S::Op, S::Ret>() {
            Ok(history) => history,
            Err(problem) => {
                return Some(FailureCause::new(FailureKind::InvalidScenario, problem));
            }
        };
        let detail = format!(
            "history of {} operations not {} against `{name}`",
            history.len(),
            consistency.as_str(),
        );
        let cause = FailureCause::new(FailureKind::Linearizability, detail);
        if !explain {
            return history
                .is_consistent(&spec, consistency)
                .not()
                .then_some(cause);
        }
        let violation = history.check(&spec, consistency).err()?;
        let client = |index: usize| names.name(NodeId::new(index)).to_string();
        Some(cause.with_sub_history(SubHistory::of(&history, &violation, &client)))
    };
    HistoryCheck {
        consistency,
        spec: spec_name,
        judge: Arc::new(judge),
    }
}

/// `KvSpec<u64, i64>` for `musil_core::history::spec::KvSpec<u64, i64>`: each path shortened to
/// its last segment.
fn short_type_name(full: &str) -> String {
    let mut short = String::new();
    let mut word = String::new();
    for c in full.chars() {
        if c.is_alphanumeric() || c == '_' || c == ':' {
            word.push(c);
        } else {
            short.push_str(word.rsplit("::").next().unwrap_or(""));
            word.clear();
            short.push(c);
        }
    }
    short.push_str(word.rsplit("::").next().unwrap_or(""));
    short
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_names_lose_their_paths() {
        let full = "musil_core::history::spec::KvSpec<u64, alloc::string::String>";
        assert_eq!(short_type_name(full), "KvSpec<u64, String>");
    }
}
