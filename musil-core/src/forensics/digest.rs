//! [`Digest`]: a 64-bit fingerprint of what a run did — each step's time and kind, and the world
//! at the end — to tell whether two runs of one seed were the same run.

use std::hash::{DefaultHasher, Hash, Hasher};

use crate::sim::{Step, StepKind};

/// A running fingerprint of a run.
#[derive(Clone, Debug, Default)]
pub struct Digest {
    hasher: DefaultHasher,
    steps: u64,
}

impl Digest {
    /// Adds one step.
    pub fn step(&mut self, step: &Step) {
        self.steps += 1;
        step.time.hash(&mut self.hasher);
        match step.kind {
            StepKind::Delivered { from, to } => (0u8, from, to).hash(&mut self.hasher),
            StepKind::Timer { node, timer } => (1u8, node, timer).hash(&mut self.hasher),
            StepKind::Restart { node, kind } => (2u8, node, kind).hash(&mut self.hasher),
        }
    }

    /// Adds the world's `Debug` text at the end.
    pub fn world(&mut self, text: &str) {
        text.hash(&mut self.hasher);
    }

    /// The fingerprint.
    pub fn finish(&self) -> u64 {
        let mut hasher = self.hasher.clone();
        self.steps.hash(&mut hasher);
        hasher.finish()
    }
}
