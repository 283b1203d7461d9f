//! The virtual network: [`NetworkModel`] (loss, duplication, latency, mutation), its validation,
//! and the send path — where a message's fate is decided.
//!
//! On every send, in this order: a partition cutting the link drops the message; it is lost with
//! probability `loss`; `mutate` may replace or drop it; its latency is drawn uniformly from
//! `min_latency..=max_latency`; with probability `duplicate` a second copy is scheduled with its
//! own latency. Every draw is a decision on the network stream; a probability of 0 or 1 and a
//! fixed latency draw nothing.

use std::fmt;
use std::sync::Arc;

use crate::decision::{Cause, Choice, Decision, DecisionSource, Stream, chance};
use crate::id::{Message, NodeId};

use super::error::SetupError;
use super::trace::SendFate;

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

/// A message that survives the network: when it arrives, and when its duplicate does.
pub(crate) struct Delivery<M> {
    pub(crate) msg: M,
    pub(crate) arrives: u64,
    pub(crate) duplicate: Option<u64>,
    /// What `mutate` turned the message into, if it changed it (only worked out for a trace).
    pub(crate) mutated: Option<String>,
}

impl<M> Delivery<M> {
    /// Its fate, as a trace shows it.
    pub(crate) fn fate(&self) -> SendFate {
        SendFate::Scheduled {
            arrives: self.arrives,
            duplicate: self.duplicate,
        }
    }
}

/// The fate of one sent message.
pub(crate) enum Route<M> {
    /// Dropped at the send instant: cut, lost or dropped by `mutate`.
    Dropped(SendFate),
    /// On its way.
    Deliver(Delivery<M>),
}

impl<M: Message> NetworkModel<M> {
    /// Decides the fate of `msg` sent at `now` over the link `(from, to)`, which a partition
    /// `cut`s or not. With `describe`, also works out what `mutate` made of it.
    #[inline(always)]
    pub(crate) fn route<D: DecisionSource>(
        &self,
        decisions: &mut D,
        now: u64,
        cut: bool,
        (from, to): (NodeId, NodeId),
        msg: M,
        describe: bool,
    ) -> Route<M> {
        if cut {
            return Route::Dropped(SendFate::Partitioned);
        }
        if chance(decisions, Stream::Network, Cause::Loss, self.loss) {
            return Route::Dropped(SendFate::Lost);
        }
        let (msg, mutated) = match &self.mutate {
            None => (msg, None),
            Some(mutate) => match rewrite(mutate, (from, to), msg, describe) {
                Some(rewritten) => rewritten,
                None => return Route::Dropped(SendFate::DroppedByMutate),
            },
        };
        let arrives = now.saturating_add(self.latency_draw(decisions, Cause::Latency));
        let duplicate = chance(decisions, Stream::Network, Cause::Duplicate, self.duplicate)
            .then(|| now.saturating_add(self.latency_draw(decisions, Cause::DuplicateLatency)));
        Route::Deliver(Delivery {
            msg,
            arrives,
            duplicate,
            mutated,
        })
    }

    /// A latency drawn from the network stream (no draw for a fixed latency).
    #[inline]
    fn latency_draw<D: DecisionSource>(&self, decisions: &mut D, cause: Cause) -> u64 {
        let (lo, hi) = (self.min_latency, self.max_latency);
        if lo == hi {
            return lo;
        }
        decisions.decide(&Decision {
            stream: Stream::Network,
            cause,
            choice: Choice::Uniform { lo, hi },
        })
    }
}

/// Applies `mutate`: the message to deliver (and, with `describe`, its new text if it changed),
/// or `None` to drop it.
fn rewrite<M: Message>(
    mutate: &MutateFn<M>,
    (from, to): (NodeId, NodeId),
    msg: M,
    describe: bool,
) -> Option<(M, Option<String>)> {
    let before = describe.then(|| format!("{msg:?}"));
    let rewritten = mutate(from, to, msg)?;
    let after = before.and_then(|b| Some(format!("{rewritten:?}")).filter(|a| *a != b));
    Some((rewritten, after))
}
