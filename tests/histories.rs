//! Histories and their checks, as users meet them: hand-written register histories accepted or
//! rejected (with the smallest inconsistent part named), sequential consistency against
//! linearizability, per-key partitioning against the whole check and both against a
//! brute-force search on random histories, failed against pending operations, and histories
//! recorded by runs (`ctx.invoke`, `ctx.complete`, `ctx.fail`) judged the same way every time.

use musil::RunSettings;
use musil::history::{
    Consistency, History, KvOp, KvRet, KvSpec, OpId, Operation, Outcome, Register, RegisterOp,
    RegisterRet, SequentialSpec,
};
use musil::prelude::*;

type RegisterHistory = History<RegisterOp<u8>, RegisterRet<u8>>;

fn is_linearizable(history: &RegisterHistory) -> bool {
    history
        .check(&Register::default(), Consistency::Linearizable)
        .is_ok()
}

/// `client` did `op` from `invoked` to `returned`, returning `ret`.
fn done(
    h: &mut RegisterHistory,
    client: usize,
    span: (u64, u64),
    op: RegisterOp<u8>,
    ret: RegisterRet<u8>,
) -> OpId {
    let id = h.invoke(client, span.0, op);
    h.complete(id, span.1, ret);
    id
}

fn read(value: Option<u8>) -> RegisterRet<u8> {
    RegisterRet::Value(value)
}

#[test]
fn overlapping_operations_may_take_effect_in_either_order() {
    let mut h = History::new();
    done(&mut h, 0, (0, 10), RegisterOp::Write(1), RegisterRet::Ok);
    done(&mut h, 1, (2, 4), RegisterOp::Read, read(Some(1)));
    done(&mut h, 2, (3, 5), RegisterOp::Read, read(None));
    assert!(is_linearizable(&h), "both reads overlap the write");
    done(&mut h, 1, (6, 8), RegisterOp::Read, read(None));
    assert!(
        !is_linearizable(&h),
        "a read after one that saw 1 cannot see the register empty again"
    );
}

#[test]
fn a_pending_write_may_show_or_not() {
    let mut h = History::new();
    h.invoke(0, 0, RegisterOp::Write(7));
    done(&mut h, 1, (5, 6), RegisterOp::Read, read(None));
    assert!(is_linearizable(&h), "the write has not taken effect yet");
    done(&mut h, 1, (7, 8), RegisterOp::Read, read(Some(7)));
    assert!(is_linearizable(&h), "now it has");
    done(&mut h, 1, (9, 10), RegisterOp::Read, read(None));
    assert!(!is_linearizable(&h), "and it cannot be undone");
}

#[test]
fn a_stale_read_is_rejected_and_the_smallest_inconsistent_part_named() {
    let mut h = History::new();
    let first = done(&mut h, 0, (0, 1), RegisterOp::Write(1), RegisterRet::Ok);
    done(&mut h, 1, (0, 1), RegisterOp::Read, read(None));
    let second = done(&mut h, 0, (2, 3), RegisterOp::Write(2), RegisterRet::Ok);
    done(&mut h, 2, (2, 9), RegisterOp::Read, read(Some(1)));
    let stale = done(&mut h, 1, (4, 5), RegisterOp::Read, read(Some(1)));
    done(&mut h, 2, (10, 11), RegisterOp::Read, read(Some(2)));
    let violation = h
        .check(&Register::default(), Consistency::Linearizable)
        .unwrap_err();
    // The first write (its value is what the stale read returns; had it not returned before the
    // second was invoked, it could have come after it), the second, and the read after it; the
    // reads before, during or after add nothing.
    assert_eq!(violation.operations, [first, second, stale]);
    assert_eq!(violation.returns_needed, [first, second, stale]);
    let text = musil::history::timeline(&h, &violation, &|c| format!("c{c}"));
    assert!(
        text.contains("c1") && text.contains("Read → Value(Some(1))"),
        "{text}"
    );
}

#[test]
fn sequentially_consistent_is_weaker_than_linearizable() {
    let mut h = History::new();
    done(&mut h, 0, (0, 1), RegisterOp::Write(1), RegisterRet::Ok);
    done(&mut h, 1, (5, 6), RegisterOp::Read, read(None));
    let spec = Register::default();
    assert!(h.check(&spec, Consistency::Linearizable).is_err());
    assert!(h.check(&spec, Consistency::SequentiallyConsistent).is_ok());
    // Within one client, order still counts.
    done(&mut h, 0, (7, 8), RegisterOp::Read, read(None));
    assert!(h.check(&spec, Consistency::SequentiallyConsistent).is_err());
}

#[test]
fn a_failed_operation_never_happened_and_a_pending_one_may_have() {
    let mut failed = History::new();
    let write = failed.invoke(0, 0, RegisterOp::Write(3));
    failed.fail(write);
    done(&mut failed, 1, (5, 6), RegisterOp::Read, read(Some(3)));
    assert!(!is_linearizable(&failed), "a failed write cannot be read");
    let mut pending = History::new();
    pending.invoke(0, 0, RegisterOp::Write(3));
    done(&mut pending, 1, (5, 6), RegisterOp::Read, read(Some(3)));
    assert!(
        is_linearizable(&pending),
        "a pending write may have happened"
    );
}

// ---------------------------------------------------------------------------------------------
// Random histories, against a brute-force search
// ---------------------------------------------------------------------------------------------

/// A small deterministic generator (xorshift): the property tests replay exactly.
struct Gen(u64);

impl Gen {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// A random key-value history of `ops` operations over `keys` keys and 3 clients: returns are
/// what a random linearization would give, then, half the time, one read's return is changed
/// (the history may or may not stay linearizable).
fn random_kv(rng: &mut Gen, ops: usize, keys: u64) -> History<KvOp<u64, i64>, KvRet<i64>> {
    let mut spans: Vec<(u64, u64, u64)> = Vec::new(); // (invoked, point, returned)
    let mut free = [0u64; 3];
    let mut chosen = Vec::new();
    for _ in 0..ops {
        let client = rng.below(3) as usize;
        let invoked = free[client] + rng.below(4);
        let point = invoked + rng.below(5);
        let returned = point + rng.below(5);
        free[client] = returned + 1;
        let key = rng.below(keys);
        let op = match rng.below(2) {
            0 => KvOp::Put(key, rng.below(3) as i64),
            _ => KvOp::Get(key),
        };
        spans.push((invoked, point, returned));
        chosen.push((client, op, rng.below(6) == 0));
    }
    let mut order: Vec<usize> = (0..ops).collect();
    order.sort_by_key(|&i| (spans[i].1, i));
    let mut spec = KvSpec::<u64, i64>::default();
    let mut rets = vec![KvRet::Ok; ops];
    for &i in &order {
        rets[i] = spec.apply(&chosen[i].1);
    }
    if rng.below(2) == 0
        && let Some(i) = (0..ops).find(|&i| matches!(chosen[i].1, KvOp::Get(_)))
    {
        rets[i] = KvRet::Value(Some(rng.below(3) as i64));
    }
    let mut history = History::new();
    let mut by_invocation: Vec<usize> = (0..ops).collect();
    by_invocation.sort_by_key(|&i| (spans[i].0, i));
    for i in by_invocation {
        let (client, op, pending) = chosen[i].clone();
        let id = history.invoke(client, spans[i].0, op);
        if !pending {
            history.complete(id, spans[i].2, rets[i].clone());
        }
    }
    history
}

/// Linearizability by brute force: some order of the completed operations and some of the
/// pending ones, respecting real time, explains every return.
fn brute_force(history: &History<KvOp<u64, i64>, KvRet<i64>>) -> bool {
    let ops: Vec<&Operation<KvOp<u64, i64>, KvRet<i64>>> = history.operations().iter().collect();
    let mut used = vec![false; ops.len()];
    extend(&ops, &mut used, &KvSpec::default())
}

fn extend(
    ops: &[&Operation<KvOp<u64, i64>, KvRet<i64>>],
    used: &mut [bool],
    state: &KvSpec<u64, i64>,
) -> bool {
    let completed_left = (0..ops.len()).any(|i| !used[i] && ops[i].returned().is_some());
    if !completed_left {
        return true;
    }
    for i in 0..ops.len() {
        if used[i] {
            continue;
        }
        // `i` may go next only if no unused operation returned before it was invoked.
        let blocked = (0..ops.len())
            .any(|j| !used[j] && j != i && ops[j].returned().is_some_and(|r| r < ops[i].invoked));
        if blocked {
            continue;
        }
        let mut next = state.clone();
        let ret = next.apply(&ops[i].op);
        let explained = match &ops[i].outcome {
            Outcome::Ok { ret: returned, .. } => *returned == ret,
            _ => true,
        };
        if explained {
            used[i] = true;
            let found = extend(ops, used, &next);
            used[i] = false;
            if found {
                return true;
            }
        }
    }
    false
}

/// `KvSpec` without its partition: the whole history checked at once.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
struct Whole(KvSpec<u64, i64>);

impl SequentialSpec for Whole {
    type Op = KvOp<u64, i64>;
    type Ret = KvRet<i64>;
    fn apply(&mut self, op: &Self::Op) -> Self::Ret {
        self.0.apply(op)
    }
}

#[test]
fn the_checker_agrees_with_brute_force_on_small_random_histories() {
    let mut rng = Gen(0x9e37_79b9_7f4a_7c15);
    let (mut consistent, mut inconsistent) = (0, 0);
    for _ in 0..400 {
        let history = random_kv(&mut rng, 6, 2);
        let expected = brute_force(&history);
        let found = history.check(&KvSpec::default(), Consistency::Linearizable);
        assert_eq!(found.is_ok(), expected, "{history:?}");
        match expected {
            true => consistent += 1,
            false => inconsistent += 1,
        }
    }
    assert!(
        consistent > 50 && inconsistent > 50,
        "{consistent} / {inconsistent}"
    );
}

#[test]
fn checking_key_by_key_gives_the_verdict_of_the_whole_check() {
    let mut rng = Gen(42);
    for _ in 0..300 {
        let history = random_kv(&mut rng, 14, 3);
        let by_key = history.check(&KvSpec::default(), Consistency::Linearizable);
        let whole = history.check(&Whole::default(), Consistency::Linearizable);
        assert_eq!(by_key.is_ok(), whole.is_ok(), "{history:?}");
        if let (Ok(parts), Ok(one)) = (by_key, whole) {
            assert!(parts.partitions >= one.partitions);
        }
    }
}

#[test]
fn the_smallest_part_found_is_itself_inconsistent() {
    let mut rng = Gen(7);
    let mut seen = 0;
    for _ in 0..200 {
        let history = random_kv(&mut rng, 10, 2);
        let Err(violation) = history.check(&KvSpec::default(), Consistency::Linearizable) else {
            continue;
        };
        seen += 1;
        let part: Vec<_> = violation
            .operations
            .iter()
            .filter_map(|&id| history.get(id).cloned())
            .collect();
        let sub = History::from_operations(part);
        assert!(
            sub.check(&KvSpec::default(), Consistency::Linearizable)
                .is_err()
        );
        assert!(violation.operations.len() <= history.len());
    }
    assert!(seen > 30, "{seen}");
}

// ---------------------------------------------------------------------------------------------
// Histories recorded by runs
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Debug)]
enum Msg {
    Put(u64, i64),
    Get(u64),
    Done,
    Refused,
    Value(Option<i64>),
}

/// A one-node key-value server; `refuse` refuses every write, `lose` acknowledges writes without
/// applying them (a lost write).
#[derive(Debug, Default)]
struct Server {
    map: std::collections::BTreeMap<u64, i64>,
    refuse: bool,
    lose: bool,
}

impl Node<Msg> for Server {
    fn on_message(&mut self, ctx: &mut Context<Msg>, from: NodeId, msg: Msg) {
        let answer = match msg {
            Msg::Put(_, _) if self.refuse => Msg::Refused,
            Msg::Put(key, value) => {
                if !self.lose {
                    self.map.insert(key, value);
                }
                Msg::Done
            }
            Msg::Get(key) => Msg::Value(self.map.get(&key).copied()),
            _ => return,
        };
        ctx.send(from, answer);
    }
}

/// Writes key 1, then reads it; records both.
#[derive(Debug, Default)]
struct Client {
    open: Option<OpId>,
    wrote: bool,
}

impl Node<Msg> for Client {
    fn on_start(&mut self, ctx: &mut Context<Msg>) {
        let value = ctx.randint(1, 9);
        self.open = Some(ctx.invoke(KvOp::<u64, i64>::Put(1, value)));
        ctx.send("server", Msg::Put(1, value));
    }

    fn on_message(&mut self, ctx: &mut Context<Msg>, _: NodeId, msg: Msg) {
        let Some(op) = self.open.take() else { return };
        match msg {
            Msg::Refused => ctx.fail(op),
            Msg::Done => ctx.complete(op, KvRet::<i64>::Ok),
            Msg::Value(v) => return ctx.complete(op, KvRet::Value(v)),
            _ => {}
        }
        if !self.wrote {
            self.wrote = true;
            self.open = Some(ctx.invoke(KvOp::<u64, i64>::Get(1)));
            ctx.send("server", Msg::Get(1));
        }
    }
}

#[derive(System, Debug, Default)]
struct Pair {
    server: Server,
    client: Client,
}

fn pair(refuse: bool, lose: bool) -> Scenario<Pair, Msg> {
    Scenario::new(move || Pair {
        server: Server {
            refuse,
            lose,
            ..Server::default()
        },
        client: Client::default(),
    })
    .linearizable(KvSpec::<u64, i64>::default())
}

#[test]
fn a_run_that_loses_an_acknowledged_write_fails_with_its_history_shown() {
    let report = pair(false, true).execute(&RunSettings::seeds(0..5));
    let failure = report
        .failure()
        .expect("the read misses the acknowledged write");
    assert_eq!(failure.kind(), FailureKind::Linearizability);
    assert_eq!(
        failure.detail(),
        "history of 2 operations not linearizable against `KvSpec<u64, i64>`"
    );
    let timeline = failure
        .sub_history()
        .expect("the history is shown")
        .to_string();
    assert!(
        timeline.contains("client") && timeline.contains("Get(1) → Value(None)"),
        "{timeline}"
    );
    assert!(
        failure.to_string().contains("client 📝 ▶ #0 Put(1, "),
        "{failure}"
    );
    // The same seed, the same verdict and sub-history, on one thread or two.
    let again = pair(false, true).execute(&RunSettings::seeds(0..5).jobs(2));
    let again = again.failure().expect("fails again");
    assert_eq!(
        (again.seed(), again.sub_history()),
        (failure.seed(), failure.sub_history())
    );
}

#[test]
fn a_refused_write_failed_by_the_client_is_left_out_and_a_correct_server_passes() {
    let refused = pair(true, false).execute(&RunSettings::seeds(0..20));
    assert!(refused.ok(), "{refused}");
    let correct = pair(false, false).execute(&RunSettings::seeds(0..20));
    assert!(correct.ok(), "{correct}");
}

#[test]
fn a_history_of_the_wrong_type_is_an_invalid_scenario_naming_both_types() {
    let scenario = Scenario::new(Pair::default).linearizable(Register::<i64>::default());
    let report = scenario.execute(&RunSettings::seeds(0..1));
    let failure = report.failure().expect("the types differ");
    assert_eq!(failure.kind(), FailureKind::InvalidScenario);
    assert!(
        failure.detail().contains("KvOp<u64, i64>"),
        "{}",
        failure.detail()
    );
    assert!(
        failure.detail().contains("RegisterOp<i64>"),
        "{}",
        failure.detail()
    );
}

#[test]
fn without_a_history_check_nothing_is_recorded() {
    let mut sim = Simulation::new(Pair::default());
    sim.run(100).expect("valid");
    assert!(sim.history::<KvOp<u64, i64>, KvRet<i64>>().is_none());
    let mut recorded = Simulation::new(Pair::default()).record_history();
    recorded.run(100).expect("valid");
    let history = recorded
        .history::<KvOp<u64, i64>, KvRet<i64>>()
        .expect("recorded")
        .expect("the types match");
    assert_eq!(history.len(), 2);
    assert!(
        history
            .operations()
            .iter()
            .all(|op| op.returned().is_some())
    );
}

#[musil::scenario(seeds = 0..10, history = linearizable(KvSpec::<u64, i64>::default()))]
fn the_attribute_checks_a_history() -> Pair {
    Pair::default()
}

#[musil::scenario(seeds = 0..3, history = linearizable(KvSpec::<u64, i64>::default()), should_fail = linearizability)]
fn the_attribute_finds_a_lost_write() -> Pair {
    Pair {
        server: Server {
            lose: true,
            ..Server::default()
        },
        client: Client::default(),
    }
}
