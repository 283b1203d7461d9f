//! A breadth-first level on several threads, as a pipeline of chunks with no barrier:
//! [`Ring::run`].
//!
//! The level is cut into chunks of [`CHUNK`] states, which pass through a ring of a few slots per
//! thread. Every thread owns a group of the visited set's shards, and loops doing whatever work
//! is ready, in this order of preference:
//!
//! 1. **dedup** — it deduplicates against its own shards, chunk after chunk in breadth-first
//!    order, the successors routed to it: a fingerprint is new at its first occurrence in
//!    breadth-first order, exactly as in the serial search, whichever thread expanded it;
//! 2. **merge** (the calling thread only) — once every owner has deduplicated the next chunk, it
//!    settles the chunk (keeps its new successors) and hands it to the merge, in order;
//! 3. **expand** — it claims the next chunk whose slot the merge has freed, expands it, and
//!    routes each successor the visited set may not know to the owner of its shard.
//!
//! The shards never leave their owner's thread, so the search's random accesses stay in one
//! core's caches; only slots, read front to back, pass between threads. A thread with nothing
//! ready spins briefly, then yields, then naps.
//!
//! The merge may stop mid-level (a violation, `max_states`): the fingerprints inserted beyond
//! that point are never reported, since the search ends there. A panic in user code waits in its
//! batch and is raised by the merge when its state comes due; any other panic (a bug) stops every
//! thread and is raised by the calling thread.

use std::any::Any;
use std::fmt::Debug;
use std::hash::Hash;
use std::ops::ControlFlow;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use super::expand::{Batch, CHUNK, Take};
use super::model::Model;
use super::visited::{Group, Visited, owner_of, shard_of};

/// Chunks in flight per thread: the slots of the ring (at least [`MIN_RING`]).
const RING_PER_THREAD: usize = 4;

/// The fewest slots of a ring.
const MIN_RING: usize = 16;

/// Idle turns a thread spins before it starts yielding.
const SPINS: u32 = 64;

/// Idle turns a thread yields before it starts sleeping.
const YIELDS: u32 = 256;

/// How long a thread that has long had nothing to do sleeps between looks.
const NAP: Duration = Duration::from_micros(20);

/// A chunk in flight: its batch, and what passes between its expander and each owner.
struct Slot<S> {
    batch: Mutex<Batch<S>>,
    /// One lane per owner thread.
    lanes: Vec<Mutex<Lane>>,
    /// The chunk last expanded into this slot, plus one (0: none this level).
    expanded: AtomicUsize,
}

/// What one chunk routes to one owner, and what the owner found new.
#[derive(Default)]
struct Lane {
    /// The successors whose shard the owner holds (copied, so that the owner reads a short list
    /// rather than the batch).
    routed: Vec<Routed>,
    /// The positions in the batch of those it found new.
    fresh: Vec<u32>,
}

/// A successor routed to the owner of its fingerprint's shard.
#[derive(Clone, Copy)]
struct Routed {
    /// The fingerprint's halves (not a `u128`, whose alignment would pad this to 32 bytes).
    low: u64,
    high: u64,
    position: u32,
}

impl Routed {
    fn fingerprint(&self) -> u128 {
        u128::from(self.high) << 64 | u128::from(self.low)
    }
}

/// The slots of a search's parallel levels, kept from level to level.
pub(crate) struct Ring<S> {
    threads: usize,
    slots: Vec<Slot<S>>,
    /// Which successors of the chunk being settled are new.
    marks: Vec<bool>,
}

impl<S: Clone + Eq + Hash + Debug + Send + Sync + 'static> Ring<S> {
    /// A ring for `threads` threads.
    pub(crate) fn new(threads: usize) -> Self {
        let slot = || Slot {
            batch: Mutex::new(Batch::default()),
            lanes: (0..threads).map(|_| Mutex::default()).collect(),
            expanded: AtomicUsize::new(0),
        };
        Ring {
            threads,
            slots: (0..(RING_PER_THREAD * threads).max(MIN_RING))
                .map(|_| slot())
                .collect(),
            marks: Vec::new(),
        }
    }

    /// Expands `level` on the ring's threads, deduplicates its successors against `visited`
    /// (inserting the new ones), and hands its chunks to `take` in order until it breaks.
    pub(crate) fn run(
        &mut self,
        model: &Model<S>,
        level: &[S],
        stop_at_failure: bool,
        visited: &mut Visited,
        take: &mut Take<'_, S>,
    ) {
        for slot in &mut self.slots {
            *slot.expanded.get_mut() = 0;
        }
        let pipeline = Pipeline {
            model,
            level,
            stop_at_failure,
            threads: self.threads,
            chunks: level.len().div_ceil(CHUNK),
            slots: &self.slots,
            next: AtomicUsize::new(0),
            merged: AtomicUsize::new(0),
            deduped: (0..self.threads).map(|_| Padded::default()).collect(),
            stop: AtomicBool::new(false),
            broken: Mutex::new(None),
        };
        pipeline.run(visited.groups(self.threads), &mut self.marks, take);
    }
}

/// A counter alone on its cache lines, so that threads polling it do not slow the one writing
/// its neighbour.
#[derive(Default)]
#[repr(align(128))]
struct Padded(AtomicUsize);

/// What the threads of one parallel level share.
struct Pipeline<'a, S> {
    model: &'a Model<S>,
    level: &'a [S],
    stop_at_failure: bool,
    threads: usize,
    chunks: usize,
    slots: &'a [Slot<S>],
    /// The next chunk to expand.
    next: AtomicUsize,
    /// Chunks merged (their slots are free).
    merged: AtomicUsize,
    /// For each owner, chunks it has deduplicated.
    deduped: Vec<Padded>,
    /// Set when the calling thread leaves, however it leaves: the workers then stop.
    stop: AtomicBool,
    /// A panic of a worker outside user code (a bug): raised by the calling thread.
    broken: Mutex<Option<Box<dyn Any + Send>>>,
}

/// Stops the workers when the calling thread leaves the level (the end, a stop, a panic).
struct StopOnDrop<'p>(&'p AtomicBool);

impl Drop for StopOnDrop<'_> {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Release);
    }
}

/// A thread's idle turns in a row: it spins, then yields, then naps (user code can keep the
/// other threads busy for long, and the machine may have fewer cores than threads).
#[derive(Default)]
struct Idle(u32);

impl Idle {
    /// Counts a turn, and waits a little if it did nothing.
    fn after(&mut self, busy: bool) {
        if busy {
            self.0 = 0;
            return;
        }
        self.0 = self.0.saturating_add(1);
        if self.0 < SPINS {
            std::hint::spin_loop();
        } else if self.0 < SPINS + YIELDS {
            std::thread::yield_now();
        } else {
            std::thread::sleep(NAP);
        }
    }
}

impl<'a, S: Clone + Eq + Hash + Debug + Send + Sync + 'static> Pipeline<'a, S> {
    /// Runs the level: one worker per group of shards but the first, which is the calling
    /// thread's.
    fn run(&self, groups: Vec<Group<'_>>, marks: &mut Vec<bool>, take: &mut Take<'_, S>) {
        let mut groups = groups.into_iter();
        let Some(mine) = groups.next() else {
            return;
        };
        std::thread::scope(|scope| {
            for (offset, group) in groups.enumerate() {
                scope.spawn(move || self.worker(offset + 1, group));
            }
            let _stop = StopOnDrop(&self.stop);
            let _ = self.lead(mine, marks, take);
        });
    }

    /// The calling thread: dedups, merges in order, expands, until the level is merged or the
    /// merge stops.
    fn lead(
        &self,
        mut group: Group<'_>,
        marks: &mut Vec<bool>,
        take: &mut Take<'_, S>,
    ) -> ControlFlow<()> {
        let (mut deduped, mut merged, mut known) = (0, 0, Vec::new());
        let mut idle = Idle::default();
        while merged < self.chunks {
            self.raise_broken();
            let mut busy = self.dedup_ready(0, &mut group, &mut deduped, &mut known);
            while merged < self.chunks && self.all_deduped(merged) {
                self.merge(merged, marks, take)?;
                merged += 1;
                self.merged.store(merged, Ordering::Release);
                busy = true;
            }
            busy |= self.expand_next();
            idle.after(busy);
        }
        ControlFlow::Continue(())
    }

    /// A worker: dedups and expands until it has deduplicated the whole level or is told to
    /// stop. If it panics, it says so and stops the others.
    fn worker(&self, me: usize, mut group: Group<'_>) {
        let work = catch_unwind(AssertUnwindSafe(|| {
            let (mut deduped, mut known, mut idle) = (0, Vec::new(), Idle::default());
            while deduped < self.chunks && !self.stop.load(Ordering::Acquire) {
                let busy = self.dedup_ready(me, &mut group, &mut deduped, &mut known);
                idle.after(self.expand_next() | busy);
            }
        }));
        if let Err(panic) = work {
            *self.broken.lock().unwrap_or_else(PoisonError::into_inner) = Some(panic);
            self.stop.store(true, Ordering::Release);
        }
    }

    /// The slot of chunk `chunk`.
    fn slot(&self, chunk: usize) -> &Slot<S> {
        &self.slots[chunk % self.slots.len()]
    }

    /// Raises a worker's panic on the calling thread.
    fn raise_broken(&self) {
        if self.stop.load(Ordering::Acquire) {
            let broken = lock(&self.broken).take();
            if let Some(panic) = broken {
                resume_unwind(panic);
            }
        }
    }

    /// Whether every owner has deduplicated chunk `chunk`.
    fn all_deduped(&self, chunk: usize) -> bool {
        let done = |owner: &Padded| owner.0.load(Ordering::Acquire) > chunk;
        self.deduped.iter().all(done)
    }

    /// Owner `me` deduplicates, in order from chunk `*deduped`, the chunks already expanded;
    /// says whether there was one.
    fn dedup_ready(
        &self,
        me: usize,
        group: &mut Group<'_>,
        deduped: &mut usize,
        known: &mut Vec<bool>,
    ) -> bool {
        let first = *deduped;
        while *deduped < self.chunks {
            let slot = &self.slot(*deduped);
            if slot.expanded.load(Ordering::Acquire) != *deduped + 1 {
                break;
            }
            let mut lane = lock(&slot.lanes[me]);
            let Lane { routed, fresh } = &mut *lane;
            known.clear();
            known.extend(routed.iter().map(|r| group.surely_known(r.fingerprint())));
            let new = routed.iter().zip(known.iter());
            let new = new.filter(|&(r, &known)| !known && group.insert(r.fingerprint()));
            fresh.clear();
            fresh.extend(new.map(|(r, _)| r.position));
            drop(lane);
            *deduped += 1;
            self.deduped[me].0.store(*deduped, Ordering::Release);
        }
        *deduped > first
    }

    /// Claims the next chunk if its slot is free, expands it and routes its successors; says
    /// whether there was one.
    fn expand_next(&self) -> bool {
        let free = (self.merged.load(Ordering::Acquire) + self.slots.len()).min(self.chunks);
        let claim = self
            .next
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |next| {
                (next < free).then_some(next + 1)
            });
        let Ok(chunk) = claim else {
            return false;
        };
        let start = chunk * CHUNK;
        let states = &self.level[start..(start + CHUNK).min(self.level.len())];
        let slot = &self.slot(chunk);
        let mut batch = lock(&slot.batch);
        batch.expand(self.model, states, self.stop_at_failure);
        let mut lanes: Vec<_> = slot.lanes.iter().map(lock).collect();
        lanes.iter_mut().for_each(|lane| lane.routed.clear());
        for (position, successor) in batch.successors.iter().enumerate() {
            let fingerprint = successor.fingerprint;
            lanes[owner_of(shard_of(fingerprint), self.threads)]
                .routed
                .push(Routed {
                    low: fingerprint as u64,
                    high: (fingerprint >> 64) as u64,
                    position: position as u32,
                });
        }
        drop((lanes, batch));
        slot.expanded.store(chunk + 1, Ordering::Release);
        true
    }

    /// Settles chunk `chunk` with the owners' answers and hands it to the merge.
    fn merge(
        &self,
        chunk: usize,
        marks: &mut Vec<bool>,
        take: &mut Take<'_, S>,
    ) -> ControlFlow<()> {
        let slot = &self.slot(chunk);
        let mut batch = lock(&slot.batch);
        marks.clear();
        marks.resize(batch.successors.len(), false);
        for lane in &slot.lanes {
            let lane = lock(lane);
            lane.fresh
                .iter()
                .for_each(|&new| marks[new as usize] = true);
        }
        batch.settle(|position, _| marks[position]);
        take(chunk * CHUNK, &mut batch)
    }
}

/// Locks a mutex that only a panic outside user code could have poisoned (raised anyway).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
