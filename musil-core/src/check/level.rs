//! One breadth-first level, expanded and deduplicated, handed to the merge chunk by chunk in
//! breadth-first order: [`Levels::run`].
//!
//! A level is cut into chunks of [`CHUNK`] states. On one thread, each chunk is expanded into a
//! reused [`Batch`], its successors are looked up in the visited set in order (settled), and the
//! chunk is merged. On several threads, the level goes by windows of chunks, in four phases
//! separated by barriers:
//!
//! 1. every thread claims chunks of the window and expands them, and routes each successor to
//!    the thread that owns its fingerprint's shard;
//! 2. every thread deduplicates the successors routed to it, chunk by chunk in window order,
//!    against its own group of shards: a fingerprint is new at its first occurrence in
//!    breadth-first order, exactly as in the serial search, whichever thread expanded it;
//! 3. every thread claims chunks and settles them: it gathers which of their successors are new
//!    (from every thread's answers), and in a chunk without events keeps only those;
//! 4. the calling thread merges the chunks in order (numbering, parents, violations, the stop),
//!    as the serial search does.
//!
//! The merge may stop mid-window (a violation, `max_states`): the fingerprints phase 2 inserted
//! beyond that point are never reported, since the search ends there. A panic in user code is
//! raised by the merge when its state comes due.

use std::fmt::Debug;
use std::hash::Hash;
use std::ops::ControlFlow;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Barrier, Mutex, PoisonError, RwLock};

use super::expand::Batch;
use super::model::Model;
use super::visited::{Group, SHARDS, Visited, owner_of, shard_of};

/// States per chunk.
pub(crate) const CHUNK: usize = 128;

/// Chunks per window of a parallel level.
const WINDOW: usize = 32;

/// The merge: given the level offset of a chunk's first state and its settled batch, it says
/// whether to go on.
pub(crate) type Take<'t, S> = dyn FnMut(usize, &mut Batch<S>) -> ControlFlow<()> + 't;

/// A chunk's batch, its successors routed by owner thread, and which are new.
struct Slot<S> {
    batch: Batch<S>,
    /// For each thread, the successors whose shard it owns: their fingerprints and positions in
    /// the batch (copied, so that the owner reads a short list rather than the batch).
    routes: Vec<Vec<Routed>>,
    /// Whether each successor is new, gathered from the threads' answers.
    marks: Vec<bool>,
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

/// The buffers of the levels of one search, kept from level to level.
pub(crate) struct Levels<S> {
    threads: usize,
    batch: Batch<S>,
    /// Which successors of `batch` are surely known (the quick first pass).
    known: Vec<bool>,
    slots: Vec<RwLock<Slot<S>>>,
    /// For each thread, for each slot of the window, the successors it found new.
    fresh: Vec<RwLock<Vec<Vec<u32>>>>,
}

impl<S: Clone + Eq + Hash + Debug + Send + Sync + 'static> Levels<S> {
    /// Buffers for searches on `threads` threads (at most [`SHARDS`] are used).
    pub(crate) fn new(threads: usize) -> Self {
        let threads = threads.clamp(1, SHARDS);
        let many = if threads > 1 { WINDOW } else { 0 };
        Levels {
            threads,
            batch: Batch::default(),
            known: Vec::new(),
            slots: (0..many)
                .map(|_| {
                    RwLock::new(Slot {
                        batch: Batch::default(),
                        routes: vec![Vec::new(); threads],
                        marks: Vec::new(),
                    })
                })
                .collect(),
            fresh: (0..threads)
                .map(|_| RwLock::new(vec![Vec::new(); many]))
                .collect(),
        }
    }

    /// Expands `level` and deduplicates its successors against `visited` (inserting the new
    /// ones), and hands its chunks to `take` in order until it breaks.
    pub(crate) fn run(
        &mut self,
        model: &Model<S>,
        level: &[S],
        stop_at_failure: bool,
        visited: &mut Visited,
        take: &mut Take<'_, S>,
    ) {
        if self.threads == 1 || level.len() <= CHUNK {
            self.serial(model, level, stop_at_failure, visited, take);
        } else {
            let shared = Shared {
                model,
                level,
                stop_at_failure,
                threads: self.threads,
                chunks: level.len().div_ceil(CHUNK),
                slots: &self.slots,
                fresh: &self.fresh,
                barrier: Barrier::new(self.threads),
                window: AtomicUsize::new(0),
                claims: [AtomicUsize::new(0), AtomicUsize::new(0)],
                met: AtomicUsize::new(0),
                leave_at: AtomicUsize::new(usize::MAX),
                broken: Mutex::new(None),
            };
            shared.run(visited, take);
        }
    }

    /// The level on this thread alone.
    fn serial(
        &mut self,
        model: &Model<S>,
        level: &[S],
        stop_at_failure: bool,
        visited: &mut Visited,
        take: &mut Take<'_, S>,
    ) {
        for (chunk, states) in level.chunks(CHUNK).enumerate() {
            self.batch.expand(model, states, stop_at_failure);
            let known = &mut self.known;
            known.clear();
            let successors = self.batch.successors.iter();
            known.extend(successors.map(|successor| visited.surely_known(successor.fingerprint)));
            self.batch
                .settle(|at, fingerprint| !known[at] && visited.insert(fingerprint));
            if take(chunk * CHUNK, &mut self.batch).is_break() {
                return;
            }
        }
    }
}

/// What the threads of a parallel level share.
struct Shared<'a, S> {
    model: &'a Model<S>,
    level: &'a [S],
    stop_at_failure: bool,
    threads: usize,
    chunks: usize,
    slots: &'a [RwLock<Slot<S>>],
    fresh: &'a [RwLock<Vec<Vec<u32>>>],
    barrier: Barrier,
    /// The window's first chunk.
    window: AtomicUsize,
    /// The next slot of the window to expand, and to settle.
    claims: [AtomicUsize; 2],
    /// Barriers the calling thread has passed.
    met: AtomicUsize,
    /// The workers leave after passing this many barriers (set by the calling thread before it
    /// waits at that barrier, so no worker can see it early).
    leave_at: AtomicUsize,
    /// A panic of a worker outside user code (a bug): raised by the calling thread.
    broken: Mutex<Option<Box<dyn std::any::Any + Send>>>,
}

/// Tells the workers to leave when the calling thread is done with the level, however it
/// leaves (the end, a stop, a panic): every worker is then at a barrier or on its way to one.
struct Release<'s, 'a, S>(&'s Shared<'a, S>);

impl<S> Drop for Release<'_, '_, S> {
    fn drop(&mut self) {
        let met = self.0.met.load(Ordering::SeqCst);
        self.0.leave_at.store(met + 1, Ordering::SeqCst);
        self.0.barrier.wait();
    }
}

impl<'a, S: Clone + Eq + Hash + Debug + Send + Sync + 'static> Shared<'a, S> {
    /// Runs the level: one worker per group of shards but the first, which is this thread's.
    fn run(&self, visited: &mut Visited, take: &mut Take<'_, S>) {
        let mut groups = visited.groups(self.threads).into_iter();
        let Some(mut mine) = groups.next() else {
            return;
        };
        std::thread::scope(|scope| {
            for (offset, group) in groups.enumerate() {
                scope.spawn(move || self.worker(offset + 1, group));
            }
            let _release = Release(self);
            for window in (0..self.chunks).step_by(WINDOW) {
                self.window.store(window, Ordering::SeqCst);
                self.claims
                    .iter()
                    .for_each(|c| c.store(0, Ordering::SeqCst));
                self.meet();
                self.expand_window();
                self.meet();
                self.dedup_window(0, &mut mine);
                self.meet();
                self.settle_window();
                self.meet();
                if self.merge_window(take).is_break() {
                    return;
                }
            }
        });
    }

    /// The calling thread's barrier: raises a worker's panic.
    fn meet(&self) {
        self.barrier.wait();
        self.met.fetch_add(1, Ordering::SeqCst);
        let broken = self
            .broken
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(panic) = broken {
            resume_unwind(panic);
        }
    }

    /// A worker's barrier: counts it in `met` and says whether to leave.
    fn leave(&self, met: &mut usize) -> bool {
        self.barrier.wait();
        *met += 1;
        self.leave_at.load(Ordering::SeqCst) <= *met
    }

    /// A worker: the first three phases of every window, until told to leave. If it panics, it
    /// says so and keeps meeting the others at the barriers until told to leave.
    fn worker(&self, me: usize, mut group: Group<'_>) {
        let mut met = 0;
        let cycles = catch_unwind(AssertUnwindSafe(|| {
            while !self.leave(&mut met) {
                self.expand_window();
                if self.leave(&mut met) {
                    return;
                }
                self.dedup_window(me, &mut group);
                if self.leave(&mut met) {
                    return;
                }
                self.settle_window();
                if self.leave(&mut met) {
                    return;
                }
            }
        }));
        if let Err(panic) = cycles {
            *self.broken.lock().unwrap_or_else(PoisonError::into_inner) = Some(panic);
            while !self.leave(&mut met) {}
        }
    }

    /// How many chunks the current window has.
    fn window_len(&self) -> usize {
        WINDOW.min(self.chunks - self.window.load(Ordering::SeqCst))
    }

    /// The next slot of the window to work on in a phase (0: expand, 1: settle), if any.
    fn claim(&self, phase: usize) -> Option<usize> {
        let slot = self.claims[phase].fetch_add(1, Ordering::Relaxed);
        (slot < self.window_len()).then_some(slot)
    }

    /// Phase 1: claims chunks of the window, expands and routes them.
    fn expand_window(&self) {
        let first = self.window.load(Ordering::SeqCst);
        while let Some(slot) = self.claim(0) {
            let start = (first + slot) * CHUNK;
            let states = &self.level[start..(start + CHUNK).min(self.level.len())];
            let mut slot = self.slots[slot]
                .write()
                .unwrap_or_else(PoisonError::into_inner);
            let Slot { batch, routes, .. } = &mut *slot;
            batch.expand(self.model, states, self.stop_at_failure);
            routes.iter_mut().for_each(Vec::clear);
            for (at, successor) in batch.successors.iter().enumerate() {
                let fingerprint = successor.fingerprint;
                routes[owner_of(shard_of(fingerprint), self.threads)].push(Routed {
                    low: fingerprint as u64,
                    high: (fingerprint >> 64) as u64,
                    position: at as u32,
                });
            }
        }
    }

    /// Phase 2: thread `me` deduplicates, in window order, the successors routed to it.
    fn dedup_window(&self, me: usize, group: &mut Group<'_>) {
        let mut fresh = self.fresh[me]
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        let mut known = Vec::new();
        for (slot, fresh) in self.slots[..self.window_len()].iter().zip(fresh.iter_mut()) {
            let slot = slot.read().unwrap_or_else(PoisonError::into_inner);
            fresh.clear();
            let routed = &slot.routes[me];
            known.clear();
            known.extend(routed.iter().map(|r| group.surely_known(r.fingerprint())));
            let new = routed.iter().zip(known.iter());
            let new = new.filter(|&(r, &known)| !known && group.insert(r.fingerprint()));
            fresh.extend(new.map(|(r, _)| r.position));
        }
    }

    /// Phase 3: claims chunks of the window and settles them with the threads' answers.
    fn settle_window(&self) {
        while let Some(at) = self.claim(1) {
            let mut slot = self.slots[at]
                .write()
                .unwrap_or_else(PoisonError::into_inner);
            let Slot { batch, marks, .. } = &mut *slot;
            marks.clear();
            marks.resize(batch.successors.len(), false);
            for fresh in self.fresh {
                let fresh = fresh.read().unwrap_or_else(PoisonError::into_inner);
                fresh[at].iter().for_each(|&new| marks[new as usize] = true);
            }
            batch.settle(|position, _| marks[position]);
        }
    }

    /// Phase 4: merges the window's chunks in order.
    fn merge_window(&self, take: &mut Take<'_, S>) -> ControlFlow<()> {
        let first = self.window.load(Ordering::SeqCst);
        for at in 0..self.window_len() {
            let mut slot = self.slots[at]
                .write()
                .unwrap_or_else(PoisonError::into_inner);
            take((first + at) * CHUNK, &mut slot.batch)?;
        }
        ControlFlow::Continue(())
    }
}
