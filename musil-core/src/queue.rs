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

/// A heap entry: the sort key and where the event waits. Keeping payloads out of the heap keeps
/// its entries at 24 bytes, whatever the message type, so sifting moves little.
#[derive(Clone, Copy)]
struct Scheduled {
    key: u128,
    slot: u32,
}

impl PartialEq for Scheduled {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}

impl Eq for Scheduled {}

impl PartialOrd for Scheduled {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Scheduled {
    /// Reversed, so that the max-heap pops the earliest key first.
    fn cmp(&self, other: &Self) -> Ordering {
        other.key.cmp(&self.key)
    }
}

/// A min-queue of events keyed by `(time, class, seq)`: a binary heap of keys over a slab of
/// events (with a free list, so slots are reused and nothing is allocated per event once warm).
pub(crate) struct EventQueue<M> {
    heap: BinaryHeap<Scheduled>,
    events: Vec<Option<Event<M>>>,
    free: Vec<u32>,
    next_seq: u64,
    scheduled: u64,
}

impl<M> EventQueue<M> {
    pub(crate) fn new() -> Self {
        EventQueue {
            heap: BinaryHeap::new(),
            events: Vec::new(),
            free: Vec::new(),
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
        let slot = match self.free.pop() {
            Some(slot) => {
                self.events[slot as usize] = Some(event);
                slot
            }
            None => {
                self.events.push(Some(event));
                (self.events.len() - 1) as u32
            }
        };
        let key = (u128::from(time) << 64) | (u128::from(class as u8) << 63) | u128::from(seq);
        self.heap.push(Scheduled { key, slot });
        seq
    }

    /// The earliest event, with its time and sequence number.
    #[inline]
    pub(crate) fn peek(&self) -> Option<(u64, u64, &Event<M>)> {
        let head = self.heap.peek()?;
        let event = self.events[head.slot as usize].as_ref()?;
        Some((time_of(head.key), seq_of(head.key), event))
    }

    /// Removes the earliest event.
    #[inline]
    pub(crate) fn pop(&mut self) -> Option<(u64, u64, Event<M>)> {
        let head = self.heap.pop()?;
        let event = self.events[head.slot as usize].take()?;
        self.free.push(head.slot);
        Some((time_of(head.key), seq_of(head.key), event))
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

    /// The queue against a reference (a binary heap of bare keys) over random pushes and pops,
    /// with restarts and equal times, so slot reuse can never reorder or lose an event.
    #[test]
    fn the_queue_pops_what_a_plain_heap_of_keys_pops() {
        use crate::decision::{Cause, Choice, Decision, DecisionSource, Seeded, Stream};
        let mut source = Seeded::new(99);
        let mut draw = |hi: u64| {
            let choice = Choice::Uniform { lo: 0, hi };
            source.decide(&Decision {
                stream: Stream::Setup,
                cause: Cause::User,
                choice,
            })
        };
        let mut queue: EventQueue<()> = EventQueue::new();
        let mut reference = BinaryHeap::new();
        let mut now = 0;
        for _ in 0..20_000 {
            if draw(2) > 0 || reference.is_empty() {
                let time = now + draw(12);
                let class = if draw(19) == 0 {
                    Class::Restart
                } else {
                    Class::Normal
                };
                let node = NodeId::new(draw(1_000) as usize);
                let seq = queue.push(time, class, Event::Timer { node, name: "t" });
                reference.push(std::cmp::Reverse((time, class as u8, seq, node)));
            } else {
                let Some(std::cmp::Reverse((time, _, seq, node))) = reference.pop() else {
                    unreachable!()
                };
                assert_eq!(queue.peek().map(|(t, s, _)| (t, s)), Some((time, seq)));
                let popped = queue.pop().map(|(t, s, event)| {
                    (
                        t,
                        s,
                        matches!(event, Event::Timer { node: n, .. } if n == node),
                    )
                });
                assert_eq!(popped, Some((time, seq, true)));
                now = time;
            }
            assert_eq!(queue.len(), reference.len());
        }
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
