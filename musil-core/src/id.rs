//! The two names everything else builds on: [`NodeId`], a node's identity within its system, and
//! [`Message`], the bound every message type satisfies. A leaf: it imports nothing of musil.

use std::fmt;

/// The bound every message type satisfies: cloneable (the network may duplicate it) and
/// printable (traces and reports show it).
///
/// It is implemented automatically for every `Clone + Debug + 'static` type.
pub trait Message: Clone + fmt::Debug + 'static {}

impl<T: Clone + fmt::Debug + 'static> Message for T {}

/// The identity of a node within one system: its position in declaration order.
///
/// The first field of a `#[derive(System)]` struct is `NodeId(0)`; a `#[nodes] Vec<N>` field
/// contributes one id per element. Use `Context::name_of` to turn an id into the node's name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeId(u32);

impl NodeId {
    /// The node at position `index` in declaration order.
    #[inline]
    pub const fn new(index: usize) -> Self {
        assert!(index <= u32::MAX as usize, "node index out of range");
        NodeId(index as u32)
    }

    /// The position of this node in declaration order.
    #[inline]
    pub const fn index(self) -> usize {
        self.0 as usize
    }
}

impl fmt::Display for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}
