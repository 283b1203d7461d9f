//! The regressions file: `musil-regressions/<test target>.txt` beside the crate's `Cargo.toml`,
//! where a failing scenario records the run that failed (its seed and its choices, shrunk), and
//! from which every run replays that scenario's entries first, before its seeds. Commit it: the
//! failure then keeps being checked after the declared seeds change.
//!
//! One entry a line, `v1 <scenario path> seed=<n> choices=<choices>` (the choices in the text
//! form of `musil::forensics::encoding`); `#` starts a comment line. A line this version cannot
//! read is an error naming the file and the line. `MUSIL_REGRESSIONS=off` neither reads nor
//! writes the file.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use musil_core::SimReport;
use musil_core::forensics::choices::Choices;
use musil_core::seeds::EnvSettings;

use crate::registry::Target;

/// The format version this runner reads and writes.
pub const VERSION: &str = "v1";

/// The first lines of a new regressions file.
const HEADER: &str = "# musil regressions: runs that failed, replayed first by every run of their \
                      scenario.\n# Commit this file. One entry a line: v1 <scenario> seed=<n> \
                      choices=<choices>\n";

/// One recorded run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The scenario's path in its test target.
    pub scenario: String,
    /// The seed.
    pub seed: u64,
    /// The choices that make the run.
    pub choices: Choices,
}

/// The regressions file of a test target: `musil-regressions/<target>.txt` beside the crate's
/// `Cargo.toml`, or in `MUSIL_REGRESSIONS_DIR`.
pub fn path(target: &Target, env: &EnvSettings) -> PathBuf {
    let folder = match &env.regressions_dir {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(target.manifest_dir).join("musil-regressions"),
    };
    folder.join(format!("{}.txt", target.krate))
}

/// The entries of the file at `path` (none if there is no file), or an error naming the file
/// and the line that cannot be read.
pub fn read(path: &Path) -> Result<Vec<Entry>, String> {
    let text = match fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => return Err(format!("cannot read {}: {error}", path.display())),
    };
    let mut entries = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let entry = parse(line).map_err(|problem| {
            format!(
                "{}:{}: {problem} (delete the line, or the file, to record afresh)",
                path.display(),
                number + 1
            )
        })?;
        entries.push(entry);
    }
    Ok(entries)
}

/// One entry line.
fn parse(line: &str) -> Result<Entry, String> {
    let words: Vec<&str> = line.split_whitespace().collect();
    let [version, scenario, seed, choices] = words[..] else {
        return Err(format!(
            "expected `{VERSION} <scenario> seed=<n> choices=<choices>`, found `{line}`"
        ));
    };
    if version != VERSION {
        return Err(format!(
            "written in format `{version}`; this musil reads `{VERSION}`"
        ));
    }
    let seed = seed
        .strip_prefix("seed=")
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| format!("`{seed}` is not seed=<number>"))?;
    let choices = choices
        .strip_prefix("choices=")
        .ok_or_else(|| format!("`{choices}` is not choices=<choices>"))
        .and_then(Choices::decode)?;
    Ok(Entry {
        scenario: scenario.to_string(),
        seed,
        choices,
    })
}

/// The line recording a run of `scenario`.
pub fn line(scenario: &str, seed: u64, choices: &Choices) -> String {
    format!(
        "{VERSION} {scenario} seed={seed} choices={}",
        choices.encode()
    )
}

/// The runs recorded for `scenario`, in file order.
pub fn runs_of(entries: &[Entry], scenario: &str) -> Vec<(u64, Choices)> {
    entries
        .iter()
        .filter(|e| e.scenario == scenario)
        .map(|e| (e.seed, e.choices.clone()))
        .collect()
}

/// Appends the entry for a run of `scenario` to the file at `path` (made with its folder if
/// missing), unless it is there already; returns whether it was added.
pub fn record(path: &Path, scenario: &str, seed: u64, choices: &Choices) -> std::io::Result<bool> {
    // The seeds of one binary fail on several threads at once: one of them appends at a time,
    // and each appends its entry in one write (other processes, under nextest, append too).
    static APPENDING: Mutex<()> = Mutex::new(());
    let _one_at_a_time = APPENDING
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let entry = line(scenario, seed, choices);
    let existing = fs::read_to_string(path).unwrap_or_default();
    if existing.lines().any(|l| l.trim() == entry) {
        return Ok(false);
    }
    if let Some(folder) = path.parent() {
        fs::create_dir_all(folder)?;
    }
    let header = if existing.is_empty() { HEADER } else { "" };
    let text = format!("{header}{entry}\n");
    let mut file = fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    file.write_all(text.as_bytes())?;
    Ok(true)
}

/// The recorded runs of `scenario` that this process replays first: none under
/// `MUSIL_REGRESSIONS=off`, under `MUSIL_SEED` (which asks for exactly one seed), or in a shard
/// that does not own the scenario.
pub fn replayed(
    target: &Target,
    scenario: &str,
    env: &EnvSettings,
) -> Result<Vec<(u64, Choices)>, String> {
    if !env.regressions || env.seed.is_some() || !env.shard_owns(scenario) {
        return Ok(Vec::new());
    }
    Ok(runs_of(&read(&path(target, env))?, scenario))
}

/// Records the failing run of `report` (a failure not expected), unless the environment says
/// not to; returns the line to print about it.
pub fn remember(
    target: &Target,
    scenario: &str,
    report: &SimReport<()>,
    env: &EnvSettings,
) -> Option<String> {
    let failure = report.failure()?;
    let choices = failure.choices()?;
    if report.passed() || !env.regressions {
        return None;
    }
    let file = path(target, env);
    match record(&file, scenario, failure.seed(), choices) {
        Ok(true) => Some(format!(
            "musil: recorded this run in {} (commit it: every run of `{scenario}` replays it first)",
            file.display()
        )),
        Ok(false) => None,
        Err(error) => Some(format!(
            "musil: could not record this run in {}: {error}",
            file.display()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("musil-regressions-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        dir.join("musil-regressions").join("t.txt")
    }

    #[test]
    fn an_entry_is_written_once_and_read_back() {
        let path = scratch("roundtrip");
        let choices = Choices::decode("faults=-0;net=_*3,2").expect("valid");
        assert!(record(&path, "demo::lost_ack", 7, &choices).expect("written"));
        assert!(!record(&path, "demo::lost_ack", 7, &choices).expect("read"));
        let entries = read(&path).expect("readable");
        assert_eq!(entries.len(), 1);
        assert_eq!(runs_of(&entries, "demo::lost_ack"), vec![(7, choices)]);
        assert!(runs_of(&entries, "other").is_empty());
        assert!(
            fs::read_to_string(&path)
                .expect("there")
                .starts_with("# musil regressions")
        );
    }

    #[test]
    fn entries_recorded_from_many_threads_at_once_are_each_whole() {
        let path = scratch("threads");
        std::thread::scope(|scope| {
            for seed in 0..8 {
                let path = &path;
                scope.spawn(move || {
                    let choices = Choices::decode(&format!("net=_*{seed},1")).expect("valid");
                    record(path, "demo::race", seed, &choices).expect("written");
                });
            }
        });
        let entries = read(&path).expect("every line reads");
        assert_eq!(entries.len(), 8);
    }

    #[test]
    fn a_malformed_line_names_the_file_and_the_line() {
        let path = scratch("malformed");
        fs::create_dir_all(path.parent().expect("a folder")).expect("made");
        fs::write(
            &path,
            "# fine\nv1 a::b seed=3 choices=net=1\nv1 a::b seed=x choices=\n",
        )
        .expect("written");
        let problem = read(&path).expect_err("line 3 is bad");
        assert!(
            problem.contains("t.txt:3: `seed=x` is not seed=<number>"),
            "{problem}"
        );
        fs::write(&path, "v2 a::b seed=3 choices=\n").expect("written");
        let problem = read(&path).expect_err("another version");
        assert!(
            problem.contains("t.txt:1: written in format `v2`; this musil reads `v1`"),
            "{problem}"
        );
        assert_eq!(read(&scratch("absent")), Ok(Vec::new()));
    }
}
