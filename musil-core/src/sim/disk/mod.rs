//! Durable storage: every node has a disk of named files that lives in the engine beside the
//! node, so it outlives the node's crashes. [`Disk`] is a handler's access to its node's disk
//! (`ctx.disk()`), [`DiskView`] a read-only look at one from outside (`Simulation::disk`, and
//! invariants through [`Disks`]).
//!
//! Reads see the node's own unsynced writes; `sync(file)` makes the file's writes durable. What a
//! crash does follows the real machine: a warm or cold crash keeps everything written, a power
//! loss keeps the synced data and draws the fate of each unsynced write from the
//! [`StorageModel`](crate::StorageModel) (`power`). Disks are created on first use: a run that
//! never calls `ctx.disk()` allocates nothing for them.

use crate::decision::{Cause, Choice, Decision, DecisionSource, Stream, chance};
use crate::id::NodeId;
use crate::system::names::NodeNames;

use super::storage::{DiskError, StorageModel};
use super::trace::{Trace, TraceEvent, TraceKind};
use crate::system::names::Destination;

pub(crate) mod files;
pub(crate) mod power;
pub mod record;

use files::{DiskFiles, File};
use record::DiskOp;

/// The largest a simulated file may grow: a write past it is `Err(DiskError::Full)`, whatever
/// the capacity (a wild offset is a bug in the node, not a request for a terabyte of memory).
pub const MAX_FILE_BYTES: u64 = 1 << 30;

/// A node's disk, as its handler sees it (`ctx.disk()`): named files of bytes.
///
/// ```
/// use musil_core::{Context, Node, Simulation};
/// # use musil_core::{NodeId, NodeVisitor, System};
///
/// #[derive(Debug, Default)]
/// struct Logger { recovered: Vec<u8> }
/// impl Node<()> for Logger {
///     fn on_start(&mut self, ctx: &mut Context<()>) {
///         let disk = &mut ctx.disk();
///         self.recovered = disk.read_all("log").unwrap_or_default();
///         disk.append("log", b"entry;").unwrap();
///         disk.sync("log").unwrap();
///     }
/// }
/// # impl System<()> for Logger {
/// #     fn node_count(&self) -> usize { 1 }
/// #     fn node_name(&self, _: NodeId) -> std::borrow::Cow<'static, str> { "logger".into() }
/// #     fn visit_node<V: NodeVisitor<()>>(&mut self, _: NodeId, v: V) -> V::Output { v.visit(self) }
/// #     fn replace_node(&mut self, _: NodeId, fresh: &mut Self) { std::mem::swap(self, fresh) }
/// # }
///
/// let mut sim = Simulation::new(Logger::default());
/// sim.run(10).unwrap();
/// assert_eq!(sim.disk("logger").unwrap().read("log"), Some(&b"entry;"[..]));
/// ```
pub struct Disk<'a> {
    pub(crate) state: &'a mut DiskFiles,
    pub(crate) model: &'a StorageModel,
    pub(crate) decisions: &'a mut dyn DecisionSource,
    pub(crate) trace: Option<&'a mut Trace>,
    /// The run's count of disk operations.
    pub(crate) ops: &'a mut u64,
    pub(crate) node: NodeId,
    pub(crate) time: u64,
    pub(crate) step: u64,
}

impl Disk<'_> {
    /// Appends `bytes` to `file` (created if missing); returns the offset they were written at.
    pub fn append(&mut self, file: &str, bytes: &[u8]) -> Result<u64, DiskError> {
        let result = self.store(file, None, bytes);
        let op = DiskOp::Append {
            bytes: bytes.len() as u64,
        };
        self.note(file, op, result.map(|_| ()));
        result
    }

    /// Writes `bytes` at `offset` of `file` (created if missing; a gap past its end reads as
    /// zeros).
    pub fn write(&mut self, file: &str, offset: u64, bytes: &[u8]) -> Result<(), DiskError> {
        let result = self.store(file, Some(offset), bytes).map(|_| ());
        let op = DiskOp::Write {
            offset,
            bytes: bytes.len() as u64,
        };
        self.note(file, op, result);
        result
    }

    /// Reads up to `len` bytes of `file` from `offset` (fewer at its end, none past it),
    /// including the node's own unsynced writes.
    pub fn read(&mut self, file: &str, offset: u64, len: u64) -> Result<Vec<u8>, DiskError> {
        *self.ops += 1;
        let result = self.load(file, offset, len);
        let op = match &result {
            Ok((bytes, corrupted)) => DiskOp::Read {
                offset,
                bytes: bytes.len() as u64,
                corrupted: *corrupted,
            },
            Err(_) => DiskOp::Read {
                offset,
                bytes: 0,
                corrupted: false,
            },
        };
        self.note(file, op, result.as_ref().map(|_| ()).map_err(|e| *e));
        result.map(|(bytes, _)| bytes)
    }

    /// Reads the whole of `file`.
    pub fn read_all(&mut self, file: &str) -> Result<Vec<u8>, DiskError> {
        self.read(file, 0, u64::MAX)
    }

    /// The length of `file` in bytes as reads see it (0 if it does not exist).
    pub fn len(&self, file: &str) -> u64 {
        self.state
            .files
            .get(file)
            .map_or(0, |f| f.data.len() as u64)
    }

    /// Whether `file` exists.
    pub fn exists(&self, file: &str) -> bool {
        self.state.files.contains_key(file)
    }

    /// The names of the files, in name order.
    pub fn files(&self) -> Vec<String> {
        self.state.files.keys().cloned().collect()
    }

    /// Cuts `file` to `len` bytes (or extends it with zeros): an unsynced change like a write.
    pub fn truncate(&mut self, file: &str, len: u64) -> Result<(), DiskError> {
        *self.ops += 1;
        let result = self.resize(file, len);
        self.note(file, DiskOp::Truncate { len }, result);
        result
    }

    /// Removes `file`. Removal is durable at once (as after a sync of the directory).
    pub fn remove(&mut self, file: &str) -> Result<(), DiskError> {
        *self.ops += 1;
        let result = match self.state.files.remove(file) {
            Some(_) => {
                self.state.recount();
                Ok(())
            }
            None => Err(DiskError::NotFound),
        };
        self.note(file, DiskOp::Remove, result);
        result
    }

    /// Makes every write to `file` so far durable: it survives a power loss. With
    /// [`StorageModel::sync_errors`](crate::StorageModel::sync_errors), a sync may fail instead,
    /// and then the file's unsynced writes are gone.
    pub fn sync(&mut self, file: &str) -> Result<(), DiskError> {
        *self.ops += 1;
        let Some(state) = self.state.files.get_mut(file) else {
            self.note(
                file,
                DiskOp::Sync {
                    writes: 0,
                    bytes: 0,
                },
                Err(DiskError::NotFound),
            );
            return Err(DiskError::NotFound);
        };
        let failed = chance(
            self.decisions,
            Stream::Disk(self.node),
            Cause::SyncError,
            self.model.sync_error_probability(),
        );
        let writes = state.unsynced.len();
        if failed {
            state.revert();
            self.state.recount();
            self.note(file, DiskOp::Sync { writes, bytes: 0 }, Err(DiskError::Io));
            return Err(DiskError::Io);
        }
        let (writes, bytes) = state.sync();
        self.note(file, DiskOp::Sync { writes, bytes }, Ok(()));
        Ok(())
    }

    /// Writes `bytes` at `offset` (the end when `None`), unless the disk is full or the write
    /// fails; returns the offset written at. One lookup of the file: writes are the hot path.
    #[inline]
    fn store(&mut self, file: &str, offset: Option<u64>, bytes: &[u8]) -> Result<u64, DiskError> {
        *self.ops += 1;
        let state = &mut *self.state;
        let mut created = File::default();
        let existing = state.files.get_mut(file);
        let is_new = existing.is_none();
        let target = existing.unwrap_or(&mut created);
        let current = target.data.len() as u64;
        let offset = offset.unwrap_or(current);
        let end = offset.saturating_add(bytes.len() as u64);
        let growth = end.saturating_sub(current);
        let used = state.used;
        admit(
            self.model,
            used,
            &mut *self.decisions,
            self.node,
            (end, growth),
        )?;
        target.write(offset, bytes);
        state.used += growth;
        if is_new {
            state.files.insert(file.to_string(), created);
        }
        Ok(offset)
    }

    /// Cuts or extends `file` to `len`.
    fn resize(&mut self, file: &str, len: u64) -> Result<(), DiskError> {
        let Some(current) = self.state.files.get(file).map(|f| f.data.len() as u64) else {
            return Err(DiskError::NotFound);
        };
        let growth = len.saturating_sub(current);
        let used = self.state.used;
        admit(
            self.model,
            used,
            &mut *self.decisions,
            self.node,
            (len, growth),
        )?;
        self.state.file_mut(file).truncate(len);
        self.state.recount();
        Ok(())
    }

    /// The bytes a read returns, and whether a bit of them was flipped.
    fn load(&mut self, file: &str, offset: u64, len: u64) -> Result<(Vec<u8>, bool), DiskError> {
        let Some(state) = self.state.files.get(file) else {
            return Err(DiskError::NotFound);
        };
        let stream = Stream::Disk(self.node);
        let p = self.model.read_error_probability();
        if chance(self.decisions, stream, Cause::ReadError, p) {
            return Err(DiskError::Io);
        }
        let size = state.data.len() as u64;
        let start = offset.min(size) as usize;
        let end = offset.saturating_add(len).min(size) as usize;
        let mut bytes = state.data[start..end].to_vec();
        let p = self.model.corrupt_read_probability();
        let corrupted = !bytes.is_empty() && chance(self.decisions, stream, Cause::CorruptRead, p);
        if corrupted {
            let bit = self.decisions.decide(&Decision {
                stream,
                cause: Cause::CorruptBit,
                choice: Choice::Uniform {
                    lo: 0,
                    hi: bytes.len() as u64 * 8 - 1,
                },
            });
            bytes[(bit / 8) as usize] ^= 1 << (bit % 8);
        }
        Ok((bytes, corrupted))
    }

    /// Records the operation in the trace, if one is kept.
    fn note(&mut self, file: &str, op: DiskOp, result: Result<(), DiskError>) {
        if let Some(trace) = self.trace.as_deref_mut() {
            trace.push(TraceEvent {
                time: self.time,
                step: self.step,
                kind: TraceKind::Disk {
                    node: self.node,
                    file: file.to_string(),
                    op,
                    error: result.err(),
                },
            });
        }
    }
}

/// Whether a change that makes a file end at `end` and grows the disk (`used` bytes) by `growth`
/// may happen: no file past [`MAX_FILE_BYTES`], no disk past its capacity, then the write-error
/// draw.
#[inline]
fn admit(
    model: &StorageModel,
    used: u64,
    decisions: &mut dyn DecisionSource,
    node: NodeId,
    (end, growth): (u64, u64),
) -> Result<(), DiskError> {
    let over_capacity = model
        .capacity_bytes()
        .is_some_and(|capacity| used + growth > capacity);
    if end > MAX_FILE_BYTES || over_capacity {
        return Err(DiskError::Full);
    }
    let p = model.write_error_probability();
    if chance(decisions, Stream::Disk(node), Cause::WriteError, p) {
        return Err(DiskError::Io);
    }
    Ok(())
}

/// A read-only look at one node's disk from outside the node.
#[derive(Clone, Copy, Debug)]
pub struct DiskView<'a> {
    state: Option<&'a DiskFiles>,
}

impl<'a> DiskView<'a> {
    pub(crate) fn new(state: Option<&'a DiskFiles>) -> Self {
        DiskView { state }
    }

    /// The names of the files, in name order.
    pub fn files(&self) -> impl Iterator<Item = &'a str> + use<'a> {
        self.state
            .into_iter()
            .flat_map(|disk| disk.files.keys().map(String::as_str))
    }

    /// The bytes of `file` as the node reads them (its unsynced writes included).
    pub fn read(&self, file: &str) -> Option<&'a [u8]> {
        self.state?.files.get(file).map(|f| f.data.as_slice())
    }

    /// The bytes of `file` that would survive a power loss: what was synced.
    pub fn durable(&self, file: &str) -> Option<&'a [u8]> {
        self.state?.files.get(file).map(|f| f.durable.as_slice())
    }

    /// The number of changes to `file` not yet synced.
    pub fn unsynced(&self, file: &str) -> usize {
        self.state
            .and_then(|disk| disk.files.get(file))
            .map_or(0, |f| f.unsynced.len())
    }

    /// Bytes in use over all files.
    pub fn used(&self) -> u64 {
        self.state.map_or(0, |disk| disk.used)
    }
}

/// Every node's disk, read-only: what a disk invariant
/// ([`Scenario::disk_invariant`](crate::Scenario::disk_invariant)) is given beside the world.
#[derive(Clone, Copy, Debug)]
pub struct Disks<'a> {
    disks: &'a [DiskFiles],
    names: &'a NodeNames,
}

impl<'a> Disks<'a> {
    pub(crate) fn new(disks: &'a [DiskFiles], names: &'a NodeNames) -> Self {
        Disks { disks, names }
    }

    /// The disk of `node` (a [`NodeId`] or a name), or `None` if the system has no such node.
    /// A node that never used its disk has an empty one.
    pub fn of(&self, node: impl Destination) -> Option<DiskView<'a>> {
        let id = node.resolve(self.names).ok()?;
        (id.index() < self.names.len()).then(|| DiskView::new(self.disks.get(id.index())))
    }
}
