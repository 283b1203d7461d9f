//! The HTML export: one self-contained page (inline CSS, SVG and script; nothing fetched) with
//! the run's header, the message-sequence chart (`svg`), and a side panel that shows a clicked
//! event, its message and the world at that point, from a JSON blob embedded in the page.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::sim::debug_text::one_node_a_line;
use crate::sim::trace::{Trace, TraceKind};

use super::chart::Chart;
use super::header::ExportHeader;
use super::json::{Context, Object, array};
use super::jsonl::event_line;
use super::svg::{Geometry, svg};
use super::text::escape;

/// The whole page.
pub(crate) fn html(trace: &Trace, header: &ExportHeader) -> String {
    let chart = Chart::new(trace, header.failing_step);
    let mut out = String::with_capacity(4096 + trace.events().len() * 900);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>musil · {} · seed {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        escape(&header.scenario),
        header.seed,
    );
    page_header(&mut out, trace, header);
    if let Some(part) = &header.sub_history {
        out.push_str(&super::history_svg::section(part));
    }
    out.push_str("<main>\n<div id=\"chart\">");
    lane_heads(&mut out, trace, chart.rows.len());
    out.push_str(&svg(trace, &chart));
    out.push_str(
        "</div>\n<aside id=\"panel\"><p class=\"hint\">Click an event — a row, an arrow, a \
         marker — to see it here, with the world at that point.</p></aside>\n</main>\n",
    );
    out.push_str("<script type=\"application/json\" id=\"data\">");
    out.push_str(&data(trace, &chart));
    out.push_str("</script>\n<script>");
    out.push_str(SCRIPT);
    out.push_str("</script>\n</body>\n</html>\n");
    out
}

/// The header: verdict, scenario, seed, label, detail, failing step, replay command, controls.
fn page_header(out: &mut String, trace: &Trace, header: &ExportHeader) {
    let failed = header.failing_step.is_some() && header.label != "passing";
    let (mark, verdict) = if failed {
        ("✗", "fail")
    } else {
        ("✓", "pass")
    };
    let step = header
        .failing_step
        .map(|step| format!("failing step {step} · "))
        .unwrap_or_default();
    let _ = write!(
        out,
        "<header>\n<h1><span class=\"verdict {verdict}\">{mark}</span> {kind} — {scenario} \
         <span class=\"seed\">seed {seed}</span> <span class=\"tag\">{label}</span></h1>\n\
         <p class=\"detail\">{detail}</p>\n\
         <p class=\"meta\">{step}{events} events · {nodes} nodes · replay: <code>{replay}</code></p>\n",
        kind = escape(&header.kind),
        scenario = escape(&header.scenario),
        seed = header.seed,
        label = escape(&header.label),
        detail = escape(&header.detail),
        events = trace.events().len(),
        nodes = trace.names().len(),
        replay = escape(&header.replay),
    );
    out.push_str(CONTROLS);
    out.push_str("</header>\n");
}

/// The timers' toggle, the jump to the failure, and the legend.
const CONTROLS: &str = "<div class=\"controls\">\
<label><input type=\"checkbox\" id=\"show-timers\" checked> show timers</label>\
<button type=\"button\" id=\"to-failure\">go to the failing step</button>\
<details class=\"legend\"><summary>legend</summary><ul>\
<li><span class=\"sw msg\"></span> message, from its send to its delivery; label: its payload</li>\
<li><span class=\"sw mutated\"></span> ⇒ mutated in transit (the label shows what arrived)</li>\
<li><span class=\"sw dup\"></span> the network's duplicate</li>\
<li><span class=\"sw dropped\"></span> ✗ dropped: at the send (lost, partitioned, by mutate) or on arrival at a down node</li>\
<li><span class=\"sw warm\"></span><span class=\"sw cold\"></span><span class=\"sw power\"></span> node down (warm, cold, power crash); faint: no sign of life yet, not known down</li>\
<li>clock: a timer fired (crossed: lost while down) · floppy: a disk operation (blue: sync, red: failed) · bolt: a power loss · triangle: a restart · page: a note · dashed violet: the nemesis</li>\
<li><span class=\"sw failing\"></span> the last event of the step after which the failure was found</li>\
</ul></details></div>\n";

/// The lanes' names again, in a strip that stays at the top while the chart scrolls.
fn lane_heads(out: &mut String, trace: &Trace, rows: usize) {
    let geometry = Geometry::new(trace.names(), rows);
    let _ = write!(
        out,
        "<div id=\"heads\" aria-hidden=\"true\"><svg width=\"{}\" height=\"26\">",
        geometry.width()
    );
    for (lane, name) in trace.names().iter().enumerate() {
        let _ = write!(
            out,
            "<text class=\"lane-head\" x=\"{}\" y=\"18\" text-anchor=\"middle\">{}</text>",
            geometry.lane_x(lane),
            escape(name)
        );
    }
    out.push_str("</svg></div>");
}

/// The data the panel shows: every event (as in the JSON Lines export), the failing event, and
/// the world a node a line after each step, with what that step changed.
fn data(trace: &Trace, chart: &Chart) -> String {
    let events: Vec<String> = trace
        .events()
        .iter()
        .map(|event| event_line(trace, event, Context::Script))
        .collect();
    Object::new(Context::Script)
        .raw("events", &array(&events))
        .opt_num(
            "failing_event",
            chart.failing_row.map(|row| chart.rows[row] as u64),
        )
        .raw("states", &states(trace))
        .finish()
}

/// `[{"step":s,"lines":[…],"changed":[i,…],"diff":[…]},…]`: after each snapshot's step, the
/// world a node a line, which of those lines differ from the snapshot before, and the step's
/// `Changed` lines.
fn states(trace: &Trace) -> String {
    let mut diffs: BTreeMap<u64, Vec<&str>> = BTreeMap::new();
    for event in trace.events() {
        if let TraceKind::Changed { lines } = &event.kind {
            diffs
                .entry(event.step)
                .or_default()
                .extend(lines.iter().map(String::as_str));
        }
    }
    let mut previous: Vec<String> = Vec::new();
    let mut states = Vec::new();
    for (index, (step, pretty)) in trace.snapshots().iter().enumerate() {
        let lines = one_node_a_line(pretty);
        let changed: Vec<u64> = if index == 0 {
            Vec::new()
        } else {
            let differs = |(i, line): &(usize, &String)| previous.get(*i) != Some(*line);
            lines
                .iter()
                .enumerate()
                .filter(differs)
                .map(|(i, _)| i as u64)
                .collect()
        };
        let diff = diffs.get(step).map(Vec::as_slice).unwrap_or_default();
        let state = Object::new(Context::Script)
            .num("step", *step)
            .strs("lines", lines.iter().map(String::as_str))
            .nums("changed", changed)
            .strs("diff", diff.iter().copied())
            .finish();
        states.push(state);
        previous = lines;
    }
    array(&states)
}

/// The page's style: system fonts only.
const STYLE: &str = include_str!("page.css");

/// The page's script: the panel, selection, and folding the timers' rows away.
const SCRIPT: &str = include_str!("page.js");
