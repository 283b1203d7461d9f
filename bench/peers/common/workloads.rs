//! What the madsim and turmoil ports of `sim_pingpong` and `sim_many_seeds` share: the
//! workloads' constants, wire format, oracle, parameters and counts (bench/WORKLOADS.md).
//!
//! Included by each peer project's `src/lib.rs` with
//! `#[path = "../../common/workloads.rs"] pub mod workloads;`.

use serde_json::{json, Map, Value};

/// `base` with the members of `extra` added (both JSON objects).
fn merged(mut base: Value, extra: Value) -> Value {
    if let (Some(base), Value::Object(extra)) = (base.as_object_mut(), extra) {
        base.extend(extra);
    }
    base
}

/// sim_pingpong: a ring of nodes, each keeping one ping outstanding to its successor.
pub mod pingpong {
    use super::*;

    /// Per-send loss probability.
    pub const LOSS: f64 = 0.1;
    /// Per-send duplication probability.
    pub const DUP: f64 = 0.05;
    /// The retry timer, in musil time units.
    pub const RETRY_UNITS: u64 = 8;

    /// The kind of a ping.
    pub const PING: u8 = 0;
    /// The kind of a pong.
    pub const PONG: u8 = 1;

    /// The throughput figures: `(name, count it divides)`.
    pub const THROUGHPUT: &[(&str, &str)] = &[
        ("steps_per_s", "steps"),
        ("scheduled_events_per_s", "scheduled_events"),
    ];

    /// A datagram: the kind, then the ping number (little-endian).
    #[inline]
    pub fn encode(kind: u8, k: u64) -> [u8; 9] {
        let mut b = [0u8; 9];
        b[0] = kind;
        b[1..].copy_from_slice(&k.to_le_bytes());
        b
    }

    /// `(kind, ping number)` of a datagram made by [`encode`].
    #[inline]
    pub fn decode(buf: &[u8]) -> (u8, u64) {
        (buf[0], u64::from_le_bytes(buf[1..9].try_into().unwrap()))
    }

    /// The workload's parameters, plus the port's own `extra` ones.
    pub fn params(nodes: usize, steps: u64, seed: u64, extra: Value) -> Value {
        let base = json!({
            "nodes": nodes, "max_steps": steps, "seed": seed,
            "network": "loss=0.1 dup=0.05 lat=1..5",
            "retry_delay": RETRY_UNITS,
        });
        merged(base, extra)
    }
}

/// sim_many_seeds: per seed, a client retries a request until a server acknowledges it.
pub mod many_seeds {
    use super::*;

    /// Per-send loss probability.
    pub const LOSS: f64 = 0.3;
    /// The retry timer, in musil time units.
    pub const RETRY_UNITS: u64 = 4;

    /// The throughput figures: `(name, count it divides)`.
    pub const THROUGHPUT: &[(&str, &str)] = &[("seeds_per_s", "runs"), ("steps_per_s", "steps")];

    /// What the oracle sees after the start and after every step: `(acked, sends, received)`.
    pub type Snapshot = (bool, u32, u32);

    /// The invariant `ack-implies-received`.
    #[inline]
    pub fn check(snap: Snapshot) {
        let (acked, _, received) = snap;
        if acked && received == 0 {
            panic!("invariant ack-implies-received violated: {snap:?}");
        }
    }

    /// The workload's parameters over `seeds` seeds, plus the port's own `extra` ones.
    pub fn params(seeds: u64, extra: Value) -> Value {
        let base = json!({
            "seeds": format!("range({seeds})"),
            "network": "loss=0.3 dup=0 lat=1..3",
            "retry_delay": RETRY_UNITS,
        });
        merged(base, extra)
    }

    /// Counts of one run.
    pub struct RunCounts {
        pub acked: bool,
        pub steps: u64,
        pub snapshots: u64,
        pub dropped: u64,
    }

    /// Counts summed over the seeds.
    #[derive(Default, Clone)]
    pub struct Totals {
        pub runs: u64,
        pub steps: u64,
        pub snapshots: u64,
        pub dropped: u64,
    }

    impl Totals {
        /// No run yet (for a `static`).
        pub const fn new() -> Self {
            Totals {
                runs: 0,
                steps: 0,
                snapshots: 0,
                dropped: 0,
            }
        }

        /// Adds the run of `seed`, which must have met the goal `acked`.
        pub fn add(&mut self, r: &RunCounts, seed: u64) {
            assert!(r.acked, "goal acked failed for seed {seed}");
            self.runs += 1;
            self.steps += r.steps;
            self.snapshots += r.snapshots;
            self.dropped += r.dropped;
        }

        /// The counts of the JSON line.
        pub fn counts(&self) -> Map<String, Value> {
            crate::harness::counts(&[
                ("runs", self.runs),
                ("steps", self.steps),
                ("snapshots", self.snapshots),
                ("dropped", self.dropped),
            ])
        }
    }
}
