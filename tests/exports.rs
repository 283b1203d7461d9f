//! The exports of a failing run through the public API (`musil::forensics::export`): the
//! showcase's corrupting wire fails its `no_crash` invariant; its trace is written as JSON Lines
//! and HTML into a temporary folder, and both files are read back: every line is JSON with the
//! header first, and the page has a lane per node, the message arrows, the mutated payload and
//! the failing step's mark, and fetches nothing.

#[path = "common/json.rs"]
mod json;

use json::assert_valid_json;

#[path = "../examples/byzantine_service.rs"]
#[allow(dead_code)]
mod showcase;

use std::fs;
use std::path::PathBuf;

use musil::forensics::export::{self, ExportHeader};
use musil::prelude::*;
use showcase::{Wire, corrupt};

/// The showcase's corrupting wire, failing on its first seed.
fn failure() -> SimFailure<Wire> {
    Scenario::new(Wire::default)
        .name("exports::corrupted_wire")
        .network(NetworkModel::reliable().mutate(corrupt))
        .run_seeds(&[0])
        .into_failure()
        .expect("a corrupting wire breaks the strict client")
}

/// What the header of a failure's export says.
fn header_of<S>(failure: &SimFailure<S>, label: &str) -> ExportHeader {
    ExportHeader::of(failure, label)
}

/// A fresh folder of its own under the system's temporary folder.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("musil-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    dir
}

#[test]
fn a_failing_run_is_written_as_json_lines_and_a_page() {
    let failure = failure();
    let trace = failure.trace().expect("a failure has its trace");
    let dir = scratch("exports");
    let header = header_of(&failure, "original");
    let page = export::write(&dir, &export::stem(failure.seed(), None), trace, &header)
        .expect("the exports are written");
    assert_eq!(page, dir.join("seed-0.html"));
    let lines = fs::read_to_string(dir.join("seed-0.jsonl")).expect("the JSON Lines file");
    check_lines(&lines, trace.events().len());
    let html = fs::read_to_string(&page).expect("the page");
    check_page(&html, trace.names());
    fs::remove_dir_all(&dir).expect("cleaned up");
}

fn check_lines(lines: &str, events: usize) {
    let lines: Vec<&str> = lines.lines().collect();
    assert_eq!(lines.len(), events + 1, "a header and a line per event");
    for line in &lines {
        assert_valid_json(line);
    }
    assert!(lines[0].starts_with("{\"musil_trace\":1,\"scenario\":\"exports::corrupted_wire\""));
    assert!(lines[0].contains("\"kind\":\"invariant\""));
    assert!(lines[0].contains("\"nodes\":[\"client\",\"service\"]"));
    for line in &lines[1..] {
        assert!(line.starts_with("{\"time\":"), "{line}");
        for key in ["\"step\":", "\"kind\":\"", "\"is_step\":", "\"text\":\""] {
            assert!(line.contains(key), "{key} in {line}");
        }
    }
    let mutated = lines
        .iter()
        .find(|l| l.contains("\"kind\":\"sent\"") && l.contains("\"from\":\"service\""));
    let mutated = mutated.expect("the service's answer");
    assert!(
        mutated.contains("\"mutated\":\"Garbage(\\\"corrupted:42\\\")\""),
        "{mutated}"
    );
}

fn check_page(html: &str, names: &[String]) {
    assert!(html.starts_with("<!DOCTYPE html>"));
    for name in names {
        let lane = format!("<g class=\"lane\" data-node=\"{name}\">");
        assert_eq!(html.matches(&lane).count(), 1, "{lane}");
    }
    assert_eq!(html.matches("class=\"lane\"").count(), names.len());
    let arrows = html.matches("<g class=\"msg\"").count() + html.matches("<g class=\"msg ").count();
    assert_eq!(arrows, 2, "the query and the answer");
    assert!(
        html.contains("class=\"msg\""),
        "the query, delivered as sent"
    );
    assert!(
        html.contains("class=\"msg mutated\""),
        "the answer, mutated"
    );
    assert!(html.contains("class=\"failing-step\""));
    assert!(html.contains("✗ failing step"));
    assert!(html.contains("id=\"panel\""));
    let lower = html.to_lowercase();
    for external in ["http:", "https:", "@import", "src=", "<link"] {
        assert!(!lower.contains(external), "the page refers to {external}");
    }
}

#[test]
fn the_export_folder_is_named_after_the_scenario() {
    let dir = export::export_dir("tests::wal kv/acked");
    assert!(dir.ends_with("tests__wal_kv_acked"), "{}", dir.display());
    let configured = ["MUSIL_TRACE_DIR", "CARGO_TARGET_DIR"]
        .iter()
        .any(|name| std::env::var_os(name).is_some_and(|v| !v.is_empty()));
    if !configured {
        let exe = std::env::current_exe().expect("the test's executable");
        let target = dir
            .parent()
            .and_then(|musil| musil.parent())
            .expect("<target>/musil/<name>");
        assert!(
            exe.starts_with(target),
            "{} holds {}",
            target.display(),
            exe.display()
        );
        assert!(dir.parent().is_some_and(|musil| musil.ends_with("musil")));
    }
}

#[test]
fn a_passing_run_exports_without_a_failing_mark() {
    let failure = failure();
    let trace = failure.trace().expect("a trace");
    let header = ExportHeader {
        failing_step: None,
        label: "passing".to_string(),
        ..header_of(&failure, "passing")
    };
    let html = export::html(trace, &header);
    assert!(!html.contains("class=\"failing-step\""));
    assert!(export::jsonl(trace, &header).starts_with("{\"musil_trace\":1,"));
    assert!(
        export::jsonl(trace, &header)
            .lines()
            .next()
            .is_some_and(|l| l.contains("\"failing_step\":null"))
    );
}
