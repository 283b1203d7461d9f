//! The models of `check_bfs` and `check_liveness` (`bench/WORKLOADS.md`), with compact states:
//! fixed arrays of bytes, so a transition allocates nothing.

use std::fmt;

use musil::check::{Action, Model};

/// No philosopher holds the fork / no value was read.
const NONE: u8 = u8::MAX;

/// `forks[f]`: the philosopher holding fork `f`. Philosopher `i` sits between fork `i` and fork
/// `(i + 1) % n`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Table {
    n: u8,
    forks: [u8; 16],
}

impl Table {
    fn holder(&self, fork: usize) -> Option<u8> {
        (self.forks[fork] != NONE).then_some(self.forks[fork])
    }

    fn with(mut self, fork: usize, holder: u8) -> Self {
        self.forks[fork] = holder;
        self
    }
}

impl fmt::Debug for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let forks: Vec<Option<u8>> = (0..self.n as usize).map(|fork| self.holder(fork)).collect();
        f.debug_struct("Table").field("forks", &forks).finish()
    }
}

/// Resource-ordered dining philosophers (deadlock-free), 3 actions per philosopher in order.
pub fn dining(n: usize) -> Model<Table> {
    assert!((2..=16).contains(&n), "2 to 16 philosophers");
    let init = Table {
        n: n as u8,
        forks: [NONE; 16],
    };
    let actions = (0..n).flat_map(|i| {
        let (first, second) = (i.min((i + 1) % n), i.max((i + 1) % n));
        let p = i as u8;
        [
            Action::new(
                format!("P{i}_take_f{first}"),
                move |s: &Table| s.forks[first] == NONE && !s.forks[..s.n as usize].contains(&p),
                move |s: &Table| s.with(first, p),
            ),
            Action::new(
                format!("P{i}_take_f{second}"),
                move |s: &Table| s.forks[first] == p && s.forks[second] == NONE,
                move |s: &Table| s.with(second, p),
            ),
            Action::new(
                format!("P{i}_eat_release"),
                move |s: &Table| s.forks[first] == p && s.forks[second] == p,
                move |s: &Table| s.with(first, NONE).with(second, NONE),
            ),
        ]
    });
    Model::new(init)
        .actions(actions)
        .invariant("fork-held-by-neighbour", move |s: &Table| {
            (0..n).all(|f| {
                s.holder(f)
                    .is_none_or(|p| p as usize == f || p as usize == (f + n - 1) % n)
            })
        })
}

/// Some philosopher holds both forks.
pub fn someone_eating(s: &Table) -> bool {
    let n = s.n as usize;
    (0..n).any(|i| s.forks[i] == i as u8 && s.forks[(i + 1) % n] == i as u8)
}

/// Philosopher 0 holds both forks.
pub fn p0_eating(s: &Table) -> bool {
    s.forks[0] == 0 && s.forks[1] == 0
}

/// The lost-update counter: `x`, what each actor read (`regs`), and who has written (`done`).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Counter {
    k: u8,
    x: u8,
    regs: [u8; 8],
    done: u8,
}

impl fmt::Debug for Counter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let regs: Vec<Option<u8>> = self.regs[..self.k as usize]
            .iter()
            .map(|&r| (r != NONE).then_some(r))
            .collect();
        let done: Vec<bool> = (0..self.k).map(|i| self.done & (1 << i) != 0).collect();
        f.debug_struct("Counter")
            .field("x", &self.x)
            .field("regs", &regs)
            .field("done", &done)
            .finish()
    }
}

/// K actors each read `x` then write `x + 1` (non-atomically): actions `A{i}_read`, `A{i}_write`.
pub fn counter(k: usize) -> Model<Counter> {
    assert!((1..=8).contains(&k), "1 to 8 actors");
    let init = Counter {
        k: k as u8,
        x: 0,
        regs: [NONE; 8],
        done: 0,
    };
    let actions = (0..k).flat_map(|i| {
        [
            Action::new(
                format!("A{i}_read"),
                move |s: &Counter| s.regs[i] == NONE && s.done & (1 << i) == 0,
                move |s: &Counter| {
                    let mut next = *s;
                    next.regs[i] = s.x;
                    next
                },
            ),
            Action::new(
                format!("A{i}_write"),
                move |s: &Counter| s.regs[i] != NONE,
                move |s: &Counter| {
                    let mut next = *s;
                    next.x = s.regs[i] + 1;
                    next.regs[i] = NONE;
                    next.done |= 1 << i;
                    next
                },
            ),
        ]
    });
    let all_done = (1u16 << k) - 1;
    Model::new(init)
        .actions(actions)
        .invariant("x<=writes", |s: &Counter| {
            u32::from(s.x) <= s.done.count_ones()
        })
        .invariant("written=>x>=1", |s: &Counter| s.done == 0 || s.x >= 1)
        .terminal(move |s: &Counter| u16::from(s.done) == all_done)
}
