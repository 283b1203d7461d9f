//! [`Swarm`]: what swarm testing may draw per seed, and within which bounds, built fluently;
//! [`PartitionMode`], the shapes a drawn partition takes.

use crate::sim::faults::CrashKind;

/// How a drawn partition cuts the system.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PartitionMode {
    /// One node loses every link to and from the others.
    Isolate,
    /// The nodes are split at random into two non-empty halves that cannot reach each other.
    Halves,
    /// One directed link `a → b` is cut; `b → a` still works.
    OneWay,
}

impl PartitionMode {
    /// Every mode, in declaration order.
    pub const ALL: [PartitionMode; 3] = [
        PartitionMode::Isolate,
        PartitionMode::Halves,
        PartitionMode::OneWay,
    ];
}

/// The bounds of the storage faults a swarm may draw.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct StorageBounds {
    /// Torn writes at a power loss: `0..=torn`.
    pub(crate) torn: f64,
    /// Unsynced writes lost at a power loss: `lose_min..=1`.
    pub(crate) lose_min: f64,
    /// Read, write and sync errors: each `0..=errors`.
    pub(crate) errors: f64,
    /// Corrupt reads: `0..=corrupt`.
    pub(crate) corrupt: f64,
}

/// What swarm testing may draw, per seed, and within which bounds; every dimension can be
/// bounded or disabled.
///
/// Each seed draws, in this order:
/// - **loss**: off for half the seeds, else uniform in `[0, loss)`;
/// - **duplicate**: likewise, in `[0, duplicate)`;
/// - **latency**: minimum 1, maximum uniform in `1..=latency`;
/// - **partitions**: `0..=partitions` windows, each of a mode among the enabled ones, starting
///   in `[0, horizon)` and lasting `1..=window`;
/// - **crashes**: `0..=crashes` crashes of a node, each of a kind among the enabled ones,
///   placed like partitions;
/// - **storage** (when on): torn writes (off for half the seeds, else `[0, 0.5)`), unsynced
///   writes lost at a power loss (`[0.5, 1]`), and read, write and sync errors and corrupt reads
///   (each off for half the seeds, else `[0, 0.01)`); `torn_writes`, `lose_unsynced_at_least`,
///   `storage_errors` and `corrupt_reads` bound them.
///
/// ```
/// use musil_core::{CrashKind, Swarm, swarm};
/// use musil_core::sweep::swarm::PartitionMode;
///
/// let wild = swarm();
/// let calm = Swarm::new()
///     .loss(0.05)
///     .duplicate(0.0)
///     .partition_modes(&[PartitionMode::Isolate])
///     .crash_kinds(&[CrashKind::Warm])
///     .storage(false)
///     .horizon(200);
/// assert_ne!(format!("{wild:?}"), format!("{calm:?}"));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Swarm {
    pub(crate) loss: f64,
    pub(crate) duplicate: f64,
    pub(crate) latency: u64,
    pub(crate) partitions: u32,
    pub(crate) partition_modes: Vec<PartitionMode>,
    pub(crate) crashes: u32,
    pub(crate) crash_kinds: Vec<CrashKind>,
    pub(crate) storage: Option<StorageBounds>,
    pub(crate) horizon: u64,
    pub(crate) window: u64,
}

/// A swarm with the default bounds: [`Swarm::default`].
pub fn swarm() -> Swarm {
    Swarm::default()
}

impl Default for Swarm {
    /// Loss up to 30%, duplication up to 20%, maximum latency up to 10, up to 2 partition
    /// windows of every mode, up to 3 crashes of every kind, storage faults on, faults placed
    /// in `[0, 100)` and lasting up to 30.
    fn default() -> Self {
        Swarm {
            loss: 0.30,
            duplicate: 0.20,
            latency: 10,
            partitions: 2,
            partition_modes: PartitionMode::ALL.to_vec(),
            crashes: 3,
            crash_kinds: vec![CrashKind::Warm, CrashKind::Cold, CrashKind::Power],
            storage: Some(StorageBounds {
                torn: 0.5,
                lose_min: 0.5,
                errors: 0.01,
                corrupt: 0.01,
            }),
            horizon: 100,
            window: 30,
        }
    }
}

impl Swarm {
    /// The default swarm ([`Swarm::default`]).
    pub fn new() -> Self {
        Self::default()
    }

    /// Loss is drawn below `max` (clamped to `[0, 1]`); 0 disables it.
    pub fn loss(mut self, max: f64) -> Self {
        self.loss = probability(max);
        self
    }

    /// Duplication is drawn below `max` (clamped to `[0, 1]`); 0 disables it.
    pub fn duplicate(mut self, max: f64) -> Self {
        self.duplicate = probability(max);
        self
    }

    /// The maximum latency is drawn in `1..=max` (the minimum is 1); 1 or 0 disables it
    /// (latency exactly 1).
    pub fn latency(mut self, max: u64) -> Self {
        self.latency = max.max(1);
        self
    }

    /// At most `max_windows` partition windows per seed; 0 disables partitions.
    pub fn partitions(mut self, max_windows: u32) -> Self {
        self.partitions = max_windows;
        self
    }

    /// The partition modes drawn from (duplicates ignored); none disables partitions.
    pub fn partition_modes(mut self, modes: &[PartitionMode]) -> Self {
        self.partition_modes = PartitionMode::ALL
            .into_iter()
            .filter(|mode| modes.contains(mode))
            .collect();
        self
    }

    /// At most `max` crashes per seed; 0 disables crashes.
    pub fn crashes(mut self, max: u32) -> Self {
        self.crashes = max;
        self
    }

    /// The crash kinds drawn from (duplicates ignored); none disables crashes.
    pub fn crash_kinds(mut self, kinds: &[CrashKind]) -> Self {
        self.crash_kinds = [CrashKind::Warm, CrashKind::Cold, CrashKind::Power]
            .into_iter()
            .filter(|kind| kinds.contains(kind))
            .collect();
        self
    }

    /// Whether storage faults are drawn. Off, the scenario's own storage model is left alone.
    pub fn storage(mut self, on: bool) -> Self {
        self.storage = on.then(|| Swarm::default().storage).flatten();
        self
    }

    /// Torn writes at a power loss are drawn below `max` (clamped to `[0, 1]`); 0 disables
    /// them. Turns storage faults on.
    pub fn torn_writes(mut self, max: f64) -> Self {
        self.storage_bounds().torn = probability(max);
        self
    }

    /// Read, write and sync errors are each drawn below `max` (clamped to `[0, 1]`); 0
    /// disables them. Turns storage faults on.
    pub fn storage_errors(mut self, max: f64) -> Self {
        self.storage_bounds().errors = probability(max);
        self
    }

    /// Corrupt reads are drawn below `max` (clamped to `[0, 1]`); 0 disables them. Turns
    /// storage faults on.
    pub fn corrupt_reads(mut self, max: f64) -> Self {
        self.storage_bounds().corrupt = probability(max);
        self
    }

    /// The share of unsynced writes a power loss loses is drawn in `[min, 1]` (`min` clamped
    /// to `[0, 1]`). Turns storage faults on.
    pub fn lose_unsynced_at_least(mut self, min: f64) -> Self {
        self.storage_bounds().lose_min = probability(min);
        self
    }

    /// The storage bounds, turned on with the defaults if they were off.
    fn storage_bounds(&mut self) -> &mut StorageBounds {
        let defaults = || {
            Swarm::default()
                .storage
                .unwrap_or_else(|| unreachable!("on by default"))
        };
        self.storage.get_or_insert_with(defaults)
    }

    /// Faults start in `[0, time)`; 0 disables partitions and crashes.
    pub fn horizon(mut self, time: u64) -> Self {
        self.horizon = time;
        self
    }

    /// Fault windows last `1..=max_len`; 0 disables partitions and crashes.
    pub fn window(mut self, max_len: u64) -> Self {
        self.window = max_len;
        self
    }

    /// Whether some partition can be drawn (on a system of `nodes` nodes).
    pub(crate) fn draws_partitions(&self, nodes: usize) -> bool {
        self.partitions > 0 && !self.partition_modes.is_empty() && self.places_faults() && nodes > 1
    }

    /// Whether some crash can be drawn (on a system of `nodes` nodes).
    pub(crate) fn draws_crashes(&self, nodes: usize) -> bool {
        self.crashes > 0 && !self.crash_kinds.is_empty() && self.places_faults() && nodes > 0
    }

    /// Whether fault windows have room.
    fn places_faults(&self) -> bool {
        self.horizon > 0 && self.window > 0
    }
}

/// `p` clamped to `[0, 1]` (NaN is 0).
fn probability(p: f64) -> f64 {
    if p.is_nan() { 0.0 } else { p.clamp(0.0, 1.0) }
}
