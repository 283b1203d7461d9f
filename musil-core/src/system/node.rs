//! What a user implements: the [`Node`] trait, a node's event handlers.

use crate::id::{Message, NodeId};
use crate::sim::context::Context;

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
