//! # musil
//!
//! Deterministic simulation testing for distributed systems. Write your nodes as event
//! handlers ([`Node`]), gather them in a struct with `#[derive(System)]`, and run them in a
//! [`Scenario`]: musil drives your real code on a virtual clock and network under seeded loss,
//! duplication, reordering, Byzantine corruption, partitions and crashes, checks invariants after
//! every step, and reports the first failing seed with its world, its event trace and the command
//! that replays it (`MUSIL_SEED=7 …`).
//!
//! ```
//! use musil::prelude::*;
//!
//! #[derive(Clone, Debug, PartialEq)]
//! enum Msg { Query, Answer(i64) }
//!
//! #[derive(Debug, Default)]
//! struct Client { accepted: Option<i64> }
//!
//! impl Node<Msg> for Client {
//!     fn on_start(&mut self, ctx: &mut Context<Msg>) {
//!         ctx.send("service", Msg::Query);
//!     }
//!     fn on_message(&mut self, _ctx: &mut Context<Msg>, _from: NodeId, msg: Msg) {
//!         if let Msg::Answer(v) = msg { self.accepted = Some(v); }
//!     }
//! }
//!
//! #[derive(System, Debug)]
//! struct Lookup { client: Client, service: AdversarialNode<Msg> }
//!
//! fn lookup() -> Lookup {
//!     let liar = AdversarialNode::new()
//!         .on(|_, m| *m == Msg::Query, |ctx, from, _| ctx.send(from, Msg::Answer(-1)));
//!     Lookup { client: Client::default(), service: liar }
//! }
//!
//! // `run()` runs the declared seeds, or those the MUSIL_* environment names; `run_seeds` runs
//! // exactly these.
//! let report = Scenario::new(lookup)
//!     .goal("accepted 42", |w: &Lookup| w.client.accepted == Some(42))
//!     .run_seeds(&[0, 1, 2]);
//! let failure = report.failure().expect("the liar fools the client");
//! assert_eq!(failure.kind(), FailureKind::Goal);
//! assert_eq!(failure.seed(), 0);
//! ```
#![deny(missing_docs)]

extern crate self as musil;

pub use musil_core::*;
pub use musil_macros::{System, invariant, scenario, sometimes};
pub use musil_test::RunScenario;

/// The names most scenarios need: `use musil::prelude::*;`.
pub mod prelude {
    pub use musil_core::{
        AdversarialNode, Context, Crash, CrashKind, Disk, DiskError, DiskView, Disks, FailureKind,
        FaultControl, FaultSchedule, NetworkModel, Node, NodeId, Partition, Rng, RunResult,
        Scenario, SetupError, ShouldFail, SimFailure, SimReport, Simulation, StopReason,
        StorageModel, Swarm, System, linearizable, sequentially_consistent, swarm,
    };
    pub use musil_macros::{System, invariant, scenario, sometimes};
    pub use musil_test::RunScenario;
}

/// The entry point of a `[[test]] harness = false` target: one trial per (scenario, seed),
/// libtest's command line and output, so that `cargo test` and `cargo nextest run` both work.
/// Harmless under the default harness, where the `#[test]`s that `#[musil::scenario]` emits run
/// instead.
///
/// ```toml
/// [[test]]
/// name = "scenarios"
/// path = "tests/scenarios/main.rs"
/// harness = false
/// ```
#[macro_export]
macro_rules! main {
    () => {
        #[allow(dead_code)]
        fn main() -> ::std::process::ExitCode {
            $crate::__private::run_main($crate::__private::Target {
                package: ::core::env!("CARGO_PKG_NAME"),
                krate: ::core::env!("CARGO_CRATE_NAME"),
                integration_test: ::core::option_env!("CARGO_TARGET_TMPDIR").is_some(),
                manifest_dir: ::core::env!("CARGO_MANIFEST_DIR"),
            })
        }
    };
}

/// What generated code refers to. Not a public API: it changes without notice.
#[doc(hidden)]
pub mod __private {
    pub use inventory;
    pub use musil_core::registry::{InvariantEntry, SometimesEntry};
    pub use musil_test::registry::{DeclaredSeeds, ErasedScenario, ScenarioEntry, Target};
    pub use musil_test::{run_main, run_test};
    pub use std::boxed::Box;
    pub use std::string::String;
}

/// The README's code blocks, compiled as doc tests so that they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
