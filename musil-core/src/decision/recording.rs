//! [`Recording`]: a decision source that keeps the log of every decision its inner source makes,
//! which is what failure traces are built from.

use super::{Decision, DecisionRecord, DecisionSource, Stream};

/// A decision source that records every decision its inner source makes.
#[derive(Clone, Debug)]
pub struct Recording<D> {
    inner: D,
    log: Vec<DecisionRecord>,
}

impl<D: DecisionSource> Recording<D> {
    /// Records the decisions of `inner`.
    pub fn new(inner: D) -> Self {
        Recording {
            inner,
            log: Vec::new(),
        }
    }

    /// The decisions made so far, in order.
    pub fn log(&self) -> &[DecisionRecord] {
        &self.log
    }

    /// The log, consuming the recorder.
    pub fn into_log(self) -> Vec<DecisionRecord> {
        self.log
    }

    /// The inner source.
    pub fn inner(&self) -> &D {
        &self.inner
    }

    /// The inner source and the log, consuming the recorder.
    pub fn into_parts(self) -> (D, Vec<DecisionRecord>) {
        (self.inner, self.log)
    }
}

impl<D: DecisionSource> DecisionSource for Recording<D> {
    fn decide(&mut self, decision: &Decision) -> u64 {
        let outcome = self.inner.decide(decision);
        self.log.push(DecisionRecord {
            decision: *decision,
            outcome,
        });
        outcome
    }

    fn rewind(&mut self, stream: Stream) {
        self.inner.rewind(stream);
    }
}
