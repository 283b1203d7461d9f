//! Leader isolation — a nemesis that cuts the leader off, and a quorum off by one.
//!
//! Three replicas elect a leader (terms, votes, heartbeats, election timeouts drawn at random
//! with `ctx.randint`) and replicate a client's writes in the leader's log; the leader
//! acknowledges a write once it is *committed*: held by a majority, in an entry of its own term
//! (a new leader commits an empty entry first, which commits what it inherited). Followers copy
//! the leader's whole log; a replica votes only for a candidate whose log is at least as
//! up to date as its own, so every leader holds every committed write.
//!
//! A hand-written nemesis watches the world and, when no fault is active (after a step, with
//! probability 3/100), cuts the leader and the client off from the other replicas for 30 ticks
//! (`FaultControl::split`, with `because` saying which term it leads) — until t=150. The client stays with the old leader on
//! the minority side, as a client of a partitioned service does.
//!
//! The planted bug is an off-by-one: the leader commits once `REPLICAS / 2` replicas hold an
//! entry, counting itself — the number of *followers* a majority needs — so with three replicas
//! its own copy is enough. With no fault it goes unnoticed (followers receive each entry before
//! the client receives its ack); cut off from its peers (and soon deposed by them), the leader
//! keeps acknowledging writes on its own, and `acked writes held by a majority` breaks. The correct leader commits
//! at `REPLICAS / 2 + 1` and steps down when it sees a higher term: it passes every seed, and
//! after the nemesis stops, `converge_within` requires a single leader and every write
//! acknowledged and held by every replica within 300 steps.
//!
//! Run it with `cargo run --example leader_isolation`; it exits with an error if a verdict is
//! not the expected one.

use std::collections::BTreeSet;
use std::process::ExitCode;

use musil::prelude::*;

/// Replicas in the cluster: the first nodes, so `replicas[k]` is node `k`.
const REPLICAS: usize = 3;
/// Ticks between a leader's heartbeats.
const HEARTBEAT: u64 = 3;
/// The election timeout is drawn from this range on every reset.
const ELECTION: (i64, i64) = (10, 20);
/// Writes the client issues.
const WRITES: u32 = 6;
/// Ticks between the client's writes.
const WRITE_EVERY: u64 = 8;
/// Ticks between the client's retries of unacknowledged writes.
const RETRY_AFTER: u64 = 10;
/// How long the nemesis cuts the leader off.
const CUT_FOR: u64 = 30;
/// When the nemesis stops.
const NEMESIS_UNTIL: u64 = 150;
/// Seeds per run.
const SEEDS: u64 = 200;

/// One entry of a replica's log: a client's write, or the empty entry a new leader commits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Entry {
    term: u64,
    write: Option<u32>,
}

#[derive(Clone, Debug, PartialEq)]
enum Msg {
    /// Client → replicas: please store this write.
    Write(u32),
    /// Leader → client: the write is committed.
    Ack(u32),
    /// Candidate → replicas: vote for me in `term`; my log ends with `last_term` and has `len`
    /// entries.
    Vote {
        term: u64,
        last_term: u64,
        len: usize,
    },
    /// The answer to a `Vote`.
    Voted { term: u64, granted: bool },
    /// Leader → followers: my whole log (a heartbeat too).
    Append { term: u64, log: Vec<Entry> },
    /// Follower → leader: my log now has `len` entries of yours (0 and a higher term: a refusal).
    Appended { term: u64, len: usize },
}

// ---------------------------------------------------------------------------------------------
// A replica
// ---------------------------------------------------------------------------------------------

/// How many replicas must hold an entry for the leader to commit it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Quorum {
    /// `REPLICAS / 2 + 1`, the leader included.
    Majority,
    /// `REPLICAS / 2`, the leader included: the planted bug.
    OffByOne,
}

impl Quorum {
    fn size(self) -> usize {
        match self {
            Quorum::Majority => REPLICAS / 2 + 1,
            Quorum::OffByOne => REPLICAS / 2,
        }
    }
}

/// What a replica is in its current term.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Role {
    Follower,
    /// Asking for votes; the replicas that granted theirs.
    Candidate {
        votes: BTreeSet<usize>,
    },
    /// Leading; how many entries of its log each replica is known to hold.
    Leader {
        holds: [usize; REPLICAS],
    },
}

/// One replica: its term, its vote, its role and its log.
#[derive(Debug)]
struct Replica {
    quorum: Quorum,
    term: u64,
    voted_for: Option<usize>,
    role: Role,
    log: Vec<Entry>,
    /// The term of the leader whose log `log` is (a copy is replaced only by a newer leader's
    /// log, or by a longer one of the same leader).
    log_term: u64,
    /// How many entries of the log are committed (as this replica knows).
    committed: usize,
}

impl Replica {
    fn new(quorum: Quorum) -> Self {
        Replica {
            quorum,
            term: 0,
            voted_for: None,
            role: Role::Follower,
            log: Vec::new(),
            log_term: 0,
            committed: 0,
        }
    }

    fn is_leader(&self) -> bool {
        matches!(self.role, Role::Leader { .. })
    }

    /// The term of the last entry and the log's length: what "up to date" compares.
    fn last(&self) -> (u64, usize) {
        (self.log.last().map_or(0, |e| e.term), self.log.len())
    }

    /// Whether the log holds `write`.
    fn holds(&self, write: u32) -> bool {
        self.log.iter().any(|e| e.write == Some(write))
    }
}

impl Node<Msg> for Replica {
    fn on_start(&mut self, ctx: &mut Context<Msg>) {
        reset_election(ctx);
    }

    fn on_timer(&mut self, ctx: &mut Context<Msg>, timer: &'static str) {
        match timer {
            "heartbeat" if self.is_leader() => {
                self.replicate(ctx);
                ctx.set_timer("heartbeat", HEARTBEAT);
            }
            "election" if !self.is_leader() => self.stand(ctx),
            _ => {}
        }
    }

    fn on_message(&mut self, ctx: &mut Context<Msg>, from: NodeId, msg: Msg) {
        let term = match &msg {
            Msg::Vote { term, .. } | Msg::Voted { term, .. } => *term,
            Msg::Append { term, .. } | Msg::Appended { term, .. } => *term,
            Msg::Write(_) | Msg::Ack(_) => 0,
        };
        if term > self.term {
            self.follow(ctx, term);
        }
        match msg {
            Msg::Write(write) => self.write(ctx, from, write),
            Msg::Vote {
                term,
                last_term,
                len,
            } => self.vote(ctx, from, term, (last_term, len)),
            Msg::Voted { term, granted } => self.count_vote(ctx, from, term, granted),
            Msg::Append { term, log } => self.copy(ctx, from, term, log),
            Msg::Appended { term, len } => self.note_held(ctx, from, term, len),
            Msg::Ack(_) => {}
        }
    }
}

/// Re-arms the election timeout, drawn at random.
fn reset_election(ctx: &mut Context<Msg>) {
    let timeout = ctx.randint(ELECTION.0, ELECTION.1) as u64;
    ctx.set_timer("election", timeout);
}

/// Sends `msg` to every other replica.
fn to_peers(ctx: &mut Context<Msg>, msg: &Msg) {
    let me = ctx.id().index();
    for peer in (0..REPLICAS).filter(|&k| k != me) {
        ctx.send(NodeId::new(peer), msg.clone());
    }
}

impl Replica {
    /// A higher term is seen: follow it, with no vote cast yet.
    fn follow(&mut self, ctx: &mut Context<Msg>, term: u64) {
        if self.is_leader() {
            ctx.cancel_timer("heartbeat");
        }
        self.term = term;
        self.voted_for = None;
        self.role = Role::Follower;
        reset_election(ctx);
    }

    /// The election timeout fired: stand for the next term.
    fn stand(&mut self, ctx: &mut Context<Msg>) {
        let me = ctx.id().index();
        self.term += 1;
        self.voted_for = Some(me);
        self.role = Role::Candidate {
            votes: BTreeSet::from([me]),
        };
        let (last_term, len) = self.last();
        let term = self.term;
        to_peers(
            ctx,
            &Msg::Vote {
                term,
                last_term,
                len,
            },
        );
        reset_election(ctx);
    }

    /// Grants the vote of this term to a candidate whose log is at least as up to date.
    fn vote(&mut self, ctx: &mut Context<Msg>, from: NodeId, term: u64, last: (u64, usize)) {
        let free = self.voted_for.is_none_or(|k| k == from.index());
        let granted = term == self.term && free && last >= self.last();
        if granted {
            self.voted_for = Some(from.index());
            reset_election(ctx);
        }
        let term = self.term;
        ctx.send(from, Msg::Voted { term, granted });
    }

    /// Counts a vote; a majority of votes makes this replica the leader.
    fn count_vote(&mut self, ctx: &mut Context<Msg>, from: NodeId, term: u64, granted: bool) {
        let Role::Candidate { votes } = &mut self.role else {
            return;
        };
        if term != self.term || !granted {
            return;
        }
        votes.insert(from.index());
        if votes.len() > REPLICAS / 2 {
            self.lead(ctx);
        }
    }

    /// Becomes the leader: appends the empty entry of its term and replicates at once.
    fn lead(&mut self, ctx: &mut Context<Msg>) {
        self.log.push(Entry {
            term: self.term,
            write: None,
        });
        self.log_term = self.term;
        let mut holds = [0; REPLICAS];
        holds[ctx.id().index()] = self.log.len();
        self.role = Role::Leader { holds };
        ctx.cancel_timer("election");
        self.replicate(ctx);
        ctx.set_timer("heartbeat", HEARTBEAT);
    }

    /// Sends the whole log to the followers.
    fn replicate(&mut self, ctx: &mut Context<Msg>) {
        let (term, log) = (self.term, self.log.clone());
        to_peers(ctx, &Msg::Append { term, log });
    }

    /// A client's write: the leader appends it (once) and replicates it, or acknowledges it
    /// again if it is committed already; other replicas ignore it.
    fn write(&mut self, ctx: &mut Context<Msg>, client: NodeId, write: u32) {
        if !self.is_leader() {
            return;
        }
        match self.log.iter().position(|e| e.write == Some(write)) {
            Some(index) if index < self.committed => ctx.send(client, Msg::Ack(write)),
            Some(_) => {}
            None => {
                self.log.push(Entry {
                    term: self.term,
                    write: Some(write),
                });
                self.replicate(ctx);
                let (me, len) = (ctx.id(), self.log.len());
                self.note_held(ctx, me, self.term, len);
            }
        }
    }

    /// The leader's log, from a leader of `term` at least as recent as this one: copied if it
    /// is a newer leader's, or a longer log of the same leader; the answer says how much of it
    /// this replica holds.
    fn copy(&mut self, ctx: &mut Context<Msg>, leader: NodeId, term: u64, log: Vec<Entry>) {
        if term < self.term {
            let term = self.term;
            return ctx.send(leader, Msg::Appended { term, len: 0 });
        }
        self.role = Role::Follower;
        reset_election(ctx);
        if term > self.log_term || log.len() >= self.log.len() {
            self.log = log;
            self.log_term = term;
        }
        let len = self.log.len();
        ctx.send(leader, Msg::Appended { term, len });
    }

    /// `replica` holds the first `len` entries of this leader's log: commits what a quorum
    /// holds, and acknowledges the writes that commits.
    fn note_held(&mut self, ctx: &mut Context<Msg>, replica: NodeId, term: u64, len: usize) {
        let Role::Leader { holds } = &mut self.role else {
            return;
        };
        if term != self.term {
            return;
        }
        let slot = &mut holds[replica.index()];
        *slot = (*slot).max(len);
        let held_by = |n: usize| holds.iter().filter(|&&h| h >= n).count();
        let quorum = self.quorum.size();
        let Some(commit) = (self.committed + 1..=self.log.len())
            .rev()
            .find(|&n| self.log[n - 1].term == self.term && held_by(n) >= quorum)
        else {
            return;
        };
        let newly: Vec<u32> = self.log[self.committed..commit]
            .iter()
            .filter_map(|e| e.write)
            .collect();
        self.committed = commit;
        for write in newly {
            ctx.send("client", Msg::Ack(write));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The client, the cluster and its properties
// ---------------------------------------------------------------------------------------------

/// Sends writes `1..=WRITES` to every replica, one every [`WRITE_EVERY`] ticks, and resends the
/// unacknowledged ones every [`RETRY_AFTER`] ticks.
#[derive(Debug, Default)]
struct Client {
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
            broadcast(ctx, self.sent);
            if self.sent < WRITES {
                ctx.set_timer("write", WRITE_EVERY);
            }
            return;
        }
        for write in (1..=self.sent).filter(|w| !self.acked.contains(w)) {
            broadcast(ctx, write);
        }
        if self.acked.len() < WRITES as usize {
            ctx.set_timer("retry", RETRY_AFTER);
        }
    }

    fn on_message(&mut self, _ctx: &mut Context<Msg>, _from: NodeId, msg: Msg) {
        if let Msg::Ack(write) = msg {
            self.acked.insert(write);
        }
    }
}

/// Sends `write` to every replica (the client does not track who leads).
fn broadcast(ctx: &mut Context<Msg>, write: u32) {
    for replica in 0..REPLICAS {
        ctx.send(NodeId::new(replica), Msg::Write(write));
    }
}

#[derive(System, Debug)]
struct Cluster {
    #[nodes]
    replicas: Vec<Replica>,
    client: Client,
}

impl Cluster {
    fn new(quorum: Quorum) -> Self {
        Cluster {
            replicas: (0..REPLICAS).map(|_| Replica::new(quorum)).collect(),
            client: Client::default(),
        }
    }

    /// The leader of the highest term, if any replica leads.
    fn leader(&self) -> Option<usize> {
        let leaders = self
            .replicas
            .iter()
            .enumerate()
            .filter(|(_, r)| r.is_leader());
        leaders.max_by_key(|(_, r)| r.term).map(|(k, _)| k)
    }
}

/// Every acknowledged write is held by a majority of the replicas.
#[invariant]
fn acked_writes_held_by_a_majority(w: &Cluster) -> Result<(), String> {
    for &write in &w.client.acked {
        let holders: Vec<String> = (0..REPLICAS)
            .filter(|&k| w.replicas[k].holds(write))
            .map(|k| format!("replicas[{k}]"))
            .collect();
        if holders.len() <= REPLICAS / 2 {
            let holders = holders.join(", ");
            return Err(format!(
                "write {write} acknowledged, held only by [{holders}]"
            ));
        }
    }
    Ok(())
}

/// One leader; every write acknowledged and held by every replica.
fn settled(w: &Cluster) -> bool {
    let leaders = w.replicas.iter().filter(|r| r.is_leader()).count();
    let everywhere = (1..=WRITES).all(|write| w.replicas.iter().all(|r| r.holds(write)));
    leaders == 1 && w.client.acked.len() == WRITES as usize && everywhere
}

/// When no fault is active, after each step with probability 3/100: cuts the leader and the
/// client off from the other replicas.
fn cut_off_the_leader(world: &Cluster, faults: &mut FaultControl) {
    let Some(leader) = world.leader() else { return };
    if !faults.idle() || !faults.rng().chance(0.03) {
        return;
    }
    let client = NodeId::new(REPLICAS); // declared after the replicas
    faults.because(format!("it leads term {}", world.replicas[leader].term));
    faults.split([NodeId::new(leader), client], CUT_FOR);
}

// ---------------------------------------------------------------------------------------------

/// A run of `SEEDS` seeds of the cluster whose leaders commit at `quorum`, with the nemesis or
/// without it.
fn run(name: &str, quorum: Quorum, nemesis: bool) -> SimReport<Cluster> {
    let scenario = Scenario::new(move || Cluster::new(quorum))
        .name(name)
        .seeds(0..SEEDS)
        .max_steps(1_000)
        .goal("one leader, every write acked and everywhere", settled)
        .converge_within(300);
    if nemesis {
        scenario
            .nemesis(cut_off_the_leader)
            .nemesis_until(NEMESIS_UNTIL)
            .run()
    } else {
        scenario.run()
    }
}

/// Prints one verdict line (and the whole failure report, indented, under a FOUND); returns
/// whether it is the expected one: a broken `acked_writes_held_by_a_majority`, or a pass.
fn verdict(label: &str, report: &SimReport<Cluster>, bug_expected: bool) -> bool {
    let invariant = "`acked_writes_held_by_a_majority` violated";
    match (report.failure(), bug_expected) {
        (None, false) => {
            println!("{label:<44} passed all {} seeds", report.runs());
            true
        }
        (Some(failure), true) if failure.detail().starts_with(invariant) => {
            println!("{label:<44} FOUND an acknowledged write not held by a majority");
            for line in failure.to_string().lines() {
                println!("    {line}");
            }
            true
        }
        (Some(failure), _) => {
            println!("{label:<44} UNEXPECTED failure:\n{failure}");
            false
        }
        (None, true) => {
            println!("{label:<44} UNEXPECTED: the bug was not found");
            false
        }
    }
}

fn main() -> ExitCode {
    println!("Leader isolation — a nemesis cuts the leader off from its peers\n");
    let verdicts = [
        verdict(
            "quorum off by one, no faults:",
            &run("off_by_one_no_faults", Quorum::OffByOne, false),
            false,
        ),
        verdict(
            "quorum off by one, leader cut off:",
            &run("off_by_one_leader_cut_off", Quorum::OffByOne, true),
            true,
        ),
        verdict(
            "majority quorum, leader cut off:",
            &run("majority_leader_cut_off", Quorum::Majority, true),
            false,
        ),
    ];
    if verdicts.iter().all(|&expected| expected) {
        println!("\nEvery verdict as expected: only a majority makes an acknowledgement safe.");
        ExitCode::SUCCESS
    } else {
        eprintln!("unexpected verdicts: {verdicts:?}");
        ExitCode::FAILURE
    }
}
