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

use musil_core::history::{KvOp, KvRet, KvSpec};

use crate::harness::Workload;
use crate::hist_gen::{self, Access, HistoryWorkload, Pcg, Shape};

pub const WORKLOAD: Workload = Workload {
    run: |o| HISTORY.run(o),
    throughput: &[("ops_per_s", "operations")],
    params: |o| {
        format!(
            "\"ops\": {}, \"clients\": {CLIENTS}, \"keys\": {KEYS}, \"variant\": \"{}\"",
            HISTORY.ops(o),
            hist_gen::variant(o)
        )
    },
};

const CLIENTS: usize = 10;
const KEYS: u64 = 50;

/// The workload's history.
pub const HISTORY: HistoryWorkload<KvSpec<u64, i64>> = HistoryWorkload {
    stem: "hist_kv",
    default_ops: 10_000,
    seed: 0x6b76_5f68_6973_7431,
    shape: Shape {
        clients: CLIENTS,
        duration: (20, 180),
        think: (0, 20),
        pending: 0,
        late: 0,
    },
    draw,
    access: |op| match op {
        KvOp::Get(k) => Access::Read(*k),
        KvOp::Put(k, v) => Access::Write(*k, Some(*v)),
        KvOp::Delete(k) => Access::Write(*k, None),
    },
    read_of: |value| KvRet::Value(Some(value)),
    by_key: true,
};

/// The `i`-th operation: a get, a put of a value no other put writes, or a delete.
fn draw(rng: &mut Pcg, i: usize) -> KvOp<u64, i64> {
    let (kind, key) = (rng.below(100), rng.below(KEYS));
    match kind {
        0..45 => KvOp::Get(key),
        45..95 => KvOp::Put(key, (i as i64 + 1) * 1000 + rng.below(1000) as i64),
        _ => KvOp::Delete(key),
    }
}
