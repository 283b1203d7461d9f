//! The libtest-compatible command line of a `harness = false` target: the flags `cargo test`
//! and `cargo nextest run` pass, with libtest's error for anything else.

use std::fmt;

/// How results are printed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Format {
    /// One line per test.
    #[default]
    Pretty,
    /// One character per test (`-q`).
    Terse,
}

/// The parsed command line.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Args {
    /// Positional filters (any-of; substrings unless `exact`).
    pub filters: Vec<String>,
    /// Filters and skips match whole names.
    pub exact: bool,
    /// Names to leave out.
    pub skip: Vec<String>,
    /// List the tests instead of running them.
    pub list: bool,
    /// Output format.
    pub format: Format,
    /// Run only the ignored tests.
    pub ignored: bool,
    /// Run the ignored tests too.
    pub include_ignored: bool,
    /// Print what passing tests found (`--nocapture`, `--no-capture`, `--show-output`).
    pub show_output: bool,
    /// Threads to run tests on.
    pub test_threads: Option<usize>,
    /// Print usage.
    pub help: bool,
    /// Formats accepted for compatibility but printed as pretty output.
    pub unsupported_format: Option<String>,
}

/// A command line libtest would refuse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArgsError(pub String);

impl fmt::Display for ArgsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Flags accepted and ignored (they change nothing for musil), with whether they take a value.
const ACCEPTED: [(&str, bool); 12] = [
    ("--test", false),
    ("--bench", false),
    ("--fail-fast", false),
    ("--force-run-in-process", false),
    ("--exclude-should-panic", false),
    ("--report-time", false),
    ("--ensure-time", false),
    ("--shuffle", false),
    ("--shuffle-seed", true),
    ("--color", true),
    ("--logfile", true),
    ("-Z", true),
];

/// Parses the arguments after the program name.
pub fn parse<I: IntoIterator<Item = String>>(args: I) -> Result<Args, ArgsError> {
    let mut parsed = Args::default();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let (flag, inline) = split_inline(&arg);
        let mut value = |name: &str| {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| missing_value(name))
        };
        parsed.take(&flag, arg, &mut value)?;
    }
    Ok(parsed)
}

/// `--flag=value` as `("--flag", Some("value"))`; anything else as itself, without a value.
fn split_inline(arg: &str) -> (String, Option<String>) {
    match arg.split_once('=') {
        Some((flag, value)) if arg.starts_with("--") => (flag.to_string(), Some(value.to_string())),
        _ => (arg.to_string(), None),
    }
}

fn missing_value(name: &str) -> ArgsError {
    ArgsError(format!(
        "Argument to option '{}' missing",
        name.trim_start_matches('-')
    ))
}

/// The value of a flag: given inline (`--flag=value`) or the next argument.
type Value<'a> = dyn FnMut(&str) -> Result<String, ArgsError> + 'a;

impl Args {
    /// Takes one argument, `flag` being its part before any `=`; `value` reads the flag's value.
    fn take(&mut self, flag: &str, arg: String, value: &mut Value<'_>) -> Result<(), ArgsError> {
        match flag {
            "--exact" => self.exact = true,
            "--list" => self.list = true,
            "--ignored" => self.ignored = true,
            "--include-ignored" => self.include_ignored = true,
            "-q" | "--quiet" => self.format = Format::Terse,
            "-h" | "--help" => self.help = true,
            "--nocapture" | "--no-capture" | "--show-output" => self.show_output = true,
            "--skip" => self.skip.push(value("--skip")?),
            "--format" => self.set_format(value("--format")?)?,
            "--test-threads" => self.test_threads = Some(test_threads(value("--test-threads")?)?),
            other if other.starts_with("-Z") && other.len() > 2 => {} // `-Zunstable-options`
            other if other.starts_with('-') => accept(other, value)?,
            _ => self.filters.push(arg),
        }
        Ok(())
    }

    fn set_format(&mut self, format: String) -> Result<(), ArgsError> {
        match format.as_str() {
            "pretty" => self.format = Format::Pretty,
            "terse" => self.format = Format::Terse,
            "json" | "junit" => self.unsupported_format = Some(format),
            other => {
                return Err(ArgsError(format!(
                    "argument for --format must be pretty, terse, json or junit (was {other})"
                )));
            }
        }
        Ok(())
    }
}

/// The value of `--test-threads`: a positive number.
fn test_threads(threads: String) -> Result<usize, ArgsError> {
    match threads.parse::<usize>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(ArgsError(format!(
            "argument for --test-threads must be a number > 0 (error: {threads:?})"
        ))),
    }
}

/// A flag libtest accepts that changes nothing here: its value, if it takes one, is read and
/// dropped; an unknown flag is an error.
fn accept(flag: &str, value: &mut Value<'_>) -> Result<(), ArgsError> {
    match ACCEPTED.iter().find(|(name, _)| *name == flag) {
        Some((_, true)) => value(flag).map(drop),
        Some((_, false)) => Ok(()),
        None => Err(ArgsError(format!(
            "Unrecognized option: '{}'",
            flag.trim_start_matches('-')
        ))),
    }
}

/// What `--help` prints.
pub const USAGE: &str = "\
Usage: TEST_BINARY [OPTIONS] [FILTERS...]

musil's scenario runner: one test per (scenario, seed), named `path::scenario::seed_N`.

Options:
        --list          List the tests instead of running them
        --format pretty|terse
                        How to print results (-q is --format terse)
        --exact         Filters and --skip match whole names
        --skip FILTER   Leave out tests whose names contain FILTER (repeatable)
        --ignored       Run only the ignored scenarios
        --include-ignored
                        Run the ignored scenarios too
        --test-threads N
                        Run N tests at once (or RUST_TEST_THREADS, MUSIL_JOBS)
        --nocapture, --no-capture, --show-output
                        Also print what passing should_fail scenarios found

Seeds come from the environment: MUSIL_SEED, MUSIL_SEEDS, MUSIL_RUNS, MUSIL_SHARD,
MUSIL_MAX_STEPS (see the musil README).
";

#[cfg(test)]
mod tests {
    use super::*;

    fn args(line: &str) -> Result<Args, ArgsError> {
        parse(line.split_whitespace().map(String::from))
    }

    #[test]
    fn several_filters_exact_and_skips() {
        let parsed = args("alpha beta --exact --skip gamma --skip=delta").unwrap();
        assert_eq!(parsed.filters, ["alpha", "beta"]);
        assert!(parsed.exact);
        assert_eq!(parsed.skip, ["gamma", "delta"]);
    }

    #[test]
    fn nextest_list_and_run_invocations() {
        let list = args("--list --format terse --ignored").unwrap();
        assert!(list.list && list.ignored && list.format == Format::Terse);
        let run = args("--exact a::b::seed_3 --nocapture").unwrap();
        assert_eq!(
            (run.exact, run.filters.as_slice(), run.show_output),
            (true, &["a::b::seed_3".to_string()][..], true)
        );
    }

    #[test]
    fn capture_spellings_quiet_and_threads() {
        for spelling in ["--nocapture", "--no-capture", "--show-output"] {
            assert!(args(spelling).unwrap().show_output, "{spelling}");
        }
        assert_eq!(args("-q").unwrap().format, Format::Terse);
        assert_eq!(args("--test-threads 3").unwrap().test_threads, Some(3));
        assert_eq!(args("--test-threads=1").unwrap().test_threads, Some(1));
        assert!(args("--test-threads 0").is_err());
    }

    #[test]
    fn libtest_flags_that_change_nothing_are_accepted_with_their_values() {
        let parsed =
            args("--color never --shuffle-seed 4 -Z unstable-options --report-time x").unwrap();
        assert_eq!(parsed.filters, ["x"]);
        assert_eq!(
            args("--format json").unwrap().unsupported_format.as_deref(),
            Some("json")
        );
    }

    #[test]
    fn unknown_flags_and_missing_values_are_errors_worded_like_libtest() {
        assert_eq!(
            args("--seed 7").unwrap_err().0,
            "Unrecognized option: 'seed'"
        );
        assert_eq!(
            args("--skip").unwrap_err().0,
            "Argument to option 'skip' missing"
        );
        assert!(
            args("--format fancy")
                .unwrap_err()
                .0
                .contains("pretty, terse")
        );
    }
}
