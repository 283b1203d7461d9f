//! [`CheckOptions`]: the limits and resources of one search.

/// Limits and resources of a search.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CheckOptions {
    /// Stop (with a `truncated` report) once this many distinct states are known.
    pub max_states: usize,
    /// Threads that expand states (the report does not depend on it, but for its memory
    /// figure when the search stops early).
    pub threads: usize,
}

impl Default for CheckOptions {
    /// 10 million states, one thread.
    fn default() -> Self {
        CheckOptions {
            max_states: 10_000_000,
            threads: 1,
        }
    }
}
