//! The seed page's scenarios as a user writes them, under the default harness: each
//! `#[musil::scenario]` is one libtest test that runs all its seeds (`MUSIL_SEED=N` narrows it to
//! one). The two Byzantine scenarios of the reference page, four runs:
//! a lying service fools a trusting client and not a validating one; a corrupting wire breaks a
//! strict client and a clean one does not.

use musil::prelude::*;

const EXPECTED: i64 = 42;
const BAD: i64 = -1;

#[derive(Clone, Debug, PartialEq)]
enum Msg {
    Query,
    Answer(i64),
    Garbage(String),
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
        let Msg::Answer(v) = msg else { return };
        if self.validate && v != EXPECTED {
            self.rejected += 1;
            return;
        }
        self.accepted = Some(v);
    }
}

fn liar() -> AdversarialNode<Msg> {
    AdversarialNode::new().on(
        |_from, m| *m == Msg::Query,
        |ctx, from, _| ctx.send(from, Msg::Answer(BAD)),
    )
}

#[derive(System, Debug)]
struct Lookup {
    client: Client,
    service: AdversarialNode<Msg>,
}

#[invariant]
fn validated_client_never_accepts_bad(w: &Lookup) -> bool {
    !(w.client.validate && w.client.accepted == Some(BAD))
}

fn accepted_expected(w: &Lookup) -> bool {
    w.client.accepted == Some(EXPECTED)
}

fn never_accepted_bad(w: &Lookup) -> bool {
    w.client.accepted != Some(BAD)
}

#[musil::scenario(seeds = 0..20, goal = accepted_expected, should_fail = goal)]
fn trusting_client_is_fooled() -> Lookup {
    Lookup {
        client: Client::default(),
        service: liar(),
    }
}

#[musil::scenario(seeds = 0..20, goal = never_accepted_bad)]
fn validating_client_rejects_lies() -> Lookup {
    Lookup {
        client: Client {
            validate: true,
            ..Default::default()
        },
        service: liar(),
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
            Msg::Answer(v) => self.received = Some(v),
            _ => self.crashed = true,
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

#[invariant]
fn no_crash(w: &Wire) -> Result<(), String> {
    match &w.client {
        StrictClient {
            crashed: true,
            received,
            ..
        } => Err(format!("the client crashed (it had received {received:?})")),
        _ => Ok(()),
    }
}

fn corrupt(_from: NodeId, _to: NodeId, m: Msg) -> Option<Msg> {
    match m {
        Msg::Answer(v) => Some(Msg::Garbage(format!("corrupted:{v}"))),
        other => Some(other),
    }
}

#[musil::scenario(seeds = 0..10)]
fn clean_wire_keeps_strict_client_alive() -> Wire {
    Wire::default()
}

#[musil::scenario(seeds = 0..10, network = NetworkModel::reliable().mutate(corrupt), should_fail = invariant)]
fn corrupted_wire_breaks_strict_client() -> Wire {
    Wire::default()
}

/// A deliberately failing scenario, kept out of the default run: its report ends with a replay
/// line for this (default-harness) mode, which `tests/runner_cli.rs` runs.
#[musil::scenario(seeds = 0..5, network = NetworkModel::reliable().mutate(corrupt))]
#[ignore = "deliberately failing: shows the plain-mode replay line"]
fn deliberately_failing_plain() -> Wire {
    Wire::default()
}

musil::main!();
