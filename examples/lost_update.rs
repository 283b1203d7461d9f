//! Lost update — the model checker finds the shortest interleaving that breaks a counter.
//!
//! Two actors each increment a shared counter `x` without a lock: they read `x` into a private
//! register, then write `register + 1`. Run alone, each is correct; interleaved, one increment
//! can overwrite the other. Testing may or may not hit the bad schedule; the explicit-state
//! checker ([`check`]) explores *every* interleaving breadth-first, so the counterexample it
//! returns is the shortest one: both actors read `0`, then both write `1`.
//!
//! The fix makes the increment one atomic action (a compare-and-swap, a lock, a transaction);
//! the checker then proves the invariant over the whole (tiny) state space.
//!
//! Run it with `cargo run --example lost_update`.

use musil::check::{Action, CheckReport, Model, ViolationKind};

/// The number of actors.
const ACTORS: usize = 2;

/// The shared counter, what each actor has read (`None` before its read and after its write),
/// and which actors have written.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Counter {
    x: u8,
    regs: [Option<u8>; ACTORS],
    done: [bool; ACTORS],
}

impl Counter {
    fn start() -> Self {
        Counter {
            x: 0,
            regs: [None; ACTORS],
            done: [false; ACTORS],
        }
    }

    fn all_done(&self) -> bool {
        self.done.iter().all(|&d| d)
    }
}

/// Once every actor has written, `x` must count every increment.
fn no_lost_update(s: &Counter) -> Result<(), String> {
    if s.all_done() && usize::from(s.x) != ACTORS {
        return Err(format!("{ACTORS} increments, but x = {}", s.x));
    }
    Ok(())
}

/// The racy version: `A{i}_read` copies `x` into register `i`; `A{i}_write` stores it plus one.
fn racy_counter() -> Model<Counter> {
    let actions = (0..ACTORS).flat_map(|i| {
        [
            Action::new(
                format!("A{i}_read"),
                move |s: &Counter| s.regs[i].is_none() && !s.done[i],
                move |s: &Counter| {
                    let mut next = s.clone();
                    next.regs[i] = Some(s.x);
                    next
                },
            ),
            Action::new(
                format!("A{i}_write"),
                move |s: &Counter| s.regs[i].is_some(),
                move |s: &Counter| {
                    let mut next = s.clone();
                    next.x = s.regs[i].map_or(s.x, |r| r + 1);
                    next.regs[i] = None;
                    next.done[i] = true;
                    next
                },
            ),
        ]
    });
    counter_model(actions)
}

/// The fix: `A{i}_increment` reads and writes in one indivisible step.
fn atomic_counter() -> Model<Counter> {
    let actions = Action::family(0..ACTORS, |i| {
        Action::new(
            format!("A{i}_increment"),
            move |s: &Counter| !s.done[i],
            move |s: &Counter| {
                let mut next = s.clone();
                next.x = s.x + 1;
                next.done[i] = true;
                next
            },
        )
    });
    counter_model(actions)
}

/// Either design's actions over the same start, terminal states and invariant.
fn counter_model(actions: impl IntoIterator<Item = Action<Counter>>) -> Model<Counter> {
    Model::new(Counter::start())
        .actions(actions)
        .terminal(Counter::all_done)
        .invariant("no lost update", no_lost_update)
}

/// Prints a report indented under a label.
fn show(label: &str, report: &CheckReport<Counter>) {
    println!("{label}");
    for line in report.to_string().lines() {
        println!("    {line}");
    }
    println!();
}

fn main() {
    println!("Lost update — two non-atomic increments of a shared counter\n");

    let racy = racy_counter().checker().check();
    show("Racy increment (read, then write):", &racy);
    let violation = racy.violation().expect("the race loses an update");
    assert_eq!(
        violation.kind,
        ViolationKind::Invariant {
            name: "no lost update".into(),
            reason: Some("2 increments, but x = 1".into()),
        }
    );
    assert_eq!(
        violation.actions(),
        ["A0_read", "A1_read", "A0_write", "A1_write"],
        "the shortest interleaving: both read 0, both write 1"
    );
    assert_eq!(violation.state().map(|s| s.x), Some(1));

    let atomic = atomic_counter().checker().check();
    show("Atomic increment:", &atomic);
    atomic.assert_ok();
    assert_eq!(atomic.states(), 4, "nobody, A0, A1, both");

    println!(
        "Lost update: a {}-step interleaving loses an increment ({} states explored); the atomic increment is safe in all {} states.",
        violation.actions().len(),
        racy.states(),
        atomic.states()
    );
}
