//! The scenarios `#[musil::scenario]` registers through `inventory`: const descriptors collected
//! before `main` ([`ScenarioEntry`], with its [`DeclaredSeeds`] and its test [`Target`]), read
//! sorted by the runner, and [`ErasedScenario`], a built scenario whatever its system type.

use std::fmt::Debug;

use musil_core::{DEFAULT_SEEDS, Message, RunSettings, Scenario, SimReport, SweepProgress, System};

/// The seeds a scenario declares, in a const-friendly form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeclaredSeeds {
    /// `start..end`.
    Range(u64, u64),
    /// `start..=end`.
    Inclusive(u64, u64),
    /// `[a, b, c]`.
    List(&'static [u64]),
}

impl DeclaredSeeds {
    /// The seeds of a scenario that declares none (`musil_core::DEFAULT_SEEDS`).
    pub const DEFAULT: DeclaredSeeds = DeclaredSeeds::Range(DEFAULT_SEEDS.start, DEFAULT_SEEDS.end);

    /// The seeds, in order.
    pub fn to_vec(&self) -> Vec<u64> {
        match *self {
            DeclaredSeeds::Range(start, end) => (start..end).collect(),
            DeclaredSeeds::Inclusive(start, end) => (start..=end).collect(),
            DeclaredSeeds::List(seeds) => seeds.to_vec(),
        }
    }
}

/// The test binary a scenario is compiled into, captured with `env!` in the user's crate: what
/// the replay command selects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Target {
    /// The package (`CARGO_PKG_NAME`).
    pub package: &'static str,
    /// The crate (`CARGO_CRATE_NAME`).
    pub krate: &'static str,
    /// Whether it is an integration test target (`CARGO_TARGET_TMPDIR` is set only for those).
    pub integration_test: bool,
    /// The package's directory (`CARGO_MANIFEST_DIR`): where its regressions file lives.
    pub manifest_dir: &'static str,
}

impl Target {
    /// The name a scenario has in this target: its module path without the crate, then its name.
    pub fn test_path(&self, module_path: &str, name: &str) -> String {
        match module_path.split_once("::") {
            Some((krate, rest)) if krate == self.krate => format!("{rest}::{name}"),
            None if module_path == self.krate => name.to_string(),
            _ => format!("{module_path}::{name}"),
        }
    }
}

/// A scenario with its system type erased: what the runner needs to run one.
pub trait ErasedScenario: Send + Sync {
    /// Runs the scenario under `settings` and reports the first failing seed.
    fn run_erased(&self, settings: &RunSettings) -> SimReport<()>;

    /// Runs batches of seeds that `next` hands out, as one sweep
    /// ([`Scenario::execute_batches`]).
    fn sweep_erased(
        &self,
        settings: &RunSettings,
        next: &mut dyn FnMut(&SweepProgress<'_>) -> Option<Vec<u64>>,
    ) -> SimReport<()>;

    /// The coverage verdict over runs made elsewhere ([`Scenario::coverage_verdict`]).
    fn coverage_erased(&self, done: &SweepProgress<'_>, settings: &RunSettings) -> SimReport<()>;
}

impl<S: System<M> + Debug + 'static, M: Message> ErasedScenario for Scenario<S, M> {
    fn run_erased(&self, settings: &RunSettings) -> SimReport<()> {
        self.execute(settings).erase()
    }

    fn sweep_erased(
        &self,
        settings: &RunSettings,
        next: &mut dyn FnMut(&SweepProgress<'_>) -> Option<Vec<u64>>,
    ) -> SimReport<()> {
        self.execute_batches(settings, next).erase()
    }

    fn coverage_erased(&self, done: &SweepProgress<'_>, settings: &RunSettings) -> SimReport<()> {
        self.coverage_verdict(done, settings).erase()
    }
}

/// The descriptor `#[musil::scenario]` registers.
#[derive(Debug)]
pub struct ScenarioEntry {
    /// The scenario function's name.
    pub name: &'static str,
    /// `module_path!()` where it is declared.
    pub module_path: &'static str,
    /// `file!()`.
    pub file: &'static str,
    /// `line!()`.
    pub line: u32,
    /// Whether it carries `#[ignore]`.
    pub ignore: bool,
    /// Whether it expects a failure (`should_fail`): then all its seeds form one trial, run
    /// whole by one shard.
    pub expects_failure: bool,
    /// Its declared seeds.
    pub seeds: DeclaredSeeds,
    /// Its test target.
    pub target: Target,
    /// Builds the scenario.
    pub build: fn() -> Box<dyn ErasedScenario>,
}

impl ScenarioEntry {
    /// Its name within its test target: `module::name`.
    pub fn path(&self) -> String {
        self.target.test_path(self.module_path, self.name)
    }
}

inventory::collect!(ScenarioEntry);

/// Every registered scenario of this binary, sorted by module path and name.
pub fn scenarios() -> Vec<&'static ScenarioEntry> {
    let mut entries: Vec<&'static ScenarioEntry> =
        inventory::iter::<ScenarioEntry>.into_iter().collect();
    entries.sort_by_key(|e| (e.module_path, e.name));
    entries
}

#[cfg(test)]
mod tests {
    use super::*;

    const TARGET: Target = Target {
        package: "my-pkg",
        krate: "scenarios",
        integration_test: true,
        manifest_dir: "/nonexistent/musil-test-fixture",
    };

    #[test]
    fn declared_seeds_expand() {
        assert_eq!(DeclaredSeeds::Range(2, 5).to_vec(), [2, 3, 4]);
        assert_eq!(DeclaredSeeds::Inclusive(2, 4).to_vec(), [2, 3, 4]);
        assert_eq!(DeclaredSeeds::List(&[9, 1]).to_vec(), [9, 1]);
        assert_eq!(
            DeclaredSeeds::DEFAULT.to_vec(),
            DEFAULT_SEEDS.collect::<Vec<_>>()
        );
    }

    #[test]
    fn test_paths_drop_the_running_crate_only() {
        assert_eq!(
            TARGET.test_path("scenarios::byzantine", "liar"),
            "byzantine::liar"
        );
        assert_eq!(TARGET.test_path("scenarios", "liar"), "liar");
        assert_eq!(
            TARGET.test_path("shared_lib::net", "liar"),
            "shared_lib::net::liar"
        );
    }
}
