//! The examples are tests: each runs as a user runs it (`cargo run --example NAME`), must exit
//! successfully (its `main` asserts its own verdicts), and must print these exact results — the
//! state counts of each model checked, the verdict of each scenario. The showcase's replay line,
//! pasted into a shell, must reproduce its failure.

#[path = "common/outside.rs"]
mod outside;

use std::process::{Command, Output};

use outside::clean;

/// Runs `cargo run -q --example NAME`; returns its standard output, after checking it passed.
fn run_example(name: &str) -> String {
    let mut command = clean(Command::new(env!("CARGO")));
    command.args(["run", "-q", "--example", name]);
    passed(command.output().expect("cargo runs"))
}

fn passed(output: Output) -> String {
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    let errors = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{text}{errors}");
    text
}

/// Checks that `text` has each of `lines` (trimmed), in this order.
fn assert_lines_in_order(text: &str, lines: &[&str]) {
    let mut rest = text.lines().map(str::trim);
    for line in lines {
        assert!(
            rest.any(|printed| printed == *line),
            "missing, or out of order: {line:?} in\n{text}"
        );
    }
}

#[test]
fn lost_update_finds_the_lost_increment_and_proves_the_atomic_counter() {
    let text = run_example("lost_update");
    assert_lines_in_order(
        &text,
        &[
            "(12 states, 14 transitions explored)",
            "OK — 4 states, 4 transitions explored",
        ],
    );
}

#[test]
fn dining_philosophers_deadlocks_then_is_proven_deadlock_free() {
    let text = run_example("dining_philosophers");
    assert_lines_in_order(
        &text,
        &[
            "(14 states, 26 transitions explored)",
            "OK — 12 states, 22 transitions explored",
            "OK — `p0 eats` holds on every run (12 states, 22 transitions)",
            "OK — `someone eats` holds on every run (12 states, 22 transitions)",
        ],
    );
}

#[test]
fn route_delivery_checks_the_design_and_refines_the_node_code() {
    let text = run_example("route_delivery");
    assert_lines_in_order(
        &text,
        &[
            "OK — 6 states, 5 transitions explored",
            "OK — 12 states, 15 transitions explored",
            "OK — `applied==desired` holds on every run (12 states, 15 transitions)",
            "OK — scenario retry_until_acked: 50 runs, 183 steps, no failures",
        ],
    );
    assert_replay_reproduces_the_failures(&text, "route_delivery");
}

#[test]
fn pod_eviction_is_safe_within_its_platform_and_lists_what_it_rests_on() {
    let text = run_example("pod_eviction");
    assert_lines_in_order(
        &text,
        &[
            "OK — 12 states, 15 transitions explored",
            "OK — `running==desired` holds on every run (12 states, 15 transitions)",
            "(4 states explored)",
        ],
    );
}

#[test]
fn the_showcase_prints_its_four_verdicts_and_its_replay_line_reproduces_them() {
    let text = run_example("byzantine_service");
    assert_lines_in_order(
        &text,
        &[
            "Without validation:  GOAL on seed 0",
            "With validation:     OK — scenario validating_client_rejects_lies: 20 runs, 40 steps, no failures",
            "Clean network:       OK — scenario clean_wire_keeps_strict_client_alive: 10 runs, 20 steps, no failures",
            "Corrupted network:   INVARIANT on seed 0",
        ],
    );
    assert_replay_reproduces_the_failures(&text, "byzantine_service");
}

#[test]
fn wal_kv_loses_an_ack_given_before_sync_and_reads_a_torn_record_without_checksums() {
    let text = run_example("wal_kv");
    assert_lines_in_order(
        &text,
        &[
            "acks before sync, power loss:    FOUND an acknowledged write lost",
            "t=21         server ⚡ power lost: wal: write @174 29 B lost",
            "acks before sync, cold crash:    passed all 300 seeds",
            "syncs before acks, power loss:   passed all 300 seeds",
            "no checksums, torn writes:       FOUND a torn record recovered as a value never written",
            "t=21         server ⚡ power lost: wal: write @150 25 B torn (10 B kept)",
            "checksums, torn writes:          passed all 300 seeds",
        ],
    );
    assert_replay_reproduces_the_failures(&text, "wal_kv");
}

#[test]
fn leader_isolation_catches_a_deposed_leader_acking_alone_and_passes_the_majority_quorum() {
    let text = run_example("leader_isolation");
    assert_lines_in_order(
        &text,
        &[
            "quorum off by one, no faults:                passed all 200 seeds",
            "quorum off by one, leader cut off:           FOUND an acknowledged write not held by a majority",
            "t=16         nemesis: split off [replicas[1], client] for 30 (until t=46) (it leads term 1)",
            "t=19   #32   client ← replicas[1]  Ack(3)",
            "majority quorum, leader cut off:             passed all 200 seeds",
        ],
    );
    assert_replay_reproduces_the_failures(&text, "leader_isolation");
}

#[test]
fn swarm_hunt_finds_by_swarm_what_three_hand_written_schedules_miss() {
    let text = run_example("swarm_hunt");
    assert_lines_in_order(
        &text,
        &[
            "ack before fsync, lossy network:                 passed all 500 seeds",
            "ack before fsync, power loss of the primary:     passed all 500 seeds",
            "ack before fsync, a backup cut off:              passed all 500 seeds",
            "ack before fsync, swarm():                       FOUND at seed 73",
            "swarm: loss 6.5%, latency 1..2, crash power replicas[1] [28,53), crash power replicas[0] [54,66)",
            "shrunk: 108 → 103 steps, 3 faults → 2, 55 → 7 non-quiet decisions (99 attempts)",
            "fsync before ack, swarm():                       passed all 500 seeds",
            "lease quorum of 4 in 3, swarm():                 green on every invariant, but:",
            "COVERAGE `primary_elected` never held in 500 runs — scenario lease quorum of 4 in 3, swarm()",
        ],
    );
    assert_replay_reproduces_the_failures(&text, "swarm_hunt");
}

#[test]
fn stale_reads_finds_the_stale_read_in_the_history_and_passes_the_quorum_read() {
    let text = run_example("stale_reads");
    assert_lines_in_order(
        &text,
        &[
            "reads at any replica:                        FOUND at seed 4",
            "LINEARIZABILITY history of 24 operations not linearizable against `KvSpec<u64, i64>` — scenario reads at any replica, seed 4, step 69 (t=84)",
            "history (the smallest inconsistent part found; a return in parentheses could be anything):",
            "clients[0]  │                         t=0..2     Put(0, 3001) → Ok",
            "clients[0]     ├───────────────────…  t=10..     Put(0, 3003) → pending",
            "clients[1]                │           t=38..40   Get(0) → Value(Some(3003))",
            "clients[0]                        ├┤  t=60..62   Get(0) → Value(Some(3001))",
            "reads at the leader after a quorum round:    passed all 300 seeds",
        ],
    );
    assert_replay_reproduces_the_failures(&text, "stale_reads");
}

/// Pastes the first replay line of an example's output into a shell: the example runs again on
/// that seed and reports the same failures (their headlines), seed for seed.
fn assert_replay_reproduces_the_failures(text: &str, example: &str) {
    let replay = text
        .lines()
        .find_map(|line| line.trim().strip_prefix("replay: "))
        .expect("a replay line");
    let expected = format!("cargo run -p musil --example {example}");
    assert!(replay.ends_with(&expected), "{replay}");
    let mut shell = clean(Command::new("sh"));
    shell.args(["-c", replay]);
    let again = passed(shell.output().expect("sh runs"));
    let failures = |text: &str| -> Vec<String> {
        let headlines = text.lines().filter(|l| l.contains(", seed "));
        headlines.map(|l| l.trim().to_string()).collect()
    };
    assert!(!failures(text).is_empty(), "{text}");
    assert_eq!(
        failures(&again),
        failures(text),
        "the replay shows the same failures"
    );
}
