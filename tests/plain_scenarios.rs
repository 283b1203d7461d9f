//! The seed page's scenarios as `#[musil::scenario]` tests under the default harness: each is
//! one libtest test that runs all its seeds (`MUSIL_SEED=N` narrows it to one). The systems are
//! the showcase's own (`examples/byzantine_service.rs`, whose `#[invariant]`s register here too),
//! so the showcase's four verdicts are checked in this mode as well: a lying service fools a
//! trusting client and not a validating one; a corrupting wire breaks a strict client and a clean
//! one does not.

#[path = "../examples/byzantine_service.rs"]
#[allow(dead_code)]
mod showcase;

use musil::prelude::*;
use showcase::{Lookup, Wire, accepted_expected, bad_value_rejected, corrupt};

#[musil::scenario(seeds = 0..20, goal = accepted_expected, should_fail = goal)]
fn trusting_client_is_fooled() -> Lookup {
    showcase::trusting_client()
}

#[musil::scenario(seeds = 0..20, goal = bad_value_rejected)]
fn validating_client_rejects_lies() -> Lookup {
    showcase::validating_client()
}

#[musil::scenario(seeds = 0..10)]
fn clean_wire_keeps_strict_client_alive() -> Wire {
    Wire::default()
}

#[musil::scenario(seeds = 0..10, network = NetworkModel::reliable().mutate(corrupt), should_fail = invariant)]
fn corrupted_wire_breaks_strict_client() -> Wire {
    Wire::default()
}

/// A deliberately failing scenario, kept out of the default run: its report ends with a replay
/// line for this (default-harness) mode, which `tests/runner_cli.rs` runs.
#[musil::scenario(seeds = 0..5, network = NetworkModel::reliable().mutate(corrupt))]
#[ignore = "deliberately failing: shows the plain-mode replay line"]
fn deliberately_failing_plain() -> Wire {
    Wire::default()
}

musil::main!();
