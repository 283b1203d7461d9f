//! The model checker, held to WORKLOADS.md's exact counts and to the shapes of its answers:
//! shortest traces to invariant, edge-invariant and deadlock violations, truncation, fairness
//! that changes a verdict, lassos, queries over the explored graph, and open systems.

#[path = "../examples/bench/check_models.rs"]
mod models;

use std::fmt::Debug;
use std::hash::Hash;

use musil::check::{
    Action, Assumption, AssumptionStatus, CheckOptions, EnvironmentSpec, Fair, Fairness, Liveness,
    LivenessKind, LivenessReport, Model, ViolationKind,
};
use musil::prelude::*;

#[test]
fn dining_philosophers_have_exactly_the_reference_counts() {
    let table = [
        (2, 5, 6),
        (3, 12, 22),
        (4, 29, 72),
        (5, 70, 219),
        (6, 169, 638),
        (7, 408, 1_804),
    ];
    let more = [
        (8, 985, 4_992),
        (9, 2_378, 13_589),
        (10, 5_741, 36_518),
        (11, 13_860, 97_122),
        (12, 33_461, 256_104),
    ];
    for (n, states, transitions) in table.into_iter().chain(more) {
        let report = models::dining(n).checker().check();
        report.assert_ok();
        assert_eq!(
            (report.states(), report.transitions()),
            (states, transitions),
            "N = {n}"
        );
    }
}

#[test]
fn the_lost_update_counter_has_exactly_the_reference_counts() {
    let table = [
        (1, 3, 2),
        (2, 12, 14),
        (3, 59, 99),
        (4, 330, 740),
        (5, 2_027, 5_755),
        (6, 13_494, 46_590),
        (7, 96_679, 394_191),
    ];
    for (k, states, transitions) in table {
        let report = models::counter(k).checker().check();
        report.assert_ok();
        assert_eq!(
            (report.states(), report.transitions()),
            (states, transitions),
            "K = {k}"
        );
    }
}

#[test]
fn philosopher_zero_starves_under_weak_fairness_with_the_specified_lasso() {
    let model = models::dining(8);
    let report = p0_eats_with_every_action_weakly_fair(&model);
    assert_eq!(report.kind(), Some(LivenessKind::FairCycle), "{report}");
    let (stem, cycle) = report.actions();
    assert_eq!(stem, ["P0_take_f0"]);
    // P1 eats again and again; so do P3 and P5, whose first forks would otherwise stay free
    // (and their `take` enabled) all along the loop. P2, P4 and P6 lose a fork to a neighbour on
    // the way, which is all weak fairness asks for them.
    assert_eq!(
        cycle,
        [
            "P1_take_f1",
            "P1_take_f2",
            "P1_eat_release",
            "P3_take_f3",
            "P3_take_f4",
            "P3_eat_release",
            "P5_take_f5",
            "P5_take_f6",
            "P5_eat_release"
        ]
    );
    assert_fair_lasso(&model, &weak_fairness(&model), models::p0_eating, &report);
    assert_p1_alone_is_no_fair_loop(&model, &report);
    let text = report.to_string();
    assert_starving_p0_text(&text);
    // The same model always reports the same lasso.
    let again = p0_eats_with_every_action_weakly_fair(&model);
    assert_eq!(again.to_string(), text);
}

/// Whether philosopher 0 eventually eats, every action of `model` weakly fair.
fn p0_eats_with_every_action_weakly_fair(
    model: &Model<models::Table>,
) -> LivenessReport<models::Table> {
    let all = model.action_list().iter().map(|a| a.name().to_string());
    let property = Liveness::eventually("p0-eats", models::p0_eating).weak_fair(all);
    model.checker().liveness(&property).unwrap()
}

/// The shortest loop through the lasso's entry, P1 alone, is no fair run: four philosophers'
/// first `take` stays enabled along it and is never taken.
fn assert_p1_alone_is_no_fair_loop(
    model: &Model<models::Table>,
    report: &LivenessReport<models::Table>,
) {
    let entry = &report.cycle_steps()[0].state;
    assert_eq!(
        unfair_actions(
            model,
            &weak_fairness(model),
            entry,
            &["P1_take_f1", "P1_take_f2", "P1_eat_release"]
        ),
        ["P3_take_f3", "P4_take_f4", "P5_take_f5", "P6_take_f6"]
    );
}

/// The report of philosopher 0's starvation, as text: the verdict, the loop, the states.
fn assert_starving_p0_text(text: &str) {
    assert!(
        text.starts_with("LIVENESS VIOLATED: a fair cycle never reaches `p0-eats`\n  Init: "),
        "{text}"
    );
    assert!(
        text.contains("  --- loops forever ---\n  ↺ P1_take_f1: "),
        "{text}"
    );
    assert!(text.ends_with("(985 states explored)"), "{text}");
}

/// Every action of `model`, weakly fair.
fn weak_fairness<S: Clone + Eq + Hash + Debug + 'static>(model: &Model<S>) -> Fairness {
    let weak = model
        .action_list()
        .iter()
        .map(|a| a.name().to_string())
        .collect();
    Fairness::Names {
        weak,
        strong: Vec::new(),
    }
}

/// Whether `fairness` makes `action` weakly fair, and strongly fair.
fn fairness_of<S>(fairness: &Fairness, action: &Action<S>) -> (bool, bool) {
    match fairness {
        Fairness::Tags => (
            action.fairness() == Fair::Weak,
            action.fairness() == Fair::Strong,
        ),
        Fairness::Names { weak, strong } => {
            let name = action.name().to_string();
            (weak.contains(&name), strong.contains(&name))
        }
        Fairness::None => (false, false),
    }
}

/// The states a cycle of `actions` visits from `entry` (replayed on the model, each action
/// enabled where it is taken), ending back at `entry`.
fn replay<S: Clone + Eq + Hash + Debug + 'static>(
    model: &Model<S>,
    entry: &S,
    actions: &[&str],
) -> Vec<S> {
    let mut states = Vec::new();
    let mut at = entry.clone();
    for name in actions {
        let action = model.action_list().iter().find(|a| a.name() == *name);
        let action = action.unwrap_or_else(|| panic!("no action {name}"));
        assert!(action.enabled(&at), "{name} is not enabled in {at:?}");
        at = action.apply(&at);
        states.push(at.clone());
    }
    assert_eq!(&at, entry, "a cycle ends where it starts");
    states
}

/// The fair actions the cycle `actions` from `entry` treats unfairly, computed from the model
/// alone: weakly fair ones enabled in every state of the cycle, strongly fair ones enabled in
/// some state, and never taken on it (in action order).
fn unfair_actions<S: Clone + Eq + Hash + Debug + 'static>(
    model: &Model<S>,
    fairness: &Fairness,
    entry: &S,
    actions: &[&str],
) -> Vec<String> {
    let states = replay(model, entry, actions);
    let mut unfair = Vec::new();
    for action in model.action_list() {
        let (weak, strong) = fairness_of(fairness, action);
        let enabled = states.iter().filter(|s| action.enabled(s)).count();
        let due = (weak && enabled == states.len()) || (strong && enabled > 0);
        if due && !actions.contains(&action.name()) {
            unfair.push(action.name().to_string());
        }
    }
    unfair
}

/// `report` is a fair-cycle lasso of `model` under `fairness`: the stem ends where the cycle
/// starts, the cycle is a loop of the model's transitions that never meets `goal`, and it is a
/// fair run.
fn assert_fair_lasso<S: Clone + Eq + Hash + Debug + 'static>(
    model: &Model<S>,
    fairness: &Fairness,
    goal: impl Fn(&S) -> bool,
    report: &LivenessReport<S>,
) {
    assert_eq!(report.kind(), Some(LivenessKind::FairCycle), "{report}");
    let entry = &report.cycle_steps()[0].state;
    assert_eq!(
        report.stem().last().map(|s| &s.state),
        Some(entry),
        "{report}"
    );
    let (_, cycle) = report.actions();
    let states = replay(model, entry, &cycle);
    let shown: Vec<&S> = report.cycle_steps()[1..].iter().map(|s| &s.state).collect();
    assert_eq!(shown, states.iter().collect::<Vec<_>>(), "{report}");
    assert!(
        !states.iter().any(goal),
        "the cycle meets the goal: {report}"
    );
    let unfair = unfair_actions(model, fairness, entry, &cycle);
    assert!(unfair.is_empty(), "unfair to {unfair:?}: {report}");
}

/// The actions of `model` whose name passes `keep`.
fn names_where<S: Clone + Eq + Hash + Debug + 'static>(
    model: &Model<S>,
    keep: impl Fn(&str) -> bool,
) -> Vec<String> {
    let names = model.action_list().iter().map(|a| a.name().to_string());
    names.filter(|name| keep(name)).collect()
}

/// Fairness settings for the dining table: none, every action weakly fair, P1 strongly and the
/// rest weakly, taking weakly and eating strongly, and P0 and P2 strongly.
fn dining_fairness(model: &Model<models::Table>) -> Vec<Fairness> {
    let named = |weak: &dyn Fn(&str) -> bool, strong: &dyn Fn(&str) -> bool| Fairness::Names {
        weak: names_where(model, weak),
        strong: names_where(model, strong),
    };
    vec![
        Fairness::None,
        weak_fairness(model),
        named(&|a| !a.starts_with("P1"), &|a| a.starts_with("P1")),
        named(&|a| a.contains("take"), &|a| a.contains("eat")),
        named(&|_| false, &|a| a.starts_with("P0") || a.starts_with("P2")),
    ]
}

#[test]
fn every_lasso_of_these_models_is_a_fair_run() {
    let holds_fork_zero =
        |t: &models::Table| format!("{t:?}").starts_with("Table { forks: [Some(0)");
    for n in 4..=9 {
        let model = models::dining(n);
        for fairness in dining_fairness(&model) {
            for property in [
                Liveness::eventually("p0-eats", models::p0_eating),
                Liveness::always_eventually("p0-eats", models::p0_eating),
                Liveness::leads_to("p0-eats", holds_fork_zero, models::p0_eating),
            ] {
                let report = model
                    .checker()
                    .liveness(&property.fairness(fairness.clone()))
                    .unwrap();
                assert_fair_lasso(&model, &fairness, models::p0_eating, &report);
            }
        }
    }
    let three = |n: &u8| *n == 3;
    let counting = counting(Action::new("inc", |n| *n < 3, |n| n + 1));
    let report = counting
        .checker()
        .liveness(&Liveness::eventually("three", three))
        .unwrap();
    assert_fair_lasso(&counting, &Fairness::Tags, three, &report);
    let light = weak_fairness(&traffic_light());
    let gone = Liveness::eventually("gone", |s: &(bool, bool)| s.1).fairness(light.clone());
    let report = traffic_light().checker().liveness(&gone).unwrap();
    assert_fair_lasso(&traffic_light(), &light, |s| s.1, &report);
    for model in [
        finish_unless_at_two(),
        detour_from_one(Action::new("s", |n| *n == 1, |_| 2).strong()),
    ] {
        let report = model
            .checker()
            .liveness(&Liveness::eventually("done", three))
            .unwrap();
        assert_fair_lasso(&model, &Fairness::Tags, three, &report);
    }
}

#[test]
fn someone_always_eats_again_on_the_ordered_table() {
    let report = models::dining(7)
        .checker()
        .liveness(
            &Liveness::always_eventually("someone-eats", models::someone_eating)
                .fairness(Fairness::None),
        )
        .unwrap();
    assert!(report.ok(), "{report}");
    assert_eq!((report.states(), report.transitions()), (408, 1_804));
}

/// The naive table: every philosopher takes the left fork first.
fn naive_table(n: usize) -> Model<Vec<Option<usize>>> {
    let actions = (0..n).flat_map(|i| {
        let (left, right) = (i, (i + 1) % n);
        [
            Action::new(
                format!("P{i}_take_left"),
                move |s: &Vec<Option<usize>>| s[left].is_none() && !s.contains(&Some(i)),
                move |s| {
                    let mut next = s.clone();
                    next[left] = Some(i);
                    next
                },
            ),
            Action::new(
                format!("P{i}_take_right"),
                move |s: &Vec<Option<usize>>| s[left] == Some(i) && s[right].is_none(),
                move |s| {
                    let mut next = s.clone();
                    next[right] = Some(i);
                    next
                },
            ),
            Action::new(
                format!("P{i}_eat_release"),
                move |s: &Vec<Option<usize>>| s[left] == Some(i) && s[right] == Some(i),
                move |s| {
                    let mut next = s.clone();
                    next[left] = None;
                    next[right] = None;
                    next
                },
            ),
        ]
    });
    Model::new(vec![None; n]).actions(actions)
}

#[test]
fn a_deadlock_comes_back_with_the_shortest_trace() {
    let report = naive_table(3).checker().check();
    let violation = report.violation().expect("everyone holds a left fork");
    assert_eq!(violation.kind, ViolationKind::Deadlock);
    assert_eq!(
        violation.actions(),
        ["P0_take_left", "P1_take_left", "P2_take_left"]
    );
    assert_eq!(violation.state(), Some(&vec![Some(0), Some(1), Some(2)]));
    assert!(report.to_string().starts_with("DEADLOCK: no action is enabled and the state is not terminal\n  Init: [None, None, None]\n  → P0_take_left: "));
}

#[test]
fn an_invariant_violation_comes_back_with_the_shortest_trace_and_its_reason() {
    let model = models::counter(2).invariant("no lost update", |s| {
        let text = format!("{s:?}");
        if text.contains("done: [true, true]") && text.contains("x: 1,") {
            Err("two writes, x = 1")
        } else {
            Ok(())
        }
    });
    let violation = model
        .checker()
        .check()
        .violation()
        .cloned()
        .expect("the lost update");
    assert_eq!(
        violation.actions(),
        ["A0_read", "A1_read", "A0_write", "A1_write"]
    );
    assert_eq!(
        violation.kind,
        ViolationKind::Invariant {
            name: "no lost update".into(),
            reason: Some("two writes, x = 1".into())
        }
    );
}

#[test]
fn an_edge_invariant_violation_ends_with_the_offending_step() {
    let model = models::counter(3).edge_invariant("x never decreases", |before, _action, after| {
        let x = |s: &models::Counter| {
            format!("{s:?}")
                .split("x: ")
                .nth(1)
                .and_then(|r| r.split(',').next()?.parse::<u8>().ok())
        };
        x(after) >= x(before)
    });
    let violation = model
        .checker()
        .check()
        .violation()
        .cloned()
        .expect("x can go down");
    assert!(
        matches!(violation.kind, ViolationKind::EdgeInvariant { ref name, .. } if name == "x never decreases")
    );
    assert_eq!(
        violation.trace.len(),
        7,
        "six steps: two reads, a write, a read and a write, then the stale write"
    );
    assert!(
        violation
            .actions()
            .last()
            .is_some_and(|a| a.ends_with("_write"))
    );
}

#[test]
fn check_all_reports_the_first_violation_of_each_invariant() {
    let model = naive_table(2)
        .invariant("p0 never eats", |s: &Vec<Option<usize>>| {
            s != &vec![Some(0), Some(0)]
        })
        .invariant("p1 never eats", |s: &Vec<Option<usize>>| {
            s != &vec![Some(1), Some(1)]
        });
    let report = model.checker().check_all();
    let kinds: Vec<String> = report
        .violations()
        .iter()
        .map(|v| format!("{:?}", v.kind))
        .collect();
    assert_eq!(report.violations().len(), 3, "{kinds:?}");
    assert!(report.violations().iter().all(|v| v.trace.len() <= 3));
}

#[test]
fn max_states_truncation_is_reported_and_refused_by_assert_ok() {
    let report = models::dining(6)
        .checker()
        .options(CheckOptions {
            max_states: 10,
            ..CheckOptions::default()
        })
        .check();
    assert!(report.ok() && report.truncated());
    assert_eq!(report.states(), 10);
    assert!(report.to_string().contains("TRUNCATED at max_states = 10"));
    assert!(std::panic::catch_unwind(|| report.assert_ok()).is_err());
    report.assert_ok_or_truncated();
}

/// `inc` counts to 3; `idle` does nothing, forever if it likes.
fn counting(inc: Action<u8>) -> Model<u8> {
    Model::new(0u8)
        .action(inc)
        .action(Action::new("idle", |_| true, |n| *n))
}

#[test]
fn weak_fairness_changes_the_verdict() {
    let unfair = counting(Action::new("inc", |n| *n < 3, |n| n + 1));
    let report = unfair
        .checker()
        .liveness(&Liveness::eventually("three", |n| *n == 3))
        .unwrap();
    assert_eq!(report.kind(), Some(LivenessKind::FairCycle));
    // The first component to complete is the one furthest downstream: idling at 2.
    assert_eq!(report.actions(), (vec!["inc", "inc"], vec!["idle"]));
    let fair = counting(Action::new("inc", |n| *n < 3, |n| n + 1).weak());
    assert!(
        fair.checker()
            .liveness(&Liveness::eventually("three", |n| *n == 3))
            .unwrap()
            .ok()
    );
}

/// A light flips between red and green (`.0`); `go` is enabled only on green and ends it all
/// (`.1`).
fn traffic_light() -> Model<(bool, bool)> {
    Model::new((false, false))
        .action(Action::new(
            "flip",
            |s: &(bool, bool)| !s.1,
            |s| (!s.0, s.1),
        ))
        .action(Action::new(
            "go",
            |s: &(bool, bool)| s.0 && !s.1,
            |s| (s.0, true),
        ))
}

#[test]
fn strong_fairness_is_needed_where_the_action_is_only_sometimes_enabled() {
    let gone = Liveness::eventually("gone", |s: &(bool, bool)| s.1);
    let weak = traffic_light()
        .checker()
        .liveness(&gone.clone().weak_fair(["flip", "go"]))
        .unwrap();
    assert_eq!(
        weak.kind(),
        Some(LivenessKind::FairCycle),
        "weak fairness allows flipping forever"
    );
    let strong = gone.fairness(Fairness::Names {
        weak: vec!["flip".into()],
        strong: vec!["go".into()],
    });
    assert!(traffic_light().checker().liveness(&strong).unwrap().ok());
}

/// `spin` idles at 0, `a`, `b`, `c` go round 0 → 1 → 2 → 0, and the weakly fair `w` finishes
/// (at 3) from 0 or 1, not from 2.
fn finish_unless_at_two() -> Model<u8> {
    Model::new(0u8)
        .action(Action::new("spin", |n| *n == 0, |_| 0))
        .action(Action::new("a", |n| *n == 0, |_| 1))
        .action(Action::new("b", |n| *n == 1, |_| 2))
        .action(Action::new("c", |n| *n == 2, |_| 0))
        .action(Action::new("w", |n| *n < 2, |_| 3).weak())
        .terminal(|n| *n == 3)
}

#[test]
fn a_weakly_fair_action_the_shortest_loop_always_enables_sends_the_cycle_where_it_is_disabled() {
    let model = finish_unless_at_two();
    let report = model
        .checker()
        .liveness(&Liveness::eventually("done", |n| *n == 3))
        .unwrap();
    // Spinning at 0 alone would leave `w` enabled forever; `w` only leaves the component, so the
    // cycle goes round to 2, where it is disabled.
    assert_eq!(
        unfair_actions(&model, &Fairness::Tags, &0, &["spin"]),
        ["w"]
    );
    assert_eq!(report.actions(), (vec![], vec!["spin", "a", "b", "c"]));
    assert_fair_lasso(&model, &Fairness::Tags, |n| *n == 3, &report);
}

/// `a` and `b` go 0 → 1 → 0; `s` goes 1 → 2 and `c` 2 → 0; `finish` (unfair) ends at 3.
fn detour_from_one(s: Action<u8>) -> Model<u8> {
    Model::new(0u8)
        .action(Action::new("a", |n| *n == 0, |_| 1))
        .action(Action::new("b", |n| *n == 1, |_| 0))
        .action(s)
        .action(Action::new("c", |n| *n == 2, |_| 0))
        .action(Action::new("finish", |n| *n == 0, |_| 3))
        .terminal(|n| *n == 3)
}

#[test]
fn a_strongly_fair_action_the_shortest_loop_enables_is_taken_on_the_cycle() {
    let done = Liveness::eventually("done", |n: &u8| *n == 3);
    let s = || Action::new("s", |n: &u8| *n == 1, |_| 2);
    let strong = detour_from_one(s().strong());
    let report = strong.checker().liveness(&done).unwrap();
    assert_eq!(
        unfair_actions(&strong, &Fairness::Tags, &0, &["a", "b"]),
        ["s"]
    );
    assert_eq!(report.actions(), (vec![], vec!["a", "b", "a", "s", "c"]));
    assert_fair_lasso(&strong, &Fairness::Tags, |n| *n == 3, &report);
    // Weak fairness asks nothing of `s`, which is disabled at 0: the shortest loop is fair.
    let weak = detour_from_one(s().weak());
    let report = weak.checker().liveness(&done).unwrap();
    assert_eq!(report.actions(), (vec![], vec!["a", "b"]));
    assert_fair_lasso(&weak, &Fairness::Tags, |n| *n == 3, &report);
    // Named both weakly and strongly fair, `s` is held to the stronger of the two.
    let both = Fairness::Names {
        weak: vec!["s".into()],
        strong: vec!["s".into()],
    };
    let report = weak
        .checker()
        .liveness(&done.clone().fairness(both.clone()))
        .unwrap();
    assert_eq!(report.actions(), (vec![], vec!["a", "b", "a", "s", "c"]));
    assert_fair_lasso(&weak, &both, |n| *n == 3, &report);
}

#[test]
fn a_goal_unreachable_from_some_state_is_its_own_verdict() {
    let model = Model::new(0u8)
        .action(Action::new("good", |n| *n == 0, |_| 1))
        .action(Action::new("bad", |n| *n == 0, |_| 2))
        .terminal(|n| *n > 0);
    let report = model
        .checker()
        .liveness(&Liveness::eventually("one", |n| *n == 1))
        .unwrap();
    assert_eq!(report.kind(), Some(LivenessKind::GoalUnreachable));
    assert_eq!(report.actions().0, ["bad"]);
    assert!(
        report
            .to_string()
            .starts_with("LIVENESS VIOLATED: `one` is unreachable from a reachable state")
    );
}

#[test]
fn leads_to_is_checked_from_every_trigger() {
    // A request (1) is granted (2) unless the server drops it (3), after which nothing happens.
    let model = Model::new(0u8)
        .action(Action::new("request", |n| *n == 0, |_| 1).weak())
        .action(Action::new("grant", |n| *n == 1, |_| 2).weak())
        .action(Action::new("drop", |n| *n == 1, |_| 3))
        .action(Action::new("reset", |n| *n == 2, |_| 0).weak())
        .terminal(|n| *n == 3);
    let report = model
        .checker()
        .liveness(&Liveness::leads_to("granted", |n| *n == 1, |n| *n == 2))
        .unwrap();
    assert_eq!(report.kind(), Some(LivenessKind::GoalUnreachable));
    assert_eq!(report.actions().0, ["request", "drop"]);
}

#[test]
fn unknown_fairness_names_and_truncated_graphs_give_no_verdict() {
    let model = counting(Action::new("inc", |n| *n < 3, |n| n + 1));
    let error = model
        .checker()
        .liveness(&Liveness::eventually("three", |n| *n == 3).weak_fair(["nope"]))
        .unwrap_err();
    assert_eq!(error.unknown, ["nope"]);
    assert_eq!(error.known, ["inc", "idle"]);
    let cut = models::dining(6)
        .checker()
        .options(CheckOptions {
            max_states: 20,
            ..CheckOptions::default()
        })
        .liveness(&Liveness::eventually("p0", models::p0_eating))
        .unwrap();
    assert!(
        cut.inconclusive() && !cut.ok() && cut.kind().is_none(),
        "{cut}"
    );
    assert!(cut.to_string().starts_with("INCONCLUSIVE"));
}

#[test]
fn the_explored_graph_answers_reachability_questions() {
    let graph = models::dining(4).checker().explore();
    assert_eq!((graph.len(), graph.transitions()), (29, 72));
    assert!(graph.reaches(models::p0_eating));
    let path = graph.path_to(models::p0_eating).expect("P0 can eat");
    let actions: Vec<&str> = path.iter().filter_map(|s| s.action.as_deref()).collect();
    assert_eq!(actions, ["P0_take_f0", "P0_take_f1"]);
    assert_eq!(
        graph.witness(models::p0_eating),
        path.last().map(|s| &s.state)
    );
    assert!(!graph.reaches(|s| format!("{s:?}").contains("Some(9)")));
}

/// A counter of deployed replicas, registered invariant included.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Replicas {
    running: u8,
    desired: u8,
}

#[invariant]
fn never_more_than_desired(r: &Replicas) -> bool {
    r.running <= r.desired
}

fn deployment() -> Model<Replicas> {
    Model::new(Replicas {
        running: 0,
        desired: 2,
    })
    .action(Action::new(
        "scale_up",
        |r: &Replicas| r.running < r.desired,
        |r| Replicas {
            running: r.running + 1,
            ..*r
        },
    ))
    .edge_invariant("one at a time", |a: &Replicas, _, b: &Replicas| {
        b.running.abs_diff(a.running) <= 1
    })
    .terminal(|r| r.running == r.desired)
}

#[test]
fn registered_invariants_apply_to_model_states() {
    let model = deployment().action(Action::new(
        "overshoot",
        |r: &Replicas| r.running == 2,
        |r| Replicas { running: 3, ..*r },
    ));
    let violation = model
        .checker()
        .check()
        .violation()
        .cloned()
        .expect("overshooting breaks the registered invariant");
    assert_eq!(
        violation.kind,
        ViolationKind::Invariant {
            name: "never_more_than_desired".into(),
            reason: None
        }
    );
}

#[test]
fn an_open_system_keeps_its_own_checks_and_lists_its_residual_assumptions() {
    let platform = EnvironmentSpec::new("k8s")
        .behaviour(
            "evict",
            |r: &Replicas| r.running > 0,
            |r| Replicas {
                running: r.running - 1,
                ..*r
            },
        )
        .behaviour(
            "mass_evict",
            |r: &Replicas| r.running == 2,
            |r| Replicas { running: 0, ..*r },
        )
        .guarantee("never below one after start", |r: &Replicas| {
            r.running >= 1 || r.desired == 2
        })
        .assumption(
            Assumption::new("k8s:eviction-rate-bounded", "evictions are rare").source("k8s docs"),
        )
        .assumption(Assumption::new("hw", "hardware works").status(AssumptionStatus::Axiom))
        .assumption(
            Assumption::new("api", "the API is correct").status(AssumptionStatus::Verified),
        );
    let open = deployment().checker().open(&[platform]);
    let violation = open
        .report
        .violation()
        .expect("mass eviction breaks the system's own edge invariant");
    assert!(
        matches!(violation.kind, ViolationKind::EdgeInvariant { ref name, .. } if name == "one at a time")
    );
    assert_eq!(
        violation.actions(),
        ["scale_up", "scale_up", "k8s:mass_evict"]
    );
    let names: Vec<&str> = open.residual.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["k8s:eviction-rate-bounded", "hw"]);
    let text = open.to_string();
    assert!(text.contains("Residual assumptions (not verified: the result rests on them):\n  [unverified] k8s:eviction-rate-bounded: evictions are rare  [k8s docs]\n  [axiom] hw: hardware works"), "{text}");
}

#[test]
fn a_parallel_search_gives_the_serial_report() {
    let parallel = CheckOptions {
        threads: 3,
        ..CheckOptions::default()
    };
    let passing = models::dining(9);
    let (one, three) = (
        passing.checker().check(),
        passing.checker().options(parallel).check(),
    );
    assert_eq!(
        (three.states(), three.transitions()),
        (one.states(), one.transitions())
    );
    assert_eq!((three.states(), three.transitions()), (2_378, 13_589));
    // A violation deep enough to be found in a level of several chunks.
    let failing = models::dining(10).invariant("p0 and p5 never eat together", |t| {
        let text = format!("{t:?}");
        !text.starts_with("Table { forks: [Some(0), Some(0), None, None, None, Some(5), Some(5)")
    });
    let (one, three) = (
        failing.checker().check(),
        failing.checker().options(parallel).check(),
    );
    assert!(!one.ok());
    assert_eq!(
        three.to_string(),
        one.to_string(),
        "same states counted, same shortest trace"
    );
    assert_eq!(
        one.violation().map(|v| v.trace.len()),
        Some(5),
        "four steps: two takes for each"
    );
}

const TABLE: [u8; 4] = [1, 2, 3, 4];

#[test]
fn a_violating_state_is_not_expanded_so_its_actions_may_assume_the_invariant() {
    // `next` indexes the table; it is only meaningful while `in_table` holds.
    let model = Model::new(0u8)
        .action(Action::new("next", |_| true, |n| TABLE[*n as usize]))
        .invariant("in_table", |n| (*n as usize) < TABLE.len());
    let report = model.checker().check();
    let violation = report.violation().expect("4 is outside the table");
    assert_eq!(violation.actions(), ["next"; 4]);
}

/// A wide first level: 3,000 initial states, one of which panics when expanded.
fn wide(panic_at: u16, violation_at: Option<u16>) -> Model<u16> {
    let mut model = Model::new(0u16);
    for i in 1..3_000 {
        model = model.init(i);
    }
    model
        .action(Action::new(
            "step",
            |n| *n < 10_000,
            move |n| {
                assert!(*n != panic_at, "user code panicked at {n}");
                n + 10_000
            },
        ))
        .invariant("not the bad one", move |n| Some(*n) != violation_at)
        .terminal(|n| *n >= 10_000)
}

#[test]
fn a_panic_in_a_parallel_search_is_raised_not_hung() {
    let parallel = CheckOptions {
        threads: 3,
        ..CheckOptions::default()
    };
    let outcome =
        std::panic::catch_unwind(|| wide(2_500, None).checker().options(parallel).check());
    let message = outcome.expect_err("the panic must reach the caller");
    let text = message
        .downcast_ref::<String>()
        .cloned()
        .unwrap_or_default();
    assert!(text.contains("user code panicked at 2500"), "{text}");
}

#[test]
fn a_parallel_search_stops_where_the_serial_one_does_even_before_a_panic() {
    // The violation (state 5) comes before the panicking state (2,500) in breadth-first order.
    let serial = wide(2_500, Some(5)).checker().check();
    let parallel = wide(2_500, Some(5))
        .checker()
        .options(CheckOptions {
            threads: 3,
            ..CheckOptions::default()
        })
        .check();
    assert_eq!(parallel.to_string(), serial.to_string());
    assert!(serial.violation().is_some());
}

#[test]
fn a_state_violation_beats_a_longer_edge_violation_found_earlier_in_its_level() {
    let model = Model::new(0u8)
        .init(1)
        .action(Action::new("go", |n| *n < 2, |n| n + 10))
        .invariant("not one", |n| *n != 1)
        .edge_invariant("not from zero", |from: &u8, _, _| *from != 0)
        .terminal(|n| *n >= 10);
    let violation = model
        .checker()
        .check()
        .violation()
        .cloned()
        .expect("1 is bad");
    assert_eq!(
        violation.kind,
        ViolationKind::Invariant {
            name: "not one".into(),
            reason: None
        }
    );
    assert_eq!(violation.trace.len(), 1, "no step needed");
}

#[test]
fn strong_fairness_refines_many_components_at_scale() {
    // 20,001 states, each its own component (an `idle` self-loop), each refined away because the
    // strongly fair `inc` is enabled there and never taken inside.
    let model = Model::new(0u16)
        .action(Action::new("inc", |n| *n < 20_000, |n| n + 1).strong())
        .action(Action::new("idle", |_| true, |n| *n));
    let report = model
        .checker()
        .liveness(&Liveness::eventually("top", |n| *n == 20_000))
        .unwrap();
    assert!(report.ok(), "{report}");
    assert_eq!(report.states(), 20_001);
}
