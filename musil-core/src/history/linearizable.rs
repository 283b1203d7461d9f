//! Linearizability: Wing & Gong's search with Lowe's memoisation (as in Porcupine), over a
//! doubly linked list of call and return events and a bit set of the operations linearized so
//! far. A pending operation returns at infinity and may return anything: linearized early, its
//! effect shows; linearized last, it never took effect. Operations of independent partitions
//! ([`SequentialSpec::partition`]) are checked apart.

use std::collections::HashSet;
use std::hash::BuildHasherDefault;

use super::bits::{Bits, Fx};
use super::record::{Operation, Outcome};
use super::spec::SequentialSpec;

/// A set of `(operations linearized, state)` pairs already explored.
type Seen<S> = HashSet<(Bits, S), BuildHasherDefault<Fx>>;

/// No entry: the end of the list.
const NIL: usize = usize::MAX;

/// The call and return events of a partition, as a linked list in time order; entry 0 is the
/// head.
struct Events {
    next: Vec<usize>,
    prev: Vec<usize>,
    /// For each entry: its operation (an index into the partition).
    op: Vec<usize>,
    /// For a call entry, its return entry; `NIL` for a return entry.
    matching: Vec<usize>,
}

impl Events {
    /// The events of `ops`: a call at each invocation, a return at each return (at infinity for
    /// a pending operation); at one instant, in the order recorded, or — for a hand-written
    /// history — calls before returns, so operations that meet at an instant are concurrent.
    fn of<Op, Ret>(ops: &[&Operation<Op, Ret>]) -> Events {
        // (time, position at that instant, is a return, operation): a recorded history orders
        // the events of one instant by their positions; a hand-written one puts calls first.
        let mut order: Vec<(u64, u64, bool, usize)> = Vec::with_capacity(ops.len() * 2);
        for (index, operation) in ops.iter().enumerate() {
            let (call_at, return_at) = match operation.order {
                Some((call, ret)) => (call, ret.unwrap_or(u64::MAX)),
                None => (0, u64::MAX),
            };
            order.push((operation.invoked, call_at, false, index));
            let returned = operation.returned().unwrap_or(u64::MAX);
            order.push((returned, return_at, true, index));
        }
        order.sort_unstable();
        let entries = order.len() + 1;
        let mut events = Events {
            next: (1..=entries)
                .map(|n| if n == entries { NIL } else { n })
                .collect(),
            prev: (0..entries).map(|n| n.wrapping_sub(1)).collect(),
            op: vec![NIL; entries],
            matching: vec![NIL; entries],
        };
        let mut call_of = vec![NIL; ops.len()];
        for (at, &(_, _, is_return, index)) in order.iter().enumerate() {
            let entry = at + 1;
            events.op[entry] = index;
            if is_return {
                events.matching[call_of[index]] = entry;
            } else {
                call_of[index] = entry;
            }
        }
        events
    }

    fn unlink(&mut self, entry: usize) {
        let (prev, next) = (self.prev[entry], self.next[entry]);
        self.next[prev] = next;
        if next != NIL {
            self.prev[next] = prev;
        }
    }

    fn relink(&mut self, entry: usize) {
        let (prev, next) = (self.prev[entry], self.next[entry]);
        self.next[prev] = entry;
        if next != NIL {
            self.prev[next] = entry;
        }
    }

    /// Takes a call and its return out of the list.
    fn lift(&mut self, call: usize) {
        self.unlink(call);
        self.unlink(self.matching[call]);
    }

    /// Puts them back (the reverse of the last [`lift`](Events::lift)).
    fn unlift(&mut self, call: usize) {
        self.relink(self.matching[call]);
        self.relink(call);
    }
}

/// Whether `op` applied to `state` gives what the operation returned (anything, if pending).
fn step<S: SequentialSpec>(state: &S, operation: &Operation<S::Op, S::Ret>) -> Option<S> {
    let mut next = state.clone();
    let ret = next.apply(&operation.op);
    match &operation.outcome {
        Outcome::Ok { ret: returned, .. } if *returned != ret => None,
        _ => Some(next),
    }
}

/// Whether `ops` (one partition, no failed operation) are linearizable from `spec` (`None`:
/// the search gave up after remembering `limit` pairs), and how many `(linearized, state)`
/// pairs it remembered.
pub(crate) fn search<S: SequentialSpec>(
    spec: &S,
    ops: &[&Operation<S::Op, S::Ret>],
    limit: usize,
) -> (Option<bool>, usize) {
    let mut events = Events::of(ops);
    let mut linearized = Bits::new(ops.len());
    let mut seen: Seen<S> = HashSet::default();
    let mut calls: Vec<(usize, S)> = Vec::new();
    let mut state = spec.clone();
    let mut entry = events.next[0];
    while events.next[0] != NIL {
        if events.matching[entry] != NIL {
            let index = events.op[entry];
            if let Some(after) = step(&state, ops[index]) {
                if seen.len() >= limit {
                    return (None, seen.len());
                }
                linearized.set(index);
                if seen.insert((linearized.clone(), after.clone())) {
                    calls.push((entry, std::mem::replace(&mut state, after)));
                    events.lift(entry);
                    entry = events.next[0];
                    continue;
                }
                linearized.clear(index);
            }
            entry = events.next[entry];
        } else {
            // A return reached before its call was linearized: undo the last choice.
            let Some((call, before)) = calls.pop() else {
                return (Some(false), seen.len());
            };
            state = before;
            linearized.clear(events.op[call]);
            events.unlift(call);
            entry = events.next[call];
        }
    }
    (Some(true), seen.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::record::History;
    use crate::history::spec::{Register, RegisterOp as Op, RegisterRet as Ret};

    fn linearizable(history: &History<Op<u8>, Ret<u8>>) -> bool {
        let ops: Vec<_> = history.operations().iter().collect();
        search(&Register::default(), &ops, usize::MAX).0 == Some(true)
    }

    #[test]
    fn a_read_may_see_a_concurrent_write_or_not_but_not_an_older_value_after_it() {
        let mut h = History::new();
        let w = h.invoke(0, 0, Op::Write(1));
        let r = h.invoke(1, 1, Op::Read);
        h.complete(r, 2, Ret::Value(None));
        h.complete(w, 3, Ret::Ok);
        assert!(
            linearizable(&h),
            "the read overlaps the write: None is fine"
        );
        let late = h.invoke(1, 4, Op::Read);
        h.complete(late, 5, Ret::Value(None));
        assert!(!linearizable(&h), "after the write returned, None is stale");
    }
}
