//! Commands run from a test as a user would run them, in the repository, without the outer
//! run's variables (a `MUSIL_SEED` or a nextest setting of the suite must not reach them).

use std::process::Command;

/// Variables of the outer run that must not leak into the commands under test.
const LEAKY: [&str; 10] = [
    "NEXTEST",
    "NEXTEST_EXECUTION_MODE",
    "RUST_TEST_THREADS",
    "MUSIL_SEED",
    "MUSIL_SEEDS",
    "MUSIL_RUNS",
    "MUSIL_SHARD",
    "MUSIL_JOBS",
    "MUSIL_MAX_STEPS",
    "MUSIL_SHRINK",
];

/// `command`, to run in the repository with none of the outer run's variables, and without
/// the regressions file (a failure a test provokes on purpose must not be recorded in the
/// repository; a test of the file sets `MUSIL_REGRESSIONS=on` itself).
pub fn clean(mut command: Command) -> Command {
    command.current_dir(env!("CARGO_MANIFEST_DIR"));
    for var in LEAKY {
        command.env_remove(var);
    }
    command.env("MUSIL_REGRESSIONS", "off");
    command
}
