//! Per-seed environments: networks, fault schedules and systems built from the seed's
//! randomness are reproducible per seed, differ between seeds, and are rebuilt identically on a
//! cold restart.

use musil::prelude::*;

#[derive(Clone, Debug, PartialEq)]
enum Msg {
    Ping(u64),
    Pong,
}

/// Pings the server every 2 time units until t=20 and keeps the largest round trip it saw.
#[derive(Debug, Default)]
struct Client {
    pongs: u32,
    sent_at: Vec<u64>,
    longest_round_trip: u64,
}

impl Node<Msg> for Client {
    fn on_start(&mut self, ctx: &mut Context<Msg>) {
        ctx.set_timer("ping", 1);
    }

    fn on_timer(&mut self, ctx: &mut Context<Msg>, _timer: &'static str) {
        self.sent_at.push(ctx.now());
        ctx.send("server", Msg::Ping(ctx.now()));
        if ctx.now() < 20 {
            ctx.set_timer("ping", 2);
        }
    }

    fn on_message(&mut self, ctx: &mut Context<Msg>, _from: NodeId, msg: Msg) {
        if let Msg::Ping(sent) = msg {
            panic!("the client got a ping sent at {sent}");
        }
        self.pongs += 1;
        let round_trip = ctx.now() - self.sent_at[self.pongs as usize - 1];
        self.longest_round_trip = self.longest_round_trip.max(round_trip);
    }
}

/// Answers pings; its `tag` is drawn by the factory from the seed.
#[derive(Debug, Default)]
struct Server {
    tag: i64,
    served: u32,
}

impl Node<Msg> for Server {
    fn on_message(&mut self, ctx: &mut Context<Msg>, from: NodeId, _msg: Msg) {
        self.served += 1;
        ctx.send(from, Msg::Pong);
    }
}

#[derive(System, Debug, Default)]
struct World {
    client: Client,
    server: Server,
}

fn world_with_random_tag(rng: &mut Rng) -> World {
    World {
        server: Server {
            tag: rng.randint(0, 1_000_000),
            served: 0,
        },
        ..World::default()
    }
}

/// A network whose fixed latency is drawn per seed from 1..=4.
fn slow_network(rng: &mut Rng) -> NetworkModel<Msg> {
    let latency = rng.randint(1, 4) as u64;
    NetworkModel::reliable().latency(latency, latency)
}

/// The longest round trip of every seed in `seeds`, found by failing an invariant that records it.
fn round_trips(seeds: &[u64]) -> Vec<u64> {
    seeds
        .iter()
        .map(|&seed| {
            let report = Scenario::new(World::default)
                .network(slow_network)
                .goal("never", |_: &World| false)
                .run_seeds(&[seed]);
            let failure = report.failure().expect("the goal never holds");
            failure.world().expect("built").client.longest_round_trip
        })
        .collect()
}

#[test]
fn a_per_seed_network_is_reproducible_and_varies_between_seeds() {
    let seeds: Vec<u64> = (0..20).collect();
    let first = round_trips(&seeds);
    assert_eq!(
        round_trips(&seeds),
        first,
        "the same seeds must build the same networks"
    );
    assert!(
        first.iter().all(|rt| (2..=8).contains(rt)),
        "round trips are twice a latency in 1..=4: {first:?}"
    );
    let mut distinct = first.clone();
    distinct.sort_unstable();
    distinct.dedup();
    assert!(
        distinct.len() >= 3,
        "20 seeds should draw several latencies: {first:?}"
    );
}

/// The server crashes for 6 time units at a time drawn per seed: pongs are lost only if the
/// crash falls inside the client's active period.
fn random_crash(rng: &mut Rng) -> FaultSchedule {
    let start = rng.randint(0, 60) as u64;
    FaultSchedule::new().crash(Crash::warm("server", start, start + 6))
}

#[test]
fn a_per_seed_fault_schedule_fails_some_seeds_and_replays_each_exactly() {
    let scenario = Scenario::new(World::default)
        .name("all_pongs")
        .faults(random_crash)
        .goal("every ping answered", |w: &World| {
            w.client.pongs as usize == w.client.sent_at.len()
        });
    let outcomes: Vec<bool> = (0..30)
        .map(|seed| scenario.run_seeds(&[seed]).ok())
        .collect();
    assert!(
        outcomes.iter().any(|&ok| ok),
        "a crash after t=21 loses nothing"
    );
    assert!(
        outcomes.iter().any(|&ok| !ok),
        "a crash during the pings loses some"
    );
    let first_failing = outcomes
        .iter()
        .position(|&ok| !ok)
        .expect("some seed fails") as u64;
    let report = scenario.run_seeds(&(0..30).collect::<Vec<_>>());
    let failure = report.failure().expect("fails");
    assert_eq!(failure.seed(), first_failing);
    assert_eq!(
        failure.kind(),
        FailureKind::Liveness,
        "a missed goal with faults is liveness"
    );
    let replayed = scenario.run_seeds(&[first_failing]);
    let again = replayed.failure().expect("the replay fails too");
    assert_eq!(
        (again.step(), again.time(), again.detail()),
        (failure.step(), failure.time(), failure.detail())
    );
    assert_eq!(again.world_debug(), failure.world_debug());
}

#[test]
fn a_factory_with_rng_builds_per_seed_and_a_cold_restart_rebuilds_the_same_node() {
    let tags_of_seeds = || -> Vec<i64> {
        (0..10)
            .map(|seed| {
                Simulation::from_factory(world_with_random_tag, seed)
                    .world()
                    .server
                    .tag
            })
            .collect()
    };
    let (tags, again) = (tags_of_seeds(), tags_of_seeds());
    assert_eq!(tags, again);
    assert!(
        tags.windows(2).any(|pair| pair[0] != pair[1]),
        "seeds should draw different tags: {tags:?}"
    );

    let mut sim = Simulation::from_factory(world_with_random_tag, 3)
        .faults(FaultSchedule::new().crash(Crash::cold("server", 4, 5)));
    let tag = sim.world().server.tag;
    sim.run(1_000).expect("valid setup");
    let server = &sim.world().server;
    assert_eq!(
        server.tag, tag,
        "the rebuilt server is the seed's original one"
    );
    assert!(
        server.served < 10,
        "the fresh instance only counts pings after t=5: {server:?}"
    );
}

#[test]
fn a_panicking_generator_is_a_panic_failure_saying_where() {
    let report = Scenario::new(World::default)
        .name("bad_generator")
        .faults(|rng: &mut Rng| -> FaultSchedule {
            let start = rng.randint(0, 10);
            panic!("no schedule for start {start}")
        })
        .run_seeds(&[4]);
    let failure = report.failure().expect("the generator panics");
    assert_eq!((failure.kind(), failure.seed()), (FailureKind::Panic, 4));
    assert!(
        failure
            .detail()
            .starts_with("in the fault generator: no schedule for start"),
        "{failure}"
    );
    assert!(failure.world().is_none());
}
