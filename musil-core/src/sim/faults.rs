//! Faults: [`Partition`]s (directed link cuts) and [`Crash`]es (warm, cold or power), gathered in
//! a [`FaultSchedule`], their resolution against a system's node names, and the compiled table
//! the engine consults — to which a nemesis adds faults during the run.
//!
//! Windows are half-open, `[start, end)`. A partition is judged when a message is sent (messages
//! already in flight cross it). A crashed node runs no handler: deliveries due in its window are
//! dropped on arrival and timers due in it are lost. At `end` it restarts: warm keeps the instance
//! and calls `on_recover`; cold rebuilds it from the factory, drops its timers and calls
//! `on_start`; power does what cold does, and first, when the node goes down, its disk loses what
//! was not synced.

use std::sync::Arc;

use crate::id::NodeId;
use crate::system::names::NodeNames;

use super::error::SetupError;
use crate::forensics::choices::FaultEdits;

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

/// How a node crashes, and so what it keeps when it comes back.
///
/// | kind | memory | disk: synced | disk: written, not synced | on restart |
/// |---|---|---|---|---|
/// | `Warm` (a pause) | kept | kept | kept | `on_recover` |
/// | `Cold` (the process dies) | lost | kept | kept | factory, then `on_start` |
/// | `Power` (the machine dies) | lost | kept | kept, lost or torn per the [`StorageModel`](crate::StorageModel) | factory, then `on_start` |
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CrashKind {
    /// A pause: the node keeps its memory and its disk, and resumes with `on_recover`.
    Warm,
    /// A process restart: memory lost, the disk keeps everything written.
    Cold,
    /// A power loss: memory lost, the disk keeps what was synced; unsynced writes are kept,
    /// lost or torn as the storage model draws them.
    Power,
}

impl CrashKind {
    /// How the kind is written in reports: `warm`, `cold`, `power`.
    pub fn as_str(self) -> &'static str {
        match self {
            CrashKind::Warm => "warm",
            CrashKind::Cold => "cold",
            CrashKind::Power => "power",
        }
    }
}

/// A window of time during which a node is down, followed by a restart.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Crash {
    node: String,
    start: u64,
    end: u64,
    kind: CrashKind,
}

impl Crash {
    /// `node` is down during `[start, end)`, then resumes with its state (calling `on_recover`).
    pub fn warm(node: impl Into<String>, start: u64, end: u64) -> Self {
        Self::of_kind(CrashKind::Warm, node, start, end)
    }

    /// `node`'s process dies at `start` and restarts at `end` as a fresh instance from the
    /// factory (its timers dropped, `on_start` called); its disk keeps everything written.
    pub fn cold(node: impl Into<String>, start: u64, end: u64) -> Self {
        Self::of_kind(CrashKind::Cold, node, start, end)
    }

    /// `node`'s machine loses power at `start`: its disk keeps what was synced, and each
    /// unsynced write is kept, lost or torn as the [`StorageModel`](crate::StorageModel) draws;
    /// at `end` it restarts as after a cold crash.
    pub fn power(node: impl Into<String>, start: u64, end: u64) -> Self {
        Self::of_kind(CrashKind::Power, node, start, end)
    }

    /// A crash of `kind`.
    pub fn of_kind(kind: CrashKind, node: impl Into<String>, start: u64, end: u64) -> Self {
        Crash {
            node: node.into(),
            start,
            end,
            kind,
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

    /// Whether the restart loses the node's memory (a cold or power crash).
    pub fn loses_state(&self) -> bool {
        self.kind != CrashKind::Warm
    }

    /// The kind of crash.
    pub fn kind(&self) -> CrashKind {
        self.kind
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

    /// The length of every fault, partitions first, then crashes, in the order added.
    pub fn lengths(&self) -> Vec<u64> {
        let partitions = self
            .partitions
            .iter()
            .map(|p| p.end.saturating_sub(p.start));
        partitions
            .chain(self.crashes.iter().map(|c| c.end.saturating_sub(c.start)))
            .collect()
    }

    /// How many faults the schedule holds (partitions and crashes).
    pub fn len(&self) -> usize {
        self.partitions.len() + self.crashes.len()
    }

    /// The schedule with `edits` applied: the faults they drop left out, the ones they shorten
    /// ended earlier (faults are numbered partitions first, then crashes, in the order added).
    pub fn edited(&self, edits: &FaultEdits) -> FaultSchedule {
        if edits.is_empty() {
            return self.clone();
        }
        let kept = |index: usize| !edits.drops(index as u32);
        let end = |index: usize, start: u64, end: u64| match edits.lengths.get(&(index as u32)) {
            Some(&length) => end.min(start.saturating_add(length)),
            None => end,
        };
        let mut edited = FaultSchedule::new();
        for (index, p) in self.partitions.iter().enumerate().filter(|(i, _)| kept(*i)) {
            let end = end(index, p.start, p.end);
            edited.partitions.push(Partition { end, ..p.clone() });
        }
        let base = self.partitions.len();
        for (index, c) in self.crashes.iter().enumerate() {
            if kept(base + index) {
                let end = end(base + index, c.start, c.end);
                edited.crashes.push(Crash { end, ..c.clone() });
            }
        }
        edited
    }

    /// Checks the schedule against the system's node names and compiles it for the engine.
    pub(crate) fn resolve(&self, names: &NodeNames) -> Result<ResolvedFaults, SetupError> {
        let mut resolved = ResolvedFaults::none();
        if self.is_empty() {
            return Ok(resolved);
        }
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
                        links.extend(isolating(lookup(names, node, &place)?, names))
                    }
                }
            }
            resolved.add_partition(links, partition.start, partition.end);
        }
        let mut windows: Vec<Vec<(u64, u64, CrashKind)>> = vec![Vec::new(); names.len()];
        for (index, crash) in self.crashes.iter().enumerate() {
            let place = format!("crash #{index}");
            check_window(
                &format!("{place} of {:?}", crash.node),
                crash.start,
                crash.end,
            )?;
            let node = lookup(names, &crash.node, &place)?;
            windows[node.index()].push((crash.start, crash.end, crash.kind));
        }
        for (index, node_windows) in windows.into_iter().enumerate() {
            let node = NodeId::new(index);
            for (start, end, kind) in merge_windows(node_windows) {
                let window = resolved.add_down((node, names.len()), (start, end), kind);
                resolved.crashes.push(ResolvedCrash {
                    node,
                    start,
                    end,
                    kind,
                    window,
                });
            }
        }
        Ok(resolved)
    }
}

/// Every link to and from `node`.
pub(crate) fn isolating(node: NodeId, names: &NodeNames) -> Vec<(NodeId, NodeId)> {
    names
        .ids()
        .filter(|&other| other != node)
        .flat_map(|other| [(node, other), (other, node)])
        .collect()
}

/// Merges overlapping or touching down windows of one node: the node restarts once, when no
/// window covers it any more, with the strongest kind of the merged windows (power over cold
/// over warm).
fn merge_windows(mut windows: Vec<(u64, u64, CrashKind)>) -> Vec<(u64, u64, CrashKind)> {
    windows.sort_unstable();
    let mut merged: Vec<(u64, u64, CrashKind)> = Vec::with_capacity(windows.len());
    for (start, end, kind) in windows {
        match merged.last_mut() {
            Some(last) if start <= last.1 => {
                last.1 = last.1.max(end);
                last.2 = last.2.max(kind);
            }
            _ => merged.push((start, end, kind)),
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

/// Down windows up to this many are scanned; more are searched by bisection.
const SCANNED_WINDOWS: usize = 8;

/// Whether `t` falls in one of many disjoint `windows` in start order.
#[inline(never)]
fn down_in_many(windows: &[DownWindow], t: u64) -> bool {
    let after = windows.partition_point(|w| w.start <= t);
    after > 0 && t < windows[after - 1].end
}

/// A partition with its links resolved to node ids, sorted for binary search.
#[derive(Clone, Debug, Default)]
pub(crate) struct ResolvedPartition {
    start: u64,
    end: u64,
    links: Vec<(NodeId, NodeId)>,
}

/// A window `[start, end)` during which a node is down; `id` names it to its restart event.
#[derive(Clone, Copy, Debug)]
pub(crate) struct DownWindow {
    start: u64,
    end: u64,
    kind: CrashKind,
    id: u32,
}

/// A scheduled crash, merged: the node goes down at `start` and restarts at `end`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ResolvedCrash {
    pub(crate) node: NodeId,
    pub(crate) start: u64,
    pub(crate) end: u64,
    pub(crate) kind: CrashKind,
    /// Its down window's id.
    pub(crate) window: u32,
}

/// A node brought back early by [`ResolvedFaults::heal_all`].
#[derive(Clone, Copy, Debug)]
pub(crate) struct EarlyRestart {
    pub(crate) node: NodeId,
    pub(crate) kind: CrashKind,
    pub(crate) window: u32,
}

/// A run's fault schedule: its own, or the one every seed of a scenario shares (resolved once
/// per thread, and shared while the node names stay the same).
#[derive(Clone, Debug)]
pub(crate) enum Plan {
    /// This run's own schedule.
    Own(FaultSchedule),
    /// The scenario's fixed schedule.
    Shared(Arc<FaultSchedule>),
}

impl Plan {
    /// The schedule.
    pub(crate) fn schedule(&self) -> &FaultSchedule {
        match self {
            Plan::Own(schedule) => schedule,
            Plan::Shared(schedule) => schedule,
        }
    }
}

impl Default for Plan {
    fn default() -> Self {
        Plan::Own(FaultSchedule::new())
    }
}

/// The faults of one run compiled against its system: what the engine consults. The schedule's
/// faults are compiled in at the start; a nemesis adds more as the run goes.
#[derive(Clone, Debug, Default)]
pub(crate) struct ResolvedFaults {
    partitions: Vec<ResolvedPartition>,
    /// Per node, its down windows, disjoint, in start order (empty without crashes: `is_down`
    /// looks only when there are).
    down: Vec<Vec<DownWindow>>,
    /// The scheduled crashes, in node order, then time order.
    crashes: Vec<ResolvedCrash>,
    next_window: u32,
    /// The latest end of any window that has been pruned.
    retired_end: u64,
    /// The latest end of any window: from then on the run is fault-free.
    heal_time: u64,
}

impl ResolvedFaults {
    /// No faults.
    pub(crate) fn none() -> Self {
        ResolvedFaults::default()
    }

    /// The scheduled crashes, in node order, then time order.
    pub(crate) fn crashes(&self) -> &[ResolvedCrash] {
        &self.crashes
    }

    /// The latest end of any fault so far (0 without faults).
    pub(crate) fn heal_time(&self) -> u64 {
        self.heal_time
    }

    /// Whether some partition cuts `from → to` at time `t`.
    #[inline]
    /// Whether no link is ever cut and no node ever down.
    pub(crate) fn is_empty(&self) -> bool {
        self.partitions.is_empty() && self.down.is_empty()
    }

    pub(crate) fn cuts(&self, from: NodeId, to: NodeId, t: u64) -> bool {
        self.partitions
            .iter()
            .any(|p| p.start <= t && t < p.end && p.links.binary_search(&(from, to)).is_ok())
    }

    /// Whether `node` is down at time `t`: a scan of its few windows, or a binary search of
    /// many (they are disjoint and kept in start order).
    #[inline]
    pub(crate) fn is_down(&self, node: NodeId, t: u64) -> bool {
        if self.down.is_empty() {
            return false;
        }
        let windows = &self.down[node.index()];
        if windows.len() <= SCANNED_WINDOWS {
            windows.iter().any(|w| w.start <= t && t < w.end)
        } else {
            down_in_many(windows, t)
        }
    }

    /// Whether no partition and no crash is active at `t`.
    pub(crate) fn is_idle(&self, t: u64) -> bool {
        let cutting = self.partitions.iter().any(|p| p.start <= t && t < p.end);
        let down = self
            .down
            .iter()
            .flatten()
            .any(|w| w.start <= t && t < w.end);
        !cutting && !down
    }

    /// Whether the restart of `node` at `t` for window `id` is still due (`heal_all` may have
    /// brought the node back earlier).
    #[cold]
    #[inline(never)]
    pub(crate) fn restart_is_due(&self, node: NodeId, id: u32, t: u64) -> bool {
        self.down
            .get(node.index())
            .is_some_and(|windows| windows.iter().any(|w| w.id == id && w.end == t))
    }

    /// Adds a partition cutting `links` during `[start, end)`.
    pub(crate) fn add_partition(&mut self, mut links: Vec<(NodeId, NodeId)>, start: u64, end: u64) {
        links.sort_unstable();
        links.dedup();
        self.partitions
            .push(ResolvedPartition { start, end, links });
        self.heal_time = self.heal_time.max(end);
    }

    /// Forgets the partitions and down windows over before `now` (time only moves forward), so
    /// that a long run with a nemesis does not look through every fault it ever had.
    pub(crate) fn forget_before(&mut self, now: u64) {
        let over = self
            .partitions
            .iter()
            .filter(|p| p.end < now)
            .map(|p| p.end);
        self.retired_end = over.fold(self.retired_end, u64::max);
        self.partitions.retain(|p| p.end >= now);
        for windows in &mut self.down {
            // Disjoint and in start order, so in end order too: the ones over are a prefix.
            let over = windows.partition_point(|w| w.end < now);
            if over > 0 {
                self.retired_end = self.retired_end.max(windows[over - 1].end);
                windows.drain(..over);
            }
        }
    }

    /// Whether `node` may go down during `[start, end)`: no window of it overlaps or touches
    /// that one (a node restarts once per window).
    pub(crate) fn can_crash(&self, node: NodeId, start: u64, end: u64) -> bool {
        self.down
            .get(node.index())
            .is_none_or(|windows| !windows.iter().any(|w| w.start <= end && start <= w.end))
    }

    /// Adds a down window `[start, end)` of `node` (of `nodes` nodes); returns its id.
    pub(crate) fn add_down(
        &mut self,
        (node, nodes): (NodeId, usize),
        (start, end): (u64, u64),
        kind: CrashKind,
    ) -> u32 {
        if self.down.is_empty() {
            self.down = vec![Vec::new(); nodes];
        }
        let windows = &mut self.down[node.index()];
        let id = self.next_window;
        self.next_window += 1;
        let at = windows.partition_point(|w| w.start <= start);
        let window = DownWindow {
            start,
            end,
            kind,
            id,
        };
        windows.insert(at, window);
        self.heal_time = self.heal_time.max(end);
        id
    }

    /// Ends every partition and down window active at `now`; returns the nodes to restart now.
    pub(crate) fn heal_all(&mut self, now: u64) -> Vec<EarlyRestart> {
        for partition in &mut self.partitions {
            if partition.start <= now && now < partition.end {
                partition.end = now;
            }
        }
        let mut restarts = Vec::new();
        for (index, windows) in self.down.iter_mut().enumerate() {
            for window in windows.iter_mut().filter(|w| w.start <= now && now < w.end) {
                window.end = now;
                restarts.push(EarlyRestart {
                    node: NodeId::new(index),
                    kind: window.kind,
                    window: window.id,
                });
            }
        }
        let partition_ends = self.partitions.iter().map(|p| p.end);
        let window_ends = self.down.iter().flatten().map(|w| w.end);
        self.heal_time = partition_ends
            .chain(window_ends)
            .fold(self.retired_end, u64::max);
        restarts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> NodeNames {
        NodeNames::new(vec!["a".into(), "b".into()]).expect("distinct names")
    }

    #[test]
    fn every_window_of_a_schedule_counts_whatever_the_order() {
        let schedule = FaultSchedule::new()
            .partition(Partition::between("a", "b", 0, 10))
            .partition(Partition::between("a", "b", 20, 30))
            .crash(Crash::cold("b", 50, 55))
            .crash(Crash::power("b", 40, 45));
        let faults = schedule.resolve(&names()).expect("valid");
        let (a, b) = (NodeId::new(0), NodeId::new(1));
        let cut: Vec<u64> = (0..35).filter(|&t| faults.cuts(a, b, t)).collect();
        assert_eq!(cut, (0..10).chain(20..30).collect::<Vec<_>>());
        let down: Vec<u64> = (0..60).filter(|&t| faults.is_down(b, t)).collect();
        assert_eq!(down, (40..45).chain(50..55).collect::<Vec<_>>());
        assert_eq!((faults.crashes().len(), faults.heal_time()), (2, 55));
    }

    #[test]
    fn heal_all_ends_what_is_active_and_leaves_the_rest() {
        let mut faults = FaultSchedule::new()
            .crash(Crash::warm("a", 5, 50))
            .partition(Partition::isolate("b", 0, 40))
            .resolve(&names())
            .expect("valid");
        let restarts = faults.heal_all(10);
        assert_eq!(restarts.len(), 1);
        assert!(!faults.is_down(NodeId::new(0), 10));
        assert!(!faults.cuts(NodeId::new(0), NodeId::new(1), 10));
        assert_eq!(faults.heal_time(), 10);
        assert!(faults.is_idle(10));
        assert!(!faults.restart_is_due(NodeId::new(0), restarts[0].window, 50));
        assert!(faults.restart_is_due(NodeId::new(0), restarts[0].window, 10));
    }
}
