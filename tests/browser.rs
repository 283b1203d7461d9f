//! The HTML export in a real browser: headless Chromium loads two exported pages — the
//! byzantine showcase's corrupted answer, and a store that acknowledges a write before syncing it
//! and loses it to a power loss — and the DOM it dumps (after the page's script ran) must show a
//! lane per node, message arrows, the failing step's mark, the power loss, and the side panel
//! filled in for the failing event. One run also takes a screenshot: `docs/byzantine-failure.png`
//! is rewritten only under `MUSIL_UPDATE_SCREENSHOT=1`.
//!
//! Without a Chromium on `PATH` (`chromium`, `chromium-browser`, `google-chrome`) the tests say
//! so and pass; `.ci/run` installs Debian's `chromium` where it can.

#[path = "../examples/byzantine_service.rs"]
#[allow(dead_code)]
mod showcase;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};
use std::{env, fs, thread};

use musil::forensics::export::{self, ExportHeader};
use musil::prelude::*;

/// How long one headless run may take before it is killed.
const BROWSER_TIMEOUT: Duration = Duration::from_secs(60);

/// One browser at a time: the tests of this file run on threads of one process.
static BROWSER: Mutex<()> = Mutex::new(());

/// The first Chromium on `PATH`.
fn chromium() -> Option<PathBuf> {
    let path = env::var_os("PATH")?;
    let names = [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ];
    names
        .iter()
        .flat_map(|name| env::split_paths(&path).map(move |dir| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

/// Chromium, or a line saying why the test is skipped.
fn browser_or_skip() -> Option<PathBuf> {
    let found = chromium();
    if found.is_none() {
        println!("skipped: no chromium on PATH (.ci/run installs Debian's chromium)");
    }
    found
}

/// A fresh folder of its own under the system's temporary folder.
fn scratch(name: &str) -> PathBuf {
    let dir = env::temp_dir().join(format!("musil-browser-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("a scratch folder");
    dir
}

/// Runs headless Chromium on `page` with `args` and returns what it printed; panics if it does
/// not finish within [`BROWSER_TIMEOUT`].
fn headless(browser: &Path, page: &Path, args: &[&str]) -> String {
    let _one = BROWSER
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let profile = scratch(&format!(
        "profile-{}",
        page.file_stem().map_or("x".into(), |s| s.to_string_lossy())
    ));
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromium starts");
    let mut stdout = child.stdout.take().expect("its output");
    let reader = thread::spawn(move || {
        let mut text = String::new();
        let _ = stdout.read_to_string(&mut text);
        text
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("chromium's status") {
            break status;
        }
        if started.elapsed() > BROWSER_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "chromium did not finish within {BROWSER_TIMEOUT:?} on {}",
                page.display()
            );
        }
        thread::sleep(Duration::from_millis(50));
    };
    let text = reader.join().expect("the output");
    let _ = fs::remove_dir_all(&profile);
    assert!(
        status.success(),
        "chromium failed ({status}) on {}",
        page.display()
    );
    text
}

/// What the header of a failure's export says.
fn header_of<S>(failure: &SimFailure<S>) -> ExportHeader {
    ExportHeader::of(failure, "original")
}

/// Writes the exports of `failure` into `dir`; returns the page.
fn exported<S>(failure: &SimFailure<S>, dir: &Path) -> PathBuf {
    let trace = failure.trace().expect("a failure has its trace");
    export::write(
        dir,
        &export::stem(failure.seed(), None),
        trace,
        &header_of(failure),
    )
    .expect("written")
}

/// Checks what every dumped page must show: a lane per node, an arrow, the failing mark, and
/// the panel filled in by the script.
fn check_dom(dom: &str, names: &[&str]) {
    assert!(
        dom.contains("<svg id=\"chart-svg\""),
        "the chart is in the DOM"
    );
    assert_eq!(
        dom.matches("class=\"lane\"").count(),
        names.len(),
        "a lane per node"
    );
    for name in names {
        assert!(
            dom.contains(&format!("class=\"lane\" data-node=\"{name}\"")),
            "the lane of {name}"
        );
    }
    let arrows = dom.matches("<g class=\"msg\"").count() + dom.matches("<g class=\"msg ").count();
    assert!(arrows >= 1, "a message arrow");
    assert!(
        dom.contains("class=\"failing-step"),
        "the failing step's mark"
    );
    let panel = &dom[dom.find("id=\"panel\"").expect("the panel")..];
    assert!(
        panel.contains("<h2>event "),
        "the script showed the failing event in the panel"
    );
    assert!(
        panel.contains("class=\"state\""),
        "with the world at that point"
    );
}

#[test]
fn the_byzantine_failure_renders_in_chromium() {
    let Some(browser) = browser_or_skip() else {
        return;
    };
    let started = Instant::now();
    let failure = Scenario::new(showcase::Wire::default)
        .name("corrupted_wire_breaks_strict_client")
        .network(NetworkModel::reliable().mutate(showcase::corrupt))
        .run_seeds(&[0])
        .into_failure()
        .expect("a corrupting wire breaks the strict client");
    let dir = scratch("byzantine");
    let page = exported(&failure, &dir);
    let dom = headless(&browser, &page, &["--dump-dom"]);
    check_dom(&dom, &["client", "service"]);
    assert!(
        dom.contains("class=\"msg mutated"),
        "the corrupted answer is marked"
    );
    assert!(dom.contains("⇒ mutated"));
    screenshot(&browser, &page, &dir);
    fs::remove_dir_all(&dir).expect("cleaned up");
    println!("the byzantine page rendered in {:?}", started.elapsed());
}

/// Takes a screenshot of `page`: into `docs/` under `MUSIL_UPDATE_SCREENSHOT=1`, else into
/// `dir` (checked to be a PNG, and left alone).
fn screenshot(browser: &Path, page: &Path, dir: &Path) {
    let update = env::var("MUSIL_UPDATE_SCREENSHOT").is_ok_and(|v| v == "1");
    let target = if update {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/byzantine-failure.png")
    } else {
        dir.join("byzantine-failure.png")
    };
    if let Some(folder) = target.parent() {
        fs::create_dir_all(folder).expect("the screenshot's folder");
    }
    let shot = format!("--screenshot={}", target.display());
    headless(
        browser,
        page,
        &[&shot, "--window-size=1200,900", "--hide-scrollbars"],
    );
    let png = fs::read(&target).expect("the screenshot");
    assert!(png.starts_with(b"\x89PNG"), "a PNG");
    assert!(
        png.len() > 10_000,
        "a picture of something: {} bytes",
        png.len()
    );
}

// ---------------------------------------------------------------------------------------------
// A store that acknowledges before it syncs, and a power loss
// ---------------------------------------------------------------------------------------------

/// The store's log.
const WAL: &str = "wal";

#[derive(Clone, Debug, PartialEq)]
enum Kv {
    Put(u8),
    Ack(u8),
}

/// Writes key 1 at once and key 2 a little later, and remembers which were acknowledged.
#[derive(Debug, Default)]
struct Writer {
    acked: Vec<u8>,
}

impl Node<Kv> for Writer {
    fn on_start(&mut self, ctx: &mut Context<Kv>) {
        ctx.send("store", Kv::Put(1));
        ctx.set_timer("next", 3);
    }

    fn on_message(&mut self, _ctx: &mut Context<Kv>, _from: NodeId, msg: Kv) {
        if let Kv::Ack(key) = msg {
            self.acked.push(key);
        }
    }

    fn on_timer(&mut self, ctx: &mut Context<Kv>, _name: &'static str) {
        ctx.send("store", Kv::Put(2));
    }
}

/// Appends each key to its log and acknowledges it at once; syncs every 2 ticks; after a
/// restart, reads its keys back from the log.
#[derive(Debug, Default)]
struct Store {
    keys: Vec<u8>,
}

impl Node<Kv> for Store {
    fn on_start(&mut self, ctx: &mut Context<Kv>) {
        self.keys = ctx.disk().read_all(WAL).unwrap_or_default();
        if ctx.now() > 0 {
            ctx.note(format!("recovered {} keys from the log", self.keys.len()));
        }
        ctx.set_timer("sync", 2);
    }

    fn on_message(&mut self, ctx: &mut Context<Kv>, from: NodeId, msg: Kv) {
        if let Kv::Put(key) = msg {
            let _ = ctx.disk().append(WAL, &[key]);
            self.keys.push(key);
            ctx.send(from, Kv::Ack(key));
        }
    }

    fn on_timer(&mut self, ctx: &mut Context<Kv>, _name: &'static str) {
        let _ = ctx.disk().sync(WAL);
        ctx.set_timer("sync", 2);
    }
}

#[derive(System, Debug, Default)]
struct Kvs {
    writer: Writer,
    store: Store,
}

/// Every acknowledged key is in the store.
fn acked_keys_survive(world: &Kvs) -> Result<(), String> {
    match world
        .writer
        .acked
        .iter()
        .find(|key| !world.store.keys.contains(key))
    {
        Some(key) => Err(format!("key {key} was acknowledged but the store lost it")),
        None => Ok(()),
    }
}

#[test]
fn a_power_loss_renders_in_chromium() {
    let Some(browser) = browser_or_skip() else {
        return;
    };
    let failure = Scenario::new(Kvs::default)
        .name("browser::acked_keys_survive_a_power_loss")
        .network(NetworkModel::reliable())
        .storage(StorageModel::reliable())
        // Key 2 is appended at t=4 and acknowledged; the power goes at t=5, before the sync.
        .faults(FaultSchedule::new().crash(Crash::power("store", 5, 8)))
        .invariant("acked keys survive", acked_keys_survive)
        .max_steps(40)
        .run_seeds(&[0])
        .into_failure()
        .expect("the store acknowledges before it syncs");
    assert!(
        failure.detail().contains("acked keys survive"),
        "{}",
        failure.detail()
    );
    let dir = scratch("power");
    let page = exported(&failure, &dir);
    let html = fs::read_to_string(&page).expect("the page");
    let dom = headless(&browser, &page, &["--dump-dom"]);
    check_dom(&dom, &["writer", "store"]);
    for (what, class) in [
        ("the power loss", "power"),
        ("the disk", "disk"),
        ("the note", "note"),
        ("the sync timer", "timer"),
    ] {
        assert!(
            dom.contains(&format!("<g class=\"{class}")),
            "{what} in the DOM\n{html}"
        );
    }
    assert!(
        dom.contains("class=\"down power"),
        "the store's lane is shaded while it is down"
    );
    history_section_renders(&browser, &failure, &dir);
    fs::remove_dir_all(&dir).expect("cleaned up");
}

/// A history that cannot be ordered is drawn above the chart: a row per client, a bar per
/// operation, the needed returns marked (the trace is the power loss's; the history is made up).
fn history_section_renders(browser: &Path, failure: &SimFailure<Kvs>, dir: &Path) {
    use musil::history::{HistoryRow, SubHistory};
    let row = |client: &str, span: (u64, Option<u64>), op: &str, ret: Option<&str>| HistoryRow {
        client: client.to_string(),
        invoked: span.0,
        returned: span.1,
        op: op.to_string(),
        ret: ret.map(str::to_string),
        needed: ret.is_some(),
    };
    let header = ExportHeader {
        sub_history: Some(SubHistory {
            rows: vec![
                row("writer", (0, Some(2)), "Put(0, 1)", Some("Ok")),
                row("reader", (1, None), "Put(0, 2)", None),
                row("reader", (4, Some(6)), "Get(0)", Some("Value(None)")),
            ],
        }),
        ..header_of(failure)
    };
    let trace = failure.trace().expect("a trace");
    let page = export::write(dir, "history", trace, &header).expect("written");
    let dom = headless(browser, &page, &["--dump-dom"]);
    assert!(dom.contains("<section id=\"history\">"), "{dom}");
    assert_eq!(dom.matches("class=\"h-op\"").count(), 2, "{dom}");
    assert_eq!(dom.matches("class=\"h-op pending\"").count(), 1, "{dom}");
    assert!(
        dom.contains(">reader</text>") && dom.contains(">writer</text>"),
        "{dom}"
    );
}
