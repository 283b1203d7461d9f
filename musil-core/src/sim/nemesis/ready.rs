//! Ready-made nemeses (`musil::nemesis`): random partitions, random crashes, and a fault aimed at
//! whichever node a function picks from the world. Each acts only when no fault is active, so
//! faults never pile up; combine one with a scenario's `nemesis_until` to let the run heal and
//! converge.

use crate::id::NodeId;

use super::FaultControl;
use crate::sim::faults::CrashKind;

/// What [`aim`] does to the node it picks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Cut every link to and from the node for `duration`.
    Isolate {
        /// How long.
        duration: u64,
    },
    /// Crash the node for `down_for`.
    Crash {
        /// Warm, cold or power.
        kind: CrashKind,
        /// How long it stays down.
        down_for: u64,
    },
}

impl Fault {
    /// Isolates the node for `duration`.
    pub fn isolate(duration: u64) -> Self {
        Fault::Isolate { duration }
    }

    /// Crashes the node (`kind`) for `down_for`.
    pub fn crash(kind: CrashKind, down_for: u64) -> Self {
        Fault::Crash { kind, down_for }
    }

    /// Injects the fault on `node`.
    #[track_caller]
    pub fn inject(self, node: NodeId, faults: &mut FaultControl<'_>) {
        match self {
            Fault::Isolate { duration } => faults.isolate(node, duration),
            Fault::Crash { kind, down_for } => faults.crash(kind, node, down_for),
        }
    }
}

/// When no fault is active, after each step with probability `chance`: splits the nodes into
/// two random sides (each non-empty) and cuts every link between them for `duration`.
///
/// # Panics
/// If `chance` is not in `[0, 1]` or `duration` is 0.
pub fn random_partitions<S>(
    chance: f64,
    duration: u64,
) -> impl Fn(&S, &mut FaultControl<'_>) + Send + Sync + Clone + 'static {
    check("random_partitions", chance, duration);
    move |_: &S, faults: &mut FaultControl<'_>| {
        if faults.node_count() < 2 || !faults.idle() || !faults.rng().chance(chance) {
            return;
        }
        let side = random_side(faults);
        faults.split(side, duration);
    }
}

/// A random non-empty proper subset of the nodes.
fn random_side(faults: &mut FaultControl<'_>) -> Vec<NodeId> {
    let nodes: Vec<NodeId> = faults.nodes().collect();
    let mut side: Vec<NodeId> = nodes
        .iter()
        .copied()
        .filter(|_| faults.rng().chance(0.5))
        .collect();
    if side.is_empty() || side.len() == nodes.len() {
        side = vec![nodes[faults.rng().pick(nodes.len())]];
    }
    side
}

/// When no fault is active, after each step with probability `chance`: crashes a random node
/// (`kind`) for `down_for`.
///
/// # Panics
/// If `chance` is not in `[0, 1]` or `down_for` is 0.
pub fn random_crashes<S>(
    chance: f64,
    kind: CrashKind,
    down_for: u64,
) -> impl Fn(&S, &mut FaultControl<'_>) + Send + Sync + Clone + 'static {
    check("random_crashes", chance, down_for);
    move |_: &S, faults: &mut FaultControl<'_>| {
        if faults.node_count() == 0 || !faults.idle() || !faults.rng().chance(chance) {
            return;
        }
        let count = faults.node_count();
        let node = NodeId::new(faults.rng().pick(count));
        faults.crash(kind, node, down_for);
    }
}

/// When no fault is active: injects `fault` on the node `pick` chooses from the world, if it
/// chooses one. The trace names `pick` as what aimed the fault.
///
/// ```
/// use musil_core::nemesis::{self, Fault};
/// # #[derive(Debug)] struct Cluster { leader: Option<musil_core::NodeId> }
/// # impl Cluster { fn leader(&self) -> Option<musil_core::NodeId> { self.leader } }
/// let leader_isolation = nemesis::aim(Cluster::leader, Fault::isolate(30));
/// # let _ = leader_isolation;
/// ```
pub fn aim<S, P>(pick: P, fault: Fault) -> impl Fn(&S, &mut FaultControl<'_>) + Send + Sync + Clone
where
    P: Fn(&S) -> Option<NodeId> + Send + Sync + Clone,
{
    let aimer = format!("aimed by {}", short_name(std::any::type_name::<P>()));
    move |world: &S, faults: &mut FaultControl<'_>| {
        if !faults.idle() {
            return;
        }
        if let Some(node) = pick(world) {
            faults.because(aimer.clone());
            fault.inject(node, faults);
        }
    }
}

/// `crate::module::Type::method` as `Type::method`; a closure as `a closure in module::function`.
fn short_name(type_name: &str) -> String {
    let mut name = type_name;
    let closure = name.ends_with("::{{closure}}");
    while let Some(outer) = name.strip_suffix("::{{closure}}") {
        name = outer;
    }
    let segments: Vec<&str> = name.split("::").collect();
    let tail = segments[segments.len().saturating_sub(2)..].join("::");
    if closure {
        format!("a closure in {tail}")
    } else {
        tail
    }
}

#[track_caller]
fn check(nemesis: &str, chance: f64, duration: u64) {
    assert!(
        (0.0..=1.0).contains(&chance),
        "nemesis::{nemesis}: chance = {chance} is not a probability (it must be in [0, 1])"
    );
    assert!(
        duration > 0,
        "nemesis::{nemesis}: a fault lasts at least 1 time unit (got 0)"
    );
}

#[cfg(test)]
mod tests {
    use super::short_name;

    #[test]
    fn aimers_are_named_shortly() {
        assert_eq!(
            short_name("my_crate::raft::Cluster::leader"),
            "Cluster::leader"
        );
        assert_eq!(
            short_name("my_crate::tests::nemesis::{{closure}}"),
            "a closure in tests::nemesis"
        );
    }
}
