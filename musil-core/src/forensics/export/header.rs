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
}
