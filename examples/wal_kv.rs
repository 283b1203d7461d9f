//! WAL key-value store — what an acknowledgement promises when the power goes.
//!
//! A server keeps a key-value map in memory and logs every `Put` to a write-ahead log on its
//! disk (`ctx.disk()`); after a crash, `on_start` rebuilds the map from the log. A client issues
//! eight writes, retries each until it is acknowledged, and remembers what was acknowledged. Two
//! properties are checked after every step:
//!
//! - **acked writes survive**: every write the client saw acknowledged is in the server's map.
//!   (A server that is down keeps the map it died with until its restart replaces it, so the
//!   check bites at the restart, once `on_start` has recovered the map from the log.)
//! - **only written values**: every entry of the map is a write the client issued.
//!
//! The log is preallocated (zeros, synced) and each record is written in place after the last
//! one: `len (2 B) | [FNV-1a of the payload (4 B)] | key length (1 B) | key | value`, 25 B
//! without the checksum and 29 B with it, so records straddle the 16-byte sectors of the
//! simulated disk. Recovery reads records until a zero length (or, with checksums, a record
//! whose checksum does not match), then zeroes the rest of the log.
//!
//! Five runs, each over 300 seeds with a crash of the server at a random time:
//!
//! 1. The server **acknowledges on receipt** and syncs the log on a timer (like an
//!    `fsync`-every-so-often setting), under a **power loss** (unsynced writes are lost): an
//!    acknowledged write vanishes. The trace shows the power loss line with the lost write.
//! 2. The same server under a **cold** crash (the process dies, the disk keeps every write)
//!    passes: the unsynced records are still there when it restarts.
//! 3. The server **syncs, then acknowledges** (group commit: records are written as `Put`s
//!    arrive, and each sync is followed by the acks of what it made durable): power losses lose
//!    only unacknowledged records, which the client retries.
//! 4. The same group commit **without checksums**, on a disk whose unsynced writes may be torn
//!    (a sector-aligned prefix kept): a torn record has its length but zeros for the rest of its
//!    bytes, and recovery reads it as a write the client never made.
//! 5. **With checksums**: a record whose checksum does not match ends the log, so the torn
//!    tail (never acknowledged) is dropped and the client's retry writes it again.
//!
//! Run it with `cargo run --example wal_kv`; it exits with an error if a verdict is not the
//! expected one.

use std::collections::BTreeMap;
use std::fmt;
use std::process::ExitCode;

use musil::prelude::*;

/// The log's file name.
const WAL: &str = "wal";
/// The log's preallocated size: room for every write of several server lifetimes.
const WAL_BYTES: usize = 1024;
/// The writes the client issues.
const WRITES: u32 = 8;
/// Ticks between the client's writes.
const WRITE_EVERY: u64 = 3;
/// Ticks between the client's retries of unacknowledged writes.
const RETRY_AFTER: u64 = 6;
/// Ticks between the server's syncs of the log.
const SYNC_EVERY: u64 = 4;
/// The disk's sector: a torn write keeps a prefix ending on a multiple of it.
const SECTOR: u64 = 16;
/// Seeds per run.
const SEEDS: u64 = 300;

#[derive(Clone, Debug, PartialEq)]
enum Msg {
    Put { key: String, value: String },
    Ack { key: String, value: String },
}

// ---------------------------------------------------------------------------------------------
// The client
// ---------------------------------------------------------------------------------------------

/// Issues [`WRITES`] writes, one every [`WRITE_EVERY`] ticks, and retries every unacknowledged
/// one every [`RETRY_AFTER`] ticks until it is acknowledged.
#[derive(Default)]
struct Client {
    /// Every write issued, by key.
    written: BTreeMap<String, String>,
    /// The writes the server acknowledged, by key.
    acked: BTreeMap<String, String>,
}

impl Node<Msg> for Client {
    fn on_start(&mut self, ctx: &mut Context<Msg>) {
        self.write_next(ctx);
    }

    fn on_timer(&mut self, ctx: &mut Context<Msg>, timer: &'static str) {
        match timer {
            "write" => self.write_next(ctx),
            _ => self.retry(ctx),
        }
    }

    fn on_message(&mut self, _ctx: &mut Context<Msg>, _from: NodeId, msg: Msg) {
        if let Msg::Ack { key, value } = msg {
            self.acked.insert(key, value);
        }
    }
}

/// The keys only: the values are `written by client #N` for key `kN`.
impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("written", &self.written.keys().collect::<Vec<_>>())
            .field("acked", &self.acked.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl Client {
    /// Issues the next write, and arms the timers of what follows.
    fn write_next(&mut self, ctx: &mut Context<Msg>) {
        let n = self.written.len();
        let (key, value) = (format!("k{n}"), format!("written by client #{n}"));
        self.written.insert(key.clone(), value.clone());
        ctx.send("server", Msg::Put { key, value });
        if self.written.len() < WRITES as usize {
            ctx.set_timer("write", WRITE_EVERY);
        }
        if !ctx.timer_armed("retry") {
            ctx.set_timer("retry", RETRY_AFTER);
        }
    }

    /// Resends every write not yet acknowledged.
    fn retry(&mut self, ctx: &mut Context<Msg>) {
        let unacked = self
            .written
            .iter()
            .filter(|(k, _)| !self.acked.contains_key(*k));
        let puts: Vec<Msg> = unacked
            .map(|(key, value)| Msg::Put {
                key: key.clone(),
                value: value.clone(),
            })
            .collect();
        let waiting = !puts.is_empty() || self.written.len() < WRITES as usize;
        for put in puts {
            ctx.send("server", put);
        }
        if waiting {
            ctx.set_timer("retry", RETRY_AFTER);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The log's records
// ---------------------------------------------------------------------------------------------

/// How the server frames its log records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Records {
    /// `len | key length | key | value`.
    Plain,
    /// `len | FNV-1a of the payload | key length | key | value`.
    Checksummed,
}

/// FNV-1a, 32 bits: enough to tell a torn record from a whole one.
fn fnv1a(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0x811c_9dc5, |hash, &byte| {
        (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193)
    })
}

impl Records {
    /// The bytes of the header before the payload.
    fn header(self) -> usize {
        match self {
            Records::Plain => 2,
            Records::Checksummed => 6,
        }
    }

    /// One record of `key = value`.
    fn encode(self, key: &str, value: &str) -> Vec<u8> {
        let mut payload = vec![key.len() as u8];
        payload.extend_from_slice(key.as_bytes());
        payload.extend_from_slice(value.as_bytes());
        let mut record = (payload.len() as u16).to_le_bytes().to_vec();
        if self == Records::Checksummed {
            record.extend_from_slice(&fnv1a(&payload).to_le_bytes());
        }
        record.extend_from_slice(&payload);
        record
    }

    /// The record at `at` of `log`: its key, its value and its length, or `None` at the end of
    /// the log (a zero length, a record that does not fit, a checksum that does not match).
    fn decode(self, log: &[u8], at: usize) -> Option<(String, String, usize)> {
        let len = usize::from(u16::from_le_bytes([*log.get(at)?, *log.get(at + 1)?]));
        let start = at + self.header();
        let payload = log.get(start..start + len).filter(|_| len > 0)?;
        if self == Records::Checksummed {
            let stored = log.get(at + 2..at + 6)?;
            if fnv1a(payload).to_le_bytes() != stored {
                return None;
            }
        }
        let key_len = usize::from(payload[0]);
        let key = payload.get(1..1 + key_len)?;
        let value = &payload[1 + key_len..];
        let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
        Some((text(key), text(value), self.header() + len))
    }

    /// Every record of `log`, in order, and the offset where the next one goes.
    fn replay(self, log: &[u8]) -> (BTreeMap<String, String>, u64) {
        let (mut map, mut at) = (BTreeMap::new(), 0);
        while let Some((key, value, len)) = self.decode(log, at) {
            map.insert(key, value);
            at += len;
        }
        (map, at as u64)
    }
}

// ---------------------------------------------------------------------------------------------
// The server
// ---------------------------------------------------------------------------------------------

/// When the server acknowledges a write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Acks {
    /// As soon as its record is written (the sync comes later, on a timer): the bug.
    OnReceipt,
    /// After the sync that made its record durable (group commit).
    AfterSync,
}

/// A key-value map recovered from, and logged to, a write-ahead log.
#[derive(Debug)]
struct Server {
    acks: Acks,
    records: Records,
    map: BTreeMap<String, String>,
    /// Where the next record goes.
    end: u64,
    /// Writes logged but not yet synced, to acknowledge after the sync (group commit).
    unsynced: Vec<(NodeId, String, String)>,
}

impl Server {
    fn new(acks: Acks, records: Records) -> Self {
        Server {
            acks,
            records,
            map: BTreeMap::new(),
            end: 0,
            unsynced: Vec::new(),
        }
    }
}

impl Node<Msg> for Server {
    /// Preallocates the log on the first start; on every start, rebuilds the map from it and
    /// zeroes what follows its last record (a torn record, or whole ones behind it that a
    /// later record must not bring back).
    fn on_start(&mut self, ctx: &mut Context<Msg>) {
        let mut disk = ctx.disk();
        if !disk.exists(WAL) {
            disk.write(WAL, 0, &[0; WAL_BYTES])
                .expect("the example's disk has room for its log");
            disk.sync(WAL)
                .expect("the example's disk never fails a sync");
        }
        let log = disk
            .read_all(WAL)
            .expect("the example's disk never fails a read");
        (self.map, self.end) = self.records.replay(&log);
        let tail = &log[self.end as usize..];
        if tail.iter().any(|&byte| byte != 0) {
            disk.write(WAL, self.end, &vec![0; tail.len()])
                .expect("the example's disk never fails a write");
            disk.sync(WAL)
                .expect("the example's disk never fails a sync");
        }
    }

    fn on_message(&mut self, ctx: &mut Context<Msg>, from: NodeId, msg: Msg) {
        let Msg::Put { key, value } = msg else { return };
        if self.map.get(&key) == Some(&value) {
            return ctx.send(from, Msg::Ack { key, value });
        }
        if self.unsynced.iter().any(|(_, k, _)| *k == key) {
            return; // logged already: acknowledged after the next sync
        }
        let record = self.records.encode(&key, &value);
        assert!(
            self.end as usize + record.len() <= WAL_BYTES,
            "the example's log is sized for its writes"
        );
        ctx.disk()
            .write(WAL, self.end, &record)
            .expect("the example's disk never fails a write");
        self.end += record.len() as u64;
        if !ctx.timer_armed("sync") {
            ctx.set_timer("sync", SYNC_EVERY);
        }
        match self.acks {
            Acks::OnReceipt => {
                self.map.insert(key.clone(), value.clone());
                ctx.send(from, Msg::Ack { key, value });
            }
            Acks::AfterSync => self.unsynced.push((from, key, value)),
        }
    }

    /// Syncs the log, then applies and acknowledges what the sync made durable.
    fn on_timer(&mut self, ctx: &mut Context<Msg>, _timer: &'static str) {
        ctx.disk()
            .sync(WAL)
            .expect("the example's disk never fails a sync");
        for (client, key, value) in std::mem::take(&mut self.unsynced) {
            self.map.insert(key.clone(), value.clone());
            ctx.send(client, Msg::Ack { key, value });
        }
    }
}

#[derive(System, Debug)]
struct Store {
    client: Client,
    server: Server,
}

fn store(acks: Acks, records: Records) -> Store {
    Store {
        client: Client::default(),
        server: Server::new(acks, records),
    }
}

// ---------------------------------------------------------------------------------------------
// The properties and the runs
// ---------------------------------------------------------------------------------------------

/// Every acknowledged write is in the server's map.
#[invariant]
fn acked_writes_survive(w: &Store) -> Result<(), String> {
    for (key, value) in &w.client.acked {
        if w.server.map.get(key) != Some(value) {
            let found = w.server.map.get(key);
            return Err(format!(
                "{key} = {value:?} was acknowledged, the server has {found:?}"
            ));
        }
    }
    Ok(())
}

/// Every entry of the server's map is a write the client issued.
#[invariant]
fn only_written_values(w: &Store) -> Result<(), String> {
    for (key, value) in &w.server.map {
        if w.client.written.get(key) != Some(value) {
            return Err(format!("the server has {key:?} = {value:?}, never written"));
        }
    }
    Ok(())
}

fn all_acked(w: &Store) -> bool {
    w.client.acked.len() == WRITES as usize
}

/// One crash of `kind` of the server, at a random time while the client writes (its writes go
/// out at t = 0, 3, …, 21), for 1 to 6 ticks.
fn crash_of(kind: CrashKind) -> impl Fn(&mut Rng) -> FaultSchedule + Send + Sync + 'static {
    move |rng: &mut Rng| {
        let at = rng.randint(5, 21) as u64;
        let down_for = rng.randint(1, 6) as u64;
        FaultSchedule::new().crash(Crash::of_kind(kind, "server", at, at + down_for))
    }
}

/// One run of the example: what it is called, the server, the crash, the disk, what it should
/// find.
struct Case {
    label: &'static str,
    server: (Acks, Records),
    crash: CrashKind,
    storage: StorageModel,
    expect: Expect,
}

impl Case {
    /// Runs `SEEDS` seeds of the store, its server crashing once; prints the verdict (see
    /// [`verdict`]) and returns whether it is the expected one. The scenario is named after
    /// the label: `acks before sync, power loss:` is `acks_before_sync_power_loss`.
    fn run(self) -> bool {
        let (acks, records) = self.server;
        let words = self.label.split(|c: char| !c.is_alphanumeric());
        let name = words
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join("_");
        let report = Scenario::new(move || store(acks, records))
            .name(name)
            .seeds(0..SEEDS)
            .faults(crash_of(self.crash))
            .storage(self.storage)
            .goal("every write acknowledged", all_acked)
            .run();
        verdict(self.label, &report, self.expect)
    }
}

type Report = SimReport<Store>;

/// What a run should find.
#[derive(Clone, Copy)]
enum Expect {
    /// Nothing: every seed passes.
    Pass,
    /// A broken invariant (its name), described for the summary line.
    Found(&'static str, &'static str),
}

/// Prints one verdict line (and the whole failure report, indented, under a FOUND); returns
/// whether the verdict is the expected one.
fn verdict(label: &str, report: &Report, expect: Expect) -> bool {
    let runs = report.runs();
    let seeds = if runs == 1 { "seed" } else { "seeds" };
    match (report.failure(), expect) {
        (None, Expect::Pass) => {
            println!("{label:<32} passed all {runs} {seeds}");
            true
        }
        (Some(failure), Expect::Found(invariant, what))
            if failure
                .detail()
                .starts_with(&format!("`{invariant}` violated")) =>
        {
            println!("{label:<32} FOUND {what}");
            for line in failure.to_string().lines() {
                println!("    {line}");
            }
            true
        }
        (Some(failure), _) => {
            println!("{label:<32} UNEXPECTED failure:\n{failure}");
            false
        }
        (None, Expect::Found(invariant, _)) => {
            println!("{label:<32} UNEXPECTED: `{invariant}` held on all {runs} {seeds}");
            false
        }
    }
}

/// The five runs, in the order they are printed.
fn cases() -> [Case; 5] {
    let reliable = StorageModel::reliable();
    let tearing = StorageModel::reliable()
        .torn_writes(0.5)
        .lose_unsynced(0.5)
        .sector(SECTOR);
    let early = (Acks::OnReceipt, Records::Checksummed);
    let group = (Acks::AfterSync, Records::Checksummed);
    let plain = (Acks::AfterSync, Records::Plain);
    let lost = Expect::Found("acked_writes_survive", "an acknowledged write lost");
    let garbage = Expect::Found(
        "only_written_values",
        "a torn record recovered as a value never written",
    );
    let case = |label, server, crash, storage: &StorageModel, expect| Case {
        label,
        server,
        crash,
        storage: storage.clone(),
        expect,
    };
    let (power, cold, pass) = (CrashKind::Power, CrashKind::Cold, Expect::Pass);
    [
        case(
            "acks before sync, power loss:",
            early,
            power,
            &reliable,
            lost,
        ),
        case(
            "acks before sync, cold crash:",
            early,
            cold,
            &reliable,
            pass,
        ),
        case(
            "syncs before acks, power loss:",
            group,
            power,
            &reliable,
            pass,
        ),
        case(
            "no checksums, torn writes:",
            plain,
            power,
            &tearing,
            garbage,
        ),
        case("checksums, torn writes:", group, power, &tearing, pass),
    ]
}

fn main() -> ExitCode {
    println!("WAL key-value store — acknowledged writes against power loss and torn writes\n");
    let verdicts = cases().map(Case::run);
    if verdicts.iter().all(|&expected| expected) {
        println!("\nEvery verdict as expected: only a sync makes an acknowledgement durable,");
        println!("and only a checksum tells a torn record from a whole one.");
        ExitCode::SUCCESS
    } else {
        eprintln!("unexpected verdicts: {verdicts:?}");
        ExitCode::FAILURE
    }
}
