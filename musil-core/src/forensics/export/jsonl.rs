//! The JSON Lines export: a header line, then one object per trace event (the schema is in the
//! module doc of `export`).

use crate::id::NodeId;
use crate::sim::disk::record::{DiskOp, Fate, UnsyncedFate};
use crate::sim::faults::CrashKind;
use crate::sim::storage::DiskError;
use crate::sim::trace::{SendFate, Trace, TraceEvent, TraceKind};

use super::header::ExportHeader;
use super::json::{Context, Object, array};

/// The version of the schema, in the header's `musil_trace` key.
pub(crate) const SCHEMA_VERSION: u64 = 1;

/// The whole export: the header line and an event a line, each ending with a newline.
pub(crate) fn jsonl(trace: &Trace, header: &ExportHeader) -> String {
    let mut out = header_line(trace, header);
    out.push('\n');
    for event in trace.events() {
        out.push_str(&event_line(trace, event, Context::File));
        out.push('\n');
    }
    out
}

/// The header object.
pub(crate) fn header_line(trace: &Trace, header: &ExportHeader) -> String {
    Object::new(Context::File)
        .num("musil_trace", SCHEMA_VERSION)
        .str("scenario", &header.scenario)
        .num("seed", header.seed)
        .str("label", &header.label)
        .str("kind", &header.kind)
        .str("detail", &header.detail)
        .opt_num("failing_step", header.failing_step)
        .str("replay", &header.replay)
        .strs("nodes", trace.names().iter().map(String::as_str))
        .raw("history", &history_json(header))
        .finish()
}

/// The smallest inconsistent part of the run's history, as an array of operations (`null` if
/// the run did not fail so).
fn history_json(header: &ExportHeader) -> String {
    let Some(part) = &header.sub_history else {
        return "null".to_string();
    };
    let rows: Vec<String> = part
        .rows
        .iter()
        .map(|row| {
            Object::new(Context::File)
                .str("client", &row.client)
                .num("invoked", row.invoked)
                .opt_num("returned", row.returned)
                .str("op", &row.op)
                .opt_str("ret", row.ret.as_deref())
                .bool("needed", row.needed)
                .finish()
        })
        .collect();
    array(&rows)
}

/// The name of `node` in `trace`, or `?` for an id it does not know.
pub(crate) fn name(trace: &Trace, node: NodeId) -> &str {
    trace.names().get(node.index()).map_or("?", String::as_str)
}

/// The snake_case name of an event's kind.
pub(crate) fn kind_name(kind: &TraceKind) -> &'static str {
    match kind {
        TraceKind::Started { .. } => "started",
        TraceKind::Sent { .. } => "sent",
        TraceKind::Delivered { .. } => "delivered",
        TraceKind::DroppedOnArrival { .. } => "dropped_on_arrival",
        TraceKind::TimerFired { .. } => "timer_fired",
        TraceKind::TimerLost { .. } => "timer_lost",
        TraceKind::Restarted { .. } => "restarted",
        TraceKind::Disk { .. } => "disk",
        TraceKind::PowerLoss { .. } => "power_loss",
        TraceKind::Nemesis { .. } => "nemesis",
        TraceKind::Note { .. } => "note",
        TraceKind::Buggify { .. } => "buggify",
        TraceKind::Changed { .. } => "changed",
    }
}

/// One event as a JSON object: the common keys, then its kind's own.
pub(crate) fn event_line(trace: &Trace, event: &TraceEvent, context: Context) -> String {
    let object = Object::new(context)
        .num("time", event.time)
        .num("step", event.step)
        .str("kind", kind_name(&event.kind))
        .bool("is_step", event.is_step())
        .str("text", trace.line(event).trim());
    kind_keys(trace, &event.kind, object).finish()
}

/// The keys of an event's kind.
fn kind_keys(trace: &Trace, kind: &TraceKind, object: Object) -> Object {
    let name = |node: &NodeId| name(trace, *node);
    match kind {
        TraceKind::Started { node } => object.str("node", name(node)),
        TraceKind::Sent {
            from,
            to,
            message,
            mutated,
            fate,
        } => {
            let object = object
                .str("from", name(from))
                .str("to", name(to))
                .str("message", message)
                .opt_str("mutated", mutated.as_deref());
            fate_keys(fate, object)
        }
        TraceKind::Delivered { from, to, message }
        | TraceKind::DroppedOnArrival { from, to, message } => object
            .str("from", name(from))
            .str("to", name(to))
            .str("message", message),
        TraceKind::Buggify { node, site } => object.str("node", name(node)).str("site", site),
        TraceKind::TimerFired { node, timer } | TraceKind::TimerLost { node, timer } => {
            object.str("node", name(node)).str("timer", timer)
        }
        TraceKind::Restarted { node, kind } => object
            .str("node", name(node))
            .str("crash_kind", crash_kind(*kind)),
        TraceKind::Disk {
            node,
            file,
            op,
            error,
        } => {
            let object = object.str("node", name(node)).str("file", file);
            op_keys(op, object).opt_str("error", error.map(error_name))
        }
        TraceKind::PowerLoss { node, fates } => {
            let context = object.context();
            let items: Vec<String> = fates.iter().map(|f| fate_object(f, context)).collect();
            object.str("node", name(node)).raw("fates", &array(&items))
        }
        TraceKind::Nemesis { action } => object.str("action", action),
        TraceKind::Note { node, text } => object.str("node", name(node)).str("note", text),
        TraceKind::Changed { lines } => object.strs("lines", lines.iter().map(String::as_str)),
    }
}

/// `fate`, `arrives` and `duplicate` of a send.
fn fate_keys(fate: &SendFate, object: Object) -> Object {
    let (name, arrives, duplicate) = match fate {
        SendFate::Scheduled { arrives, duplicate } => ("scheduled", Some(*arrives), *duplicate),
        SendFate::Partitioned => ("partitioned", None, None),
        SendFate::Lost => ("lost", None, None),
        SendFate::DroppedByMutate => ("dropped_by_mutate", None, None),
    };
    object
        .str("fate", name)
        .opt_num("arrives", arrives)
        .opt_num("duplicate", duplicate)
}

/// `warm`, `cold` or `power`.
pub(crate) fn crash_kind(kind: CrashKind) -> &'static str {
    kind.as_str()
}

/// `io`, `full` or `not_found`.
fn error_name(error: DiskError) -> &'static str {
    match error {
        DiskError::Io => "io",
        DiskError::Full => "full",
        DiskError::NotFound => "not_found",
    }
}

/// `op` and the numbers of that operation.
fn op_keys(op: &DiskOp, object: Object) -> Object {
    match *op {
        DiskOp::Append { bytes } => object.str("op", "append").num("bytes", bytes),
        DiskOp::Write { offset, bytes } => object
            .str("op", "write")
            .num("offset", offset)
            .num("bytes", bytes),
        DiskOp::Read {
            offset,
            bytes,
            corrupted,
        } => object
            .str("op", "read")
            .num("offset", offset)
            .num("bytes", bytes)
            .bool("corrupted", corrupted),
        DiskOp::Truncate { len } => object.str("op", "truncate").num("len", len),
        DiskOp::Remove => object.str("op", "remove"),
        DiskOp::Sync { writes, bytes } => object
            .str("op", "sync")
            .num("writes", writes as u64)
            .num("bytes", bytes),
    }
}

/// One unsynced change at a power loss.
fn fate_object(fate: &UnsyncedFate, context: Context) -> String {
    let (name, kept) = match fate.fate {
        Fate::Kept => ("kept", None),
        Fate::Lost => ("lost", None),
        Fate::Torn { kept } => ("torn", Some(kept)),
    };
    Object::new(context)
        .str("file", &fate.file)
        .num("offset", fate.offset)
        .num("bytes", fate.bytes)
        .bool("truncate", fate.truncate)
        .str("fate", name)
        .opt_num("kept", kept)
        .finish()
}
