//! The event queue, ordered by `(time, class, seq)`.
//!
//! At one instant restarts come first (class 0), then everything else (class 1) in scheduling
//! order; `seq` is a single counter for every event of a run.
//!
//! Simulated delays are short, so the queue is a timing wheel: one FIFO list per tick for the
//! next [`WHEEL`] ticks (the events of one tick are pushed in `seq` order, so a list is already
//! sorted), with a bit mask of the busy ticks. Restarts and events beyond the window go to a
//! binary heap; each pop takes the earlier of the two heads.
//!
//! The lists are circular and doubly linked through one slab of events, whose first [`WHEEL`]
//! slots are their heads (a tick's list is empty when its head links to itself): a push, a pop
//! and an unlink from the middle are the same few stores whatever the list holds, with no
//! branch on whether it is empty.
//!
//! An event can be withdrawn by its [`Ticket`] (a timer re-armed or cancelled). In the wheel it
//! is unlinked at once, so the pops never meet it; in the far heap it stays, empty, and is
//! passed over when it reaches the head.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use crate::id::NodeId;

use super::faults::CrashKind;

/// Something that will happen at a given virtual time.
#[derive(Debug)]
pub(crate) enum Event<M> {
    /// A message arrives at `to`.
    Deliver { from: NodeId, to: NodeId, msg: M },
    /// A timer of `node` falls due.
    Timer { node: NodeId, name: &'static str },
    /// A crashed node's down window `window` ends (a restart made stale by `heal_all` is not a
    /// step).
    Restart {
        node: NodeId,
        kind: CrashKind,
        window: u32,
    },
    /// A scheduled power crash begins: the node's disk loses what was not synced (not a step).
    PowerOff { node: NodeId },
}

/// Where a pushed event is: its sequence number and its slot, to withdraw it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Ticket {
    /// The event's sequence number.
    pub(crate) seq: u64,
    slot: u32,
}

/// Ordering class within one instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Class {
    /// Restarts, which precede everything else at the same time.
    Restart = 0,
    /// Deliveries and timers.
    Normal = 1,
}

/// Ticks covered by the wheel: one bit each in a `u64`.
const WHEEL: u64 = 64;

/// No slot: the end of the free list.
const NONE: u32 = u32::MAX;

/// The `prev` of a slot whose event waits in the far heap (it is in no list).
const FAR: u32 = u32::MAX - 1;

/// The sort key of an event: time, then class, then sequence number.
#[inline(always)]
fn key(time: u64, class: Class, seq: u64) -> u128 {
    (u128::from(time) << 64) | (u128::from(class as u8) << 63) | u128::from(seq)
}

/// A slot of the slab: the head of a tick's list (the first [`WHEEL`] slots, with no event), an
/// event waiting in a list or in the far heap, or a free slot (no event; `next` chains the free
/// list).
struct Slot<M> {
    event: Option<Event<M>>,
    seq: u64,
    next: u32,
    /// The previous slot of the list, or [`FAR`].
    prev: u32,
}

impl<M> Slot<M> {
    /// The head of tick `tick`'s list, empty.
    fn head(tick: u32) -> Self {
        Slot {
            event: None,
            seq: 0,
            next: tick,
            prev: tick,
        }
    }
}

/// An entry of the far heap: the sort key and the event's slot.
#[derive(Clone, Copy)]
struct Far {
    key: u128,
    slot: u32,
}

impl PartialEq for Far {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}

impl Eq for Far {}

impl PartialOrd for Far {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Far {
    /// Reversed, so that the max-heap pops the earliest key first.
    fn cmp(&self, other: &Self) -> Ordering {
        other.key.cmp(&self.key)
    }
}

/// Where the earliest event is.
enum Head {
    /// The first event of the wheel's list for tick `time`.
    Wheel { time: u64 },
    /// The top of the far heap.
    Far,
}

/// A min-queue of events keyed by `(time, class, seq)`.
pub(crate) struct EventQueue<M> {
    /// The heads of the ticks' lists (slot `t` for tick `t % WHEEL` of the window
    /// `[base, base + WHEEL)`), then the events, waiting or free.
    slots: Vec<Slot<M>>,
    /// The first free slot; free slots are chained through `next`.
    free: u32,
    /// Bit `i` is set iff list `i` is not empty.
    busy: u64,
    /// No event in the wheel is due before `base`.
    base: u64,
    in_wheel: usize,
    far: BinaryHeap<Far>,
    /// Withdrawn events still in the far heap.
    far_withdrawn: usize,
    next_seq: u64,
    scheduled: u64,
}

impl<M> EventQueue<M> {
    pub(crate) fn new() -> Self {
        EventQueue {
            slots: (0..WHEEL as u32).map(Slot::head).collect(),
            free: NONE,
            busy: 0,
            base: 0,
            in_wheel: 0,
            far: BinaryHeap::new(),
            far_withdrawn: 0,
            next_seq: 0,
            scheduled: 0,
        }
    }

    /// Empties the queue for a new run, keeping its storage (the slab and the heap).
    pub(crate) fn clear(&mut self) {
        self.slots.truncate(WHEEL as usize);
        self.free = NONE;
        let mut busy = self.busy;
        while busy != 0 {
            let tick = busy.trailing_zeros();
            self.slots[tick as usize] = Slot::head(tick);
            busy &= busy - 1;
        }
        self.busy = 0;
        self.base = 0;
        self.in_wheel = 0;
        self.far.clear();
        self.far_withdrawn = 0;
        self.next_seq = 0;
        self.scheduled = 0;
    }

    /// Schedules `event` at `time`; returns its ticket.
    #[inline(always)]
    pub(crate) fn push(&mut self, time: u64, class: Class, event: Event<M>) -> Ticket {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.scheduled += 1;
        // Before `base`, the difference wraps around to far beyond the window.
        let in_window = time.wrapping_sub(self.base) < WHEEL;
        if class == Class::Normal && in_window {
            let tick = (time % WHEEL) as u32;
            let last = self.slots[tick as usize].prev;
            let slot = self.store(event, seq, last, tick);
            self.slots[last as usize].next = slot;
            self.slots[tick as usize].prev = slot;
            self.busy |= 1 << tick;
            self.in_wheel += 1;
            Ticket { seq, slot }
        } else {
            let slot = self.store(event, seq, FAR, NONE);
            self.far.push(Far {
                key: key(time, class, seq),
                slot,
            });
            Ticket { seq, slot }
        }
    }

    /// Withdraws the event of `ticket` if it is still waiting (a no-op otherwise: its slot
    /// holds another event, or none).
    #[inline]
    pub(crate) fn withdraw(&mut self, ticket: Ticket) {
        let Some(slot) = self.slots.get_mut(ticket.slot as usize) else {
            return;
        };
        if slot.seq != ticket.seq || slot.event.is_none() {
            return;
        }
        slot.event = None;
        if slot.prev == FAR {
            self.far_withdrawn += 1;
        } else {
            self.unlink(ticket.slot);
            self.release(ticket.slot);
        }
    }

    /// Puts `event` in a slot (a free one if any) linked to `prev` and `next`.
    #[inline(always)]
    fn store(&mut self, event: Event<M>, seq: u64, prev: u32, next: u32) -> u32 {
        let slot = Slot {
            event: Some(event),
            seq,
            next,
            prev,
        };
        match self.free {
            NONE => {
                self.slots.push(slot);
                (self.slots.len() - 1) as u32
            }
            index => {
                self.free = self.slots[index as usize].next;
                self.slots[index as usize] = slot;
                index
            }
        }
    }

    /// Takes `slot` out of its tick's list; clears the tick's busy bit if the list is left
    /// empty (its neighbours are then both its head).
    #[inline(always)]
    fn unlink(&mut self, slot: u32) {
        let Slot { prev, next, .. } = self.slots[slot as usize];
        self.slots[prev as usize].next = next;
        self.slots[next as usize].prev = prev;
        let emptied = u64::from(prev == next);
        self.busy &= !(emptied << (prev % WHEEL as u32));
        self.in_wheel -= 1;
    }

    /// Puts `slot` (its event taken) on the free list.
    #[inline(always)]
    fn release(&mut self, slot: u32) {
        self.slots[slot as usize].next = self.free;
        self.free = slot;
    }

    /// The earliest busy tick of the wheel.
    #[inline]
    fn wheel_time(&self) -> Option<u64> {
        if self.busy == 0 {
            return None;
        }
        let offset = self
            .busy
            .rotate_right((self.base % WHEEL) as u32)
            .trailing_zeros();
        Some(self.base + u64::from(offset))
    }

    /// The first event of the list of the tick of `time`.
    #[inline(always)]
    fn first(&self, time: u64) -> u32 {
        self.slots[(time % WHEEL) as usize].next
    }

    #[inline(always)]
    fn head(&self) -> Option<Head> {
        let far = self.far.peek().map(|f| f.key);
        let head = match self.wheel_time() {
            Some(time) => {
                let seq = self.slots[self.first(time) as usize].seq;
                match far {
                    Some(far) if far < key(time, Class::Normal, seq) => Head::Far,
                    _ => Head::Wheel { time },
                }
            }
            None if far.is_some() => Head::Far,
            None => return None,
        };
        Some(head)
    }

    /// Drops the withdrawn events at the head, so that [`EventQueue::peek`] sees a live one.
    pub(crate) fn skip_withdrawn(&mut self) {
        while self.head_is_withdrawn() {
            self.unlink_head();
        }
    }

    /// The earliest entry, with its time and sequence number (`None` for a withdrawn event:
    /// call [`EventQueue::skip_withdrawn`] first).
    #[inline]
    pub(crate) fn peek(&self) -> Option<(u64, u64, &Event<M>)> {
        let (time, slot) = match self.head()? {
            Head::Wheel { time } => (time, self.first(time)),
            Head::Far => self.far.peek().map(|f| ((f.key >> 64) as u64, f.slot))?,
        };
        let slot = &self.slots[slot as usize];
        Some((time, slot.seq, slot.event.as_ref()?))
    }

    /// Whether the earliest entry is a withdrawn event (only the far heap keeps them).
    fn head_is_withdrawn(&self) -> bool {
        match self.head() {
            Some(Head::Far) => self
                .far
                .peek()
                .is_some_and(|f| self.slots[f.slot as usize].event.is_none()),
            Some(Head::Wheel { .. }) | None => false,
        }
    }

    /// Removes the earliest event (passing over withdrawn ones).
    #[inline(always)]
    pub(crate) fn pop(&mut self) -> Option<(u64, u64, Event<M>)> {
        loop {
            let (time, seq, event) = self.unlink_head()?;
            if let Some(event) = event {
                return Some((time, seq, event));
            }
        }
    }

    /// Takes the earliest entry out (its event is `None` if it was withdrawn) and frees its
    /// slot.
    #[inline(always)]
    fn unlink_head(&mut self) -> Option<(u64, u64, Option<Event<M>>)> {
        let head = self.head()?;
        let (time, slot) = match head {
            Head::Wheel { time } => {
                let slot = self.first(time);
                self.unlink(slot);
                (time, slot)
            }
            Head::Far => {
                let far = self.far.pop()?;
                let slot = far.slot;
                if self.slots[slot as usize].event.is_none() {
                    self.far_withdrawn -= 1;
                }
                ((far.key >> 64) as u64, slot)
            }
        };
        // Nothing earlier is left in the wheel: its window may start here.
        self.base = self.base.max(time);
        let freed = &mut self.slots[slot as usize];
        let (seq, event) = (freed.seq, freed.event.take());
        self.release(slot);
        Some((time, seq, event))
    }

    /// How many events are pending (withdrawn ones excluded).
    pub(crate) fn len(&self) -> usize {
        self.in_wheel + self.far.len() - self.far_withdrawn
    }

    /// How many events were ever scheduled.
    pub(crate) fn scheduled(&self) -> u64 {
        self.scheduled
    }
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
                Event::Timer { node, .. }
                | Event::Restart { node, .. }
                | Event::PowerOff { node } => node,
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
                kind: CrashKind::Warm,
                window: 0,
            },
        );
        queue.push(4, Class::Normal, timer(3));
        assert_eq!(popped_nodes(&mut queue), vec![(4, 3), (5, 2), (5, 1)]);
    }

    /// The queue against a reference (a binary heap of bare keys) over random pushes and pops,
    /// with restarts and equal times, so slot reuse can never reorder or lose an event.
    #[test]
    fn far_events_restarts_and_pushes_before_the_window_keep_their_order() {
        let mut queue = EventQueue::new();
        queue.push(500, Class::Normal, timer(1));
        queue.push(5, Class::Normal, timer(2));
        queue.push(
            5,
            Class::Restart,
            Event::Restart {
                node: NodeId::new(3),
                kind: CrashKind::Warm,
                window: 0,
            },
        );
        assert_eq!(queue.pop().map(|(t, _, _)| t), Some(5));
        queue.push(2, Class::Normal, timer(4)); // before the window: kept in the far heap
        queue.push(70, Class::Normal, timer(5));
        assert_eq!(
            popped_nodes(&mut queue),
            vec![(2, 4), (5, 2), (70, 5), (500, 1)]
        );
    }

    #[test]
    fn the_queue_pops_what_a_plain_heap_of_keys_pops() {
        use crate::decision::seeded::Seeded;
        use crate::decision::{Cause, Choice, Decision, DecisionSource, Stream};
        use std::collections::BTreeSet;
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
        let mut reference = BTreeSet::new();
        let mut tickets = Vec::new();
        let mut now = 0;
        for _ in 0..20_000 {
            let action = draw(5);
            if action == 0 && !tickets.is_empty() {
                // Withdraw an event, live or already gone (then nothing changes).
                let (ticket, entry) = tickets.swap_remove(draw(tickets.len() as u64 - 1) as usize);
                queue.withdraw(ticket);
                reference.remove(&entry);
            } else if action > 2 || reference.is_empty() {
                let time = match draw(9) {
                    0 => now + 60 + draw(500),
                    1 => now.saturating_sub(draw(3)),
                    _ => now + draw(12),
                };
                let class = if draw(19) == 0 {
                    Class::Restart
                } else {
                    Class::Normal
                };
                let node = NodeId::new(draw(1_000) as usize);
                let ticket = queue.push(time, class, Event::Timer { node, name: "t" });
                let entry = (time, class as u8, ticket.seq, node);
                reference.insert(entry);
                tickets.push((ticket, entry));
            } else {
                let Some((time, _, seq, node)) = reference.pop_first() else {
                    unreachable!()
                };
                queue.skip_withdrawn();
                assert_eq!(queue.peek().map(|(t, s, _)| (t, s)), Some((time, seq)));
                let popped = queue.pop().map(|(t, s, event)| {
                    (
                        t,
                        s,
                        matches!(event, Event::Timer { node: n, .. } if n == node),
                    )
                });
                assert_eq!(popped, Some((time, seq, true)));
                now = now.max(time);
            }
            assert_eq!(queue.len(), reference.len());
        }
    }

    #[test]
    fn a_cleared_queue_behaves_as_a_new_one() {
        let mut used: EventQueue<()> = EventQueue::new();
        for (time, node) in [(3, 0), (500, 1), (7, 2), (7, 3)] {
            used.push(time, Class::Normal, timer(node));
        }
        used.pop();
        used.clear();
        assert_eq!((used.len(), used.scheduled()), (0, 0));
        let mut fresh: EventQueue<()> = EventQueue::new();
        for queue in [&mut used, &mut fresh] {
            for (time, node) in [(9, 4), (2, 5), (70, 6), (2, 7)] {
                queue.push(time, Class::Normal, timer(node));
            }
        }
        let seqs = |queue: &mut EventQueue<()>| {
            std::iter::from_fn(|| queue.pop().map(|(t, s, _)| (t, s))).collect::<Vec<_>>()
        };
        assert_eq!(seqs(&mut used), seqs(&mut fresh));
    }

    #[test]
    fn a_withdrawn_event_is_never_popped_and_a_stale_ticket_withdraws_nothing() {
        let mut queue: EventQueue<()> = EventQueue::new();
        let first = queue.push(4, Class::Normal, timer(1));
        let far = queue.push(400, Class::Normal, timer(2));
        queue.push(4, Class::Normal, timer(3));
        queue.push(9, Class::Normal, timer(4));
        let last = queue.push(9, Class::Normal, timer(5));
        queue.withdraw(first);
        queue.withdraw(far);
        queue.withdraw(last);
        queue.withdraw(last);
        assert_eq!(queue.len(), 2, "withdrawn events are not pending");
        assert_eq!(popped_nodes(&mut queue), vec![(4, 3), (9, 4)]);
        // The last slot freed now holds another event: `far` no longer reaches it.
        let again = queue.push(12, Class::Normal, timer(6));
        queue.withdraw(far);
        queue.withdraw(last);
        assert_eq!(queue.pop().map(|(t, s, _)| (t, s)), Some((12, again.seq)));
        assert_eq!(queue.len(), 0);
    }

    #[test]
    fn a_withdrawn_far_event_stays_at_the_head_until_skipped() {
        let mut queue: EventQueue<()> = EventQueue::new();
        let far = queue.push(400, Class::Normal, timer(1));
        queue.push(401, Class::Normal, timer(2));
        queue.withdraw(far);
        assert!(queue.peek().is_none(), "the head is withdrawn");
        queue.skip_withdrawn();
        assert_eq!(queue.peek().map(|(t, _, _)| t), Some(401));
        assert_eq!(queue.len(), 1);
    }

    /// Withdrawing from the front, the middle and the end of one tick's list, and emptying it,
    /// keeps the other events in order and the tick free for new ones.
    #[test]
    fn withdrawing_anywhere_in_a_list_keeps_the_rest_in_order() {
        let mut queue: EventQueue<()> = EventQueue::new();
        let tickets: Vec<_> = (0..5)
            .map(|node| queue.push(3, Class::Normal, timer(node)))
            .collect();
        for index in [0, 2, 4] {
            queue.withdraw(tickets[index]);
        }
        assert_eq!(popped_nodes(&mut queue), vec![(3, 1), (3, 3)]);
        let alone = queue.push(3, Class::Normal, timer(7));
        queue.withdraw(alone);
        assert!(queue.pop().is_none(), "the emptied tick is not busy");
        queue.push(3, Class::Normal, timer(8));
        queue.push(5, Class::Normal, timer(9));
        assert_eq!(popped_nodes(&mut queue), vec![(3, 8), (5, 9)]);
        // A withdrawn event's slot is free again: re-arming forever does not grow the slab.
        for time in 0..1_000 {
            let ticket = queue.push(10 + time % 50, Class::Normal, timer(1));
            queue.withdraw(ticket);
        }
        assert_eq!(
            queue.slots.len(),
            WHEEL as usize + 5,
            "five events at most at once"
        );
    }

    #[test]
    fn sequence_numbers_survive_the_key() {
        let mut queue: EventQueue<()> = EventQueue::new();
        let a = queue.push(7, Class::Restart, timer(0)).seq;
        let b = queue.push(7, Class::Normal, timer(0)).seq;
        assert_eq!(queue.pop().map(|(t, s, _)| (t, s)), Some((7, a)));
        assert_eq!(queue.pop().map(|(t, s, _)| (t, s)), Some((7, b)));
    }
}
