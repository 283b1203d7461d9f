//! musil-core: the deterministic simulation engine behind [musil](https://docs.rs/musil).
//!
//! A user's real node code ([`Node`]) runs inside a [`System`] on a virtual clock and network
//! that the engine controls completely. Every nondeterministic choice — message loss,
//! duplication, latency, a node's randomness, per-seed environments — flows through one
//! [`DecisionSource`], seeded by default, so a run is a pure function of its seed.
//! A [`Scenario`] runs a system over many seeds and checks invariants after every step, a goal at
//! the end, and reports the first failure with its world, its trace and a replay command.
//!
//! Most users depend on the `musil` facade crate, which re-exports all of this along with the
//! `#[derive(System)]` macro.
#![deny(missing_docs)]

mod adversary;
pub mod check;
mod context;
mod decision;
mod engine;
mod error;
mod execute;
mod factory;
mod faults;
mod names;
mod network;
mod node;
mod oracle;
pub mod plan;
pub mod platform;
mod queue;
mod refinement;
pub mod registry;
pub mod replay;
mod report;
mod scenario;
pub mod seeds;
mod sim;
mod system;
mod trace;

pub use adversary::AdversarialNode;
pub use context::{Context, Destination};
pub use decision::{
    Cause, Choice, Decision, DecisionRecord, DecisionSource, Recording, Rng, Seeded, Stream,
};
pub use error::SetupError;
pub use factory::{Factory, NoRng, SharedFactory, WithRng};
pub use faults::{Crash, FaultSchedule, Partition};
pub use names::NodeNames;
pub use network::{MutateFn, NetworkModel};
pub use node::{Message, Node, NodeId};
pub use oracle::InvariantOutcome;
pub use report::{FailureKind, ShouldFail, SimFailure, SimReport};
pub use scenario::{DEFAULT_MAX_STEPS, DEFAULT_SEEDS, Scenario};
pub use sim::{RunResult, Simulation, Step, StepKind, StopReason};
pub use system::{NodeVisitor, System};
pub use trace::{SendFate, Trace, TraceEvent, TraceKind};
