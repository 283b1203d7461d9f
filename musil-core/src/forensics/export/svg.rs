//! The message-sequence chart as static SVG: a lane per node, a row per event (time downward),
//! an arrow per message from its send to its arrival, markers for timers, disks, power losses,
//! restarts and notes, the windows a node was down shaded by crash kind, and the failing step
//! marked. The page's script only moves rows (to fold the timers away) and fills the panel.
//!
//! Every element that stands for an event carries `data-event="INDEX"` (the event's index in
//! the trace); rows carry `data-row`, arrows and down windows `data-r1`/`data-r2` (the rows they
//! span), so that the script can lay the chart out again.

use std::fmt::Write as _;

use crate::sim::disk::record::DiskOp;
use crate::sim::faults::CrashKind;
use crate::sim::trace::{Trace, TraceEvent, TraceKind};

use super::chart::{Arrow, Chart, Down, End};
use super::text::{body_of, escape, truncate};

/// The height of a row, in pixels.
pub(crate) const ROW: u64 = 18;
/// The y of a row's centre line, from the row's top.
const MID: u64 = ROW / 2;
/// Where the first row starts (above it: the lanes' names).
pub(crate) const TOP: u64 = 30;
/// The width of the time and step columns at the left.
const GUTTER: u64 = 84;
/// How many characters of an event's text the log column shows.
const LOG_CHARS: usize = 100;
/// The width of the log column.
const LOG_WIDTH: u64 = 880;
/// The width the failing step's label takes at the start of the log column.
const FAIL_LABEL: u64 = 150;
/// How many characters of a payload an arrow's label shows at least (more on a longer arrow).
const LABEL_CHARS: usize = 16;

/// Where things go: lanes across, rows down.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Geometry {
    lane_width: u64,
    lanes: u64,
    rows: u64,
}

impl Geometry {
    /// The geometry of a chart of `rows` rows for these node names.
    pub(crate) fn new(names: &[String], rows: usize) -> Self {
        let longest = names.iter().map(|n| n.chars().count()).max().unwrap_or(0) as u64;
        Geometry {
            lane_width: (longest * 8 + 28).clamp(150, 220),
            lanes: names.len() as u64,
            rows: rows as u64,
        }
    }

    /// The x of a lane's line.
    pub(crate) fn lane_x(&self, lane: usize) -> u64 {
        GUTTER + self.lane_width / 2 + lane as u64 * self.lane_width
    }

    /// The x where the log column starts: after the last lane and the labels beside it.
    fn log_x(&self) -> u64 {
        GUTTER + self.lanes * self.lane_width + self.lane_width / 2
    }

    /// The chart's width.
    pub(crate) fn width(&self) -> u64 {
        self.log_x() + LOG_WIDTH
    }

    /// The y of a row's top.
    pub(crate) fn top(&self, row: usize) -> u64 {
        TOP + row as u64 * ROW
    }

    /// The chart's height.
    pub(crate) fn height(&self) -> u64 {
        TOP + self.rows * ROW + 12
    }

    /// How many characters fit beside a lane's marker.
    fn beside_chars(&self) -> usize {
        ((self.lane_width - 16) / 7) as usize
    }
}

/// The whole chart as an `<svg>` element.
pub(crate) fn svg(trace: &Trace, chart: &Chart) -> String {
    let geometry = Geometry::new(trace.names(), chart.rows.len());
    let mut out = String::new();
    let _ = write!(
        out,
        "<svg id=\"chart-svg\" width=\"{w}\" height=\"{h}\" \
         viewBox=\"0 0 {w} {h}\" data-row-height=\"{ROW}\" data-top=\"{TOP}\">",
        w = geometry.width(),
        h = geometry.height(),
    );
    out.push_str(DEFS);
    backgrounds(&mut out, trace, chart, &geometry);
    lanes(&mut out, trace, chart, &geometry);
    out.push_str("<g class=\"arrows\">");
    for arrow in &chart.arrows {
        arrow_svg(&mut out, arrow, &geometry);
    }
    out.push_str("</g><g class=\"rows\">");
    for (row, &index) in chart.rows.iter().enumerate() {
        let failing = chart.failing_row == Some(row);
        row_svg(&mut out, trace, (row, index), failing, &geometry);
    }
    out.push_str("</g></svg>");
    out
}

/// The arrowheads.
const DEFS: &str = "<defs>\
<marker id=\"head\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" class=\"head\"/></marker>\
<marker id=\"head-mutated\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" class=\"head mutated\"/></marker>\
</defs>";

/// The rows' backgrounds (what a click on a row hits) and the failing step's band.
fn backgrounds(out: &mut String, trace: &Trace, chart: &Chart, geometry: &Geometry) {
    out.push_str("<g class=\"backgrounds\">");
    let width = geometry.width();
    for (row, &index) in chart.rows.iter().enumerate() {
        let timer = timer_class(&trace.events()[index]);
        let _ = write!(
            out,
            "<rect class=\"bg{timer}\" data-row=\"{row}\" data-event=\"{index}\" \
             transform=\"translate(0,{y})\" width=\"{width}\" height=\"{ROW}\"/>",
            y = geometry.top(row),
        );
    }
    if let Some(row) = chart.failing_row {
        failing_band(out, trace, (row, chart.rows[row]), geometry);
    }
    out.push_str("</g>");
}

/// ` timer-row` for a timer's row (the rows the script folds away), else nothing.
fn timer_class(event: &TraceEvent) -> &'static str {
    match event.kind {
        TraceKind::TimerFired { .. } | TraceKind::TimerLost { .. } => " timer-row",
        _ => "",
    }
}

/// The red band across the row of the failing step's last event, with its label.
fn failing_band(out: &mut String, trace: &Trace, (row, index): (usize, usize), g: &Geometry) {
    let step = trace.events()[index].step;
    let _ = write!(
        out,
        "<g class=\"failing-step\" data-row=\"{row}\" data-event=\"{index}\" \
         transform=\"translate(0,{y})\"><title>the failure was found after step {step}</title>\
         <rect class=\"fail-band\" x=\"0\" y=\"-2\" width=\"{width}\" height=\"{h}\"/>\
         <text class=\"fail-label\" x=\"{x}\" y=\"13\">✗ failing step {step}</text></g>",
        y = g.top(row),
        width = g.width(),
        h = ROW + 4,
        x = g.log_x(),
    );
}

/// A lane per node: its name at the top, its line, and its down windows.
fn lanes(out: &mut String, trace: &Trace, chart: &Chart, geometry: &Geometry) {
    out.push_str("<g class=\"lanes\">");
    let bottom = geometry.height() - 6;
    let chars = geometry.beside_chars() + 2;
    for (lane, name) in trace.names().iter().enumerate() {
        let x = geometry.lane_x(lane);
        let name = escape(name);
        let shown = escape(&truncate(trace.names()[lane].as_str(), chars));
        let _ = write!(
            out,
            "<g class=\"lane\" data-node=\"{name}\"><title>{name}</title>\
             <text class=\"lane-name\" x=\"{x}\" y=\"18\" text-anchor=\"middle\">{shown}</text>\
             <line class=\"lane-line\" x1=\"{x}\" y1=\"{TOP}\" x2=\"{x}\" y2=\"{bottom}\"/>"
        );
        for down in chart.downs.iter().filter(|d| d.lane == lane) {
            down_svg(out, trace, down, geometry);
        }
        out.push_str("</g>");
    }
    out.push_str("</g>");
}

/// A down window: faint from the node's last sign of life, solid from the first evidence of
/// the crash, to its restart.
fn down_svg(out: &mut String, trace: &Trace, down: &Down, geometry: &Geometry) {
    let kind = down.kind.map_or("unknown", CrashKind::as_str);
    let event = down
        .restart
        .map(|index| format!(" data-event=\"{index}\""))
        .unwrap_or_default();
    let sure = down.evidence.unwrap_or(down.end + 1).min(down.end + 1);
    let how = match down.restart {
        Some(index) => format!("until the restart at t={}", trace.events()[index].time),
        None => "to the end of the trace".to_string(),
    };
    let spans = [
        (
            down.after_last_sign,
            sure,
            " uncertain",
            "maybe down (no sign of life)",
        ),
        (sure, down.end + 1, "", "down"),
    ];
    for (from, to, certainty, what) in spans {
        if from >= to {
            continue;
        }
        let (y, h) = (geometry.top(from), geometry.top(to) - geometry.top(from));
        let _ = write!(
            out,
            "<rect class=\"down {kind}{certainty}\"{event} data-r1=\"{from}\" data-r2=\"{last}\" \
             x=\"{x}\" y=\"{y}\" width=\"14\" height=\"{h}\"><title>{what} ({kind} crash) {how}</title></rect>",
            last = to - 1,
            x = geometry.lane_x(down.lane) - 7,
        );
    }
}

/// The shape of an arrow from lane x `x1` to lane x `x2`, `dy` pixels further down (0 for a
/// message dropped at its send, drawn as a half arrow): its points, where its label goes (x, y,
/// anchor) and where it ends. The page's script computes the same (`shape` there).
pub(crate) fn shape(
    x1: u64,
    x2: u64,
    dy: u64,
    half: bool,
) -> (String, (u64, u64, &'static str), (u64, u64)) {
    if half {
        let end = if x1 == x2 { x1 + 24 } else { (x1 + x2) / 2 };
        let (lx, anchor) = if end >= x1 {
            (x1 + 6, "start")
        } else {
            (x1 - 6, "end")
        };
        let points = format!("{x1},{MID} {end},{y}", y = MID + 5);
        return (points, (lx, MID - 3, anchor), (end, MID + 5));
    }
    if x1 == x2 {
        let out = x1 + 24;
        let points = format!("{x1},{MID} {out},{MID} {out},{e} {x1},{e}", e = dy + MID);
        return (points, (out + 4, dy / 2 + MID + 4, "start"), (x1, dy + MID));
    }
    let points = format!("{x1},{MID} {x2},{e}", e = dy + MID);
    (
        (points),
        ((x1 + x2) / 2, dy / 2 + MID - 3, "middle"),
        (x2, dy + MID),
    )
}

/// One message arrow, in a group placed at its send's row.
fn arrow_svg(out: &mut String, arrow: &Arrow, geometry: &Geometry) {
    let (x1, x2) = (geometry.lane_x(arrow.from), geometry.lane_x(arrow.to));
    let (last_row, dropped) = match arrow.end {
        End::Delivered(row) => (row, false),
        End::DroppedOnArrival(row) => (row, true),
        End::InFlight(row) => (row.max(arrow.row), false),
        End::DroppedAtSend => (arrow.row, true),
    };
    let half = arrow.end == End::DroppedAtSend;
    let dy = geometry.top(last_row) - geometry.top(arrow.row);
    let (points, (lx, ly, anchor), (ex, ey)) = shape(x1, x2, dy, half);
    let class = arrow_class(arrow, dropped);
    let arrival = arrow
        .arrival
        .map(|index| format!(" data-arrival=\"{index}\""))
        .unwrap_or_default();
    let half_attr = if half { " data-half=\"1\"" } else { "" };
    let head = match (dropped, arrow.mutated.is_some()) {
        (true, _) => "",
        (false, true) => " marker-end=\"url(#head-mutated)\"",
        (false, false) => " marker-end=\"url(#head)\"",
    };
    let _ = write!(
        out,
        "<g class=\"{class}\" data-event=\"{send}\"{arrival} data-r1=\"{r1}\" data-r2=\"{last_row}\"{half_attr} \
         data-x1=\"{x1}\" data-x2=\"{x2}\" transform=\"translate(0,{y})\"><title>{title}</title>\
         <polyline class=\"shaft\" points=\"{points}\"{head}/>\
         <text class=\"label\" x=\"{lx}\" y=\"{ly}\" text-anchor=\"{anchor}\">{label}</text>",
        send = arrow.send,
        r1 = arrow.row,
        y = geometry.top(arrow.row),
        title = escape(&arrow_title(arrow)),
        label = escape(&arrow_label(arrow, label_chars(x1, x2, half))),
    );
    if dropped {
        cross(out, ex, ey);
    }
    out.push_str("</g>");
}

/// `msg`, and what else the arrow is: dropped, mutated, a duplicate, still in flight.
fn arrow_class(arrow: &Arrow, dropped: bool) -> String {
    let mut class = String::from("msg");
    for (flag, name) in [
        (dropped, " dropped"),
        (arrow.mutated.is_some(), " mutated"),
        (arrow.duplicate, " dup"),
        (matches!(arrow.end, End::InFlight(_)), " in-flight"),
    ] {
        if flag {
            class.push_str(name);
        }
    }
    class
}

/// How many characters fit in the label of an arrow from `x1` to `x2`: about its length.
fn label_chars(x1: u64, x2: u64, half: bool) -> usize {
    let span = x1.abs_diff(x2) / if half { 2 } else { 1 };
    ((span / 7) as usize).clamp(LABEL_CHARS, 48)
}

/// What an arrow's label says: the payload, or what `mutate` made of it, cut to `chars`.
fn arrow_label(arrow: &Arrow, chars: usize) -> String {
    let mut label = match &arrow.mutated {
        Some(into) => format!("⇒ mutated: {}", truncate(into, chars.max(26) - 11)),
        None => truncate(&arrow.message, chars),
    };
    if arrow.duplicate {
        label.push_str(" (dup)");
    }
    label
}

/// An arrow's tooltip: the whole payload and its fate.
fn arrow_title(arrow: &Arrow) -> String {
    let mut title = arrow.message.clone();
    if let Some(into) = &arrow.mutated {
        title.push_str(&format!(" ⇒ mutated to {into}"));
    }
    if arrow.duplicate {
        title.push_str(" (the network's duplicate)");
    }
    title.push_str(match arrow.end {
        End::Delivered(_) => "",
        End::DroppedOnArrival(_) => " ✗ dropped: receiver down",
        End::DroppedAtSend => " ✗ dropped at the send",
        End::InFlight(_) => " (still in flight when the trace ends)",
    });
    title
}

/// A ✗ centred on (`x`, `y`).
fn cross(out: &mut String, x: u64, y: u64) {
    let _ = write!(
        out,
        "<path class=\"cross\" transform=\"translate({x},{y})\" d=\"M-4,-4 L4,4 M-4,4 L4,-4\"/>"
    );
}

/// One row: its time and step, its event's marker, and its text in the log column.
fn row_svg(
    out: &mut String,
    trace: &Trace,
    (row, index): (usize, usize),
    failing: bool,
    g: &Geometry,
) {
    let event = &trace.events()[index];
    let line = trace.line(event);
    let body = body_of(&line);
    let timer = timer_class(event);
    let _ = write!(
        out,
        "<g class=\"row{timer}\" data-row=\"{row}\" data-event=\"{index}\" transform=\"translate(0,{y})\">\
         <text class=\"time\" x=\"{tx}\" y=\"13\" text-anchor=\"end\">t={time}</text>",
        y = g.top(row),
        tx = GUTTER - 34,
        time = event.time,
    );
    if event.is_step() {
        let _ = write!(
            out,
            "<text class=\"step\" x=\"{x}\" y=\"13\" text-anchor=\"end\">#{step}</text>",
            x = GUTTER - 6,
            step = event.step
        );
    }
    marker(out, trace, event, index, g);
    // The failing row's text starts after the band's label.
    let (failing, shift) = if failing {
        (" failing", FAIL_LABEL)
    } else {
        ("", 0)
    };
    let _ = write!(
        out,
        "<text class=\"log{failing}\" x=\"{x}\" y=\"13\">{text}<title>{full}</title></text></g>",
        x = g.log_x() + shift,
        text = escape(&truncate(body, LOG_CHARS)),
        full = escape(line.trim()),
    );
}

/// The marker of an event on its node's lane (none for an arrival: its arrow shows it).
fn marker(out: &mut String, trace: &Trace, event: &TraceEvent, index: usize, g: &Geometry) {
    let title = escape(trace.line(event).trim());
    let at = |node: &crate::id::NodeId| g.lane_x(node.index());
    let beside = g.beside_chars();
    let (x, class, shape, label) = match &event.kind {
        TraceKind::Started { node } => (at(node), "start", START, String::new()),
        TraceKind::Sent { from, .. } => (at(from), "send", SEND, String::new()),
        TraceKind::TimerFired { node, timer } => (at(node), "timer", CLOCK, timer.to_string()),
        TraceKind::TimerLost { node, timer } => {
            (at(node), "timer lost", LOST_CLOCK, timer.to_string())
        }
        TraceKind::Restarted { node, kind } => (
            at(node),
            "restart",
            RESTART,
            format!("↻ {} restart", kind.as_str()),
        ),
        TraceKind::Disk {
            node,
            file,
            op,
            error,
        } => {
            let class = match (error, op) {
                (Some(_), _) => "disk error",
                (None, DiskOp::Sync { .. }) => "disk sync",
                (None, _) => "disk",
            };
            (at(node), class, DISK, format!("{} {file}", op_name(op)))
        }
        TraceKind::PowerLoss { node, .. } => (at(node), "power", BOLT, "power lost".to_string()),
        TraceKind::Note { node, text } => (at(node), "note", NOTE, text.clone()),
        TraceKind::Nemesis { .. } => return nemesis_line(out, index, &title, g),
        _ => return,
    };
    let _ = write!(
        out,
        "<g class=\"{class}\" data-event=\"{index}\" transform=\"translate({x},{MID})\"><title>{title}</title>{shape}"
    );
    if !label.is_empty() {
        let _ = write!(
            out,
            "<text class=\"beside\" x=\"8\" y=\"4\">{}</text>",
            escape(&truncate(&label, beside))
        );
    }
    out.push_str("</g>");
}

/// A nemesis action: a dashed line across the lanes.
fn nemesis_line(out: &mut String, index: usize, title: &str, g: &Geometry) {
    let _ = write!(
        out,
        "<g class=\"nemesis\" data-event=\"{index}\"><title>{title}</title>\
         <line x1=\"{x1}\" y1=\"{MID}\" x2=\"{x2}\" y2=\"{MID}\"/></g>",
        x1 = GUTTER,
        x2 = g.log_x() - 8,
    );
}

/// The verb of a disk operation.
fn op_name(op: &DiskOp) -> &'static str {
    match op {
        DiskOp::Append { .. } => "append",
        DiskOp::Write { .. } => "write",
        DiskOp::Read { .. } => "read",
        DiskOp::Truncate { .. } => "truncate",
        DiskOp::Remove => "remove",
        DiskOp::Sync { .. } => "sync",
    }
}

/// A node's start: a ring.
const START: &str = "<circle r=\"4.5\" class=\"ring\"/>";
/// A send: a dot.
const SEND: &str = "<circle r=\"2.5\" class=\"dot\"/>";
/// A timer: a clock face.
const CLOCK: &str = "<circle r=\"5\" class=\"face\"/><path class=\"hand\" d=\"M0,-3 V0 H2.5\"/>";
/// A timer lost: a clock face, crossed.
const LOST_CLOCK: &str =
    "<circle r=\"5\" class=\"face\"/><path class=\"cross\" d=\"M-4,-4 L4,4 M-4,4 L4,-4\"/>";
/// A restart: a triangle pointing up.
const RESTART: &str = "<path class=\"up\" d=\"M0,-6 L5,3 L-5,3 z\"/>";
/// A disk operation: a floppy.
const DISK: &str = "<path class=\"floppy\" d=\"M-5,-5 H3 L5,-3 V5 H-5 z\"/><rect class=\"label-strip\" x=\"-3\" y=\"1\" width=\"6\" height=\"3\"/>";
/// A power loss: a lightning bolt.
const BOLT: &str = "<path class=\"bolt\" d=\"M1,-8 L-5,1 L-1,1 L-2,8 L5,-2 L1,-2 z\"/>";
/// A note: a page.
const NOTE: &str = "<path class=\"page\" d=\"M-4,-5 H2 L4,-3 V5 H-4 z\"/>";
