//! Panics in node code, as musil's runner shows them: a `should_fail = panic` scenario that
//! passes prints nothing of the panics it caught, and a failing one (ignored: it is run by
//! `tests/runner_cli.rs`) shows the panic's message once, inside its report.

#[path = "../common/fuse.rs"]
mod fuse;

use fuse::Fuse;

#[musil::scenario(seeds = 0..4, should_fail = panic)]
fn a_burning_fuse_is_an_expected_panic() -> Fuse {
    Fuse::default()
}

#[musil::scenario(seeds = 0..2)]
#[ignore = "deliberately failing: shows a caught panic in the report"]
fn deliberately_panicking() -> Fuse {
    Fuse::default()
}
