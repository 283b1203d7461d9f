//! Durable storage as users meet it: what each crash kind keeps of a node's disk (unsynced
//! writes survive `cold` but not `power`, synced ones survive everything, torn writes keep a
//! sector-aligned prefix), the storage model's failures at their configured rates (read errors,
//! corrupt reads, write and sync errors, capacity), validation, the trace, and determinism:
//! the same seed gives the same disks on every run and thread count, and disk use leaves the
//! network's decisions alone.
//!
//! The node is a scripted [`Writer`]: at given instants it performs disk operations on one file
//! and logs their results; after a cold or power restart it reads back what survived.

use musil::prelude::*;
use musil::{DiskOp, RunSettings, TraceKind};

/// The file every writer uses.
const LOG: &str = "log";

/// A disk operation of the script.
#[derive(Clone, Copy, Debug)]
enum Op {
    Append(&'static [u8]),
    Write(u64, &'static [u8]),
    Sync,
    ReadAll,
    Truncate(u64),
}

/// A node that performs `script` (`(time, op)`, in time order) on its disk, logs every result,
/// and after a cold or power restart reads back the file into `recovered`.
#[derive(Clone, Debug, Default)]
struct Writer {
    script: Vec<(u64, Op)>,
    next: usize,
    results: Vec<String>,
    recovered: Option<Vec<u8>>,
}

impl Writer {
    fn new(script: &[(u64, Op)]) -> Self {
        Writer {
            script: script.to_vec(),
            ..Writer::default()
        }
    }

    fn arm_next(&mut self, ctx: &mut Context<()>) {
        if let Some(&(at, _)) = self.script.get(self.next) {
            ctx.set_timer("op", at.saturating_sub(ctx.now()));
        }
    }

    fn perform(&mut self, op: Op, ctx: &mut Context<()>) -> String {
        let disk = &mut ctx.disk();
        match op {
            Op::Append(bytes) => format!("append {:?}", disk.append(LOG, bytes)),
            Op::Write(at, bytes) => format!("write {:?}", disk.write(LOG, at, bytes)),
            Op::Sync => format!("sync {:?}", disk.sync(LOG)),
            Op::ReadAll => format!("read {:?}", disk.read_all(LOG)),
            Op::Truncate(len) => format!("truncate {:?}", disk.truncate(LOG, len)),
        }
    }
}

impl Node<()> for Writer {
    fn on_start(&mut self, ctx: &mut Context<()>) {
        if ctx.now() == 0 {
            self.arm_next(ctx);
        } else {
            self.recovered = Some(ctx.disk().read_all(LOG).unwrap_or_default());
        }
    }

    fn on_timer(&mut self, ctx: &mut Context<()>, _: &'static str) {
        while let Some(&(at, op)) = self.script.get(self.next) {
            if at > ctx.now() {
                break;
            }
            self.next += 1;
            let result = self.perform(op, ctx);
            self.results.push(result);
        }
        self.arm_next(ctx);
    }
}

#[derive(System, Clone, Debug, Default)]
struct Machine {
    w: Writer,
}

/// A simulation of a writer following `script`, with `storage`, crashed by `crash`.
fn machine(
    script: &[(u64, Op)],
    storage: StorageModel,
    crash: Option<Crash>,
    seed: u64,
) -> Simulation<Machine, ()> {
    let script = script.to_vec();
    let faults = crash
        .into_iter()
        .fold(FaultSchedule::new(), FaultSchedule::crash);
    Simulation::from_factory(
        move || Machine {
            w: Writer::new(&script),
        },
        seed,
    )
    .storage(storage)
    .faults(faults)
    .record_trace()
}

/// Runs to the end; returns the writer and the file as it ends.
fn run(mut sim: Simulation<Machine, ()>) -> (Writer, Vec<u8>, Simulation<Machine, ()>) {
    sim.run(1_000).expect("a valid run");
    let file = sim
        .disk("w")
        .and_then(|d| d.read(LOG))
        .unwrap_or_default()
        .to_vec();
    (sim.world().w.clone(), file, sim)
}

const SYNCED_THEN_NOT: &[(u64, Op)] = &[
    (1, Op::Append(b"aaaa")),
    (2, Op::Sync),
    (3, Op::Append(b"bbbb")),
];

#[test]
fn unsynced_writes_survive_a_cold_crash_but_not_a_power_loss() {
    let cold = run(machine(
        SYNCED_THEN_NOT,
        StorageModel::reliable(),
        Some(Crash::cold("w", 5, 6)),
        0,
    ));
    assert_eq!(cold.0.recovered.as_deref(), Some(&b"aaaabbbb"[..]));
    let power = run(machine(
        SYNCED_THEN_NOT,
        StorageModel::reliable(),
        Some(Crash::power("w", 5, 6)),
        0,
    ));
    assert_eq!(power.0.recovered.as_deref(), Some(&b"aaaa"[..]));
    let warm = run(machine(
        SYNCED_THEN_NOT,
        StorageModel::reliable(),
        Some(Crash::warm("w", 5, 6)),
        0,
    ));
    assert_eq!(
        (warm.0.recovered, warm.1),
        (None, b"aaaabbbb".to_vec()),
        "a warm crash rebuilds nothing"
    );
}

#[test]
fn synced_writes_survive_every_crash_whatever_the_storage_model() {
    let harsh = StorageModel::reliable()
        .lose_unsynced(0.5)
        .torn_writes(0.5)
        .sector(2);
    for seed in 0..100 {
        for crash in [
            Crash::warm("w", 5, 6),
            Crash::cold("w", 5, 6),
            Crash::power("w", 5, 6),
        ] {
            let (_, file, _) = run(machine(
                SYNCED_THEN_NOT,
                harsh.clone(),
                Some(crash.clone()),
                seed,
            ));
            assert!(
                file.starts_with(b"aaaa"),
                "seed {seed}, {crash:?}: {file:?}"
            );
        }
    }
}

#[test]
fn a_power_loss_keeps_loses_or_tears_each_unsynced_write_at_the_configured_rates() {
    let script = &[
        (1, Op::Append(b"aaaa")),
        (2, Op::Sync),
        (3, Op::Append(b"0123456789")),
    ];
    let torn = StorageModel::reliable().torn_writes(1.0).sector(4);
    let mut lengths = std::collections::BTreeSet::new();
    for seed in 0..100 {
        let (writer, _, _) = run(machine(
            script,
            torn.clone(),
            Some(Crash::power("w", 5, 6)),
            seed,
        ));
        let recovered = writer.recovered.expect("restarted");
        assert!(
            b"aaaa0123456789".starts_with(&recovered),
            "a prefix of what was written"
        );
        lengths.insert(recovered.len());
    }
    assert_eq!(
        lengths.into_iter().collect::<Vec<_>>(),
        vec![4, 8, 12],
        "sector-aligned prefixes only, each of them"
    );

    let half = StorageModel::reliable().lose_unsynced(0.5);
    let kept = (0..400)
        .filter(|&seed| {
            let (writer, _, _) = run(machine(
                SYNCED_THEN_NOT,
                half.clone(),
                Some(Crash::power("w", 5, 6)),
                seed,
            ));
            writer.recovered.as_deref() == Some(&b"aaaabbbb"[..])
        })
        .count();
    assert!(
        (150..=250).contains(&kept),
        "about half of 400 unsynced writes kept: {kept}"
    );
}

#[test]
fn a_failed_sync_returns_an_error_and_drops_the_files_unsynced_writes() {
    let script = &[
        (1, Op::Append(b"aaaa")),
        (2, Op::Sync),
        (3, Op::Append(b"bbbb")),
        (4, Op::Sync),
        (5, Op::ReadAll),
    ];
    let storage = StorageModel::reliable().sync_errors(1.0);
    let (writer, file, _) = run(machine(script, storage, None, 0));
    assert_eq!(writer.results[1], "sync Err(Io)");
    assert_eq!(writer.results[3], "sync Err(Io)");
    assert_eq!(writer.results[4], "read Ok([])", "{:?}", writer.results);
    assert!(file.is_empty());

    let fine_then_failing = &[(1, Op::Append(b"aaaa")), (2, Op::Sync)];
    let (writer, file, _) = run(machine(
        fine_then_failing,
        StorageModel::reliable(),
        None,
        0,
    ));
    assert_eq!(
        (writer.results[1].as_str(), file.as_slice()),
        ("sync Ok(())", &b"aaaa"[..])
    );
}

#[test]
fn write_errors_and_capacity_refuse_a_write_and_change_nothing() {
    let script = &[
        (1, Op::Append(b"aaaa")),
        (2, Op::Write(0, b"zz")),
        (3, Op::Truncate(1)),
    ];
    let (writer, file, _) = run(machine(
        script,
        StorageModel::reliable().write_errors(1.0),
        None,
        0,
    ));
    assert_eq!(
        writer.results,
        ["append Err(Io)", "write Err(Io)", "truncate Err(NotFound)"]
    );
    assert!(file.is_empty());

    let script = &[
        (1, Op::Append(b"123456")),
        (2, Op::Append(b"789abc")),
        (3, Op::Write(2, b"xy")),
        (4, Op::Truncate(10)),
        (5, Op::Truncate(11)),
    ];
    let (writer, file, _) = run(machine(
        script,
        StorageModel::reliable().capacity(10),
        None,
        0,
    ));
    assert_eq!(
        writer.results,
        [
            "append Ok(0)",
            "append Err(Full)",
            "write Ok(())",
            "truncate Ok(())",
            "truncate Err(Full)"
        ]
    );
    assert_eq!(file, b"12xy56\0\0\0\0");

    let wild = &[(1, Op::Write(u64::MAX - 1, b"far"))];
    let (writer, _, _) = run(machine(wild, StorageModel::reliable(), None, 0));
    assert_eq!(
        writer.results,
        ["write Err(Full)"],
        "a wild offset is refused, not allocated"
    );
}

/// Reads of a 16-byte file, `count` of them, under `storage`; the results.
fn reads(storage: StorageModel, count: usize, seed: u64) -> Vec<String> {
    let mut script = vec![(1, Op::Append(b"0123456789abcdef")), (2, Op::Sync)];
    script.extend((0..count).map(|i| (3 + i as u64, Op::ReadAll)));
    let (writer, _, _) = run(machine(&script, storage, None, seed));
    writer.results[2..].to_vec()
}

#[test]
fn read_errors_fail_reads_at_their_rate() {
    let failed: usize = (0..10)
        .flat_map(|seed| reads(StorageModel::reliable().read_errors(0.2), 100, seed))
        .filter(|r| r == "read Err(Io)")
        .count();
    // 1000 reads at p = 0.2: 200 expected, standard deviation about 12.6.
    assert!(
        (140..=260).contains(&failed),
        "{failed} of 1000 reads failed"
    );
}

#[test]
fn corrupt_reads_flip_exactly_one_bit_at_their_rate() {
    let intact = format!("read Ok({:?})", b"0123456789abcdef".to_vec());
    let mut corrupted = 0;
    for seed in 0..10 {
        for result in reads(StorageModel::reliable().corrupt_reads(0.3), 100, seed) {
            if result == intact {
                continue;
            }
            corrupted += 1;
            let bytes: Vec<u8> = result
                .trim_start_matches("read Ok([")
                .trim_end_matches("])")
                .split(", ")
                .map(|b| b.parse().expect("a byte"))
                .collect();
            let flipped: u32 = bytes
                .iter()
                .zip(b"0123456789abcdef")
                .map(|(a, b)| (a ^ b).count_ones())
                .sum();
            assert_eq!(flipped, 1, "{result}");
        }
    }
    assert!(
        (230..=370).contains(&corrupted),
        "{corrupted} of 1000 reads corrupted, 300 expected"
    );
}

#[test]
fn a_bad_storage_setting_is_an_invalid_scenario_naming_the_value() {
    let report = Scenario::new(|| Machine {
        w: Writer::new(SYNCED_THEN_NOT),
    })
    .name("bad_storage")
    .storage(StorageModel::reliable().torn_writes(1.5))
    .execute(&RunSettings::seeds(0..3));
    let failure = report.failure().expect("an invalid scenario");
    assert_eq!(failure.kind(), FailureKind::InvalidScenario);
    assert_eq!(
        failure.detail(),
        "invalid storage: torn_writes = 1.5 is not a probability (it must be in [0, 1])"
    );
    assert!(
        failure.to_string().contains("scenario bad_storage, seed 0"),
        "{failure}"
    );
}

#[test]
fn the_trace_shows_disk_operations_and_what_a_power_loss_did() {
    let (_, _, sim) = run(machine(
        SYNCED_THEN_NOT,
        StorageModel::reliable(),
        Some(Crash::power("w", 5, 6)),
        0,
    ));
    let text = sim.trace().expect("recorded").to_string();
    for line in [
        "t=1          w 💾 append log 4 B",
        "t=2          w 💾 sync log (1 write, 4 B)",
        "t=3          w 💾 append log 4 B",
        "t=5          w ⚡ power lost: log: write @4 4 B lost",
        "t=6    #4    w ↻ restart after power loss (fresh instance)",
        "t=6          w 💾 read log @0 4 B",
    ] {
        assert!(text.contains(line), "missing {line:?} in\n{text}");
    }
    let ops: Vec<&DiskOp> = sim
        .trace()
        .into_iter()
        .flat_map(|t| t.events())
        .filter_map(|e| match &e.kind {
            TraceKind::Disk { op, .. } => Some(op),
            _ => None,
        })
        .collect();
    assert_eq!(ops.len(), 4);
    assert_eq!(sim.disk_ops(), 4);
}

/// A harsh run: random errors, torn writes, a power loss; its trace and final file.
fn harsh_run(seed: u64) -> (String, Vec<u8>) {
    let storage = StorageModel::reliable()
        .torn_writes(0.4)
        .lose_unsynced(0.5)
        .sector(3)
        .read_errors(0.2)
        .corrupt_reads(0.2)
        .write_errors(0.1)
        .sync_errors(0.1);
    let mut script: Vec<(u64, Op)> = (0..20)
        .map(|i| (1 + 2 * i, Op::Append(b"record")))
        .collect();
    script.extend((0..20).map(|i| (2 + 4 * i, Op::Sync)));
    script.sort_by_key(|&(t, _)| t);
    let (_, file, sim) = run(machine(
        &script,
        storage,
        Some(Crash::power("w", 30, 33)),
        seed,
    ));
    (sim.trace().expect("recorded").to_string(), file)
}

#[test]
fn the_same_seed_gives_the_same_disks_and_trace_on_every_run_and_thread() {
    let first = harsh_run(7);
    assert_eq!(harsh_run(7), first);
    let other = std::thread::spawn(|| harsh_run(7))
        .join()
        .expect("no panic");
    assert_eq!(other, first);
    assert_ne!(harsh_run(8), first, "another seed draws differently");
}

/// Ticks to its peer and answers ticks; with `use_disk`, logs each message to its disk first
/// (drawing on the disk stream: errors and corruption are likely).
#[derive(Clone, Debug, Default)]
struct Pinger {
    use_disk: bool,
    ticks: u32,
}

impl Pinger {
    fn log(&self, ctx: &mut Context<u32>, n: u32) {
        if self.use_disk {
            let disk = &mut ctx.disk();
            let _ = disk.append(LOG, &n.to_le_bytes());
            let _ = disk.sync(LOG);
            let _ = disk.read_all(LOG);
        }
    }
}

impl Node<u32> for Pinger {
    fn on_start(&mut self, ctx: &mut Context<u32>) {
        if ctx.name() == "a" {
            ctx.set_timer("tick", 1);
        }
    }

    fn on_timer(&mut self, ctx: &mut Context<u32>, _: &'static str) {
        self.ticks += 1;
        self.log(ctx, self.ticks);
        ctx.send("b", self.ticks);
        if self.ticks < 100 {
            ctx.set_timer("tick", 1);
        }
    }

    fn on_message(&mut self, ctx: &mut Context<u32>, from: NodeId, n: u32) {
        self.log(ctx, n);
        if ctx.name() == "b" {
            ctx.send(from, n);
        }
    }
}

#[derive(System, Clone, Debug, Default)]
struct Pair {
    a: Pinger,
    b: Pinger,
}

/// The network's part of a pair's trace: every send with its fate, every delivery.
fn network_events(use_disk: bool, seed: u64) -> Vec<String> {
    let storage = StorageModel::reliable()
        .read_errors(0.3)
        .corrupt_reads(0.3)
        .write_errors(0.2);
    let pinger = Pinger { use_disk, ticks: 0 };
    let pair = Pair {
        a: pinger.clone(),
        b: pinger,
    };
    let mut sim = Simulation::new(pair)
        .seed(seed)
        .network(
            NetworkModel::reliable()
                .loss(0.2)
                .duplicate(0.1)
                .latency(1, 5),
        )
        .storage(storage)
        .record_trace();
    sim.run(10_000).expect("a valid run");
    let trace = sim.trace().expect("recorded");
    trace
        .events()
        .iter()
        .filter(|e| matches!(e.kind, TraceKind::Sent { .. } | TraceKind::Delivered { .. }))
        .map(|e| trace.line(e))
        .collect()
}

#[test]
fn using_a_disk_leaves_the_networks_decisions_unchanged() {
    for seed in 0..5 {
        let without = network_events(false, seed);
        assert!(
            without.iter().any(|l| l.contains("✗ lost")),
            "the network does draw"
        );
        assert_eq!(network_events(true, seed), without, "seed {seed}");
    }
}

fn sync_then_append() -> Machine {
    Machine {
        w: Writer::new(SYNCED_THEN_NOT),
    }
}

/// Every sync the writer asked for succeeded.
fn every_sync_succeeds(world: &Machine) -> bool {
    !world.w.results.iter().any(|r| r.starts_with("sync Err"))
}

#[musil::scenario(seeds = 0..5, invariants = [every_sync_succeeds])]
fn syncs_succeed_on_reliable_storage() -> Machine {
    sync_then_append()
}

#[musil::scenario(
    seeds = 0..5,
    storage = StorageModel::reliable().sync_errors(1.0),
    invariants = [every_sync_succeeds],
    should_fail = invariant
)]
fn the_storage_option_reaches_the_disks() -> Machine {
    sync_then_append()
}

#[test]
fn disk_invariants_read_the_disks_beside_the_world() {
    let synced_data_is_durable = |world: &Machine, disks: &Disks| {
        let disk = disks.of("w").expect("w has a disk");
        let synced = world.w.results.iter().any(|r| r == "sync Ok(())");
        !synced || disk.durable(LOG).is_some_and(|d| d.starts_with(b"aaaa"))
    };
    let power = FaultSchedule::new().crash(Crash::power("w", 5, 6));
    let report = Scenario::new(sync_then_append)
        .faults(power)
        .disk_invariant("synced_data_is_durable", synced_data_is_durable)
        .execute(&RunSettings::seeds(0..20));
    assert!(report.ok(), "{report}");

    let report = Scenario::new(sync_then_append)
        .disk_invariant("nothing_unsynced", |_: &Machine, disks: &Disks| {
            disks.of(NodeId::new(0)).map_or(0, |d| d.unsynced(LOG)) == 0
        })
        .execute(&RunSettings::seeds(0..20));
    let failure = report.failure().expect("the first append is unsynced");
    assert_eq!(
        (failure.detail(), failure.step()),
        ("`nothing_unsynced` violated", 1)
    );
    assert!(
        Scenario::new(sync_then_append)
            .disk_invariant("unknown_node", |_: &Machine, disks: &Disks| disks
                .of("nobody")
                .is_none())
            .execute(&RunSettings::seeds([0]))
            .ok()
    );
}

/// Every write the writer made is still there after a restart (false under power loss with
/// unsynced writes: the planted expectation a run must break).
fn nothing_is_ever_lost(world: &Machine) -> bool {
    world
        .w
        .recovered
        .as_ref()
        .is_none_or(|bytes| bytes.as_slice() == b"aaaabbbb")
}

/// Now and then, once the writer is done, cuts its power.
fn power_loss_after_the_writes(_: &Machine, faults: &mut FaultControl) {
    if faults.now() >= 3 && faults.idle() && faults.rng().chance(0.3) {
        faults.crash_power("w", 2);
    }
}

#[test]
fn a_failing_seed_reports_the_same_disks_and_trace_on_every_thread_count() {
    let scenario = || {
        Scenario::new(sync_then_append)
            .name("power_and_nemesis")
            .storage(
                StorageModel::reliable()
                    .lose_unsynced(0.01)
                    .torn_writes(0.005),
            )
            .nemesis(power_loss_after_the_writes)
            .invariant("nothing_is_ever_lost", nothing_is_ever_lost)
    };
    let seeds = || RunSettings::seeds(0..2000);
    let one = scenario().execute(&seeds());
    let failure = one
        .failure()
        .expect("some power loss loses the unsynced write");
    assert!(
        failure.seed() > 64,
        "a seed past the first chunks: {failure}"
    );
    let text = failure.to_string();
    assert!(
        text.contains("⚡ power lost: log: write @4 4 B "),
        "{failure}"
    );
    for jobs in [2, 4] {
        let many = scenario().execute(&seeds().jobs(jobs));
        assert_eq!(many.to_string(), one.to_string(), "jobs = {jobs}");
    }
}
