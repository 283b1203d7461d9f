//! The measurement protocol of `bench/WORKLOADS.md`: fresh-process repetitions, the median wall
//! time of the timed region, counts that must agree, peak RSS, and one JSON line.

use std::fmt::Write as _;
use std::process::{Command, ExitCode};
use std::time::Instant;

/// Deterministic counts of one run of a workload, in output order.
pub type Counts = Vec<(&'static str, u64)>;

/// A workload: how to run it once, what its throughput is, and how to describe its parameters.
pub struct Workload {
    /// Runs the workload once (everything inside is timed) and returns its counts.
    pub run: fn(&Options) -> Counts,
    /// Throughput figures: `(name, count it divides)` by the median wall time.
    pub throughput: &'static [(&'static str, &'static str)],
    /// The parameters, as JSON members.
    pub params: fn(&Options) -> String,
}

/// The command line shared by all workloads (each uses the flags it needs).
#[derive(Clone, Debug)]
pub struct Options {
    pub nodes: usize,
    pub steps: u64,
    pub seeds: u64,
    pub scenario: String,
    pub model: String,
    pub size: usize,
    pub variant: String,
    /// sim_storage: `disk` (append + sync per write), `none` (no disk), `send` (an extra message
    /// per write instead of the disk): the three runs that price a disk operation.
    pub mode: String,
    pub threads: usize,
    /// hist_*: the operations of the generated history (`None`: the workload's default).
    pub ops: Option<u64>,
    /// hist_*: only write the history's log file and print its path (no measurement).
    pub write_only: bool,
    pub reps: usize,
    pub once: bool,
    /// The arguments, to pass on to the repetitions.
    raw: Vec<String>,
}

impl Options {
    pub fn parse(args: &[String]) -> Result<Self, String> {
        let mut options = Options {
            nodes: 2,
            steps: 2_000_000,
            seeds: 100_000,
            scenario: "wrong_answer".into(),
            model: "dining".into(),
            size: 14,
            variant: "someone_eats".into(),
            mode: "disk".into(),
            threads: 1,
            ops: None,
            write_only: false,
            reps: 3,
            once: false,
            raw: Vec::new(),
        };
        let mut args = args.iter();
        while let Some(flag) = args.next() {
            if flag == "--once" {
                options.once = true;
                continue;
            }
            if flag == "--write-only" {
                options.write_only = true;
                continue;
            }
            let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
            let number = || {
                value
                    .parse::<u64>()
                    .map_err(|_| format!("{flag} {value}: not a number"))
            };
            match flag.as_str() {
                "--nodes" => options.nodes = number()? as usize,
                "--steps" => options.steps = number()?,
                "--seeds" => options.seeds = number()?,
                "--scenario" => options.scenario = value.clone(),
                "--model" => options.model = value.clone(),
                "--size" => options.size = number()? as usize,
                "--variant" => options.variant = value.clone(),
                "--mode" => options.mode = value.clone(),
                "--threads" => options.threads = number()? as usize,
                "--ops" => options.ops = Some(number()?),
                "--reps" => {
                    options.reps = number()? as usize;
                    continue;
                }
                other => return Err(format!("unknown flag {other}")),
            }
            options.raw.extend([flag.clone(), value.clone()]);
        }
        Ok(options)
    }
}

/// Peak resident set of this process in KiB (Linux: `VmHWM`), 0 where unknown.
fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn counts_json(counts: &Counts) -> String {
    let members: Vec<String> = counts
        .iter()
        .map(|(k, v)| format!("\"{k}\": {v}"))
        .collect();
    format!("{{{}}}", members.join(", "))
}

pub fn main(name: &str, workload: &Workload, options: &Options) -> ExitCode {
    if options.once {
        let started = Instant::now();
        let counts = (workload.run)(options);
        let wall = started.elapsed().as_secs_f64();
        println!(
            "{{\"workload\": \"{name}\", \"wall_s\": {wall}, \"counts\": {}, \"peak_rss_kib\": {}}}",
            counts_json(&counts),
            peak_rss_kib()
        );
        return ExitCode::SUCCESS;
    }
    let Ok(program) = std::env::current_exe() else {
        eprintln!("bench: cannot find this program to run its repetitions");
        return ExitCode::FAILURE;
    };
    let mut runs = Vec::new();
    for _ in 0..options.reps.max(1) {
        let output = Command::new(&program)
            .arg(name)
            .args(&options.raw)
            .arg("--once")
            .output();
        match output {
            Ok(output) if output.status.success() => {
                runs.push(String::from_utf8_lossy(&output.stdout).into_owned())
            }
            Ok(output) => {
                eprintln!(
                    "bench: a repetition failed:\n{}",
                    String::from_utf8_lossy(&output.stderr)
                );
                return ExitCode::FAILURE;
            }
            Err(error) => {
                eprintln!("bench: cannot run a repetition: {error}");
                return ExitCode::FAILURE;
            }
        }
    }
    match aggregate(name, workload, options, &runs) {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(problem) => {
            eprintln!("bench: {problem}");
            ExitCode::FAILURE
        }
    }
}

/// A number after `"key": ` in a one-line JSON object we printed ourselves.
fn field<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    let start = line.find(&format!("\"{key}\": "))? + key.len() + 4;
    let rest = &line[start..];
    let end = if rest.starts_with('{') {
        rest.find('}')? + 1
    } else {
        rest.find([',', '}'])?
    };
    Some(&rest[..end])
}

/// The one line of a workload's repetitions: the counts they agree on, wall times, throughput
/// from the median, and the peak RSS.
fn aggregate(
    name: &str,
    workload: &Workload,
    options: &Options,
    runs: &[String],
) -> Result<String, String> {
    let counts = agreed_counts(name, runs)?;
    let mut walls: Vec<f64> = numbers(runs, "wall_s")?;
    let rss: Vec<u64> = numbers(runs, "peak_rss_kib")?;
    walls.sort_by(f64::total_cmp);
    let median = walls[walls.len() / 2];
    let throughput = throughput(workload, &counts, median)?;
    let mut line = String::new();
    let _ = write!(
        line,
        "{{\"workload\": \"{name}\", \"params\": {{{}}}, \"reps\": {}, \"wall_s_median\": {median:.4}, \
         \"wall_s_min\": {:.4}, \"wall_s_max\": {:.4}, \"throughput\": {{{}}}, \"counts\": {counts}, \
         \"peak_rss_kib\": {}, \"impl\": \"musil (Rust)\"}}",
        (workload.params)(options),
        runs.len(),
        walls[0],
        walls[walls.len() - 1],
        throughput.join(", "),
        rss.iter().max().copied().unwrap_or(0)
    );
    Ok(line)
}

/// The member `key` of a repetition's line, or an error naming both.
fn member(run: &str, key: &str) -> Result<String, String> {
    field(run, key)
        .map(str::to_string)
        .ok_or(format!("no {key} in {run}"))
}

/// The counts of the first repetition, which every repetition must repeat.
fn agreed_counts(name: &str, runs: &[String]) -> Result<String, String> {
    let counts = member(&runs[0], "counts")?;
    for run in runs {
        if member(run, "counts")? != counts {
            return Err(format!(
                "{name}: counts differ between repetitions: {counts} vs {}",
                member(run, "counts")?
            ));
        }
    }
    Ok(counts)
}

/// The number `key` of every repetition.
fn numbers<T: std::str::FromStr>(runs: &[String], key: &str) -> Result<Vec<T>, String>
where
    T::Err: std::fmt::Display,
{
    runs.iter()
        .map(|run| member(run, key)?.parse::<T>().map_err(|e| e.to_string()))
        .collect()
}

/// The workload's throughput figures, as JSON members: each count divided by `median` seconds.
fn throughput(workload: &Workload, counts: &str, median: f64) -> Result<Vec<String>, String> {
    let mut throughput = Vec::new();
    for (figure, count) in workload.throughput {
        let value: f64 = field(counts, count)
            .ok_or(format!("no count {count}"))?
            .trim()
            .parse()
            .map_err(|_| format!("bad count {count}"))?;
        throughput.push(format!("\"{figure}\": {:.1}", value / median));
    }
    Ok(throughput)
}

/// The threads a scenario's seeds run on (`MUSIL_JOBS`, default: the cores).
pub fn jobs() -> usize {
    musil::seeds::EnvSettings::from_env().map_or(1, |env| env.jobs())
}

/// The counts of a many-seed workload: runs, steps, and "snapshots" (one oracle observation after
/// each start and each step: what the Python reference counts).
pub fn seed_counts(runs: usize, steps: u64) -> Counts {
    let runs = runs as u64;
    vec![
        ("runs", runs),
        ("steps", steps),
        ("snapshots", steps + runs),
    ]
}
