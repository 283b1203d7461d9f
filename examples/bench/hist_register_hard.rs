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

use std::path::PathBuf;

use musil_core::history::log::write_log;
use musil_core::history::{Register, RegisterOp, RegisterRet};

use crate::harness::{Counts, Options, Workload};
use crate::hist_gen::{self, Access, Pcg, Shape};

pub const WORKLOAD: Workload = Workload {
    run,
    throughput: &[("ops_per_s", "operations")],
    params: |o| {
        format!(
            "\"ops\": {}, \"clients\": {CLIENTS}, \"variant\": \"{}\"",
            ops(o),
            hist_gen::variant(o)
        )
    },
};

const CLIENTS: usize = 8;
const SEED: u64 = 0x7265_675f_6861_7264;
const PENDING: u64 = 10;
const LATE: u64 = 3000;

type Spec = Register<i64>;

fn ops(options: &Options) -> u64 {
    options.ops.unwrap_or(300)
}

/// The history's log file and its text.
pub fn log(options: &Options) -> (PathBuf, String) {
    let ops = ops(options);
    let path = hist_gen::log_path("hist_register", options, ops);
    (path, generate(ops as usize, hist_gen::broken(options)))
}

/// The log of the generated history (see the module's documentation).
fn generate(count: usize, broken: bool) -> String {
    let mut rng = Pcg::new(SEED);
    let shape = Shape {
        clients: CLIENTS,
        duration: (10, 400),
        think: (0, 2),
        pending: PENDING,
        late: LATE,
    };
    let slots = hist_gen::schedule(&mut rng, &shape, count);
    let ops: Vec<RegisterOp<i64>> = (0..count)
        .map(|i| match rng.below(2) {
            0 => RegisterOp::Read,
            _ => RegisterOp::Write((i as i64 + 1) * 1000 + rng.below(1000) as i64),
        })
        .collect();
    let mut rets = hist_gen::returns(&Spec::default(), &slots, &ops);
    if broken {
        let access: Vec<Access> = ops
            .iter()
            .map(|op| match op {
                RegisterOp::Read => Access::Read(0),
                RegisterOp::Write(v) => Access::Write(0, Some(*v)),
            })
            .collect();
        let (read, stale) = hist_gen::stale_read(&slots, &access).expect("a read to make stale");
        rets[read] = Some(RegisterRet::Value(Some(stale)));
    }
    write_log::<Spec>(&hist_gen::history(&slots, ops, rets))
}

fn run(options: &Options) -> Counts {
    let path = hist_gen::log_path("hist_register", options, ops(options));
    match hist_gen::measure(&path, &Spec::default(), options) {
        (operations, Ok(checked)) => vec![
            ("operations", operations),
            ("states", checked.states as u64),
        ],
        (operations, Err(violation)) => vec![
            ("operations", operations),
            ("violation_ops", violation.operations.len() as u64),
            ("returns_needed", violation.returns_needed.len() as u64),
        ],
    }
}
