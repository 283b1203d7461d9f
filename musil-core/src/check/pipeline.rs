//! Breadth-first levels on several threads, each a pipeline of chunks with no barrier. A
//! [`Crew`] of threads lives as long as the search ([`with_crew`]); its [`Lead`], the calling
//! thread, hands it the levels one by one ([`Lead::run`]).
//!
//! A level is cut into chunks of [`CHUNK`] states, which pass through a ring of a few slots per
//! thread. Every thread holds a group of the visited set's shards for the level, and loops doing
//! whatever work is ready, in this order of preference:
//!
//! 1. **dedup** — it deduplicates against its own shards, chunk after chunk in breadth-first
//!    order, the successors routed to it: a fingerprint is new at its first occurrence in
//!    breadth-first order, exactly as in the serial search, whichever thread expanded it;
//! 2. **merge** (the calling thread only) — once every owner has deduplicated the next chunk, it
//!    settles the chunk (keeps its new successors) and hands it to the merge, in order;
//! 3. **expand** — it claims the next chunk whose slot the merge has freed, expands it, and
//!    routes each successor to the owner of its fingerprint's shard.
//!
//! The shards stay with their owner, so the search's random accesses stay in one core's caches;
//! only slots, read front to back, pass between threads. A thread with nothing ready spins
//! briefly, then yields, then naps; so does a worker between levels, so that it is awake when the
//! next one starts. A level of a few chunks the lead runs alone, holding every group: waking the
//! crew would cost more than it saves.
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
use std::sync::{Mutex, MutexGuard, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Duration;

use super::expand::{Batch, CHUNK, Take};
use super::model::Model;
use super::visited::{Group, Visited, owner_of, shard_of};

/// Chunks in flight per thread: the slots of the ring (at least [`MIN_RING`]).
const RING_PER_THREAD: usize = 4;

/// The fewest slots of a ring.
const MIN_RING: usize = 16;

/// Levels of at most this many chunks the lead runs alone, holding every group of shards: the
/// crew's start and finish would cost more than it saves (and a model whose levels stay narrow
/// would pay them at every level).
const SOLO_CHUNKS: usize = 4;

/// Idle turns a thread spins before it starts yielding.
const SPINS: u32 = 64;

/// Idle turns a thread yields before it starts sleeping.
const YIELDS: u32 = 256;

/// How long a thread that has long had nothing to do sleeps between looks.
const NAP: Duration = Duration::from_micros(20);

/// A chunk in flight: its batch, and what passes between its expander and each owner.
struct Slot<S> {
    batch: Mutex<Batch<S>>,
    /// For each owner, the successors whose shard it holds (copied, so that the owner reads a
    /// short list rather than the batch): written by the expander, then read by the owners.
    routed: RwLock<Vec<Vec<Routed>>>,
    /// For each owner, the positions in the batch of those it found new.
    fresh: Vec<Mutex<Vec<u32>>>,
    /// The chunk last expanded into this slot, plus one (0: none this level).
    expanded: AtomicUsize,
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

/// A counter alone on its cache lines, so that threads polling it do not slow the one writing
/// its neighbour.
#[derive(Default)]
#[repr(align(128))]
struct Padded(AtomicUsize);

/// What the threads of a search share: its slots, and the progress of the current level.
pub(crate) struct Crew<'a, S> {
    model: &'a Model<S>,
    stop_at_failure: bool,
    threads: usize,
    slots: Vec<Slot<S>>,
    /// The visited set's groups of shards, by owner: each held by its owner for a level, or
    /// all by the lead for a level it runs alone.
    groups: Vec<Mutex<Group<'a>>>,
    /// The current level's states (lent by the lead for the level).
    level: RwLock<Vec<S>>,
    /// The current level's chunks.
    chunks: AtomicUsize,
    /// The next chunk to expand.
    next: AtomicUsize,
    /// Chunks merged (their slots are free).
    merged: AtomicUsize,
    /// For each owner, chunks it has deduplicated.
    deduped: Vec<Padded>,
    /// Set when the lead is done with the level, however it ends (the end, a stop, a panic), or
    /// when a worker panicked: the workers leave the level.
    stop: AtomicBool,
    /// Levels the lead has started; a worker joins one when this passes those it has left.
    started: AtomicUsize,
    /// Levels left, summed over the workers.
    left: AtomicUsize,
    /// Set when the search ends: the workers return.
    quit: AtomicBool,
    /// A panic of a worker outside user code (a bug): raised by the lead.
    broken: Mutex<Option<Box<dyn Any + Send>>>,
    /// Whether `broken` holds a panic (read by the lead at every turn, without the lock).
    is_broken: AtomicBool,
}

/// The calling thread's side of a crew: it runs the levels, holding the first group of shards
/// (or all of them, for a level it runs alone).
pub(crate) struct Lead<'c, S> {
    crew: &'c Crew<'c, S>,
    scratch: Scratch,
    /// Which successors of the chunk being settled are new.
    marks: Vec<bool>,
    /// Levels the crew was started on.
    levels: usize,
}

/// An owner's reused buffer: which of the successors routed to it are surely known.
#[derive(Default)]
struct Scratch {
    known: Vec<bool>,
}

/// Runs `body` with a crew of `threads` threads (at least two) searching `model`: the crew
/// holds the visited set's groups of shards until `body` returns.
pub(crate) fn with_crew<S, R>(
    model: &Model<S>,
    threads: usize,
    stop_at_failure: bool,
    visited: &mut Visited,
    body: impl FnOnce(Lead<'_, S>) -> R,
) -> R
where
    S: Clone + Eq + Hash + Debug + Send + Sync + 'static,
{
    let crew = Crew::new(model, threads, stop_at_failure, visited);
    std::thread::scope(|scope| {
        let crew = &crew;
        // Before the spawns: if one fails, the workers already started must still go home.
        let _quit = Quit(crew);
        for me in 1..threads {
            scope.spawn(move || crew.worker(me));
        }
        body(Lead {
            crew,
            scratch: Scratch::default(),
            marks: Vec::new(),
            levels: 0,
        })
    })
}

/// Sends the workers home when the search ends, however it ends.
struct Quit<'c, 'a, S>(&'c Crew<'a, S>);

impl<S> Drop for Quit<'_, '_, S> {
    fn drop(&mut self) {
        self.0.stop.store(true, Ordering::Release);
        self.0.quit.store(true, Ordering::Release);
    }
}

/// Ends a level however the lead leaves it: the workers leave it too, and the lead waits until
/// they have (so that it may take the level's states back and set up the next).
struct EndLevel<'c, 'a, S> {
    crew: &'c Crew<'a, S>,
    levels: usize,
}

impl<S> Drop for EndLevel<'_, '_, S> {
    fn drop(&mut self) {
        let crew = self.crew;
        crew.stop.store(true, Ordering::Release);
        let mut idle = Idle::default();
        while crew.left.load(Ordering::Acquire) < (crew.threads - 1) * self.levels {
            idle.after(false);
        }
    }
}

impl<S: Clone + Eq + Hash + Debug + Send + Sync + 'static> Lead<'_, S> {
    /// Expands `states` with the crew, deduplicates their successors (inserting the new ones
    /// into the visited set), and hands the chunks to `take` in order until it breaks. The
    /// states are lent to the crew for the level, and given back.
    pub(crate) fn run(&mut self, states: &mut Vec<S>, take: &mut Take<'_, S>) {
        let crew = self.crew;
        std::mem::swap(&mut *write(&crew.level), states);
        crew.prepare();
        if crew.chunks.load(Ordering::Relaxed) <= SOLO_CHUNKS {
            let _ = self.solo(&read(&crew.level), take);
        } else {
            self.levels += 1;
            crew.started.store(self.levels, Ordering::Release);
            let _end = EndLevel {
                crew,
                levels: self.levels,
            };
            let _ = self.lead(&read(&crew.level), take);
        }
        // A worker that broke after its last dedup of the level, or while the merge stopped.
        crew.raise_broken();
        std::mem::swap(&mut *write(&crew.level), states);
    }

    /// Runs a level alone, chunk after chunk, deduplicating for every owner.
    fn solo(&mut self, level: &[S], take: &mut Take<'_, S>) -> ControlFlow<()> {
        let crew = self.crew;
        let mut groups: Vec<_> = crew.groups.iter().map(lock).collect();
        let mut deduped = vec![0; crew.threads];
        for chunk in 0..crew.chunks.load(Ordering::Relaxed) {
            crew.expand_next(level);
            for (owner, group) in groups.iter_mut().enumerate() {
                crew.dedup_ready(owner, group, &mut deduped[owner], &mut self.scratch);
            }
            crew.merge(chunk, &mut self.marks, take)?;
            crew.merged.store(chunk + 1, Ordering::Relaxed);
        }
        ControlFlow::Continue(())
    }

    /// Dedups, merges in order, expands, until the level is merged or the merge stops.
    fn lead(&mut self, level: &[S], take: &mut Take<'_, S>) -> ControlFlow<()> {
        let crew = self.crew;
        let chunks = crew.chunks.load(Ordering::Relaxed);
        let (mut deduped, mut merged, mut idle) = (0, 0, Idle::default());
        let mut group = lock(&crew.groups[0]);
        while merged < chunks {
            crew.raise_broken();
            let mut busy = crew.dedup_ready(0, &mut group, &mut deduped, &mut self.scratch);
            while merged < chunks && crew.all_deduped(merged) {
                crew.merge(merged, &mut self.marks, take)?;
                merged += 1;
                crew.merged.store(merged, Ordering::Release);
                busy = true;
            }
            busy |= crew.expand_next(level);
            idle.after(busy);
        }
        ControlFlow::Continue(())
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

impl<'a, S: Clone + Eq + Hash + Debug + Send + Sync + 'static> Crew<'a, S> {
    /// A crew of `threads` threads, its slots empty, no level started, holding `visited`'s
    /// groups of shards.
    fn new(
        model: &'a Model<S>,
        threads: usize,
        stop_at_failure: bool,
        visited: &'a mut Visited,
    ) -> Self {
        let slot = || Slot {
            batch: Mutex::new(Batch::default()),
            routed: RwLock::new(vec![Vec::new(); threads]),
            fresh: (0..threads).map(|_| Mutex::default()).collect(),
            expanded: AtomicUsize::new(0),
        };
        Crew {
            model,
            stop_at_failure,
            threads,
            slots: (0..(RING_PER_THREAD * threads).max(MIN_RING))
                .map(|_| slot())
                .collect(),
            groups: visited
                .groups(threads)
                .into_iter()
                .map(Mutex::new)
                .collect(),
            level: RwLock::new(Vec::new()),
            chunks: AtomicUsize::new(0),
            next: AtomicUsize::new(0),
            merged: AtomicUsize::new(0),
            deduped: (0..threads).map(|_| Padded::default()).collect(),
            stop: AtomicBool::new(false),
            started: AtomicUsize::new(0),
            left: AtomicUsize::new(0),
            quit: AtomicBool::new(false),
            broken: Mutex::new(None),
            is_broken: AtomicBool::new(false),
        }
    }

    /// Sets up the level whose states are in place (every worker is out of the previous one).
    fn prepare(&self) {
        let chunks = read(&self.level).len().div_ceil(CHUNK);
        self.chunks.store(chunks, Ordering::Relaxed);
        self.next.store(0, Ordering::Relaxed);
        self.merged.store(0, Ordering::Relaxed);
        self.deduped
            .iter()
            .for_each(|d| d.0.store(0, Ordering::Relaxed));
        self.slots
            .iter()
            .for_each(|s| s.expanded.store(0, Ordering::Relaxed));
        self.stop.store(false, Ordering::Relaxed);
    }

    /// A worker: it joins each level the lead starts, until the search ends. If it panics, it
    /// says so, stops the level and leaves it, and works no more (the lead raises the panic).
    fn worker(&self, me: usize) {
        let mut scratch = Scratch::default();
        let mut done = 0;
        let work = catch_unwind(AssertUnwindSafe(|| {
            while let Some(level) = self.await_level(done) {
                self.work_level(me, &mut scratch);
                done = level;
                self.left.fetch_add(1, Ordering::Release);
            }
        }));
        if let Err(panic) = work {
            *lock(&self.broken) = Some(panic);
            self.is_broken.store(true, Ordering::Release);
            self.stop.store(true, Ordering::Release);
            self.left.fetch_add(1, Ordering::Release);
        }
    }

    /// Waits until the lead starts the level after the `done` first ones (its number), or the
    /// search ends (`None`).
    fn await_level(&self, done: usize) -> Option<usize> {
        let mut idle = Idle::default();
        loop {
            if self.quit.load(Ordering::Acquire) {
                return None;
            }
            let started = self.started.load(Ordering::Acquire);
            if started > done {
                return Some(started);
            }
            idle.after(false);
        }
    }

    /// Worker `me`'s part of the current level: it dedups and expands until it has
    /// deduplicated the whole level or the level stops.
    fn work_level(&self, me: usize, scratch: &mut Scratch) {
        let (level, mut group) = (read(&self.level), lock(&self.groups[me]));
        let chunks = self.chunks.load(Ordering::Relaxed);
        let (mut deduped, mut idle) = (0, Idle::default());
        while deduped < chunks && !self.stop.load(Ordering::Acquire) {
            let busy = self.dedup_ready(me, &mut group, &mut deduped, scratch);
            idle.after(self.expand_next(&level) | busy);
        }
    }

    /// The slot of chunk `chunk`.
    fn slot(&self, chunk: usize) -> &Slot<S> {
        &self.slots[chunk % self.slots.len()]
    }

    /// Raises a worker's panic on the lead.
    fn raise_broken(&self) {
        if self.is_broken.load(Ordering::Acquire) {
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
        scratch: &mut Scratch,
    ) -> bool {
        let (first, chunks) = (*deduped, self.chunks.load(Ordering::Relaxed));
        let known = &mut scratch.known;
        while *deduped < chunks {
            let slot = &self.slot(*deduped);
            if slot.expanded.load(Ordering::Acquire) != *deduped + 1 {
                break;
            }
            let (routes, mut fresh) = (read(&slot.routed), lock(&slot.fresh[me]));
            let routed = &routes[me];
            known.clear();
            known.extend(routed.iter().map(|r| group.surely_known(r.fingerprint())));
            let new = routed.iter().zip(known.iter());
            let new = new.filter(|&(r, &known)| !known && group.insert(r.fingerprint()));
            fresh.clear();
            fresh.extend(new.map(|(r, _)| r.position));
            drop((fresh, routes));
            *deduped += 1;
            self.deduped[me].0.store(*deduped, Ordering::Release);
        }
        *deduped > first
    }

    /// Claims the next chunk if its slot is free, expands it and routes its successors; says
    /// whether there was one.
    fn expand_next(&self, level: &[S]) -> bool {
        let chunks = self.chunks.load(Ordering::Relaxed);
        let free = (self.merged.load(Ordering::Acquire) + self.slots.len()).min(chunks);
        let claim = self
            .next
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |next| {
                (next < free).then_some(next + 1)
            });
        let Ok(chunk) = claim else {
            return false;
        };
        let start = chunk * CHUNK;
        let states = &level[start..(start + CHUNK).min(level.len())];
        let slot = &self.slot(chunk);
        let mut batch = lock(&slot.batch);
        batch.expand(self.model, states, self.stop_at_failure);
        let mut routed = write(&slot.routed);
        routed.iter_mut().for_each(Vec::clear);
        for (position, successor) in batch.successors.iter().enumerate() {
            let fingerprint = successor.fingerprint;
            routed[owner_of(shard_of(fingerprint), self.threads)].push(Routed {
                low: fingerprint as u64,
                high: (fingerprint >> 64) as u64,
                position: position as u32,
            });
        }
        drop((routed, batch));
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
        for fresh in &slot.fresh {
            lock(fresh)
                .iter()
                .for_each(|&new| marks[new as usize] = true);
        }
        batch.settle(|position, _| marks[position]);
        take(chunk * CHUNK, &mut batch)
    }
}

/// Locks a mutex, poisoned or not: a panic that poisons one (in user code raised by the merge, or
/// a bug) ends the search anyway.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Reads a lock, poisoned or not (see [`lock`]).
fn read<T>(lock: &RwLock<T>) -> RwLockReadGuard<'_, T> {
    lock.read().unwrap_or_else(PoisonError::into_inner)
}

/// Writes a lock, poisoned or not (see [`lock`]).
fn write<T>(lock: &RwLock<T>) -> RwLockWriteGuard<'_, T> {
    lock.write().unwrap_or_else(PoisonError::into_inner)
}
