//! The runner, tested from outside as a user meets it: `cargo test` runs musil's test binaries
//! as subprocesses, and these tests assert their output and exit codes — listing, seed
//! narrowing, sharding, libtest's errors, and that the printed replay line, pasted into a shell,
//! reproduces the identical failure.

use std::collections::BTreeSet;
#[path = "common/outside.rs"]
mod outside;

use std::process::{Command, Output};

use outside::clean;

/// `cargo test -q -p musil --test TARGET -- ARGS` with `vars` set.
fn cargo_test(target: &str, args: &[&str], vars: &[(&str, &str)]) -> Output {
    let mut command = clean(Command::new(env!("CARGO")));
    command
        .args(["test", "-q", "-p", "musil", "--test", target, "--"])
        .args(args)
        .envs(vars.iter().copied());
    command.output().expect("cargo runs")
}

/// Runs a printed replay line through the shell, exactly as a user would paste it.
fn shell(line: &str) -> Output {
    let mut command = clean(Command::new("sh"));
    command.args(["-c", line]);
    command.output().expect("sh runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn listed(vars: &[(&str, &str)]) -> Vec<String> {
    let output = cargo_test("scenarios", &["--list", "--format", "terse"], vars);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = stdout(&output);
    text.lines()
        .map(|line| {
            line.strip_suffix(": test")
                .unwrap_or_else(|| panic!("not a `name: test` line: {line:?}"))
                .to_string()
        })
        .collect()
}

/// The report of the first failure in `text`: from its headline to its replay line.
fn first_report(text: &str) -> Vec<&str> {
    let lines: Vec<&str> = text.lines().collect();
    let start = lines
        .iter()
        .position(|l| l.starts_with("INVARIANT ") || l.starts_with("PANIC "))
        .unwrap_or_else(|| panic!("no report in:\n{text}"));
    let end = start
        + lines[start..]
            .iter()
            .position(|l| l.starts_with("  replay: "))
            .expect("a replay line");
    lines[start..=end].to_vec()
}

#[test]
fn list_terse_prints_only_test_lines_one_per_seed() {
    let names = listed(&[]);
    assert!(names.contains(&"retry::retrying_client_converges::seed_0".to_string()));
    assert!(names.contains(&"retry::retrying_client_converges::seed_99".to_string()));
    assert!(
        names.contains(&"partition_heal::fire_and_forget_wedges".to_string()),
        "a should_fail scenario is one test"
    );
    let mut sorted = names.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), names.len(), "names are unique");
}

#[test]
fn musil_seed_narrows_every_scenario_to_one_seed() {
    let names = listed(&[("MUSIL_SEED", "3")]);
    assert!(names.len() >= 7, "{names:?}");
    assert!(
        names.iter().all(|name| name.ends_with("::seed_3")),
        "{names:?}"
    );
}

#[test]
fn musil_shard_splits_the_seeds_without_overlap_or_gap() {
    let all: BTreeSet<String> = listed(&[]).into_iter().collect();
    let mut union = BTreeSet::new();
    for shard in ["1/3", "2/3", "3/3"] {
        let part = listed(&[("MUSIL_SHARD", shard)]);
        assert!(!part.is_empty(), "shard {shard} is empty");
        for name in part {
            assert!(union.insert(name.clone()), "{name} is in two shards");
        }
    }
    assert_eq!(union, all);
}

#[test]
fn an_unknown_flag_is_refused_like_libtest() {
    let output = cargo_test("scenarios", &["--seed", "7"], &[]);
    assert_eq!(output.status.code(), Some(101));
    assert!(String::from_utf8_lossy(&output.stderr).contains("error: Unrecognized option: 'seed'"));
}

#[test]
fn an_unparsable_seed_variable_is_a_loud_error() {
    let output = cargo_test("scenarios", &["--list"], &[("MUSIL_SEEDS", "ten")]);
    assert_eq!(output.status.code(), Some(101));
    assert!(String::from_utf8_lossy(&output.stderr).contains("MUSIL_SEEDS=\"ten\" is not valid"));
}

/// Runs a deliberately failing test; returns all it printed, its first report and the replay
/// command printed at the end of that report.
fn failing_run(target: &str, args: &[&str]) -> (String, Vec<String>, String) {
    let output = cargo_test(target, args, &[]);
    assert_eq!(output.status.code(), Some(101), "{}", stdout(&output));
    let text = stdout(&output);
    let report: Vec<String> = first_report(&text).into_iter().map(String::from).collect();
    let replay = report
        .last()
        .and_then(|l| l.strip_prefix("  replay: "))
        .expect("a replay line")
        .to_string();
    assert!(replay.starts_with("MUSIL_SEED="), "{replay}");
    (text, report, replay)
}

/// Pastes `replay` into a shell and checks that it shows the identical report.
fn assert_replay_reproduces(replay: &str, report: &[String]) {
    let again = shell(replay);
    assert_eq!(again.status.code(), Some(101));
    let again_text = stdout(&again);
    assert!(again_text.contains("running 1 test"), "{again_text}");
    assert_eq!(
        first_report(&again_text),
        report,
        "the replay must show the identical failure"
    );
}

#[test]
fn a_failing_scenario_exits_101_and_its_replay_line_reproduces_it() {
    let (text, report, replay) = failing_run("scenarios", &["--ignored", "demo::"]);
    assert!(text.contains("test result: FAILED."), "{text}");
    let expected = "cargo test -p musil --test scenarios -- demo::planted_duplication_bug::seed_";
    assert!(
        replay.contains(expected) && replay.ends_with("--exact --include-ignored"),
        "{replay}"
    );
    assert_replay_reproduces(&replay, &report);
}

#[test]
fn the_plain_mode_replay_line_reproduces_the_failure_too() {
    let (_, report, replay) = failing_run(
        "plain_scenarios",
        &["--ignored", "deliberately_failing_plain"],
    );
    let expected = "cargo test -p musil --test plain_scenarios -- deliberately_failing_plain --exact --include-ignored";
    assert!(replay.ends_with(expected), "{replay}");
    assert_replay_reproduces(&replay, &report);
}

#[test]
fn musil_max_steps_bounds_every_run() {
    let name = "retry::retrying_client_converges::seed_0";
    assert!(
        cargo_test("scenarios", &[name, "--exact"], &[])
            .status
            .success()
    );
    let bounded = cargo_test("scenarios", &[name, "--exact"], &[("MUSIL_MAX_STEPS", "1")]);
    assert_eq!(bounded.status.code(), Some(101));
    assert!(
        stdout(&bounded).contains("the run stopped at max_steps = 1"),
        "{}",
        stdout(&bounded)
    );
}

/// What a run printed, on both streams.
fn everything(output: &Output) -> String {
    stdout(output) + &String::from_utf8_lossy(&output.stderr)
}

/// All a run printed, after checking that it ran one test and it passed.
fn one_passed(output: &Output) -> String {
    let text = everything(output);
    assert!(
        output.status.success() && text.contains("1 passed"),
        "{text}"
    );
    text
}

/// A passing `should_fail = panic` scenario prints nothing of the panics musil caught: not the
/// default hook's `thread '…' panicked at`, not the message. Under `--nocapture`, where libtest
/// shows all a test prints, the plain-mode test shows the expected failure's report, with the
/// message once, inside it.
#[test]
fn an_expected_panic_prints_nothing_but_the_report() {
    let harness = cargo_test(
        "scenarios",
        &["panics::a_burning_fuse_is_an_expected_panic", "--exact"],
        &[],
    );
    let text = one_passed(&harness);
    assert!(
        !text.contains("panicked") && !text.contains("burnt"),
        "{text}"
    );
    let plain = cargo_test(
        "plain_scenarios",
        &[
            "a_burning_fuse_is_an_expected_panic",
            "--exact",
            "--nocapture",
        ],
        &[],
    );
    let text = one_passed(&plain);
    assert!(
        text.contains("failed as expected (should_fail = panic)"),
        "{text}"
    );
    assert_eq!(text.matches("the fuse burnt out").count(), 1, "{text}");
    assert!(!text.contains("thread '"), "{text}");
}

/// A failing scenario whose node panicked shows the panic's message exactly once, inside its
/// report, with the place it was raised — in both modes.
#[test]
fn an_unexpected_panic_shows_its_message_once_inside_the_report() {
    let runs = [
        ("scenarios", "panics::deliberately_panicking::seed_0"),
        ("plain_scenarios", "deliberately_panicking_plain"),
    ];
    for (target, name) in runs {
        let output = cargo_test(target, &[name, "--exact", "--include-ignored"], &[]);
        let text = everything(&output);
        assert_eq!(output.status.code(), Some(101), "{text}");
        assert_eq!(text.matches("the fuse burnt out").count(), 1, "{text}");
        let headline = "PANIC in node `bomb` (on_timer): the fuse burnt out (panicked at tests/";
        assert!(text.contains(headline), "{text}");
        let raised = "common/fuse.rs:18:";
        assert_eq!(
            text.matches(raised).count(),
            1,
            "no other report of the panic: {text}"
        );
    }
}

/// A scenario run by the builder inside a `#[test]` names that test in its replay line, and the
/// line, pasted, reproduces the failure.
#[test]
fn a_builder_run_in_a_test_replays_that_test() {
    let name = "deliberately_failing_builder_run";
    let (_, report, replay) =
        failing_run("plain_scenarios", &[name, "--exact", "--include-ignored"]);
    let expected =
        format!("cargo test -p musil --test plain_scenarios -- {name} --exact --include-ignored");
    assert!(replay.ends_with(&expected), "{replay}");
    assert_replay_reproduces(&replay, &report);
}

/// A builder run on seeds the code fixes says so, and the command it gives reruns the test.
#[test]
fn a_run_on_fixed_seeds_says_the_seed_is_fixed_and_how_to_run_the_test() {
    let name = "deliberately_failing_fixed_seeds";
    let output = cargo_test(
        "plain_scenarios",
        &[name, "--exact", "--include-ignored"],
        &[],
    );
    assert_eq!(output.status.code(), Some(101));
    let text = stdout(&output);
    let report: Vec<String> = first_report(&text).into_iter().map(String::from).collect();
    let replay = report.last().expect("a replay line");
    let lead = "  replay: seed 3 is fixed by the test's code (MUSIL_SEED does not change it); run the test alone with: ";
    let command = replay
        .strip_prefix(lead)
        .unwrap_or_else(|| panic!("{replay}"));
    assert_eq!(
        command,
        format!("cargo test -p musil --test plain_scenarios -- {name} --exact --include-ignored")
    );
    assert_replay_reproduces(command, &report);
}

/// Whether cargo-nextest is installed (`.ci/run` installs it); a machine without it cannot run
/// the tests that need it, and says so.
fn nextest_installed() -> bool {
    let probe = clean(Command::new(env!("CARGO")))
        .args(["nextest", "--version"])
        .output();
    let installed = probe.is_ok_and(|output| output.status.success());
    if !installed {
        eprintln!("skipped: cargo-nextest is not installed (cargo install cargo-nextest)");
    }
    installed
}

/// Under cargo-nextest the replay line is a nextest command, and it reproduces the failure.
#[test]
fn the_nextest_replay_line_reproduces_the_failure() {
    if !nextest_installed() {
        return;
    }
    let mut command = clean(Command::new(env!("CARGO")));
    command.args([
        "nextest",
        "run",
        "-p",
        "musil",
        "--test",
        "scenarios",
        "--run-ignored",
        "only",
    ]);
    command.args(["-E", "test(=demo::planted_duplication_bug::seed_3)"]);
    let output = command.output().expect("cargo nextest runs");
    let text = nextest_output(&output);
    assert_eq!(output.status.code(), Some(100), "{text}");
    let report: Vec<String> = first_report(&text).into_iter().map(String::from).collect();
    let replay = report
        .last()
        .and_then(|l| l.strip_prefix("  replay: "))
        .expect("a replay line");
    let expected = "MUSIL_SEED=3 cargo nextest run -p musil --test scenarios -E 'test(=demo::planted_duplication_bug::seed_3)' --run-ignored all";
    assert_eq!(replay, expected);
    let again = shell(replay);
    assert_eq!(again.status.code(), Some(100));
    assert_eq!(first_report(&nextest_output(&again)), report);
}

/// What nextest printed, without the indent it gives a test's own output.
fn nextest_output(output: &Output) -> String {
    let text = everything(output);
    let lines: Vec<&str> = text
        .lines()
        .map(|line| line.strip_prefix("    ").unwrap_or(line))
        .collect();
    lines.join("\n")
}

/// Under `MUSIL_SEED=N` a default-harness scenario says which seed it ran (libtest shows it
/// with `--nocapture`).
#[test]
fn a_plain_scenario_names_the_seed_musil_seed_chose() {
    let name = "validating_client_rejects_lies";
    let output = cargo_test(
        "plain_scenarios",
        &[name, "--exact", "--nocapture"],
        &[("MUSIL_SEED", "3")],
    );
    let text = stdout(&output);
    assert!(output.status.success(), "{text}");
    let line = format!("musil: `{name}` runs seed 3 only (MUSIL_SEED=3)");
    assert_eq!(text.matches(&line).count(), 1, "{text}");
}

/// A folder of its own for a test's regressions file, emptied.
fn regressions_dir(name: &str) -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("regressions-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// A failure is recorded in the regressions file, and the next run replays it first, as a trial
/// of its own that runs no seed at all; a line the runner cannot read stops it with the file and
/// the line.
#[test]
fn a_recorded_failure_is_replayed_first_and_a_bad_line_is_named() {
    let dir = regressions_dir("cli");
    let folder = dir.to_string_lossy().into_owned();
    let vars = [
        ("MUSIL_REGRESSIONS", "on"),
        ("MUSIL_REGRESSIONS_DIR", folder.as_str()),
    ];
    let bug = "demo::planted_duplication_bug";
    let first = cargo_test("scenarios", &["--ignored", bug], &vars);
    assert_eq!(first.status.code(), Some(101), "{}", stdout(&first));
    assert!(
        stdout(&first).contains("musil: recorded this run in"),
        "{}",
        stdout(&first)
    );
    let file = dir.join("scenarios.txt");
    let recorded = std::fs::read_to_string(&file).expect("the file is written");
    let entry = recorded
        .lines()
        .find(|l| l.starts_with("v1 "))
        .expect("an entry");
    assert!(entry.starts_with(&format!("v1 {bug} seed=")), "{entry}");

    let trial = format!("{bug}::regression_1");
    let again = cargo_test("scenarios", &["--ignored", &trial, "--exact"], &vars);
    let text = everything(&again);
    assert_eq!(again.status.code(), Some(101), "{text}");
    assert!(
        text.contains(trial.as_str()) && !text.contains("::seed_"),
        "the recorded run's trial alone: {text}"
    );
    assert!(
        text.contains("(failed on regression entry 1 of 1, replayed before the seeds)"),
        "{text}"
    );
    assert_eq!(
        std::fs::read_to_string(&file).expect("still there"),
        recorded,
        "recorded once"
    );

    std::fs::write(&file, format!("{recorded}v1 {bug} seed=x choices=\n")).expect("written");
    let broken = cargo_test("scenarios", &["--list"], &vars);
    let said = everything(&broken);
    assert_ne!(broken.status.code(), Some(0), "{said}");
    let line = recorded.lines().count() + 1;
    assert!(
        said.contains(&format!(
            "scenarios.txt:{line}: `seed=x` is not seed=<number>"
        )),
        "{said}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// The per-seed trials of `scenarios` in one `cargo nextest list --partition hash:k/3` (all of
/// them without a partition).
fn nextest_listed(partition: Option<&str>) -> Vec<String> {
    let mut command = clean(Command::new(env!("CARGO")));
    command.args([
        "nextest",
        "list",
        "-p",
        "musil",
        "--test",
        "scenarios",
        "--message-format",
        "oneline",
    ]);
    if let Some(partition) = partition {
        command.args(["--partition", partition]);
    }
    let output = command.output().expect("cargo runs");
    assert!(output.status.success(), "{}", everything(&output));
    stdout(&output)
        .lines()
        .filter_map(|line| line.split_whitespace().last())
        .filter(|name| name.contains("::seed_"))
        .map(String::from)
        .collect()
}

/// A sweep spread over a CI matrix: the three `hash:k/3` partitions of nextest together list every
/// per-seed trial exactly once (as the three `MUSIL_SHARD=k/3` shards do for the default harness).
#[test]
fn nextest_partitions_run_every_seed_once() {
    if !nextest_installed() {
        return;
    }
    let all: BTreeSet<String> = nextest_listed(None).into_iter().collect();
    assert!(all.len() > 100, "{} trials", all.len());
    let mut union = BTreeSet::new();
    for partition in ["hash:1/3", "hash:2/3", "hash:3/3"] {
        let part = nextest_listed(Some(partition));
        assert!(!part.is_empty(), "{partition} is empty");
        for name in part {
            assert!(union.insert(name.clone()), "{name} is in two partitions");
        }
    }
    assert_eq!(union, all);
}

/// The seconds a long run says it took, from its last progress line (`…, 3.0 s of 3s`).
fn long_run_seconds(stderr: &str) -> f64 {
    let last = stderr
        .lines()
        .rfind(|line| line.contains(" failure") && line.contains(" s of "))
        .unwrap_or_else(|| panic!("no progress line in:\n{stderr}"));
    let before = last.rsplit_once(" s of ").expect("an elapsed time").0;
    let number = before.rsplit_once(", ").map_or(before, |(_, n)| n);
    number
        .parse()
        .unwrap_or_else(|_| panic!("not a time: {last}"))
}

#[test]
fn musil_time_sweeps_fresh_seeds_until_the_budget_is_spent_in_both_modes() {
    let time = [("MUSIL_TIME", "3s")];
    let harness = cargo_test("scenarios", &["retry::retrying_client_converges"], &time);
    let plain = cargo_test(
        "plain_scenarios",
        &["validating_client_rejects_lies"],
        &time,
    );
    for output in [harness, plain] {
        let (out, err) = (stdout(&output), String::from_utf8_lossy(&output.stderr));
        assert_eq!(output.status.code(), Some(0), "{out}\n{err}");
        assert!(out.contains("1 passed"), "{out}");
        assert!(
            err.contains("runs fresh seeds for 3s from base seed "),
            "{err}"
        );
        let seconds = long_run_seconds(&err);
        assert!(
            (3.0..6.0).contains(&seconds),
            "stopped after {seconds} s:\n{err}"
        );
        assert!(err.contains(", 0 failures"), "{err}");
    }
}

#[test]
fn a_long_run_stops_at_its_first_failure_shrinks_it_and_its_replay_line_reproduces_it() {
    let vars = [("MUSIL_TIME", "3s"), ("MUSIL_SEED_BASE", "1000")];
    let args = ["--ignored", "demo::"];
    let output = cargo_test("scenarios", &args, &vars);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(101), "{text}");
    assert!(
        text.contains("demo::planted_duplication_bug::long_run ... FAILED"),
        "{text}"
    );
    assert!(text.contains("  shrunk: "), "{text}");
    assert!(text.contains(" of a long run)"), "{text}");
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(
        err.contains("from base seed 1000 (MUSIL_SEED_BASE=1000"),
        "{err}"
    );
    assert!(
        err.contains(", 1 failure,") || err.contains(", 1 failure "),
        "{err}"
    );
    assert!(
        long_run_seconds(&err) < 3.0,
        "it stops at the failure:\n{err}"
    );
    let report: Vec<String> = first_report(&text).into_iter().map(String::from).collect();
    let again = stdout(&cargo_test("scenarios", &args, &vars));
    assert_eq!(
        first_report(&again),
        report,
        "the same base finds the same seed"
    );
    let replay = report
        .last()
        .and_then(|l| l.strip_prefix("  replay: "))
        .expect("a replay line");
    assert!(replay.starts_with("MUSIL_SEED=10"), "{replay}");
    assert_replay_reproduces(replay, &report);
}

#[test]
fn a_builder_run_under_musil_time_is_a_long_run_too() {
    let args = ["--ignored", "deliberately_failing_builder_run"];
    let output = cargo_test("plain_scenarios", &args, &[("MUSIL_TIME", "2s")]);
    let (out, err) = (stdout(&output), String::from_utf8_lossy(&output.stderr));
    assert_eq!(output.status.code(), Some(101), "{out}");
    assert!(
        err.contains("runs fresh seeds for 2s from base seed "),
        "{err}"
    );
    assert!(out.contains(" of a long run)"), "{out}");
}

#[test]
fn the_coverage_trial_of_the_harness_fails_a_site_that_never_held_and_passes_one_that_did() {
    let uncovered = cargo_test("scenarios", &["--ignored", "coverage::"], &[]);
    let text = stdout(&uncovered);
    assert_eq!(uncovered.status.code(), Some(101), "{text}");
    assert!(
        text.contains("test coverage::nobody_ever_stands::seed_19 ... ok"),
        "{text}"
    );
    assert!(
        text.contains("test coverage::nobody_ever_stands::coverage ... FAILED"),
        "{text}"
    );
    assert!(
        text.contains("COVERAGE `leader_elected` never held in 20 runs"),
        "{text}"
    );
    let covered = cargo_test("scenarios", &["coverage::", "--show-output"], &[]);
    let text = stdout(&covered);
    assert!(covered.status.success(), "{text}");
    assert!(
        text.contains("test coverage::a_leader_is_sometimes_elected::coverage ... ok"),
        "{text}"
    );
    assert!(
        text.contains("coverage (observations that held): leader_elected: "),
        "{text}"
    );
}

#[test]
fn a_one_seed_replay_makes_no_coverage_verdict() {
    let seed = [("MUSIL_SEED", "7")];
    let args = ["the_attribute_takes_sometimes", "--exact", "--nocapture"];
    let expected = cargo_test("coverage", &args, &seed);
    let text = everything(&expected);
    assert!(expected.status.success(), "{text}");
    assert!(
        text.contains("expects a coverage failure, which one seed (MUSIL_SEED) cannot show"),
        "{text}"
    );
    let covered = cargo_test("coverage", &["a_covered_attribute_scenario_passes"], &seed);
    one_passed(&covered);
}

#[test]
fn a_plain_sweep_shows_its_hits_per_site() {
    let args = ["a_covered_attribute_scenario_passes", "--show-output"];
    let text = one_passed(&cargo_test("coverage", &args, &[]));
    assert!(
        text.contains("coverage (observations that held): elected: "),
        "{text}"
    );
}
