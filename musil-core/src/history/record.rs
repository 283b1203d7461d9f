//! [`History`]: the operations clients invoked, when, and what each returned — completed,
//! failed (it certainly did not happen) or pending (it may or may not have happened, as after a
//! timeout or a crash) — built by hand in a test, read from a log, or recorded by a run
//! (`ctx.invoke`, `ctx.complete`, `ctx.fail`).

use std::fmt::Debug;

/// An operation's number in its history, in invocation order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OpId(pub(crate) u32);

impl OpId {
    /// The operation's index in its history.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// How an operation ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome<Ret> {
    /// It returned `ret` at time `at`.
    Ok {
        /// When it returned.
        at: u64,
        /// What it returned.
        ret: Ret,
    },
    /// It certainly did not take effect (`ctx.fail`): a checker leaves it out.
    Failed,
    /// No answer: it may have taken effect, at any time after its invocation, or not at all.
    Pending,
}

/// One operation of a history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Operation<Op, Ret> {
    /// Who invoked it (a node's index, or any number in a hand-written history).
    pub client: usize,
    /// When it was invoked.
    pub invoked: u64,
    /// What was invoked.
    pub op: Op,
    /// How it ended.
    pub outcome: Outcome<Ret>,
    /// In a recorded history, the positions of its invocation and of its return (if any) among
    /// the history's events: what orders operations that meet at one virtual instant (handlers
    /// run one after another). `None` in a hand-written history, where operations that meet at
    /// an instant are concurrent.
    pub order: Option<(u64, Option<u64>)>,
}

impl<Op, Ret> Operation<Op, Ret> {
    /// When it returned, if it did.
    pub fn returned(&self) -> Option<u64> {
        match self.outcome {
            Outcome::Ok { at, .. } => Some(at),
            _ => None,
        }
    }
}

/// The operations of a run, in invocation order.
///
/// ```
/// use musil_core::history::{History, RegisterOp, RegisterRet};
///
/// let mut history = History::new();
/// let write = history.invoke(0, 1, RegisterOp::Write(7));
/// let read = history.invoke(1, 2, RegisterOp::Read);
/// history.complete(write, 3, RegisterRet::Ok);
/// history.complete(read, 4, RegisterRet::Value(Some(7)));
/// assert_eq!(history.len(), 2);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct History<Op, Ret> {
    operations: Vec<Operation<Op, Ret>>,
}

impl<Op, Ret> Default for History<Op, Ret> {
    fn default() -> Self {
        History {
            operations: Vec::new(),
        }
    }
}

impl<Op: Debug, Ret: Debug> History<Op, Ret> {
    /// An empty history.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records that `client` invoked `op` at `time`; the operation is pending until completed
    /// or failed.
    pub fn invoke(&mut self, client: usize, time: u64, op: Op) -> OpId {
        let id = OpId(self.operations.len() as u32);
        self.operations.push(Operation {
            client,
            invoked: time,
            op,
            outcome: Outcome::Pending,
            order: None,
        });
        id
    }

    /// Records that operation `id` returned `ret` at `time`.
    ///
    /// # Panics
    /// If `id` is not pending (unknown, completed or failed already), or `time` is before its
    /// invocation.
    pub fn complete(&mut self, id: OpId, time: u64, ret: Ret) {
        let operation = self.pending(id, "complete");
        assert!(
            time >= operation.invoked,
            "history: operation #{} ({:?}) cannot return at t={time}, before its invocation at t={}",
            id.0,
            operation.op,
            operation.invoked
        );
        operation.outcome = Outcome::Ok { at: time, ret };
    }

    /// Records that operation `id` certainly did not take effect.
    ///
    /// # Panics
    /// If `id` is not pending.
    pub fn fail(&mut self, id: OpId) {
        self.pending(id, "fail").outcome = Outcome::Failed;
    }

    fn pending(&mut self, id: OpId, what: &str) -> &mut Operation<Op, Ret> {
        let known = self.operations.len();
        let Some(operation) = self.operations.get_mut(id.index()) else {
            panic!(
                "history: cannot {what} operation #{}: only {known} were invoked",
                id.0
            );
        };
        if !matches!(operation.outcome, Outcome::Pending) {
            panic!(
                "history: cannot {what} operation #{} ({:?}): it already ended ({:?})",
                id.0, operation.op, operation.outcome
            );
        }
        operation
    }
}

impl<Op, Ret> History<Op, Ret> {
    /// Every operation, in invocation order, failed ones included.
    pub fn operations(&self) -> &[Operation<Op, Ret>] {
        &self.operations
    }

    /// Operation `id`.
    pub fn get(&self, id: OpId) -> Option<&Operation<Op, Ret>> {
        self.operations.get(id.index())
    }

    /// How many operations were invoked.
    pub fn len(&self) -> usize {
        self.operations.len()
    }

    /// Whether none was.
    pub fn is_empty(&self) -> bool {
        self.operations.is_empty()
    }

    /// A history of these operations.
    pub fn from_operations(operations: Vec<Operation<Op, Ret>>) -> Self {
        History { operations }
    }
}
