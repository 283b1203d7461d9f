//! Exports of a run: a JSON Lines file for tools, and a self-contained HTML page for people.
//!
//! [`jsonl()`] and [`html()`] turn a [`Trace`] (from [`SimFailure::trace`](crate::SimFailure::trace))
//! and an [`ExportHeader`] into text; [`write()`] puts both in a folder, and [`export_dir`] says
//! which folder a scenario's exports go to.
//!
//! # The JSON Lines schema (version 1)
//!
//! This is a public contract: a change that breaks a reader bumps `musil_trace`. Every line is
//! one JSON object; strings are JSON-escaped, with UTF-8 kept as is.
//!
//! The first line is the header:
//!
//! ```text
//! {"musil_trace":1,"scenario":"…","seed":3,"label":"shrunk","kind":"invariant",
//!  "detail":"…","failing_step":4,"replay":"MUSIL_SEED=3 cargo test …","nodes":["client","service"],
//!  "history":null}
//! ```
//!
//! - `label`: `"shrunk"`, `"original"` or `"passing"` (what the caller said).
//! - `failing_step`: the step after which the failure was found, or `null`.
//! - `nodes`: the node names, in declaration order; events name nodes by these names.
//! - `history`: for a `linearizability` failure, the smallest part of the run's history that
//!   cannot be ordered, an array of `{"client","invoked","returned","op","ret","needed"}` in
//!   invocation order (`returned` and `ret` are `null` for a pending operation; `needed` says
//!   whether the contradiction needs that return); otherwise `null`. Added in version 1 as an
//!   optional key: readers that do not know it can ignore it.
//!
//! Then one line per trace event, in order. Every event has these keys:
//!
//! | key | value |
//! | --- | --- |
//! | `time` | virtual time (number) |
//! | `step` | the step the event belongs to (0: the start phase) |
//! | `kind` | `started`, `sent`, `delivered`, `dropped_on_arrival`, `timer_fired`, `timer_lost`, `restarted`, `disk`, `power_loss`, `nemesis`, `note`, `buggify` or `changed` |
//! | `is_step` | whether the event is a step of its own (a delivery, a fired timer, a restart) |
//! | `text` | the event as the trace prints it ([`Trace::line`], trimmed) |
//!
//! and the keys of its kind:
//!
//! | `kind` | keys |
//! | --- | --- |
//! | `started` | `node` |
//! | `sent` | `from`, `to`, `message`, `mutated` (what the network's `mutate` made of the message, or `null`), `fate` (`"scheduled"`, `"partitioned"`, `"lost"`, `"dropped_by_mutate"`), `arrives` and `duplicate` (arrival times, or `null`) |
//! | `delivered`, `dropped_on_arrival` | `from`, `to`, `message` (as delivered) |
//! | `timer_fired`, `timer_lost` | `node`, `timer` |
//! | `restarted` | `node`, `crash_kind` (`"warm"`, `"cold"`, `"power"`) |
//! | `disk` | `node`, `file`, `op` (`"append"`, `"write"`, `"read"`, `"truncate"`, `"remove"`, `"sync"`) and its numbers — `bytes` (append, write, read, sync), `offset` (write, read), `corrupted` (read, a boolean), `len` (truncate), `writes` (sync) — and `error` (`"io"`, `"full"`, `"not_found"`, or `null`) |
//! | `power_loss` | `node`, `fates`: an array of `{"file","offset","bytes","truncate","fate","kept"}`, one per unsynced change, `fate` being `"kept"`, `"lost"` or `"torn"`, and `kept` the bytes a torn write kept (else `null`) |
//! | `nemesis` | `action` |
//! | `note` | `node`, `note` (what the node said) |
//! | `buggify` | `node`, `site` (a `ctx.buggify` site that fired) |
//! | `changed` | `lines`: the lines of the world's pretty `Debug` that the step changed |
//!
//! # The HTML page
//!
//! One file, nothing fetched: inline CSS (system fonts), inline SVG, inline script. The chart
//! is static SVG, readable without the script: a lane per node (`<g class="lane"
//! data-node="NAME">`), a row per event with its time at the left and its text at the right,
//! an arrow per message from its send to its arrival (`class="msg"`; `msg dropped` ending in a
//! ✗ for a message lost, cut by a partition, dropped by `mutate` or dropped at a down node;
//! `msg mutated` for a payload changed in transit; `msg dup` dashed for a duplicate), markers for
//! timers (`class="timer"`), disk operations (`class="disk"`, `disk sync` for a sync), power
//! losses (`class="power"`), restarts and notes (`class="note"`), the windows a node was down
//! shaded by crash kind, and the failing step's band (`class="failing-step"`). For a
//! `linearizability` failure, a section above the chart (`<section id="history">`) draws the
//! inconsistent sub-history: a row per client, a bar per operation (`class="h-op"`, `h-op
//! pending` dashed to the edge), labelled with the operation and its return. Every element
//! that stands for an event carries `data-event="INDEX"`, its index in the trace. A click on one
//! shows, in the side panel (`id="panel"`), its text, its message, and the world a node a line
//! after its step, with the lines that step changed marked.

mod chart;
mod header;
mod history_svg;
mod html;
mod json;
mod jsonl;
mod svg;
mod text;

use std::path::{Path, PathBuf};
use std::{env, fs, io};

use crate::sim::trace::Trace;

pub use header::ExportHeader;

/// The JSON Lines export of `trace`: the header line, then one line per event (the schema is
/// in the [module doc](self)). Every line ends with a newline.
pub fn jsonl(trace: &Trace, header: &ExportHeader) -> String {
    jsonl::jsonl(trace, header)
}

/// The HTML export of `trace`: one self-contained page with the message-sequence chart and a
/// panel that shows a clicked event and the world at that point (see the [module doc](self)).
pub fn html(trace: &Trace, header: &ExportHeader) -> String {
    html::html(trace, header)
}

/// The folder the exports of `scenario` go to: `$MUSIL_TRACE_DIR/<scenario>` if that variable
/// is set, else `<target>/musil/<scenario>`, where `<target>` is `$CARGO_TARGET_DIR` if set, else
/// the `target` folder that holds the running executable, else `./target`. The scenario's name
/// is made safe for a file name: characters other than ASCII letters, digits, `_`, `.` and `-`
/// become `_` (`a::b` is `a__b`).
pub fn export_dir(scenario: &str) -> PathBuf {
    let name = file_name(scenario);
    if let Some(dir) = env::var_os("MUSIL_TRACE_DIR").filter(|dir| !dir.is_empty()) {
        return PathBuf::from(dir).join(name);
    }
    target_dir().join("musil").join(name)
}

/// The stem of an export's files: `seed-3` for the primary export, `seed-3-original` for one
/// with a label beside it.
pub fn stem(seed: u64, label: Option<&str>) -> String {
    match label {
        Some(label) => format!("seed-{seed}-{}", file_name(label)),
        None => format!("seed-{seed}"),
    }
}

/// Writes `<dir>/<stem>.jsonl` and `<dir>/<stem>.html` (creating `dir` if needed; see [`stem`]
/// for the usual stems) and returns the path of the HTML file. The stem is made safe for a file
/// name as [`export_dir`] does a scenario's name.
pub fn write(dir: &Path, stem: &str, trace: &Trace, header: &ExportHeader) -> io::Result<PathBuf> {
    fs::create_dir_all(dir)?;
    let stem = file_name(stem);
    fs::write(dir.join(format!("{stem}.jsonl")), jsonl(trace, header))?;
    let page = dir.join(format!("{stem}.html"));
    fs::write(&page, html(trace, header))?;
    Ok(page)
}

/// `name` as a safe file name: ASCII letters, digits, `_`, `.` and `-` kept, anything else
/// `_`; a name of dots only (or none at all) becomes underscores, so that it never names a
/// parent folder.
fn file_name(name: &str) -> String {
    let safe: String = name
        .chars()
        .map(|c| match c {
            'A'..='Z' | 'a'..='z' | '0'..='9' | '_' | '.' | '-' => c,
            _ => '_',
        })
        .collect();
    if safe.chars().all(|c| c == '.') {
        "_".repeat(safe.len().max(1))
    } else {
        safe
    }
}

/// `$CARGO_TARGET_DIR`, else the `target` folder of the running executable, else `./target`.
fn target_dir() -> PathBuf {
    if let Some(dir) = env::var_os("CARGO_TARGET_DIR").filter(|dir| !dir.is_empty()) {
        return PathBuf::from(dir);
    }
    env::current_exe()
        .ok()
        .and_then(|exe| target_of(&exe))
        .unwrap_or_else(|| PathBuf::from("target"))
}

/// The target folder an executable was built in: its nearest ancestor named `target`, else
/// the parent of its profile folder (`<target>/<profile>/deps/x`, `<target>/<profile>/x`).
fn target_of(exe: &Path) -> Option<PathBuf> {
    let named = exe
        .ancestors()
        .skip(1)
        .find(|dir| dir.file_name().is_some_and(|name| name == "target"));
    if let Some(dir) = named {
        return Some(dir.to_path_buf());
    }
    let mut dir = exe.parent()?;
    if dir
        .file_name()
        .is_some_and(|name| name == "deps" || name == "examples")
    {
        dir = dir.parent()?;
    }
    dir.parent().map(Path::to_path_buf)
}

#[cfg(test)]
mod tests;
