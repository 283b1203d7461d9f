//! hist_linearizable_kv: checking a key-value store's history for linearizability. The history
//! (`--ops N`, default 10,000) is what 10 clients saw of a correct store of 50 keys: gets
//! (45 %), puts (50 %, each of a value no other put writes) and deletes (5 %), each client
//! invoking its next operation 0–20 time units after its last returned, each operation lasting
//! 20–180 units (each overlaps about 16 others), the returns those of the operations taking
//! effect one at a time at a random instant strictly inside each (linearizable by
//! construction). `--variant broken` plants one stale read (see `hist_gen::stale_read`): the
//! checker must find it.
//!
//! The history is generated and written to `target/musil-bench/hist_kv[_broken]_N.log` before
//! the measurement; the timed region reads the file, parses it (`read_log`) and checks it
//! (`History::check`, linearizable, per key).

use std::path::PathBuf;

use musil_core::history::log::write_log;
use musil_core::history::{KvOp, KvRet, KvSpec};

use crate::harness::{Counts, Options, Workload};
use crate::hist_gen::{self, Access, Pcg, Shape};

pub const WORKLOAD: Workload = Workload {
    run,
    throughput: &[("ops_per_s", "operations")],
    params: |o| {
        format!(
            "\"ops\": {}, \"clients\": {CLIENTS}, \"keys\": {KEYS}, \"variant\": \"{}\"",
            ops(o),
            hist_gen::variant(o)
        )
    },
};

const CLIENTS: usize = 10;
const KEYS: u64 = 50;
const SEED: u64 = 0x6b76_5f68_6973_7431;

type Spec = KvSpec<u64, i64>;

fn ops(options: &Options) -> u64 {
    options.ops.unwrap_or(10_000)
}

/// The history's log file and its text.
pub fn log(options: &Options) -> (PathBuf, String) {
    let ops = ops(options);
    let path = hist_gen::log_path("hist_kv", options, ops);
    (path, generate(ops as usize, hist_gen::broken(options)))
}

/// The log of the generated history (see the module's documentation).
fn generate(count: usize, broken: bool) -> String {
    let mut rng = Pcg::new(SEED);
    let shape = Shape {
        clients: CLIENTS,
        duration: (20, 180),
        think: (0, 20),
        pending: 0,
        late: 0,
    };
    let slots = hist_gen::schedule(&mut rng, &shape, count);
    let ops: Vec<KvOp<u64, i64>> = (0..count)
        .map(|i| {
            let (kind, key) = (rng.below(100), rng.below(KEYS));
            match kind {
                0..45 => KvOp::Get(key),
                45..95 => KvOp::Put(key, (i as i64 + 1) * 1000 + rng.below(1000) as i64),
                _ => KvOp::Delete(key),
            }
        })
        .collect();
    let mut rets = hist_gen::returns(&Spec::default(), &slots, &ops);
    if broken {
        let access: Vec<Access> = ops
            .iter()
            .map(|op| match op {
                KvOp::Get(k) => Access::Read(*k),
                KvOp::Put(k, v) => Access::Write(*k, Some(*v)),
                KvOp::Delete(k) => Access::Write(*k, None),
            })
            .collect();
        let (read, stale) = hist_gen::stale_read(&slots, &access).expect("a read to make stale");
        rets[read] = Some(KvRet::Value(Some(stale)));
    }
    write_log::<Spec>(&hist_gen::history(&slots, ops, rets))
}

fn run(options: &Options) -> Counts {
    let path = hist_gen::log_path("hist_kv", options, ops(options));
    match hist_gen::measure(&path, &Spec::default(), options) {
        (operations, Ok(checked)) => vec![
            ("operations", operations),
            ("partitions", checked.partitions as u64),
            ("states", checked.states as u64),
        ],
        (operations, Err(violation)) => vec![
            ("operations", operations),
            ("violation_ops", violation.operations.len() as u64),
            ("returns_needed", violation.returns_needed.len() as u64),
            ("partition_ops", violation.partition_len as u64),
        ],
    }
}
