//! The explicit-state model checker: [`Model`]s of user states, breadth-first safety checking
//! ([`check`], [`check_all`]), the reachable graph ([`explore`]) and its queries, liveness under
//! fairness ([`check_liveness`]), and open systems ([`check_open`]).
//!
//! Visited states are kept as 128-bit fingerprints with parent links, not copies: a trace is
//! rebuilt by replaying its actions from an initial state. Two distinct states share a
//! fingerprint with probability about n²/2¹²⁹ for n states (negligible: under 10⁻²⁵ for ten
//! million states).

mod bfs;
mod fingerprint;
mod graph;
mod liveness;
mod model;
mod open;
mod report;

pub use bfs::{CheckOptions, check, check_all, check_all_with, check_with};
pub use graph::{Graph, explore, explore_with};
pub use liveness::{
    Fairness, Liveness, LivenessKind, LivenessReport, UnknownActions, check_liveness,
    check_liveness_with,
};
pub use model::{Action, Fair, Model};
pub use open::{
    Assumption, AssumptionStatus, EnvironmentSpec, OpenLivenessReport, OpenReport,
    check_liveness_open, check_open,
};
pub use report::{CheckReport, TraceStep, Violation, ViolationKind};

pub(crate) use fingerprint::{Seen, fingerprint as fingerprint_of};
