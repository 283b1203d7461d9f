//! hist_register_hard: checking one register's history for linearizability when every
//! operation overlaps many others, so the search has many orders to consider at every point and
//! no key to split the history by. The history (`--ops N`, default 300) is what 8 clients saw
//! of a correct register: reads and writes (half each; each write of a value no other writes),
//! each client invoking its next operation 0–2 time units after its last returned, each
//! operation lasting 10–400 units, the returns those of the operations taking effect at a
//! random instant strictly inside each (linearizable by construction). One operation in ten
//! never returns (a timed-out client, which goes on under a new number): it takes effect within
//! 3,000 units of its invocation, or never, and overlaps every operation after it. Each
//! operation of the default history overlaps about 39 others. `--variant broken` plants one
//! stale read: the checker must find it.
//!
//! The history is generated and written to `target/musil-bench/hist_register[_broken]_N.log`
//! before the measurement; the timed region reads the file, parses it (`read_log`) and checks
//! it (`History::check`, linearizable).

use musil_core::history::{Register, RegisterOp, RegisterRet};

use crate::harness::Workload;
use crate::hist_gen::{self, Access, HistoryWorkload, Shape};

pub const WORKLOAD: Workload = Workload {
    run: |o| HISTORY.run(o),
    throughput: &[("ops_per_s", "operations")],
    params: |o| {
        format!(
            "\"ops\": {}, \"clients\": {CLIENTS}, \"variant\": \"{}\"",
            HISTORY.ops(o),
            hist_gen::variant(o)
        )
    },
};

const CLIENTS: usize = 8;

/// The workload's history.
pub const HISTORY: HistoryWorkload<Register<i64>> = HistoryWorkload {
    stem: "hist_register",
    default_ops: 300,
    seed: 0x7265_675f_6861_7264,
    shape: Shape {
        clients: CLIENTS,
        duration: (10, 400),
        think: (0, 2),
        pending: 10,
        late: 3000,
    },
    draw: |rng, i| match rng.below(2) {
        0 => RegisterOp::Read,
        _ => RegisterOp::Write((i as i64 + 1) * 1000 + rng.below(1000) as i64),
    },
    access: |op| match op {
        RegisterOp::Read => Access::Read(0),
        RegisterOp::Write(v) => Access::Write(0, Some(*v)),
    },
    read_of: |value| RegisterRet::Value(Some(value)),
    by_key: false,
};
