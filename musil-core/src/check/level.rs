//! One breadth-first level, expanded and deduplicated, handed to the merge chunk by chunk in
//! breadth-first order: [`Levels::run`].
//!
//! A level is cut into chunks of [`CHUNK`] states. On one thread, each chunk is expanded into a
//! reused [`Batch`], its successors are looked up in the visited set in order (settled), and the
//! chunk is merged. On several threads, the chunks go through a pipeline ([`Ring`]) whose merge
//! sees them in the same order, with the same successors found new.

use std::fmt::Debug;
use std::hash::Hash;

use super::expand::{Batch, CHUNK, Take};
use super::model::Model;
use super::pipeline::Ring;
use super::visited::{SHARDS, Visited};

/// The buffers of the levels of one search, kept from level to level.
pub(crate) struct Levels<S> {
    batch: Batch<S>,
    /// Which successors of `batch` are surely known (the quick first pass).
    known: Vec<bool>,
    /// The pipeline of parallel levels (none on one thread).
    ring: Option<Ring<S>>,
}

impl<S: Clone + Eq + Hash + Debug + Send + Sync + 'static> Levels<S> {
    /// Buffers for searches on `threads` threads (at most [`SHARDS`] are used).
    pub(crate) fn new(threads: usize) -> Self {
        let threads = threads.clamp(1, SHARDS);
        Levels {
            batch: Batch::default(),
            known: Vec::new(),
            ring: (threads > 1).then(|| Ring::new(threads)),
        }
    }

    /// Expands `level` and deduplicates its successors against `visited` (inserting the new
    /// ones), and hands its chunks to `take` in order until it breaks.
    pub(crate) fn run(
        &mut self,
        model: &Model<S>,
        level: &[S],
        stop_at_failure: bool,
        visited: &mut Visited,
        take: &mut Take<'_, S>,
    ) {
        match &mut self.ring {
            Some(ring) if level.len() > CHUNK => {
                ring.run(model, level, stop_at_failure, visited, take);
            }
            _ => self.serial(model, level, stop_at_failure, visited, take),
        }
    }

    /// The level on this thread alone.
    fn serial(
        &mut self,
        model: &Model<S>,
        level: &[S],
        stop_at_failure: bool,
        visited: &mut Visited,
        take: &mut Take<'_, S>,
    ) {
        for (chunk, states) in level.chunks(CHUNK).enumerate() {
            self.batch.expand(model, states, stop_at_failure);
            let known = &mut self.known;
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
