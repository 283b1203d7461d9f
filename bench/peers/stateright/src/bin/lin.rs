//! stateright-lin: the `hist_*` workloads of bench/WORKLOADS.md checked by stateright's
//! `LinearizabilityTester`, as a performance anchor for musil's history checker. It reads the
//! history log musil's bench program wrote (`bench hist_… --write-only` prints its path) and
//! parses it itself (the format is documented in musil-core's `history/log.rs`; this binary
//! does not depend on musil).
//!
//!   stateright-lin LOG [--per-key] [--reps R] [--timeout-s S] [--once]
//!
//! Timed region, as on musil's side: reading the file, parsing it, feeding each event to the
//! tester (thread id = client) and `serialized_history()`. A `register` log is checked against
//! stateright's own `Register<Option<i64>>` (`None`: never written), a `kv` log against the map
//! below: whole (stateright's tester has no partitioning by key), or with `--per-key` split by
//! key first, one tester per key (what musil's checker does by itself).
//!
//! Without `--once` the binary re-executes itself R times with `--once` (a fresh process each)
//! and prints ONE aggregated JSON line, shaped like stateright-bench's. A repetition running
//! longer than `--timeout-s` (default 60) is killed; the line then says `"finished": false` and
//! no further repetition runs.

#[path = "../measure.rs"]
mod measure;
use measure::{median, peak_rss_kib, round};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use stateright::semantics::register::{Register, RegisterOp, RegisterRet};
use stateright::semantics::{ConsistencyTester, LinearizabilityTester, SequentialSpec};

const STATERIGHT_VERSION: &str = "0.31.0";

/// A map of keys to values, as stateright's `SequentialSpec`.
#[derive(Clone, Debug, Default, Hash, PartialEq)]
struct Map(BTreeMap<u64, i64>);

#[derive(Clone, Debug, Hash, PartialEq)]
enum MapOp {
    Get(u64),
    Put(u64, i64),
    Delete(u64),
}

#[derive(Clone, Debug, Hash, PartialEq)]
enum MapRet {
    Ok,
    Value(Option<i64>),
}

impl SequentialSpec for Map {
    type Op = MapOp;
    type Ret = MapRet;

    fn invoke(&mut self, op: &MapOp) -> MapRet {
        match op {
            MapOp::Get(k) => MapRet::Value(self.0.get(k).copied()),
            MapOp::Put(k, v) => {
                self.0.insert(*k, *v);
                MapRet::Ok
            }
            MapOp::Delete(k) => {
                self.0.remove(k);
                MapRet::Ok
            }
        }
    }

    fn is_valid_step(&mut self, op: &MapOp, ret: &MapRet) -> bool {
        match (op, ret) {
            (MapOp::Get(k), MapRet::Value(v)) => self.0.get(k) == v.as_ref(),
            (MapOp::Get(_), MapRet::Ok) | (_, MapRet::Value(_)) => false,
            (op, MapRet::Ok) => self.invoke(op) == MapRet::Ok,
        }
    }
}

/// What a log line's words mean for one kind of object.
trait LogKind: SequentialSpec + Default + Clone {
    fn parse_op(words: &[&str]) -> Option<Self::Op>;
    fn parse_ret(word: &str, op: &Self::Op) -> Option<Self::Ret>;
}

fn parse_value(word: &str) -> Option<Option<i64>> {
    match word {
        "nil" => Some(None),
        n => n.parse().ok().map(Some),
    }
}

impl LogKind for Register<Option<i64>> {
    fn parse_op(words: &[&str]) -> Option<RegisterOp<Option<i64>>> {
        match words {
            ["read"] => Some(RegisterOp::Read),
            ["write", v] => Some(RegisterOp::Write(Some(v.parse().ok()?))),
            _ => None,
        }
    }

    fn parse_ret(word: &str, op: &RegisterOp<Option<i64>>) -> Option<RegisterRet<Option<i64>>> {
        match op {
            RegisterOp::Write(_) => (word == "ok").then_some(RegisterRet::WriteOk),
            RegisterOp::Read => parse_value(word).map(RegisterRet::ReadOk),
        }
    }
}

impl LogKind for Map {
    fn parse_op(words: &[&str]) -> Option<MapOp> {
        match words {
            ["get", k] => Some(MapOp::Get(k.parse().ok()?)),
            ["put", k, v] => Some(MapOp::Put(k.parse().ok()?, v.parse().ok()?)),
            ["delete", k] => Some(MapOp::Delete(k.parse().ok()?)),
            _ => None,
        }
    }

    fn parse_ret(word: &str, op: &MapOp) -> Option<MapRet> {
        match op {
            MapOp::Get(_) => parse_value(word).map(MapRet::Value),
            _ => (word == "ok").then_some(MapRet::Ok),
        }
    }
}

/// Feeds the log's events (after its header line) to a fresh tester, in line order; returns
/// the tester and the number of operations.
fn tester<S>(body: &str) -> Result<(LinearizabilityTester<u64, S>, usize), String>
where
    S: LogKind,
    S::Op: Clone + std::fmt::Debug,
    S::Ret: Clone + std::fmt::Debug,
{
    let mut tester = LinearizabilityTester::new(S::default());
    let mut open: BTreeMap<u64, S::Op> = BTreeMap::new();
    let mut operations = 0;
    for (n, line) in body.lines().enumerate() {
        let line = line.split('#').next().unwrap_or("").trim();
        let words: Vec<&str> = line.split_whitespace().collect();
        let bad = || format!("line {}: cannot read `{line}`", n + 2);
        match words.as_slice() {
            [] => {}
            ["invoke", client, _time, op @ ..] => {
                let client: u64 = client.parse().map_err(|_| bad())?;
                let op = S::parse_op(op).ok_or_else(bad)?;
                tester.on_invoke(client, op.clone())?;
                open.insert(client, op);
                operations += 1;
            }
            ["ok", client, _time, ret] => {
                let client: u64 = client.parse().map_err(|_| bad())?;
                let op = open.remove(&client).ok_or_else(bad)?;
                tester.on_return(client, S::parse_ret(ret, &op).ok_or_else(bad)?)?;
            }
            _ => return Err(format!("{}: only invoke and ok lines are supported", bad())),
        }
    }
    Ok((tester, operations))
}

/// Checks a `kv` log's body key by key, one tester per key (what musil does; stateright's tester
/// has no partitioning of its own): (linearizable, operations).
fn check_per_key(body: &str) -> Result<(bool, usize), String> {
    let mut by_key: BTreeMap<u64, String> = BTreeMap::new();
    let mut open: BTreeMap<u64, u64> = BTreeMap::new();
    for line in body.lines() {
        let line = line.split('#').next().unwrap_or("").trim();
        let words: Vec<&str> = line.split_whitespace().collect();
        let key = match words.as_slice() {
            ["invoke", client, _, _, key, ..] => {
                let key: u64 = key.parse().map_err(|_| format!("bad key in `{line}`"))?;
                open.insert(client.parse().map_err(|_| format!("bad client in `{line}`"))?, key);
                key
            }
            [_, client, ..] => {
                let client: u64 = client.parse().map_err(|_| format!("bad client in `{line}`"))?;
                *open.get(&client).ok_or_else(|| format!("`{line}`: no open operation"))?
            }
            [] => continue,
            [_] => return Err(format!("cannot read `{line}`")),
        };
        let part = by_key.entry(key).or_default();
        part.push_str(line);
        part.push('\n');
    }
    let operations = body.lines().filter(|l| l.starts_with("invoke ")).count();
    for part in by_key.values() {
        if !check::<Map>(part)?.0 {
            return Ok((false, operations));
        }
    }
    Ok((true, operations))
}

/// Checks `body` for linearizability against `S`: (linearizable, operations).
fn check<S>(body: &str) -> Result<(bool, usize), String>
where
    S: LogKind,
    S::Op: Clone + std::fmt::Debug,
    S::Ret: Clone + std::fmt::Debug + PartialEq,
{
    let (tester, operations) = tester::<S>(body)?;
    Ok((tester.serialized_history().is_some(), operations))
}

/// The timed region: read, parse, check. Returns (kind, linearizable, operations).
fn read_and_check(path: &str, per_key: bool) -> Result<(String, bool, usize), String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    let (header, body) = text.split_once('\n').unwrap_or((&text, ""));
    let kind = header.trim().strip_prefix("# musil-history v1 ").unwrap_or("");
    let (ok, operations) = match kind {
        "register" => check::<Register<Option<i64>>>(body)?,
        "kv" if per_key => check_per_key(body)?,
        "kv" => check::<Map>(body)?,
        _ => return Err(format!("{path}: not a musil-history v1 register or kv log")),
    };
    Ok((kind.to_string(), ok, operations))
}


fn workload_name(kind: &str) -> &'static str {
    if kind == "kv" { "hist_linearizable_kv" } else { "hist_register_hard" }
}

/// One repetition: the check on a thread with a stack deep enough for stateright's recursion
/// (one frame per operation), and its JSON line.
fn run_once(o: &Opts) {
    let (path_owned, per_key) = (o.path.clone(), o.per_key);
    let started = Instant::now();
    let worker = std::thread::Builder::new()
        .stack_size(4 << 30)
        .spawn(move || read_and_check(&path_owned, per_key))
        .expect("spawn the checking thread");
    let result = worker.join().expect("the checking thread");
    let wall = started.elapsed().as_secs_f64();
    let (kind, ok, operations) = result.unwrap_or_else(|e| {
        eprintln!("stateright-lin: {e}");
        std::process::exit(1)
    });
    let out = json!({
        "workload": workload_name(&kind),
        "tool": "stateright",
        "wall_s": wall,
        "counts": {"operations": operations},
        "verdict": if ok { "linearizable" } else { "not linearizable" },
        "peak_rss_kib": peak_rss_kib(),
    });
    println!("{out}");
}

/// Runs one repetition in a fresh process; `None` if it ran past `timeout`.
fn child(o: &Opts) -> Option<Value> {
    let timeout = Duration::from_secs(o.timeout_s);
    let exe = std::env::current_exe().expect("current_exe");
    let per_key = if o.per_key { &["--per-key"][..] } else { &[] };
    let mut process = Command::new(exe)
        .args([o.path.as_str(), "--once"])
        .args(per_key)
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn child rep");
    let started = Instant::now();
    loop {
        if process.try_wait().expect("wait for the child").is_some() {
            break;
        }
        if started.elapsed() > timeout {
            let _ = process.kill();
            let _ = process.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = process.wait_with_output().expect("child output");
    if !out.status.success() {
        panic!("child rep failed: {}", out.status);
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout.trim().lines().last().expect("child printed nothing");
    Some(serde_json::from_str(line).expect("child JSON"))
}



/// The operations a log holds and its workload's name, read without checking (for the line of
/// a row that did not finish).
fn describe(path: &str) -> (usize, &'static str) {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let kv = text.starts_with("# musil-history v1 kv");
    let operations = text.lines().filter(|l| l.starts_with("invoke ")).count();
    (operations, workload_name(if kv { "kv" } else { "register" }))
}

fn run_parent(o: &Opts) {
    let mut runs: Vec<Value> = Vec::new();
    for _ in 0..o.reps {
        match child(o) {
            Some(run) => runs.push(run),
            None => {
                let (operations, workload) = describe(&o.path);
                let out = json!({
                    "workload": workload,
                    "tool": "stateright",
                    "stateright_version": STATERIGHT_VERSION,
                    "params": {"log": o.path, "per_key": o.per_key},
                    "finished": false,
                    "timeout_s": o.timeout_s,
                    "reps": runs.len(),
                    "throughput": {},
                    "counts": {"operations": operations},
                });
                println!("{out}");
                return;
            }
        }
    }
    aggregate(o, &runs);
}

/// The one line of finished repetitions (their counts and verdicts must agree).
fn aggregate(o: &Opts, runs: &[Value]) {
    let (counts0, verdict0) = (runs[0]["counts"].clone(), runs[0]["verdict"].clone());
    if runs.iter().any(|r| r["counts"] != counts0 || r["verdict"] != verdict0) {
        eprintln!("stateright-lin: repetitions disagree");
        std::process::exit(1);
    }
    let walls: Vec<f64> = runs.iter().map(|r| r["wall_s"].as_f64().unwrap()).collect();
    let med = median(&walls);
    let min = walls.iter().cloned().fold(f64::INFINITY, f64::min);
    let max = walls.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let operations = counts0["operations"].as_u64().unwrap();
    let out = json!({
        "workload": runs[0]["workload"],
        "tool": "stateright",
        "stateright_version": STATERIGHT_VERSION,
        "params": {"log": o.path, "per_key": o.per_key},
        "finished": true,
        "reps": runs.len(),
        "wall_s_median": round(med, 4),
        "wall_s_min": round(min, 4),
        "wall_s_max": round(max, 4),
        "wall_s_all": walls.iter().map(|w| round(*w, 4)).collect::<Vec<_>>(),
        "throughput": {"ops_per_s": round(operations as f64 / med, 1)},
        "counts": counts0,
        "verdict": verdict0,
        "peak_rss_kib": runs.iter().map(|r| r["peak_rss_kib"].as_i64().unwrap()).max(),
    });
    println!("{out}");
}

fn usage() -> ! {
    eprintln!("usage: stateright-lin LOG [--per-key] [--reps R] [--timeout-s S] [--once]");
    std::process::exit(2)
}

/// The command line.
struct Opts {
    path: String,
    per_key: bool,
    reps: usize,
    timeout_s: u64,
    once: bool,
}

fn parse_args() -> Opts {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (mut path, mut per_key, mut reps, mut timeout_s, mut once) = (None, false, 3, 60, false);
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut val = || it.next().cloned().unwrap_or_else(|| usage());
        match a.as_str() {
            "--per-key" => per_key = true,
            "--reps" => reps = val().parse().unwrap_or_else(|_| usage()),
            "--timeout-s" => timeout_s = val().parse().unwrap_or_else(|_| usage()),
            "--once" => once = true,
            p if !p.starts_with("--") && path.is_none() => path = Some(p.to_string()),
            _ => usage(),
        }
    }
    let Some(path) = path else { usage() };
    Opts { path, per_key, reps: reps.max(1), timeout_s, once }
}

fn main() {
    let o = parse_args();
    if o.once {
        run_once(&o);
    } else {
        run_parent(&o);
    }
}
