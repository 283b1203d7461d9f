//! `musil::main!()`: the entry point of a `harness = false` target. It lists or runs the
//! selected trials on a thread pool and prints their results in name order, as libtest would.

use std::collections::BTreeMap;
use std::io::Write;
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Instant;

use musil_core::registry::{self, ErasedScenario, ScenarioEntry, Target};
use musil_core::seeds::EnvSettings;

use crate::args::{self, Args, USAGE};
use crate::printer::{Outcome, Printer, Tally};
use crate::replay;
use crate::trials::{Selection, Suite, Trial};

/// Runs the registered scenarios of the binary `target` with the process's arguments and
/// environment.
pub fn run_main(target: Target) -> ExitCode {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let env = EnvSettings::from_env();
    let code = run(
        &argv,
        &target,
        &registry::scenarios(),
        env,
        &mut std::io::stdout(),
        &mut std::io::stderr(),
    );
    ExitCode::from(code)
}

/// The harness, with everything it reads passed in: returns the exit code (0, or 101).
pub fn run(
    argv: &[String],
    target: &Target,
    entries: &[&'static ScenarioEntry],
    env: Result<EnvSettings, musil_core::seeds::EnvError>,
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
    let suite = Suite::new(entries, target, &env);
    let selection = suite.select(&args);
    let mut printer = Printer::new(out, args.format);
    if args.list {
        return match printer.list(selection.trials.iter().map(|t| t.name.as_str())) {
            Ok(()) => 0,
            Err(_) => 101,
        };
    }
    let threads = args
        .test_threads
        .or_else(|| {
            std::env::var("RUST_TEST_THREADS")
                .ok()
                .and_then(|n| n.parse().ok())
                .filter(|&n| n > 0)
        })
        .unwrap_or_else(|| env.jobs());
    match execute(
        &suite,
        &selection,
        &args,
        &env,
        target,
        threads,
        &mut printer,
    ) {
        Ok(true) => 0,
        Ok(false) | Err(_) => 101,
    }
}

fn fail(err: &mut dyn Write, problem: &str) -> u8 {
    let _ = writeln!(err, "error: {problem}");
    101
}

/// Runs the selection and prints it; `Ok(true)` if nothing failed.
fn execute(
    suite: &Suite,
    selection: &Selection,
    args: &Args,
    env: &EnvSettings,
    target: &Target,
    threads: usize,
    printer: &mut Printer<'_>,
) -> std::io::Result<bool> {
    let started = Instant::now();
    printer.header(selection.trials.len())?;
    let runs = |trial: &Trial| !trial.ignored || args.ignored || args.include_ignored;
    let scenarios: Vec<Option<Box<dyn ErasedScenario>>> = (0..suite.scenarios.len())
        .map(|index| {
            let wanted = selection
                .trials
                .iter()
                .any(|t| t.scenario == index && runs(t));
            wanted.then(|| (suite.scenarios[index].entry.build)())
        })
        .collect();
    let nextest = replay::under_nextest();
    let run_one = |trial: &Trial| -> Outcome {
        let Some(scenario) = scenarios[trial.scenario].as_deref().filter(|_| runs(trial)) else {
            return Outcome::Ignored;
        };
        let plan = &suite.scenarios[trial.scenario].plan;
        let seeds = trial.seed.map_or_else(|| plan.clone(), |seed| vec![seed]);
        // Under `MUSIL_SEED=N` every trial of the scenario is named `path::seed_N`.
        let name = format!("{}::seed_{{seed}}", suite.scenarios[trial.scenario].path);
        let command = replay::command(target, &name, trial.ignored, nextest);
        let report = scenario.run_erased(&seeds, 1, env.max_steps, &command);
        match (report.passed(), report.failure().is_some()) {
            (true, found) => Outcome::Passed {
                found: found.then(|| report.to_string()),
            },
            (false, _) => Outcome::Failed(report.to_string()),
        }
    };
    let mut tally = Tally {
        filtered_out: selection.filtered_out,
        ..Tally::default()
    };
    let (mut shown, mut failures) = (Vec::new(), Vec::new());
    let mut record =
        |printer: &mut Printer<'_>, trial: &Trial, outcome: Outcome| -> std::io::Result<()> {
            printer.result(&trial.name, &outcome)?;
            match outcome {
                Outcome::Passed { found } => {
                    tally.passed += 1;
                    if let Some(found) = found.filter(|_| args.show_output) {
                        shown.push((trial.name.clone(), found));
                    }
                }
                Outcome::Failed(report) => {
                    tally.failed += 1;
                    failures.push((trial.name.clone(), report));
                }
                Outcome::Ignored => tally.ignored += 1,
            }
            Ok(())
        };
    in_order(&selection.trials, threads, &run_one, |trial, outcome| {
        record(printer, trial, outcome)
    })?;
    printer.finish(&shown, &failures, tally, started.elapsed())?;
    Ok(tally.failed == 0)
}

/// Runs `work` on every trial with `threads` workers and hands the outcomes to `report` in
/// trial order, each as soon as all earlier ones are done.
fn in_order(
    trials: &[Trial],
    threads: usize,
    work: &(dyn Fn(&Trial) -> Outcome + Sync),
    mut report: impl FnMut(&Trial, Outcome) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let next = AtomicUsize::new(0);
    let (send, receive) = mpsc::channel::<(usize, Outcome)>();
    std::thread::scope(|scope| {
        for _ in 0..threads.clamp(1, trials.len().max(1)) {
            let send = send.clone();
            let next = &next;
            scope.spawn(move || {
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(trial) = trials.get(index) else {
                        break;
                    };
                    if send.send((index, work(trial))).is_err() {
                        break;
                    }
                }
            });
        }
        drop(send);
        let mut waiting = BTreeMap::new();
        let mut due = 0;
        for (index, outcome) in receive {
            waiting.insert(index, outcome);
            while let Some(outcome) = waiting.remove(&due) {
                report(&trials[due], outcome)?;
                due += 1;
            }
        }
        Ok(())
    })
}
