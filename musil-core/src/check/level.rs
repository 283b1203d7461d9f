//! The levels of one breadth-first search, each expanded and deduplicated and handed to the
//! merge chunk by chunk in breadth-first order: [`with_levels`], then [`Levels::run`] per level.
//!
//! A level is cut into chunks of [`CHUNK`] states. On one thread, each chunk is expanded into a
//! reused [`Batch`], its successors are looked up in the visited set in order (settled), and the
//! chunk is merged. On several threads, a crew of threads that lives as long as the search runs
//! each level as a pipeline ([`super::pipeline`]) whose merge sees the chunks in the same order,
//! with the same successors found new.

use std::fmt::Debug;
use std::hash::Hash;

use super::expand::{Batch, CHUNK, Take};
use super::model::Model;
use super::pipeline::{Lead, with_crew};
use super::visited::{SHARDS, Visited};

/// The levels of one search: run on the calling thread, or with a crew.
pub(crate) enum Levels<'c, S> {
    Serial(Serial<'c, S>),
    Crew(Lead<'c, S>),
}

/// The calling thread's buffers, kept from level to level, and the visited set.
pub(crate) struct Serial<'c, S> {
    model: &'c Model<S>,
    stop_at_failure: bool,
    visited: &'c mut Visited,
    batch: Batch<S>,
    /// Which successors of `batch` are surely known (the quick first pass).
    known: Vec<bool>,
}

/// Runs `body` with the levels of a search of `model` on `threads` threads (at most
/// [`SHARDS`] are used), deduplicating against `visited`. With `stop_at_failure`, a state
/// whose invariant fails is not expanded.
pub(crate) fn with_levels<S, R>(
    model: &Model<S>,
    threads: usize,
    stop_at_failure: bool,
    visited: &mut Visited,
    body: impl FnOnce(Levels<'_, S>) -> R,
) -> R
where
    S: Clone + Eq + Hash + Debug + Send + Sync + 'static,
{
    let threads = threads.clamp(1, SHARDS);
    if threads > 1 {
        return with_crew(model, threads, stop_at_failure, visited, |lead| {
            body(Levels::Crew(lead))
        });
    }
    body(Levels::Serial(Serial {
        model,
        stop_at_failure,
        visited,
        batch: Batch::default(),
        known: Vec::new(),
    }))
}

impl<S: Clone + Eq + Hash + Debug + Send + Sync + 'static> Levels<'_, S> {
    /// Expands `states` and deduplicates their successors (inserting the new ones into the
    /// visited set), and hands the chunks to `take` in order until it breaks.
    pub(crate) fn run(&mut self, states: &mut Vec<S>, take: &mut Take<'_, S>) {
        match self {
            Levels::Serial(serial) => serial.run(states, take),
            Levels::Crew(lead) => lead.run(states, take),
        }
    }
}

impl<S: Clone + Eq + Hash + Debug + 'static> Serial<'_, S> {
    /// The level on this thread alone.
    fn run(&mut self, states: &[S], take: &mut Take<'_, S>) {
        for (chunk, states) in states.chunks(CHUNK).enumerate() {
            self.batch.expand(self.model, states, self.stop_at_failure);
            let (known, visited) = (&mut self.known, &mut *self.visited);
            known.clear();
            let successors = self.batch.successors.iter();
            known.extend(successors.map(|successor| visited.surely_known(successor.fingerprint)));
            self.batch
                .settle(|at, fingerprint| !known[at] && visited.insert(fingerprint));
            if take(chunk * CHUNK, &mut self.batch).is_break() {
                return;
            }
        }
    }
}
