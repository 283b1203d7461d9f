//! musil's own scenarios, run by musil's runner (`harness = false` + `musil::main!()`): one
//! trial per (scenario, seed), e.g. `retry::retrying_client_converges::seed_7`.
//!
//! `cargo test --test scenarios -- --list` lists them; `MUSIL_SEED=3` narrows every scenario to
//! seed 3; a failure prints the line that replays it.

mod coverage;
mod demo;
mod duplication;
mod panics;
mod partition_heal;
mod retry;

musil::main!();
