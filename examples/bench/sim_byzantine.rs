//! sim_byzantine: the showcase's two scenarios in their passing configurations over many seeds;
//! every run is exactly 2 steps, so this measures the fixed cost of one run.

use musil::prelude::*;

use crate::harness::{Counts, Options, Workload};

pub const WORKLOAD: Workload = Workload {
    run,
    throughput: &[("seeds_per_s", "runs"), ("steps_per_s", "steps")],
    params: |o| {
        format!(
            "\"scenario\": \"{}\", \"seeds\": \"range({})\", \"network\": \"default (reliable, lat=1)\"",
            o.scenario, o.seeds
        )
    },
};

const EXPECTED: i64 = 42;
const BAD: i64 = -1;

#[derive(Clone, Debug, PartialEq)]
enum Msg {
    Query,
    Answer(i64),
}

#[derive(Debug, Default)]
struct Client {
    validate: bool,
    accepted: Option<i64>,
    rejected: u32,
}

impl Node<Msg> for Client {
    fn on_start(&mut self, ctx: &mut Context<Msg>) {
        ctx.send("service", Msg::Query);
    }

    fn on_message(&mut self, _ctx: &mut Context<Msg>, _from: NodeId, msg: Msg) {
        let Msg::Answer(value) = msg else { return };
        if self.validate && value != EXPECTED {
            self.rejected += 1;
            return;
        }
        self.accepted = Some(value);
    }
}

#[derive(System, Debug)]
struct Lookup {
    client: Client,
    service: AdversarialNode<Msg>,
}

fn lookup() -> Lookup {
    let liar = AdversarialNode::new().on(
        |_, m| *m == Msg::Query,
        |ctx, from, _| ctx.send(from, Msg::Answer(BAD)),
    );
    Lookup {
        client: Client {
            validate: true,
            ..Client::default()
        },
        service: liar,
    }
}

#[derive(Debug, Default)]
struct StrictClient {
    received: Option<i64>,
    crashed: bool,
}

impl Node<Msg> for StrictClient {
    fn on_start(&mut self, ctx: &mut Context<Msg>) {
        ctx.send("service", Msg::Query);
    }

    fn on_message(&mut self, _ctx: &mut Context<Msg>, _from: NodeId, msg: Msg) {
        match msg {
            Msg::Answer(value) => self.received = Some(value),
            Msg::Query => self.crashed = true,
        }
    }
}

#[derive(Debug, Default)]
struct HonestService;

impl Node<Msg> for HonestService {
    fn on_message(&mut self, ctx: &mut Context<Msg>, from: NodeId, msg: Msg) {
        if msg == Msg::Query {
            ctx.send(from, Msg::Answer(EXPECTED));
        }
    }
}

#[derive(System, Debug, Default)]
struct Wire {
    client: StrictClient,
    service: HonestService,
}

fn run(options: &Options) -> Counts {
    let (ok, runs, steps, report) = if options.scenario == "clean" {
        let report = Scenario::new(Wire::default)
            .seeds(0..options.seeds)
            .invariant("no-crash", |w: &Wire| !w.client.crashed)
            .run();
        (
            report.ok(),
            report.runs(),
            report.steps(),
            report.to_string(),
        )
    } else {
        let report = Scenario::new(lookup)
            .seeds(0..options.seeds)
            .goal("bad-value-rejected", |w: &Lookup| {
                w.client.accepted != Some(BAD)
            })
            .run();
        (
            report.ok(),
            report.runs(),
            report.steps(),
            report.to_string(),
        )
    };
    assert!(ok, "{report}");
    crate::harness::seed_counts(runs, steps)
}
