//! Ready-made adversaries for the faults platforms inflict on the services that run on them:
//! eviction notices, throttling, silent timeouts and leader changes.
//!
//! Each is an [`AdversarialNode`] standing in for the platform component a node talks to, with
//! the reply messages supplied by the caller in the system's own message type.

use crate::id::Message;

use super::adversary::AdversarialNode;

/// An orchestrator that answers every message with `notice` (for instance a Kubernetes
/// eviction notice): the node must drain and hand over its work.
pub fn eviction_notice<M: Message + Send>(notice: M) -> AdversarialNode<M> {
    AdversarialNode::new()
        .label("eviction notice")
        .always(move |ctx, from, _| ctx.send(from, notice.clone()))
}

/// An API that serves the first `allowed` requests with `serve(request)`, then answers every
/// further request with `throttled` (an HTTP 429 or `ThrottlingException`).
pub fn throttling<M: Message + Send>(
    allowed: u64,
    serve: impl Fn(&M) -> M + Send + 'static,
    throttled: M,
) -> AdversarialNode<M> {
    let mut served = 0;
    AdversarialNode::new()
        .label("throttling")
        .always(move |ctx, from, request| {
            let reply = if served < allowed {
                serve(&request)
            } else {
                throttled.clone()
            };
            served += 1;
            ctx.send(from, reply);
        })
}

/// A dependency that never answers: every request times out on the caller's side.
pub fn silent_timeout<M: Message>() -> AdversarialNode<M> {
    AdversarialNode::new().label("silent timeout")
}

/// A cluster member that has lost leadership: it answers every request with `not_leader`
/// (for instance etcd's "leader changed" or Raft's redirect), so the client must retry elsewhere.
pub fn leader_change<M: Message + Send>(not_leader: M) -> AdversarialNode<M> {
    AdversarialNode::new()
        .label("leader change")
        .always(move |ctx, from, _| ctx.send(from, not_leader.clone()))
}
