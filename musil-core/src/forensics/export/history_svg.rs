//! The inconsistent sub-history of a `Linearizability` failure as a picture: a row per client,
//! a bar per operation from its invocation to its return (a pending one runs on to the edge,
//! dashed), labelled with the operation and what it returned — bold where the contradiction
//! needs that return. Drawn above the message-sequence chart, as static SVG.

use std::fmt::Write as _;

use crate::history::{HistoryRow, SubHistory};

use super::text::escape;

/// The height of a client's row, in pixels.
const ROW: u64 = 34;
/// The width of the clients' names column.
const NAMES: u64 = 120;
/// The width of the time axis.
const AXIS: u64 = 720;
/// Space above the rows, for the time marks.
const TOP: u64 = 18;

/// The section the page shows for `part`.
pub(crate) fn section(part: &SubHistory) -> String {
    let clients = clients(part);
    let height = TOP + ROW * clients.len() as u64 + 6;
    let width = NAMES + AXIS + 20;
    let mut out = format!(
        "<section id=\"history\"><h2>The history that cannot be ordered — {} operations, a \
         return in parentheses could be anything</h2>\n<svg class=\"history\" width=\"{width}\" \
         height=\"{height}\" role=\"img\" aria-label=\"operations per client\">",
        part.rows.len()
    );
    let (start, end) = part.span();
    let x = |t: u64| NAMES + (t - start) * AXIS / (end - start);
    let _ = write!(
        out,
        "<text class=\"h-time\" x=\"{}\" y=\"12\">t={start}</text><text class=\"h-time\" x=\"{}\" y=\"12\" text-anchor=\"end\">t={end}</text>",
        x(start),
        x(end)
    );
    for (lane, client) in clients.iter().enumerate() {
        let y = TOP + lane as u64 * ROW;
        let _ = write!(
            out,
            "<text class=\"h-client\" x=\"4\" y=\"{}\">{}</text><line class=\"h-lane\" x1=\"{NAMES}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>",
            y + 20,
            escape(client),
            y + ROW - 2,
            NAMES + AXIS,
            y + ROW - 2
        );
        for row in part.rows.iter().filter(|row| &row.client == client) {
            bar(&mut out, row, y, &x, NAMES + AXIS);
        }
    }
    out.push_str("</svg></section>\n");
    out
}

/// One operation's bar and label, in the row at `y`.
fn bar(out: &mut String, row: &HistoryRow, y: u64, x: &dyn Fn(u64) -> u64, edge: u64) {
    let from = x(row.invoked);
    let (to, class) = match row.returned {
        Some(at) => (x(at).max(from + 3), "h-op"),
        None => (edge, "h-op pending"),
    };
    let result = match (&row.ret, row.needed) {
        (Some(ret), true) => format!("<tspan class=\"needed\">{}</tspan>", escape(ret)),
        (Some(ret), false) => format!("({})", escape(ret)),
        (None, _) => "pending".to_string(),
    };
    let _ = write!(
        out,
        "<rect class=\"{class}\" x=\"{from}\" y=\"{}\" width=\"{}\" height=\"10\" rx=\"2\"/>\
         <text class=\"h-label\" x=\"{from}\" y=\"{}\">{} → {result}</text>",
        y + 18,
        to - from,
        y + 14,
        escape(&row.op)
    );
}

/// The clients, in the order they first appear.
fn clients(part: &SubHistory) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for row in &part.rows {
        if !names.contains(&row.client) {
            names.push(row.client.clone());
        }
    }
    names
}
