//! sim_partition: a fault-schedule liveness workload. A source pushes a value to a replica across
//! a partition [2, 12) and a cold restart of the replica [15, 20), over a lossy, duplicating
//! network; an invariant every step, `converge_within` after the heal, and a goal.

use musil::prelude::*;

use crate::harness::{Counts, Options, Workload};

pub const WORKLOAD: Workload = Workload {
    run,
    throughput: &[("seeds_per_s", "runs"), ("steps_per_s", "steps")],
    params: |o| {
        format!(
            "\"seeds\": \"range({})\", \"network\": \"loss=0.2 dup=0.05 lat=1..3\", \
             \"faults\": \"partition s<->r [2,12); crash r [15,20) cold\", \"converge_within\": 200",
            o.seeds
        )
    },
};

#[derive(Clone, Debug, PartialEq)]
pub enum Msg {
    Push(u64),
    Ack,
    Hello,
}

#[derive(Debug)]
struct Source {
    desired: u64,
    acked: bool,
    pushes: u32,
}

impl Source {
    fn push(&mut self, ctx: &mut Context<Msg>) {
        ctx.send("r", Msg::Push(self.desired));
        self.pushes += 1;
        ctx.set_timer("push", 2);
    }
}

impl Node<Msg> for Source {
    fn on_start(&mut self, ctx: &mut Context<Msg>) {
        self.push(ctx);
    }

    fn on_message(&mut self, ctx: &mut Context<Msg>, _from: NodeId, msg: Msg) {
        match msg {
            Msg::Ack => {
                self.acked = true;
                ctx.cancel_timer("push");
            }
            Msg::Hello => {
                // The replica (re)booted: it may have lost what we pushed.
                self.acked = false;
                self.push(ctx);
            }
            Msg::Push(_) => {}
        }
    }

    fn on_timer(&mut self, ctx: &mut Context<Msg>, _timer: &'static str) {
        if !self.acked {
            self.push(ctx);
        }
    }
}

#[derive(Debug, Default)]
pub struct Replica {
    applied: u64,
    synced: bool,
    /// The planted bug of the shrinking benchmark: a restarted replica never says hello.
    mute: bool,
}

impl Replica {
    fn hello(&mut self, ctx: &mut Context<Msg>) {
        ctx.send("s", Msg::Hello);
        ctx.set_timer("hello", 3);
    }
}

impl Node<Msg> for Replica {
    fn on_start(&mut self, ctx: &mut Context<Msg>) {
        if !(self.mute && ctx.now() > 0) {
            self.hello(ctx);
        }
    }

    fn on_message(&mut self, ctx: &mut Context<Msg>, from: NodeId, msg: Msg) {
        if let Msg::Push(value) = msg {
            self.applied = self.applied.max(value);
            self.synced = true;
            ctx.cancel_timer("hello");
            ctx.send(from, Msg::Ack);
        }
    }

    fn on_timer(&mut self, ctx: &mut Context<Msg>, _timer: &'static str) {
        if !self.synced {
            self.hello(ctx);
        }
    }
}

/// The replica is declared first: it starts first, as `bench/WORKLOADS.md` says (`r` before `s`).
#[derive(System, Debug)]
pub struct Pair {
    r: Replica,
    s: Source,
}

fn pair() -> Pair {
    Pair {
        r: Replica::default(),
        s: Source {
            desired: 1,
            acked: false,
            pushes: 0,
        },
    }
}

/// The workload's scenario; with `mute`, the planted bug (the shrinking benchmark's).
pub fn scenario(mute: bool) -> Scenario<Pair, Msg> {
    let faults = FaultSchedule::new()
        .partition(Partition::between("s", "r", 2, 12))
        .crash(Crash::cold("r", 15, 20));
    let factory = move || Pair {
        r: Replica {
            mute,
            ..Replica::default()
        },
        ..pair()
    };
    Scenario::new(factory)
        .name("sim_partition")
        .network(
            NetworkModel::reliable()
                .loss(0.2)
                .duplicate(0.05)
                .latency(1, 3),
        )
        .faults(faults)
        .invariant("applied<=desired", |w: &Pair| w.r.applied <= w.s.desired)
        .goal("applied==desired", |w: &Pair| w.r.applied == w.s.desired)
        .converge_within(200)
        // As the Python reference does: on to quiescence after the goal holds.
        .keep_running()
        .max_steps(10_000)
}

fn run(options: &Options) -> Counts {
    let report = scenario(false).seeds(0..options.seeds).run();
    assert!(report.ok(), "{report}");
    crate::harness::seed_counts(report.runs(), report.steps())
}
