//! The registry of invariants and coverage sites that `#[invariant]` and `#[sometimes]` fill
//! through `inventory`: const descriptors collected before `main`, read (always sorted) by
//! scenarios and models of their system type.

use std::any::{Any, TypeId};

/// The descriptor `#[invariant]` registers.
#[derive(Debug)]
pub struct InvariantEntry {
    /// The invariant function's name.
    pub name: &'static str,
    /// `module_path!()` where it is declared.
    pub module_path: &'static str,
    /// The system type it checks.
    pub system: fn() -> TypeId,
    /// Checks a world of that type (given as `&dyn Any`).
    pub check: fn(&dyn Any) -> Result<(), Option<String>>,
}

inventory::collect!(InvariantEntry);

/// The registered invariants of system type `S`, sorted by name, then module path.
pub fn invariants_of<S: 'static>() -> Vec<&'static InvariantEntry> {
    of_system::<S, InvariantEntry>(|e| ((e.system)(), e.name, e.module_path))
}

/// The registered entries `E` of system type `S`, sorted by name, then module path; `key` gives
/// an entry's system type, name and module path.
fn of_system<S: 'static, E: inventory::Collect>(
    key: fn(&E) -> (TypeId, &'static str, &'static str),
) -> Vec<&'static E> {
    let wanted = TypeId::of::<S>();
    let mut entries: Vec<&'static E> = inventory::iter::<E>
        .into_iter()
        .filter(|e| key(e).0 == wanted)
        .collect();
    entries.sort_by_key(|e| {
        let (_, name, module_path) = key(e);
        (name, module_path)
    });
    entries
}

/// The descriptor `#[sometimes]` registers: a coverage site on the world.
#[derive(Debug)]
pub struct SometimesEntry {
    /// The function's name: the site's name.
    pub name: &'static str,
    /// `module_path!()` where it is declared.
    pub module_path: &'static str,
    /// The system type it observes.
    pub system: fn() -> TypeId,
    /// Whether it holds on a world of that type (given as `&dyn Any`).
    pub holds: fn(&dyn Any) -> bool,
}

inventory::collect!(SometimesEntry);

/// The registered coverage sites of system type `S`, sorted by name, then module path.
pub fn sometimes_of<S: 'static>() -> Vec<&'static SometimesEntry> {
    of_system::<S, SometimesEntry>(|e| ((e.system)(), e.name, e.module_path))
}
