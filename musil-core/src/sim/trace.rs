//! Event traces: what happened in a run, event by event, for failure reports.
//!
//! The engine records a [`Trace`] only when asked to (a scenario re-runs a failing seed with
//! recording on), so the hot path pays nothing for it otherwise.

use std::fmt;

use crate::id::NodeId;

use super::debug_text::changed_lines;
use super::disk::record::{DiskOp, UnsyncedFate, op_text, power_loss_text};
use super::faults::CrashKind;
use super::storage::DiskError;

/// What became of a sent message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SendFate {
    /// Scheduled for delivery at `arrives`, plus a duplicate at `duplicate` if one was made.
    Scheduled {
        /// Arrival time of the message.
        arrives: u64,
        /// Arrival time of its duplicate, if the network duplicated it.
        duplicate: Option<u64>,
    },
    /// Dropped: a partition cut the link at the send instant.
    Partitioned,
    /// Dropped: the network lost it.
    Lost,
    /// Dropped: the `mutate` hook returned `None`.
    DroppedByMutate,
}

/// One event of a trace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TraceKind {
    /// A node ran `on_start`.
    Started {
        /// The node.
        node: NodeId,
    },
    /// A node sent a message.
    Sent {
        /// Sender.
        from: NodeId,
        /// Addressee.
        to: NodeId,
        /// The message as sent (`Debug`).
        message: String,
        /// What `mutate` turned it into, if it changed it.
        mutated: Option<String>,
        /// What became of it.
        fate: SendFate,
    },
    /// A message was delivered (a step).
    Delivered {
        /// Sender.
        from: NodeId,
        /// Receiver.
        to: NodeId,
        /// The message (`Debug`).
        message: String,
    },
    /// A message arrived at a node that was down, and was dropped.
    DroppedOnArrival {
        /// Sender.
        from: NodeId,
        /// The node that was down.
        to: NodeId,
        /// The message (`Debug`).
        message: String,
    },
    /// A timer fired (a step).
    TimerFired {
        /// Its node.
        node: NodeId,
        /// Its name.
        timer: &'static str,
    },
    /// A timer fell due while its node was down, and was lost.
    TimerLost {
        /// Its node.
        node: NodeId,
        /// Its name.
        timer: &'static str,
    },
    /// A crashed node came back up (a step).
    Restarted {
        /// The node.
        node: NodeId,
        /// How it had crashed: warm keeps the instance, cold and power rebuild it.
        kind: CrashKind,
    },
    /// A node used its disk.
    Disk {
        /// The node.
        node: NodeId,
        /// The file.
        file: String,
        /// What it did.
        op: DiskOp,
        /// Why it failed, if it did.
        error: Option<DiskError>,
    },
    /// A node lost power: what became of each write it had not synced.
    PowerLoss {
        /// The node.
        node: NodeId,
        /// Every unsynced change, by file, in order.
        fates: Vec<UnsyncedFate>,
    },
    /// The nemesis injected a fault (or could not).
    Nemesis {
        /// What it did, as the trace prints it after `nemesis: `.
        action: String,
    },
    /// A node's handler said what it was doing (`ctx.note(..)`).
    Note {
        /// The node.
        node: NodeId,
        /// What it said.
        text: String,
    },
    /// A `ctx.buggify` site fired.
    Buggify {
        /// The node.
        node: NodeId,
        /// The site.
        site: &'static str,
    },
    /// After a step, the lines of the world's pretty `Debug` that changed: each is
    /// `path: value` as it reads now.
    Changed {
        /// The changed lines, trimmed.
        lines: Vec<String>,
    },
}

/// One line of a trace: when, at which step, what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceEvent {
    /// Virtual time.
    pub time: u64,
    /// The step this event belongs to (0 for the start phase).
    pub step: u64,
    /// What happened.
    pub kind: TraceKind,
}

impl TraceEvent {
    /// Whether this event is a step of its own (a delivery, a fired timer or a restart).
    pub fn is_step(&self) -> bool {
        matches!(
            self.kind,
            TraceKind::Delivered { .. }
                | TraceKind::TimerFired { .. }
                | TraceKind::Restarted { .. }
        )
    }
}

/// The events of one run, with the node names needed to print them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Trace {
    names: Vec<String>,
    events: Vec<TraceEvent>,
    /// The world's pretty `Debug` after the start and after each step, when the run was
    /// explained by a scenario: `(step, text)`.
    snapshots: Vec<(u64, String)>,
}

impl Trace {
    pub(crate) fn new(names: Vec<String>) -> Self {
        Trace {
            names,
            events: Vec::new(),
            snapshots: Vec::new(),
        }
    }

    /// Keeps the world as it is after `step` (its pretty `Debug`), and records the lines that
    /// changed since the last one.
    pub(crate) fn snapshot(&mut self, time: u64, step: u64, pretty: String) {
        if let Some((_, previous)) = self.snapshots.last() {
            let lines = changed_lines(previous, &pretty);
            if !lines.is_empty() {
                self.events.push(TraceEvent {
                    time,
                    step,
                    kind: TraceKind::Changed { lines },
                });
            }
        }
        self.snapshots.push((step, pretty));
    }

    /// The world after the start and after each step, as its pretty `Debug`: `(step, text)`
    /// (empty unless a scenario explained the run).
    pub fn snapshots(&self) -> &[(u64, String)] {
        &self.snapshots
    }

    pub(crate) fn push(&mut self, event: TraceEvent) {
        self.events.push(event);
    }

    /// The events, in order.
    pub fn events(&self) -> &[TraceEvent] {
        &self.events
    }

    /// The buggify sites that fired, with how often, in the order they first fired.
    pub fn buggify_fired(&self) -> Vec<(&'static str, usize)> {
        let mut fired: Vec<(&'static str, usize)> = Vec::new();
        for event in &self.events {
            if let TraceKind::Buggify { site, .. } = event.kind {
                match fired.iter_mut().find(|(s, _)| *s == site) {
                    Some(entry) => entry.1 += 1,
                    None => fired.push((site, 1)),
                }
            }
        }
        fired
    }

    /// The node names the events refer to by id.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    fn name(&self, id: NodeId) -> &str {
        self.names.get(id.index()).map_or("?", String::as_str)
    }

    /// One event as a line of text (no indentation, no newline).
    pub fn line(&self, event: &TraceEvent) -> String {
        let step = if event.is_step() {
            format!("#{}", event.step)
        } else {
            String::new()
        };
        let body = self.body(&event.kind);
        format!("{:<7}{:<6}{body}", format!("t={}", event.time), step)
    }

    /// What happened, with node names.
    fn body(&self, kind: &TraceKind) -> String {
        match kind {
            TraceKind::Started { node } => format!("{} started", self.name(*node)),
            TraceKind::Sent {
                from,
                to,
                message,
                mutated,
                fate,
            } => {
                let mut line = format!("{} → {}  {message}", self.name(*from), self.name(*to));
                if let Some(into) = mutated {
                    line.push_str(&format!("  ⇒ mutated to {into}"));
                }
                line.push_str(&fate_text(fate));
                line
            }
            TraceKind::Delivered { from, to, message } => {
                format!("{} ← {}  {message}", self.name(*to), self.name(*from))
            }
            TraceKind::DroppedOnArrival { from, to, message } => {
                format!(
                    "{} ← {}  {message}  ✗ dropped: receiver down",
                    self.name(*to),
                    self.name(*from)
                )
            }
            TraceKind::TimerFired { node, timer } => format!("{} ⏰ {timer}", self.name(*node)),
            TraceKind::TimerLost { node, timer } => {
                format!("{} ⏰ {timer}  ✗ lost: node down", self.name(*node))
            }
            TraceKind::Restarted { node, kind } => {
                let how = match kind {
                    CrashKind::Warm => "warm restart",
                    CrashKind::Cold => "cold restart (fresh instance)",
                    CrashKind::Power => "restart after power loss (fresh instance)",
                };
                format!("{} ↻ {how}", self.name(*node))
            }
            _ => self.story_body(kind),
        }
    }

    /// The lines of disks, power losses, the nemesis, notes and changes.
    fn story_body(&self, kind: &TraceKind) -> String {
        match kind {
            TraceKind::Disk {
                node,
                file,
                op,
                error,
            } => format!("{} 💾 {}", self.name(*node), op_text(file, op, *error)),
            TraceKind::PowerLoss { node, fates } => {
                format!(
                    "{} ⚡ power lost: {}",
                    self.name(*node),
                    power_loss_text(fates)
                )
            }
            TraceKind::Nemesis { action } => format!("nemesis: {action}"),
            TraceKind::Note { node, text } => format!("{} 📝 {text}", self.name(*node)),
            TraceKind::Buggify { node, site } => format!("{} 🐞 buggify {site}", self.name(*node)),
            TraceKind::Changed { lines } => {
                let indent = format!("\n{:13}  ~ ", "");
                format!("  ~ {}", lines.join(&indent))
            }
            _ => unreachable!("body handles the network, timers and restarts"),
        }
    }

    /// The trace as lines, each prefixed by `indent`; when there are more than `limit` events,
    /// the earliest are summarised in one line so that the end of the run stays visible.
    pub fn render(&self, indent: &str, limit: usize) -> String {
        self.render_with(indent, limit, None, false)
    }

    /// [`Trace::render`], saying where all the events are (`all`: a file) when some are left
    /// out, and without the timers that fired if `hide_timers`.
    pub fn render_with(
        &self,
        indent: &str,
        limit: usize,
        all: Option<&str>,
        hide_timers: bool,
    ) -> String {
        let shown: Vec<&TraceEvent> = self
            .events
            .iter()
            .filter(|e| !(hide_timers && matches!(e.kind, TraceKind::TimerFired { .. })))
            .collect();
        let skipped = shown.len().saturating_sub(limit);
        let mut out = String::new();
        if skipped > 0 {
            let all = all.unwrap_or("SimFailure::trace");
            out.push_str(&format!(
                "{indent}… {skipped} earlier events (all of them: {all})\n"
            ));
        }
        if hide_timers {
            out.push_str(&format!("{indent}(timers that fired are hidden)\n"));
        }
        for event in &shown[skipped..] {
            for line in self.line(event).lines() {
                out.push_str(indent);
                out.push_str(line.trim_end());
                out.push('\n');
            }
        }
        out
    }
}

/// The end of a send's line: when it arrives, or why it does not.
fn fate_text(fate: &SendFate) -> String {
    match fate {
        SendFate::Scheduled {
            arrives,
            duplicate: None,
        } => format!("  (arrives t={arrives})"),
        SendFate::Scheduled {
            arrives,
            duplicate: Some(dup),
        } => format!("  (arrives t={arrives}, duplicate t={dup})"),
        SendFate::Partitioned => "  ✗ cut by partition".to_string(),
        SendFate::Lost => "  ✗ lost".to_string(),
        SendFate::DroppedByMutate => "  ✗ dropped by mutate".to_string(),
    }
}

impl fmt::Display for Trace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render("", usize::MAX))
    }
}
