//! Swarm hunt — a bug that needs two faults at once, missed by hand-written fault schedules and
//! found by `swarm()`.
//!
//! A replicated log: `replicas[0]` is the primary, `replicas[1]` and `replicas[2]` its backups,
//! all three keeping the log on their disk (`ctx.disk()`). The primary serves once a lease
//! quorum of replicas (itself included) granted it a lease; each grant carries the backup's log,
//! and the primary takes the longest, as a new Raft leader holds every committed entry. A
//! client's write is appended, sent to the backups, and acknowledged once one backup holds it:
//! with the primary's own copy, a majority of three.
//!
//! The planted bug is a shortcut: the primary acknowledges before its own `fsync`, which a
//! group-commit timer does every few ticks — the write is on a backup's disk, so it looks safe.
//! It is not, but only when two faults meet: a power loss of the primary (its unsynced writes
//! are gone) and a lost `Append` to the other backup, which then grants the restarted primary
//! a log without the write. Each fault alone is harmless, so three hand-written schedules (a
//! lossy network; a power loss of the primary; a backup cut off) pass every seed. `swarm()`
//! draws a different mix of loss, duplication, latency, partitions and crashes for every seed,
//! and finds it. The primary that syncs before it acknowledges passes the same swarm.
//!
//! A `#[sometimes]` site, `primary_elected`, guards the sweep itself: with the lease quorum
//! misconfigured (4 in a cluster of 3), no primary is ever elected, no write is ever
//! acknowledged, and every invariant holds on every seed — a green run that tested nothing. The
//! coverage verdict fails it.
//!
//! Run it with `cargo run --example swarm_hunt`; it exits with an error if a verdict is not the
//! expected one.

use std::collections::BTreeSet;
use std::process::ExitCode;

use musil::prelude::*;

/// Replicas: the primary is `replicas[0]`.
pub const REPLICAS: usize = 3;
/// Writes the client issues.
const WRITES: u32 = 20;
/// Ticks between the client's writes.
const WRITE_EVERY: u64 = 4;
/// Ticks between retries (the client's writes, the primary's lease requests).
const RETRY_AFTER: u64 = 12;
/// Ticks between the primary's resends to a backup that lags.
const HEARTBEAT: u64 = 12;
/// Ticks between the group commits (`fsync`) of the primary that acknowledges before them.
const GROUP_COMMIT: u64 = 20;
/// Nobody retries after this time: a cluster that never elects a primary goes quiet.
const GIVE_UP: u64 = 400;
/// Seeds per run.
pub const SEEDS: u64 = 500;

/// How a replica is configured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Config {
    /// The primary acknowledges before its `fsync` (the planted bug).
    pub ack_before_fsync: bool,
    /// Replicas, the primary included, whose lease grants make it the primary.
    pub lease_quorum: usize,
}

impl Config {
    /// The correct store: `fsync`, then acknowledge; a majority's lease.
    pub const CORRECT: Config = Config {
        ack_before_fsync: false,
        lease_quorum: REPLICAS / 2 + 1,
    };
    /// The planted bug: acknowledge, `fsync` later.
    pub const ACK_BEFORE_FSYNC: Config = Config {
        ack_before_fsync: true,
        ..Config::CORRECT
    };
    /// A lease quorum no cluster of three reaches.
    pub const MISCONFIGURED: Config = Config {
        lease_quorum: REPLICAS + 1,
        ..Config::CORRECT
    };

    /// What the configuration is, in a few words.
    fn name(self) -> String {
        match (self.ack_before_fsync, self.lease_quorum) {
            (true, _) => "ack before fsync".into(),
            (false, quorum) if quorum > REPLICAS => {
                format!("lease quorum of {quorum} in {REPLICAS}")
            }
            (false, _) => "fsync before ack".into(),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Msg {
    /// Client → primary.
    Write(u32),
    /// Primary → client: the write is committed.
    Ack(u32),
    /// Primary → backups: grant me the lease.
    Lease,
    /// Backup → primary: granted; here is my log.
    Grant(Vec<u32>),
    /// Primary → backups: my log.
    Append(Vec<u32>),
    /// Backup → primary: I hold this many entries of it.
    Appended(usize),
}

/// One replica: the primary (`replicas[0]`) or a backup.
#[derive(Debug)]
pub struct Replica {
    config: Config,
    log: Vec<u32>,
    /// The primary: whether it holds the lease (and serves).
    elected: bool,
    /// The primary: the backups that granted the lease.
    grants: BTreeSet<usize>,
    /// The primary: how many entries each replica is known to hold.
    held: [usize; REPLICAS],
    /// The primary: how many entries are acknowledged.
    acked: usize,
}

impl Replica {
    fn new(config: Config) -> Self {
        Replica {
            config,
            log: Vec::new(),
            elected: false,
            grants: BTreeSet::new(),
            held: [0; REPLICAS],
            acked: 0,
        }
    }
}

/// The log's bytes on disk: each write as 4 little-endian bytes.
fn encode(log: &[u32]) -> Vec<u8> {
    log.iter().flat_map(|write| write.to_le_bytes()).collect()
}

/// The log read back (a torn last entry is dropped).
fn decode(bytes: &[u8]) -> Vec<u32> {
    let entry = |chunk: &[u8]| u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
    bytes.chunks_exact(4).map(entry).collect()
}

/// Replaces the log on disk with `log` and syncs it: whether it is durable.
fn persist(ctx: &mut Context<Msg>, log: &[u32]) -> bool {
    let mut disk = ctx.disk();
    disk.write("log", 0, &encode(log)).is_ok() && disk.sync("log").is_ok()
}

fn is_primary(ctx: &Context<Msg>) -> bool {
    ctx.id().index() == 0
}

fn to_backups(ctx: &mut Context<Msg>, msg: &Msg) {
    for backup in 1..REPLICAS {
        ctx.send(NodeId::new(backup), msg.clone());
    }
}

impl Node<Msg> for Replica {
    fn on_start(&mut self, ctx: &mut Context<Msg>) {
        self.log = ctx
            .disk()
            .read_all("log")
            .map_or(Vec::new(), |b| decode(&b));
        if is_primary(ctx) {
            self.ask_for_the_lease(ctx);
        }
    }

    fn on_timer(&mut self, ctx: &mut Context<Msg>, timer: &'static str) {
        match timer {
            "lease" => self.ask_for_the_lease(ctx),
            "heartbeat" => self.resend(ctx),
            "group commit" => {
                let _ = ctx.disk().sync("log");
            }
            _ => {}
        }
    }

    fn on_message(&mut self, ctx: &mut Context<Msg>, from: NodeId, msg: Msg) {
        match msg {
            Msg::Write(write) => self.write(ctx, from, write),
            Msg::Lease => ctx.send(from, Msg::Grant(self.log.clone())),
            Msg::Grant(log) => self.granted(ctx, from, log),
            Msg::Append(log) => self.copy(ctx, from, log),
            Msg::Appended(len) => self.note_held(ctx, from, len),
            Msg::Ack(_) => {}
        }
    }
}

impl Replica {
    /// The primary, not yet serving: asks the backups for the lease (again, until it has it).
    fn ask_for_the_lease(&mut self, ctx: &mut Context<Msg>) {
        if self.elected || ctx.now() > GIVE_UP {
            return;
        }
        to_backups(ctx, &Msg::Lease);
        ctx.set_timer("lease", RETRY_AFTER);
    }

    /// A backup granted the lease: the primary takes its log if longer, and serves once a lease
    /// quorum granted.
    fn granted(&mut self, ctx: &mut Context<Msg>, backup: NodeId, log: Vec<u32>) {
        if self.elected {
            return;
        }
        if log.len() > self.log.len() && persist(ctx, &log) {
            self.log = log;
        }
        self.grants.insert(backup.index());
        if self.grants.len() + 1 < self.config.lease_quorum {
            return;
        }
        self.elected = true;
        self.held[0] = self.log.len();
        self.acked = self.log.len();
        self.resend(ctx);
    }

    /// The primary: a client's write, appended and sent to the backups once; acknowledged
    /// again if it is committed already.
    fn write(&mut self, ctx: &mut Context<Msg>, client: NodeId, write: u32) {
        if !self.elected {
            return;
        }
        match self.log.iter().position(|&w| w == write) {
            Some(index) if index < self.acked => ctx.send(client, Msg::Ack(write)),
            Some(_) => {}
            None => {
                if ctx.disk().append("log", &write.to_le_bytes()).is_err() {
                    return;
                }
                // The planted bug: with `ack_before_fsync`, the next group commit syncs it.
                if self.config.ack_before_fsync {
                    if !ctx.timer_armed("group commit") {
                        ctx.set_timer("group commit", GROUP_COMMIT);
                    }
                } else if ctx.disk().sync("log").is_err() {
                    return;
                }
                self.log.push(write);
                self.held[0] = self.log.len();
                to_backups(ctx, &Msg::Append(self.log.clone()));
                ctx.set_timer("heartbeat", HEARTBEAT);
            }
        }
    }

    /// The primary: sends its log to the backups that lag, while any does.
    fn resend(&mut self, ctx: &mut Context<Msg>) {
        let len = self.log.len();
        let lagging: Vec<usize> = (1..REPLICAS).filter(|&b| self.held[b] < len).collect();
        for &backup in &lagging {
            ctx.send(NodeId::new(backup), Msg::Append(self.log.clone()));
        }
        if !lagging.is_empty() {
            ctx.set_timer("heartbeat", HEARTBEAT);
        }
    }

    /// A backup: takes the primary's log if longer, makes it durable, says how much it holds.
    fn copy(&mut self, ctx: &mut Context<Msg>, primary: NodeId, log: Vec<u32>) {
        if log.len() > self.log.len() && persist(ctx, &log) {
            self.log = log;
        }
        ctx.send(primary, Msg::Appended(self.log.len()));
    }

    /// The primary: `backup` holds `len` entries; what one backup holds besides the primary is
    /// committed, and acknowledged.
    fn note_held(&mut self, ctx: &mut Context<Msg>, backup: NodeId, len: usize) {
        let slot = &mut self.held[backup.index()];
        *slot = (*slot).max(len);
        let committed = self.held[1..].iter().copied().max().unwrap_or(0);
        let committed = committed.min(self.log.len());
        for &write in self.log.get(self.acked..committed).unwrap_or(&[]) {
            ctx.send("client", Msg::Ack(write));
        }
        self.acked = self.acked.max(committed);
    }
}

/// Writes `1..=WRITES` to the primary, one every [`WRITE_EVERY`] ticks, and resends the
/// unacknowledged ones every [`RETRY_AFTER`] ticks until [`GIVE_UP`].
#[derive(Debug, Default)]
pub struct Client {
    sent: u32,
    acked: BTreeSet<u32>,
}

impl Node<Msg> for Client {
    fn on_start(&mut self, ctx: &mut Context<Msg>) {
        ctx.set_timer("write", 1);
        ctx.set_timer("retry", RETRY_AFTER);
    }

    fn on_timer(&mut self, ctx: &mut Context<Msg>, timer: &'static str) {
        if timer == "write" {
            self.sent += 1;
            ctx.send("replicas[0]", Msg::Write(self.sent));
            if self.sent < WRITES {
                ctx.set_timer("write", WRITE_EVERY);
            }
            return;
        }
        for write in (1..=self.sent).filter(|w| !self.acked.contains(w)) {
            ctx.send("replicas[0]", Msg::Write(write));
        }
        if self.acked.len() < WRITES as usize && ctx.now() < GIVE_UP {
            ctx.set_timer("retry", RETRY_AFTER);
        }
    }

    fn on_message(&mut self, _ctx: &mut Context<Msg>, _from: NodeId, msg: Msg) {
        if let Msg::Ack(write) = msg {
            self.acked.insert(write);
        }
    }
}

#[derive(System, Debug)]
pub struct Store {
    #[nodes]
    replicas: Vec<Replica>,
    client: Client,
}

impl Store {
    pub fn new(config: Config) -> Self {
        Store {
            replicas: (0..REPLICAS).map(|_| Replica::new(config)).collect(),
            client: Client::default(),
        }
    }
}

/// Once the primary serves, it holds every write it acknowledged.
#[invariant]
fn acknowledged_writes_survive(w: &Store) -> Result<(), String> {
    let primary = &w.replicas[0];
    if !primary.elected {
        return Ok(());
    }
    match w
        .client
        .acked
        .iter()
        .find(|write| !primary.log.contains(write))
    {
        Some(lost) => Err(format!(
            "write {lost} was acknowledged, but the primary serves without it"
        )),
        None => Ok(()),
    }
}

/// Some seed must elect a primary, or the sweep tested nothing.
#[sometimes]
fn primary_elected(w: &Store) -> bool {
    w.replicas[0].elected
}

// ---------------------------------------------------------------------------------------------

/// The faults of a run: one of three hand-written schedules, or a swarm.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Faults {
    /// 20 % loss, latency 1..3, no crash.
    LossyNetwork,
    /// A power loss of the primary at t=40, back at t=50, on a reliable network.
    PrimaryPowerLoss,
    /// `replicas[2]` cut off from t=20 to t=60.
    BackupCutOff,
    /// `swarm()`, without storage faults: this store keeps no checksums.
    Swarm,
}

impl Faults {
    /// The faults, in a few words.
    fn name(self) -> &'static str {
        match self {
            Faults::LossyNetwork => "lossy network",
            Faults::PrimaryPowerLoss => "power loss of the primary",
            Faults::BackupCutOff => "a backup cut off",
            Faults::Swarm => "swarm()",
        }
    }
}

/// The store configured as `config`, under `faults`, on seeds `0..SEEDS`.
pub fn scenario(config: Config, faults: Faults) -> Scenario<Store, Msg> {
    let scenario = Scenario::new(move || Store::new(config))
        .name(format!("{}, {}", config.name(), faults.name()))
        .seeds(0..SEEDS)
        .max_steps(5_000);
    let jittery = NetworkModel::reliable().latency(1, 3);
    match faults {
        Faults::LossyNetwork => scenario.network(jittery.loss(0.2)),
        Faults::PrimaryPowerLoss => scenario
            .network(jittery)
            .faults(FaultSchedule::new().crash(Crash::power("replicas[0]", 40, 50))),
        Faults::BackupCutOff => scenario
            .network(jittery)
            .faults(FaultSchedule::new().partition(Partition::isolate("replicas[2]", 20, 60))),
        Faults::Swarm => scenario.swarm(swarm().storage(false)),
    }
}

/// The first seed, counting from `base`, on which the planted bug is found within `limit`
/// seeds under `faults`.
pub fn seeds_to_find(faults: Faults, base: u64, limit: u64) -> Option<u64> {
    let settings = musil::RunSettings::seeds(base..base + limit).shrink(0);
    let report = scenario(Config::ACK_BEFORE_FSYNC, faults).execute(&settings);
    report.failure().map(|failure| failure.seed() - base + 1)
}

/// Prints a verdict line (and a failure's report, indented); whether it is the expected one:
/// `expected` names the failure kind, or `None` for a pass. A replay of one seed
/// (`MUSIL_SEED=N`) makes no coverage verdict: a site that never held there is expected.
fn verdict(label: &str, report: &SimReport<Store>, expected: Option<FailureKind>) -> bool {
    let found = report.failure().map(|failure| failure.kind());
    let never_held = report.coverage().never_held();
    match report.failure() {
        None if expected == Some(FailureKind::Coverage) && !never_held.is_empty() => {
            println!("{label:<48} on one seed, never held: {never_held:?}");
            return true;
        }
        None => println!("{label:<48} passed all {} seeds", report.runs()),
        Some(failure) if failure.kind() == FailureKind::Coverage => {
            println!("{label:<48} green on every invariant, but:");
            for line in failure.to_string().lines() {
                println!("    {line}");
            }
        }
        Some(failure) => {
            println!("{label:<48} FOUND at seed {}", failure.seed());
            for line in failure.to_string().lines() {
                println!("    {line}");
            }
        }
    }
    found == expected
}

fn main() -> ExitCode {
    println!("Swarm hunt — a bug that needs two faults at once\n");
    let bug = Config::ACK_BEFORE_FSYNC;
    let runs = [
        (bug, Faults::LossyNetwork, None),
        (bug, Faults::PrimaryPowerLoss, None),
        (bug, Faults::BackupCutOff, None),
        (bug, Faults::Swarm, Some(FailureKind::Invariant)),
        (Config::CORRECT, Faults::Swarm, None),
        (
            Config::MISCONFIGURED,
            Faults::Swarm,
            Some(FailureKind::Coverage),
        ),
    ];
    let verdicts: Vec<bool> = runs
        .iter()
        .map(|&(config, faults, expected)| {
            let report = scenario(config, faults).run();
            verdict(&format!("{}:", report.scenario()), &report, expected)
        })
        .collect();
    if verdicts.iter().all(|&expected| expected) {
        println!(
            "\nEvery verdict as expected: only the swarm met both faults at once, and the \
             coverage site caught the sweep that never elected a primary."
        );
        ExitCode::SUCCESS
    } else {
        eprintln!("unexpected verdicts: {verdicts:?}");
        ExitCode::FAILURE
    }
}
