//! `musil::main!()`: the entry point of a `harness = false` target. It lists or runs the
//! selected trials on a thread pool and prints their results in name order, as libtest would.

use std::io::Write;
use std::ops::ControlFlow;
use std::process::ExitCode;
use std::time::Instant;

use musil_core::panics::{guarded, quiet};
use musil_core::pool::{self, Ahead};
use musil_core::seeds::EnvSettings;
use musil_core::{Determinism, Replay, RunSettings};

use crate::args::{self, Args, USAGE};
use crate::coverage_trial::{self, Board};
use crate::long_run::LongRun;
use crate::printer::{Outcome, Printer, Tally};
use crate::registry::{self, ErasedScenario, ScenarioEntry, Target};
use crate::regressions;
use crate::replay;
use crate::trials::{Runs, Selection, Suite, Trial};

/// Runs the registered scenarios of the binary `target` with the process's arguments and
/// environment.
pub fn run_main(target: Target) -> ExitCode {
    musil_core::panics::install_hook();
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let env = EnvSettings::from_env();
    let nextest = replay::under_nextest();
    let (mut out, mut err) = (std::io::stdout(), std::io::stderr());
    let code = run(
        &argv,
        &target,
        &registry::scenarios(),
        env,
        nextest,
        &mut out,
        &mut err,
    );
    ExitCode::from(code)
}

/// The harness, with everything it reads passed in (`nextest`: whether replay lines should use
/// `cargo nextest run`): returns the exit code (0, or 101).
pub fn run(
    argv: &[String],
    target: &Target,
    entries: &[&'static ScenarioEntry],
    env: Result<EnvSettings, musil_core::seeds::EnvError>,
    nextest: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> u8 {
    let args = match args::parse(argv.iter().cloned()) {
        Ok(args) => args,
        Err(problem) => return fail(err, &problem.to_string()),
    };
    if args.help {
        let _ = write!(out, "{USAGE}");
        return 0;
    }
    let env = match env {
        Ok(env) => env,
        Err(problem) => return fail(err, &problem.to_string()),
    };
    warn(err, entries, target, &args);
    let recorded = match recorded_runs(target, &env) {
        Ok(recorded) => recorded,
        Err(problem) => return fail(err, &problem),
    };
    let suite =
        Suite::new(entries, target, &env).with_regressions(|path| match env.shard_owns(path) {
            true => regressions::runs_of(&recorded, path),
            false => Vec::new(),
        });
    let selection = suite.select(&args);
    let mut printer = Printer::new(out, args.format);
    if args.list {
        return match printer.list(selection.trials.iter().map(|t| t.name.as_str())) {
            Ok(()) => 0,
            Err(_) => 101,
        };
    }
    let board = Board::default();
    let context = Context {
        threads: threads(&args, &env),
        args: &args,
        env: &env,
        target,
        nextest,
        board: &board,
    };
    match execute(&suite, &selection, &context, &mut printer) {
        Ok(true) => 0,
        Ok(false) | Err(_) => 101,
    }
}

/// The runs the regressions file records for this binary, unless the environment turns it off
/// or asks for one seed.
fn recorded_runs(target: &Target, env: &EnvSettings) -> Result<Vec<regressions::Entry>, String> {
    if !env.regressions || env.seed.is_some() {
        return Ok(Vec::new());
    }
    regressions::read(&regressions::path(target, env))
}

/// Warns about a binary without scenarios, and about a `--format` printed as pretty output.
fn warn(err: &mut dyn Write, entries: &[&'static ScenarioEntry], target: &Target, args: &Args) {
    if entries.is_empty() {
        let _ = writeln!(
            err,
            "warning: musil found no scenarios in `{}`. Scenarios register with #[musil::scenario] in \
             this target; one defined in another crate is only linked if this target names that crate \
             (e.g. `use that_crate as _;`).",
            target.krate
        );
    }
    if let Some(format) = &args.unsupported_format {
        let _ = writeln!(
            err,
            "warning: musil prints --format {format} as pretty output"
        );
    }
}

/// The threads to run trials on: `--test-threads`, else `RUST_TEST_THREADS`, else `MUSIL_JOBS`
/// (or the cores).
fn threads(args: &Args, env: &EnvSettings) -> usize {
    let from_libtest = || {
        std::env::var("RUST_TEST_THREADS")
            .ok()
            .and_then(|n| n.parse().ok())
            .filter(|&n| n > 0)
    };
    args.test_threads
        .or_else(from_libtest)
        .unwrap_or_else(|| env.jobs())
}

fn fail(err: &mut dyn Write, problem: &str) -> u8 {
    let _ = writeln!(err, "error: {problem}");
    101
}

/// What a run needs besides the trials.
struct Context<'a> {
    args: &'a Args,
    env: &'a EnvSettings,
    target: &'a Target,
    nextest: bool,
    threads: usize,
    /// The seed trials' coverage, for the coverage trials.
    board: &'a Board,
}

/// Runs the selection and prints it; `Ok(true)` if nothing failed.
fn execute(
    suite: &Suite,
    selection: &Selection,
    context: &Context<'_>,
    printer: &mut Printer<'_>,
) -> std::io::Result<bool> {
    let started = Instant::now();
    printer.header(selection.trials.len())?;
    let scenarios = build_wanted(suite, selection, context.args);
    let run_one = |index: usize| run_trial(suite, &scenarios, &selection.trials[index], context);
    let mut tally = Tally {
        filtered_out: selection.filtered_out,
        ..Tally::default()
    };
    let (mut shown, mut failures) = (Vec::new(), Vec::new());
    let mut written = Ok(());
    let trials = &selection.trials;
    pool::in_order(
        trials.len(),
        context.threads,
        Ahead::Unbounded,
        &run_one,
        |index, outcome| {
            let trial = &trials[index];
            written = printer.result(&trial.name, &outcome);
            match outcome {
                Outcome::Passed { found } => {
                    tally.passed += 1;
                    if let Some(found) = found.filter(|_| context.args.show_output) {
                        shown.push((trial.name.clone(), found));
                    }
                }
                Outcome::Failed(report) => {
                    tally.failed += 1;
                    failures.push((trial.name.clone(), report));
                }
                Outcome::Ignored => tally.ignored += 1,
            }
            match written {
                Ok(()) => ControlFlow::Continue(()),
                Err(_) => ControlFlow::Break(()),
            }
        },
    );
    written?;
    printer.finish(&shown, &failures, tally, started.elapsed())?;
    Ok(tally.failed == 0)
}

/// Whether `trial` runs, rather than being reported ignored.
fn runs(trial: &Trial, args: &Args) -> bool {
    !trial.ignored || args.ignored || args.include_ignored
}

/// Builds each scenario that a selected trial runs (`None` for the others). Building runs user
/// code (network and fault expressions, a model to explore): a panic there fails this
/// scenario's trials, not the whole run.
fn build_wanted(
    suite: &Suite,
    selection: &Selection,
    args: &Args,
) -> Vec<Option<Result<Box<dyn ErasedScenario>, String>>> {
    let wanted = |index: usize| {
        selection
            .trials
            .iter()
            .any(|t| t.scenario == index && runs(t, args))
    };
    (0..suite.scenarios.len())
        .map(|index| {
            let scenario = &suite.scenarios[index];
            wanted(index).then(|| {
                let _quiet = quiet();
                guarded(scenario.entry.build).map_err(|panic| {
                    format!("building scenario `{}` panicked: {panic}", scenario.path)
                })
            })
        })
        .collect()
}

/// Runs one trial: its seed (or all its scenario's seeds, for a `should_fail` scenario), with
/// the replay command that runs exactly this trial.
fn run_trial(
    suite: &Suite,
    scenarios: &[Option<Result<Box<dyn ErasedScenario>, String>>],
    trial: &Trial,
    context: &Context<'_>,
) -> Outcome {
    let built = scenarios[trial.scenario]
        .as_ref()
        .filter(|_| runs(trial, context.args));
    let scenario = match built {
        None => return Outcome::Ignored,
        Some(Err(problem)) => return Outcome::Failed(problem.clone()),
        Some(Ok(scenario)) => scenario.as_ref(),
    };
    let path = &suite.scenarios[trial.scenario].path;
    let report = run_runs(suite, scenario, trial, context);
    if let Some(note) = crate::plain::unjudged_coverage(path, &report, context.env) {
        return Outcome::Passed { found: Some(note) };
    }
    let recorded = regressions::remember(context.target, path, &report, context.env);
    // A sweep's report (its runs and coverage hits) is worth showing even when it passed.
    let sweep = matches!(trial.runs, Runs::Coverage | Runs::LongRun);
    let (passed, found) = (report.passed(), report.failure().is_some() || sweep);
    let text = match recorded {
        Some(line) => format!("{report}\n{line}"),
        None => report.to_string(),
    };
    match (passed, found) {
        (true, found) => Outcome::Passed {
            found: found.then_some(text),
        },
        (false, _) => Outcome::Failed(text),
    }
}

/// Runs what `trial` runs of `scenario`: a seed (noting its coverage on the board), a recorded
/// run, all seeds, the coverage verdict, or a long run.
fn run_runs(
    suite: &Suite,
    scenario: &dyn ErasedScenario,
    trial: &Trial,
    context: &Context<'_>,
) -> musil_core::SimReport<()> {
    let settings = trial_settings(suite, trial, context);
    let of_suite = &suite.scenarios[trial.scenario];
    match trial.runs {
        Runs::Coverage => {
            let seeds = &of_suite.coverage_seeds;
            coverage_trial::verdict(context.board, trial.scenario, scenario, seeds, &settings)
        }
        Runs::LongRun => match LongRun::new(&of_suite.path, context.env) {
            Some(long_run) => long_run.run(|next| scenario.sweep_erased(&settings, next)),
            None => scenario.run_erased(&settings),
        },
        Runs::Seed(seed) => {
            context.board.start(trial.scenario, seed);
            let report = scenario.run_erased(&settings);
            context.board.finish(trial.scenario, seed, &report);
            report
        }
        Runs::Regression(_) | Runs::AllSeeds => scenario.run_erased(&settings),
    }
}

/// What one trial runs: its seed (or all its scenario's seeds, for a `should_fail` scenario),
/// or one recorded run, with the replay command that runs exactly this trial.
fn trial_settings(suite: &Suite, trial: &Trial, context: &Context<'_>) -> RunSettings {
    let scenario = &suite.scenarios[trial.scenario];
    let base = RunSettings {
        seeds: Vec::new(),
        jobs: 1,
        max_steps: context.env.max_steps,
        replay: None,
        shrink: context.env.shrink,
        regressions: Vec::new(),
        determinism: context.env.determinism.unwrap_or_default(),
        hide_timers: context.env.hide_timers,
        trace_all: context.env.trace_all,
        coverage_verdict: true,
    };
    if let Runs::Regression(index) = trial.runs {
        let command =
            replay::test_command(context.target, &trial.name, trial.ignored, context.nextest);
        return RunSettings {
            regressions: vec![scenario.regressions[index].clone()],
            replay: Some(Replay::FixedSeeds(command)),
            ..base
        };
    }
    // Under `MUSIL_SEED=N` every trial of the scenario is named `path::seed_N`.
    let name = match trial.runs {
        Runs::Coverage => format!("{}::coverage", scenario.path),
        _ => format!("{}::seed_{{seed}}", scenario.path),
    };
    let command = replay::test_command(context.target, &name, trial.ignored, context.nextest);
    let determinism = determinism_of(base.determinism, trial, &scenario.seeds);
    RunSettings {
        seeds: match trial.runs {
            Runs::Seed(seed) => vec![seed],
            _ => scenario.seeds.clone(),
        },
        replay: Some(Replay::Command(command)),
        // A long run is one trial that sweeps: it gets the `MUSIL_JOBS` threads a plain run has.
        jobs: match trial.runs {
            Runs::LongRun => context.env.jobs(),
            _ => 1,
        },
        regressions: match trial.runs {
            Runs::LongRun => scenario.regressions.clone(),
            _ => Vec::new(),
        },
        determinism,
        // One seed (a seed trial, or `MUSIL_SEED`) is not the sweep a coverage verdict is about.
        coverage_verdict: !matches!(trial.runs, Runs::Seed(_)) && context.env.seed.is_none(),
        ..base
    }
}

/// Which of a trial's runs check their determinism: with one trial per seed, the default
/// (`first`) checks only the scenario's first seed; the coverage trial checks none (it reruns
/// seeds only to count).
fn determinism_of(chosen: Determinism, trial: &Trial, seeds: &[u64]) -> Determinism {
    let first = match trial.runs {
        Runs::Seed(seed) => seeds.first() == Some(&seed),
        Runs::Coverage => false,
        _ => true,
    };
    match chosen {
        Determinism::First if !first => Determinism::Off,
        chosen => chosen,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::DeclaredSeeds;
    use musil_core::{Context as NodeContext, Node, NodeId, NodeVisitor, Scenario, System};

    /// Counts to `limit` on a timer: a one-node system written by hand (no derive here).
    #[derive(Debug, Default)]
    struct Counter {
        count: u32,
    }

    impl Node<()> for Counter {
        fn on_start(&mut self, ctx: &mut NodeContext<()>) {
            ctx.set_timer("tick", 1);
        }
        fn on_timer(&mut self, ctx: &mut NodeContext<()>, _: &'static str) {
            self.count += 1;
            if self.count < 3 {
                ctx.set_timer("tick", 1);
            }
        }
    }

    impl System<()> for Counter {
        fn node_count(&self) -> usize {
            1
        }
        fn node_name(&self, _: NodeId) -> std::borrow::Cow<'static, str> {
            "counter".into()
        }
        fn visit_node<V: NodeVisitor<()>>(&mut self, _: NodeId, visitor: V) -> V::Output {
            visitor.visit(self)
        }
        fn replace_node(&mut self, _: NodeId, fresh: &mut Self) {
            std::mem::swap(self, fresh)
        }
    }

    fn counts_to_three() -> Box<dyn ErasedScenario> {
        Box::new(Scenario::new(Counter::default).goal("three", |c: &Counter| c.count == 3))
    }

    fn counts_to_four() -> Box<dyn ErasedScenario> {
        Box::new(Scenario::new(Counter::default).goal("four", |c: &Counter| c.count == 4))
    }

    const TARGET: Target = Target {
        package: "pkg",
        krate: "suite",
        integration_test: true,
        manifest_dir: "/nonexistent/musil-test-fixture",
    };

    fn entry(name: &'static str, build: fn() -> Box<dyn ErasedScenario>) -> &'static ScenarioEntry {
        let seeds = DeclaredSeeds::Range(0, 2);
        let (file, line, ignore, expects_failure) = ("t.rs", 1, false, false);
        let module_path = "suite::count";
        Box::leak(Box::new(ScenarioEntry {
            name,
            module_path,
            file,
            line,
            ignore,
            expects_failure,
            seeds,
            target: TARGET,
            build,
        }))
    }

    fn harness(
        argv: &[&str],
        entries: &[&'static ScenarioEntry],
        nextest: bool,
    ) -> (u8, String, String) {
        let argv: Vec<String> = argv.iter().map(|a| a.to_string()).collect();
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let code = run(
            &argv,
            &TARGET,
            entries,
            Ok(EnvSettings::default()),
            nextest,
            &mut out,
            &mut err,
        );
        (
            code,
            String::from_utf8(out).unwrap(),
            String::from_utf8(err).unwrap(),
        )
    }

    #[test]
    fn an_empty_registry_is_a_warning() {
        let (code, out, err) = harness(&["--list", "--format", "terse"], &[], false);
        assert_eq!((code, out.as_str()), (0, ""));
        assert!(
            err.contains("warning: musil found no scenarios in `suite`"),
            "{err}"
        );
    }

    #[test]
    fn a_run_prints_results_failures_with_replay_lines_and_the_closing_line() {
        let entries = [entry("good", counts_to_three), entry("bad", counts_to_four)];
        let (code, out, _) = harness(&["--test-threads", "2"], &entries, false);
        assert_eq!(code, 101);
        let results: Vec<&str> = out
            .lines()
            .filter(|l| l.starts_with("test count::"))
            .collect();
        assert_eq!(
            results,
            [
                "test count::bad::seed_0 ... FAILED",
                "test count::bad::seed_1 ... FAILED",
                "test count::bad::coverage ... ok",
                "test count::good::seed_0 ... ok",
                "test count::good::seed_1 ... ok",
                "test count::good::coverage ... ok"
            ]
        );
        assert!(out.contains("replay: MUSIL_SEED=1 cargo test -p pkg --test suite -- count::bad::seed_1 --exact\n"), "{out}");
        assert!(
            out.contains(
                "test result: FAILED. 4 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out;"
            ),
            "{out}"
        );
    }

    #[test]
    fn under_nextest_the_replay_line_is_a_nextest_command() {
        let (code, out, _) = harness(
            &["--exact", "count::bad::seed_0"],
            &[entry("bad", counts_to_four)],
            true,
        );
        assert_eq!(code, 101);
        assert!(out.contains("replay: MUSIL_SEED=0 cargo nextest run -p pkg --test suite -E 'test(=count::bad::seed_0)'"), "{out}");
        assert!(out.contains("2 filtered out"), "{out}");
    }

    fn never_reaches_four() -> Box<dyn ErasedScenario> {
        let scenario = Scenario::new(Counter::default)
            .sometimes("reached four", |c: &Counter| c.count == 4)
            .sometimes("reached two", |c: &Counter| c.count == 2);
        Box::new(scenario)
    }

    #[test]
    fn the_coverage_trial_fails_a_site_no_seed_trial_saw_hold() {
        let entries = [entry("uncovered", never_reaches_four)];
        for threads in ["1", "2"] {
            let (code, out, _) = harness(&["--test-threads", threads], &entries, false);
            assert_eq!(code, 101, "{out}");
            assert!(
                out.contains("test count::uncovered::seed_1 ... ok"),
                "{out}"
            );
            assert!(
                out.contains("test count::uncovered::coverage ... FAILED"),
                "{out}"
            );
            assert!(out.contains("`reached four` never held in 2 runs"), "{out}");
        }
        // Alone (as under nextest), the coverage trial runs the seeds itself.
        let (code, out, _) = harness(&["--exact", "count::uncovered::coverage"], &entries, false);
        assert_eq!(code, 101, "{out}");
        assert!(out.contains("`reached four` never held in 2 runs"), "{out}");
        assert!(
            out.contains("1 passed; 1 failed") || out.contains("0 passed; 1 failed"),
            "{out}"
        );
    }

    #[test]
    fn the_coverage_trial_passes_when_every_site_held_and_prints_the_hits() {
        let covered = || -> Box<dyn ErasedScenario> {
            Box::new(
                Scenario::new(Counter::default)
                    .sometimes("reached two", |c: &Counter| c.count == 2),
            )
        };
        let entries = [entry("covered", covered)];
        let (code, out, _) = harness(&["--show-output"], &entries, false);
        assert_eq!(code, 0, "{out}");
        assert!(
            out.contains("test count::covered::coverage ... ok"),
            "{out}"
        );
        assert!(
            out.contains("coverage (observations that held): reached two: 2"),
            "{out}"
        );
    }

    fn explodes() -> Box<dyn ErasedScenario> {
        panic!("no network for you")
    }

    #[test]
    fn a_scenario_whose_builder_panics_fails_alone() {
        let entries = [entry("good", counts_to_three), entry("broken", explodes)];
        let (code, out, _) = harness(&[], &entries, false);
        assert_eq!(code, 101);
        assert!(
            out.contains("test count::broken::seed_0 ... FAILED"),
            "{out}"
        );
        assert!(
            out.contains("building scenario `count::broken` panicked: no network for you"),
            "{out}"
        );
        assert!(out.contains("test count::good::seed_1 ... ok"), "{out}");
        assert!(
            out.contains("test result: FAILED. 3 passed; 3 failed;"),
            "{out}"
        );
    }

    #[test]
    fn a_bad_flag_exits_101_with_libtests_message() {
        let (code, _, err) = harness(&["--seed", "7"], &[], false);
        assert_eq!(
            (code, err.as_str()),
            (101, "error: Unrecognized option: 'seed'\n")
        );
    }
}
