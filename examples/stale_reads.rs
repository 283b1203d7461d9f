//! Stale reads — a bug no invariant of one instant can see, found in the history.
//!
//! A key-value store of three replicas: `replicas[0]` leads. A write goes to the leader, which
//! applies it, replicates it to the followers without waiting (asynchronous replication), and
//! acknowledges it. Two clients issue reads and writes on two keys, each recording its
//! operations (`ctx.invoke`, `ctx.complete`); an operation that times out stays pending — it may
//! or may not have taken effect.
//!
//! The planted bug: reads are served by whichever replica the client asks, from its own copy.
//! A follower that has not yet received a write answers with the value before it — after the
//! write was acknowledged. Every replica's state is a state the store went through, so no
//! invariant on the world can tell; only the history shows that the read returned a value
//! already overwritten. The scenario checks each run's history for linearizability against
//! `KvSpec`, and the report shows the smallest part of the history that cannot be ordered.
//!
//! The correct store serves reads at the leader after a quorum round (the leader confirms with
//! a follower that it still leads before answering). It passes hundreds of seeds under loss, a
//! latency spread and a nemesis that cuts the leader off — operations that time out while it is
//! cut off stay pending, and linearizability allows them.
//!
//! Run it with `cargo run --example stale_reads`; it exits with an error if a verdict is not
//! the expected one.

use std::collections::BTreeMap;
use std::process::ExitCode;

use musil::history::{KvOp, KvRet, KvSpec, OpId};
use musil::prelude::*;

/// Replicas: `replicas[0]` leads.
const REPLICAS: usize = 3;
/// Operations each client issues.
const OPS_PER_CLIENT: u32 = 12;
/// Keys the clients use.
const KEYS: u64 = 2;
/// Ticks a client waits for an answer before it leaves the operation pending.
const TIMEOUT: u64 = 25;
/// How long the nemesis cuts the leader off, and until when it acts.
const CUT_FOR: u64 = 20;
const NEMESIS_UNTIL: u64 = 200;
/// Seeds per run.
const SEEDS: u64 = 300;

/// Who serves reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Reads {
    /// Any replica, from its own copy: the planted bug.
    AnyReplica,
    /// The leader, after a quorum round.
    LeaderAfterQuorum,
}

#[derive(Clone, Debug, PartialEq)]
enum Msg {
    /// Client → leader: write `key`; `request` numbers the answer.
    Put { key: u64, value: i64, request: u32 },
    /// Client → a replica: read `key`.
    Get { key: u64, request: u32 },
    /// Replica → client.
    PutOk { request: u32 },
    /// Replica → client.
    Value { value: Option<i64>, request: u32 },
    /// Leader → followers: a write to apply.
    Replicate { key: u64, value: i64 },
    /// Leader → followers: do I still lead? (a quorum round for a read)
    Confirm { round: u32 },
    /// Follower → leader.
    Confirmed { round: u32 },
}

/// A replica: its copy of the map, and (the leader) the reads waiting for their quorum round.
#[derive(Debug)]
struct Replica {
    reads: Reads,
    map: BTreeMap<u64, i64>,
    /// The leader's reads in a quorum round: round → (client, key, request).
    waiting: BTreeMap<u32, (NodeId, u64, u32)>,
    rounds: u32,
}

impl Replica {
    fn new(reads: Reads) -> Self {
        Replica {
            reads,
            map: BTreeMap::new(),
            waiting: BTreeMap::new(),
            rounds: 0,
        }
    }
}

impl Node<Msg> for Replica {
    fn on_message(&mut self, ctx: &mut Context<Msg>, from: NodeId, msg: Msg) {
        match msg {
            Msg::Put {
                key,
                value,
                request,
            } => {
                self.map.insert(key, value);
                for follower in 1..REPLICAS {
                    ctx.send(NodeId::new(follower), Msg::Replicate { key, value });
                }
                ctx.send(from, Msg::PutOk { request });
            }
            Msg::Get { key, request } => self.read(ctx, from, key, request),
            Msg::Replicate { key, value } => {
                self.map.insert(key, value);
            }
            Msg::Confirm { round } => ctx.send(from, Msg::Confirmed { round }),
            Msg::Confirmed { round } => {
                if let Some((client, key, request)) = self.waiting.remove(&round) {
                    let value = self.map.get(&key).copied();
                    ctx.send(client, Msg::Value { value, request });
                }
            }
            Msg::PutOk { .. } | Msg::Value { .. } => {}
        }
    }
}

impl Replica {
    /// A read: answered at once from this copy (the bug), or by the leader after a follower
    /// confirmed it still leads.
    fn read(&mut self, ctx: &mut Context<Msg>, client: NodeId, key: u64, request: u32) {
        match self.reads {
            Reads::AnyReplica => {
                let value = self.map.get(&key).copied();
                ctx.send(client, Msg::Value { value, request });
            }
            Reads::LeaderAfterQuorum => {
                self.rounds += 1;
                let round = self.rounds;
                self.waiting.insert(round, (client, key, request));
                for follower in 1..REPLICAS {
                    ctx.send(NodeId::new(follower), Msg::Confirm { round });
                }
            }
        }
    }
}

/// Issues [`OPS_PER_CLIENT`] operations one after another — a write of a fresh value or a
/// read, on a random key — recording each; one unanswered within [`TIMEOUT`] stays pending.
#[derive(Debug)]
struct Client {
    reads: Reads,
    issued: u32,
    /// The open operation: its request number, history id and kind.
    open: Option<(u32, OpId)>,
}

impl Node<Msg> for Client {
    fn on_start(&mut self, ctx: &mut Context<Msg>) {
        self.next(ctx);
    }

    fn on_timer(&mut self, ctx: &mut Context<Msg>, timer: &'static str) {
        match timer {
            // No answer: the operation stays pending (it may or may not have happened).
            "timeout" => {
                self.open = None;
                self.next(ctx);
            }
            "next" => self.next(ctx),
            _ => {}
        }
    }

    fn on_message(&mut self, ctx: &mut Context<Msg>, _from: NodeId, msg: Msg) {
        let (request, ret) = match msg {
            Msg::PutOk { request } => (request, KvRet::Ok),
            Msg::Value { value, request } => (request, KvRet::Value(value)),
            _ => return,
        };
        match self.open {
            Some((open, op)) if open == request => {
                ctx.complete(op, ret);
                self.open = None;
                ctx.cancel_timer("timeout");
                let think = ctx.randint(1, 4) as u64;
                ctx.set_timer("next", think);
            }
            _ => {} // the answer to an operation already left pending
        }
    }
}

impl Client {
    fn next(&mut self, ctx: &mut Context<Msg>) {
        if self.issued == OPS_PER_CLIENT {
            return;
        }
        self.issued += 1;
        let request = self.issued;
        let key = ctx.randint(0, KEYS as i64 - 1) as u64;
        if ctx.chance(0.5) {
            let value = (ctx.id().index() * 1000) as i64 + i64::from(request);
            let op = ctx.invoke(KvOp::Put(key, value));
            self.open = Some((request, op));
            ctx.send(
                "replicas[0]",
                Msg::Put {
                    key,
                    value,
                    request,
                },
            );
        } else {
            let op = ctx.invoke(KvOp::<u64, i64>::Get(key));
            self.open = Some((request, op));
            let replica = match self.reads {
                Reads::AnyReplica => ctx.randint(0, REPLICAS as i64 - 1) as usize,
                Reads::LeaderAfterQuorum => 0,
            };
            ctx.send(NodeId::new(replica), Msg::Get { key, request });
        }
        ctx.set_timer("timeout", TIMEOUT);
    }
}

#[derive(System, Debug)]
struct Store {
    #[nodes]
    replicas: Vec<Replica>,
    #[nodes]
    clients: Vec<Client>,
}

impl Store {
    fn new(reads: Reads) -> Self {
        Store {
            replicas: (0..REPLICAS).map(|_| Replica::new(reads)).collect(),
            clients: (0..2)
                .map(|_| Client {
                    reads,
                    issued: 0,
                    open: None,
                })
                .collect(),
        }
    }
}

/// When no fault is active, with probability 1/20 after a step: cuts the leader off.
fn cut_off_the_leader(_: &Store, faults: &mut FaultControl) {
    if faults.idle() && faults.rng().chance(0.05) {
        faults.isolate("replicas[0]", CUT_FOR);
    }
}

/// The store whose reads are served as `reads`, its history checked for linearizability, under
/// loss, a latency spread and the nemesis.
fn scenario(reads: Reads) -> Scenario<Store, Msg> {
    let name = match reads {
        Reads::AnyReplica => "reads at any replica",
        Reads::LeaderAfterQuorum => "reads at the leader after a quorum round",
    };
    Scenario::new(move || Store::new(reads))
        .name(name)
        .seeds(0..SEEDS)
        .network(NetworkModel::reliable().loss(0.05).latency(1, 8))
        .nemesis(cut_off_the_leader)
        .nemesis_until(NEMESIS_UNTIL)
        .linearizable(KvSpec::<u64, i64>::default())
}

/// Prints a verdict line (and a failure's report, indented); whether it is the expected one.
fn verdict(report: &SimReport<Store>, expected: Option<FailureKind>) -> bool {
    let label = format!("{}:", report.scenario());
    let found = report.failure().map(|failure| failure.kind());
    match report.failure() {
        None => println!("{label:<44} passed all {} seeds", report.runs()),
        Some(failure) => {
            println!("{label:<44} FOUND at seed {}", failure.seed());
            for line in failure.to_string().lines() {
                println!("    {line}");
            }
        }
    }
    found == expected
}

fn main() -> ExitCode {
    println!("Stale reads — a bug only the history shows\n");
    let verdicts = [
        verdict(
            &scenario(Reads::AnyReplica).run(),
            Some(FailureKind::Linearizability),
        ),
        verdict(&scenario(Reads::LeaderAfterQuorum).run(), None),
    ];
    if verdicts.iter().all(|&expected| expected) {
        println!(
            "\nEvery verdict as expected: reads at a follower return overwritten values; reads \
             at the leader after a quorum round are linearizable."
        );
        ExitCode::SUCCESS
    } else {
        eprintln!("unexpected verdicts: {verdicts:?}");
        ExitCode::FAILURE
    }
}
