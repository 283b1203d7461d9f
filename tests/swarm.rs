//! Swarm testing as users meet it: each seed draws its own mix of network, faults and storage
//! faults from a [`Swarm`], the same seed always the same mix; a disabled dimension never
//! appears, bounds hold, every drawn schedule is valid for the system, a bug that needs a node
//! to restart while cut off is found by `.swarm(swarm())` and not without faults, and
//! `#[musil::scenario(faults = swarm())]` expands to `.swarm(…)`.

use musil::prelude::*;
use musil::sweep::swarm::{Mix, PartitionMode, mix_of};
use musil::{RunSettings, Seeded, Stream};

#[derive(Clone, Debug, PartialEq)]
enum Msg {
    Ping,
    Pong,
}

/// A node that pings every other node for a few rounds and answers pings: never fails.
#[derive(Debug, Default)]
struct Pinger {
    rounds: u32,
    heard: u32,
}

impl Node<Msg> for Pinger {
    fn on_start(&mut self, ctx: &mut Context<Msg>) {
        self.round(ctx);
    }
    fn on_recover(&mut self, ctx: &mut Context<Msg>) {
        self.round(ctx);
    }
    fn on_timer(&mut self, ctx: &mut Context<Msg>, _: &'static str) {
        self.round(ctx);
    }
    fn on_message(&mut self, ctx: &mut Context<Msg>, from: NodeId, msg: Msg) {
        self.heard += 1;
        if msg == Msg::Ping {
            ctx.send(from, Msg::Pong);
        }
    }
}

impl Pinger {
    fn round(&mut self, ctx: &mut Context<Msg>) {
        if self.rounds < 4 {
            self.rounds += 1;
            ctx.broadcast(Msg::Ping);
            ctx.set_timer("round", 25);
        }
    }
}

#[derive(System, Debug)]
struct Ring {
    #[nodes]
    replicas: Vec<Pinger>,
    client: Pinger,
}

fn ring() -> Ring {
    Ring {
        replicas: (0..3).map(|_| Pinger::default()).collect(),
        client: Pinger::default(),
    }
}

fn ring_names() -> Vec<String> {
    ["replicas[0]", "replicas[1]", "replicas[2]", "client"]
        .map(String::from)
        .to_vec()
}

/// The mix `swarm` draws for `seed` over the ring.
fn draw(swarm: &Swarm, seed: u64) -> Mix<Msg> {
    let mut source = Seeded::new(seed);
    swarm.draw(
        &mut Rng::new(&mut source, Stream::Environment),
        &ring_names(),
    )
}

#[test]
fn two_seeds_draw_different_mixes_and_one_seed_always_the_same() {
    let scenario = Scenario::new(ring).swarm(swarm());
    let first = mix_of(&scenario, 3).expect("a swarm scenario");
    assert_eq!(mix_of(&scenario, 3).as_deref(), Some(first.as_str()));
    assert_eq!(first, draw(&swarm(), 3).to_string());
    assert_ne!(mix_of(&scenario, 4), Some(first.clone()));
    assert_eq!(
        format!("{:?}", draw(&swarm(), 3)),
        format!("{:?}", draw(&swarm(), 3))
    );
    assert!(first.starts_with("swarm: "), "{first}");
    assert_eq!(mix_of(&Scenario::new(ring), 3), None, "no swarm, no mix");
}

#[test]
fn a_disabled_dimension_never_appears() {
    let calm = swarm()
        .crashes(0)
        .loss(0.0)
        .duplicate(0.0)
        .latency(1)
        .storage(false);
    let no_partitions = [swarm().partitions(0), swarm().partition_modes(&[])];
    for seed in 0..200 {
        let mix = draw(&calm, seed);
        assert!(mix.faults().crashes().is_empty(), "seed {seed}: {mix}");
        assert_eq!(mix.network().loss_probability(), 0.0);
        assert_eq!(mix.network().duplicate_probability(), 0.0);
        assert_eq!(mix.network().latency_range(), (1, 1));
        assert!(mix.storage().is_none());
        for swarm in &no_partitions {
            assert!(draw(swarm, seed).faults().partitions().is_empty());
        }
        assert!(draw(&swarm().horizon(0), seed).faults().is_empty());
    }
}

#[test]
fn disabling_one_dimension_leaves_the_others_draws_alone() {
    for seed in 0..200 {
        let (all, no_loss) = (draw(&swarm(), seed), draw(&swarm().loss(0.0), seed));
        assert_eq!(all.faults(), no_loss.faults());
        assert_eq!(all.storage(), no_loss.storage());
        let no_storage = draw(&swarm().storage(false), seed);
        assert_eq!(all.faults(), no_storage.faults());
        assert_eq!(
            all.network().latency_range(),
            no_storage.network().latency_range()
        );
    }
}

#[test]
fn default_bounds_hold_over_200_seeds() {
    let mut seen = (0, 0, 0);
    for seed in 0..200 {
        let mix = draw(&swarm(), seed);
        let network = mix.network();
        assert!((0.0..=0.30).contains(&network.loss_probability()));
        assert!((0.0..=0.20).contains(&network.duplicate_probability()));
        let (min, max) = network.latency_range();
        assert!(min == 1 && (1..=10).contains(&max), "{min}..{max}");
        let faults = mix.faults();
        assert!(faults.partitions().len() <= 2 && faults.crashes().len() <= 3);
        let windows = faults.partitions().iter().map(|p| (p.start(), p.end()));
        for (start, end) in windows.chain(faults.crashes().iter().map(|c| (c.start(), c.end()))) {
            assert!(start < 100 && (1..=30).contains(&(end - start)), "{mix}");
        }
        let storage = mix.storage().expect("storage faults are on by default");
        assert!((0.0..=0.5).contains(&storage.torn_write_probability()));
        assert!((0.5..=1.0).contains(&storage.lose_unsynced_probability()));
        for p in [
            storage.read_error_probability(),
            storage.write_error_probability(),
            storage.sync_error_probability(),
            storage.corrupt_read_probability(),
        ] {
            assert!((0.0..=0.01).contains(&p), "{mix}");
        }
        seen.0 += faults.partitions().len();
        seen.1 += faults.crashes().len();
        seen.2 += usize::from(network.loss_probability() > 0.0);
    }
    assert!(seen.0 > 50 && seen.1 > 50 && seen.2 > 50, "{seen:?}");
}

#[test]
fn custom_bounds_hold_over_200_seeds() {
    let tight = swarm()
        .loss(0.05)
        .latency(3)
        .partitions(1)
        .partition_modes(&[PartitionMode::OneWay])
        .crashes(1)
        .crash_kinds(&[CrashKind::Warm])
        .horizon(50)
        .window(5);
    for seed in 0..200 {
        let mix = draw(&tight, seed);
        assert!(mix.network().loss_probability() <= 0.05);
        assert!(mix.network().latency_range().1 <= 3);
        let faults = mix.faults();
        assert!(faults.partitions().len() <= 1 && faults.crashes().len() <= 1);
        for p in faults.partitions() {
            assert!(p.start() < 50 && p.end() - p.start() <= 5);
        }
        for c in faults.crashes() {
            assert_eq!(c.kind(), CrashKind::Warm);
            assert!(c.start() < 50 && c.end() - c.start() <= 5);
        }
        let text = mix.to_string();
        assert!(
            !text.contains("isolate") && !text.contains("halves"),
            "{text}"
        );
    }
}

#[test]
fn every_drawn_schedule_is_valid_for_the_system() {
    let report = Scenario::new(ring)
        .swarm(swarm())
        .execute(&RunSettings::seeds(0..100));
    assert!(report.ok(), "{report}");
    let wide = swarm().partitions(5).crashes(6).window(200);
    let report = Scenario::new(ring)
        .swarm(wide)
        .execute(&RunSettings::seeds(100..200));
    assert!(report.ok(), "{report}");
}

/// Always the leader: answers every ping.
#[derive(Debug, Default)]
struct Leader;

impl Node<Msg> for Leader {
    fn on_message(&mut self, ctx: &mut Context<Msg>, from: NodeId, msg: Msg) {
        if msg == Msg::Ping {
            ctx.send(from, Msg::Pong);
        }
    }
}

/// The planted bug: after a restart, a follower pings the leader (retrying every 2) and, if no
/// answer comes within 25, wrongly takes over as leader — so it needs a restart while the
/// follower is cut off from the leader (or the leader is down too).
#[derive(Debug, Default)]
struct Follower {
    leader: bool,
    waiting: bool,
}

impl Node<Msg> for Follower {
    fn on_start(&mut self, ctx: &mut Context<Msg>) {
        if ctx.now() > 0 {
            self.rejoin(ctx);
        }
    }
    fn on_recover(&mut self, ctx: &mut Context<Msg>) {
        self.rejoin(ctx);
    }
    fn on_message(&mut self, ctx: &mut Context<Msg>, _: NodeId, msg: Msg) {
        if msg == Msg::Pong {
            self.waiting = false;
            ctx.cancel_timer("retry");
            ctx.cancel_timer("elect");
        }
    }
    fn on_timer(&mut self, ctx: &mut Context<Msg>, timer: &'static str) {
        match timer {
            "retry" if self.waiting => {
                ctx.send("leader", Msg::Ping);
                ctx.set_timer("retry", 2);
            }
            "elect" if self.waiting => {
                self.leader = true;
                self.waiting = false;
                ctx.cancel_timer("retry");
            }
            _ => {}
        }
    }
}

impl Follower {
    fn rejoin(&mut self, ctx: &mut Context<Msg>) {
        self.waiting = true;
        ctx.send("leader", Msg::Ping);
        ctx.set_timer("retry", 2);
        ctx.set_timer("elect", 25);
    }
}

#[derive(System, Debug)]
struct Pair {
    leader: Leader,
    follower: Follower,
}

fn pair() -> Pair {
    Pair {
        leader: Leader,
        follower: Follower::default(),
    }
}

fn single_leader(pair: &Pair) -> bool {
    !pair.follower.leader
}

#[test]
fn a_bug_that_needs_a_restart_while_cut_off_is_found_by_the_swarm_only() {
    let settings = RunSettings::seeds(0..200).shrink(0);
    let plain = Scenario::new(pair).invariant("single_leader", single_leader);
    assert!(plain.execute(&settings).ok(), "no faults, no bug");
    let swarmed = Scenario::new(pair)
        .invariant("single_leader", single_leader)
        .swarm(swarm());
    let report = swarmed.execute(&settings);
    let failure = report.failure().expect("the swarm finds the bug");
    assert_eq!(failure.kind(), FailureKind::Invariant);
    let mix = mix_of(&swarmed, failure.seed()).expect("a swarm scenario");
    assert!(mix.contains("crash"), "{mix}");
    let text = failure.to_string();
    assert!(
        text.contains(&format!("\n  {mix}\n")),
        "the report prints the mix: {text}"
    );
}

fn ring_settles(ring: &Ring) -> bool {
    ring.replicas.iter().all(|r| r.rounds > 0)
}

#[musil::scenario(seeds = 0..20, faults = swarm(), goal = ring_settles)]
fn swarm_attribute_expands_to_swarm() -> Ring {
    ring()
}

fn pings_are_bounded(ring: &Ring) -> bool {
    ring.replicas.iter().all(|r| r.heard < 1_000)
}

#[musil::scenario(seeds = 0..20, faults = swarm().crashes(1).storage(false), invariants = [pings_are_bounded])]
fn swarm_attribute_takes_a_configured_swarm() -> Ring {
    ring()
}
