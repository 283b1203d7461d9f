//! Scheduled faults: [`Partition`]s (directed link cuts) and [`Crash`]es (warm or cold), gathered
//! in a [`FaultSchedule`], and their resolution against a system's node names.
//!
//! Windows are half-open, `[start, end)`. A partition is judged when a message is sent (messages
//! already in flight cross it). A crashed node runs no handler: deliveries due in its window are
//! dropped on arrival and timers due in it are lost. At `end` it restarts: warm keeps the instance
//! and calls `on_recover`; cold rebuilds it from the factory, drops its timers and calls
//! `on_start`.

use crate::id::NodeId;
use crate::system::names::NodeNames;

use super::error::SetupError;

/// Which links a partition cuts.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Cut {
    /// The directed link `from → to`.
    Link(String, String),
    /// Every link to and from the node.
    Isolate(String),
}

/// A window of time during which some directed links drop every message sent over them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Partition {
    cuts: Vec<Cut>,
    start: u64,
    end: u64,
}

impl Partition {
    /// Cuts both directions between `a` and `b` during `[start, end)`.
    pub fn between(a: impl Into<String>, b: impl Into<String>, start: u64, end: u64) -> Self {
        let (a, b) = (a.into(), b.into());
        let cuts = vec![Cut::Link(a.clone(), b.clone()), Cut::Link(b, a)];
        Partition { cuts, start, end }
    }

    /// Cuts only the link `from → to` during `[start, end)`.
    pub fn one_way(from: impl Into<String>, to: impl Into<String>, start: u64, end: u64) -> Self {
        Partition {
            cuts: vec![Cut::Link(from.into(), to.into())],
            start,
            end,
        }
    }

    /// Cuts every link to and from `node` during `[start, end)`.
    pub fn isolate(node: impl Into<String>, start: u64, end: u64) -> Self {
        Partition {
            cuts: vec![Cut::Isolate(node.into())],
            start,
            end,
        }
    }

    /// Also cuts the directed link `from → to` in the same window.
    pub fn and_one_way(mut self, from: impl Into<String>, to: impl Into<String>) -> Self {
        self.cuts.push(Cut::Link(from.into(), to.into()));
        self
    }

    /// When the partition starts.
    pub fn start(&self) -> u64 {
        self.start
    }

    /// When the partition ends (exclusive).
    pub fn end(&self) -> u64 {
        self.end
    }
}

/// A window of time during which a node is down, followed by a restart.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Crash {
    node: String,
    start: u64,
    end: u64,
    lose_state: bool,
}

impl Crash {
    /// `node` is down during `[start, end)`, then resumes with its state (calling `on_recover`).
    pub fn warm(node: impl Into<String>, start: u64, end: u64) -> Self {
        Crash {
            node: node.into(),
            start,
            end,
            lose_state: false,
        }
    }

    /// `node` is down during `[start, end)`, then restarts as a fresh instance from the
    /// factory (its timers dropped, `on_start` called).
    pub fn cold(node: impl Into<String>, start: u64, end: u64) -> Self {
        Crash {
            node: node.into(),
            start,
            end,
            lose_state: true,
        }
    }

    /// The crashed node's name.
    pub fn node(&self) -> &str {
        &self.node
    }

    /// When the node goes down.
    pub fn start(&self) -> u64 {
        self.start
    }

    /// When the node restarts.
    pub fn end(&self) -> u64 {
        self.end
    }

    /// Whether the restart is cold (state lost).
    pub fn loses_state(&self) -> bool {
        self.lose_state
    }
}

/// The faults of one run, built fluently:
///
/// ```
/// use musil_core::{Crash, FaultSchedule, Partition};
///
/// let faults = FaultSchedule::new()
///     .partition(Partition::between("a", "b", 0, 10))
///     .crash(Crash::cold("b", 20, 25));
/// assert_eq!(faults.heal_time(), 25);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FaultSchedule {
    partitions: Vec<Partition>,
    crashes: Vec<Crash>,
}

impl FaultSchedule {
    /// No faults.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a partition.
    pub fn partition(mut self, partition: Partition) -> Self {
        self.partitions.push(partition);
        self
    }

    /// Adds a crash.
    pub fn crash(mut self, crash: Crash) -> Self {
        self.crashes.push(crash);
        self
    }

    /// The partitions, in the order added.
    pub fn partitions(&self) -> &[Partition] {
        &self.partitions
    }

    /// The crashes, in the order added.
    pub fn crashes(&self) -> &[Crash] {
        &self.crashes
    }

    /// Whether there are no faults at all.
    pub fn is_empty(&self) -> bool {
        self.partitions.is_empty() && self.crashes.is_empty()
    }

    /// The latest end of any fault window, or 0 without faults: from then on the system runs
    /// fault-free.
    pub fn heal_time(&self) -> u64 {
        let partition_ends = self.partitions.iter().map(|p| p.end);
        let crash_ends = self.crashes.iter().map(|c| c.end);
        partition_ends.chain(crash_ends).max().unwrap_or(0)
    }

    /// Checks the schedule against the system's node names and compiles it for the engine.
    pub(crate) fn resolve(&self, names: &NodeNames) -> Result<ResolvedFaults, SetupError> {
        if self.is_empty() {
            return Ok(ResolvedFaults::none());
        }
        let mut resolved = ResolvedFaults {
            down: vec![Vec::new(); names.len()],
            ..Default::default()
        };
        for (index, partition) in self.partitions.iter().enumerate() {
            let place = format!("partition #{index}");
            check_window(&place, partition.start, partition.end)?;
            let mut links = Vec::new();
            for cut in &partition.cuts {
                match cut {
                    Cut::Link(from, to) => {
                        links.push((lookup(names, from, &place)?, lookup(names, to, &place)?));
                    }
                    Cut::Isolate(node) => {
                        let node = lookup(names, node, &place)?;
                        for other in names.ids().filter(|&other| other != node) {
                            links.push((node, other));
                            links.push((other, node));
                        }
                    }
                }
            }
            links.sort_unstable();
            links.dedup();
            resolved.partitions.push(ResolvedPartition {
                start: partition.start,
                end: partition.end,
                links,
            });
        }
        let mut windows: Vec<Vec<(u64, u64, bool)>> = vec![Vec::new(); names.len()];
        for (index, crash) in self.crashes.iter().enumerate() {
            let place = format!("crash #{index}");
            check_window(
                &format!("{place} of {:?}", crash.node),
                crash.start,
                crash.end,
            )?;
            let node = lookup(names, &crash.node, &place)?;
            windows[node.index()].push((crash.start, crash.end, crash.lose_state));
        }
        for (index, node_windows) in windows.into_iter().enumerate() {
            let node = NodeId::new(index);
            for (start, end, lose_state) in merge_windows(node_windows) {
                resolved.down[index].push((start, end));
                resolved.crashes.push(ResolvedCrash {
                    node,
                    end,
                    lose_state,
                });
            }
        }
        Ok(resolved)
    }
}

/// Merges overlapping or touching down windows of one node: the node restarts once, when no
/// window covers it any more, and cold if any merged window was cold.
fn merge_windows(mut windows: Vec<(u64, u64, bool)>) -> Vec<(u64, u64, bool)> {
    windows.sort_unstable();
    let mut merged: Vec<(u64, u64, bool)> = Vec::with_capacity(windows.len());
    for (start, end, cold) in windows {
        match merged.last_mut() {
            Some(last) if start <= last.1 => {
                last.1 = last.1.max(end);
                last.2 |= cold;
            }
            _ => merged.push((start, end, cold)),
        }
    }
    merged
}

fn check_window(place: &str, start: u64, end: u64) -> Result<(), SetupError> {
    if start >= end {
        return Err(SetupError::EmptyWindow {
            place: place.to_string(),
            start,
            end,
        });
    }
    Ok(())
}

fn lookup(names: &NodeNames, name: &str, place: &str) -> Result<NodeId, SetupError> {
    names.id_of(name).ok_or_else(|| SetupError::UnknownNode {
        name: name.to_string(),
        place: place.to_string(),
        known: names.to_strings(),
    })
}

/// A partition with its links resolved to node ids, sorted for binary search.
#[derive(Clone, Debug, Default)]
pub(crate) struct ResolvedPartition {
    start: u64,
    end: u64,
    links: Vec<(NodeId, NodeId)>,
}

/// A node's merged down window: it restarts at `end`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ResolvedCrash {
    pub(crate) node: NodeId,
    pub(crate) end: u64,
    pub(crate) lose_state: bool,
}

/// A fault schedule compiled against one system: what the engine consults.
#[derive(Clone, Debug, Default)]
pub(crate) struct ResolvedFaults {
    partitions: Vec<ResolvedPartition>,
    /// Per node, its merged down windows `[start, end)`, sorted.
    down: Vec<Vec<(u64, u64)>>,
    /// The restarts, in node order, then time order.
    crashes: Vec<ResolvedCrash>,
}

impl ResolvedFaults {
    /// No faults (and no per-node tables: `is_down` looks at them only when there are crashes).
    pub(crate) fn none() -> Self {
        ResolvedFaults::default()
    }

    /// The restarts, in node order, then time order.
    pub(crate) fn crashes(&self) -> &[ResolvedCrash] {
        &self.crashes
    }

    /// Whether some partition cuts `from → to` at time `t`.
    #[inline]
    pub(crate) fn cuts(&self, from: NodeId, to: NodeId, t: u64) -> bool {
        self.partitions
            .iter()
            .any(|p| p.start <= t && t < p.end && p.links.binary_search(&(from, to)).is_ok())
    }

    /// Whether `node` is down at time `t`.
    #[inline]
    pub(crate) fn is_down(&self, node: NodeId, t: u64) -> bool {
        !self.crashes.is_empty()
            && self.down[node.index()]
                .iter()
                .any(|&(start, end)| start <= t && t < end)
    }
}
