//! `#[derive(System)]`: node names and ids in declaration order, `#[nodes]` groups, addressing by
//! name and by id, message-type inference and `#[system(msg = ..)]`, generic systems, and cold
//! restarts of one member of a group.

use musil::prelude::*;
use musil::{Message, StopReason};

#[derive(Clone, Debug, PartialEq)]
enum Msg {
    Hello(String),
}

/// Records who greeted it.
#[derive(Debug, Default)]
struct Listener {
    heard: Vec<String>,
    starts: u32,
}

impl Node<Msg> for Listener {
    fn on_start(&mut self, _ctx: &mut Context<Msg>) {
        self.starts += 1;
    }

    fn on_message(&mut self, ctx: &mut Context<Msg>, from: NodeId, msg: Msg) {
        let Msg::Hello(text) = msg;
        self.heard.push(format!("{}:{text}", ctx.name_of(from)));
    }
}

/// Greets `replicas[1]` by name, the last node by id, and everyone by broadcast.
#[derive(Debug, Default)]
struct Greeter;

impl Node<Msg> for Greeter {
    fn on_start(&mut self, ctx: &mut Context<Msg>) {
        ctx.send("replicas[1]", Msg::Hello("by-name".into()));
        let last = NodeId::new(ctx.node_count() - 1);
        ctx.send(last, Msg::Hello("by-id".into()));
        ctx.broadcast(Msg::Hello("all".into()));
    }
}

#[derive(System, Debug)]
struct Cluster {
    greeter: Greeter,
    #[nodes]
    replicas: Vec<Listener>,
    r#type: Listener,
}

fn cluster() -> Cluster {
    Cluster {
        greeter: Greeter,
        replicas: (0..3).map(|_| Listener::default()).collect(),
        r#type: Listener::default(),
    }
}

#[test]
fn nodes_are_named_and_numbered_in_declaration_order() {
    let mut sim = Simulation::new(cluster());
    sim.start().expect("valid system");
    let names = sim.names();
    assert_eq!(
        names.all(),
        [
            "greeter",
            "replicas[0]",
            "replicas[1]",
            "replicas[2]",
            "type"
        ]
    );
    assert_eq!(names.id_of("replicas[2]"), Some(NodeId::new(3)));
    assert_eq!(sim.world().node_count(), 5);
}

#[test]
fn nodes_are_reached_by_name_by_id_and_by_broadcast() {
    let mut sim = Simulation::new(cluster());
    let result = sim.run(100).expect("valid system");
    assert_eq!(result.reason, StopReason::Quiescent);
    let world = sim.world();
    assert_eq!(world.replicas[0].heard, ["greeter:all"]);
    assert_eq!(world.replicas[1].heard, ["greeter:by-name", "greeter:all"]);
    assert_eq!(world.replicas[2].heard, ["greeter:all"]);
    assert_eq!(world.r#type.heard, ["greeter:by-id", "greeter:all"]);
}

/// A node that works with any message type, so a system of only these needs `msg = ..`.
#[derive(Debug, Default)]
struct Ticker {
    ticks: u32,
}

impl<M: Message> Node<M> for Ticker {
    fn on_start(&mut self, ctx: &mut Context<M>) {
        ctx.set_timer("tick", 1);
    }

    fn on_timer(&mut self, ctx: &mut Context<M>, _timer: &'static str) {
        self.ticks += 1;
        if self.ticks < 3 {
            ctx.set_timer("tick", 1);
        }
    }
}

#[derive(System, Debug, Default)]
#[system(msg = u8)]
struct Tickers {
    a: Ticker,
    b: Ticker,
}

#[test]
fn an_explicit_message_type_serves_generic_nodes() {
    let mut sim = Simulation::new(Tickers::default());
    let result = sim.run(100).expect("valid system");
    assert_eq!((result.steps, result.time), (6, 3));
    assert_eq!((sim.world().a.ticks, sim.world().b.ticks), (3, 3));
}

#[derive(System, Debug)]
struct Pair<N> {
    left: N,
    right: N,
}

#[test]
fn generic_systems_derive_too() {
    let mut sim = Simulation::new(Pair {
        left: Listener::default(),
        right: Listener::default(),
    });
    sim.inject(NodeId::new(0), NodeId::new(1), Msg::Hello("hi".into()))
        .expect("valid system");
    sim.run(10).expect("valid system");
    assert_eq!(sim.world().right.heard, ["left:hi"]);
}

fn listeners() -> Cluster {
    let mut cluster = cluster();
    for (i, replica) in cluster.replicas.iter_mut().enumerate() {
        replica.heard.push(format!("built:{i}"));
    }
    cluster
}

#[test]
fn a_cold_restart_replaces_only_that_member_of_a_group() {
    let mut sim = Simulation::from_factory(listeners, 0)
        .faults(FaultSchedule::new().crash(Crash::cold("replicas[1]", 5, 6)));
    sim.run(100).expect("valid system");
    let world = sim.world();
    assert_eq!(world.replicas[0].heard, ["built:0", "greeter:all"]);
    assert_eq!(
        world.replicas[1].heard,
        ["built:1"],
        "the fresh instance has only its built state"
    );
    assert_eq!(world.replicas[1].starts, 1);
    assert_eq!(world.replicas[2].heard, ["built:2", "greeter:all"]);
}
