//! Long runs: under `MUSIL_TIME=<duration>` a scenario runs fresh seeds, batch after batch,
//! until the wall time is spent or a seed fails (that failure is shrunk, recorded and reported
//! like any other). The seeds start at `MUSIL_SEED_BASE`, or at a base drawn for the run and
//! printed; under `MUSIL_SHARD=k/N` shard `k` takes every `N`-th seed from the base, so the
//! machines of a CI matrix sweep different seeds. A progress line goes to stderr — redrawn in
//! place on a terminal, a plain line every 10 s otherwise — and a last one when the run ends.
//!
//! The wall clock decides only how many seeds run; each seed's run is as deterministic as
//! ever, and the failure reported is the first failing seed of the sequence among those run.

use std::hash::{BuildHasher, RandomState};
use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

use musil_core::seeds::{EnvSettings, SEED_BASE, TIME};
use musil_core::{SimReport, SweepProgress};

/// How often the progress line is redrawn on a terminal.
const REDRAW_EVERY: Duration = Duration::from_millis(250);

/// How often a plain progress line is printed when stderr is not a terminal.
const LINE_EVERY: Duration = Duration::from_secs(10);

/// About how long one batch of seeds should take: short enough to stop close to the budget.
const BATCH_TIME: Duration = Duration::from_millis(200);

/// The largest batch, however fast the seeds run.
const MAX_BATCH: usize = 1 << 20;

/// One scenario's long run: its budget, its seeds, and its progress line.
#[derive(Debug)]
pub struct LongRun {
    path: String,
    budget: Duration,
    base: u64,
    /// This shard's first seed, counted from the base.
    offset: u64,
    /// The distance between this shard's seeds: the number of shards.
    stride: u64,
    jobs: usize,
    started: Instant,
    shown: Instant,
    terminal: bool,
}

impl LongRun {
    /// The long run of the scenario `path` that `env` asks for (`None` unless `MUSIL_TIME` is
    /// set), starting now.
    pub fn new(path: &str, env: &EnvSettings) -> Option<LongRun> {
        let budget = env.time?;
        let (shard, shards) = env.shard.unwrap_or((1, 1));
        let now = Instant::now();
        Some(LongRun {
            path: path.to_string(),
            budget,
            base: env.seed_base.unwrap_or_else(drawn_base),
            offset: shard - 1,
            stride: shards,
            jobs: env.jobs(),
            started: now,
            shown: now,
            terminal: std::io::stderr().is_terminal(),
        })
    }

    /// The line that opens the run: the budget, and the base seed that reruns its seeds.
    pub fn announcement(&self) -> String {
        let (path, base) = (&self.path, self.base);
        format!(
            "musil: `{path}` runs fresh seeds for {} from base seed {base} \
             ({SEED_BASE}={base} {TIME}=… runs the same seeds again)",
            spoken(self.budget)
        )
    }

    /// Runs the sweep `sweep` (a scenario's `execute_batches`, given the batches this run hands
    /// out) until the budget is spent or a seed fails, printing the announcement and the
    /// progress on stderr.
    pub fn run<S>(
        mut self,
        sweep: impl FnOnce(&mut dyn FnMut(&SweepProgress<'_>) -> Option<Vec<u64>>) -> SimReport<S>,
    ) -> SimReport<S> {
        say(&self.announcement());
        let report = sweep(&mut |progress| self.next_batch(progress));
        let failures = usize::from(report.failure().is_some());
        let last = self.line(report.runs(), report.coverage(), failures);
        say(&self.redrawn(&last));
        report
    }

    /// The seeds of the next batch, or `None` when the budget is spent; shows the progress.
    fn next_batch(&mut self, progress: &SweepProgress<'_>) -> Option<Vec<u64>> {
        let elapsed = self.started.elapsed();
        self.show(progress);
        if elapsed >= self.budget {
            return None;
        }
        let first = progress.runs as u64;
        let size = self.batch_size(progress.runs, elapsed) as u64;
        Some(
            (first..first + size)
                .map(|index| self.seed(index))
                .collect(),
        )
    }

    /// This shard's seed number `index` of the run.
    fn seed(&self, index: u64) -> u64 {
        self.base
            .wrapping_add(self.offset)
            .wrapping_add(index.wrapping_mul(self.stride))
    }

    /// A batch that should take about [`BATCH_TIME`] at the rate so far, and no more than the
    /// time left; never fewer seeds than the threads can share.
    fn batch_size(&self, runs: usize, elapsed: Duration) -> usize {
        let floor = self.jobs.max(1) * 8;
        if runs == 0 || elapsed.is_zero() {
            return floor;
        }
        let rate = runs as f64 / elapsed.as_secs_f64();
        let left = self.budget.saturating_sub(elapsed).min(BATCH_TIME);
        ((rate * left.as_secs_f64()) as usize).clamp(floor, MAX_BATCH)
    }

    /// Prints the progress line when it is due.
    fn show(&mut self, progress: &SweepProgress<'_>) {
        let every = if self.terminal {
            REDRAW_EVERY
        } else {
            LINE_EVERY
        };
        if self.shown.elapsed() < every {
            return;
        }
        self.shown = Instant::now();
        let line = self.line(progress.runs, progress.coverage, 0);
        match self.terminal {
            true => redraw(&line),
            false => say(&line),
        }
    }

    /// The progress line: seeds, seeds per second, failures, coverage hits, time spent.
    fn line(
        &self,
        runs: usize,
        coverage: &musil_core::sweep::coverage::Hits,
        failures: usize,
    ) -> String {
        let elapsed = self.started.elapsed();
        let rate = runs as f64 / elapsed.as_secs_f64().max(1e-9);
        let sites: Vec<String> = coverage
            .sites()
            .map(|(site, hits)| format!("{site} {hits}"))
            .collect();
        let coverage = match sites.is_empty() {
            true => String::new(),
            false => format!(", coverage: {}", sites.join(", ")),
        };
        let plural = if failures == 1 { "" } else { "s" };
        format!(
            "musil: `{}`: {runs} seeds ({rate:.0}/s), {failures} failure{plural}{coverage}, {:.1} s of {}",
            self.path,
            elapsed.as_secs_f64(),
            spoken(self.budget)
        )
    }

    /// The last line: on a terminal it replaces the line redrawn in place.
    fn redrawn(&self, line: &str) -> String {
        match self.terminal {
            true => format!("\r\x1b[2K{line}"),
            false => line.to_string(),
        }
    }
}

/// A base seed for a run that names none: different in every process, and printed.
fn drawn_base() -> u64 {
    RandomState::new().hash_one("musil seed base") % 1_000_000_000_000
}

/// A budget as the user would write it: `3s`, `10m`, `1h`, `500ms`.
fn spoken(budget: Duration) -> String {
    let seconds = budget.as_secs();
    match (budget.subsec_millis(), seconds) {
        (0, s) if s >= 3600 && s % 3600 == 0 => format!("{}h", s / 3600),
        (0, s) if s >= 60 && s % 60 == 0 => format!("{}m", s / 60),
        (0, s) => format!("{s}s"),
        _ => format!("{}ms", budget.as_millis()),
    }
}

/// A line on stderr, past any capture of the test harness: progress is for the person waiting.
fn say(line: &str) {
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// The progress line, drawn over the previous one.
fn redraw(line: &str) {
    let _ = write!(std::io::stderr(), "\r\x1b[2K{line}");
    let _ = std::io::stderr().flush();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn long_run(vars: &[(&str, &str)]) -> LongRun {
        let env = EnvSettings::from_lookup(|name| {
            vars.iter()
                .find(|(var, _)| *var == name)
                .map(|(_, value)| value.to_string())
        })
        .unwrap();
        LongRun::new("net::elects", &env).expect("MUSIL_TIME is set")
    }

    #[test]
    fn shards_take_every_nth_seed_from_the_base_without_overlap() {
        let one = long_run(&[(TIME, "1s"), (SEED_BASE, "1000"), ("MUSIL_SHARD", "1/2")]);
        let two = long_run(&[(TIME, "1s"), (SEED_BASE, "1000"), ("MUSIL_SHARD", "2/2")]);
        let seeds = |run: &LongRun| (0..3).map(|i| run.seed(i)).collect::<Vec<_>>();
        assert_eq!(seeds(&one), [1000, 1002, 1004]);
        assert_eq!(seeds(&two), [1001, 1003, 1005]);
    }

    #[test]
    fn the_announcement_names_the_budget_and_the_base_that_reruns_it() {
        let run = long_run(&[(TIME, "10m"), (SEED_BASE, "77")]);
        let text = run.announcement();
        assert!(
            text.contains("runs fresh seeds for 10m from base seed 77"),
            "{text}"
        );
        assert!(text.contains("MUSIL_SEED_BASE=77"), "{text}");
        let drawn = long_run(&[(TIME, "3s")]).base;
        assert!(drawn < 1_000_000_000_000);
    }

    #[test]
    fn no_time_no_long_run_and_budgets_read_as_written() {
        let env = EnvSettings::default();
        assert!(LongRun::new("x", &env).is_none());
        let cases = [(3, "3s"), (600, "10m"), (7200, "2h"), (90, "90s")];
        for (seconds, text) in cases {
            assert_eq!(spoken(Duration::from_secs(seconds)), text);
        }
        assert_eq!(spoken(Duration::from_millis(1500)), "1500ms");
    }

    #[test]
    fn batches_grow_with_the_rate_and_shrink_near_the_end() {
        let run = long_run(&[(TIME, "10s"), ("MUSIL_JOBS", "2")]);
        assert_eq!(run.batch_size(0, Duration::ZERO), 16);
        // 10,000 seeds a second: a batch of about 200 ms.
        let mid = run.batch_size(10_000, Duration::from_secs(1));
        assert_eq!(mid, 2_000);
        // 50 ms left: a quarter of that.
        let end = run.batch_size(99_500, Duration::from_millis(9_950));
        assert_eq!(end, 500);
    }
}
