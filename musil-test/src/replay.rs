//! The command printed after a failure: exact for the mode the test ran in (`cargo test` with
//! the default harness or with musil's, or `cargo nextest run`), ready to be prefixed with
//! `MUSIL_SEED=N` and pasted.

use musil_core::registry::Target;

/// The command that runs exactly the test `name` of `target` again.
pub fn command(target: &Target, name: &str, ignored: bool, nextest: bool) -> String {
    if nextest {
        let selector = target
            .cargo_test()
            .replacen("cargo test", "cargo nextest run", 1);
        let ignored = if ignored { " --run-ignored all" } else { "" };
        format!("{selector} -E 'test(={name})'{ignored}")
    } else {
        let ignored = if ignored { " --include-ignored" } else { "" };
        format!("{} -- {name} --exact{ignored}", target.cargo_test())
    }
}

/// Whether this process runs under cargo-nextest.
pub fn under_nextest() -> bool {
    std::env::var_os("NEXTEST").is_some_and(|value| value == "1")
}

#[cfg(test)]
mod tests {
    use super::*;

    const TARGET: Target = Target {
        package: "musil",
        krate: "scenarios",
        integration_test: true,
    };

    #[test]
    fn cargo_test_replays_one_exact_test() {
        assert_eq!(
            command(&TARGET, "byzantine::liar::seed_7", false, false),
            "cargo test -p musil --test scenarios -- byzantine::liar::seed_7 --exact"
        );
        assert_eq!(
            command(&TARGET, "demo::planted", true, false),
            "cargo test -p musil --test scenarios -- demo::planted --exact --include-ignored"
        );
    }

    #[test]
    fn nextest_replays_with_a_filterset() {
        assert_eq!(
            command(&TARGET, "demo::planted::seed_3", true, true),
            "cargo nextest run -p musil --test scenarios -E 'test(=demo::planted::seed_3)' --run-ignored all"
        );
    }
}
