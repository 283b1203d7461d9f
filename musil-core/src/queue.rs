//! The event queue: one binary heap ordered by `(time, class, seq)`.
//!
//! At one instant restarts come first (class 0), then everything else (class 1) in scheduling
//! order; `seq` is a single counter for every event of a run.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use crate::node::NodeId;

/// Something that will happen at a given virtual time.
#[derive(Debug)]
pub(crate) enum Event<M> {
    /// A message arrives at `to`.
    Deliver { from: NodeId, to: NodeId, msg: M },
    /// A timer of `node` falls due.
    Timer { node: NodeId, name: &'static str },
    /// A crashed node's window ends.
    Restart { node: NodeId, lose_state: bool },
}

/// Ordering class within one instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Class {
    /// Restarts, which precede everything else at the same time.
    Restart = 0,
    /// Deliveries and timers.
    Normal = 1,
}

struct Scheduled<M> {
    key: u128,
    event: Event<M>,
}

impl<M> PartialEq for Scheduled<M> {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}

impl<M> Eq for Scheduled<M> {}

impl<M> PartialOrd for Scheduled<M> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<M> Ord for Scheduled<M> {
    /// Reversed, so that the max-heap pops the earliest key first.
    fn cmp(&self, other: &Self) -> Ordering {
        other.key.cmp(&self.key)
    }
}

/// A min-queue of events keyed by `(time, class, seq)`.
pub(crate) struct EventQueue<M> {
    heap: BinaryHeap<Scheduled<M>>,
    next_seq: u64,
    scheduled: u64,
}

impl<M> EventQueue<M> {
    pub(crate) fn new() -> Self {
        EventQueue {
            heap: BinaryHeap::new(),
            next_seq: 0,
            scheduled: 0,
        }
    }

    /// Schedules `event` at `time`; returns its sequence number.
    #[inline]
    pub(crate) fn push(&mut self, time: u64, class: Class, event: Event<M>) -> u64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.scheduled += 1;
        let key = (u128::from(time) << 64) | (u128::from(class as u8) << 63) | u128::from(seq);
        self.heap.push(Scheduled { key, event });
        seq
    }

    /// The earliest event, with its time and sequence number.
    #[inline]
    pub(crate) fn peek(&self) -> Option<(u64, u64, &Event<M>)> {
        self.heap
            .peek()
            .map(|s| (time_of(s.key), seq_of(s.key), &s.event))
    }

    /// Removes the earliest event.
    #[inline]
    pub(crate) fn pop(&mut self) -> Option<(u64, u64, Event<M>)> {
        self.heap
            .pop()
            .map(|s| (time_of(s.key), seq_of(s.key), s.event))
    }

    /// How many events are pending (stale timers included).
    pub(crate) fn len(&self) -> usize {
        self.heap.len()
    }

    /// How many events were ever scheduled.
    pub(crate) fn scheduled(&self) -> u64 {
        self.scheduled
    }
}

fn time_of(key: u128) -> u64 {
    (key >> 64) as u64
}

fn seq_of(key: u128) -> u64 {
    (key as u64) & !(1 << 63)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn timer(node: usize) -> Event<()> {
        Event::Timer {
            node: NodeId::new(node),
            name: "t",
        }
    }

    fn popped_nodes(queue: &mut EventQueue<()>) -> Vec<(u64, usize)> {
        let mut out = Vec::new();
        while let Some((time, _, event)) = queue.pop() {
            let node = match event {
                Event::Timer { node, .. } | Event::Restart { node, .. } => node,
                Event::Deliver { to, .. } => to,
            };
            out.push((time, node.index()));
        }
        out
    }

    #[test]
    fn equal_times_pop_in_scheduling_order() {
        let mut queue = EventQueue::new();
        for node in 0..5 {
            queue.push(3, Class::Normal, timer(node));
        }
        queue.push(1, Class::Normal, timer(9));
        assert_eq!(
            popped_nodes(&mut queue),
            vec![(1, 9), (3, 0), (3, 1), (3, 2), (3, 3), (3, 4)]
        );
    }

    #[test]
    fn restarts_come_first_at_an_instant() {
        let mut queue = EventQueue::new();
        queue.push(5, Class::Normal, timer(1));
        queue.push(
            5,
            Class::Restart,
            Event::Restart {
                node: NodeId::new(2),
                lose_state: false,
            },
        );
        queue.push(4, Class::Normal, timer(3));
        assert_eq!(popped_nodes(&mut queue), vec![(4, 3), (5, 2), (5, 1)]);
    }

    #[test]
    fn sequence_numbers_survive_the_key() {
        let mut queue: EventQueue<()> = EventQueue::new();
        let a = queue.push(7, Class::Restart, timer(0));
        let b = queue.push(7, Class::Normal, timer(0));
        assert_eq!(queue.pop().map(|(t, s, _)| (t, s)), Some((7, a)));
        assert_eq!(queue.pop().map(|(t, s, _)| (t, s)), Some((7, b)));
    }
}
