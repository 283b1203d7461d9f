//! A controller pushes a desired version to a replica across a partition that heals.
//! Fire-and-forget wedges (the push is cut and never repeated: liveness); re-pushing until
//! acknowledged converges after the heal; and a cold restart loses a write that was
//! acknowledged and never retried (liveness again).

use musil::prelude::*;

const DESIRED: u64 = 1;

#[derive(Clone, Debug, PartialEq)]
enum Msg {
    Push(u64),
    Ack(u64),
}

/// Pushes `DESIRED`; with `repush`, again every 3 time units until acknowledged.
#[derive(Debug, Default)]
struct Controller {
    repush: bool,
    acked: bool,
    pushes: u32,
}

impl Controller {
    fn push(&mut self, ctx: &mut Context<Msg>) {
        self.pushes += 1;
        ctx.send("replica", Msg::Push(DESIRED));
        if self.repush {
            ctx.set_timer("repush", 3);
        }
    }
}

impl Node<Msg> for Controller {
    fn on_start(&mut self, ctx: &mut Context<Msg>) {
        self.push(ctx);
    }

    fn on_timer(&mut self, ctx: &mut Context<Msg>, _timer: &'static str) {
        if !self.acked {
            self.push(ctx);
        }
    }

    fn on_message(&mut self, ctx: &mut Context<Msg>, _from: NodeId, msg: Msg) {
        if msg == Msg::Ack(DESIRED) {
            self.acked = true;
            ctx.cancel_timer("repush");
        }
    }
}

/// Applies pushed versions in memory (so a cold restart loses them) and acknowledges them.
#[derive(Debug, Default)]
struct Replica {
    applied: Option<u64>,
}

impl Node<Msg> for Replica {
    fn on_message(&mut self, ctx: &mut Context<Msg>, from: NodeId, msg: Msg) {
        if let Msg::Push(version) = msg {
            self.applied = Some(version);
            ctx.send(from, Msg::Ack(version));
        }
    }
}

#[derive(System, Debug)]
struct Deployment {
    controller: Controller,
    replica: Replica,
}

/// An acknowledged version is applied — unless the replica lost it in a cold restart, which is
/// what the last scenario shows; checked only while the replica has not restarted.
#[invariant]
fn replica_never_runs_an_undesired_version(w: &Deployment) -> bool {
    w.replica.applied.is_none_or(|v| v == DESIRED)
}

fn applied_desired(w: &Deployment) -> bool {
    w.replica.applied == Some(DESIRED)
}

fn partition_first_ten() -> FaultSchedule {
    FaultSchedule::new().partition(Partition::between("controller", "replica", 0, 10))
}

fn network() -> NetworkModel<Msg> {
    NetworkModel::reliable().latency(1, 3)
}

#[musil::scenario(seeds = 0..20, network = network(), faults = partition_first_ten(), goal = applied_desired, should_fail = liveness)]
fn fire_and_forget_wedges() -> Deployment {
    Deployment {
        controller: Controller::default(),
        replica: Replica::default(),
    }
}

#[musil::scenario(seeds = 0..20, network = network(), faults = partition_first_ten(), goal = applied_desired, converge_within = 10)]
fn repush_converges_after_heal() -> Deployment {
    Deployment {
        controller: Controller {
            repush: true,
            ..Controller::default()
        },
        replica: Replica::default(),
    }
}

fn cold_restart_after_the_write() -> FaultSchedule {
    FaultSchedule::new().crash(Crash::cold("replica", 8, 12))
}

#[musil::scenario(seeds = 0..20, network = network(), faults = cold_restart_after_the_write(), goal = applied_desired, should_fail = liveness)]
fn cold_restart_loses_an_unretried_write() -> Deployment {
    Deployment {
        controller: Controller {
            repush: true,
            ..Controller::default()
        },
        replica: Replica::default(),
    }
}
