//! What the message-sequence chart shows, worked out from a trace before anything is drawn:
//! its rows (an event each, `Changed` events aside), its arrows (each send matched to its
//! arrival), the windows during which a node was down, and the row of the failing step.

use std::collections::BTreeMap;

use crate::id::NodeId;
use crate::sim::faults::CrashKind;
use crate::sim::trace::{SendFate, Trace, TraceKind};

/// How a message arrow ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum End {
    /// Delivered at this row.
    Delivered(usize),
    /// Arrived at this row at a node that was down, and was dropped there.
    DroppedOnArrival(usize),
    /// Dropped at the send (a partition, the network, or `mutate`): a half arrow.
    DroppedAtSend,
    /// Still in flight when the trace ends: drawn to the last row.
    InFlight(usize),
}

/// One message arrow: a send and what became of it (a duplicated message has two).
#[derive(Clone, Debug)]
pub(crate) struct Arrow {
    /// The index of the send event.
    pub(crate) send: usize,
    /// The index of the arrival event, if it arrived.
    pub(crate) arrival: Option<usize>,
    /// The row of the send.
    pub(crate) row: usize,
    /// Sender's and receiver's lanes.
    pub(crate) from: usize,
    /// The receiver's lane.
    pub(crate) to: usize,
    /// How it ends.
    pub(crate) end: End,
    /// The payload as sent.
    pub(crate) message: String,
    /// What `mutate` made of it, if it changed it.
    pub(crate) mutated: Option<String>,
    /// Whether this is the network's duplicate of the message.
    pub(crate) duplicate: bool,
}

/// A window during which a node was down, in rows (both ends included).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Down {
    /// The node's lane.
    pub(crate) lane: usize,
    /// How it crashed, if known (a restart or a power loss says).
    pub(crate) kind: Option<CrashKind>,
    /// The first row after the node's last sign of life before the crash.
    pub(crate) after_last_sign: usize,
    /// The first row that shows it down (a crash line, a power loss, a lost timer, a message
    /// dropped at it), if one does.
    pub(crate) evidence: Option<usize>,
    /// The row of its restart, or the last row if it had not restarted when the trace ends.
    pub(crate) end: usize,
    /// The index of the restart event, if there was one.
    pub(crate) restart: Option<usize>,
}

/// The chart of a trace, before drawing.
#[derive(Clone, Debug)]
pub(crate) struct Chart {
    /// The event index of each row.
    pub(crate) rows: Vec<usize>,
    /// The message arrows, in the order of their sends.
    pub(crate) arrows: Vec<Arrow>,
    /// The down windows, in the order of their restarts.
    pub(crate) downs: Vec<Down>,
    /// The row of the last event of the failing step, if there is one.
    pub(crate) failing_row: Option<usize>,
}

impl Chart {
    /// Works out the chart of `trace`, with its failing step (if any) marked.
    pub(crate) fn new(trace: &Trace, failing_step: Option<u64>) -> Self {
        let rows: Vec<usize> = trace
            .events()
            .iter()
            .enumerate()
            .filter(|(_, event)| !matches!(event.kind, TraceKind::Changed { .. }))
            .map(|(index, _)| index)
            .collect();
        let failing_row = failing_step.and_then(|step| failing_row(trace, &rows, step));
        Chart {
            arrows: arrows(trace, &rows),
            downs: downs(trace, &rows),
            rows,
            failing_row,
        }
    }
}

/// The row of the last event of `step`, or failing that of the last event before it.
fn failing_row(trace: &Trace, rows: &[usize], step: u64) -> Option<usize> {
    let events = trace.events();
    let exact = rows.iter().rposition(|&e| events[e].step == step);
    exact.or_else(|| rows.iter().rposition(|&e| events[e].step <= step))
}

/// A message's identity while it travels: sender, receiver, payload as delivered.
type Key = (usize, usize, String);

/// An expected arrival: the arrow's index in the list, and when it is due.
type Due = (usize, u64);

/// Every send as an arrow (two for a duplicated one), each matched to its arrival.
fn arrows(trace: &Trace, rows: &[usize]) -> Vec<Arrow> {
    let events = trace.events();
    let mut arrows: Vec<Arrow> = Vec::new();
    let mut waiting: BTreeMap<Key, Vec<Due>> = BTreeMap::new();
    let last_row = rows.len().saturating_sub(1);
    for (row, &index) in rows.iter().enumerate() {
        let event = &events[index];
        match &event.kind {
            TraceKind::Sent {
                from,
                to,
                message,
                mutated,
                fate,
            } => {
                let arrow = Arrow {
                    send: index,
                    arrival: None,
                    row,
                    from: from.index(),
                    to: to.index(),
                    end: End::InFlight(last_row),
                    message: message.clone(),
                    mutated: mutated.clone(),
                    duplicate: false,
                };
                sent(arrow, fate, &mut arrows, &mut waiting);
            }
            TraceKind::Delivered { from, to, message } => {
                let key = (from.index(), to.index(), message.clone());
                arrived(
                    &mut arrows,
                    &mut waiting,
                    key,
                    (row, index, event.time),
                    false,
                );
            }
            TraceKind::DroppedOnArrival { from, to, message } => {
                let key = (from.index(), to.index(), message.clone());
                arrived(
                    &mut arrows,
                    &mut waiting,
                    key,
                    (row, index, event.time),
                    true,
                );
            }
            _ => {}
        }
    }
    arrows
}

/// Adds the arrow(s) of a send, and what arrivals they wait for.
fn sent(
    mut arrow: Arrow,
    fate: &SendFate,
    arrows: &mut Vec<Arrow>,
    waiting: &mut BTreeMap<Key, Vec<Due>>,
) {
    let SendFate::Scheduled { arrives, duplicate } = fate else {
        arrow.end = End::DroppedAtSend;
        arrows.push(arrow);
        return;
    };
    let delivered = arrow
        .mutated
        .clone()
        .unwrap_or_else(|| arrow.message.clone());
    let key = (arrow.from, arrow.to, delivered);
    let queue = waiting.entry(key).or_default();
    queue.push((arrows.len(), *arrives));
    if let Some(at) = duplicate {
        queue.push((arrows.len() + 1, *at));
        let copy = Arrow {
            duplicate: true,
            ..arrow.clone()
        };
        arrows.push(arrow);
        arrows.push(copy);
    } else {
        arrows.push(arrow);
    }
}

/// Matches an arrival (`row`, event `index`, `time`) to the arrow that waits for it: the one due
/// at that time, or else the earliest waiting; an arrival nothing waits for is left out.
fn arrived(
    arrows: &mut [Arrow],
    waiting: &mut BTreeMap<Key, Vec<Due>>,
    key: Key,
    (row, index, time): (usize, usize, u64),
    dropped: bool,
) {
    let Some(queue) = waiting.get_mut(&key) else {
        return;
    };
    if queue.is_empty() {
        return;
    }
    let at = queue.iter().position(|&(_, due)| due == time).unwrap_or(0);
    let (arrow, _) = queue.remove(at);
    let arrow = &mut arrows[arrow];
    arrow.arrival = Some(index);
    arrow.end = if dropped {
        End::DroppedOnArrival(row)
    } else {
        End::Delivered(row)
    };
}

/// What an event says of a node being up or down.
enum Sign {
    /// The node acted: it was up.
    Alive(usize),
    /// The node was down then (maybe of a known kind).
    Down(usize, Option<CrashKind>),
    /// The node restarted.
    Restarted(usize, CrashKind),
}

/// What `kind` says about which node is up or down.
fn sign(trace: &Trace, kind: &TraceKind) -> Option<Sign> {
    let lane = |node: &NodeId| node.index();
    Some(match kind {
        TraceKind::Started { node }
        | TraceKind::TimerFired { node, .. }
        | TraceKind::Disk { node, .. }
        | TraceKind::Note { node, .. }
        | TraceKind::Buggify { node, .. } => Sign::Alive(lane(node)),
        TraceKind::Sent { from, .. } => Sign::Alive(lane(from)),
        TraceKind::Delivered { to, .. } => Sign::Alive(lane(to)),
        TraceKind::DroppedOnArrival { to, .. } => Sign::Down(lane(to), None),
        TraceKind::TimerLost { node, .. } => Sign::Down(lane(node), None),
        TraceKind::PowerLoss { node, .. } => Sign::Down(lane(node), Some(CrashKind::Power)),
        TraceKind::Restarted { node, kind } => Sign::Restarted(lane(node), *kind),
        TraceKind::Nemesis { action } => nemesis_crash(trace, action)?,
        TraceKind::Changed { .. } => return None,
    })
}

/// A nemesis line that crashed a node (`crash_cold NAME for 5 (restarts t=9)`), as a sign.
fn nemesis_crash(trace: &Trace, action: &str) -> Option<Sign> {
    let mut words = action.split_whitespace();
    let kind = match words.next()? {
        "crash_warm" => CrashKind::Warm,
        "crash_cold" => CrashKind::Cold,
        "crash_power" => CrashKind::Power,
        _ => return None,
    };
    if action.contains(": skipped") {
        return None;
    }
    let name = words.next()?;
    let lane = trace.names().iter().position(|n| n == name)?;
    Some(Sign::Down(lane, Some(kind)))
}

/// What is known of one node while walking the rows.
#[derive(Clone, Copy, Default)]
struct LaneState {
    /// The row of its last sign of life.
    alive: Option<usize>,
    /// The first row that showed it down since, and the crash kind it told.
    down: Option<(usize, Option<CrashKind>)>,
}

/// The windows during which nodes were down: from the evidence of a crash (or, without one,
/// from the node's last sign of life) to its restart, or to the end of the trace.
fn downs(trace: &Trace, rows: &[usize]) -> Vec<Down> {
    let events = trace.events();
    let mut lanes = vec![LaneState::default(); trace.names().len()];
    let mut downs = Vec::new();
    for (row, &index) in rows.iter().enumerate() {
        let Some(sign) = sign(trace, &events[index].kind) else {
            continue;
        };
        match sign {
            Sign::Alive(lane) => {
                if let Some(state) = lanes.get_mut(lane) {
                    *state = LaneState {
                        alive: Some(row),
                        down: None,
                    };
                }
            }
            Sign::Down(lane, kind) => {
                if let Some(state) = lanes.get_mut(lane) {
                    let (first, known) = state.down.unwrap_or((row, None));
                    state.down = Some((first, known.or(kind)));
                }
            }
            Sign::Restarted(lane, kind) => {
                if let Some(state) = lanes.get_mut(lane) {
                    downs.push(window(lane, *state, row, Some(kind), Some(index)));
                    *state = LaneState {
                        alive: Some(row),
                        down: None,
                    };
                }
            }
        }
    }
    let last = rows.len().saturating_sub(1);
    for (lane, state) in lanes.iter().enumerate() {
        if let Some((_, kind)) = state.down {
            downs.push(window(lane, *state, last, kind, None));
        }
    }
    downs
}

/// The window of a node whose state was `state` when it restarted at row `end` (or the trace
/// ended there).
fn window(
    lane: usize,
    state: LaneState,
    end: usize,
    kind: Option<CrashKind>,
    restart: Option<usize>,
) -> Down {
    let after_last_sign = state.alive.map_or(0, |row| row + 1).min(end);
    let told = state.down.and_then(|(_, kind)| kind);
    Down {
        lane,
        kind: kind.or(told),
        after_last_sign,
        evidence: state.down.map(|(row, _)| row),
        end,
        restart,
    }
}
