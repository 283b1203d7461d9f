//! sim_many_seeds: per-run setup plus the oracle over many short runs. A client retries a
//! request over a lossy network until acknowledged; an invariant after every step, a goal at the
//! end. Seeds run on `MUSIL_JOBS` threads (default: the cores).

use musil::prelude::*;

use crate::harness::{Counts, Options, Workload};

pub const WORKLOAD: Workload = Workload {
    run,
    throughput: &[("seeds_per_s", "runs"), ("steps_per_s", "steps")],
    params: |o| {
        format!(
            "\"seeds\": \"range({})\", \"network\": \"loss=0.3 lat=1..3\", \"jobs\": {}",
            o.seeds,
            crate::harness::jobs()
        )
    },
};

#[derive(Clone, Debug)]
enum Msg {
    Req,
    Ack,
}

#[derive(Debug, Default)]
struct Client {
    acked: bool,
    sends: u32,
}

impl Client {
    fn send(&mut self, ctx: &mut Context<Msg>) {
        ctx.send("server", Msg::Req);
        self.sends += 1;
        ctx.set_timer("retry", 4);
    }
}

impl Node<Msg> for Client {
    fn on_start(&mut self, ctx: &mut Context<Msg>) {
        self.send(ctx);
    }

    fn on_message(&mut self, ctx: &mut Context<Msg>, _from: NodeId, msg: Msg) {
        if matches!(msg, Msg::Ack) && !self.acked {
            self.acked = true;
            ctx.cancel_timer("retry");
        }
    }

    fn on_timer(&mut self, ctx: &mut Context<Msg>, _timer: &'static str) {
        if !self.acked {
            self.send(ctx);
        }
    }
}

#[derive(Debug, Default)]
struct Server {
    received: u32,
}

impl Node<Msg> for Server {
    fn on_message(&mut self, ctx: &mut Context<Msg>, from: NodeId, msg: Msg) {
        if matches!(msg, Msg::Req) {
            self.received += 1;
            ctx.send(from, Msg::Ack);
        }
    }
}

#[derive(System, Debug, Default)]
struct ClientServer {
    client: Client,
    server: Server,
}

fn run(options: &Options) -> Counts {
    let report = Scenario::new(ClientServer::default)
        .name("sim_many_seeds")
        .seeds(0..options.seeds)
        .network(NetworkModel::reliable().loss(0.3).latency(1, 3))
        .invariant("ack-implies-received", |w: &ClientServer| {
            !w.client.acked || w.server.received >= 1
        })
        .goal("acked", |w: &ClientServer| w.client.acked)
        .max_steps(10_000)
        .run();
    assert!(report.ok(), "{report}");
    crate::harness::seed_counts(report.runs(), report.steps())
}
