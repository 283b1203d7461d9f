//! [`StorageModel`]: how the simulated disks behave — what a power loss does to unsynced writes,
//! and the rates of read, write and sync failures — with its validation, and [`DiskError`], what
//! a failed disk operation returns.

use std::fmt;

use super::error::SetupError;

/// [`StorageModel::reliable`], for whoever needs one by reference.
pub(crate) static RELIABLE: StorageModel = StorageModel::reliable();

/// The default sector size, in bytes: a torn write keeps a prefix ending on a multiple of it.
pub const DEFAULT_SECTOR: u64 = 512;

/// Why a disk operation failed.
///
/// ```
/// use musil_core::DiskError;
/// assert_eq!(DiskError::Full.to_string(), "disk full");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DiskError {
    /// An I/O error: a failed write or sync ([`StorageModel::write_errors`],
    /// [`StorageModel::sync_errors`]) or a latent sector error on a read
    /// ([`StorageModel::read_errors`]).
    Io,
    /// The write would take the disk past its [`StorageModel::capacity`]; nothing was written.
    Full,
    /// No file has that name.
    NotFound,
}

impl fmt::Display for DiskError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DiskError::Io => "I/O error",
            DiskError::Full => "disk full",
            DiskError::NotFound => "no such file",
        })
    }
}

impl std::error::Error for DiskError {}

/// How every node's disk behaves in a run. Built fluently, like the network:
///
/// ```
/// use musil_core::StorageModel;
///
/// let storage = StorageModel::reliable().torn_writes(0.3).sector(64).read_errors(0.01);
/// assert!(storage.validate().is_ok());
/// assert!(StorageModel::reliable().lose_unsynced(2.0).validate().is_err());
/// ```
///
/// At a power loss ([`Crash::power`](crate::Crash::power)) each write not yet synced is, in
/// order: torn with probability `torn_writes` (a sector-aligned prefix of it is kept), else lost
/// with probability `lose_unsynced`, else kept. Synced data always survives. Every draw is a
/// decision on the node's own disk stream, so using a disk never changes the network's draws.
#[derive(Clone, Debug, PartialEq)]
pub struct StorageModel {
    lose_unsynced: f64,
    torn_writes: f64,
    sector: u64,
    read_errors: f64,
    corrupt_reads: f64,
    write_errors: f64,
    sync_errors: f64,
    capacity: Option<u64>,
}

impl StorageModel {
    /// The default: operations never fail, and a power loss loses every unsynced write (none is
    /// torn). Sectors of 512 bytes, no capacity limit.
    pub const fn reliable() -> Self {
        StorageModel {
            lose_unsynced: 1.0,
            torn_writes: 0.0,
            sector: DEFAULT_SECTOR,
            read_errors: 0.0,
            corrupt_reads: 0.0,
            write_errors: 0.0,
            sync_errors: 0.0,
            capacity: None,
        }
    }

    /// At a power loss, each unsynced write (that is not torn) is lost with probability `p` and
    /// kept otherwise (the default is 1: all lost).
    pub fn lose_unsynced(mut self, p: f64) -> Self {
        self.lose_unsynced = p;
        self
    }

    /// At a power loss, each unsynced write is torn with probability `p`: a prefix of it ending
    /// on a sector boundary of the file (possibly empty) is kept, the rest lost.
    pub fn torn_writes(mut self, p: f64) -> Self {
        self.torn_writes = p;
        self
    }

    /// The sector size in bytes (default 512), which torn writes are aligned to.
    pub fn sector(mut self, bytes: u64) -> Self {
        self.sector = bytes;
        self
    }

    /// Each read fails with `Err(DiskError::Io)` with probability `p` (a latent sector error).
    pub fn read_errors(mut self, p: f64) -> Self {
        self.read_errors = p;
        self
    }

    /// Each successful, non-empty read has one bit flipped in what it returns with probability
    /// `p` (the file itself is intact): only a checksum finds it.
    pub fn corrupt_reads(mut self, p: f64) -> Self {
        self.corrupt_reads = p;
        self
    }

    /// Each write, append or truncate fails with `Err(DiskError::Io)` with probability `p`,
    /// changing nothing.
    pub fn write_errors(mut self, p: f64) -> Self {
        self.write_errors = p;
        self
    }

    /// Each sync fails with `Err(DiskError::Io)` with probability `p`, and the file's unsynced
    /// writes are gone (as on Linux, where a failed `fsync` drops the dirty pages).
    pub fn sync_errors(mut self, p: f64) -> Self {
        self.sync_errors = p;
        self
    }

    /// Each node's disk holds at most `bytes` bytes over all its files; a write that would go
    /// past it returns `Err(DiskError::Full)` and writes nothing.
    pub fn capacity(mut self, bytes: u64) -> Self {
        self.capacity = Some(bytes);
        self
    }

    /// The probability that an unsynced, untorn write is lost at a power loss.
    pub fn lose_unsynced_probability(&self) -> f64 {
        self.lose_unsynced
    }

    /// The probability that an unsynced write is torn at a power loss.
    pub fn torn_write_probability(&self) -> f64 {
        self.torn_writes
    }

    /// The sector size in bytes.
    pub fn sector_size(&self) -> u64 {
        self.sector
    }

    /// The probability that a read fails.
    pub fn read_error_probability(&self) -> f64 {
        self.read_errors
    }

    /// The probability that a read returns a flipped bit.
    pub fn corrupt_read_probability(&self) -> f64 {
        self.corrupt_reads
    }

    /// The probability that a write fails.
    pub fn write_error_probability(&self) -> f64 {
        self.write_errors
    }

    /// The probability that a sync fails.
    pub fn sync_error_probability(&self) -> f64 {
        self.sync_errors
    }

    /// The capacity of each disk in bytes, if limited.
    pub fn capacity_bytes(&self) -> Option<u64> {
        self.capacity
    }

    /// Checks the settings: every probability in `[0, 1]`, a sector of at least one byte.
    /// A scenario calls this when a run starts and reports a problem as `InvalidScenario`.
    pub fn validate(&self) -> Result<(), SetupError> {
        let probabilities = [
            ("lose_unsynced", self.lose_unsynced),
            ("torn_writes", self.torn_writes),
            ("read_errors", self.read_errors),
            ("corrupt_reads", self.corrupt_reads),
            ("write_errors", self.write_errors),
            ("sync_errors", self.sync_errors),
        ];
        for (setting, value) in probabilities {
            if !(0.0..=1.0).contains(&value) {
                return Err(SetupError::InvalidStorage {
                    setting,
                    problem: format!("{value} is not a probability (it must be in [0, 1])"),
                });
            }
        }
        if self.sector == 0 {
            return Err(SetupError::InvalidStorage {
                setting: "sector",
                problem: "0 bytes (a sector holds at least 1 byte)".to_string(),
            });
        }
        Ok(())
    }
}

impl Default for StorageModel {
    fn default() -> Self {
        Self::reliable()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bad_setting_is_named() {
        let cases = [
            (
                StorageModel::reliable().lose_unsynced(-0.1),
                "lose_unsynced = -0.1",
            ),
            (
                StorageModel::reliable().torn_writes(1.5),
                "torn_writes = 1.5",
            ),
            (
                StorageModel::reliable().read_errors(f64::NAN),
                "read_errors = NaN",
            ),
            (
                StorageModel::reliable().corrupt_reads(2.0),
                "corrupt_reads = 2",
            ),
            (
                StorageModel::reliable().write_errors(-1.0),
                "write_errors = -1",
            ),
            (StorageModel::reliable().sync_errors(7.0), "sync_errors = 7"),
            (StorageModel::reliable().sector(0), "sector = 0 bytes"),
        ];
        for (model, expected) in cases {
            let error = model.validate().expect_err(expected).to_string();
            assert!(error.starts_with("invalid storage: "), "{error}");
            assert!(error.contains(expected), "{error} should name {expected}");
        }
        assert_eq!(StorageModel::reliable().capacity(0).validate(), Ok(()));
    }
}
