//! Heap allocations per seed: a worker thread reuses one run's storage for the next (its event
//! queue, its per-node state, its name table, its decision source), so once a chunk of seeds is
//! under way a seed of the showcase's scenarios allocates nothing. Counted with a counting
//! global allocator, on the calling thread only (the test harness runs other tests beside it).

use std::alloc::{GlobalAlloc, Layout, System as SystemAllocator};
use std::cell::Cell;

use musil::prelude::*;
use musil::{Determinism, Message, RunSettings};

#[path = "../examples/byzantine_service.rs"]
#[allow(dead_code)]
mod showcase;

#[path = "../examples/bench/client_server.rs"]
mod client_server;

/// Counts the allocations of the thread that is counting.
struct Counting;

thread_local! {
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

// SAFETY: every call is passed on to the system allocator unchanged; the counters are
// thread-local cells that never allocate.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: the caller's contract is the system allocator's.
        unsafe { SystemAllocator.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract is the system allocator's.
        unsafe { SystemAllocator.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        // SAFETY: the caller's contract is the system allocator's.
        unsafe { SystemAllocator.realloc(ptr, layout, new_size) }
    }
}

fn count() {
    let _ = COUNTING.try_with(|counting| {
        if counting.get() {
            ALLOCATIONS.with(|n| n.set(n.get() + 1));
        }
    });
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The allocations `run` makes on this thread.
fn allocations_of(run: impl FnOnce()) -> u64 {
    ALLOCATIONS.with(|n| n.set(0));
    COUNTING.with(|c| c.set(true));
    run();
    COUNTING.with(|c| c.set(false));
    ALLOCATIONS.with(Cell::get)
}

/// `seeds` seeds on this thread, in 8 chunks whatever their number (so the chunks' own setup
/// is the same for both counts compared).
fn settings(seeds: u64) -> RunSettings {
    RunSettings::seeds(0..seeds)
        .jobs(1)
        .determinism(Determinism::Off)
}

fn assert_no_allocation_per_seed<S, M>(name: &str, scenario: &Scenario<S, M>)
where
    S: System<M> + std::fmt::Debug + 'static,
    M: Message,
{
    let mut counts = [0; 2];
    for (count, seeds) in counts.iter_mut().zip([512, 1024]) {
        *count = allocations_of(|| {
            let report = scenario.execute(&settings(seeds));
            assert!(report.ok(), "{report}");
            assert_eq!(report.runs(), seeds as usize);
        });
    }
    assert_eq!(
        counts[0], counts[1],
        "{name}: twice the seeds should not allocate more (512 seeds: {}, 1024 seeds: {})",
        counts[0], counts[1]
    );
}

#[test]
fn a_seed_of_the_byzantine_scenarios_allocates_nothing() {
    assert_no_allocation_per_seed("clean", &Scenario::new(showcase::Wire::default));
    let wrong_answer = Scenario::new(showcase::validating_client)
        .goal("bad-value-rejected", showcase::bad_value_rejected);
    assert_no_allocation_per_seed("wrong_answer", &wrong_answer);
}

#[test]
fn a_seed_of_the_retrying_client_over_a_lossy_network_allocates_nothing() {
    use client_server::ClientServer;
    let scenario = Scenario::new(ClientServer::default)
        .network(NetworkModel::reliable().loss(0.3).latency(1, 3))
        .invariant("ack-implies-received", |w: &ClientServer| {
            !w.client.acked || w.server.received >= 1
        })
        .goal("acked", |w: &ClientServer| w.client.acked)
        .max_steps(10_000);
    assert_no_allocation_per_seed("many_seeds", &scenario);
}

#[test]
fn the_counter_sees_a_run_that_allocates() {
    let fresh = allocations_of(|| {
        let report = Scenario::new(showcase::Wire::default).execute(&settings(1));
        assert!(report.ok(), "{report}");
    });
    assert!(fresh > 0, "a first run allocates its storage");
}
