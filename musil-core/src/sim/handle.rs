//! [`EngineHandle`]: what a handler's context may ask of the engine behind it, whatever the
//! engine's decision source.

use crate::decision::DecisionSource;
use crate::history::{OpId, RecordedHistory};
use crate::id::NodeId;
use crate::system::names::NodeNames;

use super::disk::Disk;

/// What a handler's `Context` may ask of the engine, whatever the engine's decision source
/// (a call through the vtable, except for the hot calls a context makes on the default engine).
pub(crate) trait EngineHandle<M> {
    fn now(&self) -> u64;
    fn names(&self) -> &NodeNames;
    fn send(&mut self, from: NodeId, to: NodeId, msg: M);
    fn set_timer(&mut self, node: NodeId, name: &'static str, delay: u64);
    fn cancel_timer(&mut self, node: NodeId, name: &'static str);
    fn timer_armed(&self, node: NodeId, name: &'static str) -> bool;
    fn decisions(&mut self) -> &mut dyn DecisionSource;
    fn disk(&mut self, node: NodeId) -> Disk<'_>;
    fn tracing(&self) -> bool;
    fn buggify(&mut self, node: NodeId, site: &'static str) -> bool;
    fn sometimes(&mut self, site: &'static str, held: bool);
    fn note(&mut self, node: NodeId, text: String);
    fn next_op(&mut self) -> OpId;
    fn history(&mut self) -> Option<&mut RecordedHistory>;
}
