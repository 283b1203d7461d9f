//! [`SetupError`]: what is wrong with a run's configuration, found before the first event.

use std::fmt;

use crate::id::NodeId;

/// A configuration mistake found when a run starts: an invalid network, a fault schedule naming
/// a node that does not exist, an empty fault window, and the like. A scenario turns it into a
/// failure of kind [`FailureKind::InvalidScenario`](crate::FailureKind::InvalidScenario) that
/// names the scenario and the seed.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum SetupError {
    /// A network probability outside `[0, 1]` (or NaN).
    InvalidProbability {
        /// Which setting: `loss` or `duplicate`.
        setting: &'static str,
        /// The value given.
        value: f64,
    },
    /// `min_latency > max_latency`.
    InvalidLatency {
        /// The minimum given.
        min: u64,
        /// The maximum given.
        max: u64,
    },
    /// A fault names a node the system does not have.
    UnknownNode {
        /// The name given.
        name: String,
        /// Which fault named it, e.g. `partition #0`.
        place: String,
        /// The names the system does have, in declaration order.
        known: Vec<String>,
    },
    /// A `NodeId` beyond the system's nodes.
    UnknownNodeId {
        /// The id given.
        id: NodeId,
        /// The names the system does have, in declaration order.
        known: Vec<String>,
    },
    /// A fault window with `start >= end`.
    EmptyWindow {
        /// Which fault, e.g. `crash #1 of "db"`.
        place: String,
        /// Its start.
        start: u64,
        /// Its end.
        end: u64,
    },
    /// Two nodes share one name (only possible with a hand-written `System`).
    DuplicateNodeName {
        /// The name.
        name: String,
    },
    /// A cold restart is scheduled but the simulation has no factory to rebuild the node.
    NoFactoryForColdRestart {
        /// The node to be restarted cold.
        node: String,
    },
    /// A storage setting out of range.
    InvalidStorage {
        /// Which setting, e.g. `torn_writes`.
        setting: &'static str,
        /// What is wrong with its value.
        problem: String,
    },
    /// A scenario option that is inconsistent with another.
    InvalidOption {
        /// What is wrong, and what to do instead.
        message: String,
    },
}

impl fmt::Display for SetupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SetupError::InvalidProbability { setting, value } => write!(
                f,
                "invalid network: {setting} = {value} is not a probability (it must be in [0, 1])"
            ),
            SetupError::InvalidLatency { min, max } => write!(
                f,
                "invalid network: min latency {min} is greater than max latency {max}"
            ),
            SetupError::UnknownNode { name, place, known } => write!(
                f,
                "invalid fault schedule: {place} names unknown node {name:?} (known: {})",
                quoted_list(known)
            ),
            SetupError::UnknownNodeId { id, known } => write!(
                f,
                "node id {id} is out of range: the system has {} nodes ({})",
                known.len(),
                quoted_list(known)
            ),
            SetupError::EmptyWindow { place, start, end } => write!(
                f,
                "invalid fault schedule: {place} has an empty window [{start}, {end}) \
                 (start must be below end)"
            ),
            SetupError::DuplicateNodeName { name } => {
                write!(f, "invalid system: two nodes are named {name:?}")
            }
            SetupError::NoFactoryForColdRestart { node } => write!(
                f,
                "invalid fault schedule: a cold restart of {node:?} needs a factory to rebuild \
                 the node (build the simulation with `Simulation::from_factory`)"
            ),
            SetupError::InvalidStorage { setting, problem } => {
                write!(f, "invalid storage: {setting} = {problem}")
            }
            SetupError::InvalidOption { message } => write!(f, "invalid scenario: {message}"),
        }
    }
}

impl std::error::Error for SetupError {}

/// `"a", "b", "c"`: how lists of node names appear in messages.
pub(crate) fn quoted_list<S: AsRef<str>>(names: &[S]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("{:?}", n.as_ref())).collect();
    quoted.join(", ")
}
