//! The virtual network's behaviour: [`NetworkModel`] (loss, duplication, latency, mutation).

use std::fmt;
use std::sync::Arc;

use crate::error::SetupError;
use crate::node::NodeId;

/// A wire-level rewrite: called with `(from, to, message)` for every message that survives the
/// partition and loss checks; returns the message to deliver, or `None` to drop it.
pub type MutateFn<M> = Arc<dyn Fn(NodeId, NodeId, M) -> Option<M> + Send + Sync>;

/// How the virtual network treats messages. Built fluently:
///
/// ```
/// use musil_core::NetworkModel;
///
/// let net: NetworkModel<u32> = NetworkModel::reliable().loss(0.3).duplicate(0.05).latency(1, 5);
/// assert_eq!(net.loss_probability(), 0.3);
/// assert!(net.validate().is_ok());
/// assert!(NetworkModel::<u32>::reliable().loss(1.5).validate().is_err());
/// ```
///
/// On every send, in this order: a partition cutting the link drops the message; it is lost with
/// probability `loss`; `mutate` may replace or drop it; its latency is drawn uniformly from
/// `min_latency..=max_latency`; with probability `duplicate` a second copy is scheduled with its
/// own latency. Settings are checked when a run starts ([`NetworkModel::validate`]).
pub struct NetworkModel<M> {
    loss: f64,
    duplicate: f64,
    min_latency: u64,
    max_latency: u64,
    mutate: Option<MutateFn<M>>,
}

impl<M> NetworkModel<M> {
    /// No loss, no duplication, latency exactly 1 (so FIFO on every link), no mutation.
    pub fn reliable() -> Self {
        NetworkModel {
            loss: 0.0,
            duplicate: 0.0,
            min_latency: 1,
            max_latency: 1,
            mutate: None,
        }
    }

    /// Each message is lost with probability `p`.
    pub fn loss(mut self, p: f64) -> Self {
        self.loss = p;
        self
    }

    /// Each delivered message is duplicated with probability `p`.
    pub fn duplicate(mut self, p: f64) -> Self {
        self.duplicate = p;
        self
    }

    /// Latencies are drawn uniformly from `min..=max` time units. Latency 0 delivers at the
    /// same instant, after the events already scheduled for it.
    pub fn latency(mut self, min: u64, max: u64) -> Self {
        self.min_latency = min;
        self.max_latency = max;
        self
    }

    /// Sets the minimum latency alone.
    pub fn min_latency(mut self, min: u64) -> Self {
        self.min_latency = min;
        self
    }

    /// Sets the maximum latency alone.
    pub fn max_latency(mut self, max: u64) -> Self {
        self.max_latency = max;
        self
    }

    /// Rewrites messages on the wire (Byzantine corruption below the application): `f` returns
    /// the message to deliver, or `None` to drop it.
    pub fn mutate(
        mut self,
        f: impl Fn(NodeId, NodeId, M) -> Option<M> + Send + Sync + 'static,
    ) -> Self {
        self.mutate = Some(Arc::new(f));
        self
    }

    /// The loss probability.
    pub fn loss_probability(&self) -> f64 {
        self.loss
    }

    /// The duplication probability.
    pub fn duplicate_probability(&self) -> f64 {
        self.duplicate
    }

    /// The latency range `(min, max)`.
    pub fn latency_range(&self) -> (u64, u64) {
        (self.min_latency, self.max_latency)
    }

    /// The mutation hook, if any.
    pub fn mutator(&self) -> Option<&MutateFn<M>> {
        self.mutate.as_ref()
    }

    /// Checks the settings: probabilities in `[0, 1]`, `min_latency <= max_latency`.
    pub fn validate(&self) -> Result<(), SetupError> {
        for (setting, value) in [("loss", self.loss), ("duplicate", self.duplicate)] {
            if !(0.0..=1.0).contains(&value) {
                return Err(SetupError::InvalidProbability { setting, value });
            }
        }
        if self.min_latency > self.max_latency {
            return Err(SetupError::InvalidLatency {
                min: self.min_latency,
                max: self.max_latency,
            });
        }
        Ok(())
    }
}

impl<M> Default for NetworkModel<M> {
    fn default() -> Self {
        Self::reliable()
    }
}

impl<M> Clone for NetworkModel<M> {
    fn clone(&self) -> Self {
        NetworkModel {
            mutate: self.mutate.clone(),
            ..*self
        }
    }
}

impl<M> fmt::Debug for NetworkModel<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NetworkModel")
            .field("loss", &self.loss)
            .field("duplicate", &self.duplicate)
            .field("min_latency", &self.min_latency)
            .field("max_latency", &self.max_latency)
            .field("mutate", &self.mutate.as_ref().map(|_| "<fn>"))
            .finish()
    }
}
