//! The one place that knows how to name a test on cargo's command line: the command printed
//! after a failure, exact for the mode the test ran in (`cargo test` with the default harness or
//! with musil's, `cargo nextest run`, or an example), ready to be prefixed with `MUSIL_SEED=N`
//! and pasted.

use std::path::Path;

use crate::registry::Target;

/// The command that runs exactly the test `name` of `target` again.
pub fn test_command(target: &Target, name: &str, ignored: bool, nextest: bool) -> String {
    let binary = Binary {
        package: target.package,
        krate: target.krate,
        integration_test: target.integration_test,
    };
    binary.test_command(name, ignored, nextest)
}

/// Whether this process runs under cargo-nextest.
pub fn under_nextest() -> bool {
    std::env::var_os("NEXTEST").is_some_and(|value| value == "1")
}

/// The command that runs the code running now again, for a scenario run by the builder: the
/// current test (libtest runs each test on a thread named after it) or the current example.
/// `None` when this process is neither, or cargo did not start it.
pub fn current_process() -> Option<String> {
    let package = std::env::var("CARGO_PKG_NAME").ok()?;
    let program = std::env::current_exe().ok()?;
    let thread = std::thread::current();
    let test = thread.name().filter(|name| *name != "main");
    // libtest and nextest run an ignored test only when asked to: then the replay asks too.
    let ignored = std::env::args().any(|arg| arg == "--ignored" || arg == "--include-ignored");
    let mode = Mode {
        nextest: under_nextest(),
        ignored,
    };
    command_for(&package, &program, test, mode)
}

/// How the current test was run.
#[derive(Clone, Copy)]
struct Mode {
    nextest: bool,
    ignored: bool,
}

/// [`current_process`] with what it reads passed in.
fn command_for(package: &str, program: &Path, test: Option<&str>, mode: Mode) -> Option<String> {
    let stem = program.file_stem()?.to_str()?;
    let directory = program.parent()?.file_name()?;
    if directory == "examples" && !stem.contains('-') {
        return Some(format!("cargo run -p {package} --example {stem}"));
    }
    let (krate, _hash) = stem.rsplit_once('-')?;
    let binary = Binary {
        package,
        krate,
        integration_test: krate != package.replace('-', "_"),
    };
    Some(binary.test_command(test?, mode.ignored, mode.nextest))
}

/// A test binary, as cargo selects it.
struct Binary<'a> {
    package: &'a str,
    krate: &'a str,
    integration_test: bool,
}

impl Binary<'_> {
    /// `-p PKG --test T` or `-p PKG --lib`.
    fn selector(&self) -> String {
        let target = if self.integration_test {
            format!("--test {}", self.krate)
        } else {
            "--lib".to_string()
        };
        format!("-p {} {target}", self.package)
    }

    fn test_command(&self, name: &str, ignored: bool, nextest: bool) -> String {
        let selector = self.selector();
        if nextest {
            let ignored = if ignored { " --run-ignored all" } else { "" };
            format!("cargo nextest run {selector} -E 'test(={name})'{ignored}")
        } else {
            let ignored = if ignored { " --include-ignored" } else { "" };
            format!("cargo test {selector} -- {name} --exact{ignored}")
        }
    }
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
            test_command(&TARGET, "byzantine::liar::seed_7", false, false),
            "cargo test -p musil --test scenarios -- byzantine::liar::seed_7 --exact"
        );
        assert_eq!(
            test_command(&TARGET, "demo::planted", true, false),
            "cargo test -p musil --test scenarios -- demo::planted --exact --include-ignored"
        );
        let lib = Target {
            package: "my-pkg",
            krate: "my_pkg",
            integration_test: false,
        };
        assert_eq!(
            test_command(&lib, "net::retry", false, false),
            "cargo test -p my-pkg --lib -- net::retry --exact"
        );
    }

    #[test]
    fn nextest_replays_with_a_filterset() {
        assert_eq!(
            test_command(&TARGET, "demo::planted::seed_3", true, true),
            "cargo nextest run -p musil --test scenarios -E 'test(=demo::planted::seed_3)' --run-ignored all"
        );
    }

    const CARGO: Mode = Mode {
        nextest: false,
        ignored: false,
    };

    #[test]
    fn the_current_process_is_named_from_its_path_and_thread() {
        let test = Path::new("/repo/target/debug/deps/engine_semantics-0123abcd");
        assert_eq!(
            command_for("musil", test, Some("a_test"), CARGO).as_deref(),
            Some("cargo test -p musil --test engine_semantics -- a_test --exact")
        );
        let ignored = Mode {
            ignored: true,
            ..CARGO
        };
        assert_eq!(
            command_for("musil", test, Some("a_test"), ignored).as_deref(),
            Some("cargo test -p musil --test engine_semantics -- a_test --exact --include-ignored")
        );
        let unit = Path::new("/repo/target/debug/deps/my_pkg-0123abcd");
        let nextest = Mode {
            nextest: true,
            ..CARGO
        };
        assert_eq!(
            command_for("my-pkg", unit, Some("tests::a"), nextest).as_deref(),
            Some("cargo nextest run -p my-pkg --lib -E 'test(=tests::a)'")
        );
        let example = Path::new("/repo/target/debug/examples/byzantine_service");
        assert_eq!(
            command_for("musil", example, None, CARGO).as_deref(),
            Some("cargo run -p musil --example byzantine_service")
        );
        let no_thread = command_for("musil", test, None, CARGO);
        assert_eq!(no_thread, None, "no test thread");
    }
}
