//! The contents of one node's disk: each file's bytes as reads see them, what of it is durable,
//! and the writes made since its last sync (what a power loss may lose or tear).
//!
//! The bytes of unsynced writes are kept in one buffer per file, so a write costs two copies and
//! no allocation once the buffers have grown.

use std::collections::BTreeMap;

/// A change not yet synced, in the order it was made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Unsynced {
    /// `len` bytes written at `offset`; the bytes are at `at` in the file's pending buffer.
    Write { offset: u64, at: usize, len: usize },
    /// The file cut (or extended with zeros) to `len` bytes.
    Truncate { len: u64 },
}

/// One file.
#[derive(Clone, Debug, Default)]
pub(crate) struct File {
    /// What reads see: every write, synced or not.
    pub(crate) data: Vec<u8>,
    /// What survives a power loss.
    pub(crate) durable: Vec<u8>,
    /// The changes since the last sync, in order.
    pub(crate) unsynced: Vec<Unsynced>,
    /// The bytes of the unsynced writes.
    pub(crate) pending: Vec<u8>,
    /// Whether the file has been synced at least once (a file never synced that keeps nothing
    /// through a power loss is gone).
    pub(crate) synced_once: bool,
}

impl File {
    /// Writes `bytes` at `offset` (zero-filling a gap past the end), keeping them as unsynced.
    pub(crate) fn write(&mut self, offset: u64, bytes: &[u8]) {
        write_into(&mut self.data, offset, bytes);
        let at = self.pending.len();
        self.pending.extend_from_slice(bytes);
        self.unsynced.push(Unsynced::Write {
            offset,
            at,
            len: bytes.len(),
        });
    }

    /// Cuts or extends the file to `len`, as an unsynced change.
    pub(crate) fn truncate(&mut self, len: u64) {
        resize(&mut self.data, len);
        self.unsynced.push(Unsynced::Truncate { len });
    }

    /// Makes every unsynced change durable; returns how many there were and how many bytes
    /// they wrote.
    pub(crate) fn sync(&mut self) -> (usize, u64) {
        let count = self.unsynced.len();
        let mut bytes = 0;
        // By index, not by taking the list: it keeps its capacity for the next writes.
        for index in 0..count {
            let change = self.unsynced[index];
            bytes += self.apply_durably(change, None);
        }
        self.unsynced.clear();
        self.pending.clear();
        self.synced_once = true;
        (count, bytes)
    }

    /// Drops every unsynced change: the file is what was durable.
    pub(crate) fn revert(&mut self) {
        self.unsynced.clear();
        self.pending.clear();
        self.data.clone_from(&self.durable);
    }

    /// Applies `change` to the durable bytes, only its first `keep` bytes if given (a torn
    /// write); returns the bytes written.
    pub(crate) fn apply_durably(&mut self, change: Unsynced, keep: Option<usize>) -> u64 {
        match change {
            Unsynced::Write { offset, at, len } => {
                let kept = keep.unwrap_or(len).min(len);
                write_into(&mut self.durable, offset, &self.pending[at..at + kept]);
                kept as u64
            }
            Unsynced::Truncate { len } => {
                resize(&mut self.durable, len);
                0
            }
        }
    }
}

/// Writes `bytes` into `data` at `offset`, zero-filling any gap.
fn write_into(data: &mut Vec<u8>, offset: u64, bytes: &[u8]) {
    let start = offset as usize;
    let end = start + bytes.len();
    if data.len() < end {
        data.resize(end, 0);
    }
    data[start..end].copy_from_slice(bytes);
}

fn resize(data: &mut Vec<u8>, len: u64) {
    data.resize(len as usize, 0);
}

/// One node's files, by name (in name order, so that every walk over them is deterministic).
#[derive(Clone, Debug, Default)]
pub(crate) struct DiskFiles {
    pub(crate) files: BTreeMap<String, File>,
    /// Bytes over all files, as reads see them.
    pub(crate) used: u64,
}

impl DiskFiles {
    /// The file called `name`, created empty if it does not exist.
    #[inline]
    pub(crate) fn file_mut(&mut self, name: &str) -> &mut File {
        if !self.files.contains_key(name) {
            self.files.insert(name.to_string(), File::default());
        }
        self.files
            .get_mut(name)
            .unwrap_or_else(|| unreachable!("inserted just above"))
    }

    /// Recounts the bytes in use (after a change that may shrink files).
    pub(crate) fn recount(&mut self) {
        self.used = self.files.values().map(|f| f.data.len() as u64).sum();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsynced_writes_are_read_but_not_durable_until_synced() {
        let mut file = File::default();
        file.write(0, b"abc");
        file.write(5, b"z");
        assert_eq!(file.data, b"abc\0\0z");
        assert!(file.durable.is_empty());
        assert_eq!(file.sync(), (2, 4));
        assert_eq!(file.durable, b"abc\0\0z");
        file.truncate(2);
        file.write(2, b"Q");
        file.revert();
        assert_eq!(file.data, b"abc\0\0z", "revert drops the unsynced changes");
    }
}
