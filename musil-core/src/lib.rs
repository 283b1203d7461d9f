//! musil-core: the deterministic simulation engine behind [musil](https://docs.rs/musil).
//!
//! A user's real node code ([`Node`]) runs inside a [`System`] on a virtual clock and network
//! that the engine controls completely. Every nondeterministic choice — message loss,
//! duplication, latency, a node's randomness, per-seed environments — flows through one
//! [`DecisionSource`], seeded by default, so a run is a pure function of its seed.
//! A [`Scenario`] runs a system over many seeds and checks invariants after every step, a goal at
//! the end, and reports the first failure with its world, its trace and a replay command.
//!
//! The modules, from the leaves up: `id` (node identities, the message bound), `decision` (every
//! choice of a run), `property` (invariants and goals), `system` (what users write: nodes,
//! systems, adversaries), `sim` (one run: the engine, the context, the network, faults, traces),
//! `scenario` (many seeds: the builder, the oracle, reports), [`check`] (the model checker),
//! `registry` (what `#[invariant]` registers), and the runner's helpers `panics` (caught panics,
//! kept quiet) and `pool` (the one ordered thread pool).
//!
//! Most users depend on the `musil` facade crate, which re-exports all of this along with the
//! macros and the test runner.
#![deny(missing_docs)]

pub mod check;
mod decision;
pub mod forensics;
pub mod history;
mod id;
// The runner's helpers (musil-test uses them); not part of the API users program against.
#[doc(hidden)]
pub mod panics;
#[doc(hidden)]
pub mod pool;
mod property;
pub mod registry;
mod scenario;
mod sim;
pub mod sweep;
mod system;

pub use decision::recording::Recording;
pub use decision::rng::Rng;
pub use decision::seeded::Seeded;
pub use decision::{Cause, Choice, Decision, DecisionRecord, DecisionSource, Stream};
pub use id::{Message, NodeId};
pub use property::InvariantOutcome;
pub use scenario::Convergence;
pub use scenario::env as seeds;
pub use scenario::history_check::{HistoryCheck, linearizable, sequentially_consistent};
pub use scenario::per_seed::{IntoPerSeed, PerSeed};
pub use scenario::report::Shrinking;
pub use scenario::report::{FailureKind, ShouldFail, SimFailure, SimReport};
pub use scenario::{DEFAULT_MAX_STEPS, DEFAULT_SEEDS, Determinism, Replay, RunSettings, Scenario};
pub use sim::context::Context;
pub use sim::disk::record::{DiskOp, Fate, UnsyncedFate};
pub use sim::disk::{Disk, DiskView, Disks, MAX_FILE_BYTES};
pub use sim::error::SetupError;
pub use sim::faults::{Crash, CrashKind, FaultSchedule, Partition};
pub use sim::nemesis::ready as nemesis;
pub use sim::nemesis::{FaultControl, NemesisFn};
pub use sim::network::{MutateFn, NetworkModel};
pub use sim::storage::{DiskError, StorageModel};
pub use sim::trace::{SendFate, Trace, TraceEvent, TraceKind};
pub use sim::{RunResult, Simulation, Step, StepKind, StopReason};
pub use sweep::progress::SweepProgress;
pub use sweep::swarm::{Swarm, swarm};
pub use system::adversary::AdversarialNode;
pub use system::factory::{Factory, NoRng, SharedFactory, WithRng};
pub use system::names::{Destination, NodeNames};
pub use system::node::Node;
pub use system::presets as platform;
pub use system::{NodeVisitor, System};
