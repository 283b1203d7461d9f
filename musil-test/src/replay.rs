//! The one place that knows how to name a test on cargo's command line: the command printed
//! after a failure, exact for the mode the test ran in (`cargo test` with the default harness or
//! with musil's, `cargo nextest run`, or an example), ready to be prefixed with `MUSIL_SEED=N`
//! and pasted.

use std::path::{Path, PathBuf};

use crate::registry::Target;

/// The command that runs exactly the test `name` of `target` again.
pub fn test_command(target: &Target, name: &str, ignored: bool, nextest: bool) -> String {
    let kind = if target.integration_test {
        Kind::Test(target.krate.to_string())
    } else {
        Kind::Lib
    };
    let binary = Binary {
        package: target.package,
        kind,
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
    let manifest = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from);
    let place = Place {
        package: &package,
        program: &program,
        manifest: manifest.as_deref(),
    };
    command_for(&place, test, mode)
}

/// How the current test was run.
#[derive(Clone, Copy)]
struct Mode {
    nextest: bool,
    ignored: bool,
}

/// Where the running program comes from: its package, its path, its package's folder.
struct Place<'a> {
    package: &'a str,
    program: &'a Path,
    manifest: Option<&'a Path>,
}

/// [`current_process`] with what it reads passed in.
fn command_for(place: &Place<'_>, test: Option<&str>, mode: Mode) -> Option<String> {
    let stem = place.program.file_stem()?.to_str()?;
    let directory = place.program.parent()?.file_name()?;
    let package = place.package;
    let (krate, hash) = match stem.rsplit_once('-') {
        Some((krate, hash)) if hash.chars().all(|c| c.is_ascii_hexdigit()) => (krate, true),
        _ => (stem, false),
    };
    if directory == "examples" && !hash {
        return Some(format!("cargo run -p {package} --example {stem}"));
    }
    let kind = if directory == "examples" {
        Kind::Example(krate.to_string())
    } else {
        kind_of(package, krate, place.manifest)
    };
    let binary = Binary { package, kind };
    Some(binary.test_command(test?, mode.ignored, mode.nextest))
}

/// Which target of `package` the test binary of crate `krate` is, judged by the files of the
/// package (`manifest`): an integration test, a binary's unit tests, or the library's.
fn kind_of(package: &str, krate: &str, manifest: Option<&Path>) -> Kind {
    let exists = |relative: String| manifest.is_some_and(|dir| dir.join(relative).exists());
    let file_names = [krate.to_string(), krate.replace('_', "-")];
    let any = |pattern: &dyn Fn(&str) -> String| file_names.iter().any(|n| exists(pattern(n)));
    if any(&|n| format!("tests/{n}.rs")) || any(&|n| format!("tests/{n}/main.rs")) {
        return Kind::Test(krate.to_string());
    }
    if any(&|n| format!("src/bin/{n}.rs")) || any(&|n| format!("src/bin/{n}/main.rs")) {
        return Kind::Bin(krate.to_string());
    }
    if krate != package.replace('-', "_") {
        return Kind::Test(krate.to_string());
    }
    if manifest.is_some() && !exists("src/lib.rs".to_string()) && exists("src/main.rs".to_string())
    {
        return Kind::Bin(package.to_string());
    }
    Kind::Lib
}

/// Which target of a package a test binary is.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Kind {
    Lib,
    Bin(String),
    Test(String),
    Example(String),
}

/// A test binary, as cargo selects it.
struct Binary<'a> {
    package: &'a str,
    kind: Kind,
}

impl Binary<'_> {
    /// `-p PKG --lib`, `--bin B`, `--test T` or `--example E`.
    fn selector(&self) -> String {
        let target = match &self.kind {
            Kind::Lib => "--lib".to_string(),
            Kind::Bin(name) => format!("--bin {name}"),
            Kind::Test(name) => format!("--test {name}"),
            Kind::Example(name) => format!("--example {name}"),
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
        manifest_dir: "/nonexistent/musil-test-fixture",
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
            manifest_dir: "/nonexistent/musil-test-fixture",
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

    /// `command_for` for a program at `path` of package `package` in the folder `manifest`.
    fn command(
        package: &str,
        path: &str,
        manifest: Option<&Path>,
        test: Option<&str>,
        mode: Mode,
    ) -> Option<String> {
        let program = Path::new(path);
        let place = Place {
            package,
            program,
            manifest,
        };
        command_for(&place, test, mode)
    }

    #[test]
    fn the_current_process_is_named_from_its_path_and_thread() {
        let test = "/repo/target/debug/deps/engine_semantics-0123abcd";
        assert_eq!(
            command("musil", test, None, Some("a_test"), CARGO).as_deref(),
            Some("cargo test -p musil --test engine_semantics -- a_test --exact")
        );
        let ignored = Mode {
            ignored: true,
            ..CARGO
        };
        assert_eq!(
            command("musil", test, None, Some("a_test"), ignored).as_deref(),
            Some("cargo test -p musil --test engine_semantics -- a_test --exact --include-ignored")
        );
        let nextest = Mode {
            nextest: true,
            ..CARGO
        };
        let unit = "/repo/target/debug/deps/my_pkg-0123abcd";
        assert_eq!(
            command("my-pkg", unit, None, Some("tests::a"), nextest).as_deref(),
            Some("cargo nextest run -p my-pkg --lib -E 'test(=tests::a)'")
        );
        let example = "/repo/target/debug/examples/byzantine_service";
        assert_eq!(
            command("musil", example, None, None, CARGO).as_deref(),
            Some("cargo run -p musil --example byzantine_service")
        );
        let example_tests = "/repo/target/debug/examples/wal_kv-0123abcd";
        assert_eq!(
            command("musil", example_tests, None, Some("t"), CARGO).as_deref(),
            Some("cargo test -p musil --example wal_kv -- t --exact")
        );
        let no_thread = command("musil", test, None, None, CARGO);
        assert_eq!(no_thread, None, "no test thread");
    }

    #[test]
    fn a_binarys_unit_tests_are_told_from_a_librarys_and_a_tests_by_the_packages_files() {
        let package = std::env::temp_dir().join(format!("musil-replay-{}", std::process::id()));
        for file in ["src/main.rs", "src/bin/tool.rs", "tests/it/main.rs"] {
            let path = package.join(file);
            std::fs::create_dir_all(path.parent().expect("a folder")).expect("a folder");
            std::fs::write(path, "").expect("a file");
        }
        let kind = |krate: &str| kind_of("app", krate, Some(&package));
        assert_eq!(
            kind("app"),
            Kind::Bin("app".into()),
            "src/main.rs, no src/lib.rs"
        );
        assert_eq!(kind("tool"), Kind::Bin("tool".into()));
        assert_eq!(kind("it"), Kind::Test("it".into()));
        assert_eq!(kind("other"), Kind::Test("other".into()));
        std::fs::write(package.join("src/lib.rs"), "").expect("a file");
        assert_eq!(kind("app"), Kind::Lib);
        std::fs::remove_dir_all(&package).expect("cleaned up");
    }
}
