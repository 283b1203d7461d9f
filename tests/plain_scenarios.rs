//! The seed page's scenarios as `#[musil::scenario]` tests under the default harness: each is
//! one libtest test that runs all its seeds (`MUSIL_SEED=N` narrows it to one). The systems are
//! the showcase's own (`examples/byzantine_service.rs`, whose `#[invariant]`s register here too),
//! so the showcase's four verdicts are checked in this mode as well: a lying service fools a
//! trusting client and not a validating one; a corrupting wire breaks a strict client and a clean
//! one does not.

#[path = "../examples/byzantine_service.rs"]
#[allow(dead_code)]
mod showcase;

#[path = "common/fuse.rs"]
mod fuse;

use fuse::Fuse;
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

/// A caught panic that is expected: the test passes and prints nothing of it.
#[musil::scenario(seeds = 0..4, should_fail = panic)]
fn a_burning_fuse_is_an_expected_panic() -> Fuse {
    Fuse::default()
}

/// A caught panic that is not expected: its message shows once, inside the report.
#[musil::scenario(seeds = 0..2)]
#[ignore = "deliberately failing: shows a caught panic in the report"]
fn deliberately_panicking_plain() -> Fuse {
    Fuse::default()
}

fn corrupting() -> Scenario<Wire, showcase::Msg> {
    Scenario::new(Wire::default)
        .seeds(0..5)
        .network(NetworkModel::reliable().mutate(corrupt))
}

/// A builder run inside a `#[test]`: its report names this test in the replay line.
#[test]
#[ignore = "deliberately failing: shows the replay line of a builder run"]
fn deliberately_failing_builder_run() {
    let report = corrupting().run();
    assert!(report.ok(), "{report}");
}

/// A builder run on seeds fixed by the code: the report says so, and how to run the test.
#[test]
#[ignore = "deliberately failing: shows the replay line of a run on fixed seeds"]
fn deliberately_failing_fixed_seeds() {
    let report = corrupting().run_seeds(&[3, 4]);
    assert!(report.ok(), "{report}");
}

musil::main!();
