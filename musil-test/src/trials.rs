//! The trials of a `harness = false` binary: one per (scenario, seed) from the registry and the
//! seeds the environment selects, named `path::seed_N` (a `should_fail` scenario is one trial,
//! `path`), preceded by one per run of the scenario recorded in the regressions file,
//! `path::regression_K`, and followed by the coverage verdict over the scenario's seeds,
//! `path::coverage`; under `MUSIL_TIME`, one long run per scenario, `path::long_run`, instead.
//! Then their selection by filters, `--skip` and the ignored flags — with `--exact` finding a
//! name without building the whole list.

use musil_core::seeds::EnvSettings;

use musil_core::forensics::choices::Choices;

use crate::args::Args;
use crate::registry::{ScenarioEntry, Target};

/// One runnable test.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trial {
    /// Its name, `path::seed_N` or `path`.
    pub name: String,
    /// Which scenario (an index into [`Suite::scenarios`]).
    pub scenario: usize,
    /// What it runs of the scenario.
    pub runs: Runs,
    /// Whether the scenario carries `#[ignore]`.
    pub ignored: bool,
}

/// What a trial runs of its scenario, in the order a scenario's trials come.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Runs {
    /// A recorded run (an index into [`SuiteScenario::regressions`]).
    Regression(usize),
    /// All the scenario's seeds: a `should_fail` scenario.
    AllSeeds,
    /// One seed.
    Seed(u64),
    /// The coverage verdict over the scenario's seeds ([`SuiteScenario::coverage_seeds`]).
    Coverage,
    /// Fresh seeds until `MUSIL_TIME` is spent.
    LongRun,
}

/// A registered scenario as this binary sees it.
#[derive(Debug)]
pub struct SuiteScenario {
    /// Its descriptor.
    pub entry: &'static ScenarioEntry,
    /// Its name in this binary.
    pub path: String,
    /// The seeds this process runs (none: another shard runs this `should_fail` scenario).
    pub seeds: Vec<u64>,
    /// The runs of it recorded in the regressions file, which this process replays first.
    pub regressions: Vec<(u64, Choices)>,
    /// The seeds its coverage verdict is over: all of them (not one shard's share), in the one
    /// shard that owns the scenario; none when it has no coverage trial.
    pub coverage_seeds: Vec<u64>,
}

/// Every scenario of a binary, sorted by path.
#[derive(Debug, Default)]
pub struct Suite {
    /// The scenarios.
    pub scenarios: Vec<SuiteScenario>,
    /// Whether each scenario is one long run (`MUSIL_TIME`).
    pub long_runs: bool,
}

/// The outcome of selecting trials.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Selection {
    /// The selected trials, in order.
    pub trials: Vec<Trial>,
    /// How many were filtered out.
    pub filtered_out: usize,
}

impl Suite {
    /// The suite of `entries` in the binary `running`, with seeds from `env`.
    pub fn new(entries: &[&'static ScenarioEntry], running: &Target, env: &EnvSettings) -> Self {
        let mut scenarios: Vec<SuiteScenario> = entries
            .iter()
            .map(|&entry| {
                let path = running.test_path(entry.module_path, entry.name);
                let declared = entry.seeds.to_vec();
                let seeds = env
                    .seeds_of(&path, &declared, entry.expects_failure)
                    .unwrap_or_default();
                let coverage_seeds = coverage_seeds(env, &path, &declared, entry);
                SuiteScenario {
                    entry,
                    path,
                    seeds,
                    regressions: Vec::new(),
                    coverage_seeds,
                }
            })
            .collect();
        scenarios.sort_by(|a, b| a.path.cmp(&b.path));
        Suite {
            scenarios,
            long_runs: env.time.is_some(),
        }
    }

    /// The trial of one seed, or of all the seeds of a `should_fail` scenario (`seed: None`),
    /// named `path`, or `path::seed_N` when its seeds are the one seed `N` (as under
    /// `MUSIL_SEED=N`).
    fn trial(&self, scenario: usize, seed: Option<u64>) -> Trial {
        let s = &self.scenarios[scenario];
        let named_seed = seed.or(match s.seeds.as_slice() {
            [only] => Some(*only),
            _ => None,
        });
        let name = match named_seed {
            Some(seed) => format!("{}::seed_{seed}", s.path),
            None => s.path.clone(),
        };
        Trial {
            name,
            scenario,
            runs: seed.map_or(Runs::AllSeeds, Runs::Seed),
            ignored: s.entry.ignore,
        }
    }

    /// The trial named `path::suffix` that runs `runs` of a scenario.
    fn named_trial(&self, scenario: usize, suffix: &str, runs: Runs) -> Trial {
        let s = &self.scenarios[scenario];
        Trial {
            name: format!("{}::{suffix}", s.path),
            scenario,
            runs,
            ignored: s.entry.ignore,
        }
    }

    /// Gives each scenario the runs `recorded` holds for it (not to a `should_fail` one).
    pub fn with_regressions(mut self, recorded: impl Fn(&str) -> Vec<(u64, Choices)>) -> Self {
        for scenario in &mut self.scenarios {
            if !scenario.entry.expects_failure {
                scenario.regressions = recorded(&scenario.path);
            }
        }
        self
    }

    /// The trial replaying recorded run `index` of a scenario: `path::regression_K` (from 1).
    fn regression_trial(&self, scenario: usize, index: usize) -> Trial {
        let suffix = format!("regression_{}", index + 1);
        self.named_trial(scenario, &suffix, Runs::Regression(index))
    }

    fn coverage_trial(&self, scenario: usize) -> Option<Trial> {
        let s = &self.scenarios[scenario];
        (!s.coverage_seeds.is_empty())
            .then(|| self.named_trial(scenario, "coverage", Runs::Coverage))
    }

    fn trials_of(&self, scenario: usize) -> Vec<Trial> {
        let s = &self.scenarios[scenario];
        match (s.entry.expects_failure, s.seeds.is_empty()) {
            (true, _) if self.long_runs => Vec::new(),
            _ if self.long_runs => vec![self.named_trial(scenario, "long_run", Runs::LongRun)],
            (true, true) => Vec::new(),
            (true, false) => vec![self.trial(scenario, None)],
            (false, _) => (0..s.regressions.len())
                .map(|index| self.regression_trial(scenario, index))
                .chain(s.seeds.iter().map(|&seed| self.trial(scenario, Some(seed))))
                .chain(self.coverage_trial(scenario))
                .collect(),
        }
    }

    /// How many trials there are in all.
    pub fn len(&self) -> usize {
        (0..self.scenarios.len())
            .map(|scenario| self.count_of(scenario))
            .sum()
    }

    /// How many trials a scenario has, without naming them.
    fn count_of(&self, scenario: usize) -> usize {
        let s = &self.scenarios[scenario];
        match s.entry.expects_failure {
            true if self.long_runs => 0,
            _ if self.long_runs => 1,
            true => usize::from(!s.seeds.is_empty()),
            false => {
                s.regressions.len() + s.seeds.len() + usize::from(!s.coverage_seeds.is_empty())
            }
        }
    }

    /// Whether there are no trials.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The trial called exactly `name`, found without building the other names.
    pub fn find_exact(&self, name: &str) -> Option<Trial> {
        let index_of = |path: &str| {
            self.scenarios
                .binary_search_by(|s| s.path.as_str().cmp(path))
                .ok()
        };
        if self.long_runs {
            let index = index_of(name.strip_suffix("::long_run")?)?;
            let wanted = !self.scenarios[index].entry.expects_failure;
            return wanted.then(|| self.named_trial(index, "long_run", Runs::LongRun));
        }
        if let Some(index) = index_of(name) {
            let s = &self.scenarios[index];
            return (s.entry.expects_failure && s.seeds.len() > 1).then(|| self.trial(index, None));
        }
        if let Some(path) = name.strip_suffix("::coverage") {
            return self.coverage_trial(index_of(path)?);
        }
        if let Some((path, k)) = name.rsplit_once("::regression_") {
            let index = index_of(path)?;
            let k = k.parse::<usize>().ok().filter(|&k| k >= 1)?;
            let recorded = self.scenarios[index].regressions.len();
            return (k <= recorded).then(|| self.regression_trial(index, k - 1));
        }
        let (path, seed) = name.rsplit_once("::seed_")?;
        let seed = seed.parse::<u64>().ok()?;
        let index = index_of(path)?;
        let scenario = &self.scenarios[index];
        match (scenario.entry.expects_failure, scenario.seeds.as_slice()) {
            (true, [only]) if *only == seed => Some(self.trial(index, None)),
            (false, seeds) if seeds.contains(&seed) => Some(self.trial(index, Some(seed))),
            _ => None,
        }
    }

    /// The trials `args` selects: filters, `--skip`, then `--ignored` (which keeps only ignored
    /// trials). Ignored trials stay in the selection, flagged, unless `--ignored` or
    /// `--include-ignored` asks for them to run.
    pub fn select(&self, args: &Args) -> Selection {
        let total = self.len();
        let candidates: Vec<Trial> = if args.exact && !args.filters.is_empty() {
            let mut found: Vec<Trial> = args
                .filters
                .iter()
                .filter_map(|name| self.find_exact(name))
                .collect();
            found.sort_by_key(|t| (t.scenario, t.runs));
            found.dedup();
            found
        } else {
            (0..self.scenarios.len())
                .flat_map(|scenario| self.trials_of(scenario))
                .filter(|trial| {
                    args.filters.is_empty()
                        || args.filters.iter().any(|f| trial.name.contains(f.as_str()))
                })
                .collect()
        };
        let skipped = |name: &str| {
            args.skip.iter().any(|skip| {
                if args.exact {
                    name == skip
                } else {
                    name.contains(skip.as_str())
                }
            })
        };
        let trials: Vec<Trial> = candidates
            .into_iter()
            .filter(|trial| !skipped(&trial.name) && (!args.ignored || trial.ignored))
            .collect();
        Selection {
            filtered_out: total - trials.len(),
            trials,
        }
    }
}

/// The seeds a scenario's coverage trial judges: all its seeds, in the shard that owns it, for
/// a scenario expected to pass with more than one seed (one seed is not a sweep; under
/// `MUSIL_SEED` there is no verdict).
fn coverage_seeds(
    env: &EnvSettings,
    path: &str,
    declared: &[u64],
    entry: &ScenarioEntry,
) -> Vec<u64> {
    let judged = !entry.expects_failure && env.seed.is_none() && env.shard_owns(path);
    let seeds = match judged {
        true => env.unsharded_seeds(declared),
        false => Vec::new(),
    };
    if seeds.len() > 1 { seeds } else { Vec::new() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::{DeclaredSeeds, ErasedScenario};

    fn never_built() -> Box<dyn ErasedScenario> {
        unreachable!("selection never builds scenarios")
    }

    const TARGET: Target = Target {
        package: "p",
        krate: "suite",
        integration_test: true,
        manifest_dir: "/nonexistent/musil-test-fixture",
    };

    fn entry(
        name: &'static str,
        seeds: DeclaredSeeds,
        ignore: bool,
        expects_failure: bool,
    ) -> &'static ScenarioEntry {
        Box::leak(Box::new(ScenarioEntry {
            name,
            module_path: "suite::net",
            file: "net.rs",
            line: 1,
            ignore,
            expects_failure,
            seeds,
            target: TARGET,
            build: never_built,
        }))
    }

    fn suite(env: &EnvSettings) -> Suite {
        let entries = [
            entry("retry", DeclaredSeeds::Range(0, 3), false, false),
            entry("flaky", DeclaredSeeds::List(&[5, 9]), true, false),
            entry("liar", DeclaredSeeds::Range(0, 20), false, true),
        ];
        Suite::new(&entries, &TARGET, env)
    }

    fn names(selection: &Selection) -> Vec<&str> {
        selection.trials.iter().map(|t| t.name.as_str()).collect()
    }

    fn args(line: &str) -> Args {
        crate::args::parse(line.split_whitespace().map(String::from)).unwrap()
    }

    #[test]
    fn one_trial_per_seed_sorted_and_one_for_a_should_fail_scenario() {
        let all = suite(&EnvSettings::default()).select(&args(""));
        assert_eq!(
            names(&all),
            [
                "net::flaky::seed_5",
                "net::flaky::seed_9",
                "net::flaky::coverage",
                "net::liar",
                "net::retry::seed_0",
                "net::retry::seed_1",
                "net::retry::seed_2",
                "net::retry::coverage"
            ]
        );
        assert_eq!(all.filtered_out, 0);
        assert!(all.trials[0].ignored);
        assert_eq!(all.trials.last().map(|t| t.runs), Some(Runs::Coverage));
    }

    #[test]
    fn under_musil_time_each_scenario_expected_to_pass_is_one_long_run() {
        let env = EnvSettings {
            time: Some(std::time::Duration::from_secs(3)),
            ..EnvSettings::default()
        };
        let suite = suite(&env);
        let all = suite.select(&args(""));
        assert_eq!(
            names(&all),
            ["net::flaky::long_run", "net::retry::long_run"]
        );
        assert_eq!(suite.len(), 2);
        assert_eq!(
            suite.find_exact("net::retry::long_run").map(|t| t.runs),
            Some(Runs::LongRun)
        );
        assert_eq!(suite.find_exact("net::retry::seed_1"), None);
        assert_eq!(suite.find_exact("net::liar::long_run"), None);
    }

    #[test]
    fn the_coverage_trial_judges_all_seeds_in_one_shard_and_none_under_one_seed() {
        let sharded = |index| EnvSettings {
            shard: Some((index, 2)),
            ..EnvSettings::default()
        };
        let judges: Vec<Vec<u64>> = (1..=2)
            .flat_map(|index| suite(&sharded(index)).scenarios)
            .filter(|s| s.path == "net::retry" && !s.coverage_seeds.is_empty())
            .map(|s| s.coverage_seeds)
            .collect();
        assert_eq!(judges, [vec![0, 1, 2]], "one shard judges every seed");
        let one = EnvSettings {
            seed: Some(1),
            ..EnvSettings::default()
        };
        assert_eq!(suite(&one).find_exact("net::retry::coverage"), None);
        assert!(
            suite(&EnvSettings::default())
                .find_exact("net::retry::coverage")
                .is_some()
        );
    }

    #[test]
    fn filters_skips_and_ignored() {
        let suite = suite(&EnvSettings::default());
        assert_eq!(
            names(&suite.select(&args("retry::seed_1 liar"))),
            ["net::liar", "net::retry::seed_1"]
        );
        assert_eq!(
            names(&suite.select(&args("retry --skip seed_0"))),
            [
                "net::retry::seed_1",
                "net::retry::seed_2",
                "net::retry::coverage"
            ]
        );
        let ignored = suite.select(&args("--ignored"));
        assert_eq!(
            (names(&ignored), ignored.filtered_out),
            (
                vec![
                    "net::flaky::seed_5",
                    "net::flaky::seed_9",
                    "net::flaky::coverage"
                ],
                5
            )
        );
    }

    #[test]
    fn exact_names_are_found_directly() {
        let suite = suite(&EnvSettings::default());
        let picked = suite.select(&args(
            "--exact net::retry::seed_2 net::liar net::retry::seed_7 net::retry",
        ));
        assert_eq!(names(&picked), ["net::liar", "net::retry::seed_2"]);
        assert_eq!(picked.filtered_out, 6);
        assert_eq!(
            suite.find_exact("net::liar::seed_3"),
            None,
            "a should_fail scenario is one trial"
        );
        assert!(
            suite
                .select(&args(
                    "--exact net::retry::seed_2 --skip net::retry::seed_2"
                ))
                .trials
                .is_empty()
        );
    }

    #[test]
    fn the_environment_decides_the_seeds_and_a_single_seed_names_every_trial() {
        let env = EnvSettings {
            seed: Some(3),
            ..EnvSettings::default()
        };
        let suite = suite(&env);
        let selection = suite.select(&args(""));
        assert_eq!(
            names(&selection),
            [
                "net::flaky::seed_3",
                "net::liar::seed_3",
                "net::retry::seed_3"
            ]
        );
        assert_eq!(
            selection.trials[1].runs,
            Runs::AllSeeds,
            "the should_fail trial still runs all its seeds"
        );
        assert_eq!(
            suite.find_exact("net::liar::seed_3").map(|t| t.name),
            Some("net::liar::seed_3".into())
        );
        assert_eq!(suite.find_exact("net::liar"), None);
    }

    #[test]
    fn shards_split_seeds_and_give_a_should_fail_scenario_to_one_shard() {
        let mut seen: Vec<String> = Vec::new();
        for index in 1..=3 {
            let env = EnvSettings {
                shard: Some((index, 3)),
                ..EnvSettings::default()
            };
            for name in names(&suite(&env).select(&args(""))) {
                assert!(!seen.contains(&name.to_string()), "{name} is in two shards");
                seen.push(name.to_string());
            }
        }
        seen.sort();
        let all = suite(&EnvSettings::default()).select(&args(""));
        let mut all = names(&all);
        all.sort();
        assert_eq!(seen, all);
    }
}
