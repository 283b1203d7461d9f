//! [`AdversarialNode`]: a Byzantine participant scripted as an ordered list of
//! `(guard, response)` behaviours.

use std::borrow::Cow;
use std::fmt;

use crate::id::{Message, NodeId};
use crate::sim::context::Context;

use super::node::Node;

type Guard<M> = Box<dyn Fn(NodeId, &M) -> bool + Send>;
type Response<M> = Box<dyn FnMut(&mut Context<'_, M>, NodeId, M) + Send>;
type Behaviour<M> = (Guard<M>, Response<M>);

/// A node that behaves as scripted: on each message, the first behaviour whose guard matches runs
/// its response; a message no guard matches is ignored. With
/// [`NetworkModel::mutate`](crate::NetworkModel::mutate) this covers wrong answers, silence,
/// duplicates, protocol violations and wire corruption.
///
/// ```
/// use musil_core::AdversarialNode;
///
/// #[derive(Clone, Debug, PartialEq)]
/// enum Msg { Query, Answer(i64) }
///
/// // A service that lies: it answers every query with -1.
/// let liar: AdversarialNode<Msg> = AdversarialNode::new()
///     .label("liar")
///     .on(|_from, m| *m == Msg::Query, |ctx, from, _| ctx.send(from, Msg::Answer(-1)));
/// assert_eq!(format!("{liar:?}"), "AdversarialNode { label: \"liar\", behaviours: 1, handled: 0, ignored: 0 }");
/// ```
pub struct AdversarialNode<M> {
    label: Cow<'static, str>,
    /// The first behaviour, kept inline: most adversaries have one, and a world is built for
    /// every seed (closures that capture nothing are not allocated either).
    first: Option<Behaviour<M>>,
    /// The later ones, in order.
    more: Vec<Behaviour<M>>,
    handled: u64,
    ignored: u64,
}

impl<M: Message> AdversarialNode<M> {
    /// An adversary with no behaviours yet (it ignores everything).
    pub fn new() -> Self {
        AdversarialNode {
            label: Cow::Borrowed(""),
            first: None,
            more: Vec::new(),
            handled: 0,
            ignored: 0,
        }
    }

    /// Names the adversary in `Debug` output (worlds in failure reports).
    pub fn label(mut self, label: impl Into<Cow<'static, str>>) -> Self {
        self.label = label.into();
        self
    }

    /// Adds a behaviour: when `guard(from, &msg)` holds (and no earlier guard did), run
    /// `response(ctx, from, msg)`.
    pub fn on(
        mut self,
        guard: impl Fn(NodeId, &M) -> bool + Send + 'static,
        response: impl FnMut(&mut Context<'_, M>, NodeId, M) + Send + 'static,
    ) -> Self {
        let behaviour: Behaviour<M> = (Box::new(guard), Box::new(response));
        match self.first {
            None => self.first = Some(behaviour),
            Some(_) => self.more.push(behaviour),
        }
        self
    }

    /// Adds a behaviour that matches every message.
    pub fn always(
        self,
        response: impl FnMut(&mut Context<'_, M>, NodeId, M) + Send + 'static,
    ) -> Self {
        self.on(|_, _| true, response)
    }

    /// How many messages a behaviour handled.
    pub fn handled(&self) -> u64 {
        self.handled
    }

    /// How many messages matched no behaviour.
    pub fn ignored(&self) -> u64 {
        self.ignored
    }
}

impl<M: Message> Default for AdversarialNode<M> {
    fn default() -> Self {
        Self::new()
    }
}

impl<M: Message> Node<M> for AdversarialNode<M> {
    fn on_message(&mut self, ctx: &mut Context<'_, M>, from: NodeId, msg: M) {
        let matched = (self.first.iter_mut())
            .chain(self.more.iter_mut())
            .find(|(guard, _)| guard(from, &msg));
        match matched {
            Some((_, response)) => {
                self.handled += 1;
                response(ctx, from, msg);
            }
            None => self.ignored += 1,
        }
    }
}

impl<M> fmt::Debug for AdversarialNode<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AdversarialNode")
            .field("label", &self.label)
            .field(
                "behaviours",
                &(usize::from(self.first.is_some()) + self.more.len()),
            )
            .field("handled", &self.handled)
            .field("ignored", &self.ignored)
            .finish()
    }
}
