//! The benchmark program (`examples/bench`) runs every workload at a tiny size and prints one
//! valid JSON line with the deterministic counts the workload defines. (Speed is measured by
//! `bench/compare.sh`, never by tests.)

#[path = "common/json.rs"]
mod json;
#[path = "common/outside.rs"]
mod outside;

use json::assert_valid_json;

use std::process::Command;

/// Runs `cargo run --example bench -- ARGS --reps 1` and returns its one line of output.
fn bench(args: &[&str]) -> String {
    let output = outside::clean(Command::new(env!("CARGO")))
        .args(["run", "-q", "--example", "bench", "--"])
        .args(args)
        .args(["--reps", "1"])
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8(output.stdout).expect("utf-8");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 1, "one line: {text:?}");
    assert_valid_json(lines[0]);
    lines[0].to_string()
}

/// A count from the line's `"counts"` object.
fn count(line: &str, name: &str) -> u64 {
    let counts = &line[line.find("\"counts\": {").expect("counts")..];
    let start = counts
        .find(&format!("\"{name}\": "))
        .unwrap_or_else(|| panic!("no {name} in {line}"))
        + name.len()
        + 4;
    let digits: String = counts[start..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().expect("a number")
}

#[test]
fn sim_pingpong_runs_exactly_its_steps() {
    let line = bench(&["sim_pingpong", "--nodes", "3", "--steps", "500"]);
    assert_eq!(count(&line, "steps"), 500);
    assert!(
        line.contains("\"steps_per_s\": ") && line.contains("\"peak_rss_kib\": "),
        "{line}"
    );
}

#[test]
fn sim_many_seeds_runs_every_seed() {
    let line = bench(&["sim_many_seeds", "--seeds", "50"]);
    assert_eq!(count(&line, "runs"), 50);
    assert_eq!(count(&line, "snapshots"), count(&line, "steps") + 50);
}

#[test]
fn sim_byzantine_takes_two_steps_per_run_in_both_scenarios() {
    for scenario in ["wrong_answer", "clean"] {
        let line = bench(&["sim_byzantine", "--scenario", scenario, "--seeds", "40"]);
        assert_eq!(
            (count(&line, "runs"), count(&line, "steps")),
            (40, 80),
            "{scenario}: {line}"
        );
    }
}

#[test]
fn sim_partition_converges_on_every_seed() {
    let line = bench(&["sim_partition", "--seeds", "30"]);
    assert_eq!(count(&line, "runs"), 30);
    let per_run = count(&line, "steps") as f64 / 30.0;
    assert!(
        (15.0..30.0).contains(&per_run),
        "about 21 steps per run, like the Python reference: {per_run}"
    );
}

#[test]
fn sim_storage_logs_every_write_and_its_pricing_runs_match() {
    let run = |mode: &str| bench(&["sim_storage", "--steps", "3000", "--mode", mode]);
    let (disk, none, send) = (run("disk"), run("none"), run("send"));
    assert_eq!(count(&disk, "steps"), 3000);
    assert_eq!(
        count(&disk, "acked"),
        count(&none, "acked"),
        "the same protocol"
    );
    assert_eq!(
        count(&disk, "dropped"),
        count(&none, "dropped"),
        "the same power losses"
    );
    let (acked, ops) = (count(&disk, "acked"), count(&disk, "disk_ops"));
    assert!(
        (2 * acked..3 * acked).contains(&ops),
        "append + sync per write, and snapshots: {disk}"
    );
    assert_eq!((count(&none, "disk_ops"), count(&send, "disk_ops")), (0, 0));
    assert!(count(&send, "delivered") > count(&none, "delivered"));
}

#[test]
fn shrinking_makes_both_planted_failures_smaller() {
    for variant in ["partition", "long"] {
        let line = bench(&["shrink", "--variant", variant]);
        assert!(
            count(&line, "steps_to") < count(&line, "steps_from"),
            "{line}"
        );
        assert!(
            count(&line, "faults_to") < count(&line, "faults_from"),
            "{line}"
        );
        assert!(count(&line, "attempts") > 0, "{line}");
    }
    let long = bench(&["shrink", "--variant", "long"]);
    assert!(
        count(&long, "steps_from") >= 1000,
        "a thousand-step failure: {long}"
    );
}

#[test]
fn check_liveness_reports_the_fair_lasso_and_the_passing_property() {
    let line = bench(&["check_liveness", "--variant", "p0_weak_fair", "--size", "8"]);
    assert_eq!(
        (
            count(&line, "states"),
            count(&line, "stem"),
            count(&line, "cycle")
        ),
        (985, 1, 9),
        "P1, P3 and P5 each take both forks and eat: {line}"
    );
    let line = bench(&["check_liveness", "--variant", "someone_eats", "--size", "7"]);
    assert_eq!(
        (count(&line, "states"), count(&line, "cycle")),
        (408, 0),
        "{line}"
    );
}

#[test]
fn an_unknown_workload_is_refused() {
    let output = outside::clean(Command::new(env!("CARGO")))
        .args(["run", "-q", "--example", "bench", "--", "sim_nothing"])
        .output()
        .expect("cargo runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("unknown workload \"sim_nothing\""));
}

#[test]
fn the_validator_rejects_what_is_not_json() {
    assert_valid_json(r#"{"a": [1, 2.5e3, "x\"y"], "b": {"c": null, "d": true}}"#);
    for bad in [
        r#"{"a": 1,}"#,
        r#"{"a" 1}"#,
        r#"{"a": 01x}"#,
        "{",
        r#"{"a": 1} x"#,
    ] {
        let parsed = std::panic::catch_unwind(|| assert_valid_json(bad));
        assert!(parsed.is_err(), "accepted {bad}");
    }
}

#[test]
fn sim_swarm_sweeps_the_correct_store_and_hunts_the_bug_only_swarm_finds() {
    let sweep = bench(&["sim_swarm", "--variant", "sweep", "--seeds", "200"]);
    assert_eq!(count(&sweep, "runs"), 200);
    assert!(count(&sweep, "steps") > 200 * 20, "{sweep}");
    let hunt = bench(&["sim_swarm", "--variant", "hunt", "--seeds", "150"]);
    assert_eq!(count(&hunt, "bases"), 20);
    assert!(count(&hunt, "found_by_swarm") >= 5, "{hunt}");
    assert_eq!(count(&hunt, "found_by_hand_written"), 0, "{hunt}");
}

#[test]
fn hist_workloads_pass_their_linearizable_histories_and_find_the_planted_stale_read() {
    let kv = bench(&["hist_linearizable_kv", "--ops", "200"]);
    assert_eq!(
        (count(&kv, "operations"), count(&kv, "partitions")),
        (200, 49),
        "200 operations over the 50 keys (one never touched): {kv}"
    );
    assert!(count(&kv, "states") >= 200, "{kv}");
    let register = bench(&["hist_register_hard", "--ops", "60"]);
    assert_eq!(count(&register, "operations"), 60, "{register}");
    assert!(count(&register, "states") >= 60, "{register}");
    // The planted read, the write it saw and the write that overwrote it: the contradiction
    // needs their returns (other writes stay, pending, as context). On the busy register the
    // search keeps more returns where forgetting one would cost too much to check.
    for (workload, ops, most_needed) in [
        ("hist_linearizable_kv", "200", 3),
        ("hist_register_hard", "60", 20),
    ] {
        let broken = bench(&[workload, "--ops", ops, "--variant", "broken"]);
        let needed = count(&broken, "returns_needed");
        assert!((2..=most_needed).contains(&needed), "{workload}: {broken}");
        let shown = count(&broken, "violation_ops");
        assert!(
            (needed..=2 * most_needed).contains(&shown),
            "{workload}: {broken}"
        );
    }
}

#[test]
fn hist_write_only_prints_the_log_the_peer_reads() {
    let output = outside::clean(Command::new(env!("CARGO")))
        .args(["run", "-q", "--example", "bench", "--"])
        .args(["hist_linearizable_kv", "--ops", "150", "--write-only"])
        .output()
        .expect("cargo runs");
    assert!(output.status.success(), "{output:?}");
    let path = String::from_utf8(output.stdout).expect("utf-8");
    let log = std::fs::read_to_string(path.trim()).expect("the log is there");
    assert!(log.starts_with("# musil-history v1 kv\n"), "{log}");
    assert_eq!(
        log.lines().filter(|l| l.starts_with("invoke ")).count(),
        150
    );
    assert_eq!(log.lines().filter(|l| l.starts_with("ok ")).count(), 150);
}
