//! musil-test: the runner behind `musil::main!()` for `harness = false` test targets.
//!
//! It will turn every registered scenario into one trial per seed, with a libtest-compatible
//! command line and output, seed plans from `MUSIL_SEED`/`MUSIL_SEEDS`/`MUSIL_RUNS`/
//! `MUSIL_SHARD`, and exact replay lines. Until then, scenarios run through
//! `musil_core::Scenario::run`, which already honours `MUSIL_SEED`.
#![deny(missing_docs)]
