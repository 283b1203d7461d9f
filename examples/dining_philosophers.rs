//! Dining philosophers — deadlock, its classic fix, and what fairness does and does not buy.
//!
//! Three philosophers sit at a round table with one fork between each pair; philosopher `i`
//! needs fork `i` (left) and fork `i + 1 mod 3` (right) to eat, then puts both down. The
//! explicit-state checker explores every interleaving:
//!
//! 1. **Safety** ([`check`]): if everyone picks up the left fork first, all three can hold one
//!    fork and wait forever — a deadlock, found with the shortest trace (three steps).
//! 2. **The fix**: take the lower-numbered fork first (resource ordering, Dijkstra 1971). The
//!    cycle of waits is impossible and the check passes on the whole state space.
//! 3. **Liveness** (`Checker::liveness`): the fixed table never deadlocks, but does philosopher 0
//!    ever eat? Not without fairness (the others may eat forever), and *not even under weak
//!    fairness of every action*: philosopher 0 holds fork 0 while philosopher 1 keeps taking
//!    fork 1 back, so "P0 takes fork 1" is enabled only now and then, never continuously. Strong
//!    fairness rules that lasso out. What does hold, with no fairness at all, is that *someone*
//!    always eats again.
//!
//! Run it with `cargo run --example dining_philosophers`.

use musil::check::{
    Action, CheckReport, Fairness, Liveness, LivenessKind, LivenessReport, Model, ViolationKind,
};

/// The number of philosophers (and forks).
const N: usize = 3;

/// `forks[f]`: who holds fork `f`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Table {
    forks: [Option<usize>; N],
}

/// Philosopher `i` holds both forks.
fn eating(s: &Table, i: usize) -> bool {
    s.forks[i] == Some(i) && s.forks[(i + 1) % N] == Some(i)
}

fn p0_eats(s: &Table) -> bool {
    eating(s, 0)
}

fn someone_eats(s: &Table) -> bool {
    (0..N).any(|i| eating(s, i))
}

/// The table where philosopher `i` picks up the fork `order(i)` gives first, then the other:
/// actions `P{i}_take_f{first}`, `P{i}_take_f{second}`, `P{i}_release`.
fn table(order: fn(usize) -> (usize, usize)) -> Model<Table> {
    let actions = (0..N).flat_map(move |i| {
        let (first, second) = order(i);
        [
            Action::new(
                format!("P{i}_take_f{first}"),
                move |s: &Table| s.forks[first].is_none() && !s.forks.contains(&Some(i)),
                move |s: &Table| {
                    let mut next = s.clone();
                    next.forks[first] = Some(i);
                    next
                },
            ),
            Action::new(
                format!("P{i}_take_f{second}"),
                move |s: &Table| s.forks[first] == Some(i) && s.forks[second].is_none(),
                move |s: &Table| {
                    let mut next = s.clone();
                    next.forks[second] = Some(i);
                    next
                },
            ),
            Action::new(
                format!("P{i}_release"),
                move |s: &Table| eating(s, i),
                move |s: &Table| {
                    let mut next = s.clone();
                    next.forks[first] = None;
                    next.forks[second] = None;
                    next
                },
            ),
        ]
    });
    Model::new(Table { forks: [None; N] }).actions(actions)
}

/// Everyone takes the left fork first.
fn left_first(i: usize) -> (usize, usize) {
    (i, (i + 1) % N)
}

/// Everyone takes the lower-numbered fork first.
fn lowest_first(i: usize) -> (usize, usize) {
    let (left, right) = left_first(i);
    (left.min(right), left.max(right))
}

fn naive_table() -> Model<Table> {
    table(left_first)
}

fn ordered_table() -> Model<Table> {
    table(lowest_first)
}

fn action_names(model: &Model<Table>) -> Vec<String> {
    model
        .action_list()
        .iter()
        .map(|a| a.name().to_string())
        .collect()
}

/// Prints a report indented under a label.
fn show(label: &str, report: &dyn std::fmt::Display) {
    println!("  {label}");
    for line in report.to_string().lines() {
        println!("      {line}");
    }
    println!();
}

fn safety() -> (CheckReport<Table>, CheckReport<Table>) {
    println!("1. Safety: deadlock\n");
    let naive = naive_table().checker().check();
    show("Left fork first:", &naive);
    let ordered = ordered_table().checker().check();
    show("Lower-numbered fork first:", &ordered);
    (naive, ordered)
}

fn liveness(model: &Model<Table>) -> [LivenessReport<Table>; 4] {
    println!("2. Liveness on the ordered table\n");
    let p0 = Liveness::eventually("p0 eats", p0_eats);
    let run = |property: &Liveness<Table>| {
        model
            .checker()
            .liveness(property)
            .expect("the fairness names are the model's actions")
    };

    let unfair = run(&p0.clone().fairness(Fairness::None));
    show(
        "`p0 eats`, no fairness — the others may eat forever:",
        &unfair,
    );

    let weak = run(&p0.clone().weak_fair(action_names(model)));
    show(
        "`p0 eats`, weak fairness of EVERY action — still starves: P0 holds fork 0 while P1\n  \
         keeps re-taking fork 1, so `P0_take_f1` is enabled only on and off, never continuously:",
        &weak,
    );

    let strong = run(&p0.fairness(Fairness::Names {
        weak: Vec::new(),
        strong: action_names(model),
    }));
    show(
        "`p0 eats`, strong fairness of every action (enabled infinitely often => taken):",
        &strong,
    );

    let someone =
        run(&Liveness::always_eventually("someone eats", someone_eats).fairness(Fairness::None));
    show(
        "`someone eats` again and again, no fairness needed — no deadlock, and only eating frees forks:",
        &someone,
    );
    [unfair, weak, strong, someone]
}

fn main() {
    println!("Dining philosophers — {N} philosophers, {N} forks\n");

    let (naive, ordered) = safety();
    let deadlock = naive.violation().expect("left-first deadlocks");
    assert_eq!(deadlock.kind, ViolationKind::Deadlock);
    assert_eq!(
        deadlock.actions().len(),
        3,
        "each philosopher takes one fork"
    );
    assert_eq!(
        deadlock.state(),
        Some(&Table {
            forks: [Some(0), Some(1), Some(2)]
        })
    );
    ordered.assert_ok();

    let [unfair, weak, strong, someone] = liveness(&ordered_table());
    assert_eq!(unfair.kind(), Some(LivenessKind::FairCycle));
    assert_eq!(weak.kind(), Some(LivenessKind::FairCycle));
    let (_, cycle) = weak.actions();
    assert!(
        cycle.iter().all(|a| !a.starts_with("P0")),
        "P0 never moves in the lasso: {cycle:?}"
    );
    assert!(strong.ok(), "{strong}");
    assert!(someone.ok(), "{someone}");

    println!(
        "Dining philosophers: left-first deadlocks in {} steps; lowest-first is deadlock-free \
         ({} states, {} transitions); P0 eats only under strong fairness, someone always eats.",
        deadlock.actions().len(),
        ordered.states(),
        ordered.transitions()
    );
}
