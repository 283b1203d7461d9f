//! sim_pingpong: raw event-loop throughput of one long run with no oracle. N nodes in a ring each
//! ping their successor and retry on a timer; the run always ends at `--steps` steps.

use musil::prelude::*;

use crate::harness::{Counts, Options, Workload};

pub const WORKLOAD: Workload = Workload {
    run,
    throughput: &[("steps_per_s", "steps"), ("events_per_s", "scheduled")],
    params: |o| {
        format!(
            "\"nodes\": {}, \"steps\": {}, \"seed\": 1, \"network\": \"loss=0.1 dup=0.05 lat=1..5\"",
            o.nodes, o.steps
        )
    },
};

#[derive(Clone, Debug)]
enum Msg {
    Ping(u64),
    Pong(u64),
}

#[derive(Debug)]
struct Pinger {
    successor: NodeId,
    k: u64,
    completed: u64,
    answered: u64,
}

impl Pinger {
    fn ping(&mut self, ctx: &mut Context<Msg>) {
        ctx.send(self.successor, Msg::Ping(self.k));
        ctx.set_timer("retry", 8);
    }
}

impl Node<Msg> for Pinger {
    fn on_start(&mut self, ctx: &mut Context<Msg>) {
        self.ping(ctx);
    }

    fn on_message(&mut self, ctx: &mut Context<Msg>, from: NodeId, msg: Msg) {
        match msg {
            Msg::Ping(k) => {
                self.answered += 1;
                ctx.send(from, Msg::Pong(k));
            }
            Msg::Pong(k) if k == self.k => {
                self.completed += 1;
                self.k += 1;
                self.ping(ctx);
            }
            Msg::Pong(_) => {}
        }
    }

    fn on_timer(&mut self, ctx: &mut Context<Msg>, _timer: &'static str) {
        self.ping(ctx);
    }
}

#[derive(System, Debug)]
struct Ring {
    #[nodes]
    nodes: Vec<Pinger>,
}

fn run(options: &Options) -> Counts {
    let n = options.nodes;
    let nodes = (0..n)
        .map(|i| Pinger {
            successor: NodeId::new((i + 1) % n),
            k: 0,
            completed: 0,
            answered: 0,
        })
        .collect();
    let network = NetworkModel::reliable()
        .loss(0.1)
        .duplicate(0.05)
        .latency(1, 5);
    let mut sim = Simulation::new(Ring { nodes }).seed(1).network(network);
    let result = sim.run(options.steps).expect("a valid setup");
    assert_eq!(
        result.reason,
        StopReason::MaxSteps,
        "sim_pingpong never goes quiet"
    );
    vec![
        ("steps", result.steps),
        ("delivered", result.delivered),
        ("dropped", result.dropped),
        ("scheduled", sim.scheduled()),
        ("time", result.time),
    ]
}
