//! The benchmark workloads of `bench/WORKLOADS.md`, through musil's public API, with
//! the command line and JSON output of the Python reference's harness (`bench/python/`), so that
//! `bash bench/compare.sh` can put them side by side:
//!
//! ```text
//! cargo run --release --example bench -- sim_pingpong --nodes 2 --steps 2000000 --reps 3
//! cargo run --release --example bench -- sim_many_seeds --seeds 100000
//! cargo run --release --example bench -- sim_byzantine --scenario wrong_answer --seeds 100000
//! cargo run --release --example bench -- sim_partition --seeds 50000
//! cargo run --release --example bench -- sim_storage --steps 1000000 --mode disk
//! cargo run --release --example bench -- sim_swarm --variant sweep --seeds 20000
//! cargo run --release --example bench -- sim_swarm --variant hunt --seeds 2000
//! cargo run --release --example bench -- shrink --variant long
//! cargo run --release --example bench -- check_bfs --model dining --size 15
//! cargo run --release --example bench -- check_liveness --variant p0_weak_fair --size 12
//! cargo run --release --example bench -- hist_linearizable_kv --ops 10000
//! cargo run --release --example bench -- hist_register_hard --ops 300 --variant broken
//! ```
//!
//! Without `--once`, the program runs the workload `--reps` times (default 3), each in a fresh
//! process, and prints one line: median, min and max wall time of the timed region, throughput
//! from the median, the counts (identical in every repetition, or it aborts), and the peak RSS.

mod check_bfs;
mod check_liveness;
mod check_models;
mod client_server;
mod harness;
mod hist_gen;
mod hist_linearizable_kv;
mod hist_register_hard;
mod shop;
mod shrink;
mod sim_byzantine;
mod sim_many_seeds;
mod sim_partition;
mod sim_pingpong;
mod sim_storage;
mod sim_swarm;

use harness::{Options, Workload};

fn workload(name: &str) -> Option<Workload> {
    Some(match name {
        "sim_pingpong" => sim_pingpong::WORKLOAD,
        "sim_many_seeds" => sim_many_seeds::WORKLOAD,
        "sim_byzantine" => sim_byzantine::WORKLOAD,
        "sim_partition" => sim_partition::WORKLOAD,
        "sim_storage" => sim_storage::WORKLOAD,
        "sim_swarm" => sim_swarm::WORKLOAD,
        "shrink" => shrink::WORKLOAD,
        "check_bfs" => check_bfs::WORKLOAD,
        "check_liveness" => check_liveness::WORKLOAD,
        "hist_linearizable_kv" => hist_linearizable_kv::WORKLOAD,
        "hist_register_hard" => hist_register_hard::WORKLOAD,
        _ => return None,
    })
}

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(name) = args.first() else {
        eprintln!(
            "usage: bench WORKLOAD [--nodes N] [--steps N] [--seeds N] [--scenario S] [--ops N] [--variant V] [--write-only] [--reps N]"
        );
        return std::process::ExitCode::from(2);
    };
    let Some(workload) = workload(name) else {
        eprintln!(
            "bench: unknown workload {name:?} (sim_pingpong, sim_many_seeds, sim_byzantine, sim_partition, sim_storage, sim_swarm, shrink, check_bfs, check_liveness, hist_linearizable_kv, hist_register_hard)"
        );
        return std::process::ExitCode::from(2);
    };
    match Options::parse(&args[1..]) {
        Ok(options) => match hist_gen::prepare(name, &options) {
            Some(code) => code,
            None => harness::main(name, &workload, &options),
        },
        Err(problem) => {
            eprintln!("bench: {problem}");
            std::process::ExitCode::from(2)
        }
    }
}
