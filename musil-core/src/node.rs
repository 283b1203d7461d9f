//! What a user implements: the [`Node`] trait, node identities and the [`Message`] bound.

use std::fmt;

use crate::context::Context;

/// The bound every message type satisfies: cloneable (the network may duplicate it) and
/// printable (traces and reports show it).
///
/// It is implemented automatically for every `Clone + Debug + 'static` type.
pub trait Message: Clone + fmt::Debug + 'static {}

impl<T: Clone + fmt::Debug + 'static> Message for T {}

/// The identity of a node within one system: its position in declaration order.
///
/// The first field of a `#[derive(System)]` struct is `NodeId(0)`; a `#[nodes] Vec<N>` field
/// contributes one id per element. Use [`Context::name_of`] to turn an id into the node's name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeId(u32);

impl NodeId {
    /// The node at position `index` in declaration order.
    pub const fn new(index: usize) -> Self {
        assert!(index <= u32::MAX as usize, "node index out of range");
        NodeId(index as u32)
    }

    /// The position of this node in declaration order.
    pub const fn index(self) -> usize {
        self.0 as usize
    }
}

impl fmt::Display for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// A participant in a simulated system: the user's real node logic, as event handlers.
///
/// State lives in the implementing struct. A node never reads the wall clock, spawns threads,
/// uses a global RNG or iterates a hash map in an order that matters: everything it needs (time,
/// sending, timers, randomness) comes from its [`Context`]. Every handler has a no-op default.
///
/// ```
/// use musil_core::{Context, Node, NodeId};
///
/// #[derive(Clone, Debug)]
/// enum Msg { Ping, Pong }
///
/// #[derive(Debug, Default)]
/// struct Echo { answered: u32 }
///
/// impl Node<Msg> for Echo {
///     fn on_message(&mut self, ctx: &mut Context<Msg>, from: NodeId, msg: Msg) {
///         if let Msg::Ping = msg {
///             self.answered += 1;
///             ctx.send(from, Msg::Pong);
///         }
///     }
/// }
/// ```
pub trait Node<M: Message> {
    /// Called once when the run starts (in declaration order), or when the node first comes up
    /// if it was down at t=0, or after a cold restart.
    fn on_start(&mut self, ctx: &mut Context<'_, M>) {
        let _ = ctx;
    }

    /// Called when a message from `from` is delivered.
    fn on_message(&mut self, ctx: &mut Context<'_, M>, from: NodeId, msg: M) {
        let _ = (ctx, from, msg);
    }

    /// Called when the timer `timer` (armed with [`Context::set_timer`]) fires.
    fn on_timer(&mut self, ctx: &mut Context<'_, M>, timer: &'static str) {
        let _ = (ctx, timer);
    }

    /// Called after a warm restart: the node kept its state, but timers due while it was down
    /// were lost, so this is the place to re-arm them.
    fn on_recover(&mut self, ctx: &mut Context<'_, M>) {
        let _ = ctx;
    }
}
