//! What users write: a system is a struct of nodes. This module holds the [`System`] trait that
//! `#[derive(System)]` implements and the [`NodeVisitor`] through which the engine reaches one
//! node without `dyn`; its children hold the [`Node`] trait, the name table, factories,
//! scripted adversaries and ready-made ones.

use std::borrow::Cow;

use crate::id::{Message, NodeId};

pub mod adversary;
pub mod factory;
pub mod names;
pub mod node;
pub mod presets;

use node::Node;

/// Something done to one node of a system, whatever its concrete type.
///
/// The engine dispatches events with visitors, so that [`System::visit_node`] can be a plain
/// `match` over the system's fields, monomorphised, with no `dyn` and no downcasting.
pub trait NodeVisitor<M: Message> {
    /// What the visit returns.
    type Output;

    /// Does the work on `node`.
    fn visit<N: Node<M>>(self, node: &mut N) -> Self::Output;
}

/// A set of nodes exchanging messages of type `M`: what a scenario simulates.
///
/// Node ids are positions in declaration order. `#[derive(System)]` implements this trait for a
/// struct whose fields are nodes (a `#[nodes] Vec<N>` field contributes nodes `name[0]`,
/// `name[1]`, …). It can also be implemented by hand:
///
/// ```
/// use std::borrow::Cow;
/// use musil_core::{Message, Node, NodeId, NodeVisitor, System};
///
/// #[derive(Debug, Default)]
/// struct Quiet;
/// impl<M: Message> Node<M> for Quiet {}
///
/// #[derive(Debug, Default)]
/// struct Pair { left: Quiet, right: Quiet }
///
/// impl System<u8> for Pair {
///     fn node_count(&self) -> usize { 2 }
///     fn node_name(&self, id: NodeId) -> Cow<'static, str> {
///         Cow::Borrowed(["left", "right"][id.index()])
///     }
///     fn visit_node<V: NodeVisitor<u8>>(&mut self, id: NodeId, visitor: V) -> V::Output {
///         match id.index() {
///             0 => visitor.visit(&mut self.left),
///             _ => visitor.visit(&mut self.right),
///         }
///     }
///     fn replace_node(&mut self, id: NodeId, fresh: &mut Self) {
///         match id.index() {
///             0 => std::mem::swap(&mut self.left, &mut fresh.left),
///             _ => std::mem::swap(&mut self.right, &mut fresh.right),
///         }
///     }
/// }
/// ```
pub trait System<M: Message> {
    /// How many nodes the system has.
    fn node_count(&self) -> usize;

    /// The name of node `id` (unique within the system): how `ctx.send("name", …)`, fault
    /// schedules and reports refer to it. Borrowed for fixed names, owned for computed ones
    /// (`replicas[3]`).
    fn node_name(&self, id: NodeId) -> Cow<'static, str>;

    /// Runs `visitor` on node `id`. The engine only passes ids below [`System::node_count`].
    fn visit_node<V: NodeVisitor<M>>(&mut self, id: NodeId, visitor: V) -> V::Output;

    /// Swaps node `id` with the node at the same position of `fresh` (a newly built system):
    /// how a cold restart replaces one node with a fresh instance.
    fn replace_node(&mut self, id: NodeId, fresh: &mut Self);
}
