//! What an export's header says about its run: [`ExportHeader`].

/// What the header line of an export says: which run this is and how it ended.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExportHeader {
    /// The scenario's name.
    pub scenario: String,
    /// The run's seed.
    pub seed: u64,
    /// How it failed (`"invariant"`, `"goal"`, `"panic"`, …), or `"passed"`.
    pub kind: String,
    /// What failed, in words.
    pub detail: String,
    /// The step after which the failure was found, if the run failed.
    pub failing_step: Option<u64>,
    /// The command that replays the run.
    pub replay: String,
    /// Which run of the failure this is: `"shrunk"`, `"original"` or `"passing"`.
    pub label: String,
    /// For a history that cannot be ordered: its smallest inconsistent part.
    pub sub_history: Option<crate::history::SubHistory>,
}

impl ExportHeader {
    /// The header of `failure`'s export, for the run `label` names.
    pub fn of<S>(failure: &crate::SimFailure<S>, label: &str) -> Self {
        ExportHeader {
            scenario: failure.scenario().to_string(),
            seed: failure.seed(),
            kind: failure.kind().to_string(),
            detail: failure.detail().to_string(),
            failing_step: Some(failure.step()),
            replay: failure.replay().to_string(),
            label: label.to_string(),
            sub_history: failure.sub_history().cloned(),
        }
    }
}
