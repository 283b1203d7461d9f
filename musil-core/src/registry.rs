//! The registry that `#[musil::scenario]` and `#[invariant]` fill through `inventory`: const
//! descriptors collected before `main`, read (always sorted) by the runner and by scenarios.

use std::any::{Any, TypeId};

use crate::report::SimReport;

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
    /// The seeds, in order.
    pub fn to_vec(&self) -> Vec<u64> {
        match *self {
            DeclaredSeeds::Range(start, end) => (start..end).collect(),
            DeclaredSeeds::Inclusive(start, end) => (start..=end).collect(),
            DeclaredSeeds::List(seeds) => seeds.to_vec(),
        }
    }
}

/// What a test binary is, for printing the command that replays one of its scenarios.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Target {
    /// The package (`CARGO_PKG_NAME`).
    pub package: &'static str,
    /// The crate (`CARGO_CRATE_NAME`).
    pub krate: &'static str,
    /// Whether it is an integration test target (`CARGO_TARGET_TMPDIR` is set only for those).
    pub integration_test: bool,
}

impl Target {
    /// `cargo test -p PKG --test T`, `--lib` or `--example T`: the command that builds and runs
    /// this target's tests.
    pub fn cargo_test(&self) -> String {
        let selector = if self.integration_test {
            format!("--test {}", self.krate)
        } else if self.krate == self.package.replace('-', "_") {
            "--lib".to_string()
        } else {
            format!("--example {}", self.krate)
        };
        format!("cargo test -p {} {selector}", self.package)
    }

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
    /// Runs `seeds` (in order, on `jobs` threads) and reports the first failing seed, with
    /// `replay` as the replay command template (`{seed}` stands for the seed).
    fn run_erased(
        &self,
        seeds: &[u64],
        jobs: usize,
        max_steps: Option<u64>,
        replay: &str,
    ) -> SimReport<()>;
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
    /// Whether it expects a failure (`should_fail`): then all its seeds form one trial.
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

/// The descriptor `#[invariant]` registers.
#[derive(Debug)]
pub struct InvariantEntry {
    /// The invariant function's name.
    pub name: &'static str,
    /// `module_path!()` where it is declared.
    pub module_path: &'static str,
    /// The system type it checks.
    pub system: fn() -> TypeId,
    /// Checks a world of that type (given as `&dyn Any`).
    pub check: fn(&dyn Any) -> Result<(), Option<String>>,
}

inventory::collect!(InvariantEntry);

/// The registered invariants of system type `S`, sorted by name, then module path.
pub fn invariants_of<S: 'static>() -> Vec<&'static InvariantEntry> {
    let wanted = TypeId::of::<S>();
    let mut entries: Vec<&'static InvariantEntry> = inventory::iter::<InvariantEntry>
        .into_iter()
        .filter(|e| (e.system)() == wanted)
        .collect();
    entries.sort_by_key(|e| (e.name, e.module_path));
    entries
}

#[cfg(test)]
mod tests {
    use super::*;

    const TARGET: Target = Target {
        package: "my-pkg",
        krate: "scenarios",
        integration_test: true,
    };

    #[test]
    fn declared_seeds_expand() {
        assert_eq!(DeclaredSeeds::Range(2, 5).to_vec(), [2, 3, 4]);
        assert_eq!(DeclaredSeeds::Inclusive(2, 4).to_vec(), [2, 3, 4]);
        assert_eq!(DeclaredSeeds::List(&[9, 1]).to_vec(), [9, 1]);
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

    #[test]
    fn cargo_test_commands_select_the_target() {
        assert_eq!(TARGET.cargo_test(), "cargo test -p my-pkg --test scenarios");
        let lib = Target {
            package: "my-pkg",
            krate: "my_pkg",
            integration_test: false,
        };
        assert_eq!(lib.cargo_test(), "cargo test -p my-pkg --lib");
        let example = Target {
            package: "my-pkg",
            krate: "raft",
            integration_test: false,
        };
        assert_eq!(example.cargo_test(), "cargo test -p my-pkg --example raft");
    }
}
