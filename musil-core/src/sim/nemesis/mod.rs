//! The nemesis: a function that looks at the world after the start and after every step, and
//! injects faults then ("isolate the current leader"), through a [`FaultControl`]. Its faults
//! take effect from the current instant, combine with the fixed
//! [`FaultSchedule`](crate::FaultSchedule), appear in the trace and replay with the seed (its
//! randomness is a stream of its own). Ready-made nemeses are in `ready` (`musil::nemesis`).

use std::sync::Arc;

use crate::decision::DecisionSource;
use crate::decision::Stream;
use crate::decision::rng::Rng;
use crate::id::NodeId;
use crate::system::names::NodeNames;

use super::error::quoted_list;
use super::faults::{CrashKind, ResolvedFaults, isolating};
use crate::system::names::Destination;

pub mod ready;

/// A nemesis, shared by every seed of a scenario: called with the world and a [`FaultControl`].
pub type NemesisFn<S> = Arc<dyn Fn(&S, &mut FaultControl<'_>) + Send + Sync>;

/// A fault the nemesis asked for, applied by the engine once the nemesis returns.
#[derive(Clone, Debug)]
pub(crate) enum Request {
    /// Cut `links` for `duration` from now; `what` is how the trace says it.
    Cut {
        links: Vec<(NodeId, NodeId)>,
        duration: u64,
        what: String,
    },
    /// Crash `node` now, for `down_for`.
    Crash {
        node: NodeId,
        kind: CrashKind,
        down_for: u64,
    },
    /// End every active fault now.
    HealAll,
}

/// A requested fault and what the nemesis said about why (see [`FaultControl::because`]).
#[derive(Clone, Debug)]
pub(crate) struct Injection {
    pub(crate) request: Request,
    pub(crate) because: Option<String>,
}

/// What a nemesis may do: look at the clock and at which faults are active, inject partitions
/// and crashes from now on, draw randomness, and stop.
///
/// ```
/// use musil_core::FaultControl;
/// # #[derive(Debug)] struct Cluster { leader: Option<usize> }
///
/// fn leader_killer(world: &Cluster, faults: &mut FaultControl) {
///     if let Some(leader) = world.leader {
///         if faults.idle() {
///             faults.because("it leads");
///             faults.isolate(format!("replicas[{leader}]"), 30);
///         }
///     }
/// }
/// ```
///
/// Node arguments are a [`NodeId`] or a name. A name or id the system does not have panics,
/// which the scenario reports as a `panic` failure in the nemesis, naming the known nodes.
pub struct FaultControl<'a> {
    now: u64,
    names: &'a NodeNames,
    faults: &'a ResolvedFaults,
    decisions: &'a mut dyn DecisionSource,
    injections: Vec<Injection>,
    because: Option<String>,
    stop: bool,
}

impl<'a> FaultControl<'a> {
    pub(crate) fn new(
        now: u64,
        names: &'a NodeNames,
        faults: &'a ResolvedFaults,
        decisions: &'a mut dyn DecisionSource,
    ) -> Self {
        FaultControl {
            now,
            names,
            faults,
            decisions,
            injections: Vec::new(),
            because: None,
            stop: false,
        }
    }

    /// What the nemesis asked for, and whether it stopped.
    pub(crate) fn finish(self) -> (Vec<Injection>, bool) {
        (self.injections, self.stop)
    }

    /// The current virtual time: faults injected now start at it.
    pub fn now(&self) -> u64 {
        self.now
    }

    /// How many nodes the system has.
    pub fn node_count(&self) -> usize {
        self.names.len()
    }

    /// The nodes, in declaration order.
    pub fn nodes(&self) -> impl Iterator<Item = NodeId> + use<> {
        (0..self.names.len()).map(NodeId::new)
    }

    /// The name of `node`.
    ///
    /// # Panics
    /// If `node` is not a node of the system.
    #[track_caller]
    pub fn name_of(&self, node: NodeId) -> &str {
        self.names.name(self.resolve(node, "name_of"))
    }

    /// Whether no fault is active now (neither a partition nor a down node, scheduled or
    /// injected), and none was asked for in this call.
    pub fn idle(&self) -> bool {
        self.injections.is_empty() && self.faults.is_idle(self.now)
    }

    /// Whether `node` is down now.
    #[track_caller]
    pub fn is_down(&self, node: impl Destination) -> bool {
        let node = self.resolve(node, "is_down");
        self.faults.is_down(node, self.now)
    }

    /// Notes why the faults asked for next are injected (the trace shows it beside them).
    pub fn because(&mut self, reason: impl Into<String>) {
        self.because = Some(reason.into());
    }

    /// Cuts every link to and from `node` for `duration`, from now.
    ///
    /// # Panics
    /// If `node` is not a node of the system, or `duration` is 0.
    #[track_caller]
    pub fn isolate(&mut self, node: impl Destination, duration: u64) {
        let node = self.resolve(node, "isolate");
        let what = format!("isolate {}", self.names.name(node));
        self.cut(isolating(node, self.names), duration, what);
    }

    /// Cuts both directions between `a` and `b` for `duration`, from now.
    ///
    /// # Panics
    /// If a node is not a node of the system, or `duration` is 0.
    #[track_caller]
    pub fn partition(&mut self, a: impl Destination, b: impl Destination, duration: u64) {
        let (a, b) = (self.resolve(a, "partition"), self.resolve(b, "partition"));
        let what = format!("partition {} | {}", self.names.name(a), self.names.name(b));
        self.cut(vec![(a, b), (b, a)], duration, what);
    }

    /// Cuts the link `from → to` for `duration`, from now.
    ///
    /// # Panics
    /// If a node is not a node of the system, or `duration` is 0.
    #[track_caller]
    pub fn one_way(&mut self, from: impl Destination, to: impl Destination, duration: u64) {
        let (from, to) = (self.resolve(from, "one_way"), self.resolve(to, "one_way"));
        let what = format!("cut {} → {}", self.names.name(from), self.names.name(to));
        self.cut(vec![(from, to)], duration, what);
    }

    /// Cuts every link between the nodes of `side` (ids or names) and the others for `duration`,
    /// from now.
    ///
    /// # Panics
    /// If a node is not a node of the system, if `side` is empty or holds every node (nothing
    /// to cut), or if `duration` is 0.
    #[track_caller]
    pub fn split<N: Destination>(&mut self, side: impl IntoIterator<Item = N>, duration: u64) {
        let mut side: Vec<NodeId> = side.into_iter().map(|n| self.resolve(n, "split")).collect();
        side.sort_unstable();
        side.dedup();
        assert!(
            !side.is_empty() && side.len() < self.names.len(),
            "the nemesis asked to split off {} of {} nodes: a split needs nodes on both sides",
            side.len(),
            self.names.len()
        );
        let mut links = Vec::new();
        for inside in side.iter().copied() {
            for outside in self.nodes().filter(|n| !side.contains(n)) {
                links.push((inside, outside));
                links.push((outside, inside));
            }
        }
        let names: Vec<&str> = side.iter().map(|&n| self.names.name(n)).collect();
        let what = format!("split off [{}]", names.join(", "));
        self.cut(links, duration, what);
    }

    /// Pauses `node` now for `down_for`; it resumes with `on_recover` ([`CrashKind::Warm`]).
    /// A node that is down, or whose down window touches this one, is left alone (the trace
    /// says so).
    ///
    /// # Panics
    /// If `node` is not a node of the system, or `down_for` is 0.
    #[track_caller]
    pub fn crash_warm(&mut self, node: impl Destination, down_for: u64) {
        self.crash(CrashKind::Warm, node, down_for);
    }

    /// Kills `node`'s process now; it restarts from the factory after `down_for`
    /// ([`CrashKind::Cold`]). Left alone as for [`FaultControl::crash_warm`].
    ///
    /// # Panics
    /// If `node` is not a node of the system, or `down_for` is 0.
    #[track_caller]
    pub fn crash_cold(&mut self, node: impl Destination, down_for: u64) {
        self.crash(CrashKind::Cold, node, down_for);
    }

    /// Cuts `node`'s power now: its unsynced writes are kept, lost or torn at once; it restarts
    /// from the factory after `down_for` ([`CrashKind::Power`]). Left alone as for
    /// [`FaultControl::crash_warm`].
    ///
    /// # Panics
    /// If `node` is not a node of the system, or `down_for` is 0.
    #[track_caller]
    pub fn crash_power(&mut self, node: impl Destination, down_for: u64) {
        self.crash(CrashKind::Power, node, down_for);
    }

    /// A crash of `kind` (see [`FaultControl::crash_warm`]).
    ///
    /// # Panics
    /// If `node` is not a node of the system, or `down_for` is 0.
    #[track_caller]
    pub fn crash(&mut self, kind: CrashKind, node: impl Destination, down_for: u64) {
        let node = self.resolve(node, "crash");
        check_duration(down_for, "crash");
        self.push(Request::Crash {
            node,
            kind,
            down_for,
        });
    }

    /// Ends every active partition and brings every down node back now.
    pub fn heal_all(&mut self) {
        self.push(Request::HealAll);
    }

    /// The nemesis's own randomness (a stream of its own: drawing from it changes no other
    /// decision of the run).
    pub fn rng(&mut self) -> Rng<'_> {
        Rng::new(self.decisions, Stream::Nemesis)
    }

    /// No more faults: the nemesis is not called again, and `converge_within` counts from the
    /// moment the last fault heals.
    pub fn stop(&mut self) {
        self.stop = true;
    }

    #[track_caller]
    fn cut(&mut self, links: Vec<(NodeId, NodeId)>, duration: u64, what: String) {
        check_duration(duration, &what);
        self.push(Request::Cut {
            links,
            duration,
            what,
        });
    }

    fn push(&mut self, request: Request) {
        let because = self.because.clone();
        self.injections.push(Injection { request, because });
    }

    /// The id of `node`, or a panic naming the known nodes.
    #[track_caller]
    fn resolve(&self, node: impl Destination, call: &str) -> NodeId {
        match node.resolve(self.names) {
            Ok(id) if id.index() < self.names.len() => id,
            Ok(id) => unknown(&id.to_string(), call, self.names),
            Err(name) => unknown(&format!("{name:?}"), call, self.names),
        }
    }
}

#[cold]
#[track_caller]
fn unknown(node: &str, call: &str, names: &NodeNames) -> ! {
    panic!(
        "the nemesis called {call} on unknown node {node} (known: {})",
        quoted_list(names.all())
    )
}

#[track_caller]
fn check_duration(duration: u64, what: &str) {
    assert!(
        duration > 0,
        "the nemesis asked to {what} for 0 time units: a fault lasts at least 1"
    );
}
