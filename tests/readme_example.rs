// tests/readme_example.rs
use musil::prelude::*;

#[derive(Clone, Debug, PartialEq)]
enum Msg {
    Query,
    Answer(i64),
}

#[derive(Debug, Default)]
struct Client {
    accepted: Option<i64>,
}

impl Node<Msg> for Client {
    fn on_start(&mut self, ctx: &mut Context<Msg>) {
        ctx.send("service", Msg::Query);
    }
    fn on_message(&mut self, _: &mut Context<Msg>, _: NodeId, msg: Msg) {
        if let Msg::Answer(v) = msg {
            self.accepted = Some(v);
        }
    }
}

#[derive(Debug, Default)]
struct Service;

impl Node<Msg> for Service {
    fn on_message(&mut self, ctx: &mut Context<Msg>, from: NodeId, _: Msg) {
        ctx.send(from, Msg::Answer(42));
    }
}

#[derive(System, Debug, Default)]
struct Lookup {
    client: Client,
    service: Service,
}

#[invariant] // checked after every step of every scenario of Lookup
fn only_the_truth(w: &Lookup) -> Result<(), String> {
    match w.client.accepted {
        Some(v) if v != 42 => Err(format!("accepted {v}")),
        _ => Ok(()),
    }
}

fn answered(w: &Lookup) -> bool {
    w.client.accepted.is_some()
}

#[musil::scenario(seeds = 0..50, network = NetworkModel::reliable().latency(1, 5), goal = answered)]
fn lookup_answers() -> Lookup {
    Lookup::default()
}

musil::main!(); // harmless under the default harness; the entry point with `harness = false`

/// The block above is the README's "Writing scenarios" example, verbatim: keep them equal.
#[test]
fn the_readme_shows_this_file() {
    let readme = include_str!("../README.md");
    let this = include_str!("readme_example.rs");
    let example = this
        .split("\n/// The block above")
        .next()
        .unwrap_or_default();
    assert!(
        readme.contains(example),
        "README.md's example differs from tests/readme_example.rs"
    );
}
