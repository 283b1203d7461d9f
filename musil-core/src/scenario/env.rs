//! The environment a scenario runs in: which seeds (from its declaration and `MUSIL_*`
//! variables), on how many threads, with which step bound.
//!
//! | variable | effect |
//! |---|---|
//! | `MUSIL_SEED=N` | exactly seed `N` (not combinable with the two below; a replay, so it runs whatever `MUSIL_SHARD` says) |
//! | `MUSIL_SEEDS=a..b`, `a..=b`, `a,b,c` | replaces the declared seeds |
//! | `MUSIL_RUNS=N` | `N` seeds from the first declared one |
//! | `MUSIL_SHARD=i/n` | keeps every `n`-th seed of the plan, starting with the `i`-th (1-based) |
//! | `MUSIL_JOBS=N` | threads that run the seeds of one scenario (default: the cores) |
//! | `MUSIL_MAX_STEPS=N` | overrides every scenario's `max_steps` |
//! | `MUSIL_SHRINK=N` | shrinking a failure tries at most `N` runs (default 1000; `0`: off) |
//! | `MUSIL_REGRESSIONS=off` | neither replays nor writes the regressions file |
//! | `MUSIL_TRACE_HIDE=timers` | a failure's text trace leaves out the timers that fired |
//! | `MUSIL_TIME=10m` | runs fresh seeds until the wall time is spent, each scenario stopping at its first failure |
//! | `MUSIL_SEED_BASE=N` | where a `MUSIL_TIME` run's fresh seeds start (default: drawn, and printed) |
//! | `MUSIL_TRACE=all` | writes the trace (`.jsonl`, `.html`) of every seed, passing ones too |
//! | `MUSIL_CHECK_DETERMINISM=first\|all\|off` | which passing seeds run twice to check they run the same way (default `first`) |
//! | `MUSIL_REGRESSIONS_DIR=dir` | keeps the regressions files in `dir` instead of `musil-regressions/` |
//!
//! An unparsable value is an error that names the variable and shows a valid example; it never
//! falls back silently.

use std::fmt;

/// Which passing seeds a call runs a second time, comparing the fingerprints of the two runs
/// (their steps and their final world): a seed that runs differently is a `NONDETERMINISM`
/// failure even though both runs passed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Determinism {
    /// The first seed (the default): one extra run per call.
    #[default]
    First,
    /// Every seed: twice the runs.
    All,
    /// None.
    Off,
}

/// `MUSIL_SEED`: replay exactly one seed.
pub const SEED: &str = "MUSIL_SEED";
/// `MUSIL_SEEDS`: replace the declared seeds.
pub const SEEDS: &str = "MUSIL_SEEDS";
/// `MUSIL_RUNS`: run N seeds from the declared start.
pub const RUNS: &str = "MUSIL_RUNS";
/// `MUSIL_SHARD`: this CI job's share of the seeds.
pub const SHARD: &str = "MUSIL_SHARD";
/// `MUSIL_JOBS`: threads per scenario.
pub const JOBS: &str = "MUSIL_JOBS";
/// `MUSIL_MAX_STEPS`: step bound for every scenario.
pub const MAX_STEPS: &str = "MUSIL_MAX_STEPS";
/// `MUSIL_SHRINK`: how many runs shrinking a failure may try (0: no shrinking).
pub const SHRINK: &str = "MUSIL_SHRINK";
/// `MUSIL_REGRESSIONS`: `off` neither reads nor writes the regressions file.
pub const REGRESSIONS: &str = "MUSIL_REGRESSIONS";
/// `MUSIL_CHECK_DETERMINISM`: which passing seeds run twice (`first`, `all`, `off`).
pub const CHECK_DETERMINISM: &str = "MUSIL_CHECK_DETERMINISM";
/// `MUSIL_TRACE_HIDE`: `timers` leaves the timers that fired out of text traces.
pub const TRACE_HIDE: &str = "MUSIL_TRACE_HIDE";
/// `MUSIL_TRACE`: `all` writes the trace of every seed, passing ones too.
pub const TRACE: &str = "MUSIL_TRACE";
/// `MUSIL_TIME`: run fresh seeds until this much wall time is spent (`90s`, `10m`, `1h`).
pub const TIME: &str = "MUSIL_TIME";
/// `MUSIL_SEED_BASE`: the first seed of a `MUSIL_TIME` run (else drawn and printed).
pub const SEED_BASE: &str = "MUSIL_SEED_BASE";
/// `MUSIL_REGRESSIONS_DIR`: the folder of the regressions files, instead of `musil-regressions`
/// beside the crate's `Cargo.toml`.
pub const REGRESSIONS_DIR: &str = "MUSIL_REGRESSIONS_DIR";

/// A bad value in one of musil's environment variables.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvError {
    message: String,
}

impl EnvError {
    fn new(message: String) -> Self {
        EnvError { message }
    }
}

impl fmt::Display for EnvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for EnvError {}

/// The settings musil reads from the environment, parsed and checked.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EnvSettings {
    /// `MUSIL_SEED`.
    pub seed: Option<u64>,
    /// `MUSIL_SEEDS`.
    pub seeds: Option<Vec<u64>>,
    /// `MUSIL_RUNS`.
    pub runs: Option<u64>,
    /// `MUSIL_SHARD`, as `(index from 1, count)`.
    pub shard: Option<(u64, u64)>,
    /// `MUSIL_JOBS`.
    pub jobs: Option<usize>,
    /// `MUSIL_MAX_STEPS`.
    pub max_steps: Option<u64>,
    /// `MUSIL_SHRINK`.
    pub shrink: Option<u32>,
    /// `MUSIL_REGRESSIONS` (`on` unless it says `off`).
    pub regressions: bool,
    /// `MUSIL_REGRESSIONS_DIR`.
    pub regressions_dir: Option<String>,
    /// `MUSIL_CHECK_DETERMINISM`.
    pub determinism: Option<Determinism>,
    /// `MUSIL_TRACE_HIDE=timers`.
    pub hide_timers: bool,
    /// `MUSIL_TRACE=all`.
    pub trace_all: bool,
    /// `MUSIL_TIME`.
    pub time: Option<std::time::Duration>,
    /// `MUSIL_SEED_BASE`.
    pub seed_base: Option<u64>,
}

impl EnvSettings {
    /// Reads and checks every variable of the process environment.
    pub fn from_env() -> Result<Self, EnvError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads and checks the variables through `lookup` (the process environment, or a map in
    /// tests).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, EnvError> {
        let settings = EnvSettings {
            seed: lookup(SEED).map(|v| parse_u64(SEED, &v, "7")).transpose()?,
            seeds: lookup(SEEDS).map(|v| parse_seed_set(&v)).transpose()?,
            runs: lookup(RUNS).map(|v| parse_runs(&v)).transpose()?,
            shard: lookup(SHARD).map(|v| parse_shard(&v)).transpose()?,
            jobs: lookup(JOBS)
                .map(|v| parse_positive(JOBS, &v, "2").map(|n| n as usize))
                .transpose()?,
            max_steps: lookup(MAX_STEPS)
                .map(|v| parse_positive(MAX_STEPS, &v, "50000"))
                .transpose()?,
            shrink: lookup(SHRINK)
                .map(|v| parse_u64(SHRINK, &v, "200").map(|n| n.min(u64::from(u32::MAX)) as u32))
                .transpose()?,
            regressions: lookup(REGRESSIONS)
                .map(|v| parse_switch(REGRESSIONS, &v))
                .transpose()?
                .unwrap_or(true),
            regressions_dir: lookup(REGRESSIONS_DIR).filter(|dir| !dir.is_empty()),
            determinism: lookup(CHECK_DETERMINISM)
                .map(|v| parse_determinism(&v))
                .transpose()?,
            hide_timers: lookup(TRACE_HIDE)
                .map(|v| parse_word(TRACE_HIDE, &v, "timers"))
                .transpose()?
                .is_some(),
            trace_all: lookup(TRACE)
                .map(|v| parse_word(TRACE, &v, "all"))
                .transpose()?
                .is_some(),
            time: lookup(TIME).map(|v| parse_duration(&v)).transpose()?,
            seed_base: lookup(SEED_BASE)
                .map(|v| parse_u64(SEED_BASE, &v, "12345"))
                .transpose()?,
        };
        settings.consistent()
    }

    /// The settings, unless two of them contradict each other.
    fn consistent(self) -> Result<Self, EnvError> {
        let settings = self;
        if settings.seed.is_some() && (settings.seeds.is_some() || settings.runs.is_some()) {
            return Err(EnvError::new(format!(
                "{SEED} replays exactly one seed: unset {SEEDS} and {RUNS} when you set it"
            )));
        }
        if settings.seeds.is_some() && settings.runs.is_some() {
            return Err(EnvError::new(format!(
                "{SEEDS} and {RUNS} both choose the seeds: set only one"
            )));
        }
        let chooses_seeds = settings.seed.is_some() || settings.seeds.is_some();
        if settings.time.is_some() && (chooses_seeds || settings.runs.is_some()) {
            return Err(EnvError::new(format!(
                "{TIME} runs fresh seeds until the time is spent: unset {SEED}, {SEEDS} and {RUNS} \
                 when you set it ({SEED_BASE} chooses where the fresh seeds start)"
            )));
        }
        if settings.seed_base.is_some() && settings.time.is_none() {
            return Err(EnvError::new(format!(
                "{SEED_BASE} is where a {TIME} run starts: set {TIME} too (e.g. {TIME}=10m)"
            )));
        }
        Ok(settings)
    }

    /// The seeds this process runs of the scenario `path`, which declares `declared`: this
    /// shard's share of them ([`EnvSettings::seeds_for`]), or — for a scenario that runs `whole`
    /// (a `should_fail` one: whether some seed fails must not depend on the split) — all of them
    /// in the one shard that owns it ([`EnvSettings::shard_owns`]) and none elsewhere.
    pub fn seeds_of(&self, path: &str, declared: &[u64], whole: bool) -> Option<Vec<u64>> {
        match (whole, self.shard_owns(path)) {
            (false, _) => Some(self.seeds_for(declared)),
            (true, true) => Some(self.unsharded_seeds(declared)),
            (true, false) => None,
        }
    }

    /// The seeds to run for a scenario that declares `declared`, in order: this shard's share
    /// of [`EnvSettings::unsharded_seeds`].
    pub fn seeds_for(&self, declared: &[u64]) -> Vec<u64> {
        let seeds = self.unsharded_seeds(declared);
        match self.shard.filter(|_| self.seed.is_none()) {
            Some((index, count)) => seeds
                .into_iter()
                .enumerate()
                .filter(|(position, _)| *position as u64 % count == index - 1)
                .map(|(_, seed)| seed)
                .collect(),
            None => seeds,
        }
    }

    /// Whether this shard runs the scenario `name` whole: a `should_fail` scenario is not split
    /// across shards (whether some seed fails must not depend on the split), so exactly one
    /// shard, chosen by a stable hash of its name, runs all of its seeds.
    pub fn shard_owns(&self, name: &str) -> bool {
        match self.shard.filter(|_| self.seed.is_none()) {
            Some((index, count)) => fnv1a(name.as_bytes()) % count == index - 1,
            None => true,
        }
    }

    /// The seeds for a scenario that declares `declared`, before sharding.
    pub fn unsharded_seeds(&self, declared: &[u64]) -> Vec<u64> {
        if let Some(seed) = self.seed {
            vec![seed]
        } else if let Some(seeds) = &self.seeds {
            seeds.clone()
        } else if let Some(runs) = self.runs {
            let start = declared.first().copied().unwrap_or(0);
            (start..start.saturating_add(runs)).collect()
        } else {
            declared.to_vec()
        }
    }

    /// The step bound for a scenario that declares `declared`.
    pub fn max_steps(&self, declared: u64) -> u64 {
        self.max_steps.unwrap_or(declared)
    }

    /// The threads to run one scenario's seeds on.
    pub fn jobs(&self) -> usize {
        self.jobs
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
    }
}

/// FNV-1a: a hash that is the same on every platform and in every release.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn parse_determinism(value: &str) -> Result<Determinism, EnvError> {
    match value.trim() {
        "first" => Ok(Determinism::First),
        "all" => Ok(Determinism::All),
        "off" => Ok(Determinism::Off),
        other => Err(EnvError::new(format!(
            "{CHECK_DETERMINISM}={other:?} is not `first`, `all` or `off` (for example \
             {CHECK_DETERMINISM}=all)"
        ))),
    }
}

/// A wall-time budget: a number with a unit, `ms`, `s`, `m` or `h` (`90s`, `10m`).
fn parse_duration(value: &str) -> Result<std::time::Duration, EnvError> {
    let value = value.trim();
    let split = value
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(value.len());
    let (number, unit) = value.split_at(split);
    let seconds = |n: u64| std::time::Duration::from_secs(n);
    let parsed = number.parse::<u64>().ok().and_then(|n| match unit {
        "ms" => Some(std::time::Duration::from_millis(n)),
        "s" => Some(seconds(n)),
        "m" => n.checked_mul(60).map(seconds),
        "h" => n.checked_mul(3600).map(seconds),
        _ => None,
    });
    parsed.ok_or_else(|| {
        EnvError::new(format!(
            "{TIME}={value:?} is not a duration: a number and a unit (ms, s, m, h), e.g. {TIME}=10m"
        ))
    })
}

/// A variable whose one value is `word` (empty: unset).
fn parse_word(name: &str, value: &str, word: &str) -> Result<Option<()>, EnvError> {
    match value.trim() {
        "" => Ok(None),
        given if given == word => Ok(Some(())),
        other => Err(EnvError::new(format!(
            "{name}={other:?}: the one value it takes is `{word}` ({name}={word})"
        ))),
    }
}

fn parse_switch(name: &str, value: &str) -> Result<bool, EnvError> {
    match value.trim() {
        "on" | "1" => Ok(true),
        "off" | "0" => Ok(false),
        other => Err(EnvError::new(format!(
            "{name}={other:?} is neither `on` nor `off` (for example {name}=off)"
        ))),
    }
}

fn parse_u64(name: &str, value: &str, example: &str) -> Result<u64, EnvError> {
    value.trim().parse::<u64>().map_err(|_| {
        EnvError::new(format!(
            "{name}={value:?} is not valid: expected an unsigned integer, e.g. {name}={example}"
        ))
    })
}

fn parse_positive(name: &str, value: &str, example: &str) -> Result<u64, EnvError> {
    match parse_u64(name, value, example)? {
        0 => Err(EnvError::new(format!(
            "{name}=0 is not valid: it must be at least 1, e.g. {name}={example}"
        ))),
        n => Ok(n),
    }
}

/// The most seeds one scenario may be asked to run at once.
pub const MAX_SEEDS: u64 = 100_000_000;

fn parse_runs(value: &str) -> Result<u64, EnvError> {
    let runs = parse_positive(RUNS, value, "500")?;
    if runs > MAX_SEEDS {
        return Err(EnvError::new(format!(
            "{RUNS}={runs} is too many: at most {MAX_SEEDS} seeds at once (split the work with {SHARD})"
        )));
    }
    Ok(runs)
}

/// `a..b`, `a..=b` or `a,b,c`.
fn parse_seed_set(value: &str) -> Result<Vec<u64>, EnvError> {
    let bad = |why: &str| {
        EnvError::new(format!(
            "{SEEDS}={value:?} is not valid: {why}; write a range or a list, e.g. {SEEDS}=0..100, \
             {SEEDS}=0..=99 or {SEEDS}=1,5,9"
        ))
    };
    let number = |text: &str| {
        text.trim()
            .parse::<u64>()
            .map_err(|_| bad(&format!("{:?} is not a seed", text.trim())))
    };
    let range = |start: u64, end_exclusive: u64| -> Result<Vec<u64>, EnvError> {
        if start > end_exclusive {
            return Err(bad("the range is reversed"));
        }
        if end_exclusive - start > MAX_SEEDS {
            return Err(bad(&format!(
                "it selects {} seeds, more than {MAX_SEEDS} at once",
                end_exclusive - start
            )));
        }
        Ok((start..end_exclusive).collect())
    };
    let seeds: Vec<u64> = if let Some((start, end)) = value.split_once("..=") {
        let (start, end) = (number(start)?, number(end)?);
        if start > end {
            return Err(bad("the range is reversed"));
        }
        let mut seeds = range(start, end)?;
        seeds.push(end);
        seeds
    } else if let Some((start, end)) = value.split_once("..") {
        range(number(start)?, number(end)?)?
    } else {
        let seeds: Vec<u64> = value.split(',').map(number).collect::<Result<_, _>>()?;
        let mut sorted = seeds.clone();
        sorted.sort_unstable();
        if let Some(pair) = sorted.windows(2).find(|pair| pair[0] == pair[1]) {
            return Err(bad(&format!("it lists seed {} twice", pair[0])));
        }
        seeds
    };
    if seeds.is_empty() {
        return Err(bad("it selects no seed"));
    }
    Ok(seeds)
}

/// `i/n` with `1 <= i <= n`.
fn parse_shard(value: &str) -> Result<(u64, u64), EnvError> {
    let bad = || {
        EnvError::new(format!(
            "{SHARD}={value:?} is not valid: expected i/n with 1 <= i <= n, e.g. {SHARD}=1/4 in the \
             first of four CI jobs"
        ))
    };
    let (index, count) = value.split_once('/').ok_or_else(bad)?;
    let index = index.trim().parse::<u64>().map_err(|_| bad())?;
    let count = count.trim().parse::<u64>().map_err(|_| bad())?;
    if index == 0 || count == 0 || index > count {
        return Err(bad());
    }
    Ok((index, count))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(vars: &[(&str, &str)]) -> Result<EnvSettings, EnvError> {
        EnvSettings::from_lookup(|name| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.to_string())
        })
    }

    #[test]
    fn no_variables_run_the_declared_seeds() {
        let plan = settings(&[]).unwrap().seeds_for(&[3, 4, 5]);
        assert_eq!(plan, [3, 4, 5]);
    }

    #[test]
    fn musil_seed_runs_exactly_that_seed_declared_or_not() {
        assert_eq!(settings(&[(SEED, "7")]).unwrap().seeds_for(&[0, 1]), [7]);
    }

    #[test]
    fn musil_seeds_accepts_ranges_and_lists() {
        assert_eq!(
            settings(&[(SEEDS, "2..5")]).unwrap().seeds_for(&[0]),
            [2, 3, 4]
        );
        assert_eq!(
            settings(&[(SEEDS, "2..=5")]).unwrap().seeds_for(&[0]),
            [2, 3, 4, 5]
        );
        assert_eq!(
            settings(&[(SEEDS, "9, 1,5")]).unwrap().seeds_for(&[0]),
            [9, 1, 5]
        );
    }

    #[test]
    fn musil_runs_counts_from_the_declared_start() {
        assert_eq!(
            settings(&[(RUNS, "3")]).unwrap().seeds_for(&[10, 11]),
            [10, 11, 12]
        );
    }

    #[test]
    fn shards_split_the_plan_without_overlap_or_gap() {
        let declared: Vec<u64> = (0..10).collect();
        let mut union: Vec<u64> = Vec::new();
        for index in 1..=3 {
            let shard = format!("{index}/3");
            let part = settings(&[(SHARD, &shard)]).unwrap().seeds_for(&declared);
            assert!(
                part.iter().all(|seed| !union.contains(seed)),
                "overlap in {shard}"
            );
            union.extend(part);
        }
        union.sort_unstable();
        assert_eq!(union, declared);
    }

    #[test]
    fn exactly_one_shard_owns_a_whole_scenario() {
        for name in ["a::liar", "b::fooled", "c"] {
            let owners = (1..=4)
                .filter(|index| {
                    settings(&[(SHARD, &format!("{index}/4"))])
                        .unwrap()
                        .shard_owns(name)
                })
                .count();
            assert_eq!(owners, 1, "{name}");
        }
        assert!(settings(&[]).unwrap().shard_owns("anything"));
    }

    #[test]
    fn bad_values_are_loud_errors_that_show_a_valid_example() {
        let cases = [
            (SEED, "seven", "MUSIL_SEED=\"seven\" is not valid"),
            (SEEDS, "5..2", "the range is reversed"),
            (SEEDS, "3..3", "it selects no seed"),
            (SEEDS, "a,b", "\"a\" is not a seed"),
            (SEEDS, "1,5,1", "it lists seed 1 twice"),
            (
                SEEDS,
                "0..18446744073709551615",
                "more than 100000000 at once",
            ),
            (RUNS, "100000001", "at most 100000000 seeds"),
            (RUNS, "0", "MUSIL_RUNS=0 is not valid"),
            (SHARD, "0/3", "1 <= i <= n"),
            (SHARD, "4/3", "1 <= i <= n"),
            (SHARD, "half", "MUSIL_SHARD=\"half\""),
            (JOBS, "-1", "MUSIL_JOBS=\"-1\""),
            (MAX_STEPS, "lots", "MUSIL_MAX_STEPS=\"lots\""),
            (SHRINK, "lots", "MUSIL_SHRINK=\"lots\""),
            (REGRESSIONS, "maybe", "neither `on` nor `off`"),
            (CHECK_DETERMINISM, "some", "not `first`, `all` or `off`"),
            (TRACE_HIDE, "notes", "the one value it takes is `timers`"),
            (TRACE, "failing", "the one value it takes is `all`"),
            (TIME, "ten", "is not a duration"),
            (TIME, "10x", "is not a duration"),
            (SEED_BASE, "7", "set MUSIL_TIME too"),
        ];
        for (name, value, expected) in cases {
            let err = settings(&[(name, value)]).unwrap_err().to_string();
            assert!(err.contains(expected), "{name}={value}: {err}");
        }
    }

    #[test]
    fn musil_seed_is_a_replay_that_sharding_does_not_filter() {
        let replay = settings(&[(SEED, "5"), (SHARD, "2/4")]).unwrap();
        assert_eq!(replay.seeds_for(&[0, 1, 2]), [5]);
        assert!(replay.shard_owns("any::scenario"));
    }

    #[test]
    fn conflicting_seed_variables_are_rejected() {
        assert!(settings(&[(SEED, "1"), (SEEDS, "0..3")]).is_err());
        assert!(settings(&[(SEEDS, "0..3"), (RUNS, "4")]).is_err());
    }

    #[test]
    fn max_steps_and_jobs_override_the_defaults() {
        let s = settings(&[(MAX_STEPS, "42"), (JOBS, "3")]).unwrap();
        assert_eq!((s.max_steps(10_000), s.jobs()), (42, 3));
        assert_eq!(settings(&[]).unwrap().max_steps(10_000), 10_000);
    }

    #[test]
    fn the_forensic_variables_are_read() {
        let unset = settings(&[]).unwrap();
        assert_eq!(
            (unset.shrink, unset.regressions, unset.determinism),
            (None, true, None)
        );
        assert!(!unset.hide_timers && !unset.trace_all);
        let s = settings(&[
            (SHRINK, "0"),
            (REGRESSIONS, "off"),
            (CHECK_DETERMINISM, "all"),
            (TRACE_HIDE, "timers"),
            (TRACE, "all"),
            (REGRESSIONS_DIR, "/tmp/r"),
        ])
        .unwrap();
        assert_eq!((s.shrink, s.regressions), (Some(0), false));
        assert_eq!(s.determinism, Some(Determinism::All));
        assert!(s.hide_timers && s.trace_all);
        assert_eq!(s.regressions_dir.as_deref(), Some("/tmp/r"));
        let timed = settings(&[(TIME, "90s"), (SEED_BASE, "7")]).unwrap();
        assert_eq!(timed.time, Some(std::time::Duration::from_secs(90)));
        assert_eq!(timed.seed_base, Some(7));
        let minutes = settings(&[(TIME, "10m")]).unwrap().time;
        let both = settings(&[(TIME, "10m"), (RUNS, "5")])
            .unwrap_err()
            .to_string();
        assert!(
            both.contains("unset MUSIL_SEED, MUSIL_SEEDS and MUSIL_RUNS"),
            "{both}"
        );
        assert_eq!(minutes, Some(std::time::Duration::from_secs(600)));
    }
}
