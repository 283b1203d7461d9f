//! Histories and their consistency: what clients asked of a replicated object and what it
//! answered, checked against a sequential specification. Invariants judge one instant; a read
//! that returns a value already overwritten, or a write acknowledged and then lost, is legal in
//! every single state and wrong only against the history.
//!
//! Children: `record` ([`History`], [`Operation`], [`Outcome`], [`OpId`]), `spec`
//! ([`SequentialSpec`] and the ready-made specs), `check` (the checks, the smallest
//! inconsistent sub-history), `timeline` (that sub-history in words: [`SubHistory`]), `linearizable` (Wing & Gong with Lowe's
//! memoisation), `sequential` (sequential consistency), `recorded` (a run's history, type-erased), `log` (a history as text), `bits` (a bit
//! set, a fast hasher).

mod bits;
mod check;
mod linearizable;
pub mod log;
mod record;
mod recorded;
mod sequential;
mod spec;
mod timeline;

pub use check::{Checked, Consistency, Violation};
pub use record::{History, OpId, Operation, Outcome};
pub use recorded::RecordedHistory;
pub use spec::{
    Counter, CounterOp, CounterRet, KvOp, KvRet, KvSpec, QueueOp, QueueRet, QueueSpec, Register,
    RegisterOp, RegisterRet, SequentialSpec, SetOp, SetRet, SetSpec, partition_key,
};
pub use timeline::{HistoryRow, SubHistory, timeline};
