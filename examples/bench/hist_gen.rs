//! The generator of the hist_* workloads' histories: a seeded PCG, a schedule of overlapping
//! operations (one open operation per client, a linearization point strictly inside each), the
//! returns a correct object gives when the operations take effect at those points, a stale read
//! planted for `--variant broken`, and the log file the timed region reads (written untimed,
//! before the measurement, by [`prepare`]; `--write-only` stops there and prints its path, for
//! the peer to read the same file).
//!
//! Every event of a history is at a distinct time (`raw * 16 + lane`), so reading the log in
//! line order (as a peer does) and by times (as musil does) give the same real-time order.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use musil_core::history::log::{LogSpec, read_log, write_log};
use musil_core::history::{Checked, Consistency, History, SequentialSpec, Violation};

use crate::harness::{Counts, Options};
use crate::{hist_linearizable_kv, hist_register_hard};

/// PCG-XSH-RR 32 (O'Neill), seeded: the same numbers on every run and every machine.
pub struct Pcg(u64);

const MULTIPLIER: u64 = 6_364_136_223_846_793_005;
const INCREMENT: u64 = 1_442_695_040_888_963_407;

impl Pcg {
    /// The generator seeded with `seed` (PCG's reference seeding, with its default stream).
    pub fn new(seed: u64) -> Self {
        let mut pcg = Pcg(0);
        pcg.next();
        pcg.0 = pcg.0.wrapping_add(seed);
        pcg.next();
        pcg
    }

    /// The next 32-bit number.
    pub fn next(&mut self) -> u32 {
        let old = self.0;
        self.0 = old.wrapping_mul(MULTIPLIER).wrapping_add(INCREMENT);
        let xorshifted = (((old >> 18) ^ old) >> 27) as u32;
        xorshifted.rotate_right((old >> 59) as u32)
    }

    /// A number in `0..n` (multiply-shift: a negligible bias for the small `n` used here).
    pub fn below(&mut self, n: u64) -> u64 {
        (u64::from(self.next()) * n) >> 32
    }

    /// A number in `low..=high`.
    pub fn between(&mut self, low: u64, high: u64) -> u64 {
        low + self.below(high - low + 1)
    }
}

/// Event times are `raw * SPREAD + client`: distinct across clients (fewer than `SPREAD`).
const SPREAD: u64 = 16;

/// How operations are laid out in time: durations and think times in raw time units, drawn
/// uniformly from the inclusive ranges, and the percentage of operations left pending.
pub struct Shape {
    /// Clients with an operation open at a time (lanes).
    pub clients: usize,
    /// How long an operation lasts.
    pub duration: (u64, u64),
    /// How long a client waits, after a return, before its next invocation (plus one unit).
    pub think: (u64, u64),
    /// The percentage of operations that never return (a client timing out, as after `info`);
    /// the client carries on under a new number, as a crashed Jepsen process does. Such an
    /// operation takes effect (half of them) at any instant within `late` raw units of its
    /// invocation, or never.
    pub pending: u64,
    /// The latest a pending operation takes effect, in raw units after its invocation.
    pub late: u64,
}

/// One operation's place in time.
#[derive(Clone, Copy, Debug)]
pub struct Slot {
    /// The client number in the history.
    pub client: usize,
    /// Which of the `Shape::clients` sequences it belongs to (its events' times end in it).
    pub lane: usize,
    /// When it was invoked.
    pub invoked: u64,
    /// When it takes effect: strictly between `invoked` and its return; `u64::MAX`: never.
    pub point: u64,
    /// `None`: pending.
    pub returned: Option<u64>,
}

/// `ops` slots in invocation order: each client invokes, returns after a drawn duration, waits
/// a drawn think time (at least one unit), and invokes again; the next operation is always the
/// client's with the earliest next invocation (the lowest client on a tie).
pub fn schedule(rng: &mut Pcg, shape: &Shape, ops: usize) -> Vec<Slot> {
    assert!((1..SPREAD as usize).contains(&shape.clients));
    let mut clock = vec![0u64; shape.clients];
    let mut client: Vec<usize> = (0..shape.clients).collect();
    let mut slots = Vec::with_capacity(ops);
    for _ in 0..ops {
        let lane = (0..shape.clients)
            .min_by_key(|&c| (clock[c], c))
            .expect("clients");
        let start = clock[lane];
        let end = start + rng.between(shape.duration.0.max(1), shape.duration.1.max(1));
        clock[lane] = end + 1 + rng.between(shape.think.0, shape.think.1);
        let (invoked, returned) = (start * SPREAD, end * SPREAD);
        let offset = lane as u64;
        let mut slot = Slot {
            client: client[lane],
            lane,
            invoked: invoked + offset,
            point: rng.between(invoked + 1, returned - 1) + offset,
            returned: Some(returned + offset),
        };
        if rng.below(100) < shape.pending {
            let late = rng.between(1, shape.late.max(1) * SPREAD);
            slot.point = if rng.below(2) == 0 {
                u64::MAX
            } else {
                invoked + late
            };
            slot.returned = None;
            client[lane] = shape.clients + slots.len();
        }
        slots.push(slot);
    }
    slots
}

/// What each operation returns when they take effect one at a time at their points (ties by
/// lane), starting from `spec`: a linearizable history by construction. `None` for a pending
/// operation.
pub fn returns<S: SequentialSpec>(spec: &S, slots: &[Slot], ops: &[S::Op]) -> Vec<Option<S::Ret>> {
    let mut order: Vec<usize> = (0..slots.len())
        .filter(|&i| slots[i].point != u64::MAX)
        .collect();
    order.sort_by_key(|&i| (slots[i].point, slots[i].lane));
    let mut state = spec.clone();
    let mut rets: Vec<Option<S::Ret>> = vec![None; slots.len()];
    for i in order {
        let ret = state.apply(&ops[i]);
        rets[i] = slots[i].returned.map(|_| ret);
    }
    rets
}

/// What an operation does to one key, for planting a stale read.
pub enum Access {
    /// A read of the key.
    Read(u64),
    /// A write of the key, with the value it writes (`None`: a removal).
    Write(u64, Option<i64>),
}

/// A read that must not see `value` in any linearization, if the history has one: a read `r`
/// of a key, a write `new` of it that returned before `r` was invoked, and a write `old` of
/// `value` (written by no other operation) that returned before `new` was invoked. Looked for
/// from the middle of the history on. Returns `(r, value)`.
pub fn stale_read(slots: &[Slot], access: &[Access]) -> Option<(usize, i64)> {
    let middle = slots.len() / 2;
    (middle..slots.len()).chain(0..middle).find_map(|r| {
        let Access::Read(key) = access[r] else {
            return None;
        };
        let before = |w: usize, t: u64| slots[w].returned.is_some_and(|at| at < t);
        let new = (0..r).rev().find(|&w| {
            matches!(access[w], Access::Write(k, _) if k == key) && before(w, slots[r].invoked)
        })?;
        (0..new).rev().find_map(|w| match access[w] {
            Access::Write(k, Some(value)) if k == key && before(w, slots[new].invoked) => {
                Some((r, value))
            }
            _ => None,
        })
    })
}

/// The history of `slots` with these operations and returns.
pub fn history<Op, Ret>(slots: &[Slot], ops: Vec<Op>, rets: Vec<Option<Ret>>) -> History<Op, Ret>
where
    Op: std::fmt::Debug,
    Ret: std::fmt::Debug,
{
    let mut history = History::new();
    for ((slot, op), ret) in slots.iter().zip(ops).zip(rets) {
        let id = history.invoke(slot.client, slot.invoked, op);
        if let (Some(at), Some(ret)) = (slot.returned, ret) {
            history.complete(id, at, ret);
        }
    }
    history
}

/// One hist_* workload: its log's name, its default size, how its history is laid out and
/// drawn, and what each operation reads or writes (to plant the stale read).
pub struct HistoryWorkload<S: LogSpec> {
    /// The log file's stem (`target/musil-bench/<stem>[_broken]_<ops>.log`).
    pub stem: &'static str,
    /// Operations without `--ops`.
    pub default_ops: u64,
    /// The generator's seed.
    pub seed: u64,
    /// The layout in time.
    pub shape: Shape,
    /// The `i`-th operation, drawn after the schedule.
    pub draw: fn(&mut Pcg, usize) -> S::Op,
    /// What an operation reads or writes.
    pub access: fn(&S::Op) -> Access,
    /// A read's return of `value`.
    pub read_of: fn(i64) -> S::Ret,
    /// Whether the counts include the partitions (a spec that splits by key).
    pub by_key: bool,
}

impl<S: LogSpec + Default> HistoryWorkload<S> {
    /// The operations of the history `options` ask for.
    pub fn ops(&self, options: &Options) -> u64 {
        options.ops.unwrap_or(self.default_ops)
    }

    /// The history's log file and its text.
    pub fn log(&self, options: &Options) -> (PathBuf, String) {
        let ops = self.ops(options);
        let path = log_path(self.stem, options, ops);
        (path, self.generate(ops as usize, broken(options)))
    }

    /// The log of the generated history (see the workload's documentation).
    fn generate(&self, count: usize, broken: bool) -> String {
        let mut rng = Pcg::new(self.seed);
        let slots = schedule(&mut rng, &self.shape, count);
        let ops: Vec<S::Op> = (0..count).map(|i| (self.draw)(&mut rng, i)).collect();
        let mut rets = returns(&S::default(), &slots, &ops);
        if broken {
            let access: Vec<Access> = ops.iter().map(self.access).collect();
            let (read, stale) = stale_read(&slots, &access).expect("a read to make stale");
            rets[read] = Some((self.read_of)(stale));
        }
        write_log::<S>(&history(&slots, ops, rets))
    }

    /// The timed region and its counts.
    pub fn run(&self, options: &Options) -> Counts {
        let path = log_path(self.stem, options, self.ops(options));
        let (operations, result) = measure(&path, &S::default(), options);
        let mut counts = vec![("operations", operations)];
        match result {
            Ok(checked) => {
                if self.by_key {
                    counts.push(("partitions", checked.partitions as u64));
                }
                counts.push(("states", checked.states as u64));
            }
            Err(violation) => {
                counts.push(("violation_ops", violation.operations.len() as u64));
                counts.push(("returns_needed", violation.returns_needed.len() as u64));
                if self.by_key {
                    counts.push(("partition_ops", violation.partition_len as u64));
                }
            }
        }
        counts
    }
}

/// Whether the workload runs the planted-violation variant (`--variant broken`).
pub fn broken(options: &Options) -> bool {
    options.variant == "broken"
}

/// The variant's name in the parameters.
pub fn variant(options: &Options) -> &'static str {
    if broken(options) {
        "broken"
    } else {
        "linearizable"
    }
}

/// The log file of a history: `target/musil-bench/<stem>[_broken]_<ops>.log`, under the current
/// directory.
pub fn log_path(stem: &str, options: &Options, ops: u64) -> PathBuf {
    let broken = if broken(options) { "_broken" } else { "" };
    PathBuf::from("target/musil-bench").join(format!("{stem}{broken}_{ops}.log"))
}

/// Writes `text` to `path` unless the file holds it already (through a temporary file and a
/// rename, so a concurrent reader never sees half a log).
fn write_if_changed(path: &PathBuf, text: &str) -> std::io::Result<()> {
    if std::fs::read_to_string(path).is_ok_and(|old| old == text) {
        return Ok(());
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let temporary = path.with_extension(format!("log.{}", std::process::id()));
    std::fs::write(&temporary, text)?;
    std::fs::rename(&temporary, path)
}

/// For a hist_* workload: checks its variant, writes its log file if it is not there already
/// (untimed), and with `--write-only` prints the file's absolute path and ends the program
/// (`Some(code)`). `None`: go on and measure (or not a hist_* workload).
pub fn prepare(name: &str, options: &Options) -> Option<ExitCode> {
    let log = match name {
        "hist_linearizable_kv" => hist_linearizable_kv::HISTORY.log(options),
        "hist_register_hard" => hist_register_hard::HISTORY.log(options),
        _ => return None,
    };
    if !matches!(
        options.variant.as_str(),
        "broken" | "linearizable" | "someone_eats"
    ) {
        eprintln!(
            "bench: {name} --variant {}: expected linearizable or broken",
            options.variant
        );
        return Some(ExitCode::from(2));
    }
    let (path, text) = log;
    if let Err(error) = write_if_changed(&path, &text) {
        eprintln!("bench: cannot write {}: {error}", path.display());
        return Some(ExitCode::FAILURE);
    }
    if !options.write_only {
        return None;
    }
    let shown = std::fs::canonicalize(&path).unwrap_or(path);
    println!("{}", shown.display());
    Some(ExitCode::SUCCESS)
}

/// The timed region of a hist_* workload: reads the log at `path`, parses it and checks it for
/// linearizability against `spec`. Returns the operations and the check's result, which must be
/// a pass for the linearizable variant and a violation for the broken one.
pub fn measure<S: LogSpec>(
    path: &Path,
    spec: &S,
    options: &Options,
) -> (u64, Result<Checked, Violation>) {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let history = read_log::<S>(&text).expect("the log reads back");
    let result = history.check(spec, Consistency::Linearizable);
    match (&result, broken(options)) {
        (Ok(checked), false) => assert_eq!(checked.operations, history.len()),
        (Ok(_), true) => panic!("the planted stale read was not found"),
        (Err(violation), false) => panic!("a linearizable history judged not: {violation:?}"),
        (Err(_), true) => {}
    }
    (history.len() as u64, result)
}
