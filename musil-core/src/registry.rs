//! The registry of invariants that `#[invariant]` fills through `inventory`: const descriptors
//! collected before `main`, read (always sorted) by scenarios and models of their system type.

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
    let wanted = TypeId::of::<S>();
    let mut entries: Vec<&'static InvariantEntry> = inventory::iter::<InvariantEntry>
        .into_iter()
        .filter(|e| (e.system)() == wanted)
        .collect();
    entries.sort_by_key(|e| (e.name, e.module_path));
    entries
}
