//! The ready-made platform adversaries of `musil::platform`: eviction notices, throttling,
//! silent timeouts and leader changes, each driven by a client that records what it hears.

use musil::platform::{eviction_notice, leader_change, silent_timeout, throttling};
use musil::prelude::*;

#[derive(Clone, Debug, PartialEq)]
enum Msg {
    Request(u32),
    Served(u32),
    Throttled,
    Evicted,
    NotLeader,
}

/// Sends `requests` requests, one per time unit, and gives up waiting 10 units after the last.
#[derive(Debug, Default)]
struct Client {
    requests: u32,
    sent: u32,
    heard: Vec<Msg>,
    timed_out: bool,
}

impl Node<Msg> for Client {
    fn on_start(&mut self, ctx: &mut Context<Msg>) {
        ctx.set_timer("next", 1);
    }

    fn on_timer(&mut self, ctx: &mut Context<Msg>, timer: &'static str) {
        if timer == "give-up" {
            self.timed_out = self.heard.is_empty();
        } else if self.sent < self.requests {
            self.sent += 1;
            ctx.send("platform", Msg::Request(self.sent));
            ctx.set_timer("next", 1);
        } else {
            ctx.set_timer("give-up", 10);
        }
    }

    fn on_message(&mut self, _ctx: &mut Context<Msg>, _from: NodeId, msg: Msg) {
        self.heard.push(msg);
    }
}

#[derive(System, Debug)]
struct World {
    client: Client,
    platform: AdversarialNode<Msg>,
}

fn run(platform: AdversarialNode<Msg>, requests: u32) -> World {
    let client = Client {
        requests,
        ..Client::default()
    };
    let mut sim = Simulation::new(World { client, platform });
    sim.run(1_000).expect("valid setup");
    sim.into_world()
}

#[test]
fn an_eviction_notice_answers_every_request() {
    let world = run(eviction_notice(Msg::Evicted), 3);
    assert_eq!(
        world.client.heard,
        [Msg::Evicted, Msg::Evicted, Msg::Evicted]
    );
    assert_eq!(world.platform.handled(), 3);
}

#[test]
fn throttling_serves_the_allowed_requests_then_throttles() {
    let serve = |request: &Msg| match request {
        Msg::Request(n) => Msg::Served(*n),
        other => other.clone(),
    };
    let world = run(throttling(2, serve, Msg::Throttled), 4);
    assert_eq!(
        world.client.heard,
        [
            Msg::Served(1),
            Msg::Served(2),
            Msg::Throttled,
            Msg::Throttled
        ]
    );
}

#[test]
fn a_silent_dependency_never_answers_and_the_client_times_out() {
    let world = run(silent_timeout(), 2);
    assert!(world.client.heard.is_empty());
    assert!(world.client.timed_out);
    assert_eq!((world.platform.handled(), world.platform.ignored()), (0, 2));
}

#[test]
fn a_deposed_leader_redirects_every_request() {
    let world = run(leader_change(Msg::NotLeader), 2);
    assert_eq!(world.client.heard, [Msg::NotLeader, Msg::NotLeader]);
    assert!(format!("{:?}", world.platform).contains("leader change"));
}
