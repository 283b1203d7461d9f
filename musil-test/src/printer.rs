//! libtest's output, line for line: the run header, one result per test (pretty or terse), the
//! failures section, the closing `test result:` line, and `--list` output.

use std::io::{self, Write};
use std::time::Duration;

use crate::args::Format;

/// What became of one test.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// It passed; `found` is what a `should_fail` scenario found, shown with `--show-output`.
    Passed {
        /// The expected failure's report.
        found: Option<String>,
    },
    /// It failed, with the report to show.
    Failed(String),
    /// It was not run because it is ignored.
    Ignored,
}

/// The counts behind the closing line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    /// Tests that passed.
    pub passed: usize,
    /// Tests that failed.
    pub failed: usize,
    /// Tests not run because ignored.
    pub ignored: usize,
    /// Tests left out by filters.
    pub filtered_out: usize,
}

/// Prints a run as libtest does.
pub struct Printer<'w> {
    out: &'w mut dyn Write,
    format: Format,
    column: usize,
}

impl<'w> Printer<'w> {
    /// A printer writing to `out`.
    pub fn new(out: &'w mut dyn Write, format: Format) -> Self {
        Printer {
            out,
            format,
            column: 0,
        }
    }

    /// `running N tests`.
    pub fn header(&mut self, count: usize) -> io::Result<()> {
        let plural = if count == 1 { "" } else { "s" };
        writeln!(self.out, "\nrunning {count} test{plural}")
    }

    /// One test's result.
    pub fn result(&mut self, name: &str, outcome: &Outcome) -> io::Result<()> {
        match self.format {
            Format::Pretty => {
                let word = match outcome {
                    Outcome::Passed { .. } => "ok",
                    Outcome::Failed(_) => "FAILED",
                    Outcome::Ignored => "ignored",
                };
                writeln!(self.out, "test {name} ... {word}")
            }
            Format::Terse => {
                let mark = match outcome {
                    Outcome::Passed { .. } => '.',
                    Outcome::Failed(_) => 'F',
                    Outcome::Ignored => 'i',
                };
                self.column += 1;
                if self.column.is_multiple_of(88) {
                    writeln!(self.out, "{mark}")
                } else {
                    write!(self.out, "{mark}")
                }
            }
        }
    }

    /// After the results: what passing `should_fail` scenarios found (`--show-output`), the
    /// failures with their reports, and the closing line.
    pub fn finish(
        &mut self,
        shown: &[(String, String)],
        failures: &[(String, String)],
        tally: Tally,
        elapsed: Duration,
    ) -> io::Result<()> {
        if self.format == Format::Terse && !self.column.is_multiple_of(88) {
            writeln!(self.out)?;
        }
        self.section("successes", shown)?;
        self.section("failures", failures)?;
        let verdict = if tally.failed == 0 { "ok" } else { "FAILED" };
        writeln!(
            self.out,
            "\ntest result: {verdict}. {} passed; {} failed; {} ignored; 0 measured; {} filtered out; finished in {:.2}s\n",
            tally.passed,
            tally.failed,
            tally.ignored,
            tally.filtered_out,
            elapsed.as_secs_f64()
        )
    }

    fn section(&mut self, title: &str, blocks: &[(String, String)]) -> io::Result<()> {
        if blocks.is_empty() {
            return Ok(());
        }
        writeln!(self.out, "\n{title}:\n")?;
        for (name, text) in blocks {
            writeln!(self.out, "---- {name} stdout ----\n{}\n", text.trim_end())?;
        }
        writeln!(self.out, "\n{title}:")?;
        for (name, _) in blocks {
            writeln!(self.out, "    {name}")?;
        }
        Ok(())
    }

    /// `--list`: `name: test` lines; in pretty format also a blank line and the count.
    pub fn list<'n>(&mut self, names: impl Iterator<Item = &'n str>) -> io::Result<()> {
        let mut count = 0;
        for name in names {
            writeln!(self.out, "{name}: test")?;
            count += 1;
        }
        if self.format == Format::Pretty {
            let plural = if count == 1 { "" } else { "s" };
            writeln!(self.out, "\n{count} test{plural}, 0 benchmarks")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn printed(format: Format, print: impl FnOnce(&mut Printer<'_>) -> io::Result<()>) -> String {
        let mut out = Vec::new();
        print(&mut Printer::new(&mut out, format)).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn a_pretty_run_looks_like_libtest() {
        let text = printed(Format::Pretty, |p| {
            p.header(2)?;
            p.result("a::seed_0", &Outcome::Passed { found: None })?;
            p.result("a::seed_1", &Outcome::Failed("BOOM".into()))?;
            let tally = Tally {
                passed: 1,
                failed: 1,
                ignored: 0,
                filtered_out: 3,
            };
            p.finish(
                &[],
                &[("a::seed_1".into(), "BOOM".into())],
                tally,
                Duration::ZERO,
            )
        });
        assert_eq!(
            text,
            "\nrunning 2 tests\ntest a::seed_0 ... ok\ntest a::seed_1 ... FAILED\n\nfailures:\n\n\
             ---- a::seed_1 stdout ----\nBOOM\n\n\nfailures:\n    a::seed_1\n\n\
             test result: FAILED. 1 passed; 1 failed; 0 ignored; 0 measured; 3 filtered out; finished in 0.00s\n\n"
        );
    }

    #[test]
    fn a_terse_run_prints_one_mark_per_test() {
        let text = printed(Format::Terse, |p| {
            p.header(1)?;
            p.result("x", &Outcome::Ignored)?;
            p.finish(
                &[],
                &[],
                Tally {
                    ignored: 1,
                    ..Tally::default()
                },
                Duration::ZERO,
            )
        });
        assert!(
            text.starts_with("\nrunning 1 test\ni\n\ntest result: ok. 0 passed"),
            "{text:?}"
        );
    }

    #[test]
    fn terse_lists_print_nothing_but_test_lines() {
        let names = ["a::seed_0", "a::seed_1"];
        assert_eq!(
            printed(Format::Terse, |p| p.list(names.into_iter())),
            "a::seed_0: test\na::seed_1: test\n"
        );
        assert_eq!(
            printed(Format::Pretty, |p| p.list(names.into_iter())),
            "a::seed_0: test\na::seed_1: test\n\n2 tests, 0 benchmarks\n"
        );
    }
}
