//! What the trace says about disks: one [`DiskOp`] per operation, and at a power loss the fate
//! of every unsynced change ([`UnsyncedFate`]), with how each is printed.

use std::fmt;

use crate::sim::storage::DiskError;

/// One disk operation, as the trace records it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DiskOp {
    /// `bytes` bytes appended.
    Append {
        /// How many.
        bytes: u64,
    },
    /// `bytes` bytes written at `offset`.
    Write {
        /// Where.
        offset: u64,
        /// How many.
        bytes: u64,
    },
    /// `bytes` bytes read from `offset`.
    Read {
        /// Where.
        offset: u64,
        /// How many came back.
        bytes: u64,
        /// Whether a bit of what came back was flipped ([`StorageModel::corrupt_reads`](crate::StorageModel::corrupt_reads)).
        corrupted: bool,
    },
    /// The file cut (or extended) to `len` bytes.
    Truncate {
        /// The new length.
        len: u64,
    },
    /// The file removed.
    Remove,
    /// The file synced: `writes` unsynced changes of `bytes` bytes made durable.
    Sync {
        /// How many changes it made durable.
        writes: usize,
        /// How many bytes they wrote.
        bytes: u64,
    },
}

/// A change that was not synced when the power went, and what became of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnsyncedFate {
    /// The file.
    pub file: String,
    /// The change: a write of `bytes` at `offset`, or (`bytes` = 0, `truncate` = true) a
    /// truncation to `offset`.
    pub offset: u64,
    /// Bytes written by the change (0 for a truncation).
    pub bytes: u64,
    /// Whether the change was a truncation to `offset`.
    pub truncate: bool,
    /// What became of it.
    pub fate: Fate,
}

/// What a power loss did to one unsynced change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fate {
    /// It reached the disk.
    Kept,
    /// It did not.
    Lost,
    /// Only its first `kept` bytes reached the disk (a sector-aligned prefix).
    Torn {
        /// Bytes kept.
        kept: u64,
    },
}

/// `file op`, as a trace line shows it (after the node's name and 💾).
pub(crate) fn op_text(file: &str, op: &DiskOp, error: Option<DiskError>) -> String {
    let mut line = match op {
        DiskOp::Append { bytes } => format!("append {file} {bytes} B"),
        DiskOp::Write { offset, bytes } => format!("write {file} @{offset} {bytes} B"),
        DiskOp::Read {
            offset,
            bytes,
            corrupted,
        } => {
            let flipped = if *corrupted {
                "  ⚠ a bit flipped"
            } else {
                ""
            };
            format!("read {file} @{offset} {bytes} B{flipped}")
        }
        DiskOp::Truncate { len } => format!("truncate {file} to {len} B"),
        DiskOp::Remove => format!("remove {file}"),
        DiskOp::Sync { writes, bytes } => {
            let s = if *writes == 1 { "" } else { "s" };
            format!("sync {file} ({writes} write{s}, {bytes} B)")
        }
    };
    if let Some(error) = error {
        line.push_str(&format!("  ✗ {error}"));
    }
    line
}

/// The fates of a power loss, grouped by file: `wal: write @48 24 B lost, …; meta: …`.
pub(crate) fn power_loss_text(fates: &[UnsyncedFate]) -> String {
    if fates.is_empty() {
        return "nothing was unsynced".to_string();
    }
    let mut out = String::new();
    let mut current: Option<&str> = None;
    for fate in fates {
        if current != Some(fate.file.as_str()) {
            if current.is_some() {
                out.push_str("; ");
            }
            out.push_str(&fate.file);
            out.push_str(": ");
            current = Some(&fate.file);
        } else {
            out.push_str(", ");
        }
        out.push_str(&fate.to_string());
    }
    out
}

impl fmt::Display for UnsyncedFate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.truncate {
            write!(f, "truncate to {} B", self.offset)?;
        } else {
            write!(f, "write @{} {} B", self.offset, self.bytes)?;
        }
        match self.fate {
            Fate::Kept => f.write_str(" kept"),
            Fate::Lost => f.write_str(" lost"),
            Fate::Torn { kept } => write!(f, " torn ({kept} B kept)"),
        }
    }
}
