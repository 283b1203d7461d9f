//! The exports' unit tests: a trace with every kind of event, its JSON Lines (every line parsed
//! by a small JSON reader here, with the keys the schema documents), its chart (sends matched to
//! arrivals, down windows), and its HTML (self-contained, escaped, a lane per node).

use super::chart::{Chart, End};
use super::*;
use crate::id::NodeId;
use crate::sim::disk::record::{DiskOp, Fate, UnsyncedFate};
use crate::sim::faults::CrashKind;
use crate::sim::storage::DiskError;
use crate::sim::trace::{SendFate, TraceEvent, TraceKind};

/// A JSON value, as the reader below parses it.
#[derive(Clone, Debug, PartialEq)]
enum Json {
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    Arr(Vec<Json>),
    Obj(Vec<(String, Json)>),
}

impl Json {
    fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Obj(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    fn keys(&self) -> Vec<&str> {
        match self {
            Json::Obj(entries) => entries.iter().map(|(k, _)| k.as_str()).collect(),
            _ => Vec::new(),
        }
    }

    fn str(&self, key: &str) -> &str {
        match self.get(key) {
            Some(Json::Str(s)) => s,
            other => panic!("{key} is not a string: {other:?}"),
        }
    }
}

/// A strict little JSON reader (RFC 8259, less some number forms nobody writes here).
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

fn parse(text: &str) -> Result<Json, String> {
    let mut reader = Reader {
        bytes: text.as_bytes(),
        at: 0,
    };
    let value = reader.value()?;
    reader.space();
    if reader.at != reader.bytes.len() {
        return Err(format!("trailing text at {}", reader.at));
    }
    Ok(value)
}

impl Reader<'_> {
    fn space(&mut self) {
        while self
            .bytes
            .get(self.at)
            .is_some_and(|b| b" \t\r\n".contains(b))
        {
            self.at += 1;
        }
    }

    fn literal(&mut self, word: &str, value: Json) -> Result<Json, String> {
        if self.bytes[self.at..].starts_with(word.as_bytes()) {
            self.at += word.len();
            return Ok(value);
        }
        Err(format!("bad literal at {}", self.at))
    }

    fn value(&mut self) -> Result<Json, String> {
        self.space();
        match self.bytes.get(self.at) {
            Some(b'{') => self.object(),
            Some(b'[') => self.array(),
            Some(b'"') => self.string().map(Json::Str),
            Some(b't') => self.literal("true", Json::Bool(true)),
            Some(b'f') => self.literal("false", Json::Bool(false)),
            Some(b'n') => self.literal("null", Json::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => Err(format!("no value at {}", self.at)),
        }
    }

    fn number(&mut self) -> Result<Json, String> {
        let start = self.at;
        while self
            .bytes
            .get(self.at)
            .is_some_and(|b| b.is_ascii_digit() || b"-+.eE".contains(b))
        {
            self.at += 1;
        }
        let text = std::str::from_utf8(&self.bytes[start..self.at]).map_err(|e| e.to_string())?;
        text.parse()
            .map(Json::Num)
            .map_err(|e| format!("{text}: {e}"))
    }

    /// `[…]` or `{…}` items, separated by commas, until `close`.
    fn items(
        &mut self,
        close: u8,
        mut item: impl FnMut(&mut Self) -> Result<(), String>,
    ) -> Result<(), String> {
        self.at += 1;
        self.space();
        if self.bytes.get(self.at) == Some(&close) {
            self.at += 1;
            return Ok(());
        }
        loop {
            item(self)?;
            self.space();
            match self.bytes.get(self.at) {
                Some(b',') => self.at += 1,
                Some(&c) if c == close => {
                    self.at += 1;
                    return Ok(());
                }
                _ => return Err(format!("expected , or close at {}", self.at)),
            }
        }
    }

    fn array(&mut self) -> Result<Json, String> {
        let mut values = Vec::new();
        self.items(b']', |reader| {
            values.push(reader.value()?);
            Ok(())
        })?;
        Ok(Json::Arr(values))
    }

    fn object(&mut self) -> Result<Json, String> {
        let mut entries = Vec::new();
        self.items(b'}', |reader| {
            reader.space();
            let key = reader.string()?;
            reader.space();
            if reader.bytes.get(reader.at) != Some(&b':') {
                return Err(format!("expected : at {}", reader.at));
            }
            reader.at += 1;
            entries.push((key, reader.value()?));
            Ok(())
        })?;
        Ok(Json::Obj(entries))
    }

    fn string(&mut self) -> Result<String, String> {
        if self.bytes.get(self.at) != Some(&b'"') {
            return Err(format!("expected a string at {}", self.at));
        }
        self.at += 1;
        let mut out = String::new();
        loop {
            let start = self.at;
            while self
                .bytes
                .get(self.at)
                .is_some_and(|&b| b != b'"' && b != b'\\')
            {
                if self.bytes[self.at] < 0x20 {
                    return Err(format!("a raw control character at {}", self.at));
                }
                self.at += 1;
            }
            out.push_str(
                std::str::from_utf8(&self.bytes[start..self.at]).map_err(|e| e.to_string())?,
            );
            match self.bytes.get(self.at) {
                Some(b'"') => {
                    self.at += 1;
                    return Ok(out);
                }
                Some(b'\\') => out.push(self.escape()?),
                _ => return Err("an unterminated string".to_string()),
            }
        }
    }

    fn escape(&mut self) -> Result<char, String> {
        let c = *self.bytes.get(self.at + 1).ok_or("an escape at the end")?;
        self.at += 2;
        Ok(match c {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'u' => {
                let hex =
                    std::str::from_utf8(self.bytes.get(self.at..self.at + 4).ok_or("short \\u")?)
                        .map_err(|e| e.to_string())?;
                self.at += 4;
                let code = u32::from_str_radix(hex, 16).map_err(|e| e.to_string())?;
                char::from_u32(code).ok_or("a surrogate (not written here)")?
            }
            _ => return Err(format!("a bad escape at {}", self.at)),
        })
    }
}

#[test]
fn the_reader_rejects_what_is_not_json() {
    assert_eq!(
        parse(r#"{"a":[1,-2.5e3,"x\"\u003cy"],"b":{"c":null,"d":true}}"#).map(|j| j.keys().len()),
        Ok(2)
    );
    for bad in [
        r#"{"a":1,}"#,
        r#"{"a" 1}"#,
        "{",
        r#"{"a":1} x"#,
        "\"a\nb\"",
        "[1 2]",
    ] {
        assert!(parse(bad).is_err(), "accepted {bad}");
    }
}

// ---------------------------------------------------------------------------------------------
// A trace with every kind of event
// ---------------------------------------------------------------------------------------------

const CLIENT: NodeId = NodeId::new(0);
const SERVICE: NodeId = NodeId::new(1);
const REPLICA: NodeId = NodeId::new(2);

#[allow(dead_code)] // read through Debug only
#[derive(Debug)]
struct Node {
    value: Option<i64>,
}

#[allow(dead_code)] // read through Debug only
#[derive(Debug)]
struct World {
    client: Node,
    service: Node,
    replicas: Vec<Node>,
}

fn world(client: Option<i64>, service: Option<i64>) -> String {
    let world = World {
        client: Node { value: client },
        service: Node { value: service },
        replicas: vec![Node { value: None }],
    };
    format!("{world:#?}")
}

fn event(time: u64, step: u64, kind: TraceKind) -> TraceEvent {
    TraceEvent { time, step, kind }
}

fn send(
    from: NodeId,
    to: NodeId,
    message: &str,
    mutated: Option<&str>,
    fate: SendFate,
) -> TraceKind {
    TraceKind::Sent {
        from,
        to,
        message: message.to_string(),
        mutated: mutated.map(str::to_string),
        fate,
    }
}

fn scheduled(arrives: u64, duplicate: Option<u64>) -> SendFate {
    SendFate::Scheduled { arrives, duplicate }
}

/// The start: three nodes start and send one message of each fate.
fn start(trace: &mut Trace) {
    for node in [CLIENT, SERVICE, REPLICA] {
        trace.push(event(0, 0, TraceKind::Started { node }));
    }
    let sends = [
        send(CLIENT, SERVICE, "Query", None, scheduled(2, Some(3))),
        send(
            CLIENT,
            REPLICA,
            "Ping(\"</script> \\\"q\\\"\")",
            None,
            SendFate::Lost,
        ),
        send(
            SERVICE,
            CLIENT,
            "Answer(1)",
            Some("Garbage(\"x\")"),
            scheduled(1, None),
        ),
        send(CLIENT, SERVICE, "Stop", None, SendFate::Partitioned),
        send(CLIENT, CLIENT, "Tick", None, SendFate::DroppedByMutate),
        send(CLIENT, CLIENT, "SelfPing", None, scheduled(4, None)),
    ];
    for kind in sends {
        trace.push(event(0, 0, kind));
    }
    trace.snapshot(0, 0, world(None, None));
}

fn delivered(from: NodeId, to: NodeId, message: &str) -> TraceKind {
    TraceKind::Delivered {
        from,
        to,
        message: message.to_string(),
    }
}

fn disk(op: DiskOp, error: Option<DiskError>) -> TraceKind {
    TraceKind::Disk {
        node: SERVICE,
        file: "wal".to_string(),
        op,
        error,
    }
}

/// Steps 1 and 2: deliveries, a note, every disk operation.
fn steps_one_and_two(trace: &mut Trace) {
    trace.push(event(1, 1, delivered(SERVICE, CLIENT, "Garbage(\"x\")")));
    trace.snapshot(1, 1, world(Some(1), None));
    trace.push(event(2, 2, delivered(CLIENT, SERVICE, "Query")));
    let note = TraceKind::Note {
        node: SERVICE,
        text: "answering\n<b>&\u{1}".to_string(),
    };
    trace.push(event(2, 2, note));
    let ops = [
        (DiskOp::Append { bytes: 4 }, None),
        (
            DiskOp::Write {
                offset: 4,
                bytes: 2,
            },
            None,
        ),
        (
            DiskOp::Sync {
                writes: 2,
                bytes: 6,
            },
            None,
        ),
        (
            DiskOp::Read {
                offset: 0,
                bytes: 6,
                corrupted: true,
            },
            Some(DiskError::Io),
        ),
        (DiskOp::Truncate { len: 3 }, Some(DiskError::Full)),
        (DiskOp::Remove, Some(DiskError::NotFound)),
    ];
    for (op, error) in ops {
        trace.push(event(2, 2, disk(op, error)));
    }
    trace.snapshot(2, 2, world(Some(1), Some(7)));
}

fn fate(offset: u64, bytes: u64, truncate: bool, fate: Fate) -> UnsyncedFate {
    UnsyncedFate {
        file: "wal".to_string(),
        offset,
        bytes,
        truncate,
        fate,
    }
}

/// Then the service loses power (the nemesis), misses a message and a timer, and restarts.
fn crash_and_restart(trace: &mut Trace) {
    let action = "crash_power service for 2 (restarts t=5)".to_string();
    trace.push(event(3, 2, TraceKind::Nemesis { action }));
    let fates = vec![
        fate(0, 4, false, Fate::Kept),
        fate(4, 2, false, Fate::Lost),
        fate(6, 8, false, Fate::Torn { kept: 4 }),
        fate(3, 0, true, Fate::Lost),
    ];
    trace.push(event(
        3,
        2,
        TraceKind::PowerLoss {
            node: SERVICE,
            fates,
        },
    ));
    let dropped = TraceKind::DroppedOnArrival {
        from: CLIENT,
        to: SERVICE,
        message: "Query".to_string(),
    };
    trace.push(event(3, 2, dropped));
    let lost = TraceKind::TimerLost {
        node: SERVICE,
        timer: "tick",
    };
    trace.push(event(3, 2, lost));
    trace.push(event(4, 3, delivered(CLIENT, CLIENT, "SelfPing")));
    trace.snapshot(4, 3, world(Some(1), Some(7)));
    let fired = TraceKind::TimerFired {
        node: CLIENT,
        timer: "retry",
    };
    trace.push(event(4, 4, fired));
    trace.snapshot(4, 4, world(Some(1), Some(7)));
    let restarted = TraceKind::Restarted {
        node: SERVICE,
        kind: CrashKind::Power,
    };
    trace.push(event(5, 5, restarted));
    trace.push(event(5, 5, TraceKind::Started { node: SERVICE }));
    trace.snapshot(5, 5, world(Some(1), None));
}

fn names() -> Vec<String> {
    ["client", "service", "replicas[0]"]
        .map(String::from)
        .to_vec()
}

fn sample() -> Trace {
    let mut trace = Trace::new(names());
    start(&mut trace);
    steps_one_and_two(&mut trace);
    crash_and_restart(&mut trace);
    trace
}

fn header() -> ExportHeader {
    ExportHeader {
        scenario: "tests::a \"quoted\" <scenario>".to_string(),
        seed: 3,
        kind: "invariant".to_string(),
        detail: "acked writes survive: lost key \"a\" & <b>".to_string(),
        failing_step: Some(5),
        replay: "MUSIL_SEED=3 cargo test --test wal -- a".to_string(),
        label: "shrunk".to_string(),
        sub_history: None,
    }
}

fn index_of(trace: &Trace, wanted: impl Fn(&TraceKind) -> bool) -> usize {
    trace
        .events()
        .iter()
        .position(|e| wanted(&e.kind))
        .expect("the sample has that event")
}

// ---------------------------------------------------------------------------------------------
// JSON Lines
// ---------------------------------------------------------------------------------------------

/// The keys each kind has besides the common ones.
fn kind_keys(kind: &str, op: Option<&str>) -> Vec<&'static str> {
    match (kind, op) {
        ("started", _) => vec!["node"],
        ("sent", _) => vec![
            "from",
            "to",
            "message",
            "mutated",
            "fate",
            "arrives",
            "duplicate",
        ],
        ("delivered" | "dropped_on_arrival", _) => vec!["from", "to", "message"],
        ("timer_fired" | "timer_lost", _) => vec!["node", "timer"],
        ("restarted", _) => vec!["node", "crash_kind"],
        ("disk", Some("append")) => vec!["node", "file", "op", "bytes", "error"],
        ("disk", Some("write")) => vec!["node", "file", "op", "offset", "bytes", "error"],
        ("disk", Some("read")) => vec![
            "node",
            "file",
            "op",
            "offset",
            "bytes",
            "corrupted",
            "error",
        ],
        ("disk", Some("truncate")) => vec!["node", "file", "op", "len", "error"],
        ("disk", Some("remove")) => vec!["node", "file", "op", "error"],
        ("disk", Some("sync")) => vec!["node", "file", "op", "writes", "bytes", "error"],
        ("power_loss", _) => vec!["node", "fates"],
        ("nemesis", _) => vec!["action"],
        ("note", _) => vec!["node", "note"],
        ("changed", _) => vec!["lines"],
        other => panic!("an undocumented kind: {other:?}"),
    }
}

#[test]
fn the_header_line_says_which_run_this_is() {
    let trace = sample();
    let text = jsonl(&trace, &header());
    let first = parse(text.lines().next().expect("a header")).expect("JSON");
    let keys = [
        "musil_trace",
        "scenario",
        "seed",
        "label",
        "kind",
        "detail",
        "failing_step",
        "replay",
        "nodes",
        "history",
    ];
    assert_eq!(first.keys(), keys);
    assert_eq!(first.get("musil_trace"), Some(&Json::Num(1.0)));
    assert_eq!(first.str("scenario"), header().scenario);
    assert_eq!(first.str("detail"), header().detail);
    assert_eq!(first.get("failing_step"), Some(&Json::Num(5.0)));
    let nodes = names().into_iter().map(Json::Str).collect();
    assert_eq!(first.get("nodes"), Some(&Json::Arr(nodes)));
    let passing = ExportHeader {
        failing_step: None,
        ..header()
    };
    let first = parse(jsonl(&trace, &passing).lines().next().expect("a header")).expect("JSON");
    assert_eq!(first.get("failing_step"), Some(&Json::Null));
}

#[test]
fn every_event_line_parses_with_the_documented_keys() {
    let trace = sample();
    let text = jsonl(&trace, &header());
    assert!(text.ends_with('\n'));
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), trace.events().len() + 1);
    let mut kinds = std::collections::BTreeSet::new();
    for (line, event) in lines[1..].iter().zip(trace.events()) {
        let value = parse(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        let kind = value.str("kind").to_string();
        let op = value.get("op").map(|_| value.str("op"));
        let mut expected = vec!["time", "step", "kind", "is_step", "text"];
        expected.extend(kind_keys(&kind, op));
        assert_eq!(value.keys(), expected, "{line}");
        assert_eq!(value.get("time"), Some(&Json::Num(event.time as f64)));
        assert_eq!(value.get("is_step"), Some(&Json::Bool(event.is_step())));
        assert_eq!(value.str("text"), trace.line(event).trim());
        kinds.insert(kind);
    }
    assert_eq!(kinds.len(), 12, "the sample has every kind: {kinds:?}");
}

#[test]
fn kind_specific_values_are_written_as_documented() {
    let trace = sample();
    let text = jsonl(&trace, &header());
    let values: Vec<Json> = text
        .lines()
        .skip(1)
        .map(|l| parse(l).expect("JSON"))
        .collect();
    let of_kind = |kind: &'static str| values.iter().filter(move |v| v.str("kind") == kind);
    let fates: Vec<&str> = of_kind("sent").map(|v| v.str("fate")).collect();
    assert_eq!(
        fates,
        [
            "scheduled",
            "lost",
            "scheduled",
            "partitioned",
            "dropped_by_mutate",
            "scheduled"
        ]
    );
    let query = of_kind("sent").next().expect("a send");
    assert_eq!(query.get("arrives"), Some(&Json::Num(2.0)));
    assert_eq!(query.get("duplicate"), Some(&Json::Num(3.0)));
    assert_eq!(query.get("mutated"), Some(&Json::Null));
    let ping = of_kind("sent").nth(1).expect("a second send");
    assert_eq!(ping.str("message"), "Ping(\"</script> \\\"q\\\"\")");
    assert_eq!(ping.get("arrives"), Some(&Json::Null));
    let answer = of_kind("sent").nth(2).expect("a third send");
    assert_eq!(answer.str("mutated"), "Garbage(\"x\")");
    let errors: Vec<Option<&Json>> = of_kind("disk").map(|v| v.get("error")).collect();
    let io = Json::Str("io".to_string());
    assert_eq!(errors[3], Some(&io));
    assert_eq!(errors[0], Some(&Json::Null));
    let note = of_kind("note").next().expect("a note");
    assert_eq!(note.str("note"), "answering\n<b>&\u{1}");
    let power = of_kind("power_loss").next().expect("a power loss");
    let Some(Json::Arr(fates)) = power.get("fates") else {
        panic!("fates is an array: {power:?}")
    };
    assert_eq!(fates.len(), 4);
    assert_eq!(fates[2].str("fate"), "torn");
    assert_eq!(fates[2].get("kept"), Some(&Json::Num(4.0)));
    assert_eq!(fates[3].get("truncate"), Some(&Json::Bool(true)));
    let restart = of_kind("restarted").next().expect("a restart");
    assert_eq!(restart.str("crash_kind"), "power");
}

// ---------------------------------------------------------------------------------------------
// The chart
// ---------------------------------------------------------------------------------------------

#[test]
fn sends_are_matched_to_their_arrivals() {
    let trace = sample();
    let chart = Chart::new(&trace, Some(5));
    let row_of = |index: usize| chart.rows.iter().position(|&e| e == index).expect("a row");
    let delivered = |wanted: &str| {
        let found = index_of(
            &trace,
            |k| matches!(k, TraceKind::Delivered { message, .. } if message.starts_with(wanted)),
        );
        End::Delivered(row_of(found))
    };
    let dropped = index_of(&trace, |k| matches!(k, TraceKind::DroppedOnArrival { .. }));
    let ends: Vec<(&str, bool, End)> = chart
        .arrows
        .iter()
        .map(|a| (a.message.as_str(), a.duplicate, a.end))
        .collect();
    let expected = [
        ("Query", false, delivered("Query")),
        ("Query", true, End::DroppedOnArrival(row_of(dropped))),
        ("Ping(\"</script> \\\"q\\\"\")", false, End::DroppedAtSend),
        ("Answer(1)", false, delivered("Garbage")),
        ("Stop", false, End::DroppedAtSend),
        ("Tick", false, End::DroppedAtSend),
        ("SelfPing", false, delivered("SelfPing")),
    ];
    assert_eq!(ends, expected);
    let rows = trace.events().len() - 3;
    assert_eq!(chart.rows.len(), rows, "Changed events have no row");
}

#[test]
fn a_down_window_runs_from_the_evidence_of_the_crash_to_the_restart() {
    let trace = sample();
    let chart = Chart::new(&trace, Some(5));
    let row_of = |index: usize| chart.rows.iter().position(|&e| e == index).expect("a row");
    let nemesis = index_of(&trace, |k| matches!(k, TraceKind::Nemesis { .. }));
    let restart = index_of(&trace, |k| matches!(k, TraceKind::Restarted { .. }));
    let last_disk = trace
        .events()
        .iter()
        .rposition(|e| matches!(e.kind, TraceKind::Disk { .. }));
    assert_eq!(chart.downs.len(), 1, "{:?}", chart.downs);
    let down = &chart.downs[0];
    assert_eq!((down.lane, down.kind), (1, Some(CrashKind::Power)));
    assert_eq!(down.evidence, Some(row_of(nemesis)));
    assert_eq!(
        down.after_last_sign,
        row_of(last_disk.expect("a disk op")) + 1
    );
    assert_eq!((down.end, down.restart), (row_of(restart), Some(restart)));
    let last_of_step_5 = trace
        .events()
        .iter()
        .rposition(|e| e.step == 5 && !matches!(e.kind, TraceKind::Changed { .. }));
    assert_eq!(chart.failing_row, last_of_step_5.map(row_of));
}

#[test]
fn a_node_still_down_at_the_end_is_shaded_to_the_end() {
    let mut trace = Trace::new(names());
    trace.push(event(0, 0, TraceKind::Started { node: SERVICE }));
    trace.push(event(
        0,
        0,
        send(CLIENT, SERVICE, "Query", None, scheduled(2, None)),
    ));
    let dropped = TraceKind::DroppedOnArrival {
        from: CLIENT,
        to: SERVICE,
        message: "Query".to_string(),
    };
    trace.push(event(2, 0, dropped));
    trace.push(event(
        3,
        1,
        TraceKind::TimerFired {
            node: CLIENT,
            timer: "t",
        },
    ));
    let chart = Chart::new(&trace, None);
    assert_eq!(chart.failing_row, None);
    let down = chart.downs.first().expect("a down window");
    assert_eq!((down.lane, down.kind, down.evidence), (1, None, Some(2)));
    assert_eq!((down.after_last_sign, down.end, down.restart), (1, 3, None));
}

// ---------------------------------------------------------------------------------------------
// HTML
// ---------------------------------------------------------------------------------------------

/// Whether the page refers to anything outside itself.
fn external_references(page: &str) -> Vec<String> {
    let lower = page.to_lowercase();
    let mut found = Vec::new();
    for bad in [
        "http:", "https:", "@import", "<link", "<iframe", "<img", "ftp:", "//cdn",
    ] {
        if lower.contains(bad) {
            found.push(bad.to_string());
        }
    }
    for (at, _) in lower.match_indices("src=") {
        if !lower[at + 4..]
            .trim_start_matches(['"', '\''])
            .starts_with("data:")
        {
            found.push(lower[at..(at + 30).min(lower.len())].to_string());
        }
    }
    for (at, _) in lower.match_indices("url(") {
        if !lower[at + 4..]
            .trim_start_matches(['"', '\''])
            .starts_with('#')
        {
            found.push(lower[at..(at + 30).min(lower.len())].to_string());
        }
    }
    found
}

#[test]
fn the_page_refers_to_nothing_outside_itself() {
    let page = html(&sample(), &header());
    assert_eq!(external_references(&page), Vec::<String>::new());
    assert_eq!(page.matches("<script").count(), 2);
    assert_eq!(
        page.matches("</script>").count(),
        2,
        "a payload closed no script"
    );
    assert!(!page.contains("<b>"), "a note's markup is escaped");
    assert!(page.contains("answering\n&lt;b&gt;&amp;"));
    assert!(page.contains("&quot;quoted&quot; &lt;scenario&gt;"));
    let checker =
        external_references("<img src=\"http://x\"><div style=\"background:url(a.png)\">");
    assert_eq!(checker.len(), 4, "{checker:?}");
}

#[test]
fn the_chart_has_a_lane_per_node_and_its_marks() {
    let trace = sample();
    let page = html(&trace, &header());
    assert_eq!(page.matches("class=\"lane\"").count(), 3);
    for name in ["client", "service", "replicas[0]"] {
        assert_eq!(
            page.matches(&format!("class=\"lane\" data-node=\"{name}\""))
                .count(),
            1
        );
    }
    assert_eq!(
        page.matches("class=\"msg\"").count(),
        2,
        "two plain deliveries"
    );
    assert_eq!(page.matches("class=\"msg dropped").count(), 4);
    assert_eq!(page.matches("class=\"msg mutated\"").count(), 1);
    assert_eq!(page.matches("class=\"msg dropped dup\"").count(), 1);
    assert_eq!(page.matches("class=\"failing-step\"").count(), 1);
    assert!(page.contains("✗ failing step 5"));
    assert_eq!(page.matches("class=\"timer\"").count(), 1);
    assert_eq!(page.matches("class=\"timer lost\"").count(), 1);
    assert_eq!(page.matches("class=\"note\"").count(), 1);
    assert_eq!(page.matches("class=\"power\"").count(), 1);
    assert_eq!(page.matches("class=\"disk sync\"").count(), 1);
    assert_eq!(page.matches("class=\"down power\"").count(), 1);
    assert!(page.contains("id=\"panel\""));
    let start = page.find("<svg id=\"chart-svg\"").expect("the chart");
    let chart = &page[start..start + page[start..].find("</svg>").expect("its end")];
    let marked: std::collections::BTreeSet<usize> = chart
        .match_indices("data-event=\"")
        .map(|(at, m)| {
            let rest = &chart[at + m.len()..];
            rest[..rest.find('"').expect("a closing quote")]
                .parse()
                .expect("an index")
        })
        .collect();
    let rowed = trace
        .events()
        .iter()
        .filter(|e| !matches!(e.kind, TraceKind::Changed { .. }))
        .count();
    assert_eq!(
        marked.len(),
        rowed,
        "every event but Changed has an element"
    );
}

/// The JSON blob of a page.
fn blob(page: &str) -> Json {
    let open = "<script type=\"application/json\" id=\"data\">";
    let start = page.find(open).expect("the data blob") + open.len();
    let end = start + page[start..].find("</script>").expect("its end");
    assert!(!page[start..end].contains('<'), "no < inside the blob");
    parse(&page[start..end]).expect("the blob is JSON")
}

#[test]
fn the_embedded_data_has_every_event_and_the_world_after_each_step() {
    let trace = sample();
    let data = blob(&html(&trace, &header()));
    let Some(Json::Arr(events)) = data.get("events") else {
        panic!("events: {data:?}")
    };
    assert_eq!(events.len(), trace.events().len());
    assert_eq!(events[4].str("message"), "Ping(\"</script> \\\"q\\\"\")");
    let failing = trace.events().len() - 2;
    assert_eq!(data.get("failing_event"), Some(&Json::Num(failing as f64)));
    let Some(Json::Arr(states)) = data.get("states") else {
        panic!("states: {data:?}")
    };
    assert_eq!(states.len(), trace.snapshots().len());
    let after_one = &states[1];
    let client = Json::Str("client: Node { value: Some(1) }".to_string());
    assert_eq!(
        after_one.get("lines").and_then(|l| match l {
            Json::Arr(l) => l.first(),
            _ => None,
        }),
        Some(&client)
    );
    assert_eq!(
        after_one.get("changed"),
        Some(&Json::Arr(vec![Json::Num(0.0)]))
    );
    let diff = Json::Arr(vec![Json::Str(
        "client: Node { value: Some(1) }".to_string(),
    )]);
    assert_eq!(after_one.get("diff"), Some(&diff));
}

#[test]
fn a_thousand_events_make_a_tall_page_quickly() {
    let mut trace = Trace::new(names());
    for i in 0..500 {
        let arrives = i + 1;
        trace.push(event(
            i,
            i,
            send(
                CLIENT,
                SERVICE,
                &format!("Msg({i})"),
                None,
                scheduled(arrives, None),
            ),
        ));
        trace.push(event(
            arrives,
            i + 1,
            delivered(CLIENT, SERVICE, &format!("Msg({i})")),
        ));
    }
    let started = std::time::Instant::now();
    let page = html(&trace, &header());
    assert!(started.elapsed().as_secs() < 5);
    assert_eq!(page.matches("class=\"msg\"").count(), 500);
    assert!(page.contains("height=\"18042\""), "1000 rows of 18 px");
    assert!(page.len() < 2_000_000, "{} bytes", page.len());
}

// ---------------------------------------------------------------------------------------------
// Files
// ---------------------------------------------------------------------------------------------

#[test]
fn names_are_made_safe_for_files() {
    assert_eq!(
        file_name("tests::wal_kv::acked writes/survive"),
        "tests__wal_kv__acked_writes_survive"
    );
    assert_eq!(file_name("a-b_c.d"), "a-b_c.d");
    assert_eq!(file_name(".."), "__");
    assert_eq!(file_name(""), "_");
    assert_eq!(file_name("é"), "_");
    assert_eq!(stem(3, None), "seed-3");
    assert_eq!(stem(3, Some("original")), "seed-3-original");
    assert!(export_dir("a::b").ends_with("a__b"));
}

#[test]
fn the_target_folder_is_found_from_the_executable() {
    let found = |exe: &str| target_of(Path::new(exe));
    assert_eq!(
        found("/w/target/debug/deps/t-1"),
        Some(PathBuf::from("/w/target"))
    );
    assert_eq!(
        found("/w/target/x86_64-unknown-linux-gnu/release/examples/e"),
        Some(PathBuf::from("/w/target"))
    );
    assert_eq!(
        found("/w/out/debug/deps/t-1"),
        Some(PathBuf::from("/w/out"))
    );
    assert_eq!(found("/w/out/debug/tool"), Some(PathBuf::from("/w/out")));
}

#[test]
fn write_puts_both_files_in_the_folder() {
    let dir = std::env::temp_dir().join(format!("musil-export-unit-{}", std::process::id()));
    let trace = sample();
    let page = write(&dir, "seed-3", &trace, &header()).expect("written");
    assert_eq!(page, dir.join("seed-3.html"));
    let lines = fs::read_to_string(dir.join("seed-3.jsonl")).expect("the jsonl file");
    assert_eq!(lines, jsonl(&trace, &header()));
    assert!(
        fs::read_to_string(&page)
            .expect("the page")
            .starts_with("<!DOCTYPE html>")
    );
    fs::remove_dir_all(&dir).expect("cleaned up");
}

#[test]
fn a_history_that_cannot_be_ordered_is_in_the_header_and_drawn_above_the_chart() {
    use crate::history::{HistoryRow, SubHistory};
    let trace = Trace::new(vec!["client".to_string()]);
    let row = |client: &str, invoked, returned, op: &str, ret: Option<&str>, needed| HistoryRow {
        client: client.to_string(),
        invoked,
        returned,
        op: op.to_string(),
        ret: ret.map(str::to_string),
        needed,
    };
    let part = SubHistory {
        rows: vec![
            row("client", 0, Some(2), "Put(0, 1)", Some("Ok"), true),
            row("reader", 3, None, "Put(0, 2)", None, false),
            row(
                "reader",
                5,
                Some(6),
                "Get(0) <&>",
                Some("Value(None)"),
                true,
            ),
        ],
    };
    let header = ExportHeader {
        sub_history: Some(part),
        ..header()
    };
    let first = super::jsonl(&trace, &header);
    let first = first.lines().next().unwrap();
    assert!(first.contains(r#""history":[{"client":"client","invoked":0,"returned":2,"op":"Put(0, 1)","ret":"Ok","needed":true}"#), "{first}");
    assert!(first.contains(r#"{"client":"reader","invoked":3,"returned":null,"op":"Put(0, 2)","ret":null,"needed":false}"#), "{first}");
    let page = super::html(&trace, &header);
    assert!(page.contains("<section id=\"history\">"), "{page}");
    assert_eq!(page.matches("class=\"h-op\"").count(), 2);
    assert_eq!(page.matches("class=\"h-op pending\"").count(), 1);
    assert!(
        page.contains("Get(0) &lt;&amp;&gt; → <tspan class=\"needed\">Value(None)</tspan>"),
        "{page}"
    );
    let none = super::jsonl(&trace, &super::tests::header());
    assert!(none.lines().next().unwrap().ends_with(r#""history":null}"#));
}
