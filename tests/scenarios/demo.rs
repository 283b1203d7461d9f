//! A deliberately failing scenario, kept out of the default run with `#[ignore]`: the runner's
//! own tests (`tests/runner_cli.rs`) run it, check that it exits 101 with a replay line, and run
//! that line to see the identical failure. Try it:
//! `cargo test --test scenarios -- --ignored demo::`.

use crate::duplication::{Branch, duplicating};

/// The duplication bug of `duplication.rs`, without `should_fail`: some seed fails.
#[musil::scenario(seeds = 0..10, network = duplicating())]
#[ignore = "deliberately failing: demonstrates the report and its replay line"]
fn planted_duplication_bug() -> Branch {
    Branch::default()
}
