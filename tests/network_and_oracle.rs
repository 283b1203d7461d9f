//! Integration tests of the virtual network (loss, duplication, latency, mutation, validation of
//! network models and fault schedules) and of the oracle and its reports (invariants, goals,
//! liveness, `converge_within`, `max_steps`, panics and the failure report's shape), written the
//! way a user writes scenarios: nodes, `#[derive(System)]` systems and the `Scenario` builder.
//!
//! Statistical checks use a tolerance of five standard deviations of the observed fraction, so a
//! correct engine essentially never fails them while a wrong probability is caught.

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use musil::prelude::*;
use musil::{RunResult, RunSettings, SetupError, StopReason};

const EXPECTED: i64 = 42;
const BAD: i64 = -1;

#[derive(Clone, Debug, PartialEq)]
enum Msg {
    /// Message `seq` of a burst, sent at virtual time `sent_at`.
    Numbered {
        seq: u32,
        sent_at: u64,
    },
    Query,
    Answer(i64),
    Ping,
}

// ---------------------------------------------------------------------------------------------
// Burst: one node sends numbered messages, the other records when each arrives.
// ---------------------------------------------------------------------------------------------

/// Sends `count` numbered messages to `receiver` at start, all at t=0.
#[derive(Debug)]
struct Sender {
    count: u32,
}

impl Node<Msg> for Sender {
    fn on_start(&mut self, ctx: &mut Context<Msg>) {
        for seq in 0..self.count {
            let sent_at = ctx.now();
            ctx.send("receiver", Msg::Numbered { seq, sent_at });
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
struct Arrival {
    seq: u32,
    sent_at: u64,
    arrived_at: u64,
}

impl Arrival {
    fn latency(&self) -> u64 {
        self.arrived_at - self.sent_at
    }
}

/// Records every numbered message it receives, in arrival order.
#[derive(Debug, Default)]
struct Receiver {
    got: Vec<Arrival>,
}

impl Node<Msg> for Receiver {
    fn on_message(&mut self, ctx: &mut Context<Msg>, _from: NodeId, msg: Msg) {
        if let Msg::Numbered { seq, sent_at } = msg {
            let arrived_at = ctx.now();
            self.got.push(Arrival {
                seq,
                sent_at,
                arrived_at,
            });
        }
    }
}

#[derive(System, Debug)]
struct Burst {
    sender: Sender,
    receiver: Receiver,
}

impl Burst {
    fn new(count: u32) -> Self {
        Burst {
            sender: Sender { count },
            receiver: Receiver::default(),
        }
    }

    fn seqs(&self) -> Vec<u32> {
        self.receiver.got.iter().map(|a| a.seq).collect()
    }

    /// How many times each sequence number arrived.
    fn copies(&self) -> BTreeMap<u32, u32> {
        let mut copies = BTreeMap::new();
        for arrival in &self.receiver.got {
            *copies.entry(arrival.seq).or_insert(0) += 1;
        }
        copies
    }
}

/// Invariant: the numbered messages arrive in the order they were sent.
fn arrived_in_send_order(w: &Burst) -> Result<(), String> {
    match w.receiver.got.windows(2).find(|p| p[1].seq < p[0].seq) {
        Some(p) => Err(format!("seq {} arrived after seq {}", p[1].seq, p[0].seq)),
        None => Ok(()),
    }
}

/// Runs a burst of `count` messages to quiescence on one seed with the raw simulator.
fn run_burst(count: u32, network: NetworkModel<Msg>, seed: u64) -> (RunResult, Burst) {
    let mut sim = Simulation::new(Burst::new(count))
        .seed(seed)
        .network(network);
    let result = sim.run(1_000_000).expect("a valid network");
    assert_eq!(result.reason, StopReason::Quiescent, "seed {seed}");
    let (world, _, _) = sim.into_parts();
    (result, world)
}

/// Seeds and burst size of the statistical tests: 100 000 messages in all, enough to tell a
/// probability from one 10% off it.
const STAT_SEEDS: std::ops::Range<u64> = 0..100;
const BURST: u32 = 1_000;

/// Five standard deviations of the observed fraction of `n` Bernoulli(`p`) trials.
fn tolerance(p: f64, n: u64) -> f64 {
    5.0 * (p * (1.0 - p) / n as f64).sqrt()
}

fn assert_rate(what: &str, hits: u64, trials: u64, p: f64) {
    let observed = hits as f64 / trials as f64;
    let tolerance = tolerance(p, trials);
    assert!(
        tolerance < p / 20.0,
        "the sample is too small to tell {p} from a value 5% off ({tolerance})"
    );
    assert!(
        (observed - p).abs() <= tolerance,
        "{what}: observed {observed:.4} ({hits} of {trials}), expected {p} ± {tolerance:.4}"
    );
}

// ---------------------------------------------------------------------------------------------
// Lookup: a client queries a service that may be honest, lie, panic or misaddress its reply.
// ---------------------------------------------------------------------------------------------

/// Sends one query to `server` at start and keeps the answer.
#[derive(Debug)]
struct Client {
    server: &'static str,
    answer: Option<i64>,
}

impl Node<Msg> for Client {
    fn on_start(&mut self, ctx: &mut Context<Msg>) {
        ctx.send(self.server, Msg::Query);
    }

    fn on_message(&mut self, _ctx: &mut Context<Msg>, _from: NodeId, msg: Msg) {
        if let Msg::Answer(value) = msg {
            self.answer = Some(value);
        }
    }
}

#[derive(Clone, Copy, Debug)]
enum Behaviour {
    /// Answers `EXPECTED`.
    Honest,
    /// Answers `BAD` when its draw is below the probability, `EXPECTED` otherwise.
    Lies(f64),
    /// Panics when its draw is below the probability, answers `EXPECTED` otherwise.
    Panics(f64),
    /// Sends its answer to a node that does not exist.
    RepliesToNobody,
}

#[derive(Debug)]
struct Service {
    behaviour: Behaviour,
    queries: u32,
}

impl Node<Msg> for Service {
    fn on_message(&mut self, ctx: &mut Context<Msg>, from: NodeId, msg: Msg) {
        if msg != Msg::Query {
            return;
        }
        self.queries += 1;
        let answer = match self.behaviour {
            Behaviour::Honest => EXPECTED,
            Behaviour::Lies(p) if ctx.random() < p => BAD,
            Behaviour::Panics(p) if ctx.random() < p => {
                panic!("service gave up on a query at t={}", ctx.now())
            }
            Behaviour::Lies(_) | Behaviour::Panics(_) => EXPECTED,
            Behaviour::RepliesToNobody => return ctx.send("nobody", Msg::Answer(EXPECTED)),
        };
        ctx.send(from, Msg::Answer(answer));
    }
}

#[derive(System, Debug)]
struct Lookup {
    client: Client,
    service: Service,
}

impl Lookup {
    fn new(server: &'static str, behaviour: Behaviour) -> Self {
        Lookup {
            client: Client {
                server,
                answer: None,
            },
            service: Service {
                behaviour,
                queries: 0,
            },
        }
    }
}

/// A factory of lookups whose client asks `service`.
fn lookup(behaviour: Behaviour) -> impl Fn() -> Lookup + Send + Sync + 'static {
    move || Lookup::new("service", behaviour)
}

fn answered_expected(w: &Lookup) -> bool {
    w.client.answer == Some(EXPECTED)
}

fn answer_is_expected(w: &Lookup) -> Result<(), String> {
    match w.client.answer {
        Some(value) if value != EXPECTED => {
            Err(format!("client accepted {value}, expected {EXPECTED}"))
        }
        _ => Ok(()),
    }
}

fn no_wrong_answer(w: &Lookup) -> bool {
    answer_is_expected(w).is_ok()
}

/// Whether the raw simulator panics on `seed` (the panic is caught).
fn simulation_panics(system: Lookup, seed: u64) -> bool {
    catch_unwind(AssertUnwindSafe(|| {
        Simulation::new(system).seed(seed).run(100).map(|_| ())
    }))
    .is_err()
}

// ---------------------------------------------------------------------------------------------
// Rally: two players hit a ping back and forth; the left one serves (and re-serves on a timer
// until the first hit comes back). Without `stop_after` the rally never ends (a livelock).
// ---------------------------------------------------------------------------------------------

const SERVE_EVERY: u64 = 5;

#[derive(Debug)]
struct Player {
    serves: bool,
    stop_after: Option<u32>,
    hits: u32,
}

impl Player {
    fn finished(&self) -> bool {
        self.stop_after.is_some_and(|n| self.hits >= n)
    }

    fn serve(&mut self, ctx: &mut Context<Msg>) {
        ctx.broadcast(Msg::Ping);
        ctx.set_timer("serve", SERVE_EVERY);
    }
}

impl Node<Msg> for Player {
    fn on_start(&mut self, ctx: &mut Context<Msg>) {
        if self.serves {
            self.serve(ctx);
        }
    }

    fn on_timer(&mut self, ctx: &mut Context<Msg>, _timer: &'static str) {
        if self.hits == 0 {
            self.serve(ctx);
        }
    }

    fn on_message(&mut self, ctx: &mut Context<Msg>, from: NodeId, msg: Msg) {
        if msg != Msg::Ping {
            return;
        }
        self.hits += 1;
        if !self.finished() {
            ctx.send(from, Msg::Ping);
        }
    }
}

#[derive(System, Debug)]
struct Rally {
    left: Player,
    right: Player,
}

impl Rally {
    fn new(stop_after: Option<u32>) -> Self {
        let player = |serves| Player {
            serves,
            stop_after,
            hits: 0,
        };
        Rally {
            left: player(true),
            right: player(false),
        }
    }

    fn hits(&self) -> u32 {
        self.left.hits + self.right.hits
    }
}

fn endless_rally() -> Rally {
    Rally::new(None)
}

fn short_rally() -> Rally {
    Rally::new(Some(6))
}

fn rally_over(w: &Rally) -> bool {
    w.left.finished() || w.right.finished()
}

/// The players cannot reach each other until t=10.
fn split_until_10() -> FaultSchedule {
    FaultSchedule::new().partition(Partition::between("left", "right", 0, 10))
}

// ---------------------------------------------------------------------------------------------
// Helpers on reports
// ---------------------------------------------------------------------------------------------

/// The failure of a report that must have failed.
fn failed<S>(report: &SimReport<S>) -> &SimFailure<S> {
    report
        .failure()
        .unwrap_or_else(|| panic!("expected a failure, got: {report}"))
}

fn assert_contains(text: &str, parts: &[&str]) {
    for part in parts {
        assert!(text.contains(part), "{part:?} missing from:\n{text}");
    }
}

// =============================================================================================
// 1. Loss
// =============================================================================================

#[test]
fn loss_rate_matches_the_configured_probability() {
    const LOSS: f64 = 0.3;
    let (mut sent, mut lost) = (0, 0);
    let mut per_seed = Vec::new();
    for seed in STAT_SEEDS {
        let (result, world) = run_burst(BURST, NetworkModel::reliable().loss(LOSS), seed);
        assert_eq!(
            result.delivered + result.dropped,
            u64::from(BURST),
            "seed {seed}: every message is either delivered or dropped"
        );
        assert_eq!(world.receiver.got.len() as u64, result.delivered);
        sent += u64::from(BURST);
        lost += result.dropped;
        per_seed.push(result.dropped);
    }
    assert_rate("loss", lost, sent, LOSS);
    per_seed.sort_unstable();
    per_seed.dedup();
    assert!(
        per_seed.len() > 1,
        "every seed lost exactly {per_seed:?} messages: the seed does not drive the losses"
    );
}

#[test]
fn loss_zero_loses_nothing_and_loss_one_loses_everything() {
    for seed in 0..10 {
        let (result, world) = run_burst(50, NetworkModel::reliable().loss(0.0), seed);
        assert_eq!((result.delivered, result.dropped), (50, 0), "seed {seed}");
        assert_eq!(world.seqs(), (0..50).collect::<Vec<_>>());

        let (result, world) = run_burst(50, NetworkModel::reliable().loss(1.0), seed);
        assert_eq!((result.delivered, result.dropped), (0, 50), "seed {seed}");
        assert_eq!(result.steps, 0, "nothing to deliver means no step");
        assert!(world.receiver.got.is_empty());
    }
}

// =============================================================================================
// 2. Duplication
// =============================================================================================

#[test]
fn duplicate_rate_matches_the_configured_probability() {
    const DUPLICATE: f64 = 0.2;
    let (mut sent, mut doubled) = (0, 0);
    for seed in STAT_SEEDS {
        let (result, world) = run_burst(BURST, NetworkModel::reliable().duplicate(DUPLICATE), seed);
        let copies = world.copies();
        assert_eq!(
            copies.keys().copied().collect::<Vec<_>>(),
            (0..BURST).collect::<Vec<_>>(),
            "seed {seed}: without loss every message arrives"
        );
        assert!(
            copies.values().all(|&n| n == 1 || n == 2),
            "seed {seed}: a message arrived more than twice: {copies:?}"
        );
        let twice = copies.values().filter(|&&n| n == 2).count() as u64;
        assert_eq!(result.delivered, u64::from(BURST) + twice, "seed {seed}");
        assert_eq!(result.dropped, 0, "seed {seed}");
        sent += u64::from(BURST);
        doubled += twice;
    }
    assert_rate("duplicate", doubled, sent, DUPLICATE);
}

#[test]
fn duplicate_zero_and_one_are_never_and_always() {
    for seed in 0..10 {
        let (_, world) = run_burst(40, NetworkModel::reliable().duplicate(0.0), seed);
        assert!(world.copies().values().all(|&n| n == 1), "seed {seed}");
        let (result, world) = run_burst(40, NetworkModel::reliable().duplicate(1.0), seed);
        assert_eq!(result.delivered, 80, "seed {seed}");
        assert!(world.copies().values().all(|&n| n == 2), "seed {seed}");
    }
}

// =============================================================================================
// 3. Latency and reordering
// =============================================================================================

#[test]
fn latency_spread_reorders_a_burst_and_stays_within_bounds() {
    let (lo, hi) = (1, 10);
    let mut reordered_seeds = 0;
    let (mut shortest, mut longest) = (u64::MAX, 0);
    for seed in 0..50 {
        let (_, world) = run_burst(20, NetworkModel::reliable().latency(lo, hi), seed);
        assert_eq!(world.receiver.got.len(), 20, "seed {seed}");
        for arrival in &world.receiver.got {
            assert!(
                (lo..=hi).contains(&arrival.latency()),
                "seed {seed}: latency of {arrival:?} outside [{lo}, {hi}]"
            );
            shortest = shortest.min(arrival.latency());
            longest = longest.max(arrival.latency());
        }
        let times: Vec<u64> = world.receiver.got.iter().map(|a| a.arrived_at).collect();
        assert!(
            times.is_sorted(),
            "seed {seed}: deliveries went back in time: {times:?}"
        );
        if arrived_in_send_order(&world).is_err() {
            reordered_seeds += 1;
        }
    }
    assert!(
        reordered_seeds > 0,
        "latency spread never reordered a burst"
    );
    assert_eq!(
        (shortest, longest),
        (lo, hi),
        "over 1000 draws both ends of the inclusive range should occur"
    );
}

#[test]
fn reliable_network_delivers_in_order_after_exactly_one_unit() {
    for seed in 0..50 {
        let (_, world) = run_burst(20, NetworkModel::reliable(), seed);
        assert_eq!(world.seqs(), (0..20).collect::<Vec<_>>(), "seed {seed}");
        assert!(world.receiver.got.iter().all(|a| a.latency() == 1));
    }
}

#[test]
fn in_order_invariant_fails_only_with_a_latency_spread() {
    let scenario = |network: NetworkModel<Msg>| {
        Scenario::new(|| Burst::new(20))
            .name("burst_order")
            .network(network)
            .invariant("arrived_in_send_order", arrived_in_send_order)
    };
    let seeds: Vec<u64> = (0..50).collect();
    let reliable = scenario(NetworkModel::reliable()).run_seeds(&seeds);
    assert!(reliable.ok(), "{reliable}");
    assert_eq!(reliable.runs(), 50);

    let spread = scenario(NetworkModel::reliable().latency(1, 10)).run_seeds(&seeds);
    let failure = failed(&spread);
    assert_eq!(failure.kind(), FailureKind::Invariant);
    assert_contains(
        failure.detail(),
        &[
            "`arrived_in_send_order` violated: seq ",
            " arrived after seq ",
        ],
    );
}

// =============================================================================================
// 4. Mutation
// =============================================================================================

/// Drops every third message and renumbers the others by +100, on the sender → receiver link.
fn renumber_or_drop(from: NodeId, to: NodeId, msg: Msg) -> Option<Msg> {
    if (from, to) != (NodeId::new(0), NodeId::new(1)) {
        return Some(msg); // wrong ids: leave it alone, so the test sees the original
    }
    match msg {
        Msg::Numbered { seq, .. } if seq % 3 == 0 => None,
        Msg::Numbered { seq, sent_at } => Some(Msg::Numbered {
            seq: seq + 100,
            sent_at,
        }),
        other => Some(other),
    }
}

#[test]
fn mutate_rewrites_messages_and_drops_those_it_maps_to_none() {
    let network = NetworkModel::reliable().mutate(renumber_or_drop);
    let (result, world) = run_burst(12, network, 0);
    assert_eq!(
        world.seqs(),
        vec![101, 102, 104, 105, 107, 108, 110, 111],
        "the receiver sees only the rewritten messages"
    );
    assert_eq!((result.delivered, result.dropped), (8, 4));
}

#[test]
fn mutate_sees_only_messages_that_survived_loss() {
    let calls = Arc::new(AtomicU64::new(0));
    let counter = Arc::clone(&calls);
    let network = NetworkModel::reliable().loss(0.5).mutate(move |_, _, msg| {
        counter.fetch_add(1, Ordering::Relaxed);
        Some(msg)
    });
    let (result, _) = run_burst(200, network, 3);
    assert!(result.dropped > 0, "loss 0.5 lost nothing");
    assert_eq!(calls.load(Ordering::Relaxed), result.delivered);
}

#[test]
fn mutation_and_mutate_drops_show_in_the_trace() {
    let report = Scenario::new(|| Burst::new(3))
        .name("renumbered_burst")
        .network(NetworkModel::reliable().mutate(renumber_or_drop))
        .invariant("nothing arrives", |w: &Burst| w.receiver.got.is_empty())
        .run_seeds(&[0]);
    let failure = failed(&report);
    assert_eq!(failure.kind(), FailureKind::Invariant);
    assert_eq!((failure.step(), failure.time()), (1, 1));
    assert_contains(
        &failure.to_string(),
        &[
            "sender → receiver  Numbered { seq: 0, sent_at: 0 }  ✗ dropped by mutate",
            "sender → receiver  Numbered { seq: 1, sent_at: 0 }  \
             ⇒ mutated to Numbered { seq: 101, sent_at: 0 }",
            "receiver ← sender  Numbered { seq: 101, sent_at: 0 }",
        ],
    );
}

// =============================================================================================
// 5. Invalid networks
// =============================================================================================

fn bad_network_failure(network: NetworkModel<Msg>) -> SimFailure<Burst> {
    let report = Scenario::new(|| Burst::new(3))
        .name("bad_network")
        .network(network)
        .run_seeds(&[7, 8]);
    assert_eq!(
        report.runs(),
        1,
        "an invalid scenario stops at the first seed"
    );
    report.into_failure().expect("an invalid network must fail")
}

#[test]
fn invalid_network_is_an_invalid_scenario_naming_the_setting() {
    let cases = [
        (
            NetworkModel::reliable().loss(1.5),
            "loss = 1.5 is not a probability",
        ),
        (NetworkModel::reliable().duplicate(-0.1), "duplicate = -0.1"),
        (NetworkModel::reliable().loss(f64::NAN), "loss = NaN"),
        (
            NetworkModel::reliable().latency(5, 2),
            "min latency 5 is greater than max latency 2",
        ),
    ];
    for (network, problem) in cases {
        let failure = bad_network_failure(network);
        assert_eq!(failure.kind(), FailureKind::InvalidScenario, "{failure}");
        assert_eq!(failure.seed(), 7);
        assert_contains(failure.detail(), &["invalid network", problem]);
        assert_contains(
            &failure.to_string(),
            &[
                "INVALID SCENARIO",
                problem,
                "scenario bad_network",
                "seed 7",
            ],
        );
    }
}

#[test]
fn invalid_network_is_a_setup_error_of_the_raw_simulator() {
    let run = |network: NetworkModel<Msg>| {
        let mut sim = Simulation::new(Burst::new(3)).network(network);
        let outcome = sim.run(10);
        assert!(sim.world().receiver.got.is_empty() && sim.steps() == 0);
        outcome
    };
    assert_eq!(
        run(NetworkModel::reliable().loss(1.5)),
        Err(SetupError::InvalidProbability {
            setting: "loss",
            value: 1.5
        })
    );
    assert_eq!(
        run(NetworkModel::reliable().duplicate(-0.1)),
        Err(SetupError::InvalidProbability {
            setting: "duplicate",
            value: -0.1
        })
    );
    assert!(matches!(
        run(NetworkModel::reliable().duplicate(f64::NAN)),
        Err(SetupError::InvalidProbability { setting: "duplicate", value }) if value.is_nan()
    ));
    let latency = run(NetworkModel::reliable().latency(5, 2));
    assert_eq!(latency, Err(SetupError::InvalidLatency { min: 5, max: 2 }));
    assert_eq!(
        latency.unwrap_err().to_string(),
        "invalid network: min latency 5 is greater than max latency 2"
    );
}

// =============================================================================================
// 6. Invalid fault schedules
// =============================================================================================

fn bad_faults_failure(faults: FaultSchedule) -> SimFailure<Lookup> {
    let report = Scenario::new(lookup(Behaviour::Honest))
        .name("bad_faults")
        .faults(faults)
        .run_seeds(&[2, 3]);
    report
        .into_failure()
        .expect("an invalid schedule must fail")
}

#[test]
fn unknown_nodes_in_a_fault_schedule_are_named_with_the_known_ones() {
    let cases = [
        (
            FaultSchedule::new().partition(Partition::between("client", "ghost", 0, 5)),
            "partition #0 names unknown node \"ghost\"",
        ),
        (
            FaultSchedule::new()
                .partition(Partition::between("client", "service", 0, 5))
                .crash(Crash::warm("nobody", 1, 5)),
            "crash #0 names unknown node \"nobody\"",
        ),
        (
            FaultSchedule::new().partition(Partition::isolate("phantom", 0, 5)),
            "unknown node \"phantom\"",
        ),
    ];
    for (faults, problem) in cases {
        let failure = bad_faults_failure(faults);
        assert_eq!(failure.kind(), FailureKind::InvalidScenario, "{failure}");
        assert_eq!(failure.seed(), 2);
        assert_contains(
            failure.detail(),
            &[problem, "known: \"client\", \"service\""],
        );
        assert_contains(&failure.to_string(), &["scenario bad_faults", "seed 2"]);
    }
}

#[test]
fn empty_fault_windows_are_rejected() {
    let cases = [
        (
            FaultSchedule::new().partition(Partition::between("client", "service", 5, 5)),
            "partition #0 has an empty window [5, 5)",
        ),
        (
            FaultSchedule::new().crash(Crash::cold("service", 9, 3)),
            "crash #0 of \"service\" has an empty window [9, 3)",
        ),
    ];
    for (faults, problem) in cases {
        let failure = bad_faults_failure(faults);
        assert_eq!(failure.kind(), FailureKind::InvalidScenario, "{failure}");
        assert_contains(failure.detail(), &[problem]);
    }
}

#[test]
fn unknown_fault_node_is_a_setup_error_of_the_raw_simulator() {
    let faults = FaultSchedule::new().partition(Partition::between("client", "ghost", 0, 5));
    let mut sim = Simulation::new(Lookup::new("service", Behaviour::Honest)).faults(faults);
    assert_eq!(
        sim.run(10),
        Err(SetupError::UnknownNode {
            name: "ghost".to_string(),
            place: "partition #0".to_string(),
            known: vec!["client".to_string(), "service".to_string()],
        })
    );
    assert_eq!(sim.world().service.queries, 0, "no handler ran");
}

// =============================================================================================
// 7. Sending to an unknown node
// =============================================================================================

#[test]
fn sending_to_an_unknown_node_is_a_panic_naming_node_handler_and_known_nodes() {
    let report = Scenario::new(|| Lookup::new("nobody", Behaviour::Honest))
        .name("misaddressed_query")
        .run_seeds(&[3, 4, 5]);
    let failure = failed(&report);
    assert_eq!(failure.kind(), FailureKind::Panic);
    assert_eq!(failure.seed(), 3);
    assert_eq!(report.runs(), 1, "no seed runs after the first failure");
    assert_eq!(failure.run_of(), (1, 3));
    assert_eq!(failure.step(), 0, "it failed in on_start");
    assert_contains(
        failure.detail(),
        &[
            "node `client` (on_start)",
            "unknown node \"nobody\"",
            "known: \"client\", \"service\"",
        ],
    );
    assert_contains(
        &failure.to_string(),
        &["PANIC", "scenario misaddressed_query, seed 3"],
    );
}

#[test]
fn sending_to_an_unknown_node_from_a_message_handler_names_that_handler() {
    let report = Scenario::new(lookup(Behaviour::RepliesToNobody))
        .name("misaddressed_reply")
        .run_seeds(&[9]);
    let failure = failed(&report);
    assert_eq!(failure.kind(), FailureKind::Panic);
    assert_eq!((failure.step(), failure.time()), (1, 1));
    assert_contains(
        failure.detail(),
        &["node `service` (on_message)", "unknown node \"nobody\""],
    );
}

// =============================================================================================
// 8. Panics
// =============================================================================================

#[test]
fn a_panicking_handler_is_a_panic_failure_not_an_abort() {
    let report = Scenario::new(lookup(Behaviour::Panics(1.0)))
        .name("always_panics")
        .run_seeds(&[11, 12]);
    let failure = failed(&report);
    assert_eq!(failure.kind(), FailureKind::Panic);
    assert_eq!((failure.seed(), report.runs()), (11, 1));
    assert_panic_detail(
        failure.detail(),
        "in node `service` (on_message): service gave up on a query at t=1",
    );
    assert_contains(
        &failure.to_string(),
        &["seed 11", "service gave up on a query at t=1"],
    );
    // The process is alive and the engine is usable afterwards.
    let healthy = Scenario::new(lookup(Behaviour::Honest)).run_seeds(&[11]);
    assert!(healthy.ok(), "{healthy}");
}

#[test]
fn a_panicking_factory_is_a_panic_failure_saying_so() {
    let report = Scenario::new(|| -> Lookup { panic!("no service configured") })
        .name("broken_factory")
        .run_seeds(&[5, 6]);
    let failure = failed(&report);
    assert_eq!(failure.kind(), FailureKind::Panic);
    assert_eq!((failure.seed(), report.runs()), (5, 1));
    assert_panic_detail(failure.detail(), "in the factory: no service configured");
    assert!(failure.world().is_none(), "no world was built");
}

#[test]
fn a_panicking_invariant_is_a_panic_failure_naming_it() {
    let report = Scenario::new(lookup(Behaviour::Honest))
        .name("broken_invariant")
        .invariant("explodes_on_answer", |w: &Lookup| {
            assert!(w.client.answer.is_none(), "the answer came");
            true
        })
        .run_seeds(&[0]);
    let failure = failed(&report);
    assert_eq!(failure.kind(), FailureKind::Panic);
    assert_eq!(failure.step(), 2, "the answer is delivered at step 2");
    assert_panic_detail(
        failure.detail(),
        "in invariant `explodes_on_answer`: the answer came",
    );
}

/// A caught panic's detail: where in the run, the message, and where in this file it was raised.
fn assert_panic_detail(detail: &str, expected: &str) {
    let place = format!("{expected} (panicked at {}:", file!());
    assert!(
        detail.starts_with(&place),
        "{detail:?} does not start with {place:?}"
    );
}

#[test]
fn a_handler_panicking_on_some_seeds_is_reported_at_the_first_failing_seed() {
    const P: f64 = 0.2;
    let panics = |seed| simulation_panics(Lookup::new("service", Behaviour::Panics(P)), seed);
    // Start at a passing seed so that the first failure is not trivially the first seed.
    let first_seed = (0..100).find(|&s| !panics(s)).expect("a passing seed");
    let first_failing = (first_seed..first_seed + 200)
        .find(|&s| panics(s))
        .expect("a seed where the service panics");
    assert!(first_failing > first_seed);

    let seeds: Vec<u64> = (first_seed..first_seed + 200).collect();
    let report = Scenario::new(lookup(Behaviour::Panics(P)))
        .name("sometimes_panics")
        .run_seeds(&seeds);
    let failure = failed(&report);
    assert_eq!(failure.kind(), FailureKind::Panic);
    assert_eq!(failure.seed(), first_failing);
    let run = (first_failing - first_seed + 1) as usize;
    assert_eq!(report.runs(), run);
    assert_eq!(failure.run_of(), (run, seeds.len()));
    assert_contains(&failure.to_string(), &[&format!("seed {first_failing}")]);
}

// =============================================================================================
// 9. Invariants
// =============================================================================================

#[test]
fn a_reason_returning_invariant_shows_its_reason() {
    let report = Scenario::new(lookup(Behaviour::Lies(1.0)))
        .name("liar")
        .invariant("answer_is_expected", answer_is_expected)
        .run_seeds(&[0]);
    let failure = failed(&report);
    assert_eq!(failure.kind(), FailureKind::Invariant);
    let detail = "`answer_is_expected` violated: client accepted -1, expected 42";
    assert_eq!(failure.detail(), detail);
    assert_eq!((failure.step(), failure.time()), (2, 2));
    assert_contains(&failure.to_string(), &[detail]);
    assert_eq!(failure.world().map(|w| w.client.answer), Some(Some(BAD)));
}

#[test]
fn a_bool_invariant_that_fails_shows_its_name() {
    let report = Scenario::new(lookup(Behaviour::Lies(1.0)))
        .name("liar")
        .invariant("no_wrong_answer", no_wrong_answer)
        .run_seeds(&[0]);
    let failure = failed(&report);
    assert_eq!(failure.kind(), FailureKind::Invariant);
    assert_eq!(failure.detail(), "`no_wrong_answer` violated");
    assert_contains(
        &failure.to_string(),
        &["INVARIANT `no_wrong_answer` violated"],
    );
}

#[test]
fn invariants_are_checked_in_name_order() {
    let in_order = |names: [&str; 3]| {
        let mut scenario = Scenario::new(lookup(Behaviour::Lies(1.0))).name("two_violations");
        for name in names {
            scenario = scenario.invariant(name, no_wrong_answer);
        }
        let report = scenario
            .invariant("aardvark_always_holds", |_: &Lookup| true)
            .run_seeds(&[0]);
        failed(&report).detail().to_string()
    };
    assert_eq!(
        in_order(["zeta", "alpha", "mid"]),
        "`alpha` violated",
        "added zeta first"
    );
    assert_eq!(in_order(["alpha", "zeta", "mid"]), "`alpha` violated");
    assert_eq!(in_order(["mid", "zeta", "alpha"]), "`alpha` violated");
}

#[test]
fn invariants_are_checked_right_after_the_start() {
    let report = Scenario::new(lookup(Behaviour::Honest))
        .name("never_holds")
        .invariant("never", |_: &Lookup| false)
        .run_seeds(&[0]);
    let failure = failed(&report);
    assert_eq!(failure.kind(), FailureKind::Invariant);
    assert_eq!((failure.step(), failure.time()), (0, 0));
}

// =============================================================================================
// 10. Goal and liveness
// =============================================================================================

fn goal_report(behaviour: Behaviour, faults: FaultSchedule) -> SimReport<Lookup> {
    Scenario::new(lookup(behaviour))
        .name("lookup_goal")
        .faults(faults)
        .goal("answered_expected", answered_expected)
        .run_seeds(&[0, 1, 2, 3, 4])
}

#[test]
fn a_goal_that_holds_passes() {
    let report = goal_report(Behaviour::Honest, FaultSchedule::new());
    assert!(report.ok(), "{report}");
    assert_eq!(report.runs(), 5);
}

#[test]
fn a_missed_goal_without_faults_is_a_goal_failure() {
    let report = goal_report(Behaviour::Lies(1.0), FaultSchedule::new());
    let failure = failed(&report);
    assert_eq!(failure.kind(), FailureKind::Goal);
    assert_eq!(failure.seed(), 0);
    assert_eq!(
        failure.detail(),
        "`answered_expected` not reached (the run went quiescent after 2 steps)"
    );
    assert_contains(
        &failure.to_string(),
        &["GOAL `answered_expected` not reached"],
    );
}

#[test]
fn the_same_missed_goal_with_faults_is_a_liveness_failure() {
    // The partition only starts after the run is over: the schedule alone changes the kind.
    let late = FaultSchedule::new().partition(Partition::between("client", "service", 100, 200));
    let failure = goal_report(Behaviour::Lies(1.0), late)
        .into_failure()
        .expect("the liar still lies");
    assert_eq!(failure.kind(), FailureKind::Liveness);
    assert_contains(failure.detail(), &["faults healed at t=200"]);
}

#[test]
fn a_partition_cutting_the_only_reply_is_a_liveness_failure() {
    let cut_reply = FaultSchedule::new().partition(Partition::one_way("service", "client", 0, 2));
    let report = goal_report(Behaviour::Honest, cut_reply);
    let failure = failed(&report);
    assert_eq!(failure.kind(), FailureKind::Liveness);
    assert_contains(
        failure.detail(),
        &["`answered_expected` not reached", "faults healed at t=2"],
    );
    let world = failure.world().expect("a world");
    assert_eq!((world.service.queries, world.client.answer), (1, None));
    assert_contains(&failure.to_string(), &["LIVENESS", "✗ cut by partition"]);

    // The window is half-open: a partition over [0, 1) does not cut the reply sent at t=1.
    let ends_before_reply =
        FaultSchedule::new().partition(Partition::one_way("service", "client", 0, 1));
    let report = goal_report(Behaviour::Honest, ends_before_reply);
    assert!(report.ok(), "{report}");
}

// =============================================================================================
// 11. converge_within
// =============================================================================================

fn rally_scenario(factory: fn() -> Rally) -> Scenario<Rally, Msg> {
    Scenario::new(factory)
        .name("rally")
        .goal("rally_over", rally_over)
}

#[test]
fn converge_within_catches_a_livelock_after_the_faults_heal() {
    // The run as found (shrinking would shorten the partition: the livelock stays).
    let report = rally_scenario(endless_rally)
        .faults(split_until_10())
        .converge_within(20)
        .execute(&RunSettings::seeds([0, 1]).shrink(0));
    let failure = failed(&report);
    assert_eq!(failure.kind(), FailureKind::Liveness);
    assert_eq!(failure.seed(), 0);
    assert!(
        failure.time() >= 10,
        "only post-heal steps count: {failure}"
    );
    // The first post-heal step is step 2 (the serve timer at t=10). Twenty post-heal steps
    // without the goal are tolerated (whether the step at t=10 itself counts is a matter of
    // reading), then the run fails right away, far below max_steps.
    assert!(
        (21..=22).contains(&failure.step()),
        "expected a failure right after 20 post-heal steps, got step {}",
        failure.step()
    );
    assert_contains(
        failure.detail(),
        &[
            "`rally_over` not reached within 20 steps after the faults healed at t=10",
            "converge_within = 20",
        ],
    );
    let world = failure.world().expect("a world");
    assert!(world.hits() > 0, "the rally was under way: {world:?}");
}

#[test]
fn converge_within_without_faults_counts_from_the_start() {
    let report = rally_scenario(endless_rally)
        .converge_within(20)
        .run_seeds(&[0]);
    let failure = failed(&report);
    assert_eq!(failure.kind(), FailureKind::Goal);
    assert!(
        (19..=20).contains(&failure.step()),
        "the observation after the start counts: 21 misses end at step 20, got step {}",
        failure.step()
    );
    assert_contains(
        failure.detail(),
        &["from the start", "converge_within = 20"],
    );
}

#[test]
fn a_system_converging_within_the_bound_passes() {
    // The short rally's goal first holds at step 14 (the sixth hit on the right), the 13th
    // step from the heal at t=10 (step 2) on: a bound of 13 suffices, 11 does not.
    let converges = |bound| {
        rally_scenario(short_rally)
            .faults(split_until_10())
            .converge_within(bound)
            .run_seeds(&[0, 1, 2])
    };
    let report = converges(13);
    assert!(report.ok(), "{report}");
    let report = converges(11);
    let failure = failed(&report);
    assert_eq!(failure.kind(), FailureKind::Liveness);
    assert!(failure.step() < 14, "step {}", failure.step());
}

#[test]
fn converge_within_without_a_goal_is_an_invalid_scenario() {
    let report = Scenario::new(endless_rally)
        .name("no_goal")
        .converge_within(20)
        .run_seeds(&[0]);
    let failure = failed(&report);
    assert_eq!(failure.kind(), FailureKind::InvalidScenario);
    assert_contains(failure.detail(), &["converge_within needs a goal"]);
    assert_eq!(report.runs(), 0, "nothing ran");
}

#[test]
fn an_invalid_option_reports_the_seeds_that_were_asked_for() {
    let report = Scenario::new(endless_rally)
        .name("no_goal")
        .converge_within(20)
        .run_seeds(&[5]);
    let failure = failed(&report);
    assert_eq!(failure.kind(), FailureKind::InvalidScenario);
    assert_eq!(failure.seed(), 5, "{failure}");
    assert_eq!(failure.run_of().1, 1, "one seed was asked for: {failure}");
}

// =============================================================================================
// 12. max_steps
// =============================================================================================

#[test]
fn max_steps_stops_a_never_quiescent_run_without_a_goal() {
    let hits_bounded = |w: &Rally| w.hits() <= 50;
    let report = Scenario::new(endless_rally)
        .name("endless")
        .invariant("at most 50 hits", hits_bounded)
        .max_steps(50)
        .run_seeds(&[0, 1, 2]);
    assert!(report.ok(), "{report}");
    assert_eq!(report.runs(), 3);

    // Control: the invariant is not vacuous, a longer run breaks it.
    let report = Scenario::new(endless_rally)
        .name("endless")
        .invariant("at most 50 hits", hits_bounded)
        .max_steps(60)
        .run_seeds(&[0]);
    assert_eq!(failed(&report).kind(), FailureKind::Invariant);

    let mut sim = Simulation::new(endless_rally());
    let result = sim.run(50).expect("a valid setup");
    assert_eq!((result.steps, result.reason), (50, StopReason::MaxSteps));
}

#[test]
fn a_goal_missed_at_max_steps_says_the_run_stopped_there() {
    let report = rally_scenario(endless_rally).max_steps(50).run_seeds(&[0]);
    let failure = failed(&report);
    assert_eq!(failure.kind(), FailureKind::Goal);
    assert_eq!(failure.step(), 50);
    assert_eq!(
        failure.detail(),
        "`rally_over` not reached (the run stopped at max_steps = 50)"
    );
}

// =============================================================================================
// 13. The shape of a failure report
// =============================================================================================

/// Seeds fixed by the caller's code cannot be replayed through `MUSIL_SEED`: the report says
/// so, even when the scenario names a replay command of its own.
#[test]
fn run_seeds_says_its_seed_is_fixed_whatever_the_scenarios_replay_command() {
    let report = Scenario::new(lookup(Behaviour::Lies(1.0)))
        .invariant("answer_is_expected", answer_is_expected)
        .replay_command("cargo test --test network_and_oracle -- display_shape")
        .run_seeds(&[3]);
    let replay = failed(&report).replay();
    assert!(
        replay.starts_with("seed 3 is fixed by the test's code (MUSIL_SEED does not change it)"),
        "{replay}"
    );
}

#[test]
fn failure_display_has_the_documented_shape() {
    let scenario = Scenario::new(lookup(Behaviour::Lies(0.5)))
        .name("display_shape")
        .invariant("answer_is_expected", answer_is_expected)
        .replay_command("cargo test --test network_and_oracle -- display_shape");
    // `execute` runs exactly these seeds and, given no replay of its own, prints the scenario's
    // replay command (`run_seeds` would say that its seeds are fixed by the code).
    let run = |seeds: &[u64]| scenario.execute(&RunSettings::seeds(seeds.iter().copied()));
    let fails = |seed: u64| !run(&[seed]).ok();
    // Seeds [f-1, f, f+1] where f-1 passes and f fails: the failure is on run 2 of 3.
    let f = (1..200)
        .find(|&s| !fails(s - 1) && fails(s))
        .expect("a passing seed followed by a failing one");
    let report = run(&[f - 1, f, f + 1]);
    let failure = failed(&report);
    assert_eq!(failure.nondeterminism(), None);
    assert_eq!(failure.run_of(), (2, 3));

    let text = failure.to_string();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        format!(
            "INVARIANT `answer_is_expected` violated: client accepted -1, expected 42 \
             — scenario display_shape, seed {f}, step 2 (t=2)"
        )
    );
    the_world_is_printed_a_node_a_line(&lines, &text);
    assert_eq!(lines[4], "  trace:", "{text}");
    let replay = lines.len() - 2;
    let trace_end = (5..replay)
        .find(|&i| lines[i].starts_with("  shrunk"))
        .unwrap_or(replay);
    assert!(
        lines[5..trace_end].iter().all(|l| l.starts_with("    t=")),
        "{text}"
    );
    let trace = lines[3..replay].join("\n");
    assert_contains(
        &trace,
        &[
            "client → service  Query",
            "service → client  Answer(-1)",
            "client ← service  Answer(-1)",
        ],
    );
    assert_eq!(
        lines[replay],
        format!("  replay: MUSIL_SEED={f} cargo test --test network_and_oracle -- display_shape")
    );
    assert_eq!(lines[replay + 1], "(failed on run 2 of 3)");
    assert_eq!(failure.replay(), &lines[replay]["  replay: ".len()..]);
    the_last_step_and_its_change_are_traced(failure.trace().expect("a trace").events());
}

fn the_world_is_printed_a_node_a_line(lines: &[&str], text: &str) {
    assert_eq!(lines[1], "  world:", "{text}");
    assert!(
        lines[2].starts_with("    client: Client {") && lines[2].contains("Some(-1)"),
        "{text}"
    );
    assert!(lines[3].starts_with("    service: "), "{text}");
}

fn the_last_step_and_its_change_are_traced(events: &[musil::TraceEvent]) {
    let last_step = events.iter().rev().find(|e| e.is_step());
    assert!(last_step.is_some_and(|e| e.step == 2), "{events:?}");
    let changed = |e: &musil::TraceEvent| matches!(&e.kind, musil::TraceKind::Changed { lines } if lines[0].contains("Some(-1)"));
    assert!(
        events.iter().any(|e| e.step == 2 && changed(e)),
        "the step's change is traced: {events:?}"
    );
}
