//! The invariants a scenario checks after every step, in one list sorted by name: those over the
//! world alone, and those that also read the nodes' disks ([`Scenario::disk_invariant`]).
//!
//! [`Scenario::disk_invariant`]: super::Scenario::disk_invariant

use std::sync::Arc;

use crate::property::{Invariant, InvariantOutcome};
use crate::sim::disk::Disks;

/// A check over the world and the disks, boxed for storage.
type DiskVerdict<S> = Arc<dyn Fn(&S, &Disks<'_>) -> Result<(), Option<String>> + Send + Sync>;

/// A named invariant that reads the disks too.
pub(crate) struct DiskInvariant<S> {
    pub(crate) name: String,
    check: DiskVerdict<S>,
}

impl<S> DiskInvariant<S> {
    pub(crate) fn new<R: InvariantOutcome>(
        name: impl Into<String>,
        check: impl Fn(&S, &Disks<'_>) -> R + Send + Sync + 'static,
    ) -> Self {
        DiskInvariant {
            name: name.into(),
            check: Arc::new(move |world: &S, disks: &Disks<'_>| check(world, disks).into_verdict()),
        }
    }
}

impl<S> DiskInvariant<S> {
    /// Whether it holds on `world` and `disks`: `Err(reason)` if not.
    #[inline]
    pub(crate) fn verdict(&self, world: &S, disks: &Disks<'_>) -> Result<(), Option<String>> {
        (self.check)(world, disks)
    }
}

impl<S> Clone for DiskInvariant<S> {
    fn clone(&self) -> Self {
        DiskInvariant {
            name: self.name.clone(),
            check: Arc::clone(&self.check),
        }
    }
}

/// One invariant of either kind.
pub(crate) enum Check<S> {
    World(Invariant<S>),
    Disks(DiskInvariant<S>),
}

impl<S> Check<S> {
    pub(crate) fn name(&self) -> &str {
        match self {
            Check::World(invariant) => &invariant.name,
            Check::Disks(invariant) => &invariant.name,
        }
    }
}

/// Both lists in one, sorted by name (stable: equal names keep world invariants first, each in
/// its order).
pub(crate) fn in_name_order<S>(
    world: Vec<Invariant<S>>,
    disks: &[DiskInvariant<S>],
) -> Vec<Check<S>> {
    let mut checks: Vec<Check<S>> = world.into_iter().map(Check::World).collect();
    checks.extend(disks.iter().cloned().map(Check::Disks));
    checks.sort_by(|a, b| a.name().cmp(b.name()));
    checks
}
