//! The history a run records (`ctx.invoke`, `ctx.complete`, `ctx.fail`), with its operations and
//! returns type-erased — the engine does not know the spec's types — and made typed again, with
//! a clear error when a node recorded a type the spec does not have.

use std::any::Any;

use crate::id::NodeId;

use super::record::{History, OpId, Outcome};

/// A value and the name of its type.
struct Erased {
    value: Box<dyn Any + Send>,
    type_name: &'static str,
}

impl Erased {
    fn new<T: Any + Send>(value: T) -> Self {
        Erased {
            value: Box::new(value),
            type_name: std::any::type_name::<T>(),
        }
    }

    /// The value as a `T`, or what it is instead.
    fn get<T: Any + Clone>(&self, what: &str, id: usize) -> Result<T, String> {
        self.value.downcast_ref::<T>().cloned().ok_or_else(|| {
            format!(
                "operation #{id} recorded a {what} of type `{}`, but the history is checked against \
                 a spec whose {what}s are `{}`",
                self.type_name,
                std::any::type_name::<T>()
            )
        })
    }
}

/// How a recorded operation ended, so far.
enum Ended {
    Open,
    Failed,
    Returned { at: u64, ret: Erased, position: u64 },
}

/// One recorded operation.
struct Recorded {
    client: NodeId,
    invoked: u64,
    /// The position of its invocation among the history's events.
    invoked_at: u64,
    op: Erased,
    ended: Ended,
}

/// The operations of a run, as recorded.
#[derive(Default)]
pub struct RecordedHistory {
    operations: Vec<Recorded>,
    /// Events (invocations and returns) so far.
    events: u64,
}

impl std::fmt::Debug for RecordedHistory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RecordedHistory({} operations)", self.operations.len())
    }
}

impl RecordedHistory {
    /// Records that `client` invoked `op` at `now`: operation number `id`.
    pub(crate) fn invoke<O: Any + Send>(&mut self, id: OpId, client: NodeId, now: u64, op: O) {
        debug_assert_eq!(id.index(), self.operations.len());
        self.events += 1;
        self.operations.push(Recorded {
            client,
            invoked: now,
            invoked_at: self.events,
            op: Erased::new(op),
            ended: Ended::Open,
        });
    }

    /// Records that operation `id` returned `ret` at `now`, or says why it cannot.
    pub(crate) fn complete<R: Any + Send>(
        &mut self,
        id: OpId,
        now: u64,
        ret: R,
    ) -> Result<(), String> {
        let position = self.events + 1;
        self.open(id, "complete")?.ended = Ended::Returned {
            at: now,
            ret: Erased::new(ret),
            position,
        };
        self.events = position;
        Ok(())
    }

    /// Records that operation `id` certainly did not take effect, or says why it cannot.
    pub(crate) fn fail(&mut self, id: OpId) -> Result<(), String> {
        self.open(id, "fail")?.ended = Ended::Failed;
        Ok(())
    }

    fn open(&mut self, id: OpId, what: &str) -> Result<&mut Recorded, String> {
        let known = self.operations.len();
        let operation = self
            .operations
            .get_mut(id.index())
            .ok_or_else(|| format!("ctx.{what}: no operation #{} (only {known} invoked)", id.0))?;
        match operation.ended {
            Ended::Open => Ok(operation),
            _ => Err(format!(
                "ctx.{what}: operation #{} (a `{}` invoked at t={}) already ended",
                id.0, operation.op.type_name, operation.invoked
            )),
        }
    }

    /// The history with its operations and returns as `Op` and `Ret` (clients are node
    /// indices), or which recorded value is of another type.
    pub fn typed<Op: Any + Clone, Ret: Any + Clone>(&self) -> Result<History<Op, Ret>, String> {
        let mut operations = Vec::with_capacity(self.operations.len());
        for (id, recorded) in self.operations.iter().enumerate() {
            let op = recorded.op.get::<Op>("operation", id)?;
            let (outcome, returned_at) = match &recorded.ended {
                Ended::Open => (Outcome::Pending, None),
                Ended::Failed => (Outcome::Failed, None),
                Ended::Returned { at, ret, position } => (
                    Outcome::Ok {
                        at: *at,
                        ret: ret.get::<Ret>("return", id)?,
                    },
                    Some(*position),
                ),
            };
            operations.push(super::record::Operation {
                client: recorded.client.index(),
                invoked: recorded.invoked,
                op,
                outcome,
                order: Some((recorded.invoked_at, returned_at)),
            });
        }
        Ok(History::from_operations(operations))
    }

    /// How many operations were invoked.
    pub fn len(&self) -> usize {
        self.operations.len()
    }

    /// Whether none was.
    pub fn is_empty(&self) -> bool {
        self.operations.is_empty()
    }
}
