//! Byzantine service — wrong answers and wire corruption.
//!
//! A Byzantine node doesn't just fail silently: it stays up and sends plausible but wrong data
//! (Castro & Liskov, OSDI 1999). This example injects two kinds of it, both seeded and
//! deterministic, so a found bug replays exactly from its seed:
//!
//! 1. **Wrong-answer injection** ([`AdversarialNode`]): a service that always answers `-1`
//!    instead of `42`. Without validation the client accepts the lie (the goal fails); with
//!    validation it rejects it.
//! 2. **Payload mutation** ([`NetworkModel::mutate`]): an honest service behind a network that
//!    corrupts answers in transit. A strict client that cannot handle a corrupted payload
//!    crashes, and the `no_crash` invariant catches it.
//!
//! Run it with `cargo run --example byzantine_service`. (Its systems are `pub(crate)` because
//! `tests/plain_scenarios.rs` runs them as `#[musil::scenario]` tests too.)

use musil::prelude::*;

pub(crate) const EXPECTED: i64 = 42;
pub(crate) const BAD: i64 = -1;

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Msg {
    Query,
    Answer(i64),
    Garbage(String),
}

// ---------------------------------------------------------------------------------------------
// Scenario 1: a lying service (AdversarialNode)
// ---------------------------------------------------------------------------------------------

/// Asks the service for a value; optionally validates the answer before accepting it.
#[derive(Debug, Default)]
pub(crate) struct Client {
    validate: bool,
    accepted: Option<i64>,
    rejected: u32,
}

impl Node<Msg> for Client {
    fn on_start(&mut self, ctx: &mut Context<Msg>) {
        ctx.send("service", Msg::Query);
    }

    fn on_message(&mut self, _ctx: &mut Context<Msg>, _from: NodeId, msg: Msg) {
        let Msg::Answer(value) = msg else { return }; // corrupted: drop it
        if self.validate && value != EXPECTED {
            self.rejected += 1;
            return;
        }
        self.accepted = Some(value);
    }
}

/// The external service: answers every query with a wrong value.
pub(crate) fn liar() -> AdversarialNode<Msg> {
    AdversarialNode::new().label("liar").on(
        |_from, m| *m == Msg::Query,
        |ctx, from, _| ctx.send(from, Msg::Answer(BAD)),
    )
}

#[derive(System, Debug)]
pub(crate) struct Lookup {
    client: Client,
    service: AdversarialNode<Msg>,
}

/// Checked after every step of every scenario of `Lookup`.
#[invariant]
pub(crate) fn validated_client_never_accepts_bad(w: &Lookup) -> bool {
    !(w.client.validate && w.client.accepted == Some(BAD))
}

pub(crate) fn accepted_expected(w: &Lookup) -> bool {
    w.client.accepted == Some(EXPECTED)
}

pub(crate) fn bad_value_rejected(w: &Lookup) -> bool {
    w.client.accepted != Some(BAD)
}

pub(crate) fn trusting_client() -> Lookup {
    Lookup {
        client: Client::default(),
        service: liar(),
    }
}

pub(crate) fn validating_client() -> Lookup {
    Lookup {
        client: Client {
            validate: true,
            ..Client::default()
        },
        service: liar(),
    }
}

// ---------------------------------------------------------------------------------------------
// Scenario 2: an honest service over a corrupting wire (NetworkModel::mutate)
// ---------------------------------------------------------------------------------------------

/// Sends a query; "crashes" (sets a flag) on anything that is not a plain answer.
#[derive(Debug, Default)]
pub(crate) struct StrictClient {
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
            _ => self.crashed = true,
        }
    }
}

/// Returns the right answer, always.
#[derive(Debug, Default)]
pub(crate) struct HonestService;

impl Node<Msg> for HonestService {
    fn on_message(&mut self, ctx: &mut Context<Msg>, from: NodeId, msg: Msg) {
        if msg == Msg::Query {
            ctx.send(from, Msg::Answer(EXPECTED));
        }
    }
}

#[derive(System, Debug, Default)]
pub(crate) struct Wire {
    client: StrictClient,
    service: HonestService,
}

/// Checked after every step of every scenario of `Wire`.
#[invariant]
pub(crate) fn no_crash(w: &Wire) -> bool {
    !w.client.crashed
}

/// Wire-level corruption: integer answers become strings.
pub(crate) fn corrupt(_from: NodeId, _to: NodeId, msg: Msg) -> Option<Msg> {
    match msg {
        Msg::Answer(value) => Some(Msg::Garbage(format!("corrupted:{value}"))),
        other => Some(other),
    }
}

// ---------------------------------------------------------------------------------------------

/// Prints one verdict line, and the whole report of a failure, indented under it.
fn show<S>(label: &str, report: &SimReport<S>) {
    match report.failure() {
        None => println!("  {label:<20} {report}"),
        Some(failure) => {
            println!(
                "  {label:<20} {} on seed {}",
                failure.kind().label(),
                failure.seed()
            );
            for line in failure.to_string().lines() {
                println!("      {line}");
            }
        }
    }
}

fn main() {
    println!("Byzantine fault injection — AdversarialNode and NetworkModel::mutate\n");

    println!("Scenario 1: a Byzantine service sends a wrong answer\n");
    let fooled = Scenario::new(trusting_client)
        .name("trusting_client_is_fooled")
        .seeds(0..20)
        .goal("accepted==expected", accepted_expected)
        .run();
    show("Without validation:", &fooled);
    let validating = Scenario::new(validating_client)
        .name("validating_client_rejects_lies")
        .seeds(0..20)
        .goal("bad-value-rejected", bad_value_rejected)
        .run();
    show("With validation:", &validating);
    println!();

    println!("Scenario 2: NetworkModel::mutate — wire-level payload corruption\n");
    let clean = Scenario::new(Wire::default)
        .name("clean_wire_keeps_strict_client_alive")
        .seeds(0..10)
        .run();
    show("Clean network:", &clean);
    let corrupted = Scenario::new(Wire::default)
        .name("corrupted_wire_breaks_strict_client")
        .seeds(0..10)
        .network(NetworkModel::reliable().mutate(corrupt))
        .run();
    show("Corrupted network:", &corrupted);
    println!();

    let verdicts = [
        fooled.failure().map(SimFailure::kind) == Some(FailureKind::Goal),
        validating.ok(),
        clean.ok(),
        corrupted.failure().map(SimFailure::kind) == Some(FailureKind::Invariant),
    ];
    assert!(
        verdicts.iter().all(|&v| v),
        "unexpected verdicts: {verdicts:?}"
    );
    println!("Byzantine testing: wrong answers and wire corruption both detectable.");
}
