//! The breadth-first checker gives the same report on any number of threads: same states and
//! transitions counted, same truncation point, same violations with the same shortest traces,
//! for `check` and `check_all` — including when the search stops or is truncated in the middle
//! of a level that several threads expand, and when user code panics past that point.

use musil::check::{Action, CheckOptions, CheckReport, Model};

/// Six dials from 0 to 4, turned up one at a time, the first two swappable: 15,625 states; level
/// `k` holds the states whose dials sum to `k`, up to 1,751 of them (level 12), with many
/// duplicate successors (the same turns in other orders).
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
struct Dials([u8; 6]);

/// No action is enabled in these states of the failing dials (the first at level 13): deadlocks.
fn stuck(d: &Dials) -> bool {
    d.0[0] == 4 && d.0[2..5] == [4, 1, 4]
}

/// The dials; with `deadlocks`, no action is enabled in the states [`stuck`] picks.
fn dials(deadlocks: bool) -> Model<Dials> {
    let live = move |d: &Dials| !(deadlocks && stuck(d));
    let turns = (0..6).map(move |i| {
        Action::new(
            format!("turn{i}"),
            move |d: &Dials| d.0[i] < 4 && live(d),
            move |d: &Dials| {
                let mut next = d.clone();
                next.0[i] += 1;
                next
            },
        )
    });
    Model::new(Dials([0; 6]))
        .actions(turns)
        .action(Action::new(
            "swap",
            move |d: &Dials| d.0[0] != d.0[1] && live(d),
            |d: &Dials| {
                let mut next = d.clone();
                next.0.swap(0, 1);
                next
            },
        ))
        .terminal(|d: &Dials| d.0 == [4; 6])
}

/// The dials with deadlocks and two invariants that first fail in level 12 (the widest), and
/// with `edge`, an edge invariant that first fails on steps out of level 10.
fn failing_dials(edge: bool) -> Model<Dials> {
    let model = dials(true)
        .invariant("no 4-4-0-4 start", |d: &Dials| d.0[..4] != [4, 4, 0, 4])
        .invariant("no 3-3-3-3 end", |d: &Dials| d.0[2..] != [3, 3, 3, 3]);
    if !edge {
        return model;
    }
    model.edge_invariant(
        "no turn5 onto 4 after 4-3",
        |_: &Dials, a: &str, to: &Dials| !(a == "turn5" && to.0[5] == 4 && to.0[..2] == [4, 3]),
    )
}

/// A first level of 9,000 states (71 chunks, more than the ring holds), each with two
/// successors; the invariant fails at state `bad`, and expanding state `boom` panics.
fn wide(bad: Option<u32>, boom: Option<u32>) -> Model<u32> {
    let mut model = Model::new(0u32);
    for i in 1..9_000 {
        model = model.init(i);
    }
    model
        .action(Action::new(
            "up",
            |n: &u32| *n < 100_000,
            |n: &u32| n + 100_000,
        ))
        .action(Action::new(
            "half",
            |n: &u32| *n < 100_000,
            move |n: &u32| {
                assert!(Some(*n) != boom, "user code panicked at {n}");
                200_000 + n / 2
            },
        ))
        .invariant("not the bad one", move |n: &u32| Some(*n) != bad)
        .terminal(|n: &u32| *n >= 100_000)
}

/// Everything a report says: its text (violations with traces, counts, truncation).
fn said<S: std::fmt::Debug>(report: &CheckReport<S>) -> String {
    format!("{report} / truncated: {}", report.truncated())
}

/// A short digest of a report's text, to pin it (FNV-1a).
fn digest(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

fn run<S>(model: &Model<S>, threads: usize, max_states: usize, all: bool) -> String
where
    S: Clone + Eq + std::hash::Hash + std::fmt::Debug + Send + Sync + 'static,
{
    let options = CheckOptions {
        threads,
        max_states,
    };
    let checker = model.checker().options(options);
    said(&if all {
        checker.check_all()
    } else {
        checker.check()
    })
}

/// Checks that 2, 3 and 4 threads say what one thread says, and returns that.
fn same_on_every_thread_count<S>(model: &Model<S>, max_states: usize, all: bool) -> String
where
    S: Clone + Eq + std::hash::Hash + std::fmt::Debug + Send + Sync + 'static,
{
    let serial = run(model, 1, max_states, all);
    for threads in 2..=4 {
        assert_eq!(
            run(model, threads, max_states, all),
            serial,
            "{threads} threads, max_states {max_states}, all: {all}"
        );
    }
    serial
}

/// Cuts in the middle of levels 0, 4, 7, 11, 12 and 13 (the numbering of a level's states
/// happens while the level before is merged), and no cut.
const CUTS: [usize; 7] = [1, 130, 1_000, 5_555, 8_000, 9_001, usize::MAX];

/// The digests of `model`'s reports at every cut, checked the same on every thread count.
fn digests<S>(model: &Model<S>, all: bool) -> Vec<u64>
where
    S: Clone + Eq + std::hash::Hash + std::fmt::Debug + Send + Sync + 'static,
{
    CUTS.iter()
        .map(|&cut| digest(&same_on_every_thread_count(model, cut, all)))
        .collect()
}

#[test]
fn a_passing_model_reports_the_same_on_every_thread_count_and_cut() {
    assert_eq!(digests(&dials(false), false), PASSING);
    let whole = run(&dials(false), 3, usize::MAX, true);
    assert!(whole.starts_with("OK — 15625 states"), "{whole}");
}

#[test]
fn violations_mid_level_are_the_same_on_every_thread_count_and_cut() {
    let found = [
        digests(&failing_dials(false), false),
        digests(&failing_dials(false), true),
        digests(&failing_dials(true), false),
        digests(&failing_dials(true), true),
    ];
    assert_eq!(
        found,
        [FAILING, FAILING_ALL, FAILING_EDGE, FAILING_EDGE_ALL]
    );
    let all = run(&failing_dials(true), 2, usize::MAX, true);
    for violated in ["4-4-0-4", "3-3-3-3", "turn5 onto 4", "DEADLOCK"] {
        assert!(all.contains(violated), "{violated}: {all}");
    }
}

#[test]
fn a_wide_level_stops_where_the_serial_search_does() {
    for bad in [Some(4_321), Some(8_999), None] {
        let model = wide(bad, None);
        for cut in [2_000, 9_000, 13_000, usize::MAX] {
            for all in [false, true] {
                same_on_every_thread_count(&model, cut, all);
            }
        }
    }
    let stopped = run(&wide(Some(4_321), None), 4, usize::MAX, false);
    assert!(
        stopped.contains("(15482 states, 8642 transitions"),
        "{stopped}"
    );
    let cut = run(&wide(None, None), 4, 13_000, false);
    assert!(cut.contains("OK — 13000 states, 5334 transitions"), "{cut}");
}

#[test]
fn a_panic_past_the_stop_or_the_cut_is_never_raised() {
    // The violation (state 5) and the cut (during state 3,000's successors) come before the
    // panicking state 8,500, further on in the same level (chunk 66).
    for threads in 1..=4 {
        let stopped = run(&wide(Some(5), Some(8_500)), threads, usize::MAX, false);
        assert!(stopped.contains("not the bad one"), "{stopped}");
        let cut = run(&wide(None, Some(8_500)), threads, 15_000, true);
        assert!(cut.contains("TRUNCATED"), "{cut}");
    }
}

#[test]
fn a_panic_that_comes_due_is_raised_on_every_thread_count() {
    for threads in 1..=4 {
        let outcome =
            std::panic::catch_unwind(|| run(&wide(None, Some(8_500)), threads, usize::MAX, true));
        let panic = outcome.expect_err("the panic must reach the caller");
        let text = panic.downcast_ref::<String>().cloned().unwrap_or_default();
        assert!(
            text.contains("user code panicked at 8500"),
            "{threads} threads: {text}"
        );
    }
}

/// A state whose drop panics from `FUSE` up (not while the thread unwinds already).
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
struct Bomb(u32);

/// The `half` successors of the first level, and up.
const FUSE: u32 = 200_000;

impl Drop for Bomb {
    fn drop(&mut self) {
        if self.0 >= FUSE && !std::thread::panicking() {
            panic!("dropped a bomb");
        }
    }
}

/// [`wide`] with states that panic when a `half` successor is dropped.
fn wide_bombs() -> Model<Bomb> {
    let mut model = Model::new(Bomb(0));
    for i in 1..9_000 {
        model = model.init(Bomb(i));
    }
    let below = |b: &Bomb| b.0 < 100_000;
    model
        .action(Action::new("up", below, |b: &Bomb| Bomb(b.0 + 100_000)))
        .action(Action::new("half", below, |b: &Bomb| Bomb(FUSE + b.0 / 2)))
        .terminal(|b: &Bomb| b.0 >= 100_000)
}

#[test]
fn a_panic_outside_user_callbacks_reaches_the_caller_on_every_thread_count() {
    // The merge drops a chunk's duplicate successors (`half` of 2k and 2k + 1), on the calling
    // thread, while the other threads are in the middle of the level: they must stop, and the
    // panic reach the caller.
    for threads in 1..=4 {
        let outcome = std::panic::catch_unwind(|| run(&wide_bombs(), threads, usize::MAX, true));
        let panic = outcome.expect_err("the panic must reach the caller");
        let text = panic.downcast_ref::<&str>().copied().unwrap_or_default();
        assert_eq!(text, "dropped a bomb", "{threads} threads");
    }
}

/// Digests of the reports of the search as it was before it ran on several threads (one per
/// cut of `CUTS`).
const PASSING: [u64; 7] = [
    9215920571367537880,
    1117859927207681662,
    1872215662013108070,
    17401813644495735534,
    8995124874249491672,
    6319932822477706370,
    2463818862616892105,
];
const FAILING: [u64; 7] = [
    9215920571367537880,
    1117859927207681662,
    1872215662013108070,
    17401813644495735534,
    8995124874249491672,
    11180394291639949127,
    11180394291639949127,
];
const FAILING_ALL: [u64; 7] = [
    9215920571367537880,
    1117859927207681662,
    1872215662013108070,
    17401813644495735534,
    8995124874249491672,
    510398457192536179,
    3827205273691266096,
];
const FAILING_EDGE: [u64; 7] = [
    9215920571367537880,
    1117859927207681662,
    1872215662013108070,
    17401813644495735534,
    8282738799203326985,
    8282738799203326985,
    8282738799203326985,
];
const FAILING_EDGE_ALL: [u64; 7] = [
    9215920571367537880,
    1117859927207681662,
    1872215662013108070,
    12542365187208374629,
    14169504332356778435,
    7209847492516664593,
    8654172064726638706,
];
