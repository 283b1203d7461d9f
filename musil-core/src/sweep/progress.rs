//! How far a sweep of open length has come: what `Scenario::execute_batches` shows the caller
//! that hands out its batches (a long run's clock, its progress line).

use super::coverage::Hits;

/// How far a sweep of batches has come: what the next batch's caller sees.
#[derive(Clone, Copy, Debug)]
pub struct SweepProgress<'a> {
    /// The seeds run so far.
    pub runs: usize,
    /// Their steps, in all.
    pub steps: u64,
    /// The coverage sites seen so far, with their hits.
    pub coverage: &'a Hits,
}
