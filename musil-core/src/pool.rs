//! One thread pool for work whose results must be taken in order: the seeds of a scenario, the
//! trials of a test binary, the chunks of a breadth-first level.
//!
//! [`in_order`] hands item indices to worker threads in increasing order and gives the results
//! to one consumer, on the calling thread, strictly in index order — so what the consumer sees
//! does not depend on the number of threads or their timing. The consumer can stop the work,
//! and workers can be kept at most a few items ahead of it (to bound memory). A panic in the
//! work is raised on the calling thread when its item comes due, as a serial loop would raise it.

use std::collections::BTreeMap;
use std::ops::ControlFlow;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;

/// How far workers may run ahead of the consumer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ahead {
    /// As far as they like.
    Unbounded,
    /// At most this many items beyond the last one taken.
    AtMost(usize),
}

/// Runs `work(i)` for `i` in `0..count` on `threads` worker threads — or inline on this thread
/// when `threads` is 0 — and calls `take(i, result)` on this thread in increasing `i`, until
/// `take` breaks or every item is taken. A panic in `work(i)` is raised here when item `i` comes
/// due; a panic in `take` stops the workers and is passed on.
pub fn in_order<T: Send>(
    count: usize,
    threads: usize,
    ahead: Ahead,
    work: &(dyn Fn(usize) -> T + Sync),
    mut take: impl FnMut(usize, T) -> ControlFlow<()>,
) {
    if threads == 0 {
        for index in 0..count {
            if take(index, work(index)).is_break() {
                return;
            }
        }
        return;
    }
    let shared = Shared {
        next: AtomicUsize::new(0),
        taken: AtomicUsize::new(0),
        stop: AtomicBool::new(false),
        limit: match ahead {
            Ahead::Unbounded => usize::MAX,
            Ahead::AtMost(items) => items.max(1),
        },
    };
    let (send, receive) = mpsc::channel::<(usize, std::thread::Result<T>)>();
    std::thread::scope(|scope| {
        for _ in 0..threads.min(count) {
            let send = send.clone();
            let shared = &shared;
            scope.spawn(move || shared.claim_and_work(count, work, &send));
        }
        drop(send);
        let _stop_on_exit = StopOnDrop(&shared.stop);
        let mut waiting = BTreeMap::new();
        let mut due = 0;
        for (index, result) in receive {
            waiting.insert(index, result);
            while let Some(result) = waiting.remove(&due) {
                let result = result.unwrap_or_else(|panic| resume_unwind(panic));
                if take(due, result).is_break() {
                    return;
                }
                due += 1;
                shared.taken.store(due, Ordering::Relaxed);
            }
        }
    });
}

/// What the workers and the consumer share.
struct Shared {
    next: AtomicUsize,
    taken: AtomicUsize,
    stop: AtomicBool,
    limit: usize,
}

impl Shared {
    /// A worker's loop: claim the next index (when not too far ahead), work, send.
    fn claim_and_work<T>(
        &self,
        count: usize,
        work: &(dyn Fn(usize) -> T + Sync),
        send: &mpsc::Sender<(usize, std::thread::Result<T>)>,
    ) {
        while !self.stop.load(Ordering::Relaxed) {
            let next = self.next.load(Ordering::Relaxed);
            if next >= count {
                break;
            }
            if next
                >= self
                    .taken
                    .load(Ordering::Relaxed)
                    .saturating_add(self.limit)
            {
                std::thread::yield_now();
                continue;
            }
            let index = self.next.fetch_add(1, Ordering::Relaxed);
            if index >= count {
                break;
            }
            let result = catch_unwind(AssertUnwindSafe(|| work(index)));
            if send.send((index, result)).is_err() {
                break;
            }
        }
    }
}

/// Sets the stop flag when the consumer is done, however it leaves (a break or a panic).
struct StopOnDrop<'a>(&'a AtomicBool);

impl Drop for StopOnDrop<'_> {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn squares(threads: usize, ahead: Ahead, stop_at: usize) -> Vec<(usize, usize)> {
        let mut seen = Vec::new();
        in_order(100, threads, ahead, &|i| i * i, |i, square| {
            seen.push((i, square));
            if i == stop_at {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        });
        seen
    }

    #[test]
    fn results_come_in_order_whatever_the_threads() {
        let expected: Vec<(usize, usize)> = (0..100).map(|i| (i, i * i)).collect();
        for threads in [0, 1, 2, 3, 8] {
            assert_eq!(squares(threads, Ahead::Unbounded, 1000), expected);
            assert_eq!(squares(threads, Ahead::AtMost(2), 1000), expected);
        }
    }

    #[test]
    fn a_break_stops_the_work() {
        for threads in [0, 1, 4] {
            let worked = AtomicUsize::new(0);
            let work = |i: usize| {
                worked.fetch_add(1, Ordering::Relaxed);
                i
            };
            in_order(10_000, threads, Ahead::AtMost(3), &work, |i, _| {
                if i == 9 {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                }
            });
            // Past the break, a worker finishes at most the items it had claimed, which the
            // bound keeps within a few (and each thread may have raced one past it).
            let worked = worked.into_inner();
            assert!(
                (10..=10 + 3 + threads).contains(&worked),
                "{threads} threads: {worked}"
            );
        }
    }

    #[test]
    fn a_panic_in_the_work_is_raised_when_its_item_comes_due() {
        let mut taken = Vec::new();
        let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| {
            in_order(
                100,
                3,
                Ahead::AtMost(2),
                &|i| assert!(i != 7, "item 7"),
                |i, ()| {
                    taken.push(i);
                    ControlFlow::Continue(())
                },
            )
        }));
        assert!(outcome.is_err(), "the panic is passed on");
        assert_eq!(
            taken,
            (0..7).collect::<Vec<_>>(),
            "every item before it was taken"
        );
    }

    #[test]
    fn a_panic_in_the_consumer_is_passed_on_and_stops_the_workers() {
        let outcome = std::panic::catch_unwind(|| {
            in_order(1000, 3, Ahead::AtMost(2), &|i| i, |i, _| {
                assert!(i < 5, "stop here");
                ControlFlow::Continue(())
            })
        });
        assert!(outcome.is_err());
    }
}
