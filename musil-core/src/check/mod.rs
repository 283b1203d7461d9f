//! The explicit-state model checker: [`Model`]s of user states, checked through a [`Checker`]
//! (`model.checker()…`): breadth-first safety checking (`check`, `check_all`), the reachable
//! graph (`explore`) and its queries, liveness under fairness (`liveness`), and open systems
//! (`open`, `liveness_open`).
//!
//! Visited states are kept as 128-bit fingerprints with parent links, not copies: a trace is
//! rebuilt by replaying its actions from an initial state. Two distinct states share a
//! fingerprint with probability about n²/2¹²⁹ for n states (negligible: under 10⁻²⁵ for ten
//! million states).

mod bfs;
mod checker;
mod expand;
pub(crate) mod fingerprint;
pub(crate) mod graph;
mod index;
mod level;
mod liveness;
pub(crate) mod model;
mod open;
pub(crate) mod options;
mod pipeline;
mod report;
mod table;
mod visited;

pub use checker::Checker;
pub use graph::Graph;
pub use liveness::{Fairness, Liveness, LivenessKind, LivenessReport, UnknownActions};
pub use model::{Action, Fair, Model};
pub use open::{Assumption, AssumptionStatus, EnvironmentSpec, OpenLivenessReport, OpenReport};
pub use options::CheckOptions;
pub use report::{CheckReport, TraceStep, Violation, ViolationKind};
