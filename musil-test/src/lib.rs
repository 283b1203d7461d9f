//! musil-test: how musil scenarios run as tests.
//!
//! - With the default harness, the `#[test]` that `#[musil::scenario]` emits calls
//!   [`run_test`]: every seed of the scenario in one test, on `MUSIL_JOBS` threads.
//! - In a `[[test]] harness = false` target, `musil::main!()` calls [`run_main`]: one trial per
//!   (scenario, seed), named `path::scenario::seed_N`, with libtest's command line and output,
//!   so that `cargo test` and `cargo nextest run` both work.
//! - A scenario made with the builder runs through [`RunScenario`] (`scenario.run()`).
//! - Under `MUSIL_TIME=<duration>` each selected scenario runs fresh seeds until the time is
//!   spent ([`long_run`]), in both modes.
//!
//! Seeds come from the environment (`MUSIL_SEED`, `MUSIL_SEEDS`, `MUSIL_RUNS`, `MUSIL_SHARD`,
//! `MUSIL_MAX_STEPS`, `MUSIL_JOBS`; see `musil_core::seeds`), never from flags, which every
//! other test binary would reject. A failure ends with a replay line exact for the mode it ran
//! in ([`replay`]). Each entry point installs, once, the panic hook that keeps the panics musil
//! catches out of the output: they appear once, inside the report.
#![deny(missing_docs)]

pub mod args;
mod builder;
mod coverage_trial;
pub mod harness;
pub mod long_run;
mod plain;
pub mod printer;
pub mod registry;
pub mod regressions;
pub mod replay;
pub mod trials;

pub use builder::RunScenario;
pub use harness::run_main;
pub use plain::run_test;
